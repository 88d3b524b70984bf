//! The shared layers through the binary against wiremock: the retry policy (statuses,
//! Retry-After, bounded attempts, no replay of POST) and redaction of failing requests.

use predicates::prelude::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock as WMock, ResponseTemplate};

use crate::common::{stderr, Mock, TestEnv};

const TOKEN: &str = "6b884e39d8d34e05192c5d72dd6739607293b828";
const METRICS: &str = "/api/sam/v2/metrics";

fn ok_list() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({"total": 1, "rows": [
        {"id": -32603, "code_name": "CONCURRENT_USER", "display_name": "Concurrent User", "source_type": 1, "source_id": 27}
    ]}))
}

fn bigfix(env: &TestEnv, mock: &Mock) -> assert_cmd::Command {
    let mut c = env.cmd();
    c.env("LICCTL_BIGFIX_URL", mock.uri())
        .env("LICCTL_BIGFIX_TOKEN", TOKEN);
    c
}

#[test]
fn retries_503_then_succeeds_honouring_retry_after() {
    let (env, mock) = (TestEnv::new(), Mock::start());
    mock.mount(
        WMock::given(method("GET"))
            .and(path(METRICS))
            .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0"))
            .up_to_n_times(2)
            .with_priority(1),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path(METRICS))
            .respond_with(ok_list()),
    );
    let out = bigfix(&env, &mock)
        .args(["bigfix", "metrics", "list", "-o", "json", "-v"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mock.requests().len(), 3);
    assert!(stderr(&out).contains("retrying"), "{}", stderr(&out));
}

#[test]
fn retry_after_as_an_http_date() {
    let (env, mock) = (TestEnv::new(), Mock::start());
    mock.mount(
        WMock::given(method("GET"))
            .and(path(METRICS))
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"),
            )
            .up_to_n_times(1)
            .with_priority(1),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path(METRICS))
            .respond_with(ok_list()),
    );
    bigfix(&env, &mock)
        .args(["bigfix", "metrics", "list"])
        .assert()
        .success();
    assert_eq!(mock.requests().len(), 2);
}

#[test]
fn retries_are_bounded() {
    let (env, mock) = (TestEnv::new(), Mock::start());
    mock.mount(
        WMock::given(method("GET"))
            .and(path(METRICS))
            .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0")),
    );
    bigfix(&env, &mock)
        .args(["bigfix", "metrics", "list", "--retries", "2"])
        .assert()
        .code(7)
        .stderr(
            predicate::str::contains("HTTP 503").and(predicate::str::contains("after 3 attempts")),
        );
    assert_eq!(mock.requests().len(), 3);
}

#[test]
fn a_retry_after_beyond_the_budget_gives_up_at_once() {
    let (env, mock) = (TestEnv::new(), Mock::start());
    mock.mount(
        WMock::given(method("GET"))
            .and(path(METRICS))
            .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "3600")),
    );
    bigfix(&env, &mock)
        .args(["bigfix", "metrics", "list"])
        .assert()
        .code(7);
    assert_eq!(mock.requests().len(), 1);
}

#[test]
fn client_errors_are_not_retried() {
    let (env, mock) = (TestEnv::new(), Mock::start());
    mock.mount(
        WMock::given(method("PUT")).and(path(METRICS)).respond_with(
            ResponseTemplate::new(400)
                .set_body_json(serde_json::json!({"error": "Metric does not exist"})),
        ),
    );
    bigfix(&env, &mock)
        .args([
            "bigfix",
            "metrics",
            "update",
            "--code-name",
            "NOT_PRESENT",
            "--display-name",
            "DISPLAY",
        ])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("Metric does not exist"));
    assert_eq!(mock.requests().len(), 1);
}

#[test]
fn post_is_never_replayed() {
    let (env, mock) = (TestEnv::new(), Mock::start());
    mock.mount(
        WMock::given(method("POST"))
            .and(path(METRICS))
            .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0")),
    );
    bigfix(&env, &mock)
        .args([
            "bigfix",
            "metrics",
            "create",
            "--code-name",
            "METRIC_POST",
            "--display-name",
            "DISPLAY",
        ])
        .assert()
        .code(7);
    assert_eq!(mock.requests().len(), 1);
}

#[test]
fn failing_requests_at_vvv_never_show_the_token() {
    let (env, mock) = (TestEnv::new(), Mock::start());
    // A server that echoes the token back in its error must not leak it either.
    mock.mount(WMock::given(method("GET")).and(path(METRICS)).respond_with(
        ResponseTemplate::new(500).set_body_string(format!("{{\"error\":\"bad token {TOKEN}\"}}")),
    ));
    let out = bigfix(&env, &mock)
        .args(["bigfix", "metrics", "list", "-vvv", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(all.contains("token=***"), "{all}");
    assert!(!all.contains(TOKEN), "{all}");
    assert!(out.stdout.is_empty());
}

#[test]
fn retries_carry_a_list_through_sandbox_chaos() {
    use licctl::sandbox::SandboxOptions;
    // Half of all requests fail (429 with Retry-After, 503, or a dropped connection), in a
    // fixed order from the seed; every page is still fetched once the retries are done.
    let env = TestEnv::new();
    let sb = crate::common::sandbox_with(SandboxOptions {
        chaos: 0.5,
        scale: 30,
        ..Default::default()
    });
    let out = env
        .cmd_for(&sb)
        .args([
            "bigfix",
            "metrics",
            "list",
            "-o",
            "jsonl",
            "--page-size",
            "15",
            "--retries",
            "6",
            "-v",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 45);
    let answered_by_chaos = sb.requests().iter().filter(|r| r.chaos.is_some()).count();
    assert!(
        answered_by_chaos > 0,
        "the seed should make chaos fail some requests"
    );
    assert!(stderr(&out).contains("retrying"), "{}", stderr(&out));
}

#[test]
fn tls_trust_comes_from_ca_cert_and_insecure_warns() {
    use licctl::sandbox::SandboxOptions;
    let env = TestEnv::new();
    let sb = crate::common::sandbox_with(SandboxOptions {
        tls: true,
        ..Default::default()
    });
    // The sandbox's exports include LICCTL_CA_CERT: trusted.
    env.cmd_for(&sb)
        .args(["bigfix", "metrics", "list", "--max-items", "1"])
        .assert()
        .success();
    // Without the CA: a TLS failure (exit 7) whose hint points at --ca-cert.
    env.cmd_for(&sb)
        .env_remove("LICCTL_CA_CERT")
        .args(["bigfix", "metrics", "list", "--retries", "0"])
        .assert()
        .code(7)
        .stderr(predicate::str::contains("--ca-cert"));
    assert!(
        sb.requests().len() == 1,
        "only the trusted run reached the server"
    );
    // --insecure gets through, and says so on stderr.
    env.cmd_for(&sb)
        .env_remove("LICCTL_CA_CERT")
        .args([
            "bigfix",
            "metrics",
            "list",
            "--max-items",
            "1",
            "--insecure",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("--insecure"));
    // The CA flag given explicitly works too; a file that is not a certificate is exit 2.
    let ca = sb.ca_cert_path().unwrap();
    env.cmd_for(&sb)
        .env_remove("LICCTL_CA_CERT")
        .arg("--ca-cert")
        .arg(&ca)
        .args(["bigfix", "metrics", "list", "--max-items", "1"])
        .assert()
        .success();
    let not_pem = env.path().join("not.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    env.cmd_for(&sb)
        .arg("--ca-cert")
        .arg(&not_pem)
        .args(["bigfix", "metrics", "list"])
        .assert()
        .code(2);
    env.cmd_for(&sb)
        .arg("--client-cert")
        .arg(&not_pem)
        .args(["bigfix", "metrics", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--client-key"));
}

#[cfg(unix)]
#[test]
fn secrets_from_a_command_and_a_warning_for_readable_literal_secrets() {
    use std::os::unix::fs::PermissionsExt;
    let (env, sb) = (TestEnv::new(), crate::common::sandbox());
    let token = sb.credentials().bigfix_token.clone();
    let path = env.write_config(&format!(
        "[profiles.default.bigfix-metrics]\nurl = \"{}\"\ntoken = {{ command = \"echo {token}\" }}\n",
        sb.base_url()
    ));
    env.cmd()
        .args(["bigfix", "metrics", "list", "--max-items", "1"])
        .assert()
        .success()
        .stderr("");
    // A literal secret in a file others can read: it works, with a warning.
    std::fs::write(
        &path,
        format!(
            "[profiles.default.bigfix-metrics]\nurl = \"{}\"\ntoken = \"{token}\"\n",
            sb.base_url()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    env.cmd()
        .args(["bigfix", "metrics", "list", "--max-items", "1"])
        .assert()
        .success()
        .stderr(predicate::str::contains("chmod 600").and(predicate::str::contains(&token).not()));
    // A failing command is a configuration error.
    std::fs::write(
        &path,
        format!(
            "[profiles.default.bigfix-metrics]\nurl = \"{}\"\ntoken = {{ command = \"exit 3\" }}\n",
            sb.base_url()
        ),
    )
    .unwrap();
    env.cmd()
        .args(["bigfix", "metrics", "list"])
        .assert()
        .code(3);
}

/// A one-connection HTTP/1.1 server answering with `chunks`, each sent after its pause.
fn paced_server(
    chunks: Vec<(std::time::Duration, String)>,
    content_type: &'static str,
) -> (String, std::thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if sock.read_exact(&mut byte).is_err() {
                return;
            }
            head.push(byte[0]);
        }
        let _ = write!(
            sock,
            "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        for (pause, data) in chunks {
            std::thread::sleep(pause);
            if write!(sock, "{:x}\r\n{data}\r\n", data.len())
                .and_then(|_| sock.flush())
                .is_err()
            {
                return;
            }
        }
        let _ = write!(sock, "0\r\n\r\n");
    });
    (url, handle)
}

#[test]
fn a_stream_may_outlast_the_timeout_while_data_keeps_coming() {
    // Four NDJSON lines 0.6 s apart: 2.4 s in all, never 1 s without data.
    let pace = std::time::Duration::from_millis(600);
    let lines = (1..=4)
        .map(|i| (pace, format!("{{\"contract\":{i},\"amount\":1}}\n")))
        .collect();
    let (url, server) = paced_server(lines, "application/x-ndjson");
    let out = TestEnv::new()
        .cmd()
        .env("LICCTL_OTC_URL", &url)
        .env("LICCTL_OTC_API_KEY", "k3y-for-the-test")
        .args([
            "otc",
            "--api-version",
            "v2",
            "consumption",
            "list",
            "-o",
            "jsonl",
            "--timeout",
            "1",
            "--retries",
            "0",
        ])
        .output()
        .unwrap();
    server.join().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 4);
}

#[test]
fn a_stalled_answer_times_out() {
    // Half an answer, then silence longer than --timeout: exit 7, without waiting it out.
    let chunks = vec![
        (
            std::time::Duration::ZERO,
            "{\"total\": 1, \"rows\": [".to_owned(),
        ),
        (std::time::Duration::from_secs(4), "]}".to_owned()),
    ];
    let (url, server) = paced_server(chunks, "application/json");
    let started = std::time::Instant::now();
    TestEnv::new()
        .cmd()
        .env("LICCTL_BIGFIX_URL", &url)
        .env("LICCTL_BIGFIX_TOKEN", TOKEN)
        .args([
            "bigfix",
            "metrics",
            "list",
            "--timeout",
            "1",
            "--retries",
            "0",
        ])
        .assert()
        .code(7)
        .stderr(predicate::str::contains("timed out"));
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
    server.join().unwrap();
}

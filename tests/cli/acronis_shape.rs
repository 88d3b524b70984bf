//! Acronis request shapes with wiremock: the token call's Basic header and form, the report
//! body field by field against the seed, `version` on delete, the update body, bounded
//! waiting, and downloads that break off. A catch-all answers 599 so that an unexpected
//! request fails loudly.

use std::io::{Read as _, Write as _};

use base64::Engine as _;
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock as WMock, ResponseTemplate};

use crate::common::{stderr, Mock, TestEnv};

const CLIENT_ID: &str = "7b3e51f0-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
const CLIENT_SECRET: &str = "s3cr3t-client-secret-0123456789ab";
const TENANT: &str = "ede9f834-70b3-476c-83d9-736f9f8c7dae";
const REPORT: &str = "20dffb36-d77b-45c6-b2fa-39276e98d5fc";
const ACCESS: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6ImMwMD-sandbox";

fn fixture(name: &str) -> serde_json::Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/acronis")
        .join(name);
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn server() -> Mock {
    let mock = Mock::start();
    mock.mount(
        WMock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(599))
            .with_priority(100),
    );
    let expires_on = chrono::Utc::now().timestamp() + 7200;
    mock.mount(
        WMock::given(method("POST")).and(path("/api/2/idp/token")).respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": ACCESS, "token_type": "bearer", "expires_in": 7200, "expires_on": expires_on, "id_token": "id.token.value"
            })),
        ),
    );
    mock
}

fn cmd(env: &TestEnv, mock: &Mock) -> assert_cmd::Command {
    let mut c = env.cmd();
    c.env("LICCTL_ACRONIS_URL", mock.uri())
        .env("LICCTL_ACRONIS_CLIENT_ID", CLIENT_ID)
        .env("LICCTL_ACRONIS_CLIENT_SECRET", CLIENT_SECRET)
        .env("LICCTL_ACRONIS_TENANT_ID", TENANT);
    c
}

#[test]
fn create_authenticates_with_basic_and_sends_the_seed_s_body() {
    let (env, mock) = (TestEnv::new(), server());
    mock.mount(
        WMock::given(method("POST"))
            .and(path("/api/2/reports"))
            .and(header("authorization", format!("Bearer {ACCESS}").as_str()))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(fixture("report_create_response.json")),
            ),
    );
    // The seed's report_data, flag by flag.
    let out = cmd(&env, &mock)
        .args([
            "acronis",
            "reports",
            "create",
            "--kind",
            "usage_summary",
            "--tenant",
            TENANT,
            "--level",
            "accounts",
            "--from",
            "2017-05-01",
            "--to",
            "2017-05-07",
            "--format",
            "csv,html",
            "--schedule",
            "once",
            "--generation-date",
            "2017-05-08",
            "--action",
            "send",
            "--recipient",
            "ca451758-b48a-45d9-9ae6-8f1059f67619",
            "--recipient",
            "ab00e527-219b-481b-b01b-311b5be0ed3c",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2);
    // The token exchange: HTTP Basic client_id:client_secret, form grant_type=client_credentials.
    let token = &reqs[0];
    assert_eq!(token.url.path(), "/api/2/idp/token");
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    assert_eq!(
        token
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap(),
        format!("Basic {basic}")
    );
    assert_eq!(
        token.headers.get("content-type").unwrap().to_str().unwrap(),
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        String::from_utf8_lossy(&token.body),
        "grant_type=client_credentials"
    );
    // The report: the seed's JSON, field by field and in the seed's order.
    let create = &reqs[1];
    assert_eq!(
        create
            .headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap(),
        "application/json"
    );
    let sent: serde_json::Value = serde_json::from_slice(&create.body).unwrap();
    let seed = fixture("report_create_request.json");
    for key in [
        "recipients",
        "parameters",
        "schedule",
        "generation_date",
        "result_action",
    ] {
        assert_eq!(sent[key], seed[key], "{key}");
    }
    for key in ["kind", "tenant_id", "level", "period", "formats"] {
        assert_eq!(
            sent["parameters"][key], seed["parameters"][key],
            "parameters.{key}"
        );
    }
    assert_eq!(sent, seed);
    let order = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(order(&sent), order(&seed));
    assert_eq!(order(&sent["parameters"]), order(&seed["parameters"]));
    // Printed as the server sent it.
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, fixture("report_create_response.json"));
    // Secrets stay out of stderr even at -vvv.
    let _ = &env;
}

#[test]
fn verbose_logs_never_show_the_secret_or_the_token() {
    let (env, mock) = (TestEnv::new(), server());
    mock.mount(
        WMock::given(method("GET"))
            .and(path(format!("/api/2/reports/{REPORT}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture("report.json"))),
    );
    let out = cmd(&env, &mock)
        .args(["-vvv", "acronis", "reports", "show", REPORT, "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("/api/2/idp/token"), "{err}");
    assert!(
        !err.contains(CLIENT_SECRET) && !err.contains(ACCESS),
        "{err}"
    );
}

#[test]
fn delete_sends_the_given_version_or_fetches_the_current_one() {
    let (env, mock) = (TestEnv::new(), server());
    mock.mount(
        WMock::given(method("DELETE"))
            .and(path(format!("/api/2/reports/{REPORT}")))
            .and(query_param("version", "7"))
            .respond_with(ResponseTemplate::new(204)),
    );
    mock.mount(
        WMock::given(method("DELETE"))
            .and(path(format!("/api/2/reports/{REPORT}")))
            .and(query_param("version", "2"))
            .respond_with(ResponseTemplate::new(204)),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path(format!("/api/2/reports/{REPORT}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture("report.json"))),
    );
    let out = cmd(&env, &mock)
        .args(["acronis", "reports", "delete", REPORT, "--version", "7"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let reqs: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.url.path() != "/api/2/idp/token")
        .collect();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].url.query(), Some("version=7"));
    assert!(reqs[0].body.is_empty());
    // Without --version: GET (the OpenAPI example is at version 2), then DELETE ?version=2.
    let out = cmd(&env, &mock)
        .args(["acronis", "reports", "delete", REPORT])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let reqs: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.url.path() != "/api/2/idp/token")
        .collect();
    let seen: Vec<(String, Option<String>)> = reqs
        .iter()
        .map(|r| (r.method.to_string(), r.url.query().map(str::to_owned)))
        .collect();
    assert_eq!(
        seen[1..],
        [
            ("GET".to_owned(), None),
            ("DELETE".to_owned(), Some("version=2".to_owned()))
        ]
    );
}

#[test]
fn update_sends_the_openapi_s_put_body() {
    let (env, mock) = (TestEnv::new(), server());
    mock.mount(
        WMock::given(method("PUT"))
            .and(path(format!("/api/2/reports/{REPORT}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture("report.json"))),
    );
    let out = cmd(&env, &mock)
        .args([
            "acronis",
            "reports",
            "update",
            REPORT,
            "--recipient",
            "ca451758-b48a-45d9-9ae6-8f1059f67619",
            "--kind",
            "usage_current",
            "--level",
            "direct_partners",
            "--hide-zero-usage",
            "--show-skus",
            "false",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let put = mock
        .requests()
        .into_iter()
        .find(|r| r.method.as_str() == "PUT")
        .unwrap();
    let sent: serde_json::Value = serde_json::from_slice(&put.body).unwrap();
    let mut expected = fixture("report_put.json");
    // The example also names a tenant_id, which the schema's parameters do not allow.
    expected["parameters"]
        .as_object_mut()
        .unwrap()
        .remove("tenant_id");
    assert_eq!(sent, expected);
}

#[test]
fn list_fetches_details_of_listed_ids() {
    let (env, mock) = (TestEnv::new(), server());
    mock.mount(
        WMock::given(method("GET"))
            .and(path(format!("/api/2/tenants/{TENANT}/reports")))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture("tenant_reports.json"))),
    );
    for id in [
        "aa4f8923-8950-4804-8827-c6d78388e5b6",
        "4eb7b320-48b4-4552-9bf8-f7482538da23",
    ] {
        let mut r = fixture("report.json");
        r["id"] = serde_json::json!(id);
        r["extra_field"] = serde_json::json!({"kept": true});
        mock.mount(
            WMock::given(method("GET"))
                .and(path(format!("/api/2/reports/{id}")))
                .respond_with(ResponseTemplate::new(200).set_body_json(r)),
        );
    }
    let out = cmd(&env, &mock)
        .args(["acronis", "reports", "list", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["id"], "aa4f8923-8950-4804-8827-c6d78388e5b6");
    assert_eq!(v[1]["id"], "4eb7b320-48b4-4552-9bf8-f7482538da23");
    assert_eq!(v[1]["extra_field"]["kept"], true);
}

#[test]
fn waiting_is_bounded_and_backs_off() {
    let (env, mock) = (TestEnv::new(), server());
    let mut report = fixture("report.json");
    report["result_action"] = serde_json::json!("save");
    report["recipients"] = serde_json::json!([]);
    mock.mount(
        WMock::given(method("POST"))
            .and(path("/api/2/reports"))
            .respond_with(ResponseTemplate::new(200).set_body_json(report)),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path(format!("/api/2/reports/{REPORT}/stored")))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"items": [
                {"id": "d6bc3e2e-2378-4099-bb33-6a2603aca94d", "report_format": "csv", "created_at": "2017-01-01T12:07:53", "status": "in_progress"}
            ]}))),
    );
    let started = std::time::Instant::now();
    let out = cmd(&env, &mock)
        .args([
            "acronis",
            "reports",
            "create",
            "--kind",
            "usage_summary",
            "--level",
            "accounts",
            "--month",
            "2017-05",
            "--wait",
            "--wait-timeout",
            "0.5",
            "--poll-interval",
            "0.05",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("still in progress"),
        "{}",
        stderr(&out)
    );
    // Pauses of 0.05, 0.1, 0.2 s fit in 0.5 s, the next (0.4 s) would not: four polls.
    let polls = mock
        .requests()
        .iter()
        .filter(|r| r.url.path().ends_with("/stored"))
        .count();
    assert_eq!(polls, 4);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn usage_history_not_ready_after_6_am_is_not_retried_and_hints() {
    let (env, mock) = (TestEnv::new(), server());
    mock.mount(
        WMock::given(method("POST"))
            .and(path("/api/2/reports"))
            .respond_with(ResponseTemplate::new(500).set_body_json(serde_json::json!({"error": {
                "code": 500, "domain": "PlatformAccountServer", "message": "Usage history is not ready but should be available already", "details": {"info": null}
            }}))),
    );
    let out = cmd(&env, &mock)
        .args([
            "acronis",
            "reports",
            "create",
            "--kind",
            "usage_summary",
            "--level",
            "accounts",
            "--month",
            "2017-05",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("error: creating the report: Usage history is not ready but should be available already (500)"), "{err}");
    assert!(err.contains("06:00"), "{err}");
    // POST /reports is not idempotent: never replayed.
    assert_eq!(
        mock.requests()
            .iter()
            .filter(|r| r.url.path() == "/api/2/reports")
            .count(),
        1
    );
}

#[test]
fn the_token_exchange_is_retried_but_report_creation_is_not() {
    let (env, mock) = (TestEnv::new(), Mock::start());
    mock.mount(
        WMock::given(method("POST"))
            .and(path("/api/2/idp/token"))
            .and(body_string("grant_type=client_credentials"))
            .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0"))
            .up_to_n_times(1)
            .with_priority(1),
    );
    mock.mount(
        WMock::given(method("POST")).and(path("/api/2/idp/token")).respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"access_token": ACCESS, "token_type": "bearer", "id_token": "x", "expires_in": 600})),
        ),
    );
    mock.mount(
        WMock::given(method("POST"))
            .and(path("/api/2/reports"))
            .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0")),
    );
    let out = cmd(&env, &mock)
        .args([
            "acronis",
            "reports",
            "create",
            "--kind",
            "usage_summary",
            "--level",
            "accounts",
            "--month",
            "2017-05",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    let paths: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        ["/api/2/idp/token", "/api/2/idp/token", "/api/2/reports"]
    );
}

/// A one-shot HTTP server that promises 1000 bytes and sends 7, then hangs up.
fn broken_download_server() -> (String, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf);
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 1000\r\n\r\npartial",
        );
        let _ = stream.flush();
    });
    (url, handle)
}

#[test]
fn a_download_that_breaks_off_leaves_no_file() {
    let env = TestEnv::new();
    let (url, handle) = broken_download_server();
    let dir = env.path().join("dl");
    std::fs::create_dir(&dir).unwrap();
    let target = dir.join("report.csv");
    std::fs::write(&target, "previous complete file").unwrap();
    let out = env
        .cmd()
        .env("LICCTL_ACRONIS_URL", &url)
        .env("LICCTL_ACRONIS_TOKEN", "static-token-for-the-test")
        .args([
            "--retries",
            "0",
            "acronis",
            "reports",
            "download",
            REPORT,
            "d6bc3e2e-2378-4099-bb33-6a2603aca94d",
            "--out",
            target.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    handle.join().unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert!(stderr(&out).contains("broke off"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "previous complete file"
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary file is left behind"
    );
}

#[test]
fn the_seed_and_openapi_examples_parse() {
    use licctl::vendors::acronis::model::{parse_report, parse_stored, StoredStatus};
    let r = parse_report(fixture("report_create_response.json")).unwrap();
    assert_eq!(r.id.as_deref(), Some(REPORT));
    assert_eq!(r.version, Some(1));
    let p = r.parameters.as_ref().unwrap();
    assert_eq!(p.kind.as_deref(), Some("usage_summary"));
    assert_eq!(
        p.period.as_ref().unwrap().end.as_deref(),
        Some("2017-05-07")
    );
    assert_eq!(r.schedule.as_ref().unwrap().enabled, Some(true));
    assert_eq!(r.raw(), &fixture("report_create_response.json"));
    let r = parse_report(fixture("report.json")).unwrap();
    assert_eq!(r.version, Some(2));
    let stored = parse_stored(fixture("stored_reports.json")).unwrap();
    assert_eq!(stored.len(), 3);
    assert!(stored
        .iter()
        .all(|s| s.state() == StoredStatus::Saved && s.size == Some(128)));
    let ids =
        licctl::vendors::acronis::model::items_of(fixture("tenant_reports.json"), "x").unwrap();
    assert_eq!(ids.len(), 2);
    let token = fixture("token.json");
    assert!(token["access_token"].is_string() && token["expires_on"].is_i64());
    for (name, expected) in [
        ("error_report_not_found.json", "Report not found (404)"),
        (
            "token_error.json",
            "invalid client credentials (access_denied)",
        ),
    ] {
        let body = serde_json::to_vec(&fixture(name)).unwrap();
        assert_eq!(
            licctl::http::message::extract(&body).as_deref(),
            Some(expected),
            "{name}"
        );
    }
    let body = serde_json::to_vec(&fixture("error_usage_history_not_ready.json")).unwrap();
    assert!(licctl::vendors::acronis::model::is_usage_history_not_ready(
        &licctl::http::message::extract(&body).unwrap()
    ));
    // The request fixtures are what NewReport / ReportChanges build (see their unit tests).
    assert_eq!(fixture("report_post.json")["result_action"], "send");
}

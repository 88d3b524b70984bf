//! `licctl bigfix-metrics` end to end against the sandbox: every command, every documented
//! failure, and the shared layers seen through a real vendor (paging, formats, --out).

use licctl::sandbox::SandboxOptions;
use predicates::prelude::*;

use crate::common::{json, sandbox, sandbox_with, stderr, stdout, TestEnv};

/// 15 predefined metrics (three from the seed) plus `scale` custom ones.
const PREDEFINED: usize = 15;

#[test]
fn list_returns_every_metric_with_every_field() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = env
        .cmd_for(&sb)
        .args(["bigfix", "metrics", "list", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let items = json(&out);
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), PREDEFINED + 100);
    let cu = items
        .iter()
        .find(|m| m["code_name"] == "CONCURRENT_USER")
        .unwrap();
    assert_eq!(
        cu,
        &serde_json::json!({"id": -32603, "code_name": "CONCURRENT_USER", "display_name": "Concurrent User", "source_type": 1, "source_id": 27})
    );
    // 115 metrics at the default page size of 100: two requests, the second asking for the rest.
    let reqs = sb.requests();
    assert_eq!(reqs.len(), 2);
    assert!(reqs[0].query.contains("limit=100") && reqs[0].query.contains("offset=0"));
    assert!(reqs[1].query.contains("limit=15") && reqs[1].query.contains("offset=100"));
}

#[test]
fn max_items_never_requests_pages_it_does_not_need() {
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            scale: 1000,
            ..Default::default()
        }),
    );
    let out = env
        .cmd_for(&sb)
        .args([
            "bigfix",
            "metrics",
            "list",
            "-o",
            "jsonl",
            "--page-size",
            "10",
            "--max-items",
            "25",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 25);
    // The pages after the first are fetched concurrently: compare them as a set.
    let mut pages: Vec<(u64, u64)> = sb
        .requests()
        .iter()
        .map(|r| {
            let n = |k: &str| r.query_param(k).unwrap().parse::<u64>().unwrap();
            (n("offset"), n("limit"))
        })
        .collect();
    pages.sort();
    assert_eq!(pages, vec![(0, 10), (10, 10), (20, 5)]);
}

#[test]
fn no_paginate_fetches_one_page() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = env
        .cmd_for(&sb)
        .args([
            "bigfix",
            "metrics",
            "list",
            "-o",
            "jsonl",
            "--page-size",
            "7",
            "--no-paginate",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stdout(&out).lines().count(), 7);
    assert_eq!(sb.request_count(), 1);
}

#[test]
fn concurrency_keeps_server_order() {
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            scale: 300,
            latency_ms: 2,
            ..Default::default()
        }),
    );
    let run = |conc: &str| {
        let out = env
            .cmd_for(&sb)
            .args([
                "bigfix",
                "metrics",
                "list",
                "-o",
                "csv",
                "--fields",
                "id",
                "--page-size",
                "9",
                "--concurrency",
                conc,
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let serial = run("1");
    assert_eq!(serial.lines().count(), 1 + PREDEFINED + 300);
    assert_eq!(run("8"), serial);
}

#[test]
fn tabular_formats_show_the_documented_columns() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let csv = env
        .cmd_for(&sb)
        .args(["bigfix", "metrics", "list", "-o", "csv", "--max-items", "2"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&csv),
        "id,code_name,display_name,source_type,source_id\n-32767,PROCESSOR_VALUE_UNIT,Processor Value Unit,0,1\n-32766,RESOURCE_VALUE_UNIT,Resource Value Unit,0,2\n"
    );
    let tsv = env
        .cmd_for(&sb)
        .args([
            "bigfix",
            "metrics",
            "list",
            "-o",
            "tsv",
            "--max-items",
            "1",
            "--no-headers",
            "--fields",
            "code_name,id",
        ])
        .output()
        .unwrap();
    assert_eq!(stdout(&tsv), "PROCESSOR_VALUE_UNIT\t-32767\n");
    let table = env
        .cmd_for(&sb)
        .args([
            "bigfix",
            "metrics",
            "list",
            "-o",
            "table",
            "--max-items",
            "3",
        ])
        .output()
        .unwrap();
    let t = stdout(&table);
    assert!(
        t.contains("code_name") && t.contains("AUTHORIZED_USER"),
        "{t}"
    );
    let xml = env
        .cmd_for(&sb)
        .args(["bigfix", "metrics", "list", "-o", "xml", "--max-items", "1"])
        .output()
        .unwrap();
    let x = stdout(&xml);
    assert!(x.starts_with("<?xml"), "{x}");
    assert!(
        x.contains("<code_name>PROCESSOR_VALUE_UNIT</code_name>"),
        "{x}"
    );
}

#[test]
fn create_update_delete_lifecycle() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = env
        .cmd_for(&sb)
        .args([
            "bigfix",
            "metrics",
            "create",
            "--code-name",
            "METRIC_POST",
            "--display-name",
            "DISPLAY",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let m = json(&out);
    assert_eq!(m["code_name"], "METRIC_POST");
    assert_eq!(m["display_name"], "DISPLAY");
    assert_eq!(m["source_type"], 2);
    assert!(m["id"].as_i64().unwrap() > 0);

    // The seed's second example: the same metric again.
    env.cmd_for(&sb)
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
        .code(6)
        .stdout("")
        .stderr(predicate::str::contains(
            "error: creating metric METRIC_POST: Metric already present (HTTP 400",
        ));

    let out = env
        .cmd_for(&sb)
        .args([
            "bigfix",
            "metrics",
            "update",
            "--code-name",
            "METRIC_POST",
            "--display-name",
            "Updated value",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["display_name"], "Updated value");

    env.cmd_for(&sb)
        .args(["bigfix", "metrics", "delete", "--code-name", "METRIC_POST"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("deleted metric METRIC_POST"));

    env.cmd_for(&sb)
        .args(["bigfix", "metrics", "delete", "--code-name", "METRIC_POST"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("Metric does not exist"));
}

#[test]
fn documented_refusals_map_to_exit_codes() {
    let (env, sb) = (TestEnv::new(), sandbox());
    env.cmd_for(&sb)
        .args([
            "bigfix",
            "metrics",
            "update",
            "--code-name",
            "VU_VALUE_UNIT",
            "--display-name",
            "Updatedvalue",
        ])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "VU_VALUE_UNIT metric update not allowed",
        ));
    env.cmd_for(&sb)
        .args([
            "bigfix",
            "metrics",
            "delete",
            "--code-name",
            "VU_VALUE_UNIT",
        ])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "VU_VALUE_UNIT metric delete not allowed",
        ));
    env.cmd_for(&sb)
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
}

#[test]
fn wrong_token_is_exit_4_with_a_hint() {
    let (env, sb) = (TestEnv::new(), sandbox());
    env.cmd_for(&sb)
        .env("LICCTL_BIGFIX_TOKEN", "not-the-right-token")
        .args(["bigfix", "metrics", "list"])
        .assert()
        .code(4)
        .stdout("")
        .stderr(predicate::str::contains("HTTP 401").and(predicate::str::contains("hint:")))
        .stderr(predicate::str::contains("not-the-right-token").not());
}

#[test]
fn token_can_travel_in_a_header() {
    let (env, sb) = (TestEnv::new(), sandbox());
    env.cmd_for(&sb)
        .args([
            "bigfix",
            "--token-location",
            "header",
            "metrics",
            "list",
            "--max-items",
            "1",
        ])
        .assert()
        .success();
    let r = &sb.requests()[0];
    assert!(!r.query.contains("token="), "{}", r.query);
    assert_eq!(
        r.header("token"),
        Some(sb.credentials().bigfix_token.as_str())
    );

    // The same from the environment.
    sb.clear_requests();
    env.cmd_for(&sb)
        .env("LICCTL_BIGFIX_TOKEN_LOCATION", "header")
        .args(["bigfix", "metrics", "list", "--max-items", "1"])
        .assert()
        .success();
    assert!(sb.requests()[0].header("token").is_some());
}

#[test]
fn bad_input_is_exit_2_and_sends_nothing() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let long = "A".repeat(255);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "create",
                "--code-name",
                "metric_post",
                "--display-name",
                "DISPLAY",
            ],
            "only upper-case letters",
        ),
        (
            vec![
                "create",
                "--code-name",
                "MY METRIC",
                "--display-name",
                "DISPLAY",
            ],
            "a space",
        ),
        (
            vec!["create", "--code-name", &long, "--display-name", "DISPLAY"],
            "at most 254",
        ),
        (
            vec![
                "update",
                "--code-name",
                "CONCURRENT_USER",
                "--display-name",
                &long,
            ],
            "at most 254",
        ),
        (
            vec!["create", "--code-name", "OK", "--display-name", ""],
            "must not be empty",
        ),
        (vec!["delete", "--code-name", "lower"], "upper-case"),
        (vec!["delete"], "--code-name"),
    ];
    for (args, expect) in cases {
        env.cmd_for(&sb)
            .args(["bigfix", "metrics"])
            .args(&args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(expect));
    }
    for flags in [
        &["--page-size", "0"][..],
        &["--concurrency", "0"],
        &["-o", "yaml"],
        &["--timeout", "-1"],
    ] {
        env.cmd_for(&sb)
            .args(["bigfix", "metrics", "list"])
            .args(flags)
            .assert()
            .code(2);
    }
    assert_eq!(sb.request_count(), 0);
}

#[test]
fn missing_configuration_is_exit_3() {
    let env = TestEnv::new();
    env.cmd()
        .args(["bigfix", "metrics", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("LICCTL_BIGFIX_URL"));
    env.cmd()
        .env("LICCTL_BIGFIX_URL", "http://127.0.0.1:9")
        .args(["bigfix", "metrics", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("LICCTL_BIGFIX_TOKEN"));
    env.cmd()
        .env("LICCTL_BIGFIX_URL", "not a url")
        .env("LICCTL_BIGFIX_TOKEN", "abcd")
        .args(["bigfix", "metrics", "list"])
        .assert()
        .code(3);
}

#[test]
fn unknown_path_is_exit_5() {
    let (env, sb) = (TestEnv::new(), sandbox());
    env.cmd_for(&sb)
        .env(
            "LICCTL_BIGFIX_URL",
            format!("{}/no/such/prefix", sb.base_url()),
        )
        .args(["bigfix", "metrics", "list"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("HTTP 404"));
}

#[test]
fn unreachable_server_is_exit_7() {
    let env = TestEnv::new();
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    env.cmd()
        .env("LICCTL_BIGFIX_URL", format!("http://127.0.0.1:{port}"))
        .env("LICCTL_BIGFIX_TOKEN", "abcdef")
        .args(["bigfix", "metrics", "list", "--retries", "0"])
        .assert()
        .code(7)
        .stderr(predicate::str::contains("cannot connect").and(predicate::str::contains("hint:")));
}

#[test]
fn out_file_is_complete_or_absent() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let target = env.path().join("metrics.csv");
    env.cmd_for(&sb)
        .args(["bigfix", "metrics", "list", "-o", "csv", "--out"])
        .arg(&target)
        .assert()
        .success()
        .stdout("");
    let text = std::fs::read_to_string(&target).unwrap();
    assert_eq!(text.lines().count(), 1 + PREDEFINED + 100);

    // A failing run leaves the previous file as it was and no temp file behind.
    env.cmd_for(&sb)
        .env("LICCTL_BIGFIX_TOKEN", "wrong-token-value")
        .args(["bigfix", "metrics", "list", "-o", "csv", "--out"])
        .arg(&target)
        .assert()
        .code(4);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), text);
    let leftovers: Vec<_> = std::fs::read_dir(env.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !["metrics.csv", "config", "cache"].contains(&n.as_str()))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn failure_with_json_output_leaves_stdout_empty() {
    let (env, sb) = (TestEnv::new(), sandbox());
    env.cmd_for(&sb)
        .env("LICCTL_BIGFIX_TOKEN", "wrong-token-value")
        .args(["bigfix", "metrics", "list", "-o", "json"])
        .assert()
        .code(4)
        .stdout("");
}

#[test]
fn broken_pipe_exits_zero_quietly() {
    use std::io::Read;
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            scale: 20_000,
            ..Default::default()
        }),
    );
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("licctl"));
    let probe = env.cmd_for(&sb);
    for (k, v) in probe.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let mut child = cmd
        .args([
            "bigfix",
            "metrics",
            "list",
            "-o",
            "jsonl",
            "--page-size",
            "1000",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take()); // like `| head -c 64`
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

#[test]
fn dry_run_prints_the_request_and_sends_nothing() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = env
        .cmd_for(&sb)
        .args([
            "bigfix",
            "metrics",
            "create",
            "--code-name",
            "X_1",
            "--display-name",
            "Y",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("POST http://127.0.0.1:"), "{text}");
    assert!(
        text.contains("/api/sam/v2/metrics?code_name=X_1&display_name=Y&token=***"),
        "{text}"
    );
    assert!(!text.contains(&sb.credentials().bigfix_token));
    assert_eq!(sb.request_count(), 0);
}

#[test]
fn no_secret_in_any_output_even_at_vvv() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let token = sb.credentials().bigfix_token.clone();
    for args in [
        &[
            "bigfix",
            "metrics",
            "create",
            "--code-name",
            "CONCURRENT_USER",
            "--display-name",
            "Concurrent User",
            "-vvv",
        ][..],
        &["bigfix", "metrics", "list", "--max-items", "2", "-vvv"],
        &[
            "bigfix",
            "--token-location",
            "header",
            "metrics",
            "delete",
            "--code-name",
            "VU_VALUE_UNIT",
            "-vvv",
        ],
    ] {
        let out = env.cmd_for(&sb).args(args).output().unwrap();
        let (o, e) = (stdout(&out), stderr(&out));
        assert!(
            e.contains("GET") || e.contains("POST") || e.contains("DELETE"),
            "-vvv logs requests: {e}"
        );
        assert!(
            !o.contains(&token) && !e.contains(&token),
            "token leaked:\n{o}\n{e}"
        );
    }
}

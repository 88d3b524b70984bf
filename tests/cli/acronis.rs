//! `licctl acronis-reports` end to end against the sandbox: every command, the token cache
//! and its refresh, `--wait` on saved and failed files, downloads, and bad input (exit 2,
//! nothing sent).

use licctl::sandbox::{BackgroundSandbox, RecordedRequest, SandboxOptions};

use crate::common::{json, sandbox, sandbox_with, stderr, TestEnv};

const TOKEN_PATH: &str = "/api/2/idp/token";

fn token_requests(reqs: &[RecordedRequest]) -> usize {
    reqs.iter().filter(|r| r.path == TOKEN_PATH).count()
}

/// `(method, path)` of every request but the token exchanges.
fn calls(sb: &BackgroundSandbox) -> Vec<(String, String)> {
    sb.requests()
        .into_iter()
        .filter(|r| r.path != TOKEN_PATH)
        .map(|r| (r.method, r.path))
        .collect()
}

/// Runs licctl against the sandbox and returns the output.
fn run(env: &TestEnv, sb: &BackgroundSandbox, args: &[&str]) -> std::process::Output {
    env.cmd_for(sb).args(args).output().unwrap()
}

fn ok(env: &TestEnv, sb: &BackgroundSandbox, args: &[&str]) -> serde_json::Value {
    let out = run(env, sb, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    json(&out)
}

/// The ids of the four seeded reports, in the sandbox's order: monthly summary, daily,
/// sent current, breakdown with a failed html file.
fn seeded(env: &TestEnv, sb: &BackgroundSandbox) -> Vec<String> {
    let v = ok(
        env,
        sb,
        &["acronis", "reports", "list", "--ids-only", "-o", "json"],
    );
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn list_fetches_every_report_s_details() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let v = ok(
        &env,
        &sb,
        &["acronis-reports", "reports", "list", "-o", "json"],
    );
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 4);
    let kinds: Vec<&str> = items
        .iter()
        .map(|r| r["parameters"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "usage_summary",
            "usage_daily",
            "usage_current",
            "usage_breakdown"
        ]
    );
    assert_eq!(
        items[0]["schedule"],
        serde_json::json!({"type": "monthly", "enabled": true})
    );
    assert_eq!(items[0]["version"], 3);
    let tenant = &sb.credentials().acronis_tenant_id;
    let c = calls(&sb);
    assert_eq!(
        c[0],
        ("GET".to_owned(), format!("/api/2/tenants/{tenant}/reports"))
    );
    assert_eq!(c.len(), 5);
    assert!(c[1..]
        .iter()
        .all(|(m, p)| m == "GET" && p.starts_with("/api/2/reports/")));
    assert_eq!(token_requests(&sb.requests()), 1);
}

#[test]
fn list_max_items_fetches_only_the_details_it_shows_in_order_at_any_concurrency() {
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            latency_ms: 3,
            ..Default::default()
        }),
    );
    let v = ok(
        &env,
        &sb,
        &[
            "acronis",
            "reports",
            "list",
            "--max-items",
            "2",
            "-o",
            "json",
        ],
    );
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(calls(&sb).len(), 3);
    let serial = ok(
        &env,
        &sb,
        &[
            "acronis",
            "reports",
            "list",
            "--concurrency",
            "1",
            "-o",
            "json",
        ],
    );
    let wide = ok(
        &env,
        &sb,
        &[
            "acronis",
            "reports",
            "list",
            "--concurrency",
            "8",
            "-o",
            "json",
        ],
    );
    assert_eq!(serial, wide);
    let csv = run(
        &env,
        &sb,
        &[
            "acronis",
            "reports",
            "list",
            "-o",
            "csv",
            "--fields",
            "parameters.kind,schedule.type",
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&csv.stdout),
        "parameters.kind,schedule.type\nusage_summary,monthly\nusage_daily,once\nusage_current,once\nusage_breakdown,once\n"
    );
}

#[test]
fn the_token_is_cached_privately_and_reused_by_the_next_command() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let ids = seeded(&env, &sb);
    assert_eq!(token_requests(&sb.requests()), 1);
    sb.clear_requests();
    ok(
        &env,
        &sb,
        &["acronis", "reports", "show", &ids[0], "-o", "json"],
    );
    let reqs = sb.requests();
    assert_eq!(
        token_requests(&reqs),
        0,
        "the second command must not ask for a token"
    );
    assert!(reqs[0]
        .header("authorization")
        .unwrap()
        .starts_with("Bearer "));
    let dir = env.path().join("cache/licctl/tokens");
    let entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&entries[0]).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // The cache never holds the client secret.
    let text = std::fs::read_to_string(&entries[0]).unwrap();
    assert!(!text.contains(&sb.credentials().acronis_client_secret));
}

#[test]
fn an_expired_token_is_replaced_before_use() {
    // Tokens that live 20 s are inside licctl's 30 s safety margin, so never fresh enough to
    // reuse from the cache: every command asks anew. (They still outlive the test, so no
    // request meets a 401 however slow the machine is.)
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            token_ttl_secs: 20,
            ..Default::default()
        }),
    );
    let ids = seeded(&env, &sb);
    ok(
        &env,
        &sb,
        &["acronis", "reports", "show", &ids[1], "-o", "json"],
    );
    let reqs = sb.requests();
    assert_eq!(token_requests(&reqs), 2);
    // No request ever met a 401.
    assert_eq!(reqs.len(), 2 + 1 + 1);
}

#[test]
fn a_refused_token_is_refreshed_once_and_the_request_replayed() {
    let (env, sb) = (TestEnv::new(), sandbox());
    // A cached token the client believes fresh but the server never issued (revoked,
    // expired early, or from a restarted server).
    let url = url::Url::parse(&sb.base_url()).unwrap();
    let cache = licctl::auth::TokenCache::new(
        env.path().join("cache/licctl"),
        "acronis-reports",
        "default",
        url.as_str(),
    );
    let far = chrono::Utc::now().timestamp() + 3600;
    cache
        .store(&licctl::auth::CachedToken {
            access_token: "revoked-token-0123456789".into(),
            refresh_token: None,
            expires_at: far,
        })
        .unwrap();
    let ids = {
        let v = ok(
            &env,
            &sb,
            &["acronis", "reports", "list", "--ids-only", "-o", "json"],
        );
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids.len(), 4);
    let reqs = sb.requests();
    let seen: Vec<(&str, &str)> = reqs
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    let list = format!(
        "/api/2/tenants/{}/reports",
        sb.credentials().acronis_tenant_id
    );
    assert_eq!(
        seen,
        [
            ("GET", list.as_str()),
            ("POST", TOKEN_PATH),
            ("GET", list.as_str())
        ]
    );
    assert_eq!(
        reqs[0].header("authorization"),
        Some("Bearer revoked-token-0123456789")
    );
    assert_ne!(
        reqs[2].header("authorization"),
        reqs[0].header("authorization")
    );
    // The new token replaced the refused one in the cache.
    assert_ne!(
        cache.load().unwrap().access_token,
        "revoked-token-0123456789"
    );
}

#[test]
fn a_wrong_client_secret_is_exit_4_without_leaking_it() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = env
        .cmd_for(&sb)
        .env("LICCTL_ACRONIS_CLIENT_SECRET", "wrong-secret-value-1234")
        .args(["acronis", "reports", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("obtaining an access token"), "{err}");
    assert!(err.contains("HTTP 401"), "{err}");
    assert!(!err.contains("wrong-secret-value-1234"), "{err}");
    assert!(out.stdout.is_empty());
    assert_eq!(sb.request_count(), 1);
}

#[test]
fn a_ready_token_skips_the_exchange() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = env
        .cmd_for(&sb)
        .env("LICCTL_ACRONIS_TOKEN", "ready-made-bearer-token")
        .args(["acronis", "reports", "list"])
        .output()
        .unwrap();
    // The sandbox never issued it: 401, and a static token is not refreshed.
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let reqs = sb.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        reqs[0].header("authorization"),
        Some("Bearer ready-made-bearer-token")
    );
    assert!(!stderr(&out).contains("ready-made-bearer-token"));
}

#[test]
fn create_sends_every_flag_and_prints_the_report() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let tenant = sb.credentials().acronis_tenant_id.clone();
    let v = ok(
        &env,
        &sb,
        &[
            "acronis",
            "reports",
            "create",
            "--kind",
            "usage_daily",
            "--level",
            "direct_partners",
            "--from",
            "2026-09-01",
            "--to",
            "2026-09-07",
            "--format",
            "csv,json_v1",
            "--hide-zero-usage",
            "--show-skus=false",
            "--generation-date",
            "2026-09-08",
            "-o",
            "json",
        ],
    );
    assert_eq!(v["version"], 1);
    assert_eq!(v["parameters"]["kind"], "usage_daily");
    assert_eq!(v["parameters"]["tenant_id"], tenant.as_str());
    assert_eq!(
        v["parameters"]["formats"],
        serde_json::json!(["csv", "json_v1"])
    );
    assert_eq!(v["parameters"]["hide_zero_usage"], true);
    assert_eq!(v["generation_date"], "2026-09-08");
    let post = sb
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/2/reports")
        .unwrap();
    assert_eq!(post.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_str(&post.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "recipients": [],
            "parameters": {"kind": "usage_daily", "tenant_id": tenant, "level": "direct_partners",
                "period": {"start": "2026-09-01", "end": "2026-09-07"}, "formats": ["csv", "json_v1"],
                "hide_zero_usage": true, "show_skus": false},
            "schedule": {"type": "once"},
            "generation_date": "2026-09-08",
            "result_action": "save"
        })
    );
    // Sent reports: recipients, send, monthly; --tenant overrides the configured tenant.
    let v = ok(
        &env,
        &sb,
        &[
            "acronis",
            "reports",
            "create",
            "--kind",
            "usage_current",
            "--level",
            "itself",
            "--schedule",
            "monthly",
            "--action",
            "send",
            "--recipient",
            "CA451758-B48A-45D9-9AE6-8F1059F67619",
            "--tenant",
            &tenant,
            "-o",
            "json",
        ],
    );
    assert_eq!(
        v["recipients"],
        serde_json::json!(["ca451758-b48a-45d9-9ae6-8f1059f67619"])
    );
    assert_eq!(v["schedule"]["type"], "monthly");
    assert_eq!(v["result_action"], "send");
}

#[test]
fn a_month_is_created_waited_for_and_downloaded_in_one_command() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let dir = env.path().join("reports");
    std::fs::create_dir(&dir).unwrap();
    let v = ok(
        &env,
        &sb,
        &[
            "acronis",
            "reports",
            "create",
            "--kind",
            "usage_summary",
            "--level",
            "accounts",
            "--month",
            "2026-09",
            "--format",
            "json_v2_0,csv_v2_0",
            "--show-skus",
            "--download",
            dir.to_str().unwrap(),
            "--poll-interval",
            "0.01",
            "-o",
            "json",
        ],
    );
    assert_eq!(
        v["parameters"]["period"],
        serde_json::json!({"start": "2026-09-01", "end": "2026-09-30"})
    );
    let stored = v["stored"].as_array().unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|s| s["status"] == "saved"));
    let json_path = stored
        .iter()
        .find(|s| s["report_format"] == "json_v2_0")
        .unwrap()["path"]
        .as_str()
        .unwrap();
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(json_path).unwrap()).unwrap();
    let tenants = doc["tenants"].as_array().unwrap();
    assert!(!tenants.is_empty());
    assert!(tenants
        .iter()
        .all(|t| t["sku"].is_string() && t["tenant_uuid"].is_string()));
    let csv_path = stored
        .iter()
        .find(|s| s["report_format"] == "csv_v2_0")
        .unwrap()["path"]
        .as_str()
        .unwrap();
    let csv = std::fs::read_to_string(csv_path).unwrap();
    assert_eq!(csv.lines().count(), tenants.len() + 1);
    assert_eq!(
        stored[0]["size"].as_u64().unwrap(),
        std::fs::metadata(json_path).unwrap().len()
    );
    // Only the two files, no temporary leftovers.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
    // The sandbox saves on the third poll: three polls, then one download per file.
    let id = v["id"].as_str().unwrap();
    let c = calls(&sb);
    let polls = c
        .iter()
        .filter(|(_, p)| *p == format!("/api/2/reports/{id}/stored"))
        .count();
    assert_eq!(polls, 3, "{c:?}");
    assert_eq!(
        c.iter()
            .filter(|(_, p)| p.starts_with(&format!("/api/2/reports/{id}/stored/")))
            .count(),
        2
    );
}

#[test]
fn waiting_on_a_failed_file_is_exit_7() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = run(
        &env,
        &sb,
        &[
            "acronis",
            "reports",
            "create",
            "--kind",
            "usage_breakdown",
            "--level",
            "accounts",
            "--month",
            "2026-09",
            "--format",
            "csv,html",
            "--wait",
            "--poll-interval",
            "0.01",
            "-o",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(err.contains("failed") && err.contains("(html)"), "{err}");
    assert!(err.contains("hint: "), "{err}");
}

#[test]
fn a_period_ending_today_carries_the_06_00_hint() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let today = chrono::Utc::now().date_naive().to_string();
    let out = run(
        &env,
        &sb,
        &[
            "acronis",
            "reports",
            "create",
            "--kind",
            "usage_summary",
            "--level",
            "accounts",
            "--from",
            "2026-09-01",
            "--to",
            &today,
        ],
    );
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("Usage history is not ready"), "{err}");
    assert!(err.contains("hint: ") && err.contains("06:00"), "{err}");
}

#[test]
fn show_update_delete_lifecycle() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let ids = seeded(&env, &sb);
    let shown = ok(
        &env,
        &sb,
        &["acronis", "reports", "show", &ids[0], "-o", "json"],
    );
    assert_eq!(shown["id"], ids[0].as_str());
    let v = ok(
        &env,
        &sb,
        &[
            "acronis",
            "reports",
            "update",
            &ids[0],
            "--enabled",
            "false",
            "--kind",
            "usage_current",
            "--level",
            "all_customers",
            "-o",
            "json",
        ],
    );
    assert_eq!(v["version"], 4);
    assert_eq!(v["schedule"]["enabled"], false);
    assert_eq!(v["parameters"]["kind"], "usage_current");
    let put = sb
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&put.body).unwrap(),
        serde_json::json!({"parameters": {"kind": "usage_current", "level": "all_customers"}, "schedule": {"enabled": false}})
    );
    // One-time reports cannot be updated.
    let out = run(
        &env,
        &sb,
        &[
            "acronis",
            "reports",
            "update",
            &ids[1],
            "--enabled",
            "false",
        ],
    );
    assert_eq!(out.status.code(), Some(6));
    assert!(
        stderr(&out).contains("Only scheduled reports can be updated"),
        "{}",
        stderr(&out)
    );
    // A stale version is refused (409), the current one (fetched) deletes it.
    let out = run(
        &env,
        &sb,
        &["acronis", "reports", "delete", &ids[0], "--version", "3"],
    );
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    sb.clear_requests();
    let out = run(&env, &sb, &["acronis", "reports", "delete", &ids[0]]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("deleted report") && stderr(&out).contains("version 4"));
    let del = sb
        .requests()
        .into_iter()
        .find(|r| r.method == "DELETE")
        .unwrap();
    assert_eq!(del.query_param("version").as_deref(), Some("4"));
    let out = run(&env, &sb, &["acronis", "reports", "show", &ids[0]]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("Report not found"),
        "{}",
        stderr(&out)
    );
    assert_eq!(seeded(&env, &sb).len(), 3);
}

#[test]
fn stored_lists_status_and_download_fetches_by_id_or_latest() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let ids = seeded(&env, &sb);
    let v = ok(
        &env,
        &sb,
        &["acronis", "reports", "stored", &ids[3], "-o", "json"],
    );
    let statuses: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["saved", "failed"]);
    let monthly = ok(
        &env,
        &sb,
        &["acronis", "reports", "stored", &ids[0], "-o", "json"],
    );
    let first_csv = monthly[0]["id"].as_str().unwrap();
    let target = env.path().join("aug.csv");
    let out = run(
        &env,
        &sb,
        &[
            "acronis",
            "reports",
            "download",
            &ids[0],
            first_csv,
            "--out",
            target.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(
        text.starts_with("Tenant,Edition,Usage,SKU,Date,Value,Unit\n"),
        "{text}"
    );
    assert!(text.contains(",2026-08-31,"), "{text}");
    assert_eq!(text.len() as u64, monthly[0]["size"].as_u64().unwrap());
    // --latest --format picks September's json_v2_0 file.
    let latest = env.path().join("latest.json");
    let out = run(
        &env,
        &sb,
        &[
            "acronis",
            "reports",
            "download",
            &ids[0],
            "--latest",
            "--format",
            "json_v2_0",
            "--out",
            latest.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&latest).unwrap()).unwrap();
    let sept_end = chrono::NaiveDate::from_ymd_opt(2026, 9, 30)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    assert_eq!(doc["params"]["end_date"], sept_end);
    // Same content every time.
    let again = env.path().join("again.json");
    run(
        &env,
        &sb,
        &[
            "acronis",
            "reports",
            "download",
            &ids[0],
            "--latest",
            "--format",
            "json_v2_0",
            "--out",
            again.to_str().unwrap(),
        ],
    );
    assert_eq!(
        std::fs::read(&latest).unwrap(),
        std::fs::read(&again).unwrap()
    );
    // No saved file: not found.
    let out = run(
        &env,
        &sb,
        &[
            "acronis",
            "reports",
            "download",
            &ids[2],
            "--latest",
            "--out",
            latest.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
}

#[test]
fn a_failed_download_leaves_the_target_untouched() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let ids = seeded(&env, &sb);
    let stored = ok(
        &env,
        &sb,
        &["acronis", "reports", "stored", &ids[3], "-o", "json"],
    );
    let failed = stored[1]["id"].as_str().unwrap();
    let dir = env.path().join("out");
    std::fs::create_dir(&dir).unwrap();
    let target = dir.join("report.html");
    std::fs::write(&target, "old content").unwrap();
    let out = run(
        &env,
        &sb,
        &[
            "acronis",
            "reports",
            "download",
            &ids[3],
            failed,
            "--out",
            target.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("generation failed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old content");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary file is left behind"
    );
}

#[test]
fn dry_run_sends_nothing_not_even_the_token_exchange() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = run(
        &env,
        &sb,
        &[
            "--dry-run",
            "acronis",
            "reports",
            "create",
            "--kind",
            "usage_summary",
            "--level",
            "accounts",
            "--month",
            "2026-09",
            "--wait",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("POST ") && text.contains("/api/2/reports"),
        "{text}"
    );
    assert!(text.contains("\"kind\": \"usage_summary\""), "{text}");
    assert!(!text.contains(&sb.credentials().acronis_client_secret));
    assert_eq!(sb.request_count(), 0);
}

#[test]
fn bad_input_is_exit_2_and_sends_nothing() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let id = "20dffb36-d77b-45c6-b2fa-39276e98d5fc";
    let create = [
        "acronis",
        "reports",
        "create",
        "--kind",
        "usage_summary",
        "--level",
        "accounts",
        "--month",
        "2026-09",
    ];
    let with = |extra: &[&str]| {
        create
            .iter()
            .chain(extra)
            .map(|s| (*s).to_owned())
            .collect::<Vec<String>>()
    };
    let v = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<String>>();
    let cases: Vec<Vec<String>> = vec![
        v(&[
            "acronis",
            "reports",
            "create",
            "--kind",
            "usage_weekly",
            "--level",
            "accounts",
        ]),
        v(&[
            "acronis",
            "reports",
            "create",
            "--kind",
            "usage_summary",
            "--level",
            "everyone",
        ]),
        v(&["acronis", "reports", "create", "--kind", "usage_summary"]),
        v(&[
            "acronis",
            "reports",
            "create",
            "--kind",
            "usage_summary",
            "--level",
            "accounts",
            "--from",
            "2026-09-01",
        ]),
        v(&[
            "acronis",
            "reports",
            "create",
            "--kind",
            "usage_summary",
            "--level",
            "accounts",
            "--from",
            "2026-09-31",
            "--to",
            "2026-10-01",
        ]),
        v(&[
            "acronis",
            "reports",
            "create",
            "--kind",
            "usage_summary",
            "--level",
            "accounts",
            "--from",
            "2026-09-02",
            "--to",
            "2026-09-01",
        ]),
        with(&["--from", "2026-09-01", "--to", "2026-09-30"]),
        v(&[
            "acronis",
            "reports",
            "create",
            "--kind",
            "usage_summary",
            "--level",
            "accounts",
            "--month",
            "2026-13",
        ]),
        with(&["--format", "pdf"]),
        with(&["--action", "send"]),
        with(&["--recipient", "ca451758-b48a-45d9-9ae6-8f1059f67619"]),
        with(&["--action", "send", "--recipient", "not-a-uuid"]),
        with(&["--tenant", "tenant-1"]),
        with(&["--generation-date", "08.05.2017"]),
        with(&["--schedule", "monthly", "--wait"]),
        with(&["--download", "/nonexistent/dir"]),
        with(&["--hide-zero-usage=maybe"]),
        v(&["acronis", "reports", "show", "12345"]),
        v(&["acronis", "reports", "update", id]),
        v(&["acronis", "reports", "update", id, "--enabled", "no-way"]),
        v(&[
            "acronis",
            "reports",
            "update",
            id,
            "--recipient",
            "x",
            "--clear-recipients",
        ]),
        v(&["acronis", "reports", "delete", id, "--version", "one"]),
        v(&["acronis", "reports", "stored", "not-a-uuid"]),
        v(&[
            "acronis",
            "reports",
            "download",
            id,
            "d6bc3e2e-2378-4099-bb33-6a2603aca94d",
        ]),
        v(&["acronis", "reports", "download", id, "--out", "x.csv"]),
        v(&[
            "acronis",
            "reports",
            "download",
            id,
            "d6bc3e2e-2378-4099-bb33-6a2603aca94d",
            "--latest",
            "--out",
            "x.csv",
        ]),
        v(&[
            "acronis",
            "reports",
            "download",
            id,
            "d6bc3e2e-2378-4099-bb33-6a2603aca94d",
            "--format",
            "csv",
            "--out",
            "x.csv",
        ]),
        v(&[
            "acronis",
            "reports",
            "download",
            id,
            "--latest",
            "--out",
            "/nonexistent/dir/x.csv",
        ]),
    ];
    for args in &cases {
        let out = env.cmd_for(&sb).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert_eq!(sb.request_count(), 0);
}

#[test]
fn missing_configuration_is_exit_3_before_any_request() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = env
        .cmd_for(&sb)
        .env_remove("LICCTL_ACRONIS_CLIENT_SECRET")
        .args([
            "acronis",
            "reports",
            "show",
            "20dffb36-d77b-45c6-b2fa-39276e98d5fc",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("client_secret"), "{}", stderr(&out));
    let out = env
        .cmd_for(&sb)
        .env_remove("LICCTL_ACRONIS_TENANT_ID")
        .args(["acronis", "reports", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("--tenant"), "{}", stderr(&out));
    assert_eq!(sb.request_count(), 0);
}

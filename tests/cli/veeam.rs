//! `licctl veeam-vspc` end to end against the sandbox: every command and view, the token
//! flow (cache, refresh before expiry and on 401, fallback to the password grant, API key),
//! documented failures and their exit codes, and bad input that sends nothing.

use licctl::sandbox::{BackgroundSandbox, RecordedRequest, SandboxOptions};
use licctl::usage::Month;
use predicates::prelude::*;
use serde_json::Value;

use crate::common::{json, sandbox, sandbox_with, stderr, stdout, TestEnv};

/// Reports per month in the sandbox: the provider's and two resellers'.
const OWNERS: usize = 3;
/// Months `licensing reports list` covers in the sandbox.
const LISTED_MONTHS: usize = 24;

fn last_month() -> Month {
    Month::previous(chrono::Utc::now().date_naive())
}

fn run(env: &TestEnv, sb: &BackgroundSandbox, args: &[&str]) -> std::process::Output {
    let out = env.cmd_for(sb).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    out
}

fn token_requests(sb: &BackgroundSandbox) -> Vec<RecordedRequest> {
    sb.requests()
        .into_iter()
        .filter(|r| r.path == "/api/v3/token")
        .collect()
}

fn form(r: &RecordedRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(r.body.as_bytes())
        .into_owned()
        .collect()
}

fn grant(r: &RecordedRequest) -> String {
    form(r)
        .into_iter()
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// The token cache file of the test's home.
fn cache_file(env: &TestEnv) -> std::path::PathBuf {
    let dir = env.path().join("cache").join("licctl").join("tokens");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("veeam-vspc-")
        })
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.remove(0)
}

fn csv_lines(out: &std::process::Output) -> Vec<String> {
    stdout(out).lines().map(str::to_owned).collect()
}

#[test]
fn list_returns_every_report_whole_and_signs_in_once() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = run(
        &env,
        &sb,
        &["veeam", "licensing", "reports", "list", "-o", "json"],
    );
    let reports = json(&out);
    let reports = reports.as_array().unwrap();
    assert_eq!(reports.len(), LISTED_MONTHS * OWNERS);
    let first = &reports[0];
    // The seed's spelling, the null and the impossible date are passed through untouched.
    assert!(first.get("reportParemeters").is_some(), "{first}");
    assert_eq!(first["notCollectedCloudServers"], Value::Null);
    assert!(first["reportParemeters"]["reportInterval"]["endOfInterval"]
        .as_str()
        .unwrap()
        .contains("-31T"));
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "reportParemeters",
            "reportSummary",
            "organizationsUsage",
            "notCollectedCloudServers",
            "usageDetails",
            "appendices"
        ]
    );

    let reqs = sb.requests();
    assert_eq!(reqs.len(), 2, "{reqs:#?}");
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("POST", "/api/v3/token")
    );
    assert_eq!(
        reqs[0].header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let creds = sb.credentials();
    assert_eq!(
        form(&reqs[0]),
        vec![
            ("grant_type".to_owned(), "password".to_owned()),
            ("username".to_owned(), creds.veeam_username.clone()),
            ("password".to_owned(), creds.veeam_password.clone()),
        ]
    );
    assert_eq!(reqs[1].path, "/api/v3/licensing/reports");
    assert_eq!(reqs[1].query, "limit=100&offset=0");
    assert!(reqs[1]
        .header("authorization")
        .unwrap()
        .starts_with("Bearer vspc-at-"));
}

#[test]
fn list_pages_by_limit_and_offset_in_order() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let all = run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "reports",
            "list",
            "-o",
            "csv",
            "--view",
            "reports",
        ],
    );
    sb.clear_requests();
    let paged = run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "reports",
            "list",
            "-o",
            "csv",
            "--view",
            "reports",
            "--page-size",
            "10",
            "--concurrency",
            "3",
        ],
    );
    assert_eq!(stdout(&paged), stdout(&all));
    let queries: Vec<(String, String)> = sb
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v3/licensing/reports")
        .map(|r| {
            (
                r.query_param("offset").unwrap(),
                r.query_param("limit").unwrap(),
            )
        })
        .collect();
    let total = LISTED_MONTHS * OWNERS;
    let want: Vec<(String, String)> = (0..total)
        .step_by(10)
        .map(|o| (o.to_string(), (total - o).min(10).to_string()))
        .collect();
    let mut got = queries.clone();
    got.sort_by_key(|(o, _)| o.parse::<usize>().unwrap());
    assert_eq!(got, want);

    // --max-items never asks for a page it does not need.
    sb.clear_requests();
    let out = run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "reports",
            "list",
            "-o",
            "jsonl",
            "--page-size",
            "4",
            "--max-items",
            "6",
        ],
    );
    assert_eq!(stdout(&out).lines().count(), 6);
    let gets: Vec<String> = sb
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.query.clone())
        .collect();
    assert_eq!(gets, ["limit=4&offset=0", "limit=2&offset=4"]);
}

#[test]
fn every_view_as_csv_has_its_columns_and_rows() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let whole = json(&run(
        &env,
        &sb,
        &["veeam", "licensing", "reports", "latest", "-o", "json"],
    ));
    let reports = whole.as_array().unwrap();
    assert_eq!(reports.len(), OWNERS);
    // latest spells the parameters as the OpenAPI does.
    assert!(reports.iter().all(|r| r.get("reportParameters").is_some()));
    let count = |f: &dyn Fn(&Value) -> usize| reports.iter().map(f).sum::<usize>();
    let arr = |v: &Value| v.as_array().map_or(0, Vec::len);
    let cases: Vec<(&str, &str, usize)> = vec![
        ("reports", "reportId,organizationName,organizationUid,startOfInterval,endOfInterval,generationDate,status,totalPoints", OWNERS),
        ("products", "reportId,reportOrganization,productType,licenseEdition,totalPoints", count(&|r| arr(&r["reportSummary"]["productsUsage"]))),
        (
            "workloads",
            "reportId,reportOrganization,productType,licenseEdition,workloadType,initialCount,reportedCount,newCount,weight,usedPoints",
            count(&|r| r["reportSummary"]["productsUsage"].as_array().unwrap().iter().map(|p| arr(&p["workloadUsage"])).sum()),
        ),
        (
            "organizations",
            "reportId,reportOrganization,organizationType,organizationName,organizationUid,tenantUid,usedPoints",
            count(&|r| arr(&r["organizationsUsage"])),
        ),
        (
            "details",
            "reportId,reportOrganization,organizationName,organizationUid,tenantUid,supportId,licenseId,productType,licenseEdition,workloadType,initialCount,reportedCount,newCount,weight,usedPoints",
            count(&|r| {
                r["usageDetails"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|d| d["usageByLicenseAndProduct"].as_array().unwrap().iter())
                    .map(|p| arr(&p["workloadUsage"]))
                    .sum()
            }),
        ),
    ];
    for (view, header, rows) in cases {
        let out = run(
            &env,
            &sb,
            &[
                "veeam",
                "licensing",
                "reports",
                "latest",
                "--view",
                view,
                "-o",
                "csv",
            ],
        );
        let lines = csv_lines(&out);
        assert_eq!(lines[0], header, "{view}");
        assert_eq!(lines.len() - 1, rows, "{view}");
        assert!(rows > 0, "{view}");
        // The same rows as json: one object per row with the view's keys.
        let as_json = json(&run(
            &env,
            &sb,
            &[
                "veeam",
                "licensing",
                "reports",
                "latest",
                "--view",
                view,
                "-o",
                "json",
            ],
        ));
        assert_eq!(as_json.as_array().unwrap().len(), rows, "{view}");
    }
    // Tables without --view show the reports view; the points add up.
    let table = stdout(&run(
        &env,
        &sb,
        &["veeam", "licensing", "reports", "latest", "-o", "table"],
    ));
    assert!(
        table.contains("totalPoints") && table.contains("NotFinalized"),
        "{table}"
    );
    let total: f64 = reports
        .iter()
        .map(|r| r["reportSummary"]["totalPoints"].as_f64().unwrap())
        .sum();
    let details = json(&run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "reports",
            "latest",
            "--view",
            "details",
            "-o",
            "json",
        ],
    ));
    let sum: f64 = details
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["usedPoints"].as_f64().unwrap())
        .sum();
    assert_eq!(sum, total);
}

#[test]
fn last_months_workloads_per_organization_in_one_command() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let month = last_month().to_string();
    let out = run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "reports",
            "list",
            "--month",
            &month,
            "--view",
            "details",
            "-o",
            "csv",
        ],
    );
    let lines = csv_lines(&out);
    assert!(
        lines[0].starts_with("reportId,reportOrganization,organizationName,"),
        "{}",
        lines[0]
    );
    let latest = run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "reports",
            "latest",
            "--view",
            "details",
            "-o",
            "csv",
        ],
    );
    assert_eq!(stdout(&out), stdout(&latest));
    let ids: std::collections::BTreeSet<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let prefix = month.replace('-', "");
    assert_eq!(ids.len(), OWNERS);
    assert!(ids.iter().all(|id| id.starts_with(&prefix)), "{ids:?}");
}

#[test]
fn show_by_generation_date_is_stable() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "reports",
            "show",
            "--date",
            "2025-03-01",
            "--view",
            "reports",
            "-o",
            "csv",
        ],
    );
    insta::assert_snapshot!("veeam_show_2025_03_01_reports", stdout(&out));
    let out = run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "reports",
            "show",
            "--date",
            "2025-03-01",
            "--view",
            "products",
            "-o",
            "csv",
        ],
    );
    insta::assert_snapshot!("veeam_show_2025_03_01_products", stdout(&out));
    assert_eq!(
        sb.requests().last().unwrap().path,
        "/api/v3/licensing/reports/2025-03-01"
    );
    // A day that generated nothing: an empty list, not an error.
    let out = run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "reports",
            "show",
            "--date",
            "2025-03-02",
            "-o",
            "json",
        ],
    );
    assert_eq!(json(&out), serde_json::json!([]));
}

#[test]
fn csv_download_is_written_atomically_byte_for_byte() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let id = format!("{}02", last_month().month_id());
    let to_stdout = run(&env, &sb, &["veeam", "licensing", "reports", "csv", &id]);
    assert!(stdout(&to_stdout).starts_with("\"Organization\",\"Organization UID\""));
    assert!(stdout(&to_stdout).contains("\r\n"));
    let file = env.path().join("report.csv");
    let out = run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "reports",
            "csv",
            &id,
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read(&file).unwrap(), to_stdout.stdout);
    let reqs = sb.requests();
    assert_eq!(
        reqs.last().unwrap().path,
        format!("/api/v3/licensing/reports/{id}/csv")
    );

    // An unknown report: Veeam's errors[] message and exit 5; the file is left alone.
    env.cmd_for(&sb)
        .args([
            "veeam",
            "licensing",
            "reports",
            "csv",
            "99",
            "--out",
            file.to_str().unwrap(),
        ])
        .assert()
        .code(5)
        .stderr(predicate::str::contains(
            "License usage report with ID 99 was not found (HTTP 404",
        ));
    assert_eq!(std::fs::read(&file).unwrap(), to_stdout.stdout);
}

#[test]
fn finalize_prints_the_approval_status() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = run(
        &env,
        &sb,
        &["veeam", "licensing", "reports", "finalize", "-o", "json"],
    );
    assert_eq!(
        json(&out),
        serde_json::json!({"reportApprovalStatus": "Finalized", "message": "Report finalized"})
    );
    let post = sb
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/v3/licensing/reports/finalization")
        .unwrap();
    assert_eq!(post.method, "POST");
    let latest = json(&run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "reports",
            "latest",
            "--view",
            "reports",
            "-o",
            "json",
        ],
    ));
    assert!(
        latest
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "Finalized"),
        "{latest}"
    );
    let again = run(
        &env,
        &sb,
        &["veeam", "licensing", "reports", "finalize", "-o", "csv"],
    );
    assert_eq!(
        stdout(&again),
        "reportApprovalStatus,message\nFinalized,Report is already finalized\n"
    );
}

#[test]
fn settings_show_and_change_with_json_patch() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = run(
        &env,
        &sb,
        &["veeam", "licensing", "reports", "settings", "-o", "json"],
    );
    assert_eq!(
        json(&out),
        serde_json::json!({"autoApprove": false, "autoApproveDay": 5})
    );
    let out = run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "reports",
            "settings",
            "--auto-approve",
            "true",
            "--set",
            "autoApproveDay=12",
            "-o",
            "json",
        ],
    );
    assert_eq!(
        json(&out),
        serde_json::json!({"autoApprove": true, "autoApproveDay": 12})
    );
    let patch = sb
        .requests()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .unwrap();
    assert_eq!(patch.path, "/api/v3/licensing/reports/settings");
    assert_eq!(patch.header("content-type"), Some("application/json"));
    let body: Value = serde_json::from_str(&patch.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!([
            {"op": "replace", "path": "/autoApprove", "value": true},
            {"op": "replace", "path": "/autoApproveDay", "value": 12}
        ])
    );
    // Auto-approval finalizes last month's reports.
    let latest = json(&run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "reports",
            "latest",
            "--view",
            "reports",
            "-o",
            "json",
        ],
    ));
    assert!(latest
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "Finalized"));
    // A field the server does not know: its errors[] message, exit 6.
    env.cmd_for(&sb)
        .args(["veeam", "licensing", "reports", "settings", "--set", "noSuchField=1"])
        .assert()
        .code(6)
        .stdout("")
        .stderr(predicate::str::contains("error: changing the report settings: The property '/noSuchField' does not exist (HTTP 400"));
}

#[test]
fn usage_organizations_with_filters() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let all = json(&run(
        &env,
        &sb,
        &["veeam", "licensing", "usage", "organizations", "-o", "json"],
    ));
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 10 + 2, "ten companies and two resellers");
    assert!(all
        .iter()
        .all(|o| o["usage"].is_array() && o["usedPoints"].is_number()));
    assert!(sb
        .requests()
        .last()
        .unwrap()
        .query_param("filter")
        .is_none());

    let resellers = run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "usage",
            "organizations",
            "--organization-type",
            "reseller",
            "-o",
            "csv",
        ],
    );
    let lines = csv_lines(&resellers);
    assert_eq!(
        lines[0],
        "organizationUid,organizationName,organizationType,tenantUid,usedPoints"
    );
    assert_eq!(lines.len(), 3);
    assert!(lines[1..].iter().all(|l| l.contains(",reseller,")));
    let filter: Value =
        serde_json::from_str(&sb.requests().last().unwrap().query_param("filter").unwrap())
            .unwrap();
    assert_eq!(
        filter,
        serde_json::json!([{"property": "organizationType", "operation": "equals", "collation": "ignorecase", "value": "reseller"}])
    );

    let uid = all[3]["organizationUid"].as_str().unwrap();
    let one = json(&run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "usage",
            "organizations",
            "--organization-uid",
            uid,
            "-o",
            "json",
        ],
    ));
    assert_eq!(one.as_array().unwrap(), &vec![all[3].clone()]);

    let raw = r#"{"property":"usedPoints","operation":"greaterThan","value":400}"#;
    let big = json(&run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "usage",
            "organizations",
            "--filter",
            raw,
            "--organization-type",
            "company",
            "-o",
            "json",
        ],
    ));
    let want: Vec<&Value> = all
        .iter()
        .filter(|o| o["organizationType"] == "company" && o["usedPoints"].as_f64().unwrap() > 400.0)
        .collect();
    assert_eq!(big.as_array().unwrap().iter().collect::<Vec<_>>(), want);

    // A filter the server refuses: its message, exit 6.
    env.cmd_for(&sb)
        .args([
            "veeam",
            "licensing",
            "usage",
            "organizations",
            "--filter",
            r#"{"property":"x","operation":"between","value":1}"#,
        ])
        .assert()
        .code(6)
        .stderr(predicate::str::contains(
            "The filter operation 'between' is not supported",
        ));
}

#[test]
fn a_cached_token_makes_no_token_request() {
    let (env, sb) = (TestEnv::new(), sandbox());
    run(
        &env,
        &sb,
        &["veeam", "licensing", "reports", "latest", "-o", "json"],
    );
    assert_eq!(token_requests(&sb).len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(cache_file(&env))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    let cached = std::fs::read_to_string(cache_file(&env)).unwrap();
    assert!(!cached.contains(&sb.credentials().veeam_password));
    sb.clear_requests();
    run(
        &env,
        &sb,
        &["veeam", "licensing", "reports", "settings", "-o", "json"],
    );
    let reqs = sb.requests();
    assert_eq!(reqs.len(), 1, "{reqs:#?}");
    assert_eq!(reqs[0].path, "/api/v3/licensing/reports/settings");

    // Another profile does not share the token.
    sb.clear_requests();
    env.write_config("[profiles.other.veeam-vspc]\n");
    run(
        &env,
        &sb,
        &[
            "--profile",
            "other",
            "veeam",
            "licensing",
            "reports",
            "settings",
            "-o",
            "json",
        ],
    );
    assert_eq!(token_requests(&sb).len(), 1);
}

#[test]
fn a_token_about_to_expire_is_refreshed_first() {
    // Tokens living 30 s are within the 60 s refresh margin: the next command refreshes.
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            token_ttl_secs: 30,
            ..Default::default()
        }),
    );
    run(
        &env,
        &sb,
        &["veeam", "licensing", "reports", "latest", "-o", "json"],
    );
    let first: Value =
        serde_json::from_str(&std::fs::read_to_string(cache_file(&env)).unwrap()).unwrap();
    sb.clear_requests();
    run(
        &env,
        &sb,
        &["veeam", "licensing", "reports", "latest", "-o", "json"],
    );
    let reqs = sb.requests();
    assert_eq!(reqs.len(), 2, "{reqs:#?}");
    assert_eq!(reqs[0].path, "/api/v3/token");
    assert_eq!(
        form(&reqs[0]),
        vec![
            ("grant_type".to_owned(), "refresh_token".to_owned()),
            (
                "refresh_token".to_owned(),
                first["refresh_token"].as_str().unwrap().to_owned()
            ),
        ]
    );
    let second: Value =
        serde_json::from_str(&std::fs::read_to_string(cache_file(&env)).unwrap()).unwrap();
    assert_ne!(first["access_token"], second["access_token"]);
    assert_eq!(
        reqs[1].header("authorization").unwrap(),
        format!("Bearer {}", second["access_token"].as_str().unwrap())
    );
}

#[test]
fn a_refused_token_is_refreshed_once_and_the_request_replayed() {
    let (env, sb) = (TestEnv::new(), sandbox());
    run(
        &env,
        &sb,
        &["veeam", "licensing", "reports", "latest", "-o", "json"],
    );
    // The server forgets the access token (revoked, or the server restarted).
    let path = cache_file(&env);
    let mut cached: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    cached["access_token"] = "vspc-at-revoked".into();
    std::fs::write(&path, cached.to_string()).unwrap();
    sb.clear_requests();
    let out = run(
        &env,
        &sb,
        &["veeam", "licensing", "reports", "latest", "-o", "json"],
    );
    assert_eq!(json(&out).as_array().unwrap().len(), OWNERS);
    let reqs = sb.requests();
    let steps: Vec<(&str, &str)> = reqs
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("GET", "/api/v3/licensing/reports/latest"),
            ("POST", "/api/v3/token"),
            ("GET", "/api/v3/licensing/reports/latest")
        ]
    );
    assert_eq!(
        reqs[0].header("authorization"),
        Some("Bearer vspc-at-revoked")
    );
    assert_eq!(grant(&reqs[1]), "refresh_token");
}

#[test]
fn a_refused_refresh_falls_back_to_the_password_grant() {
    let (env, sb) = (TestEnv::new(), sandbox());
    run(
        &env,
        &sb,
        &["veeam", "licensing", "reports", "latest", "-o", "json"],
    );
    let path = cache_file(&env);
    let mut cached: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    cached["access_token"] = "vspc-at-revoked".into();
    cached["refresh_token"] = "vspc-rt-revoked".into();
    std::fs::write(&path, cached.to_string()).unwrap();
    sb.clear_requests();
    run(
        &env,
        &sb,
        &["veeam", "licensing", "reports", "latest", "-o", "json"],
    );
    let grants: Vec<String> = token_requests(&sb).iter().map(grant).collect();
    assert_eq!(grants, ["refresh_token", "password"]);
    assert_eq!(sb.requests().len(), 4);
    let fresh: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(fresh["access_token"]
        .as_str()
        .unwrap()
        .starts_with("vspc-at-"));
    assert_ne!(fresh["refresh_token"], "vspc-rt-revoked");
}

#[test]
fn wrong_password_is_exit_4_and_never_shown() {
    let (env, sb) = (TestEnv::new(), sandbox());
    env.cmd_for(&sb)
        .env("LICCTL_VEEAM_PASSWORD", "not-the-password-123")
        .args(["veeam", "licensing", "reports", "latest"])
        .assert()
        .code(4)
        .stdout("")
        .stderr(predicate::str::contains(
            "signing in to veeam-vspc as svc-licctl: Invalid user name or password (HTTP 401",
        ))
        .stderr(predicate::str::contains("hint:"))
        .stderr(predicate::str::contains("not-the-password-123").not());
    assert_eq!(sb.request_count(), 1);
}

#[test]
fn an_api_key_is_a_static_bearer() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let key = sb.credentials().veeam_api_key.clone();
    env.cmd_for(&sb)
        .env_remove("LICCTL_VEEAM_USERNAME")
        .env_remove("LICCTL_VEEAM_PASSWORD")
        .env("LICCTL_VEEAM_API_KEY", &key)
        .args(["veeam", "licensing", "reports", "latest", "-o", "json"])
        .assert()
        .success();
    let reqs = sb.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        reqs[0].header("authorization"),
        Some(format!("Bearer {key}").as_str())
    );
    env.cmd_for(&sb)
        .env("LICCTL_VEEAM_API_KEY", "wrong-key-456")
        .args(["veeam", "licensing", "reports", "latest"])
        .assert()
        .code(4)
        .stderr(
            predicate::str::contains("The access token is not valid")
                .and(predicate::str::contains("wrong-key-456").not()),
        );
}

#[test]
fn dry_run_sends_nothing_not_even_the_sign_in() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = env
        .cmd_for(&sb)
        .args([
            "--dry-run",
            "veeam",
            "licensing",
            "reports",
            "settings",
            "--auto-approve",
            "false",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("PATCH http://127.0.0.1:"), "{text}");
    assert!(
        text.contains("/api/v3/licensing/reports/settings"),
        "{text}"
    );
    assert!(text.contains("authorization: Bearer ***"), "{text}");
    assert!(text.contains(r#""path": "/autoApprove""#), "{text}");
    assert_eq!(sb.request_count(), 0);
}

#[test]
fn bad_input_is_exit_2_and_sends_nothing() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let cases: &[&[&str]] = &[
        &[
            "veeam",
            "licensing",
            "reports",
            "show",
            "--date",
            "2026-02-30",
        ],
        &[
            "veeam",
            "licensing",
            "reports",
            "show",
            "--date",
            "2026-2-1",
        ],
        &["veeam", "licensing", "reports", "show"],
        &[
            "veeam",
            "licensing",
            "reports",
            "list",
            "--month",
            "2026-13",
        ],
        &[
            "veeam",
            "licensing",
            "reports",
            "list",
            "--view",
            "everything",
        ],
        &["veeam", "licensing", "reports", "csv", "abc"],
        &["veeam", "licensing", "reports", "csv", "-5"],
        &[
            "veeam",
            "licensing",
            "reports",
            "csv",
            "7",
            "--out",
            "/no/such/dir/r.csv",
        ],
        &[
            "veeam",
            "licensing",
            "reports",
            "settings",
            "--auto-approve",
            "maybe",
        ],
        &[
            "veeam",
            "licensing",
            "reports",
            "settings",
            "--set",
            "novalue",
        ],
        &[
            "veeam",
            "licensing",
            "usage",
            "organizations",
            "--organization-uid",
            "not-a-uid",
        ],
        &[
            "veeam",
            "licensing",
            "usage",
            "organizations",
            "--organization-type",
            "partner",
        ],
        &[
            "veeam",
            "licensing",
            "usage",
            "organizations",
            "--filter",
            "{broken",
        ],
        &["veeam", "licensing", "reports", "list", "--page-size", "0"],
        &["veeam", "licensing", "frobnicate"],
    ];
    for args in cases {
        env.cmd_for(&sb).args(*args).assert().code(2).stdout("");
    }
    assert_eq!(sb.request_count(), 0);
}

#[test]
fn missing_configuration_is_exit_3() {
    let env = TestEnv::new();
    env.cmd()
        .args(["veeam", "licensing", "reports", "latest"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("veeam-vspc url"));
    env.cmd()
        .env("LICCTL_VEEAM_URL", "https://vspc.example.com:1280")
        .args(["veeam", "licensing", "reports", "latest"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("veeam-vspc username")
                .and(predicate::str::contains("LICCTL_VEEAM_API_KEY")),
        );
}

#[test]
fn chaos_answers_in_veeam_format_and_licctl_rides_it_out() {
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            chaos: 0.4,
            ..Default::default()
        }),
    );
    let out = run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "reports",
            "list",
            "-o",
            "csv",
            "--view",
            "reports",
            "--page-size",
            "8",
        ],
    );
    assert_eq!(csv_lines(&out).len(), 1 + LISTED_MONTHS * OWNERS);
    let failed = sb.requests().iter().filter(|r| r.chaos.is_some()).count();
    assert!(
        failed > 0,
        "chaos at 0.4 should have hit at least one of ten requests"
    );
}

#[test]
fn a_520_after_retries_is_exit_7_with_the_vendor_message() {
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            chaos: 1.0,
            ..Default::default()
        }),
    );
    // Chaos answers 429, 520, dropped connection in turn: with one retry the 429 is waited
    // out (retryAfter 1 s, from the body) and the 520 ends it.
    env.cmd_for(&sb)
        .args(["--retries", "1", "veeam", "licensing", "reports", "latest"])
        .assert()
        .code(7)
        .stdout("")
        .stderr(predicate::str::contains("Service temporarily unavailable (licctl sandbox chaos) (HTTP 520 Unknown Error from POST /api/v3/token after 2 attempts)"));
    assert_eq!(sb.request_count(), 2);
}

#[test]
fn tls_with_the_sandbox_ca() {
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            tls: true,
            ..Default::default()
        }),
    );
    run(
        &env,
        &sb,
        &[
            "veeam",
            "licensing",
            "reports",
            "latest",
            "--view",
            "reports",
            "-o",
            "csv",
        ],
    );
    env.cmd_for(&sb)
        .env_remove("LICCTL_CA_CERT")
        .args(["veeam", "licensing", "reports", "latest"])
        .assert()
        .code(7)
        .stderr(predicate::str::contains("--ca-cert"));
}

#[test]
fn a_refused_connection_without_a_port_hints_at_1280() {
    let env = TestEnv::new();
    env.cmd()
        .env("LICCTL_VEEAM_URL", "http://127.0.0.1")
        .env("LICCTL_VEEAM_API_KEY", "k")
        .args(["--retries", "0", "veeam", "licensing", "reports", "latest"])
        .assert()
        .code(7)
        .stderr(predicate::str::contains("port 1280"));
}

#[tokio::test]
async fn sandbox_chaos_speaks_veeam_on_api_v3_and_stays_the_same_elsewhere() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sb = licctl::sandbox::start(SandboxOptions {
        chaos: 1.0,
        ..Default::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("{}/api/v3/licensing/reports", sb.base_url());
    // Rotation: 429, then 520 (Veeam's 503), then a dropped connection.
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(
        r.headers().get("retry-after").is_none(),
        "Veeam says when in the body"
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["type"], "retryableLogical");
    assert_eq!(body["errors"][0]["retryAfter"], 1);
    assert_eq!(body["errors"][0]["code"], 429);
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 520);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["type"], "retryableLogical");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("chaos"));
    assert!(http.get(&url).send().await.is_err());
    // Other vendors keep the shared format: 429 with a Retry-After header, {"error": ...}.
    let r = http
        .get(format!("{}/api/sam/v2/metrics", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers().get("retry-after").unwrap(), "1");
    let body: Value = r.json().await.unwrap();
    assert!(body["error"].is_string(), "{body}");
    sb.shutdown().await;
}

#[tokio::test]
async fn sandbox_tokens_expire_and_refresh_tokens_rotate() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sb = licctl::sandbox::start(SandboxOptions {
        token_ttl_secs: 1,
        ..Default::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let base = format!("{}/api/v3", sb.base_url());
    let creds = sb.credentials().clone();
    let grant = |form: Vec<(&'static str, String)>| {
        let (http, url) = (http.clone(), format!("{base}/token"));
        async move { http.post(url).form(&form).send().await.unwrap() }
    };
    let r = grant(vec![
        ("grant_type", "password".into()),
        ("username", creds.veeam_username.clone()),
        ("password", creds.veeam_password.clone()),
    ])
    .await;
    assert_eq!(r.status().as_u16(), 200);
    let t: Value = r.json().await.unwrap();
    let keys: Vec<&str> = t.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["access_token", "token_type", "refresh_token", "expires_in"]
    );
    assert_eq!(t["expires_in"], 1);
    let settings = format!("{base}/licensing/reports/settings");
    let ok = http
        .get(&settings)
        .bearer_auth(t["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    // Without a token: 401 in Veeam's format.
    let denied = http.get(&settings).send().await.unwrap();
    assert_eq!(denied.status().as_u16(), 401);
    let body: Value = denied.json().await.unwrap();
    assert_eq!(body["errors"][0]["type"], "security");
    // The refresh token works once.
    let refresh = vec![
        ("grant_type", "refresh_token".to_owned()),
        (
            "refresh_token",
            t["refresh_token"].as_str().unwrap().to_owned(),
        ),
    ];
    assert_eq!(grant(refresh.clone()).await.status().as_u16(), 200);
    assert_eq!(grant(refresh).await.status().as_u16(), 401);
    let wrong = grant(vec![
        ("grant_type", "password".into()),
        ("username", creds.veeam_username.clone()),
        ("password", "nope".into()),
    ])
    .await;
    assert_eq!(wrong.status().as_u16(), 401);
    // After its lifetime the access token is refused. Waiting is the point here, not a sync.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let expired = http
        .get(&settings)
        .bearer_auth(t["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status().as_u16(), 401);
    let body: Value = expired.json().await.unwrap();
    assert_eq!(body["errors"][0]["message"], "The access token has expired");
    sb.shutdown().await;
}

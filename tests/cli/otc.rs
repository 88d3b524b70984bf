//! `licctl otc-dashboard` end to end against the sandbox: every command (v1, v2, Grafana),
//! paging, filters, summaries, csv export, documented failures, and the monthly usage mapping
//! through the library.

use std::collections::BTreeMap;

use chrono::Datelike;
use licctl::sandbox::SandboxOptions;
use predicates::prelude::*;
use serde_json::Value;

use crate::common::{json, sandbox, sandbox_with, stderr, stdout, TestEnv};

/// The month before the current one: the sandbox's data covers the 12 months before the month
/// it started in, so this one always has records.
fn last_month() -> (i32, u32) {
    let today = chrono::Utc::now().date_naive();
    let first = today.with_day(1).unwrap();
    let prev = first.pred_opt().unwrap();
    (prev.year(), prev.month())
}

fn last_month_str() -> String {
    let (y, m) = last_month();
    format!("{y:04}-{m:02}")
}

/// reqwest is built without a default TLS provider: install ring once (as main does).
fn tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn run_ok(cmd: &mut assert_cmd::Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status.code(),
        stderr(&out)
    );
    out
}

fn items(out: &std::process::Output) -> Vec<Value> {
    json(out)
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("not a list: {}", stdout(out)))
}

fn f(v: &Value, key: &str) -> f64 {
    match v.get(key) {
        Some(Value::Number(n)) => n.as_f64().unwrap(),
        Some(Value::String(s)) => s.split_whitespace().next().unwrap().parse().unwrap(),
        _ => 0.0,
    }
}

#[test]
fn list_pages_through_every_record_with_the_bearer_key() {
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            scale: 250,
            ..Default::default()
        }),
    );
    let out = run_ok(
        env.cmd_for(&sb)
            .args(["otc", "consumption", "list", "-o", "json"]),
    );
    let all = items(&out);
    assert_eq!(all.len(), 250);
    // Every field the server sent, in its order.
    let keys: Vec<&String> = all[0].as_object().unwrap().keys().collect();
    assert_eq!(keys[0], "kind");
    assert!(keys.iter().any(|k| *k == "consumption_type_description"));
    let reqs = sb.requests();
    assert_eq!(reqs.len(), 3);
    let bearer = format!("Bearer {}", sb.credentials().otc_api_key);
    for r in &reqs {
        assert_eq!(r.path, "/v1/consumption");
        assert_eq!(r.header("authorization"), Some(bearer.as_str()));
    }
    // Pages after the first are in flight together: they may arrive in any order.
    let mut pages: Vec<(u64, u64)> = reqs
        .iter()
        .map(|r| {
            (
                r.query_param("offset").unwrap().parse().unwrap(),
                r.query_param("limit").unwrap().parse().unwrap(),
            )
        })
        .collect();
    pages.sort();
    let expected: Vec<(u64, u64)> = vec![(0, 100), (100, 100), (200, 50)];
    assert_eq!(pages, expected);
    // Records come in date order (the server's order), pages concatenated in order.
    let dates: Vec<&str> = all
        .iter()
        .map(|r| r["consumption_date"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn paging_across_1000_pages_and_max_items_request_counting() {
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            scale: 1000,
            ..Default::default()
        }),
    );
    let fields = ["--fields", "resource_id,consumption_date,amount"];
    let one = run_ok(
        env.cmd_for(&sb)
            .args([
                "otc",
                "consumption",
                "list",
                "-o",
                "csv",
                "--page-size",
                "1",
                "--concurrency",
                "8",
            ])
            .args(fields),
    );
    assert_eq!(sb.request_count(), 1000);
    assert_eq!(stdout(&one).lines().count(), 1001);
    sb.clear_requests();
    let hundred = run_ok(
        env.cmd_for(&sb)
            .args(["otc", "consumption", "list", "-o", "csv"])
            .args(fields),
    );
    assert_eq!(sb.request_count(), 10);
    assert_eq!(
        stdout(&one),
        stdout(&hundred),
        "1,000 pages of 1 equal 10 pages of 100, in order"
    );

    sb.clear_requests();
    let out = run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "list",
        "-o",
        "jsonl",
        "--page-size",
        "1",
        "--max-items",
        "250",
    ]));
    assert_eq!(stdout(&out).lines().count(), 250);
    assert_eq!(
        sb.request_count(),
        250,
        "pages beyond --max-items are never requested"
    );
    sb.clear_requests();
    let out = run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "list",
        "-o",
        "jsonl",
        "--max-items",
        "150",
    ]));
    assert_eq!(stdout(&out).lines().count(), 150);
    let limits: Vec<String> = sb
        .requests()
        .iter()
        .map(|r| r.query_param("limit").unwrap())
        .collect();
    assert_eq!(limits, ["100", "50"]);
}

#[test]
fn v1_filters_are_applied_by_the_server() {
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            scale: 2000,
            ..Default::default()
        }),
    );
    let all = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "list",
        "-o",
        "json",
    ])));
    let count = |pred: &dyn Fn(&Value) -> bool| all.iter().filter(|r| pred(r)).count();

    let contract = all[0]["contract"].as_u64().unwrap().to_string();
    let got = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "list",
        "-o",
        "json",
        "--contract",
        &contract,
    ])));
    assert!(!got.is_empty());
    assert_eq!(
        got.len(),
        count(
            &|r| r["contract"].as_u64().map(|c| c.to_string()).as_deref()
                == Some(contract.as_str())
        )
    );

    let date = all[100]["consumption_date"].as_str().unwrap()[..10].to_owned();
    let got = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "list",
        "-o",
        "json",
        "--date",
        &date,
    ])));
    assert_eq!(
        got.len(),
        count(&|r| r["consumption_date"].as_str().unwrap().starts_with(&date))
    );

    let got = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "list",
        "-o",
        "json",
        "--project-name",
        "eu-nl",
    ])));
    assert_eq!(got.len(), count(&|r| r["project_name"] == "eu-nl"));

    let resource = all[7]["resource_id"].as_str().unwrap().to_owned();
    let got = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "list",
        "-o",
        "json",
        "--resource-id",
        &resource,
    ])));
    assert_eq!(got.len(), count(&|r| r["resource_id"] == resource.as_str()));

    let desc = all[3]["product_description"].as_str().unwrap().to_owned();
    let got = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "list",
        "-o",
        "json",
        "--product-description",
        &desc,
    ])));
    assert_eq!(
        got.len(),
        count(&|r| r["product_description"] == desc.as_str())
    );

    // product ids are the server's numbering: one product code per id.
    let got = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "list",
        "-o",
        "json",
        "--product",
        "9",
    ])));
    let codes: std::collections::BTreeSet<&str> =
        got.iter().map(|r| r["product"].as_str().unwrap()).collect();
    assert!(codes.len() <= 1, "{codes:?}");
    assert_eq!(
        got.len(),
        count(&|r| codes.contains(r["product"].as_str().unwrap()))
    );

    // tagged true + tagged false partition the data; tag filters narrow it.
    let tagged = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "list",
        "-o",
        "json",
        "--tagged",
        "true",
    ])))
    .len();
    let untagged = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "list",
        "-o",
        "json",
        "--tagged",
        "false",
    ])))
    .len();
    assert_eq!(tagged + untagged, all.len());
    assert!(tagged > 0 && untagged > 0);
    sb.clear_requests();
    let env_prod = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "list",
        "-o",
        "json",
        "--tag-key",
        "env",
        "--tag-value",
        "prod",
    ])))
    .len();
    assert!(env_prod > 0 && env_prod < tagged);
    let q = sb.requests()[0].query_pairs();
    assert!(
        q.contains(&("tag_key".into(), "env".into()))
            && q.contains(&("tag_value".into(), "prod".into())),
        "{q:?}"
    );
}

#[test]
fn day_week_month_and_reserved() {
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            scale: 3000,
            ..Default::default()
        }),
    );
    let month = last_month_str();
    let m = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "month",
        "--month",
        &month,
        "-o",
        "json",
    ])));
    assert!(!m.is_empty());
    assert!(m
        .iter()
        .all(|r| r["consumption_date"].as_str().unwrap().starts_with(&month)));
    let r = sb.requests().pop().unwrap();
    assert_eq!(
        (r.path.as_str(), r.query.as_str()),
        ("/v1/consumption/month", format!("month={month}").as_str())
    );

    let day = format!("{month}-10");
    let d = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "day",
        "--date",
        &day,
        "-o",
        "json",
    ])));
    assert_eq!(
        d.len(),
        m.iter()
            .filter(|r| r["consumption_date"].as_str().unwrap().starts_with(&day))
            .count()
    );
    assert!(!d.is_empty());
    assert_eq!(
        sb.requests().pop().unwrap().query,
        format!("consumption_date={day}")
    );

    // The ISO week of the 10th: its records are the ones dated within that week.
    let date = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").unwrap();
    let iso = date.iso_week();
    let w = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "week",
        "--year",
        &iso.year().to_string(),
        "--week",
        &iso.week().to_string(),
        "-o",
        "json",
    ])));
    assert!(w.len() >= d.len());
    assert!(w.iter().all(|r| {
        let d = chrono::NaiveDate::parse_from_str(
            &r["consumption_date"].as_str().unwrap()[..10],
            "%Y-%m-%d",
        )
        .unwrap();
        d.iso_week() == iso
    }));
    let r = sb.requests().pop().unwrap();
    assert_eq!(r.path, "/v1/consumption/week");
    assert_eq!(r.query, format!("year={}&week={}", iso.year(), iso.week()));

    // Reserved packages: the seed's trailing-space keys survive in json, trimmed in csv.
    let res = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "reserved",
        "-o",
        "json",
    ])));
    assert!(!res.is_empty());
    assert!(res[0].get("contract ").is_some() && res[0].get("contract").is_none());
    assert!(res[0]["billing_quantity"]
        .as_str()
        .unwrap()
        .ends_with(" ST"));
    let c = res[0]["contract "].as_u64().unwrap().to_string();
    let only = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "reserved",
        "--contract",
        &c,
        "-o",
        "json",
    ])));
    assert!(!only.is_empty() && only.iter().all(|r| r["contract "] == res[0]["contract "]));
    assert_eq!(sb.requests().pop().unwrap().query, format!("contract={c}"));
    let csv = stdout(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "reserved",
        "-o",
        "csv",
        "--fields",
        "contract,billing_quantity",
    ])));
    let second = csv.lines().nth(1).unwrap();
    assert!(
        second.starts_with(&format!("{},", res[0]["contract "])) && second.ends_with(" ST"),
        "{csv}"
    );
}

#[test]
fn health_needs_no_credentials() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = run_ok(
        env.cmd()
            .env("LICCTL_OTC_URL", sb.base_url())
            .args(["otc", "health", "-o", "json"]),
    );
    assert_eq!(json(&out)["status"], 200);
    let out = run_ok(env.cmd().env("LICCTL_OTC_URL", sb.base_url()).args([
        "otc",
        "--api-version",
        "v2",
        "health",
        "-o",
        "json",
    ]));
    assert_eq!(json(&out), serde_json::json!({"status": "ok"}));
    let reqs = sb.requests();
    assert_eq!(
        reqs.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(),
        ["/v1/consumption/health", "/v2/health"]
    );
    assert!(reqs.iter().all(|r| r.header("authorization").is_none()));
    // The profile / environment picks the version too.
    let out = run_ok(
        env.cmd_for(&sb)
            .env("LICCTL_OTC_API_VERSION", "v2")
            .args(["otc", "health", "-o", "json"]),
    );
    assert_eq!(json(&out)["status"], "ok");
}

#[test]
fn grafana_keys_and_orgs_with_basic_auth_and_a_deprecation_notice() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = run_ok(
        env.cmd_for(&sb)
            .args(["otc", "grafana", "keys", "list", "-o", "json"]),
    );
    assert_eq!(
        json(&out),
        serde_json::json!([{"id": 1, "name": "myApiKey", "role": "Admin"}])
    );
    assert!(stderr(&out).contains("deprecated"), "{}", stderr(&out));

    let out = run_ok(env.cmd_for(&sb).args([
        "otc", "grafana", "keys", "create", "--name", "ci-key", "-o", "json",
    ]));
    let created = json(&out);
    assert_eq!(created["name"], "ci-key");
    let id = created["id"].as_u64().unwrap().to_string();
    assert_eq!(created["key"].as_str().unwrap().len(), 40);
    let keys = items(&run_ok(
        env.cmd_for(&sb)
            .args(["otc", "grafana", "keys", "list", "-o", "json"]),
    ));
    assert_eq!(keys.len(), 2);

    env.cmd_for(&sb)
        .args(["otc", "grafana", "keys", "delete", &id])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "deleted Grafana API key {id}"
        )));
    env.cmd_for(&sb)
        .args(["otc", "grafana", "keys", "delete", &id])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("API key not found"));

    let orgs = items(&run_ok(
        env.cmd_for(&sb)
            .args(["otc", "grafana", "orgs", "list", "-o", "json"]),
    ));
    assert_eq!(
        orgs[0],
        serde_json::json!({"orgId": 1, "name": "Main Org.", "role": "Admin"})
    );
    let cur = json(&run_ok(
        env.cmd_for(&sb)
            .args(["otc", "grafana", "orgs", "current", "-o", "json"]),
    ));
    assert_eq!(
        (cur["id"].as_u64(), cur["address"]["city"].as_str()),
        (Some(1), Some(""))
    );
    let sw =
        json(&run_ok(env.cmd_for(&sb).args([
            "otc", "grafana", "orgs", "switch", "2", "-o", "json",
        ])));
    assert_eq!(sw["message"], "Active organization changed");
    let cur = json(&run_ok(
        env.cmd_for(&sb)
            .args(["otc", "grafana", "orgs", "current", "-o", "json"]),
    ));
    assert_eq!(cur["id"], 2);

    use base64::Engine as _;
    let c = sb.credentials();
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", c.otc_grafana_user, c.otc_grafana_password))
    );
    let reqs = sb.requests();
    assert!(reqs
        .iter()
        .all(|r| r.header("authorization") == Some(basic.as_str())));
    let paths: Vec<String> = reqs
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        paths[..4],
        [
            "GET /v1/Grafana/auth/keys",
            "POST /v1/grafana/auth/keys",
            "GET /v1/Grafana/auth/keys",
            format!("DELETE /v1/Grafana/auth/keys/{id}").as_str()
        ]
    );
    assert!(paths.contains(&"GET /v1/grafana/user/using/2".to_owned()));

    env.cmd_for(&sb)
        .env("LICCTL_OTC_GRAFANA_PASSWORD", "wrong")
        .args(["otc", "grafana", "orgs", "list"])
        .assert()
        .code(4)
        .stdout("")
        .stderr(
            predicate::str::contains("Invalid username or password")
                .and(predicate::str::contains("wrong").not()),
        );
    env.cmd_for(&sb)
        .env_remove("LICCTL_OTC_GRAFANA_USER")
        .args(["otc", "grafana", "keys", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("grafana_user"));
}

#[test]
fn v2_streams_daily_and_hourly_with_filters() {
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            scale: 5000,
            ..Default::default()
        }),
    );
    let (y, m) = last_month();
    let (ys, ms) = (y.to_string(), m.to_string());
    let v2 = |extra: &[&str]| {
        let mut c = env.cmd_for(&sb);
        c.args([
            "otc",
            "--api-version",
            "v2",
            "consumption",
            "list",
            "-o",
            "json",
            "--year",
            &ys,
            "--month",
            &ms,
        ])
        .args(extra);
        items(&run_ok(&mut c))
    };
    let daily = v2(&[]);
    let v1 = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "month",
        "--month",
        &last_month_str(),
        "-o",
        "json",
    ])));
    assert_eq!(daily.len(), v1.len(), "v2's month is v1's month");
    assert!(daily
        .iter()
        .all(|r| r["consumption_type"] == "EL" || r["consumption_type"] == "RC"));
    let r = sb
        .requests()
        .into_iter()
        .find(|r| r.path.starts_with("/v2"))
        .unwrap();
    assert_eq!(r.path, "/v2/daily/consumption/");
    assert_eq!(r.query, format!("month={m}&year={y}"));

    let rc = v2(&["--consumption-type", "RC"]);
    assert_eq!(
        rc.len(),
        daily
            .iter()
            .filter(|r| r["consumption_type"] == "RC")
            .count()
    );
    let tagged = v2(&["--show-tag", "--tag-key", "owner"]);
    assert!(
        !tagged.is_empty() && tagged.iter().all(|r| r["tags"]["owner"].is_string()),
        "{tagged:?}"
    );

    sb.clear_requests();
    let hourly = v2(&["--granularity", "hourly", "--hour", "7"]);
    assert!(!hourly.is_empty());
    assert!(hourly.iter().all(|r| r["consumption_date"]
        .as_str()
        .unwrap()
        .ends_with(" 07:00:00")));
    let r = &sb.requests()[0];
    assert_eq!(r.path, "/v2/hourly/consumption/");
    assert_eq!(r.query_param("hour").as_deref(), Some("7"));

    // --max-items ends the stream early.
    let out = run_ok(env.cmd_for(&sb).args([
        "otc",
        "--api-version",
        "v2",
        "consumption",
        "list",
        "-o",
        "jsonl",
        "--max-items",
        "3",
    ]));
    assert_eq!(stdout(&out).lines().count(), 3);

    // v1-only commands map onto the v2 stream.
    sb.clear_requests();
    let month = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "--api-version",
        "v2",
        "consumption",
        "month",
        "--month",
        &last_month_str(),
        "-o",
        "json",
    ])));
    assert_eq!(month.len(), daily.len());
    assert_eq!(sb.requests()[0].path, "/v2/daily/consumption/");
}

#[test]
fn summary_sums_match_an_independent_sum_and_agree_across_versions() {
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            scale: 4000,
            ..Default::default()
        }),
    );
    let month = last_month_str();
    let records = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "month",
        "--month",
        &month,
        "-o",
        "json",
    ])));
    for (by, key) in [
        ("product", "product"),
        ("project", "project_name"),
        ("region", "region"),
        ("resource", "resource_id"),
        ("contract", "contract"),
    ] {
        let mut expect: BTreeMap<String, (f64, f64, f64, u64)> = BTreeMap::new();
        for r in &records {
            let g = match &r[key] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let e = expect.entry(g).or_default();
            e.0 += f(r, "amount");
            e.1 += f(r, "listprice_amount");
            e.2 += f(r, "billing_quantity");
            e.3 += 1;
        }
        let v1 = items(&run_ok(env.cmd_for(&sb).args([
            "otc",
            "consumption",
            "summary",
            "--month",
            &month,
            "--by",
            by,
            "-o",
            "json",
        ])));
        let v2 = items(&run_ok(env.cmd_for(&sb).args([
            "otc",
            "--api-version",
            "v2",
            "consumption",
            "summary",
            "--month",
            &month,
            "--by",
            by,
            "-o",
            "json",
        ])));
        assert_eq!(v1, v2, "--by {by}");
        assert_eq!(v1.len(), expect.len(), "--by {by}");
        let amounts: Vec<f64> = v1.iter().map(|g| g["amount"].as_f64().unwrap()).collect();
        assert!(
            amounts.windows(2).all(|w| w[0] >= w[1]),
            "sorted by amount: {amounts:?}"
        );
        for g in &v1 {
            let e = expect[g["group"].as_str().unwrap()];
            assert!(
                (g["amount"].as_f64().unwrap() - e.0).abs() < 1e-6,
                "{by} {g}"
            );
            assert!(
                (g["listprice_amount"].as_f64().unwrap() - e.1).abs() < 1e-6,
                "{by} {g}"
            );
            assert!(
                (g["billing_quantity"].as_f64().unwrap() - e.2).abs() < 1e-6,
                "{by} {g}"
            );
            assert_eq!(g["items"].as_u64().unwrap(), e.3, "{by} {g}");
        }
    }
    // v1 reads every page of every day of the month, nothing else.
    sb.clear_requests();
    run_ok(
        env.cmd_for(&sb)
            .args(["otc", "consumption", "summary", "--month", &month]),
    );
    let reqs = sb.requests();
    let days: std::collections::BTreeSet<String> = reqs
        .iter()
        .map(|r| r.query_param("consumption_date").unwrap())
        .collect();
    assert!(days.len() >= 28 && days.iter().all(|d| d.starts_with(&month)));
}

#[test]
fn a_month_exports_as_csv() {
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            scale: 2000,
            ..Default::default()
        }),
    );
    let file = env.path().join("month.csv");
    let (y, m) = last_month();
    run_ok(
        env.cmd_for(&sb)
            .args([
                "otc",
                "--api-version",
                "v2",
                "consumption",
                "list",
                "--year",
                &y.to_string(),
                "--month",
                &m.to_string(),
                "-o",
                "csv",
                "--out",
            ])
            .arg(&file),
    );
    let csv = std::fs::read_to_string(&file).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with(
        "contract,business_partner_id,reseller_id,consumption_date,consumption_type,product"
    ));
    let rows: Vec<&str> = lines.collect();
    let month = items(&run_ok(env.cmd_for(&sb).args([
        "otc",
        "consumption",
        "month",
        "--month",
        &last_month_str(),
        "-o",
        "json",
    ])));
    assert_eq!(rows.len(), month.len());
}

#[test]
fn bad_input_is_exit_2_and_sends_nothing() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let cases: &[&[&str]] = &[
        &["otc", "consumption", "list", "--product", "33"],
        &["otc", "consumption", "list", "--product", "0"],
        &["otc", "consumption", "list", "--date", "2020-02-30"],
        &["otc", "consumption", "list", "--tagged", "maybe"],
        &["otc", "consumption", "list", "--page-size", "101"],
        &["otc", "consumption", "list", "--hour", "3"],
        &["otc", "consumption", "list", "--year", "2020"],
        &[
            "otc",
            "--api-version",
            "v2",
            "consumption",
            "list",
            "--hour",
            "3",
        ],
        &[
            "otc",
            "--api-version",
            "v2",
            "consumption",
            "list",
            "--granularity",
            "hourly",
            "--hour",
            "24",
        ],
        &[
            "otc",
            "--api-version",
            "v2",
            "consumption",
            "list",
            "--week",
            "54",
        ],
        &[
            "otc",
            "--api-version",
            "v2",
            "consumption",
            "list",
            "--month",
            "13",
        ],
        &[
            "otc",
            "--api-version",
            "v2",
            "consumption",
            "list",
            "--consumption-type",
            "XX",
        ],
        &[
            "otc",
            "--api-version",
            "v2",
            "consumption",
            "list",
            "--tagged",
            "true",
        ],
        &["otc", "--api-version", "v3", "health"],
        &["otc", "consumption", "month", "--month", "2026-13"],
        &["otc", "consumption", "day", "--date", "yesterday"],
        &[
            "otc",
            "consumption",
            "week",
            "--year",
            "2026",
            "--week",
            "0",
        ],
        &[
            "otc",
            "consumption",
            "summary",
            "--month",
            "2026-10",
            "--by",
            "colour",
        ],
        &["otc", "grafana", "keys", "delete", "abc"],
        &["otc", "grafana", "keys", "create", "--name", " "],
    ];
    for args in cases {
        env.cmd_for(&sb).args(*args).assert().code(2).stdout("");
    }
    assert_eq!(sb.request_count(), 0);
}

#[test]
fn documented_failures_map_to_exit_codes() {
    let (env, sb) = (TestEnv::new(), sandbox());
    env.cmd_for(&sb)
        .env("LICCTL_OTC_API_KEY", "not-the-key")
        .args(["otc", "consumption", "list"])
        .assert()
        .code(4)
        .stdout("")
        .stderr(
            predicate::str::contains("HTTP 401").and(predicate::str::contains("not-the-key").not()),
        );
    env.cmd_for(&sb)
        .env_remove("LICCTL_OTC_API_KEY")
        .args(["otc", "consumption", "list"])
        .assert()
        .code(3);
    env.cmd()
        .args(["otc", "health"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("otc-dashboard url"));
    env.cmd_for(&sb)
        .env("LICCTL_OTC_API_VERSION", "v9")
        .args(["otc", "health"])
        .assert()
        .code(3);
}

#[test]
fn the_sandbox_refuses_bad_parameters_and_missing_keys() {
    let sb = sandbox();
    let key = sb.credentials().otc_api_key.clone();
    let base = sb.base_url();
    tls_provider();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = reqwest::Client::new();
        let get = |q: &str, auth: bool| {
            let mut r = c.get(format!("{base}{q}"));
            if auth {
                r = r.bearer_auth(&key);
            }
            r.send()
        };
        for (q, word) in [
            ("/v1/consumption?limit=101", "limit"),
            ("/v1/consumption?product=33", "product"),
            (
                "/v1/consumption?consumption_date=2020-13-01",
                "consumption_date",
            ),
            ("/v2/daily/consumption/?hour=3", "hour"),
            (
                "/v2/daily/consumption/?consumption_type=XX",
                "consumption_type",
            ),
        ] {
            let resp = get(q, true).await.unwrap();
            assert_eq!(resp.status().as_u16(), 400, "{q}");
            let body: Value = resp.json().await.unwrap();
            assert!(
                body["message"].as_str().unwrap().contains(word),
                "{q}: {body}"
            );
        }
        for q in [
            "/v1/consumption",
            "/v1/consumption/month?month=2026-01",
            "/v2/daily/consumption/",
            "/v1/consumption/reserved",
        ] {
            assert_eq!(get(q, false).await.unwrap().status().as_u16(), 401, "{q}");
        }
        assert_eq!(
            get("/v1/consumption/health", false)
                .await
                .unwrap()
                .status()
                .as_u16(),
            200
        );
        // total is the filtered count; limit defaults to the documented 10.
        let page: Value = get("/v1/consumption", true)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            (page["total"].as_u64(), page["limit"].as_u64()),
            (Some(100), Some(10))
        );
        assert_eq!(page["contents"].as_array().unwrap().len(), 10);
    });
}

#[test]
fn a_million_records_are_served_without_trouble() {
    let sb = sandbox_with(SandboxOptions {
        scale: 1_000_000,
        ..Default::default()
    });
    let key = sb.credentials().otc_api_key.clone();
    let base = sb.base_url();
    tls_provider();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = reqwest::Client::new();
        let page: Value = c
            .get(format!("{base}/v1/consumption?offset=999990&limit=100"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 1_000_000);
        assert_eq!(page["contents"].as_array().unwrap().len(), 10);
        // A filtered total is one pass over the generated records.
        let page: Value = c
            .get(format!(
                "{base}/v1/consumption?product=5&tagged=true&limit=1"
            ))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let total = page["total"].as_u64().unwrap();
        assert!(total > 1_000 && total < 100_000, "{total}");
        // The last page of the filter holds exactly what the total says is left.
        let last: Value = c
            .get(format!(
                "{base}/v1/consumption?product=5&tagged=true&limit=100&offset={}",
                total - 3
            ))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(last["contents"].as_array().unwrap().len(), 3);
    });
}

#[test]
fn collect_month_maps_the_sandbox_month_to_usage_rows() {
    use licctl::usage::Month;
    let sb = sandbox_with(SandboxOptions {
        scale: 3000,
        ..Default::default()
    });
    let month = Month::parse(&last_month_str()).unwrap();
    tls_provider();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let collect = |version: &str| {
        let mut env: std::collections::HashMap<String, String> =
            sb.env_exports().into_iter().collect();
        env.insert("LICCTL_OTC_API_VERSION".into(), version.into());
        let config =
            licctl::config::Config::from_parts("/nonexistent/licctl.toml".into(), None, env, None)
                .unwrap();
        let ctx = licctl::context::Context::new(licctl::cli::GlobalArgs::default(), config);
        let http = ctx.http().unwrap().with_fresh_record();
        let usage = rt
            .block_on(licctl::vendors::otc::usage::collect_month(
                &ctx,
                http.clone(),
                month,
            ))
            .unwrap();
        (usage, http.records())
    };
    let (v1, v1_requests) = collect("v1");
    assert_eq!(v1_requests.len(), 1);
    assert!(v1_requests[0]
        .url
        .ends_with(&format!("/v1/consumption/month?month={month}")));
    // raw is the answer; rows sum it per contract × product.
    let contents = v1.raw["contents"].as_array().unwrap();
    assert_eq!(v1.raw["total"].as_u64(), Some(contents.len() as u64));
    let mut expect: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
    for r in contents {
        let e = expect
            .entry((
                r["contract"].to_string(),
                r["product"].as_str().unwrap().to_owned(),
            ))
            .or_default();
        e.0 += f(r, "billing_quantity");
        e.1 += f(r, "amount");
    }
    assert_eq!(v1.rows.len(), expect.len());
    for row in &v1.rows {
        let e = expect[&(row.customer_id.clone(), row.product_code.clone())];
        assert!(
            (row.quantity - e.0).abs() < 1e-6 && (row.amount.unwrap() - e.1).abs() < 1e-6,
            "{row:?}"
        );
        assert_eq!(
            (
                row.vendor.as_str(),
                row.metric.as_str(),
                row.currency.as_str()
            ),
            ("otc-dashboard", "consumption", "")
        );
        assert_eq!(row.period_start, month.start().to_string());
        assert!(!row.unit.is_empty() && !row.product_name.is_empty());
    }
    let sorted = v1
        .rows
        .windows(2)
        .all(|w| w[0].sort_key() <= w[1].sort_key());
    assert!(sorted);
    // Deterministic for unchanged data.
    assert_eq!(collect("v1").0.rows, v1.rows);

    // v2: the daily stream; same totals, split by consumption type.
    let (v2, v2_requests) = collect("v2");
    assert_eq!(v2_requests.len(), 1);
    assert!(v2_requests[0].url.contains("/v2/daily/consumption/?"));
    assert_eq!(v2.raw.as_array().unwrap().len(), contents.len());
    let total =
        |rows: &[licctl::usage::UsageRow]| rows.iter().map(|r| r.amount.unwrap()).sum::<f64>();
    assert!((total(&v1.rows) - total(&v2.rows)).abs() < 1e-4);
    assert!(v2.rows.iter().all(|r| r.metric == "EL" || r.metric == "RC"));
}

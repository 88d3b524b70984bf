//! The monthly usage of Acronis (`collect_month`) as a library call against the sandbox: a
//! usage_summary report for the month is created, waited for, downloaded, parsed into rows
//! and deleted again; the rows are the same on every run.

use std::collections::HashMap;

use licctl::cli::GlobalArgs;
use licctl::config::Config;
use licctl::context::Context;
use licctl::usage::Month;
use licctl::vendors::acronis::usage::collect_month;

use crate::common::{sandbox, TestEnv};

fn context(env: &TestEnv, exports: Vec<(String, String)>) -> Context {
    // main() installs the crypto provider; a library caller does it itself.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut vars: HashMap<String, String> = exports.into_iter().collect();
    vars.insert(
        "XDG_CACHE_HOME".into(),
        env.path().join("cache").to_string_lossy().into_owned(),
    );
    let config = Config::from_parts(env.config_path(), None, vars, None).unwrap();
    Context::new(GlobalArgs::default(), config)
}

#[test]
fn collect_month_maps_the_report_and_cleans_up() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let ctx = context(&env, sb.env_exports());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let month = Month::parse("2026-09").unwrap();
    let http = ctx.http().unwrap().with_fresh_record();
    let first = rt
        .block_on(collect_month(&ctx, http.clone(), month))
        .unwrap();
    let second = rt
        .block_on(collect_month(
            &ctx,
            ctx.http().unwrap().with_fresh_record(),
            month,
        ))
        .unwrap();
    assert_eq!(first.rows, second.rows, "rows are deterministic");
    assert_eq!(first.raw, second.raw);

    // raw is the json_v2_0 document; one row per tenant × SKU (no zero usage, SKUs shown).
    let tenants = first.raw["tenants"].as_array().unwrap();
    assert!(!tenants.is_empty());
    assert_eq!(first.rows.len(), tenants.len());
    assert!(tenants
        .iter()
        .all(|t| t["value"].as_f64().unwrap() > 0.0 && t["sku"].is_string()));
    let sample = &tenants[0];
    let row = first
        .rows
        .iter()
        .find(|r| r.customer_id == sample["tenant_uuid"] && r.product_code == sample["sku"])
        .unwrap();
    assert_eq!(row.customer_name, sample["tenant_name"].as_str().unwrap());
    assert_eq!(row.metric, sample["usage_name"].as_str().unwrap());
    assert_eq!(
        (row.period_start.as_str(), row.period_end.as_str()),
        ("2026-09-01", "2026-09-30")
    );
    assert!(first.rows.iter().all(|r| r.vendor == "acronis-reports"));
    let mut sorted = first.rows.clone();
    sorted.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    assert_eq!(sorted, first.rows);
    assert!(
        first.rows.iter().any(|r| r.unit == "GiB") || first.rows.iter().any(|r| r.unit == "count")
    );

    // The helper report is gone; the record names every request, without secrets.
    assert_eq!(first.details["report_deleted"], true);
    assert_eq!(first.details["format"], "json_v2_0");
    let record: Vec<(String, String)> = http
        .records()
        .into_iter()
        .map(|r| (r.method, url::Url::parse(&r.url).unwrap().path().to_owned()))
        .collect();
    let id = first.details["report_id"].as_str().unwrap();
    let stored = first.details["stored_id"].as_str().unwrap();
    let expected: Vec<(String, String)> = [
        ("POST", "/api/2/idp/token".to_owned()),
        ("POST", "/api/2/reports".to_owned()),
        ("GET", format!("/api/2/reports/{id}/stored")),
        ("GET", format!("/api/2/reports/{id}/stored")),
        ("GET", format!("/api/2/reports/{id}/stored")),
        ("GET", format!("/api/2/reports/{id}/stored/{stored}")),
        ("DELETE", format!("/api/2/reports/{id}")),
    ]
    .into_iter()
    .map(|(m, p)| (m.to_owned(), p))
    .collect();
    assert_eq!(record, expected);
    let post = sb
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/2/reports")
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&post.body).unwrap();
    assert_eq!(body["parameters"]["kind"], "usage_summary");
    assert_eq!(body["parameters"]["level"], "accounts");
    assert_eq!(
        body["parameters"]["formats"],
        serde_json::json!(["json_v2_0"])
    );
    assert_eq!(body["result_action"], "save");
    // The sandbox is back to its four seeded reports.
    let tenant = &sb.credentials().acronis_tenant_id;
    let lists = sb
        .requests()
        .into_iter()
        .filter(|r| r.path == format!("/api/2/tenants/{tenant}/reports"))
        .count();
    assert_eq!(lists, 0);
}

#[test]
fn collect_month_of_the_current_month_is_refused_with_the_hint() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let ctx = context(&env, sb.env_exports());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let today = chrono::Utc::now().date_naive();
    let month = Month::parse(&today.format("%Y-%m").to_string()).unwrap();
    let err = rt
        .block_on(collect_month(
            &ctx,
            ctx.http().unwrap().with_fresh_record(),
            month,
        ))
        .unwrap_err();
    assert_eq!(err.exit_code(), 6, "{}", err.message());
    assert!(
        err.message().contains("must not be in future")
            || err.hints().iter().any(|h| h.contains("06:00")),
        "{}",
        err.message()
    );
}

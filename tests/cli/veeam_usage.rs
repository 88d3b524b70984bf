//! `vendors::veeam::usage::collect_month` against the sandbox, as `usage monthly` calls it: the
//! month's rows equal what `licensing reports list --month M --view details` prints, the raw
//! answer and the request record are kept, and a rerun gives the same rows.

use std::collections::HashMap;

use licctl::cli::GlobalArgs;
use licctl::config::Config;
use licctl::context::Context;
use licctl::sandbox::BackgroundSandbox;
use licctl::usage::Month;
use licctl::vendors::veeam::usage::collect_month;
use serde_json::Value;

use crate::common::{json, sandbox, stderr, TestEnv};

fn context(env: &TestEnv, sb: &BackgroundSandbox) -> Context {
    install_crypto();
    let mut vars: HashMap<String, String> = sb.env_exports().into_iter().collect();
    vars.insert(
        "XDG_CACHE_HOME".into(),
        env.path().join("cache").to_string_lossy().into_owned(),
    );
    let config = Config::from_parts(env.path().join("config.toml"), None, vars, None).unwrap();
    Context::new(GlobalArgs::default(), config)
}

/// The binary installs rustls's provider in main; an in-process client needs it too.
fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn last_month_rows_match_the_details_view() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let month = Month::previous(chrono::Utc::now().date_naive());
    let ctx = context(&env, &sb);
    let rt = runtime();
    let http = ctx.http().unwrap().with_fresh_record();
    let usage = rt
        .block_on(collect_month(&ctx, http.clone(), month))
        .unwrap();
    assert!(usage.warnings.is_empty(), "{:?}", usage.warnings);

    let out = env
        .cmd_for(&sb)
        .args([
            "veeam",
            "licensing",
            "reports",
            "list",
            "--month",
            &month.to_string(),
            "--view",
            "details",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let details = json(&out);
    let details = details.as_array().unwrap();
    assert_eq!(usage.rows.len(), details.len());
    assert!(!details.is_empty());
    for (row, d) in usage.rows.iter().zip(details) {
        assert_eq!(row.vendor, "veeam-vspc");
        assert_eq!(row.period_start, month.start().to_string());
        assert_eq!(row.period_end, month.end().to_string());
        assert_eq!(row.customer_id, d["organizationUid"].as_str().unwrap());
        assert_eq!(row.customer_name, d["organizationName"].as_str().unwrap());
        assert_eq!(row.product_code, d["productType"].as_str().unwrap());
        assert_eq!(row.metric, d["workloadType"].as_str().unwrap());
        assert_eq!(row.quantity, d["usedPoints"].as_f64().unwrap());
        assert_eq!(row.unit, "points");
        assert!(
            row.source.contains(&format!("reportId={}", d["reportId"])),
            "{}",
            row.source
        );
        assert!(
            row.source
                .contains(&format!("reportedCount={}", d["reportedCount"])),
            "{}",
            row.source
        );
    }
    // raw: the one page of GET /licensing/reports, as answered.
    assert_eq!(usage.raw["meta"]["pagingInfo"]["total"], 72);
    assert_eq!(usage.raw["data"].as_array().unwrap().len(), 72);
    let ids: Vec<Value> = usage.details["reports"].as_array().unwrap().clone();
    assert_eq!(ids.len(), 3);
    // Every request is in the record, the sign-in first, no secret in it.
    let record = http.records();
    let calls: Vec<(&str, Option<u16>)> = record
        .iter()
        .map(|r| (r.method.as_str(), r.status))
        .collect();
    assert_eq!(calls, [("POST", Some(200)), ("GET", Some(200))]);
    assert!(
        record[1]
            .url
            .ends_with("/api/v3/licensing/reports?limit=100&offset=0"),
        "{}",
        record[1].url
    );
    let text = serde_json::to_string(&record).unwrap();
    assert!(!text.contains(&sb.credentials().veeam_password));

    // Unchanged data, same rows (the cached token spares the sign-in).
    let again = rt
        .block_on(collect_month(
            &ctx,
            ctx.http().unwrap().with_fresh_record(),
            month,
        ))
        .unwrap();
    assert_eq!(again.rows, usage.rows);
    assert_eq!(again.raw, usage.raw);
}

#[test]
fn several_pages_are_kept_in_request_order_and_old_months_are_empty() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let mut ctx = context(&env, &sb);
    ctx.global.page_size = Some(50);
    let rt = runtime();
    let month = Month::parse("2001-01").unwrap();
    let usage = rt
        .block_on(collect_month(
            &ctx,
            ctx.http().unwrap().with_fresh_record(),
            month,
        ))
        .unwrap();
    assert!(usage.rows.is_empty());
    assert_eq!(usage.warnings.len(), 1);
    assert!(
        usage.warnings[0].contains("no veeam-vspc license usage report covers 2001-01"),
        "{:?}",
        usage.warnings
    );
    let pages = usage
        .raw
        .as_array()
        .expect("two pages: an array of answers");
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0]["meta"]["pagingInfo"]["offset"], 0);
    assert_eq!(pages[1]["meta"]["pagingInfo"]["offset"], 50);
    assert_eq!(pages[1]["data"].as_array().unwrap().len(), 22);
}

#[test]
fn an_unconfigured_vendor_is_a_configuration_error_before_any_request() {
    let env = TestEnv::new();
    install_crypto();
    let config =
        Config::from_parts(env.path().join("config.toml"), None, HashMap::new(), None).unwrap();
    let ctx = Context::new(GlobalArgs::default(), config);
    let err = runtime()
        .block_on(collect_month(
            &ctx,
            ctx.http().unwrap(),
            Month::parse("2026-10").unwrap(),
        ))
        .unwrap_err();
    assert_eq!(err.exit_code(), 3);
}

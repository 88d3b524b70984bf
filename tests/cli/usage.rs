//! `licctl usage monthly | show` and BigFix's `license-usage` end to end against the sandbox:
//! the bundle's files and manifest, byte-identical reruns, refusals, verification.

use std::path::Path;

use licctl::sandbox::BackgroundSandbox;
use predicates::prelude::*;

use crate::common::{json, sandbox, stderr, stdout, TestEnv};

fn monthly(
    env: &TestEnv,
    sb: &BackgroundSandbox,
    out_dir: &Path,
    extra: &[&str],
) -> std::process::Output {
    env.cmd_for(sb)
        .args([
            "usage",
            "monthly",
            "--month",
            "2026-10",
            "-o",
            "json",
            "--out-dir",
        ])
        .arg(out_dir)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn license_usage_lists_peaks_per_product_for_a_period() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = env
        .cmd_for(&sb)
        .args([
            "bigfix",
            "license-usage",
            "list",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = json(&out);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 12);
    assert!(rows
        .iter()
        .all(|r| r["metric_quantity"].as_f64().unwrap() > 0.0));
    let q = sb.requests()[0].query_pairs();
    assert!(
        q.contains(&("startdate".into(), "2026-10-01".into())),
        "{q:?}"
    );
    assert!(
        q.contains(&("enddate".into(), "2026-10-31".into())),
        "{q:?}"
    );

    // columns[], order[] and criteria reach the server and shape the answer.
    sb.clear_requests();
    let out = env
        .cmd_for(&sb)
        .args([
            "bigfix",
            "license-usage",
            "list",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
            "-o",
            "csv",
        ])
        .args([
            "--columns",
            "product_name,metric_id",
            "--order",
            "product_name desc",
        ])
        .args([
            "--criteria",
            r#"{"and":[["metric_id","eq","PROCESSOR_VALUE_UNIT"]]}"#,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "product_name,metric_id\nIBM WebSphere Application Server Network Deployment,PROCESSOR_VALUE_UNIT\nIBM Db2 Advanced Enterprise Server Edition,PROCESSOR_VALUE_UNIT\n"
    );
    let q = sb.requests()[0].query_pairs();
    assert!(
        q.contains(&("columns[]".into(), "product_name".into())),
        "{q:?}"
    );
    assert!(
        q.contains(&("order[]".into(), "product_name desc".into())),
        "{q:?}"
    );
    assert!(q.iter().any(|(k, _)| k == "criteria"), "{q:?}");
}

#[test]
fn license_usage_bad_input_sends_nothing() {
    let (env, sb) = (TestEnv::new(), sandbox());
    for args in [
        &["--from", "2026-10-32", "--to", "2026-10-31"][..],
        &["--from", "2026-10-01", "--to", "2026-09-30"],
        &[
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
            "--criteria",
            "{not json",
        ],
        &[
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
            "--criteria",
            r#"{"xor":[]}"#,
        ],
        &["--from", "2026-10-01"],
    ] {
        env.cmd_for(&sb)
            .args(["bigfix", "license-usage", "list"])
            .args(args)
            .assert()
            .code(2)
            .stdout("");
    }
    assert_eq!(sb.request_count(), 0);
}

#[test]
fn monthly_bundle_holds_every_file_and_reruns_are_identical() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out_dir = env.path().join("reports");
    let out = monthly(&env, &sb, &out_dir, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = json(&out);
    let summary = summary.as_array().unwrap();
    // Every vendor the sandbox exports is configured, so every one is in the bundle.
    assert!(summary.len() >= 3, "{summary:?}");
    assert!(summary.iter().all(|v| v["status"] == "ok"), "{summary:?}");
    assert!(summary.iter().any(|v| v["vendor"] == "bigfix-metrics"));
    let dir = out_dir.join("2026-10");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["month"], "2026-10");
    assert_eq!(manifest["licctl_version"], env!("CARGO_PKG_VERSION"));
    let bigfix = &manifest["vendors"]["bigfix-metrics"];
    assert_eq!(bigfix["status"], "ok");
    // Row count equals what the vendor's own list command returns for the month.
    let list = env
        .cmd_for(&sb)
        .args([
            "bigfix",
            "license-usage",
            "list",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        bigfix["rows"].as_u64().unwrap() as usize,
        json(&list).as_array().unwrap().len()
    );
    // Every request is in the manifest, without the token.
    let requests = bigfix["requests"].as_array().unwrap();
    assert!(!requests.is_empty());
    assert!(requests
        .iter()
        .all(|r| r["url"].as_str().unwrap().contains("token=***")));
    let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    assert!(!text.contains(&sb.credentials().bigfix_token));
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = manifest["vendors"]
        .as_object()
        .unwrap()
        .keys()
        .map(|v| format!("raw/{v}.json"))
        .collect();
    expected.extend(["usage.csv".to_owned(), "usage.jsonl".to_owned()]);
    expected.sort();
    assert_eq!(files, expected);
    // The total is the sum of every vendor's rows, and usage.jsonl has that many lines.
    let sum: u64 = manifest["vendors"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v["rows"].as_u64().unwrap())
        .sum();
    assert_eq!(manifest["rows"].as_u64().unwrap(), sum);
    let jsonl_lines = std::fs::read_to_string(dir.join("usage.jsonl"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(jsonl_lines as u64, sum);
    let csv = std::fs::read(dir.join("usage.csv")).unwrap();
    let jsonl = std::fs::read(dir.join("usage.jsonl")).unwrap();
    assert!(String::from_utf8_lossy(&csv).starts_with(
        "vendor,period_start,period_end,customer_id,customer_name,product_code,product_name,metric,quantity,unit,amount,currency,source\n"
    ));

    // The same month again: refused without --force, byte-identical with it.
    let again = monthly(&env, &sb, &out_dir, &[]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(stderr(&again).contains("--force"));
    let again = monthly(&env, &sb, &out_dir, &["--force"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(std::fs::read(dir.join("usage.csv")).unwrap(), csv);
    assert_eq!(std::fs::read(dir.join("usage.jsonl")).unwrap(), jsonl);
    // Nothing but the bundle in the output directory.
    let names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["2026-10".to_owned()]);
}

#[test]
fn show_summarises_and_verify_catches_a_modified_file() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out_dir = env.path().join("reports");
    assert!(monthly(&env, &sb, &out_dir, &[]).status.success());
    let dir = out_dir.join("2026-10");
    let out = env
        .cmd()
        .args(["usage", "show", "--verify", "-o", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let per_vendor = json(&out);
    let bigfix = per_vendor
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["vendor"] == "bigfix-metrics")
        .unwrap();
    assert_eq!(bigfix["rows"], 12);
    let out = env
        .cmd()
        .args(["usage", "show", "--by", "customer", "-o", "csv"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(stdout(&out)
        .starts_with("vendor,customer_id,customer_name,rows,products,amount,currency\n"));

    let csv = dir.join("usage.csv");
    let mut text = std::fs::read_to_string(&csv).unwrap();
    text.push_str("bigfix-metrics,2026-10-01,2026-10-31,,,9999,Forged,X,1,u,,,s\n");
    std::fs::write(&csv, text).unwrap();
    env.cmd()
        .args(["usage", "show", "--verify"])
        .arg(&dir)
        .assert()
        .code(10)
        .stdout("")
        .stderr(predicate::str::contains("usage.csv"));
    env.cmd()
        .args(["usage", "show"])
        .arg(env.path())
        .assert()
        .code(2);
}

#[test]
fn monthly_refuses_bad_input_and_unconfigured_vendors_before_any_request() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out_dir = env.path().join("reports");
    for (args, code) in [
        (&["--month", "2026-13"][..], 2),
        (&["--month", "2026-10", "--vendors", "sap"], 2),
        (&["--month", "2026-10", "--vendors", ""], 2),
    ] {
        env.cmd_for(&sb)
            .args(["usage", "monthly", "--out-dir"])
            .arg(&out_dir)
            .args(args)
            .assert()
            .code(code);
    }
    // A vendor named explicitly but not configured: exit 3, nothing sent to anyone.
    env.cmd_for(&sb)
        .env_remove("LICCTL_OTC_URL")
        .args([
            "usage",
            "monthly",
            "--month",
            "2026-10",
            "--vendors",
            "bigfix,otc",
            "--out-dir",
        ])
        .arg(&out_dir)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("otc-dashboard"));
    // Nothing configured at all: exit 3.
    env.cmd()
        .args(["usage", "monthly", "--month", "2026-10", "--out-dir"])
        .arg(&out_dir)
        .assert()
        .code(3);
    assert_eq!(sb.request_count(), 0);
    assert!(!out_dir.join("2026-10").exists());
}

#[test]
fn a_failing_vendor_leaves_no_bundle() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out_dir = env.path().join("reports");
    let out = env
        .cmd_for(&sb)
        .env("LICCTL_BIGFIX_TOKEN", "wrong-token-value")
        .args([
            "usage",
            "monthly",
            "--month",
            "2026-10",
            "-o",
            "json",
            "--out-dir",
        ])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(!out_dir.join("2026-10").exists());
}

#[test]
fn keep_going_writes_the_vendors_that_succeeded_and_exits_8() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out_dir = env.path().join("reports");
    let out = env
        .cmd_for(&sb)
        .env("LICCTL_BIGFIX_TOKEN", "wrong-token-value")
        .args([
            "usage",
            "monthly",
            "--month",
            "2026-10",
            "--keep-going",
            "-o",
            "json",
            "--out-dir",
        ])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    assert!(stderr(&out).contains("bigfix-metrics"), "{}", stderr(&out));
    let dir = out_dir.join("2026-10");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let vendors = manifest["vendors"].as_object().unwrap();
    let bigfix = &vendors["bigfix-metrics"];
    assert_eq!(bigfix["status"], "failed");
    assert_eq!(bigfix["exit_code"], 4);
    assert!(
        bigfix["error"].as_str().unwrap().contains("401"),
        "{bigfix}"
    );
    assert!(!bigfix["requests"].as_array().unwrap().is_empty());
    assert!(!dir.join("raw/bigfix-metrics.json").exists());
    let ok: Vec<&String> = vendors
        .iter()
        .filter(|(_, v)| v["status"] == "ok")
        .map(|(k, _)| k)
        .collect();
    assert!(ok.len() >= 2, "{ok:?}");
    for v in &ok {
        assert!(dir.join(format!("raw/{v}.json")).is_file(), "{v}");
    }
    let text = std::fs::read_to_string(dir.join("usage.csv")).unwrap();
    assert!(!text.contains("bigfix-metrics"));
    // The summary on stdout shows the failure too.
    let summary = json(&out);
    let failed = summary
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["vendor"] == "bigfix-metrics")
        .unwrap();
    assert_eq!(failed["status"], "failed");
}

#[test]
fn each_vendor_row_count_matches_its_own_command() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out_dir = env.path().join("reports");
    let out = env
        .cmd_for(&sb)
        .args([
            "usage",
            "monthly",
            "--month",
            "2026-10",
            "--vendors",
            "veeam,bigfix",
            "-o",
            "json",
            "--out-dir",
        ])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let rows_of = |vendor: &str| -> u64 {
        json(&out)
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["vendor"] == vendor)
            .unwrap()["rows"]
            .as_u64()
            .unwrap()
    };
    let count = |args: &[&str]| -> u64 {
        let o = env
            .cmd_for(&sb)
            .args(args)
            .args(["-o", "jsonl"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o).lines().count() as u64
    };
    // Veeam: one row per organization × product × workload of the month's reports.
    assert_eq!(
        rows_of("veeam-vspc"),
        count(&[
            "veeam",
            "licensing",
            "reports",
            "list",
            "--month",
            "2026-10",
            "--view",
            "details"
        ])
    );
    assert_eq!(
        rows_of("bigfix-metrics"),
        count(&[
            "bigfix",
            "license-usage",
            "list",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31"
        ])
    );
}

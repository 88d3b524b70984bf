//! `licctl ocreporter` end to end against the sandbox: every command of the seed, the
//! documented failures and their exit codes, XML answers, paging, and the SPLA reports as
//! table, csv and json.

use std::process::Output;

use licctl::sandbox::{BackgroundSandbox, SandboxOptions};
use predicates::prelude::*;
use serde_json::Value;

use crate::common::{json, sandbox, sandbox_with, stderr, stdout, TestEnv};

/// Runs `licctl ocr ARGS` against `sb`.
fn ocr(env: &TestEnv, sb: &BackgroundSandbox, args: &[&str]) -> Output {
    env.cmd_for(sb).arg("ocr").args(args).output().unwrap()
}

/// Runs `licctl ocr ARGS -o json`, asserts success and parses stdout.
fn ocr_json(env: &TestEnv, sb: &BackgroundSandbox, args: &[&str]) -> Value {
    let out = env
        .cmd_for(sb)
        .arg("ocr")
        .args(args)
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ocr {args:?} failed:\n{}",
        stderr(&out)
    );
    json(&out)
}

fn len(v: &Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

fn ids(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_u64().unwrap())
        .collect()
}

#[test]
fn every_request_carries_the_documented_anatomy() {
    let (env, sb) = (TestEnv::new(), sandbox());
    ocr_json(&env, &sb, &["customers", "list", "--max-items", "1"]);
    let r = &sb.requests()[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/api/workspace/12/customer/customers");
    assert_eq!(r.query_param("_format").as_deref(), Some("json"));
    assert_eq!(
        r.query_param("_token").as_deref(),
        Some(sb.credentials().ocr_token.as_str())
    );
    assert_eq!(
        r.query_param("_tenant").as_deref(),
        Some(sb.credentials().ocr_tenant.as_str())
    );
    assert_eq!(r.query_param("_language").as_deref(), Some("en"));
    assert_eq!(r.query_param("page").as_deref(), Some("1"));
    // --max-items 1 asks for a page of one: nothing more than what is needed.
    assert_eq!(r.query_param("showPerPage").as_deref(), Some("1"));
    assert_eq!(sb.request_count(), 1);

    // --workspace overrides the configured workspace; --language the language.
    sb.clear_requests();
    let v = ocr_json(
        &env,
        &sb,
        &["--workspace", "14", "--language", "de", "customers", "list"],
    );
    assert!(len(&v) >= 5);
    let r = &sb.requests()[0];
    assert_eq!(r.path, "/api/workspace/14/customer/customers");
    assert_eq!(r.query_param("_language").as_deref(), Some("de"));
}

#[test]
fn workspaces() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let list = ocr_json(&env, &sb, &["workspaces", "list"]);
    assert_eq!(ids(&list), vec![12, 14]);
    assert_eq!(
        ocr_json(&env, &sb, &["workspaces", "show", "14"])["label"],
        "Lab"
    );
    let assets = ocr_json(&env, &sb, &["workspaces", "assets", "12"]);
    assert_eq!(
        assets["devices"],
        assets["hosts"].as_u64().unwrap() + assets["vms"].as_u64().unwrap()
    );
    let devices = ocr_json(&env, &sb, &["devices", "list"]);
    assert_eq!(assets["devices"].as_u64().unwrap() as usize, len(&devices));
    let q = ocr_json(&env, &sb, &["workspaces", "inventory-quality", "12"]);
    assert!(q["score"].as_u64().unwrap() <= 100);
    assert_eq!(q["devices_total"], assets["devices"]);
    assert_eq!(
        ocr(&env, &sb, &["workspaces", "show", "99"]).status.code(),
        Some(5)
    );
    let csv = ocr(&env, &sb, &["workspaces", "list", "-o", "csv"]);
    assert!(
        stdout(&csv).starts_with("id,label,description,is_default,created_at\n12,Production,"),
        "{}",
        stdout(&csv)
    );
}

#[test]
fn alerts_and_data_sources() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let alerts = ocr_json(&env, &sb, &["alerts"]);
    let pricing = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["category"] == "pricecatalog")
        .unwrap();
    assert!(
        pricing["count"].as_u64().unwrap() >= 1,
        "the default data has a missing price: {alerts}"
    );
    assert_eq!(
        sb.requests().last().unwrap().path,
        "/api/workspace/12/alert/alerts"
    );
    let sources = ocr_json(&env, &sb, &["data-sources", "list"]);
    assert!(len(&sources) >= 4);
    let first = sources[0]["id"].to_string();
    assert_eq!(
        ocr_json(&env, &sb, &["data-sources", "show", &first]),
        sources[0]
    );
}

#[test]
fn infrastructure_reads() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let devices = ocr_json(&env, &sb, &["devices", "list"]);
    let vms = ocr_json(&env, &sb, &["vms", "list"]);
    let hosts = ocr_json(&env, &sb, &["hosts", "list"]);
    assert_eq!(len(&vms) + len(&hosts), len(&devices));
    assert!(vms.as_array().unwrap().iter().all(|d| d["type_id"] == "vm"));
    let vm = vms[0]["id"].to_string();
    let host = hosts[0]["id"].to_string();
    assert_eq!(ocr_json(&env, &sb, &["vms", "show", &vm]), vms[0]);
    assert_eq!(ocr_json(&env, &sb, &["hosts", "show", &host]), hosts[0]);
    // A VM is not a host.
    assert_eq!(
        ocr(&env, &sb, &["hosts", "show", &vm]).status.code(),
        Some(5)
    );

    let clusters = ocr_json(&env, &sb, &["clusters", "list"]);
    let hosts_in_clusters: u64 = clusters
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number_hosts"].as_u64().unwrap())
        .sum();
    assert_eq!(hosts_in_clusters as usize, len(&hosts));
    let c = clusters[0]["id"].to_string();
    assert_eq!(ocr_json(&env, &sb, &["clusters", "show", &c]), clusters[0]);

    let dcs = ocr_json(&env, &sb, &["datacenters", "list"]);
    assert_eq!(
        dcs.as_array()
            .unwrap()
            .iter()
            .map(|d| d["number_clusters"].as_u64().unwrap())
            .sum::<u64>() as usize,
        len(&clusters)
    );
    assert_eq!(ocr_json(&env, &sb, &["datacenters", "show", "1"]), dcs[0]);

    let alerts = ocr_json(&env, &sb, &["scan-alerts", "list"]);
    assert!(len(&alerts) >= 3);
    let a = alerts[0]["id"].to_string();
    assert_eq!(ocr_json(&env, &sb, &["scan-alerts", "show", &a]), alerts[0]);

    let sw = ocr_json(
        &env,
        &sb,
        &["installed-softwares", "list", "--q", "sql server"],
    );
    assert!(
        len(&sw) > 0
            && sw
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["label"].as_str().unwrap().contains("SQL Server"))
    );
    assert!(sb
        .requests()
        .last()
        .unwrap()
        .query_pairs()
        .contains(&("q".into(), "sql server".into())));
    let s = sw[0]["id"].to_string();
    assert_eq!(
        ocr_json(&env, &sb, &["installed-softwares", "show", &s]),
        sw[0]
    );
    let usw = ocr_json(
        &env,
        &sb,
        &["user-softwares", "list", "--search", "Exchange"],
    );
    assert!(len(&usw) >= 1);
    let u = usw[0]["id"].to_string();
    assert_eq!(ocr_json(&env, &sb, &["user-softwares", "show", &u]), usw[0]);
}

#[test]
fn lists_fetch_every_page_and_max_items_stops_early() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let all = ocr_json(&env, &sb, &["devices", "list"]);
    assert_eq!(len(&all), 130);
    // 130 at 100 a page: page 1 full, page 2 short, nothing more.
    let pages: Vec<(Option<String>, Option<String>)> = sb
        .requests()
        .iter()
        .map(|r| (r.query_param("page"), r.query_param("showPerPage")))
        .collect();
    assert_eq!(
        pages,
        vec![
            (Some("1".into()), Some("100".into())),
            (Some("2".into()), Some("100".into()))
        ]
    );

    sb.clear_requests();
    let paged = ocr_json(&env, &sb, &["devices", "list", "--page-size", "13"]);
    assert_eq!(paged, all);
    // 130 is a multiple of 13: the eleventh page comes back empty.
    assert_eq!(sb.request_count(), 11);

    sb.clear_requests();
    let out = ocr(
        &env,
        &sb,
        &[
            "devices",
            "list",
            "--page-size",
            "10",
            "--max-items",
            "25",
            "-o",
            "jsonl",
        ],
    );
    assert_eq!(stdout(&out).lines().count(), 25);
    assert_eq!(sb.request_count(), 3);

    sb.clear_requests();
    let one = ocr_json(
        &env,
        &sb,
        &["devices", "list", "--page-size", "7", "--no-paginate"],
    );
    assert_eq!(len(&one), 7);
    assert_eq!(sb.request_count(), 1);
    assert_eq!(
        ocr(&env, &sb, &["devices", "list", "--page-size", "1001"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn customer_filters_of_devices_and_users() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let customers = ocr_json(&env, &sb, &["customers", "list"]);
    let devices = ocr_json(&env, &sb, &["devices", "list"]);
    let users = ocr_json(&env, &sb, &["users", "list"]);
    let c = devices
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["customer_id"].is_u64())
        .unwrap();
    let (id, label, internal) = (
        c["customer_id"].to_string(),
        c["customer_label"].as_str().unwrap(),
        c["customer_internal_id"].as_str().unwrap(),
    );
    let expected: Vec<&Value> = devices
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["customer_id"] == c["customer_id"])
        .collect();
    for (flag, value, param) in [
        ("--customer-id", id.as_str(), "payload[customer.id]"),
        ("--customer-label", label, "payload[customer.label]"),
        (
            "--customer-internal-id",
            internal,
            "payload[customer.internal_id]",
        ),
    ] {
        sb.clear_requests();
        let got = ocr_json(&env, &sb, &["devices", "list", flag, value]);
        assert_eq!(
            got.as_array().unwrap().iter().collect::<Vec<_>>(),
            expected,
            "{flag}"
        );
        assert_eq!(sb.requests()[0].query_param(param).as_deref(), Some(value));
    }
    let cust = &customers[0];
    let mine = ocr_json(
        &env,
        &sb,
        &["users", "list", "--customer-id", &cust["id"].to_string()],
    );
    let expected = users
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["customer_id"] == cust["id"])
        .count();
    assert_eq!(len(&mine), expected);
}

#[test]
fn devices_lifecycle_with_every_way_of_addressing() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let created = ocr_json(
        &env,
        &sb,
        &[
            "devices",
            "create",
            "--label",
            "Server 1",
            "--type",
            "vm",
            "--agreement-number",
            "124-XYZ",
            "--internal-id",
            "Xyz",
            "--cluster-id",
            "11",
            "--operating-system",
            "Windows Server Datacenter",
            "--number-cpu",
            "1",
            "--number-core",
            "4",
            "--status",
            "active",
            "--set",
            "ram_mb=8192",
        ],
    );
    assert_eq!(created["label"], "Server 1");
    assert_eq!(
        (
            created["cluster_id"].as_u64(),
            created["cluster_label"].as_str()
        ),
        (Some(11), Some("CL-FRA-01"))
    );
    assert_eq!(
        (created["number_core"].as_u64(), created["ram_mb"].as_u64()),
        (Some(4), Some(8192))
    );
    let r = sb.requests().into_iter().last().unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/api/workspace/12/infrastructure/devices")
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert!(
        r.body
            .starts_with("WsDevice%5Blabel%5D=Server+1&WsDevice%5Btype_id%5D=vm&"),
        "{}",
        r.body
    );
    let id = created["id"].to_string();

    assert_eq!(ocr_json(&env, &sb, &["devices", "show", &id]), created);
    assert_eq!(
        ocr_json(&env, &sb, &["devices", "show", "Xyz", "--by", "internal"])["id"],
        created["id"]
    );
    assert_eq!(
        ocr_json(
            &env,
            &sb,
            &["devices", "show", "124-XYZ", "--by", "agreement"]
        )["id"],
        created["id"]
    );
    assert_eq!(
        sb.requests()
            .last()
            .unwrap()
            .query_param("agreement")
            .as_deref(),
        Some("1")
    );

    let updated = ocr_json(
        &env,
        &sb,
        &[
            "devices",
            "update",
            "124-XYZ",
            "--by",
            "agreement",
            "--exclude-spla",
            "other",
            "--description",
            "Server out of SPLA scope",
        ],
    );
    assert_eq!(
        (
            updated["exclude_spla"].as_str(),
            updated["exclude_spla_reason"].as_str()
        ),
        (Some("yes"), Some("other"))
    );
    assert_eq!(
        updated["exclude_spla_description"],
        "Server out of SPLA scope"
    );
    let r = sb.requests().into_iter().last().unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PUT", "/api/workspace/12/infrastructure/devices/124-XYZ")
    );
    assert_eq!(r.body, "WsDevice%5Bexclude_spla%5D=yes&WsDevice%5Bexclude_spla_reason%5D=other&WsDevice%5Bexclude_spla_description%5D=Server+out+of+SPLA+scope");
    let relabelled = ocr_json(
        &env,
        &sb,
        &[
            "devices",
            "update",
            &id,
            "--label",
            "Server 2",
            "--include-spla",
        ],
    );
    assert_eq!(
        (
            relabelled["label"].as_str(),
            relabelled["exclude_spla"].as_str()
        ),
        (Some("Server 2"), Some("no"))
    );

    // The server's validation message, exit 6.
    let out = ocr(
        &env,
        &sb,
        &["devices", "update", &id, "--set", "no_such_field=1"],
    );
    assert_eq!(out.status.code(), Some(6));
    assert!(
        stderr(&out).contains("Unknown attribute \"no_such_field\" of WsDevice"),
        "{}",
        stderr(&out)
    );

    env.cmd_for(&sb)
        .args(["ocr", "devices", "delete", "Xyz", "--by", "internal"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("deleted device Xyz"));
    assert_eq!(
        sb.requests()
            .last()
            .unwrap()
            .query_param("internal")
            .as_deref(),
        Some("1")
    );
    env.cmd_for(&sb)
        .args(["ocr", "devices", "show", &id])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("Device not found."));
}

#[test]
fn device_softwares_and_performances() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let vm = ocr_json(&env, &sb, &["vms", "list", "--max-items", "1"])[0].clone();
    let (id, agreement) = (
        vm["id"].to_string(),
        vm["agreement_number"].as_str().unwrap().to_owned(),
    );
    let before = ocr_json(
        &env,
        &sb,
        &[
            "devices",
            "softwares",
            "list",
            &agreement,
            "--by",
            "agreement",
        ],
    );
    assert!(before
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["device_id"] == vm["id"]));
    let created = ocr_json(
        &env,
        &sb,
        &[
            "devices",
            "softwares",
            "create",
            &id,
            "--label",
            "My Custom Software",
            "--status",
            "active",
        ],
    );
    assert_eq!(created["device_id"], vm["id"]);
    let sid = created["id"].to_string();
    assert_eq!(
        sb.requests().last().unwrap().body,
        "WsInstalledSoftware%5Blabel%5D=My+Custom+Software&WsInstalledSoftware%5Bstatus%5D=active"
    );
    let after = ocr_json(&env, &sb, &["devices", "softwares", "list", &id]);
    assert_eq!(len(&after), len(&before) + 1);
    let updated = ocr_json(
        &env,
        &sb,
        &[
            "devices",
            "softwares",
            "update",
            &id,
            &sid,
            "--exclude-spla",
            "other",
            "--description",
            "Software out of SPLA scope",
        ],
    );
    assert_eq!(updated["exclude_spla"], "yes");
    assert_eq!(
        sb.requests().last().unwrap().path,
        format!("/api/workspace/12/infrastructure/devices/{id}/softwares/{sid}")
    );
    env.cmd_for(&sb)
        .args(["ocr", "devices", "softwares", "delete", &id, &sid])
        .assert()
        .success();
    assert_eq!(
        len(&ocr_json(&env, &sb, &["devices", "softwares", "list", &id])),
        len(&before)
    );

    let perf = ocr_json(&env, &sb, &["devices", "performances", "--device-id", &id]);
    assert_eq!(len(&perf), 3);
    let perf = ocr_json(
        &env,
        &sb,
        &[
            "devices",
            "performances",
            "--device-label",
            vm["label"].as_str().unwrap(),
            "--from",
            "2025-11-01",
            "--to",
            "2025-11-30",
        ],
    );
    assert_eq!(len(&perf), 1);
    assert_eq!(perf[0]["observation_start"], "2025-11-01");
    let q = sb.requests().last().unwrap().query_pairs();
    for (k, v) in [
        ("payload[device_label]", vm["label"].as_str().unwrap()),
        ("payload[observation_start]", "2025-11-01"),
        ("payload[observation_end]", "2025-11-30"),
    ] {
        assert!(
            q.contains(&(k.to_owned(), v.to_owned())),
            "{k} missing from {q:?}"
        );
    }
    let all = ocr_json(&env, &sb, &["devices", "performances"]);
    assert_eq!(len(&all), 3 * 130);
}

#[test]
fn installed_and_user_software_updates() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let sw = ocr_json(
        &env,
        &sb,
        &["installed-softwares", "list", "--max-items", "1"],
    )[0]
    .clone();
    let id = sw["id"].to_string();
    let u = ocr_json(
        &env,
        &sb,
        &[
            "installed-softwares",
            "update",
            &id,
            "--exclude-spla",
            "other",
            "--description",
            "Software out of SPLA scope",
        ],
    );
    assert_eq!(
        (
            u["exclude_spla"].as_str(),
            u["exclude_spla_description"].as_str()
        ),
        (Some("yes"), Some("Software out of SPLA scope"))
    );
    env.cmd_for(&sb)
        .args(["ocr", "installed-softwares", "delete", &id])
        .assert()
        .success()
        .stderr(predicate::str::contains("deleted installed software"));
    assert_eq!(
        ocr(&env, &sb, &["installed-softwares", "show", &id])
            .status
            .code(),
        Some(5)
    );

    let usw = ocr_json(&env, &sb, &["user-softwares", "list", "--max-items", "1"])[0].clone();
    let id = usw["id"].to_string();
    let u = ocr_json(
        &env,
        &sb,
        &[
            "user-softwares",
            "update",
            &id,
            "--label",
            "Renamed",
            "--set",
            "version=2",
        ],
    );
    assert_eq!(
        (u["label"].as_str(), u["version"].as_str()),
        (Some("Renamed"), Some("2"))
    );
    env.cmd_for(&sb)
        .args(["ocr", "user-softwares", "delete", &id])
        .assert()
        .success();
    assert_eq!(
        ocr(&env, &sb, &["user-softwares", "show", &id])
            .status
            .code(),
        Some(5)
    );
}

#[test]
fn clusters_lifecycle() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let c = ocr_json(
        &env,
        &sb,
        &[
            "clusters",
            "create",
            "--label",
            "Cluster 1",
            "--set",
            "datacenter_id=2",
        ],
    );
    assert_eq!(
        (
            c["label"].as_str(),
            c["number_hosts"].as_u64(),
            c["datacenter_id"].as_u64()
        ),
        (Some("Cluster 1"), Some(0), Some(2))
    );
    let id = c["id"].to_string();
    let u = ocr_json(
        &env,
        &sb,
        &[
            "clusters",
            "update",
            &id,
            "--exclude-spla",
            "other",
            "--description",
            "Cluster out of SPLA scope",
        ],
    );
    assert_eq!(u["exclude_spla_reason"], "other");
    assert_eq!(sb.requests().last().unwrap().body, "WsCluster%5Bexclude_spla%5D=yes&WsCluster%5Bexclude_spla_reason%5D=other&WsCluster%5Bexclude_spla_description%5D=Cluster+out+of+SPLA+scope");
    env.cmd_for(&sb)
        .args(["ocr", "clusters", "delete", &id])
        .assert()
        .success();
    // A cluster holding devices is refused by the server: exit 6 with its message.
    env.cmd_for(&sb)
        .args(["ocr", "clusters", "delete", "11"])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("still holds"));
}

#[test]
fn users_lifecycle_and_their_software() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let u = ocr_json(
        &env,
        &sb,
        &[
            "users",
            "create",
            "--username",
            "Username 1",
            "--status",
            "active",
        ],
    );
    assert_eq!(
        sb.requests().last().unwrap().body,
        "WsUser%5Busername%5D=Username+1&WsUser%5Bstatus%5D=active"
    );
    let id = u["id"].to_string();
    assert_eq!(ocr_json(&env, &sb, &["users", "show", &id]), u);
    let x = ocr_json(
        &env,
        &sb,
        &["users", "update", &id, "--exclude-spla", "admin"],
    );
    assert_eq!(
        (
            x["exclude_spla"].as_str(),
            x["exclude_spla_reason"].as_str()
        ),
        (Some("yes"), Some("admin"))
    );
    assert_eq!(
        sb.requests().last().unwrap().body,
        "WsUser%5Bexclude_spla%5D=yes&WsUser%5Bexclude_spla_reason%5D=admin"
    );
    // The same user name again: the server's uniqueness check, exit 6.
    assert_eq!(
        ocr(&env, &sb, &["users", "create", "--username", "Username 1"])
            .status
            .code(),
        Some(6)
    );

    let s = ocr_json(
        &env,
        &sb,
        &[
            "users",
            "softwares",
            "create",
            &id,
            "--label",
            "My Custom Software",
        ],
    );
    let sid = s["id"].to_string();
    assert_eq!(
        len(&ocr_json(&env, &sb, &["users", "softwares", "list", &id])),
        1
    );
    let s2 = ocr_json(
        &env,
        &sb,
        &[
            "users",
            "softwares",
            "update",
            &id,
            &sid,
            "--exclude-spla",
            "other",
            "--description",
            "Software out of SPLA scope",
        ],
    );
    assert_eq!(s2["exclude_spla"], "yes");
    env.cmd_for(&sb)
        .args(["ocr", "users", "softwares", "delete", &id, &sid])
        .assert()
        .success();
    assert_eq!(
        len(&ocr_json(&env, &sb, &["users", "softwares", "list", &id])),
        0
    );
    env.cmd_for(&sb)
        .args(["ocr", "users", "delete", &id])
        .assert()
        .success();
    assert_eq!(
        ocr(&env, &sb, &["users", "show", &id]).status.code(),
        Some(5)
    );
}

#[test]
fn customers_lifecycle_assignments_and_lm_expiry() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let c = ocr_json(
        &env,
        &sb,
        &[
            "customers",
            "create",
            "--label",
            "New Customer ABC",
            "--internal-id",
            "431319",
            "--status",
            "active",
        ],
    );
    assert_eq!(sb.requests().last().unwrap().body, "WsCustomer%5Blabel%5D=New+Customer+ABC&WsCustomer%5Binternal_id%5D=431319&WsCustomer%5Bstatus%5D=active");
    let id = c["id"].to_string();
    assert_eq!(
        ocr_json(
            &env,
            &sb,
            &["customers", "show", "431319", "--by", "internal"]
        )["id"],
        c["id"]
    );
    let u = ocr_json(
        &env,
        &sb,
        &[
            "customers",
            "update",
            "431319",
            "--by",
            "internal",
            "--label",
            "Customer ABC",
            "--status",
            "archived",
        ],
    );
    assert_eq!(
        (u["label"].as_str(), u["status"].as_str()),
        (Some("Customer ABC"), Some("archived"))
    );
    assert_eq!(
        sb.requests()
            .last()
            .unwrap()
            .query_param("internal")
            .as_deref(),
        Some("1")
    );

    let vm = ocr_json(&env, &sb, &["vms", "list", "--max-items", "1"])[0]["id"].to_string();
    let d = ocr_json(&env, &sb, &["customers", "assign-device", &id, &vm]);
    assert_eq!(
        (d["customer_id"].to_string(), d["customer_label"].as_str()),
        (id.clone(), Some("Customer ABC"))
    );
    let r = sb.requests().into_iter().last().unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        (
            "PUT",
            format!("/api/workspace/12/customer/{id}/device/{vm}").as_str()
        )
    );
    assert_eq!(
        len(&ocr_json(
            &env,
            &sb,
            &["devices", "list", "--customer-id", &id]
        )),
        1
    );
    let d = ocr_json(&env, &sb, &["customers", "unassign-device", &id, &vm]);
    assert!(d["customer_id"].is_null());
    assert_eq!(sb.requests().last().unwrap().method, "DELETE");
    // Not assigned any more: the server says so, exit 5.
    assert_eq!(
        ocr(&env, &sb, &["customers", "unassign-device", &id, &vm])
            .status
            .code(),
        Some(5)
    );

    let user = ocr_json(&env, &sb, &["users", "list", "--max-items", "1"])[0]["id"].to_string();
    assert_eq!(
        ocr_json(&env, &sb, &["customers", "assign-user", &id, &user])["customer_label"],
        "Customer ABC"
    );
    assert!(
        ocr_json(&env, &sb, &["customers", "unassign-user", &id, &user])["customer_id"].is_null()
    );

    let current = ocr_json(&env, &sb, &["customers", "lm-expiry"]);
    let all = ocr_json(&env, &sb, &["customers", "lm-expiry", "--with-ended"]);
    assert_eq!(
        sb.requests()
            .last()
            .unwrap()
            .query_param("withEnded")
            .as_deref(),
        Some("1")
    );
    assert!(len(&all) >= len(&current) && len(&all) > 0);
    assert!(current
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["expired"] == false));

    env.cmd_for(&sb)
        .args(["ocr", "customers", "delete", &id])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!("deleted customer {id}")));
    assert_eq!(
        ocr(&env, &sb, &["customers", "show", &id]).status.code(),
        Some(5)
    );
}

#[test]
fn price_catalogs() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let reseller = ocr_json(&env, &sb, &["pricecatalog", "show"]);
    assert_eq!(
        sb.requests().last().unwrap().path,
        "/api/workspace/12/pricecatalog/reseller"
    );
    assert!(
        !reseller
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["part_number"] == "P73-05898"),
        "one product is unpriced"
    );
    let customers = ocr_json(&env, &sb, &["pricecatalog", "list", "--customers"]);
    let groups = ocr_json(&env, &sb, &["pricecatalog", "list", "--customer-groups"]);
    assert!(len(&customers) > 0 && len(&groups) > 0);
    let cid = customers[0]["customer_id"].to_string();
    let mine = ocr_json(&env, &sb, &["pricecatalog", "show", "--customer", &cid]);
    assert!(mine
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["customer_id"] == customers[0]["customer_id"]));
    let internal = customers[0]["customer_internal_id"].as_str().unwrap();
    assert_eq!(
        ocr_json(
            &env,
            &sb,
            &[
                "pricecatalog",
                "show",
                "--customer",
                internal,
                "--by",
                "internal"
            ]
        ),
        mine
    );
    let gid = groups[0]["customer_group_id"].to_string();
    assert!(
        len(&ocr_json(
            &env,
            &sb,
            &["pricecatalog", "show", "--customer-group", &gid]
        )) > 0
    );

    let p = ocr_json(
        &env,
        &sb,
        &[
            "pricecatalog",
            "update",
            "--part-number",
            "228-05018",
            "--price",
            "3.10",
            "--category",
            "charity",
        ],
    );
    assert_eq!(
        (p["price"].as_f64(), p["pricecategory"].as_str()),
        (Some(3.1), Some("charity"))
    );
    let r = sb.requests().into_iter().last().unwrap();
    assert_eq!((r.method.as_str(), r.body.as_str()), ("PUT", "Pricecatalog%5Bpart_number%5D=228-05018&Pricecatalog%5Bprice%5D=3.10&Pricecatalog%5Bpricecategory%5D=charity"));
    let p = ocr_json(
        &env,
        &sb,
        &[
            "pricecatalog",
            "update",
            "--customer",
            &cid,
            "--part-number",
            "228-05018",
            "--price",
            "4.20",
            "--number-sold",
            "54",
            "--number-lm",
            "21",
            "--extra-field-1",
            "Extra info 1",
            "--extra-field-2",
            "Extra info 2",
        ],
    );
    assert_eq!(
        (
            p["number_sold"].as_u64(),
            p["number_lm"].as_u64(),
            p["extra_field_2"].as_str()
        ),
        (Some(54), Some(21), Some("Extra info 2"))
    );
    let p = ocr_json(
        &env,
        &sb,
        &[
            "pricecatalog",
            "update",
            "--customer-group",
            &gid,
            "--part-number",
            "228-05018",
            "--price",
            "4.00",
        ],
    );
    assert_eq!(p["customer_group_id"].to_string(), gid);
    assert_eq!(
        sb.requests().last().unwrap().path,
        format!("/api/workspace/12/pricecatalog/customer-groups/{gid}")
    );
}

#[test]
fn contract_licenses_lifecycle() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let all = ocr_json(&env, &sb, &["contract-licenses", "list"]);
    assert!(len(&all) >= 3);
    let vm = ocr_json(&env, &sb, &["vms", "list", "--max-items", "1"])[0].clone();
    let agreement = vm["agreement_number"].as_str().unwrap();
    let c = ocr_json(
        &env,
        &sb,
        &[
            "contract-licenses",
            "create",
            "--device",
            agreement,
            "--by",
            "agreement",
            "--part-number",
            "021-08183",
            "--count",
            "6",
            "--start",
            "2022-04-15",
        ],
    );
    assert_eq!(
        (
            c["number_of_licenses"].as_u64(),
            c["start_date"].as_str(),
            c["device_id"].clone()
        ),
        (Some(6), Some("2022-04-15"), vm["id"].clone())
    );
    let r = sb.requests().into_iter().last().unwrap();
    assert_eq!(
        r.path,
        format!("/api/workspace/12/contract-licenses/device/{agreement}")
    );
    assert_eq!(r.query_param("agreement").as_deref(), Some("1"));
    assert_eq!(r.body, "WsContractLicense%5Bsoftware_license_part_number%5D=021-08183&WsContractLicense%5Bnumber_of_licenses%5D=6&WsContractLicense%5Bstart_date%5D=2022-04-15");
    let id = c["id"].to_string();
    assert_eq!(ocr_json(&env, &sb, &["contract-licenses", "show", &id]), c);
    let by_device = ocr_json(
        &env,
        &sb,
        &[
            "contract-licenses",
            "list",
            "--device",
            &vm["id"].to_string(),
        ],
    );
    assert!(by_device.as_array().unwrap().contains(&c));
    env.cmd_for(&sb)
        .args(["ocr", "contract-licenses", "delete", &id])
        .assert()
        .success();
    assert_eq!(
        ocr(&env, &sb, &["contract-licenses", "show", &id])
            .status
            .code(),
        Some(5)
    );

    let customer = all[0]["customer_id"].to_string();
    let theirs = ocr_json(
        &env,
        &sb,
        &["contract-licenses", "list", "--customer", &customer],
    );
    assert!(len(&theirs) >= 1);
    // delete-all without --yes and without a terminal: exit 2, nothing sent.
    sb.clear_requests();
    env.cmd_for(&sb)
        .args([
            "ocr",
            "contract-licenses",
            "delete-all",
            "--customer",
            &customer,
        ])
        .assert()
        .code(2)
        .stdout("");
    assert_eq!(sb.request_count(), 0);
    let out = ocr(
        &env,
        &sb,
        &[
            "contract-licenses",
            "delete-all",
            "--customer",
            &customer,
            "--yes",
            "-o",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["deleted"].as_u64(), Some(len(&theirs) as u64));
    let r = sb.requests().into_iter().last().unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        (
            "DELETE",
            format!("/api/workspace/12/contract-licenses/customer/{customer}").as_str()
        )
    );
    assert_eq!(
        len(&ocr_json(
            &env,
            &sb,
            &["contract-licenses", "list", "--customer", &customer]
        )),
        0
    );
    env.cmd_for(&sb)
        .args(["ocr", "contract-licenses", "delete-all", "--yes"])
        .assert()
        .success();
    assert_eq!(len(&ocr_json(&env, &sb, &["contract-licenses", "list"])), 0);
}

#[test]
fn activities_page_by_300_and_filter() {
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            scale: 200,
            ..Default::default()
        }),
    );
    let all = ocr_json(&env, &sb, &["activities", "list"]);
    assert_eq!(len(&all), 350);
    let pages: Vec<(Option<String>, Option<String>)> = sb
        .requests()
        .iter()
        .map(|r| (r.query_param("page"), r.query_param("showPerPage")))
        .collect();
    assert_eq!(
        pages,
        vec![
            (Some("1".into()), Some("300".into())),
            (Some("2".into()), Some("300".into()))
        ]
    );
    sb.clear_requests();
    let filtered = ocr_json(
        &env,
        &sb,
        &[
            "activities",
            "list",
            "--filter",
            "model=WsDevice",
            "--filter",
            "action=create",
        ],
    );
    assert!(
        len(&filtered) > 0
            && filtered
                .as_array()
                .unwrap()
                .iter()
                .all(|a| a["model"] == "WsDevice" && a["action"] == "create")
    );
    let q = sb.requests()[0].query_pairs();
    assert!(
        q.contains(&("Activity[model]".into(), "WsDevice".into()))
            && q.contains(&("Activity[action]".into(), "create".into()))
    );
    // API changes show up as activities.
    ocr_json(&env, &sb, &["clusters", "create", "--label", "Audit me"]);
    let latest = ocr_json(&env, &sb, &["activities", "list", "--max-items", "1"]);
    assert_eq!(
        (latest[0]["model"].as_str(), latest[0]["user"].as_str()),
        (Some("WsCluster"), Some("api"))
    );
}

#[test]
fn spla_reseller_report_as_table_csv_and_json() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let out = ocr(
        &env,
        &sb,
        &[
            "reports",
            "spla-reseller",
            "--month",
            "2026-01",
            "-o",
            "table",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    insta::assert_snapshot!("ocr_spla_reseller_table", stdout(&out));
    // The default data lacks a purchase price: the warning names every part and category.
    assert!(
        stderr(&out).contains("P73-05898 (corporate)"),
        "{}",
        stderr(&out)
    );
    let r = &sb.requests()[0];
    assert_eq!(
        r.path,
        "/api/workspace/12/report/licensing/spla-usage-reseller"
    );
    assert_eq!(
        r.query_param("payload[month_id]").as_deref(),
        Some("202601")
    );

    let csv = ocr(
        &env,
        &sb,
        &["reports", "spla-reseller", "--month", "202601", "-o", "csv"],
    );
    insta::assert_snapshot!("ocr_spla_reseller_csv", stdout(&csv));
    let rows = ocr_json(
        &env,
        &sb,
        &["reports", "spla-reseller", "--month", "2026-01", "--flat"],
    );
    assert_eq!(stdout(&csv).lines().count(), 1 + len(&rows));
    // The flat structure and the default grouped one give the same rows.
    let grouped = ocr_json(
        &env,
        &sb,
        &["reports", "spla-reseller", "--month", "2026-01"],
    );
    assert_eq!(grouped, rows);
    let whole = ocr_json(
        &env,
        &sb,
        &[
            "reports",
            "spla-reseller",
            "--month",
            "2026-01",
            "--section",
            "all",
        ],
    );
    assert_eq!(whole["month_id"], "202601");
    assert!(whole["summaryLicenses"].is_object() && whole["customersServersSoftware"].is_array());
    let missing = ocr_json(
        &env,
        &sb,
        &[
            "reports",
            "spla-reseller",
            "--month",
            "2026-01",
            "--section",
            "missing-prices",
        ],
    );
    assert!(missing
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["part_number"] == "P73-05898"));
    let servers = ocr_json(
        &env,
        &sb,
        &[
            "reports",
            "spla-reseller",
            "--month",
            "2026-01",
            "--section",
            "customers",
            "--flat",
        ],
    );
    assert!(len(&servers) > 0 && servers[0]["software_label"].is_string());
    let itemized = ocr_json(
        &env,
        &sb,
        &[
            "reports",
            "spla-reseller",
            "--month",
            "2026-01",
            "--section",
            "itemized",
        ],
    );
    assert_eq!(
        sb.requests()
            .last()
            .unwrap()
            .query_param("payload[with_itemized]")
            .as_deref(),
        Some("1")
    );
    let total: u64 = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["quantity"].as_u64().unwrap())
        .sum();
    let itemized_priced: u64 = itemized
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            !missing
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["part_number"] == i["part_number"])
        })
        .map(|i| i["quantity"].as_u64().unwrap())
        .sum();
    assert!(itemized_priced <= total && total > 0);
}

#[test]
fn spla_report_periods_and_options() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let range = ocr_json(
        &env,
        &sb,
        &[
            "reports",
            "spla-reseller",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
            "--flat",
        ],
    );
    let month = ocr_json(
        &env,
        &sb,
        &["reports", "spla-reseller", "--month", "2026-01", "--flat"],
    );
    assert_eq!(range, month);
    let q = sb.requests()[0].query_pairs();
    assert!(
        q.contains(&("payload[start_date]".into(), "2026-01-01".into()))
            && q.contains(&("payload[end_date]".into(), "2026-01-31".into()))
    );
    let now = ocr_json(
        &env,
        &sb,
        &[
            "reports",
            "spla-reseller",
            "--without-high-water-mark",
            "--section",
            "all",
        ],
    );
    assert_eq!(
        sb.requests()
            .last()
            .unwrap()
            .query_param("payload[without_high_water_mark]")
            .as_deref(),
        Some("1")
    );
    assert_eq!(now["high_water_mark"], false);
    let cmp = ocr_json(
        &env,
        &sb,
        &[
            "reports",
            "spla-reseller",
            "--month",
            "2026-01",
            "--compare",
            "2025-12,2023-06",
            "--existing",
            "--itemized",
            "--section",
            "all",
        ],
    );
    let r = sb.requests().into_iter().last().unwrap();
    for (k, v) in [
        ("payload[compare_months]", "202512,202306"),
        ("payload[existing]", "1"),
        ("payload[with_itemized]", "1"),
    ] {
        assert_eq!(r.query_param(k).as_deref(), Some(v), "{k}");
    }
    assert!(cmp["compareMonths"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["month_id"] == "202306"));
    // Reports can be deleted by id; a second delete is 404.
    let id = cmp["id"].to_string();
    env.cmd_for(&sb)
        .args(["ocr", "reports", "delete", &id])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!("deleted report {id}")));
    assert_eq!(
        ocr(&env, &sb, &["reports", "delete", &id]).status.code(),
        Some(5)
    );
}

#[test]
fn spla_customer_report_and_missing_prices() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let lines = ocr_json(
        &env,
        &sb,
        &["reports", "spla-customer", "--month", "2026-01", "--flat"],
    );
    assert!(len(&lines) > 10);
    assert!(lines
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["customer_id"].is_u64() && l["part_number"].is_string()));
    assert_eq!(
        ocr_json(
            &env,
            &sb,
            &["reports", "spla-customer", "--month", "2026-01"]
        ),
        lines,
        "nested customers unfold to the same rows"
    );
    let one = lines[0]["customer_id"].to_string();
    let theirs = ocr_json(
        &env,
        &sb,
        &[
            "reports",
            "spla-customer",
            "--month",
            "2026-01",
            "--flat",
            "--customer",
            &one,
        ],
    );
    assert_eq!(
        sb.requests()
            .last()
            .unwrap()
            .query_param("payload[customer_ids]")
            .as_deref(),
        Some(one.as_str())
    );
    assert_eq!(
        theirs.as_array().unwrap().to_vec(),
        lines
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["customer_id"] == lines[0]["customer_id"])
            .cloned()
            .collect::<Vec<_>>()
    );
    let summary = ocr(
        &env,
        &sb,
        &[
            "reports",
            "spla-customer",
            "--month",
            "2026-01",
            "--section",
            "summary",
            "-o",
            "csv",
        ],
    );
    assert!(stdout(&summary).starts_with("part_number,label,license_type,pricecategory,quantity,"));

    // --require-prices: exit 9 and nothing on stdout, the parts named on stderr.
    env.cmd_for(&sb)
        .args([
            "ocr",
            "reports",
            "spla-customer",
            "--month",
            "2026-01",
            "--require-prices",
            "-o",
            "json",
        ])
        .assert()
        .code(9)
        .stdout("")
        .stderr(predicate::str::contains("P73-05898 (academic)"));
    // Priced, the license is calculated and the failure goes away.
    for cat in ["corporate", "academic", "charity"] {
        ocr_json(
            &env,
            &sb,
            &[
                "pricecatalog",
                "update",
                "--part-number",
                "P73-05898",
                "--price",
                "8.20",
                "--category",
                cat,
            ],
        );
        ocr_json(
            &env,
            &sb,
            &[
                "pricecatalog",
                "update",
                "--part-number",
                "021-08183",
                "--price",
                "15",
                "--category",
                cat,
            ],
        );
        ocr_json(
            &env,
            &sb,
            &[
                "pricecatalog",
                "update",
                "--part-number",
                "228-05018",
                "--price",
                "2",
                "--category",
                cat,
            ],
        );
    }
    let out = ocr(
        &env,
        &sb,
        &[
            "reports",
            "spla-customer",
            "--month",
            "2026-01",
            "--flat",
            "--require-prices",
            "-o",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("WARN"), "{}", stderr(&out));
    assert!(json(&out)
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["part_number"] == "P73-05898"));
}

#[test]
fn cloud_vm_cost_adviser_and_data_export() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let both = ocr_json(&env, &sb, &["reports", "cloud-vm-cost-adviser"]);
    assert!(sb.requests()[0]
        .query_param("payload[cloud_provider]")
        .is_none());
    let azure = ocr_json(
        &env,
        &sb,
        &["reports", "cloud-vm-cost-adviser", "--provider", "azure"],
    );
    assert_eq!(
        sb.requests()
            .last()
            .unwrap()
            .query_param("payload[cloud_provider]")
            .as_deref(),
        Some("10_ms_azure")
    );
    assert_eq!(len(&azure) * 2, len(&both));
    let cust = azure[0]["customer_id"].to_string();
    let mine = ocr_json(
        &env,
        &sb,
        &[
            "reports",
            "cloud-vm-cost-adviser",
            "--provider",
            "azure,aws",
            "--customer",
            &cust,
        ],
    );
    let r = sb.requests().into_iter().last().unwrap();
    assert_eq!(
        r.query_param("payload[cloud_provider]").as_deref(),
        Some("10_ms_azure,20_amazon_web_services_aws")
    );
    assert_eq!(
        r.query_param("payload[customer_id]").as_deref(),
        Some(cust.as_str())
    );
    assert!(mine
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["customer_id"] == azure[0]["customer_id"]));

    let devices = ocr_json(
        &env,
        &sb,
        &[
            "reports",
            "data-export",
            "--category",
            "WsDevice",
            "--from",
            "2020-01-01",
            "--to",
            "2026-12-31",
        ],
    );
    assert_eq!(len(&devices), 130);
    let q = sb.requests().last().unwrap().query_pairs();
    for (k, v) in [
        ("payload[category]", "WsDevice"),
        ("payload[start_date]", "2020-01-01"),
        ("payload[end_date]", "2026-12-31"),
    ] {
        assert!(q.contains(&(k.to_owned(), v.to_owned())), "{k}");
    }
    let seed_spelling = ocr_json(
        &env,
        &sb,
        &[
            "reports",
            "data-export",
            "--category",
            "WsDatanceter",
            "--from",
            "2020-01-01",
            "--to",
            "2026-12-31",
        ],
    );
    let fixed_spelling = ocr_json(
        &env,
        &sb,
        &[
            "reports",
            "data-export",
            "--category",
            "WsDatacenter",
            "--from",
            "2020-01-01",
            "--to",
            "2026-12-31",
        ],
    );
    assert_eq!(
        sb.requests()
            .last()
            .unwrap()
            .query_param("payload[category]")
            .as_deref(),
        Some("WsDatanceter")
    );
    assert_eq!(seed_spelling, fixed_spelling);
    assert_eq!(len(&seed_spelling), 2);
    for c in [
        "WsCluster",
        "WsInstalledSoftware-server",
        "WsUser",
        "WsInstalledSoftware-user",
        "WsCustomer",
        "WsAssignedDevice",
        "WsCustomerGroup",
        "WsScanAlert",
        "WsScanner",
    ] {
        let v = ocr_json(
            &env,
            &sb,
            &[
                "reports",
                "data-export",
                "--category",
                c,
                "--from",
                "2020-01-01",
                "--to",
                "2026-12-31",
            ],
        );
        assert!(v.is_array(), "{c}");
    }
    let early = ocr_json(
        &env,
        &sb,
        &[
            "reports",
            "data-export",
            "--category",
            "WsDevice",
            "--from",
            "2020-01-01",
            "--to",
            "2023-03-31",
        ],
    );
    assert!(len(&early) < 130);
}

#[test]
fn xml_answers_print_exactly_like_json() {
    let (env, sb) = (TestEnv::new(), sandbox());
    for args in [
        vec!["devices", "list"],
        vec!["customers", "show", "1001"],
        vec!["workspaces", "assets", "12"],
        vec!["activities", "list", "--max-items", "20"],
        vec!["reports", "spla-customer", "--month", "2026-01"],
        vec![
            "reports",
            "spla-reseller",
            "--month",
            "2026-01",
            "--section",
            "all",
        ],
        vec!["alerts"],
        vec!["customers", "lm-expiry", "--with-ended"],
    ] {
        let from_json = ocr_json(&env, &sb, &args);
        let mut xml_args = vec!["--server-format", "xml"];
        xml_args.extend(&args);
        sb.clear_requests();
        let from_xml = ocr_json(&env, &sb, &xml_args);
        assert_eq!(from_xml, from_json, "{args:?}");
        assert_eq!(
            sb.requests()[0].query_param("_format").as_deref(),
            Some("xml")
        );
    }
    let csv = |fmt: &str| {
        stdout(&ocr(
            &env,
            &sb,
            &[
                "--server-format",
                fmt,
                "reports",
                "spla-reseller",
                "--month",
                "2026-01",
                "-o",
                "csv",
            ],
        ))
    };
    assert_eq!(csv("xml"), csv("json"));
    // Errors in XML carry the message too.
    env.cmd_for(&sb)
        .args(["ocr", "--server-format", "xml", "devices", "show", "1"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("Device not found."));
}

#[test]
fn refused_credentials_and_missing_configuration() {
    let (env, sb) = (TestEnv::new(), sandbox());
    env.cmd_for(&sb)
        .env("LICCTL_OCREPORTER_TOKEN", "not-the-token")
        .args(["ocr", "devices", "list"])
        .assert()
        .code(4)
        .stdout("")
        .stderr(
            predicate::str::contains("invalid credentials")
                .and(predicate::str::contains("not-the-token").not()),
        );
    env.cmd_for(&sb)
        .env("LICCTL_OCREPORTER_TENANT", "OC-000000")
        .args(["ocr", "devices", "list"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("_tenant"));
    env.cmd_for(&sb)
        .args(["ocr", "--workspace", "99", "devices", "list"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("Workspace"));
    env.cmd_for(&sb)
        .env_remove("LICCTL_OCREPORTER_WORKSPACE")
        .args(["ocr", "devices", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("workspace"));
    env.cmd_for(&sb)
        .env_remove("LICCTL_OCREPORTER_TENANT")
        .args(["ocr", "devices", "list"])
        .assert()
        .code(3);
    env.cmd().args(["ocr", "devices", "list"]).assert().code(3);
    // The token never shows, not even in --dry-run.
    sb.clear_requests();
    let out = ocr(
        &env,
        &sb,
        &[
            "devices",
            "create",
            "--label",
            "S",
            "--type",
            "vm",
            "--dry-run",
        ],
    );
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("_token=***") && text.contains("WsDevice%5Blabel%5D=S"),
        "{text}"
    );
    assert!(!text.contains(&sb.credentials().ocr_token));
    assert_eq!(sb.request_count(), 0);
}

#[test]
fn bad_input_is_exit_2_and_sends_nothing() {
    let (env, sb) = (TestEnv::new(), sandbox());
    let cases: &[&[&str]] = &[
        &["reports", "spla-reseller", "--month", "2026-13"],
        &["reports", "spla-customer", "--month", "26-01"],
        &["reports", "spla-reseller"],
        &["reports", "spla-reseller", "--from", "2026-01-01"],
        &[
            "reports",
            "spla-reseller",
            "--from",
            "2026-02-01",
            "--to",
            "2026-01-31",
        ],
        &[
            "reports",
            "spla-reseller",
            "--from",
            "2026-02-30",
            "--to",
            "2026-03-01",
        ],
        &[
            "reports",
            "spla-reseller",
            "--month",
            "2026-01",
            "--compare",
            "2025-13",
        ],
        &[
            "reports",
            "spla-reseller",
            "--month",
            "2026-01",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
        ],
        &[
            "reports",
            "spla-customer",
            "--month",
            "2026-01",
            "--customer",
            "abc",
        ],
        &[
            "reports",
            "data-export",
            "--category",
            "WsNothing",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
        ],
        &[
            "reports",
            "data-export",
            "--category",
            "WsDevice",
            "--from",
            "2026-1-1",
            "--to",
            "2026-01-31",
        ],
        &["reports", "cloud-vm-cost-adviser", "--provider", "gcp"],
        &["reports", "delete", "x"],
        &["contract-licenses", "delete-all"],
        &[
            "contract-licenses",
            "create",
            "--device",
            "1",
            "--part-number",
            "P",
            "--count",
            "0",
        ],
        &[
            "contract-licenses",
            "create",
            "--device",
            "1",
            "--part-number",
            "P",
            "--count",
            "1",
            "--end",
            "2026-02-31",
        ],
        &[
            "contract-licenses",
            "list",
            "--customer",
            "X",
            "--by",
            "agreement",
        ],
        &["customers", "show", "X", "--by", "agreement"],
        &["customers", "update", "5"],
        &["devices", "show", "abc"],
        &["devices", "create", "--label", "S", "--type", "server"],
        &["devices", "update", "5", "--set", "broken"],
        &["devices", "update", "5", "--set", "a[b]=1"],
        &["devices", "update", "5", "--description", "no reason"],
        &["devices", "performances", "--from", "yesterday"],
        &["devices", "list", "--customer-id", "x"],
        &[
            "pricecatalog",
            "update",
            "--part-number",
            "P",
            "--price",
            "3",
        ],
        &[
            "pricecatalog",
            "update",
            "--part-number",
            "P",
            "--price",
            "-1",
            "--category",
            "corporate",
        ],
        &[
            "pricecatalog",
            "update",
            "--part-number",
            "P",
            "--price",
            "3",
            "--category",
            "corporate",
            "--number-sold",
            "2",
        ],
        &["pricecatalog", "list"],
        &["activities", "list", "--filter", "nofield"],
        &["users", "update", "5"],
        &["clusters", "update", "5"],
    ];
    for args in cases {
        let out = ocr(&env, &sb, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(stderr(&out).contains("error"), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(sb.request_count(), 0);
}

#[test]
fn collect_month_maps_the_customer_report() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sb = sandbox();
    let env: std::collections::HashMap<String, String> = sb.env_exports().into_iter().collect();
    let config =
        licctl::config::Config::from_parts("/nonexistent/config.toml".into(), None, env, None)
            .unwrap();
    let ctx = licctl::context::Context::new(licctl::cli::GlobalArgs::default(), config);
    let month = licctl::usage::Month::parse("2026-01").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = ctx.http().unwrap().with_fresh_record();
    let usage = rt
        .block_on(licctl::vendors::ocreporter::usage::collect_month(
            &ctx,
            http.clone(),
            month,
        ))
        .unwrap();
    let again = rt
        .block_on(licctl::vendors::ocreporter::usage::collect_month(
            &ctx,
            http.clone(),
            month,
        ))
        .unwrap();
    assert_eq!(usage.rows, again.rows, "deterministic for unchanged data");
    let r = &sb.requests()[0];
    assert_eq!(
        r.path,
        "/api/workspace/12/report/licensing/spla-usage-customer"
    );
    assert_eq!(
        r.query_param("payload[month_id]").as_deref(),
        Some("202601")
    );
    assert_eq!(
        r.query_param("payload[flat_structure]").as_deref(),
        Some("1")
    );
    assert_eq!(http.records().len(), 2);
    assert!(http.records()[0].url.contains("_token=***"));

    let lines = usage.raw["customers"].as_array().unwrap();
    assert_eq!(usage.rows.len(), lines.len());
    assert!(usage.rows.iter().all(|r| r.vendor == "ocreporter"
        && r.period_start == "2026-01-01"
        && r.period_end == "2026-01-31"));
    assert!(usage
        .rows
        .iter()
        .all(|r| r.metric == "SAL" || r.metric == "core"));
    assert!(usage
        .rows
        .windows(2)
        .all(|w| w[0].sort_key() <= w[1].sort_key()));
    let total: f64 = usage.rows.iter().map(|r| r.quantity).sum();
    let expected: f64 = lines.iter().map(|l| l["quantity"].as_f64().unwrap()).sum();
    assert_eq!(total, expected);
    assert!(
        usage.warnings.iter().any(|w| w.contains("P73-05898")),
        "{:?}",
        usage.warnings
    );
    assert!(!usage.details["missingUnitPrices"]
        .as_array()
        .unwrap()
        .is_empty());
}

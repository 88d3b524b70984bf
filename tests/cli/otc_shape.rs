//! OTC request shapes against wiremock (exact paths, query encoding, bearer / basic / no auth),
//! the seed's examples, summary totals over a fixture, and proof that the v2 NDJSON stream is
//! printed while it is still arriving.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock as WMock, ResponseTemplate};

use crate::common::{stderr, stdout, Mock, TestEnv};

const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/otc")
            .join(name),
    )
    .unwrap()
}

fn server() -> Mock {
    let mock = Mock::start();
    mock.mount(
        WMock::given(any())
            .respond_with(ResponseTemplate::new(599))
            .with_priority(100),
    );
    mock
}

fn run(mock: &Mock, args: &[&str]) -> std::process::Output {
    TestEnv::new()
        .cmd()
        .env("LICCTL_OTC_URL", mock.uri())
        .env("LICCTL_OTC_API_KEY", KEY)
        .env("LICCTL_OTC_GRAFANA_USER", "admin")
        .env("LICCTL_OTC_GRAFANA_PASSWORD", "s3cret pass")
        .args(args)
        .output()
        .unwrap()
}

fn auth(r: &wiremock::Request) -> Option<String> {
    r.headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_owned())
}

#[test]
fn list_encodes_every_filter_in_the_query_with_the_bearer_key() {
    let mock = server();
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/v1/consumption"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(fixture("consumption_list.json"), "application/json"),
            ),
    );
    let out = run(
        &mock,
        &[
            "otc",
            "consumption",
            "list",
            "--no-paginate",
            "--page-size",
            "3",
            "--contract",
            "1000021234",
            "--date",
            "2020-02-01",
            "--tagged",
            "true",
            "--product",
            "7",
            "--product-description",
            "Disk Intensive d2.4xl.8 Linux & more",
            "--project-name",
            "eu-de",
            "--resource-id",
            "129dea56-f552-4db9-8caf-1e3fea3d78cb",
            "--tag-key",
            "cost center",
            "--tag-value",
            "a/b+c",
            "-o",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(
        r.url.query().unwrap(),
        "offset=0&limit=3&contract=1000021234&consumption_date=2020-02-01&tagged=true&product=7\
         &product_description=Disk+Intensive+d2.4xl.8+Linux+%26+more&project_name=eu-de\
         &resource_id=129dea56-f552-4db9-8caf-1e3fea3d78cb&tag_key=cost+center&tag_value=a%2Fb%2Bc"
    );
    assert_eq!(auth(r).as_deref(), Some(format!("Bearer {KEY}").as_str()));
    assert!(
        r.body.is_empty(),
        "filters travel in the query (curl -G), not in a body"
    );
    // The one record, every field as sent.
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let seed: Value = serde_json::from_slice(&fixture("consumption_list.json")).unwrap();
    assert_eq!(printed, seed["contents"]);
}

#[test]
fn paging_is_driven_by_total_and_stays_in_order() {
    let mock = server();
    // 7 records, total 7, pages of 3: offsets 0, 3, 6.
    let page = |offset: u64, n: u64| {
        let contents: Vec<Value> = (offset..offset + n)
            .map(|i| json!({"kind": "Consumption", "contract": i, "amount": i}))
            .collect();
        json!({"offset": offset, "total": 7, "limit": 3, "kind": "Collection", "contents": contents})
    };
    for (offset, n) in [(0, 3), (3, 3), (6, 1)] {
        mock.mount(
            WMock::given(method("GET"))
                .and(path("/v1/consumption"))
                .and(wiremock::matchers::query_param(
                    "offset",
                    offset.to_string(),
                ))
                .respond_with(ResponseTemplate::new(200).set_body_json(page(offset, n))),
        );
    }
    let out = run(
        &mock,
        &[
            "otc",
            "consumption",
            "list",
            "--page-size",
            "3",
            "-o",
            "csv",
            "--fields",
            "contract",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "contract\n0\n1\n2\n3\n4\n5\n6\n");
    let limits: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| r.url.query().unwrap().to_string())
        .collect();
    assert_eq!(limits.len(), 3);
    assert!(
        limits.contains(&"offset=6&limit=1".to_owned()),
        "{limits:?}"
    );
}

#[test]
fn day_week_month_reserved_paths_and_queries() {
    let mock = server();
    for (p, file) in [
        ("/v1/consumption/day", "consumption_day.json"),
        ("/v1/consumption/week", "consumption_week.json"),
        ("/v1/consumption/month", "consumption_month.json"),
        ("/v1/consumption/reserved", "reserved.json"),
    ] {
        mock.mount(WMock::given(method("GET")).and(path(p)).respond_with(
            ResponseTemplate::new(200).set_body_raw(fixture(file), "application/json"),
        ));
    }
    for (args, expect) in [
        (
            &["otc", "consumption", "day", "--date", "2020-08-01"][..],
            "/v1/consumption/day?consumption_date=2020-08-01",
        ),
        (
            &[
                "otc",
                "consumption",
                "week",
                "--year",
                "2020",
                "--week",
                "33",
            ][..],
            "/v1/consumption/week?year=2020&week=33",
        ),
        (
            &["otc", "consumption", "month", "--month", "2020-07"][..],
            "/v1/consumption/month?month=2020-07",
        ),
        (
            &["otc", "consumption", "reserved", "--contract", "1000038535"][..],
            "/v1/consumption/reserved?contract=1000038535",
        ),
        (
            &["otc", "consumption", "reserved"][..],
            "/v1/consumption/reserved",
        ),
    ] {
        let out = run(&mock, &[args, &["-o", "json"]].concat());
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let r = mock.requests().pop().unwrap();
        let got = match r.url.query() {
            Some(q) => format!("{}?{q}", r.url.path()),
            None => r.url.path().to_owned(),
        };
        assert_eq!(got, expect);
        assert_eq!(auth(&r).as_deref(), Some(format!("Bearer {KEY}").as_str()));
    }
    // The reserved answer is printed exactly as sent: trailing-space keys, "2 ST".
    let out = run(&mock, &["otc", "consumption", "reserved", "-o", "json"]);
    let seed: Value = serde_json::from_slice(&fixture("reserved.json")).unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        seed["contents"]
    );
}

#[test]
fn health_is_never_authenticated() {
    let mock = server();
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/v1/consumption/health"))
            .respond_with(ResponseTemplate::new(200)),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/v2/health"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "ok"}))),
    );
    assert!(run(&mock, &["otc", "health"]).status.success());
    let out = run(
        &mock,
        &["otc", "--api-version", "v2", "health", "-o", "json"],
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        json!({"status": "ok"})
    );
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2);
    assert!(reqs.iter().all(|r| auth(r).is_none()));
}

#[test]
fn grafana_uses_the_seed_curl_paths_and_basic_auth() {
    let mock = server();
    let ok =
        |file: &str| ResponseTemplate::new(200).set_body_raw(fixture(file), "application/json");
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/v1/Grafana/auth/keys"))
            .respond_with(ok("grafana_keys_list.json")),
    );
    mock.mount(
        WMock::given(method("POST"))
            .and(path("/v1/grafana/auth/keys"))
            .respond_with(ok("grafana_key_create.json")),
    );
    mock.mount(
        WMock::given(method("DELETE"))
            .and(path("/v1/Grafana/auth/keys/1234"))
            .respond_with(ResponseTemplate::new(204)),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/v1/grafana/user/orgs"))
            .respond_with(ok("grafana_orgs_list.json")),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/v1/grafana/user/orgs/current"))
            .respond_with(ok("grafana_org_current.json")),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/v1/grafana/user/using/1"))
            .respond_with(ok("grafana_org_switch.json")),
    );
    let basic = "Basic YWRtaW46czNjcmV0IHBhc3M="; // base64("admin:s3cret pass")
    for (args, file) in [
        (
            &["otc", "grafana", "keys", "list"][..],
            Some("grafana_keys_list.json"),
        ),
        (
            &["otc", "grafana", "keys", "create", "--name", "myApiKey"][..],
            Some("grafana_key_create.json"),
        ),
        (&["otc", "grafana", "keys", "delete", "1234"][..], None),
        (
            &["otc", "grafana", "orgs", "list"][..],
            Some("grafana_orgs_list.json"),
        ),
        (
            &["otc", "grafana", "orgs", "current"][..],
            Some("grafana_org_current.json"),
        ),
        (
            &["otc", "grafana", "orgs", "switch", "1"][..],
            Some("grafana_org_switch.json"),
        ),
    ] {
        let out = run(&mock, &[args, &["-o", "json"]].concat());
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("deprecated"), "{args:?}");
        assert!(!stderr(&out).contains("s3cret"));
        let r = mock.requests().pop().unwrap();
        assert_eq!(auth(&r).as_deref(), Some(basic), "{args:?}");
        let printed: Value = if out.stdout.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&out.stdout).unwrap()
        };
        match file {
            Some(f) => {
                let seed: Value = serde_json::from_slice(&fixture(f)).unwrap();
                let expect = seed.get("list").cloned().unwrap_or(seed);
                assert_eq!(printed, expect, "{args:?}");
            }
            None => assert_eq!(printed, Value::Null),
        }
        if args[3] == "create" {
            assert_eq!(
                serde_json::from_slice::<Value>(&r.body).unwrap(),
                json!({"name": "myApiKey"})
            );
            assert_eq!(r.headers.get("content-type").unwrap(), "application/json");
        }
    }
}

#[test]
fn v2_query_encodes_every_filter() {
    let mock = server();
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/v2/hourly/consumption/"))
            .respond_with(ResponseTemplate::new(200).set_body_raw("", "application/x-ndjson")),
    );
    let out = run(
        &mock,
        &[
            "otc",
            "--api-version",
            "v2",
            "consumption",
            "list",
            "--granularity",
            "hourly",
            "--consumption-type",
            "RC",
            "--contract",
            "42",
            "--date",
            "2026-01-31",
            "--hour",
            "0",
            "--month",
            "1",
            "--week",
            "5",
            "--year",
            "2026",
            "--product",
            "32",
            "--product-description",
            "GPU & co",
            "--project-name",
            "eu-de",
            "--resource-id",
            "r-1",
            "--show-tag",
            "--tag-key",
            "env",
            "--tag-value",
            "prod test",
            "-o",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "[]\n");
    let r = &mock.requests()[0];
    assert_eq!(
        r.url.query().unwrap(),
        "consumption_type=RC&contract=42&date=2026-01-31&hour=0&month=1&week=5&year=2026&product=32\
         &product_description=GPU+%26+co&project_name=eu-de&resource_id=r-1&show_tag=true&tag_key=env&tag_value=prod+test"
    );
    assert_eq!(auth(r).as_deref(), Some(format!("Bearer {KEY}").as_str()));
}

#[test]
fn api_errors_carry_the_vendor_message() {
    let mock = server();
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/v1/consumption"))
            .respond_with(
                ResponseTemplate::new(400)
                    .set_body_json(json!({"message": "Some content in the request was invalid."})),
            ),
    );
    let out = run(&mock, &["otc", "consumption", "list"]);
    assert_eq!(out.status.code(), Some(6));
    assert!(
        stderr(&out).contains("Some content in the request was invalid. (HTTP 400"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn the_seed_examples_parse() {
    use licctl::vendors::otc::model::{collection_from_value, parse_collection};
    let list = parse_collection(&fixture("consumption_list.json")).unwrap();
    assert_eq!(list.total, Some(261));
    let r = &list.items[0];
    assert_eq!(
        (r.contract.as_deref(), r.amount, r.product.as_deref()),
        (Some("1000021234"), Some(42.048), Some("OTC_D24XL8_LI"))
    );
    assert_eq!(r.billing_quantity.as_ref().unwrap().value, Some(24.0));
    for f in [
        "consumption_day.json",
        "consumption_week.json",
        "consumption_month.json",
    ] {
        let p = parse_collection(&fixture(f)).unwrap();
        assert_eq!((p.total, p.items.len()), (Some(261), 1), "{f}");
    }
    // The documented examples that are not JSON: the fixtures hold the corrected bodies.
    assert!(serde_json::from_slice::<Value>(&fixture("consumption_month.verbatim.txt")).is_err());
    assert!(serde_json::from_slice::<Value>(&fixture("grafana_key_create.verbatim.txt")).is_err());
    let reserved: Value = serde_json::from_slice(&fixture("reserved.json")).unwrap();
    let p = collection_from_value(reserved.clone()).unwrap();
    let r = &p.items[0];
    assert_eq!(r.contract.as_deref(), Some("1000038535"));
    assert_eq!(r.consumption_date.as_deref(), Some("2020-10-01 00:00:00"));
    let q = r.billing_quantity.clone().unwrap();
    assert_eq!((q.value, q.unit.as_deref()), (Some(2.0), Some("ST")));
    assert_eq!(
        r.raw(),
        &reserved["contents"][0],
        "the raw record keeps the trailing-space keys"
    );
    for f in ["grafana_keys_list.json", "grafana_orgs_list.json"] {
        let v: Value = serde_json::from_slice(&fixture(f)).unwrap();
        assert_eq!(
            licctl::vendors::otc::client::grafana_list(v).unwrap().len(),
            1
        );
    }
    for f in [
        "grafana_key_create.json",
        "grafana_org_current.json",
        "grafana_org_switch.json",
    ] {
        assert!(
            serde_json::from_slice::<Value>(&fixture(f))
                .unwrap()
                .is_object(),
            "{f}"
        );
    }
}

#[test]
fn summary_totals_equal_an_independent_sum_of_the_fixture() {
    let body = fixture("v2_daily_sample.ndjson");
    // Independent sums straight from the file's text.
    let mut expect: std::collections::BTreeMap<String, (f64, f64, f64, u64)> = Default::default();
    for line in String::from_utf8(body.clone())
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let v: Value = serde_json::from_str(line).unwrap();
        let contract = v
            .get("contract")
            .or_else(|| v.get("contract "))
            .unwrap()
            .to_string();
        let num = |k: &str| match &v[k] {
            Value::Number(n) => n.as_f64().unwrap(),
            Value::String(s) => s.split(' ').next().unwrap().parse().unwrap(),
            _ => 0.0,
        };
        let e = expect.entry(contract).or_default();
        e.0 += num("amount");
        e.1 += num("listprice_amount");
        e.2 += num("billing_quantity");
        e.3 += 1;
    }
    assert_eq!(expect.len(), 3);
    let mock = server();
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/v2/daily/consumption/"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/x-ndjson")),
    );
    let out = run(
        &mock,
        &[
            "otc",
            "--api-version",
            "v2",
            "consumption",
            "summary",
            "--month",
            "2020-07",
            "--by",
            "contract",
            "-o",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let groups: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(groups.len(), 3);
    let mut prev = f64::INFINITY;
    for g in &groups {
        let e = expect[g["group"].as_str().unwrap()];
        let amount = g["amount"].as_f64().unwrap();
        assert!(
            (amount - e.0).abs() < 1e-9
                && (g["listprice_amount"].as_f64().unwrap() - e.1).abs() < 1e-9,
            "{g}"
        );
        assert!(
            (g["billing_quantity"].as_f64().unwrap() - e.2).abs() < 1e-9,
            "{g}"
        );
        assert_eq!(g["items"].as_u64().unwrap(), e.3);
        assert!(amount <= prev);
        prev = amount;
    }
    // Hand-checked: contract 1000038535 = 0.567 + 375.44, 100 GB + "2 ST".
    assert_eq!(
        groups[0],
        json!({"group": "1000038535", "amount": 376.007, "listprice_amount": 400.63, "billing_quantity": 102.0, "items": 2})
    );
    let r = &mock.requests()[0];
    assert_eq!(r.url.query(), Some("month=7&year=2020"));
}

/// A one-connection HTTP server that sends the first NDJSON line, then holds the answer open
/// until told to finish; proves licctl prints items while the answer is still arriving.
#[test]
fn v2_items_are_printed_before_the_answer_ends() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (finish_tx, finish_rx) = mpsc::channel::<()>();
    let server = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            sock.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        let chunk = |s: &str| format!("{:x}\r\n{s}\r\n", s.len());
        let first = "{\"contract\":1,\"amount\":1.5,\"product\":\"A\"}\n";
        write!(sock, "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n{}", chunk(first)).unwrap();
        sock.flush().unwrap();
        // Hold the answer open until the test has seen the first item on licctl's stdout.
        let _ = finish_rx.recv_timeout(Duration::from_secs(120));
        let rest = "{\"contract\":2,\"amount\":2.5,\"product\":\"B\"}\n";
        write!(sock, "{}0\r\n\r\n", chunk(rest)).unwrap();
        sock.flush().unwrap();
        String::from_utf8_lossy(&head).into_owned()
    });

    let env = TestEnv::new();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("licctl"))
        .env_clear()
        .env("HOME", env.path())
        .env("XDG_CONFIG_HOME", env.path().join("config"))
        .env("XDG_CACHE_HOME", env.path().join("cache"))
        .env("RUST_BACKTRACE", "0")
        .env("LICCTL_OTC_URL", &url)
        .env("LICCTL_OTC_API_KEY", KEY)
        .args([
            "otc",
            "--api-version",
            "v2",
            "consumption",
            "list",
            "-o",
            "jsonl",
            "--retries",
            "0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (line_tx, line_rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if line_tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let first = line_rx.recv_timeout(Duration::from_secs(60));
    // Whatever happened, let the server finish so nothing hangs.
    let _ = finish_tx.send(());
    let first =
        first.expect("the first item must be printed while the server still holds the answer open");
    assert_eq!(
        serde_json::from_str::<Value>(&first).unwrap()["contract"],
        1
    );
    let second = line_rx.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&second).unwrap()["contract"],
        2
    );
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{err}");
    reader.join().unwrap();
    let head = server.join().unwrap();
    assert!(
        head.starts_with("GET /v2/daily/consumption/ HTTP/1.1"),
        "{head}"
    );
    assert!(head
        .to_ascii_lowercase()
        .contains(&format!("authorization: bearer {KEY}")));
}

//! Request shape: wiremock asserts the exact method, path, query, headers and body of every
//! BigFix command. A catch-all answers 599 so that an unexpected request fails loudly.

use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock as WMock, ResponseTemplate};

use crate::common::{stderr, Mock, TestEnv};

const TOKEN: &str = "6b884e39d8d34e05192c5d72dd6739607293b828";
const METRICS: &str = "/api/sam/v2/metrics";

fn server() -> Mock {
    let mock = Mock::start();
    mock.mount(
        WMock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(599))
            .with_priority(100),
    );
    mock
}

fn metric(code: &str, display: &str) -> serde_json::Value {
    serde_json::json!({"id": 32468, "code_name": code, "display_name": display, "source_type": 2, "source_id": 32468})
}

fn run(mock: &Mock, args: &[&str]) -> std::process::Output {
    TestEnv::new()
        .cmd()
        .env("LICCTL_BIGFIX_URL", mock.uri())
        .env("LICCTL_BIGFIX_TOKEN", TOKEN)
        .args(args)
        .output()
        .unwrap()
}

/// The query string as (name, value) pairs in order.
fn query(r: &wiremock::Request) -> Vec<(String, String)> {
    r.url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn list_sends_limit_offset_and_token() {
    let mock = server();
    mock.mount(WMock::given(method("GET")).and(path(METRICS)).respond_with(
        ResponseTemplate::new(200).set_body_json(serde_json::json!({"total": 0, "rows": []})),
    ));
    let out = run(&mock, &["bigfix", "metrics", "list", "--page-size", "50"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        query(&reqs[0]),
        pairs(&[("limit", "50"), ("offset", "0"), ("token", TOKEN)])
    );
    assert!(reqs[0].body.is_empty());
    let ua = reqs[0].headers.get("user-agent").unwrap().to_str().unwrap();
    assert_eq!(ua, concat!("licctl/", env!("CARGO_PKG_VERSION")));
    assert!(reqs[0].headers.get("token").is_none());
}

#[test]
fn create_is_a_post_with_query_parameters() {
    let mock = server();
    mock.mount(
        WMock::given(method("POST"))
            .and(path(METRICS))
            .and(query_param("code_name", "METRIC_POST"))
            .and(query_param("display_name", "DISPLAY"))
            .and(query_param("token", TOKEN))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(metric("METRIC_POST", "DISPLAY")),
            )
            .expect(1),
    );
    let out = run(
        &mock,
        &[
            "bigfix",
            "metrics",
            "create",
            "--code-name",
            "METRIC_POST",
            "--display-name",
            "DISPLAY",
            "-o",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        query(&reqs[0]),
        pairs(&[
            ("code_name", "METRIC_POST"),
            ("display_name", "DISPLAY"),
            ("token", TOKEN)
        ])
    );
    assert!(reqs[0].body.is_empty());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, metric("METRIC_POST", "DISPLAY"));
}

#[test]
fn update_is_a_put_with_the_new_display_name_encoded() {
    let mock = server();
    mock.mount(WMock::given(method("PUT")).and(path(METRICS)).respond_with(
        ResponseTemplate::new(200).set_body_json(metric("CUSTOM_1", "Updated value & more")),
    ));
    let out = run(
        &mock,
        &[
            "bigfix",
            "metrics",
            "update",
            "--code-name",
            "CUSTOM_1",
            "--display-name",
            "Updated value & more",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let r = &mock.requests()[0];
    assert_eq!(r.method.as_str(), "PUT");
    assert_eq!(
        r.url.query(),
        Some(
            format!("code_name=CUSTOM_1&display_name=Updated+value+%26+more&token={TOKEN}")
                .as_str()
        )
    );
}

#[test]
fn delete_sends_only_the_code_name() {
    let mock = server();
    mock.mount(
        WMock::given(method("DELETE"))
            .and(path(METRICS))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({}))),
    );
    let out = run(
        &mock,
        &["bigfix", "metrics", "delete", "--code-name", "TEST"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let r = &mock.requests()[0];
    assert_eq!(r.method.as_str(), "DELETE");
    assert_eq!(query(r), pairs(&[("code_name", "TEST"), ("token", TOKEN)]));
}

#[test]
fn header_token_leaves_the_query_clean() {
    let mock = server();
    mock.mount(
        WMock::given(method("GET"))
            .and(path(METRICS))
            .and(header("token", TOKEN))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([]))),
    );
    let out = run(
        &mock,
        &["bigfix", "--token-location", "header", "metrics", "list"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let r = &mock.requests()[0];
    assert!(!query(r).iter().any(|(k, _)| k == "token"));
}

#[test]
fn the_seed_examples_parse() {
    // fixtures/bigfix holds the seed's response bodies verbatim.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bigfix");
    let list = std::fs::read(dir.join("metrics_list.json")).unwrap();
    let page = licctl::vendors::bigfix::model::parse_metric_page(&list).unwrap();
    assert_eq!(page.total, Some(3));
    assert_eq!(page.items.len(), 3);
    assert_eq!(page.items[1].code_name.as_deref(), Some("VU_VALUE_UNIT"));
    for name in ["metric_create.json", "metric_update.json"] {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap();
        let m = licctl::vendors::bigfix::model::Metric::from_value(v.clone()).unwrap();
        assert!(m.code_name.is_some());
        assert_eq!(m.raw(), &v);
    }
    for name in [
        "error_already_present.json",
        "error_not_proper.json",
        "error_does_not_exist.json",
        "error_too_long.json",
        "error_update_not_allowed.json",
        "error_delete_not_allowed.json",
    ] {
        let body = std::fs::read(dir.join(name)).unwrap();
        assert!(licctl::http::message::extract(&body).is_some(), "{name}");
    }
    let del: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("metric_delete.json")).unwrap()).unwrap();
    assert_eq!(del, serde_json::json!({}));
}

//! The seed's example answer (fixtures/veeam/reports_list.json, verbatim) served by wiremock
//! and rendered by `licctl veeam licensing reports list` whole and in every view.

use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock as WMock, ResponseTemplate};

use crate::common::{stderr, stdout, Mock, TestEnv};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/veeam")
            .join(name),
    )
    .unwrap()
}

fn seed_server() -> Mock {
    let mock = Mock::start();
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/api/v3/licensing/reports"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                fixture("reports_list.json"),
                "application/json; charset=utf-8",
            )),
    );
    mock
}

fn list(mock: &Mock, args: &[&str]) -> String {
    let out = TestEnv::new()
        .cmd()
        .env("LICCTL_VEEAM_URL", mock.uri())
        .env("LICCTL_VEEAM_API_KEY", "key")
        .args(["veeam", "licensing", "reports", "list"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn json_keeps_the_report_exactly_as_sent() {
    let mock = seed_server();
    let printed: Value = serde_json::from_str(&list(&mock, &["-o", "json"])).unwrap();
    let seed: Value = serde_json::from_slice(&fixture("reports_list.json")).unwrap();
    assert_eq!(printed, seed["data"]);
    // Key order too, misspelling and all.
    let text = list(&mock, &["-o", "jsonl"]);
    assert!(
        text.starts_with(r#"{"reportParemeters":{"reportId":10,"#),
        "{text}"
    );
    assert!(text.contains(r#""endOfInterval":"2020-02-31T00:00:00.0000000-07:00""#));
    assert!(text.contains(r#""notCollectedCloudServers":null"#));
}

#[test]
fn every_view_of_the_seed_report() {
    let mock = seed_server();
    for view in [
        "reports",
        "products",
        "workloads",
        "organizations",
        "details",
    ] {
        insta::assert_snapshot!(
            format!("veeam_seed_view_{view}_csv"),
            list(&mock, &["--view", view, "-o", "csv"])
        );
        insta::assert_snapshot!(
            format!("veeam_seed_view_{view}_json"),
            list(&mock, &["--view", view, "-o", "json"])
        );
    }
    insta::assert_snapshot!("veeam_seed_default_table", list(&mock, &["-o", "table"]));
    // The seed's month, selected by --month.
    assert_eq!(
        list(
            &mock,
            &["--month", "2020-02", "--view", "reports", "-o", "csv"]
        )
        .lines()
        .count(),
        2
    );
    assert_eq!(
        list(
            &mock,
            &["--month", "2020-03", "--view", "reports", "-o", "csv"]
        )
        .lines()
        .count(),
        1
    );
}

#[test]
fn the_documented_side_answers_parse() {
    // fixtures/veeam/README.md says where each comes from.
    let fin: Value = serde_json::from_slice(&fixture("finalization.json")).unwrap();
    assert_eq!(fin["data"]["reportApprovalStatus"], "Finalized");
    for name in [
        "error_logical.json",
        "error_retryable_520.json",
        "error_429_retry_after.json",
    ] {
        let body = fixture(name);
        assert!(licctl::http::message::extract(&body).is_some(), "{name}");
    }
    assert!(licctl::http::message::says_retryable(&fixture(
        "error_retryable_520.json"
    )));
    assert_eq!(
        licctl::http::message::retry_after_from_body(&fixture("error_429_retry_after.json")),
        Some(30.0)
    );
    let page =
        licctl::vendors::veeam::model::parse_collection(&fixture("reports_list.json"), "reports")
            .unwrap();
    assert_eq!(page.total, Some(1));
    let report = licctl::vendors::veeam::model::parse_report(page.items[0].clone()).unwrap();
    assert_eq!(report.params().report_id, Some(10));
    assert_eq!(report.raw(), &page.items[0]);
}

//! Request shape of `licctl veeam-vspc` with wiremock: the token call's form body, the bearer
//! header, limit/offset, the JSON-Patch body, the csv download, the filter parameter, and
//! how Veeam's `errors[]`, 520 and 429-with-`retryAfter` answers are handled. A catch-all
//! answers 599 so that an unexpected request fails loudly.

use serde_json::{json, Value};
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock as WMock, ResponseTemplate};

use crate::common::{stderr, stdout, Mock, TestEnv};

const USER: &str = "svc-licctl";
const PASSWORD: &str = "p@ss w0rd&more";
const REPORTS: &str = "/api/v3/licensing/reports";

fn server() -> Mock {
    let mock = Mock::start();
    mock.mount(
        WMock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(599))
            .with_priority(100),
    );
    mock
}

fn token_answer(access: &str, refresh: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": access, "token_type": "bearer", "refresh_token": refresh, "expires_in": expires_in
    }))
}

fn collection(items: Vec<Value>, total: usize, offset: usize) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "meta": {"pagingInfo": {"total": total, "count": items.len(), "offset": offset}},
        "data": items,
    }))
}

fn report(id: i64) -> Value {
    json!({"reportParameters": {"reportId": id, "organizationName": format!("Org {id}"),
        "reportInterval": {"startOfInterval": "2026-10-01T00:00:00Z", "endOfInterval": "2026-10-31T00:00:00Z"}},
        "reportSummary": {"totalPoints": id as f64, "productsUsage": []}})
}

fn with_password(env: &TestEnv, mock: &Mock) -> assert_cmd::Command {
    let mut c = env.cmd();
    c.env("LICCTL_VEEAM_URL", mock.uri())
        .env("LICCTL_VEEAM_USERNAME", USER)
        .env("LICCTL_VEEAM_PASSWORD", PASSWORD);
    c
}

fn with_key(env: &TestEnv, mock: &Mock) -> assert_cmd::Command {
    let mut c = env.cmd();
    c.env("LICCTL_VEEAM_URL", mock.uri())
        .env("LICCTL_VEEAM_API_KEY", "static-key-123");
    c
}

fn form(r: &wiremock::Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&r.body).into_owned().collect()
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn password_grant_form_then_bearer_with_limit_and_offset() {
    let mock = server();
    mock.mount(
        WMock::given(method("POST"))
            .and(path("/api/v3/token"))
            .respond_with(token_answer("AT-1", "RT-1", 3600)),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path(REPORTS))
            .and(header("authorization", "Bearer AT-1"))
            .and(query_param("offset", "0"))
            .respond_with(collection(vec![report(1), report(2)], 5, 0)),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path(REPORTS))
            .and(query_param("offset", "2"))
            .respond_with(collection(vec![report(3), report(4)], 5, 2)),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path(REPORTS))
            .and(query_param("offset", "4"))
            .respond_with(collection(vec![report(5)], 5, 4)),
    );
    let env = TestEnv::new();
    let out = with_password(&env, &mock)
        .args([
            "veeam",
            "licensing",
            "reports",
            "list",
            "--page-size",
            "2",
            "--concurrency",
            "1",
            "-o",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 5);
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 4);
    let t = &reqs[0];
    assert_eq!(t.method.as_str(), "POST");
    assert_eq!(
        t.headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        String::from_utf8_lossy(&t.body),
        "grant_type=password&username=svc-licctl&password=p%40ss+w0rd%26more"
    );
    assert_eq!(
        form(t),
        pairs(&[
            ("grant_type", "password"),
            ("username", USER),
            ("password", PASSWORD)
        ])
    );
    assert!(t.headers.get("authorization").is_none());
    let queries: Vec<Option<&str>> = reqs[1..].iter().map(|r| r.url.query()).collect();
    assert_eq!(
        queries,
        [
            Some("limit=2&offset=0"),
            Some("limit=2&offset=2"),
            Some("limit=1&offset=4")
        ]
    );
    for r in &reqs[1..] {
        assert_eq!(r.headers.get("authorization").unwrap(), "Bearer AT-1");
        assert!(r.body.is_empty());
    }
}

#[test]
fn refresh_grant_form_on_the_next_command() {
    let mock = server();
    // expires_in 30 is inside the refresh margin: the second command refreshes first.
    mock.mount(
        WMock::given(method("POST"))
            .and(path("/api/v3/token"))
            .and(body_string(
                "grant_type=password&username=svc-licctl&password=p%40ss+w0rd%26more",
            ))
            .respond_with(token_answer("AT-1", "RT-1", 30)),
    );
    mock.mount(
        WMock::given(method("POST"))
            .and(path("/api/v3/token"))
            .and(body_string("grant_type=refresh_token&refresh_token=RT-1"))
            .respond_with(token_answer("AT-2", "RT-2", 3600)),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/api/v3/licensing/reports/settings"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"data": {"autoApprove": true}})),
            ),
    );
    let env = TestEnv::new();
    for _ in 0..2 {
        let out = with_password(&env, &mock)
            .args(["veeam", "licensing", "reports", "settings", "-o", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            serde_json::from_slice::<Value>(&out.stdout).unwrap(),
            json!({"autoApprove": true})
        );
    }
    let reqs = mock.requests();
    let auth: Vec<Option<String>> = reqs
        .iter()
        .map(|r| {
            r.headers
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        auth,
        [
            None,
            Some("Bearer AT-1".into()),
            None,
            Some("Bearer AT-2".into())
        ]
    );
    assert_eq!(
        form(&reqs[2]),
        pairs(&[("grant_type", "refresh_token"), ("refresh_token", "RT-1")])
    );
}

#[test]
fn settings_patch_is_a_json_patch_document() {
    let mock = server();
    mock.mount(
        WMock::given(method("PATCH"))
            .and(path("/api/v3/licensing/reports/settings"))
            .and(header("authorization", "Bearer static-key-123"))
            .and(header("content-type", "application/json"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"data": {"autoApprove": false, "x": 1}})),
            ),
    );
    let out = with_key(&TestEnv::new(), &mock)
        .args([
            "veeam",
            "licensing",
            "reports",
            "settings",
            "--auto-approve",
            "false",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1);
    let body: Value = serde_json::from_slice(&reqs[0].body).unwrap();
    assert_eq!(
        body,
        json!([{"op": "replace", "path": "/autoApprove", "value": false}])
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        json!({"autoApprove": false, "x": 1})
    );
}

#[test]
fn finalize_is_a_bare_post_that_is_never_replayed() {
    let mock = server();
    mock.mount(
        WMock::given(method("POST"))
            .and(path("/api/v3/licensing/reports/finalization"))
            .respond_with(ResponseTemplate::new(503).set_body_json(
                json!({"errors": [{"message": "busy", "type": "logical", "code": 503}]}),
            )),
    );
    let out = with_key(&TestEnv::new(), &mock)
        .args(["veeam", "licensing", "reports", "finalize"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert!(stderr(&out).contains("busy (HTTP 503"), "{}", stderr(&out));
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1, "a POST is not replay-safe");
    assert!(reqs[0].body.is_empty());
}

#[test]
fn csv_download_keeps_every_byte() {
    let mock = server();
    let body = "\u{feff}\"Organization\";\"Points\"\r\n\"Zürich Café AG\";5,5\r\n";
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/api/v3/licensing/reports/42/csv"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(body.as_bytes().to_vec(), "application/octet-stream"),
            ),
    );
    let env = TestEnv::new();
    let file = env.path().join("out.csv");
    let out = with_key(&env, &mock)
        .args([
            "veeam",
            "licensing",
            "reports",
            "csv",
            "42",
            "--out",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(&file).unwrap(), body.as_bytes());
    let accept = mock.requests()[0]
        .headers
        .get("accept")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(accept.starts_with("text/csv"), "{accept}");
}

#[test]
fn usage_filter_travels_as_one_json_parameter() {
    let mock = server();
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/api/v3/licensing/usage/organizations"))
            .respond_with(collection(
                vec![json!({"organizationUid": "u", "usedPoints": 1.5, "extra": {"kept": true}})],
                1,
                0,
            )),
    );
    let uid = "e312fbbd-1e33-415d-8d38-b422c576523a";
    let out = with_key(&TestEnv::new(), &mock)
        .args([
            "veeam",
            "licensing",
            "usage",
            "organizations",
            "--organization-uid",
            uid,
            "--name-contains",
            "Beta",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        json!([{"organizationUid": "u", "usedPoints": 1.5, "extra": {"kept": true}}])
    );
    let r = &mock.requests()[0];
    let q: Vec<(String, String)> = r
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(q[0], ("limit".to_owned(), "100".to_owned()));
    assert_eq!(q[1], ("offset".to_owned(), "0".to_owned()));
    assert_eq!(q[2].0, "filter");
    assert_eq!(
        serde_json::from_str::<Value>(&q[2].1).unwrap(),
        json!([
            {"property": "organizationUid", "operation": "equals", "value": uid},
            {"property": "organizationName", "operation": "contains", "collation": "ignorecase", "value": "Beta"}
        ])
    );
}

#[test]
fn errors_array_becomes_the_error_line() {
    let mock = server();
    mock.mount(WMock::given(method("GET")).and(path("/api/v3/licensing/reports/latest")).respond_with(
        ResponseTemplate::new(403).set_body_json(json!({"errors": [{"message": "Access denied: the Portal Administrator role is required", "type": "security", "code": 1100}]})),
    ));
    let out = with_key(&TestEnv::new(), &mock)
        .args(["veeam", "licensing", "reports", "latest"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("error: getting the latest license usage reports: Access denied: the Portal Administrator role is required (HTTP 403 Forbidden from GET /api/v3/licensing/reports/latest)"),
        "{err}"
    );
}

#[test]
fn retryable_520_is_retried_and_others_are_not() {
    let mock = server();
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/api/v3/licensing/reports/latest"))
            .respond_with(ResponseTemplate::new(520).set_body_json(json!({"errors": [{"message": "try later", "type": "retryableLogical", "code": 520}]})))
            .up_to_n_times(1)
            .with_priority(1),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/api/v3/licensing/reports/latest"))
            .respond_with(collection(vec![report(9)], 1, 0))
            .with_priority(2),
    );
    let out = with_key(&TestEnv::new(), &mock)
        .args(["veeam", "licensing", "reports", "latest", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mock.requests().len(), 2);

    let mock = server();
    mock.mount(WMock::given(method("GET")).and(path("/api/v3/licensing/reports/latest")).respond_with(
        ResponseTemplate::new(520).set_body_json(json!({"errors": [{"message": "Report generation failed", "type": "logical", "code": 520}]})),
    ));
    let out = with_key(&TestEnv::new(), &mock)
        .args(["veeam", "licensing", "reports", "latest"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    assert!(
        stderr(&out).contains("Report generation failed (HTTP 520 Unknown Error"),
        "{}",
        stderr(&out)
    );
    assert_eq!(mock.requests().len(), 1, "a logical 520 is not retried");
}

#[test]
fn throttling_waits_for_the_bodys_retry_after() {
    let mock = server();
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/api/v3/licensing/reports/latest"))
            .respond_with(ResponseTemplate::new(429).set_body_json(
                json!({"errors": [{"message": "Too many requests", "type": "retryableLogical", "code": 429, "retryAfter": 0.2}]}),
            ))
            .up_to_n_times(1)
            .with_priority(1),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/api/v3/licensing/reports/latest"))
            .respond_with(collection(vec![report(9)], 1, 0))
            .with_priority(2),
    );
    let started = std::time::Instant::now();
    let out = with_key(&TestEnv::new(), &mock)
        .args(["veeam", "licensing", "reports", "latest", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
    assert_eq!(mock.requests().len(), 2);
}

#[test]
fn a_url_ending_in_api_v3_is_not_doubled() {
    let mock = server();
    mock.mount(
        WMock::given(method("GET"))
            .and(path("/api/v3/licensing/reports/latest"))
            .respond_with(collection(vec![], 0, 0)),
    );
    let out = TestEnv::new()
        .cmd()
        .env("LICCTL_VEEAM_URL", format!("{}/api/v3/", mock.uri()))
        .env("LICCTL_VEEAM_API_KEY", "k")
        .args(["veeam", "licensing", "reports", "latest", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "[]\n");
}

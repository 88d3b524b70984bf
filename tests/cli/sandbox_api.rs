//! The sandbox itself, over real HTTP with reqwest: every BigFix route and documented error,
//! paging, determinism, the request log, chaos, latency, TLS and the background handle.
//!
//! These pin the sandbox's behaviour so that the vendor tests built on it can trust it.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use licctl::sandbox::{self, ChaosAnswer, Sandbox, SandboxOptions};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Predefined BigFix metrics (source_type 0 and 1) every sandbox holds besides the custom ones.
const PREDEFINED: usize = 15;

fn client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
}

fn client() -> reqwest::Client {
    client_builder().build().unwrap()
}

async fn start(opts: SandboxOptions) -> Sandbox {
    sandbox::start(opts).await.unwrap()
}

async fn start_default() -> Sandbox {
    start(SandboxOptions::default()).await
}

fn with_seed(seed: u64) -> SandboxOptions {
    SandboxOptions {
        seed,
        ..SandboxOptions::default()
    }
}

/// A BigFix client for one sandbox: the metrics URL and the sandbox's token.
struct Api {
    client: reqwest::Client,
    url: String,
    token: String,
}

impl Api {
    fn new(sandbox: &Sandbox) -> Self {
        Self::with_client(sandbox, client())
    }

    fn with_client(sandbox: &Sandbox, client: reqwest::Client) -> Self {
        Api {
            client,
            url: format!("{}/api/sam/v2/metrics", sandbox.base_url()),
            token: sandbox.credentials().bigfix_token.clone(),
        }
    }

    /// `method` on the metrics URL with `params` and the token in the query string.
    async fn call(&self, method: Method, params: &[(&str, &str)]) -> (StatusCode, Value) {
        let mut query: Vec<(&str, &str)> = params.to_vec();
        query.push(("token", &self.token));
        let resp = self
            .client
            .request(method, &self.url)
            .query(&query)
            .send()
            .await
            .unwrap();
        status_and_json(resp).await
    }

    async fn list(&self, params: &[(&str, &str)]) -> Value {
        let (status, body) = self.call(Method::GET, params).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

async fn status_and_json(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text:?}"));
    (status, body)
}

fn rows(body: &Value) -> &Vec<Value> {
    body["rows"].as_array().unwrap()
}

fn error(message: &str) -> Value {
    json!({ "error": message })
}

#[tokio::test]
async fn list_holds_the_seed_metrics_in_id_order() {
    let sb = start_default().await;
    let body = Api::new(&sb).list(&[]).await;
    assert_eq!(body["total"], json!(PREDEFINED + 100));
    let rows = rows(&body);
    assert_eq!(rows.len(), PREDEFINED + 100);

    for expected in [
        json!({"id": -32603, "code_name": "CONCURRENT_USER", "display_name": "Concurrent User", "source_type": 1, "source_id": 27}),
        json!({"id": -32470, "code_name": "VU_VALUE_UNIT", "display_name": "VU Value Unit", "source_type": 1, "source_id": 32}),
        json!({"id": -32337, "code_name": "APPSERVER_CONNECTED", "display_name": "AppServer Connected", "source_type": 1, "source_id": 108}),
    ] {
        assert!(rows.contains(&expected), "missing {expected}");
    }
    let keys: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "code_name",
            "display_name",
            "source_type",
            "source_id"
        ]
    );
    let ids: Vec<i64> = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids not ascending");

    let predefined: Vec<&Value> = rows.iter().filter(|r| r["source_type"] != 2).collect();
    assert_eq!(predefined.len(), PREDEFINED);
    assert!(predefined.iter().all(|r| r["id"].as_i64().unwrap() < 0));
    assert!(rows
        .iter()
        .any(|r| r["code_name"] == "PROCESSOR_VALUE_UNIT" && r["source_type"] == 0));

    let custom: Vec<&Value> = rows.iter().filter(|r| r["source_type"] == 2).collect();
    assert_eq!(custom.len(), 100);
    assert_eq!(custom[0]["code_name"], "CUSTOM_METRIC_0001");
    assert_eq!(custom[99]["code_name"], "CUSTOM_METRIC_0100");
    for r in &custom {
        assert!(r["id"].as_i64().unwrap() > 0);
        assert_eq!(r["source_id"], r["id"]);
    }
    let names: HashSet<&str> = rows
        .iter()
        .map(|r| r["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), rows.len(), "display names are unique");
    assert!(names.len() > 20, "display names vary");
}

#[tokio::test]
async fn token_is_required_and_may_come_as_a_header() {
    let sb = start_default().await;
    let url = format!("{}/api/sam/v2/metrics", sb.base_url());
    let token = sb.credentials().bigfix_token.clone();
    assert_eq!(token.len(), 40);
    let c = client();

    let (status, body) = status_and_json(c.get(&url).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        error("Authentication required: provide the API token as the token parameter or the Token header")
    );

    let invalid = error("Invalid token: the API token is not valid or has expired");
    let resp = c
        .get(&url)
        .query(&[("token", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        status_and_json(resp).await,
        (StatusCode::UNAUTHORIZED, invalid.clone())
    );
    let resp = c.get(&url).header("Token", "nope").send().await.unwrap();
    assert_eq!(
        status_and_json(resp).await,
        (StatusCode::UNAUTHORIZED, invalid.clone())
    );
    // Every verb checks the token before anything else.
    for method in [Method::POST, Method::PUT, Method::DELETE] {
        let resp = c
            .request(method.clone(), &url)
            .query(&[("code_name", "X"), ("display_name", "X"), ("token", "nope")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            status_and_json(resp).await,
            (StatusCode::UNAUTHORIZED, invalid.clone()),
            "{method}"
        );
    }

    let resp = c
        .get(&url)
        .header("Token", &token)
        .query(&[("limit", "1")])
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_json(resp).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&body).len(), 1);
}

#[tokio::test]
async fn limit_and_offset_page_with_the_full_total() {
    let sb = start_default().await;
    let api = Api::new(&sb);
    let all = api.list(&[]).await;
    let all = rows(&all).clone();
    let total = json!(all.len());

    let page = api.list(&[("limit", "10"), ("offset", "5")]).await;
    assert_eq!(page["total"], total);
    assert_eq!(rows(&page)[..], all[5..15]);

    let first = api.list(&[("limit", "7")]).await;
    assert_eq!(rows(&first)[..], all[..7]);

    let tail = api.list(&[("offset", "110")]).await;
    assert_eq!(rows(&tail)[..], all[110..]);

    let last = api.list(&[("limit", "10"), ("offset", "110")]).await;
    assert_eq!(rows(&last)[..], all[110..]);

    let beyond = api.list(&[("limit", "10"), ("offset", "1000")]).await;
    assert_eq!(beyond["total"], total);
    assert!(rows(&beyond).is_empty());

    // Walking the pages yields every row exactly once.
    let mut walked = Vec::new();
    let mut offset = 0;
    loop {
        let page = api
            .list(&[("limit", "25"), ("offset", &offset.to_string())])
            .await;
        let got = rows(&page);
        if got.is_empty() {
            break;
        }
        walked.extend(got.iter().cloned());
        offset += 25;
    }
    assert_eq!(walked, all);

    for (name, value, min) in [
        ("limit", "abc", 1),
        ("limit", "-1", 1),
        ("limit", "0", 1),
        ("limit", "", 1),
        ("offset", "x", 0),
        ("offset", "-5", 0),
    ] {
        let (status, body) = api.call(Method::GET, &[(name, value)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}={value}");
        assert_eq!(
            body,
            error(&format!(
                "Invalid value of the {name} parameter: '{value}'. It must be an integer greater than or equal to {min}."
            ))
        );
    }
}

#[tokio::test]
async fn post_creates_custom_metrics_as_documented() {
    let sb = start_default().await;
    let api = Api::new(&sb);
    let before = api.list(&[]).await;
    let max_id = rows(&before)
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .max()
        .unwrap();

    let (status, created) = api
        .call(
            Method::POST,
            &[("code_name", "METRIC_POST"), ("display_name", "DISPLAY")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let id = created["id"].as_i64().unwrap();
    assert!(id > max_id);
    assert_eq!(
        created,
        json!({"id": id, "code_name": "METRIC_POST", "display_name": "DISPLAY", "source_type": 2, "source_id": id})
    );
    let after = api.list(&[]).await;
    assert_eq!(after["total"], json!(PREDEFINED + 101));
    assert_eq!(rows(&after).last().unwrap(), &created);

    // The seed's own example: the same POST again.
    let present = error("Metric already present");
    let (status, body) = api
        .call(
            Method::POST,
            &[("code_name", "METRIC_POST"), ("display_name", "DISPLAY")],
        )
        .await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, present.clone()));
    // Same display name, new code; and an existing predefined code name.
    for (code, display) in [("OTHER", "DISPLAY"), ("CONCURRENT_USER", "Fresh name")] {
        let (status, body) = api
            .call(
                Method::POST,
                &[("code_name", code), ("display_name", display)],
            )
            .await;
        assert_eq!(
            (status, body),
            (StatusCode::BAD_REQUEST, present.clone()),
            "{code}"
        );
    }

    // code_name is trimmed, as in the seed's ` VU_VALUE_UNIT ` examples.
    let (status, body) = api
        .call(
            Method::POST,
            &[("code_name", " METRIC_TRIM "), ("display_name", "Trimmed")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["code_name"], "METRIC_TRIM");
    assert_eq!(body["id"].as_i64().unwrap(), id + 1);

    let max_code = "A".repeat(254);
    let max_display = "d".repeat(254);
    let (status, body) = api
        .call(
            Method::POST,
            &[("code_name", &max_code), ("display_name", &max_display)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let not_proper = error("Metric code name or display name not proper");
    let long_code = "B".repeat(255);
    let long_display = "d".repeat(255);
    for params in [
        vec![("code_name", "metric_post"), ("display_name", "DISPLAY")],
        vec![("code_name", "TWO WORDS"), ("display_name", "X1")],
        vec![("code_name", "DASH-ED"), ("display_name", "X2")],
        vec![("code_name", long_code.as_str()), ("display_name", "X3")],
        vec![
            ("code_name", "LONG_DISPLAY"),
            ("display_name", long_display.as_str()),
        ],
        vec![("code_name", "   "), ("display_name", "X4")],
        vec![("code_name", "NO_DISPLAY")],
        vec![("code_name", "EMPTY_DISPLAY"), ("display_name", "")],
        vec![("display_name", "No code")],
    ] {
        let (status, body) = api.call(Method::POST, &params).await;
        assert_eq!(
            (status, body),
            (StatusCode::BAD_REQUEST, not_proper.clone()),
            "{params:?}"
        );
    }
}

#[tokio::test]
async fn put_renames_only_custom_metrics() {
    let sb = start_default().await;
    let api = Api::new(&sb);

    let (status, body) = api
        .call(
            Method::PUT,
            &[
                ("code_name", "CUSTOM_METRIC_0003"),
                ("display_name", "Updated value"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["code_name"], "CUSTOM_METRIC_0003");
    assert_eq!(body["display_name"], "Updated value");
    assert_eq!(body["source_type"], 2);
    assert_eq!(body["source_id"], body["id"]);
    let listed = api.list(&[]).await;
    assert!(rows(&listed).contains(&body));

    // The seed's example: 255 A's and " 2" on a predefined metric is a length error first.
    let seed_too_long = format!("{} 2", "A".repeat(255));
    let too_long = "A".repeat(255);
    let bad = StatusCode::BAD_REQUEST;
    let cases = [
        (
            vec![("code_name", "NOT_PRESENT"), ("display_name", "DISPLAY")],
            bad,
            "Metric does not exist",
        ),
        (
            vec![
                ("code_name", "CONCURRENT_USER"),
                ("display_name", &seed_too_long),
            ],
            bad,
            "Display name length is too long",
        ),
        (
            vec![
                ("code_name", "CUSTOM_METRIC_0003"),
                ("display_name", &too_long),
            ],
            bad,
            "Display name length is too long",
        ),
        (
            vec![
                ("code_name", " VU_VALUE_UNIT "),
                ("display_name", "Updatedvalue"),
            ],
            StatusCode::FORBIDDEN,
            "VU_VALUE_UNIT metric update not allowed",
        ),
        (
            vec![
                ("code_name", "PROCESSOR_VALUE_UNIT"),
                ("display_name", "PVU"),
            ],
            StatusCode::FORBIDDEN,
            "PROCESSOR_VALUE_UNIT metric update not allowed",
        ),
        (
            vec![("code_name", "CUSTOM_METRIC_0003")],
            bad,
            "Metric code name or display name not proper",
        ),
        (
            vec![
                ("code_name", "CUSTOM_METRIC_0004"),
                ("display_name", "Updated value"),
            ],
            bad,
            "Metric already present",
        ),
    ];
    for (params, status, message) in cases {
        let got = api.call(Method::PUT, &params).await;
        assert_eq!(got, (status, error(message)), "{params:?}");
    }
}

#[tokio::test]
async fn delete_removes_only_custom_metrics() {
    let sb = start_default().await;
    let api = Api::new(&sb);

    let (status, body) = api
        .call(Method::DELETE, &[("code_name", "CUSTOM_METRIC_0010")])
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));
    let listed = api.list(&[]).await;
    assert_eq!(listed["total"], json!(PREDEFINED + 99));
    assert!(!rows(&listed)
        .iter()
        .any(|r| r["code_name"] == "CUSTOM_METRIC_0010"));

    // The seed's "Delete metric failed": the same delete again.
    let (status, body) = api
        .call(Method::DELETE, &[("code_name", "CUSTOM_METRIC_0010")])
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, error("Metric does not exist"))
    );
    let (status, body) = api.call(Method::DELETE, &[]).await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, error("Metric does not exist"))
    );
    let (status, body) = api
        .call(Method::DELETE, &[("code_name", " VU_VALUE_UNIT")])
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::FORBIDDEN,
            error("VU_VALUE_UNIT metric delete not allowed")
        )
    );

    // A metric created through the API can be deleted again, and its id is not reused.
    let (_, created) = api
        .call(
            Method::POST,
            &[("code_name", "TEST"), ("display_name", "Test")],
        )
        .await;
    let (status, _) = api.call(Method::DELETE, &[("code_name", "TEST")]).await;
    assert_eq!(status, StatusCode::OK);
    let (_, again) = api
        .call(
            Method::POST,
            &[("code_name", "TEST"), ("display_name", "Test")],
        )
        .await;
    assert!(again["id"].as_i64().unwrap() > created["id"].as_i64().unwrap());
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_json_errors() {
    let sb = start_default().await;
    let c = client();
    for path in [
        "/",
        "/api/sam/v2/nothing",
        "/api/sam/v2/software_instances_x",
    ] {
        let resp = c
            .get(format!("{}{path}", sb.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(
            status_and_json(resp).await,
            (StatusCode::NOT_FOUND, error("not found")),
            "{path}"
        );
    }
    let api = Api::new(&sb);
    let (status, body) = api.call(Method::PATCH, &[]).await;
    assert_eq!(
        (status, body),
        (StatusCode::METHOD_NOT_ALLOWED, error("Method not allowed"))
    );
}

#[tokio::test]
async fn same_seed_same_data_other_seed_other_data() {
    let a = start(with_seed(7)).await;
    let b = start(with_seed(7)).await;
    let c = start(with_seed(8)).await;
    let list_a = Api::new(&a).list(&[]).await;
    let list_b = Api::new(&b).list(&[]).await;
    let list_c = Api::new(&c).list(&[]).await;
    assert_eq!(list_a, list_b);
    assert_ne!(list_a, list_c);
    assert_eq!(list_a["total"], list_c["total"]);
    assert_eq!(a.credentials(), b.credentials());
    assert_ne!(a.credentials(), c.credentials());

    // The other seed's token is refused.
    let mut wrong = Api::new(&a);
    wrong.token = c.credentials().bigfix_token.clone();
    assert_eq!(
        wrong.call(Method::GET, &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn scale_sets_the_number_of_custom_metrics() {
    for scale in [0u64, 3, 250] {
        let sb = start(SandboxOptions {
            scale,
            ..SandboxOptions::default()
        })
        .await;
        let body = Api::new(&sb).list(&[]).await;
        let expected = PREDEFINED + scale as usize;
        assert_eq!(body["total"], json!(expected), "scale {scale}");
        assert_eq!(rows(&body).len(), expected);
        let custom = rows(&body).iter().filter(|r| r["source_type"] == 2).count();
        assert_eq!(custom, scale as usize);
    }
}

#[tokio::test]
async fn env_exports_point_at_the_sandbox() {
    let sb = start_default().await;
    assert_eq!(sb.addr().ip().to_string(), "127.0.0.1");
    assert_eq!(
        sb.base_url(),
        format!("http://127.0.0.1:{}", sb.addr().port())
    );
    let exports = sb.env_exports();
    let get = |name: &str| {
        exports
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(get("LICCTL_BIGFIX_URL"), Some(sb.base_url()));
    assert_eq!(
        get("LICCTL_BIGFIX_TOKEN"),
        Some(sb.credentials().bigfix_token.clone())
    );
    assert!(exports.iter().all(|(k, _)| k.starts_with("LICCTL_")));
    // Every vendor's url points at this sandbox.
    assert!(exports
        .iter()
        .filter(|(k, _)| k.ends_with("_URL"))
        .all(|(_, v)| v.starts_with(&sb.base_url())));
    assert!(get("LICCTL_CA_CERT").is_none());
    assert!(sb.ca_cert_path().is_none());
    assert!(!format!("{:?}", sb.credentials()).contains(&sb.credentials().bigfix_token));
}

#[tokio::test]
async fn the_request_log_records_what_was_sent() {
    let sb = start_default().await;
    let api = Api::new(&sb);
    assert_eq!(sb.request_count(), 0);

    api.list(&[("limit", "2")]).await;
    let resp = api
        .client
        .post(&api.url)
        .query(&[("code_name", "LOGGED"), ("display_name", "Logged metric")])
        .header("Token", &api.token)
        .header("Authorization", "Bearer ignored")
        .header("Content-Type", "application/json")
        .header("X-Other", "not recorded")
        .body(r#"{"note":"bodies are kept"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    client()
        .get(format!("{}/nowhere?a=1", sb.base_url()))
        .send()
        .await
        .unwrap();

    let log = sb.requests();
    assert_eq!(sb.request_count(), 3);
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].method, "GET");
    assert_eq!(log[0].path, "/api/sam/v2/metrics");
    assert_eq!(log[0].query, format!("limit=2&token={}", api.token));
    assert_eq!(log[0].query_param("limit").as_deref(), Some("2"));
    assert!(log[0].headers.is_empty());
    assert_eq!(log[0].body, "");
    assert_eq!(log[0].chaos, None);

    assert_eq!(log[1].method, "POST");
    assert_eq!(log[1].query, "code_name=LOGGED&display_name=Logged+metric");
    assert_eq!(
        log[1].query_pairs(),
        vec![
            ("code_name".to_owned(), "LOGGED".to_owned()),
            ("display_name".to_owned(), "Logged metric".to_owned()),
        ]
    );
    assert_eq!(
        log[1].headers,
        vec![
            ("authorization".to_owned(), "Bearer ignored".to_owned()),
            ("token".to_owned(), api.token.clone()),
            ("content-type".to_owned(), "application/json".to_owned()),
        ]
    );
    assert_eq!(log[1].header("TOKEN"), Some(api.token.as_str()));
    assert_eq!(log[1].header("x-other"), None);
    assert_eq!(log[1].body, r#"{"note":"bodies are kept"}"#);

    assert_eq!(log[2].path, "/nowhere");
    assert_eq!(log[2].query, "a=1");
    assert_eq!(log.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![0, 1, 2]);

    sb.clear_requests();
    assert_eq!(sb.request_count(), 0);
    api.list(&[]).await;
    let log = sb.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].seq, 3, "the arrival counter keeps counting");
}

#[tokio::test]
async fn chaos_one_fails_every_request_in_rotation() {
    let sb = start(SandboxOptions {
        chaos: 1.0,
        ..SandboxOptions::default()
    })
    .await;
    let api = Api::new(&sb);
    let mut seen = Vec::new();
    for _ in 0..9 {
        let result = api
            .client
            .get(&api.url)
            .query(&[("token", &api.token)])
            .send()
            .await;
        let answer = match result {
            Err(e) => {
                assert!(e.status().is_none(), "{e}");
                ChaosAnswer::DroppedConnection
            }
            Ok(resp) if resp.status() == StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(resp.headers()["retry-after"], "1");
                let (_, body) = status_and_json(resp).await;
                assert!(body["error"]
                    .as_str()
                    .unwrap()
                    .contains("Too many requests"));
                ChaosAnswer::TooManyRequests
            }
            Ok(resp) if resp.status() == StatusCode::SERVICE_UNAVAILABLE => {
                let (_, body) = status_and_json(resp).await;
                assert!(body["error"].as_str().unwrap().contains("unavailable"));
                ChaosAnswer::Unavailable
            }
            Ok(resp) => panic!("chaos 1.0 let {} through", resp.status()),
        };
        seen.push(answer);
    }
    let rotation = [
        ChaosAnswer::TooManyRequests,
        ChaosAnswer::Unavailable,
        ChaosAnswer::DroppedConnection,
    ];
    assert_eq!(seen, rotation.repeat(3));
    let log = sb.requests();
    assert_eq!(log.len(), 9);
    assert_eq!(
        log.iter().map(|r| r.chaos.unwrap()).collect::<Vec<_>>(),
        seen
    );
}

#[tokio::test]
async fn chaos_zero_never_fails_and_partial_chaos_is_deterministic() {
    let calm = start_default().await;
    let api = Api::new(&calm);
    for _ in 0..40 {
        assert_eq!(
            api.call(Method::GET, &[("limit", "1")]).await.0,
            StatusCode::OK
        );
    }
    assert!(calm.requests().iter().all(|r| r.chaos.is_none()));

    // Which requests fail depends on the seed and the request number only.
    let mut patterns = Vec::new();
    for seed in [5, 5, 6] {
        let sb = start(SandboxOptions {
            seed,
            chaos: 0.5,
            ..SandboxOptions::default()
        })
        .await;
        let api = Api::new(&sb);
        for _ in 0..40 {
            let _ = api
                .client
                .get(&api.url)
                .query(&[("token", api.token.as_str()), ("limit", "1")])
                .send()
                .await;
        }
        let pattern: Vec<Option<ChaosAnswer>> = sb.requests().iter().map(|r| r.chaos).collect();
        let failed = pattern.iter().filter(|c| c.is_some()).count();
        assert!((5..=35).contains(&failed), "{failed} of 40 failed at 0.5");
        patterns.push(pattern);
    }
    assert_eq!(patterns[0], patterns[1]);
    assert_ne!(patterns[0], patterns[2]);
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let sb = start(SandboxOptions {
        latency_ms: 150,
        ..SandboxOptions::default()
    })
    .await;
    let api = Api::new(&sb);
    for _ in 0..2 {
        let started = Instant::now();
        api.list(&[("limit", "1")]).await;
        assert!(started.elapsed() >= Duration::from_millis(150));
    }
    let started = Instant::now();
    let resp = api.client.get(&api.url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn tls_is_trusted_only_through_the_exported_ca() {
    let sb = start(SandboxOptions {
        tls: true,
        ..SandboxOptions::default()
    })
    .await;
    let port = sb.addr().port();
    assert_eq!(sb.base_url(), format!("https://localhost:{port}"));
    let ca_path = sb.ca_cert_path().expect("a CA file with --tls");
    let pem = std::fs::read(&ca_path).unwrap();
    assert!(String::from_utf8_lossy(&pem).starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(
        sb.env_exports().last().unwrap(),
        &(
            "LICCTL_CA_CERT".to_owned(),
            ca_path.to_string_lossy().into_owned()
        )
    );
    assert!(sb
        .env_exports()
        .iter()
        .any(|(k, v)| k == "LICCTL_BIGFIX_URL" && *v == sb.base_url()));

    let ca = reqwest::Certificate::from_pem(&pem).unwrap();
    // `localhost` pinned to 127.0.0.1, so the test never depends on the resolver.
    let trusting = client_builder()
        .tls_certs_only([ca.clone()])
        .resolve("localhost", sb.addr())
        .build()
        .unwrap();
    let body = Api::with_client(&sb, trusting)
        .list(&[("limit", "3")])
        .await;
    assert_eq!(rows(&body).len(), 3);

    // The certificate also names 127.0.0.1.
    let by_ip = client_builder().tls_certs_only([ca]).build().unwrap();
    let resp = by_ip
        .get(format!("https://127.0.0.1:{port}/api/sam/v2/metrics"))
        .query(&[
            ("token", sb.credentials().bigfix_token.as_str()),
            ("limit", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    let trusting_nothing = client_builder()
        .tls_certs_only(Vec::<reqwest::Certificate>::new())
        .resolve("localhost", sb.addr())
        .build()
        .unwrap();
    let err = trusting_nothing
        .get(format!("{}/api/sam/v2/metrics", sb.base_url()))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");

    // Plain HTTP on the TLS port gets no answer.
    assert!(client()
        .get(format!("http://127.0.0.1:{port}/"))
        .send()
        .await
        .is_err());

    sb.shutdown().await;
    assert!(!ca_path.exists(), "the CA file goes away with the sandbox");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_requests_in_flight_then_stops_listening() {
    let sb = start(SandboxOptions {
        latency_ms: 300,
        ..SandboxOptions::default()
    })
    .await;
    let addr = sb.addr();
    let api = Api::new(&sb);
    let in_flight = tokio::spawn(async move { api.list(&[("limit", "1")]).await });
    // Wait (without sleeping) until the request has arrived, then shut down under it.
    while sb.request_count() == 0 {
        tokio::task::yield_now().await;
    }
    sb.shutdown().await;
    let body = in_flight.await.unwrap();
    assert_eq!(rows(&body).len(), 1);
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

/// A plain `#[test]`: no runtime of the caller's, raw HTTP/1.1 over a std socket.
#[test]
fn spawn_background_serves_synchronous_callers() {
    let sb = sandbox::spawn_background(SandboxOptions {
        scale: 5,
        ..SandboxOptions::default()
    })
    .unwrap();
    let addr = sb.addr();
    assert_eq!(sb.base_url(), format!("http://127.0.0.1:{}", addr.port()));
    assert!(sb.env_exports().contains(&(
        "LICCTL_BIGFIX_TOKEN".to_owned(),
        sb.credentials().bigfix_token.clone()
    )));

    let (status, body) = raw_get(
        addr,
        "/api/sam/v2/metrics?limit=1",
        &sb.credentials().bigfix_token,
    );
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(body["total"], json!(PREDEFINED + 5));

    assert_eq!(sb.request_count(), 1);
    assert_eq!(
        sb.requests()[0].header("token"),
        Some(sb.credentials().bigfix_token.as_str())
    );
    sb.clear_requests();
    assert_eq!(sb.request_count(), 0);

    drop(sb);
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "stopped on drop"
    );
}

#[test]
fn spawn_background_reports_a_taken_port() {
    let first = sandbox::spawn_background(SandboxOptions::default()).unwrap();
    let err = sandbox::spawn_background(SandboxOptions {
        port: first.addr().port(),
        ..SandboxOptions::default()
    })
    .unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.message().contains("cannot listen"), "{}", err.message());
}

/// A synchronous `GET` over a std socket with the token as a header: the status line and the
/// JSON body.
fn raw_get(addr: std::net::SocketAddr, path_and_query: &str, token: &str) -> (String, Value) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path_and_query} HTTP/1.1\r\nHost: {addr}\r\nToken: {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.lines().next().unwrap().to_owned();
    (status, serde_json::from_str(body).unwrap())
}

/// `licctl sandbox` itself: the exports on stdout, the address on stderr, a working server,
/// and a clean exit 0 on Ctrl-C (SIGINT).
#[cfg(unix)]
#[test]
fn the_sandbox_command_prints_exports_and_stops_on_ctrl_c() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_licctl"))
        .args(["sandbox", "--seed", "9", "--scale", "2"])
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    // Never hang the suite: if the child outlives a generous bound, kill it (by its own pid).
    let (done, watchdog) = std::sync::mpsc::channel::<()>();
    let killer_pid = pid.clone();
    let watchdog = std::thread::spawn(move || {
        if watchdog.recv_timeout(Duration::from_secs(60)).is_err() {
            let _ = Command::new("kill").args(["-KILL", &killer_pid]).status();
        }
    });

    // The exports arrive before the process waits for Ctrl-C; reading them needs no sleep.
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    // One line per variable of every vendor; read until BigFix's two have arrived.
    let mut exports = Vec::new();
    while !exports
        .iter()
        .any(|l: &String| l.starts_with("export LICCTL_BIGFIX_TOKEN="))
    {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "exports ended early: {exports:?}"
        );
        assert!(line.starts_with("export LICCTL_"), "{line:?}");
        exports.push(line);
    }
    let value = |name: &str| -> String {
        let line = exports
            .iter()
            .find(|l| l.starts_with(&format!("export {name}='")))
            .unwrap_or_else(|| panic!("{name} not in {exports:?}"));
        let rest = line.strip_prefix(&format!("export {name}='")).unwrap();
        rest.trim_end().strip_suffix('\'').unwrap().to_owned()
    };
    let url = value("LICCTL_BIGFIX_URL");
    let token = value("LICCTL_BIGFIX_TOKEN");
    let addr: std::net::SocketAddr = url.strip_prefix("http://").unwrap().parse().unwrap();
    assert!(addr.ip().is_loopback());

    let (status, body) = raw_get(addr, "/api/sam/v2/metrics", &token);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(body["total"], json!(PREDEFINED + 2));

    let interrupted = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(interrupted.success());
    let status = child.wait().unwrap();
    let _ = done.send(());
    watchdog.join().unwrap();

    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{status}: {stderr}");
    assert!(
        rest.lines().all(|l| l.starts_with("export LICCTL_")),
        "nothing but the exports on stdout: {rest}"
    );
    assert!(stderr.contains(&format!("listening on {url}")), "{stderr}");
    assert!(stderr.contains("Ctrl-C to stop"), "{stderr}");
}

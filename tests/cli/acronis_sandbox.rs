//! The Acronis emulation over raw HTTP: the token endpoint's documented answers, and the
//! report rules licctl itself never breaks (so the CLI tests cannot reach them).

use std::time::Duration;

use licctl::sandbox::{self, Sandbox, SandboxOptions};
use serde_json::{json, Value};

use crate::common::{sandbox_with, stderr, TestEnv};

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

async fn token(sb: &Sandbox, c: &reqwest::Client) -> String {
    let creds = sb.credentials();
    let resp = c
        .post(format!("{}/api/2/idp/token", sb.base_url()))
        .basic_auth(&creds.acronis_client_id, Some(&creds.acronis_client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 3600);
    let now = chrono::Utc::now().timestamp();
    assert!((now + 3590..=now + 3610).contains(&v["expires_on"].as_i64().unwrap()));
    v["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_token_endpoint_follows_oauth() {
    let sb = sandbox::start(SandboxOptions::default()).await.unwrap();
    let c = client();
    let url = format!("{}/api/2/idp/token", sb.base_url());
    let creds = sb.credentials().clone();
    // Basic works; so do form fields (client_secret_post).
    let t = token(&sb, &c).await;
    let resp = c
        .post(&url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &creds.acronis_client_id),
            ("client_secret", &creds.acronis_client_secret),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // A wrong client: 401 with OAuth's error body.
    let resp = c
        .post(&url)
        .basic_auth(&creds.acronis_client_id, Some("nope"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "access_denied");
    // Another grant: 400.
    let resp = c
        .post(&url)
        .basic_auth(&creds.acronis_client_id, Some(&creds.acronis_client_secret))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    // The token opens the API; nothing else does.
    let reports = format!(
        "{}/api/2/tenants/{}/reports",
        sb.base_url(),
        creds.acronis_tenant_id
    );
    assert_eq!(
        c.get(&reports)
            .bearer_auth(&t)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let resp = c.get(&reports).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["domain"], "PlatformAccountServer");
    assert_eq!(
        c.get(&reports)
            .bearer_auth("made-up")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn report_rules_are_enforced() {
    let sb = sandbox::start(SandboxOptions::default()).await.unwrap();
    let c = client();
    let t = token(&sb, &c).await;
    let tenant = sb.credentials().acronis_tenant_id.clone();
    let post = |body: Value| {
        let (c, t, url) = (
            c.clone(),
            t.clone(),
            format!("{}/api/2/reports", sb.base_url()),
        );
        async move {
            let resp = c.post(url).bearer_auth(t).json(&body).send().await.unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap())
        }
    };
    let ok = json!({"recipients": [], "parameters": {"kind": "usage_summary", "tenant_id": tenant, "level": "accounts",
        "period": {"start": "2026-09-01", "end": "2026-09-30"}}, "schedule": {"type": "once"}, "result_action": "save"});
    let (status, v) = post(ok.clone()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["version"], 1);
    assert_eq!(v["parameters"]["formats"], json!(["csv"]));
    let mut cases = Vec::new();
    let mut b = ok.clone();
    b["surprise"] = json!(1);
    cases.push((b, 400, "additional property"));
    let mut b = ok.clone();
    b["result_action"] = json!("send");
    cases.push((b, 400, "recipients are required"));
    let mut b = ok.clone();
    b["recipients"] = json!(["ca451758-b48a-45d9-9ae6-8f1059f67619"]);
    cases.push((b, 400, "only when result_action is send"));
    let mut b = ok.clone();
    b["parameters"]["tenant_id"] = json!("ca451758-b48a-45d9-9ae6-8f1059f67619");
    cases.push((b, 403, "is denied"));
    let mut b = ok.clone();
    b["parameters"]["formats"] = json!(["pdf"]);
    cases.push((b, 400, "formats"));
    let mut b = ok.clone();
    b["parameters"].as_object_mut().unwrap().remove("period");
    cases.push((b, 400, "period is required"));
    for (body, want, says) in cases {
        let (status, v) = post(body).await;
        assert_eq!(status, want, "{v}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(says),
            "{v}"
        );
    }
    sb.shutdown().await;
}

#[test]
fn a_token_the_server_refuses_is_refreshed_once_not_forever() {
    // Tokens that expire at once: the first request meets 401, licctl asks for a new token
    // and replays once; that one is refused too, and it gives up (exit 4).
    let (env, sb) = (
        TestEnv::new(),
        sandbox_with(SandboxOptions {
            token_ttl_secs: 0,
            ..Default::default()
        }),
    );
    let out = env
        .cmd_for(&sb)
        .args(["acronis", "reports", "list", "--ids-only"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Access token has expired"),
        "{}",
        stderr(&out)
    );
    let seen: Vec<(String, String)> = sb
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    let list = format!(
        "/api/2/tenants/{}/reports",
        sb.credentials().acronis_tenant_id
    );
    let token = "/api/2/idp/token".to_owned();
    assert_eq!(
        seen,
        [
            ("POST".to_owned(), token.clone()),
            ("GET".to_owned(), list.clone()),
            ("POST".to_owned(), token),
            ("GET".to_owned(), list)
        ]
    );
}

//! Acronis' OAuth client-credentials grant as a [`TokenSource`]: `POST /api/2/idp/token`
//! with HTTP Basic `client_id:client_secret`, the access token cached on disk (0600, keyed
//! by profile and url) until shortly before its `expires_on`, and a new grant when the
//! server refuses the token (the HTTP layer asks once per 401).

use futures::future::BoxFuture;
use serde::Deserialize;
use tokio::sync::Mutex;
use url::Url;

use crate::auth::{Auth, CachedToken, TokenCache, TokenSource};
use crate::error::{Result, ResultExt};
use crate::http::{redact, HttpClient, Request, SecretString};

/// A token is renewed this long before it expires, so that a request never carries a token
/// that dies on its way.
pub const EXPIRY_MARGIN_SECS: i64 = 30;

/// When the answer names no lifetime, the documented one (2 h).
const DEFAULT_LIFETIME_SECS: i64 = 7200;

/// The token handed out under `--dry-run`, where nothing may be sent (not even the grant).
const DRY_RUN_TOKEN: &str = "dry-run-token";

/// The token endpoint's answer (the OpenAPI's `token` schema).
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default, deserialize_with = "crate::model::lenient::i64_opt")]
    expires_on: Option<i64>,
    #[serde(default, deserialize_with = "crate::model::lenient::i64_opt")]
    expires_in: Option<i64>,
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
}

/// Obtains and caches Acronis access tokens with the client-credentials grant.
pub struct ClientCredentials {
    token_url: Url,
    client_id: String,
    client_secret: SecretString,
    cache: TokenCache,
    /// The token in use by this process; the lock also serialises grants, so concurrent
    /// requests (`reports list --concurrency 8`) share one exchange.
    current: Mutex<Option<CachedToken>>,
}

impl ClientCredentials {
    /// A source for the API at `api_base` (`<url>/api/2`), caching in `cache`.
    pub fn new(
        api_base: &Url,
        client_id: String,
        client_secret: SecretString,
        cache: TokenCache,
    ) -> Self {
        ClientCredentials {
            token_url: crate::http::request::join_url(api_base, "idp/token"),
            client_id,
            client_secret,
            cache,
            current: Mutex::new(None),
        }
    }

    /// The grant itself.
    async fn exchange(&self, http: &HttpClient) -> Result<CachedToken> {
        let req = Request::new(reqwest::Method::POST, self.token_url.clone())
            .form(vec![(
                "grant_type".to_owned(),
                "client_credentials".to_owned(),
            )])
            // A client-credentials grant has no side effect: safe to retry.
            .replay_safe(true);
        let auth = Auth::basic(self.client_id.clone(), self.client_secret.clone());
        let resp = http.send(&req, &auth).await.with_context(|| {
            format!(
                "obtaining an access token for API client {}",
                self.client_id
            )
        })?;
        let answer: TokenAnswer = resp.json()?;
        // Registered for redaction before anything could log it.
        let _ = SecretString::new(answer.access_token.as_str());
        for extra in [&answer.id_token, &answer.refresh_token]
            .into_iter()
            .flatten()
        {
            redact::register(extra);
        }
        let now = now();
        let expires_at = answer
            .expires_on
            .or_else(|| answer.expires_in.map(|s| now + s))
            .unwrap_or(now + DEFAULT_LIFETIME_SECS);
        let token = CachedToken {
            access_token: answer.access_token,
            refresh_token: None,
            expires_at,
        };
        if let Err(e) = self.cache.store(&token) {
            tracing::warn!("cannot cache the Acronis access token: {}", e.message());
        }
        Ok(token)
    }
}

impl TokenSource for ClientCredentials {
    fn bearer<'a>(
        &'a self,
        http: &'a HttpClient,
        refused: Option<&'a SecretString>,
    ) -> BoxFuture<'a, Result<SecretString>> {
        Box::pin(async move {
            if http.settings().dry_run {
                return Ok(SecretString::new(DRY_RUN_TOKEN));
            }
            let mut current = self.current.lock().await;
            let now = now();
            let usable = |t: &CachedToken| {
                t.is_fresh(now, EXPIRY_MARGIN_SECS)
                    && refused.is_none_or(|r| r.expose() != t.access_token)
            };
            if let Some(t) = current.as_ref().filter(|t| usable(t)) {
                return Ok(SecretString::new(t.access_token.as_str()));
            }
            match self.cache.load() {
                Some(t) if usable(&t) => {
                    let s = SecretString::new(t.access_token.as_str());
                    *current = Some(t);
                    return Ok(s);
                }
                Some(t) if refused.is_some_and(|r| r.expose() == t.access_token) => {
                    tracing::info!(
                        "the cached Acronis access token was refused; requesting a new one"
                    );
                    self.cache.clear();
                }
                _ => {}
            }
            let t = self.exchange(http).await?;
            let s = SecretString::new(t.access_token.as_str());
            *current = Some(t);
            Ok(s)
        })
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

//! Veeam VSPC sign-in: the OAuth password grant of `POST /api/v3/token`, refreshed with the
//! refresh-token grant, cached on disk between invocations.
//!
//! The flow ([`VeeamTokens::bearer`], called by the HTTP layer before a request and once more
//! after a 401):
//! 1. a token still fresh (more than [`REFRESH_MARGIN_SECS`] of life left) from memory or the
//!    0600 cache file (per profile and url) is used as is — no token request at all;
//! 2. otherwise, or when the server has just refused it, the refresh token is exchanged
//!    (`grant_type=refresh_token`);
//! 3. when there is no refresh token or the server refuses it, the password grant
//!    (`grant_type=password`, `username`, `password`) signs in again.
//!
//! Every new pair is written to the cache. The token requests themselves carry their own
//! credentials (`Auth::None`) and are replay-safe: a password or refresh grant that is sent
//! twice just issues a second token.

use std::time::{SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;
use serde::Deserialize;
use tokio::sync::Mutex;
use url::Url;

use crate::auth::{Auth, CachedToken, TokenCache, TokenSource};
use crate::error::{Error, ErrorKind, Result, ResultExt};
use crate::http::{redact, HttpClient, Request, SecretString};
use crate::model::lenient;

/// A cached token with less than this much life left is refreshed before use.
pub const REFRESH_MARGIN_SECS: i64 = 60;

/// What `--dry-run` would put in the Authorization header (the exchange is never sent).
const DRY_RUN_TOKEN: &str = "dry-run-token";

/// The answer of `POST /token`.
#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default, deserialize_with = "lenient::string_opt")]
    access_token: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_opt")]
    refresh_token: Option<String>,
    #[serde(default, deserialize_with = "lenient::f64_opt")]
    expires_in: Option<f64>,
}

/// The password grant's credentials.
#[derive(Clone)]
pub struct Login {
    /// The VSPC user name (`username` / `LICCTL_VEEAM_USERNAME`).
    pub username: String,
    /// Its password (`password` / `LICCTL_VEEAM_PASSWORD`).
    pub password: SecretString,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// The token source of a VSPC client signed in with user name and password.
pub struct VeeamTokens {
    token_url: Url,
    login: Login,
    cache: TokenCache,
    current: Mutex<Option<CachedToken>>,
}

impl VeeamTokens {
    /// A source that signs in at `token_url` (`<url>/api/v3/token`) and caches in `cache`.
    pub fn new(token_url: Url, login: Login, cache: TokenCache) -> Self {
        VeeamTokens {
            token_url,
            login,
            cache,
            current: Mutex::new(None),
        }
    }

    /// The `Auth` to give the HTTP layer.
    pub fn into_auth(self) -> Auth {
        Auth::Token(std::sync::Arc::new(self))
    }

    async fn obtain(
        &self,
        http: &HttpClient,
        refused: Option<&SecretString>,
    ) -> Result<SecretString> {
        if http.settings().dry_run {
            return Ok(SecretString::new(DRY_RUN_TOKEN));
        }
        let mut current = self.current.lock().await;
        if current.is_none() {
            *current = self.cache.load();
        }
        let now = now_secs();
        if let Some(tok) = current.as_ref() {
            let was_refused = refused.is_some_and(|r| r.expose() == tok.access_token);
            // Another request may already have replaced the token the server refused.
            if !was_refused && (refused.is_some() || tok.is_fresh(now, REFRESH_MARGIN_SECS)) {
                return Ok(SecretString::new(tok.access_token.clone()));
            }
        }
        let refresh = current.as_ref().and_then(|t| t.refresh_token.clone());
        let fresh = match refresh {
            Some(rt) => match self.grant(http, refresh_form(&rt)).await {
                Ok(t) => t,
                Err(e) => {
                    tracing::info!(
                        "refreshing the veeam-vspc token failed ({e}); signing in again"
                    );
                    self.password_grant(http).await?
                }
            },
            None => self.password_grant(http).await?,
        };
        self.cache.store(&fresh).with_context(|| {
            format!(
                "caching the veeam-vspc token in {}",
                self.cache.path().display()
            )
        })?;
        let access = SecretString::new(fresh.access_token.clone());
        *current = Some(fresh);
        Ok(access)
    }

    async fn password_grant(&self, http: &HttpClient) -> Result<CachedToken> {
        let form = vec![
            ("grant_type".to_owned(), "password".to_owned()),
            ("username".to_owned(), self.login.username.clone()),
            (
                "password".to_owned(),
                self.login.password.expose().to_owned(),
            ),
        ];
        self.grant(http, form).await.map_err(|e| {
            self.cache.clear();
            let e = e.context(format!("signing in to veeam-vspc as {}", self.login.username));
            if e.kind() == ErrorKind::Auth || e.status() == Some(400) {
                // A refused grant (401, or OAuth's 400 invalid_grant) is an authentication failure.
                e.with_kind(ErrorKind::Auth).with_hint("check username and password (LICCTL_VEEAM_USERNAME / LICCTL_VEEAM_PASSWORD), or use an API key (LICCTL_VEEAM_API_KEY)")
            } else {
                e
            }
        })
    }

    async fn grant(&self, http: &HttpClient, form: Vec<(String, String)>) -> Result<CachedToken> {
        let req = Request::new(reqwest::Method::POST, self.token_url.clone())
            .form(form)
            .replay_safe(true);
        let resp = http.send(&req, &Auth::None).await?;
        let answer: TokenAnswer = resp.json()?;
        let access = answer
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Auth,
                    "the veeam-vspc token answer has no access_token",
                )
            })?;
        redact::register(&access);
        if let Some(r) = &answer.refresh_token {
            redact::register(r);
        }
        // VSPC tokens last an hour unless the server says otherwise.
        let life = answer
            .expires_in
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(3600.0);
        Ok(CachedToken {
            access_token: access,
            refresh_token: answer.refresh_token.filter(|t| !t.is_empty()),
            expires_at: now_secs() + life as i64,
        })
    }
}

impl TokenSource for VeeamTokens {
    fn bearer<'a>(
        &'a self,
        http: &'a HttpClient,
        refused: Option<&'a SecretString>,
    ) -> BoxFuture<'a, Result<SecretString>> {
        Box::pin(self.obtain(http, refused))
    }
}

fn refresh_form(refresh_token: &str) -> Vec<(String, String)> {
    vec![
        ("grant_type".to_owned(), "refresh_token".to_owned()),
        ("refresh_token".to_owned(), refresh_token.to_owned()),
    ]
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

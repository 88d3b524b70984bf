//! Veeam VSPC sign-in: the OAuth password grant of `POST /api/v3/token`, refreshed with the
//! refresh-token grant, cached on disk between invocations.
//!
//! The flow (the shared [`crate::auth::CachedGrant`], called by the HTTP layer before a
//! request and once more after a 401):
//! 1. a token still fresh (more than [`REFRESH_MARGIN_SECS`] of life left) from memory or the
//!    0600 cache file (per profile and url) is used as is — no token request at all;
//! 2. otherwise, or when the server has just refused it, [`VeeamGrant`] exchanges the refresh
//!    token (`grant_type=refresh_token`);
//! 3. when there is no refresh token or the server refuses it, the password grant
//!    (`grant_type=password`, `username`, `password`) signs in again.
//!
//! Every new pair is written to the cache. The token requests themselves carry their own
//! credentials (`Auth::None`) and are replay-safe: a password or refresh grant that is sent
//! twice just issues a second token.

use futures::future::BoxFuture;
use serde::Deserialize;
use url::Url;

use crate::auth::{now_secs, Auth, CachedGrant, CachedToken, Grant, TokenCache};
use crate::error::{Error, ErrorKind, Result};
use crate::http::{HttpClient, Request, SecretString};
use crate::model::lenient;

/// A cached token with less than this much life left is refreshed before use.
pub const REFRESH_MARGIN_SECS: i64 = 60;

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

/// VSPC's grants: the refresh-token grant when there is a refresh token, the password grant
/// otherwise or when the refresh is refused.
pub struct VeeamGrant {
    token_url: Url,
    login: Login,
}

impl VeeamGrant {
    /// The `Auth` of a user signing in at `token_url` (`<url>/api/v3/token`), its tokens
    /// cached in `cache`.
    pub fn auth(token_url: Url, login: Login, cache: TokenCache) -> Auth {
        CachedGrant::new(VeeamGrant { token_url, login }, cache, REFRESH_MARGIN_SECS).into_auth()
    }

    async fn obtain(
        &self,
        http: &HttpClient,
        previous: Option<&CachedToken>,
    ) -> Result<CachedToken> {
        match previous.and_then(|t| t.refresh_token.as_deref()) {
            Some(rt) => match self.token_request(http, refresh_form(rt)).await {
                Ok(t) => Ok(t),
                Err(e) => {
                    tracing::info!(
                        "refreshing the veeam-vspc token failed ({e}); signing in again"
                    );
                    self.password_grant(http).await
                }
            },
            None => self.password_grant(http).await,
        }
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
        self.token_request(http, form).await.map_err(|e| {
            let e = e.context(format!("signing in to veeam-vspc as {}", self.login.username));
            if e.kind() == ErrorKind::Auth || e.status() == Some(400) {
                // A refused grant (401, or OAuth's 400 invalid_grant) is an authentication failure.
                e.with_kind(ErrorKind::Auth).with_hint("check username and password (LICCTL_VEEAM_USERNAME / LICCTL_VEEAM_PASSWORD), or use an API key (LICCTL_VEEAM_API_KEY)")
            } else {
                e
            }
        })
    }

    async fn token_request(
        &self,
        http: &HttpClient,
        form: Vec<(String, String)>,
    ) -> Result<CachedToken> {
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

impl Grant for VeeamGrant {
    fn grant<'a>(
        &'a self,
        http: &'a HttpClient,
        previous: Option<&'a CachedToken>,
    ) -> BoxFuture<'a, Result<CachedToken>> {
        Box::pin(self.obtain(http, previous))
    }
}

fn refresh_form(refresh_token: &str) -> Vec<(String, String)> {
    vec![
        ("grant_type".to_owned(), "refresh_token".to_owned()),
        ("refresh_token".to_owned(), refresh_token.to_owned()),
    ]
}

//! Acronis' OAuth client-credentials grant: `POST /api/2/idp/token` with HTTP Basic
//! `client_id:client_secret`. Reusing the token until shortly before its `expires_on`, the
//! 0600 cache (keyed by profile and url) and a new grant when the server refuses the token
//! are the shared [`crate::auth::CachedGrant`]'s job.

use futures::future::BoxFuture;
use serde::Deserialize;
use url::Url;

use crate::auth::{now_secs, Auth, CachedGrant, CachedToken, Grant, TokenCache};
use crate::error::{Result, ResultExt};
use crate::http::{redact, HttpClient, Request, SecretString};

/// A token is renewed this long before it expires, so that a request never carries a token
/// that dies on its way.
pub const EXPIRY_MARGIN_SECS: i64 = 30;

/// When the answer names no lifetime, the documented one (2 h).
const DEFAULT_LIFETIME_SECS: i64 = 7200;

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

/// Acronis' client-credentials grant.
pub struct ClientCredentials {
    token_url: Url,
    client_id: String,
    client_secret: SecretString,
}

impl ClientCredentials {
    /// The `Auth` of an API client at `api_base` (`<url>/api/2`), its tokens cached in `cache`.
    pub fn auth(
        api_base: &Url,
        client_id: String,
        client_secret: SecretString,
        cache: TokenCache,
    ) -> Auth {
        let grant = ClientCredentials {
            token_url: crate::http::request::join_url(api_base, "idp/token"),
            client_id,
            client_secret,
        };
        CachedGrant::new(grant, cache, EXPIRY_MARGIN_SECS).into_auth()
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
        let now = now_secs();
        let expires_at = answer
            .expires_on
            .or_else(|| answer.expires_in.map(|s| now + s))
            .unwrap_or(now + DEFAULT_LIFETIME_SECS);
        Ok(CachedToken {
            access_token: answer.access_token,
            refresh_token: None,
            expires_at,
        })
    }
}

impl Grant for ClientCredentials {
    /// A client-credentials grant has no refresh token: every new token is a new exchange.
    fn grant<'a>(
        &'a self,
        http: &'a HttpClient,
        _previous: Option<&'a CachedToken>,
    ) -> BoxFuture<'a, Result<CachedToken>> {
        Box::pin(self.exchange(http))
    }
}

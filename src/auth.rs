//! One abstraction for every way the vendors authenticate, applied to a request in one place
//! (after atuin's `AuthToken`). Commands never assemble credentials themselves: the vendor
//! client picks an [`Auth`] when it is built and the HTTP layer applies it to every attempt.
//!
//! | vendor | scheme |
//! |---|---|
//! | OC Reporter | token in the query string (`_token`) |
//! | BigFix Inventory | token in the query string (`token`) or a `Token:` header |
//! | OTC Enterprise Dashboard | static bearer key; HTTP Basic for the Grafana endpoints |
//! | Acronis | OAuth client credentials, cached on disk ([`TokenSource`] + [`TokenCache`]) |
//! | Veeam VSPC | password grant with refresh ([`TokenSource`] + [`TokenCache`]), or a static key |

use std::path::PathBuf;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::Result;
use crate::http::{redact, HttpClient, Request, SecretString};

/// Produces bearer tokens that must be obtained from the vendor and may expire (OAuth).
pub trait TokenSource: Send + Sync {
    /// A valid access token. `refused` is the token the server has just answered 401 to:
    /// the source must not hand it out again (refresh, or fall back to a new grant).
    fn bearer<'a>(
        &'a self,
        http: &'a HttpClient,
        refused: Option<&'a SecretString>,
    ) -> BoxFuture<'a, Result<SecretString>>;
}

/// How a request proves who sends it.
#[derive(Clone, Default)]
pub enum Auth {
    /// Nothing (health endpoints, token exchanges that carry their own credentials).
    #[default]
    None,
    /// A token as a query parameter (`?token=...`, `?_token=...`).
    Query {
        /// The parameter name.
        param: String,
        /// The token.
        token: SecretString,
    },
    /// A token in a header of its own (`Token: ...`).
    Header {
        /// The header name.
        name: String,
        /// The token.
        token: SecretString,
    },
    /// A static `Authorization: Bearer` key.
    Bearer(SecretString),
    /// HTTP Basic.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: SecretString,
    },
    /// A bearer token obtained (and refreshed) from the vendor.
    Token(Arc<dyn TokenSource>),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            Auth::None => "None",
            Auth::Query { .. } => "Query",
            Auth::Header { .. } => "Header",
            Auth::Bearer(_) => "Bearer",
            Auth::Basic { .. } => "Basic",
            Auth::Token(_) => "Token",
        };
        write!(f, "Auth::{kind}(***)")
    }
}

impl Auth {
    /// HTTP Basic; registers the encoded header value for redaction too.
    pub fn basic(username: impl Into<String>, password: SecretString) -> Self {
        use base64::Engine as _;
        let username = username.into();
        let encoded = base64::engine::general_purpose::STANDARD
            .encode(format!("{username}:{}", password.expose()));
        redact::register(&encoded);
        Auth::Basic { username, password }
    }

    /// True when a 401 is worth one refresh of the token.
    pub fn can_refresh(&self) -> bool {
        matches!(self, Auth::Token(_))
    }

    /// The bearer token to use, for sources that must obtain one.
    pub(crate) async fn bearer(
        &self,
        http: &HttpClient,
        refused: Option<&SecretString>,
    ) -> Result<Option<SecretString>> {
        match self {
            Auth::Token(src) => src.bearer(http, refused).await.map(Some),
            _ => Ok(None),
        }
    }

    /// The request's URL with its query, plus the token when it travels in the query.
    pub fn url_with_query(&self, req: &Request) -> Url {
        let mut u = req.full_url();
        if let Auth::Query { param, token } = self {
            u.query_pairs_mut().append_pair(param, token.expose());
        }
        u
    }

    /// Adds headers for the header-borne schemes.
    pub(crate) fn apply(
        &self,
        rb: reqwest::RequestBuilder,
        bearer: Option<&SecretString>,
    ) -> reqwest::RequestBuilder {
        match self {
            Auth::None | Auth::Query { .. } => rb,
            Auth::Header { name, token } => rb.header(name.as_str(), token.expose()),
            Auth::Bearer(key) => rb.bearer_auth(key.expose()),
            Auth::Basic { username, password } => rb.basic_auth(username, Some(password.expose())),
            Auth::Token(_) => match bearer {
                Some(t) => rb.bearer_auth(t.expose()),
                None => rb,
            },
        }
    }

    /// The authentication header as `--dry-run` and `-vvv` show it (value masked).
    pub fn describe_header(&self) -> Option<String> {
        match self {
            Auth::None | Auth::Query { .. } => None,
            Auth::Header { name, .. } => Some(format!("{}: ***", name.to_ascii_lowercase())),
            Auth::Bearer(_) | Auth::Token(_) => Some("authorization: Bearer ***".into()),
            Auth::Basic { .. } => Some("authorization: Basic ***".into()),
        }
    }
}

/// What `--dry-run` puts in the Authorization header: nothing may be sent, not even a grant.
const DRY_RUN_TOKEN: &str = "dry-run-token";

/// The seconds since the Unix epoch, the clock token lifetimes are measured on.
pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// How a vendor obtains a new token — the grant alone; reuse, caching, `--dry-run` and
/// replacing a refused token are [`CachedGrant`]'s job.
pub trait Grant: Send + Sync {
    /// A new token. `previous` is the token being replaced (expired, or just refused by the
    /// server), whose refresh token the grant may use.
    fn grant<'a>(
        &'a self,
        http: &'a HttpClient,
        previous: Option<&'a CachedToken>,
    ) -> BoxFuture<'a, Result<CachedToken>>;
}

/// A [`TokenSource`] for OAuth-style vendors (Acronis, Veeam): a token is reused from memory
/// or the on-disk [`TokenCache`] while it has more than `margin_secs` of life left; otherwise,
/// or when the server has just refused it, the vendor's [`Grant`] obtains a new one, which is
/// cached. The lock also serialises grants, so concurrent requests share one exchange.
pub struct CachedGrant<G> {
    grant: G,
    cache: TokenCache,
    margin_secs: i64,
    current: tokio::sync::Mutex<Option<CachedToken>>,
}

impl<G: Grant + 'static> CachedGrant<G> {
    /// Tokens from `grant`, cached in `cache`, renewed `margin_secs` before they expire.
    pub fn new(grant: G, cache: TokenCache, margin_secs: i64) -> Self {
        CachedGrant {
            grant,
            cache,
            margin_secs,
            current: tokio::sync::Mutex::new(None),
        }
    }

    /// The `Auth` to give the HTTP layer.
    pub fn into_auth(self) -> Auth {
        Auth::Token(Arc::new(self))
    }
}

impl<G: Grant> TokenSource for CachedGrant<G> {
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
            if current.is_none() {
                *current = self.cache.load();
            }
            if let Some(tok) = current.as_ref() {
                let was_refused = refused.is_some_and(|r| r.expose() == tok.access_token);
                // After a 401, another request may already have replaced the refused token.
                if !was_refused && (refused.is_some() || tok.is_fresh(now_secs(), self.margin_secs))
                {
                    return Ok(SecretString::new(tok.access_token.clone()));
                }
            }
            let fresh = match self.grant.grant(http, current.as_ref()).await {
                Ok(t) => t,
                Err(e) => {
                    // Whatever was cached is of no use any more.
                    self.cache.clear();
                    *current = None;
                    return Err(e);
                }
            };
            redact::register(&fresh.access_token);
            if let Some(r) = &fresh.refresh_token {
                redact::register(r);
            }
            if let Err(e) = self.cache.store(&fresh) {
                tracing::warn!(
                    "cannot cache the token in {}: {}",
                    self.cache.path().display(),
                    e.message()
                );
            }
            let access = SecretString::new(fresh.access_token.clone());
            *current = Some(fresh);
            Ok(access)
        })
    }
}

/// A token obtained from a vendor, as cached on disk between invocations.
#[derive(Clone, Serialize, Deserialize)]
pub struct CachedToken {
    /// The bearer token.
    pub access_token: String,
    /// The refresh token, for grants that have one (Veeam).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// When the access token stops working, in seconds since the Unix epoch.
    pub expires_at: i64,
}

impl std::fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedToken")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl CachedToken {
    /// True while the token has more than `margin_secs` of life left at `now`.
    pub fn is_fresh(&self, now: i64, margin_secs: i64) -> bool {
        self.expires_at - margin_secs > now
    }
}

/// The on-disk cache of OAuth and session tokens (mode 0600 under the cache dir), keyed by
/// vendor, profile and server URL so that two profiles never share a token.
#[derive(Debug, Clone)]
pub struct TokenCache {
    path: PathBuf,
}

impl TokenCache {
    /// The cache entry for `vendor` under `profile` against `url`, in `dir`.
    pub fn new(dir: PathBuf, vendor: &str, profile: &str, url: &str) -> Self {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(format!("{profile}\n{url}").as_bytes());
        let key: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        TokenCache {
            path: dir.join("tokens").join(format!("{vendor}-{key}.json")),
        }
    }

    /// Where the entry lives.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The cached token, if any; an unreadable entry counts as none.
    pub fn load(&self) -> Option<CachedToken> {
        let bytes = std::fs::read(&self.path).ok()?;
        let token: CachedToken = serde_json::from_slice(&bytes).ok()?;
        redact::register(&token.access_token);
        if let Some(r) = &token.refresh_token {
            redact::register(r);
        }
        Some(token)
    }

    /// Stores `token` atomically with mode 0600.
    pub fn store(&self, token: &CachedToken) -> Result<()> {
        let bytes = serde_json::to_vec(token).map_err(|e| crate::Error::internal(e.to_string()))?;
        crate::config::write_private_file(&self.path, &bytes)
    }

    /// Forgets the entry (after the server refused it and no refresh worked).
    pub fn clear(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_token_is_appended_and_debug_hides_it() {
        let auth = Auth::Query {
            param: "token".into(),
            token: SecretString::new("abcdef123456"),
        };
        let req =
            Request::get(Url::parse("https://h/api/sam/v2/metrics").unwrap()).query("limit", 5);
        assert_eq!(
            auth.url_with_query(&req).as_str(),
            "https://h/api/sam/v2/metrics?limit=5&token=abcdef123456"
        );
        assert_eq!(format!("{auth:?}"), "Auth::Query(***)");
    }

    #[test]
    fn cache_keys_differ_by_profile_and_url() {
        let d = PathBuf::from("/c");
        let a = TokenCache::new(d.clone(), "acronis", "prod", "https://a");
        let b = TokenCache::new(d.clone(), "acronis", "test", "https://a");
        let c = TokenCache::new(d, "acronis", "prod", "https://b");
        assert_ne!(a.path(), b.path());
        assert_ne!(a.path(), c.path());
    }

    /// A grant that counts its calls and remembers which token it replaced.
    struct Counting {
        calls: std::sync::Mutex<Vec<Option<String>>>,
        life: i64,
    }

    impl Grant for Counting {
        fn grant<'a>(
            &'a self,
            _: &'a HttpClient,
            previous: Option<&'a CachedToken>,
        ) -> BoxFuture<'a, Result<CachedToken>> {
            let mut calls = self.calls.lock().unwrap();
            calls.push(previous.map(|p| p.access_token.clone()));
            let token = CachedToken {
                access_token: format!("token-number-{}", calls.len()),
                refresh_token: Some(format!("refresh-number-{}", calls.len())),
                expires_at: now_secs() + self.life,
            };
            Box::pin(async move { Ok(token) })
        }
    }

    fn source(dir: &std::path::Path, life: i64) -> CachedGrant<Counting> {
        let cache = TokenCache::new(dir.to_path_buf(), "test", "p", "https://h");
        CachedGrant::new(
            Counting {
                calls: Default::default(),
                life,
            },
            cache,
            60,
        )
    }

    #[test]
    fn cached_grant_reuses_refreshes_and_never_sends_under_dry_run() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let http = HttpClient::new(crate::http::HttpSettings::default()).unwrap();
        rt.block_on(async {
            // A fresh token is reused, from memory and then from the disk cache.
            let s = source(dir.path(), 3600);
            let a = s.bearer(&http, None).await.unwrap();
            assert_eq!(s.bearer(&http, None).await.unwrap(), a);
            let again = source(dir.path(), 3600);
            assert_eq!(again.bearer(&http, None).await.unwrap(), a);
            assert!(again.grant.calls.lock().unwrap().is_empty());
            // A refused token is replaced, and the grant sees which one it replaces.
            let b = s.bearer(&http, Some(&a)).await.unwrap();
            assert_ne!(a, b);
            assert_eq!(
                *s.grant.calls.lock().unwrap(),
                vec![None, Some(a.expose().to_owned())]
            );
            // A token inside the safety margin is not reused.
            let short = source(&dir.path().join("short"), 30);
            short.bearer(&http, None).await.unwrap();
            short.bearer(&http, None).await.unwrap();
            assert_eq!(short.grant.calls.lock().unwrap().len(), 2);
        });
        let dry = HttpClient::new(crate::http::HttpSettings {
            dry_run: true,
            ..Default::default()
        })
        .unwrap();
        let s = source(&dir.path().join("dry"), 3600);
        rt.block_on(s.bearer(&dry, None)).unwrap();
        assert!(s.grant.calls.lock().unwrap().is_empty());
    }

    #[test]
    fn freshness_keeps_a_margin() {
        let t = CachedToken {
            access_token: "x".into(),
            refresh_token: None,
            expires_at: 1000,
        };
        assert!(t.is_fresh(900, 60));
        assert!(!t.is_fresh(950, 60));
    }
}

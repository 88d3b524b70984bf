//! A vendor-neutral description of one HTTP request.
//!
//! Vendor clients build these instead of reqwest builders so that the shared layer can
//! replay them (retries), print them (`--dry-run`, `-vv`), record them (the monthly bundle's
//! manifest) and apply authentication in one place.

use reqwest::Method;
use url::Url;

/// The body of a request.
#[derive(Debug, Clone, Default)]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// A JSON document (`Content-Type: application/json`).
    Json(serde_json::Value),
    /// `application/x-www-form-urlencoded` pairs, in order (OC Reporter's `WsDevice[label]=...`).
    Form(Vec<(String, String)>),
}

/// One request, before authentication.
#[derive(Debug, Clone)]
pub struct Request {
    /// HTTP method.
    pub method: Method,
    /// Absolute URL without the query string.
    pub url: Url,
    /// Query parameters in order; duplicates allowed (`columns[]=a&columns[]=b`).
    pub query: Vec<(String, String)>,
    /// Extra headers (not authentication: that is [`crate::auth::Auth`]'s job).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
    /// Whether the request may be sent again after a failure that might have reached the
    /// server. GET, HEAD, PUT and DELETE are replay-safe by HTTP's definition; POST only
    /// where the vendor API makes it idempotent (token exchanges, for instance).
    pub replay_safe: bool,
}

impl Request {
    /// A request of `method` to `url`, replay-safe unless it is a POST or PATCH.
    pub fn new(method: Method, url: Url) -> Self {
        let replay_safe = !matches!(method, Method::POST | Method::PATCH);
        Request {
            method,
            url,
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::Empty,
            replay_safe,
        }
    }

    /// A GET request.
    pub fn get(url: Url) -> Self {
        Self::new(Method::GET, url)
    }

    /// Appends a query parameter.
    pub fn query(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.query.push((name.into(), value.to_string()));
        self
    }

    /// Appends a query parameter when `value` is `Some`.
    pub fn query_opt<V: ToString>(self, name: impl Into<String>, value: Option<V>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets a JSON body.
    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.body = Body::Json(body);
        self
    }

    /// Sets a form body.
    pub fn form(mut self, pairs: Vec<(String, String)>) -> Self {
        self.body = Body::Form(pairs);
        self
    }

    /// Declares the request safe to replay (an idempotent POST).
    pub fn replay_safe(mut self, safe: bool) -> Self {
        self.replay_safe = safe;
        self
    }

    /// The full URL with the query string, as sent.
    pub fn full_url(&self) -> Url {
        let mut u = self.url.clone();
        if !self.query.is_empty() {
            u.query_pairs_mut().extend_pairs(self.query.iter());
        }
        u
    }
}

/// Joins `path` (e.g. `api/sam/v2/metrics`) onto a configured base URL that may or may not
/// end in a slash or carry a path prefix of its own (a reverse proxy).
pub fn join_url(base: &Url, path: &str) -> Url {
    let mut u = base.clone();
    u.set_query(None);
    u.set_fragment(None);
    let prefix = u.path().trim_end_matches('/').to_owned();
    u.set_path(&format!("{prefix}/{}", path.trim_start_matches('/')));
    u
}

/// Parses a configured base URL, with a clear configuration error for a bad one.
pub fn parse_base_url(value: &str, what: &str) -> crate::Result<Url> {
    let u = Url::parse(value.trim()).map_err(|e| {
        crate::Error::config(format!("{what} url {value:?} is not a valid URL: {e}"))
            .with_hint("urls look like https://host:port")
    })?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(crate::Error::config(format!(
            "{what} url {value:?} must use http or https"
        )));
    }
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_keeps_prefix_and_handles_slashes() {
        let b = Url::parse("https://h:9081").unwrap();
        assert_eq!(
            join_url(&b, "api/sam/v2/metrics").as_str(),
            "https://h:9081/api/sam/v2/metrics"
        );
        let b = Url::parse("https://h/proxy/").unwrap();
        assert_eq!(
            join_url(&b, "/api/2/reports").as_str(),
            "https://h/proxy/api/2/reports"
        );
    }

    #[test]
    fn post_is_not_replay_safe_by_default() {
        let u = Url::parse("http://h/x").unwrap();
        assert!(!Request::new(Method::POST, u.clone()).replay_safe);
        assert!(Request::new(Method::PUT, u.clone()).replay_safe);
        assert!(Request::get(u).replay_safe);
    }
}

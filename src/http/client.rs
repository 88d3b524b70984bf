//! [`HttpClient`]: the one reqwest client of an invocation, with the retry policy, TLS
//! options, `--dry-run`, request logging and the record of every request made.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::{Deserialize, Serialize};
use tracing::{debug, info, trace, warn};
use url::Url;

use super::request::{Body, Request};
use super::{message, redact, retry};
use crate::auth::Auth;
use crate::error::{Error, ErrorKind, Result};

/// Everything about transport that comes from global flags (DESIGN.md §2).
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Whole-request timeout (`--timeout`); for streamed answers, the longest wait for the
    /// next bytes.
    pub timeout: Duration,
    /// TCP/TLS connect timeout (`--connect-timeout`).
    pub connect_timeout: Duration,
    /// Retries after the first attempt (`--retries`).
    pub retries: u32,
    /// Extra CA certificate (PEM) to trust (`--ca-cert`), e.g. an on-prem VSPC's self-signed one.
    pub ca_cert: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS (`--client-cert`).
    pub client_cert: Option<PathBuf>,
    /// Its private key (PEM) (`--client-key`).
    pub client_key: Option<PathBuf>,
    /// Skip certificate verification (`--insecure`); warns.
    pub insecure: bool,
    /// Print requests instead of sending them (`--dry-run`).
    pub dry_run: bool,
    /// First backoff step; doubled per retry, with full jitter.
    pub backoff_base: Duration,
    /// Longest single wait between attempts.
    pub backoff_cap: Duration,
    /// Longest total time spent waiting between attempts of one request.
    pub max_total_wait: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retries: 3,
            ca_cert: None,
            client_cert: None,
            client_key: None,
            insecure: false,
            dry_run: false,
            backoff_base: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(20),
            max_total_wait: Duration::from_secs(60),
        }
    }
}

/// One attempt at a request, as recorded for the monthly bundle's manifest (secrets redacted).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RequestRecord {
    /// HTTP method.
    pub method: String,
    /// The URL with sensitive query values replaced by `***`.
    pub url: String,
    /// The status answered, if any.
    pub status: Option<u16>,
    /// The transport error, if the attempt failed without a status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A buffered successful response.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status (2xx).
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl Response {
    /// Deserializes the body as JSON, naming the request in the error.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::new(
                ErrorKind::Network,
                format!("the server's answer is not the JSON expected: {e}"),
            )
            .with_hint("run with -vvv to see the answer")
        })
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The shared HTTP client. Cheap to clone: clones share the connection pool and the record.
#[derive(Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    settings: Arc<HttpSettings>,
    records: Arc<Mutex<Vec<RequestRecord>>>,
    rng: Arc<Mutex<fastrand::Rng>>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// What went wrong with one attempt.
enum Failure {
    Status {
        status: u16,
        body: Bytes,
        retry_after: Option<Duration>,
        retryable: bool,
    },
    Transport {
        message: String,
        retryable: bool,
        tls: bool,
        timeout: bool,
    },
}

impl HttpClient {
    /// Builds the client: user agent, timeouts, gzip, rustls with the configured CA and
    /// client certificate.
    pub fn new(settings: HttpSettings) -> Result<Self> {
        // The process-wide TLS provider (ring); a no-op when the binary already installed it,
        // and what lets library callers (tests, the in-process demo) build a client at all.
        let _ = rustls::crypto::ring::default_provider().install_default();
        // No client-wide total timeout: buffered requests get `--timeout` per request (see
        // `build`), while streamed answers (NDJSON, downloads) may legitimately take longer
        // than that in all, so for them `--timeout` bounds each read (an idle stream) instead.
        let mut b = reqwest::Client::builder()
            .user_agent(concat!("licctl/", env!("CARGO_PKG_VERSION")))
            .read_timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout)
            .gzip(true);
        if let Some(path) = &settings.ca_cert {
            let pem = std::fs::read(path).map_err(|e| {
                Error::usage(format!("cannot read --ca-cert {}: {e}", path.display()))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                Error::usage(format!(
                    "--ca-cert {} is not a PEM certificate: {e}",
                    path.display()
                ))
            })?;
            if certs.is_empty() {
                return Err(Error::usage(format!(
                    "--ca-cert {} holds no PEM certificate",
                    path.display()
                )));
            }
            for c in certs {
                b = b.add_root_certificate(c);
            }
        }
        match (&settings.client_cert, &settings.client_key) {
            (Some(cert), Some(key)) => {
                let mut pem = std::fs::read(cert).map_err(|e| {
                    Error::usage(format!("cannot read --client-cert {}: {e}", cert.display()))
                })?;
                pem.push(b'\n');
                pem.extend(std::fs::read(key).map_err(|e| {
                    Error::usage(format!("cannot read --client-key {}: {e}", key.display()))
                })?);
                let id = reqwest::Identity::from_pem(&pem)
                    .map_err(|e| Error::usage(format!("invalid client certificate or key: {e}")))?;
                b = b.identity(id);
            }
            (None, None) => {}
            _ => return Err(Error::usage("--client-cert and --client-key go together")),
        }
        if settings.insecure {
            warn!("--insecure: TLS certificates are not verified; anyone on the network path can read and alter this traffic");
            b = b.danger_accept_invalid_certs(true);
        }
        let inner = b
            .build()
            .map_err(|e| Error::internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(HttpClient {
            inner,
            settings: Arc::new(settings),
            records: Arc::default(),
            rng: Arc::new(Mutex::new(fastrand::Rng::new())),
        })
    }

    /// The settings this client was built with.
    pub fn settings(&self) -> &HttpSettings {
        &self.settings
    }

    /// A client sharing the connection pool but keeping its own request record (one per
    /// vendor in a monthly run).
    pub fn with_fresh_record(&self) -> Self {
        HttpClient {
            records: Arc::default(),
            ..self.clone()
        }
    }

    /// Every attempt made so far, secrets redacted.
    pub fn records(&self) -> Vec<RequestRecord> {
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Sends `req` with `auth`, retrying per policy, and returns the buffered 2xx answer; any
    /// other answer becomes an [`Error`] of the status's kind carrying the vendor's message.
    pub async fn send(&self, req: &Request, auth: &Auth) -> Result<Response> {
        self.attempts(req, auth, true).await.map(|o| match o {
            Outcome::Buffered(r) => r,
            Outcome::Live(_) => unreachable!("buffered requests are never live"),
        })
    }

    /// Sends `req` and returns the live response once its status is 2xx, for answers too
    /// large to buffer (NDJSON streams, report downloads). Retries happen only before the
    /// body starts.
    pub async fn send_streaming(&self, req: &Request, auth: &Auth) -> Result<reqwest::Response> {
        self.attempts(req, auth, false).await.map(|o| match o {
            Outcome::Live(r) => r,
            Outcome::Buffered(_) => unreachable!("streaming requests are never buffered"),
        })
    }

    async fn attempts(&self, req: &Request, auth: &Auth, buffer: bool) -> Result<Outcome> {
        if self.settings.dry_run {
            crate::output::print_text(&Default::default(), &self.describe(req, auth, None))?;
            return Err(Error::new(ErrorKind::DryRun, "dry run: nothing was sent"));
        }
        let mut bearer = auth.bearer(self, None).await?;
        let mut refreshed = false;
        let mut attempt: u32 = 0;
        let mut waited = Duration::ZERO;
        loop {
            attempt += 1;
            let url = auth.url_with_query(req);
            let shown = redact::url(&url);
            debug!("→ {} {}", req.method, shown);
            trace!("{}", self.describe(req, auth, bearer.as_ref()));
            let started = Instant::now();
            let mut rb = self.build(req, auth, bearer.as_ref(), url);
            if buffer {
                rb = rb.timeout(self.settings.timeout);
            }
            let result = rb.send().await;
            let failure = match result {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    debug!(
                        "← {} {} ({} ms)",
                        status,
                        reason(status),
                        started.elapsed().as_millis()
                    );
                    if (200..300).contains(&status) {
                        if !buffer {
                            self.record(req, &shown, Some(status), None);
                            return Ok(Outcome::Live(resp));
                        }
                        let headers = resp.headers().clone();
                        match resp.bytes().await {
                            Ok(body) => {
                                self.record(req, &shown, Some(status), None);
                                trace!(
                                    "answer body:\n{}",
                                    redact::scrub(&String::from_utf8_lossy(&body))
                                );
                                return Ok(Outcome::Buffered(Response {
                                    status,
                                    headers,
                                    body,
                                }));
                            }
                            Err(e) => Failure::Transport {
                                message: format!("the answer broke off: {}", describe_reqwest(&e)),
                                retryable: req.replay_safe,
                                tls: false,
                                timeout: e.is_timeout(),
                            },
                        }
                    } else {
                        let headers = resp.headers().clone();
                        let body = resp.bytes().await.unwrap_or_default();
                        trace!(
                            "answer body:\n{}",
                            redact::scrub(&String::from_utf8_lossy(&body))
                        );
                        if status == 401 && !refreshed && auth.can_refresh() {
                            // A cached token may have been revoked or expired early: refresh once.
                            self.record(req, &shown, Some(status), None);
                            refreshed = true;
                            info!("token refused (401); refreshing it once");
                            bearer = auth.bearer(self, bearer.as_ref()).await?;
                            continue;
                        }
                        let retry_after = headers
                            .get(RETRY_AFTER)
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| retry::parse_retry_after(v, SystemTime::now()))
                            .or_else(|| {
                                message::retry_after_from_body(&body)
                                    .map(|s| Duration::from_secs_f64(s.max(0.0)))
                            });
                        let retryable_status = retry::is_retryable_status(status)
                            || (status == 520 && message::says_retryable(&body));
                        Failure::Status {
                            status,
                            body,
                            retry_after,
                            retryable: retryable_status && req.replay_safe,
                        }
                    }
                }
                Err(e) => {
                    let tls = is_tls_error(&e);
                    Failure::Transport {
                        message: describe_reqwest(&e),
                        retryable: req.replay_safe
                            && !tls
                            && (e.is_connect() || e.is_timeout() || e.is_request()),
                        tls,
                        timeout: e.is_timeout(),
                    }
                }
            };
            let (retryable, retry_after) = match &failure {
                Failure::Status {
                    retryable,
                    retry_after,
                    ..
                } => (*retryable, *retry_after),
                Failure::Transport { retryable, .. } => (*retryable, None),
            };
            let (status, err_text) = match &failure {
                Failure::Status { status, .. } => (Some(*status), None),
                Failure::Transport { message, .. } => (None, Some(redact::scrub(message))),
            };
            self.record(req, &shown, status, err_text);
            if retryable && attempt <= self.settings.retries {
                let wait = retry_after.unwrap_or_else(|| {
                    let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
                    retry::backoff(
                        self.settings.backoff_base,
                        attempt - 1,
                        self.settings.backoff_cap,
                        &mut rng,
                    )
                });
                if waited + wait <= self.settings.max_total_wait {
                    info!(
                        "{} {}: {}; retrying in {:.1} s (attempt {} of {})",
                        req.method,
                        path_of(&shown),
                        failure_summary(&failure),
                        wait.as_secs_f64(),
                        attempt + 1,
                        self.settings.retries + 1
                    );
                    tokio::time::sleep(wait).await;
                    waited += wait;
                    continue;
                }
                debug!("not retrying: the wait of {wait:?} would exceed the total retry budget");
            }
            return Err(self.failure_error(req, &shown, failure, attempt));
        }
    }

    fn build(
        &self,
        req: &Request,
        auth: &Auth,
        bearer: Option<&super::SecretString>,
        url: Url,
    ) -> reqwest::RequestBuilder {
        let mut rb = self.inner.request(req.method.clone(), url);
        for (k, v) in &req.headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        rb = auth.apply(rb, bearer);
        match &req.body {
            Body::Empty => rb,
            Body::Json(v) => rb.json(v),
            Body::Form(pairs) => rb.form(pairs),
        }
    }

    fn record(&self, req: &Request, url: &str, status: Option<u16>, error: Option<String>) {
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(RequestRecord {
                method: req.method.to_string(),
                url: url.to_owned(),
                status,
                error,
            });
    }

    /// The request as text, secrets redacted: `--dry-run` output and the `-vvv` log.
    fn describe(
        &self,
        req: &Request,
        auth: &Auth,
        _bearer: Option<&super::SecretString>,
    ) -> String {
        let url = auth.url_with_query(req);
        let mut s = format!("{} {}\n", req.method, redact::url(&url));
        for (k, v) in &req.headers {
            let v = if redact::is_sensitive_name(k) {
                redact::MASK
            } else {
                v.as_str()
            };
            s.push_str(&format!("{k}: {v}\n"));
        }
        if let Some(h) = auth.describe_header() {
            s.push_str(&h);
            s.push('\n');
        }
        match &req.body {
            Body::Empty => {}
            Body::Json(v) => {
                let mut v = v.clone();
                redact::scrub_json(&mut v);
                s.push_str("content-type: application/json\n\n");
                s.push_str(&serde_json::to_string_pretty(&v).unwrap_or_default());
                s.push('\n');
            }
            Body::Form(pairs) => {
                let shown: Vec<(&str, &str)> = pairs
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str(),
                            if redact::is_sensitive_name(k) {
                                redact::MASK
                            } else {
                                v.as_str()
                            },
                        )
                    })
                    .collect();
                s.push_str("content-type: application/x-www-form-urlencoded\n\n");
                s.push_str(
                    &serde_urlencoded::to_string(shown)
                        .unwrap_or_default()
                        .replace("%2A%2A%2A", "***"),
                );
                s.push('\n');
            }
        }
        redact::scrub(&s)
    }

    fn failure_error(
        &self,
        req: &Request,
        shown_url: &str,
        failure: Failure,
        attempts: u32,
    ) -> Error {
        let tries = if attempts > 1 {
            format!(" after {attempts} attempts")
        } else {
            String::new()
        };
        match failure {
            Failure::Status { status, body, .. } => {
                let vendor = message::extract(&body);
                let what = format!(
                    "HTTP {status} {} from {} {}",
                    reason(status),
                    req.method,
                    path_of(shown_url)
                );
                let msg = match vendor {
                    Some(m) => format!("{m} ({what}{tries})"),
                    None => format!("{what}{tries}"),
                };
                let e = Error::http(status, msg);
                match status {
                    401 => e.with_hint("the server refused the credentials; `licctl config show --origin` shows where they come from"),
                    403 => e.with_hint("the credentials are valid but lack permission for this operation"),
                    500..=599 => e.with_hint("the server failed; try again later, or raise --retries"),
                    _ => e,
                }
            }
            Failure::Transport {
                message,
                tls,
                timeout,
                ..
            } => {
                let e = Error::new(
                    ErrorKind::Network,
                    format!(
                        "{} {}: {message}{tries}",
                        req.method,
                        redact::scrub(shown_url)
                    ),
                );
                if tls {
                    e.with_hint("the server's certificate is not trusted: pass its CA with --ca-cert FILE (or LICCTL_CA_CERT); --insecure only as a last resort")
                } else if timeout {
                    e.with_hint("raise --timeout or --connect-timeout if the server is just slow")
                } else {
                    e.with_hint("check the url (`licctl config show --origin`) and that the server is reachable")
                }
            }
        }
    }
}

enum Outcome {
    Buffered(Response),
    Live(reqwest::Response),
}

fn failure_summary(f: &Failure) -> String {
    match f {
        Failure::Status { status, .. } => format!("HTTP {status} {}", reason(*status)),
        Failure::Transport { message, .. } => redact::scrub(message),
    }
}

/// The path part of a shown URL, for compact error lines.
fn path_of(url: &str) -> String {
    match Url::parse(url) {
        Ok(u) => u.path().to_owned(),
        Err(_) => url.to_owned(),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        520 => "Unknown Error",
        s => reqwest::StatusCode::from_u16(s)
            .ok()
            .and_then(|c| c.canonical_reason())
            .unwrap_or(""),
    }
}

/// The root cause of a reqwest error without the URL (which may hold a token).
fn describe_reqwest(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut parts = Vec::new();
    let top = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        let mut s = e.to_string();
        if let Some(u) = e.url() {
            s = s.replace(&format!(" ({u})"), "").replace(u.as_str(), "");
        }
        s
    };
    parts.push(top);
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        src = s.source();
    }
    redact::scrub(&parts.join(": "))
}

fn is_tls_error(e: &reqwest::Error) -> bool {
    use std::error::Error as _;
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string().to_ascii_lowercase();
        if t.contains("certificate") || t.contains("unknownissuer") || t.contains("tls") {
            return true;
        }
        src = s.source();
    }
    false
}

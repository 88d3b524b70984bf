//! What happens to every request before a vendor sees it: it is recorded, delayed by
//! `--latency-ms`, and — at the `--chaos` rate — answered with a failure instead.
//!
//! Chaos is deterministic: whether request number *n* fails depends only on the seed and *n*
//! (never on the clock), and the failures that do happen rotate through 429 (with
//! `Retry-After: 1`), 503 and a dropped connection, in that order. The same sequence of
//! requests against the same seed therefore meets the same failures, which is what lets
//! tests of licctl's retries be exact. On Veeam VSPC paths (`/api/v3/...`) the first two speak
//! Veeam's error format instead: 429 with `retryAfter` in the `errors[]` body (no header) and
//! 520 with `type: retryableLogical`.
//!
//! A *dropped connection* is the server closing the TCP (or TLS) connection after reading the
//! request, without writing a single byte of a response: the chaos answer carries a
//! [`DropConnection`] marker, and the connection driver in `mod.rs` turns that into an error
//! of the hyper service, on which hyper closes the socket. Clients see what they would see if
//! a load balancer or a crashed backend hung up on them (reqwest: "connection closed before
//! message completed"), at `send()`, not halfway through a body.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::data::mix;
use super::{json_error, lock, SandboxState};

/// Request bodies above this size are refused (413); no vendor API takes anything close.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Request headers kept in the log: the ones that carry credentials or decide body parsing.
const RECORDED_HEADERS: &[&str] = &["authorization", "token", "content-type"];

/// Salt so that the chaos rolls are independent of any data generator's sequence.
const CHAOS_SALT: u64 = 0xC4A0_5C4A_05C4_A05C;

/// One request as the sandbox received it, so tests can assert on exactly what licctl sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// Arrival number, from 0, counting every request since the sandbox started (clearing the
    /// log does not reset it: it also drives chaos).
    pub seq: u64,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, without the query string (`/api/sam/v2/metrics`).
    pub path: String,
    /// The raw, still percent-encoded query string, without `?`; empty when there was none.
    pub query: String,
    /// The recorded headers (`authorization`, `token`, `content-type`) that were present,
    /// names in lower case, in that order.
    pub headers: Vec<(String, String)>,
    /// The body, decoded as UTF-8 (lossily); empty when there was none.
    pub body: String,
    /// How chaos answered this request, or `None` when it reached the vendor emulation.
    pub chaos: Option<ChaosAnswer>,
}

impl RecordedRequest {
    /// The value of a recorded header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The query string decoded into name/value pairs, in order (`+` and `%20` become spaces).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .into_owned()
            .collect()
    }

    /// The first decoded value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

/// The failure `--chaos` answered a request with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChaosAnswer {
    /// 429 with `Retry-After: 1` and a JSON error body (Veeam paths: `retryAfter: 1` in the
    /// `errors[]` body instead of the header).
    TooManyRequests,
    /// 503 with a JSON error body (Veeam paths: 520 with `type: retryableLogical`).
    Unavailable,
    /// The connection was closed without a response.
    DroppedConnection,
}

/// Response extension telling the connection driver to hang up instead of answering.
#[derive(Clone, Copy, Debug)]
pub(super) struct DropConnection;

/// The middleware wrapped around every route (see the module documentation).
pub(super) async fn observe(
    State(state): State<Arc<SandboxState>>,
    req: Request,
    next: Next,
) -> Response {
    let seq = state.next_seq();
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY).await;
    let chaos = chaos_for(&state, seq);
    let veeam = parts.uri.path().starts_with(VEEAM_PREFIX);

    let mut record = RecordedRequest {
        seq,
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: RECORDED_HEADERS
            .iter()
            .filter_map(|name| {
                let value = parts.headers.get(*name)?;
                Some((
                    (*name).to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                ))
            })
            .collect(),
        body: String::new(),
        chaos,
    };
    let bytes = match bytes {
        Ok(bytes) => {
            record.body = String::from_utf8_lossy(&bytes).into_owned();
            lock(&state.log).push(record);
            bytes
        }
        Err(_) => {
            lock(&state.log).push(record);
            return json_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request body too large or unreadable",
            );
        }
    };

    if state.opts.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(state.opts.latency_ms)).await;
    }

    match chaos {
        None => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Some(ChaosAnswer::TooManyRequests) if veeam => veeam_error(
            StatusCode::TOO_MANY_REQUESTS,
            serde_json::json!({"message": "Too many requests (licctl sandbox chaos); retry after 1 second", "type": "retryableLogical", "code": 429, "retryAfter": 1}),
        ),
        Some(ChaosAnswer::Unavailable) if veeam => veeam_error(
            StatusCode::from_u16(520).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
            serde_json::json!({"message": "Service temporarily unavailable (licctl sandbox chaos)", "type": "retryableLogical", "code": 520}),
        ),
        Some(ChaosAnswer::TooManyRequests) => {
            let mut resp = json_error(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests (licctl sandbox chaos); retry after 1 second",
            );
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            resp
        }
        Some(ChaosAnswer::Unavailable) => json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service temporarily unavailable (licctl sandbox chaos)",
        ),
        Some(ChaosAnswer::DroppedConnection) => {
            let mut resp = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            resp.extensions_mut().insert(DropConnection);
            resp
        }
    }
}

/// Paths of the Veeam VSPC emulation, whose chaos answers use Veeam's error format.
const VEEAM_PREFIX: &str = "/api/v3/";

/// A Veeam error answer: `{"errors": [error]}`.
fn veeam_error(status: StatusCode, error: serde_json::Value) -> Response {
    (status, axum::Json(serde_json::json!({ "errors": [error] }))).into_response()
}

/// Whether request `seq` is answered by chaos, and how.
fn chaos_for(state: &SandboxState, seq: u64) -> Option<ChaosAnswer> {
    let rate = state.opts.chaos;
    if rate <= 0.0 {
        return None;
    }
    // 53 random bits → a uniform f64 in [0, 1); `< 1.0` is therefore always true.
    let roll = (mix(state.opts.seed ^ CHAOS_SALT, seq) >> 11) as f64 / (1u64 << 53) as f64;
    if roll >= rate {
        return None;
    }
    Some(match state.next_chaos_seq() % 3 {
        0 => ChaosAnswer::TooManyRequests,
        1 => ChaosAnswer::Unavailable,
        _ => ChaosAnswer::DroppedConnection,
    })
}

//! BigFix Inventory's license-metric API (`api/sam/v2/metrics`), emulated after seed 003.
//!
//! Faithful to the vendor's quirks, because licctl must cope with the real thing:
//! - every parameter travels in the query string, for POST, PUT and DELETE too, and the
//!   token may come as `?token=` or as a `Token:` header;
//! - `code_name` is trimmed (the seed's own examples send `code_name= VU_VALUE_UNIT `);
//! - errors are `{"error": "..."}` with 400 for bad input or an unknown metric and 403 for
//!   touching a predefined metric (`source_type` 0 or 1);
//! - a list answers `{"total": N, "rows": [...]}`, rows in ascending `id` order, paged by
//!   `limit`/`offset` with `total` always the full count.
//!
//! Data: the seed's three `source_type` 1 metrics, a dozen IBM predefined metrics
//! (`source_type` 0, negative ids) and `--scale` custom metrics (`source_type` 2, positive ids)
//! generated from the seed. Changes live as long as the sandbox.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use super::params::Params;
use super::{json_error, lock, Credentials, SandboxState};

mod license_usage;

/// Longest `code_name` and `display_name` BigFix accepts.
const MAX_NAME_CHARS: usize = 254;

/// One license metric, in the field order BigFix answers with.
#[derive(Clone, Debug, Serialize)]
struct Metric {
    id: i64,
    code_name: String,
    display_name: String,
    source_type: u8,
    source_id: i64,
}

/// The metrics of one sandbox, plus the id the next created metric gets.
struct Metrics {
    /// Always sorted by ascending id.
    rows: Vec<Metric>,
    next_id: i64,
}

/// The BigFix emulation's state: the shared sandbox state and its own metrics.
struct BigFix {
    shared: Arc<SandboxState>,
    metrics: Mutex<Metrics>,
}

/// The routes of the BigFix Inventory emulation.
pub fn router(shared: &Arc<SandboxState>) -> Router {
    let state = Arc::new(BigFix {
        metrics: Mutex::new(generate(shared)),
        shared: Arc::clone(shared),
    });
    Router::new()
        .route(
            "/api/sam/v2/metrics",
            get(list_metrics)
                .post(create_metric)
                .put(update_metric)
                .delete(delete_metric)
                .fallback(|| async {
                    json_error(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")
                }),
        )
        .route("/api/sam/v2/license_usage", get(license_usage::list))
        .with_state(state)
}

/// `LICCTL_BIGFIX_URL` and `LICCTL_BIGFIX_TOKEN` for a sandbox at `base_url`.
pub fn env_exports(base_url: &str, credentials: &Credentials) -> Vec<(String, String)> {
    vec![
        ("LICCTL_BIGFIX_URL".to_owned(), base_url.to_owned()),
        (
            "LICCTL_BIGFIX_TOKEN".to_owned(),
            credentials.bigfix_token.clone(),
        ),
    ]
}

/// IBM's predefined metrics: `(id, code_name, display_name, source_type, source_id)`. The
/// `source_type` 1 rows are the seed's own example.
const PREDEFINED: &[(i64, &str, &str, u8, i64)] = &[
    (-32767, "PROCESSOR_VALUE_UNIT", "Processor Value Unit", 0, 1),
    (-32766, "RESOURCE_VALUE_UNIT", "Resource Value Unit", 0, 2),
    (-32765, "AUTHORIZED_USER", "Authorized User", 0, 3),
    (-32764, "INSTALL", "Install", 0, 4),
    (
        -32763,
        "MANAGED_VIRTUAL_SERVER",
        "Managed Virtual Server",
        0,
        5,
    ),
    (
        -32762,
        "VIRTUAL_PROCESSOR_CORE",
        "Virtual Processor Core",
        0,
        6,
    ),
    (-32761, "CLIENT_DEVICE", "Client Device", 0, 7),
    (-32760, "SIMULTANEOUS_SESSION", "Simultaneous Session", 0, 8),
    (-32759, "FLOATING_USER", "Floating User", 0, 9),
    (-32758, "USER_VALUE_UNIT", "User Value Unit", 0, 10),
    (-32757, "VIRTUAL_SERVER", "Virtual Server", 0, 11),
    (-32756, "TERABYTE", "Terabyte", 0, 12),
    (-32603, "CONCURRENT_USER", "Concurrent User", 1, 27),
    (-32470, "VU_VALUE_UNIT", "VU Value Unit", 1, 32),
    (-32337, "APPSERVER_CONNECTED", "AppServer Connected", 1, 108),
];

/// The predefined metrics followed by `scale` custom ones drawn from the seed.
fn generate(shared: &SandboxState) -> Metrics {
    const SCOPE: &[&str] = &[
        "Managed",
        "Hosted",
        "Named",
        "Shared",
        "Dedicated",
        "Reserved",
        "Tenant",
        "Peak",
        "Average",
        "Licensed",
    ];
    const OBJECT: &[&str] = &[
        "Backup",
        "Mailbox",
        "Database",
        "Desktop",
        "Storage",
        "Firewall",
        "Container",
        "Gateway",
        "Archive",
        "Analytics",
        "Monitoring",
        "Web Server",
    ];
    const UNIT: &[&str] = &[
        "Users",
        "Cores",
        "Terabytes",
        "Instances",
        "Devices",
        "Sessions",
        "Nodes",
        "Seats",
    ];

    let mut rows: Vec<Metric> = PREDEFINED
        .iter()
        .map(|&(id, code, display, source_type, source_id)| Metric {
            id,
            code_name: code.to_owned(),
            display_name: display.to_owned(),
            source_type,
            source_id,
        })
        .collect();
    let mut taken: HashSet<String> = rows.iter().map(|m| m.display_name.clone()).collect();
    let mut data = shared.data("bigfix/metrics");
    let mut id = data.int(1_000..=20_000);
    for n in 1..=shared.opts.scale {
        id += data.int(1..=7);
        let mut display = format!(
            "{} {} {}",
            data.pick(SCOPE),
            data.pick(OBJECT),
            data.pick(UNIT)
        );
        if !taken.insert(display.clone()) {
            display = format!("{display} {n}");
            taken.insert(display.clone());
        }
        rows.push(Metric {
            id,
            code_name: format!("CUSTOM_METRIC_{n:04}"),
            display_name: display,
            source_type: 2,
            source_id: id,
        });
    }
    rows.sort_by_key(|m| m.id);
    Metrics {
        rows,
        next_id: id + 1,
    }
}

impl Params {
    /// `code_name`, trimmed as BigFix does.
    fn code_name(&self) -> &str {
        self.get("code_name").map(str::trim).unwrap_or_default()
    }
}

/// A BigFix error answer: `status` with `{"error": message}`.
struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    fn not_proper() -> Self {
        Self::bad_request("Metric code name or display name not proper")
    }

    fn does_not_exist() -> Self {
        Self::bad_request("Metric does not exist")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_error(self.status, &self.message)
    }
}

/// Checks the token (`?token=` first, else the `Token:` header): 401 when missing or wrong.
fn authorize(state: &BigFix, headers: &HeaderMap, params: &Params) -> Result<(), ApiError> {
    let given = params
        .get("token")
        .filter(|t| !t.is_empty())
        .or_else(|| headers.get("token").and_then(|v| v.to_str().ok()))
        .filter(|t| !t.is_empty());
    match given {
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Authentication required: provide the API token as the token parameter or the Token header",
        )),
        Some(token) if token == state.shared.credentials.bigfix_token => Ok(()),
        Some(_) => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Invalid token: the API token is not valid or has expired",
        )),
    }
}

/// Parses the query and checks the token: the start of every handler.
fn authorized(
    state: &BigFix,
    headers: &HeaderMap,
    query: Option<String>,
) -> Result<Params, ApiError> {
    let params = Params::parse(query);
    authorize(state, headers, &params)?;
    Ok(params)
}

/// `limit`/`offset` from the query: `(offset, Some(limit))`, or a 400 for a bad value.
fn page(params: &Params) -> Result<(usize, Option<usize>), ApiError> {
    let number = |name: &str, min: usize| -> Result<Option<usize>, ApiError> {
        let Some(raw) = params.get(name) else {
            return Ok(None);
        };
        match raw.trim().parse::<usize>() {
            Ok(n) if n >= min => Ok(Some(n)),
            _ => Err(ApiError::bad_request(format!(
                "Invalid value of the {name} parameter: '{raw}'. It must be an integer greater than or equal to {min}."
            ))),
        }
    };
    let limit = number("limit", 1)?;
    let offset = number("offset", 0)?.unwrap_or(0);
    Ok((offset, limit))
}

/// The list body: `{"total": N, "rows": [...]}`.
#[derive(Serialize)]
struct ListBody {
    total: usize,
    rows: Vec<Metric>,
}

/// `GET api/sam/v2/metrics`
async fn list_metrics(
    State(state): State<Arc<BigFix>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<ListBody>, ApiError> {
    let params = authorized(&state, &headers, query)?;
    let (offset, limit) = page(&params)?;
    let metrics = lock(&state.metrics);
    let total = metrics.rows.len();
    let start = offset.min(total);
    let end = limit.map_or(total, |l| start.saturating_add(l).min(total));
    Ok(Json(ListBody {
        total,
        rows: metrics.rows[start..end].to_vec(),
    }))
}

fn valid_code_name(code: &str) -> bool {
    (1..=MAX_NAME_CHARS).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// `POST api/sam/v2/metrics?code_name=..&display_name=..`
async fn create_metric(
    State(state): State<Arc<BigFix>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Metric>, ApiError> {
    let params = authorized(&state, &headers, query)?;
    let code = params.code_name();
    let display = params.get("display_name").unwrap_or_default().trim();
    let display_len = display.chars().count();
    if !valid_code_name(code) || !(1..=MAX_NAME_CHARS).contains(&display_len) {
        return Err(ApiError::not_proper());
    }
    let mut metrics = lock(&state.metrics);
    if metrics
        .rows
        .iter()
        .any(|m| m.code_name == code || m.display_name == display)
    {
        return Err(ApiError::bad_request("Metric already present"));
    }
    let id = metrics.next_id;
    metrics.next_id += 1;
    let metric = Metric {
        id,
        code_name: code.to_owned(),
        display_name: display.to_owned(),
        source_type: 2,
        source_id: id,
    };
    // Ids only grow, so appending keeps the ascending order.
    metrics.rows.push(metric.clone());
    Ok(Json(metric))
}

/// `PUT api/sam/v2/metrics?code_name=..&display_name=..`: renames a custom metric.
async fn update_metric(
    State(state): State<Arc<BigFix>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Metric>, ApiError> {
    let params = authorized(&state, &headers, query)?;
    let code = params.code_name();
    let mut metrics = lock(&state.metrics);
    let index = metrics
        .rows
        .iter()
        .position(|m| m.code_name == code)
        .ok_or_else(ApiError::does_not_exist)?;
    // The seed checks the length before the kind of metric (its CONCURRENT_USER example).
    let display = params.get("display_name").unwrap_or_default().trim();
    let display_len = display.chars().count();
    if display_len > MAX_NAME_CHARS {
        return Err(ApiError::bad_request("Display name length is too long"));
    }
    if display_len == 0 {
        return Err(ApiError::not_proper());
    }
    if metrics.rows[index].source_type != 2 {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!("{code} metric update not allowed"),
        ));
    }
    if metrics
        .rows
        .iter()
        .any(|m| m.code_name != code && m.display_name == display)
    {
        return Err(ApiError::bad_request("Metric already present"));
    }
    let metric = &mut metrics.rows[index];
    metric.display_name = display.to_owned();
    Ok(Json(metric.clone()))
}

/// `DELETE api/sam/v2/metrics?code_name=..`: removes a custom metric, answering `{}`.
async fn delete_metric(
    State(state): State<Arc<BigFix>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let params = authorized(&state, &headers, query)?;
    let code = params.code_name();
    let mut metrics = lock(&state.metrics);
    let index = metrics
        .rows
        .iter()
        .position(|m| m.code_name == code)
        .ok_or_else(ApiError::does_not_exist)?;
    if metrics.rows[index].source_type != 2 {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!("{code} metric delete not allowed"),
        ));
    }
    metrics.rows.remove(index);
    Ok(Json(serde_json::json!({})))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::SandboxOptions;

    fn metrics(seed: u64, scale: u64) -> Vec<Metric> {
        let state = SandboxState::new(SandboxOptions {
            seed,
            scale,
            ..SandboxOptions::default()
        });
        generate(&state).rows
    }

    #[test]
    fn generated_metrics_are_valid_unique_and_sorted() {
        let rows = metrics(42, 500);
        assert_eq!(rows.len(), PREDEFINED.len() + 500);
        assert!(rows.windows(2).all(|w| w[0].id < w[1].id));
        let codes: HashSet<_> = rows.iter().map(|m| &m.code_name).collect();
        let names: HashSet<_> = rows.iter().map(|m| &m.display_name).collect();
        assert_eq!(codes.len(), rows.len());
        assert_eq!(names.len(), rows.len());
        for m in &rows {
            assert!(valid_code_name(&m.code_name), "{}", m.code_name);
            if m.source_type == 2 {
                assert!(m.id > 0 && m.source_id == m.id);
            } else {
                assert!(m.id < 0);
            }
        }
    }

    #[test]
    fn code_name_rules() {
        assert!(valid_code_name("METRIC_POST"));
        assert!(valid_code_name("A1_2"));
        assert!(!valid_code_name("metric_post"));
        assert!(!valid_code_name("TWO WORDS"));
        assert!(!valid_code_name(""));
        assert!(valid_code_name(&"A".repeat(254)));
        assert!(!valid_code_name(&"A".repeat(255)));
    }
}

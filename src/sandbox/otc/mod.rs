//! The OTC Enterprise Dashboard, emulated after seed 001 (v1), DESIGN.md §6 (v2) and the
//! seed's deprecated Grafana endpoints.
//!
//! - v1: `GET /v1/consumption` (offset/limit, `limit` 1..=100 default 10, every documented
//!   filter, `total` = the filtered count), `/v1/consumption/day|week|month` (the whole
//!   selection in one answer, streamed), `/v1/consumption/reserved` (with the seed's
//!   trailing-space keys `"contract "` and `"consumption_date "` and `billing_quantity` like
//!   `"2 ST"`), `/v1/consumption/health` (no auth, empty body: the seed documents none).
//! - v2: `GET /v2/daily/consumption/` and `/v2/hourly/consumption/`: NDJSON, one record a
//!   line, sent in batches of 1,000 lines as they are generated; `GET /v2/health`.
//! - Grafana (HTTP Basic): keys list/create/delete and orgs list/current/switch, under every
//!   spelling the seed uses (`/v1/Grafana/keys`, `/v1/Grafana/auth/keys`, `/v1/grafana/...`).
//!
//! Errors: 400 `{"message": ...}` for an invalid parameter (limit 101, product 33, a bad
//! date, hour on the daily stream), 401 without a valid key (Bearer) or user (Basic).
//! Data: `--scale` records, generated on the fly (see `data.rs`); unfiltered requests cost
//! O(page), filtered totals one pass over the selected date range.

mod data;

use std::convert::Infallible;
use std::ops::Range;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde_json::json;

use self::data::{Dataset, Shape, CONTRACTS, PRODUCTS, PROJECTS, TAGS};
use super::params::Params;
use super::{lock, Credentials, SandboxState};

/// Lines per chunk of a streamed answer (v2 NDJSON, v1 day/week/month).
const BATCH: usize = 1_000;

/// The emulation's state.
struct Otc {
    shared: Arc<SandboxState>,
    data: Dataset,
    bearer: String,
    basic: String,
    grafana: Mutex<Grafana>,
}

/// The Grafana keys and the user's current organization.
struct Grafana {
    keys: Vec<(u64, String, String)>,
    next_id: u64,
    current_org: u64,
}

/// `(orgId, name, role)` of the user's organizations.
const ORGS: &[(u64, &str, &str)] = &[
    (1, "Main Org.", "Admin"),
    (2, "Sandbox Reporting", "Viewer"),
];

/// The routes of the OTC Enterprise Dashboard emulation.
pub fn router(shared: &Arc<SandboxState>) -> Router {
    use base64::Engine as _;
    let creds = &shared.credentials;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        creds.otc_grafana_user, creds.otc_grafana_password
    ));
    let state = Arc::new(Otc {
        data: Dataset::new(
            shared.opts.seed,
            shared.opts.scale,
            chrono::Utc::now().date_naive(),
        ),
        bearer: format!("Bearer {}", creds.otc_api_key),
        basic: format!("Basic {basic}"),
        grafana: Mutex::new(Grafana {
            keys: vec![(1, "myApiKey".to_owned(), "Admin".to_owned())],
            next_id: 2,
            current_org: 1,
        }),
        shared: Arc::clone(shared),
    });
    let mut r = Router::new()
        .route("/v1/consumption", get(v1_list))
        .route("/v1/consumption/day", get(v1_day))
        .route("/v1/consumption/week", get(v1_week))
        .route("/v1/consumption/month", get(v1_month))
        .route("/v1/consumption/reserved", get(v1_reserved))
        .route("/v1/consumption/health", get(|| async { StatusCode::OK }))
        .route("/v2/daily/consumption/", get(v2_daily))
        .route("/v2/daily/consumption", get(v2_daily))
        .route("/v2/hourly/consumption/", get(v2_hourly))
        .route("/v2/hourly/consumption", get(v2_hourly))
        .route(
            "/v2/health",
            get(|| async { Json(json!({"status": "ok"})) }),
        );
    // Every spelling of the seed: headings /v1/Grafana/keys, curl /v1/Grafana/auth/keys and
    // /v1/grafana/auth/keys; organizations in lower case (upper case accepted too).
    for g in ["Grafana", "grafana"] {
        for keys in ["keys", "auth/keys"] {
            r = r
                .route(&format!("/v1/{g}/{keys}"), get(keys_list).post(keys_create))
                .route(&format!("/v1/{g}/{keys}/{{id}}"), delete(keys_delete));
        }
        r = r
            .route(&format!("/v1/{g}/user/orgs"), get(orgs_list))
            .route(&format!("/v1/{g}/user/orgs/current"), get(orgs_current))
            .route(
                &format!("/v1/{g}/user/using/{{id}}"),
                get(orgs_switch).post(orgs_switch),
            );
    }
    r.with_state(state)
}

/// `LICCTL_OTC_URL`, `LICCTL_OTC_API_KEY` and the Grafana user and password.
pub fn env_exports(base_url: &str, credentials: &Credentials) -> Vec<(String, String)> {
    vec![
        ("LICCTL_OTC_URL".to_owned(), base_url.to_owned()),
        (
            "LICCTL_OTC_API_KEY".to_owned(),
            credentials.otc_api_key.clone(),
        ),
        (
            "LICCTL_OTC_GRAFANA_USER".to_owned(),
            credentials.otc_grafana_user.clone(),
        ),
        (
            "LICCTL_OTC_GRAFANA_PASSWORD".to_owned(),
            credentials.otc_grafana_password.clone(),
        ),
    ]
}

/// An error answer: `{"message": ...}`.
#[derive(Debug)]
struct ApiError(StatusCode, String);

impl ApiError {
    fn bad(message: impl Into<String>) -> Self {
        ApiError(StatusCode::BAD_REQUEST, message.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"message": self.1}))).into_response()
    }
}

type ApiResult<T> = Result<T, ApiError>;

fn bearer(state: &Otc, headers: &HeaderMap) -> ApiResult<()> {
    match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(v) if v == state.bearer => Ok(()),
        Some(_) => Err(ApiError(
            StatusCode::UNAUTHORIZED,
            "Invalid or expired API key".into(),
        )),
        None => Err(ApiError(
            StatusCode::UNAUTHORIZED,
            "Authentication required: Authorization: Bearer <API key>".into(),
        )),
    }
}

fn basic(state: &Otc, headers: &HeaderMap) -> ApiResult<()> {
    match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(v) if v == state.basic => Ok(()),
        _ => Err(ApiError(
            StatusCode::UNAUTHORIZED,
            "Invalid username or password".into(),
        )),
    }
}

impl Params {
    fn int(&self, name: &str, range: std::ops::RangeInclusive<u64>) -> ApiResult<Option<u64>> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        match raw.trim().parse::<u64>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(ApiError::bad(format!(
                "Invalid value for {name}: '{raw}'. It must be an integer between {} and {}.",
                range.start(),
                range.end()
            ))),
        }
    }

    fn date(&self, name: &str) -> ApiResult<Option<NaiveDate>> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                ApiError::bad(format!(
                    "Invalid value for {name}: '{raw}'. Expected format YYYY-MM-DD."
                ))
            })
    }

    fn boolean(&self, name: &str) -> ApiResult<Option<bool>> {
        match self.get(name).map(|s| s.trim().to_ascii_lowercase()) {
            None => Ok(None),
            Some(s) if s == "true" || s == "1" => Ok(Some(true)),
            Some(s) if s == "false" || s == "0" => Ok(Some(false)),
            Some(s) => Err(ApiError::bad(format!(
                "Invalid value for {name}: '{s}'. Expected true or false."
            ))),
        }
    }

    fn text(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|s| !s.is_empty())
    }
}

/// A selection of records: a date range, an optional resource mask and an optional hour.
struct Selection {
    range: Range<u64>,
    mask: Option<Vec<bool>>,
    hour: Option<u8>,
}

impl Selection {
    fn all(data: &Dataset) -> Self {
        Selection {
            range: 0..data.n,
            mask: None,
            hour: None,
        }
    }

    fn dates(mut self, data: &Dataset, from: NaiveDate, to: NaiveDate) -> Self {
        let r = data.range_of_dates(from, to);
        self.range = self.range.start.max(r.start)
            ..self.range.end.min(r.end).max(self.range.start.max(r.start));
        self
    }

    fn simple(&self) -> bool {
        self.mask.is_none() && self.hour.is_none()
    }

    fn matches(&self, data: &Dataset, i: u64) -> bool {
        self.mask.as_ref().is_none_or(|m| m[data.resource_of(i)])
            && self.hour.is_none_or(|h| data.hour_of(i) == h)
    }

    fn total(&self, data: &Dataset) -> u64 {
        if self.simple() {
            self.range.end - self.range.start
        } else {
            self.range
                .clone()
                .filter(|&i| self.matches(data, i))
                .count() as u64
        }
    }

    /// The matching indexes from the `offset`-th match on.
    fn from<'a>(&'a self, data: &'a Dataset, offset: u64) -> Box<dyn Iterator<Item = u64> + 'a> {
        if self.simple() {
            Box::new(self.range.start.saturating_add(offset).min(self.range.end)..self.range.end)
        } else {
            Box::new(
                self.range
                    .clone()
                    .filter(move |&i| self.matches(data, i))
                    .skip(offset as usize),
            )
        }
    }
}

/// The attribute filters shared by v1 and v2, as a mask over the resource pool.
fn resource_mask(
    data: &Dataset,
    p: &Params,
    tagged: Option<bool>,
    consumption_type: Option<bool>,
) -> ApiResult<Option<Vec<bool>>> {
    let contract = p.int("contract", 0..=u64::MAX)?;
    let product = p.int("product", 1..=32)?;
    let description = p.text("product_description");
    let project = p.text("project_name");
    let resource = p.text("resource_id");
    let tag_key = p.text("tag_key");
    let tag_value = p.text("tag_value");
    if contract.is_none()
        && product.is_none()
        && description.is_none()
        && project.is_none()
        && resource.is_none()
        && tag_key.is_none()
        && tag_value.is_none()
        && tagged.is_none()
        && consumption_type.is_none()
    {
        return Ok(None);
    }
    let mask = data
        .pool
        .iter()
        .map(|r| {
            contract.is_none_or(|c| CONTRACTS[r.contract].0 == c)
                && product.is_none_or(|p| r.product as u64 + 1 == p)
                && description.is_none_or(|d| PRODUCTS[r.product].1.eq_ignore_ascii_case(d))
                && project.is_none_or(|p| PROJECTS[r.project].0 == p)
                && resource.is_none_or(|id| r.id.eq_ignore_ascii_case(id))
                && tag_key.is_none_or(|k| r.tag.is_some_and(|(ki, _)| TAGS[ki].0 == k))
                && tag_value.is_none_or(|v| r.tag.is_some_and(|(ki, vi)| TAGS[ki].1[vi] == v))
                && tagged.is_none_or(|t| r.tag.is_some() == t)
                && consumption_type.is_none_or(|reserved| r.reserved == reserved)
        })
        .collect();
    Ok(Some(mask))
}

fn json_response(body: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(body));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// `GET /v1/consumption`: one page with the filtered total.
async fn v1_list(
    State(st): State<Arc<Otc>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    bearer(&st, &headers)?;
    let p = Params::parse(q);
    let limit = p.int("limit", 1..=100)?.unwrap_or(10);
    let offset = p.int("offset", 0..=u64::MAX)?.unwrap_or(0);
    let data = &st.data;
    let mut sel = Selection::all(data);
    sel.mask = resource_mask(data, &p, p.boolean("tagged")?, None)?;
    if let Some(d) = p.date("consumption_date")? {
        sel = sel.dates(data, d, d);
    }
    let total = sel.total(data);
    let mut body = format!("{{\"offset\": {offset}, \"total\": {total}, \"limit\": {limit}, \"kind\": \"Collection\", \"contents\": [").into_bytes();
    for (n, i) in sel.from(data, offset).take(limit as usize).enumerate() {
        if n > 0 {
            body.push(b',');
        }
        data.render(i, Shape::V1, &mut body);
    }
    body.extend_from_slice(b"]}");
    Ok(json_response(body))
}

/// A whole v1 selection as `{"total", "kind", "contents"}`, streamed in batches.
fn v1_collection(st: Arc<Otc>, sel: Selection) -> Response {
    let total = sel.total(&st.data);
    let head = Bytes::from(format!(
        "{{\"total\": {total}, \"kind\": \"Collection\", \"contents\": ["
    ));
    let sel = Arc::new(sel);
    let chunks = futures::stream::unfold(Some(0u64), move |state| {
        let (st, sel) = (Arc::clone(&st), Arc::clone(&sel));
        async move {
            let offset = state?;
            let mut buf = Vec::new();
            let mut n = 0u64;
            for i in sel.from(&st.data, offset).take(BATCH) {
                if offset + n > 0 {
                    buf.push(b',');
                }
                st.data.render(i, Shape::V1, &mut buf);
                n += 1;
            }
            if (n as usize) < BATCH {
                buf.extend_from_slice(b"]}");
                return Some((Ok::<_, Infallible>(Bytes::from(buf)), None));
            }
            Some((Ok(Bytes::from(buf)), Some(offset + n)))
        }
    });
    let body = futures::StreamExt::chain(
        futures::stream::once(async move { Ok::<_, Infallible>(head) }),
        chunks,
    );
    let mut resp = Response::new(Body::from_stream(body));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// `GET /v1/consumption/day[?consumption_date=]` (default: the latest day with data).
async fn v1_day(
    State(st): State<Arc<Otc>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    bearer(&st, &headers)?;
    let p = Params::parse(q);
    let day = p
        .date("consumption_date")?
        .unwrap_or_else(|| st.data.last_day());
    let sel = Selection::all(&st.data).dates(&st.data, day, day);
    Ok(v1_collection(st, sel))
}

/// `GET /v1/consumption/week?year=&week=` (ISO weeks).
async fn v1_week(
    State(st): State<Arc<Otc>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    bearer(&st, &headers)?;
    let p = Params::parse(q);
    let year = p
        .int("year", 1970..=9999)?
        .ok_or_else(|| ApiError::bad("Missing required parameter: year"))?;
    let week = p
        .int("week", 1..=53)?
        .ok_or_else(|| ApiError::bad("Missing required parameter: week"))?;
    let sel = match NaiveDate::from_isoywd_opt(year as i32, week as u32, Weekday::Mon) {
        Some(monday) => {
            Selection::all(&st.data).dates(&st.data, monday, monday + Duration::days(6))
        }
        None => {
            return Err(ApiError::bad(format!(
                "Invalid value for week: {year} has no ISO week {week}."
            )))
        }
    };
    Ok(v1_collection(st, sel))
}

/// `GET /v1/consumption/month?month=YYYY-MM`.
async fn v1_month(
    State(st): State<Arc<Otc>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    bearer(&st, &headers)?;
    let p = Params::parse(q);
    let raw = p
        .get("month")
        .ok_or_else(|| ApiError::bad("Missing required parameter: month"))?;
    let first =
        NaiveDate::parse_from_str(&format!("{}-01", raw.trim()), "%Y-%m-%d").map_err(|_| {
            ApiError::bad(format!(
                "Invalid value for month: '{raw}'. Expected format YYYY-MM."
            ))
        })?;
    let sel = Selection::all(&st.data).dates(&st.data, first, month_end(first));
    Ok(v1_collection(st, sel))
}

fn month_end(first: NaiveDate) -> NaiveDate {
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    next.expect("valid month") - Duration::days(1)
}

/// `GET /v1/consumption/reserved[?contract=]`: one package per reserved resource, shaped like
/// the seed's example, trailing-space keys and `"N ST"` quantities included.
async fn v1_reserved(
    State(st): State<Arc<Otc>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<serde_json::Value>> {
    bearer(&st, &headers)?;
    let p = Params::parse(q);
    let contract = p.int("contract", 0..=u64::MAX)?;
    let month = st.data.last_day().with_day(1).expect("day 1 exists");
    let time = format!("{} 00:00:00", month.format("%Y-%m-%d"));
    let contents: Vec<serde_json::Value> = st
        .data
        .pool
        .iter()
        .enumerate()
        .filter(|(_, r)| r.reserved && contract.is_none_or(|c| CONTRACTS[r.contract].0 == c))
        .map(|(n, r)| {
            let (c, _, _, customer, discount) = CONTRACTS[r.contract];
            let (_, description, _, unit_price) = PRODUCTS[r.product];
            let count = n % 4 + 1;
            let amount =
                ((count as f64) * unit_price * 730.0 * (1.0 - discount) * 100.0).round() / 100.0;
            json!({
                "kind": "Consumption",
                "time": time,
                "consumption_date ": time,
                "contract ": c,
                "customer_name": customer,
                "regulator_id": 1234,
                "product": description,
                "product_description": description,
                "billing_quantity": format!("{count} ST"),
                "reserved_type": if n % 2 == 0 { "upfront" } else { "monthly" },
                "amount": amount,
                "region": PROJECTS[r.project].1,
            })
        })
        .collect();
    Ok(Json(json!({"kind": "Collection", "contents": contents})))
}

async fn v2_daily(
    State(st): State<Arc<Otc>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    v2_stream(st, &headers, q, false)
}

async fn v2_hourly(
    State(st): State<Arc<Otc>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    v2_stream(st, &headers, q, true)
}

/// The v2 NDJSON stream: validated, then generated and sent in batches of 1,000 lines.
fn v2_stream(
    st: Arc<Otc>,
    headers: &HeaderMap,
    q: Option<String>,
    hourly: bool,
) -> ApiResult<Response> {
    bearer(&st, headers)?;
    let p = Params::parse(q);
    let reserved = match p.get("consumption_type").map(str::trim) {
        None | Some("") => None,
        Some(t) if t.eq_ignore_ascii_case("EL") => Some(false),
        Some(t) if t.eq_ignore_ascii_case("RC") => Some(true),
        Some(t) => {
            return Err(ApiError::bad(format!(
                "Invalid value for consumption_type: '{t}'. Expected EL or RC."
            )))
        }
    };
    let hour = p.int("hour", 0..=23)?;
    if hour.is_some() && !hourly {
        return Err(ApiError::bad(
            "The hour parameter is only valid for hourly consumption.",
        ));
    }
    let month = p.int("month", 1..=12)?;
    let week = p.int("week", 1..=53)?;
    let year = p.int("year", 1970..=9999)?;
    let date = p.date("date")?;
    let show_tag = p.boolean("show_tag")?.unwrap_or(false);
    let data = &st.data;
    let mut sel = Selection::all(data);
    sel.mask = resource_mask(data, &p, None, reserved)?;
    sel.hour = hour.map(|h| h as u8);
    if let Some(d) = date {
        sel = sel.dates(data, d, d);
    }
    if let Some(y) = year {
        let y = y as i32;
        sel = sel.dates(data, ymd(y, 1, 1), ymd(y, 12, 31));
    }
    if let Some(m) = month {
        // Without a year: the window's occurrence of that month (the window is 12 months).
        let y = year.map_or_else(
            || {
                if m as u32 >= data.start.month() {
                    data.start.year()
                } else {
                    data.start.year() + 1
                }
            },
            |y| y as i32,
        );
        let first = ymd(y, m as u32, 1);
        sel = sel.dates(data, first, month_end(first));
    }
    if let Some(w) = week {
        let y = year.ok_or_else(|| ApiError::bad("The week parameter requires year."))?;
        match NaiveDate::from_isoywd_opt(y as i32, w as u32, Weekday::Mon) {
            Some(monday) => sel = sel.dates(data, monday, monday + Duration::days(6)),
            None => sel.range = 0..0,
        }
    }
    let shape = if hourly {
        Shape::Hourly { show_tag }
    } else {
        Shape::Daily { show_tag }
    };
    let sel = Arc::new(sel);
    let st2 = Arc::clone(&st);
    // Each step resumes the scan where the last batch ended: (next index to look at).
    let chunks = futures::stream::unfold(sel.range.start, move |pos| {
        let (st, sel) = (Arc::clone(&st2), Arc::clone(&sel));
        async move {
            let end = sel.range.end;
            if pos >= end {
                return None;
            }
            let mut buf = Vec::with_capacity(BATCH * 600);
            let mut i = pos;
            let mut n = 0;
            while i < end && n < BATCH {
                if sel.matches(&st.data, i) {
                    st.data.render(i, shape, &mut buf);
                    buf.push(b'\n');
                    n += 1;
                }
                i += 1;
            }
            if n == 0 {
                return None;
            }
            Some((Ok::<_, Infallible>(Bytes::from(buf)), i))
        }
    });
    let mut resp = Response::new(Body::from_stream(chunks));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    Ok(resp)
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

async fn keys_list(
    State(st): State<Arc<Otc>>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    basic(&st, &headers)?;
    let g = lock(&st.grafana);
    let list: Vec<_> = g
        .keys
        .iter()
        .map(|(id, name, role)| json!({"id": id, "name": name, "role": role}))
        .collect();
    Ok(Json(json!({ "list": list })))
}

async fn keys_create(
    State(st): State<Arc<Otc>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    basic(&st, &headers)?;
    let v: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|_| ApiError::bad("The request body must be JSON: {\"name\": \"...\"}"))?;
    let name = v
        .get("name")
        .and_then(|n| n.as_str())
        .map(str::trim)
        .unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::bad("name is required"));
    }
    let mut g = lock(&st.grafana);
    if g.keys.iter().any(|(_, n, _)| n == name) {
        return Err(ApiError(
            StatusCode::CONFLICT,
            "API Key Organization ID And Name Must Be Unique".into(),
        ));
    }
    let id = g.next_id;
    g.next_id += 1;
    g.keys.push((id, name.to_owned(), "Admin".to_owned()));
    let key = st.shared.data(&format!("otc/grafana-key/{id}")).hex(40);
    Ok(Json(json!({"id": id, "name": name, "key": key})))
}

async fn keys_delete(
    State(st): State<Arc<Otc>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    basic(&st, &headers)?;
    let id: u64 = id
        .parse()
        .map_err(|_| ApiError::bad(format!("Invalid key id: '{id}'")))?;
    let mut g = lock(&st.grafana);
    let before = g.keys.len();
    g.keys.retain(|(k, _, _)| *k != id);
    if g.keys.len() == before {
        return Err(ApiError(StatusCode::NOT_FOUND, "API key not found".into()));
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn orgs_list(
    State(st): State<Arc<Otc>>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    basic(&st, &headers)?;
    let list: Vec<_> = ORGS
        .iter()
        .map(|(id, name, role)| json!({"orgId": id, "name": name, "role": role}))
        .collect();
    Ok(Json(json!({ "list": list })))
}

async fn orgs_current(
    State(st): State<Arc<Otc>>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    basic(&st, &headers)?;
    let current = lock(&st.grafana).current_org;
    let name = ORGS.iter().find(|o| o.0 == current).map_or("", |o| o.1);
    let address = json!({"address1": "", "address2": "", "city": "", "zipCode": "", "state": "", "country": ""});
    Ok(Json(
        json!({"id": current, "name": name, "address": address}),
    ))
}

async fn orgs_switch(
    State(st): State<Arc<Otc>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    basic(&st, &headers)?;
    let id: u64 = id
        .parse()
        .map_err(|_| ApiError::bad(format!("Invalid organization id: '{id}'")))?;
    if !ORGS.iter().any(|o| o.0 == id) {
        return Err(ApiError(
            StatusCode::UNAUTHORIZED,
            "Not a valid organization".into(),
        ));
    }
    lock(&st.grafana).current_org = id;
    Ok(Json(json!({"message": "Active organization changed"})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_paging_matches_a_scan() {
        let data = Dataset::new(7, 5000, NaiveDate::from_ymd_opt(2026, 5, 2).unwrap());
        let p = Params::parse(Some("product=3&tagged=true"));
        let mut sel = Selection::all(&data);
        sel.mask = resource_mask(&data, &p, p.boolean("tagged").unwrap(), None).unwrap();
        let all: Vec<u64> = (0..5000).filter(|&i| sel.matches(&data, i)).collect();
        assert_eq!(sel.total(&data), all.len() as u64);
        assert_eq!(
            sel.from(&data, 3).take(4).collect::<Vec<_>>(),
            all[3..7.min(all.len())].to_vec()
        );
        for i in &all {
            let r = &data.pool[data.resource_of(*i)];
            assert!(r.product == 2 && r.tag.is_some());
        }
    }

    #[test]
    fn bad_parameters_are_400() {
        let p = Params::parse(Some(
            "limit=101&product=33&consumption_date=2020-13-01&tagged=maybe",
        ));
        assert!(p.int("limit", 1..=100).is_err());
        assert!(p.int("product", 1..=32).is_err());
        assert!(p.date("consumption_date").is_err());
        assert!(p.boolean("tagged").is_err());
    }
}

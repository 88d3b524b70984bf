//! Veeam Service Provider Console's licensing API (`/api/v3`), emulated after seed 004 and
//! DESIGN.md §6.
//!
//! - `POST /api/v3/token`: the password grant (`grant_type=password`, `username`, `password`)
//!   and the refresh grant (`grant_type=refresh_token`, `refresh_token`, rotated on use) answer
//!   `access_token`, `token_type`, `refresh_token`, `expires_in` (`--token-ttl`). Access tokens
//!   expire for real; the static API key of [`Credentials::veeam_api_key`] is a bearer too.
//! - `GET /licensing/reports` lists the reports of the [`reports::LISTED_MONTHS`] months before
//!   the current one (one per owner: the provider and two resellers), oldest first, paged by
//!   `limit` (default 100) / `offset` with `meta.pagingInfo {total, count, offset}`. It spells
//!   the parameters `reportParemeters` as the seed's example does; `latest` and `{date}` spell
//!   them `reportParameters` as the OpenAPI does, so licctl meets both.
//! - `GET /licensing/reports/latest` (last month's), `GET /licensing/reports/{date}` (the
//!   reports generated that day: a month's reports are generated on the 1st of the next month,
//!   for any past month), `GET /licensing/reports/{id}/csv` (text/csv, CRLF).
//! - `POST /licensing/reports/finalization` finalizes last month's reports (status
//!   `NotFinalized` → `Finalized`); earlier months are always finalized.
//! - `GET|PATCH /licensing/reports/settings`: `{"autoApprove": bool, "autoApproveDay": 1..28}`,
//!   changed with JSON-Patch `replace` operations; `autoApprove` finalizes last month's reports.
//! - `GET /licensing/usage/organizations`: the current month's usage per company and per
//!   reseller (its companies together), with VSPC's `filter` expressions (`equals`,
//!   `notEquals`, `contains`, `in`, `greaterThan`, `lessThan`, `and`, `or`, `not`).
//! - Errors are `{"errors": [{"message", "type", "code"}]}`; under `--chaos` the middleware
//!   answers Veeam paths with 520 `retryableLogical` and 429 with `retryAfter` in the body.

mod reports;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use self::reports::{
    aggregate, company_usage, generation_day, Orgs, ProductLine, WorkloadLine, LISTED_MONTHS,
};
use super::{lock, Credentials, SandboxState};
use crate::usage::Month;

/// The Veeam emulation's state.
struct Veeam {
    shared: Arc<SandboxState>,
    orgs: Orgs,
    tokens: Mutex<Tokens>,
    settings: Mutex<Value>,
    /// Months whose reports were finalized by `POST /licensing/reports/finalization`.
    finalized: Mutex<BTreeSet<Month>>,
}

/// Issued tokens.
#[derive(Default)]
struct Tokens {
    /// Access token → when it stops working.
    access: HashMap<String, Instant>,
    /// Refresh tokens not used yet.
    refresh: HashSet<String>,
    /// Tokens issued so far (numbers the next pair).
    issued: u64,
}

/// The routes of the Veeam VSPC emulation.
pub fn router(shared: &Arc<SandboxState>) -> Router {
    let state = Arc::new(Veeam {
        orgs: Orgs::generate(shared.opts.seed, shared.opts.scale),
        shared: Arc::clone(shared),
        tokens: Mutex::new(Tokens::default()),
        settings: Mutex::new(json!({"autoApprove": false, "autoApproveDay": 5})),
        finalized: Mutex::new(BTreeSet::new()),
    });
    let not_allowed = || async {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "logical",
            405,
            "Method not allowed",
        )
    };
    Router::new()
        .route("/api/v3/token", post(token).fallback(not_allowed))
        .route(
            "/api/v3/licensing/reports",
            get(list_reports).fallback(not_allowed),
        )
        .route(
            "/api/v3/licensing/reports/latest",
            get(latest_reports).fallback(not_allowed),
        )
        .route(
            "/api/v3/licensing/reports/finalization",
            post(finalize).fallback(not_allowed),
        )
        .route(
            "/api/v3/licensing/reports/settings",
            get(get_settings)
                .patch(patch_settings)
                .fallback(not_allowed),
        )
        .route(
            "/api/v3/licensing/reports/{date}",
            get(reports_for_date).fallback(not_allowed),
        )
        .route(
            "/api/v3/licensing/reports/{id}/csv",
            get(report_csv).fallback(not_allowed),
        )
        .route(
            "/api/v3/licensing/usage/organizations",
            get(organizations_usage).fallback(not_allowed),
        )
        .with_state(state)
}

/// `LICCTL_VEEAM_URL`, `LICCTL_VEEAM_USERNAME` and `LICCTL_VEEAM_PASSWORD` for a sandbox at
/// `base_url`. The API key is left out so that licctl signs in with the password grant (the
/// key would take precedence); tests use [`Credentials::veeam_api_key`] directly.
pub fn env_exports(base_url: &str, credentials: &Credentials) -> Vec<(String, String)> {
    vec![
        ("LICCTL_VEEAM_URL".to_owned(), base_url.to_owned()),
        (
            "LICCTL_VEEAM_USERNAME".to_owned(),
            credentials.veeam_username.clone(),
        ),
        (
            "LICCTL_VEEAM_PASSWORD".to_owned(),
            credentials.veeam_password.clone(),
        ),
    ]
}

/// A Veeam error answer: `{"errors": [{"message", "type", "code"}]}`.
struct ApiError {
    status: StatusCode,
    kind: &'static str,
    code: u32,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, code: u32, message: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            code,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "logical", 400, message)
    }

    fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "security", 401, message)
    }

    fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "logical", 404, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body =
            json!({"errors": [{"message": self.message, "type": self.kind, "code": self.code}]});
        (self.status, Json(body)).into_response()
    }
}

type ApiResult<T> = Result<T, ApiError>;

impl Veeam {
    /// Checks `Authorization: Bearer ...`: the API key, or an access token not expired yet.
    fn authorize(&self, headers: &HeaderMap) -> ApiResult<()> {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "Authorization has been denied for this request: no bearer token",
                )
            })?;
        if given == self.shared.credentials.veeam_api_key {
            return Ok(());
        }
        match lock(&self.tokens).access.get(given) {
            Some(deadline) if Instant::now() < *deadline => Ok(()),
            Some(_) => Err(ApiError::unauthorized("The access token has expired")),
            None => Err(ApiError::unauthorized("The access token is not valid")),
        }
    }

    /// A new token pair, remembered until it expires (access) or is used (refresh).
    fn issue(&self) -> Value {
        let ttl = self.shared.opts.token_ttl_secs;
        let mut tokens = lock(&self.tokens);
        tokens.issued += 1;
        let mut g = self.shared.data(&format!("veeam/token/{}", tokens.issued));
        let (access, refresh) = (
            format!("vspc-at-{}", g.hex(40)),
            format!("vspc-rt-{}", g.hex(40)),
        );
        tokens
            .access
            .insert(access.clone(), Instant::now() + Duration::from_secs(ttl));
        tokens.refresh.insert(refresh.clone());
        json!({"access_token": access, "token_type": "bearer", "refresh_token": refresh, "expires_in": ttl})
    }

    /// The last month with reports (the one before today's, UTC).
    fn last_month(&self) -> Month {
        Month::previous(chrono::Utc::now().date_naive())
    }

    /// The approval status of `month`'s reports.
    fn status(&self, month: Month) -> &'static str {
        let auto = lock(&self.settings)["autoApprove"]
            .as_bool()
            .unwrap_or(false);
        if month < self.last_month() || auto || lock(&self.finalized).contains(&month) {
            "Finalized"
        } else {
            "NotFinalized"
        }
    }

    /// Every owner's report of `month`.
    fn month_reports(&self, month: Month, seed_spelling: bool) -> Vec<Value> {
        let status = self.status(month);
        (0..self.orgs.owners.len())
            .map(|owner| {
                reports::report(
                    self.shared.opts.seed,
                    &self.orgs,
                    month,
                    owner,
                    status,
                    seed_spelling,
                )
            })
            .collect()
    }
}

/// The decoded query string, first value of each name winning.
fn params(raw: Option<String>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A page of `items` as VSPC answers collections.
fn page(params: &[(String, String)], items: Vec<Value>) -> ApiResult<Json<Value>> {
    let number = |name: &str, default: usize, min: usize| -> ApiResult<usize> {
        match param(params, name) {
            None => Ok(default),
            Some(raw) => match raw.trim().parse::<usize>() {
                Ok(n) if n >= min && n <= i32::MAX as usize => Ok(n),
                _ => Err(ApiError::bad_request(format!(
                    "The value '{raw}' is not valid for {name}."
                ))),
            },
        }
    };
    let limit = number("limit", 100, 1)?;
    let offset = number("offset", 0, 0)?;
    let total = items.len();
    let data: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    Ok(Json(json!({
        "meta": {"pagingInfo": {"total": total, "count": data.len(), "offset": offset}},
        "data": data,
    })))
}

/// `POST /api/v3/token` (form body).
async fn token(State(state): State<Arc<Veeam>>, body: Bytes) -> ApiResult<Json<Value>> {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let creds = &state.shared.credentials;
    match param(&form, "grant_type") {
        Some("password") => {
            if param(&form, "username") == Some(creds.veeam_username.as_str())
                && param(&form, "password") == Some(creds.veeam_password.as_str())
            {
                Ok(Json(state.issue()))
            } else {
                Err(ApiError::unauthorized("Invalid user name or password"))
            }
        }
        Some("refresh_token") => {
            let given = param(&form, "refresh_token").unwrap_or_default();
            if lock(&state.tokens).refresh.remove(given) {
                Ok(Json(state.issue()))
            } else {
                Err(ApiError::unauthorized(
                    "The refresh token is not valid or has already been used",
                ))
            }
        }
        Some(other) => Err(ApiError::bad_request(format!(
            "Unsupported grant_type '{other}'"
        ))),
        None => Err(ApiError::bad_request("grant_type is required")),
    }
}

/// `GET /licensing/reports`
async fn list_reports(
    State(state): State<Arc<Veeam>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    state.authorize(&headers)?;
    let mut months = vec![state.last_month()];
    for _ in 1..LISTED_MONTHS {
        let before = Month::previous(months[months.len() - 1].start());
        months.push(before);
    }
    let items: Vec<Value> = months
        .iter()
        .rev()
        .flat_map(|m| state.month_reports(*m, true))
        .collect();
    page(&params(q), items)
}

/// `GET /licensing/reports/latest`
async fn latest_reports(
    State(state): State<Arc<Veeam>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    state.authorize(&headers)?;
    page(&params(q), state.month_reports(state.last_month(), false))
}

/// `GET /licensing/reports/{date}`: the reports generated on `date`.
async fn reports_for_date(
    State(state): State<Arc<Veeam>>,
    headers: HeaderMap,
    Path(date): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    state.authorize(&headers)?;
    let day = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").map_err(|_| {
        ApiError::bad_request(format!(
            "The date '{date}' is not valid. Use the YYYY-MM-DD format."
        ))
    })?;
    let month = Month::previous(day);
    let items = if generation_day(month) == day && month <= state.last_month() {
        state.month_reports(month, false)
    } else {
        Vec::new()
    };
    page(&params(q), items)
}

/// `GET /licensing/reports/{id}/csv`
async fn report_csv(
    State(state): State<Arc<Veeam>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    state.authorize(&headers)?;
    let not_found =
        || ApiError::not_found(format!("License usage report with ID {id} was not found"));
    let n: i64 = id
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_request(format!("The report ID '{id}' is not valid")))?;
    let (month, owner) = state.orgs.parse_report_id(n).ok_or_else(not_found)?;
    if month > state.last_month() {
        return Err(not_found());
    }
    let body = reports::report_csv(state.shared.opts.seed, &state.orgs, month, owner);
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response())
}

/// `POST /licensing/reports/finalization`
async fn finalize(State(state): State<Arc<Veeam>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    state.authorize(&headers)?;
    let month = state.last_month();
    let message = if state.status(month) == "Finalized" {
        "Report is already finalized"
    } else {
        lock(&state.finalized).insert(month);
        "Report finalized"
    };
    Ok(Json(
        json!({"data": {"reportApprovalStatus": "Finalized", "message": message}}),
    ))
}

/// `GET /licensing/reports/settings`
async fn get_settings(
    State(state): State<Arc<Veeam>>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    state.authorize(&headers)?;
    Ok(Json(json!({"data": lock(&state.settings).clone()})))
}

/// `PATCH /licensing/reports/settings` with a JSON-Patch array of `replace` operations.
async fn patch_settings(
    State(state): State<Arc<Veeam>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    state.authorize(&headers)?;
    let ops: Vec<Value> = match serde_json::from_slice(&body) {
        Ok(Value::Array(ops)) => ops,
        _ => {
            return Err(ApiError::bad_request(
                "The request body must be a JSON Patch document (an array of operations)",
            ))
        }
    };
    let mut settings = lock(&state.settings).clone();
    for op in &ops {
        let (kind, path, value) = (
            op["op"].as_str(),
            op["path"].as_str().unwrap_or_default(),
            &op["value"],
        );
        if kind != Some("replace") {
            return Err(ApiError::bad_request(format!(
                "Operation '{}' is not supported: use replace",
                kind.unwrap_or("")
            )));
        }
        match path {
            "/autoApprove" if value.is_boolean() => settings["autoApprove"] = value.clone(),
            "/autoApproveDay" if value.as_u64().is_some_and(|d| (1..=28).contains(&d)) => {
                settings["autoApproveDay"] = value.clone();
            }
            "/autoApprove" | "/autoApproveDay" => {
                return Err(ApiError::bad_request(format!(
                    "The value {value} is not valid for {path}"
                )));
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "The property '{other}' does not exist"
                )))
            }
        }
    }
    *lock(&state.settings) = settings.clone();
    Ok(Json(json!({"data": settings})))
}

/// `GET /licensing/usage/organizations`
async fn organizations_usage(
    State(state): State<Arc<Veeam>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    state.authorize(&headers)?;
    let params = params(q);
    let filter: Vec<Value> = match param(&params, "filter") {
        None => Vec::new(),
        Some(raw) => match serde_json::from_str(raw) {
            Ok(Value::Array(items)) => items,
            Ok(obj @ Value::Object(_)) => vec![obj],
            _ => {
                return Err(ApiError::bad_request(format!(
                    "The filter '{raw}' is not a valid filter expression"
                )))
            }
        },
    };
    let seed = state.shared.opts.seed;
    let month = Month::parse(&chrono::Utc::now().date_naive().format("%Y-%m").to_string())
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let item = |kind: &str, name: &str, uid: &str, tenant: Option<&str>, lines: &[ProductLine]| {
        json!({
            "organizationUid": uid,
            "organizationName": name,
            "organizationType": kind,
            "tenantUid": tenant,
            "usedPoints": lines.iter().map(ProductLine::points).sum::<f64>(),
            "usage": lines.iter().map(|p| json!({
                "productType": p.product,
                "licenseEdition": p.edition,
                "usedPoints": p.points(),
                "workloadUsage": p.workloads.iter().map(WorkloadLine::to_json).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    };
    let mut items: Vec<Value> = state
        .orgs
        .companies
        .iter()
        .map(|c| {
            item(
                "company",
                &c.name,
                &c.uid,
                Some(&c.tenant_uid),
                &company_usage(seed, month, c),
            )
        })
        .collect();
    for (i, reseller) in state
        .orgs
        .owners
        .iter()
        .enumerate()
        .filter(|(_, o)| o.kind == "reseller")
    {
        let lines: Vec<ProductLine> = state
            .orgs
            .companies
            .iter()
            .filter(|c| c.owner == i)
            .flat_map(|c| company_usage(seed, month, c))
            .collect();
        items.push(item(
            "reseller",
            &reseller.name,
            &reseller.uid,
            None,
            &aggregate(&lines),
        ));
    }
    let mut kept = Vec::new();
    for it in items {
        let mut ok = true;
        for expr in &filter {
            ok &= matches(expr, &it).map_err(ApiError::bad_request)?;
        }
        if ok {
            kept.push(it);
        }
    }
    page(&params, kept)
}

/// Evaluates one VSPC filter expression against an item.
fn matches(expr: &Value, item: &Value) -> Result<bool, String> {
    let op = expr["operation"]
        .as_str()
        .ok_or("a filter expression needs an operation")?;
    let items = || {
        expr["items"]
            .as_array()
            .ok_or(format!("the {op} operation needs items"))
    };
    match op {
        "and" => items()?
            .iter()
            .try_fold(true, |acc, e| Ok(acc & matches(e, item)?)),
        "or" => items()?
            .iter()
            .try_fold(false, |acc, e| Ok(acc | matches(e, item)?)),
        "not" => Ok(!matches(
            items()?.first().ok_or("the not operation needs one item")?,
            item,
        )?),
        _ => {
            let prop = expr["property"]
                .as_str()
                .ok_or(format!("the {op} operation needs a property"))?;
            let actual = prop
                .split('.')
                .try_fold(item, |v, k| v.get(k))
                .unwrap_or(&Value::Null);
            let ci = expr["collation"]
                .as_str()
                .is_some_and(|c| c.eq_ignore_ascii_case("ignorecase"));
            let value = &expr["value"];
            let eq = |a: &Value, b: &Value| match (a, b) {
                (Value::String(x), Value::String(y)) if ci => x.eq_ignore_ascii_case(y),
                (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
                _ => a == b,
            };
            let num = |v: &Value| v.as_f64().ok_or(format!("{op} compares numbers"));
            match op {
                "equals" => Ok(eq(actual, value)),
                "notEquals" => Ok(!eq(actual, value)),
                "contains" => {
                    let (a, v) = (
                        actual.as_str().unwrap_or_default(),
                        value.as_str().ok_or("contains takes a string")?,
                    );
                    Ok(if ci {
                        a.to_lowercase().contains(&v.to_lowercase())
                    } else {
                        a.contains(v)
                    })
                }
                "in" => Ok(value
                    .as_array()
                    .ok_or("in takes an array")?
                    .iter()
                    .any(|v| eq(actual, v))),
                "greaterThan" => {
                    let v = num(value)?;
                    Ok(actual.as_f64().is_some_and(|a| a > v))
                }
                "lessThan" => {
                    let v = num(value)?;
                    Ok(actual.as_f64().is_some_and(|a| a < v))
                }
                other => Err(format!("The filter operation '{other}' is not supported")),
            }
        }
    }
}

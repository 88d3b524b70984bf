//! Acronis' usage-report API (`/api/2`: seed 002, DESIGN.md §6 and the vendor's OpenAPI),
//! emulated.
//!
//! - `POST /api/2/idp/token`: the client-credentials grant, client id and secret in an HTTP
//!   Basic header (or as form fields, `client_secret_post`). A wrong client is 401; tokens
//!   live `--token-ttl` seconds (`SandboxOptions::token_ttl_secs`) and are refused with 401
//!   afterwards, so licctl's cache and refresh are exercised.
//! - `POST /api/2/reports` validates the body like the vendor (unknown fields, enums, UUIDs,
//!   dates, recipients only and always with `send`) and answers the report with `version` 1.
//!   A period that ends today is refused with the documented 400 "usage history is not
//!   ready" answer (the history of a day is ready after 06:00 UTC the next day); one that
//!   ends later with 400 "report period must not be in future". (The vendor's 1–6 am window
//!   for yesterday is not emulated: tests must not depend on the time of day.)
//! - A one-time report with `result_action` `save` gets one stored file per format, first
//!   `in_progress`; the third `GET .../stored` of the report shows them `saved` — except
//!   that a `usage_breakdown` report's `html` file always ends `failed` (the way to exercise
//!   failures). Reports with a future `generation_date`, monthly ones (generated on the 1st)
//!   and sent ones have no stored files.
//! - `GET|PUT|DELETE /api/2/reports/{id}`: PUT only for monthly (scheduled) reports, 400
//!   otherwise, and every PUT adds one to `version`; DELETE needs `?version=` equal to the
//!   current one (409 otherwise) and answers 204.
//! - `GET /api/2/tenants/{tenant_id}/reports` answers `{"items": [ids]}` in creation order.
//! - Stored files download as deterministic CSV / JSON / HTML built from the sandbox's
//!   tenants and usage (see `content.rs`); a file still in progress or failed is 409.
//!
//! Errors are the vendor's `{"error": {"code", "domain", "message", "details", "context"}}`
//! (the token endpoint's are OAuth's `{"error", "error_description"}`).
//!
//! Data: the partner tenant is the credentials' `acronis_tenant_id`, with `scale / 8`
//! customers (2 to 40) and four reports to start with: a monthly `usage_summary` with two
//! months of saved files, a saved one-time `usage_daily`, a sent `usage_current` and a
//! `usage_breakdown` whose html file failed.

mod content;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Datelike, NaiveDate, Utc};
use serde_json::{json, Map, Value};

use self::content::{Spec, Tenants};
use super::{lock, Credentials, SandboxState};

/// The GET of a report's stored files on which its in-progress files are done.
const POLLS_UNTIL_DONE: u32 = 3;

const KINDS: &[&str] = &[
    "usage_daily",
    "usage_summary",
    "usage_current",
    "usage_breakdown",
];
const LEVELS: &[&str] = &[
    "itself",
    "direct_partners",
    "all_partners",
    "all_customers",
    "accounts",
];
const FORMATS: &[&str] = &["csv", "html", "json_v1", "csv_v2_0", "json_v2_0"];

/// One stored file of a report.
#[derive(Clone, Debug)]
struct Stored {
    id: String,
    format: String,
    created_at: String,
    /// `in_progress`, `saved` or `failed`.
    status: &'static str,
    /// What it ends as.
    outcome: &'static str,
    start: NaiveDate,
    end: NaiveDate,
    size: Option<usize>,
}

/// A report configuration and its stored files.
#[derive(Clone, Debug)]
struct Report {
    id: String,
    version: i64,
    recipients: Vec<String>,
    tenant_id: String,
    kind: String,
    level: String,
    period: Option<(NaiveDate, NaiveDate)>,
    formats: Vec<String>,
    hide_zero_usage: bool,
    show_skus: bool,
    schedule: String,
    enabled: bool,
    generation_date: String,
    result_action: String,
    stored: Vec<Stored>,
    polls: u32,
}

impl Report {
    /// The answer, in the OpenAPI example's field order.
    fn to_json(&self) -> Value {
        let mut params = Map::new();
        params.insert("kind".into(), json!(self.kind));
        params.insert("tenant_id".into(), json!(self.tenant_id));
        params.insert("level".into(), json!(self.level));
        if let Some((start, end)) = self.period {
            params.insert(
                "period".into(),
                json!({"start": start.to_string(), "end": end.to_string()}),
            );
        }
        params.insert("formats".into(), json!(self.formats));
        params.insert("hide_zero_usage".into(), json!(self.hide_zero_usage));
        params.insert("show_skus".into(), json!(self.show_skus));
        json!({
            "id": self.id,
            "recipients": self.recipients,
            "version": self.version,
            "parameters": params,
            "schedule": {"type": self.schedule, "enabled": self.enabled},
            "result_action": self.result_action,
            "generation_date": self.generation_date,
        })
    }

    fn spec<'a>(&'a self, s: &Stored) -> Spec<'a> {
        Spec {
            kind: &self.kind,
            level: &self.level,
            tenant_id: &self.tenant_id,
            start: s.start,
            end: s.end,
            hide_zero_usage: self.hide_zero_usage,
            show_skus: self.show_skus,
        }
    }
}

/// What changes while the sandbox runs.
struct Db {
    /// Issued access tokens and when they expire (Unix seconds).
    tokens: HashMap<String, i64>,
    issued: u64,
    reports: Vec<Report>,
    created: u64,
    stored_created: u64,
}

/// The Acronis emulation's state.
struct Acronis {
    shared: Arc<SandboxState>,
    tenants: Tenants,
    db: Mutex<Db>,
}

/// The routes of the Acronis emulation.
pub fn router(shared: &Arc<SandboxState>) -> Router {
    let count = usize::try_from(shared.opts.scale / 8)
        .unwrap_or(40)
        .clamp(2, 40);
    let tenants = Tenants::generate(
        shared.opts.seed,
        &shared.credentials.acronis_tenant_id,
        count,
    );
    let mut state = Acronis {
        shared: Arc::clone(shared),
        tenants,
        db: Mutex::new(Db {
            tokens: HashMap::new(),
            issued: 0,
            reports: Vec::new(),
            created: 0,
            stored_created: 0,
        }),
    };
    seed_reports(&mut state);
    let not_allowed = || async { api_error(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed") };
    Router::new()
        .route("/api/2/idp/token", post(token).fallback(not_allowed))
        .route("/api/2/reports", post(create).fallback(not_allowed))
        .route(
            "/api/2/reports/{id}",
            get(show).put(update).delete(delete).fallback(not_allowed),
        )
        .route(
            "/api/2/reports/{id}/stored",
            get(stored).fallback(not_allowed),
        )
        .route(
            "/api/2/reports/{id}/stored/{stored_id}",
            get(download).fallback(not_allowed),
        )
        .route(
            "/api/2/tenants/{tenant_id}/reports",
            get(tenant_reports).fallback(not_allowed),
        )
        .with_state(Arc::new(state))
}

/// `LICCTL_ACRONIS_{URL,CLIENT_ID,CLIENT_SECRET,TENANT_ID}` for a sandbox at `base_url`.
pub fn env_exports(base_url: &str, credentials: &Credentials) -> Vec<(String, String)> {
    vec![
        ("LICCTL_ACRONIS_URL".to_owned(), base_url.to_owned()),
        (
            "LICCTL_ACRONIS_CLIENT_ID".to_owned(),
            credentials.acronis_client_id.clone(),
        ),
        (
            "LICCTL_ACRONIS_CLIENT_SECRET".to_owned(),
            credentials.acronis_client_secret.clone(),
        ),
        (
            "LICCTL_ACRONIS_TENANT_ID".to_owned(),
            credentials.acronis_tenant_id.clone(),
        ),
    ]
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The four reports the sandbox starts with (fixed dates, ids from the seed).
fn seed_reports(state: &mut Acronis) {
    let mut ids = state.shared.data("acronis/seeded-reports");
    let partner = state.tenants.partner.uuid.clone();
    let mut stored =
        |format: &str, start: NaiveDate, end: NaiveDate, created: &str, outcome: &'static str| {
            Stored {
                id: ids.uuid(),
                format: format.to_owned(),
                created_at: created.to_owned(),
                status: outcome,
                outcome,
                start,
                end,
                size: None,
            }
        };
    let files_monthly = vec![
        stored(
            "csv",
            date(2026, 8, 1),
            date(2026, 8, 31),
            "2026-09-01T00:07:53",
            "saved",
        ),
        stored(
            "json_v2_0",
            date(2026, 8, 1),
            date(2026, 8, 31),
            "2026-09-01T00:07:53",
            "saved",
        ),
        stored(
            "csv",
            date(2026, 9, 1),
            date(2026, 9, 30),
            "2026-10-01T00:07:41",
            "saved",
        ),
        stored(
            "json_v2_0",
            date(2026, 9, 1),
            date(2026, 9, 30),
            "2026-10-01T00:07:41",
            "saved",
        ),
    ];
    let files_daily = vec![stored(
        "csv_v2_0",
        date(2026, 9, 1),
        date(2026, 9, 7),
        "2026-09-08T00:05:12",
        "saved",
    )];
    let files_breakdown = vec![
        stored(
            "json_v1",
            date(2026, 9, 1),
            date(2026, 9, 30),
            "2026-10-01T00:09:30",
            "saved",
        ),
        stored(
            "html",
            date(2026, 9, 1),
            date(2026, 9, 30),
            "2026-10-01T00:09:30",
            "failed",
        ),
    ];
    let recipient = ids.uuid();
    let base = |id: String| Report {
        id,
        version: 1,
        recipients: Vec::new(),
        tenant_id: partner.clone(),
        kind: "usage_summary".into(),
        level: "accounts".into(),
        period: None,
        formats: Vec::new(),
        hide_zero_usage: false,
        show_skus: false,
        schedule: "once".into(),
        enabled: true,
        generation_date: String::new(),
        result_action: "save".into(),
        stored: Vec::new(),
        polls: 0,
    };
    let mut reports = vec![
        Report {
            version: 3,
            formats: vec!["csv".into(), "json_v2_0".into()],
            period: Some((date(2026, 9, 1), date(2026, 9, 30))),
            show_skus: true,
            hide_zero_usage: true,
            schedule: "monthly".into(),
            generation_date: "2026-11-01".into(),
            stored: files_monthly,
            ..base(ids.uuid())
        },
        Report {
            kind: "usage_daily".into(),
            level: "direct_partners".into(),
            formats: vec!["csv_v2_0".into()],
            period: Some((date(2026, 9, 1), date(2026, 9, 7))),
            generation_date: "2026-09-08".into(),
            stored: files_daily,
            ..base(ids.uuid())
        },
        Report {
            kind: "usage_current".into(),
            level: "itself".into(),
            formats: vec!["html".into()],
            period: Some((date(2026, 10, 1), date(2026, 10, 1))),
            recipients: vec![recipient],
            result_action: "send".into(),
            generation_date: "2026-10-01".into(),
            ..base(ids.uuid())
        },
        Report {
            kind: "usage_breakdown".into(),
            level: "all_customers".into(),
            formats: vec!["json_v1".into(), "html".into()],
            period: Some((date(2026, 9, 1), date(2026, 9, 30))),
            generation_date: "2026-10-01".into(),
            stored: files_breakdown,
            ..base(ids.uuid())
        },
    ];
    let seed = state.shared.opts.seed;
    for r in &mut reports {
        let sizes: Vec<Option<usize>> = r
            .stored
            .iter()
            .map(|s| {
                (s.status == "saved").then(|| {
                    content::render(seed, &state.tenants, &r.spec(s), &s.format)
                        .1
                        .len()
                })
            })
            .collect();
        for (s, size) in r.stored.iter_mut().zip(sizes) {
            s.size = size;
        }
    }
    lock(&state.db).reports = reports;
}

/// An Acronis error answer: `{"error": {"code", "domain", "message", "details", "context"}}`.
struct ApiError {
    status: StatusCode,
    code: String,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {
            "code": self.code,
            "domain": "PlatformAccountServer",
            "message": self.message,
            "details": {"info": null},
            "context": {},
        }});
        (self.status, Json(body)).into_response()
    }
}

/// An error answer whose code is the status.
fn api_error(status: StatusCode, message: &str) -> ApiError {
    api_error_coded(status, &status.as_u16().to_string(), message)
}

fn api_error_coded(status: StatusCode, code: &str, message: &str) -> ApiError {
    ApiError {
        status,
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

fn bad_request(message: &str) -> ApiError {
    api_error(StatusCode::BAD_REQUEST, message)
}

fn now() -> i64 {
    Utc::now().timestamp()
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The bearer token of a request, checked: 401 when missing, unknown or expired.
fn authorize(state: &Acronis, headers: &HeaderMap) -> Result<(), ApiError> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(token) = given else {
        return Err(api_error(
            StatusCode::UNAUTHORIZED,
            "Method required an authenticated user",
        ));
    };
    match lock(&state.db).tokens.get(token) {
        Some(&expires) if now() < expires => Ok(()),
        Some(_) => Err(api_error(
            StatusCode::UNAUTHORIZED,
            "Access token has expired",
        )),
        None => Err(api_error(
            StatusCode::UNAUTHORIZED,
            "Access token is invalid",
        )),
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// `POST /api/2/idp/token`
async fn token(State(state): State<Arc<Acronis>>, headers: HeaderMap, body: Bytes) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type must be client_credentials",
        );
    }
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(u, p)| (u.to_owned(), p.to_owned()))
        });
    let (id, secret) = match basic {
        Some(pair) => pair,
        None => match (form.get("client_id"), form.get("client_secret")) {
            (Some(i), Some(s)) => (i.clone(), s.clone()),
            _ => {
                return oauth_error(
                    StatusCode::UNAUTHORIZED,
                    "access_denied",
                    "client credentials are missing",
                )
            }
        },
    };
    let creds = &state.shared.credentials;
    if id != creds.acronis_client_id || secret != creds.acronis_client_secret {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "access_denied",
            "invalid client credentials",
        );
    }
    let ttl = i64::try_from(state.shared.opts.token_ttl_secs).unwrap_or(i64::MAX / 4);
    let mut db = lock(&state.db);
    db.issued += 1;
    let access = state
        .shared
        .data(&format!("acronis/token/{}", db.issued))
        .hex(64);
    let expires_on = now() + ttl;
    db.tokens.insert(access.clone(), expires_on);
    let id_token = state
        .shared
        .data(&format!("acronis/id-token/{}", db.issued))
        .hex(48);
    Json(json!({
        "access_token": access,
        "token_type": "bearer",
        "expires_in": ttl,
        "expires_on": expires_on,
        "id_token": id_token,
    }))
    .into_response()
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| {
            g.len() == n
                && g.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

fn parse_day(v: Option<&Value>, what: &str) -> Result<Option<NaiveDate>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.len() == 10 => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| bad_request(&format!("{what} must be a date formatted YYYY-MM-DD"))),
        Some(_) => Err(bad_request(&format!(
            "{what} must be a date formatted YYYY-MM-DD"
        ))),
    }
}

fn only_keys(o: &Map<String, Value>, allowed: &[&str], what: &str) -> Result<(), ApiError> {
    match o.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(bad_request(&format!(
            "{what}: additional property {k:?} is not allowed"
        ))),
        None => Ok(()),
    }
}

fn one_of(v: Option<&Value>, allowed: &[&str], what: &str) -> Result<String, ApiError> {
    match v.and_then(Value::as_str) {
        Some(s) if allowed.contains(&s) => Ok(s.to_owned()),
        Some(s) => Err(bad_request(&format!(
            "{what} {s:?} is not one of {}",
            allowed.join(", ")
        ))),
        None => Err(bad_request(&format!("{what} is required"))),
    }
}

fn bool_of(v: Option<&Value>, what: &str) -> Result<Option<bool>, ApiError> {
    match v {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(bad_request(&format!("{what} must be a boolean"))),
    }
}

fn uuids(v: Option<&Value>, what: &str) -> Result<Option<Vec<String>>, ApiError> {
    match v {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i.as_str() {
                Some(s) if is_uuid(s) => Ok(s.to_owned()),
                _ => Err(bad_request(&format!("{what} must hold user UUIDs"))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(bad_request(&format!("{what} must be an array of UUIDs"))),
    }
}

fn json_body(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        _ => Err(bad_request("the request body must be a JSON object")),
    }
}

/// `POST /api/2/reports`
async fn create(
    State(state): State<Arc<Acronis>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    Ok(Json(create_report(&state, &body)?.to_json()).into_response())
}

fn create_report(state: &Acronis, body: &Bytes) -> Result<Report, ApiError> {
    let o = json_body(body)?;
    only_keys(
        &o,
        &[
            "recipients",
            "result_action",
            "parameters",
            "schedule",
            "generation_date",
        ],
        "report",
    )?;
    let result_action = one_of(o.get("result_action"), &["save", "send"], "result_action")?;
    let Some(Value::Object(params)) = o.get("parameters") else {
        return Err(bad_request("parameters is required"));
    };
    only_keys(
        params,
        &[
            "tenant_id",
            "level",
            "kind",
            "formats",
            "period",
            "hide_zero_usage",
            "show_skus",
        ],
        "parameters",
    )?;
    let kind = one_of(params.get("kind"), KINDS, "parameters.kind")?;
    let level = one_of(params.get("level"), LEVELS, "parameters.level")?;
    let tenant_id = match params.get("tenant_id").and_then(Value::as_str) {
        Some(t) if is_uuid(t) => t.to_owned(),
        _ => return Err(bad_request("parameters.tenant_id must be a tenant UUID")),
    };
    if state.tenants.get(&tenant_id).is_none() {
        return Err(api_error(
            StatusCode::FORBIDDEN,
            &format!("Access to tenant {tenant_id} is denied"),
        ));
    }
    let formats = match params.get("formats") {
        None => vec!["csv".to_owned()],
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|f| one_of(Some(f), FORMATS, "parameters.formats[]"))
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err(bad_request("parameters.formats must be a non-empty array")),
    };
    let Some(Value::Object(schedule)) = o.get("schedule") else {
        return Err(bad_request("schedule is required"));
    };
    only_keys(schedule, &["type", "enabled"], "schedule")?;
    let schedule_type = one_of(schedule.get("type"), &["once", "monthly"], "schedule.type")?;
    let enabled = bool_of(schedule.get("enabled"), "schedule.enabled")?.unwrap_or(true);
    let recipients = uuids(o.get("recipients"), "recipients")?.unwrap_or_default();
    match (result_action.as_str(), recipients.is_empty()) {
        ("send", true) => {
            return Err(bad_request(
                "recipients are required when result_action is send",
            ))
        }
        ("save", false) => {
            return Err(bad_request(
                "recipients must be used only when result_action is send",
            ))
        }
        _ => {}
    }
    let today = today();
    let period = match params.get("period") {
        None => None,
        Some(Value::Object(p)) => {
            only_keys(p, &["start", "end"], "parameters.period")?;
            let start = parse_day(p.get("start"), "parameters.period.start")?;
            let end = parse_day(p.get("end"), "parameters.period.end")?;
            match (start, end) {
                (Some(s), Some(e)) if s <= e => Some((s, e)),
                (Some(_), Some(_)) => {
                    return Err(bad_request(
                        "parameters.period.start must not be after its end",
                    ))
                }
                _ => return Err(bad_request("parameters.period needs start and end")),
            }
        }
        Some(_) => return Err(bad_request("parameters.period must be an object")),
    };
    let period = match (period, kind.as_str(), schedule_type.as_str()) {
        (Some((_, end)), k, _) if k != "usage_current" && end > today => {
            return Err(bad_request("Report period must not be in future"));
        }
        (Some((_, end)), k, _) if k != "usage_current" && end == today => {
            return Err(api_error_coded(
                StatusCode::BAD_REQUEST,
                "UsageHistoryNotReady",
                &format!(
                    "Usage history is not ready and shouldn't be ready yet: the usage of {end} is ready after 06:00 UTC on {}",
                    end.succ_opt().unwrap_or(end)
                ),
            ));
        }
        (Some(p), _, _) => p,
        (None, "usage_current", _) => (today.with_day(1).unwrap_or(today), today),
        (None, _, "monthly") => {
            let first = today.with_day(1).unwrap_or(today);
            let last = first.pred_opt().unwrap_or(first);
            (last.with_day(1).unwrap_or(last), last)
        }
        (None, _, _) => {
            return Err(bad_request(
                "parameters.period is required for one-time reports",
            ))
        }
    };
    let generation_date = parse_day(o.get("generation_date"), "generation_date")?;
    let hide_zero_usage =
        bool_of(params.get("hide_zero_usage"), "parameters.hide_zero_usage")?.unwrap_or(false);
    let show_skus = bool_of(params.get("show_skus"), "parameters.show_skus")?.unwrap_or(false);
    let generation = match (generation_date, schedule_type.as_str()) {
        (Some(d), _) => d,
        (None, "monthly") => {
            let first = today.with_day(1).unwrap_or(today);
            first
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(first)
        }
        (None, _) => today,
    };

    let mut db = lock(&state.db);
    db.created += 1;
    let id = state
        .shared
        .data(&format!("acronis/report/{}", db.created))
        .uuid();
    let mut report = Report {
        id,
        version: 1,
        recipients,
        tenant_id,
        kind,
        level,
        period: Some(period),
        formats,
        hide_zero_usage,
        show_skus,
        schedule: schedule_type,
        enabled,
        generation_date: generation.to_string(),
        result_action,
        stored: Vec::new(),
        polls: 0,
    };
    if report.schedule == "once" && report.result_action == "save" && generation <= today {
        let created_at = Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string();
        for format in report.formats.clone() {
            db.stored_created += 1;
            let fails = report.kind == "usage_breakdown" && format == "html";
            report.stored.push(Stored {
                id: state
                    .shared
                    .data(&format!("acronis/stored/{}", db.stored_created))
                    .uuid(),
                format,
                created_at: created_at.clone(),
                status: "in_progress",
                outcome: if fails { "failed" } else { "saved" },
                start: period.0,
                end: period.1,
                size: None,
            });
        }
    }
    db.reports.push(report.clone());
    Ok(report)
}

fn find<'a>(db: &'a mut Db, id: &str) -> Result<&'a mut Report, ApiError> {
    db.reports
        .iter_mut()
        .find(|r| r.id == id)
        .ok_or_else(|| api_error(StatusCode::NOT_FOUND, "Report not found"))
}

/// `GET /api/2/reports/{id}`
async fn show(
    State(state): State<Arc<Acronis>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    Ok(Json(find(&mut lock(&state.db), &id)?.to_json()).into_response())
}

/// `PUT /api/2/reports/{id}`
async fn update(
    State(state): State<Arc<Acronis>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let result = (|| {
        let o = json_body(&body)?;
        only_keys(&o, &["recipients", "parameters", "schedule"], "report")?;
        let params = match o.get("parameters") {
            None => Map::new(),
            Some(Value::Object(p)) => p.clone(),
            Some(_) => return Err(bad_request("parameters must be an object")),
        };
        only_keys(
            &params,
            &["level", "kind", "hide_zero_usage", "show_skus"],
            "parameters",
        )?;
        let kind = params
            .get("kind")
            .map(|k| one_of(Some(k), KINDS, "parameters.kind"))
            .transpose()?;
        let level = params
            .get("level")
            .map(|l| one_of(Some(l), LEVELS, "parameters.level"))
            .transpose()?;
        let hide = bool_of(params.get("hide_zero_usage"), "parameters.hide_zero_usage")?;
        let skus = bool_of(params.get("show_skus"), "parameters.show_skus")?;
        let enabled = match o.get("schedule") {
            None => None,
            Some(Value::Object(s)) => {
                only_keys(s, &["enabled"], "schedule")?;
                Some(
                    bool_of(s.get("enabled"), "schedule.enabled")?
                        .ok_or_else(|| bad_request("schedule.enabled is required"))?,
                )
            }
            Some(_) => return Err(bad_request("schedule must be an object")),
        };
        let recipients = uuids(o.get("recipients"), "recipients")?;
        let mut db = lock(&state.db);
        let report = find(&mut db, &id)?;
        if report.schedule != "monthly" {
            return Err(bad_request("Only scheduled reports can be updated"));
        }
        if let Some(r) = &recipients {
            match (report.result_action.as_str(), r.is_empty()) {
                ("send", true) => {
                    return Err(bad_request(
                        "recipients are required when result_action is send",
                    ))
                }
                ("save", false) => {
                    return Err(bad_request(
                        "recipients must be used only when result_action is send",
                    ))
                }
                _ => {}
            }
        }
        if let Some(k) = kind {
            report.kind = k;
        }
        if let Some(l) = level {
            report.level = l;
        }
        if let Some(h) = hide {
            report.hide_zero_usage = h;
        }
        if let Some(s) = skus {
            report.show_skus = s;
        }
        if let Some(e) = enabled {
            report.enabled = e;
        }
        if let Some(r) = recipients {
            report.recipients = r;
        }
        report.version += 1;
        Ok(report.to_json())
    })();
    Ok(Json(result?).into_response())
}

/// `DELETE /api/2/reports/{id}?version=N`
async fn delete(
    State(state): State<Arc<Acronis>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let version = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "version")
        .map(|(_, v)| v.into_owned());
    let Some(version) = version else {
        return Err(bad_request("the version query parameter is required"));
    };
    let Ok(version) = version.trim().parse::<i64>() else {
        return Err(bad_request("version must be an integer"));
    };
    let mut db = lock(&state.db);
    let current = find(&mut db, &id).map(|r| r.version)?;
    if current != version {
        return Err(api_error(
            StatusCode::CONFLICT,
            &format!("Report version mismatch: the current version is {current}"),
        ));
    }
    db.reports.retain(|r| r.id != id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/2/tenants/{tenant_id}/reports`
async fn tenant_reports(
    State(state): State<Arc<Acronis>>,
    headers: HeaderMap,
    Path(tenant_id): Path<String>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    if state.tenants.get(&tenant_id).is_none() {
        return Err(api_error(StatusCode::NOT_FOUND, "Tenant not found"));
    }
    let db = lock(&state.db);
    let ids: Vec<&str> = db
        .reports
        .iter()
        .filter(|r| r.tenant_id == tenant_id)
        .map(|r| r.id.as_str())
        .collect();
    Ok(Json(json!({ "items": ids })).into_response())
}

fn stored_json(s: &Stored) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(s.id));
    o.insert("report_format".into(), json!(s.format));
    o.insert("created_at".into(), json!(s.created_at));
    if let Some(size) = s.size {
        o.insert("size".into(), json!(size));
    }
    o.insert("status".into(), json!(s.status));
    Value::Object(o)
}

/// `GET /api/2/reports/{id}/stored`: every poll brings in-progress files closer to done.
async fn stored(
    State(state): State<Arc<Acronis>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let seed = state.shared.opts.seed;
    let mut db = lock(&state.db);
    let report = find(&mut db, &id)?;
    report.polls += 1;
    if report.polls >= POLLS_UNTIL_DONE {
        let snapshot = report.clone();
        for s in report
            .stored
            .iter_mut()
            .filter(|s| s.status == "in_progress")
        {
            s.status = s.outcome;
            if s.status == "saved" {
                s.size = Some(
                    content::render(seed, &state.tenants, &snapshot.spec(s), &s.format)
                        .1
                        .len(),
                );
            }
        }
    }
    let items: Vec<Value> = report.stored.iter().map(stored_json).collect();
    Ok(Json(json!({ "items": items })).into_response())
}

/// `GET /api/2/reports/{id}/stored/{stored_id}`: the file.
async fn download(
    State(state): State<Arc<Acronis>>,
    headers: HeaderMap,
    Path((id, stored_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let mut db = lock(&state.db);
    let report = find(&mut db, &id).map(|r| r.clone())?;
    drop(db);
    let Some(s) = report.stored.iter().find(|s| s.id == stored_id) else {
        return Err(api_error(StatusCode::NOT_FOUND, "Stored report not found"));
    };
    match s.status {
        "saved" => {
            let (media, bytes) = content::render(
                state.shared.opts.seed,
                &state.tenants,
                &report.spec(s),
                &s.format,
            );
            Ok(([(header::CONTENT_TYPE, media)], bytes).into_response())
        }
        "failed" => Err(api_error(
            StatusCode::CONFLICT,
            "Stored report generation failed; it has no data",
        )),
        _ => Err(api_error(
            StatusCode::CONFLICT,
            "Stored report is still being generated",
        )),
    }
}

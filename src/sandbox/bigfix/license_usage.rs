//! `GET api/sam/v2/license_usage`: peak utilisation of license metrics by product, for the
//! period `startdate`..`enddate` (DESIGN.md §6; columns after IBM's documentation of the v2
//! API: `product_*`, `metric_*`, the peak value in `metric_quantity`).
//!
//! Supports `limit`/`offset`, `columns[]` (projection, unknown column → 400), `order[]`
//! (`col` or `col desc`) and `criteria` (`{"and"|"or": [["col", "op", "value"], ...]}` with
//! ops eq, neq, contains, begins_with, ends_with, gt, gte, lt, lte). The peak of a product in
//! a month is drawn from the seed, the product and the month, so the same month always
//! answers the same numbers.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use chrono::{Datelike, NaiveDate};
use serde_json::{json, Map, Value};

use super::{authorized, page, ApiError, BigFix};
use crate::sandbox::data::DataGen;
use crate::sandbox::params::Params;

/// Products licensed by a metric: (id, publisher, name, family guid, metric code, metric name).
const PRODUCTS: &[(i64, &str, &str, &str, &str, &str)] = &[
    (
        1001,
        "IBM",
        "IBM WebSphere Application Server Network Deployment",
        "2f1e7c1a9b0d4e5f8a6b3c2d1e0f9a8b",
        "PROCESSOR_VALUE_UNIT",
        "Processor Value Unit",
    ),
    (
        1002,
        "IBM",
        "IBM Db2 Advanced Enterprise Server Edition",
        "3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d",
        "PROCESSOR_VALUE_UNIT",
        "Processor Value Unit",
    ),
    (
        1003,
        "IBM",
        "IBM MQ",
        "4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e",
        "VIRTUAL_PROCESSOR_CORE",
        "Virtual Processor Core",
    ),
    (
        1004,
        "IBM",
        "IBM Cognos Analytics",
        "5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f",
        "AUTHORIZED_USER",
        "Authorized User",
    ),
    (
        1005,
        "IBM",
        "IBM Spectrum Protect",
        "6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a",
        "TERABYTE",
        "Terabyte",
    ),
    (
        1006,
        "IBM",
        "IBM Integration Bus",
        "7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b",
        "VIRTUAL_PROCESSOR_CORE",
        "Virtual Processor Core",
    ),
    (
        1007,
        "IBM",
        "IBM Informix Enterprise Edition",
        "8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c",
        "CONCURRENT_USER",
        "Concurrent User",
    ),
    (
        1008,
        "IBM",
        "IBM Tivoli Monitoring",
        "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d",
        "RESOURCE_VALUE_UNIT",
        "Resource Value Unit",
    ),
    (
        1009,
        "IBM",
        "IBM Rational ClearCase",
        "0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e",
        "FLOATING_USER",
        "Floating User",
    ),
    (
        1010,
        "IBM",
        "IBM SPSS Statistics",
        "1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f",
        "AUTHORIZED_USER",
        "Authorized User",
    ),
    (
        1011,
        "IBM",
        "IBM Sterling B2B Integrator",
        "2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a",
        "VU_VALUE_UNIT",
        "VU Value Unit",
    ),
    (
        1012,
        "IBM",
        "IBM App Connect Enterprise",
        "3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b",
        "MANAGED_VIRTUAL_SERVER",
        "Managed Virtual Server",
    ),
];

/// Every column a row has, in answer order.
const COLUMNS: &[&str] = &[
    "product_publisher_name",
    "product_id",
    "product_name",
    "product_family_guid",
    "metric_id",
    "metric_name",
    "metric_quantity",
    "metric_peak_time",
    "metric_threshold",
    "computer_group_id",
];

/// `GET api/sam/v2/license_usage`
pub(super) async fn list(
    State(state): State<Arc<BigFix>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = authorized(&state, &headers, query)?;
    let (offset, limit) = page(&params)?;
    let today = chrono::Utc::now().date_naive();
    let start = date(&params, "startdate")?.unwrap_or_else(|| today.with_day(1).unwrap_or(today));
    let end = date(&params, "enddate")?.unwrap_or(today);
    if end < start {
        return Err(ApiError::bad_request(
            "The enddate parameter must not be earlier than startdate.",
        ));
    }
    let group: i64 = match params.get("computerGroupId") {
        None => 0,
        Some(g) => g.trim().parse().map_err(|_| {
            ApiError::bad_request(format!(
                "Invalid value of the computerGroupId parameter: '{g}'."
            ))
        })?,
    };
    let columns: Vec<String> = params.all("columns[]").map(str::to_owned).collect();
    if let Some(bad) = columns.iter().find(|c| !COLUMNS.contains(&c.as_str())) {
        return Err(ApiError::bad_request(format!("Unknown column: '{bad}'.")));
    }
    let mut rows: Vec<Map<String, Value>> = PRODUCTS
        .iter()
        .map(|p| row(state.shared.opts.seed, p, start, end, group))
        .collect();
    if let Some(raw) = params.get("criteria") {
        let criteria: Value = serde_json::from_str(raw).map_err(|e| {
            ApiError::bad_request(format!("The criteria parameter is not valid JSON: {e}"))
        })?;
        let filter = Criteria::parse(&criteria)?;
        rows.retain(|r| filter.matches(r));
    }
    let order: Vec<&str> = params.all("order[]").collect();
    for spec in order.into_iter().rev() {
        let (col, desc) = match spec.trim().rsplit_once(' ') {
            Some((c, dir)) if dir.eq_ignore_ascii_case("desc") => (c.trim(), true),
            Some((c, dir)) if dir.eq_ignore_ascii_case("asc") => (c.trim(), false),
            _ => (spec.trim(), false),
        };
        if !COLUMNS.contains(&col) {
            return Err(ApiError::bad_request(format!(
                "Unknown column in order: '{col}'."
            )));
        }
        rows.sort_by(|a, b| {
            let o = compare(a.get(col), b.get(col));
            if desc {
                o.reverse()
            } else {
                o
            }
        });
    }
    let total = rows.len();
    let first = offset.min(total);
    let last = limit.map_or(total, |l| first.saturating_add(l).min(total));
    let rows: Vec<Value> = rows[first..last]
        .iter()
        .map(|r| {
            if columns.is_empty() {
                Value::Object(r.clone())
            } else {
                Value::Object(
                    columns
                        .iter()
                        .map(|c| (c.clone(), r.get(c).cloned().unwrap_or(Value::Null)))
                        .collect(),
                )
            }
        })
        .collect();
    Ok(Json(json!({ "total": total, "rows": rows })))
}

fn date(params: &Params, name: &str) -> Result<Option<NaiveDate>, ApiError> {
    match params.get(name) {
        None => Ok(None),
        Some(raw) => NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                ApiError::bad_request(format!(
                    "Invalid value of the {name} parameter: '{raw}'. Use the YYYY-MM-DD format."
                ))
            }),
    }
}

/// One product's peak for the period. The peak follows the period's first month so that a
/// whole-month query always answers the same value.
fn row(
    seed: u64,
    p: &(i64, &str, &str, &str, &str, &str),
    start: NaiveDate,
    end: NaiveDate,
    group: i64,
) -> Map<String, Value> {
    let (id, publisher, name, guid, metric_id, metric_name) = *p;
    let mut g = DataGen::new(
        seed,
        &format!(
            "bigfix/license_usage/{id}/{}-{:02}/{group}",
            start.year(),
            start.month()
        ),
    );
    let quantity = match metric_id {
        "PROCESSOR_VALUE_UNIT" => g.int(4..=40) * 70,
        "TERABYTE" => g.int(1..=80),
        _ => g.int(2..=400),
    };
    let span = (end - start).num_days().max(0);
    let peak_day = start + chrono::Duration::days(g.int(0..=span));
    let mut m = Map::new();
    m.insert("product_publisher_name".into(), json!(publisher));
    m.insert("product_id".into(), json!(id));
    m.insert("product_name".into(), json!(name));
    m.insert("product_family_guid".into(), json!(guid));
    m.insert("metric_id".into(), json!(metric_id));
    m.insert("metric_name".into(), json!(metric_name));
    m.insert("metric_quantity".into(), json!(quantity));
    m.insert(
        "metric_peak_time".into(),
        json!(format!("{peak_day}T00:00:00Z")),
    );
    m.insert("metric_threshold".into(), Value::Null);
    m.insert("computer_group_id".into(), json!(group));
    m
}

fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a.and_then(Value::as_f64), b.and_then(Value::as_f64)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => text(a).cmp(&text(b)),
    }
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// A parsed `criteria` filter.
enum Criteria {
    And(Vec<Criteria>),
    Or(Vec<Criteria>),
    Cond {
        col: String,
        op: String,
        value: Value,
    },
}

impl Criteria {
    fn parse(v: &Value) -> Result<Criteria, ApiError> {
        let bad = || {
            ApiError::bad_request("The criteria parameter must look like {\"and\":[[\"column\",\"operator\",\"value\"]]}.")
        };
        match v {
            Value::Object(o) if o.len() == 1 => {
                let (k, list) = o.iter().next().ok_or_else(bad)?;
                let items = list
                    .as_array()
                    .ok_or_else(bad)?
                    .iter()
                    .map(Criteria::parse)
                    .collect::<Result<Vec<_>, _>>()?;
                match k.as_str() {
                    "and" => Ok(Criteria::And(items)),
                    "or" => Ok(Criteria::Or(items)),
                    _ => Err(bad()),
                }
            }
            Value::Array(parts) if parts.len() == 3 => {
                let col = parts[0].as_str().ok_or_else(bad)?.to_owned();
                let op = parts[1].as_str().ok_or_else(bad)?.to_owned();
                if !COLUMNS.contains(&col.as_str()) {
                    return Err(ApiError::bad_request(format!(
                        "Unknown column in criteria: '{col}'."
                    )));
                }
                if ![
                    "eq",
                    "neq",
                    "contains",
                    "begins_with",
                    "ends_with",
                    "gt",
                    "gte",
                    "lt",
                    "lte",
                ]
                .contains(&op.as_str())
                {
                    return Err(ApiError::bad_request(format!(
                        "Unknown operator in criteria: '{op}'."
                    )));
                }
                Ok(Criteria::Cond {
                    col,
                    op,
                    value: parts[2].clone(),
                })
            }
            _ => Err(bad()),
        }
    }

    fn matches(&self, row: &Map<String, Value>) -> bool {
        match self {
            Criteria::And(items) => items.iter().all(|c| c.matches(row)),
            Criteria::Or(items) => items.iter().any(|c| c.matches(row)),
            Criteria::Cond { col, op, value } => {
                let have = row.get(col);
                let (h, w) = (text(have), text(Some(value)));
                let ord = compare(have, Some(value));
                match op.as_str() {
                    "eq" => ord == Ordering::Equal,
                    "neq" => ord != Ordering::Equal,
                    "contains" => h.to_lowercase().contains(&w.to_lowercase()),
                    "begins_with" => h.to_lowercase().starts_with(&w.to_lowercase()),
                    "ends_with" => h.to_lowercase().ends_with(&w.to_lowercase()),
                    "gt" => ord == Ordering::Greater,
                    "gte" => ord != Ordering::Less,
                    "lt" => ord == Ordering::Less,
                    _ => ord != Ordering::Greater,
                }
            }
        }
    }
}

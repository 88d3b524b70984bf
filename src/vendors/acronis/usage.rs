//! The month's Acronis usage for the monthly bundle (issue 7): a `usage_summary` report for
//! the month at `accounts` level in `json_v2_0`, saved, waited for, downloaded and parsed
//! into one row per tenant × SKU. The report is deleted afterwards (it was only a vehicle).
//!
//! `raw` is the downloaded report itself: the `json_v2_0` document as JSON; should the
//! server only have produced `csv_v2_0`, a JSON string holding the CSV text.
//!
//! Mapping of one usage entry (`tenants[]` of json_v2_0, a line of csv_v2_0):
//! `customer_id` = `tenant_uuid`, `customer_name` = `tenant_name` (empty when absent),
//! `product_code` = `sku` (the usage `name` when the partner has no SKU access),
//! `product_name` = `name`, `metric` = `usage_name`, `quantity` = `value` in the unit:
//! `bytes` → GiB (÷ 1024³), `seconds` → hours (÷ 3600, rounded to 2 places, as the guide
//! says for compute points), `quantity` → `count`, anything else as is. Entries repeating a
//! tenant × SKU × metric are added up.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::client::WaitOptions;
use super::model::{
    Kind, Level, NewReport, ReportFormat, ResultAction, ScheduleType, StoredStatus,
};
use super::{connect, tenant, SECTION};
use crate::context::Context;
use crate::error::{Error, ErrorKind, Result, ResultExt};
use crate::http::HttpClient;
use crate::usage::{Month, UsageRow, VendorUsage};

/// Polling for the month's report: quick at first (the files are often ready in seconds),
/// bounded in all.
const MONTHLY_WAIT: WaitOptions = WaitOptions {
    interval: Duration::from_millis(250),
    max_interval: Duration::from_secs(10),
    timeout: Duration::from_secs(1800),
    max_polls: 400,
};

/// Fetches the month's usage through `http` (which carries the bundle's request record).
pub async fn collect_month(ctx: &Context, http: HttpClient, month: Month) -> Result<VendorUsage> {
    let tenant_id = tenant(ctx, None)?;
    let client = connect(ctx, http)?;
    let report = NewReport {
        recipients: Vec::new(),
        kind: Kind::UsageSummary,
        tenant_id,
        level: Level::Accounts,
        period: Some((month.start(), month.end())),
        formats: Some(vec![ReportFormat::JsonV2]),
        hide_zero_usage: Some(true),
        show_skus: Some(true),
        schedule: ScheduleType::Once,
        generation_date: None,
        result_action: ResultAction::Save,
    };
    let created = client
        .create_report(&report)
        .await
        .with_context(|| format!("creating the usage_summary report for {month}"))?;
    let id = created
        .id
        .clone()
        .ok_or_else(|| Error::new(ErrorKind::Network, "the created report has no id"))?;
    let stored = client.wait_for_stored(&id, MONTHLY_WAIT).await?;
    let pick = |format: &str| {
        stored
            .iter()
            .find(|s| {
                s.state() == StoredStatus::Saved && s.report_format.as_deref() == Some(format)
            })
            .and_then(|s| s.id.clone())
            .map(|sid| (sid, format.to_owned()))
    };
    let (stored_id, format) = pick("json_v2_0")
        .or_else(|| pick("csv_v2_0"))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Network,
                format!("report {id} has no saved json_v2_0 or csv_v2_0 file"),
            )
        })?;
    let body = client
        .download_bytes(&id, &stored_id)
        .await
        .with_context(|| format!("downloading stored file {stored_id} of report {id}"))?;
    let (raw, entries) = if format == "json_v2_0" {
        let v: Value = serde_json::from_slice(&body).map_err(|e| {
            Error::new(
                ErrorKind::Network,
                format!("the json_v2_0 report is not JSON: {e}"),
            )
        })?;
        let entries = entries_from_json(&v)?;
        (v, entries)
    } else {
        let text = String::from_utf8_lossy(&body).into_owned();
        let entries = entries_from_csv(&text)?;
        (Value::String(text), entries)
    };
    let rows = rows(&entries, month, &format);
    let mut warnings = Vec::new();
    let deleted = match created.version {
        Some(v) => match client.delete_report(&id, v).await {
            Ok(()) => true,
            Err(e) => {
                warnings.push(format!(
                    "the helper report {id} could not be deleted: {}",
                    e.message()
                ));
                false
            }
        },
        None => false,
    };
    let mut details = Map::new();
    details.insert("report_id".into(), json!(id));
    details.insert("stored_id".into(), json!(stored_id));
    details.insert("format".into(), json!(format));
    details.insert("report_deleted".into(), json!(deleted));
    Ok(VendorUsage {
        raw,
        rows,
        warnings,
        details,
    })
}

/// One usage entry of a json_v2_0 or csv_v2_0 report.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// `tenant_uuid`.
    pub tenant_uuid: String,
    /// `tenant_name` ("" when the report has none).
    pub tenant_name: String,
    /// `sku` ("" without SKU access).
    pub sku: String,
    /// `name`: the usage name with its edition prefix.
    pub name: String,
    /// `usage_name`: without the edition prefix.
    pub usage_name: String,
    /// `measurement_unit`: `quantity`, `bytes`, `seconds`, ...
    pub unit: String,
    /// `value`.
    pub value: f64,
}

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The entries of a json_v2_0 report (`{"params": {...}, "tenants": [...]}`).
pub fn entries_from_json(v: &Value) -> Result<Vec<Entry>> {
    let Some(Value::Array(items)) = v.get("tenants") else {
        return Err(Error::new(
            ErrorKind::Network,
            "the json_v2_0 report has no \"tenants\" array",
        ));
    };
    Ok(items
        .iter()
        .filter(|item| item.is_object())
        .map(|item| Entry {
            tenant_uuid: text(item, "tenant_uuid"),
            tenant_name: text(item, "tenant_name"),
            sku: text(item, "sku"),
            name: text(item, "name"),
            usage_name: text(item, "usage_name"),
            unit: text(item, "measurement_unit"),
            value: number(item.get("value")).unwrap_or(0.0),
        })
        .collect())
}

/// The entries of a csv_v2_0 report (a header row naming the same fields as json_v2_0).
pub fn entries_from_csv(text: &str) -> Result<Vec<Entry>> {
    let bad = |e: csv::Error| {
        Error::new(
            ErrorKind::Network,
            format!("the csv_v2_0 report is not valid CSV: {e}"),
        )
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(bad)?.clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (tu, tn, sku, name, un, unit, value) = (
        col("tenant_uuid"),
        col("tenant_name"),
        col("sku"),
        col("name"),
        col("usage_name"),
        col("measurement_unit"),
        col("value"),
    );
    if tu.is_none() || value.is_none() {
        return Err(Error::new(
            ErrorKind::Network,
            "the csv_v2_0 report has no tenant_uuid or value column",
        ));
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(bad)?;
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").to_owned();
        out.push(Entry {
            tenant_uuid: get(tu),
            tenant_name: get(tn),
            sku: get(sku),
            name: get(name),
            usage_name: get(un),
            unit: get(unit),
            value: get(value).trim().parse().unwrap_or(0.0),
        });
    }
    Ok(out)
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

/// Quantity and unit of a raw value in `unit`.
fn convert(value: f64, unit: &str) -> (f64, String) {
    match unit {
        "bytes" => (round(value / 1_073_741_824.0, 6), "GiB".to_owned()),
        "seconds" => (round(value / 3600.0, 2), "hours".to_owned()),
        "quantity" => (value, "count".to_owned()),
        other => (value, other.to_owned()),
    }
}

/// The normalised rows: one per tenant × product × metric, in that order.
pub fn rows(entries: &[Entry], month: Month, format: &str) -> Vec<UsageRow> {
    let mut acc: BTreeMap<(String, String, String), (Entry, f64)> = BTreeMap::new();
    for e in entries {
        let product = if e.sku.is_empty() {
            e.name.clone()
        } else {
            e.sku.clone()
        };
        let key = (e.tenant_uuid.clone(), product, e.usage_name.clone());
        acc.entry(key)
            .and_modify(|(_, v)| *v += e.value)
            .or_insert_with(|| (e.clone(), e.value));
    }
    acc.into_iter()
        .map(|((customer_id, product_code, metric), (e, value))| {
            let (quantity, unit) = convert(value, &e.unit);
            UsageRow {
                vendor: SECTION.to_owned(),
                period_start: month.start().to_string(),
                period_end: month.end().to_string(),
                customer_id,
                customer_name: e.tenant_name,
                product_code,
                product_name: e.name,
                metric,
                quantity,
                unit,
                amount: None,
                currency: String::new(),
                source: format!(
                    "acronis usage_summary report ({format}, level accounts): tenants[].value"
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month() -> Month {
        Month::parse("2026-09").unwrap()
    }

    /// Three entries of one tenant (a workstation count, storage in bytes, compute time in
    /// seconds) and one of another tenant without SKU access.
    fn report() -> Value {
        json!({
            "params": {"kind": 5, "report_level": 3},
            "tenants": [
                {"tenant_uuid": "t-1", "tenant_name": "Contoso", "sku": "CPSTDWKS", "name": "standard_workstations", "usage_name": "workstations", "measurement_unit": "quantity", "value": 12},
                {"tenant_uuid": "t-1", "tenant_name": "Contoso", "sku": "CPSTORGB", "name": "standard_storage", "usage_name": "storage", "measurement_unit": "bytes", "value": 3221225472u64},
                {"tenant_uuid": "t-1", "tenant_name": "Contoso", "sku": "CPDRCOMPT", "name": "disaster_recovery_compute_points", "usage_name": "compute_points", "measurement_unit": "seconds", "value": "5400"},
                {"tenant_uuid": "t-0", "name": "standard_servers", "usage_name": "servers", "measurement_unit": "quantity", "value": 2}
            ]
        })
    }

    #[test]
    fn json_entries_map_to_hand_computed_rows() {
        let rows = rows(&entries_from_json(&report()).unwrap(), month(), "json_v2_0");
        let got: Vec<(&str, &str, &str, &str, f64, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r.customer_id.as_str(),
                    r.customer_name.as_str(),
                    r.product_code.as_str(),
                    r.metric.as_str(),
                    r.quantity,
                    r.unit.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("t-0", "", "standard_servers", "servers", 2.0, "count"),
                (
                    "t-1",
                    "Contoso",
                    "CPDRCOMPT",
                    "compute_points",
                    1.5,
                    "hours"
                ),
                ("t-1", "Contoso", "CPSTDWKS", "workstations", 12.0, "count"),
                ("t-1", "Contoso", "CPSTORGB", "storage", 3.0, "GiB"),
            ]
        );
        assert!(rows.iter().all(|r| r.vendor == "acronis-reports"
            && r.period_start == "2026-09-01"
            && r.period_end == "2026-09-30"));
        assert_eq!(rows[2].product_name, "standard_workstations");
        assert_eq!(rows[0].amount, None);
    }

    #[test]
    fn csv_gives_the_same_rows_and_repeats_add_up() {
        let csv = "tenant_name,tenant_uuid,tenant_id,edition,usage_name,name,sku,measurement_unit,type,value,absolute_value,range_start\n\
                   Contoso,t-1,11,standard,workstations,standard_workstations,CPSTDWKS,quantity,count,12,12,2026-09-01T00:00:00\n\
                   Contoso,t-1,11,standard,workstations,standard_workstations,CPSTDWKS,quantity,count,3,3,2026-09-01T00:00:00\n";
        let rows = rows(&entries_from_csv(csv).unwrap(), month(), "csv_v2_0");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].quantity, 15.0);
        assert_eq!(rows[0].customer_name, "Contoso");
        assert!(entries_from_csv("a,b\n1,2\n").is_err());
        assert!(entries_from_json(&json!({"params": {}})).is_err());
    }
}

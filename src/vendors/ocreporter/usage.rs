//! OC Reporter's contribution to the monthly usage bundle (issue 7): the SPLA usage report
//! for customer billing for the month (`payload[month_id]`, `payload[flat_structure]=1`),
//! one [`UsageRow`] per customer × part number.
//!
//! Licenses OC Reporter left out of the calculation for lack of a purchase price
//! (`missingUnitPrices`) cannot be rows — the report has no quantity for them — so they are
//! recorded in `details.missingUnitPrices` and as a warning, for the manifest and the person
//! running the bundle.

use serde_json::Value;

use super::model::{
    missing_prices, missing_prices_message, section_rows, CustomerLine, Observation, ReportPayload,
    Section, SplaReport,
};
use super::SECTION;
use crate::context::Context;
use crate::error::{Error, ErrorKind, Result, ResultExt};
use crate::http::HttpClient;
use crate::usage::{Month, UsageRow, VendorUsage};

/// Where the rows come from, for auditors.
const SOURCE: &str =
    "GET report/licensing/spla-usage-customer (payload[month_id], flat_structure=1) customers[]";

/// Fetches the month's SPLA customer usage report through `http` and maps it to usage rows.
pub async fn collect_month(ctx: &Context, http: HttpClient, month: Month) -> Result<VendorUsage> {
    let client = super::cmd::client_with(ctx, http, &super::ConnectionArgs::default())?;
    let payload = ReportPayload {
        observation: Observation::Month(month),
        compare: Vec::new(),
        itemized: false,
        flat: true,
        existing: false,
        customer_ids: Vec::new(),
    };
    let report = client
        .spla_report(SplaReport::Customer, &payload)
        .await
        .with_context(|| format!("fetching the SPLA customer usage report for {month}"))?;
    map_report(report, month)
}

/// Maps one customer usage report (flat structure) to the bundle's rows, sorted.
pub fn map_report(report: Value, month: Month) -> Result<VendorUsage> {
    if !report.is_object() {
        return Err(Error::new(
            ErrorKind::Network,
            "the SPLA customer usage report is not an object",
        ));
    }
    let report_currency = report
        .get("currency")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut rows = Vec::new();
    for raw in section_rows(&report, Section::Customers) {
        let line = CustomerLine::from_value(raw).map_err(|e| {
            Error::new(
                ErrorKind::Network,
                format!("a customer line of the report is malformed: {e}"),
            )
        })?;
        let Some(part) = line.part_number.clone().filter(|p| !p.is_empty()) else {
            continue;
        };
        rows.push(UsageRow {
            vendor: SECTION.to_owned(),
            period_start: month.start().to_string(),
            period_end: month.end().to_string(),
            customer_id: line.customer_id.clone().unwrap_or_default(),
            customer_name: line.customer_label.clone().unwrap_or_default(),
            product_code: part,
            product_name: line.label.clone().unwrap_or_default(),
            metric: line.license_type.clone().unwrap_or_default(),
            quantity: line.quantity.unwrap_or(0.0),
            unit: "licenses".to_owned(),
            amount: line.total_price,
            currency: line
                .currency
                .clone()
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| report_currency.clone()),
            source: SOURCE.to_owned(),
        });
    }
    rows.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let missing = missing_prices(&report);
    let mut usage = VendorUsage {
        rows,
        ..VendorUsage::default()
    };
    if !missing.is_empty() {
        usage.warnings.push(format!(
            "ocreporter {month}: {}",
            missing_prices_message(&missing)
        ));
        usage.details.insert(
            "missingUnitPrices".to_owned(),
            Value::Array(missing.iter().map(|m| m.raw().clone()).collect()),
        );
    }
    usage.raw = report;
    Ok(usage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_row_per_customer_and_part_number() {
        let report = json!({
            "month_id": "202601",
            "currency": "EUR",
            "customers": [
                {"customer_id": 12, "customer_label": "Contoso", "part_number": "9EA-00039", "label": "Windows Server Datacenter 2 Core",
                 "license_type": "core", "quantity": 8, "unit_price": 30.5, "total_price": 244.0, "currency": "EUR"},
                {"customer_id": 3, "customer_label": "Adatum", "part_number": "6VC-01254", "label": "Remote Desktop Services SAL",
                 "license_type": "SAL", "quantity": "5", "unit_price": null, "total_price": null}
            ],
            "missingUnitPrices": [{"part_number": "7NQ-00302", "pricecategory": "academic", "label": "Exchange Standard SAL"}]
        });
        let u = map_report(report.clone(), Month::parse("2026-01").unwrap()).unwrap();
        assert_eq!(u.rows.len(), 2);
        // Sorted by customer id (as text): "12" < "3".
        let r = &u.rows[0];
        assert_eq!(
            (r.customer_id.as_str(), r.customer_name.as_str()),
            ("12", "Contoso")
        );
        assert_eq!(
            (r.product_code.as_str(), r.metric.as_str(), r.quantity),
            ("9EA-00039", "core", 8.0)
        );
        assert_eq!(
            (r.amount, r.currency.as_str(), r.unit.as_str()),
            (Some(244.0), "EUR", "licenses")
        );
        assert_eq!(
            (r.period_start.as_str(), r.period_end.as_str()),
            ("2026-01-01", "2026-01-31")
        );
        let r = &u.rows[1];
        assert_eq!(
            (
                r.customer_id.as_str(),
                r.quantity,
                r.amount,
                r.currency.as_str()
            ),
            ("3", 5.0, None, "EUR")
        );
        assert_eq!(r.vendor, "ocreporter");
        assert_eq!(u.raw, report);
        assert!(
            u.warnings[0].contains("7NQ-00302 (academic)"),
            "{:?}",
            u.warnings
        );
        assert_eq!(
            u.details["missingUnitPrices"][0]["part_number"],
            "7NQ-00302"
        );
    }

    #[test]
    fn nested_customers_unfold_too() {
        let report = json!({"customers": [{"customer_id": 1, "customer_label": "A", "licenses": [
            {"part_number": "P1", "license_type": "SAL", "quantity": 2},
            {"part_number": "P2", "license_type": "core", "quantity": 4}]}]});
        let u = map_report(report, Month::parse("2026-02").unwrap()).unwrap();
        assert_eq!(u.rows.len(), 2);
        assert!(u
            .rows
            .iter()
            .all(|r| r.customer_name == "A" && r.currency.is_empty()));
        assert!(u.warnings.is_empty() && u.details.is_empty());
    }
}

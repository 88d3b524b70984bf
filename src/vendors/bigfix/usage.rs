//! BigFix Inventory's part of the monthly bundle: the peak utilisation of each product's
//! license metric in the month (`api/sam/v2/license_usage`), one row per product × metric.
//!
//! BigFix measures the provider's own infrastructure (or a computer group), not customers:
//! the rows carry no customer. The quantity is the period's peak (`metric_quantity`), the
//! unit the metric's name (`Processor Value Unit`, ...), and there is no price.

use futures::TryStreamExt;
use serde_json::Value;

use super::client::LicenseUsageQuery;
use super::model::LicenseUsage;
use crate::context::Context;
use crate::error::Result;
use crate::http::HttpClient;
use crate::usage::{Month, UsageRow, VendorUsage};

/// The columns asked for: what the mapping needs, and what an auditor wants in the raw file.
const COLUMNS: &[&str] = &[
    "product_publisher_name",
    "product_id",
    "product_name",
    "metric_id",
    "metric_name",
    "metric_quantity",
    "metric_peak_time",
];

/// Collects `month` from the configured BigFix server through `http`.
pub async fn collect_month(ctx: &Context, http: HttpClient, month: Month) -> Result<VendorUsage> {
    let client = super::client(None, ctx, http)?;
    let query = LicenseUsageQuery {
        from: month.start(),
        to: month.end(),
        columns: COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
        order: vec!["product_id".into(), "metric_id".into()],
        criteria: None,
        computer_group: None,
    };
    let paging = ctx.paging().for_vendor(None, 100, 10_000, "BigFix")?;
    let paging = crate::paginate::PageOptions {
        max_items: None,
        no_paginate: false,
        ..paging
    };
    let items: Vec<LicenseUsage> = client.license_usage(query, paging).try_collect().await?;
    let rows = items.iter().map(|u| to_row(u, month)).collect();
    Ok(VendorUsage {
        raw: Value::Array(items.into_iter().map(LicenseUsage::into_raw).collect()),
        rows,
        ..VendorUsage::default()
    })
}

/// Maps one license-usage row.
pub fn to_row(u: &LicenseUsage, month: Month) -> UsageRow {
    let metric = u.metric_id.clone().unwrap_or_default();
    UsageRow {
        vendor: super::SECTION.to_owned(),
        period_start: month.start().to_string(),
        period_end: month.end().to_string(),
        customer_id: String::new(),
        customer_name: String::new(),
        product_code: u.product_id.clone().unwrap_or_default(),
        product_name: u.product_name.clone().unwrap_or_default(),
        unit: u.metric_name.clone().unwrap_or_else(|| metric.clone()),
        metric,
        quantity: u.metric_quantity.unwrap_or(0.0),
        amount: None,
        currency: String::new(),
        source: "api/sam/v2/license_usage metric_quantity (peak)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_peak_usage_per_product_and_metric() {
        let raw = serde_json::json!({
            "product_publisher_name": "IBM", "product_id": 1002, "product_name": "IBM Db2",
            "metric_id": "PROCESSOR_VALUE_UNIT", "metric_name": "Processor Value Unit",
            "metric_quantity": "1400", "metric_peak_time": "2026-10-17T00:00:00Z"
        });
        let u = LicenseUsage::from_value(raw).unwrap();
        let row = to_row(&u, Month::parse("2026-10").unwrap());
        assert_eq!(row.vendor, "bigfix-metrics");
        assert_eq!(
            (row.period_start.as_str(), row.period_end.as_str()),
            ("2026-10-01", "2026-10-31")
        );
        assert_eq!(row.product_code, "1002");
        assert_eq!(row.metric, "PROCESSOR_VALUE_UNIT");
        assert_eq!(row.quantity, 1400.0);
        assert_eq!(row.unit, "Processor Value Unit");
        assert_eq!(row.amount, None);
        assert_eq!(row.customer_id, "");
    }
}

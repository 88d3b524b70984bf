//! The OTC Enterprise Dashboard's part of the monthly bundle (issue 7, DESIGN.md §7).
//!
//! Source: v1 `GET /v1/consumption/month?month=YYYY-MM` (one answer, kept verbatim as the
//! raw file), or with api_version v2 the daily stream `GET /v2/daily/consumption/?year=&month=`
//! (the raw file is the array of its lines' objects, in order).
//!
//! Mapping: one row per contract × product × metric × unit, where
//! - `customer_id` = `contract` (keys read trimmed), `customer_name` = `customer_name` when
//!   the records carry one (the reserved answer does), else "";
//! - `product_code` = `product`, `product_name` = `product_description` (first seen);
//! - `metric` = v2's `consumption_type` (`EL`/`RC`), else `consumption`;
//! - `quantity` = Σ the numeric part of `billing_quantity` (`"2 ST"` counts 2), `unit` =
//!   `quantity_unit` (else the unit written after the number). Units are part of the key, so
//!   hours and gigabytes are never added up;
//! - `amount` = Σ `amount` (None when no record of the group has one);
//! - `currency`: the answers carry no currency (prices are EUR in practice, but the data does
//!   not say so), so it is "" unless every record of the group names the same `currency`.
//!
//! Sums are rounded to 6 decimals; rows are in key order, so an unchanged month gives
//! identical rows.

use std::collections::BTreeMap;

use futures::TryStreamExt;
use serde_json::Value;

use super::cmd::consumption::month_filter;
use super::model::{collection_from_value, Granularity, Record};
use super::summary::round6;
use super::{api_version, consumption_client, ApiVersion, SECTION};
use crate::context::Context;
use crate::error::{Result, ResultExt};
use crate::http::HttpClient;
use crate::usage::{Month, UsageRow, VendorUsage};

/// Fetches `month`'s consumption through `http` and maps it to usage rows.
pub async fn collect_month(ctx: &Context, http: HttpClient, month: Month) -> Result<VendorUsage> {
    let version = api_version(None, ctx)?;
    let client = consumption_client(ctx, http)?;
    let (raw, records, source) = match version {
        ApiVersion::V1 => {
            let answer = client
                .month(month)
                .await
                .with_context(|| format!("fetching the consumption of {month}"))?;
            let page = collection_from_value(answer.clone())?;
            (
                answer,
                page.items,
                format!("GET /v1/consumption/month?month={month}"),
            )
        }
        ApiVersion::V2 => {
            let filter = month_filter(month);
            let records: Vec<Record> = client
                .stream_v2(Granularity::Daily, &filter)
                .await?
                .try_collect()
                .await
                .with_context(|| format!("streaming the consumption of {month}"))?;
            let raw = Value::Array(records.iter().map(|r| r.raw().clone()).collect());
            let source = format!(
                "GET /v2/daily/consumption/?year={}&month={}",
                month.year(),
                month.month()
            );
            (raw, records, source)
        }
    };
    Ok(VendorUsage {
        raw,
        rows: usage_rows(&records, month, &source),
        ..Default::default()
    })
}

/// Sums of one row.
#[derive(Default)]
struct Acc {
    customer_name: Option<String>,
    product_name: Option<String>,
    quantity: f64,
    amount: Option<f64>,
    currency: Option<Option<String>>,
}

/// Maps records to rows (see the module documentation); `source` names the request.
pub fn usage_rows(records: &[Record], month: Month, source: &str) -> Vec<UsageRow> {
    let mut groups: BTreeMap<(String, String, String, String), Acc> = BTreeMap::new();
    for r in records {
        let q = r.billing_quantity.clone().unwrap_or_default();
        let unit = r.quantity_unit.clone().or(q.unit).unwrap_or_default();
        let metric = r
            .consumption_type
            .clone()
            .unwrap_or_else(|| "consumption".to_owned());
        let key = (
            r.contract.clone().unwrap_or_default(),
            r.product.clone().unwrap_or_default(),
            metric,
            unit,
        );
        let acc = groups.entry(key).or_default();
        if acc.customer_name.is_none() {
            acc.customer_name.clone_from(&r.customer_name);
        }
        if acc.product_name.is_none() {
            acc.product_name.clone_from(&r.product_description);
        }
        acc.quantity += q.value.unwrap_or(0.0);
        if let Some(a) = r.amount {
            acc.amount = Some(acc.amount.unwrap_or(0.0) + a);
        }
        // Some(Some(c)): every record so far says c; Some(None): not all agree or some are silent.
        acc.currency = match (&acc.currency, &r.currency) {
            (None, c) => Some(c.clone()),
            (Some(Some(a)), Some(c)) if a == c => Some(Some(a.clone())),
            _ => Some(None),
        };
    }
    groups
        .into_iter()
        .map(|((contract, product, metric, unit), acc)| UsageRow {
            vendor: SECTION.to_owned(),
            period_start: month.start().to_string(),
            period_end: month.end().to_string(),
            customer_id: contract,
            customer_name: acc.customer_name.unwrap_or_default(),
            product_code: product,
            product_name: acc.product_name.unwrap_or_default(),
            metric,
            quantity: round6(acc.quantity),
            unit,
            amount: acc.amount.map(round6),
            currency: acc.currency.flatten().unwrap_or_default(),
            source: format!("{source} (billing_quantity, amount)"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendors::otc::model::record;
    use serde_json::json;

    #[test]
    fn rows_per_contract_and_product_hand_computed() {
        let month = Month::parse("2020-07").unwrap();
        let recs: Vec<Record> = [
            json!({"contract": 1000021234, "product": "OTC_D24XL8_LI", "product_description": "Disk Intensive d2.4xl.8 Linux", "quantity_unit": "H", "billing_quantity": 24.0, "amount": 42.048}),
            json!({"contract": 1000021234, "product": "OTC_D24XL8_LI", "product_description": "Disk Intensive d2.4xl.8 Linux", "quantity_unit": "H", "billing_quantity": 12, "amount": 21.024}),
            json!({"contract": 1000021234, "product": "OTC_EVS_SSD", "product_description": "EVS SSD", "quantity_unit": "GB", "billing_quantity": "100", "amount": 5.5, "currency": "EUR"}),
            json!({"contract ": 1000038535, "product": "General Purpose 1:2 v2 s2.m.2 Linux", "product_description": "General Purpose 1:2 v2 s2.m.2 Linux", "customer_name": "T-Systems", "billing_quantity": "2 ST", "amount": 375.44}),
        ]
        .into_iter()
        .map(|v| record(v).unwrap())
        .collect();
        let rows = usage_rows(&recs, month, "GET /v1/consumption/month?month=2020-07");
        assert_eq!(rows.len(), 3);
        let r = &rows[0];
        assert_eq!(
            (
                r.customer_id.as_str(),
                r.product_code.as_str(),
                r.metric.as_str()
            ),
            ("1000021234", "OTC_D24XL8_LI", "consumption")
        );
        assert_eq!(
            (r.quantity, r.unit.as_str(), r.amount),
            (36.0, "H", Some(63.072))
        );
        assert_eq!(r.product_name, "Disk Intensive d2.4xl.8 Linux");
        assert_eq!(r.currency, "");
        assert_eq!(
            (r.period_start.as_str(), r.period_end.as_str()),
            ("2020-07-01", "2020-07-31")
        );
        assert_eq!(
            (
                rows[1].quantity,
                rows[1].unit.as_str(),
                rows[1].currency.as_str()
            ),
            (100.0, "GB", "EUR")
        );
        let t = &rows[2];
        assert_eq!(
            (t.customer_id.as_str(), t.customer_name.as_str()),
            ("1000038535", "T-Systems")
        );
        assert_eq!(
            (t.quantity, t.unit.as_str(), t.amount),
            (2.0, "ST", Some(375.44))
        );
        assert!(t
            .source
            .starts_with("GET /v1/consumption/month?month=2020-07"));
        assert!(rows.iter().all(|r| r.vendor == "otc-dashboard"));
    }
}

//! Veeam VSPC's contribution to the monthly usage bundle (DESIGN.md §7): the license usage
//! reports of the month, one [`UsageRow`] per organization × product × workload.
//!
//! Mapping (from `usageDetails[].usageByLicenseAndProduct[].workloadUsage[]` of every report
//! whose `reportInterval.startOfInterval` falls in the month — the provider's and each
//! reseller's):
//! - `customer_id` / `customer_name`: the organization (`organizationUid`, `organizationName`);
//! - `product_code`: `productType` (`backupAndReplication`, `vspc`, ...); `product_name`: the
//!   product's name with the license edition (`Veeam Backup & Replication (Standard)`);
//! - `metric`: `workloadType` (`vbR_VM`, ...); `quantity`: `usedPoints`; `unit`: `points`;
//! - `source`: the report and field, plus the license id and the workload counts
//!   (`initialCount`, `reportedCount`, `newCount`) and `weight`, so that auditors can recompute
//!   the points (`usedPoints = reportedCount × weight`).
//!
//! The same organization × license × product × workload in two reports (a company reported
//! by both a reseller and the provider) is counted once, with a warning.

use std::collections::BTreeSet;

use futures::TryStreamExt;
use serde_json::{json, Value};

use super::client::VeeamClient;
use super::model::{parse_report, Report};
use super::{client_with, SECTION};
use crate::context::Context;
use crate::error::{Error, ErrorKind, Result, ResultExt};
use crate::http::HttpClient;
use crate::paginate::{offset_pages, Page, PageOptions};
use crate::usage::{Month, UsageRow, VendorUsage};

/// Reports fetched per request.
const PAGE_SIZE: u64 = 100;

/// The month's license usage from the configured VSPC, through `http` (whose request record
/// feeds the manifest). `raw` is the answer of `GET /licensing/reports`, or the array of its
/// pages in request order when there were several.
pub async fn collect_month(ctx: &Context, http: HttpClient, month: Month) -> Result<VendorUsage> {
    let client = client_with(ctx, http)?;
    // The whole collection, whatever --max-items / --no-paginate say: a month is complete or
    // it is not collected.
    let opts = PageOptions {
        max_items: None,
        no_paginate: false,
        ..ctx.paging().for_vendor(
            ctx.global.page_size,
            PAGE_SIZE,
            i32::MAX as u64,
            "Veeam VSPC",
        )?
    };
    let (answers, reports) = fetch_reports(&client, opts)
        .await
        .with_context(|| format!("collecting the veeam-vspc license usage of {month}"))?;
    let wanted = month.to_string();
    let reports: Vec<Report> = reports
        .into_iter()
        .filter(|r| r.covers_month(&wanted))
        .collect();
    let (rows, mut warnings) = rows_for(&reports, month);
    if reports.is_empty() {
        warnings.push(format!(
            "no veeam-vspc license usage report covers {month}: VSPC makes a month's report after the month ends \
             (`licctl veeam licensing reports list` shows the periods there are)"
        ));
    }
    for w in &warnings {
        tracing::warn!("{w}");
    }
    let mut details = serde_json::Map::new();
    details.insert(
        "reports".into(),
        Value::Array(
            reports
                .iter()
                .map(|r| json!(r.params().report_id))
                .collect(),
        ),
    );
    let raw = match <[Value; 1]>::try_from(answers) {
        Ok([one]) => one,
        Err(many) => Value::Array(many),
    };
    Ok(VendorUsage {
        raw,
        rows,
        warnings,
        details,
    })
}

/// Every report, page by page in order (the shared pager: concurrent pages once the total is
/// known), with each answer as the server sent it.
async fn fetch_reports(
    client: &VeeamClient,
    opts: PageOptions,
) -> Result<(Vec<Value>, Vec<Report>)> {
    let client = client.clone();
    let pages: Vec<(Page<Value>, bytes::Bytes)> = offset_pages(opts, move |offset, limit| {
        let client = client.clone();
        async move { client.page("licensing/reports", &[], offset, limit).await }
    })
    .try_collect()
    .await?;
    let (mut answers, mut reports) = (Vec::new(), Vec::new());
    for (page, body) in pages {
        answers.push(serde_json::from_slice(&body).map_err(|e| {
            Error::new(
                ErrorKind::Network,
                format!("the reports answer is not JSON: {e}"),
            )
        })?);
        for item in page.items {
            reports.push(parse_report(item)?);
        }
    }
    Ok((answers, reports))
}

/// The human name of a VSPC product type; unknown types stay as they are.
fn product_name(product_type: &str) -> &str {
    match product_type {
        "backupAndReplication" => "Veeam Backup & Replication",
        "vspc" => "Veeam Service Provider Console",
        "cloudConnect" => "Veeam Cloud Connect",
        "vb365" | "vbo365" | "vbm365" => "Veeam Backup for Microsoft 365",
        "vone" | "veeamOne" => "Veeam ONE",
        "vbAzure" | "vbaAzure" => "Veeam Backup for Microsoft Azure",
        "vbAws" | "vbaAws" => "Veeam Backup for AWS",
        "vbGoogle" | "vbaGoogle" => "Veeam Backup for Google Cloud",
        other => other,
    }
}

/// Maps reports to rows (see the module documentation); returns warnings beside them.
pub fn rows_for(reports: &[Report], month: Month) -> (Vec<UsageRow>, Vec<String>) {
    let (start, end) = (month.start().to_string(), month.end().to_string());
    let mut seen = BTreeSet::new();
    let mut rows = Vec::new();
    let mut warnings = Vec::new();
    let num = |f: Option<f64>| f.map_or_else(|| "?".to_owned(), |v| v.to_string());
    for report in reports {
        let id = report
            .params()
            .report_id
            .map_or_else(|| "?".to_owned(), |i| i.to_string());
        for detail in &report.usage_details {
            let org_uid = detail.organization_uid.clone().unwrap_or_default();
            let org_name = detail.organization_name.clone().unwrap_or_default();
            for lp in &detail.usage_by_license_and_product {
                let product = lp.product_type.clone().unwrap_or_default();
                let edition = lp.license_edition.clone().unwrap_or_default();
                let license = lp.license_id.clone().unwrap_or_default();
                for w in &lp.workload_usage {
                    let workload = w.workload_type.clone().unwrap_or_default();
                    let key = (
                        org_uid.clone(),
                        license.clone(),
                        product.clone(),
                        edition.clone(),
                        workload.clone(),
                    );
                    if !seen.insert(key) {
                        warnings.push(format!(
                            "report {id} repeats {org_name} {product} {workload} of license {license}: counted once"
                        ));
                        continue;
                    }
                    let name = product_name(&product);
                    let product_name = if edition.is_empty() {
                        name.to_owned()
                    } else {
                        format!("{name} ({edition})")
                    };
                    rows.push(UsageRow {
                        vendor: SECTION.to_owned(),
                        period_start: start.clone(),
                        period_end: end.clone(),
                        customer_id: org_uid.clone(),
                        customer_name: org_name.clone(),
                        product_code: product.clone(),
                        product_name,
                        metric: workload,
                        quantity: w.used_points.unwrap_or(0.0),
                        unit: "points".to_owned(),
                        amount: None,
                        currency: String::new(),
                        source: format!(
                            "GET /api/v3/licensing/reports reportId={id} usageDetails.usageByLicenseAndProduct.workloadUsage.usedPoints \
                             (licenseId={license} initialCount={} reportedCount={} newCount={} weight={})",
                            num(w.initial_count),
                            num(w.reported_count),
                            num(w.new_count),
                            num(w.weight)
                        ),
                    });
                }
            }
        }
    }
    (rows, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(v: Value) -> Report {
        parse_report(v).unwrap()
    }

    #[test]
    fn seed_report_maps_to_one_row_per_workload() {
        let list: Value =
            serde_json::from_str(include_str!("../../../fixtures/veeam/reports_list.json"))
                .unwrap();
        let r = report(list["data"][0].clone());
        let (rows, warnings) = rows_for(&[r], Month::parse("2020-02").unwrap());
        assert!(warnings.is_empty());
        assert_eq!(rows.len(), 3);
        let first = &rows[0];
        assert_eq!(first.vendor, "veeam-vspc");
        assert_eq!(
            (first.period_start.as_str(), first.period_end.as_str()),
            ("2020-02-01", "2020-02-29")
        );
        assert_eq!(first.customer_id, "e312fbbd-1e33-415d-8d38-b422c576523a");
        assert_eq!(first.customer_name, "Beta");
        assert_eq!(first.product_code, "backupAndReplication");
        assert_eq!(first.product_name, "Veeam Backup & Replication (Standard)");
        assert_eq!(first.metric, "vbR_VM");
        assert_eq!(first.quantity, 5.0);
        assert_eq!(first.unit, "points");
        assert_eq!(
            first.source,
            "GET /api/v3/licensing/reports reportId=10 usageDetails.usageByLicenseAndProduct.workloadUsage.usedPoints \
             (licenseId=11112222-1111-2222-3333-111122233333 initialCount=2 reportedCount=1 newCount=0 weight=5)"
        );
        let metrics: Vec<(&str, &str, f64)> = rows
            .iter()
            .map(|r| (r.product_code.as_str(), r.metric.as_str(), r.quantity))
            .collect();
        assert_eq!(
            metrics,
            vec![
                ("backupAndReplication", "vbR_VM", 5.0),
                ("vspc", "vaC_Workstation_Agent", 0.0),
                ("vspc", "vaC_Server_Agent", 0.0)
            ]
        );
    }

    #[test]
    fn hand_computed_two_reports_with_a_duplicate() {
        let detail = |org: &str, pts: f64| {
            json!({"organizationName": org, "organizationUid": format!("uid-{org}"), "usageByLicenseAndProduct": [
                {"licenseId": "L1", "productType": "cloudConnect", "licenseEdition": "", "workloadUsage": [
                    {"workloadType": "cC_VM_Backup", "initialCount": 3, "reportedCount": 3, "newCount": 0, "weight": 2.5, "usedPoints": pts}
                ]}
            ]})
        };
        let a = report(
            json!({"reportParameters": {"reportId": 1}, "usageDetails": [detail("A", 7.5), detail("B", 2.5)]}),
        );
        let b = report(
            json!({"reportParameters": {"reportId": 2}, "usageDetails": [detail("B", 2.5), detail("C", 0.0)]}),
        );
        let (rows, warnings) = rows_for(&[a, b], Month::parse("2026-10").unwrap());
        let got: Vec<(&str, &str, f64)> = rows
            .iter()
            .map(|r| {
                (
                    r.customer_name.as_str(),
                    r.product_name.as_str(),
                    r.quantity,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("A", "Veeam Cloud Connect", 7.5),
                ("B", "Veeam Cloud Connect", 2.5),
                ("C", "Veeam Cloud Connect", 0.0)
            ]
        );
        assert_eq!(rows.iter().map(|r| r.quantity).sum::<f64>(), 10.0);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("report 2 repeats B"), "{warnings:?}");
        assert!(rows.iter().all(|r| r.period_end == "2026-10-31"));
    }
}

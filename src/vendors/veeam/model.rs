//! Veeam Service Provider Console licensing types (seed 004, DESIGN.md §6) and the row views
//! that turn a deeply nested license usage report into table/csv rows.
//!
//! Quirks handled here, all seen in the seed:
//! - the report's parameters are spelt `reportParemeters` in the seed and `reportParameters`
//!   in the vendor's OpenAPI: both are accepted (a serde alias), and the raw JSON keeps
//!   whichever the server sent;
//! - `endOfInterval` can be an impossible date (`2020-02-31T00:00:00.0000000-07:00`): every
//!   date stays the server's string in the typed model and is never parsed to accept a report;
//! - `notCollectedCloudServers: null` and other nulls: every field is optional;
//! - numbers arrive as `5.0` or `"5.0"` (lenient), counts as integers or floats.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::model::{lenient, Faithful};
use crate::paginate::Page;

/// The start and end of the period a report covers, as the server wrote them.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ReportInterval {
    /// ISO 8601 with offset, e.g. `2020-02-01T00:00:00.0000000-08:00`.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub start_of_interval: Option<String>,
    /// As above; may be an impossible date such as `2020-02-31...` (kept as sent).
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub end_of_interval: Option<String>,
}

/// Who a report is for and when it was made (`reportParameters`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ReportParameters {
    /// The report's id: what `licensing reports csv ID` takes.
    #[serde(default, deserialize_with = "lenient::i64_opt")]
    pub report_id: Option<i64>,
    /// The organization (provider or reseller) the report is for.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub organization_name: Option<String>,
    /// Its UID.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub organization_uid: Option<String>,
    /// The company the license was issued to.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub license_company_name: Option<String>,
    /// When the report was generated (a string: never parsed).
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub generation_date: Option<String>,
    /// The period covered.
    #[serde(default)]
    pub report_interval: Option<ReportInterval>,
    /// Approval status where the server sends one (`Finalized`, `NotFinalized`, ...).
    #[serde(
        default,
        alias = "reportStatus",
        deserialize_with = "lenient::string_opt"
    )]
    pub status: Option<String>,
}

/// One workload line: how many of a kind were counted and the points they cost.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadUsage {
    /// `vbR_VM`, `vaC_Server_Agent`, ...
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub workload_type: Option<String>,
    /// Workloads at the start of the period.
    #[serde(default, deserialize_with = "lenient::f64_opt")]
    pub initial_count: Option<f64>,
    /// Workloads reported (charged).
    #[serde(default, deserialize_with = "lenient::f64_opt")]
    pub reported_count: Option<f64>,
    /// Workloads new in the period (not charged yet).
    #[serde(default, deserialize_with = "lenient::f64_opt")]
    pub new_count: Option<f64>,
    /// Points per reported workload.
    #[serde(default, deserialize_with = "lenient::f64_opt")]
    pub weight: Option<f64>,
    /// Points used.
    #[serde(default, deserialize_with = "lenient::f64_opt")]
    pub used_points: Option<f64>,
}

/// A product's usage in the report summary (`reportSummary.productsUsage[]`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ProductUsage {
    /// `backupAndReplication`, `vspc`, `cloudConnect`, ...
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub product_type: Option<String>,
    /// Points of the product.
    #[serde(default, deserialize_with = "lenient::f64_opt")]
    pub total_points: Option<f64>,
    /// `Standard`, `EnterprisePlus`, ...
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub license_edition: Option<String>,
    /// Per workload type.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub workload_usage: Vec<WorkloadUsage>,
}

/// The report's totals (`reportSummary`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ReportSummary {
    /// Points of the whole report.
    #[serde(default, deserialize_with = "lenient::f64_opt")]
    pub total_points: Option<f64>,
    /// Per product.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub products_usage: Vec<ProductUsage>,
}

/// One organization's points (`organizationsUsage[]`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationUsage {
    /// `company`, `reseller`, `provider`.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub organization_type: Option<String>,
    /// Its name.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub organization_name: Option<String>,
    /// Its UID.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub organization_uid: Option<String>,
    /// Its Cloud Connect tenant UID.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub tenant_uid: Option<String>,
    /// Points used.
    #[serde(default, deserialize_with = "lenient::f64_opt")]
    pub used_points: Option<f64>,
}

/// One license × product of an organization (`usageDetails[].usageByLicenseAndProduct[]`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LicenseProductUsage {
    /// The license's id.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub license_id: Option<String>,
    /// `backupAndReplication`, `vspc`, ...
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub product_type: Option<String>,
    /// `Standard`, `EnterprisePlus`, ...
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub license_edition: Option<String>,
    /// Points used.
    #[serde(default, deserialize_with = "lenient::f64_opt")]
    pub used_points: Option<f64>,
    /// Per workload type.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub workload_usage: Vec<WorkloadUsage>,
}

/// One organization's detailed usage (`usageDetails[]`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UsageDetail {
    /// The organization's name.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub organization_name: Option<String>,
    /// Its UID.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub organization_uid: Option<String>,
    /// Its Cloud Connect tenant UID.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub tenant_uid: Option<String>,
    /// Veeam support id of the license.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub support_id: Option<String>,
    /// Per license and product.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub usage_by_license_and_product: Vec<LicenseProductUsage>,
}

/// The typed view of one license usage report (`SingleLicenseReport`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ReportFields {
    /// `reportParameters`, or the seed's `reportParemeters`.
    #[serde(default, alias = "reportParemeters")]
    pub report_parameters: Option<ReportParameters>,
    /// Totals per product.
    #[serde(default)]
    pub report_summary: Option<ReportSummary>,
    /// Points per organization.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub organizations_usage: Vec<OrganizationUsage>,
    /// Per organization × license × product × workload.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub usage_details: Vec<UsageDetail>,
}

/// A license usage report as the server sent it: typed view plus the exact JSON.
pub type Report = Faithful<ReportFields>;

impl ReportFields {
    /// The parameters, or empty ones when the server sent none.
    pub fn params(&self) -> ReportParameters {
        self.report_parameters.clone().unwrap_or_default()
    }

    /// `startOfInterval`, as sent.
    pub fn start(&self) -> Option<String> {
        self.report_parameters
            .as_ref()?
            .report_interval
            .as_ref()?
            .start_of_interval
            .clone()
    }

    /// `endOfInterval`, as sent.
    pub fn end(&self) -> Option<String> {
        self.report_parameters
            .as_ref()?
            .report_interval
            .as_ref()?
            .end_of_interval
            .clone()
    }

    /// True when the report's period starts in `month` (`YYYY-MM`). Compares the leading
    /// `YYYY-MM` of `startOfInterval` only, so an odd day or offset never matters.
    pub fn covers_month(&self, month: &str) -> bool {
        self.start()
            .is_some_and(|s| s.trim().get(..7) == Some(month))
    }
}

/// A `null` array (or anything not an array) as an empty list; the raw JSON keeps the null.
fn null_as_empty<'de, D, T>(d: D) -> std::result::Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| T::deserialize(v).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// Parses a report object, naming the problem when it is not even an object.
pub fn parse_report(v: Value) -> Result<Report> {
    Report::from_value(v).map_err(|e| {
        malformed(format!(
            "a license usage report in the answer is malformed: {e}"
        ))
    })
}

fn malformed(msg: String) -> Error {
    Error::new(ErrorKind::Network, msg).with_hint("run with -vvv to see the answer")
}

/// Parses one page of a VSPC collection: `{"meta": {"pagingInfo": {"total", "count",
/// "offset"}}, "data": [...]}`. A bare array (older API versions) is a page without a total.
pub fn parse_collection(body: &[u8], what: &str) -> Result<Page<Value>> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| malformed(format!("the {what} answer is not JSON: {e}")))?;
    match v {
        Value::Array(items) => Ok(Page::open(items)),
        Value::Object(mut o) => {
            let total = o
                .get("meta")
                .and_then(|m| m.get("pagingInfo"))
                .and_then(|p| p.get("total"))
                .and_then(|t| {
                    t.as_u64()
                        .or_else(|| t.as_f64().map(|f| f as u64))
                        .or_else(|| t.as_str()?.trim().parse().ok())
                });
            match o.remove("data") {
                Some(Value::Array(items)) => Ok(Page { items, total }),
                Some(Value::Null) | None => Err(malformed(format!(
                    "the {what} answer has no \"data\" array"
                ))),
                Some(other) => Ok(Page {
                    items: vec![other],
                    total,
                }),
            }
        }
        _ => Err(malformed(format!(
            "the {what} answer is neither a collection nor a list"
        ))),
    }
}

/// Unwraps a single-resource answer `{"data": {...}}`; an answer without `data` is shown whole.
pub fn parse_resource(body: &[u8], what: &str) -> Result<Value> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| malformed(format!("the {what} answer is not JSON: {e}")))?;
    Ok(match v {
        Value::Object(mut o) if o.contains_key("data") => o.remove("data").unwrap_or(Value::Null),
        other => other,
    })
}

/// How `--view` turns reports into rows for tables and csv.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum View {
    /// One row a report: id, organization, interval, status, total points
    Reports,
    /// One row a report × product (reportSummary.productsUsage)
    Products,
    /// One row a report × product × workload, with counts, weight and points
    Workloads,
    /// One row a report × organization (organizationsUsage)
    Organizations,
    /// One row a report × organization × license/product × workload (usageDetails)
    Details,
}

/// Columns of `--view reports`.
pub const REPORT_COLUMNS: &[&str] = &[
    "reportId",
    "organizationName",
    "organizationUid",
    "startOfInterval",
    "endOfInterval",
    "generationDate",
    "status",
    "totalPoints",
];
/// Columns of `--view products`.
pub const PRODUCT_COLUMNS: &[&str] = &[
    "reportId",
    "reportOrganization",
    "productType",
    "licenseEdition",
    "totalPoints",
];
/// Columns of `--view workloads`.
pub const WORKLOAD_COLUMNS: &[&str] = &[
    "reportId",
    "reportOrganization",
    "productType",
    "licenseEdition",
    "workloadType",
    "initialCount",
    "reportedCount",
    "newCount",
    "weight",
    "usedPoints",
];
/// Columns of `--view organizations`.
pub const ORGANIZATION_COLUMNS: &[&str] = &[
    "reportId",
    "reportOrganization",
    "organizationType",
    "organizationName",
    "organizationUid",
    "tenantUid",
    "usedPoints",
];
/// Columns of `--view details`.
pub const DETAIL_COLUMNS: &[&str] = &[
    "reportId",
    "reportOrganization",
    "organizationName",
    "organizationUid",
    "tenantUid",
    "supportId",
    "licenseId",
    "productType",
    "licenseEdition",
    "workloadType",
    "initialCount",
    "reportedCount",
    "newCount",
    "weight",
    "usedPoints",
];

impl View {
    /// The documented columns of the view.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            View::Reports => REPORT_COLUMNS,
            View::Products => PRODUCT_COLUMNS,
            View::Workloads => WORKLOAD_COLUMNS,
            View::Organizations => ORGANIZATION_COLUMNS,
            View::Details => DETAIL_COLUMNS,
        }
    }

    /// The rows of one report in this view, in report order.
    pub fn rows(self, report: &ReportFields) -> Vec<Value> {
        let p = report.params();
        let context = || {
            let mut m = Map::new();
            m.insert("reportId".into(), opt_i(p.report_id));
            m.insert("reportOrganization".into(), opt_s(&p.organization_name));
            m
        };
        let summary = report.report_summary.clone().unwrap_or_default();
        match self {
            View::Reports => vec![json!({
                "reportId": opt_i(p.report_id),
                "organizationName": opt_s(&p.organization_name),
                "organizationUid": opt_s(&p.organization_uid),
                "startOfInterval": opt_s(&report.start()),
                "endOfInterval": opt_s(&report.end()),
                "generationDate": opt_s(&p.generation_date),
                "status": opt_s(&p.status),
                "totalPoints": opt_f(summary.total_points),
            })],
            View::Products => summary
                .products_usage
                .iter()
                .map(|prod| {
                    let mut m = context();
                    m.insert("productType".into(), opt_s(&prod.product_type));
                    m.insert("licenseEdition".into(), opt_s(&prod.license_edition));
                    m.insert("totalPoints".into(), opt_f(prod.total_points));
                    Value::Object(m)
                })
                .collect(),
            View::Workloads => summary
                .products_usage
                .iter()
                .flat_map(|prod| {
                    prod.workload_usage.iter().map(move |w| {
                        let mut m = context();
                        m.insert("productType".into(), opt_s(&prod.product_type));
                        m.insert("licenseEdition".into(), opt_s(&prod.license_edition));
                        workload_fields(&mut m, w);
                        Value::Object(m)
                    })
                })
                .collect(),
            View::Organizations => report
                .organizations_usage
                .iter()
                .map(|o| {
                    let mut m = context();
                    m.insert("organizationType".into(), opt_s(&o.organization_type));
                    m.insert("organizationName".into(), opt_s(&o.organization_name));
                    m.insert("organizationUid".into(), opt_s(&o.organization_uid));
                    m.insert("tenantUid".into(), opt_s(&o.tenant_uid));
                    m.insert("usedPoints".into(), opt_f(o.used_points));
                    Value::Object(m)
                })
                .collect(),
            View::Details => report
                .usage_details
                .iter()
                .flat_map(|d| {
                    d.usage_by_license_and_product.iter().flat_map(move |lp| {
                        lp.workload_usage.iter().map(move |w| {
                            let mut m = context();
                            m.insert("organizationName".into(), opt_s(&d.organization_name));
                            m.insert("organizationUid".into(), opt_s(&d.organization_uid));
                            m.insert("tenantUid".into(), opt_s(&d.tenant_uid));
                            m.insert("supportId".into(), opt_s(&d.support_id));
                            m.insert("licenseId".into(), opt_s(&lp.license_id));
                            m.insert("productType".into(), opt_s(&lp.product_type));
                            m.insert("licenseEdition".into(), opt_s(&lp.license_edition));
                            workload_fields(&mut m, w);
                            Value::Object(m)
                        })
                    })
                })
                .collect(),
        }
    }
}

fn workload_fields(m: &mut Map<String, Value>, w: &WorkloadUsage) {
    m.insert("workloadType".into(), opt_s(&w.workload_type));
    m.insert("initialCount".into(), count(w.initial_count));
    m.insert("reportedCount".into(), count(w.reported_count));
    m.insert("newCount".into(), count(w.new_count));
    m.insert("weight".into(), opt_f(w.weight));
    m.insert("usedPoints".into(), opt_f(w.used_points));
}

fn opt_s(s: &Option<String>) -> Value {
    s.clone().map_or(Value::Null, Value::String)
}

fn opt_i(i: Option<i64>) -> Value {
    i.map_or(Value::Null, Value::from)
}

fn opt_f(f: Option<f64>) -> Value {
    f.map_or(Value::Null, Value::from)
}

/// Counts are whole numbers: shown as integers when they are, as sent otherwise.
fn count(f: Option<f64>) -> Value {
    match f {
        Some(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => Value::from(v as i64),
        other => opt_f(other),
    }
}

/// The settings patch of `licensing reports settings --auto-approve/--set`: one JSON-Patch
/// `replace` operation per field, as `PATCH /licensing/reports/settings` takes it.
pub fn settings_patch(fields: &[(String, Value)]) -> Value {
    Value::Array(
        fields
            .iter()
            .map(|(name, value)| json!({"op": "replace", "path": format!("/{}", name.trim_start_matches('/')), "value": value}))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_report() -> Value {
        let text = include_str!("../../../fixtures/veeam/reports_list.json");
        let v: Value = serde_json::from_str(text).unwrap();
        v["data"][0].clone()
    }

    #[test]
    fn seed_report_parses_with_its_misspelt_key_and_impossible_date() {
        let r = parse_report(seed_report()).unwrap();
        let p = r.params();
        assert_eq!(p.report_id, Some(10));
        assert_eq!(p.organization_name.as_deref(), Some("Veeam Software AG"));
        assert_eq!(
            r.end().as_deref(),
            Some("2020-02-31T00:00:00.0000000-07:00")
        );
        assert!(r.covers_month("2020-02"));
        assert!(!r.covers_month("2020-03"));
        assert_eq!(r.usage_details[0].usage_by_license_and_product.len(), 2);
        // The raw keeps the seed's spelling and the null.
        assert!(r.raw().get("reportParemeters").is_some());
        assert_eq!(r.raw()["notCollectedCloudServers"], Value::Null);
    }

    #[test]
    fn both_spellings_are_accepted() {
        let v = json!({"reportParameters": {"reportId": "7", "reportInterval": {"startOfInterval": "2026-10-01T00:00:00Z"}}});
        let r = parse_report(v).unwrap();
        assert_eq!(r.params().report_id, Some(7));
        assert!(r.covers_month("2026-10"));
    }

    #[test]
    fn odd_fields_never_fail_a_report() {
        let v = json!({
            "reportParemeters": {"reportId": null, "reportInterval": null},
            "reportSummary": {"totalPoints": "12.5", "productsUsage": null},
            "organizationsUsage": [{"usedPoints": "n/a"}, 5],
            "usageDetails": null
        });
        let r = parse_report(v).unwrap();
        assert_eq!(r.report_summary.as_ref().unwrap().total_points, Some(12.5));
        assert_eq!(r.organizations_usage.len(), 1);
        assert!(View::Details.rows(&r).is_empty());
        assert_eq!(View::Reports.rows(&r)[0]["totalPoints"], json!(12.5));
    }

    #[test]
    fn views_of_the_seed_report() {
        let r = parse_report(seed_report()).unwrap();
        assert_eq!(View::Reports.rows(&r).len(), 1);
        assert_eq!(View::Products.rows(&r).len(), 1);
        assert_eq!(View::Workloads.rows(&r).len(), 1);
        assert_eq!(View::Organizations.rows(&r).len(), 1);
        let details = View::Details.rows(&r);
        assert_eq!(details.len(), 3);
        assert_eq!(details[2]["workloadType"], "vaC_Server_Agent");
        assert_eq!(details[2]["newCount"], json!(1));
        assert_eq!(details[2]["weight"], json!(11.0));
        for view in [
            View::Reports,
            View::Products,
            View::Workloads,
            View::Organizations,
            View::Details,
        ] {
            for row in view.rows(&r) {
                let keys: Vec<&str> = row
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(String::as_str)
                    .collect();
                assert_eq!(keys, view.columns(), "{view:?}");
            }
        }
    }

    #[test]
    fn collections_and_resources() {
        let page = parse_collection(
            br#"{"meta":{"pagingInfo":{"total":3,"count":1,"offset":0}},"data":[{"a":1}]}"#,
            "x",
        )
        .unwrap();
        assert_eq!(page.total, Some(3));
        assert_eq!(page.items.len(), 1);
        assert_eq!(parse_collection(b"[1,2]", "x").unwrap().total, None);
        assert!(parse_collection(br#"{"meta":{}}"#, "x").is_err());
        assert_eq!(
            parse_resource(br#"{"data":{"a":1}}"#, "x").unwrap(),
            json!({"a":1})
        );
        assert_eq!(parse_resource(br#"{"a":1}"#, "x").unwrap(), json!({"a":1}));
    }

    #[test]
    fn settings_patch_is_json_patch() {
        let p = settings_patch(&[
            ("autoApprove".into(), json!(true)),
            ("/autoApproveDay".into(), json!(5)),
        ]);
        assert_eq!(
            p,
            json!([{"op":"replace","path":"/autoApprove","value":true},{"op":"replace","path":"/autoApproveDay","value":5}])
        );
    }
}

//! Acronis usage-report types (seed 002, DESIGN.md §6, the vendor's OpenAPI) and the
//! documented rules licctl checks before anything is sent.
//!
//! Answers are kept faithfully ([`Faithful`]): the typed views below hold only what licctl
//! works with, every field optional and tolerant, so one odd field never fails an answer.

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::model::{lenient, Faithful};

/// What a report counts (`parameters.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Usage metrics day by day over the period
    #[value(name = "usage_daily")]
    UsageDaily,
    /// Usage at the end of the period and its change over the period
    #[value(name = "usage_summary")]
    UsageSummary,
    /// Current usage, within each tenant's billing period (no period)
    #[value(name = "usage_current")]
    UsageCurrent,
    /// Usage broken down per resource
    #[value(name = "usage_breakdown")]
    UsageBreakdown,
}

impl Kind {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::UsageDaily => "usage_daily",
            Kind::UsageSummary => "usage_summary",
            Kind::UsageCurrent => "usage_current",
            Kind::UsageBreakdown => "usage_breakdown",
        }
    }
}

/// How deep a report goes below its tenant (`parameters.level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Level {
    /// The tenant itself
    #[value(name = "itself")]
    Itself,
    /// Its direct customers and partners
    #[value(name = "direct_partners")]
    DirectPartners,
    /// All partners below it
    #[value(name = "all_partners")]
    AllPartners,
    /// All customers and partners below it
    #[value(name = "all_customers")]
    AllCustomers,
    /// All customers and partners, with user account details
    #[value(name = "accounts")]
    Accounts,
}

impl Level {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Itself => "itself",
            Level::DirectPartners => "direct_partners",
            Level::AllPartners => "all_partners",
            Level::AllCustomers => "all_customers",
            Level::Accounts => "accounts",
        }
    }
}

/// A stored report's file format (`parameters.formats[]`, `report_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// CSV for people
    #[value(name = "csv")]
    Csv,
    /// HTML for people
    #[value(name = "html")]
    Html,
    /// JSON, API v1 layout
    #[value(name = "json_v1")]
    JsonV1,
    /// CSV, API v2 layout (machine-readable)
    #[value(name = "csv_v2_0")]
    CsvV2,
    /// JSON, API v2 layout (machine-readable)
    #[value(name = "json_v2_0")]
    JsonV2,
}

impl ReportFormat {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Csv => "csv",
            ReportFormat::Html => "html",
            ReportFormat::JsonV1 => "json_v1",
            ReportFormat::CsvV2 => "csv_v2_0",
            ReportFormat::JsonV2 => "json_v2_0",
        }
    }

    /// The file extension a downloaded file of this format gets.
    pub fn extension_of(format: &str) -> &'static str {
        match format {
            "csv" | "csv_v2_0" => "csv",
            "html" => "html",
            "json_v1" | "json_v2_0" => "json",
            _ => "bin",
        }
    }
}

/// When a report is generated (`schedule.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScheduleType {
    /// Once, on the generation date
    #[value(name = "once")]
    Once,
    /// Every month, for the previous month
    #[value(name = "monthly")]
    Monthly,
}

impl ScheduleType {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleType::Once => "once",
            ScheduleType::Monthly => "monthly",
        }
    }
}

/// What happens to a generated report (`result_action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ResultAction {
    /// Keep it as stored files to download
    #[value(name = "save")]
    Save,
    /// Email it to the recipients
    #[value(name = "send")]
    Send,
}

impl ResultAction {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ResultAction::Save => "save",
            ResultAction::Send => "send",
        }
    }
}

/// Deserializes a nested value into `T`, or `None` when it does not fit: a quirky nested
/// object must not fail the whole answer (the raw JSON still holds it).
fn tolerant<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(T::deserialize(v).ok())
}

/// A list of strings, tolerating non-string members (dropped from the typed view).
fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => Some(
            items
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => None,
    })
}

/// `parameters.period`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct PeriodFields {
    /// First day, `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub start: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub end: Option<String>,
}

/// `parameters` of a report.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ParametersFields {
    /// The tenant the report is about.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub tenant_id: Option<String>,
    /// `usage_summary`, ...
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub kind: Option<String>,
    /// `accounts`, ...
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub level: Option<String>,
    /// The file formats generated.
    #[serde(default, deserialize_with = "strings")]
    pub formats: Option<Vec<String>>,
    /// The period covered.
    #[serde(default, deserialize_with = "tolerant")]
    pub period: Option<PeriodFields>,
}

/// `schedule` of a report.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ScheduleFields {
    /// `once` or `monthly`.
    #[serde(default, rename = "type", deserialize_with = "lenient::string_opt")]
    pub kind: Option<String>,
    /// Whether a scheduled report still runs.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// The fields of a report configuration licctl works with; the raw answer keeps the rest.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ReportFields {
    /// The report's UUID.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub id: Option<String>,
    /// Grows with every change; DELETE must name the current one.
    #[serde(default, deserialize_with = "lenient::i64_opt")]
    pub version: Option<i64>,
    /// `save` or `send`.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub result_action: Option<String>,
    /// Users who receive it by email.
    #[serde(default, deserialize_with = "strings")]
    pub recipients: Option<Vec<String>>,
    /// What the report covers.
    #[serde(default, deserialize_with = "tolerant")]
    pub parameters: Option<ParametersFields>,
    /// When it is generated.
    #[serde(default, deserialize_with = "tolerant")]
    pub schedule: Option<ScheduleFields>,
    /// When a one-time report is generated, `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub generation_date: Option<String>,
}

/// A report configuration as the server sent it.
pub type Report = Faithful<ReportFields>;

/// The columns tables and csv show for a report.
pub const REPORT_COLUMNS: &[&str] = &[
    "id",
    "version",
    "parameters.kind",
    "parameters.level",
    "parameters.period.start",
    "parameters.period.end",
    "parameters.formats",
    "schedule.type",
    "schedule.enabled",
    "result_action",
    "generation_date",
];

/// The fields of a stored report file licctl works with.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct StoredFields {
    /// The stored file's UUID.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub id: Option<String>,
    /// `csv`, `json_v2_0`, ...
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub report_format: Option<String>,
    /// Compressed size in bytes.
    #[serde(default, deserialize_with = "lenient::i64_opt")]
    pub size: Option<i64>,
    /// When it was generated (RFC 3339 without zone, as the API sends it).
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub created_at: Option<String>,
    /// `in_progress`, `saved` or `failed`.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub status: Option<String>,
}

/// A stored report file as the server sent it.
pub type StoredReport = Faithful<StoredFields>;

/// The columns tables and csv show for a stored file.
pub const STORED_COLUMNS: &[&str] = &["id", "report_format", "status", "size", "created_at"];

/// Where a stored file stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredStatus {
    /// Still being generated.
    InProgress,
    /// Ready to download.
    Saved,
    /// Generation failed; it never becomes ready.
    Failed,
}

impl StoredFields {
    /// The status; anything unknown counts as still in progress (a wait stays bounded anyway).
    pub fn state(&self) -> StoredStatus {
        match self.status.as_deref() {
            Some("saved") => StoredStatus::Saved,
            Some("failed") => StoredStatus::Failed,
            _ => StoredStatus::InProgress,
        }
    }
}

/// The `items` array of a list answer (`{"items": [...]}`), or a bare array.
pub fn items_of(v: Value, what: &str) -> Result<Vec<Value>> {
    match v {
        Value::Array(items) => Ok(items),
        Value::Object(mut o) => match o.remove("items") {
            Some(Value::Array(items)) => Ok(items),
            _ => Err(Error::new(
                ErrorKind::Network,
                format!("the {what} answer has no \"items\" array"),
            )),
        },
        _ => Err(Error::new(
            ErrorKind::Network,
            format!("the {what} answer is neither a list nor an envelope"),
        )),
    }
}

/// Parses the items of `GET /reports/{id}/stored`.
pub fn parse_stored(v: Value) -> Result<Vec<StoredReport>> {
    items_of(v, "stored reports")?
        .into_iter()
        .map(|item| {
            StoredReport::from_value(item).map_err(|e| {
                Error::new(
                    ErrorKind::Network,
                    format!("a stored report in the answer is malformed: {e}"),
                )
            })
        })
        .collect()
}

/// Parses a report answer.
pub fn parse_report(v: Value) -> Result<Report> {
    Report::from_value(v).map_err(|e| {
        Error::new(
            ErrorKind::Network,
            format!("the report in the answer is malformed: {e}"),
        )
    })
}

/// A validated `POST /reports` body: every field of the seed's `report_data`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    /// Users who receive the report by email (only with [`ResultAction::Send`]).
    pub recipients: Vec<String>,
    /// What the report counts.
    pub kind: Kind,
    /// The tenant it is about.
    pub tenant_id: String,
    /// How deep it goes.
    pub level: Level,
    /// First and last day covered.
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// File formats; `None` leaves the choice to the server.
    pub formats: Option<Vec<ReportFormat>>,
    /// Hide metrics without usage.
    pub hide_zero_usage: Option<bool>,
    /// Show SKU fields.
    pub show_skus: Option<bool>,
    /// Once or monthly.
    pub schedule: ScheduleType,
    /// When a one-time report is generated.
    pub generation_date: Option<NaiveDate>,
    /// Save or send.
    pub result_action: ResultAction,
}

impl NewReport {
    /// Checks the rules the guide documents: recipients with `send` and only then, a period
    /// whose start is not after its end.
    pub fn validate(&self) -> Result<()> {
        match (self.result_action, self.recipients.is_empty()) {
            (ResultAction::Send, true) => {
                return Err(
                    Error::usage("--action send needs at least one --recipient UUID")
                        .with_hint("or use --action save and download the stored files"),
                )
            }
            (ResultAction::Save, false) => {
                return Err(Error::usage("--recipient is only used with --action send"))
            }
            _ => {}
        }
        if let Some((start, end)) = self.period {
            if start > end {
                return Err(Error::usage(format!(
                    "the period starts ({start}) after it ends ({end})"
                )));
            }
        }
        if let Some(formats) = &self.formats {
            if formats.is_empty() {
                return Err(Error::usage("--format needs at least one format"));
            }
        }
        Ok(())
    }

    /// The JSON body, in the seed's field order. `recipients` is always present (the
    /// vendor's OpenAPI requires it; empty with `save`, as the guide wants).
    pub fn to_json(&self) -> Value {
        let mut params = Map::new();
        params.insert("kind".into(), json!(self.kind.as_str()));
        params.insert("tenant_id".into(), json!(self.tenant_id));
        params.insert("level".into(), json!(self.level.as_str()));
        if let Some((start, end)) = self.period {
            params.insert(
                "period".into(),
                json!({"start": start.to_string(), "end": end.to_string()}),
            );
        }
        if let Some(formats) = &self.formats {
            params.insert(
                "formats".into(),
                json!(formats.iter().map(|f| f.as_str()).collect::<Vec<_>>()),
            );
        }
        if let Some(h) = self.hide_zero_usage {
            params.insert("hide_zero_usage".into(), json!(h));
        }
        if let Some(s) = self.show_skus {
            params.insert("show_skus".into(), json!(s));
        }
        let mut body = Map::new();
        body.insert("recipients".into(), json!(self.recipients));
        body.insert("parameters".into(), Value::Object(params));
        body.insert("schedule".into(), json!({"type": self.schedule.as_str()}));
        if let Some(d) = self.generation_date {
            body.insert("generation_date".into(), json!(d.to_string()));
        }
        body.insert("result_action".into(), json!(self.result_action.as_str()));
        Value::Object(body)
    }
}

/// A validated `PUT /reports/{id}` body: what a scheduled report lets change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportChanges {
    /// New recipients (`Some(vec![])` clears them).
    pub recipients: Option<Vec<String>>,
    /// New kind.
    pub kind: Option<Kind>,
    /// New level.
    pub level: Option<Level>,
    /// Hide metrics without usage.
    pub hide_zero_usage: Option<bool>,
    /// Show SKU fields.
    pub show_skus: Option<bool>,
    /// Enable or disable the schedule.
    pub enabled: Option<bool>,
}

impl ReportChanges {
    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        *self == ReportChanges::default()
    }

    /// The JSON body (`reportPut`): only the parts that change.
    pub fn to_json(&self) -> Value {
        let mut body = Map::new();
        if let Some(r) = &self.recipients {
            body.insert("recipients".into(), json!(r));
        }
        let mut params = Map::new();
        if let Some(k) = self.kind {
            params.insert("kind".into(), json!(k.as_str()));
        }
        if let Some(l) = self.level {
            params.insert("level".into(), json!(l.as_str()));
        }
        if let Some(h) = self.hide_zero_usage {
            params.insert("hide_zero_usage".into(), json!(h));
        }
        if let Some(s) = self.show_skus {
            params.insert("show_skus".into(), json!(s));
        }
        if !params.is_empty() {
            body.insert("parameters".into(), Value::Object(params));
        }
        if let Some(e) = self.enabled {
            body.insert("schedule".into(), json!({"enabled": e}));
        }
        Value::Object(body)
    }
}

/// True when an error answer is the documented "usage history is not ready" one (400 before
/// 06:00, 500 after): the vendor's words, whatever the code.
pub fn is_usage_history_not_ready(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("usage history") && m.contains("not ready")
}

/// The hint that goes with a "usage history is not ready" answer.
pub const NOT_READY_HINT: &str =
    "Acronis computes a day's usage history after midnight UTC and has it ready by 06:00: \
     retry after 06:00, or end the period on an earlier day";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{parse_date, parse_uuid};

    fn seed_report() -> NewReport {
        NewReport {
            recipients: vec![
                "ca451758-b48a-45d9-9ae6-8f1059f67619".into(),
                "ab00e527-219b-481b-b01b-311b5be0ed3c".into(),
            ],
            kind: Kind::UsageSummary,
            tenant_id: "ede9f834-70b3-476c-83d9-736f9f8c7dae".into(),
            level: Level::Accounts,
            period: Some((
                NaiveDate::from_ymd_opt(2017, 5, 1).unwrap(),
                NaiveDate::from_ymd_opt(2017, 5, 7).unwrap(),
            )),
            formats: Some(vec![ReportFormat::Csv, ReportFormat::Html]),
            hide_zero_usage: None,
            show_skus: None,
            schedule: ScheduleType::Once,
            generation_date: NaiveDate::from_ymd_opt(2017, 5, 8),
            result_action: ResultAction::Send,
        }
    }

    #[test]
    fn body_matches_the_seed_in_order() {
        let body = seed_report().to_json();
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"recipients":["ca451758-b48a-45d9-9ae6-8f1059f67619","ab00e527-219b-481b-b01b-311b5be0ed3c"],"parameters":{"kind":"usage_summary","tenant_id":"ede9f834-70b3-476c-83d9-736f9f8c7dae","level":"accounts","period":{"start":"2017-05-01","end":"2017-05-07"},"formats":["csv","html"]},"schedule":{"type":"once"},"generation_date":"2017-05-08","result_action":"send"}"#
        );
    }

    #[test]
    fn recipients_rules() {
        assert!(seed_report().validate().is_ok());
        let mut r = seed_report();
        r.recipients.clear();
        assert_eq!(r.validate().unwrap_err().exit_code(), 2);
        r.result_action = ResultAction::Save;
        assert!(r.validate().is_ok());
        assert_eq!(r.to_json()["recipients"], json!([]));
        let mut r = seed_report();
        r.result_action = ResultAction::Save;
        assert!(r.validate().is_err());
    }

    #[test]
    fn period_order() {
        let mut r = seed_report();
        r.period = Some((
            NaiveDate::from_ymd_opt(2017, 5, 8).unwrap(),
            NaiveDate::from_ymd_opt(2017, 5, 7).unwrap(),
        ));
        assert!(r
            .validate()
            .unwrap_err()
            .message()
            .contains("after it ends"));
    }

    #[test]
    fn uuids_and_dates() {
        assert_eq!(
            parse_uuid("--recipient", "CA451758-B48A-45D9-9AE6-8F1059F67619").unwrap(),
            "ca451758-b48a-45d9-9ae6-8f1059f67619"
        );
        for bad in [
            "",
            "ca451758",
            "ca451758-b48a-45d9-9ae6-8f1059f6761",
            "ca451758-b48a-45d9-9ae6-8f1059f6761g",
            "ca451758b48a45d99ae68f1059f67619",
        ] {
            assert_eq!(parse_uuid("x", bad).unwrap_err().exit_code(), 2, "{bad}");
        }
        assert!(parse_date("--from", "2017-05-01").is_ok());
        for bad in ["2017-5-1", "2017-02-30", "20170501", "yesterday"] {
            assert!(parse_date("--from", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn changes_only_send_what_changes() {
        let c = ReportChanges {
            enabled: Some(false),
            ..Default::default()
        };
        assert_eq!(c.to_json(), json!({"schedule": {"enabled": false}}));
        let c = ReportChanges {
            kind: Some(Kind::UsageCurrent),
            level: Some(Level::DirectPartners),
            recipients: Some(vec![]),
            ..Default::default()
        };
        assert_eq!(
            c.to_json(),
            json!({"recipients": [], "parameters": {"kind": "usage_current", "level": "direct_partners"}})
        );
        assert!(ReportChanges::default().is_empty());
    }

    #[test]
    fn tolerant_views() {
        let r = parse_report(json!({"id": "x", "version": "3", "parameters": {"formats": ["csv", 5], "period": "bad"}, "schedule": {"type": "once", "enabled": "yes"}})).unwrap();
        assert_eq!(r.version, Some(3));
        let p = r.parameters.as_ref().unwrap();
        assert_eq!(p.formats.as_deref(), Some(&["csv".to_owned()][..]));
        assert_eq!(p.period, None);
        // The schedule's odd `enabled` drops the whole schedule view, not the answer.
        assert_eq!(r.schedule, None);
        assert_eq!(r.raw()["schedule"]["enabled"], "yes");
    }

    #[test]
    fn not_ready_wording() {
        assert!(is_usage_history_not_ready(
            "Usage history is not ready and shouldn't be ready yet"
        ));
        assert!(!is_usage_history_not_ready("Report not found"));
    }
}

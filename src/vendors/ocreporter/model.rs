//! OC Reporter types and the documented rules of seed 000: how a record is addressed (id,
//! internal id, agreement number), how create/update bodies are keyed (`WsDevice[label]=...`),
//! the report payloads, the data-export categories, the cloud providers, and the shapes of the
//! answers licctl reads (lists with or without an envelope, the SPLA report's parts).

use crate::model::parse_date;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::model::{lenient, Faithful};
use crate::paginate::Page;
use crate::usage::Month;

/// How a `REF` argument addresses a record (DESIGN.md §1: `--by id|internal|agreement`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum By {
    /// The OC Reporter id (the default).
    #[default]
    Id,
    /// The internal id set in OC Reporter (`internal=1`).
    Internal,
    /// The agreement number, devices only (`agreement=1`).
    Agreement,
}

impl By {
    fn flag(self) -> &'static str {
        match self {
            By::Id => "id",
            By::Internal => "internal",
            By::Agreement => "agreement",
        }
    }
}

/// A record reference that passed the seed's rules for its resource: the path segment and the
/// `internal=1` / `agreement=1` query parameter that goes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    value: String,
    by: By,
}

impl Ref {
    /// Checks `value` addressed `by` against the ways `what` may be addressed (`allowed`).
    pub fn new(value: &str, by: By, allowed: &[By], what: &str) -> Result<Self> {
        if value.trim().is_empty() {
            return Err(Error::usage(format!(
                "the {what} reference must not be empty"
            )));
        }
        if !allowed.contains(&by) {
            let ways: Vec<&str> = allowed.iter().map(|b| b.flag()).collect();
            return Err(Error::usage(format!(
                "a {what} cannot be addressed by {}: OC Reporter allows --by {}",
                by.flag(),
                ways.join("|")
            )));
        }
        if by == By::Id && !is_id(value) {
            return Err(Error::usage(format!("{value:?} is not a {what} id (a positive integer)"))
                .with_hint("address it by internal id or agreement number with --by internal|agreement where allowed"));
        }
        Ok(Ref {
            value: value.trim().to_owned(),
            by,
        })
    }

    /// A plain id.
    pub fn id(value: &str, what: &str) -> Result<Self> {
        Self::new(value, By::Id, &[By::Id], what)
    }

    /// The path segment.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// `internal=1` or `agreement=1`, when the reference is not a plain id.
    pub fn query(&self) -> Option<(String, String)> {
        match self.by {
            By::Id => None,
            By::Internal => Some(("internal".into(), "1".into())),
            By::Agreement => Some(("agreement".into(), "1".into())),
        }
    }
}

/// Ways a device may be addressed (show, update, delete, softwares, contract licenses).
pub const DEVICE_BY: &[By] = &[By::Id, By::Internal, By::Agreement];
/// Ways a customer (and its price catalog) may be addressed.
pub const CUSTOMER_BY: &[By] = &[By::Id, By::Internal];

/// True for OC Reporter's numeric ids.
pub fn is_id(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && t.len() <= 18
        && t.bytes().all(|b| b.is_ascii_digit())
        && t.bytes().any(|b| b != b'0')
}

/// Checks a plain numeric id argument.
pub fn check_id(value: &str, what: &str) -> Result<String> {
    if is_id(value) {
        Ok(value.trim().to_owned())
    } else {
        Err(Error::usage(format!(
            "{value:?} is not a {what} id (a positive integer)"
        )))
    }
}

/// The answer format asked of the server (`_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ServerFormat {
    /// JSON (the server's default)
    #[default]
    Json,
    /// XML, parsed into the same values
    Xml,
}

impl ServerFormat {
    /// The `_format` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ServerFormat::Json => "json",
            ServerFormat::Xml => "xml",
        }
    }
}

/// One `--set FIELD=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetField {
    /// The attribute name (letters, digits, `_`, `.`, `-`).
    pub field: String,
    /// Its value (may be empty, as `WsContractLicense[end_date]=` in the seed).
    pub value: String,
}

impl SetField {
    /// Parses `FIELD=VALUE`.
    pub fn parse(s: &str) -> Result<Self> {
        let (field, value) = s
            .split_once('=')
            .ok_or_else(|| Error::usage(format!("--set {s:?} is not FIELD=VALUE")))?;
        let field = field.trim();
        if !valid_field(field) {
            return Err(Error::usage(format!(
                "--set {s:?}: the field name must be letters, digits, _, . or - (e.g. --set exclude_spla=no)"
            )));
        }
        Ok(SetField {
            field: field.to_owned(),
            value: value.to_owned(),
        })
    }
}

/// Checks an attribute / filter field name.
pub fn valid_field(field: &str) -> bool {
    !field.is_empty()
        && field.len() <= 64
        && field
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// The `exclude_spla` triple of the seed's update examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplaExclusion {
    /// `exclude_spla=yes`, the reason, and optionally a description.
    Exclude {
        /// `exclude_spla_reason` (`other`, `admin`, ...).
        reason: String,
        /// `exclude_spla_description`.
        description: Option<String>,
    },
    /// `exclude_spla=no`: back into the SPLA calculation.
    Include,
}

/// A create/update body: `<Key>[field]=value` pairs in order, form-urlencoded on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    key: &'static str,
    pairs: Vec<(String, String)>,
}

impl Form {
    /// An empty body under `key` (`WsDevice`, `WsCustomer`, `Pricecatalog`, ...).
    pub fn new(key: &'static str) -> Self {
        Form {
            key,
            pairs: Vec::new(),
        }
    }

    /// Adds `key[field]=value`; a later value for the same field replaces the earlier one.
    pub fn set(mut self, field: &str, value: impl ToString) -> Self {
        let name = format!("{}[{field}]", self.key);
        let value = value.to_string();
        match self.pairs.iter_mut().find(|(n, _)| *n == name) {
            Some(pair) => pair.1 = value,
            None => self.pairs.push((name, value)),
        }
        self
    }

    /// Adds the field when the value is given.
    pub fn opt<V: ToString>(self, field: &str, value: Option<V>) -> Self {
        match value {
            Some(v) => self.set(field, v),
            None => self,
        }
    }

    /// Adds every `--set` (after the typed flags, so a `--set` of the same field wins).
    pub fn sets(self, sets: &[SetField]) -> Self {
        sets.iter().fold(self, |f, s| f.set(&s.field, &s.value))
    }

    /// Adds the exclude_spla fields.
    pub fn exclusion(self, exclusion: Option<&SplaExclusion>) -> Self {
        match exclusion {
            None => self,
            Some(SplaExclusion::Include) => self.set("exclude_spla", "no"),
            Some(SplaExclusion::Exclude {
                reason,
                description,
            }) => self
                .set("exclude_spla", "yes")
                .set("exclude_spla_reason", reason)
                .opt("exclude_spla_description", description.as_ref()),
        }
    }

    /// True when no field was set.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The pairs as sent.
    pub fn into_pairs(self) -> Vec<(String, String)> {
        self.pairs
    }

    /// A usage error when nothing would be sent (an update without any field).
    pub fn require_fields(self, what: &str) -> Result<Self> {
        if self.is_empty() {
            Err(Error::usage(format!("nothing to update: give at least one field of the {what} (typed flags or --set FIELD=VALUE)")))
        } else {
            Ok(self)
        }
    }
}

/// Checks a `--from`/`--to` pair: valid dates, in order.
pub fn date_range(from: &str, to: &str) -> Result<(NaiveDate, NaiveDate)> {
    let (f, t) = (parse_date("--from", from)?, parse_date("--to", to)?);
    if f > t {
        return Err(Error::usage(format!("--from {f} is after --to {t}")));
    }
    Ok((f, t))
}

/// The observation period of an SPLA report (seed: one of three ways).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    /// The full month (`payload[month_id]=YYYYMM`, recommended).
    Month(Month),
    /// A date range (`payload[start_date]`, `payload[end_date]`).
    Range(NaiveDate, NaiveDate),
    /// No observation period (`payload[without_high_water_mark]=1`).
    WithoutHighWaterMark,
}

/// Which SPLA usage report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplaReport {
    /// `spla-usage-reseller`: the reseller's usage per part number.
    Reseller,
    /// `spla-usage-customer`: usage per customer for billing.
    Customer,
}

impl SplaReport {
    /// The action's last segment.
    pub fn action(self) -> &'static str {
        match self {
            SplaReport::Reseller => "spla-usage-reseller",
            SplaReport::Customer => "spla-usage-customer",
        }
    }
}

/// The payload of an SPLA usage report, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPayload {
    /// The observation period.
    pub observation: Observation,
    /// `payload[compare_months]`.
    pub compare: Vec<Month>,
    /// `payload[with_itemized]=1`.
    pub itemized: bool,
    /// `payload[flat_structure]=1`.
    pub flat: bool,
    /// `payload[existing]=1`.
    pub existing: bool,
    /// `payload[customer_ids]` (customer report only).
    pub customer_ids: Vec<String>,
}

impl ReportPayload {
    /// The query parameters, in the seed's order.
    pub fn params(&self) -> Vec<(String, String)> {
        let mut p = Vec::new();
        let mut put = |k: &str, v: String| p.push((format!("payload[{k}]"), v));
        match &self.observation {
            Observation::Month(m) => put("month_id", m.month_id()),
            Observation::Range(f, t) => {
                put("start_date", f.to_string());
                put("end_date", t.to_string());
            }
            Observation::WithoutHighWaterMark => put("without_high_water_mark", "1".into()),
        }
        if !self.compare.is_empty() {
            put(
                "compare_months",
                self.compare
                    .iter()
                    .map(Month::month_id)
                    .collect::<Vec<_>>()
                    .join(","),
            );
        }
        if self.itemized {
            put("with_itemized", "1".into());
        }
        if self.flat {
            put("flat_structure", "1".into());
        }
        if self.existing {
            put("existing", "1".into());
        }
        if !self.customer_ids.is_empty() {
            put("customer_ids", self.customer_ids.join(","));
        }
        p
    }
}

/// The part of an SPLA report printed as rows (`--section`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Section {
    /// summaryLicenses: one row per license product
    Summary,
    /// itemized: every license in detail (asks for payload[with_itemized]=1)
    Itemized,
    /// customers (customer report) or customersServersSoftware (reseller report)
    Customers,
    /// missingUnitPrices: part numbers and price categories without a purchase price
    MissingPrices,
    /// the whole answer as one object
    All,
}

impl Section {
    /// The key of the report holding the section (first match wins).
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Section::Summary => &["summaryLicenses"],
            Section::Itemized => &["itemized"],
            Section::Customers => &["customers", "customersServersSoftware"],
            Section::MissingPrices => &["missingUnitPrices"],
            Section::All => &[],
        }
    }

    /// The documented columns of the section's rows.
    pub fn columns(self, report: SplaReport) -> &'static [&'static str] {
        match (self, report) {
            (Section::Summary, _) => SUMMARY_COLUMNS,
            (Section::Itemized, _) => ITEMIZED_COLUMNS,
            (Section::Customers, SplaReport::Customer) => CUSTOMER_LINE_COLUMNS,
            (Section::Customers, SplaReport::Reseller) => SERVERS_SOFTWARE_COLUMNS,
            (Section::MissingPrices, _) => MISSING_PRICE_COLUMNS,
            (Section::All, _) => &[],
        }
    }
}

/// The rows of one report section: flat arrays as they are, nested groupings (an object of
/// objects, or rows holding an array of sub-rows such as a customer's `licenses`) unfolded
/// into one row per leaf, the parents' plain fields repeated on each.
pub fn section_rows(report: &Value, section: Section) -> Vec<Value> {
    let part = section.keys().iter().find_map(|k| report.get(*k));
    match part {
        Some(v) => rows_of(v),
        None => Vec::new(),
    }
}

/// Unfolds a report part into rows (see [`section_rows`]).
pub fn rows_of(v: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    match v {
        Value::Array(items) => {
            for item in items {
                explode(item, &Map::new(), &mut out);
            }
        }
        Value::Object(o)
            if !o.is_empty() && o.values().all(|x| x.is_object() || is_object_array(x)) =>
        {
            for x in o.values() {
                out.extend(rows_of(x));
            }
        }
        Value::Object(o) if !o.is_empty() => explode(v, &Map::new(), &mut out),
        _ => {}
    }
    out
}

fn is_object_array(v: &Value) -> bool {
    v.as_array()
        .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_object))
}

fn explode(item: &Value, inherited: &Map<String, Value>, out: &mut Vec<Value>) {
    let Some(obj) = item.as_object() else {
        if !item.is_null() {
            out.push(item.clone());
        }
        return;
    };
    let nested: Vec<(&String, &Value)> = obj.iter().filter(|(_, v)| is_object_array(v)).collect();
    if nested.len() != 1 {
        let mut row = inherited.clone();
        row.extend(obj.iter().map(|(k, v)| (k.clone(), v.clone())));
        out.push(Value::Object(row));
        return;
    }
    let (child_key, children) = nested[0];
    let mut base = inherited.clone();
    base.extend(
        obj.iter()
            .filter(|(k, _)| *k != child_key)
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    for child in children.as_array().into_iter().flatten() {
        explode(child, &base, out);
    }
}

/// One entry of `missingUnitPrices`: a license calculated without a purchase price.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct MissingPriceFields {
    /// The SPLA part number.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub part_number: Option<String>,
    /// The price category (`corporate`, `academic`, `charity`).
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub pricecategory: Option<String>,
    /// The product's name, where the server gives it.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub label: Option<String>,
}

/// A missing unit price as the server sent it.
pub type MissingPrice = Faithful<MissingPriceFields>;

impl MissingPriceFields {
    /// `228-05018 (corporate)`.
    pub fn describe(&self) -> String {
        let part = self.part_number.as_deref().unwrap_or("?");
        match self.pricecategory.as_deref() {
            Some(c) if !c.is_empty() => format!("{part} ({c})"),
            _ => part.to_owned(),
        }
    }
}

/// The report's missingUnitPrices, flat or grouped.
pub fn missing_prices(report: &Value) -> Vec<MissingPrice> {
    section_rows(report, Section::MissingPrices)
        .into_iter()
        .filter_map(|v| MissingPrice::from_value(v).ok())
        .collect()
}

/// The error or warning text naming every missing price.
pub fn missing_prices_message(missing: &[MissingPrice]) -> String {
    let list: Vec<String> = missing.iter().map(|m| m.describe()).collect();
    format!(
        "{} license(s) left out of the calculation for lack of a purchase price: {}",
        missing.len(),
        list.join(", ")
    )
}

/// The error `--require-prices` turns missing prices into (exit 9).
pub fn missing_prices_error(missing: &[MissingPrice]) -> Error {
    Error::new(ErrorKind::MissingPrices, missing_prices_message(missing))
        .with_hint("set the purchase prices with `licctl ocr pricecatalog update --part-number P --category C --price X`")
}

/// One row of a customer report's flat `customers` part: what one customer used of one
/// license product (the source of the monthly usage rows).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct CustomerLineFields {
    /// The customer's OC Reporter id.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub customer_id: Option<String>,
    /// The customer's name.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub customer_label: Option<String>,
    /// The SPLA part number.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub part_number: Option<String>,
    /// The product's name.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub label: Option<String>,
    /// The license unit: `SAL`, `core`, ...
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub license_type: Option<String>,
    /// Licenses used.
    #[serde(default, deserialize_with = "lenient::f64_opt")]
    pub quantity: Option<f64>,
    /// The amount billed, when priced.
    #[serde(default, deserialize_with = "lenient::f64_opt")]
    pub total_price: Option<f64>,
    /// The currency of the amount.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub currency: Option<String>,
}

/// A customer line as the server sent it.
pub type CustomerLine = Faithful<CustomerLineFields>;

/// The page of a list answer: a bare array, or an object holding the array (`items`, `data`,
/// `results`, `rows`, or its only array), with the total when the envelope says it (Yii's
/// `_meta.totalCount`, `total`, `totalCount`). An empty answer (`""`, `null`, `{}`, as an XML
/// `<response/>` gives) is an empty page.
pub fn parse_list_page(v: Value) -> Result<Page<Value>> {
    match v {
        Value::Array(items) => Ok(Page::open(items)),
        Value::Null => Ok(Page::open(Vec::new())),
        Value::String(s) if s.trim().is_empty() => Ok(Page::open(Vec::new())),
        Value::Object(mut o) => {
            let total = total_of(&o);
            let key = ["items", "data", "results", "rows", "list"]
                .iter()
                .find(|k| o.get(**k).is_some_and(|v| v.is_array() || is_blank(v)))
                .map(|k| (*k).to_owned())
                .or_else(|| {
                    let arrays: Vec<&String> = o
                        .iter()
                        .filter(|(_, v)| v.is_array())
                        .map(|(k, _)| k)
                        .collect();
                    (arrays.len() == 1).then(|| arrays[0].clone())
                });
            match key.and_then(|k| o.remove(&k)) {
                Some(Value::Array(items)) => Ok(Page { items, total }),
                Some(_) => Ok(Page {
                    items: Vec::new(),
                    total,
                }),
                None if o.is_empty() => Ok(Page::open(Vec::new())),
                None => Err(Error::new(
                    ErrorKind::Network,
                    "the list answer holds no array of items",
                )
                .with_hint("run with -vvv to see the answer")),
            }
        }
        _ => Err(Error::new(
            ErrorKind::Network,
            "the list answer is neither a list nor an object holding one",
        )),
    }
}

fn is_blank(v: &Value) -> bool {
    v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty())
}

fn total_of(o: &Map<String, Value>) -> Option<u64> {
    let num = |v: &Value| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok());
    o.get("_meta")
        .and_then(|m| m.get("totalCount"))
        .and_then(num)
        .or_else(|| o.get("totalCount").and_then(num))
        .or_else(|| o.get("total").and_then(num))
}

/// The data-export categories the seed lists, spelt as the server expects them.
pub const DATA_EXPORT_CATEGORIES: &[&str] = &[
    "WsDatanceter",
    "WsCluster",
    "WsDevice",
    "WsInstalledSoftware-server",
    "WsUser",
    "WsInstalledSoftware-user",
    "WsCustomer",
    "WsAssignedDevice",
    "WsCustomerGroup",
    "WsScanAlert",
    "WsScanner",
];

/// Resolves `--category`: one of the seed's categories (case-insensitive). The seed spells the
/// datacenter category `WsDatanceter`; licctl also accepts the correct spelling `WsDatacenter`
/// and sends the seed's spelling, which is what the documented server expects. Returns the
/// category to send and whether it was respelt.
pub fn data_export_category(s: &str) -> Result<(&'static str, bool)> {
    let t = s.trim();
    if let Some(c) = DATA_EXPORT_CATEGORIES
        .iter()
        .find(|c| c.eq_ignore_ascii_case(t))
    {
        return Ok((c, false));
    }
    if t.eq_ignore_ascii_case("WsDatacenter") {
        return Ok(("WsDatanceter", true));
    }
    Err(Error::usage(format!("{s:?} is not a data-export category"))
        .with_hint(format!("one of: {}", DATA_EXPORT_CATEGORIES.join(", "))))
}

/// The cloud providers of the Cloud VM Cost Adviser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CloudProvider {
    /// Microsoft Azure (10_ms_azure)
    Azure,
    /// Amazon Web Services (20_amazon_web_services_aws)
    Aws,
}

impl CloudProvider {
    /// The `payload[cloud_provider]` value.
    pub fn code(self) -> &'static str {
        match self {
            CloudProvider::Azure => "10_ms_azure",
            CloudProvider::Aws => "20_amazon_web_services_aws",
        }
    }
}

/// Price categories of the reseller's price catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PriceCategory {
    /// corporate
    Corporate,
    /// academic
    Academic,
    /// charity
    Charity,
}

impl PriceCategory {
    /// The `Pricecatalog[pricecategory]` value.
    pub fn as_str(self) -> &'static str {
        match self {
            PriceCategory::Corporate => "corporate",
            PriceCategory::Academic => "academic",
            PriceCategory::Charity => "charity",
        }
    }
}

/// A device's type (`WsDevice[type_id]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeviceType {
    /// A physical host
    Host,
    /// A virtual machine
    Vm,
}

impl DeviceType {
    /// The `type_id` value.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceType::Host => "host",
            DeviceType::Vm => "vm",
        }
    }
}

/// Columns of workspaces.
pub const WORKSPACE_COLUMNS: &[&str] = &["id", "label", "description", "is_default", "created_at"];
/// Columns of alerts.
pub const ALERT_COLUMNS: &[&str] = &["id", "category", "severity", "count", "message"];
/// Columns of data sources.
pub const DATA_SOURCE_COLUMNS: &[&str] = &[
    "id",
    "label",
    "type",
    "status",
    "last_import_at",
    "number_of_items",
];
/// Columns of the reseller's price catalog.
pub const RESELLER_PRICE_COLUMNS: &[&str] =
    &["part_number", "label", "pricecategory", "price", "currency"];
/// Columns of a customer's price catalog.
pub const CUSTOMER_PRICE_COLUMNS: &[&str] = &[
    "customer_id",
    "customer_label",
    "part_number",
    "label",
    "price",
    "number_sold",
    "number_lm",
    "currency",
];
/// Columns of a customer group's price catalog.
pub const GROUP_PRICE_COLUMNS: &[&str] = &[
    "customer_group_id",
    "customer_group_label",
    "part_number",
    "label",
    "price",
    "number_sold",
    "number_lm",
    "currency",
];
/// Columns of devices, hosts and VMs.
pub const DEVICE_COLUMNS: &[&str] = &[
    "id",
    "label",
    "type_id",
    "customer_label",
    "cluster_label",
    "host_label",
    "operating_system",
    "number_cpu",
    "number_core",
    "status",
];
/// Columns of performance data.
pub const PERFORMANCE_COLUMNS: &[&str] = &[
    "id",
    "device_id",
    "device_label",
    "observation_start",
    "observation_end",
    "cpu_usage_avg",
    "cpu_usage_max",
    "ram_usage_avg",
];
/// Columns of installed (server) software.
pub const INSTALLED_SOFTWARE_COLUMNS: &[&str] = &[
    "id",
    "device_id",
    "device_label",
    "label",
    "version",
    "software_license_part_number",
    "status",
    "exclude_spla",
];
/// Columns of user software.
pub const USER_SOFTWARE_COLUMNS: &[&str] = &[
    "id",
    "user_id",
    "username",
    "label",
    "software_license_part_number",
    "status",
    "exclude_spla",
];
/// Columns of clusters.
pub const CLUSTER_COLUMNS: &[&str] = &[
    "id",
    "label",
    "datacenter_label",
    "number_hosts",
    "exclude_spla",
];
/// Columns of datacenters.
pub const DATACENTER_COLUMNS: &[&str] = &["id", "label", "location", "number_clusters"];
/// Columns of scan alerts.
pub const SCAN_ALERT_COLUMNS: &[&str] = &[
    "id",
    "device_id",
    "device_label",
    "type",
    "severity",
    "message",
    "created_at",
    "status",
];
/// Columns of users.
pub const USER_COLUMNS: &[&str] = &[
    "id",
    "username",
    "display_name",
    "customer_label",
    "status",
    "exclude_spla",
];
/// Columns of customers.
pub const CUSTOMER_COLUMNS: &[&str] = &[
    "id",
    "label",
    "internal_id",
    "status",
    "customer_group_label",
    "pricecategory",
];
/// Columns of the license mobility expiry list.
pub const LM_EXPIRY_COLUMNS: &[&str] = &[
    "customer_id",
    "customer_label",
    "lm_agreement_number",
    "lm_start_date",
    "lm_end_date",
    "days_left",
    "expired",
];
/// Columns of contract licenses.
pub const CONTRACT_LICENSE_COLUMNS: &[&str] = &[
    "id",
    "device_id",
    "device_label",
    "customer_label",
    "software_license_part_number",
    "number_of_licenses",
    "start_date",
    "end_date",
];
/// Columns of activities.
pub const ACTIVITY_COLUMNS: &[&str] = &[
    "id",
    "created_at",
    "user",
    "action",
    "model",
    "model_id",
    "message",
];
/// Columns of an SPLA report's summaryLicenses.
pub const SUMMARY_COLUMNS: &[&str] = &[
    "part_number",
    "label",
    "license_type",
    "pricecategory",
    "quantity",
    "contract_licenses",
    "unit_price",
    "total_price",
    "currency",
];
/// Columns of an SPLA report's itemized part.
pub const ITEMIZED_COLUMNS: &[&str] = &[
    "customer_label",
    "device_label",
    "username",
    "software_label",
    "part_number",
    "license_type",
    "quantity",
];
/// Columns of a customer report's customers part.
pub const CUSTOMER_LINE_COLUMNS: &[&str] = &[
    "customer_id",
    "customer_label",
    "part_number",
    "label",
    "license_type",
    "quantity",
    "unit_price",
    "total_price",
    "currency",
];
/// Columns of a reseller report's customersServersSoftware part.
pub const SERVERS_SOFTWARE_COLUMNS: &[&str] = &[
    "customer_label",
    "device_label",
    "type_id",
    "number_core",
    "software_label",
    "part_number",
];
/// Columns of missingUnitPrices.
pub const MISSING_PRICE_COLUMNS: &[&str] = &["part_number", "pricecategory", "label"];
/// Columns of the Cloud VM Cost Adviser.
pub const CLOUD_COLUMNS: &[&str] = &[
    "customer_label",
    "device_label",
    "cloud_provider",
    "instance_type",
    "monthly_cost",
    "currency",
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refs_follow_the_seed() {
        let r = Ref::new("124-XYZ", By::Agreement, DEVICE_BY, "device").unwrap();
        assert_eq!(r.query(), Some(("agreement".into(), "1".into())));
        assert_eq!(
            Ref::new("Xyz", By::Internal, CUSTOMER_BY, "customer")
                .unwrap()
                .value(),
            "Xyz"
        );
        assert_eq!(
            Ref::new("X", By::Agreement, CUSTOMER_BY, "customer")
                .unwrap_err()
                .exit_code(),
            2
        );
        assert_eq!(
            Ref::new("abc", By::Id, DEVICE_BY, "device")
                .unwrap_err()
                .exit_code(),
            2
        );
        assert_eq!(Ref::id("12", "device").unwrap().query(), None);
        assert!(Ref::new(" ", By::Internal, DEVICE_BY, "device").is_err());
    }

    #[test]
    fn forms_are_keyed_and_sets_win() {
        let f = Form::new("WsDevice")
            .set("label", "Server 1")
            .opt("status", None::<&str>)
            .sets(&[
                SetField::parse("label=Server 2").unwrap(),
                SetField::parse("end_date=").unwrap(),
            ])
            .exclusion(Some(&SplaExclusion::Exclude {
                reason: "other".into(),
                description: Some("out".into()),
            }));
        assert_eq!(
            f.into_pairs(),
            vec![
                ("WsDevice[label]".to_owned(), "Server 2".to_owned()),
                ("WsDevice[end_date]".to_owned(), String::new()),
                ("WsDevice[exclude_spla]".to_owned(), "yes".to_owned()),
                (
                    "WsDevice[exclude_spla_reason]".to_owned(),
                    "other".to_owned()
                ),
                (
                    "WsDevice[exclude_spla_description]".to_owned(),
                    "out".to_owned()
                ),
            ]
        );
        assert!(SetField::parse("novalue").is_err());
        assert!(SetField::parse("a]b=1").is_err());
        assert!(Form::new("WsUser").require_fields("user").is_err());
    }

    #[test]
    fn dates_and_ranges() {
        assert!(parse_date("--from", "2026-02-28").is_ok());
        for bad in ["2026-02-30", "2026-2-1", "20260201", "", "2026-13-01"] {
            assert_eq!(
                parse_date("--from", bad).unwrap_err().exit_code(),
                2,
                "{bad}"
            );
        }
        assert!(date_range("2026-02-01", "2026-01-01").is_err());
    }

    #[test]
    fn report_payload_params() {
        let p = ReportPayload {
            observation: Observation::Month(Month::parse("2020-07").unwrap()),
            compare: vec![
                Month::parse("202006").unwrap(),
                Month::parse("2020-05").unwrap(),
            ],
            itemized: true,
            flat: true,
            existing: false,
            customer_ids: vec!["10".into(), "11".into()],
        };
        let got: Vec<(String, String)> = p.params();
        let want: Vec<(String, String)> = [
            ("payload[month_id]", "202007"),
            ("payload[compare_months]", "202006,202005"),
            ("payload[with_itemized]", "1"),
            ("payload[flat_structure]", "1"),
            ("payload[customer_ids]", "10,11"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn categories() {
        assert_eq!(
            data_export_category("WsDevice").unwrap(),
            ("WsDevice", false)
        );
        assert_eq!(
            data_export_category("wsdevice").unwrap(),
            ("WsDevice", false)
        );
        assert_eq!(
            data_export_category("WsDatanceter").unwrap(),
            ("WsDatanceter", false)
        );
        assert_eq!(
            data_export_category("WsDatacenter").unwrap(),
            ("WsDatanceter", true)
        );
        assert_eq!(data_export_category("WsNope").unwrap_err().exit_code(), 2);
    }

    #[test]
    fn list_pages_with_and_without_envelope() {
        assert_eq!(parse_list_page(json!([{"id": 1}])).unwrap().items.len(), 1);
        let p = parse_list_page(json!({"items": [{"id": 1}], "_meta": {"totalCount": 7}})).unwrap();
        assert_eq!((p.items.len(), p.total), (1, Some(7)));
        let p = parse_list_page(json!({"devices": [{"id": 1}, {"id": 2}], "count": 2})).unwrap();
        assert_eq!(p.items.len(), 2);
        assert!(parse_list_page(json!("")).unwrap().items.is_empty());
        assert!(parse_list_page(json!({"items": ""}))
            .unwrap()
            .items
            .is_empty());
        assert!(parse_list_page(json!({"a": 1})).is_err());
    }

    #[test]
    fn sections_unfold_nested_parts() {
        let report = json!({
            "summaryLicenses": {"corporate": {"A": {"part_number": "A", "quantity": 2}}, "academic": {"B": {"part_number": "B"}}},
            "customers": [{"customer_id": 1, "customer_label": "C", "licenses": [{"part_number": "A", "quantity": 2}, {"part_number": "B", "quantity": 1}]}],
            "missingUnitPrices": [{"part_number": "B", "pricecategory": "academic"}]
        });
        let s = section_rows(&report, Section::Summary);
        assert_eq!(
            s,
            vec![
                json!({"part_number": "A", "quantity": 2}),
                json!({"part_number": "B"})
            ]
        );
        let c = section_rows(&report, Section::Customers);
        assert_eq!(
            c[1],
            json!({"customer_id": 1, "customer_label": "C", "part_number": "B", "quantity": 1})
        );
        let m = missing_prices(&report);
        assert_eq!(m[0].describe(), "B (academic)");
        assert!(missing_prices_message(&m).contains("B (academic)"));
        assert_eq!(missing_prices_error(&m).exit_code(), 9);
    }
}

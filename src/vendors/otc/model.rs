//! OTC Enterprise Dashboard types (seed 001, DESIGN.md §6) and the documented input rules.
//!
//! The answers carry quirks that must not break anything (see `fixtures/otc/README.md`):
//! keys with trailing spaces (`"contract "`, `"consumption_date "` in the reserved example),
//! `billing_quantity` as a number (`24.0`) in one answer and as `"2 ST"` (number and unit) in
//! another. The typed views below read keys trimmed and quantities leniently; the raw JSON
//! (what `-o json` prints) stays exactly as the server sent it.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::model::{lenient, Faithful};
use crate::paginate::Page;

/// The smallest and largest `product` id the API accepts as a filter.
pub const PRODUCT_RANGE: std::ops::RangeInclusive<u8> = 1..=32;

/// The largest `limit` of `GET /v1/consumption`; licctl asks for this many when paging.
pub const MAX_LIMIT: u64 = 100;

/// A billing quantity as sent: a number (`24.0`), a numeric string, or a number followed by
/// a unit (`"2 ST"`, the reserved example).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Quantity {
    /// The numeric part, when there is one.
    pub value: Option<f64>,
    /// The unit written after the number (`ST`), when the server wrote one.
    pub unit: Option<String>,
}

impl Quantity {
    /// Reads any JSON value leniently: numbers, `"24.0"`, `"2 ST"`; anything else has no value.
    pub fn from_json(v: &Value) -> Quantity {
        match v {
            Value::Number(n) => Quantity {
                value: n.as_f64(),
                unit: None,
            },
            Value::String(s) => {
                let s = s.trim();
                let end = s
                    .char_indices()
                    .find(|(_, c)| {
                        !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
                    })
                    .map_or(s.len(), |(i, _)| i);
                // "1e" alone is not a number; shrink until it parses.
                let mut cut = end;
                let value = loop {
                    if cut == 0 {
                        break None;
                    }
                    if let Ok(n) = s[..cut].parse::<f64>() {
                        break Some(n);
                    }
                    cut -= 1;
                };
                let unit = s[cut..].trim();
                Quantity {
                    value,
                    unit: (!unit.is_empty()).then(|| unit.to_owned()),
                }
            }
            _ => Quantity::default(),
        }
    }
}

fn quantity_opt<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Quantity>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(match v {
        Value::Null => None,
        other => Some(Quantity::from_json(&other)),
    })
}

/// The fields of a consumption record licctl works with (v1 collections, v2 NDJSON lines and
/// the reserved-packages answer). Keys are read trimmed; the raw record keeps the rest.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(try_from = "Map<String, Value>")]
pub struct RecordFields {
    /// `Consumption`.
    pub kind: Option<String>,
    /// The contract number (the customer, for the monthly bundle).
    pub contract: Option<String>,
    /// The business partner.
    pub business_partner_id: Option<i64>,
    /// The reseller.
    pub reseller_id: Option<i64>,
    /// The unit of `billing_quantity` (`H`, `GB`, ...).
    pub quantity_unit: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS`.
    pub consumption_date: Option<String>,
    /// Price per unit.
    pub unit_price: Option<f64>,
    /// The amount at list price.
    pub listprice_amount: Option<f64>,
    /// The amount charged.
    pub amount: Option<f64>,
    /// The product code (`OTC_D24XL8_LI`).
    pub product: Option<String>,
    /// The product's name.
    pub product_description: Option<String>,
    /// The OpenStack project id.
    pub project_id: Option<String>,
    /// The project name (`eu-de`).
    pub project_name: Option<String>,
    /// The resource's unique id.
    pub resource_id: Option<String>,
    /// How much was consumed, in `quantity_unit`.
    pub billing_quantity: Option<Quantity>,
    /// `Usage for PLM Cloud with price`, ...
    pub consumption_type_description: Option<String>,
    /// v2: `EL` (elastic) or `RC` (reserved).
    pub consumption_type: Option<String>,
    /// `EU-DE`, ...
    pub region: Option<String>,
    /// Reserved packages: the customer's name.
    pub customer_name: Option<String>,
    /// Reserved packages: `upfront`, ...
    pub reserved_type: Option<String>,
    /// A currency, should a server ever send one (the seed's answers do not).
    pub currency: Option<String>,
}

/// Every documented field, typed leniently, read from keys as they are spelled.
#[derive(Deserialize)]
struct Lenient {
    #[serde(default, deserialize_with = "lenient::string_opt")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_opt")]
    contract: Option<String>,
    #[serde(default, deserialize_with = "lenient::i64_opt")]
    business_partner_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::i64_opt")]
    reseller_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string_opt")]
    quantity_unit: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_opt")]
    consumption_date: Option<String>,
    #[serde(default, deserialize_with = "lenient::f64_opt")]
    unit_price: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64_opt")]
    listprice_amount: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64_opt")]
    amount: Option<f64>,
    #[serde(default, deserialize_with = "lenient::string_opt")]
    product: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_opt")]
    product_description: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_opt")]
    project_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_opt")]
    project_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_opt")]
    resource_id: Option<String>,
    #[serde(default, deserialize_with = "quantity_opt")]
    billing_quantity: Option<Quantity>,
    #[serde(default, deserialize_with = "lenient::string_opt")]
    consumption_type_description: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_opt")]
    consumption_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_opt")]
    region: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_opt")]
    customer_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_opt")]
    reserved_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_opt")]
    currency: Option<String>,
}

impl TryFrom<Map<String, Value>> for RecordFields {
    type Error = serde_json::Error;

    fn try_from(map: Map<String, Value>) -> std::result::Result<Self, Self::Error> {
        let l: Lenient = serde_json::from_value(Value::Object(trimmed_keys(&map)))?;
        Ok(RecordFields {
            kind: l.kind,
            contract: l.contract,
            business_partner_id: l.business_partner_id,
            reseller_id: l.reseller_id,
            quantity_unit: l.quantity_unit,
            consumption_date: l.consumption_date,
            unit_price: l.unit_price,
            listprice_amount: l.listprice_amount,
            amount: l.amount,
            product: l.product,
            product_description: l.product_description,
            project_id: l.project_id,
            project_name: l.project_name,
            resource_id: l.resource_id,
            billing_quantity: l.billing_quantity,
            consumption_type_description: l.consumption_type_description,
            consumption_type: l.consumption_type,
            region: l.region,
            customer_name: l.customer_name,
            reserved_type: l.reserved_type,
            currency: l.currency,
        })
    }
}

/// The object with every key trimmed (`"contract "` → `"contract"`); when a trimmed key
/// clashes with one already spelled right, the first one in the answer wins.
pub fn trimmed_keys(map: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::with_capacity(map.len());
    for (k, v) in map {
        let key = k.trim();
        if !out.contains_key(key) {
            out.insert(key.to_owned(), v.clone());
        }
    }
    out
}

/// A consumption record (or reserved package) exactly as the server sent it.
pub type Record = Faithful<RecordFields>;

/// The documented fields of a consumption record: the columns of table/csv/tsv output.
pub const CONSUMPTION_COLUMNS: &[&str] = &[
    "contract",
    "business_partner_id",
    "reseller_id",
    "consumption_date",
    "product",
    "product_description",
    "project_name",
    "project_id",
    "resource_id",
    "region",
    "billing_quantity",
    "quantity_unit",
    "unit_price",
    "listprice_amount",
    "amount",
    "consumption_type_description",
];

/// v2 adds the consumption type (`EL`/`RC`).
pub const CONSUMPTION_V2_COLUMNS: &[&str] = &[
    "contract",
    "business_partner_id",
    "reseller_id",
    "consumption_date",
    "consumption_type",
    "product",
    "product_description",
    "project_name",
    "project_id",
    "resource_id",
    "region",
    "billing_quantity",
    "quantity_unit",
    "unit_price",
    "listprice_amount",
    "amount",
    "consumption_type_description",
];

/// The documented fields of a reserved package (keys trimmed for tabular output).
pub const RESERVED_COLUMNS: &[&str] = &[
    "contract",
    "customer_name",
    "time",
    "consumption_date",
    "regulator_id",
    "product",
    "product_description",
    "billing_quantity",
    "reserved_type",
    "amount",
    "region",
];

/// A Grafana API key's columns (`grafana keys list`).
pub const GRAFANA_KEY_COLUMNS: &[&str] = &["id", "name", "role"];

/// A Grafana organization's columns (`grafana orgs list`).
pub const GRAFANA_ORG_COLUMNS: &[&str] = &["orgId", "name", "role"];

/// Parses a v1 collection answer (`{"offset","total","limit","kind","contents":[...]}`); a
/// bare array is accepted too. `total` may be missing (day/week/month answers carry it, but
/// a server may not).
pub fn parse_collection(body: &[u8]) -> Result<Page<Record>> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        Error::new(
            ErrorKind::Network,
            format!("the consumption answer is not JSON: {e}"),
        )
        .with_hint("run with -vvv to see the answer")
    })?;
    collection_from_value(v)
}

/// [`parse_collection`] of an already parsed answer.
pub fn collection_from_value(v: Value) -> Result<Page<Record>> {
    let (contents, total) = match v {
        Value::Array(items) => (items, None),
        Value::Object(mut o) => {
            let total = o
                .get("total")
                .and_then(|t| t.as_u64().or_else(|| t.as_str()?.trim().parse().ok()));
            match o.remove("contents") {
                Some(Value::Array(items)) => (items, total),
                Some(Value::Null) | None if total == Some(0) => (Vec::new(), total),
                _ => {
                    return Err(Error::new(
                        ErrorKind::Network,
                        "the consumption answer has no \"contents\" array",
                    )
                    .with_hint("run with -vvv to see the answer"))
                }
            }
        }
        _ => {
            return Err(Error::new(
                ErrorKind::Network,
                "the consumption answer is neither a collection nor a list",
            ))
        }
    };
    let items = contents
        .into_iter()
        .map(record)
        .collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total })
}

/// One record from its JSON: objects only (every field is optional and lenient, so an
/// object never fails).
pub fn record(v: Value) -> Result<Record> {
    Record::from_value(v).map_err(|e| {
        Error::new(
            ErrorKind::Network,
            format!("a consumption record in the answer is malformed: {e}"),
        )
    })
}

/// The item of a list for tabular output: keys trimmed, so `--fields contract` finds the
/// reserved example's `"contract "`. JSON formats get the raw record instead.
pub fn tabular_view(raw: &Value) -> Value {
    match raw {
        Value::Object(m) if m.keys().any(|k| k.trim() != k) => Value::Object(trimmed_keys(m)),
        other => other.clone(),
    }
}

/// Which granularity of the v2 consumption stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Granularity {
    /// `/v2/daily/consumption/`
    #[default]
    Daily,
    /// `/v2/hourly/consumption/` (the only one that accepts `hour`)
    Hourly,
}

impl Granularity {
    /// The path of the stream.
    pub fn path(self) -> &'static str {
        match self {
            Granularity::Daily => "v2/daily/consumption/",
            Granularity::Hourly => "v2/hourly/consumption/",
        }
    }
}

/// v2's consumption types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConsumptionType {
    /// Elastic (pay as you go)
    #[value(name = "EL", alias = "el")]
    El,
    /// Reserved
    #[value(name = "RC", alias = "rc")]
    Rc,
}

impl ConsumptionType {
    /// The query value.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsumptionType::El => "EL",
            ConsumptionType::Rc => "RC",
        }
    }
}

/// The filters of `GET /v1/consumption` (seed 001), all optional, already validated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct V1Filter {
    /// `contract`
    pub contract: Option<u64>,
    /// `consumption_date`
    pub date: Option<NaiveDate>,
    /// `tagged`
    pub tagged: Option<bool>,
    /// `product` (1..=32)
    pub product: Option<u8>,
    /// `product_description`
    pub product_description: Option<String>,
    /// `project_name`
    pub project_name: Option<String>,
    /// `resource_id`
    pub resource_id: Option<String>,
    /// `tag_key`
    pub tag_key: Option<String>,
    /// `tag_value`
    pub tag_value: Option<String>,
}

impl V1Filter {
    /// The query parameters, in documented order.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        push(&mut q, "contract", self.contract);
        push(
            &mut q,
            "consumption_date",
            self.date.map(|d| d.format("%Y-%m-%d").to_string()),
        );
        push(&mut q, "tagged", self.tagged);
        push(&mut q, "product", self.product);
        push(
            &mut q,
            "product_description",
            self.product_description.as_ref(),
        );
        push(&mut q, "project_name", self.project_name.as_ref());
        push(&mut q, "resource_id", self.resource_id.as_ref());
        push(&mut q, "tag_key", self.tag_key.as_ref());
        push(&mut q, "tag_value", self.tag_value.as_ref());
        q
    }
}

/// The filters of the v2 consumption streams (DESIGN.md §6), already validated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct V2Filter {
    /// `consumption_type`
    pub consumption_type: Option<ConsumptionType>,
    /// `contract`
    pub contract: Option<u64>,
    /// `date`
    pub date: Option<NaiveDate>,
    /// `hour` (0..=23, hourly only)
    pub hour: Option<u8>,
    /// `month` (1..=12)
    pub month: Option<u8>,
    /// `week` (1..=53)
    pub week: Option<u8>,
    /// `year`
    pub year: Option<u16>,
    /// `product` (1..=32)
    pub product: Option<u8>,
    /// `product_description`
    pub product_description: Option<String>,
    /// `project_name`
    pub project_name: Option<String>,
    /// `resource_id`
    pub resource_id: Option<String>,
    /// `show_tag`
    pub show_tag: bool,
    /// `tag_key`
    pub tag_key: Option<String>,
    /// `tag_value`
    pub tag_value: Option<String>,
}

impl V2Filter {
    /// Checks the rules that span fields: `hour` only on the hourly stream.
    pub fn validate(&self, granularity: Granularity) -> Result<()> {
        if self.hour.is_some() && granularity != Granularity::Hourly {
            return Err(Error::usage("--hour only applies to --granularity hourly"));
        }
        Ok(())
    }

    /// The query parameters, in documented order.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        push(
            &mut q,
            "consumption_type",
            self.consumption_type.map(ConsumptionType::as_str),
        );
        push(&mut q, "contract", self.contract);
        push(
            &mut q,
            "date",
            self.date.map(|d| d.format("%Y-%m-%d").to_string()),
        );
        push(&mut q, "hour", self.hour);
        push(&mut q, "month", self.month);
        push(&mut q, "week", self.week);
        push(&mut q, "year", self.year);
        push(&mut q, "product", self.product);
        push(
            &mut q,
            "product_description",
            self.product_description.as_ref(),
        );
        push(&mut q, "project_name", self.project_name.as_ref());
        push(&mut q, "resource_id", self.resource_id.as_ref());
        if self.show_tag {
            q.push(("show_tag", "true".to_owned()));
        }
        push(&mut q, "tag_key", self.tag_key.as_ref());
        push(&mut q, "tag_value", self.tag_value.as_ref());
        q
    }
}

fn push<V: ToString>(q: &mut Vec<(&'static str, String)>, name: &'static str, v: Option<V>) {
    if let Some(v) = v {
        q.push((name, v.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_date;

    #[test]
    fn quantities_are_lenient() {
        let q = |v: Value| Quantity::from_json(&v);
        assert_eq!(
            q(serde_json::json!(24.0)),
            Quantity {
                value: Some(24.0),
                unit: None
            }
        );
        assert_eq!(
            q(serde_json::json!("2 ST")),
            Quantity {
                value: Some(2.0),
                unit: Some("ST".into())
            }
        );
        assert_eq!(
            q(serde_json::json!("1.5")),
            Quantity {
                value: Some(1.5),
                unit: None
            }
        );
        assert_eq!(
            q(serde_json::json!("3GB")),
            Quantity {
                value: Some(3.0),
                unit: Some("GB".into())
            }
        );
        assert_eq!(
            q(serde_json::json!("ST")),
            Quantity {
                value: None,
                unit: Some("ST".into())
            }
        );
        assert_eq!(q(serde_json::json!(true)), Quantity::default());
    }

    #[test]
    fn trailing_space_keys_are_read_and_kept() {
        let raw = serde_json::json!({"contract ": 1000038535, "consumption_date ": "2020-10-01 00:00:00", "billing_quantity": "2 ST", "amount": 375.44});
        let r = record(raw.clone()).unwrap();
        assert_eq!(r.contract.as_deref(), Some("1000038535"));
        assert_eq!(r.consumption_date.as_deref(), Some("2020-10-01 00:00:00"));
        assert_eq!(r.billing_quantity.as_ref().unwrap().value, Some(2.0));
        assert_eq!(r.raw(), &raw);
        assert_eq!(tabular_view(r.raw())["contract"], 1000038535);
    }

    #[test]
    fn odd_fields_never_fail_the_record() {
        let r = record(serde_json::json!({"amount": "n/a", "contract": null, "unit_price": [1]}))
            .unwrap();
        assert_eq!(r.amount, None);
        assert_eq!(r.contract, None);
    }

    #[test]
    fn filters_encode_in_documented_order() {
        let f = V1Filter {
            contract: Some(1000021234),
            date: Some(NaiveDate::from_ymd_opt(2020, 8, 1).unwrap()),
            tagged: Some(true),
            product: Some(3),
            tag_key: Some("env".into()),
            ..Default::default()
        };
        let q: Vec<String> = f
            .query()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(
            q,
            [
                "contract=1000021234",
                "consumption_date=2020-08-01",
                "tagged=true",
                "product=3",
                "tag_key=env"
            ]
        );
        let v2 = V2Filter {
            hour: Some(3),
            ..Default::default()
        };
        assert_eq!(v2.validate(Granularity::Daily).unwrap_err().exit_code(), 2);
        assert!(v2.validate(Granularity::Hourly).is_ok());
    }

    #[test]
    fn dates_are_checked() {
        assert!(parse_date("--date", "2020-08-01").is_ok());
        for bad in ["2020-8-1x", "2020/08/01", "2020-02-30", ""] {
            assert_eq!(
                parse_date("--date", bad).unwrap_err().exit_code(),
                2,
                "{bad}"
            );
        }
    }
}

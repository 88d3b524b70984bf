//! BigFix Inventory types and the documented rules of seed 003.

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::{lenient, Faithful};
use crate::paginate::Page;

/// The longest `code_name` / `display_name` BigFix accepts.
pub const MAX_NAME_LEN: usize = 254;

/// The fields of a license metric licctl works with; the raw answer keeps the rest.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct MetricFields {
    /// Negative for predefined metrics, positive for custom ones.
    #[serde(default, deserialize_with = "lenient::i64_opt")]
    pub id: Option<i64>,
    /// `CONCURRENT_USER`, `VU_VALUE_UNIT`, ...
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub code_name: Option<String>,
    /// The human name.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub display_name: Option<String>,
    /// 2 means custom; 0 and 1 are predefined (update and delete refused).
    #[serde(default, deserialize_with = "lenient::i64_opt")]
    pub source_type: Option<i64>,
    /// The metric's source id.
    #[serde(default, deserialize_with = "lenient::i64_opt")]
    pub source_id: Option<i64>,
}

/// A license metric as the server sent it.
pub type Metric = Faithful<MetricFields>;

/// The columns tables and csv show by default.
pub const METRIC_COLUMNS: &[&str] = &[
    "id",
    "code_name",
    "display_name",
    "source_type",
    "source_id",
];

/// Parses a metrics list answer: the documented `{"total": N, "rows": [...]}` envelope, or a
/// bare array (older servers).
pub fn parse_metric_page(body: &[u8]) -> Result<Page<Metric>> {
    parse_page(body, "metrics")
}

/// A metric code name that passed the documented rules: upper-case letters, digits and `_`,
/// no spaces, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeName(String);

impl CodeName {
    /// Checks `s` against the rules; the error says which one failed.
    pub fn parse(s: &str) -> Result<Self> {
        if s.is_empty() {
            return Err(Error::usage("--code-name must not be empty"));
        }
        if s.chars().count() > MAX_NAME_LEN {
            return Err(Error::usage(format!(
                "--code-name is {} characters long; BigFix allows at most {MAX_NAME_LEN}",
                s.chars().count()
            )));
        }
        if let Some(bad) = s
            .chars()
            .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_'))
        {
            let what = if bad == ' ' {
                "a space".to_owned()
            } else {
                format!("{bad:?}")
            };
            return Err(Error::usage(format!(
                "--code-name {s:?} contains {what}: only upper-case letters, digits and _ are allowed"
            ))
            .with_hint(format!("try --code-name {}", suggest_code_name(s))));
        }
        Ok(CodeName(s.to_owned()))
    }

    /// The validated name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn suggest_code_name(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// A display name that passed the documented rules: not empty, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// Checks `s` against the rules.
    pub fn parse(s: &str) -> Result<Self> {
        if s.trim().is_empty() {
            return Err(Error::usage("--display-name must not be empty"));
        }
        let n = s.chars().count();
        if n > MAX_NAME_LEN {
            return Err(Error::usage(format!(
                "--display-name is {n} characters long; BigFix allows at most {MAX_NAME_LEN}"
            )));
        }
        Ok(DisplayName(s.to_owned()))
    }

    /// The validated name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_name_rules() {
        assert!(CodeName::parse("METRIC_POST").is_ok());
        assert!(CodeName::parse("VU_2").is_ok());
        let e = CodeName::parse("metric_post").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.hints()[0].contains("METRIC_POST"));
        assert!(CodeName::parse("MY METRIC")
            .unwrap_err()
            .message()
            .contains("a space"));
        assert!(CodeName::parse(&"A".repeat(254)).is_ok());
        assert!(CodeName::parse(&"A".repeat(255)).is_err());
        assert!(CodeName::parse("").is_err());
    }

    #[test]
    fn display_name_rules() {
        assert!(DisplayName::parse("Updated value").is_ok());
        assert!(DisplayName::parse(&"A".repeat(254)).is_ok());
        assert!(DisplayName::parse(&"A".repeat(255)).is_err());
        assert!(DisplayName::parse("  ").is_err());
    }

    #[test]
    fn criteria_shape_is_checked() {
        assert!(Criteria::parse(r#"{"and":[["product_name","contains","Db2"]]}"#).is_ok());
        assert!(Criteria::parse(
            r#"{"or":[["metric_id","eq","TERABYTE"],{"and":[["product_id","gt",1]]}]}"#
        )
        .is_ok());
        for bad in ["nope", r#"{"xor":[]}"#, r#"{"and":[["a","b"]]}"#, "[]"] {
            assert_eq!(Criteria::parse(bad).unwrap_err().exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn envelope_and_bare_array() {
        let p =
            parse_metric_page(br#"{"total": 3, "rows": [{"id": -1, "code_name": "A", "x": 1}]}"#)
                .unwrap();
        assert_eq!(p.total, Some(3));
        assert_eq!(p.items[0].code_name.as_deref(), Some("A"));
        assert_eq!(p.items[0].raw()["x"], 1);
        let p = parse_metric_page(br#"[{"id": 5}]"#).unwrap();
        assert_eq!(p.total, None);
        assert_eq!(p.items[0].id, Some(5));
    }
}

/// The fields of a license-usage row licctl works with (`api/sam/v2/license_usage`); the
/// raw answer keeps every other column.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct LicenseUsageFields {
    /// Identifier of the software product.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub product_id: Option<String>,
    /// Name of the software product.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub product_name: Option<String>,
    /// Publisher of the product.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub product_publisher_name: Option<String>,
    /// The license metric's code name (`PROCESSOR_VALUE_UNIT`, ...).
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub metric_id: Option<String>,
    /// The license metric's name.
    #[serde(default, deserialize_with = "lenient::string_opt")]
    pub metric_name: Option<String>,
    /// The peak utilisation of the metric in the period.
    #[serde(default, deserialize_with = "lenient::f64_opt")]
    pub metric_quantity: Option<f64>,
}

/// A license-usage row as the server sent it.
pub type LicenseUsage = Faithful<LicenseUsageFields>;

/// The columns tables and csv show by default for license usage.
pub const LICENSE_USAGE_COLUMNS: &[&str] = &[
    "product_publisher_name",
    "product_name",
    "metric_id",
    "metric_quantity",
    "metric_peak_time",
];

/// Parses a `{"total","rows"}` answer (or a bare array) of any v2 collection.
pub fn parse_page<T: serde::de::DeserializeOwned>(
    body: &[u8],
    what: &str,
) -> Result<Page<Faithful<T>>> {
    let malformed = |e: String| {
        Error::new(
            crate::ErrorKind::Network,
            format!("the {what} answer is malformed: {e}"),
        )
    };
    let v: Value = serde_json::from_slice(body).map_err(|e| malformed(e.to_string()))?;
    let (rows, total) = match v {
        Value::Array(rows) => (rows, None),
        Value::Object(mut o) => {
            let total = o
                .get("total")
                .and_then(|t| t.as_u64().or_else(|| t.as_str()?.parse().ok()));
            match o.remove("rows") {
                Some(Value::Array(rows)) => (rows, total),
                _ => return Err(malformed("no \"rows\" array".into())),
            }
        }
        _ => return Err(malformed("neither a list nor an envelope".into())),
    };
    let items = rows
        .into_iter()
        .map(Faithful::from_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| malformed(e.to_string()))?;
    Ok(Page { items, total })
}

/// A validated `criteria` filter: `{"and"|"or": [["column", "operator", value], ...]}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Criteria(String);

impl Criteria {
    /// Checks that `s` is JSON of the documented shape, so that a typo fails before sending.
    pub fn parse(s: &str) -> Result<Self> {
        let v: Value = serde_json::from_str(s)
            .map_err(|e| Error::usage(format!("--criteria is not JSON: {e}")))?;
        fn ok(v: &Value) -> bool {
            match v {
                Value::Object(o) if o.len() == 1 => o.iter().all(|(k, list)| {
                    (k == "and" || k == "or")
                        && list.as_array().is_some_and(|items| items.iter().all(ok))
                }),
                Value::Array(parts) => {
                    parts.len() == 3 && parts[0].is_string() && parts[1].is_string()
                }
                _ => false,
            }
        }
        if !ok(&v) {
            return Err(Error::usage(
                "--criteria must look like {\"and\":[[\"column\",\"operator\",\"value\"]]} (or \"or\")",
            ));
        }
        Ok(Criteria(v.to_string()))
    }

    /// The compact JSON sent as `criteria`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

//! [`Faithful<T>`]: a typed view of a server object that serializes back exactly as the
//! server sent it.
//!
//! Vendor answers carry quirks (misspelt keys, keys with trailing spaces, a number here and
//! a string there, impossible dates) and fields the documentation never mentions. The typed
//! view `T` gives the client what it needs to work with (every field optional and lenient);
//! the raw JSON keeps every field, its order and its exact value for output and for the raw
//! files of the monthly bundle. Nothing the server sent is ever dropped.

use std::ops::Deref;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// A server object: typed view plus the exact JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Faithful<T> {
    typed: T,
    raw: Value,
}

impl<T: DeserializeOwned> Faithful<T> {
    /// Builds the typed view of `raw`.
    pub fn from_value(raw: Value) -> Result<Self, serde_json::Error> {
        let typed = T::deserialize(&raw)?;
        Ok(Faithful { typed, raw })
    }
}

impl<T> Faithful<T> {
    /// The JSON exactly as the server sent it.
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// Takes the JSON out.
    pub fn into_raw(self) -> Value {
        self.raw
    }
}

impl<T> Deref for Faithful<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.typed
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Faithful<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Value::deserialize(d)?;
        Faithful::from_value(raw).map_err(serde::de::Error::custom)
    }
}

impl<T> Serialize for Faithful<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(s)
    }
}

/// Lenient field deserializers for vendor quirks.
pub mod lenient {
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    /// A number sent as a number or as a numeric string (`24.0`, `"24.0"`); anything else
    /// (`"2 ST"`) becomes `None` in the typed view — the raw JSON still has it.
    pub fn f64_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    }

    /// An integer sent as a number or a numeric string.
    pub fn i64_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    }

    /// A string, or the JSON text of a number or boolean.
    pub fn string_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(s) => Some(s),
            Value::Null => None,
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            other => Some(other.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct View {
        #[serde(default, deserialize_with = "lenient::f64_opt")]
        qty: Option<f64>,
    }

    #[test]
    fn keeps_every_field_in_order() {
        let text = r#"{"zeta":1,"qty":"2 ST","contract ":5,"alpha":null}"#;
        let f: Faithful<View> = serde_json::from_str(text).unwrap();
        assert_eq!(f.qty, None);
        assert_eq!(serde_json::to_string(&f).unwrap(), text);
        let f: Faithful<View> = serde_json::from_str(r#"{"qty":"24.5"}"#).unwrap();
        assert_eq!(f.qty, Some(24.5));
    }
}

/// Parses a `YYYY-MM-DD` flag value, naming the flag in the usage error (DESIGN.md §5:
/// inputs are validated before any request). Strict: `2026-1-5` is refused too.
pub fn parse_date(flag: &str, value: &str) -> crate::Result<chrono::NaiveDate> {
    let t = value.trim();
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .filter(|_| t.len() == 10)
        .ok_or_else(|| {
            crate::Error::usage(format!(
                "{flag} {value:?} is not a date: expected YYYY-MM-DD, e.g. 2026-10-31"
            ))
        })
}

/// Parses a UUID given in the canonical hyphenated form, answering it in lower case, as the
/// vendors' APIs (Acronis tenants and reports, Veeam organizations) expect it.
pub fn parse_uuid(flag: &str, value: &str) -> crate::Result<String> {
    let t = value.trim();
    uuid::Uuid::try_parse(t)
        .ok()
        .filter(|_| t.len() == 36)
        .map(|u| u.hyphenated().to_string())
        .ok_or_else(|| {
            crate::Error::usage(format!(
                "{flag} {value:?} is not a UUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"
            ))
        })
}

#[cfg(test)]
mod date_tests {
    #[test]
    fn dates_are_strict() {
        assert_eq!(
            super::parse_date("--from", "2026-10-01")
                .unwrap()
                .to_string(),
            "2026-10-01"
        );
        for bad in [
            "2026-02-30",
            "2026-10",
            "01.10.2026",
            "",
            "2026-13-01",
            "2026-1-5",
        ] {
            assert_eq!(
                super::parse_date("--from", bad).unwrap_err().exit_code(),
                2,
                "{bad}"
            );
        }
    }
}

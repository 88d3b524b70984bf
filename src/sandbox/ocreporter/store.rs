//! The records of one emulated OC Reporter workspace and the generic machinery around them:
//! tables of JSON records, the attribute schemas that create/update bodies are checked
//! against, Yii-style errors, the `q` / `page` / `showPerPage` list parameters.

pub(super) use crate::sandbox::params::Params;
use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::{Map, Value};

/// One record, fields in the order the API answers with.
pub(super) type Record = Map<String, Value>;

/// Rows by id, ascending, and the id the next insert gets.
#[derive(Debug, Clone, Default)]
pub(super) struct Table {
    pub rows: BTreeMap<u64, Record>,
    next_id: u64,
}

impl Table {
    /// Inserts `record` under a fresh id (written as the first field) and returns the id.
    pub fn insert(&mut self, record: Record) -> u64 {
        let id = self.next_id.max(1);
        self.next_id = id + 1;
        let mut r = Record::new();
        r.insert("id".into(), Value::from(id));
        r.extend(record.into_iter().filter(|(k, _)| k != "id"));
        self.rows.insert(id, r);
        id
    }

    /// Lets the ids of a table start somewhere realistic rather than at 1.
    pub fn start_ids_at(&mut self, first: u64) {
        self.next_id = first;
    }

    pub fn get(&self, id: u64) -> Option<&Record> {
        self.rows.get(&id)
    }

    pub fn get_mut(&mut self, id: u64) -> Option<&mut Record> {
        self.rows.get_mut(&id)
    }

    pub fn remove(&mut self, id: u64) -> Option<Record> {
        self.rows.remove(&id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Record> {
        self.rows.values()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// The id of the first record whose `field` reads `value`.
    pub fn find_by(&self, field: &str, value: &str) -> Option<u64> {
        self.rows
            .iter()
            .find(|(_, r)| r.get(field).is_some_and(|v| text(v) == value))
            .map(|(id, _)| *id)
    }

    /// Removes every record matching `pred`, returning how many went.
    pub fn remove_where(&mut self, pred: impl Fn(&Record) -> bool) -> usize {
        let before = self.rows.len();
        self.rows.retain(|_, r| !pred(r));
        before - self.rows.len()
    }
}

/// A value as text: strings as they are, numbers and booleans in JSON, null as "".
pub(super) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A record's field as text ("" when absent).
pub(super) fn field(r: &Record, name: &str) -> String {
    r.get(name).map(text).unwrap_or_default()
}

/// A record's field as an integer.
pub(super) fn int(r: &Record, name: &str) -> Option<i64> {
    r.get(name)
        .and_then(|v| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok()))
}

/// A record's id.
pub(super) fn id_of(r: &Record) -> u64 {
    int(r, "id").unwrap_or_default().max(0) as u64
}

/// An error answer in Yii's REST shape: `{"name","message","code":0,"status"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// The body, Yii style.
    pub fn body(&self) -> Value {
        serde_json::json!({
            "name": self.status.canonical_reason().unwrap_or("Error"),
            "message": self.message,
            "code": 0,
            "status": self.status.as_u16(),
        })
    }
}

/// OC Reporter's readings of the shared query parameters.
impl Params {
    /// A non-empty value.
    pub(super) fn value(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// `name=1` (also `true`).
    pub(super) fn flag(&self, name: &str) -> bool {
        matches!(self.value(name), Some("1" | "true" | "yes"))
    }

    /// `payload[name]`.
    pub(super) fn payload(&self, name: &str) -> Option<&str> {
        self.value(&format!("payload[{name}]"))
    }

    /// Every `Prefix[field]=value` (e.g. `Activity[...]`).
    pub(super) fn keyed(&self, prefix: &str) -> Vec<(String, String)> {
        keyed(self.pairs(), prefix)
    }
}

/// Every `Prefix[field]=value` pair of `pairs`, as `(field, value)`.
pub(super) fn keyed(pairs: &[(String, String)], prefix: &str) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter_map(|(n, v)| {
            let inner = n
                .strip_prefix(prefix)?
                .strip_prefix('[')?
                .strip_suffix(']')?;
            (!inner.is_empty() && !inner.contains(['[', ']']))
                .then(|| (inner.to_owned(), v.clone()))
        })
        .collect()
}

/// The largest `showPerPage` the emulation serves.
pub(super) const MAX_PER_PAGE: usize = 1000;
/// `showPerPage` when none is given (Yii's default).
pub(super) const DEFAULT_PER_PAGE: usize = 20;

/// `page` (from 1) and `showPerPage`, checked.
pub(super) fn paging(params: &Params, default_size: usize) -> Result<(usize, usize), ApiError> {
    let number = |name: &str, default: usize, max: usize| -> Result<usize, ApiError> {
        match params.value(name) {
            None => Ok(default),
            Some(raw) => match raw.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(ApiError::bad_request(format!(
                    "Invalid value of {name}: \"{raw}\". It must be an integer between 1 and {max}."
                ))),
            },
        }
    };
    Ok((
        number("page", 1, usize::MAX)?,
        number("showPerPage", default_size, MAX_PER_PAGE)?,
    ))
}

/// `q`: case-insensitive substring of the object's name.
pub(super) fn matches_q(r: &Record, params: &Params, name_fields: &[&str]) -> bool {
    match params.value("q") {
        None => true,
        Some(q) => {
            let q = q.to_lowercase();
            name_fields
                .iter()
                .any(|f| field(r, f).to_lowercase().contains(&q))
        }
    }
}

/// What a writable attribute holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Str,
    Int,
    Float,
    Date,
    YesNo,
}

/// The body key and writable attributes of a create/update.
pub(super) struct Schema {
    pub key: &'static str,
    pub fields: &'static [(&'static str, Kind)],
    pub required: &'static [&'static str],
}

/// Reads `<key>[field]=value` pairs from a form body against `schema`: unknown attributes and
/// bad values are 422, as are missing required attributes on create.
pub(super) fn read_form(
    schema: &Schema,
    pairs: &[(String, String)],
    create: bool,
) -> Result<Record, ApiError> {
    let given = keyed(pairs, schema.key);
    if given.is_empty() {
        return Err(ApiError::invalid(format!(
            "The request body holds no {}[...] attribute (send application/x-www-form-urlencoded pairs such as {}[label]=...)",
            schema.key, schema.key
        )));
    }
    let mut out = Record::new();
    for (name, raw) in given {
        let Some((_, kind)) = schema.fields.iter().find(|(f, _)| *f == name) else {
            return Err(ApiError::invalid(format!(
                "Unknown attribute \"{name}\" of {}.",
                schema.key
            )));
        };
        out.insert(name.clone(), convert(&name, *kind, &raw)?);
    }
    if create {
        for req in schema.required {
            if out
                .get(*req)
                .is_none_or(|v| v.is_null() || text(v).trim().is_empty())
            {
                return Err(ApiError::invalid(format!(
                    "{} cannot be blank.",
                    human(req)
                )));
            }
        }
    }
    Ok(out)
}

fn convert(name: &str, kind: Kind, raw: &str) -> Result<Value, ApiError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(if kind == Kind::Str {
            Value::String(String::new())
        } else {
            Value::Null
        });
    }
    match kind {
        Kind::Str => Ok(Value::String(raw.to_owned())),
        Kind::Int => t
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| ApiError::invalid(format!("{} must be an integer.", human(name)))),
        Kind::Float => t
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| ApiError::invalid(format!("{} must be a number.", human(name)))),
        Kind::Date => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(|d| Value::String(d.to_string()))
            .map_err(|_| {
                ApiError::invalid(format!(
                    "The format of {} is invalid (YYYY-MM-DD).",
                    human(name)
                ))
            }),
        Kind::YesNo => match t.to_ascii_lowercase().as_str() {
            "yes" | "1" | "true" => Ok(Value::from("yes")),
            "no" | "0" | "false" => Ok(Value::from("no")),
            _ => Err(ApiError::invalid(format!(
                "{} must be either \"yes\" or \"no\".",
                human(name)
            ))),
        },
    }
}

/// `number_core` → `Number Core`, as Yii labels attributes in messages.
fn human(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Schema = Schema {
        key: "WsDevice",
        fields: &[
            ("label", Kind::Str),
            ("number_core", Kind::Int),
            ("exclude_spla", Kind::YesNo),
            ("end_date", Kind::Date),
        ],
        required: &["label"],
    };

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn forms_are_checked_against_the_schema() {
        let r = read_form(
            &S,
            &pairs(&[
                ("WsDevice[label]", "A"),
                ("WsDevice[number_core]", "4"),
                ("other", "x"),
            ]),
            true,
        )
        .unwrap();
        assert_eq!(
            Value::Object(r),
            serde_json::json!({"label": "A", "number_core": 4})
        );
        let e = read_form(&S, &pairs(&[("WsDevice[number_core]", "four")]), false).unwrap_err();
        assert_eq!(e.message, "Number Core must be an integer.");
        assert!(read_form(&S, &pairs(&[("WsDevice[nope]", "1")]), false).is_err());
        assert!(read_form(&S, &pairs(&[("WsDevice[number_core]", "1")]), true).is_err());
        assert!(read_form(&S, &pairs(&[("WsCluster[label]", "1")]), false).is_err());
        let r = read_form(
            &S,
            &pairs(&[
                ("WsDevice[exclude_spla]", "YES"),
                ("WsDevice[end_date]", ""),
            ]),
            false,
        )
        .unwrap();
        assert_eq!(
            Value::Object(r),
            serde_json::json!({"exclude_spla": "yes", "end_date": null})
        );
    }

    #[test]
    fn tables_number_rows() {
        let mut t = Table::default();
        t.start_ids_at(10);
        let a = t.insert(Record::new());
        let b = t.insert(Record::new());
        assert_eq!((a, b), (10, 11));
        assert_eq!(t.find_by("id", "11"), Some(11));
        assert_eq!(t.remove_where(|r| id_of(r) == 10), 1);
        assert_eq!(t.len(), 1);
    }
}

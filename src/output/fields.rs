//! Dotted paths into JSON items: flattening for tabular formats, lookups and projections for
//! `--fields`.
//!
//! `--fields a,b.c` names values by paths that split on `.`. Vendors are not always kind to
//! that scheme: OTC sends keys with a trailing space (`"contract "`), and nothing stops a
//! server from sending a key that itself contains a dot. So a path is resolved against an
//! object in this order, at every level:
//!
//! 1. a key equal to the whole remaining path (`"a.b"` as one key beats `a` → `b`);
//! 2. a key equal to the part before a `.`, then the rest of the path inside that value, trying
//!    each `.` from left to right;
//! 3. the same two steps again, comparing keys with surrounding whitespace trimmed, so
//!    `--fields contract` still finds the key `"contract "` that a table header cannot show.
//!
//! Arrays are values, never path segments: `tags` selects the whole array.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// The column name a non-object item (a bare string or number in a list) is shown under in
/// tabular formats.
pub(crate) const VALUE_COLUMN: &str = "value";

/// Flattens nested objects into `(dotted key, value)` pairs, in the server's key order.
///
/// Tabular formats need one flat row per item: `{"a":{"b":1},"c":[1,2]}` becomes
/// `[("a.b", 1), ("c", [1,2])]`. Arrays and empty objects are kept as values. A value that is
/// not an object flattens to the single pair `("value", v)`.
pub fn flatten(v: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    match v {
        Value::Object(map) => flatten_into(map, &mut String::new(), &mut |k, v| {
            out.push((k.to_owned(), v.clone()))
        }),
        other => out.push((VALUE_COLUMN.to_owned(), other.clone())),
    }
    out
}

/// The flattened keys of `v`, without duplicates, without cloning any value: the columns of a
/// table or CSV whose command documents none.
pub(crate) fn column_keys(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    match v {
        Value::Object(map) => flatten_into(map, &mut String::new(), &mut |k, _| {
            if !keys.iter().any(|seen| seen == k) {
                keys.push(k.to_owned());
            }
        }),
        _ => keys.push(VALUE_COLUMN.to_owned()),
    }
    keys
}

fn flatten_into(map: &Map<String, Value>, prefix: &mut String, emit: &mut dyn FnMut(&str, &Value)) {
    for (k, v) in map {
        let len = prefix.len();
        prefix.push_str(k);
        match v {
            Value::Object(inner) if !inner.is_empty() => {
                prefix.push('.');
                flatten_into(inner, prefix, emit);
            }
            _ => emit(prefix, v),
        }
        prefix.truncate(len);
    }
}

/// Looks up a dotted `path` in `v`, following the resolution order of the module docs
/// (exact key first, then splits on `.`, then whitespace-trimmed keys).
///
/// `None` when the path does not exist; a JSON `null` the server sent is `Some(Value::Null)`.
pub fn get_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    resolve(v, path, &mut Vec::new())
}

/// The value a tabular column shows for `item`: [`get_path`] for objects, and the item itself
/// under the `value` column for items that are not objects.
pub(crate) fn lookup<'a>(item: &'a Value, column: &str) -> Option<&'a Value> {
    match item {
        Value::Object(_) => get_path(item, column),
        other if column == VALUE_COLUMN => Some(other),
        _ => None,
    }
}

/// Resolves `path` and records the actual keys it went through in `keys`, so that a projection
/// can rebuild the same nesting (and keep a key such as `"a.b"` or `"contract "` verbatim).
fn resolve<'a>(v: &'a Value, path: &str, keys: &mut Vec<&'a str>) -> Option<&'a Value> {
    let Value::Object(map) = v else {
        return None;
    };
    if let Some((k, child)) = map.get_key_value(path) {
        keys.push(k);
        return Some(child);
    }
    for (i, _) in path.match_indices('.') {
        if let Some((k, child)) = map.get_key_value(&path[..i]) {
            keys.push(k);
            if let Some(found) = resolve(child, &path[i + 1..], keys) {
                return Some(found);
            }
            keys.pop();
        }
    }
    // Loose pass: keys compared with surrounding whitespace trimmed.
    let want = path.trim();
    if let Some((k, child)) = map.iter().find(|(k, _)| k.trim() == want) {
        keys.push(k);
        return Some(child);
    }
    for (i, _) in path.match_indices('.') {
        let head = path[..i].trim();
        for (k, child) in map.iter().filter(|(k, _)| k.trim() == head) {
            keys.push(k);
            if let Some(found) = resolve(child, &path[i + 1..], keys) {
                return Some(found);
            }
            keys.pop();
        }
    }
    None
}

/// Keeps only `fields` of `v`, for `--fields` with json, jsonl and xml.
///
/// The result keeps the nesting of the source (`a.b` → `{"a":{"b":..}}`, using the keys the
/// path actually matched, so `"a.b"` as one key stays one key), lists top-level keys in the
/// order of `fields`, and gives a path that does not exist the value `null` (nested along its
/// `.`-separated segments). When two fields collide (`a,a.b`), the later one writes into the
/// earlier one where it can; a scalar already in place wins over a deeper path.
pub fn project(v: &Value, fields: &[String]) -> Value {
    let mut out = Map::new();
    for field in fields {
        let mut keys = Vec::new();
        match resolve(v, field, &mut keys) {
            Some(found) => insert_path(&mut out, &keys, found.clone()),
            None => {
                let segments: Vec<&str> = field.split('.').collect();
                insert_path(&mut out, &segments, Value::Null)
            }
        }
    }
    Value::Object(out)
}

fn insert_path(map: &mut Map<String, Value>, segments: &[&str], value: Value) {
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    let mut cur = map;
    for segment in parents {
        let entry = cur
            .entry(*segment)
            .or_insert_with(|| Value::Object(Map::new()));
        match entry {
            Value::Object(inner) => cur = inner,
            _ => return,
        }
    }
    cur.insert((*last).to_owned(), value);
}

/// Renders one value as a table/CSV/TSV cell: `null` → empty, strings as they are, numbers
/// and booleans as JSON text, arrays and objects as compact JSON.
pub fn cell(v: &Value) -> String {
    cell_cow(v).into_owned()
}

/// [`cell`] without allocating for strings, null and booleans (the hot path of csv output).
pub(crate) fn cell_cow(v: &Value) -> Cow<'_, str> {
    match v {
        Value::Null => Cow::Borrowed(""),
        Value::String(s) => Cow::Borrowed(s),
        Value::Bool(true) => Cow::Borrowed("true"),
        Value::Bool(false) => Cow::Borrowed("false"),
        Value::Number(n) => Cow::Owned(n.to_string()),
        other => Cow::Owned(other.to_string()),
    }
}

/// [`cell_cow`] of an optional lookup: a missing path is an empty cell.
pub(crate) fn cell_of(v: Option<&Value>) -> Cow<'_, str> {
    v.map_or(Cow::Borrowed(""), cell_cow)
}

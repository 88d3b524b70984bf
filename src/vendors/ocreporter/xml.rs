//! OC Reporter's XML answers (`_format=xml`) turned into the same JSON values as its JSON
//! answers, so that every command and every output format works with either.
//!
//! The seed only says that `_format=xml` exists, so the mapping is generic over element trees
//! (documented in `fixtures/ocreporter/README.md`):
//! - the root element (`<response>`) is the answer; its name does not matter;
//! - an element with child elements is an **array** when every child is named `item`, and an
//!   **object** otherwise, keyed by the child names (an `<item key="k">` or `<field name="k">`
//!   child takes its key from the attribute, for keys that are not XML names); a key that
//!   repeats gathers its values into an array;
//! - an element without child elements is a **string** (its text, entities and CDATA
//!   resolved; an empty element is `""`);
//! - a `type` attribute overrides the guess, as Rails-style XML does: `integer`, `double`,
//!   `float`, `number`, `decimal` → number, `boolean` → `true`/`false`, `null` → null,
//!   `array` → array of the children, `object` → object, `string` → text; `nil="true"` is
//!   null too. An unparsable typed value stays a string rather than failing the answer.

use std::collections::HashSet;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde_json::{Map, Number, Value};

use crate::error::{Error, ErrorKind, Result};

/// One element while the document is read.
#[derive(Debug, Default)]
struct Node {
    name: String,
    key_attr: Option<String>,
    type_attr: Option<String>,
    nil: bool,
    text: String,
    children: Vec<Node>,
}

/// Parses an XML answer into JSON (see the module documentation for the mapping).
pub fn to_json(body: &[u8]) -> Result<Value> {
    let mut reader = Reader::from_reader(body);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| malformed(&e.to_string()))?;
        match event {
            Event::Start(start) => stack.push(node(&start)?),
            Event::Empty(start) => {
                let n = node(&start)?;
                close(n, &mut stack, &mut root)?;
            }
            Event::End(_) => {
                let n = stack
                    .pop()
                    .ok_or_else(|| malformed("an end tag without a start"))?;
                close(n, &mut stack, &mut root)?;
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let text = t.xml_content().map_err(|e| malformed(&e.to_string()))?;
                    top.text.push_str(&text);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let name = r.decode().map_err(|e| malformed(&e.to_string()))?;
                    match r
                        .resolve_char_ref()
                        .map_err(|e| malformed(&e.to_string()))?
                    {
                        Some(c) => top.text.push(c),
                        None => match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => top.text.push_str(s),
                            None => return Err(malformed(&format!("unknown entity &{name};"))),
                        },
                    }
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err(malformed("the document ends inside an element"));
    }
    let root = root.ok_or_else(|| malformed("the answer holds no element"))?;
    Ok(value(root))
}

fn malformed(what: &str) -> Error {
    Error::new(
        ErrorKind::Network,
        format!("the server's XML answer is malformed: {what}"),
    )
    .with_hint("run with -vvv to see the answer, or use --server-format json")
}

fn node(start: &BytesStart<'_>) -> Result<Node> {
    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let mut n = Node {
        name,
        ..Node::default()
    };
    for attr in start.attributes() {
        let attr = attr.map_err(|e| malformed(&e.to_string()))?;
        let value = attr
            .unescape_value()
            .map_err(|e| malformed(&e.to_string()))?
            .into_owned();
        match attr.key.local_name().as_ref() {
            b"type" => n.type_attr = Some(value),
            b"nil" => n.nil = value == "true",
            b"key" | b"name" => n.key_attr = Some(value),
            _ => {}
        }
    }
    Ok(n)
}

fn close(n: Node, stack: &mut [Node], root: &mut Option<Node>) -> Result<()> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(n),
        None if root.is_none() => *root = Some(n),
        None => return Err(malformed("more than one root element")),
    }
    Ok(())
}

fn value(n: Node) -> Value {
    if n.nil {
        return Value::Null;
    }
    match n
        .type_attr
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("null") => Value::Null,
        Some("array") => Value::Array(n.children.into_iter().map(value).collect()),
        Some("object") => object(n.children),
        Some("integer" | "int" | "double" | "float" | "number" | "decimal") => number(&n.text),
        Some("boolean" | "bool") => match n.text.trim() {
            "true" | "1" => Value::Bool(true),
            "false" | "0" => Value::Bool(false),
            _ => Value::String(n.text),
        },
        Some("string") => Value::String(n.text),
        _ if n.children.is_empty() => Value::String(n.text),
        _ if n
            .children
            .iter()
            .all(|c| c.name == "item" && c.key_attr.is_none()) =>
        {
            Value::Array(n.children.into_iter().map(value).collect())
        }
        _ => object(n.children),
    }
}

fn number(text: &str) -> Value {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Value::Number(i.into());
    }
    match t.parse::<f64>().ok().and_then(Number::from_f64) {
        Some(n) => Value::Number(n),
        None => Value::String(text.to_owned()),
    }
}

fn object(children: Vec<Node>) -> Value {
    let mut map = Map::new();
    let mut gathered: HashSet<String> = HashSet::new();
    for c in children {
        let key = match &c.key_attr {
            Some(k) if c.name == "item" || c.name == "field" => k.clone(),
            _ => c.name.clone(),
        };
        let v = value(c);
        match map.get_mut(&key) {
            None => {
                map.insert(key, v);
            }
            Some(Value::Array(items)) if gathered.contains(&key) => items.push(v),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, v]);
                gathered.insert(key);
            }
        }
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_objects_and_types() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<response>
  <item>
    <id type="integer">7</id>
    <label>Server &amp; Co &#x41;</label>
    <price type="double">3.10</price>
    <exclude_spla type="boolean">false</exclude_spla>
    <customer_id type="null"/>
    <host_id nil="true"></host_id>
    <internal_id>0042</internal_id>
    <tags type="array"><item>a</item></tags>
    <empty type="array"/>
    <note><![CDATA[<raw>]]></note>
    <blank/>
    <field name="payload[x]">1</field>
  </item>
  <item><id type="integer">8</id></item>
</response>"#;
        let v = to_json(xml).unwrap();
        assert_eq!(
            v,
            json!([
                {"id": 7, "label": "Server & Co A", "price": 3.1, "exclude_spla": false, "customer_id": null,
                 "host_id": null, "internal_id": "0042", "tags": ["a"], "empty": [], "note": "<raw>", "blank": "",
                 "payload[x]": "1"},
                {"id": 8}
            ])
        );
    }

    #[test]
    fn objects_holding_arrays_and_repeated_keys() {
        let v = to_json(b"<response><month_id>202601</month_id><summaryLicenses><item><part_number>A</part_number></item></summaryLicenses><x>1</x><x>2</x><x>3</x></response>").unwrap();
        assert_eq!(v["month_id"], "202601");
        assert_eq!(v["summaryLicenses"], json!([{"part_number": "A"}]));
        assert_eq!(v["x"], json!(["1", "2", "3"]));
    }

    #[test]
    fn malformed_xml_is_an_error() {
        assert!(to_json(b"<response><a></response>").is_err());
        assert!(to_json(b"").is_err());
        assert!(to_json(b"<a/><b/>").is_err());
    }
}

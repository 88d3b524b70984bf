//! The emulation's `_format=xml` answers: the shape of Yii's XmlResponseFormatter
//! (`<response>` root, `<item>` for list entries, keys as element names) plus Rails-style
//! `type` attributes on everything that is not a string, so that a client can rebuild the
//! exact JSON values. Documented in `fixtures/ocreporter/README.md`.

use serde_json::Value;

/// The whole document for `v`.
pub(super) fn document(v: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    element(&mut out, "response", None, v);
    out.push('\n');
    out
}

fn element(out: &mut String, name: &str, key: Option<&str>, v: &Value) {
    out.push('<');
    out.push_str(name);
    if let Some(k) = key {
        out.push_str(" key=\"");
        out.push_str(&escape(k));
        out.push('"');
    }
    let kind = match v {
        Value::Null => Some("null"),
        Value::Bool(_) => Some("boolean"),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
        Value::Number(_) => Some("double"),
        Value::String(_) => None,
        Value::Array(_) => Some("array"),
        Value::Object(o) if o.is_empty() => Some("object"),
        Value::Object(_) => None,
    };
    if let Some(k) = kind {
        out.push_str(" type=\"");
        out.push_str(k);
        out.push('"');
    }
    match v {
        Value::Null => {
            out.push_str("/>");
            return;
        }
        Value::Array(a) if a.is_empty() => {
            out.push_str("/>");
            return;
        }
        Value::Object(o) if o.is_empty() => {
            out.push_str("/>");
            return;
        }
        _ => out.push('>'),
    }
    match v {
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&escape(s)),
        Value::Array(a) => {
            for item in a {
                element(out, "item", None, item);
            }
        }
        Value::Object(o) => {
            for (k, item) in o {
                if is_name(k) && k != "item" {
                    element(out, k, None, item);
                } else {
                    element(out, "item", Some(k), item);
                }
            }
        }
        Value::Null => {}
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn is_name(k: &str) -> bool {
    let mut chars = k.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !k.to_ascii_lowercase().starts_with("xml")
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let v = serde_json::json!([{"id": 1, "label": "A & B", "price": 3.1, "x": null, "ok": true, "tags": [], "payload[x]": "1"}]);
        assert_eq!(
            document(&v),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response type=\"array\"><item><id type=\"integer\">1</id><label>A &amp; B</label><price type=\"double\">3.1</price><x type=\"null\"/><ok type=\"boolean\">true</ok><tags type=\"array\"/><item key=\"payload[x]\">1</item></item></response>\n"
        );
    }
}

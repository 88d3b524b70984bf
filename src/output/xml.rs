//! The JSON → XML mapping of `-o xml`, written event by event with `quick_xml::Writer` so that a
//! list of any length streams in constant memory.
//!
//! Mapping: an object becomes nested elements named after its keys; an array repeats its
//! element once per value (an array nested directly in an array becomes one element holding
//! `<item>` children, so the inner grouping survives); `null`, `""`, `{}` and `[]` become empty
//! elements; numbers and booleans are their JSON text. A key that is not a
//! valid XML name (spaces, a leading digit, `$`, `[`, `:`, the empty key, ...) becomes
//! `<field name="original key">`. Characters XML 1.0 cannot carry at all (most C0 controls)
//! are replaced by U+FFFD; a carriage return is written as `&#13;` so parsers do not fold it.

use std::borrow::Cow;
use std::io::{self, Write};

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use serde_json::Value;

use super::fields::cell_cow;

/// The element a list's items are wrapped in, and the name of a single object's root.
pub(crate) const ITEM: &str = "item";
/// The root element of a list.
pub(crate) const ITEMS: &str = "items";

/// Writes `<?xml version="1.0" encoding="UTF-8"?>`.
pub(crate) fn write_decl<W: Write>(w: &mut Writer<W>) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
}

/// Opens the element `name` (sanitised).
pub(crate) fn write_start<W: Write>(w: &mut Writer<W>, name: &str) -> io::Result<()> {
    w.write_event(Event::Start(start_tag(name)))
}

/// Closes the element `name` (sanitised the same way as [`write_start`]).
pub(crate) fn write_end<W: Write>(w: &mut Writer<W>, name: &str) -> io::Result<()> {
    w.write_event(Event::End(end_tag(name)))
}

/// Writes `<name/>`.
pub(crate) fn write_empty<W: Write>(w: &mut Writer<W>, name: &str) -> io::Result<()> {
    w.write_event(Event::Empty(start_tag(name)))
}

/// Writes the value `v` under the key `name`: an array repeats the element once per value (an
/// empty array is one empty element, so the key stays visible).
pub(crate) fn write_value<W: Write>(w: &mut Writer<W>, name: &str, v: &Value) -> io::Result<()> {
    match v {
        Value::Array(values) if !values.is_empty() => {
            values.iter().try_for_each(|x| write_element(w, name, x))
        }
        other => write_element(w, name, other),
    }
}

/// Writes exactly one element `name` holding `v`.
pub(crate) fn write_element<W: Write>(w: &mut Writer<W>, name: &str, v: &Value) -> io::Result<()> {
    match v {
        Value::Null => write_empty(w, name),
        Value::String(s) if s.is_empty() => write_empty(w, name),
        Value::Object(map) if map.is_empty() => write_empty(w, name),
        Value::Array(values) if values.is_empty() => write_empty(w, name),
        Value::Object(map) => {
            write_start(w, name)?;
            for (k, child) in map {
                write_value(w, k, child)?;
            }
            write_end(w, name)
        }
        Value::Array(values) => {
            write_start(w, name)?;
            for child in values {
                write_element(w, ITEM, child)?;
            }
            write_end(w, name)
        }
        scalar => {
            write_start(w, name)?;
            let text = escape(&cell_cow(scalar), false).into_owned();
            w.write_event(Event::Text(BytesText::from_escaped(text)))?;
            write_end(w, name)
        }
    }
}

fn start_tag(name: &str) -> BytesStart<'_> {
    if is_xml_name(name) {
        BytesStart::new(name)
    } else {
        let mut tag = BytesStart::new("field");
        tag.push_attribute((&b"name"[..], escape(name, true).as_bytes()));
        tag
    }
}

fn end_tag(name: &str) -> BytesEnd<'_> {
    if is_xml_name(name) {
        BytesEnd::new(name)
    } else {
        BytesEnd::new("field")
    }
}

/// Whether `name` can be an element name as it is: XML 1.0's `Name` production without `:`
/// (a colon would make it a namespace prefix).
pub(crate) fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if is_name_start(c) => chars.all(is_name_char),
        _ => false,
    }
}

fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c,
            '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Whether XML 1.0 can carry `c` at all (the `Char` production).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes text content (`attr == false`) or a double-quoted attribute value (`attr == true`).
pub(crate) fn escape(s: &str, attr: bool) -> Cow<'_, str> {
    let special =
        |c: char| matches!(c, '&' | '<' | '>' | '\r') || (attr && matches!(c, '"' | '\t' | '\n'));
    if !s.chars().any(|c| special(c) || !is_xml_char(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '"' if attr => out.push_str("&quot;"),
            '\t' if attr => out.push_str("&#9;"),
            '\n' if attr => out.push_str("&#10;"),
            c if !is_xml_char(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

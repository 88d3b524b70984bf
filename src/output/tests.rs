//! Exact output of every format, `--fields`, atomic `--out`, broken pipes and streaming.

use super::*;
use crate::error::ErrorKind;
use futures::channel::mpsc;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

/// An in-memory writer the test keeps a handle on while the sink owns the other.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// A reader that has gone away: `licctl ... | head`.
struct ClosedPipe;

impl Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
}

fn render(
    format: Format,
    opts: &OutputOptions,
    shape: Shape,
    columns: &[&str],
    items: &[Value],
) -> String {
    let buf = Shared::default();
    let mut sink = Sink::to_writer(Box::new(buf.clone()), format, opts, shape, columns);
    for item in items {
        sink.write_item(item).unwrap();
    }
    sink.finish().unwrap();
    buf.text()
}

fn list_as(format: Format, opts: &OutputOptions) -> String {
    render(format, opts, Shape::List, &[], &list())
}

fn one_as(format: Format, opts: &OutputOptions) -> String {
    render(format, opts, Shape::One, &[], &[one()])
}

fn list() -> Vec<Value> {
    vec![
        json!({"id": 1, "name": "Alpha", "plan": {"code": "SQL", "seats": 4}, "tags": ["a", "b"]}),
        json!({"id": 2, "name": "Beta, \"Inc\"", "plan": {"code": "WIN", "seats": null}, "tags": []}),
    ]
}

fn one() -> Value {
    json!({"id": 7, "name": "Gamma", "plan": {"code": "X"}, "active": true})
}

fn defaults() -> OutputOptions {
    OutputOptions::default()
}

fn with_fields(fields: &[&str]) -> OutputOptions {
    OutputOptions {
        fields: Some(fields.iter().map(|f| (*f).to_owned()).collect()),
        ..Default::default()
    }
}

fn no_headers() -> OutputOptions {
    OutputOptions {
        no_headers: true,
        ..Default::default()
    }
}

const ALL: [Format; 6] = [
    Format::Table,
    Format::Json,
    Format::Jsonl,
    Format::Csv,
    Format::Tsv,
    Format::Xml,
];

// ---------------------------------------------------------------- json

#[test]
fn json_list_is_one_array_of_whole_items() {
    let expected = r#"[
  {
    "id": 1,
    "name": "Alpha",
    "plan": {
      "code": "SQL",
      "seats": 4
    },
    "tags": [
      "a",
      "b"
    ]
  },
  {
    "id": 2,
    "name": "Beta, \"Inc\"",
    "plan": {
      "code": "WIN",
      "seats": null
    },
    "tags": []
  }
]
"#;
    let got = list_as(Format::Json, &defaults());
    assert_eq!(got, expected);
    let parsed: Value = serde_json::from_str(&got).unwrap();
    assert_eq!(parsed, Value::Array(list()));
}

#[test]
fn json_one_is_the_object() {
    let expected = r#"{
  "id": 7,
  "name": "Gamma",
  "plan": {
    "code": "X"
  },
  "active": true
}
"#;
    assert_eq!(one_as(Format::Json, &defaults()), expected);
}

#[test]
fn json_keeps_server_order_and_odd_keys_and_ignores_the_columns_hint() {
    let item = json!({"z": 1, "contract ": "C-1", "a.b": 2, "a": {"b": 3}, "unknown": [null]});
    let got = render(Format::Jsonl, &defaults(), Shape::List, &["a"], &[item]);
    assert_eq!(
        got,
        "{\"z\":1,\"contract \":\"C-1\",\"a.b\":2,\"a\":{\"b\":3},\"unknown\":[null]}\n"
    );
}

#[test]
fn json_fields_project_with_nesting_order_and_null_for_missing() {
    let opts = with_fields(&["plan.code", "id", "missing.deep", "tags"]);
    let expected = r#"[
  {
    "plan": {
      "code": "SQL"
    },
    "id": 1,
    "missing": {
      "deep": null
    },
    "tags": [
      "a",
      "b"
    ]
  },
  {
    "plan": {
      "code": "WIN"
    },
    "id": 2,
    "missing": {
      "deep": null
    },
    "tags": []
  }
]
"#;
    assert_eq!(list_as(Format::Json, &opts), expected);
}

// ---------------------------------------------------------------- jsonl

#[test]
fn jsonl_is_one_compact_object_a_line() {
    assert_eq!(
        list_as(Format::Jsonl, &defaults()),
        "{\"id\":1,\"name\":\"Alpha\",\"plan\":{\"code\":\"SQL\",\"seats\":4},\"tags\":[\"a\",\"b\"]}\n\
         {\"id\":2,\"name\":\"Beta, \\\"Inc\\\"\",\"plan\":{\"code\":\"WIN\",\"seats\":null},\"tags\":[]}\n"
    );
    assert_eq!(
        one_as(Format::Jsonl, &defaults()),
        "{\"id\":7,\"name\":\"Gamma\",\"plan\":{\"code\":\"X\"},\"active\":true}\n"
    );
}

#[test]
fn jsonl_fields() {
    let opts = with_fields(&["name", "plan.seats"]);
    assert_eq!(
        list_as(Format::Jsonl, &opts),
        "{\"name\":\"Alpha\",\"plan\":{\"seats\":4}}\n{\"name\":\"Beta, \\\"Inc\\\"\",\"plan\":{\"seats\":null}}\n"
    );
}

// ---------------------------------------------------------------- csv / tsv

#[test]
fn csv_flattens_to_dotted_columns_of_the_first_item() {
    let expected = "id,name,plan.code,plan.seats,tags\n\
                    1,Alpha,SQL,4,\"[\"\"a\"\",\"\"b\"\"]\"\n\
                    2,\"Beta, \"\"Inc\"\"\",WIN,,[]\n";
    assert_eq!(list_as(Format::Csv, &defaults()), expected);
    assert_eq!(
        one_as(Format::Csv, &defaults()),
        "id,name,plan.code,active\n7,Gamma,X,true\n"
    );
}

#[test]
fn csv_uses_the_documented_columns_then_fields() {
    let got = render(
        Format::Csv,
        &defaults(),
        Shape::List,
        &["name", "plan.code"],
        &list(),
    );
    assert_eq!(
        got,
        "name,plan.code\nAlpha,SQL\n\"Beta, \"\"Inc\"\"\",WIN\n"
    );
    let opts = with_fields(&["plan.seats", "id", "nope"]);
    let got = render(Format::Csv, &opts, Shape::List, &["name"], &list());
    assert_eq!(got, "plan.seats,id,nope\n4,1,\n,2,\n");
}

#[test]
fn csv_later_items_keep_the_first_items_columns() {
    let items = [
        json!({"a": 1, "b": {"c": 2}}),
        json!({"b": {"c": 3, "d": 4}, "e": 5}),
    ];
    let got = render(Format::Csv, &defaults(), Shape::List, &[], &items);
    assert_eq!(got, "a,b.c\n1,2\n,3\n");
}

#[test]
fn tsv_list_and_one() {
    let expected = "id\tname\tplan.code\tplan.seats\ttags\n\
                    1\tAlpha\tSQL\t4\t[\"a\",\"b\"]\n\
                    2\tBeta, \"Inc\"\tWIN\t\t[]\n";
    assert_eq!(list_as(Format::Tsv, &defaults()), expected);
    assert_eq!(
        one_as(Format::Tsv, &defaults()),
        "id\tname\tplan.code\tactive\n7\tGamma\tX\ttrue\n"
    );
}

#[test]
fn tsv_escapes_tab_newline_cr_backslash_and_never_quotes() {
    let item = json!({"k\tey": "a\tb\nc\rd\\e \"q\"", "n": 1});
    let got = render(Format::Tsv, &defaults(), Shape::List, &[], &[item]);
    assert_eq!(got, "k\\tey\tn\na\\tb\\nc\\rd\\\\e \"q\"\t1\n");
}

#[test]
fn csv_quotes_newlines_and_commas() {
    let item = json!({"note": "a,b\nc", "x": "plain"});
    let got = render(Format::Csv, &defaults(), Shape::One, &[], &[item]);
    assert_eq!(got, "note,x\n\"a,b\nc\",plain\n");
}

#[test]
fn no_headers_drops_the_header_row() {
    assert_eq!(
        list_as(Format::Csv, &no_headers()),
        "1,Alpha,SQL,4,\"[\"\"a\"\",\"\"b\"\"]\"\n2,\"Beta, \"\"Inc\"\"\",WIN,,[]\n"
    );
    assert_eq!(
        list_as(Format::Tsv, &no_headers()),
        "1\tAlpha\tSQL\t4\t[\"a\",\"b\"]\n2\tBeta, \"Inc\"\tWIN\t\t[]\n"
    );
    let table = "\
┌───┬─────────────┬─────┬───┬───────────┐
│ 1 ┆ Alpha       ┆ SQL ┆ 4 ┆ [\"a\",\"b\"] │
│ 2 ┆ Beta, \"Inc\" ┆ WIN ┆   ┆ []        │
└───┴─────────────┴─────┴───┴───────────┘
";
    assert_eq!(list_as(Format::Table, &no_headers()), table);
    // json ignores it
    assert_eq!(
        list_as(Format::Jsonl, &no_headers()),
        list_as(Format::Jsonl, &defaults())
    );
}

// ---------------------------------------------------------------- xml

#[test]
fn xml_list() {
    let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<items>
  <item>
    <id>1</id>
    <name>Alpha</name>
    <plan>
      <code>SQL</code>
      <seats>4</seats>
    </plan>
    <tags>a</tags>
    <tags>b</tags>
  </item>
  <item>
    <id>2</id>
    <name>Beta, "Inc"</name>
    <plan>
      <code>WIN</code>
      <seats/>
    </plan>
    <tags/>
  </item>
</items>
"#;
    assert_eq!(list_as(Format::Xml, &defaults()), expected);
}

#[test]
fn xml_one() {
    let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<item>
  <id>7</id>
  <name>Gamma</name>
  <plan>
    <code>X</code>
  </plan>
  <active>true</active>
</item>
"#;
    assert_eq!(one_as(Format::Xml, &defaults()), expected);
}

#[test]
fn xml_sanitises_names_and_escapes_text() {
    let item = json!({
        "contract ": "C&1",
        "1st": "<b>",
        "$ref": "x",
        "a[0]": 1,
        "": "empty",
        "ns:tag": "colon",
        "odd\"key\t": "q",
        "ok_name-1.x": "fine",
        "größe": "unicode ok",
        "text": "a\rb\u{1}c\"'",
        "nested": [[1, 2], []],
    });
    let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<item>
  <field name="contract ">C&amp;1</field>
  <field name="1st">&lt;b&gt;</field>
  <field name="$ref">x</field>
  <field name="a[0]">1</field>
  <field name="">empty</field>
  <field name="ns:tag">colon</field>
  <field name="odd&quot;key&#9;">q</field>
  <ok_name-1.x>fine</ok_name-1.x>
  <größe>unicode ok</größe>
  <text>a&#13;b\u{FFFD}c"'</text>
  <nested>
    <item>1</item>
    <item>2</item>
  </nested>
  <nested/>
</item>
"#
    .replace("\\u{FFFD}", "\u{FFFD}");
    assert_eq!(
        render(Format::Xml, &defaults(), Shape::One, &[], &[item]),
        expected
    );
}

#[test]
fn xml_fields_project() {
    let opts = with_fields(&["plan.code", "id"]);
    let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<items>
  <item>
    <plan>
      <code>SQL</code>
    </plan>
    <id>1</id>
  </item>
  <item>
    <plan>
      <code>WIN</code>
    </plan>
    <id>2</id>
  </item>
</items>
"#;
    assert_eq!(list_as(Format::Xml, &opts), expected);
}

// ---------------------------------------------------------------- table

#[test]
fn table_list() {
    let expected = "\
┌────┬─────────────┬───────────┬────────────┬───────────┐
│ id ┆ name        ┆ plan.code ┆ plan.seats ┆ tags      │
╞════╪═════════════╪═══════════╪════════════╪═══════════╡
│ 1  ┆ Alpha       ┆ SQL       ┆ 4          ┆ [\"a\",\"b\"] │
│ 2  ┆ Beta, \"Inc\" ┆ WIN       ┆            ┆ []        │
└────┴─────────────┴───────────┴────────────┴───────────┘
";
    assert_eq!(list_as(Format::Table, &defaults()), expected);
}

#[test]
fn table_one_is_field_value_rows() {
    let expected = "\
┌───────────┬───────┐
│ FIELD     ┆ VALUE │
╞═══════════╪═══════╡
│ id        ┆ 7     │
│ name      ┆ Gamma │
│ plan.code ┆ X     │
│ active    ┆ true  │
└───────────┴───────┘
";
    assert_eq!(one_as(Format::Table, &defaults()), expected);
    let opts = OutputOptions {
        no_headers: true,
        ..with_fields(&["name", "plan.code", "missing"])
    };
    let expected = "\
┌───────────┬───────┐
│ name      ┆ Gamma │
│ plan.code ┆ X     │
│ missing   ┆       │
└───────────┴───────┘
";
    assert_eq!(one_as(Format::Table, &opts), expected);
}

#[test]
fn table_escapes_control_characters() {
    let item = json!({"x": "red\u{1b}[31m\ttab"});
    let got = render(Format::Table, &no_headers(), Shape::List, &[], &[item]);
    assert_eq!(
        got,
        "┌────────────────────┐\n│ red\\u{1b}[31m\\ttab │\n└────────────────────┘\n"
    );
}

// ---------------------------------------------------------------- empty lists

#[test]
fn empty_list_in_every_format() {
    let empty = |format, opts: &OutputOptions, columns: &[&str]| {
        render(format, opts, Shape::List, columns, &[])
    };
    let d = defaults();
    assert_eq!(empty(Format::Table, &d, &["a"]), "");
    assert_eq!(empty(Format::Json, &d, &["a"]), "[]\n");
    assert_eq!(empty(Format::Jsonl, &d, &["a"]), "");
    assert_eq!(
        empty(Format::Xml, &d, &[]),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<items/>\n"
    );
    // csv/tsv: the header alone when the columns are known, nothing when they are not
    assert_eq!(empty(Format::Csv, &d, &["a", "b.c"]), "a,b.c\n");
    assert_eq!(empty(Format::Tsv, &d, &["a", "b.c"]), "a\tb.c\n");
    assert_eq!(empty(Format::Csv, &with_fields(&["x"]), &[]), "x\n");
    assert_eq!(empty(Format::Csv, &d, &[]), "");
    assert_eq!(empty(Format::Tsv, &d, &[]), "");
    assert_eq!(empty(Format::Csv, &no_headers(), &["a"]), "");
}

#[test]
fn non_object_items_show_under_a_value_column() {
    let items = [json!("a"), json!(2)];
    assert_eq!(
        render(Format::Csv, &defaults(), Shape::List, &[], &items),
        "value\na\n2\n"
    );
    assert_eq!(
        render(Format::Jsonl, &defaults(), Shape::List, &[], &items),
        "\"a\"\n2\n"
    );
}

#[test]
fn one_shape_takes_exactly_one_item() {
    for format in ALL {
        let mut sink = Sink::to_writer(
            Box::new(std::io::sink()),
            format,
            &defaults(),
            Shape::One,
            &[],
        );
        sink.write_item(&one()).unwrap();
        let err = sink.write_item(&one()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Internal, "{format:?}");
    }
}

// ---------------------------------------------------------------- fields module

#[test]
fn flatten_nested_objects_to_dotted_keys() {
    let v = json!({"a": {"b": {"c": 1}, "d": [1, {"e": 2}]}, "f": {}, "g": null, "h.i": "dot"});
    let flat = fields::flatten(&v);
    let expected = vec![
        ("a.b.c".to_owned(), json!(1)),
        ("a.d".to_owned(), json!([1, {"e": 2}])),
        ("f".to_owned(), json!({})),
        ("g".to_owned(), json!(null)),
        ("h.i".to_owned(), json!("dot")),
    ];
    assert_eq!(flat, expected);
    assert_eq!(
        fields::flatten(&json!(5)),
        vec![("value".to_owned(), json!(5))]
    );
}

#[test]
fn get_path_prefers_exact_keys_then_splits_then_trimmed_keys() {
    let v = json!({
        "a.b": "whole",
        "a": {"b": "nested", "c": {"d": 4}},
        "x": {"y.z": "dotted inside"},
        "contract ": "C-1",
        "n": null,
    });
    let get = |p: &str| fields::get_path(&v, p).cloned();
    assert_eq!(get("a.b"), Some(json!("whole")));
    assert_eq!(get("a.c.d"), Some(json!(4)));
    assert_eq!(get("x.y.z"), Some(json!("dotted inside")));
    assert_eq!(get("contract "), Some(json!("C-1")));
    assert_eq!(get("contract"), Some(json!("C-1")));
    assert_eq!(get("n"), Some(Value::Null));
    assert_eq!(get("a.missing"), None);
    assert_eq!(get("n.deeper"), None);
    assert_eq!(get(""), None);
    assert_eq!(fields::get_path(&json!([1]), "0"), None);
}

#[test]
fn project_keeps_matched_keys_verbatim() {
    let v = json!({"contract ": "C-1", "a.b": 1, "a": {"c": 2}, "z": 0});
    let got = fields::project(
        &v,
        &[
            "z".into(),
            "contract".into(),
            "a.b".into(),
            "a.c".into(),
            "q.r".into(),
        ],
    );
    assert_eq!(
        serde_json::to_string(&got).unwrap(),
        r#"{"z":0,"contract ":"C-1","a.b":1,"a":{"c":2},"q":{"r":null}}"#
    );
}

#[test]
fn fields_with_trailing_space_in_tabular_formats() {
    let items = [
        json!({"contract ": "C-1", "id": 1}),
        json!({"contract ": "C-2", "id": 2}),
    ];
    let exact = with_fields(&["contract ", "id"]);
    assert_eq!(
        render(Format::Csv, &exact, Shape::List, &[], &items),
        "contract ,id\nC-1,1\nC-2,2\n"
    );
    let loose = with_fields(&["contract"]);
    assert_eq!(
        render(Format::Tsv, &loose, Shape::List, &[], &items),
        "contract\nC-1\nC-2\n"
    );
}

#[test]
fn cells() {
    assert_eq!(fields::cell(&json!(null)), "");
    assert_eq!(fields::cell(&json!("s")), "s");
    assert_eq!(fields::cell(&json!(1.5)), "1.5");
    assert_eq!(fields::cell(&json!(false)), "false");
    assert_eq!(fields::cell(&json!([1, "a"])), "[1,\"a\"]");
    assert_eq!(fields::cell(&json!({"k": {"l": 1}})), "{\"k\":{\"l\":1}}");
}

#[test]
fn empty_fields_count_as_not_given() {
    let opts = OutputOptions {
        fields: Some(Vec::new()),
        ..Default::default()
    };
    assert_eq!(
        list_as(Format::Csv, &opts),
        list_as(Format::Csv, &defaults())
    );
}

#[test]
fn explicit_format_wins_and_out_defaults_to_json() {
    let opts = OutputOptions {
        format: Some(Format::Csv),
        ..Default::default()
    };
    assert_eq!(opts.resolved_format(), Format::Csv);
    let opts = OutputOptions {
        out: Some("x.json".into()),
        ..Default::default()
    };
    assert_eq!(opts.resolved_format(), Format::Json);
}

// ---------------------------------------------------------------- --out

fn out_opts(target: &std::path::Path, format: Format) -> OutputOptions {
    OutputOptions {
        format: Some(format),
        out: Some(target.to_owned()),
        ..Default::default()
    }
}

fn dir_entries(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn out_is_written_atomically_on_finish() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.jsonl");
    let opts = out_opts(&target, Format::Jsonl);
    let mut sink = Sink::open(&opts, Shape::List, &[]).unwrap();
    sink.write_item(&json!({"id": 1})).unwrap();
    sink.flush().unwrap();
    assert!(!target.exists(), "nothing at the target before finish");
    sink.write_item(&json!({"id": 2})).unwrap();
    sink.finish().unwrap();
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "{\"id\":1}\n{\"id\":2}\n"
    );
    assert_eq!(dir_entries(dir.path()), ["report.jsonl"]);
}

#[test]
fn out_dropped_without_finish_leaves_no_file_and_keeps_an_existing_one() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.csv");
    let mut sink = Sink::open(&out_opts(&fresh, Format::Csv), Shape::List, &[]).unwrap();
    sink.write_item(&json!({"id": 1})).unwrap();
    sink.flush().unwrap();
    drop(sink);
    assert!(!fresh.exists());

    let existing = dir.path().join("existing.csv");
    std::fs::write(&existing, "old,content\n").unwrap();
    let mut sink = Sink::open(&out_opts(&existing, Format::Csv), Shape::List, &[]).unwrap();
    for i in 0..10_000 {
        sink.write_item(&json!({"id": i})).unwrap();
    }
    drop(sink);
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "old,content\n");
    assert_eq!(dir_entries(dir.path()), ["existing.csv"]);
}

#[cfg(unix)]
#[test]
fn out_keeps_the_mode_of_a_replaced_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("r.json");
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    print_one(&out_opts(&target, Format::Json), &[], &json!({"a": 1})).unwrap();
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "{\n  \"a\": 1\n}\n"
    );
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn print_text_to_out() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("licctl.1");
    let opts = OutputOptions {
        out: Some(target.clone()),
        ..Default::default()
    };
    print_text(&opts, ".TH licctl 1\n").unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), ".TH licctl 1\n");
}

#[test]
fn bad_out_paths_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        dir.path().to_owned(),
        dir.path().join("no/such/dir/file.json"),
        dir.path().join(".."),
    ];
    for target in cases {
        let opts = out_opts(&target, Format::Json);
        let err = check_out_path(&opts).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Usage, "{}", target.display());
        let err = Sink::open(&opts, Shape::List, &[]).err().unwrap();
        assert_eq!(err.kind(), ErrorKind::Usage, "{}", target.display());
    }
    assert!(check_out_path(&defaults()).is_ok());
}

// ---------------------------------------------------------------- broken pipe

#[test]
fn a_closed_reader_is_a_broken_pipe_in_every_format() {
    for format in ALL {
        let mut sink = Sink::to_writer(Box::new(ClosedPipe), format, &defaults(), Shape::List, &[]);
        sink.write_item(&one()).unwrap(); // buffered
        let err = sink.flush().err().unwrap_or_else(|| {
            // tables render at finish only
            Sink::to_writer(Box::new(ClosedPipe), format, &defaults(), Shape::List, &[])
                .finish()
                .unwrap_err()
        });
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{format:?} flush");

        let mut sink = Sink::to_writer(Box::new(ClosedPipe), format, &defaults(), Shape::List, &[]);
        sink.write_item(&one()).unwrap();
        let err = sink.finish().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{format:?} finish");
        assert_eq!(err.exit_code(), 0);
    }
}

// ---------------------------------------------------------------- streaming

fn poll_once<F: std::future::Future>(fut: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(futures::task::noop_waker_ref()))
}

#[test]
fn stream_items_are_flushed_before_the_stream_ends() {
    for (format, first, whole) in [
        (
            Format::Jsonl,
            "{\"id\":1}\n",
            "{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n",
        ),
        (
            Format::Json,
            "[\n  {\n    \"id\": 1\n  }",
            "[\n  {\n    \"id\": 1\n  },\n  {\n    \"id\": 2\n  },\n  {\n    \"id\": 3\n  }\n]\n",
        ),
        (Format::Csv, "id\n1\n", "id\n1\n2\n3\n"),
    ] {
        let buf = Shared::default();
        let sink = Sink::to_writer(Box::new(buf.clone()), format, &defaults(), Shape::List, &[]);
        let (tx, rx) = mpsc::unbounded::<Result<Value>>();
        let mut fut = std::pin::pin!(write_stream(sink, rx));

        assert!(poll_once(fut.as_mut()).is_pending());
        assert_eq!(buf.text(), "", "{format:?}: nothing before the first item");

        tx.unbounded_send(Ok(json!({"id": 1}))).unwrap();
        assert!(poll_once(fut.as_mut()).is_pending());
        assert_eq!(
            buf.text(),
            first,
            "{format:?}: first item flushed while waiting"
        );

        tx.unbounded_send(Ok(json!({"id": 2}))).unwrap();
        tx.unbounded_send(Ok(json!({"id": 3}))).unwrap();
        drop(tx);
        match poll_once(fut.as_mut()) {
            Poll::Ready(Ok(n)) => assert_eq!(n, 3),
            other => panic!(
                "{format:?}: {:?}",
                other.map(|r| r.map_err(|e| e.to_string()))
            ),
        }
        assert_eq!(buf.text(), whole, "{format:?}");
    }
}

#[test]
fn a_failure_before_the_first_item_never_opens_the_sink() {
    let opened = std::cell::Cell::new(false);
    let stream = futures::stream::iter(vec![Err(Error::http(503, "unavailable"))]);
    let result = futures::executor::block_on(write_stream_lazily(
        || {
            opened.set(true);
            Ok(Sink::to_writer(
                Box::new(std::io::sink()),
                Format::Json,
                &defaults(),
                Shape::List,
                &[],
            ))
        },
        stream,
    ));
    assert_eq!(result.unwrap_err().status(), Some(503));
    assert!(!opened.get());
}

#[test]
fn an_empty_stream_still_opens_and_finishes() {
    let buf = Shared::default();
    let stream = futures::stream::iter(Vec::<Result<Value>>::new());
    let n = futures::executor::block_on(write_stream_lazily(
        || {
            Ok(Sink::to_writer(
                Box::new(buf.clone()),
                Format::Json,
                &defaults(),
                Shape::List,
                &[],
            ))
        },
        stream,
    ))
    .unwrap();
    assert_eq!(n, 0);
    assert_eq!(buf.text(), "[]\n");
}

#[test]
fn a_failure_mid_stream_discards_the_out_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("devices.json");
    std::fs::write(&target, "[\"previous\"]\n").unwrap();
    let opts = out_opts(&target, Format::Json);
    let stream = futures::stream::iter(vec![
        Ok(json!({"id": 1})),
        Ok(json!({"id": 2})),
        Err(Error::http(502, "bad gateway")),
    ]);
    let err = futures::executor::block_on(print_stream(&opts, &[], stream)).unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "[\"previous\"]\n"
    );
    assert_eq!(dir_entries(dir.path()), ["devices.json"]);

    let stream = futures::stream::iter(vec![Ok(json!({"id": 1})), Ok(json!({"id": 2}))]);
    let n = futures::executor::block_on(print_stream(&opts, &[], stream)).unwrap();
    assert_eq!(n, 2);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(written, json!([{"id": 1}, {"id": 2}]));
}

#[test]
fn print_stream_with_a_bad_out_never_polls_the_stream() {
    let opts = out_opts(
        std::path::Path::new("/nonexistent-licctl-dir/x.json"),
        Format::Json,
    );
    let polled = std::cell::Cell::new(false);
    let stream = futures::stream::poll_fn(|_| {
        polled.set(true);
        Poll::Ready(None::<Result<Value>>)
    });
    let err = futures::executor::block_on(print_stream(&opts, &[], stream)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Usage);
    assert!(!polled.get());
}

//! The one output sink every command writes through, and the only code in licctl that writes
//! to stdout.
//!
//! Commands hand their results here as `serde_json::Value`s — one object ([`print_one`]) or a
//! stream of items ([`print_stream`]) — and this module renders the `-o/--output` format of
//! DESIGN.md §2, honouring `--fields`, `--no-headers` and `--out`. Keeping every byte of stdout
//! in one place is what lets the contract hold everywhere at once: a successful command's JSON
//! is one valid document, a failure before the first item leaves stdout empty, `--out` is atomic, and a closed pipe is a
//! typed [`ErrorKind::BrokenPipe`](crate::error::ErrorKind::BrokenPipe) rather than a panic.
//!
//! The formats:
//! - `json`: a list is one array, streamed item by item (each item pretty-printed, indented two
//!   spaces); a single object is that object. Every field the server sent, in server order.
//! - `jsonl`: one compact object a line.
//! - `csv` / `tsv`: a header row (unless `--no-headers`), nested objects flattened to dotted
//!   columns. The columns are `--fields`, else the command's documented columns, else the
//!   flattened keys of the first item — fixed from then on, so every row has the same shape
//!   (keys that only later items have are not shown; use json for those). TSV is never quoted:
//!   tab, newline, carriage return and backslash become `\t`, `\n`, `\r`, `\\`. An empty list
//!   with known columns is just the header row, so the file still says what it would hold.
//! - `xml`: `<items>` with one `<item>` per item, or `<item>` for a single object; nested
//!   objects are nested elements, arrays repeat their element, and a key that is no XML name
//!   becomes `<field name="key">` (details in `src/output/xml.rs`).
//! - `table`: for people; buffered until the end. A list is a header and one row per item; a
//!   single object is `FIELD`/`VALUE` rows. An empty list prints nothing at all.
//!
//! With `--fields`, json/jsonl/xml show a projection (see [`fields::project`]); without it they
//! show the whole item, since the documented columns are only a hint for tabular formats.

mod dest;
pub mod fields;
mod xml;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::pin::pin;

use comfy_table::{presets, ContentArrangement, Table};
use futures::{FutureExt, Stream, StreamExt};
use serde_json::Value;

use crate::error::{Error, Result};
use dest::Out;
use fields::{cell_of, column_keys, lookup};

/// The output formats of `-o/--output` (DESIGN.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people (the default on a terminal)
    Table,
    /// One JSON document; a list is an array streamed item by item (the default otherwise)
    Json,
    /// One compact JSON object a line, written as items arrive
    Jsonl,
    /// Comma-separated values, nested objects flattened to dotted column names
    Csv,
    /// Tab-separated values, never quoted: tab, newline, CR and backslash are escaped
    Tsv,
    /// One XML document: <items> with an <item> per item
    // The doc line is clap's help text, shown verbatim (and in the help snapshot): not HTML.
    #[allow(rustdoc::invalid_html_tags)]
    Xml,
}

/// The output flags every command shares (`-o`, `--fields`, `--no-headers`, `--out`), as the
/// CLI layer parsed them; this module never reads the environment itself.
#[derive(Clone, Debug, Default)]
pub struct OutputOptions {
    /// `-o/--output`; `None` picks the default of [`OutputOptions::resolved_format`].
    pub format: Option<Format>,
    /// `--fields a,b.c`: the columns (tabular formats) or keys (json, jsonl, xml) to keep, in
    /// this order. An empty list counts as not given.
    pub fields: Option<Vec<String>>,
    /// `--no-headers`: table, csv and tsv without the header row.
    pub no_headers: bool,
    /// `--out FILE`: write to FILE atomically instead of stdout.
    pub out: Option<PathBuf>,
}

impl OutputOptions {
    /// The format to write: the explicit one, else `table` for a person at a terminal, else
    /// `json` for pipes, files and `--out` (DESIGN.md §2).
    pub fn resolved_format(&self) -> Format {
        self.format.unwrap_or_else(|| {
            if self.out.is_none() && stdout_is_terminal() {
                Format::Table
            } else {
                Format::Json
            }
        })
    }

    /// `--fields`, unless absent or empty.
    fn field_list(&self) -> Option<Vec<String>> {
        self.fields.clone().filter(|f| !f.is_empty())
    }
}

/// Whether the result is a single object (`show`, `create`) or a list; the formats render the
/// two differently (an object vs an array, `<item>` vs `<items>`, FIELD/VALUE vs rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A single object.
    One,
    /// Zero or more items.
    List,
}

/// An open output: items go in one at a time, [`Sink::finish`] completes the document.
///
/// Nothing is written before the first item (or before `finish` for an empty result), so a
/// command that fails early leaves stdout empty. Dropping a sink without `finish` on `--out`
/// discards the temporary file; on stdout, the complete items written so far stay written.
pub struct Sink {
    enc: Encoder,
    shape: Shape,
    fields: Option<Vec<String>>,
    count: u64,
}

/// Per-format state; each variant owns the destination in the form its writer needs.
enum Encoder {
    Json {
        out: Out,
        buf: Vec<u8>,
    },
    Jsonl {
        out: Out,
        buf: Vec<u8>,
    },
    Csv {
        out: Box<csv::Writer<Out>>,
        cols: Columns,
    },
    Tsv {
        out: Out,
        cols: Columns,
        line: String,
    },
    Xml {
        out: quick_xml::Writer<Out>,
    },
    Table {
        out: Out,
        cols: Columns,
        rows: Vec<Vec<String>>,
        fit_terminal: bool,
    },
}

/// The columns of a tabular format: known up front (`--fields`, documented columns) or taken
/// from the first item.
struct Columns {
    names: Option<Vec<String>>,
    headers: bool,
}

impl Columns {
    fn new(fields: Option<&[String]>, hint: &[&str], headers: bool) -> Columns {
        let names = match fields {
            Some(f) => Some(f.to_vec()),
            None if !hint.is_empty() => Some(hint.iter().map(|c| (*c).to_owned()).collect()),
            None => None,
        };
        Columns { names, headers }
    }

    fn for_item(&mut self, item: &Value) -> &[String] {
        self.names.get_or_insert_with(|| column_keys(item))
    }
}

// The async commands hold a sink across awaits on a multi-threaded runtime.
const _: () = {
    const fn assert_send<T: Send>() {}
    assert_send::<Sink>();
};

impl Sink {
    /// Opens the sink of a command: stdout, or with `--out` a temporary file next to the target
    /// that [`Sink::finish`] renames over it.
    ///
    /// `columns` are the command's documented fields, used by table/csv/tsv when `--fields` is
    /// not given (pass `&[]` to use the first item's flattened keys).
    pub fn open(opts: &OutputOptions, shape: Shape, columns: &[&str]) -> Result<Sink> {
        let format = opts.resolved_format();
        let out = match &opts.out {
            Some(target) => Out::file(target)?,
            None => Out::stdout(),
        };
        Ok(Sink::new(out, format, opts, shape, columns))
    }

    /// A sink writing `format` to any writer, for tests, benches and in-memory rendering;
    /// `opts.format` and `opts.out` are ignored, `fields` and `no_headers` apply.
    pub fn to_writer(
        w: Box<dyn Write + Send>,
        format: Format,
        opts: &OutputOptions,
        shape: Shape,
        columns: &[&str],
    ) -> Sink {
        Sink::new(Out::writer(w), format, opts, shape, columns)
    }

    fn new(out: Out, format: Format, opts: &OutputOptions, shape: Shape, columns: &[&str]) -> Sink {
        let fields = opts.field_list();
        let cols = || Columns::new(fields.as_deref(), columns, !opts.no_headers);
        let enc = match format {
            Format::Json => Encoder::Json {
                out,
                buf: Vec::new(),
            },
            Format::Jsonl => Encoder::Jsonl {
                out,
                buf: Vec::new(),
            },
            Format::Csv => Encoder::Csv {
                out: Box::new(csv::WriterBuilder::new().from_writer(out)),
                cols: cols(),
            },
            Format::Tsv => Encoder::Tsv {
                out,
                cols: cols(),
                line: String::new(),
            },
            Format::Xml => Encoder::Xml {
                out: quick_xml::Writer::new_with_indent(out, b' ', 2),
            },
            Format::Table => Encoder::Table {
                fit_terminal: out.is_stdout() && stdout_is_terminal(),
                out,
                cols: cols(),
                rows: Vec::new(),
            },
        };
        Sink {
            enc,
            shape,
            fields,
            count: 0,
        }
    }

    /// How many items have been written so far.
    pub fn items(&self) -> u64 {
        self.count
    }

    /// Writes one item (the object itself for [`Shape::One`], which takes exactly one).
    pub fn write_item(&mut self, item: &Value) -> Result<()> {
        if self.shape == Shape::One && self.count > 0 {
            return Err(Error::internal(
                "output: a single object was expected, got a second one",
            ));
        }
        let first = self.count == 0;
        let list = self.shape == Shape::List;
        let fields = self.fields.as_deref();
        let projected = || match fields {
            Some(f) => Cow::Owned(fields::project(item, f)),
            None => Cow::Borrowed(item),
        };
        match &mut self.enc {
            Encoder::Json { out, buf } => {
                buf.clear();
                serde_json::to_writer_pretty(&mut *buf, &*projected()).map_err(json_error)?;
                if list {
                    out.write_all(if first { b"[\n  " } else { b",\n  " })?;
                    for (i, line) in buf.split(|b| *b == b'\n').enumerate() {
                        if i > 0 {
                            out.write_all(b"\n  ")?;
                        }
                        out.write_all(line)?;
                    }
                } else {
                    buf.push(b'\n');
                    out.write_all(buf)?;
                }
            }
            Encoder::Jsonl { out, buf } => {
                buf.clear();
                serde_json::to_writer(&mut *buf, &*projected()).map_err(json_error)?;
                buf.push(b'\n');
                out.write_all(buf)?;
            }
            Encoder::Csv { out, cols } => {
                let headers = first && cols.headers;
                let names = cols.for_item(item);
                if headers {
                    out.write_record(names).map_err(csv_error)?;
                }
                for name in names {
                    out.write_field(cell_of(lookup(item, name)).as_bytes())
                        .map_err(csv_error)?;
                }
                out.write_record(None::<&[u8]>).map_err(csv_error)?;
            }
            Encoder::Tsv { out, cols, line } => {
                let headers = first && cols.headers;
                let names = cols.for_item(item);
                if headers {
                    write_tsv_line(out, line, names.iter().map(|n| Cow::Borrowed(n.as_str())))?;
                }
                write_tsv_line(out, line, names.iter().map(|n| cell_of(lookup(item, n))))?;
            }
            Encoder::Xml { out } => {
                if first {
                    xml::write_decl(out)?;
                    if list {
                        xml::write_start(out, xml::ITEMS)?;
                    }
                }
                xml::write_element(out, xml::ITEM, &projected())?;
            }
            Encoder::Table { cols, rows, .. } => {
                if list {
                    let names = cols.for_item(item);
                    rows.push(
                        names
                            .iter()
                            .map(|n| table_text(&cell_of(lookup(item, n))))
                            .collect(),
                    );
                } else if let Some(names) = &cols.names {
                    for name in names {
                        let value = cell_of(lookup(item, name));
                        rows.push(vec![table_text(name), table_text(&value)]);
                    }
                } else {
                    for (key, value) in fields::flatten(item) {
                        let value = fields::cell_cow(&value);
                        rows.push(vec![table_text(&key), table_text(&value)]);
                    }
                }
            }
        }
        self.count += 1;
        Ok(())
    }

    /// Pushes everything written so far to the destination (tables excepted: they are
    /// rendered whole by `finish`).
    pub fn flush(&mut self) -> Result<()> {
        match &mut self.enc {
            Encoder::Json { out, .. }
            | Encoder::Jsonl { out, .. }
            | Encoder::Tsv { out, .. }
            | Encoder::Table { out, .. } => out.flush()?,
            Encoder::Csv { out, .. } => out.flush()?,
            Encoder::Xml { out } => out.get_mut().flush()?,
        }
        Ok(())
    }

    /// Completes the document (closing `]`, `</items>`, the rendered table, the header of an
    /// empty csv), flushes it, and with `--out` renames the finished file over the target.
    pub fn finish(self) -> Result<()> {
        let Sink {
            enc, shape, count, ..
        } = self;
        let list = shape == Shape::List;
        let out = match enc {
            Encoder::Json { mut out, .. } => {
                if list {
                    out.write_all(if count == 0 { b"[]\n" } else { b"\n]\n" })?;
                }
                out
            }
            Encoder::Jsonl { out, .. } => out,
            Encoder::Csv { mut out, cols } => {
                if let (0, true, Some(names)) = (count, cols.headers, &cols.names) {
                    out.write_record(names).map_err(csv_error)?;
                }
                out.flush()?;
                out.into_inner().map_err(|e| Error::from(e.into_error()))?
            }
            Encoder::Tsv {
                mut out,
                cols,
                mut line,
            } => {
                if let (0, true, Some(names)) = (count, cols.headers, &cols.names) {
                    write_tsv_line(
                        &mut out,
                        &mut line,
                        names.iter().map(|n| Cow::Borrowed(n.as_str())),
                    )?;
                }
                out
            }
            Encoder::Xml { mut out } => {
                if list {
                    if count == 0 {
                        xml::write_decl(&mut out)?;
                        xml::write_empty(&mut out, xml::ITEMS)?;
                    } else {
                        xml::write_end(&mut out, xml::ITEMS)?;
                    }
                }
                let mut out = out.into_inner();
                if list || count > 0 {
                    out.write_all(b"\n")?;
                }
                out
            }
            Encoder::Table {
                mut out,
                cols,
                rows,
                fit_terminal,
            } => {
                if !rows.is_empty() {
                    let mut table = Table::new();
                    table.load_style(presets::UTF8_FULL_CONDENSED);
                    if fit_terminal {
                        table.set_content_arrangement(ContentArrangement::Dynamic);
                    } else {
                        table.force_no_tty();
                    }
                    if cols.headers {
                        let header: Vec<String> = match (list, cols.names) {
                            (true, Some(names)) => names.iter().map(|n| table_text(n)).collect(),
                            _ => vec!["FIELD".to_owned(), "VALUE".to_owned()],
                        };
                        table.set_header(header);
                    }
                    table.add_rows(rows);
                    writeln!(out, "{table}")?;
                }
                out
            }
        };
        out.commit()
    }
}

/// Writes one TSV line, escaping tab, newline, CR and backslash in every field.
fn write_tsv_line<'a>(
    out: &mut Out,
    line: &mut String,
    fields: impl Iterator<Item = Cow<'a, str>>,
) -> Result<()> {
    line.clear();
    for (i, field) in fields.enumerate() {
        if i > 0 {
            line.push('\t');
        }
        for c in field.chars() {
            match c {
                '\t' => line.push_str("\\t"),
                '\n' => line.push_str("\\n"),
                '\r' => line.push_str("\\r"),
                '\\' => line.push_str("\\\\"),
                c => line.push(c),
            }
        }
    }
    line.push('\n');
    out.write_all(line.as_bytes())?;
    Ok(())
}

/// A cell as a terminal may show it: control characters other than newline (escape sequences
/// a server could smuggle into a field, tabs that break the alignment) are shown escaped.
fn table_text(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\n') {
        return s.to_owned();
    }
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_default().collect()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn json_error(e: serde_json::Error) -> Error {
    Error::internal(format!("rendering json: {e}"))
}

/// A csv error: I/O errors keep their kind (a broken pipe stays one).
fn csv_error(e: csv::Error) -> Error {
    let message = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io.into(),
        _ => Error::internal(format!("rendering csv: {message}")),
    }
}

/// Writes every item of `stream` to `sink` and finishes it; returns how many items the sink
/// holds in total (including any written before the call).
///
/// Whenever the next item is not ready yet, what was written so far is flushed before
/// waiting, so a slow streamed answer shows up item by item; when items are ready they are
/// written without a flush per item. An error from the stream is returned without finishing
/// the sink (with `--out`, the temporary file is discarded). Memory does not grow with the
/// number of items except for tables.
pub async fn write_stream<S>(mut sink: Sink, stream: S) -> Result<u64>
where
    S: Stream<Item = Result<Value>>,
{
    let mut stream = pin!(stream);
    loop {
        let next = match stream.next().now_or_never() {
            Some(next) => next,
            None => {
                sink.flush()?;
                stream.next().await
            }
        };
        match next {
            Some(Ok(item)) => sink.write_item(&item)?,
            Some(Err(e)) => return Err(e),
            None => break,
        }
    }
    let count = sink.count;
    sink.finish()?;
    Ok(count)
}

/// Opens the sink only once the first item (or the end of an empty stream) is there, so that a
/// failure before any data leaves stdout empty (DESIGN.md §4).
async fn write_stream_lazily<S, F>(open: F, stream: S) -> Result<u64>
where
    S: Stream<Item = Result<Value>>,
    F: FnOnce() -> Result<Sink>,
{
    let mut stream = pin!(stream);
    match stream.next().await {
        None => {
            open()?.finish()?;
            Ok(0)
        }
        Some(Err(e)) => Err(e),
        Some(Ok(first)) => {
            let mut sink = open()?;
            sink.write_item(&first)?;
            write_stream(sink, stream).await
        }
    }
}

/// Prints a list command's items as they arrive and returns how many there were.
///
/// Never collects the stream: json, jsonl, csv, tsv and xml run in constant memory however many
/// pages there are. A bad `--out` path is a usage error before the stream is polled (nothing is
/// requested); stdout stays empty until the first item.
pub async fn print_stream<S>(opts: &OutputOptions, columns: &[&str], stream: S) -> Result<u64>
where
    S: Stream<Item = Result<Value>>,
{
    check_out_path(opts)?;
    write_stream_lazily(|| Sink::open(opts, Shape::List, columns), stream).await
}

/// Prints a single object (`show`, `create`, `update`).
pub fn print_one(opts: &OutputOptions, columns: &[&str], value: &Value) -> Result<()> {
    let mut sink = Sink::open(opts, Shape::One, columns)?;
    sink.write_item(value)?;
    sink.finish()
}

/// Prints raw text as it is (completions, the man page, `config path`, demo banners), to stdout
/// or atomically to `--out`.
pub fn print_text(opts: &OutputOptions, text: &str) -> Result<()> {
    print_bytes(opts, text.as_bytes())
}

/// Prints bytes exactly as given (a vendor's CSV export, say, whatever its encoding), to stdout
/// or atomically to `--out`.
pub fn print_bytes(opts: &OutputOptions, bytes: &[u8]) -> Result<()> {
    let mut out = RawWriter::open(opts)?;
    out.write(bytes)?;
    out.commit()
}

/// A byte-exact writer for answers that are files rather than items (report downloads, CSV
/// exports): stdout, or a file that is complete or absent — the bytes go to a temporary file
/// next to the target, renamed over it by [`RawWriter::commit`]; dropping the writer without
/// committing (a download that broke off) leaves any existing target untouched.
pub struct RawWriter {
    out: Out,
}

impl RawWriter {
    /// stdout, or `--out` when given.
    pub fn open(opts: &OutputOptions) -> Result<Self> {
        match &opts.out {
            Some(target) => Self::create(target),
            None => Ok(RawWriter { out: Out::stdout() }),
        }
    }

    /// An atomically written file at `target` (its directory must exist: a usage error
    /// otherwise, before anything is fetched).
    pub fn create(target: &std::path::Path) -> Result<Self> {
        Ok(RawWriter {
            out: Out::file(target)?,
        })
    }

    /// Appends `bytes`.
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        Ok(self.out.write_all(bytes)?)
    }

    /// Flushes, and for a file syncs it and renames it into place.
    pub fn commit(self) -> Result<()> {
        self.out.commit()
    }
}

/// Checks that `--out` names a file in an existing directory: a usage error otherwise. Commands
/// may call it before any request so that a typo costs nothing; [`print_stream`] does.
pub fn check_out_path(opts: &OutputOptions) -> Result<()> {
    match &opts.out {
        Some(target) => dest::check_target(target),
        None => Ok(()),
    }
}

/// Writes one line to stderr for the few messages that must show at the default verbosity
/// (`sandbox listening on ...`); a closed stderr is ignored, there is nowhere left to report it.
pub fn note(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// Whether stdout is a terminal: picks the default format and whether a table fits the width.
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

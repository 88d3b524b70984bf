//! Writing and reading the monthly bundle: `DIR/<YYYY-MM>/` with `raw/<vendor>.json`,
//! `usage.csv`, `usage.jsonl` and `manifest.json`.
//!
//! The directory appears complete or not at all: everything is written into a temporary
//! sibling and renamed into place at the end. The rows are sorted by vendor, customer,
//! product and metric, and serialised without anything time-dependent, so the same month
//! against unchanged data gives byte-identical `usage.csv` and `usage.jsonl`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};
use crate::http::RequestRecord;
use crate::usage::{Month, UsageRow};

/// The manifest's name.
pub const MANIFEST: &str = "manifest.json";
/// The csv file's name.
pub const USAGE_CSV: &str = "usage.csv";
/// The jsonl file's name.
pub const USAGE_JSONL: &str = "usage.jsonl";

/// What happened to one vendor in a run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VendorEntry {
    /// `ok` or `failed`.
    pub status: String,
    /// The error line, for a failed vendor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The exit code the failure alone would have had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<u8>,
    /// Rows the vendor contributed.
    pub rows: usize,
    /// Every request made, secrets redacted.
    pub requests: Vec<RequestRecord>,
    /// Warnings for people (e.g. missing SPLA prices).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Vendor-specific facts (e.g. `missingUnitPrices`).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub details: serde_json::Map<String, serde_json::Value>,
}

/// One file of the bundle, as the manifest lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// Path relative to the bundle, with `/` separators.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Lower-case hex SHA-256.
    pub sha256: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// The licctl that wrote the bundle.
    pub licctl_version: String,
    /// `YYYY-MM`.
    pub month: String,
    /// First day of the month.
    pub period_start: String,
    /// Last day of the month.
    pub period_end: String,
    /// When the run finished (RFC 3339, UTC).
    pub generated_at: String,
    /// Per vendor, in bundle order.
    pub vendors: serde_json::Map<String, serde_json::Value>,
    /// Total rows in usage.csv.
    pub rows: usize,
    /// Every file but the manifest, sorted by path.
    pub files: Vec<FileEntry>,
}

/// Everything a bundle holds before it is written.
#[derive(Debug)]
pub struct BundleContent {
    /// The month.
    pub month: Month,
    /// `raw/<vendor>.json` contents, by section name, in bundle order.
    pub raw: Vec<(String, serde_json::Value)>,
    /// Every row, any order (sorted on write).
    pub rows: Vec<UsageRow>,
    /// The per-vendor entries, in bundle order.
    pub vendors: Vec<(String, VendorEntry)>,
}

/// Sorts rows into the bundle's stable order.
pub fn sort_rows(rows: &mut [UsageRow]) {
    rows.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then(a.quantity.total_cmp(&b.quantity))
    });
}

/// The csv text of `rows` (sorted).
pub fn csv_text(rows: &[UsageRow]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    for r in rows {
        w.serialize(r)
            .map_err(|e| Error::internal(format!("writing usage.csv: {e}")))?;
    }
    if rows.is_empty() {
        w.write_record([
            "vendor",
            "period_start",
            "period_end",
            "customer_id",
            "customer_name",
            "product_code",
            "product_name",
            "metric",
            "quantity",
            "unit",
            "amount",
            "currency",
            "source",
        ])
        .map_err(|e| Error::internal(format!("writing usage.csv: {e}")))?;
    }
    w.into_inner()
        .map_err(|e| Error::internal(format!("writing usage.csv: {e}")))
}

/// The jsonl text of `rows` (sorted).
pub fn jsonl_text(rows: &[UsageRow]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for r in rows {
        serde_json::to_writer(&mut out, r)
            .map_err(|e| Error::internal(format!("writing usage.jsonl: {e}")))?;
        out.push(b'\n');
    }
    Ok(out)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!("{what} {}: {e}", path.display()),
    )
}

/// Where the bundle for `month` goes under `out_dir`.
pub fn bundle_dir(out_dir: &Path, month: Month) -> PathBuf {
    out_dir.join(month.to_string())
}

/// Refuses an existing bundle without `force`, before anything is fetched.
pub fn check_target(out_dir: &Path, month: Month, force: bool) -> Result<()> {
    let dir = bundle_dir(out_dir, month);
    if dir.exists() && !force {
        return Err(Error::usage(format!("{} already exists", dir.display()))
            .with_hint("pass --force to replace it, or choose another --out-dir"));
    }
    if out_dir.exists() && !out_dir.is_dir() {
        return Err(Error::usage(format!(
            "--out-dir {} is not a directory",
            out_dir.display()
        )));
    }
    Ok(())
}

/// Writes the bundle into a temporary sibling and renames it to `out_dir/<month>`,
/// replacing an existing one (only called with `--force` then). Returns the bundle's path and
/// manifest; `content.rows` is left sorted as written, for summaries without reading it back.
pub fn write(
    out_dir: &Path,
    content: &mut BundleContent,
    generated_at: &str,
) -> Result<(PathBuf, Manifest)> {
    fs::create_dir_all(out_dir).map_err(|e| io_err("cannot create", out_dir, e))?;
    let target = bundle_dir(out_dir, content.month);
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.partial-", content.month))
        .tempdir_in(out_dir)
        .map_err(|e| io_err("cannot create a temporary directory in", out_dir, e))?;
    sort_rows(&mut content.rows);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (vendor, raw) in &content.raw {
        let mut bytes =
            serde_json::to_vec_pretty(raw).map_err(|e| Error::internal(e.to_string()))?;
        bytes.push(b'\n');
        files.push((format!("raw/{vendor}.json"), bytes));
    }
    files.push((USAGE_CSV.to_owned(), csv_text(&content.rows)?));
    files.push((USAGE_JSONL.to_owned(), jsonl_text(&content.rows)?));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    fs::create_dir_all(tmp.path().join("raw"))
        .map_err(|e| io_err("cannot create", tmp.path(), e))?;
    let mut entries = Vec::new();
    for (rel, bytes) in &files {
        let path = tmp.path().join(rel);
        write_synced(&path, bytes)?;
        entries.push(FileEntry {
            path: rel.clone(),
            size: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        });
    }
    let manifest = Manifest {
        licctl_version: env!("CARGO_PKG_VERSION").to_owned(),
        month: content.month.to_string(),
        period_start: content.month.start().to_string(),
        period_end: content.month.end().to_string(),
        generated_at: generated_at.to_owned(),
        vendors: std::mem::take(&mut content.vendors)
            .into_iter()
            .map(|(k, v)| (k, serde_json::to_value(v).unwrap_or_default()))
            .collect(),
        rows: content.rows.len(),
        files: entries,
    };
    let mut mbytes =
        serde_json::to_vec_pretty(&manifest).map_err(|e| Error::internal(e.to_string()))?;
    mbytes.push(b'\n');
    write_synced(&tmp.path().join(MANIFEST), &mbytes)?;

    // Into place: the new directory replaces the old one in two renames, so a reader sees
    // the old bundle or the new one, never half of either.
    let tmp_path = tmp.keep();
    let mut old: Option<PathBuf> = None;
    if target.exists() {
        let aside = out_dir.join(format!(".{}.old-{}", content.month, std::process::id()));
        fs::rename(&target, &aside).map_err(|e| io_err("cannot move aside", &target, e))?;
        old = Some(aside);
    }
    if let Err(e) = fs::rename(&tmp_path, &target) {
        if let Some(aside) = &old {
            let _ = fs::rename(aside, &target);
        }
        let _ = fs::remove_dir_all(&tmp_path);
        return Err(io_err("cannot move the bundle into", &target, e));
    }
    if let Some(aside) = old {
        let _ = fs::remove_dir_all(aside);
    }
    Ok((target, manifest))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = fs::File::create(path).map_err(|e| io_err("cannot create", path, e))?;
    f.write_all(bytes)
        .map_err(|e| io_err("cannot write", path, e))?;
    f.sync_all().map_err(|e| io_err("cannot sync", path, e))
}

/// Reads a bundle's manifest.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST);
    let bytes = fs::read(&path).map_err(|e| {
        Error::usage(format!(
            "{} is not a bundle: cannot read {MANIFEST}: {e}",
            dir.display()
        ))
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Error::usage(format!("{} is not a valid manifest: {e}", path.display())))
}

/// Reads a bundle's rows from `usage.jsonl`.
pub fn read_rows(dir: &Path) -> Result<Vec<UsageRow>> {
    let path = dir.join(USAGE_JSONL);
    let text = fs::read_to_string(&path).map_err(|e| io_err("cannot read", &path, e))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map_err(|e| Error::usage(format!("{} line {}: {e}", path.display(), i + 1)))
        })
        .collect()
}

/// Re-checks every file of the manifest: the list of files that differ (missing, other size
/// or other sha256), empty when the bundle is intact.
pub fn verify(dir: &Path, manifest: &Manifest) -> Vec<String> {
    let mut bad = Vec::new();
    for f in &manifest.files {
        match fs::read(dir.join(&f.path)) {
            Err(e) => bad.push(format!("{}: {e}", f.path)),
            Ok(bytes) if bytes.len() as u64 != f.size => bad.push(format!(
                "{}: size {} instead of {}",
                f.path,
                bytes.len(),
                f.size
            )),
            Ok(bytes) if sha256_hex(&bytes) != f.sha256 => {
                bad.push(format!("{}: sha256 differs", f.path))
            }
            Ok(_) => {}
        }
    }
    bad
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(vendor: &str, customer: &str, product: &str, q: f64) -> UsageRow {
        UsageRow {
            vendor: vendor.into(),
            period_start: "2026-10-01".into(),
            period_end: "2026-10-31".into(),
            customer_id: customer.into(),
            customer_name: String::new(),
            product_code: product.into(),
            product_name: String::new(),
            metric: "m".into(),
            quantity: q,
            unit: "u".into(),
            amount: None,
            currency: String::new(),
            source: "s".into(),
        }
    }

    fn content(rows: Vec<UsageRow>) -> BundleContent {
        BundleContent {
            month: Month::parse("2026-10").unwrap(),
            raw: vec![("bigfix-metrics".into(), serde_json::json!([{"a": 1}]))],
            rows,
            vendors: vec![],
        }
    }

    #[test]
    fn rows_are_sorted_and_files_identical_across_runs() {
        let dir = tempfile::tempdir().unwrap();
        let rows = vec![
            row("v", "b", "p", 1.0),
            row("v", "a", "q", 2.0),
            row("a", "z", "p", 3.0),
        ];
        let (path, m) = write(dir.path(), &mut content(rows.clone()), "t1").unwrap();
        let csv1 = fs::read(path.join(USAGE_CSV)).unwrap();
        let text = String::from_utf8(csv1.clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("vendor,period_start,period_end,customer_id"));
        assert!(lines[1].starts_with("a,") && lines[2].contains(",a,") && lines[3].contains(",b,"));
        assert_eq!(m.rows, 3);
        assert!(verify(&path, &m).is_empty());
        let mut reversed = rows;
        reversed.reverse();
        let (path, _) = write(dir.path(), &mut content(reversed), "t2").unwrap();
        assert_eq!(fs::read(path.join(USAGE_CSV)).unwrap(), csv1);
        // Nothing but the bundle is left in the output directory.
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["2026-10".to_owned()]);
    }

    #[test]
    fn verify_catches_a_modified_file() {
        let dir = tempfile::tempdir().unwrap();
        let (path, m) =
            write(dir.path(), &mut content(vec![row("v", "c", "p", 1.0)]), "t").unwrap();
        fs::write(path.join(USAGE_CSV), b"tampered\n").unwrap();
        let bad = verify(&path, &read_manifest(&path).unwrap());
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(bad[0].starts_with("usage.csv"));
        assert!(m.files.iter().any(|f| f.path == "raw/bigfix-metrics.json"));
    }

    #[test]
    fn an_existing_bundle_is_refused_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let month = Month::parse("2026-10").unwrap();
        assert!(check_target(dir.path(), month, false).is_ok());
        fs::create_dir_all(dir.path().join("2026-10")).unwrap();
        assert_eq!(
            check_target(dir.path(), month, false)
                .unwrap_err()
                .exit_code(),
            2
        );
        assert!(check_target(dir.path(), month, true).is_ok());
    }
}

//! `licctl usage monthly`: collect a month from every selected vendor concurrently, and
//! write one bundle (or none).

use std::path::PathBuf;

use futures::future::join_all;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::bundle::{self, BundleContent, Manifest, VendorEntry};
use super::vendor::VendorId;
use super::{Month, VendorUsage};
use crate::context::Context;
use crate::error::{Error, ErrorKind, Result};

/// What a monthly run is asked to do.
#[derive(Debug, Clone)]
pub struct MonthlyOptions {
    /// The month.
    pub month: Month,
    /// Vendors named with `--vendors`, or `None` for every configured one.
    pub vendors: Option<Vec<VendorId>>,
    /// The directory the `<YYYY-MM>` bundle goes into.
    pub out_dir: PathBuf,
    /// Write a bundle of the vendors that succeeded when others fail (exit 8).
    pub keep_going: bool,
    /// Replace an existing bundle of the month.
    pub force: bool,
}

/// The result of one vendor.
#[derive(Debug)]
pub struct VendorOutcome {
    /// Which vendor.
    pub vendor: VendorId,
    /// Its usage, or why it failed.
    pub result: Result<VendorUsage>,
    /// Every request made for it.
    pub requests: Vec<crate::http::RequestRecord>,
}

/// A written bundle.
#[derive(Debug)]
pub struct MonthlyReport {
    /// Where it is.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// Its rows, in the bundle's order.
    pub rows: Vec<super::UsageRow>,
    /// True when `--keep-going` kept a bundle of only some vendors.
    pub partial: bool,
}

/// The vendors of a run: the ones named (each must be configured), else every configured one.
/// Everything is checked before any request.
pub fn select_vendors(
    ctx: &Context,
    http: &crate::http::HttpClient,
    named: Option<&[VendorId]>,
) -> Result<Vec<VendorId>> {
    let mut vendors: Vec<VendorId> = match named {
        Some(list) => {
            let mut v = list.to_vec();
            v.sort();
            v.dedup();
            v
        }
        None => VendorId::ALL
            .into_iter()
            .filter(|v| ctx.config.vendor(v.section()).is_configured())
            .collect(),
    };
    if vendors.is_empty() {
        return Err(Error::config("no vendor is configured for the monthly run").with_hint(
            "set LICCTL_<VENDOR>_URL and its credentials (see `licctl config init`), or try `licctl demo`",
        ));
    }
    for v in &vendors {
        v.check_configured(ctx, http)
            .map_err(|e| e.context(format!("{v} is not configured")))?;
    }
    vendors.sort();
    Ok(vendors)
}

/// Runs the month: validation, concurrent collection, then the bundle.
pub async fn run(ctx: &Context, opts: &MonthlyOptions) -> Result<MonthlyReport> {
    bundle::check_target(&opts.out_dir, opts.month, opts.force)?;
    let http = ctx.http()?;
    let vendors = select_vendors(ctx, &http, opts.vendors.as_deref())?;
    let progress = ctx.progress_enabled().then(MultiProgress::new);
    let style = ProgressStyle::with_template("{spinner} {prefix:<16} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    let outcomes = join_all(vendors.iter().map(|&vendor| {
        let http = http.with_fresh_record();
        let bar = progress.as_ref().map(|m| {
            let b = m.add(ProgressBar::new_spinner());
            b.set_style(style.clone());
            b.set_prefix(vendor.section());
            b.set_message(format!("collecting {}", opts.month));
            b.enable_steady_tick(std::time::Duration::from_millis(120));
            b
        });
        async move {
            let result = vendor.collect(ctx, http.clone(), opts.month).await;
            if let Some(b) = bar {
                match &result {
                    Ok(u) => b.finish_with_message(format!("ok, {} rows", u.rows.len())),
                    Err(e) => b.finish_with_message(format!("failed: {}", e.message())),
                }
            }
            VendorOutcome {
                vendor,
                result,
                requests: http.records(),
            }
        }
    }))
    .await;
    finish(ctx, opts, outcomes)
}

fn finish(
    ctx: &Context,
    opts: &MonthlyOptions,
    outcomes: Vec<VendorOutcome>,
) -> Result<MonthlyReport> {
    let failures: Vec<&Error> = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().err())
        .collect();
    if let Some(first) = failures.first() {
        let all_failed = failures.len() == outcomes.len();
        if !opts.keep_going || all_failed {
            let failed: Vec<String> = outcomes
                .iter()
                .filter(|o| o.result.is_err())
                .map(|o| o.vendor.section().to_owned())
                .collect();
            let mut e = (*first).clone().context(format!(
                "usage monthly {}: {} failed, no bundle written",
                opts.month,
                failed.join(", ")
            ));
            if !opts.keep_going && outcomes.len() > 1 {
                e = e.with_hint(
                    "--keep-going writes a bundle of the vendors that succeeded (exit 8)",
                );
            }
            return Err(e);
        }
    }
    let mut content = BundleContent {
        month: opts.month,
        raw: Vec::new(),
        rows: Vec::new(),
        vendors: Vec::new(),
    };
    for o in outcomes {
        let section = o.vendor.section().to_owned();
        let entry = match o.result {
            Ok(usage) => {
                for w in &usage.warnings {
                    // Say which vendor, unless the warning already starts by saying so.
                    if w.starts_with(section.as_str()) {
                        tracing::warn!("{w}");
                    } else {
                        tracing::warn!("{section}: {w}");
                    }
                }
                let entry = VendorEntry {
                    status: "ok".into(),
                    error: None,
                    exit_code: None,
                    rows: usage.rows.len(),
                    requests: o.requests,
                    warnings: usage.warnings,
                    details: usage.details,
                };
                content.raw.push((section.clone(), usage.raw));
                content.rows.extend(usage.rows);
                entry
            }
            Err(e) => {
                tracing::warn!("{section} failed: {}", e.message());
                VendorEntry {
                    status: "failed".into(),
                    error: Some(e.message().to_owned()),
                    exit_code: Some(e.exit_code()),
                    rows: 0,
                    requests: o.requests,
                    warnings: Vec::new(),
                    details: Default::default(),
                }
            }
        };
        content.vendors.push((section, entry));
    }
    let partial = content.vendors.iter().any(|(_, v)| v.status != "ok");
    let generated_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (dir, manifest) = bundle::write(&opts.out_dir, &mut content, &generated_at)?;
    ctx.note(&format!("wrote {}", dir.display()));
    Ok(MonthlyReport {
        dir,
        manifest,
        rows: content.rows,
        partial,
    })
}

/// The error a partial bundle ends with (exit 8), after it was written.
pub fn partial_error(report: &MonthlyReport) -> Error {
    let failed: Vec<&str> = report
        .manifest
        .vendors
        .iter()
        .filter(|(_, v)| v.get("status").and_then(|s| s.as_str()) != Some("ok"))
        .map(|(k, _)| k.as_str())
        .collect();
    Error::new(
        ErrorKind::Partial,
        format!(
            "partial bundle {}: {} failed (see manifest.json)",
            report.dir.display(),
            failed.join(", ")
        ),
    )
}

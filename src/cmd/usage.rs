//! `licctl usage monthly | show`: the SPLA bundle of a month across every vendor.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use crate::context::Context;
use crate::error::{Error, ErrorKind, Result};
use crate::output;
use crate::usage::monthly::{self, MonthlyOptions};
use crate::usage::{bundle, summary, Month, VendorId};

/// `licctl usage ...`
#[derive(Debug, Subcommand)]
pub enum UsageCommand {
    /// Collect a month from every configured vendor into one bundle (DIR/YYYY-MM/)
    ///
    /// The bundle holds raw/<vendor>.json (the APIs' answers), usage.csv and usage.jsonl (one
    /// normalised row per customer × product × metric, sorted), and manifest.json (version,
    /// month, per-vendor status, every request made without secrets, row counts, sha256 and
    /// size of every file). It appears complete or not at all. Prints one row per vendor.
    Monthly(MonthlyArgs),
    /// Summarise a bundle (per vendor or per customer), optionally re-checking every sha256
    Show(ShowArgs),
}

/// Flags of `usage monthly`.
#[derive(Debug, Args)]
pub struct MonthlyArgs {
    /// The month, YYYY-MM
    #[arg(long, value_name = "YYYY-MM")]
    pub month: String,
    /// Vendors to collect [default: every vendor configured in the profile / environment]
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ocr,otc,acronis,bigfix,veeam"
    )]
    pub vendors: Option<Vec<String>>,
    /// Directory that receives the YYYY-MM bundle directory
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Write a bundle of the vendors that succeeded when some fail (exit 8)
    #[arg(long)]
    pub keep_going: bool,
    /// Replace an existing bundle of the month
    #[arg(long)]
    pub force: bool,
}

impl MonthlyArgs {
    /// Validates the flags (before anything is sent).
    pub fn to_options(&self) -> Result<MonthlyOptions> {
        let vendors = match &self.vendors {
            None => None,
            Some(list) if list.iter().all(|v| v.trim().is_empty()) => {
                return Err(Error::usage("--vendors needs at least one vendor"))
            }
            Some(list) => Some(
                list.iter()
                    .map(|v| VendorId::parse(v))
                    .collect::<Result<Vec<_>>>()?,
            ),
        };
        Ok(MonthlyOptions {
            month: Month::parse(&self.month).map_err(|e| e.context("--month"))?,
            vendors,
            out_dir: self.out_dir.clone(),
            keep_going: self.keep_going,
            force: self.force,
        })
    }
}

/// What `usage show` summarises by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryBy {
    /// One row per vendor, with its status in the manifest.
    Vendor,
    /// One row per vendor × customer.
    Customer,
}

/// Flags of `usage show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The bundle directory (DIR/YYYY-MM)
    pub bundle: PathBuf,
    /// Summarise per vendor or per customer
    #[arg(long, value_enum, default_value = "vendor")]
    pub by: SummaryBy,
    /// Re-check the size and sha256 of every file against the manifest (exit 10 on a mismatch)
    #[arg(long)]
    pub verify: bool,
}

/// Runs a `usage` command.
pub async fn run(cmd: &UsageCommand, ctx: &Context) -> Result<()> {
    match cmd {
        UsageCommand::Monthly(args) => {
            let opts = args.to_options()?;
            let report = monthly::run(ctx, &opts).await?;
            let items = summary::per_vendor(&report.manifest, &report.rows);
            output::print_stream(
                &ctx.output,
                summary::VENDOR_COLUMNS,
                futures::stream::iter(items.into_iter().map(Ok)),
            )
            .await?;
            if report.partial {
                return Err(monthly::partial_error(&report));
            }
            Ok(())
        }
        UsageCommand::Show(args) => show(args, ctx).await,
    }
}

async fn show(args: &ShowArgs, ctx: &Context) -> Result<()> {
    let manifest = bundle::read_manifest(&args.bundle)?;
    if args.verify {
        let bad = bundle::verify(&args.bundle, &manifest);
        if !bad.is_empty() {
            let mut e = Error::new(
                ErrorKind::Integrity,
                format!(
                    "{} does not match its manifest: {}",
                    args.bundle.display(),
                    bad.join("; ")
                ),
            );
            e = e.with_hint("the bundle was modified after it was written; regenerate it with `licctl usage monthly --force`");
            return Err(e);
        }
        ctx.note(&format!(
            "verified {} files of {}",
            manifest.files.len(),
            args.bundle.display()
        ));
    }
    let rows = bundle::read_rows(&args.bundle)?;
    let (items, columns) = match args.by {
        SummaryBy::Vendor => (
            summary::per_vendor(&manifest, &rows),
            summary::VENDOR_COLUMNS,
        ),
        SummaryBy::Customer => (summary::per_customer(&rows), summary::CUSTOMER_COLUMNS),
    };
    output::print_stream(
        &ctx.output,
        columns,
        futures::stream::iter(items.into_iter().map(Ok)),
    )
    .await?;
    Ok(())
}

//! `licctl veeam-vspc` (alias `veeam`): Veeam Service Provider Console licensing (seed 004,
//! DESIGN.md §6) — license usage reports as rows, the current usage per organization, report
//! finalization and settings.
//!
//! Authentication: a static API key (`api_key` / `LICCTL_VEEAM_API_KEY`, sent as a bearer),
//! else the password grant with refresh and an on-disk token cache (see [`auth`]).

pub mod auth;
pub mod client;
mod cmd;
pub mod model;
pub mod usage;

use clap::{ArgAction, Args, Subcommand};

use self::model::View;
use crate::context::Context;
use crate::error::Result;

pub use self::cmd::client_with;

/// The configuration section and the vendor's name in messages.
pub const SECTION: &str = "veeam-vspc";

/// Veeam Service Provider Console licensing (api/v3).
///
/// Configure `url` (https://host:1280) and either `api_key`, or `username` and `password`
/// (LICCTL_VEEAM_URL, LICCTL_VEEAM_API_KEY, LICCTL_VEEAM_USERNAME, LICCTL_VEEAM_PASSWORD).
/// Self-signed server certificates: trust them with --ca-cert FILE.
#[derive(Debug, Args)]
pub struct VeeamArgs {
    /// The resource.
    #[command(subcommand)]
    pub command: VeeamCommand,
}

/// VSPC resources.
#[derive(Debug, Subcommand)]
pub enum VeeamCommand {
    /// License usage reports and the current license usage
    #[command(subcommand)]
    Licensing(LicensingCommand),
}

/// `licctl veeam licensing ...`
#[derive(Debug, Subcommand)]
pub enum LicensingCommand {
    /// Monthly license usage reports: list, latest, show, csv, finalize, settings
    #[command(subcommand)]
    Reports(ReportsCommand),
    /// The license usage of the current period
    #[command(subcommand)]
    Usage(UsageCommand),
}

/// `--view`: how a report becomes rows.
#[derive(Debug, Clone, Args)]
pub struct ViewArgs {
    /// Rows to print: reports, products, workloads, organizations or details. Without it, json,
    /// jsonl and xml print each report whole, exactly as the server sent it, and table, csv and
    /// tsv use the reports view
    #[arg(long, value_enum, value_name = "VIEW")]
    pub view: Option<View>,
}

/// `licctl veeam licensing reports ...`
#[derive(Debug, Subcommand)]
pub enum ReportsCommand {
    /// List every license usage report (all pages)
    ///
    /// Last month's workloads per organization as csv:
    /// `licctl veeam licensing reports list --month 2026-10 --view details -o csv`
    List {
        /// Only the reports whose period starts in this month (YYYY-MM); --max-items counts
        /// the reports fetched before this filter
        #[arg(long, value_name = "YYYY-MM")]
        month: Option<String>,
        #[command(flatten)]
        view: ViewArgs,
    },
    /// The latest reports: the provider's and each reseller's
    Latest {
        #[command(flatten)]
        view: ViewArgs,
    },
    /// The reports generated on a date
    Show {
        /// Generation date, YYYY-MM-DD
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: String,
        #[command(flatten)]
        view: ViewArgs,
    },
    /// Download a report as the CSV file VSPC makes (bytes as sent; --out FILE writes it
    /// atomically)
    Csv {
        /// The report id (reportId)
        #[arg(value_name = "ID")]
        id: u64,
    },
    /// Finalize the current reports and print the approval status
    Finalize,
    /// Show the report settings, or change them (a JSON-Patch `replace` per field)
    Settings {
        /// Approve reports automatically (the `autoApprove` field)
        #[arg(long, value_name = "true|false", action = ArgAction::Set)]
        auto_approve: Option<bool>,
        /// Any other field: FIELD=VALUE, VALUE as JSON when it parses (true, 5, "x"), else
        /// as a string; repeatable
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
    },
}

/// `licctl veeam licensing usage ...`
#[derive(Debug, Subcommand)]
pub enum UsageCommand {
    /// License usage per organization (all pages), with filters
    ///
    /// The filters become VSPC's `filter` query parameter (a JSON array of expressions, all
    /// of which must hold).
    Organizations {
        /// Only this organization (UID); repeatable
        #[arg(long = "organization-uid", value_name = "UID")]
        organization_uid: Vec<String>,
        /// Only organizations of this type; repeatable
        #[arg(long = "organization-type", value_enum, value_name = "TYPE")]
        organization_type: Vec<cmd::OrganizationType>,
        /// Only organizations whose name contains this text (case-insensitive)
        #[arg(long, value_name = "TEXT")]
        name_contains: Option<String>,
        /// A raw VSPC filter expression (JSON object or array), added to the others
        #[arg(long, value_name = "JSON")]
        filter: Option<String>,
    },
}

/// Runs a `veeam-vspc` command.
pub async fn run(args: &VeeamArgs, ctx: &Context) -> Result<()> {
    match &args.command {
        VeeamCommand::Licensing(LicensingCommand::Reports(cmd)) => cmd::reports(cmd, ctx).await,
        VeeamCommand::Licensing(LicensingCommand::Usage(cmd)) => cmd::usage(cmd, ctx).await,
    }
}

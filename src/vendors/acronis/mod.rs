//! `licctl acronis-reports` (alias `acronis`): Acronis Cyber Platform usage reports (seed 002,
//! DESIGN.md §6): create a report, wait for its stored files, download them; list, show,
//! update and delete report configurations. Client-credentials auth with a cached token.

pub mod auth;
pub mod client;
mod cmd;
pub mod model;
pub mod usage;

use std::path::PathBuf;

use clap::{Args, Subcommand};

use self::auth::ClientCredentials;
use self::client::{api_base, AcronisClient};
use self::model::{Kind, Level, ReportFormat, ResultAction, ScheduleType};
use crate::auth::{Auth, TokenCache};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::http::request::parse_base_url;
use crate::http::HttpClient;

/// The configuration section and the vendor's name in messages.
pub const SECTION: &str = "acronis-reports";

/// Acronis Cyber Platform usage reports (api/2).
///
/// Auth: the API client's client_id and client_secret (LICCTL_ACRONIS_CLIENT_ID /
/// LICCTL_ACRONIS_CLIENT_SECRET) are exchanged for an access token, cached under the cache
/// directory until shortly before it expires; LICCTL_ACRONIS_TOKEN (a ready bearer token)
/// skips the exchange. The tenant comes from --tenant, LICCTL_ACRONIS_TENANT_ID or the profile.
#[derive(Debug, Args)]
pub struct AcronisArgs {
    /// The resource.
    #[command(subcommand)]
    pub command: AcronisCommand,
}

/// Acronis resources.
#[derive(Debug, Subcommand)]
pub enum AcronisCommand {
    /// Usage reports: create, wait for and download them; list, show, update, delete
    #[command(subcommand)]
    Reports(ReportsCommand),
}

/// `licctl acronis reports ...`
#[derive(Debug, Subcommand)]
pub enum ReportsCommand {
    /// Create a usage report (POST /reports); --wait and --download fetch its files
    ///
    /// A month's billing report in one line:
    /// licctl acronis reports create --kind usage_summary --level accounts --month 2026-10
    /// --format json_v2_0,csv_v2_0 --show-skus --download ./reports
    Create(CreateArgs),
    /// List the tenant's reports with their details
    List(ListArgs),
    /// Show one report's configuration
    Show {
        /// Report ID (UUID)
        id: String,
    },
    /// Change a scheduled report (kind, level, recipients, enabled, ...)
    Update(UpdateArgs),
    /// Delete a report (the current version unless --version is given)
    // `--version N` is the report's version here, not licctl's (`licctl --version` still is).
    #[command(disable_version_flag = true)]
    Delete {
        /// Report ID (UUID)
        id: String,
        /// The version to delete [default: the current one, fetched first]
        #[arg(long, value_name = "N")]
        version: Option<i64>,
    },
    /// List a report's stored files with their status (in_progress, saved, failed)
    Stored {
        /// Report ID (UUID)
        id: String,
    },
    /// Download a stored file into --out FILE (streamed, atomic)
    Download(DownloadArgs),
}

/// `reports create`: every field of the seed's report_data.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// What the report counts
    #[arg(long, value_enum)]
    pub kind: Kind,
    /// How deep the report goes below the tenant
    #[arg(long, value_enum)]
    pub level: Level,
    /// First day of the period, YYYY-MM-DD
    #[arg(long, value_name = "DATE", requires = "to", conflicts_with = "month")]
    pub from: Option<String>,
    /// Last day of the period, YYYY-MM-DD
    #[arg(long, value_name = "DATE", requires = "from", conflicts_with = "month")]
    pub to: Option<String>,
    /// The period as a whole month, YYYY-MM (instead of --from/--to)
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// File formats, comma-separated [default: the server's choice]
    #[arg(long = "format", value_enum, value_delimiter = ',', value_name = "F,F")]
    pub formats: Option<Vec<ReportFormat>>,
    /// Generate once or every month
    #[arg(long, value_enum, default_value = "once")]
    pub schedule: ScheduleType,
    /// Save the result as stored files, or send it by email to --recipient
    #[arg(long, value_enum, default_value = "save")]
    pub action: ResultAction,
    /// User UUID to email the report to (repeatable; required with --action send, only then)
    #[arg(long = "recipient", value_name = "UUID")]
    pub recipients: Vec<String>,
    /// When a one-time report is generated, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub generation_date: Option<String>,
    /// Hide metrics without usage
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub hide_zero_usage: Option<bool>,
    /// Show SKU fields
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub show_skus: Option<bool>,
    /// Tenant UUID the report is about [default: tenant_id / LICCTL_ACRONIS_TENANT_ID]
    #[arg(long, value_name = "UUID")]
    pub tenant: Option<String>,
    /// Wait until every stored file is saved or failed (a failed one is an error, exit 7)
    #[arg(long)]
    pub wait: bool,
    /// Download the stored files into DIR once saved (implies --wait)
    #[arg(long, value_name = "DIR")]
    pub download: Option<PathBuf>,
    /// Give up waiting after this many seconds
    #[arg(long, value_name = "SECS", default_value_t = 900.0, value_parser = crate::cli::positive_secs)]
    pub wait_timeout: f64,
    /// First pause between two polls of the stored files (doubles up to 30 s)
    #[arg(long, value_name = "SECS", default_value_t = 1.0, value_parser = crate::cli::positive_secs, hide = true)]
    pub poll_interval: f64,
}

/// `reports list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Tenant UUID [default: tenant_id / LICCTL_ACRONIS_TENANT_ID]
    #[arg(long, value_name = "UUID")]
    pub tenant: Option<String>,
    /// Only the report ids, without fetching each report's details
    #[arg(long)]
    pub ids_only: bool,
}

/// `reports update`: what a scheduled report lets change.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Report ID (UUID)
    pub id: String,
    /// New kind
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,
    /// New level
    #[arg(long, value_enum)]
    pub level: Option<Level>,
    /// New recipients, replacing the old ones (repeatable)
    #[arg(
        long = "recipient",
        value_name = "UUID",
        conflicts_with = "clear_recipients"
    )]
    pub recipients: Vec<String>,
    /// Remove every recipient
    #[arg(long)]
    pub clear_recipients: bool,
    /// Enable (true) or disable (false) the schedule
    #[arg(long, value_name = "BOOL")]
    pub enabled: Option<bool>,
    /// Hide metrics without usage
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub hide_zero_usage: Option<bool>,
    /// Show SKU fields
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub show_skus: Option<bool>,
}

/// `reports download`.
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// Report ID (UUID)
    pub id: String,
    /// Stored file ID (UUID), as `reports stored` lists them
    #[arg(required_unless_present = "latest", conflicts_with = "latest")]
    pub stored_id: Option<String>,
    /// The most recent saved file instead of a named one
    #[arg(long)]
    pub latest: bool,
    /// With --latest: the most recent saved file of this format
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
}

/// Runs an `acronis-reports` command.
pub async fn run(args: &AcronisArgs, ctx: &Context) -> Result<()> {
    match &args.command {
        AcronisCommand::Reports(cmd) => cmd::reports(cmd, ctx).await,
    }
}

/// The authenticated client from the profile / environment, on `http` (the monthly run
/// passes one with its own request record); commands never assemble auth themselves.
pub fn connect(ctx: &Context, http: HttpClient) -> Result<AcronisClient> {
    let cfg = ctx.config.vendor(SECTION);
    let url = parse_base_url(&cfg.require("url")?.value, SECTION)?;
    let base = api_base(&url);
    let auth = match cfg.secret("token")? {
        Some((token, _)) => Auth::Bearer(token),
        None => {
            let client_id = cfg.require("client_id")?.value;
            let secret = cfg.require_secret("client_secret")?;
            let cache = TokenCache::new(
                ctx.config.cache_dir(),
                SECTION,
                ctx.config.profile_name(),
                url.as_str(),
            );
            ClientCredentials::auth(&base, client_id, secret, cache)
        }
    };
    Ok(AcronisClient::new(http, base, auth))
}

/// The tenant: `--tenant` (a usage error when malformed), else the configuration (a
/// configuration error when missing or malformed).
pub fn tenant(ctx: &Context, flag: Option<&str>) -> Result<String> {
    if let Some(t) = flag {
        return crate::model::parse_uuid("--tenant", t);
    }
    let cfg = ctx.config.vendor(SECTION);
    let setting = cfg.get("tenant_id").ok_or_else(|| {
        Error::config(format!("{SECTION} tenant_id is not configured")).with_hint(
            "pass --tenant UUID, set LICCTL_ACRONIS_TENANT_ID, or add tenant_id to the profile",
        )
    })?;
    crate::model::parse_uuid("tenant_id", &setting.value).map_err(|e| {
        Error::config(format!(
            "{SECTION} {} (from {})",
            e.message(),
            setting.origin
        ))
    })
}

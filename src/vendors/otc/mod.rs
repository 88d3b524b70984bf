//! `licctl otc-dashboard` (alias `otc`): the Open Telekom Cloud Enterprise Dashboard's
//! consumption API — v1 (seed 001), v2's NDJSON streams (DESIGN.md §6) and the deprecated
//! Grafana key and organization endpoints.

pub mod client;
pub mod cmd;
pub mod model;
pub mod summary;
pub mod usage;

use clap::{Args, Subcommand};

use self::client::{GrafanaClient, OtcClient};
use self::cmd::consumption::ConsumptionCommand;
use self::cmd::grafana::GrafanaCommand;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::http::request::parse_base_url;
use crate::http::HttpClient;

/// The configuration section and the vendor's name in messages.
pub const SECTION: &str = "otc-dashboard";

/// The vendor's name in messages (`--page-size 101 is out of range for ...`).
pub const VENDOR_NAME: &str = "the OTC Enterprise Dashboard";

/// Which API generation to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ApiVersion {
    /// The seed's API: paged JSON collections
    #[default]
    V1,
    /// NDJSON streams of /v2/daily and /v2/hourly consumption
    V2,
}

impl ApiVersion {
    /// Parses the config / environment spelling: `v1`, `1`, `v2`, `2`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "v1" | "1" => Ok(ApiVersion::V1),
            "v2" | "2" => Ok(ApiVersion::V2),
            other => Err(Error::config(format!(
                "{SECTION} api_version {other:?} must be v1 or v2"
            ))),
        }
    }
}

/// OTC Enterprise Dashboard: consumption (v1 paged, v2 streamed), health, Grafana (deprecated).
///
/// Authentication: `Authorization: Bearer <api key>` from api_key / LICCTL_OTC_API_KEY;
/// health needs none; the Grafana endpoints use HTTP Basic with grafana_user /
/// grafana_password (LICCTL_OTC_GRAFANA_USER, LICCTL_OTC_GRAFANA_PASSWORD).
#[derive(Debug, Args)]
pub struct OtcArgs {
    /// API version [default: api_version / LICCTL_OTC_API_VERSION, else v1]
    #[arg(long, global = true, value_enum)]
    pub api_version: Option<ApiVersion>,

    /// The resource.
    #[command(subcommand)]
    pub command: OtcCommand,
}

/// The group's resources.
#[derive(Debug, Subcommand)]
pub enum OtcCommand {
    /// Consumption data: list (all pages / the v2 stream), day, week, month, reserved, summary
    #[command(subcommand)]
    Consumption(ConsumptionCommand),
    /// The API's health (no authentication): /v1/consumption/health, or /v2/health with v2
    Health,
    /// Grafana API keys and organizations (DEPRECATED by the vendor on 2023-07-31)
    #[command(subcommand)]
    Grafana(GrafanaCommand),
}

/// Runs an `otc-dashboard` command.
pub async fn run(args: &OtcArgs, ctx: &Context) -> Result<()> {
    match &args.command {
        OtcCommand::Consumption(cmd) => cmd::consumption::run(cmd, args, ctx).await,
        OtcCommand::Health => {
            let version = api_version(args.api_version, ctx)?;
            let client = OtcClient::new(ctx.http()?, base_url(ctx)?, None);
            let v = client.health(version == ApiVersion::V2).await?;
            crate::output::print_one(&ctx.output, &[], &v)
        }
        OtcCommand::Grafana(cmd) => cmd::grafana::run(cmd, ctx).await,
    }
}

/// The API version: the flag, else the profile / environment, else v1.
pub fn api_version(flag: Option<ApiVersion>, ctx: &Context) -> Result<ApiVersion> {
    match flag {
        Some(v) => Ok(v),
        None => match ctx.config.vendor(SECTION).get("api_version") {
            Some(s) => ApiVersion::parse(&s.value)
                .map_err(|e| e.with_hint(format!("api_version comes from {}", s.origin))),
            None => Ok(ApiVersion::V1),
        },
    }
}

/// The configured base URL (exit 3 when missing or malformed).
pub fn base_url(ctx: &Context) -> Result<url::Url> {
    parse_base_url(&ctx.config.vendor(SECTION).require("url")?.value, SECTION)
}

/// The authenticated consumption client; commands never assemble auth themselves.
pub fn consumption_client(ctx: &Context, http: HttpClient) -> Result<OtcClient> {
    let cfg = ctx.config.vendor(SECTION);
    let base = base_url(ctx)?;
    let key = cfg.require_secret("api_key")?;
    Ok(OtcClient::new(http, base, Some(key)))
}

/// The Grafana client with HTTP Basic credentials from the profile / environment.
pub fn grafana_client(ctx: &Context) -> Result<GrafanaClient> {
    let cfg = ctx.config.vendor(SECTION);
    let base = base_url(ctx)?;
    let user = cfg.require("grafana_user")?.value;
    let password = cfg.require_secret("grafana_password")?;
    Ok(GrafanaClient::new(ctx.http()?, base, &user, password))
}

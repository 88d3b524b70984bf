//! `licctl bigfix-metrics` (alias `bigfix`): BigFix Inventory license metrics (seed 003).

pub mod client;
pub mod model;

use clap::{Args, Subcommand};

use self::client::{BigfixClient, TokenLocation};
use self::model::{CodeName, DisplayName, METRIC_COLUMNS};
use crate::context::Context;
use crate::error::{Result, ResultExt};
use crate::http::request::parse_base_url;
use crate::output;

/// The configuration section and the vendor's name in messages.
pub const SECTION: &str = "bigfix-metrics";

/// BigFix's page size when none is asked for, and the most licctl asks for at once.
const DEFAULT_PAGE_SIZE: u64 = 100;
const MAX_PAGE_SIZE: u64 = 10_000;

/// BigFix Inventory license metrics (api/sam/v2).
#[derive(Debug, Args)]
pub struct BigfixArgs {
    /// Where the API token travels [default: query, or token_location / LICCTL_BIGFIX_TOKEN_LOCATION]
    #[arg(long, value_enum, global = true)]
    pub token_location: Option<TokenLocation>,

    /// The resource.
    #[command(subcommand)]
    pub command: BigfixCommand,
}

/// BigFix resources.
#[derive(Debug, Subcommand)]
pub enum BigfixCommand {
    /// License metrics: list, create, rename and delete custom metrics
    #[command(subcommand)]
    Metrics(MetricsCommand),
}

/// `licctl bigfix metrics ...`
#[derive(Debug, Subcommand)]
pub enum MetricsCommand {
    /// List every license metric (all pages)
    List,
    /// Create a custom metric
    Create {
        /// Code name: upper-case letters, digits and _, at most 254 characters
        #[arg(long)]
        code_name: String,
        /// Display name, at most 254 characters
        #[arg(long)]
        display_name: String,
    },
    /// Rename a custom metric (predefined metrics refuse: exit 4)
    Update {
        /// Code name of the metric to rename
        #[arg(long)]
        code_name: String,
        /// The new display name, at most 254 characters
        #[arg(long)]
        display_name: String,
    },
    /// Delete a custom metric (predefined metrics refuse: exit 4)
    Delete {
        /// Code name of the metric to delete
        #[arg(long)]
        code_name: String,
    },
}

/// Runs a `bigfix-metrics` command.
pub async fn run(args: &BigfixArgs, ctx: &Context) -> Result<()> {
    match &args.command {
        BigfixCommand::Metrics(cmd) => metrics(cmd, args, ctx).await,
    }
}

async fn metrics(cmd: &MetricsCommand, args: &BigfixArgs, ctx: &Context) -> Result<()> {
    match cmd {
        MetricsCommand::List => {
            let paging = ctx.paging().for_vendor(
                ctx.global.page_size,
                DEFAULT_PAGE_SIZE,
                MAX_PAGE_SIZE,
                "BigFix",
            )?;
            let client = client(args, ctx)?;
            let items =
                futures::StreamExt::map(client.list_metrics(paging), |r| r.map(|m| m.into_raw()));
            output::print_stream(&ctx.output, METRIC_COLUMNS, items)
                .await
                .with_context(|| "listing license metrics")?;
            Ok(())
        }
        MetricsCommand::Create {
            code_name,
            display_name,
        } => {
            let (code, display) = (
                CodeName::parse(code_name)?,
                DisplayName::parse(display_name)?,
            );
            let m = client(args, ctx)?
                .create_metric(&code, &display)
                .await
                .with_context(|| format!("creating metric {}", code.as_str()))?;
            output::print_one(&ctx.output, METRIC_COLUMNS, m.raw())
        }
        MetricsCommand::Update {
            code_name,
            display_name,
        } => {
            let (code, display) = (
                CodeName::parse(code_name)?,
                DisplayName::parse(display_name)?,
            );
            let m = client(args, ctx)?
                .update_metric(&code, &display)
                .await
                .with_context(|| format!("updating metric {}", code.as_str()))?;
            output::print_one(&ctx.output, METRIC_COLUMNS, m.raw())
        }
        MetricsCommand::Delete { code_name } => {
            let code = CodeName::parse(code_name)?;
            let body = client(args, ctx)?
                .delete_metric(&code)
                .await
                .with_context(|| format!("deleting metric {}", code.as_str()))?;
            if body.as_object().is_some_and(|o| !o.is_empty()) {
                output::print_one(&ctx.output, &[], &body)?;
            }
            ctx.note(&format!("deleted metric {}", code.as_str()));
            Ok(())
        }
    }
}

/// The authenticated client from the profile / environment; commands never assemble auth.
fn client(args: &BigfixArgs, ctx: &Context) -> Result<BigfixClient> {
    let cfg = ctx.config.vendor(SECTION);
    let url = parse_base_url(&cfg.require("url")?.value, SECTION)?;
    let token = cfg.require_secret("token")?;
    let location = match args.token_location {
        Some(l) => l,
        None => match cfg.get("token_location") {
            Some(s) => TokenLocation::parse(&s.value)?,
            None => TokenLocation::Query,
        },
    };
    Ok(BigfixClient::new(ctx.http()?, url, token, location))
}

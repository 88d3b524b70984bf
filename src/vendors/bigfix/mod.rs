//! `licctl bigfix-metrics` (alias `bigfix`): BigFix Inventory license metrics (seed 003).

pub mod client;
pub mod model;
pub mod usage;

use clap::{Args, Subcommand};

use self::client::{BigfixClient, LicenseUsageQuery, TokenLocation};
use self::model::{CodeName, Criteria, DisplayName, LICENSE_USAGE_COLUMNS, METRIC_COLUMNS};
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

    /// Peak utilisation of license metrics by product (api/sam/v2/license_usage)
    #[command(subcommand, name = "license-usage")]
    LicenseUsage(LicenseUsageCommand),
}

/// `licctl bigfix license-usage ...`
#[derive(Debug, Subcommand)]
pub enum LicenseUsageCommand {
    /// Peak usage per product and metric for a period (all pages)
    List(LicenseUsageArgs),
}

/// The period and filters of `license-usage list`.
#[derive(Debug, Args)]
pub struct LicenseUsageArgs {
    /// First day of the period, YYYY-MM-DD (startdate)
    #[arg(long, value_name = "DATE")]
    pub from: String,
    /// Last day of the period, YYYY-MM-DD (enddate)
    #[arg(long, value_name = "DATE")]
    pub to: String,
    /// Columns the server should return (columns[]), e.g. product_name,metric_id,metric_quantity
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub columns: Vec<String>,
    /// Sort order (order[]): a column, or "column desc"; repeatable
    #[arg(long, value_name = "COLUMN")]
    pub order: Vec<String>,
    /// A filter as JSON: {"and":[["column","operator","value"]]} (operators: eq, neq, contains,
    /// begins_with, ends_with, gt, gte, lt, lte)
    #[arg(long, value_name = "JSON")]
    pub criteria: Option<String>,
    /// Computer group to report on (computerGroupId) [default: the token owner's]
    #[arg(long, value_name = "ID")]
    pub computer_group_id: Option<u64>,
}

impl LicenseUsageArgs {
    /// Validates the flags into the client's query: dates, their order, the criteria shape.
    pub fn to_query(&self) -> Result<LicenseUsageQuery> {
        let from = crate::model::parse_date("--from", &self.from)?;
        let to = crate::model::parse_date("--to", &self.to)?;
        if to < from {
            return Err(crate::Error::usage(format!(
                "--to {to} is before --from {from}"
            )));
        }
        if let Some(bad) = self
            .columns
            .iter()
            .chain(&self.order)
            .find(|c| c.trim().is_empty())
        {
            return Err(crate::Error::usage(format!(
                "empty column name {bad:?} in --columns/--order"
            )));
        }
        Ok(LicenseUsageQuery {
            from,
            to,
            columns: self.columns.iter().map(|c| c.trim().to_owned()).collect(),
            order: self.order.iter().map(|c| c.trim().to_owned()).collect(),
            criteria: self.criteria.as_deref().map(Criteria::parse).transpose()?,
            computer_group: self.computer_group_id,
        })
    }
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
        BigfixCommand::LicenseUsage(LicenseUsageCommand::List(list)) => {
            let query = list.to_query()?;
            let paging = ctx.paging().for_vendor(
                ctx.global.page_size,
                DEFAULT_PAGE_SIZE,
                MAX_PAGE_SIZE,
                "BigFix",
            )?;
            let columns: Vec<&str> = if query.columns.is_empty() {
                LICENSE_USAGE_COLUMNS.to_vec()
            } else {
                query.columns.iter().map(String::as_str).collect()
            };
            let client = client(args.token_location, ctx, ctx.http()?)?;
            let items = futures::StreamExt::map(client.license_usage(query.clone(), paging), |r| {
                r.map(|m| m.into_raw())
            });
            output::print_stream(&ctx.output, &columns, items)
                .await
                .with_context(|| {
                    format!("listing license usage from {} to {}", query.from, query.to)
                })?;
            Ok(())
        }
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
            let client = client(args.token_location, ctx, ctx.http()?)?;
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
            let m = client(args.token_location, ctx, ctx.http()?)?
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
            let m = client(args.token_location, ctx, ctx.http()?)?
                .update_metric(&code, &display)
                .await
                .with_context(|| format!("updating metric {}", code.as_str()))?;
            output::print_one(&ctx.output, METRIC_COLUMNS, m.raw())
        }
        MetricsCommand::Delete { code_name } => {
            let code = CodeName::parse(code_name)?;
            let body = client(args.token_location, ctx, ctx.http()?)?
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
pub(crate) fn client(
    flag: Option<TokenLocation>,
    ctx: &Context,
    http: crate::http::HttpClient,
) -> Result<BigfixClient> {
    let cfg = ctx.config.vendor(SECTION);
    let url = parse_base_url(&cfg.require("url")?.value, SECTION)?;
    let token = cfg.require_secret("token")?;
    let location = match flag {
        Some(l) => l,
        None => match cfg.get("token_location") {
            Some(s) => TokenLocation::parse(&s.value)?,
            None => TokenLocation::Query,
        },
    };
    Ok(BigfixClient::new(http, url, token, location))
}

//! One file per resource of `licctl ocreporter`: each turns its clap arguments into the
//! client's typed options (validating them before any request), calls the client and hands
//! the answer to the output sink. This file holds what they share: the arguments that recur
//! (`--q`, customer filters, `--set`, `--exclude-spla`, `--by`) and [`Ocr`], the command's
//! view of the context.

pub mod activities;
pub mod alerts;
pub mod clusters;
pub mod contract_licenses;
pub mod customers;
pub mod data_sources;
pub mod datacenters;
pub mod devices;
pub mod hosts;
pub mod installed_softwares;
pub mod pricecatalog;
pub mod reports;
pub mod scan_alerts;
pub mod user_softwares;
pub mod users;
pub mod vms;
pub mod workspaces;

use clap::Args;
use futures::stream::BoxStream;
use futures::StreamExt;
use serde_json::Value;

use super::client::{ListQuery, OcrClient, Resource, Settings};
use super::model::{By, Ref, SetField, SplaExclusion};
use super::{ConnectionArgs, SECTION};
use crate::context::Context;
use crate::error::{Result, ResultExt};
use crate::http::request::parse_base_url;
use crate::http::HttpClient;
use crate::output;
use crate::paginate::PageOptions;

/// OC Reporter's page size when none is asked for, and the most licctl asks for at once.
pub const DEFAULT_PAGE_SIZE: u64 = 100;
/// The largest `showPerPage` licctl sends.
pub const MAX_PAGE_SIZE: u64 = 1000;

/// The client for the profile / environment, sending through `http`; commands never assemble
/// auth themselves. Configuration errors (exit 3) name the missing key.
pub fn client_with(ctx: &Context, http: HttpClient, conn: &ConnectionArgs) -> Result<OcrClient> {
    let cfg = ctx.config.vendor(SECTION);
    let url = parse_base_url(&cfg.require("url")?.value, SECTION)?;
    let workspace = match cfg.get_or("workspace", conn.workspace.as_deref()) {
        Some(s) if !s.value.trim().is_empty() => s.value.trim().to_owned(),
        _ => {
            return Err(crate::Error::config("ocreporter workspace is not set")
                .with_hint("pass --workspace ID, or set LICCTL_OCREPORTER_WORKSPACE or workspace in the profile"))
        }
    };
    let token = cfg.require_secret("token")?;
    let tenant = cfg.require("tenant")?.value;
    let language = cfg
        .get_or_default("language", conn.language.as_deref(), "en")
        .value;
    Ok(OcrClient::new(
        http,
        Settings {
            url,
            workspace,
            token,
            tenant,
            language,
            format: conn.server_format.unwrap_or_default(),
        },
    ))
}

/// What a command needs: the context and the connection flags.
#[derive(Clone, Copy)]
pub struct Ocr<'a> {
    /// The invocation's context.
    pub ctx: &'a Context,
    /// `--workspace`, `--server-format`, `--language`.
    pub conn: &'a ConnectionArgs,
}

impl Ocr<'_> {
    /// The authenticated client (built after the arguments were validated).
    pub fn client(&self) -> Result<OcrClient> {
        client_with(self.ctx, self.ctx.http()?, self.conn)
    }

    /// Paging with OC Reporter's bounds and `default` items a page.
    pub fn paging(&self, default: u64) -> Result<PageOptions> {
        self.ctx.paging().for_vendor(
            self.ctx.global.page_size,
            default,
            MAX_PAGE_SIZE,
            "OC Reporter",
        )
    }

    /// Prints a stream of items.
    pub async fn print_list(
        &self,
        columns: &[&str],
        items: BoxStream<'static, Result<Value>>,
        what: &str,
    ) -> Result<()> {
        output::print_stream(&self.ctx.output, columns, items)
            .await
            .with_context(|| what.to_owned())?;
        Ok(())
    }

    /// Lists a resource with the default page size.
    pub async fn list(
        &self,
        r: Resource,
        query: ListQuery,
        columns: &[&str],
        what: &str,
    ) -> Result<()> {
        let paging = self.paging(DEFAULT_PAGE_SIZE)?;
        let items = self.client()?.list_resource(r, query, paging);
        self.print_list(columns, items, what).await
    }

    /// Prints rows computed from one answer (report sections), honouring `--max-items`.
    pub async fn print_rows(&self, columns: &[&str], rows: Vec<Value>, what: &str) -> Result<()> {
        let max = self
            .ctx
            .global
            .max_items
            .map_or(usize::MAX, |m| usize::try_from(m).unwrap_or(usize::MAX));
        let stream = futures::stream::iter(rows.into_iter().take(max).map(Ok)).boxed();
        self.print_list(columns, stream, what).await
    }

    /// Prints one object.
    pub fn print_one(&self, columns: &[&str], v: &Value) -> Result<()> {
        output::print_one(&self.ctx.output, columns, v)
    }

    /// Prints an answer that is a list (bare or in an envelope) as rows, anything else as one
    /// object (alerts, reports).
    pub async fn print_answer(&self, columns: &[&str], v: Value, what: &str) -> Result<()> {
        match super::model::parse_list_page(v.clone()) {
            Ok(page) => self.print_rows(columns, page.items, what).await,
            Err(_) => self.print_one(columns, &v),
        }
    }

    /// Shows one record of a resource.
    pub async fn show(
        &self,
        r: Resource,
        reference: &Ref,
        columns: &[&str],
        what: &str,
    ) -> Result<()> {
        let v = self
            .client()?
            .show(r, reference)
            .await
            .with_context(|| format!("showing {what} {}", reference.value()))?;
        self.print_one(columns, &v)
    }

    /// After a delete: the server's body if it sent one, and a note.
    pub fn deleted(&self, body: &Value, what: &str) -> Result<()> {
        if body.as_object().is_some_and(|o| !o.is_empty())
            || body.as_array().is_some_and(|a| !a.is_empty())
        {
            self.print_one(&[], body)?;
        }
        self.ctx.note(&format!("deleted {what}"));
        Ok(())
    }
}

/// `--q` / `--search`: the seed's `q` name filter of every list.
#[derive(Debug, Clone, Default, Args)]
pub struct ListArgs {
    /// Only objects whose name contains TEXT (the API's q parameter)
    #[arg(long = "q", visible_alias = "search", value_name = "TEXT")]
    pub q: Option<String>,
}

impl ListArgs {
    /// The list query with the name filter.
    pub fn query(&self) -> ListQuery {
        ListQuery::named(self.q.as_deref())
    }
}

/// The customer filters of the device and user lists (`payload[customer.*]`).
#[derive(Debug, Clone, Default, Args)]
pub struct CustomerFilterArgs {
    /// Only those assigned to the customer with this id (payload[customer.id])
    #[arg(long, value_name = "N")]
    pub customer_id: Option<String>,
    /// Only those assigned to the customer with this name (payload[customer.label])
    #[arg(long, value_name = "S")]
    pub customer_label: Option<String>,
    /// Only those assigned to the customer with this internal id (payload[customer.internal_id])
    #[arg(long, value_name = "S")]
    pub customer_internal_id: Option<String>,
}

impl CustomerFilterArgs {
    /// Adds the filters to `query`, checking the id.
    pub fn apply(&self, query: ListQuery) -> Result<ListQuery> {
        let id = self
            .customer_id
            .as_deref()
            .map(|i| super::model::check_id(i, "customer"))
            .transpose()?;
        Ok(query
            .payload("customer.id", id)
            .payload("customer.label", self.customer_label.as_deref())
            .payload("customer.internal_id", self.customer_internal_id.as_deref()))
    }
}

/// `--set FIELD=VALUE`, repeatable: any attribute without a typed flag.
#[derive(Debug, Clone, Default, Args)]
pub struct SetArgs {
    /// Any other attribute, as FIELD=VALUE (repeatable; sent as <Key>[FIELD]=VALUE)
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
}

impl SetArgs {
    /// The parsed pairs.
    pub fn parse(&self) -> Result<Vec<SetField>> {
        self.set.iter().map(|s| SetField::parse(s)).collect()
    }
}

/// `--exclude-spla REASON [--description TEXT]` / `--include-spla`: the exclude_spla triple.
#[derive(Debug, Clone, Default, Args)]
pub struct ExcludeArgs {
    /// Exclude from SPLA with this reason (exclude_spla=yes, exclude_spla_reason=REASON, e.g. other, admin)
    #[arg(long, value_name = "REASON", conflicts_with = "include_spla")]
    pub exclude_spla: Option<String>,
    /// Why, in words (exclude_spla_description); goes with --exclude-spla
    #[arg(long, value_name = "TEXT", requires = "exclude_spla")]
    pub description: Option<String>,
    /// Count it in SPLA again (exclude_spla=no)
    #[arg(long)]
    pub include_spla: bool,
}

impl ExcludeArgs {
    /// The exclusion to send, if any.
    pub fn exclusion(&self) -> Result<Option<SplaExclusion>> {
        if self.include_spla {
            return Ok(Some(SplaExclusion::Include));
        }
        match &self.exclude_spla {
            None => Ok(None),
            Some(r) if r.trim().is_empty() => Err(crate::Error::usage(
                "--exclude-spla needs a reason (e.g. other)",
            )),
            Some(r) => Ok(Some(SplaExclusion::Exclude {
                reason: r.trim().to_owned(),
                description: self.description.clone(),
            })),
        }
    }
}

/// `--by id|internal|agreement`: how a REF argument addresses its record.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct ByArgs {
    /// How REF addresses the record: id, internal (internal=1) or agreement (agreement=1)
    #[arg(long, value_enum, default_value_t = By::Id)]
    pub by: By,
}

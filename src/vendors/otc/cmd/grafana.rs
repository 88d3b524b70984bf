//! `licctl otc grafana ...`: the Grafana API key and organization endpoints, deprecated by the
//! vendor on 2023-07-31 (but still documented in seed 001). HTTP Basic authentication.

use clap::Subcommand;
use futures::stream;

use super::super::client::grafana_list;
use super::super::grafana_client;
use super::super::model::{GRAFANA_KEY_COLUMNS, GRAFANA_ORG_COLUMNS};
use crate::context::Context;
use crate::error::{Result, ResultExt};
use crate::output;

/// The warning every Grafana command prints on stderr.
pub const DEPRECATION: &str = "the OTC Enterprise Dashboard's Grafana endpoints are deprecated by the vendor \
     (taken offline after 2023-07-31); use Grafana's own API (/api/auth/keys, /api/user/orgs) instead";

/// `licctl otc grafana ...` (DEPRECATED by the vendor on 2023-07-31)
#[derive(Debug, Subcommand)]
pub enum GrafanaCommand {
    /// Grafana API keys (DEPRECATED: /v1/Grafana/auth/keys, offline since 2023-07-31)
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Grafana organizations of the user (DEPRECATED: /v1/grafana/user, offline since 2023-07-31)
    #[command(subcommand)]
    Orgs(OrgsCommand),
}

/// `licctl otc grafana keys ...`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List API keys (GET /v1/Grafana/auth/keys; deprecated)
    List,
    /// Create an API key (POST /v1/grafana/auth/keys; deprecated); the answer holds the key
    Create {
        /// Name of the API key
        #[arg(long)]
        name: String,
    },
    /// Delete an API key (DELETE /v1/Grafana/auth/keys/ID; deprecated)
    Delete {
        /// The key's id
        id: u64,
    },
}

/// `licctl otc grafana orgs ...`
#[derive(Debug, Subcommand)]
pub enum OrgsCommand {
    /// Organizations of the user (GET /v1/grafana/user/orgs; deprecated)
    List,
    /// The current organization (GET /v1/grafana/user/orgs/current; deprecated)
    Current,
    /// Switch the user's context to an organization (GET /v1/grafana/user/using/ID; deprecated)
    Switch {
        /// The organization's id
        id: u64,
    },
}

/// Runs a `grafana` command, after the deprecation notice.
pub async fn run(cmd: &GrafanaCommand, ctx: &Context) -> Result<()> {
    tracing::warn!("{DEPRECATION}");
    let client = grafana_client(ctx)?;
    match cmd {
        GrafanaCommand::Keys(KeysCommand::List) => {
            let items = grafana_list(
                client
                    .list_keys()
                    .await
                    .with_context(|| "listing Grafana API keys")?,
            )?;
            output::print_stream(
                &ctx.output,
                GRAFANA_KEY_COLUMNS,
                stream::iter(items.into_iter().map(Ok)),
            )
            .await?;
            Ok(())
        }
        GrafanaCommand::Keys(KeysCommand::Create { name }) => {
            if name.trim().is_empty() {
                return Err(crate::Error::usage("--name must not be empty"));
            }
            let v = client
                .create_key(name)
                .await
                .with_context(|| format!("creating Grafana API key {name:?}"))?;
            output::print_one(&ctx.output, &["id", "name", "key"], &v)
        }
        GrafanaCommand::Keys(KeysCommand::Delete { id }) => {
            let v = client
                .delete_key(*id)
                .await
                .with_context(|| format!("deleting Grafana API key {id}"))?;
            if v.as_object().is_some_and(|o| !o.is_empty()) {
                output::print_one(&ctx.output, &[], &v)?;
            }
            ctx.note(&format!("deleted Grafana API key {id}"));
            Ok(())
        }
        GrafanaCommand::Orgs(OrgsCommand::List) => {
            let items = grafana_list(
                client
                    .orgs()
                    .await
                    .with_context(|| "listing Grafana organizations")?,
            )?;
            output::print_stream(
                &ctx.output,
                GRAFANA_ORG_COLUMNS,
                stream::iter(items.into_iter().map(Ok)),
            )
            .await?;
            Ok(())
        }
        GrafanaCommand::Orgs(OrgsCommand::Current) => {
            let v = client
                .current_org()
                .await
                .with_context(|| "fetching the current Grafana organization")?;
            output::print_one(&ctx.output, &[], &v)
        }
        GrafanaCommand::Orgs(OrgsCommand::Switch { id }) => {
            let v = client
                .switch_org(*id)
                .await
                .with_context(|| format!("switching to Grafana organization {id}"))?;
            if v.is_object() {
                output::print_one(&ctx.output, &[], &v)?;
            }
            ctx.note(&format!("switched to Grafana organization {id}"));
            Ok(())
        }
    }
}

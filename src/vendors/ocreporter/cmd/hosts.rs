//! `licctl ocr hosts list | show ID` (`GET infrastructure/hosts[/<id>]`).

use clap::Subcommand;

use super::{ListArgs, Ocr};
use crate::error::Result;
use crate::vendors::ocreporter::client::Resource;
use crate::vendors::ocreporter::model::{Ref, DEVICE_COLUMNS};

/// `licctl ocr hosts ...`
#[derive(Debug, Subcommand)]
pub enum HostsCommand {
    /// List every host (all pages)
    List(ListArgs),
    /// Show one host
    Show {
        /// The host's id
        id: String,
    },
}

/// Runs a `hosts` command.
pub async fn run(cmd: &HostsCommand, ocr: Ocr<'_>) -> Result<()> {
    match cmd {
        HostsCommand::List(l) => {
            ocr.list(Resource::Hosts, l.query(), DEVICE_COLUMNS, "listing hosts")
                .await
        }
        HostsCommand::Show { id } => {
            ocr.show(
                Resource::Hosts,
                &Ref::id(id, "host")?,
                DEVICE_COLUMNS,
                "host",
            )
            .await
        }
    }
}

//! `licctl ocr datacenters list | show ID` (`GET infrastructure/datacenters[/<id>]`).

use clap::Subcommand;

use super::{ListArgs, Ocr};
use crate::error::Result;
use crate::vendors::ocreporter::client::Resource;
use crate::vendors::ocreporter::model::{Ref, DATACENTER_COLUMNS};

/// `licctl ocr datacenters ...`
#[derive(Debug, Subcommand)]
pub enum DatacentersCommand {
    /// List every datacenter (all pages)
    List(ListArgs),
    /// Show one datacenter
    Show {
        /// The datacenter's id
        id: String,
    },
}

/// Runs a `datacenters` command.
pub async fn run(cmd: &DatacentersCommand, ocr: Ocr<'_>) -> Result<()> {
    match cmd {
        DatacentersCommand::List(l) => {
            ocr.list(
                Resource::Datacenters,
                l.query(),
                DATACENTER_COLUMNS,
                "listing datacenters",
            )
            .await
        }
        DatacentersCommand::Show { id } => {
            ocr.show(
                Resource::Datacenters,
                &Ref::id(id, "datacenter")?,
                DATACENTER_COLUMNS,
                "datacenter",
            )
            .await
        }
    }
}

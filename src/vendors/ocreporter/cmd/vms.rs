//! `licctl ocr vms list | show ID` (`GET infrastructure/vms[/<id>]`).

use clap::Subcommand;

use super::{ListArgs, Ocr};
use crate::error::Result;
use crate::vendors::ocreporter::client::Resource;
use crate::vendors::ocreporter::model::{Ref, DEVICE_COLUMNS};

/// `licctl ocr vms ...`
#[derive(Debug, Subcommand)]
pub enum VmsCommand {
    /// List every virtual machine (all pages)
    List(ListArgs),
    /// Show one virtual machine
    Show {
        /// The virtual machine's id
        id: String,
    },
}

/// Runs a `vms` command.
pub async fn run(cmd: &VmsCommand, ocr: Ocr<'_>) -> Result<()> {
    match cmd {
        VmsCommand::List(l) => {
            ocr.list(
                Resource::Vms,
                l.query(),
                DEVICE_COLUMNS,
                "listing virtual machines",
            )
            .await
        }
        VmsCommand::Show { id } => {
            ocr.show(
                Resource::Vms,
                &Ref::id(id, "virtual machine")?,
                DEVICE_COLUMNS,
                "virtual machine",
            )
            .await
        }
    }
}

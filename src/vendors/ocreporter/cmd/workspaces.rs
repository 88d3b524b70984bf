//! `licctl ocr workspaces list | show ID | assets ID | inventory-quality ID`
//! (`GET setting/workspaces[/<id>[/assets|/inventory-quality]]`).

use clap::Subcommand;

use super::{ListArgs, Ocr};
use crate::error::{Result, ResultExt};
use crate::vendors::ocreporter::client::Resource;
use crate::vendors::ocreporter::model::{check_id, Ref, WORKSPACE_COLUMNS};

/// `licctl ocr workspaces ...`
#[derive(Debug, Subcommand)]
pub enum WorkspacesCommand {
    /// List every workspace
    List(ListArgs),
    /// Show one workspace
    Show {
        /// Workspace id
        id: String,
    },
    /// Show the number of assets of a workspace
    Assets {
        /// Workspace id
        id: String,
    },
    /// Show the inventory quality of a workspace
    InventoryQuality {
        /// Workspace id
        id: String,
    },
}

/// Runs a `workspaces` command.
pub async fn run(cmd: &WorkspacesCommand, ocr: Ocr<'_>) -> Result<()> {
    match cmd {
        WorkspacesCommand::List(l) => {
            ocr.list(
                Resource::Workspaces,
                l.query(),
                WORKSPACE_COLUMNS,
                "listing workspaces",
            )
            .await
        }
        WorkspacesCommand::Show { id } => {
            ocr.show(
                Resource::Workspaces,
                &Ref::id(id, "workspace")?,
                WORKSPACE_COLUMNS,
                "workspace",
            )
            .await
        }
        WorkspacesCommand::Assets { id } => part(ocr, id, "assets").await,
        WorkspacesCommand::InventoryQuality { id } => part(ocr, id, "inventory-quality").await,
    }
}

async fn part(ocr: Ocr<'_>, id: &str, part: &str) -> Result<()> {
    let id = check_id(id, "workspace")?;
    let v = ocr
        .client()?
        .workspace_part(&id, part)
        .await
        .with_context(|| format!("showing the {part} of workspace {id}"))?;
    ocr.print_one(&[], &v)
}

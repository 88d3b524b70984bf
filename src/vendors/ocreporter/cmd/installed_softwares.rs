//! `licctl ocr installed-softwares list | show ID | update ID ... | delete ID`
//! (`infrastructure/installed-softwares`, body key `WsInstalledSoftware`).

use clap::Subcommand;

use super::devices::SoftwareFields;
use super::{ListArgs, Ocr};
use crate::error::{Result, ResultExt};
use crate::vendors::ocreporter::client::Resource;
use crate::vendors::ocreporter::model::{Ref, INSTALLED_SOFTWARE_COLUMNS};

/// `licctl ocr installed-softwares ...`
#[derive(Debug, Subcommand)]
pub enum InstalledSoftwaresCommand {
    /// List all installed software (all pages)
    List(ListArgs),
    /// Show one installed software
    Show {
        /// The software's id
        id: String,
    },
    /// Update an installed software (WsInstalledSoftware[...]), e.g. exclude it from SPLA
    Update {
        /// The software's id
        id: String,
        /// The attributes.
        #[command(flatten)]
        fields: SoftwareFields,
    },
    /// Delete an installed software
    Delete {
        /// The software's id
        id: String,
    },
}

/// Runs an `installed-softwares` command.
pub async fn run(cmd: &InstalledSoftwaresCommand, ocr: Ocr<'_>) -> Result<()> {
    let r = Resource::InstalledSoftwares;
    match cmd {
        InstalledSoftwaresCommand::List(l) => {
            ocr.list(
                r,
                l.query(),
                INSTALLED_SOFTWARE_COLUMNS,
                "listing installed software",
            )
            .await
        }
        InstalledSoftwaresCommand::Show { id } => {
            ocr.show(
                r,
                &Ref::id(id, "software")?,
                INSTALLED_SOFTWARE_COLUMNS,
                "installed software",
            )
            .await
        }
        InstalledSoftwaresCommand::Update { id, fields } => {
            let reference = Ref::id(id, "software")?;
            let form = fields.form()?;
            let v = ocr
                .client()?
                .update(r, &reference, form)
                .await
                .with_context(|| format!("updating installed software {id}"))?;
            ocr.print_one(INSTALLED_SOFTWARE_COLUMNS, &v)
        }
        InstalledSoftwaresCommand::Delete { id } => {
            let reference = Ref::id(id, "software")?;
            let v = ocr
                .client()?
                .delete(r, &reference)
                .await
                .with_context(|| format!("deleting installed software {id}"))?;
            ocr.deleted(&v, &format!("installed software {id}"))
        }
    }
}

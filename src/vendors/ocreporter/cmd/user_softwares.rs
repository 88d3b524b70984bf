//! `licctl ocr user-softwares list | show ID | update ID ... | delete ID`
//! (`customer/user-softwares`, body key `WsInstalledSoftware`).

use clap::Subcommand;

use super::devices::SoftwareFields;
use super::{ListArgs, Ocr};
use crate::error::{Result, ResultExt};
use crate::vendors::ocreporter::client::Resource;
use crate::vendors::ocreporter::model::{Ref, USER_SOFTWARE_COLUMNS};

/// `licctl ocr user-softwares ...`
#[derive(Debug, Subcommand)]
pub enum UserSoftwaresCommand {
    /// List all user software (all pages)
    List(ListArgs),
    /// Show one user software
    Show {
        /// The software's id
        id: String,
    },
    /// Update a user software (WsInstalledSoftware[...]), e.g. exclude it from SPLA
    Update {
        /// The software's id
        id: String,
        /// The attributes.
        #[command(flatten)]
        fields: SoftwareFields,
    },
    /// Delete an user software
    Delete {
        /// The software's id
        id: String,
    },
}

/// Runs a `user-softwares` command.
pub async fn run(cmd: &UserSoftwaresCommand, ocr: Ocr<'_>) -> Result<()> {
    let r = Resource::UserSoftwares;
    match cmd {
        UserSoftwaresCommand::List(l) => {
            ocr.list(r, l.query(), USER_SOFTWARE_COLUMNS, "listing user software")
                .await
        }
        UserSoftwaresCommand::Show { id } => {
            ocr.show(
                r,
                &Ref::id(id, "software")?,
                USER_SOFTWARE_COLUMNS,
                "user software",
            )
            .await
        }
        UserSoftwaresCommand::Update { id, fields } => {
            let reference = Ref::id(id, "software")?;
            let form = fields.form()?;
            let v = ocr
                .client()?
                .update(r, &reference, form)
                .await
                .with_context(|| format!("updating user software {id}"))?;
            ocr.print_one(USER_SOFTWARE_COLUMNS, &v)
        }
        UserSoftwaresCommand::Delete { id } => {
            let reference = Ref::id(id, "software")?;
            let v = ocr
                .client()?
                .delete(r, &reference)
                .await
                .with_context(|| format!("deleting user software {id}"))?;
            ocr.deleted(&v, &format!("user software {id}"))
        }
    }
}

//! `licctl ocr users ...` (`customer/users`, body key `WsUser`) and their software
//! (`customer/users/<id>/softwares`, body key `WsInstalledSoftware`).

use clap::Subcommand;

use super::devices::SoftwareFields;
use super::{CustomerFilterArgs, ExcludeArgs, ListArgs, Ocr, SetArgs, DEFAULT_PAGE_SIZE};
use crate::error::{Result, ResultExt};
use crate::vendors::ocreporter::client::Resource;
use crate::vendors::ocreporter::model::{check_id, Form, Ref, USER_COLUMNS, USER_SOFTWARE_COLUMNS};

/// `licctl ocr users ...`
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List every user (all pages), optionally only a customer's
    List {
        /// Name filter.
        #[command(flatten)]
        list: ListArgs,
        /// Customer filters.
        #[command(flatten)]
        customer: CustomerFilterArgs,
    },
    /// Show one user
    Show {
        /// The user's id
        id: String,
    },
    /// Create a user (WsUser[...])
    Create {
        /// User name (WsUser[username])
        #[arg(long, value_name = "S")]
        username: String,
        /// Status, e.g. active (WsUser[status])
        #[arg(long, value_name = "S")]
        status: Option<String>,
        /// Other attributes.
        #[command(flatten)]
        set: SetArgs,
    },
    /// Update a user (WsUser[...]), e.g. exclude it from SPLA (--exclude-spla admin)
    Update {
        /// The user's id
        id: String,
        /// User name (WsUser[username])
        #[arg(long, value_name = "S")]
        username: Option<String>,
        /// Status, e.g. active (WsUser[status])
        #[arg(long, value_name = "S")]
        status: Option<String>,
        /// SPLA exclusion.
        #[command(flatten)]
        exclude: ExcludeArgs,
        /// Other attributes.
        #[command(flatten)]
        set: SetArgs,
    },
    /// Delete a user
    Delete {
        /// The user's id
        id: String,
    },
    /// A user's software: list, create, update, delete
    #[command(subcommand)]
    Softwares(UserSoftwaresOfCommand),
}

/// `licctl ocr users softwares ...`
#[derive(Debug, Subcommand)]
pub enum UserSoftwaresOfCommand {
    /// List a user's software (all pages)
    List {
        /// The user's id
        id: String,
    },
    /// Add software to a user (WsInstalledSoftware[...])
    Create {
        /// The user's id
        id: String,
        /// Name (WsInstalledSoftware[label])
        #[arg(long, value_name = "S")]
        label: String,
        /// Status, e.g. active (WsInstalledSoftware[status])
        #[arg(long, value_name = "S")]
        status: Option<String>,
        /// Other attributes.
        #[command(flatten)]
        set: SetArgs,
    },
    /// Update one software of a user (WsInstalledSoftware[...])
    Update {
        /// The user's id
        id: String,
        /// The software's id
        sid: String,
        /// The attributes.
        #[command(flatten)]
        fields: SoftwareFields,
    },
    /// Remove one software from a user
    Delete {
        /// The user's id
        id: String,
        /// The software's id
        sid: String,
    },
}

/// Runs a `users` command.
pub async fn run(cmd: &UsersCommand, ocr: Ocr<'_>) -> Result<()> {
    let r = Resource::Users;
    match cmd {
        UsersCommand::List { list, customer } => {
            let query = customer.apply(list.query())?;
            ocr.list(r, query, USER_COLUMNS, "listing users").await
        }
        UsersCommand::Show { id } => {
            ocr.show(r, &Ref::id(id, "user")?, USER_COLUMNS, "user")
                .await
        }
        UsersCommand::Create {
            username,
            status,
            set,
        } => {
            let form = Form::new("WsUser")
                .set("username", username)
                .opt("status", status.as_ref())
                .sets(&set.parse()?);
            let v = ocr
                .client()?
                .create(r, form)
                .await
                .with_context(|| format!("creating user {username:?}"))?;
            ocr.print_one(USER_COLUMNS, &v)
        }
        UsersCommand::Update {
            id,
            username,
            status,
            exclude,
            set,
        } => {
            let reference = Ref::id(id, "user")?;
            let form = Form::new("WsUser")
                .opt("username", username.as_ref())
                .opt("status", status.as_ref())
                .exclusion(exclude.exclusion()?.as_ref())
                .sets(&set.parse()?)
                .require_fields("user")?;
            let v = ocr
                .client()?
                .update(r, &reference, form)
                .await
                .with_context(|| format!("updating user {id}"))?;
            ocr.print_one(USER_COLUMNS, &v)
        }
        UsersCommand::Delete { id } => {
            let reference = Ref::id(id, "user")?;
            let v = ocr
                .client()?
                .delete(r, &reference)
                .await
                .with_context(|| format!("deleting user {id}"))?;
            ocr.deleted(&v, &format!("user {id}"))
        }
        UsersCommand::Softwares(c) => softwares(c, ocr).await,
    }
}

async fn softwares(cmd: &UserSoftwaresOfCommand, ocr: Ocr<'_>) -> Result<()> {
    let owner = Resource::Users;
    match cmd {
        UserSoftwaresOfCommand::List { id } => {
            let user = Ref::id(id, "user")?;
            let paging = ocr.paging(DEFAULT_PAGE_SIZE)?;
            let items = ocr.client()?.owned_softwares(owner, &user, paging);
            ocr.print_list(
                USER_SOFTWARE_COLUMNS,
                items,
                &format!("listing the software of user {id}"),
            )
            .await
        }
        UserSoftwaresOfCommand::Create {
            id,
            label,
            status,
            set,
        } => {
            let user = Ref::id(id, "user")?;
            let form = Form::new("WsInstalledSoftware")
                .set("label", label)
                .opt("status", status.as_ref())
                .sets(&set.parse()?);
            let v = ocr
                .client()?
                .create_owned_software(owner, &user, form)
                .await
                .with_context(|| format!("adding software to user {id}"))?;
            ocr.print_one(USER_SOFTWARE_COLUMNS, &v)
        }
        UserSoftwaresOfCommand::Update { id, sid, fields } => {
            let user = Ref::id(id, "user")?;
            let sid = check_id(sid, "software")?;
            let form = fields.form()?;
            let v = ocr
                .client()?
                .update_owned_software(owner, &user, &sid, form)
                .await
                .with_context(|| format!("updating software {sid} of user {id}"))?;
            ocr.print_one(USER_SOFTWARE_COLUMNS, &v)
        }
        UserSoftwaresOfCommand::Delete { id, sid } => {
            let user = Ref::id(id, "user")?;
            let sid = check_id(sid, "software")?;
            let v = ocr
                .client()?
                .delete_owned_software(owner, &user, &sid)
                .await
                .with_context(|| format!("deleting software {sid} of user {id}"))?;
            ocr.deleted(&v, &format!("software {sid} of user {id}"))
        }
    }
}

//! `licctl ocr activities list [--filter FIELD=VALUE ...]` (`GET activity/activities`, 300
//! a page by default as the server does, filters as `Activity[FIELD]=VALUE`).

use clap::Subcommand;

use super::{ListArgs, Ocr};
use crate::error::{Error, Result};
use crate::vendors::ocreporter::client::Resource;
use crate::vendors::ocreporter::model::{valid_field, ACTIVITY_COLUMNS};

/// The server's own page size for activities.
pub const ACTIVITIES_PAGE_SIZE: u64 = 300;

/// `licctl ocr activities ...`
#[derive(Debug, Subcommand)]
pub enum ActivitiesCommand {
    /// List activities (all pages, 300 a page unless --page-size)
    List {
        /// Name filter.
        #[command(flatten)]
        list: ListArgs,
        /// Only activities whose FIELD equals VALUE (Activity[FIELD]=VALUE; repeatable)
        #[arg(long, value_name = "FIELD=VALUE")]
        filter: Vec<String>,
    },
}

/// Runs an `activities` command.
pub async fn run(cmd: &ActivitiesCommand, ocr: Ocr<'_>) -> Result<()> {
    match cmd {
        ActivitiesCommand::List { list, filter } => {
            let mut query = list.query();
            for f in filter {
                let (field, value) = f
                    .split_once('=')
                    .filter(|(k, _)| valid_field(k.trim()))
                    .ok_or_else(|| {
                        Error::usage(format!(
                            "--filter {f:?} is not FIELD=VALUE (e.g. --filter model=WsDevice)"
                        ))
                    })?;
                query
                    .params
                    .push((format!("Activity[{}]", field.trim()), value.to_owned()));
            }
            let paging = ocr.paging(ACTIVITIES_PAGE_SIZE)?;
            let items = ocr
                .client()?
                .list_resource(Resource::Activities, query, paging);
            ocr.print_list(ACTIVITY_COLUMNS, items, "listing activities")
                .await
        }
    }
}

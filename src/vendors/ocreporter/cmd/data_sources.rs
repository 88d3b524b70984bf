//! `licctl ocr data-sources list | show ID` (`GET importer/data-sources[/<id>]`).

use clap::Subcommand;

use super::{ListArgs, Ocr};
use crate::error::Result;
use crate::vendors::ocreporter::client::Resource;
use crate::vendors::ocreporter::model::{Ref, DATA_SOURCE_COLUMNS};

/// `licctl ocr data-sources ...`
#[derive(Debug, Subcommand)]
pub enum DataSourcesCommand {
    /// List every data source (all pages)
    List(ListArgs),
    /// Show one data source
    Show {
        /// The data source's id
        id: String,
    },
}

/// Runs a `data-sources` command.
pub async fn run(cmd: &DataSourcesCommand, ocr: Ocr<'_>) -> Result<()> {
    match cmd {
        DataSourcesCommand::List(l) => {
            ocr.list(
                Resource::DataSources,
                l.query(),
                DATA_SOURCE_COLUMNS,
                "listing data sources",
            )
            .await
        }
        DataSourcesCommand::Show { id } => {
            ocr.show(
                Resource::DataSources,
                &Ref::id(id, "data source")?,
                DATA_SOURCE_COLUMNS,
                "data source",
            )
            .await
        }
    }
}

//! `licctl ocr clusters list | show ID | create --label S | update ID ... | delete ID`
//! (`infrastructure/clusters`, body key `WsCluster`).

use clap::Subcommand;

use super::{ExcludeArgs, ListArgs, Ocr, SetArgs};
use crate::error::{Result, ResultExt};
use crate::vendors::ocreporter::client::Resource;
use crate::vendors::ocreporter::model::{Form, Ref, CLUSTER_COLUMNS};

/// `licctl ocr clusters ...`
#[derive(Debug, Subcommand)]
pub enum ClustersCommand {
    /// List every cluster (all pages)
    List(ListArgs),
    /// Show one cluster
    Show {
        /// The cluster's id
        id: String,
    },
    /// Create a cluster (WsCluster[...])
    Create {
        /// Name (WsCluster[label])
        #[arg(long, value_name = "S")]
        label: String,
        /// Other attributes.
        #[command(flatten)]
        set: SetArgs,
    },
    /// Update a cluster (WsCluster[...]), e.g. exclude it from SPLA
    Update {
        /// The cluster's id
        id: String,
        /// Name (WsCluster[label])
        #[arg(long, value_name = "S")]
        label: Option<String>,
        /// SPLA exclusion.
        #[command(flatten)]
        exclude: ExcludeArgs,
        /// Other attributes.
        #[command(flatten)]
        set: SetArgs,
    },
    /// Delete a cluster
    Delete {
        /// The cluster's id
        id: String,
    },
}

/// Runs a `clusters` command.
pub async fn run(cmd: &ClustersCommand, ocr: Ocr<'_>) -> Result<()> {
    let r = Resource::Clusters;
    match cmd {
        ClustersCommand::List(l) => {
            ocr.list(r, l.query(), CLUSTER_COLUMNS, "listing clusters")
                .await
        }
        ClustersCommand::Show { id } => {
            ocr.show(r, &Ref::id(id, "cluster")?, CLUSTER_COLUMNS, "cluster")
                .await
        }
        ClustersCommand::Create { label, set } => {
            let form = Form::new("WsCluster")
                .set("label", label)
                .sets(&set.parse()?);
            let v = ocr
                .client()?
                .create(r, form)
                .await
                .with_context(|| format!("creating cluster {label:?}"))?;
            ocr.print_one(CLUSTER_COLUMNS, &v)
        }
        ClustersCommand::Update {
            id,
            label,
            exclude,
            set,
        } => {
            let reference = Ref::id(id, "cluster")?;
            let form = Form::new("WsCluster")
                .opt("label", label.as_ref())
                .exclusion(exclude.exclusion()?.as_ref())
                .sets(&set.parse()?)
                .require_fields("cluster")?;
            let v = ocr
                .client()?
                .update(r, &reference, form)
                .await
                .with_context(|| format!("updating cluster {id}"))?;
            ocr.print_one(CLUSTER_COLUMNS, &v)
        }
        ClustersCommand::Delete { id } => {
            let reference = Ref::id(id, "cluster")?;
            let v = ocr
                .client()?
                .delete(r, &reference)
                .await
                .with_context(|| format!("deleting cluster {id}"))?;
            ocr.deleted(&v, &format!("cluster {id}"))
        }
    }
}

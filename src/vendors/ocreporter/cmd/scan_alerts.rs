//! `licctl ocr scan-alerts list | show ID` (`GET infrastructure/scan-alerts[/<id>]`).

use clap::Subcommand;

use super::{ListArgs, Ocr};
use crate::error::Result;
use crate::vendors::ocreporter::client::Resource;
use crate::vendors::ocreporter::model::{Ref, SCAN_ALERT_COLUMNS};

/// `licctl ocr scan-alerts ...`
#[derive(Debug, Subcommand)]
pub enum ScanAlertsCommand {
    /// List every scan alert (all pages)
    List(ListArgs),
    /// Show one scan alert
    Show {
        /// The scan alert's id
        id: String,
    },
}

/// Runs a `scan-alerts` command.
pub async fn run(cmd: &ScanAlertsCommand, ocr: Ocr<'_>) -> Result<()> {
    match cmd {
        ScanAlertsCommand::List(l) => {
            ocr.list(
                Resource::ScanAlerts,
                l.query(),
                SCAN_ALERT_COLUMNS,
                "listing scan alerts",
            )
            .await
        }
        ScanAlertsCommand::Show { id } => {
            ocr.show(
                Resource::ScanAlerts,
                &Ref::id(id, "scan alert")?,
                SCAN_ALERT_COLUMNS,
                "scan alert",
            )
            .await
        }
    }
}

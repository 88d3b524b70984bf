//! `licctl ocr alerts` (`GET alert/alerts`): the alerts overview.

use clap::Args;

use super::Ocr;
use crate::error::{Result, ResultExt};
use crate::vendors::ocreporter::model::ALERT_COLUMNS;

/// `licctl ocr alerts`: no options; one row per alert of the overview.
#[derive(Debug, Args)]
pub struct AlertsArgs {}

/// Runs `alerts`.
pub async fn run(_args: &AlertsArgs, ocr: Ocr<'_>) -> Result<()> {
    let v = ocr
        .client()?
        .get(&["alert", "alerts"], &[])
        .await
        .with_context(|| "showing the alerts overview")?;
    ocr.print_answer(ALERT_COLUMNS, v, "printing the alerts overview")
        .await
}

//! `licctl` group for the ocreporter API: not built yet (its vendor issue adds it).

use clap::{Args, Subcommand};

use crate::context::Context;
use crate::error::Result;

/// The group's arguments.
#[derive(Debug, Args)]
pub struct OcReporterArgs {
    /// The resource.
    #[command(subcommand)]
    pub command: OcReporterCommand,
}

/// The group's resources (none yet).
#[derive(Debug, Subcommand)]
pub enum OcReporterCommand {}

/// Runs a command of the group.
pub async fn run(args: &OcReporterArgs, _ctx: &Context) -> Result<()> {
    match args.command {}
}

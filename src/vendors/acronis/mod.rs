//! `licctl` group for the acronis API: not built yet (its vendor issue adds it).

use clap::{Args, Subcommand};

use crate::context::Context;
use crate::error::Result;

/// The group's arguments.
#[derive(Debug, Args)]
pub struct AcronisArgs {
    /// The resource.
    #[command(subcommand)]
    pub command: AcronisCommand,
}

/// The group's resources (none yet).
#[derive(Debug, Subcommand)]
pub enum AcronisCommand {}

/// Runs a command of the group.
pub async fn run(args: &AcronisArgs, _ctx: &Context) -> Result<()> {
    match args.command {}
}

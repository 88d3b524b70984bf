//! `licctl` group for the otc API: not built yet (its vendor issue adds it).

use clap::{Args, Subcommand};

use crate::context::Context;
use crate::error::Result;

/// The group's arguments.
#[derive(Debug, Args)]
pub struct OtcArgs {
    /// The resource.
    #[command(subcommand)]
    pub command: OtcCommand,
}

/// The group's resources (none yet).
#[derive(Debug, Subcommand)]
pub enum OtcCommand {}

/// Runs a command of the group.
pub async fn run(args: &OtcArgs, _ctx: &Context) -> Result<()> {
    match args.command {}
}

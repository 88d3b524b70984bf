//! `licctl` group for the veeam API: not built yet (its vendor issue adds it).

use clap::{Args, Subcommand};

use crate::context::Context;
use crate::error::Result;

/// The group's arguments.
#[derive(Debug, Args)]
pub struct VeeamArgs {
    /// The resource.
    #[command(subcommand)]
    pub command: VeeamCommand,
}

/// The group's resources (none yet).
#[derive(Debug, Subcommand)]
pub enum VeeamCommand {}

/// Runs a command of the group.
pub async fn run(args: &VeeamArgs, _ctx: &Context) -> Result<()> {
    match args.command {}
}

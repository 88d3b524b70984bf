//! From a parsed command line to a finished command: load the configuration, build the
//! context, dispatch to the command group.

use clap::CommandFactory;

use crate::cli::{Cli, Command};
use crate::cmd::config::ConfigCommand;
use crate::config::Config;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::output;

/// Runs `cli` with the configuration of the real environment.
pub async fn run(cli: Cli) -> Result<()> {
    let (path, profile) = (cli.global.config.as_deref(), cli.global.profile.as_deref());
    let config = match &cli.command {
        // `config init` creates the file that --config / LICCTL_CONFIG names; `config path`
        // tells where it would be: neither needs it to exist yet.
        Command::Config {
            command: ConfigCommand::Init { .. } | ConfigCommand::Path,
        } => Config::load_allow_missing(path, profile)?,
        _ => Config::load(path, profile)?,
    };
    run_with_config(cli, config).await
}

/// Runs `cli` with an explicit configuration (the demo points every vendor at its sandbox
/// this way, without touching the user's real profile).
pub async fn run_with_config(cli: Cli, config: Config) -> Result<()> {
    let ctx = Context::new(cli.global, config);
    match cli.command {
        Command::Ocreporter(args) => crate::vendors::ocreporter::run(&args, &ctx).await,
        Command::Otc(args) => crate::vendors::otc::run(&args, &ctx).await,
        Command::Acronis(args) => crate::vendors::acronis::run(&args, &ctx).await,
        Command::Bigfix(args) => crate::vendors::bigfix::run(&args, &ctx).await,
        Command::Veeam(args) => crate::vendors::veeam::run(&args, &ctx).await,
        Command::Usage(command) => crate::cmd::usage::run(&command, &ctx).await,
        Command::Sandbox(args) => crate::sandbox::run(args, &ctx.output).await,
        Command::Demo(args) => Box::pin(crate::cmd::demo::run(args, &ctx)).await,
        Command::Config { command } => {
            crate::cmd::config::run(
                &command,
                &ctx.config,
                ctx.global.config.as_deref(),
                &ctx.output,
            )
            .await
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "licctl", &mut buf);
            output::print_text(&ctx.output, &String::from_utf8_lossy(&buf))
        }
        Command::Man { dir } => man(dir.as_deref(), &ctx),
    }
}

fn man(dir: Option<&std::path::Path>, ctx: &Context) -> Result<()> {
    let cmd = Cli::command();
    match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::usage(format!("cannot create {}: {e}", dir.display())))?;
            clap_mangen::generate_to(cmd, dir).map_err(|e| {
                Error::internal(format!("writing man pages into {}: {e}", dir.display()))
            })?;
            ctx.note(&format!("man pages written to {}", dir.display()));
            Ok(())
        }
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut buf)
                .map_err(|e| Error::internal(format!("rendering the man page: {e}")))?;
            output::print_text(&ctx.output, &String::from_utf8_lossy(&buf))
        }
    }
}

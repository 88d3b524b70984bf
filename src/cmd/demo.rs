//! `licctl demo`: the sandbox in-process and a short tour of licctl against it, so that a
//! new user sees real commands and real answers without any credentials.

use clap::{Args, Parser};

use crate::cli::Cli;
use crate::config::Config;
use crate::context::Context;
use crate::error::Result;
use crate::output;
use crate::sandbox::{self, SandboxOptions};

/// Options of the tour.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Seed of the sandbox's generated data
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// The commands of the tour, as a user would type them.
const TOUR: &[&[&str]] = &[
    &["bigfix", "metrics", "list", "--max-items", "5"],
    &[
        "bigfix",
        "metrics",
        "create",
        "--code-name",
        "DEMO_METRIC",
        "--display-name",
        "Demo metric",
    ],
    &[
        "bigfix",
        "metrics",
        "update",
        "--code-name",
        "DEMO_METRIC",
        "--display-name",
        "Demo metric, renamed",
    ],
    &["bigfix", "metrics", "delete", "--code-name", "DEMO_METRIC"],
    // A documented refusal: predefined metrics cannot be deleted (exit 4).
    &[
        "bigfix",
        "metrics",
        "delete",
        "--code-name",
        "VU_VALUE_UNIT",
    ],
];

/// Runs the tour against a fresh in-process sandbox.
pub async fn run(args: DemoArgs, ctx: &Context) -> Result<()> {
    let sb = sandbox::start(SandboxOptions {
        seed: args.seed,
        ..SandboxOptions::default()
    })
    .await?;
    ctx.note(&format!("sandbox started at {}", sb.base_url()));
    let env = sb.env_exports().into_iter().collect();
    let config = Config::from_parts(ctx.config.path().to_path_buf(), None, env, None)?;
    for step in TOUR {
        let line = format!("$ licctl {}", shell_words(step));
        output::print_text(&Default::default(), &format!("\n{line}\n"))?;
        let mut cli = Cli::try_parse_from(std::iter::once("licctl").chain(step.iter().copied()))
            .map_err(|e| {
                crate::Error::internal(format!("demo step {line:?} does not parse: {e}"))
            })?;
        cli.global.output = cli.global.output.or(ctx.global.output);
        cli.global.no_headers |= ctx.global.no_headers;
        cli.global.quiet = ctx.global.quiet;
        if let Err(e) = Box::pin(crate::app::run_with_config(cli, config.clone())).await {
            // The tour shows failures as a user would see them, then goes on.
            ctx.note(&format!("error: {} (exit {})", e.message(), e.exit_code()));
        }
    }
    sb.shutdown().await;
    Ok(())
}

fn shell_words(args: &[&str]) -> String {
    args.iter()
        .map(|a| {
            if a.contains(' ') || a.contains(',') {
                format!("'{a}'")
            } else {
                (*a).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

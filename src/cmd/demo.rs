//! `licctl demo`: the sandbox in-process and licctl's main job against it — a monthly usage
//! bundle of last month from every emulated vendor — so that a new user sees real commands
//! and real answers without any credentials. Each command is printed before its output.

use clap::{Args, Parser};

use crate::cli::Cli;
use crate::config::Config;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::output;
use crate::sandbox::{self, SandboxOptions};
use crate::usage::Month;

/// Options of the demo.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Seed of the sandbox's generated data
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Month to collect [default: last month]
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// Where the bundle goes [default: a new temporary directory, kept]
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<std::path::PathBuf>,
}

/// Runs the demo against a fresh in-process sandbox.
pub async fn run(args: DemoArgs, ctx: &Context) -> Result<()> {
    let month = match &args.month {
        Some(m) => Month::parse(m)?,
        None => Month::previous(chrono::Local::now().date_naive()),
    };
    let out_dir = match &args.out_dir {
        Some(d) => d.clone(),
        None => tempfile::Builder::new()
            .prefix("licctl-demo-")
            .tempdir()
            .map_err(|e| Error::internal(format!("cannot create a temporary directory: {e}")))?
            .keep(),
    };
    let sb = sandbox::start(SandboxOptions {
        seed: args.seed,
        ..SandboxOptions::default()
    })
    .await?;
    ctx.note(&format!(
        "sandbox started at {} (seed {})",
        sb.base_url(),
        args.seed
    ));
    // Every vendor points at the sandbox; the user's own profile is never touched.
    let env = sb.env_exports().into_iter().collect();
    let config = Config::from_parts(ctx.config.path().to_path_buf(), None, env, None)?;
    let dir = out_dir.join(month.to_string());
    let (m, out, bundle) = (
        month.to_string(),
        out_dir.display().to_string(),
        dir.display().to_string(),
    );
    let tour: Vec<Vec<&str>> = vec![
        vec!["bigfix", "metrics", "list", "--max-items", "3"],
        vec![
            "usage",
            "monthly",
            "--month",
            &m,
            "--out-dir",
            &out,
            "--force",
        ],
        vec!["usage", "show", &bundle, "--by", "customer", "--verify"],
    ];
    let mut failed = None;
    for step in &tour {
        output::print_text(
            &Default::default(),
            &format!("\n$ licctl {}\n", shell_words(step)),
        )?;
        let mut cli = Cli::try_parse_from(std::iter::once("licctl").chain(step.iter().copied()))
            .map_err(|e| Error::internal(format!("demo step does not parse: {e}")))?;
        cli.global.output = cli.global.output.or(ctx.global.output);
        cli.global.no_headers |= ctx.global.no_headers;
        cli.global.quiet = ctx.global.quiet;
        cli.global.no_progress |= ctx.global.no_progress;
        if let Err(e) = Box::pin(crate::app::run_with_config(cli, config.clone())).await {
            ctx.note(&format!("error: {} (exit {})", e.message(), e.exit_code()));
            failed.get_or_insert(e);
        }
    }
    sb.shutdown().await;
    ctx.note(&format!("the bundle is in {bundle}"));
    match failed {
        Some(e) => Err(e.context("the demo failed")),
        None => Ok(()),
    }
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

//! The `licctl` binary: parse, run, turn the result into an exit code (after ripgrep's
//! `main.rs`). Everything else lives in the library; this is the one place that uses
//! `anyhow`, for the failures that are not licctl's own typed errors.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use licctl::cli::Cli;
use licctl::ErrorKind;

fn main() -> ExitCode {
    // One TLS provider for the process (ring: small and quick to build; see RUST-NOTES).
    let _ = rustls::crypto::ring::default_provider().install_default();
    install_panic_hook();
    let cli = Cli::parse();
    licctl::logging::init(cli.global.verbose, cli.global.quiet);
    match try_main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => report(&err),
    }
}

fn try_main(cli: Cli) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(licctl::app::run(cli))?;
    Ok(())
}

/// Prints `error: ...` and `hint: ...` lines and picks the exit code of DESIGN.md §4.
fn report(err: &anyhow::Error) -> ExitCode {
    let Some(e) = err.downcast_ref::<licctl::Error>() else {
        eprintln!(
            "error: {}",
            licctl::http::redact::scrub(&format!("{err:#}"))
        );
        return ExitCode::from(1);
    };
    if !matches!(e.kind(), ErrorKind::BrokenPipe | ErrorKind::DryRun) {
        eprintln!("error: {}", e.message());
        for hint in e.hints() {
            eprintln!("hint: {hint}");
        }
    }
    ExitCode::from(e.exit_code())
}

/// Panics are bugs: say so in one redacted line, without a backtrace, and exit 1.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "error: internal error (a bug in licctl): {}{at}",
            licctl::http::redact::scrub(&msg)
        );
        eprintln!("hint: please report it with the command line that caused it");
        std::process::exit(1);
    }));
}

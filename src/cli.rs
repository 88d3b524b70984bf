//! The clap command tree and the global flags of DESIGN.md §1–2.
//!
//! Global flags are `global = true` so they can follow the subcommand
//! (`licctl bigfix metrics list -o csv`), and each has a `LICCTL_*` variable.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};

use crate::output::Format;

/// One command-line client for the license-usage APIs service providers report from every
/// month: OC Reporter (SPLA), OTC Enterprise Dashboard, Acronis, BigFix Inventory, Veeam VSPC.
///
/// Data goes to stdout, everything else to stderr. Exit codes: 0 ok, 1 internal error,
/// 2 usage, 3 configuration, 4 authentication/permission, 5 not found, 6 rejected by the API,
/// 7 network/server, 8 partial result, 9 missing SPLA prices (--require-prices).
#[derive(Debug, Parser)]
#[command(
    name = "licctl",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Flags every command understands.
    #[command(flatten)]
    pub global: GlobalArgs,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command understands (DESIGN.md §2).
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Output format [default: table on a terminal, json otherwise]
    #[arg(
        short,
        long,
        global = true,
        hide_env_values = true,
        env = "LICCTL_OUTPUT",
        value_enum,
        help_heading = "Output"
    )]
    pub output: Option<Format>,

    /// Columns / keys to keep, dotted paths into nested objects, in this order
    #[arg(
        long,
        global = true,
        hide_env_values = true,
        env = "LICCTL_FIELDS",
        value_delimiter = ',',
        value_name = "A,B.C",
        help_heading = "Output"
    )]
    pub fields: Option<Vec<String>>,

    /// table/csv/tsv without the header row
    #[arg(
        long,
        global = true,
        hide_env_values = true,
        env = "LICCTL_NO_HEADERS",
        help_heading = "Output"
    )]
    pub no_headers: bool,

    /// Write to FILE atomically (temp file + rename): complete or absent, never truncated
    #[arg(
        long,
        global = true,
        hide_env_values = true,
        env = "LICCTL_OUT",
        value_name = "FILE",
        help_heading = "Output"
    )]
    pub out: Option<PathBuf>,

    /// Stop after N items (pages beyond are never requested)
    #[arg(
        long,
        global = true,
        hide_env_values = true,
        env = "LICCTL_MAX_ITEMS",
        value_name = "N",
        help_heading = "Paging"
    )]
    pub max_items: Option<u64>,

    /// Items per request (within the vendor's documented bounds)
    #[arg(long, global = true, hide_env_values = true, env = "LICCTL_PAGE_SIZE", value_name = "N", value_parser = clap::value_parser!(u64).range(1..), help_heading = "Paging")]
    pub page_size: Option<u64>,

    /// Only the first page
    #[arg(
        long,
        global = true,
        hide_env_values = true,
        env = "LICCTL_NO_PAGINATE",
        help_heading = "Paging"
    )]
    pub no_paginate: bool,

    /// Pages in flight at once when the total is known; output order is unchanged
    #[arg(long, global = true, hide_env_values = true, env = "LICCTL_CONCURRENCY", default_value_t = 4, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64), help_heading = "Paging")]
    pub concurrency: u16,

    /// Configuration profile [default: the file's default_profile, else "default"]
    #[arg(
        long,
        global = true,
        hide_env_values = true,
        env = "LICCTL_PROFILE",
        value_name = "NAME",
        help_heading = "Configuration"
    )]
    pub profile: Option<String>,

    /// Configuration file [default: $XDG_CONFIG_HOME/licctl/config.toml]
    #[arg(
        long,
        global = true,
        hide_env_values = true,
        env = "LICCTL_CONFIG",
        value_name = "FILE",
        help_heading = "Configuration"
    )]
    pub config: Option<PathBuf>,

    /// Whole-request timeout in seconds
    #[arg(long, global = true, hide_env_values = true, env = "LICCTL_TIMEOUT", default_value_t = 60.0, value_name = "SECS", value_parser = positive_secs, help_heading = "Network")]
    pub timeout: f64,

    /// Connect timeout in seconds
    #[arg(long, global = true, hide_env_values = true, env = "LICCTL_CONNECT_TIMEOUT", default_value_t = 10.0, value_name = "SECS", value_parser = positive_secs, help_heading = "Network")]
    pub connect_timeout: f64,

    /// Retries of a failed replay-safe request (connect errors, timeouts, 408/429/502/503/504)
    #[arg(long, global = true, hide_env_values = true, env = "LICCTL_RETRIES", default_value_t = 3, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=10), help_heading = "Network")]
    pub retries: u32,

    /// Extra CA certificate (PEM) to trust, e.g. an on-premises server's self-signed one
    #[arg(
        long,
        global = true,
        hide_env_values = true,
        env = "LICCTL_CA_CERT",
        value_name = "FILE",
        help_heading = "Network"
    )]
    pub ca_cert: Option<PathBuf>,

    /// Client certificate (PEM) for mutual TLS
    #[arg(
        long,
        global = true,
        hide_env_values = true,
        env = "LICCTL_CLIENT_CERT",
        value_name = "FILE",
        requires = "client_key",
        help_heading = "Network"
    )]
    pub client_cert: Option<PathBuf>,

    /// Private key (PEM) of --client-cert
    #[arg(
        long,
        global = true,
        hide_env_values = true,
        env = "LICCTL_CLIENT_KEY",
        value_name = "FILE",
        requires = "client_cert",
        help_heading = "Network"
    )]
    pub client_key: Option<PathBuf>,

    /// Do not verify TLS certificates (last resort; warns)
    #[arg(
        long,
        global = true,
        hide_env_values = true,
        env = "LICCTL_INSECURE",
        help_heading = "Network"
    )]
    pub insecure: bool,

    /// Print the request(s) that would be sent, secrets redacted, and send nothing
    #[arg(
        long,
        global = true,
        hide_env_values = true,
        env = "LICCTL_DRY_RUN",
        help_heading = "Network"
    )]
    pub dry_run: bool,

    /// More logs on stderr: -v retries and progress, -vv requests, -vvv bodies (secrets redacted)
    #[arg(short, long, global = true, action = ArgAction::Count, env = "LICCTL_VERBOSE", help_heading = "Logging")]
    pub verbose: u8,

    /// Only errors on stderr
    #[arg(
        short,
        long,
        global = true,
        hide_env_values = true,
        env = "LICCTL_QUIET",
        conflicts_with = "verbose",
        help_heading = "Logging"
    )]
    pub quiet: bool,

    /// No progress bars (they only show when stderr is a terminal and CI is not set)
    #[arg(
        long,
        global = true,
        hide_env_values = true,
        env = "LICCTL_NO_PROGRESS",
        help_heading = "Logging"
    )]
    pub no_progress: bool,
}

impl Default for GlobalArgs {
    /// The values of a command line that sets no global flag (the in-process demo, the
    /// monthly run and library tests start from here).
    fn default() -> Self {
        Cli::try_parse_from(["licctl", "config", "path"])
            .map(|c| c.global)
            .unwrap_or_else(|e| unreachable!("an empty command line parses: {e}"))
    }
}

/// clap value parser for a duration in seconds: more than 0, at most a day.
pub fn positive_secs(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if v.is_finite() && v > 0.0 && v <= 86_400.0 {
        Ok(v)
    } else {
        Err(format!(
            "{s} is out of range: more than 0 and at most 86400 seconds"
        ))
    }
}

/// The command groups.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// OC Reporter: SPLA reporting, infrastructure, customers, licenses
    #[command(name = "ocreporter", visible_alias = "ocr")]
    Ocreporter(crate::vendors::ocreporter::OcReporterArgs),

    /// Open Telekom Cloud Enterprise Dashboard: consumption (v1 and v2)
    #[command(name = "otc-dashboard", visible_alias = "otc")]
    Otc(crate::vendors::otc::OtcArgs),

    /// Acronis Cyber Platform usage reports (api/2)
    #[command(name = "acronis-reports", visible_alias = "acronis")]
    Acronis(crate::vendors::acronis::AcronisArgs),

    /// BigFix Inventory license metrics (api/sam/v2)
    #[command(name = "bigfix-metrics", visible_alias = "bigfix")]
    Bigfix(crate::vendors::bigfix::BigfixArgs),

    /// Veeam Service Provider Console licensing (api/v3)
    #[command(name = "veeam-vspc", visible_alias = "veeam")]
    Veeam(crate::vendors::veeam::VeeamArgs),

    /// The monthly usage bundle across every vendor (the SPLA report run)
    #[command(subcommand)]
    Usage(crate::cmd::usage::UsageCommand),

    /// Run the built-in sandbox: every vendor API emulated on loopback
    Sandbox(crate::sandbox::SandboxArgs),

    /// Start the sandbox in-process and take a short tour of licctl against it
    Demo(crate::cmd::demo::DemoArgs),

    /// Show, locate or create the configuration file
    Config {
        /// What to do with the configuration.
        #[command(subcommand)]
        command: crate::cmd::config::ConfigCommand,
    },

    /// Print a shell completion script
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the man page (or write one page per command into --dir)
    Man {
        /// Write licctl.1 and one page per subcommand into this directory.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn default_globals_match_the_command_line_defaults() {
        let g = GlobalArgs::default();
        assert_eq!(g.concurrency, 4);
        assert_eq!(g.retries, 3);
        assert!(g.timeout > 0.0 && g.connect_timeout > 0.0);
    }
}

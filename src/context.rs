//! What every command needs, built once per invocation: global flags, configuration, the
//! output options and (lazily, since `config path` needs none) the HTTP client.

use std::sync::OnceLock;
use std::time::Duration;

use crate::cli::GlobalArgs;
use crate::config::Config;
use crate::error::Result;
use crate::http::{HttpClient, HttpSettings};
use crate::output::OutputOptions;
use crate::paginate::PageOptions;

/// The invocation's context (after oxide.rs's `Context`): commands get it by reference.
#[derive(Debug)]
pub struct Context {
    /// The global flags as parsed.
    pub global: GlobalArgs,
    /// The resolved configuration (profile, env, file).
    pub config: Config,
    /// Where and how results are written.
    pub output: OutputOptions,
    http: OnceLock<HttpClient>,
}

impl Context {
    /// A context for `global` and `config`.
    pub fn new(global: GlobalArgs, config: Config) -> Self {
        let output = OutputOptions {
            format: global.output,
            fields: global.fields.clone(),
            no_headers: global.no_headers,
            out: global.out.clone(),
        };
        Context {
            global,
            config,
            output,
            http: OnceLock::new(),
        }
    }

    /// The shared HTTP client, built on first use from the global flags.
    pub fn http(&self) -> Result<HttpClient> {
        if let Some(c) = self.http.get() {
            return Ok(c.clone());
        }
        let g = &self.global;
        let client = HttpClient::new(HttpSettings {
            timeout: Duration::from_secs_f64(g.timeout),
            connect_timeout: Duration::from_secs_f64(g.connect_timeout),
            retries: g.retries,
            ca_cert: g.ca_cert.clone(),
            client_cert: g.client_cert.clone(),
            client_key: g.client_key.clone(),
            insecure: g.insecure,
            dry_run: g.dry_run,
            ..HttpSettings::default()
        })?;
        Ok(self.http.get_or_init(|| client).clone())
    }

    /// The paging flags; vendors fill in their page size with [`PageOptions::for_vendor`].
    pub fn paging(&self) -> PageOptions {
        PageOptions {
            page_size: self.global.page_size.unwrap_or(100),
            max_items: self.global.max_items,
            no_paginate: self.global.no_paginate,
            concurrency: usize::from(self.global.concurrency),
        }
    }

    /// A confirmation for people (`deleted metric X`) on stderr, unless `--quiet`.
    pub fn note(&self, text: &str) {
        if !self.global.quiet {
            crate::output::note(text);
        }
    }

    /// True when progress bars may be drawn: stderr is a terminal, not CI, not disabled.
    pub fn progress_enabled(&self) -> bool {
        use std::io::IsTerminal as _;
        !self.global.no_progress
            && !self.global.quiet
            && !self.config.is_ci()
            && std::io::stderr().is_terminal()
    }
}

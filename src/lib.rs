//! licctl: one command-line client for the license-usage APIs that service providers report
//! from every month (Microsoft SPLA above all).
//!
//! The crate is a library with a thin binary on top, so that tests (and `licctl demo`) can
//! start the built-in sandbox in-process and drive the real command tree against it.
//!
//! Layers, bottom up: [`error`] (kinds → exit codes), [`config`] (profiles, env, secrets),
//! [`http`] (one client: TLS, retries, redaction), [`auth`], [`paginate`], [`output`] (the only
//! writer of stdout), then one module per vendor under [`vendors`], and the [`sandbox`] that
//! emulates every vendor API on loopback.

pub mod app;
pub mod auth;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod context;
pub mod error;
pub mod http;
pub mod logging;
pub mod model;
pub mod output;
pub mod paginate;
pub mod sandbox;
pub mod usage;
pub mod vendors;

pub use error::{Error, ErrorKind, Result};

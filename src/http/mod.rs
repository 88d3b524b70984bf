//! The shared HTTP layer: one reqwest client per invocation, retries, timeouts, TLS and
//! redaction of secrets in everything it logs.
//!
//! Vendor clients describe a request with [`Request`] and hand it to [`HttpClient::send`]
//! together with their [`crate::auth::Auth`]; everything that is the same for every vendor —
//! user agent, TLS, the retry policy of DESIGN.md §5, `--dry-run`, `-vv`/`-vvv` logging,
//! mapping statuses to error kinds with the vendor's own message — happens here, once.

pub mod client;
pub mod message;
pub mod redact;
pub mod request;
pub mod retry;
pub mod secret;

pub use client::{HttpClient, HttpSettings, RequestRecord, Response};
pub use request::{Body, Request};
pub use secret::SecretString;

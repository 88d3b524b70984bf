//! One error type for the whole library, carrying the *kind* that decides the process exit code.
//!
//! Scripts and CI pipelines branch on licctl's exit codes (DESIGN.md §4), so every failure is
//! classified exactly once, where it is best understood (an HTTP status, a validation rule, a
//! missing credential), and travels up unchanged. Modelled on jj's `CommandError`: a kind, a
//! message and optional hints, printed by `main` as `error: ...` / `hint: ...`.

use std::fmt;

/// What went wrong, in the terms of the documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A bug in licctl, or a local I/O failure that is nobody's input (exit 1).
    Internal,
    /// A bad flag or value; nothing was sent (exit 2).
    Usage,
    /// Missing url or credential, unreadable config (exit 3).
    Config,
    /// Authentication or permission refused: 401/403 (exit 4).
    Auth,
    /// 404 (exit 5).
    NotFound,
    /// The API rejected the request: 400/406/409/422 and other 4xx (exit 6).
    Rejected,
    /// Network failure, timeout, 5xx or 520 after retries (exit 7).
    Network,
    /// Partial result: `usage monthly --keep-going` where some vendor failed (exit 8).
    Partial,
    /// A required price is missing from an SPLA report (`--require-prices`, exit 9).
    MissingPrices,
    /// A bundle's file does not match its manifest (`usage show --verify`, exit 10).
    Integrity,
    /// stdout was closed by the reader (`licctl ... | head`): exit 0, print nothing.
    BrokenPipe,
    /// `--dry-run` printed the request instead of sending it: exit 0, print nothing more.
    DryRun,
}

impl ErrorKind {
    /// The process exit code of DESIGN.md §4.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::BrokenPipe | ErrorKind::DryRun => 0,
            ErrorKind::Internal => 1,
            ErrorKind::Usage => 2,
            ErrorKind::Config => 3,
            ErrorKind::Auth => 4,
            ErrorKind::NotFound => 5,
            ErrorKind::Rejected => 6,
            ErrorKind::Network => 7,
            ErrorKind::Partial => 8,
            ErrorKind::MissingPrices => 9,
            ErrorKind::Integrity => 10,
        }
    }

    /// The kind an HTTP error status maps to.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            401 | 403 => ErrorKind::Auth,
            404 => ErrorKind::NotFound,
            400..=499 => ErrorKind::Rejected,
            _ => ErrorKind::Network,
        }
    }
}

/// A classified error with a human message and optional hints.
///
/// The message is already redacted when it contains anything that came from a request
/// (see [`crate::http::redact`]); constructors never see raw secrets.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
    hints: Vec<String>,
    status: Option<u16>,
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with `message` (lower case, no trailing period).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: crate::http::redact::scrub(&message.into()),
            hints: Vec::new(),
            status: None,
        }
    }

    /// A bad flag or value, detected before anything was sent.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }

    /// A missing or unreadable piece of configuration.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }

    /// A bug or local I/O failure.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    /// An error answered by a server with HTTP `status`.
    pub fn http(status: u16, message: impl Into<String>) -> Self {
        let mut e = Self::new(ErrorKind::from_status(status), message);
        e.status = Some(status);
        e
    }

    /// Adds a `hint: ...` line printed after the error.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(crate::http::redact::scrub(&hint.into()));
        self
    }

    /// Prefixes the message with what was being done: `listing metrics: <message>`.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }

    /// Reclassifies the error (e.g. a vendor whose 400 means "not found").
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// The kind, which decides the exit code.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message without hints.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Hints to print after the error line.
    pub fn hints(&self) -> &[String] {
        &self.hints
    }

    /// The HTTP status the server answered, when the error came from one.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The exit code of this error.
    pub fn exit_code(&self) -> u8 {
        self.kind.exit_code()
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Error::new(ErrorKind::BrokenPipe, "broken pipe")
        } else {
            Error::internal(e.to_string())
        }
    }
}

/// Adds context to a `Result` with a lazily built description, like anyhow's `with_context`.
pub trait ResultExt<T> {
    /// Prefixes an error's message with `f()`.
    fn with_context<D: fmt::Display, F: FnOnce() -> D>(self, f: F) -> Result<T>;
}

impl<T, E: Into<Error>> ResultExt<T> for std::result::Result<T, E> {
    fn with_context<D: fmt::Display, F: FnOnce() -> D>(self, f: F) -> Result<T> {
        self.map_err(|e| e.into().context(f()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_documented_codes() {
        assert_eq!(ErrorKind::from_status(401).exit_code(), 4);
        assert_eq!(ErrorKind::from_status(403).exit_code(), 4);
        assert_eq!(ErrorKind::from_status(404).exit_code(), 5);
        for s in [400, 406, 409, 422] {
            assert_eq!(ErrorKind::from_status(s).exit_code(), 6, "{s}");
        }
        for s in [500, 502, 503, 504, 520] {
            assert_eq!(ErrorKind::from_status(s).exit_code(), 7, "{s}");
        }
    }

    #[test]
    fn broken_pipe_exits_zero() {
        let e: Error = std::io::Error::from(std::io::ErrorKind::BrokenPipe).into();
        assert_eq!(e.exit_code(), 0);
    }
}

//! A string that never prints itself (after xh's `redacted.rs`).
//!
//! Every credential licctl handles lives in a [`SecretString`]: `Debug` and `Display` show
//! `***`, and creating one registers the value with [`super::redact`], so that even a message
//! assembled by hand (a server echoing the token back, a panic) is scrubbed before it is printed.

use std::fmt;

/// A credential. Read it with [`SecretString::expose`] only where it goes on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps `value` and registers it for redaction.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        super::redact::register(&value);
        SecretString(value)
    }

    /// The raw value, for the one place that puts it in a request.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is the empty string (treated as "not set").
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_its_value() {
        let s = SecretString::new("hunter2-secret-value");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(s.expose(), "hunter2-secret-value");
        assert_eq!(
            crate::http::redact::scrub("token is hunter2-secret-value"),
            "token is ***"
        );
    }
}

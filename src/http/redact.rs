//! Redaction of secrets in everything licctl prints (DESIGN.md §5).
//!
//! Two nets, because one is never enough: every secret value ever loaded is registered here
//! and replaced wherever it appears, and the values of sensitive *names* (`_token`, `token`,
//! `Authorization`, `client_secret`, `password`, `refresh_token`, `access_token`, ...) are
//! replaced in query strings, form bodies, header lines and JSON, whether or not the value
//! was registered (a token the server hands back, for instance).

use std::sync::{OnceLock, RwLock};

use regex::Regex;

/// What a redacted value is replaced with.
pub const MASK: &str = "***";

/// Secrets shorter than this are not substituted by value (they would mangle ordinary text);
/// their names still are.
const MIN_REGISTERED_LEN: usize = 4;

fn registry() -> &'static RwLock<Vec<String>> {
    static REGISTRY: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    REGISTRY.get_or_init(|| RwLock::new(Vec::new()))
}

/// Remembers `value` as a secret to scrub from all output.
pub fn register(value: &str) {
    if value.len() < MIN_REGISTERED_LEN {
        return;
    }
    let mut reg = registry().write().unwrap_or_else(|e| e.into_inner());
    if !reg.iter().any(|v| v == value) {
        reg.push(value.to_owned());
        // Longest first, so that a secret containing another is replaced whole.
        reg.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }
}

/// True for a query, form, header or JSON key whose value must never be shown.
pub fn is_sensitive_name(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    let n = n.trim_end_matches(']').rsplit('[').next().unwrap_or(&n);
    matches!(
        n,
        "_token"
            | "token"
            | "authorization"
            | "proxy-authorization"
            | "client_secret"
            | "password"
            | "refresh_token"
            | "access_token"
            | "api_key"
            | "apikey"
            | "x-api-key"
            | "id_token"
    )
}

struct Patterns {
    pairs: Regex,
    json: Regex,
    header: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns {
        // key=value in URLs and form bodies, including WsUser[password]=... and %5D-encoded.
        pairs: Regex::new(
            r"(?i)((?:^|[?&\s;,(])[\w\[\]%.\-]*(?:_token|\btoken|client_secret|password|refresh_token|access_token|api_key|apikey)(?:\]|%5D)?=)[^&\s\x22'<>)]*",
        )
        .expect("valid regex"),
        // "access_token": "..." in JSON text.
        json: Regex::new(
            r#"(?i)("[\w\-]*(?:_token|\btoken|client_secret|password|authorization|api_key|apikey)"\s*:\s*)"(?:[^"\\]|\\.)*""#,
        )
        .expect("valid regex"),
        // Header lines as licctl logs them: `authorization: Bearer ...`.
        // The scheme (`Bearer`, `Basic`) is kept: it says which credential, not what it is.
        header: Regex::new(
            r"(?im)^(\s*(?:authorization|proxy-authorization|token|x-api-key)\s*:\s*(?:(?:Bearer|Basic|Token)\s+)?).+$",
        )
            .expect("valid regex"),
    })
}

/// Returns `text` with every known secret and every sensitive value replaced by `***`.
pub fn scrub(text: &str) -> String {
    let mut out = text.to_owned();
    {
        let reg = registry().read().unwrap_or_else(|e| e.into_inner());
        for secret in reg.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
    }
    let p = patterns();
    let out = p
        .pairs
        .replace_all(&out, |c: &regex::Captures<'_>| format!("{}{MASK}", &c[1]));
    let out = p.json.replace_all(&out, |c: &regex::Captures<'_>| {
        format!("{}\"{MASK}\"", &c[1])
    });
    let out = p
        .header
        .replace_all(&out, |c: &regex::Captures<'_>| format!("{}{MASK}", &c[1]));
    out.into_owned()
}

/// Replaces the values of sensitive keys in a JSON document, recursively.
pub fn scrub_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if is_sensitive_name(k) && !v.is_null() {
                    *v = serde_json::Value::String(MASK.to_owned());
                } else {
                    scrub_json(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(scrub_json),
        serde_json::Value::String(s) => {
            let clean = scrub(s);
            if clean != *s {
                *s = clean;
            }
        }
        _ => {}
    }
}

/// A URL with the values of sensitive query parameters replaced, for logs and `--dry-run`.
pub fn url(u: &url::Url) -> String {
    if u.query().is_none() {
        return scrub(u.as_str());
    }
    let mut clean = u.clone();
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let v = if is_sensitive_name(&k) {
                MASK.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    clean.query_pairs_mut().clear().extend_pairs(pairs);
    // `***` is percent-encoded by the serializer; show it plainly.
    scrub(&clean.as_str().replace("%2A%2A%2A", MASK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_query_form_header_and_json() {
        let s = scrub("GET https://h/api?_token=abc123&_tenant=OC-1&token=zzz9 ok");
        assert_eq!(s, "GET https://h/api?_token=***&_tenant=OC-1&token=*** ok");
        assert_eq!(
            scrub("WsUser[password]=pw99&WsUser[label]=x"),
            "WsUser[password]=***&WsUser[label]=x"
        );
        assert_eq!(
            scrub("grant_type=password&password=s3cr3t"),
            "grant_type=password&password=***"
        );
        assert_eq!(
            scrub("authorization: Bearer abc.def"),
            "authorization: Bearer ***"
        );
        assert_eq!(
            scrub("Authorization: Basic dXNlcjpwdw=="),
            "Authorization: Basic ***"
        );
        assert_eq!(scrub("token: abc123"), "token: ***");
        assert_eq!(
            scrub(r#"{"access_token": "eyJabc", "expires_on": 5}"#),
            r#"{"access_token": "***", "expires_on": 5}"#
        );
        assert_eq!(
            scrub("code_name=ABC&display_name=x"),
            "code_name=ABC&display_name=x"
        );
    }

    #[test]
    fn scrubs_registered_values_anywhere() {
        register("s3cret-registered-value");
        assert_eq!(scrub("echo: s3cret-registered-value!"), "echo: ***!");
    }

    #[test]
    fn url_masks_sensitive_parameters() {
        let u =
            url::Url::parse("https://h:9081/api/sam/v2/metrics?token=abcd1234&limit=5").unwrap();
        assert_eq!(
            url(&u),
            "https://h:9081/api/sam/v2/metrics?token=***&limit=5"
        );
    }

    #[test]
    fn json_values_of_sensitive_keys_are_masked() {
        let mut v = serde_json::json!({"a": {"refresh_token": "r", "b": 1}, "password": "p"});
        scrub_json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"a": {"refresh_token": "***", "b": 1}, "password": "***"})
        );
    }
}

//! Pulls the vendor's own error message out of an error response body.
//!
//! Each vendor wraps errors differently — BigFix `{"error": "..."}`, Acronis
//! `{"error": {"code", "message", ...}}`, Veeam `{"errors": [{"message", ...}]}`, others a
//! bare `{"message": "..."}` or plain text — and users need the vendor's words in the error
//! line, not just a status code.

use serde_json::Value;

/// The most useful human message in `body`, if there is one.
pub fn extract(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return from_json(&v);
    }
    if text.starts_with('<') {
        // HTML error pages say nothing a user can act on; XML may carry <message>.
        return xml_message(text);
    }
    let first: String = text
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(300)
        .collect();
    Some(first)
}

fn from_json(v: &Value) -> Option<String> {
    let s = |v: &Value| {
        v.as_str()
            .map(str::to_owned)
            .filter(|s| !s.trim().is_empty())
    };
    match v.get("error") {
        // OAuth's `{"error": "access_denied", "error_description": "..."}`: the description
        // is what a person can act on.
        Some(Value::String(code)) if v.get("error_description").and_then(s).is_some() => {
            let d = v.get("error_description").and_then(s).unwrap_or_default();
            return Some(format!("{d} ({code})"));
        }
        Some(Value::String(m)) if !m.trim().is_empty() => return Some(m.clone()),
        Some(obj @ Value::Object(_)) => {
            let msg = obj
                .get("message")
                .and_then(s)
                .or_else(|| obj.get("reason").and_then(s));
            let code = obj.get("code").map(|c| match c {
                Value::String(c) => c.clone(),
                other => other.to_string(),
            });
            return match (msg, code) {
                (Some(m), Some(c)) => Some(format!("{m} ({c})")),
                (Some(m), None) => Some(m),
                (None, Some(c)) => Some(c),
                (None, None) => None,
            };
        }
        _ => {}
    }
    if let Some(Value::Array(errors)) = v.get("errors") {
        let msgs: Vec<String> = errors
            .iter()
            .filter_map(|e| e.get("message").and_then(s).or_else(|| s(e)))
            .collect();
        if !msgs.is_empty() {
            return Some(msgs.join("; "));
        }
    }
    for key in ["message", "error_description", "detail", "title"] {
        if let Some(m) = v.get(key).and_then(s) {
            return Some(m);
        }
    }
    None
}

fn xml_message(text: &str) -> Option<String> {
    let start = text.find("<message>")? + "<message>".len();
    let end = text[start..].find("</message>")? + start;
    Some(text[start..end].trim().to_owned()).filter(|m| !m.is_empty())
}

/// The `retryAfter` hint some vendors (Veeam) put in a 429 body, in seconds.
pub fn retry_after_from_body(body: &[u8]) -> Option<f64> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let from = |e: &Value| {
        e.get("retryAfter").and_then(|r| {
            r.as_f64()
                .or_else(|| r.as_str().and_then(|s| s.parse().ok()))
        })
    };
    if let Some(Value::Array(errors)) = v.get("errors") {
        if let Some(r) = errors.iter().find_map(from) {
            return Some(r);
        }
    }
    from(&v)
}

/// True when a body says the failure is worth retrying (Veeam's `type: retryableLogical`).
pub fn says_retryable(body: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    let Some(Value::Array(errors)) = v.get("errors") else {
        return false;
    };
    errors.iter().any(|e| {
        e.get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("retryable"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendor_shape() {
        assert_eq!(
            extract(br#"{"error": "Metric already present"}"#).as_deref(),
            Some("Metric already present")
        );
        assert_eq!(
            extract(br#"{"error":{"code":"404","domain":"PlatformAccountServer","message":"Report not found"}}"#)
                .as_deref(),
            Some("Report not found (404)")
        );
        assert_eq!(
            extract(br#"{"errors":[{"message":"Too many requests","type":"retryableLogical","code":429,"retryAfter":2}]}"#)
                .as_deref(),
            Some("Too many requests")
        );
        assert_eq!(
            extract(br#"{"message":"Unauthorized"}"#).as_deref(),
            Some("Unauthorized")
        );
        assert_eq!(
            extract(b"plain failure\nmore").as_deref(),
            Some("plain failure")
        );
        assert_eq!(extract(b"<html><body>oops</body></html>"), None);
        assert_eq!(
            extract(b"<error><message>Invalid token</message></error>").as_deref(),
            Some("Invalid token")
        );
        assert_eq!(extract(b"{}"), None);
        assert_eq!(
            extract(br#"{"error":"access_denied","error_description":"The client credentials are invalid"}"#).as_deref(),
            Some("The client credentials are invalid (access_denied)")
        );
    }

    #[test]
    fn retry_hints_from_body() {
        let b = br#"{"errors":[{"message":"slow down","type":"retryableLogical","code":429,"retryAfter":3}]}"#;
        assert_eq!(retry_after_from_body(b), Some(3.0));
        assert!(says_retryable(b));
        assert!(!says_retryable(
            br#"{"errors":[{"message":"x","type":"logical"}]}"#
        ));
    }
}

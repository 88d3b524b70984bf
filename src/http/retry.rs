//! The retry policy of DESIGN.md §5, as pure functions so that it can be tested without a
//! network: which failures are retried, and how long to wait before the next attempt.

use std::time::{Duration, SystemTime};

/// Statuses worth another attempt: timeouts, throttling and gateway trouble.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 502 | 503 | 504)
}

/// Parses a `Retry-After` header: delay-seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Some(Duration::from_secs_f64(secs));
        }
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Exponential backoff with full jitter: a random wait in `[0, base * 2^attempt]`, capped.
/// `attempt` counts from 0 for the first retry.
pub fn backoff(base: Duration, attempt: u32, cap: Duration, rng: &mut fastrand::Rng) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(16));
    let ceiling = exp.min(cap);
    // Never zero, so that a hot loop against a failing server is impossible.
    let floor = (ceiling / 10).max(Duration::from_millis(1));
    let span = ceiling.saturating_sub(floor).as_millis() as u64;
    floor + Duration::from_millis(rng.u64(0..=span))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        // Sun, 06 Nov 1994 08:49:37 GMT is 784111777 seconds after the epoch.
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:27 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let mut rng = fastrand::Rng::with_seed(7);
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(2);
        for attempt in 0..10 {
            let d = backoff(base, attempt, cap, &mut rng);
            assert!(d <= cap, "{d:?}");
            assert!(d >= Duration::from_millis(1));
            assert!(d <= base * (1 << attempt), "{attempt}: {d:?}");
        }
    }

    #[test]
    fn documented_statuses() {
        for s in [408, 429, 502, 503, 504] {
            assert!(is_retryable_status(s));
        }
        for s in [400, 401, 403, 404, 409, 422, 500, 501, 520] {
            assert!(!is_retryable_status(s), "{s}");
        }
    }
}

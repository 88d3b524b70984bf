//! Typed calls to Acronis' usage-report API (`<url>/api/2`). No clap, no printing.

use std::path::Path;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt as _;
use reqwest::Method;
use serde_json::Value;
use url::Url;

use super::model::{
    is_usage_history_not_ready, items_of, parse_report, parse_stored, NewReport, Report,
    ReportChanges, StoredReport, StoredStatus, NOT_READY_HINT,
};
use crate::auth::Auth;
use crate::error::{Error, ErrorKind, Result, ResultExt};
use crate::http::request::join_url;
use crate::http::{HttpClient, Request};

/// `<url>/api/2` for a configured url, which may already end in `/api/2`.
pub fn api_base(url: &Url) -> Url {
    if url.path().trim_end_matches('/').ends_with("/api/2") {
        let mut u = url.clone();
        let p = u.path().trim_end_matches('/').to_owned();
        u.set_path(&p);
        u
    } else {
        join_url(url, "api/2")
    }
}

/// How long and how often a wait for stored files polls.
#[derive(Debug, Clone, Copy)]
pub struct WaitOptions {
    /// The first pause between two polls; it doubles after every poll.
    pub interval: Duration,
    /// The longest pause between two polls.
    pub max_interval: Duration,
    /// The longest the whole wait may take.
    pub timeout: Duration,
    /// The most polls made, whatever the timeout.
    pub max_polls: u32,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(30),
            timeout: Duration::from_secs(900),
            max_polls: 200,
        }
    }
}

/// An Acronis account-management server.
#[derive(Debug, Clone)]
pub struct AcronisClient {
    http: HttpClient,
    base: Url,
    auth: Auth,
}

impl AcronisClient {
    /// A client for the API at `base` (`https://eu2-cloud.acronis.com/api/2`).
    pub fn new(http: HttpClient, base: Url, auth: Auth) -> Self {
        AcronisClient { http, base, auth }
    }

    fn url(&self, path: &str) -> Url {
        join_url(&self.base, path)
    }

    async fn json(&self, req: Request) -> Result<Value> {
        self.http.send(&req, &self.auth).await?.json()
    }

    /// `POST /reports`: creates a report and answers it as the server sent it. The
    /// documented "usage history is not ready" answers get a hint on when to retry.
    pub async fn create_report(&self, report: &NewReport) -> Result<Report> {
        let req = Request::new(Method::POST, self.url("reports")).json(report.to_json());
        match self.json(req).await {
            Ok(v) => parse_report(v),
            Err(e) if is_usage_history_not_ready(e.message()) => Err(e.with_hint(NOT_READY_HINT)),
            Err(e) => Err(e),
        }
    }

    /// `GET /reports/{id}`.
    pub async fn report(&self, id: &str) -> Result<Report> {
        parse_report(
            self.json(Request::get(self.url(&format!("reports/{id}"))))
                .await?,
        )
    }

    /// `GET /tenants/{tenant_id}/reports`: the tenant's reports, as the list holds them
    /// (UUID strings per the documentation; objects are passed through as they are).
    pub async fn tenant_reports(&self, tenant_id: &str) -> Result<Vec<Value>> {
        let v = self
            .json(Request::get(
                self.url(&format!("tenants/{tenant_id}/reports")),
            ))
            .await?;
        items_of(v, "tenant reports")
    }

    /// `PUT /reports/{id}`: changes a scheduled report.
    pub async fn update_report(&self, id: &str, changes: &ReportChanges) -> Result<Report> {
        let req =
            Request::new(Method::PUT, self.url(&format!("reports/{id}"))).json(changes.to_json());
        parse_report(self.json(req).await?)
    }

    /// `DELETE /reports/{id}?version=N` (204 on success).
    pub async fn delete_report(&self, id: &str, version: i64) -> Result<()> {
        let req = Request::new(Method::DELETE, self.url(&format!("reports/{id}")))
            .query("version", version);
        self.http.send(&req, &self.auth).await?;
        Ok(())
    }

    /// `GET /reports/{id}/stored`: the report's stored files with their status.
    pub async fn stored(&self, id: &str) -> Result<Vec<StoredReport>> {
        parse_stored(
            self.json(Request::get(self.url(&format!("reports/{id}/stored"))))
                .await?,
        )
    }

    fn download_request(&self, id: &str, stored_id: &str) -> Request {
        Request::get(self.url(&format!("reports/{id}/stored/{stored_id}")))
    }

    /// `GET /reports/{id}/stored/{stored_id}`, buffered (the monthly run parses it).
    pub async fn download_bytes(&self, id: &str, stored_id: &str) -> Result<Bytes> {
        Ok(self
            .http
            .send(&self.download_request(id, stored_id), &self.auth)
            .await?
            .body)
    }

    /// `GET /reports/{id}/stored/{stored_id}` streamed into `target` atomically: the bytes go
    /// to a temporary file in the target's directory, renamed over `target` once complete. A
    /// failure leaves `target` as it was and no temporary file behind. Answers the size.
    pub async fn download_to(&self, id: &str, stored_id: &str, target: &Path) -> Result<u64> {
        let resp = self
            .http
            .send_streaming(&self.download_request(id, stored_id), &self.auth)
            .await?;
        let mut file = crate::output::RawWriter::create(target)?;
        let mut body = resp.bytes_stream();
        let mut size = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| {
                Error::new(
                    ErrorKind::Network,
                    format!("the download of stored report {stored_id} broke off: {e}"),
                )
                .with_hint("nothing was written; try again")
            })?;
            file.write(&chunk)?;
            size += chunk.len() as u64;
        }
        file.commit()?;
        Ok(size)
    }

    /// Polls `GET /reports/{id}/stored` until it lists files and each is `saved` or
    /// `failed`, pausing `interval`, then twice as long each time (up to `max_interval`),
    /// never longer than `timeout` in all. A failed file is an error (exit 7) naming it, as
    /// is running out of time.
    pub async fn wait_for_stored(&self, id: &str, opts: WaitOptions) -> Result<Vec<StoredReport>> {
        let started = Instant::now();
        let mut pause = opts.interval;
        let mut polls = 0u32;
        loop {
            polls += 1;
            let items = self
                .stored(id)
                .await
                .with_context(|| format!("waiting for report {id}"))?;
            let pending = items
                .iter()
                .filter(|s| s.state() == StoredStatus::InProgress)
                .count();
            tracing::info!(
                "report {id}: {} stored file(s), {pending} still in progress (poll {polls})",
                items.len()
            );
            if !items.is_empty() && pending == 0 {
                let failed: Vec<String> = items
                    .iter()
                    .filter(|s| s.state() == StoredStatus::Failed)
                    .map(|s| {
                        format!(
                            "{} ({})",
                            s.id.as_deref().unwrap_or("?"),
                            s.report_format.as_deref().unwrap_or("unknown format")
                        )
                    })
                    .collect();
                if failed.is_empty() {
                    return Ok(items);
                }
                return Err(Error::new(
                    ErrorKind::Network,
                    format!("report {id}: generating stored file(s) failed: {}", failed.join(", ")),
                )
                .with_hint(format!("`licctl acronis reports stored {id}` lists every file; the saved ones can still be downloaded")));
            }
            let elapsed = started.elapsed();
            if polls >= opts.max_polls || elapsed + pause > opts.timeout {
                let what = if items.is_empty() {
                    "no stored file yet".to_owned()
                } else {
                    format!(
                        "{pending} of {} stored file(s) still in progress",
                        items.len()
                    )
                };
                return Err(Error::new(
                    ErrorKind::Network,
                    format!("report {id}: {what} after {polls} poll(s) in {:.1} s", elapsed.as_secs_f64()),
                )
                .with_hint(format!("check later with `licctl acronis reports stored {id}`, or raise --wait-timeout")));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(opts.max_interval);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_base_is_added_once() {
        let u = Url::parse("https://eu2-cloud.acronis.com").unwrap();
        assert_eq!(api_base(&u).as_str(), "https://eu2-cloud.acronis.com/api/2");
        let u = Url::parse("https://eu2-cloud.acronis.com/api/2/").unwrap();
        assert_eq!(api_base(&u).as_str(), "https://eu2-cloud.acronis.com/api/2");
        let u = Url::parse("https://proxy/acronis/").unwrap();
        assert_eq!(
            join_url(&api_base(&u), "reports").as_str(),
            "https://proxy/acronis/api/2/reports"
        );
    }
}

//! Typed calls to the licensing part of Veeam Service Provider Console's REST API
//! (`<url>/api/v3`). No clap, no printing.

use std::sync::Arc;

use bytes::Bytes;
use futures::stream::{BoxStream, StreamExt};
use reqwest::Method;
use serde_json::Value;
use url::Url;

use super::model::{parse_collection, parse_report, parse_resource, Report};
use crate::auth::Auth;
use crate::error::Result;
use crate::http::request::join_url;
use crate::http::{HttpClient, Request};
use crate::paginate::{offset_stream, Page, PageOptions};

/// The API root under a configured server URL.
const API_ROOT: &str = "api/v3";

/// One VSPC server, authenticated.
#[derive(Debug, Clone)]
pub struct VeeamClient {
    http: HttpClient,
    api: Url,
    auth: Arc<Auth>,
}

/// The API root of a configured server URL: `https://vspc:1280` → `https://vspc:1280/api/v3`;
/// a URL that already ends in `/api/v3` is taken as it is.
pub fn api_root(server: &Url) -> Url {
    if server.path().trim_end_matches('/').ends_with("/api/v3") {
        let mut u = server.clone();
        u.set_path(server.path().trim_end_matches('/'));
        u.set_query(None);
        u.set_fragment(None);
        u
    } else {
        join_url(server, API_ROOT)
    }
}

impl VeeamClient {
    /// A client for the API root `api` (see [`api_root`]) with `auth`.
    pub fn new(http: HttpClient, api: Url, auth: Auth) -> Self {
        VeeamClient {
            http,
            api,
            auth: Arc::new(auth),
        }
    }

    /// `<api>/<path>`.
    pub fn url(&self, path: &str) -> Url {
        join_url(&self.api, path)
    }

    /// The HTTP client (its request record feeds the monthly manifest).
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// One page of a collection, as parsed items, with the answer's body for the raw record.
    pub async fn page(
        &self,
        path: &str,
        query: &[(String, String)],
        offset: u64,
        limit: u64,
    ) -> Result<(Page<Value>, Bytes)> {
        let mut req = Request::get(self.url(path))
            .query("limit", limit)
            .query("offset", offset);
        for (k, v) in query {
            req = req.query(k.as_str(), v);
        }
        let resp = self.http.send(&req, &self.auth).await?;
        let page = parse_collection(&resp.body, path)?;
        Ok((page, resp.body))
    }

    /// Every item of a `limit`/`offset` collection under `path`, page by page, lazily.
    pub fn collection(
        &self,
        path: &str,
        query: Vec<(String, String)>,
        opts: PageOptions,
    ) -> BoxStream<'static, Result<Value>> {
        let client = self.clone();
        let path = path.to_owned();
        let query = Arc::new(query);
        offset_stream(opts, move |offset, limit| {
            let (client, path, query) = (client.clone(), path.clone(), Arc::clone(&query));
            async move {
                client
                    .page(&path, &query, offset, limit)
                    .await
                    .map(|(p, _)| p)
            }
        })
    }

    fn reports(&self, path: &str, opts: PageOptions) -> BoxStream<'static, Result<Report>> {
        self.collection(path, Vec::new(), opts)
            .map(|r| r.and_then(parse_report))
            .boxed()
    }

    /// `GET /licensing/reports`: every license usage report.
    pub fn list_reports(&self, opts: PageOptions) -> BoxStream<'static, Result<Report>> {
        self.reports("licensing/reports", opts)
    }

    /// `GET /licensing/reports/latest`: the latest reports (the provider's and each reseller's).
    pub fn latest_reports(&self, opts: PageOptions) -> BoxStream<'static, Result<Report>> {
        self.reports("licensing/reports/latest", opts)
    }

    /// `GET /licensing/reports/{date}`: the reports generated on `date` (`YYYY-MM-DD`).
    pub fn reports_for_date(
        &self,
        date: &str,
        opts: PageOptions,
    ) -> BoxStream<'static, Result<Report>> {
        self.reports(&format!("licensing/reports/{date}"), opts)
    }

    /// `GET /licensing/reports/{id}/csv`: the report as the CSV file the vendor makes, bytes
    /// exactly as sent.
    pub async fn report_csv(&self, id: u64) -> Result<Bytes> {
        let req = Request::get(self.url(&format!("licensing/reports/{id}/csv"))).header(
            "Accept",
            "text/csv, application/octet-stream;q=0.9, */*;q=0.1",
        );
        Ok(self.http.send(&req, &self.auth).await?.body)
    }

    /// `POST /licensing/reports/finalization`: finalizes the current reports; answers the
    /// approval status (`{"reportApprovalStatus", "message"}`).
    pub async fn finalize(&self) -> Result<Value> {
        let req = Request::new(Method::POST, self.url("licensing/reports/finalization"));
        let resp = self.http.send(&req, &self.auth).await?;
        parse_resource(&resp.body, "finalization")
    }

    /// `GET /licensing/reports/settings`.
    pub async fn settings(&self) -> Result<Value> {
        let resp = self
            .http
            .send(
                &Request::get(self.url("licensing/reports/settings")),
                &self.auth,
            )
            .await?;
        parse_resource(&resp.body, "report settings")
    }

    /// `PATCH /licensing/reports/settings` with a JSON-Patch document; answers the settings.
    pub async fn update_settings(&self, patch: Value) -> Result<Value> {
        let req = Request::new(Method::PATCH, self.url("licensing/reports/settings")).json(patch);
        let resp = self.http.send(&req, &self.auth).await?;
        parse_resource(&resp.body, "report settings")
    }

    /// `GET /licensing/usage/organizations`: license usage per organization, with VSPC's
    /// `filter` expression (a JSON array) when given.
    pub fn organizations_usage(
        &self,
        filter: Option<String>,
        opts: PageOptions,
    ) -> BoxStream<'static, Result<Value>> {
        let query = filter
            .map(|f| vec![("filter".to_owned(), f)])
            .unwrap_or_default();
        self.collection("licensing/usage/organizations", query, opts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_root_is_added_once() {
        for (given, want) in [
            ("https://vspc:1280", "https://vspc:1280/api/v3"),
            ("https://vspc:1280/", "https://vspc:1280/api/v3"),
            ("https://vspc:1280/api/v3", "https://vspc:1280/api/v3"),
            ("https://vspc:1280/api/v3/", "https://vspc:1280/api/v3"),
            ("https://h/proxy", "https://h/proxy/api/v3"),
        ] {
            assert_eq!(
                api_root(&Url::parse(given).unwrap()).as_str(),
                want,
                "{given}"
            );
        }
        let c = join_url(
            &api_root(&Url::parse("https://vspc:1280").unwrap()),
            "licensing/reports",
        );
        assert_eq!(c.as_str(), "https://vspc:1280/api/v3/licensing/reports");
    }
}

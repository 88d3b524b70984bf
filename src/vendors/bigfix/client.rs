//! Typed calls to BigFix Inventory's REST API (`api/sam/v2`). No clap, no printing.

use futures::stream::BoxStream;
use reqwest::Method;
use serde_json::Value;
use url::Url;

use super::model::{
    parse_metric_page, parse_page, CodeName, Criteria, DisplayName, LicenseUsage, Metric,
};
use crate::auth::Auth;
use crate::error::{Error, ErrorKind, Result};
use crate::http::request::join_url;
use crate::http::{HttpClient, Request, SecretString};
use crate::paginate::{offset_stream, Page, PageOptions};

/// Where the API token travels: `?token=` as the seed shows, or a `Token:` header where
/// tokens in URLs are disabled on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TokenLocation {
    /// `?token=...` (the documented default).
    #[default]
    Query,
    /// A `Token: ...` header.
    Header,
}

impl TokenLocation {
    /// Parses the config/env spelling.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "query" => Ok(TokenLocation::Query),
            "header" => Ok(TokenLocation::Header),
            other => Err(Error::config(format!(
                "bigfix-metrics token_location {other:?} must be query or header"
            ))),
        }
    }
}

/// What `GET api/sam/v2/license_usage` is asked for.
#[derive(Debug, Clone)]
pub struct LicenseUsageQuery {
    /// First day of the period (`startdate`).
    pub from: chrono::NaiveDate,
    /// Last day of the period (`enddate`).
    pub to: chrono::NaiveDate,
    /// Columns to return (`columns[]`); empty for the server's default.
    pub columns: Vec<String>,
    /// Sort order (`order[]`, `column` or `column desc`).
    pub order: Vec<String>,
    /// A filter (`criteria`).
    pub criteria: Option<Criteria>,
    /// The computer group (`computerGroupId`); the token owner's group when absent.
    pub computer_group: Option<u64>,
}

/// A BigFix Inventory server.
#[derive(Debug, Clone)]
pub struct BigfixClient {
    http: HttpClient,
    base: Url,
    auth: Auth,
}

impl BigfixClient {
    /// A client for the server at `base` (e.g. `https://bfi.example.com:9081`).
    pub fn new(http: HttpClient, base: Url, token: SecretString, location: TokenLocation) -> Self {
        let auth = match location {
            TokenLocation::Query => Auth::Query {
                param: "token".into(),
                token,
            },
            TokenLocation::Header => Auth::Header {
                name: "Token".into(),
                token,
            },
        };
        BigfixClient { http, base, auth }
    }

    fn metrics_url(&self) -> Url {
        join_url(&self.base, "api/sam/v2/metrics")
    }

    /// One page of license metrics.
    pub async fn metrics_page(&self, offset: u64, limit: u64) -> Result<Page<Metric>> {
        let req = Request::get(self.metrics_url())
            .query("limit", limit)
            .query("offset", offset);
        let resp = self.http.send(&req, &self.auth).await?;
        parse_metric_page(&resp.body)
    }

    /// Every license metric, page by page, lazily.
    pub fn list_metrics(&self, opts: PageOptions) -> BoxStream<'static, Result<Metric>> {
        let client = self.clone();
        offset_stream(opts, move |offset, limit| {
            let client = client.clone();
            async move { client.metrics_page(offset, limit).await }
        })
    }

    /// Creates a custom metric (`POST ?code_name=&display_name=`).
    pub async fn create_metric(&self, code: &CodeName, display: &DisplayName) -> Result<Metric> {
        let req = Request::new(Method::POST, self.metrics_url())
            .query("code_name", code.as_str())
            .query("display_name", display.as_str());
        self.metric_answer(req).await
    }

    /// Renames a custom metric (`PUT ?code_name=&display_name=`).
    pub async fn update_metric(&self, code: &CodeName, display: &DisplayName) -> Result<Metric> {
        let req = Request::new(Method::PUT, self.metrics_url())
            .query("code_name", code.as_str())
            .query("display_name", display.as_str());
        self.metric_answer(req).await
    }

    /// Deletes a custom metric (`DELETE ?code_name=`); answers the server's body (`{}`).
    pub async fn delete_metric(&self, code: &CodeName) -> Result<Value> {
        let req =
            Request::new(Method::DELETE, self.metrics_url()).query("code_name", code.as_str());
        let resp = self.http.send(&req, &self.auth).await?;
        if resp.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(Default::default()));
        }
        let v: Value = resp.json()?;
        refuse_error_body(&v)?;
        Ok(v)
    }

    /// One page of license usage for `query`.
    pub async fn license_usage_page(
        &self,
        query: &LicenseUsageQuery,
        offset: u64,
        limit: u64,
    ) -> Result<Page<LicenseUsage>> {
        let mut req = Request::get(join_url(&self.base, "api/sam/v2/license_usage"))
            .query("startdate", query.from)
            .query("enddate", query.to);
        for c in &query.columns {
            req = req.query("columns[]", c);
        }
        for o in &query.order {
            req = req.query("order[]", o);
        }
        req = req
            .query_opt(
                "criteria",
                query.criteria.as_ref().map(|c| c.as_str().to_owned()),
            )
            .query_opt("computerGroupId", query.computer_group)
            .query("limit", limit)
            .query("offset", offset);
        let resp = self.http.send(&req, &self.auth).await?;
        parse_page(&resp.body, "license usage")
    }

    /// The whole license usage for `query`, page by page, lazily.
    pub fn license_usage(
        &self,
        query: LicenseUsageQuery,
        opts: PageOptions,
    ) -> BoxStream<'static, Result<LicenseUsage>> {
        let client = self.clone();
        let query = std::sync::Arc::new(query);
        offset_stream(opts, move |offset, limit| {
            let (client, query) = (client.clone(), query.clone());
            async move { client.license_usage_page(&query, offset, limit).await }
        })
    }

    async fn metric_answer(&self, req: Request) -> Result<Metric> {
        let resp = self.http.send(&req, &self.auth).await?;
        let v: Value = resp.json()?;
        refuse_error_body(&v)?;
        Metric::from_value(v).map_err(|e| {
            Error::new(
                ErrorKind::Network,
                format!("the metric in the answer is malformed: {e}"),
            )
        })
    }
}

/// Some servers answer 200 with `{"error": "..."}`: that is a rejection all the same.
fn refuse_error_body(v: &Value) -> Result<()> {
    match v.get("error") {
        Some(Value::String(m)) if !m.is_empty() => Err(Error::new(ErrorKind::Rejected, m.clone())),
        _ => Ok(()),
    }
}

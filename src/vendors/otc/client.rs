//! Typed calls to the OTC Enterprise Dashboard API: v1 (seed 001), the v2 NDJSON streams
//! (DESIGN.md §6) and the deprecated Grafana endpoints. No clap, no printing.

use chrono::NaiveDate;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use reqwest::Method;
use serde_json::Value;
use tokio::io::AsyncBufReadExt;
use url::Url;

use super::model::{parse_collection, record, Granularity, Record, V1Filter, V2Filter};
use crate::auth::Auth;
use crate::error::{Error, ErrorKind, Result};
use crate::http::request::join_url;
use crate::http::{HttpClient, Request, SecretString};
use crate::paginate::{offset_stream, Page, PageOptions};
use crate::usage::Month;

/// `GET /v1/consumption` (paged).
pub const V1_CONSUMPTION: &str = "v1/consumption";
/// `GET /v1/consumption/day?consumption_date=`.
pub const V1_DAY: &str = "v1/consumption/day";
/// `GET /v1/consumption/week?year=&week=` (the seed's heading says `/day`; its example
/// and the operation say week).
pub const V1_WEEK: &str = "v1/consumption/week";
/// `GET /v1/consumption/month?month=YYYY-MM`.
pub const V1_MONTH: &str = "v1/consumption/month";
/// `GET /v1/consumption/reserved`.
pub const V1_RESERVED: &str = "v1/consumption/reserved";
/// `GET /v1/consumption/health` (no authentication).
pub const V1_HEALTH: &str = "v1/consumption/health";
/// `GET /v2/health` (no authentication).
pub const V2_HEALTH: &str = "v2/health";

/// The Grafana paths licctl sends. The seed is inconsistent: its headings say
/// `/v1/Grafana/keys`, its curl examples say `/v1/Grafana/auth/keys` (list, delete) and
/// `/v1/grafana/auth/keys` (create, lower case), and the organization endpoints are all lower
/// case. licctl sends exactly what the curl examples send (they are what was run).
pub mod grafana_paths {
    /// `GET` (list keys).
    pub const KEYS_LIST: &str = "v1/Grafana/auth/keys";
    /// `POST` (create a key), lower case as in the seed's example.
    pub const KEYS_CREATE: &str = "v1/grafana/auth/keys";
    /// `DELETE .../{id}`.
    pub const KEYS_DELETE: &str = "v1/Grafana/auth/keys";
    /// `GET` organizations of the user.
    pub const ORGS: &str = "v1/grafana/user/orgs";
    /// `GET` the current organization.
    pub const ORGS_CURRENT: &str = "v1/grafana/user/orgs/current";
    /// `GET .../{id}`: switch the user's context (a GET, as documented).
    pub const USING: &str = "v1/grafana/user/using";
}

/// The consumption API of one Enterprise Dashboard.
#[derive(Debug, Clone)]
pub struct OtcClient {
    http: HttpClient,
    base: Url,
    auth: Auth,
}

impl OtcClient {
    /// A client for `base` authenticating with the API key as `Authorization: Bearer`;
    /// without a key only the health endpoints work.
    pub fn new(http: HttpClient, base: Url, api_key: Option<SecretString>) -> Self {
        let auth = api_key.map_or(Auth::None, Auth::Bearer);
        OtcClient { http, base, auth }
    }

    fn url(&self, path: &str) -> Url {
        join_url(&self.base, path)
    }

    /// One page of `GET /v1/consumption`.
    pub async fn consumption_page(
        &self,
        filter: &V1Filter,
        offset: u64,
        limit: u64,
    ) -> Result<Page<Record>> {
        let mut req = Request::get(self.url(V1_CONSUMPTION))
            .query("offset", offset)
            .query("limit", limit);
        for (k, v) in filter.query() {
            req = req.query(k, v);
        }
        let resp = self.http.send(&req, &self.auth).await?;
        parse_collection(&resp.body)
    }

    /// Every record of `GET /v1/consumption` matching `filter`, all pages (concurrently once
    /// `total` is known), in server order, lazily.
    pub fn consumption(
        &self,
        filter: V1Filter,
        opts: PageOptions,
    ) -> BoxStream<'static, Result<Record>> {
        let client = self.clone();
        offset_stream(opts, move |offset, limit| {
            let (client, filter) = (client.clone(), filter.clone());
            async move { client.consumption_page(&filter, offset, limit).await }
        })
    }

    async fn get_json(&self, path: &str, query: Vec<(&str, String)>) -> Result<Value> {
        let mut req = Request::get(self.url(path));
        for (k, v) in query {
            req = req.query(k, v);
        }
        self.http.send(&req, &self.auth).await?.json()
    }

    /// `GET /v1/consumption/day[?consumption_date=]`: the whole answer.
    pub async fn day(&self, date: Option<NaiveDate>) -> Result<Value> {
        let q = date
            .map(|d| ("consumption_date", d.format("%Y-%m-%d").to_string()))
            .into_iter()
            .collect();
        self.get_json(V1_DAY, q).await
    }

    /// `GET /v1/consumption/week?year=&week=`: the whole answer.
    pub async fn week(&self, year: u16, week: u8) -> Result<Value> {
        self.get_json(
            V1_WEEK,
            vec![("year", year.to_string()), ("week", week.to_string())],
        )
        .await
    }

    /// `GET /v1/consumption/month?month=YYYY-MM`: the whole answer.
    pub async fn month(&self, month: Month) -> Result<Value> {
        self.get_json(V1_MONTH, vec![("month", month.to_string())])
            .await
    }

    /// `GET /v1/consumption/reserved[?contract=]`: the whole answer.
    pub async fn reserved(&self, contract: Option<u64>) -> Result<Value> {
        let q = contract
            .map(|c| ("contract", c.to_string()))
            .into_iter()
            .collect();
        self.get_json(V1_RESERVED, q).await
    }

    /// `GET /v1/consumption/health` or `GET /v2/health`, never authenticated. Answers the
    /// body as JSON when it is JSON, else `{"status": <HTTP status>, "body": "<text>"}`
    /// (v1 documents no response body).
    pub async fn health(&self, v2: bool) -> Result<Value> {
        let req = Request::get(self.url(if v2 { V2_HEALTH } else { V1_HEALTH }));
        let resp = self.http.send(&req, &Auth::None).await?;
        match serde_json::from_slice::<Value>(&resp.body) {
            Ok(v @ Value::Object(_)) => Ok(v),
            _ => Ok(serde_json::json!({"status": resp.status, "body": resp.text().trim()})),
        }
    }

    /// The v2 NDJSON stream (`/v2/daily/consumption/` or `/v2/hourly/consumption/`), parsed
    /// line by line as bytes arrive: each record is yielded as soon as its line is complete,
    /// and memory holds one line at a time, however long the answer.
    pub async fn stream_v2(
        &self,
        granularity: Granularity,
        filter: &V2Filter,
    ) -> Result<BoxStream<'static, Result<Record>>> {
        let mut req = Request::get(self.url(granularity.path()));
        for (k, v) in filter.query() {
            req = req.query(k, v);
        }
        let resp = self.http.send_streaming(&req, &self.auth).await?;
        Ok(ndjson_records(resp.bytes_stream()))
    }
}

/// Splits a byte stream into NDJSON lines and parses each into a record, lazily. Blank lines
/// are skipped; a line that is not a JSON object ends the stream with an error naming it.
pub fn ndjson_records<S, E>(bytes: S) -> BoxStream<'static, Result<Record>>
where
    S: futures::Stream<Item = std::result::Result<bytes::Bytes, E>> + Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    let reader = tokio_util::io::StreamReader::new(bytes.map_err(std::io::Error::other));
    let lines = Box::pin(reader).lines();
    stream::try_unfold((lines, 0u64), |(mut lines, mut n)| async move {
        loop {
            let line = lines.next_line().await.map_err(|e| {
                Error::new(
                    ErrorKind::Network,
                    format!("the consumption stream broke off after {n} lines: {e}"),
                )
            })?;
            let Some(line) = line else { return Ok(None) };
            n += 1;
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(&line).map_err(|e| {
                Error::new(
                    ErrorKind::Network,
                    format!("line {n} of the consumption stream is not JSON: {e}"),
                )
                .with_hint("run with -vvv to see the request")
            })?;
            if !v.is_object() {
                return Err(Error::new(
                    ErrorKind::Network,
                    format!("line {n} of the consumption stream is not a JSON object"),
                ));
            }
            return Ok(Some((record(v)?, (lines, n))));
        }
    })
    .boxed()
}

/// The deprecated Grafana endpoints (HTTP Basic with the dashboard user's credentials).
#[derive(Debug, Clone)]
pub struct GrafanaClient {
    http: HttpClient,
    base: Url,
    auth: Auth,
}

impl GrafanaClient {
    /// A client for `base` with the user's name and password.
    pub fn new(http: HttpClient, base: Url, user: &str, password: SecretString) -> Self {
        GrafanaClient {
            http,
            base,
            auth: Auth::basic(user, password),
        }
    }

    async fn call(&self, req: Request) -> Result<Value> {
        let resp = self.http.send(&req, &self.auth).await?;
        if resp.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        resp.json()
    }

    /// `GET /v1/Grafana/auth/keys`.
    pub async fn list_keys(&self) -> Result<Value> {
        self.call(Request::get(join_url(&self.base, grafana_paths::KEYS_LIST)))
            .await
    }

    /// `POST /v1/grafana/auth/keys` with `{"name": name}` (not replayed: a retry could
    /// create a second key).
    pub async fn create_key(&self, name: &str) -> Result<Value> {
        let req = Request::new(
            Method::POST,
            join_url(&self.base, grafana_paths::KEYS_CREATE),
        )
        .json(serde_json::json!({ "name": name }));
        self.call(req).await
    }

    /// `DELETE /v1/Grafana/auth/keys/{id}` (204, no body).
    pub async fn delete_key(&self, id: u64) -> Result<Value> {
        let url = join_url(&self.base, &format!("{}/{id}", grafana_paths::KEYS_DELETE));
        self.call(Request::new(Method::DELETE, url)).await
    }

    /// `GET /v1/grafana/user/orgs`.
    pub async fn orgs(&self) -> Result<Value> {
        self.call(Request::get(join_url(&self.base, grafana_paths::ORGS)))
            .await
    }

    /// `GET /v1/grafana/user/orgs/current`.
    pub async fn current_org(&self) -> Result<Value> {
        self.call(Request::get(join_url(
            &self.base,
            grafana_paths::ORGS_CURRENT,
        )))
        .await
    }

    /// `GET /v1/grafana/user/using/{id}`.
    pub async fn switch_org(&self, id: u64) -> Result<Value> {
        let url = join_url(&self.base, &format!("{}/{id}", grafana_paths::USING));
        self.call(Request::get(url)).await
    }
}

/// The items of a Grafana list answer: the seed's `{"list": [...]}`, or Grafana's own bare
/// array.
pub fn grafana_list(v: Value) -> Result<Vec<Value>> {
    match v {
        Value::Array(items) => Ok(items),
        Value::Object(mut o) => match o.remove("list") {
            Some(Value::Array(items)) => Ok(items),
            _ => Err(Error::new(
                ErrorKind::Network,
                "the Grafana answer has no \"list\" array",
            )),
        },
        Value::Null => Ok(Vec::new()),
        _ => Err(Error::new(
            ErrorKind::Network,
            "the Grafana answer is neither a list nor an object",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(
        parts: &[&str],
    ) -> impl futures::Stream<Item = std::result::Result<bytes::Bytes, std::io::Error>> + Send + 'static
    {
        let owned: Vec<std::result::Result<bytes::Bytes, std::io::Error>> = parts
            .iter()
            .map(|p| Ok(bytes::Bytes::from(p.to_string())))
            .collect();
        stream::iter(owned)
    }

    #[tokio::test]
    async fn ndjson_lines_split_across_chunks() {
        let s = ndjson_records(chunks(&[
            "{\"amount\": 1.5, \"contr",
            "act\": 7}\n\n{\"amount\"",
            ": 2}\n{\"amount\": 3}",
        ]));
        let got: Vec<Record> = s.try_collect().await.unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].contract.as_deref(), Some("7"));
        assert_eq!(got[2].amount, Some(3.0));
    }

    #[tokio::test]
    async fn a_bad_line_is_an_error_naming_it() {
        let s = ndjson_records(chunks(&["{\"a\":1}\nnot json\n"]));
        let r: Result<Vec<Record>> = s.try_collect().await;
        assert!(r.unwrap_err().message().contains("line 2"));
    }

    #[test]
    fn grafana_lists_in_both_shapes() {
        assert_eq!(
            grafana_list(serde_json::json!({"list": [{"id": 1}]}))
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            grafana_list(serde_json::json!([{"id": 1}, {"id": 2}]))
                .unwrap()
                .len(),
            2
        );
        assert!(grafana_list(serde_json::json!({"x": 1})).is_err());
    }
}

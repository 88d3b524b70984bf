//! The `veeam-vspc` commands: arguments → validated options → client call → output sink.

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde_json::{json, Value};

use super::auth::{Login, VeeamGrant};
use super::client::{api_root, VeeamClient};
use super::model::{settings_patch, Report, View, REPORT_COLUMNS};
use super::{ReportsCommand, UsageCommand, ViewArgs, SECTION};
use crate::auth::{Auth, TokenCache};
use crate::context::Context;
use crate::error::{Error, ErrorKind, Result, ResultExt};
use crate::http::request::{join_url, parse_base_url};
use crate::http::HttpClient;
use crate::output::{self, Format};
use crate::paginate::PageOptions;
use crate::usage::Month;

/// VSPC's page size when none is asked for (`limit` defaults to 100), and the most licctl
/// asks for at once (`limit` is an int32).
const DEFAULT_PAGE_SIZE: u64 = 100;
const MAX_PAGE_SIZE: u64 = i32::MAX as u64;

/// Columns of `licensing usage organizations`.
const USAGE_COLUMNS: &[&str] = &[
    "organizationUid",
    "organizationName",
    "organizationType",
    "tenantUid",
    "usedPoints",
];

/// Columns of `licensing reports finalize`.
const FINALIZE_COLUMNS: &[&str] = &["reportApprovalStatus", "message"];

/// The settings field `--auto-approve` sets.
pub const AUTO_APPROVE_FIELD: &str = "autoApprove";

/// VSPC organization types, as `--organization-type` takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OrganizationType {
    /// The service provider itself
    Provider,
    /// A reseller
    Reseller,
    /// A client company
    Company,
}

impl OrganizationType {
    fn as_str(self) -> &'static str {
        match self {
            OrganizationType::Provider => "provider",
            OrganizationType::Reseller => "reseller",
            OrganizationType::Company => "company",
        }
    }
}

/// The authenticated client over `http`, from the profile / environment: a static API key if
/// one is configured, else the password grant with a token cached per profile and url.
pub fn client_with(ctx: &Context, http: HttpClient) -> Result<VeeamClient> {
    let cfg = ctx.config.vendor(SECTION);
    let url = parse_base_url(&cfg.require("url")?.value, SECTION)?;
    let api = api_root(&url);
    let auth = match cfg.secret("api_key")? {
        Some((key, _)) => Auth::Bearer(key),
        None => {
            let hint = "configure api_key (LICCTL_VEEAM_API_KEY), or username and password \
                        (LICCTL_VEEAM_USERNAME, LICCTL_VEEAM_PASSWORD)";
            let username = cfg
                .require("username")
                .map_err(|e| e.with_hint(hint))?
                .value;
            let password = cfg
                .require_secret("password")
                .map_err(|e| e.with_hint(hint))?;
            let cache = TokenCache::new(
                ctx.config.cache_dir(),
                SECTION,
                ctx.config.profile_name(),
                api.as_str(),
            );
            VeeamGrant::auth(join_url(&api, "token"), Login { username, password }, cache)
        }
    };
    Ok(VeeamClient::new(http, api, auth))
}

fn client(ctx: &Context) -> Result<VeeamClient> {
    client_with(ctx, ctx.http()?)
}

fn paging(ctx: &Context) -> Result<PageOptions> {
    ctx.paging().for_vendor(
        ctx.global.page_size,
        DEFAULT_PAGE_SIZE,
        MAX_PAGE_SIZE,
        "Veeam VSPC",
    )
}

/// VSPC's REST API listens on port 1280: a refused connection to a URL without a port is most
/// often that.
fn explain(e: Error, client: &VeeamClient) -> Error {
    let api = client.url("");
    if e.kind() == ErrorKind::Network
        && e.status().is_none()
        && api.port().is_none()
        && e.message().contains("cannot connect")
    {
        e.with_hint("VSPC's REST API listens on port 1280 by default: url = \"https://HOST:1280\"")
    } else {
        e
    }
}

/// Runs a `licensing reports` command.
pub async fn reports(cmd: &ReportsCommand, ctx: &Context) -> Result<()> {
    match cmd {
        ReportsCommand::List { month, view } => {
            let month = month
                .as_deref()
                .map(Month::parse)
                .transpose()?
                .map(|m| m.to_string());
            let paging = paging(ctx)?;
            let client = client(ctx)?;
            let mut reports = client.list_reports(paging);
            if let Some(m) = month {
                reports = reports
                    .try_filter(move |r| futures::future::ready(r.covers_month(&m)))
                    .boxed();
            }
            print_reports(ctx, view, reports)
                .await
                .map_err(|e| explain(e, &client))
                .with_context(|| "listing license usage reports")
        }
        ReportsCommand::Latest { view } => {
            let paging = paging(ctx)?;
            let client = client(ctx)?;
            print_reports(ctx, view, client.latest_reports(paging))
                .await
                .map_err(|e| explain(e, &client))
                .with_context(|| "getting the latest license usage reports")
        }
        ReportsCommand::Show { date, view } => {
            let date = crate::model::parse_date("--date", date)?.to_string();
            let paging = paging(ctx)?;
            let client = client(ctx)?;
            print_reports(ctx, view, client.reports_for_date(&date, paging))
                .await
                .map_err(|e| explain(e, &client))
                .with_context(|| format!("getting the license usage reports of {date}"))
        }
        ReportsCommand::Csv { id } => {
            output::check_out_path(&ctx.output)?;
            let client = client(ctx)?;
            let body = client
                .report_csv(*id)
                .await
                .map_err(|e| explain(e, &client))
                .with_context(|| format!("downloading report {id} as csv"))?;
            // The vendor's file, byte for byte, whatever its encoding.
            output::print_bytes(&ctx.output, &body)?;
            if let Some(out) = &ctx.output.out {
                ctx.note(&format!(
                    "report {id} written to {} ({} bytes)",
                    out.display(),
                    body.len()
                ));
            }
            Ok(())
        }
        ReportsCommand::Finalize => {
            let client = client(ctx)?;
            let status = client
                .finalize()
                .await
                .map_err(|e| explain(e, &client))
                .with_context(|| "finalizing the license usage reports")?;
            output::print_one(&ctx.output, FINALIZE_COLUMNS, &status)
        }
        ReportsCommand::Settings { auto_approve, set } => {
            let mut fields = Vec::new();
            if let Some(b) = auto_approve {
                fields.push((AUTO_APPROVE_FIELD.to_owned(), Value::Bool(*b)));
            }
            for s in set {
                fields.push(parse_set(s)?);
            }
            let client = client(ctx)?;
            let settings = if fields.is_empty() {
                client
                    .settings()
                    .await
                    .map_err(|e| explain(e, &client))
                    .with_context(|| "getting the report settings")?
            } else {
                client
                    .update_settings(settings_patch(&fields))
                    .await
                    .map_err(|e| explain(e, &client))
                    .with_context(|| "changing the report settings")?
            };
            output::print_one(&ctx.output, &[], &settings)
        }
    }
}

/// Runs a `licensing usage` command.
pub async fn usage(cmd: &UsageCommand, ctx: &Context) -> Result<()> {
    match cmd {
        UsageCommand::Organizations {
            organization_uid,
            organization_type,
            name_contains,
            filter,
        } => {
            let filter = usage_filter(
                organization_uid,
                organization_type,
                name_contains.as_deref(),
                filter.as_deref(),
            )?;
            let paging = paging(ctx)?;
            let client = client(ctx)?;
            output::print_stream(
                &ctx.output,
                USAGE_COLUMNS,
                client.organizations_usage(filter, paging),
            )
            .await
            .map_err(|e| explain(e, &client))
            .with_context(|| "getting the license usage of organizations")?;
            Ok(())
        }
    }
}

/// Prints reports: whole (json/jsonl/xml without `--view`) or as the rows of a view.
async fn print_reports(
    ctx: &Context,
    view: &ViewArgs,
    reports: BoxStream<'static, Result<Report>>,
) -> Result<()> {
    let tabular = matches!(
        ctx.output.resolved_format(),
        Format::Table | Format::Csv | Format::Tsv
    );
    match view.view.or(tabular.then_some(View::Reports)) {
        None => {
            output::print_stream(
                &ctx.output,
                REPORT_COLUMNS,
                reports.map_ok(Report::into_raw),
            )
            .await?
        }
        Some(v) => {
            let rows = reports
                .map_ok(move |r| stream::iter(v.rows(&r).into_iter().map(Ok)))
                .try_flatten();
            output::print_stream(&ctx.output, v.columns(), rows).await?
        }
    };
    Ok(())
}

/// `FIELD=VALUE` of `--set`: the value as JSON when it parses, else as a string.
fn parse_set(s: &str) -> Result<(String, Value)> {
    let bad = || {
        Error::usage(format!(
            "--set {s:?} must be FIELD=VALUE, FIELD made of letters, digits, _ and /"
        ))
    };
    let (field, value) = s.split_once('=').ok_or_else(bad)?;
    let field = field.trim().trim_start_matches('/');
    let ok = !field.is_empty()
        && field.split('/').all(|seg| {
            !seg.is_empty() && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if !ok {
        return Err(bad());
    }
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
    Ok((field.to_owned(), value))
}

/// The `filter` query parameter of `licensing usage organizations`, or `None` without filters.
fn usage_filter(
    uids: &[String],
    types: &[OrganizationType],
    name: Option<&str>,
    raw: Option<&str>,
) -> Result<Option<String>> {
    let mut exprs: Vec<Value> = Vec::new();
    for uid in uids {
        crate::model::parse_uuid("--organization-uid", uid)?;
    }
    match uids {
        [] => {}
        [one] => {
            exprs.push(json!({"property": "organizationUid", "operation": "equals", "value": one}))
        }
        many => {
            exprs.push(json!({"property": "organizationUid", "operation": "in", "value": many}))
        }
    }
    let types: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
    match types.as_slice() {
        [] => {}
        [one] => exprs.push(json!({"property": "organizationType", "operation": "equals", "collation": "ignorecase", "value": one})),
        many => exprs.push(json!({"property": "organizationType", "operation": "in", "collation": "ignorecase", "value": many})),
    }
    if let Some(n) = name {
        if n.trim().is_empty() {
            return Err(Error::usage("--name-contains must not be empty"));
        }
        exprs.push(json!({"property": "organizationName", "operation": "contains", "collation": "ignorecase", "value": n}));
    }
    if let Some(raw) = raw {
        match serde_json::from_str::<Value>(raw) {
            Ok(Value::Array(items)) => exprs.extend(items),
            Ok(obj @ Value::Object(_)) => exprs.push(obj),
            _ => {
                return Err(Error::usage(format!(
                    "--filter {raw:?} is not a VSPC filter: expected a JSON object or array, e.g. \
                     '{{\"property\":\"organizationName\",\"operation\":\"contains\",\"value\":\"x\"}}'"
                )))
            }
        }
    }
    Ok((!exprs.is_empty()).then(|| Value::Array(exprs).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert_eq!(
            crate::model::parse_date("--date", "2026-11-01")
                .unwrap()
                .to_string(),
            "2026-11-01"
        );
        for bad in [
            "2026-11-1",
            "2026-02-30",
            "01.11.2026",
            "",
            "2026-11-01T00:00:00",
        ] {
            assert_eq!(
                crate::model::parse_date("--date", bad)
                    .unwrap_err()
                    .exit_code(),
                2,
                "{bad}"
            );
        }
    }

    #[test]
    fn set_values_are_json_or_strings() {
        assert_eq!(
            parse_set("autoApproveDay=5").unwrap(),
            ("autoApproveDay".into(), json!(5))
        );
        assert_eq!(parse_set("a/b=true").unwrap(), ("a/b".into(), json!(true)));
        assert_eq!(
            parse_set("name=plain text").unwrap(),
            ("name".into(), json!("plain text"))
        );
        for bad in ["novalue", "=5", "bad field=1", "a//b=1"] {
            assert_eq!(parse_set(bad).unwrap_err().exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn usage_filters_become_one_expression_array() {
        assert_eq!(usage_filter(&[], &[], None, None).unwrap(), None);
        let uid = "e312fbbd-1e33-415d-8d38-b422c576523a".to_owned();
        let f = usage_filter(
            std::slice::from_ref(&uid),
            &[OrganizationType::Company, OrganizationType::Reseller],
            Some("beta"),
            Some(r#"{"property":"usedPoints","operation":"greaterThan","value":0}"#),
        )
        .unwrap()
        .unwrap();
        let v: Value = serde_json::from_str(&f).unwrap();
        assert_eq!(
            v,
            json!([
                {"property": "organizationUid", "operation": "equals", "value": uid},
                {"property": "organizationType", "operation": "in", "collation": "ignorecase", "value": ["company", "reseller"]},
                {"property": "organizationName", "operation": "contains", "collation": "ignorecase", "value": "beta"},
                {"property": "usedPoints", "operation": "greaterThan", "value": 0}
            ])
        );
        assert_eq!(
            usage_filter(&["nope".into()], &[], None, None)
                .unwrap_err()
                .exit_code(),
            2
        );
        assert_eq!(
            usage_filter(&[], &[], None, Some("[oops"))
                .unwrap_err()
                .exit_code(),
            2
        );
        assert_eq!(
            usage_filter(&[], &[], None, Some("5"))
                .unwrap_err()
                .exit_code(),
            2
        );
    }
}

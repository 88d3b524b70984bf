//! The `reports` commands: arguments → validated options → client call → output.

use crate::model::{parse_date, parse_uuid};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::StreamExt as _;
use serde_json::Value;

use super::client::{AcronisClient, WaitOptions};
use super::model::{
    NewReport, ReportChanges, ReportFormat, ResultAction, ScheduleType, StoredReport, StoredStatus,
    REPORT_COLUMNS, STORED_COLUMNS,
};
use super::{connect, tenant, CreateArgs, DownloadArgs, ListArgs, ReportsCommand, UpdateArgs};
use crate::context::Context;
use crate::error::{Error, ErrorKind, Result, ResultExt};
use crate::output;
use crate::usage::Month;

/// Runs a `reports` command.
pub(super) async fn reports(cmd: &ReportsCommand, ctx: &Context) -> Result<()> {
    output::check_out_path(&ctx.output)?;
    match cmd {
        ReportsCommand::Create(args) => create(args, ctx).await,
        ReportsCommand::List(args) => list(args, ctx).await,
        ReportsCommand::Show { id } => {
            let id = parse_uuid("report ID", id)?;
            let report = client(ctx)?
                .report(&id)
                .await
                .with_context(|| format!("showing report {id}"))?;
            output::print_one(&ctx.output, REPORT_COLUMNS, report.raw())
        }
        ReportsCommand::Update(args) => update(args, ctx).await,
        ReportsCommand::Delete { id, version } => delete(id, *version, ctx).await,
        ReportsCommand::Stored { id } => {
            let id = parse_uuid("report ID", id)?;
            let items = client(ctx)?
                .stored(&id)
                .await
                .with_context(|| format!("listing stored files of report {id}"))?;
            let stream = futures::stream::iter(items.into_iter().map(|s| Ok(s.into_raw())));
            output::print_stream(&ctx.output, STORED_COLUMNS, stream).await?;
            Ok(())
        }
        ReportsCommand::Download(args) => download(args, ctx).await,
    }
}

fn client(ctx: &Context) -> Result<AcronisClient> {
    connect(ctx, ctx.http()?)
}

/// Turns `create`'s flags into a validated report, before anything is sent.
fn new_report(
    args: &CreateArgs,
    tenant_flag_checked: impl FnOnce() -> Result<String>,
) -> Result<NewReport> {
    let period = match (&args.from, &args.to, &args.month) {
        (Some(from), Some(to), None) => {
            Some((parse_date("--from", from)?, parse_date("--to", to)?))
        }
        (None, None, Some(m)) => {
            let m = Month::parse(m)?;
            Some((m.start(), m.end()))
        }
        _ => None,
    };
    let recipients = args
        .recipients
        .iter()
        .map(|r| parse_uuid("--recipient", r))
        .collect::<Result<Vec<_>>>()?;
    let generation_date = args
        .generation_date
        .as_deref()
        .map(|d| parse_date("--generation-date", d))
        .transpose()?;
    let report = NewReport {
        recipients,
        kind: args.kind,
        tenant_id: tenant_flag_checked()?,
        level: args.level,
        period,
        formats: args.formats.clone(),
        hide_zero_usage: args.hide_zero_usage,
        show_skus: args.show_skus,
        schedule: args.schedule,
        generation_date,
        result_action: args.action,
    };
    report.validate()?;
    Ok(report)
}

async fn create(args: &CreateArgs, ctx: &Context) -> Result<()> {
    // Validation first: flags (exit 2), then the tenant from the configuration (exit 3).
    if let Some(t) = &args.tenant {
        parse_uuid("--tenant", t)?;
    }
    let wait = args.wait || args.download.is_some();
    if wait && (args.schedule != ScheduleType::Once || args.action != ResultAction::Save) {
        return Err(Error::usage(
            "--wait and --download need a one-time report that is saved (--schedule once --action save)",
        )
        .with_hint(
            "monthly reports are generated on the 1st of each month: use `reports stored` and `reports download` then",
        ));
    }
    if let Some(dir) = &args.download {
        if !dir.is_dir() {
            return Err(Error::usage(format!(
                "--download {}: no such directory",
                dir.display()
            )));
        }
    }
    let report = new_report(args, || tenant(ctx, args.tenant.as_deref()))?;
    let opts = WaitOptions {
        interval: Duration::from_secs_f64(args.poll_interval),
        timeout: Duration::from_secs_f64(args.wait_timeout),
        ..WaitOptions::default()
    };
    let client = client(ctx)?;
    let created = client
        .create_report(&report)
        .await
        .with_context(|| "creating the report")?;
    if !wait {
        return output::print_one(&ctx.output, REPORT_COLUMNS, created.raw());
    }
    let id = created
        .id
        .clone()
        .ok_or_else(|| Error::new(ErrorKind::Network, "the created report has no id"))?;
    ctx.note(&format!(
        "created report {id}; waiting for its stored files"
    ));
    let stored = client.wait_for_stored(&id, opts).await?;
    let mut shown = Vec::with_capacity(stored.len());
    let names = file_names(&id, &stored);
    for (item, name) in stored.into_iter().zip(names) {
        let mut raw = item.raw().clone();
        if let (Some(dir), Some(sid)) = (&args.download, item.id.as_deref()) {
            let target = dir.join(&name);
            let size = client
                .download_to(&id, sid, &target)
                .await
                .with_context(|| format!("downloading stored file {sid} of report {id}"))?;
            ctx.note(&format!("saved {} ({size} bytes)", target.display()));
            if let Value::Object(o) = &mut raw {
                o.insert(
                    "path".into(),
                    Value::String(target.to_string_lossy().into_owned()),
                );
            }
        }
        shown.push(raw);
    }
    let mut out = created.into_raw();
    if let Value::Object(o) = &mut out {
        o.insert("stored".into(), Value::Array(shown));
    }
    let mut columns = REPORT_COLUMNS.to_vec();
    columns.push("stored");
    output::print_one(&ctx.output, &columns, &out)
}

/// `report-<id>-<format>.<ext>` for each stored file; the stored id joins the name where a
/// format repeats.
fn file_names(report_id: &str, stored: &[StoredReport]) -> Vec<String> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for s in stored {
        *count
            .entry(s.report_format.as_deref().unwrap_or("file"))
            .or_default() += 1;
    }
    stored
        .iter()
        .map(|s| {
            let format = s.report_format.as_deref().unwrap_or("file");
            let ext = ReportFormat::extension_of(format);
            match (count[format] > 1, s.id.as_deref()) {
                (true, Some(sid)) => format!("report-{report_id}-{format}-{sid}.{ext}"),
                _ => format!("report-{report_id}-{format}.{ext}"),
            }
        })
        .collect()
}

async fn list(args: &ListArgs, ctx: &Context) -> Result<()> {
    let tenant = tenant(ctx, args.tenant.as_deref())?;
    let client = client(ctx)?;
    let items = client
        .tenant_reports(&tenant)
        .await
        .with_context(|| format!("listing reports of tenant {tenant}"))?;
    let take = ctx
        .global
        .max_items
        .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let items: Vec<Value> = items.into_iter().take(take).collect();
    if args.ids_only {
        let stream = futures::stream::iter(items.into_iter().map(|v| match v {
            Value::String(id) => Ok(serde_json::json!({ "id": id })),
            other => Ok(other),
        }));
        output::print_stream(&ctx.output, &["id"], stream).await?;
        return Ok(());
    }
    let concurrency = usize::from(ctx.global.concurrency).max(1);
    let stream = futures::stream::iter(items)
        .map(move |item| {
            let client = client.clone();
            async move {
                match item {
                    Value::String(id) => match client.report(&id).await {
                        Ok(r) => Ok(Some(r.into_raw())),
                        // Deleted between the list and the details: not an error.
                        Err(e) if e.kind() == ErrorKind::NotFound => {
                            tracing::warn!(
                                "report {id} disappeared while listing: {}",
                                e.message()
                            );
                            Ok(None)
                        }
                        Err(e) => Err(e.context(format!("fetching report {id}"))),
                    },
                    other => Ok(Some(other)),
                }
            }
        })
        .buffered(concurrency)
        .filter_map(|r| async move { r.transpose() });
    output::print_stream(&ctx.output, REPORT_COLUMNS, stream).await?;
    Ok(())
}

async fn update(args: &UpdateArgs, ctx: &Context) -> Result<()> {
    let id = parse_uuid("report ID", &args.id)?;
    let recipients = if args.clear_recipients {
        Some(Vec::new())
    } else if args.recipients.is_empty() {
        None
    } else {
        Some(
            args.recipients
                .iter()
                .map(|r| parse_uuid("--recipient", r))
                .collect::<Result<Vec<_>>>()?,
        )
    };
    let changes = ReportChanges {
        recipients,
        kind: args.kind,
        level: args.level,
        hide_zero_usage: args.hide_zero_usage,
        show_skus: args.show_skus,
        enabled: args.enabled,
    };
    if changes.is_empty() {
        return Err(Error::usage("nothing to update: give --kind, --level, --recipient, --clear-recipients, --enabled, --hide-zero-usage or --show-skus"));
    }
    let report = client(ctx)?
        .update_report(&id, &changes)
        .await
        .with_context(|| format!("updating report {id}"))?;
    output::print_one(&ctx.output, REPORT_COLUMNS, report.raw())
}

async fn delete(id: &str, version: Option<i64>, ctx: &Context) -> Result<()> {
    let id = parse_uuid("report ID", id)?;
    let client = client(ctx)?;
    let version = match version {
        Some(v) => v,
        None => client
            .report(&id)
            .await
            .with_context(|| format!("fetching the current version of report {id}"))?
            .version
            .ok_or_else(|| {
                Error::new(ErrorKind::Network, format!("report {id} has no version"))
                    .with_hint("pass --version N")
            })?,
    };
    client
        .delete_report(&id, version)
        .await
        .with_context(|| format!("deleting report {id} (version {version})"))?;
    ctx.note(&format!("deleted report {id} (version {version})"));
    Ok(())
}

async fn download(args: &DownloadArgs, ctx: &Context) -> Result<()> {
    let id = parse_uuid("report ID", &args.id)?;
    if args.format.is_some() && !args.latest {
        return Err(Error::usage(
            "--format chooses among files with --latest; a STORED_ID names one file already",
        ));
    }
    let stored_id = args
        .stored_id
        .as_deref()
        .map(|s| parse_uuid("stored file ID", s))
        .transpose()?;
    let target: PathBuf = ctx.output.out.clone().ok_or_else(|| {
        Error::usage("reports download writes a file: give --out FILE")
            .with_hint("the file is written atomically: complete or absent")
    })?;
    let client = client(ctx)?;
    let stored_id = match stored_id {
        Some(s) => s,
        None => latest(&client, &id, args.format).await?,
    };
    let size = client
        .download_to(&id, &stored_id, &target)
        .await
        .with_context(|| format!("downloading stored file {stored_id} of report {id}"))?;
    ctx.note(&format!("saved {} ({size} bytes)", display(&target)));
    Ok(())
}

/// The most recent saved stored file (of `format`, if given).
async fn latest(client: &AcronisClient, id: &str, format: Option<ReportFormat>) -> Result<String> {
    let items = client
        .stored(id)
        .await
        .with_context(|| format!("listing stored files of report {id}"))?;
    let mut saved: Vec<&StoredReport> = items
        .iter()
        .filter(|s| s.state() == StoredStatus::Saved)
        .filter(|s| format.is_none_or(|f| s.report_format.as_deref() == Some(f.as_str())))
        .collect();
    // Stable: among equal dates the later-listed file wins.
    saved.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    let what = format
        .map(|f| format!(" in format {}", f.as_str()))
        .unwrap_or_default();
    saved.last().and_then(|s| s.id.clone()).ok_or_else(|| {
        Error::new(
            ErrorKind::NotFound,
            format!("report {id} has no saved stored file{what}"),
        )
        .with_hint(format!(
            "`licctl acronis reports stored {id}` lists its files and their status"
        ))
    })
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

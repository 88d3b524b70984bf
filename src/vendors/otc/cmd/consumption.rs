//! `licctl otc consumption ...`: arguments → validated filters → client call → output sink.

use crate::model::parse_date;
use chrono::{Datelike, NaiveDate};
use clap::{Args, Subcommand};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde_json::Value;

use super::super::model::{
    collection_from_value, tabular_view, ConsumptionType, Granularity, Record, V1Filter, V2Filter,
    CONSUMPTION_COLUMNS, CONSUMPTION_V2_COLUMNS, MAX_LIMIT, RESERVED_COLUMNS,
};
use super::super::summary::{GroupBy, Summary, SUMMARY_COLUMNS};
use super::super::{api_version, consumption_client, ApiVersion, OtcArgs, VENDOR_NAME};
use crate::context::Context;
use crate::error::{Error, Result, ResultExt};
use crate::output::{self, Format};
use crate::paginate::PageOptions;
use crate::usage::Month;

/// `licctl otc consumption ...`
#[derive(Debug, Subcommand)]
pub enum ConsumptionCommand {
    /// List consumption records: v1 GET /v1/consumption (every page, --concurrency pages in
    /// flight, order kept), or with --api-version v2 the NDJSON stream of
    /// /v2/daily/consumption/ or /v2/hourly/consumption/, printed as it arrives
    List(ListArgs),
    /// One day's consumption: GET /v1/consumption/day (v2: the daily stream with --date)
    Day {
        /// The day, YYYY-MM-DD (consumption_date) [v1: optional, the server picks]
        #[arg(long)]
        date: Option<String>,
    },
    /// One ISO week's consumption: GET /v1/consumption/week (v2: the daily stream with
    /// --year and --week)
    Week {
        /// The year
        #[arg(long, value_parser = clap::value_parser!(u16).range(1970..=9999))]
        year: u16,
        /// The ISO week, 1..53
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=53))]
        week: u8,
    },
    /// One month's consumption: GET /v1/consumption/month?month=YYYY-MM (v2: the daily
    /// stream with --year and --month)
    Month {
        /// The month, YYYY-MM
        #[arg(long)]
        month: String,
    },
    /// Reserved packages: GET /v1/consumption/reserved (v2: the daily stream with
    /// consumption_type RC)
    Reserved {
        /// Only this contract
        #[arg(long)]
        contract: Option<u64>,
    },
    /// Sum amount, listprice_amount and billing quantity per group over a month, sorted by
    /// amount (largest first). v1 reads every page of GET /v1/consumption for each day of the
    /// month; v2 reads the daily stream for the month. Memory does not grow with the data.
    Summary {
        /// The month, YYYY-MM
        #[arg(long)]
        month: String,
        /// What to group on
        #[arg(long, value_enum, default_value_t = GroupBy::Product)]
        by: GroupBy,
    },
}

/// Filters of `consumption list`. v1 sends them as query parameters of GET /v1/consumption;
/// v2 as query parameters of the stream. Flags of the other version are refused (exit 2).
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this contract
    #[arg(long)]
    pub contract: Option<u64>,
    /// Only this day, YYYY-MM-DD (v1 consumption_date, v2 date)
    #[arg(long)]
    pub date: Option<String>,
    /// v1: only tagged (true) or untagged (false) resources
    #[arg(long, value_name = "true|false", action = clap::ArgAction::Set)]
    pub tagged: Option<bool>,
    /// Only this product id, 1..32
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=32))]
    pub product: Option<u8>,
    /// Only this product description
    #[arg(long)]
    pub product_description: Option<String>,
    /// Only this project (e.g. eu-de)
    #[arg(long)]
    pub project_name: Option<String>,
    /// Only this resource id
    #[arg(long)]
    pub resource_id: Option<String>,
    /// Only resources with this tag key
    #[arg(long)]
    pub tag_key: Option<String>,
    /// Only resources with this tag value
    #[arg(long)]
    pub tag_value: Option<String>,
    /// v2: daily or hourly records [default: daily]
    #[arg(long, value_enum)]
    pub granularity: Option<Granularity>,
    /// v2: EL (elastic) or RC (reserved)
    #[arg(long, value_enum)]
    pub consumption_type: Option<ConsumptionType>,
    /// v2, hourly only: the hour, 0..23
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=23))]
    pub hour: Option<u8>,
    /// v2: the month, 1..12
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=12))]
    pub month: Option<u8>,
    /// v2: the ISO week, 1..53
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=53))]
    pub week: Option<u8>,
    /// v2: the year
    #[arg(long, value_parser = clap::value_parser!(u16).range(1970..=9999))]
    pub year: Option<u16>,
    /// v2: include the resources' tags in the records
    #[arg(long)]
    pub show_tag: bool,
}

/// What a list command will request, once validated.
#[derive(Debug, Clone, PartialEq)]
pub enum ListPlan {
    /// Paged GET /v1/consumption.
    V1(V1Filter),
    /// The v2 stream.
    V2(Granularity, V2Filter),
}

impl ListArgs {
    /// Validates the flags for `version` (exit 2 before any request).
    pub fn plan(&self, version: ApiVersion) -> Result<ListPlan> {
        let date = self
            .date
            .as_deref()
            .map(|d| parse_date("--date", d))
            .transpose()?;
        match version {
            ApiVersion::V1 => {
                let v2_only = [
                    ("--granularity", self.granularity.is_some()),
                    ("--consumption-type", self.consumption_type.is_some()),
                    ("--hour", self.hour.is_some()),
                    ("--month", self.month.is_some()),
                    ("--week", self.week.is_some()),
                    ("--year", self.year.is_some()),
                    ("--show-tag", self.show_tag),
                ];
                if let Some((flag, _)) = v2_only.iter().find(|(_, given)| *given) {
                    return Err(Error::usage(format!("{flag} is a v2 filter")).with_hint(
                        "add --api-version v2 (or set api_version = \"v2\" / LICCTL_OTC_API_VERSION=v2)",
                    ));
                }
                Ok(ListPlan::V1(V1Filter {
                    contract: self.contract,
                    date,
                    tagged: self.tagged,
                    product: self.product,
                    product_description: self.product_description.clone(),
                    project_name: self.project_name.clone(),
                    resource_id: self.resource_id.clone(),
                    tag_key: self.tag_key.clone(),
                    tag_value: self.tag_value.clone(),
                }))
            }
            ApiVersion::V2 => {
                if self.tagged.is_some() {
                    return Err(Error::usage("--tagged is a v1 filter").with_hint(
                        "v2 filters on --tag-key / --tag-value; --show-tag includes the tags",
                    ));
                }
                let granularity = self.granularity.unwrap_or_default();
                let filter = V2Filter {
                    consumption_type: self.consumption_type,
                    contract: self.contract,
                    date,
                    hour: self.hour,
                    month: self.month,
                    week: self.week,
                    year: self.year,
                    product: self.product,
                    product_description: self.product_description.clone(),
                    project_name: self.project_name.clone(),
                    resource_id: self.resource_id.clone(),
                    show_tag: self.show_tag,
                    tag_key: self.tag_key.clone(),
                    tag_value: self.tag_value.clone(),
                };
                filter.validate(granularity)?;
                Ok(ListPlan::V2(granularity, filter))
            }
        }
    }
}

/// Runs a `consumption` command.
pub async fn run(cmd: &ConsumptionCommand, args: &OtcArgs, ctx: &Context) -> Result<()> {
    let version = api_version(args.api_version, ctx)?;
    match cmd {
        ConsumptionCommand::List(list) => {
            let plan = list.plan(version)?;
            let paging = v1_paging(ctx)?;
            output::check_out_path(&ctx.output)?;
            let client = consumption_client(ctx, ctx.http()?)?;
            match plan {
                ListPlan::V1(filter) => {
                    print_records(ctx, CONSUMPTION_COLUMNS, client.consumption(filter, paging))
                        .await
                        .with_context(|| "listing consumption")
                }
                ListPlan::V2(granularity, filter) => {
                    let records = client
                        .stream_v2(granularity, &filter)
                        .await
                        .with_context(|| "listing consumption")?;
                    print_records(ctx, CONSUMPTION_V2_COLUMNS, limited(records, ctx))
                        .await
                        .with_context(|| "listing consumption")
                }
            }
        }
        ConsumptionCommand::Day { date } => {
            let date = date
                .as_deref()
                .map(|d| parse_date("--date", d))
                .transpose()?;
            match version {
                ApiVersion::V1 => {
                    let client = consumption_client(ctx, ctx.http()?)?;
                    let answer = client
                        .day(date)
                        .await
                        .with_context(|| "fetching the day's consumption")?;
                    print_answer(ctx, CONSUMPTION_COLUMNS, answer).await
                }
                ApiVersion::V2 => {
                    let date = date
                        .ok_or_else(|| Error::usage("--date is required with --api-version v2"))?;
                    v2_list(
                        ctx,
                        V2Filter {
                            date: Some(date),
                            ..Default::default()
                        },
                    )
                    .await
                }
            }
        }
        ConsumptionCommand::Week { year, week } => match version {
            ApiVersion::V1 => {
                let client = consumption_client(ctx, ctx.http()?)?;
                let answer = client.week(*year, *week).await.with_context(|| {
                    format!("fetching the consumption of week {week} of {year}")
                })?;
                print_answer(ctx, CONSUMPTION_COLUMNS, answer).await
            }
            ApiVersion::V2 => {
                v2_list(
                    ctx,
                    V2Filter {
                        year: Some(*year),
                        week: Some(*week),
                        ..Default::default()
                    },
                )
                .await
            }
        },
        ConsumptionCommand::Month { month } => {
            let month = Month::parse(month)?;
            match version {
                ApiVersion::V1 => {
                    let client = consumption_client(ctx, ctx.http()?)?;
                    let answer = client
                        .month(month)
                        .await
                        .with_context(|| format!("fetching the consumption of {month}"))?;
                    print_answer(ctx, CONSUMPTION_COLUMNS, answer).await
                }
                ApiVersion::V2 => v2_list(ctx, month_filter(month)).await,
            }
        }
        ConsumptionCommand::Reserved { contract } => match version {
            ApiVersion::V1 => {
                let client = consumption_client(ctx, ctx.http()?)?;
                let answer = client
                    .reserved(*contract)
                    .await
                    .with_context(|| "fetching reserved packages")?;
                print_answer(ctx, RESERVED_COLUMNS, answer).await
            }
            ApiVersion::V2 => {
                v2_list(
                    ctx,
                    V2Filter {
                        consumption_type: Some(ConsumptionType::Rc),
                        contract: *contract,
                        ..Default::default()
                    },
                )
                .await
            }
        },
        ConsumptionCommand::Summary { month, by } => {
            let month = Month::parse(month)?;
            let paging = v1_paging(ctx)?;
            output::check_out_path(&ctx.output)?;
            let client = consumption_client(ctx, ctx.http()?)?;
            let records: BoxStream<'static, Result<Record>> = match version {
                ApiVersion::V1 => {
                    // Every page of every day: --max-items / --no-paginate would make the sums wrong.
                    let opts = PageOptions {
                        max_items: None,
                        no_paginate: false,
                        ..paging
                    };
                    let days = days_of(month);
                    stream::iter(days)
                        .flat_map(move |d| {
                            client.consumption(
                                V1Filter {
                                    date: Some(d),
                                    ..Default::default()
                                },
                                opts,
                            )
                        })
                        .boxed()
                }
                ApiVersion::V2 => {
                    client
                        .stream_v2(Granularity::Daily, &month_filter(month))
                        .await?
                }
            };
            let mut summary = Summary::new(*by);
            let mut records = records;
            while let Some(r) = records
                .try_next()
                .await
                .with_context(|| format!("summing the consumption of {month}"))?
            {
                summary.add(&r);
            }
            output::print_stream(
                &ctx.output,
                SUMMARY_COLUMNS,
                stream::iter(summary.rows().into_iter().map(Ok)),
            )
            .await?;
            Ok(())
        }
    }
}

/// The v1 paging options: `--page-size` within 1..=100, 100 by default.
fn v1_paging(ctx: &Context) -> Result<PageOptions> {
    ctx.paging()
        .for_vendor(ctx.global.page_size, MAX_LIMIT, MAX_LIMIT, VENDOR_NAME)
}

/// The v2 filter of a whole month.
pub fn month_filter(month: Month) -> V2Filter {
    V2Filter {
        year: u16::try_from(month.year()).ok(),
        month: u8::try_from(month.month()).ok(),
        ..Default::default()
    }
}

/// Every day of `month`, in order.
pub fn days_of(month: Month) -> Vec<NaiveDate> {
    month
        .start()
        .iter_days()
        .take_while(|d| d.month() == month.month() && d.year() == month.year())
        .collect()
}

/// v2 streams have no paging: `--max-items` ends the stream (and the connection) early.
fn limited(
    records: BoxStream<'static, Result<Record>>,
    ctx: &Context,
) -> BoxStream<'static, Result<Record>> {
    match ctx.global.max_items {
        Some(n) => records
            .take(usize::try_from(n).unwrap_or(usize::MAX))
            .boxed(),
        None => records,
    }
}

async fn v2_list(ctx: &Context, filter: V2Filter) -> Result<()> {
    output::check_out_path(&ctx.output)?;
    let client = consumption_client(ctx, ctx.http()?)?;
    let records = client
        .stream_v2(Granularity::Daily, &filter)
        .await
        .with_context(|| "listing consumption")?;
    print_records(ctx, CONSUMPTION_V2_COLUMNS, limited(records, ctx))
        .await
        .with_context(|| "listing consumption")
}

/// Prints records as they arrive: raw for json/jsonl/xml (what the server sent), keys trimmed
/// for table/csv/tsv (so the documented columns find `"contract "`).
async fn print_records(
    ctx: &Context,
    columns: &[&str],
    records: BoxStream<'static, Result<Record>>,
) -> Result<()> {
    let tabular = matches!(
        ctx.output.resolved_format(),
        Format::Table | Format::Csv | Format::Tsv
    );
    let items = records.map_ok(move |r| {
        if tabular {
            tabular_view(r.raw())
        } else {
            r.into_raw()
        }
    });
    output::print_stream(&ctx.output, columns, items).await?;
    Ok(())
}

/// Prints the `contents` of a whole (unpaged) v1 answer.
async fn print_answer(ctx: &Context, columns: &[&str], answer: Value) -> Result<()> {
    let page = collection_from_value(answer)?;
    let items = stream::iter(page.items.into_iter().map(Ok)).boxed();
    print_records(ctx, columns, limited(items, ctx)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        cmd: ConsumptionCommand,
    }

    fn list(args: &[&str]) -> ListArgs {
        let mut argv = vec!["t", "list"];
        argv.extend_from_slice(args);
        match Cli::try_parse_from(argv).unwrap().cmd {
            ConsumptionCommand::List(l) => l,
            _ => unreachable!(),
        }
    }

    #[test]
    fn v1_flags_become_the_filter() {
        let plan = list(&[
            "--contract",
            "1000021234",
            "--date",
            "2020-08-01",
            "--tagged",
            "false",
            "--product",
            "32",
        ])
        .plan(ApiVersion::V1)
        .unwrap();
        let ListPlan::V1(f) = plan else { panic!() };
        assert_eq!(f.contract, Some(1000021234));
        assert_eq!(f.tagged, Some(false));
        assert_eq!(f.product, Some(32));
    }

    #[test]
    fn bad_values_are_usage_errors() {
        for bad in [
            ["--product", "33"],
            ["--product", "0"],
            ["--hour", "24"],
            ["--week", "54"],
            ["--month", "13"],
        ] {
            let mut argv = vec!["t", "list"];
            argv.extend_from_slice(&bad);
            assert_eq!(
                Cli::try_parse_from(argv).err().unwrap().exit_code(),
                2,
                "{bad:?}"
            );
        }
        assert_eq!(
            list(&["--date", "2020-13-01"])
                .plan(ApiVersion::V1)
                .unwrap_err()
                .exit_code(),
            2
        );
        assert_eq!(
            list(&["--hour", "3"])
                .plan(ApiVersion::V1)
                .unwrap_err()
                .exit_code(),
            2
        );
        assert_eq!(
            list(&["--hour", "3"])
                .plan(ApiVersion::V2)
                .unwrap_err()
                .exit_code(),
            2
        );
        assert!(list(&["--hour", "3", "--granularity", "hourly"])
            .plan(ApiVersion::V2)
            .is_ok());
        assert_eq!(
            list(&["--tagged", "true"])
                .plan(ApiVersion::V2)
                .unwrap_err()
                .exit_code(),
            2
        );
    }

    #[test]
    fn days_of_a_month() {
        let d = days_of(Month::parse("2024-02").unwrap());
        assert_eq!(d.len(), 29);
        assert_eq!(d[28].to_string(), "2024-02-29");
    }
}

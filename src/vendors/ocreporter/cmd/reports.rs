//! `licctl ocr reports ...`: the SPLA usage reports for the reseller and for customer billing
//! (`report/licensing/spla-usage-reseller|spla-usage-customer`), deleting a licensing report,
//! the Cloud VM Cost Adviser (`report/cloud/cloud-vm-cost-adviser`) and the data export
//! (`report/data-export`).
//!
//! An SPLA report is one object with several parts; `--section` picks the part printed as
//! rows (nested groupings unfolded, see [`section_rows`]). Licenses OC Reporter left out of
//! the calculation for lack of a purchase price (`missingUnitPrices`) are a warning on stderr
//! naming every part number and price category, or with `--require-prices` a failure (exit 9)
//! before anything is printed.

use clap::{Args, Subcommand};

use super::Ocr;
use crate::error::{Error, Result, ResultExt};
use crate::usage::Month;
use crate::vendors::ocreporter::model::{
    check_id, data_export_category, date_range, missing_prices, missing_prices_error,
    missing_prices_message, section_rows, CloudProvider, Observation, ReportPayload, Section,
    SplaReport, CLOUD_COLUMNS,
};

/// `licctl ocr reports ...`
#[derive(Debug, Subcommand)]
pub enum ReportsCommand {
    /// SPLA usage report for the reseller (what to report to Microsoft)
    SplaReseller(SplaArgs),
    /// SPLA usage report for customer billing
    SplaCustomer {
        /// The report's options.
        #[command(flatten)]
        spla: SplaArgs,
        /// Only this customer (payload[customer_ids]; repeatable or comma-separated)
        #[arg(long = "customer", value_name = "ID", value_delimiter = ',')]
        customers: Vec<String>,
    },
    /// Delete a licensing report
    Delete {
        /// The report's id
        id: String,
    },
    /// Cloud VM Cost Adviser: what the VMs would cost in the cloud
    CloudVmCostAdviser {
        /// Cloud provider (payload[cloud_provider]; repeatable or comma-separated) [default: all]
        #[arg(long = "provider", value_enum, value_delimiter = ',')]
        providers: Vec<CloudProvider>,
        /// Only this customer (payload[customer_id]) [default: all]
        #[arg(long, value_name = "ID")]
        customer: Option<String>,
    },
    /// Export one category of data over a date range
    DataExport {
        /// WsDatanceter (sic; WsDatacenter is accepted and sent as WsDatanceter), WsCluster,
        /// WsDevice, WsInstalledSoftware-server, WsUser, WsInstalledSoftware-user, WsCustomer,
        /// WsAssignedDevice, WsCustomerGroup, WsScanAlert or WsScanner (payload[category])
        #[arg(long, value_name = "C")]
        category: String,
        /// First day, YYYY-MM-DD (payload[start_date])
        #[arg(long, value_name = "DATE")]
        from: String,
        /// Last day, YYYY-MM-DD (payload[end_date])
        #[arg(long, value_name = "DATE")]
        to: String,
    },
}

/// The options of both SPLA usage reports.
#[derive(Debug, Clone, Args)]
pub struct SplaArgs {
    /// The month, YYYY-MM or YYYYMM (payload[month_id]; the recommended full-month observation)
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["from", "to", "without_high_water_mark"])]
    pub month: Option<String>,
    /// First day of a date range, YYYY-MM-DD (payload[start_date])
    #[arg(
        long,
        value_name = "DATE",
        requires = "to",
        conflicts_with = "without_high_water_mark"
    )]
    pub from: Option<String>,
    /// Last day of a date range, YYYY-MM-DD (payload[end_date])
    #[arg(
        long,
        value_name = "DATE",
        requires = "from",
        conflicts_with = "without_high_water_mark"
    )]
    pub to: Option<String>,
    /// No observation period: the current state (payload[without_high_water_mark]=1)
    #[arg(long)]
    pub without_high_water_mark: bool,
    /// Months to compare with, YYYY-MM (payload[compare_months]; repeatable or comma-separated)
    #[arg(long, value_name = "YYYY-MM,...", value_delimiter = ',')]
    pub compare: Vec<String>,
    /// Include the itemized part (payload[with_itemized]=1; implied by --section itemized)
    #[arg(long)]
    pub itemized: bool,
    /// Ask for the flat structure (payload[flat_structure]=1)
    #[arg(long)]
    pub flat: bool,
    /// Serve an existing report of the same month instead of generating one (payload[existing]=1)
    #[arg(long)]
    pub existing: bool,
    /// The part printed as rows [default: summary for spla-reseller, customers for spla-customer]
    #[arg(long, value_enum)]
    pub section: Option<Section>,
    /// Fail (exit 9) instead of warning when licenses lack a purchase price (missingUnitPrices)
    #[arg(long)]
    pub require_prices: bool,
}

impl SplaArgs {
    /// The validated payload and the section to print.
    pub fn payload(
        &self,
        kind: SplaReport,
        customers: &[String],
    ) -> Result<(ReportPayload, Section)> {
        let observation =
            match (&self.month, &self.from, &self.to) {
                (Some(m), _, _) => {
                    Observation::Month(Month::parse(m).map_err(|e| e.context("--month"))?)
                }
                (None, Some(f), Some(t)) => {
                    let (f, t) = date_range(f, t)?;
                    Observation::Range(f, t)
                }
                _ if self.without_high_water_mark => Observation::WithoutHighWaterMark,
                _ => return Err(
                    Error::usage("the report needs an observation period").with_hint(
                        "give --month YYYY-MM, --from DATE --to DATE, or --without-high-water-mark",
                    ),
                ),
            };
        let compare = self
            .compare
            .iter()
            .filter(|c| !c.trim().is_empty())
            .map(|c| Month::parse(c).map_err(|e| e.context("--compare")))
            .collect::<Result<Vec<_>>>()?;
        let customer_ids = customers
            .iter()
            .filter(|c| !c.trim().is_empty())
            .map(|c| check_id(c, "customer"))
            .collect::<Result<Vec<_>>>()?;
        let section = self.section.unwrap_or(match kind {
            SplaReport::Reseller => Section::Summary,
            SplaReport::Customer => Section::Customers,
        });
        let payload = ReportPayload {
            observation,
            compare,
            itemized: self.itemized || section == Section::Itemized,
            flat: self.flat,
            existing: self.existing,
            customer_ids,
        };
        Ok((payload, section))
    }
}

/// Runs a `reports` command.
pub async fn run(cmd: &ReportsCommand, ocr: Ocr<'_>) -> Result<()> {
    match cmd {
        ReportsCommand::SplaReseller(a) => spla(ocr, a, SplaReport::Reseller, &[]).await,
        ReportsCommand::SplaCustomer { spla: a, customers } => {
            spla(ocr, a, SplaReport::Customer, customers).await
        }
        ReportsCommand::Delete { id } => {
            let id = check_id(id, "report")?;
            let v = ocr
                .client()?
                .delete_report(&id)
                .await
                .with_context(|| format!("deleting report {id}"))?;
            ocr.deleted(&v, &format!("report {id}"))
        }
        ReportsCommand::CloudVmCostAdviser {
            providers,
            customer,
        } => {
            let customer = customer
                .as_deref()
                .map(|c| check_id(c, "customer"))
                .transpose()?;
            let mut codes: Vec<&str> = providers.iter().map(|p| p.code()).collect();
            codes.dedup();
            let v = ocr
                .client()?
                .cloud_vm_cost_adviser(&codes, customer.as_deref())
                .await
                .with_context(|| "generating the cloud vm cost adviser report")?;
            ocr.print_answer(CLOUD_COLUMNS, v, "printing the report")
                .await
        }
        ReportsCommand::DataExport { category, from, to } => {
            let (category, respelt) = data_export_category(category)?;
            let (from, to) = date_range(from, to)?;
            if respelt {
                tracing::info!("category WsDatacenter is sent as WsDatanceter, the spelling OC Reporter documents");
            }
            let v = ocr
                .client()?
                .data_export(category, &from.to_string(), &to.to_string())
                .await
                .with_context(|| format!("exporting {category} from {from} to {to}"))?;
            ocr.print_answer(&[], v, "printing the export").await
        }
    }
}

async fn spla(ocr: Ocr<'_>, args: &SplaArgs, kind: SplaReport, customers: &[String]) -> Result<()> {
    let (payload, section) = args.payload(kind, customers)?;
    crate::output::check_out_path(&ocr.ctx.output)?;
    let report = ocr
        .client()?
        .spla_report(kind, &payload)
        .await
        .with_context(|| format!("generating the {} report", kind.action()))?;
    let missing = missing_prices(&report);
    if !missing.is_empty() {
        if args.require_prices {
            return Err(missing_prices_error(&missing));
        }
        tracing::warn!("{}", missing_prices_message(&missing));
    }
    if section == Section::All {
        return ocr.print_one(&[], &report);
    }
    let rows = section_rows(&report, section);
    ocr.print_rows(section.columns(kind), rows, "printing the report")
        .await
}

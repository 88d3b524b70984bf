//! `licctl ocreporter` (alias `ocr`): OC Reporter, where service providers compute their
//! monthly Microsoft SPLA usage (seed 000). Every endpoint of the seed is a command; the
//! resources live in `cmd/`, the typed calls in `client.rs`, the rules in `model.rs`.

pub mod client;
pub mod cmd;
#[cfg(test)]
mod fixtures;
pub mod model;
pub mod usage;
pub mod xml;

use clap::{Args, Subcommand};

use self::cmd::Ocr;
use self::model::ServerFormat;
use crate::context::Context;
use crate::error::Result;

/// The configuration section and the vendor's name in messages.
pub const SECTION: &str = "ocreporter";

/// OC Reporter: SPLA usage, infrastructure, customers and licensing reports.
#[derive(Debug, Args)]
pub struct OcReporterArgs {
    /// How to reach the server.
    #[command(flatten)]
    pub conn: ConnectionArgs,

    /// The resource.
    #[command(subcommand)]
    pub command: OcReporterCommand,
}

/// The flags every OC Reporter command shares.
#[derive(Debug, Clone, Default, Args)]
pub struct ConnectionArgs {
    /// Workspace id [default: workspace / LICCTL_OCREPORTER_WORKSPACE]
    #[arg(long, global = true, value_name = "ID")]
    pub workspace: Option<String>,

    /// Answer format asked of the server (_format); both print the same way [default: json]
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub server_format: Option<ServerFormat>,

    /// Language of the answers (_language) [default: language / LICCTL_OCREPORTER_LANGUAGE, else en]
    #[arg(long, global = true, value_name = "LANG")]
    pub language: Option<String>,
}

/// OC Reporter resources.
#[derive(Debug, Subcommand)]
pub enum OcReporterCommand {
    /// Workspaces: list, show, assets, inventory quality
    #[command(subcommand)]
    Workspaces(cmd::workspaces::WorkspacesCommand),
    /// The alerts overview
    Alerts(cmd::alerts::AlertsArgs),
    /// Data sources (importers): list, show
    #[command(subcommand)]
    DataSources(cmd::data_sources::DataSourcesCommand),
    /// Price catalogs of the reseller, customers and customer groups: show, list, update
    #[command(subcommand)]
    Pricecatalog(cmd::pricecatalog::PricecatalogCommand),
    /// Virtual machines: list, show
    #[command(subcommand)]
    Vms(cmd::vms::VmsCommand),
    /// Hosts: list, show
    #[command(subcommand)]
    Hosts(cmd::hosts::HostsCommand),
    /// Devices (hosts and VMs): list, show, create, update, delete, performances, softwares
    #[command(subcommand)]
    Devices(cmd::devices::DevicesCommand),
    /// Installed (server) software: list, show, update, delete
    #[command(subcommand)]
    InstalledSoftwares(cmd::installed_softwares::InstalledSoftwaresCommand),
    /// Clusters: list, show, create, update, delete
    #[command(subcommand)]
    Clusters(cmd::clusters::ClustersCommand),
    /// Datacenters: list, show
    #[command(subcommand)]
    Datacenters(cmd::datacenters::DatacentersCommand),
    /// Scan alerts: list, show
    #[command(subcommand)]
    ScanAlerts(cmd::scan_alerts::ScanAlertsCommand),
    /// Users: list, show, create, update, delete, softwares
    #[command(subcommand)]
    Users(cmd::users::UsersCommand),
    /// User software: list, show, update, delete
    #[command(subcommand)]
    UserSoftwares(cmd::user_softwares::UserSoftwaresCommand),
    /// Customers: list, show, create, update, delete, assignments, license mobility expiry
    #[command(subcommand)]
    Customers(cmd::customers::CustomersCommand),
    /// Contract licenses (licenses already sold): list, show, create, delete, delete-all
    #[command(subcommand)]
    ContractLicenses(cmd::contract_licenses::ContractLicensesCommand),
    /// Activities (the audit log)
    #[command(subcommand)]
    Activities(cmd::activities::ActivitiesCommand),
    /// Reports: SPLA usage (reseller, customer), delete, Cloud VM Cost Adviser, data export
    #[command(subcommand)]
    Reports(cmd::reports::ReportsCommand),
}

/// Runs an `ocreporter` command.
pub async fn run(args: &OcReporterArgs, ctx: &Context) -> Result<()> {
    let ocr = Ocr {
        ctx,
        conn: &args.conn,
    };
    match &args.command {
        OcReporterCommand::Workspaces(c) => cmd::workspaces::run(c, ocr).await,
        OcReporterCommand::Alerts(a) => cmd::alerts::run(a, ocr).await,
        OcReporterCommand::DataSources(c) => cmd::data_sources::run(c, ocr).await,
        OcReporterCommand::Pricecatalog(c) => cmd::pricecatalog::run(c, ocr).await,
        OcReporterCommand::Vms(c) => cmd::vms::run(c, ocr).await,
        OcReporterCommand::Hosts(c) => cmd::hosts::run(c, ocr).await,
        OcReporterCommand::Devices(c) => cmd::devices::run(c, ocr).await,
        OcReporterCommand::InstalledSoftwares(c) => cmd::installed_softwares::run(c, ocr).await,
        OcReporterCommand::Clusters(c) => cmd::clusters::run(c, ocr).await,
        OcReporterCommand::Datacenters(c) => cmd::datacenters::run(c, ocr).await,
        OcReporterCommand::ScanAlerts(c) => cmd::scan_alerts::run(c, ocr).await,
        OcReporterCommand::Users(c) => cmd::users::run(c, ocr).await,
        OcReporterCommand::UserSoftwares(c) => cmd::user_softwares::run(c, ocr).await,
        OcReporterCommand::Customers(c) => cmd::customers::run(c, ocr).await,
        OcReporterCommand::ContractLicenses(c) => cmd::contract_licenses::run(c, ocr).await,
        OcReporterCommand::Activities(c) => cmd::activities::run(c, ocr).await,
        OcReporterCommand::Reports(c) => cmd::reports::run(c, ocr).await,
    }
}

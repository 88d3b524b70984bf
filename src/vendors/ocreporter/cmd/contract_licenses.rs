//! `licctl ocr contract-licenses ...`: licenses already sold to customers, attached to devices
//! (`contract-licenses[/customer/<ref>|/device/<ref>|/<id>]`, body key `WsContractLicense`).

use crate::model::parse_date;
use std::io::{BufRead, IsTerminal};

use clap::{Args, Subcommand};

use super::{ByArgs, Ocr, SetArgs, DEFAULT_PAGE_SIZE};
use crate::error::{Error, Result, ResultExt};
use crate::vendors::ocreporter::client::{ContractScope, Resource};
use crate::vendors::ocreporter::model::{
    Form, Ref, CONTRACT_LICENSE_COLUMNS, CUSTOMER_BY, DEVICE_BY,
};

/// Whose contract licenses: a customer's, a device's, or (neither) the workspace's.
#[derive(Debug, Clone, Args)]
pub struct ScopeArgs {
    /// A customer's (id, or internal id with --by internal)
    #[arg(long, value_name = "REF", conflicts_with = "device")]
    pub customer: Option<String>,
    /// A device's (id, or internal id / agreement number with --by)
    #[arg(long, value_name = "REF")]
    pub device: Option<String>,
    /// How REF addresses the customer or device.
    #[command(flatten)]
    pub by: ByArgs,
}

impl ScopeArgs {
    fn scope(&self) -> Result<ContractScope> {
        match (&self.customer, &self.device) {
            (Some(c), _) => Ok(ContractScope::Customer(Ref::new(
                c,
                self.by.by,
                CUSTOMER_BY,
                "customer",
            )?)),
            (None, Some(d)) => Ok(ContractScope::Device(Ref::new(
                d, self.by.by, DEVICE_BY, "device",
            )?)),
            (None, None) if self.by.by != crate::vendors::ocreporter::model::By::Id => {
                Err(Error::usage("--by applies to --customer or --device"))
            }
            (None, None) => Ok(ContractScope::Workspace),
        }
    }
}

fn describe(scope: &ContractScope) -> String {
    match scope {
        ContractScope::Workspace => "the workspace".into(),
        ContractScope::Customer(r) => format!("customer {}", r.value()),
        ContractScope::Device(r) => format!("device {}", r.value()),
    }
}

/// `licctl ocr contract-licenses ...`
#[derive(Debug, Subcommand)]
pub enum ContractLicensesCommand {
    /// List the contract licenses of the workspace, a customer or a device (all pages)
    List(ScopeArgs),
    /// Show one contract license
    Show {
        /// The contract license's id
        id: String,
    },
    /// Create a contract license on a device (WsContractLicense[...])
    Create(Box<CreateArgs>),
    /// Delete one contract license
    Delete {
        /// The contract license's id
        id: String,
    },
    /// Delete every contract license of the workspace, a customer or a device
    DeleteAll {
        /// Whose.
        #[command(flatten)]
        scope: ScopeArgs,
        /// Do it without asking (required when stdin is not a terminal)
        #[arg(long)]
        yes: bool,
    },
}

/// `contract-licenses create`
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The device (id, or internal id / agreement number with --by)
    #[arg(long, value_name = "REF")]
    pub device: String,
    /// How REF addresses the device.
    #[command(flatten)]
    pub by: ByArgs,
    /// The license's part number (WsContractLicense[software_license_part_number])
    #[arg(long, value_name = "P")]
    pub part_number: String,
    /// Number of licenses (WsContractLicense[number_of_licenses])
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: u64,
    /// Start date, YYYY-MM-DD (WsContractLicense[start_date])
    #[arg(long, value_name = "DATE")]
    pub start: Option<String>,
    /// End date, YYYY-MM-DD (WsContractLicense[end_date])
    #[arg(long, value_name = "DATE")]
    pub end: Option<String>,
    /// Other attributes.
    #[command(flatten)]
    pub set: SetArgs,
}

/// Runs a `contract-licenses` command.
pub async fn run(cmd: &ContractLicensesCommand, ocr: Ocr<'_>) -> Result<()> {
    match cmd {
        ContractLicensesCommand::List(s) => {
            let scope = s.scope()?;
            let paging = ocr.paging(DEFAULT_PAGE_SIZE)?;
            let items = ocr.client()?.contract_licenses(&scope, paging);
            ocr.print_list(
                CONTRACT_LICENSE_COLUMNS,
                items,
                &format!("listing the contract licenses of {}", describe(&scope)),
            )
            .await
        }
        ContractLicensesCommand::Show { id } => {
            ocr.show(
                Resource::ContractLicenses,
                &Ref::id(id, "contract license")?,
                CONTRACT_LICENSE_COLUMNS,
                "contract license",
            )
            .await
        }
        ContractLicensesCommand::Create(a) => {
            let device = Ref::new(&a.device, a.by.by, DEVICE_BY, "device")?;
            if a.part_number.trim().is_empty() {
                return Err(Error::usage("--part-number must not be empty"));
            }
            let start = a
                .start
                .as_deref()
                .map(|d| parse_date("--start", d))
                .transpose()?;
            let end = a
                .end
                .as_deref()
                .map(|d| parse_date("--end", d))
                .transpose()?;
            if let (Some(s), Some(e)) = (start, end) {
                if s > e {
                    return Err(Error::usage(format!("--start {s} is after --end {e}")));
                }
            }
            let form = Form::new("WsContractLicense")
                .set("software_license_part_number", a.part_number.trim())
                .set("number_of_licenses", a.count)
                .opt("start_date", start)
                .opt("end_date", end)
                .sets(&a.set.parse()?);
            let v = ocr
                .client()?
                .create_contract_license(&device, form)
                .await
                .with_context(|| {
                    format!("creating a contract license on device {}", device.value())
                })?;
            ocr.print_one(CONTRACT_LICENSE_COLUMNS, &v)
        }
        ContractLicensesCommand::Delete { id } => {
            let r = Ref::id(id, "contract license")?;
            let v = ocr
                .client()?
                .delete(Resource::ContractLicenses, &r)
                .await
                .with_context(|| format!("deleting contract license {id}"))?;
            ocr.deleted(&v, &format!("contract license {id}"))
        }
        ContractLicensesCommand::DeleteAll { scope, yes } => {
            let scope = scope.scope()?;
            let what = format!("every contract license of {}", describe(&scope));
            if !yes {
                confirm(&what)?;
            }
            let v = ocr
                .client()?
                .delete_contract_licenses(&scope)
                .await
                .with_context(|| format!("deleting {what}"))?;
            ocr.deleted(&v, &what)
        }
    }
}

/// Asks on the terminal; without one (a script, CI) `--yes` is required: usage error, nothing
/// sent.
fn confirm(what: &str) -> Result<()> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Error::usage(format!(
            "refusing to delete {what} without --yes (no terminal to confirm on)"
        ))
        .with_hint("add --yes to confirm"));
    }
    crate::output::note(&format!(
        "delete {what}? This cannot be undone. Type yes to confirm:"
    ));
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    if line.trim().eq_ignore_ascii_case("yes") {
        Ok(())
    } else {
        Err(Error::usage("not confirmed: nothing was deleted"))
    }
}

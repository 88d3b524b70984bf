//! `licctl ocr customers ...` (`customer/customers`, body key `WsCustomer`), the assignment of
//! devices and users to customers (`customer/<customer-id>/device|user/<id>`) and the license
//! mobility expiry list. A customer is addressed by id or internal id (`--by internal`).

use clap::Subcommand;
use reqwest::Method;

use super::{ByArgs, ListArgs, Ocr, SetArgs, DEFAULT_PAGE_SIZE};
use crate::error::{Result, ResultExt};
use crate::vendors::ocreporter::client::Resource;
use crate::vendors::ocreporter::model::{
    check_id, Form, Ref, CUSTOMER_BY, CUSTOMER_COLUMNS, DEVICE_COLUMNS, LM_EXPIRY_COLUMNS,
    USER_COLUMNS,
};

/// `licctl ocr customers ...`
#[derive(Debug, Subcommand)]
pub enum CustomersCommand {
    /// List every customer (all pages)
    List(ListArgs),
    /// Show one customer
    Show {
        /// Customer id or internal id (see --by)
        #[arg(value_name = "REF")]
        reference: String,
        /// How REF addresses the customer (id or internal).
        #[command(flatten)]
        by: ByArgs,
    },
    /// Create a customer (WsCustomer[...])
    Create {
        /// Name (WsCustomer[label])
        #[arg(long, value_name = "S")]
        label: String,
        /// Internal id (WsCustomer[internal_id])
        #[arg(long, value_name = "S")]
        internal_id: Option<String>,
        /// Status, e.g. active or archived (WsCustomer[status])
        #[arg(long, value_name = "S")]
        status: Option<String>,
        /// Other attributes.
        #[command(flatten)]
        set: SetArgs,
    },
    /// Update a customer (WsCustomer[...])
    Update {
        /// Customer id or internal id (see --by)
        #[arg(value_name = "REF")]
        reference: String,
        /// How REF addresses the customer (id or internal).
        #[command(flatten)]
        by: ByArgs,
        /// Name (WsCustomer[label])
        #[arg(long, value_name = "S")]
        label: Option<String>,
        /// Internal id (WsCustomer[internal_id])
        #[arg(long, value_name = "S")]
        internal_id: Option<String>,
        /// Status, e.g. active or archived (WsCustomer[status])
        #[arg(long, value_name = "S")]
        status: Option<String>,
        /// Other attributes.
        #[command(flatten)]
        set: SetArgs,
    },
    /// Delete a customer
    Delete {
        /// Customer id or internal id (see --by)
        #[arg(value_name = "REF")]
        reference: String,
        /// How REF addresses the customer (id or internal).
        #[command(flatten)]
        by: ByArgs,
    },
    /// Assign a device to a customer
    AssignDevice {
        /// The customer's id
        customer: String,
        /// The device's id
        device: String,
    },
    /// Unassign a device from a customer
    UnassignDevice {
        /// The customer's id
        customer: String,
        /// The device's id
        device: String,
    },
    /// Assign a user to a customer
    AssignUser {
        /// The customer's id
        customer: String,
        /// The user's id
        user: String,
    },
    /// Unassign a user from a customer
    UnassignUser {
        /// The customer's id
        customer: String,
        /// The user's id
        user: String,
    },
    /// License mobility expiry of customers
    LmExpiry {
        /// Include the agreements that have already ended (withEnded=1)
        #[arg(long)]
        with_ended: bool,
    },
}

fn customer(reference: &str, by: ByArgs) -> Result<Ref> {
    Ref::new(reference, by.by, CUSTOMER_BY, "customer")
}

/// Runs a `customers` command.
pub async fn run(cmd: &CustomersCommand, ocr: Ocr<'_>) -> Result<()> {
    let r = Resource::Customers;
    match cmd {
        CustomersCommand::List(l) => {
            ocr.list(r, l.query(), CUSTOMER_COLUMNS, "listing customers")
                .await
        }
        CustomersCommand::Show { reference, by } => {
            ocr.show(r, &customer(reference, *by)?, CUSTOMER_COLUMNS, "customer")
                .await
        }
        CustomersCommand::Create {
            label,
            internal_id,
            status,
            set,
        } => {
            let form = Form::new("WsCustomer")
                .set("label", label)
                .opt("internal_id", internal_id.as_ref())
                .opt("status", status.as_ref())
                .sets(&set.parse()?);
            let v = ocr
                .client()?
                .create(r, form)
                .await
                .with_context(|| format!("creating customer {label:?}"))?;
            ocr.print_one(CUSTOMER_COLUMNS, &v)
        }
        CustomersCommand::Update {
            reference,
            by,
            label,
            internal_id,
            status,
            set,
        } => {
            let c = customer(reference, *by)?;
            let form = Form::new("WsCustomer")
                .opt("label", label.as_ref())
                .opt("internal_id", internal_id.as_ref())
                .opt("status", status.as_ref())
                .sets(&set.parse()?)
                .require_fields("customer")?;
            let v = ocr
                .client()?
                .update(r, &c, form)
                .await
                .with_context(|| format!("updating customer {}", c.value()))?;
            ocr.print_one(CUSTOMER_COLUMNS, &v)
        }
        CustomersCommand::Delete { reference, by } => {
            let c = customer(reference, *by)?;
            let v = ocr
                .client()?
                .delete(r, &c)
                .await
                .with_context(|| format!("deleting customer {}", c.value()))?;
            ocr.deleted(&v, &format!("customer {}", c.value()))
        }
        CustomersCommand::AssignDevice { customer, device } => {
            assignment(ocr, Method::PUT, customer, "device", device).await
        }
        CustomersCommand::UnassignDevice { customer, device } => {
            assignment(ocr, Method::DELETE, customer, "device", device).await
        }
        CustomersCommand::AssignUser { customer, user } => {
            assignment(ocr, Method::PUT, customer, "user", user).await
        }
        CustomersCommand::UnassignUser { customer, user } => {
            assignment(ocr, Method::DELETE, customer, "user", user).await
        }
        CustomersCommand::LmExpiry { with_ended } => {
            let paging = ocr.paging(DEFAULT_PAGE_SIZE)?;
            let items = ocr.client()?.lm_expiry(*with_ended, paging);
            ocr.print_list(LM_EXPIRY_COLUMNS, items, "listing license mobility expiry")
                .await
        }
    }
}

async fn assignment(
    ocr: Ocr<'_>,
    method: Method,
    customer: &str,
    kind: &str,
    id: &str,
) -> Result<()> {
    let customer = check_id(customer, "customer")?;
    let id = check_id(id, kind)?;
    let assign = method == Method::PUT;
    let v = ocr
        .client()?
        .assignment(method, &customer, kind, &id)
        .await
        .with_context(|| {
            if assign {
                format!("assigning {kind} {id} to customer {customer}")
            } else {
                format!("unassigning {kind} {id} from customer {customer}")
            }
        })?;
    let columns = if kind == "device" {
        DEVICE_COLUMNS
    } else {
        USER_COLUMNS
    };
    if v.as_object().is_some_and(|o| !o.is_empty()) {
        ocr.print_one(columns, &v)?;
    }
    ocr.ctx.note(&if assign {
        format!("assigned {kind} {id} to customer {customer}")
    } else {
        format!("unassigned {kind} {id} from customer {customer}")
    });
    Ok(())
}

//! `licctl ocr pricecatalog show | list | update`: the reseller's purchase prices
//! (`pricecatalog/reseller`) and the customers' and customer groups' sale prices
//! (`pricecatalog/customers[/<ref>]`, `pricecatalog/customer-groups[/<ref>]`), body key
//! `Pricecatalog`.

use clap::{ArgGroup, Args, Subcommand};

use super::{ByArgs, Ocr, SetArgs, DEFAULT_PAGE_SIZE};
use crate::error::{Error, Result, ResultExt};
use crate::vendors::ocreporter::client::Catalog;
use crate::vendors::ocreporter::model::{
    Form, PriceCategory, Ref, CUSTOMER_BY, CUSTOMER_PRICE_COLUMNS, GROUP_PRICE_COLUMNS,
    RESELLER_PRICE_COLUMNS,
};

/// Whose catalog: a customer's, a customer group's, or (neither) the reseller's.
#[derive(Debug, Clone, Args)]
pub struct OwnerArgs {
    /// A customer's catalog (id, or internal id with --by internal)
    #[arg(long, value_name = "REF", conflicts_with = "customer_group")]
    pub customer: Option<String>,
    /// A customer group's catalog (id, or internal id with --by internal)
    #[arg(long, value_name = "REF")]
    pub customer_group: Option<String>,
    /// How REF addresses the customer or group.
    #[command(flatten)]
    pub by: ByArgs,
}

impl OwnerArgs {
    fn catalog(&self) -> Result<Catalog> {
        match (&self.customer, &self.customer_group) {
            (Some(c), _) => Ok(Catalog::Customer(Ref::new(c, self.by.by, CUSTOMER_BY, "customer")?)),
            (None, Some(g)) => Ok(Catalog::CustomerGroup(Ref::new(g, self.by.by, CUSTOMER_BY, "customer group")?)),
            (None, None) if self.by.by != crate::vendors::ocreporter::model::By::Id => {
                Err(Error::usage("--by applies to --customer or --customer-group; the reseller's catalog has no reference"))
            }
            (None, None) => Ok(Catalog::Reseller),
        }
    }
}

fn columns(catalog: &Catalog) -> &'static [&'static str] {
    match catalog {
        Catalog::Reseller => RESELLER_PRICE_COLUMNS,
        Catalog::Customer(_) => CUSTOMER_PRICE_COLUMNS,
        Catalog::CustomerGroup(_) => GROUP_PRICE_COLUMNS,
    }
}

fn describe(catalog: &Catalog) -> String {
    match catalog {
        Catalog::Reseller => "the reseller's price catalog".into(),
        Catalog::Customer(r) => format!("the price catalog of customer {}", r.value()),
        Catalog::CustomerGroup(r) => format!("the price catalog of customer group {}", r.value()),
    }
}

/// `licctl ocr pricecatalog ...`
#[derive(Debug, Subcommand)]
pub enum PricecatalogCommand {
    /// Show a price catalog: a customer's, a customer group's, or (neither) the reseller's
    Show(OwnerArgs),
    /// List the price catalogs of all customers or of all customer groups
    #[command(group(ArgGroup::new("which").required(true).args(["customers", "customer_groups"])))]
    List {
        /// Every customer's catalog (pricecatalog/customers)
        #[arg(long)]
        customers: bool,
        /// Every customer group's catalog (pricecatalog/customer-groups)
        #[arg(long)]
        customer_groups: bool,
    },
    /// Set the price of a part number in a price catalog (Pricecatalog[...])
    Update(Box<UpdateArgs>),
}

/// `pricecatalog update`
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Whose catalog.
    #[command(flatten)]
    pub owner: OwnerArgs,
    /// The license's part number (Pricecatalog[part_number])
    #[arg(long, value_name = "P")]
    pub part_number: String,
    /// The price: purchase price for the reseller, sale price for a customer (Pricecatalog[price])
    #[arg(long, value_name = "X")]
    pub price: String,
    /// Price category, required for the reseller's catalog only (Pricecatalog[pricecategory])
    #[arg(long, value_enum)]
    pub category: Option<PriceCategory>,
    /// Number of sold licenses, customers and groups only (Pricecatalog[number_sold])
    #[arg(long, value_name = "N")]
    pub number_sold: Option<u64>,
    /// Number of license mobility licenses, customers and groups only (Pricecatalog[number_lm])
    #[arg(long, value_name = "N")]
    pub number_lm: Option<u64>,
    /// Custom extra field 1, customers and groups only (Pricecatalog[extra_field_1])
    #[arg(long = "extra-field-1", value_name = "S")]
    pub extra_field_1: Option<String>,
    /// Custom extra field 2, customers and groups only (Pricecatalog[extra_field_2])
    #[arg(long = "extra-field-2", value_name = "S")]
    pub extra_field_2: Option<String>,
    /// Other attributes.
    #[command(flatten)]
    pub set: SetArgs,
}

impl UpdateArgs {
    /// The catalog and the body, checked against the seed: the reseller's catalog takes a
    /// price category and nothing of the customer fields, the others the reverse.
    fn validate(&self) -> Result<(Catalog, Form)> {
        let catalog = self.owner.catalog()?;
        if self.part_number.trim().is_empty() {
            return Err(Error::usage("--part-number must not be empty"));
        }
        let price = self.price.trim();
        if !price
            .parse::<f64>()
            .is_ok_and(|p| p.is_finite() && p >= 0.0)
        {
            return Err(Error::usage(format!(
                "--price {:?} is not a price (a non-negative number, e.g. 3.10)",
                self.price
            )));
        }
        let customer_only = [
            ("--number-sold", self.number_sold.is_some()),
            ("--number-lm", self.number_lm.is_some()),
            ("--extra-field-1", self.extra_field_1.is_some()),
            ("--extra-field-2", self.extra_field_2.is_some()),
        ];
        let form = Form::new("Pricecatalog")
            .set("part_number", self.part_number.trim())
            .set("price", price);
        let form = match catalog {
            Catalog::Reseller => {
                if let Some((flag, _)) = customer_only.iter().find(|(_, given)| *given) {
                    return Err(Error::usage(format!(
                        "{flag} belongs to a customer's or customer group's catalog, not the reseller's"
                    )));
                }
                let category = self.category.ok_or_else(|| {
                    Error::usage(
                        "the reseller's catalog needs --category corporate|academic|charity",
                    )
                })?;
                form.set("pricecategory", category.as_str())
            }
            _ => {
                if self.category.is_some() {
                    return Err(Error::usage(
                        "--category applies to the reseller's catalog only",
                    ));
                }
                form.opt("number_sold", self.number_sold)
                    .opt("number_lm", self.number_lm)
                    .opt("extra_field_1", self.extra_field_1.as_ref())
                    .opt("extra_field_2", self.extra_field_2.as_ref())
            }
        };
        Ok((catalog, form.sets(&self.set.parse()?)))
    }
}

/// Runs a `pricecatalog` command.
pub async fn run(cmd: &PricecatalogCommand, ocr: Ocr<'_>) -> Result<()> {
    match cmd {
        PricecatalogCommand::Show(owner) => {
            let catalog = owner.catalog()?;
            let paging = ocr.paging(DEFAULT_PAGE_SIZE)?;
            let items = ocr.client()?.price_catalog(&catalog, paging);
            ocr.print_list(
                columns(&catalog),
                items,
                &format!("showing {}", describe(&catalog)),
            )
            .await
        }
        PricecatalogCommand::List {
            customers: _,
            customer_groups,
        } => {
            let paging = ocr.paging(DEFAULT_PAGE_SIZE)?;
            let items = ocr.client()?.price_catalogs(*customer_groups, paging);
            let (cols, what) = if *customer_groups {
                (
                    GROUP_PRICE_COLUMNS,
                    "listing the price catalogs of customer groups",
                )
            } else {
                (
                    CUSTOMER_PRICE_COLUMNS,
                    "listing the price catalogs of customers",
                )
            };
            ocr.print_list(cols, items, what).await
        }
        PricecatalogCommand::Update(a) => {
            let (catalog, form) = a.validate()?;
            let v = ocr
                .client()?
                .update_price(&catalog, form)
                .await
                .with_context(|| {
                    format!("updating {} ({})", describe(&catalog), a.part_number.trim())
                })?;
            ocr.print_one(columns(&catalog), &v)
        }
    }
}

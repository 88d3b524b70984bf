//! The summary `licctl usage show` and the demo print: totals per vendor and per customer,
//! computed from a bundle's `usage.jsonl` and `manifest.json`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::bundle::Manifest;
use super::UsageRow;

/// Columns of the per-vendor summary.
pub const VENDOR_COLUMNS: &[&str] = &[
    "vendor",
    "status",
    "rows",
    "customers",
    "products",
    "amount",
    "currency",
    "error",
];
/// Columns of the per-customer summary.
pub const CUSTOMER_COLUMNS: &[&str] = &[
    "vendor",
    "customer_id",
    "customer_name",
    "rows",
    "products",
    "amount",
    "currency",
];

#[derive(Default)]
struct Acc {
    rows: usize,
    customers: BTreeSet<String>,
    products: BTreeSet<String>,
    amount: Option<f64>,
    currencies: BTreeSet<String>,
    name: String,
}

impl Acc {
    fn add(&mut self, r: &UsageRow) {
        self.rows += 1;
        self.customers.insert(r.customer_id.clone());
        self.products.insert(r.product_code.clone());
        if let Some(a) = r.amount {
            *self.amount.get_or_insert(0.0) += a;
        }
        if !r.currency.is_empty() {
            self.currencies.insert(r.currency.clone());
        }
        if self.name.is_empty() {
            self.name = r.customer_name.clone();
        }
    }

    fn currency(&self) -> String {
        match self.currencies.len() {
            0 => String::new(),
            1 => self.currencies.iter().next().cloned().unwrap_or_default(),
            _ => "mixed".into(),
        }
    }

    fn amount(&self) -> Value {
        self.amount
            .map_or(Value::Null, |a| json!((a * 100.0).round() / 100.0))
    }
}

/// One row per vendor of the manifest, failed ones included.
pub fn per_vendor(manifest: &Manifest, rows: &[UsageRow]) -> Vec<Value> {
    let mut acc: BTreeMap<&str, Acc> = BTreeMap::new();
    for r in rows {
        acc.entry(r.vendor.as_str()).or_default().add(r);
    }
    manifest
        .vendors
        .iter()
        .map(|(vendor, entry)| {
            let a = acc.remove(vendor.as_str()).unwrap_or_default();
            json!({
                "vendor": vendor,
                "status": entry.get("status").cloned().unwrap_or(Value::Null),
                "rows": a.rows,
                "customers": a.customers.iter().filter(|c| !c.is_empty()).count(),
                "products": a.products.len(),
                "amount": a.amount(),
                "currency": a.currency(),
                "error": entry.get("error").cloned().unwrap_or(Value::Null),
            })
        })
        .collect()
}

/// One row per vendor × customer, in the bundle's order.
pub fn per_customer(rows: &[UsageRow]) -> Vec<Value> {
    let mut acc: BTreeMap<(&str, &str), Acc> = BTreeMap::new();
    for r in rows {
        acc.entry((r.vendor.as_str(), r.customer_id.as_str()))
            .or_default()
            .add(r);
    }
    acc.into_iter()
        .map(|((vendor, customer), a)| {
            json!({
                "vendor": vendor,
                "customer_id": customer,
                "customer_name": a.name,
                "rows": a.rows,
                "products": a.products.len(),
                "amount": a.amount(),
                "currency": a.currency(),
            })
        })
        .collect()
}

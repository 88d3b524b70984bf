//! Sums of consumption records per group (`consumption summary`) and per contract × product
//! (the monthly bundle), in one pass and constant memory per group.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::model::RecordFields;

/// What `consumption summary --by` groups on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupBy {
    /// The product code (`product`)
    Product,
    /// The project name (`project_name`)
    Project,
    /// The region (`region`)
    Region,
    /// The resource id (`resource_id`)
    Resource,
    /// The contract number (`contract`)
    Contract,
}

impl GroupBy {
    /// The record's value for this grouping ("" when the record has none).
    pub fn key(self, r: &RecordFields) -> String {
        let v = match self {
            GroupBy::Product => &r.product,
            GroupBy::Project => &r.project_name,
            GroupBy::Region => &r.region,
            GroupBy::Resource => &r.resource_id,
            GroupBy::Contract => &r.contract,
        };
        v.clone().unwrap_or_default()
    }
}

/// The columns of `consumption summary`.
pub const SUMMARY_COLUMNS: &[&str] = &[
    "group",
    "amount",
    "listprice_amount",
    "billing_quantity",
    "items",
];

/// Running sums of one group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    /// Σ `amount`.
    pub amount: f64,
    /// Σ `listprice_amount`.
    pub listprice_amount: f64,
    /// Σ the numeric part of `billing_quantity` (`"2 ST"` counts 2).
    pub billing_quantity: f64,
    /// How many records.
    pub items: u64,
}

impl Totals {
    /// Adds one record; a missing or non-numeric field adds nothing.
    pub fn add(&mut self, r: &RecordFields) {
        self.amount += r.amount.unwrap_or(0.0);
        self.listprice_amount += r.listprice_amount.unwrap_or(0.0);
        self.billing_quantity += r
            .billing_quantity
            .as_ref()
            .and_then(|q| q.value)
            .unwrap_or(0.0);
        self.items += 1;
    }
}

/// Sums per group, fed one record at a time.
#[derive(Debug, Clone)]
pub struct Summary {
    by: GroupBy,
    groups: BTreeMap<String, Totals>,
}

impl Summary {
    /// An empty summary grouping on `by`.
    pub fn new(by: GroupBy) -> Self {
        Summary {
            by,
            groups: BTreeMap::new(),
        }
    }

    /// Adds one record to its group.
    pub fn add(&mut self, r: &RecordFields) {
        self.groups.entry(self.by.key(r)).or_default().add(r);
    }

    /// The groups, by amount (largest first), ties by group name; sums rounded to 6 decimals
    /// so that float noise (`0.30000000000000004`) does not reach the output.
    pub fn rows(&self) -> Vec<Value> {
        let mut groups: Vec<(&String, &Totals)> = self.groups.iter().collect();
        groups.sort_by(|a, b| b.1.amount.total_cmp(&a.1.amount).then_with(|| a.0.cmp(b.0)));
        groups
            .into_iter()
            .map(|(g, t)| {
                json!({
                    "group": g,
                    "amount": round6(t.amount),
                    "listprice_amount": round6(t.listprice_amount),
                    "billing_quantity": round6(t.billing_quantity),
                    "items": t.items,
                })
            })
            .collect()
    }
}

/// `x` rounded to 6 decimals.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendors::otc::model::record;

    #[test]
    fn sums_per_group_sorted_by_amount() {
        let mut s = Summary::new(GroupBy::Contract);
        for v in [
            json!({"contract": 1, "amount": 1.1, "listprice_amount": 2.0, "billing_quantity": 24.0}),
            json!({"contract": 2, "amount": 5.0, "listprice_amount": 6.0, "billing_quantity": "2 ST"}),
            json!({"contract": 1, "amount": 2.2, "listprice_amount": 3.0, "billing_quantity": "1.5"}),
            json!({"contract ": 2, "amount": "x"}),
        ] {
            s.add(&record(v).unwrap());
        }
        assert_eq!(
            s.rows(),
            vec![
                json!({"group": "2", "amount": 5.0, "listprice_amount": 6.0, "billing_quantity": 2.0, "items": 2}),
                json!({"group": "1", "amount": 3.3, "listprice_amount": 5.0, "billing_quantity": 25.5, "items": 2}),
            ]
        );
    }
}

//! The normalised usage row of DESIGN.md §7 and the month it covers.
//!
//! Every vendor maps its own answer to these rows, so the monthly bundle can sort, sum and
//! compare usage across vendors. A row says *who* used *what*, *how much*, in which *unit*,
//! and *where the number came from*.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A calendar month, as `--month YYYY-MM` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// Parses `YYYY-MM` (also `YYYYMM`, OC Reporter's month_id), with a usage error naming
    /// the flag otherwise.
    pub fn parse(s: &str) -> Result<Self> {
        let t = s.trim();
        let (y, m) = match (t.len(), t.split_once('-')) {
            (7, Some((y, m))) => (y, m),
            (6, None) => t.split_at(4),
            _ => return Err(bad_month(s)),
        };
        let year: i32 = y.parse().map_err(|_| bad_month(s))?;
        let month: u32 = m.parse().map_err(|_| bad_month(s))?;
        if !(1..=12).contains(&month) || !(1970..=9999).contains(&year) {
            return Err(bad_month(s));
        }
        Ok(Month { year, month })
    }

    /// The month before the one `today` falls in (the demo's and a cron job's default).
    pub fn previous(today: NaiveDate) -> Self {
        let first = today.with_day(1).expect("day 1 exists");
        let last_of_prev = first.pred_opt().expect("a previous day exists");
        Month {
            year: last_of_prev.year(),
            month: last_of_prev.month(),
        }
    }

    /// The year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The month, 1..=12.
    pub fn month(&self) -> u32 {
        self.month
    }

    /// The first day.
    pub fn start(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    /// The last day.
    pub fn end(&self) -> NaiveDate {
        let (y, m) = if self.month == 12 {
            (self.year + 1, 1)
        } else {
            (self.year, self.month + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1)
            .expect("valid month")
            .pred_opt()
            .expect("a previous day exists")
    }

    /// `YYYYMM`, OC Reporter's `payload[month_id]`.
    pub fn month_id(&self) -> String {
        format!("{:04}{:02}", self.year, self.month)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for Month {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Month::parse(s)
    }
}

fn bad_month(s: &str) -> Error {
    Error::usage(format!(
        "{s:?} is not a month: expected YYYY-MM, e.g. 2026-10"
    ))
}

/// One normalised usage row: the columns of `usage.csv`, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageRow {
    /// `ocreporter`, `otc-dashboard`, `acronis-reports`, `bigfix-metrics`, `veeam-vspc`.
    pub vendor: String,
    /// First day covered, `YYYY-MM-DD`.
    pub period_start: String,
    /// Last day covered, `YYYY-MM-DD`.
    pub period_end: String,
    /// The vendor's id of the customer / tenant / organization / contract ("" when the
    /// vendor reports for the provider as a whole).
    pub customer_id: String,
    /// Its name, where the vendor gives one.
    pub customer_name: String,
    /// SKU, part number, product code or product type.
    pub product_code: String,
    /// The product's human name.
    pub product_name: String,
    /// What is counted: `SAL`, `core`, `points`, `hours`, a BigFix metric code, a workload...
    pub metric: String,
    /// How much.
    pub quantity: f64,
    /// The unit of `quantity` (`licenses`, `H`, `GB`, `points`, ...).
    pub unit: String,
    /// Money, when the vendor prices the usage.
    pub amount: Option<f64>,
    /// Currency of `amount` ("" when there is none or the vendor does not say).
    pub currency: String,
    /// Where the number came from (endpoint and field), for auditors.
    pub source: String,
}

impl UsageRow {
    /// The stable sort key of the bundle: vendor, customer, product, metric (then the rest,
    /// so that equal keys still have one order).
    pub fn sort_key(&self) -> (&str, &str, &str, &str, &str, &str, &str) {
        (
            &self.vendor,
            &self.customer_id,
            &self.product_code,
            &self.metric,
            &self.customer_name,
            &self.product_name,
            &self.source,
        )
    }
}

/// What one vendor contributes to a monthly bundle.
#[derive(Debug, Clone, Default)]
pub struct VendorUsage {
    /// Exactly what the APIs answered, for `raw/<vendor>.json`: the single answer, or an
    /// array of the answers in request order when several were needed.
    pub raw: serde_json::Value,
    /// The normalised rows.
    pub rows: Vec<UsageRow>,
    /// Things a person should know (e.g. OC Reporter's missing unit prices); printed as
    /// warnings and kept in the manifest.
    pub warnings: Vec<String>,
    /// Vendor-specific facts for the manifest (e.g. `{"missingUnitPrices": [...]}`).
    pub details: serde_json::Map<String, serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_and_bound() {
        let m = Month::parse("2026-10").unwrap();
        assert_eq!(m.to_string(), "2026-10");
        assert_eq!(m.month_id(), "202610");
        assert_eq!(m.start().to_string(), "2026-10-01");
        assert_eq!(m.end().to_string(), "2026-10-31");
        assert_eq!(
            Month::parse("202402").unwrap().end().to_string(),
            "2024-02-29"
        );
        assert_eq!(
            Month::parse("2026-12").unwrap().end().to_string(),
            "2026-12-31"
        );
        for bad in [
            "2026-13", "2026-00", "26-10", "2026/10", "", "2026-1", "abcd-ef",
        ] {
            assert_eq!(Month::parse(bad).unwrap_err().exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn previous_month() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        assert_eq!(Month::previous(d).to_string(), "2025-12");
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(Month::previous(d).to_string(), "2026-10");
    }
}

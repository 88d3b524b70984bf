//! The emulated Enterprise Dashboard's consumption records, generated on the fly from their
//! index: `--scale 1000000` costs nothing until a record is asked for, and nothing is held.
//!
//! Design, so that every filter is cheap:
//! - Records are in date order over a window of the 12 whole months before the month the
//!   sandbox started in (so "last month", which `licctl demo` reports on, always has data).
//!   Record `i` falls on day `⌊i·D/n⌋` of the window (`D` days, `n` records), so every date
//!   filter (day, ISO week, month, year) is one contiguous index range, computed, not searched.
//! - What a record is about — resource id, product, project, contract, tag, elastic or
//!   reserved — comes from a pool of resources drawn once from the seed (a few hundred, held).
//!   Record `i` uses resource `h(i) mod POOL`, so an attribute filter is a boolean mask over the
//!   pool and a record check is one hash and one lookup.
//! - The quantity and the hour come from the same hash.
//!
//! A filtered `total` is therefore one pass over the index range, O(n) time and O(1) memory;
//! with no attribute filter it is plain arithmetic.

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use crate::sandbox::data::{mix, DataGen};

/// Resources in the pool.
pub const POOL: usize = 400;

/// Salt of the per-record hash.
const RECORD_SALT: u64 = 0x07C0_0000_0C0F_FEE5;

/// `(contract, business_partner_id, reseller_id, customer_name, discount)`.
pub const CONTRACTS: &[(u64, u64, u64, &str, f64)] = &[
    (1000021234, 12345, 12345, "T-Systems", 0.2),
    (1000038535, 23456, 12345, "Northwind Hosting GmbH", 0.1),
    (1000045678, 34567, 54321, "Contoso Cloud AG", 0.0),
];

/// `(project_name, region)`.
pub const PROJECTS: &[(&str, &str)] = &[
    ("eu-de", "EU-DE"),
    ("eu-nl", "EU-NL"),
    ("eu-de_analytics", "EU-DE"),
    ("eu-ch2", "EU-CH2"),
];

/// `(code, description, quantity_unit, unit_price)`: product id `k` is entry `k - 1`.
pub const PRODUCTS: &[(&str, &str, &str, f64)] = &[
    (
        "OTC_S2M2_LI",
        "General Purpose 1:2 v2 s2.medium.2 Linux",
        "H",
        0.0476,
    ),
    (
        "OTC_S2L2_LI",
        "General Purpose 1:2 v2 s2.large.2 Linux",
        "H",
        0.0952,
    ),
    (
        "OTC_S2XL4_LI",
        "General Purpose 1:4 v2 s2.xlarge.4 Linux",
        "H",
        0.2246,
    ),
    (
        "OTC_S3L4_WI",
        "General Purpose 1:4 v3 s3.large.4 Windows",
        "H",
        0.1980,
    ),
    (
        "OTC_C4XL2_LI",
        "Dedicated General Purpose c4.xlarge.2 Linux",
        "H",
        0.2310,
    ),
    (
        "OTC_C4XL4_WI",
        "Dedicated General Purpose c4.xlarge.4 Windows",
        "H",
        0.3520,
    ),
    (
        "OTC_M42XL8_LI",
        "Memory Optimized m4.2xlarge.8 Linux",
        "H",
        0.7010,
    ),
    (
        "OTC_E3XL26_LI",
        "Large Memory e3.7xlarge.26 Linux",
        "H",
        4.1800,
    ),
    ("OTC_D24XL8_LI", "Disk Intensive d2.4xl.8 Linux", "H", 2.19),
    (
        "OTC_I3XL8_LI",
        "Ultra-high I/O i3.2xlarge.8 Linux",
        "H",
        1.0570,
    ),
    (
        "OTC_P2SXL8_LI",
        "GPU Accelerated p2s.2xlarge.8 Linux",
        "H",
        3.4700,
    ),
    ("OTC_EVS_SATA", "Elastic Volume Service SATA", "GB", 0.0020),
    ("OTC_EVS_SAS", "Elastic Volume Service SAS", "GB", 0.0033),
    ("OTC_EVS_SSD", "Elastic Volume Service SSD", "GB", 0.0063),
    (
        "OTC_OBS_STD",
        "Object Storage Service Standard",
        "GB",
        0.0007,
    ),
    ("OTC_OBS_WARM", "Object Storage Service Warm", "GB", 0.0005),
    ("OTC_OBS_COLD", "Object Storage Service Cold", "GB", 0.0002),
    (
        "OTC_CBR_VAULT",
        "Cloud Backup and Recovery vault",
        "GB",
        0.0017,
    ),
    (
        "OTC_SFS_CAP",
        "Scalable File Service capacity",
        "GB",
        0.0090,
    ),
    ("OTC_EIP_BW", "Elastic IP bandwidth", "MBIT", 0.0300),
    ("OTC_EIP_IPV4", "Elastic IP address", "H", 0.0040),
    ("OTC_ELB_ENH", "Elastic Load Balancer enhanced", "H", 0.0240),
    ("OTC_NAT_S", "NAT Gateway small", "H", 0.0430),
    ("OTC_VPN_GW", "Virtual Private Network gateway", "H", 0.0560),
    (
        "OTC_RDS_MY_L",
        "Relational Database MySQL large",
        "H",
        0.2400,
    ),
    (
        "OTC_RDS_PG_XL",
        "Relational Database PostgreSQL xlarge",
        "H",
        0.4600,
    ),
    (
        "OTC_RDS_SQL_XL",
        "Relational Database SQL Server xlarge",
        "H",
        0.9800,
    ),
    (
        "OTC_DCS_REDIS",
        "Distributed Cache Service Redis",
        "H",
        0.0900,
    ),
    ("OTC_DDS_MONGO", "Document Database Service", "H", 0.3100),
    (
        "OTC_CCE_CLUSTER",
        "Cloud Container Engine cluster",
        "H",
        0.1200,
    ),
    ("OTC_CSS_NODE", "Cloud Search Service node", "H", 0.2800),
    ("OTC_DWS_NODE", "Data Warehouse Service node", "H", 0.6500),
];

/// `(tag_key, values)`.
pub const TAGS: &[(&str, &[&str])] = &[
    ("env", &["prod", "test", "dev"]),
    ("cost-center", &["cc-100", "cc-200", "cc-300"]),
    ("owner", &["ops", "data", "web"]),
];

/// One resource of the pool.
#[derive(Debug, Clone)]
pub struct Resource {
    /// UUID.
    pub id: String,
    /// Index into [`PRODUCTS`].
    pub product: usize,
    /// Index into [`PROJECTS`].
    pub project: usize,
    /// Index into [`CONTRACTS`].
    pub contract: usize,
    /// `(key, value)` indexes into [`TAGS`], for tagged resources.
    pub tag: Option<(usize, usize)>,
    /// Reserved (RC) rather than elastic (EL).
    pub reserved: bool,
}

/// The generated consumption of one sandbox.
#[derive(Debug)]
pub struct Dataset {
    seed: u64,
    /// Number of records.
    pub n: u64,
    /// First day of the window.
    pub start: NaiveDate,
    /// Days in the window.
    pub days: u64,
    /// The resource pool.
    pub pool: Vec<Resource>,
    /// One project id per project.
    pub project_ids: Vec<String>,
}

/// One generated record, in the field order of the seed's examples.
#[derive(Debug, Serialize)]
pub struct Row<'a> {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    consumption_type: Option<&'static str>,
    contract: u64,
    business_partner_id: u64,
    reseller_id: u64,
    quantity_unit: &'static str,
    consumption_date: String,
    unit_price: f64,
    listprice_amount: f64,
    amount: f64,
    product: &'static str,
    product_description: &'static str,
    project_id: &'a str,
    resource_id: &'a str,
    billing_quantity: f64,
    project_name: &'static str,
    consumption_type_description: &'static str,
    region: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<serde_json::Map<String, serde_json::Value>>,
}

/// How a record is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// v1: the seed's fields.
    V1,
    /// v2 daily: plus `consumption_type` (and `tags` with show_tag).
    Daily { show_tag: bool },
    /// v2 hourly: one hour of use, the hour in `consumption_date`.
    Hourly { show_tag: bool },
}

impl Dataset {
    /// `n` records over the 12 whole months before `today`'s month.
    pub fn new(seed: u64, n: u64, today: NaiveDate) -> Self {
        let this_month = today.with_day(1).expect("day 1 exists");
        let start = NaiveDate::from_ymd_opt(this_month.year() - 1, this_month.month(), 1)
            .expect("valid month");
        let days = (this_month - start).num_days() as u64;
        let mut g = DataGen::new(seed, "otc/resources");
        let pool = (0..POOL)
            .map(|_| {
                let id = g.uuid();
                let product = g.int(0..=(PRODUCTS.len() as i64 - 1)) as usize;
                let project = g.int(0..=(PROJECTS.len() as i64 - 1)) as usize;
                let contract = g.int(0..=(CONTRACTS.len() as i64 - 1)) as usize;
                let tag = g
                    .chance(0.6)
                    .then(|| (g.int(0..=2) as usize, g.int(0..=2) as usize));
                let reserved = g.chance(0.1);
                Resource {
                    id,
                    product,
                    project,
                    contract,
                    tag,
                    reserved,
                }
            })
            .collect();
        let mut g = DataGen::new(seed, "otc/projects");
        let project_ids = PROJECTS.iter().map(|_| g.hex(32)).collect();
        Dataset {
            seed,
            n,
            start,
            days,
            pool,
            project_ids,
        }
    }

    fn hash(&self, i: u64) -> u64 {
        mix(self.seed ^ RECORD_SALT, i)
    }

    /// The pool index of record `i`'s resource.
    pub fn resource_of(&self, i: u64) -> usize {
        (self.hash(i) % POOL as u64) as usize
    }

    /// Record `i`'s hour of day (the hourly stream's `hour`).
    pub fn hour_of(&self, i: u64) -> u8 {
        ((self.hash(i) >> 32) % 24) as u8
    }

    /// The day number (from the window's start) of record `i`.
    pub fn day_of(&self, i: u64) -> u64 {
        (u128::from(i) * u128::from(self.days) / u128::from(self.n.max(1))) as u64
    }

    /// The first record on day number `d` (or later): `⌈d·n/D⌉`, clamped to `n`.
    pub fn first_index(&self, d: u64) -> u64 {
        let d = d.min(self.days);
        (u128::from(d) * u128::from(self.n)).div_ceil(u128::from(self.days)) as u64
    }

    /// The index range of the records dated `from..=to` (an empty range outside the window).
    pub fn range_of_dates(&self, from: NaiveDate, to: NaiveDate) -> std::ops::Range<u64> {
        let end = self.start + Duration::days(self.days as i64);
        if to < self.start || from >= end || to < from {
            return 0..0;
        }
        let d0 = (from.max(self.start) - self.start).num_days() as u64;
        let d1 = (to.min(end - Duration::days(1)) - self.start).num_days() as u64 + 1;
        self.first_index(d0)..self.first_index(d1)
    }

    /// The date of record `i`.
    pub fn date_of(&self, i: u64) -> NaiveDate {
        self.start + Duration::days(self.day_of(i) as i64)
    }

    /// The last day of the window.
    pub fn last_day(&self) -> NaiveDate {
        self.start + Duration::days(self.days as i64 - 1)
    }

    /// Record `i` as JSON text (no newline).
    pub fn render(&self, i: u64, shape: Shape, out: &mut Vec<u8>) {
        let h = self.hash(i);
        let res = &self.pool[(h % POOL as u64) as usize];
        let (code, description, unit, unit_price) = PRODUCTS[res.product];
        let (project_name, region) = PROJECTS[res.project];
        let (contract, bp, reseller, _, discount) = CONTRACTS[res.contract];
        let hourly = matches!(shape, Shape::Hourly { .. });
        let daily_qty = match unit {
            "H" => ((h >> 8) % 24 + 1) as f64,
            "MBIT" => ((h >> 8) % 200 + 10) as f64,
            _ => ((h >> 8) % 2000 + 20) as f64,
        };
        let quantity = if hourly {
            round4(daily_qty / 24.0)
        } else {
            daily_qty
        };
        let listprice = round4(quantity * unit_price);
        let amount = round4(listprice * (1.0 - discount));
        let date = self.date_of(i);
        let consumption_date = if hourly {
            format!("{} {:02}:00:00", date.format("%Y-%m-%d"), self.hour_of(i))
        } else {
            format!("{} 00:00:00", date.format("%Y-%m-%d"))
        };
        let show_tag = matches!(
            shape,
            Shape::Daily { show_tag: true } | Shape::Hourly { show_tag: true }
        );
        let tags = show_tag.then(|| {
            let mut m = serde_json::Map::new();
            if let Some((k, v)) = res.tag {
                m.insert(TAGS[k].0.to_owned(), serde_json::Value::from(TAGS[k].1[v]));
            }
            m
        });
        let row = Row {
            kind: "Consumption",
            consumption_type: (shape != Shape::V1).then_some(if res.reserved {
                "RC"
            } else {
                "EL"
            }),
            contract,
            business_partner_id: bp,
            reseller_id: reseller,
            quantity_unit: unit,
            consumption_date,
            unit_price,
            listprice_amount: listprice,
            amount,
            product: code,
            product_description: description,
            project_id: &self.project_ids[res.project],
            resource_id: &res.id,
            billing_quantity: quantity,
            project_name,
            consumption_type_description: if res.reserved {
                "Reserved package usage"
            } else {
                "Usage for PLM Cloud with price"
            },
            region,
            tags,
        };
        // Writing plain data into a Vec cannot fail.
        let _ = serde_json::to_writer(out, &row);
    }
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds(n: u64) -> Dataset {
        Dataset::new(42, n, NaiveDate::from_ymd_opt(2026, 3, 15).unwrap())
    }

    #[test]
    fn window_is_the_twelve_months_before() {
        let d = ds(1000);
        assert_eq!(d.start.to_string(), "2025-03-01");
        assert_eq!(d.last_day().to_string(), "2026-02-28");
        assert_eq!(d.days, 365);
        assert_eq!(d.date_of(0), d.start);
        assert_eq!(d.date_of(999), d.last_day());
    }

    #[test]
    fn date_ranges_match_a_scan() {
        for n in [1, 7, 100, 365, 1000, 12345] {
            let d = ds(n);
            let (from, to) = (
                NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
                NaiveDate::from_ymd_opt(2025, 7, 31).unwrap(),
            );
            let r = d.range_of_dates(from, to);
            let scanned: Vec<u64> = (0..n)
                .filter(|&i| (from..=to).contains(&d.date_of(i)))
                .collect();
            assert_eq!(r.clone().collect::<Vec<_>>(), scanned, "n={n}");
            let all = d.range_of_dates(d.start, d.last_day());
            assert_eq!(all, 0..n);
        }
        let d = ds(100);
        assert!(d
            .range_of_dates(
                NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
                NaiveDate::from_ymd_opt(2020, 1, 2).unwrap()
            )
            .is_empty());
    }

    #[test]
    fn records_are_deterministic_json() {
        let d = ds(100);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        d.render(5, Shape::V1, &mut a);
        ds(100).render(5, Shape::V1, &mut b);
        assert_eq!(a, b);
        let v: serde_json::Value = serde_json::from_slice(&a).unwrap();
        assert_eq!(v["kind"], "Consumption");
        assert!(v.get("consumption_type").is_none());
        let mut c = Vec::new();
        d.render(5, Shape::Daily { show_tag: true }, &mut c);
        let v: serde_json::Value = serde_json::from_slice(&c).unwrap();
        assert!(v["consumption_type"] == "EL" || v["consumption_type"] == "RC");
        assert!(v["tags"].is_object());
    }
}

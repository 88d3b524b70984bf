//! The Veeam emulation's data: organizations, and the license usage of any month, generated
//! from the sandbox seed so that a month's report is the same whenever it is asked for.
//!
//! - One provider and two resellers own the reports: every month has one report each.
//! - `--scale / 10` client companies (at least 3, at most 40) are spread over the three
//!   owners; each has a stable set of products and workloads, and counts drawn per month.
//! - Points follow the seed: `usedPoints = reportedCount × weight` (new workloads are not
//!   charged in their first month). Weights are multiples of 0.5, so every sum is exact.
//! - Dates reproduce the seed's quirk: `endOfInterval` is always day 31 of the month
//!   (`2026-02-31T00:00:00.0000000+00:00`), an impossible date on short months.
//! - Report ids are readable: `YYYYMM` × 100 + owner number (`20261001` is the provider's
//!   October 2026 report).

use serde_json::{json, Value};

use super::super::data::DataGen;
use crate::usage::Month;

/// A product type, its license editions, and its workload types with their weights.
type Product = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, f64)],
);

/// Products, their editions and their workloads with the points one workload costs (sandbox
/// figures in the shape of the seed, not Veeam's price list).
const PRODUCTS: &[Product] = &[
    (
        "backupAndReplication",
        &["Standard", "Enterprise", "EnterprisePlus"],
        &[
            ("vbR_VM", 5.0),
            ("vbR_Server_Agent", 5.0),
            ("vbR_Workstation_Agent", 1.0),
        ],
    ),
    (
        "vspc",
        &["EnterprisePlus"],
        &[("vaC_Server_Agent", 11.0), ("vaC_Workstation_Agent", 4.0)],
    ),
    (
        "cloudConnect",
        &["EnterprisePlus"],
        &[
            ("cC_VM_Backup", 2.5),
            ("cC_VM_Replica", 7.5),
            ("cC_Server_Backup", 2.5),
            ("cC_Workstation_Backup", 0.5),
        ],
    ),
    ("vb365", &["Subscription"], &[("vB365_User", 1.5)]),
];

/// How many months `GET /licensing/reports` lists, ending with last month.
pub const LISTED_MONTHS: u32 = 24;

/// An organization that owns reports: the provider (index 0) or a reseller.
#[derive(Clone, Debug)]
pub struct Owner {
    /// `organizationUid`.
    pub uid: String,
    /// `organizationName` (also `licenseCompanyName`).
    pub name: String,
    /// `provider` or `reseller`.
    pub kind: &'static str,
    /// The rental license its companies' usage counts against.
    pub license_id: String,
    /// Veeam support id of that license.
    pub support_id: String,
}

/// A client company and what it runs.
#[derive(Clone, Debug)]
pub struct Company {
    /// `organizationUid`.
    pub uid: String,
    /// `organizationName`.
    pub name: String,
    /// Cloud Connect `tenantUid`.
    pub tenant_uid: String,
    /// Index into [`Orgs::owners`].
    pub owner: usize,
    /// `(product index, edition, workload indexes)`.
    pub products: Vec<(usize, &'static str, Vec<usize>)>,
}

/// Every organization of the sandbox.
#[derive(Clone, Debug)]
pub struct Orgs {
    /// The provider first, then the resellers.
    pub owners: Vec<Owner>,
    /// Client companies.
    pub companies: Vec<Company>,
}

impl Orgs {
    /// The organizations of a sandbox with `seed` and `scale`.
    pub fn generate(seed: u64, scale: u64) -> Orgs {
        let mut g = DataGen::new(seed, "veeam/organizations");
        let mut owners = vec![Owner {
            uid: g.uuid(),
            name: "Sandbox Cloud Provider AG".to_owned(),
            kind: "provider",
            license_id: g.uuid(),
            support_id: format!("0{}", g.int(1_000_000..=9_999_999)),
        }];
        let mut names: Vec<String> = Vec::new();
        let mut unique_name = |g: &mut DataGen| {
            let mut n = g.company();
            while names.contains(&n) {
                n = format!("{n} {}", names.len());
            }
            names.push(n.clone());
            n
        };
        for _ in 0..2 {
            owners.push(Owner {
                uid: g.uuid(),
                name: unique_name(&mut g),
                kind: "reseller",
                license_id: g.uuid(),
                support_id: format!("0{}", g.int(1_000_000..=9_999_999)),
            });
        }
        let count = (scale / 10).clamp(3, 40) as usize;
        let companies = (0..count)
            .map(|i| {
                let (edition_pick, mut products) = (g.int(0..=2) as usize, Vec::new());
                for (p, (_, editions, workloads)) in PRODUCTS.iter().enumerate() {
                    if p > 0 && !g.chance(0.5) {
                        continue;
                    }
                    let mut chosen: Vec<usize> =
                        (0..workloads.len()).filter(|_| g.chance(0.7)).collect();
                    if chosen.is_empty() {
                        chosen.push(0);
                    }
                    products.push((p, editions[edition_pick.min(editions.len() - 1)], chosen));
                }
                Company {
                    uid: g.uuid(),
                    name: unique_name(&mut g),
                    tenant_uid: g.uuid(),
                    owner: i % 3,
                    products,
                }
            })
            .collect();
        Orgs { owners, companies }
    }

    /// The id of `owner`'s report for `month`.
    pub fn report_id(month: Month, owner: usize) -> i64 {
        (i64::from(month.year()) * 100 + i64::from(month.month())) * 100 + owner as i64 + 1
    }

    /// The month and owner of a report id, if it names one.
    pub fn parse_report_id(&self, id: i64) -> Option<(Month, usize)> {
        let owner = usize::try_from(id % 100).ok()?.checked_sub(1)?;
        let ym = id / 100;
        let month = Month::parse(&format!("{:04}-{:02}", ym / 100, ym % 100)).ok()?;
        (owner < self.owners.len()).then_some((month, owner))
    }
}

/// One workload line of one company in one month.
#[derive(Clone, Debug)]
pub struct WorkloadLine {
    /// `workloadType`.
    pub workload: &'static str,
    /// `initialCount`.
    pub initial: i64,
    /// `reportedCount` (charged).
    pub reported: i64,
    /// `newCount` (free in their first month).
    pub new: i64,
    /// Points per reported workload.
    pub weight: f64,
}

impl WorkloadLine {
    /// `usedPoints`: reported workloads × weight.
    pub fn points(&self) -> f64 {
        self.reported as f64 * self.weight
    }

    /// The `workloadUsage[]` item.
    pub fn to_json(&self) -> Value {
        json!({
            "workloadType": self.workload,
            "initialCount": self.initial,
            "reportedCount": self.reported,
            "newCount": self.new,
            "weight": self.weight,
            "usedPoints": self.points(),
        })
    }
}

/// One product of one company in one month.
#[derive(Clone, Debug)]
pub struct ProductLine {
    /// `productType`.
    pub product: &'static str,
    /// `licenseEdition`.
    pub edition: &'static str,
    /// Its workloads.
    pub workloads: Vec<WorkloadLine>,
}

impl ProductLine {
    /// The product's points.
    pub fn points(&self) -> f64 {
        self.workloads.iter().map(WorkloadLine::points).sum()
    }
}

/// What `company` used in `month` (the same for the same seed, month and company).
pub fn company_usage(seed: u64, month: Month, company: &Company) -> Vec<ProductLine> {
    let mut g = DataGen::new(seed, &format!("veeam/usage/{month}/{}", company.uid));
    company
        .products
        .iter()
        .map(|(p, edition, chosen)| {
            let (product, _, workloads) = PRODUCTS[*p];
            let workloads = chosen
                .iter()
                .map(|&w| {
                    let (workload, weight) = workloads[w];
                    let initial = g.int(0..=40);
                    let new = g.int(0..=4);
                    let reported = (initial - g.int(0..=2)).max(0);
                    WorkloadLine {
                        workload,
                        initial,
                        reported,
                        new,
                        weight,
                    }
                })
                .collect();
            ProductLine {
                product,
                edition,
                workloads,
            }
        })
        .collect()
}

/// Sums product lines per product × edition × workload, in catalogue order.
pub fn aggregate(lines: &[ProductLine]) -> Vec<ProductLine> {
    let mut out: Vec<ProductLine> = Vec::new();
    for line in lines {
        let slot = match out
            .iter_mut()
            .position(|p| p.product == line.product && p.edition == line.edition)
        {
            Some(i) => &mut out[i],
            None => {
                out.push(ProductLine {
                    product: line.product,
                    edition: line.edition,
                    workloads: Vec::new(),
                });
                out.last_mut().expect("just pushed")
            }
        };
        for w in &line.workloads {
            match slot.workloads.iter_mut().find(|x| x.workload == w.workload) {
                Some(x) => {
                    x.initial += w.initial;
                    x.reported += w.reported;
                    x.new += w.new;
                }
                None => slot.workloads.push(w.clone()),
            }
        }
    }
    let rank = |product: &str| {
        PRODUCTS
            .iter()
            .position(|(p, _, _)| *p == product)
            .unwrap_or(usize::MAX)
    };
    let wrank = |product: &str, workload: &str| {
        PRODUCTS
            .iter()
            .find(|(p, _, _)| *p == product)
            .and_then(|(_, _, ws)| ws.iter().position(|(w, _)| *w == workload))
            .unwrap_or(usize::MAX)
    };
    out.sort_by(|a, b| (rank(a.product), a.edition).cmp(&(rank(b.product), b.edition)));
    for p in &mut out {
        let product = p.product;
        p.workloads.sort_by_key(|w| wrank(product, w.workload));
    }
    out
}

/// `generationDate` of a month's reports: the first day of the next month, 02:00.
pub fn generation_day(month: Month) -> chrono::NaiveDate {
    month.end().succ_opt().expect("a next day exists")
}

/// One license usage report in the seed's shape. `seed_spelling` chooses `reportParemeters`
/// (as the seed's example) over `reportParameters` (as the OpenAPI).
pub fn report(
    seed: u64,
    orgs: &Orgs,
    month: Month,
    owner: usize,
    status: &str,
    seed_spelling: bool,
) -> Value {
    let o = &orgs.owners[owner];
    let companies: Vec<(&Company, Vec<ProductLine>)> = orgs
        .companies
        .iter()
        .filter(|c| c.owner == owner)
        .map(|c| (c, company_usage(seed, month, c)))
        .collect();
    let all: Vec<ProductLine> = companies
        .iter()
        .flat_map(|(_, lines)| lines.iter().cloned())
        .collect();
    let summary = aggregate(&all);
    let total: f64 = summary.iter().map(ProductLine::points).sum();
    let (y, m) = (month.year(), month.month());
    let params = json!({
        "reportId": Orgs::report_id(month, owner),
        "organizationName": o.name,
        "organizationUid": o.uid,
        "licenseCompanyName": o.name,
        "generationDate": format!("{}T02:00:00.0000000+00:00", generation_day(month)),
        "reportInterval": {
            "startOfInterval": format!("{y:04}-{m:02}-01T00:00:00.0000000+00:00"),
            // The seed's quirk, on purpose: day 31 of every month.
            "endOfInterval": format!("{y:04}-{m:02}-31T00:00:00.0000000+00:00"),
        },
        "status": status,
    });
    let key = if seed_spelling {
        "reportParemeters"
    } else {
        "reportParameters"
    };
    let mut report = serde_json::Map::new();
    report.insert(key.to_owned(), params);
    report.insert(
        "reportSummary".to_owned(),
        json!({
            "totalPoints": total,
            "productsUsage": summary.iter().map(|p| json!({
                "productType": p.product,
                "totalPoints": p.points(),
                "licenseEdition": p.edition,
                "workloadUsage": p.workloads.iter().map(WorkloadLine::to_json).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }),
    );
    report.insert(
        "organizationsUsage".to_owned(),
        Value::Array(
            companies
                .iter()
                .map(|(c, lines)| {
                    json!({
                        "organizationType": "company",
                        "organizationName": c.name,
                        "organizationUid": c.uid,
                        "tenantUid": c.tenant_uid,
                        "usedPoints": lines.iter().map(ProductLine::points).sum::<f64>(),
                    })
                })
                .collect(),
        ),
    );
    report.insert("notCollectedCloudServers".to_owned(), Value::Null);
    report.insert(
        "usageDetails".to_owned(),
        Value::Array(
            companies
                .iter()
                .map(|(c, lines)| {
                    json!({
                        "organizationName": c.name,
                        "organizationUid": c.uid,
                        "tenantUid": c.tenant_uid,
                        "supportId": o.support_id,
                        "notCollectedClientServers": [],
                        "usageByLicenseAndProduct": lines.iter().map(|p| json!({
                            "licenseId": o.license_id,
                            "productType": p.product,
                            "licenseEdition": p.edition,
                            "usedPoints": p.points(),
                            "workloadUsage": p.workloads.iter().map(WorkloadLine::to_json).collect::<Vec<_>>(),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect(),
        ),
    );
    report.insert("appendices".to_owned(), json!([]));
    Value::Object(report)
}

/// A report as the CSV file `GET /licensing/reports/{id}/csv` answers: one line per
/// organization × product × workload, every field quoted, CRLF line ends.
pub fn report_csv(seed: u64, orgs: &Orgs, month: Month, owner: usize) -> String {
    let o = &orgs.owners[owner];
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = String::from(
        "\"Organization\",\"Organization UID\",\"License ID\",\"Product\",\"License Edition\",\"Workload\",\
         \"Initial Count\",\"Reported Count\",\"New Count\",\"Weight\",\"Used Points\"\r\n",
    );
    for c in orgs.companies.iter().filter(|c| c.owner == owner) {
        for p in company_usage(seed, month, c) {
            for w in &p.workloads {
                out.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{},{}\r\n",
                    q(&c.name),
                    q(&c.uid),
                    q(&o.license_id),
                    q(p.product),
                    q(p.edition),
                    q(w.workload),
                    w.initial,
                    w.reported,
                    w.new,
                    w.weight,
                    w.points()
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organizations_and_reports_are_deterministic_and_consistent() {
        let orgs = Orgs::generate(42, 100);
        assert_eq!(orgs.owners.len(), 3);
        assert_eq!(orgs.companies.len(), 10);
        let month = Month::parse("2026-02").unwrap();
        let a = report(42, &orgs, month, 1, "Finalized", false);
        let b = report(42, &Orgs::generate(42, 100), month, 1, "Finalized", false);
        assert_eq!(a, b);
        assert_eq!(a["reportParameters"]["reportId"], 20260202);
        assert_eq!(
            a["reportParameters"]["reportInterval"]["endOfInterval"],
            "2026-02-31T00:00:00.0000000+00:00"
        );
        // The summary's total is the sum of the organizations' points and of the details.
        let total = a["reportSummary"]["totalPoints"].as_f64().unwrap();
        let orgs_sum: f64 = a["organizationsUsage"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["usedPoints"].as_f64().unwrap())
            .sum();
        assert_eq!(total, orgs_sum);
        assert!(total > 0.0);
        assert_eq!(
            orgs.parse_report_id(20260202)
                .map(|(m, o)| (m.to_string(), o)),
            Some(("2026-02".to_owned(), 1))
        );
        assert_eq!(orgs.parse_report_id(20261304), None);
        assert_eq!(orgs.parse_report_id(20260204), None);
    }

    #[test]
    fn csv_has_a_line_per_workload() {
        let orgs = Orgs::generate(42, 100);
        let month = Month::parse("2026-02").unwrap();
        let r = report(42, &orgs, month, 0, "Finalized", true);
        let lines: usize = r["usageDetails"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| d["usageByLicenseAndProduct"].as_array().unwrap().iter())
            .map(|p| p["workloadUsage"].as_array().unwrap().len())
            .sum();
        let csv = report_csv(42, &orgs, month, 0);
        assert_eq!(csv.matches("\r\n").count(), lines + 1);
    }
}

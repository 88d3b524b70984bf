//! The sandbox's Acronis tenants, their usage, and the stored report files built from them.
//!
//! Everything here is a pure function of the sandbox seed and the report's parameters, so a
//! report for the same month always has the same content (the monthly bundle's rows are
//! byte-identical across runs).
//!
//! Usage: every customer tenant of the partner uses a few offering items of [`CATALOG`]; a
//! value depends on the seed, the tenant, the SKU and the month (about one month in twelve
//! has no usage at all, which `hide_zero_usage` hides). Levels: `itself`, `direct_partners`
//! and `all_partners` of the partner sum its customers up into one partner entry per SKU;
//! `all_customers` and `accounts` list each customer. A report about a customer is always
//! about that customer alone.
//!
//! Layouts (the json_v2_0 one after the vendor's "Fetching a service usage using a stored
//! report" guide, with `tenant_name` added so that rows can name their customer):
//! - `json_v2_0`: `{"params": {kind, gen_date, begin_date, end_date, group_id, name,
//!   report_level, report_type}, "tenants": [tenant service usage objects]}`, numeric kinds
//!   4 daily, 5 summary, 8 current, 9 breakdown (9 is the sandbox's guess) and levels
//!   0 itself, 1 direct_partners, 2 all_customers, 3 accounts, 4 all_partners;
//! - `csv_v2_0`: the same usage objects as CSV rows under a header of their field names;
//! - `json_v1`, `csv`, `html`: simpler layouts for people, same numbers.

use chrono::{Datelike, NaiveDate};
use serde_json::{json, Map, Value};

use super::super::data::DataGen;

/// One GiB, the unit Acronis reports storage in (as bytes).
const GIB: i64 = 1024 * 1024 * 1024;

/// An offering item the sandbox's tenants use.
pub(super) struct Sku {
    /// The SKU shown with `show_skus`.
    pub code: &'static str,
    /// The edition.
    pub edition: &'static str,
    /// The usage name without edition prefix.
    pub usage_name: &'static str,
    /// `quantity`, `bytes` or `seconds`.
    pub unit: &'static str,
    /// The offering item type (`count`, `infra`, `feature`).
    pub kind: &'static str,
    /// The service (application) it belongs to.
    pub application_id: &'static str,
}

const PROTECTION: &str = "6e6d758d-8e74-3ae3-ac84-50eb0dff12eb";
const M365: &str = "f9c0d7a8-3d5e-4b2e-9a6c-2b1f8e7d6c5b";
const DR: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

/// The offering items of the sandbox.
pub(super) const CATALOG: &[Sku] = &[
    Sku {
        code: "CPSTDWKS",
        edition: "standard",
        usage_name: "workstations",
        unit: "quantity",
        kind: "count",
        application_id: PROTECTION,
    },
    Sku {
        code: "CPSTDSRV",
        edition: "standard",
        usage_name: "servers",
        unit: "quantity",
        kind: "count",
        application_id: PROTECTION,
    },
    Sku {
        code: "CPSTDVMS",
        edition: "standard",
        usage_name: "vms",
        unit: "quantity",
        kind: "count",
        application_id: PROTECTION,
    },
    Sku {
        code: "CPADVWKS",
        edition: "advanced",
        usage_name: "workstations",
        unit: "quantity",
        kind: "count",
        application_id: PROTECTION,
    },
    Sku {
        code: "CPADVSRV",
        edition: "advanced",
        usage_name: "servers",
        unit: "quantity",
        kind: "count",
        application_id: PROTECTION,
    },
    Sku {
        code: "CPM365SEAT",
        edition: "standard",
        usage_name: "mailboxes",
        unit: "quantity",
        kind: "count",
        application_id: M365,
    },
    Sku {
        code: "CPSTORGB",
        edition: "standard",
        usage_name: "storage",
        unit: "bytes",
        kind: "infra",
        application_id: PROTECTION,
    },
    Sku {
        code: "CPDRCOMPT",
        edition: "disaster_recovery",
        usage_name: "compute_points",
        unit: "seconds",
        kind: "feature",
        application_id: DR,
    },
];

impl Sku {
    /// The usage name with its edition prefix.
    fn name(&self) -> String {
        format!("{}_{}", self.edition, self.usage_name)
    }
}

/// A tenant of the sandbox.
pub(super) struct Tenant {
    /// Its UUID.
    pub uuid: String,
    /// Its API v1 numeric id.
    pub v1_id: i64,
    /// Its name.
    pub name: String,
    /// Indexes into [`CATALOG`] of what it uses (empty for the partner: it sums its customers).
    pub skus: Vec<usize>,
}

/// The partner (the API client's tenant) and its customers.
pub(super) struct Tenants {
    /// The partner.
    pub partner: Tenant,
    /// Its customers.
    pub customers: Vec<Tenant>,
}

impl Tenants {
    /// The tenants for `seed`: the partner `partner_uuid` and `count` customers.
    pub fn generate(seed: u64, partner_uuid: &str, count: usize) -> Self {
        let mut g = DataGen::new(seed, "acronis/tenants");
        let first_id = g.int(1_000_000..=1_900_000);
        let partner = Tenant {
            uuid: partner_uuid.to_owned(),
            v1_id: first_id,
            name: format!("{} (partner)", g.company()),
            skus: Vec::new(),
        };
        let customers = (0..count)
            .map(|n| {
                let mut skus: Vec<usize> = (0..CATALOG.len()).filter(|_| g.chance(0.5)).collect();
                if skus.is_empty() {
                    skus.push(0);
                }
                Tenant {
                    uuid: g.uuid(),
                    v1_id: first_id + 1 + n as i64,
                    name: g.company(),
                    skus,
                }
            })
            .collect();
        Tenants { partner, customers }
    }

    /// The tenant with `uuid`, if the sandbox has it.
    pub fn get(&self, uuid: &str) -> Option<&Tenant> {
        std::iter::once(&self.partner)
            .chain(&self.customers)
            .find(|t| t.uuid == uuid)
    }

    /// True for the partner.
    pub fn is_partner(&self, uuid: &str) -> bool {
        self.partner.uuid == uuid
    }
}

/// What a stored file is generated from.
pub(super) struct Spec<'a> {
    /// `usage_summary`, ...
    pub kind: &'a str,
    /// `accounts`, ...
    pub level: &'a str,
    /// The subject tenant.
    pub tenant_id: &'a str,
    /// First and last day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// Hide entries without usage.
    pub hide_zero_usage: bool,
    /// Include the `sku` field.
    pub show_skus: bool,
}

/// One usage entry: a tenant's usage of an offering item on a day.
struct Entry<'a> {
    tenant: &'a Tenant,
    sku: &'a Sku,
    date: NaiveDate,
    value: i64,
}

/// A tenant's usage of `sku` in the month of `date`.
fn usage(seed: u64, tenant: &Tenant, sku: &Sku, date: NaiveDate) -> i64 {
    let mut base = DataGen::new(seed, &format!("acronis/usage/{}/{}", tenant.uuid, sku.code));
    let b = match sku.unit {
        "bytes" => base.int(20..=4000) * GIB,
        "seconds" => base.int(10..=720) * 3600,
        _ => base.int(1..=150),
    };
    let mut month = DataGen::new(
        seed,
        &format!(
            "acronis/usage/{}/{}/{:04}-{:02}",
            tenant.uuid,
            sku.code,
            date.year(),
            date.month()
        ),
    );
    if month.chance(0.08) {
        return 0;
    }
    b * month.int(80..=120) / 100
}

fn entries<'a>(seed: u64, tenants: &'a Tenants, spec: &Spec<'_>) -> Vec<Entry<'a>> {
    let Some(subject) = tenants.get(spec.tenant_id) else {
        return Vec::new();
    };
    let dates: Vec<NaiveDate> = match spec.kind {
        "usage_daily" => spec
            .start
            .iter_days()
            .take_while(|d| *d <= spec.end)
            .take(92)
            .collect(),
        _ => vec![spec.end],
    };
    let per_customer = matches!(spec.level, "all_customers" | "accounts");
    let mut out = Vec::new();
    for date in dates {
        if !tenants.is_partner(&subject.uuid) {
            for &i in &subject.skus {
                out.push(Entry {
                    tenant: subject,
                    sku: &CATALOG[i],
                    date,
                    value: usage(seed, subject, &CATALOG[i], date),
                });
            }
        } else if per_customer {
            for c in &tenants.customers {
                for &i in &c.skus {
                    out.push(Entry {
                        tenant: c,
                        sku: &CATALOG[i],
                        date,
                        value: usage(seed, c, &CATALOG[i], date),
                    });
                }
            }
        } else {
            for sku in CATALOG {
                let users: Vec<&Tenant> = tenants
                    .customers
                    .iter()
                    .filter(|c| c.skus.iter().any(|&i| CATALOG[i].code == sku.code))
                    .collect();
                if users.is_empty() {
                    continue;
                }
                let value = users.iter().map(|c| usage(seed, c, sku, date)).sum();
                out.push(Entry {
                    tenant: subject,
                    sku,
                    date,
                    value,
                });
            }
        }
    }
    if spec.hide_zero_usage {
        out.retain(|e| e.value != 0);
    }
    out
}

fn kind_number(kind: &str) -> i64 {
    match kind {
        "usage_daily" => 4,
        "usage_summary" => 5,
        "usage_current" => 8,
        _ => 9,
    }
}

fn level_number(level: &str) -> i64 {
    match level {
        "direct_partners" => 1,
        "all_customers" => 2,
        "accounts" => 3,
        "all_partners" => 4,
        _ => 0,
    }
}

fn timestamp(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp())
}

/// The usage object of json_v2_0 / csv_v2_0, in the guide's field order.
fn usage_object(e: &Entry<'_>, spec: &Spec<'_>) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("tenant_uuid".into(), json!(e.tenant.uuid));
    o.insert("tenant_id".into(), json!(e.tenant.v1_id));
    o.insert("tenant_name".into(), json!(e.tenant.name));
    o.insert("application_id".into(), json!(e.sku.application_id));
    o.insert("edition".into(), json!(e.sku.edition));
    o.insert("usage_name".into(), json!(e.sku.usage_name));
    o.insert("name".into(), json!(e.sku.name()));
    o.insert("measurement_unit".into(), json!(e.sku.unit));
    o.insert("type".into(), json!(e.sku.kind));
    if spec.show_skus {
        o.insert("sku".into(), json!(e.sku.code));
    }
    o.insert("value".into(), json!(e.value));
    o.insert("absolute_value".into(), json!(e.value));
    let range_start = if spec.kind == "usage_daily" {
        e.date
    } else {
        spec.start
    };
    o.insert(
        "range_start".into(),
        json!(format!("{range_start}T00:00:00")),
    );
    o
}

/// The content of a stored file of `format`, and its media type.
pub(super) fn render(
    seed: u64,
    tenants: &Tenants,
    spec: &Spec<'_>,
    format: &str,
) -> (&'static str, Vec<u8>) {
    let entries = entries(seed, tenants, spec);
    let subject = tenants.get(spec.tenant_id);
    match format {
        "json_v2_0" => {
            let params = json!({
                "kind": kind_number(spec.kind),
                "gen_date": timestamp(spec.end.succ_opt().unwrap_or(spec.end)),
                "begin_date": timestamp(spec.start),
                "end_date": timestamp(spec.end),
                "group_id": subject.map_or(0, |t| t.v1_id),
                "name": subject.map_or("", |t| t.name.as_str()),
                "report_level": level_number(spec.level),
                "report_type": kind_number(spec.kind),
            });
            let tenants: Vec<Value> = entries
                .iter()
                .map(|e| Value::Object(usage_object(e, spec)))
                .collect();
            let doc = json!({ "params": params, "tenants": tenants });
            (
                "application/json",
                serde_json::to_vec_pretty(&doc).unwrap_or_default(),
            )
        }
        "csv_v2_0" => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut header_done = false;
            for e in &entries {
                let o = usage_object(e, spec);
                if !header_done {
                    let _ = w.write_record(o.keys());
                    header_done = true;
                }
                let _ = w.write_record(o.values().map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }));
            }
            if !header_done {
                let mut keys = vec![
                    "tenant_uuid",
                    "tenant_id",
                    "tenant_name",
                    "application_id",
                    "edition",
                    "usage_name",
                    "name",
                    "measurement_unit",
                    "type",
                ];
                if spec.show_skus {
                    keys.push("sku");
                }
                keys.extend(["value", "absolute_value", "range_start"]);
                let _ = w.write_record(keys);
            }
            ("text/csv", w.into_inner().unwrap_or_default())
        }
        "json_v1" => {
            let usages: Vec<Value> = entries
                .iter()
                .map(|e| json!({"tenant": e.tenant.name, "tenant_uuid": e.tenant.uuid, "edition": e.sku.edition, "usage": e.sku.usage_name, "date": e.date.to_string(), "value": e.value, "unit": e.sku.unit}))
                .collect();
            let doc = json!({"report": {"kind": spec.kind, "level": spec.level, "period": {"start": spec.start.to_string(), "end": spec.end.to_string()}}, "usages": usages});
            (
                "application/json",
                serde_json::to_vec_pretty(&doc).unwrap_or_default(),
            )
        }
        "html" => {
            let mut s = format!(
                "<!DOCTYPE html>\n<html><head><title>Usage report {} to {}</title></head><body>\n<table>\n<tr><th>Tenant</th><th>Edition</th><th>Usage</th><th>Date</th><th>Value</th><th>Unit</th></tr>\n",
                spec.start, spec.end
            );
            for e in &entries {
                s.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                    e.tenant.name.replace('&', "&amp;").replace('<', "&lt;"),
                    e.sku.edition,
                    e.sku.usage_name,
                    e.date,
                    e.value,
                    e.sku.unit
                ));
            }
            s.push_str("</table>\n</body></html>\n");
            ("text/html", s.into_bytes())
        }
        _ => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut header = vec!["Tenant", "Edition", "Usage"];
            if spec.show_skus {
                header.push("SKU");
            }
            header.extend(["Date", "Value", "Unit"]);
            let _ = w.write_record(&header);
            for e in &entries {
                let mut row = vec![
                    e.tenant.name.clone(),
                    e.sku.edition.to_owned(),
                    e.sku.usage_name.to_owned(),
                ];
                if spec.show_skus {
                    row.push(e.sku.code.to_owned());
                }
                row.extend([
                    e.date.to_string(),
                    e.value.to_string(),
                    e.sku.unit.to_owned(),
                ]);
                let _ = w.write_record(&row);
            }
            ("text/csv", w.into_inner().unwrap_or_default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec<'a>(tenant: &'a str, level: &'a str) -> Spec<'a> {
        Spec {
            kind: "usage_summary",
            level,
            tenant_id: tenant,
            start: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            end: NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
            hide_zero_usage: false,
            show_skus: true,
        }
    }

    #[test]
    fn partner_level_sums_its_customers() {
        let t = Tenants::generate(42, "p", 12);
        let per_customer: i64 = entries(42, &t, &spec("p", "accounts"))
            .iter()
            .map(|e| e.value)
            .sum();
        let summed: i64 = entries(42, &t, &spec("p", "itself"))
            .iter()
            .map(|e| e.value)
            .sum();
        assert_eq!(per_customer, summed);
        assert!(entries(42, &t, &spec("p", "itself"))
            .iter()
            .all(|e| e.tenant.uuid == "p"));
    }

    #[test]
    fn content_is_deterministic_and_parses() {
        let t = Tenants::generate(42, "p", 12);
        let a = render(42, &t, &spec("p", "accounts"), "json_v2_0").1;
        assert_eq!(a, render(42, &t, &spec("p", "accounts"), "json_v2_0").1);
        let v: Value = serde_json::from_slice(&a).unwrap();
        assert_eq!(v["params"]["kind"], 5);
        assert!(!v["tenants"].as_array().unwrap().is_empty());
        let csv = String::from_utf8(render(42, &t, &spec("p", "accounts"), "csv_v2_0").1).unwrap();
        assert!(
            csv.starts_with("tenant_uuid,tenant_id,tenant_name,"),
            "{csv}"
        );
        assert_eq!(
            csv.lines().count(),
            v["tenants"].as_array().unwrap().len() + 1
        );
    }
}

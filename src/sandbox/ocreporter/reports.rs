//! The emulation's reports, computed from the workspace's own data: the SPLA usage reports
//! (reseller and customer billing), the Cloud VM Cost Adviser and the data export.
//!
//! SPLA rules of the emulation (simple, documented, not Microsoft's full rulebook):
//! - server products (`core`) count per device: 2-core packs for the device's cores, at least
//!   4 packs (8 cores), for every active, not excluded device in a not excluded cluster whose
//!   installed software maps to the product and was present in the observation window;
//! - user products (`SAL`) count one per active, not excluded user whose software maps to the
//!   product and was present in the window;
//! - the window is the month (`month_id`), the date range, or — without high water mark — the
//!   current state (software not removed);
//! - a license whose purchase price is missing from the reseller's catalog for the customer's
//!   price category is left out of the calculation and listed in `missingUnitPrices`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{Duration, NaiveDate};
use serde_json::{json, Map, Value};

use super::data::{product, Product, Store, CURRENCY};
use super::store::{field, id_of, int, ApiError, Params, Record};

/// The observation window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Window {
    /// `[start, end]`, both inclusive.
    Range(NaiveDate, NaiveDate),
    /// The current state (no high water mark).
    Current,
}

impl Window {
    fn covers(&self, first: &str, last: &str) -> bool {
        match self {
            Window::Current => last.is_empty(),
            Window::Range(s, e) => {
                let first = date(first).unwrap_or(NaiveDate::MIN);
                let last = date(last);
                first <= *e && last.is_none_or(|l| l >= *s)
            }
        }
    }
}

fn date(s: &str) -> Option<NaiveDate> {
    s.get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// `YYYYMM` → the month's window.
fn month_window(month_id: &str) -> Option<Window> {
    let t = month_id.trim();
    if t.len() != 6 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (y, m) = (t[..4].parse::<i32>().ok()?, t[4..].parse::<u32>().ok()?);
    let start = NaiveDate::from_ymd_opt(y, m, 1)?;
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)?
    };
    Some(Window::Range(start, next - Duration::days(1)))
}

/// One license in use: who, what, how many.
#[derive(Debug, Clone)]
struct Line {
    customer: Option<u64>,
    device: Option<(u64, String, String, i64)>,
    user: Option<(u64, String)>,
    software_label: String,
    product: &'static Product,
    quantity: i64,
}

fn usage_lines(s: &Store, w: Window, only: Option<&HashSet<u64>>) -> Vec<Line> {
    let mut lines = Vec::new();
    let excluded_clusters: HashSet<i64> = s
        .clusters
        .iter()
        .filter(|c| field(c, "exclude_spla") == "yes")
        .map(|c| id_of(c) as i64)
        .collect();
    let mut seen = HashSet::new();
    for sw in s.installed_softwares.iter() {
        let Some(p) = product(&field(sw, "software_license_part_number"))
            .filter(|p| p.license_type == "core")
        else {
            continue;
        };
        if field(sw, "exclude_spla") == "yes"
            || !w.covers(&field(sw, "first_seen_at"), &field(sw, "last_seen_at"))
        {
            continue;
        }
        let Some(d) = int(sw, "device_id").and_then(|id| s.devices.get(id as u64)) else {
            continue;
        };
        if field(d, "status") != "active"
            || field(d, "exclude_spla") == "yes"
            || int(d, "cluster_id").is_some_and(|c| excluded_clusters.contains(&c))
        {
            continue;
        }
        let customer = int(d, "customer_id").map(|c| c as u64);
        if only.is_some_and(|o| !customer.is_some_and(|c| o.contains(&c))) {
            continue;
        }
        if !seen.insert((id_of(d), p.part_number)) {
            continue;
        }
        let cores = int(d, "number_core").unwrap_or(0);
        lines.push(Line {
            customer,
            device: Some((id_of(d), field(d, "label"), field(d, "type_id"), cores)),
            user: None,
            software_label: field(sw, "label"),
            product: p,
            quantity: (cores.max(8) + 1) / 2,
        });
    }
    let mut seen = HashSet::new();
    for sw in s.user_softwares.iter() {
        let Some(p) =
            product(&field(sw, "software_license_part_number")).filter(|p| p.license_type == "SAL")
        else {
            continue;
        };
        if field(sw, "exclude_spla") == "yes"
            || !w.covers(&field(sw, "first_seen_at"), &field(sw, "last_seen_at"))
        {
            continue;
        }
        let Some(u) = int(sw, "user_id").and_then(|id| s.users.get(id as u64)) else {
            continue;
        };
        if field(u, "status") != "active" || field(u, "exclude_spla") == "yes" {
            continue;
        }
        let customer = int(u, "customer_id").map(|c| c as u64);
        if only.is_some_and(|o| !customer.is_some_and(|c| o.contains(&c))) {
            continue;
        }
        if !seen.insert((id_of(u), p.part_number)) {
            continue;
        }
        lines.push(Line {
            customer,
            device: None,
            user: Some((id_of(u), field(u, "username"))),
            software_label: field(sw, "label"),
            product: p,
            quantity: 1,
        });
    }
    lines
}

fn category_of(s: &Store, customer: Option<u64>) -> String {
    customer
        .and_then(|c| s.customers.get(c))
        .map(|c| field(c, "pricecategory"))
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "corporate".to_owned())
}

fn purchase_price(s: &Store, part: &str, category: &str) -> Option<f64> {
    s.price_reseller
        .iter()
        .find(|r| field(r, "part_number") == part && field(r, "pricecategory") == category)
        .and_then(|r| r.get("price").and_then(Value::as_f64))
}

/// What a report looks up per line, indexed once so that large workspaces stay linear:
/// contract licenses active in the window per (customer, part number), and sale prices.
struct Index {
    contracts: HashMap<(Option<u64>, String), i64>,
    sale: HashMap<(u64, String), f64>,
    group_sale: HashMap<(i64, String), f64>,
}

impl Index {
    fn new(s: &Store, w: Window) -> Self {
        let mut contracts = HashMap::new();
        for c in s.contract_licenses.iter() {
            let active = match w {
                Window::Current => field(c, "end_date").is_empty(),
                Window::Range(..) => w.covers(&field(c, "start_date"), &field(c, "end_date")),
            };
            if active {
                let key = (
                    int(c, "customer_id").map(|i| i as u64),
                    field(c, "software_license_part_number"),
                );
                *contracts.entry(key).or_default() += int(c, "number_of_licenses").unwrap_or(0);
            }
        }
        let price = |r: &Record| r.get("price").and_then(Value::as_f64);
        let mut sale = HashMap::new();
        for r in &s.price_customers {
            if let (Some(c), Some(p)) = (int(r, "customer_id"), price(r)) {
                sale.entry((c as u64, field(r, "part_number"))).or_insert(p);
            }
        }
        let mut group_sale = HashMap::new();
        for r in &s.price_groups {
            if let (Some(g), Some(p)) = (int(r, "customer_group_id"), price(r)) {
                group_sale.entry((g, field(r, "part_number"))).or_insert(p);
            }
        }
        Index {
            contracts,
            sale,
            group_sale,
        }
    }

    /// The customer's sale price: its own catalog, else its group's.
    fn sale_price(&self, s: &Store, customer: u64, part: &str) -> Option<f64> {
        self.sale
            .get(&(customer, part.to_owned()))
            .copied()
            .or_else(|| {
                let g = s
                    .customers
                    .get(customer)
                    .and_then(|c| int(c, "customer_group_id"))?;
                self.group_sale.get(&(g, part.to_owned())).copied()
            })
    }

    /// Contract licenses of `part` held by the customers `mine` accepts.
    fn contracts(&self, part: &str, mine: &dyn Fn(Option<u64>) -> bool) -> i64 {
        self.contracts
            .iter()
            .filter(|((c, p), _)| p == part && mine(*c))
            .map(|(_, n)| *n)
            .sum()
    }
}

fn money(x: f64) -> Value {
    json!((x * 100.0).round() / 100.0)
}

/// Which SPLA report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Reseller,
    Customer,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Reseller => "spla-usage-reseller",
            Kind::Customer => "spla-usage-customer",
        }
    }
}

/// `GET report/licensing/spla-usage-reseller|customer`: serves a stored report with
/// `existing=1`, else generates one (kept under the same id as the previous report of the same
/// period, type and customers).
pub(super) fn spla(s: &mut Store, kind: Kind, params: &Params) -> Result<Value, ApiError> {
    let (window, month_id) = observation(params)?;
    let customer_ids = ids(params.payload("customer_ids"), "customer_ids")?;
    let flat = params.payload("flat_structure") == Some("1");
    let itemized = params.payload("with_itemized") == Some("1");
    let compare: Vec<(String, Window)> = match params.payload("compare_months") {
        None => Vec::new(),
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(|m| {
                month_window(m).map(|w| (m.to_owned(), w)).ok_or_else(|| {
                    ApiError::bad_request(format!("Invalid payload[compare_months] \"{m}\"."))
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let key = format!(
        "{}|{:?}|{}|{}|{}|{:?}|{}",
        kind.name(),
        window,
        flat,
        itemized,
        customer_ids
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(","),
        compare.iter().map(|(m, _)| m.clone()).collect::<Vec<_>>(),
        month_id.clone().unwrap_or_default()
    );
    let stored = s.reports.find_by("key", &key);
    if params.payload("existing") == Some("1") {
        if let Some(body) = stored
            .and_then(|id| s.reports.get(id))
            .and_then(|r| r.get("body"))
        {
            return Ok(body.clone());
        }
    }
    let only: Option<HashSet<u64>> = (kind == Kind::Customer && !customer_ids.is_empty())
        .then(|| customer_ids.iter().copied().collect());
    let mut body = build(s, kind, window, only.as_ref(), flat, itemized);
    if !compare.is_empty() {
        let mut rows = Vec::new();
        for (m, w) in &compare {
            let mut per_part: BTreeMap<&str, i64> = BTreeMap::new();
            for l in usage_lines(s, *w, only.as_ref()) {
                *per_part.entry(l.product.part_number).or_default() += l.quantity;
            }
            for (part, q) in per_part {
                let label = product(part).map_or("", |p| p.label);
                rows.push(
                    json!({"month_id": m, "part_number": part, "label": label, "quantity": q}),
                );
            }
        }
        body.insert("compareMonths".into(), Value::Array(rows));
    }
    let (start, end) = match window {
        Window::Range(a, b) => (json!(a.to_string()), json!(b.to_string())),
        Window::Current => (Value::Null, Value::Null),
    };
    let generated = match window {
        Window::Range(_, e) => json!(format!("{}T06:00:00+00:00", e + Duration::days(5))),
        Window::Current => Value::Null,
    };
    let mut head = Map::new();
    head.insert("type".into(), json!(kind.name()));
    head.insert("month_id".into(), month_id.map_or(Value::Null, Value::from));
    head.insert("start_date".into(), start);
    head.insert("end_date".into(), end);
    head.insert("high_water_mark".into(), json!(window != Window::Current));
    head.insert("customer_ids".into(), json!(customer_ids));
    head.insert("generated_at".into(), generated);
    head.insert("currency".into(), json!(CURRENCY));
    head.extend(body);
    let id = match stored {
        Some(id) => id,
        None => s.reports.insert(Record::new()),
    };
    let mut report = Map::new();
    report.insert("id".into(), json!(id));
    report.extend(head);
    let report = Value::Object(report);
    if let Some(r) = s.reports.get_mut(id) {
        r.insert("key".into(), json!(key));
        r.insert("body".into(), report.clone());
    }
    Ok(report)
}

fn observation(params: &Params) -> Result<(Window, Option<String>), ApiError> {
    if let Some(m) = params.payload("month_id") {
        let w = month_window(m).ok_or_else(|| {
            ApiError::bad_request(format!(
                "Invalid payload[month_id] \"{m}\": expected YYYYMM."
            ))
        })?;
        return Ok((w, Some(m.to_owned())));
    }
    match (params.payload("start_date"), params.payload("end_date")) {
        (Some(a), Some(b)) => {
            let (s, e) = (date_param(a, "start_date")?, date_param(b, "end_date")?);
            if s > e {
                return Err(ApiError::bad_request("payload[start_date] must not be after payload[end_date]."));
            }
            Ok((Window::Range(s, e), None))
        }
        _ if params.payload("without_high_water_mark") == Some("1") => Ok((Window::Current, None)),
        _ => Err(ApiError::bad_request(
            "Set payload[month_id], payload[start_date] and payload[end_date], or payload[without_high_water_mark]=1.",
        )),
    }
}

fn date_param(v: &str, name: &str) -> Result<NaiveDate, ApiError> {
    (v.len() == 10)
        .then(|| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "Invalid payload[{name}] \"{v}\": expected YYYY-MM-DD."
            ))
        })
}

fn ids(v: Option<&str>, name: &str) -> Result<Vec<u64>, ApiError> {
    let Some(v) = v else { return Ok(Vec::new()) };
    v.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| {
            x.parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("Invalid payload[{name}] \"{v}\".")))
        })
        .collect()
}

fn build(
    s: &Store,
    kind: Kind,
    w: Window,
    only: Option<&HashSet<u64>>,
    flat: bool,
    itemized: bool,
) -> Map<String, Value> {
    let lines = usage_lines(s, w, only);
    let index = Index::new(s, w);
    let mut out = Map::new();

    // Per (part, category), and the missing purchase prices.
    let mut summary: BTreeMap<(String, &'static str), i64> = BTreeMap::new();
    let mut missing: BTreeSet<(&'static str, String)> = BTreeSet::new();
    for l in &lines {
        let cat = category_of(s, l.customer);
        if purchase_price(s, l.product.part_number, &cat).is_none() {
            missing.insert((l.product.part_number, cat));
            continue;
        }
        *summary.entry((cat, l.product.part_number)).or_default() += l.quantity;
    }
    let mut grouped: Map<String, Value> = Map::new();
    let mut flat_rows = Vec::new();
    for ((cat, part), quantity) in &summary {
        let p = product(part).expect("known product");
        let price = purchase_price(s, part, cat).unwrap_or_default();
        let in_category = |c: Option<u64>| {
            category_of(s, c) == *cat && only.is_none_or(|o| c.is_some_and(|c| o.contains(&c)))
        };
        let row = json!({
            "part_number": part,
            "label": p.label,
            "license_type": p.license_type,
            "pricecategory": cat,
            "quantity": quantity,
            "contract_licenses": index.contracts(part, &in_category),
            "unit_price": price,
            "total_price": money(price * *quantity as f64),
            "currency": CURRENCY,
        });
        if flat {
            flat_rows.push(row);
        } else {
            grouped
                .entry(cat.clone())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("object")
                .insert((*part).to_owned(), row);
        }
    }
    out.insert(
        "summaryLicenses".into(),
        if flat {
            Value::Array(flat_rows)
        } else {
            Value::Object(grouped)
        },
    );

    if itemized {
        let rows: Vec<Value> = lines
            .iter()
            .map(|l| {
                let c = l.customer.and_then(|c| s.customers.get(c));
                json!({
                    "customer_id": l.customer,
                    "customer_label": c.map(|c| field(c, "label")),
                    "device_id": l.device.as_ref().map(|d| d.0),
                    "device_label": l.device.as_ref().map(|d| d.1.clone()),
                    "user_id": l.user.as_ref().map(|u| u.0),
                    "username": l.user.as_ref().map(|u| u.1.clone()),
                    "software_label": l.software_label,
                    "part_number": l.product.part_number,
                    "label": l.product.label,
                    "license_type": l.product.license_type,
                    "quantity": l.quantity,
                })
            })
            .collect();
        out.insert("itemized".into(), Value::Array(rows));
    }

    match kind {
        Kind::Reseller => {
            out.insert(
                "customersServersSoftware".into(),
                servers_software(s, &lines, flat),
            );
        }
        Kind::Customer => {
            out.insert("customers".into(), customer_lines(s, &index, &lines, flat));
        }
    }
    out.insert(
        "missingUnitPrices".into(),
        Value::Array(
            missing
                .iter()
                .map(|(part, cat)| json!({"part_number": part, "pricecategory": cat, "label": product(part).map_or("", |p| p.label)}))
                .collect(),
        ),
    );
    out
}

fn servers_software(s: &Store, lines: &[Line], flat: bool) -> Value {
    let mut by_customer: BTreeMap<Option<u64>, BTreeMap<u64, Vec<&Line>>> = BTreeMap::new();
    for l in lines {
        if let Some(d) = &l.device {
            by_customer
                .entry(l.customer)
                .or_default()
                .entry(d.0)
                .or_default()
                .push(l);
        }
    }
    let label = |c: Option<u64>| {
        c.and_then(|c| s.customers.get(c))
            .map(|c| field(c, "label"))
    };
    if flat {
        let mut rows = Vec::new();
        for (c, devices) in &by_customer {
            for ls in devices.values() {
                for l in ls {
                    let d = l.device.as_ref().expect("device line");
                    rows.push(json!({
                        "customer_id": c, "customer_label": label(*c), "device_id": d.0, "device_label": d.1,
                        "type_id": d.2, "number_core": d.3, "software_label": l.software_label, "part_number": l.product.part_number,
                    }));
                }
            }
        }
        return Value::Array(rows);
    }
    Value::Array(
        by_customer
            .iter()
            .map(|(c, devices)| {
                let servers: Vec<Value> = devices
                    .values()
                    .map(|ls| {
                        let d = ls[0].device.as_ref().expect("device line");
                        let softwares: Vec<Value> = ls
                            .iter()
                            .map(|l| json!({"software_label": l.software_label, "part_number": l.product.part_number}))
                            .collect();
                        json!({"device_id": d.0, "device_label": d.1, "type_id": d.2, "number_core": d.3, "softwares": softwares})
                    })
                    .collect();
                json!({"customer_id": c, "customer_label": label(*c), "servers": servers})
            })
            .collect(),
    )
}

fn customer_lines(s: &Store, index: &Index, lines: &[Line], flat: bool) -> Value {
    let mut per: BTreeMap<u64, BTreeMap<&'static str, i64>> = BTreeMap::new();
    for l in lines {
        if let Some(c) = l.customer {
            *per.entry(c)
                .or_default()
                .entry(l.product.part_number)
                .or_default() += l.quantity;
        }
    }
    let mut flat_rows = Vec::new();
    let mut nested = Vec::new();
    for (cid, parts) in per {
        let Some(c) = s.customers.get(cid) else {
            continue;
        };
        let cat = field(c, "pricecategory");
        let mut licenses = Vec::new();
        for (part, quantity) in parts {
            if purchase_price(s, part, &cat).is_none() {
                continue; // left out of the calculation; listed in missingUnitPrices
            }
            let p = product(part).expect("known product");
            let price = index.sale_price(s, cid, part);
            licenses.push(json!({
                "part_number": part,
                "label": p.label,
                "license_type": p.license_type,
                "quantity": quantity,
                "contract_licenses": index.contracts.get(&(Some(cid), part.to_owned())).copied().unwrap_or(0),
                "unit_price": price,
                "total_price": price.map(|x| money(x * quantity as f64)),
                "currency": CURRENCY,
            }));
        }
        if licenses.is_empty() {
            continue;
        }
        let head = json!({
            "customer_id": cid,
            "customer_label": field(c, "label"),
            "customer_internal_id": field(c, "internal_id"),
            "pricecategory": cat,
        });
        if flat {
            for l in licenses {
                let mut row = head.as_object().expect("object").clone();
                row.extend(l.as_object().expect("object").clone());
                flat_rows.push(Value::Object(row));
            }
        } else {
            let mut row = head.as_object().expect("object").clone();
            row.insert("licenses".into(), Value::Array(licenses));
            nested.push(Value::Object(row));
        }
    }
    Value::Array(if flat { flat_rows } else { nested })
}

/// The providers of the Cloud VM Cost Adviser: code, name, instance types and hourly prices
/// by size (up to 2, 4, 8, more cores).
const CLOUDS: &[(&str, &str, [&str; 4], [f64; 4])] = &[
    (
        "10_ms_azure",
        "Microsoft Azure",
        ["D2s v5", "D4s v5", "D8s v5", "D16s v5"],
        [0.096, 0.192, 0.384, 0.768],
    ),
    (
        "20_amazon_web_services_aws",
        "Amazon Web Services (AWS)",
        ["m6i.large", "m6i.xlarge", "m6i.2xlarge", "m6i.4xlarge"],
        [0.107, 0.214, 0.428, 0.856],
    ),
];

/// `GET report/cloud/cloud-vm-cost-adviser`: one row per VM with a customer and provider.
pub(super) fn cloud_vm_cost_adviser(s: &Store, params: &Params) -> Result<Value, ApiError> {
    let providers: Vec<&(&str, &str, [&str; 4], [f64; 4])> = match params.payload("cloud_provider")
    {
        None => CLOUDS.iter().collect(),
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                CLOUDS.iter().find(|c| c.0 == p).ok_or_else(|| {
                    ApiError::bad_request(format!("Invalid payload[cloud_provider] \"{p}\"."))
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let customer = match params.payload("customer_id") {
        None => None,
        Some(c) => {
            let id = c.parse::<u64>().map_err(|_| {
                ApiError::bad_request(format!("Invalid payload[customer_id] \"{c}\"."))
            })?;
            s.customers
                .get(id)
                .ok_or_else(|| ApiError::not_found("Customer not found."))?;
            Some(id)
        }
    };
    let mut rows = Vec::new();
    for d in s.devices.iter() {
        let Some(cid) = int(d, "customer_id").map(|c| c as u64) else {
            continue;
        };
        if field(d, "type_id") != "vm"
            || field(d, "status") != "active"
            || customer.is_some_and(|c| c != cid)
        {
            continue;
        }
        let cores = int(d, "number_core").unwrap_or(1);
        let size = match cores {
            ..=2 => 0,
            3..=4 => 1,
            5..=8 => 2,
            _ => 3,
        };
        for (code, name, types, hourly) in &providers {
            rows.push(json!({
                "customer_id": cid,
                "customer_label": field(d, "customer_label"),
                "device_id": id_of(d),
                "device_label": field(d, "label"),
                "number_core": cores,
                "ram_gb": int(d, "ram_mb").unwrap_or(0) / 1024,
                "cloud_provider": code,
                "cloud_provider_label": name,
                "instance_type": types[size],
                "monthly_cost": money(hourly[size] * 730.0),
                "currency": "USD",
            }));
        }
    }
    Ok(Value::Array(rows))
}

/// `GET report/data-export`: the records of a category that existed by the end date.
pub(super) fn data_export(s: &Store, params: &Params) -> Result<Value, ApiError> {
    let category = params
        .payload("category")
        .ok_or_else(|| ApiError::bad_request("payload[category] is required."))?;
    let (start, end) = match (params.payload("start_date"), params.payload("end_date")) {
        (Some(a), Some(b)) => (date_param(a, "start_date")?, date_param(b, "end_date")?),
        _ => {
            return Err(ApiError::bad_request(
                "payload[start_date] and payload[end_date] are required.",
            ))
        }
    };
    if start > end {
        return Err(ApiError::bad_request(
            "payload[start_date] must not be after payload[end_date].",
        ));
    }
    let existed = |r: &&Record| date(&field(r, "created_at")).is_none_or(|c| c <= end);
    let all = |rows: &mut dyn Iterator<Item = &Record>| -> Vec<Value> {
        rows.filter(existed)
            .map(|r| Value::Object(r.clone()))
            .collect()
    };
    let rows = match category {
        // The seed spells the datacenter category this way; the emulation knows only that.
        "WsDatanceter" => all(&mut s.datacenters.iter()),
        "WsCluster" => all(&mut s.clusters.iter()),
        "WsDevice" => all(&mut s.devices.iter()),
        "WsInstalledSoftware-server" => all(&mut s.installed_softwares.iter()),
        "WsUser" => all(&mut s.users.iter()),
        "WsInstalledSoftware-user" => all(&mut s.user_softwares.iter()),
        "WsCustomer" => all(&mut s.customers.iter()),
        "WsCustomerGroup" => all(&mut s.customer_groups.iter()),
        "WsScanAlert" => all(&mut s.scan_alerts.iter()),
        "WsScanner" => all(&mut s
            .data_sources
            .iter()
            .filter(|r| field(r, "type") == "octopus_scanner")),
        "WsAssignedDevice" => s
            .devices
            .iter()
            .filter(existed)
            .filter(|d| int(d, "customer_id").is_some())
            .map(|d| {
                json!({
                    "device_id": id_of(d),
                    "device_label": field(d, "label"),
                    "customer_id": int(d, "customer_id"),
                    "customer_label": field(d, "customer_label"),
                    "assigned_at": field(d, "created_at"),
                })
            })
            .collect(),
        other => {
            return Err(ApiError::bad_request(format!(
                "Invalid payload[category] \"{other}\"."
            )))
        }
    };
    Ok(Value::Array(rows))
}

/// The per-(customer, part) quantities of a month, for tests of the report arithmetic.
#[cfg(test)]
fn month_quantities(
    s: &Store,
    month_id: &str,
) -> std::collections::HashMap<(Option<u64>, &'static str), i64> {
    let mut m = std::collections::HashMap::new();
    for l in usage_lines(s, month_window(month_id).expect("month"), None) {
        *m.entry((l.customer, l.product.part_number)).or_default() += l.quantity;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::ocreporter::data::generate;

    fn params(p: &[(&str, &str)]) -> Params {
        Params::from_pairs(
            p.iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn customer_report_adds_up_and_names_missing_prices() {
        let mut s = generate(42, "ws", 100);
        let r = spla(
            &mut s,
            Kind::Customer,
            &params(&[
                ("payload[month_id]", "202601"),
                ("payload[flat_structure]", "1"),
            ]),
        )
        .unwrap();
        let missing = r["missingUnitPrices"].as_array().unwrap();
        assert!(
            missing.iter().any(|m| m["part_number"] == "P73-05898"),
            "{missing:?}"
        );
        let q = month_quantities(&s, "202601");
        for row in r["customers"].as_array().unwrap() {
            let key = (
                row["customer_id"].as_u64(),
                product(row["part_number"].as_str().unwrap())
                    .unwrap()
                    .part_number,
            );
            assert_eq!(row["quantity"].as_i64(), q.get(&key).copied(), "{row}");
            assert_ne!(row["part_number"], "P73-05898");
        }
        // Flat summary quantities equal the customer lines plus unassigned devices.
        let sum: i64 = r["summaryLicenses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["quantity"].as_i64().unwrap())
            .sum();
        assert!(sum > 0);
        // existing=1 serves the stored report.
        let again = spla(
            &mut s,
            Kind::Customer,
            &params(&[
                ("payload[month_id]", "202601"),
                ("payload[flat_structure]", "1"),
                ("payload[existing]", "1"),
            ]),
        )
        .unwrap();
        assert_eq!(again, r);
    }

    #[test]
    fn earlier_months_see_less() {
        let s = generate(42, "ws", 100);
        let early: i64 = month_quantities(&s, "202303").values().sum();
        let late: i64 = month_quantities(&s, "202601").values().sum();
        assert!(early < late, "{early} < {late}");
    }

    #[test]
    fn bad_payloads_are_400() {
        let mut s = generate(1, "ws", 0);
        for p in [
            vec![],
            vec![("payload[month_id]", "202613")],
            vec![
                ("payload[start_date]", "2026-02-01"),
                ("payload[end_date]", "2026-01-01"),
            ],
        ] {
            assert_eq!(
                spla(&mut s, Kind::Reseller, &params(&p))
                    .unwrap_err()
                    .status
                    .as_u16(),
                400
            );
        }
        assert!(data_export(
            &s,
            &params(&[
                ("payload[category]", "WsDatacenter"),
                ("payload[start_date]", "2026-01-01"),
                ("payload[end_date]", "2026-01-31")
            ])
        )
        .is_err());
        assert!(
            cloud_vm_cost_adviser(&s, &params(&[("payload[cloud_provider]", "30_gcp")])).is_err()
        );
    }

    #[test]
    fn month_windows() {
        assert_eq!(
            month_window("202402"),
            Some(Window::Range(
                NaiveDate::from_ymd_opt(2024, 2, 1).unwrap(),
                NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
            ))
        );
        assert!(month_window("202613").is_none());
        assert!(month_window("2026-1").is_none());
    }
}

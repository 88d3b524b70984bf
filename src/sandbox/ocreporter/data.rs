//! The data of an emulated workspace, generated deterministically from the sandbox seed and
//! sized by `--scale`: customer groups, customers, datacenters, clusters, hosts and VMs,
//! installed and user software, users, contract licenses, price catalogs, activities, scan
//! alerts, data sources and performance data.
//!
//! Dates span 2023-01-01 .. 2025-12-31, so every month from 2026 on sees the same steady
//! state; earlier months see less. One SPLA product (`P73-05898`, Exchange Server Standard
//! SAL) has no purchase price in any category and is always in use, so every SPLA report
//! carries a missingUnitPrices entry by default.

use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

use super::store::{field, id_of, int, Record, Table};
use crate::sandbox::data::DataGen;

/// One SPLA license product the emulation knows.
#[derive(Debug)]
pub(super) struct Product {
    pub part_number: &'static str,
    pub label: &'static str,
    /// `core` (2-core packs, per device) or `SAL` (per user).
    pub license_type: &'static str,
    /// The software title that the recognition maps to this product.
    pub software: &'static str,
    pub publisher: &'static str,
    /// Reseller purchase prices (corporate, academic, charity), `None` where missing.
    pub prices: [Option<f64>; 3],
}

/// The SPLA products (illustrative part numbers; the seed's own examples among them).
pub(super) const PRODUCTS: &[Product] = &[
    Product {
        part_number: "9EA-00039",
        label: "Windows Server Datacenter - 2 Core License",
        license_type: "core",
        software: "Microsoft Windows Server 2022 Datacenter",
        publisher: "Microsoft",
        prices: [Some(55.80), Some(41.20), Some(38.00)],
    },
    Product {
        part_number: "9EM-00562",
        label: "Windows Server Standard - 2 Core License",
        license_type: "core",
        software: "Microsoft Windows Server 2022 Standard",
        publisher: "Microsoft",
        prices: [Some(4.90), Some(3.60), Some(3.10)],
    },
    Product {
        part_number: "228-05018",
        label: "SQL Server Standard - 2 Core License",
        license_type: "core",
        software: "Microsoft SQL Server 2019 Standard",
        publisher: "Microsoft",
        prices: [Some(3.10), Some(2.40), None],
    },
    Product {
        part_number: "7JQ-00343",
        label: "SQL Server Enterprise - 2 Core License",
        license_type: "core",
        software: "Microsoft SQL Server 2019 Enterprise",
        publisher: "Microsoft",
        prices: [Some(182.30), Some(140.00), Some(140.00)],
    },
    Product {
        part_number: "6VC-01254",
        label: "Remote Desktop Services SAL",
        license_type: "SAL",
        software: "Microsoft Remote Desktop Services",
        publisher: "Microsoft",
        prices: [Some(5.20), Some(3.90), Some(3.90)],
    },
    Product {
        part_number: "021-08183",
        label: "Office Professional Plus SAL",
        license_type: "SAL",
        software: "Microsoft Office Professional Plus 2021",
        publisher: "Microsoft",
        prices: [Some(21.40), None, Some(16.00)],
    },
    Product {
        part_number: "7NQ-00302",
        label: "SQL Server Standard SAL",
        license_type: "SAL",
        software: "Microsoft SQL Server 2019 Standard (SAL)",
        publisher: "Microsoft",
        prices: [Some(12.60), Some(9.80), Some(9.80)],
    },
    Product {
        part_number: "P73-05898",
        label: "Exchange Server Standard SAL",
        license_type: "SAL",
        software: "Microsoft Exchange Server 2019 Standard",
        publisher: "Microsoft",
        prices: [None, None, None],
    },
];

/// The price categories, in the order of [`Product::prices`].
pub(super) const CATEGORIES: &[&str] = &["corporate", "academic", "charity"];

/// The currency of every price in the emulation.
pub(super) const CURRENCY: &str = "EUR";

pub(super) fn product(part: &str) -> Option<&'static Product> {
    PRODUCTS.iter().find(|p| p.part_number == part)
}

/// Software without an SPLA product.
const OTHER_SOFTWARE: &[(&str, &str)] = &[
    ("7-Zip 23.01", "Igor Pavlov"),
    ("Google Chrome", "Google"),
    ("VMware Tools", "VMware"),
    ("Notepad++", "Notepad++ Team"),
    ("Veeam Agent for Windows", "Veeam"),
    ("Zabbix Agent 2", "Zabbix"),
];

/// One emulated workspace's data.
#[derive(Debug, Clone, Default)]
pub(super) struct Store {
    pub customer_groups: Table,
    pub customers: Table,
    pub datacenters: Table,
    pub clusters: Table,
    pub devices: Table,
    pub installed_softwares: Table,
    pub users: Table,
    pub user_softwares: Table,
    pub contract_licenses: Table,
    pub price_reseller: Vec<Record>,
    pub price_customers: Vec<Record>,
    pub price_groups: Vec<Record>,
    pub activities: Table,
    pub scan_alerts: Table,
    pub data_sources: Table,
    /// The seed, for the performance data derived on request (see [`performances`]).
    pub seed: u64,
    /// Stored licensing reports: `(key, id)`; the bodies are regenerated from `reports`.
    pub reports: Table,
}

fn rec(v: Value) -> Record {
    match v {
        Value::Object(o) => o,
        _ => Record::new(),
    }
}

fn day(g: &mut DataGen, from: NaiveDate, span_days: i64) -> NaiveDate {
    from + Duration::days(g.int(0..=span_days.max(0)))
}

fn stamp(d: NaiveDate, g: &mut DataGen) -> String {
    format!(
        "{d}T{:02}:{:02}:{:02}+00:00",
        g.int(6..=20),
        g.int(0..=59),
        g.int(0..=59)
    )
}

const CITIES: &[&str] = &[
    "Frankfurt",
    "Amsterdam",
    "Zurich",
    "Vienna",
    "Dublin",
    "Stockholm",
    "Paris",
    "Madrid",
];
const FIRST_NAMES: &[&str] = &[
    "anna", "ben", "clara", "david", "eva", "felix", "greta", "hugo", "ida", "jonas", "karla",
    "leo", "mia", "noah",
];
const LAST_NAMES: &[&str] = &[
    "mueller",
    "schmidt",
    "schneider",
    "fischer",
    "weber",
    "meyer",
    "wagner",
    "becker",
    "hoffmann",
    "koch",
];

/// Generates a workspace's data at `scale` from generators labelled with `label`.
pub(super) fn generate(seed: u64, label: &str, scale: u64) -> Store {
    let n = scale as usize;
    let g = |what: &str| DataGen::new(seed, &format!("ocreporter/{label}/{what}"));
    let base = NaiveDate::from_ymd_opt(2023, 1, 1).expect("valid date");
    let span = 1094; // through 2025-12-31
    let mut s = Store {
        seed: seed ^ super::super::data::mix(0, label.len() as u64),
        ..Store::default()
    };

    // Customer groups and customers.
    let mut gg = g("customer-groups");
    const GROUPS: &[&str] = &[
        "Enterprise",
        "SMB",
        "Public Sector",
        "Education",
        "Healthcare",
        "Partners",
    ];
    for i in 0..(3 + n / 50) {
        let name = GROUPS
            .get(i)
            .map_or_else(|| format!("Group {}", i + 1), |g| (*g).to_owned());
        s.customer_groups.insert(rec(json!({
            "label": name,
            "internal_id": format!("CG-{:03}", i + 1),
            "created_at": stamp(day(&mut gg, base, 60), &mut gg),
        })));
    }
    let mut gc = g("customers");
    s.customers.start_ids_at(1001);
    let mut names = std::collections::HashSet::new();
    for i in 0..(5 + n / 5) {
        let mut label = gc.company();
        if !names.insert(label.clone()) {
            label = format!("{label} {}", i + 1);
            names.insert(label.clone());
        }
        let category = if i == 1 {
            "academic"
        } else {
            match gc.int(0..=99) {
                0..=79 => "corporate",
                80..=94 => "academic",
                _ => "charity",
            }
        };
        let group_id = gc.int(1..=s.customer_groups.len() as i64) as u64;
        let group = field(
            s.customer_groups.get(group_id).expect("group exists"),
            "label",
        );
        let lm = gc.chance(0.4);
        let lm_start = day(
            &mut gc,
            NaiveDate::from_ymd_opt(2020, 1, 1).expect("valid"),
            2190,
        );
        let lm_end = lm_start + Duration::days(365 * gc.int(2..=4));
        let created = day(&mut gc, base, 200);
        s.customers.insert(rec(json!({
            "label": label,
            "internal_id": format!("{}", 430_000 + gc.int(1000..=9999) * 10 + i as i64 % 10),
            "status": if gc.chance(0.93) { "active" } else { "archived" },
            "customer_group_id": group_id,
            "customer_group_label": group,
            "pricecategory": category,
            "lm_agreement_number": if lm { Value::from(format!("LM-{}", gc.int(100_000..=999_999))) } else { Value::Null },
            "lm_start_date": if lm { Value::from(lm_start.to_string()) } else { Value::Null },
            "lm_end_date": if lm { Value::from(lm_end.to_string()) } else { Value::Null },
            "created_at": stamp(created, &mut gc),
        })));
    }
    // The customers listed as archived still count in reports (OC Reporter keeps their history).

    // Datacenters and clusters.
    let mut gd = g("datacenters");
    for i in 0..(2 + n / 200) {
        let city = CITIES[i % CITIES.len()];
        s.datacenters.insert(rec(json!({
            "label": format!("DC {city} {}", i / CITIES.len() + 1),
            "location": city,
            "created_at": stamp(day(&mut gd, base, 30), &mut gd),
        })));
    }
    let mut gl = g("clusters");
    s.clusters.start_ids_at(11);
    for i in 0..(3 + n / 25) {
        let dc_id = (i % s.datacenters.len()) as u64 + 1;
        let dc = s.datacenters.get(dc_id).expect("datacenter exists").clone();
        let city = field(&dc, "location");
        let code: String = city.chars().take(3).collect::<String>().to_uppercase();
        s.clusters.insert(rec(json!({
            "label": format!("CL-{code}-{:02}", i + 1),
            "datacenter_id": dc_id,
            "datacenter_label": field(&dc, "label"),
            "exclude_spla": "no",
            "exclude_spla_reason": null,
            "exclude_spla_description": null,
            "created_at": stamp(day(&mut gl, base, 90), &mut gl),
        })));
    }

    // Hosts, then VMs on them.
    let mut gh = g("devices");
    s.devices.start_ids_at(2001);
    let customer_ids: Vec<u64> = s.customers.rows.keys().copied().collect();
    let cluster_ids: Vec<u64> = s.clusters.rows.keys().copied().collect();
    let mut host_ids = Vec::new();
    for i in 0..(5 + n / 5) {
        let cid = *gh.pick(&cluster_ids);
        let cluster = s.clusters.get(cid).expect("cluster exists").clone();
        let cpus = *gh.pick(&[2i64, 2, 4]);
        let cores = cpus * *gh.pick(&[8i64, 12, 16, 24]);
        let created = day(&mut gh, base, 400);
        let id = s.devices.insert(device_record(
            &mut gh,
            &format!(
                "esx{:03}.{}.example.net",
                i + 1,
                field(&cluster, "label").to_lowercase()
            ),
            "host",
            &cluster,
            cid,
            None,
            cpus,
            cores,
            "VMware ESXi 8.0",
            None,
            &s.customers,
            created,
        ));
        host_ids.push(id);
    }
    for i in 0..(5 + n) {
        let host_id = *gh.pick(&host_ids);
        let host = s.devices.get(host_id).expect("host exists").clone();
        let cid = int(&host, "cluster_id").unwrap_or_default() as u64;
        let cluster = s.clusters.get(cid).expect("cluster exists").clone();
        let customer = if i < 3 || gh.chance(0.92) {
            Some(*gh.pick(&customer_ids))
        } else {
            None
        };
        let cores = *gh.pick(&[2i64, 4, 4, 8, 8, 16]);
        let os = *gh.pick(&[
            "Windows Server 2022 Datacenter",
            "Windows Server 2022 Standard",
            "Windows Server 2019 Standard",
            "Ubuntu 22.04 LTS",
            "Red Hat Enterprise Linux 9",
        ]);
        let created = day(&mut gh, base, span);
        s.devices.insert(device_record(
            &mut gh,
            &format!("vm-{:05}", i + 1),
            "vm",
            &cluster,
            cid,
            Some(&host),
            1,
            cores,
            os,
            customer,
            &s.customers,
            created,
        ));
    }

    // Installed server software.
    let mut gs = g("installed-softwares");
    s.installed_softwares.start_ids_at(50_001);
    let devices: Vec<Record> = s.devices.iter().cloned().collect();
    for d in &devices {
        let windows = field(d, "operating_system").starts_with("Windows");
        let is_vm = field(d, "type_id") == "vm";
        let mut titles: Vec<(Option<&'static Product>, &str, &str)> = Vec::new();
        if windows && is_vm {
            let p = if field(d, "operating_system").contains("Datacenter") {
                &PRODUCTS[0]
            } else {
                &PRODUCTS[1]
            };
            titles.push((Some(p), p.software, p.publisher));
            if gs.chance(0.35) {
                let p = if gs.chance(0.2) {
                    &PRODUCTS[3]
                } else {
                    &PRODUCTS[2]
                };
                titles.push((Some(p), p.software, p.publisher));
            }
        }
        for _ in 0..gs.int(0..=2) {
            let (t, p) = *gs.pick(OTHER_SOFTWARE);
            if !titles.iter().any(|(_, x, _)| *x == t) {
                titles.push((None, t, p));
            }
        }
        let since =
            NaiveDate::parse_from_str(&field(d, "created_at")[..10], "%Y-%m-%d").unwrap_or(base);
        for (prod, title, publisher) in titles {
            let first = day(&mut gs, since, 60);
            let removed = gs.chance(0.05).then(|| day(&mut gs, first, 365));
            s.installed_softwares.insert(rec(json!({
                "device_id": id_of(d),
                "device_label": field(d, "label"),
                "label": title,
                "publisher": publisher,
                "version": format!("{}.{}.{}", gs.int(1..=20), gs.int(0..=9), gs.int(0..=9999)),
                "software_license_part_number": prod.map(|p| p.part_number),
                "software_license_label": prod.map(|p| p.label),
                "status": if removed.is_some() { "inactive" } else { "active" },
                "exclude_spla": "no",
                "exclude_spla_reason": null,
                "exclude_spla_description": null,
                "first_seen_at": first.to_string(),
                "last_seen_at": removed.map(|d| d.to_string()),
                "created_at": stamp(first, &mut gs),
            })));
        }
    }

    // Users and their software.
    let mut gu = g("users");
    s.users.start_ids_at(7001);
    for i in 0..(5 + n) {
        let customer_id = *gu.pick(&customer_ids);
        let customer = s.customers.get(customer_id).expect("customer exists");
        let (clabel, cinternal) = (field(customer, "label"), field(customer, "internal_id"));
        let domain: String = clabel
            .split_whitespace()
            .next()
            .unwrap_or("example")
            .to_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let (f, l) = (*gu.pick(FIRST_NAMES), *gu.pick(LAST_NAMES));
        let admin = gu.chance(0.04);
        let created = day(&mut gu, base, span);
        s.users.insert(rec(json!({
            "username": format!("{f}.{l}{}@{domain}.example", i + 1),
            "display_name": format!("{} {}", capitalise(f), capitalise(l)),
            "status": if gu.chance(0.95) { "active" } else { "inactive" },
            "customer_id": customer_id,
            "customer_label": clabel,
            "customer_internal_id": cinternal,
            "exclude_spla": if admin { "yes" } else { "no" },
            "exclude_spla_reason": if admin { Value::from("admin") } else { Value::Null },
            "exclude_spla_description": null,
            "created_at": stamp(created, &mut gu),
        })));
    }
    let mut gw = g("user-softwares");
    s.user_softwares.start_ids_at(90_001);
    let users: Vec<Record> = s.users.iter().cloned().collect();
    let sal: Vec<&Product> = PRODUCTS
        .iter()
        .filter(|p| p.license_type == "SAL")
        .collect();
    for (i, u) in users.iter().enumerate() {
        let mut picked: Vec<&Product> = Vec::new();
        if i == 0 {
            // Always one Exchange SAL in use: its purchase price is missing everywhere.
            picked.push(product("P73-05898").expect("known product"));
        }
        for _ in 0..gw.int(1..=2) {
            let p = *gw.pick(&sal);
            if !picked.iter().any(|q| q.part_number == p.part_number) {
                picked.push(p);
            }
        }
        let since =
            NaiveDate::parse_from_str(&field(u, "created_at")[..10], "%Y-%m-%d").unwrap_or(base);
        for p in picked {
            let first = day(&mut gw, since, 30);
            s.user_softwares.insert(rec(json!({
                "user_id": id_of(u),
                "username": field(u, "username"),
                "customer_id": int(u, "customer_id"),
                "label": p.software,
                "publisher": p.publisher,
                "software_license_part_number": p.part_number,
                "software_license_label": p.label,
                "status": "active",
                "exclude_spla": "no",
                "exclude_spla_reason": null,
                "exclude_spla_description": null,
                "first_seen_at": first.to_string(),
                "last_seen_at": null,
                "created_at": stamp(first, &mut gw),
            })));
        }
    }

    // Contract licenses on VMs with a customer.
    let mut gk = g("contract-licenses");
    s.contract_licenses.start_ids_at(301);
    let vms: Vec<&Record> = devices
        .iter()
        .filter(|d| field(d, "type_id") == "vm" && int(d, "customer_id").is_some())
        .collect();
    for _ in 0..(3 + n / 5) {
        if vms.is_empty() {
            break;
        }
        let d = *gk.pick(&vms);
        let p = gk.pick(PRODUCTS);
        let start = day(&mut gk, base, span);
        let end = gk
            .chance(0.3)
            .then(|| start + Duration::days(gk.int(90..=730)));
        s.contract_licenses.insert(rec(json!({
            "device_id": id_of(d),
            "device_label": field(d, "label"),
            "customer_id": int(d, "customer_id"),
            "customer_label": field(d, "customer_label"),
            "software_license_part_number": p.part_number,
            "software_license_label": p.label,
            "number_of_licenses": gk.int(1..=12),
            "start_date": start.to_string(),
            "end_date": end.map(|e| e.to_string()),
            "created_at": stamp(start, &mut gk),
        })));
    }

    // Price catalogs: the reseller's purchase prices, some customers' and groups' sale prices.
    for p in PRODUCTS {
        for (i, c) in CATEGORIES.iter().enumerate() {
            if let Some(price) = p.prices[i] {
                s.price_reseller.push(rec(json!({
                    "part_number": p.part_number,
                    "label": p.label,
                    "pricecategory": c,
                    "price": price,
                    "currency": CURRENCY,
                })));
            }
        }
    }
    let mut gp = g("price-catalogs");
    for c in s.customers.iter() {
        if !gp.chance(0.5) {
            continue;
        }
        for p in PRODUCTS {
            if !gp.chance(0.5) {
                continue;
            }
            let mut r = catalog_entry(&mut gp, p);
            let mut head = Record::new();
            head.insert("customer_id".into(), Value::from(id_of(c)));
            head.insert("customer_label".into(), Value::from(field(c, "label")));
            head.insert(
                "customer_internal_id".into(),
                Value::from(field(c, "internal_id")),
            );
            head.append(&mut r);
            s.price_customers.push(head);
        }
    }
    for grp in s.customer_groups.iter() {
        for p in PRODUCTS {
            if !gp.chance(0.6) {
                continue;
            }
            let mut r = catalog_entry(&mut gp, p);
            let mut head = Record::new();
            head.insert("customer_group_id".into(), Value::from(id_of(grp)));
            head.insert(
                "customer_group_label".into(),
                Value::from(field(grp, "label")),
            );
            head.insert(
                "customer_group_internal_id".into(),
                Value::from(field(grp, "internal_id")),
            );
            head.append(&mut r);
            s.price_groups.push(head);
        }
    }

    // Scan alerts, data sources, activities (performance data is derived on request).
    let mut ga = g("scan-alerts");
    for _ in 0..(3 + n / 10) {
        let d = ga.pick(&devices);
        let (kind, severity, message) = *ga.pick(&[
            (
                "no_scan",
                "warning",
                "No scan received for more than 30 days",
            ),
            (
                "outdated_scan",
                "info",
                "The last scan is older than 7 days",
            ),
            (
                "scan_error",
                "error",
                "The scanner reported an error while collecting inventory",
            ),
            (
                "missing_cpu_info",
                "warning",
                "The number of cores could not be determined",
            ),
        ]);
        let created = day(&mut ga, base, span);
        s.scan_alerts.insert(rec(json!({
            "device_id": id_of(d),
            "device_label": field(d, "label"),
            "type": kind,
            "severity": severity,
            "message": message,
            "status": if ga.chance(0.7) { "open" } else { "resolved" },
            "created_at": stamp(created, &mut ga),
        })));
    }
    let mut gsrc = g("data-sources");
    const SOURCES: &[(&str, &str)] = &[
        ("vmware_vcenter", "vCenter"),
        ("octopus_scanner", "Octopus Scanner"),
        ("microsoft_entra_id", "Entra ID"),
        ("hyper_v", "Hyper-V"),
        ("csv_import", "CSV import"),
        ("nutanix", "Nutanix Prism"),
    ];
    for i in 0..(4 + n / 100).min(50) {
        let (kind, name) = SOURCES[i % SOURCES.len()];
        let city = CITIES[i % CITIES.len()];
        let failed = gsrc.chance(0.15);
        let last = day(
            &mut gsrc,
            NaiveDate::from_ymd_opt(2025, 12, 1).expect("valid"),
            30,
        );
        s.data_sources.insert(rec(json!({
            "label": format!("{name} {city}"),
            "type": kind,
            "status": if failed { "error" } else { "active" },
            "last_import_at": stamp(last, &mut gsrc),
            "last_import_status": if failed { "failed" } else { "success" },
            "number_of_items": gsrc.int(10..=5000),
            "created_at": stamp(day(&mut gsrc, base, 60), &mut gsrc),
        })));
    }
    let mut gv = g("activities");
    const MODELS: &[(&str, &str)] = &[
        ("WsDevice", "device"),
        ("WsCustomer", "customer"),
        ("WsUser", "user"),
        ("WsInstalledSoftware", "software"),
        ("WsCluster", "cluster"),
        ("WsContractLicense", "contract license"),
    ];
    let actors = [
        "admin@provider.example",
        "billing@provider.example",
        "importer",
        "api",
    ];
    let mut when = base.and_hms_opt(8, 0, 0).expect("valid time");
    for _ in 0..(50 + n + n / 2) {
        when += Duration::minutes(gv.int(5..=600));
        let (model, noun) = *gv.pick(MODELS);
        let action = *gv.pick(&["create", "update", "update", "update", "delete", "import"]);
        s.activities.insert(rec(json!({
            "created_at": format!("{}+00:00", when.format("%Y-%m-%dT%H:%M:%S")),
            "user": *gv.pick(&actors),
            "action": action,
            "model": model,
            "model_id": gv.int(1..=99_999),
            "message": format!("{} {noun}", past(action)),
        })));
    }
    s
}

/// The months every device has performance data for.
pub(super) const PERFORMANCE_MONTHS: [(&str, &str); 3] = [
    ("2025-10-01", "2025-10-31"),
    ("2025-11-01", "2025-11-30"),
    ("2025-12-01", "2025-12-31"),
];

/// A device's performance record for month `k` of [`PERFORMANCE_MONTHS`], derived from the seed
/// and the device id rather than stored: the largest collection costs nothing to generate,
/// and it disappears with its device.
pub(super) fn performance(seed: u64, device: &Record, k: usize) -> Record {
    let id = id_of(device);
    let mut g = DataGen::new(seed, &format!("ocreporter/performance/{id}/{k}"));
    let (start, end) = PERFORMANCE_MONTHS[k];
    let avg = g.int(2..=85);
    rec(json!({
        "id": id * 3 + k as u64,
        "device_id": id,
        "device_label": field(device, "label"),
        "observation_start": start,
        "observation_end": end,
        "cpu_usage_avg": avg,
        "cpu_usage_max": (avg + g.int(0..=40)).min(100),
        "ram_usage_avg": g.int(10..=95),
        "disk_usage_avg": g.int(5..=90),
    }))
}

/// `create` → `Created`, for activity messages.
pub(super) fn past(action: &str) -> &'static str {
    match action {
        "create" => "Created",
        "update" => "Updated",
        "delete" => "Deleted",
        "import" => "Imported",
        _ => "Changed",
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn catalog_entry(g: &mut DataGen, p: &Product) -> Record {
    let base = p.prices[0].unwrap_or(10.0);
    let price = ((base * (1.15 + g.int(0..=40) as f64 / 100.0)) * 100.0).round() / 100.0;
    rec(json!({
        "part_number": p.part_number,
        "label": p.label,
        "price": price,
        "number_sold": g.int(0..=60),
        "number_lm": g.int(0..=10),
        "extra_field_1": null,
        "extra_field_2": null,
        "currency": CURRENCY,
    }))
}

#[allow(clippy::too_many_arguments)]
fn device_record(
    g: &mut DataGen,
    label: &str,
    type_id: &str,
    cluster: &Record,
    cluster_id: u64,
    host: Option<&Record>,
    cpus: i64,
    cores: i64,
    os: &str,
    customer: Option<u64>,
    customers: &Table,
    created: NaiveDate,
) -> Record {
    let c = customer.and_then(|id| customers.get(id));
    rec(json!({
        "label": label,
        "type_id": type_id,
        "agreement_number": format!("{}-{}", g.int(100..=999), g.hex(3).to_uppercase()),
        "internal_id": format!("INV-{}", g.int(100_000..=999_999)),
        "cluster_id": cluster_id,
        "cluster_label": field(cluster, "label"),
        "datacenter_id": int(cluster, "datacenter_id"),
        "datacenter_label": field(cluster, "datacenter_label"),
        "host_id": host.map(id_of),
        "host_label": host.map(|h| field(h, "label")),
        "operating_system": os,
        "number_cpu": cpus,
        "number_core": cores,
        "ram_mb": cores * *g.pick(&[2048i64, 4096, 8192]),
        "status": "active",
        "customer_id": c.map(id_of),
        "customer_label": c.map(|c| field(c, "label")),
        "customer_internal_id": c.map(|c| field(c, "internal_id")),
        "exclude_spla": "no",
        "exclude_spla_reason": null,
        "exclude_spla_description": null,
        "created_at": stamp(created, g),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized_by_scale() {
        let a = generate(42, "ws", 100);
        let b = generate(42, "ws", 100);
        assert_eq!(a.devices.rows, b.devices.rows);
        assert_eq!(a.devices.len(), 5 + 20 + 5 + 100);
        assert_eq!(a.customers.len(), 25);
        assert!(a
            .user_softwares
            .iter()
            .any(|r| field(r, "software_license_part_number") == "P73-05898"));
        let small = generate(42, "ws", 0);
        assert!(small.devices.len() >= 10 && small.contract_licenses.len() >= 3);
        assert_ne!(generate(7, "ws", 100).devices.rows, a.devices.rows);
    }

    #[test]
    fn large_scales_stay_quick() {
        let t = std::time::Instant::now();
        let s = generate(1, "ws", 10_000);
        assert!(s.devices.len() > 12_000);
        assert!(
            t.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            t.elapsed()
        );
    }
}

//! OC Reporter's REST API (seed 000), emulated: a stateful workspace with customers and
//! customer groups, users, devices (hosts and VMs in clusters and datacenters), installed and
//! user software, contract licenses, price catalogs, activities, scan alerts, data sources,
//! alerts and performance data, and SPLA reports computed from that data.
//!
//! Faithful to the seed and to the framework OC Reporter is built on (Yii):
//! - every action lives under `/api/workspace/<ws>/<action>` and needs `_token` and `_tenant`
//!   (401 otherwise); `_format=json|xml` picks the answer format (406 for anything else);
//! - lists answer a bare array paged by `page` and `showPerPage` (20 by default, at most 1000),
//!   filtered by `q` (the objects' names) and the documented `payload[...]` filters; the
//!   activities answer Yii's envelope `{"items": [...], "_meta": {"totalCount", ...}}`, 300 a
//!   page by default;
//! - create and update read `application/x-www-form-urlencoded` bodies of `<Key>[field]=value`
//!   pairs, checked against the attributes of the show answer (422 for an unknown attribute or
//!   a bad value); create answers 201, delete 204;
//! - `internal=1` / `agreement=1` address devices (both) and customers (internal) by their
//!   internal id or agreement number;
//! - errors are Yii's `{"name", "message", "code": 0, "status"}`.
//!
//! Answer shapes beyond the seed are documented in `fixtures/ocreporter/README.md`. Workspace
//! 12 ("Production") holds data sized by `--scale`; workspace 14 ("Lab") a small set.

mod data;
mod reports;
mod store;
mod xml;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use chrono::NaiveDate;
use serde_json::{json, Value};

use self::data::{
    past, performance, product, Store, CATEGORIES, CURRENCY, PERFORMANCE_MONTHS, PRODUCTS,
};
use self::store::{
    field, id_of, int, matches_q, paging, read_form, text, ApiError, Kind, Params, Record, Schema,
    Table, DEFAULT_PER_PAGE,
};
use super::{lock, Credentials, SandboxState};

/// The workspace the exports point at, and the small second one.
const MAIN_WORKSPACE: u64 = 12;
const LAB_WORKSPACE: u64 = 14;
/// Activities are paged by 300 unless asked otherwise (seed).
const ACTIVITIES_PER_PAGE: usize = 300;

/// The emulation's state: the workspaces and their data, generated on the first request so
/// that a sandbox started for another vendor (or at a large `--scale`) starts at once.
struct OcReporter {
    shared: Arc<SandboxState>,
    world: Mutex<Option<World>>,
}

struct World {
    workspaces: Vec<Record>,
    stores: BTreeMap<u64, Store>,
}

impl World {
    fn generate(shared: &SandboxState) -> Self {
        let seed = shared.opts.seed;
        let mut stores = BTreeMap::new();
        stores.insert(
            MAIN_WORKSPACE,
            data::generate(seed, "production", shared.opts.scale),
        );
        stores.insert(
            LAB_WORKSPACE,
            data::generate(seed, "lab", shared.opts.scale.min(5)),
        );
        let workspaces = vec![
            workspace(
                MAIN_WORKSPACE,
                "Production",
                "SPLA reporting of the hosting platform",
                true,
            ),
            workspace(LAB_WORKSPACE, "Lab", "Test and evaluation systems", false),
        ];
        World { workspaces, stores }
    }
}

/// The routes of the OC Reporter emulation.
pub fn router(shared: &Arc<SandboxState>) -> Router {
    let state = Arc::new(OcReporter {
        shared: Arc::clone(shared),
        world: Mutex::new(None),
    });
    Router::new()
        .route("/api/workspace/{*action}", any(handle))
        .with_state(state)
}

fn workspace(id: u64, label: &str, description: &str, default: bool) -> Record {
    let mut r = Record::new();
    r.insert("id".into(), json!(id));
    r.insert("label".into(), json!(label));
    r.insert("description".into(), json!(description));
    r.insert("is_default".into(), json!(default));
    r.insert("created_at".into(), json!("2022-11-03T09:12:44+00:00"));
    r
}

/// `LICCTL_OCREPORTER_*` for a sandbox at `base_url`: url, workspace 12, token, tenant, en.
pub fn env_exports(base_url: &str, credentials: &Credentials) -> Vec<(String, String)> {
    vec![
        ("LICCTL_OCREPORTER_URL".to_owned(), base_url.to_owned()),
        (
            "LICCTL_OCREPORTER_WORKSPACE".to_owned(),
            MAIN_WORKSPACE.to_string(),
        ),
        (
            "LICCTL_OCREPORTER_TOKEN".to_owned(),
            credentials.ocr_token.clone(),
        ),
        (
            "LICCTL_OCREPORTER_TENANT".to_owned(),
            credentials.ocr_tenant.clone(),
        ),
        ("LICCTL_OCREPORTER_LANGUAGE".to_owned(), "en".to_owned()),
    ]
}

/// A successful answer.
enum Answer {
    Ok(Value),
    Created(Value),
    NoContent,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

fn render(format: Format, result: Result<Answer, ApiError>) -> Response {
    let (status, body) = match result {
        Ok(Answer::Ok(v)) => (StatusCode::OK, v),
        Ok(Answer::Created(v)) => (StatusCode::CREATED, v),
        Ok(Answer::NoContent) => return StatusCode::NO_CONTENT.into_response(),
        Err(e) => (e.status, e.body()),
    };
    let (ctype, text) = match format {
        Format::Json => ("application/json; charset=UTF-8", body.to_string()),
        Format::Xml => ("application/xml; charset=UTF-8", xml::document(&body)),
    };
    let mut resp = (status, text).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    resp
}

/// The one handler: format, credentials, workspace, then the action.
async fn handle(
    State(st): State<Arc<OcReporter>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::parse(uri.query());
    let format = match params.get("_format").map(|f| f.trim().to_ascii_lowercase()) {
        None => Format::Json,
        Some(f) if f == "json" || f.is_empty() => Format::Json,
        Some(f) if f == "xml" => Format::Xml,
        Some(_) => {
            return render(
                Format::Json,
                Err(ApiError::new(
                    StatusCode::NOT_ACCEPTABLE,
                    "None of your requested content types is supported.",
                )),
            )
        }
    };
    let result = (|| {
        authorize(&st.shared.credentials, &params)?;
        let form = read_body(&method, &headers, &body)?;
        let segments = segments(uri.path());
        let (ws, action) = match segments.split_first() {
            Some((ws, action)) => (ws.parse::<u64>().ok(), action),
            None => (None, &[][..]),
        };
        let mut guard = lock(&st.world);
        let world = guard.get_or_insert_with(|| World::generate(&st.shared));
        let Some(ws) = ws.filter(|w| world.stores.contains_key(w)) else {
            return Err(ApiError::not_found(format!(
                "Workspace \"{}\" not found.",
                segments.first().map(String::as_str).unwrap_or_default()
            )));
        };
        let action: Vec<&str> = action.iter().map(String::as_str).collect();
        dispatch(world, ws, &method, &action, &params, &form)
    })();
    render(format, result)
}

fn authorize(c: &Credentials, params: &Params) -> Result<(), ApiError> {
    let unauthorized = |m: &str| ApiError::new(StatusCode::UNAUTHORIZED, m);
    match params.get("_token") {
        Some(t) if t == c.ocr_token => {}
        _ => {
            return Err(unauthorized(
                "Your request was made with invalid credentials.",
            ))
        }
    }
    match params.get("_tenant") {
        Some(t) if t == c.ocr_tenant => Ok(()),
        Some(_) => Err(unauthorized(
            "The OCID given as _tenant does not match the API token.",
        )),
        None => Err(unauthorized(
            "The _tenant parameter (your OCID) is missing.",
        )),
    }
}

fn read_body(
    method: &Method,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Vec<(String, String)>, ApiError> {
    if body.is_empty() || !matches!(*method, Method::POST | Method::PUT) {
        return Ok(Vec::new());
    }
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !ctype
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
    {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Set the Content-Type to application/x-www-form-urlencoded.",
        ));
    }
    Ok(url::form_urlencoded::parse(body).into_owned().collect())
}

/// The percent-decoded path segments after `/api/workspace/`.
fn segments(path: &str) -> Vec<String> {
    path.trim_start_matches("/api/workspace/")
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S+00:00")
        .to_string()
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Rows of `rows` matching `q`, paged, as values.
fn list<'a>(
    rows: impl Iterator<Item = &'a Record>,
    p: &Params,
    names: &[&str],
) -> Result<Answer, ApiError> {
    list_sized(rows, p, names, DEFAULT_PER_PAGE)
}

fn list_sized<'a>(
    rows: impl Iterator<Item = &'a Record>,
    p: &Params,
    names: &[&str],
    default: usize,
) -> Result<Answer, ApiError> {
    let (page, size) = paging(p, default)?;
    let items: Vec<Value> = rows
        .filter(|r| matches_q(r, p, names))
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .map(|r| Value::Object(r.clone()))
        .collect();
    Ok(Answer::Ok(Value::Array(items)))
}

fn one(r: Option<&Record>, what: &str) -> Result<Answer, ApiError> {
    r.map(|r| Answer::Ok(Value::Object(r.clone())))
        .ok_or_else(|| ApiError::not_found(format!("{what} not found.")))
}

fn plain_id(table: &Table, id: &str, what: &str) -> Result<u64, ApiError> {
    id.parse::<u64>()
        .ok()
        .filter(|i| table.get(*i).is_some())
        .ok_or_else(|| ApiError::not_found(format!("{what} not found.")))
}

/// A record addressed by id, `internal=1` (internal id) or, where allowed, `agreement=1`.
fn resolve(
    table: &Table,
    r: &str,
    p: &Params,
    agreement: bool,
    what: &str,
) -> Result<u64, ApiError> {
    let found = if p.flag("internal") {
        table.find_by("internal_id", r)
    } else if agreement && p.flag("agreement") {
        table.find_by("agreement_number", r)
    } else {
        r.parse::<u64>().ok().filter(|id| table.get(*id).is_some())
    };
    found.ok_or_else(|| ApiError::not_found(format!("{what} not found.")))
}

fn log(s: &mut Store, action: &str, model: &str, id: u64, noun: &str) {
    let mut r = Record::new();
    r.insert("created_at".into(), json!(now()));
    r.insert("user".into(), json!("api"));
    r.insert("action".into(), json!(action));
    r.insert("model".into(), json!(model));
    r.insert("model_id".into(), json!(id));
    r.insert("message".into(), json!(format!("{} {noun}", past(action))));
    s.activities.insert(r);
}

const DEVICE: Schema = Schema {
    key: "WsDevice",
    fields: &[
        ("label", Kind::Str),
        ("type_id", Kind::Str),
        ("agreement_number", Kind::Str),
        ("internal_id", Kind::Str),
        ("cluster_id", Kind::Int),
        ("cluster_label", Kind::Str),
        ("host_id", Kind::Int),
        ("host_label", Kind::Str),
        ("operating_system", Kind::Str),
        ("number_cpu", Kind::Int),
        ("number_core", Kind::Int),
        ("ram_mb", Kind::Int),
        ("status", Kind::Str),
        ("exclude_spla", Kind::YesNo),
        ("exclude_spla_reason", Kind::Str),
        ("exclude_spla_description", Kind::Str),
    ],
    required: &["label", "type_id"],
};

const SOFTWARE: Schema = Schema {
    key: "WsInstalledSoftware",
    fields: &[
        ("label", Kind::Str),
        ("publisher", Kind::Str),
        ("version", Kind::Str),
        ("software_license_part_number", Kind::Str),
        ("status", Kind::Str),
        ("exclude_spla", Kind::YesNo),
        ("exclude_spla_reason", Kind::Str),
        ("exclude_spla_description", Kind::Str),
        ("first_seen_at", Kind::Date),
        ("last_seen_at", Kind::Date),
    ],
    required: &["label"],
};

const CLUSTER: Schema = Schema {
    key: "WsCluster",
    fields: &[
        ("label", Kind::Str),
        ("datacenter_id", Kind::Int),
        ("exclude_spla", Kind::YesNo),
        ("exclude_spla_reason", Kind::Str),
        ("exclude_spla_description", Kind::Str),
    ],
    required: &["label"],
};

const USER: Schema = Schema {
    key: "WsUser",
    fields: &[
        ("username", Kind::Str),
        ("display_name", Kind::Str),
        ("status", Kind::Str),
        ("exclude_spla", Kind::YesNo),
        ("exclude_spla_reason", Kind::Str),
        ("exclude_spla_description", Kind::Str),
    ],
    required: &["username"],
};

const CUSTOMER: Schema = Schema {
    key: "WsCustomer",
    fields: &[
        ("label", Kind::Str),
        ("internal_id", Kind::Str),
        ("status", Kind::Str),
        ("customer_group_id", Kind::Int),
        ("pricecategory", Kind::Str),
        ("lm_agreement_number", Kind::Str),
        ("lm_start_date", Kind::Date),
        ("lm_end_date", Kind::Date),
    ],
    required: &["label"],
};

const CONTRACT: Schema = Schema {
    key: "WsContractLicense",
    fields: &[
        ("software_license_part_number", Kind::Str),
        ("number_of_licenses", Kind::Int),
        ("start_date", Kind::Date),
        ("end_date", Kind::Date),
    ],
    required: &["software_license_part_number", "number_of_licenses"],
};

const RESELLER_PRICE: Schema = Schema {
    key: "Pricecatalog",
    fields: &[
        ("part_number", Kind::Str),
        ("price", Kind::Float),
        ("pricecategory", Kind::Str),
    ],
    required: &["part_number", "price", "pricecategory"],
};

const SALE_PRICE: Schema = Schema {
    key: "Pricecatalog",
    fields: &[
        ("part_number", Kind::Str),
        ("price", Kind::Float),
        ("number_sold", Kind::Int),
        ("number_lm", Kind::Int),
        ("extra_field_1", Kind::Str),
        ("extra_field_2", Kind::Str),
    ],
    required: &["part_number"],
};

/// Routes an action of workspace `ws`.
fn dispatch(
    world: &mut World,
    ws: u64,
    m: &Method,
    a: &[&str],
    p: &Params,
    form: &[(String, String)],
) -> Result<Answer, ApiError> {
    if let ["setting", "workspaces", rest @ ..] = a {
        return workspaces(world, m, rest, p);
    }
    let s = world.stores.get_mut(&ws).expect("workspace checked");
    let get = *m == Method::GET;
    let put = *m == Method::PUT;
    let post = *m == Method::POST;
    let del = *m == Method::DELETE;
    match a {
        ["pricecatalog", rest @ ..] => pricecatalog(s, m, rest, p, form),
        ["alert", "alerts"] if get => Ok(Answer::Ok(alerts(s))),
        ["importer", "data-sources"] if get => list(s.data_sources.iter(), p, &["label"]),
        ["importer", "data-sources", id] if get => one(
            s.data_sources
                .get(plain_id(&s.data_sources, id, "Data source")?),
            "Data source",
        ),
        ["infrastructure", "vms"] if get => list(
            s.devices.iter().filter(|d| field(d, "type_id") == "vm"),
            p,
            &["label"],
        ),
        ["infrastructure", "hosts"] if get => list(
            s.devices.iter().filter(|d| field(d, "type_id") == "host"),
            p,
            &["label"],
        ),
        ["infrastructure", kind @ ("vms" | "hosts"), id] if get => {
            let t = if *kind == "vms" { "vm" } else { "host" };
            let d = id
                .parse::<u64>()
                .ok()
                .and_then(|i| s.devices.get(i))
                .filter(|d| field(d, "type_id") == t);
            one(d, if t == "vm" { "Virtual machine" } else { "Host" })
        }
        ["infrastructure", "devices"] if get => {
            let (cid, clabel, cint) = (
                p.payload("customer.id"),
                p.payload("customer.label"),
                p.payload("customer.internal_id"),
            );
            list(
                s.devices
                    .iter()
                    .filter(|d| customer_matches(d, cid, clabel, cint)),
                p,
                &["label"],
            )
        }
        ["infrastructure", "devices"] if post => create_device(s, form),
        ["infrastructure", "devices", "performances"] if get => performances(s, p),
        ["infrastructure", "devices", r] => {
            let id = resolve(&s.devices, r, p, true, "Device")?;
            match *m {
                Method::GET => one(s.devices.get(id), "Device"),
                Method::PUT => update_device(s, id, form),
                Method::DELETE => {
                    s.devices.remove(id);
                    s.installed_softwares
                        .remove_where(|r| int(r, "device_id") == Some(id as i64));
                    s.contract_licenses
                        .remove_where(|r| int(r, "device_id") == Some(id as i64));
                    log(s, "delete", "WsDevice", id, "device");
                    Ok(Answer::NoContent)
                }
                _ => Err(not_allowed("GET, PUT, DELETE")),
            }
        }
        ["infrastructure", "devices", r, "softwares", rest @ ..] => {
            let device = resolve(&s.devices, r, p, true, "Device")?;
            owned_software(s, Owner::Device(device), m, rest, p, form)
        }
        ["infrastructure", "installed-softwares"] if get => {
            list(s.installed_softwares.iter(), p, &["label"])
        }
        ["infrastructure", "installed-softwares", id] => {
            let id = plain_id(&s.installed_softwares, id, "Installed software")?;
            software_item(s, Owner::AnyDevice, id, m, form)
        }
        ["infrastructure", "clusters"] if get => {
            let counts = counts(&s.devices, "cluster_id", |d| field(d, "type_id") == "host");
            let rows: Vec<Record> = s
                .clusters
                .iter()
                .map(|c| with_count(c, "number_hosts", &counts))
                .collect();
            list(rows.iter(), p, &["label"])
        }
        ["infrastructure", "clusters"] if post => {
            let f = read_form(&CLUSTER, form, true)?;
            let mut r = Record::new();
            for k in [
                "label",
                "datacenter_id",
                "datacenter_label",
                "exclude_spla",
                "exclude_spla_reason",
                "exclude_spla_description",
            ] {
                r.insert(k.into(), Value::Null);
            }
            r.insert("exclude_spla".into(), json!("no"));
            apply(&mut r, f);
            fix_datacenter(s, &mut r)?;
            r.insert("created_at".into(), json!(now()));
            let id = s.clusters.insert(r);
            log(s, "create", "WsCluster", id, "cluster");
            Ok(Answer::Created(Value::Object(with_count(
                s.clusters.get(id).expect("inserted"),
                "number_hosts",
                &HashMap::new(),
            ))))
        }
        ["infrastructure", "clusters", id] => {
            let id = plain_id(&s.clusters, id, "Cluster")?;
            match *m {
                Method::GET => {
                    let counts =
                        counts(&s.devices, "cluster_id", |d| field(d, "type_id") == "host");
                    Ok(Answer::Ok(Value::Object(with_count(
                        s.clusters.get(id).expect("exists"),
                        "number_hosts",
                        &counts,
                    ))))
                }
                Method::PUT => {
                    let f = read_form(&CLUSTER, form, false)?;
                    let mut r = s.clusters.get(id).expect("exists").clone();
                    apply(&mut r, f);
                    fix_datacenter(s, &mut r)?;
                    let label = field(&r, "label");
                    *s.clusters.get_mut(id).expect("exists") = r;
                    for d in s
                        .devices
                        .rows
                        .values_mut()
                        .filter(|d| int(d, "cluster_id") == Some(id as i64))
                    {
                        d.insert("cluster_label".into(), json!(label));
                    }
                    log(s, "update", "WsCluster", id, "cluster");
                    let counts =
                        counts(&s.devices, "cluster_id", |d| field(d, "type_id") == "host");
                    Ok(Answer::Ok(Value::Object(with_count(
                        s.clusters.get(id).expect("exists"),
                        "number_hosts",
                        &counts,
                    ))))
                }
                Method::DELETE => {
                    let held = s
                        .devices
                        .iter()
                        .filter(|d| int(d, "cluster_id") == Some(id as i64))
                        .count();
                    if held > 0 {
                        return Err(ApiError::invalid(format!(
                            "The cluster still holds {held} devices; move or delete them first."
                        )));
                    }
                    s.clusters.remove(id);
                    log(s, "delete", "WsCluster", id, "cluster");
                    Ok(Answer::NoContent)
                }
                _ => Err(not_allowed("GET, PUT, DELETE")),
            }
        }
        ["infrastructure", "datacenters"] if get => {
            let counts = counts(&s.clusters, "datacenter_id", |_| true);
            let rows: Vec<Record> = s
                .datacenters
                .iter()
                .map(|d| with_count(d, "number_clusters", &counts))
                .collect();
            list(rows.iter(), p, &["label", "location"])
        }
        ["infrastructure", "datacenters", id] if get => {
            let id = plain_id(&s.datacenters, id, "Datacenter")?;
            let counts = counts(&s.clusters, "datacenter_id", |_| true);
            Ok(Answer::Ok(Value::Object(with_count(
                s.datacenters.get(id).expect("exists"),
                "number_clusters",
                &counts,
            ))))
        }
        ["infrastructure", "scan-alerts"] if get => {
            list(s.scan_alerts.iter(), p, &["device_label", "message"])
        }
        ["infrastructure", "scan-alerts", id] if get => one(
            s.scan_alerts
                .get(plain_id(&s.scan_alerts, id, "Scan alert")?),
            "Scan alert",
        ),
        ["customer", "users"] if get => {
            let (cid, clabel, cint) = (
                p.payload("customer.id"),
                p.payload("customer.label"),
                p.payload("customer.internal_id"),
            );
            list(
                s.users
                    .iter()
                    .filter(|u| customer_matches(u, cid, clabel, cint)),
                p,
                &["username", "display_name"],
            )
        }
        ["customer", "users"] if post => {
            let f = read_form(&USER, form, true)?;
            unique_username(s, &f, None)?;
            let mut r = Record::new();
            for k in [
                "username",
                "display_name",
                "status",
                "customer_id",
                "customer_label",
                "customer_internal_id",
            ] {
                r.insert(k.into(), Value::Null);
            }
            r.insert("status".into(), json!("active"));
            r.insert("exclude_spla".into(), json!("no"));
            r.insert("exclude_spla_reason".into(), Value::Null);
            r.insert("exclude_spla_description".into(), Value::Null);
            apply(&mut r, f);
            r.insert("created_at".into(), json!(now()));
            let id = s.users.insert(r);
            log(s, "create", "WsUser", id, "user");
            Ok(Answer::Created(Value::Object(
                s.users.get(id).expect("inserted").clone(),
            )))
        }
        ["customer", "users", id] => {
            let id = plain_id(&s.users, id, "User")?;
            match *m {
                Method::GET => one(s.users.get(id), "User"),
                Method::PUT => {
                    let f = read_form(&USER, form, false)?;
                    unique_username(s, &f, Some(id))?;
                    let name = f.get("username").map(text);
                    apply(s.users.get_mut(id).expect("exists"), f);
                    if let Some(name) = name {
                        for sw in s
                            .user_softwares
                            .rows
                            .values_mut()
                            .filter(|w| int(w, "user_id") == Some(id as i64))
                        {
                            sw.insert("username".into(), json!(name));
                        }
                    }
                    log(s, "update", "WsUser", id, "user");
                    one(s.users.get(id), "User")
                }
                Method::DELETE => {
                    s.users.remove(id);
                    s.user_softwares
                        .remove_where(|r| int(r, "user_id") == Some(id as i64));
                    log(s, "delete", "WsUser", id, "user");
                    Ok(Answer::NoContent)
                }
                _ => Err(not_allowed("GET, PUT, DELETE")),
            }
        }
        ["customer", "users", id, "softwares", rest @ ..] => {
            let user = plain_id(&s.users, id, "User")?;
            owned_software(s, Owner::User(user), m, rest, p, form)
        }
        ["customer", "user-softwares"] if get => list(s.user_softwares.iter(), p, &["label"]),
        ["customer", "user-softwares", id] => {
            let id = plain_id(&s.user_softwares, id, "User software")?;
            software_item(s, Owner::AnyUser, id, m, form)
        }
        ["customer", "customers"] if get => list(s.customers.iter(), p, &["label"]),
        ["customer", "customers"] if post => {
            let f = read_form(&CUSTOMER, form, true)?;
            let mut r = Record::new();
            for k in CUSTOMER
                .fields
                .iter()
                .map(|(k, _)| *k)
                .chain(["customer_group_label"])
            {
                r.insert(k.into(), Value::Null);
            }
            r.insert("status".into(), json!("active"));
            r.insert("pricecategory".into(), json!("corporate"));
            apply(&mut r, f);
            check_customer(s, &mut r)?;
            r.insert("created_at".into(), json!(now()));
            let id = s.customers.insert(r);
            log(s, "create", "WsCustomer", id, "customer");
            Ok(Answer::Created(Value::Object(
                s.customers.get(id).expect("inserted").clone(),
            )))
        }
        ["customer", "customers", "lm-expiry"] if get => lm_expiry(s, p),
        ["customer", "customers", r] => {
            let id = resolve(&s.customers, r, p, false, "Customer")?;
            match *m {
                Method::GET => one(s.customers.get(id), "Customer"),
                Method::PUT => {
                    let f = read_form(&CUSTOMER, form, false)?;
                    let mut rec = s.customers.get(id).expect("exists").clone();
                    apply(&mut rec, f);
                    check_customer(s, &mut rec)?;
                    let (label, internal) = (field(&rec, "label"), field(&rec, "internal_id"));
                    *s.customers.get_mut(id).expect("exists") = rec;
                    let mine = |r: &Record| int(r, "customer_id") == Some(id as i64);
                    for r in s
                        .devices
                        .rows
                        .values_mut()
                        .chain(s.users.rows.values_mut())
                        .filter(|r| mine(r))
                    {
                        r.insert("customer_label".into(), json!(label));
                        r.insert("customer_internal_id".into(), json!(internal));
                    }
                    log(s, "update", "WsCustomer", id, "customer");
                    one(s.customers.get(id), "Customer")
                }
                Method::DELETE => {
                    s.customers.remove(id);
                    for r in s.devices.rows.values_mut().chain(s.users.rows.values_mut()) {
                        if int(r, "customer_id") == Some(id as i64) {
                            set_customer(r, None);
                        }
                    }
                    s.price_customers
                        .retain(|r| int(r, "customer_id") != Some(id as i64));
                    log(s, "delete", "WsCustomer", id, "customer");
                    Ok(Answer::NoContent)
                }
                _ => Err(not_allowed("GET, PUT, DELETE")),
            }
        }
        ["customer", cid, kind @ ("device" | "user"), oid] if put || del => {
            assignment(s, cid, kind, oid, put)
        }
        ["contract-licenses", rest @ ..] => contract_licenses(s, m, rest, p, form),
        ["activity", "activities"] if get => activities(s, p),
        ["report", "licensing", "spla-usage-reseller"] if get => {
            reports::spla(s, reports::Kind::Reseller, p).map(Answer::Ok)
        }
        ["report", "licensing", "spla-usage-customer"] if get => {
            reports::spla(s, reports::Kind::Customer, p).map(Answer::Ok)
        }
        ["report", "licensing", id] if del => {
            let id = plain_id(&s.reports, id, "Report")?;
            s.reports.remove(id);
            Ok(Answer::NoContent)
        }
        ["report", "cloud", "cloud-vm-cost-adviser"] if get => {
            reports::cloud_vm_cost_adviser(s, p).map(Answer::Ok)
        }
        ["report", "data-export"] if get => reports::data_export(s, p).map(Answer::Ok),
        _ => Err(ApiError::not_found("Page not found.")),
    }
}

fn not_allowed(methods: &str) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("Method Not Allowed. This URL can only handle the following request methods: {methods}."),
    )
}

fn apply(r: &mut Record, f: Record) {
    for (k, v) in f {
        r.insert(k, v);
    }
    if r.contains_key("updated_at") || r.contains_key("created_at") {
        r.insert("updated_at".into(), json!(now()));
    }
}

fn workspaces(world: &World, m: &Method, rest: &[&str], p: &Params) -> Result<Answer, ApiError> {
    if *m != Method::GET {
        return Err(not_allowed("GET"));
    }
    let find = |id: &str| {
        let id = id
            .parse::<u64>()
            .ok()
            .filter(|i| world.stores.contains_key(i));
        id.ok_or_else(|| ApiError::not_found("Workspace not found."))
    };
    match rest {
        [] => list(world.workspaces.iter(), p, &["label"]),
        [id] => {
            let id = find(id)?;
            one(
                world.workspaces.iter().find(|w| id_of(w) == id),
                "Workspace",
            )
        }
        [id, "assets"] => {
            let id = find(id)?;
            let s = &world.stores[&id];
            let hosts = s
                .devices
                .iter()
                .filter(|d| field(d, "type_id") == "host")
                .count();
            Ok(Answer::Ok(json!({
                "workspace_id": id,
                "devices": s.devices.len(),
                "hosts": hosts,
                "vms": s.devices.len() - hosts,
                "clusters": s.clusters.len(),
                "datacenters": s.datacenters.len(),
                "installed_softwares": s.installed_softwares.len(),
                "users": s.users.len(),
                "user_softwares": s.user_softwares.len(),
                "customers": s.customers.len(),
                "contract_licenses": s.contract_licenses.len(),
            })))
        }
        [id, "inventory-quality"] => {
            let id = find(id)?;
            let s = &world.stores[&id];
            let total = s.devices.len().max(1);
            let without_customer = s
                .devices
                .iter()
                .filter(|d| int(d, "customer_id").is_none())
                .count();
            let with_alerts: std::collections::HashSet<i64> = s
                .scan_alerts
                .iter()
                .filter(|a| field(a, "status") == "open")
                .filter_map(|a| int(a, "device_id"))
                .collect();
            let without_cores = s
                .devices
                .iter()
                .filter(|d| int(d, "number_core").is_none())
                .count();
            let bad = without_customer + with_alerts.len() + without_cores;
            let score = 100usize.saturating_sub(bad * 100 / total);
            Ok(Answer::Ok(json!({
                "workspace_id": id,
                "score": score,
                "rating": match score { 90.. => "good", 70..=89 => "fair", _ => "poor" },
                "devices_total": s.devices.len(),
                "devices_without_customer": without_customer,
                "devices_with_open_scan_alerts": with_alerts.len(),
                "devices_without_core_count": without_cores,
            })))
        }
        _ => Err(ApiError::not_found("Page not found.")),
    }
}

fn alerts(s: &Store) -> Value {
    let open_scan = s
        .scan_alerts
        .iter()
        .filter(|a| field(a, "status") == "open")
        .count();
    let unassigned = s
        .devices
        .iter()
        .filter(|d| int(d, "customer_id").is_none())
        .count();
    let unpriced: usize = PRODUCTS
        .iter()
        .map(|p| {
            CATEGORIES
                .iter()
                .filter(|c| {
                    !s.price_reseller.iter().any(|r| {
                        field(r, "part_number") == p.part_number && field(r, "pricecategory") == **c
                    })
                })
                .count()
        })
        .sum();
    let failed_imports = s
        .data_sources
        .iter()
        .filter(|d| field(d, "last_import_status") == "failed")
        .count();
    json!([
        {"id": 1, "category": "scan", "severity": "warning", "count": open_scan, "message": "Devices with open scan alerts"},
        {"id": 2, "category": "customer", "severity": "info", "count": unassigned, "message": "Devices not assigned to a customer"},
        {"id": 3, "category": "pricecatalog", "severity": "error", "count": unpriced, "message": "Part numbers and price categories without a purchase price"},
        {"id": 4, "category": "importer", "severity": "error", "count": failed_imports, "message": "Data sources whose last import failed"},
    ])
}

fn customer_matches(
    r: &Record,
    id: Option<&str>,
    label: Option<&str>,
    internal: Option<&str>,
) -> bool {
    id.is_none_or(|i| field(r, "customer_id") == i)
        && label.is_none_or(|l| field(r, "customer_label").eq_ignore_ascii_case(l))
        && internal.is_none_or(|i| field(r, "customer_internal_id") == i)
}

fn counts(t: &Table, key: &str, pred: impl Fn(&Record) -> bool) -> HashMap<i64, usize> {
    let mut m = HashMap::new();
    for r in t.iter().filter(|r| pred(r)) {
        if let Some(k) = int(r, key) {
            *m.entry(k).or_default() += 1;
        }
    }
    m
}

fn with_count(r: &Record, name: &str, counts: &HashMap<i64, usize>) -> Record {
    let mut out = Record::new();
    for (k, v) in r {
        out.insert(k.clone(), v.clone());
        if k == "label" {
            out.insert(
                name.into(),
                json!(counts.get(&(id_of(r) as i64)).copied().unwrap_or(0)),
            );
        }
    }
    out
}

fn set_customer(r: &mut Record, c: Option<&Record>) {
    r.insert(
        "customer_id".into(),
        c.map_or(Value::Null, |c| json!(id_of(c))),
    );
    r.insert(
        "customer_label".into(),
        c.map_or(Value::Null, |c| json!(field(c, "label"))),
    );
    r.insert(
        "customer_internal_id".into(),
        c.map_or(Value::Null, |c| json!(field(c, "internal_id"))),
    );
}

fn device_template() -> Record {
    let mut r = Record::new();
    for (k, _) in DEVICE.fields {
        r.insert((*k).into(), Value::Null);
    }
    r.insert("status".into(), json!("active"));
    r.insert("exclude_spla".into(), json!("no"));
    for k in [
        "datacenter_id",
        "datacenter_label",
        "customer_id",
        "customer_label",
        "customer_internal_id",
    ] {
        r.insert(k.into(), Value::Null);
    }
    r
}

/// Checks a device's type and fills the labels its ids imply.
fn fix_device(s: &Store, r: &mut Record, own_id: Option<u64>) -> Result<(), ApiError> {
    let t = field(r, "type_id");
    if t != "host" && t != "vm" {
        return Err(ApiError::invalid(format!(
            "Type Id \"{t}\" is invalid: host or vm."
        )));
    }
    if let Some(cid) = int(r, "cluster_id") {
        let c = s
            .clusters
            .get(cid as u64)
            .ok_or_else(|| ApiError::invalid(format!("Cluster {cid} does not exist.")))?;
        r.insert("cluster_label".into(), json!(field(c, "label")));
        r.insert(
            "datacenter_id".into(),
            c.get("datacenter_id").cloned().unwrap_or(Value::Null),
        );
        r.insert(
            "datacenter_label".into(),
            c.get("datacenter_label").cloned().unwrap_or(Value::Null),
        );
    }
    if let Some(hid) = int(r, "host_id") {
        let h = s
            .devices
            .get(hid as u64)
            .filter(|h| field(h, "type_id") == "host" && Some(hid as u64) != own_id)
            .ok_or_else(|| ApiError::invalid(format!("Host {hid} does not exist.")))?;
        r.insert("host_label".into(), json!(field(h, "label")));
    }
    for key in ["agreement_number", "internal_id"] {
        let v = field(r, key);
        if !v.is_empty()
            && s.devices
                .iter()
                .any(|d| field(d, key) == v && Some(id_of(d)) != own_id)
        {
            return Err(ApiError::invalid(format!(
                "{key} \"{v}\" has already been taken."
            )));
        }
    }
    Ok(())
}

fn create_device(s: &mut Store, form: &[(String, String)]) -> Result<Answer, ApiError> {
    let f = read_form(&DEVICE, form, true)?;
    let mut r = device_template();
    apply(&mut r, f);
    fix_device(s, &mut r, None)?;
    r.insert("created_at".into(), json!(now()));
    let id = s.devices.insert(r);
    log(s, "create", "WsDevice", id, "device");
    Ok(Answer::Created(Value::Object(
        s.devices.get(id).expect("inserted").clone(),
    )))
}

fn update_device(s: &mut Store, id: u64, form: &[(String, String)]) -> Result<Answer, ApiError> {
    let f = read_form(&DEVICE, form, false)?;
    let mut r = s.devices.get(id).expect("exists").clone();
    apply(&mut r, f);
    fix_device(s, &mut r, Some(id))?;
    let label = field(&r, "label");
    *s.devices.get_mut(id).expect("exists") = r;
    for sw in s
        .installed_softwares
        .rows
        .values_mut()
        .filter(|w| int(w, "device_id") == Some(id as i64))
    {
        sw.insert("device_label".into(), json!(label));
    }
    log(s, "update", "WsDevice", id, "device");
    one(s.devices.get(id), "Device")
}

fn fix_datacenter(s: &Store, r: &mut Record) -> Result<(), ApiError> {
    if let Some(d) = int(r, "datacenter_id") {
        let dc = s
            .datacenters
            .get(d as u64)
            .ok_or_else(|| ApiError::invalid(format!("Datacenter {d} does not exist.")))?;
        r.insert("datacenter_label".into(), json!(field(dc, "label")));
    }
    Ok(())
}

fn unique_username(s: &Store, f: &Record, own: Option<u64>) -> Result<(), ApiError> {
    let Some(name) = f.get("username").map(text) else {
        return Ok(());
    };
    if s.users
        .iter()
        .any(|u| field(u, "username").eq_ignore_ascii_case(&name) && Some(id_of(u)) != own)
    {
        return Err(ApiError::invalid(format!(
            "Username \"{name}\" has already been taken."
        )));
    }
    Ok(())
}

fn check_customer(s: &Store, r: &mut Record) -> Result<(), ApiError> {
    let cat = field(r, "pricecategory");
    if !CATEGORIES.contains(&cat.as_str()) {
        return Err(ApiError::invalid(format!(
            "Pricecategory \"{cat}\" is invalid: corporate, academic or charity."
        )));
    }
    match int(r, "customer_group_id") {
        Some(g) => {
            let grp = s
                .customer_groups
                .get(g as u64)
                .ok_or_else(|| ApiError::invalid(format!("Customer group {g} does not exist.")))?;
            r.insert("customer_group_label".into(), json!(field(grp, "label")));
        }
        None => {
            r.insert("customer_group_label".into(), Value::Null);
        }
    }
    Ok(())
}

/// Whose software a software action touches.
#[derive(Clone, Copy)]
enum Owner {
    Device(u64),
    User(u64),
    AnyDevice,
    AnyUser,
}

impl Owner {
    fn for_devices(self) -> bool {
        matches!(self, Owner::Device(_) | Owner::AnyDevice)
    }

    fn key(self) -> &'static str {
        if self.for_devices() {
            "device_id"
        } else {
            "user_id"
        }
    }

    fn id(self) -> Option<u64> {
        match self {
            Owner::Device(i) | Owner::User(i) => Some(i),
            _ => None,
        }
    }
}

fn table(s: &mut Store, owner: Owner) -> &mut Table {
    if owner.for_devices() {
        &mut s.installed_softwares
    } else {
        &mut s.user_softwares
    }
}

/// `devices/<ref>/softwares[/<sid>]`, `users/<id>/softwares[/<sid>]`.
fn owned_software(
    s: &mut Store,
    owner: Owner,
    m: &Method,
    rest: &[&str],
    p: &Params,
    form: &[(String, String)],
) -> Result<Answer, ApiError> {
    let oid = owner.id().expect("an owner") as i64;
    match (m.clone(), rest) {
        (Method::GET, []) => {
            let t = table(s, owner);
            list(
                t.iter().filter(|r| int(r, owner.key()) == Some(oid)),
                p,
                &["label"],
            )
        }
        (Method::POST, []) => {
            let f = read_form(&SOFTWARE, form, true)?;
            let mut r = Record::new();
            if owner.for_devices() {
                let d = s.devices.get(oid as u64).expect("resolved");
                r.insert("device_id".into(), json!(oid));
                r.insert("device_label".into(), json!(field(d, "label")));
            } else {
                let u = s.users.get(oid as u64).expect("resolved");
                r.insert("user_id".into(), json!(oid));
                r.insert("username".into(), json!(field(u, "username")));
                r.insert(
                    "customer_id".into(),
                    u.get("customer_id").cloned().unwrap_or(Value::Null),
                );
            }
            for (k, _) in SOFTWARE.fields {
                r.insert((*k).into(), Value::Null);
            }
            r.insert("status".into(), json!("active"));
            r.insert("exclude_spla".into(), json!("no"));
            r.insert("first_seen_at".into(), json!(today().to_string()));
            apply(&mut r, f);
            recognise(&mut r)?;
            r.insert("created_at".into(), json!(now()));
            let id = table(s, owner).insert(r);
            let (model, noun) = ("WsInstalledSoftware", "software");
            log(s, "create", model, id, noun);
            Ok(Answer::Created(Value::Object(
                table(s, owner).get(id).expect("inserted").clone(),
            )))
        }
        (_, [sid]) => {
            let t = table(s, owner);
            let id = sid
                .parse::<u64>()
                .ok()
                .filter(|i| t.get(*i).is_some_and(|r| int(r, owner.key()) == Some(oid)))
                .ok_or_else(|| ApiError::not_found("Software not found."))?;
            match *m {
                Method::PUT | Method::DELETE => software_item(s, owner, id, m, form),
                _ => Err(not_allowed("PUT, DELETE")),
            }
        }
        _ => Err(ApiError::not_found("Page not found.")),
    }
}

/// Maps a software to its SPLA product: the part number given (which must be known), else a
/// label that is a known product's title.
fn recognise(r: &mut Record) -> Result<(), ApiError> {
    let part = field(r, "software_license_part_number");
    let p = if part.is_empty() {
        let label = field(r, "label");
        PRODUCTS
            .iter()
            .find(|p| p.software.eq_ignore_ascii_case(&label))
    } else {
        Some(
            product(&part)
                .ok_or_else(|| ApiError::invalid(format!("Unknown part number \"{part}\".")))?,
        )
    };
    r.insert(
        "software_license_part_number".into(),
        p.map_or(Value::Null, |p| json!(p.part_number)),
    );
    r.insert(
        "software_license_label".into(),
        p.map_or(Value::Null, |p| json!(p.label)),
    );
    Ok(())
}

fn software_item(
    s: &mut Store,
    owner: Owner,
    id: u64,
    m: &Method,
    form: &[(String, String)],
) -> Result<Answer, ApiError> {
    let what = if owner.for_devices() {
        "Installed software"
    } else {
        "User software"
    };
    match *m {
        Method::GET => one(table(s, owner).get(id), what),
        Method::PUT => {
            let f = read_form(&SOFTWARE, form, false)?;
            let t = table(s, owner);
            let mut r = t.get(id).expect("exists").clone();
            let relabel = f.contains_key("label") || f.contains_key("software_license_part_number");
            apply(&mut r, f);
            if relabel {
                recognise(&mut r)?;
            }
            *t.get_mut(id).expect("exists") = r;
            log(s, "update", "WsInstalledSoftware", id, "software");
            one(table(s, owner).get(id), what)
        }
        Method::DELETE => {
            table(s, owner).remove(id);
            log(s, "delete", "WsInstalledSoftware", id, "software");
            Ok(Answer::NoContent)
        }
        _ => Err(not_allowed("GET, PUT, DELETE")),
    }
}

/// `infrastructure/devices/performances`: the derived records of the devices that pass the
/// filters; only the requested page is generated.
fn performances(s: &Store, p: &Params) -> Result<Answer, ApiError> {
    let id = p.payload("device_id");
    let label = p.payload("device_label");
    let (from, to) = (p.payload("observation_start"), p.payload("observation_end"));
    for (name, v) in [("observation_start", from), ("observation_end", to)] {
        if let Some(v) = v {
            if NaiveDate::parse_from_str(v, "%Y-%m-%d").is_err() {
                return Err(ApiError::bad_request(format!(
                    "Invalid payload[{name}] \"{v}\": expected YYYY-MM-DD."
                )));
            }
        }
    }
    let months: Vec<usize> = (0..PERFORMANCE_MONTHS.len())
        .filter(|k| {
            let (start, end) = PERFORMANCE_MONTHS[*k];
            from.is_none_or(|f| start >= f) && to.is_none_or(|t| end <= t)
        })
        .collect();
    let q = p.value("q").map(str::to_lowercase);
    let (page, size) = paging(p, DEFAULT_PER_PAGE)?;
    let items: Vec<Value> = s
        .devices
        .iter()
        .filter(|d| {
            id.is_none_or(|i| field(d, "id") == i)
                && label.is_none_or(|l| field(d, "label").eq_ignore_ascii_case(l))
                && q.as_ref()
                    .is_none_or(|q| field(d, "label").to_lowercase().contains(q))
        })
        .flat_map(|d| months.iter().map(move |k| (d, *k)))
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .map(|(d, k)| Value::Object(performance(s.seed, d, k)))
        .collect();
    Ok(Answer::Ok(Value::Array(items)))
}

fn assignment(
    s: &mut Store,
    cid: &str,
    kind: &str,
    oid: &str,
    assign: bool,
) -> Result<Answer, ApiError> {
    let cid = plain_id(&s.customers, cid, "Customer")?;
    let customer = s.customers.get(cid).expect("exists").clone();
    let (t, what, model) = if kind == "device" {
        (&mut s.devices, "Device", "WsDevice")
    } else {
        (&mut s.users, "User", "WsUser")
    };
    let id = plain_id(t, oid, what)?;
    let r = t.get_mut(id).expect("exists");
    if assign {
        set_customer(r, Some(&customer));
    } else {
        if int(r, "customer_id") != Some(cid as i64) {
            return Err(ApiError::not_found(format!(
                "{what} {id} is not assigned to customer {cid}."
            )));
        }
        set_customer(r, None);
    }
    let out = Value::Object(r.clone());
    if kind == "user" {
        let c = out.get("customer_id").cloned().unwrap_or(Value::Null);
        for sw in s
            .user_softwares
            .rows
            .values_mut()
            .filter(|w| int(w, "user_id") == Some(id as i64))
        {
            sw.insert("customer_id".into(), c.clone());
        }
    }
    log(s, "update", model, id, &format!("{} assignment", kind));
    Ok(Answer::Ok(out))
}

fn lm_expiry(s: &Store, p: &Params) -> Result<Answer, ApiError> {
    let today = today();
    let with_ended = p.flag("withEnded");
    let mut rows: Vec<Record> = s
        .customers
        .iter()
        .filter_map(|c| {
            let end = NaiveDate::parse_from_str(&field(c, "lm_end_date"), "%Y-%m-%d").ok()?;
            let days = (end - today).num_days();
            if days < 0 && !with_ended {
                return None;
            }
            let v = json!({
                "customer_id": id_of(c),
                "customer_label": field(c, "label"),
                "customer_internal_id": field(c, "internal_id"),
                "lm_agreement_number": field(c, "lm_agreement_number"),
                "lm_start_date": field(c, "lm_start_date"),
                "lm_end_date": end.to_string(),
                "days_left": days,
                "expired": days < 0,
            });
            v.as_object().cloned()
        })
        .collect();
    rows.sort_by(|a, b| {
        field(a, "lm_end_date")
            .cmp(&field(b, "lm_end_date"))
            .then(id_of(a).cmp(&id_of(b)))
    });
    list(rows.iter(), p, &["customer_label"])
}

fn activities(s: &Store, p: &Params) -> Result<Answer, ApiError> {
    let filters = p.keyed("Activity");
    let rows: Vec<&Record> = s
        .activities
        .rows
        .values()
        .rev()
        .filter(|r| {
            filters
                .iter()
                .all(|(k, v)| r.get(k).is_some_and(|x| text(x).eq_ignore_ascii_case(v)))
        })
        .filter(|r| matches_q(r, p, &["message"]))
        .collect();
    let (page, size) = paging(p, ACTIVITIES_PER_PAGE)?;
    let total = rows.len();
    let items: Vec<Value> = rows
        .into_iter()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .map(|r| Value::Object(r.clone()))
        .collect();
    Ok(Answer::Ok(json!({
        "items": items,
        "_meta": {"totalCount": total, "pageCount": total.div_ceil(size), "currentPage": page, "perPage": size},
    })))
}

fn pricecatalog(
    s: &mut Store,
    m: &Method,
    rest: &[&str],
    p: &Params,
    form: &[(String, String)],
) -> Result<Answer, ApiError> {
    let names = ["part_number", "label"];
    match (m.clone(), rest) {
        (Method::GET, ["reseller"]) => list(s.price_reseller.iter(), p, &names),
        (Method::PUT, ["reseller"]) => {
            let f = read_form(&RESELLER_PRICE, form, true)?;
            let part = field(&f, "part_number");
            let prod = product(&part)
                .ok_or_else(|| ApiError::invalid(format!("Unknown part number \"{part}\".")))?;
            let cat = field(&f, "pricecategory");
            if !CATEGORIES.contains(&cat.as_str()) {
                return Err(ApiError::invalid(format!(
                    "Pricecategory \"{cat}\" is invalid: corporate, academic or charity."
                )));
            }
            let price = f.get("price").cloned().unwrap_or(Value::Null);
            let entry = match s
                .price_reseller
                .iter_mut()
                .find(|r| field(r, "part_number") == part && field(r, "pricecategory") == cat)
            {
                Some(e) => {
                    e.insert("price".into(), price);
                    e.clone()
                }
                None => {
                    let e = json!({"part_number": part, "label": prod.label, "pricecategory": cat, "price": price, "currency": CURRENCY});
                    let e = e.as_object().cloned().unwrap_or_default();
                    s.price_reseller.push(e.clone());
                    e
                }
            };
            Ok(Answer::Ok(Value::Object(entry)))
        }
        (Method::GET, ["customers"]) => list(s.price_customers.iter(), p, &names),
        (Method::GET, ["customer-groups"]) => list(s.price_groups.iter(), p, &names),
        (_, [which @ ("customers" | "customer-groups"), r]) => {
            let groups = *which == "customer-groups";
            let (owners, key, what) = if groups {
                (&s.customer_groups, "customer_group", "Customer group")
            } else {
                (&s.customers, "customer", "Customer")
            };
            let id = resolve(owners, r, p, false, what)?;
            let owner = owners.get(id).expect("exists").clone();
            let id_key = format!("{key}_id");
            let entries = if groups {
                &mut s.price_groups
            } else {
                &mut s.price_customers
            };
            match *m {
                Method::GET => list(
                    entries
                        .iter()
                        .filter(|e| int(e, &id_key) == Some(id as i64)),
                    p,
                    &names,
                ),
                Method::PUT => {
                    let f = read_form(&SALE_PRICE, form, true)?;
                    let part = field(&f, "part_number");
                    let prod = product(&part).ok_or_else(|| {
                        ApiError::invalid(format!("Unknown part number \"{part}\"."))
                    })?;
                    let pos = entries.iter().position(|e| {
                        int(e, &id_key) == Some(id as i64) && field(e, "part_number") == part
                    });
                    let pos = match pos {
                        Some(i) => i,
                        None => {
                            let e = json!({
                                id_key.clone(): id,
                                format!("{key}_label"): field(&owner, "label"),
                                format!("{key}_internal_id"): field(&owner, "internal_id"),
                                "part_number": part, "label": prod.label, "price": null, "number_sold": null,
                                "number_lm": null, "extra_field_1": null, "extra_field_2": null, "currency": CURRENCY,
                            });
                            entries.push(e.as_object().cloned().unwrap_or_default());
                            entries.len() - 1
                        }
                    };
                    for (k, v) in f {
                        entries[pos].insert(k, v);
                    }
                    Ok(Answer::Ok(Value::Object(entries[pos].clone())))
                }
                _ => Err(not_allowed("GET, PUT")),
            }
        }
        _ => Err(ApiError::not_found("Page not found.")),
    }
}

fn contract_licenses(
    s: &mut Store,
    m: &Method,
    rest: &[&str],
    p: &Params,
    form: &[(String, String)],
) -> Result<Answer, ApiError> {
    let names = [
        "software_license_part_number",
        "software_license_label",
        "device_label",
    ];
    let scope: Option<(&str, i64)> = match rest {
        [] => None,
        ["customer", r] => Some((
            "customer_id",
            resolve(&s.customers, r, p, false, "Customer")? as i64,
        )),
        ["device", r] => Some((
            "device_id",
            resolve(&s.devices, r, p, true, "Device")? as i64,
        )),
        [id] => {
            let id = plain_id(&s.contract_licenses, id, "Contract license")?;
            return match *m {
                Method::GET => one(s.contract_licenses.get(id), "Contract license"),
                Method::DELETE => {
                    s.contract_licenses.remove(id);
                    log(s, "delete", "WsContractLicense", id, "contract license");
                    Ok(Answer::NoContent)
                }
                _ => Err(not_allowed("GET, DELETE")),
            };
        }
        _ => return Err(ApiError::not_found("Page not found.")),
    };
    let in_scope = |r: &Record| scope.is_none_or(|(k, v)| int(r, k) == Some(v));
    match *m {
        Method::GET => list(
            s.contract_licenses.iter().filter(|r| in_scope(r)),
            p,
            &names,
        ),
        Method::DELETE => {
            let n = s.contract_licenses.remove_where(in_scope);
            log(
                s,
                "delete",
                "WsContractLicense",
                0,
                &format!("{n} contract licenses"),
            );
            Ok(Answer::Ok(json!({"deleted": n})))
        }
        Method::POST if matches!(scope, Some(("device_id", _))) => {
            let device = scope.expect("device scope").1 as u64;
            let f = read_form(&CONTRACT, form, true)?;
            let part = field(&f, "software_license_part_number");
            let prod = product(&part)
                .ok_or_else(|| ApiError::invalid(format!("Unknown part number \"{part}\".")))?;
            if int(&f, "number_of_licenses").unwrap_or(0) < 1 {
                return Err(ApiError::invalid(
                    "Number Of Licenses must be no less than 1.",
                ));
            }
            let d = s.devices.get(device).expect("resolved");
            let mut r = Record::new();
            r.insert("device_id".into(), json!(device));
            r.insert("device_label".into(), json!(field(d, "label")));
            r.insert(
                "customer_id".into(),
                d.get("customer_id").cloned().unwrap_or(Value::Null),
            );
            r.insert(
                "customer_label".into(),
                d.get("customer_label").cloned().unwrap_or(Value::Null),
            );
            r.insert(
                "software_license_part_number".into(),
                json!(prod.part_number),
            );
            r.insert("software_license_label".into(), json!(prod.label));
            r.insert("number_of_licenses".into(), Value::Null);
            r.insert("start_date".into(), Value::Null);
            r.insert("end_date".into(), Value::Null);
            apply(&mut r, f);
            if let (Some(a), Some(b)) = (
                r.get("start_date").and_then(Value::as_str),
                r.get("end_date").and_then(Value::as_str),
            ) {
                if a > b {
                    return Err(ApiError::invalid("Start Date must not be after End Date."));
                }
            }
            r.insert("created_at".into(), json!(now()));
            let id = s.contract_licenses.insert(r);
            log(s, "create", "WsContractLicense", id, "contract license");
            Ok(Answer::Created(Value::Object(
                s.contract_licenses.get(id).expect("inserted").clone(),
            )))
        }
        _ => Err(not_allowed(if matches!(scope, Some(("device_id", _))) {
            "GET, POST, DELETE"
        } else {
            "GET, DELETE"
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_decoded() {
        assert_eq!(
            segments("/api/workspace/12/infrastructure/devices/124%2FXYZ"),
            vec!["12", "infrastructure", "devices", "124/XYZ"]
        );
        assert_eq!(percent_decode("a%20b%"), "a b%");
    }
}

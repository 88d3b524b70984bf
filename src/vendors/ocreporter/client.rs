//! Typed calls to OC Reporter's REST API (seed 000). No clap, no printing.
//!
//! Every request is `<url>/api/workspace/<ws>/<action>?_format=..&...&_tenant=..&_language=..`
//! with the token as `_token` (applied by [`Auth::Query`], so it is redacted everywhere). The
//! answer is JSON or, with [`ServerFormat::Xml`], XML parsed into the same JSON values.

use futures::stream::BoxStream;
use reqwest::Method;
use serde_json::Value;
use url::Url;

use super::model::{parse_list_page, Form, Ref, ReportPayload, ServerFormat, SplaReport};
use super::xml;
use crate::auth::Auth;
use crate::error::{Error, ErrorKind, Result};
use crate::http::request::join_url;
use crate::http::{HttpClient, Request, SecretString};
use crate::paginate::{page_number_stream, PageOptions};

/// Where and as whom to talk to OC Reporter.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The OC Reporter URL (`https://splareporter2.octopus.cloud`).
    pub url: Url,
    /// The workspace id.
    pub workspace: String,
    /// The API token (`_token`).
    pub token: SecretString,
    /// The OCID (`_tenant`).
    pub tenant: String,
    /// `_language` (`en`).
    pub language: String,
    /// `_format`.
    pub format: ServerFormat,
}

/// The resources that follow the seed's list / show / create / update / delete pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// `setting/workspaces`
    Workspaces,
    /// `importer/data-sources`
    DataSources,
    /// `infrastructure/vms`
    Vms,
    /// `infrastructure/hosts`
    Hosts,
    /// `infrastructure/devices` (`WsDevice`)
    Devices,
    /// `infrastructure/devices/performances`
    Performances,
    /// `infrastructure/installed-softwares` (`WsInstalledSoftware`)
    InstalledSoftwares,
    /// `infrastructure/clusters` (`WsCluster`)
    Clusters,
    /// `infrastructure/datacenters`
    Datacenters,
    /// `infrastructure/scan-alerts`
    ScanAlerts,
    /// `customer/users` (`WsUser`)
    Users,
    /// `customer/user-softwares` (`WsInstalledSoftware`)
    UserSoftwares,
    /// `customer/customers` (`WsCustomer`)
    Customers,
    /// `contract-licenses` (`WsContractLicense`)
    ContractLicenses,
    /// `activity/activities`
    Activities,
}

impl Resource {
    /// The action's path.
    pub fn path(self) -> &'static [&'static str] {
        match self {
            Resource::Workspaces => &["setting", "workspaces"],
            Resource::DataSources => &["importer", "data-sources"],
            Resource::Vms => &["infrastructure", "vms"],
            Resource::Hosts => &["infrastructure", "hosts"],
            Resource::Devices => &["infrastructure", "devices"],
            Resource::Performances => &["infrastructure", "devices", "performances"],
            Resource::InstalledSoftwares => &["infrastructure", "installed-softwares"],
            Resource::Clusters => &["infrastructure", "clusters"],
            Resource::Datacenters => &["infrastructure", "datacenters"],
            Resource::ScanAlerts => &["infrastructure", "scan-alerts"],
            Resource::Users => &["customer", "users"],
            Resource::UserSoftwares => &["customer", "user-softwares"],
            Resource::Customers => &["customer", "customers"],
            Resource::ContractLicenses => &["contract-licenses"],
            Resource::Activities => &["activity", "activities"],
        }
    }

    /// The body key of create and update (`WsDevice[...]`).
    pub fn form_key(self) -> &'static str {
        match self {
            Resource::Devices => "WsDevice",
            Resource::InstalledSoftwares | Resource::UserSoftwares => "WsInstalledSoftware",
            Resource::Clusters => "WsCluster",
            Resource::Users => "WsUser",
            Resource::Customers => "WsCustomer",
            Resource::ContractLicenses => "WsContractLicense",
            _ => "",
        }
    }
}

/// The owner of a price catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Catalog {
    /// The reseller's own catalog (purchase prices).
    Reseller,
    /// One customer's (sale prices).
    Customer(Ref),
    /// One customer group's (sale prices).
    CustomerGroup(Ref),
}

/// The filters of a list request: `q` plus any extra parameters (`payload[...]`,
/// `Activity[...]`, `withEnded`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// `q`: filters by the objects' names.
    pub q: Option<String>,
    /// Further query parameters, in order.
    pub params: Vec<(String, String)>,
}

impl ListQuery {
    /// A query with a name filter.
    pub fn named(q: Option<&str>) -> Self {
        ListQuery {
            q: q.map(str::to_owned),
            params: Vec::new(),
        }
    }

    /// Adds a parameter when given.
    pub fn param(mut self, name: impl Into<String>, value: Option<impl ToString>) -> Self {
        if let Some(v) = value {
            self.params.push((name.into(), v.to_string()));
        }
        self
    }

    /// Adds `payload[name]=value` when given.
    pub fn payload(self, name: &str, value: Option<impl ToString>) -> Self {
        self.param(format!("payload[{name}]"), value)
    }
}

/// An OC Reporter workspace.
#[derive(Debug, Clone)]
pub struct OcrClient {
    http: HttpClient,
    settings: Settings,
    auth: Auth,
}

impl OcrClient {
    /// A client for `settings`, sending through `http`.
    pub fn new(http: HttpClient, settings: Settings) -> Self {
        let auth = Auth::Query {
            param: "_token".into(),
            token: settings.token.clone(),
        };
        OcrClient {
            http,
            settings,
            auth,
        }
    }

    /// `<url>/api/workspace/<ws>/<segments...>`, each segment percent-encoded.
    fn url(&self, segments: &[&str]) -> Url {
        let mut u = join_url(&self.settings.url, "api/workspace");
        if let Ok(mut path) = u.path_segments_mut() {
            path.pop_if_empty()
                .push(&self.settings.workspace)
                .extend(segments);
        }
        u
    }

    fn request(&self, method: Method, segments: &[&str], params: &[(String, String)]) -> Request {
        let mut req = Request::new(method, self.url(segments))
            .query("_format", self.settings.format.as_str());
        for (k, v) in params {
            req = req.query(k.clone(), v);
        }
        req.query("_tenant", &self.settings.tenant)
            .query("_language", &self.settings.language)
    }

    /// Sends and decodes the answer (JSON, or XML into JSON); an empty body is `null`.
    async fn send(&self, req: Request) -> Result<Value> {
        let resp = self.http.send(&req, &self.auth).await?;
        decode(&resp.body, self.settings.format)
    }

    /// GET one object or any answer.
    pub async fn get(&self, segments: &[&str], params: &[(String, String)]) -> Result<Value> {
        self.send(self.request(Method::GET, segments, params)).await
    }

    /// Every item of a list action, page by page (`page`, `showPerPage`), lazily.
    pub fn list(
        &self,
        segments: &[&str],
        query: ListQuery,
        opts: PageOptions,
    ) -> BoxStream<'static, Result<Value>> {
        let client = self.clone();
        let segments: Vec<String> = segments.iter().map(|s| (*s).to_owned()).collect();
        page_number_stream(opts, 1, move |page, size| {
            let client = client.clone();
            let segments = segments.clone();
            let query = query.clone();
            async move {
                let mut params = Vec::new();
                if let Some(q) = &query.q {
                    params.push(("q".to_owned(), q.clone()));
                }
                params.extend(query.params.iter().cloned());
                params.push(("page".to_owned(), page.to_string()));
                params.push(("showPerPage".to_owned(), size.to_string()));
                let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
                let v = client.get(&segs, &params).await?;
                parse_list_page(v)
            }
        })
    }

    /// POST or PUT a form body.
    pub async fn write(
        &self,
        method: Method,
        segments: &[&str],
        params: &[(String, String)],
        form: Form,
    ) -> Result<Value> {
        let req = self
            .request(method, segments, params)
            .form(form.into_pairs());
        self.send(req).await
    }

    /// PUT or DELETE without a body (assignments).
    pub async fn call(
        &self,
        method: Method,
        segments: &[&str],
        params: &[(String, String)],
    ) -> Result<Value> {
        self.send(self.request(method, segments, params)).await
    }

    /// Lists a resource.
    pub fn list_resource(
        &self,
        r: Resource,
        query: ListQuery,
        opts: PageOptions,
    ) -> BoxStream<'static, Result<Value>> {
        self.list(r.path(), query, opts)
    }

    /// Shows one record.
    pub async fn show(&self, r: Resource, reference: &Ref) -> Result<Value> {
        let segs = with(r.path(), &[reference.value()]);
        self.get(&segs, &ref_params(reference)).await
    }

    /// Shows a workspace's sub-resource (`assets`, `inventory-quality`).
    pub async fn workspace_part(&self, id: &str, part: &str) -> Result<Value> {
        self.get(&with(Resource::Workspaces.path(), &[id, part]), &[])
            .await
    }

    /// Creates a record (`POST`).
    pub async fn create(&self, r: Resource, form: Form) -> Result<Value> {
        self.write(Method::POST, r.path(), &[], form).await
    }

    /// Updates a record (`PUT`).
    pub async fn update(&self, r: Resource, reference: &Ref, form: Form) -> Result<Value> {
        let segs = with(r.path(), &[reference.value()]);
        self.write(Method::PUT, &segs, &ref_params(reference), form)
            .await
    }

    /// Deletes a record; answers the body, `null` when there was none.
    pub async fn delete(&self, r: Resource, reference: &Ref) -> Result<Value> {
        let segs = with(r.path(), &[reference.value()]);
        self.call(Method::DELETE, &segs, &ref_params(reference))
            .await
    }

    /// The software of a device (`devices/<ref>/softwares`) or of a user (`users/<id>/softwares`).
    pub fn owned_softwares(
        &self,
        owner: Resource,
        reference: &Ref,
        opts: PageOptions,
    ) -> BoxStream<'static, Result<Value>> {
        let segs = with(owner.path(), &[reference.value(), "softwares"]);
        let query = ListQuery {
            q: None,
            params: ref_params(reference),
        };
        self.list(&segs, query, opts)
    }

    /// Creates software on a device or user (`WsInstalledSoftware`).
    pub async fn create_owned_software(
        &self,
        owner: Resource,
        reference: &Ref,
        form: Form,
    ) -> Result<Value> {
        let segs = with(owner.path(), &[reference.value(), "softwares"]);
        self.write(Method::POST, &segs, &ref_params(reference), form)
            .await
    }

    /// Updates one software of a device or user.
    pub async fn update_owned_software(
        &self,
        owner: Resource,
        reference: &Ref,
        sid: &str,
        form: Form,
    ) -> Result<Value> {
        let segs = with(owner.path(), &[reference.value(), "softwares", sid]);
        self.write(Method::PUT, &segs, &ref_params(reference), form)
            .await
    }

    /// Deletes one software of a device or user.
    pub async fn delete_owned_software(
        &self,
        owner: Resource,
        reference: &Ref,
        sid: &str,
    ) -> Result<Value> {
        let segs = with(owner.path(), &[reference.value(), "softwares", sid]);
        self.call(Method::DELETE, &segs, &ref_params(reference))
            .await
    }

    /// Assigns (`PUT`) or unassigns (`DELETE`) a device or user (`kind` = `device` | `user`)
    /// to a customer: `customer/<customer-id>/<kind>/<id>`.
    pub async fn assignment(
        &self,
        method: Method,
        customer: &str,
        kind: &str,
        id: &str,
    ) -> Result<Value> {
        self.call(method, &["customer", customer, kind, id], &[])
            .await
    }

    /// The license mobility expiry of customers (`withEnded=1` includes the ended ones).
    pub fn lm_expiry(
        &self,
        with_ended: bool,
        opts: PageOptions,
    ) -> BoxStream<'static, Result<Value>> {
        let query = ListQuery::default().param("withEnded", with_ended.then_some(1));
        self.list(&["customer", "customers", "lm-expiry"], query, opts)
    }

    /// A price catalog's entries.
    pub fn price_catalog(
        &self,
        catalog: &Catalog,
        opts: PageOptions,
    ) -> BoxStream<'static, Result<Value>> {
        let (segs, params) = catalog_path(catalog);
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        self.list(&segs, ListQuery { q: None, params }, opts)
    }

    /// Every customer's (`customer_groups` false) or customer group's catalog.
    pub fn price_catalogs(
        &self,
        customer_groups: bool,
        opts: PageOptions,
    ) -> BoxStream<'static, Result<Value>> {
        let which = if customer_groups {
            "customer-groups"
        } else {
            "customers"
        };
        self.list(&["pricecatalog", which], ListQuery::default(), opts)
    }

    /// Updates one part number of a price catalog (`Pricecatalog[...]`).
    pub async fn update_price(&self, catalog: &Catalog, form: Form) -> Result<Value> {
        let (segs, params) = catalog_path(catalog);
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        self.write(Method::PUT, &segs, &params, form).await
    }

    /// Contract licenses of the workspace, a customer or a device.
    pub fn contract_licenses(
        &self,
        scope: &ContractScope,
        opts: PageOptions,
    ) -> BoxStream<'static, Result<Value>> {
        let (segs, params) = scope.path();
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        self.list(&segs, ListQuery { q: None, params }, opts)
    }

    /// Creates a contract license on a device.
    pub async fn create_contract_license(&self, device: &Ref, form: Form) -> Result<Value> {
        let segs = with(
            Resource::ContractLicenses.path(),
            &["device", device.value()],
        );
        self.write(Method::POST, &segs, &ref_params(device), form)
            .await
    }

    /// Deletes every contract license of the workspace, a customer or a device.
    pub async fn delete_contract_licenses(&self, scope: &ContractScope) -> Result<Value> {
        let (segs, params) = scope.path();
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        self.call(Method::DELETE, &segs, &params).await
    }

    /// Generates (or, with `existing`, fetches) an SPLA usage report.
    pub async fn spla_report(&self, kind: SplaReport, payload: &ReportPayload) -> Result<Value> {
        self.get(&["report", "licensing", kind.action()], &payload.params())
            .await
    }

    /// Deletes a licensing report.
    pub async fn delete_report(&self, id: &str) -> Result<Value> {
        self.call(Method::DELETE, &["report", "licensing", id], &[])
            .await
    }

    /// The Cloud VM Cost Adviser report.
    pub async fn cloud_vm_cost_adviser(
        &self,
        providers: &[&str],
        customer: Option<&str>,
    ) -> Result<Value> {
        let mut params = Vec::new();
        if !providers.is_empty() {
            params.push(("payload[cloud_provider]".to_owned(), providers.join(",")));
        }
        if let Some(c) = customer {
            params.push(("payload[customer_id]".to_owned(), c.to_owned()));
        }
        self.get(&["report", "cloud", "cloud-vm-cost-adviser"], &params)
            .await
    }

    /// A data export of one category over a date range.
    pub async fn data_export(&self, category: &str, from: &str, to: &str) -> Result<Value> {
        let params = vec![
            ("payload[category]".to_owned(), category.to_owned()),
            ("payload[start_date]".to_owned(), from.to_owned()),
            ("payload[end_date]".to_owned(), to.to_owned()),
        ];
        self.get(&["report", "data-export"], &params).await
    }
}

/// Which contract licenses: the workspace's, a customer's or a device's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContractScope {
    /// Every contract license of the workspace.
    Workspace,
    /// A customer's (id or internal id).
    Customer(Ref),
    /// A device's (id, internal id or agreement number).
    Device(Ref),
}

impl ContractScope {
    fn path(&self) -> (Vec<String>, Vec<(String, String)>) {
        let base = "contract-licenses".to_owned();
        match self {
            ContractScope::Workspace => (vec![base], Vec::new()),
            ContractScope::Customer(r) => (
                vec![base, "customer".into(), r.value().into()],
                ref_params(r),
            ),
            ContractScope::Device(r) => {
                (vec![base, "device".into(), r.value().into()], ref_params(r))
            }
        }
    }
}

fn catalog_path(catalog: &Catalog) -> (Vec<String>, Vec<(String, String)>) {
    match catalog {
        Catalog::Reseller => (vec!["pricecatalog".into(), "reseller".into()], Vec::new()),
        Catalog::Customer(r) => (
            vec!["pricecatalog".into(), "customers".into(), r.value().into()],
            ref_params(r),
        ),
        Catalog::CustomerGroup(r) => (
            vec![
                "pricecatalog".into(),
                "customer-groups".into(),
                r.value().into(),
            ],
            ref_params(r),
        ),
    }
}

fn ref_params(r: &Ref) -> Vec<(String, String)> {
    r.query().into_iter().collect()
}

fn with<'a>(base: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(more.iter()).copied().collect()
}

/// Decodes an answer body: JSON, or XML when asked for (or when the body is plainly XML); an
/// empty body (204 No Content) is `null`.
pub fn decode(body: &[u8], format: ServerFormat) -> Result<Value> {
    let trimmed = body.trim_ascii();
    if trimmed.is_empty() {
        return Ok(Value::Null);
    }
    if format == ServerFormat::Xml || trimmed.starts_with(b"<") {
        return xml::to_json(trimmed);
    }
    serde_json::from_slice(trimmed).map_err(|e| {
        Error::new(
            ErrorKind::Network,
            format!("the server's answer is not the JSON expected: {e}"),
        )
        .with_hint("run with -vvv to see the answer")
    })
}

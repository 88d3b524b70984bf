//! Request shape of `licctl ocreporter` against wiremock: the anatomy of every request, the
//! form-urlencoded bodies (brackets percent-encoded), `payload[...]` parameters,
//! `internal=1` / `agreement=1`, paging with and without an envelope, XML answers, and the
//! documented failures. A catch-all answers 599 so that an unexpected request fails loudly.

use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock as WMock, ResponseTemplate};

use crate::common::{stderr, stdout, Mock, TestEnv};

const TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";
const TENANT: &str = "OC-123456";
const WS: &str = "/api/workspace/12";

fn server() -> Mock {
    let mock = Mock::start();
    mock.mount(
        WMock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(599))
            .with_priority(100),
    );
    mock
}

fn run(mock: &Mock, args: &[&str]) -> std::process::Output {
    TestEnv::new()
        .cmd()
        .env("LICCTL_OCREPORTER_URL", mock.uri())
        .env("LICCTL_OCREPORTER_WORKSPACE", "12")
        .env("LICCTL_OCREPORTER_TOKEN", TOKEN)
        .env("LICCTL_OCREPORTER_TENANT", TENANT)
        .arg("ocr")
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

fn query(r: &wiremock::Request) -> Vec<(String, String)> {
    r.url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The query of a request without the four anatomy parameters (checked separately).
fn own_query(r: &wiremock::Request) -> Vec<(String, String)> {
    query(r)
        .into_iter()
        .filter(|(k, _)| !["_format", "_tenant", "_language", "_token"].contains(&k.as_str()))
        .collect()
}

fn body(r: &wiremock::Request) -> String {
    String::from_utf8(r.body.clone()).unwrap()
}

/// Arguments, path after the workspace, query beyond the anatomy, body.
type UpdateCase<'a> = (&'a [&'a str], &'a str, &'a [(&'a str, &'a str)], &'a str);
/// Arguments, path after the workspace, query beyond the anatomy.
type PayloadCase<'a> = (Vec<&'a str>, &'a str, Vec<(&'a str, &'a str)>);

#[test]
fn lists_send_the_anatomy_and_page_until_a_short_page() {
    let mock = server();
    let path_ = format!("{WS}/infrastructure/devices");
    mock.mount(
        WMock::given(method("GET"))
            .and(path(path_.as_str()))
            .and(query_param("page", "1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1}, {"id": 2}]))),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path(path_.as_str()))
            .and(query_param("page", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 3}]))),
    );
    let out = run(
        &mock,
        &["devices", "list", "--q", "web server", "--page-size", "2"],
    );
    assert_eq!(ok(&out), json!([{"id": 1}, {"id": 2}, {"id": 3}]));
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2, "a short page ends the walk");
    assert_eq!(
        query(&reqs[0]),
        pairs(&[
            ("_format", "json"),
            ("q", "web server"),
            ("page", "1"),
            ("showPerPage", "2"),
            ("_tenant", TENANT),
            ("_language", "en"),
            ("_token", TOKEN),
        ])
    );
    assert!(reqs[0].url.query().unwrap().contains("q=web+server"));
    assert!(reqs[0].body.is_empty());
}

#[test]
fn lists_accept_an_envelope_and_stop_at_its_total() {
    let mock = server();
    mock.mount(
        WMock::given(method("GET"))
            .and(path(format!("{WS}/activity/activities").as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "items": [{"id": 9}, {"id": 8}],
                "_meta": {"totalCount": 2, "pageCount": 1, "currentPage": 1, "perPage": 300}
            }))),
    );
    assert_eq!(
        ok(&run(&mock, &["activities", "list"])),
        json!([{"id": 9}, {"id": 8}])
    );
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        own_query(&reqs[0]),
        pairs(&[("page", "1"), ("showPerPage", "300")])
    );

    let mock = server();
    mock.mount(
        WMock::given(method("GET"))
            .and(path(format!("{WS}/customer/customers").as_str()))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"customers": [{"id": 1}], "count": 1})),
            ),
    );
    assert_eq!(ok(&run(&mock, &["customers", "list"])), json!([{"id": 1}]));
    assert_eq!(mock.requests().len(), 1);
}

#[test]
fn create_sends_a_form_body_with_encoded_brackets() {
    let mock = server();
    mock.mount(
        WMock::given(method("POST"))
            .and(path(format!("{WS}/infrastructure/devices").as_str()))
            .respond_with(
                ResponseTemplate::new(201).set_body_json(json!({"id": 77, "label": "Server 1"})),
            ),
    );
    let out = run(
        &mock,
        &[
            "devices",
            "create",
            "--label",
            "Server 1",
            "--type",
            "host",
            "--agreement-number",
            "124-XYZ",
            "--internal-id",
            "Xyz",
            "--cluster-id",
            "4",
            "--cluster-label",
            "Cluster 1",
            "--host-id",
            "3",
            "--host-label",
            "Host 1",
            "--operating-system",
            "Windows Server Datacenter",
            "--number-cpu",
            "1",
            "--number-core",
            "4",
            "--status",
            "active",
            "--set",
            "note=a&b=c ü",
        ],
    );
    assert_eq!(ok(&out), json!({"id": 77, "label": "Server 1"}));
    let r = &mock.requests()[0];
    assert_eq!(
        r.headers.get("content-type").unwrap().to_str().unwrap(),
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        body(r),
        "WsDevice%5Blabel%5D=Server+1&WsDevice%5Btype_id%5D=host&WsDevice%5Bagreement_number%5D=124-XYZ\
         &WsDevice%5Binternal_id%5D=Xyz&WsDevice%5Bcluster_id%5D=4&WsDevice%5Bcluster_label%5D=Cluster+1\
         &WsDevice%5Bhost_id%5D=3&WsDevice%5Bhost_label%5D=Host+1\
         &WsDevice%5Boperating_system%5D=Windows+Server+Datacenter&WsDevice%5Bnumber_cpu%5D=1\
         &WsDevice%5Bnumber_core%5D=4&WsDevice%5Bstatus%5D=active&WsDevice%5Bnote%5D=a%26b%3Dc+%C3%BC"
    );
    assert_eq!(own_query(r), vec![]);
}

#[test]
fn updates_send_the_exclude_spla_triple_and_the_reference_kind() {
    let mock = server();
    mock.mount(
        WMock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1}))),
    );
    mock.mount(
        WMock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([]))),
    );
    let cases: &[UpdateCase] = &[
        (
            &["devices", "update", "124-XYZ", "--by", "agreement", "--exclude-spla", "other", "--description", "Server out of SPLA scope"],
            "/infrastructure/devices/124-XYZ",
            &[("agreement", "1")],
            "WsDevice%5Bexclude_spla%5D=yes&WsDevice%5Bexclude_spla_reason%5D=other&WsDevice%5Bexclude_spla_description%5D=Server+out+of+SPLA+scope",
        ),
        (
            &["customers", "update", "431319", "--by", "internal", "--label", "Customer ABC", "--status", "archived"],
            "/customer/customers/431319",
            &[("internal", "1")],
            "WsCustomer%5Blabel%5D=Customer+ABC&WsCustomer%5Bstatus%5D=archived",
        ),
        (
            &["users", "update", "5", "--exclude-spla", "admin"],
            "/customer/users/5",
            &[],
            "WsUser%5Bexclude_spla%5D=yes&WsUser%5Bexclude_spla_reason%5D=admin",
        ),
        (
            &["devices", "softwares", "update", "Xyz", "9", "--by", "internal", "--include-spla"],
            "/infrastructure/devices/Xyz/softwares/9",
            &[("internal", "1")],
            "WsInstalledSoftware%5Bexclude_spla%5D=no",
        ),
        (
            &["pricecatalog", "update", "--customer", "431319", "--by", "internal", "--part-number", "228-05018", "--price", "3.10", "--number-sold", "54", "--number-lm", "21", "--extra-field-1", "Extra info 1"],
            "/pricecatalog/customers/431319",
            &[("internal", "1")],
            "Pricecatalog%5Bpart_number%5D=228-05018&Pricecatalog%5Bprice%5D=3.10&Pricecatalog%5Bnumber_sold%5D=54&Pricecatalog%5Bnumber_lm%5D=21&Pricecatalog%5Bextra_field_1%5D=Extra+info+1",
        ),
        (
            &["pricecatalog", "update", "--part-number", "228-05018", "--price", "3.10", "--category", "corporate"],
            "/pricecatalog/reseller",
            &[],
            "Pricecatalog%5Bpart_number%5D=228-05018&Pricecatalog%5Bprice%5D=3.10&Pricecatalog%5Bpricecategory%5D=corporate",
        ),
    ];
    for (args, p, q, b) in cases {
        let before = mock.requests().len();
        ok(&run(&mock, args));
        let reqs = mock.requests();
        assert_eq!(reqs.len(), before + 1, "{args:?}");
        let r = reqs.last().unwrap();
        assert_eq!(
            (r.method.as_str(), r.url.path()),
            ("PUT", format!("{WS}{p}").as_str()),
            "{args:?}"
        );
        assert_eq!(own_query(r), pairs(q), "{args:?}");
        assert_eq!(body(r), *b, "{args:?}");
    }
    // Reads by internal id / agreement number.
    for (args, p, q) in [
        (
            vec![
                "contract-licenses",
                "list",
                "--device",
                "124-XYZ",
                "--by",
                "agreement",
            ],
            "/contract-licenses/device/124-XYZ",
            ("agreement", "1"),
        ),
        (
            vec![
                "contract-licenses",
                "list",
                "--customer",
                "431319",
                "--by",
                "internal",
            ],
            "/contract-licenses/customer/431319",
            ("internal", "1"),
        ),
        (
            vec![
                "pricecatalog",
                "show",
                "--customer-group",
                "CG-1",
                "--by",
                "internal",
            ],
            "/pricecatalog/customer-groups/CG-1",
            ("internal", "1"),
        ),
        (
            vec!["devices", "softwares", "list", "A/B 1", "--by", "agreement"],
            "/infrastructure/devices/A%2FB%201/softwares",
            ("agreement", "1"),
        ),
    ] {
        ok(&run(&mock, &args));
        let r = mock.requests().into_iter().last().unwrap();
        assert_eq!(r.url.path(), format!("{WS}{p}"), "{args:?}");
        assert!(
            own_query(&r).contains(&(q.0.to_owned(), q.1.to_owned())),
            "{args:?}"
        );
    }
}

#[test]
fn payload_parameters() {
    let mock = server();
    mock.mount(
        WMock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([]))),
    );
    let cases: Vec<PayloadCase> = vec![
        (
            vec![
                "devices",
                "list",
                "--customer-id",
                "10",
                "--customer-label",
                "Customer ABC",
                "--customer-internal-id",
                "431319",
            ],
            "/infrastructure/devices",
            vec![
                ("payload[customer.id]", "10"),
                ("payload[customer.label]", "Customer ABC"),
                ("payload[customer.internal_id]", "431319"),
                ("page", "1"),
                ("showPerPage", "100"),
            ],
        ),
        (
            vec!["users", "list", "--customer-label", "X"],
            "/customer/users",
            vec![
                ("payload[customer.label]", "X"),
                ("page", "1"),
                ("showPerPage", "100"),
            ],
        ),
        (
            vec![
                "devices",
                "performances",
                "--device-id",
                "3",
                "--device-label",
                "Server 1",
                "--from",
                "2026-01-01",
                "--to",
                "2026-01-31",
            ],
            "/infrastructure/devices/performances",
            vec![
                ("payload[device_id]", "3"),
                ("payload[device_label]", "Server 1"),
                ("payload[observation_start]", "2026-01-01"),
                ("payload[observation_end]", "2026-01-31"),
                ("page", "1"),
                ("showPerPage", "100"),
            ],
        ),
        (
            vec![
                "reports",
                "spla-reseller",
                "--month",
                "2020-07",
                "--compare",
                "2020-06,202005",
                "--itemized",
                "--flat",
                "--existing",
            ],
            "/report/licensing/spla-usage-reseller",
            vec![
                ("payload[month_id]", "202007"),
                ("payload[compare_months]", "202006,202005"),
                ("payload[with_itemized]", "1"),
                ("payload[flat_structure]", "1"),
                ("payload[existing]", "1"),
            ],
        ),
        (
            vec![
                "reports",
                "spla-customer",
                "--from",
                "2020-07-01",
                "--to",
                "2020-07-31",
                "--customer",
                "10",
            ],
            "/report/licensing/spla-usage-customer",
            vec![
                ("payload[start_date]", "2020-07-01"),
                ("payload[end_date]", "2020-07-31"),
                ("payload[customer_ids]", "10"),
            ],
        ),
        (
            vec!["reports", "spla-customer", "--without-high-water-mark"],
            "/report/licensing/spla-usage-customer",
            vec![("payload[without_high_water_mark]", "1")],
        ),
        (
            vec![
                "reports",
                "cloud-vm-cost-adviser",
                "--provider",
                "azure",
                "--provider",
                "aws",
                "--customer",
                "10",
            ],
            "/report/cloud/cloud-vm-cost-adviser",
            vec![
                (
                    "payload[cloud_provider]",
                    "10_ms_azure,20_amazon_web_services_aws",
                ),
                ("payload[customer_id]", "10"),
            ],
        ),
        (
            vec![
                "reports",
                "data-export",
                "--category",
                "WsDatacenter",
                "--from",
                "2020-07-01",
                "--to",
                "2020-07-31",
            ],
            "/report/data-export",
            vec![
                ("payload[category]", "WsDatanceter"),
                ("payload[start_date]", "2020-07-01"),
                ("payload[end_date]", "2020-07-31"),
            ],
        ),
        (
            vec![
                "activities",
                "list",
                "--filter",
                "model=WsDevice",
                "--page-size",
                "50",
            ],
            "/activity/activities",
            vec![
                ("Activity[model]", "WsDevice"),
                ("page", "1"),
                ("showPerPage", "50"),
            ],
        ),
        (
            vec!["customers", "lm-expiry", "--with-ended"],
            "/customer/customers/lm-expiry",
            vec![("withEnded", "1"), ("page", "1"), ("showPerPage", "100")],
        ),
    ];
    for (args, p, q) in cases {
        let out = run(&mock, &args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let r = mock.requests().into_iter().last().unwrap();
        assert_eq!(r.url.path(), format!("{WS}{p}"), "{args:?}");
        assert_eq!(own_query(&r), pairs(&q), "{args:?}");
        // Brackets are percent-encoded on the wire.
        assert!(
            !r.url.query().unwrap().contains('['),
            "{}",
            r.url.query().unwrap()
        );
    }
}

#[test]
fn xml_answers_are_parsed_into_the_same_values() {
    let mock = server();
    let devices_xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<response>
  <item><id>5</id><label>Server &amp; 1</label><number_core>4</number_core><customer_id></customer_id></item>
  <item><id type="integer">6</id><label>vm-2</label><number_core type="integer">8</number_core><customer_id type="null"/></item>
</response>"#;
    mock.mount(
        WMock::given(method("GET"))
            .and(path(format!("{WS}/infrastructure/devices").as_str()))
            .and(query_param("_format", "xml"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(devices_xml, "application/xml")),
    );
    let out = run(&mock, &["--server-format", "xml", "devices", "list"]);
    assert_eq!(
        ok(&out),
        json!([
            {"id": "5", "label": "Server & 1", "number_core": "4", "customer_id": ""},
            {"id": 6, "label": "vm-2", "number_core": 8, "customer_id": null}
        ])
    );
    let csv = run(
        &mock,
        &[
            "--server-format",
            "xml",
            "devices",
            "list",
            "-o",
            "csv",
            "--fields",
            "id,label,number_core",
        ],
    );
    assert_eq!(
        stdout(&csv),
        "id,label,number_core\n5,Server & 1,4\n6,vm-2,8\n"
    );

    let report_xml = r#"<response><id type="integer">3</id><month_id>202007</month_id><currency>EUR</currency>
<summaryLicenses type="array"><item><part_number>228-05018</part_number><label>SQL Server Standard</label><quantity type="integer">4</quantity></item></summaryLicenses>
<missingUnitPrices type="array"><item><part_number>P73-05898</part_number><pricecategory>corporate</pricecategory></item></missingUnitPrices></response>"#;
    mock.mount(
        WMock::given(method("GET"))
            .and(path(
                format!("{WS}/report/licensing/spla-usage-reseller").as_str(),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_raw(report_xml, "application/xml")),
    );
    let out = run(
        &mock,
        &[
            "--server-format",
            "xml",
            "reports",
            "spla-reseller",
            "--month",
            "2020-07",
        ],
    );
    assert_eq!(
        ok(&out),
        json!([{"part_number": "228-05018", "label": "SQL Server Standard", "quantity": 4}])
    );
    assert!(
        stderr(&out).contains("P73-05898 (corporate)"),
        "{}",
        stderr(&out)
    );
    let out = run(
        &mock,
        &[
            "--server-format",
            "xml",
            "reports",
            "spla-reseller",
            "--month",
            "2020-07",
            "--require-prices",
        ],
    );
    assert_eq!(out.status.code(), Some(9));
    assert!(out.stdout.is_empty());
}

#[test]
fn documented_failures_carry_the_server_message() {
    let mock = server();
    let yii = |status: u16, name: &str, message: &str| {
        ResponseTemplate::new(status)
            .set_body_json(json!({"name": name, "message": message, "code": 0, "status": status}))
    };
    mock.mount(
        WMock::given(method("GET"))
            .and(path(format!("{WS}/customer/customers").as_str()))
            .respond_with(yii(
                401,
                "Unauthorized",
                "Your request was made with invalid credentials.",
            )),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path(format!("{WS}/infrastructure/devices/9").as_str()))
            .respond_with(yii(404, "Not Found", "Device not found.")),
    );
    mock.mount(
        WMock::given(method("POST"))
            .and(path(format!("{WS}/infrastructure/clusters").as_str()))
            .respond_with(yii(422, "Unprocessable entity", "Label cannot be blank.")),
    );
    mock.mount(
        WMock::given(method("GET"))
            .and(path(format!("{WS}/infrastructure/hosts/9").as_str()))
            .respond_with(ResponseTemplate::new(404).set_body_raw(
                "<response><name>Not Found</name><message>Host not found.</message></response>",
                "application/xml",
            )),
    );
    let out = run(&mock, &["customers", "list"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("Your request was made with invalid credentials. (HTTP 401"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains(TOKEN));
    let out = run(&mock, &["devices", "show", "9"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("Device not found. (HTTP 404"),
        "{}",
        stderr(&out)
    );
    let out = run(&mock, &["clusters", "create", "--label", " "]);
    assert_eq!(out.status.code(), Some(6));
    assert!(
        stderr(&out).contains("Label cannot be blank."),
        "{}",
        stderr(&out)
    );
    let out = run(&mock, &["--server-format", "xml", "hosts", "show", "9"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(stderr(&out).contains("Host not found."), "{}", stderr(&out));
    // A delete answered 204 prints nothing and notes the deletion.
    mock.mount(WMock::given(method("DELETE")).respond_with(ResponseTemplate::new(204)));
    let out = run(
        &mock,
        &["contract-licenses", "delete-all", "--device", "5", "--yes"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("deleted every contract license of device 5"));
}

#[test]
fn bad_input_sends_nothing() {
    let mock = server();
    for args in [
        vec!["reports", "spla-reseller", "--month", "2026-13"],
        vec![
            "reports",
            "data-export",
            "--category",
            "WsDatacentre",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
        ],
        vec!["contract-licenses", "delete-all", "--device", "5"],
        vec![
            "devices", "create", "--label", "x", "--type", "vm", "--set", "=1",
        ],
    ] {
        let out = run(&mock, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    assert!(mock.requests().is_empty());
}

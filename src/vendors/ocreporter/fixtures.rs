//! The captured answers in `fixtures/ocreporter/` (the seed shows no response bodies; these
//! are the sandbox's documented shapes, see the README there), each parsed the way the client
//! parses real answers.

use serde_json::Value;

use super::model::{missing_prices, parse_list_page, section_rows, Section};
use super::usage::map_report;
use super::xml;
use crate::usage::Month;

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

#[test]
fn lists_with_and_without_an_envelope() {
    let devices = parse_list_page(json(include_str!(
        "../../../fixtures/ocreporter/devices_list.json"
    )))
    .unwrap();
    assert_eq!((devices.items.len(), devices.total), (2, None));
    assert_eq!(devices.items[0]["type_id"], "host");
    let activities = parse_list_page(json(include_str!(
        "../../../fixtures/ocreporter/activities_page.json"
    )))
    .unwrap();
    assert_eq!(activities.items.len(), 2);
    assert!(activities.total.unwrap() > 2);
    let device = json(include_str!(
        "../../../fixtures/ocreporter/device_show.json"
    ));
    assert_eq!(device["id"], 2101);
    let customer = json(include_str!(
        "../../../fixtures/ocreporter/customer_show.json"
    ));
    assert_eq!(customer["id"], 1001);
}

#[test]
fn xml_fixtures_equal_their_json_twins() {
    assert_eq!(
        xml::to_json(include_bytes!(
            "../../../fixtures/ocreporter/devices_list.xml"
        ))
        .unwrap(),
        json(include_str!(
            "../../../fixtures/ocreporter/devices_list.json"
        ))
    );
    assert_eq!(
        xml::to_json(include_bytes!(
            "../../../fixtures/ocreporter/spla_usage_customer_nested.xml"
        ))
        .unwrap(),
        json(include_str!(
            "../../../fixtures/ocreporter/spla_usage_customer_nested.json"
        ))
    );
}

#[test]
fn spla_reports() {
    let reseller = json(include_str!(
        "../../../fixtures/ocreporter/spla_usage_reseller_flat.json"
    ));
    let summary = section_rows(&reseller, Section::Summary);
    assert!(
        !summary.is_empty()
            && summary
                .iter()
                .all(|r| r["part_number"].is_string() && r["quantity"].is_u64())
    );
    assert!(!section_rows(&reseller, Section::Customers).is_empty());
    let missing = missing_prices(&reseller);
    assert!(missing
        .iter()
        .any(|m| m.part_number.as_deref() == Some("P73-05898")));

    let flat = json(include_str!(
        "../../../fixtures/ocreporter/spla_usage_customer_flat.json"
    ));
    let nested = json(include_str!(
        "../../../fixtures/ocreporter/spla_usage_customer_nested.json"
    ));
    // The nested answer for customers 1001 and 1002 unfolds to the flat answer's rows of them.
    let of_two: Vec<Value> = section_rows(&flat, Section::Customers)
        .into_iter()
        .filter(|r| r["customer_id"] == 1001 || r["customer_id"] == 1002)
        .collect();
    assert_eq!(section_rows(&nested, Section::Customers), of_two);
    let usage = map_report(flat.clone(), Month::parse("2026-01").unwrap()).unwrap();
    assert_eq!(
        usage.rows.len(),
        flat["customers"].as_array().unwrap().len()
    );
    assert!(usage
        .rows
        .iter()
        .all(|r| r.currency == "EUR" && (r.metric == "SAL" || r.metric == "core")));
    assert!(!usage.warnings.is_empty());
}

#[test]
fn error_bodies_yield_the_server_message() {
    for (body, message) in [
        (
            &include_bytes!("../../../fixtures/ocreporter/error_401.json")[..],
            "Your request was made with invalid credentials.",
        ),
        (
            &include_bytes!("../../../fixtures/ocreporter/error_404.json")[..],
            "Device not found.",
        ),
        (
            &include_bytes!("../../../fixtures/ocreporter/error_422.json")[..],
            "Label cannot be blank.",
        ),
    ] {
        assert_eq!(
            crate::http::message::extract(body).as_deref(),
            Some(message)
        );
    }
}

//! The plan the shopper picked: checked against the plans computed here for the priced cart,
//! sent to Tamara as `payment_type` + `instalments`, and kept by Tamara's order; item names in
//! the shopper's language.

use serde_json::{json, Value};

use super::common::{body, checkout};
use crate::testing::{block_on, Harness};

/// The sandbox's view of an order (its control API).
async fn sandbox_order(h: &Harness, order_id: &str) -> Value {
    let all = h
        .tamara()
        .control("GET", "/_sandbox/orders", json!({}))
        .await;
    all.as_array()
        .and_then(|a| a.iter().find(|o| o["order_id"] == order_id).cloned())
        .unwrap_or_else(|| panic!("no sandbox order {order_id}: {all}"))
}

fn with_plan(items: &[(&str, u32)], payment_type: &str, instalments: Option<u32>) -> Value {
    let mut v = body(items);
    v["payment_type"] = json!(payment_type);
    if let Some(n) = instalments {
        v["instalments"] = json!(n);
    }
    v
}

#[test]
fn every_offered_plan_reaches_tamara() {
    let h = Harness::new();
    block_on(async {
        // 4 × 57.50 = 230.00 SAR: 3 or 4 instalments, or in full.
        for (pt, n, want_n) in [
            ("PAY_BY_INSTALMENTS", Some(3), Some(3)),
            ("PAY_BY_INSTALMENTS", Some(4), Some(4)),
            ("PAY_NOW", Some(1), None),
            ("PAY_NOW", None, None),
        ] {
            let (status, v) = checkout(&h, None, &with_plan(&[("TSHIRT-1", 4)], pt, n)).await;
            assert_eq!(status, 201, "{pt} {n:?}: {v}");
            let id = v["order_id"].as_str().unwrap();
            let o = sandbox_order(&h, id).await;
            assert_eq!(o["payment_type"], pt, "{o}");
            assert_eq!(o["instalments"], json!(want_n), "{pt} {n:?}: {o}");
        }
        // Three watches (3,897.00 SAR): above the 3-instalment limit, so only 4 or in full.
        let (status, v) = checkout(
            &h,
            None,
            &with_plan(&[("WATCH-1", 3)], "PAY_BY_INSTALMENTS", Some(4)),
        )
        .await;
        assert_eq!(status, 201, "{v}");
        let o = sandbox_order(&h, v["order_id"].as_str().unwrap()).await;
        assert_eq!(o["instalments"], 4, "{o}");
    });
}

#[test]
fn a_plan_not_offered_is_refused_before_tamara() {
    let h = Harness::new();
    block_on(async {
        let before = h.tamara().count("POST /checkout");
        for (items, pt, n) in [
            // Offered for other amounts, not for 3,897.00 SAR.
            (&[("WATCH-1", 3)][..], "PAY_BY_INSTALMENTS", Some(3)),
            // Never offered.
            (&[("TSHIRT-1", 4)][..], "PAY_BY_INSTALMENTS", Some(12)),
            (&[("TSHIRT-1", 4)][..], "PAY_BY_INSTALMENTS", None),
            (&[("TSHIRT-1", 4)][..], "PAY_NOW", Some(4)),
            (&[("TSHIRT-1", 4)][..], "PAY_NEXT_MONTH", None),
            (&[("TSHIRT-1", 4)][..], "FREE", None),
        ] {
            let (status, v) = checkout(&h, None, &with_plan(items, pt, n)).await;
            assert_eq!(status, 422, "{pt} {n:?}: {v}");
            assert_eq!(v["error"]["code"], "plan_not_available", "{v}");
        }
        // Instalments without a type.
        let mut v = body(&[("TSHIRT-1", 4)]);
        v["instalments"] = json!(4);
        let (status, v) = checkout(&h, None, &v).await;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (422, Some("plan_not_available"))
        );
        assert_eq!(
            h.tamara().count("POST /checkout"),
            before,
            "Tamara never asked"
        );
    });
}

#[test]
fn arabic_shoppers_get_arabic_item_names_at_tamara() {
    let h = Harness::new();
    block_on(async {
        let mut v = body(&[("TSHIRT-1", 1), ("MUG-1", 2)]);
        v["locale"] = json!("ar_SA");
        let (status, v) = checkout(&h, None, &v).await;
        assert_eq!(status, 201, "{v}");
        let o = sandbox_order(&h, v["order_id"].as_str().unwrap()).await;
        let names: Vec<&str> = o["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["تيشيرت قطني", "فناجين قهوة عربية (6)"], "{o}");
        // English shoppers: English names.
        let (_, v) = checkout(&h, None, &body(&[("TSHIRT-1", 1)])).await;
        let o = sandbox_order(&h, v["order_id"].as_str().unwrap()).await;
        assert_eq!(o["items"][0]["name"], "Cotton T-shirt");
    });
}

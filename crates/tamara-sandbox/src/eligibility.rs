//! `POST /pre-checkout/v1/eligibility` (`tamara-api.md` §14.1): whether Tamara would treat this
//! customer as eligible. As documented: `{"order": {"amount": <JSON number>, "currency"},
//! "customer": {"phone_number" | "phone", "email"?}}` → `{"is_eligible": bool}`. A quoted
//! amount is `400 invalid_json` (as Tamara's sandbox answers it); no phone → eligible.
//! Fault injection (`POST /_sandbox/faults` with route `POST /pre-checkout/v1/eligibility`)
//! applies like on every API route, so a client's time budget can be tested.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::Value;
use tamara_core::eligibility::Eligibility;
use tamara_core::{Country, Currency, Money, Phone};

use crate::error::{read_body, ApiErr};
use crate::state::SandboxState;

/// Documented sandbox phones that are eligible.
pub const ELIGIBLE_PHONES: [&str; 2] = ["966501234567", "971501234567"];
/// Documented sandbox phones that are not eligible (active decline records).
pub const NOT_ELIGIBLE_PHONES: [&str; 2] = ["966504591298", "971562477204"];

fn invalid_json(why: &str) -> ApiErr {
    ApiErr::new(
        StatusCode::BAD_REQUEST,
        "invalid_json",
        format!("invalid json: {why}"),
    )
}

/// The verdict for a request body (pure).
pub fn verdict(body: &Value) -> Result<bool, ApiErr> {
    let order = body
        .get("order")
        .filter(|o| o.is_object())
        .ok_or_else(|| invalid_json("`order` must be an object"))?;
    let amount = order
        .get("amount")
        .filter(|a| a.is_number())
        .ok_or_else(|| invalid_json("`order.amount` must be a JSON number"))?;
    let currency: Currency = order
        .get("currency")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid_json("`order.currency` is required"))?
        .parse()
        .map_err(|_| ApiErr::bad("currency_unsupported"))?;
    let money: Money = serde_json::from_value(serde_json::json!({
        "amount": amount, "currency": currency.code()
    }))
    .map_err(|_| ApiErr::field("order.amount", "not a valid amount"))?;
    if money.is_zero() {
        return Err(ApiErr::field(
            "order.amount",
            "amount must be greater than zero",
        ));
    }
    let customer = match body.get("customer") {
        None | Some(Value::Null) => return Ok(true),
        Some(c) if c.is_object() => c,
        Some(_) => return Err(invalid_json("`customer` must be an object")),
    };
    let phone = customer
        .get("phone_number")
        .or_else(|| customer.get("phone"))
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    if phone.is_empty() {
        return Ok(true);
    }
    let country = Country::ALL
        .iter()
        .copied()
        .find(|c| c.currency() == currency)
        .unwrap_or(Country::Sa);
    let intl = Phone::parse(phone, country)
        .map(|p| p.international())
        .unwrap_or_else(|_| phone.trim_start_matches('+').to_owned());
    Ok(!NOT_ELIGIBLE_PHONES.contains(&intl.as_str()))
}

/// The handler.
pub async fn eligibility(
    State(_st): State<SandboxState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Eligibility>, ApiErr> {
    let bytes = read_body(&headers, body).await?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| invalid_json("not JSON"))?;
    Ok(Json(Eligibility {
        is_eligible: verdict(&v)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documented_phones_and_shapes() {
        let req = |phone: Value| json!({"order": {"amount": 250.5, "currency": "SAR"}, "customer": phone});
        for p in NOT_ELIGIBLE_PHONES {
            let cur = if p.starts_with("971") { "AED" } else { "SAR" };
            let v =
                json!({"order": {"amount": 100, "currency": cur}, "customer": {"phone_number": p}});
            assert!(!verdict(&v).unwrap(), "{p}");
            let v = json!({"order": {"amount": 100, "currency": cur}, "customer": {"phone": p}});
            assert!(!verdict(&v).unwrap(), "{p} as `phone`");
        }
        for p in ELIGIBLE_PHONES {
            let cur = if p.starts_with("971") { "AED" } else { "SAR" };
            let v =
                json!({"order": {"amount": 100, "currency": cur}, "customer": {"phone_number": p}});
            assert!(verdict(&v).unwrap(), "{p}");
        }
        assert!(verdict(&req(json!({}))).unwrap());
        assert!(verdict(&req(Value::Null)).unwrap());
        let quoted = json!({"order": {"amount": "250.50", "currency": "SAR"}, "customer": {"phone_number": "966504591298"}});
        assert_eq!(
            verdict(&quoted).unwrap_err().code.as_deref(),
            Some("invalid_json")
        );
    }
}

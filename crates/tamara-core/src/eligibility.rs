//! `POST /pre-checkout/v1/eligibility` (catalogue row 25, `tamara-api.md` §14.1): before showing
//! Tamara at checkout, ask whether Tamara would treat this customer as eligible. The request's
//! `order.amount` is a JSON **number** (a quoted string is refused as invalid JSON by Tamara's
//! sandbox): it is written from minor units by [`Money`]'s serializer, never through `f64`.
//! Callers give it a short budget (Tamara says 200 ms) and show Tamara when no answer comes
//! ("fail open").

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::http::{json_body, parse_default, Endpoint, Method};
use crate::money::Money;

/// Tamara's documented time budget for the eligibility call, in milliseconds.
pub const BUDGET_MS: u32 = 200;

/// The customer part of the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityCustomer {
    /// International digits without `+` (`966501234567`). Some clients send `phone`.
    #[serde(alias = "phone")]
    pub phone_number: String,
    /// E-mail, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// `POST /pre-checkout/v1/eligibility`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckEligibility {
    /// Amount (a JSON number) and currency.
    pub order: Money,
    /// Who is paying.
    pub customer: EligibilityCustomer,
}

/// The answer: `{"is_eligible": bool}` (third-party clients also accept `eligible`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    /// Whether Tamara should be shown as selectable.
    #[serde(alias = "eligible")]
    pub is_eligible: bool,
}

impl Endpoint for CheckEligibility {
    type Response = Eligibility;
    const METHOD: Method = Method::Post;
    fn path(&self) -> String {
        "/pre-checkout/v1/eligibility".to_owned()
    }
    fn body(&self) -> Option<Vec<u8>> {
        json_body(self)
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<Eligibility, ApiError> {
        parse_default(status, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    #[test]
    fn amount_is_a_json_number_written_exactly() {
        let req = CheckEligibility {
            order: Money::from_minor(12_345_678_901, Currency::Sar).unwrap(),
            customer: EligibilityCustomer {
                phone_number: "966501234567".into(),
                email: None,
            },
        };
        let body = String::from_utf8(req.body().unwrap()).unwrap();
        assert_eq!(
            body,
            r#"{"order":{"amount":123456789.01,"currency":"SAR"},"customer":{"phone_number":"966501234567"}}"#
        );
        let kwd = Money::from_minor(1_005, Currency::Kwd).unwrap();
        let v = serde_json::to_value(CheckEligibility {
            order: kwd,
            customer: req.customer.clone(),
        })
        .unwrap();
        assert!(v["order"]["amount"].is_number());
        assert_eq!(v["order"]["amount"].to_string(), "1.005");
    }

    #[test]
    fn answer_and_aliases() {
        assert!(
            CheckEligibility::parse_response(200, br#"{"is_eligible":true}"#)
                .unwrap()
                .is_eligible
        );
        assert!(
            !CheckEligibility::parse_response(200, br#"{"eligible":false}"#)
                .unwrap()
                .is_eligible
        );
        let r: CheckEligibility = serde_json::from_str(
            r#"{"order":{"amount":10,"currency":"AED"},"customer":{"phone":"971501234567"}}"#,
        )
        .unwrap();
        assert_eq!(r.customer.phone_number, "971501234567");
    }
}

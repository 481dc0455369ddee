//! The plan the shopper picked (`payment_type`, `instalments`), checked against the plans the
//! Worker computes itself for the priced cart: never the browser's word.

use tamara_core::PaymentType;

use super::checkout::CheckoutIn;
use crate::error::{AppError, AppResult};

/// 422 `plan_not_available`: the plan the browser sent is not one Tamara offers for this cart.
fn plan_not_available() -> AppError {
    AppError::unprocessable(
        "plan_not_available",
        "the chosen payment plan is not offered for this order",
    )
}

/// The plan the shopper picked, if any, checked against `offered` (the plans computed here for
/// the priced cart: never the browser's word): `(payment_type, instalments)`, instalments only
/// for `PAY_BY_INSTALMENTS`.
pub fn chosen_plan(
    input: &CheckoutIn,
    offered: &[(PaymentType, u32)],
) -> AppResult<Option<(PaymentType, Option<u32>)>> {
    let Some(name) = input.payment_type.as_deref() else {
        return match input.instalments {
            None => Ok(None),
            Some(_) => Err(plan_not_available()),
        };
    };
    let pt = PaymentType::parse(name.trim());
    let n = if pt == PaymentType::PayByInstalments {
        input.instalments.ok_or_else(plan_not_available)?
    } else {
        match input.instalments {
            None | Some(1) => 1,
            Some(_) => return Err(plan_not_available()),
        }
    };
    if !offered.iter().any(|(o, k)| *o == pt && *k == n) {
        return Err(plan_not_available());
    }
    let instalments = (pt == PaymentType::PayByInstalments).then_some(n);
    Ok(Some((pt, instalments)))
}

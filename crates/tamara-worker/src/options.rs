//! Payment options for an amount, from Tamara's payment types (limits and instalment counts):
//! which plans apply, each instalment via `Money::split` (the remainder goes to the first
//! instalments, so they always add up), bilingual labels, and why nothing applies.

use serde_json::{json, Value};
use tamara_core::checkout::PaymentTypeInfo;
use tamara_core::display::money_text;
use tamara_core::{Money, PaymentType};

use crate::views::money_json;

/// Labels in each language, with the amount written by [`money_text`], as the widget writes
/// its own amounts (English `SAR\u{a0}1,234.50`, Arabic `\u{200f}1,234.50\u{a0}ر.س.\u{200f}`;
/// a no-break space keeps the pair on one line).
fn label(pt: &PaymentType, n: u32, each: Money) -> (String, String) {
    let en_amt = money_text(each, false);
    let ar_amt = money_text(each, true);
    match pt {
        PaymentType::PayByInstalments => (
            format!("Split in {n} payments of {en_amt}, no interest or hidden fees"),
            format!("قسّمها على {n} دفعات بقيمة {ar_amt} بدون فوائد أو رسوم خفية"),
        ),
        PaymentType::PayNow => (
            format!("Pay {en_amt} in full with Tamara"),
            format!("ادفع {ar_amt} كاملة مع تمارا"),
        ),
        PaymentType::PayNextMonth | PaymentType::PayByLater => (
            format!("Pay {en_amt} next month, no fees"),
            format!("ادفع {ar_amt} الشهر القادم بدون رسوم"),
        ),
        PaymentType::Unknown(s) => (format!("{s}: {en_amt}"), format!("{s}: {ar_amt}")),
    }
}

fn option(pt: &PaymentType, n: u32, amount: Money) -> Value {
    let parts = amount.split(n.max(1));
    let first = parts.first().copied().unwrap_or(amount);
    let (en, ar) = label(pt, n.max(1), first);
    json!({
        "payment_type": pt.as_str(),
        "instalments": n.max(1),
        "instalment_amount": money_json(first),
        "instalments_amounts": parts.iter().map(|p| money_json(*p)).collect::<Vec<_>>(),
        "label_en": en,
        "label_ar": ar,
    })
}

/// The plans Tamara offers for `amount`: `(payment type, instalments)`, instalments `1` for the
/// types paid at once. The widget shows these, and create-checkout accepts only one of them.
pub fn plans(types: &[PaymentTypeInfo], amount: Money) -> Vec<(PaymentType, u32)> {
    let mut plans = Vec::new();
    for t in types
        .iter()
        .filter(|t| t.min_limit.currency() == amount.currency())
    {
        if t.name == PaymentType::PayByInstalments {
            if t.supported_instalments.is_empty() {
                if t.allows(amount) {
                    plans.push((t.name.clone(), 4));
                }
            } else {
                for si in &t.supported_instalments {
                    let ok = amount.currency() == si.min_limit.currency()
                        && amount.minor() >= si.min_limit.minor()
                        && amount.minor() <= si.max_limit.minor()
                        && si.instalments > 0;
                    if ok {
                        plans.push((t.name.clone(), si.instalments));
                    }
                }
            }
        } else if t.allows(amount) {
            plans.push((t.name.clone(), 1));
        }
    }
    plans
}

/// Builds the `GET /api/payment-options` answer for `amount`. `pre_check` is Tamara's
/// availability verdict for this shopper (when a phone was given). An amount outside Tamara's
/// limits says so, whatever the pre-check answered (Tamara refuses such an amount for everyone).
pub fn build(types: &[PaymentTypeInfo], amount: Money, pre_check: Option<bool>) -> Value {
    let same_currency: Vec<&PaymentTypeInfo> = types
        .iter()
        .filter(|t| t.min_limit.currency() == amount.currency())
        .collect();
    let options: Vec<Value> = plans(types, amount)
        .iter()
        .map(|(pt, n)| option(pt, *n, amount))
        .collect();
    let min = same_currency
        .iter()
        .map(|t| t.min_limit)
        .min_by_key(|m| m.minor());
    let max = same_currency
        .iter()
        .map(|t| t.max_limit)
        .max_by_key(|m| m.minor());
    let reason = if options.is_empty() {
        match (min, max) {
            (Some(lo), _) if amount.minor() < lo.minor() => Some(json!({
                "code": "amount_below_minimum",
                "message": format!("Tamara is available from {}", money_text(lo, false)),
            })),
            (_, Some(hi)) if amount.minor() > hi.minor() => Some(json!({
                "code": "amount_above_maximum",
                "message": format!("Tamara is available up to {}", money_text(hi, false)),
            })),
            _ => Some(json!({"code": "not_available",
                             "message": "Tamara is not available for this amount"})),
        }
    } else if pre_check == Some(false) {
        Some(json!({"code": "not_available_for_customer",
                    "message": "Tamara is not available for this customer"}))
    } else {
        None
    };
    let available = reason.is_none();
    json!({
        "available": available,
        "amount": money_json(amount),
        "reason": reason,
        "options": if available { options } else { Vec::new() },
        "min_limit": min.map(money_json),
        "max_limit": max.map(money_json),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamara_core::Currency;

    fn types() -> Vec<PaymentTypeInfo> {
        serde_json::from_value(json!([
            {"name": "PAY_BY_INSTALMENTS", "description": "",
             "min_limit": {"amount": 100, "currency": "SAR"},
             "max_limit": {"amount": 5000, "currency": "SAR"},
             "supported_instalments": [
                {"instalments": 3, "min_limit": {"amount": 100, "currency": "SAR"}, "max_limit": {"amount": 5000, "currency": "SAR"}},
                {"instalments": 4, "min_limit": {"amount": 200, "currency": "SAR"}, "max_limit": {"amount": 5000, "currency": "SAR"}}
             ]},
            {"name": "PAY_NOW", "min_limit": {"amount": 1, "currency": "SAR"}, "max_limit": {"amount": 20000, "currency": "SAR"}}
        ]))
        .unwrap()
    }

    fn sar(minor: u64) -> Money {
        Money::from_minor(minor, Currency::Sar).unwrap()
    }

    #[test]
    fn instalments_add_up() {
        let v = build(&types(), sar(23000), None);
        assert_eq!(v["available"], true);
        let opts = v["options"].as_array().unwrap();
        assert_eq!(opts.len(), 3);
        let four = opts.iter().find(|o| o["instalments"] == 4).unwrap();
        assert_eq!(four["instalment_amount"]["amount"], "57.50");
        assert_eq!(
            four["label_en"],
            "Split in 4 payments of SAR\u{a0}57.50, no interest or hidden fees"
        );
        assert!(four["label_ar"]
            .as_str()
            .unwrap()
            .contains("\u{200f}57.50\u{a0}ر.س.\u{200f}"));
        // Amounts of 1,000 and more are grouped, exactly as the widget groups them.
        let big = build(&types(), sar(1_000_000), None);
        let pay_now = big["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["payment_type"] == "PAY_NOW")
            .unwrap();
        assert_eq!(
            pay_now["label_en"],
            "Pay SAR\u{a0}10,000.00 in full with Tamara"
        );
        assert_eq!(
            pay_now["label_ar"],
            "ادفع \u{200f}10,000.00\u{a0}ر.س.\u{200f} كاملة مع تمارا"
        );
        let three = opts.iter().find(|o| o["instalments"] == 3).unwrap();
        let sum: u64 = three["instalments_amounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["minor"].as_u64().unwrap())
            .sum();
        assert_eq!(sum, 23000);
        assert_eq!(three["instalment_amount"]["amount"], "76.67");
        assert_eq!(v["min_limit"]["amount"], "1.00");
    }

    #[test]
    fn reasons() {
        let v = build(&types()[..1], sar(5000), None);
        assert_eq!(v["available"], false);
        assert_eq!(v["reason"]["code"], "amount_below_minimum");
        assert_eq!(
            v["reason"]["message"],
            "Tamara is available from SAR\u{a0}100.00"
        );
        assert!(v["options"].as_array().unwrap().is_empty());
        let v = build(&types()[..1], sar(600_000), None);
        assert_eq!(v["reason"]["code"], "amount_above_maximum");
        assert_eq!(
            v["reason"]["message"],
            "Tamara is available up to SAR\u{a0}5,000.00"
        );
        let v = build(&types(), sar(23000), Some(false));
        assert_eq!(v["reason"]["code"], "not_available_for_customer");
        // Over the limit with a phone: the pre-check refuses too, but the amount is the reason.
        let v = build(&types()[..1], sar(600_000), Some(false));
        assert_eq!(v["reason"]["code"], "amount_above_maximum");
        assert_eq!(
            plans(&types(), sar(23000)),
            vec![
                (PaymentType::PayByInstalments, 3),
                (PaymentType::PayByInstalments, 4),
                (PaymentType::PayNow, 1)
            ]
        );
        assert_eq!(
            plans(&types(), sar(15000)),
            vec![(PaymentType::PayByInstalments, 3), (PaymentType::PayNow, 1)]
        );
        let v = build(&[], sar(23000), None);
        assert_eq!(v["reason"]["code"], "not_available");
        assert_eq!(
            v["reason"]["message"],
            "Tamara is not available for this amount"
        );
    }
}

//! The widget's money text is a copy of `tamara_core::display::money_text` (the widget does not
//! link tamara-core, to keep the wasm small): this native test holds the two to the same output
//! for every Tamara currency, both languages and the edge amounts. `tamara-core` is a native-only
//! dev-dependency of the widget, never a dependency of its wasm.
#![cfg(not(target_arch = "wasm32"))]

use tamara_core::display::money_text as core_money_text;
use tamara_core::money::{Currency, Money, MAX_MINOR};
use tamara_widget::state::{currency_exponent, money_text, Lang};

/// Minor amounts worth checking in a currency of `exponent` decimals.
fn amounts(exponent: u32) -> Vec<u64> {
    let unit = 10u64.pow(exponent);
    let mut out = vec![
        0,
        1,                         // one minor unit
        9,                         // the largest single digit
        10,                        // the first two-digit fraction
        unit - 1,                  // 0.99 / 0.999
        unit,                      // 1.00 / 1.000
        999 * unit,                // 999: the last amount without a separator
        999 * unit + (unit - 1),   // 999.99 / 999.999
        1_000 * unit,              // 1,000: the first separator
        1_000 * unit + 1,          // 1,000.01 / 1,000.001
        9_999 * unit + 5,          // 9,999.05
        10_000 * unit,             // 10,000
        100_000 * unit,            // 100,000
        999_999 * unit + unit - 1, // 999,999.99
        1_000_000 * unit + 45,     // 1,000,000.45 / 1,000,000.045
        1_234_567 * unit + 89,     // 1,234,567.89 / 1,234,567.089
        1_234,                     // 12.34 / 1.234: every decimal used
        123_456_789,               // 1,234,567.89 / 123,456.789
        1_234_567_125,             // 12,345,671.25 / 1,234,567.125
        20_000 * unit,             // a typical Tamara pay-now maximum
        50_000 * unit,             // a typical Tamara instalments maximum
        MAX_MINOR - 1,             // just under the largest amount core accepts
        MAX_MINOR,                 // the largest amount core accepts (10^15 minor units)
    ];
    // Every power of ten and every number of integer digits up to the maximum.
    let mut p = 1u64;
    while p <= MAX_MINOR {
        out.push(p);
        out.push(p.saturating_mul(7) / 3);
        p *= 10;
    }
    out.retain(|m| *m <= MAX_MINOR);
    out
}

#[test]
fn widget_money_text_equals_core_for_every_currency_language_and_edge_amount() {
    let mut checked = 0;
    for currency in Currency::ALL {
        let code = currency.code();
        let exponent = currency_exponent(code).expect("the widget knows every Tamara currency");
        assert_eq!(exponent, currency.exponent(), "{code}");
        for minor in amounts(exponent) {
            let money = Money::from_minor(minor, currency).unwrap();
            for (lang, arabic) in [(Lang::En, false), (Lang::Ar, true)] {
                let widget = money_text(lang, code, exponent, minor);
                let core = core_money_text(money, arabic);
                assert_eq!(widget, core, "{code} {minor} {lang:?}");
                checked += 1;
            }
        }
    }
    assert!(checked > 6 * 2 * 30, "{checked}");
}

#[test]
fn spot_checks() {
    // 3 decimals, grouping and the Arabic sign, from both sides.
    let kwd = Money::from_minor(1_000_000_045, Currency::Kwd).unwrap();
    assert_eq!(core_money_text(kwd, false), "KWD\u{a0}1,000,000.045");
    assert_eq!(
        money_text(Lang::Ar, "KWD", 3, 1_000_000_045),
        "\u{200f}1,000,000.045\u{a0}د.ك.\u{200f}"
    );
    let sar = Money::from_minor(MAX_MINOR, Currency::Sar).unwrap();
    assert_eq!(
        money_text(Lang::En, "SAR", 2, MAX_MINOR),
        core_money_text(sar, false)
    );
    assert_eq!(
        core_money_text(sar, false),
        "SAR\u{a0}10,000,000,000,000.00"
    );
}

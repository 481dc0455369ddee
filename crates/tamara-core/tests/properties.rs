//! Property tests (native only): exact money round trips for every currency, checked arithmetic,
//! instalment splits, and the order state machine under arbitrary event sequences.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use proptest::prelude::*;
use tamara_core::lifecycle::{self, Channel, Event, OrderState};
use tamara_core::money::{MoneyError, MAX_MINOR};
use tamara_core::timestamp::duration;
use tamara_core::{Currency, Money, OrderStatus, Timestamp};

/// Cases per money property.
const MONEY_CASES: u32 = 1024;
/// Cases (event sequences) for the state machine.
const MACHINE_CASES: u32 = 512;

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(Currency::ALL.to_vec())
}

fn minor() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..1000,
        0u64..10_000_000,
        0u64..=MAX_MINOR,
        Just(MAX_MINOR),
    ]
}

/// `digits` as u64 (all ASCII digits, at most 19 of them).
fn num(digits: &str) -> u64 {
    if digits.is_empty() {
        0
    } else {
        digits.parse().unwrap()
    }
}

fn pow10(n: u32) -> u64 {
    10u64.pow(n)
}

/// Significant digits of an integer part and a fraction written together.
fn significant(int: &str, frac: &str) -> usize {
    let all = format!("{int}{frac}");
    let t = all.trim_start_matches('0').trim_end_matches('0');
    t.len()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(MONEY_CASES))]

    /// minor → JSON → Money is the identity, and the JSON number is the exact decimal.
    #[test]
    fn money_json_round_trip(c in currency(), m in minor()) {
        let money = Money::from_minor(m, c).unwrap();
        let json = serde_json::to_string(&money).unwrap();
        let back: Money = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, money);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let written = v["amount"].to_string();
        prop_assert!(!written.contains(['e', 'E']), "{}", written);
        prop_assert_eq!(
            common::canonical_number(&written),
            common::canonical_number(&money.to_decimal_string())
        );
        prop_assert_eq!(v["currency"].as_str(), Some(c.code()));
    }

    /// decimal string → Money → decimal string is the identity.
    #[test]
    fn money_decimal_string_round_trip(c in currency(), m in minor()) {
        let money = Money::from_minor(m, c).unwrap();
        let text = money.to_decimal_string();
        let (int, frac) = text.split_once('.').unwrap();
        prop_assert_eq!(frac.len(), c.exponent() as usize);
        prop_assert!(int == "0" || !int.starts_with('0'));
        let back = Money::parse(&text, c).unwrap();
        prop_assert_eq!(back, money);
        prop_assert_eq!(back.to_decimal_string(), text);
    }

    /// Any JSON number literal with at most `exponent` significant decimals (plain or exponent
    /// form, with or without trailing zeros) parses to exactly the right minor units.
    #[test]
    fn money_json_literals_parse_exactly(
        c in currency(),
        int in "(0|[1-9][0-9]{0,9})",
        frac_raw in "[0-9]{0,3}",
        trailing in 0usize..3,
        exp_form in any::<bool>(),
    ) {
        let e = c.exponent() as usize;
        let frac: String = frac_raw.chars().take(e).collect();
        prop_assume!(significant(&int, &frac) <= 15);
        let expected = num(&int) * c.scale() + num(&frac) * pow10((e - frac.len()) as u32);
        let zeros = "0".repeat(trailing);
        let literal = if exp_form {
            // digits × 10^-(frac.len()): e.g. 1.125 → 1125e-3.
            let digits = format!("{int}{frac}");
            let digits = digits.trim_start_matches('0');
            let digits = if digits.is_empty() { "0" } else { digits };
            format!("{digits}e-{}", frac.len())
        } else if frac.is_empty() && trailing == 0 {
            int.clone()
        } else {
            format!("{int}.{frac}{zeros}")
        };
        let json = format!(r#"{{"amount":{literal},"currency":"{}"}}"#, c.code());
        let m: Money = serde_json::from_str(&json).map_err(|er| TestCaseError::fail(format!("{json}: {er}")))?;
        prop_assert_eq!(m.minor(), expected, "{}", json);
        prop_assert_eq!(m.currency(), c);
        // The same text through the string parser.
        prop_assert_eq!(Money::parse(&literal, c).unwrap().minor(), expected);
    }

    /// More decimals than the currency has, with a nonzero digit among the extra ones, are
    /// refused: exactly by `Money::parse` for any length, and through JSON numbers as long as
    /// the literal fits an IEEE double (≤ 15 significant digits).
    #[test]
    fn money_extra_decimals_rejected(
        c in currency(),
        int in "(0|[1-9][0-9]{0,8})",
        kept in "[0-9]{3}",
        extra in "[0-9]{0,3}[1-9]",
    ) {
        let e = c.exponent() as usize;
        let frac = format!("{}{extra}", &kept[..e]);
        let text = format!("{int}.{frac}");
        let is_too_many = matches!(Money::parse(&text, c), Err(MoneyError::TooManyDecimals { .. }));
        prop_assert!(is_too_many, "{}", text);
        let long = format!("{text}{}", "7".repeat(30));
        let is_too_many = matches!(Money::parse(&long, c), Err(MoneyError::TooManyDecimals { .. }));
        prop_assert!(is_too_many, "{}", long);
        if significant(&int, &frac) <= 15 {
            let json = format!(r#"{{"amount":{text},"currency":"{}"}}"#, c.code());
            let r = serde_json::from_str::<Money>(&json);
            prop_assert!(r.is_err(), "{} parsed as {:?}", json, r);
        }
    }

    /// `Money::parse` (used on the Worker's decimal-string inputs) never panics, never
    /// allocates for huge exponents, and whatever it accepts round-trips.
    #[test]
    fn money_parse_is_total(
        c in currency(),
        text in prop_oneof![
            "[-+]?[0-9]{0,25}(\\.[0-9]{0,25})?([eE][-+]?[0-9]{1,11})?",
            "[-+]?[0-9]{0,3}(\\.[0-9]{0,3})?[eE]-21474836[0-9]{2}",
            ".{0,40}",
        ],
    ) {
        if let Ok(m) = Money::parse(&text, c) {
            prop_assert!(m.minor() <= MAX_MINOR);
            prop_assert_eq!(m.currency(), c);
            prop_assert_eq!(Money::parse(&m.to_decimal_string(), c).unwrap(), m);
        }
        let json = serde_json::json!({"amount": text, "currency": c.code()});
        let _ = serde_json::from_value::<Money>(json);
    }

    /// Checked arithmetic never panics and agrees with u128 arithmetic.
    #[test]
    fn arithmetic_is_total(
        a in any::<u64>(), b in any::<u64>(), n in any::<u64>(),
        ca in currency(), cb in currency(),
    ) {
        let (ma, mb) = (Money::from_minor(a, ca), Money::from_minor(b, cb));
        prop_assert_eq!(ma.is_ok(), a <= MAX_MINOR);
        let (Ok(ma), Ok(mb)) = (ma, mb) else { return Ok(()) };
        let same = ca == cb;
        let sum = ma.checked_add(mb);
        prop_assert_eq!(sum.is_ok(), same && u128::from(a) + u128::from(b) <= u128::from(MAX_MINOR));
        if let Ok(s) = sum { prop_assert_eq!(s.minor(), a + b); }
        let diff = ma.checked_sub(mb);
        prop_assert_eq!(diff.is_ok(), same && a >= b);
        if let Ok(d) = diff { prop_assert_eq!(d.minor(), a - b); }
        let prod = ma.checked_mul(n);
        prop_assert_eq!(prod.is_ok(), u128::from(a) * u128::from(n) <= u128::from(MAX_MINOR));
        if let Ok(p) = prod { prop_assert_eq!(u128::from(p.minor()), u128::from(a) * u128::from(n)); }
        prop_assert_eq!(ma.checked_cmp(mb).ok(), same.then(|| a.cmp(&b)));
        let total = Money::sum(ca, [ma, mb]);
        prop_assert_eq!(total.is_ok(), sum.is_ok());
    }

    /// `split(n)` has n parts that add up to the total, differ by at most one minor unit and
    /// put the remainder first.
    #[test]
    fn split_sums_to_total(c in currency(), m in minor(), n in 0u32..=48) {
        let money = Money::from_minor(m, c).unwrap();
        let parts = money.split(n);
        prop_assert_eq!(parts.len(), n as usize);
        if n == 0 { return Ok(()); }
        prop_assert_eq!(Money::sum(c, parts.iter().copied()).unwrap(), money);
        let max = parts.iter().map(|p| p.minor()).max().unwrap();
        let min = parts.iter().map(|p| p.minor()).min().unwrap();
        prop_assert!(max - min <= 1);
        prop_assert!(parts.windows(2).all(|w| w[0].minor() >= w[1].minor()));
        prop_assert!(parts.iter().all(|p| p.currency() == c));
    }
}

// ---------------------------------------------------------------------------------------------
// State machine
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Event(Event),
    /// Run whatever timers are due.
    Timers,
}

/// An amount around the interesting range of an order of `total` minor units; sometimes in
/// another currency.
fn amount(c: Currency, total: u64) -> impl Strategy<Value = Money> {
    let same = prop_oneof![
        3 => 0..=total.saturating_add(2),
        1 => Just(total),
        1 => 1..=(total / 3).max(1),
        1 => 0u64..3,
        1 => total..=total.saturating_mul(2).min(MAX_MINOR),
    ]
    .prop_map(move |m| Money::from_minor(m, c).unwrap());
    prop_oneof![
        12 => same,
        1 => (currency(), 0u64..1000).prop_map(|(c2, m)| Money::from_minor(m, c2).unwrap()),
    ]
}

fn op(c: Currency, total: u64, in_store: bool) -> impl Strategy<Value = Op> {
    let pay = if in_store { 6 } else { 1 };
    prop_oneof![
        3 => Just(Op::Event(Event::Approve)),
        1 => Just(Op::Event(Event::Decline)),
        1 => Just(Op::Event(Event::Expire)),
        3 => any::<bool>().prop_map(|auto_capture| Op::Event(Event::Authorise { auto_capture })),
        4 => amount(c, total).prop_map(|amount| Op::Event(Event::Cancel { amount })),
        4 => amount(c, total).prop_map(|amount| Op::Event(Event::Capture { amount })),
        4 => amount(c, total).prop_map(|amount| Op::Event(Event::Refund { amount })),
        pay => Just(Op::Event(Event::PayInStore)),
        1 => Just(Op::Event(Event::Void)),
        2 => Just(Op::Event(Event::AutoCapture)),
        2 => Just(Op::Timers),
    ]
}

/// Milliseconds to move the clock before an operation.
fn time_step() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => 0i64..duration::MINUTE,
        2 => 0i64..(40 * duration::MINUTE),
        1 => 0i64..(80 * duration::HOUR),
        1 => 0i64..(25 * duration::DAY),
    ]
}

#[derive(Debug, Clone)]
struct Scenario {
    channel: Channel,
    total: Money,
    start: Timestamp,
    expires_in_ms: Option<i64>,
    steps: Vec<(i64, Op)>,
}

/// A scenario; half of them start with the shopper paying (and, online, the merchant
/// authorising) so that the later, money-moving states are visited often.
fn scenario() -> impl Strategy<Value = Scenario> {
    (
        currency(),
        prop_oneof![1u64..100, 1u64..10_000_000, 1u64..=MAX_MINOR],
        any::<bool>(),
        0i64..4_000_000_000_000,
        prop::option::of(5 * duration::MINUTE..=1440 * duration::MINUTE),
        any::<bool>(),
    )
        .prop_flat_map(|(c, total, in_store, start, ttl, warm)| {
            prop::collection::vec((time_step(), op(c, total, in_store)), 1..48).prop_map(
                move |random| {
                    let mut steps = Vec::new();
                    if warm && in_store {
                        steps.push((0, Op::Event(Event::PayInStore)));
                    } else if warm {
                        steps.push((0, Op::Event(Event::Approve)));
                        let auto_capture = false;
                        steps.push((0, Op::Event(Event::Authorise { auto_capture })));
                    }
                    steps.extend(random);
                    Scenario {
                        channel: if in_store {
                            Channel::InStore
                        } else {
                            Channel::Online
                        },
                        total: Money::from_minor(total, c).unwrap(),
                        start: Timestamp::from_millis(start),
                        expires_in_ms: ttl,
                        steps,
                    }
                },
            )
        })
}

/// Money books and status/money consistency that must hold in every reachable state.
fn check_invariants(o: &OrderState) -> Result<(), TestCaseError> {
    let c = o.total.currency();
    for m in [o.captured, o.refunded, o.canceled] {
        prop_assert_eq!(m.currency(), c);
    }
    let (t, cap, re, can) = (
        o.total.minor(),
        o.captured.minor(),
        o.refunded.minor(),
        o.canceled.minor(),
    );
    prop_assert!(can <= t, "canceled {} > total {}", can, t);
    prop_assert!(
        cap <= t - can,
        "captured {} > total {} - canceled {}",
        cap,
        t,
        can
    );
    prop_assert!(re <= cap, "refunded {} > captured {}", re, cap);
    prop_assert_eq!(o.capturable().minor(), t - can - cap);
    prop_assert_eq!(o.refundable().minor(), cap - re);
    use OrderStatus as S;
    match &o.status {
        S::New | S::Approved | S::Declined | S::Expired | S::Authorised => {
            prop_assert_eq!((cap, re), (0, 0), "{:?}", o);
        }
        S::Canceled => prop_assert_eq!((can, cap), (t, 0), "{:?}", o),
        S::Updated => prop_assert!(can > 0 && can < t && cap == 0, "{:?}", o),
        S::PartiallyCaptured => prop_assert!(cap > 0 && cap < t - can && re == 0, "{:?}", o),
        S::FullyCaptured => prop_assert!(cap == t - can && cap > 0 && re == 0, "{:?}", o),
        S::PartiallyRefunded => prop_assert!(re > 0 && (re < cap || cap < t - can), "{:?}", o),
        S::FullyRefunded => prop_assert!(re == cap && cap == t - can && re > 0, "{:?}", o),
        S::Unknown(s) => prop_assert!(false, "unknown status {}", s),
    }
    if o.status.is_paid() {
        prop_assert!(
            o.approved_at.is_some() || o.authorised_at.is_some(),
            "{:?}",
            o
        );
    }
    Ok(())
}

/// One accepted step from `before` to `after`.
fn check_step(
    before: &OrderState,
    out: &lifecycle::Outcome,
    what: &str,
) -> Result<(), TestCaseError> {
    let after = &out.order;
    if !out.changed {
        prop_assert_eq!(after, before, "no-op changed the order: {}", what);
        prop_assert!(out.effects.is_empty(), "no-op with effects: {}", what);
        return Ok(());
    }
    prop_assert!(
        after.status == before.status || lifecycle::is_forward(&before.status, &after.status),
        "{}: {} -> {} is not forward",
        what,
        before.status,
        after.status
    );
    prop_assert!(
        !out.effects.is_empty(),
        "change without a notification: {}",
        what
    );
    prop_assert!(
        after.captured.minor() >= before.captured.minor(),
        "{}",
        what
    );
    prop_assert!(
        after.refunded.minor() >= before.refunded.minor(),
        "{}",
        what
    );
    prop_assert!(
        after.canceled.minor() >= before.canceled.minor(),
        "{}",
        what
    );
    prop_assert_eq!(after.total, before.total);
    prop_assert_eq!(after.channel, before.channel);
    prop_assert_eq!(after.created_at, before.created_at);
    prop_assert!(
        !before.status.is_terminal(),
        "{}: left terminal {}",
        what,
        before.status
    );
    // Money effects carry exactly the amount that moved.
    let moved = (after.captured.minor() - before.captured.minor())
        + (after.refunded.minor() - before.refunded.minor())
        + (after.canceled.minor() - before.canceled.minor());
    let notified: u64 = out
        .effects
        .iter()
        .map(|lifecycle::Effect::Notify { amount, .. }| amount.map_or(0, |m| m.minor()))
        .sum();
    prop_assert_eq!(moved, notified, "{}: effects {:?}", what, out.effects);
    check_invariants(after)
}

/// Runs one scenario, checking every step; records the statuses and refusal codes it saw.
fn run_scenario(
    s: &Scenario,
    seen: &mut std::collections::BTreeMap<String, usize>,
) -> Result<(), TestCaseError> {
    let mut order = match s.channel {
        Channel::Online => OrderState::new_online(s.total, s.start, s.expires_in_ms),
        Channel::InStore => OrderState::new_in_store(s.total, s.start, s.expires_in_ms),
    };
    check_invariants(&order)?;
    let mut now = s.start;
    for (i, (dt, op)) in s.steps.iter().enumerate() {
        now = now.plus(*dt);
        let what = format!("step {i} {op:?} at +{} ms", now.since(s.start));
        match op {
            Op::Event(ev) => match lifecycle::apply(&order, ev, now) {
                Ok(out) => {
                    check_step(&order, &out, &what)?;
                    order = out.order;
                }
                // Refusals carry a stable code; the order is untouched (it is only borrowed).
                Err(e) => {
                    *seen.entry(format!("error:{}", e.code())).or_default() += 1;
                }
            },
            Op::Timers => {
                let out = lifecycle::run_timers(&order, now);
                check_step(&order, &out, &what)?;
                prop_assert_eq!(lifecycle::due_event(&out.order, now), None, "{}", what);
                order = out.order;
            }
        }
        *seen
            .entry(format!("{:?}:{}", order.channel, order.status))
            .or_default() += 1;
        if lifecycle::next_deadline(&order).is_some() {
            prop_assert!(
                !order.status.is_terminal(),
                "timer on terminal {}",
                order.status
            );
        }
    }
    Ok(())
}

/// The state machine under `MACHINE_CASES` arbitrary event sequences (online and in-store, any
/// currency, arbitrary amounts and clock steps). Also checks that the generator actually
/// reaches every status and every kind of refusal, so the property is not vacuous.
#[test]
fn state_machine_is_forward_only_and_keeps_the_books() {
    use proptest::test_runner::{Config, TestRunner};
    let seen = std::cell::RefCell::new(std::collections::BTreeMap::new());
    let mut runner = TestRunner::new(Config {
        cases: MACHINE_CASES,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&scenario(), |s| run_scenario(&s, &mut seen.borrow_mut()))
        .unwrap_or_else(|e| panic!("{e}"));
    let seen = seen.into_inner();
    for s in OrderStatus::KNOWN {
        assert!(
            seen.contains_key(&format!("Online:{s}")),
            "online never reached {s}: {seen:?}"
        );
    }
    for s in [
        "new",
        "declined",
        "expired",
        "canceled",
        "fully_captured",
        "partially_refunded",
        "fully_refunded",
    ] {
        assert!(
            seen.contains_key(&format!("InStore:{s}")),
            "in-store never reached {s}: {seen:?}"
        );
    }
    for code in [
        "invalid_transition",
        "wrong_channel",
        "zero_amount",
        "capture_exceeds_remaining",
        "refund_exceeds_captured",
        "cancel_exceeds_remaining",
        "not_due",
        "currency_mismatch",
    ] {
        assert!(
            seen.contains_key(&format!("error:{code}")),
            "never refused with {code}: {seen:?}"
        );
    }
}

fn status_strategy() -> impl Strategy<Value = OrderStatus> {
    prop_oneof![
        10 => prop::sample::select(OrderStatus::KNOWN.to_vec()),
        1 => "[a-z_]{1,12}".prop_map(|s| OrderStatus::parse(&s)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(MACHINE_CASES))]

    /// `advance` only ever moves forward, and only to the remote status.
    #[test]
    fn advance_is_forward_only(local in status_strategy(), remote in status_strategy()) {
        match lifecycle::advance(&local, &remote) {
            Some(next) => {
                prop_assert_eq!(&next, &remote);
                prop_assert!(local != remote);
                prop_assert!(lifecycle::is_forward(&local, &next));
                prop_assert!(!lifecycle::is_forward(&next, &local), "cycle {} <-> {}", local, next);
                prop_assert!(!local.is_terminal());
            }
            None => prop_assert!(local == remote || !lifecycle::is_forward(&local, &remote)),
        }
        // The graph is acyclic.
        prop_assert!(!(lifecycle::is_forward(&local, &remote) && lifecycle::is_forward(&remote, &local)));
    }
}

//! Helpers shared by the integration tests: embedded fixtures and a semantic JSON comparison
//! that reports the JSON path of every difference.
#![allow(dead_code)]

pub mod fixtures;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tamara_core::Timestamp;

/// How a fixture may legitimately differ from what the type writes back.
#[derive(Debug, Default, Clone)]
pub struct Allow<'a> {
    /// Paths the type drops on purpose (e.g. a `null` optional that is skipped when absent).
    pub dropped: &'a [&'a str],
    /// Paths the type writes in a normal form: (path, value the type must write there).
    pub normalized: &'a [(&'a str, &'a str)],
    /// Paths the type writes although the fixture lacks them (defaults of absent fields).
    pub added: &'a [&'a str],
}

impl<'a> Allow<'a> {
    pub const NONE: Allow<'static> = Allow {
        dropped: &[],
        normalized: &[],
        added: &[],
    };
}

/// A number literal as canonical exact decimal text (`300.00` → `300`, `1.1250` → `1.125`,
/// `1e2` → `100`), so numbers compare by value without floating-point arithmetic.
pub fn canonical_number(text: &str) -> String {
    let (neg, body) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mantissa, exp): (&str, i64) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse().expect("exponent")),
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits = format!("{int}{frac}");
    // value = digits * 10^(exp - frac.len())
    let mut point = int.len() as i64 + exp; // position of the decimal point in `digits`
    if point < 0 {
        digits.insert_str(0, &"0".repeat(usize::try_from(-point).unwrap()));
        point = 0;
    }
    let point = usize::try_from(point).unwrap();
    if digits.len() < point {
        digits.push_str(&"0".repeat(point - digits.len()));
    }
    let (i, f) = digits.split_at(point);
    let i = i.trim_start_matches('0');
    let f = f.trim_end_matches('0');
    let i = if i.is_empty() { "0" } else { i };
    let sign = if neg && (i != "0" || !f.is_empty()) {
        "-"
    } else {
        ""
    };
    if f.is_empty() {
        format!("{sign}{i}")
    } else {
        format!("{sign}{i}.{f}")
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Compares `expected` (the fixture) with `actual` (what the type wrote): numbers by value,
/// RFC 3339 strings as instants, objects by key set. Returns one line per difference.
pub fn diff(expected: &Value, actual: &Value, allow: &Allow<'_>) -> Vec<String> {
    let mut out = Vec::new();
    walk("", expected, actual, allow, &mut out);
    out
}

fn walk(path: &str, e: &Value, a: &Value, allow: &Allow<'_>, out: &mut Vec<String>) {
    if let Some((_, norm)) = allow.normalized.iter().find(|(p, _)| *p == path) {
        let norm: Value = serde_json::from_str(norm).expect("normalized value is JSON");
        if !same_scalar_or_deep(&norm, a) {
            out.push(format!(
                "{path}: expected the normal form {norm}, the type wrote {a}"
            ));
        }
        return;
    }
    match (e, a) {
        (Value::Number(x), Value::Number(y)) => {
            if canonical_number(&x.to_string()) != canonical_number(&y.to_string()) {
                out.push(format!("{path}: number {x} != {y}"));
            }
        }
        (Value::String(x), Value::String(y)) => {
            if x != y {
                match (Timestamp::parse_rfc3339(x), Timestamp::parse_rfc3339(y)) {
                    (Some(tx), Some(ty)) if tx == ty => {}
                    _ => out.push(format!("{path}: string {x:?} != {y:?}")),
                }
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            for (k, ev) in x {
                let p = join(path, k);
                match y.get(k) {
                    Some(_) if allow.dropped.contains(&p.as_str()) => {
                        out.push(format!("{p}: listed as dropped but the type wrote it"));
                    }
                    Some(av) => walk(&p, ev, av, allow, out),
                    None if allow.dropped.contains(&p.as_str()) => {}
                    None => out.push(format!("{p}: missing from the output (fixture has {ev})")),
                }
            }
            for (k, av) in y {
                if !x.contains_key(k) && !allow.added.contains(&join(path, k).as_str()) {
                    out.push(format!(
                        "{}: written by the type but absent from the fixture ({av})",
                        join(path, k)
                    ));
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                out.push(format!("{path}: array length {} != {}", x.len(), y.len()));
            }
            for (i, (ev, av)) in x.iter().zip(y).enumerate() {
                walk(&format!("{path}[{i}]"), ev, av, allow, out);
            }
        }
        _ if e == a => {}
        _ => out.push(format!("{path}: {e} != {a}")),
    }
}

fn same_scalar_or_deep(e: &Value, a: &Value) -> bool {
    let mut out = Vec::new();
    walk("", e, a, &Allow::NONE, &mut out);
    out.is_empty()
}

/// Deserializes `json` into `T` (reporting the JSON path on failure), serializes it back,
/// compares semantically with the fixture, and checks that the output parses to the same value.
pub fn round_trip<T>(name: &str, json: &str, allow: &Allow<'_>) -> T
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let de = &mut serde_json::Deserializer::from_str(json);
    let typed: T = serde_path_to_error::deserialize(de)
        .unwrap_or_else(|e| panic!("{name}: does not parse at `{}`: {}", e.path(), e.inner()));
    let written = serde_json::to_value(&typed).expect("serializes");
    let fixture: Value = serde_json::from_str(json).expect("fixture is JSON");
    let diffs = diff(&fixture, &written, allow);
    assert!(
        diffs.is_empty(),
        "{name}: round trip differs:\n  {}",
        diffs.join("\n  ")
    );
    let again: T = serde_json::from_value(written).expect("output parses again");
    assert_eq!(again, typed, "{name}: output parses to a different value");
    typed
}

/// Asserts that two JSON texts are semantically equal.
pub fn assert_json_eq(name: &str, expected: &str, actual: &[u8], allow: &Allow<'_>) {
    let e: Value = serde_json::from_str(expected).expect("expected is JSON");
    let a: Value = serde_json::from_slice(actual).expect("actual is JSON");
    let diffs = diff(&e, &a, allow);
    assert!(
        diffs.is_empty(),
        "{name}: JSON differs:\n  {}",
        diffs.join("\n  ")
    );
}

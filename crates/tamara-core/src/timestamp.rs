//! Timestamps as plain values. The core never reads a clock: `now` is always an argument.

use std::fmt;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// An instant with millisecond precision (Unix epoch milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Durations in milliseconds, for readability at call sites.
pub mod duration {
    /// One second.
    pub const SECOND: i64 = 1000;
    /// One minute.
    pub const MINUTE: i64 = 60 * SECOND;
    /// One hour.
    pub const HOUR: i64 = 60 * MINUTE;
    /// One day.
    pub const DAY: i64 = 24 * HOUR;
}

impl Timestamp {
    /// From Unix milliseconds.
    pub const fn from_millis(ms: i64) -> Self {
        Timestamp(ms)
    }
    /// From Unix seconds.
    pub const fn from_secs(s: i64) -> Self {
        Timestamp(s.saturating_mul(1000))
    }
    /// Unix milliseconds.
    pub const fn millis(self) -> i64 {
        self.0
    }
    /// Unix seconds (floor).
    pub const fn secs(self) -> i64 {
        self.0.div_euclid(1000)
    }
    /// `self + ms`, saturating.
    pub const fn plus(self, ms: i64) -> Self {
        Timestamp(self.0.saturating_add(ms))
    }
    /// Milliseconds from `earlier` to `self`.
    pub const fn since(self, earlier: Timestamp) -> i64 {
        self.0.saturating_sub(earlier.0)
    }

    /// Parses RFC 3339 (`2023-06-04T15:07:47+00:00`, `2023-07-10T08:05:59.000Z`).
    pub fn parse_rfc3339(s: &str) -> Option<Self> {
        let dt = OffsetDateTime::parse(s.trim(), &Rfc3339).ok()?;
        let ms = dt.unix_timestamp_nanos().div_euclid(1_000_000);
        i64::try_from(ms).ok().map(Timestamp)
    }

    /// RFC 3339 in UTC, with milliseconds only when non-zero.
    pub fn to_rfc3339(self) -> String {
        let nanos = i128::from(self.0) * 1_000_000;
        match OffsetDateTime::from_unix_timestamp_nanos(nanos) {
            Ok(dt) => {
                let base = format!(
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                    dt.year(),
                    u8::from(dt.month()),
                    dt.day(),
                    dt.hour(),
                    dt.minute(),
                    dt.second()
                );
                let ms = dt.millisecond();
                if ms == 0 {
                    format!("{base}Z")
                } else {
                    format!("{base}.{ms:03}Z")
                }
            }
            Err(_) => "1970-01-01T00:00:00Z".to_owned(),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Timestamp::parse_rfc3339(&s)
            .ok_or_else(|| de::Error::custom(format!("`{s}` is not an RFC 3339 timestamp")))
    }
}

#[cfg(test)]
mod tests {
    // wasm-bindgen-test-runner only runs `#[wasm_bindgen_test]`s; plain `#[test]`s would be
    // skipped on wasm32, so there `#[test]` means `#[wasm_bindgen_test]`.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn both_tamara_forms() {
        let a = Timestamp::parse_rfc3339("2023-06-04T15:07:47+00:00").unwrap();
        assert_eq!(a.secs(), 1_685_891_267);
        assert_eq!(a.to_rfc3339(), "2023-06-04T15:07:47Z");
        let b = Timestamp::parse_rfc3339("2023-07-10T08:05:59.000Z").unwrap();
        assert_eq!(b.to_rfc3339(), "2023-07-10T08:05:59Z");
        let c = Timestamp::parse_rfc3339("2020-03-31T19:19:52.677Z").unwrap();
        assert_eq!(c.to_rfc3339(), "2020-03-31T19:19:52.677Z");
        assert!(Timestamp::parse_rfc3339("yesterday").is_none());
        assert_eq!(a.plus(duration::MINUTE).since(a), 60_000);
    }
}

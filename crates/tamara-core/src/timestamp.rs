//! Timestamps as plain values. The core never reads a clock: `now` is always an argument.

use std::fmt;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

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
    ///
    /// Same grammar as the `time` crate's `Rfc3339` parser: any single byte between date and
    /// time, any number of fraction digits (beyond nanoseconds ignored), `Z`/`z` or `±HH:MM`
    /// (hours ≤ 23, minutes ≤ 59), and a leap second (`:60`) only where it is the last second
    /// of a month in UTC, read as the preceding nanosecond.
    pub fn parse_rfc3339(s: &str) -> Option<Self> {
        let mut p = Cursor(s.trim().as_bytes());
        let year = p.digits(4)?;
        p.lit(b'-')?;
        let month = p.digits(2)?;
        p.lit(b'-')?;
        let day = p.digits(2)?;
        p.skip1()?;
        let hour = p.digits(2)?;
        p.lit(b':')?;
        let minute = p.digits(2)?;
        p.lit(b':')?;
        let mut second = p.digits(2)?;
        let mut nanos: u32 = 0;
        if p.lit(b'.').is_some() {
            let mut mult: u32 = 100_000_000;
            nanos = p.digit()? * mult;
            while let Some(d) = p.digit() {
                mult /= 10;
                nanos += d * mult;
            }
        }
        let offset_secs: i64 = if matches!(p.0.first(), Some(b'Z' | b'z')) {
            p.skip1()?;
            0
        } else {
            let neg = match p.0.first() {
                Some(b'-') => true,
                Some(b'+') => false,
                _ => return None,
            };
            p.skip1()?;
            let oh = p.digits(2)?;
            if oh > 23 {
                return None;
            }
            p.lit(b':')?;
            let om = p.digits(2)?;
            if om > 59 {
                return None;
            }
            let v = i64::from(oh) * 3600 + i64::from(om) * 60;
            if neg {
                -v
            } else {
                v
            }
        };
        if !p.0.is_empty() {
            return None;
        }
        let leap = second == 60;
        if leap {
            second = 59;
            nanos = 999_999_999;
        }
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(i64::from(year), month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        let local = days_from_civil(i64::from(year), month, day) * 86_400
            + i64::from(hour) * 3600
            + i64::from(minute) * 60
            + i64::from(second);
        let utc = local - offset_secs;
        if leap {
            let (y, m, d) = civil_from_days(utc.div_euclid(86_400));
            if utc.rem_euclid(86_400) != 86_399
                || !(-9999..=9999).contains(&y)
                || d != days_in_month(y, m)
            {
                return None;
            }
        }
        Some(Timestamp(utc * 1000 + i64::from(nanos / 1_000_000)))
    }

    /// RFC 3339 in UTC, with milliseconds only when non-zero.
    pub fn to_rfc3339(self) -> String {
        let secs = self.0.div_euclid(1000);
        let ms = self.0.rem_euclid(1000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        if !(-9999..=9999).contains(&year) {
            return "1970-01-01T00:00:00Z".to_owned();
        }
        let base = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            year,
            month,
            day,
            sod / 3600,
            sod % 3600 / 60,
            sod % 60
        );
        if ms == 0 {
            format!("{base}Z")
        } else {
            format!("{base}.{ms:03}Z")
        }
    }
}

/// A byte cursor for [`Timestamp::parse_rfc3339`].
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn skip1(&mut self) -> Option<()> {
        self.0 = self.0.get(1..)?;
        Some(())
    }
    fn lit(&mut self, c: u8) -> Option<()> {
        if self.0.first() == Some(&c) {
            self.skip1()
        } else {
            None
        }
    }
    fn digit(&mut self) -> Option<u32> {
        let d = *self.0.first()?;
        if d.is_ascii_digit() {
            self.0 = &self.0[1..];
            Some(u32::from(d - b'0'))
        } else {
            None
        }
    }
    fn digits(&mut self, n: usize) -> Option<u32> {
        let mut v = 0;
        for _ in 0..n {
            v = v * 10 + self.digit()?;
        }
        Some(v)
    }
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as u32, d as u32)
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

    /// The hand-written parser and formatter agree with the `time` crate's `Rfc3339`.
    #[cfg(not(target_arch = "wasm32"))]
    mod against_time {
        use super::*;
        use proptest::prelude::*;
        use time::format_description::well_known::Rfc3339;
        use time::OffsetDateTime;

        fn reference_parse(s: &str) -> Option<Timestamp> {
            let dt = OffsetDateTime::parse(s.trim(), &Rfc3339).ok()?;
            let ms = dt.unix_timestamp_nanos().div_euclid(1_000_000);
            i64::try_from(ms).ok().map(Timestamp)
        }

        fn reference_format(t: Timestamp) -> String {
            let nanos = i128::from(t.0) * 1_000_000;
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

        #[test]
        fn edge_cases() {
            for s in [
                "2023-06-04T15:07:47+00:00",
                "2023-06-04t15:07:47z",
                "2023-06-04 15:07:47Z",
                "2023-06-04x15:07:47Z",
                "  2023-06-04T15:07:47Z \n",
                "2023-06-04T15:07:47.1Z",
                "2023-06-04T15:07:47.123456789123Z",
                "2023-06-04T15:07:47.Z",
                "2023-06-04T15:07:47-00:00",
                "2023-06-04T15:07:47+23:59",
                "2023-06-04T15:07:47-23:59",
                "2023-06-04T15:07:47+24:00",
                "2023-06-04T15:07:47+05:60",
                "2023-06-04T15:07:47+0500",
                "2023-06-04T15:07:47",
                "2023-06-04T15:07:47ZZ",
                "2023-06-30T23:59:60Z",
                "2023-06-30T23:59:60.5Z",
                "2023-06-29T23:59:60Z",
                "2023-07-01T01:59:60+02:00",
                "2023-06-30T22:59:60-01:00",
                "2024-02-29T00:00:00Z",
                "2023-02-29T00:00:00Z",
                "2000-02-29T00:00:00Z",
                "1900-02-29T00:00:00Z",
                "2023-13-01T00:00:00Z",
                "2023-00-01T00:00:00Z",
                "2023-01-00T00:00:00Z",
                "2023-04-31T00:00:00Z",
                "2023-01-01T24:00:00Z",
                "2023-01-01T23:60:00Z",
                "2023-01-01T23:59:61Z",
                "0000-01-01T00:00:00Z",
                "0000-01-01T00:00:00+23:59",
                "9999-12-31T23:59:59.999Z",
                "9999-12-31T23:59:59-23:59",
                "9999-12-31T23:59:60Z",
                "1969-12-31T23:59:59.999Z",
                "1970-01-01T00:00:00Z",
                "+2023-06-04T15:07:47Z",
                "2023-6-04T15:07:47Z",
                "2023-06-04T15:07:47+05:30",
                "2023-06-04\u{e9}15:07:47Z",
                "",
                "yesterday",
            ] {
                assert_eq!(Timestamp::parse_rfc3339(s), reference_parse(s), "{s:?}");
            }
            for ms in [
                0,
                1,
                -1,
                999,
                -999,
                1_685_891_267_000,
                253_402_300_799_999,
                253_402_300_800_000,
                -62_167_219_200_000,
                -377_705_116_800_000,
                -377_705_116_800_001,
                i64::MAX,
                i64::MIN,
            ] {
                let t = Timestamp(ms);
                assert_eq!(t.to_rfc3339(), reference_format(t), "{ms}");
            }
        }

        proptest! {
            #[test]
            fn format_and_parse_match(ms in -400_000_000_000_000i64..400_000_000_000_000) {
                let t = Timestamp(ms);
                let s = t.to_rfc3339();
                prop_assert_eq!(&s, &reference_format(t));
                prop_assert_eq!(Timestamp::parse_rfc3339(&s), reference_parse(&s));
            }

            #[test]
            fn parse_matches(
                y in 0u32..10000, mo in 0u32..14, d in 0u32..33, h in 0u32..25, mi in 0u32..61,
                s in 0u32..62, frac in proptest::option::of("[0-9]{0,12}"),
                off in prop_oneof![Just("Z".to_owned()), "[+-][0-2][0-9]:[0-6][0-9]"],
            ) {
                let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
                let text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{off}");
                prop_assert_eq!(Timestamp::parse_rfc3339(&text), reference_parse(&text), "{}", text);
            }
        }
    }
}

//! An instant in UTC with millisecond precision, the one date type of the model. Date text
//! is read by the filter language's [`temporal`] module (one reader of dates for the
//! filter, the JSON rows and the vendor payloads); this type adds serde and printing.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::filter::temporal;

/// Milliseconds since the Unix epoch, UTC. Ordering is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// A string that is not a date or date-time this crate understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError {
    /// The rejected input (dates carry no secrets, so it is safe to echo).
    pub input: String,
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not an RFC 3339 date-time or a yyyy-MM-dd date",
            self.input
        )
    }
}

impl std::error::Error for TimestampError {}

impl Timestamp {
    /// From epoch milliseconds.
    pub const fn from_millis(ms: i64) -> Self {
        Timestamp(ms)
    }

    /// Epoch milliseconds.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// From a `time` instant (sub-millisecond digits are truncated).
    pub fn from_datetime(dt: OffsetDateTime) -> Self {
        Timestamp(temporal::datetime_to_ms(dt))
    }

    /// As a `time` instant in UTC; `None` outside the years `time` supports (±9999).
    pub fn to_datetime(self) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000).ok()
    }

    /// Midnight UTC of a calendar date.
    pub fn from_date(date: Date) -> Self {
        Self::from_datetime(PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc())
    }

    /// Parses an RFC 3339 date-time (`2025-01-01T00:00:00Z`, any offset) or a date
    /// (`2025-01-01`, taken as midnight UTC).
    pub fn parse(s: &str) -> Result<Self, TimestampError> {
        Self::parse_opt(s).ok_or_else(|| TimestampError {
            input: s.to_owned(),
        })
    }

    /// [`Timestamp::parse`] without building an error: `None` when `s` is not a date or
    /// date-time ([`temporal::instant_ms`], the one reader of date text).
    pub fn parse_opt(s: &str) -> Option<Self> {
        temporal::instant_ms(s).map(Timestamp)
    }

    /// Parses a date-time without an offset (`2024-03-01T10:00:00`, optional fraction),
    /// interpreting it in the given fixed offset.
    pub fn parse_local(s: &str, offset: UtcOffset) -> Result<Self, TimestampError> {
        let fmt = time::macros::format_description!(
            version = 2,
            "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
        );
        PrimitiveDateTime::parse(s, &fmt)
            .map(|p| Self::from_datetime(p.assume_offset(offset)))
            .map_err(|_| TimestampError {
                input: s.to_owned(),
            })
    }

    /// RFC 3339 in UTC with a `Z`; milliseconds only when non-zero.
    pub fn to_rfc3339(self) -> String {
        self.to_string()
    }
}

impl Timestamp {
    /// The RFC 3339 text written into `buf` without the formatting machinery, for years
    /// 0000–9999 (every other instant takes the general path of `Display`).
    fn fast_rfc3339(self, buf: &mut [u8; 24]) -> Option<&str> {
        let days = self.0.div_euclid(86_400_000);
        let ms_of_day = self.0.rem_euclid(86_400_000);
        let (y, m, d) = temporal::civil_from_days(days);
        if !(0..=9999).contains(&y) {
            return None;
        }
        let y = y as u32;
        let (h, mi, s, ms) = (
            (ms_of_day / 3_600_000) as u32,
            (ms_of_day / 60_000 % 60) as u32,
            (ms_of_day / 1000 % 60) as u32,
            (ms_of_day % 1000) as u32,
        );
        let put = |buf: &mut [u8; 24], at: usize, n: u32, width: u32| {
            let mut n = n;
            for i in (0..width as usize).rev() {
                if let Some(b) = buf.get_mut(at + i) {
                    *b = b'0' + (n % 10) as u8;
                }
                n /= 10;
            }
        };
        *buf = *b"0000-00-00T00:00:00.000Z";
        put(buf, 0, y, 4);
        put(buf, 5, m, 2);
        put(buf, 8, d, 2);
        put(buf, 11, h, 2);
        put(buf, 14, mi, 2);
        put(buf, 17, s, 2);
        let len = if ms == 0 {
            if let Some(b) = buf.get_mut(19) {
                *b = b'Z';
            }
            20
        } else {
            put(buf, 20, ms, 3);
            24
        };
        std::str::from_utf8(buf.get(..len)?).ok()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = self.fast_rfc3339(&mut [0; 24]) {
            return f.write_str(s);
        }
        let Some(dt) = self.to_datetime() else {
            return write!(f, "@{}ms", self.0);
        };
        let (y, m, d) = (dt.year(), u8::from(dt.month()), dt.day());
        let (h, mi, s) = (dt.hour(), dt.minute(), dt.second());
        write!(f, "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}")?;
        let ms = dt.millisecond();
        if ms != 0 {
            write!(f, ".{ms:03}")?;
        }
        f.write_str("Z")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.fast_rfc3339(&mut [0; 24]) {
            Some(text) => s.serialize_str(text),
            None => s.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Timestamp::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast printer writes what the `time`-based general path writes, over the years it
    /// takes (0000–9999), at day, second and millisecond edges.
    #[test]
    fn fast_printing_agrees_with_time() {
        let general = |t: Timestamp| -> Option<String> {
            let dt = t.to_datetime()?;
            let (y, m, d) = (dt.year(), u8::from(dt.month()), dt.day());
            let (h, mi, s) = (dt.hour(), dt.minute(), dt.second());
            let ms = dt.millisecond();
            let frac = if ms != 0 {
                format!(".{ms:03}")
            } else {
                String::new()
            };
            Some(format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}Z"))
        };
        let lo = Timestamp::parse("0000-01-01T00:00:00Z").unwrap().0;
        let hi = Timestamp::parse("9999-12-31T23:59:59.999Z").unwrap().0;
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut cases = vec![lo, hi, 0, -1, 1, 86_399_999, 86_400_000, 951_782_400_000];
        for _ in 0..20_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let span = u64::try_from(hi - lo).unwrap();
            let t = lo + i64::try_from((x >> 11) % span).unwrap();
            cases.extend([t, t - t.rem_euclid(1000), t - t.rem_euclid(86_400_000)]);
        }
        for t in cases {
            let t = Timestamp(t);
            let fast = t.fast_rfc3339(&mut [0; 24]).map(str::to_owned);
            assert_eq!(fast, general(t), "{}", t.0);
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{t}\""));
        }
        assert_eq!(Timestamp(lo - 1).fast_rfc3339(&mut [0; 24]), None);
        assert_eq!(Timestamp(hi + 1).fast_rfc3339(&mut [0; 24]), None);
    }

    #[test]
    fn parses_and_prints_utc() {
        let t = Timestamp::parse("2025-01-01T00:00:00Z").unwrap();
        assert_eq!(t.millis(), 1_735_689_600_000);
        assert_eq!(t.to_string(), "2025-01-01T00:00:00Z");
        let t = Timestamp::parse("2025-01-01T02:00:00.250+02:00").unwrap();
        assert_eq!(t.to_string(), "2025-01-01T00:00:00.250Z");
    }

    #[test]
    fn date_only_is_midnight_utc() {
        let t = Timestamp::parse("2017-09-27").unwrap();
        assert_eq!(t.to_string(), "2017-09-27T00:00:00Z");
    }

    #[test]
    fn local_uses_given_offset() {
        let pst = UtcOffset::from_hms(-8, 0, 0).unwrap();
        let t = Timestamp::parse_local("2024-01-15T10:00:00", pst).unwrap();
        assert_eq!(t.to_string(), "2024-01-15T18:00:00Z");
    }

    #[test]
    fn rejects_garbage() {
        assert!(Timestamp::parse("2025-13-01").is_err());
        assert!(Timestamp::parse("yesterday").is_err());
        assert!(Timestamp::parse("").is_err());
    }

    #[test]
    fn out_of_range_prints_without_panicking() {
        assert_eq!(Timestamp(i64::MAX).to_string(), format!("@{}ms", i64::MAX));
    }
}

//! An instant in UTC with millisecond precision, the one date type of the model.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

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
        let ms = dt.unix_timestamp_nanos().div_euclid(1_000_000);
        Timestamp(i64::try_from(ms).unwrap_or(if ms < 0 { i64::MIN } else { i64::MAX }))
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
    /// date-time. Cheap for text that is plainly not one (no allocation, no parser run):
    /// both accepted forms open with a four-digit year and `-`.
    pub fn parse_opt(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let looks_like_date = b.len() >= 10
            && b.get(..4).is_some_and(|y| y.iter().all(u8::is_ascii_digit))
            && b.get(4) == Some(&b'-');
        if !looks_like_date {
            return None;
        }
        if let Some(t) = fast_parse(b) {
            return Some(t);
        }
        if s.len() == 10 {
            // `fast_parse` reads every valid `yyyy-MM-dd` (the test below checks it
            // against `time`), so the general date parser is not linked in.
            return None;
        }
        OffsetDateTime::parse(s, &Rfc3339)
            .ok()
            .map(Self::from_datetime)
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

/// The civil date (proleptic Gregorian) of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

impl Timestamp {
    /// The RFC 3339 text written into `buf` without the formatting machinery, for years
    /// 0000–9999 (every other instant takes the general path of `Display`).
    fn fast_rfc3339(self, buf: &mut [u8; 24]) -> Option<&str> {
        let days = self.0.div_euclid(86_400_000);
        let ms_of_day = self.0.rem_euclid(86_400_000);
        let (y, m, d) = civil_from_days(days);
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

/// The ASCII digits `b` as a number; `None` if any byte is not a digit.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// The calendar date at the front of `b` (`yyyy-MM-dd`, years 0000–9999), as days since
/// the epoch.
fn fast_date(b: &[u8]) -> Option<i64> {
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let (y, m, d) = (
        digits(b.get(..4)?)?,
        digits(b.get(5..7)?)?,
        digits(b.get(8..10)?)?,
    );
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d == 0 || d > month_days {
        return None;
    }
    Some(days_from_civil(i64::from(y), m, d))
}

/// The common shapes, parsed without the general `time` parser: `yyyy-MM-dd` and
/// `yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:mm)` with an upper-case `T`/`Z`, seconds below 60
/// and years 0000–9999. `None` means "not one of these shapes", not "invalid": the caller
/// then asks `time`, so what is accepted and its value are unchanged (a test compares both).
fn fast_parse(b: &[u8]) -> Option<Timestamp> {
    const MS_DAY: i64 = 86_400_000;
    let days = fast_date(b)?;
    if b.len() == 10 {
        return Some(Timestamp(days * MS_DAY));
    }
    if b.get(10) != Some(&b'T') || b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let (h, mi, sec) = (
        digits(b.get(11..13)?)?,
        digits(b.get(14..16)?)?,
        digits(b.get(17..19)?)?,
    );
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let mut rest = b.get(19..)?;
    let mut frac_ms = 0i64;
    if let [b'.', tail @ ..] = rest {
        let n = tail.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return None;
        }
        let f = tail.get(..n)?;
        frac_ms = f
            .iter()
            .chain(std::iter::repeat(&b'0'))
            .take(3)
            .fold(0i64, |a, &c| a * 10 + i64::from(c - b'0'));
        rest = tail.get(n..)?;
    }
    let offset_min = match rest {
        [b'Z'] => 0i64,
        [sign @ (b'+' | b'-'), oh1, oh2, b':', om1, om2] => {
            let (oh, om) = (digits(&[*oh1, *oh2])?, digits(&[*om1, *om2])?);
            if oh > 23 || om > 59 {
                return None;
            }
            let m = i64::from(oh * 60 + om);
            if *sign == b'-' {
                -m
            } else {
                m
            }
        }
        _ => return None,
    };
    let secs = i64::from(h * 3600 + mi * 60 + sec) - offset_min * 60;
    Some(Timestamp(days * MS_DAY + secs * 1000 + frac_ms))
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

    /// The fast path agrees with the `time` parser on every shape it takes and on
    /// near misses (which it must hand over, not reject).
    #[test]
    fn fast_path_agrees_with_time() {
        let slow = |s: &str| -> Option<i64> {
            if s.len() == 10 {
                let fmt = time::macros::format_description!("[year]-[month]-[day]");
                return Date::parse(s, &fmt).ok().map(|d| Timestamp::from_date(d).0);
            }
            OffsetDateTime::parse(s, &Rfc3339)
                .ok()
                .map(|d| Timestamp::from_datetime(d).0)
        };
        let dates = [
            "2025-01-01",
            "2024-02-29",
            "2023-02-29",
            "1900-02-29",
            "2000-02-29",
            "1969-12-31",
            "1000-01-01",
            "0999-12-31",
            "0000-02-29",
            "0001-01-01",
            "0100-02-29",
            "0400-02-29",
            "9999-12-31",
            "2025-00-10",
            "2025-13-01",
            "2025-04-31",
            "2025-04-00",
            "2025-1-011",
            "2025/01/01",
        ];
        let times = [
            "",
            "T00:00:00Z",
            "T23:59:59Z",
            "T23:59:60Z",
            "T24:00:00Z",
            "T12:60:00Z",
            "T12:34:56.7Z",
            "T12:34:56.789Z",
            "T12:34:56.123456789Z",
            "T12:34:56.1234567891Z",
            "T12:34:56.Z",
            "T12:34:56+02:00",
            "T00:30:00-05:30",
            "T01:00:00.250+23:59",
            "T01:00:00+24:00",
            "T01:00:00+02:60",
            "t12:00:00Z",
            "T12:00:00z",
            " 12:00:00Z",
            "T12:00:00",
            "T12:00:00+0200",
            "T12:00Z",
            "T1:00:00Z",
            "T12:00:00ZZ",
        ];
        for d in dates {
            for t in times {
                let s = format!("{d}{t}");
                assert_eq!(Timestamp::parse_opt(&s).map(|t| t.0), slow(&s), "{s}");
            }
        }
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

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
        let err = || TimestampError {
            input: s.to_owned(),
        };
        if s.len() == 10 {
            let fmt = time::macros::format_description!("[year]-[month]-[day]");
            return Date::parse(s, &fmt).map(Self::from_date).map_err(|_| err());
        }
        OffsetDateTime::parse(s, &Rfc3339)
            .map(Self::from_datetime)
            .map_err(|_| err())
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

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
        s.collect_str(self)
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

//! Every date form the vendors send, read into a [`Timestamp`], and the statuses derived
//! from dates ([`with_expiry`]).
//!
//! Accepted: epoch milliseconds (number or all-digit string), `yyyy-MM-dd` and
//! `yyyy/MM/dd` (midnight UTC), RFC 3339 date-times with `Z` or an offset, and date-times
//! without an offset (`yyyy-MM-ddTHH:mm:ss[.fff]`, also with a space instead of `T`), read
//! in the vendor's default zone: UTC, or US Pacific for FNO.
//!
//! US Pacific is computed by rule, not from a tz database (small on wasm): PST is UTC−8,
//! PDT is UTC−7; since 2007 PDT runs from the second Sunday of March 02:00 local to the
//! first Sunday of November 02:00 local; for 1987–2006 (and, as an approximation, earlier
//! years) from the first Sunday of April to the last Sunday of October. A wall time in the
//! repeated autumn hour is read as PDT (the first occurrence); a wall time in the skipped
//! spring hour is read as PDT too. This module imports no I/O.

use serde::Deserialize;
use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset, Weekday};

use crate::model::{Status, Timestamp};

/// A date as it appears on the wire: a number or a string. Read by a visitor (not
/// `#[serde(untagged)]`, which buffers the value and builds, then drops, a formatted error
/// for every variant that does not fit: that was an eighth of the gateway's CPU per request).
#[derive(Debug, Clone, PartialEq)]
pub enum WireDate {
    /// Epoch milliseconds.
    Millis(i64),
    /// A fractional number of epoch milliseconds (truncated).
    Float(f64),
    /// A textual date or date-time.
    Text(String),
}

impl<'de> Deserialize<'de> for WireDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(WireDateVisitor)
    }
}

/// Accepts what the untagged enum accepted: an integer that fits `i64` (`Millis`), any
/// other number (`Float`), a string (`Text`).
struct WireDateVisitor;

impl serde::de::Visitor<'_> for WireDateVisitor {
    type Value = WireDate;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a date: epoch milliseconds or text")
    }

    fn visit_i64<E>(self, v: i64) -> Result<WireDate, E> {
        Ok(WireDate::Millis(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<WireDate, E> {
        Ok(i64::try_from(v).map_or(WireDate::Float(v as f64), WireDate::Millis))
    }

    fn visit_f64<E>(self, v: f64) -> Result<WireDate, E> {
        Ok(WireDate::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<WireDate, E> {
        Ok(WireDate::Text(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<WireDate, E> {
        Ok(WireDate::Text(v))
    }
}

/// The zone a date-time without an offset is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// UTC.
    Utc,
    /// US Pacific (PST/PDT by the US rule).
    Pacific,
}

impl WireDate {
    /// The instant, or `None` when it is not a date this module understands (or blank).
    pub fn to_timestamp(&self, zone: Zone) -> Option<Timestamp> {
        match self {
            WireDate::Millis(ms) => Some(Timestamp::from_millis(*ms)),
            WireDate::Float(f) if f.is_finite() && f.abs() < 9.0e15 => {
                Some(Timestamp::from_millis(f.trunc() as i64))
            }
            WireDate::Float(_) => None,
            WireDate::Text(s) => parse_text(s, zone),
        }
    }
}

/// Parses a textual date in any accepted form.
pub fn parse_text(s: &str, zone: Zone) -> Option<Timestamp> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.len() >= 9 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok().map(Timestamp::from_millis);
    }
    if s.len() == 10 {
        return Timestamp::parse(&s.replace('/', "-")).ok();
    }
    let s = if s.as_bytes().get(10) == Some(&b' ') {
        format!("{}T{}", s.get(..10)?, s.get(11..)?)
    } else {
        s.to_owned()
    };
    if let Ok(t) = Timestamp::parse(&s) {
        return Some(t);
    }
    match zone {
        Zone::Utc => Timestamp::parse_local(&s, UtcOffset::UTC).ok(),
        Zone::Pacific => {
            let fmt = time::macros::format_description!(
                version = 2,
                "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
            );
            let local = PrimitiveDateTime::parse(&s, &fmt).ok()?;
            Some(Timestamp::from_datetime(
                local.assume_offset(pacific_offset(local)),
            ))
        }
    }
}

/// The US Pacific offset in force at a local wall time.
pub fn pacific_offset(local: PrimitiveDateTime) -> UtcOffset {
    let y = local.year();
    let (start, end) = if y >= 2007 {
        (
            nth_sunday(y, Month::March, 2),
            nth_sunday(y, Month::November, 1),
        )
    } else {
        (
            nth_sunday(y, Month::April, 1),
            last_sunday(y, Month::October),
        )
    };
    let two = Time::from_hms(2, 0, 0).unwrap_or(Time::MIDNIGHT);
    let dst = match (start, end) {
        (Some(s), Some(e)) => {
            local >= PrimitiveDateTime::new(s, two) && local < PrimitiveDateTime::new(e, two)
        }
        _ => false,
    };
    let hours = if dst { -7 } else { -8 };
    UtcOffset::from_hms(hours, 0, 0).unwrap_or(UtcOffset::UTC)
}

fn nth_sunday(year: i32, month: Month, n: u8) -> Option<Date> {
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    let delta = (7 - first.weekday().number_days_from_sunday()) % 7;
    first.checked_add(time::Duration::days(
        i64::from(delta) + 7 * (i64::from(n) - 1),
    ))
}

fn last_sunday(year: i32, month: Month) -> Option<Date> {
    let days = time::util::days_in_month(month, year);
    let last = Date::from_calendar_date(year, month, days).ok()?;
    let back = last.weekday().number_days_from_sunday();
    let d = last.checked_sub(time::Duration::days(i64::from(back)))?;
    (d.weekday() == Weekday::Sunday).then_some(d)
}

/// `expired` when the vendor says active but the end date has passed at `now`.
pub(crate) fn with_expiry(status: Status, end: Option<Timestamp>, now_ms: i64) -> Status {
    match (status, end) {
        (Status::Active, Some(e)) if e.millis() <= now_ms => Status::Expired,
        (s, _) => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        parse_text(s, Zone::Pacific)
            .map(|t| t.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn wire_dates_read_numbers_and_text_only() {
        let r = |j: &str| serde_json::from_str::<WireDate>(j).ok();
        assert_eq!(
            r("1506495600000"),
            Some(WireDate::Millis(1_506_495_600_000))
        );
        assert_eq!(r("-5"), Some(WireDate::Millis(-5)));
        assert_eq!(r("1.5e3"), Some(WireDate::Float(1500.0)));
        assert_eq!(
            r("18446744073709551615"),
            Some(WireDate::Float(18_446_744_073_709_551_615.0))
        );
        assert_eq!(
            r(r#""2017-09-27""#),
            Some(WireDate::Text("2017-09-27".into()))
        );
        assert_eq!(r(r#""a\"b""#), Some(WireDate::Text("a\"b".into())));
        for bad in ["true", "null", "{}", "[1]"] {
            assert_eq!(r(bad), None, "{bad}");
        }
        let o: Option<WireDate> = serde_json::from_str("null").unwrap();
        assert_eq!(o, None);
    }

    #[test]
    fn all_vendor_forms() {
        assert_eq!(
            WireDate::Millis(1_506_495_600_000)
                .to_timestamp(Zone::Pacific)
                .map(|t| t.to_string()),
            Some("2017-09-27T07:00:00Z".into())
        );
        assert_eq!(p("2017-09-27"), "2017-09-27T00:00:00Z");
        assert_eq!(p("2017/09/27"), "2017-09-27T00:00:00Z");
        assert_eq!(p("2022-09-13T15:00:34+02:00"), "2022-09-13T13:00:34Z");
        assert_eq!(p("2024-03-14T13:26:46.076Z"), "2024-03-14T13:26:46.076Z");
        assert_eq!(p("1506497656047"), "2017-09-27T07:34:16.047Z");
        assert_eq!(
            parse_text("2024-01-15 10:00:00", Zone::Utc).map(|t| t.to_string()),
            Some("2024-01-15T10:00:00Z".into())
        );
        assert_eq!(parse_text("", Zone::Utc), None);
        assert_eq!(parse_text("soon", Zone::Utc), None);
    }

    #[test]
    fn pacific_dst_edges() {
        // Winter: PST.
        assert_eq!(p("2024-01-15T10:00:00"), "2024-01-15T18:00:00Z");
        // Summer: PDT.
        assert_eq!(p("2024-07-01T10:00:00"), "2024-07-01T17:00:00Z");
        // 2024: DST starts Sun 10 March 02:00, ends Sun 3 November 02:00.
        assert_eq!(p("2024-03-10T01:59:59"), "2024-03-10T09:59:59Z");
        assert_eq!(p("2024-03-10T03:00:00"), "2024-03-10T10:00:00Z");
        assert_eq!(p("2024-11-03T01:30:00"), "2024-11-03T08:30:00Z"); // first (PDT)
        assert_eq!(p("2024-11-03T02:00:00"), "2024-11-03T10:00:00Z");
        // 2006 rule: first Sunday of April (2 April) to last Sunday of October (29th).
        assert_eq!(p("2006-03-20T12:00:00"), "2006-03-20T20:00:00Z");
        assert_eq!(p("2006-04-02T03:00:00"), "2006-04-02T10:00:00Z");
        assert_eq!(p("2006-10-30T12:00:00"), "2006-10-30T20:00:00Z");
    }
}

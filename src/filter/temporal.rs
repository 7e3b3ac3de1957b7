//! The one place that turns date text into epoch milliseconds, and the one civil-date
//! computation of the crate.
//!
//! Two grammars live here, side by side, because the filter language has both:
//! - the OData literal spellings, written unquoted in a filter (the lexer's): `yyyy-mm-dd`
//!   ([`date_days`]), `yyyy-mm-ddThh:mm[:ss[.fff…]](Z|±hh:mm)` ([`datetime_ms`]),
//!   `hh:mm[:ss[.fff…]]` ([`time_of_day_ms`]) and ISO 8601 durations
//!   `[-]P[nD][T[nH][nM][n[.f]S]]` ([`duration_ms`]);
//! - date text in data and in quoted strings compared with a date-time: an RFC 3339
//!   date-time (any offset, seconds required) or a `yyyy-MM-dd` date ([`instant_ms`]). The
//!   record's `Timestamp` parses with it too, so "what counts as a date in a value" has one
//!   answer for the filter, the JSON rows and the vendor payloads.
//!
//! [`civil_from_days`] and [`days_from_civil`] convert between day counts and calendar
//! dates (proleptic Gregorian) for every caller: the lexer, `year()`…`day()`, and the
//! record's RFC 3339 printer.
//!
//! Imports nothing of the crate, no I/O, no wasm, no `worker`.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Milliseconds in a day.
pub const MS_DAY: i64 = 86_400_000;

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Days since 1970-01-01 of a `yyyy-mm-dd` date (years 0000–9999).
pub fn date_days(s: &str) -> Option<i64> {
    if s.len() != 10 {
        return None;
    }
    fast_date(s.as_bytes())
}

/// Milliseconds since midnight of `hh:mm[:ss[.fff…]]`.
pub fn time_of_day_ms(s: &str) -> Option<i64> {
    let mut parts = s.splitn(3, ':');
    let h = parts.next()?;
    let m = parts.next()?;
    let sec = parts.next();
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m) = (digits(h)?, digits(m)?);
    if h > 23 || m > 59 {
        return None;
    }
    let mut ms = (h * 60 + m) * 60_000;
    if let Some(sec) = sec {
        let (whole, frac) = match sec.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (sec, None),
        };
        if whole.len() != 2 {
            return None;
        }
        let w = digits(whole)?;
        if w > 59 {
            return None;
        }
        ms += w * 1000;
        if let Some(f) = frac {
            if f.is_empty() || f.len() > 12 || !f.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let first3: String = f.chars().chain("000".chars()).take(3).collect();
            ms += digits(&first3)?;
        }
    }
    Some(ms)
}

/// Epoch milliseconds of a date-time with a `Z` or `±hh:mm` offset.
pub fn datetime_ms(s: &str) -> Option<i64> {
    let t = s.find(['T', 't'])?;
    let days = date_days(s.get(..t)?)?;
    let rest = s.get(t + 1..)?;
    let (clock, offset_min) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else {
        let i = rest.rfind(['+', '-'])?;
        let (c, off) = (rest.get(..i)?, rest.get(i..)?);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off.get(1..)?.split_once(':')?;
        if oh.len() != 2 || om.len() != 2 {
            return None;
        }
        let (oh, om) = (digits(oh)?, digits(om)?);
        if oh > 23 || om > 59 {
            return None;
        }
        (c, sign * (oh * 60 + om))
    };
    let tod = time_of_day_ms(clock)?;
    Some(days * MS_DAY + tod - offset_min * 60_000)
}

/// Milliseconds of an ISO 8601 day-time duration `[-]P[nD][T[nH][nM][n[.f]S]]`.
pub fn duration_ms(s: &str) -> Option<i64> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let s = s.strip_prefix(['P', 'p'])?;
    let (day_part, time_part) = match s.find(['T', 't']) {
        Some(i) => (s.get(..i)?, Some(s.get(i + 1..)?)),
        None => (s, None),
    };
    let mut total: i64 = 0;
    let mut any = false;
    if !day_part.is_empty() {
        let d = day_part.strip_suffix(['D', 'd'])?;
        total = digits(d)?.checked_mul(MS_DAY)?;
        any = true;
    }
    if let Some(tp) = time_part {
        let mut rest = tp;
        let mut seen = false;
        for (unit, ms) in [('H', 3_600_000_i64), ('M', 60_000)] {
            if let Some(i) = rest.find([unit, unit.to_ascii_lowercase()]) {
                total = total.checked_add(digits(rest.get(..i)?)?.checked_mul(ms)?)?;
                rest = rest.get(i + 1..)?;
                seen = true;
            }
        }
        if let Some(sec) = rest.strip_suffix(['S', 's']) {
            let (w, f) = match sec.split_once('.') {
                Some((w, f)) => (w, f),
                None => (sec, ""),
            };
            total = total.checked_add(digits(w)?.checked_mul(1000)?)?;
            if !f.is_empty() {
                if f.len() > 12 || !f.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let first3: String = f.chars().chain("000".chars()).take(3).collect();
                total = total.checked_add(digits(&first3)?)?;
            }
            seen = true;
        } else if !rest.is_empty() {
            return None;
        }
        if !seen {
            return None;
        }
        any = true;
    }
    if !any {
        return None;
    }
    Some(if neg { -total } else { total })
}

/// Epoch milliseconds of date text in a value: an RFC 3339 date-time (`2025-01-01T00:00:00Z`,
/// any offset, optional fraction; sub-millisecond digits are truncated) or a date
/// (`2025-01-01`, taken as midnight UTC). `None` when `s` is neither. Cheap for text that is
/// plainly not one (no allocation, no parser run): both forms open with a four-digit year
/// and `-`. The common shapes are read here directly; anything else that may be RFC 3339
/// goes to the `time` parser, so what is accepted and its value are `time`'s (a test
/// compares both).
pub fn instant_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let looks_like_date = b.len() >= 10
        && b.get(..4).is_some_and(|y| y.iter().all(u8::is_ascii_digit))
        && b.get(4) == Some(&b'-');
    if !looks_like_date {
        return None;
    }
    if let Some(t) = fast_instant(b) {
        return Some(t);
    }
    if s.len() == 10 {
        // `fast_instant` reads every valid `yyyy-MM-dd` (the test below checks it
        // against `time`), so the general date parser is not linked in.
        return None;
    }
    OffsetDateTime::parse(s, &Rfc3339).ok().map(datetime_to_ms)
}

/// Epoch milliseconds of a `time` instant (sub-millisecond digits truncated), saturating.
pub fn datetime_to_ms(dt: OffsetDateTime) -> i64 {
    let ms = dt.unix_timestamp_nanos().div_euclid(1_000_000);
    i64::try_from(ms).unwrap_or(if ms < 0 { i64::MIN } else { i64::MAX })
}

/// The civil date (proleptic Gregorian) of a day count since 1970-01-01: (year, month,
/// day) (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
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

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// The ASCII digits `b` as a number; `None` if any byte is not a digit.
fn ascii_digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// The calendar date at the front of `b` (`yyyy-MM-dd`, years 0000–9999), as days since
/// the epoch.
fn fast_date(b: &[u8]) -> Option<i64> {
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let (y, m, d) = (
        ascii_digits(b.get(..4)?)?,
        ascii_digits(b.get(5..7)?)?,
        ascii_digits(b.get(8..10)?)?,
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

/// The common shapes of [`instant_ms`], read without the general `time` parser:
/// `yyyy-MM-dd` and `yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:mm)` with an upper-case `T`/`Z`,
/// seconds below 60 and years 0000–9999. `None` means "not one of these shapes", not
/// "invalid": the caller then asks `time`.
fn fast_instant(b: &[u8]) -> Option<i64> {
    let days = fast_date(b)?;
    if b.len() == 10 {
        return Some(days * MS_DAY);
    }
    if b.get(10) != Some(&b'T') || b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let (h, mi, sec) = (
        ascii_digits(b.get(11..13)?)?,
        ascii_digits(b.get(14..16)?)?,
        ascii_digits(b.get(17..19)?)?,
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
            let (oh, om) = (ascii_digits(&[*oh1, *oh2])?, ascii_digits(&[*om1, *om2])?);
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
    Some(days * MS_DAY + secs * 1000 + frac_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(date_days("1970-01-02"), Some(1));
        assert_eq!(date_days("2024-02-30"), None);
        assert_eq!(datetime_ms("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(datetime_ms("1970-01-01T01:00+01:00"), Some(0));
        assert_eq!(datetime_ms("1970-01-01T00:00:00.5Z"), Some(500));
        assert_eq!(time_of_day_ms("00:01:00.25"), Some(60_250));
        assert_eq!(time_of_day_ms("24:00"), None);
        assert_eq!(duration_ms("P1DT1H"), Some(90_000_000));
        assert_eq!(duration_ms("-PT0.5S"), Some(-500));
        assert_eq!(duration_ms("P"), None);
        assert_eq!(duration_ms("PT"), None);
    }

    /// The fast path agrees with the `time` parser on every shape it takes and on
    /// near misses (which it must hand over, not reject).
    #[test]
    fn fast_path_agrees_with_time() {
        let slow = |s: &str| -> Option<i64> {
            if s.len() == 10 {
                let fmt = time::macros::format_description!("[year]-[month]-[day]");
                return time::Date::parse(s, &fmt)
                    .ok()
                    .map(|d| datetime_to_ms(d.midnight().assume_utc()));
            }
            OffsetDateTime::parse(s, &Rfc3339).ok().map(datetime_to_ms)
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
                assert_eq!(instant_ms(&s), slow(&s), "{s}");
            }
        }
    }

    #[test]
    fn civil_round_trip() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        for d in (-800_000..800_000).step_by(997) {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(date_days("2000-02-29"), Some(11_016));
        assert_eq!(date_days("2000-02-290"), None);
    }
}

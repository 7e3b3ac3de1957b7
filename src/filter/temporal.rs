//! Validation and conversion of the temporal literal spellings (OData ABNF shapes):
//! `yyyy-mm-dd`, `yyyy-mm-ddThh:mm[:ss[.fff…]](Z|±hh:mm)`, `hh:mm[:ss[.fff…]]`, and
//! ISO 8601 durations `[-]P[nD][T[nH][nM][n[.f]S]]`. All results are milliseconds.
//!
//! Imports no I/O, no wasm, no `worker`.

use time::{Date, Month};

const MS_DAY: i64 = 86_400_000;

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Days since 1970-01-01 of a `yyyy-mm-dd` date.
pub fn date_days(s: &str) -> Option<i64> {
    let (y, rest) = s.split_once('-')?;
    let (m, d) = rest.split_once('-')?;
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let month = Month::try_from(u8::try_from(digits(m)?).ok()?).ok()?;
    let date = Date::from_calendar_date(
        i32::try_from(digits(y)?).ok()?,
        month,
        u8::try_from(digits(d)?).ok()?,
    )
    .ok()?;
    Some(i64::from(date.to_julian_day()) - 2_440_588)
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
}

//! Civil-calendar arithmetic for the simulator: days ↔ dates, RFC 3339 printing, and the
//! America/Los_Angeles offset FlexNet Operations uses for its date-only values.
//!
//! Pure integer arithmetic (Howard Hinnant's algorithms); imports no clock and no I/O.

/// Milliseconds in one day.
pub(crate) const DAY_MS: i64 = 86_400_000;
/// Milliseconds in one hour.
pub(crate) const HOUR_MS: i64 = 3_600_000;

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `(year, month, day)` of a day number.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `yyyy-MM-dd` of a day number.
pub(crate) fn format_date(days: i64) -> String {
    let mut s = String::with_capacity(24);
    push_date(&mut s, days);
    s
}

/// Appends `n` as exactly `width` (1..=4) zero-padded digits, clamped to fit.
fn push_num(s: &mut String, n: i64, width: u32) {
    let (max, mut div) = match width {
        1 => (9, 1),
        2 => (99, 10),
        3 => (999, 100),
        _ => (9999, 1000),
    };
    let n = n.clamp(0, max);
    while div > 0 {
        s.push(char::from(b'0' + ((n / div) % 10) as u8));
        div /= 10;
    }
}

fn push_date(s: &mut String, days: i64) {
    let (y, m, d) = civil_from_days(days);
    push_num(s, y, 4);
    s.push('-');
    push_num(s, i64::from(m), 2);
    s.push('-');
    push_num(s, i64::from(d), 2);
}

fn push_time(s: &mut String, ms_of_day: i64, millis: bool) {
    let secs = ms_of_day / 1000;
    s.push('T');
    push_num(s, secs / 3600, 2);
    s.push(':');
    push_num(s, (secs / 60) % 60, 2);
    s.push(':');
    push_num(s, secs % 60, 2);
    if millis {
        s.push('.');
        push_num(s, ms_of_day % 1000, 3);
    }
    s.push('Z');
}

/// Parses exactly `yyyy-MM-dd` (or `yyyy/MM/dd` when `sep` is `/`) to a day number.
pub(crate) fn parse_date_sep(s: &str, sep: u8) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&sep) || b.get(7) != Some(&sep) {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: u32 = s.get(5..7)?.parse().ok()?;
    let d: u32 = s.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    if !s.get(0..4)?.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Parses `yyyy-MM-dd`.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    parse_date_sep(s, b'-')
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// RFC 3339 UTC with seconds precision: `2025-01-01T00:00:00Z` (GreenLake style).
pub(crate) fn rfc3339_secs(ms: i64) -> String {
    let mut s = String::with_capacity(20);
    push_date(&mut s, ms.div_euclid(DAY_MS));
    push_time(&mut s, ms.rem_euclid(DAY_MS), false);
    s
}

/// RFC 3339 UTC with milliseconds: `2024-03-14T13:26:46.076Z`.
pub(crate) fn rfc3339_millis(ms: i64) -> String {
    let mut s = String::with_capacity(24);
    push_date(&mut s, ms.div_euclid(DAY_MS));
    push_time(&mut s, ms.rem_euclid(DAY_MS), true);
    s
}

/// Day number of the `n`-th (1-based) Sunday of a month.
fn nth_sunday(y: i64, m: u32, n: i64) -> i64 {
    let first = days_from_civil(y, m, 1);
    // 1970-01-01 was a Thursday (weekday 4 with Sunday = 0).
    let wd = (first + 4).rem_euclid(7);
    first + (7 - wd) % 7 + 7 * (n - 1)
}

/// Whether US daylight saving time is in force at this UTC instant (rules since 2007:
/// from the second Sunday of March 02:00 local to the first Sunday of November 02:00).
pub(crate) fn la_is_dst(utc_ms: i64) -> bool {
    let (y, _, _) = civil_from_days(utc_ms.div_euclid(DAY_MS));
    let start = nth_sunday(y, 3, 2) * DAY_MS + 10 * HOUR_MS; // 02:00 PST = 10:00 UTC
    let end = nth_sunday(y, 11, 1) * DAY_MS + 9 * HOUR_MS; // 02:00 PDT = 09:00 UTC
    utc_ms >= start && utc_ms < end
}

/// UTC offset of America/Los_Angeles at this instant, in milliseconds (negative).
pub(crate) fn la_offset_ms(utc_ms: i64) -> i64 {
    if la_is_dst(utc_ms) {
        -7 * HOUR_MS
    } else {
        -8 * HOUR_MS
    }
}

/// Epoch milliseconds of local midnight in Los Angeles on this day (the seed's
/// `startDate: 1506495600000` is 2017-09-27 00:00 PDT).
pub(crate) fn la_midnight_ms(days: i64) -> i64 {
    let guess = days * DAY_MS + 8 * HOUR_MS;
    // Midnight is never inside the 02:00 switch, so the offset at "midnight PST" decides.
    days * DAY_MS - la_offset_ms(guess)
}

/// The Los Angeles calendar day of a UTC instant.
pub(crate) fn la_day_of(utc_ms: i64) -> i64 {
    (utc_ms + la_offset_ms(utc_ms)).div_euclid(DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_days() {
        for d in [-1000, 0, 1, 17_000, 20_000, 23_741, 24_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(parse_date("2017-09-27"), Some(17_436));
        assert_eq!(parse_date("2017-02-30"), None);
        assert_eq!(parse_date("2017-9-27"), None);
    }

    #[test]
    fn seed_dates_are_la_midnight() {
        // From the FNO seed: startDate 1506495600000, expirationDate 1514707200000.
        assert_eq!(
            la_midnight_ms(parse_date("2017-09-27").unwrap_or(0)),
            1_506_495_600_000
        );
        assert_eq!(
            la_midnight_ms(parse_date("2017-12-31").unwrap_or(0)),
            1_514_707_200_000
        );
        assert_eq!(la_day_of(1_506_495_600_000), 17_436);
    }

    #[test]
    fn formats() {
        assert_eq!(rfc3339_secs(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339_millis(1_710_422_806_076),
            "2024-03-14T13:26:46.076Z"
        );
    }
}

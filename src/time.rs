//! Points in time as whole seconds since the Unix epoch (UTC): read from
//! RFC 3339 text, and written in the two layouts the outputs use (ISO-8601
//! UTC for JSON, BalkanID's `2006-01-02 15:04:05 +0000 UTC`). Public so the
//! host writes the same texts. Dates use the proleptic Gregorian calendar
//! (Howard Hinnant's days-from-civil), so no dependency is needed.

const DAY: i64 = 86_400;

/// Days since 1970-01-01 of a calendar date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The calendar date of a day since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn parts(at: i64) -> (i64, i64, i64, i64, i64, i64) {
    let (days, secs) = (at.div_euclid(DAY), at.rem_euclid(DAY));
    let (y, m, d) = civil_from_days(days);
    (y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
}

/// `2026-11-27T12:00:00Z`.
pub fn iso8601(at: i64) -> String {
    let (y, mo, d, h, mi, s) = parts(at);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// BalkanID's layout: `2026-11-27 12:00:00 +0000 UTC`.
pub fn balkanid(at: i64) -> String {
    let (y, mo, d, h, mi, s) = parts(at);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} +0000 UTC")
}

/// Reads RFC 3339 date-time text (`2026-11-27T12:00:00.123456789Z`,
/// `...+02:00`, a `t` or space for the `T`) into whole seconds, UTC; the
/// fraction is dropped. `None` for anything else, including dates that do
/// not exist.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let (y, mo, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let (h, mi, s) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let month_days = [
        31,
        if leap(y) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo)
        || d < 1
        || d > month_days[(mo - 1) as usize]
        || h > 23
        || mi > 59
        || s > 60
    {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    // A leap second is read as the second before the next minute.
    Some(days_from_civil(y, mo, d) * DAY + h * 3600 + mi * 60 + s.min(59) - offset)
}

fn leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_writes_known_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(1_795_780_800), "2026-11-27T12:00:00Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59Z");
        assert_eq!(balkanid(1_795_780_800), "2026-11-27 12:00:00 +0000 UTC");
    }

    #[test]
    fn parse_rfc3339_reads_fractions_and_offsets() {
        let noon = 1_795_780_800;
        assert_eq!(parse_rfc3339("2026-11-27T12:00:00Z"), Some(noon));
        assert_eq!(parse_rfc3339("2026-11-27T12:00:00.123456789Z"), Some(noon));
        assert_eq!(parse_rfc3339("2026-11-27T14:00:00+02:00"), Some(noon));
        assert_eq!(parse_rfc3339("2026-11-27T07:30:00-04:30"), Some(noon));
        assert_eq!(parse_rfc3339("2026-11-27 12:00:00z"), Some(noon));
    }

    #[test]
    fn parse_rfc3339_refuses_what_is_not_a_time() {
        for bad in [
            "",
            "2026-11-27",
            "2026-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-27T24:00:00Z",
            "2026-11-27T12:00:00",
            "2026-11-27T12:00:00.Z",
            "2026-11-27T12:00:00+0200",
            "2026-11-27T12:00:00Zjunk",
            "２０２6-11-27T12:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn round_trip_over_four_centuries() {
        let mut at = -12_219_292_800; // 1582-10-15
        while at < 13_569_465_600 {
            assert_eq!(parse_rfc3339(&iso8601(at)), Some(at));
            at += 86_399 * 37;
        }
    }
}

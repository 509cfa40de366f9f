//! How the device prints times: `Jun 22 16:15:41 2022 UTC` ([NX-TS] [CAT-TS] timestamp
//! grammar `<Mon> <DD> <HH:MM:SS> <YYYY> <TZ>`) and the evaluation countdown
//! `71 days, 22 hours, 1 minutes, 59 seconds` (a real C9200L 16.9.1 `show license summary`
//! quoted in a public Ansible playbook README, search index id 28523190061; [CAT-TS]
//! scenario 6 has the same shape) — both ways: the lab prints them, the run store and
//! `smartlic status` read them back into instants.

/// Seconds in a day.
pub const DAY: i64 = 86_400;

pub(crate) const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// (year, month 1–12, day 1–31) of a day count since 1970-01-01 (H. Hinnant's
/// `civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The UTC offset, in hours, of the zone abbreviations the samples show ([CAT-TS] [NX-TS]: UTC,
/// EST, CST, EDT) and their North American siblings. Converted only with a known
/// mapping: any other abbreviation leaves the time unread.
fn zone_offset_hours(zone: &str) -> Option<i64> {
    Some(match zone {
        "UTC" | "GMT" | "Z" => 0,
        "EDT" => -4,
        "EST" | "CDT" => -5,
        "CST" | "MDT" => -6,
        "MST" | "PDT" => -7,
        "PST" => -8,
        _ => return None,
    })
}

/// Seconds since the Unix epoch of a device timestamp (`Jun 22 16:15:41 2022 UTC`);
/// `None` for another shape or an unknown time zone.
pub fn parse_stamp(text: &str) -> Option<i64> {
    let mut words = text.split_whitespace();
    let month_name = words.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)? as u32 + 1;
    let day: u32 = words
        .next()?
        .parse()
        .ok()
        .filter(|d| (1..=31).contains(d))?;
    let mut clock = words.next()?.split(':').map(|n| n.parse::<i64>().ok());
    let (h, m, s) = (clock.next()??, clock.next()??, clock.next()??);
    let year: i64 = words.next()?.parse().ok()?;
    let offset = zone_offset_hours(words.next()?)?;
    if words.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let local = days_from_civil(year, month, day) * 86_400 + h * 3_600 + m * 60 + s;
    Some(local - offset * 3_600)
}

/// Seconds since the Unix epoch of `show clock` (`*16:15:41.123 UTC Wed Jun 22 2022`; the
/// leading `*` or `.` marks a clock that is not authoritative); `None` for another shape or
/// an unknown time zone.
pub fn parse_show_clock(text: &str) -> Option<i64> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut words = line.trim_start_matches(['*', '.']).split_whitespace();
    let time = words.next()?.split('.').next()?;
    let zone = words.next()?;
    let _weekday = words.next()?;
    let (month, day, year) = (words.next()?, words.next()?, words.next()?);
    parse_stamp(&format!("{month} {day} {time} {year} {zone}"))
}

/// Seconds in a countdown (`71 days, 22 hours, 1 minutes, 59 seconds`); the units the
/// device leaves out count as zero.
pub fn parse_countdown(text: &str) -> Option<i64> {
    let mut total = 0;
    let mut any = false;
    for part in text.split(',') {
        let mut words = part.split_whitespace();
        let n: i64 = words.next()?.parse().ok()?;
        let unit = match words.next()?.trim_end_matches('s') {
            "day" => 86_400,
            "hour" => 3_600,
            "minute" => 60,
            "second" => 1,
            _ => return None,
        };
        total += n * unit;
        any = true;
    }
    any.then_some(total)
}

/// `2022-06-22T16:15:41Z`: how reports and the store's JSON print an instant.
pub fn iso8601(epoch_secs: i64) -> String {
    let (year, month, day) = civil_from_days(epoch_secs.div_euclid(86_400));
    let of_day = epoch_secs.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3_600,
        of_day % 3_600 / 60,
        of_day % 60
    )
}

/// Seconds since the Unix epoch, now, on this machine's clock.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// `Jun 22 16:15:41 2022 UTC` for a time in seconds since the Unix epoch: the inverse of
/// [`parse_stamp`], which the parser tests build their inputs with.
pub fn stamp(epoch_secs: f64) -> String {
    let secs = epoch_secs.floor() as i64;
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{} {:02} {:02}:{:02}:{:02} {} UTC",
        MONTHS[(month - 1) as usize],
        day,
        of_day / 3_600,
        of_day % 3_600 / 60,
        of_day % 60,
        year
    )
}

/// `71 days, 22 hours, 1 minutes, 59 seconds` (never negative): the inverse of
/// [`parse_countdown`], for the parser tests.
pub fn countdown(secs: f64) -> String {
    let total = secs.max(0.0).floor() as i64;
    format!(
        "{} days, {} hours, {} minutes, {} seconds",
        total / 86_400,
        total % 86_400 / 3_600,
        total % 3_600 / 60,
        total % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_like_the_nx_os_sample() {
        // 2022-06-22T16:15:41Z ([NX-TS] `Initial Registration: SUCCEEDED on …`).
        assert_eq!(stamp(1_655_914_541.0), "Jun 22 16:15:41 2022 UTC");
        assert_eq!(stamp(0.0), "Jan 01 00:00:00 1970 UTC");
        // Leap day.
        assert_eq!(stamp(1_709_164_800.0), "Feb 29 00:00:00 2024 UTC");
    }

    #[test]
    fn reads_back_what_it_stamps() {
        for secs in [0, 1_655_914_541, 1_709_164_800, 4_102_444_799] {
            assert_eq!(parse_stamp(&stamp(secs as f64)), Some(secs));
        }
    }

    #[test]
    fn reads_the_sample_zones_with_their_offsets() {
        // [CAT-TS] [NX-TS]'s samples: EST is UTC−5, EDT UTC−4, CST UTC−6.
        let utc = parse_stamp("Oct 22 14:25:31 2018 UTC").unwrap();
        assert_eq!(
            parse_stamp("Oct 22 14:25:31 2018 EST"),
            Some(utc + 5 * 3_600)
        );
        assert_eq!(
            parse_stamp("Oct 22 14:25:31 2018 EDT"),
            Some(utc + 4 * 3_600)
        );
        assert_eq!(
            parse_stamp("Oct 22 14:25:31 2018 CST"),
            Some(utc + 6 * 3_600)
        );
        assert_eq!(iso8601(utc), "2018-10-22T14:25:31Z");
    }

    #[test]
    fn leaves_unknown_zones_and_shapes_unread() {
        assert_eq!(parse_stamp("Oct 22 14:25:31 2018 IST"), None);
        assert_eq!(parse_stamp("2020-Jun-03 18:46:30"), None);
        assert_eq!(parse_stamp("Oct 32 14:25:31 2018 UTC"), None);
        assert_eq!(parse_stamp("Oct 22 14:25 2018 UTC"), None);
        assert_eq!(parse_stamp(""), None);
    }

    #[test]
    fn reads_show_clock_as_ios_xe_and_nx_os_print_it() {
        let at = parse_stamp("Jun 22 16:15:41 2022 UTC");
        assert_eq!(parse_show_clock("*16:15:41.123 UTC Wed Jun 22 2022\n"), at);
        assert_eq!(
            parse_show_clock("16:15:41.123 UTC Wed Jun 22 2022\nTime source is NTP\n"),
            at
        );
        assert_eq!(
            parse_show_clock(".16:15:41.123 UTC Wed Jun 2 2022"),
            parse_stamp("Jun 02 16:15:41 2022 UTC")
        );
        assert_eq!(parse_show_clock("% Invalid input"), None);
    }

    #[test]
    fn reads_countdowns() {
        let secs = 71 * 86_400 + 22 * 3_600 + 60 + 59;
        assert_eq!(
            parse_countdown("71 days, 22 hours, 1 minutes, 59 seconds"),
            Some(secs)
        );
        assert_eq!(parse_countdown("1 day, 1 hour"), Some(90_000));
        assert_eq!(parse_countdown("soon"), None);
    }

    #[test]
    fn counts_down_like_the_c9200l_sample() {
        let secs = 71.0 * 86_400.0 + 22.0 * 3_600.0 + 60.0 + 59.0;
        assert_eq!(countdown(secs), "71 days, 22 hours, 1 minutes, 59 seconds");
        assert_eq!(countdown(-5.0), "0 days, 0 hours, 0 minutes, 0 seconds");
    }
}

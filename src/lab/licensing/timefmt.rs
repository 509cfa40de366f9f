//! How the device prints times: `Jun 22 16:15:41 2022 UTC` (SPEC §6.2, §6.4 timestamp
//! grammar `<Mon> <DD> <HH:MM:SS> <YYYY> <TZ>`) and the evaluation countdown
//! `71 days, 22 hours, 1 minutes, 59 seconds` (a real C9200L 16.9.1 `show license summary`
//! quoted in a public Ansible playbook README, search index id 28523190061; SPEC §6.1.5
//! scenario 6 has the same shape).

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// (year, month 1–12, day 1–31) of a day count since 1970-01-01 (H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
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

/// `Jun 22 16:15:41 2022 UTC` for a time in seconds since the Unix epoch (the lab's
/// devices keep UTC).
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

/// `71 days, 22 hours, 1 minutes, 59 seconds` (never negative).
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
        // 2022-06-22T16:15:41Z (SPEC §6.2 `Initial Registration: SUCCEEDED on …`).
        assert_eq!(stamp(1_655_914_541.0), "Jun 22 16:15:41 2022 UTC");
        assert_eq!(stamp(0.0), "Jan 01 00:00:00 1970 UTC");
        // Leap day.
        assert_eq!(stamp(1_709_164_800.0), "Feb 29 00:00:00 2024 UTC");
    }

    #[test]
    fn counts_down_like_the_c9200l_sample() {
        let secs = 71.0 * 86_400.0 + 22.0 * 3_600.0 + 60.0 + 59.0;
        assert_eq!(countdown(secs), "71 days, 22 hours, 1 minutes, 59 seconds");
        assert_eq!(countdown(-5.0), "0 days, 0 hours, 0 minutes, 0 seconds");
    }
}

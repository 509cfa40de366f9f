//! Lab time as devices print it: `show clock`, syslog stamps, NX-OS `!Time:` headers.
//! Always UTC (the lab configures no time zone).

use crate::clock::civil_date;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
/// A UTC calendar instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: usize,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub millis: u32,
    /// 0 = Thursday (1970-01-01 was one).
    weekday: usize,
}

impl Civil {
    /// Seconds since the Unix epoch to a calendar date.
    pub fn from_epoch(secs: f64) -> Civil {
        let total_ms = (secs * 1000.0).floor() as i64;
        let days = total_ms.div_euclid(86_400_000);
        let ms_of_day = total_ms.rem_euclid(86_400_000);
        let (year, month, day) = civil_date(days * 86_400);
        Civil {
            year,
            month: month as usize,
            day,
            hour: (ms_of_day / 3_600_000) as u32,
            minute: (ms_of_day / 60_000 % 60) as u32,
            second: (ms_of_day / 1000 % 60) as u32,
            millis: (ms_of_day % 1000) as u32,
            weekday: days.rem_euclid(7) as usize,
        }
    }

    pub fn weekday(&self) -> &'static str {
        DAYS[self.weekday]
    }

    pub fn month_name(&self) -> &'static str {
        MONTHS[self.month - 1]
    }

    pub fn hms(&self) -> String {
        format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
    }

    /// `10:50:34.146 UTC Tue Feb 18 2025` (IOS-XE `show clock`, genieparser ShowClock
    /// fixtures: zero-padded time, unpadded day; NX-OS too, see `cli::show::clock`).
    pub fn clock(&self, pad_day: bool) -> String {
        let day = if pad_day {
            format!("{:02}", self.day)
        } else {
            self.day.to_string()
        };
        format!(
            "{}.{:03} UTC {} {} {day} {}",
            self.hms(),
            self.millis,
            self.weekday(),
            self.month_name(),
            self.year
        )
    }

    /// `Jun  5 05:09:30.838` (IOS syslog buffer, genieparser ShowLogging fixture).
    pub fn syslog(&self) -> String {
        format!(
            "{} {:>2} {}.{:03}",
            self.month_name(),
            self.day,
            self.hms(),
            self.millis
        )
    }

    /// `2026 Jun  9 12:00:01` (NX-OS logfile lines).
    pub fn nx_syslog(&self) -> String {
        format!(
            "{} {} {:>2} {}",
            self.year,
            self.month_name(),
            self.day,
            self.hms()
        )
    }

    /// `Sep 09 08:09:23 2024 UTC`: the times `show license status` prints (zero-padded
    /// day; the genieparser `show license tech support` fixtures in tests/fixtures/corpus).
    pub fn licensing(&self) -> String {
        format!(
            "{} {:02} {} {} UTC",
            self.month_name(),
            self.day,
            self.hms(),
            self.year
        )
    }

    /// `Wed Sep  3 13:02:00 2025` (NX-OS `!Time:` header, space-padded day).
    pub fn ctime(&self) -> String {
        format!(
            "{} {} {:>2} {} {}",
            self.weekday(),
            self.month_name(),
            self.day,
            self.hms(),
            self.year
        )
    }
}

/// `89 days, 7 hours, 4 minutes, 18 seconds` (never negative): how long is left, as
/// `show license` prints it (genieparser fixtures in tests/fixtures/corpus).
pub fn countdown(secs: f64) -> String {
    let total = secs.max(0.0).floor() as i64;
    let (days, hours) = (total / 86_400, total % 86_400 / 3_600);
    let (minutes, seconds) = (total % 3_600 / 60, total % 60);
    format!("{days} days, {hours} hours, {minutes} minutes, {seconds} seconds")
}

/// Seconds since the Unix epoch of a UTC calendar instant (H. Hinnant's
/// `days_from_civil`).
pub fn to_epoch(year: i64, month: usize, day: u32, hour: u32, minute: u32, second: u32) -> f64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    (days * 86_400 + i64::from(hour) * 3_600 + i64::from(minute) * 60 + i64::from(second)) as f64
}

/// The arguments of IOS `clock set hh:mm:ss day month year` (or `… month day year`) as
/// Unix seconds; `Err(i)`: argument `i` is not valid.
pub fn parse_clock_set(args: &[String]) -> Result<f64, usize> {
    let [time, a, b, year] = args else {
        return Err(args.len());
    };
    let hms: Vec<u32> = time
        .split(':')
        .map(|p| p.parse::<u32>())
        .collect::<Result<_, _>>()
        .map_err(|_| 0usize)?;
    let [hour, minute, second] = hms[..] else {
        return Err(0);
    };
    if hour > 23 || minute > 59 || second > 59 {
        return Err(0);
    }
    let month_of = |w: &str| {
        MONTHS
            .iter()
            .position(|m| w.get(..3).is_some_and(|head| head.eq_ignore_ascii_case(m)))
            .map(|i| i + 1)
    };
    let (day, month, day_at) = match (a.parse::<u32>(), month_of(b), month_of(a), b.parse::<u32>())
    {
        (Ok(day), Some(month), _, _) => (day, month, 1),
        (_, _, Some(month), Ok(day)) => (day, month, 2),
        _ => return Err(1),
    };
    if !(1..=31).contains(&day) {
        return Err(day_at);
    }
    // IOS accepts years 1993 to 2035.
    let year = year
        .parse::<i64>()
        .ok()
        .filter(|y| (1993..=2035).contains(y));
    let year = year.ok_or(3usize)?;
    Ok(to_epoch(year, month, day, hour, minute, second))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licensing_times_and_countdowns_as_devices_print_them() {
        // Strings from the genieparser `show license tech support` fixtures.
        let at = to_epoch(2024, 9, 9, 8, 9, 23);
        assert_eq!(
            Civil::from_epoch(at).licensing(),
            "Sep 09 08:09:23 2024 UTC"
        );
        let left = 89.0 * 86_400.0 + 7.0 * 3_600.0 + 4.0 * 60.0 + 18.0;
        assert_eq!(countdown(left), "89 days, 7 hours, 4 minutes, 18 seconds");
        assert_eq!(countdown(-5.0), "0 days, 0 hours, 0 minutes, 0 seconds");
        assert_eq!(
            Civil::from_epoch(0.0).licensing(),
            "Jan 01 00:00:00 1970 UTC"
        );
    }

    #[test]
    fn clock_set_takes_day_month_or_month_day() {
        let args = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        let at = parse_clock_set(&args("16:15:41 22 June 2022")).unwrap();
        assert_eq!(at, 1_655_914_541.0);
        assert_eq!(parse_clock_set(&args("16:15:41 Jun 22 2022")), Ok(at));
        assert_eq!(
            Civil::from_epoch(at).clock(false),
            "16:15:41.000 UTC Wed Jun 22 2022"
        );
        assert_eq!(parse_clock_set(&args("25:00:00 22 Jun 2022")), Err(0));
        assert_eq!(parse_clock_set(&args("10:00:00 22 Foo 2022")), Err(1));
        assert_eq!(parse_clock_set(&args("10:00:00 22 Jun 1980")), Err(3));
    }

    #[test]
    fn converts_known_instants() {
        // 2022-06-22 16:15:41 UTC was a Wednesday ([NX-TS] sample dates).
        let c = Civil::from_epoch(1_655_914_541.25);
        assert_eq!(c.clock(false), "16:15:41.250 UTC Wed Jun 22 2022");
        assert_eq!(c.ctime(), "Wed Jun 22 16:15:41 2022");
        let c = Civil::from_epoch(951_782_400.0); // 2000-02-29, a leap day
        assert_eq!((c.year, c.month, c.day), (2000, 2, 29));
        assert_eq!(c.syslog(), "Feb 29 00:00:00.000");
        assert_eq!(Civil::from_epoch(0.0).ctime(), "Thu Jan  1 00:00:00 1970");
    }
}

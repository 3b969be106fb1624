//! Calendar dates that may be partial (`2016`, `2016-08`, `2016-08-24`), as content writes them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A calendar date that may be partial: a year, a year and month, or a full day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A text that is not a date, or names one that does not exist; the message says which.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DateError(String);

impl Date {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, rejecting dates that do not exist.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let bad = || {
            DateError(format!(
                "`{text}` is not a date: write YYYY-MM-DD, YYYY-MM or YYYY"
            ))
        };
        let parts: Vec<&str> = text.trim().split('-').collect();
        let number = |part: &str, len: usize| -> Result<u16, DateError> {
            if part.len() != len || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            part.parse::<u16>().map_err(|_| bad())
        };
        let year = number(parts[0], 4)?;
        if !(1800..=2100).contains(&year) {
            return Err(DateError(format!(
                "`{text}`: year {year} is out of range 1800-2100"
            )));
        }
        let month = match parts.get(1) {
            Some(m) => Some(number(m, 2)? as u8),
            None => None,
        };
        let day = match parts.get(2) {
            Some(d) => Some(number(d, 2)? as u8),
            None => None,
        };
        if parts.len() > 3 {
            return Err(bad());
        }
        if let Some(m) = month
            && !(1..=12).contains(&m)
        {
            return Err(DateError(format!("`{text}`: there is no month {m}")));
        }
        if let (Some(m), Some(d)) = (month, day) {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            let days_in_month = match m {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            if d == 0 || d > days_in_month {
                return Err(DateError(format!(
                    "`{text}` does not exist: month {m} has {days_in_month} days"
                )));
            }
        }
        Ok(Date { year, month, day })
    }

    /// True when the day is known.
    pub fn is_full(&self) -> bool {
        self.day.is_some()
    }

    /// A reader-friendly form: `2 January 2024`, `January 2024` or `2024`.
    pub fn human(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{d} {} {}", MONTHS[m as usize - 1], self.year),
            (Some(m), None) => format!("{} {}", MONTHS[m as usize - 1], self.year),
            _ => self.year.to_string(),
        }
    }

    /// The last day this date covers: itself for a day, the month's last day for a month, 31
    /// December for a year (a deadline "in 2027" runs to its end).
    pub fn last_day(&self) -> Date {
        match (self.month, self.day) {
            (Some(_), Some(_)) => *self,
            (Some(month), None) => {
                let next = if month == 12 {
                    Date {
                        year: self.year + 1,
                        month: Some(1),
                        day: Some(1),
                    }
                } else {
                    Date {
                        year: self.year,
                        month: Some(month + 1),
                        day: Some(1),
                    }
                };
                Date::from_days_since_epoch(next.days_since_epoch() - 1)
            }
            _ => Date {
                year: self.year,
                month: Some(12),
                day: Some(31),
            },
        }
    }

    /// Today's date (UTC) from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days_since_epoch((secs / 86_400) as i64)
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's civil_from_days).
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date {
            year,
            month: Some(month),
            day: Some(day),
        }
    }

    /// Days since 1970-01-01 of the first day this date covers (for age comparisons).
    pub fn days_since_epoch(&self) -> i64 {
        let (y, m, d) = (
            i64::from(self.year),
            i64::from(self.month.unwrap_or(1)),
            i64::from(self.day.unwrap_or(1)),
        );
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateVisitor;
        impl serde::de::Visitor<'_> for DateVisitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date written YYYY-MM-DD, YYYY-MM or YYYY")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Date, E> {
                Date::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Date, E> {
                Date::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Date, E> {
                Date::parse(&v.to_string()).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(DateVisitor)
    }
}

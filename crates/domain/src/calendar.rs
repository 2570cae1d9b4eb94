//! Working days (ngày làm việc) of public bodies.
//!
//! A [`WorkCalendar`] combines:
//!
//! 1. weekly rest days (ngày nghỉ hằng tuần): Saturday and Sunday;
//! 2. statutory holidays (ngày nghỉ lễ, Tết) of Labour Code 2019 art. 112(1), see
//!    [`Holiday`], computed for every year (the lunar ones with [`crate::lunar`]);
//! 3. compensatory days off (nghỉ bù, art. 112(3)): a statutory holiday falling on
//!    a weekly rest day gives a day off on the next day that is neither a rest day,
//!    nor a holiday, nor already a compensatory day;
//! 4. exceptions entered by administrators for a date, which win over everything
//!    above: [`CalendarException::ExtraDayOff`] and
//!    [`CalendarException::MakeUpWorkingDay`].
//!
//! The Government fixes the exact Tết and National Day days each year, often
//! swapping a working day with a Saturday. The computed defaults below are only a
//! starting point; administrators enter the published decision as exceptions.
//!
//! - Tết (Tết Âm lịch), 5 days: the last day of the old lunar year and the first
//!   4 days of the new one.
//! - National Day (Quốc khánh), 2 days: 2 September and, by default, the day
//!   before (see [`NationalDayExtra`]).
//!
//! These rules are applied to every year, including years before the Labour Code
//! 2019 took effect (2021); historical years need exceptions to be exact.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::lunar::{self, LunarError, MAX_SOLAR_YEAR, MIN_SOLAR_YEAR};

/// Longest reason text an exception may carry, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Why a calendar operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    /// The date is outside the years the calendar can compute.
    #[error("{date} is outside the supported years {MIN_SOLAR_YEAR}..={MAX_SOLAR_YEAR}")]
    OutOfRange {
        /// The date asked about.
        date: NaiveDate,
    },
    /// An exception reason was empty or blank.
    #[error("the reason of a calendar exception must not be empty")]
    EmptyReason,
    /// An exception reason was too long.
    #[error("the reason of a calendar exception is longer than {MAX_REASON_CHARS} characters")]
    ReasonTooLong,
    /// Two exceptions were given for the same date.
    #[error("there is already a calendar exception on {date}")]
    DuplicateException {
        /// The date with two exceptions.
        date: NaiveDate,
    },
    /// The lunar calendar refused a computation.
    #[error(transparent)]
    Lunar(#[from] LunarError),
}

impl CalendarError {
    /// Stable message key for translation by the outer layers.
    pub fn code(&self) -> &'static str {
        match self {
            Self::OutOfRange { .. } => "calendar.out_of_range",
            Self::EmptyReason => "calendar.empty_reason",
            Self::ReasonTooLong => "calendar.reason_too_long",
            Self::DuplicateException { .. } => "calendar.duplicate_exception",
            Self::Lunar(inner) => inner.code(),
        }
    }
}

/// A statutory public holiday (ngày nghỉ lễ) of Labour Code 2019 art. 112(1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Holiday {
    /// New Year's Day (Tết Dương lịch), 1 January.
    NewYear,
    /// Lunar New Year (Tết Âm lịch), 5 days.
    LunarNewYear,
    /// Hùng Kings' Commemoration Day (Giỗ Tổ Hùng Vương), 10th day of lunar month 3.
    HungKingsDay,
    /// Reunification Day (Ngày Chiến thắng), 30 April.
    ReunificationDay,
    /// International Labour Day (Ngày Quốc tế lao động), 1 May.
    LabourDay,
    /// National Day (Quốc khánh), 2 September and one adjacent day.
    NationalDay,
}

impl Holiday {
    /// Stable message key for translation by the outer layers.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NewYear => "holiday.new_year",
            Self::LunarNewYear => "holiday.lunar_new_year",
            Self::HungKingsDay => "holiday.hung_kings_day",
            Self::ReunificationDay => "holiday.reunification_day",
            Self::LabourDay => "holiday.labour_day",
            Self::NationalDay => "holiday.national_day",
        }
    }
}

/// Which day next to 2 September is the second National Day holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum NationalDayExtra {
    /// 1 September. The default: with the compensatory-day rule it reproduces the
    /// published schedules of 2023, 2024 and 2025.
    #[default]
    DayBefore,
    /// 3 September.
    DayAfter,
}

/// The free-text reason an administrator gives for an exception: trimmed, not
/// empty, at most [`MAX_REASON_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExceptionReason(String);

impl ExceptionReason {
    /// Validates a reason text.
    pub fn new(text: &str) -> Result<Self, CalendarError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(CalendarError::EmptyReason);
        }
        if text.chars().count() > MAX_REASON_CHARS {
            return Err(CalendarError::ReasonTooLong);
        }
        Ok(Self(text.to_owned()))
    }

    /// The reason text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ExceptionReason {
    type Error = CalendarError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::new(&text)
    }
}

impl From<ExceptionReason> for String {
    fn from(reason: ExceptionReason) -> Self {
        reason.0
    }
}

impl fmt::Display for ExceptionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An administrator's correction of the computed calendar for one date.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CalendarException {
    /// A day off although the rules make it a working day (e.g. a day of the
    /// Government's Tết schedule, or a weekday swapped with a Saturday).
    ExtraDayOff {
        /// The date.
        date: NaiveDate,
        /// Why, as the administrator wrote it.
        reason: ExceptionReason,
    },
    /// A working day although the rules make it a day off (ngày làm bù, e.g. a
    /// make-up Saturday, or a computed holiday the Government placed elsewhere).
    MakeUpWorkingDay {
        /// The date.
        date: NaiveDate,
        /// Why, as the administrator wrote it.
        reason: ExceptionReason,
    },
}

impl CalendarException {
    /// The date the exception applies to.
    pub fn date(&self) -> NaiveDate {
        match self {
            Self::ExtraDayOff { date, .. } | Self::MakeUpWorkingDay { date, .. } => *date,
        }
    }
}

/// Why a date is not a working day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum NonWorkingReason {
    /// Saturday or Sunday (ngày nghỉ hằng tuần).
    Weekend,
    /// A statutory holiday; named even when it falls on a weekend.
    Holiday(Holiday),
    /// Compensatory day off (nghỉ bù) for a holiday that fell on a weekend.
    CompensatoryDayOff {
        /// The holiday compensated.
        holiday: Holiday,
        /// The weekend date the holiday fell on.
        holiday_date: NaiveDate,
    },
    /// An administrator's [`CalendarException::ExtraDayOff`].
    ExtraDayOff {
        /// The administrator's reason.
        reason: ExceptionReason,
    },
}

/// The working-day calendar: rules plus administrator exceptions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    national_day_extra: NationalDayExtra,
    exceptions: BTreeMap<NaiveDate, CalendarException>,
}

/// Statutory holidays and compensatory days of one solar year (weekends and
/// exceptions are applied on top).
struct YearTable {
    year: i32,
    days: BTreeMap<NaiveDate, NonWorkingReason>,
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn next_day(date: NaiveDate) -> Result<NaiveDate, CalendarError> {
    date.succ_opt().ok_or(CalendarError::OutOfRange { date })
}

fn check_date(date: NaiveDate) -> Result<(), CalendarError> {
    if (MIN_SOLAR_YEAR..=MAX_SOLAR_YEAR).contains(&date.year()) {
        Ok(())
    } else {
        Err(CalendarError::OutOfRange { date })
    }
}

impl WorkCalendar {
    /// The computed calendar without exceptions, National Day extra day before.
    pub fn new() -> Self {
        Self::default()
    }

    /// Chooses the National Day's adjacent day.
    pub fn with_national_day_extra(mut self, extra: NationalDayExtra) -> Self {
        self.national_day_extra = extra;
        self
    }

    /// Adds exceptions; refuses two for the same date.
    pub fn with_exceptions(
        mut self,
        exceptions: impl IntoIterator<Item = CalendarException>,
    ) -> Result<Self, CalendarError> {
        for exception in exceptions {
            self.add_exception(exception)?;
        }
        Ok(self)
    }

    /// Adds one exception; refuses a second exception for the same date.
    pub fn add_exception(&mut self, exception: CalendarException) -> Result<(), CalendarError> {
        let date = exception.date();
        check_date(date)?;
        if self.exceptions.contains_key(&date) {
            return Err(CalendarError::DuplicateException { date });
        }
        self.exceptions.insert(date, exception);
        Ok(())
    }

    /// The exceptions, by date.
    pub fn exceptions(&self) -> impl Iterator<Item = &CalendarException> {
        self.exceptions.values()
    }

    /// The statutory holidays of solar `year`, by date (before exceptions).
    pub fn statutory_holidays(
        &self,
        year: i32,
    ) -> Result<Vec<(NaiveDate, Holiday)>, CalendarError> {
        let fixed = |month, day| {
            NaiveDate::from_ymd_opt(year, month, day).ok_or(LunarError::OutOfRange { year })
        };
        check_date(fixed(1, 1)?)?;
        let mut days = vec![
            (fixed(1, 1)?, Holiday::NewYear),
            (fixed(4, 30)?, Holiday::ReunificationDay),
            (fixed(5, 1)?, Holiday::LabourDay),
            (fixed(9, 2)?, Holiday::NationalDay),
            (
                lunar::lunar_to_solar(year, 3, 10, false)?,
                Holiday::HungKingsDay,
            ),
        ];
        let extra = match self.national_day_extra {
            NationalDayExtra::DayBefore => fixed(9, 1)?,
            NationalDayExtra::DayAfter => fixed(9, 3)?,
        };
        days.push((extra, Holiday::NationalDay));
        // Tết: the last day of the old lunar year, then the first four of the new.
        let tet = lunar::lunar_new_year(year)?;
        let eve = tet
            .pred_opt()
            .ok_or(CalendarError::OutOfRange { date: tet })?;
        for offset in 0..5 {
            let date = eve
                .checked_add_days(Days::new(offset))
                .ok_or(CalendarError::OutOfRange { date: eve })?;
            days.push((date, Holiday::LunarNewYear));
        }
        days.sort();
        Ok(days)
    }

    fn year_table(&self, year: i32) -> Result<YearTable, CalendarError> {
        let holidays: BTreeMap<NaiveDate, Holiday> =
            self.statutory_holidays(year)?.into_iter().collect();
        let mut days: BTreeMap<NaiveDate, NonWorkingReason> = holidays
            .iter()
            .map(|(date, holiday)| (*date, NonWorkingReason::Holiday(*holiday)))
            .collect();
        // Art. 112(3): in date order, each weekend holiday takes the next free weekday.
        for (holiday_date, holiday) in holidays.iter().filter(|(date, _)| is_weekend(**date)) {
            let mut date = next_day(*holiday_date)?;
            while is_weekend(date) || days.contains_key(&date) {
                date = next_day(date)?;
            }
            days.insert(
                date,
                NonWorkingReason::CompensatoryDayOff {
                    holiday: *holiday,
                    holiday_date: *holiday_date,
                },
            );
        }
        Ok(YearTable { year, days })
    }

    fn reason_with(&self, table: &YearTable, date: NaiveDate) -> Option<NonWorkingReason> {
        match self.exceptions.get(&date) {
            Some(CalendarException::ExtraDayOff { reason, .. }) => {
                Some(NonWorkingReason::ExtraDayOff {
                    reason: reason.clone(),
                })
            }
            Some(CalendarException::MakeUpWorkingDay { .. }) => None,
            None => table
                .days
                .get(&date)
                .cloned()
                .or_else(|| is_weekend(date).then_some(NonWorkingReason::Weekend)),
        }
    }

    /// Why `date` is not a working day, or `None` if it is one.
    pub fn non_working_reason(
        &self,
        date: NaiveDate,
    ) -> Result<Option<NonWorkingReason>, CalendarError> {
        check_date(date)?;
        let table = self.year_table(date.year())?;
        Ok(self.reason_with(&table, date))
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.non_working_reason(date)?.is_none())
    }

    /// Every non-working day of solar `year` with its reason, in date order.
    pub fn non_working_days(
        &self,
        year: i32,
    ) -> Result<Vec<(NaiveDate, NonWorkingReason)>, CalendarError> {
        let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(LunarError::OutOfRange { year })?;
        check_date(first)?;
        let table = self.year_table(year)?;
        Ok(first
            .iter_days()
            .take_while(|date| date.year() == year)
            .filter_map(|date| self.reason_with(&table, date).map(|r| (date, r)))
            .collect())
    }

    /// The `n`-th working day strictly after `date` (`date` itself when `n` is 0).
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut cursor = Cursor::new(self);
        let mut current = date;
        let mut remaining = n;
        while remaining > 0 {
            current = next_day(current)?;
            if cursor.is_working_day(current)? {
                remaining -= 1;
            }
        }
        Ok(current)
    }

    /// The first working day on or after `date`.
    pub fn working_day_on_or_after(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut cursor = Cursor::new(self);
        let mut current = date;
        while !cursor.is_working_day(current)? {
            current = next_day(current)?;
        }
        Ok(current)
    }

    /// The number of working days strictly between `from` and `to` (both
    /// excluded); 0 when `to` is not at least two days after `from`.
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u32, CalendarError> {
        let mut cursor = Cursor::new(self);
        let mut count = 0;
        let mut current = next_day(from)?;
        while current < to {
            if cursor.is_working_day(current)? {
                count += 1;
            }
            current = next_day(current)?;
        }
        Ok(count)
    }
}

/// Walks dates while reusing the holiday table of the current year.
struct Cursor<'a> {
    calendar: &'a WorkCalendar,
    table: Option<YearTable>,
}

impl<'a> Cursor<'a> {
    fn new(calendar: &'a WorkCalendar) -> Self {
        Self {
            calendar,
            table: None,
        }
    }

    fn is_working_day(&mut self, date: NaiveDate) -> Result<bool, CalendarError> {
        check_date(date)?;
        let table = match self.table.take() {
            Some(table) if table.year == date.year() => table,
            _ => self.calendar.year_table(date.year())?,
        };
        let working = self.calendar.reason_with(&table, date).is_none();
        self.table = Some(table);
        Ok(working)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn off(date: NaiveDate, reason: &str) -> CalendarException {
        CalendarException::ExtraDayOff {
            date,
            reason: ExceptionReason::new(reason).unwrap(),
        }
    }

    fn work(date: NaiveDate, reason: &str) -> CalendarException {
        CalendarException::MakeUpWorkingDay {
            date,
            reason: ExceptionReason::new(reason).unwrap(),
        }
    }

    fn days_off(calendar: &WorkCalendar, first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
        first
            .iter_days()
            .take_while(|date| *date <= last)
            .filter(|date| !calendar.is_working_day(*date).unwrap())
            .collect()
    }

    fn range(first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
        first.iter_days().take_while(|date| *date <= last).collect()
    }

    #[test]
    fn weekends_and_plain_days() {
        let calendar = WorkCalendar::new();
        assert!(calendar.is_working_day(d(2025, 3, 12)).unwrap());
        assert!(!calendar.is_working_day(d(2025, 3, 15)).unwrap());
        assert_eq!(
            calendar.non_working_reason(d(2025, 3, 16)).unwrap(),
            Some(NonWorkingReason::Weekend)
        );
    }

    #[test]
    fn default_holidays_of_2025() {
        let calendar = WorkCalendar::new();
        let holidays = calendar.statutory_holidays(2025).unwrap();
        let expected = [
            (d(2025, 1, 1), Holiday::NewYear),
            (d(2025, 1, 28), Holiday::LunarNewYear),
            (d(2025, 1, 29), Holiday::LunarNewYear),
            (d(2025, 1, 30), Holiday::LunarNewYear),
            (d(2025, 1, 31), Holiday::LunarNewYear),
            (d(2025, 2, 1), Holiday::LunarNewYear),
            (d(2025, 4, 7), Holiday::HungKingsDay),
            (d(2025, 4, 30), Holiday::ReunificationDay),
            (d(2025, 5, 1), Holiday::LabourDay),
            (d(2025, 9, 1), Holiday::NationalDay),
            (d(2025, 9, 2), Holiday::NationalDay),
        ];
        assert_eq!(holidays, expected);
        let days = calendar.non_working_days(2025).unwrap();
        // 104 weekend days + 10 weekday holidays + 1 compensatory day (for Sat 1 Feb).
        assert_eq!(days.len(), 115);
        let reason_of = |date| {
            days.iter()
                .find(|(d, _)| *d == date)
                .map(|(_, r)| r.clone())
        };
        assert_eq!(
            reason_of(d(2025, 2, 1)),
            Some(NonWorkingReason::Holiday(Holiday::LunarNewYear))
        );
        assert_eq!(
            reason_of(d(2025, 2, 3)),
            Some(NonWorkingReason::CompensatoryDayOff {
                holiday: Holiday::LunarNewYear,
                holiday_date: d(2025, 2, 1)
            })
        );
        assert_eq!(reason_of(d(2025, 2, 4)), None);
    }

    #[test]
    fn compensatory_days_for_new_year_on_a_weekend() {
        let calendar = WorkCalendar::new();
        // 1 Jan 2022 was a Saturday: off until Monday 3 Jan (as published).
        assert_eq!(
            days_off(&calendar, d(2021, 12, 31), d(2022, 1, 4)),
            range(d(2022, 1, 1), d(2022, 1, 3))
        );
        // 1 Jan 2023 was a Sunday: off until Monday 2 Jan (as published).
        assert_eq!(
            days_off(&calendar, d(2023, 1, 1), d(2023, 1, 3)),
            range(d(2023, 1, 1), d(2023, 1, 2))
        );
    }

    #[test]
    fn compensatory_days_queue_after_a_holiday_block() {
        // Default Tết 2024: 9 Feb (Fri) to 13 Feb (Tue) with Sat 10 and Sun 11
        // compensated on Wed 14 and Thu 15.
        let calendar = WorkCalendar::new();
        assert_eq!(
            days_off(&calendar, d(2024, 2, 5), d(2024, 2, 16)),
            range(d(2024, 2, 9), d(2024, 2, 15))
        );
        assert_eq!(
            calendar.non_working_reason(d(2024, 2, 15)).unwrap(),
            Some(NonWorkingReason::CompensatoryDayOff {
                holiday: Holiday::LunarNewYear,
                holiday_date: d(2024, 2, 11)
            })
        );
        assert!(calendar.is_working_day(d(2024, 2, 19)).unwrap());
        // Hùng Kings' day 2026 is Sunday 26 April: compensated on Monday 27.
        assert_eq!(
            calendar.non_working_reason(d(2026, 4, 27)).unwrap(),
            Some(NonWorkingReason::CompensatoryDayOff {
                holiday: Holiday::HungKingsDay,
                holiday_date: d(2026, 4, 26)
            })
        );
    }

    #[test]
    fn published_tet_2024_via_exceptions() {
        // Published: off Thursday 8 Feb (29 Chạp) to Wednesday 14 Feb 2024.
        let calendar = WorkCalendar::new()
            .with_exceptions([
                off(d(2024, 2, 8), "Tết 2024 schedule: from 29 Chạp"),
                work(d(2024, 2, 15), "Tết 2024 schedule: back to work"),
            ])
            .unwrap();
        assert_eq!(
            days_off(&calendar, d(2024, 2, 5), d(2024, 2, 16)),
            range(d(2024, 2, 8), d(2024, 2, 14))
        );
        assert_eq!(
            calendar.non_working_reason(d(2024, 2, 8)).unwrap(),
            Some(NonWorkingReason::ExtraDayOff {
                reason: ExceptionReason::new("Tết 2024 schedule: from 29 Chạp").unwrap()
            })
        );
    }

    #[test]
    fn published_tet_2025_via_exceptions() {
        // Published: off Saturday 25 Jan to Sunday 2 Feb 2025, back on Monday 3 Feb.
        let calendar = WorkCalendar::new()
            .with_exceptions([
                off(d(2025, 1, 27), "Tết 2025 schedule"),
                work(d(2025, 2, 3), "Tết 2025 schedule: back to work"),
            ])
            .unwrap();
        assert_eq!(
            days_off(&calendar, d(2025, 1, 20), d(2025, 2, 7)),
            range(d(2025, 1, 25), d(2025, 2, 2))
        );
    }

    #[test]
    fn published_reunification_and_labour_day_2025() {
        // Published: off 30 Apr – 4 May 2025; Friday 2 May swapped with Saturday
        // 26 April, a make-up working day.
        let calendar = WorkCalendar::new()
            .with_exceptions([
                off(d(2025, 5, 2), "swapped with Saturday 26 April"),
                work(d(2025, 4, 26), "make-up for Friday 2 May"),
            ])
            .unwrap();
        assert_eq!(
            days_off(&calendar, d(2025, 4, 28), d(2025, 5, 5)),
            range(d(2025, 4, 30), d(2025, 5, 4))
        );
        assert!(calendar.is_working_day(d(2025, 4, 26)).unwrap());
        // Without the exceptions, 2 May is a working day and 26 April is not.
        let plain = WorkCalendar::new();
        assert!(plain.is_working_day(d(2025, 5, 2)).unwrap());
        assert!(!plain.is_working_day(d(2025, 4, 26)).unwrap());
    }

    #[test]
    fn national_day_defaults_match_recent_schedules() {
        let calendar = WorkCalendar::new();
        // 2023: 1–4 Sep; 2024: 31 Aug – 3 Sep; 2025: 30 Aug – 2 Sep.
        assert_eq!(
            days_off(&calendar, d(2023, 8, 31), d(2023, 9, 5)),
            range(d(2023, 9, 1), d(2023, 9, 4))
        );
        assert_eq!(
            days_off(&calendar, d(2024, 8, 30), d(2024, 9, 4)),
            range(d(2024, 8, 31), d(2024, 9, 3))
        );
        assert_eq!(
            days_off(&calendar, d(2025, 8, 29), d(2025, 9, 3)),
            range(d(2025, 8, 30), d(2025, 9, 2))
        );
        let after = WorkCalendar::new().with_national_day_extra(NationalDayExtra::DayAfter);
        assert!(after.is_working_day(d(2025, 9, 1)).unwrap());
        assert!(!after.is_working_day(d(2025, 9, 3)).unwrap());
    }

    #[test]
    fn add_working_days_skips_tet() {
        let calendar = WorkCalendar::new();
        // Friday 24 Jan 2025 + 1 working day = Monday 27 Jan (default has 27 working).
        assert_eq!(
            calendar.add_working_days(d(2025, 1, 24), 1).unwrap(),
            d(2025, 1, 27)
        );
        // + 2 skips the default Tết block 28 Jan – 3 Feb.
        assert_eq!(
            calendar.add_working_days(d(2025, 1, 24), 2).unwrap(),
            d(2025, 2, 4)
        );
        assert_eq!(
            calendar.add_working_days(d(2025, 1, 24), 0).unwrap(),
            d(2025, 1, 24)
        );
        // Across a year boundary: Wed 31 Dec 2025 + 1 skips 1 Jan 2026.
        assert_eq!(
            calendar.add_working_days(d(2025, 12, 31), 1).unwrap(),
            d(2026, 1, 2)
        );
        // A whole year of working days from 31 Dec 2024 ends on the last one of 2025.
        assert_eq!(
            calendar.add_working_days(d(2024, 12, 31), 250).unwrap(),
            d(2025, 12, 31)
        );
    }

    #[test]
    fn working_days_between_excludes_both_ends() {
        let calendar = WorkCalendar::new();
        assert_eq!(
            calendar
                .working_days_between(d(2025, 3, 14), d(2025, 3, 15))
                .unwrap(),
            0
        );
        assert_eq!(
            calendar
                .working_days_between(d(2025, 3, 13), d(2025, 3, 17))
                .unwrap(),
            1
        );
        assert_eq!(
            calendar
                .working_days_between(d(2025, 3, 17), d(2025, 3, 10))
                .unwrap(),
            0
        );
        assert_eq!(
            calendar
                .working_days_between(d(2024, 12, 31), d(2026, 1, 1))
                .unwrap(),
            250
        );
        assert_eq!(
            calendar.working_day_on_or_after(d(2025, 1, 28)).unwrap(),
            d(2025, 2, 4)
        );
        assert_eq!(
            calendar.working_day_on_or_after(d(2025, 2, 4)).unwrap(),
            d(2025, 2, 4)
        );
    }

    #[test]
    fn exceptions_are_validated() {
        assert_eq!(
            ExceptionReason::new("  ").unwrap_err(),
            CalendarError::EmptyReason
        );
        assert_eq!(
            ExceptionReason::new(&"x".repeat(MAX_REASON_CHARS + 1))
                .unwrap_err()
                .code(),
            "calendar.reason_too_long"
        );
        assert_eq!(ExceptionReason::new("  Tết  ").unwrap().as_str(), "Tết");
        let err = WorkCalendar::new()
            .with_exceptions([off(d(2025, 5, 2), "a"), work(d(2025, 5, 2), "b")])
            .unwrap_err();
        assert_eq!(
            err,
            CalendarError::DuplicateException {
                date: d(2025, 5, 2)
            }
        );
        assert_eq!(err.code(), "calendar.duplicate_exception");
    }

    #[test]
    fn out_of_range_dates_are_errors() {
        let calendar = WorkCalendar::new();
        let err = calendar.is_working_day(d(1799, 12, 31)).unwrap_err();
        assert_eq!(
            err,
            CalendarError::OutOfRange {
                date: d(1799, 12, 31)
            }
        );
        let err = calendar.add_working_days(d(2299, 12, 30), 5).unwrap_err();
        assert_eq!(err.code(), "calendar.out_of_range");
        assert!(calendar.non_working_days(2300).is_err());
    }
}

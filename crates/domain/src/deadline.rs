//! Report deadlines (thời hạn gửi báo cáo).
//!
//! A reporting regime states, per reporting level, a [`DeadlineRule`]. A deadline
//! is computed from the period's data cut-off window (see
//! [`PeriodId::cutoff_window`]) and the working-day calendar.
//!
//! Decree 09/2019/NĐ-CP requires at least one working day between the end of the
//! cut-off window and the deadline; [`check_rule`] refuses rules that break it for
//! any period of a range of years (holidays move, so one year is not enough). A
//! [`Cascade`] chains levels (commune → district → province …) and refuses chains
//! whose deadlines go down on the way up.

use std::fmt;
use std::num::NonZeroU16;
use std::ops::RangeInclusive;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::calendar::{CalendarError, WorkCalendar};
use crate::message::Message;
use crate::period::{days_in_month, periods_in_year, Convention, Frequency, PeriodError, PeriodId};

/// Latest `months_after` a fixed-day rule may use.
pub const MAX_MONTHS_AFTER: u8 = 12;

/// Most working days after the window a deadline may be (about four months):
/// no regime waits longer, and each deadline is computed day by day.
pub const MAX_WORKING_DAYS: u16 = 90;
/// Longest reporting level name, in characters.
pub const MAX_LEVEL_NAME_CHARS: usize = 100;

/// Why a deadline rule, a cascade or a deadline computation was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DeadlineError {
    /// More working days after the window than any regime needs.
    #[error("{n} working days after the window is more than allowed")]
    TooManyWorkingDays {
        /// The number given.
        n: u16,
    },
    /// A fixed day of month outside 1..=31.
    #[error("day of month {day} is not between 1 and 31")]
    InvalidDay {
        /// The day given.
        day: u32,
    },
    /// `months_after` above [`MAX_MONTHS_AFTER`].
    #[error("{months_after} months after the cut-off is more than {MAX_MONTHS_AFTER}")]
    TooManyMonths {
        /// The value given.
        months_after: u32,
    },
    /// A working-day rule with zero days.
    #[error("a deadline must be at least 1 working day after the cut-off window")]
    ZeroWorkingDays,
    /// The rule leaves no working day between the window and the deadline.
    #[error(
        "for period {period}, the deadline {deadline} leaves {working_days} working days after \
         the cut-off window ends on {window_last}; Decree 09 requires at least 1"
    )]
    TooCloseToCutOff {
        /// The first period for which the rule fails.
        period: PeriodId,
        /// Last day of its cut-off window.
        window_last: NaiveDate,
        /// The deadline the rule gives.
        deadline: NaiveDate,
        /// Working days strictly between the two.
        working_days: u32,
    },
    /// A fixed-day rule cannot be checked or used for ad-hoc periods, whose
    /// windows are arbitrary.
    #[error("a fixed day-of-month rule does not apply to {frequency:?} reports")]
    NotApplicable {
        /// The frequency asked for.
        frequency: Frequency,
    },
    /// A cascade without levels.
    #[error("a deadline cascade needs at least one level")]
    EmptyCascade,
    /// Two levels of a cascade share a rank.
    #[error("two reporting levels have rank {rank}")]
    DuplicateRank {
        /// The shared rank.
        rank: u8,
    },
    /// A level name was empty or too long.
    #[error("a reporting level name must have 1 to {MAX_LEVEL_NAME_CHARS} characters")]
    InvalidLevelName,
    /// A higher level's deadline comes before a lower level's.
    #[error(
        "for period {period}, level `{upper}` is due on {upper_deadline}, before level \
         `{lower}` below it on {lower_deadline}"
    )]
    CascadeOutOfOrder {
        /// The first period for which the order breaks.
        period: PeriodId,
        /// The lower level's name.
        lower: String,
        /// Its deadline.
        lower_deadline: NaiveDate,
        /// The higher level's name.
        upper: String,
        /// Its (earlier) deadline.
        upper_deadline: NaiveDate,
    },
    /// An invalid period or year range.
    #[error(transparent)]
    Period(#[from] PeriodError),
    /// The calendar could not compute working days.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl DeadlineError {
    /// The translatable message, with the details as arguments.
    pub fn message(&self) -> Message {
        let m = Message::new(self.code());
        match self {
            Self::InvalidDay { day } => m.arg("value", day),
            Self::TooManyMonths { months_after } => {
                m.arg("value", months_after).arg("max", MAX_MONTHS_AFTER)
            }
            Self::TooCloseToCutOff {
                period,
                window_last,
                deadline,
                working_days,
            } => m
                .arg("period", period)
                .arg("window_last", window_last.format("%d/%m/%Y"))
                .arg("deadline", deadline.format("%d/%m/%Y"))
                .arg("working_days", working_days),
            Self::NotApplicable { .. } => m,
            Self::DuplicateRank { rank } => m.arg("value", rank),
            Self::CascadeOutOfOrder {
                period,
                lower,
                lower_deadline,
                upper,
                upper_deadline,
            } => m
                .arg("period", period)
                .arg("lower", lower)
                .arg("lower_deadline", lower_deadline.format("%d/%m/%Y"))
                .arg("upper", upper)
                .arg("upper_deadline", upper_deadline.format("%d/%m/%Y")),
            Self::Period(_) | Self::Calendar(_) => m.arg("value", self),
            Self::TooManyWorkingDays { n } => m.arg("value", n).arg("max", MAX_WORKING_DAYS),
            Self::ZeroWorkingDays | Self::EmptyCascade | Self::InvalidLevelName => m,
        }
    }

    /// Stable message key for translation by the outer layers.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidDay { .. } => "deadline.invalid_day",
            Self::TooManyMonths { .. } => "deadline.too_many_months",
            Self::ZeroWorkingDays => "deadline.zero_working_days",
            Self::TooManyWorkingDays { .. } => "deadline.too_many_working_days",
            Self::TooCloseToCutOff { .. } => "deadline.too_close_to_cutoff",
            Self::NotApplicable { .. } => "deadline.not_applicable",
            Self::EmptyCascade => "deadline.empty_cascade",
            Self::DuplicateRank { .. } => "deadline.duplicate_rank",
            Self::InvalidLevelName => "deadline.invalid_level_name",
            Self::CascadeOutOfOrder { .. } => "deadline.cascade_out_of_order",
            Self::Period(inner) => inner.code(),
            Self::Calendar(inner) => inner.code(),
        }
    }
}

/// How a level's deadline is derived from a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineRule {
    /// Day `day` of the month that is `months_after` months after the month in
    /// which the cut-off window ends (0 = that same month). E.g. day 18, 0 months:
    /// the 18th of the reporting month for an administrative monthly window ending
    /// on the 14th. A day past the month's end means its last day; a non-working
    /// day moves to the next working day (Vietnamese practice).
    FixedDayOfMonth {
        /// Day of month, 1..=31.
        day: u8,
        /// Months after the month of the window's last day, 0..=12.
        months_after: u8,
    },
    /// The n-th working day strictly after the cut-off window's last day.
    WorkingDaysAfterWindow(NonZeroU16),
}

impl DeadlineRule {
    /// A fixed-day rule; `day` is 1..=31 and `months_after` 0..=[`MAX_MONTHS_AFTER`].
    pub fn fixed_day(day: u32, months_after: u32) -> Result<Self, DeadlineError> {
        let valid_day = u8::try_from(day).ok().filter(|d| (1..=31).contains(d));
        let day = valid_day.ok_or(DeadlineError::InvalidDay { day })?;
        let valid_months = u8::try_from(months_after)
            .ok()
            .filter(|m| *m <= MAX_MONTHS_AFTER);
        let months_after = valid_months.ok_or(DeadlineError::TooManyMonths { months_after })?;
        Ok(Self::FixedDayOfMonth { day, months_after })
    }

    /// The `n`-th working day after the window; refuses 0 and more than
    /// [`MAX_WORKING_DAYS`].
    pub fn working_days_after_window(n: u16) -> Result<Self, DeadlineError> {
        if n > MAX_WORKING_DAYS {
            return Err(DeadlineError::TooManyWorkingDays { n });
        }
        NonZeroU16::new(n)
            .map(Self::WorkingDaysAfterWindow)
            .ok_or(DeadlineError::ZeroWorkingDays)
    }
}

/// The deadline of `period` under `rule`.
pub fn deadline(
    rule: DeadlineRule,
    period: &PeriodId,
    convention: Convention,
    calendar: &WorkCalendar,
) -> Result<NaiveDate, DeadlineError> {
    let window_last = period.cutoff_window(convention).last();
    match rule {
        DeadlineRule::FixedDayOfMonth { day, months_after } => {
            if period.frequency() == Frequency::AdHoc {
                return Err(DeadlineError::NotApplicable {
                    frequency: Frequency::AdHoc,
                });
            }
            // Fields are public, so re-check what `fixed_day` would have refused.
            if !(1..=31).contains(&day) {
                return Err(DeadlineError::InvalidDay {
                    day: u32::from(day),
                });
            }
            let out_of_range = CalendarError::OutOfRange { date: window_last };
            let month_start = window_last
                .with_day(1)
                .and_then(|first| first.checked_add_months(Months::new(u32::from(months_after))))
                .ok_or(out_of_range.clone())?;
            let day = u32::from(day).min(days_in_month(month_start.year(), month_start.month()));
            let target = month_start.with_day(day).ok_or(out_of_range)?;
            Ok(calendar.working_day_on_or_after(target)?)
        }
        DeadlineRule::WorkingDaysAfterWindow(n) => {
            Ok(calendar.add_working_days(window_last, u32::from(n.get()))?)
        }
    }
}

/// Refuses `rule` if, for any period of `frequency` in `years`, fewer than one
/// working day lies strictly between the cut-off window's end and the deadline.
///
/// The error names the first failing period. For [`Frequency::AdHoc`] only
/// working-day rules can be checked (they do not depend on the window's dates).
pub fn check_rule(
    rule: DeadlineRule,
    convention: Convention,
    frequency: Frequency,
    calendar: &WorkCalendar,
    years: RangeInclusive<i32>,
) -> Result<(), DeadlineError> {
    // The variant's field is public (and deserialized): re-check the bound.
    if let DeadlineRule::WorkingDaysAfterWindow(n) = rule {
        if n.get() > MAX_WORKING_DAYS {
            return Err(DeadlineError::TooManyWorkingDays { n: n.get() });
        }
    }
    if frequency == Frequency::AdHoc {
        return match rule {
            DeadlineRule::WorkingDaysAfterWindow(n) if n.get() >= 2 => Ok(()),
            DeadlineRule::WorkingDaysAfterWindow(_) => Err(DeadlineError::ZeroWorkingDays),
            DeadlineRule::FixedDayOfMonth { .. } => Err(DeadlineError::NotApplicable { frequency }),
        };
    }
    for year in years {
        for period in periods_in_year(year, frequency)? {
            let window_last = period.cutoff_window(convention).last();
            let due = deadline(rule, &period, convention, calendar)?;
            let working_days = calendar.working_days_between(window_last, due)?;
            if working_days < 1 {
                return Err(DeadlineError::TooCloseToCutOff {
                    period,
                    window_last,
                    deadline: due,
                    working_days,
                });
            }
        }
    }
    Ok(())
}

/// A reporting level (cấp báo cáo) of a cascade: a name and a rank, lower ranks
/// report first (e.g. commune 1, district 2, province 3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ReportingLevel {
    name: String,
    rank: u8,
}

impl ReportingLevel {
    /// A level; the name is trimmed and must have 1..=[`MAX_LEVEL_NAME_CHARS`]
    /// characters.
    pub fn new(name: &str, rank: u8) -> Result<Self, DeadlineError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_LEVEL_NAME_CHARS {
            return Err(DeadlineError::InvalidLevelName);
        }
        Ok(Self {
            name: name.to_owned(),
            rank,
        })
    }

    /// The level's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The level's rank (lower reports first).
    pub fn rank(&self) -> u8 {
        self.rank
    }
}

impl fmt::Display for ReportingLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// The deadlines of a regime's reporting levels, checked to be valid and
/// non-decreasing from the lowest level up for every period of a range of years.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cascade {
    levels: Vec<(ReportingLevel, DeadlineRule)>,
    convention: Convention,
    frequency: Frequency,
}

impl Cascade {
    /// Checks each rule with [`check_rule`] and that, for every period of
    /// `frequency` in `years`, no level is due before a lower-ranked level.
    /// Equal deadlines are accepted.
    pub fn new(
        levels: Vec<(ReportingLevel, DeadlineRule)>,
        convention: Convention,
        frequency: Frequency,
        calendar: &WorkCalendar,
        years: RangeInclusive<i32>,
    ) -> Result<Self, DeadlineError> {
        let mut levels = levels;
        if levels.is_empty() {
            return Err(DeadlineError::EmptyCascade);
        }
        levels.sort_by_key(|(level, _)| level.rank);
        if let Some(pair) = levels.windows(2).find(|p| p[0].0.rank == p[1].0.rank) {
            return Err(DeadlineError::DuplicateRank {
                rank: pair[0].0.rank,
            });
        }
        for (_, rule) in &levels {
            check_rule(*rule, convention, frequency, calendar, years.clone())?;
        }
        if frequency != Frequency::AdHoc {
            for year in years {
                for period in periods_in_year(year, frequency)? {
                    let mut below: Option<(&ReportingLevel, NaiveDate)> = None;
                    for (level, rule) in &levels {
                        let due = deadline(*rule, &period, convention, calendar)?;
                        if let Some((lower, lower_deadline)) = below {
                            if due < lower_deadline {
                                return Err(DeadlineError::CascadeOutOfOrder {
                                    period,
                                    lower: lower.name.clone(),
                                    lower_deadline,
                                    upper: level.name.clone(),
                                    upper_deadline: due,
                                });
                            }
                        }
                        below = Some((level, due));
                    }
                }
            }
        }
        Ok(Self {
            levels,
            convention,
            frequency,
        })
    }

    /// The levels with their rules, lowest rank first.
    pub fn levels(&self) -> &[(ReportingLevel, DeadlineRule)] {
        &self.levels
    }

    /// The convention the cascade was checked under.
    pub fn convention(&self) -> Convention {
        self.convention
    }

    /// The frequency the cascade was checked for.
    pub fn frequency(&self) -> Frequency {
        self.frequency
    }

    /// Each level's deadline for `period`, lowest rank first.
    pub fn deadlines(
        &self,
        period: &PeriodId,
        calendar: &WorkCalendar,
    ) -> Result<Vec<(&ReportingLevel, NaiveDate)>, DeadlineError> {
        self.levels
            .iter()
            .map(|(level, rule)| Ok((level, deadline(*rule, period, self.convention, calendar)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{CalendarException, ExceptionReason};
    use Convention::{Administrative, Calendar};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn p(text: &str) -> PeriodId {
        text.parse().unwrap()
    }

    fn fixed(day: u32, months_after: u32) -> DeadlineRule {
        DeadlineRule::fixed_day(day, months_after).unwrap()
    }

    fn after(n: u16) -> DeadlineRule {
        DeadlineRule::working_days_after_window(n).unwrap()
    }

    /// The calendar with the Government's published Tết 2025 schedule.
    fn calendar_2025() -> WorkCalendar {
        let reason = |text| ExceptionReason::new(text).unwrap();
        WorkCalendar::new()
            .with_exceptions([
                CalendarException::ExtraDayOff {
                    date: d(2025, 1, 27),
                    reason: reason("Tết 2025 schedule"),
                },
                CalendarException::MakeUpWorkingDay {
                    date: d(2025, 2, 3),
                    reason: reason("Tết 2025 schedule: back to work"),
                },
            ])
            .unwrap()
    }

    #[test]
    fn fixed_day_in_the_reporting_month() {
        let calendar = WorkCalendar::new();
        // March 2025 window ends Fri 14 Mar; the 18th is a Tuesday.
        assert_eq!(
            deadline(fixed(18, 0), &p("2025M03"), Administrative, &calendar).unwrap(),
            d(2025, 3, 18)
        );
        // Calendar convention: window ends 31 Mar, the 18th of the next month.
        assert_eq!(
            deadline(fixed(18, 1), &p("2025M03"), Calendar, &calendar).unwrap(),
            d(2025, 4, 18)
        );
        // A weekend deadline moves to Monday: 18 Jan 2025 is a Saturday.
        assert_eq!(
            deadline(fixed(18, 0), &p("2025M01"), Administrative, &calendar).unwrap(),
            d(2025, 1, 20)
        );
    }

    #[test]
    fn day_past_the_month_end_is_the_last_day() {
        let calendar = WorkCalendar::new();
        // Calendar January 2024, day 31 one month after: 29 Feb 2024 (Thursday).
        assert_eq!(
            deadline(fixed(31, 1), &p("2024M01"), Calendar, &calendar).unwrap(),
            d(2024, 2, 29)
        );
        // December's window ends in December: the next month is January of next year.
        assert_eq!(
            deadline(fixed(20, 1), &p("2025M12"), Calendar, &calendar).unwrap(),
            d(2026, 1, 20)
        );
        // The yearly administrative report's window ends 14 Dec 2025.
        assert_eq!(
            deadline(fixed(31, 0), &p("2025"), Administrative, &calendar).unwrap(),
            d(2025, 12, 31)
        );
    }

    #[test]
    fn deadlines_landing_on_tet() {
        // January 2025 (administrative), day 28: Tết. With the published schedule
        // (off 25 Jan – 2 Feb) it moves to Monday 3 Feb; with the computed default
        // (compensatory day on 3 Feb) to Tuesday 4 Feb.
        let rule = fixed(28, 0);
        assert_eq!(
            deadline(rule, &p("2025M01"), Administrative, &calendar_2025()).unwrap(),
            d(2025, 2, 3)
        );
        assert_eq!(
            deadline(rule, &p("2025M01"), Administrative, &WorkCalendar::new()).unwrap(),
            d(2025, 2, 4)
        );
        // January 2026 (calendar convention), the 16th of the next month: Tết eve
        // (16 Feb 2026); Tết holidays run to Fri 20 Feb, so Monday 23 Feb.
        let calendar = WorkCalendar::new();
        assert_eq!(
            deadline(fixed(16, 1), &p("2026M01"), Calendar, &calendar).unwrap(),
            d(2026, 2, 23)
        );
        // 12 working days after 31 Jan 2026 skips the Tết week.
        assert_eq!(
            deadline(after(12), &p("2026M01"), Calendar, &calendar).unwrap(),
            d(2026, 2, 24)
        );
        // The calendar-convention January 2025 report, 2 working days after 31 Jan.
        assert_eq!(
            deadline(after(2), &p("2025M01"), Calendar, &calendar_2025()).unwrap(),
            d(2025, 2, 4)
        );
    }

    #[test]
    fn working_days_after_window_crosses_the_year() {
        let calendar = WorkCalendar::new();
        // Calendar December 2025 ends Wed 31 Dec; 1 Jan 2026 is a holiday.
        assert_eq!(
            deadline(after(1), &p("2025M12"), Calendar, &calendar).unwrap(),
            d(2026, 1, 2)
        );
        assert_eq!(
            deadline(after(3), &p("2025M12"), Calendar, &calendar).unwrap(),
            d(2026, 1, 6)
        );
    }

    #[test]
    fn one_working_day_rule_refuses_day_15_for_monthly_administrative() {
        let err = check_rule(
            fixed(15, 0),
            Administrative,
            Frequency::Monthly,
            &WorkCalendar::new(),
            2025..=2025,
        )
        .unwrap_err();
        assert_eq!(
            err,
            DeadlineError::TooCloseToCutOff {
                period: p("2025M01"),
                window_last: d(2025, 1, 14),
                deadline: d(2025, 1, 15),
                working_days: 0,
            }
        );
        assert_eq!(err.code(), "deadline.too_close_to_cutoff");
        assert_eq!(
            err.to_string(),
            "for period 2025M01, the deadline 2025-01-15 leaves 0 working days after the \
             cut-off window ends on 2025-01-14; Decree 09 requires at least 1"
        );
    }

    #[test]
    fn one_working_day_rule_depends_on_the_years_checked() {
        let calendar = WorkCalendar::new();
        let rule = fixed(18, 0);
        assert_eq!(
            check_rule(
                rule,
                Administrative,
                Frequency::Monthly,
                &calendar,
                2025..=2025
            ),
            Ok(())
        );
        // February 2026: window ends Sat 14 Feb, then Sunday and the Tết week
        // (16–20 Feb) and a weekend: the 18th moves to Mon 23 Feb with no working
        // day in between.
        let err = check_rule(
            rule,
            Administrative,
            Frequency::Monthly,
            &calendar,
            2025..=2027,
        )
        .unwrap_err();
        assert_eq!(
            err,
            DeadlineError::TooCloseToCutOff {
                period: p("2026M02"),
                window_last: d(2026, 2, 14),
                deadline: d(2026, 2, 23),
                working_days: 0,
            }
        );
    }

    #[test]
    fn one_working_day_rule_for_other_rules_and_frequencies() {
        let calendar = WorkCalendar::new();
        let years = 2020..=2030;
        // The first working day after the window leaves none in between.
        let err = check_rule(
            after(1),
            Calendar,
            Frequency::Quarterly,
            &calendar,
            years.clone(),
        )
        .unwrap_err();
        assert_eq!(err.code(), "deadline.too_close_to_cutoff");
        for frequency in [
            Frequency::Monthly,
            Frequency::Quarterly,
            Frequency::HalfYearly,
            Frequency::NineMonths,
            Frequency::Yearly,
            Frequency::AdHoc,
        ] {
            for convention in [Administrative, Calendar] {
                assert_eq!(
                    check_rule(after(2), convention, frequency, &calendar, years.clone()),
                    Ok(()),
                    "{frequency:?} {convention:?}"
                );
            }
        }
        // Calendar monthly, the 20th of the next month: always fine.
        assert_eq!(
            check_rule(
                fixed(20, 1),
                Calendar,
                Frequency::Monthly,
                &calendar,
                years.clone()
            ),
            Ok(())
        );
        // Calendar monthly, the 20th of the same month: before the window ends.
        let err = check_rule(
            fixed(20, 0),
            Calendar,
            Frequency::Monthly,
            &calendar,
            years.clone(),
        )
        .unwrap_err();
        assert!(matches!(
            err,
            DeadlineError::TooCloseToCutOff {
                working_days: 0,
                ..
            }
        ));
        assert_eq!(
            check_rule(
                fixed(20, 1),
                Calendar,
                Frequency::AdHoc,
                &calendar,
                years.clone()
            ),
            Err(DeadlineError::NotApplicable {
                frequency: Frequency::AdHoc
            })
        );
        assert_eq!(
            check_rule(after(1), Calendar, Frequency::AdHoc, &calendar, years),
            Err(DeadlineError::ZeroWorkingDays)
        );
    }

    #[test]
    fn rule_constructors_refuse_bad_values() {
        assert_eq!(
            DeadlineRule::fixed_day(0, 0),
            Err(DeadlineError::InvalidDay { day: 0 })
        );
        assert_eq!(
            DeadlineRule::fixed_day(32, 0),
            Err(DeadlineError::InvalidDay { day: 32 })
        );
        assert_eq!(
            DeadlineRule::fixed_day(10, 13),
            Err(DeadlineError::TooManyMonths { months_after: 13 })
        );
        assert_eq!(
            DeadlineRule::working_days_after_window(0),
            Err(DeadlineError::ZeroWorkingDays)
        );
        // A hand-built rule with a bad day is refused at use, not panicking.
        let bad = DeadlineRule::FixedDayOfMonth {
            day: 0,
            months_after: 0,
        };
        assert_eq!(
            deadline(bad, &p("2025M03"), Calendar, &WorkCalendar::new()),
            Err(DeadlineError::InvalidDay { day: 0 })
        );
        assert_eq!(
            deadline(
                fixed(18, 0),
                &p("ADHOC:2025-03-01..2025-03-05"),
                Calendar,
                &WorkCalendar::new()
            ),
            Err(DeadlineError::NotApplicable {
                frequency: Frequency::AdHoc
            })
        );
        // Ad-hoc periods take working-day rules: Wed 5 Mar 2025 + 3 = Mon 10 Mar.
        assert_eq!(
            deadline(
                after(3),
                &p("ADHOC:2025-03-01..2025-03-05"),
                Calendar,
                &WorkCalendar::new()
            ),
            Ok(d(2025, 3, 10))
        );
    }

    fn level(name: &str, rank: u8) -> ReportingLevel {
        ReportingLevel::new(name, rank).unwrap()
    }

    #[test]
    fn cascade_in_order_is_accepted() {
        let calendar = WorkCalendar::new();
        let cascade = Cascade::new(
            vec![
                (level("Province", 3), fixed(22, 0)),
                (level("Commune", 1), after(2)),
                (level("District", 2), fixed(20, 0)),
            ],
            Administrative,
            Frequency::Monthly,
            &calendar,
            2024..=2025,
        )
        .unwrap();
        let names: Vec<&str> = cascade.levels().iter().map(|(l, _)| l.name()).collect();
        assert_eq!(names, ["Commune", "District", "Province"]);
        let due = cascade.deadlines(&p("2025M03"), &calendar).unwrap();
        let dates: Vec<NaiveDate> = due.iter().map(|(_, date)| *date).collect();
        // Window ends Fri 14 Mar 2025: commune Tue 18, district Thu 20, province Mon 24
        // (22 Mar is a Saturday).
        assert_eq!(dates, [d(2025, 3, 18), d(2025, 3, 20), d(2025, 3, 24)]);
    }

    #[test]
    fn cascade_out_of_order_is_refused() {
        let calendar = WorkCalendar::new();
        let err = Cascade::new(
            vec![
                (level("Commune", 1), fixed(20, 0)),
                (level("District", 2), after(2)),
            ],
            Administrative,
            Frequency::Monthly,
            &calendar,
            2025..=2025,
        )
        .unwrap_err();
        // January 2025: commune on Mon 20 Jan, district on Thu 16 Jan.
        assert_eq!(
            err,
            DeadlineError::CascadeOutOfOrder {
                period: p("2025M01"),
                lower: "Commune".into(),
                lower_deadline: d(2025, 1, 20),
                upper: "District".into(),
                upper_deadline: d(2025, 1, 16),
            }
        );
        assert_eq!(
            err.to_string(),
            "for period 2025M01, level `District` is due on 2025-01-16, before level `Commune` \
             below it on 2025-01-20"
        );
    }

    #[test]
    fn cascade_structure_errors() {
        let calendar = WorkCalendar::new();
        let build = |levels| {
            Cascade::new(
                levels,
                Calendar,
                Frequency::Quarterly,
                &calendar,
                2025..=2025,
            )
        };
        assert_eq!(build(vec![]), Err(DeadlineError::EmptyCascade));
        assert_eq!(
            build(vec![(level("A", 1), after(2)), (level("B", 1), after(3))]),
            Err(DeadlineError::DuplicateRank { rank: 1 })
        );
        assert_eq!(
            build(vec![(level("A", 1), after(1))]).unwrap_err().code(),
            "deadline.too_close_to_cutoff"
        );
        // Equal deadlines are allowed (non-decreasing).
        assert!(build(vec![(level("A", 1), after(2)), (level("B", 2), after(2))]).is_ok());
        assert_eq!(
            ReportingLevel::new("  ", 1),
            Err(DeadlineError::InvalidLevelName)
        );
    }

    #[test]
    fn years_out_of_range_are_errors() {
        let err = check_rule(
            after(2),
            Calendar,
            Frequency::Yearly,
            &WorkCalendar::new(),
            1899..=1899,
        )
        .unwrap_err();
        assert_eq!(err.code(), "period.year_out_of_range");
    }
}

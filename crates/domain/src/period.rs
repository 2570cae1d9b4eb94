//! Reporting periods (kỳ báo cáo) and their data cut-off windows (kỳ chốt số liệu).
//!
//! A [`PeriodId`] is parsed from its canonical text form:
//!
//! | text                          | period                                   |
//! |-------------------------------|------------------------------------------|
//! | `2025M03`                     | month (two-digit month `01`..`12`)       |
//! | `2025Q1` .. `2025Q4`          | quarter                                  |
//! | `2025S1`, `2025S2`            | half year: January–June, July–December   |
//! | `2025N9`                      | nine months: January–September           |
//! | `2025`                        | year                                     |
//! | `ADHOC:2025-03-01..2025-03-20`| ad-hoc period (báo cáo đột xuất), both dates inclusive |
//!
//! Years are limited to [`MIN_YEAR`]..=[`MAX_YEAR`]. Parsing is strict (upper-case
//! letters, zero-padded months) so that every period has exactly one spelling and
//! `Display` gives the input back.
//!
//! Data cut-off windows follow either the administrative convention of Decree
//! 09/2019/NĐ-CP art. 12 (from the 15th of the month before the period to the 14th
//! of its last month) or plain calendar dates (statistical regimes), see
//! [`Convention`].

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// First year a period may belong to.
pub const MIN_YEAR: i32 = 1900;
/// Last year a period may belong to.
pub const MAX_YEAR: i32 = 2200;

/// Why a period id or a date range was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PeriodError {
    /// The text was empty.
    #[error("period id is empty")]
    Empty,
    /// The text does not follow the grammar; `expected` says what was expected.
    #[error("period id `{input}` is malformed: expected {expected}")]
    Malformed {
        /// The text as given.
        input: String,
        /// What the parser expected at the point of failure.
        expected: &'static str,
    },
    /// The year is outside [`MIN_YEAR`]..=[`MAX_YEAR`].
    #[error("year {year} is outside {MIN_YEAR}..={MAX_YEAR}")]
    YearOutOfRange {
        /// The year given.
        year: i32,
    },
    /// The month is not 1..=12.
    #[error("month {month} is not between 01 and 12")]
    MonthOutOfRange {
        /// The month given.
        month: u32,
    },
    /// The quarter is not 1..=4.
    #[error("quarter {quarter} is not between 1 and 4")]
    QuarterOutOfRange {
        /// The quarter given.
        quarter: u32,
    },
    /// The half year is not 1 or 2.
    #[error("half year {half} is not 1 or 2")]
    HalfOutOfRange {
        /// The half given.
        half: u32,
    },
    /// Characters remain after a complete period id.
    #[error("period id `{input}` has unexpected trailing text `{rest}`")]
    TrailingInput {
        /// The text as given.
        input: String,
        /// The unexpected rest.
        rest: String,
    },
    /// A date of an ad-hoc period is not a real `YYYY-MM-DD` date.
    #[error("period id `{input}`: `{text}` is not a valid YYYY-MM-DD date")]
    InvalidDate {
        /// The text as given.
        input: String,
        /// The offending date text.
        text: String,
    },
    /// A date range ends before it starts.
    #[error("date range ends on {last} before it starts on {first}")]
    ReversedRange {
        /// First day given.
        first: NaiveDate,
        /// Last day given.
        last: NaiveDate,
    },
}

impl PeriodError {
    /// Stable message key for translation by the outer layers.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "period.empty",
            Self::Malformed { .. } => "period.malformed",
            Self::YearOutOfRange { .. } => "period.year_out_of_range",
            Self::MonthOutOfRange { .. } => "period.month_out_of_range",
            Self::QuarterOutOfRange { .. } => "period.quarter_out_of_range",
            Self::HalfOutOfRange { .. } => "period.half_out_of_range",
            Self::TrailingInput { .. } => "period.trailing_input",
            Self::InvalidDate { .. } => "period.invalid_date",
            Self::ReversedRange { .. } => "period.reversed_range",
        }
    }
}

/// An inclusive range of calendar days, never empty (`first <= last`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawDateRange")]
pub struct DateRange {
    first: NaiveDate,
    last: NaiveDate,
}

#[derive(Deserialize)]
struct RawDateRange {
    first: NaiveDate,
    last: NaiveDate,
}

impl TryFrom<RawDateRange> for DateRange {
    type Error = PeriodError;
    fn try_from(raw: RawDateRange) -> Result<Self, Self::Error> {
        Self::new(raw.first, raw.last)
    }
}

impl DateRange {
    /// A range from `first` to `last`, both included; refuses `last < first`.
    pub fn new(first: NaiveDate, last: NaiveDate) -> Result<Self, PeriodError> {
        if last < first {
            return Err(PeriodError::ReversedRange { first, last });
        }
        Ok(Self { first, last })
    }

    /// First day of the range.
    pub fn first(&self) -> NaiveDate {
        self.first
    }

    /// Last day of the range (included).
    pub fn last(&self) -> NaiveDate {
        self.last
    }

    /// Whether `date` lies in the range.
    pub fn contains_date(&self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }

    /// Whether `other` lies entirely in this range.
    pub fn contains_range(&self, other: &DateRange) -> bool {
        self.first <= other.first && other.last <= self.last
    }

    /// Number of days in the range (at least 1).
    pub fn len_days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.first, self.last)
    }
}

/// How the data cut-off window (kỳ chốt số liệu) of a period is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Convention {
    /// Decree 09/2019/NĐ-CP art. 12 (chế độ báo cáo hành chính): from the 15th of the
    /// month before the period to the 14th of the period's last month.
    Administrative,
    /// Calendar dates (chế độ báo cáo thống kê): the window is the period itself.
    Calendar,
}

/// How often a report is due (tần suất báo cáo).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// Monthly (hằng tháng).
    Monthly,
    /// Quarterly (hằng quý).
    Quarterly,
    /// Half-yearly (6 tháng).
    HalfYearly,
    /// Nine months, January–September (9 tháng).
    NineMonths,
    /// Yearly (hằng năm).
    Yearly,
    /// Ad hoc, on request (đột xuất).
    AdHoc,
}

/// What kind of period an id names. Construct periods through [`PeriodId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    /// A month, 1..=12.
    Month(u8),
    /// A quarter, 1..=4.
    Quarter(u8),
    /// A half year: 1 = January–June, 2 = July–December.
    Half(u8),
    /// January–September.
    NineMonths,
    /// The whole year.
    Year,
    /// An ad-hoc period with explicit dates.
    AdHoc(DateRange),
}

/// A validated reporting period (kỳ báo cáo); see the module docs for its text form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PeriodId {
    // For ad-hoc periods: the year of the first day.
    year: i32,
    kind: PeriodKind,
}

/// A date built from parts that callers have already validated.
fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    // Inputs are validated upstream; the fallback only keeps this total.
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

/// Number of days in a month (1..=12) of a year.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 31,
    }
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn check_year(year: i32) -> Result<(), PeriodError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(PeriodError::YearOutOfRange { year })
    }
}

impl PeriodId {
    /// A month period; `month` is 1..=12.
    pub fn month(year: i32, month: u32) -> Result<Self, PeriodError> {
        check_year(year)?;
        if !(1..=12).contains(&month) {
            return Err(PeriodError::MonthOutOfRange { month });
        }
        Ok(Self {
            year,
            kind: PeriodKind::Month(month as u8),
        })
    }

    /// A quarter period; `quarter` is 1..=4.
    pub fn quarter(year: i32, quarter: u32) -> Result<Self, PeriodError> {
        check_year(year)?;
        if !(1..=4).contains(&quarter) {
            return Err(PeriodError::QuarterOutOfRange { quarter });
        }
        Ok(Self {
            year,
            kind: PeriodKind::Quarter(quarter as u8),
        })
    }

    /// A half-year period; `half` is 1 (January–June) or 2 (July–December).
    pub fn half(year: i32, half: u32) -> Result<Self, PeriodError> {
        check_year(year)?;
        if !(1..=2).contains(&half) {
            return Err(PeriodError::HalfOutOfRange { half });
        }
        Ok(Self {
            year,
            kind: PeriodKind::Half(half as u8),
        })
    }

    /// The nine months January–September of `year`.
    pub fn nine_months(year: i32) -> Result<Self, PeriodError> {
        check_year(year)?;
        Ok(Self {
            year,
            kind: PeriodKind::NineMonths,
        })
    }

    /// The whole `year`.
    pub fn year_period(year: i32) -> Result<Self, PeriodError> {
        check_year(year)?;
        Ok(Self {
            year,
            kind: PeriodKind::Year,
        })
    }

    /// An ad-hoc period covering `range`; both ends must lie in
    /// [`MIN_YEAR`]..=[`MAX_YEAR`].
    pub fn ad_hoc(range: DateRange) -> Result<Self, PeriodError> {
        check_year(range.first.year())?;
        check_year(range.last.year())?;
        Ok(Self {
            year: range.first.year(),
            kind: PeriodKind::AdHoc(range),
        })
    }

    /// The period's year (for ad-hoc periods: the year of its first day).
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The kind of period.
    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// The reporting frequency this period belongs to.
    pub fn frequency(&self) -> Frequency {
        match self.kind {
            PeriodKind::Month(_) => Frequency::Monthly,
            PeriodKind::Quarter(_) => Frequency::Quarterly,
            PeriodKind::Half(_) => Frequency::HalfYearly,
            PeriodKind::NineMonths => Frequency::NineMonths,
            PeriodKind::Year => Frequency::Yearly,
            PeriodKind::AdHoc(_) => Frequency::AdHoc,
        }
    }

    /// First and last calendar month (1..=12) of a periodic kind.
    fn month_span(&self) -> Option<(u32, u32)> {
        match self.kind {
            PeriodKind::Month(m) => Some((u32::from(m), u32::from(m))),
            PeriodKind::Quarter(q) => {
                let q = u32::from(q);
                Some((3 * q - 2, 3 * q))
            }
            PeriodKind::Half(h) => {
                let h = u32::from(h);
                Some((6 * h - 5, 6 * h))
            }
            PeriodKind::NineMonths => Some((1, 9)),
            PeriodKind::Year => Some((1, 12)),
            PeriodKind::AdHoc(_) => None,
        }
    }

    /// The calendar days the period covers (first and last day included).
    pub fn calendar_range(&self) -> DateRange {
        match (self.kind, self.month_span()) {
            (PeriodKind::AdHoc(range), _) => range,
            (_, Some((first, last))) => DateRange {
                first: ymd(self.year, first, 1),
                last: ymd(self.year, last, days_in_month(self.year, last)),
            },
            // Unreachable: every periodic kind has a month span.
            (_, None) => DateRange {
                first: NaiveDate::MIN,
                last: NaiveDate::MIN,
            },
        }
    }

    /// First calendar day of the period.
    pub fn first_day(&self) -> NaiveDate {
        self.calendar_range().first
    }

    /// Last calendar day of the period.
    pub fn last_day(&self) -> NaiveDate {
        self.calendar_range().last
    }

    /// The data cut-off window (kỳ chốt số liệu) under `convention`.
    ///
    /// Administrative: from the 15th of the month before the period's first month
    /// (15 December of the previous year for periods starting in January) to the
    /// 14th of the period's last month. Calendar: the calendar range. Ad-hoc periods
    /// use their own dates under both conventions.
    pub fn cutoff_window(&self, convention: Convention) -> DateRange {
        match (convention, self.month_span()) {
            (Convention::Administrative, Some((first, last))) => {
                let (start_year, start_month) = if first == 1 {
                    (self.year - 1, 12)
                } else {
                    (self.year, first - 1)
                };
                DateRange {
                    first: ymd(start_year, start_month, 15),
                    last: ymd(self.year, last, 14),
                }
            }
            _ => self.calendar_range(),
        }
    }

    /// The next finer periods that tile this one, in order.
    ///
    /// A quarter has its 3 months; a half year, the nine months and the year have
    /// quarters (S1 = Q1+Q2, S2 = Q3+Q4, N9 = Q1+Q2+Q3, year = Q1..Q4), so time
    /// aggregation always goes month → quarter → larger. Months and ad-hoc periods
    /// have none. Use [`PeriodId::months`] for the months directly.
    pub fn children(&self) -> Vec<PeriodId> {
        let year = self.year;
        match self.kind {
            PeriodKind::Month(_) | PeriodKind::AdHoc(_) => Vec::new(),
            PeriodKind::Quarter(_) => self.months(),
            PeriodKind::Half(h) => {
                let h = u32::from(h);
                quarters(year, 2 * h - 1..=2 * h)
            }
            PeriodKind::NineMonths => quarters(year, 1..=3),
            PeriodKind::Year => quarters(year, 1..=4),
        }
    }

    /// Every month the period covers, in order (empty for ad-hoc periods).
    pub fn months(&self) -> Vec<PeriodId> {
        match self.month_span() {
            Some((first, last)) => (first..=last)
                .map(|month| PeriodId {
                    year: self.year,
                    kind: PeriodKind::Month(month as u8),
                })
                .collect(),
            None => Vec::new(),
        }
    }

    /// Whether this period covers every calendar day of `other`. Reflexive: a
    /// period contains itself.
    pub fn contains(&self, other: &PeriodId) -> bool {
        self.calendar_range()
            .contains_range(&other.calendar_range())
    }

    /// The primary aggregation parent: month → quarter, quarter/half/nine months →
    /// year; none for a year or an ad-hoc period.
    pub fn parent(&self) -> Option<PeriodId> {
        let year = self.year;
        match self.kind {
            PeriodKind::Month(m) => Some(PeriodId {
                year,
                kind: PeriodKind::Quarter((m - 1) / 3 + 1),
            }),
            PeriodKind::Quarter(_) | PeriodKind::Half(_) | PeriodKind::NineMonths => {
                Some(PeriodId {
                    year,
                    kind: PeriodKind::Year,
                })
            }
            PeriodKind::Year | PeriodKind::AdHoc(_) => None,
        }
    }

    /// Every other periodic period of the same year that contains this one, from
    /// the smallest up (e.g. `2025M05` → `2025Q2`, `2025S1`, `2025N9`, `2025`).
    pub fn containing_periods(&self) -> Vec<PeriodId> {
        if matches!(self.kind, PeriodKind::AdHoc(_)) {
            return Vec::new();
        }
        let year = self.year;
        let candidates = (1..=4)
            .map(PeriodKind::Quarter)
            .chain((1..=2).map(PeriodKind::Half))
            .chain([PeriodKind::NineMonths, PeriodKind::Year]);
        candidates
            .map(|kind| PeriodId { year, kind })
            .filter(|p| p != self && p.contains(self))
            .collect()
    }

    /// The following period of the same kind; `None` for ad-hoc periods and past
    /// [`MAX_YEAR`].
    pub fn next(&self) -> Option<PeriodId> {
        self.step(1)
    }

    /// The preceding period of the same kind; `None` for ad-hoc periods and before
    /// [`MIN_YEAR`].
    pub fn previous(&self) -> Option<PeriodId> {
        self.step(-1)
    }

    fn step(&self, delta: i32) -> Option<PeriodId> {
        // Index the period within a year, move, then carry into the year.
        let (index, per_year, make): (i32, i32, fn(i32) -> PeriodKind) = match self.kind {
            PeriodKind::Month(m) => (i32::from(m) - 1, 12, |i| PeriodKind::Month(i as u8 + 1)),
            PeriodKind::Quarter(q) => (i32::from(q) - 1, 4, |i| PeriodKind::Quarter(i as u8 + 1)),
            PeriodKind::Half(h) => (i32::from(h) - 1, 2, |i| PeriodKind::Half(i as u8 + 1)),
            PeriodKind::NineMonths => (0, 1, |_| PeriodKind::NineMonths),
            PeriodKind::Year => (0, 1, |_| PeriodKind::Year),
            PeriodKind::AdHoc(_) => return None,
        };
        let absolute = self.year * per_year + index + delta;
        let year = absolute.div_euclid(per_year);
        check_year(year).ok()?;
        Some(PeriodId {
            year,
            kind: make(absolute.rem_euclid(per_year)),
        })
    }
}

fn quarters(year: i32, range: std::ops::RangeInclusive<u32>) -> Vec<PeriodId> {
    range
        .map(|q| PeriodId {
            year,
            kind: PeriodKind::Quarter(q as u8),
        })
        .collect()
}

/// The latest period of `frequency` that has ended by `today` (this year's
/// or last year's): what a timeliness table shows by default.
pub fn latest_ended(frequency: Frequency, today: chrono::NaiveDate) -> Option<PeriodId> {
    use chrono::Datelike;
    [today.year(), today.year() - 1]
        .into_iter()
        .filter_map(|y| periods_in_year(y, frequency).ok())
        .flatten()
        .filter(|p| p.last_day() < today)
        .max_by_key(|p| p.last_day())
}

/// All periods of `frequency` in `year`, in order; empty for [`Frequency::AdHoc`]
/// (ad-hoc periods are not enumerable).
pub fn periods_in_year(year: i32, frequency: Frequency) -> Result<Vec<PeriodId>, PeriodError> {
    check_year(year)?;
    let kinds: Vec<PeriodKind> = match frequency {
        Frequency::Monthly => (1..=12).map(PeriodKind::Month).collect(),
        Frequency::Quarterly => (1..=4).map(PeriodKind::Quarter).collect(),
        Frequency::HalfYearly => (1..=2).map(PeriodKind::Half).collect(),
        Frequency::NineMonths => vec![PeriodKind::NineMonths],
        Frequency::Yearly => vec![PeriodKind::Year],
        Frequency::AdHoc => Vec::new(),
    };
    Ok(kinds
        .into_iter()
        .map(|kind| PeriodId { year, kind })
        .collect())
}

const ADHOC_PREFIX: &str = "ADHOC:";

impl fmt::Display for PeriodId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let year = self.year;
        match self.kind {
            PeriodKind::Month(m) => write!(f, "{year:04}M{m:02}"),
            PeriodKind::Quarter(q) => write!(f, "{year:04}Q{q}"),
            PeriodKind::Half(h) => write!(f, "{year:04}S{h}"),
            PeriodKind::NineMonths => write!(f, "{year:04}N9"),
            PeriodKind::Year => write!(f, "{year:04}"),
            PeriodKind::AdHoc(range) => write!(f, "{ADHOC_PREFIX}{range}"),
        }
    }
}

/// `n` ASCII digits at the start of `text`, as a number.
fn leading_digits(text: &str, n: usize) -> Option<u32> {
    let digits = text.get(..n)?;
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()
    } else {
        None
    }
}

fn parse_iso_date(input: &str, text: &str) -> Result<NaiveDate, PeriodError> {
    let invalid = || PeriodError::InvalidDate {
        input: input.to_owned(),
        text: text.to_owned(),
    };
    let b = text.as_bytes();
    // chrono alone would accept unpadded fields; insist on YYYY-MM-DD.
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(invalid());
    }
    let year = leading_digits(text, 4).ok_or_else(invalid)?;
    let month = text
        .get(5..)
        .and_then(|t| leading_digits(t, 2))
        .ok_or_else(invalid)?;
    let day = text
        .get(8..)
        .and_then(|t| leading_digits(t, 2))
        .ok_or_else(invalid)?;
    NaiveDate::from_ymd_opt(year as i32, month, day).ok_or_else(invalid)
}

fn parse_ad_hoc(input: &str, rest: &str) -> Result<PeriodId, PeriodError> {
    let Some((first, last)) = rest.split_once("..") else {
        return Err(PeriodError::Malformed {
            input: input.to_owned(),
            expected: "`ADHOC:YYYY-MM-DD..YYYY-MM-DD`",
        });
    };
    let first = parse_iso_date(input, first)?;
    let last = parse_iso_date(input, last)?;
    PeriodId::ad_hoc(DateRange::new(first, last)?)
}

impl FromStr for PeriodId {
    type Err = PeriodError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if input.is_empty() {
            return Err(PeriodError::Empty);
        }
        if let Some(rest) = input.strip_prefix(ADHOC_PREFIX) {
            return parse_ad_hoc(input, rest);
        }
        let malformed = |expected| PeriodError::Malformed {
            input: input.to_owned(),
            expected,
        };
        let year = leading_digits(input, 4).ok_or_else(|| malformed("a 4-digit year"))?;
        // Four ASCII digits were read, so byte 4 is a char boundary.
        let rest = input.get(4..).unwrap_or_default();
        if rest.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(malformed("a 4-digit year"));
        }
        let year = year as i32;
        check_year(year)?;
        let mut chars = rest.chars();
        let (period, used) = match chars.next() {
            None => (PeriodId::year_period(year)?, 0),
            Some('M') => {
                let month = rest
                    .get(1..)
                    .and_then(|t| leading_digits(t, 2))
                    .ok_or_else(|| malformed("a two-digit month 01..12 after `M`"))?;
                (PeriodId::month(year, month)?, 3)
            }
            Some('Q') => {
                let quarter = rest
                    .get(1..)
                    .and_then(|t| leading_digits(t, 1))
                    .ok_or_else(|| malformed("a quarter digit 1..4 after `Q`"))?;
                (PeriodId::quarter(year, quarter)?, 2)
            }
            Some('S') => {
                let half = rest
                    .get(1..)
                    .and_then(|t| leading_digits(t, 1))
                    .ok_or_else(|| malformed("a half-year digit 1 or 2 after `S`"))?;
                (PeriodId::half(year, half)?, 2)
            }
            Some('N') => {
                if rest.get(1..2) != Some("9") {
                    return Err(malformed("`N9` (nine months)"));
                }
                (PeriodId::nine_months(year)?, 2)
            }
            Some(_) => return Err(malformed("`M`, `Q`, `S`, `N9` or nothing after the year")),
        };
        let trailing = rest.get(used..).unwrap_or_default();
        if !trailing.is_empty() {
            return Err(PeriodError::TrailingInput {
                input: input.to_owned(),
                rest: trailing.to_owned(),
            });
        }
        Ok(period)
    }
}

impl Serialize for PeriodId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PeriodId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_period_ended_is_the_one_before_today() {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let month = latest_ended(Frequency::Monthly, day(2026, 12, 8)).unwrap();
        assert_eq!(month.to_string(), "2026M11");
        let quarter = latest_ended(Frequency::Quarterly, day(2026, 1, 10)).unwrap();
        assert_eq!(quarter.to_string(), "2025Q4");
        assert_eq!(latest_ended(Frequency::AdHoc, day(2026, 1, 10)), None);
    }
    use proptest::prelude::*;

    fn p(text: &str) -> PeriodId {
        text.parse().unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn window(text: &str, convention: Convention) -> (NaiveDate, NaiveDate) {
        let w = p(text).cutoff_window(convention);
        (w.first(), w.last())
    }

    #[test]
    fn canonical_ids_round_trip() {
        for text in [
            "2025M01",
            "2025M03",
            "2025M12",
            "2025Q1",
            "2025Q4",
            "2025S1",
            "2025S2",
            "2025N9",
            "2025",
            "1900",
            "2200M12",
            "ADHOC:2025-03-01..2025-03-20",
            "ADHOC:2025-03-01..2025-03-01",
        ] {
            assert_eq!(p(text).to_string(), text);
        }
    }

    #[test]
    fn parsed_kinds() {
        assert_eq!(p("2025M03").kind(), PeriodKind::Month(3));
        assert_eq!(p("2025Q2").kind(), PeriodKind::Quarter(2));
        assert_eq!(p("2025S2").kind(), PeriodKind::Half(2));
        assert_eq!(p("2025N9").kind(), PeriodKind::NineMonths);
        assert_eq!(p("2025").kind(), PeriodKind::Year);
        assert_eq!(p("2025").year(), 2025);
    }

    #[test]
    fn malformed_ids_are_refused_with_a_reason() {
        let cases: [(&str, &str); 22] = [
            ("", "period.empty"),
            ("2025M13", "period.month_out_of_range"),
            ("2025M00", "period.month_out_of_range"),
            ("2025M3", "period.malformed"),
            ("2025M", "period.malformed"),
            ("25Q1", "period.malformed"),
            ("20251", "period.malformed"),
            ("2025Q5", "period.quarter_out_of_range"),
            ("2025Q0", "period.quarter_out_of_range"),
            ("2025S3", "period.half_out_of_range"),
            ("2025N8", "period.malformed"),
            ("2025q1", "period.malformed"),
            ("2025X", "period.malformed"),
            ("2025Q1x", "period.trailing_input"),
            ("2025M031", "period.trailing_input"),
            ("2025 ", "period.malformed"),
            ("1899", "period.year_out_of_range"),
            ("2201Q1", "period.year_out_of_range"),
            ("ADHOC:2025-03-01", "period.malformed"),
            ("ADHOC:2025-02-30..2025-03-01", "period.invalid_date"),
            ("ADHOC:2025-3-1..2025-03-01", "period.invalid_date"),
            ("ADHOC:2025-03-02..2025-03-01", "period.reversed_range"),
        ];
        for (text, code) in cases {
            let err = text.parse::<PeriodId>().unwrap_err();
            assert_eq!(err.code(), code, "{text}: {err}");
        }
    }

    #[test]
    fn error_messages_name_the_problem() {
        let err = "2025M13".parse::<PeriodId>().unwrap_err();
        assert_eq!(err.to_string(), "month 13 is not between 01 and 12");
        let err = "2025M3".parse::<PeriodId>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "period id `2025M3` is malformed: expected a two-digit month 01..12 after `M`"
        );
        let err = "2025Q1x".parse::<PeriodId>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "period id `2025Q1x` has unexpected trailing text `x`"
        );
    }

    #[test]
    fn non_ascii_input_does_not_panic() {
        for text in ["2025Mé", "é", "2025Qé", "2025Nđ", "ADHOC:é..é", "2025M0é"] {
            assert!(text.parse::<PeriodId>().is_err(), "{text}");
        }
    }

    #[test]
    fn calendar_ranges() {
        assert_eq!(p("2024M02").last_day(), d(2024, 2, 29));
        assert_eq!(p("2025M02").last_day(), d(2025, 2, 28));
        assert_eq!(p("2100M02").last_day(), d(2100, 2, 28));
        assert_eq!(p("2000M02").last_day(), d(2000, 2, 29));
        assert_eq!(p("2025Q2").first_day(), d(2025, 4, 1));
        assert_eq!(p("2025Q2").last_day(), d(2025, 6, 30));
        assert_eq!(p("2025S2").first_day(), d(2025, 7, 1));
        assert_eq!(p("2025N9").last_day(), d(2025, 9, 30));
        assert_eq!(p("2025").last_day(), d(2025, 12, 31));
    }

    #[test]
    fn administrative_windows_follow_decree_09_art_12() {
        use Convention::Administrative as A;
        assert_eq!(window("2025M03", A), (d(2025, 2, 15), d(2025, 3, 14)));
        assert_eq!(window("2025M01", A), (d(2024, 12, 15), d(2025, 1, 14)));
        assert_eq!(window("2025M12", A), (d(2025, 11, 15), d(2025, 12, 14)));
        assert_eq!(window("2025Q1", A), (d(2024, 12, 15), d(2025, 3, 14)));
        assert_eq!(window("2025Q2", A), (d(2025, 3, 15), d(2025, 6, 14)));
        assert_eq!(window("2025Q3", A), (d(2025, 6, 15), d(2025, 9, 14)));
        assert_eq!(window("2025Q4", A), (d(2025, 9, 15), d(2025, 12, 14)));
        assert_eq!(window("2025S1", A), (d(2024, 12, 15), d(2025, 6, 14)));
        assert_eq!(window("2025S2", A), (d(2025, 6, 15), d(2025, 12, 14)));
        assert_eq!(window("2025N9", A), (d(2024, 12, 15), d(2025, 9, 14)));
        assert_eq!(window("2025", A), (d(2024, 12, 15), d(2025, 12, 14)));
        // A leap February's window still ends on the 14th of March.
        assert_eq!(window("2024M03", A), (d(2024, 2, 15), d(2024, 3, 14)));
        assert_eq!(p("2024M03").cutoff_window(A).len_days(), 29);
        assert_eq!(p("2025M03").cutoff_window(A).len_days(), 28);
        // The earliest period's window reaches back into 1899.
        assert_eq!(window("1900M01", A), (d(1899, 12, 15), d(1900, 1, 14)));
    }

    #[test]
    fn calendar_windows_are_calendar_dates() {
        use Convention::Calendar as C;
        assert_eq!(window("2024M02", C), (d(2024, 2, 1), d(2024, 2, 29)));
        assert_eq!(window("2025Q1", C), (d(2025, 1, 1), d(2025, 3, 31)));
        assert_eq!(window("2025S1", C), (d(2025, 1, 1), d(2025, 6, 30)));
        assert_eq!(window("2025N9", C), (d(2025, 1, 1), d(2025, 9, 30)));
        assert_eq!(window("2025", C), (d(2025, 1, 1), d(2025, 12, 31)));
    }

    #[test]
    fn ad_hoc_window_is_its_own_dates() {
        let period = p("ADHOC:2025-03-01..2025-03-20");
        for convention in [Convention::Administrative, Convention::Calendar] {
            assert_eq!(
                window("ADHOC:2025-03-01..2025-03-20", convention),
                (d(2025, 3, 1), d(2025, 3, 20))
            );
        }
        assert_eq!(period.frequency(), Frequency::AdHoc);
        assert_eq!(period.next(), None);
        assert_eq!(period.parent(), None);
        assert!(period.children().is_empty());
        assert!(p("2025M03").contains(&period));
        assert!(!p("2025M02").contains(&period));
    }

    #[test]
    fn children_and_months() {
        let ids = |v: Vec<PeriodId>| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(
            ids(p("2025Q2").children()),
            ["2025M04", "2025M05", "2025M06"]
        );
        assert_eq!(ids(p("2025S1").children()), ["2025Q1", "2025Q2"]);
        assert_eq!(ids(p("2025S2").children()), ["2025Q3", "2025Q4"]);
        assert_eq!(ids(p("2025N9").children()), ["2025Q1", "2025Q2", "2025Q3"]);
        assert_eq!(
            ids(p("2025").children()),
            ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
        );
        assert!(p("2025M01").children().is_empty());
        assert_eq!(p("2025N9").months().len(), 9);
        assert_eq!(p("2025S2").months()[0].to_string(), "2025M07");
    }

    #[test]
    fn parents_and_containment() {
        assert_eq!(p("2025M05").parent(), Some(p("2025Q2")));
        assert_eq!(p("2025Q3").parent(), Some(p("2025")));
        assert_eq!(p("2025S1").parent(), Some(p("2025")));
        assert_eq!(p("2025").parent(), None);
        let ids: Vec<String> = p("2025M05")
            .containing_periods()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(ids, ["2025Q2", "2025S1", "2025N9", "2025"]);
        let ids: Vec<String> = p("2025Q4")
            .containing_periods()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(ids, ["2025S2", "2025"]);
        assert!(p("2025N9").contains(&p("2025S1")));
        assert!(!p("2025N9").contains(&p("2025S2")));
        assert!(p("2025").contains(&p("2025")));
        assert!(!p("2025").contains(&p("2026M01")));
    }

    #[test]
    fn next_and_previous_cross_years() {
        assert_eq!(p("2025M12").next(), Some(p("2026M01")));
        assert_eq!(p("2025M01").previous(), Some(p("2024M12")));
        assert_eq!(p("2025Q4").next(), Some(p("2026Q1")));
        assert_eq!(p("2025S1").previous(), Some(p("2024S2")));
        assert_eq!(p("2025N9").next(), Some(p("2026N9")));
        assert_eq!(p("2025").previous(), Some(p("2024")));
        assert_eq!(p("2200M12").next(), None);
        assert_eq!(p("1900Q1").previous(), None);
    }

    #[test]
    fn periods_in_year_per_frequency() {
        let count = |f| periods_in_year(2025, f).unwrap().len();
        assert_eq!(count(Frequency::Monthly), 12);
        assert_eq!(count(Frequency::Quarterly), 4);
        assert_eq!(count(Frequency::HalfYearly), 2);
        assert_eq!(count(Frequency::NineMonths), 1);
        assert_eq!(count(Frequency::Yearly), 1);
        assert_eq!(count(Frequency::AdHoc), 0);
        assert_eq!(
            periods_in_year(1800, Frequency::Monthly)
                .unwrap_err()
                .code(),
            "period.year_out_of_range"
        );
        for f in [Frequency::Monthly, Frequency::Quarterly, Frequency::Yearly] {
            assert!(periods_in_year(2025, f)
                .unwrap()
                .iter()
                .all(|p| p.frequency() == f));
        }
    }

    fn any_month() -> impl Strategy<Value = PeriodId> {
        (MIN_YEAR..=MAX_YEAR, 1u32..=12).prop_map(|(y, m)| PeriodId::month(y, m).unwrap())
    }

    fn any_quarter() -> impl Strategy<Value = PeriodId> {
        (MIN_YEAR..=MAX_YEAR, 1u32..=4).prop_map(|(y, q)| PeriodId::quarter(y, q).unwrap())
    }

    fn any_convention() -> impl Strategy<Value = Convention> {
        prop_oneof![Just(Convention::Administrative), Just(Convention::Calendar)]
    }

    fn tiles(windows: &[DateRange]) -> bool {
        windows
            .windows(2)
            .all(|pair| pair[0].last().succ_opt() == Some(pair[1].first()))
    }

    proptest! {
        #[test]
        fn consecutive_monthly_windows_tile(month in any_month(), c in any_convention()) {
            if let Some(next) = month.next() {
                let (a, b) = (month.cutoff_window(c), next.cutoff_window(c));
                prop_assert_eq!(a.last().succ_opt(), Some(b.first()));
            }
        }

        #[test]
        fn consecutive_quarterly_windows_tile(quarter in any_quarter(), c in any_convention()) {
            if let Some(next) = quarter.next() {
                let (a, b) = (quarter.cutoff_window(c), next.cutoff_window(c));
                prop_assert_eq!(a.last().succ_opt(), Some(b.first()));
            }
        }

        #[test]
        fn children_windows_tile_the_parent_window(
            year in MIN_YEAR..=MAX_YEAR,
            kind in 0usize..5,
            c in any_convention(),
        ) {
            let parent = [
                PeriodId::quarter(year, 2),
                PeriodId::half(year, 1),
                PeriodId::half(year, 2),
                PeriodId::nine_months(year),
                PeriodId::year_period(year),
            ][kind].clone().unwrap();
            let windows: Vec<DateRange> =
                parent.children().iter().map(|p| p.cutoff_window(c)).collect();
            let whole = parent.cutoff_window(c);
            prop_assert!(tiles(&windows));
            prop_assert_eq!(windows.first().map(DateRange::first), Some(whole.first()));
            prop_assert_eq!(windows.last().map(DateRange::last), Some(whole.last()));
            let months: Vec<DateRange> =
                parent.months().iter().map(|p| p.cutoff_window(c)).collect();
            prop_assert!(tiles(&months));
            prop_assert_eq!(months.last().map(DateRange::last), Some(whole.last()));
        }

        #[test]
        fn every_month_has_one_parent_that_contains_it(month in any_month()) {
            let parent = month.parent().unwrap();
            prop_assert!(parent.contains(&month));
            prop_assert!(parent.children().contains(&month));
        }

        #[test]
        fn next_then_previous_is_identity(month in any_month(), quarter in any_quarter()) {
            for period in [month, quarter] {
                if let Some(next) = period.next() {
                    prop_assert_eq!(next.previous(), Some(period));
                }
            }
        }

        #[test]
        fn display_parse_round_trip(month in any_month(), quarter in any_quarter()) {
            for period in [month, quarter] {
                prop_assert_eq!(period.to_string().parse::<PeriodId>().unwrap(), period);
            }
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,16}") {
            let _ = text.parse::<PeriodId>();
        }
    }
}

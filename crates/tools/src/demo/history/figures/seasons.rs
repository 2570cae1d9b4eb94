//! The calendar of the figures: working days and Tết, the period a figure
//! is made for, and the demo's anomalies.

use super::*;
use baocao_domain::calendar::WorkCalendar;
use chrono::{Datelike, NaiveDate};

/// The working days and Tết of the years the demo covers.
#[derive(Debug, Clone)]
pub struct Seasons {
    first: NaiveDate,
    working: Vec<bool>,
    tet: Vec<NaiveDate>,
}

impl Seasons {
    /// The calendar of `from..=to` (and the days around).
    pub fn new(from: i32, to: i32) -> Seasons {
        let calendar = WorkCalendar::new();
        let first = NaiveDate::from_ymd_opt(from - 1, 12, 1).unwrap_or_default();
        let last = NaiveDate::from_ymd_opt(to + 1, 1, 31).unwrap_or_default();
        let working = first
            .iter_days()
            .take_while(|d| *d <= last)
            .map(|d| {
                calendar
                    .is_working_day(d)
                    .unwrap_or(d.weekday().number_from_monday() <= 5)
            })
            .collect();
        let tet = (from..=to + 1)
            .filter_map(|y| baocao_domain::lunar::lunar_new_year(y).ok())
            .collect();
        Seasons {
            first,
            working,
            tet,
        }
    }

    fn days(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
        from.iter_days().take_while(move |d| *d <= to)
    }

    /// Working days between two dates, both included.
    fn working_days(&self, from: NaiveDate, to: NaiveDate) -> f64 {
        Self::days(from, to)
            .filter(|d| {
                let i = (*d - self.first).num_days();
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.working.get(i).copied())
                    .unwrap_or(true)
            })
            .count() as f64
    }

    /// The share of the three weeks before Tết (shopping) and of the two
    /// weeks from its eve (everything slows down) that fall between two dates.
    fn tet(&self, from: NaiveDate, to: NaiveDate) -> (f64, f64) {
        let mut before = 0.0;
        let mut after = 0.0;
        for tet in &self.tet {
            for d in Self::days(from, to) {
                let offset = (d - *tet).num_days();
                if (-22..-1).contains(&offset) {
                    before += 1.0 / 21.0;
                } else if (-1..14).contains(&offset) {
                    after += 1.0 / 15.0;
                }
            }
        }
        (before, after)
    }
}

/// A period as the figures see it: its window, its place in time, its season.
#[derive(Debug, Clone)]
pub struct When {
    /// `2025M03`.
    pub label: String,
    /// Year.
    pub year: i32,
    /// Its (last) calendar month.
    pub month: u32,
    /// Months since January 2024 (of its last month).
    pub t: f64,
    /// Working days in the window, against an ordinary month.
    pub work: f64,
    /// Share of the pre-Tết weeks in the window.
    pub tet_before: f64,
    /// Share of the Tết weeks in the window.
    pub tet_after: f64,
    pub(super) kind: PeriodKind,
}

impl When {
    /// `period` under `convention` (the window its figures cover).
    pub fn new(period: &PeriodId, convention: Convention, seasons: &Seasons) -> When {
        let window = period.cutoff_window(convention);
        let last = period.last_day();
        let months = ((window.last() - window.first()).num_days() as f64 / 30.4)
            .round()
            .max(1.0);
        let (tet_before, tet_after) = seasons.tet(window.first(), window.last());
        When {
            label: period.to_string(),
            year: period.year(),
            month: last.month(),
            t: f64::from((last.year() - 2024) * 12 + last.month() as i32 - 1),
            work: seasons.working_days(window.first(), window.last()) / (WORKING_DAYS * months),
            tet_before,
            tet_after,
            kind: period.kind(),
        }
    }

    pub(super) fn by_month(&self, table: [f64; 12]) -> f64 {
        table[(self.month as usize + 11) % 12]
    }

    /// Growth at `rate` a year since January 2024.
    pub(super) fn grown(&self, rate: f64) -> f64 {
        (1.0 + rate).powf(self.t / 12.0)
    }

    /// Offices and one-stop shops: working days, and the weeks after Tết.
    pub(super) fn office(&self) -> f64 {
        self.work * (1.0 - 0.1 * self.tet_after)
    }

    /// Factories: working days, a longer Tết break.
    pub(super) fn factory(&self) -> f64 {
        self.work * (1.0 - 0.15 * self.tet_after)
    }

    /// Shops: the weeks before Tết and December.
    pub(super) fn shops(&self) -> f64 {
        let december = if self.month == 12 { 0.04 } else { 0.0 };
        1.0 + 0.28 * self.tet_before - 0.12 * self.tet_after + december
    }
}

/// What a leader should spot: one 2025 commune with a land auction that
/// multiplies its budget revenue one month, one whose one-stop shop was
/// down for most of a month, one that reports late almost every time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Quirks {
    /// The commune of the land auction, and the month.
    pub spike: Option<(String, String)>,
    /// The commune of the outage, and the month.
    pub outage: Option<(String, String)>,
    /// The commune that is late.
    pub late: Option<String>,
}

/// The month of the land auction.
const SPIKE_MONTH: &str = "2026M09";
/// The month of the one-stop shop's outage.
const OUTAGE_MONTH: &str = "2026M07";

impl Quirks {
    /// Picks the communes among `keys` (the 2025 communes), stably.
    pub fn choose(keys: &[&str]) -> Quirks {
        let pick = |what: &str, not: &[Option<&str>]| {
            keys.iter()
                .filter(|k| !not.contains(&Some(**k)))
                .max_by(|a, b| noise(&[a, what]).total_cmp(&noise(&[b, what])))
                .map(|k| k.to_string())
        };
        let spike = pick("spike", &[]);
        let outage = pick("outage", &[spike.as_deref()]);
        let late = pick("late", &[spike.as_deref(), outage.as_deref()]);
        Quirks {
            spike: spike.map(|k| (k, SPIKE_MONTH.into())),
            outage: outage.map(|k| (k, OUTAGE_MONTH.into())),
            late,
        }
    }

    pub(super) fn at(quirk: &Option<(String, String)>, key: &str, when: &When) -> bool {
        quirk
            .as_ref()
            .is_some_and(|(k, m)| k == key && *m == when.label)
    }

    /// Whether `key` is the late one, and late for `period`: four times in five.
    pub fn late_for(&self, key: &str, period: &str) -> bool {
        self.late.as_deref() == Some(key) && noise(&[key, period, "late"]) < 0.8
    }
}

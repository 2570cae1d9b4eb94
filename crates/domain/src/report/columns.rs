//! What a form shows beside the entered values: computed indicators, the
//! columns computed from the unit's accepted history (same period last year,
//! year to date), targets, and when a submission is on time.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;

use super::Content;
use crate::catalogue::Metadata;

/// The catalogue's computed indicators, parsed and put in evaluation order
/// once: a report page evaluates them for every cell and every earlier
/// report, and parsing them each time was most of its cost.
#[derive(Debug, Clone)]
pub struct IndicatorFormulas {
    checked: Option<crate::formula::CheckedFormulas>,
    codes: std::collections::BTreeSet<String>,
}

impl IndicatorFormulas {
    /// The formulas of a catalogue (none when they do not check: a stored
    /// catalogue always does).
    pub fn of(meta: &Metadata) -> Self {
        let catalogue: BTreeMap<String, Option<String>> = meta
            .indicators
            .iter()
            .map(|i| (i.code.clone(), i.formula.clone()))
            .collect();
        IndicatorFormulas {
            checked: crate::formula::check_formulas(&catalogue).ok(),
            codes: catalogue.into_keys().collect(),
        }
    }
}

/// The values of the catalogue's computed indicators (rates, ratios) from a
/// report's totals, in dependency order. An indicator whose inputs are missing,
/// or whose formula divides by zero, has no value — never a made-up zero.
pub fn computed(content: &Content, meta: &Metadata) -> BTreeMap<String, Decimal> {
    computed_with(&IndicatorFormulas::of(meta), content)
}

/// [`computed`] with the catalogue's formulas parsed beforehand.
pub fn computed_with(formulas: &IndicatorFormulas, content: &Content) -> BTreeMap<String, Decimal> {
    let Some(checked) = &formulas.checked else {
        return BTreeMap::new();
    };
    let mut known: BTreeMap<String, Decimal> = content
        .values
        .iter()
        .filter(|(cell, _)| !cell.contains('/'))
        .filter_map(|(cell, v)| Decimal::from_str(v).ok().map(|d| (cell.clone(), d)))
        .collect();
    let mut out = BTreeMap::new();
    for code in checked.evaluation_order() {
        let Some(expr) = checked.formulas().get(code) else {
            continue;
        };
        let lookup = |c: &crate::formula::IndicatorCode| match known.get(c.as_str()) {
            Some(d) => crate::formula::Lookup::Value(*d),
            None if formulas.codes.contains(c.as_str()) => crate::formula::Lookup::Missing,
            None => crate::formula::Lookup::Unknown,
        };
        if let Ok(crate::formula::Value::Number(d)) = crate::formula::evaluate(expr, &lookup) {
            let d = d.round_dp(2);
            known.insert(code.as_str().to_string(), d);
            out.insert(code.as_str().to_string(), d);
        }
    }
    out
}
/// What the non-entered columns of a form are computed from.
#[derive(Debug, Clone, Default)]
pub struct ColumnContext<'a> {
    /// The same unit's report for the same period a year earlier (accepted).
    pub last_year: Option<&'a Content>,
    /// The same unit's accepted reports of the year before this period.
    pub earlier_this_year: Vec<&'a Content>,
    /// The target bound that applies to the unit, by indicator code.
    pub targets: BTreeMap<String, Decimal>,
    /// The catalogue's formulas, parsed once for all the cells of a form
    /// (parsed on each call when absent).
    pub formulas: Option<&'a IndicatorFormulas>,
}

/// A derived column's value as forms and templates show it: at most two
/// decimals (a year-to-date average can have many).
pub fn derived_text(value: Decimal) -> String {
    value.round_dp(2).normalize().to_string()
}

/// The value of every column of `form` for one cell (`indicator` or one of its
/// options): the current value, the same period last year, the year to date
/// (this period and the earlier ones, along the indicator's aggregation over
/// time), the target, and formula columns computed from the others. `None`
/// where nothing is known.
pub fn column_values(
    meta: &Metadata,
    form: &crate::catalogue::NumericForm,
    cell: &str,
    current: &Content,
    ctx: &ColumnContext<'_>,
) -> Vec<Option<Decimal>> {
    use crate::catalogue::{Aggregation, ColumnSource};
    let code = cell.split('/').next().unwrap_or(cell);
    let indicator = meta.indicator(code);
    let value_in = |content: &Content| -> Option<Decimal> {
        if indicator.is_some_and(|i| i.formula.is_some()) && !cell.contains('/') {
            match ctx.formulas {
                Some(formulas) => computed_with(formulas, content).get(code).copied(),
                None => computed(content, meta).get(code).copied(),
            }
        } else {
            content
                .values
                .get(cell)
                .and_then(|v| Decimal::from_str(v).ok())
        }
    };
    let now = value_in(current);
    let mut known: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut out = Vec::with_capacity(form.columns.len());
    for column in &form.columns {
        let value = match &column.source {
            ColumnSource::Current => now,
            ColumnSource::SamePeriodLastYear => ctx.last_year.and_then(value_in),
            ColumnSource::Target => ctx.targets.get(code).copied(),
            ColumnSource::YearToDate => {
                let mut series: Vec<Decimal> = ctx
                    .earlier_this_year
                    .iter()
                    .filter_map(|c| value_in(c))
                    .collect();
                series.extend(now);
                let over_time = indicator.map(|i| i.over_time.clone());
                if series.is_empty() {
                    None
                } else {
                    match over_time {
                        Some(Aggregation::Sum) => Some(series.iter().copied().sum()),
                        Some(Aggregation::Average) => Some(
                            series.iter().copied().sum::<Decimal>()
                                / Decimal::from(series.len() as u64),
                        ),
                        Some(Aggregation::Min) => series.iter().copied().min(),
                        Some(Aggregation::Max) => series.iter().copied().max(),
                        Some(Aggregation::Last) => now,
                        _ => None,
                    }
                }
            }
            ColumnSource::Formula(text) => crate::formula::parse(text).ok().and_then(|expr| {
                let lookup = |c: &crate::formula::IndicatorCode| match known.get(c.as_str()) {
                    Some(d) => crate::formula::Lookup::Value(*d),
                    None => crate::formula::Lookup::Missing,
                };
                match crate::formula::evaluate(&expr, &lookup) {
                    Ok(crate::formula::Value::Number(d)) => Some(d.round_dp(2)),
                    _ => None,
                }
            }),
        };
        if let Some(v) = value {
            known.insert(column.code.clone(), v);
        }
        out.push(value);
    }
    out
}

/// Vietnam's time zone (UTC+7), in which deadlines are days.
pub const VIETNAM: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+7 is a valid offset"),
};

/// Whether a submission at `at` (unix seconds) meets `deadline` (a day in
/// Vietnam time: anything until 23:59:59 +07:00 of that day is on time).
pub fn on_time(at: i64, deadline: NaiveDate) -> bool {
    DateTime::from_timestamp(at, 0)
        .map(|t| t.with_timezone(&VIETNAM).date_naive() <= deadline)
        .unwrap_or(false)
}

/// The target of each indicator for a unit (its code and level) in `year`: one
/// set for the unit itself wins over one for its level, which wins over one for
/// all units; a lower bound is shown, else the upper one.
pub fn targets_for(
    meta: &Metadata,
    unit_code: &str,
    level: &str,
    year: i32,
) -> BTreeMap<String, Decimal> {
    use crate::catalogue::TargetScope;
    let mut out = BTreeMap::new();
    for indicator in &meta.indicators {
        let rank = |scope: &TargetScope| match scope {
            TargetScope::Unit(code) if code == unit_code => Some(0),
            TargetScope::Level(l) if l == level => Some(1),
            TargetScope::All => Some(2),
            _ => None,
        };
        let best = indicator
            .targets
            .iter()
            .filter(|t| t.year == year)
            .filter_map(|t| rank(&t.applies_to).map(|r| (r, t)))
            .min_by_key(|(r, _)| *r);
        if let Some((_, t)) = best {
            if let Some(bound) = t.at_least.or(t.at_most) {
                out.insert(indicator.code.clone(), bound);
            }
        }
    }
    out
}

/// How many of a unit's latest accepted reports its values are compared with
/// (unusual values, `crate::outlier`).
pub const RECENT_ACCEPTED: usize = 12;

/// The accepted reports of the same unit and regime that a report is shown
/// and checked against: the same period a year earlier, the earlier periods
/// of its year (year to date), and the latest [`RECENT_ACCEPTED`] before it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AcceptedHistory {
    /// The same period a year earlier.
    pub last_year: Option<Content>,
    /// The periods of this year before this one, oldest first.
    pub earlier_this_year: Vec<Content>,
    /// The latest accepted before this period, newest first.
    pub recent: Vec<Content>,
}

/// The period id of the same period a year before `period` (`2025M03` →
/// `2024M03`).
fn same_period_last_year(period: &crate::period::PeriodId) -> String {
    let text = period.to_string();
    let rest = text.get(4..).unwrap_or("");
    format!("{}{rest}", period.year() - 1)
}

impl AcceptedHistory {
    /// The earliest period id the year columns of a report for `period` read
    /// (the same period a year earlier): a store reads every accepted report
    /// from there to `period`, and the [`RECENT_ACCEPTED`] latest before it.
    pub fn reaches_back_to(period: &crate::period::PeriodId) -> String {
        same_period_last_year(period)
    }

    /// What the checks of a report for `period` read (the latest accepted
    /// and the same period a year earlier), without the year to date: what a
    /// list of reports computes for each (nothing copied).
    pub fn for_checks(period: &crate::period::PeriodId, accepted: Vec<(String, Content)>) -> Self {
        let text = period.to_string();
        let last_year_id = same_period_last_year(period);
        let mut before: Vec<(String, Content)> =
            accepted.into_iter().filter(|(p, _)| *p < text).collect();
        let last_year = before
            .iter()
            .position(|(p, _)| *p == last_year_id)
            .map(|i| before[i].1.clone());
        let keep = before.len().saturating_sub(RECENT_ACCEPTED);
        let recent = before.drain(keep..).rev().map(|(_, c)| c).collect();
        AcceptedHistory {
            last_year,
            earlier_this_year: Vec::new(),
            recent,
        }
    }

    /// The history of a report for `period` from the accepted reports of its
    /// unit and regime before it, by period id, oldest first (period ids of
    /// one regime order as their text does).
    pub fn of(period: &crate::period::PeriodId, accepted: Vec<(String, Content)>) -> Self {
        let text = period.to_string();
        let year = period.year().to_string();
        let last_year_id = same_period_last_year(period);
        let before: Vec<(String, Content)> =
            accepted.into_iter().filter(|(p, _)| *p < text).collect();
        let recent = before
            .iter()
            .rev()
            .take(RECENT_ACCEPTED)
            .map(|(_, c)| c.clone())
            .collect();
        let last_year = before
            .iter()
            .find(|(p, _)| *p == last_year_id)
            .map(|(_, c)| c.clone());
        let earlier_this_year = before
            .into_iter()
            .filter(|(p, _)| *p >= year)
            .map(|(_, c)| c)
            .collect();
        AcceptedHistory {
            last_year,
            earlier_this_year,
            recent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::PeriodId;

    fn content(n: i64) -> Content {
        let mut c = Content::default();
        c.values.insert("A".into(), n.to_string());
        c
    }

    #[test]
    fn a_reports_history_is_last_year_this_year_and_the_latest_twelve() {
        let period: PeriodId = "2025M03".parse().unwrap();
        assert_eq!(AcceptedHistory::reaches_back_to(&period), "2024M03");
        // Every month from 2023M01 to 2025M05 but 2024M12.
        let mut accepted = Vec::new();
        for (year, months) in [(2023, 1..=12), (2024, 1..=12), (2025, 1..=5)] {
            for m in months {
                if (year, m) != (2024, 12) {
                    accepted.push((format!("{year}M{m:02}"), content(year * 100 + m)));
                }
            }
        }
        let h = AcceptedHistory::of(&period, accepted);
        assert_eq!(h.last_year, Some(content(202403)));
        assert_eq!(h.earlier_this_year, vec![content(202501), content(202502)]);
        assert_eq!(h.recent.len(), RECENT_ACCEPTED);
        assert_eq!(h.recent[0], content(202502));
        // Eleven months back skips the missing December: 2024M02 is the twelfth.
        assert_eq!(h.recent[11], content(202402));
        let checks = AcceptedHistory::for_checks(&period, {
            let mut a = Vec::new();
            for m in 1..=12 {
                a.push((format!("2024M{m:02}"), content(202400 + m)));
            }
            a.push(("2025M01".to_string(), content(202501)));
            a.push(("2025M02".to_string(), content(202502)));
            a
        });
        assert_eq!(checks.last_year, Some(content(202403)));
        assert_eq!(checks.recent.len(), RECENT_ACCEPTED);
        assert_eq!(checks.recent[0], content(202502));
        assert_eq!(checks.recent[11], content(202403));
        assert!(checks.earlier_this_year.is_empty());
        let first: PeriodId = "2025M01".parse().unwrap();
        let none = AcceptedHistory::of(&first, vec![("2025M02".into(), content(1))]);
        assert_eq!(none, AcceptedHistory::default());
    }
}

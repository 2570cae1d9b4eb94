//! What a leader's dashboard reads off the engine beyond single figures: the
//! latest period with data, the year to date, recent series, rankings of
//! units, and targets (chỉ tiêu kế hoạch) with how far each unit is from
//! them.
//!
//! Everything here is built on [`Engine::figure`], so the readings, coverage
//! and predecessor units of the answers are the engine's own.

use baocao_domain::aggregate::over_time;
use baocao_domain::catalogue::{Aggregation, Indicator, Target, TargetScope};
use baocao_domain::formula::{evaluate, IndicatorCode, Lookup, Value};
use baocao_domain::period::{PeriodId, PeriodKind};
use baocao_domain::unit::UnitId;
use rust_decimal::Decimal;

use crate::engine::Engine;
use crate::query::{Coverage, Figure, Reading};

/// How far back [`Engine::latest`] looks, in periods of each frequency
/// (three years of months, four years of quarters, …).
const LOOKBACK: [(Kind, usize); 4] = [
    (Kind::Month, 36),
    (Kind::Quarter, 16),
    (Kind::Half, 8),
    (Kind::Year, 6),
];

#[derive(Debug, Clone, Copy)]
enum Kind {
    Month,
    Quarter,
    Half,
    Year,
}

/// The period of a kind that contains `day`'s month.
fn period_at(kind: Kind, year: i32, month: u32) -> Option<PeriodId> {
    match kind {
        Kind::Month => PeriodId::month(year, month).ok(),
        Kind::Quarter => PeriodId::quarter(year, month.div_ceil(3)).ok(),
        Kind::Half => PeriodId::half(year, month.div_ceil(6)).ok(),
        Kind::Year => PeriodId::year_period(year).ok(),
    }
}

/// The periods of `period`'s kind from the first of its year up to it, in
/// order (a month: January to it; nine months or a year: itself).
pub fn year_to_date_parts(period: &PeriodId) -> Vec<PeriodId> {
    let y = period.year();
    let parts: Vec<Result<PeriodId, _>> = match period.kind() {
        PeriodKind::Month(m) => (1..=u32::from(m)).map(|i| PeriodId::month(y, i)).collect(),
        PeriodKind::Quarter(q) => (1..=u32::from(q))
            .map(|i| PeriodId::quarter(y, i))
            .collect(),
        PeriodKind::Half(h) => (1..=u32::from(h)).map(|i| PeriodId::half(y, i)).collect(),
        PeriodKind::NineMonths | PeriodKind::Year => vec![Ok(*period)],
        PeriodKind::AdHoc(_) => Vec::new(),
    };
    parts.into_iter().filter_map(Result::ok).collect()
}

/// The months of its year a period reaches to (a quarter 2: 6), `None` for
/// ad-hoc periods.
pub fn months_reached(period: &PeriodId) -> Option<u32> {
    Some(match period.kind() {
        PeriodKind::Month(m) => u32::from(m),
        PeriodKind::Quarter(q) => 3 * u32::from(q),
        PeriodKind::Half(h) => 6 * u32::from(h),
        PeriodKind::NineMonths => 9,
        PeriodKind::Year => 12,
        PeriodKind::AdHoc(_) => return None,
    })
}

/// The same period a year earlier.
pub fn a_year_before(period: &PeriodId) -> Option<PeriodId> {
    let y = period.year() - 1;
    match period.kind() {
        PeriodKind::Month(m) => PeriodId::month(y, u32::from(m)).ok(),
        PeriodKind::Quarter(q) => PeriodId::quarter(y, u32::from(q)).ok(),
        PeriodKind::Half(h) => PeriodId::half(y, u32::from(h)).ok(),
        PeriodKind::NineMonths => PeriodId::nine_months(y).ok(),
        PeriodKind::Year => PeriodId::year_period(y).ok(),
        PeriodKind::AdHoc(_) => None,
    }
}

impl Engine {
    /// The latest period with a value of `cell` for `unit`, counting back
    /// from the period holding `year`/`month`: months first, then quarters,
    /// halves and years (the finest frequency the cell is reported in wins).
    pub fn latest(
        &self,
        cell: &str,
        unit: UnitId,
        year: i32,
        month: u32,
        reading: Reading,
    ) -> Option<(PeriodId, Figure)> {
        self.latest_covered(cell, unit, (year, month), reading, 0)
    }

    /// Like [`Engine::latest`], but a computed figure counts only when at
    /// least `percent` % of the units expected to report contributed to it
    /// (a month still being reported is passed over for the one before).
    pub fn latest_covered(
        &self,
        cell: &str,
        unit: UnitId,
        (year, month): (i32, u32),
        reading: Reading,
        percent: u32,
    ) -> Option<(PeriodId, Figure)> {
        let covered = |f: &Figure| {
            f.units.is_none_or(|c| {
                c.expected == 0
                    || u64::from(c.present) * 100 >= u64::from(percent) * u64::from(c.expected)
            })
        };
        for (kind, lookback) in LOOKBACK {
            let mut period = period_at(kind, year, month);
            for _ in 0..lookback {
                let Some(p) = period else { break };
                let figure = self.figure(cell, unit, &p, reading)?;
                if figure.value.is_some() && covered(&figure) {
                    return Some((p, figure));
                }
                period = p.previous();
            }
        }
        None
    }

    /// The `n` periods ending with `last`, oldest first, with their figures
    /// (a missing figure stays missing).
    pub fn series(
        &self,
        cell: &str,
        unit: UnitId,
        last: PeriodId,
        n: usize,
        reading: Reading,
    ) -> Vec<(PeriodId, Figure)> {
        let mut periods = Vec::with_capacity(n);
        let mut cursor = Some(last);
        while let Some(p) = cursor {
            if periods.len() == n {
                break;
            }
            periods.push(p);
            cursor = p.previous();
        }
        periods.reverse();
        periods
            .into_iter()
            .filter_map(|p| self.figure(cell, unit, &p, reading).map(|f| (p, f)))
            .collect()
    }

    /// The figure from the start of `period`'s year to the end of `period`
    /// (lũy kế từ đầu năm): the periods' values along the indicator's rule
    /// over time; a computed indicator from its operands' year to date.
    pub fn year_to_date(
        &self,
        cell: &str,
        unit: UnitId,
        period: &PeriodId,
        reading: Reading,
    ) -> Option<Figure> {
        let ix = self.cells().ix(cell)?;
        let rule = self.cells().rule(ix);
        if let Some(expr) = &rule.formula {
            let lookup = |code: &IndicatorCode| match self.year_to_date(
                code.as_str(),
                unit,
                period,
                reading,
            ) {
                Some(f) => f.value.map_or(Lookup::Missing, Lookup::Value),
                None => Lookup::Unknown,
            };
            let value = match evaluate(expr, &lookup) {
                Ok(Value::Number(d)) => Some(d),
                _ => None,
            };
            let first = expr.references().into_iter().next()?;
            let mut figure = self.year_to_date(first.as_str(), unit, period, reading)?;
            figure.value = value;
            return Some(figure);
        }
        let parts = year_to_date_parts(period);
        let figures: Vec<Figure> = parts
            .iter()
            .filter_map(|p| self.figure(cell, unit, p, reading))
            .collect();
        let values: Vec<Decimal> = figures.iter().filter_map(|f| f.value).collect();
        let last = figures.iter().rev().find(|f| f.value.is_some());
        let mut predecessors: Vec<UnitId> = Vec::new();
        for f in &figures {
            for p in &f.predecessors {
                if !predecessors.contains(p) {
                    predecessors.push(*p);
                }
            }
        }
        Some(Figure {
            value: over_time(&values, &rule.over_time),
            reading: last.map_or(reading, |f| f.reading),
            periods: Coverage {
                present: values.len() as u32,
                expected: parts.len() as u32,
            },
            units: last.and_then(|f| f.units),
            predecessors,
        })
    }

    /// Each unit's figure of `cell` for `period`, largest first; units
    /// without a value come last, in the order given.
    pub fn ranking(
        &self,
        cell: &str,
        units: &[UnitId],
        period: &PeriodId,
        reading: Reading,
    ) -> Vec<(UnitId, Figure)> {
        let mut out: Vec<(UnitId, Figure)> = units
            .iter()
            .filter_map(|u| self.figure(cell, *u, period, reading).map(|f| (*u, f)))
            .collect();
        // A stable sort keeps the given order among equals and missing values.
        out.sort_by(|a, b| match (a.1.value, b.1.value) {
            (Some(x), Some(y)) => y.cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        out
    }
}

/// The target of an indicator that applies to a unit (its code and level)
/// in `year`: one set for the unit itself wins over one for its level, which
/// wins over one for all units (as report forms show targets).
pub fn target_for<'a>(
    indicator: &'a Indicator,
    unit_code: &str,
    level: &str,
    year: i32,
) -> Option<&'a Target> {
    let rank = |scope: &TargetScope| match scope {
        TargetScope::Unit(code) if code == unit_code => Some(0),
        TargetScope::Level(l) if l == level => Some(1),
        TargetScope::All => Some(2),
        _ => None,
    };
    indicator
        .targets
        .iter()
        .filter(|t| t.year == year && (t.at_least.is_some() || t.at_most.is_some()))
        .filter_map(|t| rank(&t.applies_to).map(|r| (r, t)))
        .min_by_key(|(r, _)| *r)
        .map(|(_, t)| t)
}

/// Where a figure stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The bound.
    pub target: Decimal,
    /// A lower bound (at least); else an upper bound (at most).
    pub at_least: bool,
    /// The figure as a percentage of the target (`None` for a zero target).
    pub percent: Option<Decimal>,
    /// Whether the bound is met.
    pub met: bool,
    /// How far short of the target the figure is, as a share of it (0 when
    /// on track); for a flow, against the part of the year's target due by
    /// the period's end.
    pub behind: Decimal,
}

/// Whether an indicator's year-to-date value is a flow that builds up over the
/// year (its rule over time is a sum): its target is for the whole year.
pub fn is_flow(indicator: &Indicator) -> bool {
    indicator.over_time == Aggregation::Sum && indicator.formula.is_none()
}

/// Where `actual` stands against `target`. For a flow (`due` is the share of
/// the year gone by, e.g. 10/12 after October) being behind is measured
/// against the part of the target due by then; a level (a rate, a stock) is
/// measured against the whole target.
pub fn progress(actual: Decimal, target: &Target, due: Option<Decimal>) -> Option<Progress> {
    let (bound, at_least) = match (target.at_least, target.at_most) {
        (Some(low), _) => (low, true),
        (None, Some(high)) => (high, false),
        (None, None) => return None,
    };
    let percent = if bound.is_zero() {
        None
    } else {
        actual
            .checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|a| a.checked_div(bound))
    };
    let met = if at_least {
        actual >= bound
    } else {
        actual <= bound
    };
    let pace = due.and_then(|d| bound.checked_mul(d)).unwrap_or(bound);
    let short = if at_least {
        pace.checked_sub(actual)
    } else {
        actual.checked_sub(pace)
    }
    .unwrap_or(Decimal::ZERO);
    let behind = if pace.is_zero() || short <= Decimal::ZERO {
        Decimal::ZERO
    } else {
        short.checked_div(pace.abs()).unwrap_or(Decimal::ZERO)
    };
    Some(Progress {
        target: bound,
        at_least,
        percent,
        met,
        behind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PeriodId {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    #[test]
    fn the_year_to_date_is_made_of_the_periods_since_january() {
        let months: Vec<String> = year_to_date_parts(&p("2025M03"))
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(months, ["2025M01", "2025M02", "2025M03"]);
        assert_eq!(year_to_date_parts(&p("2025Q3")).len(), 3);
        assert_eq!(year_to_date_parts(&p("2025N9")), vec![p("2025N9")]);
        assert_eq!(months_reached(&p("2025S1")), Some(6));
        assert_eq!(a_year_before(&p("2025Q2")), Some(p("2024Q2")));
        assert_eq!(a_year_before(&p("2025")), Some(p("2024")));
    }

    fn target(at_least: Option<&str>, at_most: Option<&str>) -> Target {
        Target {
            year: 2025,
            applies_to: TargetScope::All,
            at_least: at_least.map(d),
            at_most: at_most.map(d),
        }
    }

    #[test]
    fn a_flow_is_behind_against_the_part_of_the_year_gone_by() {
        // 10 months in, 8,500 of a year's 12,000 is 70.8 % of the plan, and
        // 15 % short of the 10,000 due by now.
        let t = target(Some("12000"), None);
        let due = Some(d("10") / d("12"));
        let pr = progress(d("8500"), &t, due).unwrap_or_else(|| panic!("a target"));
        assert!(pr.at_least && !pr.met);
        assert_eq!(pr.percent.map(|x| x.round_dp(1)), Some(d("70.8")));
        assert_eq!(pr.behind.round_dp(2), d("0.15"));
        let ahead = progress(d("11000"), &t, due).unwrap_or_else(|| panic!("a target"));
        assert_eq!(ahead.behind, Decimal::ZERO);
    }

    #[test]
    fn a_rate_is_measured_against_its_bound() {
        let pr = progress(d("72"), &target(Some("90"), None), None).unwrap_or_else(|| panic!("t"));
        assert_eq!(pr.behind.round_dp(2), d("0.20"));
        let capped = progress(d("12"), &target(None, Some("10")), None)
            .unwrap_or_else(|| panic!("a target"));
        assert!(!capped.at_least && !capped.met);
        assert_eq!(capped.behind.round_dp(2), d("0.20"));
        assert!(progress(d("1"), &target(None, None), None).is_none());
    }

    #[test]
    fn the_nearest_target_applies() {
        let mut ind: Indicator = serde_json::from_value(serde_json::json!({
            "code": "CDS06", "name_vi": "Tỷ lệ", "name_en": "Rate", "measure_vi": "%", "measure_en": "%",
            "value_type": "percentage", "over_units": "average", "over_time": "last"}))
        .unwrap_or_else(|e| panic!("{e}"));
        ind.targets = vec![
            target(Some("60"), None),
            Target {
                applies_to: TargetScope::Level("province".into()),
                ..target(Some("90"), None)
            },
            Target {
                applies_to: TargetScope::Unit("40".into()),
                ..target(Some("95"), None)
            },
        ];
        let at = |code: &str, level: &str, year: i32| {
            target_for(&ind, code, level, year).and_then(|t| t.at_least)
        };
        assert_eq!(at("40", "province", 2025), Some(d("95")));
        assert_eq!(at("42", "province", 2025), Some(d("90")));
        assert_eq!(at("16681", "commune", 2025), Some(d("60")));
        assert_eq!(at("40", "province", 2026), None);
    }

    fn engine() -> Engine {
        use crate::{AcceptedReport, Cells, Units};
        use baocao_domain::unit::{Level, OrgUnit, UnitCode, UnitKind, Validity};
        let unit = |id: i64, level: &str, parent: Option<i64>| OrgUnit {
            id: UnitId::new(id),
            kind: UnitKind::Area,
            level: Level::parse(level).unwrap_or_else(|e| panic!("{e:?}")),
            code: UnitCode::parse(UnitKind::Area, &id.to_string())
                .unwrap_or_else(|e| panic!("{e:?}")),
            name: format!("U{id}"),
            division_type: String::new(),
            parent: parent.map(UnitId::new),
            validity: Validity {
                from: None,
                to: None,
            },
            lat: None,
            lon: None,
        };
        let units = vec![
            unit(10, "province", None),
            unit(1000, "commune", Some(10)),
            unit(1001, "commune", Some(10)),
        ];
        let meta = serde_json::from_value(serde_json::json!({
            "format": "baocao-metadata/1", "disaggregations": [], "requests": [],
            "indicators": [
                {"code": "A", "name_vi": "a", "name_en": "", "measure_vi": "", "measure_en": "",
                 "value_type": "integer", "over_units": "sum", "over_time": "sum"},
                {"code": "P", "name_vi": "p", "name_en": "", "measure_vi": "", "measure_en": "",
                 "value_type": "integer", "over_units": "sum", "over_time": "last"},
                {"code": "R", "name_vi": "r", "name_en": "", "measure_vi": "%", "measure_en": "",
                 "value_type": "percentage", "over_units": "none", "over_time": "none",
                 "formula": "100 * A / P"}],
            "regimes": []
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let mut engine = Engine::new(Units::new(units, &[]), Cells::new(&meta));
        let mut put = |unit: i64, period: &str, a: i64, pop: i64| {
            let report = AcceptedReport {
                unit: UnitId::new(unit),
                regime: "T".into(),
                period: p(period),
                values: vec![
                    ("A".into(), Decimal::from(a)),
                    ("P".into(), Decimal::from(pop)),
                ],
            };
            engine.accept(&report, None);
        };
        for (month, a) in [
            ("2024M02", 4),
            ("2025M01", 1),
            ("2025M02", 2),
            ("2025M03", 3),
        ] {
            put(1000, month, a, 100);
        }
        put(1001, "2025M02", 10, 300);
        engine
    }

    #[test]
    fn latest_year_to_date_and_ranking_read_the_engine() {
        let e = engine();
        let province = UnitId::new(10);
        let (period, figure) = e
            .latest("A", province, 2025, 6, Reading::Computed)
            .unwrap_or_else(|| panic!("a latest period"));
        assert_eq!((period, figure.value), (p("2025M03"), Some(d("3"))));
        let ytd = e
            .year_to_date("A", province, &period, Reading::Computed)
            .unwrap_or_else(|| panic!("a year to date"));
        assert_eq!(ytd.value, Some(d("16")), "1 + 2 + 10 + 3");
        assert_eq!((ytd.periods.present, ytd.periods.expected), (3, 3));
        // The rate of the year to date: 100 × ΣA / P at its last month.
        let rate = e
            .year_to_date("R", province, &p("2025M02"), Reading::Computed)
            .unwrap_or_else(|| panic!("a rate"));
        assert_eq!(rate.value, Some(d("3.25")), "100 × 13 / 400");
        let last_year = a_year_before(&p("2025M02"))
            .and_then(|p| e.figure("A", province, &p, Reading::Computed));
        assert_eq!(last_year.and_then(|f| f.value), Some(d("4")));
        let series = e.series("A", province, p("2025M03"), 24, Reading::Computed);
        assert_eq!(series.len(), 24);
        assert_eq!(series[0].0, p("2023M04"));
        assert_eq!(series.iter().filter(|(_, f)| f.value.is_some()).count(), 4);
        let ranked = e.ranking(
            "A",
            &[UnitId::new(1000), UnitId::new(1001)],
            &p("2025M03"),
            Reading::Reported,
        );
        assert_eq!(ranked[0].0, UnitId::new(1000));
        assert_eq!(ranked[1].1.value, None, "missing is last, never zero");
        assert!(e
            .latest("A", UnitId::new(1001), 2023, 1, Reading::Reported)
            .is_none());
    }
}

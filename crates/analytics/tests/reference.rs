//! The engine against a straightforward reference computation on randomized
//! data: sums, averages, weighted averages, extremes, stocks (last value),
//! formulas, disaggregations, missing values, corrections that replace an
//! accepted version, and a 2025-style merge and split.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;

use baocao_analytics::{AcceptedReport, Cells, Engine, Reading, Reorg, Units};
use baocao_domain::catalogue::Metadata;
use baocao_domain::period::PeriodId;
use baocao_domain::unit::{Level, OrgUnit, ReorgKind, UnitCode, UnitId, UnitKind, Validity};
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn unit(id: i64, level: &str, parent: Option<i64>, validity: Validity) -> OrgUnit {
    OrgUnit {
        id: UnitId::new(id),
        kind: UnitKind::Area,
        level: Level::parse(level).unwrap(),
        code: UnitCode::parse(UnitKind::Area, &id.to_string()).unwrap(),
        name: format!("U{id}"),
        division_type: String::new(),
        parent: parent.map(UnitId::new),
        validity,
        lat: None,
        lon: None,
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Central 1 → provinces 10, 11 → districts 100..103 → communes 1000..1011
/// (to 30/06/2025); from 01/07/2025 communes 2000 (merge of 1000 and 1001),
/// 2001 (1002 whole, and the default part of a split of 1003) and 2002 (the
/// other part of 1003, weight 0.4) directly under province 10.
fn world() -> (Vec<OrgUnit>, Vec<Reorg>) {
    let old = Validity {
        from: None,
        to: Some(day(2025, 6, 30)),
    };
    let new = Validity {
        from: Some(day(2025, 7, 1)),
        to: None,
    };
    let always = Validity {
        from: None,
        to: None,
    };
    let mut units = vec![
        unit(1, "central", None, always),
        unit(10, "province", Some(1), always),
        unit(11, "province", Some(1), always),
    ];
    for d in 0..4 {
        units.push(unit(100 + d, "district", Some(10 + d / 2), old));
        for c in 0..3 {
            units.push(unit(1000 + d * 3 + c, "commune", Some(100 + d), old));
        }
    }
    for n in 0..3 {
        units.push(unit(2000 + n, "commune", Some(10), new));
    }
    let reorg = |old: i64, new: i64, kind, default_target, weight: Option<&str>| Reorg {
        old: UnitId::new(old),
        new: UnitId::new(new),
        kind,
        default_target,
        weight: weight.map(|w| w.parse().unwrap()),
    };
    let reorgs = vec![
        reorg(1000, 2000, ReorgKind::Whole, true, None),
        reorg(1001, 2000, ReorgKind::Whole, true, None),
        reorg(1002, 2001, ReorgKind::Whole, true, None),
        reorg(1003, 2001, ReorgKind::Split, true, None),
        reorg(1003, 2002, ReorgKind::Split, false, Some("0.4")),
    ];
    (units, reorgs)
}

fn metadata() -> Metadata {
    serde_json::from_value(serde_json::json!({
        "format": "baocao-metadata/1",
        "disaggregations": [{"code": "sex", "name_vi": "Giới tính", "name_en": "Sex", "options": [
            {"code": "male", "name_vi": "Nam", "name_en": "Male"}, {"code": "female", "name_vi": "Nữ", "name_en": "Female"}]}],
        "indicators": [
            {"code": "A", "name_vi": "a", "name_en": "", "measure_vi": "", "measure_en": "", "value_type": "integer",
             "over_units": "sum", "over_time": "sum", "disaggregations": ["sex"]},
            {"code": "P", "name_vi": "p", "name_en": "", "measure_vi": "", "measure_en": "", "value_type": "integer",
             "over_units": "sum", "over_time": "last"},
            {"code": "V", "name_vi": "v", "name_en": "", "measure_vi": "", "measure_en": "", "value_type": "decimal",
             "over_units": "average", "over_time": "average"},
            {"code": "W", "name_vi": "w", "name_en": "", "measure_vi": "", "measure_en": "", "value_type": "percentage",
             "over_units": {"weighted_average": "P"}, "over_time": "last"},
            {"code": "M", "name_vi": "m", "name_en": "", "measure_vi": "", "measure_en": "", "value_type": "decimal",
             "over_units": "min", "over_time": "max"},
            {"code": "R", "name_vi": "r", "name_en": "", "measure_vi": "%", "measure_en": "", "value_type": "percentage",
             "over_units": "none", "over_time": "none", "formula": "100 * A / P"}
        ],
        "regimes": [{"code": "T", "versions": [{
            "from": "2025M01", "name_vi": "t", "name_en": "t", "legal_basis": "x", "kind": "periodic",
            "frequency": "monthly", "convention": "calendar", "receiving_unit": "1", "methods": ["system"],
            "reporting": [{"name_vi": "xã", "name_en": "", "select": {"level": "commune"}, "stage": 1,
                "deadline": {"working_days_after_window": 5}}],
            "forms": [{"code": "B", "title_vi": "b", "title_en": "b",
                "columns": [{"code": "C1", "title_vi": "x", "title_en": "", "source": "current"}],
                "rows": [{"indicator": "A", "breakdown": true}, {"indicator": "P"}, {"indicator": "V"},
                         {"indicator": "W"}, {"indicator": "M"}, {"indicator": "R"}]}]
        }]}],
        "requests": []
    }))
    .unwrap()
}

const INPUT_CELLS: [&str; 7] = ["A", "A/sex:male", "A/sex:female", "P", "V", "W", "M"];

/// The reference: every accepted report, the latest per unit and month.
struct Reference {
    units: Vec<OrgUnit>,
    reorgs: Vec<Reorg>,
    reports: BTreeMap<(i64, u32), BTreeMap<String, Decimal>>,
}

fn agg_units(rule: &str, values: &[(Decimal, Option<Decimal>)]) -> Option<Decimal> {
    match rule {
        "sum" => (!values.is_empty()).then(|| values.iter().map(|(v, _)| *v).sum()),
        "average" => (!values.is_empty())
            .then(|| values.iter().map(|(v, _)| *v).sum::<Decimal>() / Decimal::from(values.len())),
        "min" => values.iter().map(|(v, _)| *v).min(),
        "weighted" => {
            let with: Vec<(Decimal, Decimal)> = values
                .iter()
                .filter_map(|(v, w)| w.map(|w| (*v, w)))
                .collect();
            let total: Decimal = with.iter().map(|(_, w)| *w).sum();
            (!with.is_empty() && !total.is_zero())
                .then(|| with.iter().map(|(v, w)| v * w).sum::<Decimal>() / total)
        }
        _ => None,
    }
}

fn agg_time(rule: &str, values: &[Decimal]) -> Option<Decimal> {
    if values.is_empty() {
        return None;
    }
    match rule {
        "sum" => Some(values.iter().sum()),
        "average" => Some(values.iter().sum::<Decimal>() / Decimal::from(values.len())),
        "last" => values.last().copied(),
        "max" => values.iter().max().copied(),
        _ => None,
    }
}

fn rules(cell: &str) -> (&'static str, &'static str) {
    match cell.split('/').next().unwrap() {
        "A" => ("sum", "sum"),
        "P" => ("sum", "last"),
        "V" => ("average", "average"),
        "W" => ("weighted", "last"),
        "M" => ("min", "max"),
        _ => ("none", "none"),
    }
}

impl Reference {
    fn value(&self, unit: i64, cell: &str, month: u32) -> Option<Decimal> {
        self.reports.get(&(unit, month))?.get(cell).copied()
    }

    fn is_leaf(&self, unit: i64) -> bool {
        !self
            .units
            .iter()
            .any(|u| u.parent == Some(UnitId::new(unit)))
    }

    fn leaves_under(&self, unit: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut stack = vec![unit];
        while let Some(u) = stack.pop() {
            let kids: Vec<i64> = self
                .units
                .iter()
                .filter(|x| x.parent == Some(UnitId::new(u)))
                .map(|x| x.id.get())
                .collect();
            if kids.is_empty() {
                out.push(u);
            }
            stack.extend(kids);
        }
        out
    }

    /// Units standing for `unit` in a month, with their shares.
    fn stand_ins(&self, unit: i64, month: u32) -> Vec<(i64, Decimal)> {
        let u = self.units.iter().find(|x| x.id.get() == unit).unwrap();
        let last_day = PeriodId::month(2025, month).unwrap().last_day();
        let preds: Vec<(i64, Decimal)> = self
            .reorgs
            .iter()
            .filter(|r| r.new.get() == unit)
            .filter_map(|r| match (r.kind, r.weight) {
                (ReorgKind::Whole, _) => Some((r.old.get(), Decimal::ONE)),
                (ReorgKind::Split, Some(w)) => Some((r.old.get(), w)),
                (ReorgKind::Split, None) if r.default_target => Some((r.old.get(), Decimal::ONE)),
                _ => None,
            })
            .collect();
        match u.validity.from {
            Some(from) if last_day < from && !preds.is_empty() => preds,
            _ => vec![(unit, Decimal::ONE)],
        }
    }

    fn base(&self, unit: i64, cell: &str, month: u32, reading: Reading) -> Option<Decimal> {
        let (over_units, _) = rules(cell);
        let stand_ins = self.stand_ins(unit, month);
        if reading != Reading::Computed && stand_ins == vec![(unit, Decimal::ONE)] {
            // The unit's own figure, whatever its weight.
            return self.value(unit, cell, month);
        }
        let mut parts: Vec<(Decimal, Option<Decimal>)> = Vec::new();
        let scale = |v: Decimal, share: Decimal| if over_units == "min" { v } else { v * share };
        for (u, share) in &stand_ins {
            let sources = if reading == Reading::Computed {
                if self.is_leaf(*u) {
                    Vec::new()
                } else {
                    self.leaves_under(*u)
                }
            } else {
                vec![*u]
            };
            for l in sources {
                if let Some(v) = self.value(l, cell, month) {
                    let w = self.value(l, "P", month);
                    match over_units {
                        "weighted" => {
                            if let Some(w) = w {
                                parts.push((v, Some(scale(w, *share))));
                            }
                        }
                        _ => parts.push((scale(v, *share), w)),
                    }
                }
            }
        }
        agg_units(over_units, &parts)
    }

    fn figure(&self, unit: i64, cell: &str, months: &[u32], reading: Reading) -> Option<Decimal> {
        if cell == "R" {
            let a = self.figure(unit, "A", months, reading)?;
            let p = self.figure(unit, "P", months, reading)?;
            return (!p.is_zero()).then(|| Decimal::from(100) * a / p);
        }
        let values: Vec<Decimal> = months
            .iter()
            .filter_map(|m| self.base(unit, cell, *m, reading))
            .collect();
        agg_time(rules(cell).1, &values)
    }
}

fn decimal() -> impl Strategy<Value = Decimal> {
    (-5000i64..5000, 0u32..3).prop_map(|(n, scale)| Decimal::new(n, scale))
}

/// A report: unit (a leaf or an upper unit), month, values (some missing).
fn report() -> impl Strategy<Value = (usize, u32, Vec<Option<Decimal>>)> {
    (
        0usize..22,
        1u32..13,
        proptest::collection::vec(
            proptest::option::weighted(0.8, decimal()),
            INPUT_CELLS.len(),
        ),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn the_engine_agrees_with_the_reference(reports in proptest::collection::vec(report(), 1..60)) {
        let (units, reorgs) = world();
        let meta = metadata();
        let mut engine = Engine::new(Units::new(units.clone(), &reorgs), Cells::new(&meta));
        // Leaves, upper units, and (after the reform) the new communes report.
        let reporters: Vec<i64> = units.iter().map(|u| u.id.get()).filter(|id| *id != 1).collect();
        let mut reference = Reference { units: units.clone(), reorgs: reorgs.clone(), reports: BTreeMap::new() };
        for (who, month, values) in &reports {
            let unit = reporters[*who % reporters.len()];
            let content: BTreeMap<String, Decimal> = INPUT_CELLS
                .iter()
                .zip(values)
                .filter_map(|(c, v)| v.map(|v| (c.to_string(), v)))
                .collect();
            let period = PeriodId::month(2025, *month).unwrap();
            let previous = reference.reports.get(&(unit, *month)).map(|v| AcceptedReport {
                unit: UnitId::new(unit),
                regime: "T".into(),
                period,
                values: v.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            });
            let accepted = AcceptedReport {
                unit: UnitId::new(unit),
                regime: "T".into(),
                period,
                values: content.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            };
            engine.accept(&accepted, previous.as_ref());
            reference.reports.insert((unit, *month), content);
        }
        // A bulk rebuild from the latest reports gives the same engine.
        let mut rebuilt = Engine::new(Units::new(units.clone(), &reorgs), Cells::new(&meta));
        for ((unit, month), values) in &reference.reports {
            rebuilt.load(&AcceptedReport {
                unit: UnitId::new(*unit),
                regime: "T".into(),
                period: PeriodId::month(2025, *month).unwrap(),
                values: values.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            });
        }
        rebuilt.build_aggregates();
        let periods: Vec<(String, Vec<u32>)> = vec![
            ("2025M03".into(), vec![3]),
            ("2025M08".into(), vec![8]),
            ("2025Q2".into(), vec![4, 5, 6]),
            ("2025Q3".into(), vec![7, 8, 9]),
            ("2025S1".into(), (1..=6).collect()),
            ("2025".into(), (1..=12).collect()),
        ];
        for unit in units.iter().map(|u| u.id.get()) {
            for cell in INPUT_CELLS.iter().chain(["R"].iter()) {
                for (period, months) in &periods {
                    for reading in [Reading::Reported, Reading::Computed] {
                        let want = reference.figure(unit, cell, months, reading);
                        let period: PeriodId = period.parse().unwrap();
                        let got = engine.figure(cell, UnitId::new(unit), &period, reading).unwrap().value;
                        prop_assert_eq!(got, want, "incremental: unit {} cell {} period {} {:?}", unit, cell, period, reading);
                        let again = rebuilt.figure(cell, UnitId::new(unit), &period, reading).unwrap().value;
                        prop_assert_eq!(again, want, "rebuilt: unit {} cell {} period {} {:?}", unit, cell, period, reading);
                    }
                }
            }
        }
    }
}

#[test]
fn coverage_and_completeness_count_the_leaves_expected() {
    let (units, reorgs) = world();
    let mut engine = Engine::new(Units::new(units, &reorgs), Cells::new(&metadata()));
    for unit in [1000, 1001, 1004] {
        engine.accept(
            &AcceptedReport {
                unit: UnitId::new(unit),
                regime: "T".into(),
                period: "2025M03".parse().unwrap(),
                values: vec![("A".into(), Decimal::from(5))],
            },
            None,
        );
    }
    let march: PeriodId = "2025M03".parse().unwrap();
    let figure = engine
        .figure("A", UnitId::new(10), &march, Reading::Computed)
        .unwrap();
    assert_eq!(figure.value, Some(Decimal::from(15)));
    let coverage = figure.units.unwrap();
    assert_eq!(
        (coverage.present, coverage.expected),
        (3, 6),
        "three of the six communes of province 10"
    );
    let done = engine.completeness("T", UnitId::new(1), &march).unwrap();
    assert_eq!((done.present, done.expected), (3, 12));
    // Missing is missing: no report, no value — never zero.
    let nothing = engine
        .figure("A", UnitId::new(11), &march, Reading::Computed)
        .unwrap();
    assert_eq!(nothing.value, None);
    // A 2025 commune before the reform: its predecessors, named.
    let merged = engine
        .figure("A", UnitId::new(2000), &march, Reading::Reported)
        .unwrap();
    assert_eq!(merged.value, Some(Decimal::from(10)));
    assert_eq!(
        merged.predecessors,
        vec![UnitId::new(1000), UnitId::new(1001)]
    );
}

#[test]
fn discrepancies_list_where_a_consolidated_report_does_not_add_up() {
    let (units, reorgs) = world();
    let mut engine = Engine::new(Units::new(units, &reorgs), Cells::new(&metadata()));
    let march: PeriodId = "2025M03".parse().unwrap();
    let report = |unit: i64, values: &[(&str, &str)]| AcceptedReport {
        unit: UnitId::new(unit),
        regime: "T".into(),
        period: march,
        values: values
            .iter()
            .map(|(c, v)| (c.to_string(), v.parse().unwrap()))
            .collect(),
    };
    // District 100's communes: A 5 + 7 + 9 = 21; V averages 1,2345.
    for (unit, a) in [(1000, "5"), (1001, "7"), (1002, "9")] {
        engine.accept(&report(unit, &[("A", a), ("V", "1.2345")]), None);
    }
    // The district's own report: A typed as 20 (one short), V rounded to
    // two places (the same figure at its precision), P with nothing below.
    engine.accept(
        &report(100, &[("A", "20"), ("V", "1.23"), ("P", "4")]),
        None,
    );
    let found = engine.discrepancies(&[UnitId::new(100), UnitId::new(1000)], &march, 100);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].unit, UnitId::new(100));
    assert_eq!(found[0].cell, "A");
    assert_eq!(found[0].reported, Decimal::from(20));
    assert_eq!(found[0].computed, Decimal::from(21));
    assert_eq!(found[0].difference(), Decimal::from(-1));
    assert_eq!(
        found[0].units.map(|c| (c.present, c.expected)),
        Some((3, 3))
    );
    // Corrected: nothing left to list. The limit is kept.
    engine.accept(
        &report(100, &[("A", "21"), ("V", "1.23"), ("P", "4")]),
        Some(&report(100, &[("A", "20"), ("V", "1.23"), ("P", "4")])),
    );
    assert!(engine
        .discrepancies(&[UnitId::new(100)], &march, 100)
        .is_empty());
    engine.accept(
        &report(100, &[("A", "1"), ("V", "9"), ("P", "4")]),
        Some(&report(100, &[("A", "21"), ("V", "1.23"), ("P", "4")])),
    );
    assert_eq!(
        engine.discrepancies(&[UnitId::new(100)], &march, 1).len(),
        1
    );
    assert_eq!(
        engine.discrepancies(&[UnitId::new(100)], &march, 100).len(),
        2
    );
}

/// After a bulk build every current series keeps a year of room, so the next
/// month's acceptances are written in place (a national month would
/// otherwise move every series at once), and read back like any other.
#[test]
fn the_month_after_a_build_is_written_in_place() {
    let (units, reorgs) = world();
    let meta = metadata();
    let mut engine = Engine::new(Units::new(units, &reorgs), Cells::new(&meta));
    let report = |unit: i64, month: u32, value: i64| AcceptedReport {
        unit: UnitId::new(unit),
        regime: "T".into(),
        period: PeriodId::month(2025, month).unwrap(),
        values: INPUT_CELLS
            .iter()
            .map(|c| (c.to_string(), Decimal::from(value)))
            .collect(),
    };
    let leaves = 1000..1012;
    for month in 1..=3 {
        for unit in leaves.clone() {
            engine.load(&report(unit, month, 10));
        }
    }
    // One commune is already a month ahead when the engine is built: the
    // others still get their room.
    engine.load(&report(1000, 4, 7));
    engine.build_aggregates();
    let built = engine.bytes();
    for unit in leaves.clone().skip(1) {
        engine.accept(&report(unit, 4, 7), None);
    }
    assert_eq!(engine.bytes(), built, "no series grew");
    let april: PeriodId = "2025M04".parse().unwrap();
    let cell = INPUT_CELLS[0];
    let province = engine
        .figure(cell, UnitId::new(10), &april, Reading::Computed)
        .unwrap();
    let district = engine
        .figure(cell, UnitId::new(100), &april, Reading::Computed)
        .unwrap();
    assert_eq!(
        district.value,
        Some(Decimal::from(21)),
        "three communes × 7"
    );
    assert!(province.value.is_some());
}

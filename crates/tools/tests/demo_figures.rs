//! The demo's figures are worth looking at: over Nghệ An's real units (the
//! vn-admin files and their 2025 merge mapping), the province's totals land
//! near its published figures, seasons and trends show, a 2025 commune
//! continues the communes it was made from, every report passes its regime's
//! validation rules, and the targets are met by some units and missed by
//! others.
//!
//! The figures are a pure module of the demo (`src/demo/history/figures/`),
//! tested here through the crate like any caller.
// Scenario tests read top to bottom, as a user goes through the system:
// the 80-line bound on functions is for the code they test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    missing_docs
)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use baocao_app::units::{read_merge_file, read_units_file};
use baocao_domain::catalogue::{Metadata, RegimeVersion};
use baocao_domain::period::{Convention, PeriodId};
use baocao_domain::report::{input_cells, targets_for, validate};
use baocao_domain::unit::ReorgKind;
use baocao_tools::demo::history::figures::{
    self, Commune, Profile, Quirks, Seasons, Unit, Values, When,
};
use baocao_tools::demo::METADATA;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/vn-admin")
}

/// Nghệ An's communes before and after the reform, with their profiles.
struct Province {
    /// Legacy communes: key, district code, name, profile.
    legacy: Vec<(String, String, String, Profile)>,
    /// 2025 communes: key, name, profile, predecessors' keys.
    communes: Vec<(String, String, Profile, Vec<String>)>,
    quirks: Quirks,
    seasons: Seasons,
    meta: Metadata,
}

fn province() -> Province {
    let dir = data_dir();
    let old = read_units_file(&dir.join("units-2008-2025.csv")).unwrap();
    let new = read_units_file(&dir.join("units-2025.csv")).unwrap();
    let merges = read_merge_file(&dir.join("merge-2025.csv")).unwrap();
    let districts: HashSet<String> = old
        .iter()
        .filter(|u| u.level.as_str() == "district")
        .filter(|u| u.parent_code.as_ref().map(|c| c.as_str()) == Some("40"))
        .map(|u| u.code.as_str().to_string())
        .collect();
    let legacy_units: Vec<_> = old
        .iter()
        .filter(|u| u.level.as_str() == "commune")
        .filter(|u| {
            u.parent_code
                .as_ref()
                .is_some_and(|c| districts.contains(c.as_str()))
        })
        .collect();
    let keys: Vec<String> = legacy_units
        .iter()
        .map(|u| format!("old:{}", u.code.as_str()))
        .collect();
    let described: Vec<Commune<'_>> = legacy_units
        .iter()
        .zip(&keys)
        .map(|(u, key)| Commune {
            key,
            division_type: &u.division_type,
            lon: u.lon,
        })
        .collect();
    let profiles = figures::legacy_profiles(&described);
    let legacy: Vec<(String, String, String, Profile)> = legacy_units
        .iter()
        .zip(keys)
        .zip(profiles)
        .map(|((u, key), p)| {
            let district = u.parent_code.as_ref().unwrap().as_str().to_string();
            (key, district, u.name.clone(), p)
        })
        .collect();
    let by_code: HashMap<&str, &Profile> = legacy
        .iter()
        .map(|(k, _, _, p)| (k.strip_prefix("old:").unwrap(), p))
        .collect();
    let communes: Vec<(String, String, Profile, Vec<String>)> = new
        .iter()
        .filter(|u| u.level.as_str() == "commune")
        .filter(|u| u.parent_code.as_ref().map(|c| c.as_str()) == Some("40"))
        .map(|u| {
            let parts: Vec<(&Profile, f64, String)> = merges
                .iter()
                .filter(|m| m.old_level.as_str() == "commune" && m.new_code == u.code)
                .filter_map(|m| {
                    let share = match (m.kind, m.is_default) {
                        (ReorgKind::Whole, _) | (ReorgKind::Split, true) => 1.0,
                        (ReorgKind::Split, false) => 0.0,
                    };
                    by_code
                        .get(m.old_code.as_str())
                        .map(|p| (*p, share, format!("old:{}", m.old_code.as_str())))
                })
                .collect();
            let profile = Profile::merged(parts.iter().map(|(p, s, _)| (*p, *s)));
            let preds = parts.into_iter().map(|(_, _, k)| k).collect();
            (
                format!("new:{}", u.code.as_str()),
                u.name.clone(),
                profile,
                preds,
            )
        })
        .collect();
    let keys: Vec<&str> = communes.iter().map(|(k, ..)| k.as_str()).collect();
    let quirks = Quirks::choose(&keys);
    Province {
        legacy,
        communes,
        quirks,
        seasons: Seasons::new(2023, 2026),
        meta: serde_json::from_str(METADATA).unwrap(),
    }
}

fn period(text: &str) -> PeriodId {
    text.parse().unwrap()
}

fn add(total: &mut Values, v: &Values) {
    for (k, x) in v {
        *total.entry(k).or_default() += x;
    }
}

impl Province {
    fn units(&self, p: &PeriodId) -> Vec<(&str, &Profile)> {
        if p.last_day() <= chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap() {
            self.legacy
                .iter()
                .map(|(k, _, _, p)| (k.as_str(), p))
                .collect()
        } else {
            self.communes
                .iter()
                .map(|(k, _, p, _)| (k.as_str(), p))
                .collect()
        }
    }

    fn unit<'a>(&'a self, key: &'a str, profile: &'a Profile) -> Unit<'a> {
        Unit {
            key,
            profile,
            quirks: &self.quirks,
        }
    }

    fn month(&self, key: &str, profile: &Profile, p: &str) -> Values {
        let when = When::new(&period(p), Convention::Administrative, &self.seasons);
        figures::monthly(&self.unit(key, profile), &when)
    }

    /// The province's monthly totals (sums over its communes of the time).
    fn monthly_total(&self, p: &str) -> Values {
        let mut total = Values::new();
        for (key, profile) in self.units(&period(p)) {
            add(&mut total, &self.month(key, profile, p));
        }
        total
    }

    fn commune(&self, name: &str) -> &(String, String, Profile, Vec<String>) {
        self.communes.iter().find(|c| c.1 == name).unwrap()
    }

    fn legacy_profile(&self, key: &str) -> &Profile {
        &self.legacy.iter().find(|c| c.0 == key).unwrap().3
    }

    fn version(&self, regime: &str, p: &PeriodId) -> &RegimeVersion {
        self.meta.regime(regime).unwrap().version_for(p).unwrap().1
    }
}

/// Every period of `regime` from `first` to `last`.
fn periods(first: &str, last: &str) -> Vec<PeriodId> {
    let last = period(last);
    std::iter::successors(Some(period(first)), |p| p.next())
        .take_while(|p| p.first_day() <= last.first_day())
        .collect()
}

impl Province {
    /// The province's total of every indicator over `periods` (months).
    fn months_total(&self, first: &str, last: &str) -> Values {
        let mut total = Values::new();
        for p in periods(first, last) {
            add(&mut total, &self.monthly_total(&p.to_string()));
        }
        total
    }

    /// Every report of the periodic regimes the history makes: regime,
    /// period, unit key, values.
    fn every_report(&self) -> Vec<(&'static str, PeriodId, &str, &Profile, Values)> {
        let mut out = Vec::new();
        for (regime, first, last) in [
            ("BC-KTXH-T", "2024M01", "2026M10"),
            ("BC-CDS-Q", "2024Q1", "2026Q3"),
            ("BC-TK-NAM", "2024", "2025"),
        ] {
            for p in periods(first, last) {
                let convention = self.version(regime, &p).convention;
                for (key, profile) in self.units(&p) {
                    let unit = self.unit(key, profile);
                    let values = match regime {
                        "BC-KTXH-T" => {
                            figures::monthly(&unit, &When::new(&p, convention, &self.seasons))
                        }
                        "BC-CDS-Q" => figures::quarterly(&unit, &p, convention, &self.seasons),
                        _ => figures::yearly(&unit, &p, convention, &self.seasons),
                    };
                    out.push((regime, p, key, profile, values));
                }
            }
        }
        out
    }
}

fn within(what: &str, value: f64, low: f64, high: f64) {
    assert!(
        (low..=high).contains(&value),
        "{what} = {value:.2}, expected between {low} and {high}"
    );
}

#[test]
fn the_province_adds_up_to_nghe_an() {
    let nghe_an = province();
    for month in ["2024M03", "2025M03", "2025M10", "2026M09"] {
        let t = nghe_an.monthly_total(month);
        within(&format!("population {month}"), t["XH01"], 3.3e6, 3.6e6);
        within(
            &format!("people per household {month}"),
            t["XH01"] / t["XH04"],
            3.3,
            4.0,
        );
        within(
            &format!("poverty rate {month}"),
            t["XH05"] / t["XH04"],
            0.02,
            0.06,
        );
        within(
            &format!("health insurance {month}"),
            t["XH02"] / t["XH01"],
            0.88,
            0.99,
        );
        within(
            &format!("labour force {month}"),
            t["LD04"] / t["XH01"],
            0.5,
            0.7,
        );
        within(
            &format!("social insurance {month}"),
            t["LD03"] / t["LD04"],
            0.15,
            0.3,
        );
        within(&format!("dossiers {month}"), t["HC02"], 18_000.0, 45_000.0);
        within(&format!("credit {month}"), t["VM03"], 250_000.0, 450_000.0);
    }
    for (year, first, last) in [(2024, "2024M01", "2024M12"), (2025, "2025M01", "2025M12")] {
        let t = nghe_an.months_total(first, last);
        let grdp = t["TT01"];
        within(&format!("GRDP {year}"), grdp, 170_000.0, 250_000.0);
        within(
            &format!("GRDP a month {year}"),
            grdp / 12.0,
            14_000.0,
            21_000.0,
        );
        within(
            &format!("budget revenue {year}"),
            t["TC01"],
            18_000.0,
            30_000.0,
        );
        within(
            &format!("budget spending {year}"),
            t["TC02"],
            30_000.0,
            55_000.0,
        );
        within(
            &format!("retail sales {year}"),
            t["TT04"],
            100_000.0,
            160_000.0,
        );
        within(
            &format!("tourism revenue {year}"),
            t["TT08"],
            7_000.0,
            14_000.0,
        );
        within(&format!("tourist arrivals {year}"), t["TT07"], 6e6, 11e6);
        within(&format!("exports {year}"), t["TT05"], 2_000.0, 5_000.0);
        within(
            &format!("social investment {year}"),
            t["VM02"],
            60_000.0,
            110_000.0,
        );
        within(
            &format!("new enterprises {year}"),
            t["DN01"],
            1_500.0,
            3_000.0,
        );
        within(&format!("new jobs {year}"), t["LD01"], 35_000.0, 60_000.0);
        within(
            &format!("workers abroad {year}"),
            t["LD02"],
            14_000.0,
            26_000.0,
        );
        within(&format!("dossiers {year}"), t["HC02"], 250_000.0, 500_000.0);
        // Figures of different things are no longer one and the same number.
        let money = [
            ("GRDP", grdp),
            ("retail", t["TT04"]),
            ("tourism", t["TT08"]),
            ("budget", t["TC01"]),
        ];
        for (i, (a, x)) in money.iter().enumerate() {
            for (b, y) in &money[i + 1..] {
                assert!(
                    x / y > 1.25 || y / x > 1.25,
                    "{a} {x:.0} and {b} {y:.0} in {year}"
                );
            }
        }
    }
    // The online share of dossiers rises with the digital-transformation push.
    let share = |m: &str| {
        let t = nghe_an.monthly_total(m);
        t["HC03"] / t["HC02"]
    };
    within("online share 2024M03", share("2024M03"), 0.15, 0.35);
    within("online share 2026M09", share("2026M09"), 0.5, 0.8);
    assert!(share("2025M03") > share("2024M03") && share("2026M03") > share("2025M03"));
    // What the province compiles itself: its statistics office's indices.
    let whole = Profile::merged(nghe_an.legacy.iter().map(|c| (&c.3, 1.0)));
    for p in periods("2024M01", "2026M10") {
        let earlier: PeriodId = format!("{}{}", p.year() - 1, &p.to_string()[4..])
            .parse()
            .unwrap();
        let when = When::new(&p, Convention::Administrative, &nghe_an.seasons);
        let before = When::new(&earlier, Convention::Administrative, &nghe_an.seasons);
        let own = figures::own_figures(&whole, "province:40", true, &when, &before);
        within(&format!("IIP {p}"), own["TT03"], 90.0, 130.0);
        within(&format!("CPI {p}"), own["VM01"], 2.0, 5.0);
        within(&format!("forest cover {p}"), own["MT01"], 40.0, 70.0);
        if let Some(growth) = own.get("TT02") {
            within(&format!("GRDP growth {p}"), *growth, 5.0, 12.0);
        }
    }
}

#[test]
fn the_seasons_show() {
    let nghe_an = province();
    let m = |p: &str| nghe_an.monthly_total(p);
    // Tourism peaks in summer, budget revenue at the end of the year.
    assert!(m("2025M07")["TT07"] > 2.5 * m("2025M11")["TT07"]);
    let year = nghe_an.months_total("2024M01", "2024M11");
    assert!(m("2024M12")["TC01"] > 1.8 * year["TC01"] / 11.0);
    // Tết: offices slow down in its window (February 2025, March 2026 with
    // the 15th-to-14th windows), shops sell more in the weeks before.
    assert!(m("2025M02")["HC02"] < 0.9 * m("2025M01")["HC02"]);
    assert!(m("2026M03")["HC02"] < 0.8 * m("2026M04")["HC02"]);
    assert!(m("2026M02")["TT04"] > 1.1 * m("2026M04")["TT04"]);
    // And a trend: the same month a year later is larger.
    assert!(m("2026M05")["TT04"] > 1.05 * m("2025M05")["TT04"]);
    assert!(m("2026M05")["XH01"] > m("2025M05")["XH01"]);
}

#[test]
fn a_2025_commune_continues_the_communes_it_was_made_from() {
    let nghe_an = province();
    let (key, _, profile, preds) = nghe_an.commune("Phường Thành Vinh");
    assert_eq!(preds.len(), 6, "{preds:?}");
    let before: f64 = preds
        .iter()
        .map(|k| nghe_an.month(k, nghe_an.legacy_profile(k), "2025M03")["HC02"])
        .sum();
    let after = nghe_an.month(key, profile, "2025M10")["HC02"];
    within(
        "Thành Vinh's dossiers 2025M10 / its wards' 2025M03",
        after / before,
        0.7,
        1.4,
    );
    // Every 2025 commune: as many people as its predecessors the month before.
    for (key, name, profile, preds) in &nghe_an.communes {
        let before: f64 = preds
            .iter()
            .map(|k| nghe_an.month(k, nghe_an.legacy_profile(k), "2025M06")["XH01"])
            .sum();
        let after = nghe_an.month(key, profile, "2025M07")["XH01"];
        within(
            &format!("population of {name} across the reform"),
            after / before,
            0.99,
            1.01,
        );
    }
    // And the province as a whole.
    let june = nghe_an.monthly_total("2025M06");
    let july = nghe_an.monthly_total("2025M07");
    for code in ["HC02", "TT04", "LD04", "VM03"] {
        within(
            &format!("{code} 2025M07 / 2025M06"),
            july[code] / june[code],
            0.85,
            1.2,
        );
    }
}

#[test]
fn every_report_keeps_its_rules() {
    let nghe_an = province();
    let meta = &nghe_an.meta;
    let reports = nghe_an.every_report();
    assert!(reports.len() > 12_000, "{}", reports.len());
    let parts = [
        ("HC03", "HC02"),
        ("HC06", "HC05"),
        ("XH05", "XH04"),
        ("XH02", "XH01"),
        ("LD03", "LD04"),
        ("TC04", "TC03"),
        ("CDS02", "CDS01"),
        ("CDS05", "CDS04"),
        ("CDS07", "HC02"),
        ("CDS11", "CDS10"),
        ("CDS14", "CDS13"),
        ("CDS18", "HC01"),
    ];
    let mut filled: BTreeMap<String, usize> = BTreeMap::new();
    let mut visitors = (0.0, 0.0);
    for (regime, p, key, profile, values) in &reports {
        let version = nghe_an.version(regime, p);
        let cells = input_cells(version, meta);
        let unit = nghe_an.unit(key, profile);
        let content = figures::content(meta, &cells, values, &unit, &p.to_string());
        let number =
            |cell: &str| -> f64 { content.values.get(cell).map_or(0.0, |v| v.parse().unwrap()) };
        // The options of a breakdown add up to its total.
        let mut options: BTreeMap<&str, f64> = BTreeMap::new();
        for (cell, code) in cells.iter().filter(|(cell, _)| cell.contains('/')) {
            *options.entry(code.as_str()).or_default() += number(cell);
        }
        for (code, sum) in options {
            assert!(
                (sum - number(code)).abs() < 0.011,
                "{regime} {p} {key}: {code}"
            );
        }
        visitors.0 += number("TT07/visitor_origin:international");
        visitors.1 += number("TT07");
        let failed = validate(&content, version, meta);
        assert!(failed.is_empty(), "{regime} {p} {key}: {failed:?}");
        for (part, whole) in parts {
            if let (Some(a), Some(b)) = (values.get(part), values.get(whole)) {
                assert!(a <= b, "{regime} {p} {key}: {part} {a} > {whole} {b}");
            }
        }
        if let (Some(a), Some(b), Some(c)) =
            (values.get("CDS18"), values.get("CDS19"), values.get("HC01"))
        {
            assert!(
                a + b <= *c,
                "{p} {key}: level-4 and level-3 services exceed those offered"
            );
        }
        for (cell, code) in &cells {
            if content.values.contains_key(cell) {
                *filled.entry(code.clone()).or_default() += 1;
            }
        }
        // Rates stay rates.
        for (code, value) in baocao_domain::report::computed(&content, meta) {
            let measure = meta.indicator(&code).map(|i| i.measure_vi.as_str());
            if measure == Some("%") {
                let v: f64 = value.to_string().parse().unwrap();
                assert!(
                    (0.0..=100.0).contains(&v),
                    "{regime} {p} {key}: {code} = {v}"
                );
            }
        }
    }
    // Breakdowns near their usual shares: few visitors come from abroad.
    within(
        "international visitors",
        visitors.0 / visitors.1,
        0.02,
        0.08,
    );
    // Every input cell of the forms is filled by someone, except what only
    // the province compiles.
    for (regime, first) in [
        ("BC-KTXH-T", "2026M01"),
        ("BC-CDS-Q", "2026Q1"),
        ("BC-TK-NAM", "2025"),
    ] {
        for (_, code) in input_cells(nghe_an.version(regime, &period(first)), meta) {
            let province_only = ["TT02", "TT03", "VM01"].contains(&code.as_str());
            assert_eq!(
                filled.contains_key(&code),
                !province_only,
                "{regime} {code}"
            );
        }
    }
}

#[test]
fn targets_are_met_by_some_units_and_missed_by_others() {
    let nghe_an = province();
    let meta = &nghe_an.meta;
    let q4: PeriodId = period("2025Q4");
    let december = When::new(
        &period("2025M12"),
        Convention::Administrative,
        &nghe_an.seasons,
    );
    let mut results: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (key, _, profile, _) in &nghe_an.communes {
        let unit = nghe_an.unit(key, profile);
        let quarter = figures::quarterly(&unit, &q4, Convention::Administrative, &nghe_an.seasons);
        let month = figures::monthly(&unit, &december);
        let mut computed = BTreeMap::new();
        for values in [month, quarter] {
            let cells: Vec<(String, String)> = values
                .keys()
                .map(|c| (c.to_string(), c.to_string()))
                .collect();
            let content = figures::content(meta, &cells, &values, &unit, "2025");
            computed.extend(baocao_domain::report::computed(&content, meta));
        }
        for (code, target) in targets_for(meta, "", "commune", 2025) {
            let Some(value) = computed.get(&code) else {
                continue;
            };
            let entry = results.entry(code).or_default();
            if value >= &target {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
    }
    for code in ["CDS03", "CDS06", "CDS08", "CDS12", "XH03", "HC07", "TC05"] {
        let (met, missed) = results.get(code).copied().unwrap_or_default();
        let n = (met + missed) as f64;
        assert!(n > 100.0, "{code}: {results:?}");
        within(
            &format!("share of communes meeting {code}"),
            met as f64 / n,
            0.1,
            0.9,
        );
    }
    // The province's plan for 2025: some met, others not.
    let year = nghe_an.months_total("2025M01", "2025M12");
    let (mut met, mut missed) = (Vec::new(), Vec::new());
    for (code, target) in targets_for(meta, "40", "province", 2025) {
        let summed = meta.indicator(&code).is_some_and(|i| {
            i.over_time == baocao_domain::catalogue::Aggregation::Sum && i.formula.is_none()
        });
        if let (true, Some(value)) = (summed, year.get(code.as_str())) {
            let target: f64 = target.to_string().parse().unwrap();
            if *value >= target {
                met.push(code);
            } else {
                missed.push(code);
            }
        }
    }
    assert!(
        met.len() >= 3 && missed.len() >= 2,
        "met {met:?}, missed {missed:?}"
    );
}

#[test]
fn a_leader_has_something_to_spot() {
    let nghe_an = province();
    let q = &nghe_an.quirks;
    let of = |key: &str| nghe_an.communes.iter().find(|c| c.0 == key).unwrap();
    let (spike, month) = q.spike.clone().unwrap();
    let (_, _, profile, _) = of(&spike);
    let before = period(&month).previous().unwrap().to_string();
    let ratio = nghe_an.month(&spike, profile, &month)["TC01"]
        / nghe_an.month(&spike, profile, &before)["TC01"];
    assert!(ratio > 5.0, "land auction: {ratio}");
    let (outage, month) = q.outage.clone().unwrap();
    let (_, _, profile, _) = of(&outage);
    let before = period(&month).previous().unwrap().to_string();
    let ratio = nghe_an.month(&outage, profile, &month)["HC02"]
        / nghe_an.month(&outage, profile, &before)["HC02"];
    assert!(ratio < 0.35, "outage: {ratio}");
    let late = q.late.clone().unwrap();
    assert_ne!(late, nghe_an.commune("Phường Thành Vinh").0);
    let months = periods("2025M07", "2026M10");
    let times = months
        .iter()
        .filter(|p| q.late_for(&late, &p.to_string()))
        .count();
    assert!(
        times * 10 >= months.len() * 6,
        "late {times} times of {}",
        months.len()
    );
    for (key, ..) in nghe_an.communes.iter().filter(|c| c.0 != late) {
        assert!(!months.iter().any(|p| q.late_for(key, &p.to_string())));
    }
}

/// The unusual-value flags on the demo's monthly history, as each commune's
/// report page would show them (its own previous 12 accepted months and the
/// same month a year earlier): the anomalies are flagged, and ordinary
/// months rarely are. Prints the rate the README states.
#[test]
fn unusual_value_flags_mean_something() {
    use baocao_domain::outlier::outliers;
    use baocao_domain::report::Content;
    let nghe_an = province();
    let months = periods("2025M07", "2026M10");
    let (spike, spike_month) = nghe_an.quirks.spike.clone().unwrap();
    let (outage, outage_month) = nghe_an.quirks.outage.clone().unwrap();
    let (mut judged, mut flagged, mut anomalies) = (0usize, 0usize, Vec::new());
    let mut by_cell: BTreeMap<String, usize> = BTreeMap::new();
    for (key, _, profile, _) in &nghe_an.communes {
        let unit = nghe_an.unit(key, profile);
        let reports: Vec<(PeriodId, Content)> = months
            .iter()
            .map(|p| {
                let version = nghe_an.version("BC-KTXH-T", p);
                let cells = input_cells(version, &nghe_an.meta);
                let when = When::new(p, version.convention, &nghe_an.seasons);
                let values = figures::monthly(&unit, &when);
                (
                    *p,
                    figures::content(&nghe_an.meta, &cells, &values, &unit, &p.to_string()),
                )
            })
            .collect();
        for (i, (p, content)) in reports.iter().enumerate() {
            let history: Vec<Content> = reports[i.saturating_sub(12)..i]
                .iter()
                .map(|(_, c)| c.clone())
                .rev()
                .collect();
            if history.len() < 6 {
                continue;
            }
            let last_year = p
                .to_string()
                .get(4..)
                .and_then(|rest| format!("{}{rest}", p.year() - 1).parse::<PeriodId>().ok())
                .and_then(|ly| reports.iter().find(|(q, _)| *q == ly))
                .map(|(_, c)| c);
            let found = outliers(content, &history, last_year);
            let quirk = (key == &spike && p.to_string() == spike_month)
                || (key == &outage && p.to_string() == outage_month);
            if quirk {
                anomalies.extend(found.iter().map(|o| o.cell.clone()));
                continue;
            }
            judged += content.values.len();
            flagged += found.len();
            for o in &found {
                *by_cell.entry(o.cell.clone()).or_insert(0usize) += 1;
            }
        }
    }
    let rate = flagged as f64 / judged as f64;
    let mut worst: Vec<(usize, String)> = by_cell.into_iter().map(|(c, n)| (n, c)).collect();
    worst.sort_unstable_by(|a, b| b.cmp(a));
    println!("most flagged: {:?}", &worst[..worst.len().min(8)]);
    println!(
        "unusual-value flags on the demo history: {flagged} of {judged} cells = {:.2} %",
        rate * 100.0
    );
    assert!(judged > 20_000, "{judged}");
    assert!(rate < 0.02, "{flagged} of {judged} ordinary cells flagged");
    assert!(
        anomalies.iter().any(|c| c == "TC01"),
        "the land auction is flagged: {anomalies:?}"
    );
    assert!(
        anomalies.iter().any(|c| c == "HC02"),
        "the outage is flagged: {anomalies:?}"
    );
}

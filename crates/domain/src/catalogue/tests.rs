// Scenario tests read top to bottom: the 80-line bound is for the code.
#![allow(clippy::too_many_lines)]

use rust_decimal::Decimal;

use super::*;
use crate::calendar::WorkCalendar;
use crate::deadline::DeadlineRule;
use crate::period::{Convention, Frequency, PeriodId};

fn levels() -> Vec<String> {
    ["central", "province", "district", "commune"]
        .map(String::from)
        .to_vec()
}

fn indicator(code: &str, name: &str, formula: Option<&str>) -> Indicator {
    Indicator {
        code: code.into(),
        name_vi: name.into(),
        name_en: String::new(),
        definition_vi: String::new(),
        definition_en: String::new(),
        field: Some("social".into()),
        measure_vi: "người".into(),
        measure_en: "persons".into(),
        value_type: ValueType::Integer,
        over_units: Aggregation::Sum,
        over_time: Aggregation::Sum,
        disaggregations: Vec::new(),
        feeds: None,
        formula: formula.map(String::from),
        targets: Vec::new(),
        min: None,
        max: None,
    }
}

fn version(from: &str) -> RegimeVersion {
    RegimeVersion {
        from: from.into(),
        name_vi: "Báo cáo tháng".into(),
        name_en: "Monthly report".into(),
        legal_basis: "Quyết định 01/2024/QĐ-UBND".into(),
        content_vi: String::new(),
        content_en: String::new(),
        kind: RegimeKind::Periodic,
        frequency: Frequency::Monthly,
        convention: Convention::Administrative,
        receiving_unit: "40".into(),
        methods: vec![Method::System],
        signature_required: true,
        reporting: vec![
            ReportingGroup {
                name_vi: "Cấp xã".into(),
                name_en: "Communes".into(),
                select: UnitSelector {
                    level: Some("commune".into()),
                    ..Default::default()
                },
                stage: 1,
                deadline: Some(DeadlineRule::working_days_after_window(2).unwrap()),
            },
            ReportingGroup {
                name_vi: "Sở, ngành".into(),
                name_en: "Departments".into(),
                select: UnitSelector {
                    level: Some("province".into()),
                    kind: Some("agency".into()),
                    units: Vec::new(),
                },
                stage: 2,
                deadline: Some(DeadlineRule::working_days_after_window(4).unwrap()),
            },
        ],
        forms: vec![NumericForm {
            code: "B01".into(),
            title_vi: "Biểu 01".into(),
            title_en: "Table 01".into(),
            columns: vec![
                Column {
                    code: "C1".into(),
                    title_vi: "Kỳ này".into(),
                    title_en: "This period".into(),
                    source: ColumnSource::Current,
                },
                Column {
                    code: "C2".into(),
                    title_vi: "Cùng kỳ".into(),
                    title_en: "Last year".into(),
                    source: ColumnSource::SamePeriodLastYear,
                },
                Column {
                    code: "C3".into(),
                    title_vi: "So sánh (%)".into(),
                    title_en: "Change (%)".into(),
                    source: ColumnSource::Formula("100 * C1 / C2".into()),
                },
            ],
            rows: vec![
                FormRow {
                    indicator: "A".into(),
                    breakdown: true,
                },
                FormRow {
                    indicator: "R".into(),
                    breakdown: false,
                },
            ],
        }],
        outline: vec![OutlineSection {
            number: "I".into(),
            title_vi: "Tình hình".into(),
            title_en: "Situation".into(),
            guidance_vi: String::new(),
            guidance_en: String::new(),
        }],
        validation: vec![ValidationRule {
            code: "R1".into(),
            expression: "A >= 0".into(),
            severity: Severity::Error,
            message_vi: "Không được âm".into(),
            message_en: String::new(),
        }],
        required: Vec::new(),
    }
}

fn valid() -> Metadata {
    let mut a = indicator("A", "Lao động được tạo việc làm", None);
    a.disaggregations = vec!["sex".into()];
    let b = indicator("B", "Dân số", None);
    let mut r = indicator("R", "Tỷ lệ", Some("100 * A / B"));
    r.value_type = ValueType::Percentage;
    r.over_units = Aggregation::WeightedAverage("B".into());
    r.over_time = Aggregation::Last;
    r.targets = vec![Target {
        year: 2025,
        applies_to: TargetScope::Level("commune".into()),
        at_least: Some(Decimal::from(60)),
        at_most: None,
    }];
    let adhoc = RegimeVersion {
        kind: RegimeKind::AdHoc,
        frequency: Frequency::AdHoc,
        reporting: vec![ReportingGroup {
            deadline: None,
            ..version("2024M01").reporting[0].clone()
        }],
        forms: Vec::new(),
        validation: Vec::new(),
        required: Vec::new(),
        ..version("2024")
    };
    Metadata {
        format: FORMAT.into(),
        disaggregations: vec![Disaggregation {
            code: "sex".into(),
            name_vi: "Giới tính".into(),
            name_en: "Sex".into(),
            options: vec![
                DisaggregationOption {
                    code: "male".into(),
                    name_vi: "Nam".into(),
                    name_en: "Male".into(),
                },
                DisaggregationOption {
                    code: "female".into(),
                    name_vi: "Nữ".into(),
                    name_en: "Female".into(),
                },
            ],
            complete: true,
        }],
        indicators: vec![a, b, r],
        regimes: vec![
            Regime {
                code: "BC-T".into(),
                versions: vec![version("2024M01"), version("2026M01")],
            },
            Regime {
                code: "DX".into(),
                versions: vec![adhoc],
            },
        ],
        requests: vec![Request {
            code: "YC-1".into(),
            regime: "DX".into(),
            title_vi: "Thiệt hại do bão".into(),
            title_en: "Storm damage".into(),
            issued_by: "40".into(),
            window_first: "2026-09-01".parse().unwrap(),
            window_last: "2026-09-30".parse().unwrap(),
            deadline: "2026-10-05".parse().unwrap(),
            units: vec!["16681".into()],
        }],
    }
}

fn problems(meta: &Metadata) -> Vec<(String, &'static str)> {
    let calendar = WorkCalendar::new();
    let levels = levels();
    let ctx = CheckContext {
        calendar: &calendar,
        levels: &levels,
    };
    match check(meta, &ctx) {
        Ok(()) => Vec::new(),
        Err(problems) => problems
            .into_iter()
            .map(|p| (p.path, p.message.key))
            .collect(),
    }
}

/// The single problem `change` introduces into the valid document.
fn only_problem(change: impl FnOnce(&mut Metadata)) -> (String, &'static str) {
    let mut meta = valid();
    change(&mut meta);
    let found = problems(&meta);
    assert_eq!(found.len(), 1, "expected one problem, got {found:?}");
    found.into_iter().next().unwrap()
}

#[test]
fn the_valid_document_passes() {
    assert_eq!(problems(&valid()), Vec::new());
}

#[test]
fn json_round_trip_is_identical() {
    let mut meta = valid();
    meta.sort();
    let text = serde_json::to_string_pretty(&meta).unwrap();
    let back: Metadata = serde_json::from_str(&text).unwrap();
    assert_eq!(back, meta);
    assert_eq!(serde_json::to_string_pretty(&back).unwrap(), text);
    assert!(text.contains("\"weighted_average\": \"B\""), "{text}");
    assert!(text.contains("\"working_days_after_window\": 2"), "{text}");
}

#[test]
fn unknown_fields_are_refused() {
    let text = r#"{"format": "baocao-metadata/1", "indicatros": []}"#;
    assert!(serde_json::from_str::<Metadata>(text).is_err());
}

#[test]
fn wrong_format_is_refused() {
    let found = only_problem(|m| m.format = "other/2".into());
    assert_eq!(found, ("format".into(), "catalogue.bad_format"));
}

#[test]
fn formula_errors_point_at_the_indicator() {
    let found = only_problem(|m| m.indicators[2].formula = Some("100 * A /".into()));
    assert_eq!(
        found,
        ("indicators[2].formula".into(), "formula.in_formula")
    );
    let found = only_problem(|m| m.indicators[2].formula = Some("100 * A / Z".into()));
    assert_eq!(
        found,
        ("indicators[2].formula".into(), "formula.unknown_code")
    );
}

#[test]
fn formula_cycles_are_refused() {
    let mut meta = valid();
    meta.indicators[1].formula = Some("R + 1".into());
    let found = problems(&meta);
    assert!(
        found.iter().any(|(_, key)| *key == "formula.cycle"),
        "{found:?}"
    );
}

#[test]
fn duplicate_and_bad_codes_are_refused() {
    let found = only_problem(|m| {
        let copy = m.indicators[0].clone();
        m.indicators.push(copy);
    });
    assert_eq!(
        found,
        ("indicators[3].code".into(), "catalogue.duplicate_code")
    );
    let found = only_problem(|m| m.disaggregations[0].options[1].code = "bad code".into());
    assert_eq!(
        found,
        (
            "disaggregations[0].options[1].code".into(),
            "catalogue.bad_code"
        )
    );
}

#[test]
fn indicator_rules() {
    let found = only_problem(|m| m.indicators[0].disaggregations.push("age".into()));
    assert_eq!(
        found,
        (
            "indicators[0].disaggregations[1]".into(),
            "catalogue.unknown_disaggregation"
        )
    );
    let found = only_problem(|m| m.indicators[0].over_units = Aggregation::Last);
    assert_eq!(
        found,
        (
            "indicators[0].over_units".into(),
            "catalogue.last_over_units"
        )
    );
    let found =
        only_problem(|m| m.indicators[2].over_units = Aggregation::WeightedAverage("Q".into()));
    assert_eq!(
        found,
        (
            "indicators[2].over_units".into(),
            "catalogue.unknown_indicator"
        )
    );
    let found = only_problem(|m| m.indicators[0].name_vi = "  ".into());
    assert_eq!(
        found,
        ("indicators[0].name_vi".into(), "catalogue.required")
    );
    let found = only_problem(|m| m.indicators[0].field = Some("sport".into()));
    assert_eq!(
        found,
        ("indicators[0].field".into(), "catalogue.unknown_field")
    );
    let found = only_problem(|m| {
        m.indicators[0].value_type = ValueType::Text;
        m.indicators[0].over_units = Aggregation::None;
        m.indicators[0].over_time = Aggregation::Sum;
    });
    assert_eq!(
        found,
        (
            "indicators[0].over_time".into(),
            "catalogue.aggregation_not_for_type"
        )
    );
}

#[test]
fn target_rules() {
    let found = only_problem(|m| {
        let t = &mut m.indicators[2].targets[0];
        t.at_most = Some(Decimal::from(10));
    });
    assert_eq!(
        found,
        (
            "indicators[2].targets[0]".into(),
            "catalogue.target_reversed"
        )
    );
    let found = only_problem(|m| m.indicators[2].targets[0].at_least = None);
    assert_eq!(
        found,
        (
            "indicators[2].targets[0]".into(),
            "catalogue.target_without_bound"
        )
    );
    let found = only_problem(|m| {
        m.indicators[2].targets[0].applies_to = TargetScope::Level("hamlet".into())
    });
    assert_eq!(
        found,
        (
            "indicators[2].targets[0].applies_to".into(),
            "catalogue.unknown_level"
        )
    );
}

#[test]
fn a_deadline_that_breaks_decree_09_is_refused() {
    // The 15th is the day after a monthly window ends: no working day between.
    let found = only_problem(|m| {
        m.regimes[0].versions[0].reporting[0].deadline =
            Some(DeadlineRule::fixed_day(15, 0).unwrap());
    });
    assert_eq!(
        found,
        (
            "regimes[0].versions[0].reporting[0].deadline".into(),
            "deadline.too_close_to_cutoff"
        )
    );
}

#[test]
fn the_18th_fails_in_tet_2026() {
    // The February 2026 window ends Sat 14 Feb; Tết closes offices 16–20 Feb.
    let mut meta = valid();
    meta.regimes[0].versions[1].reporting[0].deadline =
        Some(DeadlineRule::fixed_day(18, 0).unwrap());
    meta.regimes[0].versions[1].reporting[1].deadline =
        Some(DeadlineRule::fixed_day(28, 0).unwrap());
    let calendar = WorkCalendar::new();
    let levels = levels();
    let ctx = CheckContext {
        calendar: &calendar,
        levels: &levels,
    };
    let problems = check(&meta, &ctx).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        problems[0].path,
        "regimes[0].versions[1].reporting[0].deadline"
    );
    assert!(problems[0]
        .message
        .args
        .contains(&("period", "2026M02".into())));
}

#[test]
fn a_cascade_must_not_go_down() {
    let found = only_problem(|m| {
        m.regimes[0].versions[0].reporting[0].deadline =
            Some(DeadlineRule::working_days_after_window(6).unwrap());
    });
    assert_eq!(
        found,
        (
            "regimes[0].versions[0].reporting[1].deadline".into(),
            "deadline.cascade_out_of_order"
        )
    );
}

#[test]
fn regime_rules() {
    let found = only_problem(|m| m.regimes[0].versions[1].from = "2023M12".into());
    assert_eq!(
        found,
        (
            "regimes[0].versions[1].from".into(),
            "catalogue.versions_out_of_order"
        )
    );
    let found = only_problem(|m| m.regimes[0].versions[1].from = "2026Q1".into());
    assert_eq!(
        found,
        (
            "regimes[0].versions[1].from".into(),
            "catalogue.from_frequency"
        )
    );
    let found = only_problem(|m| m.regimes[0].versions[1].from = "2026M13".into());
    assert_eq!(found.0, "regimes[0].versions[1].from");
    let found = only_problem(|m| m.regimes[0].versions[0].reporting[0].deadline = None);
    assert_eq!(
        found,
        (
            "regimes[0].versions[0].reporting[0].deadline".into(),
            "catalogue.required"
        )
    );
    let found = only_problem(|m| {
        m.regimes[1].versions[0].reporting[0].deadline =
            Some(DeadlineRule::working_days_after_window(3).unwrap())
    });
    assert_eq!(
        found,
        (
            "regimes[1].versions[0].reporting[0].deadline".into(),
            "catalogue.deadline_in_request"
        )
    );
    let found =
        only_problem(|m| m.regimes[0].versions[0].reporting[0].select = UnitSelector::default());
    assert_eq!(
        found,
        (
            "regimes[0].versions[0].reporting[0].select".into(),
            "catalogue.empty_selector"
        )
    );
    let found = only_problem(|m| {
        m.regimes[0].versions[0].forms.clear();
        m.regimes[0].versions[0].outline.clear();
    });
    assert_eq!(
        found,
        ("regimes[0].versions[0]".into(), "catalogue.no_content")
    );
    let mut meta = valid();
    meta.regimes[0].versions[0].frequency = Frequency::AdHoc;
    assert!(problems(&meta).contains(&(
        "regimes[0].versions[0].frequency".into(),
        "catalogue.periodic_needs_frequency"
    )));
}

#[test]
fn form_rules() {
    let found = only_problem(|m| m.regimes[0].versions[0].forms[0].rows[0].indicator = "Z".into());
    assert_eq!(
        found,
        (
            "regimes[0].versions[0].forms[0].rows[0].indicator".into(),
            "catalogue.unknown_indicator"
        )
    );
    let found = only_problem(|m| m.regimes[0].versions[0].forms[0].rows[1].breakdown = true);
    assert_eq!(
        found,
        (
            "regimes[0].versions[0].forms[0].rows[1].breakdown".into(),
            "catalogue.nothing_to_break_down"
        )
    );
    let found = only_problem(|m| {
        m.regimes[0].versions[0].forms[0].columns[2].source =
            ColumnSource::Formula("C1 / C9".into())
    });
    assert_eq!(
        found,
        (
            "regimes[0].versions[0].forms[0].columns[2].source".into(),
            "formula.unknown_code"
        )
    );
}

#[test]
fn request_rules() {
    let found = only_problem(|m| m.requests[0].deadline = "2026-09-30".parse().unwrap());
    assert_eq!(
        found,
        (
            "requests[0].deadline".into(),
            "catalogue.deadline_before_window_end"
        )
    );
    // 4 October 2026 is a Sunday.
    let found = only_problem(|m| m.requests[0].deadline = "2026-10-04".parse().unwrap());
    assert_eq!(
        found,
        (
            "requests[0].deadline".into(),
            "catalogue.deadline_not_working_day"
        )
    );
    let found = only_problem(|m| m.requests[0].regime = "BC-T".into());
    assert_eq!(
        found,
        (
            "requests[0].regime".into(),
            "catalogue.request_for_periodic"
        )
    );
}

#[test]
fn meaning_is_name_measure_and_type() {
    let a = indicator("A", "Lao động được tạo việc làm", None);
    let mut b = a.clone();
    b.name_en = "Jobs created".into();
    b.definition_vi = "Số lao động có việc làm mới".into();
    b.over_time = Aggregation::Last;
    assert!(same_meaning(&a, &b));
    b.measure_vi = "nghìn người".into();
    assert!(!same_meaning(&a, &b));
    let mut c = a.clone();
    c.name_vi = "Số hộ nghèo".into();
    assert!(!same_meaning(&a, &c));
}

#[test]
fn the_version_for_a_period() {
    let regime = &valid().regimes[0];
    let p = |t: &str| t.parse::<PeriodId>().unwrap();
    assert_eq!(regime.version_for(&p("2025M12")).unwrap().0, 1);
    assert_eq!(regime.version_for(&p("2026M01")).unwrap().0, 2);
    assert!(regime.version_for(&p("2023M12")).is_none());
}

#[test]
fn unit_references_have_paths() {
    let refs = unit_references(&valid());
    assert!(refs.contains(&("regimes[0].versions[0].receiving_unit".into(), "40".into())));
    assert!(refs.contains(&("requests[0].units[0]".into(), "16681".into())));
}

#[test]
fn a_selector_is_a_list_or_filters_not_both() {
    let found =
        only_problem(|m| m.regimes[0].versions[0].reporting[0].select.units = vec!["16681".into()]);
    assert_eq!(
        found,
        (
            "regimes[0].versions[0].reporting[0].select".into(),
            "catalogue.mixed_selector"
        )
    );
}

#[test]
fn a_request_needs_a_version_in_force() {
    let found = only_problem(|m| {
        m.requests[0].window_first = "2023-09-01".parse().unwrap();
        m.requests[0].window_last = "2023-09-30".parse().unwrap();
        m.requests[0].deadline = "2023-10-05".parse().unwrap();
    });
    assert_eq!(
        found,
        (
            "requests[0].window_first".into(),
            "catalogue.no_version_in_force"
        )
    );
}

#[test]
fn tone_marks_change_the_meaning() {
    let a = indicator("A", "Sản lượng lúa", None);
    let mut b = a.clone();
    b.name_vi = "sản lượng  LÚA".into();
    assert!(same_meaning(&a, &b));
    b.name_vi = "Sản lượng lụa".into();
    assert!(!same_meaning(&a, &b));
}

#[test]
fn an_old_version_is_checked_only_until_the_next_one() {
    // The 18th fails in February 2026 (Tết) but version 1 ends in December 2025.
    let mut meta = valid();
    meta.regimes[0].versions[0].reporting[0].deadline =
        Some(DeadlineRule::fixed_day(18, 0).unwrap());
    meta.regimes[0].versions[0].reporting[1].deadline =
        Some(DeadlineRule::fixed_day(28, 0).unwrap());
    meta.regimes[0].versions[0].from = "2025M01".into();
    assert_eq!(problems(&meta), Vec::new());
}

#[test]
fn validation_rules_must_parse_and_use_the_forms_cells() {
    let found = only_problem(|m| {
        m.regimes[0].versions[0].validation[0].expression = "A >= A.sex.other".into()
    });
    assert_eq!(
        found,
        (
            "regimes[0].versions[0].validation[0].expression".into(),
            "formula.unknown_code"
        )
    );
    let found = only_problem(|m| m.regimes[0].versions[0].validation[0].expression = "A >=".into());
    assert_eq!(found.0, "regimes[0].versions[0].validation[0].expression");
    let found = only_problem(|m| m.regimes[0].versions[0].required = vec!["Z".into()]);
    assert_eq!(
        found,
        (
            "regimes[0].versions[0].required[0]".into(),
            "report.error.unknown_cell"
        )
    );
}

#[test]
fn rules_fail_block_and_are_explained() {
    use crate::report::{blocks_submission, validate, Content};
    let meta = valid();
    let mut version = meta.regimes[0].versions[0].clone();
    version.validation[0].expression = "A >= A.sex.female".into();
    version.required.push("A".into());
    version.validation.push(ValidationRule {
        code: "W1".into(),
        expression: "R <= 50".into(),
        severity: Severity::Warning,
        message_vi: "Tỷ lệ cao bất thường".into(),
        message_en: String::new(),
    });
    let mut content = Content::default();
    // Required A missing: an error; R1 and W1 cannot be evaluated yet.
    let failed = validate(&content, &version, &meta);
    assert_eq!(failed.len(), 1);
    assert!(failed[0].required && blocks_submission(&failed));
    content.values.insert("A".into(), "10".into());
    content.values.insert("A/sex:female".into(), "12".into());
    content.values.insert("B".into(), "15".into());
    let failed = validate(&content, &version, &meta);
    let codes: Vec<&str> = failed.iter().map(|r| r.code.as_str()).collect();
    // 12 women out of 10 (the parts exceed the total, and rule R1 says so
    // too, about fewer cells); R = 100 × 10 / 15 = 66.67 > 50.
    assert_eq!(codes, vec!["R1", "W1", "parts:A/sex"]);
    assert_eq!(failed[0].cells, vec!["A", "A/sex:female"]);
    assert_eq!(failed[2].cells, vec!["A", "A/sex:male", "A/sex:female"]);
    content.values.insert("A/sex:female".into(), "6".into());
    let failed = validate(&content, &version, &meta);
    assert_eq!(failed.len(), 1);
    assert!(blocks_submission(&failed), "a warning needs an explanation");
    content
        .explanations
        .insert("W1".into(), "Xã mới thành lập khu công nghiệp".into());
    let failed = validate(&content, &version, &meta);
    assert!(!blocks_submission(&failed));
}

#[test]
fn impossible_values_are_errors_where_they_enter() {
    use crate::report::{blocks_submission, normalize, validate, Content};
    let mut meta = valid();
    let version = meta.regimes[0].versions[0].clone();
    let typed = |pairs: &[(&str, &str)]| Content {
        values: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    };
    let refused = |meta: &Metadata, pairs: &[(&str, &str)]| -> Vec<&'static str> {
        match normalize(&typed(pairs), &version, meta) {
            Ok(_) => Vec::new(),
            Err(problems) => problems.iter().map(|p| p.message.key).collect(),
        }
    };
    // A count is never negative; zero is a count.
    assert_eq!(
        refused(&meta, &[("A", "-5")]),
        vec!["report.error.below_min"]
    );
    assert!(refused(&meta, &[("A", "0")]).is_empty());
    // Stated bounds replace the defaults (a balance may be negative, to a point).
    let mut stated = meta.clone();
    stated.indicators[0].min = Some(Decimal::from(-10));
    stated.indicators[0].max = Some(Decimal::from(1000));
    assert!(refused(&stated, &[("A", "-5")]).is_empty());
    assert_eq!(
        refused(&stated, &[("A", "-11")]),
        vec!["report.error.below_min"]
    );
    assert_eq!(
        refused(&stated, &[("A", "1.001")]),
        vec!["report.error.above_max"]
    );
    // A percentage is within 0–100 unless stated.
    let mut p = meta.indicators[0].clone();
    p.value_type = ValueType::Percentage;
    assert_eq!(
        p.bounds(),
        (Some(Decimal::ZERO), Some(Decimal::ONE_HUNDRED))
    );
    p.max = Some(Decimal::from(1000));
    assert_eq!(p.bounds().1, Some(Decimal::from(1000)));

    // Men 20 + women 20 of 24 people: an error, not a soft flag.
    let parts = |pairs: &[(&str, &str)]| validate(&typed(pairs), &version, &meta);
    let failed = parts(&[("A", "24"), ("A/sex:male", "20"), ("A/sex:female", "20")]);
    let found = failed
        .iter()
        .find(|r| r.code == "parts:A/sex")
        .expect("parts");
    let p = found.parts.clone().unwrap();
    assert_eq!((p.sum, p.total), (Decimal::from(40), Decimal::from(24)));
    assert!(blocks_submission(&failed));
    // Sex is complete: both given, they must add up exactly.
    let failed = parts(&[("A", "24"), ("A/sex:male", "10"), ("A/sex:female", "10")]);
    assert!(failed.iter().any(|r| r.code == "parts:A/sex"), "{failed:?}");
    assert!(
        !parts(&[("A", "24"), ("A/sex:male", "14"), ("A/sex:female", "10")])
            .iter()
            .any(|r| r.code == "parts:A/sex")
    );
    // One part given of a complete disaggregation: only "not more".
    assert!(!parts(&[("A", "24"), ("A/sex:male", "14")])
        .iter()
        .any(|r| r.code == "parts:A/sex"));
    // Not complete: fewer is fine.
    meta.disaggregations[0].complete = false;
    let failed = validate(
        &typed(&[("A", "24"), ("A/sex:male", "10"), ("A/sex:female", "10")]),
        &version,
        &meta,
    );
    assert!(
        !failed.iter().any(|r| r.code == "parts:A/sex"),
        "{failed:?}"
    );
}

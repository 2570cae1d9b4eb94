//! Checks a whole metadata document and reports every problem with its path.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ops::RangeInclusive;

use chrono::Datelike;

use crate::calendar::WorkCalendar;
use crate::deadline::{check_rule, deadline, DeadlineError, DeadlineRule};
use crate::formula::{check_formulas, FormulaError, IndicatorCode};
use crate::message::Message;
use crate::period::{periods_in_year, Frequency, PeriodId};

use super::model::*;

/// How many years from a version's first period its deadline rules are checked
/// for (holidays move, so one year proves little).
pub const CHECKED_YEARS: i32 = 5;

/// Longest name, title or legal basis, in characters.
pub const MAX_NAME_CHARS: usize = 500;
/// Longest definition, content or guidance text, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Longest code of a regime, form, request, disaggregation or option.
pub const MAX_CODE_CHARS: usize = 64;

/// Longest formula, rule expression or column formula, in characters.
pub const MAX_FORMULA_CHARS: usize = 2_000;

/// The most items of each list a document may hold: far above any real
/// catalogue (Decision 293 has 200 indicators), far below what would make the
/// checks or the editor slow.
pub mod limits {
    /// Disaggregations, and options of one.
    pub const DISAGGREGATIONS: usize = 200;
    /// Options of a disaggregation.
    pub const OPTIONS: usize = 500;
    /// Indicators.
    pub const INDICATORS: usize = 5_000;
    /// Targets of an indicator, and disaggregations it uses.
    pub const PER_INDICATOR: usize = 200;
    /// Regimes.
    pub const REGIMES: usize = 500;
    /// Versions of a regime.
    pub const VERSIONS: usize = 100;
    /// Reporting groups of a version.
    pub const GROUPS: usize = 20;
    /// Forms of a version, and columns of a form.
    pub const FORMS: usize = 50;
    /// Rows of a form, outline sections, validation rules and required cells of a version.
    pub const ROWS: usize = 2_000;
    /// Requests, and units named by a request or a reporting group.
    pub const REQUESTS: usize = 10_000;
}

/// One problem of a document: where (a JSON path) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON path, e.g. `indicators[3].formula`.
    pub path: String,
    /// What is wrong.
    pub message: Message,
}

/// What the checker needs to know about the instance.
pub struct CheckContext<'a> {
    /// The working-day calendar deadlines are computed with.
    pub calendar: &'a WorkCalendar,
    /// Known level codes (`province`, `district`, `commune`, …).
    pub levels: &'a [String],
}

/// Whether two versions of an indicator mean the same thing: same name, unit of
/// measure and value type. A code must never be reused with another meaning
/// (its past values would silently change sense); other fields may be revised.
pub fn same_meaning(a: &Indicator, b: &Indicator) -> bool {
    fold(&a.name_vi) == fold(&b.name_vi)
        && fold(&a.measure_vi) == fold(&b.measure_vi)
        && a.value_type == b.value_type
}
fn fold(text: &str) -> String {
    crate::text::normalize(text)
}

/// Checks every rule of the document; `Ok` only if there is no problem at all.
pub fn check(meta: &Metadata, ctx: &CheckContext<'_>) -> Result<(), Vec<Problem>> {
    let mut checker = Checker {
        ctx,
        meta,
        problems: Vec::new(),
    };
    if checker.sizes() {
        checker.document();
    }
    if checker.problems.is_empty() {
        Ok(())
    } else {
        Err(checker.problems)
    }
}

struct Checker<'a> {
    ctx: &'a CheckContext<'a>,
    meta: &'a Metadata,
    problems: Vec<Problem>,
}

fn is_code(text: &str) -> bool {
    !text.is_empty()
        && text.chars().count() <= MAX_CODE_CHARS
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'))
}

impl Checker<'_> {
    /// Refuses lists longer than [`limits`] and formulas longer than
    /// [`MAX_FORMULA_CHARS`] before anything else is looked at; whether the rest
    /// of the checks may run.
    fn sizes(&mut self) -> bool {
        use limits::*;
        let before = self.problems.len();
        let meta = self.meta;
        let count = |checker: &mut Self, path: String, n: usize, max: usize| {
            if n > max {
                checker.problem(path, Message::new("catalogue.too_many").arg("max", max));
            }
        };
        count(
            self,
            "disaggregations".into(),
            meta.disaggregations.len(),
            DISAGGREGATIONS,
        );
        for (i, d) in meta.disaggregations.iter().enumerate() {
            count(
                self,
                format!("disaggregations[{i}].options"),
                d.options.len(),
                OPTIONS,
            );
        }
        count(self, "indicators".into(), meta.indicators.len(), INDICATORS);
        for (i, ind) in meta.indicators.iter().enumerate() {
            count(
                self,
                format!("indicators[{i}].targets"),
                ind.targets.len(),
                PER_INDICATOR,
            );
            count(
                self,
                format!("indicators[{i}].disaggregations"),
                ind.disaggregations.len(),
                PER_INDICATOR,
            );
            if ind
                .formula
                .as_ref()
                .is_some_and(|f| f.chars().count() > MAX_FORMULA_CHARS)
            {
                self.problem(
                    format!("indicators[{i}].formula"),
                    Message::new("catalogue.too_long").arg("max", MAX_FORMULA_CHARS),
                );
            }
        }
        count(self, "regimes".into(), meta.regimes.len(), REGIMES);
        for (i, regime) in meta.regimes.iter().enumerate() {
            count(
                self,
                format!("regimes[{i}].versions"),
                regime.versions.len(),
                VERSIONS,
            );
            for (j, v) in regime.versions.iter().enumerate() {
                let path = format!("regimes[{i}].versions[{j}]");
                count(self, format!("{path}.reporting"), v.reporting.len(), GROUPS);
                for (k, g) in v.reporting.iter().enumerate() {
                    count(
                        self,
                        format!("{path}.reporting[{k}].select.units"),
                        g.select.units.len(),
                        REQUESTS,
                    );
                }
                count(self, format!("{path}.forms"), v.forms.len(), FORMS);
                for (k, f) in v.forms.iter().enumerate() {
                    count(
                        self,
                        format!("{path}.forms[{k}].columns"),
                        f.columns.len(),
                        FORMS,
                    );
                    count(self, format!("{path}.forms[{k}].rows"), f.rows.len(), ROWS);
                    for (c, column) in f.columns.iter().enumerate() {
                        if let ColumnSource::Formula(text) = &column.source {
                            if text.chars().count() > MAX_FORMULA_CHARS {
                                self.problem(
                                    format!("{path}.forms[{k}].columns[{c}].source"),
                                    Message::new("catalogue.too_long")
                                        .arg("max", MAX_FORMULA_CHARS),
                                );
                            }
                        }
                    }
                }
                count(self, format!("{path}.outline"), v.outline.len(), ROWS);
                for (k, section) in v.outline.iter().enumerate() {
                    if section.number.chars().count() > MAX_CODE_CHARS {
                        self.problem(
                            format!("{path}.outline[{k}].number"),
                            Message::new("catalogue.too_long").arg("max", MAX_CODE_CHARS),
                        );
                    }
                }
                count(self, format!("{path}.validation"), v.validation.len(), ROWS);
                for (k, rule) in v.validation.iter().enumerate() {
                    if rule.expression.chars().count() > MAX_FORMULA_CHARS {
                        self.problem(
                            format!("{path}.validation[{k}].expression"),
                            Message::new("catalogue.too_long").arg("max", MAX_FORMULA_CHARS),
                        );
                    }
                }
                count(self, format!("{path}.required"), v.required.len(), ROWS);
            }
        }
        count(self, "requests".into(), meta.requests.len(), REQUESTS);
        for (i, r) in meta.requests.iter().enumerate() {
            count(
                self,
                format!("requests[{i}].units"),
                r.units.len(),
                REQUESTS,
            );
        }
        self.problems.len() == before
    }

    fn problem(&mut self, path: impl Into<String>, message: Message) {
        self.problems.push(Problem {
            path: path.into(),
            message,
        });
    }

    fn code(&mut self, path: &str, code: &str, seen: &mut HashSet<String>) {
        if !is_code(code) {
            self.problem(path, Message::new("catalogue.bad_code").arg("value", code));
        } else if !seen.insert(code.to_string()) {
            self.problem(
                path,
                Message::new("catalogue.duplicate_code").arg("value", code),
            );
        }
    }

    fn name(&mut self, path: String, text: &str, required: bool) {
        if required && text.trim().is_empty() {
            self.problem(path, Message::new("catalogue.required"));
        } else if text.chars().count() > MAX_NAME_CHARS {
            self.problem(
                path,
                Message::new("catalogue.too_long").arg("max", MAX_NAME_CHARS),
            );
        }
    }

    fn text(&mut self, path: String, text: &str) {
        if text.chars().count() > MAX_TEXT_CHARS {
            self.problem(
                path,
                Message::new("catalogue.too_long").arg("max", MAX_TEXT_CHARS),
            );
        }
    }

    fn document(&mut self) {
        if self.meta.format != FORMAT {
            self.problem(
                "format",
                Message::new("catalogue.bad_format")
                    .arg("value", &self.meta.format)
                    .arg("expected", FORMAT),
            );
            return;
        }
        let meta = self.meta;
        let mut seen = HashSet::new();
        for (i, d) in meta.disaggregations.iter().enumerate() {
            self.disaggregation(&format!("disaggregations[{i}]"), d, &mut seen);
        }
        let mut seen = HashSet::new();
        for (i, indicator) in meta.indicators.iter().enumerate() {
            self.indicator(&format!("indicators[{i}]"), indicator, &mut seen);
        }
        self.formulas();
        let mut seen = HashSet::new();
        for (i, regime) in meta.regimes.iter().enumerate() {
            let path = format!("regimes[{i}]");
            self.code(&format!("{path}.code"), &regime.code, &mut seen);
            self.regime(&path, regime);
        }
        let mut seen = HashSet::new();
        for (i, request) in meta.requests.iter().enumerate() {
            let path = format!("requests[{i}]");
            self.code(&format!("{path}.code"), &request.code, &mut seen);
            self.request(&path, request);
        }
    }

    fn disaggregation(&mut self, path: &str, d: &Disaggregation, seen: &mut HashSet<String>) {
        self.code(&format!("{path}.code"), &d.code, seen);
        self.name(format!("{path}.name_vi"), &d.name_vi, true);
        self.name(format!("{path}.name_en"), &d.name_en, false);
        if d.options.len() < 2 {
            self.problem(
                format!("{path}.options"),
                Message::new("catalogue.too_few_options"),
            );
        }
        let mut options = HashSet::new();
        for (j, option) in d.options.iter().enumerate() {
            let path = format!("{path}.options[{j}]");
            self.code(&format!("{path}.code"), &option.code, &mut options);
            self.name(format!("{path}.name_vi"), &option.name_vi, true);
            self.name(format!("{path}.name_en"), &option.name_en, false);
        }
    }

    fn indicator(&mut self, path: &str, indicator: &Indicator, seen: &mut HashSet<String>) {
        if IndicatorCode::new(&indicator.code).is_err() {
            self.problem(
                format!("{path}.code"),
                Message::new("catalogue.bad_indicator_code").arg("value", &indicator.code),
            );
        } else if !seen.insert(indicator.code.clone()) {
            self.problem(
                format!("{path}.code"),
                Message::new("catalogue.duplicate_code").arg("value", &indicator.code),
            );
        }
        self.name(format!("{path}.name_vi"), &indicator.name_vi, true);
        self.name(format!("{path}.name_en"), &indicator.name_en, false);
        self.text(format!("{path}.definition_vi"), &indicator.definition_vi);
        self.text(format!("{path}.definition_en"), &indicator.definition_en);
        let numeric = indicator.value_type.is_numeric();
        self.name(format!("{path}.measure_vi"), &indicator.measure_vi, numeric);
        self.name(format!("{path}.measure_en"), &indicator.measure_en, false);
        if let Some(field) = &indicator.field {
            if !FIELDS.contains(&field.as_str()) {
                self.problem(
                    format!("{path}.field"),
                    Message::new("catalogue.unknown_field")
                        .arg("value", field)
                        .arg("expected", FIELDS.join(", ")),
                );
            }
        }
        self.aggregation(
            &format!("{path}.over_units"),
            indicator,
            &indicator.over_units,
        );
        self.aggregation(
            &format!("{path}.over_time"),
            indicator,
            &indicator.over_time,
        );
        if indicator.over_units == Aggregation::Last {
            self.problem(
                format!("{path}.over_units"),
                Message::new("catalogue.last_over_units"),
            );
        }
        let mut dims = HashSet::new();
        for (j, code) in indicator.disaggregations.iter().enumerate() {
            let here = format!("{path}.disaggregations[{j}]");
            if self.meta.disaggregation(code).is_none() {
                self.problem(
                    here,
                    Message::new("catalogue.unknown_disaggregation").arg("value", code),
                );
            } else if !dims.insert(code) {
                self.problem(
                    here,
                    Message::new("catalogue.duplicate_code").arg("value", code),
                );
            }
        }
        if let Some(feeds) = &indicator.feeds {
            if IndicatorCode::new(feeds).is_err() {
                self.problem(
                    format!("{path}.feeds"),
                    Message::new("catalogue.bad_indicator_code").arg("value", feeds),
                );
            }
        }
        if indicator.formula.is_some() && !numeric {
            self.problem(
                format!("{path}.formula"),
                Message::new("catalogue.formula_not_numeric"),
            );
        }
        for (j, target) in indicator.targets.iter().enumerate() {
            self.target(&format!("{path}.targets[{j}]"), indicator, target);
        }
    }

    fn aggregation(&mut self, path: &str, indicator: &Indicator, aggregation: &Aggregation) {
        let numeric = indicator.value_type.is_numeric();
        let allowed = match aggregation {
            Aggregation::None | Aggregation::Last => true,
            Aggregation::Min | Aggregation::Max => {
                numeric || indicator.value_type == ValueType::YesNo
            }
            _ => numeric,
        };
        if !allowed {
            self.problem(
                path,
                Message::new("catalogue.aggregation_not_for_type")
                    .arg("aggregation_key", aggregation.key())
                    .arg("type_key", indicator.value_type.key()),
            );
        }
        if let Aggregation::WeightedAverage(weight) = aggregation {
            match self.meta.indicator(weight) {
                Some(w) if w.value_type.is_numeric() && w.code != indicator.code => {}
                Some(_) => self.problem(
                    path,
                    Message::new("catalogue.bad_weight").arg("value", weight),
                ),
                None => self.problem(
                    path,
                    Message::new("catalogue.unknown_indicator").arg("value", weight),
                ),
            }
        }
    }

    fn target(&mut self, path: &str, indicator: &Indicator, target: &Target) {
        if !indicator.value_type.is_numeric() {
            self.problem(path, Message::new("catalogue.target_not_numeric"));
            return;
        }
        if !(1900..=2200).contains(&target.year) {
            self.problem(
                format!("{path}.year"),
                Message::new("catalogue.bad_year").arg("value", target.year),
            );
        }
        match (target.at_least, target.at_most) {
            (None, None) => self.problem(path, Message::new("catalogue.target_without_bound")),
            (Some(low), Some(high)) if low > high => self.problem(
                path,
                Message::new("catalogue.target_reversed")
                    .arg("low", low)
                    .arg("high", high),
            ),
            _ => {}
        }
        match &target.applies_to {
            TargetScope::Level(level) if !self.ctx.levels.contains(level) => self.problem(
                format!("{path}.applies_to"),
                Message::new("catalogue.unknown_level").arg("value", level),
            ),
            TargetScope::Unit(unit) if unit.trim().is_empty() => self.problem(
                format!("{path}.applies_to"),
                Message::new("catalogue.required"),
            ),
            _ => {}
        }
    }

    /// Formulas of the whole catalogue at once: syntax, unknown codes, cycles.
    fn formulas(&mut self) {
        let meta = self.meta;
        let catalogue: BTreeMap<String, Option<String>> = meta
            .indicators
            .iter()
            .filter(|i| IndicatorCode::new(&i.code).is_ok())
            .map(|i| (i.code.clone(), i.formula.clone()))
            .collect();
        let Err(errors) = check_formulas(&catalogue) else {
            return;
        };
        for error in errors {
            let code = match &error {
                FormulaError::InFormula { code, .. } => Some(code.as_str().to_string()),
                FormulaError::UnknownCode {
                    referenced_by: Some(code),
                    ..
                } => Some(code.as_str().to_string()),
                FormulaError::Cycle { path } => path.first().map(|c| c.as_str().to_string()),
                _ => None,
            };
            let index = code.and_then(|code| meta.indicators.iter().position(|i| i.code == code));
            let path = match index {
                Some(i) => format!("indicators[{i}].formula"),
                None => "indicators".to_string(),
            };
            self.problem(path, error.message());
        }
    }

    fn regime(&mut self, path: &str, regime: &Regime) {
        if regime.versions.is_empty() {
            self.problem(
                format!("{path}.versions"),
                Message::new("catalogue.no_versions"),
            );
        }
        let mut previous: Option<PeriodId> = None;
        let starts: Vec<Option<PeriodId>> = regime
            .versions
            .iter()
            .map(|v| v.from.parse().ok())
            .collect();
        for (j, version) in regime.versions.iter().enumerate() {
            let path = format!("{path}.versions[{j}]");
            let from = match version.from.parse::<PeriodId>() {
                Ok(from) => Some(from),
                Err(e) => {
                    self.problem(
                        format!("{path}.from"),
                        Message::new(e.code()).arg("value", &version.from),
                    );
                    None
                }
            };
            if let (Some(before), Some(from)) = (previous, from) {
                if from.first_day() <= before.first_day() {
                    self.problem(
                        format!("{path}.from"),
                        Message::new("catalogue.versions_out_of_order")
                            .arg("value", from)
                            .arg("previous", before),
                    );
                }
            }
            previous = from.or(previous);
            // A version's rules matter until the next version takes over.
            let next = starts.get(j + 1).copied().flatten();
            let last_year = from.map(|f| {
                let five = f.year() + CHECKED_YEARS - 1;
                next.map_or(five, |n| {
                    // The year before the next version, unless it starts mid-year.
                    let first = n.first_day();
                    let until = if first.month() == 1 && first.day() == 1 {
                        n.year() - 1
                    } else {
                        n.year()
                    };
                    five.min(until.max(f.year()))
                })
            });
            self.version(&path, version, from.zip(last_year));
        }
    }
    fn version(&mut self, path: &str, v: &RegimeVersion, from: Option<(PeriodId, i32)>) {
        let (from, last_year) = (from.map(|f| f.0), from.map(|f| f.1));
        self.name(format!("{path}.name_vi"), &v.name_vi, true);
        self.name(format!("{path}.name_en"), &v.name_en, false);
        self.name(format!("{path}.legal_basis"), &v.legal_basis, true);
        self.text(format!("{path}.content_vi"), &v.content_vi);
        self.text(format!("{path}.content_en"), &v.content_en);
        if v.receiving_unit.trim().is_empty() {
            self.problem(
                format!("{path}.receiving_unit"),
                Message::new("catalogue.required"),
            );
        }
        if v.methods.is_empty() {
            self.problem(
                format!("{path}.methods"),
                Message::new("catalogue.required"),
            );
        }
        let periodic = v.kind == RegimeKind::Periodic;
        if periodic == (v.frequency == Frequency::AdHoc) {
            self.problem(
                format!("{path}.frequency"),
                Message::new(if periodic {
                    "catalogue.periodic_needs_frequency"
                } else {
                    "catalogue.requested_is_ad_hoc"
                }),
            );
        }
        if let Some(from) = from {
            if periodic && v.frequency != Frequency::AdHoc && from.frequency() != v.frequency {
                self.problem(
                    format!("{path}.from"),
                    Message::new("catalogue.from_frequency").arg("value", from),
                );
            }
        }
        if v.forms.is_empty() && v.outline.is_empty() {
            self.problem(path, Message::new("catalogue.no_content"));
        }
        self.reporting(path, v, from.zip(last_year));
        let mut forms = HashSet::new();
        for (k, form) in v.forms.iter().enumerate() {
            let path = format!("{path}.forms[{k}]");
            self.code(&format!("{path}.code"), &form.code, &mut forms);
            self.form(&path, form);
        }
        self.rules(path, v);
        let mut numbers = HashSet::new();
        for (k, section) in v.outline.iter().enumerate() {
            let path = format!("{path}.outline[{k}]");
            if section.number.trim().is_empty() {
                self.problem(format!("{path}.number"), Message::new("catalogue.required"));
            } else if !numbers.insert(section.number.trim().to_string()) {
                self.problem(
                    format!("{path}.number"),
                    Message::new("catalogue.duplicate_code").arg("value", &section.number),
                );
            }
            self.name(format!("{path}.title_vi"), &section.title_vi, true);
            self.name(format!("{path}.title_en"), &section.title_en, false);
            self.text(format!("{path}.guidance_vi"), &section.guidance_vi);
            self.text(format!("{path}.guidance_en"), &section.guidance_en);
        }
    }
    fn reporting(&mut self, path: &str, v: &RegimeVersion, from: Option<(PeriodId, i32)>) {
        if v.reporting.is_empty() {
            self.problem(
                format!("{path}.reporting"),
                Message::new("catalogue.required"),
            );
        }
        let periodic = v.kind == RegimeKind::Periodic && v.frequency != Frequency::AdHoc;
        let years = from.map(|(f, last)| f.year()..=last);
        let mut valid_rules: Vec<(u8, usize, DeadlineRule)> = Vec::new();
        for (k, group) in v.reporting.iter().enumerate() {
            let path = format!("{path}.reporting[{k}]");
            self.name(format!("{path}.name_vi"), &group.name_vi, true);
            self.name(format!("{path}.name_en"), &group.name_en, false);
            let select = &group.select;
            let filters = select.level.is_some() || select.kind.is_some();
            if !filters && select.units.is_empty() {
                self.problem(
                    format!("{path}.select"),
                    Message::new("catalogue.empty_selector"),
                );
            } else if filters && !select.units.is_empty() {
                self.problem(
                    format!("{path}.select"),
                    Message::new("catalogue.mixed_selector"),
                );
            }
            if let Some(level) = &select.level {
                if !self.ctx.levels.contains(level) {
                    self.problem(
                        format!("{path}.select.level"),
                        Message::new("catalogue.unknown_level").arg("value", level),
                    );
                }
            }
            if let Some(kind) = &select.kind {
                if kind != "area" && kind != "agency" {
                    self.problem(
                        format!("{path}.select.kind"),
                        Message::new("catalogue.unknown_kind").arg("value", kind),
                    );
                }
            }
            if group.stage == 0 {
                self.problem(format!("{path}.stage"), Message::new("catalogue.bad_stage"));
            }
            match (periodic, group.deadline) {
                (true, None) => self.problem(
                    format!("{path}.deadline"),
                    Message::new("catalogue.required"),
                ),
                (false, Some(_)) => self.problem(
                    format!("{path}.deadline"),
                    Message::new("catalogue.deadline_in_request"),
                ),
                (true, Some(rule)) => {
                    if let Some(years) = years.clone() {
                        if let Err(e) = self.rule(rule, v, years) {
                            self.problem(format!("{path}.deadline"), e.message());
                        } else {
                            valid_rules.push((group.stage, k, rule));
                        }
                    }
                }
                (false, None) => {}
            }
        }
        if let (true, Some(years)) = (periodic, years) {
            if valid_rules.len() == v.reporting.len() {
                if let Err((k, message)) = cascade_order(&valid_rules, v, self.ctx.calendar, years)
                {
                    self.problem(format!("{path}.reporting[{k}].deadline"), message);
                }
            }
        }
    }

    fn rule(
        &self,
        rule: DeadlineRule,
        v: &RegimeVersion,
        years: RangeInclusive<i32>,
    ) -> Result<(), DeadlineError> {
        // Re-validate what deserialisation let through.
        if let DeadlineRule::FixedDayOfMonth { day, months_after } = rule {
            DeadlineRule::fixed_day(u32::from(day), u32::from(months_after))?;
        }
        check_rule(rule, v.convention, v.frequency, self.ctx.calendar, years)
    }

    fn form(&mut self, path: &str, form: &NumericForm) {
        self.name(format!("{path}.title_vi"), &form.title_vi, true);
        self.name(format!("{path}.title_en"), &form.title_en, false);
        if form.columns.is_empty() {
            self.problem(
                format!("{path}.columns"),
                Message::new("catalogue.required"),
            );
        }
        let mut codes = HashSet::new();
        let mut column_formulas = BTreeMap::new();
        for (c, column) in form.columns.iter().enumerate() {
            let here = format!("{path}.columns[{c}]");
            if IndicatorCode::new(&column.code).is_err() {
                self.problem(
                    format!("{here}.code"),
                    Message::new("catalogue.bad_indicator_code").arg("value", &column.code),
                );
                continue;
            }
            if !codes.insert(column.code.clone()) {
                self.problem(
                    format!("{here}.code"),
                    Message::new("catalogue.duplicate_code").arg("value", &column.code),
                );
            }
            self.name(format!("{here}.title_vi"), &column.title_vi, true);
            self.name(format!("{here}.title_en"), &column.title_en, false);
            let formula = match &column.source {
                ColumnSource::Formula(text) => Some(text.clone()),
                _ => None,
            };
            column_formulas.insert(column.code.clone(), formula);
        }
        if let Err(errors) = check_formulas(&column_formulas) {
            for error in errors {
                let column = match &error {
                    FormulaError::InFormula { code, .. }
                    | FormulaError::UnknownCode {
                        referenced_by: Some(code),
                        ..
                    } => Some(code.as_str()),
                    FormulaError::Cycle { path } => path.first().map(|c| c.as_str()),
                    _ => None,
                };
                let here = column
                    .and_then(|code| form.columns.iter().position(|c| c.code == code))
                    .map_or_else(
                        || format!("{path}.columns"),
                        |c| format!("{path}.columns[{c}].source"),
                    );
                self.problem(here, error.message());
            }
        }
        if form.rows.is_empty() {
            self.problem(format!("{path}.rows"), Message::new("catalogue.required"));
        }
        let mut rows = HashSet::new();
        for (r, row) in form.rows.iter().enumerate() {
            let here = format!("{path}.rows[{r}].indicator");
            let Some(indicator) = self.meta.indicator(&row.indicator) else {
                self.problem(
                    here,
                    Message::new("catalogue.unknown_indicator").arg("value", &row.indicator),
                );
                continue;
            };
            if !rows.insert(row.indicator.clone()) {
                self.problem(
                    here,
                    Message::new("catalogue.duplicate_code").arg("value", &row.indicator),
                );
            } else if row.breakdown && indicator.disaggregations.is_empty() {
                self.problem(
                    format!("{path}.rows[{r}].breakdown"),
                    Message::new("catalogue.nothing_to_break_down").arg("value", &row.indicator),
                );
            }
        }
    }
    /// Validation rules parse and use only the version's cells; required cells exist.
    fn rules(&mut self, path: &str, v: &RegimeVersion) {
        let meta = self.meta;
        let mut known: BTreeMap<String, Option<String>> = meta
            .indicators
            .iter()
            .map(|i| (i.code.clone(), None))
            .collect();
        let cells = crate::report::input_cells(v, meta);
        for (cell, _) in &cells {
            let id = crate::report::cell_identifier(cell);
            // Bad option codes are reported where they are defined.
            if IndicatorCode::new(&id).is_ok() {
                known.insert(id, None);
            }
        }
        let mut codes = HashSet::new();
        for (k, rule) in v.validation.iter().enumerate() {
            let here = format!("{path}.validation[{k}]");
            self.code(&format!("{here}.code"), &rule.code, &mut codes);
            self.name(format!("{here}.message_vi"), &rule.message_vi, true);
            self.name(format!("{here}.message_en"), &rule.message_en, false);
            let probe = format!("rule.{}", k);
            let mut with_rule = known.clone();
            with_rule.insert(probe, Some(rule.expression.clone()));
            if let Err(errors) = check_formulas(&with_rule) {
                for error in errors {
                    self.problem(format!("{here}.expression"), error.message());
                }
            }
        }
        for (k, cell) in v.required.iter().enumerate() {
            if !cells.iter().any(|(c, _)| c == cell) {
                self.problem(
                    format!("{path}.required[{k}]"),
                    Message::new("report.error.unknown_cell").arg("value", cell),
                );
            }
        }
    }

    fn request(&mut self, path: &str, request: &Request) {
        self.name(format!("{path}.title_vi"), &request.title_vi, true);
        self.name(format!("{path}.title_en"), &request.title_en, false);
        if request.issued_by.trim().is_empty() {
            self.problem(
                format!("{path}.issued_by"),
                Message::new("catalogue.required"),
            );
        }
        match self.meta.regime(&request.regime) {
            None => self.problem(
                format!("{path}.regime"),
                Message::new("catalogue.unknown_regime").arg("value", &request.regime),
            ),
            Some(regime) => {
                let period =
                    crate::period::DateRange::new(request.window_first, request.window_last)
                        .ok()
                        .and_then(|range| PeriodId::ad_hoc(range).ok());
                match period.as_ref().and_then(|p| regime.version_for(p)) {
                    Some((_, version)) if version.kind == RegimeKind::Periodic => self.problem(
                        format!("{path}.regime"),
                        Message::new("catalogue.request_for_periodic").arg("value", &regime.code),
                    ),
                    Some(_) => {}
                    None if period.is_some() => self.problem(
                        format!("{path}.window_first"),
                        Message::new("catalogue.no_version_in_force")
                            .arg("value", &regime.code)
                            .arg("date", request.window_first.format("%d/%m/%Y")),
                    ),
                    None => {}
                }
            }
        }
        if request.window_last < request.window_first {
            self.problem(
                format!("{path}.window_last"),
                Message::new("catalogue.window_reversed"),
            );
        }
        if request.deadline <= request.window_last {
            self.problem(
                format!("{path}.deadline"),
                Message::new("catalogue.deadline_before_window_end")
                    .arg("deadline", request.deadline)
                    .arg("window_last", request.window_last),
            );
        } else if self.ctx.calendar.is_working_day(request.deadline) == Ok(false) {
            self.problem(
                format!("{path}.deadline"),
                Message::new("catalogue.deadline_not_working_day").arg("value", request.deadline),
            );
        }
        if request.units.is_empty() {
            self.problem(format!("{path}.units"), Message::new("catalogue.required"));
        }
        let mut seen = BTreeSet::new();
        for (k, unit) in request.units.iter().enumerate() {
            if !seen.insert(unit) {
                self.problem(
                    format!("{path}.units[{k}]"),
                    Message::new("catalogue.duplicate_code").arg("value", unit),
                );
            }
        }
    }
}

/// For every period in `years`, every group of a stage is due no later than
/// every group of a higher stage (communes before districts before the province).
fn cascade_order(
    rules: &[(u8, usize, DeadlineRule)],
    v: &RegimeVersion,
    calendar: &WorkCalendar,
    years: RangeInclusive<i32>,
) -> Result<(), (usize, Message)> {
    for year in years {
        let Ok(periods) = periods_in_year(year, v.frequency) else {
            return Ok(());
        };
        for period in periods {
            let mut dues = Vec::new();
            for (stage, k, rule) in rules {
                if let Ok(due) = deadline(*rule, &period, v.convention, calendar) {
                    dues.push((*stage, *k, due));
                }
            }
            for (stage, k, due) in &dues {
                for (lower_stage, lower_k, lower_due) in &dues {
                    if lower_stage < stage && lower_due > due {
                        let lower = &v.reporting[*lower_k].name_vi;
                        let upper = &v.reporting[*k].name_vi;
                        return Err((
                            *k,
                            Message::new("deadline.cascade_out_of_order")
                                .arg("period", period)
                                .arg("lower", lower)
                                .arg("lower_deadline", lower_due.format("%d/%m/%Y"))
                                .arg("upper", upper)
                                .arg("upper_deadline", due.format("%d/%m/%Y")),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Every unit code a document refers to, with its path, for the caller to check
/// against the instance's units.
pub fn unit_references(meta: &Metadata) -> Vec<(String, String)> {
    let mut refs = Vec::new();
    for (i, indicator) in meta.indicators.iter().enumerate() {
        for (j, target) in indicator.targets.iter().enumerate() {
            if let TargetScope::Unit(code) = &target.applies_to {
                refs.push((
                    format!("indicators[{i}].targets[{j}].applies_to"),
                    code.clone(),
                ));
            }
        }
    }
    for (i, regime) in meta.regimes.iter().enumerate() {
        for (j, v) in regime.versions.iter().enumerate() {
            let path = format!("regimes[{i}].versions[{j}]");
            refs.push((format!("{path}.receiving_unit"), v.receiving_unit.clone()));
            for (k, group) in v.reporting.iter().enumerate() {
                for (u, code) in group.select.units.iter().enumerate() {
                    refs.push((
                        format!("{path}.reporting[{k}].select.units[{u}]"),
                        code.clone(),
                    ));
                }
            }
        }
    }
    for (i, request) in meta.requests.iter().enumerate() {
        refs.push((
            format!("requests[{i}].issued_by"),
            request.issued_by.clone(),
        ));
        for (k, code) in request.units.iter().enumerate() {
            refs.push((format!("requests[{i}].units[{k}]"), code.clone()));
        }
    }
    refs.retain(|(_, code)| !code.trim().is_empty());
    refs
}

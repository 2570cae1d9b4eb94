//! Checks a whole metadata document and reports every problem with its path.
//!
//! The checks are split by what they look at: sizes first ([`sizes`]), then
//! disaggregations and indicators ([`indicators`]), regimes and their versions
//! ([`regimes`]), the forms and rules of a version ([`forms`]); requests here.

use std::collections::{BTreeSet, HashSet};

use crate::calendar::WorkCalendar;
use crate::message::Message;
use crate::period::PeriodId;

use super::model::*;

mod forms;
mod indicators;
mod regimes;
mod sizes;

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

/// One pass over a document, collecting every problem it finds.
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
    /// Records a problem at `path`.
    fn problem(&mut self, path: impl Into<String>, message: Message) {
        self.problems.push(Problem {
            path: path.into(),
            message,
        });
    }

    /// A code that is well formed and not seen before in its list.
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

    /// A name or title: present when `required`, not too long.
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

    /// A long text (definition, content, guidance): not too long.
    fn text(&mut self, path: String, text: &str) {
        if text.chars().count() > MAX_TEXT_CHARS {
            self.problem(
                path,
                Message::new("catalogue.too_long").arg("max", MAX_TEXT_CHARS),
            );
        }
    }

    /// Every object of the document, once its sizes are known to be sane.
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

    /// A thematic or ad-hoc request: its regime, window, deadline and units.
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

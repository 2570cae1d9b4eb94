//! Reports (báo cáo): the workflow state machine, the content of a report
//! (values per cell and narrative sections), how typed values are read and
//! checked against the regime version's forms, and timeliness.
//!
//! A report is one regime × one reporting unit × one period. Submitting freezes
//! the draft as a numbered version; a submitted or accepted report is never
//! edited in place: the receiving unit returns it (with a reason) or accepts it,
//! and a correction after acceptance reopens it as a draft with a mandatory
//! reason, to be submitted as the next version.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalogue::{Indicator, Metadata, RegimeVersion, ValueType};
use crate::message::Message;
use crate::number::parse_number;

/// Database identity of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReportId(i64);

impl ReportId {
    /// The report with this database identity.
    pub const fn new(id: i64) -> Self {
        ReportId(id)
    }

    /// The database identity.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for ReportId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Longest reason of a return, an acceptance, a correction or a recall, in characters.
pub const MAX_REASON_CHARS: usize = 2_000;

/// A reason that must be given (return, correction, recall): trimmed, not
/// empty, at most [`MAX_REASON_CHARS`].
pub fn required_reason(reason: &str) -> Result<String, Message> {
    match optional_reason(reason)? {
        Some(r) => Ok(r),
        None => Err(Message::new("report.error.reason_required")),
    }
}

/// A reason that may be given (acceptance): `None` when blank, refused past
/// [`MAX_REASON_CHARS`].
pub fn optional_reason(reason: &str) -> Result<Option<String>, Message> {
    let reason = reason.trim();
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Message::new("report.error.too_long").arg("max", MAX_REASON_CHARS));
    }
    Ok(Some(reason.to_string()).filter(|r| !r.is_empty()))
}

/// Where a report is in its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being prepared by the reporting unit (dự thảo).
    Draft,
    /// Sent; values frozen (đã gửi).
    Submitted,
    /// Sent back by the receiving unit with a reason (trả lại).
    Returned,
    /// Accepted by the receiving unit (đã tiếp nhận).
    Accepted,
}

impl Status {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Returned => "returned",
            Status::Accepted => "accepted",
        }
    }

    /// Reads the stored text.
    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "draft" => Some(Status::Draft),
            "submitted" => Some(Status::Submitted),
            "returned" => Some(Status::Returned),
            "accepted" => Some(Status::Accepted),
            _ => None,
        }
    }

    /// The catalogue key of its name.
    pub fn key(self) -> &'static str {
        match self {
            Status::Draft => "report.status.draft",
            Status::Submitted => "report.status.submitted",
            Status::Returned => "report.status.returned",
            Status::Accepted => "report.status.accepted",
        }
    }

    /// Whether the reporting unit may change the values.
    pub fn editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned)
    }
}

/// A workflow step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Save the draft.
    Save,
    /// Submit the draft as the next version.
    Submit,
    /// The receiving unit sends it back.
    Return,
    /// The receiving unit accepts it.
    Accept,
    /// The reporting unit reopens an accepted report to correct it.
    Correct,
    /// The reporting unit withdraws a submitted report before it is reviewed.
    Recall,
}

impl Action {
    /// The ledger action name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Save => "report.save",
            Action::Submit => "report.submit",
            Action::Return => "report.return",
            Action::Accept => "report.accept",
            Action::Correct => "report.correct",
            Action::Recall => "report.recall",
        }
    }
}

/// The status after `action`, or why the action is refused in `status`.
pub fn next_status(status: Status, action: Action) -> Result<Status, Message> {
    use Action as A;
    use Status as S;
    match (status, action) {
        (S::Draft | S::Returned, A::Save) => Ok(S::Draft),
        (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
        (S::Submitted, A::Return) => Ok(S::Returned),
        (S::Submitted, A::Accept) => Ok(S::Accepted),
        (S::Accepted, A::Correct) => Ok(S::Draft),
        (S::Submitted, A::Recall) => Ok(S::Draft),
        (S::Submitted | S::Accepted, A::Save) => Err(Message::new("report.error.frozen")),
        (S::Submitted | S::Accepted, A::Submit) => {
            Err(Message::new("report.error.already_submitted"))
        }
        (S::Draft | S::Returned | S::Accepted, A::Return | A::Accept) => {
            Err(Message::new("report.error.not_submitted"))
        }
        (S::Draft | S::Returned | S::Submitted, A::Correct) => {
            Err(Message::new("report.error.not_accepted"))
        }
        (S::Draft | S::Returned | S::Accepted, A::Recall) => {
            Err(Message::new("report.error.not_recallable"))
        }
    }
}

/// The content of a report: a value per cell and text per outline section.
///
/// A cell is an indicator code, or `CODE/dimension:option` for one option of a
/// disaggregation (`LD01/sex:female`). Values are canonical text: a decimal with
/// `.` (`12345.67`), `yes`/`no`, or free text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// Values by cell.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// Narrative text by outline section number.
    #[serde(default)]
    pub sections: BTreeMap<String, String>,
    /// Written explanations of failed warnings, by rule code.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub explanations: BTreeMap<String, String>,
}

/// The formula identifier of a cell: `LD01/sex:female` → `LD01.sex.female`.
pub fn cell_identifier(cell: &str) -> String {
    cell.replace(['/', ':'], ".")
}

/// The outcome of one rule, or of one required cell, on a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleResult {
    /// The rule's code, or `required:CELL`.
    pub code: String,
    /// Error or warning.
    pub severity: crate::catalogue::Severity,
    /// A required cell left empty (the messages are then the catalogue's
    /// `report.error.required_cell`, not the author's).
    pub required: bool,
    /// The author's message, Vietnamese.
    pub message_vi: String,
    /// English message.
    pub message_en: String,
    /// The cells the rule reads.
    pub cells: Vec<String>,
    /// Whether a failed warning has a written explanation.
    pub explained: bool,
    /// For a total and its parts that do not fit (the messages are then the
    /// catalogue's): the total and the parts' sum.
    pub parts: Option<Parts>,
}

/// A total and the sum of its parts (one disaggregation's options).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parts {
    /// The total.
    pub total: Decimal,
    /// The sum of the parts given.
    pub sum: Decimal,
}

/// The rules and required cells that fail on `content` (rules whose inputs
/// are missing are skipped; a rule that cannot be evaluated — a division by
/// zero — fails, so nothing slips through unchecked).
pub fn validate(content: &Content, version: &RegimeVersion, meta: &Metadata) -> Vec<RuleResult> {
    use crate::catalogue::Severity;
    use crate::formula::{evaluate, parse, Lookup, Value};
    let cells = input_cells(version, meta);
    let mut values: BTreeMap<String, Decimal> = content
        .values
        .iter()
        .filter_map(|(cell, v)| {
            Decimal::from_str(v)
                .ok()
                .map(|d| (cell_identifier(cell), d))
        })
        .collect();
    values.extend(computed(content, meta));
    let known = |id: &str| {
        meta.indicator(id).is_some() || cells.iter().any(|(c, _)| cell_identifier(c) == id)
    };
    let mut failed = Vec::new();
    for cell in &version.required {
        if content.values.get(cell).is_none_or(|v| v.trim().is_empty()) {
            failed.push(RuleResult {
                code: format!("required:{cell}"),
                severity: Severity::Error,
                required: true,
                message_vi: String::new(),
                message_en: String::new(),
                cells: vec![cell.clone()],
                explained: false,
                parts: None,
            });
        }
    }
    for rule in &version.validation {
        let Ok(expr) = parse(&rule.expression) else {
            continue;
        };
        let refs: Vec<String> = expr
            .references()
            .iter()
            .map(|c| c.as_str().to_string())
            .collect();
        if refs.iter().any(|r| !values.contains_key(r)) {
            continue;
        }
        let lookup = |c: &crate::formula::IndicatorCode| match values.get(c.as_str()) {
            Some(d) => Lookup::Value(*d),
            None if known(c.as_str()) => Lookup::Missing,
            None => Lookup::Unknown,
        };
        let passed = matches!(evaluate(&expr, &lookup), Ok(Value::Bool(true)));
        if !passed {
            failed.push(RuleResult {
                code: rule.code.clone(),
                severity: rule.severity,
                required: false,
                message_vi: rule.message_vi.clone(),
                message_en: rule.message_en.clone(),
                cells: refs
                    .iter()
                    .map(|r| {
                        cells
                            .iter()
                            .find(|(c, _)| cell_identifier(c) == *r)
                            .map(|(c, _)| c.clone())
                            .unwrap_or_else(|| r.clone())
                    })
                    .collect(),
                explained: content
                    .explanations
                    .get(&rule.code)
                    .is_some_and(|e| !e.trim().is_empty()),
                parts: None,
            });
        }
    }
    // A total whose parts do not fit, unless a rule of the regime already
    // said so about the same cells.
    for parts in parts_checks(content, meta, &cells) {
        let covered = failed
            .iter()
            .any(|r| parts.cells.iter().all(|c| r.cells.contains(c)));
        if !covered {
            failed.push(parts);
        }
    }
    failed
}

/// Totals whose parts do not fit them, as errors: for an indicator added
/// up over units (a count, an amount), the options of one disaggregation
/// never add up to more than the total (men 20 + women 20 of 24 people), and
/// where the disaggregation is complete and every option is given, they add
/// up to it exactly.
fn parts_checks(content: &Content, meta: &Metadata, cells: &[(String, String)]) -> Vec<RuleResult> {
    use crate::catalogue::{Aggregation, Severity};
    let value = |cell: &str| {
        content
            .values
            .get(cell)
            .and_then(|v| Decimal::from_str(v).ok())
    };
    let mut codes: Vec<&str> = cells
        .iter()
        .filter(|(cell, _)| cell.contains('/'))
        .map(|(_, code)| code.as_str())
        .collect();
    codes.dedup();
    let mut failed = Vec::new();
    for code in codes {
        let Some(indicator) = meta.indicator(code) else {
            continue;
        };
        let Some(total) = value(code) else { continue };
        if indicator.over_units != Aggregation::Sum {
            continue;
        }
        for dimension in indicator
            .disaggregations
            .iter()
            .filter_map(|d| meta.disaggregation(d))
        {
            let options: Vec<String> = dimension
                .options
                .iter()
                .map(|o| format!("{code}/{}:{}", dimension.code, o.code))
                .filter(|cell| cells.iter().any(|(c, _)| c == cell))
                .collect();
            let given: Vec<Decimal> = options.iter().filter_map(|c| value(c)).collect();
            if given.is_empty() {
                continue;
            }
            let sum: Decimal = given.iter().sum();
            let whole = dimension.complete && given.len() == options.len();
            if sum > total || (whole && sum != total) {
                failed.push(RuleResult {
                    code: format!("parts:{code}/{}", dimension.code),
                    severity: Severity::Error,
                    required: false,
                    message_vi: String::new(),
                    message_en: String::new(),
                    cells: std::iter::once(code.to_string()).chain(options).collect(),
                    explained: false,
                    parts: Some(Parts { total, sum }),
                });
            }
        }
    }
    failed
}

/// Whether the failed rules allow submission: no error, every warning explained.
pub fn blocks_submission(failed: &[RuleResult]) -> bool {
    failed
        .iter()
        .any(|r| r.severity == crate::catalogue::Severity::Error || !r.explained)
}

/// A problem with one cell (or section) of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    /// The cell key or `section:NUMBER`.
    pub cell: String,
    /// What is wrong.
    pub message: Message,
}

/// Longest text in a cell or section, in characters.
pub const MAX_TEXT_CHARS: usize = 50_000;

/// The cells a regime version's forms ask for: (cell key, indicator code), for
/// entered indicators only (computed ones are derived).
pub fn input_cells(version: &RegimeVersion, meta: &Metadata) -> Vec<(String, String)> {
    let mut cells = Vec::new();
    for form in &version.forms {
        for row in &form.rows {
            let Some(indicator) = meta.indicator(&row.indicator) else {
                continue;
            };
            if indicator.formula.is_some() {
                continue;
            }
            if !cells.iter().any(|(c, _)| *c == indicator.code) {
                cells.push((indicator.code.clone(), indicator.code.clone()));
            }
            if row.breakdown {
                for dim in &indicator.disaggregations {
                    for option in meta
                        .disaggregation(dim)
                        .map(|d| d.options.as_slice())
                        .unwrap_or(&[])
                    {
                        let cell = format!("{}/{}:{}", indicator.code, dim, option.code);
                        if !cells.iter().any(|(c, _)| *c == cell) {
                            cells.push((cell, indicator.code.clone()));
                        }
                    }
                }
            }
        }
    }
    cells
}

/// The largest magnitude a cell takes (10^18): sums over a whole country and
/// the products of weighted averages then stay within the decimal type.
fn max_magnitude() -> Decimal {
    Decimal::from(1_000_000_000_000_000_000_i64)
}

/// Most digits after the decimal separator a typed number may have.
pub const MAX_DECIMALS: usize = 10;

/// Digits after the decimal separator of a typed number (0 for a whole number).
fn decimals_typed(value: Decimal) -> usize {
    value.normalize().scale() as usize
}

/// Entries beyond the form's cells that are still answered one by one (as
/// unknown cells).
const MAX_EXTRA_ENTRIES: usize = 100;

/// The rules' findings on what could be read of a content whose typing was
/// refused: the refused entries are left out, so that typing errors and rule
/// errors are reported together, in one pass, instead of one round after the
/// other. Nothing when the content could not be read at all.
pub fn validate_readable(
    typed: &Content,
    version: &RegimeVersion,
    meta: &Metadata,
) -> Vec<RuleResult> {
    let readable = match normalize(typed, version, meta) {
        Ok(content) => return validate(&content, version, meta),
        Err(problems) => {
            let mut rest = typed.clone();
            for p in &problems {
                rest.values.remove(&p.cell);
                rest.sections.remove(&p.cell);
                rest.explanations.remove(&p.cell);
            }
            normalize(&rest, version, meta)
        }
    };
    readable
        .map(|content| validate(&content, version, meta))
        .unwrap_or_default()
}

/// Checks and normalises typed content against the version's cells: unknown
/// cells, computed indicators, wrong types and oversized texts are refused.
/// Blank values are dropped (a blank cell is missing, never zero).
pub fn normalize(
    typed: &Content,
    version: &RegimeVersion,
    meta: &Metadata,
) -> Result<Content, Vec<CellProblem>> {
    let cells = input_cells(version, meta);
    // Far more entries than the forms have cells is not a typing error: one
    // refusal, not one per entry.
    let entries = typed.values.len() + typed.sections.len() + typed.explanations.len();
    let room = cells.len() + version.outline.len() + version.validation.len();
    if entries > room + MAX_EXTRA_ENTRIES {
        return Err(vec![CellProblem {
            cell: "values".into(),
            message: Message::new("report.error.too_many_cells").arg("max", room),
        }]);
    }
    let cells: std::collections::HashMap<&str, &str> = cells
        .iter()
        .map(|(c, code)| (c.as_str(), code.as_str()))
        .collect();
    let mut problems = Vec::new();
    let mut out = Content::default();
    for (cell, raw) in &typed.values {
        let raw = raw.trim();
        let Some((_, code)) = cells.get_key_value(cell.as_str()) else {
            problems.push(CellProblem {
                cell: cell.clone(),
                message: Message::new("report.error.unknown_cell").arg("value", cell),
            });
            continue;
        };
        if raw.is_empty() {
            continue;
        }
        let Some(indicator) = meta.indicator(code) else {
            continue;
        };
        match typed_value(cell, raw, indicator) {
            Ok(v) => {
                out.values.insert(cell.clone(), v);
            }
            Err(p) => problems.push(p),
        }
    }
    normalize_texts(
        &typed.sections,
        TextKind::Section,
        |number| version.outline.iter().any(|s| s.number == number),
        &mut out.sections,
        &mut problems,
    );
    normalize_texts(
        &typed.explanations,
        TextKind::Explanation,
        |code| version.validation.iter().any(|r| r.code == code),
        &mut out.explanations,
        &mut problems,
    );
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The stored form of `raw` (trimmed, not blank) typed in `cell` of an
/// indicator of type `value_type`: yes/no as `yes` or `no`, numbers canonical;
/// too long a text, too large or too precise a number, or a value of the wrong
/// type is refused.
/// A typed value in its canonical form, or why it cannot be stored: not of
/// the indicator's type, or outside its natural bounds ([`Indicator::bounds`]:
/// −5 enterprises, a forest cover of 150 %).
fn typed_value(cell: &str, raw: &str, indicator: &Indicator) -> Result<String, CellProblem> {
    let canonical = typed_canonical(cell, raw, indicator.value_type)?;
    if !indicator.value_type.is_numeric() {
        return Ok(canonical);
    }
    let Ok(value) = Decimal::from_str(&canonical) else {
        return Ok(canonical);
    };
    let (min, max) = indicator.bounds();
    let outside = |key: &'static str, bound: Decimal| CellProblem {
        cell: cell.to_string(),
        message: Message::new(key)
            .arg("value", raw)
            .arg("bound", bound.normalize().to_string()),
    };
    match (min, max) {
        (Some(min), _) if value < min => Err(outside("report.error.below_min", min)),
        (_, Some(max)) if value > max => Err(outside("report.error.above_max", max)),
        _ => Ok(canonical),
    }
}

fn typed_canonical(cell: &str, raw: &str, value_type: ValueType) -> Result<String, CellProblem> {
    let problem = |key: &'static str| CellProblem {
        cell: cell.to_string(),
        message: Message::new(key).arg("value", raw),
    };
    match value_type {
        ValueType::Text => {
            if raw.chars().count() > MAX_TEXT_CHARS {
                Err(CellProblem {
                    cell: cell.to_string(),
                    message: Message::new("report.error.too_long").arg("max", MAX_TEXT_CHARS),
                })
            } else {
                Ok(raw.to_string())
            }
        }
        ValueType::YesNo => match raw.to_lowercase().as_str() {
            "yes" | "có" | "co" | "1" | "true" => Ok("yes".to_string()),
            "no" | "không" | "khong" | "0" | "false" => Ok("no".to_string()),
            _ => Err(problem("report.error.not_yes_no")),
        },
        ValueType::Integer | ValueType::Decimal | ValueType::Percentage
            if parse_number(raw).is_some_and(|d| d.abs() > max_magnitude()) =>
        {
            Err(CellProblem {
                cell: cell.to_string(),
                message: Message::new("report.error.too_large").arg("value", raw),
            })
        }
        ValueType::Integer | ValueType::Decimal | ValueType::Percentage
            if parse_number(raw).is_some_and(|d| decimals_typed(d) > MAX_DECIMALS) =>
        {
            Err(CellProblem {
                cell: cell.to_string(),
                message: Message::new("report.error.too_precise")
                    .arg("value", raw)
                    .arg("max", MAX_DECIMALS),
            })
        }
        ValueType::Integer => match parse_number(raw) {
            Some(d) if d.fract().is_zero() => Ok(d.normalize().to_string()),
            Some(_) => Err(problem("report.error.not_integer")),
            None => Err(problem("report.error.not_number")),
        },
        ValueType::Decimal | ValueType::Percentage => match parse_number(raw) {
            Some(d) => Ok(d.normalize().to_string()),
            None => Err(problem("report.error.not_number")),
        },
    }
}

/// The free texts of a report besides cell values.
#[derive(Clone, Copy)]
enum TextKind {
    /// Narrative of an outline section, by section number.
    Section,
    /// Explanation of a failed rule, by rule code.
    Explanation,
}

/// Keeps the texts of `typed` whose key is `known`, trimmed, dropping blank
/// ones; unknown keys and oversized texts are problems.
fn normalize_texts(
    typed: &BTreeMap<String, String>,
    kind: TextKind,
    known: impl Fn(&str) -> bool,
    out: &mut BTreeMap<String, String>,
    problems: &mut Vec<CellProblem>,
) {
    let (prefix, unknown) = match kind {
        TextKind::Section => ("section", "report.error.unknown_section"),
        TextKind::Explanation => ("explanation", "report.error.unknown_rule"),
    };
    for (key, text) in typed {
        if !known(key) {
            problems.push(CellProblem {
                cell: format!("{prefix}:{key}"),
                message: Message::new(unknown).arg("value", key),
            });
        } else if text.chars().count() > MAX_TEXT_CHARS {
            problems.push(CellProblem {
                cell: format!("{prefix}:{key}"),
                message: Message::new("report.error.too_long").arg("max", MAX_TEXT_CHARS),
            });
        } else if !text.trim().is_empty() {
            out.insert(key.clone(), text.trim().to_string());
        }
    }
}
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow() {
        use Action::*;
        use Status::*;
        assert_eq!(next_status(Draft, Save), Ok(Draft));
        assert_eq!(next_status(Draft, Submit), Ok(Submitted));
        assert_eq!(next_status(Submitted, Return), Ok(Returned));
        assert_eq!(next_status(Returned, Save), Ok(Draft));
        assert_eq!(next_status(Returned, Submit), Ok(Submitted));
        assert_eq!(next_status(Submitted, Accept), Ok(Accepted));
        assert_eq!(next_status(Accepted, Correct), Ok(Draft));
        assert_eq!(
            next_status(Submitted, Save).unwrap_err().key,
            "report.error.frozen"
        );
        assert_eq!(
            next_status(Accepted, Save).unwrap_err().key,
            "report.error.frozen"
        );
        assert_eq!(
            next_status(Submitted, Submit).unwrap_err().key,
            "report.error.already_submitted"
        );
        assert_eq!(
            next_status(Draft, Accept).unwrap_err().key,
            "report.error.not_submitted"
        );
        assert_eq!(
            next_status(Accepted, Return).unwrap_err().key,
            "report.error.not_submitted"
        );
        assert_eq!(
            next_status(Submitted, Correct).unwrap_err().key,
            "report.error.not_accepted"
        );
        // A recall takes back a submission not yet reviewed, nothing else.
        assert_eq!(next_status(Submitted, Recall), Ok(Draft));
        for s in [Draft, Returned, Accepted] {
            assert_eq!(
                next_status(s, Recall).unwrap_err().key,
                "report.error.not_recallable"
            );
        }
        for s in [Draft, Submitted, Returned, Accepted] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn columns_last_year_year_to_date_target_and_formula() {
        let meta: Metadata = serde_json::from_value(serde_json::json!({
            "format": "baocao-metadata/1",
            "indicators": [{"code": "A", "name_vi": "A", "name_en": "", "measure_vi": "người", "measure_en": "",
                "value_type": "integer", "over_units": "sum", "over_time": "sum"}]
        }))
        .unwrap();
        let form: crate::catalogue::NumericForm = serde_json::from_value(serde_json::json!({
            "code": "B", "title_vi": "B", "title_en": "",
            "columns": [
                {"code": "C1", "title_vi": "Kỳ này", "title_en": "", "source": "current"},
                {"code": "C2", "title_vi": "Cùng kỳ", "title_en": "", "source": "same_period_last_year"},
                {"code": "C3", "title_vi": "Lũy kế", "title_en": "", "source": "year_to_date"},
                {"code": "C4", "title_vi": "Kế hoạch", "title_en": "", "source": "target"},
                {"code": "C5", "title_vi": "So cùng kỳ", "title_en": "", "source": {"formula": "100 * C1 / C2"}}],
            "rows": [{"indicator": "A"}]
        }))
        .unwrap();
        let c = |v: &str| Content {
            values: [("A".to_string(), v.to_string())].into_iter().collect(),
            ..Default::default()
        };
        let (now, last_year, jan, feb) = (c("120"), c("100"), c("90"), c("110"));
        let ctx = ColumnContext {
            last_year: Some(&last_year),
            earlier_this_year: vec![&jan, &feb],
            targets: [("A".to_string(), Decimal::from(1500))]
                .into_iter()
                .collect(),
            formulas: None,
        };
        let got: Vec<String> = column_values(&meta, &form, "A", &now, &ctx)
            .into_iter()
            .map(|v| v.map(|d| d.normalize().to_string()).unwrap_or_default())
            .collect();
        assert_eq!(got, vec!["120", "100", "320", "1500", "120"]);
        let alone = column_values(&meta, &form, "A", &now, &ColumnContext::default());
        assert_eq!(alone[1], None, "no report last year: nothing, not zero");
        assert_eq!(alone[4], None);
    }

    #[test]
    fn on_time_is_judged_in_vietnam_time() {
        let deadline = NaiveDate::from_ymd_opt(2026, 2, 24).unwrap();
        // 24/02/2026 23:30 +07:00 = 16:30 UTC: on time.
        let late_evening = DateTime::parse_from_rfc3339("2026-02-24T23:30:00+07:00").unwrap();
        assert!(on_time(late_evening.timestamp(), deadline));
        // 25/02/2026 00:10 +07:00 is still the 24th in UTC, but late in Vietnam.
        let after_midnight = DateTime::parse_from_rfc3339("2026-02-25T00:10:00+07:00").unwrap();
        assert!(!on_time(after_midnight.timestamp(), deadline));
    }
}

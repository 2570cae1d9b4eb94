//! A report's content checked against its regime version: the validation
//! rules and required cells, totals against their parts, and typed values
//! read into canonical text cell by cell (`normalize`).

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::{cell_identifier, computed, Content, Parts, RuleResult};
use crate::catalogue::{Indicator, Metadata, RegimeVersion, ValueType};
use crate::message::Message;
use crate::number::parse_number;

/// The rules and required cells that fail on `content` (rules whose inputs
/// are missing are skipped; a rule that cannot be evaluated — a division by
/// zero — fails, so nothing slips through unchecked).
pub fn validate(content: &Content, version: &RegimeVersion, meta: &Metadata) -> Vec<RuleResult> {
    let cells = input_cells(version, meta);
    let mut failed = required_missing(content, version);
    failed.extend(failed_rules(content, version, meta, &cells));
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

/// The required cells left empty.
fn required_missing(content: &Content, version: &RegimeVersion) -> Vec<RuleResult> {
    version
        .required
        .iter()
        .filter(|cell| {
            content
                .values
                .get(*cell)
                .is_none_or(|v| v.trim().is_empty())
        })
        .map(|cell| RuleResult {
            code: format!("required:{cell}"),
            severity: crate::catalogue::Severity::Error,
            required: true,
            message_vi: String::new(),
            message_en: String::new(),
            cells: vec![cell.clone()],
            explained: false,
            parts: None,
        })
        .collect()
}

/// The regime's rules that fail on `content` (a rule whose inputs are
/// missing is skipped; one that cannot be evaluated fails).
fn failed_rules(
    content: &Content,
    version: &RegimeVersion,
    meta: &Metadata,
    cells: &[(String, String)],
) -> Vec<RuleResult> {
    use crate::formula::{evaluate, parse, Lookup, Value};
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
    let cell_of = |r: &String| {
        cells
            .iter()
            .find(|(c, _)| cell_identifier(c) == *r)
            .map(|(c, _)| c.clone())
            .unwrap_or_else(|| r.clone())
    };
    let mut failed = Vec::new();
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
        if matches!(evaluate(&expr, &lookup), Ok(Value::Bool(true))) {
            continue;
        }
        failed.push(RuleResult {
            code: rule.code.clone(),
            severity: rule.severity,
            required: false,
            message_vi: rule.message_vi.clone(),
            message_en: rule.message_en.clone(),
            cells: refs.iter().map(cell_of).collect(),
            explained: content
                .explanations
                .get(&rule.code)
                .is_some_and(|e| !e.trim().is_empty()),
            parts: None,
        });
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

//! Checks a catalogue of formulas as a whole: syntax, unknown codes, cycles.

use std::collections::{BTreeMap, BTreeSet};

use super::ast::Expr;
use super::parser::parse;
use super::{FormulaError, IndicatorCode};

/// A catalogue whose formulas all parse, use only known codes, and do not
/// depend on each other in a cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFormulas {
    formulas: BTreeMap<IndicatorCode, Expr>,
    order: Vec<IndicatorCode>,
}

impl CheckedFormulas {
    /// The parsed formula of each computed indicator.
    pub fn formulas(&self) -> &BTreeMap<IndicatorCode, Expr> {
        &self.formulas
    }

    /// The computed indicators in an order where each comes after every computed
    /// indicator its formula uses: evaluate in this order.
    pub fn evaluation_order(&self) -> &[IndicatorCode] {
        &self.order
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    InProgress,
    Done,
}

/// Checks a catalogue: each code maps to its formula text, or `None` for an
/// indicator that is entered rather than computed.
///
/// Returns every problem found, not only the first: invalid codes, formula
/// syntax errors (wrapped in [`FormulaError::InFormula`]), references to codes
/// not in the catalogue, and each cycle with its path (`A -> B -> A`).
pub fn check_formulas(
    catalogue: &BTreeMap<String, Option<String>>,
) -> Result<CheckedFormulas, Vec<FormulaError>> {
    let mut errors = Vec::new();
    let mut known = BTreeSet::new();
    let mut formulas = BTreeMap::new();
    for (code, text) in catalogue {
        let code = match IndicatorCode::new(code) {
            Ok(code) => code,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        known.insert(code.clone());
        if let Some(text) = text {
            match parse(text) {
                Ok(expr) => {
                    formulas.insert(code, expr);
                }
                Err(error) => errors.push(FormulaError::InFormula {
                    code,
                    error: Box::new(error),
                }),
            }
        }
    }
    // Dependencies between computed indicators; unknown codes are reported.
    let mut dependencies: BTreeMap<&IndicatorCode, Vec<IndicatorCode>> = BTreeMap::new();
    for (code, expr) in &formulas {
        let mut uses = Vec::new();
        for reference in expr.references() {
            if !known.contains(&reference) {
                errors.push(FormulaError::UnknownCode {
                    code: reference,
                    referenced_by: Some(code.clone()),
                });
            } else if formulas.contains_key(&reference) {
                uses.push(reference);
            }
        }
        dependencies.insert(code, uses);
    }
    let order = order_or_cycles(&dependencies, &mut errors);
    if errors.is_empty() {
        Ok(CheckedFormulas { formulas, order })
    } else {
        Err(errors)
    }
}

/// Depth-first search without recursion (catalogues can be long chains):
/// returns a post-order and pushes one error per cycle found.
fn order_or_cycles(
    dependencies: &BTreeMap<&IndicatorCode, Vec<IndicatorCode>>,
    errors: &mut Vec<FormulaError>,
) -> Vec<IndicatorCode> {
    let mut marks: BTreeMap<&IndicatorCode, Mark> = BTreeMap::new();
    let mut order = Vec::new();
    let no_uses = Vec::new();
    for root in dependencies.keys().copied() {
        if marks.contains_key(root) {
            continue;
        }
        marks.insert(root, Mark::InProgress);
        // Each frame: a code and how many of its dependencies were visited.
        let mut stack: Vec<(&IndicatorCode, usize)> = vec![(root, 0)];
        while let Some((code, visited)) = stack.last_mut() {
            let uses = dependencies.get(*code).unwrap_or(&no_uses);
            let Some(next) = uses.get(*visited) else {
                marks.insert(*code, Mark::Done);
                order.push((*code).clone());
                stack.pop();
                continue;
            };
            *visited += 1;
            // Borrow the key stored in the map so the frame outlives `uses`.
            let Some((next, _)) = dependencies.get_key_value(next) else {
                continue;
            };
            match marks.get(*next) {
                None => {
                    marks.insert(next, Mark::InProgress);
                    stack.push((next, 0));
                }
                Some(Mark::InProgress) => {
                    let start = stack.iter().position(|(c, _)| c == next).unwrap_or(0);
                    let mut path: Vec<IndicatorCode> =
                        stack[start..].iter().map(|(c, _)| (*c).clone()).collect();
                    path.push((*next).clone());
                    errors.push(FormulaError::Cycle { path });
                }
                Some(Mark::Done) => {}
            }
        }
    }
    order
}

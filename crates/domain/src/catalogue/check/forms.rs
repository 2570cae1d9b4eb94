//! The numeric forms of a version (columns, column formulas, rows) and its
//! validation rules and required cells.

use std::collections::{BTreeMap, HashSet};

use crate::catalogue::{ColumnSource, NumericForm, RegimeVersion};
use crate::formula::{check_formulas, FormulaError, IndicatorCode};
use crate::message::Message;

use super::Checker;

impl Checker<'_> {
    /// A numeric form: its columns, their formulas, and its rows.
    pub(super) fn form(&mut self, path: &str, form: &NumericForm) {
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
    pub(super) fn rules(&mut self, path: &str, v: &RegimeVersion) {
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
}

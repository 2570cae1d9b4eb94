//! Sizes first: lists longer than [`limits`](super::limits) and formulas
//! longer than [`MAX_FORMULA_CHARS`] are refused before anything else is
//! looked at, so that no check runs over an absurd document.

use crate::catalogue::{ColumnSource, RegimeVersion};
use crate::message::Message;

use super::limits::*;
use super::{Checker, MAX_CODE_CHARS, MAX_FORMULA_CHARS};

impl Checker<'_> {
    /// Refuses lists longer than [`limits`](super::limits) and formulas longer
    /// than [`MAX_FORMULA_CHARS`] before anything else is looked at; whether
    /// the rest of the checks may run.
    pub(super) fn sizes(&mut self) -> bool {
        let before = self.problems.len();
        let meta = self.meta;
        self.count(
            "disaggregations".into(),
            meta.disaggregations.len(),
            DISAGGREGATIONS,
        );
        for (i, d) in meta.disaggregations.iter().enumerate() {
            self.count(
                format!("disaggregations[{i}].options"),
                d.options.len(),
                OPTIONS,
            );
        }
        self.indicator_sizes();
        self.count("regimes".into(), meta.regimes.len(), REGIMES);
        for (i, regime) in meta.regimes.iter().enumerate() {
            self.count(
                format!("regimes[{i}].versions"),
                regime.versions.len(),
                VERSIONS,
            );
            for (j, v) in regime.versions.iter().enumerate() {
                self.version_sizes(&format!("regimes[{i}].versions[{j}]"), v);
            }
        }
        self.count("requests".into(), meta.requests.len(), REQUESTS);
        for (i, r) in meta.requests.iter().enumerate() {
            self.count(format!("requests[{i}].units"), r.units.len(), REQUESTS);
        }
        self.problems.len() == before
    }

    /// A list at `path` of `n` items, at most `max` allowed.
    fn count(&mut self, path: String, n: usize, max: usize) {
        if n > max {
            self.problem(path, Message::new("catalogue.too_many").arg("max", max));
        }
    }

    /// A text at `path` (a formula, a number), at most `max` characters allowed.
    fn length(&mut self, path: String, text: &str, max: usize) {
        if text.chars().count() > max {
            self.problem(path, Message::new("catalogue.too_long").arg("max", max));
        }
    }

    /// The indicators, their targets, disaggregations and formulas.
    fn indicator_sizes(&mut self) {
        let meta = self.meta;
        self.count("indicators".into(), meta.indicators.len(), INDICATORS);
        for (i, ind) in meta.indicators.iter().enumerate() {
            self.count(
                format!("indicators[{i}].targets"),
                ind.targets.len(),
                PER_INDICATOR,
            );
            self.count(
                format!("indicators[{i}].disaggregations"),
                ind.disaggregations.len(),
                PER_INDICATOR,
            );
            if let Some(formula) = &ind.formula {
                self.length(
                    format!("indicators[{i}].formula"),
                    formula,
                    MAX_FORMULA_CHARS,
                );
            }
        }
    }

    /// One regime version at `path`: its groups, forms, outline, rules and
    /// required cells.
    fn version_sizes(&mut self, path: &str, v: &RegimeVersion) {
        self.count(format!("{path}.reporting"), v.reporting.len(), GROUPS);
        for (k, g) in v.reporting.iter().enumerate() {
            self.count(
                format!("{path}.reporting[{k}].select.units"),
                g.select.units.len(),
                REQUESTS,
            );
        }
        self.count(format!("{path}.forms"), v.forms.len(), FORMS);
        for (k, f) in v.forms.iter().enumerate() {
            self.count(format!("{path}.forms[{k}].columns"), f.columns.len(), FORMS);
            self.count(format!("{path}.forms[{k}].rows"), f.rows.len(), ROWS);
            for (c, column) in f.columns.iter().enumerate() {
                if let ColumnSource::Formula(text) = &column.source {
                    self.length(
                        format!("{path}.forms[{k}].columns[{c}].source"),
                        text,
                        MAX_FORMULA_CHARS,
                    );
                }
            }
        }
        self.count(format!("{path}.outline"), v.outline.len(), ROWS);
        for (k, section) in v.outline.iter().enumerate() {
            self.length(
                format!("{path}.outline[{k}].number"),
                &section.number,
                MAX_CODE_CHARS,
            );
        }
        self.count(format!("{path}.validation"), v.validation.len(), ROWS);
        for (k, rule) in v.validation.iter().enumerate() {
            self.length(
                format!("{path}.validation[{k}].expression"),
                &rule.expression,
                MAX_FORMULA_CHARS,
            );
        }
        self.count(format!("{path}.required"), v.required.len(), ROWS);
    }
}

//! Disaggregations and indicators: codes, names, aggregations, targets and the
//! formulas of the whole catalogue.

use std::collections::{BTreeMap, HashSet};

use crate::catalogue::{
    Aggregation, Disaggregation, Indicator, Target, TargetScope, ValueType, FIELDS,
};
use crate::formula::{check_formulas, FormulaError, IndicatorCode};
use crate::message::Message;

use super::Checker;

impl Checker<'_> {
    /// A disaggregation and its options.
    pub(super) fn disaggregation(
        &mut self,
        path: &str,
        d: &Disaggregation,
        seen: &mut HashSet<String>,
    ) {
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

    /// An indicator on its own (its formula is checked with the others').
    pub(super) fn indicator(
        &mut self,
        path: &str,
        indicator: &Indicator,
        seen: &mut HashSet<String>,
    ) {
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
        self.indicator_disaggregations(path, indicator);
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
        self.bounds(path, indicator);
    }

    /// Stated bounds of values: numeric indicators only, in order.
    fn bounds(&mut self, path: &str, indicator: &Indicator) {
        if indicator.min.is_none() && indicator.max.is_none() {
            return;
        }
        if !indicator.value_type.is_numeric() {
            self.problem(
                format!("{path}.min"),
                Message::new("catalogue.bounds_not_numeric"),
            );
            return;
        }
        if let (Some(low), Some(high)) = indicator.bounds() {
            if low > high {
                self.problem(
                    format!("{path}.min"),
                    Message::new("catalogue.target_reversed")
                        .arg("low", low)
                        .arg("high", high),
                );
            }
        }
    }

    /// The disaggregations an indicator is broken down by: known, each once.
    fn indicator_disaggregations(&mut self, path: &str, indicator: &Indicator) {
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
    }

    /// An aggregation that suits the indicator's value type.
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

    /// A target: numeric, bounded, for a known level or a unit.
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
    pub(super) fn formulas(&mut self) {
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
}

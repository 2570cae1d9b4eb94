//! Synthesis (tổng hợp): a receiving unit's report pre-filled from the accepted
//! reports of the units below it, cell by cell, along each indicator's
//! aggregation over units. Computed indicators (rates) are not aggregated: they
//! are recomputed from the aggregated totals ([`crate::report::computed`]).
//! A child without a value for a cell does not count as zero: it is left out
//! and named, so the reviewer sees who contributed.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::catalogue::{Aggregation, Metadata, RegimeVersion, ValueType};
use crate::report::{input_cells, Content};

/// What synthesis produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synthesis {
    /// Aggregated values by cell (only cells with at least one contribution).
    pub values: BTreeMap<String, String>,
    /// For each cell, the children that contributed a value.
    pub contributors: BTreeMap<String, Vec<String>>,
    /// Cells left to the receiving unit because their indicator does not
    /// aggregate over units (`none`, or text).
    pub manual: Vec<String>,
    /// Cells synthesis fills (with a value or, when no child contributed, none).
    pub filled: Vec<String>,
}

impl Synthesis {
    /// Puts the synthesized values into a draft's values: every cell synthesis
    /// fills takes its new value, and one nobody contributed to any more is
    /// cleared (never left with an old figure); cells the unit fills itself
    /// are kept. Returns (cell, before, after) of each change, after being
    /// empty for a cleared cell.
    pub fn apply_to(
        &self,
        values: &mut BTreeMap<String, String>,
    ) -> Vec<(String, Option<String>, String)> {
        let mut changed = Vec::new();
        for cell in &self.filled {
            match self.values.get(cell) {
                Some(value) => {
                    let before = values.insert(cell.clone(), value.clone());
                    if before.as_deref() != Some(value.as_str()) {
                        changed.push((cell.clone(), before, value.clone()));
                    }
                }
                None => {
                    if let Some(before) = values.remove(cell) {
                        changed.push((cell.clone(), Some(before), String::new()));
                    }
                }
            }
        }
        changed
    }
}

fn number(content: &Content, cell: &str) -> Option<Decimal> {
    content
        .values
        .get(cell)
        .and_then(|v| Decimal::from_str(v).ok())
}

/// The weight of a child for a weighted average: its value of the weight
/// indicator for the same disaggregation option, else its total.
fn weight(content: &Content, cell: &str, weight_code: &str) -> Option<Decimal> {
    match cell.split_once('/') {
        Some((_, option)) => number(content, &format!("{weight_code}/{option}"))
            .or_else(|| number(content, weight_code)),
        None => number(content, weight_code),
    }
}

/// Aggregates `children` (name, accepted content) for every input cell of
/// `version`.
pub fn synthesize(
    meta: &Metadata,
    version: &RegimeVersion,
    children: &[(String, Content)],
) -> Synthesis {
    let mut out = Synthesis::default();
    for (cell, code) in input_cells(version, meta) {
        let Some(indicator) = meta.indicator(&code) else {
            continue;
        };
        if !indicator.value_type.is_numeric() || indicator.over_units == Aggregation::None {
            out.manual.push(cell);
            continue;
        }
        out.filled.push(cell.clone());
        let present: Vec<(&String, Decimal, &Content)> = children
            .iter()
            .filter_map(|(name, content)| number(content, &cell).map(|v| (name, v, content)))
            .collect();
        if present.is_empty() {
            continue;
        }
        let values = present.iter().map(|(_, v, _)| *v);
        let result = match &indicator.over_units {
            Aggregation::Sum => values.sum::<Decimal>(),
            Aggregation::Average => values.sum::<Decimal>() / Decimal::from(present.len() as u64),
            Aggregation::Min => values.min().unwrap_or_default(),
            Aggregation::Max => values.max().unwrap_or_default(),
            Aggregation::WeightedAverage(by) => {
                let weighted: Vec<(Decimal, Decimal)> = present
                    .iter()
                    .filter_map(|(_, v, content)| weight(content, &cell, by).map(|w| (*v, w)))
                    .collect();
                let total: Decimal = weighted.iter().map(|(_, w)| *w).sum();
                if total.is_zero() {
                    continue;
                }
                // Products of large values and weights may pass the decimal
                // range: such a cell is left to be typed, never a panic.
                let products = weighted.iter().try_fold(Decimal::ZERO, |acc, (v, w)| {
                    acc.checked_add(v.checked_mul(*w)?)
                });
                match products.and_then(|p| p.checked_div(total)) {
                    Some(average) => average,
                    None => {
                        out.filled.retain(|c| *c != cell);
                        out.manual.push(cell);
                        continue;
                    }
                }
            }
            Aggregation::Last | Aggregation::None => continue,
        };
        // A count stays whole (an average of counts is rounded half away
        // from zero); other values keep four decimals.
        let places = if indicator.value_type == ValueType::Integer {
            0
        } else {
            4
        };
        let rounded = result.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
        out.values
            .insert(cell.clone(), rounded.normalize().to_string());
        out.contributors.insert(
            cell,
            present.iter().map(|(name, _, _)| (*name).clone()).collect(),
        );
    }
    out
}

/// A partial aggregation over units of one cell for one period: what a node of
/// the unit tree keeps, combined from what is below it. The same rules as
/// [`synthesize`], kept incrementally (the analytics engine).
///
/// - sum and average: `a` = Σ values;
/// - min / max: `a` = the smallest / largest value;
/// - weighted average: `a` = Σ value × weight, `b` = Σ weight (only values with a weight count);
/// - `count`: values that contributed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Acc {
    /// Values that contributed.
    pub count: u32,
    /// The running sum, extreme or weighted sum.
    pub a: Decimal,
    /// The running weight (weighted averages).
    pub b: Decimal,
}

impl Acc {
    /// The contribution of one value (with its weight for a weighted average);
    /// `None` when it cannot contribute (no weight, or out of range).
    pub fn of(value: Decimal, weight: Option<Decimal>, rule: &Aggregation) -> Option<Acc> {
        match rule {
            Aggregation::WeightedAverage(_) => {
                let w = weight?;
                Some(Acc {
                    count: 1,
                    a: value.checked_mul(w)?,
                    b: w,
                })
            }
            Aggregation::Last | Aggregation::None => None,
            _ => Some(Acc {
                count: 1,
                a: value,
                b: Decimal::ZERO,
            }),
        }
    }

    /// Adds `other` in; `false` (and unchanged) when the result would leave
    /// the decimal range.
    pub fn merge(&mut self, other: &Acc, rule: &Aggregation) -> bool {
        if other.count == 0 {
            return true;
        }
        if self.count == 0 {
            *self = *other;
            return true;
        }
        let merged = match rule {
            Aggregation::Min => Some((self.a.min(other.a), self.b)),
            Aggregation::Max => Some((self.a.max(other.a), self.b)),
            _ => self.a.checked_add(other.a).zip(self.b.checked_add(other.b)),
        };
        match merged {
            Some((a, b)) => {
                *self = Acc {
                    count: self.count + other.count,
                    a,
                    b,
                };
                true
            }
            None => false,
        }
    }

    /// Takes `other` out again; `false` when that cannot be done (a minimum or
    /// maximum that may have been `other`'s): the caller recomputes from the parts.
    pub fn unmerge(&mut self, other: &Acc, rule: &Aggregation) -> bool {
        if other.count == 0 {
            return true;
        }
        if matches!(rule, Aggregation::Min | Aggregation::Max) || other.count > self.count {
            return false;
        }
        if other.count == self.count {
            *self = Acc::default();
            return true;
        }
        match (self.a.checked_sub(other.a), self.b.checked_sub(other.b)) {
            (Some(a), Some(b)) => {
                *self = Acc {
                    count: self.count - other.count,
                    a,
                    b,
                };
                true
            }
            _ => false,
        }
    }

    /// The aggregate value; `None` when nothing contributed (missing, never zero).
    pub fn value(&self, rule: &Aggregation) -> Option<Decimal> {
        if self.count == 0 {
            return None;
        }
        match rule {
            Aggregation::Sum | Aggregation::Min | Aggregation::Max => Some(self.a),
            Aggregation::Average => self.a.checked_div(Decimal::from(self.count)),
            Aggregation::WeightedAverage(_) if self.b.is_zero() => None,
            Aggregation::WeightedAverage(_) => self.a.checked_div(self.b),
            Aggregation::Last | Aggregation::None => None,
        }
    }
}

/// A value over a composite period from its base periods' values, in order,
/// along the indicator's rule over time (sum, average, last value, min, max);
/// `None` when no base period has a value, or the rule does not aggregate.
pub fn over_time(values: &[Decimal], rule: &Aggregation) -> Option<Decimal> {
    let (first, rest) = values.split_first()?;
    match rule {
        Aggregation::Sum => rest.iter().try_fold(*first, |acc, v| acc.checked_add(*v)),
        Aggregation::Average => rest
            .iter()
            .try_fold(*first, |acc, v| acc.checked_add(*v))?
            .checked_div(Decimal::from(values.len() as u64)),
        Aggregation::Last => values.last().copied(),
        Aggregation::Min => values.iter().min().copied(),
        Aggregation::Max => values.iter().max().copied(),
        // A weighted average over time has no weights to use: the plain average.
        Aggregation::WeightedAverage(_) => rest
            .iter()
            .try_fold(*first, |acc, v| acc.checked_add(*v))?
            .checked_div(Decimal::from(values.len() as u64)),
        Aggregation::None => (values.len() == 1).then_some(*first),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::*;

    fn meta() -> Metadata {
        serde_json::from_str(
            r#"{"format": "baocao-metadata/1",
            "disaggregations": [{"code": "sex", "name_vi": "Giới tính", "name_en": "Sex", "options": [
                {"code": "male", "name_vi": "Nam", "name_en": "Male"}, {"code": "female", "name_vi": "Nữ", "name_en": "Female"}]}],
            "indicators": [
              {"code": "A", "name_vi": "Việc làm", "name_en": "", "measure_vi": "người", "measure_en": "", "value_type": "integer",
               "over_units": "sum", "over_time": "sum", "disaggregations": ["sex"]},
              {"code": "P", "name_vi": "Dân số", "name_en": "", "measure_vi": "người", "measure_en": "", "value_type": "integer",
               "over_units": "sum", "over_time": "last"},
              {"code": "R", "name_vi": "Tỷ lệ che phủ", "name_en": "", "measure_vi": "%", "measure_en": "", "value_type": "percentage",
               "over_units": {"weighted_average": "P"}, "over_time": "last"},
              {"code": "M", "name_vi": "Giá cao nhất", "name_en": "", "measure_vi": "đồng", "measure_en": "", "value_type": "decimal",
               "over_units": "max", "over_time": "max"},
              {"code": "N", "name_vi": "Ghi chú", "name_en": "", "measure_vi": "", "measure_en": "", "value_type": "text",
               "over_units": "none", "over_time": "none"},
              {"code": "Q", "name_vi": "Tỷ lệ việc làm", "name_en": "", "measure_vi": "%", "measure_en": "", "value_type": "percentage",
               "over_units": "none", "over_time": "none", "formula": "100 * A / P"}
            ]}"#,
        )
        .unwrap()
    }

    fn version() -> RegimeVersion {
        serde_json::from_value(serde_json::json!({
            "from": "2025M01", "name_vi": "x", "name_en": "x", "legal_basis": "x", "kind": "periodic",
            "frequency": "monthly", "convention": "administrative", "receiving_unit": "40", "methods": ["system"],
            "reporting": [{"name_vi": "xã", "name_en": "", "select": {"level": "commune"}, "stage": 1,
                "deadline": {"working_days_after_window": 2}}],
            "forms": [{"code": "B", "title_vi": "B", "title_en": "B",
                "columns": [{"code": "C1", "title_vi": "Kỳ này", "title_en": "", "source": "current"}],
                "rows": [{"indicator": "A", "breakdown": true}, {"indicator": "P"}, {"indicator": "R"},
                         {"indicator": "M"}, {"indicator": "N"}, {"indicator": "Q"}]}]
        }))
        .unwrap()
    }

    fn content(pairs: &[(&str, &str)]) -> Content {
        Content {
            values: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn each_rule_per_cell_and_missing_is_not_zero() {
        let children = vec![
            (
                "Xã Một".to_string(),
                content(&[
                    ("A", "100"),
                    ("A/sex:female", "40"),
                    ("P", "1000"),
                    ("R", "50"),
                    ("M", "7.5"),
                    ("N", "ghi chú"),
                ]),
            ),
            (
                "Xã Hai".to_string(),
                content(&[
                    ("A", "300"),
                    ("A/sex:female", "200"),
                    ("P", "3000"),
                    ("R", "90"),
                    ("M", "9"),
                ]),
            ),
            ("Xã Ba".to_string(), content(&[("P", "1000")])),
        ];
        let s = synthesize(&meta(), &version(), &children);
        assert_eq!(s.values["A"], "400");
        assert_eq!(s.values["A/sex:female"], "240");
        assert!(
            !s.values.contains_key("A/sex:male"),
            "nobody reported it: missing, not 0"
        );
        assert_eq!(s.values["P"], "5000");
        // (50 × 1000 + 90 × 3000) / 4000 = 80; Xã Ba has a weight but no rate.
        assert_eq!(s.values["R"], "80");
        assert_eq!(s.values["M"], "9");
        assert_eq!(s.contributors["A"], vec!["Xã Một", "Xã Hai"]);
        assert_eq!(s.contributors["P"].len(), 3);
        assert!(s.manual.contains(&"N".to_string()));
        // Computed indicators are not input cells: recomputed from totals later.
        assert!(!s.values.contains_key("Q"));
        let total = Content {
            values: s.values.clone(),
            ..Default::default()
        };
        assert_eq!(
            crate::report::computed(&total, &meta())["Q"].to_string(),
            "8"
        );
    }

    #[test]
    fn a_weighted_average_past_the_decimal_range_is_left_to_type_not_a_panic() {
        let big = "900000000000000000"; // 9 × 10^17, within what a cell takes
        let children = vec![
            ("Xã Một".to_string(), content(&[("P", big), ("R", big)])),
            ("Xã Hai".to_string(), content(&[("P", big), ("R", big)])),
        ];
        let s = synthesize(&meta(), &version(), &children);
        assert!(!s.values.contains_key("R"));
        assert!(s.manual.contains(&"R".to_string()));
        assert_eq!(s.values["P"], "1800000000000000000");
    }

    #[test]
    fn an_average_of_counts_stays_whole_and_a_cell_nobody_reports_any_more_is_cleared() {
        let mut m = meta();
        m.indicators[0].over_units = Aggregation::Average;
        let children = vec![
            ("Xã Một".to_string(), content(&[("A", "1")])),
            ("Xã Hai".to_string(), content(&[("A", "2")])),
        ];
        let s = synthesize(&m, &version(), &children);
        assert_eq!(s.values["A"], "2", "1.5 rounds half away from zero");
        let mut draft = content(&[("A", "7"), ("M", "3"), ("N", "typed by the unit")]).values;
        let changed = s.apply_to(&mut draft);
        assert_eq!(draft.get("A").map(String::as_str), Some("2"));
        // Nobody reports M now: the old figure is cleared, not kept.
        assert!(!draft.contains_key("M"));
        assert_eq!(
            draft.get("N").map(String::as_str),
            Some("typed by the unit")
        );
        assert!(changed.contains(&("M".into(), Some("3".into()), String::new())));
        assert!(changed.contains(&("A".into(), Some("7".into()), "2".into())));
    }

    #[test]
    fn no_children_no_values() {
        let s = synthesize(&meta(), &version(), &[]);
        assert!(s.values.is_empty());
    }
}

//! Unusual values: a figure far from the unit's own history.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::report::Content;

/// A value far from the unit's own history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outlier {
    /// The cell.
    pub cell: String,
    /// Its value now.
    pub value: Decimal,
    /// The median of the previous periods.
    pub median: Decimal,
    /// How many median absolute deviations away (rounded).
    pub deviations: Decimal,
}

/// How far from the median of the unit's history a value must lie, in
/// median absolute deviations, to be flagged.
pub const THRESHOLD: u32 = 3;
/// Nor is a value flagged within this share of the median (22 against a
/// typical 26 is ordinary noise, whatever the deviations say; trends and
/// seasons move a figure by a third in a few months)…
const MIN_RELATIVE: &str = "0.5";
/// …or this close to it in absolute terms (small counts jump: 3 against 1).
const MIN_ABSOLUTE: u32 = 3;
/// Periods of history needed before anything is judged.
const MIN_HISTORY: usize = 6;

/// Cells whose value lies far from the unit's own history (`history`: its
/// previous accepted periods, at least [`MIN_HISTORY`] of them): more than
/// [`THRESHOLD`] median absolute deviations from the median and more than
/// half of it (a flat history, with no deviation: half of it too), and
/// always more than 3 from it. A value close to the same period last year
/// (`last_year`, within half of it) is the season, not an anomaly.
/// Informative: shown next to the cell, never blocking.
pub fn outliers(
    content: &Content,
    history: &[Content],
    last_year: Option<&Content>,
) -> Vec<Outlier> {
    fn median(mut xs: Vec<Decimal>) -> Decimal {
        xs.sort();
        let n = xs.len();
        if n % 2 == 1 {
            xs[n / 2]
        } else {
            (xs[n / 2 - 1] + xs[n / 2]) / Decimal::TWO
        }
    }
    let min_relative = Decimal::from_str(MIN_RELATIVE).unwrap_or(Decimal::ZERO);
    let number =
        |c: &Content, cell: &str| c.values.get(cell).and_then(|t| Decimal::from_str(t).ok());
    let mut out = Vec::new();
    for (cell, text) in &content.values {
        let Ok(value) = Decimal::from_str(text) else {
            continue;
        };
        let past: Vec<Decimal> = history.iter().filter_map(|c| number(c, cell)).collect();
        if past.len() < MIN_HISTORY {
            continue;
        }
        let med = median(past.clone());
        let mad = median(past.iter().map(|x| (*x - med).abs()).collect());
        let distance = (value - med).abs();
        let far = distance > Decimal::from(MIN_ABSOLUTE)
            && if mad.is_zero() {
                !med.is_zero() && distance > med.abs() / Decimal::TWO
            } else {
                distance > Decimal::from(THRESHOLD) * mad && distance > min_relative * med.abs()
            };
        let seasonal = last_year
            .and_then(|c| number(c, cell))
            .is_some_and(|ly| (value - ly).abs() <= min_relative * ly.abs());
        if far && !seasonal {
            out.push(Outlier {
                cell: cell.clone(),
                value,
                median: med,
                deviations: if mad.is_zero() {
                    Decimal::ZERO
                } else {
                    (distance / mad).round_dp(1)
                },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outliers_against_the_units_history() {
        let c = |v: &str| Content {
            values: [("A".to_string(), v.to_string())].into_iter().collect(),
            ..Default::default()
        };
        let history: Vec<Content> = ["100", "104", "98", "101", "97", "103", "99", "102"]
            .iter()
            .map(|v| c(v))
            .collect();
        assert!(outliers(&c("105"), &history, None).is_empty());
        let found = outliers(&c("1000"), &history, None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].median.normalize().to_string(), "100.5");
        // Too little history: nothing is judged.
        assert!(outliers(&c("1000"), &history[..5], None).is_empty());
        // A flat history flags a jump of more than half.
        let flat: Vec<Content> = (0..6).map(|_| c("10")).collect();
        assert_eq!(outliers(&c("16"), &flat, None).len(), 1);
        assert!(outliers(&c("14"), &flat, None).is_empty());
        // Many deviations but ordinary: 22 against a steady 26 (within half).
        let steady: Vec<Content> = ["24", "26", "28", "25", "27", "26", "23"]
            .iter()
            .map(|v| c(v))
            .collect();
        assert!(outliers(&c("22"), &steady, None).is_empty());
        assert_eq!(outliers(&c("12"), &steady, None).len(), 1);
        // Small counts: 4 against a history of 1s and 0s is noise.
        let small: Vec<Content> = ["1", "0", "1", "1", "0", "1"]
            .iter()
            .map(|v| c(v))
            .collect();
        assert!(outliers(&c("4"), &small, None).is_empty());
        assert_eq!(outliers(&c("9"), &small, None).len(), 1);
        // The season: far from the last months, near the same month last year.
        assert!(outliers(&c("1000"), &history, Some(&c("900"))).is_empty());
        assert_eq!(outliers(&c("1000"), &history, Some(&c("100"))).len(), 1);
    }
}

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

/// Cells whose value lies more than `threshold` median absolute deviations
/// from the median of the same cell in `history` (the unit's previous
/// periods, at least 6 of them). A flat history (MAD 0) flags any change of
/// more than 50 %. Informative: shown next to the cell, not blocking.
pub fn outliers(content: &Content, history: &[Content], threshold: Decimal) -> Vec<Outlier> {
    fn median(mut xs: Vec<Decimal>) -> Decimal {
        xs.sort();
        let n = xs.len();
        if n % 2 == 1 {
            xs[n / 2]
        } else {
            (xs[n / 2 - 1] + xs[n / 2]) / Decimal::TWO
        }
    }
    let mut out = Vec::new();
    for (cell, text) in &content.values {
        let Ok(value) = Decimal::from_str(text) else {
            continue;
        };
        let past: Vec<Decimal> = history
            .iter()
            .filter_map(|c| c.values.get(cell).and_then(|t| Decimal::from_str(t).ok()))
            .collect();
        if past.len() < 6 {
            continue;
        }
        let med = median(past.clone());
        let mad = median(past.iter().map(|x| (*x - med).abs()).collect());
        let distance = (value - med).abs();
        let flagged = if mad.is_zero() {
            !med.is_zero() && distance > med.abs() / Decimal::TWO
        } else {
            distance > threshold * mad
        };
        if flagged {
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
        let three = Decimal::from(3);
        assert!(outliers(&c("105"), &history, three).is_empty());
        let found = outliers(&c("1000"), &history, three);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].median.normalize().to_string(), "100.5");
        // Too little history: nothing is judged.
        assert!(outliers(&c("1000"), &history[..5], three).is_empty());
        // A flat history flags a jump of more than half.
        let flat: Vec<Content> = (0..6).map(|_| c("10")).collect();
        assert_eq!(outliers(&c("16"), &flat, three).len(), 1);
        assert!(outliers(&c("14"), &flat, three).is_empty());
    }
}

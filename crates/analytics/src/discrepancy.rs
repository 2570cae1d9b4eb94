//! Where a unit's official figure (its own accepted report) and the figure
//! computed from the units below it disagree: the leaders' check that a
//! consolidated report adds up.

use baocao_domain::period::PeriodId;
use baocao_domain::unit::UnitId;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::engine::Engine;
use crate::query::{Coverage, Reading};

/// One cell whose two readings differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discrepancy {
    /// The unit.
    pub unit: UnitId,
    /// The cell key.
    pub cell: String,
    /// Its own accepted report's value.
    pub reported: Decimal,
    /// The value computed from the units below.
    pub computed: Decimal,
    /// The units below that contributed to the computed value.
    pub units: Option<Coverage>,
}

impl Discrepancy {
    /// Reported minus computed.
    pub fn difference(&self) -> Decimal {
        self.reported - self.computed
    }
}

impl Engine {
    /// The cells where the reported and computed readings of `units` differ
    /// in `period`, units in the order given, cells in catalogue order; at
    /// most `limit`. A cell missing on either side is no discrepancy (missing
    /// is missing, not zero), and the computed value is compared at the
    /// reported value's precision: a rate typed as 12,35 matches 12,3456.
    /// Units with nothing below them have nothing to compare.
    pub fn discrepancies(
        &self,
        units: &[UnitId],
        period: &PeriodId,
        limit: usize,
    ) -> Vec<Discrepancy> {
        let mut out = Vec::new();
        for unit in units {
            let Some(ix) = self.units.ix(*unit) else {
                continue;
            };
            if self.units.is_leaf(ix) {
                continue;
            }
            for cell in &self.cells.list {
                let reported = self.figure(&cell.key, *unit, period, Reading::Reported);
                let Some(reported_value) = reported.and_then(|f| f.value) else {
                    continue;
                };
                let Some(computed) = self.figure(&cell.key, *unit, period, Reading::Computed)
                else {
                    continue;
                };
                let Some(computed_value) = computed.value else {
                    continue;
                };
                let shown = computed_value.round_dp(reported_value.scale());
                if shown == reported_value {
                    continue;
                }
                out.push(Discrepancy {
                    unit: *unit,
                    cell: cell.key.clone(),
                    reported: reported_value,
                    computed: computed_value,
                    units: computed.units,
                });
                if out.len() >= limit {
                    return out;
                }
            }
        }
        out
    }
}

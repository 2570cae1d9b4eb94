//! The discrepancy view: where a unit's official figure (its own accepted
//! report) and the figure computed from the units below it differ, for the
//! unit and every unit under it the caller may read.

use baocao_analytics::Coverage;
use baocao_domain::access::{Permission, Principal};
use baocao_domain::period::PeriodId;
use baocao_domain::unit::UnitId;
use rust_decimal::Decimal;
use serde::Serialize;

use super::queries::unit_info;
use super::{readable, Relation, UnitInfo};
use crate::{App, AppError, AppResult};

/// Discrepancies listed at most (the rest are counted as cut off).
pub const MAX_DISCREPANCIES: usize = 500;

/// One cell of one unit whose readings differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiscrepancyRow {
    /// The unit.
    pub unit: UnitInfo,
    /// The cell key.
    pub cell: String,
    /// Its name, Vietnamese.
    pub name_vi: String,
    /// Its name, English.
    pub name_en: String,
    /// The unit's own accepted report.
    pub reported: Decimal,
    /// Computed from the units below.
    pub computed: Decimal,
    /// Reported minus computed.
    pub difference: Decimal,
    /// The units below that contributed to the computed value.
    pub units: Option<Coverage>,
}

/// The discrepancies under a unit for a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discrepancies {
    /// The unit asked about.
    pub unit: UnitInfo,
    /// The period.
    pub period: PeriodId,
    /// The discrepancies, unit by unit (the unit first, then those below).
    pub rows: Vec<DiscrepancyRow>,
    /// Whether the list was cut at [`MAX_DISCREPANCIES`].
    pub truncated: bool,
    /// The ledger position the engine reflects.
    pub as_of: i64,
}

impl App {
    /// Where the reported and computed figures of `unit` and the units below
    /// it differ in `period`, for a caller who may read the unit's dashboard
    /// (units below it the caller may not read are left out; a unit the
    /// caller may not read answers as absent).
    pub async fn discrepancies(
        &self,
        principal: &Principal,
        unit: UnitId,
        period: PeriodId,
    ) -> AppResult<Discrepancies> {
        if !principal.may_somewhere(Permission::ViewDashboard) {
            return Err(AppError::Forbidden);
        }
        let meta = self.metadata().await?;
        let analytics = self.analytics.clone();
        let principal = principal.clone();
        let (info, found) = self
            .heavy
            .run(move || {
                analytics.read(|engine| {
                    if readable(engine, &principal, &[unit]).is_empty() {
                        return None;
                    }
                    let related = engine.related(unit, &Relation::Subtree, &[period]);
                    let units = readable(engine, &principal, &related);
                    let found = engine.discrepancies(&units, &period, MAX_DISCREPANCIES + 1);
                    let with_units = found
                        .into_iter()
                        .filter_map(|d| unit_info(engine, d.unit).map(|u| (u, d)))
                        .collect::<Vec<_>>();
                    Some((unit_info(engine, unit)?, with_units))
                })
            })
            .await??
            .ok_or(AppError::NotFound)?;
        let truncated = found.len() > MAX_DISCREPANCIES;
        let rows = found
            .into_iter()
            .take(MAX_DISCREPANCIES)
            .map(|(u, d)| {
                let (name_vi, name_en) = meta.cell_names(&d.cell).unwrap_or_default();
                DiscrepancyRow {
                    unit: u,
                    difference: d.difference(),
                    cell: d.cell,
                    name_vi,
                    name_en,
                    reported: d.reported,
                    computed: d.computed,
                    units: d.units,
                }
            })
            .collect();
        Ok(Discrepancies {
            unit: info,
            period,
            rows,
            truncated,
            as_of: self.analytics.ledger_position().unwrap_or(0),
        })
    }
}

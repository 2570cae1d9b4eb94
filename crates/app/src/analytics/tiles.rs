//! The tiles (ô chỉ tiêu) of a unit's dashboard: a default set drawn from the
//! regimes' forms, or the ones an administrator chose and ordered for the unit
//! (stored, and recorded in the ledger).

use baocao_domain::access::{Permission, Principal, Target};
use baocao_domain::audit::AuditEvent;
use baocao_domain::catalogue::{Metadata, FIELDS};
use baocao_domain::unit::UnitId;
use baocao_domain::Message;
use baocao_store::{dashboards as store_dashboards, units as store_units};

use super::queries::CellInfo;
use crate::{App, AppError, AppResult};

/// Tiles a dashboard shows at most.
pub const MAX_TILES: usize = 12;
/// Tiles of the default set.
const DEFAULT_TILES: usize = 8;

/// A unit's tiles as the editor shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct TileSettings {
    /// The unit.
    pub unit: UnitId,
    /// Its name.
    pub unit_name: String,
    /// The tiles shown, in order.
    pub chosen: Vec<String>,
    /// Whether they were chosen for the unit (else they are the default).
    pub custom: bool,
    /// Every indicator a tile may show, in catalogue order.
    pub choices: Vec<CellInfo>,
}

/// The names and unit of measure of a cell, `None` for an unknown one.
pub(crate) fn cell_info(meta: &Metadata, key: &str) -> Option<CellInfo> {
    let (name_vi, name_en) = meta.cell_names(key)?;
    let indicator = meta.indicator(key.split('/').next().unwrap_or(key))?;
    Some(CellInfo {
        key: key.to_string(),
        name_vi,
        name_en,
        measure_vi: indicator.measure_vi.clone(),
        measure_en: indicator.measure_en.clone(),
    })
}

/// The numeric indicators of the regimes' forms (the latest version of
/// each regime), in the order the forms list them.
fn form_indicators(meta: &Metadata) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for regime in &meta.regimes {
        let Some(version) = regime.versions.last() else {
            continue;
        };
        for row in version.forms.iter().flat_map(|f| f.rows.iter()) {
            let numeric = meta
                .indicator(&row.indicator)
                .is_some_and(|i| i.value_type.is_numeric());
            if numeric && !out.contains(&row.indicator.as_str()) {
                out.push(&row.indicator);
            }
        }
    }
    out
}

/// The default tiles: one indicator of each field of Decision 293 that the
/// forms hold (the first with a target, else the first), in the order of the
/// fields, then the others in form order, up to eight. Indicators with figures for the unit come first;
/// `has_data` says which.
pub(crate) fn default_tiles(meta: &Metadata, has_data: impl Fn(&str) -> bool) -> Vec<String> {
    let all = form_indicators(meta);
    let with_data: Vec<&str> = all.iter().copied().filter(|c| has_data(c)).collect();
    let pool = if with_data.is_empty() { all } else { with_data };
    let field = |code: &str| meta.indicator(code).and_then(|i| i.field.clone());
    let has_target = |code: &str| meta.indicator(code).is_some_and(|i| !i.targets.is_empty());
    let mut fields: Vec<Option<String>> = Vec::new();
    for code in &pool {
        let f = field(code);
        if !fields.contains(&f) {
            fields.push(f);
        }
    }
    let mut chosen: Vec<String> = Vec::new();
    for f in &fields {
        let in_field: Vec<&str> = pool.iter().copied().filter(|c| &field(c) == f).collect();
        let pick = in_field.iter().find(|c| has_target(c)).or(in_field.first());
        if let Some(code) = pick {
            chosen.push(code.to_string());
        }
    }
    for code in &pool {
        if !chosen.iter().any(|c| c == code) {
            chosen.push(code.to_string());
        }
    }
    // One per field first, in the order of Decision 293's fields (growth,
    // public finance, …); the rest after, in the forms' order.
    let firsts = fields.len().min(DEFAULT_TILES);
    let mut head: Vec<String> = chosen[..firsts].to_vec();
    let order = |c: &String| {
        let f = field(c);
        FIELDS
            .iter()
            .position(|x| f.as_deref() == Some(*x))
            .unwrap_or(FIELDS.len())
    };
    head.sort_by_key(order);
    head.extend(chosen[firsts..].iter().cloned());
    head.truncate(DEFAULT_TILES);
    head
}

/// Whether `principal` may choose the tiles of a unit's dashboard: a system
/// or regime administrator over the unit.
pub(crate) fn may_edit_tiles(principal: &Principal, target: &Target<'_>) -> bool {
    principal.may(Permission::DefineRegimes, target)
        || principal.may(Permission::ManageUnits, target)
}

impl App {
    /// The unit and its ancestors (404 for an unknown unit).
    async fn unit_target(&self, unit: UnitId) -> AppResult<(String, Vec<UnitId>)> {
        let mut conn = self.store.conn().await?;
        let found = store_units::get(&mut conn, unit)
            .await?
            .ok_or(AppError::NotFound)?;
        let ancestors = store_units::ancestor_ids(&mut conn, unit).await?;
        Ok((found.name, ancestors))
    }

    /// The tiles stored for a unit, unknown cells left out (`None`: none stored).
    pub(crate) async fn stored_tiles(
        &self,
        meta: &Metadata,
        unit: UnitId,
    ) -> AppResult<Option<Vec<String>>> {
        let mut conn = self.store.conn().await?;
        let stored = store_dashboards::tiles(&mut conn, unit).await?;
        Ok(stored.map(|cells| {
            cells
                .into_iter()
                .filter(|c| meta.cell_names(c).is_some())
                .collect()
        }))
    }

    /// A unit's tiles and the indicators to choose from, for an administrator
    /// over the unit (anyone else: 404).
    pub async fn dashboard_tiles(
        &self,
        principal: &Principal,
        unit: UnitId,
    ) -> AppResult<TileSettings> {
        let (unit_name, ancestors) = self.unit_target(unit).await?;
        if !may_edit_tiles(
            principal,
            &Target {
                unit,
                ancestors: &ancestors,
            },
        ) {
            return Err(AppError::NotFound);
        }
        let meta = self.metadata().await?;
        let stored = self.stored_tiles(&meta, unit).await?;
        let custom = stored.is_some();
        let chosen = match stored {
            Some(cells) => cells,
            None => {
                let engine_default = self
                    .analytics
                    .read(|engine| super::dashboard::default_for(engine, &meta, unit));
                engine_default.unwrap_or_else(|_| default_tiles(&meta, |_| true))
            }
        };
        let choices = meta
            .indicators
            .iter()
            .filter(|i| i.value_type.is_numeric())
            .filter_map(|i| cell_info(&meta, &i.code))
            .collect();
        Ok(TileSettings {
            unit,
            unit_name,
            chosen,
            custom,
            choices,
        })
    }

    /// Sets the tiles chosen in the tiles form (`cells`, or why they could
    /// not be read); refused, the settings to show the form again.
    pub async fn set_tiles_from_form(
        &self,
        principal: &Principal,
        unit: UnitId,
        cells: AppResult<Vec<String>>,
    ) -> AppResult<crate::forms::FormOutcome<(), TileSettings>> {
        let saved = match cells {
            Ok(cells) => self.set_dashboard_tiles(principal, unit, cells).await,
            Err(e) => Err(e),
        };
        crate::forms::or_again(saved, || self.dashboard_tiles(principal, unit)).await
    }

    /// Chooses and orders the tiles of a unit's dashboard (an empty list goes
    /// back to the default set), recorded in the ledger.
    pub async fn set_dashboard_tiles(
        &self,
        principal: &Principal,
        unit: UnitId,
        cells: Vec<String>,
    ) -> AppResult<()> {
        let (_, ancestors) = self.unit_target(unit).await?;
        if !may_edit_tiles(
            principal,
            &Target {
                unit,
                ancestors: &ancestors,
            },
        ) {
            return Err(AppError::NotFound);
        }
        let meta = self.metadata().await?;
        let mut chosen: Vec<String> = Vec::with_capacity(cells.len());
        for cell in cells {
            let known = meta.cell_names(&cell).is_some()
                && meta
                    .indicator(cell.split('/').next().unwrap_or(&cell))
                    .is_some_and(|i| i.value_type.is_numeric());
            if !known {
                return Err(AppError::field(
                    "tiles",
                    Message::new("analytics.error.unknown_indicator").arg("value", &cell),
                ));
            }
            if !chosen.contains(&cell) {
                chosen.push(cell);
            }
        }
        if chosen.len() > MAX_TILES {
            return Err(AppError::field(
                "tiles",
                Message::new("analytics.error.too_many").arg("max", MAX_TILES),
            ));
        }
        let at = crate::now();
        let mut tx = self.store.begin_write().await?;
        let stored = (!chosen.is_empty()).then_some(chosen.as_slice());
        store_dashboards::set_tiles(&mut tx, unit, stored, principal.actor(), at).await?;
        let event = AuditEvent::DashboardTilesSet {
            unit,
            cells: chosen,
        };
        crate::ledger::record(&mut tx, &crate::ledger::Actor::of(principal), &event, at).await?;
        baocao_store::commit(tx).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Metadata {
        let doc = serde_json::json!({
            "format": "baocao-metadata/1", "disaggregations": [], "requests": [],
            "indicators": [
                {"code": "A1", "name_vi": "a1", "name_en": "", "field": "growth", "measure_vi": "", "measure_en": "",
                 "value_type": "decimal", "over_units": "sum", "over_time": "sum"},
                {"code": "A2", "name_vi": "a2", "name_en": "", "field": "growth", "measure_vi": "", "measure_en": "",
                 "value_type": "decimal", "over_units": "sum", "over_time": "sum"},
                {"code": "B1", "name_vi": "b1", "name_en": "", "field": "labour", "measure_vi": "%", "measure_en": "%",
                 "value_type": "percentage", "over_units": "none", "over_time": "last"},
                {"code": "B2", "name_vi": "b2", "name_en": "", "field": "labour", "measure_vi": "%", "measure_en": "%",
                 "value_type": "percentage", "over_units": "none", "over_time": "last",
                 "targets": [{"year": 2026, "applies_to": "all", "at_least": "50"}]},
                {"code": "T1", "name_vi": "t1", "name_en": "", "measure_vi": "", "measure_en": "",
                 "value_type": "text", "over_units": "none", "over_time": "last"}
            ],
            "regimes": [{"code": "R", "versions": [{
                "from": "2026M01", "name_vi": "r", "name_en": "r", "legal_basis": "x", "kind": "periodic",
                "frequency": "monthly", "convention": "calendar", "receiving_unit": "40", "methods": ["system"],
                "reporting": [{"name_vi": "xã", "name_en": "", "select": {"level": "commune"}, "stage": 1,
                    "deadline": {"working_days_after_window": 5}}],
                "forms": [{"code": "B", "title_vi": "b", "title_en": "b",
                    "columns": [{"code": "C1", "title_vi": "x", "title_en": "", "source": "current"}],
                    "rows": [{"indicator": "A1"}, {"indicator": "A2"}, {"indicator": "B1"},
                             {"indicator": "B2"}, {"indicator": "T1"}]}]}]}]
        });
        serde_json::from_value(doc).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_default_takes_each_field_first_and_prefers_targets_and_figures() {
        let m = meta();
        assert_eq!(
            default_tiles(&m, |_| true),
            ["A1", "B2", "A2", "B1"],
            "growth before labour"
        );
        assert_eq!(default_tiles(&m, |c| c != "A1"), ["A2", "B2", "B1"]);
        assert_eq!(default_tiles(&m, |_| false), ["A1", "B2", "A2", "B1"]);
    }
}

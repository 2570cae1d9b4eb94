//! Boundaries (ranh giới) of the units of a level, loaded from a GeoJSON file
//! by an administrator so that maps can colour true areas (a choropleth)
//! instead of approximate ones. A file is taken whole or not at all: every
//! feature's code must name a unit of the level.

use std::collections::HashMap;

use baocao_analytics::geo::simplify;
use baocao_domain::access::{Permission, Principal};
use baocao_domain::audit::AuditEvent;
use baocao_domain::unit::UnitId;
use baocao_domain::Message;
use baocao_formats::geojson::{read_boundaries, Boundary, GeoJsonError, Polygon};
use baocao_store::{dashboards as store_dashboards, units as store_units};
use sha2::{Digest, Sha256};

use crate::{App, AppError, AppResult};

/// Points a boundary file may hold in all.
pub const MAX_BOUNDARY_POINTS: usize = 5_000_000;
/// Points closer than this to the simplified line are dropped (degrees,
/// about 50 m): maps are drawn a few hundred pixels wide.
const TOLERANCE: f64 = 0.0005;
/// Codes named in a refusal at most.
const NAMED: usize = 10;

/// What a load stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundariesLoaded {
    /// Features read.
    pub features: usize,
    /// Units given a boundary (a code can name a unit in several structures).
    pub units: usize,
}

fn file_error(e: &GeoJsonError) -> AppError {
    let message = match e {
        GeoJsonError::Malformed(detail) => {
            Message::new("boundaries.error.malformed").arg("detail", detail)
        }
        GeoJsonError::NotACollection => Message::new("boundaries.error.not_a_collection"),
        GeoJsonError::NoCode { index, property } => Message::new("boundaries.error.no_code")
            .arg("index", index)
            .arg("property", property),
        GeoJsonError::BadGeometry { index, code } => Message::new("boundaries.error.geometry")
            .arg("index", index)
            .arg("code", code),
        GeoJsonError::TooManyPoints { max } => {
            Message::new("boundaries.error.too_many_points").arg("max", max)
        }
    };
    AppError::field("file", message)
}

/// A boundary made lighter for storage: rings simplified, coordinates to
/// five decimals (about a metre).
fn lighter(polygons: &[Polygon]) -> Vec<Polygon> {
    let round = |v: f64| (v * 1e5).round() / 1e5;
    polygons
        .iter()
        .map(|rings| {
            rings
                .iter()
                .map(|ring| {
                    simplify(ring, TOLERANCE)
                        .into_iter()
                        .map(|[x, y]| [round(x), round(y)])
                        .collect()
                })
                .filter(|ring: &Vec<[f64; 2]>| ring.len() >= 3)
                .collect()
        })
        .filter(|rings: &Polygon| !rings.is_empty())
        .collect()
}

/// Each feature's units, or the refusal naming the codes no unit of the
/// level has and those given twice.
fn match_codes(
    features: &[Boundary],
    units: &HashMap<String, Vec<UnitId>>,
) -> AppResult<Vec<(UnitId, usize)>> {
    let mut unknown: Vec<&str> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut twice: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (i, f) in features.iter().enumerate() {
        if seen.contains(&f.code.as_str()) {
            twice.push(&f.code);
            continue;
        }
        seen.push(&f.code);
        match units.get(&f.code) {
            Some(ids) => out.extend(ids.iter().map(|id| (*id, i))),
            None => unknown.push(&f.code),
        }
    }
    let named = |codes: &[&str]| {
        codes
            .iter()
            .take(NAMED)
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !unknown.is_empty() {
        return Err(AppError::field(
            "file",
            Message::new("boundaries.error.unmatched")
                .arg("count", unknown.len())
                .arg("codes", named(&unknown)),
        ));
    }
    if !twice.is_empty() {
        return Err(AppError::field(
            "file",
            Message::new("boundaries.error.duplicate").arg("codes", named(&twice)),
        ));
    }
    Ok(out)
}

impl App {
    /// Loads the boundaries of a level's units from a GeoJSON
    /// FeatureCollection (the unit's code in property `code_property`),
    /// replacing those loaded before; refused whole when a code names no unit
    /// of the level. For system administrators over the whole system.
    pub async fn load_boundaries(
        &self,
        principal: &Principal,
        level: &str,
        code_property: &str,
        bytes: Vec<u8>,
    ) -> AppResult<BoundariesLoaded> {
        if !principal.may_at_top(Permission::ManageUnits) {
            return Err(AppError::Forbidden);
        }
        let units: HashMap<String, Vec<UnitId>> = {
            let mut conn = self.store.conn().await?;
            let levels = store_units::levels(&mut conn).await?;
            if !levels.iter().any(|l| l.code.as_str() == level) {
                return Err(AppError::field(
                    "level",
                    Message::new("boundaries.error.unknown_level").arg("value", level),
                ));
            }
            let mut by_code: HashMap<String, Vec<UnitId>> = HashMap::new();
            for u in store_units::all_units(&mut conn).await? {
                if u.level.as_str() == level {
                    by_code.entry(u.code.to_string()).or_default().push(u.id);
                }
            }
            by_code
        };
        let property = code_property.to_string();
        let (sha256, features) = self
            .heavy
            .run(move || {
                let sha = hex::encode(Sha256::digest(&bytes));
                read_boundaries(&bytes, &property, MAX_BOUNDARY_POINTS).map(|f| (sha, f))
            })
            .await?
            .map_err(|e| file_error(&e))?;
        let matched = match_codes(&features, &units)?;
        let mut rows = Vec::with_capacity(matched.len());
        for (unit, i) in &matched {
            let text = serde_json::to_string(&lighter(&features[*i].polygons))
                .map_err(|e| AppError::Internal(e.to_string()))?;
            rows.push((*unit, text));
        }
        let at = crate::now();
        let mut tx = self.store.begin_write().await?;
        store_dashboards::replace_boundaries(&mut tx, level, &rows, at).await?;
        let event = AuditEvent::BoundariesLoaded {
            level: level.to_string(),
            units: rows.len(),
            sha256,
        };
        crate::ledger::record(&mut tx, &crate::ledger::Actor::of(principal), &event, at).await?;
        baocao_store::commit(tx).await?;
        Ok(BoundariesLoaded {
            features: features.len(),
            units: rows.len(),
        })
    }
}

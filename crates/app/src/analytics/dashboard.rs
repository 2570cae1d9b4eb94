//! A unit's dashboard (bảng điều hành) for its leaders: a tile per chosen
//! indicator (the latest period with data, the same period a year earlier,
//! the year to date, progress against the year's target, a two-year trend),
//! a ranking of the units below it, the targets those units are furthest
//! from, and the timeliness of the reports it receives.
//!
//! Every figure is the *preferred* reading — the unit's own accepted report
//! where there is one, else the figure computed from the units below — and
//! says which it is; missing figures stay missing, with their coverage.

use std::collections::HashMap;
use std::sync::Arc;

use baocao_analytics::insight::{
    a_year_before, is_flow, months_reached, progress, year_to_date_parts,
};
use baocao_analytics::{target_for, Engine, Figure, Progress, Reading, Relation};
use baocao_domain::access::{Permission, Principal, Target};
use baocao_domain::catalogue::{Aggregation, Metadata, ValueType};
use baocao_domain::period::{PeriodId, PeriodKind};
use baocao_domain::unit::{OrgUnit, UnitId};
use baocao_formats::geojson::Polygon;
use baocao_store::dashboards as store_dashboards;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::queries::CellInfo;
use super::readable;
use super::tiles::{cell_info, default_tiles, may_edit_tiles};
use crate::reports::Timeliness;
use crate::{App, AppError, AppResult};

/// Regimes whose timeliness a dashboard shows at most.
const MAX_TIMELINESS: usize = 3;
/// A tile shows the latest period whose computed figure covers at least this
/// share (%) of the units expected to report — not a month still being
/// reported — unless no period does.
const COVERED: u32 = 80;

/// Which dashboard, and which tile's indicator the ranking, map and targets
/// are about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardQuery {
    /// The unit; `None` for the caller's own.
    pub unit: Option<UnitId>,
    /// The cell key of the tile in focus; `None` for the first tile.
    pub focus: Option<String>,
}

/// A unit as dashboards name and place it.
#[derive(Debug, Clone, PartialEq)]
pub struct DashUnit {
    /// Id.
    pub id: UnitId,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Level (`province`, `commune`, …).
    pub level: String,
    /// Approximate latitude.
    pub lat: Option<f64>,
    /// Approximate longitude.
    pub lon: Option<f64>,
}

impl DashUnit {
    pub(crate) fn of(u: &OrgUnit) -> DashUnit {
        DashUnit {
            id: u.id,
            code: u.code.to_string(),
            name: u.name.clone(),
            level: u.level.as_str().to_string(),
            lat: u.lat,
            lon: u.lon,
        }
    }
}

/// One indicator's tile.
#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    /// The cell, its names and unit of measure.
    pub cell: CellInfo,
    /// Its indicator's value type.
    pub value_type: ValueType,
    /// Whether it builds up over the year (its target is for the whole year).
    pub flow: bool,
    /// The latest period with a figure, and the figure.
    pub latest: Option<(PeriodId, Figure)>,
    /// The same period a year earlier, in the same reading.
    pub last_year: Option<Figure>,
    /// From January to the latest period (when that is more than one period).
    pub year_to_date: Option<Figure>,
    /// The same a year earlier.
    pub year_to_date_last_year: Option<Figure>,
    /// Against the year's target, when the unit has one.
    pub target: Option<Progress>,
    /// The figures of the last 24 months (8 quarters, 8 years), oldest first.
    pub trend: Vec<(PeriodId, Option<Decimal>)>,
}

/// The units below the dashboard's unit, by the indicator in focus.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// The cell.
    pub cell: CellInfo,
    /// The period.
    pub period: PeriodId,
    /// Largest first; units without a figure last.
    pub rows: Vec<(DashUnit, Figure)>,
    /// Units below that the caller may not read (left out).
    pub withheld: usize,
}

/// A unit against its target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRow {
    /// The unit.
    pub unit: DashUnit,
    /// Its figure (year to date for a flow); `None` is missing.
    pub actual: Option<Decimal>,
    /// The target's bound.
    pub target: Decimal,
    /// A lower bound (else an upper one).
    pub at_least: bool,
    /// Where the figure stands, when there is one.
    pub progress: Option<Progress>,
}

/// The units below against one indicator's targets for the year.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetPanel {
    /// The cell.
    pub cell: CellInfo,
    /// The period the figures are for.
    pub period: PeriodId,
    /// Whether the figures are years to date.
    pub flow: bool,
    /// Furthest behind first; units without a figure last.
    pub rows: Vec<TargetRow>,
    /// How many are short of their target.
    pub behind: usize,
}

/// A unit's dashboard.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The unit.
    pub unit: DashUnit,
    /// Its ancestors whose dashboards the caller may read, the top first.
    pub trail: Vec<DashUnit>,
    /// The dashboards the caller starts from (one per grant).
    pub roots: Vec<DashUnit>,
    /// The tiles, in order.
    pub tiles: Vec<Tile>,
    /// The tile in focus (position in `tiles`).
    pub focus: usize,
    /// The units below by the indicator in focus (none for a unit without units below).
    pub ranking: Option<Ranking>,
    /// The targets of the tiles' indicators for the units below.
    pub targets: Vec<TargetPanel>,
    /// Timeliness of the reports the unit receives, for the tiles' regimes.
    pub timeliness: Vec<Timeliness>,
    /// Boundaries of the ranked units, where loaded.
    pub boundaries: HashMap<UnitId, Vec<Polygon>>,
    /// Whether the tiles were chosen for the unit (else the default).
    pub custom_tiles: bool,
    /// Whether the caller may choose the tiles.
    pub may_edit_tiles: bool,
    /// The ledger position the figures reflect.
    pub as_of: i64,
}

/// The default tiles of a unit: [`default_tiles`] preferring indicators
/// with figures for it.
pub(crate) fn default_for(engine: &Engine, meta: &Metadata, unit: UnitId) -> Vec<String> {
    let today = crate::today();
    default_tiles(meta, |code| {
        engine
            .latest(code, unit, today.year(), today.month(), Reading::Preferred)
            .is_some()
    })
}

/// The units the caller's dashboards start from: the units of its grants
/// that let it read dashboards, or the top units for a system-wide grant.
pub(crate) fn caller_roots(
    engine: &Engine,
    principal: &Principal,
    today: NaiveDate,
) -> Vec<UnitId> {
    match principal.roots(Permission::ViewDashboard) {
        Some(roots) => roots,
        None => {
            let units = engine.units();
            units
                .list
                .iter()
                .filter(|u| u.parent.is_none() && u.validity.contains(today))
                .map(|u| u.id)
                .collect()
        }
    }
}

fn unit_of(engine: &Engine, id: UnitId) -> Option<DashUnit> {
    let units = engine.units();
    units.ix(id).map(|ix| DashUnit::of(units.unit(ix)))
}

/// One tile: the latest figure and what is said about it.
fn tile(
    engine: &Engine,
    meta: &Metadata,
    unit: &OrgUnit,
    key: &str,
    today: NaiveDate,
) -> Option<Tile> {
    let cell = cell_info(meta, key)?;
    let indicator = meta.indicator(key.split('/').next().unwrap_or(key))?;
    let flow = is_flow(indicator);
    let mut tile = Tile {
        cell,
        value_type: indicator.value_type,
        flow,
        latest: None,
        last_year: None,
        year_to_date: None,
        year_to_date_last_year: None,
        target: None,
        trend: Vec::new(),
    };
    let now = (today.year(), today.month());
    let latest = engine
        .latest_covered(key, unit.id, now, Reading::Preferred, COVERED)
        .or_else(|| engine.latest(key, unit.id, now.0, now.1, Reading::Preferred));
    let Some((period, figure)) = latest else {
        return Some(tile);
    };
    let reading = figure.reading;
    let before = a_year_before(&period);
    tile.last_year = before.and_then(|b| engine.figure(key, unit.id, &b, reading));
    // A year to date means something for flows and for rates of flows, not
    // for stocks and levels (their latest value is their year to date).
    let cumulative = flow
        || (indicator.formula.is_some()
            && matches!(
                indicator.over_time,
                Aggregation::Sum | Aggregation::WeightedAverage(_)
            ));
    if cumulative && year_to_date_parts(&period).len() > 1 {
        tile.year_to_date = engine.year_to_date(key, unit.id, &period, reading);
        tile.year_to_date_last_year =
            before.and_then(|b| engine.year_to_date(key, unit.id, &b, reading));
    }
    if let Some(target) = target_for(
        indicator,
        &unit.code.to_string(),
        unit.level.as_str(),
        period.year(),
    ) {
        let actual = if flow {
            tile.year_to_date.as_ref().unwrap_or(&figure).value
        } else {
            figure.value
        };
        let due =
            flow.then(|| Decimal::from(months_reached(&period).unwrap_or(12)) / Decimal::from(12));
        tile.target = actual.and_then(|a| progress(a, target, due));
    }
    let points = match period.kind() {
        PeriodKind::Month(_) => 24,
        _ => 8,
    };
    tile.trend = engine
        .series(key, unit.id, period, points, Reading::Preferred)
        .into_iter()
        .map(|(p, f)| (p, f.value))
        .collect();
    tile.latest = Some((period, figure));
    Some(tile)
}

/// The units below `unit` that the caller may read, alive in `period`.
fn children(
    engine: &Engine,
    principal: &Principal,
    unit: UnitId,
    period: &PeriodId,
) -> (Vec<UnitId>, usize) {
    let related = engine.related(unit, &Relation::Children, &[*period]);
    let allowed = readable(engine, principal, &related);
    let withheld = related.len() - allowed.len();
    (allowed, withheld)
}

fn ranking(engine: &Engine, principal: &Principal, unit: UnitId, tile: &Tile) -> Option<Ranking> {
    let (period, _) = tile.latest.as_ref()?;
    let (allowed, withheld) = children(engine, principal, unit, period);
    if allowed.is_empty() {
        return None;
    }
    let ranked: Vec<(OrgUnit, Figure)> = engine
        .ranking(&tile.cell.key, &allowed, period, Reading::Preferred)
        .into_iter()
        .filter_map(|(id, f)| {
            let units = engine.units();
            units.ix(id).map(|ix| (units.unit(ix).clone(), f))
        })
        .collect();
    // Units of another kind than those with figures (agencies among
    // communes) and without a figure themselves are not ranked.
    let kinds: Vec<_> = ranked
        .iter()
        .filter(|(_, f)| f.value.is_some())
        .map(|(u, _)| u.kind)
        .collect();
    let rows = ranked
        .into_iter()
        .filter(|(u, f)| f.value.is_some() || kinds.is_empty() || kinds.contains(&u.kind))
        .map(|(u, f)| (DashUnit::of(&u), f))
        .collect();
    Some(Ranking {
        cell: tile.cell.clone(),
        period: *period,
        rows,
        withheld,
    })
}

/// The units below against the targets of a tile's indicator for the year
/// of its latest period (`None` when no target applies to any of them).
fn target_panel(
    engine: &Engine,
    meta: &Metadata,
    principal: &Principal,
    unit: UnitId,
    tile: &Tile,
) -> Option<TargetPanel> {
    let (period, _) = tile.latest.as_ref()?;
    let key = tile.cell.key.as_str();
    let indicator = meta.indicator(key.split('/').next().unwrap_or(key))?;
    let year = period.year();
    if !indicator.targets.iter().any(|t| t.year == year) {
        return None;
    }
    let due = tile
        .flow
        .then(|| Decimal::from(months_reached(period).unwrap_or(12)) / Decimal::from(12));
    let (allowed, _) = children(engine, principal, unit, period);
    let mut rows: Vec<TargetRow> = allowed
        .iter()
        .filter_map(|id| {
            let u = unit_of(engine, *id)?;
            let target = target_for(indicator, &u.code, &u.level, year)?;
            let figure = if tile.flow {
                engine.year_to_date(key, *id, period, Reading::Preferred)
            } else {
                engine.figure(key, *id, period, Reading::Preferred)
            };
            let actual = figure.and_then(|f| f.value);
            let (bound, at_least) = match (target.at_least, target.at_most) {
                (Some(low), _) => (low, true),
                (None, Some(high)) => (high, false),
                (None, None) => return None,
            };
            Some(TargetRow {
                unit: u,
                actual,
                target: bound,
                at_least,
                progress: actual.and_then(|a| progress(a, target, due)),
            })
        })
        .collect();
    let kind = |id: UnitId| {
        let units = engine.units();
        units.ix(id).map(|ix| units.unit(ix).kind)
    };
    let kinds: Vec<_> = rows
        .iter()
        .filter(|r| r.actual.is_some())
        .map(|r| kind(r.unit.id))
        .collect();
    rows.retain(|r| r.actual.is_some() || kinds.is_empty() || kinds.contains(&kind(r.unit.id)));
    if rows.is_empty() {
        return None;
    }
    rows.sort_by(|a, b| match (&a.progress, &b.progress) {
        (Some(x), Some(y)) => y.behind.cmp(&x.behind),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let behind = rows
        .iter()
        .filter(|r| r.progress.is_some_and(|p| !p.met))
        .count();
    Some(TargetPanel {
        cell: tile.cell.clone(),
        period: *period,
        flow: tile.flow,
        rows,
        behind,
    })
}

/// What the engine answers for a dashboard (everything but the timeliness
/// and the boundaries, which come from the store).
struct Build<'a> {
    meta: &'a Metadata,
    principal: &'a Principal,
    unit: UnitId,
    stored: Option<Vec<String>>,
    focus: Option<String>,
    today: NaiveDate,
}

impl Build<'_> {
    fn run(self, engine: &Engine) -> AppResult<Dashboard> {
        let units = engine.units();
        let ix = units.ix(self.unit).ok_or(AppError::NotFound)?;
        if readable(engine, self.principal, &[self.unit]).is_empty() {
            return Err(AppError::NotFound);
        }
        let org = units.unit(ix).clone();
        let ancestors: Vec<UnitId> = units.ancestors(ix).map(|a| units.unit(a).id).collect();
        let mut trail: Vec<DashUnit> = readable(engine, self.principal, &ancestors)
            .into_iter()
            .filter_map(|id| unit_of(engine, id))
            .collect();
        trail.reverse();
        let roots = caller_roots(engine, self.principal, self.today)
            .into_iter()
            .filter_map(|id| unit_of(engine, id))
            .collect();
        let custom_tiles = self.stored.is_some();
        let cells = match self.stored {
            Some(cells) => cells,
            None => default_for(engine, self.meta, self.unit),
        };
        let tiles: Vec<Tile> = cells
            .iter()
            .filter_map(|c| tile(engine, self.meta, &org, c, self.today))
            .collect();
        let focus = self
            .focus
            .and_then(|f| tiles.iter().position(|t| t.cell.key == f))
            .unwrap_or(0);
        let ranking = tiles
            .get(focus)
            .and_then(|t| ranking(engine, self.principal, self.unit, t));
        let targets = tiles
            .iter()
            .filter_map(|t| target_panel(engine, self.meta, self.principal, self.unit, t))
            .collect();
        let may_edit_tiles = may_edit_tiles(
            self.principal,
            &Target {
                unit: self.unit,
                ancestors: &ancestors,
            },
        );
        Ok(Dashboard {
            unit: DashUnit::of(&org),
            trail,
            roots,
            tiles,
            focus,
            ranking,
            targets,
            timeliness: Vec::new(),
            boundaries: HashMap::new(),
            custom_tiles,
            may_edit_tiles,
            as_of: 0,
        })
    }
}

impl App {
    /// A unit's dashboard (the caller's own when none is given), for a caller
    /// who may read it; anyone else is told it does not exist.
    pub async fn dashboard(
        &self,
        principal: &Principal,
        q: DashboardQuery,
    ) -> AppResult<Dashboard> {
        if !principal.may_somewhere(Permission::ViewDashboard) {
            return Err(AppError::Forbidden);
        }
        let meta = self.metadata().await?;
        let today = crate::today();
        let unit = match q.unit {
            Some(unit) => unit,
            None => self
                .analytics
                .read(|engine| caller_roots(engine, principal, today).first().copied())?
                .ok_or(AppError::NotFound)?,
        };
        let stored = self.stored_tiles(&meta, unit).await?;
        let analytics = self.analytics.clone();
        let (meta2, principal2) = (Arc::clone(&meta), principal.clone());
        let mut board = self
            .heavy
            .run(move || {
                analytics.read(|engine| {
                    Build {
                        meta: &meta2,
                        principal: &principal2,
                        unit,
                        stored,
                        focus: q.focus,
                        today,
                    }
                    .run(engine)
                })
            })
            .await???;
        board.as_of = self.analytics.ledger_position().unwrap_or(0);
        board.timeliness = self.timeliness_panels(principal, &meta, &board).await;
        board.boundaries = self.ranked_boundaries(&board).await?;
        Ok(board)
    }

    /// The timeliness of the reports the unit receives for the tiles'
    /// regimes, at each tile's latest period (those it receives none of are
    /// left out).
    async fn timeliness_panels(
        &self,
        principal: &Principal,
        meta: &Metadata,
        board: &Dashboard,
    ) -> Vec<Timeliness> {
        let mut seen: Vec<(String, PeriodId)> = Vec::new();
        let mut out = Vec::new();
        for tile in &board.tiles {
            let Some((period, _)) = &tile.latest else {
                continue;
            };
            let code = tile.cell.key.split('/').next().unwrap_or(&tile.cell.key);
            for regime in &meta.regimes {
                let holds = regime.version_for(period).is_some_and(|(_, v)| {
                    v.frequency == period.frequency()
                        && v.forms
                            .iter()
                            .any(|f| f.rows.iter().any(|r| r.indicator == code))
                });
                let key = (regime.code.clone(), *period);
                if !holds || seen.contains(&key) || out.len() >= MAX_TIMELINESS {
                    continue;
                }
                seen.push(key);
                let answer = self
                    .timeliness(principal, &regime.code, &period.to_string(), board.unit.id)
                    .await;
                if let Ok(t) = answer {
                    if t.expected > 0 {
                        out.push(t);
                    }
                }
            }
        }
        out
    }

    /// The stored boundaries of the ranked units.
    async fn ranked_boundaries(
        &self,
        board: &Dashboard,
    ) -> AppResult<HashMap<UnitId, Vec<Polygon>>> {
        let Some(ranking) = &board.ranking else {
            return Ok(HashMap::new());
        };
        let ids: Vec<UnitId> = ranking.rows.iter().map(|(u, _)| u.id).collect();
        let stored = {
            let mut conn = self.store.conn().await?;
            store_dashboards::boundaries(&mut conn, &ids).await?
        };
        Ok(stored
            .into_iter()
            .filter_map(|(id, text)| serde_json::from_str(&text).ok().map(|p| (id, p)))
            .collect())
    }
}

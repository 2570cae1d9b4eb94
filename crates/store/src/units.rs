//! Org units, levels and reorganisation events.

use std::collections::HashMap;

use baocao_domain::unit::{
    Level, LevelRanks, OrgUnit, ReorgKind, UnitCode, UnitId, UnitKind, Validity,
};
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{list_placeholders, values_placeholders, Conn, StoreError, StoreResult};

const COLUMNS: &str = "u.id, u.kind, u.level, u.code, u.name, u.division_type, u.parent_id, \
                       u.valid_from, u.valid_to, u.lat, u.lon";

/// Rows inserted per statement (SQLite allows 32,766 bound values).
const BATCH: usize = 500;

fn parse_date(text: Option<String>) -> StoreResult<Option<NaiveDate>> {
    text.map(|t| {
        NaiveDate::parse_from_str(&t, "%Y-%m-%d")
            .map_err(|_| StoreError::Corrupt(format!("date {t:?}")))
    })
    .transpose()
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn unit_from_row(row: &AnyRow) -> StoreResult<OrgUnit> {
    let kind = UnitKind::parse(row.try_get("kind")?).map_err(corrupt)?;
    let level = Level::parse(row.try_get("level")?).map_err(corrupt)?;
    let code = UnitCode::parse(kind, row.try_get("code")?).map_err(corrupt)?;
    Ok(OrgUnit {
        id: UnitId::new(row.try_get("id")?),
        kind,
        level,
        code,
        name: row.try_get("name")?,
        division_type: row.try_get("division_type")?,
        parent: row.try_get::<Option<i64>, _>("parent_id")?.map(UnitId::new),
        validity: Validity {
            from: parse_date(row.try_get("valid_from")?)?,
            to: parse_date(row.try_get("valid_to")?)?,
        },
        lat: row.try_get("lat")?,
        lon: row.try_get("lon")?,
    })
}

fn rows_to_units(rows: Vec<AnyRow>) -> StoreResult<Vec<OrgUnit>> {
    rows.iter().map(unit_from_row).collect()
}

/// A level with its names.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelInfo {
    /// Code.
    pub code: Level,
    /// Rank, 0 at the top.
    pub rank: i64,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
}

/// All levels, top first.
pub async fn levels(conn: &mut Conn) -> StoreResult<Vec<LevelInfo>> {
    let rows = sqlx::query("SELECT code, rank, name_vi, name_en FROM levels ORDER BY rank")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(LevelInfo {
                code: Level::parse(r.try_get("code")?).map_err(corrupt)?,
                rank: r.try_get("rank")?,
                name_vi: r.try_get("name_vi")?,
                name_en: r.try_get("name_en")?,
            })
        })
        .collect()
}

/// Level ranks, for checking imports.
pub async fn level_ranks(conn: &mut Conn) -> StoreResult<LevelRanks> {
    Ok(levels(conn)
        .await?
        .into_iter()
        .map(|l| (l.code, l.rank))
        .collect())
}

/// One unit.
pub async fn get(conn: &mut Conn, id: UnitId) -> StoreResult<Option<OrgUnit>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM org_units u WHERE u.id = $1"
    ))
    .bind(id.get())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(unit_from_row).transpose()
}

/// Units with the given ids, in no particular order.
pub async fn get_many(conn: &mut Conn, ids: &[UnitId]) -> StoreResult<Vec<OrgUnit>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(BATCH) {
        let sql = format!(
            "SELECT {COLUMNS} FROM org_units u WHERE u.id IN ({})",
            list_placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id.get());
        }
        out.extend(rows_to_units(q.fetch_all(&mut *conn).await?)?);
    }
    Ok(out)
}

/// The SQL condition "unit exists on $n" for the date bound at `$n`.
fn valid_on(n: usize) -> String {
    format!(
        "(u.valid_from IS NULL OR u.valid_from <= ${n}) AND (u.valid_to IS NULL OR u.valid_to >= ${n})"
    )
}

fn date_text(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.format("%Y-%m-%d").to_string())
}

/// Units without a parent, optionally only those existing on `as_of`.
pub async fn roots(conn: &mut Conn, as_of: Option<NaiveDate>) -> StoreResult<Vec<OrgUnit>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM org_units u JOIN levels l ON l.code = u.level \
         WHERE u.parent_id IS NULL AND ($1 IS NULL OR ({})) ORDER BY l.rank, u.code, u.id",
        valid_on(1)
    );
    let rows = sqlx::query(&sql)
        .bind(date_text(as_of))
        .fetch_all(&mut *conn)
        .await?;
    rows_to_units(rows)
}

/// Direct children of a unit, areas before agencies, by code.
pub async fn children(
    conn: &mut Conn,
    parent: UnitId,
    as_of: Option<NaiveDate>,
) -> StoreResult<Vec<OrgUnit>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM org_units u JOIN levels l ON l.code = u.level \
         WHERE u.parent_id = $1 AND ($2 IS NULL OR ({})) \
         ORDER BY u.kind, l.rank, u.code, u.id",
        valid_on(2)
    );
    let rows = sqlx::query(&sql)
        .bind(parent.get())
        .bind(date_text(as_of))
        .fetch_all(&mut *conn)
        .await?;
    rows_to_units(rows)
}

/// A unit and its ancestors (nearest first), in one statement; `None` for
/// an unknown unit.
pub async fn with_ancestors(
    conn: &mut Conn,
    id: UnitId,
) -> StoreResult<Option<(OrgUnit, Vec<OrgUnit>)>> {
    let sql = format!(
        "WITH RECURSIVE up (id, parent_id, depth) AS ( \
             SELECT id, parent_id, 0 FROM org_units WHERE id = $1 \
             UNION ALL \
             SELECT u.id, u.parent_id, up.depth + 1 FROM org_units u JOIN up ON u.id = up.parent_id \
             WHERE up.depth < 64 \
         ) SELECT {COLUMNS} FROM up JOIN org_units u ON u.id = up.id ORDER BY up.depth"
    );
    let rows = sqlx::query(&sql)
        .bind(id.get())
        .fetch_all(&mut *conn)
        .await?;
    let mut chain = rows_to_units(rows)?.into_iter();
    Ok(chain.next().map(|unit| (unit, chain.collect())))
}

/// Whether a unit has children existing on `as_of` (cheaper than listing
/// them: a province has hundreds).
pub async fn has_children(conn: &mut Conn, parent: UnitId, as_of: NaiveDate) -> StoreResult<bool> {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT u.id FROM org_units u WHERE u.parent_id = $1 AND {} LIMIT 1) one",
        valid_on(2)
    );
    let n: i64 = sqlx::query(&sql)
        .bind(parent.get())
        .bind(date_text(Some(as_of)))
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
    Ok(n > 0)
}

/// The ids of a unit's ancestors, nearest first.
pub async fn ancestor_ids(conn: &mut Conn, id: UnitId) -> StoreResult<Vec<UnitId>> {
    let rows = sqlx::query(
        "WITH RECURSIVE up (id, parent_id, depth) AS ( \
             SELECT id, parent_id, 0 FROM org_units WHERE id = $1 \
             UNION ALL \
             SELECT u.id, u.parent_id, up.depth + 1 FROM org_units u JOIN up ON u.id = up.parent_id \
             WHERE up.depth < 64 \
         ) SELECT id FROM up WHERE depth > 0 ORDER BY depth",
    )
    .bind(id.get())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok(UnitId::new(r.try_get("id")?)))
        .collect()
}

/// A unit and everything below it, optionally only units existing on `as_of`
/// and at most `max_depth` levels down. Parents come before their children.
pub async fn subtree(
    conn: &mut Conn,
    root: UnitId,
    as_of: Option<NaiveDate>,
    max_depth: Option<u32>,
) -> StoreResult<Vec<OrgUnit>> {
    let sql = format!(
        "WITH RECURSIVE down (id, depth) AS ( \
             SELECT id, 0 FROM org_units WHERE id = $1 \
             UNION ALL \
             SELECT u.id, down.depth + 1 FROM org_units u JOIN down ON u.parent_id = down.id \
             WHERE down.depth < $3 \
         ) SELECT {COLUMNS} FROM org_units u JOIN down ON down.id = u.id \
           WHERE ($2 IS NULL OR ({})) ORDER BY down.depth, u.kind, u.code, u.id",
        valid_on(2)
    );
    let rows = sqlx::query(&sql)
        .bind(root.get())
        .bind(date_text(as_of))
        .bind(i64::from(max_depth.unwrap_or(64).min(64)))
        .fetch_all(&mut *conn)
        .await?;
    rows_to_units(rows)
}

/// Search filters.
#[derive(Debug, Clone, Default)]
pub struct UnitQuery {
    /// Folded text to find in names, or a code prefix.
    pub text: Option<String>,
    /// Exact code.
    pub code: Option<String>,
    /// Level.
    pub level: Option<Level>,
    /// Existing on this date.
    pub as_of: Option<NaiveDate>,
    /// Only units in the subtrees of these units (and these units' ancestors);
    /// `None` is everywhere.
    pub within: Option<Vec<UnitId>>,
    /// At most this many rows.
    pub limit: u32,
}

/// Finds units by folded name or code, higher levels first.
pub async fn search(conn: &mut Conn, query: &UnitQuery) -> StoreResult<Vec<OrgUnit>> {
    let mut sql = String::new();
    if let Some(within) = &query.within {
        if within.is_empty() {
            return Ok(Vec::new());
        }
        let roots = list_placeholders(6, within.len());
        sql.push_str(&format!(
            "WITH RECURSIVE allowed (id) AS ( \
                 SELECT id FROM org_units WHERE id IN ({roots}) \
                 UNION SELECT u.id FROM org_units u JOIN allowed a ON u.parent_id = a.id \
             ), up (id, parent_id) AS ( \
                 SELECT id, parent_id FROM org_units WHERE id IN ({roots}) \
                 UNION SELECT u.id, u.parent_id FROM org_units u JOIN up ON u.id = up.parent_id \
             ) "
        ));
    }
    sql.push_str(&format!(
        "SELECT {COLUMNS} FROM org_units u JOIN levels l ON l.code = u.level \
         WHERE ($1 IS NULL OR u.name_folded LIKE $1 OR u.code LIKE $2) \
           AND ($3 IS NULL OR u.code = $3) AND ($4 IS NULL OR u.level = $4) \
           AND ($5 IS NULL OR ({}))",
        valid_on(5)
    ));
    if query.within.is_some() {
        sql.push_str(" AND (u.id IN (SELECT id FROM allowed) OR u.id IN (SELECT id FROM up))");
    }
    sql.push_str(&format!(
        " ORDER BY l.rank, u.name_folded, u.id LIMIT {}",
        query.limit.clamp(1, 1000)
    ));
    let like = query
        .text
        .as_ref()
        .map(|t| format!("%{}%", t.replace(['%', '_'], "")));
    let code_prefix = query
        .text
        .as_ref()
        .map(|t| format!("{}%", t.replace(['%', '_'], "")));
    let mut q = sqlx::query(&sql)
        .bind(like)
        .bind(code_prefix)
        .bind(query.code.clone())
        .bind(query.level.as_ref().map(|l| l.as_str().to_string()))
        .bind(date_text(query.as_of));
    if let Some(within) = &query.within {
        for id in within {
            q = q.bind(id.get());
        }
    }
    rows_to_units(q.fetch_all(&mut *conn).await?)
}

/// A unit to insert or update in an import.
#[derive(Debug, Clone)]
pub struct NewUnit {
    /// Area or agency.
    pub kind: UnitKind,
    /// Level.
    pub level: Level,
    /// Code.
    pub code: UnitCode,
    /// Name.
    pub name: String,
    /// Folded name for search.
    pub name_folded: String,
    /// Type word.
    pub division_type: String,
    /// Parent.
    pub parent: Option<UnitId>,
    /// Validity.
    pub validity: Validity,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
}

/// The natural key of a unit in imports: kind, level, code, start of validity.
pub type UnitKey = (UnitKind, Level, UnitCode, Option<NaiveDate>);

/// Every unit's natural key → id and current state, for import planning.
pub async fn all_units(conn: &mut Conn) -> StoreResult<Vec<OrgUnit>> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM org_units u ORDER BY u.id"))
        .fetch_all(&mut *conn)
        .await?;
    rows_to_units(rows)
}

/// Inserts units in batches and returns their ids in input order.
pub async fn insert_units(
    conn: &mut Conn,
    units: &[NewUnit],
    now: i64,
) -> StoreResult<Vec<UnitId>> {
    bump_revision(conn).await?;
    let mut ids = Vec::with_capacity(units.len());
    for chunk in units.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO org_units (kind, level, code, name, name_folded, division_type, parent_id, \
             valid_from, valid_to, lat, lon, created_at, updated_at) VALUES {} RETURNING id",
            values_placeholders(chunk.len(), 13)
        );
        let mut q = sqlx::query(&sql);
        for u in chunk {
            q = q
                .bind(u.kind.as_str())
                .bind(u.level.as_str().to_string())
                .bind(u.code.as_str().to_string())
                .bind(u.name.clone())
                .bind(u.name_folded.clone())
                .bind(u.division_type.clone())
                .bind(u.parent.map(|p| p.get()))
                .bind(date_text(u.validity.from))
                .bind(date_text(u.validity.to))
                .bind(u.lat)
                .bind(u.lon)
                .bind(now)
                .bind(now);
        }
        // Both databases return the ids of a multi-row insert in VALUES order.
        let rows = q.fetch_all(&mut *conn).await?;
        for r in rows {
            ids.push(UnitId::new(r.try_get("id")?));
        }
    }
    Ok(ids)
}

/// Overwrites a unit's descriptive fields and validity.
pub async fn update_unit(conn: &mut Conn, id: UnitId, u: &NewUnit, now: i64) -> StoreResult<()> {
    bump_revision(conn).await?;
    sqlx::query(
        "UPDATE org_units SET name = $1, name_folded = $2, division_type = $3, parent_id = $4, \
         valid_from = $5, valid_to = $6, lat = $7, lon = $8, updated_at = $9 WHERE id = $10",
    )
    .bind(u.name.clone())
    .bind(u.name_folded.clone())
    .bind(u.division_type.clone())
    .bind(u.parent.map(|p| p.get()))
    .bind(date_text(u.validity.from))
    .bind(date_text(u.validity.to))
    .bind(u.lat)
    .bind(u.lon)
    .bind(now)
    .bind(id.get())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A reorganisation event: on `date`, `old` went (wholly or in part) into `new`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReorgEvent {
    /// Day the new structure took effect.
    pub date: NaiveDate,
    /// The old unit.
    pub old: UnitId,
    /// The new unit.
    pub new: UnitId,
    /// Whole or split.
    pub kind: ReorgKind,
    /// The target to use when old data must map to exactly one new unit.
    pub is_default: bool,
}

/// Existing events as (old, new, date) keys.
pub async fn reorg_keys(conn: &mut Conn) -> StoreResult<HashMap<(UnitId, UnitId, NaiveDate), i64>> {
    let rows = sqlx::query("SELECT id, old_unit_id, new_unit_id, effective_date FROM reorg_events")
        .fetch_all(&mut *conn)
        .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for r in rows {
        let date = parse_date(Some(r.try_get("effective_date")?))?
            .ok_or_else(|| corrupt("missing date"))?;
        out.insert(
            (
                UnitId::new(r.try_get("old_unit_id")?),
                UnitId::new(r.try_get("new_unit_id")?),
                date,
            ),
            r.try_get("id")?,
        );
    }
    Ok(out)
}

/// Inserts events in batches.
pub async fn insert_reorgs(conn: &mut Conn, events: &[ReorgEvent]) -> StoreResult<()> {
    bump_revision(conn).await?;
    for chunk in events.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO reorg_events (effective_date, old_unit_id, new_unit_id, kind, is_default) VALUES {}",
            values_placeholders(chunk.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(date_text(Some(e.date)))
                .bind(e.old.get())
                .bind(e.new.get())
                .bind(e.kind.as_str())
                .bind(i64::from(e.is_default));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Updates the kind and default flag of an existing event.
pub async fn update_reorg(
    conn: &mut Conn,
    id: i64,
    kind: ReorgKind,
    is_default: bool,
) -> StoreResult<()> {
    bump_revision(conn).await?;
    sqlx::query("UPDATE reorg_events SET kind = $1, is_default = $2 WHERE id = $3")
        .bind(kind.as_str())
        .bind(i64::from(is_default))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Events in which the unit is the old or the new side.
pub async fn reorgs_of(conn: &mut Conn, unit: UnitId) -> StoreResult<Vec<ReorgEvent>> {
    let rows = sqlx::query(
        "SELECT effective_date, old_unit_id, new_unit_id, kind, is_default FROM reorg_events \
         WHERE old_unit_id = $1 OR new_unit_id = $1 ORDER BY effective_date, old_unit_id, new_unit_id",
    )
    .bind(unit.get())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(reorg_event).collect()
}

/// Every reorganisation event (what the analytics engine follows units through).
pub async fn all_reorgs(conn: &mut Conn) -> StoreResult<Vec<ReorgEvent>> {
    let rows = sqlx::query(
        "SELECT effective_date, old_unit_id, new_unit_id, kind, is_default FROM reorg_events \
         ORDER BY effective_date, old_unit_id, new_unit_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(reorg_event).collect()
}

fn reorg_event(r: &sqlx::any::AnyRow) -> StoreResult<ReorgEvent> {
    Ok(ReorgEvent {
        date: parse_date(Some(r.try_get("effective_date")?))?
            .ok_or_else(|| corrupt("missing date"))?,
        old: UnitId::new(r.try_get("old_unit_id")?),
        new: UnitId::new(r.try_get("new_unit_id")?),
        kind: ReorgKind::parse(r.try_get("kind")?).map_err(corrupt)?,
        is_default: r.try_get::<i64, _>("is_default")? != 0,
    })
}

/// Instance setting counting changes of the unit tree (units and
/// reorganisations), moved in the transaction of each change: what tells
/// readers holding the tree in memory (the analytics engine) to reload it.
pub const REVISION_KEY: &str = "units.revision";

/// Counts one change of the unit tree (inside the change's transaction).
async fn bump_revision(conn: &mut Conn) -> StoreResult<()> {
    crate::meta::increment(conn, REVISION_KEY).await
}

/// Counts of units and events, for status output.
pub async fn counts(conn: &mut Conn) -> StoreResult<(i64, i64)> {
    let units: i64 = sqlx::query("SELECT COUNT(*) AS n FROM org_units")
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
    let events: i64 = sqlx::query("SELECT COUNT(*) AS n FROM reorg_events")
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
    Ok((units, events))
}

/// Kind and default flag of the events with these ids.
pub async fn reorgs_by_ids(
    conn: &mut Conn,
    ids: &[i64],
) -> StoreResult<HashMap<i64, (ReorgKind, bool)>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(BATCH) {
        let sql = format!(
            "SELECT id, kind, is_default FROM reorg_events WHERE id IN ({})",
            list_placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.insert(
                r.try_get("id")?,
                (
                    ReorgKind::parse(r.try_get("kind")?).map_err(corrupt)?,
                    r.try_get::<i64, _>("is_default")? != 0,
                ),
            );
        }
    }
    Ok(out)
}

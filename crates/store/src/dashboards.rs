//! The operations centre's stored settings: the tiles chosen for a unit's
//! dashboard, and the unit boundaries loaded for maps.

use baocao_domain::access::UserId;
use baocao_domain::unit::UnitId;
use sqlx::Row;

use crate::{list_placeholders, values_placeholders, Conn, StoreError, StoreResult};

/// Boundaries inserted per statement (a boundary can be long).
const BOUNDARY_BATCH: usize = 100;

/// The tiles chosen for a unit's dashboard (`None`: the default set).
pub async fn tiles(conn: &mut Conn, unit: UnitId) -> StoreResult<Option<Vec<String>>> {
    let row = sqlx::query("SELECT cells FROM dashboard_tiles WHERE unit_id = $1")
        .bind(unit.get())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        let text: String = r.try_get("cells")?;
        Ok(text.lines().map(str::to_string).collect())
    })
    .transpose()
}

/// Stores the tiles of a unit's dashboard; `None` goes back to the default.
pub async fn set_tiles(
    conn: &mut Conn,
    unit: UnitId,
    cells: Option<&[String]>,
    by: Option<UserId>,
    at: i64,
) -> StoreResult<()> {
    let Some(cells) = cells else {
        sqlx::query("DELETE FROM dashboard_tiles WHERE unit_id = $1")
            .bind(unit.get())
            .execute(&mut *conn)
            .await?;
        return Ok(());
    };
    if cells.iter().any(|c| c.contains('\n')) {
        return Err(StoreError::Corrupt("a cell key with a line break".into()));
    }
    let text = cells.join("\n");
    sqlx::query(
        "INSERT INTO dashboard_tiles (unit_id, cells, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (unit_id) DO UPDATE SET cells = excluded.cells, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(unit.get())
    .bind(text)
    .bind(at)
    .bind(by.map(UserId::get))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Replaces the boundaries of a level's units with `shapes` (unit and its
/// geometry as JSON text).
pub async fn replace_boundaries(
    conn: &mut Conn,
    level: &str,
    shapes: &[(UnitId, String)],
    at: i64,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM unit_boundaries WHERE level = $1")
        .bind(level)
        .execute(&mut *conn)
        .await?;
    for chunk in shapes.chunks(BOUNDARY_BATCH) {
        let sql = format!(
            "INSERT INTO unit_boundaries (unit_id, level, geometry, loaded_at) VALUES {}",
            values_placeholders(chunk.len(), 4)
        );
        let mut q = sqlx::query(&sql);
        for (unit, geometry) in chunk {
            q = q.bind(unit.get()).bind(level).bind(geometry).bind(at);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The stored boundaries of the given units (geometry as JSON text); units
/// without one are left out.
pub async fn boundaries(conn: &mut Conn, units: &[UnitId]) -> StoreResult<Vec<(UnitId, String)>> {
    let mut out = Vec::new();
    for chunk in units.chunks(500) {
        let sql = format!(
            "SELECT unit_id, geometry FROM unit_boundaries WHERE unit_id IN ({})",
            list_placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for u in chunk {
            q = q.bind(u.get());
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push((UnitId::new(r.try_get("unit_id")?), r.try_get("geometry")?));
        }
    }
    Ok(out)
}

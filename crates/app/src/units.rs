//! Org units: browsing (scoped by what the caller may see) and importing the
//! official structures with their reorganisation mapping.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use baocao_domain::access::{Permission, Principal, Target};
use baocao_domain::import_plan::{plan_import, ParentRef};
use baocao_domain::text::fold;
use baocao_domain::unit::{
    check_unit_name, check_unit_records, Level, LineError, OrgUnit, ReorgRecord, UnitCode, UnitId,
    UnitRecord, Validity,
};
use baocao_domain::Message;
use baocao_formats::vn_admin;
use baocao_store::units::{self as store_units, NewUnit, ReorgEvent, UnitQuery};
use baocao_store::Conn;
use chrono::{Days, NaiveDate};

use crate::users::may_on;
use crate::{now, App, AppError, AppResult};

/// Longest search text, in characters.
pub const MAX_SEARCH_CHARS: usize = 100;
/// Most units one search returns.
pub const MAX_SEARCH_RESULTS: u32 = 500;

/// The day the two-level structure took effect.
pub fn reform_2025() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or_default()
}

/// A unit with its surroundings, as a unit page shows it.
#[derive(Debug, Clone)]
pub struct UnitDetail {
    /// The unit.
    pub unit: OrgUnit,
    /// Its ancestors, root first.
    pub ancestors: Vec<OrgUnit>,
    /// Its children the caller may see.
    pub children: Vec<OrgUnit>,
    /// Reorganisations it took part in, with the unit on the other side.
    pub reorgs: Vec<(ReorgEvent, OrgUnit)>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Units created.
    pub inserted: usize,
    /// Units changed.
    pub updated: usize,
    /// Units already as in the file.
    pub unchanged: usize,
    /// Reorganisation events created.
    pub events_inserted: usize,
    /// Reorganisation events changed.
    pub events_updated: usize,
    /// Reorganisation events already stored.
    pub events_unchanged: usize,
}

/// A structure file and the validity its units get.
#[derive(Debug, Clone)]
pub struct StructureFile {
    /// The units.
    pub records: Vec<UnitRecord>,
    /// Validity of every unit in it.
    pub validity: Validity,
}

/// Keeps the records of one province (by code) and everything below it.
pub fn only_province(records: Vec<UnitRecord>, province: &str) -> Vec<UnitRecord> {
    let parent_of: HashMap<&UnitCode, Option<&UnitCode>> = records
        .iter()
        .map(|r| (&r.code, r.parent_code.as_ref()))
        .collect();
    let keep: HashSet<UnitCode> = records
        .iter()
        .filter(|r| {
            let mut code = Some(&r.code);
            for _ in 0..8 {
                match code {
                    Some(c) if c.as_str() == province => return true,
                    Some(c) => code = parent_of.get(c).copied().flatten(),
                    None => return false,
                }
            }
            false
        })
        .map(|r| r.code.clone())
        .collect();
    records
        .into_iter()
        .filter(|r| keep.contains(&r.code))
        .collect()
}

fn read_file(path: &Path) -> AppResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        AppError::field(
            "file",
            Message::new("import.cannot_read")
                .arg("path", path.display())
                .arg("detail", e),
        )
    })
}

/// Reads a units file from disk.
pub fn read_units_file(path: &Path) -> AppResult<Vec<UnitRecord>> {
    vn_admin::read_units(read_file(path)?.as_slice()).map_err(AppError::ImportRejected)
}

/// Reads a merge file from disk.
pub fn read_merge_file(path: &Path) -> AppResult<Vec<ReorgRecord>> {
    vn_admin::read_merge(read_file(path)?.as_slice()).map_err(AppError::ImportRejected)
}

/// What a merge file does to the stored reorganisation events.
struct ReorgPlan {
    /// New events.
    inserts: Vec<ReorgEvent>,
    /// Events already stored (by id), possibly with another kind or default.
    updates: Vec<(i64, ReorgEvent)>,
    /// Units that continue through the reform (nothing to record).
    same: usize,
}

/// Plans the events of merge `records` taking effect on `date`: each old
/// unit (valid the day before) and new unit (valid on the day) is found by
/// level and code among the areas of `units`, and the event is new or an
/// update of one in `existing` (ids by old unit, new unit and date). Unknown
/// units and repeated mappings are refused, line by line.
fn plan_reorgs(
    records: &[ReorgRecord],
    units: &[OrgUnit],
    existing: &HashMap<(UnitId, UnitId, NaiveDate), i64>,
    date: NaiveDate,
) -> Result<ReorgPlan, Vec<LineError>> {
    let day_before = date.checked_sub_days(Days::new(1)).unwrap_or(date);
    // Areas and agencies alike (a department merged into another is a
    // reorganisation too); their codes never collide (agency codes have dots).
    let mut by_code: HashMap<(&Level, &UnitCode), Vec<&OrgUnit>> = HashMap::new();
    for u in units {
        by_code.entry((&u.level, &u.code)).or_default().push(u);
    }
    let find = |level: &Level, code: &UnitCode, on: NaiveDate| {
        by_code
            .get(&(level, code))
            .and_then(|list| list.iter().find(|u| u.validity.contains(on)))
            .map(|u| u.id)
    };
    let mut errors: Vec<LineError> = Vec::new();
    let mut plan = ReorgPlan {
        inserts: Vec::new(),
        updates: Vec::new(),
        same: 0,
    };
    let mut seen = HashSet::new();
    for r in records {
        let old = find(&r.old_level, &r.old_code, day_before);
        let new = find(&r.new_level, &r.new_code, date);
        let (Some(old), Some(new)) = (old, new) else {
            let (level, code) = if old.is_none() {
                (&r.old_level, &r.old_code)
            } else {
                (&r.new_level, &r.new_code)
            };
            errors.push(LineError {
                line: r.line,
                message: Message::new("unit.import.unknown_unit")
                    .arg("level", level)
                    .arg("code", code)
                    .arg("date", if old.is_none() { day_before } else { date }),
            });
            continue;
        };
        if !seen.insert((old, new)) {
            errors.push(LineError {
                line: r.line,
                message: Message::new("unit.import.duplicate_mapping")
                    .arg("old", &r.old_code)
                    .arg("new", &r.new_code),
            });
            continue;
        }
        // A unit that continues through the reform maps onto itself: nothing to record.
        if old == new {
            plan.same += 1;
            continue;
        }
        let event = ReorgEvent {
            date,
            old,
            new,
            kind: r.kind,
            is_default: r.is_default,
        };
        match existing.get(&(old, new, date)) {
            Some(id) => plan.updates.push((*id, event)),
            None => plan.inserts.push(event),
        }
    }
    if errors.is_empty() {
        Ok(plan)
    } else {
        Err(errors)
    }
}

/// Units a search of the units page lists at most.
pub const UNITS_FOUND: u32 = 200;

impl App {
    async fn require(
        &self,
        conn: &mut Conn,
        principal: &Principal,
        permission: Permission,
        unit: UnitId,
    ) -> AppResult<()> {
        if may_on(conn, principal, permission, Some(unit)).await? {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// A unit the caller may see, with its ancestors, visible children and
    /// reorganisations. An unknown unit and an invisible one get the same
    /// answer (not found).
    pub async fn unit_detail(
        &self,
        principal: &Principal,
        id: UnitId,
        as_of: Option<NaiveDate>,
    ) -> AppResult<UnitDetail> {
        let mut conn = self.store.conn().await?;
        let (unit, ancestor_ids) = visible_unit(&mut conn, principal, id).await?;
        let ancestors = ancestors_root_first(&mut conn, &ancestor_ids).await?;
        let children = self
            .visible_children(&mut conn, principal, id, &ancestor_ids, as_of)
            .await?;
        let events = store_units::reorgs_of(&mut conn, id).await?;
        let others: Vec<UnitId> = events
            .iter()
            .map(|e| if e.old == id { e.new } else { e.old })
            .collect();
        let other_units = store_units::get_many(&mut conn, &others).await?;
        let reorgs = events
            .into_iter()
            .zip(others)
            .filter_map(|(e, o)| {
                other_units
                    .iter()
                    .find(|u| u.id == o)
                    .map(|u| (e, u.clone()))
            })
            .collect();
        Ok(UnitDetail {
            unit,
            ancestors,
            children,
            reorgs,
        })
    }

    async fn visible_children(
        &self,
        conn: &mut Conn,
        principal: &Principal,
        id: UnitId,
        ancestor_ids: &[UnitId],
        as_of: Option<NaiveDate>,
    ) -> AppResult<Vec<OrgUnit>> {
        let mut chain = vec![id];
        chain.extend_from_slice(ancestor_ids);
        Ok(store_units::children(conn, id, as_of)
            .await?
            .into_iter()
            .filter(|c| {
                principal.may(
                    Permission::ViewUnit,
                    &Target {
                        unit: c.id,
                        ancestors: &chain,
                    },
                )
            })
            .collect())
    }

    /// The children of a unit the caller may see.
    pub async fn unit_children(
        &self,
        principal: &Principal,
        id: UnitId,
        as_of: Option<NaiveDate>,
    ) -> AppResult<Vec<OrgUnit>> {
        let mut conn = self.store.conn().await?;
        let (_, ancestor_ids) = visible_unit(&mut conn, principal, id).await?;
        self.visible_children(&mut conn, principal, id, &ancestor_ids, as_of)
            .await
    }

    /// The ancestors of a unit the caller may see, root first.
    pub async fn unit_ancestors(
        &self,
        principal: &Principal,
        id: UnitId,
    ) -> AppResult<Vec<OrgUnit>> {
        let mut conn = self.store.conn().await?;
        let (_, ancestor_ids) = visible_unit(&mut conn, principal, id).await?;
        ancestors_root_first(&mut conn, &ancestor_ids).await
    }

    /// A unit's subtree, limited to what the caller may see.
    pub async fn unit_subtree(
        &self,
        principal: &Principal,
        id: UnitId,
        as_of: Option<NaiveDate>,
        depth: Option<u32>,
    ) -> AppResult<Vec<OrgUnit>> {
        let mut conn = self.store.conn().await?;
        let (_, base) = visible_unit(&mut conn, principal, id).await?;
        let units = store_units::subtree(&mut conn, id, as_of, depth).await?;
        // Parents come first, so each unit's ancestry is known when it is reached.
        let mut ancestry: HashMap<UnitId, Vec<UnitId>> = HashMap::new();
        ancestry.insert(id, base);
        let mut out = Vec::with_capacity(units.len());
        for u in units {
            let chain = match u.parent.filter(|_| u.id != id) {
                Some(p) => {
                    let mut chain = vec![p];
                    chain.extend(ancestry.get(&p).cloned().unwrap_or_default());
                    ancestry.insert(u.id, chain.clone());
                    chain
                }
                None => ancestry.get(&u.id).cloned().unwrap_or_default(),
            };
            if principal.may(
                Permission::ViewUnit,
                &Target {
                    unit: u.id,
                    ancestors: &chain,
                },
            ) {
                out.push(u);
            }
        }
        Ok(out)
    }

    /// The units page: the units whose name contains `text` (accents
    /// ignored), or without a search the roots of the tree the caller sees,
    /// as they stood on `as_of` (today when none).
    pub async fn units_screen(
        &self,
        principal: &Principal,
        text: &str,
        as_of: Option<NaiveDate>,
    ) -> AppResult<Vec<OrgUnit>> {
        if text.trim().is_empty() {
            self.unit_roots(principal, as_of).await
        } else {
            self.search_units(principal, Some(text), None, None, as_of, UNITS_FOUND)
                .await
        }
    }

    /// The top units the caller may see: the roots of the whole tree for a
    /// system-wide grant, else the roots above its granted units.
    pub async fn unit_roots(
        &self,
        principal: &Principal,
        as_of: Option<NaiveDate>,
    ) -> AppResult<Vec<OrgUnit>> {
        let mut conn = self.store.conn().await?;
        let roots = store_units::roots(&mut conn, as_of).await?;
        match principal.roots(Permission::ViewUnit) {
            None => Ok(roots),
            Some(granted) => {
                let mut tops = HashSet::new();
                for g in granted {
                    let chain = store_units::ancestor_ids(&mut conn, g).await?;
                    tops.insert(chain.last().copied().unwrap_or(g));
                }
                Ok(roots.into_iter().filter(|r| tops.contains(&r.id)).collect())
            }
        }
    }

    /// Finds units by name (accent-insensitive) or code among those the caller may see.
    pub async fn search_units(
        &self,
        principal: &Principal,
        text: Option<&str>,
        code: Option<&str>,
        level: Option<&str>,
        as_of: Option<NaiveDate>,
        limit: u32,
    ) -> AppResult<Vec<OrgUnit>> {
        let level = match level.filter(|l| !l.is_empty()) {
            Some(l) => Some(Level::parse(l).map_err(|e| AppError::field("level", e.message()))?),
            None => None,
        };
        for (field, value) in [("q", text), ("code", code)] {
            if value.is_some_and(|v| v.chars().count() > MAX_SEARCH_CHARS) {
                return Err(AppError::field(
                    field,
                    Message::new("report.error.too_long").arg("max", MAX_SEARCH_CHARS),
                ));
            }
        }
        let limit = limit.clamp(1, MAX_SEARCH_RESULTS);
        let query = UnitQuery {
            text: text.map(fold).filter(|t| !t.is_empty()),
            code: code.map(|c| c.trim().to_string()).filter(|c| !c.is_empty()),
            level,
            as_of,
            within: principal.roots(Permission::ViewUnit),
            limit,
        };
        let mut conn = self.store.conn().await?;
        Ok(store_units::search(&mut conn, &query).await?)
    }

    /// Imports structure files and a reorganisation mapping, all in one transaction:
    /// either everything is stored or nothing is. Requires a system-wide administrator.
    pub async fn import_units(
        &self,
        principal: &Principal,
        structures: &[StructureFile],
        merge: Option<(&[ReorgRecord], NaiveDate)>,
    ) -> AppResult<ImportSummary> {
        if !principal.may_everywhere(Permission::ManageUnits) {
            return Err(AppError::Forbidden);
        }
        let t = now();
        let mut summary = ImportSummary::default();
        let mut tx = self.store.begin_write().await?;
        let ranks = store_units::level_ranks(&mut tx).await?;
        for file in structures {
            let existing = store_units::all_units(&mut tx).await?;
            let mut stored_codes: HashMap<UnitCode, Vec<Level>> = HashMap::new();
            for u in &existing {
                stored_codes
                    .entry(u.code.clone())
                    .or_default()
                    .push(u.level.clone());
            }
            check_unit_records(&file.records, &ranks, &stored_codes)
                .map_err(AppError::ImportRejected)?;
            let plan = plan_import(&file.records, file.validity, &existing, &ranks)
                .map_err(AppError::ImportRejected)?;
            summary.unchanged += plan.unchanged;
            // Inserts are ordered parents first; insert level by level so parents have ids.
            let mut ids: Vec<Option<UnitId>> = vec![None; plan.inserts.len()];
            let resolve = |p: ParentRef, ids: &[Option<UnitId>]| match p {
                ParentRef::None => None,
                ParentRef::Existing(id) => Some(id),
                ParentRef::New(i) => ids.get(i).copied().flatten(),
            };
            let mut start = 0;
            while start < plan.inserts.len() {
                let level = &plan.inserts[start].record.level;
                let end = plan.inserts[start..]
                    .iter()
                    .position(|p| &p.record.level != level)
                    .map_or(plan.inserts.len(), |n| start + n);
                let batch: Vec<NewUnit> = plan.inserts[start..end]
                    .iter()
                    .map(|p| new_unit(&p.record, resolve(p.parent, &ids), p.validity))
                    .collect();
                let new_ids = store_units::insert_units(&mut tx, &batch, t).await?;
                for (i, id) in new_ids.into_iter().enumerate() {
                    ids[start + i] = Some(id);
                }
                start = end;
            }
            for u in &plan.updates {
                store_units::update_unit(
                    &mut tx,
                    u.id,
                    &new_unit(&u.record, resolve(u.parent, &ids), u.validity),
                    t,
                )
                .await?;
            }
            summary.inserted += plan.inserts.len();
            summary.updated += plan.updates.len();
        }
        if let Some((records, date)) = merge {
            let (ins, upd, same) = self.import_reorgs(&mut tx, records, date).await?;
            summary.events_inserted += ins;
            summary.events_updated += upd;
            summary.events_unchanged += same;
        }
        // The tree as it stands now, unit by unit, in the same transaction.
        let snapshot = stored_units(&mut tx).await?;
        let event = baocao_domain::audit::AuditEvent::UnitsChanged { snapshot };
        crate::ledger::record_change(&mut tx, principal, &event).await?;
        baocao_store::commit(tx).await?;
        tracing::info!(?summary, "units imported");
        Ok(summary)
    }

    /// Records the reorganisation events of a merge file taking effect on
    /// `date`; returns how many were inserted, updated and unchanged.
    async fn import_reorgs(
        &self,
        conn: &mut Conn,
        records: &[ReorgRecord],
        date: NaiveDate,
    ) -> AppResult<(usize, usize, usize)> {
        let units = store_units::all_units(conn).await?;
        let existing = store_units::reorg_keys(conn).await?;
        let plan =
            plan_reorgs(records, &units, &existing, date).map_err(AppError::ImportRejected)?;
        let mut same = plan.same;
        store_units::insert_reorgs(conn, &plan.inserts).await?;
        let stored = store_units::reorgs_by_ids(
            conn,
            &plan.updates.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        )
        .await?;
        let mut changed = 0;
        for (id, e) in &plan.updates {
            if stored.get(id) != Some(&(e.kind, e.is_default)) {
                store_units::update_reorg(conn, *id, e.kind, e.is_default).await?;
                changed += 1;
            } else {
                same += 1;
            }
        }
        Ok((plan.inserts.len(), changed, same))
    }

    /// Adds one unit (an agency, typically) under a parent the principal manages.
    pub async fn add_unit(
        &self,
        principal: &Principal,
        record: UnitRecord,
        parent: Option<UnitId>,
        validity: Validity,
    ) -> AppResult<UnitId> {
        check_unit_name(&record.name, &record.division_type)
            .map_err(|m| AppError::field("name", m))?;
        let mut conn = self.store.conn().await?;
        match parent {
            Some(p) => {
                // A parent the caller may not see reads as absent.
                if !may_view(&mut conn, principal, p).await? {
                    return Err(AppError::field(
                        "parent",
                        Message::new("unit.import.unknown_parent").arg("code", p),
                    ));
                }
                self.require(&mut conn, principal, Permission::ManageUnits, p)
                    .await?;
            }
            None if !principal.may_everywhere(Permission::ManageUnits) => {
                return Err(AppError::Forbidden)
            }
            None => {}
        }
        let ranks = store_units::level_ranks(&mut conn).await?;
        if !ranks.contains_key(&record.level) {
            return Err(AppError::field(
                "level",
                Message::new("unit.import.unknown_level").arg("level", &record.level),
            ));
        }
        drop(conn);
        let mut tx = self.store.begin_write().await?;
        let ids =
            match store_units::insert_units(&mut tx, &[new_unit(&record, parent, validity)], now())
                .await
            {
                Ok(ids) => ids,
                Err(e) if e.is_unique_violation() => {
                    return Err(AppError::field(
                        "code",
                        Message::new("unit.error.code_taken").arg("code", &record.code),
                    ))
                }
                Err(e) => return Err(e.into()),
            };
        let added = store_units::get_many(&mut tx, &ids).await?;
        let snapshot = baocao_domain::proof::units::UnitsSnapshot {
            units: added
                .iter()
                .map(|u| (u.id.get(), baocao_domain::proof::units::unit_digest(u)))
                .collect(),
            reorgs: Vec::new(),
        };
        let event = baocao_domain::audit::AuditEvent::UnitsChanged { snapshot };
        crate::ledger::record_change(&mut tx, principal, &event).await?;
        baocao_store::commit(tx).await?;
        ids.first()
            .copied()
            .ok_or_else(|| AppError::Internal("no id returned".into()))
    }
}

/// A unit the principal may see, with its ancestor ids (nearest first): not found
/// when it does not exist, forbidden when it is outside what the principal may see.
async fn visible_unit(
    conn: &mut Conn,
    principal: &Principal,
    id: UnitId,
) -> AppResult<(OrgUnit, Vec<UnitId>)> {
    let unit = store_units::get(conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let ancestors = store_units::ancestor_ids(conn, id).await?;
    let target = Target {
        unit: id,
        ancestors: &ancestors,
    };
    if principal.may(Permission::ViewUnit, &target) {
        Ok((unit, ancestors))
    } else {
        // The same answer as for a unit that does not exist: ids cannot be probed.
        Err(AppError::NotFound)
    }
}

/// Whether the caller may see a unit (false for a unit that does not exist).
pub(crate) async fn may_view(
    conn: &mut Conn,
    principal: &Principal,
    id: UnitId,
) -> AppResult<bool> {
    match visible_unit(conn, principal, id).await {
        Ok(_) => Ok(true),
        Err(AppError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The units of an ancestor chain (nearest first), ordered root first.
async fn ancestors_root_first(conn: &mut Conn, ids: &[UnitId]) -> AppResult<Vec<OrgUnit>> {
    let mut units = store_units::get_many(conn, ids).await?;
    units.sort_by_key(|u| ids.iter().position(|a| *a == u.id).map(std::cmp::Reverse));
    Ok(units)
}

fn new_unit(r: &UnitRecord, parent: Option<UnitId>, validity: Validity) -> NewUnit {
    NewUnit {
        kind: r.kind,
        level: r.level.clone(),
        code: r.code.clone(),
        name: r.name.clone(),
        name_folded: fold(&r.name),
        division_type: r.division_type.clone(),
        parent,
        validity,
        lat: r.lat,
        lon: r.lon,
    }
}

/// Every unit and reorganisation event with its digest, as the ledger
/// records the tree and its proofs take it.
pub(crate) async fn stored_units(
    conn: &mut baocao_store::Conn,
) -> AppResult<baocao_domain::proof::units::UnitsSnapshot> {
    let units = baocao_store::units::all_units(conn)
        .await?
        .iter()
        .map(|u| (u.id.get(), baocao_domain::proof::units::unit_digest(u)))
        .collect();
    let reorgs = baocao_store::units::all_reorgs(conn)
        .await?
        .iter()
        .map(|e| {
            (
                baocao_domain::proof::units::reorg_key(e.old, e.new, e.date),
                baocao_domain::proof::units::reorg_digest(e.kind, e.is_default),
            )
        })
        .collect();
    Ok(baocao_domain::proof::units::UnitsSnapshot { units, reorgs })
}

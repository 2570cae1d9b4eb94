//! Planning a structure import: which records are new units, which update or
//! continue existing ones. Pure, so the matching rules are tested without a database.
//!
//! Rules, per record (parents are planned before children):
//! 1. *Continuation*: an existing unit of the same kind, level, code, name and
//!    parent whose validity overlaps or touches the record's is the same unit; its
//!    validity grows to cover both (a province that kept its code and name through
//!    the 2025 reform stays one unit with its old districts and its new communes).
//! 2. *Correction*: else an existing unit with the same kind, level, code and start
//!    of validity is the record re-imported; its fields are updated.
//! 3. Else the record is a new unit.
//!
//! Re-importing a file therefore changes nothing, which makes import idempotent.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

use crate::unit::{
    Level, LevelRanks, LineError, OrgUnit, UnitCode, UnitId, UnitKind, UnitRecord, Validity,
};
use crate::Message;

/// Where a planned unit's parent is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentRef {
    /// No parent.
    None,
    /// A stored unit.
    Existing(UnitId),
    /// The planned insert with this index in [`ImportPlan::inserts`].
    New(usize),
}

/// A unit to create.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedInsert {
    /// The record.
    pub record: UnitRecord,
    /// Its parent.
    pub parent: ParentRef,
    /// Its validity.
    pub validity: Validity,
}

/// A stored unit to change.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedUpdate {
    /// Which unit.
    pub id: UnitId,
    /// The record.
    pub record: UnitRecord,
    /// Its parent after the change.
    pub parent: ParentRef,
    /// Its validity after the change.
    pub validity: Validity,
}

/// What an import will do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportPlan {
    /// New units, parents before children.
    pub inserts: Vec<PlannedInsert>,
    /// Changed units.
    pub updates: Vec<PlannedUpdate>,
    /// Records that match a stored unit exactly.
    pub unchanged: usize,
}

fn touches(a: &Validity, b: &Validity) -> bool {
    let next = |d: Option<NaiveDate>| d.and_then(|d| d.checked_add_days(Days::new(1)));
    // a starts no later than the day after b ends, and b starts no later than the day after a ends.
    let a_before_b_end = match (a.from, next(b.to)) {
        (Some(f), Some(t)) => f <= t,
        _ => true,
    };
    let b_before_a_end = match (b.from, next(a.to)) {
        (Some(f), Some(t)) => f <= t,
        _ => true,
    };
    a_before_b_end && b_before_a_end
}

/// Whether two intervals share at least one day.
fn overlaps(a: &Validity, b: &Validity) -> bool {
    let starts_before_end = |x: &Validity, y: &Validity| match (x.from, y.to) {
        (Some(f), Some(t)) => f <= t,
        _ => true,
    };
    starts_before_end(a, b) && starts_before_end(b, a)
}

fn union(a: &Validity, b: &Validity) -> Validity {
    Validity {
        from: a.from.zip(b.from).map(|(x, y)| x.min(y)),
        to: a.to.zip(b.to).map(|(x, y)| x.max(y)),
    }
}

/// Plans importing `records` (one structure file, already checked by
/// [`check_unit_records`](crate::unit::check_unit_records)) with `validity`
/// against the `existing` units.
pub fn plan_import(
    records: &[UnitRecord],
    validity: Validity,
    existing: &[OrgUnit],
    ranks: &LevelRanks,
) -> Result<ImportPlan, Vec<LineError>> {
    let by_code = by_code(existing);
    let mut ordered: Vec<&UnitRecord> = records.iter().collect();
    ordered.sort_by_key(|r| (ranks.get(&r.level).copied().unwrap_or(i64::MAX), r.line));

    let mut plan = ImportPlan::default();
    let mut errors = Vec::new();
    // (code) -> planned parents of this file, with their level rank.
    let mut planned: HashMap<&UnitCode, Vec<(i64, ParentRef)>> = HashMap::new();
    for r in ordered {
        let rank = ranks.get(&r.level).copied().unwrap_or(i64::MAX);
        let parent = match &r.parent_code {
            None => ParentRef::None,
            Some(code) => match find_parent(code, rank, &planned, existing, &validity, ranks) {
                Some(p) => p,
                None => {
                    errors.push(LineError {
                        line: r.line,
                        message: Message::new("unit.import.unknown_parent").arg("code", code),
                    });
                    continue;
                }
            },
        };
        let candidates = by_code
            .get(&(r.kind, &r.level, &r.code))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let this_ref = plan_record(&mut plan, r, parent, candidates, validity);
        planned.entry(&r.code).or_default().push((rank, this_ref));
    }
    if errors.is_empty() {
        Ok(plan)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// The stored units by kind, level and code: the candidates a record may
/// continue or correct.
fn by_code(existing: &[OrgUnit]) -> HashMap<(UnitKind, &Level, &UnitCode), Vec<&OrgUnit>> {
    let mut by_code: HashMap<(UnitKind, &Level, &UnitCode), Vec<&OrgUnit>> = HashMap::new();
    for u in existing {
        by_code
            .entry((u.kind, &u.level, &u.code))
            .or_default()
            .push(u);
    }
    by_code
}

/// The parent named `code` of a record of level `rank`: the closest higher
/// unit of this file planned so far, else the closest higher stored area
/// valid during `validity`; `None` when there is neither.
fn find_parent(
    code: &UnitCode,
    rank: i64,
    planned: &HashMap<&UnitCode, Vec<(i64, ParentRef)>>,
    existing: &[OrgUnit],
    validity: &Validity,
    ranks: &LevelRanks,
) -> Option<ParentRef> {
    let in_file = planned
        .get(code)
        .and_then(|v| {
            v.iter()
                .filter(|(pr, _)| *pr < rank)
                .max_by_key(|(pr, _)| *pr)
        })
        .map(|(_, p)| *p);
    let stored = || {
        existing
            .iter()
            .filter(|u| &u.code == code && u.kind == UnitKind::Area)
            .filter(|u| ranks.get(&u.level).is_some_and(|pr| *pr < rank))
            .filter(|u| overlaps(&u.validity, validity))
            .max_by_key(|u| ranks.get(&u.level).copied().unwrap_or(0))
            .map(|u| ParentRef::Existing(u.id))
    };
    in_file.or_else(stored)
}

/// Whether stored unit `u` has the planned `parent` (a parent still to be
/// inserted is nobody's yet).
fn same_parent(u: &OrgUnit, parent: ParentRef) -> bool {
    match parent {
        ParentRef::None => u.parent.is_none(),
        ParentRef::Existing(id) => u.parent == Some(id),
        ParentRef::New(_) => false,
    }
}

/// Plans record `r` under `parent` against the stored units with its kind,
/// level and code (rules 1 to 3 of the module); returns where the record's
/// unit is, for its children.
fn plan_record(
    plan: &mut ImportPlan,
    r: &UnitRecord,
    parent: ParentRef,
    candidates: &[&OrgUnit],
    validity: Validity,
) -> ParentRef {
    let continuation = candidates
        .iter()
        .find(|u| u.name == r.name && same_parent(u, parent) && touches(&u.validity, &validity));
    let correction = || candidates.iter().find(|u| u.validity.from == validity.from);
    let Some(u) = continuation.or_else(correction) else {
        plan.inserts.push(PlannedInsert {
            record: r.clone(),
            parent,
            validity,
        });
        return ParentRef::New(plan.inserts.len() - 1);
    };
    let mut r = r.clone();
    let new_validity = if continuation.is_some() {
        // A continued unit describes itself as the later structure does,
        // so importing the earlier file again does not undo the later one.
        let later = |v: &Validity| v.to.map_or(NaiveDate::MAX, |t| t);
        if later(&validity) < later(&u.validity) {
            r.division_type = u.division_type.clone();
            r.lat = u.lat;
            r.lon = u.lon;
        }
        union(&u.validity, &validity)
    } else {
        validity
    };
    let same = u.validity == new_validity
        && u.name == r.name
        && u.division_type == r.division_type
        && same_parent(u, parent)
        && u.lat == r.lat
        && u.lon == r.lon;
    if same {
        plan.unchanged += 1;
    } else {
        plan.updates.push(PlannedUpdate {
            id: u.id,
            record: r,
            parent,
            validity: new_validity,
        });
    }
    ParentRef::Existing(u.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ranks() -> LevelRanks {
        [("province", 1), ("district", 2), ("commune", 3)]
            .into_iter()
            .map(|(l, r)| (Level::parse(l).unwrap(), r))
            .collect()
    }

    fn rec(line: u64, level: &str, code: &str, name: &str, parent: Option<&str>) -> UnitRecord {
        UnitRecord {
            line,
            kind: UnitKind::Area,
            level: Level::parse(level).unwrap(),
            code: UnitCode::parse(UnitKind::Area, code).unwrap(),
            name: name.into(),
            division_type: String::new(),
            parent_code: parent.map(|p| UnitCode::parse(UnitKind::Area, p).unwrap()),
            lat: None,
            lon: None,
        }
    }

    fn stored(plan: &ImportPlan, first_id: i64) -> Vec<OrgUnit> {
        plan.inserts
            .iter()
            .enumerate()
            .map(|(i, p)| OrgUnit {
                id: UnitId::new(first_id + i as i64),
                kind: p.record.kind,
                level: p.record.level.clone(),
                code: p.record.code.clone(),
                name: p.record.name.clone(),
                division_type: p.record.division_type.clone(),
                parent: match p.parent {
                    ParentRef::None => None,
                    ParentRef::Existing(id) => Some(id),
                    ParentRef::New(j) => Some(UnitId::new(first_id + j as i64)),
                },
                validity: p.validity,
                lat: None,
                lon: None,
            })
            .collect()
    }

    #[test]
    fn legacy_then_2025_keeps_an_unchanged_province_as_one_unit() {
        let legacy = Validity::new(None, Some(d("2025-06-30"))).unwrap();
        let current = Validity::new(Some(d("2025-07-01")), None).unwrap();
        let old = vec![
            rec(2, "province", "40", "Tỉnh Nghệ An", None),
            rec(3, "province", "52", "Tỉnh Bình Định", None),
            rec(4, "district", "412", "Thành phố Vinh", Some("40")),
            rec(5, "commune", "16681", "Phường A", Some("412")),
        ];
        let plan = plan_import(&old, legacy, &[], &ranks()).unwrap();
        assert_eq!(plan.inserts.len(), 4);
        assert_eq!(plan.inserts[3].parent, ParentRef::New(2));
        let existing = stored(&plan, 1);

        let mut moved = rec(2, "province", "40", "Tỉnh Nghệ An", None);
        moved.lat = Some(19.0);
        let new = vec![
            moved,
            rec(3, "province", "52", "Tỉnh Gia Lai", None),
            rec(4, "commune", "16681", "Phường Vinh Phú", Some("40")),
        ];
        let plan = plan_import(&new, current, &existing, &ranks()).unwrap();
        // Nghệ An continues: its validity opens up; Gia Lai reusing code 52 is new.
        assert_eq!(plan.updates.len(), 1);
        assert_eq!(plan.updates[0].id, UnitId::new(1));
        assert_eq!(plan.updates[0].validity, Validity::default());
        assert_eq!(plan.inserts.len(), 2);
        assert_eq!(plan.inserts[0].record.name, "Tỉnh Gia Lai");
        // The 2025 commune hangs under the continuing province, not the old district.
        assert_eq!(plan.inserts[1].parent, ParentRef::Existing(UnitId::new(1)));

        // Re-importing either file now changes nothing.
        let mut all = existing.clone();
        all[0].validity = Validity::default();
        all[0].lat = Some(19.0);
        all.extend(stored(&plan, 10).into_iter().map(|mut u| {
            if u.parent == Some(UnitId::new(10)) {
                u.parent = Some(UnitId::new(1));
            }
            u
        }));
        let again = plan_import(&old, legacy, &all, &ranks()).unwrap();
        assert_eq!(
            (again.inserts.len(), again.updates.len(), again.unchanged),
            (0, 0, 4)
        );
        let again = plan_import(&new, current, &all, &ranks()).unwrap();
        assert_eq!(
            (again.inserts.len(), again.updates.len(), again.unchanged),
            (0, 0, 3)
        );
    }

    #[test]
    fn a_corrected_name_updates_the_same_unit() {
        let v = Validity::default();
        let plan = plan_import(
            &[rec(2, "province", "40", "Nghe An", None)],
            v,
            &[],
            &ranks(),
        )
        .unwrap();
        let existing = stored(&plan, 7);
        let plan = plan_import(
            &[rec(2, "province", "40", "Tỉnh Nghệ An", None)],
            v,
            &existing,
            &ranks(),
        )
        .unwrap();
        assert_eq!(plan.inserts.len(), 0);
        assert_eq!(plan.updates[0].id, UnitId::new(7));
        assert_eq!(plan.updates[0].record.name, "Tỉnh Nghệ An");
    }

    #[test]
    fn a_parent_must_exist_when_the_unit_does() {
        let current = Validity::new(Some(d("2025-07-01")), None).unwrap();
        let legacy = Validity::new(None, Some(d("2025-06-30"))).unwrap();
        let plan = plan_import(
            &[rec(2, "district", "412", "Vinh", None)],
            legacy,
            &[],
            &ranks(),
        )
        .unwrap();
        let existing = stored(&plan, 1);
        // District 412 ended before the 2025 commune begins: it cannot be its parent.
        let errors = plan_import(
            &[rec(9, "commune", "1", "X", Some("412"))],
            current,
            &existing,
            &ranks(),
        )
        .unwrap_err();
        assert_eq!(errors[0].line, 9);
        assert_eq!(errors[0].message.key, "unit.import.unknown_parent");
    }

    #[test]
    fn validity_touching_and_union() {
        let a = Validity::new(None, Some(d("2025-06-30"))).unwrap();
        let b = Validity::new(Some(d("2025-07-01")), None).unwrap();
        let c = Validity::new(Some(d("2025-07-02")), None).unwrap();
        assert!(touches(&a, &b) && touches(&b, &a));
        assert!(!touches(&a, &c));
        assert!(!overlaps(&a, &b) && overlaps(&b, &c));
        assert_eq!(union(&a, &b), Validity::default());
    }
}

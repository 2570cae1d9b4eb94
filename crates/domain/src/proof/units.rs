//! What the ledger proves about the unit tree: every unit and every
//! reorganisation event is as the last entry that recorded it. An import
//! records a digest of every unit and event as they stand after it (the
//! tree is a few tens of thousands of rows, imports are rare), adding a unit
//! records that unit; verification compares the table row by row and names
//! the first unit or event that differs.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::AuditEvent;
use crate::unit::{OrgUnit, ReorgKind, UnitId};

/// The digest of a unit as stored: SHA-256 of its JSON (every field).
pub fn unit_digest(unit: &OrgUnit) -> String {
    hex::encode(Sha256::digest(
        serde_json::to_string(unit).unwrap_or_default().as_bytes(),
    ))
}

/// A reorganisation event's key: `old>new@date`.
pub fn reorg_key(old: UnitId, new: UnitId, date: NaiveDate) -> String {
    format!("{}>{}@{date}", old.get(), new.get())
}

/// What of an event can change: its kind, and `*` when it is the default
/// target of a split.
pub fn reorg_digest(kind: ReorgKind, is_default: bool) -> String {
    format!("{}{}", kind.as_str(), if is_default { "*" } else { "" })
}

/// Units and events with their digests, as an entry records them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitsSnapshot {
    /// (unit id, [`unit_digest`]).
    pub units: Vec<(i64, String)>,
    /// ([`reorg_key`], [`reorg_digest`]).
    pub reorgs: Vec<(String, String)>,
}

/// The unit tree as the ledger recorded it so far.
#[derive(Debug, Default)]
pub struct RecordedUnits {
    units: HashMap<i64, (String, i64)>,
    reorgs: HashMap<String, (String, i64)>,
}

impl RecordedUnits {
    /// Takes in entry `seq` if it records units (`units.change`,
    /// `units.baseline`).
    pub fn feed(&mut self, seq: i64, event: &AuditEvent) {
        let (AuditEvent::UnitsChanged { snapshot } | AuditEvent::UnitsBaseline { snapshot }) =
            event
        else {
            return;
        };
        for (id, digest) in &snapshot.units {
            self.units.insert(*id, (digest.clone(), seq));
        }
        for (key, digest) in &snapshot.reorgs {
            self.reorgs.insert(key.clone(), (digest.clone(), seq));
        }
    }
}

/// Where the unit tree first differs from the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitsDifference {
    /// A unit no entry recorded.
    UnitWithoutEntry(i64),
    /// A unit whose row is not the one recorded (by entry `seq`).
    UnitDiffers(i64, i64),
    /// A recorded unit the table lacks.
    UnitMissing(i64, i64),
    /// An event no entry recorded.
    ReorgWithoutEntry(String),
    /// An event that differs from, or is missing after, entry `seq`.
    ReorgDiffers(String, i64),
}

/// The first difference: units by id, then events by key.
pub fn first_units_difference(
    recorded: &RecordedUnits,
    stored: &UnitsSnapshot,
) -> Option<UnitsDifference> {
    let units: BTreeMap<i64, &String> = stored.units.iter().map(|(i, d)| (*i, d)).collect();
    for (id, digest) in &units {
        match recorded.units.get(id) {
            None => return Some(UnitsDifference::UnitWithoutEntry(*id)),
            Some((r, seq)) if r != *digest => return Some(UnitsDifference::UnitDiffers(*id, *seq)),
            Some(_) => {}
        }
    }
    let mut missing: Vec<(&i64, &(String, i64))> = recorded
        .units
        .iter()
        .filter(|(id, _)| !units.contains_key(id))
        .collect();
    missing.sort();
    if let Some((id, (_, seq))) = missing.first() {
        return Some(UnitsDifference::UnitMissing(**id, *seq));
    }
    let reorgs: BTreeMap<&String, &String> = stored.reorgs.iter().map(|(k, d)| (k, d)).collect();
    for (key, digest) in &reorgs {
        match recorded.reorgs.get(*key) {
            None => return Some(UnitsDifference::ReorgWithoutEntry((*key).clone())),
            Some((r, seq)) if r != *digest => {
                return Some(UnitsDifference::ReorgDiffers((*key).clone(), *seq))
            }
            Some(_) => {}
        }
    }
    let mut gone: Vec<(&String, &(String, i64))> = recorded
        .reorgs
        .iter()
        .filter(|(k, _)| !reorgs.contains_key(k))
        .collect();
    gone.sort();
    gone.first()
        .map(|(k, (_, seq))| UnitsDifference::ReorgDiffers((*k).clone(), *seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(units: &[(i64, &str)], reorgs: &[(&str, &str)]) -> UnitsSnapshot {
        UnitsSnapshot {
            units: units.iter().map(|(i, d)| (*i, d.to_string())).collect(),
            reorgs: reorgs
                .iter()
                .map(|(k, d)| (k.to_string(), d.to_string()))
                .collect(),
        }
    }

    #[test]
    fn the_tree_is_proven_unit_by_unit_and_event_by_event() {
        let mut r = RecordedUnits::default();
        let first = snapshot(&[(1, "a"), (2, "b")], &[("2>9@2025-07-01", "merge")]);
        r.feed(1, &AuditEvent::UnitsChanged { snapshot: first });
        r.feed(
            2,
            &AuditEvent::UnitsChanged {
                snapshot: snapshot(&[(3, "c")], &[]),
            },
        );
        let table = snapshot(
            &[(1, "a"), (2, "b"), (3, "c")],
            &[("2>9@2025-07-01", "merge")],
        );
        assert_eq!(first_units_difference(&r, &table), None);
        let edited = snapshot(
            &[(1, "a"), (2, "x"), (3, "c")],
            &[("2>9@2025-07-01", "merge")],
        );
        assert_eq!(
            first_units_difference(&r, &edited),
            Some(UnitsDifference::UnitDiffers(2, 1))
        );
        let added = snapshot(
            &[(1, "a"), (2, "b"), (3, "c"), (4, "d")],
            &[("2>9@2025-07-01", "merge")],
        );
        assert_eq!(
            first_units_difference(&r, &added),
            Some(UnitsDifference::UnitWithoutEntry(4))
        );
        let gone = snapshot(&[(1, "a"), (2, "b"), (3, "c")], &[]);
        assert_eq!(
            first_units_difference(&r, &gone),
            Some(UnitsDifference::ReorgDiffers("2>9@2025-07-01".into(), 1))
        );
        assert_eq!(
            first_units_difference(&r, &snapshot(&[(1, "a"), (2, "b")], &[])),
            Some(UnitsDifference::UnitMissing(3, 2))
        );
        assert_eq!(reorg_digest(ReorgKind::Whole, true), "whole*");
    }
}

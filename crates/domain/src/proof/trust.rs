//! What the ledger proves about the trust anchors: every CA certificate the
//! table trusts was added through the application (`trust.add`) and not
//! removed since, with the fingerprint and subject recorded — so a CA slipped
//! into the table behind the application's back, to accept signatures it
//! made, is found.

use std::collections::BTreeMap;

use crate::audit::AuditEvent;

/// The anchors as the ledger recorded them: id → (fingerprint, subject, entry).
#[derive(Debug, Default)]
pub struct RecordedAnchors {
    anchors: BTreeMap<i64, (String, String, i64)>,
}

/// An anchor as the table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnchor {
    /// Id.
    pub id: i64,
    /// The fingerprint column.
    pub fingerprint: String,
    /// The subject column.
    pub subject: String,
    /// The fingerprint of the stored certificate itself (`None`: unreadable).
    pub actual_fingerprint: Option<String>,
}

/// The first difference between the table and the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorDifference {
    /// A trusted CA the ledger never added (or removed).
    WithoutEntry {
        /// Its id.
        id: i64,
        /// Its subject.
        subject: String,
    },
    /// Fingerprint, subject or certificate unlike the entry.
    Changed {
        /// Its id.
        id: i64,
        /// The entry that added it.
        seq: i64,
    },
    /// Added in the ledger, missing from the table.
    Missing {
        /// Its id.
        id: i64,
        /// The entry that added it.
        seq: i64,
    },
}

impl RecordedAnchors {
    /// Takes in entry `seq` if it is about a trust anchor.
    pub fn feed(&mut self, seq: i64, event: &AuditEvent) {
        match event {
            AuditEvent::AnchorAdded {
                anchor,
                fingerprint,
                subject,
            } => {
                self.anchors
                    .insert(*anchor, (fingerprint.clone(), subject.clone(), seq));
            }
            AuditEvent::AnchorRemoved { anchor, .. } => {
                self.anchors.remove(anchor);
            }
            _ => {}
        }
    }

    /// The first difference with the table, by id.
    pub fn first_difference(&self, stored: &[StoredAnchor]) -> Option<AnchorDifference> {
        for s in stored {
            let Some((fingerprint, subject, seq)) = self.anchors.get(&s.id) else {
                return Some(AnchorDifference::WithoutEntry {
                    id: s.id,
                    subject: s.subject.clone(),
                });
            };
            if s.fingerprint != *fingerprint
                || s.subject != *subject
                || s.actual_fingerprint.as_deref() != Some(fingerprint.as_str())
            {
                return Some(AnchorDifference::Changed {
                    id: s.id,
                    seq: *seq,
                });
            }
        }
        self.anchors
            .iter()
            .find(|(id, _)| !stored.iter().any(|s| s.id == **id))
            .map(|(id, (_, _, seq))| AnchorDifference::Missing { id: *id, seq: *seq })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(id: i64, fp: &str) -> StoredAnchor {
        StoredAnchor {
            id,
            fingerprint: fp.into(),
            subject: "CN=Root".into(),
            actual_fingerprint: Some(fp.into()),
        }
    }

    #[test]
    fn anchors_are_proven_by_their_entries() {
        let mut r = RecordedAnchors::default();
        let added = |anchor: i64, fingerprint: &str| AuditEvent::AnchorAdded {
            anchor,
            fingerprint: fingerprint.into(),
            subject: "CN=Root".into(),
        };
        r.feed(5, &added(1, "aa"));
        r.feed(6, &added(2, "bb"));
        r.feed(
            7,
            &AuditEvent::AnchorRemoved {
                anchor: 2,
                fingerprint: "bb".into(),
            },
        );
        assert_eq!(r.first_difference(&[stored(1, "aa")]), None);
        assert_eq!(
            r.first_difference(&[stored(1, "aa"), stored(3, "cc")]),
            Some(AnchorDifference::WithoutEntry {
                id: 3,
                subject: "CN=Root".into()
            })
        );
        assert_eq!(
            r.first_difference(&[stored(2, "bb")]),
            Some(AnchorDifference::WithoutEntry {
                id: 2,
                subject: "CN=Root".into()
            }),
            "removed"
        );
        let mut swapped = stored(1, "aa");
        swapped.actual_fingerprint = Some("dd".into());
        assert_eq!(
            r.first_difference(&[swapped]),
            Some(AnchorDifference::Changed { id: 1, seq: 5 }),
            "another certificate under the recorded fingerprint"
        );
        assert_eq!(
            r.first_difference(&[]),
            Some(AnchorDifference::Missing { id: 1, seq: 5 })
        );
    }
}

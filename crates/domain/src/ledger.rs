//! The audit ledger (sổ nhật ký kiểm toán): an append-only, hash-chained log of
//! every state change and every value change.
//!
//! Each entry's hash covers its own fields and the previous entry's hash, so
//! editing, deleting or reordering any entry — even directly in the database —
//! breaks the chain from that entry on, and [`verify`] names the first broken
//! one. The head hash can be exported and signed as a checkpoint.

use sha2::{Digest, Sha256};

use crate::access::UserId;

/// The "previous hash" of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash format new entries are written in: format 2 covers every column
/// of an entry, the stored user's id included. Format 1 (entries written
/// before 2026-12) left `actor_id` out; such entries still verify, but only
/// before the first format-2 entry: a chain never goes back to format 1.
pub const FORMAT: i16 = 2;

/// What an entry records. `payload` is canonical JSON written by the app layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// The hash format the entry was written in (see [`FORMAT`]).
    pub format: i16,
    /// Server time (unix seconds).
    pub at: i64,
    /// The stored user who acted, if any.
    pub actor_id: Option<UserId>,
    /// Who acted (user name, `system` for the command line).
    pub actor: String,
    /// What happened, e.g. `report.submit`.
    pub action: String,
    /// What it happened to, e.g. `report:42`.
    pub subject: String,
    /// The details (values, reasons), as JSON.
    pub payload: String,
}

/// The hash of `entry` chained after `prev` (hex SHA-256), in the entry's
/// format; `None` for a format this version does not know.
///
/// Fields are length-prefixed so that no two different entries share the
/// hashed bytes (`"ab" + "c"` vs `"a" + "bc"`). Format 2 hashes every column
/// (`actor_id` as its decimal digits, empty when there is none); format 1
/// hashed all but `actor_id`.
pub fn entry_hash(prev: &str, entry: &Entry) -> Option<String> {
    let seq = entry.seq.to_string();
    let at = entry.at.to_string();
    let actor_id = entry
        .actor_id
        .map(|id| id.get().to_string())
        .unwrap_or_default();
    let mut h = Sha256::new();
    let fields: Vec<&str> = match entry.format {
        1 => {
            h.update(b"baocao-ledger/1\n");
            vec![prev, &seq, &at, &entry.actor]
        }
        2 => {
            h.update(b"baocao-ledger/2\n");
            vec![prev, &seq, &at, &actor_id, &entry.actor]
        }
        _ => return None,
    };
    for field in fields
        .into_iter()
        .chain([&*entry.action, &entry.subject, &entry.payload])
    {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    Some(hex::encode(h.finalize()))
}

/// Where and why a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The first entry that does not verify.
    pub seq: i64,
    /// Catalogue key of the reason.
    pub reason: &'static str,
}

/// A stored entry with the hashes stored next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// The entry.
    pub entry: Entry,
    /// The previous hash as stored.
    pub prev_hash: String,
    /// The entry's hash as stored.
    pub hash: String,
}

/// A chain checked entry by entry, in order, in constant memory (a ledger
/// of millions of entries is read a page at a time).
#[derive(Debug, Clone)]
pub struct ChainCheck {
    prev: String,
    expected_seq: i64,
    format: i16,
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck {
            prev: GENESIS.to_string(),
            expected_seq: 1,
            format: 1,
        }
    }
}

/// What an entry's stored hash says of the entry itself, found apart from the
/// chain (from its stored previous hash), so that many entries can be
/// checked at once; [`ChainCheck::feed_sealed`] then checks the links in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seal {
    /// The stored hash is the entry's.
    Matches,
    /// It is not: the entry was altered.
    Differs,
    /// The entry's format is unknown to this version.
    UnknownFormat,
}

/// The [`Seal`] of a stored entry.
pub fn seal(stored: &StoredEntry) -> Seal {
    match entry_hash(&stored.prev_hash, &stored.entry) {
        None => Seal::UnknownFormat,
        Some(hash) if hash == stored.hash => Seal::Matches,
        Some(_) => Seal::Differs,
    }
}

impl ChainCheck {
    /// Checks the next entry: its place, its link and its hash.
    pub fn feed(&mut self, stored: &StoredEntry) -> Result<(), Break> {
        self.feed_sealed(stored, seal(stored))
    }

    /// Checks the next entry whose hash was already checked (`seal`): its
    /// place, its link and its format.
    pub fn feed_sealed(&mut self, stored: &StoredEntry, seal: Seal) -> Result<(), Break> {
        let seq = stored.entry.seq;
        if seq != self.expected_seq {
            return Err(Break {
                seq: self.expected_seq,
                reason: "audit.missing_entry",
            });
        }
        if stored.prev_hash != self.prev {
            return Err(Break {
                seq,
                reason: "audit.broken_link",
            });
        }
        // An entry written back in the old format would hide a changed
        // actor_id: once the chain has reached a format it stays there.
        if stored.entry.format < self.format {
            return Err(Break {
                seq,
                reason: "audit.downgraded_entry",
            });
        }
        // The link holds (checked above), so the stored previous hash the
        // seal was computed from is this chain's.
        match seal {
            Seal::UnknownFormat => {
                return Err(Break {
                    seq,
                    reason: "audit.unknown_format",
                })
            }
            Seal::Differs => {
                return Err(Break {
                    seq,
                    reason: "audit.altered_entry",
                })
            }
            Seal::Matches => {}
        }
        self.format = stored.entry.format;
        self.prev = stored.hash.clone();
        self.expected_seq += 1;
        Ok(())
    }

    /// The head hash and the number of entries checked.
    pub fn head(&self) -> (String, i64) {
        (self.prev.clone(), self.expected_seq - 1)
    }
}

/// Verifies a whole chain in order; returns the head hash and the number of
/// entries, or the first break.
pub fn verify<'a>(
    entries: impl IntoIterator<Item = &'a StoredEntry>,
) -> Result<(String, i64), Break> {
    let mut check = ChainCheck::default();
    for stored in entries {
        check.feed(stored)?;
    }
    Ok(check.head())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let entry = Entry {
                    seq,
                    format: FORMAT,
                    at: 1_700_000_000 + seq,
                    actor_id: Some(UserId::new(7)),
                    actor: "xa.nhaplieu".into(),
                    action: crate::audit::Action::ReportSave.as_str().into(),
                    subject: format!("report:{seq}"),
                    payload: format!("{{\"A\":\"{seq}\"}}"),
                };
                let hash = entry_hash(&prev, &entry).unwrap();
                let stored = StoredEntry {
                    entry,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                stored
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c).unwrap(), (c[4].hash.clone(), 5));
        assert_eq!(verify(&[]).unwrap(), (GENESIS.to_string(), 0));
    }

    #[test]
    fn any_edit_is_found() {
        let mut c = chain(5);
        c[2].entry.payload = "{\"A\":\"999\"}".into();
        assert_eq!(
            verify(&c).unwrap_err(),
            Break {
                seq: 3,
                reason: "audit.altered_entry"
            }
        );

        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify(&c).unwrap_err().seq, 2);

        // Recomputing one entry's hash does not help: the next link breaks.
        let mut c = chain(5);
        c[2].entry.actor = "someone".into();
        c[2].hash = entry_hash(&c[2].prev_hash, &c[2].entry).unwrap();
        assert_eq!(
            verify(&c).unwrap_err(),
            Break {
                seq: 4,
                reason: "audit.broken_link"
            }
        );
    }

    #[test]
    fn fields_are_not_confused() {
        let a = Entry {
            seq: 1,
            format: FORMAT,
            at: 1,
            actor_id: None,
            actor: "ab".into(),
            action: "c".into(),
            subject: String::new(),
            payload: String::new(),
        };
        let b = Entry {
            actor: "a".into(),
            action: "bc".into(),
            ..a.clone()
        };
        assert_ne!(entry_hash(GENESIS, &a), entry_hash(GENESIS, &b));
        // The stored user's id counts: "7" and none differ.
        let c = Entry {
            actor_id: Some(UserId::new(7)),
            ..a.clone()
        };
        assert_ne!(entry_hash(GENESIS, &a), entry_hash(GENESIS, &c));
    }

    #[test]
    fn the_actor_id_is_covered_and_the_format_never_goes_back() {
        let mut c = chain(3);
        c[1].entry.actor_id = Some(UserId::new(8));
        assert_eq!(
            verify(&c).unwrap_err(),
            Break {
                seq: 2,
                reason: "audit.altered_entry"
            }
        );

        // Entries of the first format (which left actor_id out) verify at
        // the start of a chain, and their actor_id is not covered ...
        let mut prev = GENESIS.to_string();
        let mut old = chain(3);
        for stored in &mut old {
            stored.entry.format = 1;
            stored.prev_hash = prev.clone();
            stored.hash = entry_hash(&prev, &stored.entry).unwrap();
            prev = stored.hash.clone();
        }
        assert_eq!(verify(&old).unwrap().1, 3);
        // ... but one rewritten in format 1 after a format-2 entry is refused,
        // even with every hash recomputed.
        let mut c = chain(3);
        c[2].entry.format = 1;
        c[2].entry.actor_id = Some(UserId::new(1));
        c[2].hash = entry_hash(&c[2].prev_hash, &c[2].entry).unwrap();
        assert_eq!(
            verify(&c).unwrap_err(),
            Break {
                seq: 3,
                reason: "audit.downgraded_entry"
            }
        );
        let mut c = chain(2);
        c[1].entry.format = 9;
        assert_eq!(verify(&c).unwrap_err().reason, "audit.unknown_format");
    }
}

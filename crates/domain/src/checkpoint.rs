//! A checkpoint of the audit ledger: the head's sequence and hash at a
//! moment, the instance that signed it and its public key, signed with the
//! instance's Ed25519 key. Kept outside the database (published, sent to the
//! level above), it proves later that the ledger up to that entry was not
//! rewritten: a chain recomputed with fresh hashes no longer has the same
//! hash at that sequence (docs/decisions/0014).

use serde::{Deserialize, Serialize};

/// The format's name and revision: revision 2 adds the Merkle root of the
/// entries (`root`), for consistency proofs between checkpoints.
pub const FORMAT: &str = "baocao-checkpoint/2";

/// The first revision, without a root; still verified.
pub const FORMAT_1: &str = "baocao-checkpoint/1";

/// The consistency proof file's format.
pub const CONSISTENCY_FORMAT: &str = "baocao-consistency/1";

/// A consistency proof between two checkpoints (RFC 9162 §2.1.4): the hashes
/// that show the tree at `to` extends the tree at `from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    /// [`CONSISTENCY_FORMAT`].
    pub format: String,
    /// The earlier checkpoint's sequence.
    pub from: i64,
    /// The later checkpoint's sequence.
    pub to: i64,
    /// The proof's hashes (hex), in order.
    pub proof: Vec<String>,
}

/// What is signed, and the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// [`FORMAT`].
    pub format: String,
    /// The instance (its name as configured).
    pub instance: String,
    /// The head entry's sequence.
    pub seq: i64,
    /// Its hash (hex SHA-256).
    pub head: String,
    /// The Merkle root (RFC 9162) over the hashes of entries 1 to `seq`
    /// (hex; revision 2 on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// When (Unix seconds).
    pub at: i64,
    /// The instance's Ed25519 public key (hex).
    pub public_key: String,
    /// The signature (hex) over [`Checkpoint::signed_bytes`].
    pub signature: String,
}

impl Checkpoint {
    /// The bytes the signature covers: every member but the signature, one
    /// a line, in order (the root after the head, when there is one).
    pub fn signed_bytes(&self) -> Vec<u8> {
        let root = self
            .root
            .as_ref()
            .map(|r| format!("{r}\n"))
            .unwrap_or_default();
        format!(
            "{}\n{}\n{}\n{}\n{root}{}\n{}\n",
            self.format, self.instance, self.seq, self.head, self.at, self.public_key
        )
        .into_bytes()
    }

    /// Whether the format is one this version verifies, with a root exactly
    /// when the revision has one.
    pub fn is_known_format(&self) -> bool {
        (self.format == FORMAT && self.root.is_some())
            || (self.format == FORMAT_1 && self.root.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_bytes_cover_every_member_but_the_signature() {
        let c = Checkpoint {
            format: FORMAT_1.into(),
            instance: "Nghệ An".into(),
            seq: 42,
            head: "ab".into(),
            root: None,
            at: 1_700_000_000,
            public_key: "cd".into(),
            signature: "ef".into(),
        };
        assert_eq!(
            c.signed_bytes(),
            "baocao-checkpoint/1\nNghệ An\n42\nab\n1700000000\ncd\n".as_bytes()
        );
        let other = Checkpoint {
            seq: 43,
            ..c.clone()
        };
        assert_ne!(other.signed_bytes(), c.signed_bytes());
        let second = Checkpoint {
            format: FORMAT.into(),
            root: Some("99".into()),
            ..c.clone()
        };
        assert_eq!(
            second.signed_bytes(),
            "baocao-checkpoint/2\nNghệ An\n42\nab\n99\n1700000000\ncd\n".as_bytes()
        );
        assert!(second.is_known_format() && c.is_known_format());
        assert!(!Checkpoint {
            root: None,
            ..second
        }
        .is_known_format());
    }
}

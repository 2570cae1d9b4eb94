//! A checkpoint of the audit ledger: the head's sequence and hash at a
//! moment, the instance that signed it and its public key, signed with the
//! instance's Ed25519 key. Kept outside the database (published, sent to the
//! level above), it proves later that the ledger up to that entry was not
//! rewritten: a chain recomputed with fresh hashes no longer has the same
//! hash at that sequence (docs/decisions/0014).

use serde::{Deserialize, Serialize};

/// The format's name and revision.
pub const FORMAT: &str = "baocao-checkpoint/1";

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
    /// When (Unix seconds).
    pub at: i64,
    /// The instance's Ed25519 public key (hex).
    pub public_key: String,
    /// The signature (hex) over [`Checkpoint::signed_bytes`].
    pub signature: String,
}

impl Checkpoint {
    /// The bytes the signature covers: every member but the signature, one
    /// a line, in order.
    pub fn signed_bytes(&self) -> Vec<u8> {
        format!(
            "{}\n{}\n{}\n{}\n{}\n{}\n",
            self.format, self.instance, self.seq, self.head, self.at, self.public_key
        )
        .into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_bytes_cover_every_member_but_the_signature() {
        let c = Checkpoint {
            format: FORMAT.into(),
            instance: "Nghệ An".into(),
            seq: 42,
            head: "ab".into(),
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
    }
}

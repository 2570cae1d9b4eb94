//! Digital signatures of report versions: what a verified signature tells,
//! why one is refused, and the algorithms allowed (Circular 15/2025: RSA of
//! at least 2048 bits, ECDSA on curves of at least 256 bits, SHA-256/384/512;
//! SHA-1 and shorter keys refused). Pure: the CMS and X.509 work is done by
//! `baocao_formats::cms`, which reports here.

use serde::{Deserialize, Serialize};

use crate::Message;

/// How a signature reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureKind {
    /// A detached CMS/CAdES signature (`.p7s`) over the canonical bytes.
    Cms,
    /// The official PDF signed with PAdES.
    Pades,
}

impl SignatureKind {
    /// The stable stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureKind::Cms => "cms",
            SignatureKind::Pades => "pades",
        }
    }

    /// From the stored text.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cms" => Some(SignatureKind::Cms),
            "pades" => Some(SignatureKind::Pades),
            _ => None,
        }
    }
}

/// What a valid signature tells about its signer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signer {
    /// The signer's name (the certificate subject's common name, or the whole subject).
    pub name: String,
    /// The certificate's whole subject (`CN=…, O=…`).
    pub subject: String,
    /// The certificate's serial number (hex, upper case).
    pub serial: String,
    /// The issuing CA's name.
    pub issuer: String,
    /// The signing time the signature states (Unix seconds), if it states one.
    pub signed_at: Option<i64>,
    /// The digest algorithm (`SHA-256`).
    pub digest: String,
    /// The key (`RSA 2048`, `ECDSA 256`).
    pub key: String,
}

/// Why a signature is refused; each says it in the user's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a CMS signature (or PDF signature) that can be read.
    Malformed,
    /// The signature carries its content inside (a detached one is needed).
    NotDetached,
    /// Not exactly one signer.
    SignerCount(usize),
    /// The certificate of the signer is not in the signature.
    NoCertificate,
    /// The signature does not match the bytes: changed after signing.
    ContentChanged,
    /// No configured trust anchor issued the chain.
    UnknownCa(String),
    /// The certificate had expired at the signing time.
    Expired {
        /// When it expired (Unix seconds).
        not_after: i64,
        /// When it was used.
        at: i64,
    },
    /// The certificate was not yet valid at the signing time.
    NotYetValid {
        /// When it becomes valid.
        not_before: i64,
    },
    /// The stated signing time is later than now.
    SignedInTheFuture,
    /// A digest algorithm not allowed (SHA-1, MD5 …).
    WeakDigest(String),
    /// A key too short or of an algorithm not allowed.
    WeakKey(String),
    /// The certificate may not be used for signing (key usage).
    KeyUsage,
    /// The chain is invalid for another reason (the library's words).
    Chain(String),
    /// No trust anchor is configured on this server.
    NoAnchors,
    /// The PDF is not the official PDF of this version.
    OtherPdf,
    /// The PDF was changed after it was signed (bytes outside the signed ranges).
    PdfChangedAfterSigning,
}

impl Refusal {
    /// The refusal as a catalogue message.
    pub fn message(&self) -> Message {
        match self {
            Refusal::Malformed => Message::new("signature.refused.malformed"),
            Refusal::NotDetached => Message::new("signature.refused.not_detached"),
            Refusal::SignerCount(n) => {
                Message::new("signature.refused.signer_count").arg("count", n.to_string())
            }
            Refusal::NoCertificate => Message::new("signature.refused.no_certificate"),
            Refusal::ContentChanged => Message::new("signature.refused.content_changed"),
            Refusal::UnknownCa(issuer) => {
                Message::new("signature.refused.unknown_ca").arg("issuer", issuer)
            }
            Refusal::Expired { not_after, at } => Message::new("signature.refused.expired")
                .arg("not_after", day(*not_after))
                .arg("at", day(*at)),
            Refusal::NotYetValid { not_before } => {
                Message::new("signature.refused.not_yet_valid").arg("not_before", day(*not_before))
            }
            Refusal::SignedInTheFuture => Message::new("signature.refused.future"),
            Refusal::WeakDigest(name) => {
                Message::new("signature.refused.weak_digest").arg("value", name)
            }
            Refusal::WeakKey(key) => Message::new("signature.refused.weak_key").arg("value", key),
            Refusal::KeyUsage => Message::new("signature.refused.key_usage"),
            Refusal::Chain(why) => Message::new("signature.refused.chain").arg("value", why),
            Refusal::NoAnchors => Message::new("signature.refused.no_anchors"),
            Refusal::OtherPdf => Message::new("signature.refused.other_pdf"),
            Refusal::PdfChangedAfterSigning => Message::new("signature.refused.pdf_changed"),
        }
    }
}

/// `dd/mm/yyyy` (UTC) of Unix seconds, for the messages.
fn day(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

/// The digest algorithms allowed, by OID: their names.
pub fn allowed_digest(oid: &str) -> Result<&'static str, Refusal> {
    match oid {
        "2.16.840.1.101.3.4.2.1" => Ok("SHA-256"),
        "2.16.840.1.101.3.4.2.2" => Ok("SHA-384"),
        "2.16.840.1.101.3.4.2.3" => Ok("SHA-512"),
        "1.3.14.3.2.26" => Err(Refusal::WeakDigest("SHA-1".into())),
        "1.2.840.113549.2.5" => Err(Refusal::WeakDigest("MD5".into())),
        "2.16.840.1.101.3.4.2.4" => Err(Refusal::WeakDigest("SHA-224".into())),
        other => Err(Refusal::WeakDigest(other.to_string())),
    }
}

/// A signer's public key as the verifier found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA with its modulus length in bits.
    Rsa(u32),
    /// ECDSA with its curve's size in bits.
    Ec(u32),
    /// Another algorithm (Ed25519, DSA …).
    Other,
}

/// The key as the signer's record shows it, if allowed.
pub fn allowed_key(key: PublicKey) -> Result<String, Refusal> {
    match key {
        PublicKey::Rsa(bits) if bits >= 2048 => Ok(format!("RSA {bits}")),
        PublicKey::Rsa(bits) => Err(Refusal::WeakKey(format!("RSA {bits}"))),
        PublicKey::Ec(bits) if bits >= 256 => Ok(format!("ECDSA {bits}")),
        PublicKey::Ec(bits) => Err(Refusal::WeakKey(format!("ECDSA {bits}"))),
        PublicKey::Other => Err(Refusal::WeakKey("?".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_and_md5_are_refused_by_name() {
        assert_eq!(allowed_digest("2.16.840.1.101.3.4.2.1"), Ok("SHA-256"));
        assert_eq!(allowed_digest("2.16.840.1.101.3.4.2.3"), Ok("SHA-512"));
        assert_eq!(
            allowed_digest("1.3.14.3.2.26"),
            Err(Refusal::WeakDigest("SHA-1".into()))
        );
        assert_eq!(
            allowed_digest("1.2.840.113549.2.5"),
            Err(Refusal::WeakDigest("MD5".into()))
        );
    }

    #[test]
    fn short_keys_are_refused_at_the_circulars_limits() {
        assert_eq!(allowed_key(PublicKey::Rsa(2048)), Ok("RSA 2048".into()));
        assert_eq!(
            allowed_key(PublicKey::Rsa(1024)),
            Err(Refusal::WeakKey("RSA 1024".into()))
        );
        assert_eq!(allowed_key(PublicKey::Ec(256)), Ok("ECDSA 256".into()));
        assert_eq!(
            allowed_key(PublicKey::Ec(224)),
            Err(Refusal::WeakKey("ECDSA 224".into()))
        );
        assert!(allowed_key(PublicKey::Other).is_err());
    }

    #[test]
    fn an_expiry_names_both_days() {
        let m = Refusal::Expired {
            not_after: 1_700_000_000,
            at: 1_760_000_000,
        }
        .message();
        assert_eq!(m.key, "signature.refused.expired");
        assert_eq!(m.args[0].1, "14/11/2023");
        assert_eq!(m.args[1].1, "09/10/2025");
    }
}

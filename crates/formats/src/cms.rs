//! Verifying signatures of report versions: a detached CMS (CAdES)
//! signature over the canonical bytes, or a PAdES signature in the official
//! PDF. The cryptography and the chain are OpenSSL's (`CMS_verify`,
//! `X509_verify_cert` at the signing time); the fields OpenSSL's Rust binding
//! does not expose (the signer's digest algorithm, the signing time, the
//! certificate's key usage) are read with RustCrypto's DER types. What is
//! allowed and what a refusal says is in `baocao_domain::signature`.

use baocao_domain::signature::{allowed_digest, allowed_key, PublicKey, Refusal, Signer};
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::{Decode, Encode, Reader, SliceReader};
use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::nid::Nid;
use openssl::pkey::Id;
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::X509VerifyParam;
use openssl::x509::{X509NameRef, X509Ref, X509StoreContext, X509};

/// The largest signature file read (a CMS signature with a chain of a few
/// certificates is a few kilobytes).
pub const MAX_SIGNATURE_BYTES: usize = 256 * 1024;

/// A signing time this far after the server's clock is refused (seconds).
const CLOCK_SKEW: i64 = 300;

const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
const KEY_USAGE: &str = "2.5.29.15";

/// A configured trust anchor, as read from PEM.
#[derive(Debug, Clone)]
pub struct Anchor {
    /// The certificate's subject (`CN=…, O=…`).
    pub subject: String,
    /// SHA-256 of its DER (hex): what identifies it.
    pub fingerprint: String,
    /// Valid until (Unix seconds).
    pub not_after: i64,
    /// The certificate (PEM), as stored.
    pub pem: String,
}

/// Reads the CA certificates of a PEM file (one or more). `None` when the
/// file holds no certificate or one that is not a CA.
pub fn read_anchors(pem: &[u8]) -> Option<Vec<Anchor>> {
    let certs = X509::stack_from_pem(pem).ok()?;
    if certs.is_empty() {
        return None;
    }
    certs
        .iter()
        .map(|c| {
            if !is_ca(c) {
                return None;
            }
            let der = c.to_der().ok()?;
            Some(Anchor {
                subject: name_text(c.subject_name()),
                fingerprint: openssl::sha::sha256(&der)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect(),
                not_after: unix(c.not_after())?,
                pem: String::from_utf8(c.to_pem().ok()?).ok()?,
            })
        })
        .collect()
}

/// Whether a certificate says it is a CA (basic constraints, cA true).
fn is_ca(cert: &X509Ref) -> bool {
    let Ok(der) = cert.to_der() else {
        return false;
    };
    let Ok(parsed) = x509_cert::Certificate::from_der(&der) else {
        return false;
    };
    parsed
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id.to_string() == "2.5.29.19")
        .any(|e| {
            x509_cert::ext::pkix::BasicConstraints::from_der(e.extn_value.as_bytes())
                .is_ok_and(|b| b.ca)
        })
}

/// Verifies a detached CMS signature (DER, or PEM `-----BEGIN CMS-----` /
/// `PKCS7`) over `content`, with a chain to one of `anchors` valid at the
/// signing time (or `now` when the signature states none).
pub fn verify_detached(
    signature: &[u8],
    content: &[u8],
    anchors: &[Anchor],
    now: i64,
) -> Result<Signer, Refusal> {
    if signature.len() > MAX_SIGNATURE_BYTES {
        return Err(Refusal::Malformed);
    }
    let der = if signature.starts_with(b"-----BEGIN") {
        pem_body(signature).ok_or(Refusal::Malformed)?
    } else {
        signature.to_vec()
    };
    verify_der(&der, content, anchors, now)
}

/// The base64 body of a PEM file, decoded.
fn pem_body(pem: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(pem).ok()?;
    let body: String = text
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    openssl::base64::decode_block(&body).ok()
}

fn verify_der(der: &[u8], content: &[u8], anchors: &[Anchor], now: i64) -> Result<Signer, Refusal> {
    let info = ContentInfo::from_der(der).map_err(|_| Refusal::Malformed)?;
    if info.content_type.to_string() != SIGNED_DATA {
        return Err(Refusal::Malformed);
    }
    let signed: SignedData = info.content.decode_as().map_err(|_| Refusal::Malformed)?;
    if signed.encap_content_info.econtent.is_some() {
        return Err(Refusal::NotDetached);
    }
    let signer_infos = signed.signer_infos.0.as_slice();
    let [si] = signer_infos else {
        return Err(Refusal::SignerCount(signer_infos.len()));
    };
    let digest = allowed_digest(&si.digest_alg.oid.to_string())?;
    let signed_at = signing_time(si);

    let certs: Vec<x509_cert::Certificate> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let signer = certs
        .iter()
        .find(|c| identifies(&si.sid, c))
        .ok_or(Refusal::NoCertificate)?;
    let signer_x509 = to_openssl(signer).ok_or(Refusal::Malformed)?;
    let key = allowed_key(public_key(&signer_x509))?;
    if !may_sign(signer) {
        return Err(Refusal::KeyUsage);
    }

    // The signature over exactly these bytes (the chain is checked below,
    // at the signing time, which CMS_verify cannot be told).
    let mut cms = CmsContentInfo::from_der(der).map_err(|_| Refusal::Malformed)?;
    cms.verify(
        None,
        None,
        Some(content),
        None,
        CMSOptions::NO_SIGNER_CERT_VERIFY | CMSOptions::BINARY,
    )
    .map_err(|_| Refusal::ContentChanged)?;

    if anchors.is_empty() {
        return Err(Refusal::NoAnchors);
    }
    if signed_at.is_some_and(|at| at > now + CLOCK_SKEW) {
        return Err(Refusal::SignedInTheFuture);
    }
    let at = signed_at.unwrap_or(now);
    let others: Vec<X509> = certs
        .iter()
        .filter(|c| !std::ptr::eq(*c, signer))
        .filter_map(to_openssl)
        .collect();
    check_chain(&signer_x509, others, anchors, at)?;

    Ok(Signer {
        name: common_name(signer_x509.subject_name())
            .unwrap_or_else(|| name_text(signer_x509.subject_name())),
        subject: name_text(signer_x509.subject_name()),
        serial: signer_x509
            .serial_number()
            .to_bn()
            .and_then(|b| b.to_hex_str().map(|h| h.to_string()))
            .unwrap_or_default(),
        issuer: common_name(signer_x509.issuer_name())
            .unwrap_or_else(|| name_text(signer_x509.issuer_name())),
        signed_at,
        digest: digest.to_string(),
        key,
    })
}

/// The chain from `signer` through `others` to an anchor, valid at `at`.
fn check_chain(
    signer: &X509,
    others: Vec<X509>,
    anchors: &[Anchor],
    at: i64,
) -> Result<(), Refusal> {
    let internal = |_| Refusal::Chain("OpenSSL".into());
    let mut store = X509StoreBuilder::new().map_err(internal)?;
    for anchor in anchors {
        if let Ok(cert) = X509::from_pem(anchor.pem.as_bytes()) {
            store.add_cert(cert).map_err(internal)?;
        }
    }
    let mut param = X509VerifyParam::new().map_err(internal)?;
    param.set_time(at as _);
    // Security level 2 (112 bits): no RSA key under 2048 bits and no SHA-1
    // signature anywhere in the chain, as for the signer (Circular 15/2025).
    param.set_auth_level(2);
    store.set_param(&param).map_err(internal)?;
    let store = store.build();
    let mut chain = Stack::new().map_err(internal)?;
    for c in others {
        chain.push(c).map_err(internal)?;
    }
    let mut ctx = X509StoreContext::new().map_err(internal)?;
    let outcome = ctx
        .init(&store, signer, &chain, |ctx| {
            let ok = ctx.verify_cert()?;
            let code = ctx.error().as_raw();
            let why = ctx.error().error_string().to_string();
            let current = ctx.current_cert().map(|c| c.to_owned());
            Ok((ok, code, why, current))
        })
        .map_err(internal)?;
    let (ok, code, why, current) = outcome;
    if ok {
        return Ok(());
    }
    let current = current.as_deref();
    Err(match code {
        // X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT(_LOCALLY), DEPTH_ZERO_SELF_SIGNED_CERT,
        // SELF_SIGNED_CERT_IN_CHAIN, UNABLE_TO_VERIFY_LEAF_SIGNATURE
        2 | 18 | 19 | 20 | 21 => Refusal::UnknownCa(
            current
                .map(|c| name_text(c.issuer_name()))
                .unwrap_or_default(),
        ),
        // X509_V_ERR_CERT_HAS_EXPIRED
        10 => Refusal::Expired {
            not_after: current.and_then(|c| unix(c.not_after())).unwrap_or(0),
            at,
        },
        // X509_V_ERR_CERT_NOT_YET_VALID
        9 => Refusal::NotYetValid {
            not_before: current.and_then(|c| unix(c.not_before())).unwrap_or(0),
        },
        // X509_V_ERR_EE_KEY_TOO_SMALL, CA_KEY_TOO_SMALL
        66 | 67 => Refusal::WeakKey(
            current
                .map(|c| allowed_key(public_key(c)).unwrap_or_else(|e| format!("{e:?}")))
                .unwrap_or_default(),
        ),
        // X509_V_ERR_CA_MD_TOO_WEAK: the certificate's own signature algorithm.
        68 => Refusal::WeakDigest(
            current
                .and_then(|c| c.signature_algorithm().object().nid().long_name().ok())
                .map_or(why, str::to_string),
        ),
        _ => Refusal::Chain(why),
    })
}

/// Whether `sid` names certificate `c`.
fn identifies(sid: &SignerIdentifier, c: &x509_cert::Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(isn) => {
            isn.issuer == c.tbs_certificate.issuer
                && isn.serial_number == c.tbs_certificate.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => c
            .tbs_certificate
            .extensions
            .iter()
            .flatten()
            .filter(|e| e.extn_id.to_string() == "2.5.29.14")
            .any(|e| {
                x509_cert::ext::pkix::SubjectKeyIdentifier::from_der(e.extn_value.as_bytes())
                    .is_ok_and(|k| k.0 == ski.0)
            }),
    }
}

/// Whether the certificate's key usage, if stated, allows signing
/// (digitalSignature or nonRepudiation).
fn may_sign(c: &x509_cert::Certificate) -> bool {
    use x509_cert::ext::pkix::{KeyUsage, KeyUsages};
    let stated = c
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == KEY_USAGE);
    match stated {
        None => true,
        Some(e) => KeyUsage::from_der(e.extn_value.as_bytes()).is_ok_and(|ku| {
            ku.0.contains(KeyUsages::DigitalSignature) || ku.0.contains(KeyUsages::NonRepudiation)
        }),
    }
}

/// The signingTime attribute (Unix seconds), if signed.
fn signing_time(si: &cms::signed_data::SignerInfo) -> Option<i64> {
    let attr = si
        .signed_attrs
        .iter()
        .flat_map(|a| a.iter())
        .find(|a| a.oid.to_string() == SIGNING_TIME)?;
    let value = attr.values.iter().next()?;
    let time = x509_cert::time::Time::from_der(&value.to_der().ok()?).ok()?;
    i64::try_from(time.to_unix_duration().as_secs()).ok()
}

fn to_openssl(c: &x509_cert::Certificate) -> Option<X509> {
    X509::from_der(&c.to_der().ok()?).ok()
}

fn public_key(c: &X509Ref) -> PublicKey {
    match c.public_key() {
        Ok(k) if k.id() == Id::RSA => PublicKey::Rsa(k.bits()),
        Ok(k) if k.id() == Id::EC => PublicKey::Ec(k.bits()),
        _ => PublicKey::Other,
    }
}

/// Unix seconds of an ASN.1 time.
fn unix(t: &Asn1TimeRef) -> Option<i64> {
    let epoch = Asn1Time::from_unix(0).ok()?;
    let d = epoch.diff(t).ok()?;
    Some(i64::from(d.days) * 86_400 + i64::from(d.secs))
}

fn common_name(name: &X509NameRef) -> Option<String> {
    name.entries_by_nid(Nid::COMMONNAME)
        .next()
        .and_then(|e| e.data().to_string().ok())
}

/// `CN=…, O=…, C=VN`.
fn name_text(name: &X509NameRef) -> String {
    name.entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap_or("?");
            let value = e.data().to_string().unwrap_or_default();
            format!("{key}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Verifies a PDF signed with PAdES: it must be `official` (the version's
/// official PDF, byte for byte) with a signature appended as an incremental
/// update, and the signature's byte ranges must cover the whole file but
/// the signature itself. Bytes added after the signature, or an `official`
/// part that differs, are refused.
pub fn verify_pades(
    pdf: &[u8],
    official: &[u8],
    anchors: &[Anchor],
    now: i64,
) -> Result<Signer, Refusal> {
    if !pdf.starts_with(official) || pdf.len() == official.len() {
        return Err(Refusal::OtherPdf);
    }
    let appended = &pdf[official.len()..];
    let at = last_index(appended, b"/ByteRange").ok_or(Refusal::OtherPdf)? + official.len();
    let ranges = byte_range(&pdf[at + b"/ByteRange".len()..]).ok_or(Refusal::Malformed)?;
    let [start, first_len, second_start, second_len] = ranges;
    let hole_ok = start == 0
        && first_len >= official.len()
        && second_start > first_len + 1
        && second_start <= pdf.len();
    if !hole_ok {
        return Err(Refusal::Malformed);
    }
    if second_start.checked_add(second_len) != Some(pdf.len()) {
        return Err(Refusal::PdfChangedAfterSigning);
    }
    let hole = &pdf[first_len..second_start];
    let hex = hole
        .strip_prefix(b"<")
        .and_then(|h| h.strip_suffix(b">"))
        .ok_or(Refusal::Malformed)?;
    let bytes = decode_hex(hex).ok_or(Refusal::Malformed)?;
    // The hole is padded with zeros after the DER.
    let mut reader = SliceReader::new(&bytes).map_err(|_| Refusal::Malformed)?;
    ContentInfo::decode(&mut reader).map_err(|_| Refusal::Malformed)?;
    let used = u32::from(reader.position()) as usize;
    let mut signed = Vec::with_capacity(pdf.len() - hole.len());
    signed.extend_from_slice(&pdf[..first_len]);
    signed.extend_from_slice(&pdf[second_start..]);
    verify_der(&bytes[..used], &signed, anchors, now)
}

fn last_index(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// `[a b c d]` after `/ByteRange`.
fn byte_range(after: &[u8]) -> Option<[usize; 4]> {
    let text = std::str::from_utf8(&after[..after.len().min(200)]).ok()?;
    let open = text.find('[')?;
    if !text[..open].trim().is_empty() {
        return None;
    }
    let close = text.find(']')?;
    let numbers: Vec<usize> = text[open + 1..close]
        .split_whitespace()
        .map(|n| n.parse().ok())
        .collect::<Option<_>>()?;
    numbers.try_into().ok()
}

fn decode_hex(hex: &[u8]) -> Option<Vec<u8>> {
    let digits: Vec<u8> = hex
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| {
            let text = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(text, 16).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_malformed_not_a_crash() {
        for bytes in [
            &b""[..],
            b"\x30\x03\x02\x01",
            b"-----BEGIN CMS-----\n!!\n-----END CMS-----",
        ] {
            assert_eq!(
                verify_detached(bytes, b"x", &[], 0).unwrap_err(),
                Refusal::Malformed
            );
        }
    }

    #[test]
    fn a_pdf_that_is_not_the_official_one_is_refused() {
        assert_eq!(
            verify_pades(b"%PDF-1.7 other", b"%PDF-1.7 mine", &[], 0).unwrap_err(),
            Refusal::OtherPdf
        );
        assert_eq!(
            verify_pades(b"%PDF-1.7 mine", b"%PDF-1.7 mine", &[], 0).unwrap_err(),
            Refusal::OtherPdf,
            "not signed at all"
        );
    }

    #[test]
    fn a_byte_range_not_reaching_the_end_means_a_change_after_signing() {
        let official = b"%PDF-1.7 mine\n".to_vec();
        let mut pdf = official.clone();
        let sig = format!(
            "/ByteRange [0 {} {} 1]/Contents <00>",
            official.len() + 50,
            official.len() + 54
        );
        pdf.extend_from_slice(sig.as_bytes());
        pdf.extend_from_slice(&[b' '; 80]);
        assert_eq!(
            verify_pades(&pdf, &official, &[], 0).unwrap_err(),
            Refusal::PdfChangedAfterSigning
        );
    }

    #[test]
    fn byte_ranges_are_read_with_any_spacing() {
        assert_eq!(byte_range(b" [0 10 20 30   ]"), Some([0, 10, 20, 30]));
        assert_eq!(byte_range(b" [0 10 20]"), None);
        assert_eq!(byte_range(b" x [0 10 20 30]"), None);
    }
}

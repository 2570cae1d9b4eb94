//! The demo's test PKI, so that signing can be tried at once: a root CA the
//! demo trusts and a signer certificate with its key, written as files next
//! to the demo database (`baocao-demo-pki/`). Made with OpenSSL the first
//! time the demo starts on a database without trust anchors; a real
//! instance trusts its real CAs instead (`baocao trust add`). Test keys:
//! nothing here is secret, and none of it is committed.

use std::path::{Path, PathBuf};

use baocao_app::auth::system_principal;
use baocao_app::{App, AppError, AppResult};
use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, SubjectKeyIdentifier,
};
use openssl::x509::{X509Builder, X509NameBuilder, X509};

/// The folder the files go to: beside a SQLite database, else here.
pub fn folder(database: Option<&str>) -> PathBuf {
    let beside = database
        .and_then(|url| url.strip_prefix("sqlite://"))
        .map(|path| path.split('?').next().unwrap_or(path))
        .and_then(|path| Path::new(path).parent().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty());
    beside
        .unwrap_or_else(|| PathBuf::from("."))
        .join("baocao-demo-pki")
}

fn failed(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("demo PKI: {e}"))
}

fn key() -> AppResult<PKey<Private>> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).map_err(failed)?;
    let ec = EcKey::generate(&group).map_err(failed)?;
    PKey::from_ec_key(ec).map_err(failed)
}

/// A certificate for `cn` with `key`, issued by `issuer` (self-signed when `None`).
fn certificate(
    cn: &str,
    key: &PKey<Private>,
    issuer: Option<(&X509, &PKey<Private>)>,
    serial: u32,
) -> AppResult<X509> {
    let mut name = X509NameBuilder::new().map_err(failed)?;
    name.append_entry_by_nid(Nid::COMMONNAME, cn)
        .map_err(failed)?;
    name.append_entry_by_nid(Nid::ORGANIZATIONNAME, "Baocao demo")
        .map_err(failed)?;
    name.append_entry_by_nid(Nid::COUNTRYNAME, "VN")
        .map_err(failed)?;
    let name = name.build();
    let mut b = X509Builder::new().map_err(failed)?;
    b.set_version(2).map_err(failed)?;
    let serial = BigNum::from_u32(serial)
        .and_then(|n| n.to_asn1_integer())
        .map_err(failed)?;
    b.set_serial_number(&serial).map_err(failed)?;
    b.set_subject_name(&name).map_err(failed)?;
    b.set_issuer_name(issuer.map_or(&name, |(c, _)| c.subject_name()))
        .map_err(failed)?;
    b.set_pubkey(key).map_err(failed)?;
    let now = baocao_app::now();
    let years = if issuer.is_none() { 10 } else { 5 };
    let not_before = Asn1Time::from_unix(now - 86_400).map_err(failed)?;
    let not_after = Asn1Time::from_unix(now + years * 365 * 86_400).map_err(failed)?;
    b.set_not_before(&not_before).map_err(failed)?;
    b.set_not_after(&not_after).map_err(failed)?;
    let (constraints, usage) = if issuer.is_none() {
        (
            BasicConstraints::new().critical().ca().build(),
            KeyUsage::new()
                .critical()
                .key_cert_sign()
                .crl_sign()
                .build(),
        )
    } else {
        (
            BasicConstraints::new().build(),
            KeyUsage::new()
                .critical()
                .digital_signature()
                .non_repudiation()
                .build(),
        )
    };
    b.append_extension(constraints.map_err(failed)?)
        .map_err(failed)?;
    b.append_extension(usage.map_err(failed)?).map_err(failed)?;
    let ski = SubjectKeyIdentifier::new()
        .build(&b.x509v3_context(issuer.map(|(c, _)| c.as_ref()), None))
        .map_err(failed)?;
    b.append_extension(ski).map_err(failed)?;
    if let Some((ca, _)) = issuer {
        let aki = AuthorityKeyIdentifier::new()
            .keyid(true)
            .build(&b.x509v3_context(Some(ca), None))
            .map_err(failed)?;
        b.append_extension(aki).map_err(failed)?;
    }
    let signing = issuer.map_or(key, |(_, k)| k);
    b.sign(signing, MessageDigest::sha256()).map_err(failed)?;
    Ok(b.build())
}

/// Makes the demo PKI in `dir` and trusts its root, unless the instance
/// already trusts a CA. Returns the folder when it holds the demo's files.
pub async fn ensure(app: &App, dir: &Path) -> AppResult<Option<PathBuf>> {
    if !app.trust_anchors(&system_principal()).await?.is_empty() {
        return Ok(dir.join("signer.key").exists().then(|| dir.to_path_buf()));
    }
    let root_key = key()?;
    let root = certificate("Baocao Demo Root CA", &root_key, None, 1)?;
    let signer_key = key()?;
    let signer = certificate(
        "Lãnh đạo đơn vị (thử nghiệm)",
        &signer_key,
        Some((&root, &root_key)),
        2,
    )?;
    std::fs::create_dir_all(dir).map_err(failed)?;
    let write = |name: &str, bytes: Vec<u8>| std::fs::write(dir.join(name), bytes).map_err(failed);
    write("root.crt", root.to_pem().map_err(failed)?)?;
    write("signer.crt", signer.to_pem().map_err(failed)?)?;
    write(
        "signer.key",
        signer_key.private_key_to_pem_pkcs8().map_err(failed)?,
    )?;
    app.add_trust_anchors(&system_principal(), root.to_pem().map_err(failed)?)
        .await?;
    Ok(Some(dir.to_path_buf()))
}

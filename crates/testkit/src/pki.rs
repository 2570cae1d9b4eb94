//! A real test PKI made with the `openssl` command line (the tool a unit
//! head's signing software stands for): a root CA, an intermediate CA and
//! signers under it — a good RSA-2048 one, an ECDSA P-256 one, one expired
//! before today, an RSA-1024 one, one whose key may only encipher — plus a
//! foreign root with its own signer. Signatures are made with `openssl cms
//! -sign -binary`, detached, as the issue's users would.

#![allow(clippy::expect_used)] // test support: a failing tool is the test's failure

use std::path::{Path, PathBuf};
use std::process::Command;

/// The PKI's folder and what it holds.
pub struct TestPki {
    /// Where the keys and certificates are.
    pub dir: PathBuf,
}

const CONFIG: &str = r#"
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
countryName = optional
[ req ]
distinguished_name = dn
[ dn ]
[ v3_ca ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_signer ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_encipher ]
basicConstraints = CA:false
keyUsage = critical,keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"#;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the openssl command line is installed");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TestPki {
    /// Makes the whole PKI in a new temporary folder.
    pub fn make() -> TestPki {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("baocao-pki-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("newcerts")).expect("pki folder");
        std::fs::write(dir.join("ca.cnf"), CONFIG).expect("config");
        std::fs::write(dir.join("index.txt"), "").expect("index");
        std::fs::write(dir.join("serial"), "1000\n").expect("serial");
        let pki = TestPki { dir };
        pki.root("root", "Baocao Test Root CA");
        pki.issue(
            "intermediate",
            "root",
            "Baocao Test Issuing CA",
            "rsa:2048",
            "v3_ca",
            None,
        );
        pki.issue(
            "signer",
            "intermediate",
            "Nguyễn Văn Thủ Trưởng",
            "rsa:2048",
            "v3_signer",
            None,
        );
        pki.issue(
            "ec",
            "intermediate",
            "Trần Thị Ký Số",
            "ec",
            "v3_signer",
            None,
        );
        pki.issue(
            "expired",
            "intermediate",
            "Lê Văn Hết Hạn",
            "rsa:2048",
            "v3_signer",
            Some(("20200101000000Z", "20210101000000Z")),
        );
        pki.issue(
            "weak",
            "intermediate",
            "Khóa Ngắn",
            "rsa:1024",
            "v3_signer",
            None,
        );
        pki.issue(
            "encipher",
            "intermediate",
            "Chỉ Mã Hóa",
            "rsa:2048",
            "v3_encipher",
            None,
        );
        pki.root("foreign", "Foreign Root CA");
        pki.issue(
            "stranger",
            "foreign",
            "Người Lạ",
            "rsa:2048",
            "v3_signer",
            None,
        );
        // A certificate the intermediate signed with SHA-1.
        pki.issue_with(
            "sha1cert",
            "intermediate",
            "Chứng Thư SHA1",
            "rsa:2048",
            "v3_signer",
            None,
            "sha1",
        );
        pki
    }

    fn root(&self, name: &str, cn: &str) {
        openssl(
            &self.dir,
            &[
                "req",
                "-x509",
                "-config",
                "ca.cnf",
                "-extensions",
                "v3_ca",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.crt"),
                "-subj",
                &format!("/CN={cn}/O=Baocao/C=VN"),
                "-days",
                "3650",
                "-utf8",
            ],
        );
    }

    fn issue(
        &self,
        name: &str,
        parent: &str,
        cn: &str,
        key: &str,
        extensions: &str,
        dates: Option<(&str, &str)>,
    ) {
        self.issue_with(name, parent, cn, key, extensions, dates, "sha256");
    }

    #[allow(clippy::too_many_arguments)]
    fn issue_with(
        &self,
        name: &str,
        parent: &str,
        cn: &str,
        key: &str,
        extensions: &str,
        dates: Option<(&str, &str)>,
        md: &str,
    ) {
        let mut req = vec![
            "req", "-new", "-config", "ca.cnf", "-nodes", "-utf8", "-keyout",
        ];
        let keyout = format!("{name}.key");
        let csr = format!("{name}.csr");
        let subj = format!("/CN={cn}/O=Baocao/C=VN");
        req.extend([
            keyout.as_str(),
            "-out",
            csr.as_str(),
            "-subj",
            subj.as_str(),
        ]);
        if key == "ec" {
            req.extend(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]);
        } else {
            req.extend(["-newkey", key]);
        }
        openssl(&self.dir, &req);
        let cert = format!("{parent}.crt");
        let parent_key = format!("{parent}.key");
        let out = format!("{name}.crt");
        let mut ca = vec![
            "ca",
            "-batch",
            "-utf8",
            "-notext",
            "-config",
            "ca.cnf",
            "-cert",
            cert.as_str(),
            "-keyfile",
            parent_key.as_str(),
            "-in",
            csr.as_str(),
            "-out",
            out.as_str(),
            "-extensions",
            extensions,
            "-md",
            md,
        ];
        match dates {
            Some((start, end)) => ca.extend(["-startdate", start, "-enddate", end]),
            None => ca.extend(["-days", "730"]),
        }
        openssl(&self.dir, &ca);
    }

    /// A certificate (PEM) by name: `root`, `intermediate`, `foreign` ….
    pub fn cert(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(format!("{name}.crt"))).expect("certificate")
    }

    /// A detached CMS signature of `content` by signer `who` with digest
    /// `md`, the intermediate included: DER, or PEM when `pem`.
    pub fn sign(&self, who: &str, content: &[u8], md: &str, pem: bool) -> Vec<u8> {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let input = format!("content-{n}");
        let output = format!("signature-{n}");
        std::fs::write(self.dir.join(&input), content).expect("content");
        let chain = if who == "stranger" {
            "foreign.crt"
        } else {
            "intermediate.crt"
        };
        openssl(
            &self.dir,
            &[
                "cms",
                "-sign",
                "-binary",
                "-md",
                md,
                "-in",
                &input,
                "-signer",
                &format!("{who}.crt"),
                "-inkey",
                &format!("{who}.key"),
                "-certfile",
                chain,
                "-outform",
                if pem { "PEM" } else { "DER" },
                "-out",
                &output,
            ],
        );
        std::fs::read(self.dir.join(output)).expect("signature")
    }
}

impl TestPki {
    /// The PDF signed with PAdES by signer `signer` with pyhanko (an
    /// independent tool: `pyhanko` is its command), as an incremental update.
    pub fn pades(&self, pyhanko: &str, pdf: &[u8]) -> Vec<u8> {
        std::fs::write(self.dir.join("unsigned.pdf"), pdf).expect("pdf");
        let out = Command::new(pyhanko)
            .current_dir(&self.dir)
            .args([
                "sign",
                "addsig",
                "--field",
                "Sig1",
                "--use-pades",
                "pemder",
                "--key",
                "signer.key",
                "--cert",
                "signer.crt",
                "--chain",
                "intermediate.crt",
                "--no-pass",
                "unsigned.pdf",
                "signed.pdf",
            ])
            .output()
            .expect("pyhanko runs");
        assert!(
            out.status.success(),
            "pyhanko: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read(self.dir.join("signed.pdf")).expect("signed pdf")
    }
}

impl Drop for TestPki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

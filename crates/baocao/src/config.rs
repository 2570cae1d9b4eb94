//! Configuration: defaults, then `baocao.toml` (or `--config FILE`), then
//! `BAOCAO_*` environment variables and command-line flags (clap reads both).

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The file settings; every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `ADDR:PORT` to listen on.
    pub listen: Option<String>,
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: Option<String>,
    /// PostgreSQL schema to use.
    pub database_schema: Option<String>,
    /// Folder with the vn-admin CSV files.
    pub data_dir: Option<PathBuf>,
    /// Mark cookies Secure (served over HTTPS).
    pub secure_cookies: Option<bool>,
    /// `text` or `json` logs.
    pub log_format: Option<String>,
    /// Largest request body in bytes.
    pub max_body_bytes: Option<usize>,
    /// The SMTP server for e-mail notifications (none: no e-mail).
    pub smtp: Option<baocao_app::mail::SmtpSettings>,
    /// Reverse proxies (addresses or CIDR ranges) whose `X-Forwarded-For` is believed.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// Connections open at once, in all.
    pub max_connections: Option<usize>,
    /// Connections open at once from one address (trusted proxies excepted).
    pub max_connections_per_address: Option<usize>,
    /// Seconds to send a request's headers; also the longest idle keep-alive.
    pub header_read_timeout_seconds: Option<u64>,
    /// The audit ledger's checkpoints.
    pub audit: Option<AuditConfig>,
}

/// `[audit]`: the key that signs checkpoints and how often they are signed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// An Ed25519 PKCS#8 key (PEM or DER, `openssl genpkey -algorithm
    /// ed25519`); without it the instance makes its own at first use.
    pub signing_key_file: Option<PathBuf>,
    /// Hours between scheduled checkpoints (signed only if the ledger moved);
    /// 0 turns them off. Default 24.
    pub checkpoint_every_hours: Option<u64>,
    /// A folder each scheduled checkpoint is also written to.
    pub checkpoint_dir: Option<PathBuf>,
}

/// Hours between scheduled checkpoints by default.
pub const CHECKPOINT_EVERY_HOURS: u64 = 24;

/// Parses trusted proxies: `10.0.0.5` or `10.0.0.0/8`.
pub fn trusted_proxies(list: &[String]) -> Result<Vec<ipnet::IpNet>, String> {
    list.iter()
        .map(|text| {
            let text = text.trim();
            text.parse::<ipnet::IpNet>()
                .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| text.to_string())
        })
        .collect()
}

/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default database: one SQLite file in the working directory.
pub const DEFAULT_DATABASE: &str = "sqlite://baocao.db";

/// Reads the config file: the one named, else `./baocao.toml` if present.
pub fn load(path: Option<&Path>) -> Result<FileConfig, String> {
    let (path, required) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from("baocao.toml"), false),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(_) if !required => Ok(FileConfig::default()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// The vn-admin data folder: configured, else the first existing candidate.
pub fn data_dir(configured: Option<PathBuf>) -> Option<PathBuf> {
    if let Some(dir) = configured {
        return Some(dir);
    }
    let mut candidates = vec![
        PathBuf::from("../shared/data/vn-admin"),
        PathBuf::from("shared/data/vn-admin"),
        PathBuf::from("data/vn-admin"),
    ];
    // When run from elsewhere, look beside the source tree the binary was built from.
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/vn-admin"));
    candidates
        .into_iter()
        .find(|p| p.join("units-2025.csv").is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        let nets = trusted_proxies(&["10.0.0.5".into(), "192.168.0.0/16".into()]).unwrap();
        assert!(nets[0].contains(&"10.0.0.5".parse::<std::net::IpAddr>().unwrap()));
        assert!(nets[1].contains(&"192.168.4.4".parse::<std::net::IpAddr>().unwrap()));
        assert_eq!(
            trusted_proxies(&["proxy.local".into()]),
            Err("proxy.local".into())
        );
    }

    #[test]
    fn the_audit_section_is_read_and_typos_are_refused() {
        let config: FileConfig = toml::from_str(
            "[audit]\nsigning_key_file = \"/etc/baocao/ledger.pem\"\ncheckpoint_every_hours = 6\n",
        )
        .unwrap();
        let audit = config.audit.unwrap();
        assert_eq!(audit.checkpoint_every_hours, Some(6));
        assert_eq!(
            audit.signing_key_file,
            Some(PathBuf::from("/etc/baocao/ledger.pem"))
        );
        assert!(toml::from_str::<FileConfig>("[audit]\ncheckpoint_every = 6\n").is_err());
    }

    #[test]
    fn the_smtp_section_is_read_with_its_defaults_and_typos_are_refused() {
        let config: FileConfig = toml::from_str(
            "listen = \"0.0.0.0:8080\"\n[smtp]\nhost = \"mail.example.vn\"\n\
             from = \"Báo cáo <baocao@example.vn>\"\npublic_url = \"https://baocao.example.vn\"\n",
        )
        .unwrap();
        let smtp = config.smtp.unwrap();
        assert_eq!(smtp.security, baocao_app::mail::SmtpSecurity::Starttls);
        assert_eq!((smtp.port, smtp.daily_hour), (None, 7));
        assert!(baocao_app::mail::Mailer::new(&smtp).is_ok());
        let typo = toml::from_str::<FileConfig>(
            "[smtp]\nhost = \"h\"\nfrom = \"a@b.vn\"\npublic_url = \"https://x\"\nsecurty = \"tls\"\n",
        );
        assert!(typo.unwrap_err().to_string().contains("securty"));
    }
}

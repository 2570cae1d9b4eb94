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

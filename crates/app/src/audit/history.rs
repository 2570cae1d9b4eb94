//! A report's history from the ledger, and the canonical bytes of its
//! versions (what an outside tool signs).

use baocao_domain::report::ReportId;
use baocao_store::{ledger, reports as store_reports, Conn};

use super::decoded;
use crate::{App, AppError, AppResult};

/// One entry of a report's history as the ledger recorded it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HistoryLine {
    /// The ledger entry.
    pub seq: i64,
    /// When (Unix seconds).
    pub at: i64,
    /// Who.
    pub actor: String,
    /// What (`report.submit`, …).
    pub action: String,
    /// The version it concerns, when it says.
    pub version: Option<i64>,
    /// The reason given, when there is one.
    pub reason: Option<String>,
    /// For a signature: who signed, the certificate's serial and issuer.
    pub signature: Option<(String, String, String)>,
}

/// The signer, serial and issuer a `report.sign` entry recorded.
fn signature_of(action: &str, payload: &str) -> Option<(String, String, String)> {
    if action != "report.sign" {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(payload).ok()?;
    let text = |k: &str| {
        value
            .get(k)
            .and_then(serde_json::Value::as_str)
            .map(String::from)
    };
    Some((text("signer")?, text("serial")?, text("issuer")?))
}

/// The version and reason an entry's payload names, if any.
fn version_and_reason(payload: &str) -> (Option<i64>, Option<String>) {
    let value: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    (
        value.get("version").and_then(serde_json::Value::as_i64),
        value
            .get("reason")
            .and_then(serde_json::Value::as_str)
            .map(String::from),
    )
}

/// A report's full history from the ledger, oldest first, on `conn` (the
/// caller has checked that it may read the report).
pub(crate) async fn history_of(conn: &mut Conn, id: ReportId) -> AppResult<Vec<HistoryLine>> {
    let mut entries = ledger::of_subject(conn, &format!("report:{id}")).await?;
    entries.reverse();
    Ok(entries
        .into_iter()
        .map(|s| {
            let (version, reason) = version_and_reason(&s.entry.payload);
            let signature = signature_of(&s.entry.action, &s.entry.payload);
            HistoryLine {
                signature,
                seq: s.entry.seq,
                at: s.entry.at,
                actor: s.entry.actor,
                action: s.entry.action,
                version,
                reason,
            }
        })
        .collect())
}

impl App {
    /// A report's full history from the ledger, oldest first, for anyone
    /// who may read the report.
    pub async fn report_history(
        &self,
        principal: &baocao_domain::access::Principal,
        id: ReportId,
    ) -> AppResult<Vec<HistoryLine>> {
        let mut conn = self.store.conn().await?;
        self.readable_report(&mut conn, principal, id).await?;
        history_of(&mut conn, id).await
    }
}

impl App {
    /// The canonical bytes of version `version` of report `id` (see
    /// `baocao_domain::canonical`), for anyone who may read the report,
    /// with a file name for them.
    pub async fn canonical_version(
        &self,
        principal: &baocao_domain::access::Principal,
        id: ReportId,
        version: i64,
    ) -> AppResult<(String, Vec<u8>)> {
        let mut conn = self.store.conn().await?;
        let r = self.readable_report(&mut conn, principal, id).await?;
        let stored = store_reports::versions(&mut conn, id)
            .await?
            .into_iter()
            .find(|v| v.version == version)
            .ok_or(AppError::NotFound)?;
        let content = decoded(&stored.content)
            .ok_or_else(|| AppError::Internal(format!("report {id} version {version}")))?;
        let header = self.version_header(&mut conn, &r, version).await?;
        let name = format!(
            "{}_{}_{}_v{version}.json",
            r.regime_code, r.period, header.unit_code
        );
        Ok((
            name,
            baocao_domain::canonical::canonical_bytes(&header, &content),
        ))
    }
}

//! A report's history from the ledger, and the canonical bytes of its
//! versions (what an outside tool signs).

use baocao_domain::audit::{subject, Action, AuditEvent};
use baocao_domain::ledger::Entry;
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
    /// What.
    pub action: Action,
    /// The version it concerns, when it says.
    pub version: Option<i64>,
    /// The reason given, when there is one.
    pub reason: Option<String>,
    /// For a signature: who signed, the certificate's serial and issuer.
    pub signature: Option<(String, String, String)>,
}

impl HistoryLine {
    /// The line of entry `entry`, which records `event`.
    fn of(entry: Entry, event: &AuditEvent) -> HistoryLine {
        let signature = match event {
            AuditEvent::Signed { signer, .. } => Some((
                signer.name.clone(),
                signer.serial.clone(),
                signer.issuer.clone(),
            )),
            _ => None,
        };
        HistoryLine {
            seq: entry.seq,
            at: entry.at,
            actor: entry.actor,
            action: event.action(),
            version: event.version(),
            reason: event.reason().map(str::to_string),
            signature,
        }
    }
}

/// A report's full history from the ledger, oldest first, on `conn` (the
/// caller has checked that it may read the report).
pub(crate) async fn history_of(conn: &mut Conn, id: ReportId) -> AppResult<Vec<HistoryLine>> {
    let mut entries = ledger::of_subject(conn, &subject::of_report(id)).await?;
    entries.reverse();
    entries
        .into_iter()
        .map(|s| {
            let e = s.entry;
            let event = AuditEvent::decode(&e.action, &e.subject, &e.payload)
                .map_err(|why| AppError::Internal(format!("ledger entry {}: {why}", e.seq)))?;
            Ok(HistoryLine::of(e, &event))
        })
        .collect()
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

//! Reports: the working copy, frozen versions, workflow events and every saved
//! draft. Contents are JSON documents owned by the app layer; status, period,
//! deadline and ids come out parsed into domain types.

use std::str::FromStr;

use baocao_domain::access::UserId;
use baocao_domain::audit::Action;
use baocao_domain::period::PeriodId;
use baocao_domain::report::{ReportId, Status};
use baocao_domain::unit::UnitId;
use chrono::NaiveDate;
use sqlx::Row;

use crate::{list_placeholders, values_placeholders, Conn, StoreError, StoreResult};

mod attachments;
mod audited;
mod imported;

use attachments::freeze_attachments;
pub use attachments::{
    attachment_data, attachment_report, attachments, attachments_page, insert_attachment,
    AttachmentInfo, NewAttachment, StoredAttachment,
};
pub use audited::{drafts, statuses, version_contents, version_keys};
pub use imported::{existing, insert_imported, ImportedReport};

/// A report row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReport {
    /// Id.
    pub id: ReportId,
    /// Regime code.
    pub regime_code: String,
    /// The regime version it was made with (1-based).
    pub regime_version: usize,
    /// Reporting unit.
    pub unit_id: UnitId,
    /// Period.
    pub period: PeriodId,
    /// Receiving unit.
    pub receiver_id: UnitId,
    /// Deadline.
    pub deadline: NaiveDate,
    /// Where it is in the workflow.
    pub status: Status,
    /// The working copy (JSON content).
    pub draft: String,
    /// Number of the last submitted version (0 before the first submission).
    pub version: i64,
    /// Reason of an open correction.
    pub correction_reason: Option<String>,
    /// Last change (unix seconds).
    pub updated_at: i64,
    /// Counts every change of the row: a writer that read revision N and
    /// finds another one is told someone else saved in between.
    pub revision: i64,
}

const COLUMNS: &str =
    "id, regime_code, CAST(regime_version AS BIGINT) AS regime_version, unit_id, \
    period, receiver_id, deadline, status, draft, CAST(version AS BIGINT) AS version, \
    correction_reason, updated_at, revision";

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("report {what} {value:?}"))
}

fn report(r: &sqlx::any::AnyRow) -> StoreResult<StoredReport> {
    let period: String = r.try_get("period")?;
    let deadline: String = r.try_get("deadline")?;
    let status: String = r.try_get("status")?;
    let regime_version: i64 = r.try_get("regime_version")?;
    Ok(StoredReport {
        id: ReportId::new(r.try_get("id")?),
        regime_code: r.try_get("regime_code")?,
        regime_version: usize::try_from(regime_version)
            .map_err(|_| corrupt("regime version", &regime_version.to_string()))?,
        unit_id: UnitId::new(r.try_get("unit_id")?),
        period: PeriodId::from_str(&period).map_err(|_| corrupt("period", &period))?,
        receiver_id: UnitId::new(r.try_get("receiver_id")?),
        deadline: deadline
            .parse()
            .map_err(|_| corrupt("deadline", &deadline))?,
        status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        draft: r.try_get("draft")?,
        version: r.try_get("version")?,
        correction_reason: r.try_get("correction_reason")?,
        updated_at: r.try_get("updated_at")?,
        revision: r.try_get("revision")?,
    })
}

/// The report of a regime, unit and period.
pub async fn find(
    conn: &mut Conn,
    regime: &str,
    unit: UnitId,
    period: &PeriodId,
) -> StoreResult<Option<StoredReport>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM reports WHERE regime_code = $1 AND unit_id = $2 AND period = $3"
    ))
    .bind(regime)
    .bind(unit.get())
    .bind(period.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(report).transpose()
}

/// A report by id.
pub async fn get(conn: &mut Conn, id: ReportId) -> StoreResult<Option<StoredReport>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM reports WHERE id = $1"))
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(report).transpose()
}

/// Reports by id (those that exist), in one query.
pub async fn get_many(conn: &mut Conn, ids: &[ReportId]) -> StoreResult<Vec<StoredReport>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT {COLUMNS} FROM reports WHERE id IN ({})",
            list_placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id.get());
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.push(report(&row)?);
        }
    }
    Ok(out)
}

/// Reports made by the given units (not those they receive), for lists: the
/// working copy is left out (`draft` is empty), so a unit with years of
/// reports costs a few hundred bytes each, not their contents.
pub async fn listed_of_units(conn: &mut Conn, units: &[UnitId]) -> StoreResult<Vec<StoredReport>> {
    let columns = COLUMNS.replace("status, draft,", "status, '' AS draft,");
    let mut out = Vec::new();
    for chunk in units.chunks(400) {
        let sql = format!(
            "SELECT {columns} FROM reports WHERE unit_id IN ({}) ORDER BY deadline, id",
            list_placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for u in chunk {
            q = q.bind(u.get());
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.push(report(&row)?);
        }
    }
    Ok(out)
}

/// Reports of the given units (as reporting units) and/or received by them.
pub async fn of_units(conn: &mut Conn, units: &[UnitId]) -> StoreResult<Vec<StoredReport>> {
    let mut out = Vec::new();
    for chunk in units.chunks(400) {
        let list = list_placeholders(1, chunk.len());
        let sql = format!(
            "SELECT {COLUMNS} FROM reports WHERE unit_id IN ({list}) OR receiver_id IN ({list}) \
             ORDER BY deadline, id"
        );
        let mut q = sqlx::query(&sql);
        for u in chunk {
            q = q.bind(u.get());
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.push(report(&row)?);
        }
    }
    out.sort_by(|a, b| a.deadline.cmp(&b.deadline).then(a.id.cmp(&b.id)));
    out.dedup_by_key(|r| r.id);
    Ok(out)
}

/// A report sent to a receiving unit, as an inbox lists it (its latest
/// submitted version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingReport {
    /// The report.
    pub id: ReportId,
    /// Regime code.
    pub regime: String,
    /// Period.
    pub period: PeriodId,
    /// Reporting unit.
    pub unit: UnitId,
    /// Its name.
    pub unit_name: String,
    /// Receiving unit.
    pub receiver: UnitId,
    /// Deadline.
    pub deadline: NaiveDate,
    /// The version waiting.
    pub version: i64,
    /// When it was submitted (Unix seconds).
    pub submitted_at: i64,
    /// Whether it was submitted by the deadline.
    pub on_time: bool,
}

/// The reports sent to `receivers` that are in `status` (submitted: waiting
/// for a decision), earliest deadline first (summaries: no contents).
pub async fn received_in(
    conn: &mut Conn,
    receivers: &[UnitId],
    status: Status,
) -> StoreResult<Vec<WaitingReport>> {
    let mut out = Vec::new();
    for chunk in receivers.chunks(400) {
        let sql = format!(
            "SELECT r.id, r.regime_code, r.period, r.unit_id, u.name, r.receiver_id, r.deadline, \
             CAST(r.version AS BIGINT) AS version, v.submitted_at, CAST(v.on_time AS BIGINT) AS on_time \
             FROM reports r JOIN org_units u ON u.id = r.unit_id \
             JOIN report_versions v ON v.report_id = r.id AND v.version = r.version \
             WHERE r.status = $1 AND r.receiver_id IN ({}) ORDER BY r.deadline, r.id",
            list_placeholders(2, chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(status.as_str());
        for u in chunk {
            q = q.bind(u.get());
        }
        for r in q.fetch_all(&mut *conn).await? {
            let period: String = r.try_get("period")?;
            let deadline: String = r.try_get("deadline")?;
            out.push(WaitingReport {
                id: ReportId::new(r.try_get("id")?),
                regime: r.try_get("regime_code")?,
                period: PeriodId::from_str(&period).map_err(|_| corrupt("period", &period))?,
                unit: UnitId::new(r.try_get("unit_id")?),
                unit_name: r.try_get("name")?,
                receiver: UnitId::new(r.try_get("receiver_id")?),
                deadline: deadline
                    .parse()
                    .map_err(|_| corrupt("deadline", &deadline))?,
                version: r.try_get("version")?,
                submitted_at: r.try_get("submitted_at")?,
                on_time: r.try_get::<i64, _>("on_time")? != 0,
            });
        }
    }
    out.sort_by(|a, b| a.deadline.cmp(&b.deadline).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// Reports of a regime and period received by a unit.
pub async fn received(
    conn: &mut Conn,
    receiver: UnitId,
    regime: &str,
    period: &PeriodId,
) -> StoreResult<Vec<StoredReport>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM reports WHERE receiver_id = $1 AND regime_code = $2 AND period = $3 ORDER BY id"
    ))
    .bind(receiver.get())
    .bind(regime)
    .bind(period.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(report).collect()
}

/// What a new report starts with.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    /// Regime code.
    pub regime_code: &'a str,
    /// Regime version number (1-based).
    pub regime_version: usize,
    /// Reporting unit.
    pub unit_id: UnitId,
    /// Period.
    pub period: &'a PeriodId,
    /// Receiving unit.
    pub receiver_id: UnitId,
    /// Deadline.
    pub deadline: NaiveDate,
    /// Initial working copy.
    pub draft: &'a str,
}

/// Creates a draft report; a second one for the same key is a unique violation.
pub async fn insert(conn: &mut Conn, r: &NewReport<'_>, now: i64) -> StoreResult<ReportId> {
    let row = sqlx::query(
        "INSERT INTO reports (regime_code, regime_version, unit_id, period, receiver_id, deadline, \
         status, draft, version, created_at, updated_at, revision) \
         VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, 0, $8, $8, 0) RETURNING id",
    )
    .bind(r.regime_code)
    .bind(i64::try_from(r.regime_version).unwrap_or(i64::MAX))
    .bind(r.unit_id.get())
    .bind(r.period.to_string())
    .bind(r.receiver_id.get())
    .bind(r.deadline.to_string())
    .bind(r.draft)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(ReportId::new(row.try_get("id")?))
}

/// A version frozen by a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVersion {
    /// Its number.
    pub number: i64,
    /// Why it was made (the correction or recall it answers).
    pub reason: Option<String>,
    /// Whether it met the deadline.
    pub on_time: bool,
}

/// A workflow step to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// The version concerned.
    pub version: i64,
    /// What happened.
    pub action: Action,
    /// The reason given.
    pub reason: Option<String>,
}

/// One change of a report row and what goes with it, applied only if the row
/// is still in the status (and, when given, the revision) it was read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportChange {
    /// The report.
    pub id: ReportId,
    /// The status it was read in.
    pub expected_status: Status,
    /// The revision the writer saw, when it must not have moved.
    pub expected_revision: Option<i64>,
    /// The status after the change.
    pub status: Status,
    /// The working copy after the change.
    pub draft: String,
    /// The last submitted version after the change.
    pub version: i64,
    /// The open correction's reason after the change.
    pub correction_reason: Option<String>,
    /// When (unix seconds).
    pub at: i64,
    /// Who.
    pub by: Option<UserId>,
    /// A version to freeze (the draft as it is now).
    pub new_version: Option<NewVersion>,
    /// A workflow step to record.
    pub event: Option<NewEvent>,
    /// Keep a copy of the draft (every save is kept).
    pub keep_draft: bool,
    /// Freeze the draft's attachments with the new version.
    pub freeze_attachments: bool,
}

/// Applies changes in order; returns, for each, whether it applied (a change
/// whose report moved on since it was read writes nothing). The rows change
/// one by one; the versions, events, kept drafts and frozen attachments of the
/// changes that applied are then written with one statement each, so a batch
/// of submissions costs a few round trips more than one.
pub async fn apply(conn: &mut Conn, changes: &[ReportChange]) -> StoreResult<Vec<bool>> {
    let mut applied = Vec::with_capacity(changes.len());
    for c in changes {
        let done = sqlx::query(
            "UPDATE reports SET status = $1, draft = $2, version = $3, correction_reason = $4, \
             updated_at = $5, revision = revision + 1, \
             accepted_version = CASE WHEN $1 = 'accepted' THEN $3 ELSE accepted_version END \
             WHERE id = $6 AND status = $7 AND ($8 < 0 OR revision = $8)",
        )
        .bind(c.status.as_str())
        .bind(&c.draft)
        .bind(c.version)
        .bind(c.correction_reason.as_deref())
        .bind(c.at)
        .bind(c.id.get())
        .bind(c.expected_status.as_str())
        .bind(c.expected_revision.unwrap_or(-1))
        .execute(&mut *conn)
        .await?;
        applied.push(done.rows_affected() == 1);
    }
    let done: Vec<&ReportChange> = changes
        .iter()
        .zip(&applied)
        .filter(|(_, ok)| **ok)
        .map(|(c, _)| c)
        .collect();
    let frozen: Vec<ReportId> = done
        .iter()
        .filter(|c| c.freeze_attachments)
        .map(|c| c.id)
        .collect();
    freeze_attachments(conn, &frozen).await?;
    insert_versions(conn, &done).await?;
    insert_events(conn, &done).await?;
    insert_draft_saves(conn, &done).await?;
    Ok(applied)
}

/// Rows per multi-row insert: far below both databases' parameter limits.
const ROWS_PER_INSERT: usize = 200;

async fn insert_versions(conn: &mut Conn, done: &[&ReportChange]) -> StoreResult<()> {
    let rows: Vec<(&ReportChange, &NewVersion)> = done
        .iter()
        .filter_map(|c| c.new_version.as_ref().map(|v| (*c, v)))
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO report_versions (report_id, version, content, reason, submitted_at, submitted_by, on_time) \
             VALUES {}",
            values_placeholders(chunk.len(), 7)
        );
        let mut q = sqlx::query(&sql);
        for (c, v) in chunk {
            q = q
                .bind(c.id.get())
                .bind(v.number)
                .bind(&c.draft)
                .bind(v.reason.as_deref())
                .bind(c.at)
                .bind(c.by.map(UserId::get))
                .bind(i64::from(v.on_time));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

async fn insert_events(conn: &mut Conn, done: &[&ReportChange]) -> StoreResult<()> {
    let rows: Vec<(&ReportChange, &NewEvent)> = done
        .iter()
        .filter_map(|c| c.event.as_ref().map(|e| (*c, e)))
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO report_events (report_id, version, action, reason, at, by_user) VALUES {}",
            values_placeholders(chunk.len(), 6)
        );
        let mut q = sqlx::query(&sql);
        for (c, e) in chunk {
            q = q
                .bind(c.id.get())
                .bind(e.version)
                .bind(e.action.as_str())
                .bind(e.reason.as_deref())
                .bind(c.at)
                .bind(c.by.map(UserId::get));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

async fn insert_draft_saves(conn: &mut Conn, done: &[&ReportChange]) -> StoreResult<()> {
    let rows: Vec<&&ReportChange> = done.iter().filter(|c| c.keep_draft).collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO draft_saves (report_id, content, saved_at, saved_by) VALUES {}",
            values_placeholders(chunk.len(), 4)
        );
        let mut q = sqlx::query(&sql);
        for c in chunk {
            q = q
                .bind(c.id.get())
                .bind(&c.draft)
                .bind(c.at)
                .bind(c.by.map(UserId::get));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A frozen version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    /// Number, from 1.
    pub version: i64,
    /// JSON content.
    pub content: String,
    /// Why it was made (corrections).
    pub reason: Option<String>,
    /// Server time of submission.
    pub submitted_at: i64,
    /// Whether it met the deadline.
    pub on_time: bool,
}

/// Every version of a report, oldest first.
pub async fn versions(conn: &mut Conn, id: ReportId) -> StoreResult<Vec<StoredVersion>> {
    let rows = sqlx::query(
        "SELECT CAST(version AS BIGINT) AS version, content, reason, submitted_at, \
         CAST(on_time AS BIGINT) AS on_time FROM report_versions WHERE report_id = $1 ORDER BY version",
    )
    .bind(id.get())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(stored_version).collect()
}

fn stored_version(r: &sqlx::any::AnyRow) -> StoreResult<StoredVersion> {
    Ok(StoredVersion {
        version: r.try_get("version")?,
        content: r.try_get("content")?,
        reason: r.try_get("reason")?,
        submitted_at: r.try_get("submitted_at")?,
        on_time: r.try_get::<i64, _>("on_time")? != 0,
    })
}

/// First submission (time, on time) and number of versions of each of `ids`
/// that has been submitted, in one query: what timeliness counts.
pub async fn submission_summaries(
    conn: &mut Conn,
    ids: &[ReportId],
) -> StoreResult<Vec<(ReportId, i64, bool, i64)>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT v.report_id, v.submitted_at, CAST(v.on_time AS BIGINT) AS on_time, \
             (SELECT COUNT(*) FROM report_versions w WHERE w.report_id = v.report_id) AS n \
             FROM report_versions v WHERE v.version = 1 AND v.report_id IN ({})",
            list_placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id.get());
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.push((
                ReportId::new(row.try_get("report_id")?),
                row.try_get("submitted_at")?,
                row.try_get::<i64, _>("on_time")? != 0,
                row.try_get("n")?,
            ));
        }
    }
    Ok(out)
}

/// A workflow step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Version it concerned.
    pub version: i64,
    /// What happened.
    pub action: Action,
    /// The reason given.
    pub reason: Option<String>,
    /// When.
    pub at: i64,
    /// Who (display name), if a user.
    pub by: Option<String>,
}

/// A report's workflow steps, oldest first.
pub async fn events(conn: &mut Conn, id: ReportId) -> StoreResult<Vec<StoredEvent>> {
    let rows = sqlx::query(
        "SELECT CAST(e.version AS BIGINT) AS version, e.action, e.reason, e.at, u.display_name \
         FROM report_events e LEFT JOIN users u ON u.id = e.by_user WHERE e.report_id = $1 ORDER BY e.id",
    )
    .bind(id.get())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let action: String = r.try_get("action")?;
            Ok(StoredEvent {
                version: r.try_get("version")?,
                action: Action::parse(&action).ok_or_else(|| corrupt("event action", &action))?,
                reason: r.try_get("reason")?,
                at: r.try_get("at")?,
                by: r.try_get("display_name")?,
            })
        })
        .collect()
}

/// Replaces the working copy of each report given (JSON content), counting
/// a change of each row: for recorded history, whose saves are ledgered by
/// the caller in the same transaction.
pub async fn replace_drafts(conn: &mut Conn, drafts: &[(ReportId, String)]) -> StoreResult<()> {
    for (id, draft) in drafts {
        sqlx::query("UPDATE reports SET draft = $1, revision = revision + 1 WHERE id = $2")
            .bind(draft)
            .bind(id.get())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// How many drafts of a report were saved.
pub async fn draft_save_count(conn: &mut Conn, id: ReportId) -> StoreResult<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM draft_saves WHERE report_id = $1")
        .bind(id.get())
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get("n")?)
}

/// What [`accepted_before`] reads for one report: a key to find the rows
/// by, the regime and unit, the period, and the earliest period read whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryWanted {
    /// The caller's key (the report's id, say).
    pub key: i64,
    /// Regime code.
    pub regime: String,
    /// Reporting unit.
    pub unit: UnitId,
    /// Accepted reports before this period are read.
    pub period: String,
    /// Every one from this period on, and the `recent` latest before it.
    pub since: String,
}

/// For each wanted report, the accepted contents (the latest accepted
/// version) of its unit's reports for its regime before its period: every
/// one from `since`, and the `recent` latest. One statement for up to 100
/// reports (a list of them costs what one does), oldest first per key.
pub async fn accepted_before(
    conn: &mut Conn,
    wanted: &[HistoryWanted],
    recent: i64,
) -> StoreResult<Vec<(i64, String, String)>> {
    let mut out = Vec::new();
    for chunk in wanted.chunks(100) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let n = i * 5;
                format!(
                    "(CAST(${} AS BIGINT), ${}, CAST(${} AS BIGINT), ${}, ${})",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5
                )
            })
            .collect();
        let recent_at = chunk.len() * 5 + 1;
        let sql = format!(
            "WITH wanted (k, regime, unit, period, since) AS (VALUES {}) \
             SELECT k, period, content FROM ( \
               SELECT w.k AS k, r.period AS period, v.content AS content, w.since AS since, \
                 ROW_NUMBER() OVER (PARTITION BY w.k ORDER BY r.period DESC) AS recency \
               FROM wanted w \
               JOIN reports r ON r.regime_code = w.regime AND r.unit_id = w.unit AND r.period < w.period \
               JOIN report_versions v ON v.report_id = r.id AND v.version = r.accepted_version \
             ) found WHERE recency <= ${recent_at} OR period >= since ORDER BY k, period",
            rows.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for w in chunk {
            q = q
                .bind(w.key)
                .bind(&w.regime)
                .bind(w.unit.get())
                .bind(&w.period)
                .bind(&w.since);
        }
        for row in q.bind(recent).fetch_all(&mut *conn).await? {
            out.push((
                row.try_get("k")?,
                row.try_get("period")?,
                row.try_get("content")?,
            ));
        }
    }
    Ok(out)
}

/// The latest accepted version of each of `ids` that has one, in one query:
/// what synthesis aggregates (a child reopened for correction still counts
/// with its accepted version).
pub async fn accepted_versions(
    conn: &mut Conn,
    ids: &[ReportId],
) -> StoreResult<Vec<(ReportId, StoredVersion)>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT r.id, CAST(v.version AS BIGINT) AS version, v.content, v.reason, v.submitted_at, \
             CAST(v.on_time AS BIGINT) AS on_time FROM reports r \
             JOIN report_versions v ON v.report_id = r.id AND v.version = r.accepted_version \
             WHERE r.id IN ({})",
            list_placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id.get());
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.push((ReportId::new(row.try_get("id")?), stored_version(&row)?));
        }
    }
    Ok(out)
}

/// A workflow step on a report of one of the units asked about, as
/// notifications and e-mails announce it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentEvent {
    /// The report.
    pub report: ReportId,
    /// Its regime.
    pub regime: String,
    /// Its period.
    pub period: String,
    /// Its reporting unit.
    pub unit: UnitId,
    /// When.
    pub at: i64,
    /// The reason given.
    pub reason: Option<String>,
}

/// Workflow steps of `action` since `since` on reports of `units`, newest first.
pub async fn recent_events(
    conn: &mut Conn,
    units: &[UnitId],
    action: Action,
    since: i64,
) -> StoreResult<Vec<RecentEvent>> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT r.id, r.regime_code, r.period, r.unit_id, e.at, e.reason FROM report_events e \
         JOIN reports r ON r.id = e.report_id \
         WHERE e.action = $1 AND e.at >= $2 AND r.unit_id IN ({}) ORDER BY e.at DESC LIMIT 200",
        list_placeholders(3, units.len())
    );
    let mut q = sqlx::query(&sql).bind(action.as_str()).bind(since);
    for u in units {
        q = q.bind(u.get());
    }
    q.fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(RecentEvent {
                report: ReportId::new(r.try_get("id")?),
                regime: r.try_get("regime_code")?,
                period: r.try_get("period")?,
                unit: UnitId::new(r.try_get("unit_id")?),
                at: r.try_get("at")?,
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}

/// How many reports were made with a regime's version.
pub async fn count_with_version(conn: &mut Conn, regime: &str, version: i64) -> StoreResult<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM reports WHERE regime_code = $1 AND regime_version = $2",
    )
    .bind(regime)
    .bind(version)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("n")?)
}

/// Regime and period of the reports submitted to `receiver` since `since`
/// (one entry per submission).
pub async fn arrived_since(
    conn: &mut Conn,
    receiver: UnitId,
    since: i64,
) -> StoreResult<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT r.regime_code, r.period FROM report_versions v JOIN reports r ON r.id = v.report_id \
                  WHERE r.receiver_id = $1 AND r.unit_id <> r.receiver_id AND v.submitted_at >= $2",
    )
    .bind(receiver.get())
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("regime_code")?, r.try_get("period")?)))
        .collect()
}

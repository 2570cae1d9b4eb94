//! `baocao audit verify`: the ledger's hash chain, then what the ledger
//! proves about the tables — every submitted or imported version's content
//! is the one its entry recorded, every version has its entry, and every
//! report is in the status its last workflow entry left it in. The first
//! difference is named exactly ("report 4151 version 2: cell HC02 is 335 in
//! the table, 334 in ledger entry 18,204").
//!
//! Since then it also proves each report's working copy, attachments and
//! signatures,
//! the catalogue, the accounts, the calendar and the unit tree (`proofs`,
//! with the `baseline` that takes over databases made before they were
//! ledgered); `checkpoint` signs the ledger's head and Merkle root and proves
//! two checkpoints consistent; `history` gives a report's history and the
//! canonical bytes of its versions.
//!
//! The ledger is read a page at a time and the chain checked as it goes;
//! what is kept between pages is a few numbers per report (the versions and
//! the status the ledger recorded), not the entries.

use std::collections::HashMap;

use baocao_domain::audit::{AuditEvent, DecodeError};
use baocao_domain::ledger::{seal, Break, ChainCheck, Seal};
use baocao_domain::proof::accounts::{first_account_difference, RecordedAccounts};
use baocao_domain::proof::calendar::{first_calendar_difference, RecordedCalendar};
use baocao_domain::proof::units::{first_units_difference, RecordedUnits};
use baocao_domain::proof::{
    draft_after, draft_change, first_difference, recorded_attachment, recorded_version,
    status_after, DraftChange, RecordedAttachment, RecordedVersion,
};
use baocao_domain::report::{Content, ReportId, Status};
use baocao_domain::Message;
use baocao_store::{ledger, reports as store_reports, Conn};

use crate::{App, AppError, AppResult};

mod baseline;
mod checkpoint;
mod history;
mod proofs;
mod signatures;

use baseline::stored_exceptions;
pub use checkpoint::{check_consistency, checkpoint_signed, SigningKey};
pub(crate) use history::history_of;
pub use history::HistoryLine;
use proofs::{
    account_message, calendar_message, stored_accounts, units_message, RecordedCatalogue,
};

/// Ledger entries read a page at a time.
const PAGE: i64 = 10_000;

/// What the verification found.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The chain is intact and the tables hold what it proves.
    Intact {
        /// The head hash.
        head: String,
        /// Entries checked.
        entries: i64,
        /// Versions whose content was proven.
        versions: u64,
        /// Reports whose status was proven.
        reports: u64,
        /// Accounts (with their grants) proven.
        accounts: u64,
    },
    /// The chain itself is broken.
    Broken(Break),
    /// The chain holds, but a table differs from what it proves.
    Differs(Message),
}

impl Verdict {
    /// The head hash and the number of entries, when all is intact.
    pub fn intact(self) -> Option<(String, i64)> {
        match self {
            Verdict::Intact { head, entries, .. } => Some((head, entries)),
            _ => None,
        }
    }

    /// Whether all is intact.
    pub fn is_intact(&self) -> bool {
        matches!(self, Verdict::Intact { .. })
    }

    /// The first broken entry, when the chain is broken.
    pub fn broken(self) -> Option<Break> {
        match self {
            Verdict::Broken(b) => Some(b),
            _ => None,
        }
    }
}

/// What the ledger recorded of one report.
#[derive(Debug, Default)]
struct Recorded {
    /// Version numbers with their entries.
    versions: Vec<(i64, i64)>,
    /// The status after its last workflow entry, and that entry.
    status: Option<(Status, i64)>,
    /// The last entry that recorded the working copy whole.
    draft_from: Option<i64>,
    /// The syntheses after it, which changed some of its cells.
    draft_fills: Vec<i64>,
    /// Attachments recorded since the last submission (frozen with the next).
    unfrozen: Vec<i64>,
}

/// An attachment as the ledger recorded it: its entry, what the entry says
/// and the version it was frozen with (`None`: still with the draft).
struct Attached {
    seq: i64,
    report: ReportId,
    recorded: RecordedAttachment,
    version: Option<i64>,
}

/// A version's content, stored or recorded, as the tables write it.
fn decoded(text: &str) -> Option<Content> {
    serde_json::from_str(text).ok()
}

/// The verdict on an entry whose hash holds but that does not read as its
/// action writes it: the software did not write it so, or a later version
/// changed the format without reading the old one — either way what it
/// proves cannot be trusted, so verification stops and names it.
fn undecodable(e: &baocao_domain::ledger::Entry, why: &DecodeError) -> Message {
    let detail = match why {
        DecodeError::Payload(detail) => detail.clone(),
        _ => String::new(),
    };
    Message::new("audit.undecodable")
        .arg("seq", e.seq)
        .arg("action", &e.action)
        .arg("why_key", why.key())
        .arg("detail", detail)
}

/// What the streaming pass keeps of an entry once its hash is sealed: the
/// event it records, decoded (an entry that does not decode is named), less
/// what is read again by number at the end (a saved draft's content, a
/// synthesis's cells) and the payload's text — so that the pages queued
/// between the readers and the checks hold a few bytes an entry, not the
/// copies of whole reports.
fn streamed(stored: &mut baocao_domain::ledger::StoredEntry) -> Result<AuditEvent, DecodeError> {
    let e = &mut stored.entry;
    let event = AuditEvent::decode(&e.action, &e.subject, &e.payload);
    e.payload = String::new();
    event.map(|event| match event {
        AuditEvent::DraftSaved { report, .. } => AuditEvent::DraftSaved {
            report,
            content: Content::default(),
        },
        AuditEvent::Synthesized {
            report, expected, ..
        } => AuditEvent::Synthesized {
            report,
            aggregated: Vec::new(),
            expected,
            changed: Vec::new(),
        },
        other => other,
    })
}

/// An entry read again by number (a draft's proof), decoded.
fn event_of(entry: &baocao_domain::ledger::Entry) -> AppResult<AuditEvent> {
    AuditEvent::decode(&entry.action, &entry.subject, &entry.payload)
        .map_err(|e| AppError::Internal(format!("ledger entry {}: {e}", entry.seq)))
}

/// What the ledger recorded so far, as the verification streams it: a few
/// numbers per report and one small record per account, unit, day and
/// anchor — never the entries.
#[derive(Default)]
struct Recorders {
    reports: HashMap<ReportId, Recorded>,
    accounts: RecordedAccounts,
    attached: HashMap<i64, Attached>,
    calendar: RecordedCalendar,
    units: RecordedUnits,
    catalogue: RecordedCatalogue,
    signed: signatures::RecordedSignatures,
    anchors: baocao_domain::proof::trust::RecordedAnchors,
}

impl Recorders {
    /// Takes in entry `seq`; a version it records in full comes back, to be
    /// compared with the table.
    fn feed(&mut self, seq: i64, event: AuditEvent) -> Option<RecordedVersion> {
        let Some(report) = event.report() else {
            self.accounts.feed(seq, &event);
            self.calendar.feed(seq, &event);
            self.anchors.feed(seq, &event);
            self.units.feed(seq, &event);
            self.catalogue.feed(seq, &event);
            return None;
        };
        self.signed.feed(seq, &event);
        let r = self.reports.entry(report).or_default();
        let action = event.action();
        if let Some(status) = status_after(action) {
            r.status = Some((status, seq));
        }
        match draft_change(action) {
            Some(DraftChange::Whole) => {
                r.draft_from = Some(seq);
                r.draft_fills.clear();
            }
            Some(DraftChange::Cells) => r.draft_fills.push(seq),
            None => {}
        }
        if let Some((report, a)) = recorded_attachment(&event) {
            r.unfrozen.push(a.attachment);
            let entry = Attached {
                seq,
                report,
                recorded: a,
                version: None,
            };
            self.attached.insert(entry.recorded.attachment, entry);
        }
        let v = recorded_version(event)?;
        for id in r.unfrozen.drain(..) {
            if let Some(a) = self.attached.get_mut(&id) {
                a.version = Some(v.version);
            }
        }
        r.versions.push((v.version, seq));
        Some(v)
    }

    /// The first table that differs from what the ledger recorded, once the
    /// whole ledger was taken in: the reports' versions, statuses, drafts,
    /// attachments and signatures, the trust anchors, the catalogue, the unit
    /// tree, the calendar and the accounts. Also how many accounts it proved.
    async fn first_difference(&self, conn: &mut Conn) -> AppResult<Result<u64, Message>> {
        let reports = &self.reports;
        let found = match () {
            () if let Some(f) = versions_without_entries(conn, reports).await? => f,
            () if let Some(f) = statuses_differ(conn, reports).await? => f,
            () if let Some(f) = drafts_differ(conn, reports).await? => f,
            () if let Some(f) = attachments_differ(conn, &self.attached).await? => f,
            () if let Some(f) = signatures::signatures_differ(conn, &self.signed).await? => f,
            () if let Some(f) = signatures::anchors_differ(conn, &self.anchors).await? => f,
            () => return self.tree_difference(conn).await,
        };
        Ok(Err(found))
    }

    /// [`Recorders::first_difference`] for the catalogue, the unit tree, the
    /// calendar and the accounts.
    async fn tree_difference(&self, conn: &mut Conn) -> AppResult<Result<u64, Message>> {
        let stored_catalogue = crate::catalogue::load(conn).await?;
        if let Some(found) = self.catalogue.first_difference(&stored_catalogue) {
            return Ok(Err(found));
        }
        let versions = baocao_store::catalogue::all_indicator_versions(conn).await?;
        if let Some(found) = self.catalogue.first_version_difference(&versions) {
            return Ok(Err(found));
        }
        let stored = crate::units::stored_units(conn).await?;
        if let Some(found) = first_units_difference(&self.units, &stored) {
            return Ok(Err(units_message(conn, found).await?));
        }
        let exceptions = stored_exceptions(conn).await?;
        if let Some(found) = first_calendar_difference(&self.calendar, &exceptions) {
            return Ok(Err(calendar_message(found)));
        }
        let stored_accounts = stored_accounts(conn).await?;
        if let Some(found) = first_account_difference(&self.accounts, &stored_accounts) {
            return Ok(Err(account_message(found)));
        }
        Ok(Ok(stored_accounts.len() as u64))
    }
}

impl App {
    /// Verifies the ledger and what it proves (see the module's note).
    pub async fn verify_ledger(&self) -> AppResult<Verdict> {
        let mut conn = self.store.conn().await?;
        let (head_seq, stored_head) = ledger::head(&mut conn).await?;
        let mut chain = ChainCheck::default();
        let mut recorders = Recorders::default();
        let mut proven = 0u64;
        let mut pages = self.sealed_pages(head_seq);
        for number in 0.. {
            let Some(page) = pages[number % READERS].recv().await else {
                break;
            };
            let (page, seals, events) = page?;
            let mut to_compare = Vec::new();
            for ((stored, seal), event) in page.iter().zip(seals).zip(events) {
                if let Err(broken) = chain.feed_sealed(stored, seal) {
                    return Ok(Verdict::Broken(broken));
                }
                let e = &stored.entry;
                let event = match event {
                    Ok(event) => event,
                    Err(why) => return Ok(Verdict::Differs(undecodable(e, &why))),
                };
                to_compare.extend(recorders.feed(e.seq, event).map(|v| (v, e.seq)));
            }
            if let Some(found) = compare_contents(&mut conn, &to_compare).await? {
                return Ok(Verdict::Differs(found));
            }
            proven += to_compare.len() as u64;
        }
        let (head, entries) = chain.head();
        // Rows written after the head without moving it are no part of the chain.
        if !ledger::entries(&mut conn, head_seq, 1).await?.is_empty() {
            return Ok(Verdict::Broken(Break {
                seq: head_seq + 1,
                reason: "audit.beyond_head",
            }));
        }
        if head != stored_head || entries != head_seq {
            return Ok(Verdict::Broken(Break {
                seq: entries + 1,
                reason: "audit.head_mismatch",
            }));
        }
        Ok(match recorders.first_difference(&mut conn).await? {
            Err(found) => Verdict::Differs(found),
            Ok(accounts) => Verdict::Intact {
                head,
                entries,
                versions: proven,
                reports: recorders.reports.len() as u64,
                accounts,
            },
        })
    }
}

/// The first report whose working copy is not the one the ledger proves:
/// the last entry that recorded it whole, with the cells later syntheses
/// changed. Those entries are read again, a page of reports at a time (the
/// streaming pass kept only their numbers).
async fn drafts_differ(
    conn: &mut Conn,
    recorded: &HashMap<ReportId, Recorded>,
) -> AppResult<Option<Message>> {
    let mut after = ReportId::new(0);
    loop {
        let page = store_reports::drafts(conn, after, DRAFT_PAGE).await?;
        let Some((last, _)) = page.last() else {
            return Ok(None);
        };
        after = *last;
        let mut seqs: Vec<i64> = page
            .iter()
            .filter_map(|(id, _)| recorded.get(id))
            .flat_map(|r| {
                r.draft_from
                    .into_iter()
                    .chain(r.draft_fills.iter().copied())
            })
            .collect();
        seqs.sort_unstable();
        let entries: HashMap<i64, AuditEvent> = ledger::entries_at(conn, &seqs)
            .await?
            .iter()
            .map(|s| Ok((s.entry.seq, event_of(&s.entry)?)))
            .collect::<AppResult<_>>()?;
        for (report, text) in &page {
            // A report without entries was named by the status check.
            let Some(r) = recorded.get(report) else {
                continue;
            };
            let Some(from) = r.draft_from else { continue };
            let entry = |seq: &i64| {
                entries
                    .get(seq)
                    .ok_or_else(|| AppError::Internal(format!("ledger entry {seq} vanished")))
            };
            let whole = entry(&from)?;
            let fills = r
                .draft_fills
                .iter()
                .map(entry)
                .collect::<AppResult<Vec<&AuditEvent>>>()?;
            let proven = draft_after(whole, fills)
                .ok_or_else(|| AppError::Internal(format!("ledger entry {from}")))?;
            let stored = decoded(text)
                .ok_or_else(|| AppError::Internal(format!("report {report} draft")))?;
            if let Some(d) = first_difference(&stored, &proven) {
                let seq = r.draft_fills.last().copied().unwrap_or(from);
                let absent = || "—".to_string();
                return Ok(Some(
                    Message::new("audit.draft_differs")
                        .arg("report", report)
                        .arg("part_key", format!("audit.part.{}", d.part))
                        .arg("key", d.key)
                        .arg("stored", d.stored.unwrap_or_else(absent))
                        .arg("recorded", d.recorded.unwrap_or_else(absent))
                        .arg("seq", seq),
                ));
            }
        }
    }
}

/// The first attachment that differs from its entry: none at all, another
/// report, name, size or version, or bytes whose SHA-256 is not the one
/// recorded (the stored hash column and the bytes themselves are both
/// checked). Bytes are read a few files at a time.
async fn attachments_differ(
    conn: &mut Conn,
    attached: &HashMap<i64, Attached>,
) -> AppResult<Option<Message>> {
    use sha2::Digest;
    let mut after = 0;
    loop {
        let page = store_reports::attachments_page(conn, after, 16).await?;
        let Some(last) = page.last() else {
            return Ok(None);
        };
        after = last.info.id;
        for stored in page {
            let id = stored.info.id;
            let Some(a) = attached.get(&id) else {
                return Ok(Some(
                    Message::new("audit.attachment_without_entry")
                        .arg("attachment", id)
                        .arg("report", stored.report),
                ));
            };
            let at = |key: &'static str| {
                Message::new(key)
                    .arg("attachment", id)
                    .arg("report", a.report)
                    .arg("name", &a.recorded.name)
                    .arg("seq", a.seq)
            };
            let shown = |v: Option<i64>| v.map_or_else(|| "—".to_string(), |v| v.to_string());
            // The hash column first, then the bytes themselves.
            let bytes_hash = hex::encode(sha2::Sha256::digest(&stored.data));
            for stored_hash in [&stored.info.sha256, &bytes_hash] {
                if *stored_hash != a.recorded.sha256 {
                    return Ok(Some(
                        at("audit.attachment_changed")
                            .arg("stored", stored_hash)
                            .arg("recorded", &a.recorded.sha256),
                    ));
                }
            }
            if stored.report != a.report
                || stored.info.name != a.recorded.name
                || stored.info.size != a.recorded.size
                || stored.info.version != a.version
            {
                return Ok(Some(
                    at("audit.attachment_moved")
                        .arg("stored_report", stored.report)
                        .arg("stored_version", shown(stored.info.version))
                        .arg("recorded_version", shown(a.version)),
                ));
            }
        }
    }
}

/// Reports whose working copies are compared at a time (each may need one
/// entry with a whole content read again).
const DRAFT_PAGE: i64 = 1_000;

/// Ledger pages read at once, each on its own connection (reading rows
/// through the driver, not hashing, is what takes the time: SHA-256 runs at
/// over a gigabyte a second here).
const READERS: usize = 2;

/// A page of entries with the seal of each and what each records.
type SealedPage = AppResult<(
    Vec<baocao_domain::ledger::StoredEntry>,
    Vec<Seal>,
    Vec<Result<AuditEvent, DecodeError>>,
)>;

impl App {
    /// The ledger up to `head`, page by page: reader `i` reads pages `i`,
    /// `i + READERS`, … on its own connection, seals each entry (its hash
    /// checked against its stored previous hash) and decodes what it records
    /// off the async workers; page
    /// `n` comes out of receiver `n % READERS`, so the caller takes them in
    /// order. A reader runs at most two pages ahead: memory stays bounded.
    fn sealed_pages(&self, head: i64) -> Vec<tokio::sync::mpsc::Receiver<SealedPage>> {
        (0..READERS)
            .map(|reader| {
                let (send, receive) = tokio::sync::mpsc::channel(2);
                let store = self.store.clone();
                tokio::spawn(async move {
                    let read = |page: i64| {
                        let store = store.clone();
                        async move {
                            let mut conn = store.conn().await?;
                            let upto = ((page + 1) * PAGE).min(head);
                            let entries =
                                ledger::entries_between(&mut conn, page * PAGE, upto).await?;
                            drop(conn);
                            tokio::task::spawn_blocking(move || {
                                let mut entries = entries;
                                let seals = entries.iter().map(seal).collect();
                                let events = entries.iter_mut().map(streamed).collect();
                                (entries, seals, events)
                            })
                            .await
                            .map_err(|e| AppError::Internal(e.to_string()))
                        }
                    };
                    let mut page = reader as i64;
                    while page * PAGE < head.max(0) {
                        let sealed = read(page).await;
                        let failed = sealed.is_err();
                        if send.send(sealed).await.is_err() || failed {
                            return;
                        }
                        page += READERS as i64;
                    }
                });
                receive
            })
            .collect()
    }
}

/// The first recorded version whose stored content differs, or that the
/// table lacks.
async fn compare_contents(
    conn: &mut Conn,
    recorded: &[(baocao_domain::proof::RecordedVersion, i64)],
) -> AppResult<Option<Message>> {
    let keys: Vec<(ReportId, i64)> = recorded
        .iter()
        .map(|(v, _)| (v.report, v.version))
        .collect();
    let stored: HashMap<(ReportId, i64), String> = store_reports::version_contents(conn, &keys)
        .await?
        .into_iter()
        .map(|(r, v, c)| ((r, v), c))
        .collect();
    for (v, seq) in recorded {
        let at = |key: &'static str| {
            Message::new(key)
                .arg("report", v.report)
                .arg("version", v.version)
                .arg("seq", seq)
        };
        let Some(text) = stored.get(&(v.report, v.version)) else {
            return Ok(Some(at("audit.version_missing")));
        };
        let content = decoded(text).ok_or_else(|| {
            AppError::Internal(format!("report {} version {}", v.report, v.version))
        })?;
        if let Some(d) = first_difference(&content, &v.content) {
            let absent = || "—".to_string();
            return Ok(Some(
                at("audit.version_differs")
                    .arg("part_key", format!("audit.part.{}", d.part))
                    .arg("key", d.key)
                    .arg("stored", d.stored.unwrap_or_else(absent))
                    .arg("recorded", d.recorded.unwrap_or_else(absent)),
            ));
        }
    }
    Ok(None)
}

/// The first version in the table that no ledger entry recorded.
async fn versions_without_entries(
    conn: &mut Conn,
    recorded: &HashMap<ReportId, Recorded>,
) -> AppResult<Option<Message>> {
    let mut after = (ReportId::new(0), 0);
    loop {
        let page = store_reports::version_keys(conn, after, PAGE).await?;
        let Some(last) = page.last() else {
            return Ok(None);
        };
        after = *last;
        for (report, version) in page {
            let known = recorded
                .get(&report)
                .is_some_and(|r| r.versions.iter().any(|(v, _)| *v == version));
            if !known {
                return Ok(Some(
                    Message::new("audit.version_without_entry")
                        .arg("report", report)
                        .arg("version", version),
                ));
            }
        }
    }
}

/// The first report whose status is not the one its last workflow entry
/// left it in, or that has no entry at all.
async fn statuses_differ(
    conn: &mut Conn,
    recorded: &HashMap<ReportId, Recorded>,
) -> AppResult<Option<Message>> {
    let mut after = ReportId::new(0);
    loop {
        let page = store_reports::statuses(conn, after, PAGE).await?;
        let Some((last, _)) = page.last() else {
            return Ok(None);
        };
        after = *last;
        for (report, status) in page {
            match recorded.get(&report).and_then(|r| r.status) {
                None => {
                    return Ok(Some(
                        Message::new("audit.report_without_entry").arg("report", report),
                    ))
                }
                Some((proven, seq)) if proven != status => {
                    return Ok(Some(
                        Message::new("audit.status_differs")
                            .arg("report", report)
                            .arg("stored_key", status.key())
                            .arg("recorded_key", proven.key())
                            .arg("seq", seq),
                    ))
                }
                Some(_) => {}
            }
        }
    }
}

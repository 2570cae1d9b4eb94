//! `baocao audit verify`: the ledger's hash chain, then what the ledger
//! proves about the tables — every submitted or imported version's content
//! is the one its entry recorded, every version has its entry, and every
//! report is in the status its last workflow entry left it in. The first
//! difference is named exactly ("report 4151 version 2: cell HC02 is 335 in
//! the table, 334 in ledger entry 18,204").
//!
//! The ledger is read a page at a time and the chain checked as it goes;
//! what is kept between pages is a few numbers per report (the versions and
//! the status the ledger recorded), not the entries.

use std::collections::{BTreeMap, HashMap};

use baocao_domain::checkpoint::{Checkpoint, ConsistencyProof};
use baocao_domain::ledger::{seal, Break, ChainCheck, Seal};
use baocao_domain::merkle::{
    consistency_proof, leaf_hash, root_of_leaves, verify_consistency, Frontier, Hash,
};
use baocao_domain::proof::accounts::{
    first_account_difference, password_digest, Account, AccountDifference, BaselineAccount,
    RecordedAccounts,
};
use baocao_domain::proof::calendar::{
    first_calendar_difference, CalendarDifference, Exception, RecordedCalendar,
};
use baocao_domain::proof::units::{
    first_units_difference, reorg_digest, reorg_key, unit_digest, RecordedUnits, UnitsDifference,
    UnitsSnapshot,
};
use baocao_domain::proof::{
    draft_after, draft_change, first_difference, recorded_attachment, recorded_version, report_of,
    status_after, DraftChange, RecordedAttachment,
};
use baocao_domain::report::{Content, ReportId, Status};
use baocao_domain::Message;
use baocao_store::{ledger, reports as store_reports, Conn};

use crate::{App, AppError, AppResult};

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

/// Appends a change (of an account, the calendar, …) to the ledger, in the
/// transaction that makes it (`baocao audit verify` compares the tables with
/// these entries).
pub(crate) async fn ledger_change(
    tx: &mut Conn,
    principal: &baocao_domain::access::Principal,
    event: baocao_domain::audit::AuditEvent,
) -> AppResult<()> {
    baocao_store::ledger::append(
        tx,
        crate::reports::workflow::entry(
            &(principal.actor(), principal.username.clone()),
            &event,
            crate::now(),
        ),
    )
    .await?;
    Ok(())
}

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
        let mut entries = ledger::of_subject(&mut conn, &format!("report:{id}")).await?;
        entries.reverse();
        Ok(entries
            .into_iter()
            .map(|s| {
                let (version, reason) = version_and_reason(&s.entry.payload);
                HistoryLine {
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
        let unit = baocao_store::units::get_many(&mut conn, &[r.unit_id])
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound)?;
        let content = decoded(&stored.content)
            .ok_or_else(|| AppError::Internal(format!("report {id} version {version}")))?;
        let header = baocao_domain::canonical::VersionHeader {
            regime: r.regime_code.clone(),
            regime_version: r.regime_version,
            unit_code: unit.code.to_string(),
            unit_name: unit.name.clone(),
            period: r.period.to_string(),
            version,
            submitted_at: stored.submitted_at,
        };
        let name = format!(
            "{}_{}_{}_v{version}.json",
            r.regime_code, r.period, unit.code
        );
        Ok((
            name,
            baocao_domain::canonical::canonical_bytes(&header, &content),
        ))
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

impl App {
    /// Verifies the ledger and what it proves (see the module's note).
    pub async fn verify_ledger(&self) -> AppResult<Verdict> {
        let mut conn = self.store.conn().await?;
        let (head_seq, stored_head) = ledger::head(&mut conn).await?;
        let mut chain = ChainCheck::default();
        let mut recorded: HashMap<ReportId, Recorded> = HashMap::new();
        let mut accounts = RecordedAccounts::default();
        let mut attached: HashMap<i64, Attached> = HashMap::new();
        let mut calendar = RecordedCalendar::default();
        let mut units = RecordedUnits::default();
        let mut catalogue = RecordedCatalogue::default();
        let mut proven = 0u64;
        let mut pages = self.sealed_pages(head_seq);
        for number in 0.. {
            let Some(page) = pages[number % READERS].recv().await else {
                break;
            };
            let (page, seals) = page?;
            let mut to_compare = Vec::new();
            for (stored, seal) in page.iter().zip(seals) {
                if let Err(broken) = chain.feed_sealed(stored, seal) {
                    return Ok(Verdict::Broken(broken));
                }
                let e = &stored.entry;
                let Some(report) = report_of(&e.subject) else {
                    accounts.feed(e.seq, &e.action, &e.subject, &e.payload);
                    calendar.feed(e.seq, &e.action, &e.subject, &e.payload);
                    units.feed(e.seq, &e.action, &e.payload);
                    catalogue.feed(e.seq, &e.action, &e.payload)?;
                    continue;
                };
                let r = recorded.entry(report).or_default();
                if let Some(status) = status_after(&e.action) {
                    r.status = Some((status, e.seq));
                }
                match draft_change(&e.action) {
                    Some(DraftChange::Whole) => {
                        r.draft_from = Some(e.seq);
                        r.draft_fills.clear();
                    }
                    Some(DraftChange::Cells) => r.draft_fills.push(e.seq),
                    None => {}
                }
                if let Some((report, a)) = recorded_attachment(&e.action, &e.subject, &e.payload) {
                    r.unfrozen.push(a.attachment);
                    let entry = Attached {
                        seq: e.seq,
                        report,
                        recorded: a,
                        version: None,
                    };
                    attached.insert(entry.recorded.attachment, entry);
                }
                if let Some(v) = recorded_version(&e.action, &e.subject, &e.payload) {
                    for id in r.unfrozen.drain(..) {
                        if let Some(a) = attached.get_mut(&id) {
                            a.version = Some(v.version);
                        }
                    }
                    r.versions.push((v.version, e.seq));
                    to_compare.push((v, e.seq));
                }
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
        if let Some(found) = versions_without_entries(&mut conn, &recorded).await? {
            return Ok(Verdict::Differs(found));
        }
        if let Some(found) = statuses_differ(&mut conn, &recorded).await? {
            return Ok(Verdict::Differs(found));
        }
        if let Some(found) = drafts_differ(&mut conn, &recorded).await? {
            return Ok(Verdict::Differs(found));
        }
        if let Some(found) = attachments_differ(&mut conn, &attached).await? {
            return Ok(Verdict::Differs(found));
        }
        let stored_catalogue = crate::catalogue::load(&mut conn).await?;
        if let Some(found) = catalogue.first_difference(&stored_catalogue) {
            return Ok(Verdict::Differs(found));
        }
        let versions = baocao_store::catalogue::all_indicator_versions(&mut conn).await?;
        if let Some(found) = catalogue.first_version_difference(&versions) {
            return Ok(Verdict::Differs(found));
        }
        if let Some(found) = first_units_difference(&units, &stored_units(&mut conn).await?) {
            return Ok(Verdict::Differs(units_message(&mut conn, found).await?));
        }
        let exceptions = stored_exceptions(&mut conn).await?;
        if let Some(found) = first_calendar_difference(&calendar, &exceptions) {
            return Ok(Verdict::Differs(calendar_message(found)));
        }
        let stored_accounts = stored_accounts(&mut conn).await?;
        if let Some(found) = first_account_difference(&accounts, &stored_accounts) {
            return Ok(Verdict::Differs(account_message(found)));
        }
        Ok(Verdict::Intact {
            head,
            entries,
            versions: proven,
            reports: recorded.len() as u64,
            accounts: stored_accounts.len() as u64,
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
        let entries: HashMap<i64, (String, String)> = ledger::entries_at(conn, &seqs)
            .await?
            .into_iter()
            .map(|s| (s.entry.seq, (s.entry.action, s.entry.payload)))
            .collect();
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
            let (action, payload) = entry(&from)?;
            let fills = r
                .draft_fills
                .iter()
                .map(|seq| entry(seq).map(|(_, p)| p.as_str()))
                .collect::<AppResult<Vec<&str>>>()?;
            let proven = draft_after((action, payload), fills)
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

/// Every account in the table with its grants, by user id.
async fn stored_accounts(conn: &mut Conn) -> AppResult<BTreeMap<i64, Account>> {
    let mut accounts: BTreeMap<i64, Account> = baocao_store::users::list(conn)
        .await?
        .into_iter()
        .map(|u| {
            let account = Account {
                username: u.username,
                unit: u.unit.map(|unit| unit.get()),
                disabled: u.disabled,
                email: u.email,
                password: password_digest(&u.password_hash),
                grants: BTreeMap::new(),
            };
            (u.id.get(), account)
        })
        .collect();
    for g in baocao_store::users::all_grants(conn).await? {
        let grant = (g.role.as_str().to_string(), g.unit.map(|u| u.get()));
        accounts
            .entry(g.user_id.get())
            .or_default()
            .grants
            .insert(g.id, grant);
    }
    Ok(accounts)
}

/// The catalogue as the ledger's `metadata.apply` documents make it (each
/// applied over the one before, replacing the objects it names), with the
/// entry that last wrote each object.
#[derive(Default)]
struct RecordedCatalogue {
    meta: Option<baocao_domain::catalogue::Metadata>,
    last: HashMap<(&'static str, String), i64>,
    /// Every version of each indicator (a document that changes one writes
    /// its next version), with the entry that wrote it.
    indicator_versions: HashMap<String, Vec<(serde_json::Value, i64)>>,
}

/// A catalogue's objects by kind and code, as JSON (what is compared).
fn catalogue_objects(
    meta: &baocao_domain::catalogue::Metadata,
) -> BTreeMap<(&'static str, String), serde_json::Value> {
    fn put<T: serde::Serialize>(
        into: &mut BTreeMap<(&'static str, String), serde_json::Value>,
        kind: &'static str,
        items: &[T],
        code: impl Fn(&T) -> &str,
    ) {
        for item in items {
            let value = serde_json::to_value(item).unwrap_or_default();
            into.insert((kind, code(item).to_string()), value);
        }
    }
    let mut objects = BTreeMap::new();
    put(&mut objects, "disaggregation", &meta.disaggregations, |d| {
        &d.code
    });
    put(&mut objects, "indicator", &meta.indicators, |i| &i.code);
    put(&mut objects, "regime", &meta.regimes, |r| &r.code);
    put(&mut objects, "request", &meta.requests, |r| &r.code);
    objects
}

impl RecordedCatalogue {
    /// Takes in entry `seq` if it applied a catalogue document.
    fn feed(&mut self, seq: i64, action: &str, payload: &str) -> AppResult<()> {
        if action != "metadata.apply" {
            return Ok(());
        }
        let document: baocao_domain::catalogue::Metadata = serde_json::from_str(payload)
            .map_err(|e| AppError::Internal(format!("ledger entry {seq}: {e}")))?;
        for key in catalogue_objects(&document).into_keys() {
            self.last.insert(key, seq);
        }
        for indicator in &document.indicators {
            let current = self
                .meta
                .as_ref()
                .and_then(|m| m.indicator(&indicator.code));
            if current != Some(indicator) {
                let value = serde_json::to_value(indicator).unwrap_or_default();
                self.indicator_versions
                    .entry(indicator.code.clone())
                    .or_default()
                    .push((value, seq));
            }
        }
        let before = self
            .meta
            .take()
            .unwrap_or_else(baocao_domain::catalogue::Metadata::empty);
        let mut after = crate::catalogue::merge(&document, &before);
        after.sort();
        self.meta = Some(after);
        Ok(())
    }

    /// The first object of the stored catalogue that is not as the ledger
    /// made it, by kind and code.
    fn first_difference(&self, stored: &baocao_domain::catalogue::Metadata) -> Option<Message> {
        let proven = self
            .meta
            .as_ref()
            .map(catalogue_objects)
            .unwrap_or_default();
        let stored = catalogue_objects(stored);
        let mut keys: Vec<&(&'static str, String)> = proven.keys().chain(stored.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let at = |message: &'static str| {
                Message::new(message)
                    .arg("kind_key", format!("audit.kind.{}", key.0))
                    .arg("code", &key.1)
                    .arg("seq", self.last.get(key).copied().unwrap_or_default())
            };
            match (stored.get(key), proven.get(key)) {
                (Some(_), None) => return Some(at("audit.catalogue_without_entry")),
                (None, Some(_)) => return Some(at("audit.catalogue_missing")),
                (Some(s), Some(p)) if s != p => return Some(at("audit.catalogue_differs")),
                _ => {}
            }
        }
        None
    }

    /// The first earlier version of an indicator that is not as the ledger
    /// wrote it, or that one of them lacks (`stored`: every version by code,
    /// oldest first).
    fn first_version_difference(
        &self,
        stored: &[baocao_store::catalogue::StoredDoc],
    ) -> Option<Message> {
        let mut by_code: BTreeMap<&str, Vec<(i64, serde_json::Value)>> = BTreeMap::new();
        for doc in stored {
            let value = serde_json::from_str(&doc.doc).unwrap_or_default();
            by_code
                .entry(doc.code.as_str())
                .or_default()
                .push((doc.version, value));
        }
        let mut codes: Vec<&str> = by_code
            .keys()
            .copied()
            .chain(self.indicator_versions.keys().map(String::as_str))
            .collect();
        codes.sort_unstable();
        codes.dedup();
        for code in codes {
            let table = by_code.get(code).map(Vec::as_slice).unwrap_or_default();
            let proven = self
                .indicator_versions
                .get(code)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for i in 0..table.len().max(proven.len()) {
                let at = |message: &'static str, seq: i64| {
                    Message::new(message)
                        .arg("code", code)
                        .arg("version", i + 1)
                        .arg("seq", seq)
                };
                match (table.get(i), proven.get(i)) {
                    (Some((number, _)), _) if *number != i as i64 + 1 => {
                        return Some(at("audit.indicator_version_without_entry", 0))
                    }
                    (Some(_), None) => return Some(at("audit.indicator_version_without_entry", 0)),
                    (None, Some((_, seq))) => {
                        return Some(at("audit.indicator_version_missing", *seq))
                    }
                    (Some((_, s)), Some((p, seq))) if s != p => {
                        return Some(at("audit.indicator_version_differs", *seq))
                    }
                    _ => {}
                }
            }
        }
        None
    }
}

/// What a difference in the unit tree says, in words (with the unit's name
/// and code when the table still has it).
async fn units_message(conn: &mut Conn, found: UnitsDifference) -> AppResult<Message> {
    let (key, id, seq) = match found {
        UnitsDifference::UnitWithoutEntry(id) => ("audit.unit_without_entry", id, None),
        UnitsDifference::UnitDiffers(id, seq) => ("audit.unit_differs", id, Some(seq)),
        UnitsDifference::UnitMissing(id, seq) => ("audit.unit_missing", id, Some(seq)),
        UnitsDifference::ReorgWithoutEntry(key) => {
            return Ok(Message::new("audit.reorg_without_entry").arg("event", key))
        }
        UnitsDifference::ReorgDiffers(key, seq) => {
            return Ok(Message::new("audit.reorg_differs")
                .arg("event", key)
                .arg("seq", seq))
        }
    };
    let name = baocao_store::units::get(conn, baocao_domain::unit::UnitId::new(id))
        .await?
        .map(|u| format!("{} ({})", u.name, u.code))
        .unwrap_or_default();
    let message = Message::new(key).arg("unit", id).arg("name", name);
    Ok(match seq {
        Some(seq) => message.arg("seq", seq),
        None => message,
    })
}

/// What a difference in the calendar says, in words.
fn calendar_message(found: CalendarDifference) -> Message {
    let kind = |kind: &str| format!("calendar.kind_{kind}");
    match found {
        CalendarDifference::WithoutEntry { day } => {
            Message::new("audit.exception_without_entry").arg("day", day)
        }
        CalendarDifference::Differs {
            day,
            stored,
            recorded,
            seq,
        } => match (stored, recorded) {
            (Some((s_kind, s_reason)), Some((r_kind, r_reason))) => {
                Message::new("audit.exception_differs")
                    .arg("stored_kind_key", kind(&s_kind))
                    .arg("stored_reason", s_reason)
                    .arg("recorded_kind_key", kind(&r_kind))
                    .arg("recorded_reason", r_reason)
            }
            (Some((s_kind, s_reason)), None) => Message::new("audit.exception_removed")
                .arg("stored_kind_key", kind(&s_kind))
                .arg("stored_reason", s_reason),
            (None, Some((r_kind, r_reason))) => Message::new("audit.exception_missing")
                .arg("recorded_kind_key", kind(&r_kind))
                .arg("recorded_reason", r_reason),
            // Both absent is no difference; never reported.
            (None, None) => Message::new("audit.exception_without_entry"),
        }
        .arg("day", day)
        .arg("seq", seq),
    }
}

/// What a difference in the accounts says, in words.
fn account_message(found: AccountDifference) -> Message {
    match found {
        AccountDifference::UserWithoutEntry { user, username } => {
            Message::new("audit.user_without_entry")
                .arg("user", user)
                .arg("username", username)
        }
        AccountDifference::UserMissing { user, seq } => Message::new("audit.user_missing")
            .arg("user", user)
            .arg("seq", seq),
        AccountDifference::Field {
            user,
            field: "password",
            seq,
            ..
        } => Message::new("audit.password_differs")
            .arg("user", user)
            .arg("seq", seq),
        AccountDifference::Field {
            user,
            field: "disabled",
            stored,
            recorded,
            seq,
        } => {
            let key = |locked: String| {
                if locked == "true" {
                    "audit.locked"
                } else {
                    "audit.unlocked"
                }
            };
            Message::new("audit.lock_differs")
                .arg("user", user)
                .arg("stored_key", key(stored))
                .arg("recorded_key", key(recorded))
                .arg("seq", seq)
        }
        AccountDifference::Field {
            user,
            field,
            stored,
            recorded,
            seq,
        } => Message::new("audit.user_differs")
            .arg("user", user)
            .arg("field_key", format!("audit.field.{field}"))
            .arg("stored", stored)
            .arg("recorded", recorded)
            .arg("seq", seq),
        AccountDifference::GrantWithoutEntry { user, grant } => {
            Message::new("audit.grant_without_entry")
                .arg("user", user)
                .arg("grant", grant)
        }
        AccountDifference::GrantDiffers { user, grant, seq } => Message::new("audit.grant_differs")
            .arg("user", user)
            .arg("grant", grant)
            .arg("seq", seq),
    }
}

/// The settings recording that the ledger holds the accounts and the
/// calendar (a baseline was written, or the database began with the ledger
/// recording them).
const ACCOUNTS_RECORDED: &str = "audit.accounts_recorded";
const CALENDAR_RECORDED: &str = "audit.calendar_recorded";
const UNITS_RECORDED: &str = "audit.units_recorded";

/// Every unit and reorganisation event with its digest, as the proofs take
/// them.
pub(crate) async fn stored_units(conn: &mut Conn) -> AppResult<UnitsSnapshot> {
    let units = baocao_store::units::all_units(conn)
        .await?
        .iter()
        .map(|u| (u.id.get(), unit_digest(u)))
        .collect();
    let reorgs = baocao_store::units::all_reorgs(conn)
        .await?
        .iter()
        .map(|e| {
            (
                reorg_key(e.old, e.new, e.date),
                reorg_digest(e.kind, e.is_default),
            )
        })
        .collect();
    Ok(UnitsSnapshot { units, reorgs })
}

/// Whether a setting is not there yet.
async fn missing(conn: &mut Conn, key: &str) -> AppResult<bool> {
    Ok(baocao_store::meta::get(conn, key).await?.is_none())
}

/// The calendar's exceptions as the proofs take them.
async fn stored_exceptions(conn: &mut Conn) -> AppResult<Vec<Exception>> {
    Ok(baocao_store::calendar::exceptions(conn)
        .await?
        .into_iter()
        .map(|e| Exception {
            day: e.day,
            kind: e.kind,
            reason: e.reason,
        })
        .collect())
}

impl App {
    /// Once per database: writes the accounts and the calendar's exceptions
    /// as they stand to the ledger (`users.baseline`, `calendar.baseline`), so
    /// that a database made before they were ledgered verifies, and every
    /// change after it is proven. A database made since gets empty
    /// baselines. Run at start-up by the binary; says whether it wrote any.
    pub async fn record_baselines(&self) -> AppResult<bool> {
        {
            let mut conn = self.store.conn().await?;
            if !missing(&mut conn, ACCOUNTS_RECORDED).await?
                && !missing(&mut conn, CALENDAR_RECORDED).await?
                && !missing(&mut conn, UNITS_RECORDED).await?
            {
                return Ok(false);
            }
        }
        let system = crate::auth::system_principal();
        let mut tx = self.store.begin_write().await?;
        let mut wrote = false;
        // Checked again inside the transaction: another process may have
        // written them meanwhile.
        if missing(&mut tx, ACCOUNTS_RECORDED).await? {
            let accounts: Vec<BaselineAccount> = stored_accounts(&mut tx)
                .await?
                .iter()
                .map(|(id, a)| BaselineAccount::of(baocao_domain::access::UserId::new(*id), a))
                .collect();
            let event = baocao_domain::audit::AuditEvent::AccountsBaseline { accounts };
            ledger_change(&mut tx, &system, event).await?;
            baocao_store::meta::set(&mut tx, ACCOUNTS_RECORDED, "1").await?;
            wrote = true;
        }
        if missing(&mut tx, CALENDAR_RECORDED).await? {
            let exceptions = stored_exceptions(&mut tx).await?;
            let event = baocao_domain::audit::AuditEvent::CalendarBaseline { exceptions };
            ledger_change(&mut tx, &system, event).await?;
            baocao_store::meta::set(&mut tx, CALENDAR_RECORDED, "1").await?;
            wrote = true;
        }
        if missing(&mut tx, UNITS_RECORDED).await? {
            let snapshot = stored_units(&mut tx).await?;
            let event = baocao_domain::audit::AuditEvent::UnitsBaseline { snapshot };
            ledger_change(&mut tx, &system, event).await?;
            baocao_store::meta::set(&mut tx, UNITS_RECORDED, "1").await?;
            wrote = true;
        }
        baocao_store::commit(tx).await?;
        Ok(wrote)
    }
}

/// The Merkle frontier of entries 1 to `upto`, continuing from `start`
/// (a sequence number and the frontier there) or from the first entry.
async fn frontier_up_to(
    conn: &mut Conn,
    start: Option<(i64, Frontier)>,
    upto: i64,
) -> AppResult<Frontier> {
    let (mut after, mut frontier) = start.unwrap_or_default();
    while after < upto {
        let page = ledger::hashes_between(conn, after, upto, PAGE).await?;
        if page.is_empty() {
            break;
        }
        for (seq, hash) in page {
            if seq != after + 1 {
                return Err(AppError::Internal(format!(
                    "ledger entry {} missing: run baocao audit verify",
                    after + 1
                )));
            }
            let bytes = hex::decode(&hash)
                .map_err(|_| AppError::Internal(format!("ledger entry {seq}: hash")))?;
            frontier.push(&bytes);
            after = seq;
        }
    }
    Ok(frontier)
}

/// A frontier as kept with a checkpoint: `[[size, "hex"], …]`.
fn frontier_to_json(frontier: &Frontier) -> String {
    let pairs: Vec<(u64, String)> = frontier
        .subtrees()
        .iter()
        .map(|(n, h)| (*n, hex::encode(h)))
        .collect();
    serde_json::to_string(&pairs).unwrap_or_default()
}

fn frontier_from_json(text: &str) -> AppResult<Frontier> {
    let bad = || AppError::Internal("checkpoint frontier".into());
    let pairs: Vec<(u64, String)> = serde_json::from_str(text).map_err(|_| bad())?;
    let subtrees = pairs
        .into_iter()
        .map(|(n, h)| {
            let bytes: Hash = hex::decode(h)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(bad)?;
            Ok((n, bytes))
        })
        .collect::<AppResult<Vec<_>>>()?;
    Frontier::from_subtrees(subtrees).ok_or_else(bad)
}

/// Whether a checkpoint's signature is its key's and its format known.
pub fn checkpoint_signed(checkpoint: &Checkpoint) -> bool {
    use ring::signature::{UnparsedPublicKey, ED25519};
    let signature_ok = match (
        hex::decode(&checkpoint.public_key),
        hex::decode(&checkpoint.signature),
    ) {
        (Ok(key), Ok(signature)) => UnparsedPublicKey::new(&ED25519, key)
            .verify(&checkpoint.signed_bytes(), &signature)
            .is_ok(),
        _ => false,
    };
    checkpoint.is_known_format() && signature_ok
}

/// Two checkpoints a consistency proof can join: each signed, by the same
/// key, with roots, the first not after the second.
fn both_signed(old: &Checkpoint, new: &Checkpoint) -> Result<(), Message> {
    if !checkpoint_signed(old) || !checkpoint_signed(new) {
        return Err(Message::new("audit.checkpoint_signature"));
    }
    if old.public_key != new.public_key {
        return Err(Message::new("audit.checkpoint_other_key"));
    }
    if old.root.is_none() || new.root.is_none() || old.seq > new.seq {
        return Err(Message::new("audit.checkpoint_no_root"));
    }
    Ok(())
}

/// Checks, without the ledger, that `proof` shows the ledger at checkpoint
/// `new` extends the ledger at checkpoint `old` unchanged (what the level
/// above runs on the files it received).
pub fn check_consistency(
    old: &Checkpoint,
    new: &Checkpoint,
    proof: &ConsistencyProof,
) -> Result<(), Message> {
    both_signed(old, new)?;
    let hash = |h: &str| -> Option<Hash> { hex::decode(h).ok()?.try_into().ok() };
    let roots = (
        old.root.as_deref().and_then(hash),
        new.root.as_deref().and_then(hash),
    );
    let path: Option<Vec<Hash>> = proof.proof.iter().map(|h| hash(h)).collect();
    let holds = match (roots, path) {
        ((Some(first), Some(second)), Some(path)) => {
            proof.format == baocao_domain::checkpoint::CONSISTENCY_FORMAT
                && proof.from == old.seq
                && proof.to == new.seq
                && verify_consistency(
                    u64::try_from(old.seq).unwrap_or(0),
                    u64::try_from(new.seq).unwrap_or(0),
                    &first,
                    &second,
                    &path,
                )
        }
        _ => false,
    };
    if holds {
        Ok(())
    } else {
        Err(Message::new("audit.consistency_fails")
            .arg("from", old.seq)
            .arg("to", new.seq))
    }
}

/// Ledger pages read at once, each on its own connection (reading rows
/// through the driver, not hashing, is what takes the time: SHA-256 runs at
/// over a gigabyte a second here).
const READERS: usize = 2;

/// A page of entries with the seal of each.
type SealedPage = AppResult<(Vec<baocao_domain::ledger::StoredEntry>, Vec<Seal>)>;

impl App {
    /// The ledger up to `head`, page by page: reader `i` reads pages `i`,
    /// `i + READERS`, … on its own connection and seals each entry (its hash
    /// checked against its stored previous hash) off the async workers; page
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
                                let seals = entries.iter().map(seal).collect();
                                (entries, seals)
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

/// The setting holding the instance's Ed25519 signing key (PKCS#8, hex),
/// made at first use.
const SIGNING_KEY: &str = "audit.signing_key";

/// The setting naming the instance in its checkpoints.
const INSTANCE_NAME: &str = "instance.name";

/// A configured Ed25519 key (PKCS#8) that signs the ledger's checkpoints;
/// never printed.
#[derive(Clone)]
pub struct SigningKey(std::sync::Arc<Vec<u8>>);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(…)")
    }
}

impl SigningKey {
    /// Reads a key as `openssl genpkey -algorithm ed25519` writes it: PKCS#8,
    /// PEM (`-----BEGIN PRIVATE KEY-----`) or DER.
    pub fn read(bytes: &[u8]) -> Result<SigningKey, Message> {
        use base64::Engine;
        let refused = || Message::new("audit.bad_signing_key");
        let der = match std::str::from_utf8(bytes) {
            Ok(text) if text.contains("-----BEGIN PRIVATE KEY-----") => {
                let body: String = text
                    .lines()
                    .skip_while(|l| !l.starts_with("-----BEGIN PRIVATE KEY-----"))
                    .skip(1)
                    .take_while(|l| !l.starts_with("-----END"))
                    .collect();
                base64::engine::general_purpose::STANDARD
                    .decode(body.trim())
                    .map_err(|_| refused())?
            }
            _ => bytes.to_vec(),
        };
        ring::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).map_err(|_| refused())?;
        Ok(SigningKey(std::sync::Arc::new(der)))
    }
}

impl App {
    /// The instance's signing key: the configured one, or one made and kept
    /// in the database at first use.
    async fn signing_key(&self) -> AppResult<ring::signature::Ed25519KeyPair> {
        use ring::signature::Ed25519KeyPair;
        let internal = |e: &dyn std::fmt::Display| AppError::Internal(format!("signing key: {e}"));
        if let Some(key) = &self.settings.signing_key {
            return Ed25519KeyPair::from_pkcs8_maybe_unchecked(&key.0).map_err(|e| internal(&e));
        }
        let mut tx = self.store.begin_write().await?;
        let pkcs8 = match baocao_store::meta::get(&mut tx, SIGNING_KEY).await? {
            Some(text) => hex::decode(text).map_err(|e| internal(&e))?,
            None => {
                let rng = ring::rand::SystemRandom::new();
                let made = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|e| internal(&e))?;
                baocao_store::meta::set(&mut tx, SIGNING_KEY, &hex::encode(made.as_ref())).await?;
                made.as_ref().to_vec()
            }
        };
        baocao_store::commit(tx).await?;
        Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|e| internal(&e))
    }

    /// Signs a checkpoint of the ledger as it stands (head sequence, head
    /// hash, time, instance), keeps it in the database and returns it to be
    /// exported.
    pub async fn checkpoint(&self) -> AppResult<Checkpoint> {
        use ring::signature::KeyPair;
        let key = self.signing_key().await?;
        let instance = self
            .setting(INSTANCE_NAME)
            .await?
            .unwrap_or_else(|| "baocao".to_string());
        let mut conn = self.store.conn().await?;
        let (seq, head) = ledger::head(&mut conn).await?;
        // The tree continues from the last checkpoint's frontier.
        let start = match ledger::last_frontier(&mut conn).await? {
            Some((at, text)) if at <= seq => Some((at, frontier_from_json(&text)?)),
            _ => None,
        };
        let frontier = frontier_up_to(&mut conn, start, seq).await?;
        let mut checkpoint = Checkpoint {
            format: baocao_domain::checkpoint::FORMAT.to_string(),
            instance,
            seq,
            head,
            root: Some(hex::encode(frontier.root())),
            at: crate::now(),
            public_key: hex::encode(key.public_key().as_ref()),
            signature: String::new(),
        };
        checkpoint.signature = hex::encode(key.sign(&checkpoint.signed_bytes()).as_ref());
        let document =
            serde_json::to_string(&checkpoint).map_err(|e| AppError::Internal(e.to_string()))?;
        ledger::insert_checkpoint(
            &mut conn,
            seq,
            &checkpoint.head,
            checkpoint.at,
            &document,
            &frontier_to_json(&frontier),
        )
        .await?;
        Ok(checkpoint)
    }

    /// The consistency proof (RFC 9162) that the ledger at checkpoint `new`
    /// extends the ledger at checkpoint `old` unchanged, for the level above
    /// to check with the two checkpoints alone ([`check_consistency`]).
    /// `Err` says why none can be given (a checkpoint not signed by this
    /// instance's key, without a root, or a ledger that no longer has the
    /// trees they signed). Reads the hashes of the entries up to `new`
    /// (32 bytes of memory per entry).
    pub async fn consistency_proof(
        &self,
        old: &Checkpoint,
        new: &Checkpoint,
    ) -> AppResult<Result<ConsistencyProof, Message>> {
        if let Err(m) = both_signed(old, new) {
            return Ok(Err(m));
        }
        let mut conn = self.store.conn().await?;
        let mut leaves: Vec<Hash> = Vec::new();
        let mut after = 0;
        while after < new.seq {
            let page = ledger::hashes_between(&mut conn, after, new.seq, PAGE).await?;
            let Some(&(last, _)) = page.last() else { break };
            for (seq, hash) in page {
                if seq != after + 1 {
                    return Ok(Err(
                        Message::new("audit.missing_entry").arg("seq", after + 1)
                    ));
                }
                leaves.push(leaf_hash(&hex::decode(&hash).unwrap_or_default()));
                after = seq;
            }
            after = last;
        }
        let size = |c: &Checkpoint| usize::try_from(c.seq).unwrap_or(usize::MAX);
        for c in [old, new] {
            let root = root_of_leaves(&leaves[..size(c).min(leaves.len())]);
            if leaves.len() < size(c) || Some(hex::encode(root)) != c.root {
                return Ok(Err(Message::new("audit.checkpoint_rewritten")
                    .arg("seq", c.seq)
                    .arg("signed", c.root.clone().unwrap_or_default())
                    .arg("found", hex::encode(root))));
            }
        }
        Ok(Ok(ConsistencyProof {
            format: baocao_domain::checkpoint::CONSISTENCY_FORMAT.to_string(),
            from: old.seq,
            to: new.seq,
            proof: consistency_proof(&leaves, size(old))
                .iter()
                .map(hex::encode)
                .collect(),
        }))
    }

    /// Signs a checkpoint if the ledger moved since the last one (the
    /// scheduled checkpoints: an idle ledger is not signed again and again).
    pub async fn checkpoint_if_moved(&self) -> AppResult<Option<Checkpoint>> {
        let (head, last) = {
            let mut conn = self.store.conn().await?;
            (
                ledger::head(&mut conn).await?,
                ledger::last_checkpoint(&mut conn).await?,
            )
        };
        if last.as_ref() == Some(&head) {
            return Ok(None);
        }
        self.checkpoint().await.map(Some)
    }

    /// Signs a checkpoint every `every` while the ledger moves, and writes
    /// each to `dir` (as `checkpoint-SEQ.json`) when given, to be published
    /// or sent to the level above.
    pub fn start_checkpoints(&self, every: std::time::Duration, dir: Option<std::path::PathBuf>) {
        let app = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.tick().await; // the first tick is at once: wait a period
            loop {
                ticks.tick().await;
                match app.checkpoint_if_moved().await {
                    Ok(Some(c)) => {
                        tracing::info!(seq = c.seq, head = %c.head, "ledger checkpoint signed");
                        if let Some(dir) = &dir {
                            let path = dir.join(format!("checkpoint-{}.json", c.seq));
                            let text = serde_json::to_string_pretty(&c).unwrap_or_default();
                            if let Err(e) = tokio::fs::write(&path, text).await {
                                tracing::warn!(error = %e, path = %path.display(), "cannot write the checkpoint");
                            }
                        }
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "ledger checkpoint failed"),
                }
            }
        });
    }

    /// Whether the ledger still holds what `checkpoint` signed: the
    /// signature is the checkpoint's key's, and the entry at its sequence has
    /// its hash. `Err` names what does not hold.
    pub async fn verify_checkpoint(
        &self,
        checkpoint: &Checkpoint,
    ) -> AppResult<Result<(), Message>> {
        if !checkpoint_signed(checkpoint) {
            return Ok(Err(Message::new("audit.checkpoint_signature")));
        }
        // An empty ledger's checkpoint: nothing before it to rewrite.
        if checkpoint.seq == 0 && checkpoint.head == baocao_domain::ledger::GENESIS {
            return Ok(Ok(()));
        }
        let mut conn = self.store.conn().await?;
        let entry = ledger::entries(&mut conn, checkpoint.seq - 1, 1).await?;
        match entry.first() {
            Some(e) if e.entry.seq == checkpoint.seq && e.hash == checkpoint.head => {
                // The tree recomputed from the entries themselves (not from a
                // stored frontier) must have the signed root.
                let Some(signed) = &checkpoint.root else {
                    return Ok(Ok(()));
                };
                let found = hex::encode(
                    frontier_up_to(&mut conn, None, checkpoint.seq)
                        .await?
                        .root(),
                );
                if *signed == found {
                    Ok(Ok(()))
                } else {
                    Ok(Err(Message::new("audit.checkpoint_root_differs")
                        .arg("seq", checkpoint.seq)
                        .arg("signed", signed)
                        .arg("found", found)))
                }
            }
            Some(e) if e.entry.seq == checkpoint.seq => {
                Ok(Err(Message::new("audit.checkpoint_rewritten")
                    .arg("seq", checkpoint.seq)
                    .arg("signed", &checkpoint.head)
                    .arg("found", &e.hash)))
            }
            _ => Ok(Err(
                Message::new("audit.checkpoint_missing").arg("seq", checkpoint.seq)
            )),
        }
    }
}

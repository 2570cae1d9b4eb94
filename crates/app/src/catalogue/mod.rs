//! The metadata catalogue: reading, searching, importing and exporting
//! disaggregations, indicators, regimes and requests, and a regime's deadline
//! calendar for a year.
//!
//! Every change goes through [`App::apply_metadata`]: a document (a whole file or
//! one object from an editor) is merged with what is stored, checked as a whole
//! ([`baocao_domain::catalogue::check`]), and written in one transaction or not
//! at all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use baocao_domain::access::{Permission, Principal, Target};
use baocao_domain::audit::AuditEvent;
use baocao_domain::catalogue::{
    check, same_meaning, unit_references, CheckContext, Indicator, Metadata, Problem, Regime,
    RegimeVersion,
};
use baocao_domain::text::fold;
use baocao_domain::unit::UnitId;
use baocao_domain::Message;
use baocao_store::catalogue::{self as store_catalogue, StoredDoc, REVISION_KEY};
use baocao_store::units as store_units;
use baocao_store::Conn;
use serde::de::DeserializeOwned;
use serde::Serialize;

mod screens;

pub use screens::{
    CatalogueDocument, EditorOutcome, EditorPost, EditorScreen, IndicatorScreen, IndicatorsScreen,
    RegimeScreen,
};

use crate::{now, App, AppError, AppResult};

/// Largest metadata document accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 8 * 1024 * 1024;

/// Reads a metadata document; a malformed one is refused with the line and column.
pub fn parse_metadata(text: &str) -> AppResult<Metadata> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(AppError::field(
            "file",
            Message::new("catalogue.too_large").arg("max", MAX_DOCUMENT_BYTES / (1024 * 1024)),
        ));
    }
    serde_json::from_str(text).map_err(|e| json_problem(&e))
}

/// A JSON syntax or shape error as a document problem.
pub fn json_problem(e: &serde_json::Error) -> AppError {
    AppError::DocumentRejected(vec![Problem {
        path: format!("{}:{}", e.line(), e.column()),
        message: Message::new("catalogue.json_error")
            .arg("line", e.line())
            .arg("column", e.column())
            .arg("detail", e),
    }])
}

/// The document as exchanged: pretty JSON with a final newline.
pub fn to_json(meta: &Metadata) -> String {
    let mut text = serde_json::to_string_pretty(meta).unwrap_or_default();
    text.push('\n');
    text
}

/// What [`App::apply_metadata`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApplySummary {
    /// Objects (or regime versions) created.
    pub created: usize,
    /// Objects changed (a new indicator version, a replaced regime version, …).
    pub changed: usize,
    /// Objects identical to what was stored.
    pub unchanged: usize,
}

/// One stored version of an indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorVersion {
    /// Version number, from 1.
    pub version: i64,
    /// When it was recorded (unix seconds).
    pub recorded_at: i64,
    /// The indicator as it was.
    pub indicator: Indicator,
}

fn decode<T: DeserializeOwned>(stored: &StoredDoc) -> AppResult<T> {
    serde_json::from_str(&stored.doc)
        .map_err(|e| AppError::Internal(format!("stored document {}: {e}", stored.code)))
}

fn encode<T: Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))
}

/// The catalogue as last read and the revision it was read at.
#[derive(Debug, Clone, Default)]
pub(crate) struct CatalogueCache(Arc<Mutex<Option<Revision>>>);

/// A catalogue and the revision it was read at.
type Revision = (String, Arc<Metadata>);

impl CatalogueCache {
    /// The catalogue as `conn` sees it: one primary-key read tells whether
    /// the cached copy is current; every node reads it, so a change made on
    /// another node is seen too.
    pub(crate) async fn current(&self, conn: &mut Conn) -> AppResult<Arc<Metadata>> {
        let revision = baocao_store::meta::get(conn, REVISION_KEY)
            .await?
            .unwrap_or_default();
        if let Some(current) = self.get(&revision) {
            return Ok(current);
        }
        let loaded = Arc::new(load(conn).await?);
        self.put(revision, loaded.clone());
        Ok(loaded)
    }

    fn get(&self, revision: &str) -> Option<Arc<Metadata>> {
        let held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        held.as_ref()
            .filter(|(r, _)| r == revision)
            .map(|(_, m)| m.clone())
    }

    fn put(&self, revision: String, metadata: Arc<Metadata>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((revision, metadata));
    }
}

/// The catalogue as the tables hold it.
pub(crate) async fn load(conn: &mut Conn) -> AppResult<Metadata> {
    let mut meta = Metadata::empty();
    for stored in store_catalogue::disaggregations(conn).await? {
        meta.disaggregations.push(decode(&stored)?);
    }
    for stored in store_catalogue::current_indicators(conn).await? {
        meta.indicators.push(decode(&stored)?);
    }
    for stored in store_catalogue::regime_versions(conn).await? {
        let version: RegimeVersion = decode(&stored)?;
        match meta.regimes.last_mut() {
            Some(regime) if regime.code == stored.code => regime.versions.push(version),
            _ => meta.regimes.push(Regime {
                code: stored.code.clone(),
                versions: vec![version],
            }),
        }
    }
    for stored in store_catalogue::requests(conn).await? {
        meta.requests.push(decode(&stored)?);
    }
    meta.sort();
    Ok(meta)
}

/// The incoming document followed by the stored objects it does not replace, so
/// that problem paths point into the incoming document (and, sorted, the
/// catalogue after the document is applied: what the audit replays).
pub(crate) fn merge(incoming: &Metadata, stored: &Metadata) -> Metadata {
    fn extend<T: Clone>(into: &mut Vec<T>, from: &[T], code: impl Fn(&T) -> &str) {
        let taken: Vec<String> = into.iter().map(|x| code(x).to_string()).collect();
        into.extend(
            from.iter()
                .filter(|x| !taken.iter().any(|c| c == code(x)))
                .cloned(),
        );
    }
    let mut merged = incoming.clone();
    extend(&mut merged.disaggregations, &stored.disaggregations, |d| {
        &d.code
    });
    extend(&mut merged.indicators, &stored.indicators, |i| &i.code);
    extend(&mut merged.regimes, &stored.regimes, |r| &r.code);
    extend(&mut merged.requests, &stored.requests, |r| &r.code);
    merged
}

/// Problems that need what is stored: meaning changes, removed versions.
fn history_problems(incoming: &Metadata, stored: &Metadata) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (i, indicator) in incoming.indicators.iter().enumerate() {
        if let Some(old) = stored.indicator(&indicator.code) {
            if !same_meaning(old, indicator) {
                problems.push(Problem {
                    path: format!("indicators[{i}]"),
                    message: Message::new("catalogue.meaning_changed")
                        .arg("code", &indicator.code)
                        .arg("name", &old.name_vi)
                        .arg("measure", &old.measure_vi),
                });
            }
        }
    }
    for (i, regime) in incoming.regimes.iter().enumerate() {
        if let Some(old) = stored.regime(&regime.code) {
            let kept = old.versions.len() <= regime.versions.len()
                && old
                    .versions
                    .iter()
                    .zip(&regime.versions)
                    .all(|(a, b)| a.from == b.from);
            if !kept {
                problems.push(Problem {
                    path: format!("regimes[{i}].versions"),
                    message: Message::new("catalogue.version_removed")
                        .arg("code", &regime.code)
                        .arg("count", old.versions.len()),
                });
            }
        }
    }
    problems
}

impl App {
    /// The current catalogue, sorted by code. Every signed-in user may read it.
    pub async fn metadata(&self) -> AppResult<Arc<Metadata>> {
        let mut conn = self.store.conn().await?;
        self.catalogue_cache.current(&mut conn).await
    }

    /// Indicators whose code or name contains `query` (accents and case ignored),
    /// optionally of one Decision 293 field.
    pub async fn search_indicators(
        &self,
        query: &str,
        field: Option<&str>,
    ) -> AppResult<Vec<Indicator>> {
        if query.chars().count() > crate::units::MAX_SEARCH_CHARS {
            return Err(AppError::field(
                "q",
                Message::new("report.error.too_long").arg("max", crate::units::MAX_SEARCH_CHARS),
            ));
        }
        let needle = fold(query.trim());
        let meta = self.metadata().await?;
        Ok(meta
            .indicators
            .iter()
            .filter(|i| field.is_none_or(|f| i.field.as_deref() == Some(f)))
            .filter(|i| {
                needle.is_empty()
                    || fold(&i.code).contains(&needle)
                    || fold(&i.name_vi).contains(&needle)
                    || fold(&i.name_en).contains(&needle)
            })
            .cloned()
            .collect())
    }

    /// Every version of an indicator, oldest first.
    pub async fn indicator_history(&self, code: &str) -> AppResult<Vec<IndicatorVersion>> {
        let mut conn = self.store.conn().await?;
        let history = store_catalogue::indicator_history(&mut conn, code).await?;
        if history.is_empty() {
            return Err(AppError::NotFound);
        }
        history
            .iter()
            .map(|stored| {
                Ok(IndicatorVersion {
                    version: stored.version,
                    recorded_at: stored.recorded_at,
                    indicator: decode(stored)?,
                })
            })
            .collect()
    }

    /// One regime with all its versions.
    pub async fn regime(&self, code: &str) -> AppResult<Regime> {
        self.metadata()
            .await?
            .regime(code)
            .cloned()
            .ok_or(AppError::NotFound)
    }

    /// Reads a catalogue document sent by `principal` — only once it is known
    /// that the caller may change the catalogue somewhere, and off the async
    /// workers (a document may be megabytes).
    pub async fn read_document<T: DeserializeOwned + Send + 'static>(
        &self,
        principal: &Principal,
        bytes: Vec<u8>,
    ) -> AppResult<T> {
        if !principal.may_somewhere(Permission::DefineRegimes) && !may_issue_somewhere(principal) {
            return Err(AppError::Forbidden);
        }
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(AppError::field(
                "file",
                Message::new("catalogue.too_large").arg("max", MAX_DOCUMENT_BYTES / (1024 * 1024)),
            ));
        }
        self.heavy
            .run(move || serde_json::from_slice::<T>(&bytes).map_err(|e| json_problem(&e)))
            .await?
    }

    /// Checks `incoming` against the stored catalogue and stores it: new objects
    /// are created, changed indicators get a new version, regime versions are
    /// replaced or appended. All or nothing.
    ///
    /// The caller's rights over everything the document touches are checked
    /// first, then the document as a whole — on a bounded pool of blocking
    /// threads, outside any write transaction — and only then is it written,
    /// provided the catalogue did not change meanwhile.
    pub async fn apply_metadata(
        &self,
        principal: &Principal,
        incoming: &Metadata,
    ) -> AppResult<ApplySummary> {
        may_apply(principal, incoming)?;
        self.apply_built(principal, |_| Ok(incoming.clone())).await
    }

    /// Applies the document `build` makes from the stored catalogue (a
    /// merge, say): what it is built from and what it is checked against are
    /// the same catalogue, and it is written only if no other change came in
    /// between — so read, merge and write cannot lose someone else's change.
    pub(crate) async fn apply_built(
        &self,
        principal: &Principal,
        build: impl FnOnce(&Metadata) -> AppResult<Metadata>,
    ) -> AppResult<ApplySummary> {
        let mut conn = self.store.conn().await?;
        let revision = baocao_store::meta::get(&mut conn, REVISION_KEY)
            .await?
            .unwrap_or_default();
        drop(conn);
        let stored = self.metadata().await?;
        let incoming = &build(&stored)?;
        may_apply(principal, incoming)?;
        let calendar = self.work_calendar().await?;
        let mut conn = self.store.conn().await?;
        let (owners, issuers) = owners_and_issuers(incoming, &stored);
        let references = unit_references(incoming);
        let mut codes: Vec<String> = references.iter().map(|(_, c)| c.clone()).collect();
        codes.extend(owners.iter().chain(&issuers).cloned());
        codes.sort();
        codes.dedup();
        let units = store_catalogue::units_by_code(&mut conn, &codes).await?;
        may_apply_for(&mut conn, principal, &units, &owners, &issuers).await?;
        let levels = store_units::levels(&mut conn).await?;
        drop(conn);
        let mut problems = self
            .document_problems(levels, calendar, incoming, &stored)
            .await?;
        for (path, code) in &references {
            if !units.contains_key(code) {
                problems.push(Problem {
                    path: path.clone(),
                    message: Message::new("catalogue.unknown_unit").arg("value", code),
                });
            }
        }
        if !problems.is_empty() {
            return Err(AppError::DocumentRejected(problems));
        }
        let mut tx = self.store.begin_write().await?;
        // One writer of the catalogue at a time, and only over what was checked.
        baocao_store::catalogue::lock(&mut tx).await?;
        let now_revision = baocao_store::meta::get(&mut tx, REVISION_KEY)
            .await?
            .unwrap_or_default();
        if now_revision != revision {
            return Err(AppError::Conflict(Message::new("catalogue.changed")));
        }
        let frozen = frozen_versions(&mut tx, incoming, &stored).await?;
        if !frozen.is_empty() {
            return Err(AppError::DocumentRejected(frozen));
        }
        let summary = write(&mut tx, principal, incoming, &stored).await?;
        if summary.created + summary.changed > 0 {
            let event = AuditEvent::MetadataApplied {
                document: Box::new(incoming.clone()),
            };
            let at = now();
            let seq =
                crate::ledger::record(&mut tx, &crate::ledger::Actor::of(principal), &event, at)
                    .await?;
            // A new revision, unique to this change (its ledger entry), in the same transaction.
            baocao_store::meta::set(&mut tx, REVISION_KEY, &seq.to_string()).await?;
        }
        baocao_store::commit(tx).await?;
        tracing::info!(by = %principal.username, ?summary, "metadata applied");
        Ok(summary)
    }

    /// The problems of the document merged with `stored`, checked as a whole
    /// off the async workers (holding no connection meanwhile), and of the
    /// indicators' histories.
    async fn document_problems(
        &self,
        levels: Vec<store_units::LevelInfo>,
        calendar: baocao_domain::calendar::WorkCalendar,
        incoming: &Metadata,
        stored: &Metadata,
    ) -> AppResult<Vec<Problem>> {
        let levels: Vec<String> = levels
            .into_iter()
            .map(|l| l.code.as_str().to_string())
            .collect();
        // The whole document, checked off the async workers.
        let merged = merge(incoming, stored);
        let mut problems = self
            .heavy
            .run(move || {
                let ctx = CheckContext {
                    calendar: &calendar,
                    levels: &levels,
                };
                check(&merged, &ctx).err().unwrap_or_default()
            })
            .await?;
        problems.extend(history_problems(incoming, stored));
        Ok(problems)
    }
}

/// Whether `principal` may apply a document like `incoming` at all: regime
/// administrators, or issuers for a document of requests only; and for
/// disaggregations and indicators, regime administrators of the whole instance.
fn may_apply(principal: &Principal, incoming: &Metadata) -> AppResult<()> {
    let touches_catalogue = !incoming.disaggregations.is_empty() || !incoming.indicators.is_empty();
    let only_requests = incoming.disaggregations.is_empty()
        && incoming.indicators.is_empty()
        && incoming.regimes.is_empty();
    let issuer = only_requests && may_issue_somewhere(principal);
    if !principal.may_somewhere(Permission::DefineRegimes) && !issuer {
        return Err(AppError::Forbidden);
    }
    // Indicators are shared by every regime: regime administrators of the
    // whole instance only.
    if touches_catalogue && !principal.may_at_top(Permission::DefineRegimes) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// The units whose rights a document needs: the receiving units of its
/// regimes and the issuing units of its requests.
///
/// A regime or request needs the right on its receiving or issuing unit —
/// the one named now and the one it had: nothing is taken over by naming
/// one's own unit.
fn owners_and_issuers(incoming: &Metadata, stored: &Metadata) -> (Vec<String>, Vec<String>) {
    let owners: Vec<String> = incoming
        .regimes
        .iter()
        .flat_map(|r| {
            let before = stored.regime(&r.code).map(|s| s.versions.as_slice());
            r.versions
                .iter()
                .chain(before.unwrap_or_default())
                .map(|v| v.receiving_unit.clone())
        })
        .collect();
    let issuers: Vec<String> = incoming
        .requests
        .iter()
        .flat_map(|r| {
            let before = stored.requests.iter().find(|s| s.code == r.code);
            std::iter::once(r.issued_by.clone()).chain(before.map(|s| s.issued_by.clone()))
        })
        .collect();
    (owners, issuers)
}

/// Whether `principal` may define regimes for every one of `owners` and
/// define or issue for every one of `issuers` (`units`: ids by code). A unit
/// code that does not exist is nobody's.
async fn may_apply_for(
    conn: &mut Conn,
    principal: &Principal,
    units: &HashMap<String, Vec<UnitId>>,
    owners: &[String],
    issuers: &[String],
) -> AppResult<()> {
    for code in owners {
        let unit = units.get(code).and_then(|ids| ids.first()).copied();
        if !may_define(conn, principal, unit).await? {
            return Err(AppError::Forbidden);
        }
    }
    for code in issuers {
        let unit = units.get(code).and_then(|ids| ids.first()).copied();
        if !may_define(conn, principal, unit).await? && !may_issue(conn, principal, unit).await? {
            return Err(AppError::Forbidden);
        }
    }
    Ok(())
}

/// The changed regime versions reports were made with: a version reports
/// were made with is frozen, a change is a new version. Counted inside the
/// write transaction `tx`, so no report slips in meanwhile.
async fn frozen_versions(
    tx: &mut Conn,
    incoming: &Metadata,
    stored: &Metadata,
) -> AppResult<Vec<Problem>> {
    let mut frozen = Vec::new();
    for (i, regime) in incoming.regimes.iter().enumerate() {
        let Some(old) = stored.regime(&regime.code) else {
            continue;
        };
        for (j, (before, after)) in old.versions.iter().zip(&regime.versions).enumerate() {
            if before == after {
                continue;
            }
            let number = i64::try_from(j + 1).unwrap_or(i64::MAX);
            let used = baocao_store::reports::count_with_version(tx, &regime.code, number).await?;
            if used > 0 {
                frozen.push(Problem {
                    path: format!("regimes[{i}].versions[{j}]"),
                    message: Message::new("catalogue.version_in_use")
                        .arg("code", &regime.code)
                        .arg("version", j + 1)
                        .arg("count", used),
                });
            }
        }
    }
    Ok(frozen)
}

/// Roles that issue thematic and ad-hoc requests besides regime administrators.
const ISSUERS: [baocao_domain::access::Role; 2] = [
    baocao_domain::access::Role::Leader,
    baocao_domain::access::Role::Reviewer,
];

/// Whether `principal` is a leader or reviewer somewhere.
pub fn may_issue_somewhere(principal: &Principal) -> bool {
    principal.grants.iter().any(|g| ISSUERS.contains(&g.role))
}

/// Whether `principal` is a leader or reviewer of `unit` or a unit above it.
async fn may_issue(
    conn: &mut Conn,
    principal: &Principal,
    unit: Option<UnitId>,
) -> AppResult<bool> {
    let Some(unit) = unit else { return Ok(false) };
    let ancestors = store_units::ancestor_ids(conn, unit).await?;
    Ok(principal.grants.iter().any(|g| {
        ISSUERS.contains(&g.role)
            && g.scope
                .as_ref()
                .is_none_or(|s| s.unit == unit || ancestors.contains(&s.unit))
    }))
}

/// Whether `principal` may define regimes for `unit` (system-wide grants cover
/// units not known yet).
async fn may_define(
    conn: &mut Conn,
    principal: &Principal,
    unit: Option<UnitId>,
) -> AppResult<bool> {
    if principal.may_everywhere(Permission::DefineRegimes) {
        return Ok(true);
    }
    let Some(unit) = unit else { return Ok(false) };
    let ancestors = store_units::ancestor_ids(conn, unit).await?;
    Ok(principal.may(
        Permission::DefineRegimes,
        &Target {
            unit,
            ancestors: &ancestors,
        },
    ))
}

/// Writes what differs from `stored`.
async fn write(
    conn: &mut Conn,
    principal: &Principal,
    incoming: &Metadata,
    stored: &Metadata,
) -> AppResult<ApplySummary> {
    let stamp = Stamp {
        by: principal.actor(),
        at: now(),
    };
    let mut summary = ApplySummary::default();
    for d in &incoming.disaggregations {
        let old = stored.disaggregation(&d.code);
        summary.count(old.map(|o| o == d));
        if old != Some(d) {
            store_catalogue::put_disaggregation(conn, &d.code, &encode(d)?, stamp.by, stamp.at)
                .await?;
        }
    }
    write_indicators(conn, stamp, incoming, stored, &mut summary).await?;
    write_regimes(conn, stamp, incoming, stored, &mut summary).await?;
    for request in &incoming.requests {
        let old = stored.requests.iter().find(|r| r.code == request.code);
        summary.count(old.map(|o| o == request));
        if old != Some(request) {
            store_catalogue::put_request(
                conn,
                &request.code,
                &request.regime,
                &encode(request)?,
                stamp.by,
                stamp.at,
            )
            .await?;
        }
    }
    Ok(summary)
}

/// Who writes and when, for every object a document writes.
#[derive(Clone, Copy)]
struct Stamp {
    /// The user (`None` for the system).
    by: Option<baocao_domain::access::UserId>,
    /// When.
    at: i64,
}

impl ApplySummary {
    /// Counts one object of a document: `old` is `None` when it is new, else
    /// whether it is the same as the stored one.
    fn count(&mut self, old: Option<bool>) {
        match old {
            None => self.created += 1,
            Some(true) => self.unchanged += 1,
            Some(false) => self.changed += 1,
        }
    }
}

/// Writes a new version of every indicator that differs from `stored`.
async fn write_indicators(
    conn: &mut Conn,
    stamp: Stamp,
    incoming: &Metadata,
    stored: &Metadata,
    summary: &mut ApplySummary,
) -> AppResult<()> {
    let versions: HashMap<String, i64> = store_catalogue::current_indicators(conn)
        .await?
        .into_iter()
        .map(|s| (s.code, s.version))
        .collect();
    for indicator in &incoming.indicators {
        let old = stored.indicator(&indicator.code);
        summary.count(old.map(|o| o == indicator));
        if old != Some(indicator) {
            let next = versions.get(&indicator.code).copied().unwrap_or(0) + 1;
            store_catalogue::insert_indicator_version(
                conn,
                &indicator.code,
                next,
                &encode(indicator)?,
                stamp.by,
                stamp.at,
            )
            .await?;
        }
    }
    Ok(())
}

/// Creates new regimes and writes every regime version that differs from
/// `stored` (replaced in place, or appended).
async fn write_regimes(
    conn: &mut Conn,
    stamp: Stamp,
    incoming: &Metadata,
    stored: &Metadata,
    summary: &mut ApplySummary,
) -> AppResult<()> {
    for regime in &incoming.regimes {
        let old = stored.regime(&regime.code);
        if old.is_none() {
            store_catalogue::insert_regime(conn, &regime.code, stamp.at).await?;
        }
        for (i, version) in regime.versions.iter().enumerate() {
            let old_version = old.and_then(|o| o.versions.get(i));
            summary.count(old_version.map(|o| o == version));
            if old_version != Some(version) {
                let number = i64::try_from(i + 1).unwrap_or(i64::MAX);
                store_catalogue::put_regime_version(
                    conn,
                    &regime.code,
                    number,
                    &version.from,
                    &encode(version)?,
                    stamp.by,
                    stamp.at,
                )
                .await?;
            }
        }
    }
    Ok(())
}

impl App {
    /// The level codes of the unit hierarchy, top first (for selectors).
    pub async fn level_codes(&self) -> AppResult<Vec<String>> {
        let mut conn = self.store.conn().await?;
        let mut levels = store_units::levels(&mut conn).await?;
        levels.sort_by_key(|l| l.rank);
        Ok(levels
            .into_iter()
            .map(|l| l.code.as_str().to_string())
            .collect())
    }
}

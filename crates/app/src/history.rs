//! Recording reports of the past: for the demo, and for migrating the records
//! of a previous reporting system, submissions and reviews are entered with
//! their historical time. Only the command line's operator (the system
//! principal, never an HTTP caller) may do it; every entry still goes through
//! the workflow's rules and into the audit ledger, marked as recorded history.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use baocao_domain::access::{Principal, UserId};
use baocao_domain::audit::AuditEvent;
use baocao_domain::calendar::WorkCalendar;
use baocao_domain::catalogue::Metadata;
use baocao_domain::obligation::placement;
use baocao_domain::period::PeriodId;
use baocao_domain::report::{normalize, on_time, optional_reason, Content, ReportId};
use baocao_domain::unit::{LineError, OrgUnit, UnitId};
use baocao_domain::Message;
use baocao_store::reports::{self as store_reports, ImportedReport, NewReport};
use baocao_store::units as store_units;
use chrono::NaiveDate;

use crate::reports::workflow::{Outcome, Signing, Step};
use crate::{now, App, AppError, AppResult};

/// Whether `acting` is allowed to record history: the operator only.
fn operator_only(operator: &Principal) -> AppResult<()> {
    if operator.user_id == UserId::SYSTEM
        && operator.username == crate::auth::system_principal().username
    {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn in_the_past(at: i64) -> AppResult<()> {
    if at < now() {
        Ok(())
    } else {
        Err(AppError::Conflict(Message::new(
            "report.error.history_in_future",
        )))
    }
}

/// A working copy saved in the past (a previous system's draft history).
#[derive(Debug, Clone, PartialEq)]
pub struct PastDraft {
    /// The report.
    pub report: ReportId,
    /// What was saved.
    pub content: Content,
    /// When (Unix seconds, in the past).
    pub at: i64,
}

impl App {
    /// Records a submission made at `at` (unix seconds, in the past) by
    /// `acting` (who must be allowed to submit the report).
    pub async fn record_past_submission(
        &self,
        operator: &Principal,
        acting: &Principal,
        id: ReportId,
        at: i64,
    ) -> AppResult<(i64, bool)> {
        operator_only(operator)?;
        in_the_past(at)?;
        let step = Step::Submit {
            signing: Signing::Past,
        };
        match self.transition(acting, id, step, at).await? {
            Outcome::Submitted { version, on_time } => Ok((version, on_time)),
            _ => Err(AppError::Internal("submission gave no version".into())),
        }
    }

    /// Records drafts saved in the past, in order, in one transaction: a
    /// `report.save` entry each, and each report left with its last one.
    /// The contents are the caller's, as a previous system kept them (they
    /// are not checked against the forms).
    pub async fn record_past_drafts(
        &self,
        operator: &Principal,
        drafts: &[PastDraft],
    ) -> AppResult<()> {
        operator_only(operator)?;
        for d in drafts {
            in_the_past(d.at)?;
        }
        let events: Vec<(AuditEvent, i64)> = drafts
            .iter()
            .map(|d| {
                let event = AuditEvent::DraftSaved {
                    report: d.report,
                    content: d.content.clone(),
                };
                (event, d.at)
            })
            .collect();
        let mut last: HashMap<ReportId, &Content> = HashMap::new();
        for d in drafts {
            last.insert(d.report, &d.content);
        }
        let mut replaced = Vec::with_capacity(last.len());
        for (report, content) in last {
            replaced.push((report, crate::reports::encode(content)?));
        }
        let actor = crate::ledger::Actor::of(operator);
        let mut tx = self.store.begin_write().await?;
        crate::ledger::record_many(&mut tx, events.iter().map(|(e, at)| (&actor, e, *at))).await?;
        store_reports::replace_drafts(&mut tx, &replaced).await?;
        baocao_store::commit(tx).await?;
        Ok(())
    }

    /// Records a return or an acceptance made at `at` by `acting`.
    pub async fn record_past_review(
        &self,
        operator: &Principal,
        acting: &Principal,
        id: ReportId,
        accept: bool,
        reason: Option<String>,
        at: i64,
    ) -> AppResult<()> {
        operator_only(operator)?;
        in_the_past(at)?;
        let reason = optional_reason(reason.as_deref().unwrap_or(""))
            .map_err(|m| AppError::field("reason", m))?;
        self.transition(acting, id, Step::Review { accept, reason }, at)
            .await?;
        Ok(())
    }
}

/// A report accepted in a previous system.
#[derive(Debug, Clone, PartialEq)]
pub struct PastReport {
    /// Regime code.
    pub regime: String,
    /// Reporting unit.
    pub unit: UnitId,
    /// Period.
    pub period: PeriodId,
    /// The accepted content.
    pub content: Content,
    /// When it was submitted (unix seconds, in the past).
    pub submitted_at: i64,
    /// When it was accepted (unix seconds, in the past, not before the submission).
    pub accepted_at: i64,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportedCount {
    /// Reports stored.
    pub imported: usize,
    /// Reports left alone because the unit already has one for the period.
    pub existing: usize,
}

/// Reports one import call may carry.
pub const MAX_IMPORT_BATCH: usize = 5_000;

/// What every report of an import is checked against, read once.
struct ImportContext {
    meta: Arc<Metadata>,
    calendar: WorkCalendar,
    units: HashMap<UnitId, OrgUnit>,
    receiving: HashMap<String, Vec<UnitId>>,
}

impl ImportContext {
    /// A unit's ancestors, nearest first.
    fn ancestors(&self, unit: &OrgUnit) -> Vec<OrgUnit> {
        let mut out = Vec::new();
        let mut next = unit.parent;
        while let Some(id) = next {
            let Some(parent) = self.units.get(&id) else {
                break;
            };
            if out.len() > 64 {
                break; // a cycle would be corrupt data; stop rather than loop
            }
            out.push(parent.clone());
            next = parent.parent;
        }
        out
    }

    /// Where a past report belongs, its regime version and its content as
    /// the form keeps it; a problem in the user's language otherwise.
    fn place(&self, r: &PastReport) -> Result<Placed, Message> {
        let regime = self
            .meta
            .regime(&r.regime)
            .ok_or_else(|| Message::new("history.error.unknown_regime").arg("value", &r.regime))?;
        let (number, version) = regime.version_for(&r.period).ok_or_else(|| {
            Message::new("report.error.wrong_period").arg("value", r.period.to_string())
        })?;
        let unit = self
            .units
            .get(&r.unit)
            .ok_or_else(|| Message::new("history.error.unknown_unit").arg("value", r.unit))?;
        let receiving = self
            .receiving
            .get(&version.receiving_unit)
            .map_or(&[][..], Vec::as_slice);
        let place =
            placement(version, unit, &self.ancestors(unit), receiving).ok_or_else(|| {
                Message::new("report.error.not_reporting")
                    .arg("unit", &unit.name)
                    .arg("regime", &regime.code)
            })?;
        let deadline =
            crate::reports::obligations::due_date(version, place.group, &r.period, &self.calendar)
                .ok_or_else(|| {
                    Message::new("report.error.no_deadline").arg("value", r.period.to_string())
                })?;
        let content = normalize(&r.content, version, &self.meta).map_err(|problems| {
            problems
                .into_iter()
                .next()
                .map_or_else(|| Message::new("history.error.content"), |p| p.message)
        })?;
        if r.accepted_at < r.submitted_at || r.accepted_at >= now() {
            return Err(Message::new("history.error.times"));
        }
        Ok(Placed {
            regime_version: number,
            receiver: place.receiver,
            deadline,
            content,
        })
    }
}

/// A past report placed: what its row needs beyond the input.
struct Placed {
    regime_version: usize,
    receiver: UnitId,
    deadline: NaiveDate,
    content: Content,
}

impl App {
    /// Imports reports accepted in a previous system (migrating its records):
    /// each is placed like a report opened here (regime version, receiving
    /// unit, deadline), its content checked against the form, and stored as
    /// accepted version 1 with its submission and acceptance times, one
    /// `report.import` ledger entry each. Reports a unit already has for the
    /// period are left alone. All or nothing: one report that does not fit
    /// refuses the batch, line by line. The operator only.
    pub async fn import_past_reports(
        &self,
        operator: &Principal,
        reports: &[PastReport],
    ) -> AppResult<ImportedCount> {
        operator_only(operator)?;
        if reports.len() > MAX_IMPORT_BATCH {
            return Err(AppError::field(
                "reports",
                Message::new("history.error.batch").arg("max", MAX_IMPORT_BATCH),
            ));
        }
        let context = self.import_context(reports).await?;
        let existing = self.existing_reports(reports).await?;
        let (placed, problems) = {
            let reports = reports.to_vec();
            let existing = existing.clone();
            self.heavy
                .run(move || place_all(&context, &reports, &existing))
                .await?
        };
        if !problems.is_empty() {
            return Err(AppError::ImportRejected(problems));
        }
        let drafts: Vec<String> = placed
            .iter()
            .map(|(_, p)| serde_json::to_string(&p.content))
            .collect::<Result<_, _>>()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let rows: Vec<ImportedReport<'_>> = placed
            .iter()
            .zip(&drafts)
            .map(|((r, p), draft)| ImportedReport {
                report: NewReport {
                    regime_code: &r.regime,
                    regime_version: p.regime_version,
                    unit_id: r.unit,
                    period: &r.period,
                    receiver_id: p.receiver,
                    deadline: p.deadline,
                    draft,
                },
                submitted_at: r.submitted_at,
                accepted_at: r.accepted_at,
                on_time: on_time(r.submitted_at, p.deadline),
            })
            .collect();
        let mut tx = self.store.begin_write().await?;
        let ids = store_reports::insert_imported(&mut tx, &rows).await?;
        let actor = crate::ledger::Actor::of(operator);
        let at = now();
        let events: Vec<AuditEvent> = ids
            .iter()
            .zip(&placed)
            .map(|(id, (r, p))| AuditEvent::Imported {
                report: *id,
                regime: r.regime.clone(),
                regime_version: p.regime_version,
                unit: r.unit,
                period: r.period.to_string(),
                receiver: p.receiver,
                deadline: p.deadline,
                submitted_at: r.submitted_at,
                accepted_at: r.accepted_at,
                content: p.content.clone(),
            })
            .collect();
        crate::ledger::record_many(&mut tx, events.iter().map(|e| (&actor, e, at))).await?;
        baocao_store::commit(tx).await?;
        self.analytics.wake();
        Ok(ImportedCount {
            imported: ids.len(),
            existing: existing.len(),
        })
    }

    async fn import_context(&self, reports: &[PastReport]) -> AppResult<ImportContext> {
        let meta = self.metadata().await?;
        let calendar = self.work_calendar().await?;
        let mut conn = self.store.conn().await?;
        let mut wanted: Vec<UnitId> = reports.iter().map(|r| r.unit).collect();
        wanted.sort();
        wanted.dedup();
        // The units and every ancestor of theirs.
        let mut units: HashMap<UnitId, OrgUnit> = HashMap::new();
        while !wanted.is_empty() {
            let found = store_units::get_many(&mut conn, &wanted).await?;
            wanted = found
                .iter()
                .filter_map(|u| u.parent)
                .filter(|p| !units.contains_key(p))
                .collect();
            wanted.sort();
            wanted.dedup();
            units.extend(found.into_iter().map(|u| (u.id, u)));
        }
        let mut codes: Vec<String> = meta
            .regimes
            .iter()
            .flat_map(|r| r.versions.iter().map(|v| v.receiving_unit.clone()))
            .collect();
        codes.sort();
        codes.dedup();
        let receiving = baocao_store::catalogue::units_by_code(&mut conn, &codes).await?;
        Ok(ImportContext {
            meta,
            calendar,
            units,
            receiving,
        })
    }

    /// The (regime, unit, period) of `reports` that exist already.
    async fn existing_reports(
        &self,
        reports: &[PastReport],
    ) -> AppResult<HashSet<(String, UnitId, String)>> {
        let mut by_regime: HashMap<&str, (Vec<UnitId>, Vec<PeriodId>)> = HashMap::new();
        for r in reports {
            let (units, periods) = by_regime.entry(&r.regime).or_default();
            units.push(r.unit);
            periods.push(r.period);
        }
        let mut conn = self.store.conn().await?;
        let mut out = HashSet::new();
        for (regime, (mut units, mut periods)) in by_regime {
            units.sort();
            units.dedup();
            periods.sort_by_key(ToString::to_string);
            periods.dedup();
            for chunk in periods.chunks(100) {
                for (unit, period) in
                    store_reports::existing(&mut conn, regime, &units, chunk).await?
                {
                    out.insert((regime.to_string(), unit, period));
                }
            }
        }
        Ok(out)
    }
}

/// Places every report not already stored; the problems, line by line (1-based).
fn place_all(
    context: &ImportContext,
    reports: &[PastReport],
    existing: &HashSet<(String, UnitId, String)>,
) -> (Vec<(PastReport, Placed)>, Vec<LineError>) {
    let mut placed = Vec::with_capacity(reports.len());
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (i, r) in reports.iter().enumerate() {
        let key = (r.regime.clone(), r.unit, r.period.to_string());
        if existing.contains(&key) {
            continue;
        }
        if !seen.insert(key) {
            problems.push(LineError {
                line: i as u64 + 1,
                message: Message::new("history.error.duplicate"),
            });
            continue;
        }
        match context.place(r) {
            Ok(p) => placed.push((r.clone(), p)),
            Err(message) => problems.push(LineError {
                line: i as u64 + 1,
                message,
            }),
        }
        if problems.len() >= 100 {
            break;
        }
    }
    (placed, problems)
}

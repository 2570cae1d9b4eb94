//! Every workflow step goes through one transition: read the report inside
//! the write transaction, [`plan`] the step (who may, whether the status
//! allows it, the next status, the new row and the audit event — pure, no
//! I/O), then [`write_planned`] the row change, what goes with it and the
//! ledger entry. A change applies only if the report is still as it was read
//! (status and revision), so two writers never overwrite each other: the
//! second is told the report changed.
//!
//! Single steps run in their own transaction ([`App::transition`]);
//! submissions and reviews go through group commit
//! ([`crate::group_commit`]), which plans a batch and writes it the same way.

use std::collections::BTreeMap;

use baocao_domain::access::{Permission, Principal};
use baocao_domain::audit::AuditEvent;
use baocao_domain::catalogue::{Metadata, Problem, RegimeVersion, Severity};
use baocao_domain::report::{
    self, next_status, optional_reason, required_reason, Action, Content, ReportId, Status,
};
use baocao_domain::Message;
use baocao_store::reports::{
    self as store_reports, NewEvent, NewVersion, ReportChange, StoredReport,
};
use baocao_store::Conn;

use super::{decides_on_own_unit, decode, encode, version_of};
use crate::{now, App, AppError, AppResult};

/// A workflow step, with what the caller sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Save the working copy as typed; with `base_revision`, only if nobody
    /// saved since the caller read that revision.
    Save {
        /// Values, narrative sections and explanations.
        content: Content,
        /// The revision the caller's copy was made from.
        base_revision: Option<i64>,
    },
    /// Replace the values (from a spreadsheet or CSV); the narrative and the
    /// explanations stay as stored.
    SaveValues {
        /// Values by cell.
        values: BTreeMap<String, String>,
    },
    /// Put synthesized values into the draft (computed from revision
    /// `base_revision`: refused if the draft changed since).
    Fill {
        /// The revision the synthesis started from.
        base_revision: i64,
        /// The draft with the synthesized values in.
        content: Content,
        /// Names of the units aggregated.
        aggregated: Vec<String>,
        /// Units expected.
        expected: usize,
        /// (cell, before, after) of the values that changed.
        changed: Vec<(String, Option<String>, String)>,
    },
    /// Submit the draft as the next version.
    Submit {
        /// What vouches for the draft when its regime requires a signature.
        signing: Signing,
    },
    /// Accept (with an optional note) or return (with a reason).
    Review {
        /// Accept, or return.
        accept: bool,
        /// The reason (required to return).
        reason: Option<String>,
    },
    /// Back to a draft by the reporting unit: a correction after acceptance or
    /// a recall before review.
    Reopen {
        /// [`Action::Correct`] or [`Action::Recall`].
        action: Action,
        /// Why.
        reason: String,
    },
    /// Hold the draft while something is added to it (an attachment): the
    /// report must be editable, and a concurrent submission waits or fails.
    Touch,
}

/// What a submission carries for a regime that requires a digital signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// Nothing: refused when the regime requires a signature.
    Unsigned,
    /// A signature, already verified, over the draft at this revision (the
    /// draft must still be at it).
    Verified {
        /// The report's revision the signed bytes were made from.
        revision: i64,
    },
    /// History recorded from a previous system (the operator only): its
    /// submissions are what they were.
    Past,
}

/// What a step gives back.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The working copy as saved, and the report's revision after the save.
    Saved {
        /// The content.
        content: Content,
        /// The revision to send back with the next save.
        revision: i64,
    },
    /// The version submitted and whether it met the deadline.
    Submitted {
        /// Version number.
        version: i64,
        /// On time.
        on_time: bool,
    },
    /// Nothing more to say.
    Done,
}

/// A planned step: the row change, the ledger event and the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// The change of the report row and what goes with it.
    pub change: ReportChange,
    /// What the ledger records (`None` when the caller records it after
    /// writing something more, e.g. an attachment).
    pub audit: Option<AuditEvent>,
    /// Who acted, for the ledger.
    pub actor: crate::ledger::Actor,
    /// The answer once written.
    pub outcome: Outcome,
}

/// Whether `principal` holds the grant a step needs on report `r`.
pub fn permitted(principal: &Principal, r: &StoredReport, step: &Step) -> bool {
    let enter = principal.acts_for(Permission::EnterData, r.unit_id);
    let submit = principal.acts_for(Permission::SubmitReport, r.unit_id);
    match step {
        Step::Save { .. } | Step::SaveValues { .. } | Step::Fill { .. } | Step::Touch => enter,
        Step::Submit { .. } => submit,
        Step::Review { .. } => principal.acts_for(Permission::ReviewReport, r.receiver_id),
        Step::Reopen { action, .. } => submit || (*action == Action::Correct && enter),
    }
}

fn action_of(step: &Step) -> Action {
    match step {
        Step::Save { .. } | Step::SaveValues { .. } | Step::Fill { .. } | Step::Touch => {
            Action::Save
        }
        Step::Submit { .. } => Action::Submit,
        Step::Review { accept: true, .. } => Action::Accept,
        Step::Review { accept: false, .. } => Action::Return,
        Step::Reopen { action, .. } => *action,
    }
}

/// Content problems as the edge reports them (by cell).
fn cell_problems(problems: Vec<report::CellProblem>) -> AppError {
    AppError::DocumentRejected(as_problems(problems))
}

fn as_problems(problems: Vec<report::CellProblem>) -> Vec<Problem> {
    problems
        .into_iter()
        .map(|p| Problem {
            path: p.cell,
            message: p.message,
        })
        .collect()
}

/// A refused typing with, in the same answer, the rules that fail on what
/// could be read (one pass of checks, not two rounds).
fn refused_with_rules(
    problems: Vec<report::CellProblem>,
    typed: &Content,
    version: &RegimeVersion,
    meta: &Metadata,
) -> AppError {
    let rules = report::validate_readable(typed, version, meta);
    let mut all = as_problems(problems);
    all.extend(rule_problems(&rules));
    AppError::DocumentRejected(all)
}

/// Plans `step` on report `r` as read at `at`. Pure: the same inputs give the
/// same change.
pub fn plan(
    meta: &Metadata,
    principal: &Principal,
    r: &StoredReport,
    step: &Step,
    at: i64,
) -> AppResult<Planned> {
    if !permitted(principal, r, step) {
        return Err(AppError::Forbidden);
    }
    if matches!(step, Step::Review { .. }) && decides_on_own_unit(principal, r.unit_id) {
        return Err(AppError::Conflict(Message::new("report.error.own_report")));
    }
    let action = action_of(step);
    let status = next_status(r.status, action).map_err(AppError::Conflict)?;
    let by = principal.actor();
    let mut change = unchanged(r, status, at, by);
    let (audit, outcome) = match step {
        Step::Save {
            content,
            base_revision,
        } => {
            if base_revision.is_some_and(|b| b != r.revision) {
                return Err(AppError::Conflict(Message::new(
                    "report.error.edited_elsewhere",
                )));
            }
            let version = version_of(meta, r)?;
            let content = report::normalize(content, version, meta)
                .map_err(|p| refused_with_rules(p, content, version, meta))?;
            save(&mut change, r, content)?
        }
        Step::SaveValues { values } => {
            let stored = decode(&r.draft)?;
            let typed = Content {
                values: values.clone(),
                sections: stored.sections,
                explanations: stored.explanations,
            };
            let content =
                report::normalize(&typed, version_of(meta, r)?, meta).map_err(cell_problems)?;
            save(&mut change, r, content)?
        }
        Step::Fill {
            base_revision,
            content,
            aggregated,
            expected,
            changed,
        } => {
            let audit = AuditEvent::Synthesized {
                report: r.id,
                aggregated: aggregated.clone(),
                expected: *expected,
                changed: changed.clone(),
            };
            fill(&mut change, r, *base_revision, content, audit)?
        }
        Step::Submit { signing } => submit(meta, r, &mut change, at, *signing)?,
        Step::Review { accept, reason } => review(&mut change, r, action, *accept, reason),
        Step::Reopen { action, reason } => reopen(&mut change, r, *action, reason),
        Step::Touch => {
            // The row keeps its content; its revision moves, which is what
            // makes a concurrent submission wait for, or notice, this change.
            change.status = r.status;
            (None, Outcome::Done)
        }
    };
    Ok(Planned {
        change,
        audit,
        actor: crate::ledger::Actor::of(principal),
        outcome,
    })
}

/// The change of report `r` to `status` at `at` by `by` that changes nothing
/// else (yet): what every step starts from, expecting the row as it was read.
fn unchanged(
    r: &StoredReport,
    status: Status,
    at: i64,
    by: Option<baocao_domain::access::UserId>,
) -> ReportChange {
    ReportChange {
        id: r.id,
        expected_status: r.status,
        expected_revision: Some(r.revision),
        status,
        draft: r.draft.clone(),
        version: r.version,
        correction_reason: r.correction_reason.clone(),
        at,
        by,
        new_version: None,
        event: None,
        keep_draft: false,
        freeze_attachments: false,
    }
}

/// Synthesized `content` into the draft ([`Step::Fill`]), if the draft is
/// still at the revision the synthesis started from.
fn fill(
    change: &mut ReportChange,
    r: &StoredReport,
    base_revision: i64,
    content: &Content,
    audit: AuditEvent,
) -> AppResult<(Option<AuditEvent>, Outcome)> {
    if base_revision != r.revision {
        return Err(changed_error());
    }
    change.draft = encode(content)?;
    change.keep_draft = true;
    Ok((
        Some(audit),
        Outcome::Saved {
            content: content.clone(),
            revision: r.revision + 1,
        },
    ))
}

/// An acceptance (`accept`) or a return of the submitted version (`action`),
/// with its note or reason.
fn review(
    change: &mut ReportChange,
    r: &StoredReport,
    action: Action,
    accept: bool,
    reason: &Option<String>,
) -> (Option<AuditEvent>, Outcome) {
    change.correction_reason = None;
    change.event = Some(NewEvent {
        version: r.version,
        action: action.recorded_as(),
        reason: reason.clone(),
    });
    let audit = if accept {
        AuditEvent::Accepted {
            report: r.id,
            version: r.version,
            reason: reason.clone(),
        }
    } else {
        AuditEvent::Returned {
            report: r.id,
            version: r.version,
            reason: reason.clone().unwrap_or_default(),
        }
    };
    (Some(audit), Outcome::Done)
}

/// Back to a draft by the reporting unit ([`Action::Correct`] or
/// [`Action::Recall`]), with why.
fn reopen(
    change: &mut ReportChange,
    r: &StoredReport,
    action: Action,
    reason: &str,
) -> (Option<AuditEvent>, Outcome) {
    change.correction_reason = Some(reason.to_string());
    change.event = Some(NewEvent {
        version: r.version,
        action: action.recorded_as(),
        reason: Some(reason.to_string()),
    });
    let audit = if action == Action::Correct {
        AuditEvent::Corrected {
            report: r.id,
            version: r.version,
            reason: reason.to_string(),
        }
    } else {
        AuditEvent::Recalled {
            report: r.id,
            version: r.version,
            reason: reason.to_string(),
        }
    };
    (Some(audit), Outcome::Done)
}

fn save(
    change: &mut ReportChange,
    r: &StoredReport,
    content: Content,
) -> AppResult<(Option<AuditEvent>, Outcome)> {
    change.draft = encode(&content)?;
    change.keep_draft = true;
    Ok((
        Some(AuditEvent::DraftSaved {
            report: r.id,
            content: content.clone(),
        }),
        Outcome::Saved {
            content,
            revision: r.revision + 1,
        },
    ))
}

fn submit(
    meta: &Metadata,
    r: &StoredReport,
    change: &mut ReportChange,
    at: i64,
    signing: Signing,
) -> AppResult<(Option<AuditEvent>, Outcome)> {
    let content = decode(&r.draft)?;
    if content.values.is_empty() && content.sections.is_empty() {
        return Err(AppError::Conflict(Message::new("report.error.empty")));
    }
    match signing {
        Signing::Verified { revision } if revision != r.revision => {
            return Err(AppError::Conflict(Message::new(
                "signature.refused.draft_changed",
            )))
        }
        Signing::Unsigned if version_of(meta, r)?.signature_required => {
            return Err(AppError::Conflict(Message::new(
                "report.error.signature_required",
            )))
        }
        _ => {}
    }
    let failed = report::validate(&content, version_of(meta, r)?, meta);
    if report::blocks_submission(&failed) {
        return Err(AppError::DocumentRejected(rule_problems(&failed)));
    }
    let on_time = report::on_time(at, r.deadline);
    let number = r.version + 1;
    let reason = r.correction_reason.clone();
    change.version = number;
    change.correction_reason = None;
    change.new_version = Some(NewVersion {
        number,
        reason: reason.clone(),
        on_time,
    });
    change.event = Some(NewEvent {
        version: number,
        action: Action::Submit.recorded_as(),
        reason: reason.clone(),
    });
    change.freeze_attachments = true;
    Ok((
        Some(AuditEvent::Submitted {
            report: r.id,
            version: number,
            on_time,
            reason,
            content,
        }),
        Outcome::Submitted {
            version: number,
            on_time,
        },
    ))
}

/// The row as it is after `planned` applied: what a later step of the same
/// batch plans against.
pub(crate) fn after(r: &StoredReport, planned: &Planned) -> StoredReport {
    let c = &planned.change;
    StoredReport {
        status: c.status,
        draft: c.draft.clone(),
        version: c.version,
        correction_reason: c.correction_reason.clone(),
        updated_at: c.at,
        revision: r.revision + 1,
        ..r.clone()
    }
}

/// Writes planned changes and the ledger entries of those that applied, in
/// `tx`; returns for each whether it applied (its report had not moved on).
pub async fn write_planned(tx: &mut Conn, planned: &[Planned]) -> AppResult<Vec<bool>> {
    let changes: Vec<ReportChange> = planned.iter().map(|p| p.change.clone()).collect();
    let applied = store_reports::apply(tx, &changes).await?;
    let events = planned
        .iter()
        .zip(&applied)
        .filter(|(_, ok)| **ok)
        .filter_map(|(p, _)| p.audit.as_ref().map(|a| (&p.actor, a, p.change.at)));
    crate::ledger::record_many(tx, events).await?;
    Ok(applied)
}

/// The answer to a change that did not apply.
pub(crate) fn changed() -> AppError {
    changed_error()
}

fn changed_error() -> AppError {
    AppError::Conflict(Message::new("report.error.changed"))
}

impl App {
    /// Runs one step on a report in its own transaction at time `at`.
    pub(crate) async fn transition(
        &self,
        principal: &Principal,
        id: ReportId,
        step: Step,
        at: i64,
    ) -> AppResult<Outcome> {
        let meta = self.metadata().await?;
        let mut tx = self.store.begin_write().await?;
        let r = store_reports::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let planned = match plan(&meta, principal, &r, &step, at) {
            Ok(p) => p,
            Err(AppError::Forbidden) => return Err(self.refusal(&mut tx, principal, &r).await?),
            Err(e) => return Err(e),
        };
        if !write_planned(&mut tx, std::slice::from_ref(&planned))
            .await?
            .first()
            .copied()
            .unwrap_or(false)
        {
            return Err(changed());
        }
        baocao_store::commit(tx).await?;
        self.analytics.wake();
        Ok(planned.outcome)
    }

    /// Checks, before queueing a step for group commit, that the caller may
    /// take it: a refusal comes back at once, and with the right answer
    /// (forbidden, or not found for a report the caller may not read).
    async fn precheck(&self, principal: &Principal, id: ReportId, step: &Step) -> AppResult<()> {
        let mut conn = self.store.conn().await?;
        let r = store_reports::get(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if permitted(principal, &r, step) {
            Ok(())
        } else {
            Err(self.refusal(&mut conn, principal, &r).await?)
        }
    }

    /// Runs a submission or review: through group commit when it runs, else alone.
    async fn decide(&self, principal: &Principal, id: ReportId, step: Step) -> AppResult<Outcome> {
        let Some(committer) = &self.committer else {
            return self.transition(principal, id, step, now()).await;
        };
        self.precheck(principal, id, &step).await?;
        let principal = principal.clone();
        let outcome = committer
            .run(
                id,
                std::sync::Arc::new(move |r: &StoredReport, meta: &Metadata, at: i64| {
                    plan(meta, &principal, r, &step, at)
                }),
            )
            .await?;
        self.analytics.wake();
        Ok(outcome)
    }

    /// Saves the working copy. Every save is kept; a returned report becomes a
    /// draft again. Values are checked cell by cell against the forms. With
    /// `base_revision` (what the caller's copy was made from), a save made by
    /// someone else in between is not overwritten: the caller is told.
    pub async fn save_report(
        &self,
        principal: &Principal,
        id: ReportId,
        content: &Content,
        base_revision: Option<i64>,
    ) -> AppResult<(Content, i64)> {
        let step = Step::Save {
            content: content.clone(),
            base_revision,
        };
        match self.transition(principal, id, step, now()).await? {
            Outcome::Saved { content, revision } => Ok((content, revision)),
            _ => Err(AppError::Internal("save gave no content".into())),
        }
    }

    /// Replaces the draft's values, keeping its narrative and explanations as
    /// stored at that moment (a spreadsheet or CSV upload).
    pub(crate) async fn save_values(
        &self,
        principal: &Principal,
        id: ReportId,
        values: BTreeMap<String, String>,
    ) -> AppResult<Content> {
        match self
            .transition(principal, id, Step::SaveValues { values }, now())
            .await?
        {
            Outcome::Saved { content, .. } => Ok(content),
            _ => Err(AppError::Internal("save gave no content".into())),
        }
    }

    /// Submits the working copy as the next version (unit heads). Returns the
    /// version number and whether it was on time. With group commit on
    /// ([`App::with_group_commit`]), concurrent submissions share one
    /// transaction and one disk sync; each is still all or nothing.
    pub async fn submit_report(
        &self,
        principal: &Principal,
        id: ReportId,
    ) -> AppResult<(i64, bool)> {
        let step = Step::Submit {
            signing: Signing::Unsigned,
        };
        match self.decide(principal, id, step).await? {
            Outcome::Submitted { version, on_time } => Ok((version, on_time)),
            _ => Err(AppError::Internal("submission gave no version".into())),
        }
    }

    /// The receiving unit returns a submitted report with a reason, or accepts it.
    pub async fn review_report(
        &self,
        principal: &Principal,
        id: ReportId,
        accept: bool,
        reason: &str,
    ) -> AppResult<()> {
        let reason = if accept {
            optional_reason(reason)
        } else {
            required_reason(reason).map(Some)
        }
        .map_err(|m| AppError::field("reason", m))?;
        self.decide(principal, id, Step::Review { accept, reason })
            .await?;
        Ok(())
    }

    /// Reopens an accepted report for a correction (with the reason that the
    /// next version will carry); the accepted version stays as it was, and
    /// keeps counting until a newer one is accepted.
    pub async fn correct_report(
        &self,
        principal: &Principal,
        id: ReportId,
        reason: &str,
    ) -> AppResult<()> {
        self.reopen(principal, id, Action::Correct, reason).await
    }

    /// Withdraws a submitted report that the receiving unit has not reviewed
    /// yet (its unit head, with the reason the next version will carry); the
    /// submitted version stays readable, and the first submission still
    /// counts for timeliness.
    pub async fn recall_report(
        &self,
        principal: &Principal,
        id: ReportId,
        reason: &str,
    ) -> AppResult<()> {
        self.reopen(principal, id, Action::Recall, reason).await
    }

    async fn reopen(
        &self,
        principal: &Principal,
        id: ReportId,
        action: Action,
        reason: &str,
    ) -> AppResult<()> {
        let reason = required_reason(reason).map_err(|m| AppError::field("reason", m))?;
        self.transition(principal, id, Step::Reopen { action, reason }, now())
            .await?;
        Ok(())
    }
}

/// Failed rules that block a submission, as problems with their paths.
pub fn rule_problems(failed: &[report::RuleResult]) -> Vec<Problem> {
    failed
        .iter()
        .filter(|r| r.severity == Severity::Error || !r.explained)
        .map(|r| Problem {
            path: r.code.clone(),
            message: rule_message(r),
        })
        .collect()
}

/// The message of a failed rule in the catalogue's words, with the author's text.
pub fn rule_message(r: &report::RuleResult) -> Message {
    if r.required {
        return Message::new("report.error.required_cell").arg("value", r.cells.join(", "));
    }
    if let Some(parts) = &r.parts {
        let key = if parts.sum > parts.total {
            "report.error.parts_exceed_total"
        } else {
            "report.error.parts_differ_from_total"
        };
        return Message::new(key)
            .arg("total_cell", r.cells.first().cloned().unwrap_or_default())
            .arg("sum", parts.sum.normalize().to_string())
            .arg("total", parts.total.normalize().to_string());
    }
    let en = if r.message_en.is_empty() {
        &r.message_vi
    } else {
        &r.message_en
    };
    let key = match r.severity {
        Severity::Error => "report.error.rule_failed",
        Severity::Warning => "report.error.warning_unexplained",
    };
    Message::new(key)
        .arg("code", &r.code)
        .arg("text_vi", &r.message_vi)
        .arg("text_en", en)
}

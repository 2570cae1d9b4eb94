//! Recording reports of the past: for the demo, and for migrating the records
//! of a previous reporting system, submissions and reviews are entered with
//! their historical time. Only the command line's operator (the system
//! principal, never an HTTP caller) may do it; every entry still goes through
//! the workflow's rules and into the audit ledger, marked as recorded history.

use baocao_domain::access::{Principal, UserId};
use baocao_domain::report::{optional_reason, ReportId};
use baocao_domain::Message;

use crate::reports::workflow::{Outcome, Step};
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
        match self.transition(acting, id, Step::Submit, at).await? {
            Outcome::Submitted { version, on_time } => Ok((version, on_time)),
            _ => Err(AppError::Internal("submission gave no version".into())),
        }
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

//! Reports (báo cáo): the workflow state machine, the content of a report
//! (values per cell and narrative sections), how typed values are read and
//! checked against the regime version's forms, and timeliness.
//!
//! A report is one regime × one reporting unit × one period. Submitting freezes
//! the draft as a numbered version; a submitted or accepted report is never
//! edited in place: the receiving unit returns it (with a reason) or accepts it,
//! and a correction after acceptance reopens it as a draft with a mandatory
//! reason, to be submitted as the next version.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::message::Message;

/// Database identity of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReportId(i64);

impl ReportId {
    /// The report with this database identity.
    pub const fn new(id: i64) -> Self {
        ReportId(id)
    }

    /// The database identity.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for ReportId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Longest reason of a return, an acceptance, a correction or a recall, in characters.
pub const MAX_REASON_CHARS: usize = 2_000;

/// A reason that must be given (return, correction, recall): trimmed, not
/// empty, at most [`MAX_REASON_CHARS`].
pub fn required_reason(reason: &str) -> Result<String, Message> {
    match optional_reason(reason)? {
        Some(r) => Ok(r),
        None => Err(Message::new("report.error.reason_required")),
    }
}

/// A reason that may be given (acceptance): `None` when blank, refused past
/// [`MAX_REASON_CHARS`].
pub fn optional_reason(reason: &str) -> Result<Option<String>, Message> {
    let reason = reason.trim();
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Message::new("report.error.too_long").arg("max", MAX_REASON_CHARS));
    }
    Ok(Some(reason.to_string()).filter(|r| !r.is_empty()))
}

/// Where a report is in its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being prepared by the reporting unit (dự thảo).
    Draft,
    /// Sent; values frozen (đã gửi).
    Submitted,
    /// Sent back by the receiving unit with a reason (trả lại).
    Returned,
    /// Accepted by the receiving unit (đã tiếp nhận).
    Accepted,
}

impl Status {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Returned => "returned",
            Status::Accepted => "accepted",
        }
    }

    /// Reads the stored text.
    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "draft" => Some(Status::Draft),
            "submitted" => Some(Status::Submitted),
            "returned" => Some(Status::Returned),
            "accepted" => Some(Status::Accepted),
            _ => None,
        }
    }

    /// The catalogue key of its name.
    pub fn key(self) -> &'static str {
        match self {
            Status::Draft => "report.status.draft",
            Status::Submitted => "report.status.submitted",
            Status::Returned => "report.status.returned",
            Status::Accepted => "report.status.accepted",
        }
    }

    /// Whether the reporting unit may change the values.
    pub fn editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned)
    }
}

/// A workflow step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Save the draft.
    Save,
    /// Submit the draft as the next version.
    Submit,
    /// The receiving unit sends it back.
    Return,
    /// The receiving unit accepts it.
    Accept,
    /// The reporting unit reopens an accepted report to correct it.
    Correct,
    /// The reporting unit withdraws a submitted report before it is reviewed.
    Recall,
}

impl Action {
    /// The ledger's action for the step (its entries and the workflow's
    /// events are named by it).
    pub fn recorded_as(self) -> crate::audit::Action {
        use crate::audit::Action as Recorded;
        match self {
            Action::Save => Recorded::ReportSave,
            Action::Submit => Recorded::ReportSubmit,
            Action::Return => Recorded::ReportReturn,
            Action::Accept => Recorded::ReportAccept,
            Action::Correct => Recorded::ReportCorrect,
            Action::Recall => Recorded::ReportRecall,
        }
    }

    /// The ledger action name.
    pub fn as_str(self) -> &'static str {
        self.recorded_as().as_str()
    }
}

/// The status after `action`, or why the action is refused in `status`.
pub fn next_status(status: Status, action: Action) -> Result<Status, Message> {
    use Action as A;
    use Status as S;
    match (status, action) {
        (S::Draft | S::Returned, A::Save) => Ok(S::Draft),
        (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
        (S::Submitted, A::Return) => Ok(S::Returned),
        (S::Submitted, A::Accept) => Ok(S::Accepted),
        (S::Accepted, A::Correct) => Ok(S::Draft),
        (S::Submitted, A::Recall) => Ok(S::Draft),
        (S::Submitted | S::Accepted, A::Save) => Err(Message::new("report.error.frozen")),
        (S::Submitted | S::Accepted, A::Submit) => {
            Err(Message::new("report.error.already_submitted"))
        }
        (S::Draft | S::Returned | S::Accepted, A::Return | A::Accept) => {
            Err(Message::new("report.error.not_submitted"))
        }
        (S::Draft | S::Returned | S::Submitted, A::Correct) => {
            Err(Message::new("report.error.not_accepted"))
        }
        (S::Draft | S::Returned | S::Accepted, A::Recall) => {
            Err(Message::new("report.error.not_recallable"))
        }
    }
}

/// The content of a report: a value per cell and text per outline section.
///
/// A cell is an indicator code, or `CODE/dimension:option` for one option of a
/// disaggregation (`LD01/sex:female`). Values are canonical text: a decimal with
/// `.` (`12345.67`), `yes`/`no`, or free text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// Values by cell.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// Narrative text by outline section number.
    #[serde(default)]
    pub sections: BTreeMap<String, String>,
    /// Written explanations of failed warnings, by rule code.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub explanations: BTreeMap<String, String>,
}

/// The formula identifier of a cell: `LD01/sex:female` → `LD01.sex.female`.
pub fn cell_identifier(cell: &str) -> String {
    cell.replace(['/', ':'], ".")
}

/// The outcome of one rule, or of one required cell, on a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleResult {
    /// The rule's code, or `required:CELL`.
    pub code: String,
    /// Error or warning.
    pub severity: crate::catalogue::Severity,
    /// A required cell left empty (the messages are then the catalogue's
    /// `report.error.required_cell`, not the author's).
    pub required: bool,
    /// The author's message, Vietnamese.
    pub message_vi: String,
    /// English message.
    pub message_en: String,
    /// The cells the rule reads.
    pub cells: Vec<String>,
    /// Whether a failed warning has a written explanation.
    pub explained: bool,
    /// For a total and its parts that do not fit (the messages are then the
    /// catalogue's): the total and the parts' sum.
    pub parts: Option<Parts>,
}

/// A total and the sum of its parts (one disaggregation's options).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parts {
    /// The total.
    pub total: Decimal,
    /// The sum of the parts given.
    pub sum: Decimal,
}

mod columns;
mod validation;

pub use columns::*;
pub use validation::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Metadata;
    use chrono::{DateTime, NaiveDate};

    #[test]
    fn the_workflow() {
        use Action::*;
        use Status::*;
        assert_eq!(next_status(Draft, Save), Ok(Draft));
        assert_eq!(next_status(Draft, Submit), Ok(Submitted));
        assert_eq!(next_status(Submitted, Return), Ok(Returned));
        assert_eq!(next_status(Returned, Save), Ok(Draft));
        assert_eq!(next_status(Returned, Submit), Ok(Submitted));
        assert_eq!(next_status(Submitted, Accept), Ok(Accepted));
        assert_eq!(next_status(Accepted, Correct), Ok(Draft));
        assert_eq!(
            next_status(Submitted, Save).unwrap_err().key,
            "report.error.frozen"
        );
        assert_eq!(
            next_status(Accepted, Save).unwrap_err().key,
            "report.error.frozen"
        );
        assert_eq!(
            next_status(Submitted, Submit).unwrap_err().key,
            "report.error.already_submitted"
        );
        assert_eq!(
            next_status(Draft, Accept).unwrap_err().key,
            "report.error.not_submitted"
        );
        assert_eq!(
            next_status(Accepted, Return).unwrap_err().key,
            "report.error.not_submitted"
        );
        assert_eq!(
            next_status(Submitted, Correct).unwrap_err().key,
            "report.error.not_accepted"
        );
        // A recall takes back a submission not yet reviewed, nothing else.
        assert_eq!(next_status(Submitted, Recall), Ok(Draft));
        for s in [Draft, Returned, Accepted] {
            assert_eq!(
                next_status(s, Recall).unwrap_err().key,
                "report.error.not_recallable"
            );
        }
        for s in [Draft, Submitted, Returned, Accepted] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn columns_last_year_year_to_date_target_and_formula() {
        let meta: Metadata = serde_json::from_value(serde_json::json!({
            "format": "baocao-metadata/1",
            "indicators": [{"code": "A", "name_vi": "A", "name_en": "", "measure_vi": "người", "measure_en": "",
                "value_type": "integer", "over_units": "sum", "over_time": "sum"}]
        }))
        .unwrap();
        let form: crate::catalogue::NumericForm = serde_json::from_value(serde_json::json!({
            "code": "B", "title_vi": "B", "title_en": "",
            "columns": [
                {"code": "C1", "title_vi": "Kỳ này", "title_en": "", "source": "current"},
                {"code": "C2", "title_vi": "Cùng kỳ", "title_en": "", "source": "same_period_last_year"},
                {"code": "C3", "title_vi": "Lũy kế", "title_en": "", "source": "year_to_date"},
                {"code": "C4", "title_vi": "Kế hoạch", "title_en": "", "source": "target"},
                {"code": "C5", "title_vi": "So cùng kỳ", "title_en": "", "source": {"formula": "100 * C1 / C2"}}],
            "rows": [{"indicator": "A"}]
        }))
        .unwrap();
        let c = |v: &str| Content {
            values: [("A".to_string(), v.to_string())].into_iter().collect(),
            ..Default::default()
        };
        let (now, last_year, jan, feb) = (c("120"), c("100"), c("90"), c("110"));
        let ctx = ColumnContext {
            last_year: Some(&last_year),
            earlier_this_year: vec![&jan, &feb],
            targets: [("A".to_string(), Decimal::from(1500))]
                .into_iter()
                .collect(),
            formulas: None,
        };
        let got: Vec<String> = column_values(&meta, &form, "A", &now, &ctx)
            .into_iter()
            .map(|v| v.map(|d| d.normalize().to_string()).unwrap_or_default())
            .collect();
        assert_eq!(got, vec!["120", "100", "320", "1500", "120"]);
        let alone = column_values(&meta, &form, "A", &now, &ColumnContext::default());
        assert_eq!(alone[1], None, "no report last year: nothing, not zero");
        assert_eq!(alone[4], None);
    }

    #[test]
    fn on_time_is_judged_in_vietnam_time() {
        let deadline = NaiveDate::from_ymd_opt(2026, 2, 24).unwrap();
        // 24/02/2026 23:30 +07:00 = 16:30 UTC: on time.
        let late_evening = DateTime::parse_from_rfc3339("2026-02-24T23:30:00+07:00").unwrap();
        assert!(on_time(late_evening.timestamp(), deadline));
        // 25/02/2026 00:10 +07:00 is still the 24th in UTC, but late in Vietnam.
        let after_midnight = DateTime::parse_from_rfc3339("2026-02-25T00:10:00+07:00").unwrap();
        assert!(!on_time(after_midnight.timestamp(), deadline));
    }
}

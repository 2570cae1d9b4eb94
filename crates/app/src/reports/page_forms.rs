//! The report page's forms, each one call: save the draft, upload a filled
//! template, synthesize, and the workflow buttons. A refused save or upload
//! comes back with the page's read model ([`ReportScreen`]) to show what was
//! typed over the report as it now stands; a synthesis with the page after it.

use baocao_domain::access::Principal;
use baocao_domain::message::Message;
use baocao_domain::report::{Content, ReportId};

use super::screen::{ReportScreen, ScreenAfter};
use super::SynthesisView;
use crate::forms::{or_again, FormOutcome};
use crate::{App, AppError, AppResult};

/// A workflow button of the report page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStep {
    /// Submit, once the unit head ticked the confirmation.
    Submit {
        /// Whether the confirmation was ticked.
        confirmed: bool,
    },
    /// Return, with a reason.
    Return(String),
    /// Accept, with an optional note.
    Accept(String),
    /// Reopen for a correction, with a reason.
    Correct(String),
    /// Withdraw the submission, with a reason.
    Recall(String),
}

impl PageStep {
    /// The step a button names (`submit`, `return`, `accept`, `correct`,
    /// `recall`), with the form's reason and confirmation; `None` for any
    /// other name.
    pub fn named(name: &str, reason: String, confirmed: bool) -> Option<PageStep> {
        Some(match name {
            "submit" => PageStep::Submit { confirmed },
            "return" => PageStep::Return(reason),
            "accept" => PageStep::Accept(reason),
            "correct" => PageStep::Correct(reason),
            "recall" => PageStep::Recall(reason),
            _ => return None,
        })
    }
}

impl App {
    /// Saves the draft as the page posted it (from revision `base`); refused
    /// (values the forms refuse, or someone saved in between), the page's
    /// read model to show it again.
    pub async fn save_from_page(
        &self,
        principal: &Principal,
        id: ReportId,
        content: &Content,
        base: Option<i64>,
    ) -> AppResult<FormOutcome<(), ReportScreen>> {
        let saved = self.save_report(principal, id, content, base).await;
        let screen = || self.report_screen(principal, id, ScreenAfter::Reading);
        or_again(saved.map(|_| ()), screen).await
    }

    /// Fills the draft from a filled template; refused, the page's read model
    /// to show why.
    pub async fn upload_from_page(
        &self,
        principal: &Principal,
        id: ReportId,
        bytes: Vec<u8>,
    ) -> AppResult<FormOutcome<(), ReportScreen>> {
        let uploaded = self.upload_report(principal, id, bytes).await;
        let screen = || self.report_screen(principal, id, ScreenAfter::Reading);
        or_again(uploaded.map(|_| ()), screen).await
    }

    /// Submits the draft with a signature file (a `.p7s` or the signed
    /// official PDF); refused, the page's read model to say why over it.
    pub async fn submit_signed_from_page(
        &self,
        principal: &Principal,
        id: ReportId,
        file: Vec<u8>,
    ) -> AppResult<FormOutcome<(), ReportScreen>> {
        let done = self.submit_signed(principal, id, file).await;
        let screen = || self.report_screen(principal, id, ScreenAfter::Reading);
        or_again(done.map(|_| ()), screen).await
    }

    /// Adds a signature of submitted version `version`; refused, the page's
    /// read model to say why over it.
    pub async fn sign_version_from_page(
        &self,
        principal: &Principal,
        id: ReportId,
        version: i64,
        file: Vec<u8>,
    ) -> AppResult<FormOutcome<(), ReportScreen>> {
        let done = self.sign_version(principal, id, version, file).await;
        let screen = || self.report_screen(principal, id, ScreenAfter::Reading);
        or_again(done.map(|_| ()), screen).await
    }

    /// Synthesizes the draft from the units below; then the page.
    pub async fn synthesize_from_page(
        &self,
        principal: &Principal,
        id: ReportId,
    ) -> AppResult<(SynthesisView, ReportScreen)> {
        let done = self.synthesize_report(principal, id).await?;
        let screen = self
            .report_screen(principal, id, ScreenAfter::Reading)
            .await?;
        Ok((done, screen))
    }

    /// Takes the workflow step a button of the page asked for.
    pub async fn take_page_step(
        &self,
        principal: &Principal,
        id: ReportId,
        step: PageStep,
    ) -> AppResult<()> {
        match step {
            PageStep::Submit { confirmed: false } => Err(AppError::field(
                "confirm",
                Message::new("report.error.confirm_submit"),
            )),
            PageStep::Submit { confirmed: true } => {
                self.submit_report(principal, id).await.map(|_| ())
            }
            PageStep::Return(reason) => self.review_report(principal, id, false, &reason).await,
            PageStep::Accept(reason) => self.review_report(principal, id, true, &reason).await,
            PageStep::Correct(reason) => self.correct_report(principal, id, &reason).await,
            PageStep::Recall(reason) => self.recall_report(principal, id, &reason).await,
        }
    }
}

//! The catalogue pages' read models and forms, each one call: the indicator
//! list and an indicator's history, a regime's page and its editor, the
//! editor's and the request form's saves (a refusal comes with the screen to
//! show the form again), and a catalogue document sent to the API.

use std::sync::Arc;

use baocao_domain::access::Principal;
use baocao_domain::catalogue::{Indicator, Metadata, Problem, Regime, RegimeVersion, Request};
use baocao_domain::message::Message;
use baocao_domain::unit::OrgUnit;

use super::{ApplySummary, IndicatorVersion};
use crate::forms::{or_again, FormOutcome};
use crate::{today, App, AppError, AppResult};

/// The indicator list.
#[derive(Debug, Clone)]
pub struct IndicatorsScreen {
    /// The indicators found.
    pub found: Vec<Indicator>,
    /// The catalogue (fields, disaggregations).
    pub meta: Arc<Metadata>,
}

/// An indicator's page.
#[derive(Debug, Clone)]
pub struct IndicatorScreen {
    /// Every version, oldest first.
    pub history: Vec<IndicatorVersion>,
    /// The catalogue.
    pub meta: Arc<Metadata>,
}

/// A regime's page: the catalogue and the receiving unit of the version
/// shown, by its name.
#[derive(Debug, Clone)]
pub struct RegimeScreen {
    /// The catalogue.
    pub meta: Arc<Metadata>,
    /// The receiving unit the version names, in force today.
    pub receiver: Option<OrgUnit>,
}

/// The regime editor: the levels units may be selected by, the catalogue
/// (indicators to choose from) and the regime being edited.
#[derive(Debug, Clone)]
pub struct EditorScreen {
    /// Level codes, from the top.
    pub levels: Vec<String>,
    /// The catalogue.
    pub meta: Arc<Metadata>,
    /// The regime edited (none for a new one).
    pub regime: Option<Regime>,
}

/// What the regime editor posted.
#[derive(Debug, Clone)]
pub enum EditorPost {
    /// A row button (add, move, remove): the form is shown again.
    Rearranged,
    /// The save button: the version as read from the fields, or the
    /// problems found reading them.
    Save(Result<Box<RegimeVersion>, Vec<Problem>>),
}

/// What came of an editor's post.
#[derive(Debug)]
pub enum EditorOutcome {
    /// The version was saved.
    Saved,
    /// The editor again, with the problems to show (none after a row button).
    Shown {
        /// The editor's read model.
        screen: EditorScreen,
        /// What was refused.
        problems: Vec<Problem>,
    },
}

/// What a catalogue document sent to the API holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogueDocument {
    /// A whole metadata document.
    Whole,
    /// One indicator, whose code the address names.
    Indicator(String),
    /// One regime with all its versions.
    Regime(String),
    /// One thematic or ad-hoc request.
    Request(String),
}

/// The code in the address and the one in the document must agree.
fn same_code(path: &str, body: &str) -> AppResult<()> {
    if path == body {
        Ok(())
    } else {
        Err(AppError::field(
            "code",
            Message::new("catalogue.code_mismatch")
                .arg("value", body)
                .arg("expected", path),
        ))
    }
}

impl App {
    /// Reads a catalogue document sent to the API (once the caller may
    /// change the catalogue somewhere, off the async workers) and applies it.
    pub async fn apply_document(
        &self,
        principal: &Principal,
        kind: CatalogueDocument,
        bytes: Vec<u8>,
    ) -> AppResult<ApplySummary> {
        let mut doc = Metadata::empty();
        match &kind {
            CatalogueDocument::Whole => doc = self.read_document(principal, bytes).await?,
            CatalogueDocument::Indicator(code) => {
                let i: Indicator = self.read_document(principal, bytes).await?;
                same_code(code, &i.code)?;
                doc.indicators.push(i);
            }
            CatalogueDocument::Regime(code) => {
                let r: Regime = self.read_document(principal, bytes).await?;
                same_code(code, &r.code)?;
                doc.regimes.push(r);
            }
            CatalogueDocument::Request(code) => {
                let r: Request = self.read_document(principal, bytes).await?;
                same_code(code, &r.code)?;
                doc.requests.push(r);
            }
        }
        self.apply_metadata(principal, &doc).await
    }

    /// The indicator list: those whose code or name contains `query`,
    /// optionally of one field.
    pub async fn indicators_screen(
        &self,
        query: &str,
        field: Option<&str>,
    ) -> AppResult<IndicatorsScreen> {
        Ok(IndicatorsScreen {
            found: self.search_indicators(query, field).await?,
            meta: self.metadata().await?,
        })
    }

    /// An indicator's page.
    pub async fn indicator_screen(&self, code: &str) -> AppResult<IndicatorScreen> {
        Ok(IndicatorScreen {
            history: self.indicator_history(code).await?,
            meta: self.metadata().await?,
        })
    }

    /// A regime's page, for version `version` (the newest when none).
    pub async fn regime_screen(
        &self,
        code: &str,
        version: Option<usize>,
    ) -> AppResult<RegimeScreen> {
        let meta = self.metadata().await?;
        let regime = meta.regime(code).ok_or(AppError::NotFound)?;
        let v = regime
            .version(version.unwrap_or(regime.versions.len()))
            .ok_or(AppError::NotFound)?;
        // The receiving unit by its name (the regime names it by code; its
        // name is part of the regime, whoever reads it).
        let receiver = self
            .search_units(
                &crate::auth::system_principal(),
                None,
                Some(&v.receiving_unit),
                None,
                Some(today()),
                5,
            )
            .await?
            .into_iter()
            .find(|u| u.code.as_str() == v.receiving_unit);
        Ok(RegimeScreen { meta, receiver })
    }

    /// The regime editor, for regime `code` (none: a new one).
    pub async fn editor_screen(&self, code: Option<&str>) -> AppResult<EditorScreen> {
        let levels = self.level_codes().await?;
        let meta = self.metadata().await?;
        let regime = match code {
            Some(code) => Some(meta.regime(code).cloned().ok_or(AppError::NotFound)?),
            None => None,
        };
        Ok(EditorScreen {
            levels,
            meta,
            regime,
        })
    }

    /// What the regime editor posted: its rows rearranged (shown again,
    /// nothing saved), or a version to save into regime `code` (a new regime
    /// when `is_new`, refused if the code is taken) — the version replaces
    /// the one starting the same period or is added, merged with the regime
    /// as it is stored at that moment. Refused, the editor again with the
    /// problems.
    pub async fn post_regime_editor(
        &self,
        principal: &Principal,
        code: &str,
        post: EditorPost,
        is_new: bool,
    ) -> AppResult<EditorOutcome> {
        let version = match post {
            EditorPost::Rearranged => {
                return Ok(EditorOutcome::Shown {
                    screen: self.editor_screen(None).await?,
                    problems: Vec::new(),
                })
            }
            EditorPost::Save(Err(problems)) => {
                return Ok(EditorOutcome::Shown {
                    screen: self.editor_screen(None).await?,
                    problems,
                })
            }
            EditorPost::Save(Ok(v)) => *v,
        };
        let saved = self
            .apply_built(principal, |stored| {
                let existing = stored.regime(code).cloned();
                if is_new && existing.is_some() {
                    return Err(AppError::DocumentRejected(vec![Problem {
                        path: "code".into(),
                        message: Message::new("regime.exists").arg("value", code),
                    }]));
                }
                let mut doc = Metadata::empty();
                doc.regimes
                    .push(Regime::with_version(existing, code, version));
                Ok(doc)
            })
            .await;
        match saved {
            Ok(_) => Ok(EditorOutcome::Saved),
            Err(AppError::DocumentRejected(problems)) => Ok(EditorOutcome::Shown {
                screen: self.editor_screen(None).await?,
                problems,
            }),
            // Someone changed the catalogue meanwhile: the editor again with
            // what was typed, to save once more.
            Err(AppError::Conflict(message)) => Ok(EditorOutcome::Shown {
                screen: self.editor_screen(None).await?,
                problems: vec![Problem {
                    path: String::new(),
                    message,
                }],
            }),
            Err(e) => Err(e),
        }
    }

    /// Issues the request the form describes (or the problems found reading
    /// it); refused, the catalogue to show the form again.
    pub async fn save_request_from_form(
        &self,
        principal: &Principal,
        request: Result<Request, Vec<Problem>>,
    ) -> AppResult<FormOutcome<ApplySummary, Arc<Metadata>>> {
        let saved = match request {
            Ok(request) => {
                let mut doc = Metadata::empty();
                doc.requests.push(request);
                self.apply_metadata(principal, &doc).await
            }
            Err(problems) => Err(AppError::DocumentRejected(problems)),
        };
        or_again(saved, || self.metadata()).await
    }
}

//! Issuing a request for a thematic or ad-hoc report: which regime, who must
//! report, the cut-off window and the deadline.

use askama::Template;
use axum::extract::{Query, State};
use baocao_app::catalogue::may_issue_somewhere;
use baocao_app::i18n::{t, Lang};
use baocao_app::AppError;
use baocao_domain::catalogue::{Metadata, Problem, RegimeKind, Request};
use baocao_domain::Message;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::parts::{may_edit, Choice};
use crate::extract::{ApiResult, Authed, CsrfForm};
use crate::pages::view::{html, in_lang, layout, problem_lines, see_other, PageResult};
use crate::shared::layout::Layout;
use crate::shared::url::url_encode;
use crate::state::AppState;
use baocao_app::forms::FormOutcome;

/// The request form's fields as typed (so that a refused form comes back as it was).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct RequestForm {
    code: String,
    regime: String,
    title_vi: String,
    title_en: String,
    issued_by: String,
    window_first: String,
    window_last: String,
    deadline: String,
    units: String,
}

#[derive(Template)]
#[template(path = "request_edit.html")]
struct RequestPage {
    layout: Layout,
    f: RequestForm,
    regimes: Vec<Choice>,
    problems: Vec<String>,
}

/// The form, with the problems of the last try.
fn request_page(
    authed: &Authed,
    meta: &Metadata,
    form: RequestForm,
    problems: Vec<String>,
) -> PageResult {
    let lang = authed.lang;
    if !may_edit(authed) && !may_issue_somewhere(&authed.caller.principal) {
        return Err(authed.page_error(AppError::Forbidden));
    }
    html(
        RequestPage {
            layout: layout(authed, "/requests/new"),
            regimes: meta
                .regimes
                .iter()
                .filter_map(|r| {
                    let v = r.latest().filter(|v| v.kind != RegimeKind::Periodic)?;
                    Some(Choice {
                        value: r.code.clone(),
                        label: format!("{} — {}", r.code, in_lang(lang, &v.name_vi, &v.name_en)),
                        selected: form.regime == r.code,
                    })
                })
                .collect(),
            f: form,
            problems,
        },
        lang,
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct NewRequestQuery {
    regime: Option<String>,
}

/// A blank form, for the regime of `?regime=` if given.
pub(super) async fn new_request(
    State(state): State<AppState>,
    authed: Authed,
    Query(query): Query<NewRequestQuery>,
) -> PageResult {
    let form = RequestForm {
        regime: query.regime.unwrap_or_default(),
        ..Default::default()
    };
    let meta = state.app.metadata().await.page(&authed)?;
    request_page(&authed, &meta, form, Vec::new())
}

impl RequestForm {
    /// The request the form describes, or a problem per date that is not
    /// one (named by the field's label).
    fn to_request(&self, lang: Lang) -> Result<Request, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut date = |field: &str, text: &str| -> Option<NaiveDate> {
            let parsed = crate::shared::params::parse_date(text);
            if parsed.is_none() {
                problems.push(Problem {
                    path: t(lang, &format!("request_form.{field}")),
                    message: Message::new("request.bad_date").arg("value", text),
                });
            }
            parsed
        };
        let dates = (
            date("window_first", &self.window_first),
            date("window_last", &self.window_last),
            date("deadline", &self.deadline),
        );
        let (Some(window_first), Some(window_last), Some(deadline)) = dates else {
            return Err(problems);
        };
        Ok(Request {
            code: self.code.trim().to_string(),
            regime: self.regime.clone(),
            title_vi: self.title_vi.trim().to_string(),
            title_en: self.title_en.trim().to_string(),
            issued_by: self.issued_by.trim().to_string(),
            window_first,
            window_last,
            deadline,
            units: self
                .units
                .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
        })
    }
}

/// Issues the request; then its regime's calendar for the year of its window.
pub(super) async fn save_request(
    State(state): State<AppState>,
    authed: Authed,
    CsrfForm(form): CsrfForm<RequestForm>,
) -> PageResult {
    let lang = authed.lang;
    let request = form.to_request(lang);
    let year = request
        .as_ref()
        .map(|r| r.window_first.year())
        .unwrap_or_default();
    let outcome = state
        .app
        .save_request_from_form(&authed.caller.principal, request)
        .await
        .page(&authed)?;
    match outcome {
        FormOutcome::Done(_) => see_other(&format!(
            "/regimes/{}/calendar?year={year}",
            url_encode(&form.regime),
        )),
        FormOutcome::Refused {
            error: AppError::DocumentRejected(found),
            screen,
        } => {
            let problems = problem_lines(lang, &found);
            request_page(&authed, &screen, form, problems)
        }
        FormOutcome::Refused { error, .. } => Err(authed.page_error(error)),
    }
}

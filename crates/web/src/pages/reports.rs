//! Report pages: what my units owe and what waits for my review, and a report
//! itself — its forms as an input table (numbers in Vietnamese notation), its
//! outline as text areas, the workflow buttons the caller may use, and every
//! submitted version side by side.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use baocao_app::i18n::{render, t, Lang};
use baocao_app::reports::ReportView;
use baocao_app::AppError;
use baocao_domain::catalogue::{ColumnSource, Metadata, RegimeVersion, ValueType};
use baocao_domain::obligation::Urgency;
use baocao_domain::report::{
    column_values, computed, derived_text, ColumnContext, Content, ReportId,
};
use baocao_domain::unit::UnitId;
use baocao_domain::Message;
use serde::Deserialize;

use super::catalogue::vn_number;
use super::{html, screen_date, Layout};
use crate::error::{Format, RequestProblem, WebError};
use crate::extract::{ApiResult, Authed, PageForm};
use crate::AppState;

/// The report routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(reports_page))
        .route("/notifications", get(notifications_page))
        .route("/reports/open", post(open_report))
        .route("/reports/timeliness", get(timeliness_page))
        .route("/reports/{id}", get(report_page))
        .route("/reports/{id}/save", post(save))
        // submit, return, accept, correct (static routes above take precedence).
        .route("/reports/{id}/{step}", post(workflow_step))
        .route("/reports/{id}/synthesize", post(synthesize))
        .route("/reports/{id}/template.xlsx", get(template))
        .route(
            "/reports/{id}/attachments",
            post(attach).layer(axum::extract::DefaultBodyLimit::max(
                crate::api::attachment_limit(),
            )),
        )
        .route("/attachments/{id}", get(download))
        .route(
            "/reports/{id}/upload",
            post(upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::api::baocao_formats_limit(),
            )),
        )
}

fn name<'a>(lang: Lang, vi: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::En && !en.trim().is_empty() {
        en
    } else {
        vi
    }
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&baocao_domain::report::VIETNAM)
        .date_naive()
}

struct OwedRow {
    regime: String,
    regime_name: String,
    period: String,
    unit: i64,
    unit_name: String,
    deadline: String,
    status: String,
    urgency: String,
    urgency_class: &'static str,
    report_id: Option<ReportId>,
}

struct InboxRow {
    id: ReportId,
    regime: String,
    period: String,
    unit_name: String,
    version: i64,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    layout: Layout,
    owed: Vec<OwedRow>,
    inbox: Vec<InboxRow>,
}

async fn reports_page(State(state): State<AppState>, authed: Authed) -> Result<Response, WebError> {
    let lang = authed.lang;
    let principal = &authed.caller.principal;
    let owed = state
        .app
        .obligations(principal, today())
        .await
        .page(&authed)?;
    let inbox = state
        .app
        .review_queue(principal)
        .await
        .page(&authed)?
        .into_iter()
        .map(|r| InboxRow {
            id: r.id,
            regime: r.regime,
            period: r.period.to_string(),
            unit_name: r.unit_name,
            version: r.version,
        })
        .collect();
    html(
        ReportsPage {
            layout: Layout::of(&authed, "/reports"),
            owed: owed
                .iter()
                .map(|o| OwedRow {
                    regime: o.regime.clone(),
                    regime_name: name(lang, &o.regime_name_vi, &o.regime_name_en).to_string(),
                    period: o.period.to_string(),
                    unit: o.unit.get(),
                    unit_name: o.unit_name.clone(),
                    deadline: screen_date(o.deadline),
                    status: o
                        .status
                        .map(|s| t(lang, s.key()))
                        .unwrap_or_else(|| t(lang, "report.not_started")),
                    urgency: t(lang, urgency_key(o.urgency)),
                    urgency_class: match o.urgency {
                        Urgency::Returned | Urgency::Overdue => "late",
                        Urgency::DueSoon => "soon",
                        _ => "",
                    },
                    report_id: o.report_id,
                })
                .collect(),
            inbox,
        },
        lang,
    )
}

fn urgency_key(u: Urgency) -> &'static str {
    match u {
        Urgency::Returned => "report.urgency.returned",
        Urgency::Overdue => "report.urgency.overdue",
        Urgency::DueSoon => "report.urgency.due_soon",
        Urgency::Upcoming => "report.urgency.upcoming",
        Urgency::Waiting => "report.urgency.waiting",
        Urgency::Done => "report.urgency.done",
    }
}

#[derive(Debug, Deserialize)]
struct OpenForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    regime: String,
    unit: i64,
    period: String,
}

async fn open_report(
    State(state): State<AppState>,
    authed: Authed,
    PageForm(form): PageForm<OpenForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&form.csrf)?;
    let view = state
        .app
        .open_report(
            &authed.caller.principal,
            &form.regime,
            UnitId::new(form.unit),
            &form.period,
        )
        .await
        .page(&authed)?;
    Ok(Redirect::to(&format!("/reports/{}", view.id)).into_response())
}

/// One row of a form as shown: the indicator (or an option of it) and a cell
/// per column.
struct RowView {
    label: String,
    code: String,
    measure: String,
    option: bool,
    cells: Vec<CellView>,
}

struct CellView {
    /// Input name (`v:CELL`) when the cell is typed.
    input: Option<String>,
    /// The value shown (Vietnamese notation) or typed.
    value: String,
    /// A problem with what was typed.
    problem: Option<String>,
}

struct FormView {
    title: String,
    columns: Vec<String>,
    rows: Vec<RowView>,
}

struct SectionView {
    number: String,
    title: String,
    guidance: String,
    text: String,
}

struct DiffRow {
    cell: String,
    values: Vec<String>,
    changed: bool,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    layout: Layout,
    id: ReportId,
    revision: i64,
    title: String,
    facts: Vec<(String, String)>,
    status: String,
    editable: bool,
    may_submit: bool,
    may_review: bool,
    may_correct: bool,
    may_recall: bool,
    problems: Vec<String>,
    forms: Vec<FormView>,
    sections: Vec<SectionView>,
    version_heads: Vec<String>,
    diff: Vec<DiffRow>,
    events: Vec<String>,
    synthesis: Option<SynthesisPanel>,
    timeliness_link: String,
    checks: Vec<CheckView>,
    attachments: Vec<(i64, String, String)>,
}

/// A failed check, with its explanation box for warnings.
struct CheckView {
    code: String,
    text: String,
    warning: bool,
    explanation: String,
}

/// The outcome of a synthesis, shown above the form.
/// The panel under the form's heading: a synthesis (what is missing, what
/// changed, who contributed) or a refused upload (its problems).
struct SynthesisPanel {
    summary: String,
    missing_title: String,
    missing: Vec<String>,
    changed: Vec<String>,
    /// Per cell, the units whose figures it adds up.
    contributors: Vec<String>,
}

/// A stored value for display: numbers in Vietnamese notation, text as is.
fn display(value: &str) -> String {
    if baocao_domain::report::parse_number(value).is_some() {
        vn_number(value)
    } else {
        value.to_string()
    }
}

fn shown(value: &str, value_type: ValueType, lang: Lang) -> String {
    match value_type {
        ValueType::Integer | ValueType::Decimal | ValueType::Percentage => vn_number(value),
        ValueType::YesNo => t(
            lang,
            if value == "yes" {
                "regime.yes"
            } else {
                "regime.no"
            },
        ),
        ValueType::Text => value.to_string(),
    }
}

#[allow(clippy::too_many_arguments)]
fn form_views(
    lang: Lang,
    meta: &Metadata,
    version: &RegimeVersion,
    content: &Content,
    typed: Option<&BTreeMap<String, String>>,
    problems: &BTreeMap<String, String>,
    editable: bool,
    ctx: &ColumnContext<'_>,
) -> Vec<FormView> {
    let values = computed(content, meta);
    let mut forms = Vec::new();
    for form in &version.forms {
        let mut rows = Vec::new();
        for row in &form.rows {
            let Some(indicator) = meta.indicator(&row.indicator) else {
                continue;
            };
            let mut cells_of_row = vec![(indicator.code.clone(), String::new(), false)];
            if row.breakdown {
                for dim in &indicator.disaggregations {
                    if let Some(d) = meta.disaggregation(dim) {
                        for o in &d.options {
                            cells_of_row.push((
                                format!("{}/{}:{}", indicator.code, dim, o.code),
                                name(lang, &o.name_vi, &o.name_en).to_string(),
                                true,
                            ));
                        }
                    }
                }
            }
            for (cell, option_label, option) in cells_of_row {
                let derived = column_values(meta, form, &cell, content, ctx);
                let cells = form
                    .columns
                    .iter()
                    .zip(derived)
                    .map(|(c, derived)| match &c.source {
                        ColumnSource::Current if indicator.formula.is_none() => {
                            let stored = content
                                .values
                                .get(&cell)
                                .map(|v| shown(v, indicator.value_type, lang));
                            let value = typed
                                .and_then(|t| t.get(&cell).cloned())
                                .or(stored)
                                .unwrap_or_default();
                            CellView {
                                input: editable.then(|| format!("v:{cell}")),
                                value,
                                problem: problems.get(&cell).cloned(),
                            }
                        }
                        ColumnSource::Current if !option => CellView {
                            input: None,
                            value: values
                                .get(&indicator.code)
                                .map(|d| vn_number(&d.to_string()))
                                .unwrap_or_default(),
                            problem: None,
                        },
                        _ => CellView {
                            input: None,
                            value: derived
                                .map(|d| vn_number(&derived_text(d)))
                                .unwrap_or_default(),
                            problem: None,
                        },
                    })
                    .collect();
                rows.push(RowView {
                    label: if option {
                        option_label
                    } else {
                        name(lang, &indicator.name_vi, &indicator.name_en).to_string()
                    },
                    code: if option {
                        String::new()
                    } else {
                        indicator.code.clone()
                    },
                    measure: if option {
                        String::new()
                    } else {
                        name(lang, &indicator.measure_vi, &indicator.measure_en).to_string()
                    },
                    option,
                    cells,
                });
            }
        }
        forms.push(FormView {
            title: format!(
                "{}. {}",
                form.code,
                name(lang, &form.title_vi, &form.title_en)
            ),
            columns: form
                .columns
                .iter()
                .map(|c| name(lang, &c.title_vi, &c.title_en).to_string())
                .collect(),
            rows,
        });
    }
    forms
}

async fn render_report(
    state: &AppState,
    authed: &Authed,
    view: ReportView,
    typed: Option<(BTreeMap<String, String>, BTreeMap<String, String>)>,
    problems: BTreeMap<String, String>,
    synthesis: Option<SynthesisPanel>,
) -> Result<Response, WebError> {
    let lang = authed.lang;
    let (regime, meta) = state.app.report_regime(&view).await.page(authed)?;
    let version = view
        .regime_version
        .checked_sub(1)
        .and_then(|i| regime.versions.get(i))
        .ok_or(AppError::NotFound)
        .page(authed)?;
    let editable = view.may.edit;
    let attachments = state
        .app
        .attachments(&authed.caller.principal, view.id)
        .await
        .page(authed)?
        .into_iter()
        .map(|a| {
            let when = match a.version {
                Some(v) => format!("{} {v}", t(lang, "regime.version")),
                None => t(lang, "report.status.draft"),
            };
            (
                a.id,
                a.name,
                format!("{} KB · {when}", (a.size + 1023) / 1024),
            )
        })
        .collect();
    let mut problems = problems;
    let checks: Vec<CheckView> = view
        .checks
        .iter()
        .map(|c| {
            let text = render(lang, &baocao_app::reports::rule_message(c));
            for cell in &c.cells {
                problems.entry(cell.clone()).or_insert_with(|| text.clone());
            }
            CheckView {
                code: c.code.clone(),
                warning: c.severity == baocao_domain::catalogue::Severity::Warning,
                explanation: view
                    .content
                    .explanations
                    .get(&c.code)
                    .cloned()
                    .unwrap_or_default(),
                text,
            }
        })
        .collect();
    for o in &view.outliers {
        let text = render(
            lang,
            &Message::new("report.outlier")
                .arg("value", vn_number(&o.value.normalize().to_string()))
                .arg("median", vn_number(&o.median.normalize().to_string())),
        );
        problems.entry(o.cell.clone()).or_insert(text);
    }
    let forms = form_views(
        lang,
        &meta,
        version,
        &view.content,
        typed.as_ref().map(|(v, _)| v),
        &problems,
        editable,
        &ColumnContext {
            last_year: view.last_year.as_ref(),
            earlier_this_year: view.earlier_this_year.iter().collect(),
            targets: view.targets.clone(),
        },
    );
    let sections = version
        .outline
        .iter()
        .map(|s| SectionView {
            number: s.number.clone(),
            title: name(lang, &s.title_vi, &s.title_en).to_string(),
            guidance: name(lang, &s.guidance_vi, &s.guidance_en).to_string(),
            text: typed
                .as_ref()
                .and_then(|(_, t)| t.get(&s.number).cloned())
                .or_else(|| view.content.sections.get(&s.number).cloned())
                .unwrap_or_default(),
        })
        .collect();
    // Versions side by side: every cell that any version has, changed ones marked.
    let mut cells: Vec<String> = view
        .versions
        .iter()
        .flat_map(|v| v.content.values.keys().cloned())
        .collect();
    cells.sort();
    cells.dedup();
    let diff = cells
        .into_iter()
        .map(|cell| {
            let values: Vec<String> = view
                .versions
                .iter()
                .map(|v| {
                    v.content
                        .values
                        .get(&cell)
                        .map(|x| display(x))
                        .unwrap_or_default()
                })
                .collect();
            let changed = values.windows(2).any(|w| w[0] != w[1]);
            DiffRow {
                cell,
                values,
                changed,
            }
        })
        .collect();
    let version_heads = view
        .versions
        .iter()
        .map(|v| {
            let when = chrono::DateTime::from_timestamp(v.submitted_at, 0)
                .map(|d| {
                    screen_date(
                        d.with_timezone(&baocao_domain::report::VIETNAM)
                            .date_naive(),
                    )
                })
                .unwrap_or_default();
            let timing = t(
                lang,
                if v.on_time {
                    "report.on_time"
                } else {
                    "report.late"
                },
            );
            format!(
                "{} {} · {when} · {timing}",
                t(lang, "regime.version"),
                v.version
            )
        })
        .collect();
    let events = view
        .events
        .iter()
        .map(|e| {
            let when = chrono::DateTime::from_timestamp(e.at, 0)
                .map(|d| {
                    d.with_timezone(&baocao_domain::report::VIETNAM)
                        .format("%d/%m/%Y %H:%M")
                        .to_string()
                })
                .unwrap_or_default();
            let action = t(
                lang,
                &format!("report.event.{}", e.action.trim_start_matches("report.")),
            );
            let who = e.by.clone().unwrap_or_default();
            match &e.reason {
                Some(r) => format!("{when} · {action} ({}) · {who}: {r}", e.version),
                None => format!("{when} · {action} ({}) · {who}", e.version),
            }
        })
        .collect();
    let mut facts = vec![
        (t(lang, "report.unit"), view.unit_name.clone()),
        (
            t(lang, "report.receiver"),
            if view.unit == view.receiver {
                // The receiving unit's own consolidated report goes to the level above.
                t(lang, "report.consolidated")
            } else {
                view.receiver_name.clone()
            },
        ),
        (t(lang, "regime.period"), view.period.to_string()),
        (t(lang, "regime.deadline"), screen_date(view.deadline)),
        (
            t(lang, "regime.version"),
            format!("{} ({})", view.regime_version, version.from),
        ),
    ];
    if let Some(reason) = &view.correction_reason {
        facts.push((t(lang, "report.correction_reason"), reason.clone()));
    }
    html(
        ReportPage {
            layout: Layout::of(authed, &format!("/reports/{}", view.id)),
            id: view.id,
            revision: view.revision,
            title: name(lang, &version.name_vi, &version.name_en).to_string(),
            facts,
            status: t(lang, view.status.key()),
            editable,
            may_submit: view.may.submit,
            may_review: view.may.review,
            may_correct: view.may.correct,
            may_recall: view.may.recall,
            checks,
            attachments,
            problems: if problems.is_empty() {
                Vec::new()
            } else {
                vec![render(lang, &Message::new("error.invalid"))]
            },
            forms,
            sections,
            version_heads,
            diff,
            events,
            synthesis,
            timeliness_link: format!(
                "/reports/timeliness?regime={}&period={}&unit={}",
                super::url_encode(&view.regime),
                super::url_encode(&view.period.to_string()),
                view.unit.get()
            ),
        },
        lang,
    )
}

async fn report_page(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
) -> Result<Response, WebError> {
    let view = state
        .app
        .report(&authed.caller.principal, id)
        .await
        .page(&authed)?;
    render_report(&state, &authed, view, None, BTreeMap::new(), None).await
}

fn csrf_of(pairs: &[(String, String)]) -> &str {
    pairs
        .iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

async fn save(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    authed.check_csrf(csrf_of(&pairs))?;
    let mut content = Content::default();
    for (k, v) in &pairs {
        if let Some(cell) = k.strip_prefix("v:") {
            content.values.insert(cell.to_string(), v.clone());
        } else if let Some(number) = k.strip_prefix("s:") {
            content.sections.insert(number.to_string(), v.clone());
        } else if let Some(code) = k.strip_prefix("x:") {
            content.explanations.insert(code.to_string(), v.clone());
        }
    }
    let lang = authed.lang;
    let base = pairs
        .iter()
        .find(|(k, _)| k == "revision")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok());
    match state
        .app
        .save_report(&authed.caller.principal, id, &content, base)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{id}?saved=1")).into_response()),
        Err(AppError::Conflict(message)) if message.key == "report.error.edited_elsewhere" => {
            // Someone saved in between: show what this user typed over the
            // current report, with the new revision, to check and save again.
            let view = state
                .app
                .report(&authed.caller.principal, id)
                .await
                .page(&authed)?;
            let panel = SynthesisPanel {
                summary: render(lang, &message),
                missing_title: String::new(),
                missing: Vec::new(),
                changed: Vec::new(),
                contributors: Vec::new(),
            };
            render_report(
                &state,
                &authed,
                view,
                Some((content.values, content.sections)),
                BTreeMap::new(),
                Some(panel),
            )
            .await
        }
        Err(AppError::DocumentRejected(found)) => {
            let problems = found
                .into_iter()
                .map(|p| (p.path, render(lang, &p.message)))
                .collect();
            let view = state
                .app
                .report(&authed.caller.principal, id)
                .await
                .page(&authed)?;
            render_report(
                &state,
                &authed,
                view,
                Some((content.values, content.sections)),
                problems,
                None,
            )
            .await
        }
        Err(e) => Err(authed.page_error(e)),
    }
}

#[derive(Debug, Deserialize)]
struct ReasonForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// One workflow button: `submit`, `return` (with a reason), `accept`,
/// `correct` or `recall` (with a reason); then back to the report.
async fn workflow_step(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, step)): Path<(ReportId, String)>,
    PageForm(form): PageForm<ReasonForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&form.csrf)?;
    let app = &state.app;
    let who = &authed.caller.principal;
    let done = match step.as_str() {
        "submit" => app.submit_report(who, id).await.map(|_| ()),
        "return" => app.review_report(who, id, false, &form.reason).await,
        "accept" => app.review_report(who, id, true, &form.reason).await,
        "correct" => app.correct_report(who, id, &form.reason).await,
        "recall" => app.recall_report(who, id, &form.reason).await,
        _ => Err(AppError::NotFound),
    };
    done.page(&authed)?;
    Ok(Redirect::to(&format!("/reports/{id}")).into_response())
}

async fn synthesize(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    PageForm(form): PageForm<ReasonForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&form.csrf)?;
    let lang = authed.lang;
    let done = state
        .app
        .synthesize_report(&authed.caller.principal, id)
        .await
        .page(&authed)?;
    let missing: Vec<String> = done
        .expected
        .iter()
        .filter(|c| c.status != Some(baocao_domain::report::Status::Accepted))
        .map(|c| {
            let status = c
                .status
                .map(|s| t(lang, s.key()))
                .unwrap_or_else(|| t(lang, "report.not_started"));
            format!("{} — {status}", c.name)
        })
        .collect();
    let panel = SynthesisPanel {
        missing_title: t(lang, "report.synthesis_missing"),
        summary: render(
            lang,
            &Message::new("report.synthesis_summary")
                .arg("aggregated", done.aggregated)
                .arg("expected", done.expected.len()),
        ),
        missing,
        changed: done
            .changed
            .iter()
            .map(|(cell, before, after)| {
                format!(
                    "{cell}: {} → {}",
                    before.as_deref().map(display).unwrap_or_else(|| "—".into()),
                    display(after)
                )
            })
            .collect(),
        contributors: done
            .contributors
            .iter()
            .map(|(cell, units)| format!("{cell} ({}): {}", units.len(), units.join(", ")))
            .collect(),
    };
    let view = state
        .app
        .report(&authed.caller.principal, id)
        .await
        .page(&authed)?;
    render_report(&state, &authed, view, None, BTreeMap::new(), Some(panel)).await
}

#[derive(Debug, Deserialize)]
struct TimelinessQuery {
    regime: String,
    period: String,
    unit: i64,
}

struct TimelinessRowView {
    name: String,
    status: String,
    submitted: String,
    timing: String,
    class: &'static str,
}

#[derive(Template)]
#[template(path = "timeliness.html")]
struct TimelinessPage {
    layout: Layout,
    title: String,
    summary: String,
    rows: Vec<TimelinessRowView>,
}

async fn timeliness_page(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<TimelinessQuery>,
) -> Result<Response, WebError> {
    let lang = authed.lang;
    let tl = state
        .app
        .timeliness(
            &authed.caller.principal,
            &q.regime,
            &q.period,
            UnitId::new(q.unit),
        )
        .await
        .page(&authed)?;
    let rows = tl
        .rows
        .iter()
        .map(|r| TimelinessRowView {
            name: r.name.clone(),
            status: r
                .status
                .map(|s| t(lang, s.key()))
                .unwrap_or_else(|| t(lang, "report.not_started")),
            submitted: r
                .first_submitted_at
                .and_then(|at| chrono::DateTime::from_timestamp(at, 0))
                .map(|d| {
                    d.with_timezone(&baocao_domain::report::VIETNAM)
                        .format("%d/%m/%Y %H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            timing: match r.on_time {
                Some(true) => t(lang, "report.on_time"),
                Some(false) => t(lang, "report.late"),
                None => t(lang, "report.missing"),
            },
            class: match r.on_time {
                Some(true) => "",
                Some(false) => "soon",
                None => "late",
            },
        })
        .collect();
    html(
        TimelinessPage {
            layout: Layout::of(&authed, "/reports/timeliness"),
            title: format!("{} · {} · {}", tl.receiver_name, tl.regime, tl.period),
            summary: render(
                lang,
                &Message::new("report.timeliness_summary")
                    .arg("expected", tl.expected)
                    .arg("on_time", tl.on_time)
                    .arg("late", tl.late)
                    .arg("missing", tl.missing)
                    .arg("deadline", tl.deadline.map(screen_date).unwrap_or_default()),
            ),
            rows,
        },
        lang,
    )
}

async fn template(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
) -> Result<Response, WebError> {
    let (name, bytes) = state
        .app
        .report_template(&authed.caller.principal, id, authed.lang)
        .await
        .page(&authed)?;
    Ok(crate::api::reports::xlsx_response(&name, bytes))
}

/// A filled template sent by the form (multipart: `_csrf` and `file`).
async fn upload(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    form: axum::extract::Multipart,
) -> Result<Response, WebError> {
    let lang = authed.lang;
    let UploadForm { csrf, file, .. } = read_upload_form(&authed, form).await?;
    authed.check_csrf(&csrf)?;
    match state
        .app
        .upload_report(&authed.caller.principal, id, file)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{id}?saved=1")).into_response()),
        Err(AppError::DocumentRejected(found)) => {
            let view = state
                .app
                .report(&authed.caller.principal, id)
                .await
                .page(&authed)?;
            let lines: Vec<String> = found
                .iter()
                .map(|p| format!("{}: {}", p.path, render(lang, &p.message)))
                .collect();
            let panel = SynthesisPanel {
                summary: render(
                    lang,
                    &Message::new("error.document_rejected").arg("count", lines.len()),
                ),
                missing_title: t(lang, "report.upload_problems"),
                missing: lines,
                changed: Vec::new(),
                contributors: Vec::new(),
            };
            render_report(&state, &authed, view, None, BTreeMap::new(), Some(panel)).await
        }
        Err(e) => Err(authed.page_error(e)),
    }
}

/// The fields of an upload form: `_csrf` and `file` (with its name).
struct UploadForm {
    csrf: String,
    name: String,
    file: Vec<u8>,
}

/// Reads an upload form; a body over the route's limit or a broken stream is
/// an error in the user's language, never an empty file.
async fn read_upload_form(
    authed: &Authed,
    mut form: axum::extract::Multipart,
) -> Result<UploadForm, WebError> {
    let problem = |e: axum::extract::multipart::MultipartError| {
        let problem = if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            RequestProblem::TooLarge
        } else {
            RequestProblem::Malformed(e.status(), "multipart/form-data".into())
        };
        WebError::request(problem, authed.lang, Format::Html)
    };
    let mut out = UploadForm {
        csrf: String::new(),
        name: String::new(),
        file: Vec::new(),
    };
    while let Some(field) = form.next_field().await.map_err(problem)? {
        match field.name() {
            Some("_csrf") => out.csrf = field.text().await.map_err(problem)?,
            Some("file") => {
                out.name = field.file_name().unwrap_or_default().to_string();
                out.file = field.bytes().await.map_err(problem)?.to_vec();
            }
            _ => {}
        }
    }
    Ok(out)
}

async fn attach(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    form: axum::extract::Multipart,
) -> Result<Response, WebError> {
    let UploadForm { csrf, name, file } = read_upload_form(&authed, form).await?;
    authed.check_csrf(&csrf)?;
    state
        .app
        .add_attachment(&authed.caller.principal, id, &name, file)
        .await
        .page(&authed)?;
    Ok(Redirect::to(&format!("/reports/{id}")).into_response())
}

async fn download(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (info, bytes) = state
        .app
        .attachment(&authed.caller.principal, id)
        .await
        .page(&authed)?;
    Ok(crate::api::reports::file_response(&info, bytes))
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    items: Vec<(String, String, String)>,
}

async fn notifications_page(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Response, WebError> {
    let lang = authed.lang;
    let list = state
        .app
        .notifications(&authed.caller.principal, today())
        .await
        .page(&authed)?;
    html(
        NotificationsPage {
            layout: Layout::of(&authed, "/notifications"),
            items: list
                .into_iter()
                .map(|n| (n.kind.to_string(), render(lang, &n.message), n.link))
                .collect(),
        },
        lang,
    )
}

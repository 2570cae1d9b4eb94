//! A report's page: its facts, checks, forms as input tables, outline as text
//! areas, attachments, the workflow buttons the caller may use, and its
//! history. Handlers that cannot save show the page again with what the user
//! typed and what was refused laid over the report ([`Overlay`]).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use baocao_app::i18n::{render, t, Lang};
use baocao_app::reports::{AttachmentView, ReportScreen, ReportView, ScreenAfter};
use baocao_app::AppError;
use baocao_domain::catalogue::{RegimeVersion, Severity};
use baocao_domain::number::vn_number;
use baocao_domain::report::{
    self, ColumnContext, Content, IndicatorFormulas, ReportId, RuleResult,
};
use baocao_domain::Message;

use super::history::{self, DiffRow};
use super::table::{CellNote, FormView, Tables};
use crate::extract::{ApiResult, Authed};
use crate::pages::view::{html, in_lang, layout, screen_date, screen_time, PageResult};
use crate::shared::layout::Layout;
use crate::shared::periods::period_name;
use crate::shared::url::url_encode;
use crate::state::AppState;

struct SectionView {
    number: String,
    title: String,
    guidance: String,
    text: String,
}

/// A failed check, with its explanation box for warnings.
struct CheckView {
    code: String,
    text: String,
    warning: bool,
    explanation: String,
}

/// The panel under the form's heading: a synthesis (what is missing, what
/// changed, who contributed), a refused upload (its problems), or a save
/// that met someone else's (a note).
#[derive(Default)]
pub(super) struct Panel {
    pub summary: String,
    pub missing_title: String,
    pub missing: Vec<String>,
    pub changed: Vec<String>,
    /// Per cell, the units whose figures it adds up.
    pub contributors: Vec<String>,
}

/// What the page shows over the stored report.
#[derive(Default)]
pub(super) struct Overlay {
    /// What the user typed: values, sections and explanations.
    pub typed: Option<Content>,
    /// Problems by cell.
    pub problems: BTreeMap<String, String>,
    /// The panel under the heading.
    pub panel: Option<Panel>,
    /// What the user just did, said back (`saved`, `submit`, …).
    pub done: Option<String>,
    /// Compare versions on every line, not only the changed ones.
    pub all_versions: bool,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    layout: Layout,
    notice: Option<String>,
    /// After a decision: the next report waiting for the reviewer.
    next_report: Option<ReportId>,
    returned: Option<String>,
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
    /// Whether the comparison shows every line.
    all_versions: bool,
    /// The submitted versions' numbers (their canonical bytes can be downloaded).
    versions_numbers: Vec<i64>,
    events: Vec<String>,
    synthesis: Option<Panel>,
    timeliness_link: Option<String>,
    has_units_below: bool,
    checks: Vec<CheckView>,
    attachments: Vec<(i64, String, String)>,
    /// Whether a submission must carry a digital signature.
    signature_required: bool,
    /// Whether the caller signs this unit's reports (its heads).
    may_sign: bool,
    signatures: Vec<SignatureRow>,
}

/// A recorded signature as listed.
struct SignatureRow {
    id: i64,
    version: i64,
    signer: String,
    certificate: String,
    signed_at: String,
    algorithms: String,
    kind: String,
}

fn signature_row(lang: Lang, s: baocao_app::signatures::SignatureInfo) -> SignatureRow {
    SignatureRow {
        id: s.id,
        version: s.version,
        signer: s.signer,
        certificate: render(
            lang,
            &Message::new("signature.certificate")
                .arg("serial", s.serial)
                .arg("issuer", s.issuer),
        ),
        signed_at: s
            .signed_at
            .map(screen_time)
            .unwrap_or_else(|| t(lang, "signature.no_time")),
        algorithms: format!("{} · {}", s.digest, s.key),
        kind: t(
            lang,
            if s.kind == "pades" {
                "signature.kind_pades"
            } else {
                "signature.kind_cms"
            },
        ),
    }
}

/// An attachment as listed: id, name, and size with the version it belongs to.
fn attachment_row(lang: Lang, a: AttachmentView) -> (i64, String, String) {
    let when = match a.version {
        Some(v) => format!("{} {v}", t(lang, "regime.version")),
        None => t(lang, "report.status.draft"),
    };
    let size = format!("{} KB · {when}", (a.size + 1023) / 1024);
    (a.id, a.name, size)
}

/// The failed checks, each also marking its cells (unless a cell already has a
/// problem), and the outliers, marking theirs.
fn checks(
    lang: Lang,
    view: &ReportView,
    typed: Option<(&Vec<RuleResult>, &Content)>,
    problems: &mut BTreeMap<String, CellNote>,
) -> Vec<CheckView> {
    let (results, explanations) = match typed {
        Some((results, content)) => (results, &content.explanations),
        None => (&view.checks, &view.content.explanations),
    };
    let checks = results
        .iter()
        .map(|c| {
            let text = render(lang, &baocao_app::reports::rule_message(c));
            let class = if c.severity == Severity::Warning {
                "warning"
            } else {
                "error"
            };
            for cell in &c.cells {
                problems.entry(cell.clone()).or_insert_with(|| CellNote {
                    text: text.clone(),
                    class,
                });
            }
            CheckView {
                code: c.code.clone(),
                warning: c.severity == Severity::Warning,
                explanation: explanations.get(&c.code).cloned().unwrap_or_default(),
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
        problems.entry(o.cell.clone()).or_insert(CellNote {
            text,
            class: "unusual",
        });
    }
    checks
}

/// The outline's sections with what was typed, else what is stored.
fn sections(
    lang: Lang,
    version: &RegimeVersion,
    view: &ReportView,
    typed: Option<&BTreeMap<String, String>>,
) -> Vec<SectionView> {
    version
        .outline
        .iter()
        .map(|s| SectionView {
            number: s.number.clone(),
            title: in_lang(lang, &s.title_vi, &s.title_en).to_string(),
            guidance: in_lang(lang, &s.guidance_vi, &s.guidance_en).to_string(),
            text: typed
                .and_then(|t| t.get(&s.number).cloned())
                .or_else(|| view.content.sections.get(&s.number).cloned())
                .unwrap_or_default(),
        })
        .collect()
}

/// Unit, receiver, period, deadline, regime version and any correction's reason.
fn facts(lang: Lang, view: &ReportView, version: &RegimeVersion) -> Vec<(String, String)> {
    let receiver = if view.unit == view.receiver {
        // The receiving unit's own consolidated report goes to the level above.
        t(lang, "report.consolidated")
    } else {
        view.receiver_name.clone()
    };
    let mut facts = vec![
        (t(lang, "report.unit"), view.unit_name.clone()),
        (t(lang, "report.receiver"), receiver),
        (t(lang, "regime.period"), period_name(lang, &view.period)),
        (t(lang, "regime.deadline"), screen_date(view.deadline)),
        (
            t(lang, "regime.version"),
            format!("{} ({})", view.regime_version, version.from),
        ),
    ];
    if let Some(reason) = &view.correction_reason {
        facts.push((t(lang, "report.correction_reason"), reason.clone()));
    }
    facts
}

/// The timeliness of the units reporting to the report's unit for its regime
/// and period (none for a unit nobody reports to, such as a commune).
fn timeliness_link(view: &ReportView) -> Option<String> {
    if !view.has_units_below {
        return None;
    }
    Some(format!(
        "/reports/timeliness?regime={}&period={}&unit={}",
        url_encode(&view.regime),
        url_encode(&view.period.to_string()),
        view.unit.get()
    ))
}

/// The failed checks, and the note of each cell: what was refused just now,
/// else what a check or an unusual value says of it. A refused typing is
/// checked against the rules too, in the same pass.
fn marked_cells(
    lang: Lang,
    view: &ReportView,
    version: &RegimeVersion,
    meta: &baocao_domain::catalogue::Metadata,
    typed: Option<&Content>,
    refused_cells: BTreeMap<String, String>,
) -> (Vec<CheckView>, BTreeMap<String, CellNote>) {
    let refused = !refused_cells.is_empty();
    let mut problems: BTreeMap<String, CellNote> = refused_cells
        .into_iter()
        .map(|(cell, text)| (cell, CellNote::error(text)))
        .collect();
    let typed_checks = typed
        .filter(|_| refused)
        .map(|c| (report::validate_readable(c, version, meta), c));
    let checks = checks(
        lang,
        view,
        typed_checks.as_ref().map(|(r, c)| (r, *c)),
        &mut problems,
    );
    (checks, problems)
}

/// The report's forms as input tables: what was typed (or is stored) with
/// each cell's problem, beside the columns computed from the unit's history.
fn form_tables(
    lang: Lang,
    meta: &baocao_domain::catalogue::Metadata,
    view: &ReportView,
    version: &RegimeVersion,
    typed: Option<&Content>,
    problems: &BTreeMap<String, CellNote>,
) -> Vec<FormView> {
    let formulas = IndicatorFormulas::of(meta);
    Tables {
        lang,
        meta,
        content: &view.content,
        typed: typed.map(|c| &c.values),
        problems,
        editable: view.may.edit,
        columns: ColumnContext {
            last_year: view.last_year.as_ref(),
            earlier_this_year: view.earlier_this_year.iter().collect(),
            targets: view.targets.clone(),
            formulas: Some(&formulas),
        },
    }
    .forms(&version.forms)
}

/// The report's page, with `overlay` over it.
pub(super) fn render_report(authed: &Authed, screen: ReportScreen, overlay: Overlay) -> PageResult {
    let lang = authed.lang;
    let ReportScreen {
        view,
        meta,
        attachments,
        signatures,
        history: ledger,
        next_waiting: next_report,
        may_sign,
    } = screen;
    let version = meta
        .regime(&view.regime)
        .and_then(|r| r.version(view.regime_version))
        .ok_or(AppError::NotFound)
        .page(authed)?;
    let Overlay {
        typed,
        problems: refused_cells,
        panel,
        done,
        all_versions,
    } = overlay;
    // The banner says "not saved" only for what was refused just now; the
    // rules' findings are listed with the checks, errors apart from warnings.
    let refused = !refused_cells.is_empty();
    let (checks, problems) =
        marked_cells(lang, &view, version, &meta, typed.as_ref(), refused_cells);
    let notice = done.as_deref().and_then(|d| done_notice(lang, d, &view));
    let returned = returned_notice(lang, &view);
    let forms = form_tables(lang, &meta, &view, version, typed.as_ref(), &problems);
    html(
        ReportPage {
            layout: layout(authed, &format!("/reports/{}", view.id)),
            id: view.id,
            revision: view.revision,
            title: in_lang(lang, &version.name_vi, &version.name_en).to_string(),
            facts: facts(lang, &view, version),
            status: t(lang, view.status.key()),
            editable: view.may.edit,
            may_submit: view.may.submit,
            may_review: view.may.review,
            may_correct: view.may.correct,
            may_recall: view.may.recall,
            checks,
            attachments: attachments
                .into_iter()
                .map(|a| attachment_row(lang, a))
                .collect(),
            signature_required: version.signature_required,
            may_sign,
            signatures: signatures
                .into_iter()
                .map(|s| signature_row(lang, s))
                .collect(),
            problems: if refused {
                vec![render(lang, &Message::new("error.invalid"))]
            } else {
                Vec::new()
            },
            notice,
            next_report,
            returned,
            forms,
            sections: sections(lang, version, &view, typed.as_ref().map(|c| &c.sections)),
            version_heads: history::version_heads(lang, &view.versions),
            diff: history::diff(lang, &meta, version, &view.versions, all_versions),
            all_versions,
            versions_numbers: view.versions.iter().map(|v| v.version).collect(),
            events: history::ledger_lines(lang, &ledger),
            synthesis: panel,
            timeliness_link: timeliness_link(&view),
            has_units_below: view.has_units_below,
        },
        lang,
    )
}

/// What a page after an action was told to say (`?done=saved`).
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct DoneQuery {
    done: Option<String>,
    /// `all`: compare versions on every line.
    versions: Option<String>,
}

/// The report as stored, with what was just done said back.
pub(super) async fn report_page(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<ReportId>,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> PageResult {
    let overlay = Overlay {
        done: q.done,
        all_versions: q.versions.as_deref() == Some("all"),
        ..Overlay::default()
    };
    show(&state, &authed, id, overlay).await
}

/// The sentence after an action: "Đã lưu lúc 10:42", or for a submission
/// the receipt — when, and whether on time ("Đã gửi lúc 10:45 ngày
/// 12/11/2026 — đúng hạn").
fn done_notice(lang: Lang, done: &str, view: &ReportView) -> Option<String> {
    let now = baocao_app::now();
    let message = match done {
        "saved" | "uploaded" => Message::new(if done == "saved" {
            "report.done.saved"
        } else {
            "report.done.uploaded"
        })
        .arg("time", screen_clock(now)),
        "submit" => {
            let last = view.versions.last()?;
            Message::new("report.done.submitted")
                .arg("time", screen_clock(last.submitted_at))
                .arg(
                    "date",
                    screen_time(last.submitted_at).get(..10)?.to_string(),
                )
                .arg(
                    "timeliness_key",
                    if last.on_time {
                        "report.on_time"
                    } else {
                        "report.late"
                    },
                )
        }
        "signed" => Message::new("report.done.signed").arg("time", screen_clock(now)),
        "return" => Message::new("report.done.return").arg("time", screen_clock(now)),
        "accept" => Message::new("report.done.accept").arg("time", screen_clock(now)),
        "correct" => Message::new("report.done.correct").arg("time", screen_clock(now)),
        "recall" => Message::new("report.done.recall").arg("time", screen_clock(now)),
        _ => return None,
    };
    Some(render(lang, &message))
}

/// A moment's hh:mm, Vietnam time.
fn screen_clock(at: i64) -> String {
    screen_time(at).get(11..).unwrap_or_default().to_string()
}

/// Why a returned report came back, at the top of its page: who returned it,
/// when, and the reason.
fn returned_notice(lang: Lang, view: &ReportView) -> Option<String> {
    if view.status != baocao_domain::report::Status::Returned {
        return None;
    }
    let event = view
        .events
        .iter()
        .rev()
        .find(|e| e.action == baocao_domain::audit::Action::ReportReturn)?;
    Some(render(
        lang,
        &Message::new("report.returned_because")
            .arg("by", event.by.clone().unwrap_or_default())
            .arg("time", screen_time(event.at))
            .arg("reason", event.reason.clone().unwrap_or_default()),
    ))
}

/// The report `id` read again, with `overlay` over it.
pub(super) async fn show(
    state: &AppState,
    authed: &Authed,
    id: ReportId,
    overlay: Overlay,
) -> PageResult {
    let after = if matches!(overlay.done.as_deref(), Some("accept" | "return")) {
        ScreenAfter::Decision
    } else {
        ScreenAfter::Reading
    };
    let screen = state
        .app
        .report_screen(&authed.caller.principal, id, after)
        .await
        .page(authed)?;
    render_report(authed, screen, overlay)
}

//! What a user's units owe and what waits for their review, opening a report
//! from the list, and the user's notifications.

use askama::Template;
use axum::extract::{Query, State};
use baocao_app::i18n::{render, t, Lang};
use baocao_app::reports::Obligation;
use baocao_domain::obligation::Urgency;
use baocao_domain::report::ReportId;
use baocao_domain::unit::UnitId;
use serde::Deserialize;

use super::inbox::{self, InboxParams, InboxView};
use crate::extract::{ApiResult, Authed, CsrfForm};
use crate::pages::view::{html, in_lang, layout, screen_date, see_other, PageResult};
use crate::shared::layout::Layout;
use crate::shared::periods::period_name;
use crate::state::AppState;

struct OwedRow {
    regime: String,
    regime_name: String,
    period: String,
    period_name: String,
    unit: i64,
    unit_name: String,
    deadline: String,
    status: String,
    urgency: String,
    urgency_class: &'static str,
    report_id: Option<ReportId>,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    layout: Layout,
    owed: Vec<OwedRow>,
    /// The inbox, for those who review reports.
    inbox: Option<InboxView>,
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

fn owed_row(lang: Lang, o: &Obligation) -> OwedRow {
    OwedRow {
        regime: o.regime.clone(),
        regime_name: in_lang(lang, &o.regime_name_vi, &o.regime_name_en).to_string(),
        period: o.period.to_string(),
        period_name: period_name(lang, &o.period),
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
    }
}

/// The reports owed by the caller's units, and the ones waiting for their review.
pub(super) async fn reports_page(
    State(state): State<AppState>,
    authed: Authed,
    Query(params): Query<InboxParams>,
) -> PageResult {
    let lang = authed.lang;
    let screen = state
        .app
        .reports_screen(
            &authed.caller.principal,
            baocao_app::today(),
            params.filter(),
        )
        .await
        .page(&authed)?;
    let inbox = screen
        .inbox
        .map(|(q, found)| inbox::view(lang, &q, found, params.bulk_notice(lang)));
    html(
        ReportsPage {
            layout: layout(&authed, "/reports"),
            owed: screen.owed.iter().map(|o| owed_row(lang, o)).collect(),
            inbox,
        },
        lang,
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct OpenForm {
    regime: String,
    unit: i64,
    period: String,
}

/// Opens (or finds) the report a unit owes for a period; then its page.
pub(super) async fn open_report(
    State(state): State<AppState>,
    authed: Authed,
    CsrfForm(form): CsrfForm<OpenForm>,
) -> PageResult {
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
    see_other(&format!("/reports/{}", view.id))
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    items: Vec<(String, String, String)>,
}

/// Due soon, overdue, returned, accepted, and waiting for review.
pub(super) async fn notifications_page(
    State(state): State<AppState>,
    authed: Authed,
) -> PageResult {
    let lang = authed.lang;
    let list = state
        .app
        .notifications(&authed.caller.principal, baocao_app::today())
        .await
        .page(&authed)?;
    html(
        NotificationsPage {
            layout: layout(&authed, "/notifications"),
            items: list
                .into_iter()
                .map(|n| (n.kind.to_string(), render(lang, &n.message), n.link))
                .collect(),
        },
        lang,
    )
}

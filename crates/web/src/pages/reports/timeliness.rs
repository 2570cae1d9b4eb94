//! Who reported on time for a regime, period and receiving unit.

use askama::Template;
use axum::extract::{Query, State};
use baocao_app::i18n::{render, t, Lang};
use baocao_app::reports::TimelinessRow;
use baocao_domain::unit::UnitId;
use baocao_domain::Message;
use serde::Deserialize;

use crate::extract::{ApiResult, Authed};
use crate::pages::view::{html, layout, screen_date, screen_time, PageResult};
use crate::shared::layout::Layout;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub(super) struct TimelinessQuery {
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

fn row_view(lang: Lang, r: &TimelinessRow) -> TimelinessRowView {
    TimelinessRowView {
        name: r.name.clone(),
        status: r
            .status
            .map(|s| t(lang, s.key()))
            .unwrap_or_else(|| t(lang, "report.not_started")),
        submitted: r.first_submitted_at.map(screen_time).unwrap_or_default(),
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
    }
}

/// Each expected unit: its status, when it first submitted, on time or late.
pub(super) async fn timeliness_page(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<TimelinessQuery>,
) -> PageResult {
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
    let summary = Message::new("report.timeliness_summary")
        .arg("expected", tl.expected)
        .arg("on_time", tl.on_time)
        .arg("late", tl.late)
        .arg("missing", tl.missing)
        .arg("deadline", tl.deadline.map(screen_date).unwrap_or_default());
    html(
        TimelinessPage {
            layout: layout(&authed, "/reports/timeliness"),
            title: format!("{} · {} · {}", tl.receiver_name, tl.regime, tl.period),
            summary: render(lang, &summary),
            rows: tl.rows.iter().map(|r| row_view(lang, r)).collect(),
        },
        lang,
    )
}

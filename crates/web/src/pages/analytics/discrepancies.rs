//! The discrepancy view (`/dashboard/{unit}/discrepancies?period=`): where a
//! unit's official figure, its own accepted report, differs from the figure
//! computed from the units below it — for the unit and every unit under it.

use askama::Template;
use axum::extract::{Path, Query, State};
use baocao_app::analytics::Discrepancies;
use baocao_app::i18n::{render, Lang};
use baocao_domain::period::PeriodId;
use baocao_domain::unit::UnitId;
use baocao_domain::Message;
use chrono::Datelike;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::board::unit_href;
use crate::extract::{ApiResult, Authed};
use crate::pages::view::{html, layout, screen_time, PageResult};
use crate::shared::layout::Layout;
use crate::shared::periods::period_label;
use crate::state::AppState;
use baocao_domain::number::{en_number, vn_number};

#[derive(Debug, Default, Deserialize)]
pub(super) struct PeriodQuery {
    period: Option<String>,
}

struct RowView {
    unit: String,
    unit_href: String,
    cell: String,
    name: String,
    reported: String,
    computed: String,
    difference: String,
    coverage: String,
}

#[derive(Template)]
#[template(path = "discrepancies.html")]
struct DiscrepanciesPage {
    layout: Layout,
    unit: UnitId,
    unit_name: String,
    periods: Vec<(String, String, bool)>,
    as_of: String,
    caption: String,
    rows: Vec<RowView>,
    truncated: bool,
}

/// A stored number in the language's notation, every digit kept.
fn exact(lang: Lang, value: Decimal) -> String {
    let text = value.normalize().to_string();
    match lang {
        Lang::Vi => vn_number(&text),
        Lang::En => en_number(&text),
    }
}

/// The periods offered: the last twelve months, four quarters and two years
/// before today's, the latest first.
fn recent_periods(today: chrono::NaiveDate) -> Vec<PeriodId> {
    let mut out = Vec::new();
    let mut month = PeriodId::month(today.year(), today.month()).ok();
    for _ in 0..12 {
        month = month.and_then(|m| m.previous());
        out.extend(month);
    }
    let mut quarter = PeriodId::quarter(today.year(), (today.month() - 1) / 3 + 1).ok();
    for _ in 0..4 {
        quarter = quarter.and_then(|q| q.previous());
        out.extend(quarter);
    }
    for back in 1..=2 {
        out.extend(PeriodId::year_period(today.year() - back).ok());
    }
    out
}

/// The discrepancies under a unit for a period (last month by default).
pub(super) async fn discrepancies_page(
    State(state): State<AppState>,
    authed: Authed,
    Path(unit): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let lang = authed.lang;
    let recent = recent_periods(baocao_app::today());
    let period = match q.period.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => baocao_app::calendar::parse_period(text).page(&authed)?,
        _ => recent
            .first()
            .copied()
            .ok_or(baocao_app::AppError::NotFound)
            .page(&authed)?,
    };
    let found = state
        .app
        .discrepancies(&authed.caller.principal, UnitId::new(unit), period)
        .await
        .page(&authed)?;
    let mut periods: Vec<(String, String, bool)> = recent
        .iter()
        .map(|p| (p.to_string(), period_label(lang, p), *p == period))
        .collect();
    if !recent.contains(&period) {
        periods.insert(0, (period.to_string(), period_label(lang, &period), true));
    }
    html(page(&authed, &found, periods), lang)
}

fn page(
    authed: &Authed,
    found: &Discrepancies,
    periods: Vec<(String, String, bool)>,
) -> DiscrepanciesPage {
    let lang = authed.lang;
    let rows = found
        .rows
        .iter()
        .map(|r| RowView {
            unit: r.unit.name.clone(),
            unit_href: unit_href(r.unit.id, &r.cell),
            cell: r.cell.clone(),
            name: lang.pick(&r.name_vi, &r.name_en).to_string(),
            reported: exact(lang, r.reported),
            computed: exact(lang, r.computed),
            difference: exact(lang, r.difference),
            coverage: r
                .units
                .map(|c| {
                    render(
                        lang,
                        &Message::new("dashboard.computed_from")
                            .arg("present", c.present)
                            .arg("expected", c.expected),
                    )
                })
                .unwrap_or_default(),
        })
        .collect();
    DiscrepanciesPage {
        layout: layout(
            authed,
            &format!("/dashboard/{}/discrepancies", found.unit.id),
        ),
        unit: found.unit.id,
        unit_name: found.unit.name.clone(),
        periods,
        as_of: render(
            lang,
            &Message::new("dashboard.as_of")
                .arg("time", screen_time(baocao_app::now()))
                .arg("seq", found.as_of),
        ),
        caption: render(
            lang,
            &Message::new("discrepancy.caption")
                .arg("unit", &found.unit.name)
                .arg("period", period_label(lang, &found.period))
                .arg("count", found.rows.len()),
        ),
        rows,
        truncated: found.truncated,
    }
}

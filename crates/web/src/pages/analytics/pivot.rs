//! The pivot explorer (`/analytics`): indicators, units and periods chosen
//! with a plain GET form, so the whole view is in its URL (bookmarked, sent,
//! reloaded); the table, a chart, and the same table as .xlsx or CSV
//! (`/analytics/export.xlsx`, `/analytics/export.csv`, same query).

use askama::Template;
use axum::extract::{Query, State};
use baocao_app::analytics::{
    pivot_csv, pivot_xlsx, reading_name, Dim, Pivot, PivotChoices, PivotFilter, PivotRequest,
};
use baocao_app::i18n::{render, t, Lang};
use baocao_app::AppError;
use baocao_domain::unit::UnitId;

use super::charts::{hbar_chart, period_chart, Chart, HBarChart, HRow, PeriodSeries, SERIES};
use super::format::{float, number, period_short};
use crate::extract::{ApiResult, Authed};
use crate::pages::view::{html, layout, PageResult};
use crate::shared::downloads::{csv_response, xlsx_response};
use crate::shared::layout::Layout;
use crate::shared::url::url_encode;
use crate::state::AppState;

/// Figures a page shows at most (a file may hold up to the use case's bound).
pub const PAGE_FIGURES: usize = 5_000;
/// Series a chart draws at most.
const CHART_SERIES: usize = 8;

fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, v)| k == key && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}

/// The explorer's parameters from the address (blank fields left out).
fn filter(pairs: &[(String, String)]) -> PivotFilter<'_> {
    PivotFilter {
        cells: pairs
            .iter()
            .filter(|(k, v)| k == "i" && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
            .collect(),
        unit: param(pairs, "unit"),
        relation: param(pairs, "rel"),
        from: param(pairs, "from"),
        to: param(pairs, "to"),
        rows: param(pairs, "rows"),
        columns: param(pairs, "cols"),
        reading: param(pairs, "reading"),
    }
}

/// The query string of a request, with `unit` and `relation` replaced when
/// given.
fn query_of(s: &PivotRequest, unit: Option<UnitId>, relation: Option<&str>) -> String {
    let mut q: Vec<String> = s
        .cells
        .iter()
        .map(|c| format!("i={}", url_encode(c)))
        .collect();
    if let Some(u) = unit.or(s.unit) {
        q.push(format!("unit={u}"));
    }
    q.push(format!(
        "rel={}",
        url_encode(relation.unwrap_or(&s.relation))
    ));
    q.push(format!("from={}", url_encode(&s.from)));
    q.push(format!("to={}", url_encode(&s.to)));
    q.push(format!("rows={}", s.rows.as_str()));
    q.push(format!("cols={}", s.columns.as_str()));
    q.push(format!("reading={}", reading_name(s.reading)));
    q.join("&")
}

/// An option of a select.
struct Opt {
    value: String,
    label: String,
    selected: bool,
}

/// A row of the table as shown.
struct GridRow {
    /// The outer item's label, on the first row of its group.
    group: Option<String>,
    label: String,
    href: Option<String>,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "pivot.html")]
struct PivotPage {
    layout: Layout,
    indicators: Vec<Opt>,
    units: Vec<Opt>,
    relations: Vec<Opt>,
    dims_rows: Vec<Opt>,
    dims_cols: Vec<Opt>,
    readings: Vec<Opt>,
    from: String,
    to: String,
    errors: Vec<String>,
    head: Vec<String>,
    row_head: String,
    rows: Vec<GridRow>,
    line_chart: Option<Chart>,
    bar_chart: Option<HBarChart>,
    withheld: usize,
    xlsx_href: String,
    csv_href: String,
    table_label: String,
}

fn options(lang: Lang, s: &PivotRequest, choices: &PivotChoices) -> (Vec<Opt>, Vec<Opt>, Vec<Opt>) {
    let indicators = choices
        .indicators
        .iter()
        .map(|c| Opt {
            value: c.key.clone(),
            label: format!("{} {}", c.key, lang.pick(&c.name_vi, &c.name_en)),
            selected: s.cells.contains(&c.key),
        })
        .collect();
    let units = choices
        .units
        .iter()
        .map(|u| Opt {
            value: u.id.to_string(),
            label: format!("{} ({})", u.name, t(lang, &format!("level.{}", u.level))),
            selected: Some(u.id) == s.unit,
        })
        .collect();
    let relations = [
        "self",
        "children",
        "level:district",
        "level:commune",
        "subtree",
    ]
    .into_iter()
    .map(|r| Opt {
        value: r.to_string(),
        label: t(lang, &format!("pivot.rel_{}", r.replace(':', "_"))),
        selected: s.relation == r,
    })
    .collect();
    (indicators, units, relations)
}

fn dim_options(lang: Lang, chosen: Dim) -> Vec<Opt> {
    Dim::ALL
        .into_iter()
        .map(|d| Opt {
            value: d.as_str().to_string(),
            label: t(lang, d.label_key()),
            selected: d == chosen,
        })
        .collect()
}

fn grid(lang: Lang, s: &PivotRequest, p: &Pivot) -> Vec<GridRow> {
    p.row_keys
        .iter()
        .zip(&p.grid)
        .enumerate()
        .map(|(i, ((o, r), line))| GridRow {
            group: (i == 0 || p.row_keys[i - 1].0 != *o).then(|| p.label(p.outer, *o, lang)),
            label: p.label(p.rows, *r, lang),
            href: (p.rows == Dim::Unit).then(|| {
                let id = p.table.units[*r].id;
                format!("/analytics?{}", query_of(s, Some(id), Some("children")))
            }),
            cells: line
                .iter()
                .map(|at| match at.and_then(|n| p.table.rows[n].figure.value) {
                    Some(v) => number(lang, v, 2),
                    None => "—".to_string(),
                })
                .collect(),
        })
        .collect()
}

/// A line chart when periods are on an axis (a series per item of the other
/// axis, at most eight), else bars of the first column.
fn charts(lang: Lang, p: &Pivot) -> (Option<Chart>, Option<HBarChart>) {
    let text = |v: f64| {
        number(
            lang,
            rust_decimal::Decimal::try_from(v).unwrap_or_default(),
            2,
        )
    };
    let value = |n: Option<usize>| n.and_then(|n| p.table.rows[n].figure.value).map(float);
    let title = t(lang, "pivot.chart");
    if p.columns == Dim::Period || p.rows == Dim::Period {
        let periods: Vec<String> = p.table.periods.iter().map(period_short).collect();
        let series: Vec<PeriodSeries<'_>> = if p.columns == Dim::Period {
            p.row_keys
                .iter()
                .zip(&p.grid)
                .take(CHART_SERIES)
                .map(|((o, r), line)| PeriodSeries {
                    label: format!(
                        "{} · {}",
                        p.label(p.outer, *o, lang),
                        p.label(p.rows, *r, lang)
                    ),
                    values: line.iter().map(|n| value(*n)).collect(),
                    text: &text,
                })
                .collect()
        } else {
            (0..p.len(p.columns).min(CHART_SERIES))
                .map(|c| PeriodSeries {
                    label: p.label(p.columns, c, lang),
                    values: p
                        .grid
                        .iter()
                        .take(periods.len())
                        .map(|line| value(line[c]))
                        .collect(),
                    text: &text,
                })
                .collect()
        };
        let mut chart = period_chart("pivot-chart", title, &periods, &series, false, "—");
        chart.table.head[0] = t(lang, "pivot.dim_period");
        return (Some(chart), None);
    }
    let rows = p
        .row_keys
        .iter()
        .zip(&p.grid)
        .map(|((o, r), line)| {
            let v = value(line.first().copied().flatten());
            HRow {
                label: format!(
                    "{} · {}",
                    p.label(p.outer, *o, lang),
                    p.label(p.rows, *r, lang)
                ),
                value: v,
                text: v.map_or_else(|| "—".to_string(), text),
                fill: SERIES[0],
                href: String::new(),
            }
        })
        .collect();
    (None, Some(hbar_chart("pivot-chart", title, rows, 30, None)))
}

fn error_lines(lang: Lang, e: &AppError) -> Option<Vec<String>> {
    match e {
        AppError::Invalid(fields) => {
            Some(fields.iter().map(|f| render(lang, &f.message)).collect())
        }
        AppError::NotFound => Some(vec![t(lang, "pivot.no_units")]),
        _ => None,
    }
}

/// The explorer.
pub(super) async fn pivot_page(
    State(state): State<AppState>,
    authed: Authed,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let lang = authed.lang;
    let screen = state
        .app
        .pivot_screen(&authed.caller.principal, &filter(&pairs), PAGE_FIGURES)
        .await
        .page(&authed)?;
    let (choices, s) = (&screen.choices, &screen.request);
    let (pivot, errors) = match screen.answer {
        Ok(p) => (Some(p), Vec::new()),
        Err(e) => match error_lines(lang, &e) {
            Some(lines) => (None, lines),
            None => return Err(authed.page_error(e)),
        },
    };
    let (indicators, units, relations) = options(lang, s, choices);
    let (line_chart, bar_chart) = pivot.as_ref().map_or((None, None), |p| charts(lang, p));
    let query = query_of(s, None, None);
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = html(
        PivotPage {
            layout: layout(&authed, &format!("/analytics?{query}")),
            indicators,
            units,
            relations,
            dims_rows: dim_options(lang, s.rows),
            dims_cols: dim_options(lang, s.columns),
            readings: ["preferred", "reported", "computed"]
                .into_iter()
                .map(|r| Opt {
                    value: r.to_string(),
                    label: t(lang, &format!("pivot.reading_{r}")),
                    selected: reading_name(s.reading) == r,
                })
                .collect(),
            from: s.from.clone(),
            to: s.to.clone(),
            errors,
            head: pivot.as_ref().map_or_else(Vec::new, |p| {
                (0..p.len(p.columns))
                    .map(|c| p.label(p.columns, c, lang))
                    .collect()
            }),
            row_head: pivot
                .as_ref()
                .map_or_else(String::new, |p| t(lang, p.rows.label_key())),
            rows: pivot.as_ref().map_or_else(Vec::new, |p| grid(lang, s, p)),
            line_chart,
            bar_chart,
            withheld: pivot.as_ref().map_or(0, |p| p.table.withheld),
            xlsx_href: format!("/analytics/export.xlsx?{query}"),
            csv_href: format!("/analytics/export.csv?{query}"),
            table_label: t(lang, "chart.data_table"),
        },
        lang,
    )?;
    *response.status_mut() = status;
    Ok(response)
}

async fn export(
    state: AppState,
    authed: Authed,
    pairs: Vec<(String, String)>,
    xlsx: bool,
) -> PageResult {
    let lang = authed.lang;
    let pivot = state
        .app
        .pivot_export(&authed.caller.principal, &filter(&pairs))
        .await
        .page(&authed)?;
    if xlsx {
        let bytes = pivot_xlsx(&pivot, lang).page(&authed)?;
        Ok(xlsx_response(
            &format!("{}.xlsx", t(lang, "pivot.file_name")),
            bytes,
        ))
    } else {
        Ok(csv_response(
            &format!("{}.csv", t(lang, "pivot.file_name")),
            pivot_csv(&pivot, lang).page(&authed)?,
        ))
    }
}

/// The pivot as .xlsx.
pub(super) async fn export_xlsx(
    State(state): State<AppState>,
    authed: Authed,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    export(state, authed, pairs, true).await
}

/// The pivot as CSV.
pub(super) async fn export_csv(
    State(state): State<AppState>,
    authed: Authed,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    export(state, authed, pairs, false).await
}

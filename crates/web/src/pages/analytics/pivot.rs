//! The pivot explorer (`/analytics`): indicators, units and periods chosen
//! with a plain GET form, so the whole view is in its URL (bookmarked, sent,
//! reloaded); the table, a chart, and the same table as .xlsx or CSV
//! (`/analytics/export.xlsx`, `/analytics/export.csv`, same query).

use askama::Template;
use axum::extract::{Query, State};
use baocao_app::analytics::{
    periods_between, pivot_csv, pivot_xlsx, Dim, FigureQuery, Pivot, PivotChoices, PivotQuery,
    Reading, Relation, MAX_FIGURES,
};
use baocao_app::i18n::{render, t, Lang};
use baocao_app::AppError;
use baocao_domain::period::PeriodId;
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

/// The explorer's state as read from the URL.
#[derive(Debug, Clone, PartialEq)]
struct PivotState {
    cells: Vec<String>,
    unit: Option<UnitId>,
    relation: String,
    from: String,
    to: String,
    rows: Dim,
    columns: Dim,
    reading: Reading,
}

fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, v)| k == key && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}

fn reading_of(text: Option<&str>) -> Reading {
    match text {
        Some("reported") => Reading::Reported,
        Some("computed") => Reading::Computed,
        _ => Reading::Preferred,
    }
}

fn reading_str(r: Reading) -> &'static str {
    match r {
        Reading::Reported => "reported",
        Reading::Computed => "computed",
        Reading::Preferred => "preferred",
    }
}

/// The state of the URL, blanks filled from the caller's choices.
fn state_of(pairs: &[(String, String)], choices: &PivotChoices) -> PivotState {
    let mut cells: Vec<String> = pairs
        .iter()
        .filter(|(k, v)| k == "i" && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_string())
        .collect();
    if cells.is_empty() {
        cells.extend(choices.cell.clone());
    }
    let latest = choices.latest;
    let to = param(pairs, "to")
        .map(str::to_string)
        .or_else(|| latest.map(|p| p.to_string()))
        .unwrap_or_default();
    let from = param(pairs, "from").map(str::to_string).unwrap_or_else(|| {
        let mut p: Option<PeriodId> = latest;
        for _ in 0..11 {
            p = p.and_then(|x| x.previous());
        }
        p.map(|p| p.to_string()).unwrap_or_else(|| to.clone())
    });
    let rows = param(pairs, "rows")
        .and_then(Dim::parse)
        .unwrap_or(Dim::Unit);
    let columns = param(pairs, "cols")
        .and_then(Dim::parse)
        .unwrap_or(Dim::Period);
    PivotState {
        cells,
        unit: param(pairs, "unit")
            .and_then(|u| u.parse().ok())
            .map(UnitId::new)
            .or(choices.unit),
        relation: param(pairs, "rel").unwrap_or("children").to_string(),
        from,
        to,
        rows,
        columns,
        reading: reading_of(param(pairs, "reading")),
    }
}

impl PivotState {
    /// The query string of this state, with `unit` replaced when given.
    fn query(&self, unit: Option<UnitId>, relation: Option<&str>) -> String {
        let mut q: Vec<String> = self
            .cells
            .iter()
            .map(|c| format!("i={}", url_encode(c)))
            .collect();
        if let Some(u) = unit.or(self.unit) {
            q.push(format!("unit={u}"));
        }
        q.push(format!(
            "rel={}",
            url_encode(relation.unwrap_or(&self.relation))
        ));
        q.push(format!("from={}", url_encode(&self.from)));
        q.push(format!("to={}", url_encode(&self.to)));
        q.push(format!("rows={}", self.rows.as_str()));
        q.push(format!("cols={}", self.columns.as_str()));
        q.push(format!("reading={}", reading_str(self.reading)));
        q.join("&")
    }

    fn pivot_query(&self, max_figures: usize) -> Result<PivotQuery, AppError> {
        let relation = match self.relation.as_str() {
            "self" => Relation::Itself,
            "children" => Relation::Children,
            "subtree" => Relation::Subtree,
            other => match other.strip_prefix("level:") {
                Some(level) if !level.is_empty() => Relation::Level(level.to_string()),
                _ => {
                    return Err(AppError::field(
                        "rel",
                        baocao_domain::Message::new("pivot.error.relation").arg("value", other),
                    ))
                }
            },
        };
        let unit = self.unit.ok_or(AppError::NotFound)?;
        Ok(PivotQuery {
            figures: FigureQuery {
                cells: self.cells.clone(),
                unit,
                relation,
                periods: periods_between(&self.from, &self.to)?,
                reading: self.reading,
            },
            rows: self.rows,
            columns: self.columns,
            max_figures,
        })
    }
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

fn options(lang: Lang, s: &PivotState, choices: &PivotChoices) -> (Vec<Opt>, Vec<Opt>, Vec<Opt>) {
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

fn grid(lang: Lang, s: &PivotState, p: &Pivot) -> Vec<GridRow> {
    p.row_keys
        .iter()
        .zip(&p.grid)
        .enumerate()
        .map(|(i, ((o, r), line))| GridRow {
            group: (i == 0 || p.row_keys[i - 1].0 != *o).then(|| p.label(p.outer, *o, lang)),
            label: p.label(p.rows, *r, lang),
            href: (p.rows == Dim::Unit).then(|| {
                let id = p.table.units[*r].id;
                format!("/analytics?{}", s.query(Some(id), Some("children")))
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
    let principal = &authed.caller.principal;
    let asked = param(&pairs, "unit")
        .and_then(|u| u.parse().ok())
        .map(UnitId::new);
    let choices = state
        .app
        .pivot_choices(principal, asked)
        .await
        .page(&authed)?;
    let s = state_of(&pairs, &choices);
    let answer = match s.pivot_query(PAGE_FIGURES) {
        Ok(q) => state.app.pivot(principal, q).await,
        Err(e) => Err(e),
    };
    let (pivot, errors) = match answer {
        Ok(p) => (Some(p), Vec::new()),
        Err(e) => match error_lines(lang, &e) {
            Some(lines) => (None, lines),
            None => return Err(authed.page_error(e)),
        },
    };
    let (indicators, units, relations) = options(lang, &s, &choices);
    let (line_chart, bar_chart) = pivot.as_ref().map_or((None, None), |p| charts(lang, p));
    let query = s.query(None, None);
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
                    selected: reading_str(s.reading) == r,
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
            rows: pivot.as_ref().map_or_else(Vec::new, |p| grid(lang, &s, p)),
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
    let principal = &authed.caller.principal;
    let asked = param(&pairs, "unit")
        .and_then(|u| u.parse().ok())
        .map(UnitId::new);
    let choices = state
        .app
        .pivot_choices(principal, asked)
        .await
        .page(&authed)?;
    let q = state_of(&pairs, &choices)
        .pivot_query(MAX_FIGURES)
        .page(&authed)?;
    let pivot = state.app.pivot(principal, q).await.page(&authed)?;
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

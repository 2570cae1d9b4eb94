//! A dashboard as pages draw it, the same for the desk and the wall: tiles
//! with their sentence, a trend chart per tile, the ranking of the units
//! below, a map, the targets furthest behind and the timeliness of reports.

use baocao_app::analytics::{Dashboard, Figure, Ranking, TargetPanel, Tile};
use baocao_app::i18n::{render, t, Lang};
use baocao_app::reports::Timeliness;
use baocao_domain::Message;
use rust_decimal::Decimal;

use super::charts::{
    hbar_chart, period_chart, quantile_breaks, Chart, HBarChart, HRow, LegendItem, PeriodSeries,
    MISSING, SEQUENTIAL, SERIES,
};
use super::format::{float, number, period_short, reading_text, sentence, value_text};
use super::maps::{map_view, MapKind, MapUnit, MapView};
use crate::shared::periods::period_label;
use crate::shared::url::url_encode;
use baocao_domain::number::change;

/// Bars a ranking draws at most (the table lists every unit).
const RANKING_ROWS: usize = 30;
/// Units a targets panel draws at most.
const TARGET_ROWS: usize = 10;

/// A tile as drawn.
pub struct TileView {
    /// Cell key.
    pub key: String,
    /// Indicator name.
    pub name: String,
    /// The period of the figure, in words.
    pub period: String,
    /// The figure with its unit of measure, or nothing.
    pub value: String,
    /// Unit of measure.
    pub measure: String,
    /// Reading and coverage.
    pub reading: String,
    /// Change on the same period last year.
    pub change: String,
    /// `up`, `down` or empty.
    pub change_class: &'static str,
    /// Progress against the target.
    pub target: String,
    /// `met`, `behind` or empty.
    pub target_class: &'static str,
    /// The sentence.
    pub sentence: String,
    /// Link that puts this tile in focus.
    pub focus_href: String,
    /// Whether it is in focus.
    pub focused: bool,
}

/// A whole dashboard as drawn.
pub struct BoardView {
    /// Tiles.
    pub tiles: Vec<TileView>,
    /// Trend charts, one per tile with figures.
    pub trends: Vec<Chart>,
    /// The ranking of the units below.
    pub ranking: Option<HBarChart>,
    /// The map.
    pub map: Option<MapView>,
    /// The map's note (approximate areas, units without a place).
    pub map_note: String,
    /// Targets panels.
    pub targets: Vec<HBarChart>,
    /// Timeliness panels.
    pub timeliness: Vec<HBarChart>,
}

/// The text of a value of `tile`'s indicator.
fn text_of(lang: Lang, tile: &Tile) -> impl Fn(f64) -> String + '_ {
    move |v: f64| {
        let d = Decimal::try_from(v).unwrap_or_default();
        value_text(lang, tile.value_type, d)
    }
}

/// The dashboard link of a unit, the tile in focus kept.
pub fn unit_href(unit: baocao_domain::unit::UnitId, focus: &str) -> String {
    format!("/dashboard/{unit}?focus={}", url_encode(focus))
}

fn tile_view(lang: Lang, board: &Dashboard, i: usize, tile: &Tile) -> TileView {
    let measure = lang
        .pick(&tile.cell.measure_vi, &tile.cell.measure_en)
        .to_string();
    let mut view = TileView {
        key: tile.cell.key.clone(),
        name: lang
            .pick(&tile.cell.name_vi, &tile.cell.name_en)
            .to_string(),
        period: t(lang, "dashboard.no_data"),
        value: String::new(),
        measure,
        reading: String::new(),
        change: String::new(),
        change_class: "",
        target: String::new(),
        target_class: "",
        sentence: sentence(lang, tile).unwrap_or_default(),
        focus_href: format!(
            "/dashboard/{}?focus={}#focus",
            board.unit.id,
            url_encode(&tile.cell.key)
        ),
        focused: i == board.focus,
    };
    let Some((period, figure)) = &tile.latest else {
        return view;
    };
    view.period = period_label(lang, period);
    view.value = figure
        .value
        .map(|v| value_text(lang, tile.value_type, v))
        .unwrap_or_default();
    view.reading = reading_text(lang, figure);
    set_change(lang, tile, figure, &mut view);
    set_target(lang, tile, &mut view);
    view
}

/// The change against the same period last year, in per cent (points for a
/// percentage).
fn set_change(lang: Lang, tile: &Tile, figure: &Figure, view: &mut TileView) {
    let delta = tile
        .last_year
        .as_ref()
        .and_then(|b| b.value)
        .zip(figure.value)
        .and_then(|(b, v)| change(tile.value_type, v, b));
    if let Some(delta) = delta {
        let unit = if tile.value_type == baocao_domain::catalogue::ValueType::Percentage {
            render(lang, &Message::new("dashboard.points").arg("value", ""))
        } else {
            "%".to_string()
        };
        let sign = if delta.is_sign_negative() {
            "▼ "
        } else {
            "▲ "
        };
        view.change = render(
            lang,
            &Message::new("dashboard.change").arg(
                "change",
                format!("{sign}{}{}", number(lang, delta.abs(), 1), unit.trim_end()),
            ),
        );
        view.change_class = if delta.is_sign_negative() {
            "down"
        } else {
            "up"
        };
    }
}

/// How the figure stands against the unit's target for the year.
fn set_target(lang: Lang, tile: &Tile, view: &mut TileView) {
    if let Some(p) = &tile.target {
        let bound = if p.at_least { "≥" } else { "≤" };
        view.target = render(
            lang,
            &Message::new(if tile.flow {
                "dashboard.target_flow"
            } else {
                "dashboard.target_level"
            })
            .arg(
                "percent",
                p.percent.map(|x| number(lang, x, 1)).unwrap_or_default(),
            )
            .arg("bound", bound)
            .arg("target", value_text(lang, tile.value_type, p.target))
            .arg("state_key", target_state(tile.flow, p)),
        );
        view.target_class = match target_state(tile.flow, p) {
            "dashboard.met" | "dashboard.on_track" => "met",
            _ => "behind",
        };
    }
}

/// How a figure stands against its target: met, or for a flow on track or
/// behind the part of the plan due by now, or for a level not met.
fn target_state(flow: bool, p: &baocao_analytics::Progress) -> &'static str {
    match (p.met, flow, p.behind.is_zero()) {
        (true, _, _) => "dashboard.met",
        (false, true, true) => "dashboard.on_track",
        (false, true, false) => "dashboard.behind",
        (false, false, _) => "dashboard.not_met",
    }
}

fn trend_chart(lang: Lang, i: usize, tile: &Tile) -> Option<Chart> {
    tile.latest.as_ref()?;
    let name = lang.pick(&tile.cell.name_vi, &tile.cell.name_en);
    let measure = lang.pick(&tile.cell.measure_vi, &tile.cell.measure_en);
    let periods: Vec<String> = tile.trend.iter().map(|(p, _)| period_short(p)).collect();
    let text = text_of(lang, tile);
    let series = [PeriodSeries {
        label: format!("{name} ({measure})"),
        values: tile.trend.iter().map(|(_, v)| v.map(float)).collect(),
        text: &text,
    }];
    let title = render(
        lang,
        &Message::new("dashboard.trend_title")
            .arg("name", name)
            .arg("measure", measure),
    );
    let mut chart = period_chart(
        &format!("trend-{i}"),
        title,
        &periods,
        &series,
        tile.flow,
        &t(lang, "dashboard.missing"),
    );
    chart.table.head[0] = t(lang, "pivot.dim_period");
    Some(chart)
}

/// The legend of sequential classes with upper `breaks`.
fn class_labels(lang: Lang, tile: Option<&Tile>, breaks: &[f64]) -> Vec<String> {
    let text = |v: f64| match tile {
        Some(tile) => text_of(lang, tile)(v),
        None => number(lang, Decimal::try_from(v).unwrap_or_default(), 1),
    };
    breaks
        .iter()
        .enumerate()
        .map(|(i, b)| match i {
            0 => format!("≤ {}", text(*b)),
            _ => format!("{} – {}", text(breaks[i - 1]), text(*b)),
        })
        .collect()
}

fn ranking_chart(lang: Lang, ranking: &Ranking, tile: &Tile, breaks: &[f64]) -> HBarChart {
    let text = text_of(lang, tile);
    let missing = t(lang, "dashboard.missing");
    let rows = ranking
        .rows
        .iter()
        .map(|(u, f)| {
            let v = f.value.map(float);
            HRow {
                label: u.name.clone(),
                value: v,
                text: v.map_or_else(|| missing.clone(), &text),
                fill: v.map_or(MISSING, |v| {
                    SEQUENTIAL[super::charts::class_of(v, breaks).min(SEQUENTIAL.len() - 1)]
                }),
                href: unit_href(u.id, &ranking.cell.key),
            }
        })
        .collect();
    let name = lang.pick(&ranking.cell.name_vi, &ranking.cell.name_en);
    let title = render(
        lang,
        &Message::new("dashboard.ranking_title")
            .arg("name", name)
            .arg("period", period_label(lang, &ranking.period)),
    );
    let mut chart = hbar_chart("ranking", title, rows, RANKING_ROWS, None);
    chart.table.head = vec![
        "#".into(),
        t(lang, "pivot.dim_unit"),
        lang.pick(&ranking.cell.measure_vi, &ranking.cell.measure_en)
            .to_string(),
    ];
    chart.legend = class_labels(lang, Some(tile), breaks)
        .into_iter()
        .enumerate()
        .map(|(i, label)| LegendItem {
            fill: SEQUENTIAL[i.min(SEQUENTIAL.len() - 1)],
            dash: None,
            label,
        })
        .collect();
    if ranking.rows.iter().any(|(_, f)| f.value.is_none()) {
        chart.legend.push(LegendItem {
            fill: MISSING,
            dash: None,
            label: missing,
        });
    }
    if ranking.rows.len() > RANKING_ROWS {
        chart.note = render(
            lang,
            &Message::new("dashboard.ranking_cut")
                .arg("shown", RANKING_ROWS)
                .arg("total", ranking.rows.len()),
        );
    }
    chart
}

fn map_of(
    lang: Lang,
    board: &Dashboard,
    tile: &Tile,
    kind: MapKind,
    breaks: &[f64],
) -> Option<(MapView, String)> {
    let ranking = board.ranking.as_ref()?;
    let text = text_of(lang, tile);
    let missing = t(lang, "dashboard.missing");
    let units: Vec<MapUnit<'_>> = ranking
        .rows
        .iter()
        .map(|(u, f)| MapUnit {
            name: u.name.clone(),
            point: u.lon.zip(u.lat).map(|(lon, lat)| [lon, lat]),
            value: f.value.map(float),
            text: f.value.map_or_else(|| missing.clone(), |v| text(float(v))),
            href: unit_href(u.id, &ranking.cell.key),
            boundary: board.boundaries.get(&u.id).map(Vec::as_slice),
        })
        .collect();
    let name = lang.pick(&ranking.cell.name_vi, &ranking.cell.name_en);
    let title = render(
        lang,
        &Message::new("map.title")
            .arg("name", name)
            .arg("period", period_label(lang, &ranking.period)),
    );
    let mut map = map_view(
        "map",
        title,
        &units,
        kind,
        breaks,
        class_labels(lang, Some(tile), breaks),
        &missing,
    );
    map.table.head = vec![
        t(lang, "pivot.dim_unit"),
        lang.pick(&ranking.cell.measure_vi, &ranking.cell.measure_en)
            .to_string(),
    ];
    let mut note = String::new();
    if map.approximate {
        note = t(lang, "map.approximate");
    } else if map.boundaries {
        note = t(lang, "map.boundaries");
    } else if kind == MapKind::Bubbles {
        note = t(lang, "map.bubbles");
    }
    if map.unplaced > 0 {
        note.push(' ');
        note.push_str(&render(
            lang,
            &Message::new("map.unplaced").arg("count", map.unplaced),
        ));
    }
    Some((map, note))
}

fn target_chart(lang: Lang, i: usize, panel: &TargetPanel, tile: &Tile) -> HBarChart {
    let text = text_of(lang, tile);
    let rows = panel
        .rows
        .iter()
        .take(TARGET_ROWS)
        .map(|r| {
            // How far short, in % of the target (0 when on track).
            let short = r.progress.map(|p| float(p.behind) * 100.0);
            let bound = if r.at_least { "≥" } else { "≤" };
            let actual = r
                .actual
                .map_or_else(|| t(lang, "dashboard.missing"), |a| text(float(a)));
            let gap = short
                .filter(|s| *s > 0.0)
                .map(|s| {
                    let message = Message::new("dashboard.short_by").arg(
                        "percent",
                        number(lang, Decimal::try_from(s).unwrap_or_default(), 1),
                    );
                    render(lang, &message)
                })
                .unwrap_or_default();
            HRow {
                label: r.unit.name.clone(),
                value: short,
                text: format!("{actual} / {bound} {}{gap}", text(float(r.target))),
                fill: match r.progress {
                    Some(p) if p.met => SERIES[2],
                    Some(_) => SERIES[5],
                    None => MISSING,
                },
                href: unit_href(r.unit.id, &panel.cell.key),
            }
        })
        .collect();
    let name = lang.pick(&panel.cell.name_vi, &panel.cell.name_en);
    let title = render(
        lang,
        &Message::new("dashboard.targets_title")
            .arg("name", name)
            .arg("period", period_label(lang, &panel.period))
            .arg("behind", panel.behind)
            .arg("total", panel.rows.len()),
    );
    let mut chart = hbar_chart(&format!("targets-{i}"), title, rows, TARGET_ROWS, None);
    chart.table.head = vec![
        "#".into(),
        t(lang, "pivot.dim_unit"),
        t(lang, "dashboard.actual_target"),
    ];
    chart.legend = vec![
        LegendItem {
            fill: SERIES[2],
            dash: None,
            label: t(lang, "dashboard.met"),
        },
        LegendItem {
            fill: SERIES[5],
            dash: None,
            label: t(lang, "dashboard.not_met"),
        },
        LegendItem {
            fill: MISSING,
            dash: None,
            label: t(lang, "dashboard.missing"),
        },
    ];
    chart.note = t(lang, "dashboard.targets_note");
    chart
}

fn timeliness_chart(lang: Lang, i: usize, tl: &Timeliness) -> HBarChart {
    let href = format!(
        "/reports/timeliness?regime={}&period={}&unit={}",
        url_encode(&tl.regime),
        tl.period,
        tl.receiver
    );
    let parts = [
        ("report.on_time", tl.on_time, SERIES[2]),
        ("report.late", tl.late, SERIES[1]),
        ("report.missing", tl.missing, MISSING),
    ];
    let rows = parts
        .iter()
        .map(|(key, n, fill)| HRow {
            label: t(lang, key),
            value: Some(*n as f64),
            text: format!("{n} / {}", tl.expected),
            fill,
            href: href.clone(),
        })
        .collect();
    let title = render(
        lang,
        &Message::new("dashboard.timeliness_title")
            .arg("regime", &tl.regime)
            .arg("period", period_label(lang, &tl.period)),
    );
    let mut chart = hbar_chart(&format!("timeliness-{i}"), title, rows, 3, None);
    chart.table.head = vec![
        "#".into(),
        t(lang, "report.timing"),
        t(lang, "dashboard.units"),
    ];
    chart.legend = parts
        .iter()
        .map(|(key, _, fill)| LegendItem {
            fill,
            dash: None,
            label: t(lang, key),
        })
        .collect();
    chart
}

/// Everything a dashboard draws.
pub fn board_view(lang: Lang, board: &Dashboard, kind: MapKind) -> BoardView {
    let tiles = board
        .tiles
        .iter()
        .enumerate()
        .map(|(i, tile)| tile_view(lang, board, i, tile))
        .collect();
    let trends = board
        .tiles
        .iter()
        .enumerate()
        .filter_map(|(i, tile)| trend_chart(lang, i, tile))
        .collect();
    let focus = board.tiles.get(board.focus);
    let values: Vec<f64> = board
        .ranking
        .iter()
        .flat_map(|r| r.rows.iter().filter_map(|(_, f)| f.value.map(float)))
        .collect();
    let breaks = quantile_breaks(&values);
    let ranking = board
        .ranking
        .as_ref()
        .zip(focus)
        .map(|(r, tile)| ranking_chart(lang, r, tile, &breaks));
    let (map, map_note) = focus
        .and_then(|tile| map_of(lang, board, tile, kind, &breaks))
        .map_or((None, String::new()), |(m, n)| (Some(m), n));
    let targets = board
        .targets
        .iter()
        .enumerate()
        .filter_map(|(i, panel)| {
            let tile = board.tiles.iter().find(|t| t.cell.key == panel.cell.key)?;
            Some(target_chart(lang, i, panel, tile))
        })
        .collect();
    let timeliness = board
        .timeliness
        .iter()
        .enumerate()
        .map(|(i, tl)| timeliness_chart(lang, i, tl))
        .collect();
    BoardView {
        tiles,
        trends,
        ranking,
        map,
        map_note,
        targets,
        timeliness,
    }
}

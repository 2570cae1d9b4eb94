//! Charts drawn on the server (decision record 0012): the geometry of each
//! chart is computed here, in picture units rounded to one decimal, and the
//! templates (`charts.html`) write it out as inline SVG. Every chart carries
//! its title, its legend and its figures as a table, for screen readers and
//! for copying.
//!
//! Colours: series use the Okabe–Ito palette, told apart also by dash and
//! marker; sequential values use a viridis-like scale whose lightness grows
//! with the value, so that it reads in grey too; missing figures are hatched.

/// Series colours (Okabe–Ito), distinguishable with the common colour
/// vision deficiencies.
pub const SERIES: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442",
];
/// Dash patterns paired with the series colours.
const DASHES: [&str; 8] = ["", "6 3", "2 2", "8 3 2 3", "", "6 3", "2 2", "8 3 2 3"];
/// Marker shapes paired with the series colours.
const MARKERS: [Marker; 4] = [
    Marker::Circle,
    Marker::Square,
    Marker::Diamond,
    Marker::Triangle,
];
/// A sequential scale from dark to light (viridis).
pub const SEQUENTIAL: [&str; 5] = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];
/// The fill of a missing figure: a hatch pattern defined in each picture.
pub const MISSING: &str = "url(#hatch)";

/// A position or a size in picture units, as written in the SVG.
pub fn px(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// A marker's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// A circle.
    Circle,
    /// A square.
    Square,
    /// A diamond.
    Diamond,
    /// A triangle.
    Triangle,
}

impl Marker {
    /// The SVG path of the marker centred on `(x, y)`.
    pub fn path(self, x: f64, y: f64) -> String {
        let (s, x, y) = (3.5, x, y);
        match self {
            Marker::Circle => format!(
                "M{} {}a{s} {s} 0 1 0 {} 0a{s} {s} 0 1 0 {} 0",
                px(x - s),
                px(y),
                px(2.0 * s),
                px(-2.0 * s)
            ),
            Marker::Square => format!("M{} {}h7v7h-7z", px(x - s), px(y - s)),
            Marker::Diamond => format!("M{} {}l4 4-4 4-4-4z", px(x), px(y - 4.0)),
            Marker::Triangle => format!("M{} {}l4 7h-8z", px(x), px(y - 4.0)),
        }
    }
}

/// A label at a position.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Position along the axis.
    pub at: String,
    /// Text.
    pub label: String,
}

/// A rectangle (a bar).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Left.
    pub x: String,
    /// Top.
    pub y: String,
    /// Width.
    pub w: String,
    /// Height.
    pub h: String,
    /// Fill.
    pub fill: &'static str,
    /// What it shows, for a tooltip.
    pub tip: String,
}

/// A line through a series' points, with a marker at each.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The path (`M x y L x y …`; a gap where a figure is missing).
    pub d: String,
    /// Colour.
    pub stroke: &'static str,
    /// Dash pattern (empty: solid).
    pub dash: &'static str,
    /// The markers' path.
    pub marks: String,
}

/// One entry of a legend.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendItem {
    /// Swatch fill (a colour or the hatch).
    pub fill: &'static str,
    /// Dash of a line swatch (`None`: a box swatch).
    pub dash: Option<&'static str>,
    /// Text.
    pub label: String,
}

/// The figures of a chart as a table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataTable {
    /// Column headings.
    pub head: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

/// A chart over periods: bars or lines on a value axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Element id (unique in the page).
    pub id: String,
    /// Title.
    pub title: String,
    /// Picture width.
    pub width: u32,
    /// Picture height.
    pub height: u32,
    /// Left edge of the plot.
    pub left: String,
    /// Right edge of the plot.
    pub right: String,
    /// The baseline (zero, or the bottom) of the plot.
    pub base: String,
    /// Value axis labels.
    pub y_ticks: Vec<Tick>,
    /// Period labels.
    pub x_ticks: Vec<Tick>,
    /// Bars.
    pub bars: Vec<Bar>,
    /// Lines.
    pub lines: Vec<Line>,
    /// Where a figure is missing (x positions).
    pub gaps: Vec<String>,
    /// Legend.
    pub legend: Vec<LegendItem>,
    /// The figures.
    pub table: DataTable,
}

/// A step of 1, 2 or 5 × 10ⁿ giving about `n` intervals over `span`.
pub fn nice_step(span: f64, n: f64) -> f64 {
    if span <= 0.0 || !span.is_finite() {
        return 1.0;
    }
    let raw = span / n;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// A value axis from the smallest to the largest value (zero included for
/// bars), in nice steps.
pub fn axis(values: impl Iterator<Item = f64>, with_zero: bool) -> (f64, f64, f64) {
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (0.0, 1.0, 1.0);
    }
    if with_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if (hi - lo).abs() < f64::EPSILON {
        // One value: put it in the middle of a small range around it.
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        if !with_zero || lo > 0.0 {
            hi = lo + pad;
        }
        if !with_zero || lo < 0.0 {
            lo -= pad;
        }
    }
    let step = nice_step(hi - lo, 4.0);
    ((lo / step).floor() * step, (hi / step).ceil() * step, step)
}

/// What a period chart is made of.
pub struct PeriodSeries<'a> {
    /// Series name.
    pub label: String,
    /// One value per period (`None`: missing).
    pub values: Vec<Option<f64>>,
    /// How a value is written.
    pub text: &'a dyn Fn(f64) -> String,
}

const LEFT: f64 = 64.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 24.0;

/// A chart of series over periods: bars for a single series of flows,
/// lines otherwise. `missing` names a missing figure in the table.
pub fn period_chart(
    id: &str,
    title: String,
    periods: &[String],
    series: &[PeriodSeries<'_>],
    bars: bool,
    missing: &str,
) -> Chart {
    let (width, height) = (560u32, 200u32);
    let (w, h) = (f64::from(width), f64::from(height));
    let (lo, hi, step) = axis(
        series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied()),
        bars,
    );
    let y = |v: f64| TOP + (hi - v) / (hi - lo) * (h - TOP - BOTTOM);
    let n = periods.len().max(1) as f64;
    let slot = (w - LEFT - RIGHT) / n;
    let x = |i: usize| LEFT + slot * (i as f64 + 0.5);
    let text = series.first().map(|s| s.text);
    let y_ticks = ticks(lo, hi, step)
        .map(|v| Tick {
            at: px(y(v)),
            label: text.map_or_else(|| format!("{v}"), |f| f(v)),
        })
        .collect();
    let every = (periods.len() / 8).max(1);
    let x_ticks = periods
        .iter()
        .enumerate()
        .filter(|(i, _)| (periods.len() - 1 - i).is_multiple_of(every))
        .map(|(i, p)| Tick {
            at: px(x(i)),
            label: p.clone(),
        })
        .collect();
    let mut chart = Chart {
        id: id.to_string(),
        title,
        width,
        height,
        left: px(LEFT),
        right: px(w - RIGHT),
        base: px(y(lo.max(0.0).min(hi))),
        y_ticks,
        x_ticks,
        bars: Vec::new(),
        lines: Vec::new(),
        gaps: Vec::new(),
        legend: Vec::new(),
        table: DataTable::default(),
    };
    draw_series(&mut chart, periods, series, bars, (&x, &y, slot));
    chart.table = period_table(periods, series, missing);
    chart
}

fn ticks(lo: f64, hi: f64, step: f64) -> impl Iterator<Item = f64> {
    let n = ((hi - lo) / step).round() as i64;
    (0..=n).map(move |i| lo + step * i as f64)
}

type Scales<'a> = (&'a dyn Fn(usize) -> f64, &'a dyn Fn(f64) -> f64, f64);

fn draw_series(
    chart: &mut Chart,
    periods: &[String],
    series: &[PeriodSeries<'_>],
    bars: bool,
    (x, y, slot): Scales<'_>,
) {
    let base: f64 = chart.base.parse().unwrap_or(0.0);
    for (k, s) in series.iter().enumerate() {
        let colour = SERIES[k % SERIES.len()];
        let dash = DASHES[k % DASHES.len()];
        let marker = MARKERS[k % MARKERS.len()];
        let mut d = String::new();
        let mut marks = String::new();
        let mut pen_down = false;
        for (i, v) in s.values.iter().enumerate() {
            let Some(v) = v else {
                if k == 0 {
                    chart.gaps.push(px(x(i)));
                }
                pen_down = false;
                continue;
            };
            let tip = format!(
                "{}: {}",
                periods.get(i).cloned().unwrap_or_default(),
                (s.text)(*v)
            );
            if bars {
                let top = y(*v);
                chart.bars.push(Bar {
                    x: px(x(i) - slot * 0.35),
                    y: px(top.min(base)),
                    w: px(slot * 0.7),
                    h: px((base - top).abs().max(0.5)),
                    fill: colour,
                    tip,
                });
            } else {
                d.push_str(&format!(
                    "{}{} {}",
                    if pen_down { "L" } else { "M" },
                    px(x(i)),
                    px(y(*v))
                ));
                marks.push_str(&marker.path(x(i), y(*v)));
                pen_down = true;
            }
        }
        if !bars {
            chart.lines.push(Line {
                d,
                stroke: colour,
                dash,
                marks,
            });
        }
        chart.legend.push(LegendItem {
            fill: colour,
            dash: (!bars).then_some(dash),
            label: s.label.clone(),
        });
    }
}

fn period_table(periods: &[String], series: &[PeriodSeries<'_>], missing: &str) -> DataTable {
    let mut head = vec![String::new()];
    head.extend(series.iter().map(|s| s.label.clone()));
    let rows = periods
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut row = vec![p.clone()];
            row.extend(series.iter().map(|s| {
                s.values
                    .get(i)
                    .copied()
                    .flatten()
                    .map_or_else(|| missing.to_string(), |v| (s.text)(v))
            }));
            row
        })
        .collect();
    DataTable { head, rows }
}

/// One bar of a horizontal bar chart (a ranking).
#[derive(Debug, Clone, PartialEq)]
pub struct HBar {
    /// Top of the row.
    pub y: String,
    /// Middle of the row (for the text).
    pub mid: String,
    /// Bar length.
    pub w: String,
    /// Fill (a colour, or the hatch for a missing figure).
    pub fill: &'static str,
    /// The unit's name.
    pub label: String,
    /// The value as written.
    pub value: String,
    /// Where the value text goes.
    pub value_x: String,
    /// Where the bar leads (the unit's dashboard).
    pub href: String,
}

/// A horizontal bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct HBarChart {
    /// Element id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Picture width.
    pub width: u32,
    /// Picture height.
    pub height: u32,
    /// Where the bars start.
    pub left: String,
    /// Where the labels end.
    pub label_x: String,
    /// A reference line (a target at 100 %), when there is one.
    pub mark: Option<String>,
    /// Row height less a gap.
    pub bar_h: String,
    /// The rows.
    pub bars: Vec<HBar>,
    /// A note on rows left out of the picture (they are in the table).
    pub note: String,
    /// Legend.
    pub legend: Vec<LegendItem>,
    /// The figures.
    pub table: DataTable,
}

/// A row of a horizontal bar chart before drawing.
pub struct HRow {
    /// Label.
    pub label: String,
    /// Value (`None`: missing).
    pub value: Option<f64>,
    /// The value as written.
    pub text: String,
    /// Fill.
    pub fill: &'static str,
    /// Link.
    pub href: String,
}

/// Horizontal bars, one row per item in the order given (all of them in
/// the table; in the picture, when there are more than `max_rows`, the first
/// and the last ones), with a reference line at `mark` when given.
pub fn hbar_chart(
    id: &str,
    title: String,
    rows: Vec<HRow>,
    max_rows: usize,
    mark: Option<f64>,
) -> HBarChart {
    let (width, row_h, left) = (560u32, 18.0, 190.0);
    let table = DataTable {
        head: Vec::new(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, r)| vec![(i + 1).to_string(), r.label.clone(), r.text.clone()])
            .collect(),
    };
    let shown: Vec<&HRow> = if rows.len() > max_rows {
        let head = max_rows * 2 / 3;
        let tail = max_rows - head;
        rows.iter()
            .take(head)
            .chain(rows.iter().skip(rows.len() - tail))
            .collect()
    } else {
        rows.iter().collect()
    };
    let (lo, hi, _) = axis(shown.iter().filter_map(|r| r.value).chain(mark), true);
    // Room on the right for the longest value text (11 px type).
    let longest = shown
        .iter()
        .map(|r| r.text.chars().count())
        .max()
        .unwrap_or(0);
    let room = (longest as f64 * 6.2 + 8.0).clamp(60.0, 260.0);
    let span = (f64::from(width) - left - room).max(10.0);
    let scale = |v: f64| (v - lo.min(0.0)) / (hi - lo.min(0.0)) * span;
    let bars = shown
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let top = 4.0 + row_h * i as f64;
            let w = r.value.map_or(24.0, |v| scale(v).max(1.0));
            HBar {
                y: px(top),
                mid: px(top + row_h * 0.65),
                w: px(w),
                fill: if r.value.is_some() { r.fill } else { MISSING },
                label: short(&r.label, 30),
                value: r.text.clone(),
                value_x: px(left + w + 4.0),
                href: r.href.clone(),
            }
        })
        .collect();
    HBarChart {
        id: id.to_string(),
        title,
        width,
        height: (8.0 + row_h * shown.len() as f64) as u32,
        left: px(left),
        label_x: px(left - 6.0),
        mark: mark.map(|m| px(left + scale(m))),
        bar_h: px(row_h - 4.0),
        bars,
        note: String::new(),
        legend: Vec::new(),
        table,
    }
}

/// A label cut to `max` characters (the table has it whole).
pub fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// The class of a value on a sequential scale of `SEQUENTIAL.len()` classes
/// with these upper `breaks`.
pub fn class_of(value: f64, breaks: &[f64]) -> usize {
    breaks
        .iter()
        .position(|b| value <= *b)
        .unwrap_or(breaks.len().saturating_sub(1))
}

/// Class breaks: the upper bounds of equal-count classes of the values.
pub fn quantile_breaks(values: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return Vec::new();
    }
    let k = SEQUENTIAL.len().min(sorted.len());
    let mut breaks: Vec<f64> = (1..=k)
        .map(|i| sorted[(i * sorted.len()).div_ceil(k).saturating_sub(1)])
        .collect();
    breaks.dedup();
    breaks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_nice_and_include_zero_for_bars() {
        assert_eq!(nice_step(97.0, 4.0), 50.0);
        assert_eq!(axis([12.0, 87.0].into_iter(), true), (0.0, 100.0, 50.0));
        assert_eq!(axis([70.0, 80.0].into_iter(), false), (70.0, 80.0, 5.0));
        assert_eq!(px(12.345), "12.3");
        assert_eq!(px(12.0), "12");
    }

    #[test]
    fn a_period_chart_marks_missing_figures_and_tabulates_them() {
        let text = |v: f64| format!("{v}");
        let periods: Vec<String> = (1..=4).map(|m| format!("{m:02}/25")).collect();
        let chart = period_chart(
            "c",
            "T".into(),
            &periods,
            &[PeriodSeries {
                label: "A".into(),
                values: vec![Some(1.0), None, Some(3.0), Some(2.0)],
                text: &text,
            }],
            true,
            "—",
        );
        assert_eq!(chart.bars.len(), 3);
        assert_eq!(chart.gaps.len(), 1);
        assert_eq!(
            chart.table.rows[1],
            vec!["02/25".to_string(), "—".to_string()]
        );
        assert_eq!(chart.legend.len(), 1);
    }

    #[test]
    fn classes_split_the_values_evenly() {
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        let breaks = quantile_breaks(&values);
        assert_eq!(breaks, vec![2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(class_of(1.0, &breaks), 0);
        assert_eq!(class_of(7.0, &breaks), 3);
        assert_eq!(class_of(99.0, &breaks), 4);
    }
}

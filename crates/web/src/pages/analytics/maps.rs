//! Maps drawn on the server (decision record 0012): units placed by their
//! coordinates as bubbles sized and coloured by value; approximate areas
//! (Voronoi cells of the units' points, clipped to a rounded hull around
//! them, and labelled as approximate); and true areas when boundaries were
//! loaded for the units' level (a choropleth).

use baocao_analytics::geo::{padded_hull, simplify, voronoi, Point, Projection};

use super::charts::{class_of, px, DataTable, LegendItem, MISSING, SEQUENTIAL};

/// A polygon: its outer ring, then its holes (longitude, latitude).
pub type Polygon = Vec<Vec<Point>>;

/// Picture size.
const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 460.0;
const MARGIN: f64 = 24.0;

/// Which map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKind {
    /// Bubbles at the units' points.
    Bubbles,
    /// Areas: true boundaries where loaded for every unit placed, else
    /// approximate (Voronoi) cells.
    Areas,
}

impl MapKind {
    /// The text in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            MapKind::Bubbles => "bubbles",
            MapKind::Areas => "areas",
        }
    }

    /// Parses [`MapKind::as_str`]; areas by default.
    pub fn parse(text: Option<&str>) -> MapKind {
        match text {
            Some("bubbles") => MapKind::Bubbles,
            _ => MapKind::Areas,
        }
    }
}

/// A unit on a map.
pub struct MapUnit<'a> {
    /// Name.
    pub name: String,
    /// Point (longitude, latitude).
    pub point: Option<Point>,
    /// Value (`None`: missing).
    pub value: Option<f64>,
    /// The value as written.
    pub text: String,
    /// Its dashboard.
    pub href: String,
    /// Its loaded boundary.
    pub boundary: Option<&'a [Polygon]>,
}

/// A filled shape (an area or a bubble).
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// The path.
    pub d: String,
    /// Fill.
    pub fill: &'static str,
    /// Tooltip.
    pub tip: String,
    /// Link.
    pub href: String,
}

/// A map ready to write out.
#[derive(Debug, Clone, PartialEq)]
pub struct MapView {
    /// Element id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Picture width.
    pub width: u32,
    /// Picture height.
    pub height: u32,
    /// Shapes, in drawing order.
    pub shapes: Vec<Shape>,
    /// Whether the areas are approximate (Voronoi cells).
    pub approximate: bool,
    /// Whether the areas are true boundaries.
    pub boundaries: bool,
    /// Legend.
    pub legend: Vec<LegendItem>,
    /// The figures (all units, placed or not).
    pub table: DataTable,
    /// Units without coordinates (not drawn).
    pub unplaced: usize,
}

fn ring_path(ring: &[Point], close: bool) -> String {
    let mut d = String::with_capacity(ring.len() * 10);
    for (i, p) in ring.iter().enumerate() {
        d.push(if i == 0 { 'M' } else { 'L' });
        d.push_str(&px(p[0]));
        d.push(' ');
        d.push_str(&px(p[1]));
    }
    if close {
        d.push('Z');
    }
    d
}

fn fill_of(value: Option<f64>, breaks: &[f64]) -> &'static str {
    match value {
        Some(v) => SEQUENTIAL[class_of(v, breaks).min(SEQUENTIAL.len() - 1)],
        None => MISSING,
    }
}

fn bubble(p: Point, r: f64) -> String {
    format!(
        "M{} {}a{r} {r} 0 1 0 {d} 0a{r} {r} 0 1 0 -{d} 0",
        px(p[0] - r),
        px(p[1]),
        r = px(r),
        d = px(2.0 * r)
    )
}

/// The shapes of a map of `units`, with their projection.
fn shapes(units: &[MapUnit<'_>], kind: MapKind, breaks: &[f64]) -> (Vec<Shape>, bool, bool) {
    let placed: Vec<&MapUnit<'_>> = units.iter().filter(|u| u.point.is_some()).collect();
    let with_bounds = kind == MapKind::Areas
        && !placed.is_empty()
        && placed
            .iter()
            .all(|u| u.boundary.is_some_and(|b| !b.is_empty()));
    let Some(proj) = Projection::fit(&fit_points(&placed, with_bounds), WIDTH, HEIGHT, MARGIN)
    else {
        return (Vec::new(), false, false);
    };
    let tip = |u: &MapUnit<'_>| format!("{}: {}", u.name, u.text);
    let shape = |u: &MapUnit<'_>, d: String| Shape {
        d,
        fill: fill_of(u.value, breaks),
        tip: tip(u),
        href: u.href.clone(),
    };
    match kind {
        MapKind::Areas if with_bounds => {
            let out = placed
                .iter()
                .map(|u| {
                    let mut d = String::new();
                    for ring in u.boundary.unwrap_or(&[]).iter().flatten() {
                        let projected: Vec<Point> = ring.iter().map(|p| proj.project(*p)).collect();
                        d.push_str(&ring_path(&simplify(&projected, 0.7), true));
                    }
                    shape(u, d)
                })
                .collect();
            (out, false, true)
        }
        MapKind::Areas => {
            let sites: Vec<Point> = placed
                .iter()
                .filter_map(|u| u.point)
                .map(|p| proj.project(p))
                .collect();
            let clip = padded_hull(&sites, MARGIN * 0.9);
            let cells = voronoi(&sites, &clip);
            let out = placed
                .iter()
                .zip(cells)
                .map(|(u, cell)| shape(u, ring_path(&cell, true)))
                .collect();
            (out, true, false)
        }
        MapKind::Bubbles => (bubbles(&placed, &proj, shape), false, false),
    }
}

/// The points a map is fitted to: every boundary vertex, or the units'
/// points where boundaries are not drawn.
fn fit_points(placed: &[&MapUnit<'_>], with_bounds: bool) -> Vec<Point> {
    if with_bounds {
        placed
            .iter()
            .flat_map(|u| {
                u.boundary
                    .unwrap_or(&[])
                    .iter()
                    .flatten()
                    .flatten()
                    .copied()
            })
            .collect()
    } else {
        placed.iter().filter_map(|u| u.point).collect()
    }
}

/// A bubble per unit, its area in proportion to the value's magnitude.
fn bubbles(
    placed: &[&MapUnit<'_>],
    proj: &Projection,
    shape: impl Fn(&MapUnit<'_>, String) -> Shape,
) -> Vec<Shape> {
    let largest = placed
        .iter()
        .filter_map(|u| u.value)
        .map(f64::abs)
        .fold(0.0, f64::max);
    let mut sized: Vec<(f64, Shape)> = placed
        .iter()
        .map(|u| {
            let p = proj.project(u.point.unwrap_or([0.0, 0.0]));
            let r = match u.value {
                Some(v) if largest > 0.0 => 3.0 + 13.0 * (v.abs() / largest).sqrt(),
                Some(_) => 3.0,
                None => 4.0,
            };
            (r, shape(u, bubble(p, r)))
        })
        .collect();
    // The largest first, so that small bubbles stay on top.
    sized.sort_by(|a, b| b.0.total_cmp(&a.0));
    sized.into_iter().map(|(_, s)| s).collect()
}

/// A map of `units` coloured by value in classes with upper `breaks`;
/// `class_labels` name the classes and `missing` a missing figure.
pub fn map_view(
    id: &str,
    title: String,
    units: &[MapUnit<'_>],
    kind: MapKind,
    breaks: &[f64],
    class_labels: Vec<String>,
    missing: &str,
) -> MapView {
    let (shapes, approximate, boundaries) = shapes(units, kind, breaks);
    let mut legend: Vec<LegendItem> = class_labels
        .into_iter()
        .enumerate()
        .map(|(i, label)| LegendItem {
            fill: SEQUENTIAL[i.min(SEQUENTIAL.len() - 1)],
            dash: None,
            label,
        })
        .collect();
    if units.iter().any(|u| u.value.is_none()) {
        legend.push(LegendItem {
            fill: MISSING,
            dash: None,
            label: missing.to_string(),
        });
    }
    let table = DataTable {
        head: Vec::new(),
        rows: units
            .iter()
            .map(|u| vec![u.name.clone(), u.text.clone()])
            .collect(),
    };
    MapView {
        id: id.to_string(),
        title,
        width: WIDTH as u32,
        height: HEIGHT as u32,
        shapes,
        approximate,
        boundaries,
        legend,
        table,
        unplaced: units.iter().filter(|u| u.point.is_none()).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str, lon: f64, lat: f64, value: Option<f64>) -> MapUnit<'static> {
        MapUnit {
            name: name.into(),
            point: Some([lon, lat]),
            value,
            text: value.map_or("—".into(), |v| v.to_string()),
            href: format!("/dashboard/{name}"),
            boundary: None,
        }
    }

    #[test]
    fn areas_are_approximate_without_boundaries_and_missing_is_hatched() {
        let units = [
            unit("a", 105.0, 18.0, Some(1.0)),
            unit("b", 105.5, 18.5, Some(5.0)),
            unit("c", 104.8, 19.0, None),
        ];
        let m = map_view(
            "m",
            "T".into(),
            &units,
            MapKind::Areas,
            &[1.0, 5.0],
            vec!["≤ 1".into(), "≤ 5".into()],
            "—",
        );
        assert!(m.approximate && !m.boundaries);
        assert_eq!(m.shapes.len(), 3);
        assert_eq!(m.shapes[2].fill, MISSING);
        assert_eq!(m.legend.last().map(|l| l.fill), Some(MISSING));
        let b = map_view(
            "m",
            "T".into(),
            &units,
            MapKind::Bubbles,
            &[1.0, 5.0],
            Vec::new(),
            "—",
        );
        assert!(!b.approximate);
        assert_eq!(b.shapes.len(), 3);
    }

    #[test]
    fn loaded_boundaries_make_a_choropleth() {
        let square: Vec<Polygon> = vec![vec![vec![
            [105.0, 18.0],
            [106.0, 18.0],
            [106.0, 19.0],
            [105.0, 19.0],
        ]]];
        let mut u = unit("a", 105.5, 18.5, Some(2.0));
        u.boundary = Some(&square);
        let m = map_view(
            "m",
            "T".into(),
            &[u],
            MapKind::Areas,
            &[2.0],
            vec!["≤ 2".into()],
            "—",
        );
        assert!(m.boundaries && !m.approximate);
        assert!(m.shapes[0].d.ends_with('Z'));
    }
}

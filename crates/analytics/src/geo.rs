//! Plane geometry for the operations centre's maps, drawn on the server: a
//! projection of longitude/latitude onto a picture, line simplification,
//! convex hulls, and Voronoi cells — the approximate areas of units known
//! only by a point each.
//!
//! Points are `[x, y]`; everything is plain `f64` arithmetic with no
//! dependency, fast enough for a province's 130 communes (a few thousand
//! half-plane cuts) on every request.

/// A point `[x, y]` (or `[longitude, latitude]`).
pub type Point = [f64; 2];

/// An equirectangular projection fitted to a box: longitudes are shrunk by
/// the cosine of the middle latitude so that shapes keep their proportions
/// at the scale of a province or a country.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    lon0: f64,
    lat1: f64,
    kx: f64,
    scale: f64,
    dx: f64,
    dy: f64,
}

impl Projection {
    /// The projection that fits `points` (longitude, latitude) into a
    /// `width` × `height` picture with `margin` on every side; `None` without
    /// points.
    pub fn fit(points: &[Point], width: f64, height: f64, margin: f64) -> Option<Projection> {
        let (mut lon0, mut lon1, mut lat0, mut lat1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for [lon, lat] in points
            .iter()
            .copied()
            .filter(|p| p[0].is_finite() && p[1].is_finite())
        {
            lon0 = lon0.min(lon);
            lon1 = lon1.max(lon);
            lat0 = lat0.min(lat);
            lat1 = lat1.max(lat);
        }
        if lon0 > lon1 {
            return None;
        }
        let kx = ((lat0 + lat1) / 2.0).to_radians().cos().max(0.1);
        let w = ((lon1 - lon0) * kx).max(1e-6);
        let h = (lat1 - lat0).max(1e-6);
        let scale = ((width - 2.0 * margin) / w).min((height - 2.0 * margin) / h);
        Some(Projection {
            lon0,
            lat1,
            kx,
            scale,
            dx: (width - w * scale) / 2.0,
            dy: (height - h * scale) / 2.0,
        })
    }

    /// Where a longitude/latitude falls in the picture.
    pub fn project(&self, p: Point) -> Point {
        [
            self.dx + (p[0] - self.lon0) * self.kx * self.scale,
            self.dy + (self.lat1 - p[1]) * self.scale,
        ]
    }
}

fn cross(o: Point, a: Point, b: Point) -> f64 {
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
}

/// The convex hull of `points`, counter-clockwise in a y-up plane
/// (clockwise on screen), without repeating the first point.
pub fn convex_hull(points: &[Point]) -> Vec<Point> {
    let mut pts: Vec<Point> = points.to_vec();
    pts.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let mut hull: Vec<Point> = Vec::with_capacity(pts.len() * 2);
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &Point>> = if pass == 0 {
            Box::new(pts.iter())
        } else {
            Box::new(pts.iter().rev())
        };
        for p in iter {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], *p) <= 0.0
            {
                hull.pop();
            }
            hull.push(*p);
        }
        hull.pop();
    }
    hull
}

/// A region around `points`: the hull of the points each widened into an
/// octagon of radius `r` (a rounded buffer around their hull).
pub fn padded_hull(points: &[Point], r: f64) -> Vec<Point> {
    let mut around = Vec::with_capacity(points.len() * 8);
    for p in points {
        for k in 0..8 {
            let a = std::f64::consts::FRAC_PI_4 * f64::from(k);
            around.push([p[0] + r * a.cos(), p[1] + r * a.sin()]);
        }
    }
    convex_hull(&around)
}

/// Keeps the part of a convex polygon on `site`'s side of the perpendicular
/// bisector between `site` and `other` (one Sutherland–Hodgman step).
fn cut(poly: &[Point], site: Point, other: Point) -> Vec<Point> {
    let n = [other[0] - site[0], other[1] - site[1]];
    let mid = [(site[0] + other[0]) / 2.0, (site[1] + other[1]) / 2.0];
    let side = |p: Point| (p[0] - mid[0]) * n[0] + (p[1] - mid[1]) * n[1];
    let mut out = Vec::with_capacity(poly.len() + 1);
    for i in 0..poly.len() {
        let a = poly[i];
        let b = poly[(i + 1) % poly.len()];
        let (sa, sb) = (side(a), side(b));
        if sa <= 0.0 {
            out.push(a);
        }
        if (sa < 0.0 && sb > 0.0) || (sa > 0.0 && sb < 0.0) {
            let t = sa / (sa - sb);
            out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
        }
    }
    out
}

fn dist2(a: Point, b: Point) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

/// The Voronoi cell of each site — the points nearer to it than to any other
/// site — within the convex polygon `clip`. Sites at the same place share a
/// cell. A cell is cut by the nearer sites first and stops being cut once
/// the next site is further than twice the cell's reach.
pub fn voronoi(sites: &[Point], clip: &[Point]) -> Vec<Vec<Point>> {
    sites
        .iter()
        .map(|&site| {
            let mut others: Vec<(f64, Point)> = sites
                .iter()
                .filter(|o| **o != site)
                .map(|o| (dist2(site, *o), *o))
                .collect();
            others.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut cell = clip.to_vec();
            for (d2, other) in others {
                let reach = cell.iter().map(|p| dist2(site, *p)).fold(0.0, f64::max);
                if d2 > 4.0 * reach || cell.is_empty() {
                    break;
                }
                cell = cut(&cell, site, other);
            }
            cell
        })
        .collect()
}

/// A line with fewer points: every point left out is within `tolerance` of
/// the simplified line (Douglas–Peucker). The ends are kept.
pub fn simplify(line: &[Point], tolerance: f64) -> Vec<Point> {
    if line.len() < 3 {
        return line.to_vec();
    }
    let mut keep = vec![false; line.len()];
    keep[0] = true;
    keep[line.len() - 1] = true;
    let mut stack = vec![(0usize, line.len() - 1)];
    while let Some((first, last)) = stack.pop() {
        let (a, b) = (line[first], line[last]);
        let len = dist2(a, b).sqrt();
        let mut worst = (0.0, first);
        for (i, p) in line.iter().enumerate().take(last).skip(first + 1) {
            let d = if len == 0.0 {
                dist2(a, *p).sqrt()
            } else {
                cross(a, b, *p).abs() / len
            };
            if d > worst.0 {
                worst = (d, i);
            }
        }
        if worst.0 > tolerance {
            keep[worst.1] = true;
            stack.push((first, worst.1));
            stack.push((worst.1, last));
        }
    }
    line.iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

/// The area of a polygon (absolute value).
pub fn area(poly: &[Point]) -> f64 {
    let mut twice = 0.0;
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[(i + 1) % poly.len()]);
        twice += a[0] * b[1] - b[0] * a[1];
    }
    twice.abs() / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hull_wraps_the_points() {
        let pts = [
            [0.0, 0.0],
            [2.0, 0.0],
            [1.0, 1.0],
            [2.0, 2.0],
            [0.0, 2.0],
            [1.0, 0.0],
        ];
        let hull = convex_hull(&pts);
        assert_eq!(hull.len(), 4);
        assert!((area(&hull) - 4.0).abs() < 1e-9);
        assert!(area(&padded_hull(&pts, 0.5)) > 4.0);
    }

    #[test]
    fn voronoi_cells_tile_the_region() {
        let clip = [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0]];
        let sites = [[1.0, 1.0], [3.0, 1.0], [1.0, 3.0], [3.0, 3.0], [2.0, 2.0]];
        let cells = voronoi(&sites, &clip);
        let total: f64 = cells.iter().map(|c| area(c)).sum();
        assert!((total - 16.0).abs() < 1e-9, "{total}");
        // Each site lies in its own cell: nearer to it than to the others.
        for (site, cell) in sites.iter().zip(&cells) {
            let c = cell
                .iter()
                .fold([0.0, 0.0], |acc, p| [acc[0] + p[0], acc[1] + p[1]]);
            let centre = [c[0] / cell.len() as f64, c[1] / cell.len() as f64];
            let nearest = sites
                .iter()
                .min_by(|a, b| dist2(**a, centre).total_cmp(&dist2(**b, centre)))
                .copied();
            assert_eq!(nearest, Some(*site));
        }
        // Twins share a cell; a lone site owns the region.
        assert_eq!(voronoi(&[[1.0, 1.0]], &clip)[0].len(), 4);
        let twins = voronoi(&[[1.0, 1.0], [1.0, 1.0]], &clip);
        assert_eq!(twins[0], twins[1]);
    }

    #[test]
    fn projection_and_simplification() {
        let p = Projection::fit(&[[104.0, 18.0], [106.0, 20.0]], 100.0, 100.0, 10.0)
            .unwrap_or_else(|| panic!("a projection"));
        let top_left = p.project([104.0, 20.0]);
        let bottom = p.project([105.0, 18.0]);
        assert!((bottom[1] - 90.0).abs() < 1e-6 && (top_left[1] - 10.0).abs() < 1e-6);
        assert!(
            top_left[0] > 10.0,
            "longitudes shrink with the latitude: {top_left:?}"
        );
        assert!(Projection::fit(&[], 1.0, 1.0, 0.0).is_none());
        let line = [[0.0, 0.0], [1.0, 0.01], [2.0, 0.0], [3.0, 5.0]];
        assert_eq!(
            simplify(&line, 0.1),
            vec![[0.0, 0.0], [2.0, 0.0], [3.0, 5.0]]
        );
    }
}

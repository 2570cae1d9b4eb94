//! Boundaries (ranh giới) of administrative units from GeoJSON: a
//! FeatureCollection whose features carry a unit's code in a property and a
//! Polygon or MultiPolygon geometry in WGS84 longitude/latitude (RFC 7946).
//!
//! Reading is bounded (points in all) and strict about shape: a feature
//! without a code or with another kind of geometry is refused with its
//! position, never skipped.

use serde_json::Value;

/// A ring of `[longitude, latitude]` points (closed or not).
pub type Ring = Vec<[f64; 2]>;
/// A polygon: its outer ring, then its holes.
pub type Polygon = Vec<Ring>;

/// One unit's boundary as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    /// The unit's code, from the feature's properties.
    pub code: String,
    /// Its polygons.
    pub polygons: Vec<Polygon>,
}

/// Why a GeoJSON file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeoJsonError {
    /// Not JSON.
    #[error("not JSON: {0}")]
    Malformed(String),
    /// Not a FeatureCollection.
    #[error("not a GeoJSON FeatureCollection")]
    NotACollection,
    /// A feature without the code property.
    #[error("feature {index} has no property {property}")]
    NoCode {
        /// 1-based position of the feature.
        index: usize,
        /// The property looked for.
        property: String,
    },
    /// A feature whose geometry is not a (Multi)Polygon of numbers.
    #[error("feature {index} ({code}) has no Polygon or MultiPolygon geometry")]
    BadGeometry {
        /// 1-based position of the feature.
        index: usize,
        /// Its code.
        code: String,
    },
    /// More points than allowed.
    #[error("more than {max} points")]
    TooManyPoints {
        /// The bound.
        max: usize,
    },
}

/// The boundaries of a FeatureCollection, the unit's code read from
/// `properties[code_property]` (a string, or a number written as is), at
/// most `max_points` points in all.
pub fn read_boundaries(
    bytes: &[u8],
    code_property: &str,
    max_points: usize,
) -> Result<Vec<Boundary>, GeoJsonError> {
    let doc: Value =
        serde_json::from_slice(bytes).map_err(|e| GeoJsonError::Malformed(e.to_string()))?;
    if doc.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(GeoJsonError::NotACollection);
    }
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or(GeoJsonError::NotACollection)?;
    let mut points = 0usize;
    let mut out = Vec::with_capacity(features.len());
    for (i, feature) in features.iter().enumerate() {
        let index = i + 1;
        let code = match feature.get("properties").and_then(|p| p.get(code_property)) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                return Err(GeoJsonError::NoCode {
                    index,
                    property: code_property.to_string(),
                })
            }
        };
        let bad = || GeoJsonError::BadGeometry {
            index,
            code: code.clone(),
        };
        let geometry = feature.get("geometry").ok_or_else(bad)?;
        let coords = geometry.get("coordinates").ok_or_else(bad)?;
        let polygons = match geometry.get("type").and_then(Value::as_str) {
            Some("Polygon") => vec![polygon(coords).ok_or_else(bad)?],
            Some("MultiPolygon") => coords
                .as_array()
                .ok_or_else(bad)?
                .iter()
                .map(polygon)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(bad)?,
            _ => return Err(bad()),
        };
        points += polygons.iter().flatten().map(Vec::len).sum::<usize>();
        if points > max_points {
            return Err(GeoJsonError::TooManyPoints { max: max_points });
        }
        out.push(Boundary { code, polygons });
    }
    Ok(out)
}

/// A polygon's rings; `None` unless every ring has at least three points of
/// two finite numbers each (a third, the altitude, is ignored).
fn polygon(value: &Value) -> Option<Polygon> {
    value
        .as_array()?
        .iter()
        .map(|ring| {
            let ring: Ring = ring
                .as_array()?
                .iter()
                .map(|pt| {
                    let pt = pt.as_array()?;
                    let lon = pt.first()?.as_f64()?;
                    let lat = pt.get(1)?.as_f64()?;
                    (lon.is_finite() && lat.is_finite()).then_some([lon, lat])
                })
                .collect::<Option<_>>()?;
            (ring.len() >= 3).then_some(ring)
        })
        .collect::<Option<Vec<Ring>>>()
        .filter(|rings| !rings.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = "[[[105.0,18.0],[106.0,18.0],[106.0,19.0],[105.0,18.0]]]";

    #[test]
    fn polygons_and_multipolygons_are_read_with_their_codes() {
        let doc = format!(
            r#"{{"type":"FeatureCollection","features":[
            {{"type":"Feature","properties":{{"code":"40"}},"geometry":{{"type":"Polygon","coordinates":{SQUARE}}}}},
            {{"type":"Feature","properties":{{"code":16681}},"geometry":{{"type":"MultiPolygon","coordinates":[{SQUARE},{SQUARE}]}}}}]}}"#
        );
        let read = read_boundaries(doc.as_bytes(), "code", 100).unwrap_or_default();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].code, "40");
        assert_eq!(read[1].code, "16681");
        assert_eq!(read[1].polygons.len(), 2);
        assert_eq!(
            read_boundaries(doc.as_bytes(), "code", 10),
            Err(GeoJsonError::TooManyPoints { max: 10 })
        );
    }

    #[test]
    fn features_without_a_code_or_an_area_are_refused() {
        let no_code = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":{SQUARE}}}}}]}}"#
        );
        assert!(matches!(
            read_boundaries(no_code.as_bytes(), "code", 100),
            Err(GeoJsonError::NoCode { index: 1, .. })
        ));
        let point = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"40"},"geometry":{"type":"Point","coordinates":[105,18]}}]}"#;
        assert!(matches!(
            read_boundaries(point.as_bytes(), "code", 100),
            Err(GeoJsonError::BadGeometry { index: 1, .. })
        ));
        assert_eq!(
            read_boundaries(b"[]", "code", 100),
            Err(GeoJsonError::NotACollection)
        );
    }
}

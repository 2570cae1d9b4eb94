//! The canonical bytes of a report version: the one serialization an outside
//! tool signs (a detached CMS signature), and the server checks a signature
//! against. They hold nothing the submission adds (no submission time), so a
//! draft can be signed before it is submitted, as the version it will become.
//! Documented in docs/canonical-format.md:
//!
//! - UTF-8 JSON without any whitespace outside strings;
//! - the members in the order written below, `values`, `sections` and
//!   `explanations` sorted by key (Unicode code points);
//! - numbers as the stored decimal texts (`1234.5`: no grouping, a point, no
//!   exponent), yes/no as `yes`/`no`, texts as typed;
//! - strings escaped as JSON requires (`"`, `\`, control characters) and
//!   nothing else (Vietnamese letters stay as UTF-8).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::report::Content;

/// The format's name and revision, the first member.
pub const FORMAT: &str = "baocao-report-version/2";

/// What identifies the version besides its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionHeader {
    /// Regime code.
    pub regime: String,
    /// Regime version number.
    pub regime_version: usize,
    /// The reporting unit's code (its name is left out: a unit renamed later
    /// must not change the bytes its earlier versions were signed over).
    pub unit_code: String,
    /// Period id.
    pub period: String,
    /// The version number (for a draft being signed before it is submitted:
    /// the number it will get).
    pub version: i64,
}

#[derive(Serialize)]
struct Canonical<'a> {
    format: &'static str,
    regime: &'a str,
    regime_version: usize,
    unit_code: &'a str,
    period: &'a str,
    version: i64,
    values: &'a BTreeMap<String, String>,
    sections: &'a BTreeMap<String, String>,
    explanations: &'a BTreeMap<String, String>,
}

/// The canonical bytes of a version.
pub fn canonical_bytes(header: &VersionHeader, content: &Content) -> Vec<u8> {
    let c = Canonical {
        format: FORMAT,
        regime: &header.regime,
        regime_version: header.regime_version,
        unit_code: &header.unit_code,
        period: &header.period,
        version: header.version,
        values: &content.values,
        sections: &content.sections,
        explanations: &content.explanations,
    };
    // Serializing strings and numbers into a vector cannot fail.
    serde_json::to_vec(&c).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytes_are_fixed_by_the_format() {
        let header = VersionHeader {
            regime: "BC-LD".into(),
            regime_version: 1,
            unit_code: "16681".into(),
            period: "2025M03".into(),
            version: 2,
        };
        let mut content = Content::default();
        content.values.insert("LD02".into(), "50000".into());
        content.values.insert("LD01".into(), "1234.5".into());
        content
            .sections
            .insert("I".into(), "Tạo việc làm \"tốt\".".into());
        let bytes = canonical_bytes(&header, &content);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert_eq!(
            text,
            r#"{"format":"baocao-report-version/2","regime":"BC-LD","regime_version":1,"unit_code":"16681","period":"2025M03","version":2,"values":{"LD01":"1234.5","LD02":"50000"},"sections":{"I":"Tạo việc làm \"tốt\"."},"explanations":{}}"#
        );
        assert_eq!(
            canonical_bytes(&header, &content),
            bytes,
            "always the same bytes"
        );
    }
}

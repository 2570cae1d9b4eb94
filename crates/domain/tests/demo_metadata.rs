//! The demo metadata document (`crates/tools/demo/metadata.json`): it passes
//! every check of the catalogue, covers the nine fields of Decision 293, and is
//! written exactly as export writes it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use baocao_domain::calendar::WorkCalendar;
use baocao_domain::catalogue::{self, CheckContext, Metadata, RegimeKind, FIELDS};

const TEXT: &str = include_str!("../../tools/demo/metadata.json");

/// The monthly socio-economic regime of the province.
const MONTHLY: &str = "BC-KTXH-T";

fn document() -> Metadata {
    serde_json::from_str(TEXT).expect("the demo metadata is valid JSON of the format")
}

#[test]
fn demo_metadata_passes_every_check() {
    let meta = document();
    let calendar = WorkCalendar::new();
    let levels: Vec<String> = ["central", "province", "district", "commune"]
        .map(String::from)
        .to_vec();
    let ctx = CheckContext {
        calendar: &calendar,
        levels: &levels,
    };
    if let Err(problems) = catalogue::check(&meta, &ctx) {
        let lines: Vec<String> = problems
            .iter()
            .map(|p| format!("{}: {:?}", p.path, p.message))
            .collect();
        panic!(
            "{} problem(s) in the demo metadata:\n{}",
            lines.len(),
            lines.join("\n")
        );
    }
}

#[test]
fn demo_metadata_is_written_as_export_writes_it() {
    let mut meta = document();
    meta.sort();
    let mut text = serde_json::to_string_pretty(&meta).unwrap();
    text.push('\n');
    if text != TEXT {
        let line = text
            .lines()
            .zip(TEXT.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| text.lines().count().min(TEXT.lines().count()));
        panic!(
            "export differs from the file from line {}:\nexport: {:?}\nfile:   {:?}",
            line + 1,
            text.lines().nth(line),
            TEXT.lines().nth(line)
        );
    }
}

#[test]
fn demo_monthly_regime_covers_the_nine_fields() {
    let meta = document();
    let regime = meta.regime(MONTHLY).expect("the monthly regime");
    assert!(
        regime.versions.len() >= 2,
        "the monthly regime is versioned"
    );
    for version in &regime.versions {
        let codes: BTreeSet<&str> = version
            .forms
            .iter()
            .flat_map(|f| f.rows.iter().map(|r| r.indicator.as_str()))
            .collect();
        assert!(
            codes.len() >= 30,
            "version from {} has {} indicators",
            version.from,
            codes.len()
        );
        let fields: BTreeSet<&str> = codes
            .iter()
            .filter_map(|c| meta.indicator(c))
            .filter_map(|i| i.field.as_deref())
            .collect();
        for field in FIELDS {
            assert!(
                fields.contains(field),
                "field {field} unused in the version from {}",
                version.from
            );
        }
    }
    let computed = meta
        .indicators
        .iter()
        .filter(|i| i.formula.is_some())
        .count();
    assert!(computed >= 2, "{computed} computed indicators");
}

#[test]
fn demo_metadata_has_requests_for_requested_regimes() {
    let meta = document();
    assert!(!meta.requests.is_empty());
    for request in &meta.requests {
        let regime = meta.regime(&request.regime).expect("the request's regime");
        assert_ne!(regime.latest().unwrap().kind, RegimeKind::Periodic);
    }
}

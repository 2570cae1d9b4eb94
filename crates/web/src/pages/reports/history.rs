//! A report's history: its submitted versions side by side (every cell any
//! version has, the changed ones marked) and its workflow steps.

use baocao_app::i18n::{t, Lang};
use baocao_app::reports::{EventView, VersionView};

use super::table::display;
use crate::pages::view::{screen_date, screen_time};

pub(super) struct DiffRow {
    pub cell: String,
    pub values: Vec<String>,
    pub changed: bool,
}

/// Each version's heading: its number, the day it was submitted, on time or late.
pub(super) fn version_heads(lang: Lang, versions: &[VersionView]) -> Vec<String> {
    versions
        .iter()
        .map(|v| {
            let when = chrono::DateTime::from_timestamp(v.submitted_at, 0)
                .map(|d| {
                    screen_date(
                        d.with_timezone(&baocao_domain::report::VIETNAM)
                            .date_naive(),
                    )
                })
                .unwrap_or_default();
            let timing = t(
                lang,
                if v.on_time {
                    "report.on_time"
                } else {
                    "report.late"
                },
            );
            format!(
                "{} {} · {when} · {timing}",
                t(lang, "regime.version"),
                v.version
            )
        })
        .collect()
}

/// Every cell that any version has, with its value in each version.
pub(super) fn diff(versions: &[VersionView]) -> Vec<DiffRow> {
    let mut cells: Vec<&String> = versions
        .iter()
        .flat_map(|v| v.content.values.keys())
        .collect();
    cells.sort();
    cells.dedup();
    cells
        .into_iter()
        .map(|cell| {
            let values: Vec<String> = versions
                .iter()
                .map(|v| {
                    v.content
                        .values
                        .get(cell)
                        .map(|x| display(x))
                        .unwrap_or_default()
                })
                .collect();
            let changed = values.windows(2).any(|w| w[0] != w[1]);
            DiffRow {
                cell: cell.clone(),
                values,
                changed,
            }
        })
        .collect()
}

/// The workflow steps: when, what (for which version), who, and why.
pub(super) fn events(lang: Lang, events: &[EventView]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            let when = screen_time(e.at);
            let action = t(
                lang,
                &format!("report.event.{}", e.action.trim_start_matches("report.")),
            );
            let who = e.by.clone().unwrap_or_default();
            match &e.reason {
                Some(r) => format!("{when} · {action} ({}) · {who}: {r}", e.version),
                None => format!("{when} · {action} ({}) · {who}", e.version),
            }
        })
        .collect()
}

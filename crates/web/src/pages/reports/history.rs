//! A report's history: its submitted versions side by side (by indicator
//! name, narrative sections too, what changed marked in words) and its
//! workflow steps.

use baocao_app::audit::HistoryLine;
use baocao_app::i18n::{t, Lang};
use baocao_app::reports::VersionView;
use baocao_domain::catalogue::{Metadata, RegimeVersion};

use super::table::display;
use crate::pages::view::{in_lang, screen_date, screen_time};

/// One line of the comparison of versions: a cell or a narrative section.
pub(super) struct DiffRow {
    /// The cell key or `section NUMBER`, for the code column.
    pub cell: String,
    /// The indicator's (and option's) name, or the section's title.
    pub name: String,
    /// Its value in each version, and whether it differs from the version before.
    pub values: Vec<(String, bool)>,
    /// Whether any version differs from another.
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

/// The versions compared, line by line: every cell any version has (by its
/// indicator's name) and every narrative section, with each value marked
/// where it differs from the version before; only the lines that changed
/// unless `all` (or there is a single version: nothing to compare).
pub(super) fn diff(
    lang: Lang,
    meta: &Metadata,
    version: &RegimeVersion,
    versions: &[VersionView],
    all: bool,
) -> Vec<DiffRow> {
    let mut cells: Vec<&String> = versions
        .iter()
        .flat_map(|v| v.content.values.keys())
        .collect();
    cells.sort();
    cells.dedup();
    let line = |cell: String, name: String, values: Vec<String>| {
        let marked: Vec<(String, bool)> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (v.clone(), i > 0 && values[i - 1] != *v))
            .collect();
        DiffRow {
            cell,
            name,
            changed: marked.iter().any(|(_, m)| *m),
            values: marked,
        }
    };
    let numbers = cells.into_iter().map(|cell| {
        let name = meta
            .cell_names(cell)
            .map(|(vi, en)| in_lang(lang, &vi, &en).to_string())
            .unwrap_or_default();
        let values = versions
            .iter()
            .map(|v| {
                v.content
                    .values
                    .get(cell)
                    .map(|x| display(x))
                    .unwrap_or_default()
            })
            .collect();
        line(cell.clone(), name, values)
    });
    let sections = version.outline.iter().map(|s| {
        let values = versions
            .iter()
            .map(|v| {
                v.content
                    .sections
                    .get(&s.number)
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        let title = in_lang(lang, &s.title_vi, &s.title_en);
        line(
            format!("{} {}", t(lang, "report.section"), s.number),
            title.to_string(),
            values,
        )
    });
    let all = all || versions.len() < 2;
    numbers
        .chain(sections)
        .filter(|d| all || d.changed)
        .filter(|d| d.values.iter().any(|(v, _)| !v.is_empty()))
        .collect()
}

/// The report's history from the ledger: the entry's number, when, who,
/// what (for which version), and why.
pub(super) fn ledger_lines(lang: Lang, lines: &[HistoryLine]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            let when = screen_time(l.at);
            let mut action = t(lang, &format!("report.event.{}", l.action.verb()));
            if let Some(v) = l.version {
                action = format!("{action} {v}");
            }
            let entry = format!("{} {}", t(lang, "report.ledger_entry"), l.seq);
            if let Some((signer, serial, issuer)) = &l.signature {
                let said = baocao_app::i18n::render(
                    lang,
                    &baocao_domain::Message::new("report.event_signature")
                        .arg("signer", signer)
                        .arg("serial", serial)
                        .arg("issuer", issuer),
                );
                return format!("{entry} · {when} · {} · {action}: {said}", l.actor);
            }
            match &l.reason {
                Some(r) if !r.is_empty() => {
                    format!("{entry} · {when} · {} · {action}: {r}", l.actor)
                }
                _ => format!("{entry} · {when} · {} · {action}", l.actor),
            }
        })
        .collect()
}

//! What the audit ledger proves about the tables: the content of every
//! submitted or imported version (recorded in full in its entry), and the
//! status each report is in after its last workflow entry. The store reads
//! the tables; these functions say what the ledger recorded and where the
//! two first differ, naming the cell ("HC02 is 335 in the table, 334 in the
//! ledger").

pub mod accounts;
pub mod calendar;
pub mod trust;
pub mod units;

use crate::audit::{Action, AuditEvent};
use crate::report::{Content, ReportId, Status};

/// A version as a `report.submit` or `report.import` entry recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedVersion {
    /// The report.
    pub report: ReportId,
    /// The version number.
    pub version: i64,
    /// Its content, as frozen.
    pub content: Content,
}

/// The version an entry recorded, for the entries that record one in full
/// (a submission, an import); `None` for the others.
pub fn recorded_version(event: AuditEvent) -> Option<RecordedVersion> {
    match event {
        AuditEvent::Submitted {
            report,
            version,
            content,
            ..
        } => Some(RecordedVersion {
            report,
            version,
            content,
        }),
        AuditEvent::Imported {
            report, content, ..
        } => Some(RecordedVersion {
            report,
            version: 1,
            content,
        }),
        _ => None,
    }
}

/// The status a report is in right after an entry with `action` (`None`
/// for entries that leave it as it was: a save, an attachment, a synthesis).
pub fn status_after(action: Action) -> Option<Status> {
    Some(match action {
        Action::ReportCreate | Action::ReportCorrect | Action::ReportRecall => Status::Draft,
        Action::ReportSubmit => Status::Submitted,
        Action::ReportReturn => Status::Returned,
        Action::ReportAccept | Action::ReportImport => Status::Accepted,
        _ => return None,
    })
}

/// An attachment as its `report.attach` entry recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedAttachment {
    /// The attachment's id.
    pub attachment: i64,
    /// File name.
    pub name: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the bytes (hex).
    pub sha256: String,
}

/// The attachment an entry recorded, with its report (`None` for other
/// entries).
pub fn recorded_attachment(event: &AuditEvent) -> Option<(ReportId, RecordedAttachment)> {
    match event {
        AuditEvent::Attached {
            report,
            attachment,
            name,
            size,
            sha256,
        } => Some((
            *report,
            RecordedAttachment {
                attachment: *attachment,
                name: name.clone(),
                size: i64::try_from(*size).unwrap_or(i64::MAX),
                sha256: sha256.clone(),
            },
        )),
        _ => None,
    }
}

/// How an entry changes a report's working copy (the `draft` column).
#[derive(Debug, Clone, PartialEq, Eq, Copy)]
pub enum DraftChange {
    /// It records the whole working copy: made empty (`report.create`),
    /// saved, submitted (the version is the draft) or imported.
    Whole,
    /// It records only the cells a synthesis changed (`report.synthesize`).
    Cells,
}

/// How an entry with `action` changes the working copy (`None`: it leaves
/// it as it was).
pub fn draft_change(action: Action) -> Option<DraftChange> {
    match action {
        Action::ReportCreate | Action::ReportSave | Action::ReportSubmit | Action::ReportImport => {
            Some(DraftChange::Whole)
        }
        Action::ReportSynthesize => Some(DraftChange::Cells),
        _ => None,
    }
}

/// The working copy the ledger proves: the last entry that recorded it
/// whole, then the cells each later synthesis changed (a cell changed to ""
/// was cleared). `None` if `whole` does not record a whole copy.
pub fn draft_after<'a>(
    whole: &AuditEvent,
    fills: impl IntoIterator<Item = &'a AuditEvent>,
) -> Option<Content> {
    let mut content = match whole {
        AuditEvent::ReportCreated { .. } => Content::default(),
        AuditEvent::DraftSaved { content, .. }
        | AuditEvent::Submitted { content, .. }
        | AuditEvent::Imported { content, .. } => content.clone(),
        _ => return None,
    };
    for fill in fills {
        let AuditEvent::Synthesized { changed, .. } = fill else {
            return None;
        };
        for (cell, _, after) in changed {
            if after.is_empty() {
                content.values.remove(cell);
            } else {
                content.values.insert(cell.clone(), after.clone());
            }
        }
    }
    Some(content)
}

/// Where a stored content first differs from the recorded one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// `value`, `section` or `explanation`.
    pub part: &'static str,
    /// The cell, section number or rule code.
    pub key: String,
    /// What the table holds (`None`: absent).
    pub stored: Option<String>,
    /// What the ledger recorded (`None`: absent).
    pub recorded: Option<String>,
}

/// The first difference between a stored content and the recorded one, in
/// the order cells, sections, explanations, each by key.
pub fn first_difference(stored: &Content, recorded: &Content) -> Option<Difference> {
    let parts = [
        ("value", &stored.values, &recorded.values),
        ("section", &stored.sections, &recorded.sections),
        ("explanation", &stored.explanations, &recorded.explanations),
    ];
    for (part, s, r) in parts {
        let mut keys: Vec<&String> = s.keys().chain(r.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let (a, b) = (s.get(key), r.get(key));
            if a != b {
                return Some(Difference {
                    part,
                    key: key.clone(),
                    stored: a.cloned(),
                    recorded: b.cloned(),
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(pairs: &[(&str, &str)]) -> Content {
        let mut c = Content::default();
        for (k, v) in pairs {
            c.values.insert((*k).to_string(), (*v).to_string());
        }
        c
    }

    fn submitted(version: i64, values: &[(&str, &str)]) -> AuditEvent {
        AuditEvent::Submitted {
            report: ReportId::new(4151),
            version,
            on_time: true,
            reason: None,
            content: content(values),
        }
    }

    #[test]
    fn a_submission_records_its_version_in_full() {
        let v = recorded_version(submitted(2, &[("HC02", "334")])).unwrap();
        assert_eq!((v.report, v.version), (ReportId::new(4151), 2));
        assert_eq!(v.content, content(&[("HC02", "334")]));
        let accepted = AuditEvent::Accepted {
            report: ReportId::new(4151),
            version: 2,
            reason: None,
        };
        assert_eq!(recorded_version(accepted), None);
    }

    #[test]
    fn the_first_difference_names_the_cell_and_both_values() {
        let stored = content(&[("HC01", "1"), ("HC02", "335")]);
        let recorded = content(&[("HC01", "1"), ("HC02", "334")]);
        let d = first_difference(&stored, &recorded).unwrap();
        assert_eq!((d.part, d.key.as_str()), ("value", "HC02"));
        assert_eq!(
            (d.stored.as_deref(), d.recorded.as_deref()),
            (Some("335"), Some("334"))
        );
        assert_eq!(first_difference(&recorded, &recorded), None);
        let extra = content(&[("HC01", "1"), ("HC02", "334"), ("HC03", "9")]);
        let d = first_difference(&extra, &recorded).unwrap();
        assert_eq!((d.key.as_str(), d.recorded), ("HC03", None));
    }

    #[test]
    fn the_draft_is_the_last_whole_copy_with_the_synthesized_cells() {
        assert_eq!(draft_change(Action::ReportSubmit), Some(DraftChange::Whole));
        assert_eq!(
            draft_change(Action::ReportSynthesize),
            Some(DraftChange::Cells)
        );
        assert_eq!(draft_change(Action::ReportAccept), None);
        let report = ReportId::new(3);
        let saved = AuditEvent::DraftSaved {
            report,
            content: content(&[("A", "1"), ("B", "2"), ("C", "3")]),
        };
        let fill = AuditEvent::Synthesized {
            report,
            aggregated: vec!["x".into()],
            expected: 2,
            changed: vec![
                ("B".into(), Some("2".into()), "20".into()),
                ("C".into(), Some("3".into()), String::new()),
                ("D".into(), None, "4".into()),
            ],
        };
        assert_eq!(
            draft_after(&saved, [&fill]).unwrap(),
            content(&[("A", "1"), ("B", "20"), ("D", "4")])
        );
        assert_eq!(
            draft_after(&submitted(1, &[("A", "5")]), []).unwrap(),
            content(&[("A", "5")])
        );
        // Only a whole copy starts a draft, and only syntheses change it.
        assert_eq!(draft_after(&fill, []), None);
        assert_eq!(draft_after(&saved, [&saved]), None);
    }

    #[test]
    fn statuses_follow_the_workflow_entries() {
        assert_eq!(status_after(Action::ReportSubmit), Some(Status::Submitted));
        assert_eq!(status_after(Action::ReportImport), Some(Status::Accepted));
        assert_eq!(status_after(Action::ReportRecall), Some(Status::Draft));
        assert_eq!(status_after(Action::ReportSave), None);
    }
}

//! What the audit ledger proves about the tables: the content of every
//! submitted or imported version (recorded in full in its entry), and the
//! status each report is in after its last workflow entry. The store reads
//! the tables; these functions say what the ledger recorded and where the
//! two first differ, naming the cell ("HC02 is 335 in the table, 334 in the
//! ledger").

use serde::Deserialize;

pub mod accounts;
pub mod calendar;
pub mod trust;
pub mod units;

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

#[derive(Deserialize)]
struct VersionPayload {
    version: i64,
    content: Content,
}

/// The report of a subject `report:42`.
pub fn report_of(subject: &str) -> Option<ReportId> {
    subject
        .strip_prefix("report:")?
        .parse::<i64>()
        .ok()
        .map(ReportId::new)
}

/// The version an entry recorded, for the entries that record one in full
/// (a submission, an import); `None` for the others.
pub fn recorded_version(action: &str, subject: &str, payload: &str) -> Option<RecordedVersion> {
    if action != "report.submit" && action != "report.import" {
        return None;
    }
    let report = report_of(subject)?;
    let p: VersionPayload = serde_json::from_str(payload).ok()?;
    Some(RecordedVersion {
        report,
        version: p.version,
        content: p.content,
    })
}

/// The status a report is in right after an entry with `action` (`None`
/// for entries that leave it as it was: a save, an attachment, a synthesis).
pub fn status_after(action: &str) -> Option<Status> {
    Some(match action {
        "report.create" | "report.correct" | "report.recall" => Status::Draft,
        "report.submit" => Status::Submitted,
        "report.return" => Status::Returned,
        "report.accept" | "report.import" => Status::Accepted,
        _ => return None,
    })
}

/// An attachment as its `report.attach` entry recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
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
pub fn recorded_attachment(
    action: &str,
    subject: &str,
    payload: &str,
) -> Option<(ReportId, RecordedAttachment)> {
    if action != "report.attach" {
        return None;
    }
    Some((report_of(subject)?, serde_json::from_str(payload).ok()?))
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
pub fn draft_change(action: &str) -> Option<DraftChange> {
    match action {
        "report.create" | "report.save" | "report.submit" | "report.import" => {
            Some(DraftChange::Whole)
        }
        "report.synthesize" => Some(DraftChange::Cells),
        _ => None,
    }
}

#[derive(Deserialize)]
struct FilledPayload {
    changed: Vec<(String, Option<String>, String)>,
}

/// The working copy the ledger proves: the last entry that recorded it
/// whole, then the cells each later synthesis changed (a cell changed to ""
/// was cleared). `None` if an entry does not read.
pub fn draft_after<'a>(
    whole: (&str, &str),
    fills: impl IntoIterator<Item = &'a str>,
) -> Option<Content> {
    let (action, payload) = whole;
    let mut content = match action {
        "report.create" => Content::default(),
        "report.save" => serde_json::from_str(payload).ok()?,
        _ => {
            serde_json::from_str::<VersionPayload>(payload)
                .ok()?
                .content
        }
    };
    for payload in fills {
        let filled: FilledPayload = serde_json::from_str(payload).ok()?;
        for (cell, _, after) in filled.changed {
            if after.is_empty() {
                content.values.remove(&cell);
            } else {
                content.values.insert(cell, after);
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

    #[test]
    fn a_submission_records_its_version_in_full() {
        let payload =
            r#"{"version":2,"on_time":true,"reason":null,"content":{"values":{"HC02":"334"}}}"#;
        let v = recorded_version("report.submit", "report:4151", payload).unwrap();
        assert_eq!((v.report, v.version), (ReportId::new(4151), 2));
        assert_eq!(v.content, content(&[("HC02", "334")]));
        assert_eq!(
            recorded_version("report.accept", "report:4151", payload),
            None
        );
        assert_eq!(recorded_version("report.submit", "unit:40", payload), None);
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
        assert_eq!(draft_change("report.submit"), Some(DraftChange::Whole));
        assert_eq!(draft_change("report.synthesize"), Some(DraftChange::Cells));
        assert_eq!(draft_change("report.accept"), None);
        let saved = r#"{"values":{"A":"1","B":"2","C":"3"}}"#;
        let fill = r#"{"aggregated":["x"],"expected":2,"changed":[["B","2","20"],["C","3",""],["D",null,"4"]]}"#;
        assert_eq!(
            draft_after(("report.save", saved), [fill]).unwrap(),
            content(&[("A", "1"), ("B", "20"), ("D", "4")])
        );
        assert_eq!(
            draft_after(("report.create", "{}"), []).unwrap(),
            Content::default()
        );
        let submitted =
            r#"{"version":1,"on_time":true,"reason":null,"content":{"values":{"A":"5"}}}"#;
        assert_eq!(
            draft_after(("report.submit", submitted), []).unwrap(),
            content(&[("A", "5")])
        );
        assert_eq!(draft_after(("report.save", "not json"), []), None);
    }

    #[test]
    fn statuses_follow_the_workflow_entries() {
        assert_eq!(status_after("report.submit"), Some(Status::Submitted));
        assert_eq!(status_after("report.import"), Some(Status::Accepted));
        assert_eq!(status_after("report.recall"), Some(Status::Draft));
        assert_eq!(status_after("report.save"), None);
    }
}

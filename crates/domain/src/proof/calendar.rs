//! What the ledger proves about the work calendar: every exception (a day off
//! or a make-up working day) was added through the application, and the
//! table holds exactly the exceptions the ledger added and did not remove,
//! with their kind and reason.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::audit::AuditEvent;

/// An exception as recorded or stored: its kind (`day_off`,
/// `working_day`) and reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exception {
    /// The date.
    pub day: NaiveDate,
    /// `day_off` or `working_day`.
    pub kind: String,
    /// Why.
    pub reason: String,
}

/// The exceptions as the ledger recorded them so far, with the entry that
/// last touched each date.
#[derive(Debug, Default)]
pub struct RecordedCalendar {
    days: BTreeMap<NaiveDate, (Option<(String, String)>, i64)>,
}

impl RecordedCalendar {
    /// Takes in entry `seq` if it is about the calendar.
    pub fn feed(&mut self, seq: i64, event: &AuditEvent) {
        match event {
            AuditEvent::CalendarBaseline { exceptions } => {
                for e in exceptions {
                    self.days
                        .insert(e.day, (Some((e.kind.clone(), e.reason.clone())), seq));
                }
            }
            AuditEvent::CalendarExceptionAdded { exception: e } => {
                self.days
                    .insert(e.day, (Some((e.kind.clone(), e.reason.clone())), seq));
            }
            AuditEvent::CalendarExceptionRemoved { day } => {
                self.days.insert(*day, (None, seq));
            }
            _ => {}
        }
    }
}

/// Where the calendar first differs from the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarDifference {
    /// An exception in the table no entry added.
    WithoutEntry {
        /// The date.
        day: NaiveDate,
    },
    /// An exception the ledger holds that the table lacks (or the reverse of
    /// a removal), or one whose kind or reason differs.
    Differs {
        /// The date.
        day: NaiveDate,
        /// In the table (`None`: absent).
        stored: Option<(String, String)>,
        /// As recorded (`None`: removed).
        recorded: Option<(String, String)>,
        /// The entry that last touched the date.
        seq: i64,
    },
}

/// The first difference, by date, between the stored exceptions and the
/// recorded ones.
pub fn first_calendar_difference(
    recorded: &RecordedCalendar,
    stored: &[Exception],
) -> Option<CalendarDifference> {
    let stored: BTreeMap<NaiveDate, (String, String)> = stored
        .iter()
        .map(|e| (e.day, (e.kind.clone(), e.reason.clone())))
        .collect();
    let mut days: Vec<&NaiveDate> = stored.keys().chain(recorded.days.keys()).collect();
    days.sort();
    days.dedup();
    for day in days {
        let s = stored.get(day);
        match recorded.days.get(day) {
            None => return Some(CalendarDifference::WithoutEntry { day: *day }),
            Some((r, seq)) if r.as_ref() != s => {
                return Some(CalendarDifference::Differs {
                    day: *day,
                    stored: s.cloned(),
                    recorded: r.clone(),
                    seq: *seq,
                })
            }
            Some(_) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn exception(d: &str, kind: &str, reason: &str) -> Exception {
        Exception {
            day: day(d),
            kind: kind.into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn the_calendar_is_proven_date_by_date() {
        let mut r = RecordedCalendar::default();
        let added = |e: Exception| AuditEvent::CalendarExceptionAdded { exception: e };
        r.feed(1, &added(exception("2026-09-01", "day_off", "Nghỉ lễ")));
        r.feed(2, &added(exception("2026-09-05", "working_day", "Làm bù")));
        r.feed(
            3,
            &AuditEvent::CalendarExceptionRemoved {
                day: day("2026-09-05"),
            },
        );
        r.feed(
            4,
            &AuditEvent::DraftSaved {
                report: crate::report::ReportId::new(1),
                content: crate::report::Content::default(),
            },
        );
        let table = vec![exception("2026-09-01", "day_off", "Nghỉ lễ")];
        assert_eq!(first_calendar_difference(&r, &table), None);

        // Removed in the ledger, put back in the table.
        let mut back = table.clone();
        back.push(exception("2026-09-05", "working_day", "Làm bù"));
        assert!(matches!(
            first_calendar_difference(&r, &back),
            Some(CalendarDifference::Differs {
                seq: 3,
                recorded: None,
                ..
            })
        ));
        // Added behind the back.
        let mut added = table.clone();
        added.push(exception("2026-12-24", "day_off", "x"));
        assert_eq!(
            first_calendar_difference(&r, &added),
            Some(CalendarDifference::WithoutEntry {
                day: day("2026-12-24")
            })
        );
        // A reason changed; the exception deleted.
        let changed = vec![exception("2026-09-01", "day_off", "Khác")];
        assert!(matches!(
            first_calendar_difference(&r, &changed),
            Some(CalendarDifference::Differs { seq: 1, .. })
        ));
        assert!(matches!(
            first_calendar_difference(&r, &[]),
            Some(CalendarDifference::Differs {
                seq: 1,
                stored: None,
                ..
            })
        ));
        // A baseline takes over what was there before.
        let mut b = RecordedCalendar::default();
        b.feed(
            1,
            &AuditEvent::CalendarBaseline {
                exceptions: added.clone(),
            },
        );
        assert_eq!(first_calendar_difference(&b, &added), None);
    }
}

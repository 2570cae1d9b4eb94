//! Who owes which report, to whom, for which periods (nghĩa vụ báo cáo): the
//! placement of a unit in a regime version's reporting groups, which periods
//! can be reported, and how urgent an owed report is.

use chrono::NaiveDate;
use serde::Serialize;

use crate::catalogue::{RegimeKind, RegimeVersion, UnitSelector};
use crate::message::Message;
use crate::period::PeriodId;
use crate::report::Status;
use crate::unit::{OrgUnit, UnitId};

/// Where a unit sits in a regime version: its group and whom it reports to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Index of its reporting group.
    pub group: usize,
    /// The unit that receives its report.
    pub receiver: UnitId,
}

/// Whether a reporting group's selector takes `unit`: a list of codes, or a
/// level and/or kind.
pub fn selector_matches(select: &UnitSelector, unit: &OrgUnit) -> bool {
    if !select.units.is_empty() {
        return select.units.iter().any(|c| c == unit.code.as_str());
    }
    select
        .level
        .as_deref()
        .is_none_or(|l| l == unit.level.as_str())
        && select
            .kind
            .as_deref()
            .is_none_or(|k| k == unit.kind.as_str())
}

/// The group of `unit` in `version` and its receiver: the nearest ancestor that
/// reports at a later stage (commune → district), else the regime's receiving
/// unit. `ancestors` are nearest first; `receiving` are the ids carrying the
/// receiving unit's code.
///
/// The receiving unit itself has its own **consolidated report**, synthesized
/// from what it receives and sent to the level above (outside this system
/// until it is connected): its receiver is itself — so nobody here reviews it —
/// and it is due with the regime's last stage.
pub fn placement(
    version: &RegimeVersion,
    unit: &OrgUnit,
    ancestors: &[OrgUnit],
    receiving: &[UnitId],
) -> Option<Placement> {
    let root = ancestors
        .iter()
        .map(|a| a.id)
        .find(|id| receiving.contains(id));
    let found = version.reporting.iter().enumerate().find(|(_, g)| {
        selector_matches(&g.select, unit) && (root.is_some() || !g.select.units.is_empty())
    });
    let Some((group, g)) = found else {
        if !receiving.contains(&unit.id) {
            return None;
        }
        let last = version
            .reporting
            .iter()
            .enumerate()
            .max_by_key(|(_, g)| g.stage)
            .map(|(i, _)| i)?;
        return Some(Placement {
            group: last,
            receiver: unit.id,
        });
    };
    for a in ancestors {
        if Some(a.id) == root {
            break;
        }
        let reports_later = version
            .reporting
            .iter()
            .any(|h| h.stage > g.stage && selector_matches(&h.select, a));
        if reports_later {
            return Some(Placement {
                group,
                receiver: a.id,
            });
        }
    }
    let receiver = root.or_else(|| receiving.first().copied())?;
    Some(Placement { group, receiver })
}

/// Whether `unit` reports `period` under `version` as a periodic report: the
/// period has the version's frequency, its cut-off window has begun by
/// `today` (nobody reports on a month that has not started) and the unit
/// exists at the window's end (an abolished ward owes nothing after it ends;
/// a commune made in July 2025 owes nothing before). Why not, otherwise.
pub fn reportable(
    version: &RegimeVersion,
    unit: &OrgUnit,
    period: &PeriodId,
    today: NaiveDate,
) -> Result<(), Message> {
    if version.kind != RegimeKind::Periodic || period.frequency() != version.frequency {
        return Err(Message::new("report.error.wrong_period").arg("value", period.to_string()));
    }
    let window = period.cutoff_window(version.convention);
    if window.first() > today {
        return Err(Message::new("report.error.future_period").arg("value", period.to_string()));
    }
    if !unit.validity.contains(window.last()) {
        return Err(Message::new("report.error.unit_not_valid")
            .arg("unit", &unit.name)
            .arg("value", period.to_string()));
    }
    Ok(())
}

/// How urgent an obligation is, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Returned by the receiving unit: to correct and resubmit.
    Returned,
    /// Past the deadline and not submitted.
    Overdue,
    /// Due within the next 5 days.
    DueSoon,
    /// Due later.
    Upcoming,
    /// Submitted, waiting for the receiving unit.
    Waiting,
    /// Accepted.
    Done,
}

/// Days before a deadline from which a report is "due soon".
pub const DUE_SOON_DAYS: i64 = 5;

/// How urgent a report is, from its status and deadline.
pub fn urgency(status: Option<Status>, due: NaiveDate, today: NaiveDate) -> Urgency {
    match status {
        Some(Status::Returned) => Urgency::Returned,
        Some(Status::Accepted) => Urgency::Done,
        Some(Status::Submitted) => Urgency::Waiting,
        _ if due < today => Urgency::Overdue,
        _ if (due - today).num_days() <= DUE_SOON_DAYS => Urgency::DueSoon,
        _ => Urgency::Upcoming,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::RegimeVersion;
    use crate::period::{Convention, Frequency};
    use crate::unit::{Level, UnitCode, UnitKind, Validity};

    fn unit(id: i64, level: &str, to: Option<NaiveDate>) -> OrgUnit {
        OrgUnit {
            id: UnitId::new(id),
            kind: UnitKind::Area,
            level: Level::parse(level).unwrap(),
            code: UnitCode::parse(UnitKind::Area, "40").unwrap(),
            name: format!("U{id}"),
            division_type: String::new(),
            parent: None,
            validity: Validity { from: None, to },
            lat: None,
            lon: None,
        }
    }

    fn monthly() -> RegimeVersion {
        serde_json::from_value(serde_json::json!({
            "from": "2024M01", "name_vi": "x", "name_en": "x", "legal_basis": "x",
            "kind": "periodic", "frequency": "monthly", "convention": "administrative",
            "receiving_unit": "40", "methods": [], "reporting": [],
        }))
        .unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn only_started_periods_of_the_regimes_frequency_while_the_unit_exists() {
        let v = monthly();
        let ward = unit(1, "commune", Some(day(2025, 6, 30)));
        let today = day(2026, 5, 20);
        let p = |s: &str| s.parse::<PeriodId>().unwrap();
        assert!(reportable(&v, &ward, &p("2025M05"), today).is_ok());
        // The window of 2025M07 (15/06–14/07) ends after the ward was abolished.
        assert!(reportable(&v, &ward, &p("2025M07"), today).is_err());
        let commune = unit(2, "commune", None);
        assert!(reportable(&v, &commune, &p("2026M05"), today).is_ok());
        // 2026M06's window starts on 15/05: started; 2026M07's on 15/06: not yet.
        assert!(reportable(&v, &commune, &p("2026M06"), today).is_ok());
        for wrong in [
            "2026M07",
            "2099M12",
            "2026",
            "2026Q1",
            "2026S1",
            "ADHOC:2026-03-01..2026-03-20",
        ] {
            assert!(
                reportable(&v, &commune, &p(wrong), today).is_err(),
                "{wrong}"
            );
        }
        let mut yearly = monthly();
        yearly.frequency = Frequency::Yearly;
        yearly.convention = Convention::Calendar;
        assert!(reportable(&yearly, &commune, &p("2025"), today).is_ok());
        assert!(reportable(&yearly, &commune, &p("2026M05"), today).is_err());
    }

    #[test]
    fn urgency_follows_status_then_deadline() {
        let today = day(2026, 3, 10);
        assert_eq!(
            urgency(Some(Status::Returned), day(2026, 1, 1), today),
            Urgency::Returned
        );
        assert_eq!(urgency(None, day(2026, 3, 9), today), Urgency::Overdue);
        assert_eq!(
            urgency(Some(Status::Draft), day(2026, 3, 15), today),
            Urgency::DueSoon
        );
        assert_eq!(urgency(None, day(2026, 3, 16), today), Urgency::Upcoming);
        assert_eq!(
            urgency(Some(Status::Submitted), day(2026, 3, 1), today),
            Urgency::Waiting
        );
        assert_eq!(
            urgency(Some(Status::Accepted), day(2026, 3, 1), today),
            Urgency::Done
        );
    }
}

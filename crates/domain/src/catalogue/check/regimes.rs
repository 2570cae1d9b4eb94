//! Regimes and their versions: order of the versions, what a version must
//! name, its reporting groups and their deadline rules.

use std::collections::HashSet;
use std::ops::RangeInclusive;

use chrono::Datelike;

use crate::calendar::WorkCalendar;
use crate::catalogue::{Regime, RegimeKind, RegimeVersion};
use crate::deadline::{check_rule, deadline, DeadlineError, DeadlineRule};
use crate::message::Message;
use crate::period::{periods_in_year, Frequency, PeriodId};

use super::{Checker, CHECKED_YEARS};

impl Checker<'_> {
    /// A regime: its versions in order, each checked for the years its rules apply.
    pub(super) fn regime(&mut self, path: &str, regime: &Regime) {
        if regime.versions.is_empty() {
            self.problem(
                format!("{path}.versions"),
                Message::new("catalogue.no_versions"),
            );
        }
        let mut previous: Option<PeriodId> = None;
        let starts: Vec<Option<PeriodId>> = regime
            .versions
            .iter()
            .map(|v| v.from.parse().ok())
            .collect();
        for (j, version) in regime.versions.iter().enumerate() {
            let path = format!("{path}.versions[{j}]");
            let from = match version.from.parse::<PeriodId>() {
                Ok(from) => Some(from),
                Err(e) => {
                    self.problem(
                        format!("{path}.from"),
                        Message::new(e.code()).arg("value", &version.from),
                    );
                    None
                }
            };
            if let (Some(before), Some(from)) = (previous, from) {
                if from.first_day() <= before.first_day() {
                    self.problem(
                        format!("{path}.from"),
                        Message::new("catalogue.versions_out_of_order")
                            .arg("value", from)
                            .arg("previous", before),
                    );
                }
            }
            previous = from.or(previous);
            // A version's rules matter until the next version takes over.
            let next = starts.get(j + 1).copied().flatten();
            let last_year = from.map(|f| {
                let five = f.year() + CHECKED_YEARS - 1;
                next.map_or(five, |n| {
                    // The year before the next version, unless it starts mid-year.
                    let first = n.first_day();
                    let until = if first.month() == 1 && first.day() == 1 {
                        n.year() - 1
                    } else {
                        n.year()
                    };
                    five.min(until.max(f.year()))
                })
            });
            self.version(&path, version, from.zip(last_year));
        }
    }
    /// One version of a regime, `from` its first period until the last year checked.
    fn version(&mut self, path: &str, v: &RegimeVersion, from: Option<(PeriodId, i32)>) {
        let (from, last_year) = (from.map(|f| f.0), from.map(|f| f.1));
        self.name(format!("{path}.name_vi"), &v.name_vi, true);
        self.name(format!("{path}.name_en"), &v.name_en, false);
        self.name(format!("{path}.legal_basis"), &v.legal_basis, true);
        self.text(format!("{path}.content_vi"), &v.content_vi);
        self.text(format!("{path}.content_en"), &v.content_en);
        if v.receiving_unit.trim().is_empty() {
            self.problem(
                format!("{path}.receiving_unit"),
                Message::new("catalogue.required"),
            );
        }
        if v.methods.is_empty() {
            self.problem(
                format!("{path}.methods"),
                Message::new("catalogue.required"),
            );
        }
        let periodic = v.kind == RegimeKind::Periodic;
        if periodic == (v.frequency == Frequency::AdHoc) {
            self.problem(
                format!("{path}.frequency"),
                Message::new(if periodic {
                    "catalogue.periodic_needs_frequency"
                } else {
                    "catalogue.requested_is_ad_hoc"
                }),
            );
        }
        if let Some(from) = from {
            if periodic && v.frequency != Frequency::AdHoc && from.frequency() != v.frequency {
                self.problem(
                    format!("{path}.from"),
                    Message::new("catalogue.from_frequency").arg("value", from),
                );
            }
        }
        if v.forms.is_empty() && v.outline.is_empty() {
            self.problem(path, Message::new("catalogue.no_content"));
        }
        self.reporting(path, v, from.zip(last_year));
        let mut forms = HashSet::new();
        for (k, form) in v.forms.iter().enumerate() {
            let path = format!("{path}.forms[{k}]");
            self.code(&format!("{path}.code"), &form.code, &mut forms);
            self.form(&path, form);
        }
        self.rules(path, v);
        let mut numbers = HashSet::new();
        for (k, section) in v.outline.iter().enumerate() {
            let path = format!("{path}.outline[{k}]");
            if section.number.trim().is_empty() {
                self.problem(format!("{path}.number"), Message::new("catalogue.required"));
            } else if !numbers.insert(section.number.trim().to_string()) {
                self.problem(
                    format!("{path}.number"),
                    Message::new("catalogue.duplicate_code").arg("value", &section.number),
                );
            }
            self.name(format!("{path}.title_vi"), &section.title_vi, true);
            self.name(format!("{path}.title_en"), &section.title_en, false);
            self.text(format!("{path}.guidance_vi"), &section.guidance_vi);
            self.text(format!("{path}.guidance_en"), &section.guidance_en);
        }
    }
    /// The reporting groups of a version, their deadline rules and their order.
    fn reporting(&mut self, path: &str, v: &RegimeVersion, from: Option<(PeriodId, i32)>) {
        if v.reporting.is_empty() {
            self.problem(
                format!("{path}.reporting"),
                Message::new("catalogue.required"),
            );
        }
        let periodic = v.kind == RegimeKind::Periodic && v.frequency != Frequency::AdHoc;
        let years = from.map(|(f, last)| f.year()..=last);
        let mut valid_rules: Vec<(u8, usize, DeadlineRule)> = Vec::new();
        for (k, group) in v.reporting.iter().enumerate() {
            let path = format!("{path}.reporting[{k}]");
            self.name(format!("{path}.name_vi"), &group.name_vi, true);
            self.name(format!("{path}.name_en"), &group.name_en, false);
            let select = &group.select;
            let filters = select.level.is_some() || select.kind.is_some();
            if !filters && select.units.is_empty() {
                self.problem(
                    format!("{path}.select"),
                    Message::new("catalogue.empty_selector"),
                );
            } else if filters && !select.units.is_empty() {
                self.problem(
                    format!("{path}.select"),
                    Message::new("catalogue.mixed_selector"),
                );
            }
            if let Some(level) = &select.level {
                if !self.ctx.levels.contains(level) {
                    self.problem(
                        format!("{path}.select.level"),
                        Message::new("catalogue.unknown_level").arg("value", level),
                    );
                }
            }
            if let Some(kind) = &select.kind {
                if kind != "area" && kind != "agency" {
                    self.problem(
                        format!("{path}.select.kind"),
                        Message::new("catalogue.unknown_kind").arg("value", kind),
                    );
                }
            }
            if group.stage == 0 {
                self.problem(format!("{path}.stage"), Message::new("catalogue.bad_stage"));
            }
            match (periodic, group.deadline) {
                (true, None) => self.problem(
                    format!("{path}.deadline"),
                    Message::new("catalogue.required"),
                ),
                (false, Some(_)) => self.problem(
                    format!("{path}.deadline"),
                    Message::new("catalogue.deadline_in_request"),
                ),
                (true, Some(rule)) => {
                    if let Some(years) = years.clone() {
                        if let Err(e) = self.rule(rule, v, years) {
                            self.problem(format!("{path}.deadline"), e.message());
                        } else {
                            valid_rules.push((group.stage, k, rule));
                        }
                    }
                }
                (false, None) => {}
            }
        }
        if let (true, Some(years)) = (periodic, years) {
            if valid_rules.len() == v.reporting.len() {
                if let Err((k, message)) = cascade_order(&valid_rules, v, self.ctx.calendar, years)
                {
                    self.problem(format!("{path}.reporting[{k}].deadline"), message);
                }
            }
        }
    }

    /// A deadline rule, over `years`.
    fn rule(
        &self,
        rule: DeadlineRule,
        v: &RegimeVersion,
        years: RangeInclusive<i32>,
    ) -> Result<(), DeadlineError> {
        // Re-validate what deserialisation let through.
        if let DeadlineRule::FixedDayOfMonth { day, months_after } = rule {
            DeadlineRule::fixed_day(u32::from(day), u32::from(months_after))?;
        }
        check_rule(rule, v.convention, v.frequency, self.ctx.calendar, years)
    }
}

/// For every period in `years`, every group of a stage is due no later than
/// every group of a higher stage (communes before districts before the province).
fn cascade_order(
    rules: &[(u8, usize, DeadlineRule)],
    v: &RegimeVersion,
    calendar: &WorkCalendar,
    years: RangeInclusive<i32>,
) -> Result<(), (usize, Message)> {
    for year in years {
        let Ok(periods) = periods_in_year(year, v.frequency) else {
            return Ok(());
        };
        for period in periods {
            let mut dues = Vec::new();
            for (stage, k, rule) in rules {
                if let Ok(due) = deadline(*rule, &period, v.convention, calendar) {
                    dues.push((*stage, *k, due));
                }
            }
            for (stage, k, due) in &dues {
                for (lower_stage, lower_k, lower_due) in &dues {
                    if lower_stage < stage && lower_due > due {
                        let lower = &v.reporting[*lower_k].name_vi;
                        let upper = &v.reporting[*k].name_vi;
                        return Err((
                            *k,
                            Message::new("deadline.cascade_out_of_order")
                                .arg("period", period)
                                .arg("lower", lower)
                                .arg("lower_deadline", lower_due.format("%d/%m/%Y"))
                                .arg("upper", upper)
                                .arg("upper_deadline", due.format("%d/%m/%Y")),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

//! Finding past reports: every report of the caller's own units, whatever
//! the period, filtered by regime, year and status, newest period first, a
//! page at a time.

use std::collections::BTreeSet;
use std::sync::Arc;

use baocao_domain::access::{Permission, Principal};
use baocao_domain::catalogue::Metadata;
use baocao_domain::message::Message;
use baocao_domain::period::PeriodId;
use baocao_domain::report::{ReportId, Status};
use baocao_domain::unit::UnitId;
use baocao_store::reports as store_reports;
use baocao_store::units as store_units;
use chrono::NaiveDate;
use serde::Serialize;

use crate::{App, AppError, AppResult};

/// Reports a page lists.
pub const ARCHIVE_PAGE: usize = 50;

/// What to find.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArchiveQuery {
    /// Only this regime.
    pub regime: Option<String>,
    /// Only periods of this year.
    pub year: Option<i32>,
    /// Only reports in this status.
    pub status: Option<Status>,
    /// Which page (from 1).
    pub page: usize,
}

/// An archive query as an address carries it: each parameter as typed
/// (a page leaves blank fields out: blank is "any").
#[derive(Debug, Clone, Copy, Default)]
pub struct ArchiveFilter<'a> {
    /// A regime code.
    pub regime: Option<&'a str>,
    /// A year.
    pub year: Option<&'a str>,
    /// A status (`draft`, `submitted`, `returned`, `accepted`).
    pub status: Option<&'a str>,
    /// A page.
    pub page: Option<&'a str>,
}

impl ArchiveQuery {
    /// The query a filter asks for; a malformed parameter is refused by
    /// name, never taken for the default.
    pub fn parse(f: ArchiveFilter<'_>) -> AppResult<ArchiveQuery> {
        let status = f
            .status
            .map(|s| {
                Status::parse(s).ok_or_else(|| {
                    AppError::field("status", Message::new("archive.bad_status").arg("value", s))
                })
            })
            .transpose()?;
        let year = f
            .year
            .map(|y| {
                y.parse::<i32>().map_err(|_| {
                    AppError::field("year", Message::new("request.bad_number").arg("value", y))
                })
            })
            .transpose()?;
        Ok(ArchiveQuery {
            regime: f.regime.map(str::to_string),
            year,
            status,
            page: super::inbox::page_number(f.page)?,
        })
    }
}

/// One report found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArchiveRow {
    /// The report.
    pub id: ReportId,
    /// Regime code.
    pub regime: String,
    /// Period.
    pub period: PeriodId,
    /// Reporting unit.
    pub unit: UnitId,
    /// Its name.
    pub unit_name: String,
    /// Status.
    pub status: Status,
    /// Deadline.
    pub deadline: NaiveDate,
    /// The latest version number (0 before the first submission).
    pub version: i64,
}

/// A page of reports found, with what the filters may choose from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Archive {
    /// This page's reports.
    pub rows: Vec<ArchiveRow>,
    /// Reports found in all.
    pub total: usize,
    /// This page (from 1).
    pub page: usize,
    /// Pages in all.
    pub pages: usize,
    /// The regimes the caller's units have reports of.
    pub regimes: Vec<String>,
    /// The years they have reports for, newest first.
    pub years: Vec<i32>,
    /// The catalogue the regimes are named from.
    #[serde(skip)]
    pub meta: Arc<Metadata>,
}

impl App {
    /// The reports of the units the caller enters data for or submits for.
    /// The query `filter` gives is returned with the page found.
    pub async fn report_archive(
        &self,
        principal: &Principal,
        filter: ArchiveFilter<'_>,
    ) -> AppResult<(ArchiveQuery, Archive)> {
        let mut q = ArchiveQuery::parse(filter)?;
        let found = self.archive_of(principal, &q).await?;
        // The page shown, past the last one asked for.
        q.page = found.page;
        Ok((q, found))
    }

    async fn archive_of(&self, principal: &Principal, q: &ArchiveQuery) -> AppResult<Archive> {
        let mut own: Vec<UnitId> = principal.units_acting_for(Permission::EnterData);
        own.extend(principal.units_acting_for(Permission::SubmitReport));
        own.sort();
        own.dedup();
        let meta = self.metadata().await?;
        if own.is_empty() {
            return Ok(Archive {
                rows: Vec::new(),
                total: 0,
                page: 1,
                pages: 1,
                regimes: Vec::new(),
                years: Vec::new(),
                meta,
            });
        }
        let (reports, units) = {
            let mut conn = self.store.conn().await?;
            let reports = store_reports::listed_of_units(&mut conn, &own).await?;
            let units = store_units::get_many(&mut conn, &own).await?;
            (reports, units)
        };
        let mine: Vec<_> = reports
            .into_iter()
            .filter(|r| own.contains(&r.unit_id))
            .collect();
        let regimes: BTreeSet<String> = mine.iter().map(|r| r.regime_code.clone()).collect();
        let years: BTreeSet<i32> = mine.iter().map(|r| r.period.year()).collect();
        let mut found: Vec<_> = mine
            .into_iter()
            .filter(|r| q.regime.as_ref().is_none_or(|g| *g == r.regime_code))
            .filter(|r| q.year.is_none_or(|y| y == r.period.year()))
            .filter(|r| q.status.is_none_or(|s| s == r.status))
            .collect();
        found.sort_by(|a, b| {
            b.period
                .last_day()
                .cmp(&a.period.last_day())
                .then(a.regime_code.cmp(&b.regime_code))
                .then(a.id.cmp(&b.id))
        });
        let total = found.len();
        let pages = total.div_ceil(ARCHIVE_PAGE).max(1);
        let page = q.page.clamp(1, pages);
        let name_of = |id: UnitId| {
            units
                .iter()
                .find(|u| u.id == id)
                .map(|u| u.name.clone())
                .unwrap_or_default()
        };
        let rows = found
            .into_iter()
            .skip((page - 1) * ARCHIVE_PAGE)
            .take(ARCHIVE_PAGE)
            .map(|r| ArchiveRow {
                id: r.id,
                regime: r.regime_code.clone(),
                period: r.period,
                unit: r.unit_id,
                unit_name: name_of(r.unit_id),
                status: r.status,
                deadline: r.deadline,
                version: r.version,
            })
            .collect();
        Ok(Archive {
            rows,
            total,
            page,
            pages,
            regimes: regimes.into_iter().collect(),
            years: years.into_iter().rev().collect(),
            meta,
        })
    }
}

//! The pivot explorer's questions, read one way for the page, its exports
//! and the analytics API: the parameters of an address (each optional, as
//! typed), the defaults the caller's choices fill in, and the answer — with
//! a refused question kept for the page to say why beside the form.

use baocao_domain::access::Principal;
use baocao_domain::message::Message;
use baocao_domain::period::PeriodId;
use baocao_domain::unit::UnitId;

use super::pivot::{periods_between, Dim, Pivot, PivotChoices, PivotQuery};
use super::queries::FigureQuery;
use super::{reading_name, Reading, Relation, MAX_FIGURES};
use crate::{App, AppError, AppResult};

/// A level name in a relation is at most this long.
const MAX_LEVEL_CHARS: usize = 32;

/// The relation a parameter names (`self`, `children`, `subtree`,
/// `level:commune`), refused by name under `field`.
pub fn parse_relation(text: &str, field: &'static str) -> AppResult<Relation> {
    Ok(match text {
        "self" => Relation::Itself,
        "children" => Relation::Children,
        "subtree" => Relation::Subtree,
        other => match other.strip_prefix("level:") {
            Some(level) if !level.is_empty() && level.chars().count() <= MAX_LEVEL_CHARS => {
                Relation::Level(level.to_string())
            }
            _ => {
                return Err(AppError::field(
                    field,
                    Message::new("analytics.error.relation").arg("value", other),
                ))
            }
        },
    })
}

/// The reading a parameter names, refused by name under `field`.
pub fn parse_reading(text: &str, field: &'static str) -> AppResult<Reading> {
    [Reading::Reported, Reading::Computed, Reading::Preferred]
        .into_iter()
        .find(|r| reading_name(*r) == text)
        .ok_or_else(|| {
            AppError::field(
                field,
                Message::new("analytics.error.reading").arg("value", text),
            )
        })
}

/// The explorer's parameters as an address carries them (blank ones left
/// out by the page).
#[derive(Debug, Clone, Default)]
pub struct PivotFilter<'a> {
    /// Indicator cells (`i=HC02&i=LD01/sex:female`).
    pub cells: Vec<&'a str>,
    /// The unit's id.
    pub unit: Option<&'a str>,
    /// The relation (`rel`).
    pub relation: Option<&'a str>,
    /// First period.
    pub from: Option<&'a str>,
    /// Last period.
    pub to: Option<&'a str>,
    /// On the rows (`rows`).
    pub rows: Option<&'a str>,
    /// On the columns (`cols`).
    pub columns: Option<&'a str>,
    /// The reading.
    pub reading: Option<&'a str>,
}

/// What the explorer shows, every part given or filled from the caller's
/// choices: what the page's form and links carry.
#[derive(Debug, Clone, PartialEq)]
pub struct PivotRequest {
    /// Indicator cells.
    pub cells: Vec<String>,
    /// The unit (none when the caller reads no unit).
    pub unit: Option<UnitId>,
    /// The relation, as named.
    pub relation: String,
    /// First period, as typed.
    pub from: String,
    /// Last period, as typed.
    pub to: String,
    /// On the rows.
    pub rows: Dim,
    /// On the columns.
    pub columns: Dim,
    /// The reading.
    pub reading: Reading,
}

/// Periods a default range holds (a year of months).
const DEFAULT_RANGE: usize = 12;

impl PivotRequest {
    /// `filter` with what it leaves out taken from `choices`: the default
    /// indicator, the caller's unit and the latest twelve periods.
    pub fn of(filter: &PivotFilter<'_>, choices: &PivotChoices) -> AppResult<PivotRequest> {
        let mut cells: Vec<String> = filter.cells.iter().map(|c| c.to_string()).collect();
        if cells.is_empty() {
            cells.extend(choices.cell.clone());
        }
        let latest = choices.latest;
        let to = filter
            .to
            .map(str::to_string)
            .or_else(|| latest.map(|p| p.to_string()))
            .unwrap_or_default();
        let from = filter.from.map(str::to_string).unwrap_or_else(|| {
            let mut p: Option<PeriodId> = latest;
            for _ in 1..DEFAULT_RANGE {
                p = p.and_then(|x| x.previous());
            }
            p.map(|p| p.to_string()).unwrap_or_else(|| to.clone())
        });
        let dim = |text: Option<&str>, field: &'static str, default: Dim| match text {
            None => Ok(default),
            Some(t) => Dim::parse(t).ok_or_else(|| {
                AppError::field(field, Message::new("pivot.error.dimension").arg("value", t))
            }),
        };
        Ok(PivotRequest {
            cells,
            unit: filter.unit.map(unit_id).transpose()?.or(choices.unit),
            relation: filter.relation.unwrap_or("children").to_string(),
            from,
            to,
            rows: dim(filter.rows, "rows", Dim::Unit)?,
            columns: dim(filter.columns, "cols", Dim::Period)?,
            reading: filter
                .reading
                .map(|r| parse_reading(r, "reading"))
                .transpose()?
                .unwrap_or(Reading::Preferred),
        })
    }

    /// The query for at most `max_figures` figures.
    pub fn query(&self, max_figures: usize) -> AppResult<PivotQuery> {
        Ok(PivotQuery {
            figures: FigureQuery {
                cells: self.cells.clone(),
                unit: self.unit.ok_or(AppError::NotFound)?,
                relation: parse_relation(&self.relation, "rel")?,
                periods: periods_between(&self.from, &self.to)?,
                reading: self.reading,
            },
            rows: self.rows,
            columns: self.columns,
            max_figures,
        })
    }
}

fn unit_id(text: &str) -> AppResult<UnitId> {
    text.parse::<i64>().map(UnitId::new).map_err(|_| {
        AppError::field(
            "unit",
            Message::new("request.bad_number").arg("value", text),
        )
    })
}

/// The explorer page: the choices, the request as understood, and the pivot
/// or why the question was refused (what the form says, or no unit to read).
#[derive(Debug)]
pub struct PivotScreen {
    /// What may be chosen.
    pub choices: PivotChoices,
    /// The request, defaults filled.
    pub request: PivotRequest,
    /// The answer, or the refusal to show beside the form.
    pub answer: Result<Pivot, AppError>,
}

impl App {
    /// The explorer for `filter`, at most `max_figures` figures on the page.
    pub async fn pivot_screen(
        &self,
        principal: &Principal,
        filter: &PivotFilter<'_>,
        max_figures: usize,
    ) -> AppResult<PivotScreen> {
        let asked = filter.unit.and_then(|u| unit_id(u).ok());
        let choices = self.pivot_choices(principal, asked).await?;
        // A malformed address is refused; a question the form can correct
        // (a period range, an indicator, no unit to read) is answered with why.
        let request = PivotRequest::of(filter, &choices)?;
        let answer = match request.query(max_figures) {
            Ok(q) => self.pivot(principal, q).await,
            Err(e) => Err(e),
        };
        let answer = match answer {
            Err(e) if !(e.refuses_input() || matches!(e, AppError::NotFound)) => return Err(e),
            other => other,
        };
        Ok(PivotScreen {
            choices,
            request,
            answer,
        })
    }

    /// The pivot `filter` asks for, as large as a file may be.
    pub async fn pivot_export(
        &self,
        principal: &Principal,
        filter: &PivotFilter<'_>,
    ) -> AppResult<Pivot> {
        let asked = filter.unit.map(unit_id).transpose()?;
        let choices = self.pivot_choices(principal, asked).await?;
        let q = PivotRequest::of(filter, &choices)?.query(MAX_FIGURES)?;
        self.pivot(principal, q).await
    }
}

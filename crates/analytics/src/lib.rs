//! The aggregate engine (bộ máy tổng hợp số liệu) of the operations centre.
//!
//! It holds every accepted value in memory — the latest accepted version of
//! each report, by cell (indicator × disaggregation option), unit and base
//! period — and keeps, at every unit with units below it, a running aggregate of
//! its leaves along each indicator's rule over units. A query reads a handful of
//! numbers: a province's monthly series, a ranking of provinces, national totals
//! of every indicator for a year all answer in microseconds.
//!
//! The engine does no I/O: the app builds it from the store (a bulk
//! [`Engine::load`] then [`Engine::build_aggregates`]), puts each newly accepted
//! report in ([`Engine::accept`]), and asks it ([`Engine::figure`],
//! [`Engine::table`], [`Engine::completeness`], [`Engine::discrepancies`]). The arithmetic (aggregates,
//! time rules, formulas) is the domain's, shared with synthesis.

mod discrepancy;
pub mod engine;
pub mod geo;
pub mod insight;
pub mod model;
pub mod query;
mod slots;
pub mod table;
pub mod time;

pub use discrepancy::Discrepancy;
pub use engine::{AcceptedReport, Engine};
pub use insight::{target_for, Progress};
pub use model::{Cells, Reorg, Units};
pub use query::{Coverage, Figure, Reading};
pub use table::{Relation, Row, TableQuery};

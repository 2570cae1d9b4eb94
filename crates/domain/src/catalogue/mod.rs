//! The metadata catalogue: disaggregations (phân tổ), indicators (chỉ tiêu),
//! reporting regimes (chế độ báo cáo) with their versions and forms, and the
//! requests of thematic and ad-hoc regimes.
//!
//! [`Metadata`] is the exchange document (`docs/metadata-format.md`): what
//! `baocao regimes export` writes and `baocao regimes import` reads, and what the
//! store keeps, one object at a time. Its fields are plain strings and numbers so
//! that one pass of [`check`] can report every problem of a file with its path
//! (`regimes[0].versions[1].forms[0].rows[3].indicator`) in the user's language,
//! instead of a parser stopping at the first.

mod check;
mod model;

pub use check::{check, same_meaning, unit_references, CheckContext, Problem, CHECKED_YEARS};
pub use model::*;

#[cfg(test)]
mod tests;

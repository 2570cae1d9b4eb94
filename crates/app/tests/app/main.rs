//! Use-case tests below HTTP, against real databases (SQLite and PostgreSQL)
//! and the real administrative units of `shared/data/vn-admin`.
// Scenario tests read top to bottom, as a user goes through the system:
// the 80-line bound on functions is for the code they test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    missing_docs
)]

mod accounts;
mod analytics;
mod archive;
mod calendar;
mod catalogue_queries;
mod group_commit;
mod inbox;
mod ledger_proof;
mod notifications;
mod operations_centre;
mod passwords;
mod signatures;
mod support;
mod timeliness;
mod trust_anchors;
mod units;
mod units_lookup;
mod uploads;
mod workflow;

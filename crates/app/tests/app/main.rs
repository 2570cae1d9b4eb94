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

mod account_forms;
mod accounts;
mod analytics;
mod archive;
mod calendar;
mod catalogue_forms;
mod catalogue_queries;
mod explorer;
mod group_commit;
mod inbox;
mod ledger_proof;
mod notifications;
mod operations_centre;
mod passwords;
mod reference_screens;
mod report_lists;
mod report_screens;
mod signatures;
mod support;
mod timeliness;
mod trust_anchors;
mod units;
mod units_lookup;
mod uploads;
mod workflow;

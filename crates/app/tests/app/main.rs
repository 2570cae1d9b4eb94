//! Use-case tests below HTTP, against real databases (SQLite and PostgreSQL)
//! and the real administrative units of `shared/data/vn-admin`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod accounts;
mod analytics;
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

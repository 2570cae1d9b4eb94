//! Use-case tests below HTTP, against real databases (SQLite and PostgreSQL)
//! and the real administrative units of `shared/data/vn-admin`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod analytics;
mod group_commit;
mod ledger_proof;
mod operations_centre;
mod passwords;
mod signatures;
mod units;
mod workflow;

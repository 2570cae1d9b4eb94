//! The server driven over HTTP on 127.0.0.1, on SQLite and PostgreSQL, with the
//! real Nghệ An units: one test binary, a module per feature, sharing
//! `support::spawn_app`.
// Scenario tests read top to bottom, as a user goes through the system:
// the 80-line bound on functions is for the code they test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    missing_docs
)]

mod support;

mod access;
mod analytics_api;
mod browser;
mod calendar;
mod catalogue;
mod dashboard;
mod inbox;
mod mail;
mod pool;
mod reports;
mod security;
mod sessions;
mod signatures;
mod spreadsheets;
mod statements;

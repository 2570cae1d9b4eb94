//! The server driven over HTTP on 127.0.0.1, on SQLite and PostgreSQL, with the
//! real Nghệ An units: one test binary, a module per feature, sharing
//! `support::spawn_app`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

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

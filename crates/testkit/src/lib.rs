//! Test support shared by the crates' tests, compiled only for tests (a
//! dev-dependency everywhere): throw-away databases on both backends with the
//! [`both_backends!`] macro, and the hostile files the security tests send.

pub mod bombs;
pub mod db;

pub use baocao_store::{Backend, Store};
pub use db::{TestDb, POSTGRES_ENV};

//! Test support shared by the crates' tests, compiled only for tests (a
//! dev-dependency everywhere): throw-away databases on both backends with the
//! [`both_backends!`] macro, the world most tests run in (Nghệ An's units,
//! one account per role, a small catalogue), and the hostile files the
//! security tests send.

pub mod bombs;
pub mod db;
pub mod pki;
pub mod spreadsheets;
pub mod world;

pub use baocao_store::{Backend, Store};
pub use db::{TestDb, POSTGRES_ENV};
pub use world::{metadata, nghe_an, three_level_metadata, World, PASSWORD};

//! `baocao-tools`: the demo and the benchmarks — what the binary runs besides
//! the system itself.
//!
//! [`demo`] loads Nghệ An province, its accounts, regimes and two years of
//! report history (and a test PKI) for `baocao demo`; [`bench`] measures
//! submissions, the analytics engine, the ledger's verification and the pages
//! people open all day for `baocao bench`, `bench-analytics`, `bench-ledger`
//! and `bench-pages` (docs/benchmarks.md). Both call the application
//! (`baocao_app::App`) like any other caller, the command line or a web
//! handler: the units, accounts, regimes, reports and ledger entries they make
//! go through its use cases and rules (a benchmark only opens, migrates and
//! at the end drops its own scratch database through the store, as the
//! binary opens its database). The binary keeps the command line and hands
//! these subcommands over to this crate.

pub mod bench;
pub mod demo;

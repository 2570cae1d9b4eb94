//! Baocao's domain: plain types and pure functions, no I/O.
//!
//! Everything here can be tested without a database or a server. Outer layers
//! (store, app, web) parse their input into these types, so invalid values are
//! refused at the edge with a typed error, and the rest of the code can trust them.

pub mod access;
pub mod aggregate;
pub mod attachment;
pub mod audit;
pub mod calendar;
pub mod canonical;
pub mod catalogue;
pub mod checkpoint;
pub mod deadline;
pub mod formula;
pub mod import_plan;
pub mod ledger;
pub mod lunar;
pub mod merkle;
pub mod message;
pub mod number;
pub mod obligation;
pub mod official;
pub mod outlier;
pub mod period;
pub mod proof;
pub mod report;
pub mod signature;
pub mod text;
pub mod unit;

pub use message::Message;

//! Periods in words: the application's (`baocao_app::periods`), shared with
//! the official PDF.

pub use baocao_app::periods::{period_label, period_name};

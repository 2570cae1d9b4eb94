//! The edges of the system: reading and writing files other systems produce.
//!
//! So far: the administrative-unit lists of the GSO (`vn_admin`). Parsers turn
//! bytes into domain records and report every problem with its line number;
//! they never store anything.

pub mod cms;
pub mod figure_table;
pub mod geojson;
pub mod official_pdf;
pub mod report_csv;
pub mod vn_admin;
pub mod xlsx;

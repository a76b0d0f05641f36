//! Reading hostile household files: a set of malformed CSV and XLSX files that must each give
//! an error or rows (never a panic or an abort), and seeded fuzz runs over the readers and the
//! core parsers they use (identity numbers, months).

mod fuzz;
mod malformed;
mod measure;
mod support;

//! Data-driven rule cases: each file under `tests/cases` lists households worked out by hand.

mod dibao;
mod education;
mod fuzz;
mod medical;
mod tekun;
mod temporary;

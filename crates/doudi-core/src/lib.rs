//! Domain types of doudi that enforce the rules of the registry: a value of these types is valid
//! by construction, so code past the edges trusts it.
//!
//! **Invariant:** this crate does no I/O (the one exception: [`Clock`] reads the system clock) and knows nothing of storage, the web or file formats.

#![deny(missing_docs)]

pub mod access;
pub mod casework;
pub mod clause;
pub mod clock;
pub mod date;
pub mod department;
pub mod disaster;
pub mod discovery;
pub mod division;
pub mod facts;
pub mod funds;
pub mod guarantees;
pub mod household;
pub mod housing;
pub mod id_number;
pub mod jobs;
pub mod labels;
pub mod money;
pub mod person;
pub mod services;
pub mod social;
pub mod visits;

pub use access::{Actor, Role, Scope};
pub use clock::Clock;
pub use department::{DEPARTMENT_VIEWS, Department, DepartmentView, Part, Served};
pub use division::{Division, DivisionCode, DivisionKind, TownshipTable};
pub use household::*;
pub use id_number::{IdNumber, IdNumberError, Sex};
pub use labels::UnknownValue;
pub use money::{Money, MoneyError};
pub use person::*;

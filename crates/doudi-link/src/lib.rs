//! Matching department records (deaths, vehicles, hospital bills…) to registry people, even
//! when the records are messy.
//!
//! # Pipeline
//! 1. **Normalise** ([`id`], [`name`]): identity numbers lose full-width digits, spaces,
//!    hyphens and lower-case `x`; legacy 15-digit numbers become 18 characters; the check
//!    character is verified. Names are trimmed, made half-width, stripped of spaces, common
//!    traditional characters simplified, and read as toneless pinyin and its initials. A
//!    missing birth date or sex is taken from the identity number.
//! 2. **Block** (`block`): a record whose number passes its check looks for that number
//!    only (anyone else would be a conflict, never accepted). Any other record looks under
//!    several keys and takes the union, deduplicated: its (legacy) number; the valid numbers
//!    one error away from a number whose check fails ([`id::repair_candidates`]); name pinyin
//!    with each two of year, month and day (together they find an exact date or any one part
//!    wrong, and year + month looked up with the day as month finds day and month swapped;
//!    finer than pinyin + year, so common names give few candidates); the number with its
//!    birth digits masked + the name's pinyin initials; and, with neither number nor date,
//!    name pinyin alone.
//! 3. **Compare** ([`Comparison`]): per field a level — identity number (exact, legacy
//!    equivalent, one digit, adjacent swap, different, conflict, missing), name (exact,
//!    traditional, homophone, initials, different, missing), birth date (exact, day/month
//!    swapped, one part off by a typing error, different, missing), sex and community (same,
//!    different, missing).
//! 4. **Score** ([`Model`], Fellegi–Sunter): u per level from random record–person pairs; m
//!    by EM over the candidate pairs, seeded from exact-number links. EM reads only pairs whose
//!    record has a usable number, and pairs whose numbers differ teach it only the number
//!    (elsewhere strangers who share a name or, through a mistyped number, a birth date would
//!    pass for matches); a missing value weighs 0 (m = u). The match weight is the sum of
//!    log2(m/u); a name that agrees weighs less when it is common in the registry
//!    (term-frequency adjustment, which only ever lowers a weight). The prior of a
//!    record–person pair is the share of records EM finds to match over the registry's size
//!    (about 2^-20 at a million people): like u, a property of all pairs, so probabilities do
//!    not depend on how many candidates blocking happened to produce.
//! 5. **Decide** ([`link`]): a record's candidates compete (at most one is its person), so a
//!    candidate's probability is its posterior odds over one plus the sum of all the record's
//!    odds. The strongest candidate is accepted, sent to review (the grey zone between
//!    [`Config::review`] and [`Config::accept`], or not borne out by the number, see
//!    [`Config::review_number_disagreement`]) or rejected; optionally one-to-one, each registry
//!    person at most once per feed, greedy by weight. Every [`Link`] carries its
//!    [`Evidence`]: each field's level and weight.
//!
//! # Invariants
//! - **Invariant:** no I/O and no clock; the same registry, feed and configuration give the
//!   same links on any machine and with any number of threads.
//! - **Invariant:** a record whose 18-character number passes its check character is never
//!   accepted for a person with another number: no single typing error can turn one valid
//!   number into another, so the conflict level's m is fixed near zero rather than learnt (EM
//!   would learn it from people who share a name and birth date with a registry person).
//! - **Invariant:** with [`Config::review_number_disagreement`] (the default), a link is only
//!   accepted when the number agrees, is missing, or is one error away and the name agrees
//!   at least in pinyin (or, nameless, the community agrees); a legacy 15-digit number has no
//!   check character and must agree exactly.
//! - **Invariant:** at most one link per record; with one-to-one, at most one per person.
//! - This crate depends on no other doudi crate: the check-character arithmetic is copied from
//!   `doudi_core::id_number`.
//!
//! [`synth`] generates a registry and feed with known truth (deterministic seed) for tests and
//! the `linkbench` example.

mod block;
mod compare;
mod date;
mod hash;
pub mod id;
mod link;
pub mod model;
pub mod name;
pub mod rng;
pub mod synth;

pub use compare::{Agreement, BirthLevel, Comparison, Field, IdLevel, Level, NameLevel};
pub use date::Date;
pub use id::IdForm;
pub use link::{Config, Decision, Evidence, Link, Linkage, Registry, link};
pub use model::Model;

/// Sex.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    /// 男
    Male,
    /// 女
    Female,
}

/// A person in the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// The registry's id of the person.
    pub id: u64,
    /// Identity number (normally 18 valid characters).
    pub id_number: String,
    /// Name.
    pub name: String,
    /// Birth date.
    pub birth: Date,
    /// Sex.
    pub sex: Sex,
    /// Community (社区/村).
    pub community: String,
}

/// A department record: the same fields as a person, any of them missing or wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeptRecord {
    /// The department's id of the record.
    pub id: u64,
    /// Identity number as written.
    pub id_number: Option<String>,
    /// Name as written.
    pub name: Option<String>,
    /// Birth date.
    pub birth: Option<Date>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Community as written.
    pub community: Option<String>,
}

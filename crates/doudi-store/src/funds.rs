//! Storage of funds supervision (5.2): budgets per programme and year, the payment lines traced
//! to their decisions, the rows the audit checks read, the runs of the checks and their
//! findings with notes. The [`Funds`] trait is a supertrait of [`crate::Store`]; both backends
//! implement it in `funds_impl.rs` (migration `0023_funds.sql`).
//!
//! **Invariant:** a budget is never updated: a new amount is a new row, and the newest of a
//! programme and year is in force. A finding is kept once per dedupe key
//! (`fund_findings_once`), so running the checks again adds nothing already found; its notes
//! are append-only, and every change is audited in its own transaction. Bank accounts and
//! identity numbers leave the store for the checks only as keyed fingerprints and masked
//! digits.
//!
//! Who does what is `doudi_core::funds::may_*`: the county approver sets budgets; auditors and
//! the county approver read funds, run the checks and note findings; only auditors assign and
//! close them (the one place they write); township caseworkers read their township's findings.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use doudi_core::disaster::PaymentProgram;
use doudi_core::funds::{CheckInput, CheckKind, FindingState, LineRow, NewFinding};
use doudi_core::{Actor, HouseholdId, Money, Month};

use crate::StoreError;
use crate::casework::PaymentStatus;

/// A budget as set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Its id.
    pub id: i64,
    /// The programme.
    pub program: PaymentProgram,
    /// The year.
    pub year: i32,
    /// The amount.
    pub amount: Money,
    /// Why (a note).
    pub note: String,
    /// Who set it (display name).
    pub set_by: String,
    /// When.
    pub set_at: DateTime<Utc>,
}

/// What a programme paid in a month (every line but those the bank refused).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spending {
    /// The programme.
    pub program: PaymentProgram,
    /// The month.
    pub month: Month,
    /// The total.
    pub amount: Money,
    /// How many lines.
    pub lines: i64,
}

/// A payment line traced to what it pays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TracedPayment {
    /// The line, its household and its source.
    pub line: LineRow,
    /// Its state at the bank.
    pub status: PaymentStatus,
}

/// How a run of the checks came about.
pub const TRIGGER_RUN: &str = "payment_run";
/// Run on demand by an auditor or the county.
pub const TRIGGER_DEMAND: &str = "demand";

/// A run of the checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckRun {
    /// Its id.
    pub id: i64,
    /// The month checked.
    pub month: Month,
    /// [`TRIGGER_RUN`] or [`TRIGGER_DEMAND`].
    pub trigger: String,
    /// Who (display name).
    pub ran_by: String,
    /// When.
    pub ran_at: DateTime<Utc>,
    /// Whether the checks ran to the end.
    pub ok: bool,
    /// Findings the run made.
    pub found: i64,
    /// Of those, new ones (the rest were already kept).
    pub added: i64,
    /// Why the checks failed.
    pub error: Option<String>,
}

/// A finding as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Its id.
    pub id: i64,
    /// Which check.
    pub check: CheckKind,
    /// The month.
    pub month: Month,
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub household_number: String,
    /// Its community when found.
    pub community: String,
    /// Its township (code).
    pub township: String,
    /// The township's name.
    pub township_name: String,
    /// The person, where it is about one.
    pub person: Option<i64>,
    /// The payment line, where it is about one.
    pub payment: Option<i64>,
    /// Why.
    pub explanation: String,
    /// Where it stands.
    pub state: FindingState,
    /// The auditor it is assigned to.
    pub assignee: Option<i64>,
    /// Their display name.
    pub assignee_name: Option<String>,
    /// When it was found.
    pub found_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A note on a finding: who, when, the state after it, the assignee after it, the words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingNote {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (display name).
    pub actor_name: String,
    /// The state after it.
    pub state: FindingState,
    /// The assignee after it (display name).
    pub assignee_name: Option<String>,
    /// The words.
    pub note: String,
}

/// Which findings to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FindingFilter {
    /// Only in this state.
    pub state: Option<FindingState>,
    /// Only of this check.
    pub check: Option<CheckKind>,
    /// Only in this township or community (a code prefix).
    pub division: Option<String>,
    /// Only of this month.
    pub month: Option<Month>,
}

/// A change to a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FindingChange {
    /// A note, nothing else.
    Note(String),
    /// Assign it to an auditor (by user id), with a note.
    Assign {
        /// The auditor's user id.
        assignee: i64,
        /// Words, may be empty.
        note: String,
    },
    /// Move it to another state, with a note (required to close).
    Move {
        /// The new state.
        to: FindingState,
        /// Why.
        note: String,
    },
}

/// Storage of funds supervision (5.2), implemented by both backends.
#[async_trait]
pub trait Funds {
    /// Sets a programme's budget for a year (a new row; the newest is in force).
    async fn set_budget(
        &self,
        actor: &Actor,
        program: PaymentProgram,
        year: i32,
        amount: Money,
        note: &str,
    ) -> Result<Budget, StoreError>;

    /// Every budget row of a year, newest first (the first of a programme is in force).
    async fn budgets(&self, actor: &Actor, year: i32) -> Result<Vec<Budget>, StoreError>;

    /// What each programme paid in each month of a year, county-wide.
    async fn spending(&self, actor: &Actor, year: i32) -> Result<Vec<Spending>, StoreError>;

    /// The payment lines of a month, traced to their entitlement, decision and case or relief.
    async fn traced_payments(
        &self,
        actor: &Actor,
        month: Month,
    ) -> Result<Vec<TracedPayment>, StoreError>;

    /// The rows the audit checks read for a month (lines, members, deaths, accounts).
    async fn check_input(&self, actor: &Actor, month: Month) -> Result<CheckInput, StoreError>;

    /// Records a run of the checks: its findings (each kept once) or the error that stopped
    /// it, in one transaction with its audit entry.
    async fn record_check_run(
        &self,
        actor: &Actor,
        month: Month,
        trigger: &str,
        outcome: Result<&[NewFinding], &str>,
    ) -> Result<CheckRun, StoreError>;

    /// The runs of the checks, newest first (of one month, or the latest 50).
    async fn check_runs(
        &self,
        actor: &Actor,
        month: Option<Month>,
    ) -> Result<Vec<CheckRun>, StoreError>;

    /// The findings of the actor's scope matching the filter, newest first.
    async fn findings(
        &self,
        actor: &Actor,
        filter: &FindingFilter,
    ) -> Result<Vec<Finding>, StoreError>;

    /// One finding with its notes, oldest first.
    async fn finding(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(Finding, Vec<FindingNote>), StoreError>;

    /// Notes on, assigns or moves a finding.
    async fn change_finding(
        &self,
        actor: &Actor,
        id: i64,
        change: &FindingChange,
    ) -> Result<Finding, StoreError>;

    /// The auditor accounts a finding may be assigned to: id and display name.
    async fn auditors(&self, actor: &Actor) -> Result<Vec<(i64, String)>, StoreError>;
}

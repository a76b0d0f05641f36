//! Storage side of the work dashboard (4.4) and the classified ledgers (4.2.a): counts computed
//! in the database with `GROUP BY`, so that a county of 100,000 households is summed without
//! loading its files. The [`Dashboards`] trait is a supertrait of [`crate::Store`]; both
//! backends implement it in `dashboard_impl.rs`. No migration: it reads existing tables.
//!
//! Who reads (5.1): the county approver and auditors (the county), township caseworkers (their
//! township), the system. Each read appends one audit entry with counts only.

use async_trait::async_trait;
use doudi_core::{Actor, Category, DivisionCode, Month, Need, PersonId, PovertyCause, Role};

use crate::StoreError;

/// Whether the actor reads the dashboard's counts and the ledgers.
pub fn may_read_dashboard(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::CountyApprover | Role::Auditor | Role::TownshipCaseworker | Role::System
    )
}

/// One month's count for a township and programme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthTally {
    /// The month.
    pub month: Month,
    /// Township code.
    pub township: DivisionCode,
    /// Programme code (`dibao`, `tekun`, or a relief's programme for payments).
    pub program: String,
    /// Households (entitlement periods open in the month, or payment lines).
    pub households: u32,
    /// People in those households (current members; periods only).
    pub people: u32,
    /// Monthly amounts of the periods, or amounts of the lines, in fen.
    pub amount_fen: i64,
}

/// Current households (not exited) of a township sharing one category, set of causes and set
/// of needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileTally {
    /// Township code.
    pub township: DivisionCode,
    /// Dibao or tekun.
    pub category: Category,
    /// Causes of poverty.
    pub causes: Vec<PovertyCause>,
    /// Needs for help.
    pub needs: Vec<Need>,
    /// How many households.
    pub households: u32,
    /// Their current members.
    pub people: u32,
}

/// Everything the dashboard sums in the database.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DashboardTallies {
    /// Entitlement periods open in each asked month, per township and programme.
    pub periods: Vec<MonthTally>,
    /// Payment lines of each asked month, per township and programme.
    pub payments: Vec<MonthTally>,
    /// Current households by township, category, causes and needs.
    pub profiles: Vec<ProfileTally>,
}

/// A tekun member's current support (2.2.b), for the tekun ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CareMode {
    /// The person.
    pub person: PersonId,
    /// In centralised care.
    pub centralised: bool,
    /// The institution (empty for dispersed care).
    pub institution: String,
}

/// The dashboard's reads.
#[async_trait]
pub trait Dashboards: Send + Sync + 'static {
    /// The counts of `months` (and the current profile) for the actor's scope, recorded as one
    /// audit entry with counts only.
    async fn dashboard_tallies(
        &self,
        actor: &Actor,
        months: &[Month],
    ) -> Result<DashboardTallies, StoreError>;

    /// The current support mode of every member with a recorded one, in the actor's scope
    /// (members without a row are in dispersed care), recorded as one audit entry.
    async fn care_modes(&self, actor: &Actor) -> Result<Vec<CareMode>, StoreError>;
}

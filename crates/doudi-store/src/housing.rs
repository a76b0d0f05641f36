//! Storage of housing assistance (2.6): applications for public rental housing or a rent
//! subsidy, and their decisions. The [`HousingSupport`] trait is a supertrait of
//! [`crate::Store`]; both backends implement it in `housing_impl.rs` (migration
//! `0017_housing.sql`).
//!
//! **Invariant:** a household has at most one open (filed, undecided) application: the database
//! refuses a second (`housing_applications_one_open`), reported as [`StoreError::Duplicate`]
//! with a Chinese message. An application and its audit entry are written in one transaction;
//! a decision is taken once, on a filed application.
//!
//! Who does what (5.1): the housing commission's officer and the county approver read every
//! application of the county and decide them; township caseworkers file for households of their
//! township and read them; community workers and auditors read in their scope. No other
//! department reads them.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use doudi_core::housing::{HousingKind, HousingState};
use doudi_core::{Actor, Category, Department, HouseholdId, Housing, Money, Month, Role};

use crate::StoreError;

/// An application to file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewHousingApplication {
    /// The household.
    pub household: HouseholdId,
    /// What it applies for.
    pub kind: HousingKind,
    /// The day it files (today, from the app's clock).
    pub filed_on: NaiveDate,
    /// What the household says of its need, in words.
    pub note: String,
}

/// A decision on a filed application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HousingDecision {
    /// A public rental flat allotted.
    Allocate {
        /// The flat: address, building and number.
        unit: String,
        /// Its area in hundredths of a square metre.
        area_centi_m2: i64,
        /// The monthly rent the household pays.
        rent: Money,
        /// From which day.
        from: NaiveDate,
    },
    /// A rent subsidy granted.
    Subsidise {
        /// The monthly amount.
        monthly: Money,
        /// The first month paid.
        from: Month,
        /// The last month paid.
        to: Month,
    },
    /// Refused, with the reason.
    Refuse {
        /// Why.
        reason: String,
    },
    /// Withdrawn by the household, with the reason.
    Withdraw {
        /// Why.
        reason: String,
    },
}

/// An application as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HousingApplication {
    /// Its id.
    pub id: i64,
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub household_number: String,
    /// Its community when it filed.
    pub community: String,
    /// What it applies for.
    pub kind: HousingKind,
    /// Where it stands.
    pub state: HousingState,
    /// The household's category when it filed.
    pub category: Category,
    /// Its housing situation when it filed.
    pub housing: Housing,
    /// The day it filed.
    pub filed_on: NaiveDate,
    /// What the household said of its need.
    pub note: String,
    /// The flat allotted.
    pub unit: Option<String>,
    /// Its area, hundredths of a square metre.
    pub area_centi_m2: Option<i64>,
    /// Its monthly rent.
    pub rent: Option<Money>,
    /// Allotted from.
    pub allocated_on: Option<NaiveDate>,
    /// The monthly subsidy.
    pub subsidy: Option<Money>,
    /// The subsidy's first month.
    pub from_month: Option<Month>,
    /// The subsidy's last month.
    pub to_month: Option<Month>,
    /// Why it was refused or withdrawn.
    pub reason: Option<String>,
    /// Who filed it (display name).
    pub filed_by: String,
    /// Who decided (display name).
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
}

/// Which applications to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HousingFilter {
    /// Only in this state.
    pub state: Option<HousingState>,
    /// Only of this kind.
    pub kind: Option<HousingKind>,
    /// Only in this township or community (a code prefix).
    pub division: Option<String>,
    /// Only of this household.
    pub household: Option<HouseholdId>,
}

/// Whether the actor is the housing commission's officer.
fn housing_officer(actor: &Actor) -> bool {
    actor.role == Role::DepartmentOfficer && actor.department == Some(Department::Housing)
}

/// Who reads applications and the households owed priority (2.6): the housing commission's
/// officer, the county approver, auditors, township caseworkers and community workers (each in
/// their scope), and the system.
pub fn may_read_housing(actor: &Actor) -> bool {
    housing_officer(actor)
        || matches!(
            actor.role,
            Role::CountyApprover
                | Role::Auditor
                | Role::TownshipCaseworker
                | Role::CommunityWorker
                | Role::System
        )
}

/// Who files an application for a household (and withdraws it): township caseworkers in their
/// township, the housing officer and the county approver.
pub fn may_file_housing(actor: &Actor) -> bool {
    housing_officer(actor)
        || matches!(
            actor.role,
            Role::CountyApprover | Role::TownshipCaseworker | Role::System
        )
}

/// Who allots a flat, grants a subsidy or refuses: the housing officer and the county approver.
pub fn may_decide_housing(actor: &Actor) -> bool {
    housing_officer(actor) || matches!(actor.role, Role::CountyApprover | Role::System)
}

/// Storage of housing applications (2.6), implemented by both backends.
#[async_trait]
pub trait HousingSupport {
    /// Files an application for a household in the actor's scope whose housing is not secure;
    /// a second open one is [`StoreError::Duplicate`].
    async fn file_housing(
        &self,
        actor: &Actor,
        application: &NewHousingApplication,
    ) -> Result<HousingApplication, StoreError>;

    /// The applications of the actor's scope matching the filter, newest first (the app orders
    /// them by priority).
    async fn housing_applications(
        &self,
        actor: &Actor,
        filter: &HousingFilter,
    ) -> Result<Vec<HousingApplication>, StoreError>;

    /// One application, if in the actor's scope.
    async fn housing_application(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<HousingApplication, StoreError>;

    /// Decides a filed application.
    async fn decide_housing(
        &self,
        actor: &Actor,
        id: i64,
        decision: &HousingDecision,
    ) -> Result<HousingApplication, StoreError>;
}

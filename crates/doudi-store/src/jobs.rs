//! Storage of employment help (2.7): openings (job vacancies and public-welfare posts, from
//! enterprises too), referrals of members to them and their outcomes, and training courses. The
//! [`EmploymentHelp`] trait is a supertrait of [`crate::Store`]; both backends implement it in
//! `jobs_impl.rs` (migration `0018_jobs.sql`).
//!
//! **Invariant:** a referral's outcome "hired" records the member as employed (稳定就业, or 公益性岗位
//! for a public-welfare post) in the same transaction, with the household's version bumped and
//! a history row, as an edit of the member would: that is how the household leaves the
//! zero-employment list. Every write appends its audit entry in its transaction.
//!
//! Who does what (5.1): the human-resources officer and the county approver record openings;
//! they and township caseworkers (in their township) refer members, record outcomes and
//! training; community workers and auditors read in their scope. No other department reads any
//! of it.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use doudi_core::jobs::{OpeningKind, ReferralState};
use doudi_core::{Actor, Department, HouseholdId, Money, PersonId, Role};

use crate::StoreError;

/// An opening to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOpening {
    /// The employer (an enterprise, a unit, the township for a public-welfare post).
    pub employer: String,
    /// The job's title.
    pub title: String,
    /// Job vacancy or public-welfare post.
    pub kind: OpeningKind,
    /// The township (9-digit code) where it is.
    pub township: String,
    /// The community (12-digit code) where it is, if in one.
    pub community: Option<String>,
    /// Hours a week, 1 to 84.
    pub hours_per_week: u32,
    /// Monthly pay.
    pub pay: Money,
    /// How many places.
    pub places: u32,
    /// Skills wanted, free-text keywords.
    pub skills: String,
    /// Suitable for partial capacity to work.
    pub partial_ok: bool,
    /// Suitable for a disabled person.
    pub disability_ok: bool,
}

/// An opening as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opening {
    /// Its id.
    pub id: i64,
    /// What was recorded.
    pub fields: NewOpening,
    /// Whether it still takes referrals.
    pub open: bool,
    /// Referrals to it, and how many were hired.
    pub referred: i64,
    /// Hired through it.
    pub hired: i64,
    /// Who recorded it (display name).
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A referral to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReferral {
    /// The opening.
    pub opening: i64,
    /// The member.
    pub person: PersonId,
    /// The day (today, from the app's clock).
    pub referred_on: NaiveDate,
}

/// A referral as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referral {
    /// Its id.
    pub id: i64,
    /// The opening.
    pub opening: i64,
    /// Its employer and title, in one line.
    pub opening_title: String,
    /// Its kind.
    pub opening_kind: OpeningKind,
    /// The member.
    pub person: PersonId,
    /// The member's name, masked (lists are masked).
    pub person_name: String,
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub household_number: String,
    /// Its community when referred.
    pub community: String,
    /// The outcome so far.
    pub state: ReferralState,
    /// The reason of a "not hired", or a remark.
    pub note: Option<String>,
    /// Who referred (display name).
    pub referred_by: String,
    /// The day.
    pub referred_on: NaiveDate,
}

/// Which referrals to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReferralFilter {
    /// Only of this household.
    pub household: Option<HouseholdId>,
    /// Only to this opening.
    pub opening: Option<i64>,
    /// Only with this outcome.
    pub state: Option<ReferralState>,
}

/// A training course to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTraining {
    /// The member.
    pub person: PersonId,
    /// The course.
    pub course: String,
    /// Who gave it.
    pub provider: String,
    /// First day.
    pub started_on: NaiveDate,
    /// Last day, if it has ended.
    pub ended_on: Option<NaiveDate>,
    /// Whether the member completed it.
    pub completed: bool,
}

/// A training course as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Training {
    /// Its id.
    pub id: i64,
    /// What was recorded.
    pub fields: NewTraining,
    /// The member's name, masked.
    pub person_name: String,
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub household_number: String,
}

/// Whether the actor is the human-resources and social-security officer.
fn hr_officer(actor: &Actor) -> bool {
    actor.role == Role::DepartmentOfficer && actor.department == Some(Department::HumanResources)
}

/// Who reads openings, referrals and training (2.7): the human-resources officer, the county
/// approver, auditors, township caseworkers and community workers (in their scope), the system.
pub fn may_read_jobs(actor: &Actor) -> bool {
    hr_officer(actor)
        || matches!(
            actor.role,
            Role::CountyApprover
                | Role::Auditor
                | Role::TownshipCaseworker
                | Role::CommunityWorker
                | Role::System
        )
}

/// Who records openings: the human-resources officer and the county approver.
pub fn may_record_openings(actor: &Actor) -> bool {
    hr_officer(actor) || matches!(actor.role, Role::CountyApprover | Role::System)
}

/// Who refers members, records outcomes and training: the human-resources officer, the county
/// approver and township caseworkers (in their township).
pub fn may_refer(actor: &Actor) -> bool {
    hr_officer(actor)
        || matches!(
            actor.role,
            Role::CountyApprover | Role::TownshipCaseworker | Role::System
        )
}

/// Storage of employment help (2.7), implemented by both backends.
#[async_trait]
pub trait EmploymentHelp {
    /// Records an opening.
    async fn add_opening(&self, actor: &Actor, opening: &NewOpening)
    -> Result<Opening, StoreError>;

    /// Opens or closes an opening.
    async fn set_opening_open(
        &self,
        actor: &Actor,
        id: i64,
        open: bool,
    ) -> Result<Opening, StoreError>;

    /// The openings, open ones first, newest first.
    async fn openings(&self, actor: &Actor, open_only: bool) -> Result<Vec<Opening>, StoreError>;

    /// One opening.
    async fn opening(&self, actor: &Actor, id: i64) -> Result<Opening, StoreError>;

    /// Refers a member of a household in the actor's scope to an open opening; a member the
    /// human-resources officer's view does not serve (no capacity to work) is not found.
    async fn refer(&self, actor: &Actor, referral: &NewReferral) -> Result<Referral, StoreError>;

    /// Records what came of a referral; "hired" also records the member as employed, and
    /// closes the opening once every place is taken.
    async fn referral_outcome(
        &self,
        actor: &Actor,
        id: i64,
        state: ReferralState,
        note: &str,
    ) -> Result<Referral, StoreError>;

    /// The referrals of the actor's scope matching the filter, newest first.
    async fn referrals(
        &self,
        actor: &Actor,
        filter: &ReferralFilter,
    ) -> Result<Vec<Referral>, StoreError>;

    /// Records a training course taken by a member of a household in the actor's scope.
    async fn record_training(
        &self,
        actor: &Actor,
        training: &NewTraining,
    ) -> Result<Training, StoreError>;

    /// The training courses of the actor's scope (of one household if given), newest first.
    async fn trainings(
        &self,
        actor: &Actor,
        household: Option<HouseholdId>,
    ) -> Result<Vec<Training>, StoreError>;
}

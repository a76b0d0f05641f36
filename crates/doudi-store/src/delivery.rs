//! Storage of what the health and education departments deliver (2.4, 2.5): inpatient stays
//! settled by the medical insurance bureau, each member's family-doctor signing and health
//! record, the school a student attends in a term, and each education item delivered. The
//! [`Delivery`] trait is a supertrait of [`crate::Store`]; both backends implement it in
//! `delivery_impl.rs` (migrations 0013 and 0014).
//!
//! **Invariant:** a stay is settled against the person's earlier stays of the same year (the
//! yearly critical-illness deductible and assistance cap), so it is never changed once
//! recorded: only the person's latest stay of a year can be cancelled (with its reason), and a
//! stay is recorded only if the person's stays of the year are still those it was computed
//! against ([`NewStay::prior`]).
//!
//! **Invariant:** what a student is owed is never stored (it is derived from the file by the
//! rules each time); an item is delivered at most once per student and term.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use doudi_core::{Actor, Category, Department, HouseholdId, PersonId, Role, SpecialDisease};

use crate::StoreError;

/// A member found by identity number (for settling a stay, or a school's file of deliveries).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patient {
    /// The member.
    pub person: PersonId,
    /// Their household.
    pub household: HouseholdId,
    /// The household's file number.
    pub household_number: String,
    /// The household's category, which sets the assistance ratio.
    pub category: Category,
    /// The name, masked.
    pub name: String,
    /// The special disease of 2.4 on file, if any.
    pub special_disease: Option<SpecialDisease>,
    /// Whether the household has exited (no assistance is owed after).
    pub exited_on: Option<NaiveDate>,
}

/// What a person's earlier stays of a year used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct YearUsage {
    /// Stays recorded and not cancelled.
    pub stays: i64,
    /// Self-pay counted against the critical-illness deductible, in fen.
    pub counted_fen: i64,
    /// Medical assistance paid, in fen.
    pub assistance_fen: i64,
}

/// A settled stay to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewStay {
    /// The member.
    pub person: PersonId,
    /// The hospital.
    pub hospital: String,
    /// The hospital's level code (`township`, `county`, `municipal`).
    pub level: String,
    /// Whether the hospital is in the county.
    pub in_county: bool,
    /// Admission.
    pub admitted: NaiveDate,
    /// Discharge.
    pub discharged: NaiveDate,
    /// The category the settlement used.
    pub category: Category,
    /// The special disease treated, if any.
    pub special_disease: Option<SpecialDisease>,
    /// Treated first, paid later (先诊疗后付费).
    pub treat_first: bool,
    /// Total inpatient cost, fen.
    pub total_fen: i64,
    /// In-catalogue part, fen.
    pub in_catalogue_fen: i64,
    /// Basic insurance, fen.
    pub basic_fen: i64,
    /// Critical-illness insurance, fen.
    pub critical_fen: i64,
    /// Self-pay counted against the year's critical-illness deductible, fen.
    pub counted_fen: i64,
    /// Medical assistance, fen.
    pub assistance_fen: i64,
    /// What the person pays, fen.
    pub self_pay_fen: i64,
    /// The explanation, as rendered when settled.
    pub explanation: String,
    /// The person's stays of the admission year the settlement was computed against
    /// ([`YearUsage::stays`]); if another was recorded or cancelled since, the stay is refused
    /// as a conflict.
    pub prior: i64,
}

/// A stay as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StayRecord {
    /// Its id.
    pub id: i64,
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub household_number: String,
    /// Its township code.
    pub township: String,
    /// The member.
    pub person: PersonId,
    /// The member's name, masked.
    pub name: String,
    /// The hospital.
    pub hospital: String,
    /// Level code.
    pub level: String,
    /// In the county.
    pub in_county: bool,
    /// Admission.
    pub admitted: NaiveDate,
    /// Discharge.
    pub discharged: NaiveDate,
    /// The category the settlement used.
    pub category: Category,
    /// The special disease treated.
    pub special_disease: Option<SpecialDisease>,
    /// Treated first, paid later.
    pub treat_first: bool,
    /// Total cost, fen.
    pub total_fen: i64,
    /// In-catalogue part, fen.
    pub in_catalogue_fen: i64,
    /// Basic insurance, fen.
    pub basic_fen: i64,
    /// Critical-illness insurance, fen.
    pub critical_fen: i64,
    /// Counted against the critical-illness deductible, fen.
    pub counted_fen: i64,
    /// Medical assistance, fen.
    pub assistance_fen: i64,
    /// Self-pay, fen.
    pub self_pay_fen: i64,
    /// The explanation as settled.
    pub explanation: String,
    /// Who recorded it (display name).
    pub recorded_by: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
    /// Why it was cancelled, if it was.
    pub cancelled: Option<String>,
}

/// Which stays to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StayFilter {
    /// Admitted in this year.
    pub year: Option<i32>,
    /// Only this household's.
    pub household: Option<HouseholdId>,
    /// Cancelled stays too.
    pub with_cancelled: bool,
}

/// A student's school in a term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enrolment {
    /// The member.
    pub person: PersonId,
    /// The household.
    pub household: HouseholdId,
    /// The term (`2026秋`-style code, see `doudi_policy::education::Term`).
    pub term: String,
    /// The school.
    pub school: String,
}

/// An education item delivered to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDelivery {
    /// The student.
    pub person: PersonId,
    /// The term code.
    pub term: String,
    /// The item's code (`doudi_policy::education::ItemKind::code`).
    pub item: String,
    /// The value delivered, fen.
    pub amount_fen: i64,
    /// When.
    pub delivered_on: NaiveDate,
    /// A note (voucher number, how it was delivered).
    pub note: String,
}

/// An education item delivered, as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// Its id.
    pub id: i64,
    /// The student.
    pub person: PersonId,
    /// The household.
    pub household: HouseholdId,
    /// The term code.
    pub term: String,
    /// The item's code.
    pub item: String,
    /// Value delivered, fen.
    pub amount_fen: i64,
    /// When.
    pub delivered_on: NaiveDate,
    /// The school that delivered it (as enrolled when recorded).
    pub school: String,
    /// The note.
    pub note: String,
    /// Who recorded it (display name).
    pub recorded_by: String,
}

/// The delivery operations of a store.
#[async_trait]
pub trait Delivery: Send + Sync + 'static {
    /// The member with this identity number within the actor's scope, for settling a stay or
    /// recording an education delivery from a file ([`may_settle_stays`],
    /// [`may_deliver_education`]); recorded in the audit trail as a look-up.
    async fn patient(
        &self,
        actor: &Actor,
        id_number: &doudi_core::IdNumber,
    ) -> Result<Option<Patient>, StoreError>;

    /// What the person's stays admitted in `year` used, not counting cancelled ones.
    async fn stay_usage(&self, person: PersonId, year: i32) -> Result<YearUsage, StoreError>;

    /// Records a settled stay ([`may_settle_stays`]); refused as a conflict if the person's
    /// stays of the year changed since the settlement was computed.
    async fn record_stay(&self, actor: &Actor, stay: &NewStay) -> Result<i64, StoreError>;

    /// Records several settled stays in one transaction, in order, all or none (a file of
    /// settlements); each is checked as [`Delivery::record_stay`] checks one, counting those
    /// before it in the batch.
    async fn record_stays(&self, actor: &Actor, stays: &[NewStay]) -> Result<Vec<i64>, StoreError>;

    /// Cancels a stay with the reason ([`may_settle_stays`]): only the person's latest stay of
    /// its year that is not cancelled.
    async fn cancel_stay(&self, actor: &Actor, id: i64, reason: &str) -> Result<(), StoreError>;

    /// Stays of households in the actor's scope ([`may_read_stays`]), newest admission first,
    /// at most 5,000; recorded as a list read.
    async fn stays(
        &self,
        actor: &Actor,
        filter: &StayFilter,
    ) -> Result<Vec<StayRecord>, StoreError>;

    /// Sets a member's family-doctor signing and health record (2.4) with history
    /// ([`may_keep_health_services`], in scope).
    async fn set_health_services(
        &self,
        actor: &Actor,
        person: PersonId,
        family_doctor: bool,
        health_record: bool,
    ) -> Result<(), StoreError>;

    /// Sets the school a student attends in a term ([`may_deliver_education`], in scope).
    async fn enrol(
        &self,
        actor: &Actor,
        person: PersonId,
        term: &str,
        school: &str,
    ) -> Result<(), StoreError>;

    /// Schools of students of households in the actor's scope (or of one household) in a
    /// term.
    async fn enrolments(
        &self,
        actor: &Actor,
        term: &str,
        household: Option<HouseholdId>,
    ) -> Result<Vec<Enrolment>, StoreError>;

    /// Records an item delivered ([`may_deliver_education`], in scope); a second delivery of
    /// the same item to the same student in the same term is a [`StoreError::Duplicate`].
    async fn record_delivery(
        &self,
        actor: &Actor,
        delivery: &NewDelivery,
    ) -> Result<i64, StoreError>;

    /// Records several deliveries in one transaction, all or none (a school's file).
    async fn record_deliveries(
        &self,
        actor: &Actor,
        deliveries: &[NewDelivery],
    ) -> Result<Vec<i64>, StoreError>;

    /// Withdraws a delivery recorded by mistake, with the reason in the audit trail.
    async fn withdraw_delivery(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
    ) -> Result<(), StoreError>;

    /// Deliveries to students of households in the actor's scope (or of one household) in a
    /// term.
    async fn deliveries(
        &self,
        actor: &Actor,
        term: &str,
        household: Option<HouseholdId>,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;
}

fn officer_of(actor: &Actor, departments: &[Department]) -> bool {
    actor.role == Role::DepartmentOfficer
        && actor.department.is_some_and(|d| departments.contains(&d))
}

/// Who settles inpatient stays (2.4): the medical insurance bureau's officers, the county
/// approver and the system.
pub fn may_settle_stays(actor: &Actor) -> bool {
    matches!(actor.role, Role::CountyApprover | Role::System)
        || officer_of(actor, &[Department::MedicalInsurance])
}

/// Who reads stays: those who settle them, the health commission's officers, auditors and
/// township caseworkers (in scope).
pub fn may_read_stays(actor: &Actor) -> bool {
    may_settle_stays(actor)
        || matches!(actor.role, Role::Auditor | Role::TownshipCaseworker)
        || officer_of(actor, &[Department::Health])
}

/// Who records family-doctor signing and health records (2.4): the health commission's
/// officers, the county approver, township caseworkers and the system (in scope).
pub fn may_keep_health_services(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::CountyApprover | Role::TownshipCaseworker | Role::System
    ) || officer_of(actor, &[Department::Health])
}

/// Who records schools and education items delivered (2.5): the education commission's
/// officers, the county approver, township caseworkers and the system (in scope).
pub fn may_deliver_education(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::CountyApprover | Role::TownshipCaseworker | Role::System
    ) || officer_of(actor, &[Department::Education])
}

/// Who reads schools and deliveries: those who record them and auditors.
pub fn may_read_education(actor: &Actor) -> bool {
    may_deliver_education(actor) || actor.role == Role::Auditor
}

//! Storage of disaster relief (2.3): events with their area, the current dibao and tekun
//! households found in it (each checked by a person: confirmed or removed, with the damage and
//! the dead and injured), and the reliefs recorded for them. The [`Disasters`] trait is a
//! supertrait of [`crate::Store`]; both backends implement it in `disaster_impl.rs`
//! (migration `0015_disasters.sql`).
//!
//! **Invariant:** a relief is paid through the monthly payment run, never beside it: each month
//! it is due is a `relief_months` row, unique per household, programme and month like the
//! payment lines, and the run of that month turns it into a payment line (`payments.
//! relief_month_id`) of the relief's own programme, so it is paid once, settled by the bank's
//! results like any line, and never collides with the household's dibao or tekun line.
//!
//! **Invariant:** recording an event, its households and their alerts is one transaction; so
//! is a relief with its months.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use doudi_core::disaster::{AffectedState, Damage, DisasterKind, ReliefKind};
use doudi_core::{Actor, Category, DivisionCode, HouseholdId, Month};

use crate::StoreError;

/// A disaster event to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDisaster {
    /// Its name (such as 2026年7月青龙镇洪涝).
    pub name: String,
    /// What kind.
    pub kind: DisasterKind,
    /// When it happened.
    pub occurred_on: NaiveDate,
    /// The communities it hit.
    pub communities: Vec<DivisionCode>,
    /// Words of the addresses it hit (a village group, a street), besides the communities.
    pub keywords: Vec<String>,
}

/// A disaster event as lists show it, with its figures within the reader's scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disaster {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// What kind.
    pub kind: DisasterKind,
    /// When it happened.
    pub occurred_on: NaiveDate,
    /// The communities of its area (codes).
    pub communities: Vec<String>,
    /// The address keywords of its area.
    pub keywords: Vec<String>,
    /// Who recorded it (display name).
    pub recorded_by: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
    /// Households found or confirmed in the reader's scope (not those removed).
    pub households: i64,
    /// Of those, confirmed.
    pub confirmed: i64,
    /// Relief recorded for households in the reader's scope, in fen (every month of it).
    pub relief_fen: i64,
}

/// A household found in a disaster's area, as the event's list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AffectedHousehold {
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub number: String,
    /// Its community code.
    pub community: String,
    /// Its address.
    pub address: String,
    /// The head's name, masked.
    pub head: String,
    /// Dibao or tekun.
    pub category: Category,
    /// Found, confirmed or removed.
    pub state: AffectedState,
    /// The damage to the home, once checked.
    pub damage: Option<Damage>,
    /// Members who died.
    pub dead: u32,
    /// Members injured.
    pub injured: u32,
    /// The checker's note.
    pub note: String,
}

/// A relief as recorded, with what has been paid of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relief {
    /// Its id.
    pub id: i64,
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub household_number: String,
    /// What kind.
    pub kind: ReliefKind,
    /// The amount in fen (transitional relief: per month).
    pub amount_fen: i64,
    /// The first month it is due.
    pub from_month: Month,
    /// How many months (1 but for transitional relief).
    pub months: u32,
    /// Why, as recorded.
    pub reason: String,
    /// Who recorded it (display name).
    pub recorded_by: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
    /// Payment lines made for it by the runs so far.
    pub lines: i64,
    /// Of those, paid by the bank, in fen.
    pub paid_fen: i64,
    /// The months it is still due or was paid for (fewer than `months` once withdrawn).
    pub kept_months: i64,
    /// Why it was withdrawn, if it was.
    pub cancelled: Option<String>,
}

impl Relief {
    /// Every month of it that is due or was paid, in fen.
    pub fn total_fen(&self) -> i64 {
        self.amount_fen.saturating_mul(self.kept_months)
    }
}

/// One event with its households, reliefs and the cadres paired with its households, within
/// the reader's scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisasterDetail {
    /// The event.
    pub disaster: Disaster,
    /// Its households, by file number.
    pub households: Vec<AffectedHousehold>,
    /// Its reliefs, by file number and then as recorded.
    pub reliefs: Vec<Relief>,
    /// The cadres paired with its households (not those removed): household, file number and
    /// the cadre's display name.
    pub cadres: Vec<(HouseholdId, String, String)>,
}

/// What a person found when checking a household of an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AffectedCheck {
    /// The household.
    pub household: HouseholdId,
    /// Confirmed or removed.
    pub state: AffectedState,
    /// The damage to the home.
    pub damage: Damage,
    /// Members who died.
    pub dead: u32,
    /// Members injured.
    pub injured: u32,
    /// Why, in words.
    pub note: String,
}

/// A relief to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRelief {
    /// The household.
    pub household: HouseholdId,
    /// What kind.
    pub kind: ReliefKind,
    /// The amount in fen (transitional relief: per month).
    pub amount_fen: i64,
    /// The first month it is due.
    pub from_month: Month,
    /// How many months (1 but for transitional relief).
    pub months: u32,
    /// Why.
    pub reason: String,
}

/// The disaster-relief operations of a store.
#[async_trait]
pub trait Disasters: Send + Sync + 'static {
    /// Records an event (the emergency officer, the county approver, the system), finds the
    /// current households in its area (a listed community, or an address containing a keyword)
    /// and raises an alert for each household's township, in one transaction. Returns its id.
    async fn record_disaster(
        &self,
        actor: &Actor,
        disaster: &NewDisaster,
    ) -> Result<i64, StoreError>;

    /// The events, newest first, with their figures in the actor's scope (those who read
    /// disasters, `doudi_core::disaster::may_read`).
    async fn disasters(&self, actor: &Actor) -> Result<Vec<Disaster>, StoreError>;

    /// One event with its households, reliefs and cadres in the actor's scope; recorded as a
    /// bulk read.
    async fn disaster(&self, actor: &Actor, id: i64) -> Result<DisasterDetail, StoreError>;

    /// Confirms or removes a household of an event, with the damage, the dead and injured and
    /// a note (the emergency officer, the county approver, township caseworkers in scope). A
    /// household with relief recorded cannot be removed.
    async fn check_affected(
        &self,
        actor: &Actor,
        disaster: i64,
        check: &AffectedCheck,
    ) -> Result<(), StoreError>;

    /// Records a relief for a confirmed household of the event (the emergency officer, the
    /// county approver), with each month it is due, in one transaction. Condolence needs deaths
    /// recorded for the household; a month that already has a relief of the same kind for the
    /// household is refused. Returns its id.
    async fn record_relief(
        &self,
        actor: &Actor,
        disaster: i64,
        relief: &NewRelief,
    ) -> Result<i64, StoreError>;

    /// Withdraws a relief of the event (the emergency officer, the county approver, in scope):
    /// its months without a payment line, and those whose line is still pending (the line too),
    /// are removed; what the bank paid or refused stays. Returns how many months were removed;
    /// a relief already withdrawn, or with nothing left to withdraw, is [`StoreError::Invalid`].
    async fn cancel_relief(
        &self,
        actor: &Actor,
        disaster: i64,
        relief: i64,
        reason: &str,
    ) -> Result<u64, StoreError>;
}

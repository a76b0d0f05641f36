//! Storage of proactive discovery (5.3): department data imports, their records with the
//! person each was matched to and why, the alerts they raised for townships, and how each
//! department names its columns. The [`Discovery`] trait is a supertrait of [`crate::Store`];
//! both backends implement it in `discovery_impl.rs`.
//!
//! **Invariant:** an import is kept once per kind and content (`feed_imports_once`): the same
//! file again changes nothing. An import, its records and its alerts are written in one
//! transaction, or not at all.
//!
//! **Invariant:** no name or identity number sent by a department is stored, only its masked
//! form (`shown`) and the link to the registry person it was matched to.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use doudi_core::discovery::{AlertLevel, AlertRule, AlertState, FeedKind};
use doudi_core::{Actor, HouseholdId, PersonId};

use crate::StoreError;

/// An alert to raise with a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAlert {
    /// The rule that raised it.
    pub rule: AlertRule,
    /// How urgent.
    pub level: AlertLevel,
    /// Why, in words, with the clause.
    pub reason: String,
}

/// One record of an import, as matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFeedRecord {
    /// The department's record number.
    pub record_id: String,
    /// The registry person it was matched to, with the household, if any.
    pub person: Option<(PersonId, HouseholdId)>,
    /// How sure the match is, per mille (0 when unmatched).
    pub permille: u16,
    /// Why: which fields agreed, with their weights, in words.
    pub evidence: String,
    /// Name and identity number as sent, masked.
    pub shown: String,
    /// The kind's date.
    pub date: Option<NaiveDate>,
    /// The kind's amount in fen.
    pub amount_fen: Option<i64>,
    /// The kind's text.
    pub detail: String,
    /// The alert it raises for the person's household, if any.
    pub alert: Option<NewAlert>,
    /// The record's identifying fields as compared (identity number, name, birth date), from
    /// which the store keeps only a keyed fingerprint: a caseworker's answer about this record
    /// is remembered under it ([`Discovery::link_decisions`]).
    pub identity: String,
}

/// An import to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFeedImport {
    /// What kind of data.
    pub kind: FeedKind,
    /// The file's name, or "接口" for an API batch.
    pub source: String,
    /// SHA-256 of the content, hex.
    pub digest: String,
    /// Its records.
    pub records: Vec<NewFeedRecord>,
}

/// An import as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedImport {
    /// Its id.
    pub id: i64,
    /// What kind of data.
    pub kind: FeedKind,
    /// The file's name, or "接口".
    pub source: String,
    /// Records in it.
    pub records: i64,
    /// Records matched to a registry person.
    pub linked: i64,
    /// Records matched to no one (people not on the platform).
    pub unmatched: i64,
    /// Alerts raised.
    pub alerts: i64,
    /// Who imported it (display name).
    pub imported_by: String,
    /// When.
    pub imported_at: DateTime<Utc>,
}

/// An alert as lists show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    /// Its id.
    pub id: i64,
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub household_number: String,
    /// Its community code.
    pub community: String,
    /// The member concerned, if any.
    pub person: Option<PersonId>,
    /// The rule.
    pub rule: AlertRule,
    /// How urgent.
    pub level: AlertLevel,
    /// Why.
    pub reason: String,
    /// The department record behind it: kind, masked name and number, match per mille and
    /// evidence.
    pub record: Option<AlertRecord>,
    /// Where it stands.
    pub state: AlertState,
    /// The outcome or the reason it was dismissed.
    pub outcome: Option<String>,
    /// When it was raised.
    pub created_at: DateTime<Utc>,
}

/// The department record behind an alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertRecord {
    /// Its id.
    pub id: i64,
    /// What kind of data.
    pub kind: FeedKind,
    /// Name and number as sent, masked.
    pub shown: String,
    /// Match certainty, per mille.
    pub permille: u16,
    /// Why it was matched.
    pub evidence: String,
    /// The kind's date.
    pub date: Option<NaiveDate>,
}

/// An alert a scan of the registry raises, not from a department record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanAlert {
    /// The household.
    pub household: HouseholdId,
    /// The member concerned, if any.
    pub person: Option<PersonId>,
    /// The alert.
    pub alert: NewAlert,
    /// What makes it the same alert as one raised before (such as `aged:PERSON:2026-11`).
    pub dedupe: String,
}

/// A department record matched to a member of a household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkedRecord {
    /// Its id.
    pub id: i64,
    /// What kind of data.
    pub kind: FeedKind,
    /// The member.
    pub person: PersonId,
    /// Match certainty per mille.
    pub permille: u16,
    /// The kind's date.
    pub date: Option<NaiveDate>,
    /// The kind's amount in fen.
    pub amount_fen: Option<i64>,
    /// The kind's text.
    pub detail: String,
}

/// A department record of someone not on the platform, as the near-poor watch list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnmatchedRecord {
    /// Its id.
    pub id: i64,
    /// What kind of data.
    pub kind: FeedKind,
    /// Name and number as sent, masked.
    pub shown: String,
    /// The kind's date.
    pub date: Option<NaiveDate>,
    /// The kind's amount in fen.
    pub amount_fen: Option<i64>,
    /// The kind's text.
    pub detail: String,
    /// The import's source (file name).
    pub source: String,
}

/// Which alerts to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlertFilter {
    /// Only open ones (new or in progress).
    pub open_only: bool,
    /// Only this household's.
    pub household: Option<HouseholdId>,
}

/// A death a department's file made certain, not yet recorded: its alert is still new.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingDeath {
    /// The alert the death raised, closed when the death is recorded.
    pub alert: i64,
    /// Who died.
    pub person: PersonId,
    /// Their household.
    pub household: HouseholdId,
    /// The date of death the file gave, if any.
    pub died_on: Option<NaiveDate>,
    /// The department's record id.
    pub record_id: String,
}

/// The discovery operations of a store.
#[async_trait]
pub trait Discovery: Send + Sync + 'static {
    /// The import of this kind and content, if there was one.
    async fn feed_imported(
        &self,
        kind: FeedKind,
        digest: &str,
    ) -> Result<Option<FeedImport>, StoreError>;

    /// Records an import with its records and alerts, in one transaction (the county
    /// approver, a department officer of the kind's department, the system). The same kind and
    /// content twice is a [`StoreError::Duplicate`].
    async fn record_feed(
        &self,
        actor: &Actor,
        import: &NewFeedImport,
    ) -> Result<FeedImport, StoreError>;

    /// The imports the actor may see (the county: all; a department officer: its kinds),
    /// newest first, at most 200.
    async fn feed_imports(&self, actor: &Actor) -> Result<Vec<FeedImport>, StoreError>;

    /// Alerts of households in the actor's scope (roles that read cases), urgent and newest
    /// first, at most 1,000.
    async fn alerts(&self, actor: &Actor, filter: &AlertFilter) -> Result<Vec<Alert>, StoreError>;

    /// The deaths an import found certain whose alerts are still new, in the file's order:
    /// what recording the import's deaths has left to do, right after the import, after a
    /// crash or after a refusal (the system and the county approver only).
    async fn pending_deaths(
        &self,
        actor: &Actor,
        import: i64,
    ) -> Result<Vec<PendingDeath>, StoreError>;

    /// How many alerts of the actor's scope are open (new or in progress), and how many of those
    /// are red: the work list's figures, counted in the database however many there are.
    async fn open_alert_counts(&self, actor: &Actor) -> Result<(u64, u64), StoreError>;

    /// Moves an alert on (township caseworkers and the county approver, in scope): in
    /// progress, done with its outcome, or dismissed with the reason. A closed alert stays
    /// closed. Closing a possible match ([`AlertRule::Match`]) remembers the answer for the
    /// record: done, it is the person; dismissed, it is not.
    async fn update_alert(
        &self,
        actor: &Actor,
        alert: i64,
        state: AlertState,
        outcome: &str,
    ) -> Result<Alert, StoreError>;

    /// What caseworkers answered before about records with these identities (as in
    /// [`NewFeedRecord::identity`]): for each, the persons it was said to be (`true`) or not to
    /// be (`false`).
    async fn link_decisions(
        &self,
        identities: &[String],
    ) -> Result<Vec<Vec<(PersonId, bool)>>, StoreError>;

    /// The department records matched to members of a household of the actor's scope (those
    /// who read cases), oldest first; records a caseworker said were not the member are left
    /// out.
    async fn linked_records(
        &self,
        actor: &Actor,
        household: HouseholdId,
    ) -> Result<Vec<LinkedRecord>, StoreError>;

    /// Records of `kind` matched to no one on the platform with an amount of at least
    /// `min_fen`, newest first, at most 1,000 (the county approver, the system): people the
    /// platform does not know whose circumstances suggest hardship.
    async fn unmatched_records(
        &self,
        actor: &Actor,
        kind: FeedKind,
        min_fen: i64,
    ) -> Result<Vec<UnmatchedRecord>, StoreError>;

    /// Raises the alerts of a registry scan (the county approver, the system); one already
    /// raised (same `dedupe`) is not raised again. Returns how many were new.
    async fn raise_alerts(&self, actor: &Actor, alerts: &[ScanAlert]) -> Result<u64, StoreError>;

    /// How the department's files of `kind` name their columns (`field=header` lines).
    async fn feed_mapping(&self, kind: FeedKind) -> Result<Option<String>, StoreError>;

    /// Sets it (the county approver or an officer of the kind's department).
    async fn put_feed_mapping(
        &self,
        actor: &Actor,
        kind: FeedKind,
        mapping: &str,
    ) -> Result<(), StoreError>;
}

/// Whether the actor may send data of `kind`: the county approver and the system any kind, a
/// department officer the kinds of its department.
pub fn may_import(actor: &Actor, kind: FeedKind) -> bool {
    match actor.role {
        doudi_core::Role::CountyApprover | doudi_core::Role::System => true,
        doudi_core::Role::DepartmentOfficer => {
            kind.department().is_some() && actor.department == kind.department()
        }
        _ => false,
    }
}

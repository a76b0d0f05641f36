//! Storage of the social-forces platform (3.1, 3.2): participants (enterprises, social
//! organisations, foundations, volunteers) linked to a social-organisation account and verified
//! by the county approver; their offers; households' needs as published, de-identified; and the
//! matches a caseworker confirms, through delivery (by the participant) and acknowledgement (by
//! the household's paired cadre, a township caseworker in scope or the county). The [`Social`]
//! trait is a supertrait of [`crate::Store`]; both backends implement it in `social_impl.rs`
//! (migration `0021_social.sql`).
//!
//! **Invariant (de-identification):** nothing a participant reads carries the household: a
//! [`PublicNeed`] holds only an opaque random token (not the household id), the township, the
//! kind of need, a size bracket and the urgency (rule in [`doudi_core::social`]). The household
//! id stays in the table to check scope and who acknowledges, and never leaves the store.
//!
//! **Invariant (visibility):** offers of an unverified participant cannot be posted; a
//! participant reads and edits only their own participant record, offers and matches.
//! Every write appends its audit entry in its transaction.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use doudi_core::social::{MatchState, OfferKind, ParticipantKind, SizeBracket, Urgency};
use doudi_core::{Actor, Money, Need, Role};

use crate::StoreError;

/// A participant's registration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewParticipant {
    /// Enterprise, social organisation, foundation or volunteer.
    pub kind: Option<ParticipantKind>,
    /// Its name.
    pub name: String,
    /// A contact (person and phone) for the civil affairs bureau.
    pub contact: String,
    /// The unified social credit code (统一社会信用代码), if it has one.
    pub credit_code: Option<String>,
}

/// A participant as kept, with its donations accounted (money offers, in fen).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participant {
    /// Its id.
    pub id: i64,
    /// Its account.
    pub user_id: i64,
    /// What was registered.
    pub kind: ParticipantKind,
    /// Its name.
    pub name: String,
    /// Its contact.
    pub contact: String,
    /// Its unified social credit code.
    pub credit_code: Option<String>,
    /// Whether the county approver verified it.
    pub verified: bool,
    /// When it registered.
    pub created_at: DateTime<Utc>,
    /// How many offers it posted.
    pub offers: i64,
    /// Money pledged (the amounts of its money offers).
    pub pledged: Money,
    /// Money delivered (matches recorded delivered or acknowledged).
    pub delivered: Money,
    /// Money acknowledged received.
    pub acknowledged: Money,
}

/// An offer to post or edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOffer {
    /// What it gives.
    pub kind: OfferKind,
    /// What exactly.
    pub description: String,
    /// The township (9-digit code), or `None` for the whole county.
    pub township: Option<String>,
    /// How many households it can serve.
    pub capacity: u32,
    /// For a money offer, the amount pledged in all (shared equally among the households).
    pub amount: Money,
    /// The last day it is valid.
    pub valid_until: NaiveDate,
}

/// An offer as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    /// Its id.
    pub id: i64,
    /// Whose.
    pub participant: i64,
    /// The participant's name.
    pub participant_name: String,
    /// What was posted.
    pub fields: NewOffer,
    /// Whether it still takes matches.
    pub open: bool,
    /// How many matches it has.
    pub matched: i64,
}

impl Offer {
    /// How many more households it can serve.
    pub fn capacity_left(&self) -> u32 {
        let used = u32::try_from(self.matched).unwrap_or(u32::MAX);
        self.fields.capacity.saturating_sub(used)
    }
}

/// A need as published: nothing that identifies the household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicNeed {
    /// The opaque id (random; not the household id).
    pub token: String,
    /// What kind of help.
    pub kind: Need,
    /// The township (9-digit code).
    pub township: String,
    /// The household's size bracket.
    pub size: SizeBracket,
    /// How urgent.
    pub urgency: Urgency,
    /// When it was published.
    pub published_on: NaiveDate,
}

/// A match to confirm: an offer for a need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMatch {
    /// The need's token.
    pub need: String,
    /// The offer.
    pub offer: i64,
    /// Why (from the proposal), in Chinese.
    pub reasons: String,
}

/// A match as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    /// Its id.
    pub id: i64,
    /// The need, de-identified.
    pub need: PublicNeed,
    /// The offer.
    pub offer: i64,
    /// The offer's kind.
    pub offer_kind: OfferKind,
    /// The offer's description.
    pub offer_description: String,
    /// The participant.
    pub participant: i64,
    /// The participant's name.
    pub participant_name: String,
    /// Money to deliver (a money offer's share), zero otherwise.
    pub amount: Money,
    /// Where it stands.
    pub state: MatchState,
    /// Why it was proposed.
    pub reasons: String,
    /// What the participant said it delivered.
    pub delivery_note: Option<String>,
}

/// Who reads the platform: social organisations (their own part and the de-identified needs),
/// the county approver, auditors, township caseworkers, community workers, paired cadres, the
/// system.
pub fn may_read_social(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::SocialOrganisation
            | Role::CountyApprover
            | Role::Auditor
            | Role::TownshipCaseworker
            | Role::CommunityWorker
            | Role::PairedCadre
            | Role::System
    )
}

/// Who verifies participants: the county approver (the civil affairs bureau).
pub fn may_verify_participants(actor: &Actor) -> bool {
    matches!(actor.role, Role::CountyApprover | Role::System)
}

/// Who publishes needs and confirms matches: the county approver and township caseworkers (in
/// their township).
pub fn may_confirm_matches(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::CountyApprover | Role::TownshipCaseworker | Role::System
    )
}

/// Who acknowledges deliveries: the household's paired cadre, township caseworkers in scope,
/// the county approver.
pub fn may_acknowledge(actor: &Actor) -> bool {
    may_confirm_matches(actor) || actor.role == Role::PairedCadre
}

/// Storage of the social-forces platform, implemented by both backends.
#[async_trait]
pub trait Social {
    /// Registers the actor's (a social-organisation account's) participant record, unverified.
    async fn register_participant(
        &self,
        actor: &Actor,
        participant: &NewParticipant,
    ) -> Result<Participant, StoreError>;

    /// Verifies (or withdraws the verification of) a participant.
    async fn verify_participant(
        &self,
        actor: &Actor,
        id: i64,
        verified: bool,
    ) -> Result<Participant, StoreError>;

    /// The participants: a social organisation reads only its own, others all.
    async fn participants(&self, actor: &Actor) -> Result<Vec<Participant>, StoreError>;

    /// The actor's own participant record, if registered.
    async fn own_participant(&self, actor: &Actor) -> Result<Option<Participant>, StoreError>;

    /// Posts an offer of the actor's verified participant.
    async fn add_offer(&self, actor: &Actor, offer: &NewOffer) -> Result<Offer, StoreError>;

    /// Edits one of the actor's own offers (its capacity not below what is matched).
    async fn update_offer(
        &self,
        actor: &Actor,
        id: i64,
        offer: &NewOffer,
    ) -> Result<Offer, StoreError>;

    /// Opens or closes one of the actor's own offers.
    async fn set_offer_open(&self, actor: &Actor, id: i64, open: bool)
    -> Result<Offer, StoreError>;

    /// The offers: a social organisation reads its own; others read verified participants'.
    async fn offers(&self, actor: &Actor) -> Result<Vec<Offer>, StoreError>;

    /// Publishes the needs raised in the files of open households in the actor's scope (one per
    /// household and kind of need, urgency and size refreshed), and withdraws unmatched needs no
    /// longer raised. Returns how many were newly published.
    async fn publish_needs(&self, actor: &Actor) -> Result<u64, StoreError>;

    /// The open (unmatched) needs, de-identified, most urgent first.
    async fn open_needs(&self, actor: &Actor) -> Result<Vec<PublicNeed>, StoreError>;

    /// Confirms an offer for a need (the need in the actor's scope): the offer must be open,
    /// valid, of a verified participant, of a kind serving the need, in its township or
    /// county-wide, with capacity left.
    async fn confirm_match(&self, actor: &Actor, m: &NewMatch) -> Result<Match, StoreError>;

    /// The matches the actor may see: a participant its own offers', a caseworker those of
    /// needs in scope, a paired cadre those of their households, the county all.
    async fn matches(&self, actor: &Actor) -> Result<Vec<Match>, StoreError>;

    /// The participant records that it delivered a confirmed match.
    async fn deliver_match(&self, actor: &Actor, id: i64, note: &str) -> Result<Match, StoreError>;

    /// The household's paired cadre (or a caseworker in scope, or the county) acknowledges a
    /// delivered match.
    async fn acknowledge_match(&self, actor: &Actor, id: i64) -> Result<Match, StoreError>;
}

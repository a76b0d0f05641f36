//! Storage of casework (4.2.b, 4.2.c): applications and their steps, objections, the rural
//! poverty registry, frozen decisions, entitlements and monthly payments. The [`Casework`]
//! trait is a supertrait of [`crate::Store`], so every store has it; both backends implement
//! it in `casework_impl.rs`.
//!
//! **Invariant:** a case's state changes only through [`doudi_core::casework::apply`], in the
//! same transaction as its step row and its audit entry.
//!
//! **Invariant:** a decision is written once and never updated; an entitlement's period is
//! closed, never rewritten: a new amount from a month is a new period from that month.
//!
//! **Invariant:** a payment line is unique per month, household and programme
//! (`payments_once`): running a month's batch again adds only what is missing.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use doudi_core::casework::{
    Action, Case, CaseState, CaseType, Limits, ReviewClass, ReviewResult, StepKind,
};
use doudi_core::{Actor, Category, DivisionCode, HouseholdId, IdNumber, Month, PersonId};

use crate::StoreError;

/// Database id of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseId(pub i64);

/// One step of a case, as history shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseStep {
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// The working day it counts for.
    pub on: NaiveDate,
    /// Who (display name).
    pub actor_name: String,
    /// Their role's code.
    pub actor_role: String,
    /// What kind of step.
    pub kind: StepKind,
    /// The state after the step.
    pub state: CaseState,
    /// What it recorded.
    pub detail: String,
}

/// A member excluded from an application, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exclusion {
    /// The member.
    pub person: PersonId,
    /// Their name, masked.
    pub name_masked: String,
    /// Why (依据 4.2.c).
    pub reason: String,
}

/// A case with everything recorded about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRecord {
    /// Its id.
    pub id: CaseId,
    /// The household.
    pub household: HouseholdId,
    /// The household's file number.
    pub household_number: String,
    /// The community it was submitted in.
    pub community: DivisionCode,
    /// Version, for optimistic concurrency.
    pub version: i64,
    /// The day it was submitted.
    pub submitted_on: NaiveDate,
    /// The day it was decided.
    pub decided_on: Option<NaiveDate>,
    /// The state machine's view.
    pub case: Case,
    /// Steps, oldest first.
    pub steps: Vec<CaseStep>,
    /// Members excluded from the application.
    pub exclusions: Vec<Exclusion>,
}

/// One row of a case list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseSummary {
    /// Its id.
    pub id: CaseId,
    /// The household.
    pub household: HouseholdId,
    /// The household's file number.
    pub household_number: String,
    /// The community.
    pub community: DivisionCode,
    /// Version.
    pub version: i64,
    /// The day it was submitted.
    pub submitted_on: NaiveDate,
    /// The day it was decided.
    pub decided_on: Option<NaiveDate>,
    /// The state machine's view.
    pub case: Case,
}

/// Which cases a list shows; the actor's scope always applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Only these states (all when empty).
    pub states: Vec<CaseState>,
    /// Only this household's.
    pub household: Option<HouseholdId>,
    /// Only this township's or community's (within the scope).
    pub division: Option<DivisionCode>,
}

/// A page of the case list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CasePage {
    /// How many cases match the filter in the actor's scope, in all.
    pub total: i64,
    /// This page's cases, newest first.
    pub rows: Vec<CaseSummary>,
}

/// What a county approval freezes: computed by the caller with doudi-policy from the household
/// as it stood at `household_version`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDecision {
    /// The household version the computation read; a later version is a conflict.
    pub household_version: i64,
    /// The month whose parameters were used.
    pub params_month: Month,
    /// A digest of the parameter values in force (which entries, from which dates).
    pub params_version: String,
    /// The household as the rules read it (JSON, without names or identity numbers).
    pub snapshot_json: String,
    /// `serde_json::to_string(&outcome)` of doudi-policy's outcome, explanation included.
    pub explanation_json: String,
    /// Monthly amount in fen (0 for the types that do not pay monthly).
    pub monthly_fen: i64,
    /// The first month paid.
    pub from_month: Month,
    /// How often it is reviewed.
    pub review_class: ReviewClass,
    /// When the first review is due.
    pub next_review: NaiveDate,
}

/// A frozen decision as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDecision {
    /// Its id.
    pub id: i64,
    /// The household.
    pub household: HouseholdId,
    /// The case it decided (none for a restatement, a review or a death).
    pub case: Option<CaseId>,
    /// The type of that case.
    pub case_type: Option<CaseType>,
    /// What made it: `approval`, `restatement`, `review`…
    pub kind: String,
    /// The month whose parameters were used.
    pub params_month: Month,
    /// The digest of the parameter values in force.
    pub params_version: String,
    /// The household version the computation read.
    pub household_version: i64,
    /// The household as the rules read it (see `doudi_app::frozen`).
    pub snapshot_json: String,
    /// The monthly amount in fen.
    pub monthly_fen: i64,
}

/// A monthly benefit over a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entitlement {
    /// Its id.
    pub id: i64,
    /// The household.
    pub household: HouseholdId,
    /// The decision it rests on.
    pub decision: i64,
    /// Dibao or tekun.
    pub program: Category,
    /// Monthly amount in fen.
    pub monthly_fen: i64,
    /// The first month.
    pub from: Month,
    /// The last month, if it ended.
    pub until: Option<Month>,
    /// Why it ended.
    pub end_reason: Option<String>,
    /// Review class.
    pub review_class: ReviewClass,
    /// When the next review is due.
    pub next_review: NaiveDate,
}

impl Entitlement {
    /// Whether it pays in month `m`.
    pub fn pays_in(&self, m: Month) -> bool {
        self.from <= m && self.until.is_none_or(|u| m <= u)
    }
}

/// An entitlement carried over from before the platform (the county's existing recipients),
/// with the reference of the decision it rests on in the old records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedEntitlement {
    /// The household.
    pub household: HouseholdId,
    /// Dibao or tekun.
    pub program: Category,
    /// Monthly amount in fen.
    pub monthly_fen: i64,
    /// The first month (paid by the platform).
    pub from: Month,
    /// Review class.
    pub review_class: ReviewClass,
    /// When the next review is due.
    pub next_review: NaiveDate,
    /// The old decision's reference (document number), recorded in the decision.
    pub reference: String,
}

/// A benefit filed as already received, waiting for the county's confirmation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarriedClaim {
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub number: String,
    /// Its community.
    pub community: DivisionCode,
    /// The benefit as filed.
    pub claim: doudi_core::CarriedEntitlement,
}

/// A new amount for an open entitlement from a month on, with the decision it rests on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restatement {
    /// The open entitlement.
    pub entitlement: i64,
    /// The decision's frozen facts (its `from_month` is the month of the change).
    pub decision: NewDecision,
    /// Why (a new standard, a member died …).
    pub reason: String,
}

/// A member's death as the store records it in one transaction: the member is removed (or,
/// for the only member, every benefit stops after the month of death) and the household's
/// open entitlements are restated from the month after the death with the amounts the rules
/// computed, before the transaction, from the household at `expected_version` without the
/// member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Death {
    /// Who died.
    pub person: PersonId,
    /// Their household.
    pub household: HouseholdId,
    /// The household's version the amounts were computed from.
    pub expected_version: i64,
    /// The date of death.
    pub died_on: NaiveDate,
    /// Today in China: a death after it is refused.
    pub today: NaiveDate,
    /// One per open entitlement (none when the only member died), each from
    /// [`Death::restated_from`].
    pub restatements: Vec<Restatement>,
    /// The open alert this death answers (a department's death record) and the outcome to
    /// close it with: closed as done in the death's own transaction, so that no crash leaves
    /// a recorded death with its alert still open, or an alert closed for a death not recorded.
    pub answers: Option<(i64, String)>,
}

impl Death {
    /// The month from which an open period that began in `period_from` is restated after a
    /// death whose next month is `after_death`: that month, or, for a period that began later
    /// (a death recorded late), the period's second month, since a period is never rewritten.
    pub fn restated_from(after_death: Month, period_from: Month) -> Month {
        if period_from < after_death {
            after_death
        } else {
            period_from.plus(1)
        }
    }
}

/// What recording a death did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeathRecorded {
    /// The only member died: every benefit stopped after the month of death.
    Stopped(Stopped),
    /// The member was removed and these new periods opened (none when the new amount is 0).
    Restated(Vec<i64>),
}

/// What a month's payment run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PaymentRun {
    /// Lines created now.
    pub created: u64,
    /// Lines that already existed for the month (not paid twice).
    pub existing: u64,
    /// Sum of the lines created now, in fen.
    pub created_fen: i64,
}

/// What a payment run would do ([`Casework::payment_preview`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentPreview {
    /// Lines the run would add.
    pub new_lines: u64,
    /// Their total, in fen.
    pub new_fen: i64,
    /// Lines of the month already there (not paid twice).
    pub existing: u64,
    /// Households the run would pay that have no bank account filed: id and file number.
    pub without_account: Vec<(HouseholdId, String)>,
}

doudi_core::vocabulary! {
    /// Where a payment line stands.
    PaymentStatus, "发放状态" {
        Pending = ("pending", "待发放"),
        Paid = ("paid", "已发放"),
        Failed = ("failed", "发放失败"),
    }
}

/// A payment line, as the bank file lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentLine {
    /// Its id (the bank file's reference).
    pub id: i64,
    /// The month.
    pub month: Month,
    /// The household.
    pub household: HouseholdId,
    /// The household's file number.
    pub household_number: String,
    /// The head's name (the account holder).
    pub payee: String,
    /// The account paid into (empty when none is filed).
    pub bank_account: String,
    /// Dibao or tekun, or a disaster relief (2.3).
    pub program: doudi_core::disaster::PaymentProgram,
    /// Amount in fen.
    pub amount_fen: i64,
    /// Pending, paid or failed.
    pub status: PaymentStatus,
    /// Why it failed.
    pub failure: Option<String>,
}

/// A household's payment line, as its assistance chain lists it (no account, no payee).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseholdPayment {
    /// The line's id.
    pub id: i64,
    /// The month.
    pub month: Month,
    /// Dibao or tekun, or a disaster relief (2.3).
    pub program: doudi_core::disaster::PaymentProgram,
    /// Amount in fen.
    pub amount_fen: i64,
    /// Pending, paid or failed.
    pub status: PaymentStatus,
    /// Why it failed.
    pub failure: Option<String>,
}

/// The bank's answer for one payment line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settlement {
    /// The payment line.
    pub payment: i64,
    /// `None`: paid; `Some(reason)`: failed.
    pub failure: Option<String>,
}

/// A review's conclusion, computed by the caller with doudi-policy on current data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReview {
    /// The entitlement reviewed.
    pub entitlement: i64,
    /// Continue, adjust or exit.
    pub result: ReviewResult,
    /// The frozen facts of the re-evaluation (`monthly_fen` is the new amount for an
    /// adjustment; `from_month` the first month of the change or, for an exit, the first month
    /// no longer paid).
    pub decision: NewDecision,
    /// Why (required for an exit).
    pub reason: String,
    /// The township's proposal the county signs off with this review, if any: marked approved
    /// in the same transaction (county approver only).
    pub proposal: Option<i64>,
}

doudi_core::vocabulary! {
    /// Where a review proposal stands.
    ProposalState, "复核审批状态" {
        /// Waiting for the county.
        Pending = ("pending", "待县民政局审批"),
        /// Signed off: the review was recorded.
        Approved = ("approved", "县民政局已同意"),
        /// Not signed off: the entitlement continues unchanged.
        Rejected = ("rejected", "县民政局不同意"),
        /// The period ended another way (a restatement, a death, another exit) before the
        /// county decided.
        Lapsed = ("lapsed", "待遇期间已变更，提议失效"),
    }
}

/// A review that would end an entitlement or lower its amount, proposed by the township for
/// the county's sign-off (4.2.b: the county decides on exits and amounts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReviewProposal {
    /// The entitlement reviewed.
    pub entitlement: i64,
    /// Adjust (lower) or exit.
    pub result: ReviewResult,
    /// The amount proposed from next month (0 for an exit).
    pub monthly_fen: i64,
    /// Why, as the rules say it.
    pub reason: String,
    /// The caseworker's own note for the county (may be empty).
    pub note: String,
}

/// A review proposal as lists show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewProposal {
    /// Its id.
    pub id: i64,
    /// The entitlement reviewed.
    pub entitlement: i64,
    /// The household.
    pub household: HouseholdId,
    /// The household's file number.
    pub household_number: String,
    /// Dibao or tekun.
    pub program: Category,
    /// The amount paid now.
    pub current_fen: i64,
    /// Adjust (lower) or exit.
    pub result: ReviewResult,
    /// The amount proposed (0 for an exit).
    pub monthly_fen: i64,
    /// Why, as the rules say it.
    pub reason: String,
    /// The caseworker's note.
    pub note: String,
    /// Who proposed it (display name).
    pub proposed_by: String,
    /// When.
    pub proposed_at: DateTime<Utc>,
    /// Where it stands.
    pub state: ProposalState,
    /// Who decided (display name), once decided.
    pub decided_by: Option<String>,
    /// The county's note (required when it does not agree).
    pub decision_note: Option<String>,
}

/// What an exit stopped: each benefit, so that the caseworker can tell the household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stopped {
    /// The entitlements ended, as they now stand.
    pub entitlements: Vec<Entitlement>,
    /// Cases of the household still open that were withdrawn.
    pub cases: Vec<(CaseId, CaseType)>,
    /// Unpaid payment lines removed (months after the end).
    pub payments_removed: u64,
}

/// A household under public notice, as the public sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicNotice {
    /// The case.
    pub case: CaseId,
    /// What is applied for.
    pub case_type: CaseType,
    /// The head's name, masked.
    pub head_masked: String,
    /// The head's identity number, masked.
    pub id_masked: String,
    /// Members in the application.
    pub members: usize,
    /// The notice's first and last day.
    pub from: NaiveDate,
    /// The notice's last day: objections until then.
    pub until: NaiveDate,
    /// The household as the rules read it, without the members the rural registry excludes:
    /// for the amount the notice states (never shown itself).
    pub facts: doudi_core::facts::Snapshot,
}

/// What an actor has to do today.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkList {
    /// Cases and what each waits for.
    pub cases: Vec<(CaseSummary, StepKind)>,
    /// Cases under notice with no task today.
    pub under_notice: Vec<CaseSummary>,
    /// Cases past their time limit.
    pub overdue: Vec<CaseSummary>,
    /// Entitlements whose review is due, the earliest first, at most 1000.
    pub reviews_due: Vec<Entitlement>,
    /// How many reviews are due in all, so that a list cut at 1000 says so.
    pub reviews_due_total: i64,
}

/// A township's 失能 tekun and how many of them are in centralised care (2.2.b).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CareCount {
    /// Township code.
    pub township: DivisionCode,
    /// 失能 (全失能 or 半失能) members of tekun households that have not exited.
    pub disabled: u32,
    /// Of whom in centralised care now.
    pub centralised: u32,
}

/// The casework operations of a store.
#[async_trait]
pub trait Casework: Send + Sync + 'static {
    /// Submits an application for a household of the actor's scope (community workers,
    /// township caseworkers, the county approver); records the first step.
    async fn submit_case(
        &self,
        actor: &Actor,
        household: HouseholdId,
        case_type: CaseType,
        today: NaiveDate,
    ) -> Result<CaseId, StoreError>;

    /// One case with its steps and exclusions; recorded as a read.
    async fn case(&self, actor: &Actor, id: CaseId) -> Result<CaseRecord, StoreError>;

    /// A page of the cases of the actor's scope matching the filter, newest first, with how
    /// many match in all (a page holds at most 500).
    async fn cases(
        &self,
        actor: &Actor,
        filter: &CaseFilter,
        page: crate::Page,
    ) -> Result<CasePage, StoreError>;

    /// Takes a step (every action but [`Action::Approve`], which is [`Casework::approve_case`]).
    /// At acceptance, every member is checked against the rural poverty registry and a member
    /// found there is excluded with the reason (4.2.c); at investigation, the store itself says
    /// whether the 三清 survey is on file.
    async fn act_on_case(
        &self,
        actor: &Actor,
        id: CaseId,
        expected_version: i64,
        action: &Action,
        today: NaiveDate,
        limits: &Limits,
    ) -> Result<CaseRecord, StoreError>;

    /// The county approves: the decision is frozen and, for a monthly type, an entitlement opens
    /// from `decision.from_month`. Returns the decision's id.
    async fn approve_case(
        &self,
        actor: &Actor,
        id: CaseId,
        expected_version: i64,
        decision: &NewDecision,
        today: NaiveDate,
        limits: &Limits,
    ) -> Result<i64, StoreError>;

    /// Loads entitlements decided before the platform (county approver and system): one frozen
    /// decision of kind `import` each, naming the old reference. A household may appear once.
    async fn import_entitlements(
        &self,
        actor: &Actor,
        entries: &[ImportedEntitlement],
    ) -> Result<u64, StoreError>;

    /// The benefits filed with households as already received, waiting for the county to
    /// confirm them (county approver), by file number.
    async fn carried_entitlements(&self, actor: &Actor) -> Result<Vec<CarriedClaim>, StoreError>;

    /// Confirms filed benefits as entitlement periods (one frozen decision of kind `import`
    /// each, as [`Casework::import_entitlements`]) and removes their claims, in one
    /// transaction. Every entry must have a claim waiting.
    async fn confirm_carried(
        &self,
        actor: &Actor,
        entries: &[ImportedEntitlement],
    ) -> Result<u64, StoreError>;

    /// Records a tekun person's support mode and institution from `since` (township caseworkers
    /// and the county; the caller routes the institution by 2.2.b). A change is a new row; the
    /// earlier ones stay.
    async fn record_care(
        &self,
        actor: &Actor,
        person: PersonId,
        centralised: bool,
        institution: &str,
        since: NaiveDate,
    ) -> Result<(), StoreError>;

    /// Per township of the actor's scope: 失能 tekun and how many are in centralised care now.
    async fn care_counts(&self, actor: &Actor) -> Result<Vec<CareCount>, StoreError>;

    /// Replaces the rural poverty registry by these identity numbers, stored sealed and found by
    /// a keyed blind index; returns how many distinct numbers it holds.
    async fn import_rural_registry(
        &self,
        actor: &Actor,
        ids: &[IdNumber],
        source: &str,
    ) -> Result<u64, StoreError>;

    /// The decisions frozen for a household (oldest first), as they were stored: what each
    /// froze can be evaluated again to check it gives the same amount.
    async fn decisions(
        &self,
        actor: &Actor,
        household: HouseholdId,
    ) -> Result<Vec<StoredDecision>, StoreError>;

    /// The entitlements of a household (every period, oldest first).
    async fn entitlements(
        &self,
        actor: &Actor,
        household: HouseholdId,
    ) -> Result<Vec<Entitlement>, StoreError>;

    /// The entitlements of the actor's scope open in month `m` (paying in it).
    async fn open_entitlements(
        &self,
        actor: &Actor,
        m: Month,
    ) -> Result<Vec<Entitlement>, StoreError>;

    /// Closes each open entitlement at the month before its restatement's `from_month` and
    /// opens a new period with the new amount (none when the amount is 0). A period that starts
    /// at or after that month is not rewritten: [`StoreError::Invalid`]. County approver and
    /// system only. Returns the new periods' ids.
    async fn restate_entitlements(
        &self,
        actor: &Actor,
        restatements: &[Restatement],
    ) -> Result<Vec<i64>, StoreError>;

    /// Ends every open entitlement of a household with `last_month` as its last paid month,
    /// removes unpaid lines of later months, and withdraws its open cases: an exit, or the
    /// death of its only member (the month of death is paid, the month after is not).
    async fn stop_benefits(
        &self,
        actor: &Actor,
        household: HouseholdId,
        last_month: Month,
        reason: &str,
    ) -> Result<Stopped, StoreError>;

    /// Records a death ([`Death`]) in one transaction, or nothing at all. Township caseworkers
    /// (in their township), the county approver and the system: the role is checked before
    /// anything is read or written. A death after `today` is [`StoreError::Invalid`]; a
    /// household changed since the amounts were computed is [`StoreError::Conflict`], and
    /// restatements that do not match the entitlements open after the death are
    /// [`StoreError::Invalid`].
    async fn record_death(&self, actor: &Actor, death: &Death)
    -> Result<DeathRecorded, StoreError>;

    /// Creates one payment line per entitlement paying in `month` (county approver and system);
    /// lines that exist are left alone. A month after `today`'s (the date in China) or before
    /// the first month any entitlement starts is refused as [`StoreError::Invalid`].
    async fn run_payments(
        &self,
        actor: &Actor,
        month: Month,
        today: NaiveDate,
    ) -> Result<PaymentRun, StoreError>;

    /// What running `month` would do, without doing it: the lines it would add and their
    /// total, the lines already there, and the households it would pay that have no bank
    /// account filed (to be fixed before the run, not found out by the bank).
    async fn payment_preview(
        &self,
        actor: &Actor,
        month: Month,
    ) -> Result<PaymentPreview, StoreError>;

    /// The payment lines of a month, by household number; recorded as a bulk read.
    async fn payments(&self, actor: &Actor, month: Month) -> Result<Vec<PaymentLine>, StoreError>;

    /// Every payment line of one household of the actor's scope, oldest month first (those who
    /// read whole households).
    async fn household_payments(
        &self,
        actor: &Actor,
        household: HouseholdId,
    ) -> Result<Vec<HouseholdPayment>, StoreError>;

    /// Records the bank's results; returns how many lines changed. A line already settled
    /// keeps its result.
    async fn settle_payments(
        &self,
        actor: &Actor,
        month: Month,
        results: &[Settlement],
    ) -> Result<u64, StoreError>;

    /// Records a review: continue (next review moves on), adjust (a restatement) or exit (every
    /// benefit stops, listed in the answer).
    async fn record_review(
        &self,
        actor: &Actor,
        review: &NewReview,
        next_review: NaiveDate,
    ) -> Result<Stopped, StoreError>;

    /// Files a review proposal for the county's sign-off (township caseworkers, the county
    /// approver, the system; the entitlement open and in scope; one pending per entitlement).
    async fn propose_review(
        &self,
        actor: &Actor,
        proposal: &NewReviewProposal,
    ) -> Result<i64, StoreError>;

    /// Review proposals of the actor's scope, newest first: of one household, or (`None`) the
    /// pending ones everywhere in scope.
    async fn review_proposals(
        &self,
        actor: &Actor,
        household: Option<HouseholdId>,
    ) -> Result<Vec<ReviewProposal>, StoreError>;

    /// The county does not sign off a pending proposal: the entitlement continues unchanged;
    /// `note` (required) says why.
    async fn reject_review_proposal(
        &self,
        actor: &Actor,
        proposal: i64,
        note: &str,
    ) -> Result<(), StoreError>;

    /// The households of a community under public notice on `today`, masked, for anyone.
    async fn public_notices(
        &self,
        community: &DivisionCode,
        today: NaiveDate,
    ) -> Result<Vec<PublicNotice>, StoreError>;

    /// What the actor has to do on `today`.
    async fn work_list(
        &self,
        actor: &Actor,
        today: NaiveDate,
        limits: &Limits,
    ) -> Result<WorkList, StoreError>;
}

//! Storage of visits to households (走访记录), their attachments and visit campaigns (走访活动),
//! 3.3 and 4.3 ("帮困不漏户、户户见干部"). The [`Visits`] trait is a supertrait of
//! [`crate::Store`]; both backends implement it in `visits_impl.rs` (migration
//! `0020_visits.sql`).
//!
//! **Invariants:** a visit is recorded once per draft: the client's draft id is unique, and a
//! visit sent again with the same draft id (a phone that lost the network and resent) returns
//! the visit already kept, writing nothing. A visit, its attachments and its audit entry are
//! written in one transaction. Coverage counts every current household of the reader's scope:
//! none is left out of the counts or the lists.
//!
//! Who does what: the paired cadre records and reads visits of their paired households;
//! community workers, township caseworkers and the county approver in their scope; auditors
//! read in their scope. Department officers and social organisations do not see visits.
//! Campaigns are created by the county approver and read by everyone who reads visits.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use doudi_core::visits::VisitKind;
use doudi_core::{Actor, HouseholdId, Need, Role};

use crate::StoreError;

/// Who reads visits, campaigns and coverage (in their scope; a paired cadre their pairings).
pub fn may_read_visits(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::PairedCadre
            | Role::CommunityWorker
            | Role::TownshipCaseworker
            | Role::CountyApprover
            | Role::Auditor
            | Role::System
    )
}

/// Who records a visit (3.3): the paired cadre, community workers, township caseworkers and the
/// county approver.
pub fn may_record_visits(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::PairedCadre
            | Role::CommunityWorker
            | Role::TownshipCaseworker
            | Role::CountyApprover
            | Role::System
    )
}

/// Who creates a visit campaign: the county approver.
pub fn may_create_campaigns(actor: &Actor) -> bool {
    matches!(actor.role, Role::CountyApprover | Role::System)
}

/// An attachment to keep with a visit (checked by the app: type, size, count).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAttachment {
    /// The file's name as sent.
    pub file_name: String,
    /// Its media type (one of [`doudi_core::visits::ATTACHMENT_TYPES`]).
    pub media_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A visit to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewVisit {
    /// The household.
    pub household: HouseholdId,
    /// The day of the visit.
    pub visited_on: NaiveDate,
    /// Its kind.
    pub kind: VisitKind,
    /// What was found, in words.
    pub found: String,
    /// The needs the household raised.
    pub needs: Vec<Need>,
    /// The client's id of the draft: the same id sent again is the same visit.
    pub draft_id: String,
    /// Photos or files.
    pub attachments: Vec<NewAttachment>,
}

/// An attachment as listed (without its bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentInfo {
    /// Its id.
    pub id: i64,
    /// The file's name.
    pub file_name: String,
    /// Its media type.
    pub media_type: String,
    /// Its size in bytes.
    pub size: i64,
}

/// A visit as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visit {
    /// Its id.
    pub id: i64,
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub household_number: String,
    /// Its community when visited.
    pub community: String,
    /// The day.
    pub visited_on: NaiveDate,
    /// The kind.
    pub kind: VisitKind,
    /// What was found.
    pub found: String,
    /// The needs raised.
    pub needs: Vec<Need>,
    /// The client's draft id.
    pub draft_id: String,
    /// Who visited (display name).
    pub visited_by: String,
    /// Who visited (user id).
    pub visited_by_id: i64,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// Its attachments.
    pub attachments: Vec<AttachmentInfo>,
}

/// Which visits to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VisitFilter {
    /// Only of this household.
    pub household: Option<HouseholdId>,
    /// Only in this township or community (a code prefix).
    pub division: Option<String>,
    /// Only of this kind.
    pub kind: Option<VisitKind>,
    /// Only on or after this day.
    pub from: Option<NaiveDate>,
    /// Only on or before this day.
    pub to: Option<NaiveDate>,
}

/// A campaign to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCampaign {
    /// Its name, e.g. 2027年春节走访.
    pub name: String,
    /// The kind of visit that counts.
    pub kind: VisitKind,
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
}

/// A campaign as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Campaign {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The kind of visit that counts.
    pub kind: VisitKind,
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
    /// Who created it (display name).
    pub created_by: String,
}

/// A current household of the scope, with its pairing and its last visit: what coverage and
/// campaign progress are computed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoveredHousehold {
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub number: String,
    /// Its township's code.
    pub township: String,
    /// Its community's code.
    pub community: String,
    /// Its paired cadres' display names (none: no cadre).
    pub cadres: Vec<String>,
    /// The day of its last visit, if any (of the kind and within the days asked, for a
    /// campaign).
    pub last_visit: Option<NaiveDate>,
}

/// How many current households a scope has, and how many of them lack a cadre or a recent
/// visit (4.3): the work list's figures, counted in the database.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CoverageCounts {
    /// Current households.
    pub households: u64,
    /// Of which without a paired cadre.
    pub unpaired: u64,
    /// Of which without a visit in the days asked.
    pub unvisited: u64,
}

/// Storage of visits and campaigns (3.3, 4.3), implemented by both backends.
#[async_trait]
pub trait Visits {
    /// Records a visit to a household of the actor's scope (a paired cadre: one of theirs). A
    /// draft id already kept returns the visit kept with it, unchanged, if it is the same
    /// household's; another household's is [`StoreError::Duplicate`].
    async fn record_visit(&self, actor: &Actor, visit: &NewVisit) -> Result<Visit, StoreError>;

    /// The visits of the actor's scope matching the filter, newest first (at most 5000); with a
    /// household outside the scope, [`StoreError::NotFound`].
    async fn visits(&self, actor: &Actor, filter: &VisitFilter) -> Result<Vec<Visit>, StoreError>;

    /// An attachment's name, type and bytes, if its visit's household may be read by the actor.
    async fn visit_attachment(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(String, String, Vec<u8>), StoreError>;

    /// Creates a campaign.
    async fn create_campaign(
        &self,
        actor: &Actor,
        campaign: &NewCampaign,
    ) -> Result<Campaign, StoreError>;

    /// Every campaign, newest first.
    async fn campaigns(&self, actor: &Actor) -> Result<Vec<Campaign>, StoreError>;

    /// One campaign.
    async fn campaign(&self, actor: &Actor, id: i64) -> Result<Campaign, StoreError>;

    /// Every household of the actor's scope current on `today` (enrolled, not exited), with its
    /// cadres and its last visit on or after `since` and not after `today`, of `kind` if given.
    async fn coverage(
        &self,
        actor: &Actor,
        today: NaiveDate,
        since: NaiveDate,
        kind: Option<VisitKind>,
    ) -> Result<Vec<CoveredHousehold>, StoreError>;

    /// The counts of [`Visits::coverage`] without its lists: of the households of the actor's
    /// scope current on `today`, how many have no cadre and how many no visit from `since` to
    /// `today`. Aggregates only, so nothing personal is read and nothing is recorded.
    async fn coverage_counts(
        &self,
        actor: &Actor,
        today: NaiveDate,
        since: NaiveDate,
    ) -> Result<CoverageCounts, StoreError>;
}

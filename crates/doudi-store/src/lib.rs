//! Storage for doudi: the [`Store`] trait lists every storage operation; [`sqlite`] and [`postgres`]
//! implement it, each with its own migrations in its own SQL dialect.
//!
//! **Invariant:** every call that touches household data takes the acting [`Actor`] and enforces
//! its role and division scope here, in the store: a household outside the actor's scope is
//! [`StoreError::NotFound`], exactly as if it did not exist. A paired cadre's scope is the
//! households paired with them; a department officer's is the households its department's work
//! concerns, and of those it reads only what [`doudi_core::department`] lets the department see.
//!
//! **Invariant:** every change to a household, its members, finances or survey is written in the
//! same transaction as a history entry per changed field, and is checked against the household's
//! version (optimistic concurrency): a stale version is [`StoreError::Conflict`], never a lost
//! update.
//!
//! **Invariant:** every change and every read of household data appends an entry to the
//! hash-chained audit trail ([`audit`]); a change's entry is written in the change's own
//! transaction, so that there is never a change without its entry nor an entry without its change.
//!
//! **Invariant:** identity numbers, phone numbers and bank accounts are stored only sealed with
//! the data key ([`keys`]), which the store is given when it opens and which never enters the
//! database; identity numbers are found through keyed blind indexes, never through plaintext.

use std::sync::Arc;

pub use audit::{
    AuditAction, AuditAnchor, AuditBreak, AuditEntry, AuditFilter, AuditPage, AuditReport,
};
pub use casework::Casework;
pub use dashboard::Dashboards;
pub use delivery::Delivery;
pub use disaster::Disasters;
pub use discovery::Discovery;
pub use funds::Funds;
pub use housing::HousingSupport;
pub use inspections::Inspections;
pub use jobs::EmploymentHelp;
pub use keys::{KeyError, Keys};
pub use maintenance::{Maintenance, Manifest};
pub use publications::Publications;
pub use services::Services;
pub use social::Social;
pub use units::Units;
pub use visits::Visits;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use doudi_core::{
    Actor, AssetKind, Category, Department, Division, DivisionCode, ExpenseKind, Household,
    HouseholdFields, HouseholdId, HouseholdRecord, IdNumber, IncomeKind, Month, NewHousehold,
    PersonFields, PersonId, PersonName, PovertyCause, Role, Scope,
};

pub mod audit;
mod backend;
mod bulk;
mod cache;
pub mod casework;
mod common;
pub mod dashboard;
pub mod delivery;
pub mod disaster;
pub mod discovery;
pub mod funds;
pub mod housing;
pub mod inspections;
pub mod jobs;
pub mod keys;
pub mod maintenance;
pub mod postgres;
pub mod publications;
pub mod services;
pub mod social;
pub mod sqlite;
pub mod units;
pub mod visits;

/// What can go wrong in a store call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The thing does not exist, or lies outside the actor's scope.
    #[error("记录不存在或无权访问")]
    NotFound,
    /// The actor's role may not do this at all.
    #[error("当前角色无权执行此操作")]
    Forbidden,
    /// Someone else changed the household since the actor read it.
    #[error(
        "该户数据已被他人修改（当前版本{current}，提交所依据的版本{expected}），请刷新后重新编辑"
    )]
    Conflict {
        /// The version the actor's edit was based on.
        expected: i64,
        /// The version now stored.
        current: i64,
    },
    /// A uniqueness rule was broken (an identity number or a household number already filed).
    #[error("{0}")]
    Duplicate(String),
    /// The request is not acceptable for a reason the caller can fix (said in the message).
    #[error("{0}")]
    Invalid(String),
    /// The data key is not this database's key, or a sealed value was written under another
    /// key. The message names key ids (fingerprints), never key material or personal data.
    #[error("{0}")]
    Key(String),
    /// A stored value could not be read back into a domain type: the database holds bad data.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The whole-registry read of a SQLite file failed.
    #[error("database error (bulk read): {0}")]
    BulkRead(String),
    /// Migrations failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Which households a list shows. Every filter is optional; the actor's scope always applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HouseholdFilter {
    /// Only this township.
    pub township: Option<DivisionCode>,
    /// Only this community.
    pub community: Option<DivisionCode>,
    /// Only this category.
    pub category: Option<Category>,
    /// Only households with this cause of poverty.
    pub cause: Option<PovertyCause>,
    /// Households with a member whose name contains this text, whose pinyin initials start with
    /// it (letters), or whose identity number is it (15 or 18 characters) or ends with it (4 to
    /// 8 digits).
    pub query: Option<String>,
    /// Also households that have exited.
    pub include_exited: bool,
}

doudi_core::vocabulary! {
    /// What the county's administrators set for the whole county.
    CountySetting, "县级设置" {
        /// The phone the public notice gives for objections and complaints (5.4).
        SupervisionPhone = ("supervision_phone", "公示监督电话"),
    }
}

/// A page of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    /// Rows to skip.
    pub offset: i64,
    /// Rows to return (at most 500).
    pub limit: i64,
}

/// One row of the household list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseholdSummary {
    /// Household id.
    pub id: HouseholdId,
    /// File number.
    pub number: String,
    /// Township code.
    pub township: DivisionCode,
    /// Community code.
    pub community: DivisionCode,
    /// Category.
    pub category: Category,
    /// Name of the head of household.
    pub head_name: PersonName,
    /// Identity number of the head.
    pub head_id_number: IdNumber,
    /// How many members.
    pub members: i64,
    /// Causes of poverty.
    pub causes: Vec<PovertyCause>,
    /// Enrolment date.
    pub enrolled_on: NaiveDate,
    /// Exit date, if any.
    pub exited_on: Option<NaiveDate>,
    /// The household's contact phone, in a paired cadre's list only (else `None`).
    pub contact_phone: Option<doudi_core::Phone>,
}

/// A page of households and the total that match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseholdPage {
    /// How many households match the filter in the actor's scope.
    pub total: i64,
    /// This page's rows, by file number.
    pub rows: Vec<HouseholdSummary>,
}

/// One change to a household's incomes, expenses or assets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FinanceChange {
    /// Sets a member's income of a kind in a month (replacing any earlier figure).
    PutIncome(doudi_core::Income),
    /// Removes a member's income of a kind in a month.
    DeleteIncome {
        /// Member.
        person: PersonId,
        /// Month.
        month: Month,
        /// Kind.
        kind: IncomeKind,
    },
    /// Sets a member's expense of a kind in a month (replacing any earlier figure).
    PutExpense(doudi_core::Expense),
    /// Removes a member's expense of a kind in a month.
    DeleteExpense {
        /// Member.
        person: PersonId,
        /// Month.
        month: Month,
        /// Kind.
        kind: ExpenseKind,
    },
    /// Adds an asset, or replaces the one with the same kind and description.
    PutAsset(doudi_core::Asset),
    /// Removes the asset with this kind and description.
    DeleteAsset {
        /// Kind.
        kind: AssetKind,
        /// Description.
        description: String,
    },
}

/// One recorded change: who, when, what, old and new value (3.1's dynamic updates).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (display name at the time).
    pub actor_name: String,
    /// Their role at the time.
    pub actor_role: Role,
    /// What kind of change: 新建, 修改, 删除.
    pub action: String,
    /// What was changed: 家庭, 成员 张*三, 收入, 资产, 三清调查.
    pub subject: String,
    /// Field label, such as 住址.
    pub field: String,
    /// Value before (masked where personal); empty for a creation.
    pub old: String,
    /// Value after (masked where personal); empty for a deletion.
    pub new: String,
}

/// What an all-or-nothing import wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// Households created.
    pub households: u64,
    /// People created.
    pub people: u64,
    /// Income records created.
    pub incomes: u64,
    /// Asset and expense records created.
    pub other_records: u64,
}

/// What a key rotation re-encrypted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    /// The id of the key the values were sealed with before.
    pub old_key_id: String,
    /// The id of the key they are sealed with now.
    pub new_key_id: String,
    /// Members whose identity number (and phone) were re-encrypted and re-indexed.
    pub people: u64,
    /// Households whose phone or bank account were re-encrypted.
    pub households: u64,
}

/// A user account as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRecord {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Scope.
    pub scope: Scope,
    /// The department of a department officer.
    pub department: Option<Department>,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Must change the password at next login.
    pub must_change_password: bool,
    /// Disabled: cannot log in.
    pub disabled: bool,
    /// Failed logins in a row since the last successful one.
    pub failed_logins: i64,
    /// Locked (after failed logins) until this moment, if it is still ahead.
    pub locked_until: Option<DateTime<Utc>>,
}

impl UserRecord {
    /// The actor this user acts as.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            scope: self.scope.clone(),
            department: self.department,
            client: String::new(),
            purpose: String::new(),
        }
    }

    /// Until when the account is locked, if it is locked at `now`.
    pub fn locked_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.locked_until.filter(|until| *until > now)
    }
}

/// What came of reserving a login attempt ([`Store::reserve_login`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginReservation {
    /// The attempt may check its password; it is counted as the `failures`-th failure in a row
    /// until it succeeds, and `locked_until` is set when this count locks the account.
    Reserved {
        /// Failures in a row, this attempt included.
        failures: i64,
        /// Until when the account is locked now, if this attempt's count locked it.
        locked_until: Option<DateTime<Utc>>,
    },
    /// The account is locked until then: the password is not to be checked.
    Locked(DateTime<Utc>),
}

/// A new user account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    /// Login name, unique.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Scope.
    pub scope: Scope,
    /// The department of a department officer; `None` for every other role.
    pub department: Option<Department>,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Must change the password at next login.
    pub must_change_password: bool,
}

/// A change an administrator makes to an account. Every change but enabling also ends the
/// account's sessions, so that it takes effect at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountChange {
    /// Gives the account a role, scope and department (checked together).
    Assign {
        /// Role.
        role: Role,
        /// Scope.
        scope: Scope,
        /// Department (department officers only).
        department: Option<Department>,
    },
    /// Stops the account logging in.
    Disable,
    /// Lets a disabled account log in again, and lifts a lockout.
    Enable,
    /// Sets a new password that must be changed at the next login, and lifts a lockout.
    ResetPassword {
        /// argon2id PHC string of the temporary password.
        password_hash: String,
    },
}

/// A cadre paired with a household (结对帮扶).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pairing {
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub household_number: String,
    /// Its community code.
    pub community: String,
    /// The cadre's user id.
    pub cadre: i64,
    /// The cadre's login name.
    pub cadre_username: String,
    /// The cadre's display name.
    pub cadre_name: String,
    /// When the pairing was made.
    pub since: DateTime<Utc>,
}

/// Which pairings to list; the actor's scope always applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PairingFilter {
    /// Only this household's.
    pub household: Option<HouseholdId>,
    /// Only this cadre's.
    pub cadre: Option<i64>,
}

/// Households and people per township, for the overview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TownshipCount {
    /// Township code.
    pub township: DivisionCode,
    /// Households that have not exited, dibao.
    pub dibao_households: i64,
    /// Households that have not exited, tekun.
    pub tekun_households: i64,
    /// People in those households.
    pub people: i64,
}

/// Every storage operation of doudi.
#[async_trait]
pub trait Store:
    casework::Casework
    + discovery::Discovery
    + delivery::Delivery
    + disaster::Disasters
    + services::Services
    + housing::HousingSupport
    + jobs::EmploymentHelp
    + units::Units
    + publications::Publications
    + social::Social
    + visits::Visits
    + maintenance::Maintenance
    + inspections::Inspections
    + funds::Funds
    + dashboard::Dashboards
    + Send
    + Sync
    + 'static
{
    /// Which backend this is ("sqlite" or "postgres"), for the status page and logs.
    fn backend(&self) -> &'static str;

    /// Whether the database answers (a `SELECT 1` on a pooled connection), for a load
    /// balancer's or a monitor's health check. Reads nothing of anyone's, so it is not audited.
    async fn ping(&self) -> Result<(), StoreError>;

    /// After a bulk load (a benchmark's county, a first import): brings the database's upkeep
    /// up to date at once (on PostgreSQL `VACUUM (ANALYZE)`, which autovacuum would do in
    /// time; nothing on SQLite). Changes no data and is not audited.
    async fn tidy(&self) -> Result<(), StoreError>;

    // ---- divisions ----

    /// The townships and communities, townships first, each by code.
    async fn divisions(&self) -> Result<Vec<Division>, StoreError>;
    /// Adds a community, or renames it: by those who file households and by administrators,
    /// only within the actor's scope, and only for a township that exists.
    async fn put_community(&self, actor: &Actor, community: &Division) -> Result<(), StoreError>;

    // ---- households ----

    /// Files a new household with its members, finances and survey, and records its creation.
    /// Fails with [`StoreError::Duplicate`] when its number or a member's identity number is
    /// already filed.
    async fn create_household(
        &self,
        actor: &Actor,
        household: &NewHousehold,
    ) -> Result<HouseholdId, StoreError>;

    /// Files many households in one transaction: all or nothing. Used by imports and the demo;
    /// built for throughput (100,000 households in seconds). History records one creation entry
    /// per household.
    async fn import_households(
        &self,
        actor: &Actor,
        households: &[NewHousehold],
    ) -> Result<ImportCounts, StoreError>;

    /// [`Store::import_households`] with the benefit each household already receives
    /// (`carried[i]` for `households[i]`; an empty slice for none), kept in the same
    /// transaction for the county to check and confirm ([`casework::Casework::confirm_carried`]).
    async fn import_households_carrying(
        &self,
        actor: &Actor,
        households: &[NewHousehold],
        carried: &[Option<doudi_core::CarriedEntitlement>],
    ) -> Result<ImportCounts, StoreError>;

    /// Which of these identity numbers are already filed (in any household, whatever the
    /// actor's scope: uniqueness is county-wide).
    async fn filed_id_numbers(&self, ids: &[IdNumber]) -> Result<Vec<IdNumber>, StoreError>;

    /// Which of these household numbers are already filed.
    async fn filed_household_numbers(&self, numbers: &[String]) -> Result<Vec<String>, StoreError>;

    /// The file numbers (户编号, which identify no one by themselves) of these households, for
    /// naming them in the audit trail and in the county's lists; only for those who read the
    /// trail and the county approver. Unknown ids are left out.
    async fn household_numbers(
        &self,
        actor: &Actor,
        ids: &[HouseholdId],
    ) -> Result<Vec<(HouseholdId, String)>, StoreError>;

    /// One household with everything filed about it.
    async fn household(
        &self,
        actor: &Actor,
        id: HouseholdId,
    ) -> Result<HouseholdRecord, StoreError>;

    /// The household with its identifiers for showing in full (the unmask action of 5.4): only
    /// for an actor whose role may see full details ([`Actor::may_unmask`]) and within scope,
    /// and only with a purpose (用途, 2 to 200 characters). The audit entry (action `unmask`,
    /// the actor, the purpose, the household; never the values) is committed before the record
    /// is returned; if it cannot be written, nothing is returned.
    async fn unmask(
        &self,
        actor: &Actor,
        id: HouseholdId,
        purpose: &str,
    ) -> Result<HouseholdRecord, StoreError>;

    /// Every household matching the filter, within the actor's scope, with everything filed
    /// about it, by id: the bulk read behind exports and whole-registry evaluation. A handful of
    /// queries whatever the number of households.
    async fn records(
        &self,
        actor: &Actor,
        filter: &HouseholdFilter,
    ) -> Result<Vec<HouseholdRecord>, StoreError>;

    /// What the monthly rules read about every household within the actor's scope that has
    /// not exited (the households [`Store::records`] gives for the default filter), with the
    /// incomes and expenses of the months from `from` up to, not including, `until`: the
    /// county-wide read behind `doudi eval`. Each table is read once, in storage order, and
    /// only the columns the rules use (a SQLite file through a connection of its own, see
    /// `bulk.rs`). Recorded as a bulk read.
    async fn snapshots(
        &self,
        actor: &Actor,
        from: Month,
        until: Month,
    ) -> Result<Vec<doudi_core::facts::Snapshot>, StoreError>;

    /// A page of households matching the filter, within the actor's scope, by file number.
    async fn households(
        &self,
        actor: &Actor,
        filter: &HouseholdFilter,
        page: Page,
    ) -> Result<HouseholdPage, StoreError>;

    /// Changes a household's fields; `expected_version` is the version the edit was based on.
    async fn update_household(
        &self,
        actor: &Actor,
        id: HouseholdId,
        expected_version: i64,
        fields: &HouseholdFields,
    ) -> Result<Household, StoreError>;

    /// Adds a member to a household.
    async fn add_member(
        &self,
        actor: &Actor,
        household: HouseholdId,
        expected_version: i64,
        fields: &PersonFields,
    ) -> Result<PersonId, StoreError>;

    /// The household a member belongs to, for a writer whose scope covers it (`NotFound`
    /// otherwise); reads nothing personal, so it is not an audit entry.
    async fn member_household(
        &self,
        actor: &Actor,
        person: PersonId,
    ) -> Result<HouseholdId, StoreError>;

    /// Changes a member's fields.
    async fn update_member(
        &self,
        actor: &Actor,
        person: PersonId,
        expected_version: i64,
        fields: &PersonFields,
    ) -> Result<Household, StoreError>;

    /// Removes a member (moved out, died) with the reason, which history records. The head
    /// cannot be removed while others remain; make another member head first.
    async fn remove_member(
        &self,
        actor: &Actor,
        person: PersonId,
        expected_version: i64,
        reason: &str,
    ) -> Result<Household, StoreError>;

    /// Changes one income, expense or asset.
    async fn change_finances(
        &self,
        actor: &Actor,
        household: HouseholdId,
        expected_version: i64,
        change: &FinanceChange,
    ) -> Result<Household, StoreError>;

    /// Records a 三清 survey.
    async fn record_survey(
        &self,
        actor: &Actor,
        household: HouseholdId,
        expected_version: i64,
        survey: &doudi_core::Survey,
    ) -> Result<Household, StoreError>;

    /// The household's history, newest first.
    async fn history(
        &self,
        actor: &Actor,
        household: HouseholdId,
    ) -> Result<Vec<HistoryEntry>, StoreError>;

    /// Counts per township within the actor's scope.
    async fn township_counts(&self, actor: &Actor) -> Result<Vec<TownshipCount>, StoreError>;

    // ---- users and sessions ----

    /// Creates a user; [`StoreError::Duplicate`] when the login name is taken, and
    /// [`StoreError::Invalid`] when the role does not go with the scope and department. Only
    /// administrators (and the command line) may.
    async fn create_user(&self, actor: &Actor, user: &NewUser) -> Result<i64, StoreError>;
    /// Every account, by login name. Only administrators (and the command line) may list them.
    async fn users(&self, actor: &Actor) -> Result<Vec<UserRecord>, StoreError>;
    /// Changes an account (see [`AccountChange`]) and returns it as it now stands. An
    /// administrator cannot disable their own account nor change their own role.
    async fn change_user(
        &self,
        actor: &Actor,
        user_id: i64,
        change: &AccountChange,
    ) -> Result<UserRecord, StoreError>;
    /// A user by login name.
    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError>;
    /// A user by id.
    async fn user_by_id(&self, id: i64) -> Result<Option<UserRecord>, StoreError>;
    /// Replaces a user's own password hash, clears the must-change flag and ends the user's
    /// other sessions (all but the one whose hash is `keep`).
    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep: Option<&str>,
    ) -> Result<(), StoreError>;
    /// Reserves a login attempt before its password is checked: unless the account is locked
    /// at `now`, counts it as a failure in one statement (so that simultaneous attempts, from
    /// any process, each count) and locks the account as
    /// [`doudi_core::access::account_lockout_after`] says; a success then starts the count
    /// again ([`Store::login_succeeded`]). A burst of guesses therefore has at most the
    /// threshold's number of passwords checked.
    async fn reserve_login(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<LoginReservation, StoreError>;
    /// A successful login: the count of failed logins starts again from zero.
    async fn login_succeeded(&self, user_id: i64) -> Result<(), StoreError>;
    /// Whether this database is the demo's own: true when it carries the demo mark, or when it
    /// is empty (no household, no account), in which case the mark is written now, in the
    /// same transaction as the check. `serve --demo` makes its published logins only then, so
    /// that it never adds them to a real registry.
    async fn claim_demo(&self) -> Result<bool, StoreError>;

    /// A setting the county's administrators keep (`None` when never set); anyone may read
    /// it, since each is published (on the public notice).
    async fn county_setting(&self, setting: CountySetting) -> Result<Option<String>, StoreError>;

    /// Sets (or, with an empty value, clears) a county setting: administrators only, recorded
    /// in the audit trail.
    async fn put_county_setting(
        &self,
        actor: &Actor,
        setting: CountySetting,
        value: &str,
    ) -> Result<(), StoreError>;
    /// Stores a session by the hash of its token, opened at `now`.
    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The user of a live session: not past its expiry at `now`, used within `idle` before
    /// `now`, of an account that is not disabled. Records the use (to the minute); a session
    /// found idle is ended.
    async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        idle: chrono::TimeDelta,
    ) -> Result<Option<UserRecord>, StoreError>;
    /// Ends a session.
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Ends every session of a user but the one whose hash is `keep`; returns how many ended.
    async fn end_sessions(&self, user_id: i64, keep: Option<&str>) -> Result<u64, StoreError>;

    // ---- pairings of cadres with households ----

    /// Pairs a cadre (an account with the role [`Role::PairedCadre`]) with a household of the
    /// actor's scope. Only the county approver and township caseworkers may; pairing twice is
    /// a [`StoreError::Duplicate`].
    async fn pair(
        &self,
        actor: &Actor,
        household: HouseholdId,
        cadre: i64,
    ) -> Result<(), StoreError>;
    /// Ends a pairing; [`StoreError::NotFound`] when there is none.
    async fn unpair(
        &self,
        actor: &Actor,
        household: HouseholdId,
        cadre: i64,
    ) -> Result<(), StoreError>;
    /// The pairings of households in the actor's scope (a cadre: their own), by household
    /// number then cadre.
    async fn pairings(
        &self,
        actor: &Actor,
        filter: PairingFilter,
    ) -> Result<Vec<Pairing>, StoreError>;
    /// The enabled cadre accounts a pairing manager may choose from, by login name.
    async fn cadres(&self, actor: &Actor) -> Result<Vec<UserRecord>, StoreError>;

    // ---- the audit trail ----

    /// Appends an entry for something the store does not see by itself (a login, a failed
    /// login, a file written by an export). `detail` must hold no personal data.
    async fn record_audit(
        &self,
        actor: &Actor,
        action: AuditAction,
        target: &str,
        detail: &str,
    ) -> Result<(), StoreError>;

    /// A page of the audit trail, newest first. Only auditors and administrators may read it
    /// (else [`StoreError::Forbidden`]); the reading is itself recorded.
    async fn audit_entries(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        page: Page,
    ) -> Result<AuditPage, StoreError>;

    /// Re-encrypts every sealed value and rebuilds the blind indexes under `new`, in one
    /// transaction with its audit entry (key ids only), and from then on uses `new`: afterwards
    /// the database opens only with `new`. The audit trail is re-chained under `new` in the
    /// same transaction, after its chain verified under the old key (a broken trail refuses the
    /// rotation, naming the entry). Only the system (the command line) or an administrator may
    /// rotate. Other processes that have the database open with the old key write nothing more
    /// (every write transaction checks the key id: [`StoreError::Key`]) and must be restarted
    /// with the new one.
    async fn rotate_keys(&self, actor: &Actor, new: &Keys) -> Result<Rotation, StoreError>;

    /// Walks the whole chain in order, checking each entry's MAC under the data key, and
    /// reports the first entry that was edited, deleted or inserted; with the `anchor` noted
    /// outside the database, also a trail cut short or emptied, or replaced up to the anchored
    /// entry. Reads one consistent snapshot, a batch at a time.
    async fn verify_audit(&self, anchor: Option<&AuditAnchor>) -> Result<AuditReport, StoreError>;

    /// The trail's head (last `seq` and MAC), to write to the anchor file; `None` when empty.
    async fn audit_head(&self) -> Result<Option<AuditAnchor>, StoreError>;

    /// The MAC of entry `seq`, if there is one: whether the trail still holds the entry an
    /// anchor noted, checked before the anchor moves on.
    async fn audit_mac_at(&self, seq: i64) -> Result<Option<String>, StoreError>;
}

/// Opens the store a URL names, creating the database file (SQLite) if needed, applies
/// migrations, and checks that `keys` is the database's data key ([`StoreError::Key`] if not).
/// On the first start with a key, it seals the identifiers of rows filed before encryption
/// existed and records the key's id. `sqlite://path/to/file.db`, `sqlite::memory:`, or
/// `postgres://…`.
pub async fn connect(url: &str, keys: Keys) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::connect(url, keys).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStore::connect(url, keys).await?))
    } else {
        Err(StoreError::Invalid(format!(
            "unknown database URL scheme (expected sqlite: or postgres://): {}",
            url.split(':').next().unwrap_or("")
        )))
    }
}

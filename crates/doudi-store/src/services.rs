//! Storage of government-bought care services (3.3): providers, each month's service of a
//! provider to a person with a disability (hours, cost in fen), and the quality checks of a
//! service. The [`Services`] trait is a supertrait of [`crate::Store`]; both backends implement
//! it in `services_impl.rs` (migration `0016_services.sql`).
//!
//! **Invariant:** a service is recorded only for a member with a disability of a current
//! household in the actor's scope, and only once per month, person, provider and kind
//! (`service_records_once`).

use async_trait::async_trait;
use chrono::NaiveDate;
use doudi_core::services::{CheckResult, ServiceKind};
use doudi_core::{Actor, HouseholdId, Month, PersonId};

use crate::StoreError;

/// A provider to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewProvider {
    /// Its name (unique).
    pub name: String,
    /// The services it offers.
    pub kinds: Vec<ServiceKind>,
    /// Whom to call, and how.
    pub contact: String,
}

/// A provider as listed, with its services' figures in the reader's scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The services it offers.
    pub kinds: Vec<ServiceKind>,
    /// Whom to call, and how.
    pub contact: String,
    /// Service records in the reader's scope.
    pub records: i64,
    /// Their cost in fen.
    pub cost_fen: i64,
}

/// A person services may be bought for: a member with a disability of a current household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServedPerson {
    /// The person.
    pub person: PersonId,
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub number: String,
    /// Its community code.
    pub community: String,
    /// The name, masked.
    pub name: String,
    /// The disability's kind and grade, in words.
    pub disability: String,
}

/// A service to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewServiceRecord {
    /// The provider.
    pub provider: i64,
    /// The person served.
    pub person: PersonId,
    /// What service.
    pub kind: ServiceKind,
    /// The month served.
    pub month: Month,
    /// Hours of service.
    pub hours: u32,
    /// Its cost in fen.
    pub cost_fen: i64,
}

/// A quality check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceCheck {
    /// When.
    pub checked_on: NaiveDate,
    /// Who checked (name or unit).
    pub checker: String,
    /// 合格 or 不合格.
    pub result: CheckResult,
    /// What was found.
    pub note: String,
}

/// A service as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceRecord {
    /// Its id.
    pub id: i64,
    /// The provider.
    pub provider: i64,
    /// Its name.
    pub provider_name: String,
    /// The person served.
    pub person: PersonId,
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub number: String,
    /// Its community code.
    pub community: String,
    /// The person's name, masked.
    pub name: String,
    /// What service.
    pub kind: ServiceKind,
    /// The month served.
    pub month: Month,
    /// Hours.
    pub hours: u32,
    /// Cost in fen.
    pub cost_fen: i64,
    /// Who recorded it (display name).
    pub recorded_by: String,
    /// The latest quality check, if any.
    pub check: Option<ServiceCheck>,
}

/// Which services to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceFilter {
    /// Only this month.
    pub month: Option<Month>,
    /// Only this provider.
    pub provider: Option<i64>,
    /// Only those without a quality check.
    pub unchecked: bool,
}

/// The bought-services operations of a store.
#[async_trait]
pub trait Services: Send + Sync + 'static {
    /// Adds a provider (the county approver, the disabled persons' federation). A name already
    /// used is a [`StoreError::Duplicate`].
    async fn add_provider(&self, actor: &Actor, provider: &NewProvider) -> Result<i64, StoreError>;

    /// The providers by name, with their records in the actor's scope (those who read
    /// services).
    async fn providers(&self, actor: &Actor) -> Result<Vec<Provider>, StoreError>;

    /// The members with a disability of current households in the actor's scope, by file
    /// number; recorded as a bulk read.
    async fn served_persons(&self, actor: &Actor) -> Result<Vec<ServedPerson>, StoreError>;

    /// Records a month's service (the federation, the county approver, township caseworkers in
    /// scope). The person must have a disability and belong to a current household in scope,
    /// the provider must offer the kind; once per month, person, provider and kind.
    async fn record_service(
        &self,
        actor: &Actor,
        record: &NewServiceRecord,
    ) -> Result<i64, StoreError>;

    /// The services in the actor's scope, newest month first, at most 5,000; recorded as a bulk
    /// read.
    async fn service_records(
        &self,
        actor: &Actor,
        filter: &ServiceFilter,
    ) -> Result<Vec<ServiceRecord>, StoreError>;

    /// Records a quality check of a service in the actor's scope (those who record services).
    async fn check_service(
        &self,
        actor: &Actor,
        record: i64,
        check: &ServiceCheck,
    ) -> Result<(), StoreError>;
}

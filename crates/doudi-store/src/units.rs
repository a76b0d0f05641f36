//! Pairing units and pairing in bulk (3.3 每户有责任单位和责任人, 4.3 帮困不漏户、户户见干部):
//! county departments and township offices paired with communities, the cadres who belong to
//! each, and pairings made or handed over many at a time. The [`Units`] trait is a supertrait of
//! [`crate::Store`]; both backends implement it in `units_impl.rs` (migration 0019).
//!
//! **Invariant:** a hand-over leaves no household unpaired: every household the leaving cadre
//! was paired with is either given to another cadre in the same transaction or already has
//! another cadre; otherwise nothing changes.

use async_trait::async_trait;
use doudi_core::{Actor, DivisionCode, HouseholdId, Role};

use crate::StoreError;

doudi_core::vocabulary! {
    /// What kind of unit takes responsibility for households.
    UnitKind, "责任单位类别" {
        /// A county department or bureau (县级部门).
        CountyDepartment = ("county_department", "县级部门"),
        /// A township or street office (乡镇（街道）).
        TownshipOffice = ("township_office", "乡镇（街道）"),
        /// A community (居委会).
        Community = ("community", "社区"),
    }
}

/// A unit with its communities and cadres.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: UnitKind,
    /// The communities it is paired with.
    pub communities: Vec<DivisionCode>,
    /// Its cadres: id, login name, display name.
    pub members: Vec<(i64, String, String)>,
}

/// The pairing operations of a store beyond one pairing at a time.
#[async_trait]
pub trait Units: Send + Sync + 'static {
    /// Every unit (those who manage pairings, auditors), by name.
    async fn units(&self, actor: &Actor) -> Result<Vec<Unit>, StoreError>;

    /// Creates a unit (the county approver); a name already used is a
    /// [`StoreError::Duplicate`].
    async fn create_unit(
        &self,
        actor: &Actor,
        name: &str,
        kind: UnitKind,
    ) -> Result<i64, StoreError>;

    /// Sets a unit's communities and cadres (the county approver): each community must be
    /// filed and each member an enabled cadre.
    async fn set_unit(
        &self,
        actor: &Actor,
        unit: i64,
        communities: &[DivisionCode],
        members: &[i64],
    ) -> Result<(), StoreError>;

    /// Makes many pairings in one transaction (those who manage pairings, each household in
    /// scope, each checked as [`crate::Store::pair`] checks one): all or none. A household in
    /// the plan that has a cadre already is refused, so that a plan made before someone else
    /// paired it is made again.
    async fn assign(&self, actor: &Actor, plan: &[(HouseholdId, i64)]) -> Result<u64, StoreError>;

    /// Hands a cadre's households over (those who manage pairings, in scope): ends every
    /// pairing of `from` in the actor's scope and makes the pairings of `plan`, in one
    /// transaction, refused if a household of `from` would be left without a cadre.
    async fn hand_over(
        &self,
        actor: &Actor,
        from: i64,
        plan: &[(HouseholdId, i64)],
    ) -> Result<u64, StoreError>;

    /// How many households each enabled cadre whose scope meets the actor's is paired with:
    /// (id, login name, display name, scope prefix, households), by login name.
    async fn cadre_loads(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(i64, String, String, String, i64)>, StoreError>;
}

/// Who may read units: those who manage pairings and auditors.
pub fn may_read_units(actor: &Actor) -> bool {
    actor.may_manage_pairings() || actor.role == Role::Auditor
}

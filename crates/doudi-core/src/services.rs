//! Government-bought care services for disabled and severely disabled people (3.3, led by civil
//! affairs with the disabled persons' federation): the kinds of service, the result of a
//! quality check, and who may do what. The store keeps providers, service records and checks
//! (`doudi-store/src/services.rs`); the use cases are in doudi-app.

use crate::access::{Actor, Role};
use crate::department::Department;
use crate::money::Money;
use crate::vocabulary;

vocabulary! {
    /// A kind of bought care service.
    ServiceKind, "服务类别" {
        /// 居家照护: care at home.
        HomeCare = ("home_care", "居家照护"),
        /// 机构托养: care in an institution.
        InstitutionalCare = ("institutional_care", "机构托养"),
        /// 康复服务: rehabilitation.
        Rehabilitation = ("rehabilitation", "康复服务"),
    }
}

vocabulary! {
    /// What a quality check found.
    CheckResult, "检查结果" {
        /// 合格.
        Pass = ("pass", "合格"),
        /// 不合格.
        Fail = ("fail", "不合格"),
    }
}

/// The most one month's service of one person may cost: a guard against a mistyped figure
/// (3.3 sets no price).
pub const MAX_MONTHLY_COST: Money = Money::from_yuan(50_000);

/// The most hours one month has.
pub const MAX_MONTHLY_HOURS: u32 = 744;

/// Whether the actor reads bought services: the county approver and auditors (the county), the
/// disabled persons' federation (the county), township caseworkers (their township).
pub fn may_read(actor: &Actor) -> bool {
    match actor.role {
        Role::CountyApprover | Role::Auditor | Role::TownshipCaseworker | Role::System => true,
        Role::DepartmentOfficer => actor.department == Some(Department::DisabledFederation),
        _ => false,
    }
}

/// Whether the actor keeps the providers: the county approver and the disabled persons'
/// federation.
pub fn may_manage_providers(actor: &Actor) -> bool {
    match actor.role {
        Role::CountyApprover | Role::System => true,
        Role::DepartmentOfficer => actor.department == Some(Department::DisabledFederation),
        _ => false,
    }
}

/// Whether the actor records services and their quality checks: those who keep the providers,
/// and township caseworkers (their township's people).
pub fn may_record(actor: &Actor) -> bool {
    may_manage_providers(actor) || actor.role == Role::TownshipCaseworker
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scope;

    fn actor(role: Role, department: Option<Department>) -> Actor {
        Actor {
            role,
            department,
            scope: Scope::County,
            ..Actor::system("测试")
        }
    }

    #[test]
    fn the_disabled_federation_and_the_county_keep_providers_and_townships_record_services_3_3() {
        let federation = actor(
            Role::DepartmentOfficer,
            Some(Department::DisabledFederation),
        );
        let housing = actor(Role::DepartmentOfficer, Some(Department::Housing));
        let township = actor(Role::TownshipCaseworker, None);
        assert!(
            may_manage_providers(&federation) && may_record(&federation) && may_read(&federation)
        );
        assert!(!may_read(&housing) && !may_record(&housing));
        assert!(!may_manage_providers(&township) && may_record(&township));
        assert!(may_read(&actor(Role::Auditor, None)) && !may_record(&actor(Role::Auditor, None)));
        assert!(!may_read(&actor(Role::CommunityWorker, None)));
    }
}

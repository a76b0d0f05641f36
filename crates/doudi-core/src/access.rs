//! Who is acting: every store call takes an [`Actor`], whose role and division scope decide what
//! it may see and change (5.1).

use crate::division::DivisionCode;
use crate::vocabulary;

vocabulary! {
    /// The roles of 5.1 that exist so far.
    Role, "角色" {
        Admin = ("admin", "系统管理员"),
        CountyApprover = ("county_approver", "县民政局审批人员"),
        Auditor = ("auditor", "监督审计人员"),
        TownshipCaseworker = ("township_caseworker", "乡镇（街道）经办人员"),
        CommunityWorker = ("community_worker", "社区工作人员"),
        System = ("system", "系统任务"),
    }
}

/// The part of the county an actor works in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The whole county.
    County,
    /// One township or one community, by code.
    Division(DivisionCode),
}

impl Scope {
    /// Whether households in `division` (a community code) are inside this scope.
    pub fn covers(&self, division: &DivisionCode) -> bool {
        match self {
            Scope::County => true,
            Scope::Division(code) => code.contains(division),
        }
    }

    /// The code prefix that household divisions must start with ("" for the county).
    pub fn prefix(&self) -> &str {
        match self {
            Scope::County => "",
            Scope::Division(code) => code.as_str(),
        }
    }
}

/// The person acting, as every store call receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// User id (0 for the system itself).
    pub user_id: i64,
    /// Login name.
    pub username: String,
    /// Display name, recorded in history.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Scope.
    pub scope: Scope,
    /// Where the request came from (an IP address), recorded in the audit trail; empty when
    /// unknown or not applicable (the command line).
    pub client: String,
    /// Why the actor is doing this, when they said so (for example the purpose they gave for
    /// unmasking), recorded in the audit trail; empty when not given.
    pub purpose: String,
}

impl Actor {
    /// The system itself, for imports and the demo generator run from the command line.
    pub fn system(what: &str) -> Actor {
        Actor {
            user_id: 0,
            username: "system".into(),
            display_name: what.into(),
            role: Role::System,
            scope: Scope::County,
            client: String::new(),
            purpose: String::new(),
        }
    }

    /// Whether the actor may read the audit trail: auditors, and administrators (5.4).
    pub fn may_read_audit(&self) -> bool {
        matches!(self.role, Role::Auditor | Role::Admin)
    }

    /// Whether the actor may read household data at all. Administrators manage accounts and
    /// parameters and see no household data (least privilege, 5.1).
    pub fn may_read_households(&self) -> bool {
        self.role != Role::Admin
    }

    /// Whether the actor may see a household's identifiers in full when they give a purpose
    /// (the unmask action): the roles that read full household details, that is caseworkers,
    /// community workers and approvers within their scope, and auditors. Not the administrator
    /// (who sees no household data) nor the system.
    pub fn may_unmask(&self) -> bool {
        matches!(
            self.role,
            Role::CountyApprover | Role::TownshipCaseworker | Role::CommunityWorker | Role::Auditor
        )
    }

    /// Whether the actor may create and edit households.
    pub fn may_write_households(&self) -> bool {
        matches!(
            self.role,
            Role::System | Role::CountyApprover | Role::TownshipCaseworker | Role::CommunityWorker
        )
    }
}

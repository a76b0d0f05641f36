//! Who is acting: every store call takes an [`Actor`], whose role and division scope decide what
//! it may see and change (5.1). What a department officer sees of a household is decided by the
//! table in [`crate::department`].

use chrono::TimeDelta;

use crate::department::{Department, DepartmentView};
use crate::division::DivisionCode;
use crate::vocabulary;

vocabulary! {
    /// The roles of 5.1. The public (someone not logged in) has no account and so no role.
    Role, "角色" {
        /// Manages accounts and parameters; sees no household data.
        Admin = ("admin", "系统管理员"),
        /// The county civil affairs bureau: reads and edits the whole county.
        CountyApprover = ("county_approver", "县民政局审批人员"),
        /// Reads everything, changes nothing; every read is in the audit trail.
        Auditor = ("auditor", "监督审计人员"),
        /// Files and edits the households of one township.
        TownshipCaseworker = ("township_caseworker", "乡镇（街道）经办人员"),
        /// Files and edits the households of one community.
        CommunityWorker = ("community_worker", "社区工作人员"),
        /// A department's officer: reads, and only what the department's work needs.
        DepartmentOfficer = ("department_officer", "部门工作人员"),
        /// A cadre paired with households (结对干部): reads only the households paired with them.
        PairedCadre = ("paired_cadre", "结对帮扶干部"),
        /// A social organisation: no identified household data at all.
        SocialOrganisation = ("social_organisation", "社会组织"),
        /// The system itself (the command line, imports, the demo).
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

impl Role {
    /// Whether an account may be given this role with this scope and department; the reason
    /// (in Chinese) when not.
    pub fn check_assignment(
        self,
        scope: &Scope,
        department: Option<Department>,
    ) -> Result<(), String> {
        match (self, department) {
            (Role::DepartmentOfficer, None) => return Err("部门工作人员须指定所属部门".into()),
            (Role::DepartmentOfficer, Some(_)) => {}
            (_, Some(_)) => return Err(format!("{}不属于任何部门，请不要指定部门", self.label())),
            (_, None) => {}
        }
        match (self, scope) {
            (Role::System, _) => Err("系统任务不是可登录的角色".into()),
            (Role::Admin | Role::CountyApprover | Role::Auditor, Scope::Division(_)) => {
                Err(format!("{}的工作范围是全县，请不要指定区划", self.label()))
            }
            (Role::TownshipCaseworker, Scope::Division(code)) if code.is_community() => {
                Err("乡镇（街道）经办人员的工作范围应为乡镇（街道）代码（9位）".into())
            }
            (Role::TownshipCaseworker, Scope::County) => {
                Err("乡镇（街道）经办人员须指定所在乡镇（街道）".into())
            }
            (Role::CommunityWorker, Scope::Division(code)) if !code.is_community() => {
                Err("社区工作人员的工作范围应为社区代码（12位）".into())
            }
            (Role::CommunityWorker, Scope::County) => Err("社区工作人员须指定所在社区".into()),
            _ => Ok(()),
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
    /// The department of a department officer; `None` for every other role.
    pub department: Option<Department>,
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
            department: None,
            client: String::new(),
            purpose: String::new(),
        }
    }

    /// Whether the actor may read the audit trail: auditors, and administrators (5.4).
    pub fn may_read_audit(&self) -> bool {
        matches!(self.role, Role::Auditor | Role::Admin)
    }

    /// Whether the actor may read household data at all. Administrators manage accounts and
    /// parameters and see no household data (least privilege, 5.1); social organisations see no
    /// identified household data.
    pub fn may_read_households(&self) -> bool {
        !matches!(self.role, Role::Admin | Role::SocialOrganisation)
    }

    /// Whether the actor reads whole households (history and entitlements included), rather
    /// than the part a department needs.
    pub fn sees_whole_households(&self) -> bool {
        self.may_read_households() && self.role != Role::DepartmentOfficer
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

    /// Whether the actor may create and change accounts: administrators (and the command line).
    pub fn may_manage_accounts(&self) -> bool {
        matches!(self.role, Role::Admin | Role::System)
    }

    /// Whether the actor may pair cadres with households of their scope: the county approver
    /// and township caseworkers (and the command line).
    pub fn may_manage_pairings(&self) -> bool {
        matches!(
            self.role,
            Role::CountyApprover | Role::TownshipCaseworker | Role::System
        )
    }

    /// Whether the actor reads applications (casework, 4.2.b): the county approver, auditors,
    /// township caseworkers and community workers, each in their scope.
    pub fn may_read_cases(&self) -> bool {
        matches!(
            self.role,
            Role::CountyApprover
                | Role::Auditor
                | Role::TownshipCaseworker
                | Role::CommunityWorker
                | Role::System
        )
    }

    /// Whether the actor takes casework steps at all: community workers submit, township
    /// caseworkers accept, investigate and review, the county approver decides (each step's own
    /// rule is [`crate::casework::Action::allowed_for`]).
    pub fn may_act_on_cases(&self) -> bool {
        matches!(
            self.role,
            Role::CountyApprover | Role::TownshipCaseworker | Role::CommunityWorker | Role::System
        )
    }

    /// Whether the actor keeps households' benefits up to date between applications: reviews,
    /// deaths, tekun care and the alerts of department data — township caseworkers and the
    /// county approver (and the system), each in their scope.
    pub fn may_keep_benefits(&self) -> bool {
        matches!(
            self.role,
            Role::TownshipCaseworker | Role::CountyApprover | Role::System
        )
    }

    /// Whether the actor runs payments and changes entitlements: the county approver (and the
    /// command line).
    pub fn may_pay(&self) -> bool {
        matches!(self.role, Role::CountyApprover | Role::System)
    }

    /// What a department officer sees; `None` for every other role (and for an officer without
    /// a department, who then sees nothing).
    pub fn department_view(&self) -> Option<&'static DepartmentView> {
        match (self.role, self.department) {
            (Role::DepartmentOfficer, Some(d)) => Some(crate::department::view_of(d)),
            _ => None,
        }
    }
}

/// What a household's personal data is read for (5.1, 5.3): with the [`Actor`], it decides how
/// much is shown ([`Actor::visibility`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A list of households or cases.
    List,
    /// A household's page as read.
    Detail,
    /// A household read to be edited (edit forms, the API's household).
    Edit,
    /// The identifiers in full, for a purpose the actor states, audited (`Store::unmask`).
    Unmask,
    /// The public notice of a community (公示), for anyone passing by.
    PublicNotice,
}

/// How one kind of personal data is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// Not at all.
    Hidden,
    /// Masked (`张*三`, `5002**********1234`).
    Masked,
    /// In full.
    Full,
}

/// How names and identifiers (identity numbers, phones, bank accounts) are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visibility {
    /// Names of members.
    pub names: Shown,
    /// Identity numbers, phones and bank accounts.
    pub identifiers: Shown,
}

impl Visibility {
    const fn of(names: Shown, identifiers: Shown) -> Visibility {
        Visibility { names, identifiers }
    }
}

impl Actor {
    /// The one rule of what the actor sees of a household's personal data for `purpose`.
    /// Identifiers are shown in full only through the unmask action, to the roles that may
    /// unmask; writers edit with names in full and identifiers masked; lists, pages and the
    /// public notice are masked; roles that read no household data see none, except the public
    /// notice, which is for anyone.
    pub fn visibility(&self, purpose: Purpose) -> Visibility {
        use Shown::{Full, Hidden, Masked};
        match purpose {
            Purpose::PublicNotice => Visibility::of(Masked, Masked),
            _ if !self.may_read_households() => Visibility::of(Hidden, Hidden),
            Purpose::List | Purpose::Detail => Visibility::of(Masked, Masked),
            Purpose::Edit if self.may_write_households() => Visibility::of(Full, Masked),
            Purpose::Edit => Visibility::of(Masked, Masked),
            Purpose::Unmask if self.may_unmask() => Visibility::of(Full, Full),
            Purpose::Unmask => Visibility::of(Masked, Masked),
        }
    }
}

/// How many failed logins in a row, by one login name from one client address, lock that name
/// for that address (the web layer's throttle, in memory).
pub const LOCKOUT_THRESHOLD: i64 = 5;
/// How many failed logins in a row, from anywhere, lock an account for everyone (counted in
/// the database). Far above [`LOCKOUT_THRESHOLD`]: one address is held to a handful of guesses
/// an hour by its own lock, so that a stranger alone cannot lock a colleague out; only many
/// addresses together reach this.
pub const ACCOUNT_LOCKOUT_THRESHOLD: i64 = 50;
/// How long the first lock lasts.
pub const LOCKOUT_FIRST: TimeDelta = TimeDelta::minutes(1);
/// The longest lock.
pub const LOCKOUT_CAP: TimeDelta = TimeDelta::hours(1);

/// How long an account is locked after `failures` failed logins in a row: not at all below
/// [`LOCKOUT_THRESHOLD`], then [`LOCKOUT_FIRST`], doubling with every further failure up to
/// [`LOCKOUT_CAP`].
pub fn lockout_after(failures: i64) -> Option<TimeDelta> {
    back_off(failures, LOCKOUT_THRESHOLD)
}

/// How long an account is locked for everyone after `failures` failed logins in a row from any
/// address: as [`lockout_after`], from [`ACCOUNT_LOCKOUT_THRESHOLD`] failures on.
pub fn account_lockout_after(failures: i64) -> Option<TimeDelta> {
    back_off(failures, ACCOUNT_LOCKOUT_THRESHOLD)
}

fn back_off(failures: i64, threshold: i64) -> Option<TimeDelta> {
    if failures < threshold {
        return None;
    }
    let doublings = (failures - threshold).min(30) as u32;
    let lock = LOCKOUT_FIRST
        .checked_mul(1i32 << doublings.min(30))
        .unwrap_or(LOCKOUT_CAP);
    Some(lock.min(LOCKOUT_CAP))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            role,
            ..Actor::system("测试")
        }
    }

    #[test]
    fn what_each_role_sees_for_each_purpose_is_decided_in_one_place() {
        use Purpose::{Detail, Edit, List, PublicNotice, Unmask};
        use Shown::{Full as F, Hidden as H, Masked as M};
        // Per role: list, detail, edit, unmask, public notice; each (names, identifiers).
        let table = [
            (Role::Admin, [(H, H), (H, H), (H, H), (H, H), (M, M)]),
            (
                Role::CountyApprover,
                [(M, M), (M, M), (F, M), (F, F), (M, M)],
            ),
            (Role::Auditor, [(M, M), (M, M), (M, M), (F, F), (M, M)]),
            (
                Role::TownshipCaseworker,
                [(M, M), (M, M), (F, M), (F, F), (M, M)],
            ),
            (
                Role::CommunityWorker,
                [(M, M), (M, M), (F, M), (F, F), (M, M)],
            ),
            (
                Role::DepartmentOfficer,
                [(M, M), (M, M), (M, M), (M, M), (M, M)],
            ),
            (Role::PairedCadre, [(M, M), (M, M), (M, M), (M, M), (M, M)]),
            (
                Role::SocialOrganisation,
                [(H, H), (H, H), (H, H), (H, H), (M, M)],
            ),
            (Role::System, [(M, M), (M, M), (F, M), (M, M), (M, M)]),
        ];
        for (role, row) in table {
            for (purpose, (names, identifiers)) in [List, Detail, Edit, Unmask, PublicNotice]
                .into_iter()
                .zip(row)
            {
                assert_eq!(
                    actor(role).visibility(purpose),
                    Visibility { names, identifiers },
                    "{role:?} {purpose:?}"
                );
            }
        }
    }

    #[test]
    fn the_lock_starts_at_the_fifth_failure_and_doubles_up_to_an_hour() {
        assert_eq!(lockout_after(0), None);
        assert_eq!(lockout_after(4), None);
        assert_eq!(lockout_after(5), Some(TimeDelta::minutes(1)));
        assert_eq!(lockout_after(6), Some(TimeDelta::minutes(2)));
        assert_eq!(lockout_after(7), Some(TimeDelta::minutes(4)));
        assert_eq!(lockout_after(11), Some(TimeDelta::minutes(60)));
        assert_eq!(lockout_after(1000), Some(TimeDelta::hours(1)));
        assert_eq!(account_lockout_after(49), None);
        assert_eq!(account_lockout_after(50), Some(TimeDelta::minutes(1)));
        assert_eq!(account_lockout_after(i64::MAX), Some(TimeDelta::hours(1)));
    }

    #[test]
    fn a_role_is_given_with_the_scope_and_department_it_needs() {
        let township = Scope::Division(DivisionCode::parse("500235002").unwrap());
        let community = Scope::Division(DivisionCode::parse("500235002001").unwrap());
        assert!(
            Role::TownshipCaseworker
                .check_assignment(&township, None)
                .is_ok()
        );
        assert!(
            Role::TownshipCaseworker
                .check_assignment(&community, None)
                .is_err()
        );
        assert!(
            Role::TownshipCaseworker
                .check_assignment(&Scope::County, None)
                .is_err()
        );
        assert!(
            Role::CommunityWorker
                .check_assignment(&community, None)
                .is_ok()
        );
        assert!(
            Role::CountyApprover
                .check_assignment(&township, None)
                .is_err()
        );
        assert!(
            Role::DepartmentOfficer
                .check_assignment(&Scope::County, None)
                .unwrap_err()
                .contains("部门")
        );
        assert!(
            Role::DepartmentOfficer
                .check_assignment(&Scope::County, Some(Department::Education))
                .is_ok()
        );
        assert!(
            Role::Auditor
                .check_assignment(&Scope::County, Some(Department::Education))
                .is_err()
        );
        assert!(Role::System.check_assignment(&Scope::County, None).is_err());
    }
}

//! Disaster relief (2.3, lead department: emergency management): the words of a disaster event,
//! of the damage an affected household suffered and of the three kinds of relief, who may do
//! what with them, and the one rule of whether a household lies in a disaster's area. The store
//! keeps events and reliefs (`doudi-store/src/disaster.rs`); the use cases are in doudi-app.
//!
//! The policy sets no amounts for 2.3: the emergency officer types each one. The ceilings here
//! ([`ReliefKind::ceiling`]) are the platform's guard against a mistyped figure, not policy.

use crate::access::{Actor, Role};
use crate::department::Department;
use crate::household::Category;
use crate::money::Money;
use crate::vocabulary;

vocabulary! {
    /// What kind of disaster (灾害种类).
    DisasterKind, "灾害种类" {
        /// 洪涝.
        Flood = ("flood", "洪涝"),
        /// 山体滑坡、泥石流.
        Landslide = ("landslide", "山体滑坡"),
        /// 火灾.
        Fire = ("fire", "火灾"),
        /// 地震.
        Earthquake = ("earthquake", "地震"),
        /// Anything else.
        Other = ("other", "其他"),
    }
}

vocabulary! {
    /// Where an affected household stands on the event's list.
    AffectedState, "核实状态" {
        /// Found from its community or address, not yet checked.
        Found = ("found", "待核实"),
        /// Checked: the household was hit.
        Confirmed = ("confirmed", "已确认受灾"),
        /// Checked: the household was not hit (it stays listed, with the note).
        Removed = ("removed", "已排除"),
    }
}

vocabulary! {
    /// What the disaster did to the household's home.
    Damage, "房屋受损" {
        /// 房屋倒塌.
        Collapsed = ("collapsed", "房屋倒塌"),
        /// 房屋受损.
        Damaged = ("damaged", "房屋受损"),
        /// 房屋未受损.
        None = ("none", "未受损"),
    }
}

vocabulary! {
    /// The three kinds of relief of 2.3.
    ReliefKind, "救助类别" {
        /// 应急救助: once, right after the disaster.
        Emergency = ("emergency", "应急救助"),
        /// 死亡抚慰金: once, to the family of those who died.
        Condolence = ("condolence", "死亡抚慰金"),
        /// 过渡期生活救助: per month, for a number of months.
        Transitional = ("transitional", "过渡期生活救助"),
    }
}

impl ReliefKind {
    /// The most one relief (for transitional relief: one month of it) may be: a guard against a
    /// mistyped amount, not a policy figure (2.3 sets none).
    pub fn ceiling(self) -> Money {
        match self {
            ReliefKind::Emergency => Money::from_yuan(20_000),
            ReliefKind::Condolence => Money::from_yuan(50_000),
            ReliefKind::Transitional => Money::from_yuan(5_000),
        }
    }

    /// The programme its payment lines carry on the roster and the bank file.
    pub fn program(self) -> PaymentProgram {
        match self {
            ReliefKind::Emergency => PaymentProgram::DisasterEmergency,
            ReliefKind::Condolence => PaymentProgram::DisasterCondolence,
            ReliefKind::Transitional => PaymentProgram::DisasterTransitional,
        }
    }
}

/// At most this many months of transitional relief in one record.
pub const MAX_TRANSITIONAL_MONTHS: u32 = 12;

vocabulary! {
    /// What a payment line pays: a household's monthly dibao or tekun (4.3), or a disaster
    /// relief (2.3). The codes of the first two are [`Category`]'s.
    PaymentProgram, "发放项目" {
        /// 城市低保.
        Dibao = ("dibao", "城市低保"),
        /// 城市特困.
        Tekun = ("tekun", "城市特困"),
        /// 应急救助 (2.3).
        DisasterEmergency = ("disaster_emergency", "灾害应急救助"),
        /// 死亡抚慰金 (2.3).
        DisasterCondolence = ("disaster_condolence", "灾害死亡抚慰金"),
        /// 过渡期生活救助 (2.3).
        DisasterTransitional = ("disaster_transitional", "灾害过渡期生活救助"),
    }
}

impl From<Category> for PaymentProgram {
    fn from(c: Category) -> PaymentProgram {
        match c {
            Category::Dibao => PaymentProgram::Dibao,
            Category::Tekun => PaymentProgram::Tekun,
        }
    }
}

/// Whether the actor reads disaster events and their households: the emergency-management
/// officer (every household, by its head), the county approver and auditors (the county),
/// township caseworkers (their township's households).
pub fn may_read(actor: &Actor) -> bool {
    match actor.role {
        Role::CountyApprover | Role::Auditor | Role::TownshipCaseworker | Role::System => true,
        Role::DepartmentOfficer => actor.department == Some(Department::EmergencyManagement),
        _ => false,
    }
}

/// Whether the actor records a disaster event and its reliefs: the emergency-management
/// officer and the county approver.
pub fn may_record(actor: &Actor) -> bool {
    match actor.role {
        Role::CountyApprover | Role::System => true,
        Role::DepartmentOfficer => actor.department == Some(Department::EmergencyManagement),
        _ => false,
    }
}

/// Whether the actor confirms or removes affected households: those who record events, and
/// township caseworkers (their township's households).
pub fn may_check(actor: &Actor) -> bool {
    may_record(actor) || actor.role == Role::TownshipCaseworker
}

/// Whether a household lies in a disaster's area: its community is one of the area's, or its
/// address contains one of the keywords (empty keywords are ignored).
pub fn in_area(
    community: &str,
    address: &str,
    communities: &[String],
    keywords: &[String],
) -> bool {
    communities.iter().any(|c| c == community)
        || keywords
            .iter()
            .any(|k| !k.trim().is_empty() && address.contains(k.trim()))
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
    fn a_household_is_in_the_area_by_its_community_or_an_address_keyword() {
        let communities = vec!["500235001001".to_owned()];
        let keywords = vec!["河坝".to_owned(), " ".to_owned()];
        assert!(in_area(
            "500235001001",
            "青龙街1号",
            &communities,
            &keywords
        ));
        assert!(in_area(
            "500235002001",
            "人和镇河坝村3组",
            &communities,
            &keywords
        ));
        assert!(!in_area(
            "500235002001",
            "人和镇山顶村",
            &communities,
            &keywords
        ));
        // A blank keyword matches nothing rather than every address.
        assert!(!in_area(
            "500235002001",
            "人和镇 山顶村",
            &[],
            &[" ".to_owned()]
        ));
    }

    #[test]
    fn only_the_emergency_officer_and_the_county_record_disasters_2_3() {
        let officer = actor(
            Role::DepartmentOfficer,
            Some(Department::EmergencyManagement),
        );
        let education = actor(Role::DepartmentOfficer, Some(Department::Education));
        assert!(may_record(&officer) && may_read(&officer));
        assert!(!may_record(&education) && !may_read(&education));
        assert!(may_record(&actor(Role::CountyApprover, None)));
        assert!(!may_record(&actor(Role::TownshipCaseworker, None)));
        assert!(may_check(&actor(Role::TownshipCaseworker, None)));
        assert!(may_read(&actor(Role::Auditor, None)) && !may_check(&actor(Role::Auditor, None)));
        assert!(!may_read(&actor(Role::PairedCadre, None)));
    }

    #[test]
    fn a_relief_line_never_shares_a_programme_with_dibao_or_tekun() {
        for kind in ReliefKind::ALL {
            assert_ne!(kind.program(), PaymentProgram::from(Category::Dibao));
            assert_ne!(kind.program(), PaymentProgram::from(Category::Tekun));
        }
        assert_eq!(
            PaymentProgram::from(Category::Dibao).code(),
            Category::Dibao.code()
        );
        assert_eq!(
            PaymentProgram::from(Category::Tekun).code(),
            Category::Tekun.code()
        );
    }
}

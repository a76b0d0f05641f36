//! 两不愁三保障 (1.3): the five dimensions of a household's basic guarantee, derived from its
//! file. Not worried about food (不愁吃) and clothing (不愁穿): met when the household receives
//! dibao or tekun support (an open entitlement period) or its monthly per-capita income reaches
//! the dibao standard. Basic medical care (基本医疗): every member has basic medical insurance,
//! and every seriously ill member or member with a special disease of 2.4 has signed with a
//! family doctor. Compulsory education (义务教育): no child of compulsory-school age (6 to 15
//! full years) is out of school. Safe housing (住房安全): the housing situation is secure in the
//! sense of 2.6 ([`crate::housing::insecure`]).
//!
//! The rule is pure: the caller gives today, the standard in force and whether the household
//! receives support. Reasons name counts and vocabulary labels, never a person.

use chrono::NaiveDate;

use crate::household::Housing;
use crate::money::Money;
use crate::person::{HealthInsurance, PersonFields, SchoolStage, age_on};

crate::vocabulary! {
    /// The five dimensions of 两不愁三保障 (1.3).
    Dimension, "保障维度" {
        Food = ("food", "不愁吃"),
        Clothing = ("clothing", "不愁穿"),
        Medical = ("medical", "基本医疗有保障"),
        Schooling = ("schooling", "义务教育有保障"),
        Housing = ("housing", "住房安全有保障"),
    }
}

/// The youngest and oldest full age of compulsory schooling (义务教育, ages 6 to 15).
pub const COMPULSORY_AGES: std::ops::RangeInclusive<u32> = 6..=15;

/// What the rule reads about one household.
#[derive(Clone, Copy, Debug)]
pub struct GuaranteeFacts<'a> {
    /// The current members.
    pub members: &'a [PersonFields],
    /// The housing situation.
    pub housing: Housing,
    /// Whether the household has an open dibao or tekun entitlement period.
    pub receives_support: bool,
    /// Total monthly income of all members in the latest month with income records (zero when
    /// none is recorded).
    pub monthly_income: Money,
    /// The dibao standard per person and month in force.
    pub standard: Money,
    /// The day the state is assessed on.
    pub today: NaiveDate,
}

/// A dimension the household does not meet, and why, in Chinese.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmet {
    /// The dimension.
    pub dimension: Dimension,
    /// Why, in words a caseworker reads (counts and labels, no names).
    pub reason: String,
}

/// The dimensions a household fails, in the order of [`Dimension::ALL`]; empty when all five
/// are met.
pub fn assess(facts: &GuaranteeFacts<'_>) -> Vec<Unmet> {
    let mut unmet = Vec::new();
    if let Some(reason) = livelihood(facts) {
        for dimension in [Dimension::Food, Dimension::Clothing] {
            unmet.push(Unmet {
                dimension,
                reason: reason.clone(),
            });
        }
    }
    if let Some(reason) = medical(facts.members) {
        unmet.push(Unmet {
            dimension: Dimension::Medical,
            reason,
        });
    }
    if let Some(reason) = schooling(facts.members, facts.today) {
        unmet.push(Unmet {
            dimension: Dimension::Schooling,
            reason,
        });
    }
    if crate::housing::insecure(facts.housing) {
        unmet.push(Unmet {
            dimension: Dimension::Housing,
            reason: format!(
                "住房情况为“{}”，住房不安全（依据 2.6）",
                facts.housing.label()
            ),
        });
    }
    unmet
}

/// Food and clothing: support received, or per-capita income at least the standard.
fn livelihood(facts: &GuaranteeFacts<'_>) -> Option<String> {
    if facts.receives_support {
        return None;
    }
    let people = i128::try_from(facts.members.len())
        .unwrap_or(i128::MAX)
        .max(1);
    // Compared exactly: income ≥ standard × people, never a rounded per-capita figure.
    let income = i128::from(facts.monthly_income.fen());
    let needed = i128::from(facts.standard.fen()).saturating_mul(people);
    if income >= needed {
        return None;
    }
    let per_capita = Money::from_fen(i64::try_from(income / people).unwrap_or(i64::MAX));
    Some(format!(
        "未享受低保或特困供养，家庭月人均收入{per_capita}低于低保标准{}",
        facts.standard
    ))
}

/// Basic medical care: every member insured; the seriously ill and special-disease members
/// signed with a family doctor.
fn medical(members: &[PersonFields]) -> Option<String> {
    let uninsured = members
        .iter()
        .filter(|m| m.insurance == HealthInsurance::None)
        .count();
    let unsigned = members
        .iter()
        .filter(|m| (m.serious_illness || m.special_disease.is_some()) && !m.family_doctor)
        .count();
    let mut parts = Vec::new();
    if uninsured > 0 {
        parts.push(format!("{uninsured}名成员未参加基本医疗保险"));
    }
    if unsigned > 0 {
        parts.push(format!("{unsigned}名重病或特殊病种成员未签约家庭医生"));
    }
    (!parts.is_empty()).then(|| parts.join("；"))
}

/// Compulsory education: no child of 6 to 15 out of school (a six-year-old may still be at
/// kindergarten).
fn schooling(members: &[PersonFields], today: NaiveDate) -> Option<String> {
    let out = members
        .iter()
        .filter(|m| {
            let age = age_on(m.birth_date(), today);
            COMPULSORY_AGES.contains(&age)
                && match m.school_stage {
                    None => true,
                    Some(SchoolStage::Preschool) => age > *COMPULSORY_AGES.start(),
                    Some(_) => false,
                }
        })
        .count();
    (out > 0).then(|| format!("{out}名义务教育阶段适龄儿童未在校"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IdNumber;
    use crate::person::{Employment, PersonName, Relation, SelfCare, SpecialDisease, WorkCapacity};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).expect("a date")
    }

    /// A member born on `birth` (yyyymmdd), insured, no illness, not at school.
    fn member(birth: &str) -> PersonFields {
        let born = NaiveDate::parse_from_str(birth, "%Y%m%d").expect("a date");
        let id = IdNumber::from_parts("500235", born, 13);
        PersonFields {
            name: PersonName::parse("张三").expect("a name"),
            id_number: id,
            relation: Relation::Head,
            disability: None,
            serious_illness: false,
            disease: String::new(),
            special_disease: None,
            self_care: SelfCare::Full,
            work_capacity: WorkCapacity::Full,
            willing_to_work: true,
            employment: Employment::Employed,
            school_stage: None,
            boarding: false,
            insurance: HealthInsurance::Resident,
            family_doctor: false,
            health_record: false,
            phone: None,
        }
    }

    fn facts(members: &[PersonFields]) -> GuaranteeFacts<'_> {
        GuaranteeFacts {
            members,
            housing: Housing::Owned,
            receives_support: true,
            monthly_income: Money::ZERO,
            standard: Money::from_fen(70_000),
            today: today(),
        }
    }

    fn dimensions(unmet: &[Unmet]) -> Vec<Dimension> {
        unmet.iter().map(|u| u.dimension).collect()
    }

    #[test]
    fn a_supported_insured_household_in_its_own_home_meets_all_five() {
        let members = [member("19700101")];
        assert_eq!(assess(&facts(&members)), vec![]);
    }

    #[test]
    fn food_and_clothing_fail_without_support_and_with_income_below_the_standard() {
        let members = [member("19700101"), member("19720101")];
        let mut f = facts(&members);
        f.receives_support = false;
        f.monthly_income = Money::from_fen(139_998);
        let unmet = assess(&f);
        assert_eq!(dimensions(&unmet), [Dimension::Food, Dimension::Clothing]);
        assert_eq!(
            unmet[0].reason,
            "未享受低保或特困供养，家庭月人均收入¥699.99低于低保标准¥700.00"
        );
    }

    #[test]
    fn food_and_clothing_are_met_by_income_equal_to_the_standard_per_person() {
        let members = [member("19700101"), member("19720101")];
        let mut f = facts(&members);
        f.receives_support = false;
        f.monthly_income = Money::from_fen(140_000);
        assert_eq!(assess(&f), vec![]);
    }

    #[test]
    fn medical_fails_for_an_uninsured_member_and_an_unsigned_seriously_ill_one() {
        let mut uninsured = member("19700101");
        uninsured.insurance = HealthInsurance::None;
        let mut ill = member("19720101");
        ill.special_disease = Some(SpecialDisease::Pneumoconiosis);
        let members = [uninsured, ill.clone()];
        let unmet = assess(&facts(&members));
        assert_eq!(dimensions(&unmet), [Dimension::Medical]);
        assert_eq!(
            unmet[0].reason,
            "1名成员未参加基本医疗保险；1名重病或特殊病种成员未签约家庭医生"
        );
        ill.family_doctor = true;
        assert_eq!(assess(&facts(&[ill])), vec![]);
    }

    #[test]
    fn schooling_fails_for_a_ten_year_old_out_of_school_but_not_for_a_six_year_old_at_kindergarten()
    {
        let out = member("20160301");
        let unmet = assess(&facts(std::slice::from_ref(&out)));
        assert_eq!(dimensions(&unmet), [Dimension::Schooling]);
        assert_eq!(unmet[0].reason, "1名义务教育阶段适龄儿童未在校");
        let mut at_school = out;
        at_school.school_stage = Some(SchoolStage::Primary);
        assert_eq!(assess(&facts(&[at_school])), vec![]);
        let mut six = member("20200101");
        six.school_stage = Some(SchoolStage::Preschool);
        assert_eq!(assess(&facts(&[six])), vec![]);
        let mut seven = member("20190101");
        seven.school_stage = Some(SchoolStage::Preschool);
        assert_eq!(
            dimensions(&assess(&facts(&[seven]))),
            [Dimension::Schooling]
        );
        // Sixteen is past compulsory age.
        assert_eq!(assess(&facts(&[member("20100101")])), vec![]);
    }

    #[test]
    fn housing_fails_in_a_dangerous_house_and_is_met_in_public_rental() {
        let members = [member("19700101")];
        let mut f = facts(&members);
        f.housing = Housing::Unsafe;
        let unmet = assess(&f);
        assert_eq!(dimensions(&unmet), [Dimension::Housing]);
        assert_eq!(unmet[0].reason, "住房情况为“危房”，住房不安全（依据 2.6）");
        f.housing = Housing::PublicRental;
        assert_eq!(assess(&f), vec![]);
    }
}

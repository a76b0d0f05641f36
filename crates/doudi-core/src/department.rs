//! What each department sees of a household (5.1: "each department does its part … each sees and
//! does only its part"). [`DEPARTMENT_VIEWS`] is the one table of these rules; the store applies
//! it to every read of a department officer, and ARCHITECTURE.md repeats it in prose.
//!
//! A department officer sees only households its work concerns (one of the members it serves is
//! in the household), and of those only the members it serves and the parts of the file its work
//! needs. Always shown: the file number, township, community, category and dates, and the served
//! members' names, identity numbers (to match the department's own records, 5.3) and relation.
//! Everything else is removed from the record before it leaves the store.

use crate::household::{AssetKind, ExpenseKind, HouseholdRecord, Housing};
use crate::person::{Employment, HealthInsurance, PersonFields, Relation, SelfCare, WorkCapacity};
use crate::vocabulary;

vocabulary! {
    /// The departments that take part in the county's assistance work (5.1, 5.3).
    Department, "部门" {
        Education = ("education", "教育"),
        Health = ("health", "卫生健康"),
        MedicalInsurance = ("medical_insurance", "医疗保障"),
        HumanResources = ("human_resources", "人力社保"),
        Housing = ("housing", "住房城乡建设"),
        DisabledFederation = ("disabled_federation", "残联"),
        EmergencyManagement = ("emergency_management", "应急管理"),
    }
}

/// Which members a department's work is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Served {
    /// Members in school or preschool.
    Students,
    /// Members with a certified disability.
    Disabled,
    /// Members who are seriously ill, have a special disease of 2.4, or are disabled.
    IllOrDisabled,
    /// Members with (full or partial) capacity to work.
    AbleToWork,
    /// The head of household, as the household's contact: every household concerns the
    /// department.
    Head,
    /// Every member: family-doctor signing and a health record are for every household and
    /// every person in it (2.4).
    Everyone,
}

impl Served {
    /// Whether the department serves this member.
    pub fn includes(self, p: &PersonFields) -> bool {
        match self {
            Served::Students => p.school_stage.is_some(),
            Served::Disabled => p.disability.is_some(),
            Served::IllOrDisabled => {
                p.serious_illness || p.special_disease.is_some() || p.disability.is_some()
            }
            Served::AbleToWork => p.work_capacity != WorkCapacity::None,
            Served::Head => p.relation == Relation::Head,
            Served::Everyone => true,
        }
    }

    /// In Chinese, for pages and documentation.
    pub fn label(self) -> &'static str {
        match self {
            Served::Students => "在学（含学前）成员",
            Served::Disabled => "持证残疾成员",
            Served::IllOrDisabled => "重病、特殊病种或残疾成员",
            Served::AbleToWork => "有劳动能力的成员",
            Served::Head => "户主（作为联系人），全部家庭",
            Served::Everyone => "全部家庭的全部成员（家庭医生签约与健康档案，2.4）",
        }
    }
}

vocabulary! {
    /// A part of a household's file, as far as access goes.
    Part, "档案内容" {
        /// The household's address.
        Address = ("address", "住址"),
        /// The household's and the served members' phones.
        Phone = ("phone", "联系电话"),
        /// The bank account payments go to.
        BankAccount = ("bank_account", "银行账号"),
        /// Housing situation.
        Housing = ("housing", "住房情况"),
        /// Causes of poverty and needs for help.
        CausesAndNeeds = ("causes_and_needs", "致贫原因与帮扶需求"),
        /// Disability kind and grade.
        Disability = ("disability", "残疾情况"),
        /// Serious illness, the illness in words, special disease.
        Illness = ("illness", "疾病情况"),
        /// Ability to look after oneself.
        SelfCare = ("self_care", "自理能力"),
        /// Capacity and willingness to work, employment.
        Work = ("work", "劳动能力与就业"),
        /// School stage and boarding.
        Schooling = ("schooling", "就学情况"),
        /// Basic health insurance.
        Insurance = ("insurance", "医保类型"),
        /// Family doctor and health record.
        HealthServices = ("health_services", "家庭医生与健康档案"),
        /// Monthly incomes.
        Incomes = ("incomes", "收入"),
        /// Self-paid medical costs.
        MedicalExpenses = ("medical_expenses", "自付医疗费"),
        /// Tuition.
        TuitionExpenses = ("tuition_expenses", "学费"),
        /// Real estate among the assets.
        PropertyAssets = ("property_assets", "房产"),
        /// Every other asset (savings, vehicles, businesses …).
        OtherAssets = ("other_assets", "其他财产"),
        /// The 三清 survey.
        Survey = ("survey", "三清调查"),
    }
}

/// What one department sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepartmentView {
    /// The department.
    pub department: Department,
    /// The members (and so the households) its work is about.
    pub serves: Served,
    /// The parts of the file it sees, beyond those every department sees.
    pub parts: &'static [Part],
}

/// The rules, one row per department.
pub const DEPARTMENT_VIEWS: &[DepartmentView] = &[
    DepartmentView {
        department: Department::Education,
        serves: Served::Students,
        parts: &[Part::Schooling, Part::TuitionExpenses],
    },
    DepartmentView {
        department: Department::Health,
        serves: Served::Everyone,
        parts: &[
            Part::Disability,
            Part::Illness,
            Part::SelfCare,
            Part::Insurance,
            Part::HealthServices,
        ],
    },
    DepartmentView {
        department: Department::MedicalInsurance,
        serves: Served::IllOrDisabled,
        parts: &[
            Part::Disability,
            Part::Illness,
            Part::Insurance,
            Part::MedicalExpenses,
        ],
    },
    DepartmentView {
        department: Department::HumanResources,
        serves: Served::AbleToWork,
        parts: &[Part::Work, Part::Incomes],
    },
    DepartmentView {
        department: Department::Housing,
        serves: Served::Head,
        parts: &[Part::Address, Part::Housing, Part::PropertyAssets],
    },
    DepartmentView {
        department: Department::DisabledFederation,
        serves: Served::Disabled,
        parts: &[Part::Disability, Part::SelfCare, Part::Work],
    },
    DepartmentView {
        department: Department::EmergencyManagement,
        serves: Served::Head,
        parts: &[Part::Address, Part::Phone],
    },
];

/// The rules of a department.
pub fn view_of(department: Department) -> &'static DepartmentView {
    DEPARTMENT_VIEWS
        .iter()
        .find(|v| v.department == department)
        .expect("DEPARTMENT_VIEWS has a row for every department (a test checks it)")
}

impl DepartmentView {
    /// Whether the department sees this part.
    pub fn shows(&self, part: Part) -> bool {
        self.parts.contains(&part)
    }

    /// The parts it does not see.
    pub fn hidden(&self) -> impl Iterator<Item = Part> + '_ {
        Part::ALL.iter().copied().filter(|p| !self.shows(*p))
    }

    /// Whether a household is any of the department's business.
    pub fn concerns(&self, record: &HouseholdRecord) -> bool {
        matches!(self.serves, Served::Head | Served::Everyone)
            || record
                .members
                .iter()
                .any(|p| self.serves.includes(&p.fields))
    }

    /// The household as the department sees it: only the members it serves, and of the file
    /// only what every department sees and the parts of this one. What it may not see is
    /// removed (set to empty or to a neutral value, which pages and the API then show as
    /// hidden, never as a fact).
    pub fn redact(&self, mut record: HouseholdRecord) -> HouseholdRecord {
        let serves = self.serves;
        record.members.retain(|p| serves.includes(&p.fields));
        let kept: Vec<_> = record.members.iter().map(|p| p.id).collect();
        for p in &mut record.members {
            self.redact_member(&mut p.fields);
        }
        let f = &mut record.household.fields;
        if !self.shows(Part::Address) {
            f.address = String::new();
        }
        if !self.shows(Part::Phone) {
            f.phone = None;
        }
        if !self.shows(Part::BankAccount) {
            f.bank_account = None;
        }
        if !self.shows(Part::Housing) {
            f.housing = Housing::Owned;
        }
        if !self.shows(Part::CausesAndNeeds) {
            f.causes.clear();
            f.needs.clear();
        }
        let incomes = self.shows(Part::Incomes);
        record
            .incomes
            .retain(|i| incomes && kept.contains(&i.person));
        let (medical, tuition) = (
            self.shows(Part::MedicalExpenses),
            self.shows(Part::TuitionExpenses),
        );
        record.expenses.retain(|e| {
            kept.contains(&e.person)
                && match e.kind {
                    ExpenseKind::Medical => medical,
                    ExpenseKind::Tuition => tuition,
                }
        });
        let (property, other) = (
            self.shows(Part::PropertyAssets),
            self.shows(Part::OtherAssets),
        );
        record.assets.retain(|a| match a.kind {
            AssetKind::Property => property,
            _ => other,
        });
        if !self.shows(Part::Survey) {
            record.surveys.clear();
        }
        record
    }

    fn redact_member(&self, m: &mut PersonFields) {
        if !self.shows(Part::Disability) {
            m.disability = None;
        }
        if !self.shows(Part::Illness) {
            m.serious_illness = false;
            m.disease = String::new();
            m.special_disease = None;
        }
        if !self.shows(Part::SelfCare) {
            m.self_care = SelfCare::Full;
        }
        if !self.shows(Part::Work) {
            m.work_capacity = WorkCapacity::Full;
            m.willing_to_work = false;
            m.employment = Employment::NotInLabourForce;
        }
        if !self.shows(Part::Schooling) {
            m.school_stage = None;
            m.boarding = false;
        }
        if !self.shows(Part::Insurance) {
            m.insurance = HealthInsurance::Resident;
        }
        if !self.shows(Part::HealthServices) {
            m.family_doctor = false;
            m.health_record = false;
        }
        if !self.shows(Part::Phone) {
            m.phone = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_department_has_exactly_one_row() {
        for d in Department::ALL {
            let rows = DEPARTMENT_VIEWS
                .iter()
                .filter(|v| v.department == *d)
                .count();
            assert_eq!(rows, 1, "{d}");
            assert_eq!(view_of(*d).department, *d);
        }
    }

    #[test]
    fn no_department_sees_bank_accounts_savings_or_surveys() {
        for v in DEPARTMENT_VIEWS {
            for part in [Part::BankAccount, Part::OtherAssets, Part::Survey] {
                assert!(!v.shows(part), "{} sees {part:?}", v.department);
            }
        }
    }
}

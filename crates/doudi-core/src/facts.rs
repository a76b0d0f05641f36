//! What the rules know about a household: a snapshot taken from the registry (or a JSON-lines
//! file) for one evaluation. It holds only what the computations read, so a million of them fit
//! in memory and evaluate fast. The store reads them straight from the database for a whole
//! county (`Store::snapshots`); the policy engine (`doudi_policy::snapshot`) evaluates them.

use crate::{
    AssetKind, Category, Disability, ExpenseKind, HouseholdRecord, Money, Month, SchoolStage,
    SelfCare,
};
use chrono::NaiveDate;

/// Dispersed (at home) or centralised (in an institution) support of a tekun person (2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SupportMode {
    /// 分散供养.
    Dispersed,
    /// 集中供养.
    Centralised,
}

impl SupportMode {
    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            SupportMode::Dispersed => "分散供养",
            SupportMode::Centralised => "集中供养",
        }
    }
}

/// One member, as the rules see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Birth date.
    pub birth: NaiveDate,
    /// Certified disability.
    pub disability: Option<Disability>,
    /// Seriously ill.
    pub serious_illness: bool,
    /// Stage of schooling while studying.
    pub school_stage: Option<SchoolStage>,
    /// Last day of school, when the member has left or will leave (then not a student after).
    pub studying_until: Option<NaiveDate>,
    /// Ability to look after oneself.
    pub self_care: SelfCare,
    /// Boards at school.
    pub boarding: bool,
}

impl Member {
    /// The school stage on `day`, if the member is studying then.
    pub fn stage_on(&self, day: NaiveDate) -> Option<SchoolStage> {
        match self.studying_until {
            Some(until) if until < day => None,
            _ => self.school_stage,
        }
    }
}

/// A household's income and deductible expenses in one month, summed over members.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonthFigures {
    /// The month.
    pub month: Month,
    /// Total income of all members.
    pub income: Money,
    /// Self-paid medical costs.
    pub medical: Money,
    /// Tuition.
    pub tuition: Money,
}

/// The household's assets, as the conditions test reads them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Assets {
    /// Savings and other financial assets.
    pub savings: Money,
    /// Number of motor vehicles.
    pub vehicles: u32,
}

/// A household as the rules see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// Registry id (or a line number for a file), for reports.
    pub id: i64,
    /// Dibao or tekun.
    pub category: Category,
    /// Township code (9 digits).
    pub township: String,
    /// Tekun support mode.
    pub support_mode: SupportMode,
    /// Members.
    pub members: Vec<Member>,
    /// Monthly figures, sorted by month, at most one per month.
    pub months: Vec<MonthFigures>,
    /// Assets.
    pub assets: Assets,
}

impl Snapshot {
    /// The figures of a month, if any were recorded.
    pub fn figures(&self, m: Month) -> Option<&MonthFigures> {
        self.months
            .binary_search_by(|f| f.month.cmp(&m))
            .ok()
            .map(|i| &self.months[i])
    }

    /// Builds a snapshot from a registry record.
    pub fn from_record(r: &HouseholdRecord) -> Snapshot {
        let mut months: Vec<MonthFigures> = Vec::new();
        let mut add = |m: Month, f: &dyn Fn(&mut MonthFigures)| {
            let i = match months.binary_search_by(|x| x.month.cmp(&m)) {
                Ok(i) => i,
                Err(i) => {
                    months.insert(
                        i,
                        MonthFigures {
                            month: m,
                            income: Money::ZERO,
                            medical: Money::ZERO,
                            tuition: Money::ZERO,
                        },
                    );
                    i
                }
            };
            f(&mut months[i]);
        };
        // Sums are held at i64::MAX rather than wrapped into a negative amount.
        for i in &r.incomes {
            add(i.month, &|f| f.income = f.income.saturating_add(i.amount));
        }
        for e in &r.expenses {
            match e.kind {
                ExpenseKind::Medical => {
                    add(e.month, &|f| f.medical = f.medical.saturating_add(e.amount));
                }
                ExpenseKind::Tuition => {
                    add(e.month, &|f| f.tuition = f.tuition.saturating_add(e.amount));
                }
            }
        }
        let savings = r
            .assets
            .iter()
            .filter(|a| a.kind == AssetKind::Savings)
            .fold(Money::ZERO, |sum, a| sum.saturating_add(a.value));
        let vehicles = r
            .assets
            .iter()
            .filter(|a| a.kind == AssetKind::Vehicle)
            .count() as u32;
        Snapshot {
            id: r.household.id.0,
            category: r.household.fields.category,
            township: r.household.fields.township.to_string(),
            support_mode: SupportMode::Dispersed,
            members: r
                .members
                .iter()
                .map(|p| Member {
                    birth: p.fields.birth_date(),
                    disability: p.fields.disability,
                    serious_illness: p.fields.serious_illness,
                    school_stage: p.fields.school_stage,
                    studying_until: None,
                    self_care: p.fields.self_care,
                    boarding: p.fields.boarding,
                })
                .collect(),
            months,
            assets: Assets { savings, vehicles },
        }
    }
}

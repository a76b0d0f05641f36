//! Housing assistance (2.6): public rental housing (公租房实物配租) or a rent subsidy (租赁补贴)
//! for dibao and tekun households, with the priority the policy gives them. This module holds
//! the vocabulary of applications, which households are owed priority and why, and the one
//! rule that orders applications ([`priority_order`]); storage and pages are elsewhere.

use std::cmp::Ordering;

use chrono::NaiveDate;

use crate::household::{Category, Housing};
use crate::vocabulary;

vocabulary! {
    /// What a household applies for (2.6).
    HousingKind, "保障方式" {
        /// A public rental flat allotted (实物配租).
        PublicRental = ("public_rental", "公租房实物配租"),
        /// A monthly rent subsidy (租赁补贴).
        RentSubsidy = ("rent_subsidy", "租赁补贴"),
    }
}

vocabulary! {
    /// Where a housing application stands.
    HousingState, "申请状态" {
        /// Filed, waiting for a decision: the household's one open application.
        Filed = ("filed", "待审核"),
        /// A public rental flat was allotted.
        Allocated = ("allocated", "已配租"),
        /// A rent subsidy was granted for some months.
        Subsidised = ("subsidised", "已发放租赁补贴"),
        /// Refused, with the reason.
        Refused = ("refused", "不予保障"),
        /// Withdrawn by the household.
        Withdrawn = ("withdrawn", "已撤回"),
    }
}

impl HousingState {
    /// Whether the application still waits for a decision.
    pub fn is_open(self) -> bool {
        self == HousingState::Filed
    }
}

/// Whether a housing situation is not secure: the household rents privately, borrows a home,
/// lives in a dangerous house or has no home (2.6). Its own home and a public rental flat are
/// secure.
pub fn insecure(housing: Housing) -> bool {
    matches!(
        housing,
        Housing::RentedPrivate | Housing::Borrowed | Housing::Unsafe | Housing::Homeless
    )
}

/// Why a household of `category` living in `housing` is owed priority for public rental
/// housing or a rent subsidy (2.6), in words; `None` when its housing is secure. Every household
/// on the registry is dibao or tekun, so every one whose housing is not secure is owed it.
pub fn priority_reason(category: Category, housing: Housing) -> Option<String> {
    if !insecure(housing) {
        return None;
    }
    Some(format!(
        "{}家庭，住房情况为「{}」，住房无保障：属公租房实物配租或租赁补贴的优先保障对象（依据 2.6）",
        category.label(),
        housing.label()
    ))
}

/// The priority rule in words, as the housing page shows it (2.6).
pub const PRIORITY_RULE: &str = "优先顺序（依据 2.6）：特困家庭先于低保家庭；同一类别中，无房先于危房，危房先于借住，借住先于租住私房；\
     情况相同的，按申请日期先后，先申请的在前。";

/// How pressing a housing situation is, most pressing first: no home, a dangerous house,
/// borrowed, rented privately, then the secure ones.
fn housing_rank(housing: Housing) -> u8 {
    match housing {
        Housing::Homeless => 0,
        Housing::Unsafe => 1,
        Housing::Borrowed => 2,
        Housing::RentedPrivate => 3,
        Housing::PublicRental => 4,
        Housing::Owned => 5,
    }
}

/// What the priority rule reads of an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriorityFacts {
    /// The household's category when it filed.
    pub category: Category,
    /// Its housing situation when it filed.
    pub housing: Housing,
    /// The day it filed.
    pub filed_on: NaiveDate,
    /// The application's id: the last tie-break, so the order is total and stable.
    pub id: i64,
}

/// The one priority rule of 2.6 ([`PRIORITY_RULE`]): tekun households before dibao households,
/// then no home before a dangerous house before a borrowed one before a privately rented one,
/// then the earliest filing first.
pub fn priority_order(a: &PriorityFacts, b: &PriorityFacts) -> Ordering {
    let category = |c: Category| match c {
        Category::Tekun => 0u8,
        Category::Dibao => 1,
    };
    (
        category(a.category),
        housing_rank(a.housing),
        a.filed_on,
        a.id,
    )
        .cmp(&(
            category(b.category),
            housing_rank(b.housing),
            b.filed_on,
            b.id,
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(category: Category, housing: Housing, day: u32, id: i64) -> PriorityFacts {
        PriorityFacts {
            category,
            housing,
            filed_on: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            id,
        }
    }

    #[test]
    fn priority_puts_tekun_first_then_no_home_then_the_earliest_filing_2_6() {
        let mut list = [
            facts(Category::Dibao, Housing::RentedPrivate, 1, 1),
            facts(Category::Dibao, Housing::Homeless, 9, 2),
            facts(Category::Tekun, Housing::RentedPrivate, 20, 3),
            facts(Category::Dibao, Housing::Homeless, 3, 4),
            facts(Category::Dibao, Housing::Unsafe, 1, 5),
            facts(Category::Tekun, Housing::Homeless, 30, 6),
        ];
        list.sort_by(priority_order);
        let ids: Vec<i64> = list.iter().map(|f| f.id).collect();
        assert_eq!(ids, [6, 3, 4, 2, 5, 1]);
    }

    #[test]
    fn priority_breaks_a_tie_on_the_same_day_by_the_earlier_application() {
        let a = facts(Category::Dibao, Housing::Borrowed, 5, 7);
        let b = facts(Category::Dibao, Housing::Borrowed, 5, 8);
        assert_eq!(priority_order(&a, &b), Ordering::Less);
        assert_eq!(priority_order(&b, &a), Ordering::Greater);
    }

    #[test]
    fn only_households_without_secure_housing_are_owed_priority_2_6() {
        for h in Housing::ALL {
            let owed = priority_reason(Category::Dibao, *h).is_some();
            assert_eq!(
                owed,
                !matches!(h, Housing::Owned | Housing::PublicRental),
                "{h:?}"
            );
        }
        let why = priority_reason(Category::Tekun, Housing::Unsafe).unwrap();
        assert!(why.contains("城市特困") && why.contains("危房") && why.contains("2.6"));
    }
}

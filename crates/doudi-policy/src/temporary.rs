//! Temporary assistance (临时救助): the emergency type (急难型, 2.8.a) and the expenditure type
//! (支出型, 2.8.b), the conditions of 2.8.c (per-capita disposable income strictly below the
//! county's previous-year figure; at most one grant per person per calendar year while
//! `temporary.once_per_year` holds), and the tiered amounts with the 一事一议 override of 2.8.d.
//!
//! A tier's amount is its multiple × the monthly urban dibao standard, rounded by the named rule
//! `temporary.rounding`. An override needs a recorded collective decision (its reference must
//! not be blank) and may not exceed `temporary.case_ceiling` × the standard.
//!
//! **Choice:** an override amount above the ceiling is refused with the ceiling in the reason,
//! never silently cut, because the amount is what the collective decided and only the collective
//! can change it; likewise an override below the tier amount is refused, since 2.8.d lets a
//! case-by-case decision raise (适当提高) the standard, not lower it. The caseworker corrects the
//! decision, or drops the override to grant the tier amount.
//!
//! The assets and consumption conditions of 2.8.c follow the dibao conditions rules
//! (云阳府办发〔2017〕87号) and are checked with those, not here.

use chrono::{Datelike, NaiveDate};
use doudi_core::Money;

use crate::explain::{Explanation, Trace};
use crate::params::Ratio;
use crate::{P, Resolved};

/// The type of temporary assistance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// 急难型 (2.8.a): fire, traffic accident, sudden grave illness, other sudden hardship.
    Emergency,
    /// 支出型 (2.8.b): schooling or medical costs beyond what the household can bear.
    Expenditure,
}

impl Kind {
    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Emergency => "急难型",
            Kind::Expenditure => "支出型",
        }
    }

    /// The clause of the type.
    pub fn clause(self) -> &'static str {
        match self {
            Kind::Emergency => "2.8.a",
            Kind::Expenditure => "2.8.b",
        }
    }
}

/// A tier of the tiered standard (分档), 1 to 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// 一档.
    One,
    /// 二档.
    Two,
    /// 三档.
    Three,
}

impl Tier {
    /// The tier numbered 1, 2 or 3.
    pub fn from_number(n: u8) -> Option<Tier> {
        match n {
            1 => Some(Tier::One),
            2 => Some(Tier::Two),
            3 => Some(Tier::Three),
            _ => None,
        }
    }

    /// Its number, 1 to 3.
    pub fn number(self) -> u8 {
        match self {
            Tier::One => 1,
            Tier::Two => 2,
            Tier::Three => 3,
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Tier::One => "一档",
            Tier::Two => "二档",
            Tier::Three => "三档",
        }
    }
}

/// A 一事一议 collective decision raising the amount for a grave case (2.8.d).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseDecision {
    /// The amount the collective decided.
    pub amount: Money,
    /// The reference of the recorded collective decision (会议纪要或决定文号); required.
    pub reference: String,
    /// The day it was decided.
    pub decided_on: NaiveDate,
    /// Why the case is grave, in words (may be empty).
    pub reason: String,
}

/// An application for temporary assistance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    /// Emergency or expenditure type.
    pub kind: Kind,
    /// The tier the township assessed.
    pub tier: Tier,
    /// The household's annual per-capita disposable income (元/人·年).
    pub per_capita_income: Money,
    /// Days of earlier temporary-assistance grants to this person; only those in the
    /// application's calendar year count.
    pub previous_grants: Vec<NaiveDate>,
    /// A 一事一议 decision, if the case was discussed.
    pub case_decision: Option<CaseDecision>,
}

/// Why an application is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// Per-capita disposable income is not below the county's previous-year figure.
    IncomeNotBelowPriorYear,
    /// The person was already granted temporary assistance this calendar year.
    AlreadyGrantedThisYear,
    /// A 一事一议 amount without a recorded collective decision.
    CaseDecisionWithoutReference,
    /// A 一事一议 amount above the ceiling.
    CaseAmountAboveCeiling,
    /// A 一事一议 amount below the tier amount it should raise.
    CaseAmountBelowTier,
}

impl Refusal {
    /// The reason in Chinese.
    pub fn label(self) -> &'static str {
        match self {
            Refusal::IncomeNotBelowPriorYear => {
                "家庭人均可支配收入不低于上年度全县居民人均可支配收入"
            }
            Refusal::AlreadyGrantedThisYear => "本年度已获临时救助，同一人每年限救助一次",
            Refusal::CaseDecisionWithoutReference => {
                "“一事一议”提高标准须有集体研究决定记录（文号），未填写"
            }
            Refusal::CaseAmountAboveCeiling => "“一事一议”金额超过上限，须由集体重新研究确定",
            Refusal::CaseAmountBelowTier => "“一事一议”金额低于分档标准，“一事一议”只能提高标准",
        }
    }
}

/// What a temporary-assistance computation decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TemporaryDecision {
    /// Whether assistance is granted.
    pub granted: bool,
    /// Why not, when it is not.
    pub refusal: Option<Refusal>,
    /// The tier's amount: multiple × standard, rounded.
    pub tier_amount: Money,
    /// The 一事一议 ceiling: `temporary.case_ceiling` × standard, rounded.
    pub ceiling: Money,
    /// What is paid, once (0 when refused).
    pub amount: Money,
    /// Whether the amount was set by a 一事一议 decision.
    pub case_by_case: bool,
}

/// A multiple of the standard as people write it: `12倍`, `2.5倍`.
fn times(r: Ratio) -> String {
    let (whole, frac) = (r.0 / 10_000, r.0 % 10_000);
    if frac == 0 {
        format!("{whole}倍")
    } else {
        format!("{whole}.{}倍", format!("{frac:04}").trim_end_matches('0'))
    }
}

fn tier_multiple(kind: Kind, tier: Tier, r: &Resolved) -> (P, Ratio) {
    match (kind, tier) {
        (Kind::Emergency, Tier::One) => (P::temporary_emergency_tier1, r.temporary_emergency_tier1),
        (Kind::Emergency, Tier::Two) => (P::temporary_emergency_tier2, r.temporary_emergency_tier2),
        (Kind::Emergency, Tier::Three) => {
            (P::temporary_emergency_tier3, r.temporary_emergency_tier3)
        }
        (Kind::Expenditure, Tier::One) => (
            P::temporary_expenditure_tier1,
            r.temporary_expenditure_tier1,
        ),
        (Kind::Expenditure, Tier::Two) => (
            P::temporary_expenditure_tier2,
            r.temporary_expenditure_tier2,
        ),
        (Kind::Expenditure, Tier::Three) => (
            P::temporary_expenditure_tier3,
            r.temporary_expenditure_tier3,
        ),
    }
}

/// Decides an application made in month `r.month` (2.8.a–d): the conditions of 2.8.c, then the
/// tier amount, or the 一事一议 amount when a valid collective decision raised it.
pub fn temporary<T: Trace>(a: &Application, r: &Resolved, t: &mut T) -> TemporaryDecision {
    let standard = r.dibao_standard;
    let (tier_param, multiple) = tier_multiple(a.kind, a.tier, r);
    let tier_amount = multiple.of(standard).round(r.temporary_rounding);
    let ceiling = r
        .temporary_case_ceiling
        .of(standard)
        .round(r.temporary_rounding);
    let refused = |t: &mut T, refusal: Refusal| {
        t.with(|e| e.result = format!("不予救助：{}", refusal.label()).into());
        TemporaryDecision {
            granted: false,
            refusal: Some(refusal),
            tier_amount,
            ceiling,
            amount: Money::ZERO,
            case_by_case: false,
        }
    };

    // 2.8.c: income strictly below the previous-year figure.
    let below = a.per_capita_income < r.temporary_prior_year_income;
    let mut step = t.sub("2.8.c", "收入条件");
    step.with(|e| {
        e.cite(P::temporary_prior_year_income);
        e.fact("家庭人均可支配收入（元/人·年）", a.per_capita_income);
        e.calc(format!(
            "比较：{} {} {}",
            a.per_capita_income,
            if below { "<" } else { "≥" },
            r.temporary_prior_year_income
        ));
        e.result = if below {
            "低于上年度全县居民人均可支配收入，符合".into()
        } else {
            "不低于上年度全县居民人均可支配收入，不符合".into()
        };
    });
    t.attach(step);
    if !below {
        return refused(t, Refusal::IncomeNotBelowPriorYear);
    }

    // 2.8.c: once per person per calendar year.
    let year = r.month.year();
    let earlier = a
        .previous_grants
        .iter()
        .filter(|d| d.year() == year)
        .count();
    let again = r.temporary_once_per_year && earlier > 0;
    let mut step = t.sub("2.8.c", "救助次数");
    step.with(|e| {
        e.cite(P::temporary_once_per_year);
        let days: Vec<String> = a
            .previous_grants
            .iter()
            .filter(|d| d.year() == year)
            .map(ToString::to_string)
            .collect();
        e.fact(
            "当年已获临时救助",
            if days.is_empty() {
                format!("{year}年：无")
            } else {
                format!("{year}年：{}次（{}）", days.len(), days.join("、"))
            },
        );
        e.result = match (again, r.temporary_once_per_year) {
            (true, _) => "本年度已救助过，不符合".into(),
            (false, true) => "本年度首次申请，符合".into(),
            (false, false) => "不限次数，符合".into(),
        };
    });
    t.attach(step);
    if again {
        return refused(t, Refusal::AlreadyGrantedThisYear);
    }

    // 2.8.d: the tiered standard.
    let mut step = t.sub("2.8.d", "分档救助标准");
    step.with(|e| {
        e.cite(P::dibao_standard);
        e.cite(tier_param);
        e.cite(P::temporary_rounding);
        e.fact(
            "救助类型",
            format!("{}（依据 {}）", a.kind.label(), a.kind.clause()),
        );
        e.fact("救助档次", a.tier.label());
        // The exact product and the named rounding, never "≈ a truncated value → another".
        let exact = multiple.of(standard);
        e.calc(format!(
            "{standard} × {} = {exact}，按{}为 {tier_amount}",
            times(multiple),
            r.temporary_rounding.label()
        ));
        e.result = format!("{tier_amount}").into();
    });
    t.attach(step);

    let Some(case) = &a.case_decision else {
        t.with(|e| {
            e.result = format!(
                "予以救助，按{}{}一次性发放 {tier_amount}",
                a.kind.label(),
                a.tier.label()
            )
            .into()
        });
        return TemporaryDecision {
            granted: true,
            refusal: None,
            tier_amount,
            ceiling,
            amount: tier_amount,
            case_by_case: false,
        };
    };

    // 2.8.d: 一事一议.
    let has_reference = !case.reference.trim().is_empty();
    let refusal = if !has_reference {
        Some(Refusal::CaseDecisionWithoutReference)
    } else if case.amount > ceiling {
        Some(Refusal::CaseAmountAboveCeiling)
    } else if case.amount < tier_amount {
        Some(Refusal::CaseAmountBelowTier)
    } else {
        None
    };
    let mut step = t.sub("2.8.d", "“一事一议”提高标准");
    step.with(|e| {
        e.cite(P::temporary_case_ceiling);
        e.cite(P::temporary_rounding);
        e.fact(
            "集体研究决定",
            if has_reference {
                case.reference.trim().to_owned()
            } else {
                "未填写".into()
            },
        );
        e.fact("决定日期", case.decided_on);
        if !case.reason.trim().is_empty() {
            e.fact("理由", case.reason.trim().to_owned());
        }
        e.fact("议定金额", case.amount);
        e.calc(format!(
            "上限 = {standard} × {} → {ceiling}（{}）",
            times(r.temporary_case_ceiling),
            r.temporary_rounding.label()
        ));
        if has_reference {
            e.calc(format!(
                "比较：分档标准 {tier_amount} {} 议定金额 {} {} 上限 {ceiling}",
                if case.amount < tier_amount {
                    ">"
                } else {
                    "≤"
                },
                case.amount,
                if case.amount > ceiling { ">" } else { "≤" }
            ));
        }
        e.result = match refusal {
            None => format!("按集体研究决定发放 {}", case.amount).into(),
            Some(Refusal::CaseAmountAboveCeiling) => format!(
                "议定金额 {} 超过上限 {ceiling}，不予发放（不自动削减），请集体重新研究",
                case.amount
            )
            .into(),
            Some(Refusal::CaseAmountBelowTier) => format!(
                "议定金额 {} 低于分档标准 {tier_amount}，请撤回“一事一议”或重新研究",
                case.amount
            )
            .into(),
            Some(other) => other.label().into(),
        };
    });
    t.attach(step);
    if let Some(refusal) = refusal {
        return refused(t, refusal);
    }
    t.with(|e| e.result = format!("予以救助，经“一事一议”一次性发放 {}", case.amount).into());
    TemporaryDecision {
        granted: true,
        refusal: None,
        tier_amount,
        ceiling,
        amount: case.amount,
        case_by_case: true,
    }
}

/// The explained decision on an application made in month `r.month`.
pub fn explain(a: &Application, r: &Resolved) -> (TemporaryDecision, Explanation) {
    let mut e = Explanation::root(
        a.kind.clause(),
        format!("{}临时救助（申请月 {}）", a.kind.label(), r.month),
        r,
    );
    let d = temporary(a, r, &mut e);
    (d, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiples_read_as_times_the_standard() {
        assert_eq!(times(Ratio(120_000)), "12倍");
        assert_eq!(times(Ratio(25_000)), "2.5倍");
        assert_eq!(times(Ratio(13_050)), "1.305倍");
    }

    #[test]
    fn tiers_are_numbered_one_to_three() {
        assert_eq!(Tier::from_number(0), None);
        assert_eq!(Tier::from_number(4), None);
        for n in 1..=3 {
            assert_eq!(Tier::from_number(n).map(Tier::number), Some(n));
        }
    }
}

//! Urban dibao (城市低保): the gap top-up with classified extras (2.1.a) and the
//! expenditure-type test (2.1.b).
//!
//! Arithmetic is exact: eligibility compares integers (income over the window against standard
//! × size × months, no division), and the one division, the monthly average of the gap, is
//! rounded by the named rule `dibao.payment_rounding`.

use chrono::NaiveDate;
use doudi_core::{Money, SchoolStage, age_on};

use crate::explain::{Arg, Explanation, Trace};
use crate::params::Fraction;
use crate::snapshot::{Member, Snapshot};
use crate::text;
use crate::{P, Resolved};

/// What a dibao computation decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DibaoDecision {
    /// Whether the household qualifies.
    pub eligible: bool,
    /// Why not, when it does not.
    pub refusal: Option<Refusal>,
    /// Members counted.
    pub size: u32,
    /// Income counted over the window (net of medical costs and tuition for 2.1.b).
    pub counted_income: Money,
    /// The gap top-up (差额救助), per month.
    pub base: Money,
    /// Classified extras (分类重点救助), per month.
    pub extras: Money,
    /// What is paid per month: base plus extras.
    pub total: Money,
}

/// Why a household does not qualify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Per-capita income is not below the standard.
    IncomeNotBelowStandard,
    /// Savings per person above the limit.
    SavingsAboveLimit,
    /// Owns a motor vehicle.
    OwnsVehicle,
    /// No members.
    NoMembers,
}

impl Refusal {
    /// The reason in Chinese.
    pub fn label(self) -> &'static str {
        match self {
            Refusal::IncomeNotBelowStandard => "家庭月人均收入不低于城市低保标准",
            Refusal::SavingsAboveLimit => "家庭人均存款超过规定限额",
            Refusal::OwnsVehicle => "家庭拥有机动车",
            Refusal::NoMembers => "家庭没有成员",
        }
    }
}

/// The classified extra one member is owed in month `r.month`, with the groups that apply.
#[inline(always)]
fn member_extra(
    m: &Member,
    day: NaiveDate,
    r: &Resolved,
) -> (Money, [Option<(&'static str, Money)>; 6]) {
    let age = i64::from(age_on(m.birth, day));
    let stage = m.stage_on(day);
    let groups = [
        m.disability
            .filter(|d| d.grade.is_severe())
            .map(|_| ("重度残疾", r.dibao_extra_severe_disability)),
        m.serious_illness
            .then_some(("重病", r.dibao_extra_serious_illness)),
        (age >= r.dibao_extra_aged_from).then_some(("高龄", r.dibao_extra_aged)),
        (age < r.dibao_school_age && matches!(stage, None | Some(SchoolStage::Preschool)))
            .then_some(("学龄前儿童", r.dibao_extra_preschool)),
        matches!(stage, Some(s) if s != SchoolStage::Preschool)
            .then_some(("在校学生", r.dibao_extra_student)),
        m.disability.map(|_| ("残疾人另增", r.dibao_extra_disabled)),
    ];
    let five = groups[..5].iter().flatten().map(|(_, a)| *a);
    let main = if r.dibao_extras_stack {
        five.sum()
    } else {
        five.max().unwrap_or(Money::ZERO)
    };
    let additional = groups[5].map_or(Money::ZERO, |(_, a)| a);
    (main + additional, groups)
}

/// 2.1.a: the monthly dibao for month `r.month`: per-capita income over the window before the
/// month against the standard, the gap top-up, and the classified extras per key member.
pub fn dibao<T: Trace>(h: &Snapshot, r: &Resolved, t: &mut T) -> DibaoDecision {
    compute(h, r, t, false)
}

/// 2.1.b: the expenditure-type test for an application in month `r.month`: over the 6 months
/// before the application, total income minus self-paid medical costs and tuition, per capita
/// per month, against the standard; qualifying households are paid like 2.1.a on that net
/// income.
pub fn expenditure_dibao<T: Trace>(h: &Snapshot, r: &Resolved, t: &mut T) -> DibaoDecision {
    compute(h, r, t, true)
}

fn compute<T: Trace>(h: &Snapshot, r: &Resolved, t: &mut T, expenditure: bool) -> DibaoDecision {
    let clause = if expenditure { "2.1.b" } else { "2.1.a" };
    let size = h.members.len() as u32;
    let months = r.dibao_income_window_months;
    let standard = r.dibao_standard;

    // Income over the window.
    let mut income = Money::ZERO;
    let mut deductions = Money::ZERO;
    // The months are sorted: find the window's first month once, then walk to the month.
    let first = r.month.minus(months as u32);
    let start = h.months.partition_point(|f| f.month < first);
    let mut recorded = 0;
    for f in h.months[start..].iter().take_while(|f| f.month < r.month) {
        income += f.income;
        if expenditure {
            deductions += f.medical + f.tuition;
        }
        recorded += 1;
    }
    let missing = months - recorded;
    // Expenses beyond income leave nothing to count, never a negative income.
    let counted = if expenditure {
        (income - deductions).max(Money::ZERO)
    } else {
        income
    };
    let mut step = t.sub(
        clause,
        if expenditure {
            "家庭收入（扣减治疗自负费用和学费）"
        } else {
            "家庭收入"
        },
    );
    step.with(|e| {
        e.cite(P::dibao_income_window_months);
        let first = r.month.minus(months as u32);
        let last = r.month.minus(1);
        e.fact(
            "计算期间",
            text!("{} 至 {}（共{}个月）", first, last, months),
        );
        e.fact("期间家庭总收入", income);
        if missing > 0 {
            e.fact("无收入记录的月份", text!("{}个月，按0元计", missing));
        }
        if expenditure {
            e.fact("期间治疗自负费用和学费", deductions);
            if deductions > income {
                e.calc(text!("{} − {} < 0，按0元计", income, deductions));
            } else {
                e.calc(text!("{} − {} = {}", income, deductions, counted));
            }
        }
        e.result = text!("计入收入 {}", counted);
    });
    t.attach(step);

    if size == 0 {
        return refuse(t, Refusal::NoMembers, 0, counted);
    }

    // Eligibility: counted / months / size < standard, compared without dividing.
    let limit = Money::from_fen(standard.fen() * i64::from(size) * months);
    let below = counted < limit;
    let mut step = t.sub(clause, "收入条件");
    step.with(|e| {
        e.cite(P::dibao_standard);
        e.fact("家庭人数", text!("{}人", size));
        let per_capita = Fraction::new(counted.fen(), months * i64::from(size));
        let shown = per_capita.round(crate::params::Rounding::FenHalfUp);
        let sign = if per_capita.is_exact() { "=" } else { "≈" };
        e.calc(text!(
            "月人均收入 = {} ÷ {}个月 ÷ {}人 {} {}",
            counted,
            months,
            size,
            sign,
            shown
        ));
        e.calc(text!(
            "比较：{} {} {} × {}人 × {}个月 = {}",
            counted,
            if below { "<" } else { "≥" },
            standard,
            size,
            months,
            limit
        ));
        e.result = if below {
            "低于低保标准，符合".into()
        } else {
            "不低于低保标准，不符合".into()
        };
    });
    t.attach(step);
    if !below {
        return refuse(t, Refusal::IncomeNotBelowStandard, size, counted);
    }

    // Assets.
    let savings_limit =
        Money::from_fen(r.derived.dibao_savings_limit_per_person.fen() * i64::from(size));
    let savings_ok = h.assets.savings <= savings_limit;
    let vehicle_ok = r.dibao_vehicles_allowed || h.assets.vehicles == 0;
    let mut step = t.sub("2.1.b", "家庭财产条件");
    step.with(|e| {
        e.cite(P::dibao_savings_limit);
        e.cite(P::dibao_vehicles_allowed);
        e.fact("家庭存款", h.assets.savings);
        e.fact("机动车", text!("{}辆", h.assets.vehicles));
        e.calc(text!(
            "存款上限 = {} × {} × {}人 = {}",
            standard,
            r.dibao_savings_limit,
            size,
            savings_limit
        ));
        e.result = match (savings_ok, vehicle_ok) {
            (true, true) => "符合".into(),
            (false, _) => "存款超过上限，不符合".into(),
            (true, false) => "拥有机动车，不符合".into(),
        };
    });
    t.attach(step);
    if !savings_ok {
        return refuse(t, Refusal::SavingsAboveLimit, size, counted);
    }
    if !vehicle_ok {
        return refuse(t, Refusal::OwnsVehicle, size, counted);
    }

    // The gap top-up.
    let gap_total = limit - counted;
    let exact = Fraction::new(gap_total.fen(), months);
    let mut base = exact.round(r.dibao_payment_rounding);
    let raised = base < r.dibao_minimum_payment;
    if raised {
        base = r.dibao_minimum_payment;
    }
    let mut step = t.sub("2.1.a", "差额救助金");
    step.with(|e| {
        e.cite(P::dibao_payment_rounding);
        e.cite(P::dibao_minimum_payment);
        e.calc(text!(
            "({} × {}人 × {}个月 − {}) ÷ {}个月 = {} ÷ {}",
            standard,
            size,
            months,
            counted,
            months,
            gap_total,
            months
        ));
        e.calc(text!(
            "{}{} = {}（{}）",
            if exact.is_exact() { "" } else { "≈" },
            exact.round(crate::params::Rounding::FenDown),
            base,
            r.dibao_payment_rounding.label()
        ));
        if raised {
            e.calc(text!("低于最低发放额，按 {} 发放", r.dibao_minimum_payment));
        }
        e.result = text!("{}/月", base);
    });
    t.attach(step);

    // Classified extras.
    let day = r.derived.dibao_reference_day;
    let mut extras = Money::ZERO;
    let mut step = t.sub("2.1.a", "分类重点救助");
    for (i, m) in h.members.iter().enumerate() {
        let (amount, groups) = member_extra(m, day, r);
        extras += amount;
        if T::ON && amount > Money::ZERO {
            step.with(|e| {
                let named = groups.iter().flatten().copied().collect();
                e.calc(text!(
                    "第{}位成员：{} → {}",
                    i + 1,
                    Arg::Items(named),
                    amount
                ));
            });
        }
    }
    step.with(|e| {
        e.cite_all(&[
            P::dibao_extra_severe_disability,
            P::dibao_extra_serious_illness,
            P::dibao_extra_aged,
            P::dibao_extra_aged_from,
            P::dibao_extra_preschool,
            P::dibao_extra_student,
            P::dibao_extra_disabled,
            P::dibao_extras_stack,
            P::dibao_age_at_month_end,
        ]);
        e.fact("年龄和就学计算日", day);
        e.result = text!("合计 {}/月", extras);
    });
    t.attach(step);

    let total = base + extras;
    t.with(|e| e.result = text!("符合，每月 {} + {} = {}", base, extras, total));
    DibaoDecision {
        eligible: true,
        refusal: None,
        size,
        counted_income: counted,
        base,
        extras,
        total,
    }
}

fn refuse<T: Trace>(t: &mut T, refusal: Refusal, size: u32, counted: Money) -> DibaoDecision {
    t.with(|e| e.result = text!("不符合：{}", refusal.label()));
    DibaoDecision {
        eligible: false,
        refusal: Some(refusal),
        size,
        counted_income: counted,
        base: Money::ZERO,
        extras: Money::ZERO,
        total: Money::ZERO,
    }
}

/// The explained dibao decision for a household: the decision and its explanation tree.
pub fn explain(h: &Snapshot, r: &Resolved, expenditure: bool) -> (DibaoDecision, Explanation) {
    let mut e = Explanation::root(
        if expenditure { "2.1.b" } else { "2.1.a" },
        if expenditure {
            crate::text!("支出型低保（申请月 {}）", r.month)
        } else {
            crate::text!("城市低保（{}）", r.month)
        },
        r,
    );
    let d = compute(h, r, &mut e, expenditure);
    (d, e)
}

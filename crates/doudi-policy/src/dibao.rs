//! Urban dibao (城市低保): the gap top-up with classified extras (2.1.a) and the
//! expenditure-type test (2.1.b).
//!
//! Arithmetic is exact: eligibility compares integers (income over the window against standard
//! × size × months, no division), and the one division, the monthly average of the gap, is
//! rounded by the named rule `dibao.payment_rounding`.
//!
//! Sums cannot overflow. Sums over the window and the comparisons are done in `i128`: a window
//! is at most [`crate::params::MAX_WINDOW_MONTHS`] months of figures of at most `i64::MAX` fen
//! each (under 2⁷¹), and standard × size × months is at most 10¹¹ × 2³² × 120 (under 2⁷³),
//! far inside `i128`, so no decision can flip on overflow. What is paid is converted back to
//! `i64` fen, held at `i64::MAX` (beyond ¥9×10¹⁶ a month, which no input reaching the rules can
//! come near: the registry and the JSON-lines input cap every amount at ¥10⁹).
//!
//! A member born after the evaluated month is not yet part of the household: not counted in
//! its size and owed no extra (the same in [`crate::tekun`] and [`crate::education`]); a child
//! counts from the month of birth.

use chrono::NaiveDate;
use doudi_core::{Money, Month, SchoolStage, age_on};

use crate::explain::{Arg, Explanation, Text, Trace};
use crate::params::Fraction;
use crate::snapshot::{Member, Snapshot};
use crate::text;
use crate::{P, ParamSet, Resolved};

/// What a dibao computation decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DibaoDecision {
    /// Whether the household qualifies.
    pub eligible: bool,
    /// Why not, when it does not.
    pub refusal: Option<Refusal>,
    /// Members counted (those born by the end of the month).
    pub size: u32,
    /// Income counted over the window (net of medical costs and tuition for 2.1.b).
    pub counted_income: Money,
    /// The gap top-up (差额救助), per month.
    pub base: Money,
    /// Classified extras (分类重点救助), per month.
    pub extras: Money,
    /// What is paid per month: base plus extras.
    pub total: Money,
    /// Months of the income window without any record, counted as no income (see
    /// [`months_without_income`] for which).
    pub missing_months: u32,
    /// The parameters the decision read, as its explanation cites them.
    pub cited: ParamSet,
}

impl DibaoDecision {
    /// Whether an illustrative parameter value went into the decision: the same answer as
    /// the explanation's [`Explanation::uses_illustrative`], without building it.
    pub fn uses_illustrative(&self, r: &Resolved) -> bool {
        self.cited.intersects(r.derived.illustrative)
    }
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

/// The classified extra one member is owed in month `r.month`, with the groups that apply and
/// whether `dibao.school_age` was read (for a member not at school or kindergarten, whose age
/// decides whether they are a preschool child).
#[inline(always)]
fn member_extra(
    m: &Member,
    day: NaiveDate,
    r: &Resolved,
) -> (Money, [Option<(&'static str, Money)>; 6], bool) {
    let age = i64::from(age_on(m.birth, day));
    let stage = m.stage_on(day);
    // A child in kindergarten is a preschool child whatever their age (a six-year-old still
    // in kindergarten included); a child not at school is one while under the school age.
    let preschool = match stage {
        Some(SchoolStage::Preschool) => true,
        None => age < r.dibao_school_age,
        Some(_) => false,
    };
    let groups = [
        m.disability
            .filter(|d| d.grade.is_severe())
            .map(|_| ("重度残疾", r.dibao_extra_severe_disability)),
        m.serious_illness
            .then_some(("重病", r.dibao_extra_serious_illness)),
        (age >= r.dibao_extra_aged_from).then_some(("高龄", r.dibao_extra_aged)),
        preschool.then_some(("学龄前儿童", r.dibao_extra_preschool)),
        matches!(stage, Some(s) if s != SchoolStage::Preschool)
            .then_some(("在校学生", r.dibao_extra_student)),
        m.disability.map(|_| ("残疾人另增", r.dibao_extra_disabled)),
    ];
    let five = groups[..5].iter().flatten().map(|(_, a)| *a);
    // At most five amounts of at most ¥10⁹ each: no overflow.
    let main = if r.dibao_extras_stack {
        five.sum()
    } else {
        five.max().unwrap_or(Money::ZERO)
    };
    let additional = groups[5].map_or(Money::ZERO, |(_, a)| a);
    (main + additional, groups, stage.is_none())
}

/// Why a member fits none of the groups, for the explanation: a family sees why a member is
/// owed no extra.
fn no_extra_line(i: usize, m: &Member, day: NaiveDate, r: &Resolved) -> Text {
    let age = age_on(m.birth, day);
    let school = match (m.school_stage, m.studying_until) {
        (Some(_), Some(until)) if until < day => {
            Arg::Text(format!("已满{}岁且已于{until}离校", r.dibao_school_age))
        }
        _ => Arg::Text(format!("已满{}岁且不在校（园）", r.dibao_school_age)),
    };
    text!(
        "第{}位成员（{}岁）：无残疾、非重病、未满{}岁、{} → 不属于分类重点救助对象，{}",
        i + 1,
        age,
        r.dibao_extra_aged_from,
        school,
        Money::ZERO
    )
}

/// 2.1.a: the monthly dibao for month `r.month`: per-capita income over the window before the
/// month against the standard, the gap top-up, and the classified extras per key member.
pub fn dibao<T: Trace>(h: &Snapshot, r: &Resolved, t: &mut T) -> DibaoDecision {
    compute(h, r, t, false)
}

/// 2.1.b: the expenditure-type test for an application in month `r.month`: over the months
/// before the application (`dibao.expenditure_window_months`, 6 in 22号), total income minus
/// self-paid medical costs and tuition, per capita per month, against the standard;
/// qualifying households are paid like 2.1.a on that net income.
pub fn expenditure_dibao<T: Trace>(h: &Snapshot, r: &Resolved, t: &mut T) -> DibaoDecision {
    compute(h, r, t, true)
}

/// The income window of a case type: 2.1.b's own window for expenditure-type applications,
/// the ordinary one (2.1.a) otherwise, with the parameter that sets it. The parameter file
/// keeps a window within 1 to [`crate::params::MAX_WINDOW_MONTHS`] months.
fn window(r: &Resolved, expenditure: bool) -> (P, i64) {
    if expenditure {
        (
            P::dibao_expenditure_window_months,
            r.dibao_expenditure_window_months,
        )
    } else {
        (P::dibao_income_window_months, r.dibao_income_window_months)
    }
}

/// The months of the income window (2.1.a, or 2.1.b when `expenditure`) before `r.month` that
/// have no income record and so count as no income, oldest first.
pub fn months_without_income(h: &Snapshot, r: &Resolved, expenditure: bool) -> Vec<Month> {
    let (_, months) = window(r, expenditure);
    let months = u32::try_from(months).unwrap_or(0);
    (1..=months)
        .rev()
        .map(|k| r.month.minus(k))
        .filter(|m| h.figures(*m).is_none())
        .collect()
}

fn compute<T: Trace>(h: &Snapshot, r: &Resolved, t: &mut T, expenditure: bool) -> DibaoDecision {
    let clause = if expenditure { "2.1.b" } else { "2.1.a" };
    let mut cited = ParamSet::EMPTY;
    // Members born after the month are not yet part of the household.
    let last_day = r.derived.month_last_day;
    let born = h.members.iter().filter(|m| m.birth <= last_day).count();
    let size = u32::try_from(born).unwrap_or(u32::MAX);
    let (window_param, months) = window(r, expenditure);
    let standard = r.dibao_standard;

    // Income over the window, in i128 (see the module's note on overflow).
    let mut income: i128 = 0;
    let mut deductions: i128 = 0;
    // The months are sorted: find the window's first month once, then walk to the month.
    let first = if expenditure {
        r.derived.window_first.1
    } else {
        r.derived.window_first.0
    };
    let start = h.months.partition_point(|f| f.month < first);
    let mut recorded = 0;
    for f in h.months[start..].iter().take_while(|f| f.month < r.month) {
        income += i128::from(f.income.fen());
        if expenditure {
            deductions += i128::from(f.medical.fen()) + i128::from(f.tuition.fen());
        }
        recorded += 1;
    }
    let missing = u32::try_from(months - recorded).unwrap_or(0);
    // Expenses beyond income leave nothing to count, never a negative income.
    let counted = if expenditure {
        (income - deductions).max(0)
    } else {
        income
    };
    let counted_money = Money::from_fen_saturating(counted);
    let mut step = t.sub(
        clause,
        if expenditure {
            "家庭收入（申请前，扣减治疗自负费用和学费）"
        } else {
            "家庭收入"
        },
    );
    step.cite_params(&mut cited, &[window_param]);
    step.with(|e| {
        let last = r.month.minus(1);
        e.fact(
            "计算期间",
            text!("{} 至 {}（共{}个月）", first, last, months),
        );
        e.fact("期间家庭总收入", Money::from_fen_saturating(income));
        if missing > 0 {
            let list: Vec<String> = months_without_income(h, r, expenditure)
                .iter()
                .map(ToString::to_string)
                .collect();
            e.fact(
                "无收入记录的月份",
                text!(
                    "{}（共{}个月），没有收入记录，按0元计入",
                    list.join("、"),
                    missing
                ),
            );
        }
        if expenditure {
            let deducted = Money::from_fen_saturating(deductions);
            e.fact("期间治疗自负费用和学费", deducted);
            if deductions > income {
                e.calc(text!(
                    "{} − {} < 0，按0元计",
                    Money::from_fen_saturating(income),
                    deducted
                ));
            } else {
                e.calc(text!(
                    "{} − {} = {}",
                    Money::from_fen_saturating(income),
                    deducted,
                    counted_money
                ));
            }
        }
        e.result = text!("计入收入 {}", counted_money);
    });
    t.attach(step);

    let decision = |eligible, refusal, base, extras, cited| DibaoDecision {
        eligible,
        refusal,
        size,
        counted_income: counted_money,
        base,
        extras,
        total: base.saturating_add(extras),
        missing_months: missing,
        cited,
    };
    let refuse = |t: &mut T, refusal: Refusal, cited| {
        t.with(|e| e.result = text!("不符合：{}", refusal.label()));
        decision(false, Some(refusal), Money::ZERO, Money::ZERO, cited)
    };

    if size == 0 {
        return refuse(t, Refusal::NoMembers, cited);
    }

    // Eligibility: counted / months / size < standard, compared without dividing.
    let limit = i128::from(standard.fen()) * i128::from(size) * i128::from(months);
    let below = counted < limit;
    let mut step = t.sub(clause, "收入条件");
    step.cite_params(&mut cited, &[P::dibao_standard]);
    step.with(|e| {
        let unborn = h.members.len() - born;
        if unborn > 0 {
            e.fact(
                "家庭人数",
                text!("{}人（另有{}人在本月之后出生，不计入）", size, unborn),
            );
        } else {
            e.fact("家庭人数", text!("{}人", size));
        }
        let per_capita = Fraction {
            numerator: counted,
            denominator: i128::from(months) * i128::from(size),
        };
        e.calc(text!(
            "月人均收入 = {} ÷ {}个月 ÷ {}人 = {}",
            counted_money,
            months,
            size,
            per_capita
        ));
        e.calc(text!(
            "比较：{} {} {} × {}人 × {}个月 = {}",
            counted_money,
            if below { "<" } else { "≥" },
            standard,
            size,
            months,
            Money::from_fen_saturating(limit)
        ));
        e.result = if below {
            "低于低保标准，符合".into()
        } else {
            "不低于低保标准，不符合".into()
        };
    });
    t.attach(step);
    if !below {
        return refuse(t, Refusal::IncomeNotBelowStandard, cited);
    }

    // Assets.
    let savings_limit =
        i128::from(r.derived.dibao_savings_limit_per_person.fen()) * i128::from(size);
    let savings_ok = i128::from(h.assets.savings.fen()) <= savings_limit;
    let vehicle_ok = r.dibao_vehicles_allowed || h.assets.vehicles == 0;
    // 2.1.b names the property test for expenditure-type applications; an ordinary dibao
    // household is held to the same conditions rules (云阳府办发〔2017〕87号) under 2.1.a.
    let mut step = t.sub(clause, "家庭财产条件");
    step.cite_params(
        &mut cited,
        &[P::dibao_savings_limit, P::dibao_vehicles_allowed],
    );
    step.with(|e| {
        e.fact("家庭存款", h.assets.savings);
        e.fact("机动车", text!("{}辆", h.assets.vehicles));
        e.calc(text!(
            "存款上限 = {} × {} × {}人 = {}",
            standard,
            r.dibao_savings_limit,
            size,
            Money::from_fen_saturating(savings_limit)
        ));
        e.result = match (savings_ok, vehicle_ok) {
            (true, true) => "符合".into(),
            (false, _) => "存款超过上限，不符合".into(),
            (true, false) => "拥有机动车，不符合".into(),
        };
    });
    t.attach(step);
    if !savings_ok {
        return refuse(t, Refusal::SavingsAboveLimit, cited);
    }
    if !vehicle_ok {
        return refuse(t, Refusal::OwnsVehicle, cited);
    }

    // The gap top-up: (limit − counted) ÷ months, at most standard × size a month.
    let gap_total = limit - counted;
    let exact = Fraction {
        numerator: gap_total,
        denominator: i128::from(months),
    };
    let mut base = exact
        .try_round(r.dibao_payment_rounding)
        .unwrap_or(Money::from_fen(i64::MAX));
    let raised = base < r.dibao_minimum_payment;
    if raised {
        base = r.dibao_minimum_payment;
    }
    let mut step = t.sub("2.1.a", "差额救助金");
    step.cite_params(
        &mut cited,
        &[P::dibao_payment_rounding, P::dibao_minimum_payment],
    );
    step.with(|e| {
        e.calc(text!(
            "({} × {}人 × {}个月 − {}) ÷ {}个月 = {} ÷ {} = {}",
            standard,
            size,
            months,
            counted_money,
            months,
            Money::from_fen_saturating(gap_total),
            months,
            exact
        ));
        if exact.is_exact() {
            e.calc(text!("无需舍入：{}", base));
        } else {
            e.calc(text!(
                "{} 按{}为 {}",
                exact,
                r.dibao_payment_rounding.label(),
                exact
                    .try_round(r.dibao_payment_rounding)
                    .unwrap_or(Money::from_fen(i64::MAX))
            ));
        }
        if raised {
            e.calc(text!("低于最低发放额，按 {} 发放", r.dibao_minimum_payment));
        }
        e.result = text!("{}/月", base);
    });
    t.attach(step);

    // Classified extras, member by member; at most 2³² members of at most ¥6×10⁹ each, so
    // the sum is kept in i128.
    let day = r.derived.dibao_reference_day;
    let mut extras: i128 = 0;
    let mut reads_school_age = false;
    let mut step = t.sub("2.1.a", "分类重点救助");
    for (i, m) in h.members.iter().enumerate() {
        if m.birth > last_day {
            step.with(|e| {
                e.calc(text!(
                    "第{}位成员：{}出生，晚于本月，不计入家庭人数，不享受分类重点救助",
                    i + 1,
                    m.birth
                ));
            });
            continue;
        }
        let (amount, groups, read_school_age) = member_extra(m, day, r);
        extras += i128::from(amount.fen());
        reads_school_age |= read_school_age;
        if T::ON {
            step.with(|e| {
                if groups.iter().any(Option::is_some) {
                    let named = groups.iter().flatten().copied().collect();
                    e.calc(text!(
                        "第{}位成员：{} → {}",
                        i + 1,
                        Arg::Items(named),
                        amount
                    ));
                } else {
                    e.calc(no_extra_line(i, m, day, r));
                }
            });
        }
    }
    let extras = Money::from_fen_saturating(extras);
    step.cite_params(
        &mut cited,
        &[
            P::dibao_extra_severe_disability,
            P::dibao_extra_serious_illness,
            P::dibao_extra_aged,
            P::dibao_extra_aged_from,
            P::dibao_extra_preschool,
            P::dibao_extra_student,
            P::dibao_extra_disabled,
            P::dibao_extras_stack,
            P::dibao_age_at_month_end,
        ],
    );
    if reads_school_age {
        // A member not at school or kindergarten is a preschool child only under this age.
        step.cite_params(&mut cited, &[P::dibao_school_age]);
    }
    step.with(|e| {
        e.fact("年龄和就学计算日", day);
        e.result = text!("合计 {}/月", extras);
    });
    t.attach(step);

    let d = decision(true, None, base, extras, cited);
    t.with(|e| e.result = text!("符合，每月 {} + {} = {}", base, extras, d.total));
    d
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

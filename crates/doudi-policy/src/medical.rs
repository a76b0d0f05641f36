//! Medical assistance for an inpatient stay (2.4): basic resident insurance, critical-illness
//! insurance and medical assistance, in that order, each on what the previous one left of the
//! in-catalogue cost; and the share of out-of-catalogue costs against the 15% target.
//!
//! 1. Basic insurance (居民医保): (in-catalogue cost − the level's deductible) × the level's
//!    ratio. At a county-level hospital in the county, 2018–2020, these households' ratio is
//!    raised by `medical.county_bonus` points (never above 100%) and the deductible cut by
//!    `medical.county_deductible_cut` (the parameters are zero after 2020).
//! 2. Critical-illness insurance (大病保险): (what basic insurance left of the in-catalogue cost
//!    − what remains of this year's critical-illness deductible, cut by
//!    `medical.critical_deductible_cut` for these households) × `medical.critical_ratio`. The
//!    deductible is yearly, so self-pay already counted against it this year is carried in.
//!    The clause states this cut apart from the county-hospital adjustment (after a semicolon),
//!    so it applies at any hospital.
//! 3. Medical assistance (医疗救助): what is left of the in-catalogue cost × the category's
//!    ratio, capped by what remains of the yearly cap (the special-disease cap for the four
//!    special diseases of 2.4).
//! 4. The out-of-catalogue share, out-of-catalogue ÷ total, is compared exactly with
//!    `medical.out_of_catalogue_limit`: exactly 15% is within the target, above it is flagged.
//!
//! Every multiplication by a ratio (and the deductible cuts) rounds by the named rule
//! `medical.rounding`. Parameters are those in force in the month of admission.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use doudi_core::{Category, Money, Month, SpecialDisease};

use crate::explain::{Explanation, Trace};
use crate::params::Ratio;
use crate::{P, Resolved, scale};

/// The level of a hospital.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// 乡镇卫生院 (and community health centres).
    Township,
    /// 县级医院.
    County,
    /// 市级及以上医院.
    Municipal,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 3] = [Level::Township, Level::County, Level::Municipal];

    /// A stable code, for storage, forms and the API.
    pub fn code(self) -> &'static str {
        match self {
            Level::Township => "township",
            Level::County => "county",
            Level::Municipal => "municipal",
        }
    }

    /// The level of a code ([`Level::code`]).
    pub fn parse(code: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.code() == code.trim())
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Level::Township => "乡镇卫生院",
            Level::County => "县级医院",
            Level::Municipal => "市级及以上医院",
        }
    }

    fn parameters(self, r: &Resolved) -> ((P, Money), (P, Ratio)) {
        match self {
            Level::Township => (
                (
                    P::medical_deductible_township,
                    r.medical_deductible_township,
                ),
                (P::medical_ratio_township, r.medical_ratio_township),
            ),
            Level::County => (
                (P::medical_deductible_county, r.medical_deductible_county),
                (P::medical_ratio_county, r.medical_ratio_county),
            ),
            Level::Municipal => (
                (
                    P::medical_deductible_municipal,
                    r.medical_deductible_municipal,
                ),
                (P::medical_ratio_municipal, r.medical_ratio_municipal),
            ),
        }
    }
}

/// An inpatient stay of a dibao or tekun person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stay {
    /// The hospital's name, for the out-of-catalogue report.
    pub hospital: String,
    /// The hospital's level.
    pub level: Level,
    /// Whether the hospital is in the county (本县).
    pub in_county: bool,
    /// Total inpatient cost.
    pub total: Money,
    /// The part of it within the insurance catalogue (医保目录内); the rest is out of
    /// catalogue. Valid stays have `0 ≤ in_catalogue ≤ total` ([`Stay::check`]); an in-catalogue
    /// cost above the total is read as the total.
    pub in_catalogue: Money,
    /// Day of admission; the parameters of its month apply.
    pub admitted: NaiveDate,
    /// The person's category, which sets the assistance ratio.
    pub category: Category,
    /// A special disease of 2.4 the stay treats, if any.
    pub special_disease: Option<SpecialDisease>,
}

/// Why a stay's figures are not acceptable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StayError {
    /// A negative cost.
    #[error("住院费用不能为负数")]
    Negative,
    /// In-catalogue cost above the total.
    #[error("医保目录内费用不能超过住院总费用")]
    CatalogueAboveTotal,
}

impl Stay {
    /// Checks the stay's figures, for the edges that accept them.
    pub fn check(&self) -> Result<(), StayError> {
        if self.total.is_negative() || self.in_catalogue.is_negative() {
            Err(StayError::Negative)
        } else if self.in_catalogue > self.total {
            Err(StayError::CatalogueAboveTotal)
        } else {
            Ok(())
        }
    }

    /// The month whose parameters apply.
    pub fn month(&self) -> Month {
        Month::of(self.admitted)
    }

    fn in_catalogue(&self) -> Money {
        self.in_catalogue.min(self.total).max(Money::ZERO)
    }

    fn out_of_catalogue(&self) -> Money {
        self.total.max(Money::ZERO) - self.in_catalogue()
    }
}

/// What the person already used this year, before this stay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UsedThisYear {
    /// In-catalogue self-pay (after basic insurance) already counted against this year's
    /// critical-illness deductible.
    pub critical_deductible_met: Money,
    /// Medical assistance already paid this year.
    pub assistance_paid: Money,
}

/// What a stay is reimbursed and assisted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MedicalDecision {
    /// Out-of-catalogue cost.
    pub out_of_catalogue: Money,
    /// The basic-insurance deductible applied (after any cut).
    pub deductible: Money,
    /// The basic-insurance ratio applied (after any bonus).
    pub ratio: Ratio,
    /// Whether the county-level adjustment applied (county-level hospital in the county).
    pub county_adjusted: bool,
    /// Paid by basic insurance.
    pub basic: Money,
    /// What remained of this year's (cut) critical-illness deductible before the stay.
    pub critical_deductible_left: Money,
    /// How much of this stay's self-pay counts against that deductible.
    pub critical_deductible_counted: Money,
    /// Paid by critical-illness insurance.
    pub critical: Money,
    /// The assistance ratio of the person's category.
    pub assistance_ratio: Ratio,
    /// What remained of the yearly assistance cap before the stay.
    pub assistance_cap_left: Money,
    /// Medical assistance paid.
    pub assistance: Money,
    /// Whether the cap cut the assistance.
    pub assistance_capped: bool,
    /// What the person pays: total − basic − critical − assistance.
    pub self_pay: Money,
    /// Out-of-catalogue share for display (rounded by [`crate::SHARE_ROUNDING`]); `None` for a
    /// stay costing nothing.
    pub out_share: Option<Ratio>,
    /// Whether the out-of-catalogue share is above the limit, decided exactly.
    pub out_over_limit: bool,
}

/// `=` when `amount × ratio` is a whole number of fen, `≈` when the named rounding changed it.
fn sign(amount: Money, ratio: Ratio) -> &'static str {
    if ratio.of(amount).is_exact() {
        "="
    } else {
        "≈"
    }
}

/// 2.4: basic insurance, critical-illness insurance and medical assistance for one stay, with
/// `r` resolved for the month of admission ([`Stay::month`]).
pub fn medical<T: Trace>(
    s: &Stay,
    used: &UsedThisYear,
    r: &Resolved,
    t: &mut T,
) -> MedicalDecision {
    let rounding = r.medical_rounding;
    let in_cat = s.in_catalogue();
    let out = s.out_of_catalogue();
    let total = s.total.max(Money::ZERO);
    t.with(|e| {
        e.fact(
            "医院",
            format!(
                "{}（{}，{}）",
                s.hospital,
                s.level.label(),
                if s.in_county { "本县" } else { "县外" }
            ),
        );
        e.fact("入院日期", s.admitted);
        e.fact("救助类别", s.category.label());
        if let Some(d) = s.special_disease {
            e.fact("特殊病种", d.label());
        }
        e.fact("住院总费用", total);
        e.fact("医保目录内费用", in_cat);
        e.fact("医保目录外费用", out);
    });

    // 1. Basic insurance.
    let ((deductible_param, level_deductible), (ratio_param, level_ratio)) = s.level.parameters(r);
    let county_adjusted = s.level == Level::County && s.in_county;
    let cut = if county_adjusted {
        scale(level_deductible, r.medical_county_deductible_cut, rounding)
    } else {
        Money::ZERO
    };
    let deductible = level_deductible - cut;
    let ratio = if county_adjusted {
        Ratio((level_ratio.0 + r.medical_county_bonus.0).min(10_000))
    } else {
        level_ratio
    };
    let eligible = (in_cat - deductible).max(Money::ZERO);
    let basic = scale(eligible, ratio, rounding);
    let mut step = t.sub("2.4", "居民医保住院报销");
    step.with(|e| {
        e.cite(deductible_param);
        e.cite(ratio_param);
        if county_adjusted {
            e.cite(P::medical_county_deductible_cut);
            e.cite(P::medical_county_bonus);
            e.calc(format!(
                "起付线 = {level_deductible} − {level_deductible} × {} {} {deductible}（{}）",
                r.medical_county_deductible_cut,
                sign(level_deductible, r.medical_county_deductible_cut),
                rounding.label()
            ));
            let capped = if level_ratio.0 + r.medical_county_bonus.0 > 10_000 {
                "，以100%为限"
            } else {
                ""
            };
            e.calc(format!(
                "报销比例 = {level_ratio} + {} = {ratio}{capped}",
                r.medical_county_bonus
            ));
        } else {
            e.fact("本县县级医院调整", "不适用（非本县县级医院）");
        }
        e.cite(P::medical_rounding);
        if in_cat <= deductible {
            e.calc(format!(
                "目录内费用 {in_cat} ≤ 起付线 {deductible}，不予报销"
            ));
        } else {
            e.calc(format!(
                "({in_cat} − {deductible}) × {ratio} = {eligible} × {ratio} {} {basic}（{}）",
                sign(eligible, ratio),
                rounding.label()
            ));
        }
        e.result = format!("报销 {basic}").into();
    });
    t.attach(step);

    // 2. Critical-illness insurance, on what basic insurance left of the in-catalogue cost.
    let left = in_cat - basic;
    let critical_cut = scale(
        r.medical_critical_deductible,
        r.medical_critical_deductible_cut,
        rounding,
    );
    let critical_deductible = r.medical_critical_deductible - critical_cut;
    let critical_deductible_left =
        (critical_deductible - used.critical_deductible_met).max(Money::ZERO);
    let critical_deductible_counted = left.min(critical_deductible_left);
    let critical_eligible = left - critical_deductible_counted;
    let critical = scale(critical_eligible, r.medical_critical_ratio, rounding);
    let mut step = t.sub("2.4", "城乡居民大病保险");
    step.with(|e| {
        for p in [P::medical_critical_deductible, P::medical_critical_deductible_cut, P::medical_critical_ratio, P::medical_rounding] {
            e.cite(p);
        }
        e.fact("本年已计入大病保险起付标准的自付费用", used.critical_deductible_met);
        e.calc(format!("目录内自付 = {in_cat} − {basic} = {left}"));
        e.calc(format!(
            "起付标准 = {} − {} × {} {} {critical_deductible}；本年尚余 {critical_deductible_left}",
            r.medical_critical_deductible,
            r.medical_critical_deductible,
            r.medical_critical_deductible_cut,
            sign(r.medical_critical_deductible, r.medical_critical_deductible_cut)
        ));
        if critical_eligible == Money::ZERO {
            e.calc(format!("目录内自付 {left} 未超过尚余起付标准，大病保险不予支付"));
        } else {
            e.calc(format!(
                "({left} − {critical_deductible_counted}) × {} = {critical_eligible} × {} {} {critical}（{}）",
                r.medical_critical_ratio,
                r.medical_critical_ratio,
                sign(critical_eligible, r.medical_critical_ratio),
                rounding.label()
            ));
        }
        e.result = format!("支付 {critical}").into();
    });
    t.attach(step);

    // 3. Medical assistance, on what is still left, within the yearly cap.
    let remaining = left - critical;
    let (ratio_param, assistance_ratio) = match s.category {
        Category::Tekun => (
            P::medical_assistance_ratio_tekun,
            r.medical_assistance_ratio_tekun,
        ),
        Category::Dibao => (
            P::medical_assistance_ratio_dibao,
            r.medical_assistance_ratio_dibao,
        ),
    };
    let (cap_param, cap) = match s.special_disease {
        Some(_) => (
            P::medical_assistance_cap_special,
            r.medical_assistance_cap_special,
        ),
        None => (P::medical_assistance_cap, r.medical_assistance_cap),
    };
    let assistance_cap_left = (cap - used.assistance_paid).max(Money::ZERO);
    let uncapped = scale(remaining, assistance_ratio, rounding);
    let assistance_capped = uncapped > assistance_cap_left;
    let assistance = uncapped.min(assistance_cap_left);
    let mut step = t.sub("2.4", "医疗救助");
    step.with(|e| {
        e.cite(ratio_param);
        e.cite(cap_param);
        e.cite(P::medical_rounding);
        if let Some(d) = s.special_disease {
            e.fact("特殊病种", format!("{}，适用特殊病种年度限额", d.label()));
        }
        e.fact("本年已获医疗救助", used.assistance_paid);
        e.calc(format!(
            "目录内剩余自付 = {left} − {critical} = {remaining}"
        ));
        e.calc(format!(
            "{remaining} × {assistance_ratio} {} {uncapped}（{}）",
            sign(remaining, assistance_ratio),
            rounding.label()
        ));
        e.calc(format!(
            "年度限额尚余 = {cap} − {} = {assistance_cap_left}",
            used.assistance_paid.min(cap)
        ));
        if assistance_capped {
            e.calc(format!("{uncapped} 超过尚余限额，按 {assistance} 救助"));
        }
        e.result = format!("救助 {assistance}").into();
    });
    t.attach(step);

    // 4. Out-of-catalogue share.
    let out_share = crate::share(out.fen(), total.fen());
    let out_over_limit = !crate::within(out.fen(), total.fen(), r.medical_out_of_catalogue_limit);
    let mut step = t.sub("2.4", "医保目录外费用占比");
    step.with(|e| {
        e.cite(P::medical_out_of_catalogue_limit);
        let limit = r.medical_out_of_catalogue_limit;
        match out_share {
            Some(s) => {
                e.calc(format!(
                    "{out} ÷ {total} ≈ {s}（{}）",
                    crate::SHARE_ROUNDING
                ));
                e.calc(format!(
                    "比较：{out} {} {total} × {limit}",
                    if out_over_limit { ">" } else { "≤" }
                ));
            }
            None => e.calc("住院总费用为0，不计算占比".to_owned()),
        }
        e.result = if out_over_limit {
            format!("超过{limit}的控制目标，需关注").into()
        } else {
            format!("未超过{limit}").into()
        };
    });
    t.attach(step);

    let self_pay = total - basic - critical - assistance;
    t.with(|e| {
        e.result = format!(
            "医保 {basic} + 大病保险 {critical} + 医疗救助 {assistance}，个人自付 {self_pay}"
        )
        .into()
    });
    MedicalDecision {
        out_of_catalogue: out,
        deductible,
        ratio,
        county_adjusted,
        basic,
        critical_deductible_left,
        critical_deductible_counted,
        critical,
        assistance_ratio,
        assistance_cap_left,
        assistance,
        assistance_capped,
        self_pay,
        out_share,
        out_over_limit,
    }
}

/// The explained decision for one stay (`r` resolved for the month of admission).
pub fn explain(s: &Stay, used: &UsedThisYear, r: &Resolved) -> (MedicalDecision, Explanation) {
    let mut e = Explanation::root(
        "2.4",
        format!("住院医疗保障与医疗救助（{}入院）", s.admitted),
        r,
    );
    let d = medical(s, used, r, &mut e);
    (d, e)
}

/// One hospital's out-of-catalogue share over many stays (2.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HospitalShare {
    /// The hospital.
    pub hospital: String,
    /// Number of stays.
    pub stays: u32,
    /// Total inpatient cost.
    pub total: Money,
    /// Out-of-catalogue cost.
    pub out_of_catalogue: Money,
    /// Out-of-catalogue ÷ total for display, rounded by [`crate::SHARE_ROUNDING`].
    pub share: Option<Ratio>,
    /// The limit (`medical.out_of_catalogue_limit`).
    pub limit: Ratio,
    /// Whether the share is above the limit, decided exactly.
    pub over_limit: bool,
}

/// 2.4: each hospital's share of out-of-catalogue cost in the inpatient cost of the given
/// stays, weighted by cost (the sums, not an average of stays' shares), against the limit in
/// force for `r.month`; sorted by hospital name (in code-point order).
pub fn out_of_catalogue_report(stays: &[Stay], r: &Resolved) -> Vec<HospitalShare> {
    let mut by: BTreeMap<&str, (u32, Money, Money)> = BTreeMap::new();
    for s in stays {
        let entry = by
            .entry(s.hospital.as_str())
            .or_insert((0, Money::ZERO, Money::ZERO));
        // Each stay is at most ¥10⁹ (the input's bound); a hospital would need 9×10⁷ stays to
        // reach i64::MAX fen, and is held there rather than wrapped.
        entry.0 = entry.0.saturating_add(1);
        entry.1 = entry.1.saturating_add(s.total.max(Money::ZERO));
        entry.2 = entry.2.saturating_add(s.out_of_catalogue());
    }
    let limit = r.medical_out_of_catalogue_limit;
    by.into_iter()
        .map(|(hospital, (stays, total, out))| HospitalShare {
            hospital: hospital.to_owned(),
            stays,
            total,
            out_of_catalogue: out,
            share: crate::share(out.fen(), total.fen()),
            limit,
            over_limit: !crate::within(out.fen(), total.fen(), limit),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stay(total: i64, in_catalogue: i64) -> Stay {
        Stay {
            hospital: "云阳县人民医院".into(),
            level: Level::County,
            in_county: true,
            total: Money::from_yuan(total),
            in_catalogue: Money::from_yuan(in_catalogue),
            admitted: NaiveDate::from_ymd_opt(2022, 5, 1).unwrap(),
            category: Category::Dibao,
            special_disease: None,
        }
    }

    #[test]
    fn every_level_reads_back_from_its_code() {
        for l in Level::ALL {
            assert_eq!(Level::parse(l.code()), Some(l));
        }
        assert_eq!(Level::parse("provincial"), None);
    }

    #[test]
    fn a_stay_with_catalogue_costs_above_the_total_is_refused_at_the_edge() {
        assert_eq!(stay(100, 101).check(), Err(StayError::CatalogueAboveTotal));
        assert_eq!(stay(100, -1).check(), Err(StayError::Negative));
        assert_eq!(stay(100, 100).check(), Ok(()));
    }

    #[test]
    fn the_three_payments_and_the_self_pay_add_up_to_the_total() {
        let r = Resolved::new(
            &crate::params::Parameters::yunyang(),
            Month::new(2019, 5).unwrap(),
        )
        .unwrap();
        for (total, in_cat) in [
            (0, 0),
            (300, 300),
            (12_345, 9_999),
            (250_000, 230_000),
            (1_000_000, 900_000),
        ] {
            let s = stay(total, in_cat);
            let d = medical(&s, &UsedThisYear::default(), &r, &mut crate::explain::Off);
            assert_eq!(d.basic + d.critical + d.assistance + d.self_pay, s.total);
            assert!(d.self_pay >= d.out_of_catalogue);
        }
    }
}

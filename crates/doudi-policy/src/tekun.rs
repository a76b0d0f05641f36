//! Urban tekun (城市特困人员): basic support and the care subsidy by tier (2.2.a), and
//! centralised care of tekun who cannot look after themselves (失能), routed by township and
//! measured against each township's yearly centralisation target (2.2.b).
//!
//! Amounts are exact: the basic standard is the urban dibao standard × `tekun.basic_multiple`,
//! rounded by the named rule `tekun.basic_rounding` (this reproduces the official 710, 754, 806
//! and 827 yuan); care subsidies are fixed amounts per tier, and a person fitting several tiers
//! is paid once, the highest. The centralisation KPI compares integers (centralised × 10,000
//! against target × 失能 count); the percentage is only shown, rounded by
//! [`crate::SHARE_ROUNDING`].

use chrono::NaiveDate;
use doudi_core::{Category, DisabilityKind, Money, Month, SelfCare, age_on};

use crate::explain::{Arg, Explanation, Trace};
use crate::params::{Parameters, Ratio};
use crate::snapshot::{Member, Snapshot, SupportMode};
use crate::text;
use crate::{MissingParameter, P, ParamSet, Resolved};

/// The disability kinds whose grade 1–2 (重度) puts a tekun in the half-care tier, in the
/// wording of the Chongqing care standard: 一、二级肢体、智力、精神、视力残疾. Hearing, speech
/// and multiple (多重) disabilities are not named, so they do not by themselves qualify; a
/// caseworker records the qualifying kind when a multiple disability includes one of these.
pub const HALF_CARE_DISABILITY_KINDS: [DisabilityKind; 4] = [
    DisabilityKind::Physical,
    DisabilityKind::Intellectual,
    DisabilityKind::Mental,
    DisabilityKind::Visual,
];

/// A care subsidy tier (照料护理补贴档次), ordered from the lowest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CareTier {
    /// 全自理: able to look after oneself.
    SelfCare,
    /// 半护理.
    Half,
    /// 全护理.
    Full,
}

impl CareTier {
    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            CareTier::SelfCare => "全自理",
            CareTier::Half => "半护理",
            CareTier::Full => "全护理",
        }
    }

    /// The monthly subsidy of the tier.
    pub fn amount(self, r: &Resolved) -> Money {
        match self {
            CareTier::SelfCare => r.tekun_care_self,
            CareTier::Half => r.tekun_care_half,
            CareTier::Full => r.tekun_care_full,
        }
    }
}

/// Why a person fits a care tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CareReason {
    /// 全失能: cannot look after oneself at all (full care).
    FullyDependent,
    /// 半失能: can partly look after oneself (half care).
    PartlyDependent,
    /// A grade 1–2 disability of one of [`HALF_CARE_DISABILITY_KINDS`] (half care).
    SevereDisability(DisabilityKind),
    /// Younger than `tekun.half_care_under_age` (half care).
    Minor,
    /// 全自理: looks after oneself (self-care tier).
    SelfCaring,
}

impl CareReason {
    /// The tier the reason puts a person in.
    pub fn tier(self) -> CareTier {
        match self {
            CareReason::FullyDependent => CareTier::Full,
            CareReason::PartlyDependent | CareReason::SevereDisability(_) | CareReason::Minor => {
                CareTier::Half
            }
            CareReason::SelfCaring => CareTier::SelfCare,
        }
    }

    /// The reason in Chinese.
    pub fn describe(self, r: &Resolved) -> Arg {
        match self {
            CareReason::FullyDependent => Arg::Str("全失能"),
            CareReason::PartlyDependent => Arg::Str("半失能"),
            CareReason::SevereDisability(kind) => {
                Arg::Text(format!("一、二级{}残疾", kind.label()))
            }
            CareReason::Minor => Arg::Text(format!("未满{}岁", r.tekun_half_care_under_age)),
            CareReason::SelfCaring => Arg::Str("全自理"),
        }
    }
}

/// A county or township institution that takes tekun into centralised care (2.2.b).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Institution {
    /// Its name.
    pub name: String,
    /// Whether it is the county nursing home (`tekun.county_home_name`) rather than the
    /// township's own support institution.
    pub county_home: bool,
}

/// Who receives a tekun's support.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Payee {
    /// Dispersed support (分散供养): the person.
    Person,
    /// Centralised support (集中供养): the institution caring for the person.
    Institution(Institution),
}

impl Payee {
    /// The payee in Chinese.
    pub fn label(&self) -> String {
        match self {
            Payee::Person => "本人".into(),
            Payee::Institution(i) => i.name.clone(),
        }
    }
}

/// One tekun person's monthly support.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TekunPerson {
    /// Index of the member in the snapshot.
    pub member: usize,
    /// Basic living support.
    pub basic: Money,
    /// The care tier paid (the highest the person fits).
    pub tier: CareTier,
    /// The reason for that tier.
    pub reason: CareReason,
    /// The care subsidy.
    pub care: Money,
    /// Basic support plus care subsidy.
    pub total: Money,
}

/// What a tekun computation decided for one month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TekunDecision {
    /// Whether the household is a tekun household; nothing is owed otherwise.
    pub applicable: bool,
    /// The basic living standard per person per month.
    pub basic_standard: Money,
    /// Each member's support.
    pub people: Vec<TekunPerson>,
    /// Basic support of all members.
    pub basic: Money,
    /// Care subsidies of all members.
    pub care: Money,
    /// Everything owed for the month.
    pub total: Money,
    /// Dispersed or centralised.
    pub mode: SupportMode,
    /// Who receives it; `None` when not applicable.
    pub payee: Option<Payee>,
    /// The parameters the decision read, as its explanation cites them.
    pub cited: ParamSet,
}

impl TekunDecision {
    /// Whether an illustrative parameter value went into the decision: the same answer as
    /// the explanation's [`Explanation::uses_illustrative`], without building it.
    pub fn uses_illustrative(&self, r: &Resolved) -> bool {
        self.cited.intersects(r.derived.illustrative)
    }
}

/// The support owed to a tekun household for month `r.month`: basic living support per member
/// plus each member's care subsidy (2.2.a), paid to the person when dispersed or to the
/// institution when centralised (2.2.b). Households of another category get a not-applicable
/// decision.
///
/// Ages count on the first day of the month, so a child keeps the under-16 half-care tier
/// through the month of the sixteenth birthday.
pub fn tekun<T: Trace>(h: &Snapshot, r: &Resolved, t: &mut T) -> TekunDecision {
    if h.category != Category::Tekun {
        t.with(|e| {
            e.fact("救助类别", h.category.label());
            e.result = format!("不适用：{}家庭不享受特困人员救助供养", h.category.label()).into();
        });
        return TekunDecision {
            applicable: false,
            basic_standard: Money::ZERO,
            people: Vec::new(),
            basic: Money::ZERO,
            care: Money::ZERO,
            total: Money::ZERO,
            mode: h.support_mode,
            payee: None,
            cited: ParamSet::EMPTY,
        };
    }
    let mut cited = ParamSet::EMPTY;

    // Basic living standard.
    let standard = r.dibao_standard;
    let exact = r.tekun_basic_multiple.of(standard);
    let basic_standard = exact.round(r.tekun_basic_rounding);
    let mut step = t.sub("2.2.a", "基本生活标准");
    step.cite_params(
        &mut cited,
        &[
            P::dibao_standard,
            P::tekun_basic_multiple,
            P::tekun_basic_rounding,
        ],
    );
    step.with(|e| {
        e.calc(text!(
            "{} × {} = {}，按{}为 {}",
            standard,
            r.tekun_basic_multiple,
            exact,
            r.tekun_basic_rounding.label(),
            basic_standard
        ));
        e.result = text!("{}/人·月", basic_standard);
    });
    t.attach(step);

    // Care subsidy, member by member.
    let day = r.month.first_day();
    let mut people = Vec::with_capacity(h.members.len());
    let mut step = t.sub("2.2.a", "照料护理补贴");
    for (i, m) in h.members.iter().enumerate() {
        // A member born after the month is not yet part of the household (as in 2.1.a).
        if m.birth > r.derived.month_last_day {
            step.with(|e| {
                e.calc(text!(
                    "第{}位成员：{}出生，晚于本月，不计入，不享受救助供养",
                    i + 1,
                    m.birth
                ));
            });
            continue;
        }
        let reasons = care_reasons(m, day, r);
        let (reason, care) = paid_reason(&reasons, r);
        if T::ON {
            step.with(|e| {
                let mut fits = reasons.iter().flatten();
                let line = match (fits.next(), fits.next()) {
                    // One tier fits (the usual case): the values are kept as they are.
                    (Some(c), None) => text!(
                        "第{}位成员（{}岁）：{}→{}{} → {}{}",
                        i + 1,
                        age_on(m.birth, day),
                        c.describe(r),
                        c.tier().label(),
                        c.tier().amount(r),
                        reason.tier().label(),
                        care
                    ),
                    _ => {
                        let fits: Vec<String> = reasons
                            .iter()
                            .flatten()
                            .map(|c| {
                                format!(
                                    "{}→{}{}",
                                    c.describe(r),
                                    c.tier().label(),
                                    c.tier().amount(r)
                                )
                            })
                            .collect();
                        text!(
                            "第{}位成员（{}岁）：{}，一人只享受一档，取最高 → {}{}",
                            i + 1,
                            age_on(m.birth, day),
                            fits.join("、"),
                            reason.tier().label(),
                            care
                        )
                    }
                };
                e.calc(line);
            });
        }
        people.push(TekunPerson {
            member: i,
            basic: basic_standard,
            tier: reason.tier(),
            reason,
            care,
            total: basic_standard + care,
        });
    }
    // Each amount is at most about ¥1.3×10⁹ (parameters are capped at ¥10⁹), so a sum over
    // the people of one household is held rather than allowed to wrap.
    let basic = people
        .iter()
        .fold(Money::ZERO, |a, p| a.saturating_add(p.basic));
    let care = people
        .iter()
        .fold(Money::ZERO, |a, p| a.saturating_add(p.care));
    step.cite_params(
        &mut cited,
        &[
            P::tekun_care_full,
            P::tekun_care_half,
            P::tekun_care_self,
            P::tekun_half_care_under_age,
        ],
    );
    step.with(|e| {
        e.fact("年龄计算日", day);
        if r.tekun_care_self == Money::ZERO {
            e.fact("全自理档", "此时未设全自理补贴（0元）");
        }
        e.result = text!("合计 {}/月", care);
    });
    t.attach(step);

    // Who receives it.
    let payee = match h.support_mode {
        SupportMode::Dispersed => Payee::Person,
        SupportMode::Centralised => Payee::Institution(institution_for(&h.township, r)),
    };
    let clause = if h.support_mode == SupportMode::Centralised {
        "2.2.b"
    } else {
        "2.2.a"
    };
    let mut step = t.sub(clause, "供养方式与发放对象");
    if matches!(payee, Payee::Institution(_)) {
        step.cite_params(
            &mut cited,
            &[P::tekun_county_home_townships, P::tekun_county_home_name],
        );
    }
    step.with(|e| {
        e.fact("供养方式", h.support_mode.label());
        match &payee {
            Payee::Person => e.result = "分散供养：供养金按月发给本人".into(),
            Payee::Institution(inst) => {
                e.fact("乡镇（街道）", township_label(&h.township));
                e.result = text!(
                    "集中供养：供养金由{}领取用于供养，不发给本人",
                    inst.name.clone()
                );
            }
        }
    });
    t.attach(step);

    let total = basic.saturating_add(care);
    t.with(|e| {
        e.result = text!(
            "每月 基本生活 {} + 照料护理 {} = {}，发给{}",
            basic,
            care,
            total,
            match &payee {
                Payee::Person => Arg::Str("本人"),
                Payee::Institution(i) => Arg::Text(i.name.clone()),
            }
        )
    });
    TekunDecision {
        applicable: true,
        basic_standard,
        people,
        basic,
        care,
        total,
        mode: h.support_mode,
        payee: Some(payee),
        cited,
    }
}

/// Every tier one member fits, in the order: self-care ability, disability, age.
fn care_reasons(m: &Member, day: NaiveDate, r: &Resolved) -> [Option<CareReason>; 3] {
    let ability = match m.self_care {
        SelfCare::None => CareReason::FullyDependent,
        SelfCare::Partial => CareReason::PartlyDependent,
        SelfCare::Full => CareReason::SelfCaring,
    };
    let disability = m
        .disability
        .filter(|d| d.grade.is_severe() && HALF_CARE_DISABILITY_KINDS.contains(&d.kind))
        .map(|d| CareReason::SevereDisability(d.kind));
    let minor = (i64::from(age_on(m.birth, day)) < r.tekun_half_care_under_age)
        .then_some(CareReason::Minor);
    [Some(ability), disability, minor]
}

/// The one tier paid: the highest amount, the higher tier on a tie.
fn paid_reason(reasons: &[Option<CareReason>; 3], r: &Resolved) -> (CareReason, Money) {
    reasons
        .iter()
        .flatten()
        .map(|c| (*c, c.tier().amount(r)))
        .max_by_key(|(c, amount)| (*amount, c.tier()))
        .expect("the self-care ability always gives a tier")
}

/// The explained tekun decision for a household.
pub fn explain(h: &Snapshot, r: &Resolved) -> (TekunDecision, Explanation) {
    let mut e = Explanation::root(
        "2.2.a",
        crate::text!("城市特困人员救助供养（{}）", r.month),
        r,
    );
    let d = tekun(h, r, &mut e);
    (d, e)
}

/// The township's name from the embedded division table, if the code is in it.
fn township_name(code: &str) -> Option<&'static str> {
    crate::township_table().get(code).map(|d| d.name.as_str())
}

fn township_label(code: &str) -> String {
    match township_name(code) {
        Some(name) => format!("{name}（{code}）"),
        None => code.to_owned(),
    }
}

/// 2.2.b: where a tekun of `township` (a 9-digit code; a 12-digit community code is read as
/// its township) goes for centralised care: the county nursing home (`tekun.county_home_name`)
/// for the streets listed in `tekun.county_home_townships` (青龙, 双江), otherwise the
/// township's own support institution, `<township name>特困人员供养服务机构` (the code stands in
/// for a name the division table does not know).
///
/// The clause speaks of 失能 tekun; the same routing is used for every centralisation, since
/// the county names no other institution.
pub fn institution_for(township: &str, r: &Resolved) -> Institution {
    let code = township.get(..9).unwrap_or(township);
    if r.tekun_county_home_townships.iter().any(|c| c == code) {
        Institution {
            name: r.tekun_county_home_name.clone(),
            county_home: true,
        }
    } else {
        Institution {
            name: format!(
                "{}特困人员供养服务机构",
                township_name(code).unwrap_or(code)
            ),
            county_home: false,
        }
    }
}

/// A township's centralisation rate of 失能 tekun in one year against the target (2.2.b).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CentralisationKpi {
    /// The year assessed.
    pub year: i32,
    /// 失能 tekun in the township.
    pub disabled: u32,
    /// Of whom in centralised care.
    pub centralised: u32,
    /// The year's target (`tekun.centralised_target`).
    pub target: Ratio,
    /// The rate for display, rounded by [`crate::SHARE_ROUNDING`]; `None` without 失能 tekun.
    pub share: Option<Ratio>,
    /// Whether the target is met, decided exactly. A township without 失能 tekun meets it.
    pub met: bool,
    /// How many more centralisations would meet the target (0 when met).
    pub shortfall: u32,
}

/// The month whose parameters assess year `year`: December, the year's end.
pub fn assessment_month(year: i32) -> Month {
    Month::new(year, 12).expect("December of a year in range")
}

/// 2.2.b: a township's centralisation rate against the target in force for `r.month`'s year
/// (resolve `r` for [`assessment_month`]). `centralised` counts only 失能 tekun in centralised
/// care, so it is at most `disabled`.
pub fn centralisation<T: Trace>(
    township: &str,
    disabled: u32,
    centralised: u32,
    r: &Resolved,
    t: &mut T,
) -> CentralisationKpi {
    let target = r.tekun_centralised_target;
    // centralised ÷ disabled ≥ target, cross-multiplied so nothing is rounded.
    let met = disabled == 0
        || i128::from(centralised) * 10_000 >= i128::from(target.0) * i128::from(disabled);
    // The smallest count reaching the target: ⌈target × disabled ÷ 10,000⌉.
    let needed = (i128::from(target.0) * i128::from(disabled) + 9_999).div_euclid(10_000);
    let shortfall = u32::try_from((needed - i128::from(centralised)).max(0)).unwrap_or(u32::MAX);
    let share = crate::share(i64::from(centralised), i64::from(disabled));
    t.with(|e| {
        e.cite(P::tekun_centralised_target);
        e.fact("乡镇（街道）", township_label(township));
        e.fact("考核年度", format!("{}年", r.month.year()));
        e.fact("失能特困人员", format!("{disabled}人"));
        e.fact("其中集中供养", format!("{centralised}人"));
        match share {
            Some(s) => {
                e.calc(format!(
                    "集中供养率 = {centralised} ÷ {disabled} ≈ {s}（{}）",
                    crate::SHARE_ROUNDING
                ));
                e.calc(format!(
                    "比较：{centralised}人 {} {disabled}人 × {target}",
                    if met { "≥" } else { "<" }
                ));
            }
            None => e.calc("无失能特困人员，不计算集中供养率".to_owned()),
        }
        e.result = match (met, share) {
            (true, None) => "无失能特困人员，视为达标".into(),
            (true, Some(s)) => format!("{s}，达到{target}的目标").into(),
            (false, Some(s)) => {
                format!("{s}，未达到{target}的目标，还需集中供养{shortfall}人").into()
            }
            (false, None) => unreachable!("a township without 失能 tekun meets the target"),
        };
    });
    CentralisationKpi {
        year: r.month.year(),
        disabled,
        centralised,
        target,
        share,
        met,
        shortfall,
    }
}

/// The explained centralisation KPI of a township for `year`, on the parameters in force at
/// the year's end.
pub fn explain_centralisation(
    township: &str,
    disabled: u32,
    centralised: u32,
    year: i32,
    params: &Parameters,
) -> Result<(CentralisationKpi, Explanation), MissingParameter> {
    let r = Resolved::new(params, assessment_month(year))?;
    let mut e = Explanation::root("2.2.b", format!("失能特困人员集中供养率（{year}年）"), &r);
    let kpi = centralisation(township, disabled, centralised, &r, &mut e);
    Ok((kpi, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::Off;

    fn resolved(y: i32, m: u32) -> Resolved {
        Resolved::new(&Parameters::yunyang(), Month::new(y, m).unwrap()).unwrap()
    }

    #[test]
    fn qinglong_and_shuangjiang_route_to_the_county_home_and_others_to_their_own() {
        let r = resolved(2019, 6);
        assert_eq!(
            institution_for("500235002", &r),
            Institution {
                name: "云阳县城乡敬老院".into(),
                county_home: true
            }
        );
        assert_eq!(institution_for("500235001001", &r).name, "云阳县城乡敬老院");
        assert_eq!(
            institution_for("500235003", &r).name,
            "人和街道特困人员供养服务机构"
        );
        assert_eq!(
            institution_for("500235999", &r).name,
            "500235999特困人员供养服务机构"
        );
    }

    #[test]
    fn the_shortfall_is_the_smallest_number_reaching_the_target() {
        let r = resolved(2019, 12);
        // 40% of 7 is 2.8: three are needed.
        let kpi = centralisation("500235003", 7, 1, &r, &mut Off);
        assert!(!kpi.met);
        assert_eq!(kpi.shortfall, 2);
        let kpi = centralisation("500235003", 7, 3, &r, &mut Off);
        assert!(kpi.met);
        assert_eq!(kpi.shortfall, 0);
    }
}

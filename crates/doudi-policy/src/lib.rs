//! The rules of 云阳府办发〔2019〕22号 as code.
//!
//! Every computation is a pure function from a household snapshot, a month and resolved
//! parameters to a decision in exact fen, optionally with an explanation tree that cites the
//! clause (依据 2.1.b), each parameter's value, date and source, and the arithmetic.
//!
//! **Invariant:** this crate does no I/O, no async, reads no clock, and cannot fail on valid
//! input: a parameter set that parsed resolves for every month from its earliest date.
//! **Invariant:** money is integer fen; every division names its rounding rule.

#![deny(missing_docs)]

pub mod batch;
pub mod dibao;
pub mod education;
pub mod explain;
pub mod jsonl;
pub mod medical;
pub mod params;
pub mod snapshot;
pub mod tekun;
pub mod temporary;

use doudi_core::{Money, Month, TownshipTable};
use params::{Def, Entry, Kind, Parameters, Ratio, Rounding, Status, Value};

macro_rules! parameters {
    ($( $field:ident : $kind:ident $ty:ty = $key:literal, $label:literal, $clause:literal; )+) => {
        /// Every parameter the rules use, in file order.
        pub const DEFS: &[Def] = &[ $( Def { key: $key, kind: Kind::$kind, label: $label, clause: $clause } ),+ ];

        /// Index of each parameter in [`DEFS`].
        #[allow(non_camel_case_types, missing_docs)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum P { $( $field ),+ }

        impl P {
            /// Every parameter, in the order of [`DEFS`].
            pub const ALL: &'static [P] = &[ $( P::$field ),+ ];
        }

        /// The parameters in force in one month, typed, with the entries they came from.
        #[derive(Clone, Debug)]
        pub struct Resolved {
            /// The month.
            pub month: Month,
            $( #[doc = $label] pub $field: $ty, )+
            entries: Vec<Entry>,
            citations: std::sync::Arc<[Citation]>,
            /// Values derived from the parameters once per month, not once per household.
            pub derived: Derived,
        }

        impl Resolved {
            /// Resolves every parameter for month `m`; fails naming the first parameter that
            /// has no value then.
            pub fn new(params: &Parameters, m: Month) -> Result<Resolved, MissingParameter> {
                let day = Parameters::reading_day(m);
                let mut entries = Vec::with_capacity(DEFS.len());
                for (i, def) in DEFS.iter().enumerate() {
                    let e = params.at(i, day).ok_or(MissingParameter { key: def.key, month: m })?;
                    entries.push(e.clone());
                }
                let mut values = entries.iter().map(|e| e.value.clone());
                let mut r = Resolved {
                    month: m,
                    $( $field: extract!($kind, values.next().expect("one value per parameter")), )+
                    citations: entries.iter().enumerate().map(|(i, e)| citation(i, e)).collect(),
                    entries,
                    derived: Derived::default(),
                };
                r.derived = Derived::of(&r);
                Ok(r)
            }
        }
    };
}

macro_rules! extract {
    (Money, $v:expr) => {
        match $v {
            Value::Money(m) => m,
            _ => unreachable!("kinds are checked when parsed"),
        }
    };
    (Ratio, $v:expr) => {
        match $v {
            Value::Ratio(r) => r,
            _ => unreachable!("kinds are checked when parsed"),
        }
    };
    (Count, $v:expr) => {
        match $v {
            Value::Count(n) => n,
            _ => unreachable!("kinds are checked when parsed"),
        }
    };
    (Flag, $v:expr) => {
        match $v {
            Value::Flag(b) => b,
            _ => unreachable!("kinds are checked when parsed"),
        }
    };
    (Rounding, $v:expr) => {
        match $v {
            Value::Rounding(r) => r,
            _ => unreachable!("kinds are checked when parsed"),
        }
    };
    (Codes, $v:expr) => {
        match $v {
            Value::Codes(c) => c,
            _ => unreachable!("kinds are checked when parsed"),
        }
    };
    (Text, $v:expr) => {
        match $v {
            Value::Text(t) => t,
            _ => unreachable!("kinds are checked when parsed"),
        }
    };
}

parameters! {
    dibao_standard: Money Money = "dibao.standard", "城市低保标准（元/人·月）", "2.1.a";
    dibao_income_window_months: Count i64 = "dibao.income_window_months", "家庭收入计算月数（城市低保）", "2.1.a";
    dibao_expenditure_window_months: Count i64 = "dibao.expenditure_window_months", "支出型低保收入计算月数（申请前）", "2.1.b";
    dibao_payment_rounding: Rounding Rounding = "dibao.payment_rounding", "低保金舍入规则", "2.1.a";
    dibao_minimum_payment: Money Money = "dibao.minimum_payment", "最低发放额（元/户·月）", "2.1.a";
    dibao_savings_limit: Ratio Ratio = "dibao.savings_limit", "家庭人均存款上限（城市低保标准的倍数）", "2.1.b";
    dibao_vehicles_allowed: Flag bool = "dibao.vehicles_allowed", "拥有机动车可否享受低保", "2.1.b";
    dibao_extra_severe_disability: Money Money = "dibao.extra_severe_disability", "分类救助：重度残疾（一、二级）（元/人·月）", "2.1.a";
    dibao_extra_serious_illness: Money Money = "dibao.extra_serious_illness", "分类救助：重病（元/人·月）", "2.1.a";
    dibao_extra_aged: Money Money = "dibao.extra_aged", "分类救助：高龄老人（元/人·月）", "2.1.a";
    dibao_extra_aged_from: Count i64 = "dibao.extra_aged_from", "高龄分类救助起始年龄（岁）", "2.1.a";
    dibao_extra_preschool: Money Money = "dibao.extra_preschool", "分类救助：学龄前儿童（元/人·月）", "2.1.a";
    dibao_extra_student: Money Money = "dibao.extra_student", "分类救助：在校学生（元/人·月）", "2.1.a";
    dibao_extra_disabled: Money Money = "dibao.extra_disabled", "残疾人另增分类救助（元/人·月）", "2.1.a";
    dibao_extras_stack: Flag bool = "dibao.extras_stack", "五类分类救助可否叠加", "2.1.a";
    dibao_age_at_month_end: Flag bool = "dibao.age_at_month_end", "年龄按当月最后一天计算（当月满龄即享受）", "2.1.a";
    dibao_school_age: Count i64 = "dibao.school_age", "学龄（岁，不在校（园）的儿童未满此年龄为学龄前儿童）", "2.1.a";
    tekun_basic_multiple: Ratio Ratio = "tekun.basic_multiple", "特困人员基本生活标准（城市低保标准的倍数）", "2.2.a";
    tekun_basic_rounding: Rounding Rounding = "tekun.basic_rounding", "特困基本生活标准舍入规则", "2.2.a";
    tekun_care_full: Money Money = "tekun.care_full", "照料护理补贴：全护理（全失能）（元/人·月）", "2.2.a";
    tekun_care_half: Money Money = "tekun.care_half", "照料护理补贴：半护理（半失能、重度残疾、未成年）（元/人·月）", "2.2.a";
    tekun_care_self: Money Money = "tekun.care_self", "照料护理补贴：全自理（元/人·月）", "2.2.a";
    tekun_half_care_under_age: Count i64 = "tekun.half_care_under_age", "按半护理补贴的未成年年龄上限（岁）", "2.2.a";
    tekun_centralised_target: Ratio Ratio = "tekun.centralised_target", "失能特困人员集中供养率目标", "2.2.b";
    tekun_county_home_townships: Codes Vec<String> = "tekun.county_home_townships", "失能特困人员送县城乡敬老院的街道", "2.2.b";
    tekun_county_home_name: Text String = "tekun.county_home_name", "县级集中供养机构名称", "2.2.b";
    temporary_prior_year_income: Money Money = "temporary.prior_year_income", "上年度全县居民人均可支配收入（元/人·年）", "2.8.c";
    temporary_emergency_tier1: Ratio Ratio = "temporary.emergency_tier1", "急难型临时救助一档（低保标准的倍数）", "2.8.a";
    temporary_emergency_tier2: Ratio Ratio = "temporary.emergency_tier2", "急难型临时救助二档（低保标准的倍数）", "2.8.a";
    temporary_emergency_tier3: Ratio Ratio = "temporary.emergency_tier3", "急难型临时救助三档（低保标准的倍数）", "2.8.a";
    temporary_expenditure_tier1: Ratio Ratio = "temporary.expenditure_tier1", "支出型临时救助一档（低保标准的倍数）", "2.8.b";
    temporary_expenditure_tier2: Ratio Ratio = "temporary.expenditure_tier2", "支出型临时救助二档（低保标准的倍数）", "2.8.b";
    temporary_expenditure_tier3: Ratio Ratio = "temporary.expenditure_tier3", "支出型临时救助三档（低保标准的倍数）", "2.8.b";
    temporary_case_ceiling: Ratio Ratio = "temporary.case_ceiling", "“一事一议”临时救助上限（低保标准的倍数）", "2.8.d";
    temporary_once_per_year: Flag bool = "temporary.once_per_year", "同一人每年限救助一次", "2.8";
    temporary_rounding: Rounding Rounding = "temporary.rounding", "临时救助金额舍入规则", "2.8";
    education_preschool_fees: Money Money = "education.preschool_fees", "学前教育免保教费（元/生·学期）", "2.5";
    education_preschool_living: Money Money = "education.preschool_living", "学前教育免生活费（元/生·学期）", "2.5";
    education_boarding_primary: Money Money = "education.boarding_primary", "小学寄宿生生活补助（元/生·年）", "2.5";
    education_boarding_junior: Money Money = "education.boarding_junior", "初中寄宿生生活补助（元/生·年）", "2.5";
    education_senior_tuition: Money Money = "education.senior_tuition", "普通高中免学费（元/生·学期）", "2.5";
    education_senior_grant: Money Money = "education.senior_grant", "普通高中国家助学金（元/生·年）", "2.5";
    education_textbooks: Money Money = "education.textbooks", "高中阶段免费教科书（元/生·学期）", "2.5";
    education_vocational_tuition: Money Money = "education.vocational_tuition", "中职免学费（元/生·学期）", "2.5";
    education_vocational_grant: Money Money = "education.vocational_grant", "中职国家助学金（元/生·年）", "2.5";
    education_vocational_lodging: Money Money = "education.vocational_lodging", "中职住宿费补助（元/生·学期）", "2.5";
    education_higher_loan_max: Money Money = "education.higher_loan_max", "生源地助学贷款额度上限（元/生·年）", "2.5";
    education_term_rounding: Rounding Rounding = "education.term_rounding", "按年标准折算学期金额（÷2）的舍入规则", "2.5";
    medical_deductible_township: Money Money = "medical.deductible_township", "居民医保住院起付线：乡镇卫生院（元）", "2.4";
    medical_deductible_county: Money Money = "medical.deductible_county", "居民医保住院起付线：县级医院（元）", "2.4";
    medical_deductible_municipal: Money Money = "medical.deductible_municipal", "居民医保住院起付线：市级及以上医院（元）", "2.4";
    medical_ratio_township: Ratio Ratio = "medical.ratio_township", "居民医保住院报销比例：乡镇卫生院", "2.4";
    medical_ratio_county: Ratio Ratio = "medical.ratio_county", "居民医保住院报销比例：县级医院", "2.4";
    medical_ratio_municipal: Ratio Ratio = "medical.ratio_municipal", "居民医保住院报销比例：市级及以上医院", "2.4";
    medical_county_bonus: Ratio Ratio = "medical.county_bonus", "本县县级医院住院报销比例提高（百分点）", "2.4";
    medical_county_deductible_cut: Ratio Ratio = "medical.county_deductible_cut", "本县县级医院住院起付线降低比例", "2.4";
    medical_critical_deductible: Money Money = "medical.critical_deductible", "城乡居民大病保险起付标准（元/年）", "2.4";
    medical_critical_deductible_cut: Ratio Ratio = "medical.critical_deductible_cut", "大病保险起付标准降低比例", "2.4";
    medical_critical_ratio: Ratio Ratio = "medical.critical_ratio", "大病保险报销比例", "2.4";
    medical_assistance_ratio_tekun: Ratio Ratio = "medical.assistance_ratio_tekun", "医疗救助比例：特困人员", "2.4";
    medical_assistance_ratio_dibao: Ratio Ratio = "medical.assistance_ratio_dibao", "医疗救助比例：低保对象", "2.4";
    medical_assistance_cap: Money Money = "medical.assistance_cap", "医疗救助年度限额（元/人·年）", "2.4";
    medical_assistance_cap_special: Money Money = "medical.assistance_cap_special", "特殊病种医疗救助年度限额（元/人·年）", "2.4";
    medical_out_of_catalogue_limit: Ratio Ratio = "medical.out_of_catalogue_limit", "住院医保目录外费用占比控制目标", "2.4";
    medical_rounding: Rounding Rounding = "medical.rounding", "医保报销、大病保险、医疗救助按比例计算的舍入规则", "2.4";
    casework_notice_days: Count i64 = "casework.notice_days", "公示天数（天）", "4.2.b";
    casework_time_limit: Count i64 = "casework.time_limit", "审核确认办理时限（自受理起的工作日）", "4.2.b";
    casework_time_limit_complex: Count i64 = "casework.time_limit_complex", "有异议或情况复杂时的办理时限（工作日）", "4.2.b";
    casework_review_months_stable: Count i64 = "casework.review_months_stable", "收入稳定家庭复核间隔（月）", "4.2.b";
    casework_review_months_unstable: Count i64 = "casework.review_months_unstable", "收入不稳定家庭复核间隔（月）", "4.2.b";
}

/// The county's township table (the embedded division codes), parsed once.
pub(crate) fn township_table() -> &'static TownshipTable {
    static TABLE: std::sync::OnceLock<TownshipTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(TownshipTable::yunyang)
}

/// A month for which a parameter has no value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("参数“{key}”在{month}没有取值")]
pub struct MissingParameter {
    /// The parameter.
    pub key: &'static str,
    /// The month.
    pub month: Month,
}

/// A set of parameters, one bit per [`P`]: the parameters a decision read. Both paths of a
/// computation record it (the explained path also lists them in its steps), so the fast path
/// knows as well as the explanation whether an illustrative value went into a decision.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ParamSet(u128);

const _: () = assert!(DEFS.len() <= 128, "a ParamSet holds one bit per parameter");

impl ParamSet {
    /// No parameter.
    pub const EMPTY: ParamSet = ParamSet(0);

    /// The set of `ps`.
    #[inline(always)]
    pub const fn of(ps: &[P]) -> ParamSet {
        let mut bits = 0u128;
        let mut i = 0;
        while i < ps.len() {
            bits |= 1 << ps[i] as u32;
            i += 1;
        }
        ParamSet(bits)
    }

    /// Adds every parameter of `other`.
    #[inline(always)]
    pub fn add(&mut self, other: ParamSet) {
        self.0 |= other.0;
    }

    /// Whether `p` is in the set.
    pub fn contains(self, p: P) -> bool {
        self.0 & (1 << p as u32) != 0
    }

    /// Whether the two sets share a parameter.
    #[inline(always)]
    pub fn intersects(self, other: ParamSet) -> bool {
        self.0 & other.0 != 0
    }
}

/// Values the rules derive from the parameters of a month: computed once when the month is
/// resolved, so that evaluating a million households does not repeat them a million times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Derived {
    /// The day on which dibao ages and school stages count (2.1.a): the month's last day when
    /// `dibao.age_at_month_end`, else its first.
    pub dibao_reference_day: chrono::NaiveDate,
    /// Savings allowed per person (2.1.b): the standard × `dibao.savings_limit`, rounded half
    /// up to the fen.
    pub dibao_savings_limit_per_person: Money,
    /// The month's last day: a member born after it is not yet part of the household that
    /// month (not counted, owed nothing).
    pub month_last_day: chrono::NaiveDate,
    /// The parameters whose value this month is illustrative.
    pub illustrative: ParamSet,
    /// The first month of the ordinary income window (2.1.a) and of the expenditure-type
    /// one (2.1.b), computed once rather than per household.
    pub window_first: (Month, Month),
}

/// The starting value of `Resolved::new`, which computes the real one from the typed values
/// right after (`Derived::of` reads them from the `Resolved` it completes).
impl Default for Derived {
    fn default() -> Derived {
        let day = chrono::NaiveDate::default();
        Derived {
            dibao_reference_day: day,
            dibao_savings_limit_per_person: Money::ZERO,
            month_last_day: day,
            illustrative: ParamSet::EMPTY,
            window_first: (Month::of(day), Month::of(day)),
        }
    }
}

impl Derived {
    fn of(r: &Resolved) -> Derived {
        let first = r.month.first_day();
        let last = r
            .month
            .plus(1)
            .first_day()
            .pred_opt()
            .expect("a month has a last day");
        let mut illustrative = ParamSet::EMPTY;
        for (p, e) in P::ALL.iter().zip(&r.entries) {
            if e.status == Status::Illustrative {
                illustrative.add(ParamSet::of(&[*p]));
            }
        }
        Derived {
            dibao_reference_day: if r.dibao_age_at_month_end {
                last
            } else {
                first
            },
            month_last_day: last,
            illustrative,
            window_first: (
                r.month
                    .minus(u32::try_from(r.dibao_income_window_months).unwrap_or(0)),
                r.month
                    .minus(u32::try_from(r.dibao_expenditure_window_months).unwrap_or(0)),
            ),
            dibao_savings_limit_per_person: scale(
                r.dibao_standard,
                r.dibao_savings_limit,
                Rounding::FenHalfUp,
            ),
        }
    }
}

/// How a parameter was used, for explanations.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Citation {
    /// Key in the parameter file.
    pub key: &'static str,
    /// Chinese label.
    pub label: &'static str,
    /// The value as shown.
    pub value: String,
    /// In force from.
    pub from: String,
    /// Source document.
    pub source: String,
    /// Whether the value is only illustrative.
    pub illustrative: bool,
}

impl Resolved {
    /// The entry a parameter's value came from.
    pub fn entry(&self, p: P) -> &Entry {
        &self.entries[p as usize]
    }

    /// The citations of every parameter for explanations, by [`P`]. They are built once per
    /// month and shared: an explanation's root holds them, its steps name parameters by [`P`].
    pub fn citations(&self) -> std::sync::Arc<[Citation]> {
        self.citations.clone()
    }
}

fn citation(index: usize, e: &Entry) -> Citation {
    let def = DEFS[index];
    Citation {
        key: def.key,
        label: def.label,
        value: e.value.to_string(),
        from: e.from.to_string(),
        source: e.source.clone(),
        illustrative: e.status == Status::Illustrative,
    }
}

/// Multiplies money by a ratio and rounds by a named rule.
pub fn scale(amount: Money, ratio: Ratio, rule: Rounding) -> Money {
    ratio.of(amount).round(rule)
}

/// The rounding of a share shown to people, named like every other rounding: [`share`] rounds
/// half up to a basis point. Decisions never depend on it: [`within`] compares exactly.
pub const SHARE_ROUNDING: &str = "四舍五入到0.01%";

/// `part ÷ whole` as a ratio for display, rounded by [`SHARE_ROUNDING`]; `None` when `whole` is
/// zero (a share of nothing is undefined, not 0%).
pub fn share(part: i64, whole: i64) -> Option<Ratio> {
    if whole <= 0 {
        return None;
    }
    let (n, d) = (i128::from(part) * 10_000, i128::from(whole));
    let bp = (2 * n + d).div_euclid(2 * d);
    Some(Ratio(
        i64::try_from(bp).expect("a share of i64 amounts fits in i64 basis points"),
    ))
}

/// Whether `part ÷ whole ≤ limit`, exactly (cross-multiplied in integers, never rounded).
pub fn within(part: i64, whole: i64, limit: Ratio) -> bool {
    i128::from(part) * 10_000 <= i128::from(limit.0) * i128::from(whole)
}

impl Resolved {
    /// The months whose figures the dibao rules of this month may read: from the first month
    /// of the longer of the two income windows (2.1.a, 2.1.b) up to, not including, the month.
    /// Loading a household's figures for this span is enough for either rule.
    pub fn income_window(&self) -> (Month, Month) {
        let months = self
            .dibao_income_window_months
            .max(self.dibao_expenditure_window_months);
        (
            self.month.minus(u32::try_from(months).unwrap_or(0)),
            self.month,
        )
    }

    /// The casework time limits and notice length in force this month (4.2.b).
    pub fn case_limits(&self) -> doudi_core::casework::Limits {
        let days = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        doudi_core::casework::Limits {
            notice_days: days(self.casework_notice_days),
            working_days: days(self.casework_time_limit),
            working_days_complex: days(self.casework_time_limit_complex),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_rounds_half_up_to_a_basis_point_but_comparisons_are_exact() {
        assert_eq!(share(1, 3), Some(Ratio(3_333)));
        assert_eq!(share(2, 3), Some(Ratio(6_667)));
        assert_eq!(
            share(1, 20_000),
            Some(Ratio(1)),
            "0.005% rounds half up to 0.01%"
        );
        assert_eq!(share(0, 0), None);
        // 1,500.01 of 10,000 shows as 15% yet is above a 15% limit.
        assert_eq!(share(150_001, 1_000_000), Some(Ratio(1_500)));
        assert!(!within(150_001, 1_000_000, Ratio(1_500)));
        assert!(within(150_000, 1_000_000, Ratio(1_500)));
    }

    #[test]
    fn the_yunyang_parameters_parse_and_resolve_for_every_month_since_2018() {
        let p = Parameters::yunyang();
        let mut m = Month::new(2018, 1).unwrap();
        while m <= Month::new(2030, 12).unwrap() {
            Resolved::new(&p, m).unwrap_or_else(|e| panic!("{e}"));
            m = Month::of(m.first_day() + chrono::Duration::days(32));
        }
    }

    #[test]
    fn every_official_value_carries_a_source() {
        let p = Parameters::yunyang();
        for (i, def) in DEFS.iter().enumerate() {
            for e in p.history(i) {
                if e.status == Status::Official {
                    assert!(
                        e.source.chars().count() >= 6,
                        "{} from {} is official without a real source",
                        def.key,
                        e.from
                    );
                    // A source that calls itself an example, a third party's page or a value
                    // for the county to confirm is not an official source.
                    for word in ["示例", "第三方", "待县", "请县里确认"] {
                        assert!(
                            !e.source.contains(word),
                            "{} from {} is official but its source says “{word}”: {}",
                            def.key,
                            e.from,
                            e.source
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_standard_in_force_follows_the_dated_values() {
        let p = Parameters::yunyang();
        let at = |y, m| {
            Resolved::new(&p, Month::new(y, m).unwrap())
                .unwrap()
                .dibao_standard
        };
        assert_eq!(at(2018, 6), Money::from_yuan(546));
        assert_eq!(at(2020, 8), Money::from_yuan(580));
        assert_eq!(at(2020, 9), Money::from_yuan(620));
        assert_eq!(at(2021, 9), Money::from_yuan(636));
    }

    #[test]
    fn the_tekun_multiple_reproduces_every_official_basic_standard() {
        let p = Parameters::yunyang();
        for (y, m, expected) in [
            (2018, 6, 710),
            (2019, 6, 754),
            (2020, 9, 806),
            (2021, 9, 827),
        ] {
            let r = Resolved::new(&p, Month::new(y, m).unwrap()).unwrap();
            assert_eq!(
                scale(
                    r.dibao_standard,
                    r.tekun_basic_multiple,
                    r.tekun_basic_rounding
                ),
                Money::from_yuan(expected)
            );
        }
    }

    #[test]
    fn a_tekun_standard_is_official_only_where_a_document_gives_that_figure() {
        // POLICY-FACTS: 710 (2018), 754 (2019, on the illustrative 580), 806 (2020-09) and 827
        // (2021-09) have sources; 932 only a third-party page, and for 2023-09 (956) none.
        let documented = [710, 754, 806, 827].map(Money::from_yuan);
        let p = Parameters::yunyang();
        let mut m = Month::new(2018, 1).unwrap();
        while m <= Month::new(2030, 12).unwrap() {
            let r = Resolved::new(&p, m).unwrap();
            let basic = scale(
                r.dibao_standard,
                r.tekun_basic_multiple,
                r.tekun_basic_rounding,
            );
            let official = [P::dibao_standard, P::tekun_basic_multiple]
                .iter()
                .all(|q| r.entry(*q).status == Status::Official);
            if official {
                assert!(
                    documented.contains(&basic),
                    "{m}: {basic} is computed from official values but no document gives it"
                );
            }
            m = m.plus(1);
        }
        let r = Resolved::new(&p, Month::new(2023, 9).unwrap()).unwrap();
        assert_eq!(
            r.entry(P::tekun_basic_multiple).status,
            Status::Illustrative,
            "956 has no source"
        );
    }

    #[test]
    fn each_dibao_window_cites_its_own_clause() {
        let window = DEFS[P::dibao_income_window_months as usize];
        let expenditure = DEFS[P::dibao_expenditure_window_months as usize];
        assert_eq!((window.clause, expenditure.clause), ("2.1.a", "2.1.b"));
        let r = Resolved::new(&Parameters::yunyang(), Month::new(2026, 11).unwrap()).unwrap();
        // 22号 sets 6 months for expenditure-type applications only.
        assert_eq!(
            r.entry(P::dibao_expenditure_window_months).status,
            Status::Official
        );
        assert_eq!(
            r.entry(P::dibao_income_window_months).status,
            Status::Illustrative
        );
        assert!(
            !r.entry(P::dibao_income_window_months)
                .source
                .starts_with("云阳府办发〔2019〕22号")
        );
    }

    #[test]
    fn a_township_outside_yunyang_is_refused_in_a_parameter_file() {
        let errors = errors_of(&with(
            "value = [\"500235001\", \"500235002\"]",
            "value = [\"500235001\", \"110101001\"]",
        ));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains(
                "tekun.county_home_townships：区划代码“110101001”不是云阳县的街道、镇或乡"
            ),
            "{errors:?}"
        );
    }

    #[test]
    fn an_income_window_outside_one_to_120_months_is_refused() {
        for bad in ["value = 0", "value = 121", "value = 9223372036854775807"] {
            let errors = errors_of(&with(
                "value = 6\nstatus = \"illustrative\"",
                &format!("{bad}\nstatus = \"illustrative\""),
            ));
            assert!(
                // A value past any count is refused by the parameter file's own bound first.
                errors.iter().any(|e| {
                    e.contains("dibao.income_window_months：收入计算月数应为1至120个月")
                        || (bad.contains("9223") && e.contains("dibao.income_window_months：数量"))
                }),
                "{bad}: {errors:?}"
            );
        }
        let from = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        let e = Parameters::yunyang()
            .with_change("dibao.expenditure_window_months", from, "0", "模拟")
            .unwrap_err();
        assert!(e.contains("收入计算月数应为1至120个月"), "{e}");
    }

    fn errors_of(text: &str) -> Vec<String> {
        Parameters::parse(text)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn with(replace: &str, by: &str) -> String {
        let text = include_str!("../data/yunyang.toml");
        assert!(text.contains(replace), "{replace}");
        text.replacen(replace, by, 1)
    }

    #[test]
    fn an_unknown_key_is_rejected_with_its_line() {
        let text = format!(
            "{}\n[dibao2]\n[[dibao2.standard]]\nfrom = 2018-01-01\nvalue = \"1\"\nstatus = \"illustrative\"\nsource = \"x\"\n",
            include_str!("../data/yunyang.toml")
        );
        let errors = errors_of(&text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].ends_with("未知参数“dibao2.standard”"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_negative_standard_is_rejected_with_its_line() {
        let errors = errors_of(&with("value = \"546\"", "value = \"-546\""));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("dibao.standard：金额不能为负数"),
            "{errors:?}"
        );
        assert!(!errors[0].starts_with("第0行"), "{errors:?}");
    }

    #[test]
    fn two_values_on_the_same_date_are_rejected_as_overlapping() {
        let errors = errors_of(&with(
            "from = 2020-09-01\nvalue = \"620\"",
            "from = 2021-09-01\nvalue = \"620\"",
        ));
        assert!(
            errors
                .iter()
                .any(|e| e.contains("dibao.standard 在 2021-09-01 有两个取值")),
            "{errors:?}"
        );
    }

    #[test]
    fn a_missing_parameter_is_named() {
        let text = include_str!("../data/yunyang.toml");
        let start = text.find("[[dibao.extra_student]]").unwrap();
        let end = start + text[start + 1..].find("[[").unwrap() + 1;
        let errors = errors_of(&format!("{}{}", &text[..start], &text[end..]));
        assert!(
            errors
                .iter()
                .any(|e| e.contains("缺少参数“dibao.extra_student”")),
            "{errors:?}"
        );
    }

    #[test]
    fn money_written_as_a_float_is_refused() {
        let errors = errors_of(&with("value = \"546\"", "value = 546.5"));
        assert!(errors[0].contains("金额请写成字符串"), "{errors:?}");
    }

    #[test]
    fn an_official_value_without_a_source_is_refused() {
        let errors = errors_of(&with(
            "source = \"重庆市民政局 2018年城乡低保标准调整通知（2018-08-29 报道，补发）\"",
            "source = \"\"",
        ));
        assert!(
            errors.iter().any(|e| e.contains("必须注明来源")),
            "{errors:?}"
        );
    }

    #[test]
    fn a_proposed_change_applies_from_its_date_only() {
        let p = Parameters::yunyang()
            .with_change(
                "dibao.standard",
                chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
                "780",
                "模拟",
            )
            .unwrap();
        let at = |y, m| {
            Resolved::new(&p, Month::new(y, m).unwrap())
                .unwrap()
                .dibao_standard
        };
        assert_eq!(at(2026, 12), Money::from_yuan(735));
        assert_eq!(at(2027, 1), Money::from_yuan(780));
    }
}

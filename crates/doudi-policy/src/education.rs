//! Education assistance by stage (2.5): what a dibao or tekun student is owed in one school
//! term, as itemised lines.
//!
//! - Preschool: fees (保教费) and living costs waived.
//! - Compulsory (primary, junior): the boarding living subsidy, for boarders only.
//! - Senior high: tuition waived, the national grant, and free textbooks from the spring term
//!   of 2019 to 2020 (`education.textbooks` is zero outside that span).
//! - Secondary vocational: tuition waived, the national grant, and the lodging subsidy. The
//!   lodging subsidy pays part of a lodging fee, which only boarders pay, so it is for boarders.
//! - Higher education: eligibility for a student loan (生源地助学贷款) up to the yearly ceiling;
//!   a line for information, not a payment.
//!
//! The clause offers free textbooks to "高中阶段" students. This crate reads it, as the clause's
//! own list does (高中教育 beside 中职教育), as senior high only; if the county applies it to
//! secondary vocational students too, that is one more line in [`education`].
//!
//! Terms: the spring term runs March–August, the autumn term September–February. Every
//! parameter is read for the term's first month. Yearly amounts are halved per term with the
//! named rule `education.term_rounding`.

use std::fmt;

use chrono::NaiveDate;
use doudi_core::{Category, Money, Month, SchoolStage};

use crate::explain::{Explanation, Trace};
use crate::params::{Fraction, Parameters};
use crate::snapshot::Snapshot;
use crate::{MissingParameter, P, Resolved};

/// The half of a school year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Season {
    /// 春季学期: March to August.
    Spring,
    /// 秋季学期: September to February of the next year.
    Autumn,
}

/// A school term: the spring term of `year` (March–August), or its autumn term (September of
/// `year` to February of `year + 1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Term {
    /// The calendar year the term starts in.
    pub year: i32,
    /// Spring or autumn.
    pub season: Season,
}

impl Term {
    /// The term a month belongs to: January and February belong to the previous year's autumn
    /// term.
    pub fn of(m: Month) -> Term {
        match m.number() {
            3..=8 => Term {
                year: m.year(),
                season: Season::Spring,
            },
            9..=12 => Term {
                year: m.year(),
                season: Season::Autumn,
            },
            _ => Term {
                year: m.year() - 1,
                season: Season::Autumn,
            },
        }
    }

    /// The term's first month, whose parameters the term uses.
    pub fn first_month(self) -> Month {
        let month = match self.season {
            Season::Spring => 3,
            Season::Autumn => 9,
        };
        Month::new(self.year, month).expect("a term's year is in range")
    }

    /// The term's last month.
    pub fn last_month(self) -> Month {
        match self.season {
            Season::Spring => Month::new(self.year, 8),
            Season::Autumn => Month::new(self.year + 1, 2),
        }
        .expect("a term's year is in range")
    }

    /// The term's first day.
    pub fn first_day(self) -> NaiveDate {
        self.first_month().first_day()
    }

    /// A stable code: `2026-autumn`, `2026-spring`.
    pub fn code(self) -> String {
        let season = match self.season {
            Season::Autumn => "autumn",
            Season::Spring => "spring",
        };
        format!("{}-{season}", self.year)
    }

    /// The term of a code ([`Term::code`]), years 2000 to 2100.
    pub fn parse(code: &str) -> Option<Term> {
        let (year, season) = code.trim().split_once('-')?;
        let year: i32 = year.parse().ok()?;
        if !(2000..=2100).contains(&year) {
            return None;
        }
        let season = match season {
            "autumn" => Season::Autumn,
            "spring" => Season::Spring,
            _ => return None,
        };
        Some(Term { year, season })
    }

    /// The term before (`false`) or after (`true`) this one.
    pub fn neighbour(self, next: bool) -> Term {
        match (self.season, next) {
            (Season::Spring, true) => Term {
                year: self.year,
                season: Season::Autumn,
            },
            (Season::Autumn, true) => Term {
                year: self.year + 1,
                season: Season::Spring,
            },
            (Season::Spring, false) => Term {
                year: self.year - 1,
                season: Season::Autumn,
            },
            (Season::Autumn, false) => Term {
                year: self.year,
                season: Season::Spring,
            },
        }
    }

    /// The parameters of the term (those in force in its first month).
    pub fn resolve(self, params: &Parameters) -> Result<Resolved, MissingParameter> {
        Resolved::new(params, self.first_month())
    }
}

impl fmt::Display for Term {
    /// `2019年春季学期`, `2019年秋季学期`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let season = match self.season {
            Season::Spring => "春季",
            Season::Autumn => "秋季",
        };
        write!(f, "{}年{season}学期", self.year)
    }
}

/// A student as 2.5 sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Student {
    /// The stage of schooling.
    pub stage: SchoolStage,
    /// Whether the student boards (lives at school).
    pub boarding: bool,
    /// The household's category; 2.5 treats dibao and tekun students alike.
    pub category: Category,
}

/// How an item reaches the student.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Nature {
    /// A fee the school does not charge (免收).
    Waiver,
    /// Money paid to the student (发放).
    Grant,
    /// Something given in kind (免费提供).
    InKind,
    /// A loan the student may apply for, up to the amount; not a payment.
    Loan,
}

impl Nature {
    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Nature::Waiver => "免收",
            Nature::Grant => "发放",
            Nature::InKind => "免费提供",
            Nature::Loan => "可申请贷款（上限）",
        }
    }
}

/// A kind of item owed under 2.5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// 学前教育保教费.
    PreschoolFees,
    /// 学前教育生活费.
    PreschoolLiving,
    /// 义务教育寄宿生生活补助.
    BoardingSubsidy,
    /// 普通高中学费.
    SeniorTuition,
    /// 普通高中国家助学金.
    SeniorGrant,
    /// 高中阶段教科书.
    Textbooks,
    /// 中职学费.
    VocationalTuition,
    /// 中职国家助学金.
    VocationalGrant,
    /// 中职住宿费补助.
    VocationalLodging,
    /// 生源地信用助学贷款.
    StudentLoan,
}

impl ItemKind {
    /// A stable code, for files and the API.
    pub fn code(self) -> &'static str {
        match self {
            ItemKind::PreschoolFees => "preschool_fees",
            ItemKind::PreschoolLiving => "preschool_living",
            ItemKind::BoardingSubsidy => "boarding_subsidy",
            ItemKind::SeniorTuition => "senior_tuition",
            ItemKind::SeniorGrant => "senior_grant",
            ItemKind::Textbooks => "textbooks",
            ItemKind::VocationalTuition => "vocational_tuition",
            ItemKind::VocationalGrant => "vocational_grant",
            ItemKind::VocationalLodging => "vocational_lodging",
            ItemKind::StudentLoan => "student_loan",
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::PreschoolFees => "免保教费",
            ItemKind::PreschoolLiving => "免生活费",
            ItemKind::BoardingSubsidy => "寄宿生生活补助",
            ItemKind::SeniorTuition => "普通高中免学费",
            ItemKind::SeniorGrant => "普通高中国家助学金",
            ItemKind::Textbooks => "免费教科书",
            ItemKind::VocationalTuition => "中职免学费",
            ItemKind::VocationalGrant => "中职国家助学金",
            ItemKind::VocationalLodging => "中职住宿费补助",
            ItemKind::StudentLoan => "生源地信用助学贷款",
        }
    }

    /// How it reaches the student.
    pub fn nature(self) -> Nature {
        match self {
            ItemKind::PreschoolFees
            | ItemKind::PreschoolLiving
            | ItemKind::SeniorTuition
            | ItemKind::VocationalTuition => Nature::Waiver,
            ItemKind::BoardingSubsidy
            | ItemKind::SeniorGrant
            | ItemKind::VocationalGrant
            | ItemKind::VocationalLodging => Nature::Grant,
            ItemKind::Textbooks => Nature::InKind,
            ItemKind::StudentLoan => Nature::Loan,
        }
    }
}

/// One line of what a student is owed in a term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item {
    /// What it is.
    pub kind: ItemKind,
    /// Its value for the term; for a loan, the yearly ceiling.
    pub amount: Money,
}

/// What a student is owed in one term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EducationDecision {
    /// The term.
    pub term: Term,
    /// The stage.
    pub stage: SchoolStage,
    /// The lines owed, in the order of the clause; lines worth nothing this term are left out.
    pub items: Vec<Item>,
    /// The value of everything waived, paid or given this term (loans excluded).
    pub total: Money,
    /// For higher education, the yearly loan ceiling.
    pub loan_ceiling: Option<Money>,
}

/// A yearly amount's share for one term: ÷ 2 by the named rule `education.term_rounding`.
fn per_term(yearly: Money, r: &Resolved) -> (Money, Fraction) {
    let exact = Fraction::new(yearly.fen(), 2);
    (exact.round(r.education_term_rounding), exact)
}

/// Records one item (or why it is not owed) as a step.
fn line<T: Trace>(
    t: &mut T,
    kind: ItemKind,
    amount: Money,
    params: &[P],
    how: impl FnOnce(&mut Explanation),
) {
    let mut step = t.sub("2.5", kind.label());
    step.with(|e| {
        for p in params {
            e.cite(*p);
        }
        how(e);
        if e.result.is_empty() {
            e.result = format!("{}{amount}", kind.nature().label()).into();
        }
    });
    t.attach(step);
}

/// 2.5: what `s` is owed in `term`, with `r` resolved for the term's first month
/// ([`Term::resolve`]).
///
/// # Panics
///
/// When `r` was resolved for another month than the term's first: the term's parameters are
/// those of its first month, and a mismatch is a programming error.
pub fn education<T: Trace>(s: &Student, term: Term, r: &Resolved, t: &mut T) -> EducationDecision {
    assert_eq!(
        r.month,
        term.first_month(),
        "education parameters are read for the term's first month"
    );
    let mut items = Vec::with_capacity(3);
    t.with(|e| {
        e.fact("学期", term.to_string());
        e.fact("参数读取月份", term.first_month());
        e.fact("就学阶段", s.stage.label());
        e.fact(
            "资助对象",
            format!("{}家庭在校（园）学生", s.category.label()),
        );
        e.fact("寄宿", if s.boarding { "是" } else { "否" });
    });
    match s.stage {
        SchoolStage::Preschool => {
            items.push(Item {
                kind: ItemKind::PreschoolFees,
                amount: r.education_preschool_fees,
            });
            line(
                t,
                ItemKind::PreschoolFees,
                r.education_preschool_fees,
                &[P::education_preschool_fees],
                |_| {},
            );
            items.push(Item {
                kind: ItemKind::PreschoolLiving,
                amount: r.education_preschool_living,
            });
            line(
                t,
                ItemKind::PreschoolLiving,
                r.education_preschool_living,
                &[P::education_preschool_living],
                |_| {},
            );
        }
        SchoolStage::Primary | SchoolStage::Junior => {
            let (p, yearly) = if s.stage == SchoolStage::Primary {
                (P::education_boarding_primary, r.education_boarding_primary)
            } else {
                (P::education_boarding_junior, r.education_boarding_junior)
            };
            let (amount, exact) = per_term(yearly, r);
            if s.boarding {
                items.push(Item {
                    kind: ItemKind::BoardingSubsidy,
                    amount,
                });
            }
            line(
                t,
                ItemKind::BoardingSubsidy,
                amount,
                &[p, P::education_term_rounding],
                |e| {
                    if s.boarding {
                        e.calc(halving(yearly, exact, amount, r));
                    } else {
                        e.result = "非寄宿生，不享受寄宿生生活补助".into();
                    }
                },
            );
        }
        SchoolStage::SeniorHigh => {
            items.push(Item {
                kind: ItemKind::SeniorTuition,
                amount: r.education_senior_tuition,
            });
            line(
                t,
                ItemKind::SeniorTuition,
                r.education_senior_tuition,
                &[P::education_senior_tuition],
                |_| {},
            );
            let (grant, exact) = per_term(r.education_senior_grant, r);
            items.push(Item {
                kind: ItemKind::SeniorGrant,
                amount: grant,
            });
            line(
                t,
                ItemKind::SeniorGrant,
                grant,
                &[P::education_senior_grant, P::education_term_rounding],
                |e| {
                    e.calc(halving(r.education_senior_grant, exact, grant, r));
                },
            );
            let books = r.education_textbooks;
            if books > Money::ZERO {
                items.push(Item {
                    kind: ItemKind::Textbooks,
                    amount: books,
                });
            }
            line(
                t,
                ItemKind::Textbooks,
                books,
                &[P::education_textbooks],
                |e| {
                    if books == Money::ZERO {
                        e.result =
                            "本学期不在免费提供教科书期间（2019年春季学期起至2020年），不享受"
                                .into();
                    }
                },
            );
        }
        SchoolStage::Vocational => {
            items.push(Item {
                kind: ItemKind::VocationalTuition,
                amount: r.education_vocational_tuition,
            });
            line(
                t,
                ItemKind::VocationalTuition,
                r.education_vocational_tuition,
                &[P::education_vocational_tuition],
                |_| {},
            );
            let (grant, exact) = per_term(r.education_vocational_grant, r);
            items.push(Item {
                kind: ItemKind::VocationalGrant,
                amount: grant,
            });
            line(
                t,
                ItemKind::VocationalGrant,
                grant,
                &[P::education_vocational_grant, P::education_term_rounding],
                |e| {
                    e.calc(halving(r.education_vocational_grant, exact, grant, r));
                },
            );
            let lodging = r.education_vocational_lodging;
            if s.boarding {
                items.push(Item {
                    kind: ItemKind::VocationalLodging,
                    amount: lodging,
                });
            }
            line(
                t,
                ItemKind::VocationalLodging,
                lodging,
                &[P::education_vocational_lodging],
                |e| {
                    if !s.boarding {
                        e.result = "不住校，无住宿费可补助".into();
                    }
                },
            );
        }
        SchoolStage::Higher => {
            let ceiling = r.education_higher_loan_max;
            items.push(Item {
                kind: ItemKind::StudentLoan,
                amount: ceiling,
            });
            line(
                t,
                ItemKind::StudentLoan,
                ceiling,
                &[P::education_higher_loan_max],
                |e| {
                    e.result =
                        format!("可申请生源地信用助学贷款，每年不超过 {ceiling}（贷款，非发放）")
                            .into();
                },
            );
        }
    }
    items.retain(|i| i.amount > Money::ZERO);
    let total: Money = items
        .iter()
        .filter(|i| i.kind.nature() != Nature::Loan)
        .map(|i| i.amount)
        .sum();
    let loan_ceiling = items
        .iter()
        .find(|i| i.kind == ItemKind::StudentLoan)
        .map(|i| i.amount);
    t.with(|e| {
        e.result = if items.is_empty() {
            "本学期无资助项目".into()
        } else {
            let lines: Vec<String> = items
                .iter()
                .map(|i| format!("{}{}", i.kind.label(), i.amount))
                .collect();
            match loan_ceiling {
                Some(_) if items.len() == 1 => lines.join("、").into(),
                _ => format!("{}，合计 {total}", lines.join("、")).into(),
            }
        };
    });
    EducationDecision {
        term,
        stage: s.stage,
        items,
        total,
        loan_ceiling,
    }
}

fn halving(yearly: Money, exact: Fraction, amount: Money, r: &Resolved) -> String {
    let sign = if exact.is_exact() { "=" } else { "≈" };
    format!(
        "{yearly}/年 ÷ 2 {sign} {amount}/学期（{}）",
        r.education_term_rounding.label()
    )
}

/// The explained items of one student in one term.
pub fn explain(s: &Student, term: Term, r: &Resolved) -> (EducationDecision, Explanation) {
    let mut e = Explanation::root("2.5", format!("教育资助（{term}，{}）", s.stage.label()), r);
    let d = education(s, term, r, &mut e);
    (d, e)
}

/// One student of a household with what they are owed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudentItems {
    /// Index of the member in the snapshot.
    pub member: usize,
    /// What they are owed in the term.
    pub decision: EducationDecision,
}

/// 2.5 for a whole household: every member at school (or kindergarten) on the term's first day,
/// with what they are owed in `term` (`r` resolved for its first month).
pub fn students<T: Trace>(h: &Snapshot, term: Term, r: &Resolved, t: &mut T) -> Vec<StudentItems> {
    let day = term.first_day();
    let mut out = Vec::new();
    for (i, m) in h.members.iter().enumerate() {
        // A member not yet born on the term's first day is at no school (a stage recorded
        // for them is ignored, as 2.1.a ignores members born after its month).
        if m.birth > day {
            continue;
        }
        let Some(stage) = m.stage_on(day) else {
            continue;
        };
        let student = Student {
            stage,
            boarding: m.boarding,
            category: h.category,
        };
        let mut step = t.sub(
            "2.5",
            if T::ON {
                crate::text!("第{}位成员（{}）", i + 1, stage.label())
            } else {
                crate::explain::Text::EMPTY
            },
        );
        let decision = education(&student, term, r, &mut step);
        t.attach(step);
        out.push(StudentItems {
            member: i,
            decision,
        });
    }
    let total = out
        .iter()
        .fold(Money::ZERO, |a, s| a.saturating_add(s.decision.total));
    t.with(|e| {
        e.fact("学期", term.to_string());
        e.result = format!("在校（园）学生{}人，本学期资助合计 {total}", out.len()).into();
    });
    out
}

/// The explained items of every student of a household in one term.
pub fn explain_students(
    h: &Snapshot,
    term: Term,
    r: &Resolved,
) -> (Vec<StudentItems>, Explanation) {
    let mut e = Explanation::root("2.5", format!("家庭学生教育资助（{term}）"), r);
    let d = students(h, term, r, &mut e);
    (d, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(y: i32, m: u32) -> Month {
        Month::new(y, m).unwrap()
    }

    #[test]
    fn every_month_maps_to_the_term_that_contains_it() {
        for (y, m, term) in [
            (
                2019,
                1,
                Term {
                    year: 2018,
                    season: Season::Autumn,
                },
            ),
            (
                2019,
                2,
                Term {
                    year: 2018,
                    season: Season::Autumn,
                },
            ),
            (
                2019,
                3,
                Term {
                    year: 2019,
                    season: Season::Spring,
                },
            ),
            (
                2019,
                8,
                Term {
                    year: 2019,
                    season: Season::Spring,
                },
            ),
            (
                2019,
                9,
                Term {
                    year: 2019,
                    season: Season::Autumn,
                },
            ),
            (
                2019,
                12,
                Term {
                    year: 2019,
                    season: Season::Autumn,
                },
            ),
        ] {
            assert_eq!(Term::of(month(y, m)), term, "{y}-{m}");
        }
        let mut m = month(2018, 1);
        while m <= month(2031, 12) {
            let term = Term::of(m);
            assert!(
                term.first_month() <= m && m <= term.last_month(),
                "{m} in {term}"
            );
            assert_eq!(Term::of(term.first_month()), term);
            assert_eq!(Term::of(term.last_month()), term);
            m = Month::of(m.first_day() + chrono::Duration::days(32));
        }
    }

    #[test]
    fn a_term_reads_as_its_chinese_name() {
        assert_eq!(
            Term {
                year: 2019,
                season: Season::Spring
            }
            .to_string(),
            "2019年春季学期"
        );
        assert_eq!(Term::of(month(2020, 2)).to_string(), "2019年秋季学期");
    }

    #[test]
    fn an_odd_yearly_amount_halves_by_the_named_rule() {
        let r = Resolved::new(&Parameters::yunyang(), month(2019, 3)).unwrap();
        let (amount, exact) = per_term(Money::from_fen(100_001), &r);
        assert!(!exact.is_exact());
        assert_eq!(amount, Money::from_fen(50_001), "fen_half_up");
    }
}

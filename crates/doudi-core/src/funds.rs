//! Funds supervision (5.2: "budgeted, earmarked funds; finance and audit watch for misuse"): the
//! words of the audit checks and of a finding's state, who reads and writes what, and
//! [`check_month`], the six checks as one pure function over plain rows the store reads. The
//! store keeps budgets and findings (`doudi-store/src/funds.rs`); the use cases are in
//! `doudi-app/src/funds.rs`.
//!
//! **Invariant:** a finding's dedupe key depends only on what it is about (check, month,
//! household, payment line, person), never on when it was found, so running the checks again
//! finds the same keys and the store keeps each finding once.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::access::{Actor, Role};
use crate::casework::{CaseType, StepKind};
use crate::disaster::{PaymentProgram, ReliefKind};
use crate::household::Month;
use crate::money::Money;
use crate::vocabulary;

vocabulary! {
    /// The six audit checks of 5.2.
    CheckKind, "核查规则" {
        /// The same household or person paid twice in a month.
        DoublePayment = ("double_payment", "重复发放"),
        /// Paid for a month after a death.
        AfterDeath = ("after_death", "死亡后仍发放"),
        /// Paid more than the decision or the relief gives.
        OverAmount = ("over_amount", "超过核定金额"),
        /// Paid in two townships, or where the household does not live.
        TwoTownships = ("two_townships", "跨乡镇发放"),
        /// One bank account for several households.
        SharedAccount = ("shared_account", "多户共用银行账户"),
        /// A payment whose decision lacks a required step, or without a decision.
        MissingSteps = ("missing_steps", "决定缺少法定程序"),
    }
}

vocabulary! {
    /// Where an audit finding stands.
    FindingState, "核查状态" {
        /// Found, nobody has looked yet.
        Open = ("open", "待核查"),
        /// An auditor is looking into it.
        Investigating = ("investigating", "核查中"),
        /// It was so: misuse or a mistake to recover.
        Confirmed = ("confirmed", "属实"),
        /// It was not so, with the reason in the notes.
        Dismissed = ("dismissed", "不属实"),
    }
}

impl FindingState {
    /// Whether the finding is closed (confirmed or dismissed).
    pub fn is_closed(self) -> bool {
        matches!(self, FindingState::Confirmed | FindingState::Dismissed)
    }

    /// Whether a finding may move from `self` to `to`: open -> investigating -> confirmed or
    /// dismissed (an open finding may be closed at once); a closed finding stays closed.
    pub fn may_become(self, to: FindingState) -> bool {
        use FindingState::*;
        matches!(
            (self, to),
            (Open, Investigating) | (Open | Investigating, Confirmed | Dismissed)
        )
    }
}

/// Who reads budgets, spending and payment traces (5.2): the county approver (finance staff
/// work under that account), auditors and the system.
pub fn may_read_funds(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::CountyApprover | Role::Auditor | Role::System
    )
}

/// Who sets a programme's budget: the county approver.
pub fn may_set_budget(actor: &Actor) -> bool {
    matches!(actor.role, Role::CountyApprover | Role::System)
}

/// Who runs the checks on demand: auditors and the county approver.
pub fn may_run_checks(actor: &Actor) -> bool {
    may_read_funds(actor)
}

/// Who reads findings: auditors and the county approver (the county), township caseworkers
/// (their township's, read-only).
pub fn may_read_findings(actor: &Actor) -> bool {
    may_read_funds(actor) || actor.role == Role::TownshipCaseworker
}

/// Who notes on a finding: auditors and the county approver.
pub fn may_note_findings(actor: &Actor) -> bool {
    may_read_funds(actor)
}

/// Who assigns and moves a finding through its states: auditors (the only place they write).
pub fn may_work_findings(actor: &Actor) -> bool {
    matches!(actor.role, Role::Auditor | Role::System)
}

/// The most one line of a programme may be: a sanity guard against a mistyped figure, not a
/// policy amount. A relief's is its kind's ceiling; a month of dibao or tekun for a whole
/// household is held under ¥10,000.
pub fn ceiling(program: PaymentProgram) -> Money {
    match program {
        PaymentProgram::Dibao | PaymentProgram::Tekun => Money::from_yuan(10_000),
        PaymentProgram::DisasterEmergency => ReliefKind::Emergency.ceiling(),
        PaymentProgram::DisasterCondolence => ReliefKind::Condolence.ceiling(),
        PaymentProgram::DisasterTransitional => ReliefKind::Transitional.ceiling(),
    }
}

/// The case that approved what a line pays, with the steps it went through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseTrace {
    /// The case id.
    pub case_id: i64,
    /// What was applied for.
    pub case_type: CaseType,
    /// The township the case was filed in (code).
    pub township: String,
    /// Its name.
    pub township_name: String,
    /// The day it was decided.
    pub decided_on: Option<NaiveDate>,
    /// The kinds of its steps.
    pub steps: Vec<StepKind>,
}

/// Where a payment line comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineSource {
    /// An entitlement period and the frozen decision behind it.
    Entitlement {
        /// The period.
        entitlement_id: i64,
        /// Its first month.
        from_month: Month,
        /// Its monthly amount.
        monthly: Money,
        /// The frozen decision.
        decision_id: i64,
        /// Its kind (`approve`, `restatement`, `review`, `import`, ...).
        decision_kind: String,
        /// Its amount.
        decision_monthly: Money,
        /// When it was decided.
        decided_on: NaiveDate,
        /// The case that approved the benefit, if one is found.
        case: Option<CaseTrace>,
    },
    /// A month of a disaster relief.
    Relief {
        /// The relief record.
        relief_id: i64,
        /// Its kind.
        kind: ReliefKind,
        /// Its amount (per month for transitional relief).
        amount: Money,
        /// The day it was recorded.
        recorded_on: NaiveDate,
    },
    /// Nothing the line can be traced to.
    Untraced,
}

/// A payment line as the checks read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineRow {
    /// The line's id.
    pub payment_id: i64,
    /// Its month.
    pub month: Month,
    /// The household.
    pub household: i64,
    /// Its file number.
    pub household_number: String,
    /// Its township now (code).
    pub township: String,
    /// Its name.
    pub township_name: String,
    /// Its community now (code): the scope of a finding.
    pub community: String,
    /// What the line pays.
    pub program: PaymentProgram,
    /// How much.
    pub amount: Money,
    /// Where it comes from.
    pub source: LineSource,
}

/// A member of a household paid in the month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRow {
    /// The household.
    pub household: i64,
    /// The person.
    pub person: i64,
    /// A keyed fingerprint of the identity number (never the number).
    pub identity_key: String,
    /// The masked identity number.
    pub masked: String,
}

/// A death known to the platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeathRow {
    /// The household.
    pub household: i64,
    /// The person, when still filed.
    pub person: Option<i64>,
    /// The day of death.
    pub died_on: NaiveDate,
    /// Whether the person was the head of the household.
    pub head: bool,
    /// Whether every member of the household has now died.
    pub whole_household: bool,
    /// Where it is known from, in words (登记 or a department's file).
    pub source: String,
}

/// A household's bank account as the checks read it: a keyed fingerprint and the masked
/// digits, never the account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRow {
    /// The household.
    pub household: i64,
    /// A keyed fingerprint of the account.
    pub key: String,
    /// The account masked (****1234).
    pub masked: String,
}

/// Everything the checks of one month read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckInput {
    /// The month's payment lines.
    pub lines: Vec<LineRow>,
    /// The members of the households paid.
    pub members: Vec<MemberRow>,
    /// Deaths in those households.
    pub deaths: Vec<DeathRow>,
    /// Bank accounts of those households.
    pub accounts: Vec<AccountRow>,
}

/// A finding the checks made, before the store keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFinding {
    /// Which check.
    pub check: CheckKind,
    /// The month checked.
    pub month: Month,
    /// The household.
    pub household: i64,
    /// The person, where it is about one.
    pub person: Option<i64>,
    /// The payment line, where it is about one.
    pub payment: Option<i64>,
    /// Why, in Chinese, with amounts and dates.
    pub explanation: String,
    /// What makes it the same finding when found again.
    pub dedupe: String,
}

/// The steps a case of `case_type` must have gone through before its decision (4.2.b):
/// investigation, appraisal (where the type needs it), the township's opinion, the public
/// notice (where the type needs it) and the county's decision.
pub fn required_steps(case_type: CaseType) -> Vec<StepKind> {
    let mut steps = vec![StepKind::Investigate];
    if case_type.needs_appraisal() {
        steps.push(StepKind::Appraise);
    }
    steps.push(StepKind::TownshipOpinion);
    if case_type.needs_notice() {
        steps.push(StepKind::StartNotice);
    }
    steps.push(StepKind::Approve);
    steps
}

/// The six checks of 5.2 over one month's rows; each finding says why in Chinese and carries
/// its dedupe key. Findings come out in a stable order (check, household, line).
pub fn check_month(month: Month, input: &CheckInput) -> Vec<NewFinding> {
    let mut out = Vec::new();
    let lines: Vec<&LineRow> = input.lines.iter().filter(|l| l.month == month).collect();
    let paid: BTreeMap<i64, &LineRow> = lines.iter().map(|l| (l.household, *l)).collect();
    double_payments(month, &lines, &paid, input, &mut out);
    after_death(month, &lines, input, &mut out);
    over_amount(month, &lines, &mut out);
    two_townships(month, &lines, &paid, input, &mut out);
    shared_accounts(month, &paid, input, &mut out);
    missing_steps(month, &lines, &mut out);
    out
}

/// Check 1: two lines of one programme for one household; dibao and tekun for one household
/// (they exclude each other); one person (by identity) in two paid households of one township.
fn double_payments(
    month: Month,
    lines: &[&LineRow],
    paid: &BTreeMap<i64, &LineRow>,
    input: &CheckInput,
    out: &mut Vec<NewFinding>,
) {
    let mut per: BTreeMap<(i64, PaymentProgram), Vec<&LineRow>> = BTreeMap::new();
    for l in lines {
        per.entry((l.household, l.program)).or_default().push(l);
    }
    for ((household, program), ls) in &per {
        if ls.len() > 1 {
            let amounts: Vec<String> = ls.iter().map(|l| l.amount.to_string()).collect();
            out.push(NewFinding {
                check: CheckKind::DoublePayment,
                month,
                household: *household,
                person: None,
                payment: None,
                explanation: format!(
                    "户{}在{month}有{}笔「{}」发放（{}），同一项目每月只应发放一次",
                    ls[0].household_number,
                    ls.len(),
                    program.label(),
                    amounts.join("、")
                ),
                dedupe: format!("double_payment:{month}:{household}:{}", program.code()),
            });
        }
    }
    for (household, _) in paid.iter() {
        let dibao = per.get(&(*household, PaymentProgram::Dibao));
        let tekun = per.get(&(*household, PaymentProgram::Tekun));
        if let (Some(d), Some(t)) = (dibao, tekun) {
            out.push(NewFinding {
                check: CheckKind::DoublePayment,
                month,
                household: *household,
                person: None,
                payment: None,
                explanation: format!(
                    "户{}在{month}同时领取城市低保（{}）和城市特困供养（{}）：两者不能同时享受",
                    d[0].household_number, d[0].amount, t[0].amount
                ),
                dedupe: format!("double_payment:{month}:{household}:dibao_tekun"),
            });
        }
    }
    for (key, households) in people_in_households(input, paid) {
        let townships: BTreeSet<&str> = households
            .iter()
            .filter_map(|(h, _)| paid.get(h).map(|l| l.township.as_str()))
            .collect();
        if townships.len() != 1 {
            continue;
        }
        let numbers: Vec<&str> = households
            .iter()
            .filter_map(|(h, _)| paid.get(h).map(|l| l.household_number.as_str()))
            .collect();
        for (h, m) in &households {
            out.push(NewFinding {
                check: CheckKind::DoublePayment,
                month,
                household: *h,
                person: Some(m.person),
                payment: None,
                explanation: format!(
                    "身份证号{}同时登记在户{}，{month}各户均已发放：一人只能在一户享受",
                    m.masked,
                    numbers.join("、")
                ),
                dedupe: format!("double_payment:{month}:{h}:person:{key}"),
            });
        }
    }
}

/// The identities filed in more than one household paid in the month, with those households.
fn people_in_households<'a>(
    input: &'a CheckInput,
    paid: &BTreeMap<i64, &LineRow>,
) -> BTreeMap<&'a str, Vec<(i64, &'a MemberRow)>> {
    let mut by_key: BTreeMap<&str, BTreeMap<i64, &MemberRow>> = BTreeMap::new();
    for m in &input.members {
        if paid.contains_key(&m.household) && !m.identity_key.is_empty() {
            by_key
                .entry(m.identity_key.as_str())
                .or_default()
                .insert(m.household, m);
        }
    }
    by_key
        .into_iter()
        .filter(|(_, hs)| hs.len() > 1)
        .map(|(k, hs)| (k, hs.into_iter().collect()))
        .collect()
}

/// Check 2: a line for a month after the death of the head or of every member, or paid at the
/// amount computed while a member now dead was alive.
fn after_death(month: Month, lines: &[&LineRow], input: &CheckInput, out: &mut Vec<NewFinding>) {
    for l in lines {
        for d in input.deaths.iter().filter(|d| d.household == l.household) {
            let death_month = Month::of(d.died_on);
            if l.month <= death_month {
                continue;
            }
            let why = if d.whole_household {
                format!(
                    "该户成员已全部死亡（{}，{}），{}仍发放「{}」{}；死亡当月之后应停发",
                    d.died_on,
                    d.source,
                    l.month,
                    l.program.label(),
                    l.amount
                )
            } else if d.head {
                format!(
                    "户主已于{}死亡（{}），{}仍发放「{}」{}；应先变更户主并重新核定",
                    d.died_on,
                    d.source,
                    l.month,
                    l.program.label(),
                    l.amount
                )
            } else {
                match &l.source {
                    LineSource::Entitlement {
                        entitlement_id,
                        from_month,
                        ..
                    } if *from_month <= death_month => format!(
                        "成员已于{}死亡（{}），{}仍按其在世时核定的待遇期间{}（自{}起）发放{}；应自{}起重新核定",
                        d.died_on,
                        d.source,
                        l.month,
                        entitlement_id,
                        from_month,
                        l.amount,
                        death_month.plus(1)
                    ),
                    _ => continue,
                }
            };
            out.push(NewFinding {
                check: CheckKind::AfterDeath,
                month,
                household: l.household,
                person: d.person,
                payment: Some(l.payment_id),
                explanation: format!("户{}：{why}", l.household_number),
                dedupe: format!(
                    "after_death:{}:{}:{}",
                    l.payment_id,
                    d.person.unwrap_or(0),
                    d.died_on
                ),
            });
        }
    }
}

/// Check 3: more than the decision's (or the relief's) amount, or more than the programme's
/// sanity ceiling.
fn over_amount(month: Month, lines: &[&LineRow], out: &mut Vec<NewFinding>) {
    for l in lines {
        let mut why = Vec::new();
        match &l.source {
            LineSource::Entitlement {
                entitlement_id,
                monthly,
                decision_id,
                decision_monthly,
                ..
            } => {
                if l.amount > *monthly {
                    why.push(format!("高于待遇期间{entitlement_id}核定的每月{monthly}"));
                }
                if l.amount > *decision_monthly && decision_monthly != monthly {
                    why.push(format!("高于决定{decision_id}核定的每月{decision_monthly}"));
                }
            }
            LineSource::Relief {
                relief_id, amount, ..
            } => {
                if l.amount > *amount {
                    why.push(format!("高于救助记录{relief_id}核定的{amount}"));
                }
            }
            LineSource::Untraced => {}
        }
        let cap = ceiling(l.program);
        if l.amount > cap {
            why.push(format!("超过「{}」单笔上限{cap}", l.program.label()));
        }
        if !why.is_empty() {
            out.push(NewFinding {
                check: CheckKind::OverAmount,
                month,
                household: l.household,
                person: None,
                payment: Some(l.payment_id),
                explanation: format!(
                    "户{}{}「{}」发放{}，{}",
                    l.household_number,
                    l.month,
                    l.program.label(),
                    l.amount,
                    why.join("，")
                ),
                dedupe: format!("over_amount:{}", l.payment_id),
            });
        }
    }
}

/// Check 4: one person filed in paid households of two townships; a line paid to a household
/// of one township on a case filed in another.
fn two_townships(
    month: Month,
    lines: &[&LineRow],
    paid: &BTreeMap<i64, &LineRow>,
    input: &CheckInput,
    out: &mut Vec<NewFinding>,
) {
    for (key, households) in people_in_households(input, paid) {
        let places: BTreeSet<&str> = households
            .iter()
            .filter_map(|(h, _)| paid.get(h).map(|l| l.township.as_str()))
            .collect();
        if places.len() < 2 {
            continue;
        }
        let names: Vec<String> = households
            .iter()
            .filter_map(|(h, _)| {
                paid.get(h)
                    .map(|l| format!("{}（{}）", l.household_number, l.township_name))
            })
            .collect();
        for (h, m) in &households {
            out.push(NewFinding {
                check: CheckKind::TwoTownships,
                month,
                household: *h,
                person: Some(m.person),
                payment: None,
                explanation: format!(
                    "身份证号{}登记在不同乡镇的户{}，{month}在{}个乡镇均已发放",
                    m.masked,
                    names.join("、"),
                    places.len()
                ),
                dedupe: format!("two_townships:{month}:{h}:person:{key}"),
            });
        }
    }
    for l in lines {
        if let LineSource::Entitlement {
            case: Some(c),
            entitlement_id,
            ..
        } = &l.source
            && !c.township.is_empty()
            && c.township != l.township
        {
            out.push(NewFinding {
                check: CheckKind::TwoTownships,
                month,
                household: l.household,
                person: None,
                payment: Some(l.payment_id),
                explanation: format!(
                    "户{}档案属{}，但{}「{}」发放{}所依据的待遇期间{}由{}受理的案件{}批准：应在现居乡镇重新申请或办理转移",
                    l.household_number,
                    l.township_name,
                    l.month,
                    l.program.label(),
                    l.amount,
                    entitlement_id,
                    c.township_name,
                    c.case_id
                ),
                dedupe: format!("two_townships:{}", l.payment_id),
            });
        }
    }
}

/// Check 5: one bank account (by its keyed fingerprint) filed for several households paid in
/// the month.
fn shared_accounts(
    month: Month,
    paid: &BTreeMap<i64, &LineRow>,
    input: &CheckInput,
    out: &mut Vec<NewFinding>,
) {
    let mut by_key: BTreeMap<&str, BTreeMap<i64, &AccountRow>> = BTreeMap::new();
    for a in &input.accounts {
        if paid.contains_key(&a.household) && !a.key.is_empty() {
            by_key
                .entry(a.key.as_str())
                .or_default()
                .insert(a.household, a);
        }
    }
    for (_, households) in by_key.into_iter().filter(|(_, h)| h.len() > 1) {
        let numbers: Vec<&str> = households
            .keys()
            .filter_map(|h| paid.get(h).map(|l| l.household_number.as_str()))
            .collect();
        for (h, a) in &households {
            out.push(NewFinding {
                check: CheckKind::SharedAccount,
                month,
                household: *h,
                person: None,
                payment: None,
                explanation: format!(
                    "银行账户{}同时登记为户{}的收款账户，{month}这些户均有发放：资金可能流向同一人",
                    a.masked,
                    numbers.join("、")
                ),
                dedupe: format!("shared_account:{month}:{h}"),
            });
        }
    }
}

/// Check 6: a line without a decision; a decision whose case lacks a required step; a decision
/// (other than one carried from the old system) with no approving case.
fn missing_steps(month: Month, lines: &[&LineRow], out: &mut Vec<NewFinding>) {
    for l in lines {
        let why = match &l.source {
            LineSource::Untraced => Some("找不到依据的待遇决定或救助记录".to_owned()),
            LineSource::Relief { .. } => None,
            LineSource::Entitlement {
                decision_id,
                decision_kind,
                case,
                ..
            } => match case {
                Some(c) => {
                    let missing: Vec<&str> = required_steps(c.case_type)
                        .into_iter()
                        .filter(|s| !c.steps.contains(s))
                        .map(StepKind::label)
                        .collect();
                    (!missing.is_empty()).then(|| {
                        format!(
                            "依据的案件{}（{}）缺少{}环节",
                            c.case_id,
                            c.case_type.label(),
                            missing.join("、")
                        )
                    })
                }
                None if decision_kind == "import" => None,
                None => Some(format!("决定{decision_id}找不到批准它的申请案件")),
            },
        };
        if let Some(why) = why {
            out.push(NewFinding {
                check: CheckKind::MissingSteps,
                month,
                household: l.household,
                person: None,
                payment: Some(l.payment_id),
                explanation: format!(
                    "户{}{}「{}」发放{}：{why}（依据 4.2.b）",
                    l.household_number,
                    l.month,
                    l.program.label(),
                    l.amount
                ),
                dedupe: format!("missing_steps:{}", l.payment_id),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month() -> Month {
        Month::new(2026, 11).expect("a month")
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a day")
    }

    fn case(township: &str) -> CaseTrace {
        CaseTrace {
            case_id: 7,
            case_type: CaseType::Dibao,
            township: township.into(),
            township_name: format!("镇{township}"),
            decided_on: Some(day(2026, 1, 10)),
            steps: required_steps(CaseType::Dibao),
        }
    }

    /// A clean dibao line of household `h` in township "T1" at ¥500.
    fn line(id: i64, h: i64) -> LineRow {
        LineRow {
            payment_id: id,
            month: month(),
            household: h,
            household_number: format!("H{h}"),
            township: "T1".into(),
            township_name: "镇T1".into(),
            community: "T1C".into(),
            program: PaymentProgram::Dibao,
            amount: Money::from_yuan(500),
            source: LineSource::Entitlement {
                entitlement_id: 100 + id,
                from_month: Month::new(2026, 2).expect("a month"),
                monthly: Money::from_yuan(500),
                decision_id: 200 + id,
                decision_kind: "approve".into(),
                decision_monthly: Money::from_yuan(500),
                decided_on: day(2026, 1, 10),
                case: Some(case("T1")),
            },
        }
    }

    fn member(h: i64, p: i64, key: &str) -> MemberRow {
        MemberRow {
            household: h,
            person: p,
            identity_key: key.into(),
            masked: format!("5002************{p:02}"),
        }
    }

    /// Two households, one member each, separate accounts: nothing to find.
    fn clean() -> CheckInput {
        CheckInput {
            lines: vec![line(1, 1), line(2, 2)],
            members: vec![member(1, 11, "k11"), member(2, 21, "k21")],
            deaths: vec![DeathRow {
                household: 2,
                person: Some(22),
                died_on: day(2026, 11, 3),
                head: true,
                whole_household: false,
                source: "登记".into(),
            }],
            accounts: vec![
                AccountRow {
                    household: 1,
                    key: "a1".into(),
                    masked: "****0001".into(),
                },
                AccountRow {
                    household: 2,
                    key: "a2".into(),
                    masked: "****0002".into(),
                },
            ],
        }
    }

    fn of(kind: CheckKind, input: &CheckInput) -> Vec<NewFinding> {
        check_month(month(), input)
            .into_iter()
            .filter(|f| f.check == kind)
            .collect()
    }

    #[test]
    fn a_clean_month_has_no_findings_5_2() {
        // A death in the month paid is not "after" it: the month of death is paid.
        assert_eq!(check_month(month(), &clean()), vec![]);
    }

    #[test]
    fn dibao_and_tekun_for_one_household_is_a_double_payment() {
        let mut input = clean();
        let mut t = line(3, 1);
        t.program = PaymentProgram::Tekun;
        t.amount = Money::from_yuan(800);
        input.lines.push(t);
        let found = of(CheckKind::DoublePayment, &input);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].explanation,
            "户H1在2026-11同时领取城市低保（¥500.00）和城市特困供养（¥800.00）：两者不能同时享受"
        );
    }

    #[test]
    fn two_lines_of_one_programme_and_one_person_in_two_households_are_double_payments() {
        let mut input = clean();
        input.lines.push(line(3, 1));
        input.members.push(member(2, 12, "k11"));
        let found = of(CheckKind::DoublePayment, &input);
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(
            found[0]
                .explanation
                .contains("有2笔「城市低保」发放（¥500.00、¥500.00）")
        );
        assert!(found[1].explanation.contains("同时登记在户H1、H2"));
        assert_eq!(found[1].person, Some(11));
        assert_eq!(found[2].person, Some(12));
    }

    #[test]
    fn a_payment_after_the_heads_death_is_found() {
        let mut input = clean();
        input.deaths[0].died_on = day(2026, 10, 20);
        let found = of(CheckKind::AfterDeath, &input);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].explanation,
            "户H2：户主已于2026-10-20死亡（登记），2026-11仍发放「城市低保」¥500.00；应先变更户主并重新核定"
        );
        assert_eq!(found[0].payment, Some(2));
    }

    #[test]
    fn a_payment_to_a_household_whose_members_all_died_is_found() {
        let mut input = clean();
        input.deaths[0].died_on = day(2026, 9, 1);
        input.deaths[0].whole_household = true;
        let found = of(CheckKind::AfterDeath, &input);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .explanation
                .contains("该户成员已全部死亡（2026-09-01")
        );
    }

    #[test]
    fn a_member_death_counts_only_when_the_amount_was_not_restated() {
        let mut input = clean();
        input.deaths[0].died_on = day(2026, 9, 1);
        input.deaths[0].head = false;
        // The period began in February, before the death: the amount still counts the dead.
        assert_eq!(of(CheckKind::AfterDeath, &input).len(), 1);
        // Restated from October: nothing to find.
        if let LineSource::Entitlement { from_month, .. } = &mut input.lines[1].source {
            *from_month = Month::new(2026, 10).expect("a month");
        }
        assert_eq!(of(CheckKind::AfterDeath, &input), vec![]);
    }

    #[test]
    fn an_amount_above_the_decision_or_the_ceiling_is_found() {
        let mut input = clean();
        input.lines[0].amount = Money::from_yuan(600);
        let mut relief = line(3, 2);
        relief.program = PaymentProgram::DisasterEmergency;
        relief.amount = Money::from_yuan(25_000);
        relief.source = LineSource::Relief {
            relief_id: 9,
            kind: ReliefKind::Emergency,
            amount: Money::from_yuan(25_000),
            recorded_on: day(2026, 11, 2),
        };
        input.lines.push(relief);
        let found = of(CheckKind::OverAmount, &input);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].explanation,
            "户H12026-11「城市低保」发放¥600.00，高于待遇期间101核定的每月¥500.00"
        );
        assert!(
            found[1]
                .explanation
                .contains("超过「灾害应急救助」单笔上限¥20,000.00")
        );
    }

    #[test]
    fn a_person_in_households_of_two_townships_or_a_case_of_another_township_is_found() {
        let mut input = clean();
        input.lines[1].township = "T2".into();
        input.lines[1].township_name = "镇T2".into();
        input.members.push(member(2, 12, "k11"));
        let found = of(CheckKind::TwoTownships, &input);
        // The person in both households (one each), and household 2's case filed in T1.
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(
            found[0]
                .explanation
                .contains("登记在不同乡镇的户H1（镇T1）、H2（镇T2）")
        );
        assert!(found[2].explanation.contains("户H2档案属镇T2"));
        assert!(found[2].explanation.contains("由镇T1受理的案件7批准"));
        // Not a double payment in one township as well.
        assert_eq!(of(CheckKind::DoublePayment, &input), vec![]);
    }

    #[test]
    fn a_bank_account_of_two_households_is_found_masked() {
        let mut input = clean();
        input.accounts[1].key = "a1".into();
        input.accounts[1].masked = "****0001".into();
        let found = of(CheckKind::SharedAccount, &input);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].explanation,
            "银行账户****0001同时登记为户H1、H2的收款账户，2026-11这些户均有发放：资金可能流向同一人"
        );
    }

    #[test]
    fn a_case_without_its_notice_or_a_line_without_a_decision_is_found() {
        let mut input = clean();
        if let LineSource::Entitlement { case: Some(c), .. } = &mut input.lines[0].source {
            c.steps
                .retain(|s| *s != StepKind::StartNotice && *s != StepKind::Investigate);
        }
        input.lines[1].source = LineSource::Untraced;
        let found = of(CheckKind::MissingSteps, &input);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].explanation,
            "户H12026-11「城市低保」发放¥500.00：依据的案件7（城市低保）缺少调查核实、开始公示环节（依据 4.2.b）"
        );
        assert!(
            found[1]
                .explanation
                .contains("找不到依据的待遇决定或救助记录")
        );
    }

    #[test]
    fn a_decision_carried_from_the_old_system_needs_no_case_but_a_restatement_does() {
        let mut input = clean();
        if let LineSource::Entitlement {
            case,
            decision_kind,
            ..
        } = &mut input.lines[0].source
        {
            *case = None;
            *decision_kind = "import".into();
        }
        assert_eq!(of(CheckKind::MissingSteps, &input), vec![]);
        if let LineSource::Entitlement { decision_kind, .. } = &mut input.lines[0].source {
            *decision_kind = "restatement".into();
        }
        assert_eq!(of(CheckKind::MissingSteps, &input).len(), 1);
    }

    #[test]
    fn the_same_rows_give_the_same_dedupe_keys() {
        let mut input = clean();
        input.lines[0].amount = Money::from_yuan(600);
        input.accounts[1].key = "a1".into();
        let a: Vec<String> = check_month(month(), &input)
            .into_iter()
            .map(|f| f.dedupe)
            .collect();
        let b: Vec<String> = check_month(month(), &input)
            .into_iter()
            .map(|f| f.dedupe)
            .collect();
        assert_eq!(a, b);
        let unique: BTreeSet<&String> = a.iter().collect();
        assert_eq!(unique.len(), a.len());
    }

    #[test]
    fn a_finding_moves_forward_only_and_stays_closed() {
        use FindingState::*;
        assert!(Open.may_become(Investigating));
        assert!(Investigating.may_become(Confirmed));
        assert!(Open.may_become(Dismissed));
        assert!(!Confirmed.may_become(Open));
        assert!(!Dismissed.may_become(Confirmed));
        assert!(!Investigating.may_become(Open));
    }
}

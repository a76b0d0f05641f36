//! Households, their members' incomes, assets and expenses, and the 三清 survey (4.2.a).

use std::collections::HashSet;
use std::fmt;

use chrono::NaiveDate;

use crate::division::DivisionCode;
use crate::money::Money;
use crate::person::{BankAccount, Person, PersonFields, Phone, Relation};
use crate::vocabulary;

/// Database id of a household.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HouseholdId(pub i64);

/// Database id of a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonId(pub i64);

vocabulary! {
    /// Which of the two groups clause 1.2 covers a household belongs to.
    Category, "救助类别" {
        Dibao = ("dibao", "城市低保"),
        Tekun = ("tekun", "城市特困"),
    }
}

vocabulary! {
    /// Housing situation (2.6).
    Housing, "住房情况" {
        Owned = ("owned", "自有住房"),
        RentedPrivate = ("rented", "租住私房"),
        PublicRental = ("public_rental", "公租房"),
        Borrowed = ("borrowed", "借住"),
        Unsafe = ("unsafe", "危房"),
        Homeless = ("none", "无房"),
    }
}

vocabulary! {
    /// Causes of poverty (致贫原因), for the classified ledgers of 4.2.a.
    PovertyCause, "致贫原因" {
        Illness = ("illness", "因病"),
        Disability = ("disability", "因残"),
        Schooling = ("schooling", "因学"),
        Disaster = ("disaster", "因灾"),
        LackOfLabour = ("lack_of_labour", "缺劳力"),
        LackOfSkills = ("lack_of_skills", "缺技术"),
        Unemployment = ("unemployment", "失业"),
        OldAge = ("old_age", "年老体弱"),
        Other = ("other", "其他"),
    }
}

vocabulary! {
    /// Needs for help (帮扶需求), for matching help to households (3.1).
    Need, "帮扶需求" {
        Living = ("living", "生活救助"),
        Medical = ("medical", "医疗救助"),
        Education = ("education", "教育救助"),
        Housing = ("housing", "住房保障"),
        Employment = ("employment", "就业帮扶"),
        Care = ("care", "照料护理"),
        Emotional = ("emotional", "心理关爱"),
        Other = ("other", "其他"),
    }
}

/// Why a text is not a household file number (户编号).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("户编号“{0}”无效（应为1至32个字母、数字或连字符）")]
pub struct HouseholdNumberError(pub String);

/// The one rule for a household file number (户编号), used by forms, the API and files: trimmed,
/// full-width letters, digits and hyphens made ASCII, then 1 to 32 ASCII letters, digits or
/// hyphens. Case is kept: `a-1` and `A-1` are different numbers.
pub fn parse_household_number(text: &str) -> Result<String, HouseholdNumberError> {
    let number: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            '－' => '-',
            other => other,
        })
        .collect();
    if number.is_empty()
        || number.len() > 32
        || !number
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(HouseholdNumberError(text.trim().to_owned()));
    }
    Ok(number)
}

/// Everything recorded about a household that a caseworker edits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseholdFields {
    /// The household's file number (户编号), unique in the county.
    pub number: String,
    /// The street, town or township (9-digit code).
    pub township: DivisionCode,
    /// The community (12-digit code), within the township.
    pub community: DivisionCode,
    /// Dibao or tekun.
    pub category: Category,
    /// When the household entered its category.
    pub enrolled_on: NaiveDate,
    /// When it left, if it has.
    pub exited_on: Option<NaiveDate>,
    /// Home address.
    pub address: String,
    /// Contact phone.
    pub phone: Option<Phone>,
    /// Account that payments go to.
    pub bank_account: Option<BankAccount>,
    /// Housing situation.
    pub housing: Housing,
    /// Causes of poverty, sorted, without duplicates.
    pub causes: Vec<PovertyCause>,
    /// Needs for help, sorted, without duplicates.
    pub needs: Vec<Need>,
}

/// A stored household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Household {
    /// Its id.
    pub id: HouseholdId,
    /// Optimistic-concurrency version; every write increments it.
    pub version: i64,
    /// Its fields.
    pub fields: HouseholdFields,
}

/// Why household fields are not acceptable together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HouseholdFieldsError {
    /// The file number is empty or too long.
    #[error("户编号应为1至32个字母、数字或连字符")]
    BadNumber,
    /// The community does not belong to the township.
    #[error("社区{community}不属于乡镇（街道）{township}")]
    CommunityOutsideTownship {
        /// The community code.
        community: String,
        /// The township code.
        township: String,
    },
    /// The exit date is before the enrolment date.
    #[error("退出日期{exited}早于纳入日期{enrolled}")]
    ExitBeforeEnrolment {
        /// Enrolment date.
        enrolled: NaiveDate,
        /// Exit date.
        exited: NaiveDate,
    },
    /// The address is missing.
    #[error("住址为空")]
    NoAddress,
}

impl HouseholdFields {
    /// Checks the rules that tie fields together. Each field is already valid by its type.
    pub fn check(&self) -> Result<(), HouseholdFieldsError> {
        if parse_household_number(&self.number).as_deref() != Ok(self.number.as_str()) {
            return Err(HouseholdFieldsError::BadNumber);
        }
        if !self.community.is_community() || !self.township.contains(&self.community) {
            return Err(HouseholdFieldsError::CommunityOutsideTownship {
                community: self.community.to_string(),
                township: self.township.to_string(),
            });
        }
        if let Some(exited) = self.exited_on
            && exited < self.enrolled_on
        {
            return Err(HouseholdFieldsError::ExitBeforeEnrolment {
                enrolled: self.enrolled_on,
                exited,
            });
        }
        if self.address.trim().is_empty() {
            return Err(HouseholdFieldsError::NoAddress);
        }
        Ok(())
    }

    /// The fields as (code, label, displayed value), in form order; personal identifiers are
    /// masked, because this is what history records.
    pub fn describe(&self) -> Vec<(&'static str, &'static str, String)> {
        vec![
            ("number", "户编号", self.number.clone()),
            ("township", "乡镇（街道）", self.township.to_string()),
            ("community", "社区", self.community.to_string()),
            ("category", "救助类别", self.category.label().into()),
            ("enrolled_on", "纳入日期", self.enrolled_on.to_string()),
            (
                "exited_on",
                "退出日期",
                self.exited_on.map_or(String::new(), |d| d.to_string()),
            ),
            ("address", "住址", self.address.clone()),
            (
                "phone",
                "联系电话",
                self.phone.as_ref().map_or(String::new(), Phone::masked),
            ),
            (
                "bank_account",
                "银行账号",
                self.bank_account
                    .as_ref()
                    .map_or(String::new(), BankAccount::masked),
            ),
            ("housing", "住房情况", self.housing.label().into()),
            (
                "causes",
                "致贫原因",
                crate::labels::join_labels(&self.causes, PovertyCause::label),
            ),
            (
                "needs",
                "帮扶需求",
                crate::labels::join_labels(&self.needs, Need::label),
            ),
        ]
    }
}

/// One changed field, as history records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    /// Stable field code.
    pub field: &'static str,
    /// Chinese label.
    pub label: &'static str,
    /// Value before (masked where personal).
    pub old: String,
    /// Value after (masked where personal).
    pub new: String,
}

/// The fields that differ between two descriptions from `describe()`.
pub fn diff(
    old: &[(&'static str, &'static str, String)],
    new: &[(&'static str, &'static str, String)],
) -> Vec<FieldChange> {
    old.iter()
        .zip(new)
        .filter(|(o, n)| o.2 != n.2)
        .map(|(o, n)| FieldChange {
            field: o.0,
            label: o.1,
            old: o.2.clone(),
            new: n.2.clone(),
        })
        .collect()
}

/// A calendar month, such as 2026-05.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    month: u32,
}

/// Why a string is not a month.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("月份“{0}”无效（应为如 2026-05 的年月）")]
pub struct MonthError(pub String);

impl Month {
    /// A month from its year and number (1–12).
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1..=12).contains(&month) && (1900..=9999).contains(&year))
            .then_some(Month { year, month })
    }

    /// Parses `2026-05`, `2026-5`, `2026/05` or `202605`.
    ///
    /// Any other text, multi-byte characters such as `年月` included, is a [`MonthError`] that
    /// quotes at most the first 20 characters of the input (it may be a whole CSV cell or a
    /// request's path, and goes back into a message).
    pub fn parse(s: &str) -> Result<Month, MonthError> {
        let t = s.trim();
        let err = || MonthError(t.chars().take(20).collect());
        // Only ASCII digits and one separator, checked before anything is split: a byte offset
        // into other text could fall inside a character.
        let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        let (y, m) = match t.split_once(['-', '/', '.']) {
            Some(parts) => parts,
            None if t.len() == 6 && digits(t) => t.split_at(4),
            None => return Err(err()),
        };
        if !(digits(y) && digits(m)) || y.len() > 4 || m.len() > 2 {
            return Err(err());
        }
        let year = y.parse().map_err(|_| err())?;
        let month = m.parse().map_err(|_| err())?;
        Month::new(year, month).ok_or_else(err)
    }

    /// The month containing a date.
    pub fn of(date: NaiveDate) -> Month {
        use chrono::Datelike;
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    /// The month `n` months before this one.
    pub fn minus(self, n: u32) -> Month {
        let index = self.year * 12 + self.month as i32 - 1 - n as i32;
        Month {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    /// The month `n` months after this one.
    pub fn plus(self, n: u32) -> Month {
        let index = self.year * 12 + self.month as i32 - 1 + n as i32;
        Month {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month number, 1–12.
    pub fn number(self) -> u32 {
        self.month
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

vocabulary! {
    /// Kinds of income (收入类型).
    IncomeKind, "收入类型" {
        Wages = ("wages", "工资性收入"),
        Business = ("business", "经营性收入"),
        Property = ("property", "财产性收入"),
        Transfer = ("transfer", "转移性收入"),
        Pension = ("pension", "养老金"),
        Other = ("other", "其他收入"),
    }
}

/// One member's income of one kind in one month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Income {
    /// The member (index into the household's members when new, id when stored).
    pub person: PersonId,
    /// The month.
    pub month: Month,
    /// The kind.
    pub kind: IncomeKind,
    /// The amount, zero or more.
    pub amount: Money,
}

vocabulary! {
    /// Kinds of asset (家庭财产).
    AssetKind, "财产类型" {
        Savings = ("savings", "存款"),
        Vehicle = ("vehicle", "机动车"),
        Property = ("property", "房产"),
        Business = ("business", "经营实体"),
        Other = ("other", "其他财产"),
    }
}

/// One asset of the household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asset {
    /// The kind.
    pub kind: AssetKind,
    /// What it is (e.g. a plate number or an address).
    pub description: String,
    /// Its value, zero or more.
    pub value: Money,
}

vocabulary! {
    /// Expenses that the expenditure-type test of 2.1.b subtracts.
    ExpenseKind, "支出类型" {
        Medical = ("medical", "自付医疗费"),
        Tuition = ("tuition", "学费"),
    }
}

/// A self-paid medical cost or tuition in one month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expense {
    /// The member it was for.
    pub person: PersonId,
    /// The month paid.
    pub month: Month,
    /// Medical or tuition.
    pub kind: ExpenseKind,
    /// The amount, zero or more.
    pub amount: Money,
}

/// A benefit a household already receives when the county starts using the platform, as its
/// file states it: to be checked against the rules and confirmed by the county before it is
/// paid (4.2.b).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarriedEntitlement {
    /// 城市低保 or 城市特困.
    pub program: Category,
    /// The monthly amount as filed.
    pub monthly: Money,
    /// The month it was first paid under the old decision.
    pub from: crate::Month,
    /// The old decision's reference (document number).
    pub reference: String,
}

/// The 三清 survey of 4.2.a: family situation, cause of poverty and need for help made clear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Survey {
    /// 家庭情况清.
    pub family_situation: String,
    /// 致贫原因清.
    pub poverty_cause: String,
    /// 帮扶需求清.
    pub help_needed: String,
    /// Who surveyed.
    pub surveyed_by: String,
    /// When.
    pub surveyed_on: NaiveDate,
}

/// A household to be created, with everything filed about it. In `incomes` and `expenses`,
/// `person` is the index of the member in `members`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewHousehold {
    /// The household's fields.
    pub fields: HouseholdFields,
    /// Its members, head first.
    pub members: Vec<PersonFields>,
    /// Monthly incomes by member index.
    pub incomes: Vec<Income>,
    /// Assets.
    pub assets: Vec<Asset>,
    /// Expenses by member index.
    pub expenses: Vec<Expense>,
    /// The 三清 survey, if done.
    pub survey: Option<Survey>,
}

/// Why a new household is not acceptable as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NewHouseholdError {
    /// The household fields do not fit together.
    #[error(transparent)]
    Fields(#[from] HouseholdFieldsError),
    /// No members.
    #[error("家庭至少应有一名成员")]
    NoMembers,
    /// Not exactly one head.
    #[error("家庭应有且仅有一名户主，现有{0}名")]
    HeadCount(usize),
    /// The same person twice.
    #[error("身份证号码{0}在同一家庭中重复")]
    DuplicateMember(String),
    /// An income or expense names a member that does not exist.
    #[error("收支记录指向不存在的成员（第{0}位）")]
    NoSuchMember(i64),
    /// The same member, kind and month twice.
    #[error("成员第{person}位{month}的{kind}重复")]
    DuplicateIncome {
        /// Member index (1-based).
        person: i64,
        /// Month.
        month: Month,
        /// Kind label.
        kind: &'static str,
    },
}

impl NewHousehold {
    /// Checks the rules that tie the parts together.
    pub fn check(&self) -> Result<(), NewHouseholdError> {
        self.fields.check()?;
        if self.members.is_empty() {
            return Err(NewHouseholdError::NoMembers);
        }
        let heads = self
            .members
            .iter()
            .filter(|m| m.relation == Relation::Head)
            .count();
        if heads != 1 {
            return Err(NewHouseholdError::HeadCount(heads));
        }
        let mut seen = HashSet::new();
        for m in &self.members {
            if !seen.insert(m.id_number.as_str()) {
                return Err(NewHouseholdError::DuplicateMember(m.id_number.masked()));
            }
        }
        let n = self.members.len() as i64;
        let mut keys = HashSet::new();
        for i in &self.incomes {
            if i.person.0 < 0 || i.person.0 >= n {
                return Err(NewHouseholdError::NoSuchMember(
                    i.person.0.saturating_add(1),
                ));
            }
            if !keys.insert((i.person, i.month, i.kind)) {
                return Err(NewHouseholdError::DuplicateIncome {
                    person: i.person.0 + 1,
                    month: i.month,
                    kind: i.kind.label(),
                });
            }
        }
        if let Some(e) = self
            .expenses
            .iter()
            .find(|e| e.person.0 < 0 || e.person.0 >= n)
        {
            return Err(NewHouseholdError::NoSuchMember(
                e.person.0.saturating_add(1),
            ));
        }
        Ok(())
    }
}

/// A stored household with everything filed about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseholdRecord {
    /// The household.
    pub household: Household,
    /// Its members, head first.
    pub members: Vec<Person>,
    /// Monthly incomes, by month then member.
    pub incomes: Vec<Income>,
    /// Assets.
    pub assets: Vec<Asset>,
    /// Expenses, by month.
    pub expenses: Vec<Expense>,
    /// 三清 surveys, newest first.
    pub surveys: Vec<Survey>,
}

impl HouseholdRecord {
    /// The head of household.
    pub fn head(&self) -> Option<&Person> {
        self.members
            .iter()
            .find(|p| p.fields.relation == Relation::Head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn household_numbers_are_trimmed_and_made_ascii_but_keep_their_case() {
        let cases = [
            ("A-1", "A-1"),
            ("  a-001 ", "a-001"),
            ("Ａ－１２", "A-12"),
            ("５００２３５", "500235"),
            ("X".repeat(32).as_str(), "X".repeat(32).as_str()),
        ]
        .map(|(t, n)| (t.to_owned(), n.to_owned()));
        for (text, number) in cases {
            assert_eq!(parse_household_number(&text), Ok(number), "{text}");
        }
    }

    #[test]
    fn household_numbers_with_other_characters_or_too_long_are_refused() {
        let long = "1".repeat(33);
        for text in ["", "   ", "A 1", "A_1", "户1", "A/1", long.as_str()] {
            assert_eq!(
                parse_household_number(text),
                Err(HouseholdNumberError(text.trim().to_owned())),
                "{text:?}"
            );
        }
    }

    #[test]
    fn months_parse_in_the_forms_people_write() {
        for s in ["2026-05", "2026-5", "2026/05", "202605"] {
            assert_eq!(Month::parse(s).unwrap().to_string(), "2026-05", "{s}");
        }
        assert!(Month::parse("2026-13").is_err());
        assert!(Month::parse("May").is_err());
    }

    #[test]
    fn a_month_written_in_chinese_or_other_multibyte_text_is_an_error_not_a_panic() {
        for s in [
            "年月",
            "2026年5月",
            "２０２６０５",
            "20260é",
            "é20260",
            "2026-年",
            "年-05",
            "\0\0\0\0\0\0",
            "",
            "-",
            "2026-",
            "-05",
            "+2026-05",
            "2026-+5",
            "2026-05-01",
            "99999-01",
            "2026-012",
        ] {
            assert!(Month::parse(s).is_err(), "{s:?} parsed");
        }
    }

    #[test]
    fn a_month_error_quotes_only_the_start_of_a_long_input() {
        let long = "年".repeat(10_000);
        let MonthError(quoted) = Month::parse(&long).unwrap_err();
        assert_eq!(quoted.chars().count(), 20);
    }

    #[test]
    fn six_months_before_march_is_the_previous_september() {
        assert_eq!(
            Month::parse("2026-03").unwrap().minus(6).to_string(),
            "2025-09"
        );
        assert_eq!(
            Month::parse("2026-03").unwrap().minus(0).to_string(),
            "2026-03"
        );
    }

    #[test]
    fn one_month_after_december_is_the_next_january() {
        let december = Month::parse("2025-12").unwrap();
        assert_eq!(december.plus(1).to_string(), "2026-01");
        assert_eq!(december.plus(13).minus(13), december);
    }
}

//! People: names, phones, bank accounts, and what the policy needs to know about each member.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::household::{HouseholdId, PersonId};
use crate::id_number::{IdNumber, Sex};
use crate::vocabulary;

/// A person's name as registered: 1 to 30 characters, no digits or control characters.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonName(String);

/// Why a string is not a name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonNameError {
    /// Nothing was given.
    #[error("姓名为空")]
    Empty,
    /// Longer than 30 characters.
    #[error("姓名过长（最多30个字）")]
    TooLong,
    /// Contains a digit or a symbol that names do not have.
    #[error("姓名含有不允许的字符“{0}”")]
    BadCharacter(char),
}

impl PersonName {
    /// Parses a name, trimming surrounding white space.
    pub fn parse(s: &str) -> Result<PersonName, PersonNameError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(PersonNameError::Empty);
        }
        if t.chars().count() > 30 {
            return Err(PersonNameError::TooLong);
        }
        if let Some(c) = t.chars().find(|c| {
            c.is_ascii_digit() || c.is_control() || "<>&\"'/\\;:@#$%^*=+{}[]|`~".contains(*c)
        }) {
            return Err(PersonNameError::BadCharacter(c));
        }
        Ok(PersonName(t.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as screens show it by default: 张*三, 李*.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        match chars.len() {
            1 => "*".into(),
            2 => format!("{}*", chars[0]),
            n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
        }
    }

    /// Lower-case pinyin initials for search: 张三丰 → zsf. Non-Chinese letters are kept.
    pub fn initials(&self) -> String {
        use pinyin::ToPinyin;
        self.0
            .chars()
            .filter_map(|c| match c.to_pinyin() {
                Some(p) => p.first_letter().chars().next(),
                None if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
                None => None,
            })
            .collect()
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PersonName {
    /// Debug output is masked so that a name never reaches a log by accident.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonName({})", self.masked())
    }
}

/// A phone number: an 11-digit mobile number, or a landline of 7 to 12 digits with an optional
/// area-code hyphen.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

/// Why a string is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("电话号码“{0}”无效（手机号应为1开头的11位数字，座机如 023-55123456）")]
pub struct PhoneError(pub String);

impl Phone {
    /// Parses a phone number, removing spaces.
    pub fn parse(s: &str) -> Result<Phone, PhoneError> {
        let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let digits = t.replace('-', "");
        let ok_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        let mobile = ok_digits && digits.len() == 11 && digits.starts_with('1') && !t.contains('-');
        let landline = ok_digits
            && (7..=12).contains(&digits.len())
            && !digits.starts_with('1')
            && t.matches('-').count() <= 1;
        if mobile || landline {
            Ok(Phone(t))
        } else {
            Err(PhoneError(s.trim().to_owned()))
        }
    }

    /// The number.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with the middle hidden: 138****1234.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        let n = chars.len();
        let head: String = chars[..3.min(n)].iter().collect();
        let tail: String = chars[n.saturating_sub(4)..].iter().collect();
        format!("{head}****{tail}")
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

/// A bank account (card) number for payments: 10 to 30 digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BankAccount(String);

/// Why a string is not a bank account number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("银行账号“{0}”无效（应为10至30位数字）")]
pub struct BankAccountError(pub String);

impl BankAccount {
    /// Parses an account number, removing spaces and hyphens.
    pub fn parse(s: &str) -> Result<BankAccount, BankAccountError> {
        let t: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if (10..=30).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(BankAccount(t))
        } else {
            Err(BankAccountError(s.trim().to_owned()))
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Only the last four digits: ****1234.
    pub fn masked(&self) -> String {
        format!("****{}", &self.0[self.0.len() - 4..])
    }
}

impl fmt::Debug for BankAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BankAccount({})", self.masked())
    }
}

/// Whole years of age on `date` (a birthday counts from its day; 29 February from 1 March in
/// common years).
pub fn age_on(birth: NaiveDate, date: NaiveDate) -> u32 {
    let mut years = date.year() - birth.year();
    if (date.month(), date.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

vocabulary! {
    /// Relation of a member to the head of household.
    Relation, "与户主关系" {
        Head = ("head", "户主"),
        Spouse = ("spouse", "配偶"),
        Child = ("child", "子女"),
        Parent = ("parent", "父母"),
        Grandparent = ("grandparent", "祖父母"),
        Grandchild = ("grandchild", "孙子女"),
        Sibling = ("sibling", "兄弟姐妹"),
        ChildInLaw = ("child_in_law", "儿媳女婿"),
        Other = ("other", "其他"),
    }
}

vocabulary! {
    /// Kind of disability as certified (残疾人证).
    DisabilityKind, "残疾类别" {
        Visual = ("visual", "视力"),
        Hearing = ("hearing", "听力"),
        Speech = ("speech", "言语"),
        Physical = ("physical", "肢体"),
        Intellectual = ("intellectual", "智力"),
        Mental = ("mental", "精神"),
        Multiple = ("multiple", "多重"),
    }
}

vocabulary! {
    /// Grade of disability; grades 1 and 2 are severe (重度).
    DisabilityGrade, "残疾等级" {
        One = ("1", "一级"),
        Two = ("2", "二级"),
        Three = ("3", "三级"),
        Four = ("4", "四级"),
    }
}

impl DisabilityGrade {
    /// Grades 1 and 2 are severe disability (重度残疾), which the classified extra of 2.1.a names.
    pub fn is_severe(self) -> bool {
        matches!(self, DisabilityGrade::One | DisabilityGrade::Two)
    }
}

/// A certified disability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Disability {
    /// Its kind.
    pub kind: DisabilityKind,
    /// Its grade.
    pub grade: DisabilityGrade,
}

vocabulary! {
    /// The special diseases clause 2.4 names.
    SpecialDisease, "特殊病种" {
        Thalassaemia = ("thalassaemia", "地中海贫血"),
        ChronicMyeloidLeukaemia = ("cml", "慢性粒细胞白血病"),
        Pneumoconiosis = ("pneumoconiosis", "尘肺病"),
        ChildhoodLeukaemia = ("childhood_leukaemia", "儿童白血病"),
    }
}

vocabulary! {
    /// Ability to look after oneself; decides the tekun care tier (2.2.a) and centralised care (2.2.b).
    SelfCare, "自理能力" {
        Full = ("full", "全自理"),
        Partial = ("partial", "半失能"),
        None = ("none", "全失能"),
    }
}

vocabulary! {
    /// Capacity to work.
    WorkCapacity, "劳动能力" {
        Full = ("full", "有劳动能力"),
        Partial = ("partial", "部分劳动能力"),
        None = ("none", "无劳动能力"),
    }
}

vocabulary! {
    /// Employment status (2.7).
    Employment, "就业状况" {
        Employed = ("employed", "稳定就业"),
        Flexible = ("flexible", "灵活就业"),
        PublicWelfarePost = ("public_post", "公益性岗位"),
        Unemployed = ("unemployed", "失业"),
        NotInLabourForce = ("not_applicable", "不适用"),
    }
}

vocabulary! {
    /// Stage of schooling (2.5).
    SchoolStage, "就学阶段" {
        Preschool = ("preschool", "学前教育"),
        Primary = ("primary", "小学"),
        Junior = ("junior", "初中"),
        SeniorHigh = ("senior_high", "普通高中"),
        Vocational = ("vocational", "中职"),
        Higher = ("higher", "高等教育"),
    }
}

vocabulary! {
    /// Basic health insurance (2.4).
    HealthInsurance, "医保类型" {
        Resident = ("resident", "城乡居民医保"),
        Employee = ("employee", "城镇职工医保"),
        None = ("none", "未参保"),
    }
}

/// Everything recorded about a member that a caseworker edits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonFields {
    /// Name.
    pub name: PersonName,
    /// Resident identity number; birth date and sex derive from it.
    pub id_number: IdNumber,
    /// Relation to the head of household.
    pub relation: Relation,
    /// Certified disability, if any.
    pub disability: Option<Disability>,
    /// Seriously ill (重病), one of the key groups of 2.1.a.
    pub serious_illness: bool,
    /// The illness in words, if any.
    pub disease: String,
    /// A special disease of 2.4, if any.
    pub special_disease: Option<SpecialDisease>,
    /// Ability to look after oneself.
    pub self_care: SelfCare,
    /// Capacity to work.
    pub work_capacity: WorkCapacity,
    /// Willing to work (2.7).
    pub willing_to_work: bool,
    /// Employment status.
    pub employment: Employment,
    /// Stage of schooling, for students and preschool children.
    pub school_stage: Option<SchoolStage>,
    /// Boards at school (compulsory-education boarding subsidy, 2.5).
    pub boarding: bool,
    /// Basic health insurance.
    pub insurance: HealthInsurance,
    /// Signed with a family doctor (2.4).
    pub family_doctor: bool,
    /// Has an electronic health record (2.4).
    pub health_record: bool,
    /// Own phone, if any.
    pub phone: Option<Phone>,
}

/// A stored member of a household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// Its id.
    pub id: PersonId,
    /// The household it belongs to; edits to a member are checked against the household's
    /// version, so the household is the unit of optimistic concurrency.
    pub household: HouseholdId,
    /// Its fields.
    pub fields: PersonFields,
}

impl PersonFields {
    /// Sex, from the identity number.
    pub fn sex(&self) -> Sex {
        self.id_number.sex()
    }

    /// Birth date, from the identity number.
    pub fn birth_date(&self) -> NaiveDate {
        self.id_number.birth_date()
    }

    /// The fields as (code, label, displayed value), in form order; personal identifiers are
    /// masked, because this is what history records.
    pub fn describe(&self) -> Vec<(&'static str, &'static str, String)> {
        let yes_no = |b: bool| if b { "是" } else { "否" }.to_owned();
        vec![
            ("name", "姓名", self.name.masked()),
            ("id_number", "身份证号码", self.id_number.masked()),
            ("relation", "与户主关系", self.relation.label().into()),
            (
                "disability",
                "残疾情况",
                self.disability
                    .map_or("无".into(), |d| format!("{}{}", d.kind, d.grade)),
            ),
            ("serious_illness", "重病", yes_no(self.serious_illness)),
            ("disease", "所患疾病", self.disease.clone()),
            (
                "special_disease",
                "特殊病种",
                self.special_disease
                    .map_or("无".into(), |d| d.label().into()),
            ),
            ("self_care", "自理能力", self.self_care.label().into()),
            (
                "work_capacity",
                "劳动能力",
                self.work_capacity.label().into(),
            ),
            ("willing_to_work", "就业意愿", yes_no(self.willing_to_work)),
            ("employment", "就业状况", self.employment.label().into()),
            (
                "school_stage",
                "就学阶段",
                self.school_stage.map_or("无".into(), |s| s.label().into()),
            ),
            ("boarding", "寄宿", yes_no(self.boarding)),
            ("insurance", "医保类型", self.insurance.label().into()),
            ("family_doctor", "家庭医生签约", yes_no(self.family_doctor)),
            ("health_record", "电子健康档案", yes_no(self.health_record)),
            (
                "phone",
                "联系电话",
                self.phone.as_ref().map_or(String::new(), Phone::masked),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_keeping_the_first_and_last_character() {
        assert_eq!(PersonName::parse("张三丰").unwrap().masked(), "张*丰");
        assert_eq!(PersonName::parse("李四").unwrap().masked(), "李*");
        assert_eq!(PersonName::parse("欧阳娜娜").unwrap().masked(), "欧**娜");
    }

    #[test]
    fn names_with_digits_or_markup_are_refused() {
        assert_eq!(
            PersonName::parse("张3"),
            Err(PersonNameError::BadCharacter('3'))
        );
        assert_eq!(
            PersonName::parse("<b>"),
            Err(PersonNameError::BadCharacter('<'))
        );
        assert_eq!(PersonName::parse("  "), Err(PersonNameError::Empty));
        assert!(PersonName::parse("阿依古丽·买买提").is_ok());
    }

    #[test]
    fn pinyin_initials_are_lower_case_letters() {
        assert_eq!(PersonName::parse("张三丰").unwrap().initials(), "zsf");
        assert_eq!(PersonName::parse("王小明").unwrap().initials(), "wxm");
    }

    #[test]
    fn phones_accept_mobiles_and_landlines_and_mask_the_middle() {
        assert_eq!(
            Phone::parse("138 0013 8000").unwrap().masked(),
            "138****8000"
        );
        assert!(Phone::parse("023-55123456").is_ok());
        assert!(Phone::parse("12345").is_err());
        assert!(Phone::parse("2380013800a").is_err());
    }

    #[test]
    fn bank_accounts_show_only_the_last_four_digits() {
        let account = BankAccount::parse("6217 0000 1234 5678").unwrap();
        assert_eq!(account.as_str(), "6217000012345678");
        assert_eq!(account.masked(), "****5678");
        assert!(BankAccount::parse("12345").is_err());
    }

    #[test]
    fn age_counts_whole_years_from_the_birthday() {
        let birth = NaiveDate::from_ymd_opt(1956, 12, 15).unwrap();
        assert_eq!(
            age_on(birth, NaiveDate::from_ymd_opt(2026, 12, 14).unwrap()),
            69
        );
        assert_eq!(
            age_on(birth, NaiveDate::from_ymd_opt(2026, 12, 15).unwrap()),
            70
        );
        let leap = NaiveDate::from_ymd_opt(2008, 2, 29).unwrap();
        assert_eq!(
            age_on(leap, NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()),
            17
        );
        assert_eq!(
            age_on(leap, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()),
            18
        );
    }
}

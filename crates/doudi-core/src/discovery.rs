//! Proactive discovery (5.3, 4.2.b): what departments send, and the alerts their facts become.
//! The words here are shared by the feed files, the store and the pages; what a feed's record
//! means for a household is decided in doudi-app (`discovery.rs`).

use crate::department::Department;
use crate::vocabulary;

vocabulary! {
    /// A kind of department data (部门数据), each from the department that keeps it.
    FeedKind, "部门数据类别" {
        /// Deaths (民政、公安户籍).
        Death = ("death", "死亡信息"),
        /// Motor vehicle registrations (公安交管).
        Vehicle = ("vehicle", "机动车登记"),
        /// Real-estate registrations (不动产登记).
        RealEstate = ("real_estate", "不动产登记"),
        /// Business registrations (市场主体登记).
        Business = ("business", "市场主体登记"),
        /// Pensions and social-insurance payments (人力社保).
        Pension = ("pension", "养老金与社会保险待遇"),
        /// Wage records (人力社保、税务).
        Wages = ("wages", "工资收入"),
        /// Hospital inpatient bills (医疗保障).
        Hospital = ("hospital", "住院费用结算"),
        /// School enrolment rolls (教育).
        School = ("school", "学籍名单"),
        /// Disability certificates (残联).
        Disability = ("disability", "残疾人证"),
    }
}

impl FeedKind {
    /// The department whose officers send this kind; `None`: the county bureau itself (deaths,
    /// vehicles and businesses come to it from the public security and market bureaus).
    pub fn department(self) -> Option<Department> {
        match self {
            FeedKind::Death | FeedKind::Vehicle | FeedKind::Business => None,
            FeedKind::RealEstate => Some(Department::Housing),
            FeedKind::Pension | FeedKind::Wages => Some(Department::HumanResources),
            FeedKind::Hospital => Some(Department::MedicalInsurance),
            FeedKind::School => Some(Department::Education),
            FeedKind::Disability => Some(Department::DisabledFederation),
        }
    }

    /// What the record's date is (the column's usual name).
    pub fn date_label(self) -> &'static str {
        match self {
            FeedKind::Death => "死亡日期",
            FeedKind::Vehicle | FeedKind::RealEstate | FeedKind::Business => "登记日期",
            FeedKind::Pension | FeedKind::Wages => "所属月份",
            FeedKind::Hospital => "出院日期",
            FeedKind::School => "入学日期",
            FeedKind::Disability => "发证日期",
        }
    }

    /// What the record's amount is, when it has one (yuan in the file, fen inside).
    pub fn amount_label(self) -> Option<&'static str> {
        match self {
            FeedKind::Vehicle => Some("车辆价格"),
            FeedKind::RealEstate => Some("不动产价值"),
            FeedKind::Business => Some("注册资本"),
            FeedKind::Pension => Some("月待遇金额"),
            FeedKind::Wages => Some("月工资"),
            FeedKind::Hospital => Some("个人自付费用"),
            FeedKind::Death | FeedKind::School | FeedKind::Disability => None,
        }
    }

    /// What the record's text is (plate, address, business name, hospital, school stage,
    /// disability kind and grade), when it has one.
    pub fn detail_label(self) -> Option<&'static str> {
        match self {
            FeedKind::Death => None,
            FeedKind::Vehicle => Some("号牌号码"),
            FeedKind::RealEstate => Some("坐落"),
            FeedKind::Business => Some("企业名称"),
            FeedKind::Pension => Some("险种"),
            FeedKind::Wages => Some("工作单位"),
            FeedKind::Hospital => Some("医疗机构"),
            FeedKind::School => Some("学段"),
            FeedKind::Disability => Some("残疾类别等级"),
        }
    }
}

vocabulary! {
    /// How urgent an alert is (red, amber, green), as provincial platforms grade them.
    AlertLevel, "预警等级" {
        /// Money is being paid that may not be owed, or someone is in danger: today.
        Red = ("red", "红色"),
        /// Entitlement or need may have changed: a review or an application is due.
        Amber = ("amber", "黄色"),
        /// Worth knowing; the file should be brought up to date.
        Green = ("green", "绿色"),
    }
}

vocabulary! {
    /// Where an alert stands.
    AlertState, "处理状态" {
        /// Not yet looked at.
        New = ("new", "待处理"),
        /// Someone is on it.
        InProgress = ("in_progress", "处理中"),
        /// Handled, with the outcome.
        Done = ("done", "已办结"),
        /// Not acted on, with the reason.
        Dismissed = ("dismissed", "已排除"),
    }
}

impl AlertState {
    /// Whether nothing more is to be done.
    pub fn is_closed(self) -> bool {
        matches!(self, AlertState::Done | AlertState::Dismissed)
    }
}

vocabulary! {
    /// What an alert asks for: the rule that raised it.
    AlertRule, "提醒事项" {
        /// A member died: payments stop from the next month (4.2.b, 5.2).
        Death = ("death", "成员死亡"),
        /// A vehicle, property, business or income that may exceed the limits: review (4.2.b).
        Review = ("review", "财产收入变化，须复核"),
        /// A hospital bill: medical assistance, and the expenditure-type test (2.4, 2.1.b).
        Medical = ("medical", "住院费用，可申请医疗救助"),
        /// A school stage: classified extra and education aid (2.1.a, 2.5).
        School = ("school", "在学情况变化"),
        /// A disability certificate: classified extra; a candidate for centralised care (2.1.a,
        /// 2.2.b).
        Disability = ("disability", "残疾情况变化"),
        /// A department record that may be a household's member: a person decides (5.3).
        Match = ("match", "疑似本平台人员，请核实"),
        /// A member reaches the age of the aged classified extra this month (2.1.a).
        Aged = ("aged", "成员年满高龄"),
        /// Nobody employed though a working-age member can and will work (2.7).
        ZeroEmployment = ("zero_employment", "零就业家庭"),
        /// The household lies in a disaster's area: check on it, and warn its cadres (2.3).
        Disaster = ("disaster", "受灾家庭，请核实并通知结对干部"),
    }
}

impl AlertRule {
    /// The clause of the policy the rule serves (SPEC ids).
    pub fn clause(self) -> &'static str {
        match self {
            AlertRule::Death => "4.2.b",
            AlertRule::Review => "4.2.b",
            AlertRule::Medical => "2.4",
            AlertRule::School => "2.5",
            AlertRule::Disability => "2.1.a",
            AlertRule::Match => "5.3",
            AlertRule::Aged => "2.1.a",
            AlertRule::ZeroEmployment => "2.7",
            AlertRule::Disaster => "2.3",
        }
    }
}

/// Whether `person` is of working age on `day`: 16 to 60 for men, 16 to 55 for women (the
/// statutory ages the employment help of 2.7 counts with).
pub fn of_working_age(person: &crate::PersonFields, day: chrono::NaiveDate) -> bool {
    let age = crate::person::age_on(person.id_number.birth_date(), day);
    let last = match person.id_number.sex() {
        crate::Sex::Female => 55,
        crate::Sex::Male => 60,
    };
    (16..=last).contains(&age)
}

/// Whether `person` is of working age on `day`, able (fully or partly) and willing to work: a
/// member 2.7's employment help is for.
pub fn able_and_willing(person: &crate::PersonFields, day: chrono::NaiveDate) -> bool {
    person.work_capacity != crate::WorkCapacity::None
        && person.willing_to_work
        && of_working_age(person, day)
}

/// Whether a household is a zero-employment household on `day` (2.7): a member of working age
/// is able and willing to work, and no member is employed (stably, flexibly or on a public
/// welfare post).
pub fn zero_employment(record: &crate::HouseholdRecord, day: chrono::NaiveDate) -> bool {
    use crate::Employment;
    let wants_work = record
        .members
        .iter()
        .any(|m| able_and_willing(&m.fields, day));
    let employed = record.members.iter().any(|m| {
        matches!(
            m.fields.employment,
            Employment::Employed | Employment::Flexible | Employment::PublicWelfarePost
        )
    });
    wants_work && !employed
}

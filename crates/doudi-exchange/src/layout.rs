//! The column layout of household files, shared by import, export and the template.
//!
//! One row per member. Household columns are read from the head's row (other rows may leave
//! them blank, or must repeat the same value). Besides the fixed columns, a file may carry any
//! number of month columns named `<类型>:<年-月>`, such as `工资性收入:2026-05` (a member's
//! income) or `自付医疗费:2026-05` (a member's expense), and household asset columns named by
//! the asset kind (`存款`, `机动车`, `房产`, `经营实体`, `其他财产`), values in yuan.

use doudi_core::{AssetKind, ExpenseKind, IncomeKind, Month};

/// A fixed column of the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Col {
    /// 户编号
    Number,
    /// 乡镇（街道）
    Township,
    /// 社区
    Community,
    /// 救助类别
    Category,
    /// 纳入日期
    EnrolledOn,
    /// 退出日期
    ExitedOn,
    /// 住址
    Address,
    /// 联系电话
    HouseholdPhone,
    /// 银行账号
    BankAccount,
    /// 住房情况
    Housing,
    /// 致贫原因
    Causes,
    /// 帮扶需求
    Needs,
    /// 姓名
    Name,
    /// 身份证号码
    IdNumber,
    /// 与户主关系
    Relation,
    /// 残疾类别
    DisabilityKind,
    /// 残疾等级
    DisabilityGrade,
    /// 重病
    SeriousIllness,
    /// 所患疾病
    Disease,
    /// 特殊病种
    SpecialDisease,
    /// 自理能力
    SelfCare,
    /// 劳动能力
    WorkCapacity,
    /// 就业意愿
    WillingToWork,
    /// 就业状况
    Employment,
    /// 就学阶段
    SchoolStage,
    /// 寄宿
    Boarding,
    /// 医保类型
    Insurance,
    /// 家庭医生签约
    FamilyDoctor,
    /// 电子健康档案
    HealthRecord,
    /// 本人电话
    PersonPhone,
    /// 三清-家庭情况
    SurveyFamily,
    /// 三清-致贫原因
    SurveyCause,
    /// 三清-帮扶需求
    SurveyNeed,
    /// 调查人
    SurveyedBy,
    /// 调查日期
    SurveyedOn,
    /// 现享待遇 (a benefit already received when the county starts using the platform)
    CarriedProgram,
    /// 现享月金额
    CarriedAmount,
    /// 现享起始月份
    CarriedFrom,
    /// 原批准文号
    CarriedReference,
}

/// How a fixed column is described in the template and the documentation.
pub struct ColSpec {
    /// The column.
    pub col: Col,
    /// Its header, as written in files.
    pub header: &'static str,
    /// Other headers accepted on import.
    pub aliases: &'static [&'static str],
    /// Whether the column must be present.
    pub required: bool,
    /// Whether it belongs to the household (read from the head's row) rather than the member.
    pub household: bool,
    /// What to write in it.
    pub help: &'static str,
    /// An example value for the template.
    pub example: &'static str,
}

macro_rules! spec {
    ($col:ident, $header:literal, [$($alias:literal),*], $required:literal, $household:literal, $help:literal, $example:literal) => {
        ColSpec {
            col: Col::$col,
            header: $header,
            aliases: &[$($alias),*],
            required: $required,
            household: $household,
            help: $help,
            example: $example,
        }
    };
}

/// The fixed columns in file order.
pub const COLUMNS: &[ColSpec] = &[
    spec!(
        Number,
        "户编号",
        ["家庭编号"],
        true,
        true,
        "本县唯一的家庭编号，同一户的成员行填写相同编号（字母、数字、连字符）",
        "QL-000001"
    ),
    spec!(
        Township,
        "乡镇（街道）",
        ["乡镇街道", "乡镇", "街道"],
        true,
        true,
        "乡镇（街道）名称或9位区划代码",
        "青龙街道"
    ),
    spec!(
        Community,
        "社区",
        ["社区（村）"],
        true,
        true,
        "社区名称或12位区划代码，须属于上列乡镇（街道）",
        "复兴社区"
    ),
    spec!(
        Category,
        "救助类别",
        ["类别"],
        true,
        true,
        "城市低保 或 城市特困",
        "城市低保"
    ),
    spec!(
        EnrolledOn,
        "纳入日期",
        [],
        true,
        true,
        "纳入救助的日期，如 2024-03-01",
        "2024-03-01"
    ),
    spec!(
        ExitedOn,
        "退出日期",
        [],
        false,
        true,
        "已退出的填写退出日期，否则留空",
        ""
    ),
    spec!(
        Address,
        "住址",
        ["家庭住址"],
        true,
        true,
        "家庭住址",
        "云阳县青龙街道复兴路12号"
    ),
    spec!(
        HouseholdPhone,
        "联系电话",
        ["家庭联系电话"],
        false,
        true,
        "家庭联系电话",
        "13800138000"
    ),
    spec!(
        BankAccount,
        "银行账号",
        ["银行卡号"],
        false,
        true,
        "发放救助金的银行账号（10至30位数字）",
        "6217000012345678"
    ),
    spec!(
        Housing,
        "住房情况",
        [],
        true,
        true,
        "自有住房、租住私房、公租房、借住、危房、无房",
        "租住私房"
    ),
    spec!(
        Causes,
        "致贫原因",
        [],
        false,
        true,
        "可填多项，用顿号分隔：因病、因残、因学、因灾、缺劳力、缺技术、失业、年老体弱、其他",
        "因病、缺劳力"
    ),
    spec!(
        Needs,
        "帮扶需求",
        [],
        false,
        true,
        "可填多项，用顿号分隔：生活救助、医疗救助、教育救助、住房保障、就业帮扶、照料护理、心理关爱、其他",
        "医疗救助"
    ),
    spec!(Name, "姓名", [], true, false, "成员姓名", "张三"),
    spec!(
        IdNumber,
        "身份证号码",
        ["身份证号", "公民身份号码"],
        true,
        false,
        "18位身份证号码（旧15位号码自动转换）；Excel中请设为文本格式",
        "500235198001011234"
    ),
    spec!(
        Relation,
        "与户主关系",
        ["关系"],
        true,
        false,
        "户主、配偶、子女、父母、祖父母、孙子女、兄弟姐妹、儿媳女婿、其他；每户有且仅有一名户主",
        "户主"
    ),
    spec!(
        DisabilityKind,
        "残疾类别",
        [],
        false,
        false,
        "视力、听力、言语、肢体、智力、精神、多重；无残疾留空",
        ""
    ),
    spec!(
        DisabilityGrade,
        "残疾等级",
        [],
        false,
        false,
        "一级至四级（或1至4）；有残疾类别时必填",
        ""
    ),
    spec!(
        SeriousIllness,
        "重病",
        ["是否重病"],
        false,
        false,
        "是 或 否（留空为否）",
        "否"
    ),
    spec!(Disease, "所患疾病", [], false, false, "所患疾病名称", ""),
    spec!(
        SpecialDisease,
        "特殊病种",
        [],
        false,
        false,
        "地中海贫血、慢性粒细胞白血病、尘肺病、儿童白血病；无则留空",
        ""
    ),
    spec!(
        SelfCare,
        "自理能力",
        [],
        false,
        false,
        "全自理、半失能、全失能（留空为全自理）",
        "全自理"
    ),
    spec!(
        WorkCapacity,
        "劳动能力",
        [],
        false,
        false,
        "有劳动能力、部分劳动能力、无劳动能力（留空按年龄推定）",
        "有劳动能力"
    ),
    spec!(
        WillingToWork,
        "就业意愿",
        [],
        false,
        false,
        "是 或 否（留空为否）",
        "是"
    ),
    spec!(
        Employment,
        "就业状况",
        [],
        false,
        false,
        "稳定就业、灵活就业、公益性岗位、失业、不适用（留空为不适用）",
        "灵活就业"
    ),
    spec!(
        SchoolStage,
        "就学阶段",
        [],
        false,
        false,
        "学前教育、小学、初中、普通高中、中职、高等教育；非在校留空",
        ""
    ),
    spec!(Boarding, "寄宿", [], false, false, "在校寄宿填 是", ""),
    spec!(
        Insurance,
        "医保类型",
        [],
        false,
        false,
        "城乡居民医保、城镇职工医保、未参保（留空为城乡居民医保）",
        "城乡居民医保"
    ),
    spec!(
        FamilyDoctor,
        "家庭医生签约",
        [],
        false,
        false,
        "是 或 否",
        "是"
    ),
    spec!(
        HealthRecord,
        "电子健康档案",
        [],
        false,
        false,
        "是 或 否",
        "是"
    ),
    spec!(
        PersonPhone,
        "本人电话",
        [],
        false,
        false,
        "成员本人电话",
        ""
    ),
    spec!(
        SurveyFamily,
        "三清-家庭情况",
        [],
        false,
        true,
        "三清调查：家庭情况",
        "夫妻二人，妻子患病"
    ),
    spec!(
        SurveyCause,
        "三清-致贫原因",
        [],
        false,
        true,
        "三清调查：致贫原因",
        "因病致贫"
    ),
    spec!(
        SurveyNeed,
        "三清-帮扶需求",
        [],
        false,
        true,
        "三清调查：帮扶需求",
        "医疗救助"
    ),
    spec!(SurveyedBy, "调查人", [], false, true, "三清调查人", "李四"),
    spec!(
        SurveyedOn,
        "调查日期",
        [],
        false,
        true,
        "三清调查日期；填写了三清内容时必填",
        "2026-10-15"
    ),
    spec!(
        CarriedProgram,
        "现享待遇",
        ["现享救助类别"],
        false,
        true,
        "开始使用本平台前已在享受的待遇：城市低保或城市特困；没有则留空。经县民政局按现行政策核对确认后，从本平台按月发放",
        "城市低保"
    ),
    spec!(
        CarriedAmount,
        "现享月金额",
        ["现享金额"],
        false,
        true,
        "现享待遇的每月金额（元）；填写了现享待遇时必填",
        "680.00"
    ),
    spec!(
        CarriedFrom,
        "现享起始月份",
        [],
        false,
        true,
        "原批准的起始月份（如 2024-03）；填写了现享待遇时必填",
        "2024-03"
    ),
    spec!(
        CarriedReference,
        "原批准文号",
        [],
        false,
        true,
        "原审批决定的文号或编号；填写了现享待遇时必填",
        "云民〔2024〕12号"
    ),
];

/// The spec of a fixed column.
pub fn spec(col: Col) -> &'static ColSpec {
    COLUMNS
        .iter()
        .find(|s| s.col == col)
        .expect("every column has a spec")
}

/// A column that varies by file: a month of income or expense, or an asset kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DynamicCol {
    /// A member's income of a kind in a month.
    Income(IncomeKind, Month),
    /// A member's expense of a kind in a month.
    Expense(ExpenseKind, Month),
    /// A household asset of a kind (value in yuan).
    Asset(AssetKind),
}

impl DynamicCol {
    /// Recognises a dynamic column header.
    pub fn parse(header: &str) -> Option<DynamicCol> {
        let h = header.trim();
        if let Some((kind, month)) = h.split_once([':', '：']) {
            let month = Month::parse(month).ok()?;
            if let Ok(k) = IncomeKind::parse(kind) {
                return Some(DynamicCol::Income(k, month));
            }
            if let Ok(k) = ExpenseKind::parse(kind) {
                return Some(DynamicCol::Expense(k, month));
            }
            return None;
        }
        AssetKind::parse(h).ok().map(DynamicCol::Asset)
    }

    /// The header this column is written with.
    pub fn header(self) -> String {
        match self {
            DynamicCol::Income(k, m) => format!("{}:{m}", k.label()),
            DynamicCol::Expense(k, m) => format!("{}:{m}", k.label()),
            DynamicCol::Asset(k) => k.label().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_columns_are_recognised_by_kind_and_month() {
        let m = Month::parse("2026-05").unwrap();
        assert_eq!(
            DynamicCol::parse("工资性收入:2026-05"),
            Some(DynamicCol::Income(IncomeKind::Wages, m))
        );
        assert_eq!(
            DynamicCol::parse("自付医疗费：2026-5"),
            Some(DynamicCol::Expense(ExpenseKind::Medical, m))
        );
        assert_eq!(
            DynamicCol::parse("存款"),
            Some(DynamicCol::Asset(AssetKind::Savings))
        );
        assert_eq!(DynamicCol::parse("工资:2026-05"), None);
        assert_eq!(
            DynamicCol::Income(IncomeKind::Pension, m).header(),
            "养老金:2026-05"
        );
    }

    #[test]
    fn every_fixed_column_has_a_distinct_header() {
        let mut headers: Vec<&str> = COLUMNS
            .iter()
            .flat_map(|c| std::iter::once(c.header).chain(c.aliases.iter().copied()))
            .collect();
        let n = headers.len();
        headers.sort();
        headers.dedup();
        assert_eq!(headers.len(), n);
    }
}

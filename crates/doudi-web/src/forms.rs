//! HTML forms as data: a form is a list of sections of [`Field`]s that one template renders, each
//! field with its label, the user's input, its error beside it and, after a conflict, the value
//! now stored. Forms convert into the API's bodies ([`crate::dto`]), so pages and API parse alike.

use askama::Template;
use axum::extract::{Form, FromRequest, Request};
use doudi_core::{
    AssetKind, Category, DisabilityGrade, DisabilityKind, Employment, ExpenseKind, HealthInsurance,
    Housing, IncomeKind, Money, Need, Person, PovertyCause, Relation, SchoolStage, Scope, SelfCare,
    SpecialDisease, WorkCapacity,
};

use crate::dto::{FinanceChangeDto, HouseholdFieldsDto, PersonFieldsDto, SurveyDto};
use crate::error::{AppError, FieldErrors};
use crate::pages::Chrome;
use crate::view::Divisions;
use crate::vocab::Vocabulary;

/// A submitted URL-encoded form, as name–value pairs in order (a name may repeat, as checkbox
/// groups do).
#[derive(Clone, Debug, Default)]
pub struct FormInput(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormInput {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        match Form::<Vec<(String, String)>>::from_request(request, state).await {
            Ok(Form(pairs)) => Ok(FormInput(pairs)),
            Err(rejection) => Err(AppError::BadRequest(format!(
                "无法读取提交的表单：{rejection}"
            ))),
        }
    }
}

impl FormInput {
    /// The first value of a field, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of a field.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(n, v)| n == name && !v.is_empty())
    }

    /// A value that may be left empty.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// The household version the form was rendered with.
    pub fn version(&self) -> Result<i64, AppError> {
        self.get("version")
            .trim()
            .parse()
            .map_err(|_| AppError::BadRequest("表单缺少版本号，请返回并刷新页面后重试".into()))
    }
}

/// An option of a select, checkbox group or radio group.
#[derive(Clone, Debug)]
pub struct Opt {
    /// The submitted value.
    pub value: String,
    /// What people read.
    pub label: String,
    /// Whether it is chosen.
    pub selected: bool,
}

/// A labelled group of options.
#[derive(Clone, Debug)]
pub struct OptGroup {
    /// The group's label.
    pub label: String,
    /// Its options.
    pub options: Vec<Opt>,
}

/// How a field is entered.
#[derive(Clone, Debug)]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// A date (`<input type=date>`, which falls back to text in old browsers).
    Date,
    /// A month (`<input type=month>`).
    Month,
    /// A phone number.
    Tel,
    /// An amount in yuan.
    Amount,
    /// A password.
    Password,
    /// Several lines of text.
    TextArea,
    /// A choice from a list; the first option may be blank.
    Select(Vec<Opt>),
    /// A choice from grouped options.
    GroupedSelect(Vec<OptGroup>),
    /// A yes/no box.
    Checkbox(bool),
    /// Any number of choices.
    Checkboxes(Vec<Opt>),
}

/// One field of a form.
#[derive(Clone, Debug)]
pub struct Field {
    /// The submitted name.
    pub name: String,
    /// The label.
    pub label: &'static str,
    /// How it is entered.
    pub kind: FieldKind,
    /// What the user typed (or what is stored, for a new edit).
    pub value: String,
    /// What is wrong with it.
    pub error: Option<String>,
    /// Advice shown under it.
    pub hint: Option<&'static str>,
    /// After a conflict: the value now stored, when it differs from the input.
    pub current: Option<String>,
    /// Whether it must be filled.
    pub required: bool,
    /// Whether it spans the whole row.
    pub wide: bool,
}

impl Field {
    fn new(name: String, label: &'static str, kind: FieldKind, value: &str) -> Field {
        Field {
            name,
            label,
            kind,
            value: value.to_owned(),
            error: None,
            hint: None,
            current: None,
            required: false,
            wide: false,
        }
    }

    fn required(mut self) -> Field {
        self.required = true;
        self
    }

    fn hint(mut self, hint: &'static str) -> Field {
        self.hint = Some(hint);
        self
    }

    fn wide(mut self) -> Field {
        self.wide = true;
        self
    }

    fn error(mut self, errors: &FieldErrors, key: &str) -> Field {
        self.error = errors.get(key).map(str::to_owned);
        self
    }

    /// Notes the stored value after a conflict, when it differs from the input.
    fn current(mut self, stored: Option<(String, String)>) -> Field {
        if let Some((raw, shown)) = stored
            && raw.trim() != self.submitted_raw().trim()
        {
            self.current = Some(if shown.is_empty() {
                "（空）".into()
            } else {
                shown
            });
        }
        self
    }

    fn submitted_raw(&self) -> String {
        match &self.kind {
            FieldKind::Checkbox(on) => on.to_string(),
            FieldKind::Checkboxes(opts) => opts
                .iter()
                .filter(|o| o.selected)
                .map(|o| o.value.as_str())
                .collect::<Vec<_>>()
                .join(","),
            _ => self.value.clone(),
        }
    }

    /// The HTML id of the field.
    pub fn id(&self) -> String {
        format!("f-{}", self.name)
    }

    /// The HTML `type` of a one-line input.
    pub fn input_type(&self) -> &'static str {
        match self.kind {
            FieldKind::Date => "date",
            FieldKind::Month => "month",
            FieldKind::Tel => "tel",
            FieldKind::Password => "password",
            _ => "text",
        }
    }

    /// `inputmode` for amounts, so that tablets show digits.
    pub fn input_mode(&self) -> &'static str {
        match self.kind {
            FieldKind::Amount => "decimal",
            FieldKind::Tel => "tel",
            _ => "text",
        }
    }
}

/// A titled group of fields.
#[derive(Clone, Debug)]
pub struct Section {
    /// Its title.
    pub legend: &'static str,
    /// Its fields.
    pub fields: Vec<Field>,
}

/// A page with one form: every edit in doudi uses it.
#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    /// Layout.
    pub chrome: Chrome,
    /// Heading.
    pub heading: String,
    /// A sentence under the heading.
    pub intro: Option<String>,
    /// Where the form posts.
    pub action: String,
    /// Problems that belong to no single field (conflicts, duplicates, rules across fields).
    pub problems: Vec<String>,
    /// Hidden fields (the version, identifiers).
    pub hidden: Vec<(String, String)>,
    /// The visible fields.
    pub sections: Vec<Section>,
    /// The submit button's text.
    pub submit: &'static str,
    /// Whether submitting destroys something (a red button).
    pub danger: bool,
    /// Where "取消" leads.
    pub cancel: String,
    /// How many fields have errors, for the summary at the top.
    pub error_count: usize,
}

impl FormPage {
    /// A form page; counts the fields with errors for the summary.
    pub fn new(
        chrome: Chrome,
        heading: impl Into<String>,
        action: impl Into<String>,
        sections: Vec<Section>,
        submit: &'static str,
        cancel: impl Into<String>,
    ) -> FormPage {
        let error_count = sections
            .iter()
            .flat_map(|s| &s.fields)
            .filter(|f| f.error.is_some())
            .count();
        FormPage {
            chrome,
            heading: heading.into(),
            intro: None,
            action: action.into(),
            problems: Vec::new(),
            hidden: Vec::new(),
            sections,
            submit,
            danger: false,
            cancel: cancel.into(),
            error_count,
        }
    }

    /// Adds a hidden field.
    pub fn hidden(mut self, name: &str, value: impl ToString) -> FormPage {
        self.hidden.push((name.to_owned(), value.to_string()));
        self
    }

    /// Adds a problem shown at the top.
    pub fn problem(mut self, problem: impl Into<String>) -> FormPage {
        self.problems.push(problem.into());
        self
    }

    /// Sets the sentence under the heading.
    pub fn intro(mut self, intro: impl Into<String>) -> FormPage {
        self.intro = Some(intro.into());
        self
    }

    /// Marks the form as destroying something.
    pub fn danger(mut self) -> FormPage {
        self.danger = true;
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Options.

fn vocab_options<T: Vocabulary>(selected: &str, blank: Option<&str>) -> Vec<Opt> {
    let chosen = T::parse(selected).ok();
    blank
        .map(|b| Opt {
            value: String::new(),
            label: b.to_owned(),
            selected: chosen.is_none(),
        })
        .into_iter()
        .chain(T::ALL.iter().map(|v| Opt {
            value: v.code().to_owned(),
            label: v.label().to_owned(),
            selected: chosen == Some(*v),
        }))
        .collect()
}

fn vocab_checkboxes<T: Vocabulary>(selected: &[String]) -> Vec<Opt> {
    let chosen: Vec<T> = selected.iter().filter_map(|s| T::parse(s).ok()).collect();
    T::ALL
        .iter()
        .map(|v| Opt {
            value: v.code().to_owned(),
            label: v.label().to_owned(),
            selected: chosen.contains(v),
        })
        .collect()
}

fn vocab_label<T: Vocabulary>(code: &str) -> String {
    T::parse(code).map_or_else(|_| code.to_owned(), |v| v.label().to_owned())
}

fn vocab_labels<T: Vocabulary>(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| vocab_label::<T>(c))
        .collect::<Vec<_>>()
        .join("、")
}

fn yes_no(b: bool) -> String {
    if b { "是" } else { "否" }.to_owned()
}

/// Select options for the townships an actor works in.
pub fn township_options(
    divisions: &Divisions,
    scope: &Scope,
    selected: &str,
    blank: &str,
) -> Vec<Opt> {
    let townships: Vec<_> = divisions.townships_in(scope).collect();
    let single = townships.len() == 1;
    std::iter::once(Opt {
        value: String::new(),
        label: blank.to_owned(),
        selected: false,
    })
    .filter(|_| !single)
    .chain(townships.into_iter().map(|d| Opt {
        value: d.code.to_string(),
        label: d.name.clone(),
        selected: d.code.as_str() == selected || single,
    }))
    .collect()
}

/// Select options for communities, grouped by township, within an actor's scope.
pub fn community_groups(divisions: &Divisions, scope: &Scope, selected: &str) -> Vec<OptGroup> {
    divisions
        .townships_in(scope)
        .map(|t| OptGroup {
            label: t.name.clone(),
            options: divisions
                .communities_in(&t.code, scope)
                .map(|c| Opt {
                    value: c.code.to_string(),
                    label: c.name.clone(),
                    selected: c.code.as_str() == selected,
                })
                .collect(),
        })
        .filter(|g| !g.options.is_empty())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Households.

/// The household's fields as read from a form.
pub fn household_dto(form: &FormInput) -> HouseholdFieldsDto {
    HouseholdFieldsDto {
        number: form.get("number").to_owned(),
        township: form.get("township").to_owned(),
        community: form.get("community").to_owned(),
        category: form.get("category").to_owned(),
        enrolled_on: form.get("enrolled_on").to_owned(),
        exited_on: form.optional("exited_on"),
        address: form.get("address").to_owned(),
        phone: form.optional("phone"),
        bank_account: form.optional("bank_account"),
        housing: form.get("housing").to_owned(),
        causes: form.all("causes"),
        needs: form.all("needs"),
    }
}

/// What a household form needs to know besides the values.
pub struct HouseholdFormContext<'a> {
    /// Names and the hierarchy of divisions.
    pub divisions: &'a Divisions,
    /// The actor's scope, which limits the townships and communities offered.
    pub scope: &'a Scope,
    /// Whether the exit date is offered (not when filing a new household).
    pub with_exit: bool,
}

/// The sections of a household form.
pub fn household_sections(
    dto: &HouseholdFieldsDto,
    errors: &FieldErrors,
    stored: Option<&HouseholdFieldsDto>,
    ctx: &HouseholdFormContext<'_>,
) -> Vec<Section> {
    let d = ctx.divisions;
    let name_of = |code: &str| {
        d.get(code)
            .map_or_else(|| code.to_owned(), |x| x.name.clone())
    };
    let cur = |f: fn(&HouseholdFieldsDto) -> (String, String)| stored.map(f);
    let opt_text = |s: &Option<String>| {
        let v = s.clone().unwrap_or_default();
        (v.clone(), v)
    };
    let mut basic = vec![
        Field::new("number".into(), "户编号", FieldKind::Text, &dto.number)
            .required()
            .hint(
                "全县唯一，由字母、数字或连字符组成，如 QL-2026-00001（乡镇拼音首字母-年份-序号）",
            )
            .error(errors, "number")
            .current(cur(|s| (s.number.clone(), s.number.clone()))),
        Field::new(
            "category".into(),
            "救助类别",
            FieldKind::Select(vocab_options::<Category>(&dto.category, Some("请选择"))),
            &dto.category,
        )
        .required()
        .error(errors, "category")
        .current(cur(|s| {
            (s.category.clone(), vocab_label::<Category>(&s.category))
        })),
        Field::new(
            "township".into(),
            "乡镇（街道）",
            FieldKind::Select(township_options(d, ctx.scope, &dto.township, "请选择")),
            &dto.township,
        )
        .required()
        .error(errors, "township")
        .current(stored.map(|s| (s.township.clone(), name_of(&s.township)))),
        Field::new(
            "community".into(),
            "社区",
            FieldKind::GroupedSelect(community_groups(d, ctx.scope, &dto.community)),
            &dto.community,
        )
        .required()
        .hint("须属于所选乡镇（街道）")
        .error(errors, "community")
        .current(stored.map(|s| (s.community.clone(), name_of(&s.community)))),
        Field::new(
            "enrolled_on".into(),
            "纳入日期",
            FieldKind::Date,
            &dto.enrolled_on,
        )
        .required()
        .error(errors, "enrolled_on")
        .current(cur(|s| (s.enrolled_on.clone(), s.enrolled_on.clone()))),
    ];
    if ctx.with_exit {
        basic.push(
            Field::new(
                "exited_on".into(),
                "退出日期",
                FieldKind::Date,
                dto.exited_on.as_deref().unwrap_or(""),
            )
            .hint("仍在保障中的家庭请留空")
            .error(errors, "exited_on")
            .current(stored.map(|s| opt_text(&s.exited_on))),
        );
    }
    basic.extend([
        Field::new(
            "housing".into(),
            "住房情况",
            FieldKind::Select(vocab_options::<Housing>(&dto.housing, Some("请选择"))),
            &dto.housing,
        )
        .required()
        .error(errors, "housing")
        .current(cur(|s| {
            (s.housing.clone(), vocab_label::<Housing>(&s.housing))
        })),
        Field::new("address".into(), "住址", FieldKind::Text, &dto.address)
            .required()
            .wide()
            .error(errors, "address")
            .current(cur(|s| (s.address.clone(), s.address.clone()))),
        Field::new(
            "phone".into(),
            "联系电话",
            FieldKind::Tel,
            dto.phone.as_deref().unwrap_or(""),
        )
        .hint("手机号11位，座机如 023-55123456")
        .error(errors, "phone")
        .current(stored.map(|s| opt_text(&s.phone))),
        Field::new(
            "bank_account".into(),
            "银行账号",
            FieldKind::Text,
            dto.bank_account.as_deref().unwrap_or(""),
        )
        .hint("救助金发放账号，10至30位数字")
        .error(errors, "bank_account")
        .current(stored.map(|s| opt_text(&s.bank_account))),
    ]);
    let needs = vec![
        Field::new(
            "causes".into(),
            "致贫原因",
            FieldKind::Checkboxes(vocab_checkboxes::<PovertyCause>(&dto.causes)),
            "",
        )
        .wide()
        .error(errors, "causes")
        .current(stored.map(|s| (s.causes.join(","), vocab_labels::<PovertyCause>(&s.causes)))),
        Field::new(
            "needs".into(),
            "帮扶需求",
            FieldKind::Checkboxes(vocab_checkboxes::<Need>(&dto.needs)),
            "",
        )
        .wide()
        .error(errors, "needs")
        .current(stored.map(|s| (s.needs.join(","), vocab_labels::<Need>(&s.needs)))),
    ];
    vec![
        Section {
            legend: "家庭基本信息",
            fields: basic,
        },
        Section {
            legend: "致贫原因与帮扶需求",
            fields: needs,
        },
    ]
}

// ---------------------------------------------------------------------------------------------
// People.

/// A member's fields as read from a form whose names start with `prefix`.
pub fn person_dto(form: &FormInput, prefix: &str) -> PersonFieldsDto {
    let get = |n: &str| form.get(&format!("{prefix}{n}")).to_owned();
    let opt = |n: &str| form.optional(&format!("{prefix}{n}"));
    let checked = |n: &str| form.checked(&format!("{prefix}{n}"));
    PersonFieldsDto {
        name: get("name"),
        id_number: get("id_number"),
        relation: get("relation"),
        disability_kind: opt("disability_kind"),
        disability_grade: opt("disability_grade"),
        serious_illness: checked("serious_illness"),
        disease: get("disease"),
        special_disease: opt("special_disease"),
        self_care: get("self_care"),
        work_capacity: get("work_capacity"),
        willing_to_work: checked("willing_to_work"),
        employment: get("employment"),
        school_stage: opt("school_stage"),
        boarding: checked("boarding"),
        insurance: get("insurance"),
        family_doctor: checked("family_doctor"),
        health_record: checked("health_record"),
        phone: opt("phone"),
    }
}

/// The sections of a member form. Field names start with `prefix`; `with_relation` is false on
/// the new-household form, whose member is the head.
pub fn person_sections(
    prefix: &str,
    dto: &PersonFieldsDto,
    errors: &FieldErrors,
    stored: Option<&PersonFieldsDto>,
    with_relation: bool,
) -> Vec<Section> {
    let n = |name: &str| format!("{prefix}{name}");
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let select = |name: &str, label: &'static str, options: Vec<Opt>, value: &str| {
        Field::new(n(name), label, FieldKind::Select(options), value).error(errors, name)
    };
    let check = |name: &str, label: &'static str, on: bool| {
        Field::new(n(name), label, FieldKind::Checkbox(on), "").error(errors, name)
    };
    let stored_vocab = |get: fn(&PersonFieldsDto) -> Option<String>, label: fn(&str) -> String| {
        stored.map(|s| {
            let raw = get(s).unwrap_or_default();
            let shown = if raw.is_empty() {
                "无".to_owned()
            } else {
                label(&raw)
            };
            (raw, shown)
        })
    };
    let stored_bool =
        |get: fn(&PersonFieldsDto) -> bool| stored.map(|s| (get(s).to_string(), yes_no(get(s))));

    let mut basic = vec![
        Field::new(n("name"), "姓名", FieldKind::Text, &dto.name)
            .required()
            .error(errors, "name")
            .current(stored.map(|s| (s.name.clone(), s.name.clone()))),
        Field::new(
            n("id_number"),
            "身份证号码",
            FieldKind::Text,
            &dto.id_number,
        )
        .required()
        .hint("18位，末位可为X；出生日期和性别由号码得出")
        .error(errors, "id_number")
        .current(stored.map(|s| (s.id_number.clone(), s.id_number.clone()))),
    ];
    if with_relation {
        basic.push(
            select(
                "relation",
                "与户主关系",
                vocab_options::<Relation>(&dto.relation, Some("请选择")),
                &dto.relation,
            )
            .required()
            .current(stored_vocab(
                |s| Some(s.relation.clone()),
                vocab_label::<Relation>,
            )),
        );
    }
    basic.push(
        Field::new(n("phone"), "联系电话", FieldKind::Tel, &opt(&dto.phone))
            .error(errors, "phone")
            .current(stored.map(|s| (opt(&s.phone), opt(&s.phone)))),
    );

    let health = vec![
        select(
            "disability_kind",
            "残疾类别",
            vocab_options::<DisabilityKind>(&opt(&dto.disability_kind), Some("无残疾")),
            &opt(&dto.disability_kind),
        )
        .current(stored_vocab(
            |s| s.disability_kind.clone(),
            vocab_label::<DisabilityKind>,
        )),
        select(
            "disability_grade",
            "残疾等级",
            vocab_options::<DisabilityGrade>(&opt(&dto.disability_grade), Some("无")),
            &opt(&dto.disability_grade),
        )
        .hint("一级、二级为重度残疾")
        .current(stored_vocab(
            |s| s.disability_grade.clone(),
            vocab_label::<DisabilityGrade>,
        )),
        check("serious_illness", "患重病", dto.serious_illness)
            .current(stored_bool(|s| s.serious_illness)),
        Field::new(n("disease"), "所患疾病", FieldKind::Text, &dto.disease)
            .error(errors, "disease")
            .current(stored.map(|s| (s.disease.clone(), s.disease.clone()))),
        select(
            "special_disease",
            "特殊病种",
            vocab_options::<SpecialDisease>(&opt(&dto.special_disease), Some("无")),
            &opt(&dto.special_disease),
        )
        .current(stored_vocab(
            |s| s.special_disease.clone(),
            vocab_label::<SpecialDisease>,
        )),
        select(
            "self_care",
            "自理能力",
            vocab_options::<SelfCare>(&dto.self_care, Some("请选择")),
            &dto.self_care,
        )
        .required()
        .current(stored_vocab(
            |s| Some(s.self_care.clone()),
            vocab_label::<SelfCare>,
        )),
        select(
            "insurance",
            "医保类型",
            vocab_options::<HealthInsurance>(&dto.insurance, Some("请选择")),
            &dto.insurance,
        )
        .required()
        .current(stored_vocab(
            |s| Some(s.insurance.clone()),
            vocab_label::<HealthInsurance>,
        )),
        check("family_doctor", "已签约家庭医生", dto.family_doctor)
            .current(stored_bool(|s| s.family_doctor)),
        check("health_record", "已建电子健康档案", dto.health_record)
            .current(stored_bool(|s| s.health_record)),
    ];

    let work = vec![
        select(
            "work_capacity",
            "劳动能力",
            vocab_options::<WorkCapacity>(&dto.work_capacity, Some("请选择")),
            &dto.work_capacity,
        )
        .required()
        .current(stored_vocab(
            |s| Some(s.work_capacity.clone()),
            vocab_label::<WorkCapacity>,
        )),
        check("willing_to_work", "有就业意愿", dto.willing_to_work)
            .current(stored_bool(|s| s.willing_to_work)),
        select(
            "employment",
            "就业状况",
            vocab_options::<Employment>(&dto.employment, Some("请选择")),
            &dto.employment,
        )
        .required()
        .current(stored_vocab(
            |s| Some(s.employment.clone()),
            vocab_label::<Employment>,
        )),
        select(
            "school_stage",
            "就学阶段",
            vocab_options::<SchoolStage>(&opt(&dto.school_stage), Some("不在学")),
            &opt(&dto.school_stage),
        )
        .current(stored_vocab(
            |s| s.school_stage.clone(),
            vocab_label::<SchoolStage>,
        )),
        check("boarding", "寄宿", dto.boarding).current(stored_bool(|s| s.boarding)),
    ];

    vec![
        Section {
            legend: if with_relation {
                "成员基本信息"
            } else {
                "户主信息"
            },
            fields: basic,
        },
        Section {
            legend: "健康与医疗保障",
            fields: health,
        },
        Section {
            legend: "劳动就业与就学",
            fields: work,
        },
    ]
}

// ---------------------------------------------------------------------------------------------
// Finances and surveys.

/// Which of a household's records a finance form edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinanceKind {
    /// 收入.
    Income,
    /// 支出.
    Expense,
    /// 财产.
    Asset,
}

impl FinanceKind {
    /// Its path segment: `incomes`, `expenses`, `assets`.
    pub fn segment(self) -> &'static str {
        match self {
            FinanceKind::Income => "incomes",
            FinanceKind::Expense => "expenses",
            FinanceKind::Asset => "assets",
        }
    }

    /// Its name in Chinese.
    pub fn label(self) -> &'static str {
        match self {
            FinanceKind::Income => "收入",
            FinanceKind::Expense => "支出",
            FinanceKind::Asset => "财产",
        }
    }
}

/// A finance form's input: kept as typed so that it can be shown again.
#[derive(Clone, Debug, Default)]
pub struct FinanceInput {
    /// Member id (incomes and expenses).
    pub person: String,
    /// Month (incomes and expenses).
    pub month: String,
    /// Kind code.
    pub kind: String,
    /// Amount or value in yuan.
    pub amount: String,
    /// Description (assets).
    pub description: String,
}

impl FinanceInput {
    /// Reads the form.
    pub fn from_form(form: &FormInput) -> FinanceInput {
        FinanceInput {
            person: form.get("person").trim().to_owned(),
            month: form.get("month").trim().to_owned(),
            kind: form.get("kind").trim().to_owned(),
            amount: form.get("amount").trim().to_owned(),
            description: form.get("description").trim().to_owned(),
        }
    }

    /// The change that puts this record, or the problems per form field.
    pub fn put(&self, kind: FinanceKind) -> Result<FinanceChangeDto, FieldErrors> {
        let mut errors = FieldErrors::new();
        let amount_fen = match Money::parse_non_negative_yuan(&self.amount) {
            Ok(m) => m.fen(),
            Err(e) => {
                errors.add("amount", e.to_string());
                0
            }
        };
        let person_id = self.person_id(kind, &mut errors);
        // The month field of <input type=month> sends 2026-05; Month::parse reads it.
        let dto = match kind {
            FinanceKind::Income => FinanceChangeDto::PutIncome {
                person_id,
                month: self.month.clone(),
                kind: self.kind.clone(),
                amount_fen,
            },
            FinanceKind::Expense => FinanceChangeDto::PutExpense {
                person_id,
                month: self.month.clone(),
                kind: self.kind.clone(),
                amount_fen,
            },
            FinanceKind::Asset => FinanceChangeDto::PutAsset {
                kind: self.kind.clone(),
                description: self.description.clone(),
                value_fen: amount_fen,
            },
        };
        if let Err(more) = doudi_store::FinanceChange::try_from(&dto) {
            for (field, message) in more.iter() {
                let field = if field.ends_with("_fen") {
                    "amount"
                } else {
                    field
                };
                errors.add(field, message);
            }
        }
        if errors.is_empty() {
            Ok(dto)
        } else {
            Err(errors)
        }
    }

    /// The change that deletes this record.
    pub fn delete(&self, kind: FinanceKind) -> Result<FinanceChangeDto, FieldErrors> {
        let mut errors = FieldErrors::new();
        let person_id = self.person_id(kind, &mut errors);
        let dto = match kind {
            FinanceKind::Income => FinanceChangeDto::DeleteIncome {
                person_id,
                month: self.month.clone(),
                kind: self.kind.clone(),
            },
            FinanceKind::Expense => FinanceChangeDto::DeleteExpense {
                person_id,
                month: self.month.clone(),
                kind: self.kind.clone(),
            },
            FinanceKind::Asset => FinanceChangeDto::DeleteAsset {
                kind: self.kind.clone(),
                description: self.description.clone(),
            },
        };
        if let Err(more) = doudi_store::FinanceChange::try_from(&dto) {
            for (field, message) in more.iter() {
                errors.add(field, message);
            }
        }
        if errors.is_empty() {
            Ok(dto)
        } else {
            Err(errors)
        }
    }

    fn person_id(&self, kind: FinanceKind, errors: &mut FieldErrors) -> i64 {
        if kind == FinanceKind::Asset {
            return 0;
        }
        match self.person.parse() {
            Ok(id) => id,
            Err(_) => {
                errors.add("person", "请选择成员");
                0
            }
        }
    }
}

/// The sections of a finance form. Members are shown by full name: only those who may write
/// see this form.
pub fn finance_sections(
    kind: FinanceKind,
    input: &FinanceInput,
    errors: &FieldErrors,
    members: &[Person],
) -> Vec<Section> {
    let mut fields = Vec::new();
    if kind != FinanceKind::Asset {
        let options = std::iter::once(Opt {
            value: String::new(),
            label: "请选择".into(),
            selected: input.person.is_empty(),
        })
        .chain(members.iter().map(|p| Opt {
            value: p.id.0.to_string(),
            label: format!("{}（{}）", p.fields.name, p.fields.relation.label()),
            selected: p.id.0.to_string() == input.person,
        }))
        .collect();
        fields.push(
            Field::new(
                "person".into(),
                "成员",
                FieldKind::Select(options),
                &input.person,
            )
            .required()
            .error(errors, "person"),
        );
        fields.push(
            Field::new("month".into(), "月份", FieldKind::Month, &input.month)
                .required()
                .hint("如 2026-05")
                .error(errors, "month"),
        );
    }
    let kind_options = match kind {
        FinanceKind::Income => vocab_options::<IncomeKind>(&input.kind, Some("请选择")),
        FinanceKind::Expense => vocab_options::<ExpenseKind>(&input.kind, Some("请选择")),
        FinanceKind::Asset => vocab_options::<AssetKind>(&input.kind, Some("请选择")),
    };
    fields.push(
        Field::new(
            "kind".into(),
            "类型",
            FieldKind::Select(kind_options),
            &input.kind,
        )
        .required()
        .error(errors, "kind"),
    );
    if kind == FinanceKind::Asset {
        fields.push(
            Field::new(
                "description".into(),
                "财产说明",
                FieldKind::Text,
                &input.description,
            )
            .required()
            .hint("如车牌号、房产地址、开户银行；类型与说明相同的财产将被替换")
            .error(errors, "description"),
        );
    }
    fields.push(
        Field::new(
            "amount".into(),
            if kind == FinanceKind::Asset {
                "价值（元）"
            } else {
                "金额（元）"
            },
            FieldKind::Amount,
            &input.amount,
        )
        .required()
        .hint(if kind == FinanceKind::Asset {
            "精确到分，如 35000 或 35000.00"
        } else {
            "精确到分；同一成员同月同类型的金额将被替换"
        })
        .error(errors, "amount"),
    );
    vec![Section {
        legend: kind.label(),
        fields,
    }]
}

/// The survey as read from a form.
pub fn survey_dto(form: &FormInput) -> SurveyDto {
    SurveyDto {
        family_situation: form.get("family_situation").to_owned(),
        poverty_cause: form.get("poverty_cause").to_owned(),
        help_needed: form.get("help_needed").to_owned(),
        surveyed_by: form.get("surveyed_by").to_owned(),
        surveyed_on: form.get("surveyed_on").to_owned(),
    }
}

/// The sections of the 三清 survey form (4.2.a).
pub fn survey_sections(dto: &SurveyDto, errors: &FieldErrors) -> Vec<Section> {
    let area = |name: &str, label: &'static str, value: &str, hint: &'static str| {
        Field::new(name.into(), label, FieldKind::TextArea, value)
            .required()
            .wide()
            .hint(hint)
            .error(errors, name)
    };
    vec![
        Section {
            legend: "三清",
            fields: vec![
                area(
                    "family_situation",
                    "家庭情况清",
                    &dto.family_situation,
                    "家庭成员、居住、收入和财产的实际情况",
                ),
                area(
                    "poverty_cause",
                    "致贫原因清",
                    &dto.poverty_cause,
                    "导致困难的主要原因及其经过",
                ),
                area(
                    "help_needed",
                    "帮扶需求清",
                    &dto.help_needed,
                    "家庭最需要的帮助，按轻重缓急",
                ),
            ],
        },
        Section {
            legend: "调查记录",
            fields: vec![
                Field::new(
                    "surveyed_by".into(),
                    "调查人",
                    FieldKind::Text,
                    &dto.surveyed_by,
                )
                .required()
                .error(errors, "surveyed_by"),
                Field::new(
                    "surveyed_on".into(),
                    "调查日期",
                    FieldKind::Date,
                    &dto.surveyed_on,
                )
                .required()
                .error(errors, "surveyed_on"),
            ],
        },
    ]
}

/// The single field of the remove-member form.
pub fn reason_sections(reason: &str, errors: &FieldErrors) -> Vec<Section> {
    vec![Section {
        legend: "移除原因",
        fields: vec![
            Field::new("reason".into(), "原因", FieldKind::TextArea, reason)
                .required()
                .wide()
                .hint("如：迁出本县、死亡、分户；将记入变更历史")
                .error(errors, "reason"),
        ],
    }]
}

/// The fields of the password form.
pub fn password_sections(errors: &FieldErrors) -> Vec<Section> {
    let field = |name: &str, label: &'static str| {
        Field::new(name.into(), label, FieldKind::Password, "")
            .required()
            .error(errors, name)
    };
    vec![Section {
        legend: "修改密码",
        fields: vec![
            field("current", "当前密码"),
            field("new", "新密码").hint("至少10个字符，不能与当前密码相同"),
            field("confirm", "再次输入新密码"),
        ],
    }]
}

/// What an account form holds, as typed.
#[derive(Clone, Debug, Default)]
pub struct AccountInput {
    /// Login name (new accounts only).
    pub username: String,
    /// Display name (new accounts only).
    pub display_name: String,
    /// Role code.
    pub role: String,
    /// Scope: "" for the county, else a division code.
    pub scope: String,
    /// Department code, "" for none.
    pub department: String,
}

impl AccountInput {
    /// The fields of a submitted form.
    pub fn from_form(form: &FormInput) -> AccountInput {
        AccountInput {
            username: form.get("username").trim().to_owned(),
            display_name: form.get("display_name").trim().to_owned(),
            role: form.get("role").to_owned(),
            scope: form.get("scope").trim().to_owned(),
            department: form.get("department").to_owned(),
        }
    }
}

/// The sections of the account form: login and name (for a new account), role, scope and
/// department, and the initial password (for a new account).
pub fn account_sections(
    input: &AccountInput,
    divisions: &Divisions,
    errors: &FieldErrors,
    new: bool,
) -> Vec<Section> {
    let mut sections = Vec::new();
    if new {
        sections.push(Section {
            legend: "账户",
            fields: vec![
                Field::new(
                    "username".into(),
                    "登录名",
                    FieldKind::Text,
                    &input.username,
                )
                .required()
                .hint("字母、数字或拼音，不含空格，创建后不可修改")
                .error(errors, "username"),
                Field::new(
                    "display_name".into(),
                    "姓名（含单位）",
                    FieldKind::Text,
                    &input.display_name,
                )
                .required()
                .hint("如：青龙街道经办员 陈静")
                .error(errors, "display_name"),
            ],
        });
    }
    let roles: Vec<Opt> = doudi_core::Role::ALL
        .iter()
        .filter(|r| **r != doudi_core::Role::System)
        .map(|r| Opt {
            value: r.code().to_owned(),
            label: r.label().to_owned(),
            selected: r.code() == input.role,
        })
        .collect();
    let mut scopes = vec![Opt {
        value: String::new(),
        label: "全县".into(),
        selected: input.scope.is_empty(),
    }];
    for t in divisions.townships_in(&Scope::County) {
        scopes.push(Opt {
            value: t.code.to_string(),
            label: t.name.clone(),
            selected: t.code.as_str() == input.scope,
        });
        for c in divisions.communities_in(&t.code, &Scope::County) {
            scopes.push(Opt {
                value: c.code.to_string(),
                label: format!("{} · {}", t.name, c.name),
                selected: c.code.as_str() == input.scope,
            });
        }
    }
    sections.push(Section {
        legend: "角色与工作范围",
        fields: vec![
            Field::new("role".into(), "角色", FieldKind::Select(roles), &input.role)
                .required()
                .error(errors, "role"),
            Field::new(
                "scope".into(),
                "工作范围",
                FieldKind::Select(scopes),
                &input.scope,
            )
            .hint("乡镇（街道）经办人员选乡镇（街道），社区工作人员选社区；县级角色选全县")
            .error(errors, "scope"),
            Field::new(
                "department".into(),
                "所属部门",
                FieldKind::Select(vocab_options::<doudi_core::Department>(
                    &input.department,
                    Some("（不属于部门）"),
                )),
                &input.department,
            )
            .hint("仅部门工作人员填写；决定其可查看的家庭和内容")
            .error(errors, "department"),
        ],
    });
    if new {
        sections.extend(temporary_password_sections(errors));
    }
    sections
}

/// The section of a temporary password an administrator sets (a new account, a reset).
pub fn temporary_password_sections(errors: &FieldErrors) -> Vec<Section> {
    let field = |name: &str, label: &'static str| {
        Field::new(name.into(), label, FieldKind::Password, "")
            .required()
            .error(errors, name)
    };
    vec![Section {
        legend: "临时密码",
        fields: vec![
            field("password", "临时密码")
                .hint("至少10个字符；请当面或电话告知本人，首次登录须修改"),
            field("confirm", "再次输入临时密码"),
        ],
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormInput {
        FormInput(
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn repeated_checkboxes_are_all_read() {
        let f = form(&[
            ("causes", "illness"),
            ("number", "A-1"),
            ("causes", "disability"),
        ]);
        let dto = household_dto(&f);
        assert_eq!(dto.causes, vec!["illness", "disability"]);
        assert_eq!(dto.number, "A-1");
        assert_eq!(dto.exited_on, None);
    }

    #[test]
    fn person_fields_are_read_with_their_prefix() {
        let f = form(&[
            ("head_name", "张三"),
            ("head_boarding", "on"),
            ("name", "李四"),
        ]);
        let dto = person_dto(&f, "head_");
        assert_eq!(dto.name, "张三");
        assert!(dto.boarding);
        assert!(!dto.family_doctor);
    }

    #[test]
    fn an_income_amount_in_yuan_becomes_fen() {
        let input = FinanceInput {
            person: "7".into(),
            month: "2026-05".into(),
            kind: "wages".into(),
            amount: "1,234.5".into(),
            description: String::new(),
        };
        let dto = input.put(FinanceKind::Income).unwrap();
        assert_eq!(
            dto,
            FinanceChangeDto::PutIncome {
                person_id: 7,
                month: "2026-05".into(),
                kind: "wages".into(),
                amount_fen: 123_450
            }
        );
    }

    #[test]
    fn bad_finance_input_is_reported_against_the_form_fields() {
        let input = FinanceInput {
            person: String::new(),
            month: "2026-13".into(),
            kind: "工资".into(),
            amount: "0.005".into(),
            description: String::new(),
        };
        let errors = input.put(FinanceKind::Income).unwrap_err();
        assert_eq!(errors.get("person"), Some("请选择成员"));
        assert!(errors.get("month").is_some());
        assert!(errors.get("kind").is_some());
        assert!(errors.get("amount").unwrap().contains("两位小数"));
    }

    #[test]
    fn a_conflict_note_appears_only_where_the_stored_value_differs() {
        let field = Field::new("address".into(), "住址", FieldKind::Text, "新地址")
            .current(Some(("旧地址".into(), "旧地址".into())));
        assert_eq!(field.current.as_deref(), Some("旧地址"));
        let same = Field::new("address".into(), "住址", FieldKind::Text, "新地址")
            .current(Some(("新地址".into(), "新地址".into())));
        assert_eq!(same.current, None);
    }
}

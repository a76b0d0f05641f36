//! The JSON bodies of the API, and their conversions into and out of the domain types.
//!
//! Incoming bodies hold what the client sent, as strings where a value has to be parsed (codes,
//! dates, identity numbers), so that every bad value is reported against its own field rather
//! than as one unreadable body. They convert into domain types with `TryFrom`, whose error is a
//! [`FieldErrors`] keyed by the field's JSON path. The HTML forms convert into the same bodies,
//! so both edges parse alike. Vocabulary values are the stable codes (labels are accepted too),
//! money is integer fen in fields named `*_fen`, dates are ISO `YYYY-MM-DD`, months `YYYY-MM`.

use chrono::{DateTime, NaiveDate, Utc};
use doudi_core::{
    Asset, AssetKind, BankAccount, Category, Disability, DisabilityGrade, DisabilityKind, Division,
    DivisionCode, Employment, Expense, ExpenseKind, HealthInsurance, HouseholdFields,
    HouseholdFieldsError, HouseholdRecord, Housing, IdNumber, Income, IncomeKind, Money, Month,
    Need, NewHousehold, NewHouseholdError, Person, PersonFields, PersonId, PersonName, Phone,
    PovertyCause, Relation, SchoolStage, SelfCare, SpecialDisease, Survey, WorkCapacity, age_on,
};
use doudi_store::{FinanceChange, HistoryEntry, HouseholdFilter, HouseholdSummary, Page};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use doudi_core::date::parse_day;
use doudi_core::household::parse_household_number;

use crate::error::FieldErrors;
use crate::vocab::{self, Vocabulary};

/// The largest amount accepted from a client: one billion yuan, in fen.
const MAX_FEN: i64 = 100_000_000_000;

// ---------------------------------------------------------------------------------------------
// Parsing helpers: each records its message against the field and returns `None` on failure.

fn parse_required<T, E: ToString>(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    empty: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<T> {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, empty);
        return None;
    }
    parse(value)
        .map_err(|e| errors.add(field, e.to_string()))
        .ok()
}

/// An optional value: `None` and empty strings are absent; `Some(None)` means absent and valid.
fn parse_optional<T, E: ToString>(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<Option<T>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Some(None),
        Some(v) => parse(v)
            .map(Some)
            .map_err(|e| errors.add(field, e.to_string()))
            .ok(),
    }
}

fn parse_vocab<T: Vocabulary>(errors: &mut FieldErrors, field: &str, value: &str) -> Option<T> {
    parse_required(
        errors,
        field,
        value,
        &format!("请选择{}", T::WHAT),
        T::parse,
    )
}

fn parse_vocab_list<T: Vocabulary + Ord>(
    errors: &mut FieldErrors,
    field: &str,
    values: &[String],
) -> Option<Vec<T>> {
    let mut out = Vec::new();
    for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        match T::parse(value) {
            Ok(v) => out.push(v),
            Err(e) => {
                errors.add(field, e.to_string());
                return None;
            }
        }
    }
    out.sort();
    out.dedup();
    Some(out)
}

fn parse_text(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    what: &str,
    max_chars: usize,
    required: bool,
) -> Option<String> {
    let v = value.trim();
    if required && v.is_empty() {
        errors.add(field, format!("请填写{what}"));
        return None;
    }
    if v.chars().count() > max_chars {
        errors.add(field, format!("{what}过长（最多{max_chars}个字）"));
        return None;
    }
    Some(v.to_owned())
}

fn parse_fen(errors: &mut FieldErrors, field: &str, fen: i64) -> Option<Money> {
    if fen < 0 {
        errors.add(field, "金额不能为负数");
        None
    } else if fen > MAX_FEN {
        errors.add(field, "金额超出允许范围");
        None
    } else {
        Some(Money::from_fen(fen))
    }
}

fn township_code(s: &str) -> Result<DivisionCode, String> {
    let code = DivisionCode::parse(s).map_err(|e| e.to_string())?;
    if code.is_community() {
        return Err(format!("“{s}”是社区代码，这里应为9位乡镇（街道）代码"));
    }
    Ok(code)
}

fn community_code(s: &str) -> Result<DivisionCode, String> {
    let code = DivisionCode::parse(s).map_err(|e| e.to_string())?;
    if !code.is_community() {
        return Err(format!("“{s}”不是社区代码（应为12位）"));
    }
    Ok(code)
}

/// The household field a cross-field rule is about.
pub fn household_rule_field(e: &HouseholdFieldsError) -> &'static str {
    match e {
        HouseholdFieldsError::BadNumber => "number",
        HouseholdFieldsError::CommunityOutsideTownship { .. } => "community",
        HouseholdFieldsError::ExitBeforeEnrolment { .. } => "exited_on",
        HouseholdFieldsError::NoAddress => "address",
    }
}

// ---------------------------------------------------------------------------------------------
// Households.

/// What a caseworker records about a household (its 户 card).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HouseholdFieldsDto {
    /// 户编号: the household's file number, unique in the county (letters, digits, hyphens).
    #[schema(example = "YY-2026-00001")]
    pub number: String,
    /// 乡镇（街道）: 9-digit division code.
    #[schema(example = "500235002")]
    pub township: String,
    /// 社区: 12-digit division code within the township.
    #[schema(example = "500235002001")]
    pub community: String,
    /// 救助类别.
    #[schema(schema_with = vocab::schema::<Category>)]
    pub category: String,
    /// 纳入日期 (ISO date).
    #[schema(format = Date, example = "2025-03-01")]
    pub enrolled_on: String,
    /// 退出日期 (ISO date), when the household has left its category.
    #[schema(format = Date)]
    pub exited_on: Option<String>,
    /// 住址.
    pub address: String,
    /// 联系电话.
    pub phone: Option<String>,
    /// 银行账号 that payments go to.
    pub bank_account: Option<String>,
    /// 住房情况.
    #[schema(schema_with = vocab::schema::<Housing>)]
    pub housing: String,
    /// 致贫原因.
    #[serde(default)]
    #[schema(schema_with = vocab::list_schema::<PovertyCause>)]
    pub causes: Vec<String>,
    /// 帮扶需求.
    #[serde(default)]
    #[schema(schema_with = vocab::list_schema::<Need>)]
    pub needs: Vec<String>,
}

impl HouseholdFieldsDto {
    /// The fields as a writer reads and edits them: the phone and bank account masked, as
    /// everywhere; the full values only through the unmask action, with a purpose.
    pub fn for_editing(f: &HouseholdFields) -> HouseholdFieldsDto {
        HouseholdFieldsDto::from_fields(f, true)
    }

    /// A phone or account sent back exactly as it was shown masked means "unchanged": the
    /// stored value is put back before the fields are parsed, so that a writer edits a household
    /// without ever reading its identifiers in full.
    pub fn keep_unchanged(&mut self, stored: &HouseholdFields) {
        keep(
            &mut self.phone,
            stored.phone.as_ref().map(|p| (p.masked(), p.as_str())),
        );
        keep(
            &mut self.bank_account,
            stored
                .bank_account
                .as_ref()
                .map(|b| (b.masked(), b.as_str())),
        );
    }

    /// The fields as the API and forms show them; with `masked`, phone and account are hidden.
    pub fn from_fields(f: &HouseholdFields, masked: bool) -> HouseholdFieldsDto {
        HouseholdFieldsDto {
            number: f.number.clone(),
            township: f.township.to_string(),
            community: f.community.to_string(),
            category: f.category.code().into(),
            enrolled_on: f.enrolled_on.to_string(),
            exited_on: f.exited_on.map(|d| d.to_string()),
            address: f.address.clone(),
            phone: f.phone.as_ref().map(|p| {
                if masked {
                    p.masked()
                } else {
                    p.as_str().into()
                }
            }),
            bank_account: f.bank_account.as_ref().map(|b| {
                if masked {
                    b.masked()
                } else {
                    b.as_str().into()
                }
            }),
            housing: f.housing.code().into(),
            causes: f.causes.iter().map(|c| c.code().into()).collect(),
            needs: f.needs.iter().map(|n| n.code().into()).collect(),
        }
    }
}

impl TryFrom<&HouseholdFieldsDto> for HouseholdFields {
    type Error = FieldErrors;

    fn try_from(dto: &HouseholdFieldsDto) -> Result<HouseholdFields, FieldErrors> {
        let mut e = FieldErrors::new();
        let number = parse_required(
            &mut e,
            "number",
            &dto.number,
            "请填写户编号",
            parse_household_number,
        );
        let township = parse_required(
            &mut e,
            "township",
            &dto.township,
            "请选择乡镇（街道）",
            township_code,
        );
        let community = parse_required(
            &mut e,
            "community",
            &dto.community,
            "请选择社区",
            community_code,
        );
        let category = parse_vocab::<Category>(&mut e, "category", &dto.category);
        let enrolled_on = parse_required(
            &mut e,
            "enrolled_on",
            &dto.enrolled_on,
            "请填写纳入日期",
            parse_day,
        );
        let exited_on = parse_optional(&mut e, "exited_on", dto.exited_on.as_deref(), parse_day);
        let address = parse_text(&mut e, "address", &dto.address, "住址", 200, true);
        let phone = parse_optional(&mut e, "phone", dto.phone.as_deref(), Phone::parse);
        let bank_account = parse_optional(
            &mut e,
            "bank_account",
            dto.bank_account.as_deref(),
            BankAccount::parse,
        );
        let housing = parse_vocab::<Housing>(&mut e, "housing", &dto.housing);
        let causes = parse_vocab_list::<PovertyCause>(&mut e, "causes", &dto.causes);
        let needs = parse_vocab_list::<Need>(&mut e, "needs", &dto.needs);
        // The rules across fields are checked again by `HouseholdFields::check` below; checking
        // them here too reports them together with the other fields' problems, in one round.
        if let (Some(t), Some(c)) = (&township, &community)
            && !t.contains(c)
        {
            let (township, community) = (t.to_string(), c.to_string());
            e.add(
                "community",
                HouseholdFieldsError::CommunityOutsideTownship {
                    community,
                    township,
                }
                .to_string(),
            );
        }
        if let (Some(enrolled), Some(Some(exited))) = (enrolled_on, exited_on)
            && exited < enrolled
        {
            e.add(
                "exited_on",
                HouseholdFieldsError::ExitBeforeEnrolment { enrolled, exited }.to_string(),
            );
        }
        if !e.is_empty() {
            return Err(e);
        }
        let (
            Some(number),
            Some(township),
            Some(community),
            Some(category),
            Some(enrolled_on),
            Some(exited_on),
            Some(address),
            Some(phone),
            Some(bank_account),
            Some(housing),
            Some(causes),
            Some(needs),
        ) = (
            number,
            township,
            community,
            category,
            enrolled_on,
            exited_on,
            address,
            phone,
            bank_account,
            housing,
            causes,
            needs,
        )
        else {
            return Err(e);
        };
        let fields = HouseholdFields {
            number,
            township,
            community,
            category,
            enrolled_on,
            exited_on,
            address,
            phone,
            bank_account,
            housing,
            causes,
            needs,
        };
        if let Err(rule) = fields.check() {
            e.add(household_rule_field(&rule), rule.to_string());
            return Err(e);
        }
        Ok(fields)
    }
}

// ---------------------------------------------------------------------------------------------
// People.

/// What a caseworker records about a member of a household.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PersonFieldsDto {
    /// 姓名.
    #[schema(example = "张三")]
    pub name: String,
    /// 居民身份证号码 (18 characters; a legacy 15-digit number is converted).
    #[schema(example = "500235195612150013")]
    pub id_number: String,
    /// 与户主关系.
    #[schema(schema_with = vocab::schema::<Relation>)]
    pub relation: String,
    /// 残疾类别, when the member has a disability certificate.
    #[schema(schema_with = vocab::schema::<DisabilityKind>)]
    pub disability_kind: Option<String>,
    /// 残疾等级, given together with the kind.
    #[schema(schema_with = vocab::schema::<DisabilityGrade>)]
    pub disability_grade: Option<String>,
    /// 重病.
    #[serde(default)]
    pub serious_illness: bool,
    /// 所患疾病, in words.
    #[serde(default)]
    pub disease: String,
    /// 特殊病种 of clause 2.4.
    #[schema(schema_with = vocab::schema::<SpecialDisease>)]
    pub special_disease: Option<String>,
    /// 自理能力.
    #[schema(schema_with = vocab::schema::<SelfCare>)]
    pub self_care: String,
    /// 劳动能力.
    #[schema(schema_with = vocab::schema::<WorkCapacity>)]
    pub work_capacity: String,
    /// 就业意愿.
    #[serde(default)]
    pub willing_to_work: bool,
    /// 就业状况.
    #[schema(schema_with = vocab::schema::<Employment>)]
    pub employment: String,
    /// 就学阶段, for students and preschool children.
    #[schema(schema_with = vocab::schema::<SchoolStage>)]
    pub school_stage: Option<String>,
    /// 寄宿.
    #[serde(default)]
    pub boarding: bool,
    /// 医保类型.
    #[schema(schema_with = vocab::schema::<HealthInsurance>)]
    pub insurance: String,
    /// 家庭医生签约.
    #[serde(default)]
    pub family_doctor: bool,
    /// 电子健康档案.
    #[serde(default)]
    pub health_record: bool,
    /// 联系电话.
    pub phone: Option<String>,
}

/// Puts the stored value back when `sent` is its masked form (see
/// [`HouseholdFieldsDto::keep_unchanged`]).
fn keep(sent: &mut Option<String>, stored: Option<(String, &str)>) {
    if let (Some(value), Some((masked, full))) = (sent.as_ref(), stored)
        && value.trim() == masked
    {
        *sent = Some(full.to_owned());
    }
}

impl PersonFieldsDto {
    /// The fields as a writer reads and edits them: the name in full, the identity number and
    /// phone masked (full values only through the unmask action, with a purpose).
    pub fn for_editing(f: &PersonFields) -> PersonFieldsDto {
        PersonFieldsDto {
            name: f.name.as_str().into(),
            ..PersonFieldsDto::from_fields(f, true)
        }
    }

    /// An identity number or phone sent back exactly as it was shown masked means "unchanged"
    /// (see [`HouseholdFieldsDto::keep_unchanged`]).
    pub fn keep_unchanged(&mut self, stored: &PersonFields) {
        if self.id_number.trim() == stored.id_number.masked() {
            self.id_number = stored.id_number.as_str().into();
        }
        keep(
            &mut self.phone,
            stored.phone.as_ref().map(|p| (p.masked(), p.as_str())),
        );
    }

    /// The fields as the API and forms show them; with `masked`, name, identity number and phone
    /// are hidden.
    pub fn from_fields(f: &PersonFields, masked: bool) -> PersonFieldsDto {
        PersonFieldsDto {
            name: if masked {
                f.name.masked()
            } else {
                f.name.as_str().into()
            },
            id_number: if masked {
                f.id_number.masked()
            } else {
                f.id_number.as_str().into()
            },
            relation: f.relation.code().into(),
            disability_kind: f.disability.map(|d| d.kind.code().into()),
            disability_grade: f.disability.map(|d| d.grade.code().into()),
            serious_illness: f.serious_illness,
            disease: f.disease.clone(),
            special_disease: f.special_disease.map(|d| d.code().into()),
            self_care: f.self_care.code().into(),
            work_capacity: f.work_capacity.code().into(),
            willing_to_work: f.willing_to_work,
            employment: f.employment.code().into(),
            school_stage: f.school_stage.map(|s| s.code().into()),
            boarding: f.boarding,
            insurance: f.insurance.code().into(),
            family_doctor: f.family_doctor,
            health_record: f.health_record,
            phone: f.phone.as_ref().map(|p| {
                if masked {
                    p.masked()
                } else {
                    p.as_str().into()
                }
            }),
        }
    }
}

/// Member fields to parse, with the date that identity numbers' birth dates are judged against.
pub struct PersonInput<'a> {
    /// The fields as sent.
    pub dto: &'a PersonFieldsDto,
    /// Today.
    pub today: NaiveDate,
}

impl TryFrom<PersonInput<'_>> for PersonFields {
    type Error = FieldErrors;

    fn try_from(input: PersonInput<'_>) -> Result<PersonFields, FieldErrors> {
        let PersonInput { dto, today } = input;
        let mut e = FieldErrors::new();
        let name = parse_required(&mut e, "name", &dto.name, "请填写姓名", PersonName::parse);
        let id_number = parse_required(
            &mut e,
            "id_number",
            &dto.id_number,
            "请填写身份证号码",
            |s| IdNumber::parse(s, today),
        );
        let relation = parse_vocab::<Relation>(&mut e, "relation", &dto.relation);
        let kind = parse_optional(
            &mut e,
            "disability_kind",
            dto.disability_kind.as_deref(),
            DisabilityKind::parse,
        );
        let grade = parse_optional(
            &mut e,
            "disability_grade",
            dto.disability_grade.as_deref(),
            DisabilityGrade::parse,
        );
        let disability = match (kind, grade) {
            (Some(Some(kind)), Some(Some(grade))) => Some(Some(Disability { kind, grade })),
            (Some(None), Some(None)) => Some(None),
            (Some(Some(_)), Some(None)) => {
                e.add("disability_grade", "已选残疾类别，请同时选择残疾等级");
                None
            }
            (Some(None), Some(Some(_))) => {
                e.add("disability_kind", "已选残疾等级，请同时选择残疾类别");
                None
            }
            _ => None,
        };
        let disease = parse_text(&mut e, "disease", &dto.disease, "所患疾病", 100, false);
        let special_disease = parse_optional(
            &mut e,
            "special_disease",
            dto.special_disease.as_deref(),
            SpecialDisease::parse,
        );
        let self_care = parse_vocab::<SelfCare>(&mut e, "self_care", &dto.self_care);
        let work_capacity =
            parse_vocab::<WorkCapacity>(&mut e, "work_capacity", &dto.work_capacity);
        let employment = parse_vocab::<Employment>(&mut e, "employment", &dto.employment);
        let school_stage = parse_optional(
            &mut e,
            "school_stage",
            dto.school_stage.as_deref(),
            SchoolStage::parse,
        );
        if dto.boarding && matches!(school_stage, Some(None)) {
            e.add("boarding", "寄宿的成员应填写就学阶段");
        }
        let insurance = parse_vocab::<HealthInsurance>(&mut e, "insurance", &dto.insurance);
        let phone = parse_optional(&mut e, "phone", dto.phone.as_deref(), Phone::parse);
        let (
            Some(name),
            Some(id_number),
            Some(relation),
            Some(disability),
            Some(disease),
            Some(special_disease),
            Some(self_care),
            Some(work_capacity),
            Some(employment),
            Some(school_stage),
            Some(insurance),
            Some(phone),
        ) = (
            name,
            id_number,
            relation,
            disability,
            disease,
            special_disease,
            self_care,
            work_capacity,
            employment,
            school_stage,
            insurance,
            phone,
        )
        else {
            return Err(e);
        };
        if !e.is_empty() {
            return Err(e);
        }
        Ok(PersonFields {
            name,
            id_number,
            relation,
            disability,
            serious_illness: dto.serious_illness,
            disease,
            special_disease,
            self_care,
            work_capacity,
            willing_to_work: dto.willing_to_work,
            employment,
            school_stage,
            boarding: dto.boarding,
            insurance,
            family_doctor: dto.family_doctor,
            health_record: dto.health_record,
            phone,
        })
    }
}

/// A stored member.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MemberDto {
    /// Member id.
    pub id: i64,
    /// 性别, from the identity number: `male` or `female`.
    pub sex: String,
    /// 出生日期, from the identity number.
    #[schema(format = Date)]
    pub birth_date: String,
    /// 年龄 today, in whole years.
    pub age: u32,
    /// The recorded fields.
    pub fields: PersonFieldsDto,
}

impl MemberDto {
    fn from_person(p: &Person, masked: bool, today: NaiveDate) -> MemberDto {
        MemberDto {
            id: p.id.0,
            sex: p.fields.sex().code().into(),
            birth_date: p.fields.birth_date().to_string(),
            age: age_on(p.fields.birth_date(), today),
            fields: PersonFieldsDto::from_fields(&p.fields, masked),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Finances and surveys.

/// One member's income of one kind in one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IncomeDto {
    /// Member id.
    pub person_id: i64,
    /// Month, `YYYY-MM`.
    #[schema(example = "2026-05")]
    pub month: String,
    /// 收入类型.
    #[schema(schema_with = vocab::schema::<IncomeKind>)]
    pub kind: String,
    /// Amount in fen.
    pub amount_fen: i64,
}

/// One member's self-paid medical cost or tuition in one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExpenseDto {
    /// Member id.
    pub person_id: i64,
    /// Month, `YYYY-MM`.
    #[schema(example = "2026-05")]
    pub month: String,
    /// 支出类型.
    #[schema(schema_with = vocab::schema::<ExpenseKind>)]
    pub kind: String,
    /// Amount in fen.
    pub amount_fen: i64,
}

/// One asset of a household.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AssetDto {
    /// 财产类型.
    #[schema(schema_with = vocab::schema::<AssetKind>)]
    pub kind: String,
    /// What it is: a plate number, an address, a bank.
    pub description: String,
    /// Value in fen.
    pub value_fen: i64,
}

impl TryFrom<&AssetDto> for Asset {
    type Error = FieldErrors;

    fn try_from(dto: &AssetDto) -> Result<Asset, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = parse_vocab::<AssetKind>(&mut e, "kind", &dto.kind);
        let description = parse_text(
            &mut e,
            "description",
            &dto.description,
            "财产说明",
            100,
            true,
        );
        let value = parse_fen(&mut e, "value_fen", dto.value_fen);
        match (kind, description, value) {
            (Some(kind), Some(description), Some(value)) => Ok(Asset {
                kind,
                description,
                value,
            }),
            _ => Err(e),
        }
    }
}

/// The 三清 survey of clause 4.2.a.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SurveyDto {
    /// 家庭情况清.
    pub family_situation: String,
    /// 致贫原因清.
    pub poverty_cause: String,
    /// 帮扶需求清.
    pub help_needed: String,
    /// 调查人.
    pub surveyed_by: String,
    /// 调查日期 (ISO date).
    #[schema(format = Date)]
    pub surveyed_on: String,
}

impl From<&Survey> for SurveyDto {
    fn from(s: &Survey) -> SurveyDto {
        SurveyDto {
            family_situation: s.family_situation.clone(),
            poverty_cause: s.poverty_cause.clone(),
            help_needed: s.help_needed.clone(),
            surveyed_by: s.surveyed_by.clone(),
            surveyed_on: s.surveyed_on.to_string(),
        }
    }
}

/// A survey to parse, with today's date (a survey cannot be dated in the future).
pub struct SurveyInput<'a> {
    /// The survey as sent.
    pub dto: &'a SurveyDto,
    /// Today.
    pub today: NaiveDate,
}

impl TryFrom<SurveyInput<'_>> for Survey {
    type Error = FieldErrors;

    fn try_from(input: SurveyInput<'_>) -> Result<Survey, FieldErrors> {
        let SurveyInput { dto, today } = input;
        let mut e = FieldErrors::new();
        let family_situation = parse_text(
            &mut e,
            "family_situation",
            &dto.family_situation,
            "家庭情况",
            2000,
            true,
        );
        let poverty_cause = parse_text(
            &mut e,
            "poverty_cause",
            &dto.poverty_cause,
            "致贫原因",
            2000,
            true,
        );
        let help_needed = parse_text(
            &mut e,
            "help_needed",
            &dto.help_needed,
            "帮扶需求",
            2000,
            true,
        );
        let surveyed_by = parse_text(&mut e, "surveyed_by", &dto.surveyed_by, "调查人", 50, true);
        let surveyed_on = parse_required(
            &mut e,
            "surveyed_on",
            &dto.surveyed_on,
            "请填写调查日期",
            |s| match parse_day(s) {
                Ok(d) if d > today => Err(format!("调查日期{d}晚于今天")),
                other => other.map_err(|e| e.to_string()),
            },
        );
        match (
            family_situation,
            poverty_cause,
            help_needed,
            surveyed_by,
            surveyed_on,
        ) {
            (
                Some(family_situation),
                Some(poverty_cause),
                Some(help_needed),
                Some(surveyed_by),
                Some(surveyed_on),
            ) => Ok(Survey {
                family_situation,
                poverty_cause,
                help_needed,
                surveyed_by,
                surveyed_on,
            }),
            _ => Err(e),
        }
    }
}

/// One change to a household's incomes, expenses or assets, tagged by `op`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum FinanceChangeDto {
    /// Sets a member's income of a kind in a month, replacing any earlier figure.
    PutIncome {
        /// Member id.
        person_id: i64,
        /// Month, `YYYY-MM`.
        month: String,
        /// 收入类型.
        #[schema(schema_with = vocab::schema::<IncomeKind>)]
        kind: String,
        /// Amount in fen.
        amount_fen: i64,
    },
    /// Removes a member's income of a kind in a month.
    DeleteIncome {
        /// Member id.
        person_id: i64,
        /// Month, `YYYY-MM`.
        month: String,
        /// 收入类型.
        #[schema(schema_with = vocab::schema::<IncomeKind>)]
        kind: String,
    },
    /// Sets a member's expense of a kind in a month, replacing any earlier figure.
    PutExpense {
        /// Member id.
        person_id: i64,
        /// Month, `YYYY-MM`.
        month: String,
        /// 支出类型.
        #[schema(schema_with = vocab::schema::<ExpenseKind>)]
        kind: String,
        /// Amount in fen.
        amount_fen: i64,
    },
    /// Removes a member's expense of a kind in a month.
    DeleteExpense {
        /// Member id.
        person_id: i64,
        /// Month, `YYYY-MM`.
        month: String,
        /// 支出类型.
        #[schema(schema_with = vocab::schema::<ExpenseKind>)]
        kind: String,
    },
    /// Adds an asset, or replaces the one with the same kind and description.
    PutAsset {
        /// 财产类型.
        #[schema(schema_with = vocab::schema::<AssetKind>)]
        kind: String,
        /// What it is.
        description: String,
        /// Value in fen.
        value_fen: i64,
    },
    /// Removes the asset with this kind and description.
    DeleteAsset {
        /// 财产类型.
        #[schema(schema_with = vocab::schema::<AssetKind>)]
        kind: String,
        /// What it is.
        description: String,
    },
}

fn parse_month(errors: &mut FieldErrors, field: &str, value: &str) -> Option<Month> {
    parse_required(errors, field, value, "请填写月份", Month::parse)
}

impl TryFrom<&FinanceChangeDto> for FinanceChange {
    type Error = FieldErrors;

    fn try_from(dto: &FinanceChangeDto) -> Result<FinanceChange, FieldErrors> {
        let mut e = FieldErrors::new();
        let change = match dto {
            FinanceChangeDto::PutIncome {
                person_id,
                month,
                kind,
                amount_fen,
            } => {
                let month = parse_month(&mut e, "month", month);
                let kind = parse_vocab::<IncomeKind>(&mut e, "kind", kind);
                let amount = parse_fen(&mut e, "amount_fen", *amount_fen);
                match (month, kind, amount) {
                    (Some(month), Some(kind), Some(amount)) => {
                        Some(FinanceChange::PutIncome(Income {
                            person: PersonId(*person_id),
                            month,
                            kind,
                            amount,
                        }))
                    }
                    _ => None,
                }
            }
            FinanceChangeDto::DeleteIncome {
                person_id,
                month,
                kind,
            } => {
                let month = parse_month(&mut e, "month", month);
                let kind = parse_vocab::<IncomeKind>(&mut e, "kind", kind);
                match (month, kind) {
                    (Some(month), Some(kind)) => Some(FinanceChange::DeleteIncome {
                        person: PersonId(*person_id),
                        month,
                        kind,
                    }),
                    _ => None,
                }
            }
            FinanceChangeDto::PutExpense {
                person_id,
                month,
                kind,
                amount_fen,
            } => {
                let month = parse_month(&mut e, "month", month);
                let kind = parse_vocab::<ExpenseKind>(&mut e, "kind", kind);
                let amount = parse_fen(&mut e, "amount_fen", *amount_fen);
                match (month, kind, amount) {
                    (Some(month), Some(kind), Some(amount)) => {
                        Some(FinanceChange::PutExpense(Expense {
                            person: PersonId(*person_id),
                            month,
                            kind,
                            amount,
                        }))
                    }
                    _ => None,
                }
            }
            FinanceChangeDto::DeleteExpense {
                person_id,
                month,
                kind,
            } => {
                let month = parse_month(&mut e, "month", month);
                let kind = parse_vocab::<ExpenseKind>(&mut e, "kind", kind);
                match (month, kind) {
                    (Some(month), Some(kind)) => Some(FinanceChange::DeleteExpense {
                        person: PersonId(*person_id),
                        month,
                        kind,
                    }),
                    _ => None,
                }
            }
            FinanceChangeDto::PutAsset {
                kind,
                description,
                value_fen,
            } => {
                let asset = AssetDto {
                    kind: kind.clone(),
                    description: description.clone(),
                    value_fen: *value_fen,
                };
                match Asset::try_from(&asset) {
                    Ok(asset) => Some(FinanceChange::PutAsset(asset)),
                    Err(errors) => {
                        e = errors;
                        None
                    }
                }
            }
            FinanceChangeDto::DeleteAsset { kind, description } => {
                let kind = parse_vocab::<AssetKind>(&mut e, "kind", kind);
                let description =
                    parse_text(&mut e, "description", description, "财产说明", 100, true);
                match (kind, description) {
                    (Some(kind), Some(description)) => {
                        Some(FinanceChange::DeleteAsset { kind, description })
                    }
                    _ => None,
                }
            }
        };
        change.ok_or(e)
    }
}

// ---------------------------------------------------------------------------------------------
// Requests.

/// An income of a new household: `member_index` is the member's place in `members` (0 = first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewIncomeDto {
    /// Index of the member in `members`, from 0.
    pub member_index: i64,
    /// Month, `YYYY-MM`.
    pub month: String,
    /// 收入类型.
    #[schema(schema_with = vocab::schema::<IncomeKind>)]
    pub kind: String,
    /// Amount in fen.
    pub amount_fen: i64,
}

/// An expense of a new household: `member_index` is the member's place in `members`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewExpenseDto {
    /// Index of the member in `members`, from 0.
    pub member_index: i64,
    /// Month, `YYYY-MM`.
    pub month: String,
    /// 支出类型.
    #[schema(schema_with = vocab::schema::<ExpenseKind>)]
    pub kind: String,
    /// Amount in fen.
    pub amount_fen: i64,
}

/// A household to file, with its members (exactly one of them the head) and, optionally, its
/// incomes, assets, expenses and 三清 survey.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewHouseholdDto {
    /// The household's fields.
    pub fields: HouseholdFieldsDto,
    /// Members, the head first.
    pub members: Vec<PersonFieldsDto>,
    /// Monthly incomes.
    #[serde(default)]
    pub incomes: Vec<NewIncomeDto>,
    /// Assets.
    #[serde(default)]
    pub assets: Vec<AssetDto>,
    /// Self-paid medical costs and tuition.
    #[serde(default)]
    pub expenses: Vec<NewExpenseDto>,
    /// The 三清 survey, if done.
    pub survey: Option<SurveyDto>,
}

/// A new household to parse, with today's date.
pub struct NewHouseholdInput<'a> {
    /// The household as sent.
    pub dto: &'a NewHouseholdDto,
    /// Today.
    pub today: NaiveDate,
}

/// Where a whole-household rule's message belongs: the JSON path of the field it is about.
pub fn new_household_rule_field(e: &NewHouseholdError) -> String {
    match e {
        NewHouseholdError::Fields(rule) => format!("fields.{}", household_rule_field(rule)),
        NewHouseholdError::NoMembers
        | NewHouseholdError::HeadCount(_)
        | NewHouseholdError::DuplicateMember(_) => "members".into(),
        NewHouseholdError::NoSuchMember(_) | NewHouseholdError::DuplicateIncome { .. } => {
            "incomes".into()
        }
    }
}

impl TryFrom<NewHouseholdInput<'_>> for NewHousehold {
    type Error = FieldErrors;

    fn try_from(input: NewHouseholdInput<'_>) -> Result<NewHousehold, FieldErrors> {
        let NewHouseholdInput { dto, today } = input;
        let mut e = FieldErrors::new();
        let fields = HouseholdFields::try_from(&dto.fields)
            .map_err(|f| e.nest("fields", f))
            .ok();
        let mut members = Vec::new();
        for (i, m) in dto.members.iter().enumerate() {
            match PersonFields::try_from(PersonInput { dto: m, today }) {
                Ok(p) => members.push(p),
                Err(f) => e.nest(&format!("members[{i}]"), f),
            }
        }
        let mut incomes = Vec::new();
        for (i, x) in dto.incomes.iter().enumerate() {
            let mut f = FieldErrors::new();
            let month = parse_month(&mut f, "month", &x.month);
            let kind = parse_vocab::<IncomeKind>(&mut f, "kind", &x.kind);
            let amount = parse_fen(&mut f, "amount_fen", x.amount_fen);
            match (month, kind, amount) {
                (Some(month), Some(kind), Some(amount)) => incomes.push(Income {
                    person: PersonId(x.member_index),
                    month,
                    kind,
                    amount,
                }),
                _ => e.nest(&format!("incomes[{i}]"), f),
            }
        }
        let mut expenses = Vec::new();
        for (i, x) in dto.expenses.iter().enumerate() {
            let mut f = FieldErrors::new();
            let month = parse_month(&mut f, "month", &x.month);
            let kind = parse_vocab::<ExpenseKind>(&mut f, "kind", &x.kind);
            let amount = parse_fen(&mut f, "amount_fen", x.amount_fen);
            match (month, kind, amount) {
                (Some(month), Some(kind), Some(amount)) => expenses.push(Expense {
                    person: PersonId(x.member_index),
                    month,
                    kind,
                    amount,
                }),
                _ => e.nest(&format!("expenses[{i}]"), f),
            }
        }
        let mut assets = Vec::new();
        for (i, a) in dto.assets.iter().enumerate() {
            match Asset::try_from(a) {
                Ok(a) => assets.push(a),
                Err(f) => e.nest(&format!("assets[{i}]"), f),
            }
        }
        let survey = match &dto.survey {
            None => None,
            Some(s) => match Survey::try_from(SurveyInput { dto: s, today }) {
                Ok(s) => Some(s),
                Err(f) => {
                    e.nest("survey", f);
                    None
                }
            },
        };
        let Some(fields) = fields.filter(|_| e.is_empty()) else {
            return Err(e);
        };
        let household = NewHousehold {
            fields,
            members,
            incomes,
            assets,
            expenses,
            survey,
        };
        if let Err(rule) = household.check() {
            e.add(new_household_rule_field(&rule), rule.to_string());
            return Err(e);
        }
        Ok(household)
    }
}

/// A change to a household's fields, based on the version the client read.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct UpdateHouseholdDto {
    /// The household's version when the client read it.
    pub version: i64,
    /// All of the household's fields, as they should be.
    pub fields: HouseholdFieldsDto,
}

/// A member to add or change, based on the version of the household the client read.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberRequest {
    /// The household's version when the client read it.
    pub version: i64,
    /// All of the member's fields, as they should be.
    pub fields: PersonFieldsDto,
}

/// A member to remove, with the reason history records.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RemoveMemberRequest {
    /// The household's version when the client read it.
    pub version: i64,
    /// Why: 迁出, 死亡 ….
    pub reason: String,
}

/// Why the client asks to see a household's identifiers in full (recorded in the audit trail).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct UnmaskRequest {
    /// The purpose (用途), 2 to 200 characters, such as 核对银行账号以发放救助金. (A missing
    /// purpose is refused like an empty one, after the household is found in scope.)
    #[schema(example = "核对银行账号以发放救助金")]
    #[serde(default)]
    pub purpose: String,
}

/// A change to finances, based on the version of the household the client read.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FinanceRequest {
    /// The household's version when the client read it.
    pub version: i64,
    /// The change.
    pub change: FinanceChangeDto,
}

/// A 三清 survey to record, based on the version of the household the client read.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SurveyRequest {
    /// The household's version when the client read it.
    pub version: i64,
    /// The survey.
    pub survey: SurveyDto,
}

/// A login name and password.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

// ---------------------------------------------------------------------------------------------
// Responses.

/// A household with everything filed about it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HouseholdDto {
    /// Household id.
    pub id: i64,
    /// Version: send it back with any change.
    pub version: i64,
    /// Whether names are masked too (for roles that may only read). Identity numbers, phones
    /// and bank accounts are always masked here, for every role: full values come only from
    /// `POST /api/households/{id}/unmask`, with a purpose. A writer sends the masked value back
    /// unchanged to keep the stored one.
    pub masked: bool,
    /// The household's fields.
    pub fields: HouseholdFieldsDto,
    /// Members, the head first.
    pub members: Vec<MemberDto>,
    /// Monthly incomes, by month then member.
    pub incomes: Vec<IncomeDto>,
    /// Self-paid medical costs and tuition, by month.
    pub expenses: Vec<ExpenseDto>,
    /// Assets.
    pub assets: Vec<AssetDto>,
    /// 三清 surveys, newest first.
    pub surveys: Vec<SurveyDto>,
    /// For a department officer: the parts of the file the department does not see (codes such
    /// as `incomes`, `disability`), which are left out or shown with neutral values that are not
    /// facts; empty for every other role.
    pub hidden: Vec<String>,
}

impl HouseholdDto {
    /// The household as the API returns it to anyone: names masked for roles that only read,
    /// identity numbers, phones and bank accounts masked for every role.
    pub fn for_reading(r: &HouseholdRecord, may_write: bool, today: NaiveDate) -> HouseholdDto {
        let mut dto = HouseholdDto::from_record(r, !may_write, today);
        if may_write {
            dto.fields = HouseholdFieldsDto::for_editing(&r.household.fields);
            for (member, person) in dto.members.iter_mut().zip(&r.members) {
                member.fields = PersonFieldsDto::for_editing(&person.fields);
            }
        }
        dto
    }

    /// Marks what a department does not see (see [`HouseholdDto::hidden`]).
    pub fn seen_by(mut self, view: Option<&doudi_core::DepartmentView>) -> HouseholdDto {
        self.hidden = view.map_or_else(Vec::new, |v| {
            v.hidden().map(|p| p.code().to_owned()).collect()
        });
        self
    }

    /// The household as the API returns it.
    pub fn from_record(r: &HouseholdRecord, masked: bool, today: NaiveDate) -> HouseholdDto {
        HouseholdDto {
            id: r.household.id.0,
            version: r.household.version,
            masked,
            fields: HouseholdFieldsDto::from_fields(&r.household.fields, masked),
            members: r
                .members
                .iter()
                .map(|p| MemberDto::from_person(p, masked, today))
                .collect(),
            incomes: r
                .incomes
                .iter()
                .map(|i| IncomeDto {
                    person_id: i.person.0,
                    month: i.month.to_string(),
                    kind: i.kind.code().into(),
                    amount_fen: i.amount.fen(),
                })
                .collect(),
            expenses: r
                .expenses
                .iter()
                .map(|x| ExpenseDto {
                    person_id: x.person.0,
                    month: x.month.to_string(),
                    kind: x.kind.code().into(),
                    amount_fen: x.amount.fen(),
                })
                .collect(),
            assets: r
                .assets
                .iter()
                .map(|a| AssetDto {
                    kind: a.kind.code().into(),
                    description: a.description.clone(),
                    value_fen: a.value.fen(),
                })
                .collect(),
            surveys: r.surveys.iter().map(SurveyDto::from).collect(),
            hidden: Vec::new(),
        }
    }
}

/// A cadre paired with a household.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PairingDto {
    /// Household id.
    pub household_id: i64,
    /// 户编号.
    pub household_number: String,
    /// The cadre's user id.
    pub cadre_id: i64,
    /// The cadre's login name.
    pub cadre_username: String,
    /// The cadre's display name.
    pub cadre_name: String,
    /// When the pairing was made (RFC 3339).
    pub since: String,
}

impl From<&doudi_store::Pairing> for PairingDto {
    fn from(p: &doudi_store::Pairing) -> PairingDto {
        PairingDto {
            household_id: p.household.0,
            household_number: p.household_number.clone(),
            cadre_id: p.cadre,
            cadre_username: p.cadre_username.clone(),
            cadre_name: p.cadre_name.clone(),
            since: p.since.to_rfc3339(),
        }
    }
}

/// Pairs a cadre with the household.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct PairRequest {
    /// The cadre's user id (see `GET /api/cadres`).
    pub cadre_id: i64,
}

/// A cadre account that households may be paired with.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CadreDto {
    /// User id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// The division the cadre works in; null for the whole county.
    pub scope: Option<String>,
}

/// How many other sessions were ended.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SessionsEndedDto {
    /// Sessions ended, this one included.
    pub ended: u64,
}

/// A member was added: its id, and the household as it now is.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MemberAddedDto {
    /// The new member's id.
    pub person_id: i64,
    /// The household, with its new version.
    pub household: HouseholdDto,
}

/// One row of the household list. Names and identity numbers are always masked in lists.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HouseholdRowDto {
    /// Household id.
    pub id: i64,
    /// 户编号.
    pub number: String,
    /// Township code.
    pub township: String,
    /// Township name.
    pub township_name: String,
    /// Community code.
    pub community: String,
    /// Community name.
    pub community_name: String,
    /// 救助类别.
    #[schema(schema_with = vocab::schema::<Category>)]
    pub category: String,
    /// Name of the head of household, masked.
    pub head_name: String,
    /// Identity number of the head, masked.
    pub head_id_number: String,
    /// Number of members.
    pub members: i64,
    /// 致贫原因.
    #[schema(schema_with = vocab::list_schema::<PovertyCause>)]
    pub causes: Vec<String>,
    /// 纳入日期.
    #[schema(format = Date)]
    pub enrolled_on: String,
    /// 退出日期.
    #[schema(format = Date)]
    pub exited_on: Option<String>,
}

impl HouseholdRowDto {
    /// A list row, with division names looked up by the caller.
    pub fn from_summary(s: &HouseholdSummary, township_name: &str, community_name: &str) -> Self {
        HouseholdRowDto {
            id: s.id.0,
            number: s.number.clone(),
            township: s.township.to_string(),
            township_name: township_name.into(),
            community: s.community.to_string(),
            community_name: community_name.into(),
            category: s.category.code().into(),
            head_name: s.head_name.masked(),
            head_id_number: s.head_id_number.masked(),
            members: s.members,
            causes: s.causes.iter().map(|c| c.code().into()).collect(),
            enrolled_on: s.enrolled_on.to_string(),
            exited_on: s.exited_on.map(|d| d.to_string()),
        }
    }
}

/// The `page` (from 1) and `per_page` (1 to 500, [`PAGE_ROWS`] when absent) of a list's query;
/// a value that does not parse is a field error and its default is used.
pub fn parse_paging(e: &mut FieldErrors, page: Option<&str>, per_page: Option<&str>) -> (i64, i64) {
    let number = |e: &mut FieldErrors, field: &str, v: Option<&str>, max: i64, default: i64| match v
        .map(|v| v.trim().parse::<i64>())
    {
        None => default,
        Some(Ok(n)) if (1..=max).contains(&n) => n,
        Some(_) => {
            e.add(field, format!("应为1至{max}的整数"));
            default
        }
    };
    (
        number(e, "page", page, 1_000_000, 1),
        number(e, "per_page", per_page, 500, PAGE_ROWS),
    )
}

/// A page of the household list.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HouseholdListDto {
    /// How many households match, in all.
    pub total: i64,
    /// This page, from 1.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
    /// This page's rows, by 户编号.
    pub rows: Vec<HouseholdRowDto>,
}

/// One recorded change.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HistoryEntryDto {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who (display name at the time).
    pub actor_name: String,
    /// Their role then.
    #[schema(schema_with = vocab::schema::<doudi_core::Role>)]
    pub actor_role: String,
    /// 新建, 修改 or 删除.
    pub action: String,
    /// What was changed: 家庭, 成员 张*三, 收入 ….
    pub subject: String,
    /// Field label.
    pub field: String,
    /// Value before (masked where personal).
    pub old: String,
    /// Value after (masked where personal).
    pub new: String,
}

impl From<&HistoryEntry> for HistoryEntryDto {
    fn from(h: &HistoryEntry) -> HistoryEntryDto {
        HistoryEntryDto {
            at: h.at.to_rfc3339(),
            actor_name: h.actor_name.clone(),
            actor_role: h.actor_role.code().into(),
            action: h.action.clone(),
            subject: h.subject.clone(),
            field: h.field.clone(),
            old: h.old.clone(),
            new: h.new.clone(),
        }
    }
}

/// A township or community.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DivisionDto {
    /// 9-digit township or 12-digit community code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `street`, `town`, `township` or `community`.
    pub kind: String,
    /// The township of a community; null for townships.
    pub parent: Option<String>,
}

impl From<&Division> for DivisionDto {
    fn from(d: &Division) -> DivisionDto {
        DivisionDto {
            code: d.code.to_string(),
            name: d.name.clone(),
            kind: d.kind.code().into(),
            parent: d.parent.as_ref().map(ToString::to_string),
        }
    }
}

/// What the health check found.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HealthDto {
    /// "ok", or what does not answer (数据库无响应).
    pub status: String,
    /// The database backend: "sqlite" or "postgres".
    pub backend: String,
}

/// The logged-in user.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MeDto {
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role code.
    #[schema(schema_with = vocab::schema::<doudi_core::Role>)]
    pub role: String,
    /// Role, in Chinese.
    pub role_label: String,
    /// The division the user works in; null for the whole county.
    pub scope: Option<String>,
    /// A department officer's department (code); null for every other role.
    pub department: Option<String>,
    /// Whether the initial password must be changed (on the page `/password`) before anything
    /// else is allowed.
    pub must_change_password: bool,
    /// Send this in the `X-CSRF-Token` header of every POST, PUT and DELETE.
    pub csrf_token: String,
    /// When the session ends (RFC 3339), if known.
    pub session_expires_at: Option<String>,
}

impl MeDto {
    /// The user of a session.
    pub fn new(
        user: &doudi_store::UserRecord,
        csrf_token: String,
        expires_at: Option<DateTime<Utc>>,
    ) -> MeDto {
        MeDto {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role.code().into(),
            role_label: user.role.label().into(),
            scope: match &user.scope {
                doudi_core::Scope::County => None,
                doudi_core::Scope::Division(code) => Some(code.to_string()),
            },
            department: user.department.map(|d| d.code().to_owned()),
            must_change_password: user.must_change_password,
            csrf_token,
            session_expires_at: expires_at.map(|t| t.to_rfc3339()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The household list's query.

/// Filters and paging of the household list, as query parameters; the page and the API share
/// them. Values that do not parse are an error for the API and ignored by the page.
#[derive(Clone, Debug, Default, PartialEq, Eq, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Township code (9 digits).
    pub township: Option<String>,
    /// Community code (12 digits).
    pub community: Option<String>,
    /// 救助类别.
    #[param(schema_with = vocab::schema::<Category>)]
    pub category: Option<String>,
    /// 致贫原因.
    #[param(schema_with = vocab::schema::<PovertyCause>)]
    pub cause: Option<String>,
    /// A member's name or part of it, pinyin initials (`zsf`), part of the file number or the
    /// address, a phone or its last 4 to 8 digits, an identity number, or its last 4
    /// to 8 digits.
    pub q: Option<String>,
    /// Also households that have exited (`true`).
    #[param(value_type = Option<bool>)]
    pub include_exited: Option<String>,
    /// Page, from 1.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub page: Option<String>,
    /// Rows per page, 1 to 500 (API only; pages show 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub per_page: Option<String>,
}

/// The household list's query, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    /// The filter for the store.
    pub filter: HouseholdFilter,
    /// Page, from 1.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
}

impl ListQuery {
    /// The store's page.
    pub fn store_page(&self) -> Page {
        Page {
            offset: (self.page - 1) * self.per_page,
            limit: self.per_page,
        }
    }
}

/// Rows per page of the list page.
pub const PAGE_ROWS: i64 = 50;

impl ListParams {
    /// Reads the parameters from query pairs (the first of repeated names wins).
    pub fn from_pairs(pairs: &[(String, String)]) -> ListParams {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        ListParams {
            township: get("township"),
            community: get("community"),
            category: get("category"),
            cause: get("cause"),
            q: get("q"),
            include_exited: get("include_exited"),
            page: get("page"),
            per_page: get("per_page"),
        }
    }

    /// Parses the parameters. With `strict`, a value that does not parse is an error; without,
    /// it is ignored (a page with an odd bookmark still shows the list).
    pub fn parse(&self, strict: bool) -> Result<ListQuery, FieldErrors> {
        let mut e = FieldErrors::new();
        let township = parse_optional(&mut e, "township", self.township.as_deref(), township_code);
        let community = parse_optional(
            &mut e,
            "community",
            self.community.as_deref(),
            community_code,
        );
        let category = parse_optional(
            &mut e,
            "category",
            self.category.as_deref(),
            Category::parse,
        );
        let cause = parse_optional(&mut e, "cause", self.cause.as_deref(), PovertyCause::parse);
        let include_exited = match self.include_exited.as_deref() {
            None | Some("false" | "0" | "off") => false,
            Some("true" | "1" | "on") => true,
            Some(_) => {
                e.add("include_exited", "应为 true 或 false");
                false
            }
        };
        let (page, per_page) = parse_paging(&mut e, self.page.as_deref(), self.per_page.as_deref());
        if strict && !e.is_empty() {
            return Err(e);
        }
        let query = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
        let mut filter = HouseholdFilter {
            township: township.flatten(),
            community: community.flatten(),
            category: category.flatten(),
            cause: cause.flatten(),
            query: query.map(|q| q.chars().take(50).collect()),
            include_exited,
        };
        // A community outside the chosen township would match nothing: the township wins.
        if let (Some(t), Some(c)) = (&filter.township, &filter.community)
            && !t.contains(c)
        {
            if strict {
                e.add("community", "社区不属于所选乡镇（街道）");
                return Err(e);
            }
            filter.community = None;
        }
        Ok(ListQuery {
            filter,
            page,
            per_page,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn household() -> HouseholdFieldsDto {
        HouseholdFieldsDto {
            number: "YY-1".into(),
            township: "500235002".into(),
            community: "500235002001".into(),
            category: "dibao".into(),
            enrolled_on: "2025-3-1".into(),
            exited_on: Some(String::new()),
            address: "青龙街道复兴路1号".into(),
            phone: Some("138 0013 8000".into()),
            bank_account: None,
            housing: "自有住房".into(),
            causes: vec!["illness".into(), "因残".into(), "illness".into()],
            needs: vec![],
        }
    }

    fn person() -> PersonFieldsDto {
        PersonFieldsDto {
            name: "张三".into(),
            id_number: "11010519491231002x".into(),
            relation: "head".into(),
            self_care: "full".into(),
            work_capacity: "none".into(),
            employment: "not_applicable".into(),
            insurance: "resident".into(),
            ..PersonFieldsDto::default()
        }
    }

    #[test]
    fn household_fields_accept_codes_labels_and_loose_dates() {
        let fields = HouseholdFields::try_from(&household()).unwrap();
        assert_eq!(
            fields.enrolled_on,
            NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()
        );
        assert_eq!(fields.exited_on, None);
        assert_eq!(fields.housing, Housing::Owned);
        assert_eq!(
            fields.causes,
            vec![PovertyCause::Illness, PovertyCause::Disability]
        );
        assert_eq!(fields.phone.unwrap().as_str(), "13800138000");
    }

    #[test]
    fn every_bad_household_field_is_reported_against_itself() {
        let dto = HouseholdFieldsDto {
            township: "500235002001".into(),
            category: "穷".into(),
            enrolled_on: "2025-02-30".into(),
            phone: Some("12345".into()),
            address: " ".into(),
            ..household()
        };
        let errors = HouseholdFields::try_from(&dto).unwrap_err();
        assert!(errors.get("township").unwrap().contains("社区代码"));
        assert!(
            errors
                .get("category")
                .unwrap()
                .contains("救助类别“穷”无法识别")
        );
        assert!(errors.get("enrolled_on").unwrap().contains("2025-02-30"));
        assert!(errors.get("phone").unwrap().contains("12345"));
        assert_eq!(errors.get("address"), Some("请填写住址"));
        assert_eq!(errors.len(), 5);
    }

    #[test]
    fn rules_across_fields_are_reported_with_the_other_problems() {
        let dto = HouseholdFieldsDto {
            number: "户 1".into(),
            community: "500235003001".into(),
            enrolled_on: "2025-03-01".into(),
            exited_on: Some("2025-02-01".into()),
            category: String::new(),
            ..household()
        };
        let errors = HouseholdFields::try_from(&dto).unwrap_err();
        assert!(errors.get("number").unwrap().contains("字母、数字或连字符"));
        assert!(errors.get("community").unwrap().contains("不属于"));
        assert!(errors.get("exited_on").unwrap().contains("早于纳入日期"));
        assert_eq!(errors.get("category"), Some("请选择救助类别"));
    }

    #[test]
    fn a_community_of_another_township_is_reported_on_the_community() {
        let dto = HouseholdFieldsDto {
            community: "500235003001".into(),
            ..household()
        };
        let errors = HouseholdFields::try_from(&dto).unwrap_err();
        assert!(errors.get("community").unwrap().contains("不属于"));
    }

    #[test]
    fn a_disability_needs_both_kind_and_grade() {
        let dto = PersonFieldsDto {
            disability_kind: Some("physical".into()),
            ..person()
        };
        let errors = PersonFields::try_from(PersonInput {
            dto: &dto,
            today: today(),
        })
        .unwrap_err();
        assert!(errors.get("disability_grade").is_some());
        let dto = PersonFieldsDto {
            disability_grade: Some("2".into()),
            ..dto
        };
        let p = PersonFields::try_from(PersonInput {
            dto: &dto,
            today: today(),
        })
        .unwrap();
        assert_eq!(p.disability.unwrap().grade, DisabilityGrade::Two);
        assert_eq!(p.id_number.as_str(), "11010519491231002X");
    }

    #[test]
    fn a_new_household_without_a_head_is_reported_on_its_members() {
        let member = PersonFieldsDto {
            relation: "spouse".into(),
            ..person()
        };
        let dto = NewHouseholdDto {
            fields: household(),
            members: vec![member],
            ..NewHouseholdDto::default()
        };
        let errors = NewHousehold::try_from(NewHouseholdInput {
            dto: &dto,
            today: today(),
        })
        .unwrap_err();
        assert!(errors.get("members").unwrap().contains("户主"));
    }

    #[test]
    fn nested_errors_name_the_member_and_field() {
        let dto = NewHouseholdDto {
            fields: household(),
            members: vec![
                person(),
                PersonFieldsDto {
                    name: "李4".into(),
                    ..person()
                },
            ],
            incomes: vec![NewIncomeDto {
                member_index: 0,
                month: "2026-13".into(),
                kind: "wages".into(),
                amount_fen: -1,
            }],
            ..NewHouseholdDto::default()
        };
        let errors = NewHousehold::try_from(NewHouseholdInput {
            dto: &dto,
            today: today(),
        })
        .unwrap_err();
        assert!(errors.get("members[1].name").unwrap().contains("4"));
        assert!(errors.get("incomes[0].month").is_some());
        assert_eq!(errors.get("incomes[0].amount_fen"), Some("金额不能为负数"));
    }

    #[test]
    fn a_survey_dated_tomorrow_is_refused() {
        let dto = SurveyDto {
            family_situation: "独居".into(),
            poverty_cause: "因病".into(),
            help_needed: "医疗救助".into(),
            surveyed_by: "王五".into(),
            surveyed_on: "2026-11-29".into(),
        };
        let errors = Survey::try_from(SurveyInput {
            dto: &dto,
            today: today(),
        })
        .unwrap_err();
        assert!(errors.get("surveyed_on").unwrap().contains("晚于今天"));
    }

    fn params(pairs: &[(&str, &str)]) -> ListParams {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        ListParams::from_pairs(&pairs)
    }

    #[test]
    fn list_parameters_become_a_filter_and_a_page() {
        let q = params(&[
            ("township", "500235002"),
            ("category", "tekun"),
            ("q", " zsf "),
            ("include_exited", "true"),
            ("page", "3"),
        ])
        .parse(true)
        .unwrap();
        assert_eq!(q.filter.township.as_ref().unwrap().as_str(), "500235002");
        assert_eq!(q.filter.category, Some(Category::Tekun));
        assert_eq!(q.filter.query.as_deref(), Some("zsf"));
        assert!(q.filter.include_exited);
        assert_eq!(
            q.store_page(),
            Page {
                offset: 100,
                limit: 50
            }
        );
    }

    #[test]
    fn bad_list_parameters_are_errors_for_the_api_and_ignored_by_the_page() {
        let p = params(&[("category", "poor"), ("page", "0"), ("township", "")]);
        let errors = p.parse(true).unwrap_err();
        assert!(errors.get("category").is_some());
        assert!(errors.get("page").is_some());
        let lenient = p.parse(false).unwrap();
        assert_eq!((lenient.filter.category, lenient.page), (None, 1));
    }

    #[test]
    fn a_community_outside_the_township_is_dropped_by_the_page() {
        let p = params(&[("township", "500235002"), ("community", "500235003001")]);
        assert_eq!(p.parse(false).unwrap().filter.community, None);
        assert!(p.parse(true).is_err());
    }
}

/// What a household is owed in a month, with the explanation.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntitlementDto {
    /// The month, YYYY-MM.
    pub month: String,
    /// `dibao` (2.1.a) or `tekun` (2.2.a).
    pub program: String,
    /// Whether the household qualifies.
    pub eligible: bool,
    /// Why not, in Chinese.
    pub refusal: Option<String>,
    /// Base amount per month, in fen (dibao gap top-up or tekun basic support).
    pub base_fen: i64,
    /// Extras per month, in fen (classified extras or tekun care subsidy).
    pub extras_fen: i64,
    /// Total per month, in fen.
    pub total_fen: i64,
    /// Whether an illustrative parameter value was used.
    pub illustrative: bool,
    /// The explanation in plain Chinese.
    pub explanation_text: String,
    /// The explanation tree: clause, title, result, facts, parameters (value, date, source,
    /// illustrative), arithmetic, steps.
    #[schema(value_type = Object)]
    pub explanation: serde_json::Value,
}

/// One entry of the audit trail.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AuditEntryDto {
    /// Position in the hash chain, from 1.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The actor's user id (0 for the system).
    pub actor_user_id: i64,
    /// The actor's login name.
    pub actor_name: String,
    /// The actor's role.
    #[schema(schema_with = vocab::schema::<doudi_core::Role>)]
    pub actor_role: String,
    /// The purpose given; empty when none.
    pub purpose: String,
    /// The client address; empty for the command line.
    pub client: String,
    /// What was done.
    #[schema(schema_with = vocab::schema::<doudi_store::AuditAction>)]
    pub action: String,
    /// What it was done to: `household:12`, `person:45`, `households`, `import`, `user:3`.
    pub target: String,
    /// A short description without personal data.
    pub detail: String,
    /// The hash of the entry before.
    pub prev_hash: String,
    /// SHA-256 of this entry's fields and `prev_hash`.
    pub hash: String,
}

impl From<&doudi_store::AuditEntry> for AuditEntryDto {
    fn from(e: &doudi_store::AuditEntry) -> AuditEntryDto {
        AuditEntryDto {
            seq: e.seq,
            at: e.at.to_rfc3339(),
            actor_user_id: e.actor_user_id,
            actor_name: e.actor_name.clone(),
            actor_role: e.actor_role.clone(),
            purpose: e.purpose.clone(),
            client: e.client.clone(),
            action: e.action.clone(),
            target: e.target.clone(),
            detail: e.detail.clone(),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        }
    }
}

/// A page of the audit trail, newest first.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AuditListDto {
    /// How many entries match.
    pub total: i64,
    /// This page (from 1).
    pub page: i64,
    /// Entries per page.
    pub per_page: i64,
    /// The entries, newest first.
    pub rows: Vec<AuditEntryDto>,
}

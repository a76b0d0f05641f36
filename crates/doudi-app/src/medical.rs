//! Medical assistance delivered (2.4): inpatient stays settled by the medical insurance bureau
//! with the policy engine's computation (basic insurance with the county-hospital adjustment,
//! critical-illness insurance, medical assistance) against what the person's earlier stays of
//! the year used; each hospital's out-of-catalogue share against the 15% ceiling, month by
//! month; and family-doctor signing and health records per member, kept by the health
//! commission.
//!
//! **Invariant:** a stay's amounts are the engine's, computed with the parameters of the month
//! of admission, and are kept with the explanation as it was rendered then; the store refuses
//! the stay if the person's stays of the year changed between computing and recording.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use doudi_core::date::parse_day;
use doudi_core::{Actor, Category, HouseholdId, IdNumber, Money, Month, PersonId, SpecialDisease};
use doudi_policy::Resolved;
use doudi_policy::explain::Explanation;
use doudi_policy::medical::{self, HospitalShare, Level, MedicalDecision, Stay, UsedThisYear};
use doudi_store::StoreError;
use doudi_store::delivery::{NewStay, Patient, StayFilter, StayRecord, YearUsage};

use crate::{App, Error};

/// A stay as a form or the API gives it, before it is checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StayForm {
    /// The patient's identity number (as on the hospital's settlement).
    pub id_number: String,
    /// The hospital's name.
    pub hospital: String,
    /// Level code ([`Level::code`]).
    pub level: String,
    /// In the county.
    pub in_county: bool,
    /// Admission day.
    pub admitted: String,
    /// Discharge day.
    pub discharged: String,
    /// Total cost, yuan.
    pub total: String,
    /// In-catalogue cost, yuan.
    pub in_catalogue: String,
    /// `file` (as on the member's file, the default), `none`, or a special-disease code.
    pub special_disease: String,
    /// Treated first, paid later.
    pub treat_first: bool,
}

/// A checked stay.
#[derive(Clone, Debug, PartialEq, Eq)]
struct StayInput {
    id_number: IdNumber,
    hospital: String,
    level: Level,
    in_county: bool,
    admitted: NaiveDate,
    discharged: NaiveDate,
    total: Money,
    in_catalogue: Money,
    special: Special,
    treat_first: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Special {
    AsOnFile,
    Given(Option<SpecialDisease>),
}

impl StayForm {
    /// Checks every field, saying what is wrong with each (2.4's edges: costs not negative,
    /// in-catalogue within the total, discharge not before admission nor after today).
    fn check(&self, today: NaiveDate) -> Result<StayInput, Error> {
        let mut errors: Vec<(&'static str, String)> = Vec::new();
        let id_number = IdNumber::parse(&self.id_number, today)
            .map_err(|e| errors.push(("id_number", format!("身份证号：{e}"))))
            .ok();
        let hospital = self.hospital.trim().to_owned();
        if hospital.is_empty() || hospital.chars().count() > 60 {
            errors.push(("hospital", "医院名称：应为1到60个字".into()));
        }
        let level = Level::parse(&self.level);
        if level.is_none() {
            errors.push((
                "level",
                "医院级别：请选择乡镇卫生院、县级医院或市级及以上医院".into(),
            ));
        }
        let admitted = parse_day(&self.admitted)
            .map_err(|e| errors.push(("admitted", format!("入院日期：{e}"))))
            .ok();
        let discharged = parse_day(&self.discharged)
            .map_err(|e| errors.push(("discharged", format!("出院日期：{e}"))))
            .ok();
        if let (Some(a), Some(d)) = (admitted, discharged) {
            if d < a {
                errors.push(("discharged", "出院日期：不能早于入院日期".into()));
            } else if d > today {
                errors.push((
                    "discharged",
                    "出院日期：不能晚于今天（出院结算后才登记）".into(),
                ));
            }
        }
        let total = Money::parse_non_negative_yuan(&self.total)
            .map_err(|e| errors.push(("total", format!("住院总费用：{e}"))))
            .ok();
        let in_catalogue = Money::parse_non_negative_yuan(&self.in_catalogue)
            .map_err(|e| errors.push(("in_catalogue", format!("医保目录内费用：{e}"))))
            .ok();
        if let (Some(t), Some(c)) = (total, in_catalogue) {
            if c > t {
                errors.push(("in_catalogue", "医保目录内费用：不能超过住院总费用".into()));
            }
            if t > Money::from_yuan(100_000_000) {
                errors.push(("total", "住院总费用：超过1亿元，请核对".into()));
            }
        }
        let special = match self.special_disease.trim() {
            "" | "file" => Some(Special::AsOnFile),
            "none" => Some(Special::Given(None)),
            code => match SpecialDisease::parse(code) {
                Ok(d) => Some(Special::Given(Some(d))),
                Err(e) => {
                    errors.push(("special_disease", format!("特殊病种：{e}")));
                    None
                }
            },
        };
        match (
            id_number,
            level,
            admitted,
            discharged,
            total,
            in_catalogue,
            special,
        ) {
            (
                Some(id_number),
                Some(level),
                Some(admitted),
                Some(discharged),
                Some(total),
                Some(in_catalogue),
                Some(special),
            ) if errors.is_empty() => Ok(StayInput {
                id_number,
                hospital,
                level,
                in_county: self.in_county,
                admitted,
                discharged,
                total,
                in_catalogue,
                special,
                treat_first: self.treat_first,
            }),
            _ => Err(Error::Fields(errors)),
        }
    }
}

/// A settlement computed for a stay, before or after it is recorded.
#[derive(Clone, Debug)]
pub struct Settlement {
    /// The member.
    pub patient: Patient,
    /// The stay as the rules read it.
    pub stay: Stay,
    /// Discharge day.
    pub discharged: NaiveDate,
    /// Treated first, paid later.
    pub treat_first: bool,
    /// What the person's earlier stays of the year used.
    pub used: UsedThisYear,
    /// Earlier stays of the year.
    pub prior: i64,
    /// The amounts.
    pub decision: MedicalDecision,
    /// Why.
    pub explanation: Explanation,
}

/// One month of the out-of-catalogue watch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareMonth {
    /// The month of admission.
    pub month: Month,
    /// Each hospital's share of that month's stays.
    pub hospitals: Vec<HospitalShare>,
}

/// A member with a special disease of 2.4, as the register lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecialCase {
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub number: String,
    /// Its township code.
    pub township: String,
    /// Its community code.
    pub community: String,
    /// The member.
    pub person: PersonId,
    /// The name, masked.
    pub name: String,
    /// The disease.
    pub disease: SpecialDisease,
    /// Stays this year (settled, not cancelled).
    pub stays: u32,
    /// Medical assistance paid this year.
    pub assistance: Money,
}

/// The stay to record for a settlement.
fn new_stay(s: &Settlement) -> NewStay {
    let d = &s.decision;
    NewStay {
        person: s.patient.person,
        hospital: s.stay.hospital.clone(),
        level: s.stay.level.code().to_owned(),
        in_county: s.stay.in_county,
        admitted: s.stay.admitted,
        discharged: s.discharged,
        category: s.stay.category,
        special_disease: s.stay.special_disease,
        treat_first: s.treat_first,
        total_fen: s.stay.total.fen(),
        in_catalogue_fen: s.stay.in_catalogue.fen(),
        basic_fen: d.basic.fen(),
        critical_fen: d.critical.fen(),
        counted_fen: d.critical_deductible_counted.fen(),
        assistance_fen: d.assistance.fen(),
        self_pay_fen: d.self_pay.fen(),
        explanation: s.explanation.render(),
        prior: s.prior,
    }
}

/// A level as files write it (its label or its code) as its code; anything else is kept for
/// the check to name.
fn level_code(text: &str) -> String {
    let t = text.trim();
    Level::ALL
        .iter()
        .find(|l| l.label() == t || l.code() == t)
        .map_or_else(|| t.to_owned(), |l| l.code().to_owned())
}

/// A special disease as files write it: blank is as on file, 无 none, else its label or code.
fn special_code(text: &str) -> String {
    match text.trim() {
        "" => "file".into(),
        "无" | "否" => "none".into(),
        t => SpecialDisease::ALL
            .iter()
            .find(|d| d.label() == t)
            .map_or_else(|| t.to_owned(), |d| d.code().to_owned()),
    }
}

/// At most 20 characters of what someone typed, for a message (files' rows here and in
/// `schooling.rs`).
pub(crate) fn clip(text: &str) -> String {
    text.chars().take(20).collect()
}

/// A field's message without its leading label (the place already names the column).
fn strip(field: &str, message: &str) -> String {
    if field.is_empty() {
        return message.to_owned();
    }
    match message.split_once('：') {
        Some((_, rest)) => rest.to_owned(),
        None => message.to_owned(),
    }
}

/// The stay a record describes, as the rules read it.
pub fn stay_of(r: &StayRecord) -> Stay {
    Stay {
        hospital: r.hospital.clone(),
        level: Level::parse(&r.level).unwrap_or(Level::County),
        in_county: r.in_county,
        total: Money::from_fen(r.total_fen),
        in_catalogue: Money::from_fen(r.in_catalogue_fen),
        admitted: r.admitted,
        category: r.category,
        special_disease: r.special_disease,
    }
}

impl App {
    /// What a stay would be settled (2.4), with the explanation: the patient found by identity
    /// number within the actor's scope, the parameters of the month of admission, and what the
    /// patient's earlier stays of the year used. Nothing is recorded.
    pub async fn settle_preview(
        &self,
        actor: &Actor,
        form: &StayForm,
    ) -> Result<Settlement, Error> {
        let input = form.check(self.today())?;
        let patient = self.patient_of(actor, &input).await?;
        let usage = self
            .store()
            .stay_usage(patient.person, input.admitted.year())
            .await?;
        self.prepare(patient, input, usage)
    }

    /// The patient a stay is for, within the actor's scope.
    async fn patient_of(&self, actor: &Actor, input: &StayInput) -> Result<Patient, Error> {
        self.store()
            .patient(actor, &input.id_number)
            .await?
            .ok_or_else(|| {
                Error::invalid(
                    "id_number",
                    "身份证号：不是本县（您的辖区内）低保或特困家庭的成员",
                )
            })
    }

    /// The settlement of a checked stay for `patient`, whose earlier stays of the year used
    /// `usage` (2.4, with the parameters of the month of admission).
    fn prepare(
        &self,
        patient: Patient,
        input: StayInput,
        usage: YearUsage,
    ) -> Result<Settlement, Error> {
        if !matches!(patient.category, Category::Dibao | Category::Tekun) {
            return Err(Error::invalid(
                "id_number",
                "身份证号：该成员所在家庭不是低保或特困家庭",
            ));
        }
        if patient.exited_on.is_some_and(|d| d < input.admitted) {
            return Err(Error::invalid(
                "admitted",
                "入院日期：该家庭在入院前已退出保障，本次住院不享受医疗救助",
            ));
        }
        let special_disease = match input.special {
            Special::AsOnFile => patient.special_disease,
            Special::Given(d) => d,
        };
        let stay = Stay {
            hospital: input.hospital,
            level: input.level,
            in_county: input.in_county,
            total: input.total,
            in_catalogue: input.in_catalogue,
            admitted: input.admitted,
            category: patient.category,
            special_disease,
        };
        let r = Resolved::new(self.parameters(), stay.month())
            .map_err(|e| Error::Rules(e.to_string()))?;
        let used = UsedThisYear {
            critical_deductible_met: Money::from_fen(usage.counted_fen),
            assistance_paid: Money::from_fen(usage.assistance_fen),
        };
        let (decision, explanation) = medical::explain(&stay, &used, &r);
        Ok(Settlement {
            patient,
            stay,
            discharged: input.discharged,
            treat_first: input.treat_first,
            used,
            prior: usage.stays,
            decision,
            explanation,
        })
    }

    /// Settles several stays in order and records them all or none (a file of settlements or
    /// an API batch): each stay after the first of the same person and year counts the ones
    /// before it; a stay already recorded (same person, admission, hospital and total) or
    /// given twice is refused. Every problem is returned at once, placed by `place(i, field)`.
    async fn settle_many(
        &self,
        actor: &Actor,
        forms: &[StayForm],
        place: &(dyn Fn(usize, &str) -> String + Sync),
    ) -> Result<Vec<(i64, Settlement)>, Error> {
        if !doudi_store::delivery::may_settle_stays(actor) {
            return Err(StoreError::Forbidden.into());
        }
        if forms.is_empty() {
            return Err(Error::invalid("stays", "没有住院记录"));
        }
        if forms.len() > 5_000 {
            return Err(Error::invalid(
                "stays",
                "一次最多登记5,000条住院结算，请分批",
            ));
        }
        let today = self.today();
        let mut errors: Vec<(&'static str, String)> = Vec::new();
        let mut usage: BTreeMap<(PersonId, i32), YearUsage> = BTreeMap::new();
        let mut recorded: BTreeMap<i32, Vec<StayRecord>> = BTreeMap::new();
        let mut seen: Vec<(PersonId, NaiveDate, String, i64)> = Vec::new();
        let mut settled = Vec::new();
        for (i, form) in forms.iter().enumerate() {
            let located = |e: Error| -> Vec<(&'static str, String)> {
                match e {
                    Error::Fields(list) => list
                        .into_iter()
                        .map(|(f, m)| ("stays", format!("{}：{}", place(i, f), strip(f, &m))))
                        .collect(),
                    Error::Invalid { field, message } => {
                        vec![(
                            "stays",
                            format!("{}：{}", place(i, field), strip(field, &message)),
                        )]
                    }
                    other => vec![("stays", format!("{}：{other}", place(i, "")))],
                }
            };
            let input = match form.check(today) {
                Ok(input) => input,
                Err(e) => {
                    errors.extend(located(e));
                    continue;
                }
            };
            let patient = match self.patient_of(actor, &input).await {
                Ok(p) => p,
                Err(e) => {
                    errors.extend(located(e));
                    continue;
                }
            };
            let year = input.admitted.year();
            let key = (
                patient.person,
                input.admitted,
                input.hospital.clone(),
                input.total.fen(),
            );
            if seen.contains(&key) {
                errors.push(("stays", format!("{}：与前面一行是同一次住院", place(i, ""))));
                continue;
            }
            if let std::collections::btree_map::Entry::Vacant(slot) = recorded.entry(year) {
                let kept = self
                    .store()
                    .stays(
                        actor,
                        &StayFilter {
                            year: Some(year),
                            household: None,
                            with_cancelled: false,
                        },
                    )
                    .await?;
                slot.insert(kept);
            }
            if let Some(s) = recorded[&year].iter().find(|s| {
                (s.person, s.admitted, s.hospital.as_str(), s.total_fen)
                    == (key.0, key.1, key.2.as_str(), key.3)
            }) {
                errors.push((
                    "stays",
                    format!("{}：这次住院已登记过（编号 {}）", place(i, ""), s.id),
                ));
                continue;
            }
            seen.push(key);
            let used = match usage.get(&(patient.person, year)) {
                Some(u) => *u,
                None => self.store().stay_usage(patient.person, year).await?,
            };
            match self.prepare(patient, input, used) {
                Ok(s) => {
                    usage.insert(
                        (s.patient.person, year),
                        YearUsage {
                            stays: used.stays + 1,
                            counted_fen: used.counted_fen
                                + s.decision.critical_deductible_counted.fen(),
                            assistance_fen: used.assistance_fen + s.decision.assistance.fen(),
                        },
                    );
                    settled.push(s);
                }
                Err(e) => errors.extend(located(e)),
            }
        }
        if !errors.is_empty() {
            return Err(Error::Fields(errors));
        }
        let stays: Vec<NewStay> = settled.iter().map(new_stay).collect();
        let ids = self.store().record_stays(actor, &stays).await?;
        Ok(ids.into_iter().zip(settled).collect())
    }

    /// Settles and records every stay of a file of settlements (CSV or XLSX), all or none;
    /// every bad row is named with its column.
    pub async fn import_stays(
        &self,
        actor: &Actor,
        name: &str,
        bytes: &[u8],
    ) -> Result<Vec<(i64, Settlement)>, Error> {
        if !doudi_store::delivery::may_settle_stays(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let rows = doudi_exchange::read::read_file(name, bytes)
            .map_err(|e| crate::payments::refused(e.into()))
            .and_then(|sheet| {
                doudi_exchange::columns::parse_rows(&sheet, doudi_exchange::columns::STAY_COLUMNS)
                    .map_err(crate::payments::refused)
            })?;
        let mut errors: Vec<(&'static str, String)> = Vec::new();
        let mut forms = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut flag = |field: &str| -> bool {
                match r.get(field) {
                    "" | "否" | "0" | "N" | "n" => false,
                    "是" | "1" | "Y" | "y" | "√" => true,
                    other => {
                        errors.push((
                            "file",
                            format!(
                                "第{}行「{}」列：“{}”应为“是”或“否”",
                                r.row,
                                r.column(field),
                                clip(other)
                            ),
                        ));
                        false
                    }
                }
            };
            let in_county = flag("in_county");
            let treat_first = flag("treat_first");
            if r.lossy_id {
                errors.push((
                    "file",
                    format!(
                        "第{}行「{}」列：Excel把身份证号码存成了数字，后几位已丢失；请把该列设为“文本”格式后重新导出",
                        r.row,
                        r.column("id_number")
                    ),
                ));
            }
            forms.push(StayForm {
                id_number: r.get("id_number").to_owned(),
                hospital: r.get("hospital").to_owned(),
                level: level_code(r.get("level")),
                in_county,
                admitted: r.get("admitted").to_owned(),
                discharged: r.get("discharged").to_owned(),
                total: r.get("total").to_owned(),
                in_catalogue: r.get("in_catalogue").to_owned(),
                special_disease: special_code(r.get("special_disease")),
                treat_first,
            });
        }
        if !errors.is_empty() {
            return Err(Error::Fields(errors));
        }
        let place = |i: usize, field: &str| -> String {
            let r = &rows[i];
            if field.is_empty() || field == "stays" {
                format!("第{}行", r.row)
            } else {
                format!("第{}行「{}」列", r.row, r.column(field))
            }
        };
        self.settle_many(actor, &forms, &place)
            .await
            .map_err(|e| match e {
                Error::Fields(list) => {
                    Error::Fields(list.into_iter().map(|(_, m)| ("file", m)).collect())
                }
                other => other,
            })
    }

    /// Settles and records a batch of stays given by the API, all or none; problems are
    /// placed as 第N条.
    pub async fn settle_batch(
        &self,
        actor: &Actor,
        forms: &[StayForm],
    ) -> Result<Vec<(i64, Settlement)>, Error> {
        let place = |i: usize, field: &str| -> String {
            if field.is_empty() || field == "stays" {
                format!("第{}条", i + 1)
            } else {
                format!("第{}条 {field}", i + 1)
            }
        };
        self.settle_many(actor, forms, &place).await
    }

    /// Settles and records a stay (the medical insurance bureau, the county approver); the
    /// store refuses it if the patient's stays of the year changed meanwhile.
    pub async fn settle_stay(
        &self,
        actor: &Actor,
        form: &StayForm,
    ) -> Result<(i64, Settlement), Error> {
        let s = self.settle_preview(actor, form).await?;
        let id = self.store().record_stay(actor, &new_stay(&s)).await?;
        Ok((id, s))
    }

    /// Cancels a stay recorded by mistake (only the person's latest of its year).
    pub async fn cancel_stay(&self, actor: &Actor, id: i64, reason: &str) -> Result<(), Error> {
        Ok(self.store().cancel_stay(actor, id, reason).await?)
    }

    /// Stays admitted in `year` in the actor's part of the county, newest first.
    pub async fn stays(
        &self,
        actor: &Actor,
        year: i32,
        household: Option<HouseholdId>,
    ) -> Result<Vec<StayRecord>, Error> {
        Ok(self
            .store()
            .stays(
                actor,
                &StayFilter {
                    year: Some(year),
                    household,
                    with_cancelled: household.is_some(),
                },
            )
            .await?)
    }

    /// The out-of-catalogue watch of `year` (2.4): for each month of admission, each
    /// hospital's share of out-of-catalogue cost against the ceiling in force that month,
    /// months in order.
    pub async fn out_of_catalogue_watch(
        &self,
        actor: &Actor,
        year: i32,
    ) -> Result<Vec<ShareMonth>, Error> {
        let stays = self.stays(actor, year, None).await?;
        let mut by: BTreeMap<Month, Vec<Stay>> = BTreeMap::new();
        for r in &stays {
            by.entry(Month::of(r.admitted))
                .or_default()
                .push(stay_of(r));
        }
        by.into_iter()
            .map(|(month, stays)| {
                let r = Resolved::new(self.parameters(), month)
                    .map_err(|e| Error::Rules(e.to_string()))?;
                Ok(ShareMonth {
                    month,
                    hospitals: medical::out_of_catalogue_report(&stays, &r),
                })
            })
            .collect()
    }

    /// The special-disease register (2.4: thalassaemia, chronic myeloid leukaemia,
    /// pneumoconiosis, childhood leukaemia): every member of the actor's part of the county with
    /// one, with this year's stays and assistance, by file number (those who read stays).
    pub async fn special_disease_register(&self, actor: &Actor) -> Result<Vec<SpecialCase>, Error> {
        if !doudi_store::delivery::may_read_stays(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let year = self.today().year();
        let stays = self.stays(actor, year, None).await?;
        let records = self
            .store()
            .records(actor, &doudi_store::HouseholdFilter::default())
            .await?;
        let mut out = Vec::new();
        for r in &records {
            for m in &r.members {
                let Some(disease) = m.fields.special_disease else {
                    continue;
                };
                let theirs = stays.iter().filter(|s| s.person == m.id);
                out.push(SpecialCase {
                    household: r.household.id,
                    number: r.household.fields.number.clone(),
                    township: r.household.fields.township.to_string(),
                    community: r.household.fields.community.to_string(),
                    person: m.id,
                    // Masked, as every list is (`Actor::visibility(Purpose::List)`).
                    name: m.fields.name.masked(),
                    disease,
                    stays: theirs.clone().count() as u32,
                    assistance: theirs.fold(Money::ZERO, |a, s| {
                        a.saturating_add(Money::from_fen(s.assistance_fen))
                    }),
                });
            }
        }
        out.sort_by(|a, b| a.number.cmp(&b.number));
        Ok(out)
    }

    /// Records a member's family-doctor signing and health record (2.4).
    pub async fn set_health_services(
        &self,
        actor: &Actor,
        person: PersonId,
        family_doctor: bool,
        health_record: bool,
    ) -> Result<(), Error> {
        if !doudi_store::delivery::may_keep_health_services(actor) {
            return Err(StoreError::Forbidden.into());
        }
        Ok(self
            .store()
            .set_health_services(actor, person, family_doctor, health_record)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> StayForm {
        StayForm {
            id_number: "11010519491231002X".into(),
            hospital: "云阳县人民医院".into(),
            level: "county".into(),
            in_county: true,
            admitted: "2026-10-01".into(),
            discharged: "2026-10-09".into(),
            total: "10000".into(),
            in_catalogue: "9000".into(),
            special_disease: String::new(),
            treat_first: true,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    #[test]
    fn a_well_filled_stay_passes_the_checks() {
        let input = form().check(today()).unwrap();
        assert_eq!(input.level, Level::County);
        assert_eq!(input.special, Special::AsOnFile);
    }

    #[test]
    fn every_wrong_field_of_a_stay_is_named() {
        let bad = StayForm {
            id_number: "123".into(),
            hospital: String::new(),
            level: "provincial".into(),
            admitted: "2026-10-09".into(),
            discharged: "2026-10-01".into(),
            total: "100".into(),
            in_catalogue: "200".into(),
            special_disease: "flu".into(),
            ..form()
        };
        let Err(Error::Fields(errors)) = bad.check(today()) else {
            panic!("expected field errors");
        };
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [
                "id_number",
                "hospital",
                "level",
                "discharged",
                "in_catalogue",
                "special_disease"
            ]
        );
    }

    #[test]
    fn a_discharge_after_today_is_refused() {
        let later = StayForm {
            discharged: "2026-12-01".into(),
            ..form()
        };
        let Err(Error::Fields(errors)) = later.check(today()) else {
            panic!("expected field errors");
        };
        assert_eq!(errors[0].0, "discharged");
    }
}

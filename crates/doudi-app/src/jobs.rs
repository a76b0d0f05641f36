//! Employment help (2.7) as use cases: openings (job vacancies and public-welfare posts, from
//! enterprises too), the members they suit ranked by the one score
//! ([`doudi_core::jobs::match_score`]) with its reasons, referrals and their outcomes (a hire
//! records the member employed, which takes a zero-employment household off the list), and
//! training. The human-resources officer and the county approver record openings; they and the
//! township caseworkers refer, each in their scope.
//!
//! Matching reads whether a member is disabled, which the human-resources department's view of
//! the file does not show: it reads as the system within the actor's scope (as the figures do)
//! and shows only masked names, the score and its reasons, recorded under the actor. A reason
//! may say that an opening suits a disabled member: a deliberate, narrow exception to the
//! department's view, which matching on disability (2.7) needs.

use std::collections::HashMap;

use chrono::NaiveDate;
use doudi_core::discovery::{able_and_willing, zero_employment};
use doudi_core::jobs::{
    CandidateFacts, Fit, OpeningFacts, OpeningKind, ReferralState, match_score,
};
use doudi_core::{
    Actor, DivisionCode, Employment, HouseholdId, HouseholdRecord, Money, PersonId, WorkCapacity,
};
use doudi_store::jobs::{
    NewOpening, NewReferral, NewTraining, Opening, Referral, ReferralFilter, Training,
    may_read_jobs, may_record_openings, may_refer,
};
use doudi_store::{AuditAction, HouseholdFilter, StoreError};

use crate::{App, Error};

/// A member an opening suits, with the fit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The member.
    pub person: PersonId,
    /// The member's name, masked.
    pub name: String,
    /// Age today.
    pub age: u32,
    /// Capacity to work.
    pub capacity: WorkCapacity,
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub number: String,
    /// Its community code.
    pub community: String,
    /// Whether the household is a zero-employment household (2.7).
    pub zero_employment: bool,
    /// The score and its reasons.
    pub fit: Fit,
}

/// A member of a household with the openings that suit them, best first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberMatches {
    /// The member.
    pub person: PersonId,
    /// The member's name, masked.
    pub name: String,
    /// Age today.
    pub age: u32,
    /// Capacity to work.
    pub capacity: WorkCapacity,
    /// Open openings with their fit, best first.
    pub openings: Vec<(Opening, Fit)>,
}

/// A household's path off the zero-employment list: its members' matches, referrals and
/// training.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseholdJobs {
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub number: String,
    /// Whether it is a zero-employment household today.
    pub zero_employment: bool,
    /// Its members able and willing to work and not employed, with their matches.
    pub members: Vec<MemberMatches>,
    /// Its referrals, newest first.
    pub referrals: Vec<Referral>,
    /// Its training, newest first.
    pub training: Vec<Training>,
}

/// An opening as typed in a form or sent as JSON: every value as text, checked here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpeningInput {
    /// The employer.
    pub employer: String,
    /// The job's title.
    pub title: String,
    /// `job` or `public_post` (or the Chinese label).
    pub kind: String,
    /// The township code (9 digits).
    pub township: String,
    /// The community code (12 digits), or empty.
    pub community: String,
    /// Hours a week.
    pub hours_per_week: String,
    /// Monthly pay in yuan.
    pub pay_yuan: String,
    /// Places.
    pub places: String,
    /// Skills wanted.
    pub skills: String,
    /// Suitable for partial capacity: "true", "on", "1" or "是".
    pub partial_ok: String,
    /// Suitable for disability: likewise.
    pub disability_ok: String,
}

/// A training course as typed in a form or sent as JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrainingInput {
    /// The member's id.
    pub person: String,
    /// The course.
    pub course: String,
    /// Who gave it.
    pub provider: String,
    /// First day.
    pub started_on: String,
    /// Last day, or empty.
    pub ended_on: String,
    /// Completed: "true", "on", "1" or "是".
    pub completed: String,
}

/// A yes of a checkbox or a JSON flag given as text.
pub fn yes(text: &str) -> bool {
    matches!(text.trim(), "true" | "on" | "1" | "是" | "yes")
}

impl OpeningInput {
    /// The opening, or every field at fault.
    pub fn parse(&self) -> Result<NewOpening, Error> {
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        let employer = self.employer.trim();
        if employer.is_empty() {
            problems.push(("employer", "用人单位：请填写".into()));
        }
        let title = self.title.trim();
        if title.is_empty() {
            problems.push(("title", "岗位名称：请填写".into()));
        }
        let kind = OpeningKind::parse(&self.kind)
            .map_err(|e| problems.push(("kind", format!("岗位类型：{e}"))))
            .ok();
        let township = match DivisionCode::parse(&self.township) {
            Ok(c) if !c.is_community() => Some(c),
            _ => {
                problems.push((
                    "township",
                    "所在乡镇（街道）：请选择乡镇（街道），9位代码".into(),
                ));
                None
            }
        };
        let community = match self.community.trim() {
            "" => None,
            text => match DivisionCode::parse(text) {
                Ok(c) if c.is_community() => match &township {
                    Some(t) if !t.contains(&c) => {
                        problems.push(("community", "所在社区：不属于所选乡镇（街道）".into()));
                        None
                    }
                    _ => Some(c.to_string()),
                },
                _ => {
                    problems.push(("community", "所在社区：应为12位社区代码".into()));
                    None
                }
            },
        };
        let hours = match self.hours_per_week.trim().parse::<u32>() {
            Ok(h) if (1..=84).contains(&h) => Some(h),
            _ => {
                problems.push(("hours_per_week", "每周工时：应为1至84的整数".into()));
                None
            }
        };
        let pay = Money::parse_non_negative_yuan(&self.pay_yuan)
            .map_err(|e| problems.push(("pay_yuan", format!("月薪：{e}"))))
            .ok();
        let places = match self.places.trim().parse::<u32>() {
            Ok(p) if (1..=10_000).contains(&p) => Some(p),
            _ => {
                problems.push(("places", "招用人数：应为1至10000的整数".into()));
                None
            }
        };
        match (kind, township, hours, pay, places) {
            (Some(kind), Some(township), Some(hours_per_week), Some(pay), Some(places))
                if problems.is_empty() =>
            {
                Ok(NewOpening {
                    employer: employer.to_owned(),
                    title: title.to_owned(),
                    kind,
                    township: township.to_string(),
                    community,
                    hours_per_week,
                    pay,
                    places,
                    skills: self.skills.trim().to_owned(),
                    partial_ok: yes(&self.partial_ok),
                    disability_ok: yes(&self.disability_ok),
                })
            }
            _ => Err(Error::Fields(problems)),
        }
    }
}

impl TrainingInput {
    /// The training, or every field at fault.
    pub fn parse(&self, today: NaiveDate) -> Result<NewTraining, Error> {
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        let person = match self.person.trim().parse::<i64>() {
            Ok(p) if p > 0 => Some(PersonId(p)),
            _ => {
                problems.push(("person", "成员：请选择成员".into()));
                None
            }
        };
        if self.course.trim().is_empty() {
            problems.push(("course", "培训项目：请填写".into()));
        }
        if self.provider.trim().is_empty() {
            problems.push(("provider", "培训机构：请填写".into()));
        }
        let started = doudi_core::date::parse_day(&self.started_on)
            .map_err(|e| problems.push(("started_on", format!("开始日期：{e}"))))
            .ok();
        let ended = match self.ended_on.trim() {
            "" => None,
            text => doudi_core::date::parse_day(text)
                .map_err(|e| problems.push(("ended_on", format!("结束日期：{e}"))))
                .ok(),
        };
        if let Some(s) = started
            && s > today
        {
            problems.push(("started_on", "开始日期：晚于今天".into()));
        }
        if let (Some(s), Some(e)) = (started, ended)
            && e < s
        {
            problems.push(("ended_on", "结束日期：早于开始日期".into()));
        }
        match (person, started) {
            (Some(person), Some(started_on)) if problems.is_empty() => Ok(NewTraining {
                person,
                course: self.course.trim().to_owned(),
                provider: self.provider.trim().to_owned(),
                started_on,
                ended_on: ended,
                completed: yes(&self.completed),
            }),
            _ => Err(Error::Fields(problems)),
        }
    }
}

fn opening_facts(o: &Opening) -> OpeningFacts {
    OpeningFacts {
        kind: o.fields.kind,
        township: o.fields.township.clone(),
        community: o.fields.community.clone(),
        hours_per_week: o.fields.hours_per_week,
        skills: o.fields.skills.clone(),
        partial_ok: o.fields.partial_ok,
        disability_ok: o.fields.disability_ok,
    }
}

/// Whether a member holds a job already (stably, flexibly or on a public-welfare post).
fn employed(e: Employment) -> bool {
    matches!(
        e,
        Employment::Employed | Employment::Flexible | Employment::PublicWelfarePost
    )
}

/// The members of a record able and willing to work and not employed, with their facts.
fn seekers(
    record: &HouseholdRecord,
    skills: &HashMap<i64, String>,
    today: NaiveDate,
) -> Vec<(PersonId, String, u32, CandidateFacts)> {
    let f = &record.household.fields;
    record
        .members
        .iter()
        .filter(|m| able_and_willing(&m.fields, today) && !employed(m.fields.employment))
        .map(|m| {
            (
                m.id,
                m.fields.name.masked(),
                doudi_core::person::age_on(m.fields.id_number.birth_date(), today),
                CandidateFacts {
                    township: f.township.to_string(),
                    community: f.community.to_string(),
                    capacity: m.fields.work_capacity,
                    disabled: m.fields.disability.is_some(),
                    skills: skills.get(&m.id.0).cloned().unwrap_or_default(),
                },
            )
        })
        .collect()
}

impl App {
    /// The reader matching uses: the system, within the actor's scope (see the module's
    /// documentation).
    fn matcher(actor: &Actor) -> Actor {
        Actor {
            scope: actor.scope.clone(),
            ..Actor::system("就业帮扶岗位匹配")
        }
    }

    /// The completed training of the members in the actor's scope, as skills text per member.
    async fn skills(&self, reader: &Actor) -> Result<HashMap<i64, String>, Error> {
        let mut skills: HashMap<i64, String> = HashMap::new();
        for t in self.store().trainings(reader, None).await? {
            if t.fields.completed {
                let s = skills.entry(t.fields.person.0).or_default();
                s.push_str(&t.fields.course);
                s.push(' ');
            }
        }
        Ok(skills)
    }

    /// The openings (open ones first).
    pub async fn openings(&self, actor: &Actor, open_only: bool) -> Result<Vec<Opening>, Error> {
        Ok(self.store().openings(actor, open_only).await?)
    }

    /// One opening.
    pub async fn opening(&self, actor: &Actor, id: i64) -> Result<Opening, Error> {
        Ok(self.store().opening(actor, id).await?)
    }

    /// Records an opening.
    pub async fn add_opening(&self, actor: &Actor, input: &OpeningInput) -> Result<Opening, Error> {
        // The role first: a role that may not record learns nothing from a form's errors.
        if !may_record_openings(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let opening = input.parse()?;
        // Where it is must be a township (and community) of the county's table.
        let divisions = self.store().divisions().await?;
        let known = |code: &str| divisions.iter().any(|d| d.code.as_str() == code);
        let mut problems = Vec::new();
        if !known(&opening.township) {
            problems.push((
                "township",
                "所在乡镇（街道）：不是本县的乡镇（街道）".to_owned(),
            ));
        }
        if let Some(c) = &opening.community
            && !known(c)
        {
            problems.push(("community", "所在社区：不是本县登记的社区".to_owned()));
        }
        if !problems.is_empty() {
            return Err(Error::Fields(problems));
        }
        Ok(self.store().add_opening(actor, &opening).await?)
    }

    /// Opens or closes an opening.
    pub async fn set_opening_open(
        &self,
        actor: &Actor,
        id: i64,
        open: bool,
    ) -> Result<Opening, Error> {
        Ok(self.store().set_opening_open(actor, id, open).await?)
    }

    /// The members of the actor's scope an opening suits, best first (2.7): able and willing
    /// to work, of working age, not employed; zero-employment households first among equals.
    pub async fn candidates(&self, actor: &Actor, opening: i64) -> Result<Vec<Candidate>, Error> {
        if !may_read_jobs(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let opening = self.store().opening(actor, opening).await?;
        let facts = opening_facts(&opening);
        let today = self.today();
        let reader = Self::matcher(actor);
        let records = self
            .store()
            .records(&reader, &HouseholdFilter::default())
            .await?;
        let skills = self.skills(&reader).await?;
        let mut out = Vec::new();
        for r in &records {
            let zero = zero_employment(r, today);
            for (person, name, age, member) in seekers(r, &skills, today) {
                if let Some(fit) = match_score(&member, &facts) {
                    out.push(Candidate {
                        person,
                        name,
                        age,
                        capacity: member.capacity,
                        household: r.household.id,
                        number: r.household.fields.number.clone(),
                        community: member.community,
                        zero_employment: zero,
                        fit,
                    });
                }
            }
        }
        out.sort_by(|a, b| {
            (b.fit.score, b.zero_employment, &a.number).cmp(&(
                a.fit.score,
                a.zero_employment,
                &b.number,
            ))
        });
        out.truncate(200);
        self.store()
            .record_audit(
                actor,
                AuditAction::List,
                &format!("job_opening:{}", opening.id),
                &format!("查看岗位匹配人选：{}人（姓名已遮蔽）", out.len()),
            )
            .await?;
        Ok(out)
    }

    /// A household's path off the zero-employment list (2.7): each member able and willing to
    /// work with the open openings that suit them, best first, and its referrals and training.
    pub async fn household_jobs(
        &self,
        actor: &Actor,
        household: HouseholdId,
    ) -> Result<HouseholdJobs, Error> {
        if !may_read_jobs(actor) {
            return Err(StoreError::Forbidden.into());
        }
        // The actor's own read decides whether they may see the household (and records it).
        let seen = self.store().household(actor, household).await?;
        let reader = Self::matcher(actor);
        let record = self.store().household(&reader, household).await?;
        let today = self.today();
        let training = self.store().trainings(actor, Some(household)).await?;
        let mut skills: HashMap<i64, String> = HashMap::new();
        for t in training.iter().filter(|t| t.fields.completed) {
            let s = skills.entry(t.fields.person.0).or_default();
            s.push_str(&t.fields.course);
            s.push(' ');
        }
        let openings = self.store().openings(actor, true).await?;
        let members = seekers(&record, &skills, today)
            .into_iter()
            // Only the members the actor's own view shows.
            .filter(|(person, ..)| seen.members.iter().any(|m| m.id == *person))
            .map(|(person, name, age, member)| {
                let mut fits: Vec<(Opening, Fit)> = openings
                    .iter()
                    .filter_map(|o| match_score(&member, &opening_facts(o)).map(|f| (o.clone(), f)))
                    .collect();
                fits.sort_by(|a, b| b.1.score.cmp(&a.1.score).then(a.0.id.cmp(&b.0.id)));
                MemberMatches {
                    person,
                    name,
                    age,
                    capacity: member.capacity,
                    openings: fits,
                }
            })
            .collect();
        let referrals = self
            .store()
            .referrals(
                actor,
                &ReferralFilter {
                    household: Some(household),
                    ..ReferralFilter::default()
                },
            )
            .await?;
        Ok(HouseholdJobs {
            household,
            number: record.household.fields.number.clone(),
            zero_employment: zero_employment(&record, today),
            members,
            referrals,
            training,
        })
    }

    /// Refers a member to an opening, dated today.
    pub async fn refer(
        &self,
        actor: &Actor,
        opening: &str,
        person: &str,
    ) -> Result<Referral, Error> {
        if !may_refer(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let opening = opening
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| Error::invalid("opening_id", "岗位：请选择岗位"))?;
        let person = person
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| Error::invalid("person_id", "成员：请选择成员"))?;
        Ok(self
            .store()
            .refer(
                actor,
                &NewReferral {
                    opening,
                    person: PersonId(person),
                    referred_on: self.today(),
                },
            )
            .await?)
    }

    /// Records what came of a referral; "hired" records the member employed.
    pub async fn referral_outcome(
        &self,
        actor: &Actor,
        id: i64,
        outcome: &str,
        note: &str,
    ) -> Result<Referral, Error> {
        if !may_refer(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let state = match ReferralState::parse(outcome) {
            Ok(ReferralState::Referred) | Err(_) => {
                return Err(Error::invalid(
                    "outcome",
                    "推荐结果：请选择已录用、未录用或未到岗面试",
                ));
            }
            Ok(s) => s,
        };
        if state == ReferralState::NotHired && note.trim().is_empty() {
            return Err(Error::invalid("note", "原因：未录用须写明原因"));
        }
        Ok(self
            .store()
            .referral_outcome(actor, id, state, note)
            .await?)
    }

    /// The referrals of the actor's scope.
    pub async fn referrals(
        &self,
        actor: &Actor,
        filter: &ReferralFilter,
    ) -> Result<Vec<Referral>, Error> {
        Ok(self.store().referrals(actor, filter).await?)
    }

    /// The training courses recorded in the actor's scope, newest first.
    pub async fn trainings(&self, actor: &Actor) -> Result<Vec<Training>, Error> {
        Ok(self.store().trainings(actor, None).await?)
    }

    /// Records a training course.
    pub async fn record_training(
        &self,
        actor: &Actor,
        input: &TrainingInput,
    ) -> Result<Training, Error> {
        if !may_refer(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let training = input.parse(self.today())?;
        Ok(self.store().record_training(actor, &training).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opening_form_names_each_field_at_fault() {
        let input = OpeningInput {
            employer: "".into(),
            title: "保洁员".into(),
            kind: "job".into(),
            township: "500235101001".into(),
            hours_per_week: "100".into(),
            pay_yuan: "1800".into(),
            places: "2".into(),
            ..OpeningInput::default()
        };
        let Err(Error::Fields(problems)) = input.parse() else {
            panic!("refused");
        };
        let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["employer", "township", "hours_per_week"]);
    }

    #[test]
    fn a_training_cannot_end_before_it_starts() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let input = TrainingInput {
            person: "3".into(),
            course: "电工".into(),
            provider: "县职教中心".into(),
            started_on: "2026-11-10".into(),
            ended_on: "2026-11-01".into(),
            completed: "on".into(),
        };
        assert!(matches!(input.parse(today), Err(Error::Fields(p)) if p[0].0 == "ended_on"));
    }
}

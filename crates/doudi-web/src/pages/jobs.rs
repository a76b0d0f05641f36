//! Employment help (2.7) in the browser and as JSON: the openings (job vacancies and
//! public-welfare posts) with Excel, an opening's page with the members it suits ranked by the
//! matching score and its referrals, a household's path off the zero-employment list (its
//! members' matches, referrals and training), and the referrals list with Excel.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_app::jobs::{Candidate, HouseholdJobs, OpeningInput, TrainingInput};
use doudi_core::HouseholdId;
use doudi_core::jobs::{OpeningKind, ReferralState};
use doudi_store::jobs::{
    Opening, Referral, ReferralFilter, Training, may_record_openings, may_refer,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Chrome, ok, page};
use crate::AppState;
use crate::api::ApiJson;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::extract::{PathParams, QueryPairs};
use crate::forms::FormInput;
use crate::view::Divisions;

struct OpeningRow {
    id: i64,
    employer: String,
    title: String,
    kind: &'static str,
    place: String,
    hours: u32,
    pay: String,
    places: u32,
    skills: String,
    suits: String,
    open: bool,
    referred: i64,
    hired: i64,
}

fn opening_row(o: &Opening, divisions: &Divisions) -> OpeningRow {
    let f = &o.fields;
    let mut suits = Vec::new();
    if f.partial_ok {
        suits.push("部分劳动能力");
    }
    if f.disability_ok {
        suits.push("残疾人");
    }
    OpeningRow {
        id: o.id,
        employer: f.employer.clone(),
        title: f.title.clone(),
        kind: f.kind.label(),
        place: match &f.community {
            Some(c) => divisions.place(c),
            None => divisions
                .get(&f.township)
                .map_or_else(|| f.township.clone(), |d| d.name.clone()),
        },
        hours: f.hours_per_week,
        pay: f.pay.to_string(),
        places: f.places,
        skills: if f.skills.is_empty() {
            "不限".into()
        } else {
            f.skills.clone()
        },
        suits: if suits.is_empty() {
            "—".into()
        } else {
            suits.join("、")
        },
        open: o.open,
        referred: o.referred,
        hired: o.hired,
    }
}

struct ReferralRow {
    id: i64,
    opening: i64,
    opening_title: String,
    person: String,
    household: i64,
    number: String,
    place: String,
    state: &'static str,
    open: bool,
    note: String,
    referred_by: String,
    referred_on: String,
}

fn referral_row(r: &Referral, divisions: &Divisions) -> ReferralRow {
    ReferralRow {
        id: r.id,
        opening: r.opening,
        opening_title: format!("{}（{}）", r.opening_title, r.opening_kind.label()),
        person: r.person_name.clone(),
        household: r.household.0,
        number: r.household_number.clone(),
        place: divisions.place(&r.community),
        state: r.state.label(),
        open: r.state == ReferralState::Referred,
        note: r.note.clone().unwrap_or_default(),
        referred_by: r.referred_by.clone(),
        referred_on: r.referred_on.to_string(),
    }
}

struct Choice {
    code: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "jobs.html")]
struct JobsPage {
    chrome: Chrome,
    rows: Vec<OpeningRow>,
    can_record: bool,
    kinds: Vec<Choice>,
    townships: Vec<Choice>,
    /// Why the opening just sent was refused, in Chinese, naming the fields.
    error: Option<String>,
    /// What was typed, to fill the form again after a refusal.
    typed: OpeningInput,
}

/// Renders the openings page, after a refused opening with its error and what was typed.
async fn render_jobs(
    state: &AppState,
    session: &crate::auth::Session,
    refused: Option<(String, OpeningInput)>,
) -> Result<Response, AppError> {
    let list = state.app.openings(&session.actor, false).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (error, typed) = match refused {
        Some((message, typed)) => (Some(message), typed),
        None => (
            None,
            OpeningInput {
                places: "1".into(),
                ..OpeningInput::default()
            },
        ),
    };
    page(
        status,
        &JobsPage {
            chrome: Chrome::new(session, "就业帮扶", "jobs").here(),
            rows: list.iter().map(|o| opening_row(o, &divisions)).collect(),
            can_record: may_record_openings(&session.actor),
            kinds: OpeningKind::ALL
                .iter()
                .map(|k| Choice {
                    code: k.code().into(),
                    label: k.label().into(),
                    selected: typed.kind == k.code(),
                })
                .collect(),
            townships: divisions
                .townships_in(&doudi_core::Scope::County)
                .map(|d| Choice {
                    code: d.code.to_string(),
                    label: d.name.clone(),
                    selected: typed.township == d.code.as_str(),
                })
                .collect(),
            error,
            typed,
        },
    )
}

/// The openings, open ones first, and the form to record one.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    render_jobs(&state, &session, None).await
}

/// The openings as Excel.
pub(crate) async fn export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let list = state.app.openings(&session.actor, false).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "就业帮扶岗位",
            filter: String::new(),
            headers: vec![
                "岗位编号",
                "用人单位",
                "岗位名称",
                "岗位类型",
                "所在地",
                "每周工时",
                "月薪",
                "招用人数",
                "技能要求",
                "适合",
                "状态",
                "已推荐",
                "已录用",
            ],
            rows: list
                .iter()
                .map(|o| {
                    let r = opening_row(o, &divisions);
                    super::export::text([
                        r.id.to_string(),
                        r.employer,
                        r.title,
                        r.kind.to_owned(),
                        r.place,
                        r.hours.to_string(),
                        r.pay,
                        r.places.to_string(),
                        r.skills,
                        r.suits,
                        if r.open { "招用中" } else { "已关闭" }.to_owned(),
                        r.referred.to_string(),
                        r.hired.to_string(),
                    ])
                })
                .collect(),
        },
    )
    .await
}

fn opening_input(form: &FormInput) -> OpeningInput {
    OpeningInput {
        employer: form.get("employer").to_owned(),
        title: form.get("title").to_owned(),
        kind: form.get("kind").to_owned(),
        township: form.get("township").to_owned(),
        community: form.get("community").to_owned(),
        hours_per_week: form.get("hours_per_week").to_owned(),
        pay_yuan: form.get("pay_yuan").to_owned(),
        places: form.get("places").to_owned(),
        skills: form.get("skills").to_owned(),
        partial_ok: form.get("partial_ok").to_owned(),
        disability_ok: form.get("disability_ok").to_owned(),
    }
}

/// Records an opening from the jobs page.
pub(crate) async fn add(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let input = opening_input(&form);
    match state.app.add_opening(&session.actor, &input).await {
        Ok(o) => Ok(Redirect::to(&format!("/jobs/{}", o.id)).into_response()),
        Err(e) => match AppError::from(e) {
            AppError::Invalid { message, .. } => {
                render_jobs(&state, &session, Some((message, input))).await
            }
            other => Err(other),
        },
    }
}

struct CandidateRow {
    person: i64,
    name: String,
    age: u32,
    capacity: &'static str,
    household: i64,
    number: String,
    place: String,
    zero: bool,
    score: u32,
    reasons: String,
    referred: bool,
}

fn candidate_row(c: &Candidate, divisions: &Divisions, referred: &[Referral]) -> CandidateRow {
    CandidateRow {
        person: c.person.0,
        name: c.name.clone(),
        age: c.age,
        capacity: c.capacity.label(),
        household: c.household.0,
        number: c.number.clone(),
        place: divisions.place(&c.community),
        zero: c.zero_employment,
        score: c.fit.score,
        reasons: c.fit.reasons.join("；"),
        referred: referred.iter().any(|r| r.person == c.person),
    }
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    chrome: Chrome,
    o: OpeningRow,
    candidates: Vec<CandidateRow>,
    referrals: Vec<ReferralRow>,
    can_record: bool,
    can_refer: bool,
}

/// An opening: the members it suits, best first, and its referrals.
pub(crate) async fn detail(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    let actor = &session.actor;
    let opening = state.app.opening(actor, id).await?;
    let candidates = state.app.candidates(actor, id).await?;
    let referrals = state
        .app
        .referrals(
            actor,
            &ReferralFilter {
                opening: Some(id),
                ..ReferralFilter::default()
            },
        )
        .await?;
    let divisions = Divisions::load(state.app.store()).await?;
    ok(&JobPage {
        chrome: Chrome::new(
            &session,
            format!("{}·{}", opening.fields.employer, opening.fields.title),
            "jobs",
        )
        .crumb("就业帮扶", "/jobs")
        .here(),
        o: opening_row(&opening, &divisions),
        candidates: candidates
            .iter()
            .map(|c| candidate_row(c, &divisions, &referrals))
            .collect(),
        referrals: referrals
            .iter()
            .map(|r| referral_row(r, &divisions))
            .collect(),
        can_record: may_record_openings(actor),
        can_refer: may_refer(actor),
    })
}

/// The members an opening suits, best first, as Excel (names masked).
pub(crate) async fn candidates_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    let opening = state.app.opening(&session.actor, id).await?;
    let candidates = state.app.candidates(&session.actor, id).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "岗位匹配人选",
            filter: format!(
                "（岗位{}：{}·{}）",
                opening.id, opening.fields.employer, opening.fields.title
            ),
            headers: vec![
                "匹配分",
                "成员",
                "年龄",
                "劳动能力",
                "户编号",
                "乡镇（街道）社区",
                "零就业家庭",
                "理由",
            ],
            rows: candidates
                .iter()
                .map(|c| {
                    let r = candidate_row(c, &divisions, &[]);
                    super::export::text([
                        r.score.to_string(),
                        r.name,
                        r.age.to_string(),
                        r.capacity.to_owned(),
                        r.number,
                        r.place,
                        if r.zero { "是" } else { "否" }.to_owned(),
                        r.reasons,
                    ])
                })
                .collect(),
        },
    )
    .await
}

/// Opens or closes an opening.
pub(crate) async fn set_open(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    state
        .app
        .set_opening_open(&session.actor, id, form.get("open") == "1")
        .await?;
    Ok(Redirect::to(&format!("/jobs/{id}")).into_response())
}

/// Refers a member to an opening, from the opening's page or a household's matches.
pub(crate) async fn refer(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let r = state
        .app
        .refer(&session.actor, &id.to_string(), form.get("person"))
        .await?;
    let back = match form.get("back") {
        "household" => format!("/jobs/match?household={}", r.household.0),
        _ => format!("/jobs/{id}"),
    };
    Ok(Redirect::to(&back).into_response())
}

struct MemberBlock {
    person: i64,
    name: String,
    age: u32,
    capacity: &'static str,
    openings: Vec<(OpeningRow, u32, String, bool)>,
}

struct TrainingRow {
    person: String,
    course: String,
    provider: String,
    dates: String,
    completed: bool,
}

fn training_row(t: &Training) -> TrainingRow {
    TrainingRow {
        person: t.person_name.clone(),
        course: t.fields.course.clone(),
        provider: t.fields.provider.clone(),
        dates: match t.fields.ended_on {
            Some(e) => format!("{}至{}", t.fields.started_on, e),
            None => format!("{}起", t.fields.started_on),
        },
        completed: t.fields.completed,
    }
}

#[derive(Template)]
#[template(path = "jobs_match.html")]
struct MatchPage {
    chrome: Chrome,
    household: i64,
    number: String,
    zero: bool,
    members: Vec<MemberBlock>,
    referrals: Vec<ReferralRow>,
    training: Vec<TrainingRow>,
    can_refer: bool,
    today: String,
}

fn household_of(query: &[(String, String)]) -> Result<HouseholdId, AppError> {
    query
        .iter()
        .find(|(k, _)| k == "household")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
        .map(HouseholdId)
        .ok_or_else(|| {
            AppError::BadRequest("请从零就业家庭名单选择家庭（网址缺少家庭编号）".into())
        })
}

/// A household's path off the zero-employment list: each member's matches, the referrals and
/// the training.
pub(crate) async fn matches(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    if !doudi_store::jobs::may_read_jobs(&session.actor) {
        return Err(AppError::Forbidden);
    }
    let household = household_of(&query)?;
    let jobs: HouseholdJobs = state.app.household_jobs(&session.actor, household).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let referred = |person: i64, opening: i64| {
        jobs.referrals
            .iter()
            .any(|r| r.person.0 == person && r.opening == opening)
    };
    ok(&MatchPage {
        chrome: Chrome::new(&session, format!("家庭 {} 的就业帮扶", jobs.number), "jobs")
            .crumb("就业帮扶", "/jobs")
            .here(),
        household: household.0,
        number: jobs.number.clone(),
        zero: jobs.zero_employment,
        members: jobs
            .members
            .iter()
            .map(|m| MemberBlock {
                person: m.person.0,
                name: m.name.clone(),
                age: m.age,
                capacity: m.capacity.label(),
                openings: m
                    .openings
                    .iter()
                    .take(10)
                    .map(|(o, fit)| {
                        (
                            opening_row(o, &divisions),
                            fit.score,
                            fit.reasons.join("；"),
                            referred(m.person.0, o.id),
                        )
                    })
                    .collect(),
            })
            .collect(),
        referrals: jobs
            .referrals
            .iter()
            .map(|r| referral_row(r, &divisions))
            .collect(),
        training: jobs.training.iter().map(training_row).collect(),
        can_refer: may_refer(&session.actor),
        today: state.today().to_string(),
    })
}

#[derive(Template)]
#[template(path = "jobs_referrals.html")]
struct ReferralsPage {
    chrome: Chrome,
    referrals: Vec<ReferralRow>,
    can_refer: bool,
}

/// Every referral of the caller's scope, newest first.
pub(crate) async fn referrals(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let list = state
        .app
        .referrals(&session.actor, &ReferralFilter::default())
        .await?;
    let divisions = Divisions::load(state.app.store()).await?;
    ok(&ReferralsPage {
        chrome: Chrome::new(&session, "岗位推荐", "jobs")
            .crumb("就业帮扶", "/jobs")
            .here(),
        referrals: list.iter().map(|r| referral_row(r, &divisions)).collect(),
        can_refer: may_refer(&session.actor),
    })
}

/// The referrals as Excel.
pub(crate) async fn referrals_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let list = state
        .app
        .referrals(&session.actor, &ReferralFilter::default())
        .await?;
    let divisions = Divisions::load(state.app.store()).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "岗位推荐",
            filter: String::new(),
            headers: vec![
                "推荐编号",
                "岗位",
                "成员",
                "户编号",
                "乡镇（街道）社区",
                "推荐日期",
                "推荐人",
                "结果",
                "说明",
            ],
            rows: list
                .iter()
                .map(|r| {
                    let r = referral_row(r, &divisions);
                    super::export::text([
                        r.id.to_string(),
                        r.opening_title,
                        r.person,
                        r.number,
                        r.place,
                        r.referred_on,
                        r.referred_by,
                        r.state.to_owned(),
                        r.note,
                    ])
                })
                .collect(),
        },
    )
    .await
}

/// Records what came of a referral.
pub(crate) async fn outcome(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let r = state
        .app
        .referral_outcome(&session.actor, id, form.get("outcome"), form.get("note"))
        .await?;
    let back = match form.get("back") {
        "household" => format!("/jobs/match?household={}", r.household.0),
        "opening" => format!("/jobs/{}", r.opening),
        _ => "/jobs/referrals".to_owned(),
    };
    Ok(Redirect::to(&back).into_response())
}

fn training_input(form: &FormInput) -> TrainingInput {
    TrainingInput {
        person: form.get("person").to_owned(),
        course: form.get("course").to_owned(),
        provider: form.get("provider").to_owned(),
        started_on: form.get("started_on").to_owned(),
        ended_on: form.get("ended_on").to_owned(),
        completed: form.get("completed").to_owned(),
    }
}

struct TrainingListRow {
    household: i64,
    number: String,
    row: TrainingRow,
}

#[derive(Template)]
#[template(path = "jobs_training.html")]
struct TrainingPage {
    chrome: Chrome,
    rows: Vec<TrainingListRow>,
}

/// Every training course recorded in the caller's scope, newest first.
pub(crate) async fn training_list(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let list = state.app.trainings(&session.actor).await?;
    ok(&TrainingPage {
        chrome: Chrome::new(&session, "培训记录", "jobs")
            .crumb("就业帮扶", "/jobs")
            .here(),
        rows: list
            .iter()
            .map(|t| TrainingListRow {
                household: t.household.0,
                number: t.household_number.clone(),
                row: training_row(t),
            })
            .collect(),
    })
}

/// The training courses as Excel.
pub(crate) async fn training_export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let list = state.app.trainings(&session.actor).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "培训记录",
            filter: String::new(),
            headers: vec!["户编号", "成员", "培训项目", "培训机构", "时间", "结业"],
            rows: list
                .iter()
                .map(|t| {
                    let r = training_row(t);
                    super::export::text([
                        t.household_number.clone(),
                        r.person,
                        r.course,
                        r.provider,
                        r.dates,
                        if r.completed {
                            "已结业"
                        } else {
                            "未结业"
                        }
                        .to_owned(),
                    ])
                })
                .collect(),
        },
    )
    .await
}

/// Records a training course from a household's page.
pub(crate) async fn train(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let t = state
        .app
        .record_training(&session.actor, &training_input(&form))
        .await?;
    Ok(Redirect::to(&format!("/jobs/match?household={}", t.household.0)).into_response())
}

// ---- the JSON API ----

/// An opening.
#[derive(Serialize, ToSchema)]
pub struct OpeningDto {
    /// 岗位编号。
    pub id: i64,
    /// 用人单位。
    pub employer: String,
    /// 岗位名称。
    pub title: String,
    /// 岗位类型代码（job 就业岗位、public_post 公益性岗位）。
    pub kind: String,
    /// 所在乡镇（街道）代码。
    pub township: String,
    /// 所在社区代码，如有。
    pub community: Option<String>,
    /// 每周工时。
    pub hours_per_week: u32,
    /// 月薪（分）。
    pub pay_fen: i64,
    /// 招用人数。
    pub places: u32,
    /// 技能要求（关键词）。
    pub skills: String,
    /// 适合部分劳动能力。
    pub partial_ok: bool,
    /// 适合残疾人。
    pub disability_ok: bool,
    /// 是否招用中。
    pub open: bool,
    /// 已推荐人数。
    pub referred: i64,
    /// 已录用人数。
    pub hired: i64,
}

impl From<&Opening> for OpeningDto {
    fn from(o: &Opening) -> Self {
        let f = &o.fields;
        OpeningDto {
            id: o.id,
            employer: f.employer.clone(),
            title: f.title.clone(),
            kind: f.kind.code().into(),
            township: f.township.clone(),
            community: f.community.clone(),
            hours_per_week: f.hours_per_week,
            pay_fen: f.pay.fen(),
            places: f.places,
            skills: f.skills.clone(),
            partial_ok: f.partial_ok,
            disability_ok: f.disability_ok,
            open: o.open,
            referred: o.referred,
            hired: o.hired,
        }
    }
}

/// A member an opening suits.
#[derive(Serialize, ToSchema)]
pub struct CandidateDto {
    /// 成员ID。
    pub person_id: i64,
    /// 姓名（已遮蔽）。
    pub name: String,
    /// 年龄。
    pub age: u32,
    /// 劳动能力代码。
    pub work_capacity: String,
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 是否零就业家庭。
    pub zero_employment: bool,
    /// 匹配分（0至100）。
    pub score: u32,
    /// 匹配理由。
    pub reasons: Vec<String>,
}

impl From<&Candidate> for CandidateDto {
    fn from(c: &Candidate) -> Self {
        CandidateDto {
            person_id: c.person.0,
            name: c.name.clone(),
            age: c.age,
            work_capacity: c.capacity.code().into(),
            household_id: c.household.0,
            household_number: c.number.clone(),
            zero_employment: c.zero_employment,
            score: c.fit.score,
            reasons: c.fit.reasons.clone(),
        }
    }
}

/// An opening with the members it suits, best first.
#[derive(Serialize, ToSchema)]
pub struct OpeningDetailDto {
    /// 岗位。
    pub opening: OpeningDto,
    /// 匹配人选，按匹配分从高到低。
    pub candidates: Vec<CandidateDto>,
}

/// A referral.
#[derive(Serialize, ToSchema)]
pub struct ReferralDto {
    /// 推荐编号。
    pub id: i64,
    /// 岗位编号。
    pub opening_id: i64,
    /// 用人单位·岗位名称。
    pub opening: String,
    /// 成员ID。
    pub person_id: i64,
    /// 姓名（已遮蔽）。
    pub name: String,
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 结果代码（referred、hired、not_hired、absent）。
    pub state: String,
    /// 未录用原因或说明。
    pub note: Option<String>,
    /// 推荐日期。
    pub referred_on: String,
}

impl From<&Referral> for ReferralDto {
    fn from(r: &Referral) -> Self {
        ReferralDto {
            id: r.id,
            opening_id: r.opening,
            opening: r.opening_title.clone(),
            person_id: r.person.0,
            name: r.person_name.clone(),
            household_id: r.household.0,
            household_number: r.household_number.clone(),
            state: r.state.code().into(),
            note: r.note.clone(),
            referred_on: r.referred_on.to_string(),
        }
    }
}

/// A training course.
#[derive(Serialize, ToSchema)]
pub struct TrainingDto {
    /// 编号。
    pub id: i64,
    /// 成员ID。
    pub person_id: i64,
    /// 姓名（已遮蔽）。
    pub name: String,
    /// 家庭ID。
    pub household_id: i64,
    /// 培训项目。
    pub course: String,
    /// 培训机构。
    pub provider: String,
    /// 开始日期。
    pub started_on: String,
    /// 结束日期。
    pub ended_on: Option<String>,
    /// 是否结业。
    pub completed: bool,
}

impl From<&Training> for TrainingDto {
    fn from(t: &Training) -> Self {
        TrainingDto {
            id: t.id,
            person_id: t.fields.person.0,
            name: t.person_name.clone(),
            household_id: t.household.0,
            course: t.fields.course.clone(),
            provider: t.fields.provider.clone(),
            started_on: t.fields.started_on.to_string(),
            ended_on: t.fields.ended_on.map(|d| d.to_string()),
            completed: t.fields.completed,
        }
    }
}

/// One member's matches.
#[derive(Serialize, ToSchema)]
pub struct MemberMatchesDto {
    /// 成员ID。
    pub person_id: i64,
    /// 姓名（已遮蔽）。
    pub name: String,
    /// 匹配岗位，按匹配分从高到低：岗位编号、匹配分、理由。
    pub openings: Vec<MatchDto>,
}

/// An opening's fit for a member.
#[derive(Serialize, ToSchema)]
pub struct MatchDto {
    /// 岗位编号。
    pub opening_id: i64,
    /// 用人单位·岗位名称。
    pub opening: String,
    /// 匹配分。
    pub score: u32,
    /// 理由。
    pub reasons: Vec<String>,
}

/// A household's path off the zero-employment list.
#[derive(Serialize, ToSchema)]
pub struct HouseholdJobsDto {
    /// 家庭ID。
    pub household_id: i64,
    /// 户编号。
    pub household_number: String,
    /// 今天是否零就业家庭。
    pub zero_employment: bool,
    /// 有劳动能力和就业意愿、尚未就业的成员及其匹配岗位。
    pub members: Vec<MemberMatchesDto>,
    /// 推荐记录。
    pub referrals: Vec<ReferralDto>,
    /// 培训记录。
    pub training: Vec<TrainingDto>,
}

/// An opening to record.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct OpeningRequest {
    /// 用人单位。
    pub employer: String,
    /// 岗位名称。
    pub title: String,
    /// job（就业岗位）或 public_post（公益性岗位）。
    pub kind: String,
    /// 所在乡镇（街道）代码（9位）。
    pub township: String,
    /// 所在社区代码（12位，可选）。
    pub community: String,
    /// 每周工时（1至84）。
    pub hours_per_week: u32,
    /// 月薪（分）。
    pub pay_fen: i64,
    /// 招用人数。
    pub places: u32,
    /// 技能要求（关键词，可选）。
    pub skills: String,
    /// 适合部分劳动能力。
    pub partial_ok: bool,
    /// 适合残疾人。
    pub disability_ok: bool,
}

/// A referral to make.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReferralRequest {
    /// 岗位编号。
    pub opening_id: i64,
    /// 成员ID。
    pub person_id: i64,
}

/// A referral's outcome.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct OutcomeRequest {
    /// hired（已录用，同时登记该成员就业）、not_hired（未录用，须写原因）或 absent（未到岗面试）。
    pub outcome: String,
    /// 原因或说明。
    pub note: String,
}

/// A training course to record.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct TrainingRequest {
    /// 成员ID。
    pub person_id: i64,
    /// 培训项目。
    pub course: String,
    /// 培训机构。
    pub provider: String,
    /// 开始日期。
    pub started_on: String,
    /// 结束日期（可选）。
    pub ended_on: String,
    /// 是否结业。
    pub completed: bool,
}

/// Filters of the referrals list.
// Documents the query string for the OpenAPI document; the handler reads it as pairs.
#[allow(dead_code)]
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    /// 家庭ID。
    pub household: Option<i64>,
    /// 岗位编号。
    pub opening: Option<i64>,
    /// 结果代码。
    pub state: Option<String>,
}

/// The openings, open ones first (2.7).
#[utoipa::path(
    get,
    path = "/api/jobs/openings",
    tag = "jobs",
    responses(
        (status = 200, description = "岗位", body = [OpeningDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_openings(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<OpeningDto>>, AppError> {
    let list = state.app.openings(&session.actor, false).await?;
    Ok(Json(list.iter().map(OpeningDto::from).collect()))
}

/// Records an opening (the human-resources officer and the county approver).
#[utoipa::path(
    post,
    path = "/api/jobs/openings",
    tag = "jobs",
    request_body = OpeningRequest,
    responses(
        (status = 200, description = "已登记", body = OpeningDto),
        (status = 403, description = "无权登记", body = ErrorBody),
        (status = 422, description = "填写有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_add_opening(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<OpeningRequest>,
) -> Result<Json<OpeningDto>, AppError> {
    let pay = doudi_core::Money::from_fen(body.pay_fen);
    let o = state
        .app
        .add_opening(
            &session.actor,
            &OpeningInput {
                employer: body.employer,
                title: body.title,
                kind: body.kind,
                township: body.township,
                community: body.community,
                hours_per_week: body.hours_per_week.to_string(),
                pay_yuan: pay.to_yuan_string(),
                places: body.places.to_string(),
                skills: body.skills,
                partial_ok: body.partial_ok.to_string(),
                disability_ok: body.disability_ok.to_string(),
            },
        )
        .await
        .map_err(|e| match AppError::from(e) {
            // Named as the API's member is.
            AppError::Invalid { message, fields } => {
                let mut renamed = crate::error::FieldErrors::new();
                for (field, problem) in fields.iter() {
                    renamed.add(
                        if field == "pay_yuan" {
                            "pay_fen"
                        } else {
                            field
                        },
                        problem,
                    );
                }
                AppError::Invalid {
                    message,
                    fields: renamed,
                }
            }
            other => other,
        })?;
    Ok(Json(OpeningDto::from(&o)))
}

/// An opening with the members of the caller's scope it suits, best first (2.7).
#[utoipa::path(
    get,
    path = "/api/jobs/openings/{id}",
    tag = "jobs",
    params(("id" = i64, Path, description = "岗位编号")),
    responses(
        (status = 200, description = "岗位与匹配人选", body = OpeningDetailDto),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "不存在", body = ErrorBody),
    )
)]
pub(crate) async fn api_opening(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<OpeningDetailDto>, AppError> {
    let opening = state.app.opening(&session.actor, id).await?;
    let candidates = state.app.candidates(&session.actor, id).await?;
    Ok(Json(OpeningDetailDto {
        opening: OpeningDto::from(&opening),
        candidates: candidates.iter().map(CandidateDto::from).collect(),
    }))
}

/// A household's path off the zero-employment list: members' matches, referrals, training.
#[utoipa::path(
    get,
    path = "/api/jobs/households/{id}",
    tag = "jobs",
    params(("id" = i64, Path, description = "家庭ID")),
    responses(
        (status = 200, description = "匹配岗位、推荐与培训", body = HouseholdJobsDto),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
    )
)]
pub(crate) async fn api_household(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Json<HouseholdJobsDto>, AppError> {
    let j = state
        .app
        .household_jobs(&session.actor, HouseholdId(id))
        .await?;
    Ok(Json(HouseholdJobsDto {
        household_id: id,
        household_number: j.number.clone(),
        zero_employment: j.zero_employment,
        members: j
            .members
            .iter()
            .map(|m| MemberMatchesDto {
                person_id: m.person.0,
                name: m.name.clone(),
                openings: m
                    .openings
                    .iter()
                    .map(|(o, fit)| MatchDto {
                        opening_id: o.id,
                        opening: format!("{}·{}", o.fields.employer, o.fields.title),
                        score: fit.score,
                        reasons: fit.reasons.clone(),
                    })
                    .collect(),
            })
            .collect(),
        referrals: j.referrals.iter().map(ReferralDto::from).collect(),
        training: j.training.iter().map(TrainingDto::from).collect(),
    }))
}

/// The referrals of the caller's scope, newest first.
#[utoipa::path(
    get,
    path = "/api/jobs/referrals",
    tag = "jobs",
    params(ReferralQuery),
    responses(
        (status = 200, description = "岗位推荐", body = [ReferralDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_referrals(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Json<Vec<ReferralDto>>, AppError> {
    let get = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim());
    let filter = ReferralFilter {
        household: get("household")
            .and_then(|v| v.parse().ok())
            .map(HouseholdId),
        opening: get("opening").and_then(|v| v.parse().ok()),
        state: get("state").and_then(|v| ReferralState::parse(v).ok()),
    };
    let list = state.app.referrals(&session.actor, &filter).await?;
    Ok(Json(list.iter().map(ReferralDto::from).collect()))
}

/// Refers a member able and willing to work to an open opening.
#[utoipa::path(
    post,
    path = "/api/jobs/referrals",
    tag = "jobs",
    request_body = ReferralRequest,
    responses(
        (status = 200, description = "已推荐", body = ReferralDto),
        (status = 403, description = "无权推荐", body = ErrorBody),
        (status = 404, description = "成员或岗位不存在或不在工作范围内", body = ErrorBody),
        (status = 409, description = "已推荐过", body = ErrorBody),
        (status = 422, description = "岗位已关闭", body = ErrorBody),
    )
)]
pub(crate) async fn api_refer(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<ReferralRequest>,
) -> Result<Json<ReferralDto>, AppError> {
    let r = state
        .app
        .refer(
            &session.actor,
            &body.opening_id.to_string(),
            &body.person_id.to_string(),
        )
        .await?;
    Ok(Json(ReferralDto::from(&r)))
}

/// Records what came of a referral; "hired" records the member employed (2.7).
#[utoipa::path(
    post,
    path = "/api/jobs/referrals/{id}/outcome",
    tag = "jobs",
    params(("id" = i64, Path, description = "推荐编号")),
    request_body = OutcomeRequest,
    responses(
        (status = 200, description = "已记录", body = ReferralDto),
        (status = 403, description = "无权记录", body = ErrorBody),
        (status = 404, description = "不存在或不在工作范围内", body = ErrorBody),
        (status = 422, description = "结果有误或已有结果", body = ErrorBody),
    )
)]
pub(crate) async fn api_outcome(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    ApiJson(body): ApiJson<OutcomeRequest>,
) -> Result<Json<ReferralDto>, AppError> {
    let r = state
        .app
        .referral_outcome(&session.actor, id, &body.outcome, &body.note)
        .await?;
    Ok(Json(ReferralDto::from(&r)))
}

/// The training courses recorded in the caller's scope, newest first (2.7).
#[utoipa::path(
    get,
    path = "/api/jobs/training",
    tag = "jobs",
    responses(
        (status = 200, description = "培训记录", body = [TrainingDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api_trainings(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<TrainingDto>>, AppError> {
    let list = state.app.trainings(&session.actor).await?;
    Ok(Json(list.iter().map(TrainingDto::from).collect()))
}

/// Records a training course taken by a member.
#[utoipa::path(
    post,
    path = "/api/jobs/training",
    tag = "jobs",
    request_body = TrainingRequest,
    responses(
        (status = 200, description = "已登记", body = TrainingDto),
        (status = 403, description = "无权登记", body = ErrorBody),
        (status = 404, description = "成员不存在或不在工作范围内", body = ErrorBody),
        (status = 422, description = "填写有误", body = ErrorBody),
    )
)]
pub(crate) async fn api_train(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    ApiJson(body): ApiJson<TrainingRequest>,
) -> Result<Json<TrainingDto>, AppError> {
    let t = state
        .app
        .record_training(
            &session.actor,
            &TrainingInput {
                person: body.person_id.to_string(),
                course: body.course,
                provider: body.provider,
                started_on: body.started_on,
                ended_on: body.ended_on,
                completed: body.completed.to_string(),
            },
        )
        .await?;
    Ok(Json(TrainingDto::from(&t)))
}

//! Recording incomes, expenses and assets (add, replace, delete), and the 三清 survey (4.2.a).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_core::{HouseholdId, HouseholdRecord, Survey};
use doudi_store::{FinanceChange, StoreError};

use super::{Chrome, conflict_notice, page, require_writer};
use crate::AppState;
use crate::auth::{CurrentUser, Session};
use crate::dto::{SurveyDto, SurveyInput};
use crate::error::{AppError, FieldErrors};
use crate::extract::{PathParams, QueryPairs};
use crate::forms::{
    FinanceInput, FinanceKind, FormInput, FormPage, finance_sections, survey_dto, survey_sections,
};

fn finance_kind(segment: &str) -> Result<FinanceKind, AppError> {
    [
        FinanceKind::Income,
        FinanceKind::Expense,
        FinanceKind::Asset,
    ]
    .into_iter()
    .find(|k| k.segment() == segment)
    .ok_or(AppError::NotFound)
}

fn chrome(session: &Session, title: &str, record: &HouseholdRecord) -> Chrome {
    Chrome::new(session, title, "households")
        .crumb("家庭档案", "/households")
        .crumb(
            format!("户 {}", record.household.fields.number),
            format!("/households/{}", record.household.id.0),
        )
        .here()
}

fn finance_page(
    session: &Session,
    record: &HouseholdRecord,
    kind: FinanceKind,
    input: &FinanceInput,
    version: i64,
    errors: &FieldErrors,
    problem: Option<String>,
) -> FormPage {
    let id = record.household.id.0;
    let heading = format!("登记{}", kind.label());
    let page = FormPage::new(
        chrome(session, &heading, record),
        heading.clone(),
        format!("/households/{id}/finances/{}/new", kind.segment()),
        finance_sections(kind, input, errors, &record.members),
        "保存",
        format!("/households/{id}#{}", kind.segment()),
    )
    .hidden("version", version);
    match problem {
        Some(p) => page.problem(p),
        None => page,
    }
}

/// The amount already recorded for what the query names, so that "修改" opens a filled form.
fn recorded_amount(record: &HouseholdRecord, kind: FinanceKind, input: &FinanceInput) -> String {
    let person = input.person.parse::<i64>().ok();
    let amount = match kind {
        FinanceKind::Income => record
            .incomes
            .iter()
            .find(|i| {
                Some(i.person.0) == person
                    && i.month.to_string() == input.month
                    && i.kind.code() == input.kind
            })
            .map(|i| i.amount),
        FinanceKind::Expense => record
            .expenses
            .iter()
            .find(|x| {
                Some(x.person.0) == person
                    && x.month.to_string() == input.month
                    && x.kind.code() == input.kind
            })
            .map(|x| x.amount),
        FinanceKind::Asset => record
            .assets
            .iter()
            .find(|a| a.kind.code() == input.kind && a.description == input.description)
            .map(|a| a.value),
    };
    amount.map(|m| m.to_yuan_string()).unwrap_or_default()
}

pub(crate) async fn put_form(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, segment)): PathParams<(i64, String)>,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let kind = finance_kind(&segment)?;
    require_writer(&session)?;
    let record = state
        .app
        .store()
        .household(&session.actor, HouseholdId(id))
        .await?;
    let mut input = FinanceInput::from_form(&FormInput(query));
    if input.month.is_empty() && kind != FinanceKind::Asset {
        input.month = doudi_core::Month::of(state.today()).to_string();
    }
    input.amount = recorded_amount(&record, kind, &input);
    let version = record.household.version;
    let page = finance_page(
        &session,
        &record,
        kind,
        &input,
        version,
        &FieldErrors::new(),
        None,
    );
    super::ok(&page)
}

/// The status and message of a store error a form can show; other errors propagate.
fn form_problem(e: StoreError) -> Result<(StatusCode, String), AppError> {
    match e {
        StoreError::Conflict { expected, current } => Ok((
            StatusCode::CONFLICT,
            conflict_notice(expected, current, false),
        )),
        StoreError::Duplicate(m) => Ok((StatusCode::CONFLICT, m)),
        StoreError::Invalid(m) => Ok((StatusCode::UNPROCESSABLE_ENTITY, m)),
        e => Err(e.into()),
    }
}

pub(crate) async fn put(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, segment)): PathParams<(i64, String)>,
    form: FormInput,
) -> Result<Response, AppError> {
    let kind = finance_kind(&segment)?;
    let version = form.version()?;
    let input = FinanceInput::from_form(&form);
    let parsed = input
        .put(kind)
        .and_then(|dto| FinanceChange::try_from(&dto));
    let (status, errors, problem) = match parsed {
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors, None),
        Ok(change) => {
            let household = HouseholdId(id);
            match state
                .app
                .store()
                .change_finances(&session.actor, household, version, &change)
                .await
            {
                Ok(_) => {
                    let to = format!("/households/{id}#{}", kind.segment());
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(e) => {
                    let (status, problem) = form_problem(e)?;
                    (status, FieldErrors::new(), Some(problem))
                }
            }
        }
    };
    let record = state
        .app
        .store()
        .household(&session.actor, HouseholdId(id))
        .await?;
    let version = if status == StatusCode::CONFLICT {
        record.household.version
    } else {
        version
    };
    page(
        status,
        &finance_page(&session, &record, kind, &input, version, &errors, problem),
    )
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, segment)): PathParams<(i64, String)>,
    form: FormInput,
) -> Result<Response, AppError> {
    let kind = finance_kind(&segment)?;
    let version = form.version()?;
    let change = FinanceInput::from_form(&form)
        .delete(kind)
        .and_then(|dto| FinanceChange::try_from(&dto))
        .map_err(|_| AppError::BadRequest("要删除的记录无法识别，请返回并刷新页面后重试".into()))?;
    // A conflict here has no typed input to keep: the error page says so and links back.
    state
        .app
        .store()
        .change_finances(&session.actor, HouseholdId(id), version, &change)
        .await?;
    Ok(Redirect::to(&format!("/households/{id}#{}", kind.segment())).into_response())
}

fn survey_page(
    session: &Session,
    record: &HouseholdRecord,
    input: &SurveyDto,
    version: i64,
    errors: &FieldErrors,
    problem: Option<String>,
) -> FormPage {
    let id = record.household.id.0;
    let page = FormPage::new(
        chrome(session, "记录三清调查", record),
        "记录三清调查",
        format!("/households/{id}/surveys/new"),
        survey_sections(input, errors),
        "保存调查",
        format!("/households/{id}#survey"),
    )
    .intro("入户调查，做到家庭情况清、致贫原因清、帮扶需求清（4.2.a）。新的调查不会覆盖以往记录。")
    .hidden("version", version);
    match problem {
        Some(p) => page.problem(p),
        None => page,
    }
}

pub(crate) async fn survey_form(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    require_writer(&session)?;
    let record = state
        .app
        .store()
        .household(&session.actor, HouseholdId(id))
        .await?;
    let input = SurveyDto {
        surveyed_by: session.user.display_name.clone(),
        surveyed_on: state.today().to_string(),
        ..SurveyDto::default()
    };
    let page = survey_page(
        &session,
        &record,
        &input,
        record.household.version,
        &FieldErrors::new(),
        None,
    );
    super::ok(&page)
}

pub(crate) async fn record_survey(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let version = form.version()?;
    let input = survey_dto(&form);
    let (status, errors, problem) = match Survey::try_from(SurveyInput {
        dto: &input,
        today: state.today(),
    }) {
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors, None),
        Ok(survey) => {
            let household = HouseholdId(id);
            match state
                .app
                .store()
                .record_survey(&session.actor, household, version, &survey)
                .await
            {
                Ok(_) => {
                    return Ok(Redirect::to(&format!("/households/{id}#survey")).into_response());
                }
                Err(e) => {
                    let (status, problem) = form_problem(e)?;
                    (status, FieldErrors::new(), Some(problem))
                }
            }
        }
    };
    let record = state
        .app
        .store()
        .household(&session.actor, HouseholdId(id))
        .await?;
    let version = if status == StatusCode::CONFLICT {
        record.household.version
    } else {
        version
    };
    page(
        status,
        &survey_page(&session, &record, &input, version, &errors, problem),
    )
}

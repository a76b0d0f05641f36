//! Adding, editing and removing members of a household.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_core::{HouseholdId, HouseholdRecord, Person, PersonFields, PersonId, Relation};
use doudi_store::StoreError;

use super::{Chrome, conflict_notice, page, require_writer};
use crate::AppState;
use crate::auth::{CurrentUser, Session};
use crate::dto::{PersonFieldsDto, PersonInput};
use crate::error::{AppError, FieldErrors};
use crate::extract::PathParams;
use crate::forms::{FormInput, FormPage, person_dto, person_sections, reason_sections};

fn chrome(session: &Session, title: &str, record: &HouseholdRecord) -> Chrome {
    Chrome::new(session, title, "households")
        .crumb("家庭档案", "/households")
        .crumb(
            format!("户 {}", record.household.fields.number),
            format!("/households/{}", record.household.id.0),
        )
        .here()
}

fn member(record: &HouseholdRecord, person: i64) -> Result<&Person, AppError> {
    record
        .members
        .iter()
        .find(|p| p.id.0 == person)
        .ok_or(AppError::NotFound)
}

/// Where to go after a change to members.
fn back_to_members(household: i64) -> Response {
    Redirect::to(&format!("/households/{household}#members")).into_response()
}

struct MemberForm<'a> {
    action: String,
    heading: &'static str,
    version: i64,
    input: &'a PersonFieldsDto,
    errors: &'a FieldErrors,
    stored: Option<&'a PersonFieldsDto>,
    problem: Option<String>,
}

fn member_page(session: &Session, record: &HouseholdRecord, form: MemberForm<'_>) -> FormPage {
    let sections = person_sections("", form.input, form.errors, form.stored, true);
    let page = FormPage::new(
        chrome(session, form.heading, record),
        form.heading,
        form.action,
        sections,
        "保存",
        format!("/households/{}#members", record.household.id.0),
    )
    .hidden("version", form.version);
    match form.problem {
        Some(p) => page.problem(p),
        None => page,
    }
}

fn parse(input: &PersonFieldsDto, today: chrono::NaiveDate) -> Result<PersonFields, FieldErrors> {
    PersonFields::try_from(PersonInput { dto: input, today })
}

/// The status and message of a store error a member form can show; other errors propagate.
fn form_problem(e: StoreError, with_stored: bool) -> Result<(StatusCode, String), AppError> {
    match e {
        StoreError::Conflict { expected, current } => Ok((
            StatusCode::CONFLICT,
            conflict_notice(expected, current, with_stored),
        )),
        StoreError::Duplicate(m) => Ok((StatusCode::CONFLICT, m)),
        StoreError::Invalid(m) => Ok((StatusCode::UNPROCESSABLE_ENTITY, m)),
        e => Err(e.into()),
    }
}

pub(crate) async fn new_form(
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
    let input = PersonFieldsDto {
        self_care: "full".into(),
        insurance: "resident".into(),
        ..PersonFieldsDto::default()
    };
    let form = MemberForm {
        action: format!("/households/{id}/members/new"),
        heading: "添加成员",
        version: record.household.version,
        input: &input,
        errors: &FieldErrors::new(),
        stored: None,
        problem: None,
    };
    super::ok(&member_page(&session, &record, form))
}

pub(crate) async fn add(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let version = form.version()?;
    let input = person_dto(&form, "");
    let (status, errors, problem) = match parse(&input, state.today()) {
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors, None),
        Ok(fields) => {
            match state
                .app
                .store()
                .add_member(&session.actor, HouseholdId(id), version, &fields)
                .await
            {
                Ok(_) => return Ok(back_to_members(id)),
                Err(e) => {
                    let (status, problem) = form_problem(e, false)?;
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
    let form = MemberForm {
        action: format!("/households/{id}/members/new"),
        heading: "添加成员",
        // After a conflict the next attempt is based on what is stored now.
        version: if status == StatusCode::CONFLICT {
            record.household.version
        } else {
            version
        },
        input: &input,
        errors: &errors,
        stored: None,
        problem,
    };
    page(status, &member_page(&session, &record, form))
}

pub(crate) async fn edit_form(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, person)): PathParams<(i64, i64)>,
) -> Result<Response, AppError> {
    require_writer(&session)?;
    let record = state
        .app
        .store()
        .household(&session.actor, HouseholdId(id))
        .await?;
    // Identifiers are shown masked here too; sent back unchanged, they keep the stored values.
    let input = PersonFieldsDto::for_editing(&member(&record, person)?.fields);
    let form = MemberForm {
        action: format!("/households/{id}/members/{person}/edit"),
        heading: "修改成员信息",
        version: record.household.version,
        input: &input,
        errors: &FieldErrors::new(),
        stored: None,
        problem: None,
    };
    super::ok(&member_page(&session, &record, form))
}

pub(crate) async fn update(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, person)): PathParams<(i64, i64)>,
    form: FormInput,
) -> Result<Response, AppError> {
    let version = form.version()?;
    let input = person_dto(&form, "");
    // The member must belong to the household of the address, whatever its id says; an
    // identity number or phone left as it was shown (masked) keeps the stored value.
    let record = state
        .app
        .store()
        .household(&session.actor, HouseholdId(id))
        .await?;
    let mut unmasked = input.clone();
    unmasked.keep_unchanged(&member(&record, person)?.fields);
    let (status, errors, problem) = match parse(&unmasked, state.today()) {
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors, None),
        Ok(fields) => {
            match state
                .app
                .store()
                .update_member(&session.actor, PersonId(person), version, &fields)
                .await
            {
                Ok(_) => return Ok(back_to_members(id)),
                Err(e) => {
                    let (status, problem) = form_problem(e, true)?;
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
    let stored = PersonFieldsDto::for_editing(&member(&record, person)?.fields);
    let conflict = status == StatusCode::CONFLICT && record.household.version != version;
    let form = MemberForm {
        action: format!("/households/{id}/members/{person}/edit"),
        heading: "修改成员信息",
        version: if conflict {
            record.household.version
        } else {
            version
        },
        input: &input,
        errors: &errors,
        stored: conflict.then_some(&stored),
        problem,
    };
    page(status, &member_page(&session, &record, form))
}

fn remove_page(
    session: &Session,
    record: &HouseholdRecord,
    person: &Person,
    version: i64,
    reason: &str,
    errors: &FieldErrors,
    problem: Option<String>,
) -> FormPage {
    let id = record.household.id.0;
    let mut intro = format!(
        "将从本户移除成员 {}（{}，身份证号 {}）。移除及原因将记入变更历史。",
        person.fields.name.masked(),
        person.fields.relation.label(),
        person.fields.id_number.masked()
    );
    if person.fields.relation == Relation::Head && record.members.len() > 1 {
        intro.push_str("该成员是户主：请先将其他成员改为户主，再移除。");
    }
    let page = FormPage::new(
        chrome(session, "移除成员", record),
        "移除成员",
        format!("/households/{id}/members/{}/remove", person.id.0),
        reason_sections(reason, errors),
        "确认移除",
        format!("/households/{id}#members"),
    )
    .intro(intro)
    .danger()
    .hidden("version", version);
    match problem {
        Some(p) => page.problem(p),
        None => page,
    }
}

pub(crate) async fn remove_form(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, person)): PathParams<(i64, i64)>,
) -> Result<Response, AppError> {
    require_writer(&session)?;
    let record = state
        .app
        .store()
        .household(&session.actor, HouseholdId(id))
        .await?;
    let p = member(&record, person)?;
    let page = remove_page(
        &session,
        &record,
        p,
        record.household.version,
        "",
        &FieldErrors::new(),
        None,
    );
    super::ok(&page)
}

pub(crate) async fn remove(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams((id, person)): PathParams<(i64, i64)>,
    form: FormInput,
) -> Result<Response, AppError> {
    let version = form.version()?;
    let reason = form.get("reason").trim().to_owned();
    let record = state
        .app
        .store()
        .household(&session.actor, HouseholdId(id))
        .await?;
    member(&record, person)?;
    let mut errors = FieldErrors::new();
    if reason.is_empty() {
        errors.add("reason", "请填写移除原因");
    } else if reason.chars().count() > 200 {
        errors.add("reason", "原因过长（最多200个字）");
    }
    let (status, problem) = if !errors.is_empty() {
        (StatusCode::UNPROCESSABLE_ENTITY, None)
    } else {
        match state
            .app
            .store()
            .remove_member(&session.actor, PersonId(person), version, &reason)
            .await
        {
            Ok(_) => return Ok(back_to_members(id)),
            Err(e) => {
                let (status, problem) = form_problem(e, false)?;
                (status, Some(problem))
            }
        }
    };
    let record = state
        .app
        .store()
        .household(&session.actor, HouseholdId(id))
        .await?;
    let p = member(&record, person)?;
    let version = if status == StatusCode::CONFLICT {
        record.household.version
    } else {
        version
    };
    page(
        status,
        &remove_page(&session, &record, p, version, &reason, &errors, problem),
    )
}

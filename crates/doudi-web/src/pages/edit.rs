//! Filing a new household and editing a household's fields.
//!
//! Every field is parsed into its domain type; whatever is wrong is shown beside its field and
//! the form comes back with everything the caseworker typed. Edits carry the version they were
//! based on: if someone else saved first, the form comes back with the message, the caseworker's
//! input, and beside each field the value now stored, never overwriting silently.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_core::{HouseholdFields, HouseholdId, NewHousehold};
use doudi_store::StoreError;

use super::{Chrome, page, require_writer};
use crate::AppState;
use crate::auth::{CurrentUser, Session};
use crate::dto::{HouseholdFieldsDto, NewHouseholdDto, NewHouseholdInput, PersonFieldsDto};
use crate::error::{AppError, FieldErrors};
use crate::extract::PathParams;
use crate::forms::{
    FormInput, FormPage, HouseholdFormContext, household_dto, household_sections, person_dto,
    person_sections,
};
use crate::view::Divisions;

/// The prefix of the head of household's fields on the new-household form.
const HEAD: &str = "head_";

struct NewForm<'a> {
    household: &'a HouseholdFieldsDto,
    head: &'a PersonFieldsDto,
    household_errors: &'a FieldErrors,
    head_errors: &'a FieldErrors,
    problems: Vec<String>,
}

fn new_page(session: &Session, divisions: &Divisions, form: NewForm<'_>) -> FormPage {
    let ctx = HouseholdFormContext {
        divisions,
        scope: &session.actor.scope,
        with_exit: false,
    };
    let mut sections = household_sections(form.household, form.household_errors, None, &ctx);
    sections.extend(person_sections(
        HEAD,
        form.head,
        form.head_errors,
        None,
        false,
    ));
    let chrome = Chrome::new(session, "新建家庭档案", "new")
        .crumb("家庭档案", "/households")
        .here();
    let mut page = FormPage::new(
        chrome,
        "新建家庭档案",
        "/households/new",
        sections,
        "保存档案",
        "/households",
    )
    .intro("先登记家庭和户主；保存后可在家庭页面添加其他成员、收入、财产和三清调查。");
    for p in form.problems {
        page = page.problem(p);
    }
    page
}

pub(crate) async fn new_form(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    require_writer(&session)?;
    let divisions = Divisions::load(state.app.store()).await?;
    let household = HouseholdFieldsDto {
        township: Divisions::scope_township(&session.actor.scope)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        enrolled_on: state.today().to_string(),
        ..HouseholdFieldsDto::default()
    };
    // Most members look after themselves and hold resident insurance; the form starts there.
    let head = PersonFieldsDto {
        relation: "head".into(),
        self_care: "full".into(),
        insurance: "resident".into(),
        ..PersonFieldsDto::default()
    };
    let none = FieldErrors::new();
    let form = NewForm {
        household: &household,
        head: &head,
        household_errors: &none,
        head_errors: &none,
        problems: Vec::new(),
    };
    super::ok(&new_page(&session, &divisions, form))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let household = household_dto(&form);
    let head = PersonFieldsDto {
        relation: "head".into(),
        ..person_dto(&form, HEAD)
    };
    let dto = NewHouseholdDto {
        fields: household,
        members: vec![head],
        ..NewHouseholdDto::default()
    };
    let today = state.today();
    let (status, household_errors, head_errors, problems) =
        match NewHousehold::try_from(NewHouseholdInput { dto: &dto, today }) {
            Err(errors) => {
                let (h, p, rest) = split_errors(&errors);
                (StatusCode::UNPROCESSABLE_ENTITY, h, p, rest)
            }
            Ok(new) => match state
                .app
                .store()
                .create_household(&session.actor, &new)
                .await
            {
                Ok(id) => return Ok(Redirect::to(&format!("/households/{}", id.0)).into_response()),
                Err(e @ (StoreError::Duplicate(_) | StoreError::Invalid(_))) => {
                    let status = match e {
                        StoreError::Duplicate(_) => StatusCode::CONFLICT,
                        _ => StatusCode::UNPROCESSABLE_ENTITY,
                    };
                    (
                        status,
                        FieldErrors::new(),
                        FieldErrors::new(),
                        vec![e.to_string()],
                    )
                }
                Err(StoreError::Forbidden) => (
                    StatusCode::FORBIDDEN,
                    FieldErrors::new(),
                    FieldErrors::new(),
                    vec![AppError::Forbidden.message()],
                ),
                Err(e) => return Err(e.into()),
            },
        };
    let divisions = Divisions::load(state.app.store()).await?;
    let form = NewForm {
        household: &dto.fields,
        head: &dto.members[0],
        household_errors: &household_errors,
        head_errors: &head_errors,
        problems,
    };
    page(status, &new_page(&session, &divisions, form))
}

/// Splits the errors of a new household by where the form shows them: household fields, the
/// head's fields, and the rest (shown at the top).
fn split_errors(errors: &FieldErrors) -> (FieldErrors, FieldErrors, Vec<String>) {
    let mut household = FieldErrors::new();
    let mut head = FieldErrors::new();
    let mut rest = Vec::new();
    for (field, message) in errors.iter() {
        if let Some(f) = field.strip_prefix("fields.") {
            household.add(f, message);
        } else if let Some(f) = field.strip_prefix("members[0].") {
            head.add(f, message);
        } else {
            rest.push(message.to_owned());
        }
    }
    (household, head, rest)
}

struct EditForm<'a> {
    id: i64,
    version: i64,
    input: &'a HouseholdFieldsDto,
    errors: &'a FieldErrors,
    stored: Option<&'a HouseholdFieldsDto>,
    problem: Option<String>,
}

fn edit_page(session: &Session, divisions: &Divisions, form: EditForm<'_>) -> FormPage {
    let ctx = HouseholdFormContext {
        divisions,
        scope: &session.actor.scope,
        with_exit: true,
    };
    let sections = household_sections(form.input, form.errors, form.stored, &ctx);
    let back = format!("/households/{}", form.id);
    let chrome = Chrome::new(session, "修改家庭信息", "households")
        .crumb("家庭档案", "/households")
        .crumb(format!("户 {}", form.input.number), back.clone())
        .here();
    let page = FormPage::new(
        chrome,
        "修改家庭信息",
        format!("/households/{}/edit", form.id),
        sections,
        "保存修改",
        back,
    )
    .hidden("version", form.version);
    match form.problem {
        Some(p) => page.problem(p),
        None => page,
    }
}

pub(crate) async fn edit_form(
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
    let divisions = Divisions::load(state.app.store()).await?;
    // Identifiers are shown masked here too; sent back unchanged, they keep the stored values.
    let input = HouseholdFieldsDto::for_editing(&record.household.fields);
    let form = EditForm {
        id,
        version: record.household.version,
        input: &input,
        errors: &FieldErrors::new(),
        stored: None,
        problem: None,
    };
    super::ok(&edit_page(&session, &divisions, form))
}

pub(crate) async fn update(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let version = form.version()?;
    let input = household_dto(&form);
    // A phone or account left as it was shown (masked) keeps the stored value.
    let stored = state
        .app
        .store()
        .household(&session.actor, HouseholdId(id))
        .await?;
    let mut unmasked = input.clone();
    unmasked.keep_unchanged(&stored.household.fields);
    let fields = match HouseholdFields::try_from(&unmasked) {
        Ok(fields) => fields,
        Err(errors) => {
            let divisions = Divisions::load(state.app.store()).await?;
            let form = EditForm {
                id,
                version,
                input: &input,
                errors: &errors,
                stored: None,
                problem: None,
            };
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &edit_page(&session, &divisions, form),
            );
        }
    };
    let result = state
        .app
        .store()
        .update_household(&session.actor, HouseholdId(id), version, &fields)
        .await;
    let (status, problem) = match result {
        Ok(_) => return Ok(Redirect::to(&format!("/households/{id}")).into_response()),
        Err(StoreError::Conflict { expected, current }) => (
            StatusCode::CONFLICT,
            super::conflict_notice(expected, current, true),
        ),
        Err(e @ StoreError::Duplicate(_)) => (StatusCode::CONFLICT, e.to_string()),
        Err(e @ StoreError::Invalid(_)) => (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
        Err(e) => return Err(e.into()),
    };
    // Show what is stored now beside the caseworker's input, and base a new attempt on it.
    let record = state
        .app
        .store()
        .household(&session.actor, HouseholdId(id))
        .await?;
    let stored = HouseholdFieldsDto::for_editing(&record.household.fields);
    let conflict = record.household.version != version;
    let divisions = Divisions::load(state.app.store()).await?;
    let form = EditForm {
        id,
        version: record.household.version,
        input: &input,
        errors: &FieldErrors::new(),
        stored: conflict.then_some(&stored),
        problem: Some(problem),
    };
    page(status, &edit_page(&session, &divisions, form))
}

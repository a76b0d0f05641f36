//! Account management for administrators (5.1): the list of accounts, creating one with its
//! role, scope and department, changing those, disabling and enabling, and resetting a password
//! (which must then be changed at the next login). Every change is made, checked and audited by
//! the store, and ends the account's sessions.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doudi_app::accounts::{NewAccount, password_problem};
use doudi_core::{Department, DivisionCode, Role, Scope};
use doudi_store::{AccountChange, StoreError, UserRecord};

use super::{Chrome, ok, page};
use crate::AppState;
use crate::auth::{CurrentUser, Session};
use crate::error::{AppError, FieldErrors};
use crate::extract::{PathParams, QueryPairs};
use crate::forms::{
    AccountInput, FormInput, FormPage, account_sections, temporary_password_sections,
};
use crate::view::{Divisions, china_time};

struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    scope: String,
    status: String,
    disabled: bool,
    is_self: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserRow>,
    notice: Option<&'static str>,
}

fn role_label(u: &UserRecord) -> String {
    match u.department {
        Some(d) => format!("{}（{}）", u.role.label(), d.label()),
        None => u.role.label().to_owned(),
    }
}

/// The accounts, with what each may do and whether it can log in.
pub(crate) async fn list(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(query): QueryPairs,
) -> Result<Response, AppError> {
    let users = state.app.store().users(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    let now = state.now();
    let notice = query
        .iter()
        .find(|(k, _)| k == "done")
        .map(|(_, v)| match v.as_str() {
            "created" => "账户已创建；请将临时密码告知本人，首次登录时须修改。",
            "changed" => "已保存；该账户的登录已全部结束，下次登录即按新的角色与范围。",
            "reset" => "密码已重置；该账户的登录已全部结束，下次登录须修改密码。",
            "disabled" => "账户已停用，其登录已全部结束。",
            "enabled" => "账户已启用。",
            _ => "已保存。",
        });
    let rows = users
        .iter()
        .map(|u| UserRow {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: role_label(u),
            scope: match &u.scope {
                Scope::County => "全县".to_owned(),
                Scope::Division(code) => divisions.name(code).to_owned(),
            },
            status: if u.disabled {
                "已停用".to_owned()
            } else if let Some(until) = u.locked_at(now) {
                format!("登录锁定至{}", china_time(until))
            } else if u.must_change_password {
                "待修改初始密码".to_owned()
            } else {
                "正常".to_owned()
            },
            disabled: u.disabled,
            is_self: u.id == session.user.id,
        })
        .collect();
    ok(&UsersPage {
        chrome: Chrome::new(&session, "账户管理", "users").here(),
        users: rows,
        notice,
    })
}

/// The role, scope and department of a form, or what is wrong with them.
fn assignment(input: &AccountInput) -> Result<(Role, Scope, Option<Department>), FieldErrors> {
    let mut errors = FieldErrors::new();
    let role = Role::parse(&input.role).ok().filter(|r| *r != Role::System);
    if role.is_none() {
        errors.add("role", "请选择角色");
    }
    let scope = if input.scope.is_empty() {
        Some(Scope::County)
    } else {
        match DivisionCode::parse(&input.scope) {
            Ok(code) => Some(Scope::Division(code)),
            Err(e) => {
                errors.add("scope", e.to_string());
                None
            }
        }
    };
    let department = if input.department.is_empty() {
        Some(None)
    } else {
        match Department::parse(&input.department) {
            Ok(d) => Some(Some(d)),
            Err(e) => {
                errors.add("department", e.to_string());
                None
            }
        }
    };
    match (role, scope, department) {
        (Some(role), Some(scope), Some(department)) => {
            if let Err(message) = role.check_assignment(&scope, department) {
                let field = if message.contains("部门") {
                    "department"
                } else {
                    "scope"
                };
                errors.add(field, message);
                return Err(errors);
            }
            Ok((role, scope, department))
        }
        _ => Err(errors),
    }
}

/// The temporary password of a form, when the rules accept it and it was typed twice alike;
/// otherwise what is wrong goes into `errors`.
fn temporary_password(form: &FormInput, errors: &mut FieldErrors) -> Option<String> {
    let password = form.get("password");
    if let Some(problem) = password_problem(password, "临时密码") {
        errors.add("password", problem);
    }
    if form.get("confirm") != password {
        errors.add("confirm", "两次输入的临时密码不一致");
    }
    errors.is_empty().then(|| password.to_owned())
}

async fn account_form(
    state: &AppState,
    session: &Session,
    target: Option<&UserRecord>,
    input: &AccountInput,
    errors: &FieldErrors,
    problem: Option<String>,
) -> Result<Response, AppError> {
    let divisions = Divisions::load(state.app.store()).await?;
    let (title, action, submit) = match target {
        None => (
            "新建账户".to_owned(),
            "/admin/users/new".to_owned(),
            "创建账户",
        ),
        Some(u) => (
            format!("修改角色与范围：{}（{}）", u.display_name, u.username),
            format!("/admin/users/{}", u.id),
            "保存",
        ),
    };
    let mut form = FormPage::new(
        Chrome::new(session, title.clone(), "users")
            .crumb("账户管理", "/admin/users")
            .here(),
        &title,
        &action,
        account_sections(input, &divisions, errors, target.is_none()),
        submit,
        "/admin/users",
    );
    if target.is_some() {
        form = form.intro("保存后，该账户的登录将全部结束，下次登录即按新的角色与范围。");
    }
    if let Some(p) = problem {
        form = form.problem(p);
    }
    let status = if errors.is_empty() && form.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page(status, &form)
}

/// The form for a new account.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let input = AccountInput {
        role: Role::TownshipCaseworker.code().into(),
        ..Default::default()
    };
    account_form(&state, &session, None, &input, &FieldErrors::new(), None).await
}

/// Creates an account.
pub(crate) async fn create(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    form: FormInput,
) -> Result<Response, AppError> {
    let input = AccountInput::from_form(&form);
    let mut errors = FieldErrors::new();
    if input.username.is_empty() {
        errors.add("username", "请填写登录名");
    }
    if input.display_name.is_empty() {
        errors.add("display_name", "请填写姓名");
    }
    let assigned = assignment(&input).map_err(|e| e.iter().for_each(|(f, m)| errors.add(f, m)));
    let password = temporary_password(&form, &mut errors);
    let (Ok((role, scope, department)), Some(password), true) =
        (assigned, password, errors.is_empty())
    else {
        return account_form(&state, &session, None, &input, &errors, None).await;
    };
    let new = NewAccount {
        username: input.username.clone(),
        display_name: input.display_name.clone(),
        role,
        scope,
        department,
        password,
    };
    match state.app.create_user(&session.actor, new).await {
        Ok(_) => Ok(Redirect::to("/admin/users?done=created").into_response()),
        Err(doudi_app::Error::Store(StoreError::Duplicate(m) | StoreError::Invalid(m))) => {
            account_form(&state, &session, None, &input, &errors, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn target(state: &AppState, id: i64) -> Result<UserRecord, AppError> {
    state
        .app
        .store()
        .user_by_id(id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The form that changes an account's role, scope and department.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    let user = target(&state, id).await?;
    let input = AccountInput {
        role: user.role.code().into(),
        scope: user.scope.prefix().into(),
        department: user
            .department
            .map(|d| d.code().to_owned())
            .unwrap_or_default(),
        ..Default::default()
    };
    account_form(
        &state,
        &session,
        Some(&user),
        &input,
        &FieldErrors::new(),
        None,
    )
    .await
}

/// Changes an account's role, scope and department.
pub(crate) async fn update(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let user = target(&state, id).await?;
    let input = AccountInput::from_form(&form);
    let (role, scope, department) = match assignment(&input) {
        Ok(a) => a,
        Err(errors) => {
            return account_form(&state, &session, Some(&user), &input, &errors, None).await;
        }
    };
    let change = AccountChange::Assign {
        role,
        scope,
        department,
    };
    match state
        .app
        .store()
        .change_user(&session.actor, id, &change)
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/users?done=changed").into_response()),
        Err(StoreError::Invalid(m)) => {
            account_form(
                &state,
                &session,
                Some(&user),
                &input,
                &FieldErrors::new(),
                Some(m),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Disables an account (and ends its sessions).
pub(crate) async fn disable(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    state
        .app
        .store()
        .change_user(&session.actor, id, &AccountChange::Disable)
        .await?;
    Ok(Redirect::to("/admin/users?done=disabled").into_response())
}

/// Enables an account again (and lifts a lockout).
pub(crate) async fn enable(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    state
        .app
        .store()
        .change_user(&session.actor, id, &AccountChange::Enable)
        .await?;
    Ok(Redirect::to("/admin/users?done=enabled").into_response())
}

fn reset_page(session: &Session, user: &UserRecord, errors: &FieldErrors) -> FormPage {
    let title = format!("重置密码：{}（{}）", user.display_name, user.username);
    FormPage::new(
        Chrome::new(session, title.clone(), "users")
            .crumb("账户管理", "/admin/users")
            .here(),
        &title,
        format!("/admin/users/{}/password", user.id),
        temporary_password_sections(errors),
        "重置密码",
        "/admin/users",
    )
    .intro("重置后，该账户的登录将全部结束，并解除登录锁定；本人下次登录时须修改这一临时密码。")
}

/// The form that resets an account's password.
pub(crate) async fn reset_form(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    let user = target(&state, id).await?;
    ok(&reset_page(&session, &user, &FieldErrors::new()))
}

/// Resets an account's password to a temporary one.
pub(crate) async fn reset(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let user = target(&state, id).await?;
    let mut errors = FieldErrors::new();
    let Some(password) = temporary_password(&form, &mut errors) else {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &reset_page(&session, &user, &errors),
        );
    };
    state
        .app
        .reset_password(&session.actor, id, &password)
        .await?;
    Ok(Redirect::to("/admin/users?done=reset").into_response())
}

//! Accounts through the pages and the API: the lockout after failed logins, idle and absolute
//! session expiry, logging out everywhere, the administrator's account pages, what a department
//! officer and a paired cadre see, and refused reads in the audit trail.

use axum::http::{Method, StatusCode};
use chrono::TimeDelta;
use doudi_core::{Department, DivisionCode, Role, SchoolStage, Scope};
use doudi_store::{AuditFilter, Page};
use serde_json::json;

use crate::support::*;

fn login_form(username: &str, password: &str) -> axum::http::Request<axum::body::Body> {
    form_request(
        Method::POST,
        "/login",
        None,
        &[("username", username), ("password", password)],
    )
}

/// The (action, target, detail) of the audit trail's newest entries, as the auditor reads them.
async fn trail(app: &App) -> Vec<(String, String, String)> {
    let auditor = app
        .store
        .user_by_username(AUDITOR)
        .await
        .unwrap()
        .unwrap()
        .actor();
    app.store
        .audit_entries(
            &auditor,
            &AuditFilter::default(),
            Page {
                offset: 0,
                limit: 200,
            },
        )
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|e| (e.action, e.target, e.detail))
        .collect()
}

fn township(code: &str) -> Scope {
    Scope::Division(DivisionCode::parse(code).unwrap())
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_even_for_the_right_one_until_the_back_off_ends() {
    let app = App::new().await;
    for attempt in 1..=4 {
        let reply = app
            .send(login_form(QINGLONG_CASEWORKER, "wrong password"))
            .await;
        assert!(reply.body.contains("用户名或密码错误"), "attempt {attempt}");
    }
    let fifth = app
        .send(login_form(QINGLONG_CASEWORKER, "wrong password"))
        .await;
    assert!(fifth.body.contains("账户已锁定至"), "{}", fifth.body);
    assert!(fifth.body.contains("北京时间"));

    let right = app.send(login_form(QINGLONG_CASEWORKER, PASSWORD)).await;
    assert_eq!(
        right.status,
        StatusCode::OK,
        "the right password is refused while locked"
    );
    assert!(right.body.contains("账户已锁定至"));
    assert!(right.session_cookie().is_none());
    let api = app
        .json(
            None,
            Method::POST,
            "/api/login",
            &json!({"username": QINGLONG_CASEWORKER, "password": PASSWORD}),
        )
        .await;
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(api.json()["error"].as_str().unwrap().contains("锁定至"));

    app.clock.advance(TimeDelta::seconds(61));
    let after = app.send(login_form(QINGLONG_CASEWORKER, PASSWORD)).await;
    assert_eq!(
        after.status,
        StatusCode::SEE_OTHER,
        "unlocked after a minute: {}",
        after.body
    );
    let wrong_again = app
        .send(login_form(QINGLONG_CASEWORKER, "wrong password"))
        .await;
    assert!(
        wrong_again.body.contains("用户名或密码错误"),
        "the success started the count again"
    );

    let entries = trail(&app).await;
    let failures = entries
        .iter()
        .filter(|(a, _, _)| a == "login_failed")
        .count();
    assert_eq!(
        failures, 8,
        "every failed attempt is in the trail: {entries:?}"
    );
    assert!(entries.iter().any(|(_, _, d)| d.contains("账户锁定中")));
    for (_, _, detail) in &entries {
        assert!(
            !detail.contains("wrong password") && !detail.contains(PASSWORD),
            "no password in {detail}"
        );
    }
}

/// A JSON login from a client address (as the server's connection would give it).
fn api_login_from(
    address: &str,
    username: &str,
    password: &str,
) -> axum::http::Request<axum::body::Body> {
    let mut request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/login")
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(
            json!({"username": username, "password": password}).to_string(),
        ))
        .unwrap();
    let peer: std::net::SocketAddr = format!("{address}:40000").parse().unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_simultaneous_guesses_has_at_most_five_passwords_checked() {
    let app = App::new().await;
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..24 {
        let router = app.router.clone();
        // The right password is somewhere in the middle of the burst.
        let password = if i == 12 {
            PASSWORD.to_owned()
        } else {
            format!("guess {i}")
        };
        burst.spawn(async move {
            use tower::ServiceExt;
            let reply = router
                .oneshot(api_login_from("10.0.0.66", COUNTY, &password))
                .await
                .unwrap();
            reply.status()
        });
    }
    let mut statuses = Vec::new();
    while let Some(status) = burst.join_next().await {
        statuses.push(status.unwrap());
    }
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    let checked = trail(&app)
        .await
        .iter()
        .filter(|(a, _, d)| a == "login_failed" && d.contains("密码错误"))
        .count()
        + statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert!(
        checked <= 5,
        "{checked} passwords were checked: {statuses:?}"
    );
    assert!(refused >= 19, "{statuses:?}");
}

#[tokio::test]
async fn a_stranger_guessing_a_colleagues_password_locks_only_their_own_address() {
    let app = App::new().await;
    for _ in 0..12 {
        app.send(api_login_from("10.0.0.66", COUNTY, "wrong password"))
            .await;
    }
    let stranger = app
        .send(api_login_from("10.0.0.66", COUNTY, PASSWORD))
        .await;
    assert_eq!(stranger.status, StatusCode::TOO_MANY_REQUESTS);
    let colleague = app.send(api_login_from("10.0.0.7", COUNTY, PASSWORD)).await;
    assert_eq!(
        colleague.status,
        StatusCode::OK,
        "the owner logs in from their own address: {}",
        colleague.body
    );
    // An hour later, one more guess an hour from the stranger does not lock the owner either.
    for _ in 0..3 {
        app.clock.advance(TimeDelta::minutes(61));
        app.send(api_login_from("10.0.0.66", COUNTY, "wrong password"))
            .await;
        assert_eq!(
            app.send(api_login_from("10.0.0.7", COUNTY, PASSWORD))
                .await
                .status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn an_unknown_login_name_is_answered_exactly_like_a_real_one() {
    let app = App::new().await;
    let answers = |name: &'static str| {
        let app = &app;
        async move {
            let mut seen = Vec::new();
            for _ in 0..7 {
                let reply = app
                    .send(api_login_from("10.0.0.9", name, "wrong password"))
                    .await;
                seen.push((reply.status, reply.json()["error"].clone()));
            }
            seen
        }
    };
    let real = answers(COUNTY).await;
    let unknown = answers("nobody-here").await;
    assert_eq!(real, unknown);
    assert!(
        real.iter()
            .any(|(status, _)| *status == StatusCode::TOO_MANY_REQUESTS),
        "{real:?}"
    );
}

#[tokio::test]
async fn an_address_that_fails_too_often_is_stopped_whatever_the_name_but_others_are_not() {
    let app = App::new().await;
    for i in 0..30 {
        app.send(api_login_from("10.0.0.66", &format!("guess{i}"), "x"))
            .await;
    }
    let stopped = app
        .send(api_login_from("10.0.0.66", COUNTY, PASSWORD))
        .await;
    assert_eq!(stopped.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        stopped.json()["error"]
            .as_str()
            .unwrap()
            .contains("网络地址"),
        "{}",
        stopped.body
    );
    let before = trail(&app).await.len();
    for _ in 0..10 {
        app.send(api_login_from("10.0.0.66", COUNTY, "x")).await;
    }
    assert!(
        trail(&app).await.len() <= before + 1,
        "refusals for the address do not grow the audit trail"
    );
    assert_eq!(
        app.send(api_login_from("10.0.0.7", COUNTY, PASSWORD))
            .await
            .status,
        StatusCode::OK
    );
    app.clock.advance(TimeDelta::minutes(15));
    assert_eq!(
        app.send(api_login_from("10.0.0.66", COUNTY, PASSWORD))
            .await
            .status,
        StatusCode::OK,
        "the address may try again once its window ends"
    );
}

#[tokio::test]
async fn the_lock_doubles_with_each_further_failure() {
    let app = App::new().await;
    for _ in 0..5 {
        app.send(login_form(COUNTY, "wrong password")).await;
    }
    app.clock.advance(TimeDelta::seconds(61));
    let sixth = app.send(login_form(COUNTY, "wrong password")).await;
    assert!(sixth.body.contains("账户已锁定至"), "{}", sixth.body);
    app.clock.advance(TimeDelta::seconds(61));
    let early = app.send(login_form(COUNTY, PASSWORD)).await;
    assert!(
        early.body.contains("账户已锁定至"),
        "the second lock lasts two minutes"
    );
    app.clock.advance(TimeDelta::seconds(60));
    assert_eq!(
        app.send(login_form(COUNTY, PASSWORD)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_idle_session_is_refused_with_a_redirect_to_login_or_401() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    app.clock.advance(TimeDelta::minutes(29));
    assert_eq!(
        app.get(Some(&client), "/households").await.status,
        StatusCode::OK
    );
    app.clock.advance(TimeDelta::minutes(29));
    assert_eq!(
        app.get(Some(&client), "/households").await.status,
        StatusCode::OK,
        "used 29 minutes ago"
    );
    app.clock.advance(TimeDelta::minutes(31));
    let page = app.get(Some(&client), "/households").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/login"), "{}", page.location());

    let api = app.login(QINGLONG_CASEWORKER).await;
    app.clock.advance(TimeDelta::minutes(31));
    assert_eq!(
        app.get(Some(&api), "/api/households").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_busy_session_still_ends_eight_hours_after_login() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    for _ in 0..23 {
        app.clock.advance(TimeDelta::minutes(20));
        assert_eq!(
            app.get(Some(&client), "/api/me").await.status,
            StatusCode::OK
        );
    }
    app.clock.advance(TimeDelta::minutes(20));
    assert_eq!(
        app.get(Some(&client), "/api/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    let page = app.get(Some(&client), "/").await;
    assert_eq!(
        (page.status, page.location()),
        (StatusCode::SEE_OTHER, "/login")
    );
}

#[tokio::test]
async fn logging_out_everywhere_ends_the_users_other_sessions_too() {
    let app = App::new().await;
    let office = app.login(QINGLONG_CASEWORKER).await;
    let laptop = app.login(QINGLONG_CASEWORKER).await;
    let colleague = app.login(RENHE_CASEWORKER).await;
    let overview = app.get(Some(&office), "/").await;
    assert!(
        overview.body.contains(r#"action="/logout/all""#),
        "the top bar offers it"
    );

    let reply = app.post_form(&office, "/logout/all", &[]).await;
    assert_eq!(
        (reply.status, reply.location()),
        (StatusCode::SEE_OTHER, "/login")
    );
    assert!(reply.set_cookie().contains("Max-Age=0"));
    for client in [&office, &laptop] {
        assert_eq!(
            app.get(Some(client), "/api/me").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.get(Some(&colleague), "/api/me").await.status,
        StatusCode::OK,
        "nobody else's"
    );

    let phone = app.login(QINGLONG_CASEWORKER).await;
    let api = app
        .json(Some(&phone), Method::POST, "/api/logout/all", &json!({}))
        .await;
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(api.json()["ended"], 1);
    assert!(
        trail(&app)
            .await
            .iter()
            .any(|(a, _, d)| a == "logout" && d.contains("所有设备"))
    );
}

#[tokio::test]
async fn a_new_password_ends_the_other_sessions_but_not_this_one() {
    let app = App::new().await;
    let here = app.login(COUNTY).await;
    let elsewhere = app.login(COUNTY).await;
    let new = "新的密码-2026-安全";
    let reply = app
        .post_form(
            &here,
            "/password",
            &[("current", PASSWORD), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(app.get(Some(&here), "/api/me").await.status, StatusCode::OK);
    assert_eq!(
        app.get(Some(&elsewhere), "/api/me").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_administrator_creates_changes_disables_and_resets_accounts_in_the_pages() {
    let app = App::new().await;
    let admin_id = app
        .add_user("admin", Role::Admin, Scope::County, None)
        .await;
    let admin = app.login("admin").await;
    let overview = app.get(Some(&admin), "/").await;
    assert!(overview.body.contains(r#"href="/admin/users""#));
    assert!(
        !overview.body.contains(r#"href="/households""#),
        "no household data for the administrator"
    );

    let temporary = "临时密码-2026-abc";
    let bad = app
        .post_form(
            &admin,
            "/admin/users/new",
            &[
                ("username", "jiaoyu01"),
                ("display_name", "县教委 何丽"),
                ("role", "department_officer"),
                ("scope", ""),
                ("department", ""),
                ("password", temporary),
                ("confirm", temporary),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("部门工作人员须指定所属部门"),
        "{}",
        bad.body
    );
    let created = app
        .post_form(
            &admin,
            "/admin/users/new",
            &[
                ("username", "jiaoyu01"),
                ("display_name", "县教委 何丽"),
                ("role", "department_officer"),
                ("scope", ""),
                ("department", "education"),
                ("password", temporary),
                ("confirm", temporary),
            ],
        )
        .await;
    assert_eq!(
        (created.status, created.location()),
        (StatusCode::SEE_OTHER, "/admin/users?done=created")
    );
    let list = app.get(Some(&admin), "/admin/users?done=created").await;
    assert!(
        list.body.contains("jiaoyu01") && list.body.contains("部门工作人员（教育）"),
        "{}",
        list.body
    );
    assert!(list.body.contains("待修改初始密码"));
    let officer = app
        .store
        .user_by_username("jiaoyu01")
        .await
        .unwrap()
        .unwrap();
    assert!(officer.must_change_password);

    // The caseworker is reassigned, then disabled: each ends their session at once.
    let caseworker = app
        .store
        .user_by_username(QINGLONG_CASEWORKER)
        .await
        .unwrap()
        .unwrap();
    let session = app.login(QINGLONG_CASEWORKER).await;
    let moved = app
        .post_form(
            &admin,
            &format!("/admin/users/{}", caseworker.id),
            &[
                ("role", "township_caseworker"),
                ("scope", RENHE),
                ("department", ""),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert_eq!(
        app.get(Some(&session), "/api/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    let session = app.login(QINGLONG_CASEWORKER).await;
    let me = app.get(Some(&session), "/api/me").await.json();
    assert_eq!(me["scope"], RENHE);

    let disabled = app
        .post_form(
            &admin,
            &format!("/admin/users/{}/disable", caseworker.id),
            &[],
        )
        .await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(Some(&session), "/api/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    let refused = app.send(login_form(QINGLONG_CASEWORKER, PASSWORD)).await;
    assert!(refused.body.contains("该账户已停用"), "{}", refused.body);
    app.post_form(
        &admin,
        &format!("/admin/users/{}/enable", caseworker.id),
        &[],
    )
    .await;

    let reset = app
        .post_form(
            &admin,
            &format!("/admin/users/{}/password", caseworker.id),
            &[("password", temporary), ("confirm", temporary)],
        )
        .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.body);
    let after_reset = app.send(login_form(QINGLONG_CASEWORKER, temporary)).await;
    assert_eq!(
        after_reset.location(),
        "/password",
        "a reset password must be changed first"
    );

    let own = app
        .post_form(&admin, &format!("/admin/users/{admin_id}/disable"), &[])
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own.body.contains("不能停用自己的账户"), "{}", own.body);
    let entries = trail(&app).await;
    let target = format!("user:{}", caseworker.id);
    for detail in ["修改角色与范围", "停用账户", "启用账户", "重置密码"] {
        assert!(
            entries
                .iter()
                .any(|(a, t, d)| a == "update" && *t == target && d.contains(detail)),
            "{detail} is not in the trail: {entries:?}"
        );
    }
    assert!(
        entries
            .iter()
            .any(|(a, _, d)| a == "create" && d.contains("新建账户：部门工作人员（教育）"))
    );
}

#[tokio::test]
async fn a_department_officer_neither_sees_nor_filters_by_causes_of_poverty_in_the_list() {
    let app = App::new().await;
    app.add_user(
        "weijian",
        Role::DepartmentOfficer,
        Scope::County,
        Some(Department::Housing),
    )
    .await;
    let officer = app.login("weijian").await;
    let list = app.get(Some(&officer), "/api/households").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let rows = list.json()["rows"].as_array().unwrap().clone();
    assert!(!rows.is_empty(), "housing concerns every household");
    for row in &rows {
        assert_eq!(row["causes"], json!([]), "{row}");
    }
    for cause in ["illness", "disability"] {
        let filtered = app
            .get(Some(&officer), &format!("/api/households?cause={cause}"))
            .await;
        assert_eq!(
            filtered.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            filtered.body
        );
        assert!(
            filtered.json()["error"]
                .as_str()
                .unwrap()
                .contains("致贫原因")
        );
    }
    let page = app.get(Some(&officer), "/households").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("致贫原因") && !page.body.contains("因病"),
        "{}",
        page.body
    );

    // The county still sees and filters by them.
    let county = app.login(COUNTY).await;
    let page = app.get(Some(&county), "/households?cause=illness").await;
    assert!(page.body.contains("致贫原因") && page.body.contains("因病"));
}

#[tokio::test]
async fn an_education_officer_sees_the_pupil_and_the_schooling_and_nothing_else() {
    let app = App::new().await;
    let zhang = app.store.household(&system(), app.zhang).await.unwrap();
    let son = zhang
        .members
        .iter()
        .find(|p| p.fields.name.as_str() == "张小明")
        .unwrap();
    let mut fields = son.fields.clone();
    fields.school_stage = Some(SchoolStage::Junior);
    app.store
        .update_member(&system(), son.id, zhang.household.version, &fields)
        .await
        .unwrap();
    app.add_user(
        "jiaoyu",
        Role::DepartmentOfficer,
        Scope::County,
        Some(Department::Education),
    )
    .await;
    let officer = app.login("jiaoyu").await;

    let page = app
        .get(Some(&officer), &format!("/households/{}", app.zhang.0))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("张*明") && page.body.contains("初中"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("张*丰"), "the head is not shown");
    assert!(page.body.contains("本部门无权查看收入"));
    assert!(
        page.body.contains("（本部门无权查看）"),
        "hidden fields say so"
    );
    assert!(!page.body.contains("滨江路88号"), "no address");
    assert!(!page.body.contains("/entitlement"), "no entitlement");
    assert!(!page.body.contains("变更历史"), "no history");

    let api = app
        .get(Some(&officer), &format!("/api/households/{}", app.zhang.0))
        .await
        .json();
    assert_eq!(api["members"].as_array().unwrap().len(), 1);
    assert_eq!(api["incomes"], json!([]));
    let hidden: Vec<&str> = api["hidden"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        hidden.contains(&"incomes")
            && hidden.contains(&"address")
            && !hidden.contains(&"schooling"),
        "{hidden:?}"
    );

    let list = app.get(Some(&officer), "/api/households").await.json();
    assert_eq!(list["total"], 1, "only the household with a pupil");
    assert_eq!(
        app.get(Some(&officer), &format!("/households/{}", app.li.0))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(
            Some(&officer),
            &format!("/api/households/{}/history", app.zhang.0)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_paired_cadre_sees_only_the_households_a_township_pairs_with_them() {
    let app = App::new().await;
    let cadre_id = app
        .add_user("ganbu", Role::PairedCadre, township(QINGLONG), None)
        .await;
    let cadre = app.login("ganbu").await;
    let caseworker = app.login(QINGLONG_CASEWORKER).await;
    let zhang = format!("/households/{}", app.zhang.0);
    assert_eq!(
        app.get(Some(&cadre), &zhang).await.status,
        StatusCode::NOT_FOUND,
        "not yet paired"
    );

    let page = app.get(Some(&caseworker), &zhang).await;
    assert!(
        page.body.contains("结对帮扶干部") && page.body.contains(&format!(r#"value="{cadre_id}""#)),
        "{}",
        page.body
    );
    let paired = app
        .post_form(
            &caseworker,
            &format!("{zhang}/pairings"),
            &[("cadre", &cadre_id.to_string())],
        )
        .await;
    assert_eq!(paired.status, StatusCode::SEE_OTHER, "{}", paired.body);

    let seen = app.get(Some(&cadre), &zhang).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(
        seen.body.contains("张*丰") && seen.body.contains("张*明"),
        "the whole household"
    );
    assert!(!seen.body.contains("修改家庭信息"), "read-only");
    assert_eq!(
        app.get(Some(&cadre), &format!("/households/{}", app.li.0))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let list = app.get(Some(&cadre), "/api/households").await.json();
    assert_eq!(list["total"], 1);
    let api = app
        .get(
            Some(&caseworker),
            &format!("/api/households/{}/pairings", app.zhang.0),
        )
        .await
        .json();
    assert_eq!(api[0]["cadre_username"], "ganbu");

    // Another township's caseworker cannot pair with 青龙街道's household, nor the cadre edit.
    let renhe = app.login(RENHE_CASEWORKER).await;
    let r = app
        .json(
            Some(&renhe),
            Method::POST,
            &format!("/api/households/{}/pairings", app.zhang.0),
            &json!({"cadre_id": cadre_id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let removed = app
        .json(
            Some(&caseworker),
            Method::DELETE,
            &format!("/api/households/{}/pairings/{cadre_id}", app.zhang.0),
            &json!({}),
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(Some(&cadre), &zhang).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn another_townships_household_by_address_or_api_is_404_and_in_the_trail() {
    let app = App::new().await;
    let caseworker = app.login(QINGLONG_CASEWORKER).await;
    for uri in [
        format!("/households/{}", app.wang.0),
        format!("/api/households/{}", app.wang.0),
    ] {
        let reply = app.get(Some(&caseworker), &uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            !reply.body.contains("王"),
            "nothing of the household in the answer"
        );
    }
    let target = format!("household:{}", app.wang.0);
    let denied = trail(&app)
        .await
        .into_iter()
        .filter(|(a, t, _)| a == "read_denied" && *t == target)
        .count();
    assert_eq!(denied, 2, "both attempts are recorded");

    // A role that reads no households at all is refused, and recorded too.
    app.add_user("shehui", Role::SocialOrganisation, Scope::County, None)
        .await;
    let social = app.login("shehui").await;
    assert_eq!(
        app.get(Some(&social), &format!("/households/{}", app.zhang.0))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let zhang = format!("household:{}", app.zhang.0);
    assert!(
        trail(&app)
            .await
            .iter()
            .any(|(a, t, _)| a == "read_denied" && *t == zhang)
    );
}

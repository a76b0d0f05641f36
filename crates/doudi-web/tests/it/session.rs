//! Logging in and out, sessions, the initial password, CSRF.

use axum::http::{Method, StatusCode};
use doudi_core::{Department, DivisionCode, Role, Scope};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_caseworker_logs_in_and_lands_on_the_overview_of_their_township() {
    let app = App::new().await;
    let reply = app
        .send(form_request(
            Method::POST,
            "/login",
            None,
            &[("username", QINGLONG_CASEWORKER), ("password", PASSWORD)],
        ))
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/");
    let cookie = reply.set_cookie();
    for part in [
        "doudi_session=",
        "HttpOnly",
        "SameSite=Strict",
        "Max-Age=28800",
        "Path=/",
    ] {
        assert!(cookie.contains(part), "cookie {cookie} lacks {part}");
    }
    assert!(
        !cookie.contains("Secure"),
        "secure_cookies is off in the tests"
    );

    let client = app.login(QINGLONG_CASEWORKER).await;
    let overview = app.get(Some(&client), "/").await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(
        overview.body.contains("青龙经办员"),
        "the top bar names the user"
    );
    assert!(
        overview.body.contains("乡镇（街道）经办人员"),
        "the top bar names the role"
    );
    assert!(overview.body.contains("青龙街道"));
    assert!(
        !overview.body.contains("人和街道"),
        "another township is not in the overview"
    );
    assert!(
        overview
            .body
            .contains("href=\"/households?township=500235002\"")
    );
}

#[tokio::test]
async fn a_wrong_password_shows_a_generic_error_and_sets_no_cookie() {
    let app = App::new().await;
    for (username, password) in [
        (QINGLONG_CASEWORKER, "wrong password"),
        ("nobody", PASSWORD),
    ] {
        let reply = app
            .send(form_request(
                Method::POST,
                "/login",
                None,
                &[("username", username), ("password", password)],
            ))
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.body.contains("用户名或密码错误"), "{}", reply.body);
        assert!(
            reply.body.contains(&format!("value=\"{username}\"")),
            "the name typed is kept"
        );
        assert!(reply.session_cookie().is_none());
    }
}

#[tokio::test]
async fn a_page_without_a_session_redirects_to_the_login_page_and_back() {
    let app = App::new().await;
    let reply = app.get(None, "/households?category=dibao").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        reply.location(),
        "/login?next=%2Fhouseholds%3Fcategory%3Ddibao"
    );

    let login = app
        .send(form_request(
            Method::POST,
            "/login",
            None,
            &[
                ("username", COUNTY),
                ("password", PASSWORD),
                ("next", "/households?category=dibao"),
            ],
        ))
        .await;
    assert_eq!(login.location(), "/households?category=dibao");

    let elsewhere = app
        .send(form_request(
            Method::POST,
            "/login",
            None,
            &[
                ("username", COUNTY),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        ))
        .await;
    assert_eq!(
        elsewhere.location(),
        "/",
        "login never sends anyone to another site"
    );
}

#[tokio::test]
async fn a_next_address_with_a_tab_or_backslash_never_leaves_the_site() {
    let app = App::new().await;
    for next in ["/\t/evil.example", "/\\evil.example", "/%09/evil.example"] {
        let login = app
            .send(form_request(
                Method::POST,
                "/login",
                None,
                &[("username", COUNTY), ("password", PASSWORD), ("next", next)],
            ))
            .await;
        assert_eq!(login.location(), "/", "{next:?}");
    }
    // Already logged in, the login page forwards at once: `?next=/%09/evil` decodes to a tab.
    let client = app.login(COUNTY).await;
    let reply = app
        .get(Some(&client), "/login?next=/%09/evil.example")
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/");
}

#[tokio::test]
async fn an_api_call_without_a_session_is_401_with_a_chinese_message() {
    let app = App::new().await;
    for uri in [
        "/api/households",
        "/api/divisions",
        &format!("/api/households/{}", app.zhang.0),
    ] {
        let reply = app.get(None, uri).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(reply.json()["error"], "请先登录");
    }
    let create = app
        .json(None, Method::POST, "/api/households", &json!({}))
        .await;
    assert_eq!(create.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_forged_or_expired_session_cookie_is_no_session() {
    let app = App::new().await;
    let forged = "ab".repeat(32);
    let reply = app.send(get_request("/households", Some(&forged))).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let api = app.send(get_request("/api/me", Some(&forged))).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_user_who_must_change_the_initial_password_is_sent_to_do_so_first() {
    let app = App::new().await;
    let login = app
        .send(form_request(
            Method::POST,
            "/login",
            None,
            &[("username", NEWCOMER), ("password", PASSWORD)],
        ))
        .await;
    assert_eq!(login.location(), "/password");
    let client = app.login(NEWCOMER).await;
    assert_eq!(
        app.get(Some(&client), "/households").await.location(),
        "/password"
    );
    let api = app.get(Some(&client), "/api/households").await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert_eq!(api.json()["error"], "请先修改初始密码");

    let too_short = app
        .post_form(
            &client,
            "/password",
            &[
                ("current", PASSWORD),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(too_short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_short.body.contains("新密码至少10个字符"));

    let new = "新的密码-Yunyang-2026";
    let changed = app
        .post_form(
            &client,
            "/password",
            &[("current", PASSWORD), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert_eq!(
        app.get(Some(&client), "/households").await.status,
        StatusCode::OK
    );
    let user = app.store.user_by_username(NEWCOMER).await.unwrap().unwrap();
    assert!(doudi_app::accounts::verify_password(
        new,
        &user.password_hash
    ));
    assert!(!user.must_change_password);
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    let app = App::new().await;
    let client = app.login(COUNTY).await;
    let reply = app.post_form(&client, "/logout", &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/login");
    assert!(reply.set_cookie().contains("Max-Age=0"));
    assert_eq!(
        app.get(Some(&client), "/").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_state_changing_request_without_the_csrf_token_is_refused() {
    let app = App::new().await;
    let client = app.login(COUNTY).await;
    let form = form_request(
        Method::POST,
        "/logout",
        Some(&client.cookie),
        &[("_csrf", "0".repeat(64).as_str())],
    );
    let reply = app.send(form).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.body.contains("安全校验未通过"));
    assert_eq!(
        app.get(Some(&client), "/").await.status,
        StatusCode::OK,
        "still logged in"
    );

    let no_header = app
        .send(
            axum::http::Request::builder()
                .method(Method::PUT)
                .uri(format!("/api/households/{}", app.zhang.0))
                .header("content-type", "application/json")
                .header("cookie", format!("doudi_session={}", client.cookie))
                .body(axum::body::Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(no_header.status, StatusCode::FORBIDDEN);
    assert!(
        no_header.json()["error"]
            .as_str()
            .unwrap()
            .contains("安全校验")
    );
}

#[tokio::test]
async fn the_api_logs_in_with_json_and_returns_the_csrf_token() {
    let app = App::new().await;
    let reply = app
        .json(
            None,
            Method::POST,
            "/api/login",
            &json!({"username": COUNTY, "password": PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let me = reply.json();
    assert_eq!(me["role"], "county_approver");
    assert_eq!(me["csrf_token"].as_str().unwrap().len(), 64);
    assert!(reply.session_cookie().is_some());

    let wrong = app
        .json(
            None,
            Method::POST,
            "/api/login",
            &json!({"username": COUNTY, "password": "x"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.json()["error"], "用户名或密码错误");
}

#[tokio::test]
async fn each_role_finds_its_own_work_described_on_its_home_page() {
    let app = App::new().await;
    let township = |c: &str| Scope::Division(DivisionCode::parse(c).unwrap());
    let roles = [
        ("admin", Role::Admin, Scope::County, None, "开设账户"),
        ("shenpi", Role::CountyApprover, Scope::County, None, "审批"),
        ("shenji", Role::Auditor, Scope::County, None, "审计日志"),
        (
            "jingban",
            Role::TownshipCaseworker,
            township(QINGLONG),
            None,
            "本乡镇（街道）",
        ),
        (
            "shequ",
            Role::CommunityWorker,
            township(QINGLONG_1),
            None,
            "本社区",
        ),
        (
            "jiaoyu",
            Role::DepartmentOfficer,
            Scope::County,
            Some(Department::Education),
            "本部门",
        ),
        ("ganbu", Role::PairedCadre, Scope::County, None, "结对"),
        (
            "shehui",
            Role::SocialOrganisation,
            Scope::County,
            None,
            "帮扶需求",
        ),
    ];
    for (username, role, scope, department, work) in roles {
        app.add_user(username, role, scope, department).await;
        let client = app.login(username).await;
        let home = app.get(Some(&client), "/").await;
        assert_eq!(home.status, StatusCode::OK, "{username}");
        let duties = home
            .body
            .split("id=\"duties\">")
            .nth(1)
            .and_then(|rest| rest.split("</p>").next())
            .unwrap_or_else(|| panic!("{username}'s home page describes no work"));
        assert!(duties.contains(work), "{username}: {duties}");
        if role != Role::Admin {
            assert!(!duties.contains("开设账户"), "{username}: {duties}");
        }
    }
}

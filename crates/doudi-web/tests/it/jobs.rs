//! Employment help (2.7): openings recorded by the human-resources officer, members matched by
//! the documented score, referred by their township, and a hire that takes the household off
//! the zero-employment list; each role in its scope, bad input refused by field.

use axum::http::{Method, StatusCode};
use doudi_core::{Department, Role, Scope};
use serde_json::{Value, json};

use crate::support::*;

/// The human-resources officer.
async fn officer(app: &App) -> Client {
    app.add_user(
        "renshe",
        Role::DepartmentOfficer,
        Scope::County,
        Some(Department::HumanResources),
    )
    .await;
    app.login("renshe").await
}

fn opening(extra: Value) -> Value {
    let mut body = json!({
        "employer": "云阳县保洁服务公司", "title": "保洁员", "kind": "job",
        "township": RENHE, "community": RENHE_1, "hours_per_week": 40,
        "pay_fen": 200_000, "places": 2, "skills": ""
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

async fn add_opening(app: &App, client: &Client, body: Value) -> crate::support::Reply {
    app.json(Some(client), Method::POST, "/api/jobs/openings", &body)
        .await
}

async fn wang_head(app: &App) -> i64 {
    app.store
        .household(&system(), app.wang)
        .await
        .unwrap()
        .members[0]
        .id
        .0
}

#[tokio::test]
async fn a_member_is_matched_referred_and_hired_and_the_household_leaves_the_zero_employment_list()
{
    let app = App::new().await;
    let hr = officer(&app).await;
    let added = add_opening(&app, &hr, opening(json!({}))).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let id = added.json()["id"].as_i64().unwrap();
    let wang = wang_head(&app).await;

    // 王五 (56, fully able, willing, in 人和社区) is the opening's best candidate.
    let detail = app
        .get(Some(&hr), &format!("/api/jobs/openings/{id}"))
        .await
        .json();
    let first = &detail["candidates"][0];
    assert_eq!(first["person_id"], wang, "{detail}");
    assert_eq!(first["score"], 90);
    assert_eq!(first["zero_employment"], true);
    assert!(
        first["reasons"][0].as_str().unwrap().contains("本社区"),
        "{detail}"
    );
    assert_eq!(first["name"], "王*");

    // 人和's caseworker refers him; a second referral to the same opening is refused.
    let renhe = app.login(RENHE_CASEWORKER).await;
    let refer = json!({"opening_id": id, "person_id": wang});
    let referred = app
        .json(Some(&renhe), Method::POST, "/api/jobs/referrals", &refer)
        .await;
    assert_eq!(referred.status, StatusCode::OK, "{}", referred.body);
    let referral = referred.json()["id"].as_i64().unwrap();
    assert_eq!(
        app.json(Some(&renhe), Method::POST, "/api/jobs/referrals", &refer)
            .await
            .status,
        StatusCode::CONFLICT
    );
    let version = app
        .store
        .household(&system(), app.wang)
        .await
        .unwrap()
        .household
        .version;

    let zero = app.get(Some(&renhe), "/employment/zero").await;
    assert!(zero.body.contains("已推荐1次，1次待结果"), "{}", zero.body);

    // Hired: 王五 is recorded employed, with history, and 人和 is at zero.
    let hired = app
        .json(
            Some(&renhe),
            Method::POST,
            &format!("/api/jobs/referrals/{referral}/outcome"),
            &json!({"outcome": "hired"}),
        )
        .await;
    assert_eq!(hired.status, StatusCode::OK, "{}", hired.body);
    assert_eq!(hired.json()["state"], "hired");
    let record = app.store.household(&system(), app.wang).await.unwrap();
    assert_eq!(
        record.members[0].fields.employment,
        doudi_core::Employment::Employed
    );
    assert_eq!(record.household.version, version + 1);
    let county = app.login(COUNTY).await;
    let history = app
        .get(
            Some(&county),
            &format!("/api/households/{}/history", app.wang.0),
        )
        .await;
    assert!(
        history.body.contains("就业状况") && history.body.contains("稳定就业"),
        "{}",
        history.body
    );
    assert_eq!(
        app.get(Some(&renhe), "/api/employment/zero").await.json(),
        json!([])
    );

    // The household's path: its referral, and no longer zero-employment.
    let path = app
        .get(Some(&hr), &format!("/api/jobs/households/{}", app.wang.0))
        .await
        .json();
    assert_eq!(path["zero_employment"], false, "{path}");
    assert_eq!(path["referrals"][0]["state"], "hired");
    let household = app
        .get(Some(&hr), &format!("/households/{}", app.wang.0))
        .await;
    assert!(
        household.body.contains("id=\"household-jobs\""),
        "{}",
        household.body
    );
    let page = app
        .get(Some(&hr), &format!("/jobs/match?household={}", app.wang.0))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("已录用") && page.body.contains("不是零就业家庭"));
    let list = app.get(Some(&hr), "/jobs/referrals").await;
    assert!(list.body.contains("云阳县保洁服务公司·保洁员"));
    assert!(
        app.get(Some(&hr), "/jobs/referrals.xlsx")
            .await
            .raw
            .starts_with(b"PK")
    );
    assert!(
        app.get(Some(&hr), "/jobs.xlsx")
            .await
            .raw
            .starts_with(b"PK")
    );
    let candidates = app
        .get(Some(&hr), &format!("/jobs/{id}/candidates.xlsx"))
        .await;
    assert!(candidates.raw.starts_with(b"PK"));
    // The auditor reads all of it in words.
    let auditor = app.login(AUDITOR).await;
    let trail = app.get(Some(&auditor), "/audit").await;
    assert!(trail.body.contains("岗位推荐清单"), "{}", trail.body);
    assert!(
        trail.body.contains(&format!("岗位 第{id}号")),
        "{}",
        trail.body
    );
    assert!(!trail.body.contains(">job_referrals") && !trail.body.contains(">job_opening"));
}

#[tokio::test]
async fn training_counts_as_skills_and_a_public_welfare_post_records_the_post() {
    let app = App::new().await;
    let hr = officer(&app).await;
    let wang = wang_head(&app).await;
    let trained = app
        .json(
            Some(&hr),
            Method::POST,
            "/api/jobs/training",
            &json!({"person_id": wang, "course": "初级电工", "provider": "县职教中心",
                    "started_on": "2026-10-01", "ended_on": "2026-10-31", "completed": true}),
        )
        .await;
    assert_eq!(trained.status, StatusCode::OK, "{}", trained.body);
    let id = add_opening(
        &app,
        &hr,
        opening(json!({"kind": "public_post", "title": "社区电工", "skills": "电工"})),
    )
    .await
    .json()["id"]
        .as_i64()
        .unwrap();
    let list = app.get(Some(&hr), "/jobs/training").await;
    assert!(
        list.body.contains("初级电工") && list.body.contains("已结业"),
        "{}",
        list.body
    );
    assert!(
        app.get(Some(&hr), "/jobs/training.xlsx")
            .await
            .raw
            .starts_with(b"PK")
    );
    let renhe = app.login(RENHE_CASEWORKER).await;
    assert_eq!(
        app.get(Some(&renhe), "/api/jobs/training").await.json()[0]["course"],
        "初级电工"
    );
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    assert_eq!(
        app.get(Some(&qinglong), "/api/jobs/training").await.json(),
        json!([])
    );
    let detail = app
        .get(Some(&hr), &format!("/api/jobs/openings/{id}"))
        .await
        .json();
    let reasons = detail["candidates"][0]["reasons"].to_string();
    assert!(reasons.contains("技能相符：电工"), "{detail}");
    assert_eq!(detail["candidates"][0]["score"], 90);

    // The officer refers from the opening's page and records the hire from the form.
    let referred = app
        .post_form(
            &hr,
            &format!("/jobs/{id}/referrals"),
            &[("person", &wang.to_string())],
        )
        .await;
    assert_eq!(referred.status, StatusCode::SEE_OTHER, "{}", referred.body);
    let page = app.get(Some(&hr), &format!("/jobs/{id}")).await;
    assert!(page.body.contains("已推荐"), "{}", page.body);
    let referral = app.get(Some(&hr), "/api/jobs/referrals").await.json()[0]["id"]
        .as_i64()
        .unwrap();
    let done = app
        .post_form(
            &hr,
            &format!("/jobs/referrals/{referral}"),
            &[("outcome", "hired"), ("back", "opening")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let record = app.store.household(&system(), app.wang).await.unwrap();
    assert_eq!(
        record.members[0].fields.employment,
        doudi_core::Employment::PublicWelfarePost
    );
}

#[tokio::test]
async fn other_townships_and_other_departments_get_nothing_of_jobs() {
    let app = App::new().await;
    let hr = officer(&app).await;
    let id = add_opening(&app, &hr, opening(json!({}))).await.json()["id"]
        .as_i64()
        .unwrap();
    let wang = wang_head(&app).await;
    // 青龙 cannot refer 人和's member, nor see 人和's household's path.
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    let refer = json!({"opening_id": id, "person_id": wang});
    assert_eq!(
        app.json(Some(&qinglong), Method::POST, "/api/jobs/referrals", &refer)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(
            Some(&qinglong),
            &format!("/api/jobs/households/{}", app.wang.0)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // 青龙 sees no candidate of 人和 for the opening.
    let detail = app
        .get(Some(&qinglong), &format!("/api/jobs/openings/{id}"))
        .await
        .json();
    assert_eq!(detail["candidates"], json!([]), "{detail}");
    let renhe = app.login(RENHE_CASEWORKER).await;
    app.json(Some(&renhe), Method::POST, "/api/jobs/referrals", &refer)
        .await;
    assert_eq!(
        app.get(Some(&qinglong), "/api/jobs/referrals").await.json(),
        json!([])
    );
    // A township refers but does not record openings.
    assert_eq!(
        add_opening(&app, &renhe, opening(json!({}))).await.status,
        StatusCode::FORBIDDEN
    );
    for (name, department) in [
        ("jiaoyu", Department::Education),
        ("zhufang", Department::Housing),
    ] {
        app.add_user(
            name,
            Role::DepartmentOfficer,
            Scope::County,
            Some(department),
        )
        .await;
        let other = app.login(name).await;
        for uri in ["/jobs", "/api/jobs/openings", "/api/jobs/referrals"] {
            assert_eq!(
                app.get(Some(&other), uri).await.status,
                StatusCode::FORBIDDEN,
                "{name} {uri}"
            );
        }
        assert_eq!(
            add_opening(&app, &other, opening(json!({}))).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn a_bad_opening_names_its_fields_in_chinese_and_writes_nothing() {
    let app = App::new().await;
    let hr = officer(&app).await;
    let bad = add_opening(
        &app,
        &hr,
        opening(json!({"employer": " ", "hours_per_week": 100, "community": "500235002001"})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = bad.json();
    assert!(
        body["fields"]["employer"]
            .as_str()
            .unwrap()
            .starts_with("用人单位"),
        "{body}"
    );
    assert!(
        body["fields"]["hours_per_week"]
            .as_str()
            .unwrap()
            .starts_with("每周工时"),
        "{body}"
    );
    assert!(
        body["fields"]["community"]
            .as_str()
            .unwrap()
            .contains("不属于"),
        "{body}"
    );
    assert_eq!(
        app.get(Some(&hr), "/api/jobs/openings").await.json(),
        json!([])
    );
    let negative = add_opening(&app, &hr, opening(json!({"pay_fen": -5}))).await;
    assert!(
        negative.json()["fields"]["pay_fen"]
            .as_str()
            .unwrap()
            .starts_with("月薪")
    );
    // A township that is not the county's is named too.
    let elsewhere = add_opening(
        &app,
        &hr,
        opening(json!({"township": "500235099", "community": ""})),
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        elsewhere.json()["fields"]["township"]
            .as_str()
            .unwrap()
            .contains("不是本县")
    );
    // The page's form says the same.
    let page = app
        .post_form(
            &hr,
            "/jobs",
            &[
                ("employer", "某公司"),
                ("title", ""),
                ("kind", "job"),
                ("township", RENHE),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"opening-error\""), "{}", page.body);
    assert!(page.body.contains("岗位名称："), "{}", page.body);
    // What was typed is kept.
    assert!(page.body.contains("value=\"某公司\""), "{}", page.body);

    // "Not hired" needs a reason, and nothing changes without one.
    let id = add_opening(&app, &hr, opening(json!({}))).await.json()["id"]
        .as_i64()
        .unwrap();
    let wang = wang_head(&app).await;
    let referral = app
        .json(
            Some(&hr),
            Method::POST,
            "/api/jobs/referrals",
            &json!({"opening_id": id, "person_id": wang}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let reply = app
        .json(
            Some(&hr),
            Method::POST,
            &format!("/api/jobs/referrals/{referral}/outcome"),
            &json!({"outcome": "not_hired"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.json()["fields"]["note"]
            .as_str()
            .unwrap()
            .contains("须写明原因")
    );
    assert_eq!(
        app.get(Some(&hr), "/api/jobs/referrals").await.json()[0]["state"],
        "referred"
    );
}

#[tokio::test]
async fn the_officers_pages_show_openings_candidates_and_the_zero_employment_link() {
    let app = App::new().await;
    let hr = officer(&app).await;
    let page = app.get(Some(&hr), "/jobs").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("登记岗位") && page.body.contains("就业帮扶"));
    let added = app
        .post_form(
            &hr,
            "/jobs",
            &[
                ("employer", "人和社区居委会"),
                ("title", "公益性保洁"),
                ("kind", "public_post"),
                ("township", RENHE),
                ("community", ""),
                ("hours_per_week", "20"),
                ("pay_yuan", "1500"),
                ("places", "1"),
                ("skills", ""),
                ("partial_ok", "1"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let detail = app.get(Some(&hr), added.location()).await;
    assert!(
        detail.body.contains("王*") && detail.body.contains("零就业家庭"),
        "{}",
        detail.body
    );
    let zero = app.get(Some(&hr), "/employment/zero").await;
    assert!(zero.body.contains("尚未推荐"), "{}", zero.body);
    assert!(
        zero.body
            .contains(&format!("/jobs/match?household={}", app.wang.0)),
        "{}",
        zero.body
    );
}

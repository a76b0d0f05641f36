//! Visits, campaigns and coverage over HTTP (3.3, 4.3 "帮困不漏户、户户见干部"): a paired cadre
//! records and reads only their households' visits; townships and communities in their scope;
//! another department is refused; bad input names the field and writes nothing; a visit sent
//! twice (a phone that lost the network) is kept once; attachments go only to those who may
//! read the household; coverage lists every household without a cadre or a recent visit.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use doudi_core::{Category, Department, HouseholdId, Relation, Role, Scope};
use serde_json::{Value, json};

use crate::support::*;

async fn record(app: &App, client: &Client, household: HouseholdId, body: Value) -> Reply {
    app.json(
        Some(client),
        Method::POST,
        &format!("/api/households/{}/visits", household.0),
        &body,
    )
    .await
}

async fn visit_count(app: &App, household: HouseholdId) -> usize {
    app.store
        .visits(
            &system(),
            &doudi_store::visits::VisitFilter {
                household: Some(household),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .len()
}

/// A cadre paired with 张三丰's household (青龙).
async fn paired_cadre(app: &App) -> Client {
    let id = app
        .add_user("ganbu", Role::PairedCadre, Scope::County, None)
        .await;
    app.store.pair(&system(), app.zhang, id).await.unwrap();
    app.login("ganbu").await
}

#[tokio::test]
async fn a_paired_cadre_records_and_sees_visits_of_their_households_only_3_3() {
    let app = App::new().await;
    let cadre = paired_cadre(&app).await;
    let r = record(
        &app,
        &cadre,
        app.zhang,
        json!({"kind": "holiday", "found": "老人精神好，送去米油", "needs": ["medical", "照料护理"], "draft_id": "phone-0001"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["kind"], "holiday");
    assert_eq!(v["needs"], json!(["medical", "care"]));
    assert_eq!(v["visited_on"], today().to_string());

    let r = record(
        &app,
        &cadre,
        app.li,
        json!({"kind": "routine", "found": "未结对的家庭"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(visit_count(&app, app.li).await, 0);

    let county = app.login(COUNTY).await;
    let r = record(
        &app,
        &county,
        app.li,
        json!({"kind": "routine", "found": "屋顶漏雨"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mine = app.get(Some(&cadre), "/api/visits").await.json();
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine[0]["household_id"], app.zhang.0);

    // The household page shows the log and the link to record one.
    let page = app
        .get(Some(&cadre), &format!("/households/{}", app.zhang.0))
        .await;
    assert!(
        page.body.contains("老人精神好，送去米油") && page.body.contains("记录走访"),
        "{}",
        page.body
    );
    let list = app.get(Some(&cadre), "/visits").await;
    assert!(list.body.contains("节日慰问") && !list.body.contains("屋顶漏雨"));

    // 人和 sees neither; 青龙 sees both; a department is refused at the door.
    let renhe = app.login(RENHE_CASEWORKER).await;
    assert_eq!(app.get(Some(&renhe), "/api/visits").await.json(), json!([]));
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    assert_eq!(
        app.get(Some(&qinglong), "/api/visits")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.add_user(
        "minzheng",
        Role::DepartmentOfficer,
        Scope::County,
        Some(Department::Health),
    )
    .await;
    let health = app.login("minzheng").await;
    assert_eq!(
        app.get(Some(&health), "/api/visits").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        record(
            &app,
            &health,
            app.zhang,
            json!({"kind": "routine", "found": "x"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_community_worker_records_in_their_community_and_not_beyond() {
    let app = App::new().await;
    app.add_user(
        "fuxing",
        Role::CommunityWorker,
        Scope::Division(doudi_core::DivisionCode::parse(QINGLONG_1).unwrap()),
        None,
    )
    .await;
    let worker = app.login("fuxing").await;
    let r = app
        .post_form(
            &worker,
            &format!("/households/{}/visits", app.zhang.0),
            &[
                ("visited_on", "2026-11-20"),
                ("kind", "follow_up"),
                ("found", "回访：已就医"),
                ("draft_id", "form-00000001"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        r.location()
            .starts_with(&format!("/households/{}", app.zhang.0))
    );
    let r = app
        .post_form(
            &worker,
            &format!("/households/{}/visits", app.li.0),
            &[
                ("kind", "routine"),
                ("found", "滨江社区的家庭"),
                ("draft_id", "form-00000002"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(visit_count(&app, app.li).await, 0);
}

#[tokio::test]
async fn bad_input_names_the_field_in_chinese_and_writes_nothing() {
    let app = App::new().await;
    let township = app.login(QINGLONG_CASEWORKER).await;
    let r = app
        .post_form(
            &township,
            &format!("/households/{}/visits", app.zhang.0),
            &[
                ("visited_on", "2026-13-40"),
                ("kind", "chat"),
                ("found", ""),
                ("needs", "money"),
                ("draft_id", "form-00000003"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for words in ["走访日期", "走访类型", "走访情况", "提出的需求"] {
        assert!(r.body.contains(words), "{words}: {}", r.body);
    }
    assert!(
        r.body.contains("form-00000003"),
        "the draft id is kept for the corrected resend"
    );
    let r = record(
        &app,
        &township,
        app.zhang,
        json!({"kind": "routine", "found": "好", "visited_on": "2026-11-29"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不能晚于今天"), "{}", r.body);
    assert_eq!(visit_count(&app, app.zhang).await, 0);
}

#[tokio::test]
async fn a_visit_sent_again_with_its_draft_id_is_kept_once() {
    let app = App::new().await;
    let township = app.login(QINGLONG_CASEWORKER).await;
    let body = json!({"kind": "routine", "found": "一切正常", "draft_id": "queued-0042"});
    let first = record(&app, &township, app.zhang, body.clone())
        .await
        .json();
    let again = record(&app, &township, app.zhang, body).await.json();
    assert_eq!(first["id"], again["id"]);
    let fields = [
        ("kind", "routine"),
        ("found", "一切正常"),
        ("draft_id", "queued-0042"),
    ];
    let r = app
        .post_form(
            &township,
            &format!("/households/{}/visits", app.zhang.0),
            &fields,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "the form's resend lands as well"
    );
    assert_eq!(visit_count(&app, app.zhang).await, 1);
}

fn visit_with_photo(
    client: &Client,
    household: HouseholdId,
    name: &str,
    bytes: &[u8],
) -> Request<Body> {
    let mut body = Vec::new();
    for (field, value) in [
        ("_csrf", client.csrf.as_str()),
        ("kind", "routine"),
        ("found", "拍了房屋照片"),
        ("draft_id", "photo-00000001"),
    ] {
        body.extend_from_slice(
            format!("--B\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--B\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(b"\r\n--B--\r\n");
    Request::builder()
        .method(Method::POST)
        .uri(format!("/households/{}/visits", household.0))
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=B")
        .header(header::COOKIE, format!("doudi_session={}", client.cookie))
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn a_photo_is_kept_with_the_visit_and_served_only_to_readers_of_the_household() {
    let app = App::new().await;
    let township = app.login(QINGLONG_CASEWORKER).await;
    let r = app
        .send(visit_with_photo(
            &township,
            app.zhang,
            "假照片.png",
            b"<script>alert(1)</script>",
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("只能上传照片或PDF文件"), "{}", r.body);
    assert_eq!(visit_count(&app, app.zhang).await, 0);

    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let r = app
        .send(visit_with_photo(&township, app.zhang, "房屋.png", png))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let visits = app
        .get(
            Some(&township),
            &format!("/api/households/{}/visits", app.zhang.0),
        )
        .await
        .json();
    let attachment = visits[0]["attachments"][0]["id"].as_i64().unwrap();
    assert_eq!(visits[0]["attachments"][0]["media_type"], "image/png");
    let got = app
        .get(
            Some(&township),
            &format!("/visits/attachments/{attachment}"),
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.raw, png.to_vec());
    assert_eq!(got.headers[header::CONTENT_TYPE], "image/png");
    let renhe = app.login(RENHE_CASEWORKER).await;
    assert_eq!(
        app.get(Some(&renhe), &format!("/visits/attachments/{attachment}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn coverage_finds_every_household_without_a_cadre_or_a_recent_visit_4_3() {
    let app = App::new().await;
    let cadre_id = app
        .add_user("ganbu", Role::PairedCadre, Scope::County, None)
        .await;
    let county = app.login(COUNTY).await;
    // Forty more households: every third paired, every second visited recently, every fifth
    // visited long ago; one exited (not current, never listed).
    let mut all = vec![app.zhang, app.li, app.wang];
    for i in 0..40u16 {
        let community = [QINGLONG_1, QINGLONG_2, RENHE_1][usize::from(i % 3)];
        let h = household(
            &format!("CV-{i:03}"),
            community,
            Category::Dibao,
            vec![person(
                "某某",
                Relation::Head,
                id_number((1960, 1, 1), 100 + i),
            )],
        );
        all.push(app.store.create_household(&system(), &h).await.unwrap());
    }
    let mut gone = household(
        "CV-GONE",
        RENHE_1,
        Category::Dibao,
        vec![person("某某", Relation::Head, id_number((1961, 1, 1), 7))],
    );
    gone.fields.exited_on = Some(today());
    app.store.create_household(&system(), &gone).await.unwrap();
    let mut unpaired = Vec::new();
    let mut unvisited = Vec::new();
    for (i, h) in all.iter().enumerate() {
        if i % 3 == 0 {
            app.store.pair(&system(), *h, cadre_id).await.unwrap();
        } else {
            unpaired.push(h.0);
        }
        if i % 2 == 0 {
            let r = record(
                &app,
                &county,
                *h,
                json!({"kind": "routine", "found": "近期走访", "visited_on": "2026-11-01"}),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK);
        } else {
            if i % 5 == 0 {
                let r = record(
                    &app,
                    &county,
                    *h,
                    json!({"kind": "routine", "found": "很久以前", "visited_on": "2026-05-01"}),
                )
                .await;
                assert_eq!(r.status, StatusCode::OK);
            }
            unvisited.push(h.0);
        }
    }
    let c = app.get(Some(&county), "/api/coverage").await.json();
    let ids = |v: &Value| {
        let mut ids: Vec<i64> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["household_id"].as_i64().unwrap())
            .collect();
        ids.sort_unstable();
        ids
    };
    unpaired.sort_unstable();
    unvisited.sort_unstable();
    assert_eq!(c["households"], 43, "the exited household is not current");
    assert_eq!(ids(&c["unpaired"]), unpaired);
    assert_eq!(ids(&c["unvisited"]), unvisited);
    let per_township: i64 = c["townships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["unvisited"].as_i64().unwrap())
        .sum();
    assert_eq!(per_township, unvisited.len() as i64);

    // With a year's look-back, the households visited in May count as visited.
    let year = app
        .get(Some(&county), "/api/coverage?days=365")
        .await
        .json();
    assert!(ids(&year["unvisited"]).len() < unvisited.len());
    let bad = app.get(Some(&county), "/api/coverage?days=abc").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("天数"));

    // The township sees its part, on the page and in its work list.
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    let mine = app.get(Some(&qinglong), "/api/coverage").await.json();
    assert!(
        mine["unvisited"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["township"] == QINGLONG)
    );
    let page = app.get(Some(&qinglong), "/coverage").await;
    assert!(page.body.contains("近90天未走访的家庭"));
    let work = app.get(Some(&qinglong), "/work").await;
    assert!(work.body.contains("id=\"work-coverage\""), "{}", work.body);
    let xlsx = app.get(Some(&qinglong), "/coverage.xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
}

#[tokio::test]
async fn the_county_starts_a_campaign_and_townships_see_its_progress() {
    let app = App::new().await;
    let county = app.login(COUNTY).await;
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    let r = app
        .post_form(
            &qinglong,
            "/campaigns",
            &[
                ("name", "2027年春节走访"),
                ("kind", "holiday"),
                ("from", "2026-11-01"),
                ("to", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_form(
            &county,
            "/campaigns",
            &[
                ("name", ""),
                ("kind", "holiday"),
                ("from", "2026-12-31"),
                ("to", "2026-11-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("活动名称") && r.body.contains("结束日期"),
        "{}",
        r.body
    );
    let r = app
        .post_form(
            &county,
            "/campaigns",
            &[
                ("name", "2027年春节走访"),
                ("kind", "holiday"),
                ("from", "2026-11-01"),
                ("to", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    record(
        &app,
        &qinglong,
        app.zhang,
        json!({"kind": "holiday", "found": "送去慰问金"}),
    )
    .await;
    record(
        &app,
        &qinglong,
        app.li,
        json!({"kind": "routine", "found": "日常走访不计入"}),
    )
    .await;

    let p = app
        .get(Some(&qinglong), &format!("/api/campaigns/{id}"))
        .await
        .json();
    assert_eq!(
        (p["households"].as_i64(), p["visited"].as_i64()),
        (Some(2), Some(1)),
        "{p}"
    );
    assert_eq!(p["pending"][0]["household_id"], app.li.0);
    // 复兴社区 is paired with a responsible unit; the other households have none yet.
    let approver = app
        .store
        .user_by_username(COUNTY)
        .await
        .unwrap()
        .unwrap()
        .actor();
    let unit = app
        .store
        .create_unit(
            &approver,
            "青龙街道办事处",
            doudi_store::units::UnitKind::TownshipOffice,
        )
        .await
        .unwrap();
    app.store
        .set_unit(
            &approver,
            unit,
            &[doudi_core::DivisionCode::parse(QINGLONG_1).unwrap()],
            &[],
        )
        .await
        .unwrap();
    let whole = app
        .get(Some(&county), &format!("/api/campaigns/{id}"))
        .await
        .json();
    assert_eq!(
        (whole["households"].as_i64(), whole["visited"].as_i64()),
        (Some(3), Some(1))
    );
    let units: Vec<(String, i64, i64)> = whole["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["name"].as_str().unwrap().to_owned(),
                u["households"].as_i64().unwrap(),
                u["visited"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        units,
        [
            ("青龙街道办事处".to_owned(), 1, 1),
            ("（未分配责任单位）".to_owned(), 2, 0)
        ]
    );
    let page = app.get(Some(&qinglong), &format!("/campaigns/{id}")).await;
    assert!(page.body.contains("50.0%"), "{}", page.body);
    let xlsx = app
        .get(Some(&qinglong), &format!("/campaigns/{id}/export.xlsx"))
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let list = app.get(Some(&qinglong), "/api/campaigns").await.json();
    assert_eq!(list[0]["name"], "2027年春节走访");
}

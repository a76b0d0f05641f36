//! The household list: scope, filters, search, paging, htmx.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use doudi_core::{Category, Relation};

use crate::support::*;

#[tokio::test]
async fn the_list_shows_only_the_caseworkers_township_with_masked_names_and_division_names() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let reply = app.get(Some(&client), "/households").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = &reply.body;
    assert!(body.contains("QL-0001") && body.contains("QL-0002"));
    assert!(
        !body.contains("RH-0001"),
        "人和街道's household is not listed"
    );
    assert!(body.contains("张*丰") && body.contains("李*"));
    assert!(!body.contains("张三丰"), "names are masked in the list");
    assert!(body.contains(&id_number((1956, 12, 15), 13).masked()));
    assert!(
        !body.contains("500235195612150"),
        "identity numbers are masked in the list"
    );
    assert!(
        body.contains("复兴社区") && body.contains("滨江社区"),
        "communities by name"
    );
    assert!(body.contains("<strong>2</strong> 户"));
}

#[tokio::test]
async fn the_county_sees_every_township_and_filters_narrow_the_list() {
    let app = App::new().await;
    let client = app.login(COUNTY).await;
    let all = app.get(Some(&client), "/households").await;
    assert!(all.body.contains("QL-0001") && all.body.contains("RH-0001"));

    let renhe = app
        .get(Some(&client), &format!("/households?township={RENHE}"))
        .await;
    assert!(renhe.body.contains("RH-0001") && !renhe.body.contains("QL-0001"));
    assert!(
        renhe.body.contains("人和社区"),
        "the communities of the chosen township are offered"
    );

    let tekun = app.get(Some(&client), "/households?category=tekun").await;
    assert!(tekun.body.contains("QL-0002") && !tekun.body.contains("QL-0001"));

    let community = app
        .get(
            Some(&client),
            &format!("/households?township={QINGLONG}&community={QINGLONG_1}"),
        )
        .await;
    assert!(community.body.contains("QL-0001") && !community.body.contains("QL-0002"));

    let cause = app.get(Some(&client), "/households?cause=disability").await;
    assert!(cause.body.contains("没有符合条件的家庭"));
}

#[tokio::test]
async fn the_search_box_finds_members_by_name_initials_and_identity_digits() {
    let app = App::new().await;
    let client = app.login(COUNTY).await;
    let cases = [
        (encode("张小明"), "QL-0001"),
        ("zxm".to_owned(), "QL-0001"),
        (encode("李四"), "QL-0002"),
        (
            id_number((1970, 7, 7), 45).as_str()[14..].to_owned(),
            "RH-0001",
        ),
        (id_number((1948, 2, 3), 31).as_str().to_owned(), "QL-0002"),
    ];
    for (q, expected) in cases {
        let reply = app.get(Some(&client), &format!("/households?q={q}")).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(
            reply.body.contains(expected),
            "searching {q} should find {expected}"
        );
        assert!(
            reply.body.contains("<strong>1</strong> 户"),
            "searching {q} finds one household"
        );
    }
}

#[tokio::test]
async fn an_htmx_request_gets_only_the_results_and_the_community_choices() {
    let app = App::new().await;
    let client = app.login(COUNTY).await;
    let request = Request::builder()
        .uri(format!("/households?township={QINGLONG}"))
        .header("cookie", format!("doudi_session={}", client.cookie))
        .header("hx-request", "true")
        .body(Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(!reply.body.contains("<html"), "a fragment, not a page");
    assert!(reply.body.contains("QL-0001"));
    assert!(reply.body.contains("hx-swap-oob=\"true\""));
    assert!(reply.body.contains("复兴社区") && !reply.body.contains("人和社区"));
    assert_eq!(reply.headers.get("vary").unwrap(), "HX-Request");

    let full = app.get(Some(&client), "/households").await;
    assert!(
        full.body.contains("hx-get=\"/households\"") && full.body.contains("hx-push-url=\"true\"")
    );
    assert!(
        full.body.contains("method=\"get\" action=\"/households\""),
        "the form works without htmx"
    );
}

#[tokio::test]
async fn the_list_shows_fifty_households_a_page() {
    let app = App::new().await;
    let households: Vec<_> = (0..60u16)
        .map(|i| {
            household(
                &format!("QL-1{i:03}"),
                QINGLONG_1,
                Category::Dibao,
                vec![person(
                    "赵一",
                    Relation::Head,
                    id_number((1980, 1, 1), 100 + i),
                )],
            )
        })
        .collect();
    app.store
        .import_households(&system(), &households)
        .await
        .unwrap();
    let client = app.login(QINGLONG_CASEWORKER).await;
    let first = app.get(Some(&client), "/households").await;
    assert!(first.body.contains("<strong>62</strong> 户，第 1 / 2 页"));
    assert_eq!(first.body.matches("class=\"row-link\"").count(), 50);
    assert!(first.body.contains("href=\"/households?page=2\""));
    let second = app.get(Some(&client), "/households?page=2").await;
    assert_eq!(second.body.matches("class=\"row-link\"").count(), 12);
    assert!(second.body.contains("QL-1059"));
}

#[tokio::test]
async fn an_exited_household_is_listed_only_when_asked() {
    let app = App::new().await;
    let mut exited = household(
        "QL-0099",
        QINGLONG_2,
        Category::Dibao,
        vec![person("钱七", Relation::Head, id_number((1960, 6, 6), 77))],
    );
    exited.fields.exited_on = Some(chrono::NaiveDate::from_ymd_opt(2025, 1, 31).unwrap());
    app.store
        .create_household(&system(), &exited)
        .await
        .unwrap();
    let client = app.login(QINGLONG_CASEWORKER).await;
    assert!(
        !app.get(Some(&client), "/households")
            .await
            .body
            .contains("QL-0099")
    );
    let with = app
        .get(Some(&client), "/households?include_exited=true")
        .await;
    assert!(with.body.contains("QL-0099") && with.body.contains("2025-01-31 退出"));
}

#[tokio::test]
async fn the_import_template_downloads_as_a_spreadsheet_that_reads_back_cleanly() {
    let app = App::new().await;
    let anonymous = app.get(None, "/import/template.xlsx").await;
    assert_ne!(anonymous.status, StatusCode::OK, "only for logged-in users");
    let client = app.login(QINGLONG_CASEWORKER).await;
    let page = app.get(Some(&client), "/households").await;
    assert!(page.body.contains("href=\"/import/template.xlsx\""));
    let csv = app.get(Some(&client), "/import/template.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.starts_with('\u{feff}'),
        "a byte-order mark so Excel reads UTF-8"
    );
    let sheet = doudi_exchange::read::read_csv(csv.body.as_bytes()).unwrap();
    assert_eq!(sheet.headers[0], "户编号");
    assert_eq!(sheet.rows.len(), 2, "an example household of two");
}

#[tokio::test]
async fn the_filtered_household_list_exports_to_excel_whole_masked_and_recorded() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let page = app.get(Some(&client), "/households").await;
    assert!(
        page.body.contains("href=\"/households/export.xlsx\""),
        "{}",
        page.body
    );
    let filtered = app
        .get(
            Some(&client),
            &format!("/households?community={QINGLONG_1}"),
        )
        .await;
    assert!(
        filtered
            .body
            .contains(&format!("/households/export.xlsx?community={QINGLONG_1}"))
    );

    let file = app.get(Some(&client), "/households/export.xlsx").await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(
        file.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''%E5%AE%B6%E5%BA%AD%E6%A1%A3%E6%A1%88-2026"),
        "named 家庭档案-date"
    );
    let sheet = doudi_exchange::read::read_file("x.xlsx", &file.raw).unwrap();
    assert_eq!(sheet.headers[..3], ["户编号", "户主", "身份证号"]);
    let listed = app.get(Some(&client), "/api/households").await.json();
    assert_eq!(
        sheet.rows.len() as i64,
        listed["total"].as_i64().unwrap(),
        "every household of the filter, not one page"
    );
    let text = format!("{:?}", sheet.rows);
    assert!(
        text.contains("张*丰") && !text.contains("张三丰"),
        "masked as on screen"
    );

    // The export is in the audit trail, without the search text.
    let _ = app
        .get(
            Some(&client),
            "/households/export.xlsx?q=%E5%BC%A0%E4%B8%89%E4%B8%B0",
        )
        .await;
    let auditor = app
        .store
        .user_by_username(AUDITOR)
        .await
        .unwrap()
        .unwrap()
        .actor();
    let trail = app
        .store
        .audit_entries(
            &auditor,
            &doudi_store::AuditFilter {
                action: Some(doudi_store::AuditAction::Export),
                ..Default::default()
            },
            doudi_store::Page {
                offset: 0,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(trail.total, 2, "{trail:?}");
    assert!(trail.rows.iter().all(|e| !e.detail.contains("张三丰")));
    assert!(trail.rows.iter().any(|e| e.detail.contains("含搜索条件")));
}

#[tokio::test]
async fn the_education_office_lists_students_not_heads_and_a_cadre_gets_the_phone_to_call() {
    let app = App::new().await;
    // 张三丰's son goes to school; the household has a phone.
    let zhang = app.store.household(&system(), app.zhang).await.unwrap();
    let son = zhang
        .members
        .iter()
        .find(|p| p.fields.name.as_str() == "张小明")
        .unwrap();
    let mut fields = son.fields.clone();
    fields.school_stage = Some(doudi_core::SchoolStage::Junior);
    app.store
        .update_member(&system(), son.id, zhang.household.version, &fields)
        .await
        .unwrap();
    let zhang = app.store.household(&system(), app.zhang).await.unwrap();
    let mut household = zhang.household.fields.clone();
    household.phone = Some(doudi_core::Phone::parse("13800001234").unwrap());
    app.store
        .update_household(&system(), app.zhang, zhang.household.version, &household)
        .await
        .unwrap();

    app.add_user(
        "jiaoyu",
        doudi_core::Role::DepartmentOfficer,
        doudi_core::Scope::County,
        Some(doudi_core::Department::Education),
    )
    .await;
    let education = app.login("jiaoyu").await;
    let list = app.get(Some(&education), "/households").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(">在学成员</th>"), "{}", list.body);
    assert!(
        list.body.contains("张*明"),
        "the student is listed: {}",
        list.body
    );
    assert!(!list.body.contains("张*丰"), "not the head: {}", list.body);
    assert!(!list.body.contains("致贫原因"), "never causes of poverty");
    assert!(!list.body.contains("13800001234"));

    let cadre = app
        .add_user(
            "ganbu",
            doudi_core::Role::PairedCadre,
            doudi_core::Scope::County,
            None,
        )
        .await;
    app.store.pair(&system(), app.zhang, cadre).await.unwrap();
    let client = app.login("ganbu").await;
    let list = app.get(Some(&client), "/households").await;
    assert!(
        list.body
            .contains("<a href=\"tel:13800001234\">13800001234</a>"),
        "{}",
        list.body
    );
    // Nobody else's list shows it.
    let caseworker = app.login(QINGLONG_CASEWORKER).await;
    let list = app.get(Some(&caseworker), "/households").await;
    assert!(!list.body.contains("13800001234"));
}

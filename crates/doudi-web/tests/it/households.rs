//! The household page and the forms that file and edit households.

use axum::http::StatusCode;
use doudi_core::HouseholdId;

use crate::support::*;

#[tokio::test]
async fn the_household_page_shows_members_incomes_and_history() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let reply = app
        .get(Some(&client), &format!("/households/{}", app.zhang.0))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = &reply.body;
    assert!(body.contains("户 QL-0001"));
    assert!(
        body.contains("张*丰") && body.contains("张*明"),
        "members, masked"
    );
    assert!(!body.contains("张三丰"));
    assert!(body.contains(&id_number((2012, 5, 1), 24).masked()));
    assert!(
        body.contains("<td class=\"num\">69</td>"),
        "张三丰 is 69 on the test date"
    );
    assert!(body.contains("复兴社区") && body.contains("青龙街道"));
    // The income table: September 600, October 600 + 300.50 for two people.
    assert!(body.contains("2026-09") && body.contains("2026-10"));
    assert!(body.contains("¥900.50"), "October's household total");
    assert!(body.contains("¥450.25"), "October's income per person");
    // History records the filing, by whom.
    assert!(body.contains("变更历史") && body.contains("新建") && body.contains("测试数据"));
    // A caseworker of the township may edit.
    assert!(body.contains(&format!("href=\"/households/{}/edit\"", app.zhang.0)));
    assert!(body.contains("添加成员"));
}

#[tokio::test]
async fn another_townships_household_is_not_found_by_its_address() {
    let app = App::new().await;
    let client = app.login(RENHE_CASEWORKER).await;
    for uri in [
        format!("/households/{}", app.zhang.0),
        format!("/households/{}/edit", app.zhang.0),
        format!("/households/{}/members/new", app.zhang.0),
    ] {
        let reply = app.get(Some(&client), &uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(reply.body.contains("记录不存在，或不在您的工作范围内"));
        assert!(!reply.body.contains("QL-0001"));
    }
    assert_eq!(
        app.get(Some(&client), "/households/999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(Some(&client), "/households/abc").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(Some(&client), "/api/households/abc").await.json()["error"],
        "记录不存在，或不在您的工作范围内"
    );
    assert_eq!(
        app.get(Some(&client), "/no/such/page").await.status,
        StatusCode::NOT_FOUND
    );
    let logout_by_link = app.get(Some(&client), "/logout").await;
    assert_eq!(logout_by_link.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(logout_by_link.body.contains("该地址不支持这种请求方式"));
}

#[tokio::test]
async fn an_auditor_reads_households_but_gets_no_edit_actions() {
    let app = App::new().await;
    let client = app.login(AUDITOR).await;
    let page = app
        .get(Some(&client), &format!("/households/{}", app.wang.0))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/edit\"") && !page.body.contains("添加成员"));
    assert!(!page.body.contains("新建档案"));
    let form = app
        .get(Some(&client), &format!("/households/{}/edit", app.wang.0))
        .await;
    assert_eq!(form.status, StatusCode::FORBIDDEN);
    assert!(form.body.contains("您的角色无权执行此操作"));
}

fn new_household_form<'a>(id: &'a str, address: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("number", "QL-0100"),
        ("category", "dibao"),
        ("township", QINGLONG),
        ("community", QINGLONG_2),
        ("enrolled_on", "2026-11-01"),
        ("housing", "rented"),
        ("address", address),
        ("phone", "13800138000"),
        ("causes", "illness"),
        ("causes", "old_age"),
        ("head_name", "孙八"),
        ("head_id_number", id),
        ("head_self_care", "full"),
        ("head_work_capacity", "none"),
        ("head_employment", "not_applicable"),
        ("head_insurance", "resident"),
        ("head_family_doctor", "on"),
    ]
}

#[tokio::test]
async fn a_new_household_with_bad_fields_shows_each_error_beside_its_field_and_writes_nothing() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let before = app.household_count().await;
    let mut form = new_household_form("50023519561215001", "青龙街道滨江路9号");
    form.retain(|(name, _)| *name != "category" && *name != "phone");
    form.push(("phone", "12345"));
    let reply = app.post_form(&client, "/households/new", &form).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &reply.body;
    // Each message sits in its field's block, right after the input.
    let beside = |field: &str, message: &str| {
        let start = body
            .find(&format!("id=\"f-{field}\""))
            .unwrap_or_else(|| panic!("no field {field}"));
        let rest = &body[start..];
        let end = rest.find("<div class=\"field").unwrap_or(rest.len());
        assert!(
            rest[..end].contains(message),
            "{field} should show {message}: {}",
            &rest[..end]
        );
        assert!(rest[..end].contains("field-error"));
    };
    beside("category", "请选择救助类别");
    beside("phone", "电话号码“12345”无效");
    beside(
        "head_id_number",
        "身份证号码应为18位（或旧式15位），实际为17位",
    );
    assert!(body.contains("有 3 项填写有误"));
    // What was typed is still there.
    assert!(body.contains("value=\"青龙街道滨江路9号\""));
    assert!(body.contains("value=\"孙八\""));
    assert!(body.contains("value=\"50023519561215001\""));
    assert!(body.contains("value=\"old_age\" checked"));
    assert_eq!(app.household_count().await, before, "nothing was filed");
}

#[tokio::test]
async fn a_new_household_is_filed_and_its_page_shown() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let id = id_number((1961, 3, 8), 88);
    let reply = app
        .post_form(
            &client,
            "/households/new",
            &new_household_form(id.as_str(), "滨江路9号"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let location = reply.location().to_owned();
    assert!(location.starts_with("/households/"));
    let page = app.get(Some(&client), &location).await;
    assert!(page.body.contains("户 QL-0100") && page.body.contains("孙*"));
    assert!(page.body.contains("因病、年老体弱"));
    assert!(
        page.body.contains("138****8000"),
        "the phone is masked on the page"
    );

    // The same identity number again is a store error, shown at the top, input kept.
    let mut again = new_household_form(id.as_str(), "滨江路10号");
    again[0] = ("number", "QL-0101");
    let duplicate = app.post_form(&client, "/households/new", &again).await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert!(duplicate.body.contains("alert-error") && duplicate.body.contains("已在"));
    assert!(duplicate.body.contains("value=\"滨江路10号\""));
}

#[tokio::test]
async fn a_caseworker_cannot_file_a_household_in_another_township() {
    let app = App::new().await;
    let client = app.login(RENHE_CASEWORKER).await;
    let before = app.household_count().await;
    let id = id_number((1961, 3, 8), 89);
    let reply = app
        .post_form(
            &client,
            "/households/new",
            &new_household_form(id.as_str(), "滨江路9号"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.body.contains("您的角色无权执行此操作"));
    assert!(
        reply.body.contains("value=\"滨江路9号\""),
        "the input is kept"
    );
    assert_eq!(app.household_count().await, before);
}

fn edit_form(address: &str, version: i64) -> Vec<(&'static str, String)> {
    vec![
        ("version", version.to_string()),
        ("number", "QL-0001".into()),
        ("category", "dibao".into()),
        ("township", QINGLONG.into()),
        ("community", QINGLONG_1.into()),
        ("enrolled_on", "2024-03-01".into()),
        ("housing", "owned".into()),
        ("address", address.into()),
        ("causes", "illness".into()),
    ]
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

#[tokio::test]
async fn an_edit_saves_and_history_records_old_and_new() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let form_page = app
        .get(Some(&client), &format!("/households/{}/edit", app.zhang.0))
        .await;
    assert!(
        form_page.body.contains("name=\"version\" value=\"1\""),
        "{}",
        form_page.body
    );
    let form = edit_form("滨江路100号", 1);
    let fields: Vec<(&str, &str)> = form.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let reply = app
        .post_form(
            &client,
            &format!("/households/{}/edit", app.zhang.0),
            &fields,
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let page = app
        .get(Some(&client), &format!("/households/{}", app.zhang.0))
        .await;
    assert!(page.body.contains("滨江路100号"));
    assert!(
        page.body.contains("住址") && page.body.contains("滨江路88号"),
        "history shows the old value"
    );
    assert!(page.body.contains("青龙经办员"), "history shows who");
}

#[tokio::test]
async fn an_edit_based_on_a_stale_version_shows_the_conflict_and_overwrites_nothing() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    // Someone else saves first.
    let county = system();
    let record = app.store.household(&county, app.zhang).await.unwrap();
    let mut theirs = record.household.fields.clone();
    theirs.address = "他人改的地址".into();
    app.store
        .update_household(&county, app.zhang, 1, &theirs)
        .await
        .unwrap();

    let form = edit_form("我改的地址", 1);
    let fields: Vec<(&str, &str)> = form.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let reply = app
        .post_form(
            &client,
            &format!("/households/{}/edit", app.zhang.0),
            &fields,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert!(reply.body.contains("已被他人修改"));
    assert!(
        reply.body.contains("value=\"我改的地址\""),
        "the caseworker's input is kept"
    );
    assert!(
        reply.body.contains("当前已保存：他人改的地址"),
        "the stored value is shown beside it"
    );
    assert!(
        reply.body.contains("name=\"version\" value=\"2\""),
        "a new attempt is based on the current version"
    );
    let stored = app
        .store
        .household(&county, HouseholdId(app.zhang.0))
        .await
        .unwrap();
    assert_eq!(
        stored.household.fields.address, "他人改的地址",
        "nothing was overwritten"
    );
}

#[tokio::test]
async fn members_are_added_edited_and_removed_with_a_reason() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let base = format!("/households/{}", app.li.0);
    let id = id_number((1950, 4, 4), 52);
    let member = |name: &'static str, version: &'static str| {
        vec![
            ("version", version),
            ("name", name),
            ("id_number", leak(id.as_str())),
            ("relation", "spouse"),
            ("self_care", "partial"),
            ("work_capacity", "none"),
            ("employment", "not_applicable"),
            ("insurance", "resident"),
            ("disability_kind", "physical"),
        ]
    };
    // A disability kind without a grade is refused beside the grade.
    let bad = app
        .post_form(
            &client,
            &format!("{base}/members/new"),
            &member("周九", "1"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("请同时选择残疾等级"));

    let mut good = member("周九", "1");
    good.push(("disability_grade", "2"));
    let added = app
        .post_form(&client, &format!("{base}/members/new"), &good)
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = app.get(Some(&client), &base).await;
    assert!(page.body.contains("周*") && page.body.contains("肢体二级"));

    let record = app.store.household(&system(), app.li).await.unwrap();
    let person = record
        .members
        .iter()
        .find(|p| p.fields.name.as_str() == "周九")
        .unwrap()
        .id
        .0;
    let edit_page = app
        .get(Some(&client), &format!("{base}/members/{person}/edit"))
        .await;
    assert!(
        edit_page.body.contains("value=\"周九\""),
        "writers see the full name in the form"
    );

    let no_reason = app
        .post_form(
            &client,
            &format!("{base}/members/{person}/remove"),
            &[("version", "2"), ("reason", " ")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("请填写移除原因"));
    let removed = app
        .post_form(
            &client,
            &format!("{base}/members/{person}/remove"),
            &[("version", "2"), ("reason", "迁出本县")],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    let page = app.get(Some(&client), &base).await;
    assert!(page.body.contains("迁出本县"), "history records the reason");
}

#[tokio::test]
async fn an_income_is_recorded_replaced_and_deleted_from_the_household_page() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let base = format!("/households/{}", app.li.0);
    let record = app.store.household(&system(), app.li).await.unwrap();
    let person = record.members[0].id.0.to_string();
    let form = |amount: &'static str, version: &'static str| {
        vec![
            ("version", version),
            ("person", leak(&person)),
            ("month", "2026-10"),
            ("kind", "pension"),
            ("amount", amount),
        ]
    };
    let bad = app
        .post_form(
            &client,
            &format!("{base}/finances/incomes/new"),
            &form("12.345", "1"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("超过两位小数"));
    assert!(bad.body.contains("value=\"12.345\""));

    let ok = app
        .post_form(
            &client,
            &format!("{base}/finances/incomes/new"),
            &form("1,234.5", "1"),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = app.get(Some(&client), &base).await;
    assert!(page.body.contains("¥1,234.50"));

    let prefilled = app
        .get(
            Some(&client),
            &format!("{base}/finances/incomes/new?person={person}&month=2026-10&kind=pension"),
        )
        .await;
    assert!(
        prefilled.body.contains("value=\"1234.50\""),
        "修改 opens the form with the amount"
    );

    let stale = app
        .post_form(
            &client,
            &format!("{base}/finances/incomes/delete"),
            &[
                ("version", "1"),
                ("person", &person),
                ("month", "2026-10"),
                ("kind", "pension"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let deleted = app
        .post_form(
            &client,
            &format!("{base}/finances/incomes/delete"),
            &[
                ("version", "2"),
                ("person", &person),
                ("month", "2026-10"),
                ("kind", "pension"),
            ],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(
        app.get(Some(&client), &base)
            .await
            .body
            .contains("尚未登记收入")
    );
}

#[tokio::test]
async fn a_survey_is_recorded_and_shown_as_the_latest() {
    let app = App::new().await;
    let client = app.login(QINGLONG_CASEWORKER).await;
    let base = format!("/households/{}", app.wang.0);
    assert_eq!(
        app.get(Some(&client), &format!("{base}/surveys/new"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let base = format!("/households/{}", app.li.0);
    let form = app.get(Some(&client), &format!("{base}/surveys/new")).await;
    assert!(
        form.body.contains("value=\"青龙经办员\"") && form.body.contains("value=\"2026-11-28\"")
    );
    let reply = app
        .post_form(
            &client,
            &format!("{base}/surveys/new"),
            &[
                ("version", "1"),
                ("family_situation", "独居老人，无子女"),
                ("poverty_cause", "年老体弱，无劳动能力"),
                ("help_needed", "日常照料"),
                ("surveyed_by", "青龙经办员"),
                ("surveyed_on", "2026-11-20"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let page = app.get(Some(&client), &base).await;
    assert!(page.body.contains("独居老人，无子女") && page.body.contains("最近一次：2026-11-20"));
}

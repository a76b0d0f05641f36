//! Department data (5.3): records in by file and API, matched to registry people even when
//! messy, turned into alerts on the right township's list; a certain death stops payments from
//! the month after, an uncertain one waits for a person.

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use doudi_core::{Department, Role, Scope};
use serde_json::{Value, json};

use crate::support::*;

/// 王五 (人和, alone in his household) is paid 600 yuan a month from 2026-09.
async fn wang_paid(app: &App) {
    let wang = app.store.household(&system(), app.wang).await.unwrap();
    let mut fields = wang.household.fields.clone();
    fields.bank_account = Some(doudi_core::BankAccount::parse("6222020200112233445").unwrap());
    app.store
        .update_household(&system(), app.wang, wang.household.version, &fields)
        .await
        .unwrap();
    app.store
        .import_entitlements(
            &system(),
            &[doudi_store::casework::ImportedEntitlement {
                household: app.wang,
                program: doudi_core::Category::Dibao,
                monthly_fen: 60_000,
                from: doudi_core::Month::parse("2026-09").unwrap(),
                review_class: doudi_core::casework::ReviewClass::Stable,
                next_review: NaiveDate::from_ymd_opt(2027, 9, 1).unwrap(),
                reference: "云民〔2026〕9号".into(),
            }],
        )
        .await
        .unwrap();
}

fn full_width(digits: &str) -> String {
    digits
        .chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap(),
            'X' => 'Ｘ',
            other => other,
        })
        .collect()
}

async fn send(app: &App, client: &Client, kind: &str, records: Value) -> crate::support::Reply {
    app.json(
        Some(client),
        Method::POST,
        &format!("/api/feeds/{kind}"),
        &json!({"source": "测试名单", "records": records}),
    )
    .await
}

#[tokio::test]
async fn a_death_certain_by_a_messily_typed_identity_number_and_name_stops_payment_from_the_next_month()
 {
    let app = App::new().await;
    wang_paid(&app).await;
    let county = app.login(COUNTY).await;
    // Full-width digits and spaces, as typed in a police station's sheet.
    let id = id_number((1970, 7, 7), 45);
    let messy = format!(" {} {}", full_width(&id.as_str()[..9]), &id.as_str()[9..]);
    let reply = send(
        &app,
        &county,
        "death",
        json!([{"record_id": "GA-1", "id_number": messy, "name": "王五", "date": "2026-10-15"}]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let done = reply.json();
    assert_eq!(
        (done["linked"].as_i64(), done["alerts"].as_i64()),
        (Some(1), Some(1)),
        "{done}"
    );
    assert!(
        done["deaths"][0]
            .as_str()
            .unwrap()
            .contains("自2026-11起停发"),
        "{done}"
    );
    // October, the month of death, is paid; November is not.
    let periods = app.store.entitlements(&system(), app.wang).await.unwrap();
    assert_eq!(
        periods[0].until,
        doudi_core::Month::new(2026, 10),
        "{periods:?}"
    );
    let nov = app
        .store
        .run_payments(
            &system(),
            doudi_core::Month::new(2026, 11).unwrap(),
            today(),
        )
        .await
        .unwrap();
    assert_eq!(nov.created, 0, "nothing is paid after the death");
    // The alert is on 人和's list, closed with what was done; not on 青龙's.
    let renhe = app.login(RENHE_CASEWORKER).await;
    let alerts = app.get(Some(&renhe), "/api/alerts?all=1").await.json();
    assert_eq!(alerts[0]["rule"], "death", "{alerts}");
    assert_eq!(alerts[0]["state"], "done", "{alerts}");
    assert!(
        alerts[0]["evidence"].as_str().unwrap().contains("王*"),
        "names are masked: {alerts}"
    );
    assert!(
        !alerts[0]["evidence"]
            .as_str()
            .unwrap()
            .contains(&id.as_str()[6..14]),
        "{alerts}"
    );
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    assert_eq!(
        app.get(Some(&qinglong), "/api/alerts?all=1").await.json(),
        json!([])
    );

    // The same batch again changes nothing.
    let again = send(
        &app,
        &county,
        "death",
        json!([{"record_id": "GA-1", "id_number": messy, "name": "王五", "date": "2026-10-15"}]),
    )
    .await
    .json();
    assert_eq!(again["already"], true, "{again}");
    assert_eq!(
        app.get(Some(&renhe), "/api/alerts?all=1")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_death_without_a_usable_number_waits_for_the_caseworker_and_a_namesake_with_another_number_is_not_matched()
 {
    let app = App::new().await;
    wang_paid(&app).await;
    let county = app.login(COUNTY).await;
    let other = id_number((1970, 7, 7), 99);
    let mut typo = id_number((1970, 7, 7), 45).as_str().to_owned();
    // One digit of the sequence wrong: the check character no longer fits.
    let wrong = if &typo[15..16] == "4" { "5" } else { "4" };
    typo.replace_range(15..16, wrong);
    let reply = send(
        &app,
        &county,
        "death",
        json!([
            {"record_id": "A", "id_number": "", "name": "王五", "birth": "1970-07-07", "date": "2026-10-15"},
            {"record_id": "B", "id_number": other.as_str(), "name": "王五", "birth": "1970-07-07", "date": "2026-10-16"}
        ]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let done = reply.json();
    assert_eq!(
        done["linked"], 1,
        "the missing number matches by name and birth: {done}"
    );
    assert_eq!(
        done["unmatched"], 1,
        "a namesake with a valid number of his own is not 王五: {done}"
    );
    assert_eq!(
        done["deaths"],
        json!([]),
        "nothing is stopped without a person"
    );
    // Another list, with the number mistyped by one digit: repaired, but not certain.
    let done = send(
        &app,
        &county,
        "death",
        json!([{"record_id": "C", "id_number": typo, "name": "王五", "date": "2026-10-17"}]),
    )
    .await
    .json();
    assert_eq!(
        done["linked"], 1,
        "a number one digit off is repaired: {done}"
    );
    assert_eq!(
        done["deaths"],
        json!([]),
        "a repaired number does not stop payment: {done}"
    );
    assert!(
        app.store.entitlements(&system(), app.wang).await.unwrap()[0]
            .until
            .is_none()
    );
    let renhe = app.login(RENHE_CASEWORKER).await;
    let alerts = app.get(Some(&renhe), "/api/alerts").await.json();
    let rules: Vec<&str> = alerts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["match", "match"], "{alerts}");
    assert_eq!(alerts[0]["level"], "red");
    assert!(
        alerts[0]["reason"].as_str().unwrap().contains("须人工核实"),
        "{alerts}"
    );
    // The caseworker works it from the page: done needs an outcome; dismissed a reason.
    let id = alerts[0]["id"].as_i64().unwrap();
    let page = app.get(Some(&renhe), "/alerts").await;
    assert!(
        page.body.contains(&format!("id=\"alert-{id}\"")),
        "{}",
        page.body
    );
    let work = app.get(Some(&renhe), "/work").await;
    assert!(work.body.contains("id=\"work-alerts\""), "{}", work.body);
    let refused = app
        .post_form(
            &renhe,
            &format!("/alerts/{id}"),
            &[("state", "done"), ("outcome", " ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("须写明处理结果"), "{}", refused.body);
    let done = app
        .post_form(
            &renhe,
            &format!("/alerts/{id}"),
            &[("state", "dismissed"), ("outcome", "入户核实，王五健在")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // The answer is remembered: the same record in a later list is not put to her again.
    let again = send(
        &app,
        &county,
        "death",
        json!([{"record_id": "C2", "id_number": typo, "name": "王五", "date": "2026-10-18"}]),
    )
    .await
    .json();
    assert_eq!(
        again["linked"], 0,
        "a record said not to be 王五 is not matched to him again: {again}"
    );
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    let outside = app
        .json(
            Some(&qinglong),
            Method::POST,
            &format!("/api/alerts/{id}"),
            &json!({"state": "in_progress"}),
        )
        .await;
    assert_eq!(
        outside.status,
        StatusCode::NOT_FOUND,
        "another township's alert is not found"
    );
}

#[tokio::test]
async fn each_kind_of_record_raises_its_alert_with_its_clause_on_the_households_township_list() {
    let app = App::new().await;
    let county = app.login(COUNTY).await;
    let zhang = id_number((1956, 12, 15), 13);
    let son = id_number((2012, 5, 1), 24);
    let li = id_number((1948, 2, 3), 31);
    let cases: [(&str, Value, &str, &str, &str); 8] = [
        (
            "vehicle",
            json!({"id_number": zhang.as_str(), "name": "张三丰", "date": "2026-10-01", "amount_fen": 5_000_000, "detail": "渝F12345"}),
            "review",
            "amber",
            "2.1.b",
        ),
        (
            "real_estate",
            json!({"id_number": zhang.as_str(), "name": "张三丰", "date": "2026-10-01", "detail": "青龙街道某小区"}),
            "review",
            "amber",
            "4.2.b",
        ),
        (
            "business",
            json!({"id_number": zhang.as_str(), "name": "张三丰", "date": "2026-10-01", "amount_fen": 10_000_000, "detail": "某商贸有限公司"}),
            "review",
            "amber",
            "4.2.b",
        ),
        (
            "wages",
            json!({"id_number": zhang.as_str(), "name": "张三丰", "date": "2026-10-01", "amount_fen": 800_000}),
            "review",
            "amber",
            "4.2.b",
        ),
        (
            "pension",
            json!({"id_number": zhang.as_str(), "name": "张三丰", "date": "2026-10-01", "amount_fen": 10_000}),
            "review",
            "green",
            "4.2.b",
        ),
        (
            "hospital",
            json!({"id_number": zhang.as_str(), "name": "张三丰", "date": "2026-10-20", "amount_fen": 1_200_000, "detail": "云阳县人民医院"}),
            "medical",
            "amber",
            "2.4",
        ),
        (
            "school",
            json!({"id_number": son.as_str(), "name": "张小明", "date": "2026-09-01", "detail": "初中"}),
            "school",
            "amber",
            "2.5",
        ),
        (
            "disability",
            json!({"id_number": li.as_str(), "name": "李四", "date": "2026-10-01", "detail": "肢体二级"}),
            "disability",
            "amber",
            "2.2.b",
        ),
    ];
    for (kind, record, rule, level, clause) in cases {
        let reply = send(&app, &county, kind, json!([record])).await;
        assert_eq!(reply.status, StatusCode::OK, "{kind}: {}", reply.body);
        assert_eq!(reply.json()["alerts"], 1, "{kind}: {}", reply.body);
        let qinglong = app.login(QINGLONG_CASEWORKER).await;
        let alerts = app.get(Some(&qinglong), "/api/alerts").await.json();
        let newest = alerts
            .as_array()
            .unwrap()
            .iter()
            .max_by_key(|a| a["id"].as_i64())
            .unwrap();
        assert_eq!(
            (newest["rule"].as_str(), newest["level"].as_str()),
            (Some(rule), Some(level)),
            "{kind}: {newest}"
        );
        assert!(
            newest["reason"].as_str().unwrap().contains(clause),
            "{kind} cites {clause}: {newest}"
        );
        let renhe = app.login(RENHE_CASEWORKER).await;
        assert_eq!(
            app.get(Some(&renhe), "/api/alerts").await.json(),
            json!([]),
            "{kind}"
        );
    }
}

#[tokio::test]
async fn a_department_sends_only_its_own_kinds_and_its_files_column_names_are_set_once() {
    let app = App::new().await;
    app.add_user(
        "jiaoyu",
        Role::DepartmentOfficer,
        Scope::County,
        Some(Department::Education),
    )
    .await;
    let officer = app.login("jiaoyu").await;
    let refused = send(
        &app,
        &officer,
        "death",
        json!([{"name": "王五", "date": "2026-10-01"}]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = send(&app, &officer, "school", json!([{"record_id": "1"}])).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("第1条") && bad.body.contains("不能都为空"),
        "{}",
        bad.body
    );
    let page = app.get(Some(&officer), "/feeds").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"kind-school\""), "{}", page.body);
    assert!(
        !page.body.contains("id=\"kind-death\""),
        "an officer is offered only its kinds"
    );
    // The school's roll names its columns its own way: set once, then its file reads.
    let saved = app
        .post_form(
            &officer,
            "/feeds/mapping",
            &[
                ("kind", "school"),
                ("col_name", "学生姓名"),
                ("col_id_number", "身份证件号"),
                ("col_date", "入学时间"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let son = id_number((2012, 5, 1), 24);
    let csv = format!(
        "学生姓名,身份证件号,入学时间,学段\n张小明,{},2026-09-01,初中\n",
        son.as_str()
    );
    let reply = app
        .send(upload(&officer, "school", "学籍.csv", csv.as_bytes()))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("匹配到本平台人员1条"), "{}", reply.body);
    let again = app
        .send(upload(&officer, "school", "学籍.csv", csv.as_bytes()))
        .await;
    assert!(again.body.contains("data-already=\"1\""), "{}", again.body);
    // A bad row refuses the file, named by row and column.
    let broken = "学生姓名,身份证件号,入学时间\n张小明,,不知道\n";
    let reply = app
        .send(upload(&officer, "school", "坏.csv", broken.as_bytes()))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.body.contains("第2行") && reply.body.contains("入学时间"),
        "{}",
        reply.body
    );
    // The refused file is in the trail: who, which file, how many problems.
    let auditor = app.login(AUDITOR).await;
    let trail = app.get(Some(&auditor), "/api/audit?action=import").await;
    assert!(
        trail.body.contains("坏.csv") && trail.body.contains("未成功"),
        "{}",
        trail.body
    );
}

fn upload(
    client: &Client,
    kind: &str,
    name: &str,
    content: &[u8],
) -> axum::http::Request<axum::body::Body> {
    multipart(client, "/feeds", &[("kind", kind)], name, content)
}

#[tokio::test]
async fn a_scan_finds_a_member_turning_seventy_and_a_zero_employment_household_once() {
    let app = App::new().await;
    // 张三丰 (born 1956-12-15, dibao) turns 70 in December; 王五 (56, able and willing to work,
    // unemployed, alone) makes a zero-employment household.
    app.clock
        .set_today(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap());
    let county = app.login(COUNTY).await;
    let township = app.login(QINGLONG_CASEWORKER).await;
    let refused = app.post_form(&township, "/alerts/scan", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let reply = app.post_form(&county, "/alerts/scan", &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let qinglong = app.get(Some(&township), "/api/alerts").await.json();
    assert_eq!(qinglong.as_array().unwrap().len(), 1, "{qinglong}");
    assert_eq!(qinglong[0]["rule"], "aged");
    assert!(
        qinglong[0]["reason"].as_str().unwrap().contains("年满70岁"),
        "{qinglong}"
    );
    let renhe = app.login(RENHE_CASEWORKER).await;
    let theirs = app.get(Some(&renhe), "/api/alerts").await.json();
    assert_eq!(theirs[0]["rule"], "zero_employment", "{theirs}");
    assert_eq!(theirs[0]["clause"], "2.7");
    // Scanning again raises nothing twice.
    app.post_form(&county, "/alerts/scan", &[]).await;
    let page = app.get(Some(&county), "/alerts").await;
    assert_eq!(
        page.body.matches("class=\"panel alert-item").count(),
        2,
        "{}",
        page.body
    );
}

/// The 15-digit form of an 18-digit number (the century and the check character dropped).
fn legacy(id: &str) -> String {
    format!("{}{}", &id[..6], &id[8..17])
}

#[tokio::test]
async fn a_department_file_with_every_kind_of_error_links_each_record_to_its_person_and_no_namesake()
 {
    let app = App::new().await;
    let county = app.login(COUNTY).await;
    let zhang = id_number((1956, 12, 15), 13);
    let li = id_number((1948, 2, 3), 31);
    let wang = id_number((1970, 7, 7), 45);
    let z = zhang.as_str();
    let swapped = format!("{}{}{}{}", &z[..14], &z[15..16], &z[14..15], &z[16..]);
    let mut one_digit = z.to_owned();
    one_digit.replace_range(15..16, if &z[15..16] == "1" { "2" } else { "1" });
    // (record, whose it is: Some(household) or None for a stranger)
    let records = json!([
        {"record_id": "full-width", "id_number": full_width(wang.as_str()), "name": "王五", "date": "2026-10-01", "amount_fen": 100},
        {"record_id": "spaces", "id_number": format!("{} {} {}", &z[..6], &z[6..14], &z[14..]), "name": "张三丰", "date": "2026-10-01", "amount_fen": 100},
        {"record_id": "legacy", "id_number": legacy(li.as_str()), "name": "李四", "date": "2026-10-01", "amount_fen": 100},
        {"record_id": "lower-x", "id_number": z.to_lowercase(), "name": "張三豐", "date": "2026-10-01", "amount_fen": 100},
        {"record_id": "one-digit", "id_number": one_digit, "name": "张三丰", "date": "2026-10-01", "amount_fen": 100},
        {"record_id": "swap", "id_number": swapped, "name": "张三丰", "date": "2026-10-01", "amount_fen": 100},
        {"record_id": "homophone", "id_number": z, "name": "张三峰", "date": "2026-10-01", "amount_fen": 100},
        {"record_id": "missing", "id_number": "", "name": "李四", "birth": "1948-02-03", "date": "2026-10-01", "amount_fen": 100},
        {"record_id": "day-month", "id_number": "", "name": "李四", "birth": "1948-03-02", "date": "2026-10-02", "amount_fen": 100},
        {"record_id": "namesake", "id_number": id_number((1970, 7, 7), 77).as_str(), "name": "王五", "birth": "1970-07-07", "date": "2026-10-01", "amount_fen": 100},
        {"record_id": "stranger", "id_number": id_number((1990, 1, 1), 11).as_str(), "name": "赵六", "date": "2026-10-01", "amount_fen": 100}
    ]);
    let reply = send(&app, &county, "wages", records).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let done = reply.json();
    assert_eq!(
        (done["linked"].as_i64(), done["unmatched"].as_i64()),
        (Some(9), Some(2)),
        "{done}"
    );
    // Each record's alert on its household: 张三丰's five, 李四's three, 王五's one.
    let alerts = app.get(Some(&county), "/api/alerts").await.json();
    let on = |h: doudi_core::HouseholdId| {
        alerts
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["household_id"] == h.0)
            .count()
    };
    assert_eq!(
        (on(app.zhang), on(app.li), on(app.wang)),
        (5, 3, 1),
        "{alerts}"
    );
    // Every alert says why, field by field, with the weights.
    for a in alerts.as_array().unwrap() {
        let evidence = a["evidence"].as_str().unwrap();
        assert!(evidence.contains("姓名"), "{a}");
    }
}

#[tokio::test]
async fn the_education_bureau_pulls_its_list_of_students_owed_aid_this_term_masked_as_a_list() {
    let app = App::new().await;
    // 张小明 is at junior secondary school and boards.
    let zhang = app.store.household(&system(), app.zhang).await.unwrap();
    let son = zhang
        .members
        .iter()
        .find(|m| m.fields.name.as_str() == "张小明")
        .unwrap();
    let mut fields = son.fields.clone();
    fields.school_stage = Some(doudi_core::SchoolStage::Junior);
    fields.boarding = true;
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
    let reply = app
        .get(Some(&officer), "/api/exchange/education?term=2026-autumn")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let list = reply.json();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["name"], "张*明");
    assert_eq!(list[0]["stage"], "junior");
    assert!(
        list[0]["total_fen"].as_i64().unwrap() > 0,
        "a boarder is owed the living subsidy: {list}"
    );
    assert!(
        !list[0]["id_number"].as_str().unwrap().contains("2012"),
        "numbers are masked: {list}"
    );
    let page = app
        .get(Some(&officer), "/exchange/education?term=2026-autumn")
        .await;
    assert!(
        page.body.contains("2026年秋季学期") && page.body.contains("张*明"),
        "{}",
        page.body
    );
    let xlsx = app
        .get(Some(&officer), "/exchange/education.xlsx?term=2026-autumn")
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.raw.starts_with(b"PK"));
    let bad = app
        .get(Some(&officer), "/api/exchange/education?term=2026-summer")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("2026-autumn"), "{}", bad.body);
    // 人和's caseworker has no student of 青龙 on hers.
    let renhe = app.login(RENHE_CASEWORKER).await;
    let theirs = app
        .get(Some(&renhe), "/api/exchange/education?term=2026-autumn")
        .await
        .json();
    assert_eq!(theirs, json!([]));
}

#[tokio::test]
async fn a_households_assistance_chain_puts_its_benefit_payments_and_alerts_on_one_timeline() {
    let app = App::new().await;
    wang_paid(&app).await;
    app.store
        .run_payments(
            &system(),
            doudi_core::Month::new(2026, 10).unwrap(),
            today(),
        )
        .await
        .unwrap();
    let county = app.login(COUNTY).await;
    let id = id_number((1970, 7, 7), 45);
    send(
        &app,
        &county,
        "death",
        json!([{"id_number": id.as_str(), "name": "王五", "date": "2026-10-15"}]),
    )
    .await;
    let renhe = app.login(RENHE_CASEWORKER).await;
    let chain = app
        .get(
            Some(&renhe),
            &format!("/api/households/{}/chain", app.wang.0),
        )
        .await
        .json();
    let kinds: Vec<&str> = chain
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["待遇", "发放", "待遇", "提醒"], "{chain}");
    assert!(
        chain[2]["text"]
            .as_str()
            .unwrap()
            .contains("自2026-11起不再按此发放"),
        "{chain}"
    );
    assert!(
        chain[3]["text"].as_str().unwrap().contains("已办结"),
        "{chain}"
    );
    let page = app
        .get(Some(&renhe), &format!("/households/{}/chain", app.wang.0))
        .await;
    assert!(page.body.contains("id=\"chain\""), "{}", page.body);
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    let outside = app
        .get(
            Some(&qinglong),
            &format!("/api/households/{}/chain", app.wang.0),
        )
        .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_verification_lists_each_difference_between_the_file_and_the_departments() {
    let app = App::new().await;
    let county = app.login(COUNTY).await;
    let zhang = id_number((1956, 12, 15), 13);
    // 张三丰's file has a pension of 600 yuan for October and no vehicle.
    for (kind, record) in [
        (
            "pension",
            json!({"id_number": zhang.as_str(), "name": "张三丰", "date": "2026-10-01", "amount_fen": 80_000}),
        ),
        (
            "pension",
            json!({"id_number": zhang.as_str(), "name": "张三丰", "date": "2026-09-01", "amount_fen": 60_000}),
        ),
        (
            "vehicle",
            json!({"id_number": zhang.as_str(), "name": "张三丰", "date": "2026-08-01", "detail": "渝F12345"}),
        ),
    ] {
        let reply = send(&app, &county, kind, json!([record])).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let township = app.login(QINGLONG_CASEWORKER).await;
    let found = app
        .get(
            Some(&township),
            &format!("/api/households/{}/verification", app.zhang.0),
        )
        .await
        .json();
    let texts: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts.len(),
        2,
        "September agrees; October and the vehicle do not: {found}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("2026-10养老金") && t.contains("¥800.00") && t.contains("¥600.00")),
        "{found}"
    );
    assert!(
        texts.iter().any(|t| t.contains("档案未登记机动车")),
        "{found}"
    );
    let page = app
        .get(
            Some(&township),
            &format!("/households/{}/chain", app.zhang.0),
        )
        .await;
    assert!(
        page.body.contains("id=\"verification-differences\""),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_near_poor_watch_list_shows_strangers_whose_hospital_bill_alone_tells_of_hardship() {
    let app = App::new().await;
    let county = app.login(COUNTY).await;
    let zhang = id_number((1956, 12, 15), 13);
    let reply = send(
        &app,
        &county,
        "hospital",
        json!([
            {"record_id": "big", "id_number": id_number((1980, 3, 3), 51).as_str(), "name": "钱七", "date": "2026-10-20", "amount_fen": 500_000, "detail": "云阳县人民医院"},
            {"record_id": "small", "id_number": id_number((1981, 4, 4), 52).as_str(), "name": "孙八", "date": "2026-10-21", "amount_fen": 100_000, "detail": "云阳县中医院"},
            {"record_id": "known", "id_number": zhang.as_str(), "name": "张三丰", "date": "2026-10-22", "amount_fen": 500_000, "detail": "云阳县人民医院"}
        ]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let page = app.get(Some(&county), "/watch").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("钱*"),
        "the stranger with a large bill: {}",
        page.body
    );
    assert!(
        !page.body.contains("孙*"),
        "a small bill is not hardship by itself"
    );
    assert!(
        !page.body.contains("张*丰"),
        "a household on the platform gets an alert instead"
    );
    assert!(
        !page
            .body
            .contains(&id_number((1980, 3, 3), 51).as_str()[6..14]),
        "numbers are masked"
    );
    let xlsx = app.get(Some(&county), "/watch.xlsx").await;
    assert!(xlsx.raw.starts_with(b"PK"));
    let township = app.login(QINGLONG_CASEWORKER).await;
    assert_eq!(
        app.get(Some(&township), "/watch").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_zero_employment_list_shows_each_township_its_own_households_and_the_members_who_could_work()
 {
    let app = App::new().await;
    // 王五 (56, able and willing, unemployed, alone) is 人和's zero-employment household.
    let renhe = app.login(RENHE_CASEWORKER).await;
    let list = app.get(Some(&renhe), "/api/employment/zero").await.json();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["household_id"], app.wang.0);
    assert!(
        list[0]["able"][0]
            .as_str()
            .unwrap()
            .starts_with("王*（56岁"),
        "{list}"
    );
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    assert_eq!(
        app.get(Some(&qinglong), "/api/employment/zero")
            .await
            .json(),
        json!([])
    );
    app.add_user(
        "renshe",
        Role::DepartmentOfficer,
        Scope::County,
        Some(Department::HumanResources),
    )
    .await;
    let officer = app.login("renshe").await;
    let page = app.get(Some(&officer), "/employment/zero").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("人和街道 1 户"), "{}", page.body);
    // Once 王五 has a public-welfare post, the list is at zero.
    let wang = app.store.household(&system(), app.wang).await.unwrap();
    let mut fields = wang.members[0].fields.clone();
    fields.employment = doudi_core::Employment::PublicWelfarePost;
    app.store
        .update_member(
            &system(),
            wang.members[0].id,
            wang.household.version,
            &fields,
        )
        .await
        .unwrap();
    assert_eq!(
        app.get(Some(&renhe), "/api/employment/zero").await.json(),
        json!([])
    );
    let xlsx = app.get(Some(&officer), "/employment/zero.xlsx").await;
    assert!(xlsx.raw.starts_with(b"PK"));
}

#[tokio::test]
async fn a_department_officer_reads_figures_per_township_for_the_whole_county_counts_only() {
    let app = App::new().await;
    // Everyone of the fixture has signed with a family doctor but 张三丰.
    let zhang = app.store.household(&system(), app.zhang).await.unwrap();
    let mut fields = zhang.members[0].fields.clone();
    fields.family_doctor = false;
    app.store
        .update_member(
            &system(),
            zhang.members[0].id,
            zhang.household.version,
            &fields,
        )
        .await
        .unwrap();
    app.add_user(
        "weijian",
        Role::DepartmentOfficer,
        Scope::County,
        Some(Department::Health),
    )
    .await;
    let officer = app.login("weijian").await;
    let figures = app.get(Some(&officer), "/api/figures").await.json();
    let qinglong = figures
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["township"] == QINGLONG)
        .unwrap_or_else(|| panic!("{figures}"));
    // 青龙: 张三丰's two and 李四's one.
    assert_eq!(
        (
            qinglong["households"].as_u64(),
            qinglong["members"].as_u64(),
            qinglong["family_doctor"].as_u64()
        ),
        (Some(2), Some(3), Some(2)),
        "{figures}"
    );
    let renhe = figures
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["township"] == RENHE)
        .unwrap();
    assert_eq!(renhe["zero_employment"], 1, "{figures}");
    assert!(
        !figures.to_string().contains("张"),
        "counts only, no names: {figures}"
    );
    let page = app.get(Some(&officer), "/figures").await;
    assert!(page.body.contains("2/3（66.6%）"), "{}", page.body);
    // A township caseworker reads her own township only.
    let township = app.login(QINGLONG_CASEWORKER).await;
    let own = app.get(Some(&township), "/api/figures").await.json();
    assert_eq!(own.as_array().unwrap().len(), 1, "{own}");
}

//! The departments' work (2.4, 2.5): inpatient stays settled by the medical insurance bureau,
//! the out-of-catalogue watch, family-doctor signing kept by the health commission, and
//! education aid delivered, each through the department's scope.

use axum::http::{Method, StatusCode};
use doudi_core::{Department, Role, SchoolStage, Scope};
use serde_json::{Value, json};

use crate::support::*;

/// 张三丰's identity number (QL-0001, dibao).
fn zhang_id() -> String {
    id_number((1956, 12, 15), 13).as_str().to_owned()
}

/// 李四's (QL-0002, tekun).
fn li_id() -> String {
    id_number((1948, 2, 3), 31).as_str().to_owned()
}

/// 王五's (RH-0001, 人和, dibao).
fn wang_id() -> String {
    id_number((1970, 7, 7), 45).as_str().to_owned()
}

async fn officer(app: &App, name: &str, department: Department) -> Client {
    app.add_user(
        name,
        Role::DepartmentOfficer,
        Scope::County,
        Some(department),
    )
    .await;
    app.login(name).await
}

fn stay(id: &str, hospital: &str, level: &str, admitted: &str, total: &str, in_cat: &str) -> Value {
    json!({
        "id_number": id, "hospital": hospital, "level": level, "in_county": true,
        "admitted": admitted, "discharged": admitted, "total": total, "in_catalogue": in_cat,
        "treat_first": true
    })
}

#[tokio::test]
async fn the_medical_insurance_officer_settles_two_stays_and_the_second_carries_the_first_into_the_yearly_deductible()
 {
    let app = App::new().await;
    let yibao = officer(&app, "yibao", Department::MedicalInsurance).await;

    // Hand-worked with the 2026 parameters (county: deductible ¥500, 70%; municipal: ¥1,000,
    // 55%; critical-illness deductible ¥18,000 a year, 60%; dibao assistance 80%, cap ¥60,000).
    // Stay 1, county hospital, ¥10,000 of which ¥9,000 in the catalogue:
    //   basic (9,000 − 500) × 70% = 5,950; left 3,050, all counted against the ¥18,000
    //   deductible, critical 0; assistance 3,050 × 80% = 2,440; self-pay 10,000 − 5,950 − 2,440
    //   = 1,610.
    let body = stay(
        &zhang_id(),
        "云阳县人民医院",
        "county",
        "2026-10-01",
        "10000",
        "9000",
    );
    let mut preview = body.clone();
    preview["preview"] = json!(true);
    let r = app
        .json(Some(&yibao), Method::POST, "/api/medical/stays", &preview)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let p = r.json();
    assert_eq!(p["id"], Value::Null, "a preview records nothing");
    assert_eq!(
        (
            p["basic_fen"].as_i64(),
            p["critical_fen"].as_i64(),
            p["assistance_fen"].as_i64(),
            p["self_pay_fen"].as_i64()
        ),
        (Some(595_000), Some(0), Some(244_000), Some(161_000)),
        "{p}"
    );
    assert!(p["explanation"].as_str().unwrap().contains("2.4"), "{p}");
    assert_eq!(
        app.get(Some(&yibao), "/api/medical/stays?year=2026")
            .await
            .json(),
        json!([])
    );

    let first = app
        .json(Some(&yibao), Method::POST, "/api/medical/stays", &body)
        .await
        .json();
    assert!(first["id"].as_i64().is_some(), "{first}");

    // Stay 2, municipal hospital, ¥50,000 of which ¥45,000 in the catalogue:
    //   basic (45,000 − 1,000) × 55% = 24,200; left 20,800; what remains of the deductible is
    //   18,000 − 3,050 = 14,950, so critical (20,800 − 14,950) × 60% = 3,510; assistance
    //   (20,800 − 3,510) × 80% = 13,832; self-pay 50,000 − 24,200 − 3,510 − 13,832 = 8,458.
    let second = app
        .json(
            Some(&yibao),
            Method::POST,
            "/api/medical/stays",
            &stay(
                &zhang_id(),
                "重庆医科大学附属第一医院",
                "municipal",
                "2026-11-01",
                "50000",
                "45000",
            ),
        )
        .await
        .json();
    assert_eq!(
        (
            second["basic_fen"].as_i64(),
            second["critical_fen"].as_i64(),
            second["assistance_fen"].as_i64(),
            second["self_pay_fen"].as_i64()
        ),
        (
            Some(2_420_000),
            Some(351_000),
            Some(1_383_200),
            Some(845_800)
        ),
        "{second}"
    );
    let list = app
        .get(Some(&yibao), "/api/medical/stays?year=2026")
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    assert_eq!(
        list[0]["hospital"], "重庆医科大学附属第一医院",
        "newest first"
    );
    assert!(
        !list.to_string().contains("张三丰"),
        "names are masked: {list}"
    );

    // The page shows both, with the explanation kept as it was settled.
    let page = app.get(Some(&yibao), "/medical?year=2026").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("¥13,832.00"), "{}", page.body);
    assert!(page.body.contains("计算过程"));
    let xlsx = app.get(Some(&yibao), "/medical/stays.xlsx?year=2026").await;
    assert!(xlsx.raw.starts_with(b"PK"));

    // Only the latest stay of the year can be cancelled; cancelling it frees what it used.
    let first_id = first["id"].as_i64().unwrap();
    let second_id = second["id"].as_i64().unwrap();
    let r = app
        .json(
            Some(&yibao),
            Method::POST,
            &format!("/api/medical/stays/{first_id}/cancel"),
            &json!({"reason": "录错医院"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("请先撤销"), "{}", r.body);
    let r = app
        .json(
            Some(&yibao),
            Method::POST,
            &format!("/api/medical/stays/{second_id}/cancel"),
            &json!({"reason": "费用录错"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let again = app
        .json(
            Some(&yibao),
            Method::POST,
            "/api/medical/stays",
            &json!({
                "id_number": zhang_id(), "hospital": "重庆医科大学附属第一医院",
                "level": "municipal", "admitted": "2026-11-01", "discharged": "2026-11-10",
                "total": "50000", "in_catalogue": "45000", "preview": true
            }),
        )
        .await
        .json();
    assert_eq!(again["critical_fen"].as_i64(), Some(351_000), "{again}");
}

#[tokio::test]
async fn a_stay_with_wrong_fields_is_refused_field_by_field_and_nothing_is_recorded() {
    let app = App::new().await;
    let yibao = officer(&app, "yibao", Department::MedicalInsurance).await;
    let page = app
        .post_form(
            &yibao,
            "/medical/stays",
            &[
                ("action", "record"),
                ("id_number", "123"),
                ("hospital", ""),
                ("level", "county"),
                ("admitted", "2026-10-09"),
                ("discharged", "2026-10-01"),
                ("total", "100"),
                ("in_catalogue", "200"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for said in [
        "身份证号",
        "医院名称",
        "出院日期：不能早于入院日期",
        "医保目录内费用：不能超过住院总费用",
    ] {
        assert!(page.body.contains(said), "{said}: {}", page.body);
    }
    // Someone not on the platform (or outside the reader's reach) is said so.
    let r = app
        .json(
            Some(&yibao),
            Method::POST,
            "/api/medical/stays",
            &stay(
                "11010519491231002X",
                "云阳县人民医院",
                "county",
                "2026-10-01",
                "100",
                "100",
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("不是本县"), "{}", r.body);
    let r = app
        .json(
            Some(&yibao),
            Method::POST,
            "/api/medical/stays",
            &json!({"id_number": 5}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id_number"), "{}", r.body);
    assert_eq!(
        app.get(Some(&yibao), "/api/medical/stays?year=2026")
            .await
            .json(),
        json!([])
    );
}

#[tokio::test]
async fn stays_are_settled_by_the_medical_insurance_bureau_and_read_within_each_scope() {
    let app = App::new().await;
    let yibao = officer(&app, "yibao", Department::MedicalInsurance).await;
    let weijian = officer(&app, "weijian", Department::Health).await;
    let education = officer(&app, "jiaoyu", Department::Education).await;
    let renhe = app.login(RENHE_CASEWORKER).await;
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    for id in [zhang_id(), wang_id()] {
        let r = app
            .json(
                Some(&yibao),
                Method::POST,
                "/api/medical/stays",
                &stay(
                    &id,
                    "云阳县人民医院",
                    "county",
                    "2026-10-01",
                    "1000",
                    "1000",
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    // Townships read their own; the health commission reads all; education reads none.
    let theirs = app.get(Some(&renhe), "/api/medical/stays").await.json();
    assert_eq!(theirs.as_array().unwrap().len(), 1, "{theirs}");
    assert_eq!(theirs[0]["household_number"], "RH-0001");
    let all = app.get(Some(&weijian), "/api/medical/stays").await.json();
    assert_eq!(all.as_array().unwrap().len(), 2, "{all}");
    assert_eq!(
        app.get(Some(&education), "/api/medical/stays").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(Some(&education), "/medical").await.status,
        StatusCode::FORBIDDEN
    );
    // Neither a township nor the health commission settles.
    for who in [&qinglong, &weijian] {
        let r = app
            .json(
                Some(who),
                Method::POST,
                "/api/medical/stays",
                &stay(
                    &li_id(),
                    "云阳县人民医院",
                    "county",
                    "2026-10-01",
                    "1000",
                    "1000",
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
    let page = app.get(Some(&weijian), "/medical").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("form-stay"),
        "no settlement form for readers"
    );
}

#[tokio::test]
async fn the_out_of_catalogue_watch_flags_a_hospital_above_fifteen_percent_and_the_figures_show_it_per_township()
 {
    let app = App::new().await;
    let yibao = officer(&app, "yibao", Department::MedicalInsurance).await;
    for (id, hospital, total, in_cat) in [
        // 10% out of catalogue: within.
        (zhang_id(), "云阳县人民医院", "10000", "9000"),
        // 20%: above.
        (li_id(), "云阳县中医院", "1000", "800"),
        // Exactly 15%: within (the ceiling is inclusive, compared exactly).
        (wang_id(), "云阳县人民医院", "2000", "1700"),
    ] {
        let r = app
            .json(
                Some(&yibao),
                Method::POST,
                "/api/medical/stays",
                &stay(&id, hospital, "county", "2026-10-12", total, in_cat),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let watch = app
        .get(Some(&yibao), "/api/medical/watch?year=2026")
        .await
        .json();
    assert_eq!(
        watch,
        json!([
            {"month": "2026-10", "hospital": "云阳县中医院", "stays": 1, "total_fen": 100_000,
             "out_of_catalogue_fen": 20_000, "share_bp": 2000, "limit_bp": 1500, "over_limit": true},
            {"month": "2026-10", "hospital": "云阳县人民医院", "stays": 2, "total_fen": 1_200_000,
             "out_of_catalogue_fen": 130_000, "share_bp": 1083, "limit_bp": 1500, "over_limit": false},
        ])
    );
    let page = app.get(Some(&yibao), "/medical").await;
    assert!(page.body.contains("超过 15%"), "{}", page.body);

    let county = app.login(COUNTY).await;
    let figures = app.get(Some(&county), "/api/figures").await.json();
    let by = |code: &str| {
        figures
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["township"] == code)
            .cloned()
            .unwrap()
    };
    // 青龙: ¥11,000 with ¥1,200 out of catalogue (10.9%); 人和: ¥2,000 with ¥300 (15%).
    assert_eq!(by(QINGLONG)["stays"], 2, "{figures}");
    assert_eq!(by(QINGLONG)["out_of_catalogue_fen"], 120_000, "{figures}");
    assert_eq!(by(QINGLONG)["out_over_limit"], false, "{figures}");
    assert_eq!(by(RENHE)["out_over_limit"], false, "{figures}");
}

#[tokio::test]
async fn the_health_commission_marks_family_doctor_signing_for_any_member_and_history_keeps_it() {
    let app = App::new().await;
    let weijian = officer(&app, "weijian", Department::Health).await;
    let wang = app.store.household(&system(), app.wang).await.unwrap();
    let person = wang.members[0].id.0;
    // 王五 is neither ill nor disabled, and still the health commission's: 2.4 is for everyone.
    let list = app
        .get(
            Some(&weijian),
            &format!("/api/medical/health?township={RENHE}"),
        )
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["family_doctor"], true, "{list}");
    let r = app
        .post_form(
            &weijian,
            &format!("/medical/health/{person}"),
            &[("township", RENHE), ("health_record", "on")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = app.store.household(&system(), app.wang).await.unwrap();
    assert!(!after.members[0].fields.family_doctor);
    assert!(after.members[0].fields.health_record);
    let county = app.login(COUNTY).await;
    let history = app
        .get(
            Some(&county),
            &format!("/api/households/{}/history", app.wang.0),
        )
        .await;
    assert!(history.body.contains("家庭医生"), "{}", history.body);
    // The page lists the member as not signed; education may not mark it.
    let page = app
        .get(
            Some(&weijian),
            &format!("/medical/health?township={RENHE}&missing=1"),
        )
        .await;
    assert!(page.body.contains("未签约"), "{}", page.body);
    let education = officer(&app, "jiaoyu", Department::Education).await;
    let r = app
        .json(
            Some(&education),
            Method::POST,
            &format!("/api/persons/{person}/health-services"),
            &json!({"family_doctor": true, "health_record": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A township caseworker of another township does not find the member.
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    let r = app
        .json(
            Some(&qinglong),
            Method::POST,
            &format!("/api/persons/{person}/health-services"),
            &json!({"family_doctor": true, "health_record": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// Makes 张小明 a boarding junior-middle-school student.
async fn make_student(app: &App) -> (i64, i64) {
    let zhang = app.store.household(&system(), app.zhang).await.unwrap();
    let mut fields = zhang.members[1].fields.clone();
    fields.school_stage = Some(SchoolStage::Junior);
    fields.boarding = true;
    app.store
        .update_member(
            &system(),
            zhang.members[1].id,
            zhang.household.version,
            &fields,
        )
        .await
        .unwrap();
    (app.zhang.0, zhang.members[1].id.0)
}

#[tokio::test]
async fn the_education_officer_records_a_school_and_a_delivery_and_the_school_owes_nothing_more() {
    let app = App::new().await;
    let (household, person) = make_student(&app).await;
    let officer = officer(&app, "jiaoyu", Department::Education).await;
    let students = app
        .get(Some(&officer), "/api/education/students?term=2026-autumn")
        .await
        .json();
    assert_eq!(students.as_array().unwrap().len(), 1, "{students}");
    let item = students[0]["items"][0].clone();
    assert_eq!(item["item"], "boarding_subsidy", "{students}");
    assert_eq!(item["delivery"], Value::Null);
    assert!(
        students[0]["explanation"].as_str().unwrap().contains("2.5"),
        "{students}"
    );
    let owed = item["amount_fen"].as_i64().unwrap();
    assert!(owed > 0);

    let r = app
        .post_form(
            &officer,
            "/education/enrol",
            &[
                ("term", "2026-autumn"),
                ("household", &household.to_string()),
                ("person", &person.to_string()),
                ("school", "云阳县青龙初级中学"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let schools = app
        .get(Some(&officer), "/api/education/schools?term=2026-autumn")
        .await
        .json();
    assert_eq!(
        schools,
        json!([{"school": "云阳县青龙初级中学", "students": 1, "items": 1, "value_fen": owed, "delivered": 0}])
    );

    // An item the student is not owed, a day after today, are refused.
    for (item, day, said) in [
        ("senior_tuition", "2026-11-01", "不享受"),
        ("boarding_subsidy", "2026-12-31", "不能晚于今天"),
    ] {
        let r = app
            .json(
                Some(&officer),
                Method::POST,
                "/api/education/deliveries",
                &json!({"household": household, "person": person, "term": "2026-autumn",
                        "item": item, "delivered_on": day}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains(said), "{}", r.body);
    }
    let r = app
        .post_form(
            &officer,
            "/education/deliver",
            &[
                ("term", "2026-autumn"),
                ("household", &household.to_string()),
                ("person", &person.to_string()),
                ("item", "boarding_subsidy"),
                ("delivered_on", "2026-11-20"),
                ("note", "银行代发"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Twice is refused.
    let r = app
        .json(
            Some(&officer),
            Method::POST,
            "/api/education/deliveries",
            &json!({"household": household, "person": person, "term": "2026-autumn",
                    "item": "boarding_subsidy", "delivered_on": "2026-11-21"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let schools = app
        .get(Some(&officer), "/api/education/schools?term=2026-autumn")
        .await
        .json();
    assert_eq!(schools[0]["items"], 0, "{schools}");
    assert_eq!(schools[0]["delivered"], 1, "{schools}");
    let page = app.get(Some(&officer), "/education?term=2026-autumn").await;
    assert!(page.body.contains("已发放"), "{}", page.body);
    assert!(
        app.get(
            Some(&officer),
            "/education/undelivered.xlsx?term=2026-autumn"
        )
        .await
        .raw
        .starts_with(b"PK")
    );

    // Withdrawn, it is owed again; 人和's caseworker cannot touch 青龙's student.
    let students = app
        .get(Some(&officer), "/api/education/students?term=2026-autumn")
        .await
        .json();
    let delivery = students[0]["items"][0]["delivery"].as_i64().unwrap();
    let renhe = app.login(RENHE_CASEWORKER).await;
    let r = app
        .json(
            Some(&renhe),
            Method::POST,
            &format!("/api/education/deliveries/{delivery}/withdraw"),
            &json!({"reason": "录错"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = app
        .json(
            Some(&officer),
            Method::POST,
            &format!("/api/education/deliveries/{delivery}/withdraw"),
            &json!({"reason": "发放日期录错"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let county = app.login(COUNTY).await;
    let figures = app.get(Some(&county), "/api/figures").await.json();
    let qinglong = figures
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["township"] == QINGLONG)
        .cloned()
        .unwrap();
    assert_eq!(qinglong["undelivered_items"], 1, "{figures}");
}

#[tokio::test]
async fn the_special_disease_register_lists_each_member_with_this_years_stays_settled_with_the_disease_on_file()
 {
    let app = App::new().await;
    let li = app.store.household(&system(), app.li).await.unwrap();
    let mut fields = li.members[0].fields.clone();
    fields.special_disease = Some(doudi_core::SpecialDisease::Pneumoconiosis);
    app.store
        .update_member(&system(), li.members[0].id, li.household.version, &fields)
        .await
        .unwrap();
    let yibao = officer(&app, "yibao", Department::MedicalInsurance).await;
    let r = app
        .json(
            Some(&yibao),
            Method::POST,
            "/api/medical/stays",
            &stay(
                &li_id(),
                "云阳县人民医院",
                "county",
                "2026-10-01",
                "1000",
                "1000",
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Tekun: assistance 100% of what insurance left: (1,000 − 500) × 70% = 350 basic, 650 left.
    assert_eq!(r.json()["assistance_fen"], 65_000, "{}", r.body);
    assert!(
        r.body.contains("尘肺病"),
        "the special disease as on file: {}",
        r.body
    );
    let stays = app.get(Some(&yibao), "/api/medical/stays").await.json();
    assert_eq!(stays[0]["special_disease"], "pneumoconiosis", "{stays}");

    let register = app.get(Some(&yibao), "/api/medical/special").await.json();
    assert_eq!(register.as_array().unwrap().len(), 1, "{register}");
    assert_eq!(
        (
            register[0]["disease"].as_str(),
            register[0]["stays"].as_u64(),
            register[0]["assistance_fen"].as_i64()
        ),
        (Some("pneumoconiosis"), Some(1), Some(65_000)),
        "{register}"
    );
    let renhe = app.login(RENHE_CASEWORKER).await;
    assert_eq!(
        app.get(Some(&renhe), "/api/medical/special").await.json(),
        json!([])
    );
    let page = app.get(Some(&yibao), "/medical/special").await;
    assert!(page.body.contains("尘肺病"), "{}", page.body);
}

#[tokio::test]
async fn a_file_of_settlements_is_settled_in_order_all_or_nothing_and_never_twice() {
    let app = App::new().await;
    let yibao = officer(&app, "yibao", Department::MedicalInsurance).await;
    let header = "身份证号码,医院名称,医院级别,县内医院,入院日期,出院日期,住院总费用,医保目录内费用,特殊病种,先诊疗后付费\n";
    // A bad level, a discharge before admission, a repeated stay and a stranger: nothing is
    // recorded and every problem is named by row and column.
    let bad = format!(
        "{header}{z},云阳县人民医院,省级医院,是,2026-10-01,2026-10-05,10000,9000,,是\n\
         {w},云阳县人民医院,县级医院,是,2026-10-09,2026-10-01,1000,900,,否\n\
         {l},云阳县人民医院,县级医院,是,2026-10-01,2026-10-05,1000,900,,否\n\
         {l},云阳县人民医院,县级医院,是,2026-10-01,2026-10-05,1000,900,,否\n\
         11010519491231002X,云阳县人民医院,县级医院,是,2026-10-01,2026-10-05,1000,900,,否\n",
        z = zhang_id(),
        w = wang_id(),
        l = li_id()
    );
    let r = app
        .send(multipart(
            &yibao,
            "/medical/stays/import",
            &[],
            "结算.csv",
            bad.as_bytes(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for said in [
        "第2行「医院级别」列",
        "第3行「出院日期」列：不能早于入院日期",
        "第5行：与前面一行是同一次住院",
        "第6行「身份证号码」列：不是本县",
    ] {
        assert!(r.body.contains(said), "{said}: {}", r.body);
    }
    assert_eq!(
        app.get(Some(&yibao), "/api/medical/stays?year=2026")
            .await
            .json(),
        json!([])
    );

    // The two stays of the hand-worked case in one file: the second counts the first.
    let good = format!(
        "{header}{z},云阳县人民医院,县级医院,是,2026-10-01,2026-10-05,10000,9000,,是\n\
         {z},重庆医科大学附属第一医院,市级及以上医院,否,2026-11-01,2026-11-05,50000,45000,无,否\n",
        z = zhang_id()
    );
    let r = app
        .send(multipart(
            &yibao,
            "/medical/stays/import",
            &[],
            "结算.csv",
            good.as_bytes(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = app
        .get(Some(&yibao), "/api/medical/stays?year=2026")
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    assert_eq!(list[0]["critical_fen"], 351_000, "{list}");
    assert_eq!(list[0]["assistance_fen"], 1_383_200, "{list}");
    assert_eq!(list[1]["treat_first"], true, "{list}");
    // The same file again is refused row by row: those stays are recorded.
    let r = app
        .send(multipart(
            &yibao,
            "/medical/stays/import",
            &[],
            "结算.csv",
            good.as_bytes(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("第2行：这次住院已登记过"), "{}", r.body);
    let template = app.get(Some(&yibao), "/medical/stays-template.xlsx").await;
    assert!(template.raw.starts_with(b"PK"));
}

#[tokio::test]
async fn a_batch_of_stays_over_the_api_is_recorded_all_or_nothing() {
    let app = App::new().await;
    let yibao = officer(&app, "yibao", Department::MedicalInsurance).await;
    let good = stay(
        &wang_id(),
        "云阳县人民医院",
        "county",
        "2026-10-01",
        "1000",
        "1000",
    );
    let bad = stay(
        &li_id(),
        "云阳县人民医院",
        "county",
        "2026-10-01",
        "-5",
        "1000",
    );
    let r = app
        .json(
            Some(&yibao),
            Method::POST,
            "/api/medical/stays/batch",
            &json!([good, bad]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("第2条"), "{}", r.body);
    assert_eq!(
        app.get(Some(&yibao), "/api/medical/stays").await.json(),
        json!([])
    );
    let r = app
        .json(
            Some(&yibao),
            Method::POST,
            "/api/medical/stays/batch",
            &json!([good]),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()[0]["id"].as_i64().is_some(), "{}", r.body);
}

#[tokio::test]
async fn a_schools_file_of_deliveries_is_recorded_all_or_nothing_at_the_value_the_rules_give() {
    let app = App::new().await;
    make_student(&app).await;
    let officer = officer(&app, "jiaoyu", Department::Education).await;
    let xiaoming = id_number((2012, 5, 1), 24).as_str().to_owned();
    let header = "身份证号码,学期,资助项目,发放日期,备注\n";
    let bad = format!(
        "{header}{xiaoming},2026年秋季学期,普通高中免学费,2026-11-20,\n\
         {xiaoming},2026年夏季,寄宿生生活补助,2026-11-20,\n\
         {zhang},2026年秋季学期,寄宿生生活补助,2026-11-20,\n\
         {xiaoming},2026年秋季学期,寄宿生生活补助,2026-11-20,\n\
         {xiaoming},2026-autumn,boarding_subsidy,2026-11-21,\n",
        zhang = zhang_id()
    );
    let r = app
        .send(multipart(
            &officer,
            "/education/deliveries/import",
            &[("term", "2026-autumn")],
            "发放.csv",
            bad.as_bytes(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for said in [
        "第2行「资助项目」列：该学生在2026年秋季学期不享受",
        "第3行「学期」列",
        "第4行「身份证号码」列：该学生在2026年秋季学期不享受教育资助",
        "第6行：与前面一行是同一项发放",
    ] {
        assert!(r.body.contains(said), "{said}: {}", r.body);
    }
    let students = app
        .get(Some(&officer), "/api/education/students?term=2026-autumn")
        .await
        .json();
    assert_eq!(
        students[0]["items"][0]["delivery"],
        Value::Null,
        "nothing recorded"
    );

    let good = format!("{header}{xiaoming},2026年秋季学期,寄宿生生活补助,2026-11-20,银行代发\n");
    let r = app
        .send(multipart(
            &officer,
            "/education/deliveries/import",
            &[("term", "2026-autumn")],
            "发放.csv",
            good.as_bytes(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let students = app
        .get(Some(&officer), "/api/education/students?term=2026-autumn")
        .await
        .json();
    assert!(
        students[0]["items"][0]["delivery"].as_i64().is_some(),
        "{students}"
    );
    let r = app
        .send(multipart(
            &officer,
            "/education/deliveries/import",
            &[("term", "2026-autumn")],
            "发放.csv",
            good.as_bytes(),
        ))
        .await;
    assert!(
        r.body.contains("已登记发放"),
        "the same file again: {}",
        r.body
    );
    assert!(
        app.get(Some(&officer), "/education/deliveries-template.xlsx")
            .await
            .raw
            .starts_with(b"PK")
    );
}

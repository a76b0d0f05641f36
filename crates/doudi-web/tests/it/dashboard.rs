//! The work dashboard (4.4), 两不愁三保障 (1.3) and the classified ledgers (4.2.a): every chart
//! draws exactly the cells of the table beneath it, a township sees only its own numbers, every
//! table and ledger downloads as Excel with its headers, and names stay masked.

use axum::http::StatusCode;
use doudi_core::Month;
use serde_json::Value;

use crate::support::*;

/// Zhang (dibao, 2 people, ¥660) and Li (tekun, 1 person, ¥350.50) receive support from
/// 2026-11, whose payment lines are made; Wang (人和) receives nothing.
async fn supported(app: &App) {
    let entry = |household, program, fen| doudi_store::casework::ImportedEntitlement {
        household,
        program,
        monthly_fen: fen,
        from: Month::parse("2026-11").unwrap(),
        review_class: doudi_core::casework::ReviewClass::Stable,
        next_review: chrono::NaiveDate::from_ymd_opt(2027, 11, 1).unwrap(),
        reference: "云民〔2025〕1号".into(),
    };
    app.store
        .import_entitlements(
            &system(),
            &[
                entry(app.zhang, doudi_core::Category::Dibao, 66_000),
                entry(app.li, doudi_core::Category::Tekun, 35_050),
            ],
        )
        .await
        .unwrap();
    app.store
        .run_payments(&system(), Month::parse("2026-11").unwrap(), today())
        .await
        .unwrap();
}

/// Undoes askama's escaping of text and attribute values.
fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&lt;", "<")
        .replace("&#62;", ">")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// Every `data-chart` on the page with its `data-table`.
fn charts(body: &str) -> Vec<(Value, String)> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("data-chart=\"") {
        rest = &rest[at + "data-chart=\"".len()..];
        let end = rest.find('"').unwrap();
        let chart: Value = serde_json::from_str(&unescape(&rest[..end])).unwrap();
        rest = &rest[end..];
        let t = rest.find("data-table=\"").unwrap() + "data-table=\"".len();
        let table = rest[t..t + rest[t..].find('"').unwrap()].to_owned();
        out.push((chart, table));
    }
    out
}

/// The text of each cell of a table: (headers, rows).
fn table(body: &str, id: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let start = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no table {id}"));
    let html = &body[start..start + body[start..].find("</table>").unwrap()];
    let cells = |row: &str, tag: &str| -> Vec<String> {
        row.split(&format!("<{tag}"))
            .skip(1)
            .filter(|c| c.starts_with('>') || c.starts_with(' '))
            .map(|c| {
                let c = &c[c.find('>').unwrap() + 1..c.find(&format!("</{tag}>")).unwrap()];
                // Strip inner tags (links).
                let mut text = String::new();
                let mut in_tag = false;
                for ch in c.chars() {
                    match ch {
                        '<' => in_tag = true,
                        '>' => in_tag = false,
                        _ if !in_tag => text.push(ch),
                        _ => {}
                    }
                }
                unescape(text.trim())
            })
            .collect()
    };
    let (head, body) = html.split_once("<tbody>").unwrap();
    let headers = cells(head, "th");
    let rows = body.split("<tr").skip(1).map(|r| cells(r, "td")).collect();
    (headers, rows)
}

/// Asserts that every chart of a page draws its table's first column and named columns.
fn assert_charts_match_tables(body: &str) -> usize {
    let all = charts(body);
    for (chart, id) in &all {
        let (headers, rows) = table(body, id);
        let x: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
        assert_eq!(chart["x"], serde_json::json!(x), "{id}: x");
        for series in chart["series"].as_array().unwrap() {
            let column = series["column"].as_u64().unwrap() as usize;
            assert_eq!(series["name"], headers[column].as_str(), "{id}: name");
            let data: Vec<String> = rows.iter().map(|r| r[column].clone()).collect();
            assert_eq!(
                series["data"],
                serde_json::json!(data),
                "{id}: column {column}"
            );
        }
    }
    all.len()
}

#[tokio::test]
async fn every_chart_of_the_dashboard_draws_the_cells_of_the_table_beneath_it() {
    let app = App::new().await;
    supported(&app).await;
    let county = app.login(COUNTY).await;
    let page = app.get(Some(&county), "/dashboard").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("/static/echarts.min.js?v="));
    assert_eq!(assert_charts_match_tables(&page.body), 5);
    // November: one dibao household of two, one tekun household of one.
    let (_, months) = table(&page.body, "table-categories");
    assert_eq!(months.len(), 12);
    assert_eq!(months[11], ["2026-11", "1", "2", "1", "1"]);
    assert_eq!(months[10], ["2026-10", "0", "0", "0", "0"]);
    let (_, payments) = table(&page.body, "table-payments");
    assert_eq!(
        payments[11],
        ["2026-11", "2", "1010.50", "660.00", "350.50", "0.00"]
    );
    let (_, causes) = table(&page.body, "table-causes");
    assert!(causes.contains(&vec!["因病".to_owned(), "3".to_owned()]));
    let (headers, kpis) = table(&page.body, "table-kpis");
    assert_eq!(headers[0], "乡镇（街道）");
    assert_eq!(kpis.len(), 2, "{kpis:?}");
    // 青龙: two households, no cadre yet, three members all signed with a family doctor.
    assert_eq!(kpis[0][1], "2");
    assert_eq!(kpis[0][6], "100.0");
    assert_eq!(kpis[0][8], "0.0");
    // The 2.2.b target of 2026 is 50%.
    assert_eq!(kpis[0][5], "50.0");

    // The month picker moves the window; a future month is refused.
    let october = app.get(Some(&county), "/dashboard?month=2026-10").await;
    let (_, months) = table(&october.body, "table-categories");
    assert_eq!(months[11][0], "2026-10");
    assert_eq!(months[0][0], "2025-11");
    let future = app.get(Some(&county), "/dashboard?month=2027-01").await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.body.contains("月份不能晚于本月"));
}

#[tokio::test]
async fn the_guarantee_page_draws_its_table_and_lists_each_failing_dimension_with_its_reason() {
    let app = App::new().await;
    supported(&app).await;
    let county = app.login(COUNTY).await;
    let page = app.get(Some(&county), "/dashboard/guarantees").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(assert_charts_match_tables(&page.body), 1);
    let (headers, counts) = table(&page.body, "table-guarantees");
    assert_eq!(
        headers,
        [
            "乡镇（街道）",
            "户数",
            "不愁吃",
            "不愁穿",
            "基本医疗有保障",
            "义务教育有保障",
            "住房安全有保障"
        ]
    );
    // 青龙: Zhang's 14-year-old is not at school; both households are supported.
    assert_eq!(counts[0][1..], ["2", "0", "0", "0", "1", "0"]);
    // 人和: Wang has no support and no income.
    assert_eq!(counts[1][1..], ["1", "1", "1", "0", "0", "0"]);
    let (_, failing) = table(&page.body, "failing");
    assert_eq!(failing.len(), 2);
    assert_eq!(failing[0][0], "QL-0001");
    assert_eq!(failing[0][2], "张*丰");
    assert_eq!(failing[0][4], "义务教育有保障");
    assert!(failing[0][5].contains("1名义务教育阶段适龄儿童未在校"));
    assert_eq!(failing[1][4], "不愁吃、不愁穿");
    assert!(failing[1][5].contains("未享受低保或特困供养"));
    assert!(!page.body.contains("张三丰"));
}

#[tokio::test]
async fn a_township_sees_only_its_own_numbers_and_cannot_ask_for_another() {
    let app = App::new().await;
    supported(&app).await;
    let qinglong = app.login(QINGLONG_CASEWORKER).await;
    let api = app.get(Some(&qinglong), "/api/dashboard").await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let json = api.json();
    let townships: Vec<&str> = json["townships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["township"].as_str().unwrap())
        .collect();
    assert_eq!(townships, [QINGLONG]);
    assert_eq!(json["months"][11]["payment_fen"], 101_050);

    let renhe = app.login(RENHE_CASEWORKER).await;
    let json = app.get(Some(&renhe), "/api/dashboard").await.json();
    assert_eq!(json["townships"].as_array().unwrap().len(), 1);
    assert_eq!(json["townships"][0]["township"], RENHE);
    assert_eq!(json["months"][11]["dibao_households"], 0);
    assert_eq!(json["months"][11]["payment_fen"], 0);
    let other = app
        .get(Some(&renhe), &format!("/api/dashboard?township={QINGLONG}"))
        .await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = app.get(Some(&renhe), "/dashboard/guarantees").await;
    assert!(!page.body.contains("QL-0001"));
    assert!(page.body.contains("RH-0001"));

    // The county narrows to one township.
    let county = app.login(COUNTY).await;
    let json = app
        .get(Some(&county), &format!("/api/dashboard?township={RENHE}"))
        .await
        .json();
    assert_eq!(json["township"], RENHE);
    assert_eq!(json["townships"].as_array().unwrap().len(), 1);
    let bad = app.get(Some(&county), "/api/dashboard?township=abc").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Reads an XLSX download with calamine (through the exchange crate's reader).
fn sheet(reply: &Reply) -> (Vec<String>, Vec<String>) {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let sheet = doudi_exchange::read::read_file("x.xlsx", &reply.raw).unwrap();
    let rows = sheet
        .rows
        .iter()
        .map(|(_, cells)| format!("{cells:?}"))
        .collect();
    (sheet.headers, rows)
}

#[tokio::test]
async fn every_dashboard_table_and_every_ledger_downloads_as_excel_with_its_headers() {
    let app = App::new().await;
    supported(&app).await;
    let county = app.login(COUNTY).await;
    for (block, header, row) in [
        ("categories", "月份", "2026-11"),
        ("payments", "发放金额（元）", "1010.50"),
        ("causes", "致困原因", "因病"),
        ("needs", "帮扶需求", "生活救助"),
        ("kpis", "集中供养率（%）", "青龙"),
    ] {
        let (headers, rows) = sheet(
            &app.get(Some(&county), &format!("/dashboard.xlsx?block={block}"))
                .await,
        );
        assert!(headers.iter().any(|h| h == header), "{block}: {headers:?}");
        assert!(rows.iter().any(|r| r.contains(row)), "{block}: {rows:?}");
    }
    let missing = app.get(Some(&county), "/dashboard.xlsx").await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (headers, rows) = sheet(
        &app.get(Some(&county), "/dashboard/guarantees.xlsx?table=households")
            .await,
    );
    assert_eq!(headers[4], "未保障维度");
    assert!(rows[0].contains("QL-0001") && rows[0].contains("张*丰"));
    let (headers, _) = sheet(
        &app.get(Some(&county), "/dashboard/guarantees.xlsx?table=townships")
            .await,
    );
    assert_eq!(headers[2], "不愁吃");

    let ledgers = app.get(Some(&county), "/ledgers").await;
    assert_eq!(ledgers.status, StatusCode::OK);
    assert!(ledgers.body.contains("href=\"/ledgers/dibao\""));
    let (headers, rows) = sheet(&app.get(Some(&county), "/ledgers/dibao").await);
    assert_eq!(
        headers,
        [
            "乡镇（街道）",
            "社区",
            "户编号",
            "户主",
            "身份证号",
            "家庭人口",
            "保障人数",
            "月保障金（元）",
            "起始月份",
            "致困原因"
        ]
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    let zhang = rows.iter().find(|r| r.contains("QL-0001")).unwrap();
    for cell in [
        "青龙",
        "张*丰",
        "660.00",
        "2026-11",
        "因病",
        "500235********",
    ] {
        assert!(zhang.contains(cell), "{cell}: {zhang}");
    }
    assert!(!zhang.contains("张三丰"));
    let (headers, rows) = sheet(&app.get(Some(&county), "/ledgers/tekun").await);
    assert_eq!(headers[5], "供养方式");
    assert_eq!(rows.len(), 1);
    for cell in ["李*", "分散供养", "全自理", "350.50"] {
        assert!(rows[0].contains(cell), "{cell}: {}", rows[0]);
    }
    let (headers, rows) = sheet(&app.get(Some(&county), "/ledgers/causes").await);
    assert_eq!(headers[0], "致困原因");
    assert_eq!(rows.len(), 3);
    let (headers, _) = sheet(&app.get(Some(&county), "/ledgers/needs").await);
    assert_eq!(headers[0], "帮扶需求");
    let (headers, rows) = sheet(&app.get(Some(&county), "/ledgers/townships").await);
    assert_eq!(headers[3], "低保月保障金（元）");
    assert!(rows[0].contains("青龙") && rows[0].contains("660.00"));
    let unknown = app.get(Some(&county), "/ledgers/other").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // A township's ledger holds only its own households.
    let renhe = app.login(RENHE_CASEWORKER).await;
    let (_, rows) = sheet(&app.get(Some(&renhe), "/ledgers/dibao").await);
    assert_eq!(rows.len(), 1);
    assert!(rows[0].contains("RH-0001"));
}

#[tokio::test]
async fn a_ledger_export_is_audited_once_under_the_reader_with_counts_only() {
    let app = App::new().await;
    supported(&app).await;
    let county = app.login(COUNTY).await;
    assert_eq!(
        app.get(Some(&county), "/ledgers/dibao").await.status,
        StatusCode::OK
    );
    let auditor = app.login(AUDITOR).await;
    let trail = app.get(Some(&auditor), "/api/audit?action=export").await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.body);
    let text = trail.body;
    assert_eq!(text.matches("导出城市低保对象台账").count(), 1, "{text}");
    assert!(text.contains("2行，2户（仅计数）"));
    assert!(!text.contains("张三丰"));
}

#[tokio::test]
async fn a_dashboard_computed_lately_is_served_as_computed_and_each_reading_is_recorded() {
    let app = App::new().await;
    supported(&app).await;
    let county = doudi_core::Actor {
        role: doudi_core::Role::CountyApprover,
        scope: doudi_core::Scope::County,
        ..system()
    };
    let first = app.uses.dashboard(&county, None, None).await.unwrap();
    let trail = app.store.audit_head().await.unwrap().unwrap().seq;
    let second = app.uses.dashboard(&county, None, None).await.unwrap();
    assert_eq!(first, second, "the same figures, computed once");
    let after = app.store.audit_head().await.unwrap().unwrap().seq;
    assert_eq!(after, trail + 1, "the second reading is recorded too");
    // Ten minutes later it is computed again.
    app.clock.advance(chrono::TimeDelta::minutes(
        doudi_app::dashboard::FRESH_MINUTES,
    ));
    let third = app.uses.dashboard(&county, None, None).await.unwrap();
    assert!(third.built_at > first.built_at);

    // 两不愁三保障 too, kept per role (its list masks names for the reader's role).
    let first = app.uses.guarantees(&county, None).await.unwrap();
    let second = app.uses.guarantees(&county, None).await.unwrap();
    assert_eq!(first, second);
    let auditor = doudi_core::Actor {
        role: doudi_core::Role::Auditor,
        ..county.clone()
    };
    let theirs = app.uses.guarantees(&auditor, None).await.unwrap();
    assert_eq!(theirs.townships, first.townships);
}

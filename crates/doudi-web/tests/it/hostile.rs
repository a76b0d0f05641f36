//! Input that used to crash a request (issue 10, item 4): a month written as `年月`, a year
//! beyond the calendar, a NUL byte in any field. Each answers a 4xx in Chinese that says what is
//! wrong, and nothing is written. The property run over the whole API is `property.rs`.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::*;

/// `年月` percent-encoded, as a browser sends it.
const NIANYUE: &str = "%E5%B9%B4%E6%9C%88";

#[tokio::test]
async fn a_month_written_in_chinese_is_refused_on_every_route_that_reads_a_month() {
    let app = App::new().await;
    let county = app.login(COUNTY).await;
    let id = app.zhang.0;
    for uri in [
        format!("/api/payments/{NIANYUE}"),
        format!("/api/households/{id}/entitlement?month={NIANYUE}"),
        format!("/households/{id}/entitlement?month={NIANYUE}"),
        format!("/payments?month={NIANYUE}"),
    ] {
        let reply = app.get(Some(&county), &uri).await;
        assert!(
            reply.status.is_client_error(),
            "GET {uri}: {} {}",
            reply.status,
            reply.body
        );
        assert!(reply.body.contains("年月"), "GET {uri} names the bad month");
    }
    for uri in [
        format!("/api/payments/{NIANYUE}"),
        format!("/api/payments/{NIANYUE}/results"),
    ] {
        let reply = app
            .json(Some(&county), Method::POST, &uri, &json!([]))
            .await;
        assert!(
            reply.status.is_client_error(),
            "POST {uri}: {}",
            reply.status
        );
    }
    let reply = app
        .post_form(&county, "/payments", &[("month", "年月")])
        .await;
    assert!(reply.status.is_client_error(), "{}", reply.status);
    let reply = app
        .json(
            Some(&county),
            Method::POST,
            &format!("/api/households/{id}/finances"),
            &json!({"version": 1, "change": {"op": "put_income", "person_id": 1,
                    "month": "年月", "kind": "wages", "amount_fen": 100}}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn a_care_kpi_year_beyond_the_calendar_is_refused_in_chinese() {
    let app = App::new().await;
    let county = app.login(COUNTY).await;
    for year in ["999999", "10000", "1899", "-1", "2147483647"] {
        let reply = app
            .get(Some(&county), &format!("/api/care/kpi?year={year}"))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{year}");
        assert!(
            reply.json()["fields"]["year"]
                .as_str()
                .unwrap()
                .contains("年度"),
            "{year}: {}",
            reply.body
        );
    }
    let reply = app.get(Some(&county), "/api/care/kpi?year=2026").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn a_nul_byte_in_a_login_is_refused_naming_the_field() {
    let app = App::new().await;
    let reply = app
        .json(
            None,
            Method::POST,
            "/api/login",
            &json!({"username": "coun\u{0}ty", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert!(
        reply.json()["fields"]["username"]
            .as_str()
            .unwrap()
            .contains("控制字符")
    );
    let reply = app
        .send(form_request(
            Method::POST,
            "/login",
            None,
            &[("username", COUNTY), ("password", "a\u{0}b")],
        ))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("password") && reply.body.contains("控制字符"));
}

#[tokio::test]
async fn a_control_character_in_a_query_or_a_household_is_refused_and_nothing_is_written() {
    let app = App::new().await;
    let county = app.login(COUNTY).await;
    let reply = app.get(Some(&county), "/api/households?q=%00").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.json()["fields"]["q"].is_string());
    let reply = app.get(Some(&county), "/households?q=%E5%BC%A0%08").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reply = app.get(Some(&county), "/notices/500235002001%00").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);

    let before = app.household_count().await;
    let id = app.zhang.0;
    let current = app
        .get(Some(&county), &format!("/api/households/{id}"))
        .await;
    let mut fields = current.json()["fields"].clone();
    fields["address"] = json!("滨江路\u{0}88号");
    let reply = app
        .json(
            Some(&county),
            Method::PUT,
            &format!("/api/households/{id}"),
            &json!({"version": current.json()["version"], "fields": fields}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert!(
        reply.json()["fields"]["fields.address"].is_string(),
        "{}",
        reply.body
    );
    let after = app
        .get(Some(&county), &format!("/api/households/{id}"))
        .await;
    assert_eq!(after.json()["version"], current.json()["version"]);
    assert_eq!(app.household_count().await, before);

    // Tabs and line breaks are text, not control: a multi-line note still passes the edge.
    let reply = app
        .get(Some(&county), "/api/households?q=%E5%BC%A0%09")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn an_income_of_a_member_index_at_the_i64_bound_is_refused_not_overflowed() {
    let app = App::new().await;
    let county = app.login(COUNTY).await;
    let id = id_number((1980, 1, 1), 77).to_string();
    for index in [i64::MAX, i64::MIN, -1, 1] {
        let body = json!({
            "fields": {"number": "FZ-0001", "township": QINGLONG, "community": QINGLONG_1,
                       "category": "dibao", "enrolled_on": "2025-03-01", "address": "滨江路1号",
                       "housing": "owned"},
            "members": [{"name": "赵六", "id_number": id, "relation": "head", "self_care": "full",
                         "work_capacity": "full", "employment": "unemployed",
                         "insurance": "resident"}],
            "incomes": [{"member_index": index, "month": "2026-10", "kind": "wages",
                         "amount_fen": 100}]
        });
        let reply = app
            .json(Some(&county), Method::POST, "/api/households", &body)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{index}: {}",
            reply.body
        );
    }
}

#[tokio::test]
async fn audit_dates_at_the_ends_of_the_calendar_are_answered_not_panicked() {
    let app = App::new().await;
    let auditor = app.login(AUDITOR).await;
    for date in [
        "-262144-01-01",
        "+262143-12-31",
        "0000-01-01",
        "9999-12-31",
        "年月日",
    ] {
        for uri in [
            format!("/audit?from={}&until={}", encode(date), encode(date)),
            format!("/api/audit?from={}&until={}", encode(date), encode(date)),
        ] {
            let reply = app.get(Some(&auditor), &uri).await;
            assert!(
                !reply.status.is_server_error(),
                "{uri}: {} {}",
                reply.status,
                reply.body
            );
        }
    }
}

#[tokio::test]
async fn a_client_that_never_finishes_its_body_is_answered_408_and_nothing_is_written() {
    use axum::body::Body;
    use axum::http::Request;
    use futures_util::StreamExt;
    use tower::ServiceExt;

    let app = App::new().await;
    let county = app.login(COUNTY).await;
    let router = doudi_web::router(
        app.uses.clone(),
        doudi_web::WebConfig {
            request_timeout: std::time::Duration::from_millis(500),
            ..doudi_web::WebConfig::default()
        },
    );
    let before = app.household_count().await;
    // A form body that sends its first bytes and then nothing more, ever.
    let first = futures_util::stream::once(async {
        Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"number=QL-9"))
    });
    let stalled = first.chain(futures_util::stream::pending());
    let request = Request::builder()
        .method(Method::POST)
        .uri("/households/new")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &county.cookie)
        .header("x-csrf-token", &county.csrf)
        .body(Body::from_stream(stalled))
        .unwrap();
    let started = std::time::Instant::now();
    let response = router.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let body = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&body).contains("请求超时"));
    assert_eq!(app.household_count().await, before);
}

#[tokio::test]
async fn malformed_cookies_are_treated_as_no_session_never_an_error() {
    let app = App::new().await;
    for cookie in [
        "doudi_session=",
        "doudi_session=%%%%",
        ";;;===;",
        "doudi_session=a; doudi_session=b",
        &format!("doudi_session={}", "x".repeat(8000)),
    ] {
        let request = axum::http::Request::builder()
            .uri("/api/me")
            .header("cookie", cookie)
            .body(axum::body::Body::empty())
            .unwrap();
        let reply = app.send(request).await;
        assert!(
            matches!(
                reply.status,
                StatusCode::UNAUTHORIZED | StatusCode::BAD_REQUEST
            ),
            "{cookie:?}: {} {}",
            reply.status,
            reply.body
        );
    }
}

#[tokio::test]
async fn an_oversized_upload_or_json_body_is_refused_in_chinese_and_nothing_is_written() {
    let app = App::new().await;
    let county = app.login(COUNTY).await;
    let before = app.household_count().await;

    // A household file over the 20 MiB an upload may have.
    let mut big = "户编号,姓名\n".as_bytes().to_vec();
    big.resize(21 * 1024 * 1024, b'x');
    let reply = app
        .send(multipart(
            &county,
            "/households/import",
            &[("mode", "add")],
            "家庭.csv",
            &big,
        ))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    assert!(reply.body.contains("上传的文件过大"), "{}", reply.body);

    // A JSON body over what the API reads.
    let name = "张".repeat(1024 * 1024);
    let reply = app
        .json(
            Some(&county),
            Method::POST,
            "/api/households",
            &json!({"fields": {"address": name}}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    let message = reply.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("过大"), "{}", reply.body);
    assert!(!message.contains("length limit"), "no English: {message}");
    assert_eq!(app.household_count().await, before);
}

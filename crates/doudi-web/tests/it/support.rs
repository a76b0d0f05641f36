//! Test support: a fresh application on an in-memory SQLite store with divisions, users of
//! several roles and a few households, and a small client that keeps the session cookie and
//! CSRF token.

use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::NaiveDate;
use doudi_core::{
    Actor, Category, Division, DivisionCode, DivisionKind, Employment, HealthInsurance,
    HouseholdFields, HouseholdId, Housing, IdNumber, Income, IncomeKind, Money, Month,
    NewHousehold, PersonFields, PersonId, PersonName, PovertyCause, Relation, Role, Scope,
    SelfCare, WorkCapacity,
};
use doudi_store::{NewUser, Store};
use doudi_web::{Clock, WebConfig};
use serde_json::Value;
use tower::ServiceExt;

/// 青龙街道.
pub const QINGLONG: &str = "500235002";
/// 复兴社区 of 青龙街道.
pub const QINGLONG_1: &str = "500235002001";
/// 滨江社区 of 青龙街道.
pub const QINGLONG_2: &str = "500235002002";
/// 人和街道.
pub const RENHE: &str = "500235003";
/// 人和社区 of 人和街道.
pub const RENHE_1: &str = "500235003001";

/// The password of every test user.
pub const PASSWORD: &str = "云阳-test-2026";

/// The date the tests pretend it is.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

// Hashing with argon2 takes a while: every test user shares one hash.
static HASH: LazyLock<String> = LazyLock::new(|| doudi_app::accounts::hash_password(PASSWORD));

/// A valid identity number born on a date, distinct by sequence.
pub fn id_number(birth: (i32, u32, u32), sequence: u16) -> IdNumber {
    IdNumber::from_parts(
        "500235",
        NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).unwrap(),
        sequence,
    )
}

/// A member with ordinary defaults.
pub fn person(name: &str, relation: Relation, id: IdNumber) -> PersonFields {
    PersonFields {
        name: PersonName::parse(name).unwrap(),
        id_number: id,
        relation,
        disability: None,
        serious_illness: false,
        disease: String::new(),
        special_disease: None,
        self_care: SelfCare::Full,
        work_capacity: WorkCapacity::Full,
        willing_to_work: true,
        employment: Employment::Unemployed,
        school_stage: None,
        boarding: false,
        insurance: HealthInsurance::Resident,
        family_doctor: true,
        health_record: false,
        phone: None,
    }
}

/// A household of a community, with its members (the first is the head).
pub fn household(
    number: &str,
    community: &str,
    category: Category,
    members: Vec<PersonFields>,
) -> NewHousehold {
    let community = DivisionCode::parse(community).unwrap();
    NewHousehold {
        fields: HouseholdFields {
            number: number.into(),
            township: community.township(),
            community,
            category,
            enrolled_on: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
            exited_on: None,
            address: "滨江路88号".into(),
            phone: None,
            bank_account: None,
            housing: Housing::Owned,
            causes: vec![PovertyCause::Illness],
            needs: vec![],
        },
        members,
        incomes: vec![],
        assets: vec![],
        expenses: vec![],
        survey: None,
    }
}

/// The county, acting from the command line.
pub fn system() -> Actor {
    Actor::system("测试数据")
}

/// The application under test and its store.
pub struct App {
    pub router: Router,
    pub store: Arc<dyn Store>,
    /// 张三丰's household in 青龙街道 (dibao, two members, an income).
    pub zhang: HouseholdId,
    /// 李四's household in 青龙街道 (tekun).
    pub li: HouseholdId,
    /// 王五's household in 人和街道 (dibao).
    pub wang: HouseholdId,
    /// The clock sessions, the login lockout and "today" read; tests move it.
    pub clock: Clock,
    /// The use cases behind the router (the same store and clock).
    pub uses: doudi_web::App,
}

/// Users of the test application, by login name.
pub const QINGLONG_CASEWORKER: &str = "qinglong";
pub const RENHE_CASEWORKER: &str = "renhe";
pub const COUNTY: &str = "county";
pub const AUDITOR: &str = "auditor";
pub const NEWCOMER: &str = "newcomer";

async fn user(
    store: &Arc<dyn Store>,
    username: &str,
    name: &str,
    role: Role,
    scope: Scope,
    must_change: bool,
) {
    store
        .create_user(
            &system(),
            &NewUser {
                username: username.into(),
                display_name: name.into(),
                role,
                scope,
                department: None,
                password_hash: HASH.clone(),
                must_change_password: must_change,
            },
        )
        .await
        .unwrap();
}

/// The data key of the test stores.
pub fn test_keys() -> doudi_store::Keys {
    doudi_store::Keys::from_bytes(&[0x5a; 32])
}

fn division(code: &str, name: &str) -> Division {
    let code = DivisionCode::parse(code).unwrap();
    Division {
        parent: Some(code.township()),
        code,
        name: name.into(),
        kind: DivisionKind::Community,
    }
}

impl App {
    /// A fresh application with divisions, users and three households.
    pub async fn new() -> App {
        App::on("sqlite::memory:").await
    }

    /// The same on the (empty) database at `url`.
    pub async fn on(url: &str) -> App {
        let store = doudi_store::connect(url, crate::support::test_keys())
            .await
            .expect("the test database opens");
        for (code, name) in [
            (QINGLONG_1, "复兴社区"),
            (QINGLONG_2, "滨江社区"),
            (RENHE_1, "人和社区"),
        ] {
            store
                .put_community(&system(), &division(code, name))
                .await
                .unwrap();
        }
        let township = |c: &str| Scope::Division(DivisionCode::parse(c).unwrap());
        user(
            &store,
            QINGLONG_CASEWORKER,
            "青龙经办员",
            Role::TownshipCaseworker,
            township(QINGLONG),
            false,
        )
        .await;
        user(
            &store,
            RENHE_CASEWORKER,
            "人和经办员",
            Role::TownshipCaseworker,
            township(RENHE),
            false,
        )
        .await;
        user(
            &store,
            COUNTY,
            "县局审批员",
            Role::CountyApprover,
            Scope::County,
            false,
        )
        .await;
        user(
            &store,
            AUDITOR,
            "审计员",
            Role::Auditor,
            Scope::County,
            false,
        )
        .await;
        user(
            &store,
            NEWCOMER,
            "新来的经办员",
            Role::TownshipCaseworker,
            township(QINGLONG),
            true,
        )
        .await;

        let mut zhang = household(
            "QL-0001",
            QINGLONG_1,
            Category::Dibao,
            vec![
                person("张三丰", Relation::Head, id_number((1956, 12, 15), 13)),
                person("张小明", Relation::Child, id_number((2012, 5, 1), 24)),
            ],
        );
        zhang.incomes = vec![
            Income {
                person: PersonId(0),
                month: Month::new(2026, 9).unwrap(),
                kind: IncomeKind::Pension,
                amount: Money::from_yuan(600),
            },
            Income {
                person: PersonId(0),
                month: Month::new(2026, 10).unwrap(),
                kind: IncomeKind::Pension,
                amount: Money::from_yuan(600),
            },
            Income {
                person: PersonId(1),
                month: Month::new(2026, 10).unwrap(),
                kind: IncomeKind::Wages,
                amount: Money::from_fen(30_050),
            },
        ];
        let li = household(
            "QL-0002",
            QINGLONG_2,
            Category::Tekun,
            vec![person("李四", Relation::Head, id_number((1948, 2, 3), 31))],
        );
        let wang = household(
            "RH-0001",
            RENHE_1,
            Category::Dibao,
            vec![person("王五", Relation::Head, id_number((1970, 7, 7), 45))],
        );
        let zhang = store.create_household(&system(), &zhang).await.unwrap();
        let li = store.create_household(&system(), &li).await.unwrap();
        let wang = store.create_household(&system(), &wang).await.unwrap();

        // One clock for sessions, the lockout and "today": ten in the morning of `today()` in
        // China, standing still until a test moves it.
        let clock = Clock::fixed_on(today());
        let uses = doudi_web::App::new(store.clone(), None, clock.clone());
        let config = WebConfig::default();
        App {
            router: doudi_web::router(uses.clone(), config),
            uses,
            store,
            zhang,
            li,
            wang,
            clock,
        }
    }

    /// Adds an account with the test password that need not be changed; returns its id.
    pub async fn add_user(
        &self,
        username: &str,
        role: Role,
        scope: Scope,
        department: Option<doudi_core::Department>,
    ) -> i64 {
        self.store
            .create_user(
                &system(),
                &NewUser {
                    username: username.into(),
                    display_name: format!("{}测试", role.label()),
                    role,
                    scope,
                    department,
                    password_hash: HASH.clone(),
                    must_change_password: false,
                },
            )
            .await
            .unwrap()
    }

    /// Sends a request through the router.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            raw: bytes.to_vec(),
        }
    }

    /// Logs in through the login page and returns a client with the session.
    pub async fn login(&self, username: &str) -> Client {
        let reply = self
            .send(form_request(
                Method::POST,
                "/login",
                None,
                &[("username", username), ("password", PASSWORD)],
            ))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "login of {username} failed: {}",
            reply.body
        );
        let cookie = reply
            .session_cookie()
            .expect("login sets the session cookie");
        let me = self.send(get_request("/api/me", Some(&cookie))).await;
        let csrf = me.json()["csrf_token"].as_str().unwrap().to_owned();
        Client { cookie, csrf }
    }

    /// GET with an optional session.
    pub async fn get(&self, client: Option<&Client>, uri: &str) -> Reply {
        self.send(get_request(uri, client.map(|c| c.cookie.as_str())))
            .await
    }

    /// POSTs a form with the client's session and CSRF token.
    pub async fn post_form(&self, client: &Client, uri: &str, fields: &[(&str, &str)]) -> Reply {
        let mut fields = fields.to_vec();
        fields.push(("_csrf", &client.csrf));
        self.send(form_request(
            Method::POST,
            uri,
            Some(&client.cookie),
            &fields,
        ))
        .await
    }

    /// Sends JSON with the client's session and CSRF token.
    pub async fn json(
        &self,
        client: Option<&Client>,
        method: Method,
        uri: &str,
        body: &Value,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(c) = client {
            request = request
                .header(header::COOKIE, format!("doudi_session={}", c.cookie))
                .header("x-csrf-token", &c.csrf);
        }
        self.send(request.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// How many households the county sees, exited ones included.
    pub async fn household_count(&self) -> i64 {
        let filter = doudi_store::HouseholdFilter {
            include_exited: true,
            ..Default::default()
        };
        let page = doudi_store::Page {
            offset: 0,
            limit: 1,
        };
        self.store
            .households(&system(), &filter, page)
            .await
            .unwrap()
            .total
    }
}

/// A logged-in client: the session token and its CSRF token.
pub struct Client {
    pub cookie: String,
    pub csrf: String,
}

/// A response, read.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (a download's bytes).
    pub raw: Vec<u8>,
}

impl Reply {
    /// The JSON body.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Where a redirect leads.
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .map_or("", |v| v.to_str().unwrap())
    }

    /// The `Set-Cookie` header.
    pub fn set_cookie(&self) -> &str {
        self.headers
            .get(header::SET_COOKIE)
            .map_or("", |v| v.to_str().unwrap())
    }

    /// The session token the response sets, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookie()
            .strip_prefix("doudi_session=")
            .and_then(|rest| rest.split(';').next())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    }
}

/// Percent-encodes a form value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub fn get_request(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::builder().uri(uri);
    if let Some(c) = cookie {
        request = request.header(header::COOKIE, format!("doudi_session={c}"));
    }
    request.body(Body::empty()).unwrap()
}

pub fn form_request(
    method: Method,
    uri: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> Request<Body> {
    let body: Vec<String> = fields
        .iter()
        .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
        .collect();
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        request = request.header(header::COOKIE, format!("doudi_session={c}"));
    }
    request.body(Body::from(body.join("&"))).unwrap()
}

/// A `multipart/form-data` POST of `fields` and a file (the field `file`) with the client's
/// session and CSRF token.
pub fn multipart(
    client: &Client,
    uri: &str,
    fields: &[(&str, &str)],
    name: &str,
    content: &[u8],
) -> Request<Body> {
    let mut body = Vec::new();
    let csrf = [("_csrf", client.csrf.as_str())];
    for (field, value) in csrf.iter().chain(fields) {
        body.extend_from_slice(
            format!("--B\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(b"\r\n--B--\r\n");
    Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=B")
        .header(header::COOKIE, format!("doudi_session={}", client.cookie))
        .body(Body::from(body))
        .unwrap()
}

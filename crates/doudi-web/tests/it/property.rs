//! A property-based run over the application's own OpenAPI document, in the spirit of
//! Schemathesis: for every operation the document describes, requests with values drawn from
//! the operation's schemas and from a pool of hostile values (empty, huge, negative, NUL and
//! other control characters, `年月`, `../`, very long strings, wrong types, missing and extra
//! JSON fields, integers at the `i64` bounds) are sent through the router as the public, a
//! township caseworker and the county approver. The property: no answer is a server error
//! (5xx), and no request panics. A second run does the same for every page route of
//! [`doudi_web::ROUTES`], with hostile path segments, query strings and form fields.
//!
//! The generator is a seeded xorshift, so a failure is reproduced by running the test again;
//! `DOUDI_PROPERTY_SEED` picks another seed and `DOUDI_PROPERTY_ROUNDS` the number of requests
//! per operation and caller (default 30). Both runs go against SQLite and, unless
//! `DOUDI_TEST_PG=skip`, a fresh PostgreSQL database on `DOUDI_TEST_PG_URL` (PostgreSQL refuses
//! what SQLite takes, such as a NUL byte in text).

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Map, Value, json};
use tower::ServiceExt;

use crate::support::{App, COUNTY, Client, QINGLONG_CASEWORKER, encode};

/// A tiny seeded generator (xorshift64*): deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True with probability `percent`%.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Strings an attacker would try, and strings that are nearly right.
fn hostile_strings() -> Vec<String> {
    let mut s: Vec<String> = [
        "",
        " ",
        "年月",
        "2026年5月",
        "\0",
        "a\0b",
        "\u{1}\u{7f}",
        "\u{1b}[31m",
        "../../../etc/passwd",
        "..\\..\\windows",
        "%00",
        "%",
        "-1",
        "0",
        "1",
        "2",
        "3",
        "999999",
        "-999999",
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        "18446744073709551616",
        "1e400",
        "NaN",
        "0x10",
        "1.25",
        "null",
        "true",
        "[]",
        "{}",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\u{202e}abc",
        "😀",
        "\u{fffd}",
        "２０２６-０５",
        "2026-13",
        "2026-00",
        "0000-01",
        "9999-12",
        "1900-01",
        "2026-05",
        "2026-10",
        "202605",
        "2026-02-30",
        "2026-11-28",
        "9999-12-31",
        "0001-01-01",
        "+275760-09-13",
        "-262144-01-01",
        "+262143-12-31",
        "500235002",
        "500235002001",
        "500235003001",
        "999999999",
        "500235002999",
        "50023519561215001X",
        "500235195612150133",
        "1234",
        "QL-0001",
        "张三丰",
        "13800138000",
        "dibao",
        "tekun",
        "=cmd|'/c calc'!A1",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    s.push("年".repeat(3000));
    s.push("9".repeat(400));
    s.push("a".repeat(70_000));
    s
}

/// The values that broke something before, drawn more often than the rest.
const SHARP: &[&str] = &[
    "",
    "年月",
    "\0",
    "-1",
    "9223372036854775808",
    "../",
    "9999-12",
    "2026-13",
    "999999",
];

/// A sharp value two times in five, otherwise any hostile string.
fn sharp_or_any(rng: &mut Rng, strings: &[String]) -> String {
    if rng.chance(40) {
        (*rng.pick(SHARP)).to_owned()
    } else {
        rng.pick(strings).clone()
    }
}

/// Integers at and around the edges.
const HOSTILE_INTEGERS: &[i64] = &[
    0,
    1,
    2,
    3,
    4,
    5,
    -1,
    -2,
    100,
    1900,
    2026,
    9999,
    10_000,
    999_999,
    2_147_483_647,
    2_147_483_648,
    -2_147_483_649,
    100_000_000_000,
    i64::MAX,
    i64::MIN,
    i64::MAX - 1,
    i64::MIN + 1,
];

/// A JSON value of any shape.
fn any_value(rng: &mut Rng, strings: &[String]) -> Value {
    match rng.below(9) {
        0 => Value::Null,
        1 => json!(rng.chance(50)),
        2 => json!(*rng.pick(HOSTILE_INTEGERS)),
        3 => json!(1.0e300),
        4 => json!(18_446_744_073_709_551_615u64),
        5 => json!([rng.pick(strings).clone(), -1]),
        6 => json!({"": rng.pick(strings).clone()}),
        _ => json!(rng.pick(strings).clone()),
    }
}

/// The schema a `$ref` names.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix("#/components/schemas/")
            .and_then(|name| doc["components"]["schemas"].get(name))
            .unwrap_or(&Value::Null),
        None => schema,
    }
}

/// A value for a schema: mostly of the right shape with edge values inside, sometimes of any
/// shape at all.
fn generate(doc: &Value, schema: &Value, rng: &mut Rng, strings: &[String], depth: u32) -> Value {
    let schema = resolve(doc, schema);
    if depth > 6 || rng.chance(12) {
        return any_value(rng, strings);
    }
    if let Some(options) = schema.get("oneOf").or_else(|| schema.get("anyOf")) {
        let options = options.as_array().map(Vec::as_slice).unwrap_or(&[]);
        if options.is_empty() {
            return Value::Null;
        }
        let option = rng.pick(options).clone();
        return generate(doc, &option, rng, strings, depth + 1);
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in all {
            if let Value::Object(o) = generate(doc, part, rng, strings, depth + 1) {
                merged.extend(o);
            }
        }
        return Value::Object(merged);
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array)
        && !values.is_empty()
        && rng.chance(80)
    {
        return rng.pick(values).clone();
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let kind = if types.is_empty() {
        if schema.get("properties").is_some() {
            "object"
        } else {
            "string"
        }
    } else {
        rng.pick(&types)
    };
    match kind {
        "null" => Value::Null,
        "boolean" => json!(rng.chance(50)),
        "integer" | "number" => json!(*rng.pick(HOSTILE_INTEGERS)),
        "array" => {
            let items = schema.get("items").cloned().unwrap_or(Value::Null);
            let n = rng.below(4);
            Value::Array(
                (0..n)
                    .map(|_| generate(doc, &items, rng, strings, depth + 1))
                    .collect(),
            )
        }
        "object" => {
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut object = Map::new();
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, property) in properties {
                    let wanted = if required.contains(&name.as_str()) {
                        !rng.chance(5)
                    } else {
                        rng.chance(50)
                    };
                    if wanted {
                        object.insert(
                            name.clone(),
                            generate(doc, property, rng, strings, depth + 1),
                        );
                    }
                }
            }
            if rng.chance(5) {
                object.insert("unexpected\u{0}field".into(), any_value(rng, strings));
            }
            Value::Object(object)
        }
        _ => {
            if schema.get("format").and_then(Value::as_str) == Some("date") && rng.chance(60) {
                json!(rng.pick(&[
                    "2026-11-28",
                    "2026-05-01",
                    "2025-01-31",
                    "2026-02-30",
                    "2099-12-31",
                    "9999-12-31",
                    "1899-12-31",
                    "0001-01-01",
                    "年月日",
                ]))
            } else {
                json!(sharp_or_any(rng, strings))
            }
        }
    }
}

/// A value of a schema that the handler should accept, as far as the schema and the names of
/// fields tell: the starting point for mutating one field at a time, so that a hostile value
/// reaches the code behind the first check (the store, the rules) and not only the parser.
fn valid(doc: &Value, schema: &Value, name: &str, rng: &mut Rng, ctx: &mut Ctx) -> Value {
    let schema = resolve(doc, schema);
    if let Some(options) = schema.get("oneOf").or_else(|| schema.get("anyOf")) {
        let options: Vec<&Value> = options
            .as_array()
            .into_iter()
            .flatten()
            .filter(|o| o["type"] != "null")
            .collect();
        if options.is_empty() {
            return Value::Null;
        }
        let option = options[rng.below(options.len())];
        return valid(doc, option, name, rng, ctx);
    }
    if name == "relation" {
        return json!("head");
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
        if !values.is_empty() {
            return values[rng.below(values.len())].clone();
        }
    }
    let kind = match &schema["type"] {
        Value::String(t) => t.as_str(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "string",
    };
    match kind {
        "object" => {
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut object = Map::new();
            for (key, property) in schema["properties"].as_object().into_iter().flatten() {
                if required.contains(&key.as_str()) || rng.chance(30) {
                    object.insert(key.clone(), valid(doc, property, key, rng, ctx));
                }
            }
            // A disability is a kind and a grade, or neither.
            if object.contains_key("disability_kind") != object.contains_key("disability_grade") {
                object.remove("disability_kind");
                object.remove("disability_grade");
            }
            Value::Object(object)
        }
        "array" => json!([valid(doc, &schema["items"], name, rng, ctx)]),
        "boolean" => json!(false),
        "integer" | "number" => json!(match name {
            "member_index" => 0,
            "amount_fen" | "value_fen" => 100,
            "person_id" => 1 + rng.below(4) as i64,
            "version" => ctx.version,
            "household_id" => ctx.household,
            _ => 1,
        }),
        "null" => Value::Null,
        _ if schema["format"] == "date" => json!(match name {
            "enrolled_on" => "2025-03-01",
            _ => "2026-11-01",
        }),
        _ => {
            ctx.serial = ctx.serial.wrapping_add(1) % 1000;
            let serial = ctx.serial;
            json!(match name {
                "number" => format!("FZ-{serial:04}"),
                "township" => "500235002".to_owned(),
                "community" => "500235002001".to_owned(),
                "id_number" => crate::support::id_number((1980, 1, 1), serial).to_string(),
                "name" => "赵六".to_owned(),
                "month" => "2026-10".to_owned(),
                "phone" => "13800138000".to_owned(),
                "bank_account" => "6222020200001234567".to_owned(),
                "username" => COUNTY.to_owned(),
                "password" => crate::support::PASSWORD.to_owned(),
                "case_type" => "城市低保".to_owned(),
                _ => "核对材料".to_owned(),
            })
        }
    }
}

/// What a valid body needs to know of the registry.
struct Ctx {
    /// Numbers new households and identity numbers.
    serial: u16,
    /// The household's version now.
    version: i64,
    /// The household the address names.
    household: i64,
}

/// Every path to a value inside a JSON value (object keys and array indexes).
fn leaf_paths(value: &Value, path: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(json!(k));
                out.push(path.clone());
                leaf_paths(v, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(json!(i));
                out.push(path.clone());
                leaf_paths(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// A valid body with one value replaced by a hostile one, or removed.
fn mutate_one(mut body: Value, rng: &mut Rng, strings: &[String]) -> Value {
    let mut paths = Vec::new();
    leaf_paths(&body, &mut Vec::new(), &mut paths);
    if paths.is_empty() {
        return any_value(rng, strings);
    }
    let path = paths[rng.below(paths.len())].clone();
    let (last, parents) = path.split_last().expect("a path is never empty");
    let mut target = &mut body;
    for step in parents {
        target = match step {
            Value::String(k) => &mut target[k.as_str()],
            Value::Number(i) => &mut target[i.as_u64().unwrap_or(0) as usize],
            _ => return body,
        };
    }
    let replacement = match rng.below(3) {
        0 => json!(sharp_or_any(rng, strings)),
        1 => json!(*rng.pick(HOSTILE_INTEGERS)),
        _ => any_value(rng, strings),
    };
    match (target, last) {
        (Value::Object(map), Value::String(k)) if rng.chance(15) => {
            map.remove(k);
        }
        (Value::Object(map), Value::String(k)) => {
            map.insert(k.clone(), replacement);
        }
        (Value::Array(items), Value::Number(i)) => {
            if let Some(item) = items.get_mut(i.as_u64().unwrap_or(0) as usize) {
                *item = replacement;
            }
        }
        _ => {}
    }
    body
}

/// A value as it goes into an address or a query string.
fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One request to send.
struct Probe {
    method: Method,
    uri: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

/// Substitutes `{param}`s of a path with generated values.
fn fill_path(
    path: &str,
    mut value_for: impl FnMut(&str, &mut Rng) -> String,
    rng: &mut Rng,
    strings: &[String],
) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        let value = if !strings.is_empty() && rng.chance(15) {
            sharp_or_any(rng, strings)
        } else {
            value_for(name, rng)
        };
        out.push_str(&encode(&value));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Requests for one operation of the OpenAPI document.
fn api_probe(
    doc: &Value,
    path: &str,
    method: &str,
    op: &Value,
    rng: &mut Rng,
    strings: &[String],
) -> Probe {
    let parameters = op["parameters"].as_array().cloned().unwrap_or_default();
    let schema_of = |name: &str, place: &str| {
        parameters
            .iter()
            .find(|p| p["name"] == name && p["in"] == place)
            .map(|p| p["schema"].clone())
            .unwrap_or(Value::Null)
    };
    let mut uri = fill_path(
        path,
        |name, rng| {
            let schema = schema_of(name, "path");
            as_text(&generate(doc, &schema, rng, strings, 0))
        },
        rng,
        strings,
    );
    let mut query = Vec::new();
    for p in parameters.iter().filter(|p| p["in"] == "query") {
        if rng.chance(60) {
            let value = generate(doc, &p["schema"], rng, strings, 0);
            query.push(format!(
                "{}={}",
                encode(p["name"].as_str().unwrap_or("")),
                encode(&as_text(&value))
            ));
        }
    }
    if rng.chance(10) {
        query.push(format!(
            "{}={}",
            encode(rng.pick(strings).as_str()),
            encode(rng.pick(strings).as_str())
        ));
    }
    if !query.is_empty() {
        uri = format!("{uri}?{}", query.join("&"));
    }
    let (content_type, body) = match op["requestBody"]["content"]["application/json"]["schema"] {
        Value::Null => (None, Vec::new()),
        ref schema => match rng.below(20) {
            0 => (Some("application/json"), b"{\"unterminated".to_vec()),
            1 => (Some("application/json"), Vec::new()),
            2 => (Some("text/plain"), b"hello".to_vec()),
            3 => (
                Some("application/json"),
                b"{\"a\":\"\\u0000\",\"b\":\"\xff\xfe\"}".to_vec(),
            ),
            _ => (
                Some("application/json"),
                generate(doc, schema, rng, strings, 0)
                    .to_string()
                    .into_bytes(),
            ),
        },
    };
    Probe {
        method: Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap(),
        uri,
        content_type,
        body,
    }
}

/// The fields the page forms read, with plausible and hostile values for each.
const FORM_FIELDS: &[&str] = &[
    "action",
    "actor",
    "address",
    "amount",
    "bank_account",
    "boarding",
    "cadre",
    "case_type",
    "category",
    "cause",
    "causes",
    "community",
    "complex",
    "conclusion",
    "confirm",
    "current",
    "date",
    "department",
    "description",
    "disability_grade",
    "disability_kind",
    "disease",
    "display_name",
    "employment",
    "enrolled_on",
    "exited_on",
    "family_doctor",
    "family_situation",
    "finances_reference",
    "from",
    "head_name",
    "head_id_number",
    "head_relation",
    "head_employment",
    "head_insurance",
    "head_self_care",
    "head_work_capacity",
    "health_record",
    "held_on",
    "help_needed",
    "housing",
    "id_number",
    "include_exited",
    "insurance",
    "kind",
    "m_admitted",
    "m_in_catalogue",
    "m_in_county",
    "m_level",
    "m_special",
    "m_total",
    "missing",
    "month",
    "name",
    "needs",
    "new",
    "next",
    "number",
    "op",
    "opinion",
    "page",
    "password",
    "per_page",
    "person",
    "phone",
    "poverty_cause",
    "purpose",
    "q",
    "reason",
    "recommend",
    "referrer",
    "relation",
    "resolution",
    "role",
    "school_stage",
    "scope",
    "self_care",
    "serious_illness",
    "special_disease",
    "surveyed_by",
    "surveyed_on",
    "t_case_amount",
    "t_case_reference",
    "t_granted",
    "t_income",
    "t_kind",
    "t_tier",
    "target",
    "text",
    "township",
    "until",
    "upheld",
    "username",
    "version",
    "visit_notes",
    "visited_on",
    "willing_to_work",
    "work_capacity",
];

/// The query parameters pages read.
const QUERY_FIELDS: &[&str] = &[
    "month",
    "q",
    "page",
    "per_page",
    "township",
    "community",
    "category",
    "cause",
    "include_exited",
    "year",
    "from",
    "until",
    "actor",
    "action",
    "target",
    "next",
    "ran",
    "kind",
    "person",
    "op",
];

/// Requests for a page route: hostile path segments, query strings and forms.
fn page_probe(method: &str, path: &str, rng: &mut Rng, strings: &[String]) -> Probe {
    let mut uri = fill_path(
        path,
        |name, rng| match name {
            "kind" => (*rng.pick(&["income", "asset", "expense", "other"])).into(),
            "file" => (*rng.pick(&["htmx.min.js", "app.css", "nope.js"])).into(),
            "community" => "500235002001".into(),
            _ => rng.below(6).to_string(),
        },
        rng,
        strings,
    );
    // Half the requests hold one hostile value in every field, so that a value that breaks
    // one field is not diluted among a hundred names.
    let theme = rng.chance(50).then(|| sharp_or_any(rng, strings));
    let names = if method == "get" {
        QUERY_FIELDS
    } else {
        FORM_FIELDS
    };
    let mut pairs = Vec::new();
    let n = if method == "get" {
        1 + rng.below(4)
    } else {
        rng.below(30)
    };
    for _ in 0..n {
        let value = theme.clone().unwrap_or_else(|| sharp_or_any(rng, strings));
        pairs.push(format!(
            "{}={}",
            encode(rng.pick::<&str>(names)),
            encode(&value)
        ));
    }
    if method == "get" {
        if !pairs.is_empty() {
            uri = format!("{uri}?{}", pairs.join("&"));
        }
        return Probe {
            method: Method::GET,
            uri,
            content_type: None,
            body: Vec::new(),
        };
    }
    Probe {
        method: Method::POST,
        uri,
        content_type: Some("application/x-www-form-urlencoded"),
        body: pairs.join("&").into_bytes(),
    }
}

/// A path with every `{param}` given an ordinary value that names something that exists.
fn ordinary_path(path: &str, household: i64) -> String {
    let mut rng = Rng::new(1);
    fill_path(
        path,
        |name, _| match name {
            "id" => household.to_string(),
            "month" => "2026-10".into(),
            "kind" => "income".into(),
            "file" => "app.css".into(),
            "community" => "500235002001".into(),
            _ => "1".into(),
        },
        &mut rng,
        &[],
    )
    .replace("%2D", "-")
}

/// The systematic part: each query parameter alone (form fields ten at a time), with each
/// sharp value, on an address that exists (so that the handler gets as far as reading them).
fn sweep(method: &str, path: &str, names: &[&str], household: i64) -> Vec<Probe> {
    let base = ordinary_path(path, household);
    let group = if method == "get" { 1 } else { 10 };
    let mut probes = Vec::new();
    for names in names.chunks(group) {
        for value in SHARP {
            let pair = names
                .iter()
                .map(|name| format!("{}={}", encode(name), encode(value)))
                .collect::<Vec<_>>()
                .join("&");
            probes.push(if method == "get" {
                Probe {
                    method: Method::GET,
                    uri: format!("{base}?{pair}"),
                    content_type: None,
                    body: Vec::new(),
                }
            } else {
                Probe {
                    method: Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap(),
                    uri: base.clone(),
                    content_type: Some("application/x-www-form-urlencoded"),
                    body: pair.into_bytes(),
                }
            });
        }
    }
    probes
}

/// A request that failed the property.
#[derive(Debug)]
struct Failure {
    who: &'static str,
    method: String,
    uri: String,
    body: String,
    outcome: String,
}

/// What the run did.
#[derive(Default)]
struct Tally {
    operations: usize,
    requests: usize,
    by_status: BTreeMap<u16, usize>,
    failures: Vec<Failure>,
}

/// Sends one probe as a caller, in a task of its own so that a panic is seen as one.
async fn send(
    app: &App,
    who: &'static str,
    client: Option<&Client>,
    probe: Probe,
    tally: &mut Tally,
) {
    let mut request = Request::builder()
        .method(probe.method.clone())
        .uri(&probe.uri);
    if let Some(c) = client {
        request = request
            .header(header::COOKIE, format!("doudi_session={}", c.cookie))
            .header("x-csrf-token", &c.csrf);
    }
    if let Some(t) = probe.content_type {
        request = request.header(header::CONTENT_TYPE, t);
    }
    let request = match request.body(Body::from(probe.body.clone())) {
        Ok(r) => r,
        // An address the HTTP library itself refuses never reaches a server.
        Err(_) => return,
    };
    tally.requests += 1;
    let router = app.router.clone();
    let outcome = tokio::spawn(async move {
        let response = router.oneshot(request).await.expect("the router answers");
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        (
            status,
            String::from_utf8_lossy(&body)
                .chars()
                .take(200)
                .collect::<String>(),
        )
    })
    .await;
    let failure = match outcome {
        Ok((status, _)) if !status.is_server_error() => {
            *tally.by_status.entry(status.as_u16()).or_default() += 1;
            return;
        }
        Ok((status, body)) => format!("{status}: {body}"),
        Err(e) if e.is_panic() => "panicked".to_owned(),
        Err(e) => format!("task failed: {e}"),
    };
    tally.failures.push(Failure {
        who,
        method: probe.method.to_string(),
        uri: probe.uri.chars().take(300).collect(),
        body: String::from_utf8_lossy(&probe.body)
            .chars()
            .take(300)
            .collect(),
        outcome: failure,
    });
}

fn seed() -> u64 {
    std::env::var("DOUDI_PROPERTY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0xd0d1_2026)
}

fn rounds() -> usize {
    std::env::var("DOUDI_PROPERTY_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
}

/// The callers: the public, a township caseworker and the county approver.
async fn callers(app: &App) -> Vec<(&'static str, Option<Client>)> {
    vec![
        ("public", None),
        (
            "township caseworker",
            Some(app.login(QINGLONG_CASEWORKER).await),
        ),
        ("county approver", Some(app.login(COUNTY).await)),
    ]
}

/// Whether a logged-in caller skips an operation because it would end the caller's session.
fn ends_session(path: &str) -> bool {
    matches!(
        path,
        "/api/logout" | "/api/logout/all" | "/logout" | "/logout/all" | "/password"
    )
}

fn report(backend: &str, what: &str, tally: &Tally, started: Instant) {
    eprintln!(
        "{what} on {backend}: {} operations, {} requests in {:.1} s, statuses {:?}, {} server errors or panics",
        tally.operations,
        tally.requests,
        started.elapsed().as_secs_f64(),
        tally.by_status,
        tally.failures.len()
    );
    for f in tally.failures.iter().take(40) {
        eprintln!(
            "  {} {} {} body {:?} -> {}",
            f.who, f.method, f.uri, f.body, f.outcome
        );
    }
    assert!(
        tally.failures.is_empty(),
        "{} of {} requests gave a server error or panicked (first: {:?})",
        tally.failures.len(),
        tally.requests,
        tally.failures.first()
    );
}

/// Every operation of the OpenAPI document, as every caller.
async fn api_run(app: App, backend: &str) {
    let started = Instant::now();
    let reply = app.get(None, "/api/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc = reply.json();
    let strings = hostile_strings();
    let mut rng = Rng::new(seed());
    let callers = callers(&app).await;
    let mut tally = Tally::default();
    let mut ctx = Ctx {
        serial: 0,
        version: 1,
        household: app.zhang.0,
    };
    let paths = doc["paths"]
        .as_object()
        .expect("the document has paths")
        .clone();
    for (path, operations) in &paths {
        for (method, op) in operations.as_object().into_iter().flatten() {
            tally.operations += 1;
            // Failed logins run argon2, which is slow in a debug build: fewer of them.
            let n = if path == "/api/login" { 4 } else { rounds() };
            for (who, client) in &callers {
                if client.is_some() && ends_session(path) {
                    continue;
                }
                for _ in 0..n {
                    let probe = api_probe(&doc, path, method, op, &mut rng, &strings);
                    send(&app, who, client.as_ref(), probe, &mut tally).await;
                }
            }
            let names: Vec<&str> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query")
                .filter_map(|p| p["name"].as_str())
                .collect();
            // Valid bodies with one field made hostile, as the county approver, at an address
            // that exists.
            let body_schema = &op["requestBody"]["content"]["application/json"]["schema"];
            if !body_schema.is_null() && !ends_session(path) {
                for round in 0..rounds() {
                    ctx.version = app
                        .store
                        .household(&crate::support::system(), app.zhang)
                        .await
                        .map_or(1, |r| r.household.version);
                    let body = valid(&doc, body_schema, "", &mut rng, &mut ctx);
                    let body = if round % 5 == 0 {
                        body
                    } else {
                        mutate_one(body, &mut rng, &strings)
                    };
                    let probe = Probe {
                        method: Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap(),
                        uri: ordinary_path(path, app.zhang.0),
                        content_type: Some("application/json"),
                        body: body.to_string().into_bytes(),
                    };
                    send(
                        &app,
                        "county approver",
                        callers[2].1.as_ref(),
                        probe,
                        &mut tally,
                    )
                    .await;
                }
            }
            if method == "get" {
                for probe in sweep(method, path, &names, app.zhang.0) {
                    send(
                        &app,
                        "county approver",
                        callers[2].1.as_ref(),
                        probe,
                        &mut tally,
                    )
                    .await;
                }
            }
        }
    }
    report(backend, "the OpenAPI run", &tally, started);
}

/// Every page route of the route table, as every caller.
async fn page_run(app: App, backend: &str) {
    let started = Instant::now();
    let strings = hostile_strings();
    let mut rng = Rng::new(seed() ^ 0x9e37_79b9);
    let callers = callers(&app).await;
    let mut tally = Tally::default();
    for route in doudi_web::ROUTES
        .iter()
        .filter(|r| !r.path.starts_with("/api"))
    {
        tally.operations += 1;
        let n = if route.path == "/login" {
            4
        } else {
            rounds() / 3
        };
        for (who, client) in &callers {
            if client.is_some() && ends_session(route.path) {
                continue;
            }
            for _ in 0..n {
                let probe = page_probe(route.method, route.path, &mut rng, &strings);
                send(&app, who, client.as_ref(), probe, &mut tally).await;
            }
        }
        if !ends_session(route.path) {
            let names = if route.method == "get" {
                QUERY_FIELDS
            } else {
                FORM_FIELDS
            };
            let county = callers[2].1.as_ref();
            for probe in sweep(route.method, route.path, names, app.zhang.0) {
                send(&app, "county approver", county, probe, &mut tally).await;
            }
        }
    }
    report(backend, "the page run", &tally, started);
}

/// A PostgreSQL database for one run, created and dropped with `psql`, or `None` when
/// `DOUDI_TEST_PG=skip`.
struct PgDatabase {
    admin: String,
    name: String,
    url: String,
}

impl PgDatabase {
    fn create() -> Option<PgDatabase> {
        if std::env::var("DOUDI_TEST_PG").as_deref() == Ok("skip") {
            eprintln!("note: DOUDI_TEST_PG=skip, so the PostgreSQL run did not happen");
            return None;
        }
        static N: AtomicU32 = AtomicU32::new(0);
        let admin = std::env::var("DOUDI_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/postgres".into());
        let name = format!(
            "doudi_web_property_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        psql(&admin, &format!("CREATE DATABASE {name}"));
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        let url = format!("{base}/{name}");
        Some(PgDatabase { admin, name, url })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        psql(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

fn psql(admin: &str, sql: &str) {
    let out = Command::new("psql")
        .args([admin, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .expect("psql runs; set DOUDI_TEST_PG=skip to run without PostgreSQL");
    assert!(
        out.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_built_from_the_openapi_document_gives_a_server_error_on_sqlite() {
    api_run(App::new().await, "SQLite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_built_from_the_openapi_document_gives_a_server_error_on_postgres() {
    let Some(db) = PgDatabase::create() else {
        return;
    };
    api_run(App::on(&db.url).await, "PostgreSQL").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_hostile_page_request_gives_a_server_error_on_sqlite() {
    page_run(App::new().await, "SQLite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_hostile_page_request_gives_a_server_error_on_postgres() {
    let Some(db) = PgDatabase::create() else {
        return;
    };
    page_run(App::on(&db.url).await, "PostgreSQL").await;
}

//! The policy coverage page (政策条款落实情况, `/clauses`): every clause of the specification,
//! the document's own words, what the software must do for it, and what in the code and the
//! tests cites it, with a clause that lacks either shown as a gap. The citations come from
//! `docs/policy/coverage.tsv`, which a test generates from the sources and keeps up to date
//! (`crates/doudi-web/tests/it/clauses.rs`), so the page cannot drift from the code.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use doudi_core::clause::{self, Clause};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Chrome, ok};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;

/// The generated table: `id`, `实现` or `测试`, file, item.
const TABLE: &str = include_str!("../../../../docs/policy/coverage.tsv");

/// Where a clause is cited: a file and the items in it (empty for the file as a whole).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Place {
    /// 文件（相对仓库根目录）。
    pub file: String,
    /// 文件中的函数、类型、测试或案例名；为空表示整个文件。
    pub items: Vec<String>,
}

/// How far a clause is covered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing {
    Done,
    NoTests,
    NoCode,
    Gap,
}

impl Standing {
    fn label(self) -> &'static str {
        match self {
            Standing::Done => "已实现、有测试",
            Standing::NoTests => "缺口：无测试",
            Standing::NoCode => "缺口：无实现",
            Standing::Gap => "缺口：无实现、无测试",
        }
    }
}

/// One clause with where it is implemented and tested.
struct Covered {
    clause: &'static Clause,
    implemented: Vec<Place>,
    tested: Vec<Place>,
}

impl Covered {
    fn state(&self) -> Standing {
        match (self.implemented.is_empty(), self.tested.is_empty()) {
            (false, false) => Standing::Done,
            (false, true) => Standing::NoTests,
            (true, false) => Standing::NoCode,
            (true, true) => Standing::Gap,
        }
    }

    fn count(places: &[Place]) -> usize {
        places.iter().map(|p| p.items.len().max(1)).sum()
    }
}

/// Every clause, in the specification's order, with its places.
static COVERAGE: LazyLock<Vec<Covered>> = LazyLock::new(|| coverage(TABLE));

fn coverage(table: &str) -> Vec<Covered> {
    type Places = BTreeMap<String, Vec<String>>;
    let mut found: BTreeMap<&str, (Places, Places)> = BTreeMap::new();
    for line in table.lines().filter(|l| !l.starts_with('#')) {
        let mut cells = line.split('\t');
        let (Some(id), Some(kind), Some(file)) = (cells.next(), cells.next(), cells.next()) else {
            continue;
        };
        let item = cells.next().unwrap_or("");
        let entry = found.entry(id).or_default();
        let places = if kind == "测试" {
            &mut entry.1
        } else {
            &mut entry.0
        };
        let items = places.entry(file.to_owned()).or_default();
        if !item.is_empty() {
            items.push(item.to_owned());
        }
    }
    let places = |map: Places| {
        map.into_iter()
            .map(|(file, items)| Place { file, items })
            .collect()
    };
    clause::all()
        .iter()
        .map(|clause| {
            let (implemented, tested) = found.remove(clause.id).unwrap_or_default();
            Covered {
                clause,
                implemented: places(implemented),
                tested: places(tested),
            }
        })
        .collect()
}

struct Row {
    id: &'static str,
    heading: &'static str,
    citation: String,
    words: &'static str,
    requirement: &'static str,
    state: &'static str,
    gap: bool,
    implemented: usize,
    tested: usize,
    implemented_in: Vec<Place>,
    tested_in: Vec<Place>,
}

#[derive(Template)]
#[template(path = "clauses.html")]
struct ClausesPage {
    chrome: Chrome,
    rows: Vec<Row>,
    done: usize,
    gaps: usize,
}

/// The coverage page, for every logged-in user.
pub(crate) async fn page(CurrentUser(session): CurrentUser) -> Result<Response, AppError> {
    let rows: Vec<Row> = COVERAGE
        .iter()
        .map(|c| Row {
            id: c.clause.id,
            heading: c.clause.heading,
            citation: c.clause.citation(),
            words: c.clause.words(),
            requirement: c.clause.requirement,
            state: c.state().label(),
            gap: c.state() != Standing::Done,
            implemented: Covered::count(&c.implemented),
            tested: Covered::count(&c.tested),
            implemented_in: c.implemented.clone(),
            tested_in: c.tested.clone(),
        })
        .collect();
    let gaps = rows.iter().filter(|r| r.gap).count();
    ok(&ClausesPage {
        chrome: Chrome::new(&session, "政策条款落实情况", "clauses"),
        done: rows.len() - gaps,
        gaps,
        rows,
    })
}

/// The coverage table as Excel: one row per clause.
pub(crate) async fn xlsx(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let places = |places: &[Place]| {
        places
            .iter()
            .map(|p| {
                if p.items.is_empty() {
                    p.file.clone()
                } else {
                    format!("{}：{}", p.file, p.items.join("、"))
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    super::export::xlsx(
        &state,
        &session.actor,
        state.app.today(),
        super::export::Export {
            name: "政策条款落实情况",
            filter: String::new(),
            headers: vec![
                "条款",
                "文件出处",
                "文件原文",
                "软件须做到",
                "落实情况",
                "实现处数",
                "测试数",
                "实现位置",
                "测试",
            ],
            rows: COVERAGE
                .iter()
                .map(|c| {
                    super::export::text([
                        c.clause.id.to_owned(),
                        c.clause.citation(),
                        c.clause.words().to_owned(),
                        c.clause.requirement.to_owned(),
                        c.state().label().to_owned(),
                        Covered::count(&c.implemented).to_string(),
                        Covered::count(&c.tested).to_string(),
                        places(&c.implemented),
                        places(&c.tested),
                    ])
                })
                .collect(),
        },
    )
    .await
}

/// One clause's coverage.
#[derive(Serialize, ToSchema)]
pub struct ClauseCoverageDto {
    /// 条款编号（如 2.1.b）。
    pub id: String,
    /// 文件出处。
    pub citation: String,
    /// 文件原文。
    pub words: String,
    /// 软件须做到。
    pub requirement: String,
    /// 是否已实现且有测试；否则为缺口。
    pub covered: bool,
    /// 实现位置。
    pub implemented_in: Vec<Place>,
    /// 测试。
    pub tested_in: Vec<Place>,
}

/// Every clause of the policy with what implements and tests it.
#[utoipa::path(
    get,
    path = "/api/clauses",
    tag = "meta",
    responses((status = 200, description = "政策条款落实情况", body = [ClauseCoverageDto]))
)]
pub(crate) async fn api(CurrentUser(_session): CurrentUser) -> Json<Vec<ClauseCoverageDto>> {
    Json(
        COVERAGE
            .iter()
            .map(|c| ClauseCoverageDto {
                id: c.clause.id.to_owned(),
                citation: c.clause.citation(),
                words: c.clause.words().to_owned(),
                requirement: c.clause.requirement.to_owned(),
                covered: c.state() == Standing::Done,
                implemented_in: c.implemented.clone(),
                tested_in: c.tested.clone(),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_clause_of_the_specification_is_listed_in_order() {
        let ids: Vec<&str> = COVERAGE.iter().map(|c| c.clause.id).collect();
        let spec: Vec<&str> = clause::all().iter().map(|c| c.id).collect();
        assert_eq!(ids, spec);
        assert_eq!(ids.len(), 28);
    }

    #[test]
    fn a_clause_without_code_or_tests_is_a_gap() {
        let table = "# header\n2.4\t实现\tcrates/a/src/m.rs\tsettle\n\
                     2.4\t实现\tcrates/a/src/m.rs\tStay\n\
                     2.4\t测试\tcrates/a/tests/it/m.rs\ta_stay_is_settled\n\
                     2.5\t实现\tcrates/a/src/e.rs\t\n\
                     2.6\t测试\tcrates/a/tests/it/h.rs\tx\n";
        let all = coverage(table);
        let of = |id: &str| all.iter().find(|c| c.clause.id == id).unwrap();
        assert_eq!(of("2.4").state(), Standing::Done);
        assert_eq!(of("2.4").implemented[0].items, ["settle", "Stay"]);
        assert_eq!(Covered::count(&of("2.4").implemented), 2);
        assert_eq!(of("2.5").state(), Standing::NoTests);
        assert_eq!(Covered::count(&of("2.5").implemented), 1);
        assert_eq!(of("2.6").state(), Standing::NoCode);
        assert_eq!(of("2.7").state(), Standing::Gap);
        assert_eq!(all.len(), 28);
    }
}

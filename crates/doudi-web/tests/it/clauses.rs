//! The policy coverage table (`docs/policy/coverage.tsv`, shown at `/clauses`) is generated from
//! the clause ids that the code and the tests cite, and these tests keep it so: the table must
//! be what the sources say now, and every id the sources cite must be a clause (or a group of
//! clauses) of the specification.
//!
//! What counts as citing a clause, in `.rs`, `.html` and `.toml` files under `crates/`:
//! - an id with its letter anywhere: `2.1.b`;
//! - ids in brackets that begin with an id: `(2.4)`, `（2.8）`, `(2.1, 4.2.a)`;
//! - ids after 依据, 引用, `clause` or `SPEC`: `依据 2.4`, `clause 1.2`;
//! - a string that is exactly an id: `"2.8"` (the parameter table, a case's `clause = "2.4"`).
//!
//! A citation belongs to a test when its file is under a `tests/` folder or follows
//! `#[cfg(test)]`, else to the implementation. It is put on the item it documents (a `///` or
//! attribute line: the next item), on the item it is inside of (the last `fn`, `struct`, `mod`…
//! above it), on the file (`//!`, before any item), on a hand-worked case (its `name`), or on a
//! template. `doudi-core/src/clause.rs` (the table of clauses itself) and this file are not read.
//!
//! To bring the table up to date: `DOUDI_BLESS=1 cargo test -p doudi-web --test it clauses`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Where the table lives, from the workspace's root.
const TABLE: &str = "docs/policy/coverage.tsv";

/// Files that are not read: the clause table itself and this scanner (its tests cite ids that
/// do not exist, on purpose).
const NOT_READ: [&str; 2] = [
    "crates/doudi-core/src/clause.rs",
    "crates/doudi-web/tests/it/clauses.rs",
];

/// One citation: the id as written, implementation or test, the file, and the item.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Citation {
    id: String,
    test: bool,
    path: String,
    item: String,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs`, `.html` and `.toml` file under `crates/` except the crates' manifests, in a
/// stable order, as paths from the root with `/`.
fn sources() -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    walk(&path, root, out);
                }
            } else if (name.ends_with(".rs") || name.ends_with(".html") || name.ends_with(".toml"))
                && name != "Cargo.toml"
            {
                let relative = path.strip_prefix(root).unwrap_or(&path);
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let root = root();
    let mut out = Vec::new();
    walk(&root.join("crates"), &root, &mut out);
    out.retain(|path| !NOT_READ.contains(&path.as_str()));
    out.sort();
    out
}

/// The length in bytes of a clause id at the start of `text` (`2.4`, `2.1.b`), if one is there
/// and is not part of a longer number or word.
fn id_at(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(|c| (b'1'..=b'9').contains(c));
    if !(digit(0) && b.get(1) == Some(&b'.') && digit(2)) {
        return None;
    }
    let mut end = 3;
    if b.get(3) == Some(&b'.') && b.get(4).is_some_and(u8::is_ascii_lowercase) {
        end = 5;
    }
    let continues = b
        .get(end)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        || (b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit));
    (!continues).then_some(end)
}

/// Whether the byte before `at` lets an id begin there.
fn starts_token(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/')))
}

/// The clause ids that `line` cites, by the rules at the top of this file.
fn cited(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let ids_from = |text: &str, found: &mut Vec<String>| {
        for (at, _) in text.char_indices() {
            if let Some(len) = id_at(&text[at..])
                && starts_token(text, at)
            {
                found.push(text[at..at + len].to_owned());
            }
        }
    };
    for (at, _) in line.char_indices() {
        let rest = &line[at..];
        if !starts_token(line, at) {
            continue;
        }
        // An id with its letter, anywhere.
        if let Some(5) = id_at(rest) {
            found.push(rest[..5].to_owned());
            continue;
        }
        // Brackets that begin with an id: every id inside.
        for (open, close) in [("(", ")"), ("（", "）")] {
            if let Some(inside) = rest.strip_prefix(open) {
                let inside = inside.split(close).next().unwrap_or("");
                if id_at(inside.trim_start()).is_some() {
                    ids_from(inside, &mut found);
                }
            }
        }
        // After a word that announces a clause.
        for word in ["依据", "引用", "clause", "Clause", "SPEC"] {
            if let Some(after) = rest.strip_prefix(word) {
                let after = after.trim_start_matches([' ', 's']);
                if let Some(len) = id_at(after) {
                    found.push(after[..len].to_owned());
                }
            }
        }
        // A string that is exactly an id.
        if let Some(inside) = rest.strip_prefix('"')
            && let Some(len) = id_at(inside)
            && inside[len..].starts_with('"')
        {
            found.push(inside[..len].to_owned());
        }
    }
    found.retain(|id| id.len() == 3 || id.len() == 5);
    found.sort();
    found.dedup();
    found
}

/// The name an item declaration on this line gives (`fn a_test`, `pub struct Stay`, `impl
/// App`, a `vocabulary!` entry `Category, "救助类别" {`; `conformance! {` has none), if it
/// declares one.
fn declares(line: &str) -> Option<String> {
    if let Some((name, rest)) = line.split_once(", \"")
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && rest.trim_end().ends_with('{')
    {
        return Some(name.to_owned());
    }
    let mut words = line.split_whitespace().peekable();
    while let Some(word) = words.peek() {
        if word.starts_with("pub") || matches!(*word, "async" | "unsafe" | "const" | "extern") {
            // `const` is an item only when a name with `:` follows; `const fn` goes on.
            if *word == "const" {
                let mut ahead = words.clone();
                ahead.next();
                if ahead.peek() != Some(&"fn") {
                    break;
                }
            }
            words.next();
        } else {
            break;
        }
    }
    let keyword = words.next()?;
    if !matches!(
        keyword,
        "fn" | "struct" | "enum" | "trait" | "mod" | "impl" | "const" | "static" | "type"
    ) {
        return None;
    }
    let name: String = words
        .next()?
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then(|| {
        if keyword == "impl" {
            format!("impl {name}")
        } else {
            name
        }
    })
}

/// The citations of one file.
fn scan(path: &str, text: &str) -> Vec<Citation> {
    let in_tests = path.contains("/tests/");
    let mut test = in_tests;
    let mut item = String::new();
    let mut pending: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let toml = path.ends_with(".toml");
    let html = path.ends_with(".html");
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            test = true;
        }
        if toml {
            if let Some(name) = trimmed.strip_prefix("name = \"") {
                item = name.trim_end_matches('"').to_owned();
            } else if trimmed.starts_with('[') && !trimmed.starts_with("[[case]]") {
                item = trimmed.trim_matches(['[', ']']).to_owned();
            }
        }
        let ids = cited(line);
        if html || toml {
            let on = if html {
                path.rsplit('/').next().unwrap_or(path).to_owned()
            } else {
                item.clone()
            };
            out.extend(ids.into_iter().map(|id| Citation {
                id,
                test,
                path: path.to_owned(),
                item: on.clone(),
            }));
            continue;
        }
        if let Some(name) = declares(trimmed) {
            item = name;
            out.extend(pending.drain(..).map(|id| Citation {
                id,
                test,
                path: path.to_owned(),
                item: item.clone(),
            }));
        }
        if ids.is_empty() {
            continue;
        }
        if trimmed.starts_with("///") || trimmed.starts_with("#[") {
            pending.extend(ids);
        } else {
            let on = if trimmed.starts_with("//!") {
                String::new()
            } else {
                item.clone()
            };
            out.extend(ids.into_iter().map(|id| Citation {
                id,
                test,
                path: path.to_owned(),
                item: on.clone(),
            }));
        }
    }
    out.extend(pending.into_iter().map(|id| Citation {
        id,
        test,
        path: path.to_owned(),
        item: item.clone(),
    }));
    out
}

/// Every citation of the workspace, once per (id, kind, file, item).
fn citations() -> BTreeSet<Citation> {
    let root = root();
    sources()
        .iter()
        .flat_map(|path| {
            let text = std::fs::read_to_string(root.join(path)).unwrap_or_default();
            scan(path, &text)
        })
        .collect()
}

/// The table as the page reads it: `id`, `实现` or `测试`, file, item; one line each, sorted,
/// every id a clause of the specification (a group's citation counted for each of its
/// clauses).
fn table(citations: &BTreeSet<Citation>) -> String {
    let mut rows = BTreeSet::new();
    for c in citations {
        for clause in doudi_core::clause::clauses_of(&c.id) {
            rows.insert((
                clause.id,
                if c.test { "测试" } else { "实现" },
                c.path.clone(),
                c.item.clone(),
            ));
        }
    }
    let mut out = String::from("# 由 crates/doudi-web/tests/it/clauses.rs 生成，勿手改。\n");
    for (id, kind, path, item) in rows {
        out.push_str(&format!("{id}\t{kind}\t{path}\t{item}\n"));
    }
    out
}

#[test]
fn every_clause_id_the_code_and_the_tests_cite_is_in_the_specification() {
    let unknown: Vec<String> = citations()
        .into_iter()
        .filter(|c| doudi_core::clause::clauses_of(&c.id).next().is_none())
        .map(|c| format!("{} in {} ({})", c.id, c.path, c.item))
        .collect();
    assert!(
        unknown.is_empty(),
        "these cite clause ids that docs/policy/SPEC.md does not have:\n{}",
        unknown.join("\n")
    );
}

#[test]
fn the_coverage_table_is_what_the_code_and_the_tests_cite_now() {
    let now = table(&citations());
    let path = root().join(TABLE);
    if std::env::var_os("DOUDI_BLESS").is_some() {
        std::fs::write(&path, &now).expect("write the coverage table");
        return;
    }
    let kept = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        kept == now,
        "{TABLE} is out of date with the citations in the code; bring it up to date with \
         DOUDI_BLESS=1 cargo test -p doudi-web --test it clauses"
    );
}

#[test]
fn the_repositorys_specification_is_the_missions_own_where_that_is_at_hand() {
    // Beside a checkout made for the mission, its specification lies one folder up; a fresh
    // clone elsewhere has only the repository's copy, which the clause table is checked against.
    let mission = root().join("../shared/mission");
    for name in ["SPEC.md", "policy-yunyang-2019-22.zh.txt"] {
        if let Ok(theirs) = std::fs::read_to_string(mission.join(name)) {
            let ours = std::fs::read_to_string(root().join("docs/policy").join(name)).unwrap();
            assert_eq!(
                ours, theirs,
                "docs/policy/{name} differs from the mission's"
            );
        }
    }
}

#[test]
fn an_id_with_its_letter_is_a_citation_anywhere() {
    assert_eq!(cited("see 2.1.b and x2.1.b"), ["2.1.b"]);
    assert_eq!(cited("v2.1.b 12.1.b"), Vec::<String>::new());
}

#[test]
fn ids_in_brackets_that_begin_with_an_id_are_citations() {
    assert_eq!(cited("// Temporary (2.8)."), ["2.8"]);
    assert_eq!(cited("// (4.2.b, 2.4–2.8)"), ["2.4", "2.8", "4.2.b"]);
    assert_eq!(cited("临时救助（2.8）"), ["2.8"]);
    assert_eq!(cited("// (see 2.4)"), Vec::<String>::new());
    assert_eq!(cited("// log (4.5)."), ["4.5"]);
}

#[test]
fn measurements_and_numbers_are_not_citations() {
    for line in [
        "a 1.5 KB file",
        "took 2.1 s instead of 1.4 s",
        "OpenAPI 3.1 文档",
        "about ¥1.4×10¹⁶",
        "\"1.25\",",
        "version 1.2.3",
        "(1.25)",
        "40% of 7 is 2.8: three",
    ] {
        assert_eq!(cited(line), Vec::<String>::new(), "{line}");
    }
}

#[test]
fn ids_after_a_word_that_announces_a_clause_and_exact_strings_are_citations() {
    assert_eq!(cited("# 城市低保标准，依据 2.1.a"), ["2.1.a"]);
    assert_eq!(cited("依据2.4"), ["2.4"]);
    assert_eq!(cited("/// Which of the groups clause 1.2 covers"), ["1.2"]);
    assert_eq!(cited("AlertRule::Medical => \"2.4\","), ["2.4"]);
    assert_eq!(cited("clause = \"2.5\""), ["2.5"]);
}

#[test]
fn a_citation_is_put_on_the_item_it_documents_or_is_inside() {
    let text = "//! Module (2.4).\n\
                /// Documented (2.5).\n\
                #[derive(Debug)]\n\
                pub struct Stay;\n\
                vocabulary! {\n\
                    /// Categories (1.2).\n\
                    Category, \"救助类别\" {\n\
                        Dibao = (\"dibao\", \"城市低保\"),\n\
                    }\n\
                }\n\
                pub async fn settle() {\n\
                    // inside (2.6)\n\
                }\n\
                #[cfg(test)]\n\
                mod tests {\n\
                    #[test]\n\
                    fn a_test() { let _ = \"2.7\"; }\n\
                }\n";
    let found = scan("crates/x/src/a.rs", text);
    let short: Vec<(&str, bool, &str)> = found
        .iter()
        .map(|c| (c.id.as_str(), c.test, c.item.as_str()))
        .collect();
    assert_eq!(
        short,
        [
            ("2.4", false, ""),
            ("2.5", false, "Stay"),
            ("1.2", false, "Category"),
            ("2.6", false, "settle"),
            ("2.7", true, "a_test"),
        ]
    );
    let case = "# Cases (2.1.a)\n[[case]]\nname = \"a_case\"\nclause = \"2.1.b\"\n";
    let found = scan("crates/p/tests/cases/dibao.toml", case);
    assert_eq!(found[0].item, "");
    assert_eq!(
        (found[1].id.as_str(), found[1].item.as_str()),
        ("2.1.b", "a_case")
    );
    assert!(found.iter().all(|c| c.test));
}

#[tokio::test]
async fn the_coverage_page_lists_every_clause_with_the_documents_words_and_its_gaps() {
    use crate::support::*;
    use axum::http::StatusCode;

    let app = App::new().await;
    let cadre = app.login(COUNTY).await;
    let page = app.get(Some(&cadre), "/clauses").await;
    assert_eq!(page.status, StatusCode::OK);
    for clause in doudi_core::clause::all() {
        assert!(
            page.body.contains(&format!("id=\"clause-{}\"", clause.id)),
            "{} has its section",
            clause.id
        );
        // The document's own words, as askama escapes them.
        let words: String = clause.words().chars().take(12).collect();
        assert!(page.body.contains(&words), "{}: {words}", clause.id);
    }

    let api = app.get(Some(&cadre), "/api/clauses").await.json();
    let list = api.as_array().unwrap();
    assert_eq!(list.len(), doudi_core::clause::all().len());
    let mut gaps = 0;
    for c in list {
        let implemented = !c["implemented_in"].as_array().unwrap().is_empty();
        let tested = !c["tested_in"].as_array().unwrap().is_empty();
        assert_eq!(c["covered"], implemented && tested, "{c}");
        gaps += usize::from(!(implemented && tested));
    }
    if gaps > 0 {
        assert!(page.body.contains(&format!("缺口 {gaps} 条")));
    } else {
        assert!(page.body.contains("没有缺口"));
    }
    // 2.1.b is the hand-worked dibao cases' clause: its tests name them.
    let dibao = list.iter().find(|c| c["id"] == "2.1.b").unwrap();
    assert!(
        dibao["tested_in"]
            .to_string()
            .contains("tests/cases/dibao.toml")
    );

    let file = app.get(Some(&cadre), "/clauses.xlsx").await;
    assert_eq!(file.status, StatusCode::OK);
    let sheet = doudi_exchange::read::read_file("c.xlsx", &file.raw).unwrap();
    assert_eq!(sheet.headers[0], "条款");
    assert_eq!(sheet.rows.len(), doudi_core::clause::all().len());
    assert_eq!(sheet.rows[0].1[0].text, "1.2");
}

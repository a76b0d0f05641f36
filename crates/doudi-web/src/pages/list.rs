//! The household list: filters by township, community, category and cause, a search box, and 50
//! rows a page. One list query per request; division names come from one small query.
//!
//! With htmx, changing a filter fetches only the results (and the community choices of the
//! chosen township) and updates the address bar; without it the form is an ordinary GET form.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use doudi_core::{Actor, Category, PovertyCause};
use doudi_store::HouseholdSummary;

use super::export::{self, Export};
use super::{Chrome, ok};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::dto::{ListParams, ListQuery, PAGE_ROWS};
use crate::error::AppError;
use crate::extract::QueryPairs;
use crate::forms::{Opt, township_options};
use crate::view::{Divisions, url_encode};
use crate::vocab::Vocabulary;

/// One row of the table.
struct Row {
    id: i64,
    number: String,
    head: String,
    id_number: String,
    township: String,
    community: String,
    category: &'static str,
    category_code: &'static str,
    members: i64,
    causes: String,
    enrolled_on: String,
    exited_on: Option<String>,
    /// The contact phone, in a paired cadre's list.
    phone: Option<String>,
}

/// A link of the pager.
struct PageLink {
    label: String,
    href: Option<String>,
    current: bool,
}

/// The results part of the page, which htmx replaces on its own.
struct Results {
    total: i64,
    page: i64,
    pages: i64,
    rows: Vec<Row>,
    pager: Vec<PageLink>,
    filtered: bool,
    /// Whether the actor's view includes causes of poverty (a department's may not).
    show_causes: bool,
    /// The Excel export of the same filter.
    export_href: String,
    /// Why the search found nothing to show (a query too short to mean anything).
    problem: Option<String>,
    /// Who the person column shows: the head, or the members a department serves.
    person_header: &'static str,
    /// What the count column counts.
    count_header: &'static str,
    /// Whether the list has the contact phone (a paired cadre's).
    show_phone: bool,
}

#[derive(Template)]
#[template(path = "households.html")]
struct ListPage {
    chrome: Chrome,
    townships: Vec<Opt>,
    communities: Vec<Opt>,
    community_hint: &'static str,
    categories: Vec<Opt>,
    causes: Vec<Opt>,
    q: String,
    include_exited: bool,
    results: Results,
    oob: bool,
}

#[derive(Template)]
#[template(path = "households_fragment.html")]
struct ListFragment {
    communities: Vec<Opt>,
    community_hint: &'static str,
    results: Results,
    oob: bool,
}

fn options<T: Vocabulary>(selected: Option<T>, blank: &str) -> Vec<Opt> {
    std::iter::once(Opt {
        value: String::new(),
        label: blank.into(),
        selected: selected.is_none(),
    })
    .chain(T::ALL.iter().map(|v| Opt {
        value: v.code().into(),
        label: v.label().into(),
        selected: selected == Some(*v),
    }))
    .collect()
}

/// The query string of the current filter, for pager links.
fn filter_query(q: &ListQuery) -> String {
    let f = &q.filter;
    let mut parts: Vec<String> = Vec::new();
    let mut push = |name: &str, value: &str| parts.push(format!("{name}={}", url_encode(value)));
    if let Some(t) = &f.township {
        push("township", t.as_str());
    }
    if let Some(c) = &f.community {
        push("community", c.as_str());
    }
    if let Some(c) = f.category {
        push("category", c.code());
    }
    if let Some(c) = f.cause {
        push("cause", c.code());
    }
    if let Some(s) = &f.query {
        push("q", s);
    }
    if f.include_exited {
        push("include_exited", "true");
    }
    parts.join("&")
}

fn pager(query: &ListQuery, pages: i64) -> Vec<PageLink> {
    if pages <= 1 {
        return Vec::new();
    }
    let base = filter_query(query);
    let href = |p: i64| {
        if base.is_empty() {
            format!("/households?page={p}")
        } else {
            format!("/households?{base}&page={p}")
        }
    };
    let current = query.page;
    let link = |label: String, p: i64, enabled: bool| PageLink {
        label,
        href: enabled.then(|| href(p)),
        current: false,
    };
    let mut links = vec![link("« 上一页".into(), current - 1, current > 1)];
    let from = (current - 2).max(1);
    let to = (current + 2).min(pages);
    if from > 1 {
        links.push(link("1".into(), 1, true));
        if from > 2 {
            links.push(PageLink {
                label: "…".into(),
                href: None,
                current: false,
            });
        }
    }
    for p in from..=to {
        links.push(PageLink {
            label: p.to_string(),
            href: (p != current).then(|| href(p)),
            current: p == current,
        });
    }
    if to < pages {
        if to < pages - 1 {
            links.push(PageLink {
                label: "…".into(),
                href: None,
                current: false,
            });
        }
        links.push(link(pages.to_string(), pages, true));
    }
    links.push(link("下一页 »".into(), current + 1, current < pages));
    links
}

/// The filter of an export for the audit trail: the codes chosen, never the search text (which
/// may be a name or an identity number).
fn describe(p: &ListParams) -> String {
    let mut parts = Vec::new();
    for (what, value) in [
        ("乡镇", &p.township),
        ("社区", &p.community),
        ("类别", &p.category),
        ("致贫原因", &p.cause),
    ] {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            parts.push(format!("{what}={}", v.chars().take(20).collect::<String>()));
        }
    }
    if p.q.as_deref().is_some_and(|q| !q.trim().is_empty()) {
        parts.push("含搜索条件".to_owned());
    }
    if p.include_exited.as_deref().is_some_and(|v| !v.is_empty()) {
        parts.push("含已退出".to_owned());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("（{}）", parts.join("，"))
    }
}

/// A household of the list as the screen and the export show it (masked).
fn row(s: &HouseholdSummary, divisions: &Divisions) -> Row {
    Row {
        id: s.id.0,
        number: s.number.clone(),
        head: s.head_name.masked(),
        id_number: s.head_id_number.masked(),
        township: divisions.name(&s.township).to_owned(),
        community: divisions.name(&s.community).to_owned(),
        category: s.category.label(),
        category_code: s.category.code(),
        members: s.members,
        causes: doudi_core::labels::join_labels(&s.causes, PovertyCause::label),
        enrolled_on: s.enrolled_on.to_string(),
        exited_on: s.exited_on.map(|d| d.to_string()),
        phone: s.contact_phone.as_ref().map(|p| p.as_str().to_owned()),
    }
}

/// The headers of the person and count columns: a department sees the members it serves (the
/// education office its students), not the head of household.
fn person_headers(actor: &Actor) -> (&'static str, &'static str) {
    use doudi_core::department::Served;
    match actor.department_view().map(|v| v.serves) {
        Some(Served::Students) => ("在学成员", "在学人数"),
        Some(Served::Disabled) => ("持证残疾成员", "残疾人数"),
        Some(Served::IllOrDisabled) => ("重病或残疾成员", "服务人数"),
        Some(Served::AbleToWork) => ("有劳动能力成员", "服务人数"),
        Some(Served::Everyone) => ("家庭成员", "人数"),
        Some(Served::Head) | None => ("户主", "人数"),
    }
}

/// Whether the actor's view includes causes of poverty (a department's may not).
fn shows_causes(actor: &Actor) -> bool {
    actor
        .department_view()
        .is_none_or(|v| v.shows(doudi_core::department::Part::CausesAndNeeds))
}

/// The list as filtered, every page of it, as an Excel file.
pub(crate) async fn export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let params = ListParams::from_pairs(&pairs);
    let query = params.parse(false).map_err(AppError::invalid)?;
    let actor = &session.actor;
    let divisions = Divisions::load(state.app.store()).await?;
    let show_causes = shows_causes(actor);
    let (store, filter) = (state.app.store(), &query.filter);
    let found = export::every_page(
        |page| async move {
            let found = store.households(actor, filter, page).await?;
            Ok((found.total, found.rows))
        },
        "家庭",
        "先按乡镇（街道）筛选",
    )
    .await?;
    let rows = found
        .iter()
        .map(|s| {
            let r = row(s, &divisions);
            let mut cells = vec![
                r.number,
                r.head,
                r.id_number,
                r.township,
                r.community,
                r.category.to_owned(),
                r.members.to_string(),
            ];
            if show_causes {
                cells.push(r.causes);
            }
            if let Some(phone) = r.phone {
                cells.push(phone);
            }
            cells.push(r.enrolled_on);
            cells.push(r.exited_on.unwrap_or_default());
            export::text(cells)
        })
        .collect();
    let mut headers = vec![
        "户编号",
        "户主",
        "身份证号",
        "乡镇（街道）",
        "社区",
        "类别",
        "人数",
    ];
    if show_causes {
        headers.push("致贫原因");
    }
    headers.extend(["纳入日期", "退出日期"]);
    export::xlsx(
        &state,
        actor,
        state.today(),
        Export {
            name: "家庭档案",
            filter: describe(&params),
            headers,
            rows,
        },
    )
    .await
}

pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    headers: HeaderMap,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let params = ListParams::from_pairs(&pairs);
    let mut query = params.parse(false).map_err(AppError::invalid)?;
    query.per_page = PAGE_ROWS;
    let actor = &session.actor;
    let divisions = Divisions::load(state.app.store()).await?;
    // A search that cannot mean anything (too short, too many matches) is said above an empty
    // list, the filters kept, rather than on an error page.
    let (found, problem) = match state
        .app
        .store()
        .households(actor, &query.filter, query.store_page())
        .await
    {
        Ok(found) => (found, None),
        Err(doudi_store::StoreError::Invalid(message)) => (
            doudi_store::HouseholdPage {
                total: 0,
                rows: Vec::new(),
            },
            Some(message),
        ),
        Err(e) => return Err(e.into()),
    };

    let rows = found.rows.iter().map(|s| row(s, &divisions)).collect();
    let pages = (found.total + PAGE_ROWS - 1) / PAGE_ROWS;
    let f = &query.filter;
    let show_causes = shows_causes(actor);
    let (person_header, count_header) = person_headers(actor);
    let results = Results {
        show_causes,
        total: found.total,
        page: query.page,
        pages,
        rows,
        pager: pager(&query, pages),
        problem,
        person_header,
        count_header,
        show_phone: actor.role == doudi_core::Role::PairedCadre,
        export_href: match filter_query(&query) {
            q if q.is_empty() => "/households/export.xlsx".to_owned(),
            q => format!("/households/export.xlsx?{q}"),
        },
        filtered: f.township.is_some()
            || f.community.is_some()
            || f.category.is_some()
            || f.cause.is_some()
            || f.query.is_some(),
    };

    // Communities are offered for the chosen township, or for the actor's own township.
    let township = f
        .township
        .clone()
        .or_else(|| Divisions::scope_township(&actor.scope));
    let selected_community = f.community.as_ref().map(|c| c.as_str()).unwrap_or("");
    let communities: Vec<Opt> = match &township {
        Some(t) => divisions
            .communities_in(t, &actor.scope)
            .map(|c| Opt {
                value: c.code.to_string(),
                label: c.name.clone(),
                selected: c.code.as_str() == selected_community,
            })
            .collect(),
        None => Vec::new(),
    };
    let community_hint = if township.is_some() {
        "全部社区"
    } else {
        "请先选择乡镇（街道）"
    };

    let htmx =
        headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request");
    let mut response = if htmx {
        ok(&ListFragment {
            communities,
            community_hint,
            results,
            oob: true,
        })?
    } else {
        let township_code = f.township.as_ref().map(|t| t.as_str()).unwrap_or("");
        ok(&ListPage {
            chrome: Chrome::new(&session, "家庭档案", "households").here(),
            townships: township_options(
                &divisions,
                &actor.scope,
                township_code,
                "全部乡镇（街道）",
            ),
            communities,
            community_hint,
            categories: options::<Category>(f.category, "全部类别"),
            causes: options::<PovertyCause>(f.cause, "全部致贫原因"),
            q: f.query.clone().unwrap_or_default(),
            include_exited: f.include_exited,
            results,
            oob: false,
        })?
    };
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("HX-Request"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(page: i64) -> ListQuery {
        let pairs = vec![
            ("q".to_owned(), "张 三".to_owned()),
            ("page".to_owned(), page.to_string()),
        ];
        ListParams::from_pairs(&pairs).parse(true).unwrap()
    }

    #[test]
    fn pager_links_keep_the_filter_and_mark_the_current_page() {
        let links = pager(&query(5), 48);
        let labels: Vec<&str> = links.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "« 上一页",
                "1",
                "…",
                "3",
                "4",
                "5",
                "6",
                "7",
                "…",
                "48",
                "下一页 »"
            ]
        );
        assert!(links[5].current && links[5].href.is_none());
        assert_eq!(
            links[4].href.as_deref(),
            Some("/households?q=%E5%BC%A0%20%E4%B8%89&page=4")
        );
    }

    #[test]
    fn a_single_page_has_no_pager() {
        assert!(pager(&query(1), 1).is_empty());
        let first = pager(&query(1), 2);
        assert!(first[0].href.is_none());
    }
}

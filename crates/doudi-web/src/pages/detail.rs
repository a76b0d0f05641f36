//! The household page: everything filed about one household, with its change history, and the
//! actions of those who may edit it. Personal identifiers are masked here; edit forms show them
//! in full to those who may write, and the unmask form (`POST /households/{id}/unmask`) shows
//! them in full on this page, once, to whoever may see full details and states a purpose, which
//! the store records in the audit trail first.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use doudi_core::access::{self, Purpose};
use doudi_core::{
    DepartmentView, HouseholdId, HouseholdRecord, Money, Month, Need, Part, PovertyCause, Relation,
    age_on, labels::join_labels,
};
use doudi_store::PairingFilter;
use doudi_store::casework::Entitlement;

use super::Chrome;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::PathParams;
use crate::forms::FormInput;
use crate::view::{Divisions, IncomeTable, china_time};

struct Fact {
    label: &'static str,
    value: String,
}

struct MemberRow {
    id: i64,
    name: String,
    id_number: String,
    sex: &'static str,
    age: u32,
    relation: &'static str,
    is_head: bool,
    disability: String,
    illness: String,
    self_care: &'static str,
    work: String,
    employment: &'static str,
    school: String,
    insurance: &'static str,
    family_doctor: &'static str,
    health_record: &'static str,
}

/// An income or expense record.
struct EntryRow {
    person_id: i64,
    person: String,
    month: String,
    kind_code: &'static str,
    kind: &'static str,
    amount: String,
}

struct AssetRow {
    kind_code: &'static str,
    kind: &'static str,
    description: String,
    value: String,
}

struct SurveyView {
    family_situation: String,
    poverty_cause: String,
    help_needed: String,
    surveyed_by: String,
    surveyed_on: String,
}

/// A cadre paired with the household.
struct PairingRow {
    cadre: i64,
    name: String,
    username: String,
    since: String,
}

/// What a department does not see, wherever it would have been shown.
const HIDDEN: &str = "（本部门无权查看）";

/// Which sections of the page the reader sees (a department only those of its parts).
struct Shown {
    incomes: bool,
    expenses: bool,
    assets: bool,
    survey: bool,
    /// History, the entitlement and the pairings: whole households only.
    whole: bool,
}

struct HistoryRow {
    at: String,
    who: String,
    role: &'static str,
    action: String,
    subject: String,
    field: String,
    old: String,
    new: String,
}

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    chrome: Chrome,
    can_write: bool,
    /// Whether the user may ask to see the identifiers in full.
    can_unmask: bool,
    /// The purpose given, when the identifiers are shown in full.
    unmasked: Option<String>,
    /// Why the unmask form was refused.
    unmask_error: Option<String>,
    id: i64,
    version: i64,
    number: String,
    category: &'static str,
    category_code: &'static str,
    exited: bool,
    /// Whether the household is being paid (在保), stopped, or not approved yet: from its
    /// entitlement periods, for those who read them.
    standing: Option<(&'static str, &'static str)>,
    place: String,
    facts: Vec<Fact>,
    members: Vec<MemberRow>,
    incomes: IncomeTable,
    income_entries: Vec<EntryRow>,
    expenses: Vec<EntryRow>,
    assets: Vec<AssetRow>,
    asset_total: String,
    survey: Option<SurveyView>,
    earlier_surveys: usize,
    history: Vec<HistoryRow>,
    shown: Shown,
    department_note: Option<String>,
    pairings: Vec<PairingRow>,
    can_pair: bool,
    cadres: Vec<crate::forms::Opt>,
    /// The household's visits (3.3), for those who read visits.
    can_read_visits: bool,
    visits: Vec<super::visits::VisitRow>,
    /// Whether the reader may record a visit.
    can_visit: bool,
}

fn yes_no(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

fn or_none(s: String) -> String {
    if s.is_empty() { "—".into() } else { s }
}

pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
) -> Result<Response, AppError> {
    let actor = &session.actor;
    let record = state.app.store().household(actor, HouseholdId(id)).await?;
    render(&state, &session, &record, None, None, StatusCode::OK).await
}

/// Shows the household's identifiers in full, for the purpose the form gives (用途), which the
/// store records in the audit trail before it hands the values over. Without a purpose, the
/// masked page comes back with the form's complaint.
pub(crate) async fn unmask(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    form: FormInput,
) -> Result<Response, AppError> {
    let purpose = form.get("purpose").trim().to_owned();
    let actor = &session.actor;
    match state
        .app
        .store()
        .unmask(actor, HouseholdId(id), &purpose)
        .await
    {
        Ok(record) => {
            render(
                &state,
                &session,
                &record,
                Some(purpose),
                None,
                StatusCode::OK,
            )
            .await
        }
        Err(doudi_store::StoreError::Invalid(message)) => {
            let record = state.app.store().household(actor, HouseholdId(id)).await?;
            render(
                &state,
                &session,
                &record,
                None,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The page for a household as read: masked, or in full when `unmasked` holds the purpose.
/// A household's standing by its entitlement periods: 在保 once approved and paying (or due to
/// start), 已停发 when every period has ended, 未批准 before any approval (4.2.b: being filed is
/// not being covered).
fn standing(periods: &[Entitlement], month: Month) -> (&'static str, &'static str) {
    if periods
        .iter()
        .any(|p| p.until.is_none_or(|until| until >= month))
    {
        ("在保", "tag-ok")
    } else if periods.is_empty() {
        ("未批准", "tag-muted")
    } else {
        ("已停发", "tag-exited")
    }
}

async fn render(
    state: &AppState,
    session: &crate::auth::Session,
    record: &HouseholdRecord,
    unmasked: Option<String>,
    unmask_error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let actor = &session.actor;
    let id = record.household.id;
    let whole = actor.sees_whole_households();
    // In full only after the unmask action, and only for the roles that may unmask (5.1).
    let purpose = if unmasked.is_some() {
        Purpose::Unmask
    } else {
        Purpose::Detail
    };
    let full = actor.visibility(purpose).identifiers == access::Shown::Full;
    let store = state.app.store();
    let today = state.today();
    // The parts of the page are read together: each read's audit entry then joins the same
    // batch rather than waiting for the one before it.
    let history = async {
        if whole {
            Ok(store.history(actor, id).await?)
        } else {
            Ok::<_, AppError>(Vec::new())
        }
    };
    let standing = async {
        if !whole || record.household.fields.exited_on.is_some() {
            return Ok(None);
        }
        match store.entitlements(actor, id).await {
            Ok(periods) => Ok(Some(standing(&periods, Month::of(today)))),
            Err(doudi_store::StoreError::Forbidden) => Ok(None),
            Err(e) => Err(AppError::from(e)),
        }
    };
    let pairings = async {
        if !whole {
            return Ok::<_, AppError>(Vec::new());
        }
        let filter = PairingFilter {
            household: Some(id),
            cadre: None,
        };
        Ok(store.pairings(actor, filter).await?)
    };
    let cadres = async {
        if actor.may_manage_pairings() {
            Ok::<_, AppError>(store.cadres(actor).await?)
        } else {
            Ok(Vec::new())
        }
    };
    let visits = async {
        if doudi_store::visits::may_read_visits(actor) {
            super::visits::of_household(state, actor, id).await
        } else {
            Ok(Vec::new())
        }
    };
    let (history, divisions, standing, pairings, cadres, visits) = tokio::try_join!(
        history,
        async { Divisions::load(store).await },
        standing,
        pairings,
        cadres,
        visits
    )?;
    let mut page = build(
        record,
        &history,
        &divisions,
        today,
        Chrome::new(session, "", "households"),
        actor.department_view(),
        full,
    );
    page.standing = standing;
    page.pairings = pairings
        .into_iter()
        .map(|p| PairingRow {
            cadre: p.cadre,
            name: p.cadre_name,
            username: p.cadre_username,
            since: china_time(p.since),
        })
        .collect();
    if actor.may_manage_pairings() {
        page.can_pair = true;
        page.cadres = cadres
            .into_iter()
            .filter(|c| !page.pairings.iter().any(|p| p.cadre == c.id))
            .map(|c| crate::forms::Opt {
                value: c.id.to_string(),
                label: format!("{}（{}）", c.display_name, c.username),
                selected: false,
            })
            .collect();
    }
    if doudi_store::visits::may_read_visits(actor) {
        page.can_read_visits = true;
        page.visits = visits
            .iter()
            .map(|v| super::visits::visit_row(v, &divisions))
            .collect();
        page.can_visit = doudi_store::visits::may_record_visits(actor);
    }
    page.can_unmask = actor.may_unmask();
    page.unmasked = unmasked;
    page.unmask_error = unmask_error;
    super::page(status, &page)
}

fn build(
    record: &HouseholdRecord,
    history: &[doudi_store::HistoryEntry],
    divisions: &Divisions,
    today: chrono::NaiveDate,
    chrome: Chrome,
    view: Option<&DepartmentView>,
    full: bool,
) -> HouseholdPage {
    let hides = |part: Part| view.is_some_and(|v| !v.shows(part));
    let or_hidden = |part: Part, value: String| {
        if hides(part) {
            HIDDEN.to_owned()
        } else {
            value
        }
    };
    let h = &record.household;
    let f = &h.fields;
    // Names, identity numbers, phones and accounts: masked unless the page was unmasked.
    let name = |n: &doudi_core::PersonName| {
        if full {
            n.as_str().to_owned()
        } else {
            n.masked()
        }
    };
    let head = record
        .head()
        .map_or_else(|| "（无户主）".to_owned(), |p| name(&p.fields.name));
    let mut chrome = chrome.crumb("家庭档案", "/households");
    chrome.title = format!("{} {}户", f.number, head);
    let chrome = chrome.here();
    let name_of = |id: doudi_core::PersonId| {
        record
            .members
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| "（已移除成员）".to_owned(), |p| name(&p.fields.name))
    };
    let facts = vec![
        Fact {
            label: "户编号",
            value: f.number.clone(),
        },
        Fact {
            label: "救助类别",
            value: f.category.label().into(),
        },
        Fact {
            label: "乡镇（街道）",
            value: divisions.name(&f.township).into(),
        },
        Fact {
            label: "社区",
            value: divisions.name(&f.community).into(),
        },
        Fact {
            label: "纳入日期",
            value: f.enrolled_on.to_string(),
        },
        Fact {
            label: "退出日期",
            value: f.exited_on.map_or("—".into(), |d| d.to_string()),
        },
        Fact {
            label: "住址",
            value: or_hidden(Part::Address, f.address.clone()),
        },
        Fact {
            label: "联系电话",
            value: or_hidden(
                Part::Phone,
                f.phone.as_ref().map_or("—".into(), |p| {
                    if full {
                        p.as_str().to_owned()
                    } else {
                        p.masked()
                    }
                }),
            ),
        },
        Fact {
            label: "银行账号",
            value: or_hidden(
                Part::BankAccount,
                f.bank_account.as_ref().map_or("—".into(), |b| {
                    if full {
                        b.as_str().to_owned()
                    } else {
                        b.masked()
                    }
                }),
            ),
        },
        Fact {
            label: "住房情况",
            value: or_hidden(Part::Housing, f.housing.label().into()),
        },
        Fact {
            label: "致贫原因",
            value: or_hidden(
                Part::CausesAndNeeds,
                or_none(join_labels(&f.causes, PovertyCause::label)),
            ),
        },
        Fact {
            label: "帮扶需求",
            value: or_hidden(
                Part::CausesAndNeeds,
                or_none(join_labels(&f.needs, Need::label)),
            ),
        },
    ];
    let members = record
        .members
        .iter()
        .map(|p| {
            let m = &p.fields;
            let mut illness = Vec::new();
            if m.serious_illness {
                illness.push("重病".to_owned());
            }
            if !m.disease.is_empty() {
                illness.push(m.disease.clone());
            }
            if let Some(d) = m.special_disease {
                illness.push(format!("特殊病种：{}", d.label()));
            }
            let hidden = |part: Part, shown: &'static str| if hides(part) { HIDDEN } else { shown };
            MemberRow {
                id: p.id.0,
                name: name(&m.name),
                id_number: if full {
                    m.id_number.as_str().to_owned()
                } else {
                    m.id_number.masked()
                },
                sex: m.sex().label(),
                age: age_on(m.birth_date(), today),
                relation: m.relation.label(),
                is_head: m.relation == Relation::Head,
                disability: or_hidden(
                    Part::Disability,
                    m.disability.map_or("无".into(), |d| {
                        format!("{}{}", d.kind.label(), d.grade.label())
                    }),
                ),
                illness: or_hidden(
                    Part::Illness,
                    if illness.is_empty() {
                        "无".into()
                    } else {
                        illness.join("；")
                    },
                ),
                self_care: hidden(Part::SelfCare, m.self_care.label()),
                work: or_hidden(
                    Part::Work,
                    format!(
                        "{}，{}",
                        m.work_capacity.label(),
                        if m.willing_to_work {
                            "有就业意愿"
                        } else {
                            "无就业意愿"
                        }
                    ),
                ),
                employment: hidden(Part::Work, m.employment.label()),
                school: or_hidden(
                    Part::Schooling,
                    match m.school_stage {
                        None => "不在学".into(),
                        Some(s) if m.boarding => format!("{}（寄宿）", s.label()),
                        Some(s) => s.label().into(),
                    },
                ),
                insurance: hidden(Part::Insurance, m.insurance.label()),
                family_doctor: hidden(Part::HealthServices, yes_no(m.family_doctor)),
                health_record: hidden(Part::HealthServices, yes_no(m.health_record)),
            }
        })
        .collect();
    let income_entries = record
        .incomes
        .iter()
        .map(|i| EntryRow {
            person_id: i.person.0,
            person: name_of(i.person),
            month: i.month.to_string(),
            kind_code: i.kind.code(),
            kind: i.kind.label(),
            amount: i.amount.to_string(),
        })
        .collect();
    let expenses = record
        .expenses
        .iter()
        .map(|x| EntryRow {
            person_id: x.person.0,
            person: name_of(x.person),
            month: x.month.to_string(),
            kind_code: x.kind.code(),
            kind: x.kind.label(),
            amount: x.amount.to_string(),
        })
        .collect();
    let assets = record
        .assets
        .iter()
        .map(|a| AssetRow {
            kind_code: a.kind.code(),
            kind: a.kind.label(),
            description: a.description.clone(),
            value: a.value.to_string(),
        })
        .collect();
    let asset_total: Money = record.assets.iter().map(|a| a.value).sum();
    let survey = record.surveys.first().map(|s| SurveyView {
        family_situation: s.family_situation.clone(),
        poverty_cause: s.poverty_cause.clone(),
        help_needed: s.help_needed.clone(),
        surveyed_by: s.surveyed_by.clone(),
        surveyed_on: s.surveyed_on.to_string(),
    });
    let history = history
        .iter()
        .map(|e| HistoryRow {
            at: china_time(e.at),
            who: e.actor_name.clone(),
            role: e.actor_role.label(),
            action: e.action.clone(),
            subject: e.subject.clone(),
            field: e.field.clone(),
            old: e.old.clone(),
            new: e.new.clone(),
        })
        .collect();
    HouseholdPage {
        can_write: chrome.user.as_ref().is_some_and(|u| u.can_write),
        can_unmask: false,
        unmasked: None,
        unmask_error: None,
        chrome,
        id: h.id.0,
        version: h.version,
        number: f.number.clone(),
        category: f.category.label(),
        category_code: f.category.code(),
        exited: f.exited_on.is_some(),
        standing: None,
        place: format!(
            "{} · {}",
            divisions.name(&f.township),
            divisions.name(&f.community)
        ),
        facts,
        members,
        incomes: IncomeTable::new(&record.members, &record.incomes),
        income_entries,
        expenses,
        assets,
        asset_total: asset_total.to_string(),
        survey,
        earlier_surveys: record.surveys.len().saturating_sub(1),
        history,
        shown: Shown {
            incomes: !hides(Part::Incomes),
            expenses: !(hides(Part::MedicalExpenses) && hides(Part::TuitionExpenses)),
            assets: !(hides(Part::PropertyAssets) && hides(Part::OtherAssets)),
            survey: !hides(Part::Survey),
            whole: view.is_none(),
        },
        department_note: view.map(|v| {
            let parts: Vec<&str> = v.parts.iter().map(|p| p.label()).collect();
            format!(
                "您以{}部门身份查看：只显示{}，以及{}；其他成员和内容依规不予显示。",
                v.department.label(),
                v.serves.label(),
                parts.join("、")
            )
        }),
        pairings: Vec::new(),
        can_pair: false,
        cadres: Vec::new(),
        can_read_visits: false,
        visits: Vec::new(),
        can_visit: false,
    }
}

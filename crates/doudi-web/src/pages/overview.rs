//! The overview: households and people per township (城市低保 and 城市特困), linking into the
//! list.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use doudi_core::Role;

use super::{Chrome, ok};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::view::Divisions;

struct Row {
    code: String,
    name: String,
    dibao: i64,
    tekun: i64,
    households: i64,
    people: i64,
}

/// What a role does here, in a sentence for its home page (5.1: each role sees its own work).
fn duties(role: Role) -> &'static str {
    match role {
        Role::Admin => {
            "您负责为各单位开设账户、分配角色与工作范围、停用和重置账户；为保护隐私，本角色不查看家庭档案。"
        }
        Role::CountyApprover => {
            "您负责审批各乡镇（街道）报来的低保、特困申请，按政策核定待遇并说明依据，每月生成发放名册、交银行代发并核对回盘，组织复核。"
        }
        Role::Auditor => {
            "您负责监督：查看审计日志，核查谁在何时查看、修改了哪户信息，抽查家庭档案与发放情况；本角色只读，不能修改数据。"
        }
        Role::TownshipCaseworker => {
            "您负责本乡镇（街道）的家庭档案：受理和审核社区报来的申请，入户核查，报县审批，办理到期复核和退出。"
        }
        Role::CommunityWorker => {
            "您负责本社区：登记困难家庭、入户调查、提交申请、张榜公示，跟进已在保家庭的变化并及时上报。"
        }
        Role::DepartmentOfficer => {
            "您查看本部门专项救助所需的对象信息（只显示本部门工作需要的部分），并反馈部门掌握的情况。"
        }
        Role::PairedCadre => {
            "您负责联系与您结对的困难家庭：入户走访、了解需求、协调帮扶，并记录帮扶情况。"
        }
        Role::SocialOrganisation => {
            "您可以承接脱敏后的帮扶需求、开展服务并登记完成情况；为保护隐私，本角色看不到可识别个人的家庭信息。"
        }
        Role::System => "系统任务。",
    }
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    chrome: Chrome,
    duties: &'static str,
    may_read: bool,
    rows: Vec<Row>,
    total: Row,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let chrome = Chrome::new(&session, "工作概览", "overview");
    let actor = &session.actor;
    let mut total = Row {
        code: String::new(),
        name: "合计".into(),
        dibao: 0,
        tekun: 0,
        households: 0,
        people: 0,
    };
    if !actor.may_read_households() {
        return ok(&OverviewPage {
            chrome,
            duties: duties(actor.role),
            may_read: false,
            rows: Vec::new(),
            total,
        });
    }
    let divisions = Divisions::load(state.app.store()).await?;
    let counts = state.app.store().township_counts(actor).await?;
    // Every township of the actor's scope gets a row, those without households too, so that a
    // missing township is visible as a zero rather than as an absence.
    let rows: Vec<Row> = divisions
        .townships_in(&actor.scope)
        .map(|t| {
            let c = counts.iter().find(|c| c.township == t.code);
            let (dibao, tekun, people) = c.map_or((0, 0, 0), |c| {
                (c.dibao_households, c.tekun_households, c.people)
            });
            Row {
                code: t.code.to_string(),
                name: t.name.clone(),
                dibao,
                tekun,
                households: dibao + tekun,
                people,
            }
        })
        .collect();
    for r in &rows {
        total.dibao += r.dibao;
        total.tekun += r.tekun;
        total.households += r.households;
        total.people += r.people;
    }
    ok(&OverviewPage {
        chrome,
        duties: duties(actor.role),
        may_read: true,
        rows,
        total,
    })
}

//! The departments' figures per township (2.4, 2.5, 2.7): family-doctor and health-record
//! coverage, special diseases, students and zero-employment households, this year's inpatient
//! out-of-catalogue share (15% watch) and this term's undelivered education items, counts only, as a page,
//! as Excel and as JSON.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Chrome, ok};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::view::Divisions;

/// A share in words: 12/40（30.0%）.
fn share(part: u32, whole: u32) -> String {
    if whole == 0 {
        return "—".into();
    }
    let permille = u64::from(part) * 1000 / u64::from(whole);
    format!("{part}/{whole}（{}.{}%）", permille / 10, permille % 10)
}

struct Row {
    township: String,
    households: u32,
    members: u32,
    family_doctor: String,
    health_record: String,
    special_disease: u32,
    students: u32,
    zero_employment: u32,
    out_of_catalogue: String,
    out_over_limit: bool,
    undelivered: String,
}

#[derive(Template)]
#[template(path = "figures.html")]
struct FiguresPage {
    chrome: Chrome,
    rows: Vec<Row>,
}

async fn rows(state: &AppState, session: &crate::auth::Session) -> Result<Vec<Row>, AppError> {
    let figures = state.app.township_figures(&session.actor).await?;
    let divisions = Divisions::load(state.app.store()).await?;
    Ok(figures
        .into_iter()
        .map(|f| Row {
            township: divisions
                .get(&f.township)
                .map_or(f.township.clone(), |d| d.name.clone()),
            households: f.households,
            members: f.members,
            family_doctor: share(f.family_doctor, f.members),
            health_record: share(f.health_record, f.members),
            special_disease: f.special_disease,
            students: f.students,
            zero_employment: f.zero_employment,
            out_of_catalogue: match f.out_share() {
                Some(share) => format!("{}（{}人次）", share, f.stays),
                None => "—".into(),
            },
            out_over_limit: f.out_over_limit,
            undelivered: if f.undelivered_items == 0 {
                "0".into()
            } else {
                format!("{}项，{}", f.undelivered_items, f.undelivered_value)
            },
        })
        .collect())
}

/// The figures page.
pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    ok(&FiguresPage {
        chrome: Chrome::new(&session, "部门工作指标", "figures").here(),
        rows: rows(&state, &session).await?,
    })
}

/// The figures as Excel.
pub(crate) async fn export(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Response, AppError> {
    let rows = rows(&state, &session).await?;
    super::export::xlsx(
        &state,
        &session.actor,
        state.today(),
        super::export::Export {
            name: "部门工作指标",
            filter: String::new(),
            headers: vec![
                "乡镇（街道）",
                "户数",
                "人数",
                "家庭医生签约",
                "电子健康档案",
                "特殊病种",
                "在校（园）学生",
                "零就业家庭",
                "住院目录外费用占比",
                "目录外费用是否超标",
                "教育资助未发放",
            ],
            rows: rows
                .into_iter()
                .map(|r| {
                    super::export::text([
                        r.township,
                        r.households.to_string(),
                        r.members.to_string(),
                        r.family_doctor,
                        r.health_record,
                        r.special_disease.to_string(),
                        r.students.to_string(),
                        r.zero_employment.to_string(),
                        r.out_of_catalogue,
                        if r.out_over_limit {
                            "超标"
                        } else {
                            "未超标"
                        }
                        .to_owned(),
                        r.undelivered,
                    ])
                })
                .collect(),
        },
    )
    .await
}

/// One township's figures.
#[derive(Serialize, ToSchema)]
pub struct TownshipFiguresDto {
    /// 乡镇（街道）代码。
    pub township: String,
    /// 户数。
    pub households: u32,
    /// 人数。
    pub members: u32,
    /// 家庭医生签约人数。
    pub family_doctor: u32,
    /// 建立电子健康档案人数。
    pub health_record: u32,
    /// 特殊病种人数。
    pub special_disease: u32,
    /// 在校（园）学生数。
    pub students: u32,
    /// 零就业家庭户数。
    pub zero_employment: u32,
    /// 今年住院人次（已结算、未撤销）。
    pub stays: u32,
    /// 今年住院总费用（分）。
    pub stay_total_fen: i64,
    /// 今年住院目录外费用（分）。
    pub out_of_catalogue_fen: i64,
    /// 目录外费用占比是否超过控制标准（精确比较）。
    pub out_over_limit: bool,
    /// 本学期教育资助未发放项目数。
    pub undelivered_items: u32,
    /// 未发放金额（分）。
    pub undelivered_fen: i64,
}

/// The departments' figures per township of the caller's part of the county, counts only
/// (department officers, the county, auditors, township caseworkers).
#[utoipa::path(
    get,
    path = "/api/figures",
    tag = "discovery",
    responses(
        (status = 200, description = "各乡镇部门工作指标", body = [TownshipFiguresDto]),
        (status = 403, description = "无权查看", body = ErrorBody),
    )
)]
pub(crate) async fn api(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
) -> Result<Json<Vec<TownshipFiguresDto>>, AppError> {
    let figures = state.app.township_figures(&session.actor).await?;
    Ok(Json(
        figures
            .into_iter()
            .map(|f| TownshipFiguresDto {
                township: f.township,
                households: f.households,
                members: f.members,
                family_doctor: f.family_doctor,
                health_record: f.health_record,
                special_disease: f.special_disease,
                students: f.students,
                zero_employment: f.zero_employment,
                stays: f.stays,
                stay_total_fen: f.stay_total.fen(),
                out_of_catalogue_fen: f.out_of_catalogue.fen(),
                out_over_limit: f.out_over_limit,
                undelivered_items: f.undelivered_items,
                undelivered_fen: f.undelivered_value.fen(),
            })
            .collect(),
    ))
}

// The implementation of `Casework` that the SQLite and PostgreSQL backends share.
//
// Like `shared_impl.rs`, this file is not a module: `sqlite.rs` and `postgres.rs` each
// `include!` it after `shared_impl.rs`, whose helpers (`Conn`, `append_audit`,
// `household_in_scope`, `load_record`, the `begin_*` hooks) it uses.
//
// A case is locked by its version: every step updates the row `WHERE version = expected`, so
// two caseworkers acting on one case at once cannot both succeed. Months are stored as
// 'YYYY-MM' text in both backends, which orders like the months themselves.

mod casework_sql {
    use chrono::NaiveDate;

    /// The columns of a case row, with the household's file number (`h`).
    pub(super) const CASE_COLUMNS: &str = "c.id, c.household_id, h.number AS household_number, \
         c.community, c.case_type, c.state, c.submitted_on, c.accepted_on, c.complex, \
         c.notice_from, c.notice_until, c.refusal, c.decided_on, c.version";

    /// A case as stored.
    #[derive(sqlx::FromRow)]
    pub(super) struct CaseRow {
        pub(super) id: i64,
        pub(super) household_id: i64,
        pub(super) household_number: String,
        pub(super) community: String,
        pub(super) case_type: String,
        pub(super) state: String,
        pub(super) submitted_on: NaiveDate,
        pub(super) accepted_on: Option<NaiveDate>,
        pub(super) complex: bool,
        pub(super) notice_from: Option<NaiveDate>,
        pub(super) notice_until: Option<NaiveDate>,
        pub(super) refusal: Option<String>,
        pub(super) decided_on: Option<NaiveDate>,
        pub(super) version: i64,
    }

    /// The columns of an entitlement row.
    pub(super) const ENTITLEMENT_COLUMNS: &str = "e.id, e.household_id, e.decision_id, e.program, \
         e.monthly_fen, e.from_month, e.until_month, e.end_reason, e.review_class, e.next_review";

    /// An entitlement as stored.
    #[derive(sqlx::FromRow)]
    pub(super) struct EntitlementRow {
        pub(super) id: i64,
        pub(super) household_id: i64,
        pub(super) decision_id: i64,
        pub(super) program: String,
        pub(super) monthly_fen: i64,
        pub(super) from_month: String,
        pub(super) until_month: Option<String>,
        pub(super) end_reason: Option<String>,
        pub(super) review_class: String,
        pub(super) next_review: NaiveDate,
    }

    /// An objection as stored.
    #[derive(sqlx::FromRow)]
    pub(super) struct ObjectionRow {
        pub(super) case_id: i64,
        pub(super) number: i64,
        pub(super) raised_on: NaiveDate,
        pub(super) text: String,
        pub(super) upheld: Option<bool>,
        pub(super) resolution: Option<String>,
    }
}

use crate::casework::{
    CareCount, CaseFilter, CaseId, CasePage, CaseRecord, CaseStep, CaseSummary, Casework, Death,
    DeathRecorded, Entitlement,
    CarriedClaim, Exclusion, ImportedEntitlement, NewDecision, NewReview, NewReviewProposal, HouseholdPayment, PaymentLine, PaymentPreview, PaymentRun,
    PaymentStatus,
    ProposalState, PublicNotice, Restatement, ReviewProposal, Settlement, Stopped, StoredDecision, WorkList,
};
use casework_sql::{CASE_COLUMNS, CaseRow, ENTITLEMENT_COLUMNS, EntitlementRow, ObjectionRow};
use doudi_core::Category;
use doudi_core::disaster::PaymentProgram;
use doudi_core::casework::{
    self as cw, Action, CaseState, CaseType, ReviewClass, ReviewResult, StepKind,
};

/// Who reads cases: the county approver, auditors, township caseworkers and community workers
/// (each in their scope), and the system.
fn may_read_cases(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::CountyApprover
            | Role::Auditor
            | Role::TownshipCaseworker
            | Role::CommunityWorker
            | Role::System
    )
}

/// Who changes entitlements and runs payments: the county approver and the system.
fn may_pay(actor: &Actor) -> bool {
    matches!(actor.role, Role::CountyApprover | Role::System)
}

/// A stored month.
fn parse_month(s: &str, table: &str, id: i64) -> Result<Month, StoreError> {
    Month::parse(s).map_err(|_| common::corrupt(table, "month", id))
}

impl CaseRow {
    fn into_summary(self, objections: Vec<cw::Objection>) -> Result<CaseSummary, StoreError> {
        let id = self.id;
        let bad = |column: &str| common::corrupt("cases", column, id);
        let case = cw::Case {
            case_type: CaseType::parse(&self.case_type).map_err(|_| bad("case_type"))?,
            state: CaseState::parse(&self.state).map_err(|_| bad("state"))?,
            accepted_on: self.accepted_on,
            complex: self.complex,
            notice: self.notice_from.zip(self.notice_until),
            objections,
            refusal: self.refusal,
        };
        Ok(CaseSummary {
            id: CaseId(id),
            household: HouseholdId(self.household_id),
            household_number: self.household_number,
            community: DivisionCode::parse(&self.community).map_err(|_| bad("community"))?,
            version: self.version,
            submitted_on: self.submitted_on,
            decided_on: self.decided_on,
            case,
        })
    }
}

impl EntitlementRow {
    fn into_entitlement(self) -> Result<Entitlement, StoreError> {
        let id = self.id;
        let bad = |column: &str| common::corrupt("entitlements", column, id);
        Ok(Entitlement {
            id,
            household: HouseholdId(self.household_id),
            decision: self.decision_id,
            program: Category::parse(&self.program).map_err(|_| bad("program"))?,
            monthly_fen: self.monthly_fen,
            from: parse_month(&self.from_month, "entitlements", id)?,
            until: self
                .until_month
                .as_deref()
                .map(|m| parse_month(m, "entitlements", id))
                .transpose()?,
            end_reason: self.end_reason,
            review_class: ReviewClass::parse(&self.review_class)
                .map_err(|_| bad("review_class"))?,
            next_review: self.next_review,
        })
    }
}

/// The objections of the cases, by case.
async fn objections_of(
    conn: &mut Conn,
    cases: &[i64],
) -> Result<HashMap<i64, Vec<cw::Objection>>, StoreError> {
    let mut out: HashMap<i64, Vec<cw::Objection>> = HashMap::new();
    for chunk in cases.chunks(IN_LIST_CHUNK) {
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
            "SELECT case_id, number, raised_on, text, upheld, resolution \
             FROM case_objections WHERE case_id IN (",
        );
        let mut list = qb.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        qb.push(") ORDER BY case_id, number");
        let rows: Vec<ObjectionRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
        for r in rows {
            out.entry(r.case_id).or_default().push(cw::Objection {
                number: usize::try_from(r.number).unwrap_or(0),
                raised_on: r.raised_on,
                text: r.text,
                resolution: r.upheld.map(|u| (u, r.resolution.unwrap_or_default())),
            });
        }
    }
    Ok(out)
}

/// Case rows with their objections.
async fn summaries(conn: &mut Conn, rows: Vec<CaseRow>) -> Result<Vec<CaseSummary>, StoreError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut objections = objections_of(conn, &ids).await?;
    rows.into_iter()
        .map(|r| {
            let o = objections.remove(&r.id).unwrap_or_default();
            r.into_summary(o)
        })
        .collect()
}

/// One case in the actor's scope, else not found.
async fn case_in_scope(
    conn: &mut Conn,
    actor: &Actor,
    id: CaseId,
) -> Result<CaseSummary, StoreError> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM cases c JOIN households h ON h.id = c.household_id \
         WHERE c.id = $1"
    );
    let row: Option<CaseRow> = sqlx::query_as(&sql)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) if covers(actor, &row.community) => {
            Ok(summaries(conn, vec![row]).await?.remove(0))
        }
        _ => Err(StoreError::NotFound),
    }
}

/// A case with its steps and exclusions (no scope check, no audit).
async fn load_case(conn: &mut Conn, summary: CaseSummary) -> Result<CaseRecord, StoreError> {
    #[derive(sqlx::FromRow)]
    struct StepRow {
        id: i64,
        at: DateTime<Utc>,
        on_date: NaiveDate,
        actor_name: String,
        actor_role: String,
        kind: String,
        state: String,
        detail: String,
    }
    let rows: Vec<StepRow> = sqlx::query_as(
        "SELECT id, at, on_date, actor_name, actor_role, kind, state, detail \
         FROM case_steps WHERE case_id = $1 ORDER BY id",
    )
    .bind(summary.id.0)
    .fetch_all(&mut *conn)
    .await?;
    let steps = rows
        .into_iter()
        .map(|r| {
            Ok(CaseStep {
                at: r.at,
                on: r.on_date,
                actor_name: r.actor_name,
                actor_role: r.actor_role,
                kind: StepKind::parse(&r.kind)
                    .map_err(|_| common::corrupt("case_steps", "kind", r.id))?,
                state: CaseState::parse(&r.state)
                    .map_err(|_| common::corrupt("case_steps", "state", r.id))?,
                detail: r.detail,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let rows: Vec<(i64, Option<String>, String)> = sqlx::query_as(
        "SELECT x.person_id, p.name, x.reason FROM case_exclusions x \
         LEFT JOIN persons p ON p.id = x.person_id WHERE x.case_id = $1 ORDER BY x.person_id",
    )
    .bind(summary.id.0)
    .fetch_all(&mut *conn)
    .await?;
    let exclusions = rows
        .into_iter()
        .map(|(person, name, reason)| Exclusion {
            person: PersonId(person),
            name_masked: name
                .and_then(|n| doudi_core::PersonName::parse(&n).ok())
                .map_or_else(|| "（已移除的成员）".to_owned(), |n| n.masked()),
            reason,
        })
        .collect();
    Ok(CaseRecord {
        id: summary.id,
        household: summary.household,
        household_number: summary.household_number,
        community: summary.community,
        version: summary.version,
        submitted_on: summary.submitted_on,
        decided_on: summary.decided_on,
        case: summary.case,
        steps,
        exclusions,
    })
}

/// Records a step of a case.
async fn write_step(
    conn: &mut Conn,
    actor: &Actor,
    case: i64,
    today: NaiveDate,
    kind: StepKind,
    state: CaseState,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO case_steps (case_id, at, on_date, user_id, actor_name, actor_role, kind, \
         state, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(case)
    .bind(common::now())
    .bind(today)
    .bind(actor.user_id)
    .bind(common::clip(&actor.display_name))
    .bind(actor.role.code())
    .bind(kind.code())
    .bind(state.code())
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Writes a case's new state where its version is still `expected`; a moved version is a
/// conflict.
async fn write_case(
    conn: &mut Conn,
    id: i64,
    expected: i64,
    case: &cw::Case,
    decided_on: Option<NaiveDate>,
) -> Result<(), StoreError> {
    let (from, until) = case.notice.unzip();
    let done = sqlx::query(
        "UPDATE cases SET state = $1, accepted_on = $2, complex = $3, notice_from = $4, \
         notice_until = $5, refusal = $6, decided_on = COALESCE($7, decided_on), \
         version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10",
    )
    .bind(case.state.code())
    .bind(case.accepted_on)
    .bind(case.complex)
    .bind(from)
    .bind(until)
    .bind(case.refusal.as_deref())
    .bind(decided_on)
    .bind(common::now())
    .bind(id)
    .bind(expected)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let (current,): (i64,) = sqlx::query_as("SELECT version FROM cases WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Err(StoreError::Conflict { expected, current })
}

/// Writes the objections that changed or appeared.
async fn write_objections(
    conn: &mut Conn,
    id: i64,
    before: &cw::Case,
    after: &cw::Case,
) -> Result<(), sqlx::Error> {
    for o in &after.objections {
        let old = before.objections.iter().find(|b| b.number == o.number);
        match old {
            None => {
                sqlx::query(
                    "INSERT INTO case_objections (case_id, number, raised_on, text) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(o.number as i64)
                .bind(o.raised_on)
                .bind(&o.text)
                .execute(&mut *conn)
                .await?;
            }
            Some(b) if b.resolution != o.resolution => {
                let (upheld, resolution) = o.resolution.clone().unzip();
                sqlx::query(
                    "UPDATE case_objections SET upheld = $1, resolution = $2 \
                     WHERE case_id = $3 AND number = $4",
                )
                .bind(upheld)
                .bind(resolution)
                .bind(id)
                .bind(o.number as i64)
                .execute(&mut *conn)
                .await?;
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Maps a refusal of the state machine to the store's errors.
fn case_error(e: cw::CaseError) -> StoreError {
    match e {
        cw::CaseError::Role { .. } => StoreError::Forbidden,
        other => StoreError::Invalid(other.to_string()),
    }
}

/// Checks every member of the household against the rural poverty registry and excludes those
/// found (4.2.c). Returns how many were excluded. Identity numbers are compared by
/// [`crate::casework::rural_key`], computed here from what the store gives back.
async fn check_rural(
    conn: &mut Conn,
    keys: &Keys,
    case: i64,
    household: i64,
) -> Result<usize, StoreError> {
    let row = select_household(conn, household)
        .await?
        .ok_or(StoreError::NotFound)?;
    let record = load_record(conn, keys, row).await?;
    let mut excluded = 0;
    for member in &record.members {
        let key = keys.rural_index(member.fields.id_number.as_str());
        let found: Option<(String,)> =
            sqlx::query_as("SELECT source FROM rural_registry WHERE id_key = $1")
                .bind(&key)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some((source,)) = found {
            sqlx::query(
                "INSERT INTO case_exclusions (case_id, person_id, reason) VALUES ($1, $2, $3) \
                 ON CONFLICT (case_id, person_id) DO NOTHING",
            )
            .bind(case)
            .bind(member.id.0)
            .bind(format!(
                "已在农村建档立卡贫困人口（农村低保）名单中（{source}），不纳入本次申请，依据 4.2.c"
            ))
            .execute(&mut *conn)
            .await?;
            excluded += 1;
        }
    }
    Ok(excluded)
}

/// Writes a frozen decision; returns its id.
async fn insert_decision(
    conn: &mut Conn,
    actor: &Actor,
    household: i64,
    case: Option<i64>,
    kind: &str,
    d: &NewDecision,
    reason: &str,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO decisions (household_id, case_id, kind, params_month, params_version, \
         household_version, snapshot, explanation, monthly_fen, reason, decided_by, decided_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(household)
    .bind(case)
    .bind(kind)
    .bind(d.params_month.to_string())
    .bind(&d.params_version)
    .bind(d.household_version)
    .bind(&d.snapshot_json)
    .bind(&d.explanation_json)
    .bind(d.monthly_fen)
    .bind(reason)
    .bind(actor.user_id)
    .bind(common::now())
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Opens an entitlement period; returns its id.
async fn insert_entitlement(
    conn: &mut Conn,
    household: i64,
    decision: i64,
    program: Category,
    d: &NewDecision,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO entitlements (household_id, decision_id, program, monthly_fen, from_month, \
         review_class, next_review, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         RETURNING id",
    )
    .bind(household)
    .bind(decision)
    .bind(program.code())
    .bind(d.monthly_fen)
    .bind(d.from_month.to_string())
    .bind(d.review_class.code())
    .bind(d.next_review)
    .bind(common::now())
    .fetch_one(&mut *conn)
    .await
    // A second open period for the household: the database refuses it (0007).
    .map_err(common::duplicate_from)?;
    Ok(id)
}

/// An entitlement by id, if it lies in the actor's scope.
async fn entitlement_in_scope(
    conn: &mut Conn,
    actor: &Actor,
    id: i64,
) -> Result<Entitlement, StoreError> {
    let sql = format!(
        "SELECT {ENTITLEMENT_COLUMNS}, h.community FROM entitlements e \
         JOIN households h ON h.id = e.household_id WHERE e.id = $1"
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        e: EntitlementRow,
        community: String,
    }
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) if covers(actor, &r.community) => r.e.into_entitlement(),
        _ => Err(StoreError::NotFound),
    }
}

/// Closes an open entitlement before `from` and opens the new amount from `from` (none when
/// it is 0). Never rewrites a period: one that starts at or after `from` is refused.
async fn restate_one(
    conn: &mut Conn,
    actor: &Actor,
    r: &Restatement,
    kind: &str,
) -> Result<Option<i64>, StoreError> {
    let old = entitlement_in_scope(conn, actor, r.entitlement).await?;
    let from = r.decision.from_month;
    if let Some(until) = old.until {
        return Err(StoreError::Invalid(format!(
            "待遇期间{}已于{until}结束，不能再调整",
            old.id
        )));
    }
    if old.from >= from {
        return Err(StoreError::Invalid(format!(
            "待遇期间{}自{}起，调整月份{from}不晚于它：已生效的期间不能改写，请从{}起调整",
            old.id,
            old.from,
            old.from.plus(1)
        )));
    }
    let decision = insert_decision(
        conn,
        actor,
        old.household.0,
        None,
        kind,
        &r.decision,
        &r.reason,
    )
    .await?;
    sqlx::query("UPDATE entitlements SET until_month = $1, end_reason = $2 WHERE id = $3")
        .bind(from.minus(1).to_string())
        .bind(common::clip(&r.reason))
        .bind(old.id)
        .execute(&mut *conn)
        .await?;
    lapse_proposals(conn, old.id).await?;
    sqlx::query(
        "DELETE FROM payments WHERE entitlement_id = $1 AND month >= $2 AND status = 'pending'",
    )
    .bind(old.id)
    .bind(from.to_string())
    .execute(&mut *conn)
    .await?;
    if r.decision.monthly_fen <= 0 {
        return Ok(None);
    }
    let id = insert_entitlement(conn, old.household.0, decision, old.program, &r.decision).await?;
    Ok(Some(id))
}

/// A review proposal waiting for the county no longer applies once its period has ended
/// another way (a restatement, a death, an exit): it lapses, said as such on the household's
/// page.
async fn lapse_proposals(conn: &mut Conn, entitlement: i64) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE review_proposals SET state = 'lapsed' WHERE entitlement_id = $1 AND state = 'pending'",
    )
    .bind(entitlement)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends every open benefit of a household after `last_month` (see [`Casework::stop_benefits`]).
async fn stop_in(
    conn: &mut Conn,
    actor: &Actor,
    household: i64,
    last_month: Month,
    reason: &str,
    today: NaiveDate,
) -> Result<Stopped, StoreError> {
    let last = last_month.to_string();
    let sql = format!(
        "SELECT {ENTITLEMENT_COLUMNS} FROM entitlements e WHERE e.household_id = $1 \
         AND (e.until_month IS NULL OR e.until_month > $2) ORDER BY e.id"
    );
    let rows: Vec<EntitlementRow> = sqlx::query_as(&sql)
        .bind(household)
        .bind(&last)
        .fetch_all(&mut *conn)
        .await?;
    let mut entitlements = Vec::new();
    for row in rows {
        let mut e = row.into_entitlement()?;
        sqlx::query("UPDATE entitlements SET until_month = $1, end_reason = $2 WHERE id = $3")
            .bind(&last)
            .bind(common::clip(reason))
            .bind(e.id)
            .execute(&mut *conn)
            .await?;
        lapse_proposals(conn, e.id).await?;
        e.until = Some(last_month);
        e.end_reason = Some(common::clip(reason));
        entitlements.push(e);
    }
    // The benefits' lines only: a disaster relief's line follows its relief, which the
    // emergency officer withdraws (`cancel_relief`), else the next run would make it again.
    let removed = sqlx::query(
        "DELETE FROM payments WHERE household_id = $1 AND month > $2 AND status = 'pending' \
         AND entitlement_id IS NOT NULL",
    )
    .bind(household)
    .bind(&last)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let open: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT id, case_type, version FROM cases WHERE household_id = $1 \
         AND state NOT IN ('approved', 'refused', 'withdrawn') ORDER BY id",
    )
    .bind(household)
    .fetch_all(&mut *conn)
    .await?;
    let mut cases = Vec::new();
    for (id, case_type, _) in open {
        sqlx::query(
            "UPDATE cases SET state = 'withdrawn', version = version + 1, updated_at = $1 \
             WHERE id = $2",
        )
        .bind(common::now())
        .bind(id)
        .execute(&mut *conn)
        .await?;
        write_step(
            conn,
            actor,
            id,
            today,
            StepKind::Withdraw,
            CaseState::Withdrawn,
            &format!("该户退出，申请终止：{}", reason.trim()),
        )
        .await?;
        let case_type =
            CaseType::parse(&case_type).map_err(|_| common::corrupt("cases", "case_type", id))?;
        cases.push((CaseId(id), case_type));
    }
    Ok(Stopped {
        entitlements,
        cases,
        payments_removed: removed,
    })
}

#[async_trait]
impl Casework for Backend {
    async fn submit_case(
        &self,
        actor: &Actor,
        household: HouseholdId,
        case_type: CaseType,
        today: NaiveDate,
    ) -> Result<CaseId, StoreError> {
        if !cw::may_submit(actor.role) {
            return Err(StoreError::Forbidden);
        }
        let now = common::now();
        let mut tx = self.begin_write().await?;
        let row = household_in_scope(&mut tx, actor, household.0).await?;
        let open: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM cases WHERE household_id = $1 AND case_type = $2 \
             AND state NOT IN ('approved', 'refused', 'withdrawn')",
        )
        .bind(household.0)
        .bind(case_type.code())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((id,)) = open {
            return Err(StoreError::Duplicate(format!(
                "该户已有一件{case_type}申请在办（申请编号{id}），请勿重复提交"
            )));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO cases (household_id, community, case_type, state, submitted_on, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(household.0)
        .bind(&row.community)
        .bind(case_type.code())
        .bind(CaseState::Submitted.code())
        .bind(today)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        // A submission that raced past the check above: the database refuses it (0007).
        .map_err(common::duplicate_from)?;
        write_step(
            &mut tx,
            actor,
            id,
            today,
            StepKind::Submit,
            CaseState::Submitted,
            &format!("提交{case_type}申请"),
        )
        .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Create,
            &format!("case:{id}"),
            &format!(
                "提交申请：{}（household:{}）",
                case_type.label(),
                household.0
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(CaseId(id))
    }

    async fn case(&self, actor: &Actor, id: CaseId) -> Result<CaseRecord, StoreError> {
        if !may_read_cases(actor) {
            return Err(StoreError::Forbidden);
        }
        let record = {
            let mut tx = self.begin_read().await?;
            let summary = case_in_scope(&mut tx, actor, id).await?;
            load_case(&mut tx, summary).await?
        };
        self.audit_alone(
            actor,
            AuditAction::Read,
            &format!("case:{}", id.0),
            "查看申请",
        )
        .await?;
        Ok(record)
    }

    async fn cases(
        &self,
        actor: &Actor,
        filter: &CaseFilter,
        page: crate::Page,
    ) -> Result<CasePage, StoreError> {
        if !may_read_cases(actor) {
            return Err(StoreError::Forbidden);
        }
        let limit = page.limit.clamp(0, 500);
        let offset = page.offset.max(0);
        let list = {
            let mut tx = self.begin_read().await?;
            let mut count: QueryBuilder<'_, Db> = QueryBuilder::new(
                "SELECT COUNT(*) FROM cases c JOIN households h ON h.id = c.household_id",
            );
            push_case_filter(&mut count, actor, filter);
            let (total,): (i64,) = count.build_query_as().fetch_one(&mut *tx).await?;
            let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(format!(
                "SELECT {CASE_COLUMNS} FROM cases c JOIN households h ON h.id = c.household_id"
            ));
            push_case_filter(&mut qb, actor, filter);
            qb.push(" ORDER BY c.id DESC LIMIT ")
                .push_bind(limit)
                .push(" OFFSET ")
                .push_bind(offset);
            let rows: Vec<CaseRow> = qb.build_query_as().fetch_all(&mut *tx).await?;
            CasePage {
                total,
                rows: summaries(&mut tx, rows).await?,
            }
        };
        self.audit_alone(
            actor,
            AuditAction::List,
            "cases",
            &format!("第{}件起{}件，共{}件", offset + 1, list.rows.len(), list.total),
        )
        .await?;
        Ok(list)
    }

    async fn act_on_case(
        &self,
        actor: &Actor,
        id: CaseId,
        expected_version: i64,
        action: &Action,
        today: NaiveDate,
        limits: &cw::Limits,
    ) -> Result<CaseRecord, StoreError> {
        if matches!(action, Action::Approve) {
            return Err(StoreError::Invalid(
                "批准须连同核定的待遇一并记录（approve_case）".into(),
            ));
        }
        if !action.allowed_for(actor.role) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_write().await?;
        let summary = case_in_scope(&mut tx, actor, id).await?;
        if summary.version != expected_version {
            return Err(StoreError::Conflict {
                expected: expected_version,
                current: summary.version,
            });
        }
        let mut action = action.clone();
        if let Action::Investigate(i) = &mut action {
            let (surveys,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM surveys WHERE household_id = $1")
                    .bind(summary.household.0)
                    .fetch_one(&mut *tx)
                    .await?;
            i.survey_on_file = surveys > 0;
        }
        let before = summary.case.clone();
        let after = cw::apply(&before, &action, actor.role, today, limits).map_err(case_error)?;
        let decided = matches!(after.state, CaseState::Refused).then_some(today);
        write_case(&mut tx, id.0, expected_version, &after, decided).await?;
        write_objections(&mut tx, id.0, &before, &after).await?;
        let mut detail = action.detail();
        if matches!(action, Action::Accept { .. }) {
            let excluded = check_rural(&mut tx, &self.keys(), id.0, summary.household.0).await?;
            if excluded > 0 {
                detail.push_str(&format!(
                    "；比对农村建档立卡（农村低保）名单：{excluded}名成员已在名单中，不纳入本次申请"
                ));
            } else {
                detail.push_str("；比对农村建档立卡（农村低保）名单：无重复");
            }
        }
        write_step(
            &mut tx,
            actor,
            id.0,
            today,
            action.kind(),
            after.state,
            &detail,
        )
        .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("case:{}", id.0),
            &format!(
                "{}：{} → {}",
                action.kind().label(),
                before.state.label(),
                after.state.label()
            ),
        )
        .await?;
        let summary = case_in_scope(&mut tx, actor, id).await?;
        let record = load_case(&mut tx, summary).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn approve_case(
        &self,
        actor: &Actor,
        id: CaseId,
        expected_version: i64,
        decision: &NewDecision,
        today: NaiveDate,
        limits: &cw::Limits,
    ) -> Result<i64, StoreError> {
        if !Action::Approve.allowed_for(actor.role) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_write().await?;
        let summary = case_in_scope(&mut tx, actor, id).await?;
        if summary.version != expected_version {
            return Err(StoreError::Conflict {
                expected: expected_version,
                current: summary.version,
            });
        }
        let after = cw::apply(&summary.case, &Action::Approve, actor.role, today, limits)
            .map_err(case_error)?;
        let (current,): (i64,) = sqlx::query_as("SELECT version FROM households WHERE id = $1")
            .bind(summary.household.0)
            .fetch_one(&mut *tx)
            .await?;
        if current != decision.household_version {
            return Err(StoreError::Conflict {
                expected: decision.household_version,
                current,
            });
        }
        write_case(&mut tx, id.0, expected_version, &after, Some(today)).await?;
        let decision_id = insert_decision(
            &mut tx,
            actor,
            summary.household.0,
            Some(id.0),
            "approve",
            decision,
            "",
        )
        .await?;
        let mut detail = format!("批准（决定编号{decision_id}）");
        if let Some(program) = summary.case.case_type.monthly_category() {
            let e =
                insert_entitlement(&mut tx, summary.household.0, decision_id, program, decision)
                    .await?;
            detail.push_str(&format!(
                "；自{}起每月{}元（待遇编号{e}）",
                decision.from_month,
                Money::from_fen(decision.monthly_fen).to_yuan_string()
            ));
        }
        write_step(
            &mut tx,
            actor,
            id.0,
            today,
            StepKind::Approve,
            after.state,
            &detail,
        )
        .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("case:{}", id.0),
            &format!("县民政局批准：decision:{decision_id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(decision_id)
    }

    async fn import_entitlements(
        &self,
        actor: &Actor,
        entries: &[ImportedEntitlement],
    ) -> Result<u64, StoreError> {
        may_pay_each_once(actor, entries, "导入")?;
        let now = common::now();
        let mut tx = self.begin_write().await?;
        insert_imported(&mut tx, actor, entries, now).await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Import,
            "entitlements",
            &format!("导入既有待遇{}项", entries.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(entries.len() as u64)
    }

    async fn carried_entitlements(&self, actor: &Actor) -> Result<Vec<CarriedClaim>, StoreError> {
        if !may_pay(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
            "SELECT c.household_id, h.number, h.community, c.program, c.monthly_fen, \
             c.from_month, c.reference FROM carried_entitlements c \
             JOIN households h ON h.id = c.household_id WHERE 1 = 1",
        );
        push_household_scope(&mut qb, actor);
        qb.push(" ORDER BY h.number");
        let rows: Vec<(i64, String, String, String, i64, String, String)> =
            qb.build_query_as().fetch_all(&self.pool).await?;
        let t = "carried_entitlements";
        rows.into_iter()
            .map(|(id, number, community, program, fen, from, reference)| {
                Ok(CarriedClaim {
                    household: HouseholdId(id),
                    number,
                    community: DivisionCode::parse(&community)
                        .map_err(|_| common::corrupt("households", "community", id))?,
                    claim: doudi_core::CarriedEntitlement {
                        program: Category::parse(&program)
                            .map_err(|_| common::corrupt(t, "program", id))?,
                        monthly: doudi_core::Money::from_fen(fen),
                        from: Month::parse(&from).map_err(|_| common::corrupt(t, "from_month", id))?,
                        reference,
                    },
                })
            })
            .collect()
    }

    async fn confirm_carried(
        &self,
        actor: &Actor,
        entries: &[ImportedEntitlement],
    ) -> Result<u64, StoreError> {
        may_pay_each_once(actor, entries, "确认")?;
        let now = common::now();
        let mut tx = self.begin_write().await?;
        for chunk in entries.chunks(1000) {
            let mut qb: QueryBuilder<'_, Db> =
                QueryBuilder::new("DELETE FROM carried_entitlements WHERE household_id IN (");
            let mut list = qb.separated(", ");
            for e in chunk {
                list.push_bind(e.household.0);
            }
            qb.push(")");
            let removed = qb.build().execute(&mut *tx).await?.rows_affected();
            if removed != chunk.len() as u64 {
                return Err(StoreError::Invalid(
                    "有的家庭没有待确认的现享待遇（可能已被他人确认），请刷新后重试".into(),
                ));
            }
        }
        insert_imported(&mut tx, actor, entries, now).await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Create,
            "entitlements",
            &format!("确认现享待遇{}项", entries.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(entries.len() as u64)
    }

    async fn record_care(
        &self,
        actor: &Actor,
        person: PersonId,
        centralised: bool,
        institution: &str,
        since: NaiveDate,
    ) -> Result<(), StoreError> {
        if !actor.may_keep_benefits() {
            return Err(StoreError::Forbidden);
        }
        if centralised && institution.trim().is_empty() {
            return Err(StoreError::Invalid("集中供养须写明供养机构".into()));
        }
        let mut tx = self.begin_write().await?;
        let (household,): (i64,) = sqlx::query_as("SELECT household_id FROM persons WHERE id = $1")
            .bind(person.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let row = household_in_scope(&mut tx, actor, household).await?;
        if row.category != Category::Tekun.code() {
            return Err(StoreError::Invalid(
                "只有城市特困人员家庭的成员有供养方式".into(),
            ));
        }
        let mode = if centralised {
            "centralised"
        } else {
            "dispersed"
        };
        sqlx::query(
            "INSERT INTO tekun_care (person_id, household_id, mode, institution, since, \
             recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(person.0)
        .bind(row.id)
        .bind(mode)
        .bind(common::clip(institution))
        .bind(since)
        .bind(actor.user_id)
        .bind(common::now())
        .execute(&mut *tx)
        .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("person:{}", person.0),
            &format!(
                "供养方式：{}（自{since}，household:{}）",
                if centralised {
                    "集中供养"
                } else {
                    "分散供养"
                },
                row.id
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn care_counts(&self, actor: &Actor) -> Result<Vec<CareCount>, StoreError> {
        if !may_read_cases(actor) {
            return Err(StoreError::Forbidden);
        }
        let rows: Vec<(String, i64, i64)> = {
            let mut tx = self.begin_read().await?;
            let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
                "SELECT h.township, COUNT(*), CAST(COALESCE(SUM(CASE WHEN c.mode = 'centralised' \
                 THEN 1 ELSE 0 END), 0) AS BIGINT) \
                 FROM persons p JOIN households h ON h.id = p.household_id \
                 LEFT JOIN tekun_care c ON c.id = (SELECT MAX(c2.id) FROM tekun_care c2 \
                   WHERE c2.person_id = p.id) \
                 WHERE h.category = 'tekun' AND h.exited_on IS NULL \
                 AND p.self_care IN ('partial', 'none')",
            );
            push_household_scope(&mut qb, actor);
            qb.push(" GROUP BY h.township ORDER BY h.township");
            qb.build_query_as().fetch_all(&mut *tx).await?
        };
        self.audit_alone(
            actor,
            AuditAction::List,
            "tekun_care",
            &format!("失能特困人员集中供养统计：{}个乡镇（街道）", rows.len()),
        )
        .await?;
        rows.into_iter()
            .map(|(township, disabled, centralised)| {
                Ok(CareCount {
                    township: DivisionCode::parse(&township)
                        .map_err(|_| common::corrupt("households", "township", &township))?,
                    disabled: u32::try_from(disabled).unwrap_or(u32::MAX),
                    centralised: u32::try_from(centralised).unwrap_or(u32::MAX),
                })
            })
            .collect()
    }

    async fn import_rural_registry(
        &self,
        actor: &Actor,
        ids: &[IdNumber],
        source: &str,
    ) -> Result<u64, StoreError> {
        if !may_pay(actor) {
            return Err(StoreError::Forbidden);
        }
        let now = common::now();
        let keys = self.keys();
        let mut unique: Vec<&IdNumber> = ids.iter().collect();
        unique.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        unique.dedup_by(|a, b| a.as_str() == b.as_str());
        let rows: Vec<(String, String)> = unique
            .iter()
            .map(|id| {
                (
                    keys.rural_index(id.as_str()),
                    keys.seal(Column::RuralIdNumber, id.as_str()),
                )
            })
            .collect();
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM rural_registry")
            .execute(&mut *tx)
            .await?;
        // Four values a row.
        for chunk in rows.chunks(MAX_BIND_PARAMS / 4) {
            let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
                "INSERT INTO rural_registry (id_key, id_number, source, imported_at) ",
            );
            qb.push_values(chunk, |mut b, (key, sealed)| {
                b.push_bind(key.as_str())
                    .push_bind(sealed.as_str())
                    .push_bind(common::clip(source))
                    .push_bind(now);
            });
            qb.build().execute(&mut *tx).await?;
        }
        append_audit(
            &mut tx,
            actor,
            AuditAction::Import,
            "rural_registry",
            &format!("导入农村建档立卡（农村低保）名单：{}人", rows.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    async fn entitlements(
        &self,
        actor: &Actor,
        household: HouseholdId,
    ) -> Result<Vec<Entitlement>, StoreError> {
        if !actor.sees_whole_households() {
            return Err(StoreError::Forbidden);
        }
        let list = {
            let mut tx = self.begin_read().await?;
            household_in_scope(&mut tx, actor, household.0).await?;
            let sql = format!(
                "SELECT {ENTITLEMENT_COLUMNS} FROM entitlements e WHERE e.household_id = $1 \
                 ORDER BY e.from_month, e.id"
            );
            let rows: Vec<EntitlementRow> = sqlx::query_as(&sql)
                .bind(household.0)
                .fetch_all(&mut *tx)
                .await?;
            rows.into_iter()
                .map(EntitlementRow::into_entitlement)
                .collect::<Result<Vec<_>, _>>()?
        };
        self.audit_alone(
            actor,
            AuditAction::Read,
            &format!("household:{}", household.0),
            "查看待遇期间",
        )
        .await?;
        Ok(list)
    }

    async fn decisions(
        &self,
        actor: &Actor,
        household: HouseholdId,
    ) -> Result<Vec<StoredDecision>, StoreError> {
        if !actor.sees_whole_households() {
            return Err(StoreError::Forbidden);
        }
        type Row = (i64, Option<i64>, Option<String>, String, String, String, i64, String, i64);
        let rows: Vec<Row> = {
            let mut tx = self.begin_read().await?;
            household_in_scope(&mut tx, actor, household.0).await?;
            sqlx::query_as(
                "SELECT d.id, d.case_id, c.case_type, d.kind, d.params_month, d.params_version, \
                 d.household_version, d.snapshot, d.monthly_fen \
                 FROM decisions d LEFT JOIN cases c ON c.id = d.case_id \
                 WHERE d.household_id = $1 ORDER BY d.id",
            )
            .bind(household.0)
            .fetch_all(&mut *tx)
            .await?
        };
        let list = rows
            .into_iter()
            .map(|(id, case, case_type, kind, month, version, hv, snapshot, fen)| {
                Ok(StoredDecision {
                    id,
                    household,
                    case: case.map(CaseId),
                    case_type: case_type
                        .map(|t| CaseType::parse(&t))
                        .transpose()
                        .map_err(|_| common::corrupt("cases", "case_type", id))?,
                    kind,
                    params_month: Month::parse(&month)
                        .map_err(|_| common::corrupt("decisions", "params_month", id))?,
                    params_version: version,
                    household_version: hv,
                    snapshot_json: snapshot,
                    monthly_fen: fen,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.audit_alone(
            actor,
            AuditAction::Read,
            &format!("household:{}", household.0),
            "查看核定决定",
        )
        .await?;
        Ok(list)
    }

    async fn open_entitlements(
        &self,
        actor: &Actor,
        m: Month,
    ) -> Result<Vec<Entitlement>, StoreError> {
        if !may_read_cases(actor) {
            return Err(StoreError::Forbidden);
        }
        let list = {
            let mut tx = self.begin_read().await?;
            let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(format!(
                "SELECT {ENTITLEMENT_COLUMNS} FROM entitlements e \
                 JOIN households h ON h.id = e.household_id WHERE e.from_month <= "
            ));
            qb.push_bind(m.to_string())
                .push(" AND (e.until_month IS NULL OR e.until_month >= ")
                .push_bind(m.to_string())
                .push(")");
            push_household_scope(&mut qb, actor);
            qb.push(" ORDER BY e.household_id, e.id");
            let rows: Vec<EntitlementRow> = qb.build_query_as().fetch_all(&mut *tx).await?;
            rows.into_iter()
                .map(EntitlementRow::into_entitlement)
                .collect::<Result<Vec<_>, _>>()?
        };
        self.audit_alone(
            actor,
            AuditAction::BulkRead,
            "entitlements",
            &format!("{m}在享待遇{}项", list.len()),
        )
        .await?;
        Ok(list)
    }

    async fn restate_entitlements(
        &self,
        actor: &Actor,
        restatements: &[Restatement],
    ) -> Result<Vec<i64>, StoreError> {
        if !may_pay(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_write().await?;
        let mut opened = Vec::new();
        for r in restatements {
            opened.extend(restate_one(&mut tx, actor, r, "restate").await?);
        }
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            "entitlements",
            &format!(
                "调整待遇：结束{}个期间，新开{}个期间",
                restatements.len(),
                opened.len()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(opened)
    }

    async fn stop_benefits(
        &self,
        actor: &Actor,
        household: HouseholdId,
        last_month: Month,
        reason: &str,
    ) -> Result<Stopped, StoreError> {
        require_write(actor)?;
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid("请填写停发原因（如死亡、退出）".into()));
        }
        let mut tx = self.begin_write().await?;
        household_in_scope(&mut tx, actor, household.0).await?;
        let stopped = stop_in(
            &mut tx,
            actor,
            household.0,
            last_month,
            reason,
            common::today(),
        )
        .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("household:{}", household.0),
            &format!(
                "停发：{}起不再发放，结束待遇{}项，终止申请{}件",
                last_month.plus(1),
                stopped.entitlements.len(),
                stopped.cases.len()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(stopped)
    }

    async fn record_death(
        &self,
        actor: &Actor,
        death: &Death,
    ) -> Result<DeathRecorded, StoreError> {
        // One permission check, before anything is read or written: the removal and the
        // restatement need the same role, so neither can succeed without the other.
        if !actor.may_keep_benefits() {
            return Err(StoreError::Forbidden);
        }
        if death.died_on > death.today {
            return Err(StoreError::Invalid(format!(
                "死亡日期{}晚于今天（{}）：不能登记尚未发生的死亡，请核对日期",
                death.died_on, death.today
            )));
        }
        let last = Month::of(death.died_on);
        let from = last.plus(1);
        let reason = format!("死亡（{}）", death.died_on);
        let now = common::now();
        let keys = self.keys();
        let mut tx = self.begin_write().await?;
        match select_person(&mut tx, death.person.0).await? {
            Some(p) if p.household_id == death.household.0 => {}
            _ => return Err(StoreError::NotFound),
        }
        let row = lock_for_edit(
            &mut tx,
            actor,
            death.household.0,
            death.expected_version,
            now,
        )
        .await?;
        let (members,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM persons WHERE household_id = $1")
                .bind(row.id)
                .fetch_one(&mut *tx)
                .await?;
        let (recorded, detail) = if members <= 1 {
            if !death.restatements.is_empty() {
                return Err(StoreError::Invalid(
                    "唯一成员死亡时停发全部待遇，不再重新核定金额".into(),
                ));
            }
            let old = member_of(&mut tx, &keys, row.id, death.person).await?;
            let change = Change {
                action: common::CHANGED,
                subject: common::member_subject(&old),
                field: "死亡".into(),
                old: String::new(),
                new: format!("{reason}，{from}起停发"),
            };
            record(&mut tx, actor, now, row.id, vec![change]).await?;
            let stopped = stop_in(&mut tx, actor, row.id, last, &reason, death.today).await?;
            let detail = format!(
                "登记唯一成员死亡：{from}起停发，结束待遇{}项，终止申请{}件",
                stopped.entitlements.len(),
                stopped.cases.len()
            );
            (DeathRecorded::Stopped(stopped), detail)
        } else {
            remove_member_in(&mut tx, actor, &keys, row.id, death.person, &reason, now).await?;
            // The amounts were computed for the entitlements open after the death; if the
            // county restated one since, they are stale and nothing is written.
            let open: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, from_month FROM entitlements WHERE household_id = $1 \
                 AND until_month IS NULL ORDER BY id",
            )
            .bind(row.id)
            .fetch_all(&mut *tx)
            .await?;
            let mut expected = Vec::with_capacity(open.len());
            for (id, period_from) in &open {
                let period_from = parse_month(period_from, "entitlements", *id)?;
                expected.push((*id, Death::restated_from(from, period_from)));
            }
            let mut given: Vec<(i64, Month)> = death
                .restatements
                .iter()
                .map(|r| (r.entitlement, r.decision.from_month))
                .collect();
            given.sort_unstable_by_key(|(id, _)| *id);
            if given != expected {
                return Err(StoreError::Invalid(
                    "该户的待遇期间在核算后已有变动，未作任何登记，请刷新后重新登记死亡".into(),
                ));
            }
            let mut opened = Vec::new();
            for r in &death.restatements {
                opened.extend(restate_one(&mut tx, actor, r, "death").await?);
            }
            let detail = format!(
                "登记成员死亡（household:{}）：{from}起调整待遇{}项",
                row.id,
                death.restatements.len()
            );
            (DeathRecorded::Restated(opened), detail)
        };
        append_audit(
            &mut tx,
            actor,
            AuditAction::Delete,
            &format!("person:{}", death.person.0),
            &detail,
        )
        .await?;
        if let Some((alert, outcome)) = &death.answers {
            let closed = sqlx::query(
                "UPDATE alerts SET state = 'done', outcome = $1, updated_by = $2, \
                 updated_at = $3 WHERE id = $4 AND household_id = $5 \
                 AND state IN ('new', 'in_progress')",
            )
            .bind(common::clip(outcome))
            .bind(actor.user_id)
            .bind(now)
            .bind(alert)
            .bind(row.id)
            .execute(&mut *tx)
            .await?;
            if closed.rows_affected() == 1 {
                append_audit(
                    &mut tx,
                    actor,
                    AuditAction::Update,
                    &format!("household:{}", row.id),
                    &format!(
                        "部门数据提醒{alert}（{}）：{}",
                        doudi_core::discovery::AlertRule::Death.label(),
                        doudi_core::discovery::AlertState::Done.label()
                    ),
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(recorded)
    }

    async fn run_payments(
        &self,
        actor: &Actor,
        month: Month,
        today: NaiveDate,
    ) -> Result<PaymentRun, StoreError> {
        if !may_pay(actor) {
            return Err(StoreError::Forbidden);
        }
        // The one check of a payment month, for the API, the page and `doudi pay` alike: a
        // month to come would create pending lines nobody should pay yet (9999-12 did).
        let current = Month::of(today);
        if month > current {
            return Err(StoreError::Invalid(format!(
                "发放月份{month}尚未到来：只能生成本月（{current}）及以前月份的发放名册"
            )));
        }
        let m = month.to_string();
        let mut tx = self.begin_write().await?;
        let (first,): (Option<String>,) =
            sqlx::query_as("SELECT MIN(from_month) FROM entitlements")
                .fetch_one(&mut *tx)
                .await?;
        if let Some(first) = first.as_deref().and_then(|f| Month::parse(f).ok())
            && month < first
        {
            return Err(StoreError::Invalid(format!(
                "发放月份{month}早于平台最早的待遇起始月份{first}，没有可发放的待遇"
            )));
        }
        let (before,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM payments WHERE month = $1")
            .bind(&m)
            .fetch_one(&mut *tx)
            .await?;
        let (sum_before,): (i64,) = sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM payments WHERE month = $1",
        )
        .bind(&m)
        .fetch_one(&mut *tx)
        .await?;
        let created = sqlx::query(
            "INSERT INTO payments (month, entitlement_id, household_id, program, amount_fen, \
             status, created_at) \
             SELECT $1, e.id, e.household_id, e.program, e.monthly_fen, 'pending', $2 \
             FROM entitlements e \
             WHERE e.from_month <= $1 AND (e.until_month IS NULL OR e.until_month >= $1) \
             AND e.monthly_fen > 0 \
             ON CONFLICT (month, household_id, program) DO NOTHING",
        )
        .bind(&m)
        .bind(common::now())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // And the disaster reliefs due in the month (2.3, `disaster_impl.rs`).
        let created = created + run_relief_payments(&mut tx, &m).await?;
        let (sum_after,): (i64,) = sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM payments WHERE month = $1",
        )
        .bind(&m)
        .fetch_one(&mut *tx)
        .await?;
        let run = PaymentRun {
            created,
            existing: before as u64,
            created_fen: sum_after - sum_before,
        };
        append_audit(
            &mut tx,
            actor,
            AuditAction::Create,
            &format!("payments:{m}"),
            &format!(
                "生成{m}发放名册：新增{}笔，已有{}笔",
                run.created, run.existing
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(run)
    }

    async fn payment_preview(
        &self,
        actor: &Actor,
        month: Month,
    ) -> Result<PaymentPreview, StoreError> {
        if !may_pay(actor) {
            return Err(StoreError::Forbidden);
        }
        let m = month.to_string();
        // The entitlements the run would pay: those open in the month with an amount (as in
        // `run_payments`) that have no line of the month yet.
        const DUE: &str = "FROM entitlements e \
             WHERE e.from_month <= $1 AND (e.until_month IS NULL OR e.until_month >= $1) \
             AND e.monthly_fen > 0 AND NOT EXISTS (SELECT 1 FROM payments p \
             WHERE p.month = $1 AND p.household_id = e.household_id AND p.program = e.program)";
        let mut tx = self.begin_read().await?;
        let (new_lines, new_fen): (i64, i64) = sqlx::query_as(&format!(
            "SELECT COUNT(*), CAST(COALESCE(SUM(e.monthly_fen), 0) AS BIGINT) {DUE}"
        ))
        .bind(&m)
        .fetch_one(&mut *tx)
        .await?;
        let (existing,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM payments WHERE month = $1")
            .bind(&m)
            .fetch_one(&mut *tx)
            .await?;
        // And the disaster reliefs due in the month (2.3, `disaster_impl.rs`).
        let (relief_lines, relief_fen) = relief_payments_due(&mut tx, &m).await?;
        let (new_lines, new_fen) = (new_lines + relief_lines, new_fen + relief_fen);
        let without_account: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT h.id, h.number FROM households h WHERE (h.id IN (SELECT e.household_id {DUE}) \
             OR h.id IN ({RELIEF_DUE})) \
             AND (h.bank_account IS NULL OR h.bank_account = '') ORDER BY h.number"
        ))
        .bind(&m)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(PaymentPreview {
            new_lines: new_lines as u64,
            new_fen,
            existing: existing as u64,
            without_account: without_account
                .into_iter()
                .map(|(id, number)| (HouseholdId(id), number))
                .collect(),
        })
    }

    async fn payments(&self, actor: &Actor, month: Month) -> Result<Vec<PaymentLine>, StoreError> {
        if !may_read_cases(actor) {
            return Err(StoreError::Forbidden);
        }
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            household_id: i64,
            number: String,
            payee: Option<String>,
            bank_account: Option<String>,
            program: String,
            amount_fen: i64,
            status: String,
            failure: Option<String>,
        }
        let keys = self.keys();
        let lines = {
            let mut tx = self.begin_read().await?;
            let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
                "SELECT pm.id, pm.household_id, h.number, \
                 (SELECT p.name FROM persons p WHERE p.household_id = h.id \
                  AND p.relation = 'head' ORDER BY p.id LIMIT 1) AS payee, \
                 h.bank_account, pm.program, pm.amount_fen, pm.status, pm.failure \
                 FROM payments pm JOIN households h ON h.id = pm.household_id \
                 WHERE pm.month = ",
            );
            qb.push_bind(month.to_string());
            push_household_scope(&mut qb, actor);
            qb.push(" ORDER BY h.number, pm.program");
            let rows: Vec<Row> = qb.build_query_as().fetch_all(&mut *tx).await?;
            rows.into_iter()
                .map(|r| {
                    Ok(PaymentLine {
                        id: r.id,
                        month,
                        household: HouseholdId(r.household_id),
                        household_number: r.number,
                        payee: r.payee.unwrap_or_default(),
                        // Sealed at rest (encryption): opened for the bank's file only.
                        bank_account: match &r.bank_account {
                            Some(sealed) => common::unseal(
                                &keys,
                                sealed,
                                Column::HouseholdBankAccount,
                                "households",
                                "bank_account",
                                r.household_id,
                            )?,
                            None => String::new(),
                        },
                        program: PaymentProgram::parse(&r.program)
                            .map_err(|_| common::corrupt("payments", "program", r.id))?,
                        amount_fen: r.amount_fen,
                        status: PaymentStatus::parse(&r.status)
                            .map_err(|_| common::corrupt("payments", "status", r.id))?,
                        failure: r.failure,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?
        };
        self.audit_alone(
            actor,
            AuditAction::BulkRead,
            &format!("payments:{month}"),
            &format!("读取发放名册{}笔", lines.len()),
        )
        .await?;
        Ok(lines)
    }

    async fn settle_payments(
        &self,
        actor: &Actor,
        month: Month,
        results: &[Settlement],
    ) -> Result<u64, StoreError> {
        if !may_pay(actor) {
            return Err(StoreError::Forbidden);
        }
        let now = common::now();
        let mut tx = self.begin_write().await?;
        let mut changed = 0;
        let (mut paid, mut failed) = (0, 0);
        for s in results {
            let (status, failure) = match &s.failure {
                None => (PaymentStatus::Paid, None),
                Some(reason) => (PaymentStatus::Failed, Some(common::clip(reason))),
            };
            let done = sqlx::query(
                "UPDATE payments SET status = $1, failure = $2, settled_at = $3 \
                 WHERE id = $4 AND month = $5 AND status = 'pending'",
            )
            .bind(status.code())
            .bind(failure)
            .bind(now)
            .bind(s.payment)
            .bind(month.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            changed += done;
            if done > 0 {
                match status {
                    PaymentStatus::Paid => paid += 1,
                    _ => failed += 1,
                }
            }
        }
        append_audit(
            &mut tx,
            actor,
            AuditAction::Import,
            &format!("payments:{month}"),
            &format!("导入银行发放结果：成功{paid}笔，失败{failed}笔"),
        )
        .await?;
        tx.commit().await?;
        Ok(changed)
    }

    async fn household_payments(
        &self,
        actor: &Actor,
        household: HouseholdId,
    ) -> Result<Vec<HouseholdPayment>, StoreError> {
        if !actor.sees_whole_households() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_read().await?;
        household_in_scope(&mut tx, actor, household.0).await?;
        let rows: Vec<(i64, String, String, i64, String, Option<String>)> = sqlx::query_as(
            "SELECT id, month, program, amount_fen, status, failure FROM payments \
             WHERE household_id = $1 ORDER BY month, id",
        )
        .bind(household.0)
        .fetch_all(&mut *tx)
        .await?;
        drop(tx);
        self.audit_alone(
            actor,
            AuditAction::Read,
            &format!("household:{}", household.0),
            "查看发放记录",
        )
        .await?;
        let t = "payments";
        rows.into_iter()
            .map(|(id, month, program, amount_fen, status, failure)| {
                Ok(HouseholdPayment {
                    id,
                    month: parse_month(&month, t, id)?,
                    program: PaymentProgram::parse(&program)
                        .map_err(|_| common::corrupt(t, "program", id))?,
                    amount_fen,
                    status: PaymentStatus::parse(&status)
                        .map_err(|_| common::corrupt(t, "status", id))?,
                    failure,
                })
            })
            .collect()
    }

    async fn record_review(
        &self,
        actor: &Actor,
        review: &NewReview,
        next_review: NaiveDate,
    ) -> Result<Stopped, StoreError> {
        if !actor.may_keep_benefits() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_write().await?;
        let e = entitlement_in_scope(&mut tx, actor, review.entitlement).await?;
        if e.until.is_some() {
            return Err(StoreError::Invalid(format!(
                "待遇期间{}已结束，无需复核",
                e.id
            )));
        }
        if let Some(proposal) = review.proposal {
            // The county signs off the township's proposal: marked before the period changes
            // (which lapses any other pending proposal of it), in the same transaction.
            if actor.role != Role::CountyApprover && actor.role != Role::System {
                return Err(StoreError::Forbidden);
            }
            let signed = sqlx::query(
                "UPDATE review_proposals SET state = 'approved', decided_by = $1, decided_at = $2 \
                 WHERE id = $3 AND entitlement_id = $4 AND state = 'pending'",
            )
            .bind(actor.user_id)
            .bind(common::now())
            .bind(proposal)
            .bind(e.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if signed != 1 {
                return Err(StoreError::Invalid(
                    "该复核提议已被处理或不属于这段待遇，请刷新后查看".into(),
                ));
            }
        }
        let mut stopped = Stopped {
            entitlements: Vec::new(),
            cases: Vec::new(),
            payments_removed: 0,
        };
        match review.result {
            ReviewResult::Continue => {
                insert_decision(
                    &mut tx,
                    actor,
                    e.household.0,
                    None,
                    "review",
                    &review.decision,
                    &review.reason,
                )
                .await?;
                sqlx::query("UPDATE entitlements SET next_review = $1 WHERE id = $2")
                    .bind(next_review)
                    .bind(e.id)
                    .execute(&mut *tx)
                    .await?;
            }
            ReviewResult::Adjust => {
                let mut decision = review.decision.clone();
                decision.next_review = next_review;
                let r = Restatement {
                    entitlement: e.id,
                    decision,
                    reason: format!("复核调整：{}", review.reason.trim()),
                };
                restate_one(&mut tx, actor, &r, "review").await?;
            }
            ReviewResult::Exit => {
                if review.reason.trim().is_empty() {
                    return Err(StoreError::Invalid("复核退出须填写理由".into()));
                }
                insert_decision(
                    &mut tx,
                    actor,
                    e.household.0,
                    None,
                    "exit",
                    &review.decision,
                    &review.reason,
                )
                .await?;
                stopped = stop_in(
                    &mut tx,
                    actor,
                    e.household.0,
                    review.decision.from_month.minus(1),
                    &format!("复核退出：{}", review.reason.trim()),
                    common::today(),
                )
                .await?;
            }
        }
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("household:{}", e.household.0),
            &format!("复核：{}（entitlement:{}）", review.result.label(), e.id),
        )
        .await?;
        tx.commit().await?;
        Ok(stopped)
    }

    async fn propose_review(
        &self,
        actor: &Actor,
        proposal: &NewReviewProposal,
    ) -> Result<i64, StoreError> {
        if !actor.may_keep_benefits() {
            return Err(StoreError::Forbidden);
        }
        if proposal.result == ReviewResult::Continue {
            return Err(StoreError::Invalid(
                "继续享受的复核无需县民政局审批，直接办理即可".into(),
            ));
        }
        if proposal.reason.trim().is_empty() {
            return Err(StoreError::Invalid("复核提议须写明理由".into()));
        }
        let mut tx = self.begin_write().await?;
        let e = entitlement_in_scope(&mut tx, actor, proposal.entitlement).await?;
        if e.until.is_some() {
            return Err(StoreError::Invalid(format!(
                "待遇期间{}已结束，无需复核",
                e.id
            )));
        }
        let waiting: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM review_proposals WHERE entitlement_id = $1 AND state = 'pending'",
        )
        .bind(e.id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((id,)) = waiting {
            return Err(StoreError::Duplicate(format!(
                "该待遇已有一项复核（提议{id}）在等待县民政局审批，请勿重复提交"
            )));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO review_proposals (entitlement_id, household_id, result, monthly_fen, \
             reason, note, proposed_by, proposed_at, state) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending') RETURNING id",
        )
        .bind(e.id)
        .bind(e.household.0)
        .bind(proposal.result.code())
        .bind(proposal.monthly_fen)
        .bind(common::clip(proposal.reason.trim()))
        .bind(common::clip(proposal.note.trim()))
        .bind(actor.user_id)
        .bind(common::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(common::duplicate_from)?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Create,
            &format!("household:{}", e.household.0),
            &format!(
                "提出复核{}（待遇{}），报县民政局审批",
                proposal.result.label(),
                e.id
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn review_proposals(
        &self,
        actor: &Actor,
        household: Option<HouseholdId>,
    ) -> Result<Vec<ReviewProposal>, StoreError> {
        if !may_read_cases(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
            "SELECT p.id, p.entitlement_id, p.household_id, h.number, e.program, e.monthly_fen, \
             p.result, p.monthly_fen, p.reason, p.note, u.display_name, p.proposed_at, p.state, \
             d.display_name, p.decision_note \
             FROM review_proposals p JOIN households h ON h.id = p.household_id \
             JOIN entitlements e ON e.id = p.entitlement_id \
             LEFT JOIN users u ON u.id = p.proposed_by LEFT JOIN users d ON d.id = p.decided_by \
             WHERE 1 = 1",
        );
        push_household_scope(&mut qb, actor);
        match household {
            Some(h) => {
                qb.push(" AND p.household_id = ").push_bind(h.0);
            }
            None => {
                qb.push(" AND p.state = 'pending'");
            }
        }
        qb.push(" ORDER BY p.id DESC LIMIT 1000");
        #[allow(clippy::type_complexity)]
        let rows: Vec<(
            i64,
            i64,
            i64,
            String,
            String,
            i64,
            String,
            i64,
            String,
            String,
            Option<String>,
            DateTime<Utc>,
            String,
            Option<String>,
            Option<String>,
        )> = qb.build_query_as().fetch_all(&self.pool).await?;
        let t = "review_proposals";
        rows.into_iter()
            .map(|r| {
                Ok(ReviewProposal {
                    id: r.0,
                    entitlement: r.1,
                    household: HouseholdId(r.2),
                    household_number: r.3,
                    program: Category::parse(&r.4)
                        .map_err(|_| common::corrupt("entitlements", "program", r.1))?,
                    current_fen: r.5,
                    result: ReviewResult::parse(&r.6).map_err(|_| common::corrupt(t, "result", r.0))?,
                    monthly_fen: r.7,
                    reason: r.8,
                    note: r.9,
                    proposed_by: r.10.unwrap_or_else(|| "（已删除的用户）".into()),
                    proposed_at: r.11,
                    state: ProposalState::parse(&r.12)
                        .map_err(|_| common::corrupt(t, "state", r.0))?,
                    decided_by: r.13,
                    decision_note: r.14,
                })
            })
            .collect()
    }

    async fn reject_review_proposal(
        &self,
        actor: &Actor,
        proposal: i64,
        note: &str,
    ) -> Result<(), StoreError> {
        if !matches!(actor.role, Role::CountyApprover | Role::System) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_write().await?;
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT entitlement_id, state FROM review_proposals WHERE id = $1")
                .bind(proposal)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((entitlement, state)) = row else {
            return Err(StoreError::NotFound);
        };
        let e = entitlement_in_scope(&mut tx, actor, entitlement).await?;
        if state != ProposalState::Pending.code() {
            return Err(StoreError::Invalid(
                "该复核提议已被处理，请刷新后查看".into(),
            ));
        }
        if note.trim().is_empty() {
            return Err(StoreError::Invalid(
                "不同意复核提议须写明理由（乡镇据此继续核实）".into(),
            ));
        }
        sqlx::query(
            "UPDATE review_proposals SET state = 'rejected', decided_by = $1, decided_at = $2, \
             decision_note = $3 WHERE id = $4",
        )
        .bind(actor.user_id)
        .bind(common::now())
        .bind(common::clip(note.trim()))
        .bind(proposal)
        .execute(&mut *tx)
        .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("household:{}", e.household.0),
            &format!("不同意复核提议{proposal}（待遇{}），待遇不变", e.id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn public_notices(
        &self,
        community: &DivisionCode,
        today: NaiveDate,
    ) -> Result<Vec<PublicNotice>, StoreError> {
        let notices = {
            let mut tx = self.begin_read().await?;
            let rows: Vec<(i64, i64, String, NaiveDate, NaiveDate)> = sqlx::query_as(
                "SELECT id, household_id, case_type, notice_from, notice_until FROM cases \
                 WHERE community = $1 AND state = 'under_notice' \
                 AND notice_from <= $2 AND notice_until >= $2 ORDER BY id",
            )
            .bind(community.as_str())
            .bind(today)
            .fetch_all(&mut *tx)
            .await?;
            let mut notices = Vec::new();
            for (id, household, case_type, from, until) in rows {
                let row = select_household(&mut tx, household)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let record = load_record(&mut tx, &self.keys(), row).await?;
                let excluded_ids: Vec<(i64,)> =
                    sqlx::query_as("SELECT person_id FROM case_exclusions WHERE case_id = $1")
                        .bind(id)
                        .fetch_all(&mut *tx)
                        .await?;
                let excluded = excluded_ids.len() as i64;
                let mut counted = record.clone();
                counted
                    .members
                    .retain(|m| !excluded_ids.iter().any(|(p,)| *p == m.id.0));
                let head = record.head().or(record.members.first());
                notices.push(PublicNotice {
                    case: CaseId(id),
                    case_type: CaseType::parse(&case_type)
                        .map_err(|_| common::corrupt("cases", "case_type", id))?,
                    head_masked: head.map(|p| p.fields.name.masked()).unwrap_or_default(),
                    id_masked: head
                        .map(|p| p.fields.id_number.masked())
                        .unwrap_or_default(),
                    members: record.members.len().saturating_sub(excluded as usize),
                    from,
                    until,
                    facts: doudi_core::facts::Snapshot::from_record(&counted),
                });
            }
            notices
        };
        // No audit entry: the notice is published by law, masked, to anyone who passes by;
        // an entry per view would let an anonymous crowd grow the trail without limit (see
        // the audit invariant in ARCHITECTURE.md).
        Ok(notices)
    }

    async fn work_list(
        &self,
        actor: &Actor,
        today: NaiveDate,
        limits: &cw::Limits,
    ) -> Result<WorkList, StoreError> {
        if !may_read_cases(actor) {
            return Ok(WorkList::default());
        }
        let open: Vec<CaseState> = CaseState::ALL
            .iter()
            .copied()
            .filter(|s| !s.is_final())
            .collect();
        let filter = CaseFilter {
            states: open,
            ..CaseFilter::default()
        };
        // Every open case, page by page: the work list is complete however many there are.
        let mut list = Vec::new();
        loop {
            let page = crate::Page {
                offset: i64::try_from(list.len()).unwrap_or(i64::MAX),
                limit: 500,
            };
            let CasePage { total, rows } = self.cases(actor, &filter, page).await?;
            let done = rows.is_empty() || i64::try_from(list.len() + rows.len()).unwrap_or(i64::MAX) >= total;
            list.extend(rows);
            if done {
                break;
            }
        }
        let mut work = WorkList::default();
        for c in list {
            if c.case.is_overdue(limits, today) {
                work.overdue.push(c.clone());
            }
            let task = cw::next_task(&c.case, today);
            let mine = match (task, actor.role) {
                (Some(StepKind::Approve), role) => matches!(role, Role::CountyApprover),
                // A returned application is brought back by whoever took it in: the community
                // worker (whose list it is on) or the township.
                (Some(StepKind::Resubmit), role) => {
                    matches!(role, Role::CommunityWorker | Role::TownshipCaseworker)
                }
                (Some(_), role) => matches!(role, Role::TownshipCaseworker),
                (None, _) => false,
            };
            match task {
                Some(t) if mine => work.cases.push((c, t)),
                _ if c.case.state == CaseState::UnderNotice => work.under_notice.push(c),
                _ => {}
            }
        }
        if matches!(actor.role, Role::TownshipCaseworker | Role::CountyApprover) {
            // The open entitlements of the scope due for review and not yet proposed.
            let due = |select: &str| {
                let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(format!(
                    "SELECT {select} FROM entitlements e JOIN households h \
                     ON h.id = e.household_id WHERE e.until_month IS NULL AND e.next_review <= "
                ));
                qb.push_bind(today);
                push_household_scope(&mut qb, actor);
                qb.push(
                    " AND NOT EXISTS (SELECT 1 FROM review_proposals p \
                     WHERE p.entitlement_id = e.id AND p.state = 'pending')",
                );
                qb
            };
            let mut conn = self.pool.acquire().await?;
            let (total,): (i64,) = due("COUNT(*)")
                .build_query_as()
                .fetch_one(&mut *conn)
                .await?;
            work.reviews_due_total = total;
            let mut rows = due(ENTITLEMENT_COLUMNS);
            rows.push(" ORDER BY e.next_review, e.id LIMIT 1000");
            let rows: Vec<EntitlementRow> = rows.build_query_as().fetch_all(&mut *conn).await?;
            work.reviews_due = rows
                .into_iter()
                .map(EntitlementRow::into_entitlement)
                .collect::<Result<Vec<_>, _>>()?;
        }
        Ok(work)
    }
}

/// The WHERE clause of the case list: the actor's scope and the filter.
fn push_case_filter(qb: &mut QueryBuilder<'_, Db>, actor: &Actor, filter: &CaseFilter) {
    qb.push(" WHERE 1 = 1");
    push_community_scope(qb, "c.community", actor);
    if !filter.states.is_empty() {
        qb.push(" AND c.state IN (");
        let mut list = qb.separated(", ");
        for s in &filter.states {
            list.push_bind(s.code());
        }
        qb.push(")");
    }
    if let Some(h) = filter.household {
        qb.push(" AND c.household_id = ").push_bind(h.0);
    }
    if let Some(division) = &filter.division {
        push_code_range(qb, "c.community", division.as_str());
    }
}

/// Whether the actor may load entitlements decided before the platform, each household once
/// (`what` names the act: 导入, 确认).
fn may_pay_each_once(
    actor: &Actor,
    entries: &[ImportedEntitlement],
    what: &str,
) -> Result<(), StoreError> {
    if !may_pay(actor) {
        return Err(StoreError::Forbidden);
    }
    let mut seen = HashSet::new();
    match entries.iter().find(|e| !seen.insert(e.household)) {
        Some(e) => Err(StoreError::Invalid(format!(
            "家庭{}在{what}的待遇中出现了不止一次",
            e.household.0
        ))),
        None => Ok(()),
    }
}

/// Inserts entitlements decided before the platform: one frozen decision of kind `import` and
/// one open period each.
async fn insert_imported(
    tx: &mut Conn,
    actor: &Actor,
    entries: &[ImportedEntitlement],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for chunk in entries.chunks(2000) {
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
        "INSERT INTO decisions (household_id, kind, params_month, params_version, \
         household_version, snapshot, explanation, monthly_fen, reason, decided_by, \
         decided_at) ",
        );
        qb.push_values(chunk, |mut b, e| {
        b.push_bind(e.household.0)
            .push_bind("import")
            .push_bind(e.from.to_string())
            .push_bind("import")
            .push_bind(0_i64)
            .push_bind("{}")
            .push_bind("{}")
            .push_bind(e.monthly_fen)
            .push_bind(common::clip(&e.reference))
            .push_bind(actor.user_id)
            .push_bind(now);
        });
        qb.push(" RETURNING id, household_id");
        let ids: Vec<(i64, i64)> = qb.build_query_as().fetch_all(&mut *tx).await?;
        let decision: HashMap<i64, i64> = ids.into_iter().map(|(d, h)| (h, d)).collect();
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
        "INSERT INTO entitlements (household_id, decision_id, program, monthly_fen, \
         from_month, review_class, next_review, created_at) ",
        );
        qb.push_values(chunk, |mut b, e| {
        b.push_bind(e.household.0)
            .push_bind(decision[&e.household.0])
            .push_bind(e.program.code())
            .push_bind(e.monthly_fen)
            .push_bind(e.from.to_string())
            .push_bind(e.review_class.code())
            .push_bind(e.next_review)
            .push_bind(now);
        });
        qb.build()
        .execute(&mut *tx)
        .await
        .map_err(common::duplicate_from)?;
    }
    Ok(())
}


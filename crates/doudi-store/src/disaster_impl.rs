// Disaster relief for both backends (see `disaster.rs`): included into `sqlite.rs` and
// `postgres.rs` after `shared_impl.rs`, whose imports and helpers it uses.

use crate::disaster::{
    AffectedCheck, AffectedHousehold, Disaster, DisasterDetail, Disasters, NewDisaster, NewRelief,
    Relief,
};
use doudi_core::disaster::{self as relief_rules, AffectedState, Damage, DisasterKind, ReliefKind};

/// The columns of an event row.
const DISASTER_COLUMNS: &str = "d.id, d.name, d.kind, d.occurred_on, d.communities, d.keywords, \
     u.display_name, d.recorded_at FROM disasters d LEFT JOIN users u ON u.id = d.recorded_by";

type DisasterRow = (
    i64,
    String,
    String,
    NaiveDate,
    String,
    String,
    Option<String>,
    DateTime<Utc>,
);

fn disaster_of(r: DisasterRow) -> Result<Disaster, StoreError> {
    Ok(Disaster {
        id: r.0,
        name: r.1,
        kind: DisasterKind::parse(&r.2).map_err(|_| common::corrupt("disasters", "kind", r.0))?,
        occurred_on: r.3,
        communities: r
            .4
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        keywords: r
            .5
            .lines()
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect(),
        recorded_by: r.6.unwrap_or_else(|| "（已删除的用户）".into()),
        recorded_at: r.7,
        households: 0,
        confirmed: 0,
        relief_fen: 0,
    })
}

/// An event's figures within a scope: households not removed, confirmed, relief in fen.
async fn disaster_figures(
    conn: &mut Conn,
    id: i64,
    prefix: &str,
) -> Result<(i64, i64, i64), StoreError> {
    let (households, confirmed): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN state = 'confirmed' THEN 1 ELSE 0 END), 0) \
         AS BIGINT) FROM disaster_households \
         WHERE disaster_id = $1 AND state <> 'removed' AND community LIKE $2",
    )
    .bind(id)
    .bind(format!("{prefix}%"))
    .fetch_one(&mut *conn)
    .await?;
    let (relief,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(m.amount_fen), 0) AS BIGINT) FROM relief_months m \
         JOIN disaster_reliefs r ON r.id = m.relief_id \
         JOIN households h ON h.id = r.household_id \
         WHERE r.disaster_id = $1 AND h.community LIKE $2",
    )
    .bind(id)
    .bind(format!("{prefix}%"))
    .fetch_one(&mut *conn)
    .await?;
    Ok((households, confirmed, relief))
}

/// The household of an event, in the actor's scope: its state and its deaths.
async fn affected_in_scope(
    conn: &mut Conn,
    actor: &Actor,
    disaster: i64,
    household: i64,
) -> Result<(String, i64), StoreError> {
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT community, state, dead FROM disaster_households \
         WHERE disaster_id = $1 AND household_id = $2",
    )
    .bind(disaster)
    .bind(household)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some((community, state, dead)) if covers(actor, &community) => Ok((state, dead)),
        _ => Err(StoreError::NotFound),
    }
}

/// The name as lists show it: masked (张*丰).
fn masked_name(name: &str) -> String {
    match doudi_core::PersonName::parse(name) {
        Ok(n) => n.masked(),
        Err(_) => "*".into(),
    }
}

/// Makes the payment lines of the relief months due in `month` (the payment run's second
/// statement, in its transaction): one per month, household and programme, so a month run
/// again pays nothing twice. Returns how many lines were made.
async fn run_relief_payments(conn: &mut Conn, month: &str) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO payments (month, relief_month_id, household_id, program, amount_fen, \
         status, created_at) \
         SELECT $1, r.id, r.household_id, r.program, r.amount_fen, 'pending', $2 \
         FROM relief_months r WHERE r.month = $1 \
         ON CONFLICT (month, household_id, program) DO NOTHING",
    )
    .bind(month)
    .bind(common::now())
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// The households a run of `month` (bound as `$1`) would pay a relief to: the relief months of
/// the month without their payment line yet (for the preview's households without an account).
const RELIEF_DUE: &str = "SELECT r.household_id FROM relief_months r WHERE r.month = $1 \
     AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.month = $1 \
     AND p.household_id = r.household_id AND p.program = r.program)";

/// The relief lines a run of `month` would add, and their total in fen (for the preview).
async fn relief_payments_due(conn: &mut Conn, month: &str) -> Result<(i64, i64), StoreError> {
    Ok(sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(r.amount_fen), 0) AS BIGINT) FROM relief_months r \
         WHERE r.month = $1 AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.month = $1 \
         AND p.household_id = r.household_id AND p.program = r.program)",
    )
    .bind(month)
    .fetch_one(&mut *conn)
    .await?)
}

#[async_trait]
impl Disasters for Backend {
    async fn record_disaster(
        &self,
        actor: &Actor,
        disaster: &NewDisaster,
    ) -> Result<i64, StoreError> {
        if !relief_rules::may_record(actor) {
            return Err(StoreError::Forbidden);
        }
        let communities: Vec<String> = disaster
            .communities
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect();
        let keywords: Vec<String> = disaster
            .keywords
            .iter()
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .collect();
        if communities.is_empty() && keywords.is_empty() {
            return Err(StoreError::Invalid(
                "受灾区域：请至少选择一个社区或填写一个地址关键词".into(),
            ));
        }
        let now = common::now();
        let mut tx = self.begin_write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO disasters (name, kind, occurred_on, communities, keywords, recorded_by, \
             recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(common::clip(&disaster.name))
        .bind(disaster.kind.code())
        .bind(disaster.occurred_on)
        .bind(communities.join(","))
        .bind(keywords.join("\n"))
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        // The current households of the area: SQL narrows, the one rule decides.
        let mut q: QueryBuilder<'_, Db> = QueryBuilder::new(
            "SELECT id, community, address FROM households WHERE exited_on IS NULL AND (1 = 0",
        );
        if !communities.is_empty() {
            q.push(" OR community IN (");
            let mut list = q.separated(", ");
            for c in &communities {
                list.push_bind(c.clone());
            }
            q.push(")");
        }
        for k in &keywords {
            q.push(" OR address LIKE ")
                .push_bind(format!("%{}%", common::escape_like(k)))
                .push(" ESCAPE '\\'");
        }
        // Within the recorder's scope (the county's roles see the whole county).
        q.push(")");
        push_community_scope(&mut q, "community", actor);
        q.push(" ORDER BY id");
        let found: Vec<(i64, String, String)> = q.build_query_as().fetch_all(&mut *tx).await?;
        let mut count = 0u64;
        for (household, community, address) in &found {
            if !relief_rules::in_area(community, address, &communities, &keywords) {
                continue;
            }
            count += 1;
            sqlx::query(
                "INSERT INTO disaster_households (disaster_id, household_id, community, state) \
                 VALUES ($1, $2, $3, 'found')",
            )
            .bind(id)
            .bind(household)
            .bind(community)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO alerts (household_id, person_id, community, rule, level, reason, \
                 state, created_at, dedupe) VALUES ($1, NULL, $2, $3, $4, $5, 'new', $6, $7) \
                 ON CONFLICT (dedupe) WHERE dedupe IS NOT NULL DO NOTHING",
            )
            .bind(household)
            .bind(community)
            .bind(AlertRule::Disaster.code())
            .bind(AlertLevel::Red.code())
            .bind(common::clip(&format!(
                "该户位于灾害「{}」（{}，{}）的受灾区域：请入户核实受灾情况，通知结对帮扶干部，\
                 并在灾害救助页面确认或排除［依据 2.3］",
                disaster.name,
                disaster.kind.label(),
                disaster.occurred_on
            )))
            .bind(now)
            .bind(format!("disaster:{id}:{household}"))
            .execute(&mut *tx)
            .await?;
        }
        append_audit(
            &mut tx,
            actor,
            AuditAction::Create,
            &format!("disaster:{id}"),
            &format!(
                "登记灾害（{}）：受灾区域社区{}个、地址关键词{}个，查到在册家庭{count}户并提醒所在乡镇",
                disaster.kind.label(),
                communities.len(),
                keywords.len()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn disasters(&self, actor: &Actor) -> Result<Vec<Disaster>, StoreError> {
        if !relief_rules::may_read(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_read().await?;
        let rows: Vec<DisasterRow> = sqlx::query_as(&format!(
            "SELECT {DISASTER_COLUMNS} ORDER BY d.occurred_on DESC, d.id DESC LIMIT 500"
        ))
        .fetch_all(&mut *tx)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut d = disaster_of(r)?;
            (d.households, d.confirmed, d.relief_fen) =
                disaster_figures(&mut tx, d.id, actor.scope.prefix()).await?;
            out.push(d);
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn disaster(&self, actor: &Actor, id: i64) -> Result<DisasterDetail, StoreError> {
        if !relief_rules::may_read(actor) {
            return Err(StoreError::Forbidden);
        }
        let prefix = format!("{}%", actor.scope.prefix());
        let mut tx = self.begin_read().await?;
        let row: Option<DisasterRow> =
            sqlx::query_as(&format!("SELECT {DISASTER_COLUMNS} WHERE d.id = $1"))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let mut disaster = disaster_of(row.ok_or(StoreError::NotFound)?)?;
        (disaster.households, disaster.confirmed, disaster.relief_fen) =
            disaster_figures(&mut tx, id, actor.scope.prefix()).await?;
        type HouseholdRow = (
            i64,
            String,
            String,
            String,
            Option<String>,
            String,
            String,
            Option<String>,
            i64,
            i64,
            String,
        );
        let rows: Vec<HouseholdRow> = sqlx::query_as(
            "SELECT h.id, h.number, dh.community, h.address, \
             (SELECT p.name FROM persons p WHERE p.household_id = h.id \
              AND p.relation = 'head' ORDER BY p.id LIMIT 1), \
             h.category, dh.state, dh.damage, dh.dead, dh.injured, dh.note \
             FROM disaster_households dh JOIN households h ON h.id = dh.household_id \
             WHERE dh.disaster_id = $1 AND dh.community LIKE $2 ORDER BY h.number",
        )
        .bind(id)
        .bind(&prefix)
        .fetch_all(&mut *tx)
        .await?;
        let t = "disaster_households";
        let households = rows
            .into_iter()
            .map(|r| {
                Ok(AffectedHousehold {
                    household: HouseholdId(r.0),
                    number: r.1,
                    community: r.2,
                    address: r.3,
                    head: r.4.as_deref().map(masked_name).unwrap_or_default(),
                    category: Category::parse(&r.5)
                        .map_err(|_| common::corrupt("households", "category", r.0))?,
                    state: AffectedState::parse(&r.6).map_err(|_| common::corrupt(t, "state", r.0))?,
                    damage: r
                        .7
                        .as_deref()
                        .map(Damage::parse)
                        .transpose()
                        .map_err(|_| common::corrupt(t, "damage", r.0))?,
                    dead: u32::try_from(r.8).unwrap_or(0),
                    injured: u32::try_from(r.9).unwrap_or(0),
                    note: r.10,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        type ReliefRow = (
            i64,
            i64,
            String,
            String,
            i64,
            String,
            i64,
            String,
            Option<String>,
            DateTime<Utc>,
            i64,
            i64,
            i64,
            Option<String>,
        );
        let rows: Vec<ReliefRow> = sqlx::query_as(
            "SELECT r.id, r.household_id, h.number, r.kind, r.amount_fen, r.from_month, r.months, \
             r.reason, u.display_name, r.recorded_at, \
             (SELECT COUNT(*) FROM payments p JOIN relief_months m ON m.id = p.relief_month_id \
              WHERE m.relief_id = r.id), \
             (SELECT CAST(COALESCE(SUM(p.amount_fen), 0) AS BIGINT) FROM payments p \
              JOIN relief_months m ON m.id = p.relief_month_id \
              WHERE m.relief_id = r.id AND p.status = 'paid'), \
             (SELECT COUNT(*) FROM relief_months m WHERE m.relief_id = r.id), \
             r.cancel_reason \
             FROM disaster_reliefs r JOIN households h ON h.id = r.household_id \
             LEFT JOIN users u ON u.id = r.recorded_by \
             WHERE r.disaster_id = $1 AND h.community LIKE $2 ORDER BY h.number, r.id",
        )
        .bind(id)
        .bind(&prefix)
        .fetch_all(&mut *tx)
        .await?;
        let t = "disaster_reliefs";
        let reliefs = rows
            .into_iter()
            .map(|r| {
                Ok(Relief {
                    id: r.0,
                    household: HouseholdId(r.1),
                    household_number: r.2,
                    kind: ReliefKind::parse(&r.3).map_err(|_| common::corrupt(t, "kind", r.0))?,
                    amount_fen: r.4,
                    from_month: Month::parse(&r.5)
                        .map_err(|_| common::corrupt(t, "from_month", r.0))?,
                    months: u32::try_from(r.6).map_err(|_| common::corrupt(t, "months", r.0))?,
                    reason: r.7,
                    recorded_by: r.8.unwrap_or_else(|| "（已删除的用户）".into()),
                    recorded_at: r.9,
                    lines: r.10,
                    paid_fen: r.11,
                    kept_months: r.12,
                    cancelled: r.13,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let cadres: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT h.id, h.number, u.display_name FROM disaster_households dh \
             JOIN households h ON h.id = dh.household_id \
             JOIN pairings p ON p.household_id = dh.household_id \
             JOIN users u ON u.id = p.user_id \
             WHERE dh.disaster_id = $1 AND dh.state <> 'removed' AND dh.community LIKE $2 \
             ORDER BY h.number, u.display_name",
        )
        .bind(id)
        .bind(&prefix)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        self.audit_alone(
            actor,
            AuditAction::BulkRead,
            &format!("disaster:{id}"),
            &format!(
                "查看灾害受灾家庭{}户、救助{}笔",
                households.len(),
                reliefs.len()
            ),
        )
        .await?;
        Ok(DisasterDetail {
            disaster,
            households,
            reliefs,
            cadres: cadres
                .into_iter()
                .map(|(h, number, cadre)| (HouseholdId(h), number, cadre))
                .collect(),
        })
    }

    async fn check_affected(
        &self,
        actor: &Actor,
        disaster: i64,
        check: &AffectedCheck,
    ) -> Result<(), StoreError> {
        if !relief_rules::may_check(actor) {
            return Err(StoreError::Forbidden);
        }
        if check.state == AffectedState::Found {
            return Err(StoreError::Invalid("核实结果：请选择确认受灾或排除".into()));
        }
        let mut tx = self.begin_write().await?;
        affected_in_scope(&mut tx, actor, disaster, check.household.0).await?;
        if check.state == AffectedState::Removed {
            let (reliefs,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM disaster_reliefs WHERE disaster_id = $1 AND household_id = $2 \
                 AND cancel_reason IS NULL",
            )
            .bind(disaster)
            .bind(check.household.0)
            .fetch_one(&mut *tx)
            .await?;
            if reliefs > 0 {
                return Err(StoreError::Invalid(
                    "核实结果：该户已登记救助，不能排除".into(),
                ));
            }
        }
        sqlx::query(
            "UPDATE disaster_households SET state = $1, damage = $2, dead = $3, injured = $4, \
             note = $5, updated_by = $6, updated_at = $7 \
             WHERE disaster_id = $8 AND household_id = $9",
        )
        .bind(check.state.code())
        .bind(check.damage.code())
        .bind(i64::from(check.dead))
        .bind(i64::from(check.injured))
        .bind(common::clip(&check.note))
        .bind(actor.user_id)
        .bind(common::now())
        .bind(disaster)
        .bind(check.household.0)
        .execute(&mut *tx)
        .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("household:{}", check.household.0),
            &format!(
                "灾害{disaster}受灾核实：{}，{}，死亡{}人，受伤{}人",
                check.state.label(),
                check.damage.label(),
                check.dead,
                check.injured
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_relief(
        &self,
        actor: &Actor,
        disaster: i64,
        relief: &NewRelief,
    ) -> Result<i64, StoreError> {
        if !relief_rules::may_record(actor) {
            return Err(StoreError::Forbidden);
        }
        if relief.amount_fen <= 0 || relief.amount_fen > relief.kind.ceiling().fen() {
            return Err(StoreError::Invalid(format!(
                "金额：{}须大于0且不超过{}元",
                relief.kind.label(),
                relief.kind.ceiling().to_yuan_string()
            )));
        }
        let months = match relief.kind {
            ReliefKind::Transitional => relief.months,
            _ => 1,
        };
        if !(1..=relief_rules::MAX_TRANSITIONAL_MONTHS).contains(&months) {
            return Err(StoreError::Invalid(format!(
                "月数：过渡期生活救助为1至{}个月",
                relief_rules::MAX_TRANSITIONAL_MONTHS
            )));
        }
        let mut tx = self.begin_write().await?;
        let (state, dead) = affected_in_scope(&mut tx, actor, disaster, relief.household.0).await?;
        if state != AffectedState::Confirmed.code() {
            return Err(StoreError::Invalid(
                "该户尚未确认受灾：请先核实并确认受灾，再登记救助".into(),
            ));
        }
        if relief.kind == ReliefKind::Condolence && dead == 0 {
            return Err(StoreError::Invalid(
                "救助类别：该户未登记死亡人员，不能发放死亡抚慰金".into(),
            ));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO disaster_reliefs (disaster_id, household_id, kind, amount_fen, \
             from_month, months, reason, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(disaster)
        .bind(relief.household.0)
        .bind(relief.kind.code())
        .bind(relief.amount_fen)
        .bind(relief.from_month.to_string())
        .bind(i64::from(months))
        .bind(common::clip(&relief.reason))
        .bind(actor.user_id)
        .bind(common::now())
        .fetch_one(&mut *tx)
        .await?;
        for i in 0..months {
            let month = relief.from_month.plus(i);
            sqlx::query(
                "INSERT INTO relief_months (relief_id, household_id, month, program, amount_fen) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(relief.household.0)
            .bind(month.to_string())
            .bind(relief.kind.program().code())
            .bind(relief.amount_fen)
            .execute(&mut *tx)
            .await
            .map_err(|e| match common::unique_violation(&e) {
                Some(_) => StoreError::Duplicate(format!(
                    "该户{month}已有一笔{}，同一月份的同类救助请合并为一笔登记",
                    relief.kind.label()
                )),
                None => StoreError::Database(e),
            })?;
        }
        append_audit(
            &mut tx,
            actor,
            AuditAction::Create,
            &format!("household:{}", relief.household.0),
            &format!(
                "灾害{disaster}登记{}：{}元{}，自{}起{}个月",
                relief.kind.label(),
                doudi_core::Money::from_fen(relief.amount_fen).to_yuan_string(),
                if relief.kind == ReliefKind::Transitional {
                    "/月"
                } else {
                    ""
                },
                relief.from_month,
                months
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn cancel_relief(
        &self,
        actor: &Actor,
        disaster: i64,
        relief: i64,
        reason: &str,
    ) -> Result<u64, StoreError> {
        if !relief_rules::may_record(actor) {
            return Err(StoreError::Forbidden);
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid("撤销理由：请填写".into()));
        }
        let mut tx = self.begin_write().await?;
        let found: Option<(i64, Option<String>)> = sqlx::query_as(
            "SELECT household_id, cancel_reason FROM disaster_reliefs \
             WHERE id = $1 AND disaster_id = $2",
        )
        .bind(relief)
        .bind(disaster)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((household, cancelled)) = found else {
            return Err(StoreError::NotFound);
        };
        affected_in_scope(&mut tx, actor, disaster, household).await?;
        if cancelled.is_some() {
            return Err(StoreError::Invalid("该救助已撤销".into()));
        }
        sqlx::query(
            "DELETE FROM payments WHERE status = 'pending' AND relief_month_id IN \
             (SELECT id FROM relief_months WHERE relief_id = $1)",
        )
        .bind(relief)
        .execute(&mut *tx)
        .await?;
        let removed = sqlx::query(
            "DELETE FROM relief_months WHERE relief_id = $1 AND NOT EXISTS \
             (SELECT 1 FROM payments p WHERE p.relief_month_id = relief_months.id)",
        )
        .bind(relief)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if removed == 0 {
            return Err(StoreError::Invalid(
                "该救助已全部交银行发放，没有可撤销的月份".into(),
            ));
        }
        sqlx::query(
            "UPDATE disaster_reliefs SET cancelled_by = $1, cancelled_at = $2, cancel_reason = $3 \
             WHERE id = $4",
        )
        .bind(actor.user_id)
        .bind(common::now())
        .bind(common::clip(reason))
        .bind(relief)
        .execute(&mut *tx)
        .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Delete,
            &format!("household:{household}"),
            &format!("灾害{disaster}撤销救助{relief}：撤销未发放的{removed}个月"),
        )
        .await?;
        tx.commit().await?;
        Ok(removed)
    }
}

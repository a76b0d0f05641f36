// Proactive discovery for both backends (see `discovery.rs`): included into `sqlite.rs` and
// `postgres.rs` after `shared_impl.rs`, whose imports and helpers it uses.

use crate::discovery::{
    Alert, AlertFilter, AlertRecord, Discovery, FeedImport, LinkedRecord, NewFeedImport,
    PendingDeath, ScanAlert, UnmatchedRecord, may_import,
};
use doudi_core::discovery::{AlertLevel, AlertRule, AlertState, FeedKind};

/// The columns of an import row, with the importer's display name.
const IMPORT_COLUMNS: &str = "f.id, f.kind, f.source, f.records, f.linked, f.unmatched, \
     f.alerts, u.display_name, f.imported_at FROM feed_imports f \
     LEFT JOIN users u ON u.id = f.imported_by";

type ImportRow = (i64, String, String, i64, i64, i64, i64, Option<String>, DateTime<Utc>);

fn import_of(r: ImportRow) -> Result<FeedImport, StoreError> {
    Ok(FeedImport {
        id: r.0,
        kind: FeedKind::parse(&r.1).map_err(|_| common::corrupt("feed_imports", "kind", r.0))?,
        source: r.2,
        records: r.3,
        linked: r.4,
        unmatched: r.5,
        alerts: r.6,
        imported_by: r.7.unwrap_or_else(|| "（已删除的用户）".into()),
        imported_at: r.8,
    })
}

/// The columns of an alert row, with its household and its record.
const ALERT_COLUMNS: &str = "a.id AS id, a.household_id AS household_id, h.number AS number, \
     a.community AS community, a.person_id AS person_id, a.rule AS rule, a.level AS level, \
     a.reason AS reason, a.state AS state, a.outcome AS outcome, a.created_at AS created_at, \
     r.id AS record, i.kind AS kind, r.shown AS shown, r.permille AS permille, \
     r.evidence AS evidence, r.record_date AS record_date \
     FROM alerts a JOIN households h ON h.id = a.household_id \
     LEFT JOIN feed_records r ON r.id = a.record_id \
     LEFT JOIN feed_imports i ON i.id = r.import_id";

#[derive(sqlx::FromRow)]
struct AlertRow {
    id: i64,
    household_id: i64,
    number: String,
    community: String,
    person_id: Option<i64>,
    rule: String,
    level: String,
    reason: String,
    state: String,
    outcome: Option<String>,
    created_at: DateTime<Utc>,
    record: Option<i64>,
    kind: Option<String>,
    shown: Option<String>,
    permille: Option<i64>,
    evidence: Option<String>,
    record_date: Option<NaiveDate>,
}

impl AlertRow {
    fn into_alert(self) -> Result<Alert, StoreError> {
        let bad = |column: &str| common::corrupt("alerts", column, self.id);
        let record = match (self.record, self.kind) {
            (Some(id), Some(kind)) => Some(AlertRecord {
                id,
                kind: FeedKind::parse(&kind)
                    .map_err(|_| common::corrupt("feed_imports", "kind", id))?,
                shown: self.shown.unwrap_or_default(),
                permille: u16::try_from(self.permille.unwrap_or(0)).unwrap_or(0),
                evidence: self.evidence.unwrap_or_default(),
                date: self.record_date,
            }),
            _ => None,
        };
        Ok(Alert {
            id: self.id,
            household: HouseholdId(self.household_id),
            household_number: self.number,
            community: self.community,
            person: self.person_id.map(PersonId),
            rule: AlertRule::parse(&self.rule).map_err(|_| bad("rule"))?,
            level: AlertLevel::parse(&self.level).map_err(|_| bad("level"))?,
            reason: self.reason,
            record,
            state: AlertState::parse(&self.state).map_err(|_| bad("state"))?,
            outcome: self.outcome,
            created_at: self.created_at,
        })
    }
}

/// Who reads alerts: those who read cases, each in their scope.
fn may_read_alerts(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::CountyApprover
            | Role::Auditor
            | Role::TownshipCaseworker
            | Role::CommunityWorker
            | Role::System
    )
}

#[async_trait]
impl Discovery for Backend {
    async fn feed_imported(
        &self,
        kind: FeedKind,
        digest: &str,
    ) -> Result<Option<FeedImport>, StoreError> {
        let row: Option<ImportRow> = sqlx::query_as(&format!(
            "SELECT {IMPORT_COLUMNS} WHERE f.kind = $1 AND f.digest = $2"
        ))
        .bind(kind.code())
        .bind(digest)
        .fetch_optional(&self.pool)
        .await?;
        row.map(import_of).transpose()
    }

    async fn record_feed(
        &self,
        actor: &Actor,
        import: &NewFeedImport,
    ) -> Result<FeedImport, StoreError> {
        if !may_import(actor, import.kind) {
            return Err(StoreError::Forbidden);
        }
        let now = common::now();
        let linked = import.records.iter().filter(|r| r.person.is_some()).count() as i64;
        let total = import.records.len() as i64;
        let mut tx = self.begin_write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO feed_imports (kind, source, digest, records, linked, unmatched, alerts, \
             imported_by, imported_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8) RETURNING id",
        )
        .bind(import.kind.code())
        .bind(common::clip(&import.source))
        .bind(&import.digest)
        .bind(total)
        .bind(linked)
        .bind(total - linked)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match common::unique_violation(&e) {
            Some(_) => StoreError::Duplicate("这份部门数据已经导入过，再次导入不会改变任何记录".into()),
            None => StoreError::Database(e),
        })?;
        let mut communities: HashMap<i64, String> = HashMap::new();
        let mut alerts = 0i64;
        for r in &import.records {
            let (record,): (i64,) = sqlx::query_as(
                "INSERT INTO feed_records (import_id, record_id, person_id, household_id, permille, \
                 evidence, shown, record_date, amount_fen, detail, fingerprint) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(id)
            .bind(common::clip(&r.record_id))
            .bind(r.person.map(|(p, _)| p.0))
            .bind(r.person.map(|(_, h)| h.0))
            .bind(i64::from(r.permille.min(1000)))
            .bind(common::clip(&r.evidence))
            .bind(common::clip(&r.shown))
            .bind(r.date)
            .bind(r.amount_fen)
            .bind(common::clip(&r.detail))
            .bind(self.keys().feed_fingerprint(&r.identity))
            .fetch_one(&mut *tx)
            .await?;
            let (Some(alert), Some((person, household))) = (&r.alert, r.person) else {
                continue;
            };
            let community = match communities.get(&household.0) {
                Some(c) => c.clone(),
                None => {
                    let (c,): (String,) =
                        sqlx::query_as("SELECT community FROM households WHERE id = $1")
                            .bind(household.0)
                            .fetch_optional(&mut *tx)
                            .await?
                            .ok_or(StoreError::NotFound)?;
                    communities.insert(household.0, c.clone());
                    c
                }
            };
            sqlx::query(
                "INSERT INTO alerts (household_id, person_id, community, rule, level, reason, \
                 record_id, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'new', $8)",
            )
            .bind(household.0)
            .bind(person.0)
            .bind(&community)
            .bind(alert.rule.code())
            .bind(alert.level.code())
            .bind(common::clip(&alert.reason))
            .bind(record)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            alerts += 1;
        }
        sqlx::query("UPDATE feed_imports SET alerts = $1 WHERE id = $2")
            .bind(alerts)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Import,
            &format!("feeds:{}", import.kind.code()),
            &format!(
                "导入{}（{}）：{}条，匹配{}条，提醒{}条",
                import.kind.label(),
                common::clip(&import.source),
                total,
                linked,
                alerts
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(FeedImport {
            id,
            kind: import.kind,
            source: import.source.clone(),
            records: total,
            linked,
            unmatched: total - linked,
            alerts,
            imported_by: actor.display_name.clone(),
            imported_at: now,
        })
    }

    async fn feed_imports(&self, actor: &Actor) -> Result<Vec<FeedImport>, StoreError> {
        let kinds: Vec<&str> = FeedKind::ALL
            .iter()
            .filter(|k| may_import(actor, **k) || matches!(actor.role, Role::Auditor))
            .map(|k| k.code())
            .collect();
        if kinds.is_empty() {
            return Err(StoreError::Forbidden);
        }
        let mut qb: QueryBuilder<'_, Db> =
            QueryBuilder::new(format!("SELECT {IMPORT_COLUMNS} WHERE f.kind IN ("));
        let mut list = qb.separated(", ");
        for k in kinds {
            list.push_bind(k);
        }
        qb.push(") ORDER BY f.id DESC LIMIT 200");
        let rows: Vec<ImportRow> = qb.build_query_as().fetch_all(&self.pool).await?;
        rows.into_iter().map(import_of).collect()
    }

    async fn alerts(&self, actor: &Actor, filter: &AlertFilter) -> Result<Vec<Alert>, StoreError> {
        if !may_read_alerts(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut qb: QueryBuilder<'_, Db> =
            QueryBuilder::new(format!("SELECT {ALERT_COLUMNS} WHERE 1 = 1"));
        push_community_scope(&mut qb, "a.community", actor);
        if filter.open_only {
            qb.push(" AND a.state IN ('new', 'in_progress')");
        }
        if let Some(h) = filter.household {
            qb.push(" AND a.household_id = ").push_bind(h.0);
        }
        qb.push(
            " ORDER BY CASE a.state WHEN 'new' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END, \
             CASE a.level WHEN 'red' THEN 0 WHEN 'amber' THEN 1 ELSE 2 END, a.id DESC LIMIT 1000",
        );
        let rows: Vec<AlertRow> = qb.build_query_as().fetch_all(&self.pool).await?;
        rows.into_iter().map(AlertRow::into_alert).collect()
    }

    async fn pending_deaths(
        &self,
        actor: &Actor,
        import: i64,
    ) -> Result<Vec<PendingDeath>, StoreError> {
        if !matches!(actor.role, Role::CountyApprover | Role::System) {
            return Err(StoreError::Forbidden);
        }
        let rows: Vec<(i64, i64, i64, Option<NaiveDate>, String)> = sqlx::query_as(
            "SELECT a.id, a.person_id, a.household_id, r.record_date, r.record_id FROM alerts a \
             JOIN feed_records r ON r.id = a.record_id WHERE r.import_id = $1 \
             AND a.rule = $2 AND a.state = 'new' AND a.person_id IS NOT NULL ORDER BY a.id",
        )
        .bind(import)
        .bind(AlertRule::Death.code())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(alert, p, h, died_on, record_id)| PendingDeath {
                alert,
                person: PersonId(p),
                household: HouseholdId(h),
                died_on,
                record_id,
            })
            .collect())
    }

    async fn open_alert_counts(&self, actor: &Actor) -> Result<(u64, u64), StoreError> {
        if !may_read_alerts(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN a.level = 'red' THEN 1 ELSE 0 END), 0) \
             FROM alerts a WHERE a.state IN ('new', 'in_progress')",
        );
        push_community_scope(&mut qb, "a.community", actor);
        let (open, red): (i64, i64) = qb.build_query_as().fetch_one(&self.pool).await?;
        Ok((
            u64::try_from(open).unwrap_or(0),
            u64::try_from(red).unwrap_or(0),
        ))
    }

    async fn update_alert(
        &self,
        actor: &Actor,
        alert: i64,
        state: AlertState,
        outcome: &str,
    ) -> Result<Alert, StoreError> {
        if !actor.may_keep_benefits() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_write().await?;
        let row: Option<AlertRow> =
            sqlx::query_as(&format!("SELECT {ALERT_COLUMNS} WHERE a.id = $1"))
                .bind(alert)
                .fetch_optional(&mut *tx)
                .await?;
        let current = match row {
            Some(r) if covers(actor, &r.community) => r.into_alert()?,
            _ => return Err(StoreError::NotFound),
        };
        if current.state.is_closed() {
            return Err(StoreError::Invalid(format!(
                "该提醒已{}，不能再改动",
                current.state.label()
            )));
        }
        let outcome = outcome.trim();
        match state {
            AlertState::New => {
                return Err(StoreError::Invalid("提醒不能改回待处理".into()));
            }
            AlertState::Done if outcome.is_empty() => {
                return Err(StoreError::Invalid("办结须写明处理结果".into()));
            }
            AlertState::Dismissed if outcome.is_empty() => {
                return Err(StoreError::Invalid("排除须写明理由".into()));
            }
            _ => {}
        }
        if current.rule == AlertRule::Match
            && matches!(state, AlertState::Done | AlertState::Dismissed)
            && let (Some(record), Some(person)) = (&current.record, current.person)
        {
            let fingerprint: Option<(Option<String>,)> =
                sqlx::query_as("SELECT fingerprint FROM feed_records WHERE id = $1")
                    .bind(record.id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some((Some(fingerprint),)) = fingerprint {
                sqlx::query(
                    "INSERT INTO link_decisions (fingerprint, person_id, same, decided_by, \
                     decided_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (fingerprint, person_id) \
                     DO UPDATE SET same = excluded.same, decided_by = excluded.decided_by, \
                     decided_at = excluded.decided_at",
                )
                .bind(&fingerprint)
                .bind(person.0)
                .bind(state == AlertState::Done)
                .bind(actor.user_id)
                .bind(common::now())
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query(
            "UPDATE alerts SET state = $1, outcome = $2, updated_by = $3, updated_at = $4 \
             WHERE id = $5",
        )
        .bind(state.code())
        .bind((!outcome.is_empty()).then(|| common::clip(outcome)))
        .bind(actor.user_id)
        .bind(common::now())
        .bind(alert)
        .execute(&mut *tx)
        .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("household:{}", current.household.0),
            &format!("部门数据提醒{alert}（{}）：{}", current.rule.label(), state.label()),
        )
        .await?;
        tx.commit().await?;
        Ok(Alert {
            state,
            outcome: (!outcome.is_empty()).then(|| common::clip(outcome)),
            ..current
        })
    }

    async fn unmatched_records(
        &self,
        actor: &Actor,
        kind: FeedKind,
        min_fen: i64,
    ) -> Result<Vec<UnmatchedRecord>, StoreError> {
        if !matches!(actor.role, Role::CountyApprover | Role::System) {
            return Err(StoreError::Forbidden);
        }
        #[allow(clippy::type_complexity)]
        let rows: Vec<(i64, String, Option<NaiveDate>, Option<i64>, String, String)> =
            sqlx::query_as(
                "SELECT r.id, r.shown, r.record_date, r.amount_fen, r.detail, i.source \
                 FROM feed_records r JOIN feed_imports i ON i.id = r.import_id \
                 WHERE i.kind = $1 AND r.person_id IS NULL AND r.amount_fen >= $2 \
                 ORDER BY r.record_date DESC, r.id DESC LIMIT 1000",
            )
            .bind(kind.code())
            .bind(min_fen)
            .fetch_all(&self.pool)
            .await?;
        self.audit_alone(
            actor,
            AuditAction::List,
            &format!("feeds:{}", kind.code()),
            &format!("查看困难边缘名单：{}条", rows.len()),
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, shown, date, amount_fen, detail, source)| UnmatchedRecord {
                id,
                kind,
                shown,
                date,
                amount_fen,
                detail,
                source,
            })
            .collect())
    }

    async fn linked_records(
        &self,
        actor: &Actor,
        household: HouseholdId,
    ) -> Result<Vec<LinkedRecord>, StoreError> {
        if !may_read_alerts(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_read().await?;
        household_in_scope(&mut tx, actor, household.0).await?;
        #[allow(clippy::type_complexity)]
        let rows: Vec<(i64, String, i64, i64, Option<NaiveDate>, Option<i64>, String)> =
            sqlx::query_as(
                "SELECT r.id, i.kind, r.person_id, r.permille, r.record_date, r.amount_fen, \
                 r.detail FROM feed_records r JOIN feed_imports i ON i.id = r.import_id \
                 WHERE r.household_id = $1 AND r.person_id IS NOT NULL AND NOT EXISTS ( \
                 SELECT 1 FROM link_decisions d WHERE d.fingerprint = r.fingerprint \
                 AND d.person_id = r.person_id AND d.same = $2) \
                 ORDER BY r.record_date, r.id",
            )
            .bind(household.0)
            .bind(false)
            .fetch_all(&mut *tx)
            .await?;
        drop(tx);
        self.audit_alone(
            actor,
            AuditAction::Read,
            &format!("household:{}", household.0),
            "查看部门数据比对结果",
        )
        .await?;
        rows.into_iter()
            .map(|(id, kind, person, permille, date, amount_fen, detail)| {
                Ok(LinkedRecord {
                    id,
                    kind: FeedKind::parse(&kind)
                        .map_err(|_| common::corrupt("feed_imports", "kind", id))?,
                    person: PersonId(person),
                    permille: u16::try_from(permille).unwrap_or(0),
                    date,
                    amount_fen,
                    detail,
                })
            })
            .collect()
    }

    async fn link_decisions(
        &self,
        identities: &[String],
    ) -> Result<Vec<Vec<(PersonId, bool)>>, StoreError> {
        let keys = self.keys();
        let prints: Vec<String> = identities
            .iter()
            .map(|i| keys.feed_fingerprint(i))
            .collect();
        let mut found: HashMap<String, Vec<(PersonId, bool)>> = HashMap::new();
        for chunk in prints.chunks(1000) {
            let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
                "SELECT fingerprint, person_id, same FROM link_decisions WHERE fingerprint IN (",
            );
            let mut list = qb.separated(", ");
            for p in chunk {
                list.push_bind(p.as_str());
            }
            qb.push(")");
            let rows: Vec<(String, i64, bool)> = qb.build_query_as().fetch_all(&self.pool).await?;
            for (print, person, same) in rows {
                found.entry(print).or_default().push((PersonId(person), same));
            }
        }
        Ok(prints
            .into_iter()
            .map(|p| found.get(&p).cloned().unwrap_or_default())
            .collect())
    }

    async fn raise_alerts(&self, actor: &Actor, alerts: &[ScanAlert]) -> Result<u64, StoreError> {
        if !matches!(actor.role, Role::CountyApprover | Role::System) {
            return Err(StoreError::Forbidden);
        }
        let now = common::now();
        let mut tx = self.begin_write().await?;
        let mut raised = 0;
        for a in alerts {
            let Some((community,)): Option<(String,)> =
                sqlx::query_as("SELECT community FROM households WHERE id = $1")
                    .bind(a.household.0)
                    .fetch_optional(&mut *tx)
                    .await?
            else {
                return Err(StoreError::NotFound);
            };
            raised += sqlx::query(
                "INSERT INTO alerts (household_id, person_id, community, rule, level, reason, \
                 state, created_at, dedupe) VALUES ($1, $2, $3, $4, $5, $6, 'new', $7, $8) \
                 ON CONFLICT (dedupe) WHERE dedupe IS NOT NULL DO NOTHING",
            )
            .bind(a.household.0)
            .bind(a.person.map(|p| p.0))
            .bind(&community)
            .bind(a.alert.rule.code())
            .bind(a.alert.level.code())
            .bind(common::clip(&a.alert.reason))
            .bind(now)
            .bind(common::clip(&a.dedupe))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        append_audit(
            &mut tx,
            actor,
            AuditAction::Create,
            "alerts",
            &format!("扫描全县档案：新提醒{raised}条"),
        )
        .await?;
        tx.commit().await?;
        Ok(raised)
    }

    async fn feed_mapping(&self, kind: FeedKind) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT mapping FROM feed_mappings WHERE kind = $1")
                .bind(kind.code())
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(m,)| m))
    }

    async fn put_feed_mapping(
        &self,
        actor: &Actor,
        kind: FeedKind,
        mapping: &str,
    ) -> Result<(), StoreError> {
        if !may_import(actor, kind) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO feed_mappings (kind, mapping, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (kind) DO UPDATE SET mapping = excluded.mapping, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(kind.code())
        .bind(common::clip(mapping))
        .bind(actor.user_id)
        .bind(common::now())
        .execute(&mut *tx)
        .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("feeds:{}", kind.code()),
            &format!("设定{}的列名对应", kind.label()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

// Bought care services for both backends (see `services.rs`): included into `sqlite.rs` and
// `postgres.rs` after `shared_impl.rs`, whose imports and helpers it uses (and after
// `disaster_impl.rs`, whose `masked_name` it shares).

use crate::services::{
    NewProvider, NewServiceRecord, Provider, ServedPerson, ServiceCheck, ServiceFilter,
    ServiceRecord, Services,
};
use doudi_core::services::{self as service_rules, CheckResult, ServiceKind};

fn service_kinds(codes: &str, id: i64) -> Result<Vec<ServiceKind>, StoreError> {
    codes
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| ServiceKind::parse(c).map_err(|_| common::corrupt("service_providers", "kinds", id)))
        .collect()
}

/// The disability in words (肢体二级), from its stored codes.
fn disability_words(kind: Option<&str>, grade: Option<&str>) -> String {
    let kind = kind.and_then(|k| doudi_core::DisabilityKind::parse(k).ok());
    let grade = grade.and_then(|g| doudi_core::DisabilityGrade::parse(g).ok());
    match (kind, grade) {
        (Some(k), Some(g)) => format!("{}{}", k.label(), g.label()),
        _ => String::new(),
    }
}

#[async_trait]
impl Services for Backend {
    async fn add_provider(&self, actor: &Actor, provider: &NewProvider) -> Result<i64, StoreError> {
        if !service_rules::may_manage_providers(actor) {
            return Err(StoreError::Forbidden);
        }
        if provider.name.trim().is_empty() || provider.kinds.is_empty() {
            return Err(StoreError::Invalid("服务机构：须有名称和至少一类服务".into()));
        }
        let mut tx = self.begin_write().await?;
        let kinds: Vec<&str> = provider.kinds.iter().map(|k| k.code()).collect();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO service_providers (name, kinds, contact, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(common::clip(&provider.name))
        .bind(kinds.join(","))
        .bind(common::clip(&provider.contact))
        .bind(actor.user_id)
        .bind(common::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match common::unique_violation(&e) {
            Some(_) => StoreError::Duplicate(format!(
                "机构名称：已有名为“{}”的服务机构",
                provider.name.trim()
            )),
            None => StoreError::Database(e),
        })?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Create,
            &format!("service_provider:{id}"),
            &format!("新增购买服务机构（{}类服务）", kinds.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn providers(&self, actor: &Actor) -> Result<Vec<Provider>, StoreError> {
        if !service_rules::may_read(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut q: QueryBuilder<'_, Db> = QueryBuilder::new(
            "SELECT p.id, p.name, p.kinds, p.contact, \
             (SELECT COUNT(*) FROM service_records r WHERE r.provider_id = p.id",
        );
        push_community_scope(&mut q, "r.community", actor);
        q.push(
            "), (SELECT CAST(COALESCE(SUM(r.cost_fen), 0) AS BIGINT) FROM service_records r \
             WHERE r.provider_id = p.id",
        );
        push_community_scope(&mut q, "r.community", actor);
        q.push(") FROM service_providers p ORDER BY p.name");
        let rows: Vec<(i64, String, String, String, i64, i64)> =
            q.build_query_as().fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|r| {
                Ok(Provider {
                    id: r.0,
                    name: r.1,
                    kinds: service_kinds(&r.2, r.0)?,
                    contact: r.3,
                    records: r.4,
                    cost_fen: r.5,
                })
            })
            .collect()
    }

    async fn served_persons(&self, actor: &Actor) -> Result<Vec<ServedPerson>, StoreError> {
        if !service_rules::may_read(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut q: QueryBuilder<'_, Db> = QueryBuilder::new(
            "SELECT p.id, h.id, h.number, h.community, p.name, p.disability_kind, \
             p.disability_grade FROM persons p JOIN households h ON h.id = p.household_id \
             WHERE p.disability_kind IS NOT NULL AND h.exited_on IS NULL",
        );
        push_household_scope(&mut q, actor);
        q.push(" ORDER BY h.number, p.position");
        let rows: Vec<(i64, i64, String, String, String, Option<String>, Option<String>)> =
            q.build_query_as().fetch_all(&self.pool).await?;
        self.audit_alone(
            actor,
            AuditAction::BulkRead,
            "services",
            &format!("读取可购买服务的残疾人员{}人", rows.len()),
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ServedPerson {
                person: PersonId(r.0),
                household: HouseholdId(r.1),
                number: r.2,
                community: r.3,
                name: masked_name(&r.4),
                disability: disability_words(r.5.as_deref(), r.6.as_deref()),
            })
            .collect())
    }

    async fn record_service(
        &self,
        actor: &Actor,
        record: &NewServiceRecord,
    ) -> Result<i64, StoreError> {
        if !service_rules::may_record(actor) {
            return Err(StoreError::Forbidden);
        }
        if record.hours > service_rules::MAX_MONTHLY_HOURS {
            return Err(StoreError::Invalid(format!(
                "服务时长：一个月不超过{}小时",
                service_rules::MAX_MONTHLY_HOURS
            )));
        }
        if record.cost_fen < 0 || record.cost_fen > service_rules::MAX_MONTHLY_COST.fen() {
            return Err(StoreError::Invalid(format!(
                "费用：应为0至{}元",
                service_rules::MAX_MONTHLY_COST.to_yuan_string()
            )));
        }
        let mut tx = self.begin_write().await?;
        let person: Option<(i64, String, Option<String>, Option<NaiveDate>)> = sqlx::query_as(
            "SELECT h.id, h.community, p.disability_kind, h.exited_on FROM persons p \
             JOIN households h ON h.id = p.household_id WHERE p.id = $1",
        )
        .bind(record.person.0)
        .fetch_optional(&mut *tx)
        .await?;
        let (household, community) = match person {
            Some((h, c, disability, exited)) if covers(actor, &c) => {
                if disability.is_none() {
                    return Err(StoreError::Invalid(
                        "服务对象：该成员未登记残疾，不属于购买服务对象".into(),
                    ));
                }
                if exited.is_some() {
                    return Err(StoreError::Invalid(
                        "服务对象：该户已退出救助，不属于购买服务对象".into(),
                    ));
                }
                (h, c)
            }
            _ => return Err(StoreError::NotFound),
        };
        let kinds: Option<(String,)> =
            sqlx::query_as("SELECT kinds FROM service_providers WHERE id = $1")
                .bind(record.provider)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((kinds,)) = kinds else {
            return Err(StoreError::Invalid("服务机构：不存在，请先登记服务机构".into()));
        };
        if !service_kinds(&kinds, record.provider)?.contains(&record.kind) {
            return Err(StoreError::Invalid(format!(
                "服务类别：该机构未登记提供{}",
                record.kind.label()
            )));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO service_records (provider_id, person_id, household_id, community, kind, \
             month, hours, cost_fen, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(record.provider)
        .bind(record.person.0)
        .bind(household)
        .bind(&community)
        .bind(record.kind.code())
        .bind(record.month.to_string())
        .bind(i64::from(record.hours))
        .bind(record.cost_fen)
        .bind(actor.user_id)
        .bind(common::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match common::unique_violation(&e) {
            Some(_) => StoreError::Duplicate(format!(
                "该成员{}已登记过该机构的{}，请勿重复登记",
                record.month,
                record.kind.label()
            )),
            None => StoreError::Database(e),
        })?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Create,
            &format!("person:{}", record.person.0),
            &format!(
                "登记购买服务：{}，{}，{}小时，{}元",
                record.kind.label(),
                record.month,
                record.hours,
                doudi_core::Money::from_fen(record.cost_fen).to_yuan_string()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn service_records(
        &self,
        actor: &Actor,
        filter: &ServiceFilter,
    ) -> Result<Vec<ServiceRecord>, StoreError> {
        if !service_rules::may_read(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut q: QueryBuilder<'_, Db> = QueryBuilder::new(
            "SELECT r.id AS id, r.provider_id AS provider_id, sp.name AS provider_name, \
             r.person_id AS person_id, r.household_id AS household_id, h.number AS number, \
             r.community AS community, p.name AS name, r.kind AS kind, r.month AS month, \
             r.hours AS hours, r.cost_fen AS cost_fen, u.display_name AS recorded_by, \
             c.checked_on AS checked_on, c.checker AS checker, c.result AS result, \
             c.note AS note \
             FROM service_records r JOIN service_providers sp ON sp.id = r.provider_id \
             JOIN households h ON h.id = r.household_id \
             LEFT JOIN persons p ON p.id = r.person_id \
             LEFT JOIN users u ON u.id = r.recorded_by \
             LEFT JOIN service_checks c ON c.id = (SELECT MAX(c2.id) FROM service_checks c2 \
              WHERE c2.record_id = r.id) \
             WHERE 1 = 1",
        );
        push_community_scope(&mut q, "r.community", actor);
        if let Some(m) = filter.month {
            q.push(" AND r.month = ").push_bind(m.to_string());
        }
        if let Some(p) = filter.provider {
            q.push(" AND r.provider_id = ").push_bind(p);
        }
        if filter.unchecked {
            q.push(" AND c.id IS NULL");
        }
        q.push(" ORDER BY r.month DESC, h.number, r.id LIMIT 5000");
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            provider_id: i64,
            provider_name: String,
            person_id: i64,
            household_id: i64,
            number: String,
            community: String,
            name: Option<String>,
            kind: String,
            month: String,
            hours: i64,
            cost_fen: i64,
            recorded_by: Option<String>,
            checked_on: Option<NaiveDate>,
            checker: Option<String>,
            result: Option<String>,
            note: Option<String>,
        }
        let rows: Vec<Row> = q.build_query_as().fetch_all(&self.pool).await?;
        let t = "service_records";
        let records = rows
            .into_iter()
            .map(|r| {
                let check = match (r.checked_on, r.checker, r.result, r.note) {
                    (Some(on), Some(checker), Some(result), Some(note)) => Some(ServiceCheck {
                        checked_on: on,
                        checker,
                        result: CheckResult::parse(&result)
                            .map_err(|_| common::corrupt("service_checks", "result", r.id))?,
                        note,
                    }),
                    _ => None,
                };
                Ok(ServiceRecord {
                    id: r.id,
                    provider: r.provider_id,
                    provider_name: r.provider_name,
                    person: PersonId(r.person_id),
                    household: HouseholdId(r.household_id),
                    number: r.number,
                    community: r.community,
                    name: r.name.as_deref().map(masked_name).unwrap_or_else(|| "（已移出）".into()),
                    kind: ServiceKind::parse(&r.kind).map_err(|_| common::corrupt(t, "kind", r.id))?,
                    month: Month::parse(&r.month).map_err(|_| common::corrupt(t, "month", r.id))?,
                    hours: u32::try_from(r.hours).map_err(|_| common::corrupt(t, "hours", r.id))?,
                    cost_fen: r.cost_fen,
                    recorded_by: r.recorded_by.unwrap_or_else(|| "（已删除的用户）".into()),
                    check,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.audit_alone(
            actor,
            AuditAction::BulkRead,
            "services",
            &format!("读取购买服务记录{}条", records.len()),
        )
        .await?;
        Ok(records)
    }

    async fn check_service(
        &self,
        actor: &Actor,
        record: i64,
        check: &ServiceCheck,
    ) -> Result<(), StoreError> {
        if !service_rules::may_record(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_write().await?;
        let found: Option<(String,)> =
            sqlx::query_as("SELECT community FROM service_records WHERE id = $1")
                .bind(record)
                .fetch_optional(&mut *tx)
                .await?;
        match found {
            Some((community,)) if covers(actor, &community) => {}
            _ => return Err(StoreError::NotFound),
        }
        sqlx::query(
            "INSERT INTO service_checks (record_id, checked_on, checker, result, note, \
             recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(record)
        .bind(check.checked_on)
        .bind(common::clip(&check.checker))
        .bind(check.result.code())
        .bind(common::clip(&check.note))
        .bind(actor.user_id)
        .bind(common::now())
        .execute(&mut *tx)
        .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Create,
            &format!("service:{record}"),
            &format!("购买服务质量检查：{}", check.result.label()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

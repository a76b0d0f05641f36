// Visits, attachments, campaigns and coverage for both backends (see `visits.rs`): included
// into `sqlite.rs` and `postgres.rs` after `shared_impl.rs`, whose helpers it uses through
// `super::*`.

mod visits_sql {
    use super::*;

    use std::collections::HashMap;

    use crate::visits::{
        AttachmentInfo, Campaign, CoverageCounts, CoveredHousehold, NewCampaign, NewVisit, Visit, VisitFilter,
        Visits, may_create_campaigns, may_read_visits, may_record_visits,
    };
    use doudi_core::Need;
    use doudi_core::visits::VisitKind;

    /// The columns of a visit row, with the household's file number and the visitor's name.
    const COLUMNS: &str = "v.id AS id, v.household_id AS household_id, h.number AS number, \
         v.community AS community, v.visited_on AS visited_on, v.kind AS kind, v.found AS found, \
         v.needs AS needs, v.draft_id AS draft_id, v.visited_by AS visited_by_id, \
         u.display_name AS visited_by, v.created_at AS created_at \
         FROM visits v JOIN households h ON h.id = v.household_id \
         LEFT JOIN users u ON u.id = v.visited_by";

    /// Narrows a query on `households h` to the households of the actor's scope current on
    /// `today` (enrolled, not exited): those coverage is about.
    fn push_current<'a>(qb: &mut QueryBuilder<'a, Db>, actor: &'a Actor, today: NaiveDate) {
        push_household_scope(qb, actor);
        qb.push(" AND h.enrolled_on <= ").push_bind(today);
        qb.push(" AND (h.exited_on IS NULL OR h.exited_on > ")
            .push_bind(today)
            .push(")");
        push_role_filter(qb, actor);
    }

    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        household_id: i64,
        number: String,
        community: String,
        visited_on: NaiveDate,
        kind: String,
        found: String,
        needs: String,
        draft_id: String,
        visited_by_id: i64,
        visited_by: Option<String>,
        created_at: DateTime<Utc>,
    }

    impl Row {
        fn into_visit(self, attachments: Vec<AttachmentInfo>) -> Result<Visit, StoreError> {
            let id = self.id;
            let bad = |column: &str| common::corrupt("visits", column, id);
            let needs = self
                .needs
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| Need::parse(s).map_err(|_| bad("needs")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Visit {
                id,
                household: HouseholdId(self.household_id),
                household_number: self.number,
                community: self.community,
                visited_on: self.visited_on,
                kind: VisitKind::parse(&self.kind).map_err(|_| bad("kind"))?,
                found: self.found,
                needs,
                draft_id: self.draft_id,
                visited_by: self.visited_by.unwrap_or_else(|| "（已删除的用户）".into()),
                visited_by_id: self.visited_by_id,
                created_at: self.created_at,
                attachments,
            })
        }
    }

    #[derive(sqlx::FromRow)]
    struct AttachmentRow {
        id: i64,
        visit_id: i64,
        file_name: String,
        media_type: String,
        size: i64,
    }

    #[derive(sqlx::FromRow)]
    struct CampaignRow {
        id: i64,
        name: String,
        kind: String,
        from_on: NaiveDate,
        to_on: NaiveDate,
        created_by: Option<String>,
    }

    impl CampaignRow {
        fn into_campaign(self) -> Result<Campaign, StoreError> {
            Ok(Campaign {
                id: self.id,
                kind: VisitKind::parse(&self.kind)
                    .map_err(|_| common::corrupt("visit_campaigns", "kind", self.id))?,
                name: self.name,
                from: self.from_on,
                to: self.to_on,
                created_by: self.created_by.unwrap_or_else(|| "（已删除的用户）".into()),
            })
        }
    }

    const CAMPAIGN_COLUMNS: &str = "c.id AS id, c.name AS name, c.kind AS kind, \
         c.from_on AS from_on, c.to_on AS to_on, u.display_name AS created_by \
         FROM visit_campaigns c LEFT JOIN users u ON u.id = c.created_by";

    /// The attachments of the visits, by visit.
    async fn attachments_of(
        conn: &mut Conn,
        visits: &[i64],
    ) -> Result<HashMap<i64, Vec<AttachmentInfo>>, sqlx::Error> {
        let mut by: HashMap<i64, Vec<AttachmentInfo>> = HashMap::new();
        for chunk in visits.chunks(500) {
            let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
                "SELECT id, visit_id, file_name, media_type, \
                 CAST(LENGTH(bytes) AS BIGINT) AS size FROM visit_attachments WHERE visit_id IN (",
            );
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(") ORDER BY id");
            let rows: Vec<AttachmentRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
            for r in rows {
                by.entry(r.visit_id).or_default().push(AttachmentInfo {
                    id: r.id,
                    file_name: r.file_name,
                    media_type: r.media_type,
                    size: r.size,
                });
            }
        }
        Ok(by)
    }

    async fn select_by_draft(conn: &mut Conn, draft: &str) -> Result<Option<Row>, sqlx::Error> {
        sqlx::query_as(&format!("SELECT {COLUMNS} WHERE v.draft_id = $1"))
            .bind(draft)
            .fetch_optional(&mut *conn)
            .await
    }

    /// The visit kept under a draft id, as the resend of `visit` by `actor`: the same
    /// household's is returned, another's is a duplicate.
    async fn resent(
        conn: &mut Conn,
        actor: &Actor,
        visit: &NewVisit,
        row: Row,
    ) -> Result<Visit, StoreError> {
        if row.household_id != visit.household.0 || !covers(actor, &row.community) {
            return Err(StoreError::Duplicate(
                "草稿编号已被另一条走访记录使用，请刷新页面后重新填写".into(),
            ));
        }
        let mut attachments = attachments_of(conn, &[row.id]).await?;
        let list = attachments.remove(&row.id).unwrap_or_default();
        row.into_visit(list)
    }

    #[async_trait]
    impl Visits for Backend {
        async fn record_visit(
            &self,
            actor: &Actor,
            visit: &NewVisit,
        ) -> Result<Visit, StoreError> {
            if !may_record_visits(actor) {
                return Err(StoreError::Forbidden);
            }
            let draft = visit.draft_id.trim();
            if draft.is_empty() || draft.len() > 64 {
                return Err(StoreError::Invalid("草稿编号无效".into()));
            }
            let mut tx = self.begin_write().await?;
            let household = household_in_scope(&mut tx, actor, visit.household.0).await?;
            if let Some(row) = select_by_draft(&mut tx, draft).await? {
                return resent(&mut tx, actor, visit, row).await;
            }
            let found: String = visit.found.trim().chars().take(2000).collect();
            let needs = visit
                .needs
                .iter()
                .map(|n| n.code())
                .collect::<Vec<_>>()
                .join(",");
            let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
                "INSERT INTO visits (household_id, community, visited_on, kind, found, needs, \
                 draft_id, visited_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(household.id)
            .bind(&household.community)
            .bind(visit.visited_on)
            .bind(visit.kind.code())
            .bind(&found)
            .bind(&needs)
            .bind(draft)
            .bind(actor.user_id)
            .bind(common::now())
            .fetch_one(&mut *tx)
            .await;
            let id = match inserted {
                Ok((id,)) => id,
                Err(e) if common::unique_violation(&e).is_some() => {
                    // Sent twice at once: the other request kept it first.
                    drop(tx);
                    let mut conn = self.pool.acquire().await?;
                    let row = select_by_draft(&mut conn, draft)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    return resent(&mut conn, actor, visit, row).await;
                }
                Err(e) => return Err(e.into()),
            };
            for a in &visit.attachments {
                sqlx::query(
                    "INSERT INTO visit_attachments (visit_id, file_name, media_type, bytes) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(common::clip(&a.file_name))
                .bind(&a.media_type)
                .bind(&a.bytes)
                .execute(&mut *tx)
                .await?;
            }
            append_audit(
                &mut tx,
                actor,
                AuditAction::Create,
                &format!("household:{}", household.id),
                &format!(
                    "走访记录{id}：{}，{}（依据 3.3）",
                    visit.visited_on,
                    visit.kind.label()
                ),
            )
            .await?;
            let row = select_by_draft(&mut tx, draft)
                .await?
                .ok_or(StoreError::NotFound)?;
            let mut attachments = attachments_of(&mut tx, &[id]).await?;
            tx.commit().await?;
            row.into_visit(attachments.remove(&id).unwrap_or_default())
        }

        async fn visits(
            &self,
            actor: &Actor,
            filter: &VisitFilter,
        ) -> Result<Vec<Visit>, StoreError> {
            if !may_read_visits(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut qb: QueryBuilder<'_, Db> =
                QueryBuilder::new(format!("SELECT {COLUMNS} WHERE 1 = 1"));
            push_community_scope(&mut qb, "v.community", actor);
            push_role_filter(&mut qb, actor);
            if let Some(d) = &filter.division {
                qb.push(" AND v.community LIKE ")
                    .push_bind(format!("{}%", d.replace(['%', '_'], "")));
            }
            if let Some(h) = filter.household {
                qb.push(" AND v.household_id = ").push_bind(h.0);
            }
            if let Some(k) = filter.kind {
                qb.push(" AND v.kind = ").push_bind(k.code());
            }
            if let Some(d) = filter.from {
                qb.push(" AND v.visited_on >= ").push_bind(d);
            }
            if let Some(d) = filter.to {
                qb.push(" AND v.visited_on <= ").push_bind(d);
            }
            qb.push(" ORDER BY v.visited_on DESC, v.id DESC LIMIT 5000");
            let mut conn = self.pool.acquire().await?;
            if let Some(h) = filter.household {
                // One household's log: not found outside the reader's scope, as the household.
                household_in_scope(&mut conn, actor, h.0).await?;
            }
            let rows: Vec<Row> = qb.build_query_as().fetch_all(&mut *conn).await?;
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let mut attachments = attachments_of(&mut conn, &ids).await?;
            drop(conn);
            let target = match filter.household {
                Some(h) => format!("household:{}", h.0),
                None => "visits".to_owned(),
            };
            self.audit_alone(
                actor,
                AuditAction::List,
                &target,
                &format!("查看走访记录：{}条", rows.len()),
            )
            .await?;
            rows.into_iter()
                .map(|r| {
                    let list = attachments.remove(&r.id).unwrap_or_default();
                    r.into_visit(list)
                })
                .collect()
        }

        async fn visit_attachment(
            &self,
            actor: &Actor,
            id: i64,
        ) -> Result<(String, String, Vec<u8>), StoreError> {
            if !may_read_visits(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut conn = self.pool.acquire().await?;
            let found: Option<(i64, String, String, Vec<u8>)> = sqlx::query_as(
                "SELECT v.household_id, a.file_name, a.media_type, a.bytes \
                 FROM visit_attachments a JOIN visits v ON v.id = a.visit_id WHERE a.id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
            let Some((household, name, media_type, bytes)) = found else {
                return Err(StoreError::NotFound);
            };
            household_in_scope(&mut conn, actor, household).await?;
            drop(conn);
            self.audit_alone(
                actor,
                AuditAction::Read,
                &format!("household:{household}"),
                &format!("查看走访附件{id}"),
            )
            .await?;
            Ok((name, media_type, bytes))
        }

        async fn create_campaign(
            &self,
            actor: &Actor,
            campaign: &NewCampaign,
        ) -> Result<Campaign, StoreError> {
            if !may_create_campaigns(actor) {
                return Err(StoreError::Forbidden);
            }
            let name = common::clip(&campaign.name);
            if name.is_empty() || campaign.to < campaign.from {
                return Err(StoreError::Invalid(
                    "走访活动须有名称，结束日期不得早于开始日期".into(),
                ));
            }
            let mut tx = self.begin_write().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO visit_campaigns (name, kind, from_on, to_on, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(&name)
            .bind(campaign.kind.code())
            .bind(campaign.from)
            .bind(campaign.to)
            .bind(actor.user_id)
            .bind(common::now())
            .fetch_one(&mut *tx)
            .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Create,
                &format!("visit_campaign:{id}"),
                &format!(
                    "走访活动「{name}」：{}至{}，{}（依据 3.3）",
                    campaign.from,
                    campaign.to,
                    campaign.kind.label()
                ),
            )
            .await?;
            let row: CampaignRow =
                sqlx::query_as(&format!("SELECT {CAMPAIGN_COLUMNS} WHERE c.id = $1"))
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            tx.commit().await?;
            row.into_campaign()
        }

        async fn campaigns(&self, actor: &Actor) -> Result<Vec<Campaign>, StoreError> {
            if !may_read_visits(actor) {
                return Err(StoreError::Forbidden);
            }
            let rows: Vec<CampaignRow> = sqlx::query_as(&format!(
                "SELECT {CAMPAIGN_COLUMNS} ORDER BY c.from_on DESC, c.id DESC"
            ))
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter().map(CampaignRow::into_campaign).collect()
        }

        async fn campaign(&self, actor: &Actor, id: i64) -> Result<Campaign, StoreError> {
            if !may_read_visits(actor) {
                return Err(StoreError::Forbidden);
            }
            let row: Option<CampaignRow> =
                sqlx::query_as(&format!("SELECT {CAMPAIGN_COLUMNS} WHERE c.id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
            row.ok_or(StoreError::NotFound)?.into_campaign()
        }

        async fn coverage(
            &self,
            actor: &Actor,
            today: NaiveDate,
            since: NaiveDate,
            kind: Option<VisitKind>,
        ) -> Result<Vec<CoveredHousehold>, StoreError> {
            if !may_read_visits(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut conn = self.pool.acquire().await?;
            // The current households of the scope.
            let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
                "SELECT h.id, h.number, h.township, h.community FROM households h WHERE 1 = 1",
            );
            push_current(&mut qb, actor, today);
            qb.push(" ORDER BY h.township, h.community, h.number");
            let households: Vec<(i64, String, String, String)> =
                qb.build_query_as().fetch_all(&mut *conn).await?;
            // Their cadres.
            let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
                "SELECT p.household_id, u.display_name FROM pairings p \
                 JOIN households h ON h.id = p.household_id \
                 LEFT JOIN users u ON u.id = p.user_id WHERE 1 = 1",
            );
            push_household_scope(&mut qb, actor);
            qb.push(" ORDER BY p.household_id, p.user_id");
            let pairs: Vec<(i64, Option<String>)> =
                qb.build_query_as().fetch_all(&mut *conn).await?;
            let mut cadres: HashMap<i64, Vec<String>> = HashMap::new();
            for (h, name) in pairs {
                cadres
                    .entry(h)
                    .or_default()
                    .push(name.unwrap_or_else(|| "（已删除的用户）".into()));
            }
            // Their visits in the days asked.
            let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
                "SELECT v.household_id, v.visited_on FROM visits v WHERE 1 = 1",
            );
            push_community_scope(&mut qb, "v.community", actor);
            qb.push(" AND v.visited_on >= ").push_bind(since);
            qb.push(" AND v.visited_on <= ").push_bind(today);
            if let Some(k) = kind {
                qb.push(" AND v.kind = ").push_bind(k.code());
            }
            let seen: Vec<(i64, NaiveDate)> = qb.build_query_as().fetch_all(&mut *conn).await?;
            drop(conn);
            let mut last: HashMap<i64, NaiveDate> = HashMap::new();
            for (h, day) in seen {
                let e = last.entry(h).or_insert(day);
                if day > *e {
                    *e = day;
                }
            }
            self.audit_alone(
                actor,
                AuditAction::List,
                "visits",
                &format!("查看走访覆盖情况：{}户", households.len()),
            )
            .await?;
            Ok(households
                .into_iter()
                .map(|(id, number, township, community)| CoveredHousehold {
                    household: HouseholdId(id),
                    number,
                    township,
                    community,
                    cadres: cadres.remove(&id).unwrap_or_default(),
                    last_visit: last.get(&id).copied(),
                })
                .collect())
        }

        async fn coverage_counts(
            &self,
            actor: &Actor,
            today: NaiveDate,
            since: NaiveDate,
        ) -> Result<CoverageCounts, StoreError> {
            if !may_read_visits(actor) {
                return Err(StoreError::Forbidden);
            }
            // Three counts of the scope's current households, each read from the
            // `households_township_current` index alone: all of them, those with a pairing, and
            // those with a visit in the window (semi-joins, which the planner may hash rather
            // than probe the pairing and visit indexes once a household). The unpaired and the
            // unvisited are the differences: the same households, cadres and days as
            // `coverage`, counted.
            let mut qb: QueryBuilder<'_, Db> =
                QueryBuilder::new("SELECT (SELECT COUNT(*) FROM households h WHERE 1 = 1");
            push_current(&mut qb, actor, today);
            qb.push("), (SELECT COUNT(*) FROM households h WHERE h.id IN (SELECT p.household_id FROM pairings p)");
            push_current(&mut qb, actor, today);
            qb.push("), (SELECT COUNT(*) FROM households h WHERE h.id IN (SELECT v.household_id FROM visits v WHERE v.visited_on >= ")
                .push_bind(since)
                .push(" AND v.visited_on <= ")
                .push_bind(today)
                .push(")");
            push_current(&mut qb, actor, today);
            qb.push(")");
            let (households, paired, visited): (i64, i64, i64) =
                qb.build_query_as().fetch_one(&self.pool).await?;
            let unpaired = households - paired;
            let unvisited = households - visited;
            let count = |n: i64| u64::try_from(n).unwrap_or(0);
            Ok(CoverageCounts {
                households: count(households),
                unpaired: count(unpaired),
                unvisited: count(unvisited),
            })
        }
    }
}

// Housing assistance for both backends (see `housing.rs`): included into `sqlite.rs` and
// `postgres.rs` after `shared_impl.rs`, whose helpers it uses through `super::*`.

mod housing_sql {
    use super::*;

    use crate::housing::{
        HousingApplication, HousingDecision, HousingFilter, HousingSupport,
        NewHousingApplication, may_decide_housing, may_file_housing, may_read_housing,
    };
    use doudi_core::Housing;
    use doudi_core::housing::{HousingKind, HousingState, insecure};

    /// The columns of an application row, with the household's file number and who filed and
    /// decided it.
    const COLUMNS: &str = "a.id AS id, a.household_id AS household_id, h.number AS number, \
         a.community AS community, a.kind AS kind, a.state AS state, a.category AS category, \
         a.housing AS housing, a.filed_on AS filed_on, a.note AS note, a.unit AS unit, \
         a.area_centi_m2 AS area_centi_m2, a.rent_fen AS rent_fen, \
         a.allocated_on AS allocated_on, a.subsidy_fen AS subsidy_fen, \
         a.from_month AS from_month, a.to_month AS to_month, a.reason AS reason, \
         f.display_name AS filed_by, d.display_name AS decided_by, a.decided_at AS decided_at \
         FROM housing_applications a JOIN households h ON h.id = a.household_id \
         LEFT JOIN users f ON f.id = a.filed_by LEFT JOIN users d ON d.id = a.decided_by";

    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        household_id: i64,
        number: String,
        community: String,
        kind: String,
        state: String,
        category: String,
        housing: String,
        filed_on: NaiveDate,
        note: String,
        unit: Option<String>,
        area_centi_m2: Option<i64>,
        rent_fen: Option<i64>,
        allocated_on: Option<NaiveDate>,
        subsidy_fen: Option<i64>,
        from_month: Option<String>,
        to_month: Option<String>,
        reason: Option<String>,
        filed_by: Option<String>,
        decided_by: Option<String>,
        decided_at: Option<DateTime<Utc>>,
    }

    impl Row {
        fn into_application(self) -> Result<HousingApplication, StoreError> {
            let id = self.id;
            let bad = |column: &str| common::corrupt("housing_applications", column, id);
            let month = |m: Option<String>, column: &str| {
                m.map(|m| Month::parse(&m).map_err(|_| bad(column)))
                    .transpose()
            };
            Ok(HousingApplication {
                id,
                household: HouseholdId(self.household_id),
                household_number: self.number,
                community: self.community,
                kind: HousingKind::parse(&self.kind).map_err(|_| bad("kind"))?,
                state: HousingState::parse(&self.state).map_err(|_| bad("state"))?,
                category: Category::parse(&self.category).map_err(|_| bad("category"))?,
                housing: Housing::parse(&self.housing).map_err(|_| bad("housing"))?,
                filed_on: self.filed_on,
                note: self.note,
                unit: self.unit,
                area_centi_m2: self.area_centi_m2,
                rent: self.rent_fen.map(Money::from_fen),
                allocated_on: self.allocated_on,
                subsidy: self.subsidy_fen.map(Money::from_fen),
                from_month: month(self.from_month, "from_month")?,
                to_month: month(self.to_month, "to_month")?,
                reason: self.reason,
                filed_by: self.filed_by.unwrap_or_else(|| "（已删除的用户）".into()),
                decided_by: self.decided_by,
                decided_at: self.decided_at,
            })
        }
    }

    async fn select(conn: &mut Conn, id: i64) -> Result<Option<Row>, sqlx::Error> {
        sqlx::query_as(&format!("SELECT {COLUMNS} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
    }

    #[async_trait]
    impl HousingSupport for Backend {
        async fn file_housing(
            &self,
            actor: &Actor,
            application: &NewHousingApplication,
        ) -> Result<HousingApplication, StoreError> {
            if !may_file_housing(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut tx = self.begin_write().await?;
            let household = household_in_scope(&mut tx, actor, application.household.0).await?;
            if household.exited_on.is_some_and(|d| d <= application.filed_on) {
                return Err(StoreError::Invalid(
                    "该户已退出救助，不能申请住房保障".into(),
                ));
            }
            let housing = Housing::parse(&household.housing)
                .map_err(|_| common::corrupt("households", "housing", household.id))?;
            if !insecure(housing) {
                return Err(StoreError::Invalid(format!(
                    "该户住房情况为「{}」，住房有保障，不属于公租房或租赁补贴的保障对象（依据 2.6）；如情况有变，请先更新档案中的住房情况",
                    housing.label()
                )));
            }
            let note = common::clip(&application.note);
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO housing_applications (household_id, community, kind, state, \
                 category, housing, filed_on, note, filed_by, created_at) \
                 VALUES ($1, $2, $3, 'filed', $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(household.id)
            .bind(&household.community)
            .bind(application.kind.code())
            .bind(&household.category)
            .bind(housing.code())
            .bind(application.filed_on)
            .bind(&note)
            .bind(actor.user_id)
            .bind(common::now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match common::unique_violation(&e) {
                Some(_) => StoreError::Duplicate(
                    "该户已有一份待审核的住房保障申请，不能重复申请；请先办结或撤回原申请".into(),
                ),
                None => StoreError::Database(e),
            })?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Create,
                &format!("household:{}", household.id),
                &format!(
                    "住房保障申请{id}：{}（依据 2.6）",
                    application.kind.label()
                ),
            )
            .await?;
            let row = select(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            row.into_application()
        }

        async fn housing_applications(
            &self,
            actor: &Actor,
            filter: &HousingFilter,
        ) -> Result<Vec<HousingApplication>, StoreError> {
            if !may_read_housing(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut qb: QueryBuilder<'_, Db> =
                QueryBuilder::new(format!("SELECT {COLUMNS} WHERE 1 = 1"));
            push_community_scope(&mut qb, "a.community", actor);
            if let Some(d) = &filter.division {
                qb.push(" AND a.community LIKE ")
                    .push_bind(format!("{}%", d.replace(['%', '_'], "")));
            }
            if let Some(s) = filter.state {
                qb.push(" AND a.state = ").push_bind(s.code());
            }
            if let Some(k) = filter.kind {
                qb.push(" AND a.kind = ").push_bind(k.code());
            }
            if let Some(h) = filter.household {
                qb.push(" AND a.household_id = ").push_bind(h.0);
            }
            qb.push(" ORDER BY a.id DESC LIMIT 5000");
            let rows: Vec<Row> = qb.build_query_as().fetch_all(&self.pool).await?;
            self.audit_alone(
                actor,
                AuditAction::List,
                "housing_applications",
                &format!("查看住房保障申请：{}条", rows.len()),
            )
            .await?;
            rows.into_iter().map(Row::into_application).collect()
        }

        async fn housing_application(
            &self,
            actor: &Actor,
            id: i64,
        ) -> Result<HousingApplication, StoreError> {
            if !may_read_housing(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut conn = self.pool.acquire().await?;
            let row = match select(&mut conn, id).await? {
                Some(r) if covers(actor, &r.community) => r,
                _ => return Err(StoreError::NotFound),
            };
            drop(conn);
            self.audit_alone(
                actor,
                AuditAction::Read,
                &format!("household:{}", row.household_id),
                &format!("查看住房保障申请{id}"),
            )
            .await?;
            row.into_application()
        }

        async fn decide_housing(
            &self,
            actor: &Actor,
            id: i64,
            decision: &HousingDecision,
        ) -> Result<HousingApplication, StoreError> {
            let withdrawal = matches!(decision, HousingDecision::Withdraw { .. });
            let allowed = if withdrawal {
                may_file_housing(actor)
            } else {
                may_decide_housing(actor)
            };
            if !allowed {
                return Err(StoreError::Forbidden);
            }
            // The app's forms name the field first; this keeps every caller's data sound.
            let unsound = match decision {
                HousingDecision::Allocate {
                    unit,
                    area_centi_m2,
                    rent,
                    ..
                } => unit.trim().is_empty() || *area_centi_m2 <= 0 || rent.is_negative(),
                HousingDecision::Subsidise { monthly, from, to } => monthly.fen() <= 0 || to < from,
                HousingDecision::Refuse { reason } | HousingDecision::Withdraw { reason } => {
                    reason.trim().is_empty()
                }
            };
            if unsound {
                return Err(StoreError::Invalid(
                    "决定不完整：配租须有房源、面积和不为负的租金；租赁补贴须为正数且截止月不早于起始月；不予保障或撤回须写明理由".into(),
                ));
            }
            let mut tx = self.begin_write().await?;
            let current = match select(&mut tx, id).await? {
                Some(r) if covers(actor, &r.community) => r.into_application()?,
                _ => return Err(StoreError::NotFound),
            };
            if !current.state.is_open() {
                return Err(StoreError::Invalid(format!(
                    "该申请已{}，不能再作决定",
                    current.state.label()
                )));
            }
            let now = common::now();
            let (state, words) = match decision {
                HousingDecision::Allocate {
                    unit,
                    area_centi_m2,
                    rent,
                    from,
                } => {
                    if current.kind != HousingKind::PublicRental {
                        return Err(StoreError::Invalid(
                            "这是租赁补贴申请，不能配租公租房；请按租赁补贴作决定".into(),
                        ));
                    }
                    sqlx::query(
                        "UPDATE housing_applications SET unit = $1, area_centi_m2 = $2, \
                         rent_fen = $3, allocated_on = $4 WHERE id = $5",
                    )
                    .bind(common::clip(unit))
                    .bind(area_centi_m2)
                    .bind(rent.fen())
                    .bind(from)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    (HousingState::Allocated, format!("配租，自{from}起"))
                }
                HousingDecision::Subsidise { monthly, from, to } => {
                    if current.kind != HousingKind::RentSubsidy {
                        return Err(StoreError::Invalid(
                            "这是公租房实物配租申请，不能发放租赁补贴；请按配租作决定".into(),
                        ));
                    }
                    sqlx::query(
                        "UPDATE housing_applications SET subsidy_fen = $1, from_month = $2, \
                         to_month = $3 WHERE id = $4",
                    )
                    .bind(monthly.fen())
                    .bind(from.to_string())
                    .bind(to.to_string())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    (
                        HousingState::Subsidised,
                        format!("租赁补贴{monthly}/月，{from}至{to}"),
                    )
                }
                HousingDecision::Refuse { reason } | HousingDecision::Withdraw { reason } => {
                    sqlx::query("UPDATE housing_applications SET reason = $1 WHERE id = $2")
                        .bind(common::clip(reason))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    let state = if withdrawal {
                        HousingState::Withdrawn
                    } else {
                        HousingState::Refused
                    };
                    (state, state.label().to_owned())
                }
            };
            sqlx::query(
                "UPDATE housing_applications SET state = $1, decided_by = $2, decided_at = $3 \
                 WHERE id = $4",
            )
            .bind(state.code())
            .bind(actor.user_id)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Update,
                &format!("household:{}", current.household.0),
                &format!("住房保障申请{id}：{words}（依据 2.6）"),
            )
            .await?;
            let row = select(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            row.into_application()
        }
    }
}

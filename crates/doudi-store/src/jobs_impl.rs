// Employment help for both backends (see `jobs.rs`): included into `sqlite.rs` and
// `postgres.rs` after `shared_impl.rs`, whose helpers it uses through `super::*`.

mod jobs_sql {
    use super::*;

    use crate::jobs::{
        EmploymentHelp, NewOpening, NewReferral, NewTraining, Opening, Referral, ReferralFilter,
        Training, may_read_jobs, may_record_openings, may_refer,
    };
    use doudi_core::jobs::{OpeningKind, ReferralState};
    use doudi_core::{Employment, PersonName};

    /// The columns of an opening row, with its referral counts and who recorded it.
    const OPENING_COLUMNS: &str = "o.id AS id, o.employer AS employer, o.title AS title, \
         o.kind AS kind, o.township AS township, o.community AS community, \
         o.hours_per_week AS hours_per_week, o.pay_fen AS pay_fen, o.places AS places, \
         o.skills AS skills, o.partial_ok AS partial_ok, o.disability_ok AS disability_ok, \
         o.is_open AS is_open, u.display_name AS created_by, o.created_at AS created_at, \
         (SELECT COUNT(*) FROM job_referrals r WHERE r.opening_id = o.id) AS referred, \
         (SELECT COUNT(*) FROM job_referrals r WHERE r.opening_id = o.id AND r.state = 'hired') \
         AS hired FROM job_openings o LEFT JOIN users u ON u.id = o.created_by";

    #[derive(sqlx::FromRow)]
    struct OpeningRow {
        id: i64,
        employer: String,
        title: String,
        kind: String,
        township: String,
        community: Option<String>,
        hours_per_week: i64,
        pay_fen: i64,
        places: i64,
        skills: String,
        partial_ok: bool,
        disability_ok: bool,
        is_open: bool,
        created_by: Option<String>,
        created_at: DateTime<Utc>,
        referred: i64,
        hired: i64,
    }

    impl OpeningRow {
        fn into_opening(self) -> Result<Opening, StoreError> {
            let bad = |column: &str| common::corrupt("job_openings", column, self.id);
            Ok(Opening {
                id: self.id,
                fields: NewOpening {
                    employer: self.employer,
                    title: self.title,
                    kind: OpeningKind::parse(&self.kind).map_err(|_| bad("kind"))?,
                    township: self.township,
                    community: self.community,
                    hours_per_week: u32::try_from(self.hours_per_week)
                        .map_err(|_| bad("hours_per_week"))?,
                    pay: Money::from_fen(self.pay_fen),
                    places: u32::try_from(self.places).map_err(|_| bad("places"))?,
                    skills: self.skills,
                    partial_ok: self.partial_ok,
                    disability_ok: self.disability_ok,
                },
                open: self.is_open,
                referred: self.referred,
                hired: self.hired,
                created_by: self.created_by.unwrap_or_else(|| "（已删除的用户）".into()),
                created_at: self.created_at,
            })
        }
    }

    /// The columns of a referral row, with its opening, member and household.
    const REFERRAL_COLUMNS: &str = "r.id AS id, r.opening_id AS opening_id, \
         o.employer AS employer, o.title AS title, o.kind AS kind, r.person_id AS person_id, \
         p.name AS name, r.household_id AS household_id, h.number AS number, \
         r.community AS community, r.state AS state, r.note AS note, \
         u.display_name AS referred_by, r.referred_on AS referred_on \
         FROM job_referrals r JOIN job_openings o ON o.id = r.opening_id \
         JOIN households h ON h.id = r.household_id \
         LEFT JOIN persons p ON p.id = r.person_id LEFT JOIN users u ON u.id = r.referred_by";

    #[derive(sqlx::FromRow)]
    struct ReferralRow {
        id: i64,
        opening_id: i64,
        employer: String,
        title: String,
        kind: String,
        person_id: i64,
        name: Option<String>,
        household_id: i64,
        number: String,
        community: String,
        state: String,
        note: Option<String>,
        referred_by: Option<String>,
        referred_on: NaiveDate,
    }

    /// A name as lists show it: masked; a member since removed is said so.
    fn masked(name: Option<&str>) -> String {
        name.and_then(|n| PersonName::parse(n).ok())
            .map_or_else(|| "（已移出的成员）".into(), |n| n.masked())
    }

    impl ReferralRow {
        fn into_referral(self) -> Result<Referral, StoreError> {
            let bad = |column: &str| common::corrupt("job_referrals", column, self.id);
            Ok(Referral {
                id: self.id,
                opening: self.opening_id,
                opening_title: format!("{}·{}", self.employer, self.title),
                opening_kind: OpeningKind::parse(&self.kind).map_err(|_| bad("kind"))?,
                person: PersonId(self.person_id),
                person_name: masked(self.name.as_deref()),
                household: HouseholdId(self.household_id),
                household_number: self.number,
                community: self.community,
                state: ReferralState::parse(&self.state).map_err(|_| bad("state"))?,
                note: self.note,
                referred_by: self.referred_by.unwrap_or_else(|| "（已删除的用户）".into()),
                referred_on: self.referred_on,
            })
        }
    }

    const TRAINING_COLUMNS: &str = "t.id AS id, t.person_id AS person_id, p.name AS name, \
         t.household_id AS household_id, h.number AS number, t.course AS course, \
         t.provider AS provider, t.started_on AS started_on, t.ended_on AS ended_on, \
         t.completed AS completed FROM job_training t \
         JOIN households h ON h.id = t.household_id LEFT JOIN persons p ON p.id = t.person_id";

    #[derive(sqlx::FromRow)]
    struct TrainingRow {
        id: i64,
        person_id: i64,
        name: Option<String>,
        household_id: i64,
        number: String,
        course: String,
        provider: String,
        started_on: NaiveDate,
        ended_on: Option<NaiveDate>,
        completed: bool,
    }

    impl TrainingRow {
        fn into_training(self) -> Training {
            Training {
                id: self.id,
                fields: NewTraining {
                    person: PersonId(self.person_id),
                    course: self.course,
                    provider: self.provider,
                    started_on: self.started_on,
                    ended_on: self.ended_on,
                    completed: self.completed,
                },
                person_name: masked(self.name.as_deref()),
                household: HouseholdId(self.household_id),
                household_number: self.number,
            }
        }
    }

    async fn select_opening(conn: &mut Conn, id: i64) -> Result<Option<OpeningRow>, sqlx::Error> {
        sqlx::query_as(&format!("SELECT {OPENING_COLUMNS} WHERE o.id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
    }

    async fn select_referral(
        conn: &mut Conn,
        id: i64,
    ) -> Result<Option<ReferralRow>, sqlx::Error> {
        sqlx::query_as(&format!("SELECT {REFERRAL_COLUMNS} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
    }

    /// The member and their household's community, if the member exists, the household lies in
    /// the actor's scope and (for the human-resources officer) the member has a capacity to
    /// work; otherwise not found.
    async fn member_in_scope(
        conn: &mut Conn,
        actor: &Actor,
        person: PersonId,
    ) -> Result<(i64, String, String), StoreError> {
        let row: Option<(i64, String, String, String)> = sqlx::query_as(
            "SELECT p.household_id, h.community, p.work_capacity, p.name FROM persons p \
             JOIN households h ON h.id = p.household_id WHERE p.id = $1",
        )
        .bind(person.0)
        .fetch_optional(&mut *conn)
        .await?;
        match row {
            Some((household, community, capacity, name))
                if covers(actor, &community)
                    && (actor.role != Role::DepartmentOfficer
                        || capacity != WorkCapacity::None.code()) =>
            {
                Ok((household, community, name))
            }
            _ => Err(StoreError::NotFound),
        }
    }

    /// Checks an opening's fields (the app's forms check them first, naming the field).
    fn check_opening(o: &NewOpening) -> Result<(), StoreError> {
        let invalid = |m: &str| Err(StoreError::Invalid(m.into()));
        if o.employer.trim().is_empty() {
            return invalid("请填写用人单位");
        }
        if o.title.trim().is_empty() {
            return invalid("请填写岗位名称");
        }
        if !(1..=84).contains(&o.hours_per_week) {
            return invalid("每周工时应为1至84小时");
        }
        if o.places == 0 {
            return invalid("招用人数至少为1");
        }
        if o.pay.is_negative() || o.pay > Money::MAX_INPUT {
            return invalid("月薪应为不超过10亿元的非负金额");
        }
        if o
            .community
            .as_deref()
            .is_some_and(|c| !c.starts_with(o.township.as_str()))
        {
            return invalid("岗位所在社区不属于所填乡镇（街道）");
        }
        Ok(())
    }

    #[async_trait]
    impl EmploymentHelp for Backend {
        async fn add_opening(
            &self,
            actor: &Actor,
            opening: &NewOpening,
        ) -> Result<Opening, StoreError> {
            if !may_record_openings(actor) {
                return Err(StoreError::Forbidden);
            }
            check_opening(opening)?;
            let mut tx = self.begin_write().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO job_openings (employer, title, kind, township, community, \
                 hours_per_week, pay_fen, places, skills, partial_ok, disability_ok, is_open, \
                 created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
            )
            .bind(common::clip(&opening.employer))
            .bind(common::clip(&opening.title))
            .bind(opening.kind.code())
            .bind(&opening.township)
            .bind(opening.community.as_deref())
            .bind(i64::from(opening.hours_per_week))
            .bind(opening.pay.fen())
            .bind(i64::from(opening.places))
            .bind(common::clip(&opening.skills))
            .bind(opening.partial_ok)
            .bind(opening.disability_ok)
            .bind(true)
            .bind(actor.user_id)
            .bind(common::now())
            .fetch_one(&mut *tx)
            .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Create,
                &format!("job_opening:{id}"),
                &format!(
                    "登记{}：{}·{}（依据 2.7）",
                    opening.kind.label(),
                    common::clip(&opening.employer),
                    common::clip(&opening.title)
                ),
            )
            .await?;
            let row = select_opening(&mut tx, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            row.into_opening()
        }

        async fn set_opening_open(
            &self,
            actor: &Actor,
            id: i64,
            open: bool,
        ) -> Result<Opening, StoreError> {
            if !may_record_openings(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut tx = self.begin_write().await?;
            let changed = sqlx::query("UPDATE job_openings SET is_open = $1 WHERE id = $2")
                .bind(open)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            append_audit(
                &mut tx,
                actor,
                AuditAction::Update,
                &format!("job_opening:{id}"),
                if open { "重新开放岗位" } else { "关闭岗位" },
            )
            .await?;
            let row = select_opening(&mut tx, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            row.into_opening()
        }

        async fn openings(
            &self,
            actor: &Actor,
            open_only: bool,
        ) -> Result<Vec<Opening>, StoreError> {
            if !may_read_jobs(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut qb: QueryBuilder<'_, Db> =
                QueryBuilder::new(format!("SELECT {OPENING_COLUMNS} WHERE 1 = 1"));
            if open_only {
                qb.push(" AND o.is_open = ").push_bind(true);
            }
            qb.push(" ORDER BY o.is_open DESC, o.id DESC LIMIT 5000");
            let rows: Vec<OpeningRow> = qb.build_query_as().fetch_all(&self.pool).await?;
            rows.into_iter().map(OpeningRow::into_opening).collect()
        }

        async fn opening(&self, actor: &Actor, id: i64) -> Result<Opening, StoreError> {
            if !may_read_jobs(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut conn = self.pool.acquire().await?;
            select_opening(&mut conn, id)
                .await?
                .ok_or(StoreError::NotFound)?
                .into_opening()
        }

        async fn refer(
            &self,
            actor: &Actor,
            referral: &NewReferral,
        ) -> Result<Referral, StoreError> {
            if !may_refer(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut tx = self.begin_write().await?;
            let (household, community, _) =
                member_in_scope(&mut tx, actor, referral.person).await?;
            let opening = select_opening(&mut tx, referral.opening)
                .await?
                .ok_or(StoreError::NotFound)?;
            if !opening.is_open {
                return Err(StoreError::Invalid("该岗位已关闭，不能再推荐".into()));
            }
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO job_referrals (opening_id, person_id, household_id, community, \
                 state, referred_by, referred_on) VALUES ($1, $2, $3, $4, 'referred', $5, $6) \
                 RETURNING id",
            )
            .bind(referral.opening)
            .bind(referral.person.0)
            .bind(household)
            .bind(&community)
            .bind(actor.user_id)
            .bind(referral.referred_on)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match common::unique_violation(&e) {
                Some(_) => StoreError::Duplicate("该成员已推荐过这个岗位，不能重复推荐".into()),
                None => StoreError::Database(e),
            })?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Create,
                &format!("household:{household}"),
                &format!(
                    "推荐成员（person:{}）到岗位{}（依据 2.7）",
                    referral.person.0, referral.opening
                ),
            )
            .await?;
            let row = select_referral(&mut tx, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            row.into_referral()
        }

        async fn referral_outcome(
            &self,
            actor: &Actor,
            id: i64,
            state: ReferralState,
            note: &str,
        ) -> Result<Referral, StoreError> {
            if !may_refer(actor) {
                return Err(StoreError::Forbidden);
            }
            let note = common::clip(note);
            match state {
                ReferralState::Referred => {
                    return Err(StoreError::Invalid("请选择推荐结果".into()));
                }
                ReferralState::NotHired if note.is_empty() => {
                    return Err(StoreError::Invalid("未录用须写明原因".into()));
                }
                _ => {}
            }
            let now = common::now();
            let keys = self.keys();
            let mut tx = self.begin_write().await?;
            let current = match select_referral(&mut tx, id).await? {
                Some(r) if covers(actor, &r.community) => r.into_referral()?,
                _ => return Err(StoreError::NotFound),
            };
            if current.state != ReferralState::Referred {
                return Err(StoreError::Invalid(format!(
                    "该推荐已有结果（{}），不能再改",
                    current.state.label()
                )));
            }
            if state == ReferralState::Hired {
                // As an edit of the member would: the household's version moves on, with a
                // history row, in this transaction.
                let (version,): (i64,) =
                    sqlx::query_as("SELECT version FROM households WHERE id = $1")
                        .bind(current.household.0)
                        .fetch_one(&mut *tx)
                        .await?;
                let row = lock_for_edit(&mut tx, actor, current.household.0, version, now).await?;
                let old = member_of(&mut tx, &keys, row.id, current.person).await?;
                let employment = match current.opening_kind {
                    OpeningKind::Job => Employment::Employed,
                    OpeningKind::PublicWelfare => Employment::PublicWelfarePost,
                };
                sqlx::query("UPDATE persons SET employment = $1 WHERE id = $2")
                    .bind(employment.code())
                    .bind(current.person.0)
                    .execute(&mut *tx)
                    .await?;
                if old.employment != employment {
                    record(
                        &mut tx,
                        actor,
                        now,
                        row.id,
                        vec![common::Change {
                            action: common::CHANGED,
                            subject: common::member_subject(&old),
                            field: Employment::WHAT.to_owned(),
                            old: old.employment.label().to_owned(),
                            new: employment.label().to_owned(),
                        }],
                    )
                    .await?;
                }
            }
            sqlx::query(
                "UPDATE job_referrals SET state = $1, note = $2, decided_by = $3, \
                 decided_at = $4 WHERE id = $5",
            )
            .bind(state.code())
            .bind((!note.is_empty()).then_some(note.as_str()))
            .bind(actor.user_id)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if state == ReferralState::Hired {
                // Every place taken: the opening closes itself.
                sqlx::query(
                    "UPDATE job_openings SET is_open = $1 WHERE id = $2 AND places <= \
                     (SELECT COUNT(*) FROM job_referrals r WHERE r.opening_id = $2 \
                     AND r.state = 'hired')",
                )
                .bind(false)
                .bind(current.opening)
                .execute(&mut *tx)
                .await?;
            }
            append_audit(
                &mut tx,
                actor,
                AuditAction::Update,
                &format!("household:{}", current.household.0),
                &format!("岗位推荐{id}：{}（依据 2.7）", state.label()),
            )
            .await?;
            let row = select_referral(&mut tx, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            row.into_referral()
        }

        async fn referrals(
            &self,
            actor: &Actor,
            filter: &ReferralFilter,
        ) -> Result<Vec<Referral>, StoreError> {
            if !may_read_jobs(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut qb: QueryBuilder<'_, Db> =
                QueryBuilder::new(format!("SELECT {REFERRAL_COLUMNS} WHERE 1 = 1"));
            push_community_scope(&mut qb, "r.community", actor);
            if let Some(h) = filter.household {
                qb.push(" AND r.household_id = ").push_bind(h.0);
            }
            if let Some(o) = filter.opening {
                qb.push(" AND r.opening_id = ").push_bind(o);
            }
            if let Some(s) = filter.state {
                qb.push(" AND r.state = ").push_bind(s.code());
            }
            qb.push(" ORDER BY r.id DESC LIMIT 5000");
            let rows: Vec<ReferralRow> = qb.build_query_as().fetch_all(&self.pool).await?;
            self.audit_alone(
                actor,
                AuditAction::List,
                "job_referrals",
                &format!("查看岗位推荐：{}条", rows.len()),
            )
            .await?;
            rows.into_iter().map(ReferralRow::into_referral).collect()
        }

        async fn record_training(
            &self,
            actor: &Actor,
            training: &NewTraining,
        ) -> Result<Training, StoreError> {
            if !may_refer(actor) {
                return Err(StoreError::Forbidden);
            }
            if training.course.trim().is_empty() {
                return Err(StoreError::Invalid("请填写培训项目".into()));
            }
            if training.provider.trim().is_empty() {
                return Err(StoreError::Invalid("请填写培训机构".into()));
            }
            if training.ended_on.is_some_and(|e| e < training.started_on) {
                return Err(StoreError::Invalid("结束日期早于开始日期".into()));
            }
            let mut tx = self.begin_write().await?;
            let (household, community, _) =
                member_in_scope(&mut tx, actor, training.person).await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO job_training (person_id, household_id, community, course, provider, \
                 started_on, ended_on, completed, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(training.person.0)
            .bind(household)
            .bind(&community)
            .bind(common::clip(&training.course))
            .bind(common::clip(&training.provider))
            .bind(training.started_on)
            .bind(training.ended_on)
            .bind(training.completed)
            .bind(actor.user_id)
            .bind(common::now())
            .fetch_one(&mut *tx)
            .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Create,
                &format!("household:{household}"),
                &format!(
                    "登记成员（person:{}）培训：{}（依据 2.7）",
                    training.person.0,
                    common::clip(&training.course)
                ),
            )
            .await?;
            let row: TrainingRow =
                sqlx::query_as(&format!("SELECT {TRAINING_COLUMNS} WHERE t.id = $1"))
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            tx.commit().await?;
            Ok(row.into_training())
        }

        async fn trainings(
            &self,
            actor: &Actor,
            household: Option<HouseholdId>,
        ) -> Result<Vec<Training>, StoreError> {
            if !may_read_jobs(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut qb: QueryBuilder<'_, Db> =
                QueryBuilder::new(format!("SELECT {TRAINING_COLUMNS} WHERE 1 = 1"));
            push_community_scope(&mut qb, "t.community", actor);
            if let Some(h) = household {
                qb.push(" AND t.household_id = ").push_bind(h.0);
            }
            qb.push(" ORDER BY t.id DESC LIMIT 5000");
            let rows: Vec<TrainingRow> = qb.build_query_as().fetch_all(&self.pool).await?;
            self.audit_alone(
                actor,
                AuditAction::List,
                "job_training",
                &format!("查看培训记录：{}条", rows.len()),
            )
            .await?;
            Ok(rows.into_iter().map(TrainingRow::into_training).collect())
        }
    }
}

// The social-forces platform for both backends (see `social.rs`): included into `sqlite.rs` and
// `postgres.rs` after `shared_impl.rs`, whose helpers it uses through `super::*`.

mod social_sql {
    use super::*;

    use crate::social::{
        Match, NewMatch, NewOffer, NewParticipant, Offer, Participant, PublicNeed, Social,
        may_acknowledge, may_confirm_matches, may_read_social, may_verify_participants,
    };
    use doudi_core::Need;
    use doudi_core::social::{
        MatchState, MemberFacts, OfferKind, ParticipantKind, SizeBracket, Urgency, serves,
        size_bracket, urgency,
    };

    const PARTICIPANT_COLUMNS: &str = "p.id AS id, p.user_id AS user_id, p.kind AS kind, \
         p.name AS name, p.contact AS contact, p.credit_code AS credit_code, \
         p.verified AS verified, p.created_at AS created_at, \
         (SELECT COUNT(*) FROM social_offers o WHERE o.participant_id = p.id) AS offers, \
         (SELECT CAST(COALESCE(SUM(o.amount_fen), 0) AS BIGINT) FROM social_offers o \
          WHERE o.participant_id = p.id AND o.kind = 'money') AS pledged, \
         (SELECT CAST(COALESCE(SUM(m.amount_fen), 0) AS BIGINT) FROM social_matches m \
          JOIN social_offers o ON o.id = m.offer_id \
          WHERE o.participant_id = p.id AND m.state IN ('delivered', 'acknowledged')) AS delivered, \
         (SELECT CAST(COALESCE(SUM(m.amount_fen), 0) AS BIGINT) FROM social_matches m \
          JOIN social_offers o ON o.id = m.offer_id \
          WHERE o.participant_id = p.id AND m.state = 'acknowledged') AS acknowledged \
         FROM social_participants p";

    #[derive(sqlx::FromRow)]
    struct ParticipantRow {
        id: i64,
        user_id: i64,
        kind: String,
        name: String,
        contact: String,
        credit_code: Option<String>,
        verified: bool,
        created_at: DateTime<Utc>,
        offers: i64,
        pledged: i64,
        delivered: i64,
        acknowledged: i64,
    }

    impl ParticipantRow {
        fn into_participant(self) -> Result<Participant, StoreError> {
            Ok(Participant {
                id: self.id,
                user_id: self.user_id,
                kind: ParticipantKind::parse(&self.kind)
                    .map_err(|_| common::corrupt("social_participants", "kind", self.id))?,
                name: self.name,
                contact: self.contact,
                credit_code: self.credit_code,
                verified: self.verified,
                created_at: self.created_at,
                offers: self.offers,
                pledged: Money::from_fen(self.pledged),
                delivered: Money::from_fen(self.delivered),
                acknowledged: Money::from_fen(self.acknowledged),
            })
        }
    }

    const OFFER_COLUMNS: &str = "o.id AS id, o.participant_id AS participant_id, \
         p.name AS participant_name, o.kind AS kind, o.description AS description, \
         o.township AS township, o.capacity AS capacity, o.amount_fen AS amount_fen, \
         o.valid_until AS valid_until, o.is_open AS is_open, \
         (SELECT COUNT(*) FROM social_matches m WHERE m.offer_id = o.id) AS matched \
         FROM social_offers o JOIN social_participants p ON p.id = o.participant_id";

    #[derive(sqlx::FromRow)]
    struct OfferRow {
        id: i64,
        participant_id: i64,
        participant_name: String,
        kind: String,
        description: String,
        township: Option<String>,
        capacity: i64,
        amount_fen: i64,
        valid_until: NaiveDate,
        is_open: bool,
        matched: i64,
    }

    impl OfferRow {
        fn into_offer(self) -> Result<Offer, StoreError> {
            let bad = |column: &str| common::corrupt("social_offers", column, self.id);
            Ok(Offer {
                id: self.id,
                participant: self.participant_id,
                participant_name: self.participant_name,
                fields: NewOffer {
                    kind: OfferKind::parse(&self.kind).map_err(|_| bad("kind"))?,
                    description: self.description,
                    township: self.township,
                    capacity: u32::try_from(self.capacity).map_err(|_| bad("capacity"))?,
                    amount: Money::from_fen(self.amount_fen),
                    valid_until: self.valid_until,
                },
                open: self.is_open,
                matched: self.matched,
            })
        }
    }

    /// The published columns of a need: never the household, the community or the row id.
    const NEED_COLUMNS: &str = "n.token AS token, n.need AS need, n.township AS township, \
         n.size_bracket AS size_bracket, n.urgency AS urgency, n.published_at AS published_at";

    #[derive(sqlx::FromRow)]
    struct NeedRow {
        token: String,
        need: String,
        township: String,
        size_bracket: String,
        urgency: String,
        published_at: DateTime<Utc>,
    }

    impl NeedRow {
        fn into_need(self) -> Result<PublicNeed, StoreError> {
            let bad = |column: &str| common::corrupt("social_needs", column, &self.token);
            Ok(PublicNeed {
                kind: Need::parse(&self.need).map_err(|_| bad("need"))?,
                township: self.township.clone(),
                size: SizeBracket::parse(&self.size_bracket).map_err(|_| bad("size_bracket"))?,
                urgency: Urgency::parse(&self.urgency).map_err(|_| bad("urgency"))?,
                published_on: self.published_at.date_naive(),
                token: self.token,
            })
        }
    }

    fn match_columns() -> String {
        format!(
            "m.id AS id, {NEED_COLUMNS}, m.offer_id AS offer_id, o.kind AS offer_kind, \
             o.description AS description, p.id AS participant_id, p.name AS participant_name, \
             m.amount_fen AS amount_fen, m.state AS state, m.reasons AS reasons, \
             m.delivery_note AS delivery_note \
             FROM social_matches m JOIN social_needs n ON n.id = m.need_id \
             JOIN social_offers o ON o.id = m.offer_id \
             JOIN social_participants p ON p.id = o.participant_id"
        )
    }

    #[derive(sqlx::FromRow)]
    struct MatchRow {
        id: i64,
        #[sqlx(flatten)]
        need: NeedRow,
        offer_id: i64,
        offer_kind: String,
        description: String,
        participant_id: i64,
        participant_name: String,
        amount_fen: i64,
        state: String,
        reasons: String,
        delivery_note: Option<String>,
    }

    impl MatchRow {
        fn into_match(self) -> Result<Match, StoreError> {
            let bad = |column: &str| common::corrupt("social_matches", column, self.id);
            Ok(Match {
                id: self.id,
                need: self.need.into_need()?,
                offer: self.offer_id,
                offer_kind: OfferKind::parse(&self.offer_kind).map_err(|_| bad("offer_kind"))?,
                offer_description: self.description,
                participant: self.participant_id,
                participant_name: self.participant_name,
                amount: Money::from_fen(self.amount_fen),
                state: MatchState::parse(&self.state).map_err(|_| bad("state"))?,
                reasons: self.reasons,
                delivery_note: self.delivery_note,
            })
        }
    }

    async fn select_participant_by(
        conn: &mut Conn,
        column: &str,
        value: i64,
    ) -> Result<Option<Participant>, StoreError> {
        let row: Option<ParticipantRow> =
            sqlx::query_as(&format!("SELECT {PARTICIPANT_COLUMNS} WHERE p.{column} = $1"))
                .bind(value)
                .fetch_optional(&mut *conn)
                .await?;
        row.map(ParticipantRow::into_participant).transpose()
    }

    async fn select_offer(conn: &mut Conn, id: i64) -> Result<Option<Offer>, StoreError> {
        let row: Option<OfferRow> =
            sqlx::query_as(&format!("SELECT {OFFER_COLUMNS} WHERE o.id = $1"))
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        row.map(OfferRow::into_offer).transpose()
    }

    async fn select_match(conn: &mut Conn, id: i64) -> Result<Match, StoreError> {
        let row: Option<MatchRow> =
            sqlx::query_as(&format!("SELECT {} WHERE m.id = $1", match_columns()))
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        row.ok_or(StoreError::NotFound)?.into_match()
    }

    /// The actor's own verified-or-not participant, or an error saying to register first.
    async fn own(conn: &mut Conn, actor: &Actor) -> Result<Participant, StoreError> {
        if actor.role != Role::SocialOrganisation {
            return Err(StoreError::Forbidden);
        }
        select_participant_by(conn, "user_id", actor.user_id)
            .await?
            .ok_or_else(|| StoreError::Invalid("请先登记参与主体信息".into()))
    }

    fn check_participant(p: &NewParticipant) -> Result<ParticipantKind, StoreError> {
        let invalid = |m: &str| Err(StoreError::Invalid(m.into()));
        let Some(kind) = p.kind else {
            return invalid("请选择参与主体类型");
        };
        if p.name.trim().is_empty() {
            return invalid("请填写名称");
        }
        if p.contact.trim().is_empty() {
            return invalid("请填写联系人及电话");
        }
        if let Some(code) = &p.credit_code
            && (code.len() != 18 || !code.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return invalid("统一社会信用代码应为18位字母或数字");
        }
        Ok(kind)
    }

    fn check_offer(o: &NewOffer, today: NaiveDate) -> Result<(), StoreError> {
        let invalid = |m: &str| Err(StoreError::Invalid(m.into()));
        if o.description.trim().is_empty() {
            return invalid("请填写资源说明");
        }
        if o.capacity == 0 || o.capacity > 100_000 {
            return invalid("可帮扶户数应为1至100000");
        }
        if o.amount.is_negative() || o.amount > Money::MAX_INPUT {
            return invalid("金额应为不超过10亿元的非负金额");
        }
        if o.kind == OfferKind::Money && o.amount == Money::ZERO {
            return invalid("资金类资源请填写捐赠金额");
        }
        if o.kind != OfferKind::Money && o.amount != Money::ZERO {
            return invalid("只有资金类资源填写金额");
        }
        if o.valid_until < today {
            return invalid("有效期不能早于今天");
        }
        if o
            .township
            .as_deref()
            .is_some_and(|t| t.len() != 9 || !t.bytes().all(|b| b.is_ascii_digit()))
        {
            return invalid("所在乡镇（街道）代码应为9位数字");
        }
        Ok(())
    }

    /// A fresh opaque need id: 12 random hex digits after "XQ".
    fn token() -> String {
        let mut bytes = [0_u8; 6];
        getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
        let mut out = String::from("XQ");
        for b in bytes {
            out.push_str(&format!("{b:02X}"));
        }
        out
    }

    /// The need behind a match, for the scope checks: (household id, community).
    async fn match_household(conn: &mut Conn, id: i64) -> Result<(i64, String), StoreError> {
        let row: Option<(i64, String)> = sqlx::query_as(
            "SELECT n.household_id, n.community FROM social_matches m \
             JOIN social_needs n ON n.id = m.need_id WHERE m.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        row.ok_or(StoreError::NotFound)
    }

    #[async_trait]
    impl Social for Backend {
        async fn register_participant(
            &self,
            actor: &Actor,
            participant: &NewParticipant,
        ) -> Result<Participant, StoreError> {
            if actor.role != Role::SocialOrganisation {
                return Err(StoreError::Forbidden);
            }
            let kind = check_participant(participant)?;
            let mut tx = self.begin_write().await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO social_participants (user_id, kind, name, contact, credit_code, \
                 verified, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(actor.user_id)
            .bind(kind.code())
            .bind(common::clip(&participant.name))
            .bind(common::clip(&participant.contact))
            .bind(participant.credit_code.as_deref())
            .bind(false)
            .bind(common::now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match common::unique_violation(&e) {
                Some(_) => StoreError::Duplicate("本账号已登记参与主体".into()),
                None => StoreError::Database(e),
            })?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Create,
                &format!("social_participant:{id}"),
                &format!("登记社会力量参与主体（{}，依据 3.2）", kind.label()),
            )
            .await?;
            let p = select_participant_by(&mut tx, "id", id)
                .await?
                .ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            Ok(p)
        }

        async fn verify_participant(
            &self,
            actor: &Actor,
            id: i64,
            verified: bool,
        ) -> Result<Participant, StoreError> {
            if !may_verify_participants(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut tx = self.begin_write().await?;
            let changed = sqlx::query(
                "UPDATE social_participants SET verified = $1, verified_by = $2, \
                 verified_at = $3 WHERE id = $4",
            )
            .bind(verified)
            .bind(actor.user_id)
            .bind(common::now())
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
                &format!("social_participant:{id}"),
                if verified {
                    "核实社会力量参与主体（依据 3.2）"
                } else {
                    "撤销参与主体核实"
                },
            )
            .await?;
            let p = select_participant_by(&mut tx, "id", id)
                .await?
                .ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            Ok(p)
        }

        async fn participants(&self, actor: &Actor) -> Result<Vec<Participant>, StoreError> {
            if !may_read_social(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut qb: QueryBuilder<'_, Db> =
                QueryBuilder::new(format!("SELECT {PARTICIPANT_COLUMNS} WHERE 1 = 1"));
            if actor.role == Role::SocialOrganisation {
                qb.push(" AND p.user_id = ").push_bind(actor.user_id);
            }
            qb.push(" ORDER BY p.verified, p.id DESC LIMIT 5000");
            let rows: Vec<ParticipantRow> = qb.build_query_as().fetch_all(&self.pool).await?;
            rows.into_iter()
                .map(ParticipantRow::into_participant)
                .collect()
        }

        async fn own_participant(&self, actor: &Actor) -> Result<Option<Participant>, StoreError> {
            if actor.role != Role::SocialOrganisation {
                return Ok(None);
            }
            let mut conn = self.pool.acquire().await?;
            select_participant_by(&mut conn, "user_id", actor.user_id).await
        }

        async fn add_offer(&self, actor: &Actor, offer: &NewOffer) -> Result<Offer, StoreError> {
            let mut tx = self.begin_write().await?;
            let me = own(&mut tx, actor).await?;
            if !me.verified {
                return Err(StoreError::Invalid(
                    "参与主体尚未经县民政局核实，暂不能发布帮扶资源".into(),
                ));
            }
            check_offer(offer, common::now().date_naive())?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO social_offers (participant_id, kind, description, township, \
                 capacity, amount_fen, valid_until, is_open, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(me.id)
            .bind(offer.kind.code())
            .bind(common::clip(&offer.description))
            .bind(offer.township.as_deref())
            .bind(i64::from(offer.capacity))
            .bind(offer.amount.fen())
            .bind(offer.valid_until)
            .bind(true)
            .bind(common::now())
            .fetch_one(&mut *tx)
            .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Create,
                &format!("social_offer:{id}"),
                &format!("发布帮扶资源（{}，依据 3.1）", offer.kind.label()),
            )
            .await?;
            let o = select_offer(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            Ok(o)
        }

        async fn update_offer(
            &self,
            actor: &Actor,
            id: i64,
            offer: &NewOffer,
        ) -> Result<Offer, StoreError> {
            let mut tx = self.begin_write().await?;
            let me = own(&mut tx, actor).await?;
            let current = select_offer(&mut tx, id)
                .await?
                .filter(|o| o.participant == me.id)
                .ok_or(StoreError::NotFound)?;
            check_offer(offer, common::now().date_naive())?;
            if i64::from(offer.capacity) < current.matched {
                return Err(StoreError::Invalid(
                    "可帮扶户数不能少于已对接的户数".into(),
                ));
            }
            sqlx::query(
                "UPDATE social_offers SET kind = $1, description = $2, township = $3, \
                 capacity = $4, amount_fen = $5, valid_until = $6 WHERE id = $7",
            )
            .bind(offer.kind.code())
            .bind(common::clip(&offer.description))
            .bind(offer.township.as_deref())
            .bind(i64::from(offer.capacity))
            .bind(offer.amount.fen())
            .bind(offer.valid_until)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Update,
                &format!("social_offer:{id}"),
                "修改帮扶资源",
            )
            .await?;
            let o = select_offer(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            Ok(o)
        }

        async fn set_offer_open(
            &self,
            actor: &Actor,
            id: i64,
            open: bool,
        ) -> Result<Offer, StoreError> {
            let mut tx = self.begin_write().await?;
            let me = own(&mut tx, actor).await?;
            select_offer(&mut tx, id)
                .await?
                .filter(|o| o.participant == me.id)
                .ok_or(StoreError::NotFound)?;
            sqlx::query("UPDATE social_offers SET is_open = $1 WHERE id = $2")
                .bind(open)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Update,
                &format!("social_offer:{id}"),
                if open {
                    "重新开放帮扶资源"
                } else {
                    "关闭帮扶资源"
                },
            )
            .await?;
            let o = select_offer(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            Ok(o)
        }

        async fn offers(&self, actor: &Actor) -> Result<Vec<Offer>, StoreError> {
            if !may_read_social(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut qb: QueryBuilder<'_, Db> =
                QueryBuilder::new(format!("SELECT {OFFER_COLUMNS} WHERE 1 = 1"));
            if actor.role == Role::SocialOrganisation {
                qb.push(" AND p.user_id = ").push_bind(actor.user_id);
            } else {
                qb.push(" AND p.verified = ").push_bind(true);
            }
            qb.push(" ORDER BY o.is_open DESC, o.id LIMIT 20000");
            let rows: Vec<OfferRow> = qb.build_query_as().fetch_all(&self.pool).await?;
            rows.into_iter().map(OfferRow::into_offer).collect()
        }

        async fn publish_needs(&self, actor: &Actor) -> Result<u64, StoreError> {
            if !may_confirm_matches(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut tx = self.begin_write().await?;
            let mut q: QueryBuilder<'_, Db> = QueryBuilder::new(
                "SELECT h.id, h.township, h.community, h.category, h.housing, h.needs \
                 FROM households h WHERE h.exited_on IS NULL",
            );
            push_household_scope(&mut q, actor);
            let households: Vec<(i64, String, String, String, String, String)> =
                q.build_query_as().fetch_all(&mut *tx).await?;
            let mut q: QueryBuilder<'_, Db> = QueryBuilder::new(
                "SELECT p.household_id, p.disability_grade, p.serious_illness FROM persons p \
                 JOIN households h ON h.id = p.household_id WHERE h.exited_on IS NULL",
            );
            push_household_scope(&mut q, actor);
            let members: Vec<(i64, Option<String>, bool)> =
                q.build_query_as().fetch_all(&mut *tx).await?;
            let mut facts: HashMap<i64, Vec<MemberFacts>> = HashMap::new();
            for (household, grade, ill) in members {
                facts.entry(household).or_default().push(MemberFacts {
                    disability: grade.as_deref().and_then(|g| {
                        doudi_core::DisabilityGrade::parse(g).ok()
                    }),
                    serious_illness: ill,
                });
            }
            let mut q: QueryBuilder<'_, Db> = QueryBuilder::new(
                "SELECT id, household_id, need, is_open FROM social_needs WHERE 1 = 1",
            );
            push_community_scope(&mut q, "community", actor);
            let existing: Vec<(i64, i64, String, bool)> =
                q.build_query_as().fetch_all(&mut *tx).await?;
            let mut kept: HashMap<(i64, String), (i64, bool)> = existing
                .into_iter()
                .map(|(id, h, n, open)| ((h, n), (id, open)))
                .collect();
            let now = common::now();
            let mut published = 0_u64;
            for (household, township, community, category, housing, needs) in households {
                let members = facts.remove(&household).unwrap_or_default();
                let category = Category::parse(&category)
                    .map_err(|_| common::corrupt("households", "category", household))?;
                let housing = doudi_core::Housing::parse(&housing)
                    .map_err(|_| common::corrupt("households", "housing", household))?;
                let level = urgency(category, housing, &members);
                let size = size_bracket(members.len());
                for need in needs.split(',').filter(|n| !n.is_empty()) {
                    match kept.remove(&(household, need.to_owned())) {
                        Some((id, open)) => {
                            if open {
                                sqlx::query(
                                    "UPDATE social_needs SET urgency = $1, size_bracket = $2 \
                                     WHERE id = $3",
                                )
                                .bind(level.code())
                                .bind(size.code())
                                .bind(id)
                                .execute(&mut *tx)
                                .await?;
                            }
                        }
                        None => {
                            sqlx::query(
                                "INSERT INTO social_needs (token, household_id, need, township, \
                                 community, size_bracket, urgency, is_open, published_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                            )
                            .bind(token())
                            .bind(household)
                            .bind(need)
                            .bind(&township)
                            .bind(&community)
                            .bind(size.code())
                            .bind(level.code())
                            .bind(true)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                            published += 1;
                        }
                    }
                }
            }
            // Needs no longer raised (or of households that left) and not matched: withdrawn.
            let mut withdrawn = 0_u64;
            for (_, (id, open)) in kept {
                if open {
                    withdrawn += sqlx::query(
                        "DELETE FROM social_needs WHERE id = $1 AND NOT EXISTS \
                         (SELECT 1 FROM social_matches m WHERE m.need_id = social_needs.id)",
                    )
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
            }
            append_audit(
                &mut tx,
                actor,
                AuditAction::Update,
                "social_needs",
                &format!(
                    "发布脱敏帮扶需求：新增{published}条，撤回{withdrawn}条（依据 3.1）"
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(published)
        }

        async fn open_needs(&self, actor: &Actor) -> Result<Vec<PublicNeed>, StoreError> {
            if !may_read_social(actor) {
                return Err(StoreError::Forbidden);
            }
            let rows: Vec<NeedRow> = sqlx::query_as(&format!(
                "SELECT {NEED_COLUMNS} FROM social_needs n WHERE n.is_open = $1 \
                 ORDER BY CASE n.urgency WHEN 'urgent' THEN 0 WHEN 'pressing' THEN 1 ELSE 2 END, \
                 n.token LIMIT 200000"
            ))
            .bind(true)
            .fetch_all(&self.pool)
            .await?;
            // Within an urgency, in token order: random, so that a household's several needs do
            // not sit together in publication order.
            rows.into_iter().map(NeedRow::into_need).collect()
        }

        async fn confirm_match(&self, actor: &Actor, m: &NewMatch) -> Result<Match, StoreError> {
            if !may_confirm_matches(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut tx = self.begin_write().await?;
            let need: Option<(i64, String, String, String, bool)> = sqlx::query_as(
                "SELECT id, need, township, community, is_open FROM social_needs \
                 WHERE token = $1",
            )
            .bind(&m.need)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((need_id, kind, township, community, open)) = need else {
                return Err(StoreError::NotFound);
            };
            if !covers(actor, &community) {
                return Err(StoreError::NotFound);
            }
            if !open {
                return Err(StoreError::Invalid("该需求已对接".into()));
            }
            let kind = Need::parse(&kind).map_err(|_| common::corrupt("social_needs", "need", need_id))?;
            let offer = select_offer(&mut tx, m.offer)
                .await?
                .ok_or(StoreError::NotFound)?;
            let verified: (bool,) =
                sqlx::query_as("SELECT verified FROM social_participants WHERE id = $1")
                    .bind(offer.participant)
                    .fetch_one(&mut *tx)
                    .await?;
            let invalid = |msg: &str| Err(StoreError::Invalid(msg.into()));
            if !verified.0 {
                return invalid("该资源的参与主体尚未核实");
            }
            if !offer.open || offer.fields.valid_until < common::now().date_naive() {
                return invalid("该资源已关闭或已过有效期");
            }
            if !serves(offer.fields.kind, kind) {
                return invalid("资源类型与需求类别不符");
            }
            if offer.fields.township.as_ref().is_some_and(|t| *t != township) {
                return invalid("资源不在该需求所在乡镇（街道）");
            }
            if offer.capacity_left() == 0 {
                return invalid("该资源已无剩余可帮扶户数");
            }
            let share = if offer.fields.kind == OfferKind::Money {
                offer.fields.amount.fen() / i64::from(offer.fields.capacity.max(1))
            } else {
                0
            };
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO social_matches (need_id, offer_id, amount_fen, state, reasons, \
                 confirmed_by, confirmed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(need_id)
            .bind(offer.id)
            .bind(share)
            .bind(MatchState::Confirmed.code())
            .bind(common::clip(&m.reasons))
            .bind(actor.user_id)
            .bind(common::now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match common::unique_violation(&e) {
                Some(_) => StoreError::Duplicate("该需求已对接".into()),
                None => StoreError::Database(e),
            })?;
            sqlx::query("UPDATE social_needs SET is_open = $1 WHERE id = $2")
                .bind(false)
                .bind(need_id)
                .execute(&mut *tx)
                .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Create,
                &format!("social_match:{id}"),
                &format!("确认对接：需求{}与资源{}（依据 3.1）", m.need, offer.id),
            )
            .await?;
            let out = select_match(&mut tx, id).await?;
            tx.commit().await?;
            Ok(out)
        }

        async fn matches(&self, actor: &Actor) -> Result<Vec<Match>, StoreError> {
            if !may_read_social(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut qb: QueryBuilder<'_, Db> =
                QueryBuilder::new(format!("SELECT {} WHERE 1 = 1", match_columns()));
            match actor.role {
                Role::SocialOrganisation => {
                    qb.push(" AND p.user_id = ").push_bind(actor.user_id);
                }
                Role::PairedCadre => {
                    qb.push(
                        " AND EXISTS (SELECT 1 FROM pairings pr WHERE pr.household_id = \
                         n.household_id AND pr.user_id = ",
                    )
                    .push_bind(actor.user_id)
                    .push(")");
                }
                _ => {
                    push_community_scope(&mut qb, "n.community", actor);
                }
            }
            qb.push(" ORDER BY m.id DESC LIMIT 20000");
            let rows: Vec<MatchRow> = qb.build_query_as().fetch_all(&self.pool).await?;
            rows.into_iter().map(MatchRow::into_match).collect()
        }

        async fn deliver_match(
            &self,
            actor: &Actor,
            id: i64,
            note: &str,
        ) -> Result<Match, StoreError> {
            let mut tx = self.begin_write().await?;
            let me = own(&mut tx, actor).await?;
            let current = select_match(&mut tx, id).await?;
            if current.participant != me.id {
                return Err(StoreError::NotFound);
            }
            if current.state != MatchState::Confirmed {
                return Err(StoreError::Invalid("该对接不在待交付状态".into()));
            }
            if note.trim().is_empty() {
                return Err(StoreError::Invalid("请填写交付情况".into()));
            }
            sqlx::query(
                "UPDATE social_matches SET state = $1, delivery_note = $2, delivered_at = $3 \
                 WHERE id = $4",
            )
            .bind(MatchState::Delivered.code())
            .bind(common::clip(note))
            .bind(common::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Update,
                &format!("social_match:{id}"),
                "登记交付（依据 3.1）",
            )
            .await?;
            let out = select_match(&mut tx, id).await?;
            tx.commit().await?;
            Ok(out)
        }

        async fn acknowledge_match(&self, actor: &Actor, id: i64) -> Result<Match, StoreError> {
            if !may_acknowledge(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut tx = self.begin_write().await?;
            let (household, community) = match_household(&mut tx, id).await?;
            let allowed = if actor.role == Role::PairedCadre {
                let paired: Option<(i64,)> = sqlx::query_as(
                    "SELECT household_id FROM pairings WHERE household_id = $1 AND user_id = $2",
                )
                .bind(household)
                .bind(actor.user_id)
                .fetch_optional(&mut *tx)
                .await?;
                paired.is_some()
            } else {
                covers(actor, &community)
            };
            if !allowed {
                return Err(StoreError::NotFound);
            }
            let current = select_match(&mut tx, id).await?;
            if current.state != MatchState::Delivered {
                return Err(StoreError::Invalid("该对接尚未登记交付".into()));
            }
            sqlx::query(
                "UPDATE social_matches SET state = $1, acknowledged_by = $2, \
                 acknowledged_at = $3 WHERE id = $4",
            )
            .bind(MatchState::Acknowledged.code())
            .bind(actor.user_id)
            .bind(common::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Update,
                &format!("household:{household}"),
                &format!("确认收到社会力量帮扶（对接{id}，依据 3.1）"),
            )
            .await?;
            let out = select_match(&mut tx, id).await?;
            tx.commit().await?;
            Ok(out)
        }
    }
}

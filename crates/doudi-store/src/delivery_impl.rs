// What departments deliver, for both backends (see `delivery.rs`): included into `sqlite.rs`
// and `postgres.rs` after `shared_impl.rs`, whose imports and helpers it uses.

use crate::delivery::{
    Delivery, DeliveryRecord, Enrolment, NewDelivery, NewStay, Patient, StayFilter, StayRecord,
    YearUsage, may_deliver_education, may_keep_health_services, may_read_education,
    may_read_stays, may_settle_stays,
};

/// The columns of a stay row, with its household and the recorder's name.
const STAY_COLUMNS: &str = "s.id AS id, s.household_id AS household_id, h.number AS number, \
     h.township AS township, s.person_id AS person_id, p.name AS name, s.hospital AS hospital, \
     s.level AS level, s.in_county AS in_county, s.admitted AS admitted, \
     s.discharged AS discharged, s.category AS category, s.special_disease AS special_disease, \
     s.treat_first AS treat_first, s.total_fen AS total_fen, \
     s.in_catalogue_fen AS in_catalogue_fen, s.basic_fen AS basic_fen, \
     s.critical_fen AS critical_fen, s.counted_fen AS counted_fen, \
     s.assistance_fen AS assistance_fen, s.self_pay_fen AS self_pay_fen, \
     s.explanation AS explanation, u.display_name AS recorded_by, s.recorded_at AS recorded_at, \
     s.cancelled_reason AS cancelled_reason \
     FROM inpatient_stays s JOIN households h ON h.id = s.household_id \
     LEFT JOIN persons p ON p.id = s.person_id \
     LEFT JOIN users u ON u.id = s.recorded_by";

#[derive(sqlx::FromRow)]
struct StayRow {
    id: i64,
    household_id: i64,
    number: String,
    township: String,
    person_id: i64,
    name: Option<String>,
    hospital: String,
    level: String,
    in_county: i64,
    admitted: NaiveDate,
    discharged: NaiveDate,
    category: String,
    special_disease: Option<String>,
    treat_first: i64,
    total_fen: i64,
    in_catalogue_fen: i64,
    basic_fen: i64,
    critical_fen: i64,
    counted_fen: i64,
    assistance_fen: i64,
    self_pay_fen: i64,
    explanation: String,
    recorded_by: Option<String>,
    recorded_at: DateTime<Utc>,
    cancelled_reason: Option<String>,
}

impl StayRow {
    fn into_stay(self) -> Result<StayRecord, StoreError> {
        let bad = |column: &str| common::corrupt("inpatient_stays", column, self.id);
        let name = match self.name.as_deref().map(doudi_core::PersonName::parse) {
            Some(Ok(n)) => n.masked(),
            // A member removed from the household since keeps the stay.
            Some(Err(_)) | None => "（已移出的成员）".into(),
        };
        Ok(StayRecord {
            id: self.id,
            household: HouseholdId(self.household_id),
            household_number: self.number,
            township: self.township,
            person: PersonId(self.person_id),
            name,
            hospital: self.hospital,
            level: self.level,
            in_county: self.in_county != 0,
            admitted: self.admitted,
            discharged: self.discharged,
            category: Category::parse(&self.category).map_err(|_| bad("category"))?,
            special_disease: self
                .special_disease
                .as_deref()
                .map(doudi_core::SpecialDisease::parse)
                .transpose()
                .map_err(|_| bad("special_disease"))?,
            treat_first: self.treat_first != 0,
            total_fen: self.total_fen,
            in_catalogue_fen: self.in_catalogue_fen,
            basic_fen: self.basic_fen,
            critical_fen: self.critical_fen,
            counted_fen: self.counted_fen,
            assistance_fen: self.assistance_fen,
            self_pay_fen: self.self_pay_fen,
            explanation: self.explanation,
            recorded_by: self.recorded_by.unwrap_or_else(|| "（已删除的用户）".into()),
            recorded_at: self.recorded_at,
            cancelled: self.cancelled_reason,
        })
    }
}

/// The first and last day of a year, for comparing dates in both backends.
fn year_bounds(year: i32) -> Result<(NaiveDate, NaiveDate), StoreError> {
    match (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(StoreError::Invalid(format!("年份 {year} 无效"))),
    }
}

/// The usage of a person's stays admitted in a year, in a transaction.
async fn usage_in(conn: &mut Conn, person: i64, year: i32) -> Result<YearUsage, StoreError> {
    let (from, to) = year_bounds(year)?;
    let (stays, counted, assistance): (i64, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), CAST(SUM(counted_fen) AS BIGINT), CAST(SUM(assistance_fen) AS BIGINT) \
         FROM inpatient_stays \
         WHERE person_id = $1 AND admitted BETWEEN $2 AND $3 AND cancelled_reason IS NULL",
    )
    .bind(person)
    .bind(from)
    .bind(to)
    .fetch_one(&mut *conn)
    .await?;
    Ok(YearUsage {
        stays,
        counted_fen: counted.unwrap_or(0),
        assistance_fen: assistance.unwrap_or(0),
    })
}

/// The household of a member, if it lies in the actor's scope.
async fn member_in_scope(
    conn: &mut Conn,
    actor: &Actor,
    person: PersonId,
) -> Result<HouseholdRow, StoreError> {
    let row = select_person(conn, person.0)
        .await?
        .ok_or(StoreError::NotFound)?;
    household_in_scope(conn, actor, row.household_id).await
}

/// A term code as the store keeps it: at most 16 characters, not empty.
fn checked_term(term: &str) -> Result<&str, StoreError> {
    let t = term.trim();
    if t.is_empty() || t.chars().count() > 16 {
        return Err(StoreError::Invalid("学期无效".into()));
    }
    Ok(t)
}

/// Records one settled stay in the transaction, with its audit entry; refused if the person's
/// stays of the year are no longer those it was computed against.
async fn insert_stay(
    conn: &mut WriteTx,
    actor: &Actor,
    stay: &NewStay,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let household = member_in_scope(conn, actor, stay.person).await?;
    let used = usage_in(conn, stay.person.0, chrono::Datelike::year(&stay.admitted)).await?;
    if used.stays != stay.prior {
        return Err(StoreError::Invalid(
            "该人员本年度的住院结算刚有变动，请重新测算后再登记".into(),
        ));
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO inpatient_stays (household_id, person_id, hospital, level, in_county, \
         admitted, discharged, category, special_disease, treat_first, total_fen, \
         in_catalogue_fen, basic_fen, critical_fen, counted_fen, assistance_fen, \
         self_pay_fen, explanation, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, \
         $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id",
    )
    .bind(household.id)
    .bind(stay.person.0)
    .bind(common::clip(&stay.hospital))
    .bind(&stay.level)
    .bind(i64::from(stay.in_county))
    .bind(stay.admitted)
    .bind(stay.discharged)
    .bind(stay.category.code())
    .bind(stay.special_disease.map(|d| d.code()))
    .bind(i64::from(stay.treat_first))
    .bind(stay.total_fen)
    .bind(stay.in_catalogue_fen)
    .bind(stay.basic_fen)
    .bind(stay.critical_fen)
    .bind(stay.counted_fen)
    .bind(stay.assistance_fen)
    .bind(stay.self_pay_fen)
    .bind(&stay.explanation)
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut **conn)
    .await?;
    append_audit(
        conn,
        actor,
        AuditAction::Create,
        &format!("household:{}", household.id),
        &format!(
            "登记住院结算（stay:{id}）：{}，{}入院，医疗救助{}",
            common::clip(&stay.hospital),
            stay.admitted,
            Money::from_fen(stay.assistance_fen)
        ),
    )
    .await?;
    Ok(id)
}

/// Records one education item delivered in the transaction, with its audit entry.
async fn insert_delivery(
    conn: &mut WriteTx,
    actor: &Actor,
    delivery: &NewDelivery,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let term = checked_term(&delivery.term)?;
    if delivery.amount_fen < 0 {
        return Err(StoreError::Invalid("发放金额不能为负数".into()));
    }
    let household = member_in_scope(conn, actor, delivery.person).await?;
    let school: Option<(String,)> =
        sqlx::query_as("SELECT school FROM enrolments WHERE person_id = $1 AND term = $2")
            .bind(delivery.person.0)
            .bind(term)
            .fetch_optional(&mut **conn)
            .await?;
    let school = school.map(|(s,)| s).unwrap_or_default();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO education_deliveries (person_id, term, item, household_id, amount_fen, \
         delivered_on, school, note, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(delivery.person.0)
    .bind(term)
    .bind(&delivery.item)
    .bind(household.id)
    .bind(delivery.amount_fen)
    .bind(delivery.delivered_on)
    .bind(&school)
    .bind(common::clip(delivery.note.trim()))
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut **conn)
    .await
    .map_err(common::duplicate_from)?;
    append_audit(
        conn,
        actor,
        AuditAction::Create,
        &format!("person:{}", delivery.person.0),
        &format!(
            "登记教育资助发放（household:{}）：{term} {} {}",
            household.id,
            delivery.item,
            Money::from_fen(delivery.amount_fen)
        ),
    )
    .await?;
Ok(id)
}

#[async_trait]
impl Delivery for Backend {
    async fn patient(
        &self,
        actor: &Actor,
        id_number: &IdNumber,
    ) -> Result<Option<Patient>, StoreError> {
        if !may_settle_stays(actor) && !may_deliver_education(actor) {
            return Err(StoreError::Forbidden);
        }
        let keys = self.keys();
        let index = keys.id_number_index(id_number.as_str());
        let sql = format!("SELECT {PERSON_COLUMNS} FROM persons WHERE id_number_bidx = $1");
        let mut tx = self.begin_read().await?;
        let row: Option<PersonRow> = sqlx::query_as(&sql)
            .bind(&index)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            drop(tx);
            self.audit_alone(actor, AuditAction::Read, "persons", "按身份证号查找人员（住院结算或教育资助）：未找到")
                .await?;
            return Ok(None);
        };
        let household = match household_in_scope(&mut tx, actor, row.household_id).await {
            Ok(h) => h,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        drop(tx);
        let person = row.into_person(&keys)?;
        self.audit_alone(
            actor,
            AuditAction::Read,
            &format!("person:{}", person.id.0),
            "按身份证号查找人员（住院结算或教育资助）",
        )
        .await?;
        Ok(Some(Patient {
            person: person.id,
            household: HouseholdId(household.id),
            household_number: household.number,
            category: Category::parse(&household.category)
                .map_err(|_| common::corrupt("households", "category", household.id))?,
            name: person.fields.name.masked(),
            special_disease: person.fields.special_disease,
            exited_on: household.exited_on,
        }))
    }

    async fn stay_usage(&self, person: PersonId, year: i32) -> Result<YearUsage, StoreError> {
        let mut tx = self.begin_read().await?;
        usage_in(&mut tx, person.0, year).await
    }

    async fn record_stay(&self, actor: &Actor, stay: &NewStay) -> Result<i64, StoreError> {
        Ok(self.record_stays(actor, std::slice::from_ref(stay)).await?[0])
    }

    async fn record_stays(&self, actor: &Actor, stays: &[NewStay]) -> Result<Vec<i64>, StoreError> {
        if !may_settle_stays(actor) {
            return Err(StoreError::Forbidden);
        }
        let now = common::now();
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(stays.len());
        for stay in stays {
            ids.push(insert_stay(&mut tx, actor, stay, now).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn cancel_stay(&self, actor: &Actor, id: i64, reason: &str) -> Result<(), StoreError> {
        if !may_settle_stays(actor) {
            return Err(StoreError::Forbidden);
        }
        let reason = reason.trim();
        if reason.chars().count() < 2 {
            return Err(StoreError::Invalid("请写明撤销原因（至少2个字）".into()));
        }
        let now = common::now();
        let mut tx = self.begin_write().await?;
        let row: Option<(i64, i64, NaiveDate, Option<String>)> = sqlx::query_as(
            "SELECT household_id, person_id, admitted, cancelled_reason FROM inpatient_stays \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((household, person, admitted, cancelled)) = row else {
            return Err(StoreError::NotFound);
        };
        household_in_scope(&mut tx, actor, household).await?;
        if cancelled.is_some() {
            return Err(StoreError::Invalid("该住院记录已撤销".into()));
        }
        let (from, to) = year_bounds(chrono::Datelike::year(&admitted))?;
        let (latest,): (i64,) = sqlx::query_as(
            "SELECT MAX(id) FROM inpatient_stays WHERE person_id = $1 \
             AND admitted BETWEEN $2 AND $3 AND cancelled_reason IS NULL",
        )
        .bind(person)
        .bind(from)
        .bind(to)
        .fetch_one(&mut *tx)
        .await?;
        if latest != id {
            return Err(StoreError::Invalid(
                "之后登记的同年度住院结算是以这次结算为基础计算的；请先撤销该人员本年度更晚登记的住院记录"
                    .into(),
            ));
        }
        sqlx::query(
            "UPDATE inpatient_stays SET cancelled_reason = $1, cancelled_by = $2, \
             cancelled_at = $3 WHERE id = $4",
        )
        .bind(common::clip(reason))
        .bind(actor.user_id)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("household:{household}"),
            &format!("撤销住院结算（stay:{id}）：{}", common::clip(reason)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn stays(
        &self,
        actor: &Actor,
        filter: &StayFilter,
    ) -> Result<Vec<StayRecord>, StoreError> {
        if !may_read_stays(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut qb: QueryBuilder<'_, Db> =
            QueryBuilder::new(format!("SELECT {STAY_COLUMNS} WHERE 1 = 1"));
        push_household_scope(&mut qb, actor);
        if let Some(year) = filter.year {
            let (from, to) = year_bounds(year)?;
            qb.push(" AND s.admitted BETWEEN ")
                .push_bind(from)
                .push(" AND ")
                .push_bind(to);
        }
        if let Some(h) = filter.household {
            qb.push(" AND s.household_id = ").push_bind(h.0);
        }
        if !filter.with_cancelled {
            qb.push(" AND s.cancelled_reason IS NULL");
        }
        qb.push(" ORDER BY s.admitted DESC, s.id DESC LIMIT 5000");
        let rows: Vec<StayRow> = qb.build_query_as().fetch_all(&self.pool).await?;
        let target = filter
            .household
            .map_or_else(|| "inpatient_stays".to_owned(), |h| format!("household:{}", h.0));
        self.audit_alone(
            actor,
            AuditAction::List,
            &target,
            &format!("查看住院结算：{}条", rows.len()),
        )
        .await?;
        rows.into_iter().map(StayRow::into_stay).collect()
    }

    async fn set_health_services(
        &self,
        actor: &Actor,
        person: PersonId,
        family_doctor: bool,
        health_record: bool,
    ) -> Result<(), StoreError> {
        if !may_keep_health_services(actor) {
            return Err(StoreError::Forbidden);
        }
        let now = common::now();
        let keys = self.keys();
        let mut tx = self.begin_write().await?;
        let current = member_in_scope(&mut tx, actor, person).await?;
        let row = lock_for_edit(&mut tx, actor, current.id, current.version, now).await?;
        let old = member_of(&mut tx, &keys, row.id, person).await?;
        let mut new = old.clone();
        new.family_doctor = family_doctor;
        new.health_record = health_record;
        let changes = common::field_changes(
            &common::member_subject(&new),
            &old.describe(),
            &new.describe(),
        );
        if changes.is_empty() {
            return Ok(());
        }
        sqlx::query("UPDATE persons SET family_doctor = $1, health_record = $2 WHERE id = $3")
            .bind(family_doctor)
            .bind(health_record)
            .bind(person.0)
            .execute(&mut *tx)
            .await?;
        let detail = format!(
            "登记家庭医生签约与健康档案（household:{}）：{}",
            row.id,
            common::changed_fields(&changes)
        );
        record(&mut tx, actor, now, row.id, changes).await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("person:{}", person.0),
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn enrol(
        &self,
        actor: &Actor,
        person: PersonId,
        term: &str,
        school: &str,
    ) -> Result<(), StoreError> {
        if !may_deliver_education(actor) {
            return Err(StoreError::Forbidden);
        }
        let term = checked_term(term)?;
        let school = school.trim();
        if school.is_empty() || school.chars().count() > 60 {
            return Err(StoreError::Invalid("学校名称应为1到60个字".into()));
        }
        let now = common::now();
        let mut tx = self.begin_write().await?;
        let household = member_in_scope(&mut tx, actor, person).await?;
        sqlx::query(
            "INSERT INTO enrolments (person_id, term, household_id, school, recorded_by, \
             recorded_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (person_id, term) \
             DO UPDATE SET school = excluded.school, recorded_by = excluded.recorded_by, \
             recorded_at = excluded.recorded_at",
        )
        .bind(person.0)
        .bind(term)
        .bind(household.id)
        .bind(school)
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("person:{}", person.0),
            &format!("登记就读学校（household:{}）：{term} {school}", household.id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn enrolments(
        &self,
        actor: &Actor,
        term: &str,
        household: Option<HouseholdId>,
    ) -> Result<Vec<Enrolment>, StoreError> {
        if !may_read_education(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
            "SELECT e.person_id, e.household_id, e.term, e.school FROM enrolments e \
             JOIN households h ON h.id = e.household_id WHERE e.term = ",
        );
        qb.push_bind(term);
        push_household_scope(&mut qb, actor);
        if let Some(h) = household {
            qb.push(" AND e.household_id = ").push_bind(h.0);
        }
        qb.push(" ORDER BY e.person_id");
        let rows: Vec<(i64, i64, String, String)> =
            qb.build_query_as().fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .map(|(person, household, term, school)| Enrolment {
                person: PersonId(person),
                household: HouseholdId(household),
                term,
                school,
            })
            .collect())
    }

    async fn record_delivery(
        &self,
        actor: &Actor,
        delivery: &NewDelivery,
    ) -> Result<i64, StoreError> {
        Ok(self
            .record_deliveries(actor, std::slice::from_ref(delivery))
            .await?[0])
    }

    async fn record_deliveries(
        &self,
        actor: &Actor,
        deliveries: &[NewDelivery],
    ) -> Result<Vec<i64>, StoreError> {
        if !may_deliver_education(actor) {
            return Err(StoreError::Forbidden);
        }
        let now = common::now();
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(deliveries.len());
        for d in deliveries {
            ids.push(insert_delivery(&mut tx, actor, d, now).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn withdraw_delivery(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
    ) -> Result<(), StoreError> {
        if !may_deliver_education(actor) {
            return Err(StoreError::Forbidden);
        }
        let reason = reason.trim();
        if reason.chars().count() < 2 {
            return Err(StoreError::Invalid("请写明撤回原因（至少2个字）".into()));
        }
        let mut tx = self.begin_write().await?;
        let row: Option<(i64, i64, String, String, i64)> = sqlx::query_as(
            "SELECT household_id, person_id, term, item, amount_fen FROM education_deliveries \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((household, person, term, item, amount)) = row else {
            return Err(StoreError::NotFound);
        };
        household_in_scope(&mut tx, actor, household).await?;
        sqlx::query("DELETE FROM education_deliveries WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("person:{person}"),
            &format!(
                "撤回教育资助发放记录（household:{household}）：{term} {item} {}；原因：{}",
                Money::from_fen(amount),
                common::clip(reason)
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn deliveries(
        &self,
        actor: &Actor,
        term: &str,
        household: Option<HouseholdId>,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        if !may_read_education(actor) {
            return Err(StoreError::Forbidden);
        }
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
            "SELECT d.id, d.person_id, d.household_id, d.term, d.item, d.amount_fen, \
             d.delivered_on, d.school, d.note, u.display_name FROM education_deliveries d \
             JOIN households h ON h.id = d.household_id \
             LEFT JOIN users u ON u.id = d.recorded_by WHERE d.term = ",
        );
        qb.push_bind(term);
        push_household_scope(&mut qb, actor);
        if let Some(h) = household {
            qb.push(" AND d.household_id = ").push_bind(h.0);
        }
        qb.push(" ORDER BY d.id");
        #[allow(clippy::type_complexity)]
        let rows: Vec<(i64, i64, i64, String, String, i64, NaiveDate, String, String, Option<String>)> =
            qb.build_query_as().fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, person, household, term, item, amount_fen, delivered_on, school, note, by)| {
                    DeliveryRecord {
                        id,
                        person: PersonId(person),
                        household: HouseholdId(household),
                        term,
                        item,
                        amount_fen,
                        delivered_on,
                        school,
                        note,
                        recorded_by: by.unwrap_or_else(|| "（已删除的用户）".into()),
                    }
                },
            )
            .collect())
    }
}

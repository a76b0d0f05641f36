// Inspections, disclosure and reports for both backends (see `inspections.rs`): included into
// `sqlite.rs` and `postgres.rs` after `shared_impl.rs`, whose helpers it uses through
// `super::*`.

mod inspections_sql {
    use super::*;

    use crate::inspections::{
        Accountability, DISCLOSURE_CAP, Disclosure, DisclosureRow, Finding, FindingCategory,
        InspectionKind, Inspections, Measure, NewAccountability, NewFinding, NewPlan, NewReport,
        NewTask, Plan, PlanDetail, ReceiptView, Report, ReportCategory, ReportFilter,
        ReportNote, ReportState, ReportStep, SampledHousehold, Severity, Task, TaskState,
        TaskStep, may_inspect, may_read_oversight, report_transition, sample_indexes,
        task_transition,
    };
    use doudi_core::disaster::PaymentProgram;

    /// Text of 1 to `max` characters, trimmed, or the Chinese refusal naming `what`.
    fn text(value: &str, what: &str, min: usize, max: usize) -> Result<String, StoreError> {
        let t = value.trim();
        let n = t.chars().count();
        if n < min || n > max {
            return Err(StoreError::Invalid(if min <= 1 {
                format!("{what}应为1到{max}个字")
            } else {
                format!("{what}应为{min}到{max}个字")
            }));
        }
        Ok(t.to_owned())
    }

    /// The township codes of a plan, as stored.
    fn parse_townships(stored: &str, id: i64) -> Result<Vec<DivisionCode>, StoreError> {
        stored
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| {
                DivisionCode::parse(s).map_err(|_| common::corrupt("inspection_plans", "townships", id))
            })
            .collect()
    }

    const PLAN_COLUMNS: &str = "p.id, p.kind, p.title, p.townships, p.starts_on, p.ends_on, \
         p.inspectors, p.sample_seed, \
         (SELECT COUNT(*) FROM inspection_findings f WHERE f.plan_id = p.id), \
         COALESCE(u.display_name, '') FROM inspection_plans p LEFT JOIN users u ON u.id = p.created_by";

    type PlanRow = (
        i64,
        String,
        String,
        String,
        NaiveDate,
        NaiveDate,
        String,
        Option<i64>,
        i64,
        String,
    );

    fn into_plan(r: PlanRow) -> Result<Plan, StoreError> {
        let (id, kind, title, townships, starts_on, ends_on, inspectors, seed, findings, by) = r;
        Ok(Plan {
            id,
            kind: InspectionKind::parse(&kind)
                .map_err(|_| common::corrupt("inspection_plans", "kind", id))?,
            title,
            townships: parse_townships(&townships, id)?,
            starts_on,
            ends_on,
            inspectors,
            sample_seed: seed,
            findings,
            created_by: by,
        })
    }

    const TASK_COLUMNS: &str = "t.id, t.finding_id, f.plan_id, f.category, f.text, t.township, \
         t.unit, t.deadline, t.state, t.note, t.reply, t.updated_at \
         FROM rectification_tasks t JOIN inspection_findings f ON f.id = t.finding_id";

    type TaskRow = (
        i64,
        i64,
        i64,
        String,
        String,
        String,
        String,
        NaiveDate,
        String,
        Option<String>,
        Option<String>,
        DateTime<Utc>,
    );

    fn into_task(r: TaskRow) -> Result<Task, StoreError> {
        let (id, finding, plan, category, finding_text, township, unit, deadline, state, note, reply, at) =
            r;
        Ok(Task {
            id,
            finding,
            plan,
            category: FindingCategory::parse(&category)
                .map_err(|_| common::corrupt("inspection_findings", "category", finding))?,
            finding_text,
            township,
            unit,
            deadline,
            state: TaskState::parse(&state)
                .map_err(|_| common::corrupt("rectification_tasks", "state", id))?,
            note,
            reply,
            updated_at: at,
        })
    }

    const REPORT_COLUMNS: &str = "id, receipt, township, community, household_ref, category, \
         text, contact, state, reply, filed_on FROM public_reports";

    type ReportRow = (
        i64,
        String,
        String,
        Option<String>,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        NaiveDate,
    );

    fn into_report(r: ReportRow) -> Result<Report, StoreError> {
        let (id, receipt, township, community, household_ref, category, text, contact, state, reply, filed_on) =
            r;
        Ok(Report {
            id,
            receipt,
            township,
            community,
            household_ref,
            category: ReportCategory::parse(&category)
                .map_err(|_| common::corrupt("public_reports", "category", id))?,
            text,
            contact,
            state: ReportState::parse(&state)
                .map_err(|_| common::corrupt("public_reports", "state", id))?,
            reply,
            filed_on,
        })
    }

    /// The user id of a login name, or the Chinese refusal.
    async fn account_id(conn: &mut Conn, username: &str) -> Result<i64, StoreError> {
        let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE username = $1")
            .bind(username.trim())
            .fetch_optional(&mut *conn)
            .await?;
        found
            .map(|(id,)| id)
            .ok_or_else(|| StoreError::Invalid("工作人员账号不存在，请填写其登录名".into()))
    }

    /// A finding's id and its plan, if it exists.
    async fn finding_exists(conn: &mut Conn, id: i64) -> Result<(), StoreError> {
        let found: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM inspection_findings WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        found.map(|_| ()).ok_or(StoreError::NotFound)
    }

    /// A fresh receipt number: "JB" and 10 random digits and capitals (no 0/O, 1/I).
    fn receipt() -> String {
        const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        let mut bytes = [0_u8; 10];
        getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
        let mut out = String::from("JB");
        for b in bytes {
            out.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
        }
        out
    }

    /// The actor a report from the public is written under: no account, the client address.
    fn public_actor(client: &str) -> Actor {
        Actor {
            username: "public".into(),
            display_name: "群众".into(),
            client: client.to_owned(),
            ..Actor::system("群众")
        }
    }

    #[async_trait]
    impl Inspections for Backend {
        async fn create_plan(&self, actor: &Actor, plan: &NewPlan) -> Result<i64, StoreError> {
            if !may_inspect(actor) {
                return Err(StoreError::Forbidden);
            }
            let title = text(&plan.title, "标题", 1, 80)?;
            let inspectors = text(&plan.inspectors, "督查人员", 1, 200)?;
            if plan.ends_on < plan.starts_on {
                return Err(StoreError::Invalid("结束日期不能早于开始日期".into()));
            }
            let mut tx = self.begin_write().await?;
            for t in &plan.townships {
                if t.is_community() {
                    return Err(StoreError::Invalid("督查范围应为乡镇（街道）".into()));
                }
                ensure_township(&mut tx, t).await?;
            }
            let townships = plan
                .townships
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(",");
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO inspection_plans (kind, title, townships, starts_on, ends_on, \
                 inspectors, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 RETURNING id",
            )
            .bind(plan.kind.code())
            .bind(&title)
            .bind(&townships)
            .bind(plan.starts_on)
            .bind(plan.ends_on)
            .bind(&inspectors)
            .bind(actor.user_id)
            .bind(common::now())
            .fetch_one(&mut *tx)
            .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Create,
                &format!("inspection:{id}"),
                &format!("督查计划{id}：{}（依据 5.4）", plan.kind.label()),
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        }

        async fn plans(&self, actor: &Actor) -> Result<Vec<Plan>, StoreError> {
            if !may_inspect(actor) {
                return Err(StoreError::Forbidden);
            }
            let rows: Vec<PlanRow> = sqlx::query_as(&format!(
                "SELECT {PLAN_COLUMNS} ORDER BY p.id DESC LIMIT 5000"
            ))
            .fetch_all(&self.pool)
            .await?;
            self.audit_alone(
                actor,
                AuditAction::List,
                "inspections",
                &format!("查看督查计划：{}条", rows.len()),
            )
            .await?;
            rows.into_iter().map(into_plan).collect()
        }

        async fn plan(&self, actor: &Actor, id: i64) -> Result<PlanDetail, StoreError> {
            if !may_inspect(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut conn = self.pool.acquire().await?;
            let row: Option<PlanRow> =
                sqlx::query_as(&format!("SELECT {PLAN_COLUMNS} WHERE p.id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
            let plan = into_plan(row.ok_or(StoreError::NotFound)?)?;
            let sample: Vec<(i64, i64, String, String)> = sqlx::query_as(
                "SELECT s.position, s.household_id, h.number, h.community \
                 FROM inspection_samples s JOIN households h ON h.id = s.household_id \
                 WHERE s.plan_id = $1 ORDER BY s.position",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            type FindingRow = (
                i64,
                Option<i64>,
                Option<String>,
                Option<String>,
                Option<String>,
                String,
                String,
                String,
                String,
                DateTime<Utc>,
            );
            let findings: Vec<FindingRow> = sqlx::query_as(
                "SELECT f.id, f.household_id, h.number, a.username, a.display_name, f.category, \
                 f.severity, f.text, COALESCE(r.display_name, ''), f.recorded_at \
                 FROM inspection_findings f LEFT JOIN households h ON h.id = f.household_id \
                 LEFT JOIN users a ON a.id = f.account_id LEFT JOIN users r ON r.id = f.recorded_by \
                 WHERE f.plan_id = $1 ORDER BY f.id",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            let tasks: Vec<TaskRow> = sqlx::query_as(&format!(
                "SELECT {TASK_COLUMNS} WHERE f.plan_id = $1 ORDER BY t.id"
            ))
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            let accountability: Vec<(i64, i64, String, Option<String>, String, NaiveDate, String)> =
                sqlx::query_as(
                    "SELECT c.id, c.finding_id, c.person, u.username, c.measure, c.decided_on, \
                     c.note FROM accountability_records c \
                     JOIN inspection_findings f ON f.id = c.finding_id \
                     LEFT JOIN users u ON u.id = c.account_id WHERE f.plan_id = $1 ORDER BY c.id",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
            drop(conn);
            self.audit_alone(
                actor,
                AuditAction::Read,
                &format!("inspection:{id}"),
                &format!("查看督查计划{id}：问题{}条", findings.len()),
            )
            .await?;
            let findings = findings
                .into_iter()
                .map(|(fid, household, number, user, name, category, severity, text, by, at)| {
                    Ok(Finding {
                        id: fid,
                        plan: id,
                        household: household.map(HouseholdId),
                        household_number: number,
                        account: user.map(|u| (u, name.unwrap_or_default())),
                        category: FindingCategory::parse(&category)
                            .map_err(|_| common::corrupt("inspection_findings", "category", fid))?,
                        severity: Severity::parse(&severity)
                            .map_err(|_| common::corrupt("inspection_findings", "severity", fid))?,
                        text,
                        recorded_by: by,
                        recorded_at: at,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok(PlanDetail {
                plan,
                sample: sample
                    .into_iter()
                    .map(|(position, household, number, community)| SampledHousehold {
                        position,
                        household: HouseholdId(household),
                        number,
                        community,
                    })
                    .collect(),
                findings,
                tasks: tasks.into_iter().map(into_task).collect::<Result<_, _>>()?,
                accountability: accountability
                    .into_iter()
                    .map(|(cid, finding, person, account, measure, decided_on, note)| {
                        Ok(Accountability {
                            id: cid,
                            finding,
                            person,
                            account,
                            measure: Measure::parse(&measure).map_err(|_| {
                                common::corrupt("accountability_records", "measure", cid)
                            })?,
                            decided_on,
                            note,
                        })
                    })
                    .collect::<Result<_, StoreError>>()?,
            })
        }

        async fn draw_sample(
            &self,
            actor: &Actor,
            plan: i64,
            size: u32,
            seed: i64,
        ) -> Result<Vec<SampledHousehold>, StoreError> {
            if !may_inspect(actor) {
                return Err(StoreError::Forbidden);
            }
            if size == 0 || size > 500 {
                return Err(StoreError::Invalid("抽查户数应为1到500户".into()));
            }
            let mut tx = self.begin_write().await?;
            let row: Option<PlanRow> =
                sqlx::query_as(&format!("SELECT {PLAN_COLUMNS} WHERE p.id = $1"))
                    .bind(plan)
                    .fetch_optional(&mut *tx)
                    .await?;
            let p = into_plan(row.ok_or(StoreError::NotFound)?)?;
            if p.kind != InspectionKind::SpotCheck {
                return Err(StoreError::Invalid(format!(
                    "只有随机抽查才能抽取样本户，这是{}",
                    p.kind.label()
                )));
            }
            if p.sample_seed.is_some() {
                return Err(StoreError::Invalid(
                    "该计划已抽取过样本，不能重新抽取（以免挑选样本）".into(),
                ));
            }
            // The population: the plan's current households in file-number order, so that
            // the same seed over the same registry draws the same households.
            let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
                "SELECT id, number, community FROM households WHERE exited_on IS NULL",
            );
            if !p.townships.is_empty() {
                qb.push(" AND township IN (");
                let mut list = qb.separated(", ");
                for t in &p.townships {
                    list.push_bind(t.as_str().to_owned());
                }
                qb.push(")");
            }
            qb.push(" ORDER BY number, id");
            let population: Vec<(i64, String, String)> =
                qb.build_query_as().fetch_all(&mut *tx).await?;
            if population.is_empty() {
                return Err(StoreError::Invalid("督查范围内没有在册户，无法抽样".into()));
            }
            // The seed is kept as given (an i64); its bits drive the draw.
            let drawn = sample_indexes(
                population.len(),
                size as usize,
                u64::from_ne_bytes(seed.to_ne_bytes()),
            );
            let mut sample = Vec::with_capacity(drawn.len());
            for (i, index) in drawn.into_iter().enumerate() {
                let (household, number, community) = &population[index];
                let position = i as i64 + 1;
                sqlx::query(
                    "INSERT INTO inspection_samples (plan_id, position, household_id) \
                     VALUES ($1, $2, $3)",
                )
                .bind(plan)
                .bind(position)
                .bind(household)
                .execute(&mut *tx)
                .await?;
                sample.push(SampledHousehold {
                    position,
                    household: HouseholdId(*household),
                    number: number.clone(),
                    community: community.clone(),
                });
            }
            sqlx::query("UPDATE inspection_plans SET sample_seed = $1 WHERE id = $2")
                .bind(seed)
                .bind(plan)
                .execute(&mut *tx)
                .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Update,
                &format!("inspection:{plan}"),
                &format!(
                    "随机抽取样本户{}户（在册{}户，种子{seed}）",
                    sample.len(),
                    population.len()
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(sample)
        }

        async fn record_finding(
            &self,
            actor: &Actor,
            plan: i64,
            finding: &NewFinding,
        ) -> Result<i64, StoreError> {
            if !may_inspect(actor) {
                return Err(StoreError::Forbidden);
            }
            let body = text(&finding.text, "问题描述", 1, 2_000)?;
            let mut tx = self.begin_write().await?;
            let exists: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM inspection_plans WHERE id = $1")
                    .bind(plan)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_none() {
                return Err(StoreError::NotFound);
            }
            let household = match finding.household {
                Some(h) => Some(household_in_scope(&mut tx, actor, h.0).await?.id),
                None => None,
            };
            let account = match finding.account.as_deref().map(str::trim) {
                Some(name) if !name.is_empty() => Some(account_id(&mut tx, name).await?),
                _ => None,
            };
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO inspection_findings (plan_id, household_id, account_id, category, \
                 severity, text, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 RETURNING id",
            )
            .bind(plan)
            .bind(household)
            .bind(account)
            .bind(finding.category.code())
            .bind(finding.severity.code())
            .bind(&body)
            .bind(actor.user_id)
            .bind(common::now())
            .fetch_one(&mut *tx)
            .await?;
            let target = household.map_or_else(
                || format!("inspection:{plan}"),
                |h| format!("household:{h}"),
            );
            append_audit(
                &mut tx,
                actor,
                AuditAction::Create,
                &target,
                &format!(
                    "督查计划{plan}问题{id}：{}，{}{}（依据 5.4）",
                    finding.category.label(),
                    finding.severity.label(),
                    account.map_or_else(String::new, |a| format!("，涉及账号{a}"))
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        }

        async fn assign_task(
            &self,
            actor: &Actor,
            finding: i64,
            task: &NewTask,
        ) -> Result<i64, StoreError> {
            if !may_inspect(actor) {
                return Err(StoreError::Forbidden);
            }
            let unit = text(&task.unit, "责任单位", 1, 100)?;
            if task.township.is_community() {
                return Err(StoreError::Invalid("责任乡镇应为乡镇（街道）".into()));
            }
            let mut tx = self.begin_write().await?;
            finding_exists(&mut tx, finding).await?;
            ensure_township(&mut tx, &task.township).await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO rectification_tasks (finding_id, township, unit, deadline, state, \
                 created_by, updated_by, updated_at) VALUES ($1, $2, $3, $4, 'open', $5, $5, $6) \
                 RETURNING id",
            )
            .bind(finding)
            .bind(task.township.as_str())
            .bind(&unit)
            .bind(task.deadline)
            .bind(actor.user_id)
            .bind(common::now())
            .fetch_one(&mut *tx)
            .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Create,
                &format!("rectification:{id}"),
                &format!(
                    "问题{finding}交办整改任务{id}：{}，限{}前",
                    task.township.as_str(),
                    task.deadline
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        }

        async fn task_step(
            &self,
            actor: &Actor,
            task: i64,
            step: &TaskStep,
        ) -> Result<Task, StoreError> {
            if !may_read_oversight(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut tx = self.begin_write().await?;
            let row: Option<TaskRow> =
                sqlx::query_as(&format!("SELECT {TASK_COLUMNS} WHERE t.id = $1"))
                    .bind(task)
                    .fetch_optional(&mut *tx)
                    .await?;
            let current = match row {
                Some(r) if covers(actor, &r.5) => into_task(r)?,
                _ => return Err(StoreError::NotFound),
            };
            let to = task_transition(current.state, step, actor.role).map_err(StoreError::Invalid)?;
            let (column, note) = match step {
                TaskStep::Submit(n) => ("note", n),
                TaskStep::Verify(n) | TaskStep::SendBack(n) => ("reply", n),
            };
            let note = text(note, "说明", 1, 2_000)?;
            let done = sqlx::query(&format!(
                "UPDATE rectification_tasks SET state = $1, {column} = $2, updated_by = $3, \
                 updated_at = $4 WHERE id = $5 AND state = $6"
            ))
            .bind(to.code())
            .bind(&note)
            .bind(actor.user_id)
            .bind(common::now())
            .bind(task)
            .bind(current.state.code())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Invalid(
                    "该整改任务刚被他人办理，请刷新后再试".into(),
                ));
            }
            append_audit(
                &mut tx,
                actor,
                AuditAction::Update,
                &format!("rectification:{task}"),
                &format!(
                    "整改任务{task}：{} → {}",
                    current.state.label(),
                    to.label()
                ),
            )
            .await?;
            let row: TaskRow = sqlx::query_as(&format!("SELECT {TASK_COLUMNS} WHERE t.id = $1"))
                .bind(task)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            into_task(row)
        }

        async fn tasks(&self, actor: &Actor) -> Result<Vec<Task>, StoreError> {
            if !may_read_oversight(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut qb: QueryBuilder<'_, Db> =
                QueryBuilder::new(format!("SELECT {TASK_COLUMNS} WHERE 1 = 1"));
            push_community_scope(&mut qb, "t.township", actor);
            qb.push(" ORDER BY t.state = 'closed', t.deadline, t.id LIMIT 5000");
            let rows: Vec<TaskRow> = qb.build_query_as().fetch_all(&self.pool).await?;
            self.audit_alone(
                actor,
                AuditAction::List,
                "rectifications",
                &format!("查看整改任务：{}条", rows.len()),
            )
            .await?;
            rows.into_iter().map(into_task).collect()
        }

        async fn record_accountability(
            &self,
            actor: &Actor,
            finding: i64,
            record: &NewAccountability,
        ) -> Result<i64, StoreError> {
            if !may_inspect(actor) {
                return Err(StoreError::Forbidden);
            }
            let person = text(&record.person, "被问责人", 1, 100)?;
            let note = text(&record.note, "说明", 0, 2_000)?;
            let mut tx = self.begin_write().await?;
            finding_exists(&mut tx, finding).await?;
            let account = match record.account.as_deref().map(str::trim) {
                Some(name) if !name.is_empty() => Some(account_id(&mut tx, name).await?),
                _ => None,
            };
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO accountability_records (finding_id, person, account_id, measure, \
                 decided_on, note, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(finding)
            .bind(&person)
            .bind(account)
            .bind(record.measure.code())
            .bind(record.decided_on)
            .bind(&note)
            .bind(actor.user_id)
            .bind(common::now())
            .fetch_one(&mut *tx)
            .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Create,
                &format!("accountability:{id}"),
                &format!("问题{finding}问责：{}（依据 5.4）", record.measure.label()),
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        }

        async fn disclosed_months(&self) -> Result<Vec<Month>, StoreError> {
            let rows: Vec<(String,)> = sqlx::query_as(
                "SELECT DISTINCT month FROM payments WHERE status = 'paid' \
                 AND program IN ('dibao', 'tekun') ORDER BY month DESC LIMIT 120",
            )
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(|(m,)| Month::parse(&m).map_err(|_| common::corrupt("payments", "month", &m)))
                .collect()
        }

        async fn disclosure(
            &self,
            township: &DivisionCode,
            month: Month,
        ) -> Result<Disclosure, StoreError> {
            let mut tx = self.begin_read().await?;
            // Paid dibao and tekun lines of the month, per household and programme, with the
            // household's members now: what the law asks to publish.
            let lines: Vec<(i64, String, i64, i64)> = sqlx::query_as(
                "SELECT p.household_id, p.program, CAST(SUM(p.amount_fen) AS BIGINT), \
                 (SELECT COUNT(*) FROM persons m WHERE m.household_id = p.household_id) \
                 FROM payments p JOIN households h ON h.id = p.household_id \
                 WHERE p.month = $1 AND p.status = 'paid' AND p.program IN ('dibao', 'tekun') \
                 AND h.township = $2 GROUP BY p.household_id, p.program, h.community, h.number \
                 ORDER BY h.community, h.number, p.program",
            )
            .bind(month.to_string())
            .bind(township.as_str())
            .fetch_all(&mut *tx)
            .await?;
            let mut d = Disclosure::default();
            for (household, program, fen, people) in &lines {
                let program = PaymentProgram::parse(program)
                    .map_err(|_| common::corrupt("payments", "program", household))?;
                let (h, p, f) = if program == PaymentProgram::Tekun {
                    (&mut d.tekun_households, &mut d.tekun_people, &mut d.tekun_fen)
                } else {
                    (&mut d.dibao_households, &mut d.dibao_people, &mut d.dibao_fen)
                };
                *h += 1;
                *p += people;
                *f = f.saturating_add(*fen);
                if d.rows.len() >= DISCLOSURE_CAP {
                    d.truncated = true;
                    continue;
                }
                let row = select_household(&mut tx, *household)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let community = row.community.clone();
                let record = load_record(&mut tx, &self.keys(), row).await?;
                let head = record.head().or(record.members.first());
                d.rows.push(DisclosureRow {
                    head_masked: head.map(|p| p.fields.name.masked()).unwrap_or_default(),
                    id_masked: head
                        .map(|p| p.fields.id_number.masked())
                        .unwrap_or_default(),
                    community,
                    program,
                    people: *people,
                    amount_fen: *fen,
                });
            }
            // No audit entry: published by law, masked, to anyone (like the public notice).
            Ok(d)
        }

        async fn file_report(&self, report: &NewReport, client: &str) -> Result<String, StoreError> {
            let body = text(&report.text, "举报内容", 10, 2_000)?;
            let household_ref = text(&report.household_ref, "被举报对象", 0, 40)?;
            let contact = text(&report.contact, "联系方式", 0, 100)?;
            if report.township.is_community() {
                return Err(StoreError::Invalid("请选择乡镇（街道）".into()));
            }
            if let Some(c) = &report.community
                && !report.township.contains(c)
            {
                return Err(StoreError::Invalid("所选社区不在所选乡镇（街道）内".into()));
            }
            let actor = public_actor(client);
            let mut tx = self.begin_write().await?;
            ensure_township(&mut tx, &report.township).await?;
            let receipt = receipt();
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO public_reports (receipt, township, community, household_ref, \
                 category, text, contact, state, filed_on, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'received', $8, $9) RETURNING id",
            )
            .bind(&receipt)
            .bind(report.township.as_str())
            .bind(report.community.as_ref().map(|c| c.as_str().to_owned()))
            .bind(&household_ref)
            .bind(report.category.code())
            .bind(&body)
            .bind(&contact)
            .bind(report.filed_on)
            .bind(common::now())
            .fetch_one(&mut *tx)
            .await?;
            append_audit(
                &mut tx,
                &actor,
                AuditAction::Create,
                &format!("report:{id}"),
                &format!(
                    "群众举报{id}：{}，{}",
                    report.category.label(),
                    report.township.as_str()
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(receipt)
        }

        async fn receipt(&self, receipt: &str) -> Result<ReceiptView, StoreError> {
            let receipt = receipt.trim().to_uppercase();
            if receipt.len() != 12 || !receipt.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(StoreError::NotFound);
            }
            let row: Option<(String, NaiveDate, String, Option<String>, i64)> = sqlx::query_as(
                "SELECT category, filed_on, state, reply, id FROM public_reports WHERE receipt = $1",
            )
            .bind(&receipt)
            .fetch_optional(&self.pool)
            .await?;
            let (category, filed_on, state, reply, id) = row.ok_or(StoreError::NotFound)?;
            let state = ReportState::parse(&state)
                .map_err(|_| common::corrupt("public_reports", "state", id))?;
            Ok(ReceiptView {
                category: ReportCategory::parse(&category)
                    .map_err(|_| common::corrupt("public_reports", "category", id))?,
                filed_on,
                reply: if state.is_closed() { reply } else { None },
                state,
            })
        }

        async fn reports(
            &self,
            actor: &Actor,
            filter: &ReportFilter,
        ) -> Result<Vec<Report>, StoreError> {
            if !may_read_oversight(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut qb: QueryBuilder<'_, Db> =
                QueryBuilder::new(format!("SELECT {REPORT_COLUMNS} WHERE 1 = 1"));
            push_community_scope(&mut qb, "township", actor);
            if let Some(s) = filter.state {
                qb.push(" AND state = ").push_bind(s.code());
            }
            if let Some(t) = &filter.township {
                qb.push(" AND township = ").push_bind(t.as_str().to_owned());
            }
            qb.push(" ORDER BY id DESC LIMIT 5000");
            let rows: Vec<ReportRow> = qb.build_query_as().fetch_all(&self.pool).await?;
            self.audit_alone(
                actor,
                AuditAction::List,
                "reports",
                &format!("查看群众举报：{}条", rows.len()),
            )
            .await?;
            rows.into_iter().map(into_report).collect()
        }

        async fn report(
            &self,
            actor: &Actor,
            id: i64,
        ) -> Result<(Report, Vec<ReportNote>), StoreError> {
            if !may_read_oversight(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut conn = self.pool.acquire().await?;
            let row: Option<ReportRow> =
                sqlx::query_as(&format!("SELECT {REPORT_COLUMNS} WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
            let report = match row {
                Some(r) if covers(actor, &r.2) => into_report(r)?,
                _ => return Err(StoreError::NotFound),
            };
            let notes: Vec<(String, String, Option<String>, DateTime<Utc>)> = sqlx::query_as(
                "SELECT n.state, n.note, u.display_name, n.at FROM public_report_notes n \
                 LEFT JOIN users u ON u.id = n.by_user WHERE n.report_id = $1 ORDER BY n.id",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            drop(conn);
            self.audit_alone(
                actor,
                AuditAction::Read,
                &format!("report:{id}"),
                &format!("查看群众举报{id}"),
            )
            .await?;
            let notes = notes
                .into_iter()
                .map(|(state, note, by, at)| {
                    Ok(ReportNote {
                        state: ReportState::parse(&state)
                            .map_err(|_| common::corrupt("public_report_notes", "state", id))?,
                        note,
                        by: by.unwrap_or_default(),
                        at,
                    })
                })
                .collect::<Result<_, StoreError>>()?;
            Ok((report, notes))
        }

        async fn report_step(
            &self,
            actor: &Actor,
            id: i64,
            step: &ReportStep,
        ) -> Result<Report, StoreError> {
            if !may_inspect(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut tx = self.begin_write().await?;
            let row: Option<ReportRow> =
                sqlx::query_as(&format!("SELECT {REPORT_COLUMNS} WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let current = into_report(row.ok_or(StoreError::NotFound)?)?;
            let to = report_transition(current.state, step).map_err(StoreError::Invalid)?;
            let note = match step {
                ReportStep::Accept(n) | ReportStep::Note(n) => n,
                ReportStep::Close { reply, .. } => reply,
            };
            let note = text(note, "说明", 1, 2_000)?;
            let done = sqlx::query(
                "UPDATE public_reports SET state = $1, reply = CASE WHEN $2 THEN $3 ELSE reply END \
                 WHERE id = $4 AND state = $5",
            )
            .bind(to.code())
            .bind(to.is_closed())
            .bind(&note)
            .bind(id)
            .bind(current.state.code())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Invalid("该举报刚被他人办理，请刷新后再试".into()));
            }
            sqlx::query(
                "INSERT INTO public_report_notes (report_id, state, note, by_user, at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(to.code())
            .bind(&note)
            .bind(actor.user_id)
            .bind(common::now())
            .execute(&mut *tx)
            .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Update,
                &format!("report:{id}"),
                &format!(
                    "群众举报{id}：{} → {}",
                    current.state.label(),
                    to.label()
                ),
            )
            .await?;
            let row: ReportRow = sqlx::query_as(&format!("SELECT {REPORT_COLUMNS} WHERE id = $1"))
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            into_report(row)
        }
    }
}

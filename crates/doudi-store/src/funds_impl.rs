// Funds supervision for both backends (see `funds.rs`): included into `sqlite.rs` and
// `postgres.rs` after `shared_impl.rs`, whose helpers it uses through `super::*`.

mod funds_sql {
    use super::*;

    use std::collections::{BTreeMap, BTreeSet};

    use crate::casework::PaymentStatus;
    use crate::funds::{
        Budget, CheckRun, Finding, FindingChange, FindingFilter, FindingNote, Funds, Spending,
        TracedPayment,
    };
    use doudi_core::BankAccount;
    use doudi_core::casework::{CaseType, StepKind};
    use doudi_core::disaster::{PaymentProgram, ReliefKind};
    use doudi_core::funds::{
        AccountRow, CaseTrace, CheckInput, CheckKind, DeathRow, FindingState, LineRow,
        LineSource, MemberRow, NewFinding, may_note_findings, may_read_findings, may_read_funds,
        may_run_checks, may_set_budget, may_work_findings,
    };

    /// The households with a line in the month (a sub-select bound to `$1`).
    const PAID: &str = "SELECT household_id FROM payments WHERE month = $1";

    #[derive(sqlx::FromRow)]
    struct LineSql {
        id: i64,
        household_id: i64,
        number: String,
        township: String,
        township_name: Option<String>,
        community: String,
        program: String,
        amount_fen: i64,
        status: String,
        entitlement_id: Option<i64>,
        from_month: Option<String>,
        e_fen: Option<i64>,
        decision_id: Option<i64>,
        d_kind: Option<String>,
        d_fen: Option<i64>,
        decided_at: Option<DateTime<Utc>>,
        case_id: Option<i64>,
        relief_id: Option<i64>,
        relief_kind: Option<String>,
        relief_fen: Option<i64>,
        recorded_at: Option<DateTime<Utc>>,
    }

    #[derive(sqlx::FromRow)]
    struct CaseSql {
        id: i64,
        household_id: i64,
        case_type: String,
        state: String,
        township: String,
        township_name: Option<String>,
        decided_on: Option<NaiveDate>,
    }

    /// The lines of a month in the actor's scope with their cases, traced.
    async fn traced(
        conn: &mut Conn,
        actor: &Actor,
        month: Month,
    ) -> Result<Vec<TracedPayment>, StoreError> {
        let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
            "SELECT pm.id, pm.household_id, h.number, h.township, tw.name AS township_name, \
             h.community, pm.program, pm.amount_fen, pm.status, pm.entitlement_id, \
             e.from_month, e.monthly_fen AS e_fen, e.decision_id, d.kind AS d_kind, \
             d.monthly_fen AS d_fen, d.decided_at, d.case_id, r.id AS relief_id, \
             r.kind AS relief_kind, r.amount_fen AS relief_fen, r.recorded_at \
             FROM payments pm JOIN households h ON h.id = pm.household_id \
             LEFT JOIN divisions tw ON tw.code = h.township \
             LEFT JOIN entitlements e ON e.id = pm.entitlement_id \
             LEFT JOIN decisions d ON d.id = e.decision_id \
             LEFT JOIN relief_months rm ON rm.id = pm.relief_month_id \
             LEFT JOIN disaster_reliefs r ON r.id = rm.relief_id \
             WHERE pm.month = ",
        );
        qb.push_bind(month.to_string());
        push_household_scope(&mut qb, actor);
        qb.push(" ORDER BY h.number, pm.program, pm.id");
        let rows: Vec<LineSql> = qb.build_query_as().fetch_all(&mut *conn).await?;
        let cases: Vec<CaseSql> = sqlx::query_as(&format!(
            "SELECT c.id, c.household_id, c.case_type, c.state, \
             COALESCE(dv.parent, SUBSTR(c.community, 1, 9)) AS township, \
             tn.name AS township_name, c.decided_on FROM cases c \
             LEFT JOIN divisions dv ON dv.code = c.community \
             LEFT JOIN divisions tn ON tn.code = COALESCE(dv.parent, SUBSTR(c.community, 1, 9)) \
             WHERE c.household_id IN ({PAID}) ORDER BY c.id"
        ))
        .bind(month.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let steps: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT s.case_id, s.kind FROM case_steps s JOIN cases c ON c.id = s.case_id \
             WHERE c.household_id IN ({PAID}) ORDER BY s.id"
        ))
        .bind(month.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let mut kinds: BTreeMap<i64, Vec<StepKind>> = BTreeMap::new();
        for (case, kind) in steps {
            // A step kind this build does not know is no required step: skipped, not fatal.
            if let Ok(k) = StepKind::parse(&kind) {
                kinds.entry(case).or_default().push(k);
            }
        }
        let mut by_id: BTreeMap<i64, CaseTrace> = BTreeMap::new();
        // Approved cases per household, oldest first, with the day each was decided.
        let mut approved: BTreeMap<i64, Vec<(Option<NaiveDate>, i64)>> = BTreeMap::new();
        for c in cases {
            let case_type = CaseType::parse(&c.case_type)
                .map_err(|_| common::corrupt("cases", "case_type", c.id))?;
            if c.state == "approved" {
                approved
                    .entry(c.household_id)
                    .or_default()
                    .push((c.decided_on, c.id));
            }
            by_id.insert(
                c.id,
                CaseTrace {
                    case_id: c.id,
                    case_type,
                    township_name: c.township_name.unwrap_or_else(|| c.township.clone()),
                    township: c.township,
                    decided_on: c.decided_on,
                    steps: kinds.remove(&c.id).unwrap_or_default(),
                },
            );
        }
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id = r.id;
            let bad = |column: &str| common::corrupt("payments", column, id);
            let source = if let (Some(entitlement_id), Some(from), Some(e_fen)) =
                (r.entitlement_id, &r.from_month, r.e_fen)
            {
                match (r.decision_id, r.d_kind, r.d_fen, r.decided_at) {
                    (Some(decision_id), Some(kind), Some(d_fen), Some(at)) => {
                        let decided_on = at.date_naive();
                        // The decision's own case, else the household's latest approval up to
                        // the decision (a restatement or review continues that approval).
                        let case_id = r.case_id.or_else(|| {
                            approved.get(&r.household_id).and_then(|cs| {
                                cs.iter()
                                    .rev()
                                    .find(|(on, _)| on.is_none_or(|on| on <= decided_on))
                                    .map(|(_, id)| *id)
                            })
                        });
                        LineSource::Entitlement {
                            entitlement_id,
                            from_month: Month::parse(from).map_err(|_| bad("from_month"))?,
                            monthly: Money::from_fen(e_fen),
                            decision_id,
                            decision_kind: kind,
                            decision_monthly: Money::from_fen(d_fen),
                            decided_on,
                            case: case_id.and_then(|c| by_id.get(&c).cloned()),
                        }
                    }
                    _ => LineSource::Untraced,
                }
            } else if let (Some(relief_id), Some(kind), Some(fen), Some(at)) =
                (r.relief_id, &r.relief_kind, r.relief_fen, r.recorded_at)
            {
                LineSource::Relief {
                    relief_id,
                    kind: ReliefKind::parse(kind).map_err(|_| bad("relief kind"))?,
                    amount: Money::from_fen(fen),
                    recorded_on: at.date_naive(),
                }
            } else {
                LineSource::Untraced
            };
            out.push(TracedPayment {
                line: LineRow {
                    payment_id: id,
                    month,
                    household: r.household_id,
                    household_number: r.number,
                    township_name: r.township_name.unwrap_or_else(|| r.township.clone()),
                    township: r.township,
                    community: r.community,
                    program: PaymentProgram::parse(&r.program).map_err(|_| bad("program"))?,
                    amount: Money::from_fen(r.amount_fen),
                    source,
                },
                status: PaymentStatus::parse(&r.status).map_err(|_| bad("status"))?,
            });
        }
        Ok(out)
    }

    /// The day in a registry death's history words, `…死亡（YYYY-MM-DD）…`.
    fn death_day(words: &str) -> Option<NaiveDate> {
        let (_, rest) = words.split_once("死亡（")?;
        let day: String = rest.chars().take(10).collect();
        NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok()
    }

    #[derive(sqlx::FromRow)]
    struct FindingSql {
        id: i64,
        check_kind: String,
        month: String,
        household_id: i64,
        number: String,
        community: String,
        township: String,
        township_name: Option<String>,
        person_id: Option<i64>,
        payment_id: Option<i64>,
        explanation: String,
        state: String,
        assignee: Option<i64>,
        assignee_name: Option<String>,
        found_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    }

    const FINDING_COLUMNS: &str = "f.id, f.check_kind, f.month, f.household_id, h.number, \
         f.community, f.township, tw.name AS township_name, f.person_id, f.payment_id, \
         f.explanation, f.state, f.assignee, u.display_name AS assignee_name, f.found_at, \
         f.updated_at FROM fund_findings f JOIN households h ON h.id = f.household_id \
         LEFT JOIN divisions tw ON tw.code = f.township LEFT JOIN users u ON u.id = f.assignee";

    impl FindingSql {
        fn into_finding(self) -> Result<Finding, StoreError> {
            let id = self.id;
            let bad = |column: &str| common::corrupt("fund_findings", column, id);
            Ok(Finding {
                id,
                check: CheckKind::parse(&self.check_kind).map_err(|_| bad("check_kind"))?,
                month: Month::parse(&self.month).map_err(|_| bad("month"))?,
                household: HouseholdId(self.household_id),
                household_number: self.number,
                community: self.community,
                township_name: self.township_name.unwrap_or_else(|| self.township.clone()),
                township: self.township,
                person: self.person_id,
                payment: self.payment_id,
                explanation: self.explanation,
                state: FindingState::parse(&self.state).map_err(|_| bad("state"))?,
                assignee: self.assignee,
                assignee_name: self.assignee_name,
                found_at: self.found_at,
                updated_at: self.updated_at,
            })
        }
    }

    async fn select_finding(conn: &mut Conn, id: i64) -> Result<Option<FindingSql>, sqlx::Error> {
        sqlx::query_as(&format!("SELECT {FINDING_COLUMNS} WHERE f.id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
    }

    #[derive(sqlx::FromRow)]
    struct RunSql {
        id: i64,
        month: String,
        trigger: String,
        ran_by: Option<String>,
        ran_at: DateTime<Utc>,
        ok: i64,
        found: i64,
        added: i64,
        error: Option<String>,
    }

    impl RunSql {
        fn into_run(self) -> Result<CheckRun, StoreError> {
            Ok(CheckRun {
                id: self.id,
                month: Month::parse(&self.month)
                    .map_err(|_| common::corrupt("fund_check_runs", "month", self.id))?,
                trigger: self.trigger,
                ran_by: self.ran_by.unwrap_or_else(|| "系统".into()),
                ran_at: self.ran_at,
                ok: self.ok == 1,
                found: self.found,
                added: self.added,
                error: self.error,
            })
        }
    }

    const RUN_COLUMNS: &str = "r.id, r.month, r.trigger, u.display_name AS ran_by, r.ran_at, \
         r.ok, r.found, r.added, r.error FROM fund_check_runs r LEFT JOIN users u ON u.id = r.ran_by";

    #[async_trait]
    impl Funds for Backend {
        async fn set_budget(
            &self,
            actor: &Actor,
            program: PaymentProgram,
            year: i32,
            amount: Money,
            note: &str,
        ) -> Result<Budget, StoreError> {
            if !may_set_budget(actor) {
                return Err(StoreError::Forbidden);
            }
            if amount.is_negative() || amount > Money::MAX_INPUT || !(2000..=2100).contains(&year)
            {
                return Err(StoreError::Invalid(
                    "预算金额须为不超过10亿元的非负数，年度须在2000至2100之间".into(),
                ));
            }
            let mut tx = self.begin_write().await?;
            let now = common::now();
            let note = common::clip(note);
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO fund_budgets (program, year, amount_fen, note, set_by, set_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(program.code())
            .bind(i64::from(year))
            .bind(amount.fen())
            .bind(&note)
            .bind(actor.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Create,
                &format!("fund_budget:{id}"),
                &format!("{year}年「{}」预算设为{amount}（依据 5.2）", program.label()),
            )
            .await?;
            tx.commit().await?;
            Ok(Budget {
                id,
                program,
                year,
                amount,
                note,
                set_by: actor.display_name.clone(),
                set_at: now,
            })
        }

        async fn budgets(&self, actor: &Actor, year: i32) -> Result<Vec<Budget>, StoreError> {
            if !may_read_funds(actor) {
                return Err(StoreError::Forbidden);
            }
            #[derive(sqlx::FromRow)]
            struct Row {
                id: i64,
                program: String,
                amount_fen: i64,
                note: String,
                set_by: Option<String>,
                set_at: DateTime<Utc>,
            }
            let rows: Vec<Row> = sqlx::query_as(
                "SELECT b.id, b.program, b.amount_fen, b.note, u.display_name AS set_by, \
                 b.set_at FROM fund_budgets b LEFT JOIN users u ON u.id = b.set_by \
                 WHERE b.year = $1 ORDER BY b.id DESC",
            )
            .bind(i64::from(year))
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(|r| {
                    Ok(Budget {
                        id: r.id,
                        program: PaymentProgram::parse(&r.program)
                            .map_err(|_| common::corrupt("fund_budgets", "program", r.id))?,
                        year,
                        amount: Money::from_fen(r.amount_fen),
                        note: r.note,
                        set_by: r.set_by.unwrap_or_else(|| "系统".into()),
                        set_at: r.set_at,
                    })
                })
                .collect()
        }

        async fn spending(&self, actor: &Actor, year: i32) -> Result<Vec<Spending>, StoreError> {
            if !may_read_funds(actor) {
                return Err(StoreError::Forbidden);
            }
            let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
                "SELECT program, month, CAST(SUM(amount_fen) AS BIGINT), COUNT(*) FROM payments \
                 WHERE month LIKE $1 AND status <> 'failed' GROUP BY program, month \
                 ORDER BY program, month",
            )
            .bind(format!("{year:04}-%"))
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(|(program, month, fen, lines)| {
                    Ok(Spending {
                        program: PaymentProgram::parse(&program)
                            .map_err(|_| common::corrupt("payments", "program", &month))?,
                        month: Month::parse(&month)
                            .map_err(|_| common::corrupt("payments", "month", &month))?,
                        amount: Money::from_fen(fen),
                        lines,
                    })
                })
                .collect()
        }

        async fn traced_payments(
            &self,
            actor: &Actor,
            month: Month,
        ) -> Result<Vec<TracedPayment>, StoreError> {
            if !may_read_funds(actor) {
                return Err(StoreError::Forbidden);
            }
            let lines = {
                let mut tx = self.begin_read().await?;
                traced(&mut tx, actor, month).await?
            };
            self.audit_alone(
                actor,
                AuditAction::BulkRead,
                &format!("payments:{month}"),
                &format!("资金监管：追溯发放{}笔的决定依据", lines.len()),
            )
            .await?;
            Ok(lines)
        }

        async fn check_input(&self, actor: &Actor, month: Month) -> Result<CheckInput, StoreError> {
            if !may_run_checks(actor) {
                return Err(StoreError::Forbidden);
            }
            let keys = self.keys();
            let m = month.to_string();
            let input = {
                let mut tx = self.begin_read().await?;
                let lines = traced(&mut tx, actor, month)
                    .await?
                    .into_iter()
                    .map(|t| t.line)
                    .collect();
                let persons: Vec<(i64, i64, String, Option<String>, String)> =
                    sqlx::query_as(&format!(
                        "SELECT id, household_id, id_number_bidx, id_number, relation \
                         FROM persons WHERE household_id IN ({PAID}) ORDER BY id"
                    ))
                    .bind(&m)
                    .fetch_all(&mut *tx)
                    .await?;
                let mut members = Vec::with_capacity(persons.len());
                let mut filed: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
                let mut heads: BTreeSet<i64> = BTreeSet::new();
                for (id, household, bidx, sealed, relation) in persons {
                    let masked = match &sealed {
                        Some(s) => {
                            let plain = common::unseal(
                                &keys,
                                s,
                                Column::PersonIdNumber,
                                "persons",
                                "id_number",
                                id,
                            )?;
                            // The number as filed, masked like `IdNumber::masked`.
                            let chars: Vec<char> = plain.chars().collect();
                            if chars.len() == 18 {
                                let head: String = chars[..6].iter().collect();
                                let tail: String = chars[14..].iter().collect();
                                format!("{head}********{tail}")
                            } else {
                                "（号码格式有误）".into()
                            }
                        }
                        None => "（未加密）".into(),
                    };
                    filed.entry(household).or_default().insert(id);
                    if relation == "head" {
                        heads.insert(id);
                    }
                    members.push(MemberRow {
                        household,
                        person: id,
                        identity_key: bidx,
                        masked,
                    });
                }
                let mut deaths = Vec::new();
                let logged: Vec<(i64, String, String)> = sqlx::query_as(&format!(
                    "SELECT household_id, field, new_value FROM change_log \
                     WHERE household_id IN ({PAID}) AND (field = '死亡' OR \
                     (field = '成员' AND new_value LIKE '%死亡（%')) ORDER BY id"
                ))
                .bind(&m)
                .fetch_all(&mut *tx)
                .await?;
                for (household, field, words) in logged {
                    if let Some(died_on) = death_day(&words) {
                        // The only member's death is recorded as 死亡; a removed member was
                        // never the head (the head cannot be removed).
                        let whole = field == "死亡";
                        deaths.push(DeathRow {
                            household,
                            person: None,
                            died_on,
                            head: whole,
                            whole_household: whole,
                            source: "已登记死亡".into(),
                        });
                    }
                }
                let reported: Vec<(i64, i64, NaiveDate)> = sqlx::query_as(&format!(
                    "SELECT fr.household_id, fr.person_id, fr.record_date FROM feed_records fr \
                     JOIN feed_imports fi ON fi.id = fr.import_id WHERE fi.kind = 'death' \
                     AND fr.person_id IS NOT NULL AND fr.record_date IS NOT NULL \
                     AND fr.household_id IN ({PAID}) ORDER BY fr.id"
                ))
                .bind(&m)
                .fetch_all(&mut *tx)
                .await?;
                let mut dead: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
                for (household, person, _) in &reported {
                    dead.entry(*household).or_default().insert(*person);
                }
                for (household, person, died_on) in reported {
                    let whole = filed
                        .get(&household)
                        .is_some_and(|f| dead.get(&household).is_some_and(|d| f.is_subset(d)));
                    deaths.push(DeathRow {
                        household,
                        person: Some(person),
                        died_on,
                        head: heads.contains(&person),
                        whole_household: whole,
                        source: "部门死亡信息".into(),
                    });
                }
                let sealed: Vec<(i64, String)> = sqlx::query_as(&format!(
                    "SELECT id, bank_account FROM households WHERE id IN ({PAID}) \
                     AND bank_account IS NOT NULL AND bank_account <> '' ORDER BY id"
                ))
                .bind(&m)
                .fetch_all(&mut *tx)
                .await?;
                let mut accounts = Vec::with_capacity(sealed.len());
                for (household, s) in sealed {
                    let plain = common::unseal(
                        &keys,
                        &s,
                        Column::HouseholdBankAccount,
                        "households",
                        "bank_account",
                        household,
                    )?;
                    // Compared by a keyed fingerprint of the digits; only the mask leaves.
                    let (digits, masked) = match BankAccount::parse(&plain) {
                        Ok(a) => (a.as_str().to_owned(), a.masked()),
                        Err(_) => (plain.trim().to_owned(), "****".to_owned()),
                    };
                    accounts.push(AccountRow {
                        household,
                        key: keys.account_fingerprint(&digits),
                        masked,
                    });
                }
                CheckInput {
                    lines,
                    members,
                    deaths,
                    accounts,
                }
            };
            self.audit_alone(
                actor,
                AuditAction::BulkRead,
                &format!("payments:{month}"),
                &format!(
                    "资金核查读取{}月发放{}笔及其家庭成员、死亡、账户",
                    month,
                    input.lines.len()
                ),
            )
            .await?;
            Ok(input)
        }

        async fn record_check_run(
            &self,
            actor: &Actor,
            month: Month,
            trigger: &str,
            outcome: Result<&[NewFinding], &str>,
        ) -> Result<CheckRun, StoreError> {
            if !may_run_checks(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut tx = self.begin_write().await?;
            let now = common::now();
            let mut added = 0_i64;
            let (found, error) = match outcome {
                Ok(findings) => {
                    for f in findings {
                        let (community, township): (String, String) = sqlx::query_as(
                            "SELECT community, township FROM households WHERE id = $1",
                        )
                        .bind(f.household)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                        let inserted = sqlx::query(
                            "INSERT INTO fund_findings (dedupe, check_kind, month, household_id, \
                             community, township, person_id, payment_id, explanation, state, \
                             found_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
                             'open', $10, $10) ON CONFLICT (dedupe) DO NOTHING",
                        )
                        .bind(&f.dedupe)
                        .bind(f.check.code())
                        .bind(f.month.to_string())
                        .bind(f.household)
                        .bind(&community)
                        .bind(&township)
                        .bind(f.person)
                        .bind(f.payment)
                        .bind(&f.explanation)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        added += i64::try_from(inserted).unwrap_or(0);
                    }
                    (i64::try_from(findings.len()).unwrap_or(i64::MAX), None)
                }
                Err(e) => (0, Some(common::clip(e))),
            };
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO fund_check_runs (month, trigger, ran_by, ran_at, ok, found, added, \
                 error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(month.to_string())
            .bind(trigger)
            .bind(actor.user_id)
            .bind(now)
            .bind(i64::from(error.is_none()))
            .bind(found)
            .bind(added)
            .bind(&error)
            .fetch_one(&mut *tx)
            .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Create,
                &format!("fund_check_run:{id}"),
                &match &error {
                    None => format!("资金核查{month}：发现{found}条，新增{added}条（依据 5.2）"),
                    Some(_) => format!("资金核查{month}未能完成（依据 5.2）"),
                },
            )
            .await?;
            tx.commit().await?;
            Ok(CheckRun {
                id,
                month,
                trigger: trigger.to_owned(),
                ran_by: actor.display_name.clone(),
                ran_at: now,
                ok: error.is_none(),
                found,
                added,
                error,
            })
        }

        async fn check_runs(
            &self,
            actor: &Actor,
            month: Option<Month>,
        ) -> Result<Vec<CheckRun>, StoreError> {
            if !may_read_findings(actor) {
                return Err(StoreError::Forbidden);
            }
            let rows: Vec<RunSql> = match month {
                Some(m) => {
                    sqlx::query_as(&format!(
                        "SELECT {RUN_COLUMNS} WHERE r.month = $1 ORDER BY r.id DESC LIMIT 50"
                    ))
                    .bind(m.to_string())
                    .fetch_all(&self.pool)
                    .await?
                }
                None => {
                    sqlx::query_as(&format!("SELECT {RUN_COLUMNS} ORDER BY r.id DESC LIMIT 50"))
                        .fetch_all(&self.pool)
                        .await?
                }
            };
            rows.into_iter().map(RunSql::into_run).collect()
        }

        async fn findings(
            &self,
            actor: &Actor,
            filter: &FindingFilter,
        ) -> Result<Vec<Finding>, StoreError> {
            if !may_read_findings(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut qb: QueryBuilder<'_, Db> =
                QueryBuilder::new(format!("SELECT {FINDING_COLUMNS} WHERE 1 = 1"));
            push_community_scope(&mut qb, "f.community", actor);
            if let Some(d) = &filter.division {
                qb.push(" AND f.community LIKE ")
                    .push_bind(format!("{}%", d.replace(['%', '_'], "")));
            }
            if let Some(s) = filter.state {
                qb.push(" AND f.state = ").push_bind(s.code());
            }
            if let Some(c) = filter.check {
                qb.push(" AND f.check_kind = ").push_bind(c.code());
            }
            if let Some(m) = filter.month {
                qb.push(" AND f.month = ").push_bind(m.to_string());
            }
            qb.push(" ORDER BY f.id DESC LIMIT 5000");
            let rows: Vec<FindingSql> = qb.build_query_as().fetch_all(&self.pool).await?;
            self.audit_alone(
                actor,
                AuditAction::List,
                "fund_findings",
                &format!("查看资金核查发现：{}条", rows.len()),
            )
            .await?;
            rows.into_iter().map(FindingSql::into_finding).collect()
        }

        async fn finding(
            &self,
            actor: &Actor,
            id: i64,
        ) -> Result<(Finding, Vec<FindingNote>), StoreError> {
            if !may_read_findings(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut conn = self.pool.acquire().await?;
            let finding = match select_finding(&mut conn, id).await? {
                Some(r) if covers(actor, &r.community) => r.into_finding()?,
                _ => return Err(StoreError::NotFound),
            };
            #[derive(sqlx::FromRow)]
            struct NoteSql {
                at: DateTime<Utc>,
                actor_name: String,
                state: String,
                assignee_name: Option<String>,
                note: String,
            }
            let notes: Vec<NoteSql> = sqlx::query_as(
                "SELECT n.at, n.actor_name, n.state, u.display_name AS assignee_name, n.note \
                 FROM fund_finding_notes n LEFT JOIN users u ON u.id = n.assignee \
                 WHERE n.finding_id = $1 ORDER BY n.id",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            drop(conn);
            let notes = notes
                .into_iter()
                .map(|n| {
                    Ok(FindingNote {
                        at: n.at,
                        actor_name: n.actor_name,
                        state: FindingState::parse(&n.state)
                            .map_err(|_| common::corrupt("fund_finding_notes", "state", id))?,
                        assignee_name: n.assignee_name,
                        note: n.note,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            self.audit_alone(
                actor,
                AuditAction::Read,
                &format!("household:{}", finding.household.0),
                &format!("查看资金核查发现{id}"),
            )
            .await?;
            Ok((finding, notes))
        }

        async fn change_finding(
            &self,
            actor: &Actor,
            id: i64,
            change: &FindingChange,
        ) -> Result<Finding, StoreError> {
            let allowed = match change {
                FindingChange::Note(_) => may_note_findings(actor),
                FindingChange::Assign { .. } | FindingChange::Move { .. } => {
                    may_work_findings(actor)
                }
            };
            if !allowed {
                return Err(StoreError::Forbidden);
            }
            let mut tx = self.begin_write().await?;
            let current = match select_finding(&mut tx, id).await? {
                Some(r) if covers(actor, &r.community) => r.into_finding()?,
                _ => return Err(StoreError::NotFound),
            };
            let (state, assignee, note, words) = match change {
                FindingChange::Note(note) => {
                    if note.trim().is_empty() {
                        return Err(StoreError::Invalid("请填写核查记录的内容".into()));
                    }
                    (current.state, current.assignee, note, "记录".to_owned())
                }
                FindingChange::Assign { assignee, note } => {
                    if current.state.is_closed() {
                        return Err(StoreError::Invalid(format!(
                            "该发现已核查为「{}」，不能再指派",
                            current.state.label()
                        )));
                    }
                    let found: Option<(String,)> = sqlx::query_as(
                        "SELECT role FROM users WHERE id = $1 AND role = 'auditor' \
                         AND NOT disabled",
                    )
                    .bind(assignee)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if found.is_none() {
                        return Err(StoreError::Invalid(
                            "只能指派给在用的监督审计人员账号".into(),
                        ));
                    }
                    let state = if current.state == FindingState::Open {
                        FindingState::Investigating
                    } else {
                        current.state
                    };
                    (state, Some(*assignee), note, "指派".to_owned())
                }
                FindingChange::Move { to, note } => {
                    if !current.state.may_become(*to) {
                        return Err(StoreError::Invalid(format!(
                            "该发现为「{}」，不能改为「{}」",
                            current.state.label(),
                            to.label()
                        )));
                    }
                    if to.is_closed() && note.trim().is_empty() {
                        return Err(StoreError::Invalid(
                            "核查结论须写明理由（核查情况）".into(),
                        ));
                    }
                    (*to, current.assignee, note, format!("改为{}", to.label()))
                }
            };
            let now = common::now();
            sqlx::query(
                "UPDATE fund_findings SET state = $1, assignee = $2, updated_at = $3 \
                 WHERE id = $4",
            )
            .bind(state.code())
            .bind(assignee)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO fund_finding_notes (finding_id, at, user_id, actor_name, state, \
                 assignee, note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(now)
            .bind(actor.user_id)
            .bind(common::clip(&actor.display_name))
            .bind(state.code())
            .bind(assignee)
            .bind(note.trim().chars().take(2000).collect::<String>())
            .execute(&mut *tx)
            .await?;
            append_audit(
                &mut tx,
                actor,
                AuditAction::Update,
                &format!("household:{}", current.household.0),
                &format!("资金核查发现{id}：{words}（依据 5.2）"),
            )
            .await?;
            let row = select_finding(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
            tx.commit().await?;
            row.into_finding()
        }

        async fn auditors(&self, actor: &Actor) -> Result<Vec<(i64, String)>, StoreError> {
            if !may_read_findings(actor) {
                return Err(StoreError::Forbidden);
            }
            Ok(sqlx::query_as(
                "SELECT id, display_name FROM users WHERE role = 'auditor' AND NOT disabled \
                 ORDER BY id",
            )
            .fetch_all(&self.pool)
            .await?)
        }
    }
}

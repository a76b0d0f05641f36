// The work dashboard's counts for both backends (see `dashboard.rs`): included into `sqlite.rs`
// and `postgres.rs` after `shared_impl.rs`, whose helpers it uses through `super::*`.

mod dashboard_sql {
    use super::*;

    use crate::dashboard::{
        CareMode, DashboardTallies, Dashboards, MonthTally, ProfileTally, may_read_dashboard,
    };
    use doudi_core::{Need, PovertyCause};

    fn count(n: i64) -> u32 {
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    fn township(code: &str) -> Result<DivisionCode, StoreError> {
        DivisionCode::parse(code).map_err(|_| common::corrupt("households", "township", code))
    }

    #[async_trait]
    impl Dashboards for Backend {
        async fn dashboard_tallies(
            &self,
            actor: &Actor,
            months: &[Month],
        ) -> Result<DashboardTallies, StoreError> {
            if !may_read_dashboard(actor) {
                return Err(StoreError::Forbidden);
            }
            let mut tallies = DashboardTallies::default();
            let mut tx = self.begin_read().await?;
            // The periods overlapping the months, summed once per township, programme and
            // span (few distinct spans), then spread over the months here: one scan instead of
            // one per month.
            if let (Some(first), Some(last)) = (months.iter().min(), months.iter().max()) {
                let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
                    "SELECT h.township, e.program, e.from_month, e.until_month, COUNT(*), \
                     CAST(COALESCE(SUM(pc.n), 0) AS BIGINT), \
                     CAST(COALESCE(SUM(e.monthly_fen), 0) AS BIGINT) \
                     FROM entitlements e JOIN households h ON h.id = e.household_id \
                     LEFT JOIN (SELECT household_id, COUNT(*) AS n FROM persons \
                       GROUP BY household_id) pc ON pc.household_id = e.household_id \
                     WHERE e.from_month <= ",
                );
                qb.push_bind(last.to_string())
                    .push(" AND (e.until_month IS NULL OR e.until_month >= ")
                    .push_bind(first.to_string())
                    .push(")");
                push_household_scope(&mut qb, actor);
                qb.push(" GROUP BY h.township, e.program, e.from_month, e.until_month");
                let rows: Vec<(String, String, String, Option<String>, i64, i64, i64)> =
                    qb.build_query_as().fetch_all(&mut *tx).await?;
                let mut sums: std::collections::BTreeMap<(Month, String, String), (i64, i64, i64)> =
                    std::collections::BTreeMap::new();
                for (t, program, from, until, households, people, amount) in rows {
                    let from = Month::parse(&from)
                        .map_err(|_| common::corrupt("entitlements", "from_month", &from))?;
                    let until = until
                        .map(|u| {
                            Month::parse(&u)
                                .map_err(|_| common::corrupt("entitlements", "until_month", &u))
                        })
                        .transpose()?;
                    for &m in months {
                        if from <= m && until.is_none_or(|u| m <= u) {
                            let s = sums.entry((m, t.clone(), program.clone())).or_default();
                            s.0 += households;
                            s.1 += people;
                            s.2 = s.2.saturating_add(amount);
                        }
                    }
                }
                for ((m, t, program), (households, people, amount)) in sums {
                    tallies.periods.push(MonthTally {
                        month: m,
                        township: township(&t)?,
                        program,
                        households: count(households),
                        people: count(people),
                        amount_fen: amount,
                    });
                }
            }
            if let (Some(first), Some(last)) = (months.iter().min(), months.iter().max()) {
                let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
                    "SELECT p.month, h.township, p.program, COUNT(*), \
                     CAST(COALESCE(SUM(p.amount_fen), 0) AS BIGINT) \
                     FROM payments p JOIN households h ON h.id = p.household_id \
                     WHERE p.month >= ",
                );
                qb.push_bind(first.to_string())
                    .push(" AND p.month <= ")
                    .push_bind(last.to_string());
                push_household_scope(&mut qb, actor);
                qb.push(
                    " GROUP BY p.month, h.township, p.program \
                     ORDER BY p.month, h.township, p.program",
                );
                let rows: Vec<(String, String, String, i64, i64)> =
                    qb.build_query_as().fetch_all(&mut *tx).await?;
                for (month, t, program, lines, amount) in rows {
                    let month = Month::parse(&month)
                        .map_err(|_| common::corrupt("payments", "month", &month))?;
                    if !months.contains(&month) {
                        continue;
                    }
                    tallies.payments.push(MonthTally {
                        month,
                        township: township(&t)?,
                        program,
                        households: count(lines),
                        people: 0,
                        amount_fen: amount,
                    });
                }
            }
            let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
                "SELECT h.township, h.category, h.causes, h.needs, COUNT(*), \
                 CAST(COALESCE(SUM(pc.n), 0) AS BIGINT) \
                 FROM households h LEFT JOIN (SELECT household_id, COUNT(*) AS n FROM persons \
                   GROUP BY household_id) pc ON pc.household_id = h.id \
                 WHERE h.exited_on IS NULL",
            );
            push_household_scope(&mut qb, actor);
            qb.push(
                " GROUP BY h.township, h.category, h.causes, h.needs \
                 ORDER BY h.township, h.category, h.causes, h.needs",
            );
            let rows: Vec<(String, String, String, String, i64, i64)> =
                qb.build_query_as().fetch_all(&mut *tx).await?;
            drop(tx);
            for (t, category, causes, needs, households, people) in rows {
                tallies.profiles.push(ProfileTally {
                    township: township(&t)?,
                    category: Category::parse(&category)
                        .map_err(|_| common::corrupt("households", "category", &category))?,
                    causes: common::split_codes(&causes, PovertyCause::parse, "causes", 0)?,
                    needs: common::split_codes(&needs, Need::parse, "needs", 0)?,
                    households: count(households),
                    people: count(people),
                });
            }
            self.audit_alone(
                actor,
                AuditAction::List,
                "households",
                &format!(
                    "工作看板统计：{}个月，{}组在享待遇，{}组发放，{}组现有家庭（仅统计数字）",
                    months.len(),
                    tallies.periods.len(),
                    tallies.payments.len(),
                    tallies.profiles.len()
                ),
            )
            .await?;
            Ok(tallies)
        }

        async fn care_modes(&self, actor: &Actor) -> Result<Vec<CareMode>, StoreError> {
            if !may_read_dashboard(actor) {
                return Err(StoreError::Forbidden);
            }
            let rows: Vec<(i64, String, String)> = {
                let mut tx = self.begin_read().await?;
                let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(
                    "SELECT c.person_id, c.mode, c.institution FROM tekun_care c \
                     JOIN households h ON h.id = c.household_id \
                     WHERE c.id IN (SELECT MAX(c2.id) FROM tekun_care c2 GROUP BY c2.person_id)",
                );
                push_household_scope(&mut qb, actor);
                qb.push(" ORDER BY c.person_id");
                qb.build_query_as().fetch_all(&mut *tx).await?
            };
            self.audit_alone(
                actor,
                AuditAction::List,
                "tekun_care",
                &format!("特困人员供养方式（台账）：{}人", rows.len()),
            )
            .await?;
            Ok(rows
                .into_iter()
                .map(|(person, mode, institution)| CareMode {
                    person: PersonId(person),
                    centralised: mode == "centralised",
                    institution,
                })
                .collect())
        }
    }
}

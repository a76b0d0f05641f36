// Pairing units and pairing in bulk, for both backends (see `units.rs`): included into
// `sqlite.rs` and `postgres.rs` after `shared_impl.rs`, whose imports and helpers it uses.

use crate::units::{Unit, UnitKind, Units, may_read_units};

#[async_trait]
impl Units for Backend {
    async fn units(&self, actor: &Actor) -> Result<Vec<Unit>, StoreError> {
        if !may_read_units(actor) {
            return Err(StoreError::Forbidden);
        }
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, name, kind FROM units ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        let communities: Vec<(i64, String)> =
            sqlx::query_as("SELECT unit_id, community FROM unit_communities ORDER BY community")
                .fetch_all(&self.pool)
                .await?;
        let members: Vec<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT m.unit_id, u.id, u.username, u.display_name FROM unit_members m \
             JOIN users u ON u.id = m.user_id ORDER BY u.username",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, name, kind)| {
                Ok(Unit {
                    id,
                    name,
                    kind: UnitKind::parse(&kind).map_err(|_| common::corrupt("units", "kind", id))?,
                    communities: communities
                        .iter()
                        .filter(|(u, _)| *u == id)
                        .map(|(_, c)| {
                            DivisionCode::parse(c)
                                .map_err(|_| common::corrupt("unit_communities", "community", id))
                        })
                        .collect::<Result<_, _>>()?,
                    members: members
                        .iter()
                        .filter(|(u, ..)| *u == id)
                        .map(|(_, user, name, display)| (*user, name.clone(), display.clone()))
                        .collect(),
                })
            })
            .collect()
    }

    async fn create_unit(
        &self,
        actor: &Actor,
        name: &str,
        kind: UnitKind,
    ) -> Result<i64, StoreError> {
        if actor.role != Role::CountyApprover {
            return Err(StoreError::Forbidden);
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(StoreError::Invalid("单位名称应为1到60个字".into()));
        }
        let mut tx = self.begin_write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO units (name, kind, created_by, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(name)
        .bind(kind.code())
        .bind(actor.user_id)
        .bind(common::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match common::unique_violation(&e) {
            Some(_) => StoreError::Duplicate(format!("已有名为“{name}”的单位")),
            None => e.into(),
        })?;
        append_audit(
            &mut tx,
            actor,
            AuditAction::Create,
            &format!("unit:{id}"),
            &format!("新建结对责任单位：{name}（{}）", kind.label()),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn set_unit(
        &self,
        actor: &Actor,
        unit: i64,
        communities: &[DivisionCode],
        members: &[i64],
    ) -> Result<(), StoreError> {
        if actor.role != Role::CountyApprover {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_write().await?;
        let found: Option<(String,)> = sqlx::query_as("SELECT name FROM units WHERE id = $1")
            .bind(unit)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((name,)) = found else {
            return Err(StoreError::NotFound);
        };
        for c in communities {
            let filed: Option<(String,)> =
                sqlx::query_as("SELECT code FROM divisions WHERE code = $1")
                    .bind(c.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            if filed.is_none() || !c.is_community() {
                return Err(StoreError::Invalid(format!("社区代码 {c} 不存在")));
            }
        }
        for m in members {
            match select_user(&mut tx, *m).await? {
                Some(u) if u.role == Role::PairedCadre && !u.disabled => {}
                Some(u) => {
                    return Err(StoreError::Invalid(format!(
                        "账户 {} 不是在用的结对帮扶干部",
                        u.username
                    )));
                }
                None => return Err(StoreError::Invalid(format!("账户（ID {m}）不存在"))),
            }
        }
        sqlx::query("DELETE FROM unit_communities WHERE unit_id = $1")
            .bind(unit)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM unit_members WHERE unit_id = $1")
            .bind(unit)
            .execute(&mut *tx)
            .await?;
        let mut seen = HashSet::new();
        for c in communities.iter().filter(|c| seen.insert(c.as_str().to_owned())) {
            sqlx::query("INSERT INTO unit_communities (unit_id, community) VALUES ($1, $2)")
                .bind(unit)
                .bind(c.as_str())
                .execute(&mut *tx)
                .await?;
        }
        let mut seen = HashSet::new();
        for m in members.iter().filter(|m| seen.insert(**m)) {
            sqlx::query("INSERT INTO unit_members (unit_id, user_id) VALUES ($1, $2)")
                .bind(unit)
                .bind(m)
                .execute(&mut *tx)
                .await?;
        }
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("unit:{unit}"),
            &format!(
                "设定结对责任单位“{name}”：社区{}个，干部{}人",
                communities.len(),
                members.len()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn assign(&self, actor: &Actor, plan: &[(HouseholdId, i64)]) -> Result<u64, StoreError> {
        if !actor.may_manage_pairings() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_write().await?;
        for (household, cadre) in plan {
            let (paired,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM pairings WHERE household_id = $1")
                    .bind(household.0)
                    .fetch_one(&mut *tx)
                    .await?;
            if paired > 0 {
                return Err(StoreError::Invalid(
                    "方案中有家庭刚刚已有结对干部，请重新生成方案".into(),
                ));
            }
            pair_in(&mut tx, actor, *household, *cadre).await?;
        }
        tx.commit().await?;
        Ok(plan.len() as u64)
    }

    async fn hand_over(
        &self,
        actor: &Actor,
        from: i64,
        plan: &[(HouseholdId, i64)],
    ) -> Result<u64, StoreError> {
        if !actor.may_manage_pairings() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_write().await?;
        let theirs: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT h.id, h.number, h.community FROM pairings p \
             JOIN households h ON h.id = p.household_id WHERE p.user_id = $1",
        )
        .bind(from)
        .fetch_all(&mut *tx)
        .await?;
        let theirs: Vec<(i64, String)> = theirs
            .into_iter()
            .filter(|(_, _, community)| covers(actor, community))
            .map(|(id, number, _)| (id, number))
            .collect();
        for (household, cadre) in plan {
            if *cadre == from {
                return Err(StoreError::Invalid("不能移交给同一名干部".into()));
            }
            if !theirs.iter().any(|(h, _)| *h == household.0) {
                return Err(StoreError::Invalid(
                    "方案中有家庭不是该干部结对的家庭，请重新生成方案".into(),
                ));
            }
        }
        let mut moved = 0;
        for (household, number) in &theirs {
            sqlx::query("DELETE FROM pairings WHERE household_id = $1 AND user_id = $2")
                .bind(household)
                .bind(from)
                .execute(&mut *tx)
                .await?;
            for (_, cadre) in plan.iter().filter(|(h, _)| h.0 == *household) {
                match pair_in(&mut tx, actor, HouseholdId(*household), *cadre).await {
                    Ok(()) | Err(StoreError::Duplicate(_)) => moved += 1,
                    Err(e) => return Err(e),
                }
            }
            let (left,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM pairings WHERE household_id = $1")
                    .bind(household)
                    .fetch_one(&mut *tx)
                    .await?;
            if left == 0 {
                return Err(StoreError::Invalid(format!(
                    "户 {number} 移交后将没有结对干部；请为每一户指定接手的干部"
                )));
            }
            append_audit(
                &mut tx,
                actor,
                AuditAction::Delete,
                &format!("household:{household}"),
                &format!("结对帮扶干部 user:{from} 移交"),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(moved)
    }

    async fn cadre_loads(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(i64, String, String, String, i64)>, StoreError> {
        if !may_read_units(actor) {
            return Err(StoreError::Forbidden);
        }
        let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT u.id, u.username, u.display_name, u.scope, \
             (SELECT COUNT(*) FROM pairings p WHERE p.user_id = u.id) \
             FROM users u WHERE u.role = $1 AND u.disabled = $2 ORDER BY u.username",
        )
        .bind(Role::PairedCadre.code())
        .bind(false)
        .fetch_all(&self.pool)
        .await?;
        let prefix = actor.scope.prefix();
        Ok(rows
            .into_iter()
                        .filter(|(.., scope, _)| scope.starts_with(prefix) || prefix.starts_with(scope.as_str()))
            .collect())
    }
}

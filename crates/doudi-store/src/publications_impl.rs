// Publications for both backends (see `publications.rs`): included into `sqlite.rs` and
// `postgres.rs` after `shared_impl.rs`, whose imports and helpers it uses.

use crate::publications::{NewPublication, Publication, PublicationKind, Publications, may_publish};

#[async_trait]
impl Publications for Backend {
    async fn publications(
        &self,
        actor: Option<&Actor>,
        drafts: bool,
    ) -> Result<Vec<Publication>, StoreError> {
        if drafts && !actor.is_some_and(may_publish) {
            return Err(StoreError::Forbidden);
        }
        let sql = if drafts {
            "SELECT id, kind, title, body, published, updated_at FROM publications \
             ORDER BY updated_at DESC, id DESC"
        } else {
            "SELECT id, kind, title, body, published, updated_at FROM publications \
             WHERE published = 1 ORDER BY updated_at DESC, id DESC"
        };
        let rows: Vec<(i64, String, String, String, i64, DateTime<Utc>)> =
            sqlx::query_as(sql).fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|(id, kind, title, body, published, updated_at)| {
                Ok(Publication {
                    id,
                    kind: PublicationKind::parse(&kind)
                        .map_err(|_| common::corrupt("publications", "kind", id))?,
                    title,
                    body,
                    published: published != 0,
                    updated_at,
                })
            })
            .collect()
    }

    async fn save_publication(
        &self,
        actor: &Actor,
        id: Option<i64>,
        p: &NewPublication,
    ) -> Result<i64, StoreError> {
        if !may_publish(actor) {
            return Err(StoreError::Forbidden);
        }
        let title = p.title.trim();
        if title.is_empty() || title.chars().count() > 80 {
            return Err(StoreError::Invalid("标题应为1到80个字".into()));
        }
        let body = p.body.trim();
        if body.is_empty() || body.chars().count() > 20_000 {
            return Err(StoreError::Invalid("正文应为1到20,000个字".into()));
        }
        let now = common::now();
        let mut tx = self.begin_write().await?;
        let id = match id {
            None => {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO publications (kind, title, body, published, updated_by, \
                     updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(p.kind.code())
                .bind(title)
                .bind(body)
                .bind(i64::from(p.published))
                .bind(actor.user_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                id
            }
            Some(id) => {
                let done = sqlx::query(
                    "UPDATE publications SET kind = $1, title = $2, body = $3, published = $4, \
                     updated_by = $5, updated_at = $6 WHERE id = $7",
                )
                .bind(p.kind.code())
                .bind(title)
                .bind(body)
                .bind(i64::from(p.published))
                .bind(actor.user_id)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                id
            }
        };
        append_audit(
            &mut tx,
            actor,
            AuditAction::Update,
            &format!("publication:{id}"),
            &format!(
                "{}{}：{}",
                if p.published { "公开" } else { "保存草稿" },
                p.kind.label(),
                common::clip(title)
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

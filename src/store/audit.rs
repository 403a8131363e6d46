//! The audit log: who did what to which dictation, when. Append-only (the database's
//! triggers refuse updates and deletes). An event names an action and ids, never patient
//! text: `detail` holds only things like a status or a finding id.

use sqlx::Row;

use super::{Result, Store, now_ms, rfc3339};

#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEvent {
    pub at: String,
    pub user: String,
    pub action: String,
    pub dictation: Option<String>,
    pub detail: String,
}

/// Appends an event inside a caller's transaction (so the change and its record commit
/// together) or on the pool.
pub(super) async fn append<'e, E>(
    exec: E,
    user: &str,
    action: &str,
    dictation: Option<&str>,
    detail: &str,
) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit (at, user_name, action, dictation, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now_ms())
    .bind(user)
    .bind(action)
    .bind(dictation)
    .bind(detail)
    .execute(exec)
    .await?;
    Ok(())
}

impl Store {
    /// Records an event that is not part of a larger change (a view, an export, a login).
    pub async fn audit(
        &self,
        user: &str,
        action: &str,
        dictation: Option<&str>,
        detail: &str,
    ) -> Result<()> {
        append(&self.pool, user, action, dictation, detail).await
    }

    /// The newest events first, optionally for one dictation.
    pub async fn audit_events(
        &self,
        dictation: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEvent>> {
        let rows = sqlx::query(
            "SELECT at, user_name, action, dictation, detail FROM audit \
             WHERE ($1 IS NULL OR dictation = $1) ORDER BY id DESC LIMIT $2",
        )
        .bind(dictation)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEvent {
                    at: rfc3339(r.try_get("at")?),
                    user: r.try_get("user_name")?,
                    action: r.try_get("action")?,
                    dictation: r.try_get("dictation")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }
}

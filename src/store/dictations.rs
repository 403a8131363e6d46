//! Dictations: their fields, transcript, status, the secretary's lock, and decisions on
//! their queries. Every change is written in one transaction with its audit event.
//!
//! The store keeps what it is given; the rules of who may do what live in `workflow` and
//! `server`. Never logs patient fields or transcript text.

use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::audit::append;
use super::{Error, Result, Store, now_ms};
use crate::transcript::Transcript;
use crate::workflow::{FindingState, Priority, Status};

/// A secretary's lock on a dictation lapses after this long without activity (ms).
pub const LOCK_IDLE_MS: i64 = 15 * 60 * 1000;
/// Attempts at transcribing before a dictation is marked failed.
pub const MAX_ATTEMPTS: i64 = 3;

#[derive(Debug, Clone)]
pub struct NewDictation {
    pub id: String,
    pub author_id: i64,
    pub priority: Priority,
    pub title: String,
    pub template: String,
    pub due: Option<i64>,
    pub patient: Value,
    pub recipient: Value,
    /// Other template fields by dotted name ("clinic.name": "...").
    pub fields: Value,
    pub note: String,
    pub audio_name: String,
    pub audio_type: String,
    pub audio_bytes: i64,
    pub duration: f64,
}

#[derive(Debug, Clone)]
pub struct Dictation {
    pub id: String,
    pub author_id: i64,
    pub author: String,
    pub status: Status,
    pub priority: Priority,
    pub title: String,
    pub template: String,
    pub due: Option<i64>,
    pub patient: Value,
    pub recipient: Value,
    pub fields: Value,
    pub note: String,
    pub duration: Option<f64>,
    pub audio_name: String,
    pub audio_type: String,
    pub audio_bytes: i64,
    pub transcript: Option<Transcript>,
    pub error: Option<String>,
    pub attempts: i64,
    pub locked_by: Option<(i64, String)>,
    pub created: i64,
    pub updated: i64,
}

/// One row of the worklist.
#[derive(Debug, Clone)]
pub struct DictationList {
    pub id: String,
    pub status: Status,
    pub priority: Priority,
    pub author: String,
    pub title: String,
    pub patient: Value,
    pub duration: Option<f64>,
    pub created: i64,
    pub due: Option<i64>,
    /// The letter or note template (the work type); empty until one is chosen.
    pub template: String,
    /// The secretary holding the dictation's lock, while it holds.
    pub locked_by: Option<String>,
    /// Why the last transcription failed.
    pub error: Option<String>,
    pub updated: i64,
}

/// A decision on one query.
#[derive(Debug, Clone)]
pub struct FindingDecision {
    pub finding_id: String,
    pub state: FindingState,
    pub note: String,
    pub answer: String,
    pub by: String,
    pub at: i64,
}

pub(super) fn json_col(row: &AnyRow, col: &str) -> Result<Value> {
    let s: String = row.try_get(col)?;
    serde_json::from_str(&s).map_err(|e| Error::Corrupt(format!("{col}: {e}")))
}

fn status_col(row: &AnyRow) -> Result<Status> {
    let s: String = row.try_get("status")?;
    Status::parse(&s).ok_or_else(|| Error::Corrupt(format!("unknown status {s}")))
}

pub(super) fn priority_col(row: &AnyRow) -> Result<Priority> {
    let s: String = row.try_get("priority")?;
    Priority::parse(&s).ok_or_else(|| Error::Corrupt(format!("unknown priority {s}")))
}

const DICTATION_SQL: &str = "SELECT d.*, u.name AS author_name, l.name AS locker_name, \
     COALESCE(j.attempts, 0) AS job_attempts \
     FROM dictations d JOIN users u ON u.id = d.author_id \
     LEFT JOIN users l ON l.id = d.locked_by \
     LEFT JOIN jobs j ON j.dictation_id = d.id \
     WHERE d.id = $1 AND d.deleted = 0";

fn dictation_from(row: &AnyRow) -> Result<Dictation> {
    let transcript: Option<String> = row.try_get("transcript")?;
    let transcript = transcript
        .map(|t| serde_json::from_str(&t).map_err(|e| Error::Corrupt(format!("transcript: {e}"))))
        .transpose()?;
    let lock_until: Option<i64> = row.try_get("lock_until")?;
    let locked_by: Option<i64> = row.try_get("locked_by")?;
    let locker: Option<String> = row.try_get("locker_name")?;
    let locked_by = locked_by.zip(live_lock(locker, lock_until));
    Ok(Dictation {
        id: row.try_get("id")?,
        author_id: row.try_get("author_id")?,
        author: row.try_get("author_name")?,
        status: status_col(row)?,
        priority: priority_col(row)?,
        title: row.try_get("title")?,
        template: row.try_get("template")?,
        due: row.try_get("due")?,
        patient: json_col(row, "patient")?,
        recipient: json_col(row, "recipient")?,
        fields: json_col(row, "fields")?,
        note: row.try_get("note")?,
        duration: row.try_get("duration")?,
        audio_name: row.try_get("audio_name")?,
        audio_type: row.try_get("audio_type")?,
        audio_bytes: row.try_get("audio_bytes")?,
        transcript,
        error: row.try_get("error")?,
        attempts: row.try_get("job_attempts")?,
        locked_by,
        created: row.try_get("created")?,
        updated: row.try_get("updated")?,
    })
}

/// The lock holder's name while the lock holds.
fn live_lock(name: Option<String>, until: Option<i64>) -> Option<String> {
    name.filter(|_| until.is_some_and(|u| u > now_ms()))
}

/// Fields a secretary or author may change on a dictation; `None` leaves one as it is.
#[derive(Debug, Clone, Default)]
pub struct FieldChanges {
    pub title: Option<String>,
    pub template: Option<String>,
    pub priority: Option<Priority>,
    pub due: Option<Option<i64>>,
    pub patient: Option<Value>,
    pub recipient: Option<Value>,
    pub fields: Option<Value>,
    pub note: Option<String>,
}

impl Store {
    /// Stores a new dictation, queues its transcription and records who created it, all in
    /// one transaction: it is either there and queued, or not there at all.
    pub async fn create_dictation(&self, d: &NewDictation, by: &str) -> Result<()> {
        self.create_dictation_from(d, by, None).await
    }

    /// `create_dictation` for a file imported from a watched folder: the file's content hash
    /// is recorded in the same transaction, so it is imported exactly once.
    pub async fn create_dictation_from(
        &self,
        d: &NewDictation,
        by: &str,
        import_sha256: Option<&str>,
    ) -> Result<()> {
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO dictations (id, author_id, status, priority, title, template, due, \
             patient, recipient, fields, note, duration, audio_name, audio_type, audio_bytes, \
             created, updated) VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7, $8, $9, $10, $11, \
             $12, $13, $14, $15, $15)",
        )
        .bind(&d.id)
        .bind(d.author_id)
        .bind(d.priority.as_str())
        .bind(&d.title)
        .bind(&d.template)
        .bind(d.due)
        .bind(d.patient.to_string())
        .bind(d.recipient.to_string())
        .bind(d.fields.to_string())
        .bind(&d.note)
        .bind(d.duration)
        .bind(&d.audio_name)
        .bind(&d.audio_type)
        .bind(d.audio_bytes)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO jobs (dictation_id, state, rank, due_key, max_attempts, run_after, \
             created) VALUES ($1, 'queued', $2, $3, $4, $5, $5)",
        )
        .bind(&d.id)
        .bind(d.priority.rank())
        .bind(d.due.unwrap_or(i64::MAX))
        .bind(MAX_ATTEMPTS)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if let Some(sha) = import_sha256 {
            sqlx::query("INSERT INTO imports (sha256, dictation_id, created) VALUES ($1, $2, $3)")
                .bind(sha)
                .bind(&d.id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        append(&mut *tx, by, "create", Some(&d.id), "").await?;
        self.notify_workers(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A dictation by id (deleted ones are not found).
    pub async fn dictation(&self, id: &str) -> Result<Option<Dictation>> {
        let row = sqlx::query(DICTATION_SQL)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(dictation_from).transpose()
    }

    /// The worklist: most pressing first (stat, urgent, routine; then due; then oldest).
    /// `author` limits it to one author's dictations.
    pub async fn list_dictations(
        &self,
        author: Option<i64>,
        status: Option<Status>,
    ) -> Result<Vec<DictationList>> {
        let rows = sqlx::query(
            "SELECT d.id, d.status, d.priority, u.name AS author_name, d.title, d.patient, \
             d.duration, d.created, d.due, d.template, d.error, d.updated, d.lock_until, \
             l.name AS locker_name FROM dictations d JOIN users u ON u.id = d.author_id \
             LEFT JOIN users l ON l.id = d.locked_by WHERE d.deleted = 0 AND ($1 IS NULL OR d.author_id = $1) \
             AND ($2 IS NULL OR d.status = $2) \
             ORDER BY CASE d.priority WHEN 'stat' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END, \
             COALESCE(d.due, 9223372036854775807), d.created, d.id",
        )
        .bind(author)
        .bind(status.map(Status::as_str))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DictationList {
                    id: r.try_get("id")?,
                    status: status_col(r)?,
                    priority: priority_col(r)?,
                    author: r.try_get("author_name")?,
                    title: r.try_get("title")?,
                    patient: json_col(r, "patient")?,
                    duration: r.try_get("duration")?,
                    created: r.try_get("created")?,
                    due: r.try_get("due")?,
                    template: r.try_get("template")?,
                    locked_by: live_lock(r.try_get("locker_name")?, r.try_get("lock_until")?),
                    error: r.try_get("error")?,
                    updated: r.try_get("updated")?,
                })
            })
            .collect()
    }

    /// Changes fields; audited as `edit_fields` with the names of the fields changed.
    pub async fn update_fields(&self, id: &str, c: &FieldChanges, by: &str) -> Result<()> {
        let mut changed = Vec::new();
        let mut tx = self.write_tx().await?;
        macro_rules! set {
            ($name:literal, $val:expr) => {
                let sql = concat!("UPDATE dictations SET ", $name, " = $1 WHERE id = $2");
                sqlx::query(sql)
                    .bind($val)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                changed.push($name);
            };
        }
        if let Some(v) = &c.title {
            set!("title", v);
        }
        if let Some(v) = &c.template {
            set!("template", v);
        }
        if let Some(v) = c.priority {
            set!("priority", v.as_str());
            sqlx::query("UPDATE jobs SET rank = $1 WHERE dictation_id = $2")
                .bind(v.rank())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(v) = c.due {
            set!("due", v);
            sqlx::query("UPDATE jobs SET due_key = $1 WHERE dictation_id = $2")
                .bind(v.unwrap_or(i64::MAX))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(v) = &c.patient {
            set!("patient", v.to_string());
        }
        if let Some(v) = &c.recipient {
            set!("recipient", v.to_string());
        }
        if let Some(v) = &c.fields {
            set!("fields", v.to_string());
        }
        if let Some(v) = &c.note {
            set!("note", v);
        }
        sqlx::query("UPDATE dictations SET updated = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        append(&mut *tx, by, "edit_fields", Some(id), &changed.join(",")).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves an edited (re-checked) transcript.
    pub async fn save_transcript(&self, id: &str, t: &Transcript, by: &str) -> Result<()> {
        let json = serde_json::to_string(t).map_err(|e| Error::Corrupt(e.to_string()))?;
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE dictations SET transcript = $1, updated = $2 WHERE id = $3")
            .bind(json)
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        append(&mut *tx, by, "edit_transcript", Some(id), "").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a dictation from `from` to `to`, only if it is still in `from` (two people
    /// acting at once: the second gets `Conflict`).
    pub async fn set_status(&self, id: &str, from: Status, to: Status, by: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let n = sqlx::query(
            "UPDATE dictations SET status = $1, updated = $2 WHERE id = $3 AND status = $4",
        )
        .bind(to.as_str())
        .bind(now_ms())
        .bind(id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(Error::Conflict(format!(
                "a change to this dictation (it is no longer {})",
                from.as_str()
            )));
        }
        if to == Status::Queued {
            sqlx::query(
                "UPDATE jobs SET state = 'queued', attempts = 0, run_after = $1, error = NULL, \
                 lease_token = NULL WHERE dictation_id = $2",
            )
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE dictations SET error = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            self.notify_workers(&mut *tx).await?;
        }
        append(&mut *tx, by, "status", Some(id), to.as_str()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes (or renews) a secretary's lock. Returns the holder when someone else holds it.
    pub async fn take_lock(&self, id: &str, user_id: i64) -> Result<Option<String>> {
        let now = now_ms();
        let n = sqlx::query(
            "UPDATE dictations SET locked_by = $1, lock_until = $2 WHERE id = $3 AND \
             (locked_by IS NULL OR locked_by = $1 OR lock_until IS NULL OR lock_until <= $4)",
        )
        .bind(user_id)
        .bind(now + LOCK_IDLE_MS)
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n == 1 {
            return Ok(None);
        }
        Ok(self
            .dictation(id)
            .await?
            .and_then(|d| d.locked_by)
            .map(|(_, name)| name))
    }

    /// Releases the lock if `user_id` holds it.
    pub async fn release_lock(&self, id: &str, user_id: i64) -> Result<()> {
        sqlx::query(
            "UPDATE dictations SET locked_by = NULL, lock_until = NULL \
             WHERE id = $1 AND locked_by = $2",
        )
        .bind(id)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Soft-deletes a dictation (its audit trail stays) and removes its audio file.
    pub async fn delete_dictation(&self, id: &str, by: &str) -> Result<()> {
        let d = self.dictation(id).await?.ok_or(Error::NotFound)?;
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE dictations SET deleted = 1, transcript = NULL, patient = '{}', \
             recipient = '{}', fields = '{}', note = '', title = '', updated = $1 WHERE id = $2",
        )
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM jobs WHERE dictation_id = $1 AND state <> 'done'")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        append(&mut *tx, by, "delete", Some(id), "").await?;
        tx.commit().await?;
        let _ = std::fs::remove_file(self.dir.audio(&d.audio_name));
        Ok(())
    }

    pub async fn finding_decisions(&self, id: &str) -> Result<Vec<FindingDecision>> {
        let rows = sqlx::query(
            "SELECT f.finding_id, f.state, f.note, f.answer, f.updated, \
             COALESCE(u.name, '') AS by_name FROM finding_states f \
             LEFT JOIN users u ON u.id = f.updated_by WHERE f.dictation_id = $1",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let s: String = r.try_get("state")?;
                Ok(FindingDecision {
                    finding_id: r.try_get("finding_id")?,
                    state: FindingState::parse(&s)
                        .ok_or_else(|| Error::Corrupt(format!("unknown query state {s}")))?,
                    note: r.try_get("note")?,
                    answer: r.try_get("answer")?,
                    by: r.try_get("by_name")?,
                    at: r.try_get("updated")?,
                })
            })
            .collect()
    }

    /// Records a decision on a query and, in the same transaction, the dictation's move
    /// between `review` and `queried` that it implies (`new_status`, when it changes).
    #[allow(clippy::too_many_arguments)]
    pub async fn decide_finding(
        &self,
        id: &str,
        finding_id: &str,
        state: FindingState,
        note: Option<&str>,
        answer: Option<&str>,
        user_id: i64,
        by: &str,
        new_status: Option<(Status, Status)>,
    ) -> Result<()> {
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO finding_states (dictation_id, finding_id, state, note, answer, \
             updated_by, updated) VALUES ($1, $2, $3, COALESCE($4, ''), COALESCE($5, ''), $6, $7) \
             ON CONFLICT (dictation_id, finding_id) DO UPDATE SET state = excluded.state, \
             note = COALESCE($4, finding_states.note), \
             answer = COALESCE($5, finding_states.answer), \
             updated_by = excluded.updated_by, updated = excluded.updated",
        )
        .bind(id)
        .bind(finding_id)
        .bind(state.as_str())
        .bind(note)
        .bind(answer)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if let Some((from, to)) = new_status {
            sqlx::query(
                "UPDATE dictations SET status = $1, updated = $2 WHERE id = $3 AND status = $4",
            )
            .bind(to.as_str())
            .bind(now)
            .bind(id)
            .bind(from.as_str())
            .execute(&mut *tx)
            .await?;
        }
        let detail = format!("{finding_id} {}", state.as_str());
        append(&mut *tx, by, "query", Some(id), &detail).await?;
        tx.commit().await?;
        Ok(())
    }
}

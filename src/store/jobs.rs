//! The job queue behind the workers: claim with a lease, renew it, save the result once,
//! retry with back-off or give up with the reason.
//!
//! Exactly-once results: a claim gives the job a new random lease token; every later write
//! for that job requires the token (fencing), and finishing writes the transcript, the
//! `results` row (UNIQUE per job) and `done` in one transaction. A worker that lost its
//! lease (it stalled, or the server restarted) cannot save: its write touches no row.
//! A job may therefore run twice after a crash, but its result is saved once.

use sqlx::Row;

use super::audit::append;
use super::dictations::{json_col, priority_col};
use super::{Backend, Error, Result, Store, now_ms};
use crate::transcript::Transcript;
use crate::workflow;

/// What a worker gets when it claims a job.
#[derive(Debug, Clone)]
pub struct Claim {
    pub job_id: i64,
    pub dictation_id: String,
    pub lease_token: String,
    pub attempt: i64,
}

/// Why a job did not finish.
#[derive(Debug, Clone)]
pub struct JobFailure {
    /// One line for the secretary: what went wrong and what to do (no patient text).
    pub reason: String,
    /// Retrying cannot help (the audio is not speech, the file is unreadable).
    pub permanent: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct QueueStats {
    pub queued: i64,
    pub running: i64,
    pub failed: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct WorkerInfo {
    pub id: String,
    pub host: String,
    pub version: String,
    pub last_seen: String,
    pub alive: bool,
    pub job: Option<String>,
}

/// The claim, up to where the dialects differ.
macro_rules! claim_sql {
    () => {
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_token = $1, \
         lease_expires = $2, worker = $3 WHERE id = (SELECT id FROM jobs WHERE \
         (state = 'queued' AND run_after <= $4) OR \
         (state = 'running' AND lease_expires < $4 AND attempts < max_attempts) \
         ORDER BY rank, due_key, id LIMIT 1"
    };
}

/// Wait before retry `attempt` (ms): 2 s, 8 s, 32 s ...
fn backoff_ms(attempt: i64) -> i64 {
    2_000 * 4_i64.pow(attempt.clamp(1, 6) as u32 - 1)
}

impl Store {
    /// Claims the most pressing job that is ready (queued and due, or running on a lease
    /// that expired), for `lease_ms`. One UPDATE ... RETURNING: two workers never get the
    /// same job (SQLite serialises writers; PostgreSQL skips rows another claim has locked).
    pub async fn claim_job(&self, worker: &str, lease_ms: i64) -> Result<Option<Claim>> {
        let now = now_ms();
        let token = super::random_hex(16);
        let mut tx = self.write_tx().await?;
        let sql = match self.backend {
            Backend::Sqlite => concat!(claim_sql!(), ") RETURNING id, dictation_id, attempts"),
            Backend::Postgres => concat!(
                claim_sql!(),
                " FOR UPDATE SKIP LOCKED) RETURNING id, dictation_id, attempts"
            ),
        };
        let row = sqlx::query(sql)
            .bind(&token)
            .bind(now + lease_ms)
            .bind(worker)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let claim = Claim {
            job_id: row.try_get("id")?,
            dictation_id: row.try_get("dictation_id")?,
            lease_token: token,
            attempt: row.try_get("attempts")?,
        };
        sqlx::query("UPDATE dictations SET status = 'transcribing', updated = $1 WHERE id = $2")
            .bind(now)
            .bind(&claim.dictation_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE workers SET job = $1, last_seen = $2 WHERE id = $3")
            .bind(&claim.dictation_id)
            .bind(now)
            .bind(worker)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(claim))
    }

    /// Extends the lease; `LostLease` if another worker has the job now.
    pub async fn renew_lease(&self, c: &Claim, lease_ms: i64) -> Result<()> {
        let n = sqlx::query(
            "UPDATE jobs SET lease_expires = $1 WHERE id = $2 AND lease_token = $3 \
             AND state = 'running'",
        )
        .bind(now_ms() + lease_ms)
        .bind(c.job_id)
        .bind(&c.lease_token)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(Error::LostLease);
        }
        Ok(())
    }

    /// Saves the transcript and marks the job done, in one transaction, only while the
    /// lease is still ours.
    pub async fn finish_job(
        &self,
        c: &Claim,
        worker: &str,
        t: &Transcript,
        template: Option<&str>,
    ) -> Result<()> {
        let json = serde_json::to_string(t).map_err(|e| Error::Corrupt(e.to_string()))?;
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        let n = sqlx::query(
            "UPDATE jobs SET state = 'done', lease_token = NULL, error = NULL WHERE id = $1 \
             AND lease_token = $2 AND state = 'running'",
        )
        .bind(c.job_id)
        .bind(&c.lease_token)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(Error::LostLease);
        }
        sqlx::query(
            "INSERT INTO results (job_id, dictation_id, attempt, worker, created) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(c.job_id)
        .bind(&c.dictation_id)
        .bind(c.attempt)
        .bind(worker)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        fill_from_job(&mut tx, &c.dictation_id, &t.job, template).await?;
        sqlx::query(
            "UPDATE dictations SET transcript = $1, duration = $2, status = 'review', \
             error = NULL, updated = $3 WHERE id = $4",
        )
        .bind(json)
        .bind(t.duration)
        .bind(now)
        .bind(&c.dictation_id)
        .execute(&mut *tx)
        .await?;
        append(&mut *tx, "system", "transcribed", Some(&c.dictation_id), "").await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a failure: back to the queue after a back-off, or `failed` for good when the
    /// failure is permanent or the attempts are used up.
    pub async fn fail_job(&self, c: &Claim, f: &JobFailure) -> Result<()> {
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "SELECT attempts, max_attempts FROM jobs WHERE id = $1 AND lease_token = $2 \
             AND state = 'running'",
        )
        .bind(c.job_id)
        .bind(&c.lease_token)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Err(Error::LostLease);
        };
        let attempts: i64 = row.try_get("attempts")?;
        let max: i64 = row.try_get("max_attempts")?;
        let give_up = f.permanent || attempts >= max;
        let (job_state, status) = if give_up {
            ("failed", "failed")
        } else {
            ("queued", "queued")
        };
        sqlx::query(
            "UPDATE jobs SET state = $1, lease_token = NULL, error = $2, run_after = $3 \
             WHERE id = $4",
        )
        .bind(job_state)
        .bind(&f.reason)
        .bind(now + backoff_ms(attempts))
        .bind(c.job_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE dictations SET status = $1, error = $2, updated = $3 WHERE id = $4")
            .bind(status)
            .bind(&f.reason)
            .bind(now)
            .bind(&c.dictation_id)
            .execute(&mut *tx)
            .await?;
        let action = if give_up { "failed" } else { "retry" };
        // The reason is medscribe's own words (no transcript text): kept for the record.
        append(&mut *tx, "system", action, Some(&c.dictation_id), &f.reason).await?;
        if !give_up {
            self.notify_workers(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Jobs whose leases expired with no attempts left are failed with the reason; called by
    /// the workers' loop.
    pub async fn fail_abandoned_jobs(&self) -> Result<u64> {
        let now = now_ms();
        let reason = "transcription stopped without finishing on every attempt \
                      (the worker crashed or ran out of memory); queue it again to retry";
        let mut tx = self.write_tx().await?;
        let ids: Vec<String> = sqlx::query_scalar(
            "UPDATE jobs SET state = 'failed', lease_token = NULL, error = $1 \
             WHERE state = 'running' AND lease_expires < $2 AND attempts >= max_attempts \
             RETURNING dictation_id",
        )
        .bind(reason)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        for id in &ids {
            sqlx::query("UPDATE dictations SET status = 'failed', error = $1 WHERE id = $2")
                .bind(reason)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            append(&mut *tx, "system", "failed", Some(id), "").await?;
        }
        tx.commit().await?;
        Ok(ids.len() as u64)
    }

    /// SQLite only, at start-up, with the data directory locked to this process: every job still
    /// `running` belonged to a process that died, so its lease is expired at once and the
    /// job is taken up again within seconds, not after the lease would have run out.
    pub async fn expire_orphaned_leases(&self) -> Result<u64> {
        let now = now_ms();
        let n = sqlx::query(
            "UPDATE jobs SET lease_expires = $1 WHERE state = 'running' AND lease_expires >= $1",
        )
        .bind(now - 1)
        .execute(&self.pool)
        .await?
        .rows_affected();
        sqlx::query("DELETE FROM workers")
            .execute(&self.pool)
            .await?;
        Ok(n)
    }

    pub async fn queue_stats(&self) -> Result<QueueStats> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END), 0) AS q, \
             COALESCE(SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), 0) AS r, \
             COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0) AS f FROM jobs",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(QueueStats {
            queued: row.try_get("q")?,
            running: row.try_get("r")?,
            failed: row.try_get("f")?,
        })
    }

    /// How many results were saved for a dictation (1 after success; never more).
    pub async fn result_count(&self, dictation_id: &str) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM results WHERE dictation_id = $1")
                .bind(dictation_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    pub async fn register_worker(&self, id: &str, host: &str) -> Result<()> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO workers (id, host, started, last_seen, version) \
             VALUES ($1, $2, $3, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, job = NULL",
        )
        .bind(id)
        .bind(host)
        .bind(now)
        .bind(env!("CARGO_PKG_VERSION"))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A worker's heartbeat; `job` is the dictation it works on.
    pub async fn worker_seen(&self, id: &str, job: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE workers SET last_seen = $1, job = $2 WHERE id = $3")
            .bind(now_ms())
            .bind(job)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn remove_worker(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM workers WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Workers heard from in the last five minutes (a killed worker's row stays until
    /// then; `alive` says whether it has been seen in the last half minute).
    pub async fn workers(&self) -> Result<Vec<WorkerInfo>> {
        let now = now_ms();
        let rows = sqlx::query(
            "SELECT id, host, last_seen, version, job FROM workers WHERE last_seen > $1 \
             ORDER BY id",
        )
        .bind(now - 5 * 60_000)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let seen: i64 = r.try_get("last_seen")?;
                Ok(WorkerInfo {
                    id: r.try_get("id")?,
                    host: r.try_get("host")?,
                    version: r.try_get("version")?,
                    last_seen: super::rfc3339(seen),
                    alive: now - seen < 30_000,
                    job: r.try_get("job")?,
                })
            })
            .collect()
    }

    /// Whether a file with this content was imported before (watched folders).
    pub async fn imported(&self, sha256: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM imports WHERE sha256 = $1")
            .bind(sha256)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }
}

/// The record fields the uploader left empty, filled from the dictation's spoken job
/// (`workflow::fill_from_job`; `template` is the template for the work type said), audited
/// by field name only.
async fn fill_from_job(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    job: &crate::dictation::job::Job,
    template: Option<&str>,
) -> Result<()> {
    if job.is_empty() {
        return Ok(());
    }
    let row =
        sqlx::query("SELECT patient, recipient, template, priority FROM dictations WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    let mut r = workflow::Record {
        patient: json_col(&row, "patient")?,
        recipient: json_col(&row, "recipient")?,
        template: row.try_get("template")?,
        priority: priority_col(&row)?,
    };
    let changed = workflow::fill_from_job(&mut r, job, template);
    if changed.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE dictations SET patient = $1, recipient = $2, template = $3, priority = $4 \
         WHERE id = $5",
    )
    .bind(r.patient.to_string())
    .bind(r.recipient.to_string())
    .bind(&r.template)
    .bind(r.priority.as_str())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    append(
        &mut **tx,
        "system",
        "filled_from_dictation",
        Some(id),
        &changed.join(","),
    )
    .await?;
    Ok(())
}

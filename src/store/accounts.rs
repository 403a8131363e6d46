//! Accounts: users and roles, argon2 passwords, API tokens and browser sessions (only the
//! SHA-256 of each secret is stored), and the per-account lock after repeated failed logins.
//!
//! Never stores or logs a password or a token in clear.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sqlx::Row;

use super::{Error, Result, Store, now_ms, random_hex, secret_hash};
use crate::workflow::Role;

/// Consecutive failed logins before an account is locked for a while.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long the lock lasts (ms). Attempts during it are refused unchecked; the count is kept,
/// so the first failure after it locks the account again, and a success clears it.
pub const LOGIN_LOCK_MS: i64 = 5 * 60 * 1000;
/// A browser session ends after this long without a request (ms)...
pub const SESSION_IDLE_MS: i64 = 30 * 60 * 1000;
/// ... and this long after login, however busy (ms).
pub const SESSION_MAX_MS: i64 = 12 * 60 * 60 * 1000;

#[derive(Debug, Clone, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    /// As it is signed on letters, e.g. "Dr Eleanor Marsh" (may be empty).
    pub full_name: String,
    pub role: Role,
    pub specialties: Vec<String>,
    pub disabled: bool,
}

impl User {
    /// The name to show and to sign letters with: the full name, else the user name.
    pub fn signing_name(&self) -> &str {
        if self.full_name.is_empty() {
            &self.name
        } else {
            &self.full_name
        }
    }
}

/// What a login attempt came to. The caller says only "wrong name or password" for both
/// `Unknown` and `WrongPassword`, so names cannot be probed.
#[derive(Debug)]
pub enum LoginOutcome {
    Ok(User),
    Unknown,
    WrongPassword,
    Locked { seconds: i64 },
    Disabled,
}

fn user_from(row: &sqlx::any::AnyRow) -> Result<User> {
    let role: String = row.try_get("role")?;
    let specialties: String = row.try_get("specialties")?;
    Ok(User {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        full_name: row.try_get("full_name")?,
        role: Role::parse(&role).ok_or_else(|| Error::Corrupt(format!("unknown role {role}")))?,
        specialties: specialties
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        disabled: row.try_get::<i64, _>("disabled")? != 0,
    })
}

macro_rules! user_sql {
    ($tail:literal) => {
        concat!(
            "SELECT id, name, full_name, role, specialties, disabled FROM users ",
            $tail
        )
    };
}

/// Argon2id hash of a password (slow on purpose: run it off the async threads).
async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| Error::Corrupt(format!("no randomness: {e}")))?;
        let salt = SaltString::encode_b64(&bytes)
            .map_err(|e| Error::Corrupt(format!("password salt: {e}")))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::Corrupt(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| Error::Corrupt(format!("password hashing stopped: {e}")))?
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A user name is 1-64 letters, digits, dots, dashes or underscores.
pub fn valid_user_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

impl Store {
    pub async fn add_user(
        &self,
        name: &str,
        full_name: &str,
        role: Role,
        password: Option<String>,
        specialties: &[String],
    ) -> Result<User> {
        let hash = match password {
            Some(p) => Some(hash_password(p).await?),
            None => None,
        };
        let res = sqlx::query(
            "INSERT INTO users (name, full_name, role, password_hash, specialties, created) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(name)
        .bind(full_name)
        .bind(role.as_str())
        .bind(hash)
        .bind(specialties.join(","))
        .bind(now_ms())
        .execute(&self.pool)
        .await;
        match res {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(Error::Conflict(format!("user {name}")))
            }
            Err(e) => Err(e.into()),
            Ok(_) => self.user_by_name(name).await?.ok_or(Error::NotFound),
        }
    }

    pub async fn user_by_name(&self, name: &str) -> Result<Option<User>> {
        let row = sqlx::query(user_sql!("WHERE name = $1"))
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from).transpose()
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>> {
        let row = sqlx::query(user_sql!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from).transpose()
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(user_sql!("ORDER BY name"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user_from).collect()
    }

    /// Disables an account and ends its sessions and tokens at once.
    pub async fn disable_user(&self, name: &str) -> Result<()> {
        let user = self.user_by_name(name).await?.ok_or(Error::NotFound)?;
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET disabled = 1 WHERE id = $1")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a password and ends the user's browser sessions (they sign in again).
    pub async fn set_password(&self, user_id: i64, password: String) -> Result<()> {
        let hash = hash_password(password).await?;
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = 0 \
             WHERE id = $2",
        )
        .bind(hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn enable_user(&self, user_id: i64) -> Result<()> {
        sqlx::query(
            "UPDATE users SET disabled = 0, failed_logins = 0, locked_until = 0 WHERE id = $1",
        )
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn set_specialties(&self, user_id: i64, specialties: &[String]) -> Result<()> {
        sqlx::query("UPDATE users SET specialties = $1 WHERE id = $2")
            .bind(specialties.join(","))
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A new API token for the user; only its hash is kept.
    pub async fn new_api_token(&self, user_id: i64) -> Result<String> {
        let token = format!("ms_{}", random_hex(24));
        sqlx::query("INSERT INTO api_tokens (hash, user_id, created) VALUES ($1, $2, $3)")
            .bind(secret_hash(&token))
            .bind(user_id)
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        Ok(token)
    }

    /// The (enabled) user an API token belongs to.
    pub async fn user_by_token(&self, token: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT u.id, u.name, u.full_name, u.role, u.specialties, u.disabled FROM api_tokens t \
             JOIN users u ON u.id = t.user_id WHERE t.hash = $1 AND u.disabled = 0",
        )
        .bind(secret_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from).transpose()
    }

    /// Checks a password, counting failures per account and locking the account for
    /// [`LOGIN_LOCK_MS`] after [`MAX_FAILED_LOGINS`] in a row.
    pub async fn login(&self, name: &str, password: String) -> Result<LoginOutcome> {
        let row = sqlx::query(
            "SELECT id, password_hash, failed_logins, locked_until, disabled FROM users \
             WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            // Spend the same time as a real check so that names cannot be probed by timing.
            let _ = hash_password(password).await;
            return Ok(LoginOutcome::Unknown);
        };
        let id: i64 = row.try_get("id")?;
        let now = now_ms();
        let locked_until: i64 = row.try_get("locked_until")?;
        if locked_until > now {
            return Ok(LoginOutcome::Locked {
                seconds: (locked_until - now + 999) / 1000,
            });
        }
        let hash: Option<String> = row.try_get("password_hash")?;
        let ok = match hash {
            Some(h) => verify_password(password, h).await,
            None => false,
        };
        if !ok {
            let failed: i64 = row.try_get::<i64, _>("failed_logins")? + 1;
            let until = if failed >= MAX_FAILED_LOGINS {
                now + LOGIN_LOCK_MS
            } else {
                0
            };
            sqlx::query("UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3")
                .bind(failed)
                .bind(until)
                .bind(id)
                .execute(&self.pool)
                .await?;
            return Ok(LoginOutcome::WrongPassword);
        }
        if row.try_get::<i64, _>("disabled")? != 0 {
            return Ok(LoginOutcome::Disabled);
        }
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        let user = self.user_by_id(id).await?.ok_or(Error::NotFound)?;
        Ok(LoginOutcome::Ok(user))
    }

    /// Starts a browser session: a new random token every login (the cookie's value).
    pub async fn new_session(&self, user_id: i64) -> Result<String> {
        let token = random_hex(32);
        let now = now_ms();
        sqlx::query(
            "INSERT INTO sessions (hash, user_id, created, last_seen) VALUES ($1, $2, $3, $3)",
        )
        .bind(secret_hash(&token))
        .bind(user_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(token)
    }

    /// The user of a live session, touching it; expired sessions are deleted.
    pub async fn user_by_session(&self, token: &str) -> Result<Option<User>> {
        self.session_user(token, true).await
    }

    /// The session's user; `touch` false for a page's background polling, which must not
    /// keep an unattended session alive past its idle limit.
    pub async fn session_user(&self, token: &str, touch: bool) -> Result<Option<User>> {
        let hash = secret_hash(token);
        let now = now_ms();
        let row = sqlx::query("SELECT user_id, created, last_seen FROM sessions WHERE hash = $1")
            .bind(&hash)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let created: i64 = row.try_get("created")?;
        let last_seen: i64 = row.try_get("last_seen")?;
        if now - last_seen > SESSION_IDLE_MS || now - created > SESSION_MAX_MS {
            self.end_session(token).await?;
            return Ok(None);
        }
        // Touch at most every few seconds: a page's many requests need not all write.
        if touch && now - last_seen > 5_000 {
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE hash = $2")
                .bind(now)
                .bind(&hash)
                .execute(&self.pool)
                .await?;
        }
        let user = self.user_by_id(row.try_get("user_id")?).await?;
        Ok(user.filter(|u| !u.disabled))
    }

    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE hash = $1")
            .bind(secret_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

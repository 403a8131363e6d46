-- medscribe service store, version 1. Never edit a migration that has shipped: add a new one
-- with the next number (the PostgreSQL migrations keep the same numbers).
-- Times are integer milliseconds since 1970 (UTC), computed by medscribe, so that the SQL is
-- the same on SQLite and PostgreSQL.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    full_name     TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'secretary', 'author')),
    password_hash TEXT,
    specialties   TEXT    NOT NULL DEFAULT '',
    disabled      INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  BIGINT  NOT NULL DEFAULT 0,
    created       BIGINT  NOT NULL
);

-- API tokens and browser sessions: only the SHA-256 of the secret is stored.
CREATE TABLE api_tokens (
    hash     TEXT   PRIMARY KEY,
    user_id  BIGINT NOT NULL REFERENCES users (id),
    created  BIGINT NOT NULL
);

CREATE TABLE sessions (
    hash      TEXT   PRIMARY KEY,
    user_id   BIGINT NOT NULL REFERENCES users (id),
    created   BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);

CREATE TABLE dictations (
    id          TEXT    PRIMARY KEY,
    author_id   BIGINT  NOT NULL REFERENCES users (id),
    status      TEXT    NOT NULL,
    priority    TEXT    NOT NULL,
    title       TEXT    NOT NULL DEFAULT '',
    template    TEXT    NOT NULL DEFAULT '',
    due         BIGINT,
    patient     TEXT    NOT NULL DEFAULT '{}',
    recipient   TEXT    NOT NULL DEFAULT '{}',
    fields      TEXT    NOT NULL DEFAULT '{}',
    note        TEXT    NOT NULL DEFAULT '',
    duration    DOUBLE PRECISION,
    audio_name  TEXT    NOT NULL,
    audio_type  TEXT    NOT NULL,
    audio_bytes BIGINT  NOT NULL,
    transcript  TEXT,
    error       TEXT,
    locked_by   BIGINT REFERENCES users (id),
    lock_until  BIGINT,
    deleted     INTEGER NOT NULL DEFAULT 0,
    created     BIGINT  NOT NULL,
    updated     BIGINT  NOT NULL
);
CREATE INDEX dictations_author ON dictations (author_id, created);
CREATE INDEX dictations_status ON dictations (status, created);

-- The queue: one job per dictation, claimed with a lease (see src/store/jobs.rs).
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    dictation_id  TEXT    NOT NULL UNIQUE REFERENCES dictations (id),
    state         TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    rank          INTEGER NOT NULL,
    due_key       BIGINT  NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL,
    run_after     BIGINT  NOT NULL,
    lease_token   TEXT,
    lease_expires BIGINT,
    worker        TEXT,
    error         TEXT,
    created       BIGINT  NOT NULL
);
CREATE INDEX jobs_ready ON jobs (state, rank, due_key, id);

-- What a worker produced, saved once per job (UNIQUE) in the transaction that marks it done.
CREATE TABLE results (
    job_id       BIGINT NOT NULL UNIQUE REFERENCES jobs (id),
    dictation_id TEXT   NOT NULL REFERENCES dictations (id),
    attempt      INTEGER NOT NULL,
    worker       TEXT   NOT NULL,
    created      BIGINT NOT NULL
);

-- Decisions on queries, keyed by the finding's stable id (workflow::finding_ids).
CREATE TABLE finding_states (
    dictation_id TEXT   NOT NULL REFERENCES dictations (id),
    finding_id   TEXT   NOT NULL,
    state        TEXT   NOT NULL,
    note         TEXT   NOT NULL DEFAULT '',
    answer       TEXT   NOT NULL DEFAULT '',
    updated_by   BIGINT REFERENCES users (id),
    updated      BIGINT NOT NULL,
    PRIMARY KEY (dictation_id, finding_id)
);

-- Files imported from watched folders, by content, so each is imported once.
CREATE TABLE imports (
    sha256       TEXT   PRIMARY KEY,
    dictation_id TEXT   NOT NULL,
    created      BIGINT NOT NULL
);

-- Workers that run jobs, for /api/health.
CREATE TABLE workers (
    id        TEXT   PRIMARY KEY,
    host      TEXT   NOT NULL,
    started   BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    version   TEXT   NOT NULL DEFAULT '',
    job       TEXT
);

-- Who did what to which dictation, when. Append-only: the triggers refuse changes.
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        BIGINT NOT NULL,
    user_name TEXT   NOT NULL,
    action    TEXT   NOT NULL,
    dictation TEXT,
    detail    TEXT   NOT NULL DEFAULT ''
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

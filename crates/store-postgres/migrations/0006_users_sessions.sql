-- Accounts for the web workbench: users with a role and an organ scope (NULL = the whole
-- register), argon2id password hashes (PHC strings), and a per-account failed-login counter
-- for throttling. Sessions live in the database; only the SHA-256 of a session token is
-- stored, so a copy of the database does not hold live sessions. Times are Unix seconds.
CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    organ         BIGINT REFERENCES organs(id),
    password_hash TEXT NOT NULL,
    must_change   BOOLEAN NOT NULL DEFAULT false,
    disabled      BOOLEAN NOT NULL DEFAULT false,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  BIGINT,
    created_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    csrf       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

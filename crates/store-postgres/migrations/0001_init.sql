-- gongkai register, PostgreSQL schema 1. Same tables as the SQLite schema, in PostgreSQL's own
-- types: DATE, TIMESTAMPTZ, BIGSERIAL. Money (fee_wan) is exact decimal text, as in SQLite, so
-- both backends round-trip the same string. Personal data lives only in applications.applicant
-- (JSON text) and audit snapshots.
CREATE TABLE organs (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    parent        BIGINT REFERENCES organs(id),
    code          TEXT NOT NULL DEFAULT '',
    index_pattern TEXT
);
CREATE INDEX organs_parent ON organs(parent);

CREATE TABLE applications (
    id             BIGSERIAL PRIMARY KEY,
    organ          BIGINT NOT NULL REFERENCES organs(id),
    serial         TEXT NOT NULL,
    applicant_kind TEXT NOT NULL,
    applicant      TEXT NOT NULL,
    description    TEXT NOT NULL,
    form           TEXT NOT NULL,
    channel        TEXT NOT NULL,
    -- Derived from the event log by Clock::replay on every write; never edited by hand.
    state          TEXT NOT NULL,
    received       DATE NOT NULL,
    due            DATE,
    concluded      DATE,
    outcome        TEXT,
    late           BOOLEAN NOT NULL,
    version        BIGINT NOT NULL,
    CONSTRAINT applications_serial_unique UNIQUE (organ, serial)
);
CREATE INDEX applications_due ON applications(organ, due) WHERE state = 'open';
CREATE INDEX applications_year ON applications(organ, received, concluded);

CREATE TABLE events (
    app         BIGINT NOT NULL REFERENCES applications(id),
    seq         INTEGER NOT NULL,
    event       TEXT NOT NULL,
    actor       TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (app, seq)
);
-- Events are append-only.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END;
$$;
CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();

CREATE TABLE catalogue (
    id         BIGSERIAL PRIMARY KEY,
    organ      BIGINT NOT NULL REFERENCES organs(id),
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    doc_number TEXT NOT NULL,
    index_no   TEXT NOT NULL,
    scope      TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    issued     DATE NOT NULL,
    repealed   DATE,
    version    BIGINT NOT NULL,
    CONSTRAINT catalogue_index_no_unique UNIQUE (organ, index_no),
    CONSTRAINT catalogue_seq_unique UNIQUE (organ, scope, seq)
);

CREATE TABLE yearly_counts (
    organ        BIGINT NOT NULL REFERENCES organs(id),
    year         SMALLINT NOT NULL,
    licences     BIGINT,
    penalties    BIGINT,
    coercions    BIGINT,
    fee_wan      TEXT CHECK (fee_wan ~ '^-?[0-9]+(\.[0-9]+)?$'),
    confirmed_on DATE,
    PRIMARY KEY (organ, year)
);

CREATE TABLE cases (
    id        BIGSERIAL PRIMARY KEY,
    organ     BIGINT NOT NULL REFERENCES organs(id),
    kind      TEXT NOT NULL,
    number    TEXT NOT NULL,
    filed     DATE NOT NULL,
    concluded DATE,
    result    TEXT,
    version   BIGINT NOT NULL
);
CREATE INDEX cases_organ ON cases(organ);

CREATE TABLE audit (
    seq       BIGSERIAL PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    actor     TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before    TEXT,
    after     TEXT
);
CREATE INDEX audit_entity ON audit(entity, entity_id, seq);

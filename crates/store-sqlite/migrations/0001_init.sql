-- gongkai register, SQLite schema 1. Dates are ISO-8601 TEXT (YYYY-MM-DD), which sorts as
-- dates do. Personal data lives only in applications.applicant (JSON) and audit snapshots.
CREATE TABLE organs (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    parent        INTEGER REFERENCES organs(id),
    code          TEXT NOT NULL DEFAULT '',
    index_pattern TEXT
);
CREATE INDEX organs_parent ON organs(parent);

CREATE TABLE applications (
    id             INTEGER PRIMARY KEY,
    organ          INTEGER NOT NULL REFERENCES organs(id),
    serial         TEXT NOT NULL,
    applicant_kind TEXT NOT NULL,
    applicant      TEXT NOT NULL,
    description    TEXT NOT NULL,
    form           TEXT NOT NULL,
    channel        TEXT NOT NULL,
    -- Derived from the event log by Clock::replay on every write; never edited by hand.
    state          TEXT NOT NULL,
    received       TEXT NOT NULL,
    due            TEXT,
    concluded      TEXT,
    outcome        TEXT,
    late           INTEGER NOT NULL,
    version        INTEGER NOT NULL,
    UNIQUE (organ, serial)
);
-- Due list: open applications of some organs by due date.
CREATE INDEX applications_due ON applications(organ, due) WHERE state = 'open';
-- Table 三 of a year: received <= 31 Dec and (not concluded or concluded >= 1 Jan).
CREATE INDEX applications_year ON applications(organ, received, concluded);

CREATE TABLE events (
    app         INTEGER NOT NULL REFERENCES applications(id),
    seq         INTEGER NOT NULL,
    event       TEXT NOT NULL,
    actor       TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (app, seq)
) WITHOUT ROWID;
-- Events are append-only.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE catalogue (
    id         INTEGER PRIMARY KEY,
    organ      INTEGER NOT NULL REFERENCES organs(id),
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    doc_number TEXT NOT NULL,
    index_no   TEXT NOT NULL,
    scope      TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    issued     TEXT NOT NULL,
    repealed   TEXT,
    version    INTEGER NOT NULL,
    UNIQUE (organ, index_no),
    UNIQUE (organ, scope, seq)
);

CREATE TABLE yearly_counts (
    organ        INTEGER NOT NULL REFERENCES organs(id),
    year         INTEGER NOT NULL,
    licences     INTEGER,
    penalties    INTEGER,
    coercions    INTEGER,
    fee_wan      TEXT,
    confirmed_on TEXT,
    PRIMARY KEY (organ, year)
);

CREATE TABLE cases (
    id        INTEGER PRIMARY KEY,
    organ     INTEGER NOT NULL REFERENCES organs(id),
    kind      TEXT NOT NULL,
    number    TEXT NOT NULL,
    filed     TEXT NOT NULL,
    concluded TEXT,
    result    TEXT,
    version   INTEGER NOT NULL
);
CREATE INDEX cases_organ ON cases(organ);

CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before    TEXT,
    after     TEXT
);
CREATE INDEX audit_entity ON audit(entity, entity_id, seq);

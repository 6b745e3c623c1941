-- The calendar as data (SPEC §5): the holiday notices live in the register, seeded from the
-- embedded notices when a register opens and extended by `gongkai calendar import`, so that
-- no rebuild is needed when the State Council publishes next year's notice. `workday` = 1 is a
-- weekend day designated a working day (调休), or a weekday that cancels a holiday.
CREATE TABLE holidays (
    date        TEXT PRIMARY KEY,
    workday     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    source      TEXT NOT NULL,
    imported_at TEXT NOT NULL
) WITHOUT ROWID;
-- Derived like the other clock columns: 1 when some date was counted through a year without a
-- notice (weekends only). Such rows are replayed again when holiday data is imported. Rows
-- written before this migration were computed on the embedded notices only, so 0 is right.
ALTER TABLE applications ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0;
CREATE INDEX applications_provisional ON applications(id) WHERE provisional = 1;

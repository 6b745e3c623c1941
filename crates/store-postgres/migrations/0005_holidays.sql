-- The calendar as data (SPEC §5): the holiday notices live in the register, seeded from the
-- embedded notices when a register opens and extended by `gongkai calendar import`. `workday`
-- is a weekend day designated a working day (调休), or a weekday that cancels a holiday.
CREATE TABLE holidays (
    date        DATE PRIMARY KEY,
    workday     BOOLEAN NOT NULL,
    name        TEXT NOT NULL,
    source      TEXT NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL
);
-- Derived like the other clock columns: some date was counted through a year without a notice
-- (weekends only). Such rows are replayed again when holiday data is imported.
ALTER TABLE applications ADD COLUMN provisional BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX applications_provisional ON applications(id) WHERE provisional;

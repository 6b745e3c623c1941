-- The due list also shows paused applications that were already overdue when the pause began
-- (their stored `due` is the date they passed; other paused rows keep `due` NULL). Rows written
-- before this migration are re-derived on their next event.
DROP INDEX applications_due;
CREATE INDEX applications_due ON applications(organ, due) WHERE state IN ('open', 'paused') AND due IS NOT NULL;

-- The dashboard's counts by organ and state (with the overdue ones) from the index alone.
CREATE INDEX applications_state ON applications(organ, state, due);
-- A listing page of one organ in receipt order reads its rows in index order.
CREATE INDEX applications_list ON applications(organ, received, id);

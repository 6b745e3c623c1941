-- The register's change mark (`Store::change_mark`, the key of the web's dashboard cache): a
-- counter that every statement writing audit rows bumps in its own transaction. Every write
-- commits audit rows, so the counter moves exactly when a write of this register commits; the
-- cluster snapshot used before moved with any commit in any database, so the cache rarely hit
-- on a busy server. The row lock is taken by the audit insert, the last statement of every
-- write transaction, and held to its commit, so concurrent writers queue only for that moment.
CREATE TABLE change_mark (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT NOT NULL
);
INSERT INTO change_mark (id, n) VALUES (1, 0);

CREATE FUNCTION bump_change_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_mark SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_bumps_change_mark AFTER INSERT ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION bump_change_mark();

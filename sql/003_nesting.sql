--
-- Statements inside functions, cursors, errors and nesting state.
--
CREATE FUNCTION count_a(v int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    SELECT count(*) INTO n FROM t WHERE a = v;
    RETURN n;
END
$$;

-- track = all: the function's statement is counted as nested.
SET pg_scaleup.track = 'all';
SELECT scaleup.reset();
SELECT count_a(5);
SELECT count_a(6);
SELECT query, calls, rows, toplevel, seq_scans, seq_rows_scanned
  FROM scaleup.queries
 WHERE query LIKE '%count%'
 ORDER BY query COLLATE "C";

-- track = top: only the client's statement.
SET pg_scaleup.track = 'top';
SELECT scaleup.reset();
SELECT count_a(5);
SELECT query, calls, toplevel
  FROM scaleup.queries
 WHERE query LIKE '%count%'
 ORDER BY query COLLATE "C";

-- track = none: nothing at all.
SET pg_scaleup.track = 'none';
SELECT scaleup.reset();
SELECT count_a(5);
SELECT count(*) FROM t WHERE a = 1;
SET pg_scaleup.track = 'all';
SELECT count(*) FROM scaleup.queries WHERE query LIKE '%FROM t%';

-- A cursor fetched in parts is one execution with every row counted.
SELECT scaleup.reset();
BEGIN;
DECLARE cur CURSOR FOR SELECT id, c FROM t WHERE b = 3 ORDER BY id;
FETCH 10 FROM cur \g /dev/null
FETCH 20 FROM cur \g /dev/null
FETCH ALL FROM cur \g /dev/null
CLOSE cur;
COMMIT;
SELECT query, calls, rows, toplevel, seq_scans, seq_rows_scanned
  FROM scaleup.queries
 WHERE query LIKE '%FROM t %'
 ORDER BY query COLLATE "C";
SELECT relid, eq_columns, sort_keys, executions, rows_scanned, rows_kept
  FROM scaleup.scans WHERE relid = 't'::regclass;
SELECT columns, calls, rows_returned FROM scaleup.projections
 WHERE relid = 't'::regclass;

-- An error in the middle of a statement leaves no nesting state behind:
-- the statements after it are still top level.
SELECT scaleup.reset();
CREATE FUNCTION fail_on(v int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    IF v = 500 THEN
        RAISE EXCEPTION 'failing on %', v;
    END IF;
    RETURN v;
END
$$;
SELECT fail_on(id) FROM t WHERE id <= 1000;
SELECT 1 / (a - a) FROM t WHERE id = 1;
SELECT count(*) FROM t WHERE a = 9;
SELECT count(*) FROM t WHERE a = 9;
BEGIN;
SELECT fail_on(500);
ROLLBACK;
SELECT count(*) FROM t WHERE a = 9;
SELECT query, calls, toplevel
  FROM scaleup.queries
 WHERE query LIKE '%FROM t WHERE a%'
 ORDER BY query COLLATE "C", toplevel;

-- A DO block's statements are nested.
SELECT scaleup.reset();
DO $$ BEGIN PERFORM count(*) FROM t WHERE b = 4; END $$;
SELECT query, calls, toplevel
  FROM scaleup.queries
 WHERE query LIKE '%FROM t %'
 ORDER BY query COLLATE "C";

-- EXPLAIN without ANALYZE runs nothing and counts nothing.
SELECT scaleup.reset();
EXPLAIN (COSTS OFF) SELECT * FROM t WHERE a = 77;
SELECT count(*) FROM scaleup.scans;

DROP FUNCTION count_a(int);
DROP FUNCTION fail_on(int);
RESET pg_scaleup.track;

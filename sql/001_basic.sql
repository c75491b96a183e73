--
-- Timing, scan evidence and projections of plain queries.
--
CREATE EXTENSION pg_scaleup;

CREATE TABLE t (id int, a int, b int, c text);
INSERT INTO t SELECT i, i % 1000, i % 77, 'x' || i FROM generate_series(1, 10000) i;
ANALYZE t;

SELECT scaleup.reset();

-- Three executions of one query: one entry, exact counts.
SELECT * FROM t WHERE a = 5 ORDER BY id LIMIT 3;
SELECT count(*) FROM (SELECT * FROM t WHERE a = 6) s;
SELECT * FROM t WHERE a = 7 ORDER BY id LIMIT 3;
SELECT * FROM t WHERE a = 5 \g /dev/null
SELECT * FROM t WHERE a = 5 \g /dev/null
SELECT * FROM t WHERE a = 5 \g /dev/null

SELECT query, calls, rows, seq_scans, seq_rows_scanned, toplevel,
       min_exec_time <= mean_exec_time AS min_le_mean,
       mean_exec_time <= max_exec_time AS mean_le_max,
       total_exec_time > 0 AS timed
  FROM scaleup.queries
 WHERE query LIKE '%FROM t %'
 ORDER BY query COLLATE "C";

-- Sort keys and LIMIT above the scan; a narrow projection.
SELECT id, a FROM t ORDER BY b DESC LIMIT 10 \g /dev/null
SELECT id FROM t ORDER BY b, a NULLS FIRST LIMIT 5 OFFSET 5 \g /dev/null

SELECT relid, scan_kind, eq_columns, range_columns, other_columns,
       constant_quals, sort_keys, sort_columns, sort_descending, limit_rows,
       join_columns, executions, rows_scanned, rows_kept
  FROM scaleup.scans
 WHERE relid = 't'::regclass
 ORDER BY executions DESC, sort_keys::text COLLATE "C";

SELECT relid, columns, all_columns, calls, rows_returned, column_bytes,
       bytes_returned
  FROM scaleup.projections
 WHERE relid = 't'::regclass
 ORDER BY calls DESC, columns::text COLLATE "C";

-- Each kind of comparison lands in its list.
SELECT scaleup.reset();
SELECT count(*) FROM t WHERE a IN (1, 2, 3);
SELECT count(*) FROM t WHERE a = ANY ('{4,5}'::int[]);
SELECT count(*) FROM t WHERE b BETWEEN 3 AND 5 AND id > 9000;
SELECT count(*) FROM t WHERE c LIKE 'x12%';
SELECT count(*) FROM t WHERE c LIKE '%12';
SELECT count(*) FROM t WHERE c IS NULL;
SELECT count(*) FROM t WHERE a <> 5;
SELECT count(*) FROM t WHERE a = 1 OR b = 2;
SELECT count(*) FROM t WHERE a + b = 10;
SELECT count(*) FROM t WHERE 5 = a AND c = 'x5';

SELECT eq_columns, range_columns, other_columns, constant_quals,
       executions, rows_scanned, rows_kept
  FROM scaleup.scans
 WHERE relid = 't'::regclass
 ORDER BY eq_columns::text COLLATE "C", range_columns::text COLLATE "C",
          other_columns::text COLLATE "C", rows_kept;

-- Constant qualifiers: the basis of partial indexes.
CREATE TABLE posts (id int, published boolean, archived boolean, deleted_at timestamptz);
INSERT INTO posts SELECT i, i % 2 = 0, i % 10 = 0, CASE WHEN i % 3 = 0 THEN now() END
  FROM generate_series(1, 3000) i;
SELECT count(*) FROM posts WHERE published;
SELECT count(*) FROM posts WHERE NOT archived AND deleted_at IS NULL;
SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL;

SELECT eq_columns, other_columns, constant_quals, rows_scanned, rows_kept
  FROM scaleup.scans
 WHERE relid = 'posts'::regclass
 ORDER BY constant_quals::text COLLATE "C";

-- reset() empties every store and records when.
SELECT scaleup.reset();
SELECT count(*) FROM scaleup.scans;
SELECT count(*) FROM scaleup.projections;
SELECT queries_used, scans_used, projections_used,
       last_reset > now() - interval '1 minute' AS reset_recently
  FROM scaleup.info();

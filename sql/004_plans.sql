--
-- Plan shapes: index scans that filter, joins, partitions, parallel query,
-- CTEs and subqueries.
--

-- An index on the wrong column: the scan reads 130 rows to keep one.
CREATE INDEX t_b_idx ON t (b);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT scaleup.reset();
SELECT id FROM t WHERE b = 5 AND a = 5;
SELECT id FROM t WHERE b = 6;
RESET enable_bitmapscan;
SET enable_indexscan = off;
SELECT id FROM t WHERE b = 5 AND a = 5;
RESET enable_indexscan;
RESET enable_seqscan;

-- The second query keeps every row it reads: not recorded.
SELECT relid, scan_kind, index_relid, eq_columns, executions, rows_scanned,
       rows_kept
  FROM scaleup.scans
 ORDER BY scan_kind COLLATE "C";
DROP INDEX t_b_idx;

-- Join keys of the scans that feed a hash join.
CREATE TABLE customers (id int, name text);
CREATE TABLE orders (id int, customer_id int, total numeric);
INSERT INTO customers SELECT i, 'c' || i FROM generate_series(1, 100) i;
INSERT INTO orders SELECT i, i % 100 + 1, i FROM generate_series(1, 2000) i;
ANALYZE customers, orders;

SELECT scaleup.reset();
SET enable_mergejoin = off;
SET enable_nestloop = off;
SELECT count(*) FROM customers c JOIN orders o ON o.customer_id = c.id
 WHERE c.name = 'c5';
RESET enable_nestloop;
RESET enable_mergejoin;
SELECT relid, eq_columns, join_columns, executions, rows_scanned, rows_kept
  FROM scaleup.scans
 ORDER BY relid::text COLLATE "C";

-- A nested loop that scans orders once per customer.
SELECT scaleup.reset();
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SET enable_material = off;
SELECT count(*) FROM customers c JOIN orders o ON o.customer_id = c.id
 WHERE c.id <= 3;
RESET enable_material;
RESET enable_mergejoin;
RESET enable_hashjoin;
SELECT relid, eq_columns, range_columns, join_columns, executions,
       rows_scanned, rows_kept
  FROM scaleup.scans
 ORDER BY relid::text COLLATE "C";

-- A view that joins on an expression must not trip the column tracing.
CREATE TABLE t3 (id int, note text);
INSERT INTO t3 SELECT i, 'n' || i FROM generate_series(1, 100) i;
CREATE VIEW v AS SELECT id, least(a, b) AS least_of_two_columns FROM t;
SELECT scaleup.reset();
SELECT count(*) FROM v JOIN t3 ON t3.id = v.least_of_two_columns;
SELECT * FROM v JOIN t3 ON t3.id = v.least_of_two_columns ORDER BY v.id LIMIT 2;
SELECT relid, columns, all_columns, rows_returned
  FROM scaleup.projections
 ORDER BY relid::text COLLATE "C";

-- Partitions are recorded with their partitioned root; the projection is
-- reported under the root.
CREATE TABLE events (id int, kind text, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2025 PARTITION OF events
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO events SELECT i, 'k' || (i % 10), date '2025-01-01' + (i % 700)
  FROM generate_series(1, 7000) i;
ANALYZE events;
SELECT scaleup.reset();
SELECT count(*) FROM events WHERE kind = 'k3';
SELECT * FROM events WHERE kind = 'k4' ORDER BY id LIMIT 1;
SELECT count(*) FROM events_2026 WHERE kind = 'k3';
SELECT relid, parent_relid, eq_columns, executions, rows_scanned, rows_kept
  FROM scaleup.scans
 ORDER BY relid::text COLLATE "C", executions;
SELECT relid, columns, all_columns, calls, rows_returned
  FROM scaleup.projections
 ORDER BY relid::text COLLATE "C";

-- Parallel query: the workers' rows are counted once, with the leader's,
-- and the scan counts one execution per query.
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT count(*) FROM t WHERE a = 5;
SELECT scaleup.reset();
SELECT count(*) FROM t WHERE a = 5;
SELECT count(*) FROM t WHERE a = 5;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
RESET max_parallel_workers_per_gather;
SELECT query, calls, rows, seq_scans, seq_rows_scanned
  FROM scaleup.queries WHERE query LIKE '%FROM t %';
SELECT eq_columns, executions, rows_scanned, rows_kept
  FROM scaleup.scans WHERE relid = 't'::regclass;

-- CTEs and subqueries.
SELECT scaleup.reset();
WITH picked AS MATERIALIZED (SELECT * FROM t WHERE c = 'x5')
SELECT id FROM picked;
SELECT count(*) FROM t WHERE a IN (SELECT id FROM t3 WHERE note = 'n7');
SELECT (SELECT max(id) FROM t3 WHERE t3.id < t.a) FROM t WHERE id = 42;
SELECT relid, eq_columns, range_columns, join_columns, executions,
       rows_scanned, rows_kept
  FROM scaleup.scans
 ORDER BY relid::text COLLATE "C", rows_scanned;

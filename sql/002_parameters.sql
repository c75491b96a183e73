--
-- Parameter samples: literals, PREPARE/EXECUTE, and who may see them.
--
SELECT scaleup.reset();

PREPARE by_a(int) AS SELECT * FROM t WHERE a = $1;
EXECUTE by_a(5);
EXECUTE by_a(6);
PREPARE by_a_and_c(int) AS SELECT id FROM t WHERE a = $1 AND c = 'x' || 'y' AND b < 70;
EXECUTE by_a_and_c(7);
SELECT id FROM t WHERE c = 'it''s' AND a = -3 AND b IN (1, 2);
DEALLOCATE by_a;
DEALLOCATE by_a_and_c;

SELECT query, calls, rows, toplevel, parameters
  FROM scaleup.queries
 WHERE query LIKE '%FROM t %'
 ORDER BY query COLLATE "C";

-- A role without pg_read_all_stats sees its own texts but no parameters,
-- and neither the texts nor the query identifiers of other users.
CREATE ROLE scaleup_reader;
GRANT SELECT ON t TO scaleup_reader;
SET ROLE scaleup_reader;
SELECT count(*) FROM t WHERE a = 11;
SELECT query, queryid IS NULL AS queryid_hidden, parameters
  FROM scaleup.queries
 WHERE query LIKE '%FROM t %' OR query = '<insufficient privilege>'
 ORDER BY query COLLATE "C", calls;
RESET ROLE;

-- Membership in pg_read_all_stats shows everything.
GRANT pg_read_all_stats TO scaleup_reader;
SET ROLE scaleup_reader;
SELECT query, queryid IS NULL AS queryid_hidden, parameters
  FROM scaleup.queries
 WHERE query LIKE '%FROM t %'
 ORDER BY query COLLATE "C", calls;
RESET ROLE;

-- Unprivileged roles cannot reset the statistics.
SET ROLE scaleup_reader;
SELECT scaleup.reset();
RESET ROLE;

-- With track_parameters off no sample is shown.
SET pg_scaleup.track_parameters = off;
SELECT count(*) FROM scaleup.queries WHERE parameters IS NOT NULL;
RESET pg_scaleup.track_parameters;

REVOKE pg_read_all_stats FROM scaleup_reader;
REVOKE SELECT ON t FROM scaleup_reader;
DROP ROLE scaleup_reader;

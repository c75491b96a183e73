/* extension/pg_scaleup--1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION pg_scaleup" to load this file. \quit

--
-- Statistics collected by the library.  The set-returning functions read the
-- shared-memory stores; the views are the supported interface.
--

CREATE FUNCTION scaleup.query_stats(
    OUT userid oid,
    OUT dbid oid,
    OUT queryid bigint,
    OUT toplevel boolean,
    OUT query text,
    OUT calls bigint,
    OUT rows bigint,
    OUT total_exec_time double precision,
    OUT min_exec_time double precision,
    OUT max_exec_time double precision,
    OUT mean_exec_time double precision,
    OUT stddev_exec_time double precision,
    OUT seq_scans bigint,
    OUT seq_rows_scanned bigint,
    OUT sampled_calls bigint,
    OUT parameters text[],
    OUT first_seen timestamptz,
    OUT last_seen timestamptz
)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'scaleup_query_stats'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

CREATE FUNCTION scaleup.scan_stats(
    OUT dbid oid,
    OUT queryid bigint,
    OUT relid regclass,
    OUT parent_relid regclass,
    OUT scan_kind text,
    OUT index_relid regclass,
    OUT eq_columns text[],
    OUT range_columns text[],
    OUT other_columns text[],
    OUT constant_quals text[],
    OUT sort_keys text[],
    OUT sort_columns text[],
    OUT sort_descending boolean[],
    OUT limit_rows bigint,
    OUT join_columns text[],
    OUT executions bigint,
    OUT rows_scanned bigint,
    OUT rows_kept bigint,
    OUT first_seen timestamptz,
    OUT last_seen timestamptz
)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'scaleup_scan_stats'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

CREATE FUNCTION scaleup.projection_stats(
    OUT dbid oid,
    OUT queryid bigint,
    OUT relid regclass,
    OUT columns text[],
    OUT all_columns boolean,
    OUT column_bytes bigint[],
    OUT calls bigint,
    OUT rows_returned bigint,
    OUT bytes_returned bigint,
    OUT first_seen timestamptz,
    OUT last_seen timestamptz
)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'scaleup_projection_stats'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

CREATE VIEW scaleup.queries AS
    SELECT * FROM scaleup.query_stats();

CREATE VIEW scaleup.scans AS
    SELECT * FROM scaleup.scan_stats();

CREATE VIEW scaleup.projections AS
    SELECT * FROM scaleup.projection_stats();

CREATE FUNCTION scaleup.reset()
RETURNS void
AS 'MODULE_PATHNAME', 'scaleup_reset'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

CREATE FUNCTION scaleup.info(
    OUT queries_used bigint,
    OUT queries_capacity bigint,
    OUT scans_used bigint,
    OUT scans_capacity bigint,
    OUT projections_used bigint,
    OUT projections_capacity bigint,
    OUT evictions bigint,
    OUT query_evictions bigint,
    OUT scan_evictions bigint,
    OUT projection_evictions bigint,
    OUT last_reset timestamptz
)
RETURNS record
AS 'MODULE_PATHNAME', 'scaleup_info'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

-- Reading statistics follows pg_stat_statements: any role may read the views,
-- and the functions hide other users' texts and every parameter sample from
-- roles without pg_read_all_stats.  Resetting is for superusers unless granted.
GRANT USAGE ON SCHEMA scaleup TO PUBLIC;
GRANT SELECT ON scaleup.queries, scaleup.scans, scaleup.projections TO PUBLIC;
REVOKE ALL ON FUNCTION scaleup.reset() FROM PUBLIC;

--
-- Suggestions written by scaleup-advisor, and the actions it took.  Both are
-- extension configuration tables, so pg_dump keeps their rows.
--

CREATE TABLE scaleup.suggestions (
    id bigserial PRIMARY KEY,
    target text NOT NULL,
    fingerprint text NOT NULL,
    kind text NOT NULL
        CHECK (kind IN ('create_index', 'drop_index',
                        'trim_projection', 'add_limit')),
    "table" text NOT NULL,
    index_name text,
    sql text NOT NULL,
    rationale text NOT NULL,
    evidence jsonb NOT NULL DEFAULT '[]',
    estimated_gain_ms_per_hour double precision,
    estimated_size_bytes bigint,
    write_penalty double precision,
    verified_by_planner boolean NOT NULL DEFAULT false,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'rejected', 'applied',
                          'verified', 'reverted', 'failed')),
    status_reason text,
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    measured_before_ms double precision,
    measured_after_ms double precision,
    -- trim_projection and add_limit: bytes per call of the original query
    -- when the suggestion was approved, from its evidence.  Review compares
    -- it with the rewritten query's bytes per call (evidence->0->>
    -- 'rewritten_queryid' in scaleup.projections).
    approved_bytes_per_call double precision,
    UNIQUE (target, fingerprint)
);

CREATE TABLE scaleup.actions (
    id bigserial PRIMARY KEY,
    suggestion_id bigint REFERENCES scaleup.suggestions (id) ON DELETE SET NULL,
    target text NOT NULL,
    action text NOT NULL,
    sql text,
    started_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    finished_at timestamptz,
    outcome text NOT NULL
        CHECK (outcome IN ('running', 'succeeded', 'failed', 'skipped')),
    error text,
    details jsonb
);

SELECT pg_catalog.pg_extension_config_dump('scaleup.suggestions', '');
SELECT pg_catalog.pg_extension_config_dump('scaleup.suggestions_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('scaleup.actions', '');
SELECT pg_catalog.pg_extension_config_dump('scaleup.actions_id_seq', '');

REVOKE ALL ON scaleup.suggestions, scaleup.actions FROM PUBLIC;
REVOKE ALL ON SEQUENCE scaleup.suggestions_id_seq, scaleup.actions_id_seq
    FROM PUBLIC;

-- Reviewers change a suggestion's status only through these two functions,
-- so they need EXECUTE on them and no write access to the table.  A failed
-- suggestion can be approved again once its cause (a lock, a missing
-- privilege) is fixed.
CREATE FUNCTION scaleup.approve(suggestion_id bigint)
RETURNS scaleup.suggestions
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result scaleup.suggestions;
BEGIN
    UPDATE scaleup.suggestions s
       SET status = 'approved', status_reason = NULL, updated_at = now(),
           approved_bytes_per_call =
               CASE WHEN s.kind IN ('trim_projection', 'add_limit')
                    THEN (s.evidence -> 0 ->> 'bytes_per_call')::double precision
               END
     WHERE s.id = suggestion_id AND s.status IN ('pending', 'rejected', 'failed')
    RETURNING s.* INTO result;

    IF NOT FOUND THEN
        PERFORM 1 FROM scaleup.suggestions s WHERE s.id = suggestion_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'suggestion % does not exist', suggestion_id
                USING ERRCODE = 'no_data_found';
        END IF;
        RAISE EXCEPTION 'suggestion % cannot be approved', suggestion_id
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('Its status is "%s". Only pending, rejected or failed suggestions can be approved.',
                                  (SELECT s.status FROM scaleup.suggestions s
                                    WHERE s.id = suggestion_id));
    END IF;

    RETURN result;
END
$$;

CREATE FUNCTION scaleup.reject(suggestion_id bigint, reason text DEFAULT NULL)
RETURNS scaleup.suggestions
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result scaleup.suggestions;
BEGIN
    UPDATE scaleup.suggestions s
       SET status = 'rejected', status_reason = reason, updated_at = now()
     WHERE s.id = suggestion_id AND s.status IN ('pending', 'approved')
    RETURNING s.* INTO result;

    IF NOT FOUND THEN
        PERFORM 1 FROM scaleup.suggestions s WHERE s.id = suggestion_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'suggestion % does not exist', suggestion_id
                USING ERRCODE = 'no_data_found';
        END IF;
        RAISE EXCEPTION 'suggestion % cannot be rejected', suggestion_id
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('Its status is "%s". Only pending or approved suggestions can be rejected.',
                                  (SELECT s.status FROM scaleup.suggestions s
                                    WHERE s.id = suggestion_id));
    END IF;

    RETURN result;
END
$$;

REVOKE ALL ON FUNCTION scaleup.approve(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION scaleup.reject(bigint, text) FROM PUBLIC;

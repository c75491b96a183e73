#!/usr/bin/env bash
# Measure how much scaleup-advisor's indexes speed up real workloads, next to
# the indexes that pg_qualstats_index_advisor() proposes for the same run.
#
#   bench/quality/run.sh [--workloads LIST] [--duration SECONDS] [--rounds N]
#                        [--round-duration SECONDS] [--clients N]
#                        [--port PORT] [--dir DIR] [--keep]
#
# Workloads (--workloads, comma-separated; default: all, in this order):
#
#   homepage     the demo's blog (demo/schema.sql, demo/data.sql, 300,000
#                posts) under the demo's homepage scripts (demo/workload/)
#   tpcb         pgbench -i -I dtg -s 10 (no primary keys), built-in
#                TPC-B-like script
#   select-only  the same tables, built-in select-only script
#   sysbench     sysbench oltp_read_write --create_secondary=off, 4 tables
#                of 100,000 rows (the primary key on id stays)
#   join         bench/quality/join/: customers, products, orders and
#                order_lines with primary keys only, under twelve reporting
#                queries (q*.sql) of equal weight
#
# For each workload the script:
#   1. creates a fresh database, loads the data, runs VACUUM ANALYZE and
#      pg_stat_reset(), and makes three copies (CREATE DATABASE ...
#      TEMPLATE): one stays unindexed for the "before" measurements, one
#      gets ScaleUp's indexes and one pg_qualstats' indexes;
#   2. collects: drives the workload on the original for --duration seconds
#      with pg_scaleup and pg_qualstats preloaded (both with
#      sample_rate = 1);
#   3. reads pg_qualstats_index_advisor() (default arguments) and runs the
#      CREATE INDEX statements of its "indexes" array on its copy;
#   4. runs "scaleup-advisor analyze" on the original, approves its
#      create_index suggestions, builds them with "scaleup-advisor apply
#      --now", and creates the same indexes (pg_get_indexdef) on its copy;
#   5. measures: --rounds rounds, each driving the workload for
#      --round-duration seconds on the unindexed copy ("before"), ScaleUp's
#      copy ("scaleup") and pg_qualstats' copy ("qualstats") in turn,
#      with the first phase rotating from round to round.  Taking turns
#      spreads the load of other processes over the three phases, and the
#      report shows the median over the rounds.
# Per-query mean execution times come from scaleup.queries (top-level
# statements of the phase's database, reset before each run).  A copy keeps
# the relation OIDs of the original, so a query has the same queryid in all
# the databases.
#
# At the end it prints, per workload, a Markdown table of the mean time per
# query in each phase with the speed-ups, the sum of the means, and the
# indexes each advisor created with their sizes.  Every file it wrote
# (advisor output, scaleup.scans, pgbench and sysbench output, the tables)
# stays in the work folder.
#
# Reproducible by construction: fixed data sizes, fixed seeds for the data
# (setseed), pgbench (--random-seed) and sysbench (--rand-seed).  Timings
# still vary with the machine's load.  Defaults: 30 s of collection, 3
# rounds of 15 s per phase, 2 clients: about 15 minutes in all on a 2-core
# machine.
#
# Needs: PostgreSQL 15 with pgbench, the pg_scaleup extension installed, the
# scaleup-advisor program (on the PATH or in advisor/), and the packages
# postgresql-15-pg-qualstats, postgresql-15-hypopg and sysbench:
#
#   apt-get install -y postgresql-15-pg-qualstats postgresql-15-hypopg sysbench
#
# As root, the server runs as the "postgres" user.  The cluster listens only
# on a Unix socket (port 55900 by default names the socket) in the work
# folder, which is a new /tmp/scaleup-quality.XXXXXX unless --dir names a
# new or empty one.
# The cluster is stopped at the end and on Ctrl-C; the work folder is kept.
# Each workload's databases are dropped after it, and the data directory at
# the end, unless --keep is given.
set -euo pipefail

bench_dir=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "$bench_dir/../.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

all_workloads="homepage tpcb select-only sysbench join"
workloads=$all_workloads
duration=30
rounds=3
round_duration=15
clients=2
port=55900
work_dir=
keep=false

# Data sizes.  The homepage uses the demo's default size.
homepage_posts=300000
pgbench_scale=10
sysbench_tables=4
sysbench_table_size=100000
join_orders=100000
seed=4242

usage() {
    sed -n '5,7p' "$0" | sed 's/^#   /       /; 1s/^       /usage: /'
}

fail() {
    echo "quality: $*" >&2
    exit 1
}

while [[ $# -gt 0 ]]; do
    case $1 in
        --workloads|--duration|--rounds|--round-duration|--clients|--port|--dir)
            [[ $# -ge 2 ]] || { echo "quality: option $1 requires a value" >&2; exit 2; }
            case $1 in
                --workloads) workloads=${2//,/ } ;;
                --duration) duration=$2 ;;
                --rounds) rounds=$2 ;;
                --round-duration) round_duration=$2 ;;
                --clients) clients=$2 ;;
                --port) port=$2 ;;
                --dir) work_dir=$2 ;;
            esac
            shift 2
            ;;
        --keep) keep=true; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "quality: unknown argument \"$1\"" >&2; usage >&2; exit 2 ;;
    esac
done

for value in "$duration" "$rounds" "$round_duration" "$clients" "$port"; do
    if [[ ! $value =~ ^[1-9][0-9]*$ ]]; then
        echo "quality: invalid value \"$value\": expected a positive integer" >&2
        exit 2
    fi
done
for workload in $workloads; do
    if [[ " $all_workloads " != *" $workload "* ]]; then
        echo "quality: unknown workload \"$workload\"; expected some of: $all_workloads" >&2
        exit 2
    fi
done

# --- Programs and packages ---------------------------------------------------

[[ -x $PG_CONFIG ]] || fail "pg_config not found at $PG_CONFIG; install postgresql-15 or set PG_CONFIG"
bindir=$("$PG_CONFIG" --bindir)
pkglibdir=$("$PG_CONFIG" --pkglibdir)
sharedir=$("$PG_CONFIG" --sharedir)
PATH=$bindir:$PATH
export PATH

missing_packages=()
[[ -f $pkglibdir/pg_qualstats.so ]] || missing_packages+=(postgresql-15-pg-qualstats)
[[ -f $sharedir/extension/hypopg.control ]] || missing_packages+=(postgresql-15-hypopg)
if [[ " $workloads " == *" sysbench "* ]] && ! command -v sysbench >/dev/null 2>&1; then
    missing_packages+=(sysbench)
fi
if [[ ${#missing_packages[@]} -gt 0 ]]; then
    fail "missing packages; install them with: apt-get install -y ${missing_packages[*]}"
fi
[[ -f $pkglibdir/pg_scaleup.so ]] ||
    fail "pg_scaleup is not installed ($pkglibdir/pg_scaleup.so is missing); run make -C extension install"

advisor=${SCALEUP_ADVISOR:-}
if [[ -z $advisor ]]; then
    if command -v scaleup-advisor >/dev/null 2>&1; then
        advisor=$(command -v scaleup-advisor)
    else
        advisor=$repo_root/advisor/scaleup-advisor
    fi
fi
[[ -x $advisor ]] || fail "scaleup-advisor not found at $advisor; build it (make -C advisor) or set SCALEUP_ADVISOR"

if [[ $(id -u) -eq 0 ]]; then
    server_user=postgres
    as_server_user=(runuser -u postgres --)
else
    server_user=$(id -un)
    as_server_user=()
fi

# --- Cluster -----------------------------------------------------------------

# The work folder is handed to the server's user, so it must be new or empty.
if [[ -z $work_dir ]]; then
    work_dir=$(mktemp -d /tmp/scaleup-quality.XXXXXX)
elif [[ -e $work_dir && -n $(ls -A "$work_dir") ]]; then
    echo "quality: $work_dir is not empty; name a new or empty folder with --dir" >&2
    exit 2
fi
mkdir -p "$work_dir"
work_dir=$(cd "$work_dir" && pwd)
data_dir=$work_dir/data
socket_dir=$work_dir/socket
server_log=$work_dir/server.log
mkdir -p "$socket_dir"
chmod 755 "$work_dir"
if [[ ${#as_server_user[@]} -gt 0 ]]; then
    chown "$server_user" "$work_dir" "$socket_dir"
fi

server_started=false
on_exit() {
    local status=$?
    trap - EXIT INT TERM
    set +e
    if [[ $server_started == true ]]; then
        "${as_server_user[@]}" pg_ctl -D "$data_dir" -m fast -w stop >/dev/null
        if [[ $keep != true ]]; then
            rm -rf "$data_dir"
        fi
    fi
    echo "quality: output kept in $work_dir" >&2
    exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"${as_server_user[@]}" initdb -D "$data_dir" -U "$server_user" -A trust -E UTF8 \
    --locale=C >"$work_dir/initdb.log" 2>&1 || fail "initdb failed; see $work_dir/initdb.log"

# The settings of demo/run.sh: a throwaway cluster, no parallel workers
# competing with the clients.  Both collectors see every execution.
cat >>"$data_dir/postgresql.conf" <<CONF

# Added by bench/quality/run.sh
listen_addresses = ''
port = $port
unix_socket_directories = '$socket_dir'
shared_preload_libraries = 'pg_scaleup,pg_qualstats'
compute_query_id = on
pg_scaleup.sample_rate = 1
pg_qualstats.sample_rate = 1
shared_buffers = 256MB
max_parallel_workers_per_gather = 0
wal_level = minimal
max_wal_senders = 0
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
CONF

server_started=true
"${as_server_user[@]}" pg_ctl -D "$data_dir" -l "$server_log" -w -t 60 start >/dev/null ||
    fail "the server did not start; see $server_log"

export PGHOST=$socket_dir PGPORT=$port PGUSER=$server_user PGDATABASE=postgres
unset PGSERVICE PGHOSTADDR PGPASSWORD PGOPTIONS

run_sql() {
    psql -X -q -v ON_ERROR_STOP=1 "$@"
}

query_sql() {
    psql -X -q -At -F $'\t' -v ON_ERROR_STOP=1 "$@"
}

# Results of every workload go to the database "quality".
run_sql -c 'CREATE DATABASE quality'
run_sql -d quality <<'SQL'
CREATE TABLE measurements (
    workload text, phase text, round int, queryid bigint, query text,
    calls bigint, mean_ms double precision
);
CREATE TABLE indexes (
    workload text, advisor text, table_name text, definition text,
    size_bytes bigint
);
CREATE TABLE runs (
    workload text, phase text, round int, tps double precision,
    load_average double precision
);
SQL

log() {
    printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*"
}

# --- Workload definitions ----------------------------------------------------
#
# load_WORKLOAD DB fills a new database; drive_WORKLOAD DB OUTPUT SECONDS
# runs the workload for SECONDS and writes the client's report to OUTPUT.

homepage_authors=$((homepage_posts / 5))

load_homepage() {
    run_sql -d "$1" -1 -v posts="$homepage_posts" \
        -f "$repo_root/demo/schema.sql" -f "$repo_root/demo/data.sql" >/dev/null
}

drive_homepage() {
    # The weights of demo/run.sh.
    pgbench -n -c "$clients" -j "$clients" -T "$3" --random-seed="$seed" \
        -D authors="$homepage_authors" \
        -f "$repo_root/demo/workload/latest_posts.sql@10" \
        -f "$repo_root/demo/workload/author_posts.sql@10" \
        -f "$repo_root/demo/workload/featured_products.sql@10" \
        -f "$repo_root/demo/workload/author_by_email.sql@20" \
        -f "$repo_root/demo/workload/sitemap.sql@1" \
        "$1" >"$2" 2>&1
}

load_tpcb() {
    pgbench -i -I dtg -s "$pgbench_scale" -q "$1" >/dev/null 2>&1
}

drive_tpcb() {
    pgbench -n -b tpcb-like -c "$clients" -j "$clients" -T "$3" \
        --random-seed="$seed" "$1" >"$2" 2>&1
}

load_select-only() {
    load_tpcb "$1"
}

drive_select-only() {
    pgbench -n -b select-only -c "$clients" -j "$clients" -T "$3" \
        --random-seed="$seed" "$1" >"$2" 2>&1
}

sysbench_args() {
    echo --db-driver=pgsql --pgsql-host="$socket_dir" --pgsql-port="$port" \
        --pgsql-user="$server_user" --pgsql-db="$1" \
        --tables="$sysbench_tables" --table-size="$sysbench_table_size" \
        --create_secondary=off --rand-seed="$seed"
}

load_sysbench() {
    # shellcheck disable=SC2046
    sysbench oltp_read_write $(sysbench_args "$1") prepare >/dev/null
}

drive_sysbench() {
    # shellcheck disable=SC2046
    sysbench oltp_read_write $(sysbench_args "$1") --threads="$clients" \
        --time="$3" run >"$2" 2>&1
}

load_join() {
    run_sql -d "$1" -1 -v orders="$join_orders" -f "$bench_dir/join/schema.sql" >/dev/null
}

drive_join() {
    local scripts=() file
    for file in "$bench_dir"/join/q*.sql; do
        scripts+=(-f "$file")
    done
    pgbench -n -c "$clients" -j "$clients" -T "$3" --random-seed="$seed" \
        -D customers=$((join_orders / 5)) -D orders="$join_orders" \
        -D products=$((join_orders / 50)) "${scripts[@]}" "$1" >"$2" 2>&1
}

# Throughput from the client's report: pgbench's "tps = ..." or sysbench's
# "transactions: N (X per sec.)".
read_tps() {
    sed -n -e 's/^tps = \([0-9.]*\).*/\1/p' \
        -e 's/^ *transactions: *[0-9]* *(\([0-9.]*\) per sec.)/\1/p' "$1" | head -n 1
}

# --- Phases ------------------------------------------------------------------

# Reset pg_scaleup's statistics, drive workload $1 on database $2 for $5
# seconds and store the per-query means as round $4 of phase $3.
measure() {
    local workload=$1 database=$2 phase=$3 round=$4 seconds=$5
    local output=$work_dir/$workload/$phase-$round.out
    run_sql -d "$database" -c 'SELECT scaleup.reset()' >/dev/null
    "drive_$workload" "$database" "$output" "$seconds" ||
        fail "the $workload workload failed; see $output"
    local tps load_average
    tps=$(read_tps "$output")
    # The 1-minute load average at the end of the run shows how much
    # other processes competed for the cores during it.
    load_average=$(cut -d' ' -f1 /proc/loadavg)
    log "$workload: $phase, round $round: ${tps:-?} transactions/s, load average $load_average"
    run_sql -d quality -c "INSERT INTO runs VALUES ('$workload', '$phase', $round, ${tps:-NULL}, $load_average)"
    # The workload's own statements: top level, in this database, and not
    # this script's reset calls.
    query_sql -d "$database" -c "
        COPY (SELECT '$workload', '$phase', $round, queryid,
                     regexp_replace(query, '\s+', ' ', 'g'), calls, mean_exec_time
                FROM scaleup.queries
               WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                 AND toplevel
                 AND query NOT LIKE '%scaleup.%'
                 AND query NOT LIKE '%pg_qualstats%') TO STDOUT" |
        query_sql -d quality -c 'COPY measurements FROM STDIN'
}

# Store the indexes on public tables created after OID $4 in database $2 as
# advisor $3's indexes for workload $1.
record_indexes() {
    local workload=$1 database=$2 advisor_name=$3 baseline_oid=$4
    query_sql -d "$database" -c "
        COPY (SELECT '$workload', '$advisor_name', t.relname,
                     pg_get_indexdef(x.indexrelid), pg_relation_size(x.indexrelid)
                FROM pg_index x
                JOIN pg_class t ON t.oid = x.indrelid
               WHERE t.relnamespace = 'public'::regnamespace
                 AND x.indexrelid::bigint > $baseline_oid) TO STDOUT" |
        query_sql -d quality -c 'COPY indexes FROM STDIN'
}

run_workload() {
    local workload=$1
    local database=bench_${workload//-/_}
    local unindexed=${database}_before
    local scaleup_copy=${database}_scaleup
    local copy=${database}_qualstats
    local dir=$work_dir/$workload
    mkdir -p "$dir"

    log "$workload: loading"
    run_sql -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $database" \
        -c "DROP DATABASE IF EXISTS $unindexed" -c "DROP DATABASE IF EXISTS $scaleup_copy" \
        -c "DROP DATABASE IF EXISTS $copy" \
        -c "CREATE DATABASE $database"
    run_sql -d "$database" -c 'CREATE EXTENSION pg_scaleup' -c 'CREATE EXTENSION hypopg' \
        -c 'CREATE EXTENSION pg_qualstats'
    local load_start=$SECONDS
    "load_$workload" "$database" || fail "loading the $workload data failed"
    # pg_stat_reset() makes the table statistics start after the load, as on
    # a database in steady use.  Without it, the advisor's first analyze
    # divides the bulk load's inserts by the seconds since the load and
    # charges them as write traffic to every index candidate.
    run_sql -d "$database" -c 'VACUUM ANALYZE' -c 'SELECT pg_stat_reset()' >/dev/null
    log "$workload: loaded in $((SECONDS - load_start)) s, $(query_sql -d "$database" \
        -c 'SELECT pg_size_pretty(pg_database_size(current_database()))')"
    local baseline_oid
    baseline_oid=$(query_sql -d "$database" -c 'SELECT max(oid::bigint) FROM pg_class')
    run_sql -c "CREATE DATABASE $unindexed TEMPLATE $database" \
        -c "CREATE DATABASE $scaleup_copy TEMPLATE $database" \
        -c "CREATE DATABASE $copy TEMPLATE $database"

    log "$workload: collecting for $duration s on $database"
    run_sql -d "$database" -c 'SELECT scaleup.reset()' -c 'SELECT pg_qualstats_reset()' >/dev/null
    "drive_$workload" "$database" "$dir/collect.out" "$duration" ||
        fail "the $workload workload failed; see $dir/collect.out"
    log "$workload: collected, $(read_tps "$dir/collect.out") transactions/s"

    # pg_qualstats' suggestions from the same run.  Its advisor can list
    # the same statement twice (once per query that needs it); each runs once.
    query_sql -d "$database" -c 'SELECT pg_qualstats_index_advisor()' >"$dir/qualstats-advisor.json"
    query_sql -d "$database" -c "
        SELECT statement
          FROM json_array_elements_text(pg_qualstats_index_advisor() -> 'indexes') AS statement" |
        awk '!seen[$0]++ { print $0 ";" }' \
        >"$dir/qualstats-indexes.sql"
    # scaleup.scans, the advisor's evidence, for explaining its choices.
    run_sql -d "$database" -c "
        SELECT s.queryid, s.relid, s.scan_kind, s.eq_columns, s.range_columns,
               s.other_columns, s.sort_keys, s.limit_rows, s.join_columns,
               s.executions, s.rows_scanned, s.rows_kept,
               left(regexp_replace(q.query, '\s+', ' ', 'g'), 100) AS query
          FROM scaleup.scans s
          LEFT JOIN scaleup.queries q ON q.queryid = s.queryid AND q.dbid = s.dbid AND q.toplevel
         WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
         ORDER BY s.rows_scanned DESC" >"$dir/scans.txt"

    log "$workload: scaleup-advisor analyze"
    PGDATABASE=$database "$advisor" analyze >"$dir/analyze.txt" 2>"$dir/analyze.log" ||
        fail "scaleup-advisor analyze failed; see $dir/analyze.log"
    PGDATABASE=$database "$advisor" analyze --no-store --format json \
        >"$dir/analyze.json" 2>>"$dir/analyze.log" || true
    local ids
    ids=$(query_sql -d "$database" -c "
        SELECT string_agg(id::text, ' ' ORDER BY id) FROM scaleup.suggestions
         WHERE kind = 'create_index' AND status = 'pending'")
    if [[ -n $ids ]]; then
        log "$workload: approving and applying suggestions $ids"
        # shellcheck disable=SC2086
        PGDATABASE=$database "$advisor" approve $ids >>"$dir/apply.log" 2>&1 ||
            fail "scaleup-advisor approve failed; see $dir/apply.log"
        PGDATABASE=$database "$advisor" apply --now >>"$dir/apply.log" 2>&1 ||
            fail "scaleup-advisor apply --now failed; see $dir/apply.log"
    else
        log "$workload: scaleup-advisor suggested no index"
    fi
    record_indexes "$workload" "$database" scaleup "$baseline_oid"
    # The original ran the collection, so a write workload left dead rows
    # in it that the copies do not have.  ScaleUp's indexes are measured on
    # a copy made before the collection, like pg_qualstats' ones.
    query_sql -d "$database" -c "
        SELECT pg_get_indexdef(x.indexrelid) || ';'
          FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid
         WHERE t.relnamespace = 'public'::regnamespace
           AND x.indexrelid::bigint > $baseline_oid" >"$dir/scaleup-indexes.sql"
    if [[ -s $dir/scaleup-indexes.sql ]]; then
        run_sql -d "$scaleup_copy" -f "$dir/scaleup-indexes.sql" >/dev/null
    fi

    local statements
    statements=$(grep -c . "$dir/qualstats-indexes.sql" || true)
    log "$workload: applying pg_qualstats' $statements CREATE INDEX statements on $copy"
    if [[ $statements -gt 0 ]]; then
        run_sql -d "$copy" -f "$dir/qualstats-indexes.sql" >/dev/null
    fi
    record_indexes "$workload" "$copy" qualstats "$baseline_oid"

    # Round N starts with phase N mod 3, so each phase runs first, second
    # and third equally often in every 3 rounds.
    local phases=(before scaleup qualstats)
    local databases=("$unindexed" "$scaleup_copy" "$copy")
    local round step index
    for ((round = 1; round <= rounds; round++)); do
        for ((step = 0; step < 3; step++)); do
            index=$(((round - 1 + step) % 3))
            measure "$workload" "${databases[index]}" "${phases[index]}" "$round" "$round_duration"
        done
    done

    if [[ $keep != true ]]; then
        run_sql -c "DROP DATABASE $database" -c "DROP DATABASE $unindexed" \
            -c "DROP DATABASE $scaleup_copy" -c "DROP DATABASE $copy"
    fi
    report_workload "$workload" | tee "$dir/results.md"
}

# --- Report ------------------------------------------------------------------

# Print the Markdown tables of workload $1: per query and phase, the median
# over the rounds of its mean time in each round.  They leave out statements that
# ran fewer than 10 times in the "before" runs: the catalog queries pgbench
# sends once at start-up.  A query is marked slower when its mean grew by
# more than 10 %.
report_workload() {
    query_sql -d quality -v workload="$1" <<'SQL'
\pset tuples_only on
\pset format unaligned
WITH per_phase AS (
    SELECT queryid, min(query) AS query, phase, sum(calls) AS calls,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY mean_ms) AS mean_ms
      FROM measurements
     WHERE workload = :'workload'
     GROUP BY queryid, phase
), m AS (
    SELECT b.queryid, b.query, b.calls AS calls, b.mean_ms AS before_ms,
           s.mean_ms AS scaleup_ms, q.mean_ms AS qualstats_ms
      FROM per_phase b
      LEFT JOIN per_phase s ON s.queryid = b.queryid AND s.phase = 'scaleup'
      LEFT JOIN per_phase q ON q.queryid = b.queryid AND q.phase = 'qualstats'
     WHERE b.phase = 'before' AND b.calls >= 10
), r AS (
    SELECT phase, percentile_cont(0.5) WITHIN GROUP (ORDER BY tps) AS tps,
           min(load_average) AS load_min, max(load_average) AS load_max
      FROM runs
     WHERE workload = :'workload'
     GROUP BY phase
)
SELECT line FROM (
    SELECT 0 AS position, NULL::text AS sort_key, format(E'\n#### %s\n', :'workload') AS line
    UNION ALL
    SELECT 1, NULL, '| query | calls before | ms before | ms after ScaleUp | speed-up | ms after pg_qualstats | speed-up |'
    UNION ALL
    SELECT 2, NULL, '|---|---:|---:|---:|---:|---:|---:|'
    UNION ALL
    SELECT 3, to_char(before_ms, '000000000.000000') || query,
           format('| `%s` | %s | %s | %s%s | %s | %s%s | %s |',
                  replace(left(query, 90), '|', '\|') || CASE WHEN length(query) > 90 THEN '...' ELSE '' END,
                  calls,
                  round(before_ms::numeric, 3),
                  round(scaleup_ms::numeric, 3),
                  CASE WHEN scaleup_ms > before_ms * 1.1 THEN ' (slower)' ELSE '' END,
                  round((before_ms / nullif(scaleup_ms, 0))::numeric, 1) || 'x',
                  round(qualstats_ms::numeric, 3),
                  CASE WHEN qualstats_ms > before_ms * 1.1 THEN ' (slower)' ELSE '' END,
                  round((before_ms / nullif(qualstats_ms, 0))::numeric, 1) || 'x')
      FROM m
    UNION ALL
    SELECT 4, 'b',
           format('| **sum of the means** | | %s | %s | %s | %s | %s |',
                  round(sum(before_ms)::numeric, 3), round(sum(scaleup_ms)::numeric, 3),
                  round((sum(before_ms) / nullif(sum(scaleup_ms), 0))::numeric, 1) || 'x',
                  round(sum(qualstats_ms)::numeric, 3),
                  round((sum(before_ms) / nullif(sum(qualstats_ms), 0))::numeric, 1) || 'x')
      FROM m
    UNION ALL
    -- The homepage's page load, as demo/run.sh defines it: the sum of the
    -- means of the four homepage queries, without the sitemap.
    SELECT 4, 'a',
           format('| **homepage page load** (without the sitemap) | | %s | %s | %s | %s | %s |',
                  round(sum(before_ms)::numeric, 3), round(sum(scaleup_ms)::numeric, 3),
                  round((sum(before_ms) / nullif(sum(scaleup_ms), 0))::numeric, 1) || 'x',
                  round(sum(qualstats_ms)::numeric, 3),
                  round((sum(before_ms) / nullif(sum(qualstats_ms), 0))::numeric, 1) || 'x')
      FROM m
     WHERE query <> 'SELECT * FROM products'
    HAVING :'workload' = 'homepage'
    UNION ALL
    SELECT 5, NULL,
           format('| transactions/s (client) | | %s | %s | %s | %s | %s |',
                  round(b.tps::numeric, 1), round(s.tps::numeric, 1),
                  round((s.tps / nullif(b.tps, 0))::numeric, 1) || 'x',
                  round(q.tps::numeric, 1),
                  round((q.tps / nullif(b.tps, 0))::numeric, 1) || 'x')
      FROM r b, r s, r q
     WHERE b.phase = 'before' AND s.phase = 'scaleup' AND q.phase = 'qualstats'
    UNION ALL
    SELECT 6, NULL,
           format('| load average (1 min, end of each run) | | %s-%s | %s-%s | | %s-%s | |',
                  b.load_min, b.load_max, s.load_min, s.load_max, q.load_min, q.load_max)
      FROM r b, r s, r q
     WHERE b.phase = 'before' AND s.phase = 'scaleup' AND q.phase = 'qualstats'
    UNION ALL
    SELECT 7, NULL, E'\n| advisor | indexes | total size | definitions (size) |'
    UNION ALL
    SELECT 8, NULL, '|---|---:|---:|---|'
    UNION ALL
    SELECT 9, a.advisor,
           format('| %s | %s | %s | %s |', a.advisor, count(i.definition),
                  coalesce(sum(i.size_bytes), 0) || ' bytes (' || pg_size_pretty(coalesce(sum(i.size_bytes), 0)) || ')',
                  coalesce(string_agg(format('`%s` (%s)',
                                             regexp_replace(i.definition, '^CREATE INDEX \S+ ON ', ''),
                                             pg_size_pretty(i.size_bytes)),
                                      '<br>' ORDER BY i.definition)
                               FILTER (WHERE i.definition IS NOT NULL), 'none'))
      FROM (VALUES ('scaleup'), ('qualstats')) AS a (advisor)
      LEFT JOIN indexes i ON i.advisor = a.advisor AND i.workload = :'workload'
     GROUP BY a.advisor
) AS lines
ORDER BY position, sort_key DESC NULLS LAST;
SQL
}

# --- Main --------------------------------------------------------------------

log "cluster on $socket_dir port $port; work folder $work_dir"
log "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for workload in $workloads; do
    run_workload "$workload"
    log "load average $(cut -d' ' -f1-3 /proc/loadavg)"
done

for workload in $workloads; do
    cat "$work_dir/$workload/results.md"
done >"$work_dir/results.md"
log "all tables: $work_dir/results.md"

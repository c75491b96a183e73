#!/usr/bin/env bash
# The ScaleUp demo: a blog's homepage on tables with no index but their
# primary keys, before and after scaleup-advisor's indexes.
#
#   demo/run.sh        (`make demo` builds and installs first, then runs this)
#
# Steps:
#   1. start a throwaway PostgreSQL 15 cluster in demo/cluster/ with
#      pg_scaleup preloaded, listening on a Unix socket only;
#   2. load demo/schema.sql and demo/data.sql;
#   3. drive the homepage workload (demo/workload/*.sql) with pgbench;
#   4. run "scaleup-advisor analyze" and print its suggestions;
#   5. approve the index suggestions and apply them with "scaleup-advisor
#      apply --now";
#   6. reset the statistics and drive the same workload again;
#   7. print the before/after table, then stop the cluster.
#
# A new run removes the previous run's cluster first.  Ctrl-C (or SIGTERM)
# at any step stops the cluster.  The stopped cluster stays in demo/cluster/
# for inspection (server.log, report.html) until the next run.
#
# As root the server runs as the "postgres" user; otherwise as the current
# user.  Settings, from the environment:
#
#   SCALEUP_DEMO_POSTS     number of blog posts to generate (300000)
#   SCALEUP_DEMO_SECONDS   duration of each pgbench run in seconds (30)
#   SCALEUP_DEMO_CLIENTS   pgbench clients (2)
#   SCALEUP_DEMO_SITEMAP_WEIGHT
#                          pgbench weight of the sitemap script (1; each
#                          homepage script has 10, the e-mail lookup 20)
#   SCALEUP_DEMO_DIR       cluster folder (demo/cluster in the checkout)
#   SCALEUP_DEMO_PORT      port number, which only names the socket (55500)
#   SCALEUP_DEMO_RESULTS   also write the before/after table to this file,
#                          tab-separated, for tests
#   SCALEUP_ADVISOR        the advisor binary (scaleup-advisor on the PATH,
#                          else advisor/scaleup-advisor)
#   PG_CONFIG              pg_config of the PostgreSQL to use
#                          (/usr/lib/postgresql/15/bin/pg_config)
set -euo pipefail

demo_dir=$(cd "$(dirname "$0")" && pwd)
repo_root=$(dirname "$demo_dir")

posts=${SCALEUP_DEMO_POSTS:-300000}
seconds=${SCALEUP_DEMO_SECONDS:-30}
clients=${SCALEUP_DEMO_CLIENTS:-2}
sitemap_weight=${SCALEUP_DEMO_SITEMAP_WEIGHT:-1}
cluster_dir=${SCALEUP_DEMO_DIR:-$demo_dir/cluster}
port=${SCALEUP_DEMO_PORT:-55500}
results_file=${SCALEUP_DEMO_RESULTS:-}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

database=blog
step_count=7
step_number=0

# Workload scripts and their pgbench weights.  The three homepage boxes are
# equally frequent.  The signed-in user is looked up twice as often, because
# every page does that, and the sitemap is 1 call in about 50 by default.
workload_scripts=(
    latest_posts.sql@10
    author_posts.sql@10
    featured_products.sql@10
    author_by_email.sql@20
    "sitemap.sql@$sitemap_weight"
)

step() {
    step_number=$((step_number + 1))
    printf '\n==> Step %d/%d: %s\n' "$step_number" "$step_count" "$*"
}

note() {
    printf '    %s\n' "$*"
}

# Print an error with what to do next and exit; the EXIT trap stops the
# cluster.
fail() {
    local message=$1
    shift
    echo >&2
    echo "demo: $message" >&2
    local line
    for line in "$@"; do
        echo "demo: $line" >&2
    done
    exit 1
}

require_positive_integer() {
    local name=$1 value=$2
    if [[ ! $value =~ ^[1-9][0-9]*$ ]]; then
        echo "demo: invalid $name \"$value\": expected a positive integer" >&2
        exit 2
    fi
}

require_positive_integer SCALEUP_DEMO_POSTS "$posts"
require_positive_integer SCALEUP_DEMO_SECONDS "$seconds"
require_positive_integer SCALEUP_DEMO_CLIENTS "$clients"
require_positive_integer SCALEUP_DEMO_SITEMAP_WEIGHT "$sitemap_weight"
require_positive_integer SCALEUP_DEMO_PORT "$port"
if [[ $posts -lt 1000 ]]; then
    echo "demo: invalid SCALEUP_DEMO_POSTS \"$posts\": use at least 1000 posts" >&2
    exit 2
fi

# --- Find the programs ------------------------------------------------------

if [[ ! -x $PG_CONFIG ]]; then
    fail "pg_config not found at $PG_CONFIG" \
        "install PostgreSQL 15 (scripts/install-deps.sh does) or set PG_CONFIG"
fi
bindir=$("$PG_CONFIG" --bindir)
pkglibdir=$("$PG_CONFIG" --pkglibdir)
sharedir=$("$PG_CONFIG" --sharedir)
for program in initdb pg_ctl postgres psql pgbench; do
    if [[ ! -x $bindir/$program ]]; then
        fail "$program not found in $bindir" \
            "install the postgresql-15 and postgresql-client-15 packages (scripts/install-deps.sh does)"
    fi
done
if [[ ! -f $pkglibdir/pg_scaleup.so ]]; then
    fail "the pg_scaleup extension is not installed ($pkglibdir/pg_scaleup.so is missing)" \
        "build and install it first: make && sudo make install, or run make demo"
fi
if [[ ! -f $sharedir/extension/hypopg.control ]]; then
    fail "the HypoPG extension is not installed ($sharedir/extension/hypopg.control is missing)" \
        "install the postgresql-15-hypopg package (scripts/install-deps.sh does)"
fi

advisor=${SCALEUP_ADVISOR:-}
if [[ -z $advisor ]]; then
    if command -v scaleup-advisor >/dev/null 2>&1; then
        advisor=$(command -v scaleup-advisor)
    elif [[ -x $repo_root/advisor/scaleup-advisor ]]; then
        advisor=$repo_root/advisor/scaleup-advisor
    fi
fi
if [[ -z $advisor || ! -x $advisor ]]; then
    fail "scaleup-advisor not found${advisor:+ at $advisor}" \
        "build and install it first (make && sudo make install, or make demo), or set SCALEUP_ADVISOR"
fi

PATH=$bindir:$PATH
export PATH

# --- Who runs the server ----------------------------------------------------

# PostgreSQL refuses to run as root, so root runs the server as "postgres".
# The clients (psql, pgbench, the advisor) run as the invoking user and
# connect as the cluster's superuser, which initdb names after the server's
# user.
if [[ $(id -u) -eq 0 ]]; then
    if ! id postgres >/dev/null 2>&1; then
        fail "running as root, but there is no \"postgres\" user to run the server as" \
            "install the postgresql-15 package, which creates it, or run the demo as an ordinary user"
    fi
    server_user=postgres
    as_server_user=(runuser -u postgres --)
else
    server_user=$(id -un)
    as_server_user=()
fi

# When root runs the demo from a checkout that "postgres" cannot reach
# (under /root, for example), the cluster goes to /tmp instead.
cluster_parent=$(dirname "$cluster_dir")
if [[ -z ${SCALEUP_DEMO_DIR:-} && ${#as_server_user[@]} -gt 0 ]] &&
    ! "${as_server_user[@]}" test -x "$cluster_parent"; then
    note "user postgres cannot enter $cluster_parent, so the cluster goes to /tmp/scaleup-demo-cluster"
    cluster_dir=/tmp/scaleup-demo-cluster
fi
data_dir=$cluster_dir/data
server_log=$cluster_dir/server.log
marker_file=$cluster_dir/.scaleup-demo
work_dir=$cluster_dir/work

# --- Cleanup on exit and on Ctrl-C ------------------------------------------

socket_dir=
server_started=false

stop_server() {
    if [[ $server_started == true ]]; then
        server_started=false
        echo "    stopping the cluster"
        if [[ ! -f $data_dir/postmaster.pid ]]; then
            echo "    the server had already stopped"
        elif ! "${as_server_user[@]}" pg_ctl -D "$data_dir" -m fast -w -t 60 stop >/dev/null; then
            echo "demo: pg_ctl stop failed; see $server_log" >&2
            echo "demo: stop the server with: ${as_server_user[*]} pg_ctl -D $data_dir -m immediate stop" >&2
        fi
    fi
}

on_exit() {
    local status=$?
    trap - EXIT INT TERM HUP
    # Output may be a closed pipe (demo/run.sh | head) or a closed terminal:
    # a failed message must not keep the cluster from stopping.
    trap '' PIPE
    set +e
    stop_server
    if [[ -n $socket_dir ]]; then
        rm -rf "$socket_dir"
    fi
    exit "$status"
}

# Exit with the shell's status for a process killed by the signal (128 plus
# its number), which runs on_exit.
on_signal() {
    local name=$1 number=$2
    trap '' PIPE
    echo >&2
    echo "demo: interrupted by SIG$name; stopping" >&2
    exit $((128 + number))
}

trap on_exit EXIT
trap 'on_signal HUP 1' HUP
trap 'on_signal INT 2' INT
trap 'on_signal PIPE 13' PIPE
trap 'on_signal TERM 15' TERM

# A sed expression that shortens the advisor's INFO log lines
# ("2026-12-04 20:19:22 UTC INFO [blog] text") to their text.
strip_info_prefix='s/^[0-9-]+ [0-9:.]+ [A-Z]+ INFO \[[^]]*\] //'

# psql and pgbench against the demo database.
export PGHOST PGPORT=$port PGDATABASE=$database PGUSER=$server_user
unset PGSERVICE PGHOSTADDR PGPASSWORD PGOPTIONS PGSSLMODE

run_sql() {
    psql -X -q -v ON_ERROR_STOP=1 "$@"
}

# psql -At: one value per line, fields separated by tabs.
query_sql() {
    psql -X -q -At -F $'\t' -v ON_ERROR_STOP=1 "$@"
}

# =============================================================================
step "start a throwaway PostgreSQL cluster"

if [[ -d $cluster_dir ]]; then
    if [[ -n $(ls -A "$cluster_dir") && ! -e $marker_file ]]; then
        fail "$cluster_dir exists and was not made by this demo, so it is left alone" \
            "remove it yourself or set SCALEUP_DEMO_DIR to another folder"
    fi
    if [[ -f $data_dir/postmaster.pid ]]; then
        note "stopping the cluster of a previous run"
        "${as_server_user[@]}" pg_ctl -D "$data_dir" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    # A run killed with SIGKILL leaves its socket directory behind.
    old_socket_dir=$(cat "$cluster_dir/socket_dir" 2>/dev/null || true)
    if [[ $old_socket_dir == /tmp/scaleup-demo.* && -d $old_socket_dir ]]; then
        rm -rf "$old_socket_dir"
    fi
    note "removing the previous run's $cluster_dir"
    if ! rm -rf "$cluster_dir"; then
        fail "cannot remove the previous run's $cluster_dir" \
            "another user (root?) may have made it: remove it as that user, or set SCALEUP_DEMO_DIR"
    fi
fi

if ! mkdir -p "$cluster_dir" "$work_dir" 2>/dev/null; then
    fail "cannot create $cluster_dir" \
        "run the demo from a checkout you can write to, or set SCALEUP_DEMO_DIR to a writable folder"
fi
touch "$marker_file"
if [[ ${#as_server_user[@]} -gt 0 ]]; then
    chown "$server_user" "$cluster_dir"
fi

# Unix socket paths are limited to about 100 bytes, so the socket goes to a
# short private directory instead of the cluster folder.
socket_dir=$(mktemp -d /tmp/scaleup-demo.XXXXXX)
chmod 700 "$socket_dir"
if [[ ${#as_server_user[@]} -gt 0 ]]; then
    chown "$server_user" "$socket_dir"
fi
PGHOST=$socket_dir
echo "$socket_dir" >"$cluster_dir/socket_dir"

if ! "${as_server_user[@]}" initdb -D "$data_dir" -U "$server_user" -A trust \
    -E UTF8 --locale=C >"$work_dir/initdb.log" 2>&1; then
    cat "$work_dir/initdb.log" >&2
    fail "initdb failed (output above)" \
        "check that $server_user can write to $cluster_dir"
fi

# fsync and WAL are turned down because the cluster is thrown away; they do
# not change how fast the workload's queries run once the data is cached.
# Parallel query is off because the pgbench clients already keep every core
# of a small machine busy, and parallel workers competing with them make the
# timings of the other queries noisy.  pg_scaleup samples every execution
# instead of its default one in ten, so that the rare sitemap query, which
# runs a few dozen times, still gets a bytes-per-call figure.
cat >>"$data_dir/postgresql.conf" <<EOF

# Added by demo/run.sh
listen_addresses = ''
port = $port
unix_socket_directories = '$socket_dir'
shared_preload_libraries = 'pg_scaleup'
compute_query_id = on
pg_scaleup.sample_rate = 1
shared_buffers = 256MB
max_parallel_workers_per_gather = 0
wal_level = minimal
max_wal_senders = 0
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

server_started=true
if ! "${as_server_user[@]}" pg_ctl -D "$data_dir" -l "$server_log" -w -t 60 start >/dev/null; then
    server_started=false
    tail -n 20 "$server_log" >&2 || true
    fail "the server did not start (end of $server_log above)"
fi
note "cluster:  $data_dir (server user $server_user)"
note "socket:   $socket_dir, port $port, no TCP listener"
note "log:      $server_log"

run_sql -d postgres -c "CREATE DATABASE $database" ||
    fail "CREATE DATABASE $database failed; see $server_log"
run_sql -c 'CREATE EXTENSION pg_scaleup' -c 'CREATE EXTENSION hypopg' ||
    fail "CREATE EXTENSION failed; see $server_log"
note "database: $database, with extensions pg_scaleup and hypopg"

# =============================================================================
step "load the demo data ($posts blog posts)"

load_start=$SECONDS
# One transaction for both files: with wal_level = minimal, the rows of a
# table created in the same transaction skip the WAL.
run_sql -1 -v posts="$posts" -f "$demo_dir/schema.sql" -f "$demo_dir/data.sql" >/dev/null ||
    fail "loading demo/schema.sql and demo/data.sql failed; see the error above"
run_sql -c 'VACUUM ANALYZE' ||
    fail "VACUUM ANALYZE failed; see $server_log"

# The before/after measurements are kept in the database, in a schema of
# their own that the workload never reads.
run_sql <<'EOF' || fail "creating demo_report.measurements failed; see $server_log"
CREATE SCHEMA demo_report;
CREATE TABLE demo_report.measurements (
    phase text,
    label text,
    position int,
    homepage boolean,
    queryid bigint,
    calls bigint,
    mean_ms double precision,
    bytes_per_call double precision
);
EOF

IFS=$'\t' read -r authors products featured database_size < <(
    query_sql -c "SELECT (SELECT count(*) FROM authors),
                         (SELECT count(*) FROM products),
                         (SELECT count(*) FROM products WHERE featured),
                         pg_size_pretty(pg_database_size(current_database()))")
note "authors $authors, blog_posts $posts, products $products ($featured featured); database size $database_size"
note "loaded in $((SECONDS - load_start)) s; tables have primary keys only:"
query_sql -c "SELECT format('      %-10s %s', c.relname, string_agg(i.relname, ', '))
                FROM pg_class c JOIN pg_index x ON x.indrelid = c.oid
                JOIN pg_class i ON i.oid = x.indexrelid
               WHERE c.relname IN ('authors', 'blog_posts', 'products')
               GROUP BY c.relname ORDER BY c.relname"

# Reset the statistics and run the workload for $seconds seconds; pgbench
# prints a progress line every 5 seconds.  $1 names the run (before, after)
# for its output file.  $2, when given, limits the rate to that many
# transactions per second (pgbench -R).
drive_workload() {
    local phase=$1 rate=${2:-}
    local args=() script
    for script in "${workload_scripts[@]}"; do
        args+=(-f "$demo_dir/workload/$script")
    done
    if [[ -n $rate ]]; then
        args+=(-R "$rate")
        note "pgbench: $clients clients for $seconds s at $rate transactions/s; scripts (weight): ${workload_scripts[*]}"
    else
        note "pgbench: $clients clients for $seconds s; scripts (weight): ${workload_scripts[*]}"
    fi
    # pg_stat_reset() too: the table counters still count the bulk load,
    # which the advisor would read as write traffic of the application.
    run_sql -c 'SELECT scaleup.reset(), pg_stat_reset()' >/dev/null ||
        fail "resetting the statistics failed; see $server_log"
    # The summary goes to a file and the progress lines (standard error)
    # to the terminal.
    if ! pgbench -n -c "$clients" -j "$clients" -T "$seconds" -P 5 \
        -D authors="$authors" "${args[@]}" 2>&1 >"$work_dir/pgbench-$phase.out" |
        sed -u 's/^/    /'; then
        cat "$work_dir/pgbench-$phase.out" >&2
        fail "pgbench failed during the $phase run (output above)" "see $server_log"
    fi
    sed -n 's/^\(number of transactions actually processed\|latency average\|tps\)/    \1/p' \
        "$work_dir/pgbench-$phase.out"
}

# Copy the workload's statistics (scaleup.queries and scaleup.projections)
# into demo_report.measurements under the name $1.  The workload queries are
# recognized by their normalized text, and each gets the label of its script.
save_measurements() {
    run_sql -v phase="$1" <<'EOF' || fail "saving the $1 measurements failed; see $server_log"
INSERT INTO demo_report.measurements
SELECT :'phase', w.label, w.position, w.homepage, q.queryid, q.calls,
       q.mean_exec_time,
       (SELECT sum(p.bytes_returned)::float8 / nullif(max(p.calls), 0)
          FROM scaleup.projections p
         WHERE p.queryid = q.queryid AND p.dbid = q.dbid)
  FROM scaleup.queries q
  JOIN (VALUES
          (1, 'latest ten posts', true,
           'SELECT * FROM blog_posts ORDER BY created_at DESC LIMIT%'),
          (2, 'author''s latest posts', true,
           'SELECT id, title, slug, excerpt, image_url, created_at%FROM blog_posts%'),
          (3, 'featured products', true,
           'SELECT id, name, price, image_url%FROM products%WHERE featured%'),
          (4, 'author by e-mail', true,
           'SELECT id, name, email, avatar_url FROM authors WHERE email =%'),
          (5, 'sitemap (all products)', false,
           'SELECT * FROM products')
       ) AS w (position, label, homepage, pattern)
    ON q.query LIKE w.pattern
 WHERE q.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND q.toplevel;
EOF
}

# =============================================================================
step "drive the homepage workload on the unindexed tables"
drive_workload before
save_measurements before
tps_before=$(sed -n 's/^tps = \([0-9]*\.[0-9]\).*/\1/p' "$work_dir/pgbench-before.out")
if [[ ! $tps_before =~ ^[0-9]+\.[0-9]$ || $tps_before == 0.0 ]]; then
    fail "no throughput (\"tps = ...\") found in pgbench's output $work_dir/pgbench-before.out" \
        "check that pgbench ran the workload; see $server_log"
fi

# =============================================================================
step "analyze: scaleup-advisor reads the statistics and suggests changes"

note "$advisor analyze   (target: the libpq environment, database $database)"
# The advisor logs each suggestion at level INFO too; the log goes to a
# file and only its warnings and errors are shown.
if ! "$advisor" analyze 2>"$work_dir/analyze.log" | sed 's/^/    /'; then
    cat "$work_dir/analyze.log" >&2
    fail "scaleup-advisor analyze failed (its log is above)" \
        "the server log is $server_log"
fi
grep -v ' INFO ' "$work_dir/analyze.log" >&2 || true

report_file=
if "$advisor" analyze --no-store --format html --output "$cluster_dir/report.html" \
    >/dev/null 2>"$work_dir/report.err"; then
    report_file=$cluster_dir/report.html
else
    rm -f "$cluster_dir/report.html"
    note "no HTML report: $(tail -n 1 "$work_dir/report.err" | sed -E 's/^[0-9-]+ [0-9:.]+ [A-Z]+ [A-Z]+ \[[^]]*\] //')"
fi

# =============================================================================
step "approve the index suggestions and apply them"

mapfile -t index_ids < <(query_sql -c "
    SELECT id FROM scaleup.suggestions
     WHERE kind = 'create_index' AND status = 'pending'
     ORDER BY id")
if [[ ${#index_ids[@]} -eq 0 ]]; then
    fail "scaleup-advisor analyze stored no create_index suggestion" \
        "check the advisor's output above and $server_log"
fi

note "$advisor approve ${index_ids[*]}"
"$advisor" approve "${index_ids[@]}" | sed 's/^/    /' ||
    fail "scaleup-advisor approve failed (its message is above)"

note "$advisor apply --now"
if ! "$advisor" apply --now 2>&1 | sed -E "$strip_info_prefix; s/^/    /"; then
    fail "scaleup-advisor apply --now failed (its message is above)" \
        "scaleup.actions in database $database records each step; the server log is $server_log"
fi

note "indexes on the demo tables now:"
query_sql -c "SELECT format('      %-10s %-52s %8s  %s', c.relname, i.relname,
                            pg_size_pretty(pg_relation_size(i.oid)),
                            CASE WHEN x.indisvalid THEN '' ELSE 'INVALID' END)
                FROM pg_class c JOIN pg_index x ON x.indrelid = c.oid
                JOIN pg_class i ON i.oid = x.indexrelid
               WHERE c.relname IN ('authors', 'blog_posts', 'products')
               ORDER BY c.relname, i.relname"
query_sql -c "SELECT format('    new indexes: %s, %s in total', count(*),
                            pg_size_pretty(coalesce(sum(pg_relation_size(x.indexrelid)), 0)))
                FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid
               WHERE c.relname IN ('authors', 'blog_posts', 'products')
                 AND NOT x.indisprimary"

# =============================================================================
step "reset the statistics and drive the same workload again"
# The same traffic as before: at the first run's rate, the faster queries
# leave the cores idle between requests.  Without the limit, pgbench would
# send many times as many requests (about 20 times at the default size).
# The queries that no index helps, such as the sitemap, would then look
# slower only because they share the cores with that much more work.
drive_workload after "$tps_before"
save_measurements after

# =============================================================================
step "results: before and after the advisor's indexes"

# Each row joins the two runs on the query's label.  "bytes/call" comes
# from scaleup.projections: what the query sent to the client per call.
query_sql >"$work_dir/table.txt" <<'EOF' ||
\pset format aligned
\pset tuples_only off
\pset border 1
\pset footer off
SELECT label AS "query",
       calls_before AS "calls before",
       calls_after AS "calls after",
       round(mean_before::numeric, 3) AS "mean ms before",
       round(mean_after::numeric, 3) AS "mean ms after",
       round((mean_before / nullif(mean_after, 0))::numeric, 1) || 'x' AS "speed-up",
       pg_size_pretty(round(bytes_per_call)::bigint) AS "bytes/call"
  FROM (SELECT b.position, b.label, b.calls AS calls_before,
               a.calls AS calls_after, b.mean_ms AS mean_before,
               a.mean_ms AS mean_after,
               coalesce(b.bytes_per_call, a.bytes_per_call) AS bytes_per_call
          FROM demo_report.measurements b
          JOIN demo_report.measurements a
            ON a.label = b.label AND a.phase = 'after'
         WHERE b.phase = 'before'
        UNION ALL
        SELECT 100, 'homepage page load (sum of the 4 homepage queries)',
               NULL, NULL, sum(b.mean_ms), sum(a.mean_ms),
               sum(coalesce(b.bytes_per_call, a.bytes_per_call))
          FROM demo_report.measurements b
          JOIN demo_report.measurements a
            ON a.label = b.label AND a.phase = 'after'
         WHERE b.phase = 'before' AND b.homepage
       ) AS results
 ORDER BY position;
EOF
    fail "building the results table failed; see $server_log"
sed 's/^/    /' "$work_dir/table.txt"

missing_labels=$(query_sql -c "
    SELECT string_agg(DISTINCT label, ', ') FROM demo_report.measurements m
     WHERE NOT EXISTS (SELECT 1 FROM demo_report.measurements o
                        WHERE o.label = m.label AND o.phase <> m.phase)")
if [[ -n $missing_labels ]]; then
    note "NOTE: measured in one run only, so left out of the table: $missing_labels"
fi

if [[ -n $results_file ]]; then
    query_sql >"$results_file" <<'EOF' ||
SELECT b.label, b.homepage, b.calls, a.calls, b.mean_ms, a.mean_ms,
       b.bytes_per_call, a.bytes_per_call
  FROM demo_report.measurements b
  JOIN demo_report.measurements a ON a.label = b.label AND a.phase = 'after'
 WHERE b.phase = 'before'
 ORDER BY b.position;
EOF
        fail "writing $results_file failed"
    note "results written to $results_file"
fi

if [[ -n $report_file ]]; then
    note "the advisor's HTML report: $report_file"
fi

stop_server
note "done; the stopped cluster stays in $cluster_dir until the next run"

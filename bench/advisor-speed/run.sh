#!/usr/bin/env bash
# Time `scaleup-advisor analyze` as the number of distinct queries grows.
#
#   bench/advisor-speed/run.sh [--sizes LIST] [--repeat N] [--calls N]
#                              [--tables N] [--rows N] [--clients N]
#                              [--min-gain DURATION] [--port PORT]
#                              [--advisor PATH] [--keep]
#
# One throwaway cluster with pg_scaleup preloaded (sample_rate 1) and HypoPG
# installed gets schema.sql: --tables tables (default 50) of --rows rows
# (default 20,000) with eleven columns and only a primary key each.  Its
# statistics are then reset with pg_stat_reset(), so the advisor does not
# count the load as write traffic.  Then, for each N of --sizes (default
# 100,1000,10000):
#
#   1. SELECT scaleup.reset(), so the store holds only this workload;
#   2. generate_queries.py writes N structurally distinct SELECT statements
#      (distinct query identifiers), each repeated --calls times (default 3)
#      with new constants, and --clients psql sessions (default 2) run them;
#   3. `scaleup-advisor analyze --no-store --format json` runs --repeat times
#      (default 3), timed by wall clock.
#
# At the end the script prints a table with a row per N.  Its columns are
# the queries in scaleup.queries, the eligible queries and candidate indexes
# that the advisor logged in its first run, and the median, min and max
# analyze time.  The last two are the suggestions in the JSON output (every
# kind) and the median time per 1,000 queries.
#
# The advisor is --advisor, by default advisor/scaleup-advisor of this
# checkout when it is built, else scaleup-advisor on the PATH.  It reads the
# configuration this script writes (min_calls = --calls, min_total_time 0s,
# min_gain_per_hour = --min-gain, every other key at its default) and reaches
# the cluster through PGHOST, PGPORT, PGDATABASE and PGUSER.  Each run's JSON
# output and log stay in the work directory (see --keep).
#
# A few calls in a fresh store give small gains per hour, so the default
# --min-gain 0s lets every index with a positive net gain compete.  Selection
# then goes on until each table reaches budgets.max_indexes_per_table (8,
# the primary key included), which is the most work selection can do.
#
# With the defaults on 2 cores, loading takes about 10 s and the workloads
# about a minute.  The analyze runs take the rest: 3 to 9 minutes in the
# runs recorded in docs/benchmarks.md.
#
# The cluster runs as the `postgres` user when started by root, listens only
# on a Unix socket in its own temporary directory (port 55850 by default),
# and is stopped and deleted at the end or on Ctrl-C (--keep keeps the
# directory and prints its path).
set -euo pipefail

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
here=$(cd "$(dirname "$0")" && pwd)
checkout=$(cd "$here/../.." && pwd)

sizes="100 1000 10000"
repeat=3
calls=3
tables=50
rows=20000
clients=2
min_gain=0s
port=55850
advisor=""
keep=false

usage() {
    sed -n '4,7p' "$0" | sed 's/^#   /       /; 1s/^       /usage: /'
}

while [[ $# -gt 0 ]]; do
    case $1 in
        --sizes|--repeat|--calls|--tables|--rows|--clients|--min-gain|--port|--advisor)
            if [[ $# -lt 2 ]]; then
                echo "advisor-speed: option $1 requires a value" >&2
                exit 2
            fi
            value=$2
            case $1 in
                --sizes) sizes=${value//,/ } ;;
                --repeat) repeat=$value ;;
                --calls) calls=$value ;;
                --tables) tables=$value ;;
                --rows) rows=$value ;;
                --clients) clients=$value ;;
                --min-gain) min_gain=$value ;;
                --port) port=$value ;;
                --advisor) advisor=$value ;;
            esac
            shift 2
            ;;
        --keep)
            keep=true
            shift
            ;;
        -h|--help)
            usage
            exit 0
            ;;
        *)
            echo "advisor-speed: unknown argument \"$1\"" >&2
            usage >&2
            exit 2
            ;;
    esac
done

for setting in repeat calls tables rows clients port; do
    if ! [[ ${!setting} =~ ^[1-9][0-9]*$ ]]; then
        echo "advisor-speed: invalid --$setting \"${!setting}\": expected a positive integer" >&2
        exit 2
    fi
done
if ((tables > 99)); then
    echo "advisor-speed: invalid --tables \"$tables\": expected 1 to 99" >&2
    exit 2
fi
for size in $sizes; do
    if ! [[ $size =~ ^[1-9][0-9]*$ ]]; then
        echo "advisor-speed: invalid --sizes entry \"$size\": expected positive integers separated by commas" >&2
        exit 2
    fi
done

if [[ -z $advisor ]]; then
    if [[ -x $checkout/advisor/scaleup-advisor ]]; then
        advisor=$checkout/advisor/scaleup-advisor
    elif ! advisor=$(command -v scaleup-advisor); then
        echo "advisor-speed: scaleup-advisor not found: run \"make -C advisor\" or pass --advisor PATH" >&2
        exit 2
    fi
fi
if [[ ! -x $advisor ]]; then
    echo "advisor-speed: --advisor \"$advisor\" is not an executable file" >&2
    exit 2
fi
for tool in jq python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "advisor-speed: $tool is missing: apt-get install $tool" >&2
        exit 2
    fi
done

bindir=$("$PG_CONFIG" --bindir)
pkglibdir=$("$PG_CONFIG" --pkglibdir)
sharedir=$("$PG_CONFIG" --sharedir)
for library in pg_scaleup hypopg; do
    if [[ ! -f $pkglibdir/$library.so ]]; then
        echo "advisor-speed: $pkglibdir/$library.so is not installed (pg_scaleup: make -C extension install; HypoPG: apt-get install postgresql-15-hypopg)" >&2
        exit 2
    fi
done
if [[ ! -f $sharedir/extension/hypopg.control ]]; then
    echo "advisor-speed: HypoPG is not installed: apt-get install postgresql-15-hypopg" >&2
    exit 2
fi

run_as_postgres=()
if [[ $(id -u) -eq 0 ]]; then
    run_as_postgres=(runuser -u postgres --)
fi

workdir=$(mktemp -d "${TMPDIR:-/tmp}/scaleup-advisor-speed.XXXXXX")
datadir=$workdir/data
socketdir=$workdir/socket
mkdir -p "$socketdir"
chmod 755 "$workdir"
if [[ $(id -u) -eq 0 ]]; then
    chown -R postgres "$workdir"
fi

stop_cluster() {
    if [[ -f $datadir/postmaster.pid ]]; then
        "${run_as_postgres[@]}" "$bindir/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null 2>&1 || true
    fi
}
cleanup() {
    # Stop the workload sessions of an interrupted run first.
    jobs -p | xargs -r kill 2>/dev/null || true
    stop_cluster
    if [[ $keep == true ]]; then
        echo "advisor-speed: kept $workdir"
    else
        rm -rf "$workdir"
    fi
}
trap cleanup EXIT
trap 'echo "advisor-speed: interrupted" >&2; exit 130' INT TERM

as_postgres() {
    "${run_as_postgres[@]}" env HOME="$workdir" "$@"
}

export PGHOST=$socketdir PGPORT=$port PGDATABASE=speed PGUSER=postgres
psql_command=("$bindir/psql" -X -q -v ON_ERROR_STOP=1)

# Run one SQL command and print its single value.
query_value() {
    as_postgres "${psql_command[@]}" -A -t -c "$1"
}

config=$workdir/advisor.yaml
cat >"$config" <<CONF
# Written by bench/advisor-speed/run.sh.  The target is libpq's environment.
log:
  level: info
thresholds:
  min_calls: $calls
  min_total_time: 0s
  min_gain_per_hour: $min_gain
CONF
if ! "$advisor" -c "$config" check-config >"$workdir/check-config.log" 2>&1; then
    cat "$workdir/check-config.log" >&2
    exit 2
fi

echo "advisor-speed: cluster in $workdir, port $port (Unix socket only)"
echo "advisor-speed: advisor $advisor"
echo "advisor-speed: sizes ($sizes), $tables tables x $rows rows, $calls calls per query, $clients clients, min_gain_per_hour $min_gain, $repeat analyze runs per size"
echo "advisor-speed: load average $(cut -d' ' -f1-3 /proc/loadavg) at start"

as_postgres "$bindir/initdb" -D "$datadir" -A trust -U postgres --no-sync >"$workdir/initdb.log" 2>&1 \
    || { cat "$workdir/initdb.log" >&2; exit 1; }

# The stores must hold every query of the largest size plus the advisor's
# own statements, and each query has one or two scan shapes and projections.
max_size=0
for size in $sizes; do
    ((size > max_size)) && max_size=$size
done
max_queries=$((2 * max_size + 1000))
max_scans=$((4 * max_size + 2000))

cat >>"$datadir/postgresql.conf" <<CONF

# bench/advisor-speed/run.sh
port = $port
listen_addresses = ''
unix_socket_directories = '$socketdir'
shared_buffers = 256MB
max_connections = 20
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
log_min_messages = warning
logging_collector = off
shared_preload_libraries = 'pg_scaleup'
compute_query_id = on
pg_scaleup.sample_rate = 1
pg_scaleup.max_queries = $max_queries
pg_scaleup.max_scans = $max_scans
pg_scaleup.save = off
CONF

if ! as_postgres "$bindir/pg_ctl" -D "$datadir" -l "$workdir/server.log" -w start >/dev/null; then
    echo "advisor-speed: the server did not start; end of $workdir/server.log:" >&2
    tail -n 20 "$workdir/server.log" >&2
    exit 1
fi

as_postgres "$bindir/createdb" speed
as_postgres "${psql_command[@]}" -c "CREATE EXTENSION pg_scaleup" -c "CREATE EXTENSION hypopg"
echo "advisor-speed: loading $tables tables of $rows rows"
load_start=$(date +%s.%N)
as_postgres "${psql_command[@]}" -v tables="$tables" -v rows="$rows" -f "$here/schema.sql" >"$workdir/load.log" 2>&1 \
    || { cat "$workdir/load.log" >&2; exit 1; }
query_value "SELECT pg_stat_reset()" >/dev/null
echo "advisor-speed: loaded in $(awk -v s="$load_start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"

results=$workdir/results.tsv
: >"$results"

for size in $sizes; do
    query_value "SELECT scaleup.reset()" >/dev/null

    workload=$workdir/workload-$size.sql
    python3 "$here/generate_queries.py" --queries "$size" --calls "$calls" --tables "$tables" >"$workload"
    echo "advisor-speed: N=$size: running $((size * calls)) statements"
    run_start=$(date +%s.%N)
    session_pids=()
    for ((client = 0; client < clients; client++)); do
        awk -v n="$clients" -v c="$client" 'NR % n == c' "$workload" >"$workload.$client"
        as_postgres "${psql_command[@]}" -o /dev/null -f "$workload.$client" &
        session_pids+=($!)
    done
    for pid in "${session_pids[@]}"; do
        if ! wait "$pid"; then
            echo "advisor-speed: a psql session of the N=$size workload failed" >&2
            exit 1
        fi
    done
    echo "advisor-speed: N=$size: workload took $(awk -v s="$run_start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"

    collected=$(query_value "SELECT count(*) FROM scaleup.queries q JOIN pg_catalog.pg_database d ON d.oid = q.dbid WHERE d.datname = current_database()")

    for ((run = 1; run <= repeat; run++)); do
        output=$workdir/analyze-$size-$run.json
        log=$workdir/analyze-$size-$run.log
        start=$(date +%s.%N)
        if ! "$advisor" -c "$config" analyze --no-store --format json >"$output" 2>"$log"; then
            echo "advisor-speed: scaleup-advisor analyze failed for N=$size; its log:" >&2
            tail -n 20 "$log" >&2
            exit 1
        fi
        end=$(date +%s.%N)
        seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }')
        suggestions=$(jq length "$output")
        # "analyzed 10012 queries (10000 eligible), 850 candidate indexes, 120 suggestions"
        summary=$(sed -n 's/.*analyzed \([0-9]*\) queries (\([0-9]*\) eligible), \([0-9]*\) candidate indexes.*/\2 \3/p' "$log" | tail -n 1)
        read -r eligible candidates <<<"${summary:-? ?}"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$collected" "$eligible" "$candidates" "$seconds" "$suggestions" >>"$results"
        printf 'advisor-speed: N=%s run %d/%d: %s s, %s suggestions (load average %s)\n' \
            "$size" "$run" "$repeat" "$seconds" "$suggestions" "$(cut -d' ' -f1 /proc/loadavg)"
    done
done

echo
echo "scaleup-advisor analyze --no-store --format json, $tables tables x $rows rows, median of $repeat runs"
printf '%8s %10s %9s %11s %10s %8s %8s %12s %14s\n' \
    N collected eligible candidates "median s" "min s" "max s" suggestions "s per 1,000"
for size in $sizes; do
    awk -F'\t' -v n="$size" '$1 == n { print $5 }' "$results" | sort -g >"$workdir/times"
    read -r minimum median maximum < <(awk '{ v[NR] = $1 }
        END {
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.2f %.2f %.2f\n", v[1], m, v[NR]
        }' "$workdir/times")
    # From the first run: by the third, the advisor's own catalog queries
    # have enough calls to count as eligible too.
    read -r collected eligible candidates suggestions < <(awk -F'\t' -v n="$size" '$1 == n { print $2, $3, $4, $6; exit }' "$results")
    per_thousand=$(awk -v m="$median" -v n="$size" 'BEGIN { printf "%.2f", m * 1000 / n }')
    printf '%8s %10s %9s %11s %10s %8s %8s %12s %14s\n' \
        "$size" "$collected" "$eligible" "$candidates" "$median" "$minimum" "$maximum" "$suggestions" "$per_thousand"
done
echo "collected: rows of scaleup.queries in the database; eligible and candidates: from the advisor's log"
echo "advisor-speed: load average $(cut -d' ' -f1-3 /proc/loadavg) at end"

#!/usr/bin/env bash
# Measure the throughput cost of statistics collectors with pgbench.
#
#   bench/overhead/run.sh [--rounds N] [--duration SECONDS] [--warmup SECONDS]
#                         [--scale N] [--clients N] [--port PORT]
#                         [--configs LIST] [--keep]
#
# One throwaway cluster is started with each configuration in turn:
#
#   none                 nothing preloaded
#   pg_scaleup           shared_preload_libraries = 'pg_scaleup', defaults
#   pg_stat_statements   shared_preload_libraries = 'pg_stat_statements'
#   pgss+qualstats       'pg_stat_statements,pg_qualstats', defaults
#
# and two workloads run against it: select-only (`pgbench -S`) and the
# write-heavy TPC-B-like default script.  A round restarts the cluster once per
# configuration, so the configurations take turns within every round.  The
# first configuration rotates from round to round, so drift (caches, disk,
# other load) affects all of them alike.  Each measurement is preceded by a warm-up run
# whose result is discarded.  At the end the script prints, per workload and
# configuration, min/median/max tps over the rounds and the ratio of the
# median to the median with nothing preloaded.
#
# A configuration whose library is not installed is skipped with a message.
# The extensions are not created in the database: their hooks collect as
# soon as the library is preloaded.  Only shared_preload_libraries differs
# between configurations; compute_query_id stays at its default (auto), so
# each library turns on query identifiers itself when it needs them.
#
# Defaults: 5 rounds, 10 s measured + 3 s warm-up per workload, scale 10,
# 2 clients (pgbench -c 2 -j 2): 4 configurations x 2 workloads x 5 rounds
# x 13 s, about 10 minutes with restarts.  synchronous_commit is off, so the
# write mix measures CPU cost rather than the disk's flush latency.
#
# The cluster runs as the `postgres` user when started by root, listens only
# on a Unix socket in its own temporary directory (port 55250 by default),
# and is stopped and deleted at the end or on Ctrl-C (--keep keeps the
# directory and prints its path).
set -euo pipefail

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

rounds=5
duration=10
warmup=3
scale=10
clients=2
port=55250
configs="none pg_scaleup pg_stat_statements pgss+qualstats"
keep=false

usage() {
    sed -n '4,6p' "$0" | sed 's/^#   /       /; 1s/^       /usage: /'
}

while [[ $# -gt 0 ]]; do
    case $1 in
        --rounds|--duration|--warmup|--scale|--clients|--port|--configs)
            if [[ $# -lt 2 ]]; then
                echo "overhead: option $1 requires a value" >&2
                exit 2
            fi
            value=$2
            case $1 in
                --rounds) rounds=$value ;;
                --duration) duration=$value ;;
                --warmup) warmup=$value ;;
                --scale) scale=$value ;;
                --clients) clients=$value ;;
                --port) port=$value ;;
                --configs) configs=${value//,/ } ;;
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
            echo "overhead: unknown argument \"$1\"" >&2
            usage >&2
            exit 2
            ;;
    esac
done

for setting in rounds duration scale clients port; do
    if ! [[ ${!setting} =~ ^[1-9][0-9]*$ ]]; then
        echo "overhead: invalid --$setting \"${!setting}\": expected a positive integer" >&2
        exit 2
    fi
done
if ! [[ $warmup =~ ^[0-9]+$ ]]; then
    echo "overhead: invalid --warmup \"$warmup\": expected a non-negative integer" >&2
    exit 2
fi

# The preload list of each configuration.
libraries_of() {
    case $1 in
        none) echo "" ;;
        pg_scaleup) echo "pg_scaleup" ;;
        pg_stat_statements) echo "pg_stat_statements" ;;
        pgss+qualstats) echo "pg_stat_statements,pg_qualstats" ;;
        *) return 1 ;;
    esac
}

bindir=$("$PG_CONFIG" --bindir)
pkglibdir=$("$PG_CONFIG" --pkglibdir)

active_configs=()
for config in $configs; do
    if ! libraries=$(libraries_of "$config"); then
        echo "overhead: unknown configuration \"$config\": expected none, pg_scaleup, pg_stat_statements or pgss+qualstats" >&2
        exit 2
    fi
    missing_library=""
    for library in ${libraries//,/ }; do
        if [[ ! -f $pkglibdir/$library.so ]]; then
            missing_library=$library
        fi
    done
    if [[ -n $missing_library ]]; then
        echo "overhead: skipping configuration \"$config\": $pkglibdir/$missing_library.so is not installed"
        continue
    fi
    active_configs+=("$config")
done
if [[ ${#active_configs[@]} -eq 0 ]]; then
    echo "overhead: no configuration left to measure" >&2
    exit 2
fi

run_as_postgres=()
if [[ $(id -u) -eq 0 ]]; then
    run_as_postgres=(runuser -u postgres --)
fi

workdir=$(mktemp -d "${TMPDIR:-/tmp}/scaleup-overhead.XXXXXX")
datadir=$workdir/data
socketdir=$workdir/socket
mkdir -p "$socketdir"
if [[ $(id -u) -eq 0 ]]; then
    chown -R postgres "$workdir"
fi

stop_cluster() {
    if [[ -f $datadir/postmaster.pid ]]; then
        "${run_as_postgres[@]}" "$bindir/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null 2>&1 || true
    fi
}
cleanup() {
    stop_cluster
    if [[ $keep == true ]]; then
        echo "overhead: kept $workdir"
    else
        rm -rf "$workdir"
    fi
}
trap cleanup EXIT
trap 'echo "overhead: interrupted" >&2; exit 130' INT TERM

as_postgres() {
    "${run_as_postgres[@]}" env HOME="$workdir" "$@"
}

pgbench_connection=(-h "$socketdir" -p "$port")

echo "overhead: cluster in $workdir, port $port (Unix socket only)"
echo "overhead: $rounds rounds x configurations (${active_configs[*]}) x workloads (select-only, tpcb-like), ${duration} s each after ${warmup} s warm-up, scale $scale, $clients clients"

as_postgres "$bindir/initdb" -D "$datadir" -A trust -U postgres --no-sync >"$workdir/initdb.log" 2>&1 \
    || { cat "$workdir/initdb.log" >&2; exit 1; }

# Settings shared by every configuration.  At the default scale 10 (about
# 160 MB), shared_buffers contains the whole data set, so the select-only run
# reads no disk.
cat >>"$datadir/postgresql.conf" <<EOF

# bench/overhead/run.sh
port = $port
listen_addresses = ''
unix_socket_directories = '$socketdir'
shared_buffers = 512MB
max_connections = 20
synchronous_commit = off
max_wal_size = 4GB
checkpoint_timeout = 30min
log_min_messages = warning
logging_collector = off
include_if_exists = 'preload.conf'
EOF

start_cluster() {
    local libraries=$1
    echo "shared_preload_libraries = '$libraries'" >"$datadir/preload.conf"
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres "$datadir/preload.conf"
    fi
    if ! as_postgres "$bindir/pg_ctl" -D "$datadir" -l "$workdir/server.log" -w start >/dev/null; then
        echo "overhead: the server did not start with shared_preload_libraries = '$libraries'; end of $workdir/server.log:" >&2
        tail -n 20 "$workdir/server.log" >&2
        exit 1
    fi
}

# Run pgbench and print its tps (excluding connection time).
run_pgbench() {
    local seconds=$1
    shift
    local output
    if ! output=$(as_postgres "$bindir/pgbench" "${pgbench_connection[@]}" \
        -c "$clients" -j "$clients" -T "$seconds" "$@" bench 2>&1); then
        echo "overhead: pgbench failed:" >&2
        echo "$output" >&2
        exit 1
    fi
    sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' <<<"$output"
}

start_cluster ""
as_postgres "$bindir/createdb" "${pgbench_connection[@]}" bench
echo "overhead: pgbench -i -s $scale"
as_postgres "$bindir/pgbench" "${pgbench_connection[@]}" -i -s "$scale" -q bench >"$workdir/init.log" 2>&1 \
    || { cat "$workdir/init.log" >&2; exit 1; }
stop_cluster

declare -A workload_options=(
    [select-only]="-S"
    [tpcb-like]=""
)
workloads=(select-only tpcb-like)

results=$workdir/results.tsv
: >"$results"

config_count=${#active_configs[@]}
for ((round = 1; round <= rounds; round++)); do
    for ((step = 0; step < config_count; step++)); do
        config=${active_configs[$(((round - 1 + step) % config_count))]}
        start_cluster "$(libraries_of "$config")"
        for workload in "${workloads[@]}"; do
            # Word splitting of the option string is intended: "" or "-S".
            # shellcheck disable=SC2086
            if ((warmup > 0)); then
                run_pgbench "$warmup" ${workload_options[$workload]} >/dev/null
            fi
            # shellcheck disable=SC2086
            tps=$(run_pgbench "$duration" ${workload_options[$workload]})
            if [[ -z $tps ]]; then
                echo "overhead: no tps in pgbench output" >&2
                exit 1
            fi
            printf '%s\t%s\t%s\t%s\n' "$workload" "$config" "$round" "$tps" >>"$results"
            printf 'round %d/%d  %-12s %-20s %10.1f tps\n' "$round" "$rounds" "$workload" "$config" "$tps"
        done
        stop_cluster
    done
done

# min, median and max tps of one workload and configuration.
summarize() {
    awk -F'\t' -v w="$1" -v c="$2" '$1 == w && $2 == c { print $4 }' "$results" \
        | sort -g \
        | awk '{ v[NR] = $1 }
               END {
                   m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                   printf "%.1f %.1f %.1f\n", v[1], m, v[NR]
               }'
}

echo
echo "pgbench -c $clients -j $clients, scale $scale, $rounds rounds of $duration s (tps)"
printf '%-12s %-20s %10s %10s %10s %8s\n' workload configuration min median max ratio
for workload in "${workloads[@]}"; do
    baseline=""
    if [[ " ${active_configs[*]} " == *" none "* ]]; then
        read -r _ baseline _ < <(summarize "$workload" none)
    fi
    for config in "${active_configs[@]}"; do
        read -r minimum median maximum < <(summarize "$workload" "$config")
        ratio="n/a"
        if [[ -n $baseline ]]; then
            ratio=$(awk -v m="$median" -v b="$baseline" 'BEGIN { printf "%.3f", m / b }')
        fi
        printf '%-12s %-20s %10s %10s %10s %8s\n' "$workload" "$config" "$minimum" "$median" "$maximum" "$ratio"
    done
done
echo "ratio: median tps / median tps with nothing preloaded"

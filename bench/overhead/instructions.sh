#!/usr/bin/env bash
# Count the CPU instructions each collector adds to one statement.
#
#   bench/overhead/instructions.sh [--statements N] [--scale N]
#
# Throughput on a 2-core machine moves with any other load; an instruction
# count does not.  This script runs the same N primary-key lookups
# (SELECT abalance FROM pgbench_accounts WHERE aid = <random>, the statement
# of pgbench -S) through a single-user backend under
# valgrind --tool=callgrind, once per configuration, and once more with a
# single statement to measure start-up and shut-down.  Per configuration it
# prints the instructions per statement, (total - start-up) / (N - 1), and
# the ratio to nothing preloaded.
#
# Configurations: none; pg_scaleup at its defaults; pg_scaleup with
# sample_rate = 1; pg_stat_statements; pg_stat_statements,pg_qualstats.
#
# Network and client costs are not part of the count, so the ratios are an
# upper bound of the throughput cost: a real client round trip adds server
# work (protocol, system calls) that the collectors do not change.
#
# Needs valgrind and the packages of scripts/install-deps.sh.  Runs the
# backend as the postgres user when started by root.  Takes about 3 minutes.
set -euo pipefail

statements=5000
scale=10
while [[ $# -gt 0 ]]; do
    case $1 in
        --statements) statements=$2; shift 2 ;;
        --scale) scale=$2; shift 2 ;;
        -h|--help) sed -n '2,4p' "$0" | sed 's/^# *//'; exit 0 ;;
        *) echo "instructions.sh: unknown option \"$1\"" >&2; exit 2 ;;
    esac
done

if ! command -v valgrind >/dev/null 2>&1; then
    echo "instructions.sh: valgrind not found; install it with: apt-get install valgrind" >&2
    exit 2
fi

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
bindir=$("$PG_CONFIG" --bindir)

as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

work=$(mktemp -d "${TMPDIR:-/tmp}/scaleup-instructions.XXXXXX")
[[ $(id -u) -eq 0 ]] && chown postgres "$work"
cleanup() {
    as_owner "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "preparing a pgbench database of scale $scale in $work"
as_owner "$bindir/initdb" -D "$work/data" -A trust >/dev/null
as_owner "$bindir/pg_ctl" -D "$work/data" -l "$work/log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories=$work -p 55260" start >/dev/null
as_owner "$bindir/pgbench" -i -q -s "$scale" -h "$work" -p 55260 postgres >/dev/null 2>&1
as_owner "$bindir/pg_ctl" -D "$work/data" -w stop >/dev/null

# The same random keys for every configuration.
awk -v n="$statements" -v rows=$((scale * 100000)) 'BEGIN {
    srand(42);
    for (i = 0; i < n; i++)
        printf "SELECT abalance FROM pgbench_accounts WHERE aid = %d;\n", 1 + int(rand() * rows);
}' >"$work/statements.sql"
head -n 1 "$work/statements.sql" >"$work/one.sql"
chmod 644 "$work"/*.sql

# Instructions of one single-user run; $1 is the statement file, the rest
# are server settings.
count() {
    local file=$1
    shift
    as_owner valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        "$bindir/postgres" --single -D "$work/data" -c compute_query_id=on "$@" postgres \
        <"$file" 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

configs=(none pg_scaleup pg_scaleup_rate1 pg_stat_statements pgss+qualstats)
declare -A settings=(
    [none]="-c shared_preload_libraries="
    [pg_scaleup]="-c shared_preload_libraries=pg_scaleup"
    [pg_scaleup_rate1]="-c shared_preload_libraries=pg_scaleup -c pg_scaleup.sample_rate=1"
    [pg_stat_statements]="-c shared_preload_libraries=pg_stat_statements"
    [pgss+qualstats]="-c shared_preload_libraries=pg_stat_statements,pg_qualstats"
)

declare -A per_statement
for config in "${configs[@]}"; do
    # shellcheck disable=SC2086
    total=$(count "$work/statements.sql" ${settings[$config]})
    # shellcheck disable=SC2086
    startup=$(count "$work/one.sql" ${settings[$config]})
    per_statement[$config]=$(( (total - startup) / (statements - 1) ))
    echo "measured $config: $total instructions for $statements statements, $startup for one"
done

echo
printf '%-20s %24s %8s\n' configuration "instructions/statement" ratio
for config in "${configs[@]}"; do
    printf '%-20s %24s %8s\n' "$config" "${per_statement[$config]}" \
        "$(awk -v a="${per_statement[$config]}" -v b="${per_statement[none]}" 'BEGIN { printf "%.3f", a / b }')"
done

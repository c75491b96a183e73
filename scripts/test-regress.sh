#!/usr/bin/env bash
# Run the pg_regress tests of the pg_scaleup extension on a temporary
# PostgreSQL instance.
#
#   scripts/test-regress.sh [--port PORT] [TEST...]
#
# Tests are the files sql/NAME.sql with expected output in expected/NAME.out.
# Without TEST arguments every sql/*.sql runs, in name order (byte order, as
# `LC_ALL=C ls` sorts), in one database, so a test may rely on the ones
# before it.  Name files with a number prefix when order matters.
#
# The temporary instance preloads pg_scaleup with the settings in
# extension/regress.conf.  It listens on PORT (default 55201, or
# $SCALEUP_REGRESS_PORT); pg_regress moves to the next free port when that one
# is taken.  The extension must already be installed (`make install`).
#
# PostgreSQL refuses to run as root, and the checkout may not be readable by
# other users, so the tests run from a fresh copy in a temporary directory:
# as the `postgres` user when we are root, as ourselves otherwise.  Afterwards
# regression.out, regression.diffs, results/ and log/ (the server's log) are
# copied back to the checkout root.  A test without an expected file fails
# and leaves its output in results/NAME.out.
set -euo pipefail

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
port=${SCALEUP_REGRESS_PORT:-55201}

usage() {
    sed -n '5p' "$0" | sed 's/^# */usage: /'
}

tests=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --port)
            [[ $# -ge 2 ]] || { usage >&2; exit 2; }
            port=$2
            shift 2
            ;;
        --port=*)
            port=${1#--port=}
            shift
            ;;
        -h|--help)
            usage
            exit 0
            ;;
        -*)
            echo "test-regress: unknown option \"$1\"" >&2
            usage >&2
            exit 2
            ;;
        *)
            tests+=("${1%.sql}")
            shift
            ;;
    esac
done

if ! [[ $port =~ ^[0-9]+$ ]] || (( port < 1024 || port > 65535 )); then
    echo "test-regress: invalid port \"$port\": expected a number from 1024 to 65535" >&2
    exit 2
fi

repo_root=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo_root"

bindir=$("$PG_CONFIG" --bindir)
pkglibdir=$("$PG_CONFIG" --pkglibdir)
sharedir=$("$PG_CONFIG" --sharedir)
# pg_config --pgxs names PGXSDIR/src/makefiles/pgxs.mk.
pgxs_root=$(dirname "$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")")
pg_regress=$pgxs_root/src/test/regress/pg_regress

if [[ ! -x $pg_regress ]]; then
    echo "test-regress: pg_regress not found at $pg_regress; run scripts/install-deps.sh" >&2
    exit 2
fi

# The installed library and control file must exist, and the library must be
# the one built in extension/, or we would test other code.
installed_library=$pkglibdir/pg_scaleup.so
installed_control=$sharedir/extension/pg_scaleup.control
if [[ ! -f $installed_library || ! -f $installed_control ]]; then
    echo "test-regress: the pg_scaleup extension is not installed" >&2
    echo "test-regress: (missing $installed_library or $installed_control)" >&2
    echo "test-regress: build and install it first: make && make install (as root)" >&2
    exit 2
fi
if [[ -f extension/pg_scaleup.so ]] && ! cmp -s extension/pg_scaleup.so "$installed_library"; then
    echo "test-regress: the installed $installed_library differs from extension/pg_scaleup.so" >&2
    echo "test-regress: run make install (as root) first, so the tests use the code you built" >&2
    exit 2
fi

if [[ ${#tests[@]} -eq 0 ]]; then
    while IFS= read -r file; do
        tests+=("$(basename "$file" .sql)")
    done < <(LC_ALL=C ls sql/*.sql 2>/dev/null || true)
fi
if [[ ${#tests[@]} -eq 0 ]]; then
    echo "test-regress: no tests in sql/; nothing to run"
    exit 0
fi
for test in "${tests[@]}"; do
    if [[ ! -f sql/$test.sql ]]; then
        echo "test-regress: test \"$test\" not found: sql/$test.sql does not exist" >&2
        exit 2
    fi
done

workdir=$(mktemp -d "${TMPDIR:-/tmp}/scaleup-regress.XXXXXX")
cleanup() {
    rm -rf "$workdir"
}
trap cleanup EXIT

mkdir -p "$workdir/sql" "$workdir/expected"
cp sql/*.sql "$workdir/sql/"
if compgen -G "expected/*.out" >/dev/null; then
    cp expected/*.out "$workdir/expected/"
fi
for dir in input output data; do
    if [[ -d $dir ]]; then
        cp -R "$dir" "$workdir/$dir"
    fi
done
cp extension/regress.conf "$workdir/regress.conf"

# pg_regress stops the whole run when an expected file is missing, so the copy
# gets an empty one.  The test then fails and its output lands in results/.
missing_expected=()
for test in "${tests[@]}"; do
    if [[ ! -f $workdir/expected/$test.out ]]; then
        : > "$workdir/expected/$test.out"
        missing_expected+=("$test")
    fi
done

run_as_test_user=()
if [[ $(id -u) -eq 0 ]]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "test-regress: running as root, but there is no \"postgres\" user to run the server as" >&2
        echo "test-regress: install postgresql-$("$PG_CONFIG" --version | sed 's/[^0-9]*\([0-9]*\).*/\1/'), or run as an unprivileged user" >&2
        exit 2
    fi
    chown -R postgres "$workdir"
    run_as_test_user=(runuser -u postgres --)
fi

echo "test-regress: running ${#tests[@]} test(s) on a temporary instance, port $port${run_as_test_user:+, as user postgres}"

status=0
(
    cd "$workdir"
    "${run_as_test_user[@]}" env HOME="$workdir" \
        "$pg_regress" \
        --bindir="$bindir" \
        --inputdir=. \
        --outputdir=. \
        --temp-instance="$workdir/tmp_check" \
        --temp-config="$workdir/regress.conf" \
        --port="$port" \
        --encoding=UTF8 \
        --no-locale \
        --dbname=contrib_regression \
        "${tests[@]}"
) || status=$?

# Copy the outputs back, replacing those of an earlier run.
rm -rf regression.diffs regression.out results log
# Their paths name the temporary directory, which is gone by then, so they are
# rewritten relative to the checkout root.
for output in regression.diffs regression.out; do
    if [[ -f $workdir/$output ]]; then
        sed "s|$workdir/||g" "$workdir/$output" > "$output"
    fi
done
for dir in results log; do
    if [[ -d $workdir/$dir ]]; then
        cp -R "$workdir/$dir" "$dir"
    fi
done

if [[ ${#missing_expected[@]} -gt 0 ]]; then
    echo "test-regress: no expected output for: ${missing_expected[*]}" >&2
    echo "test-regress: review results/NAME.out and copy it to expected/NAME.out" >&2
    status=1
fi

if [[ $status -ne 0 ]]; then
    if [[ -s regression.diffs ]]; then
        echo
        echo "======== regression.diffs ========"
        cat regression.diffs
        echo "======== end of regression.diffs ========"
    fi
    if [[ -f log/postmaster.log ]] \
        && grep -qE 'terminated by signal|PANIC|TRAP:' log/postmaster.log; then
        echo
        echo "======== server crashes in log/postmaster.log ========"
        grep -E -B2 -A2 'terminated by signal|PANIC|TRAP:' log/postmaster.log | tail -n 60
        echo "======== end of server log excerpt ========"
    fi
    echo "test-regress: FAILED (exit status $status); outputs in $repo_root/{regression.diffs,regression.out,results,log}" >&2
    exit "$status"
fi

echo "test-regress: all ${#tests[@]} test(s) passed"

#!/usr/bin/env bash
# Run the TAP integration tests in t/ with prove and PostgreSQL::Test::Cluster.
#
#   scripts/test-tap.sh [t/NAME.pl...]
#
# Without arguments every t/*.pl runs, in name order.  Each test starts its
# own clusters on free ports that PostgreSQL::Test::Cluster picks.  The
# extension must already be installed (`make install`).
#
# As with scripts/test-regress.sh, the tests run from a fresh copy of t/ and
# the source folders they read (config/, demo/, ...) in a temporary
# directory, as the `postgres` user when we are root.  SCALEUP_SOURCE_DIR
# names that copy, and SCALEUP_ADVISOR the advisor binary built in advisor/.
# Afterwards the logs (one regress_log_NAME per test plus each cluster's
# server log) are copied to tmp_check/log/ in the checkout.  When a test
# fails, the end of its logs is printed.
set -euo pipefail

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
log_tail_lines=${SCALEUP_TAP_LOG_LINES:-80}

repo_root=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo_root"

tests=()
for arg in "$@"; do
    case $arg in
        -h|--help)
            sed -n '4p' "$0" | sed 's/^# */usage: /'
            exit 0
            ;;
        -*)
            echo "test-tap: unknown option \"$arg\"" >&2
            exit 2
            ;;
    esac
    if [[ ! -f $arg ]]; then
        echo "test-tap: test file \"$arg\" not found" >&2
        exit 2
    fi
    tests+=("t/$(basename "$arg")")
done
if [[ ${#tests[@]} -eq 0 ]]; then
    while IFS= read -r file; do
        tests+=("$file")
    done < <(LC_ALL=C ls t/*.pl 2>/dev/null || true)
fi
if [[ ${#tests[@]} -eq 0 ]]; then
    echo "test-tap: no TAP tests in t/; nothing to run"
    exit 0
fi

bindir=$("$PG_CONFIG" --bindir)
pkglibdir=$("$PG_CONFIG" --pkglibdir)
# pg_config --pgxs names PGXSDIR/src/makefiles/pgxs.mk.
pgxs_root=$(dirname "$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")")
perl_lib=$pgxs_root/src/test/perl
pg_regress=$pgxs_root/src/test/regress/pg_regress

if [[ ! -f $perl_lib/PostgreSQL/Test/Cluster.pm ]]; then
    echo "test-tap: PostgreSQL::Test::Cluster not found under $perl_lib; run scripts/install-deps.sh" >&2
    exit 2
fi
if ! command -v prove >/dev/null 2>&1; then
    echo "test-tap: prove not found; run scripts/install-deps.sh" >&2
    exit 2
fi
if [[ ! -f $pkglibdir/pg_scaleup.so ]]; then
    echo "test-tap: the pg_scaleup extension is not installed ($pkglibdir/pg_scaleup.so is missing)" >&2
    echo "test-tap: build and install it first: make && make install (as root)" >&2
    exit 2
fi
if [[ -f extension/pg_scaleup.so ]] && ! cmp -s extension/pg_scaleup.so "$pkglibdir/pg_scaleup.so"; then
    echo "test-tap: the installed $pkglibdir/pg_scaleup.so differs from extension/pg_scaleup.so" >&2
    echo "test-tap: run make install (as root) first, so the tests use the code you built" >&2
    exit 2
fi

workdir=$(mktemp -d "${TMPDIR:-/tmp}/scaleup-tap.XXXXXX")
cleanup() {
    rm -rf "$workdir"
}
trap cleanup EXIT

# Tests find the files they read next to t/, through SCALEUP_SOURCE_DIR, and
# the advisor they run through SCALEUP_ADVISOR (the one built in advisor/,
# else scaleup-advisor on the PATH).
# A demo cluster left in demo/cluster by "make demo" is not copied: it is
# large and no test reads it.
for dir in t config demo bench sql expected; do
    if [[ -d $dir ]]; then
        mkdir -p "$workdir/$dir"
        (cd "$dir" && tar --exclude=./cluster -cf - .) | (cd "$workdir/$dir" && tar -xf -)
    fi
done
mkdir -p "$workdir/tmp_check"
advisor=${SCALEUP_ADVISOR:-}
if [[ -z $advisor && -x advisor/scaleup-advisor ]]; then
    mkdir -p "$workdir/bin"
    cp advisor/scaleup-advisor "$workdir/bin/"
    advisor=$workdir/bin/scaleup-advisor
fi
advisor_env=()
if [[ -n $advisor ]]; then
    advisor_env=(SCALEUP_ADVISOR="$advisor")
fi

run_as_test_user=()
if [[ $(id -u) -eq 0 ]]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "test-tap: running as root, but there is no \"postgres\" user to run the servers as" >&2
        exit 2
    fi
    chown -R postgres "$workdir"
    run_as_test_user=(runuser -u postgres --)
fi

echo "test-tap: running ${#tests[@]} test file(s)${run_as_test_user:+ as user postgres}"

# PostgreSQL::Test::Utils puts tmp_check/ (data directories and logs) under
# TESTDIR.  PATH puts this PostgreSQL's initdb, pg_ctl, psql
# and pgbench first.  PG_REGRESS is what the PGXS makefiles pass too.
prove_output=$workdir/prove.out
set +e
(
    cd "$workdir"
    "${run_as_test_user[@]}" env \
        HOME="$workdir" \
        TESTDIR="$workdir" \
        PATH="$bindir:$PATH" \
        PG_REGRESS="$pg_regress" \
        PG_CONFIG="$PG_CONFIG" \
        SCALEUP_SOURCE_DIR="$workdir" \
        "${advisor_env[@]}" \
        prove -I "$perl_lib" -I "$workdir/t" "${tests[@]}"
) 2>&1 | tee "$prove_output"
status=${PIPESTATUS[0]}
set -e

rm -rf tmp_check/log
mkdir -p tmp_check
if [[ -d $workdir/tmp_check/log ]]; then
    cp -R "$workdir/tmp_check/log" tmp_check/log
fi

if [[ $status -ne 0 ]]; then
    # prove's summary lists each failed file as "t/NAME.pl (Wstat: ...".
    failed_tests=$(sed -n 's|^\(t/[^ ]*\.pl\) *(Wstat.*|\1|p' "$prove_output" | sort -u)
    for test in $failed_tests; do
        name=$(basename "$test" .pl)
        echo
        echo "======== $test failed: last $log_tail_lines lines of tmp_check/log/regress_log_$name ========"
        tail -n "$log_tail_lines" "tmp_check/log/regress_log_$name" 2>/dev/null || echo "(no log)"
        for server_log in tmp_check/log/"${name}"_*.log; do
            [[ -f $server_log ]] || continue
            echo "======== last $log_tail_lines lines of $server_log ========"
            tail -n "$log_tail_lines" "$server_log"
        done
    done
    echo
    echo "test-tap: FAILED (prove exit status $status); logs in $repo_root/tmp_check/log" >&2
    exit "$status"
fi

echo "test-tap: all test files passed; logs in $repo_root/tmp_check/log"

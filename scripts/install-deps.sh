#!/usr/bin/env bash
# Install the Debian packages that building, testing and benchmarking ScaleUp
# need, when some are missing.
#
#   scripts/install-deps.sh
#
# Exit status: 0 when everything is present (or was just installed), 1 when
# apt-get failed, 2 when packages are missing and we are not root.  A non-root
# user gets the exact apt-get command to run.  When nothing is missing the
# script prints one line and takes well under a second, so `make test` and
# `make demo` call it every time.
set -euo pipefail

PG_MAJOR=15

# Package and the reason we need it.  postgresql-client-15 carries pg_regress
# and the PostgreSQL::Test::Cluster Perl modules; postgresql-15 carries
# pgbench and pg_stat_statements (Debian 12 has no separate contrib package).
# postgresql-server-dev-15 pulls in clang and LLVM for PGXS's bitcode build.
required_packages=(
    "postgresql-$PG_MAJOR"              # server, pgbench, pg_stat_statements
    "postgresql-client-$PG_MAJOR"       # psql, pg_regress, TAP test modules
    "postgresql-server-dev-$PG_MAJOR"   # PGXS, server headers
    "postgresql-$PG_MAJOR-hypopg"       # hypothetical indexes for the advisor
    "postgresql-$PG_MAJOR-pg-qualstats" # overhead benchmark comparison
    libpq-dev                           # the advisor links libpq
    libyaml-dev                         # the advisor parses its YAML config
    gcc
    make
    libc6-dev
    perl                                # prove
    libipc-run-perl                     # IPC::Run, used by PostgreSQL::Test
)

# Perl modules that PostgreSQL::Test::Cluster loads, and the package that
# provides each one on Debian.  Checked by loading them, because a module can
# also come from outside dpkg (CPAN, a newer perl).
declare -A perl_module_packages=(
    [IPC::Run]=libipc-run-perl
    [Test::More]=libtest-simple-perl
    [Time::HiRes]=perl
)

is_installed() {
    local status
    status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
    [[ $status == "install ok installed" ]]
}

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: dpkg-query not found; this script supports Debian and Ubuntu only." >&2
    echo "install-deps: install PostgreSQL $PG_MAJOR with its server headers, libpq, libyaml and Perl's IPC::Run by hand." >&2
    exit 2
fi

missing=()
for package in "${required_packages[@]}"; do
    is_installed "$package" || missing+=("$package")
done

# pg_stat_statements ships inside postgresql-15 on Debian 12.  Distributions
# that still split it out name the package postgresql-contrib-15.
pg_pkglibdir=/usr/lib/postgresql/$PG_MAJOR/lib
if is_installed "postgresql-$PG_MAJOR" && [[ ! -f $pg_pkglibdir/pg_stat_statements.so ]]; then
    if apt-cache show "postgresql-contrib-$PG_MAJOR" >/dev/null 2>&1; then
        missing+=("postgresql-contrib-$PG_MAJOR")
    fi
fi

if command -v perl >/dev/null 2>&1; then
    for module in "${!perl_module_packages[@]}"; do
        package=${perl_module_packages[$module]}
        if ! perl -M"$module" -e 1 >/dev/null 2>&1 \
            && [[ " ${missing[*]} " != *" $package "* ]]; then
            missing+=("$package")
        fi
    done
fi

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all required packages are installed"
    exit 0
fi

install_command=(apt-get install -y --no-install-recommends "${missing[@]}")

if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: install them as root, then run this command again:" >&2
    echo "    sudo apt-get update && sudo ${install_command[*]}" >&2
    exit 2
fi

echo "install-deps: installing missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update; then
    echo "install-deps: apt-get update failed" >&2
    exit 1
fi
if ! "${install_command[@]}"; then
    echo "install-deps: apt-get install failed for: ${missing[*]}" >&2
    exit 1
fi
echo "install-deps: installed ${missing[*]}"

#!/usr/bin/env bash
# Runs the whole test suite: installs Debian's Chromium, nginx and PostgreSQL when they are missing, then unit,
# component, host and browser tests, then every host and browser test again on PostgreSQL.
# Ends with "N passed, N failed, N skipped"; exits non-zero when anything failed or no test ran.
set -uo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

# Installs a Debian package. Its own service (nginx on port 80, PostgreSQL's cluster on 5432) is not needed:
# policy-rc.d keeps apt from starting it, so a busy port or a machine without an init system cannot fail the install.
install_package() {
  echo "Installing Debian's $1 $2..."
  local added_policy="" installed
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod +x /usr/sbin/policy-rc.d && added_policy=1
  fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "$1" >/dev/null
  installed=$?
  [ -n "$added_policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d
  [ "$installed" -eq 0 ] || { echo "Could not install $1"; exit 1; }
}

if [ ! -x /usr/lib/chromium/chromium ] && ! command -v chromium >/dev/null 2>&1; then
  install_package chromium "for the browser tests"
fi
# The reverse proxy tests run the README's nginx configurations in front of the portal (their own nginx, on loopback).
if [ ! -x /usr/sbin/nginx ] && ! command -v nginx >/dev/null 2>&1; then
  install_package nginx "for the reverse proxy tests"
  $SUDO nginx -s quit 2>/dev/null || true
fi
# The PostgreSQL tests start their own throwaway cluster (initdb into a temporary folder, its own loopback port): only
# the server binaries are needed.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  install_package postgresql "for the PostgreSQL tests"
fi

results=TestResults
rm -rf "$results"
# Gives the test process time to stop its PostgreSQL cluster when it ends (the runner's default is 100 ms).
export VSTEST_TESTHOST_SHUTDOWN_TIMEOUT=60000
# Every project first, the benchmarks too: dotnet test builds only the test project and what it references, so a
# benchmark that no longer compiles would otherwise go unnoticed.
dotnet build Portal.slnx || { echo "The build failed, so no test ran."; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
dotnet test Portal.slnx --no-build --logger "trx;LogFilePrefix=sqlite" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?

# The same host tests and browser journeys on PostgreSQL: PortalHost gives each its own database in the throwaway
# cluster. Tests that read SQLite's file itself are marked SqliteOnly; tests that always use PostgreSQL ran in the
# first pass already.
# Arguments are for the first pass's dotnet test only: a --filter, not build options (the build above uses the defaults).
PORTAL_TEST_DATABASE=PostgreSQL dotnet test Portal.Tests --no-build \
  --filter "(FullyQualifiedName~Portal.Tests.Host|FullyQualifiedName~Portal.Tests.Browser)&Database!=SqliteOnly&Database!=PostgreSQL" \
  --logger "trx;LogFilePrefix=postgresql" --logger "console;verbosity=normal" --results-directory "$results"
[ $? -eq 0 ] || status=1

# A cluster whose test process is gone (killed, or ended before it could stop its server) is stopped and removed.
for cluster in /tmp/portal-pg-*; do
  [ -d "$cluster" ] || continue
  owner=$(cat "$cluster/owner.pid" 2>/dev/null)
  if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then continue; fi
  if [ -f "$cluster/cluster/postmaster.pid" ]; then
    pg_ctl=$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | tail -n 1)
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$pg_ctl" -D "$cluster/cluster" -m immediate stop >/dev/null 2>&1
    else "$pg_ctl" -D "$cluster/cluster" -m immediate stop >/dev/null 2>&1; fi
  fi
  rm -rf "$cluster"
done

passed=0; failed=0; skipped=0; total=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$((total + $(get total)))
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done

echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi

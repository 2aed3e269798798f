#!/usr/bin/env bash
# Runs the whole test suite: installs Debian's Chromium, nginx and PostgreSQL when they are missing, then unit,
# component, host and browser tests, then every host test again on PostgreSQL.
# Ends with "N passed, N failed, N skipped"; exits non-zero when anything failed or no test ran.
set -uo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/lib/chromium/chromium ] && ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null || { echo "Could not install chromium"; exit 1; }
fi

# The reverse proxy test runs the README's nginx snippet in front of the portal (its own nginx process, on loopback).
if [ ! -x /usr/sbin/nginx ] && ! command -v nginx >/dev/null 2>&1; then
  echo "Installing Debian's nginx for the reverse proxy test..."
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  # The package's own service (port 80) is not needed: policy-rc.d keeps apt from starting it, so a busy port 80 or a
  # machine without an init system cannot fail the install.
  added_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod +x /usr/sbin/policy-rc.d && added_policy=1
  fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq nginx >/dev/null
  installed=$?
  [ -n "$added_policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d
  [ "$installed" -eq 0 ] || { echo "Could not install nginx"; exit 1; }
  $SUDO nginx -s quit 2>/dev/null || true
fi

# The PostgreSQL tests start their own throwaway cluster (initdb into a temporary folder, its own loopback port); only
# the server binaries are needed, so the package's own cluster on port 5432 is not started either.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "Installing Debian's postgresql for the PostgreSQL tests..."
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  added_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod +x /usr/sbin/policy-rc.d && added_policy=1
  fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq postgresql >/dev/null
  installed=$?
  [ -n "$added_policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d
  [ "$installed" -eq 0 ] || { echo "Could not install postgresql"; exit 1; }
fi

results=TestResults
rm -rf "$results"
# Gives the test process time to stop its PostgreSQL cluster when it ends (the runner's default is 100 ms).
export VSTEST_TESTHOST_SHUTDOWN_TIMEOUT=60000
dotnet test Portal.slnx --logger "trx;LogFilePrefix=sqlite" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?

# The same host tests on PostgreSQL: PortalHost gives each its own database in the throwaway cluster. Tests that read
# SQLite's file itself are marked SqliteOnly; tests that always use PostgreSQL ran in the first pass already.
# Arguments (say, a --filter) are for the first pass only.
PORTAL_TEST_DATABASE=PostgreSQL dotnet test Portal.Tests --no-build \
  --filter "FullyQualifiedName~Portal.Tests.Host&Database!=SqliteOnly&Database!=PostgreSQL" \
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

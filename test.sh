#!/usr/bin/env bash
# Runs every test of the repository, the way CI does:
#   1. installs redis-server and chromium (for the dashboard's browser tests) with apt-get when the
#      machine lacks them,
#   2. starts a private Redis on a free loopback port with its own temp directory, and a private
#      Redis Cluster beside it (three primaries, three replicas: eng/redis-cluster.sh),
#   3. restores and builds everything with warnings as errors,
#   4. publishes the sample worker as a native AOT binary,
#   5. runs every test project against that Redis (the cluster tests against the cluster; one test
#      drives the native worker),
#   6. packs the packages into a local feed and builds, runs and native-publishes an app outside
#      the repository that knows them only by PackageReference (tests/package-test.sh),
#   7. stops Redis and the cluster (also when something fails) and prints one line: "N passed, N failed".
# Extra arguments go to `dotnet test` (for example: ./test.sh --filter Redis).
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Installs Debian packages when a command is missing. As root apt-get runs directly; otherwise
# through sudo. The environment goes through `env` so that it works with and without sudo.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
need_package() {  # need_package COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "== installing $2 (apt-get)"
  if [ -z "$apt_updated" ]; then as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null \
    && command -v "$1" >/dev/null 2>&1 \
    || { echo "could not install $2"; echo "0 passed, 1 failed"; exit 1; }
}
need_package redis-server redis-server
need_package chromium chromium
# The dashboard's browser tests drive this Chromium headless (they fail under CI=true without one)
# and leave their screenshots in artifacts/screenshots.
export TASKQUEUE_CHROMIUM="${TASKQUEUE_CHROMIUM:-$(command -v chromium)}"
export TASKQUEUE_ARTIFACTS="${TASKQUEUE_ARTIFACTS:-$root/artifacts/screenshots}"

work=$(mktemp -d "${TMPDIR:-/tmp}/taskqueue-test.XXXXXX")
redis_pid=""
cleanup() {
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null; fi
  "$root/eng/redis-cluster.sh" stop "$work/cluster" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# A free port: ask the kernel for one, then start Redis on it (retrying if another process took it first).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
  || echo $(( 20000 + RANDOM % 20000 )); }
for attempt in 1 2 3 4 5; do
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --dir "$work" --save "" --appendonly no \
    --logfile "$work/redis.log" >/dev/null 2>&1 &
  redis_pid=$!
  for _ in $(seq 1 50); do
    if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then break 2; fi
    if ! kill -0 "$redis_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null; redis_pid=""
done
if [ -z "$redis_pid" ]; then echo "could not start redis-server"; cat "$work/redis.log" 2>/dev/null; echo "0 passed, 1 failed"; exit 1; fi
export TASKQUEUE_REDIS="127.0.0.1:$port"
echo "== redis-server $(redis-server --version | grep -o 'v=[0-9.]*') on $TASKQUEUE_REDIS"

# The cluster the cluster tests share; the script prints its six endpoints, or says on stderr why it could not.
if ! TASKQUEUE_REDIS_CLUSTER=$(eng/redis-cluster.sh start "$work/cluster" 2>"$work/cluster.err"); then
  echo "could not start a Redis Cluster"; cat "$work/cluster.err"; echo "0 passed, 1 failed"; exit 1
fi
export TASKQUEUE_REDIS_CLUSTER
echo "== redis cluster (3 primaries, 3 replicas) on $TASKQUEUE_REDIS_CLUSTER"

echo "== build (warnings are errors)"
if ! dotnet build TaskQueue.sln -nologo -clp:ErrorsOnly -v:q; then
  echo "0 passed, 1 failed"
  exit 1
fi

echo "== publish the sample worker as a native AOT binary (for the end-to-end AOT test)"
if ! dotnet publish samples/Worker -c Release -r linux-x64 -o "$work/aot-worker" -nologo -v:q -clp:ErrorsOnly; then
  echo "0 passed, 1 failed"
  exit 1
fi
export TASKQUEUE_AOT_WORKER="$work/aot-worker/taskqueue-sample-worker"

echo "== test"
# One test project at a time (-m:1): the process-level tests start worker processes and Redis
# servers, and on a 2-core machine they should not share it with three other test hosts.
# A test that hangs is stopped after 5 minutes and counts as failed, well inside CI's time.
dotnet test TaskQueue.sln --no-build -nologo -v:q -m:1 --results-directory "$work/results" --logger "trx" \
  --blame-hang --blame-hang-timeout 5m --blame-hang-dump-type none "$@"
test_rc=$?

# Say what failed, with the message, so that a CI log is enough to start from.
if command -v python3 >/dev/null 2>&1; then
  python3 - "$work"/results/*.trx <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except Exception:
        continue
    for r in root.iterfind(".//t:UnitTestResult", ns):
        if r.get("outcome") == "Failed":
            message = r.findtext(".//t:Message", default="", namespaces=ns)
            trace = r.findtext(".//t:StackTrace", default="", namespaces=ns)
            print(f"FAILED {r.get('testName')}\n{message}\n{trace[:2000]}\n")
PY
fi

passed=0; failed=0; skipped=0
for trx in "$work"/results/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*' "$trx")
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed); e=$(get error)
  passed=$((passed + p)); failed=$((failed + f + e)); skipped=$((skipped + total - executed))
done
if [ "$test_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi   # a crashed test host counts as a failure

# The package test counts as one test. Skipped when a --filter narrows the run.
if [[ " $* " != *" --filter "* ]]; then
  echo "== package test"
  if tests/package-test.sh "$work/package" "$TASKQUEUE_REDIS"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi    # running no test is a failure
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]

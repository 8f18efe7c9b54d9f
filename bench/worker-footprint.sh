#!/usr/bin/env bash
# The sample worker as a native AOT binary beside the same worker on the JIT runtime: binary size,
# time from exec to "ready to take tasks", idle RSS, and peak RSS while it runs 20,000 tasks.
# Usage: bench/worker-footprint.sh            (starts a private redis-server; needs redis-server)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --dir "$work" --save "" --appendonly no --daemonize yes --pidfile "$work/redis.pid" >/dev/null
trap 'kill $(cat "$work/redis.pid") 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis="127.0.0.1:$port"

echo "building..." >&2
dotnet publish samples/Worker -c Release -r linux-x64 -o "$work/native" -nologo -v:q -clp:ErrorsOnly >&2
dotnet build samples/Worker -c Release -o "$work/jit" -p:PublishAot=false -nologo -v:q -clp:ErrorsOnly >&2
dotnet build samples/Producer -c Release -nologo -v:q -clp:ErrorsOnly >&2

rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$1/status"; }

measure() {   # name, command...
  local name=$1; shift
  local log="$work/$name.log"
  local start=$(date +%s%N)
  "$@" --redis "$redis" --app "fp$name" -w 4 --queue orders --queue default >"$log" 2>&1 &
  local pid=$!
  while ! grep -q "ready:" "$log"; do sleep 0.001; done
  local ready=$(( ($(date +%s%N) - start) / 1000000 ))
  sleep 2
  local idle=$(rss $pid)
  TASKQUEUE_APP="fp$name" dotnet samples/Producer/bin/Release/net10.0/Producer.dll "$redis" 20000 >"$work/$name.producer" 2>&1 &
  local producer=$! peak=0
  while kill -0 $producer 2>/dev/null; do r=$(rss $pid); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.05; done
  wait $producer || { echo "producer failed:"; cat "$work/$name.producer"; }
  kill -TERM $pid; wait $pid || true
  printf '| %s | %s ms | %s MB | %s MB |\n' "$name" "$ready" "$idle" "$peak"
}

echo "| worker | start to ready | idle RSS | busy RSS (peak, 20k tasks) |"
echo "|---|---:|---:|---:|"
measure native "$work/native/taskqueue-sample-worker"
measure jit dotnet "$work/jit/taskqueue-sample-worker.dll"
echo
echo "native binary: $(du -h "$work/native/taskqueue-sample-worker" | cut -f1) ($(stat -c %s "$work/native/taskqueue-sample-worker") bytes); JIT build folder: $(du -sh --exclude='*.pdb' "$work/jit" | cut -f1)"

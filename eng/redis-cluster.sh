#!/usr/bin/env bash
# A throwaway Redis Cluster on loopback, for tests: three primaries and three replicas.
#   eng/redis-cluster.sh start DIR   starts six cluster-enabled redis-server nodes (no persistence,
#                                    cluster-node-timeout 1000 ms, one directory and nodes.conf each
#                                    under DIR), joins them with `redis-cli --cluster create
#                                    --cluster-replicas 1`, waits until every node says cluster_state:ok
#                                    with all 16384 slots assigned, and prints the seed endpoints on
#                                    one line: 127.0.0.1:p1,127.0.0.1:p2,... (all six). Nothing else
#                                    goes to stdout; on failure it says why on stderr, stops what it
#                                    started and exits 1.
#   eng/redis-cluster.sh stop DIR    kills the nodes started under DIR (by the pids in their pid files).
# Each node also gets a free port of its own for the cluster bus (cluster-port, Redis 7.0 or later):
# the default, port + 10000, is out of range for most ports the kernel hands out. Every wait is bounded.
set -uo pipefail

nodes=6
start_timeout=10     # seconds for one node to answer PING
create_timeout=60    # seconds for redis-cli --cluster create
ready_timeout=30     # seconds for every node to say cluster_state:ok

die() { echo "redis-cluster: $*" >&2; exit 1; }

# A free port: ask the kernel for one (as test.sh does); a port another process takes before the
# node binds it makes that node fail to start, and it is started again on new ports.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
  || echo $(( 20000 + RANDOM % 20000 )); }

pid_of() { [ -f "$1/redis.pid" ] && cat "$1/redis.pid" 2>/dev/null; }

# Kills the nodes under $1 (or the one node directory $1) by the pids in their pid files, all at
# once, and waits (5 s at most) until they are gone; SIGKILL for any still there after that.
stop_all() {
  local node pid alive
  local -a pids=()
  for node in "$1"/node-* "$1"; do
    [ -f "$node/redis.pid" ] || continue
    pid=$(pid_of "$node")
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && pids+=("$pid")
    rm -f "$node/redis.pid"
  done
  for _ in $(seq 1 50); do
    alive=""
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && { alive=1; break; }; done
    [ -z "$alive" ] && return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
  return 0
}

# Starts node $2 under $1 on free ports (five tries) and prints its port once it answers PING.
start_node() {
  local dir="$1/node-$2" port bus pid
  for attempt in 1 2 3 4 5; do
    rm -rf "$dir"; mkdir -p "$dir" || return 1
    port=$(free_port); bus=$(free_port)
    [ "$port" != "$bus" ] || continue
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-port "$bus" \
      --cluster-node-timeout 1000 --cluster-replica-validity-factor 0 --repl-diskless-sync-delay 0 \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null 2>&1
    for _ in $(seq 1 $((start_timeout * 10))); do
      if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then echo "$port"; return 0; fi
      pid=$(pid_of "$dir")
      if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then break; fi
      if [ -z "$pid" ] && grep -q "# Failed\|Could not create server TCP" "$dir/redis.log" 2>/dev/null; then break; fi
      sleep 0.1
    done
    stop_all "$dir"
  done
  echo "redis-cluster: node $2 did not start; its log:" >&2
  cat "$dir/redis.log" >&2 2>/dev/null
  return 1
}

# Whether every node says cluster_state:ok, all 16384 slots assigned and ok, and knows all six nodes.
cluster_ready() {
  local port info
  for port in "$@"; do
    info=$(redis-cli -p "$port" cluster info 2>/dev/null | tr -d '\r') || return 1
    grep -qx "cluster_state:ok" <<<"$info" || return 1
    grep -qx "cluster_slots_assigned:16384" <<<"$info" || return 1
    grep -qx "cluster_slots_ok:16384" <<<"$info" || return 1
    grep -qx "cluster_known_nodes:$nodes" <<<"$info" || return 1
  done
}

start() {
  local dir="$1" node port pid
  local -a ports=()
  command -v redis-server >/dev/null 2>&1 || die "redis-server is not on PATH (apt-get install redis-server)"
  command -v redis-cli >/dev/null 2>&1 || die "redis-cli is not on PATH (apt-get install redis-tools)"
  mkdir -p "$dir" || die "cannot create $dir"
  for node in "$dir"/node-*; do
    [ -d "$node" ] || continue
    pid=$(pid_of "$node")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then die "a cluster is already running under $dir (stop it first)"; fi
  done
  for node in $(seq 1 "$nodes"); do
    port=$(start_node "$dir" "$node") || { stop_all "$dir"; exit 1; }
    ports+=("$port")
  done

  local -a endpoints=()
  for port in "${ports[@]}"; do endpoints+=("127.0.0.1:$port"); done
  local bounded=(); command -v timeout >/dev/null 2>&1 && bounded=(timeout "$create_timeout")
  if ! "${bounded[@]}" redis-cli --cluster create "${endpoints[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1; then
    echo "redis-cluster: redis-cli --cluster create failed:" >&2
    cat "$dir/create.log" >&2
    stop_all "$dir"; exit 1
  fi

  for _ in $(seq 1 $((ready_timeout * 10))); do
    if cluster_ready "${ports[@]}"; then
      (IFS=,; echo "${endpoints[*]}")
      return 0
    fi
    sleep 0.1
  done
  echo "redis-cluster: the cluster was not ready (cluster_state:ok, 16384 slots, $nodes nodes on every node) within $ready_timeout s:" >&2
  for port in "${ports[@]}"; do
    echo "-- 127.0.0.1:$port" >&2
    redis-cli -p "$port" cluster info 2>&1 | tr -d '\r' | grep -E "cluster_state|cluster_slots_(assigned|ok)|cluster_known_nodes" >&2
  done
  stop_all "$dir"; exit 1
}

case "${1:-}:${2:-}" in
  start:?*) start "$2" ;;
  stop:?*) stop_all "$2" ;;
  *) echo "usage: $0 start DIR | stop DIR" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Load benchmarks: a chat server pinned to CPU 0, the load driver pinned to CPU 1, the server's
# CPU time read from /proc/<pid>/stat over the measured window (user and kernel time apart, also per
# delivery); medians of several runs.
#
# Usage: benchmarks/run-load.sh [options] [scenario...]
#   scenarios: fanout100 fanout500 rooms calls stream idle (default: all of them); stream (10
#                                   clients, each consuming one stream as fast as it reads, credit in
#                                   windows of 512 items) runs on Zocket only: the raw baseline has
#                                   no streams
#              NAMExN (e.g. fanout500x3, roomsx3): scenario NAME across N nodes of ZocketChatServer
#                                   sharing one redis-server through RedisBackplane (Zocket servers
#                                   only); the driver spreads every room's members evenly over the
#                                   nodes; the nodes and Redis are all pinned to CPU 0 (their CPU
#                                   summed, Redis's apart); x1 = one node with the backplane
#   --server "S ..."                servers to measure, alternating run by run: baseline (the raw
#                                   Netty server), zocket (the chat protocol on ZocketServer, as the
#                                   chat example but without its rate limit), chat (examples/chat's
#                                   jar), both (= "baseline zocket"), or NAME=PATH for another build
#                                   of the chat jar, or of benchmarks.jar (its ZocketChatServer)
#                                   (default: both)
#   --runs N                        runs per scenario and server (default 3); the median is reported
#   --duration S                    measured window in seconds (default 5)
#   --warmup S                      warm-up before the window in seconds (default 3)
#   --idle-clients N                connections of the idle scenario (default 5000)
#   --no-build                      use the jars of a previous build
#   --out FILE                      also append every JSON line to FILE
# Environment: SERVER_JAVA (the java command of the servers, default java; e.g.
#   /usr/lib/jvm/temurin-25-jdk-amd64/bin/java to compare JDKs), SERVER_JAVA_OPTS, DRIVER_JAVA_OPTS
#   (JVM flags, the same for both servers),
#   ZOCKET_OUT (build output folder name, default target-bench).
# Only 127.0.0.1 is ever used.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT_DIR=${ZOCKET_OUT:-target-bench}
BENCH_JAR="$ROOT/benchmarks/$OUT_DIR/benchmarks.jar"
CHAT_JAR="$ROOT/examples/chat/$OUT_DIR/zocket-chat.jar"
SERVER_JAVA=${SERVER_JAVA:-java}
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseSerialGC -Dio.netty.leakDetection.level=disabled -Dlogback.configurationFile=$ROOT/benchmarks/logback-bench.xml -Dorg.slf4j.simpleLogger.defaultLogLevel=warn}
DRIVER_JAVA_OPTS=${DRIVER_JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseSerialGC -Dio.netty.leakDetection.level=disabled}
CLK_TCK=$(getconf CLK_TCK)

servers=""
runs=3
duration=5
warmup=3
idle_clients=5000
build=1
out_file=""
scenarios=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --server) servers=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --idle-clients) idle_clients=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --out) out_file=$2; shift 2 ;;
    -h|--help) sed -n 2,24p "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) scenarios+=("$1"); shift ;;
  esac
done
[[ ${#scenarios[@]} -eq 0 ]] && scenarios=(fanout100 fanout500 rooms calls stream idle)

[[ -z $servers ]] && servers=both
if [[ $build == 1 ]]; then
  modules=benchmarks
  [[ " $servers " == *" chat "* ]] && modules=benchmarks,examples/chat
  mvn -B -q -o -DskipTests -Dzocket.out="$OUT_DIR" -pl "$modules" -am package
fi
[[ $servers == both ]] && servers="baseline zocket"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

SERVER_PID=""
start_server() { # $1 = baseline|zocket|NAME=PATH; sets SERVER_PID and PORT
  PORT=$(free_port)
  local log="/tmp/zocket-bench-server-${1%%=*}.log"
  if [[ $1 == baseline ]]; then
    # shellcheck disable=SC2086
    taskset -c 0 "$SERVER_JAVA" $SERVER_JAVA_OPTS -cp "$BENCH_JAR" dev.zocket.bench.baseline.RawChatServer \
      --port "$PORT" --host 127.0.0.1 >"$log" 2>&1 &
  elif [[ $1 == zocket ]]; then
    # shellcheck disable=SC2086
    taskset -c 0 "$SERVER_JAVA" $SERVER_JAVA_OPTS -cp "$BENCH_JAR" dev.zocket.bench.zocket.ZocketChatServer \
      --port "$PORT" --host 127.0.0.1 >"$log" 2>&1 &
  else
    local jar=$CHAT_JAR
    [[ $1 == *=* ]] && jar=${1#*=}
    if [[ $(basename "$jar") == benchmarks*.jar ]]; then # another build's ZocketChatServer
      # shellcheck disable=SC2086
      taskset -c 0 "$SERVER_JAVA" $SERVER_JAVA_OPTS -cp "$jar" dev.zocket.bench.zocket.ZocketChatServer \
        --port "$PORT" --host 127.0.0.1 >"$log" 2>&1 &
    else
      # Every load client comes from 127.0.0.1: lift the chat's per-address limit where it has one.
      local limit=""
      if "$SERVER_JAVA" -jar "$jar" --help 2>/dev/null | grep -q -- --max-connections-per-address; then
        limit="--max-connections-per-address 0"
      fi
      # shellcheck disable=SC2086
      taskset -c 0 "$SERVER_JAVA" $SERVER_JAVA_OPTS -jar "$jar" --port "$PORT" --host 127.0.0.1 $limit >"$log" 2>&1 &
    fi
  fi
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; echo "server $1 died" >&2; exit 1; }
    sleep 0.1
  done
  echo "server $1 did not listen on $PORT within 30 s" >&2
  stop_server
  exit 1
}

stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

# Cross-node runs: one redis-server and N ZocketChatServer nodes, all on CPU 0 (the same core the
# one-node runs have, so the sums compare), the driver on CPU 1.
NODE_PIDS=()
NODE_PORTS=()
REDIS_PID=""
REDIS_PORT=""
REDIS_DIR=""
start_nodes() { # $1 = zocket|NAME=PATH (a benchmarks jar), $2 = N; sets NODE_PIDS, NODE_PORTS, REDIS_*
  local jar=$BENCH_JAR
  [[ $1 == *=* ]] && jar=${1#*=}
  REDIS_PORT=$(free_port)
  REDIS_DIR=$(mktemp -d /tmp/zocket-bench-redis.XXXXXX)
  taskset -c 0 redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$REDIS_DIR" >"$REDIS_DIR/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 150); do
    [[ $(redis-cli -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] && break
    kill -0 "$REDIS_PID" 2>/dev/null || { cat "$REDIS_DIR/redis.log" >&2; echo "redis-server died" >&2; exit 1; }
    sleep 0.1
  done
  for i in $(seq 1 "$2"); do
    local port; port=$(free_port)
    # shellcheck disable=SC2086
    taskset -c 0 "$SERVER_JAVA" $SERVER_JAVA_OPTS -cp "$jar" dev.zocket.bench.zocket.ZocketChatServer \
      --port "$port" --host 127.0.0.1 --redis "redis://127.0.0.1:$REDIS_PORT" --node-id "n$i" \
      >"/tmp/zocket-bench-node$i.log" 2>&1 &
    NODE_PIDS+=($!)
    NODE_PORTS+=("$port")
  done
  for i in "${!NODE_PIDS[@]}"; do
    local ok=0
    for _ in $(seq 1 300); do
      if (exec 3<>"/dev/tcp/127.0.0.1/${NODE_PORTS[$i]}") 2>/dev/null; then ok=1; break; fi
      kill -0 "${NODE_PIDS[$i]}" 2>/dev/null || break
      sleep 0.1
    done
    if [[ $ok == 0 ]]; then
      cat "/tmp/zocket-bench-node$((i + 1)).log" >&2
      echo "node $((i + 1)) did not listen" >&2
      stop_nodes
      exit 1
    fi
  done
}

stop_nodes() {
  for pid in "${NODE_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${NODE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  NODE_PIDS=()
  NODE_PORTS=()
  if [[ -n $REDIS_PID ]]; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
    rm -rf "$REDIS_DIR"
  fi
}
trap 'stop_server; stop_nodes' EXIT

driver() { # driver arguments...
  # shellcheck disable=SC2086
  taskset -c 1 java $DRIVER_JAVA_OPTS -cp "$BENCH_JAR" dev.zocket.bench.load.LoadDriver \
    --host 127.0.0.1 --port "$PORT" --clock-ticks "$CLK_TCK" "$@"
}

scenario_args() { # $1 = scenario name
  case "$1" in
    fanout100) echo "--scenario fanout --clients 100 --senders 1 --window 64" ;;
    fanout500) echo "--scenario fanout --clients 500 --senders 5 --window 32" ;;
    rooms) echo "--scenario rooms --rooms 1000 --room-size 10 --window 2" ;;
    calls) echo "--scenario calls --clients 50 --in-flight 16" ;;
    stream) echo "--scenario stream --clients 10 --window 512" ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
  esac
}

histogram_bytes() { # live heap after a full GC (GC.class_histogram collects first), in bytes
  jcmd "$1" GC.class_histogram | awk '/^Total/{print $3}'
}
rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }

RESULTS=$(mktemp /tmp/zocket-bench-results.XXXXXX)
emit() { # $1 = server, $2 = scenario, $3 = JSON line
  local line="{\"server\":\"${1%%=*}\",\"case\":\"$2\",\"result\":$3}"
  echo "$line" >>"$RESULTS"
  [[ -n $out_file ]] && echo "$line" >>"$out_file"
  echo "$line"
}

idle_run() { # $1 = server; one measurement
  local dir; dir=$(mktemp -d /tmp/zocket-bench-idle.XXXXXX)
  start_server "$1"
  # A small connect/disconnect round first, so classes and pools are loaded before the empty figure.
  driver --scenario idle --clients 20 --room-size 10 --hold 0 >/dev/null
  sleep 0.5
  local empty_heap empty_rss
  empty_heap=$(histogram_bytes "$SERVER_PID"); empty_rss=$(rss_kb "$SERVER_PID")
  driver --scenario idle --clients "$idle_clients" --room-size 10 --hold 120 \
    --ready-file "$dir/ready" --stop-file "$dir/stop" >"$dir/json" &
  local dpid=$!
  for _ in $(seq 1 1200); do [[ -f $dir/ready ]] && break; kill -0 $dpid 2>/dev/null || break; sleep 0.1; done
  local heap rss
  heap=$(histogram_bytes "$SERVER_PID"); rss=$(rss_kb "$SERVER_PID")
  touch "$dir/stop"
  wait $dpid || true
  local json; json=$(cat "$dir/json")
  stop_server
  rm -rf "$dir"
  emit "$1" idle "$(python3 -c '
import json,sys
d=json.loads(sys.argv[1]); n=d.get("connections",0) or 1
eh,h,er,r=map(int,sys.argv[2:6])
d["emptyHeapBytes"]=eh; d["heapBytes"]=h; d["heapPerConnection"]=round((h-eh)/n)
d["emptyRssKb"]=er; d["rssKb"]=r; d["rssPerConnection"]=round((r-er)*1024/n)
print(json.dumps(d,separators=(",",":")))' "$json" "$empty_heap" "$heap" "$empty_rss" "$rss")"
}

# Servers alternate run by run, so a slow spell of the machine hits both alike.
for sc in "${scenarios[@]}"; do
  for run in $(seq 1 "$runs"); do
    for server in $servers; do
      if [[ $sc == idle ]]; then
        idle_run "$server"
        continue
      fi
      [[ $sc == stream && $server == baseline ]] && continue # the raw baseline has no streams
      if [[ $sc =~ ^(.+)x([0-9]+)$ ]]; then # across nodes, through Redis
        [[ $server == baseline || $server == chat ]] && continue
        base=${BASH_REMATCH[1]}
        start_nodes "$server" "${BASH_REMATCH[2]}"
        ports=$(IFS=,; echo "${NODE_PORTS[*]}")
        pids=$(IFS=,; echo "${NODE_PIDS[*]}")
        # shellcheck disable=SC2046
        json=$(taskset -c 1 java $DRIVER_JAVA_OPTS -cp "$BENCH_JAR" dev.zocket.bench.load.LoadDriver \
          --host 127.0.0.1 --clock-ticks "$CLK_TCK" $(scenario_args "$base") --warmup "$warmup" \
          --duration "$duration" --ports "$ports" --server-pid "$pids" --redis-pid "$REDIS_PID" \
          --redis-port "$REDIS_PORT")
        stop_nodes
        emit "$server" "$sc" "$json"
        continue
      fi
      start_server "$server"
      # shellcheck disable=SC2046
      json=$(driver $(scenario_args "$sc") --warmup "$warmup" --duration "$duration" \
        --server-pid "$SERVER_PID")
      stop_server
      emit "$server" "$sc" "$json"
    done
  done
done

python3 "$ROOT/benchmarks/summarize.py" "$RESULTS"
rm -f "$RESULTS"

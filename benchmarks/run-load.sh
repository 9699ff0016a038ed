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
#              more (not in the default): fanout500-recovery calls-recovery (each Zocket server
#                                   twice per run, recovery off and on ("zocket+recovery": in-memory
#                                   store, 2 min, 10,000 events), clients asking for recovery; no
#                                   baseline), fanout100-tls fanout500-tls (every server with TLS, a
#                                   self-signed certificate made per sitting by openssl, clients on
#                                   wss:// trusting it), idle20k (idle with 20,000 connections,
#                                   needs ulimit -n above 20,000 for the server and the driver)
#              NAMExN (e.g. fanout500x3, roomsx3): scenario NAME across N nodes of ZocketChatServer
#                                   sharing one redis-server through RedisBackplane (Zocket servers
#                                   only); the driver spreads every room's members evenly over the
#                                   nodes; the nodes and Redis are all pinned to CPU 0 (their CPU
#                                   summed, Redis's apart); x1 = one node with the backplane
#   --server "S ..."                servers to measure, alternating run by run: baseline (the raw
#                                   Netty server), zocket (the chat protocol on ZocketServer, as the
#                                   chat example but without its rate limit), chat (examples/chat's
#                                   jar), bun (the same protocol written by hand on Bun's WebSocket
#                                   server, uWebSockets underneath: benchmarks/bun/raw-chat-server.js;
#                                   Bun 1.4.4 is installed from npm into benchmarks/bun on first use;
#                                   not with --tls or recovery scenarios), both (= "baseline
#                                   zocket"), or NAME=PATH for another build of the chat jar, or of
#                                   benchmarks.jar (its ZocketChatServer) (default: both)
#   --runs N                        runs per scenario and server (default 3); the median is reported
#   --duration S                    measured window in seconds (default 5)
#   --warmup S                      warm-up before the window in seconds (default 30, 60 for the -tls
#                                   scenarios: after 3 s the JIT has not finished, and the user time
#                                   per delivery of the fan-out to 500 was twice that after 30 s;
#                                   over TLS both servers' JIT threads still took 21 to 58 ns per
#                                   delivery of a fan-out to 100 after 30 s, none after 60 s)
#   --rate M                        pace the senders of the fanout and rooms scenarios (also NAMExN):
#                                   M messages per second per room, spread evenly in time, instead of
#                                   as fast as their window allows; the case is named NAME@M
#   --idle-clients N                connections of the idle scenario (default 5000)
#   --no-build                      use the jars of a previous build
#   --out FILE                      also append every JSON line to FILE
#   --histograms DIR                idle: keep the two class histograms of each run in DIR
#                                   (SERVER-RUN-empty.txt, SERVER-RUN-loaded.txt), for
#                                   benchmarks/histogram-diff.py
#   --syscalls                      count the server's system calls during each measured window
#                                   (perf stat's syscall tracepoints when they work, else strace -c,
#                                   which slows the server: its CPU figures are then not comparable)
#                                   and report them per 1,000 deliveries
#   --syscall-tool perf|strace      the counter of --syscalls (default: perf if it can count here)
#   --tls-provider jdk|openssl      the TLS of the servers and the driver in the *-tls scenarios: the
#                                   JDK's (default, as every sitting before #31's OpenSSL rows) or
#                                   OpenSSL (BoringSSL through netty-tcnative, which benchmarks.jar
#                                   carries; Netty's default when it is on the class path); the
#                                   driver's JSON says which ran ("tls")
# Environment: SERVER_JAVA (the java command of the servers, default java; e.g.
#   /usr/lib/jvm/temurin-25-jdk-amd64/bin/java to compare JDKs), SERVER_JAVA_OPTS, DRIVER_JAVA_OPTS
#   (JVM flags, the same for both servers), ZOCKET_ARGS (more options of the Zocket bench server,
#   e.g. "--transport io_uring"), ZOCKET_OUT (build output folder name, default target-bench).
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
warmup="" # per scenario unless given: see warmup_for
rate=""
idle_clients=5000
histograms=""
build=1
out_file=""
syscalls=0
syscall_tool=""
tls_provider=jdk
scenarios=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --server) servers=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --idle-clients) idle_clients=$2; shift 2 ;;
    --histograms) histograms=$2; mkdir -p "$histograms"; shift 2 ;;
    --no-build) build=0; shift ;;
    --out) out_file=$2; shift 2 ;;
    --syscalls) syscalls=1; shift ;;
    --syscall-tool) syscall_tool=$2; syscalls=1; shift 2 ;;
    --tls-provider) tls_provider=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^#/p}' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) scenarios+=("$1"); shift ;;
  esac
done
[[ ${#scenarios[@]} -eq 0 ]] && scenarios=(fanout100 fanout500 rooms calls stream idle)
case $tls_provider in
  jdk) # Netty takes OpenSSL whenever netty-tcnative is on the class path, unless told not to.
    SERVER_JAVA_OPTS="$SERVER_JAVA_OPTS -Dio.netty.handler.ssl.noOpenSsl=true"
    DRIVER_JAVA_OPTS="$DRIVER_JAVA_OPTS -Dio.netty.handler.ssl.noOpenSsl=true" ;;
  openssl) ;;
  *) echo "--tls-provider: jdk or openssl, not $tls_provider" >&2; exit 2 ;;
esac

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
SERVER_ARGS="" # per scenario: --recovery, --tls-cert/--tls-key
start_server() { # $1 = baseline|zocket|bun|chat|NAME=PATH; sets SERVER_PID and PORT
  PORT=$(free_port)
  local log="/tmp/zocket-bench-server-${1%%=*}.log"
  if [[ $1 == baseline ]]; then
    # shellcheck disable=SC2086
    taskset -c 0 "$SERVER_JAVA" $SERVER_JAVA_OPTS -cp "$BENCH_JAR" dev.zocket.bench.baseline.RawChatServer \
      --port "$PORT" --host 127.0.0.1 $SERVER_ARGS >"$log" 2>&1 &
  elif [[ $1 == bun ]]; then
    [[ -z $SERVER_ARGS ]] || { echo "server bun: no TLS or recovery (args: $SERVER_ARGS)" >&2; exit 1; }
    local bun="$ROOT/benchmarks/bun/node_modules/.bin/bun"
    if [[ ! -x $bun ]]; then
      echo "installing Bun from npm into benchmarks/bun" >&2
      (cd "$ROOT/benchmarks/bun" && npm ci --no-audit --no-fund >&2)
    fi
    taskset -c 0 "$bun" "$ROOT/benchmarks/bun/raw-chat-server.js" --port "$PORT" --host 127.0.0.1 >"$log" 2>&1 &
  elif [[ $1 == zocket ]]; then
    # shellcheck disable=SC2086
    taskset -c 0 "$SERVER_JAVA" $SERVER_JAVA_OPTS -cp "$BENCH_JAR" dev.zocket.bench.zocket.ZocketChatServer \
      --port "$PORT" --host 127.0.0.1 $SERVER_ARGS ${ZOCKET_ARGS:-} >"$log" 2>&1 &
  else
    local jar=$CHAT_JAR
    [[ $1 == *=* ]] && jar=${1#*=}
    if [[ $(basename "$jar") == benchmarks*.jar ]]; then # another build's ZocketChatServer
      # shellcheck disable=SC2086
      taskset -c 0 "$SERVER_JAVA" $SERVER_JAVA_OPTS -cp "$jar" dev.zocket.bench.zocket.ZocketChatServer \
        --port "$PORT" --host 127.0.0.1 $SERVER_ARGS >"$log" 2>&1 &
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
  local pace=""
  [[ -n $rate && $1 =~ ^(fanout|rooms) ]] && pace="--rate $rate"
  echo "$(scenario_shape "$1") $pace"
}

warmup_for() { # $1 = scenario name: --warmup if given, else 60 s over TLS and 30 s otherwise
  if [[ -n $warmup ]]; then
    echo "$warmup"
  elif [[ $1 == *-tls ]]; then
    echo 60
  else
    echo 30
  fi
}

scenario_shape() { # $1 = scenario name
  case "$1" in
    fanout100) echo "--scenario fanout --clients 100 --senders 1 --window 64" ;;
    fanout500) echo "--scenario fanout --clients 500 --senders 5 --window 32" ;;
    rooms) echo "--scenario rooms --rooms 1000 --room-size 10 --window 2" ;;
    calls) echo "--scenario calls --clients 50 --in-flight 16" ;;
    stream) echo "--scenario stream --clients 10 --window 512" ;;
    fanout500-recovery) echo "--scenario fanout --clients 500 --senders 5 --window 32 --recovery-clients true" ;;
    calls-recovery) echo "--scenario calls --clients 50 --in-flight 16 --recovery-clients true" ;;
    fanout100-tls) echo "--scenario fanout --clients 100 --senders 1 --window 64 --tls-trust $TLS_DIR/server.crt --connect-concurrency 32" ;;
    fanout500-tls) echo "--scenario fanout --clients 500 --senders 5 --window 32 --tls-trust $TLS_DIR/server.crt --connect-concurrency 32" ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
  esac
}

histogram_bytes() { # $1 = pid, $2 = server, $3 = which (empty|loaded): live heap after a full GC (GC.class_histogram collects first), in bytes; -1 for Bun (no Java heap: its RSS only)
  if [[ $2 == bun ]]; then echo -1; return; fi
  local h; h=$(jcmd "$1" GC.class_histogram)
  if [[ -n $histograms ]]; then
    local n=1; while [[ -e "$histograms/${2%%=*}-$n-$3.txt" ]]; do n=$((n + 1)); done
    echo "$h" >"$histograms/${2%%=*}-$n-$3.txt"
  fi
  awk '/^Total/{print $3}' <<<"$h"
}
rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }

RESULTS=$(mktemp /tmp/zocket-bench-results.XXXXXX)
emit() { # $1 = server, $2 = scenario, $3 = JSON line
  local name=$2
  [[ -n $rate && $2 =~ ^(fanout|rooms) ]] && name="$2@$rate"
  local line="{\"server\":\"${1%%=*}\",\"case\":\"$name\",\"result\":$3}"
  echo "$line" >>"$RESULTS"
  [[ -n $out_file ]] && echo "$line" >>"$out_file"
  echo "$line"
}

idle_run() { # $1 = server, $2 = connections (default --idle-clients), $3 = case name; one measurement
  local n=${2:-$idle_clients} case=${3:-idle}
  local dir; dir=$(mktemp -d /tmp/zocket-bench-idle.XXXXXX)
  start_server "$1"
  # A small connect/disconnect round first, so classes and pools are loaded before the empty figure.
  driver --scenario idle --clients 20 --room-size 10 --hold 0 >/dev/null
  sleep 0.5
  local empty_heap empty_rss
  empty_heap=$(histogram_bytes "$SERVER_PID" "$1" empty); empty_rss=$(rss_kb "$SERVER_PID")
  # Up to 20 minutes to connect and join: 20,000 connections in an emulated VM (run-in-vm.sh) take
  # several; the driver holds them until the stop file.
  driver --scenario idle --clients "$n" --room-size 10 --hold 1200 --source-addresses "$(source_addresses "$n")" \
    --ready-file "$dir/ready" --stop-file "$dir/stop" >"$dir/json" &
  local dpid=$!
  for _ in $(seq 1 12000); do [[ -f $dir/ready ]] && break; kill -0 $dpid 2>/dev/null || break; sleep 0.1; done
  # Idle, not just connected: Zocket's I/O threads give back the write lists the connect burst left
  # them within 2 s of their last write (Flusher's idle trim).
  sleep 3
  local heap rss
  heap=$(histogram_bytes "$SERVER_PID" "$1" loaded); rss=$(rss_kb "$SERVER_PID")
  touch "$dir/stop"
  wait $dpid || true
  local json; json=$(cat "$dir/json")
  stop_server
  rm -rf "$dir"
  emit "$1" "$case" "$(python3 -c '
import json,sys
d=json.loads(sys.argv[1]); n=d.get("connections",0) or 1
eh,h,er,r=map(int,sys.argv[2:6])
d["emptyHeapBytes"]=eh if eh>=0 else None; d["heapBytes"]=h if h>=0 else None
d["heapPerConnection"]=round((h-eh)/n) if h>=0 else None
d["emptyRssKb"]=er; d["rssKb"]=r; d["rssPerConnection"]=round((r-er)*1024/n)
print(json.dumps(d,separators=(",",":")))' "$json" "$empty_heap" "$heap" "$empty_rss" "$rss")"
}

source_addresses() { # $1 = connections: how many 127.0.0.x source addresses they need
  local lo hi
  read -r lo hi </proc/sys/net/ipv4/ip_local_port_range
  # At most three quarters of an address's ephemeral ports, leaving room for the machine's others.
  local per=$(( (hi - lo + 1) * 3 / 4 ))
  echo $(( ($1 + per - 1) / per ))
}

# Every connection is a file descriptor of the server and of the driver: take what the hard limit
# allows (idle20k needs more than 20,000).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

scenario_servers() { # $1 = scenario: the servers it measures, in their order within a run
  local s
  for s in $servers; do
    case "$1" in
      *-recovery|*-tls)
        # Only servers that take the options: the baseline (TLS only), zocket, another benchmarks.jar.
        if [[ $s == *=* && $(basename "${s#*=}") != benchmarks*.jar || $s == chat ]]; then
          echo "scenario $1: skipping $s (no --recovery / --tls-cert option)" >&2
        elif [[ $1 == *-recovery ]]; then
          [[ $s == baseline ]] || echo "$s $s+recovery" # recovery off and on, alternating
        else
          echo "$s"
        fi
        ;;
      *) echo "$s" ;;
    esac
  done
}

scenario_server_args() { # $1 = scenario, $2 = server as scenario_servers lists it
  local a=""
  [[ $2 == *+recovery ]] && a="--recovery"
  [[ $1 == *-tls ]] && a="$a --tls-cert $TLS_DIR/server.crt --tls-key $TLS_DIR/server.key"
  echo "$a"
}

# The *-tls scenarios: one self-signed certificate (EC P-256) for 127.0.0.1 per sitting, for both
# servers (the provider of --tls-provider), trusted by the driver.
TLS_DIR="$ROOT/benchmarks/$OUT_DIR/tls"
if [[ " ${scenarios[*]} " == *-tls\ * ]]; then
  mkdir -p "$TLS_DIR"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.crt" 2>/dev/null
fi

# --syscalls: perf stat's tracepoints count in the kernel (little cost to the server); strace -c
# stops the server at every system call (its CPU figures are then much worse: only the counts hold).
PERF_EVENTS="raw_syscalls:sys_enter"
for call in writev write sendto sendmsg epoll_wait epoll_pwait epoll_pwait2 read readv recvfrom futex; do
  PERF_EVENTS="$PERF_EVENTS,syscalls:sys_enter_$call"
done
if [[ $syscalls == 1 && -z $syscall_tool ]]; then
  syscall_tool=strace
  perf stat -e syscalls:sys_enter_writev -- true >/dev/null 2>&1 && syscall_tool=perf
fi

count_syscalls() { # $1 = hooks folder, $2 = server pid, $3 = output file; the driver's window
  local dir=$1 tool_pid="" ctl ack _r
  for _ in $(seq 1 6000); do [[ -f $dir/start || -f $dir/end ]] && break; sleep 0.05; done
  [[ -f $dir/start ]] || return 0
  if [[ $syscall_tool == perf ]]; then
    # Attached with its counters off, turned on and off through a control FIFO (each command
    # acknowledged): the counting covers the driver's window, give or take a few milliseconds.
    mkfifo "$dir/ctl" "$dir/ack"
    perf stat -x, -o "$3" -e "$PERF_EVENTS" -p "$2" -D -1 --control "fifo:$dir/ctl,$dir/ack" \
      >/dev/null 2>"$3.err" &
    tool_pid=$!
    exec {ctl}<>"$dir/ctl" {ack}<>"$dir/ack"
    echo enable >&"$ctl"
    read -r -t 20 _r <&"$ack" || true
  else
    # strace has no such switch: go once every thread is attached (its pre-window share is then
    # the few milliseconds of the driver's polling).
    local threads; threads=$(ls "/proc/$2/task" | wc -l)
    strace -c -f -p "$2" -o "$3" 2>"$3.err" &
    tool_pid=$!
    for _ in $(seq 1 400); do
      # "Process N attached with T threads", or one "attached" line per thread
      grep -q "attached with" "$3.err" 2>/dev/null && break
      (( $(grep -c attached "$3.err" 2>/dev/null || true) >= threads )) && break
      sleep 0.05
    done
  fi
  touch "$dir/go"
  for _ in $(seq 1 12000); do [[ -f $dir/end ]] && break; sleep 0.01; done
  if [[ $syscall_tool == perf ]]; then
    echo disable >&"$ctl"
    read -r -t 20 _r <&"$ack" || true
    exec {ctl}>&- {ack}>&-
  fi
  kill -INT "$tool_pid" 2>/dev/null || true
  wait "$tool_pid" 2>/dev/null || true
}

with_syscalls() { # $1 = the driver's JSON, $2 = the counter's output file: adds the counts
  python3 - "$1" "$2" "$syscall_tool" <<'PY'
import json, re, sys
d = json.loads(sys.argv[1]); path, tool = sys.argv[2], sys.argv[3]
counts = {}
try:
    lines = open(path).read().splitlines()
except OSError:
    lines = []
for line in lines:
    if tool == "perf":
        f = line.split(",")
        if len(f) > 2 and f[0].strip().isdigit():
            name = f[2].split(":")[-1].replace("sys_enter_", "")
            counts["total" if name == "sys_enter" else name] = int(f[0])
    else:
        f = line.split()
        if len(f) >= 5 and re.match(r"^[0-9.]+$", f[0]) and f[3].isdigit():
            counts[f[-1]] = int(f[3])
n = d.get("windowDelivered") or 0
if counts and n:
    epoll = sum(counts.get(k, 0) for k in ("epoll_wait", "epoll_pwait", "epoll_pwait2"))
    keys = ["writev", "write", "sendto", "sendmsg", "read", "readv", "recvfrom", "futex", "total"]
    per = {k: round(counts.get(k, 0) * 1000 / n, 2) for k in keys}
    per["epoll_wait"] = round(epoll * 1000 / n, 2)
    d["syscallTool"] = tool
    d["syscallsPer1000Deliveries"] = per
    d["syscallCounts"] = counts
elif not counts:
    d["syscallError"] = "no counts from " + tool
print(json.dumps(d, separators=(",", ":")))
PY
}

# Servers alternate run by run, so a slow spell of the machine hits both alike.
for sc in "${scenarios[@]}"; do
  for run in $(seq 1 "$runs"); do
    for server in $(scenario_servers "$sc"); do
      SERVER_ARGS=""
      if [[ $sc == idle ]]; then
        idle_run "$server"
        continue
      fi
      if [[ $sc == idle20k ]]; then
        if (( $(ulimit -n) < 20000 + 500 )); then
          emit "$server" "$sc" "{\"error\":\"ulimit -n is $(ulimit -n): 20,000 connections need more than 20,500\"}"
          continue
        fi
        idle_run "$server" 20000 idle20k
        continue
      fi
      SERVER_ARGS=$(scenario_server_args "$sc" "$server")
      label=$server # zocket+recovery: zocket started with --recovery
      if [[ $server == *+recovery ]]; then
        server=${server%+recovery}
        label="${server%%=*}+recovery"
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
          --host 127.0.0.1 --clock-ticks "$CLK_TCK" $(scenario_args "$base") --warmup "$(warmup_for "$base")" \
          --duration "$duration" --ports "$ports" --server-pid "$pids" --redis-pid "$REDIS_PID" \
          --redis-port "$REDIS_PORT")
        stop_nodes
        emit "$server" "$sc" "$json"
        continue
      fi
      start_server "$server"
      hooks=()
      if [[ $syscalls == 1 ]]; then
        hooks_dir=$(mktemp -d /tmp/zocket-bench-syscalls.XXXXXX)
        count_syscalls "$hooks_dir" "$SERVER_PID" "$hooks_dir/counts" &
        counter=$!
        hooks=(--window-hooks "$hooks_dir")
      fi
      # shellcheck disable=SC2046
      json=$(driver $(scenario_args "$sc") --warmup "$(warmup_for "$sc")" --duration "$duration" \
        --server-pid "$SERVER_PID" "${hooks[@]}") || true # a failed run's JSON has its error
      if [[ $syscalls == 1 ]]; then
        touch "$hooks_dir/end" # in case the driver failed before its window
        wait "$counter" || true
        json=$(with_syscalls "$json" "$hooks_dir/counts")
        rm -rf "$hooks_dir"
      fi
      stop_server
      if [[ $server == bun ]]; then
        # /proc/<pid>/io's syscw does not count the sends uWebSockets makes: no write-call figures.
        json=$(python3 -c '
import json,sys
d=json.loads(sys.argv[1])
for k in ("serverWriteCalls","deliveriesPerWriteCall","bytesPerWriteCall"):
    d[k]=None
print(json.dumps(d,separators=(",",":")))' "$json")
      fi
      emit "$label" "$sc" "$json"
    done
  done
done

python3 "$ROOT/benchmarks/summarize.py" "$RESULTS"
rm -f "$RESULTS"

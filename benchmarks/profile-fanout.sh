#!/usr/bin/env bash
# A JFR profile of the Zocket benchmark server under fan-out to 500 members (5 senders): the server
# on CPU 0, the load driver on CPU 1, a 12 s recording 10 s after the server starts, then the
# running methods summed by benchmarks/jfr_top.py. Run benchmarks/run-load.sh once before (it
# builds benchmarks/target-bench/benchmarks.jar). Only 127.0.0.1 is used.
#
# With --recovery, the server keeps and numbers every event (the in-memory store, as run-load.sh's
# fanout500-recovery) and the clients ask for recovery.
#
# Usage: benchmarks/profile-fanout.sh [--recovery] [OUT.jfr]     (default /tmp/zocket-fanout500.jfr)
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER_RECOVERY=()
CLIENT_RECOVERY=()
if [[ ${1:-} == --recovery ]]; then
  SERVER_RECOVERY=(--recovery)
  CLIENT_RECOVERY=(--recovery-clients true)
  shift
fi
JAR=benchmarks/${ZOCKET_OUT:-target-bench}/benchmarks.jar
JFR=${1:-/tmp/zocket-fanout500.jfr}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
taskset -c 0 java -Xms1g -Xmx1g -XX:+UseSerialGC -Dio.netty.leakDetection.level=disabled \
  -Dlogback.configurationFile=benchmarks/logback-bench.xml \
  -XX:StartFlightRecording=filename="$JFR",settings=profile,delay=10s,duration=12s \
  -cp "$JAR" dev.zocket.bench.zocket.ZocketChatServer --port "$PORT" --host 127.0.0.1 \
  "${SERVER_RECOVERY[@]}" >/tmp/zocket-profile-server.log 2>&1 &
SP=$!
trap 'kill $SP 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
taskset -c 1 java -Xms1g -Xmx1g -XX:+UseSerialGC -Dio.netty.leakDetection.level=disabled \
  -cp "$JAR" dev.zocket.bench.load.LoadDriver --host 127.0.0.1 --port "$PORT" \
  --clock-ticks "$(getconf CLK_TCK)" --scenario fanout --clients 500 --senders 5 --window 32 \
  --warmup 8 --duration 16 --deadline 120 --server-pid "$SP" "${CLIENT_RECOVERY[@]}"
sleep 2
kill "$SP"
wait "$SP" || true
jfr print --json --events jdk.ExecutionSample "$JFR" >"$JFR.json"
python3 benchmarks/jfr_top.py "$JFR.json"

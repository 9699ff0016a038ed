#!/usr/bin/env bash
# A JFR profile of a benchmark server under load: by default the Zocket server under fan-out to 500
# members (5 senders). The server on CPU 0, the load driver on CPU 1, a 12 s recording 30 s after
# the server starts (past the JIT's warm-up, as run-load.sh's measured window), then the running
# methods summed by benchmarks/jfr_top.py. Run benchmarks/run-load.sh once before (it builds
# benchmarks/target-bench/benchmarks.jar). Only 127.0.0.1 is used.
#
#   --recovery   the server keeps and numbers every event (the in-memory store, as run-load.sh's
#                fanout500-recovery) and the clients ask for recovery
#   --calls      run-load.sh's calls scenario instead (50 clients, 16 calls in flight each)
#   --baseline   profile the raw Netty baseline (RawChatServer) instead of Zocket
#   --tls        wss:// with the certificate run-load.sh made for its -tls scenarios
#
# Usage: benchmarks/profile-fanout.sh [--recovery] [--calls] [--baseline] [--tls] [OUT.jfr]
#        (default /tmp/zocket-profile.jfr)
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER_ARGS=()
CLIENT_ARGS=()
SHAPE=(--scenario fanout --clients 500 --senders 5 --window 32)
SERVER_CLASS=dev.zocket.bench.zocket.ZocketChatServer
while [[ $# -gt 0 && $1 == --* ]]; do
  case "$1" in
    --recovery) SERVER_ARGS+=(--recovery); CLIENT_ARGS+=(--recovery-clients true) ;;
    --calls) SHAPE=(--scenario calls --clients 50 --in-flight 16) ;;
    --baseline) SERVER_CLASS=dev.zocket.bench.baseline.RawChatServer ;;
    --tls)
      TLS_DIR=benchmarks/${ZOCKET_OUT:-target-bench}/tls
      [[ -f $TLS_DIR/server.crt ]] || { echo "no $TLS_DIR/server.crt: run run-load.sh fanout500-tls once" >&2; exit 2; }
      SERVER_ARGS+=(--tls-cert "$TLS_DIR/server.crt" --tls-key "$TLS_DIR/server.key")
      CLIENT_ARGS+=(--tls-trust "$TLS_DIR/server.crt" --connect-concurrency 32)
      ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
JAR=benchmarks/${ZOCKET_OUT:-target-bench}/benchmarks.jar
JFR=${1:-/tmp/zocket-profile.jfr}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
taskset -c 0 java -Xms1g -Xmx1g -XX:+UseSerialGC -Dio.netty.leakDetection.level=disabled \
  -Dlogback.configurationFile=benchmarks/logback-bench.xml \
  -XX:StartFlightRecording=filename="$JFR",settings=profile,delay=30s,duration=12s \
  -cp "$JAR" "$SERVER_CLASS" --port "$PORT" --host 127.0.0.1 \
  "${SERVER_ARGS[@]}" >/tmp/zocket-profile-server.log 2>&1 &
SP=$!
trap 'kill $SP 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
taskset -c 1 java -Xms1g -Xmx1g -XX:+UseSerialGC -Dio.netty.leakDetection.level=disabled \
  -cp "$JAR" dev.zocket.bench.load.LoadDriver --host 127.0.0.1 --port "$PORT" \
  --clock-ticks "$(getconf CLK_TCK)" "${SHAPE[@]}" \
  --warmup 28 --duration 16 --deadline 120 --server-pid "$SP" "${CLIENT_ARGS[@]}"
sleep 2
kill "$SP"
wait "$SP" || true
jfr print --json --events jdk.ExecutionSample "$JFR" >"$JFR.json"
python3 benchmarks/jfr_top.py "$JFR.json"

#!/usr/bin/env bash
# A JFR profile of a benchmark server under load: by default the Zocket server under fan-out to 500
# members (5 senders). The server on CPU 0, the load driver on CPU 1, a 12 s recording 30 s after
# the server starts (60 s with --tls; past the JIT's warm-up, as run-load.sh's measured window),
# then the running methods summed by benchmarks/jfr_top.py. Run benchmarks/run-load.sh once before (it builds
# benchmarks/target-bench/benchmarks.jar). Only 127.0.0.1 is used.
#
#   --recovery   the server keeps and numbers every event (the in-memory store, as run-load.sh's
#                fanout500-recovery) and the clients ask for recovery
#   --calls      run-load.sh's calls scenario instead (50 clients, 16 calls in flight each)
#   --baseline   profile the raw Netty baseline (RawChatServer) instead of Zocket
#   --tls        wss:// with the certificate run-load.sh made for its -tls scenarios
#   --tls-provider jdk|openssl
#                with --tls, the TLS of the server and the driver: the JDK's (default, as
#                run-load.sh's) or OpenSSL (netty-tcnative, which benchmarks.jar carries)
#   --warmup S   start the recording S seconds after the server (default 30, 60 with --tls, as
#                run-load.sh's warm-up); at least 5
#   --perf       sample with perf (12 s at 999 Hz, every thread of the server, kernel and JIT stubs
#                included, which JFR leaves out) instead of JFR; the server runs with frame
#                pointers and writes its JIT symbols (jcmd Compiler.perfmap) for perf report; OUT
#                is then perf's data file (default /tmp/zocket-profile.perf.data)
#
# Usage: benchmarks/profile-fanout.sh [--recovery] [--calls] [--baseline] [--tls]
#        [--tls-provider jdk|openssl] [--warmup S] [--perf] [OUT]
#        (default /tmp/zocket-profile.jfr)
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER_ARGS=()
CLIENT_ARGS=()
SHAPE=(--scenario fanout --clients 500 --senders 5 --window 32)
SERVER_CLASS=dev.zocket.bench.zocket.ZocketChatServer
PERF=0
TLS_PROVIDER=jdk
WARMUP=
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
    --tls-provider)
      TLS_PROVIDER=$2; shift
      [[ $TLS_PROVIDER == jdk || $TLS_PROVIDER == openssl ]] || { echo "--tls-provider: jdk or openssl" >&2; exit 2; }
      ;;
    --warmup)
      WARMUP=$2; shift
      [[ $WARMUP =~ ^[0-9]+$ && $WARMUP -ge 5 ]] || { echo "--warmup: whole seconds, at least 5" >&2; exit 2; }
      ;;
    --perf) PERF=1 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
JAR=benchmarks/${ZOCKET_OUT:-target-bench}/benchmarks.jar
if [[ -z $WARMUP ]]; then
  WARMUP=30
  [[ -n ${TLS_DIR:-} ]] && WARMUP=60
fi
# Netty takes OpenSSL when netty-tcnative is on the class path, as it is in benchmarks.jar.
TLS_OPTS=()
[[ $TLS_PROVIDER == jdk ]] && TLS_OPTS=(-Dio.netty.handler.ssl.noOpenSsl=true)
if [[ $PERF == 1 ]]; then
  OUT=${1:-/tmp/zocket-profile.perf.data}
  PROFILER=(-XX:+PreserveFramePointer)
else
  OUT=${1:-/tmp/zocket-profile.jfr}
  PROFILER=(-XX:StartFlightRecording=filename="$OUT",settings=profile,delay=${WARMUP}s,duration=12s)
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
taskset -c 0 java -Xms1g -Xmx1g -XX:+UseSerialGC -Dio.netty.leakDetection.level=disabled \
  -Dlogback.configurationFile=benchmarks/logback-bench.xml \
  -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints "${PROFILER[@]}" "${TLS_OPTS[@]}" \
  -cp "$JAR" "$SERVER_CLASS" --port "$PORT" --host 127.0.0.1 \
  "${SERVER_ARGS[@]}" >/tmp/zocket-profile-server.log 2>&1 &
SP=$!
trap 'kill $SP 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
if [[ $PERF == 1 ]]; then
  # As the JFR recording: 12 s from WARMUP s after the server started; the JIT symbols written after.
  (sleep $((WARMUP - 1)) && perf record -q -F 999 -g -p "$SP" -o "$OUT" -- sleep 12 && jcmd "$SP" Compiler.perfmap >/dev/null) &
  PERF_PID=$!
fi
taskset -c 1 java -Xms1g -Xmx1g -XX:+UseSerialGC -Dio.netty.leakDetection.level=disabled "${TLS_OPTS[@]}" \
  -cp "$JAR" dev.zocket.bench.load.LoadDriver --host 127.0.0.1 --port "$PORT" \
  --clock-ticks "$(getconf CLK_TCK)" "${SHAPE[@]}" \
  --warmup $((WARMUP - 2)) --duration 16 --deadline $((WARMUP + 90)) --server-pid "$SP" "${CLIENT_ARGS[@]}"
if [[ $PERF == 1 ]]; then
  wait "$PERF_PID"
  kill "$SP"
  wait "$SP" || true
  perf report -i "$OUT" --no-children --sort dso,sym --percent-limit 0.7 --stdio 2>/dev/null | grep -v '^$' | head -70
  exit 0
fi
sleep 2
kill "$SP"
wait "$SP" || true
# --stack-depth: jfr print keeps 5 frames of each stack by default
jfr print --stack-depth 64 --json --events jdk.ExecutionSample "$OUT" >"$OUT.json"
python3 benchmarks/jfr_top.py "$OUT.json"

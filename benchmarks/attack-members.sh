#!/usr/bin/env bash
# Acceptance of #24 item 2: the rooms.members amplification at full scale against the packaged
# chat jar (examples/chat) with -Xmx512m on 127.0.0.1. 300 members with names of 8,000 characters
# (the chat accepts any name; 8,000 fits the 8 KiB request line) join one room, each sends 5
# rooms.members calls (each answer lists every name, about 2.4 MB) and stops reading with a 16 KiB
# receive buffer, while two witnesses chat every 200 ms and a fresh client tries to chat every 2 s.
# Then: how the attackers were closed, the witnesses' lost messages, the time until a fresh client
# chats after the attackers have left (at most 10 s to pass), and the time SIGTERM takes to end
# the process (at most the shutdown timeout, 10 s by default, to pass). Not a unit test.
#
# Usage: benchmarks/attack-members.sh [--no-build] [--members N] [--name-length N] [--calls N]
#                                     [--hold S]
# Environment: SERVER_JAVA (default java), ZOCKET_OUT (build output folder, default target-bench).
# Only 127.0.0.1 is ever used; every wait is bounded.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT_DIR=${ZOCKET_OUT:-target-bench}
BENCH_JAR="$ROOT/benchmarks/$OUT_DIR/benchmarks.jar"
CHAT_JAR="$ROOT/examples/chat/$OUT_DIR/zocket-chat.jar"
SERVER_JAVA=${SERVER_JAVA:-java}
SHUTDOWN_TIMEOUT_S=10 # ZocketServer's default shutdown timeout, which the chat keeps
RECOVER_LIMIT_MS=10000

build=1
driver_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --members|--name-length|--calls|--hold) driver_args+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n 2,14p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

if [[ $build == 1 ]]; then
  mvn -B -q -o -DskipTests -Dzocket.out="$OUT_DIR" -pl benchmarks,examples/chat -am package
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
LOG=$(mktemp /tmp/zocket-attack-members.XXXXXX.log)
# Every attacker comes from 127.0.0.1: the chat's per-address limit (32) would refuse all but a few
# of them, so it is lifted here, to attack the memory budgets themselves.
"$SERVER_JAVA" -Xmx512m -jar "$CHAT_JAR" --host 127.0.0.1 --port "$PORT" \
  --max-connections-per-address 0 >"$LOG" 2>&1 &
SERVER_PID=$!
cleanup() {
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
for i in $(seq 1 300); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$LOG" >&2; echo "the chat server died" >&2; exit 1; }
  [[ $i == 300 ]] && { echo "the chat server did not listen within 30 s" >&2; exit 1; }
  sleep 0.1
done

# The attack (the driver bounds each phase in time; this bounds the whole).
result=$(timeout 600 java -Xmx1g -cp "$BENCH_JAR" dev.zocket.bench.attack.MembersAttack \
  --port "$PORT" "${driver_args[@]}")
echo "$result"
peak_rss_kb=$(awk '/^VmHWM/{print $2}' "/proc/$SERVER_PID/status")

# SIGTERM: the time until the process has ended, at most 60 s (then it is killed).
term_start=$(date +%s%N)
kill -TERM "$SERVER_PID"
term_ms=-1
for _ in $(seq 1 600); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    term_ms=$(( ($(date +%s%N) - term_start) / 1000000 ))
    break
  fi
  sleep 0.1
done
wait "$SERVER_PID" 2>/dev/null || true

slow=$(grep -c "as a slow consumer" "$LOG" || true)
oom=$(grep -c "OutOfMemoryError" "$LOG" || true)
python3 - "$result" "$term_ms" "$peak_rss_kb" "$slow" "$oom" "$LOG" "$RECOVER_LIMIT_MS" "$SHUTDOWN_TIMEOUT_S" <<'EOF'
import json, sys
r = json.loads(sys.argv[1])
term_ms, rss_kb, slow, oom = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
log, recover_limit, shutdown_s = sys.argv[6], int(sys.argv[7]), int(sys.argv[8])
lost = sum(r["witnessLost"])
recover = r["recoverMs"]
print(f"members {r['members']} x names of {r['nameLength']} chars, {r['calls']} calls each,"
      f" members answer {r['membersReplyBytes']} bytes")
print(f"attackers: {r['attackersClosed1013']} closed with 1013, {r['attackersEndedWithoutClose']}"
      f" ended without a close frame, {r['attackersClosedOther']} other close codes,"
      f" {r['attackersStillOpen']} still open; server log: {slow} slow-consumer closes,"
      f" {oom} OutOfMemoryError lines; server peak RSS {rss_kb // 1024} MiB")
print(f"fresh clients during the attack: {r['freshDuringAttackOk']} chatted,"
      f" {r['freshDuringAttackFailed']} failed")
print(f"witness messages sent {r['witnessSent']}, lost {r['witnessLost']}"
      f" (markers seen: {r['witnessMarkers']})")
print(f"time to recover after the attack: {recover} ms (limit {recover_limit} ms)")
print(f"SIGTERM to the end of the process: {term_ms} ms (limit {shutdown_s * 1000} ms)")
print(f"server log: {log}")
ok = (lost == 0 and r["witnessMarkers"] and 0 <= recover <= recover_limit
      and 0 <= term_ms <= shutdown_s * 1000 and oom == 0)
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
EOF

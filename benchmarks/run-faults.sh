#!/usr/bin/env bash
# Faults with numbers (issue #30): three Zocket node processes (FaultNode) on a real Redis, single
# and Redis Cluster (3 masters, 3 replicas), clients spread evenly over them in three rooms, three
# senders posting numbered messages at a steady rate, one fault injected per run:
#   restart      single: redis-server killed and started again; cluster: the master of room 0's
#                shard killed and started again
#   failover     cluster: CLUSTER FAILOVER on that master's replica
#   kill-master  cluster: that master killed (SIGKILL), its replica promoted by the cluster
#   cut          node 1 cut from Redis for --cut seconds; single: a proxy between node 1 and Redis
#                resets its connections and refuses new ones; cluster: node 1's own ACL user is
#                disabled on every Redis node and its connections are closed
#   kill         node 2 killed (SIGKILL); its clients reconnect to node 0
# each with recovery off and on. Prints one JSON line per run and a summary table. See docs/faults.md.
#
# Usage: benchmarks/run-faults.sh [options] [single|cluster ...]
#   --faults "F ..."       faults to run (default: every fault the Redis supports)
#   --recovery "off on"    recovery settings to run (default: off on)
#   --clients-per-node N   clients on each node (default 10)
#   --rate N               messages per second of each sender (default 200)
#   --cut S                how long the cut lasts (default 10)
#   --no-build             use the jar of a previous build
#   --out FILE             also append every JSON line to FILE
# Environment: DRIVER_JAVA_OPTS (the driver's JVM flags; nodes get -Xmx256m), ZOCKET_OUT (build
#   output folder name, default target-bench). Only 127.0.0.1 is ever used; every wait is bounded.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT_DIR=${ZOCKET_OUT:-target-bench}
BENCH_JAR="$ROOT/benchmarks/$OUT_DIR/benchmarks.jar"
DRIVER_JAVA_OPTS=${DRIVER_JAVA_OPTS:--Xms256m -Xmx512m -XX:+UseSerialGC -Dio.netty.leakDetection.level=disabled}

faults=""
recoveries="off on"
per_node=10
rate=200
cut=10
build=1
out_file=""
redises=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --faults) faults=$2; shift 2 ;;
    --recovery) recoveries=$2; shift 2 ;;
    --clients-per-node) per_node=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --cut) cut=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --out) out_file=$2; shift 2 ;;
    -h|--help) sed -n 2,28p "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) redises+=("$1"); shift ;;
  esac
done
[[ ${#redises[@]} -eq 0 ]] && redises=(single cluster)

if [[ $build == 1 ]]; then
  mvn -B -q -o -DskipTests -Dzocket.out="$OUT_DIR" -pl benchmarks -am package
fi

RESULTS=$(mktemp /tmp/zocket-faults-results.XXXXXX)
trap 'rm -f "$RESULTS"' EXIT

for redis in "${redises[@]}"; do
  if [[ -n $faults ]]; then
    list=$faults
  elif [[ $redis == single ]]; then
    list="restart cut kill"
  else
    list="restart failover kill-master cut kill"
  fi
  for fault in $list; do
    for recovery in $recoveries; do
      flag=""
      [[ $recovery == on ]] && flag="--recovery"
      echo "== $redis $fault recovery $recovery" >&2
      # One run is bounded by the driver's own waits; timeout is the last guard.
      # shellcheck disable=SC2086
      if line=$(timeout 600 java $DRIVER_JAVA_OPTS -cp "$BENCH_JAR" dev.zocket.bench.faults.FaultDriver \
          --redis "$redis" --fault "$fault" $flag --clients-per-node "$per_node" --rate "$rate" \
          --cut "$cut"); then
        echo "$line" >>"$RESULTS"
        [[ -n $out_file ]] && echo "$line" >>"$out_file"
        echo "$line"
      else
        echo "run failed: $redis $fault recovery $recovery" >&2
      fi
    done
  done
done

python3 - "$RESULTS" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
head = ("redis", "fault", "recovery", "fault ms", "sent", "lost", "reported", "equal per node", "never got", "died with node",
        "missed (moved)", "dups", "served p50 ms", "served max ms", "resumed", "replayed")
print()
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
for r in rows:
    served_max = r["servedAgainMaxMs"]
    print("| " + " | ".join(str(x) for x in (
        r["redis"], r["fault"], "on" if r["recovery"] else "off", r["faultMs"], r["sent"],
        r["lost"], r["reported"], "yes" if r["lostMatchesReported"] else "NO", r["neverDelivered"], r.get("diedWithNode", 0),
        f'{r["clientMissing"]} ({r["movedMissing"]})', r["duplicates"],
        r["servedAgainMedianMs"],
        served_max if served_max is not None else "not all: " + str(len(r["unserved"])),
        f'{r["resumed"]}/{r["resumed"] + r["fresh"]}', r["replayed"])) + " |")
PY

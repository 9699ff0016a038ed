#!/usr/bin/env python3
"""Summarizes run-load.sh results (JSON lines): medians per case and server, ratios to the baseline.

Usage: python3 benchmarks/summarize.py RESULTS.jsonl [MAX_OTHER_CPU_S]

"user-ns" and "kern-ns" are the server's user-space and kernel CPU nanoseconds per delivery (medians).
"per-write" is the deliveries one write system call of the server carried (median; /proc/<pid>/io;
None for Bun, whose sends /proc/<pid>/io's syscw does not count).
Cross-node cases (NAMExN) sum the nodes' CPU, and get a second table: Redis's CPU per published
message and per delivery (its INFO cpu account), and the bytes Redis read and wrote per message.
"other" is the CPU time other processes of the machine used during a run's measured window;
with MAX_OTHER_CPU_S, runs disturbed by more than that are left out (and counted as dropped).
"""
import json
import statistics
import sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
max_other = float(sys.argv[2]) if len(sys.argv) > 2 else None
dropped = 0
if max_other is not None:
    kept = [r for r in rows if r["result"].get("otherCpuS", 0) <= max_other]
    dropped = len(rows) - len(kept)
    rows = kept
by = {}
for r in rows:
    by.setdefault((r["case"], r["server"]), []).append(r["result"])
def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None
print()
print("%-10s %-9s %16s %23s %12s %8s %8s %9s %6s %9s %6s %s" % ("case", "server", "per-server-CPU-s", "(min..max)", "delivered/s", "user-ns", "kern-ns", "per-write", "lost", "reordered", "other", "runs"))
summary = {}
for (case, server), results in sorted(by.items()):
    if case.startswith("idle"):
        m = med([x.get("heapPerConnection") for x in results])
        rss = med([x.get("rssPerConnection") for x in results])
        lost = sum(x.get("lost", 0) for x in results)
        summary[(case, server)] = m
        errs = [x["error"] for x in results if "error" in x]
        print("%-10s %-9s %11s B/conn heap (RSS %s B/conn) lost=%s runs=%d%s" % (case, server, m, rss, lost, len(results), (" ERRORS " + str(errs)) if errs else ""))
        continue
    vals = [x.get("deliveriesPerServerCpuS") for x in results if x.get("deliveriesPerServerCpuS")]
    m = med(vals)
    spread = "(%s..%s)" % (min(vals), max(vals)) if vals else ""
    rate = med([x.get("deliveriesPerS") for x in results])
    lost = sum(x.get("lost", 0) for x in results)
    reord = sum(x.get("reordered", 0) for x in results)
    errs = [x["error"] for x in results if "error" in x]
    summary[(case, server)] = m
    other = med([x.get("otherCpuS") for x in results])
    # Server CPU per delivery, split into user space and kernel (/proc/<pid>/stat utime, stime).
    user = med([x.get("userNsPerDelivery") for x in results])
    kern = med([x.get("kernelNsPerDelivery") for x in results])
    per_write = med([x.get("deliveriesPerWriteCall") for x in results])
    print("%-10s %-9s %16s %23s %12s %8s %8s %9s %6s %9s %6s %d%s" % (case, server, round(m) if m else m, spread, round(rate) if rate else rate, user, kern, per_write, lost, reord, other, len(results), (" ERRORS " + str(errs)) if errs else ""))
redis_rows = [(k, v) for k, v in sorted(by.items()) if any("redisNsPerMessage" in x for x in v)]
if redis_rows:
    # Cross-node cases (NAMExN): the nodes' CPU is summed above; Redis's own CPU and bytes here.
    print()
    print("%-12s %-9s %6s %14s %17s %15s %16s %17s" % ("case", "server", "nodes", "redis-ns/msg", "redis-ns/deliv", "redis-CPU-s", "redis-in-B/msg", "redis-out-B/msg"))
    for (case, server), results in redis_rows:
        def m(key):
            return med([x.get(key) for x in results])
        per_msg = [x.get("redisNsPerMessage") for x in results if x.get("redisNsPerMessage") is not None]
        spread = "(%s..%s)" % (min(per_msg), max(per_msg)) if per_msg else ""
        print("%-12s %-9s %6s %14s %17s %15s %16s %17s %s" % (case, server, m("nodes") or 1, m("redisNsPerMessage"), m("redisNsPerDelivery"), m("redisInfoCpuS") or m("redisCpuS"), m("redisInBytesPerMessage"), m("redisOutBytesPerMessage"), spread))
cases = sorted({c for c, _ in summary})
others = sorted({s for _, s in summary if s != "baseline"})
if others:
    print()
    for c in cases:
        b = summary.get((c, "baseline"))
        for o in others:
            z = summary.get((c, o))
            if b and z:
                print("%-10s %s/baseline = %.3f" % (c, o, z / b))
if dropped:
    print("\n%d disturbed run(s) left out (other processes used more than %s CPU-s)" % (dropped, max_other))
# Server CPU per delivery by thread (LoadDriver's /proc/<pid>/task split), medians: the I/O
# threads' user and kernel time, the JIT compiler threads', the collector's; the rest of the process
# is the total (user-ns + kern-ns) less these.
io_ns = {}
split = [(k, v) for k, v in sorted(by.items()) if any("jitNsPerDelivery" in x for x in v)]
if split:
    print()
    print("%-18s %-16s %8s %8s %8s %8s  (server ns per delivery by thread, medians)" % ("case", "server", "io-user", "io-kern", "jit", "gc"))
    for (case, server), results in split:
        def m(key):
            return med([x.get(key) for x in results])
        iu, ik = m("ioUserNsPerDelivery"), m("ioKernelNsPerDelivery")
        if iu is not None and ik is not None:
            io_ns[(case, server)] = iu + ik
        print("%-18s %-16s %8s %8s %8s %8s" % (case, server, iu, ik, m("jitNsPerDelivery"), m("gcNsPerDelivery")))
# Recovery on against off (the *-recovery cases run each Zocket server both ways, run by run).
pairs = [(c, s) for c, s in summary if s.endswith("+recovery")]
if pairs:
    print()
    for c, s in sorted(pairs):
        off = summary.get((c, s[: -len("+recovery")]))
        on = summary.get((c, s))
        if off and on:
            print("%-18s %s/%s = %.3f (recovery on against off, deliveries per server CPU-s)" % (c, s, s[: -len("+recovery")], on / off))
            # The same for the I/O threads alone: the delivery path, without the JIT and the collector.
            io_off = io_ns.get((c, s[: -len("+recovery")]))
            io_on = io_ns.get((c, s))
            if io_off and io_on:
                print("%-18s %s/%s = %.3f (the same, I/O threads only: %s against %s ns per delivery)" % (c, s, s[: -len("+recovery")], io_off / io_on, io_on, io_off))
# System calls per 1,000 deliveries (--syscalls), medians.
counted = {k: v for k, v in by.items() if any("syscallsPer1000Deliveries" in x for x in v)}
if counted:
    print()
    keys = ["writev", "write", "sendto", "sendmsg", "epoll_wait", "read", "futex", "total"]
    print("%-18s %-16s %s  (system calls per 1,000 deliveries, %s)" % ("case", "server", " ".join("%10s" % k for k in keys),
          "/".join(sorted({x.get("syscallTool", "?") for v in counted.values() for x in v}))))
    for (case, server), results in sorted(counted.items()):
        per = [x["syscallsPer1000Deliveries"] for x in results if "syscallsPer1000Deliveries" in x]
        print("%-18s %-16s %s  bytes/write %s" % (case, server, " ".join("%10s" % med([p.get(k) for p in per]) for k in keys),
              med([x.get("bytesPerWriteCall") for x in results])))

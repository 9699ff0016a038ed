#!/usr/bin/env python3
"""Sums the JFR execution samples of a recording printed as JSON (jfr print --stack-depth 64
--json --events jdk.ExecutionSample: its default keeps 5 frames of each stack): by the package of the running method, the top methods, and the Zocket methods
on the stack. Usage: python3 benchmarks/jfr_top.py RECORDING.json"""
import json, sys, collections
d = json.load(open(sys.argv[1]))
events = d["recording"]["events"]
top = collections.Counter(); pkg = collections.Counter(); incl = collections.Counter()
n = 0
def name(f):
    m = f["method"]; return m["type"]["name"].replace("/", ".") + "." + m["name"]
def bucket(t):
    for p, b in [("dev.zocket", "Zocket"), ("io.netty.channel.epoll", "Netty epoll transport"), ("io.netty.buffer", "Netty buffers"),
                 ("io.netty.handler.codec.http.websocketx", "Netty WebSocket codec"), ("io.netty.channel", "Netty channel/pipeline"),
                 ("io.netty.util", "Netty util/executor"), ("io.netty", "Netty other"), ("tools.jackson", "Jackson"), ("com.fasterxml.jackson", "Jackson"), ("org.hibernate", "Hibernate Validator"), ("jakarta.validation", "Hibernate Validator"),
                 ("java.", "JDK"), ("jdk.", "JDK"), ("sun.", "JDK")]:
        if t.startswith(p): return b
    return "other"
for e in events:
    frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
    if not frames: continue
    n += 1
    t = name(frames[0]); top[t] += 1; pkg[bucket(t)] += 1
    seen = set()
    for f in frames:
        nm = name(f)
        if nm.startswith("dev.zocket") and nm not in seen:
            seen.add(nm); incl[nm] += 1
print("samples", n)
print("\nby the package of the running method:")
for k, v in pkg.most_common(): print("  %5.1f%%  %s" % (100.0 * v / n, k))
print("\ntop methods (self):")
for k, v in top.most_common(15): print("  %5.1f%%  %s" % (100.0 * v / n, k))
print("\nZocket methods on the stack (inclusive):")
for k, v in incl.most_common(12): print("  %5.1f%%  %s" % (100.0 * v / n, k))

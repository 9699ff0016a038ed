#!/usr/bin/env python3
"""Draws the benchmark charts of BENCHMARKS.md as SVG files, from result files.

Usage (from the repository root; Python 3.8+, no packages needed, not run by `mvn verify`):

    python3 benchmarks/charts.py                      # benchmarks/results/published.json -> benchmarks/charts/
    python3 benchmarks/charts.py --load RUNS.jsonl    # throughput and idle charts from run-load.sh --out files
    python3 benchmarks/charts.py --results FILE --out-dir DIR

Inputs:
  --results FILE  (default benchmarks/results/published.json) the medians BENCHMARKS.md publishes, each
                  block with its section, commit and command: "throughput", "idle", "latency".
  --load FILE     (repeatable) JSON lines appended by `benchmarks/run-load.sh --out FILE`; when given, the
                  throughput chart (deliveriesPerServerCpuS) and the idle chart (heapPerConnection,
                  rssPerConnection) are drawn from the medians of these runs instead, as
                  benchmarks/summarize.py computes them. The latency chart always comes from --results.

Outputs (in --out-dir, default benchmarks/charts): throughput.svg, memory.svg, latency.svg.
The output depends only on the input: no dates, no random ids, fixed number formatting, so a second
run over the same files writes identical bytes.
"""
import argparse
import json
import math
import os
import statistics
import sys
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
COLORS = ["#8c8c8c", "#2f6fb3", "#e08a2c", "#4c9a52"]  # grey for the baseline, then Zocket's colours
FONT = "font-family=\"Helvetica, Arial, sans-serif\""


def fmt(v):
    """A value as the tables write it: 7.91 M, 956 k, 2,444, 13.3."""
    if v >= 1_000_000:
        return "%.2f M" % (v / 1_000_000)
    if v >= 100_000:
        return "%d k" % round(v / 1000)
    if v == int(v):
        return "{:,}".format(int(v))
    return "%.1f" % v


def nice_ticks(top):
    """Axis ticks from 0 to at least top, in steps of 1, 2 or 5 times a power of ten."""
    raw = top / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    n = math.ceil(top / step - 1e-9)
    return [i * step for i in range(n + 1)]


def text_width(s, size):
    return len(s) * size * 0.56


def panel(x0, y0, w, h, categories, series, ylabel):
    """One grouped bar panel: categories along x, one bar per series, the value on each bar."""
    out = []
    left, bottom, top_pad = 62, 44, 8
    px, py, pw, ph = x0 + left, y0 + top_pad, w - left - 10, h - bottom - top_pad
    vmax = max(v for _, _, vals in series for v in vals if v is not None)
    ticks = nice_ticks(vmax * 1.12)
    ymax = ticks[-1]
    for t in ticks:
        y = py + ph - ph * t / ymax
        out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e3e3e3"/>' % (px, y, px + pw, y))
        out.append('<text x="%.1f" y="%.1f" font-size="11" text-anchor="end" fill="#555">%s</text>'
                   % (px - 6, y + 4, escape(fmt(t))))
    out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#888"/>' % (px, py + ph, px + pw, py + ph))
    cy = py + ph / 2
    out.append('<text x="%.1f" y="%.1f" font-size="12" text-anchor="middle" fill="#333" '
               'transform="rotate(-90 %.1f %.1f)">%s</text>' % (x0 + 14, cy, x0 + 14, cy, escape(ylabel)))
    group = pw / len(categories)
    bar = min(46.0, group * 0.8 / len(series))
    for i, label in enumerate(categories):
        gx = px + group * i + (group - bar * len(series)) / 2
        for j, (_, color, vals) in enumerate(series):
            v = vals[i]
            if v is None:
                continue
            bh = ph * v / ymax
            bx, by = gx + bar * j, py + ph - bh
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>'
                       % (bx + 1, by, bar - 2, bh, color))
            out.append('<text x="%.1f" y="%.1f" font-size="10.5" text-anchor="middle" fill="#222">%s</text>'
                       % (bx + bar / 2, by - 4, escape(fmt(v))))
        lines = label.split("\n")
        for k, line in enumerate(lines):
            out.append('<text x="%.1f" y="%.1f" font-size="12" text-anchor="middle" fill="#222">%s</text>'
                       % (px + group * (i + 0.5), py + ph + 17 + 14 * k, escape(line)))
    return out


def chart(path, title, subtitle, panels, series_names, width=None, colors=COLORS):
    """Writes one SVG: a title, a source line, a legend, then the panels side by side."""
    pw, ph = 300, 300
    width = width or max(640, pw * len(panels))
    each = width / len(panels)
    head = 78
    height = head + ph + 22
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" %s>'
           % (width, height, width, height, FONT),
           '<rect width="100%" height="100%" fill="#ffffff"/>',
           '<text x="12" y="24" font-size="16" font-weight="bold" fill="#111">%s</text>' % escape(title)]
    for k, line in enumerate(subtitle):
        out.append('<text x="12" y="%d" font-size="11" fill="#555">%s</text>' % (42 + 14 * k, escape(line)))
    lx = 12
    ly = head - 8
    for j, name in enumerate(series_names):
        out.append('<rect x="%.1f" y="%d" width="12" height="12" fill="%s"/>' % (lx, ly - 10, colors[j]))
        out.append('<text x="%.1f" y="%d" font-size="12" fill="#222">%s</text>' % (lx + 17, ly, escape(name)))
        lx += 17 + text_width(name, 12) + 22
    for i, (categories, values, ylabel) in enumerate(panels):
        series = [(name, colors[j], values[j]) for j, name in enumerate(series_names)]
        out += panel(each * i, head + 6, each, ph, categories, series, ylabel)
    out.append("</svg>")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out) + "\n")
    print("wrote", path)


def ratio(case, keys):
    """The label's ratio of the second server to the baseline: the published one, else computed."""
    if "ratio" in case:
        return ", %.2f\u00d7" % case["ratio"]
    if len(keys) == 2 and case.get(keys[0]) and case.get(keys[1]):
        return ", %.2f\u00d7" % (case[keys[1]] / case[keys[0]])
    return ""


def medians_from_load(files):
    """Medians per (case, server), as benchmarks/summarize.py computes them."""
    by = {}
    for name in files:
        with open(name, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    by.setdefault((r["case"], r["server"]), []).append(r["result"])

    def med(results, key):
        vals = [x.get(key) for x in results if x.get(key)]
        return statistics.median(vals) if vals else None

    return {k: {"throughput": med(v, "deliveriesPerServerCpuS"), "heap": med(v, "heapPerConnection"),
                "rss": med(v, "rssPerConnection"), "runs": len(v)} for k, v in by.items()}


def blocks_from_load(files):
    """Throughput and idle blocks shaped like published.json's, from run-load.sh JSON lines."""
    m = medians_from_load(files)
    servers = sorted({s for _, s in m}, key=lambda s: (s != "baseline", s))
    names = {s: ("raw Netty baseline" if s == "baseline" else s) for s in servers}
    source = "from " + ", ".join(os.path.basename(f) for f in files)
    labels = {"fanout100": "fan-out 100", "fanout500": "fan-out 500", "rooms": "1000 rooms x 10", "calls": "calls, 50 x 16"}
    cases = []
    for c in ("fanout100", "fanout500", "rooms", "calls"):
        if any((c, s) in m for s in servers):
            row = {"case": c, "label": labels[c], "runs": max(m.get((c, s), {}).get("runs", 0) for s in servers)}
            row.update({s: m.get((c, s), {}).get("throughput") for s in servers})
            cases.append(row)
    idle = []
    if any(("idle", s) in m for s in servers):
        heap = {"case": "heap", "label": "live heap per connection (B)"}
        rss = {"case": "rss", "label": "RSS per connection (KB)"}
        for s in servers:
            r = m.get(("idle", s), {})
            heap[s] = r.get("heap")
            rss[s] = round(r["rss"] / 1024, 1) if r.get("rss") else None
        idle = [heap, rss]
    throughput = {"section": source, "commit": "?", "servers": names, "cases": cases} if cases else None
    idle_block = {"section": source, "commit": "?", "servers": names, "cases": idle} if idle else None
    return throughput, idle_block


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--results", default=os.path.join(HERE, "results", "published.json"))
    ap.add_argument("--load", action="append", default=[])
    ap.add_argument("--out-dir", default=os.path.join(HERE, "charts"))
    a = ap.parse_args()
    with open(a.results, encoding="utf-8") as f:
        pub = json.load(f)
    throughput, idle = pub.get("throughput"), pub.get("idle")
    if a.load:
        throughput, idle = blocks_from_load(a.load)
    os.makedirs(a.out_dir, exist_ok=True)

    if throughput:
        t = throughput
        keys = list(t["servers"])
        cats = ["%s\n%d run%s%s" % (c["label"], c["runs"], "s" if c["runs"] > 1 else "", ratio(c, keys))
                for c in t["cases"]]
        source = ("Source: BENCHMARKS.md, %s (commit %s)." % (t["section"].replace("`", ""), t["commit"])
                  if t["commit"] != "?" else "Source: " + t["section"] + ".")
        versus = "%s / %s" % (t["servers"][keys[-1]], t["servers"][keys[0]].replace("raw Netty ", ""))
        chart(os.path.join(a.out_dir, "throughput.svg"),
              "Deliveries per server CPU-second (higher is better)",
              ["Medians; calls: replies per CPU-s; \u00d7 = %s. Server on CPU 0, driver on CPU 1." % versus,
               source],
              [(cats, [[c.get(k) for c in t["cases"]] for k in keys], "per server CPU-second")],
              [t["servers"][k] for k in keys], width=680)
    if idle:
        i = idle
        keys = list(i["servers"])
        chart(os.path.join(a.out_dir, "memory.svg"),
              "Memory per idle connection (lower is better)",
              ["5,000 connections in rooms of 10, minus the empty server; heap after a full GC. Medians.",
               "Source: BENCHMARKS.md, Idle connections (commit %s)." % i["commit"]
               if i["commit"] != "?" else "Source: " + i["section"] + "."],
              [([""], [[c.get(k)] for k in keys], c["label"]) for c in i["cases"]],
              [i["servers"][k] for k in keys], width=680)
    lat = pub.get("latency")
    if lat:
        cats = [c["label"].replace(", ", ",\n") for c in lat["cases"]]
        chart(os.path.join(a.out_dir, "latency.svg"),
              "Room fan-out latency: emit until every member has it, in µs (lower is better)",
              ["RedisFanout, single runs; local = one server, same/other node = two nodes with RedisBackplane.",
               "Source: BENCHMARKS.md, %s (commit %s)." % (lat["section"], lat["commit"])],
              [(cats, [[c["p50"] for c in lat["cases"]], [c["p99"] for c in lat["cases"]]], "microseconds")],
              ["p50", "p99"], width=760, colors=["#2f6fb3", "#c0504d"])


if __name__ == "__main__":
    sys.exit(main())

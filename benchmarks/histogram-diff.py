#!/usr/bin/env python3
"""Bytes per connection by class: the difference of two `jcmd GC.class_histogram` outputs.

Usage: histogram-diff.py EMPTY LOADED CONNECTIONS [MIN_BYTES]

EMPTY and LOADED are the histograms `run-load.sh --histograms DIR idle` keeps for a run (before
the connections and with them, both after a full GC); CONNECTIONS is how many were open
(--idle-clients, 5000 by default). Prints every class whose bytes per connection moved by at
least MIN_BYTES (default 2), largest first, with instances per connection, and the total.
"""
import re
import sys


def read(path):
    classes = {}
    for line in open(path):
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            count, size, name = int(m.group(1)), int(m.group(2)), m.group(3)
            c, s = classes.get(name, (0, 0))
            classes[name] = (c + count, s + size)
    return classes


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    empty, loaded = read(sys.argv[1]), read(sys.argv[2])
    n = int(sys.argv[3])
    floor = float(sys.argv[4]) if len(sys.argv) > 4 else 2
    rows = []
    for name in set(empty) | set(loaded):
        c0, s0 = empty.get(name, (0, 0))
        c1, s1 = loaded.get(name, (0, 0))
        rows.append(((s1 - s0) / n, (c1 - c0) / n, name))
    rows.sort(reverse=True)
    for per, count, name in rows:
        if abs(per) >= floor:
            print(f"{per:8.1f} B {count:6.2f}  {name}")
    print(f"{sum(r[0] for r in rows):8.1f} B in all")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Medians of benchmark rounds: reads lines "CASE WORDS... VALUE UNIT" (one per case and round,
rounds appended to one file) and prints one row per case, in first-seen order, with its median
and every round's value. Usage: python3 bench/lib/medians.py FILE"""
import statistics
import sys

order, vals, units = [], {}, {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) < 3:
        continue
    key = " ".join(parts[:-2])
    if key not in vals:
        order.append(key)
        vals[key] = []
    vals[key].append(float(parts[-2]))
    units[key] = parts[-1]
print(f"{'case':<44} {'median':>10} unit      runs")
for key in order:
    v = vals[key]
    print(f"{key:<44} {statistics.median(v):>10.2f} {units[key]:<8}  {' '.join(f'{x:.1f}' for x in v)}")

# SPDX-License-Identifier: MIT
"""gtbench python's Python side (tools/bench/bench_python.c runs it):
bench_python.py DB SYMBOL TICKQ REPS prints the best of REPS seconds of

  ticks_df     gputick.Store(DB).ticks(SYMBOL)           -> DataFrame
  tickq_csv    TICKQ ticks SYMBOL --format csv | pandas.read_csv
  ticks_numpy  gputick.Store(DB).ticks(SYMBOL, raw=True) -> numpy records
  trades_df    gputick.Store(DB).ticks(SYMBOL, kind="trade")
  trades_csv   TICKQ ticks SYMBOL --kind trade --format csv | pandas.read_csv

alternating, and the numbers of rows (rows: the first three, which must
agree; trade_rows: the last two)."""
import subprocess
import sys
import time

import pandas as pd

import gputick

db, symbol, tickq, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
st = gputick.Store(db)


def timed(f):
    t0 = time.perf_counter()
    n = len(f())
    return time.perf_counter() - t0, n


def csv(*kind):
    p = subprocess.Popen([tickq, "ticks", symbol, "--db", db, "--format", "csv"] + list(kind),
                         stdout=subprocess.PIPE)
    df = pd.read_csv(p.stdout, low_memory=False)
    if p.wait() != 0:
        sys.exit("tickq ticks failed")
    return df


best = {}
rows, trade_rows = set(), set()
for _ in range(reps):
    for name, f, into in (("ticks_df", lambda: st.ticks(symbol), rows), ("tickq_csv", csv, rows),
                          ("ticks_numpy", lambda: st.ticks(symbol, raw=True), rows),
                          ("trades_df", lambda: st.ticks(symbol, kind="trade"), trade_rows),
                          ("trades_csv", lambda: csv("--kind", "trade"), trade_rows)):
        s, n = timed(f)
        best[name] = min(best.get(name, s), s)
        into.add(n)
if len(rows) != 1 or len(trade_rows) != 1:
    sys.exit("the row counts differ: %s %s" % (sorted(rows), sorted(trade_rows)))
for k, v in best.items():
    print(k, "%.6f" % v)
print("rows", rows.pop())
print("trade_rows", trade_rows.pop())

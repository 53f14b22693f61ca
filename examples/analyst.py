#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""One simulated day through the Python package gputick (docs/python.md):
the instruments, 5-minute bars of the front contract, the forward curve (a
PNG with matplotlib where it is installed), trades joined as of the index
with pandas, and optionally a few seconds of the live bus.

    PYTHONPATH=build/release/python /usr/bin/python3 examples/analyst.py --db gputick.db
    ... --pub tcp://127.0.0.1:5560 --router tcp://127.0.0.1:5561 --live 5

Needs Debian's python3-numpy and python3-pandas (for /usr/bin/python3);
python3-matplotlib only for the plot.
"""
import argparse
import sys

import pandas as pd

import gputick


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default="gputick.db", help="the tick store (default ./gputick.db)")
    ap.add_argument("--product", default="H100", help="the product (default H100)")
    ap.add_argument("--plot", help="write the curve to this PNG (needs matplotlib)")
    ap.add_argument("--pub", help="tickfeed's PUB endpoint, for --live")
    ap.add_argument("--router", help="tickfeed's ROUTER endpoint, for --live")
    ap.add_argument("--live", type=float, default=0,
                    help="seconds of the live bus to read (0: none)")
    a = ap.parse_args()
    try:
        st = gputick.Store(a.db)
        syms = st.symbols(product=a.product)
        futs = syms[syms["type"] == "future"].sort_values("maturity")
        # The front contract: the most traded one.
        front = futs.loc[futs["trade"].idxmax(), "symbol"]
        print("%d instruments of %s; front %s" % (len(syms), a.product, front))

        bars = st.bars(front, "5m")
        print("\n5-minute bars of %s: %d; the busiest:" % (front, len(bars)))
        print(bars.nlargest(3, "volume").to_string(index=False))

        end = syms["last"].max()
        curve = st.curve(a.product, at=end)
        print("\nthe curve at %s:" % end)
        print(curve[["symbol", "maturity", "mid", "index", "basis"]].to_string(index=False))
        if a.plot:
            try:
                import matplotlib
                matplotlib.use("Agg")
                import matplotlib.pyplot as plt
            except ImportError:
                print("no matplotlib: no plot (apt-get install python3-matplotlib)",
                      file=sys.stderr)
            else:
                ax = curve.plot(x="symbol", y=["mid", "index"], marker="o", figsize=(8, 4))
                ax.set_ylabel("$ per GPU-hour")
                plt.tight_layout()
                plt.savefig(a.plot)
                print("wrote", a.plot)

        # An as-of join in pandas: each trade with the index value before it.
        index = [s for s in syms[syms["type"] == "index"]["symbol"]][0]
        trades = st.ticks(front, kind="trade")
        fix = st.fixings(index)
        j = pd.merge_asof(trades[["exch_time", "px", "qty"]], fix[["time", "value"]],
                          left_on="exch_time", right_on="time", allow_exact_matches=False)
        j["basis"] = j["px"] - j["value"]
        print("\n%d trades of %s as of %s; mean basis %.4f" % (len(j), front, index,
                                                              j["basis"].mean()))
        if a.live > 0:
            n = 0
            sub = gputick.subscribe(a.pub, a.router, prefixes="trade.%s." % a.product,
                                    snapshot=False, idle_timeout=a.live)
            for df in sub:
                n += len(df)
            print("\nlive: %d trades of %s in %.0f s (%s)" % (n, a.product, a.live,
                                                            sub.stats()))
    except gputick.GputickError as e:
        print(e, file=sys.stderr)
        return 2 if isinstance(e, gputick.InputError) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

# SPDX-License-Identifier: MIT
"""gputick.Store against tickq (the program, its CSV) and ticksim's truth
file, on the recorded day of conftest.py."""
import datetime as dt
import io
import json
import subprocess
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import gputick
from conftest import prog

END = "2026-11-24T21:57:00Z"
TIMES = {"exch_time", "recv_time", "start", "time", "first", "last_trade_time"}


def tickq(db, *args):
    """tickq's CSV (the program), or its exit status and one-line message."""
    p = subprocess.run([prog("tickq"), args[0], "--db", db, "--format", "csv"] + list(args[1:]),
                       capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr.strip()


def ns_of(s):
    return int(np.datetime64(s.rstrip("Z"), "ns").astype(np.int64))


def cell(v):
    """A package cell as plain Python: None for every kind of null."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.value
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return v


def want(col, s, pxs, times):
    """tickq's text of one cell, read independently of the package."""
    if s == "":
        return None
    if col in times:
        return ns_of(s)
    if col in pxs:
        return int(Decimal(s) * 10**9)
    for f in (int, float):
        try:
            return f(s)
        except ValueError:
            pass
    return s


def assert_same(df, csv, pxs, exact_df=None, times=TIMES):
    """Every column and cell of the package's frame is tickq's: prices
    compared exactly as nanodollars (exact_df), and as float64 dollars."""
    ref = pd.read_csv(io.StringIO(csv), dtype=str, keep_default_na=False)
    assert list(df.columns) == list(ref.columns)
    assert len(df) == len(ref) and len(ref) > 0
    for c in ref.columns:
        exp = [want(c, s, pxs, times) for s in ref[c]]
        if c in pxs:
            got = [cell(v) for v in exact_df[c]]
            assert got == exp, c
            f = df[c].to_numpy(np.float64)
            e = np.array([np.nan if x is None else x / 1e9 for x in exp])
            assert np.array_equal(f, e, equal_nan=True), c
        else:
            got = [cell(v) for v in df[c]]
            assert got == exp, c


def check(st, db, method, cmd, args, pxs, times=TIMES, **kw):
    df = getattr(st, method)(*args, **kw)
    ex = getattr(st, method)(*args, exact=True, **kw)
    rc, out, err = tickq(db, cmd, *[str(a) for a in args], *sum(
        ([("--" + k.replace("_", "-"))] + ([] if v is True else [str(v)])
         for k, v in kw.items() if v is not False and v is not None), []))
    assert rc == 0, err
    assert_same(df, out, pxs, ex, times)
    return df


@pytest.fixture(scope="module")
def st(day):
    return gputick.Store(day["db"])


TICK_PX = {"px", "bid_px", "ask_px"}


@pytest.mark.parametrize("symbol,kind", [("H100Z6", None), ("H100X6", "trade"),
                                         ("H100X6", "book"), ("H100Z6", "tob"),
                                         ("SDH100RT", "fixing"), ("H100Z6", "stat"),
                                         ("H100Z6", "status"), ("B200F7", "def")])
def test_ticks_are_tickqs(st, day, symbol, kind):
    df = st.ticks(symbol, kind=kind)
    ex = st.ticks(symbol, kind=kind, exact=True)
    args = [symbol] + (["--kind", kind] if kind else [])
    rc, out, err = tickq(day["db"], "ticks", *args)
    assert rc == 0, err
    assert_same(df, out, TICK_PX, ex)
    assert df["exch_time"].dtype == "datetime64[ns, UTC]"
    assert (np.diff(df["seq"].to_numpy()) > 0).all(), "bus order"


def test_ticks_in_a_range_and_raw_records(st, day):
    a, b = "2026-11-24T15:00Z", "2026-11-24T15:30:00.5Z"
    df = st.ticks("H100Z6", kind="trade", start=a, end=b)
    rc, out, _ = tickq(day["db"], "ticks", "H100Z6", "--kind", "trade", "--from", a, "--to", b)
    assert_same(df, out, TICK_PX, st.ticks("H100Z6", kind="trade", start=a, end=b, exact=True))
    r = st.ticks("H100Z6", kind="trade", start=a, end=b, raw=True)
    assert r.dtype == gputick.kind_dtype(1) and len(r) == len(df)
    assert (r["px"] == df["px"].to_numpy() * 1e9).all()
    assert (r["exch_ns"] == df["exch_time"].astype("int64").to_numpy()).all()
    allk = st.ticks("H100Z6", raw=True)
    assert allk.dtype == gputick.TICK_DTYPE and set(np.unique(allk["kind"])) >= {1, 2, 3}


@pytest.mark.parametrize("t", ["2026-11-24T15:00Z", dt.datetime(2026, 11, 24, 15, 0),
                               dt.datetime(2026, 11, 24, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
                               np.datetime64("2026-11-24T15:00:00.000000000"),
                               pd.Timestamp("2026-11-24 10:00", tz="US/Eastern"),
                               1795532400000000000])
def test_times_in_every_form_mean_the_same(st, t):
    ref = st.ticks("H100Z6", kind="trade", start="2026-11-24T15:00Z")
    got = st.ticks("H100Z6", kind="trade", start=t)
    assert len(ref) > 0 and got.equals(ref)


def test_symbols(st, day):
    times = {"first", "last"}
    check(st, day["db"], "symbols", "symbols", [], {"tick"}, times)
    df = check(st, day["db"], "symbols", "symbols", [], {"tick"}, times, product="H100")
    assert (df["product"] == "H100").all()


@pytest.mark.parametrize("args,kw", [(["H100Z6", "5m"], {}), (["H100X6", "1h"], {}),
                                     (["H100Z6", "1m"], {"fill": True, "start": "2026-11-24T14:00Z",
                                                         "end": "2026-11-24T15:00Z"}),
                                     (["H100Z6", "1d"], {})])
def test_bars(st, day, args, kw):
    pxs = {"open", "high", "low", "close", "vwap"}
    kw2 = {("from" if k == "start" else "to" if k == "end" else k): v for k, v in kw.items()}
    df = st.bars(*args, **kw)
    ex = st.bars(*args, exact=True, **kw)
    cli = [args[0], "--interval", args[1]] + sum(
        (["--" + k] + ([] if v is True else [v]) for k, v in kw2.items()), [])
    rc, out, err = tickq(day["db"], "bars", *cli)
    assert rc == 0, err
    assert_same(df, out, pxs, ex)
    assert st.bars(args[0], pd.Timedelta(args[1]), **kw).equals(df)


@pytest.mark.parametrize("at", ["2026-11-24T15:00Z", "2026-11-24T18:00:00.123456789Z", END])
def test_book(st, day, at):
    check(st, day["db"], "book", "book", ["H100Z6"], {"bid_px", "ask_px"}, at=at, depth=5)


def test_fixings(st, day):
    check(st, day["db"], "fixings", "fixings", ["SDH100RT"], {"value"})
    check(st, day["db"], "fixings", "fixings", ["SDH100RT"], {"value"}, official=True)


@pytest.mark.parametrize("at", ["2026-11-24T18:00Z", END])
def test_curve(st, day, at):
    check(st, day["db"], "curve", "curve", ["H100"],
          {"bid", "ask", "mid", "last", "index", "basis"}, at=at)


@pytest.mark.filterwarnings("ignore::gputick.GputickWarning")
@pytest.mark.parametrize("rule", ["mean-official", "last-official"])
def test_settle(st, day, rule):
    check(st, day["db"], "settle", "settle", ["H100X6"], {"settlement", "last_trade", "diff"},
          rule=rule)


def test_asof(st, day):
    check(st, day["db"], "asof", "asof", ["H100Z6"],
          {"px", "bid", "ask", "mid", "index", "slippage"})
    raw = st.asof("H100Z6", raw=True)
    assert isinstance(raw, np.recarray) and len(raw) == len(st.asof("H100Z6"))


# ---- against ticksim's truth ----

def truth(day):
    with open(day["truth"]) as f:
        return [json.loads(l) for l in f]


def test_trades_and_busts_are_the_truths(st, day):
    tr = truth(day)
    for sym in ("H100Z6", "H100X6", "A100F7"):
        df = st.ticks(sym, kind="trade", raw=True)
        prints = df[df["action"] != 2]
        busts = df[df["action"] == 2]
        want = sorted((t["t_ns"], t["trade_id"], t["px"], t["qty"]) for t in tr
                      if t["type"] == "trade" and t["symbol"] == sym and not t["lost"])
        got = sorted(zip(prints["exch_ns"].tolist(), prints["trade_id"].tolist(),
                         prints["px"].tolist(), prints["qty"].tolist()))
        assert got == want, sym
        wb = sorted(t["trade_id"] for t in tr
                    if t["type"] == "bust" and t["symbol"] == sym and not t["lost"])
        assert sorted(busts["trade_id"].tolist()) == wb and len(wb) > 0, sym
        # bars count the prints no bust cancelled, and no spread's leg prints
        # (tick.h's rule: the spread's own trade counts them)
        busted = set(wb)
        legs = {(t["t_ns"], t["trade_id"]) for t in tr
                if t["type"] == "trade" and t["symbol"] == sym and t.get("leg")}
        vol = sum(q for n, i, _, q in want if i not in busted and (n, i) not in legs)
        assert st.bars(sym, "1d")["volume"].sum() == vol, sym


def test_final_books_are_the_truths(st, day):
    for b in (t for t in truth(day) if t["type"] == "book" and t["symbol"].startswith("H100")):
        df = st.book(b["symbol"], at=int(b["t_ns"]), exact=True)
        for side in ("bid", "ask"):
            lv = sorted((l["level"], l["px"], l["qty"], l["orders"]) for l in b["levels"]
                        if l["side"] == side)
            got = df[df[side + "_px"].notna()]
            got = sorted(zip(got["level"].tolist(), got[side + "_px"].tolist(),
                             got[side + "_qty"].tolist(), got[side + "_orders"].tolist()))
            assert got == lv, (b["symbol"], side)


def test_official_fixings_are_the_truths(st, day):
    want = sorted((t["t_ns"], t["px"]) for t in truth(day)
                  if t["type"] == "fixing" and t["symbol"] == "SDH100RT" and t["code"] == 5)
    df = st.fixings("SDH100RT", official=True, exact=True)
    got = sorted(zip(df["time"].astype("int64").tolist(), df["value"].tolist()))
    assert got == want and len(want) > 0


# ---- bad input: tickq's messages as exceptions ----

@pytest.mark.parametrize("call,cli,exc", [
    (lambda s: s.ticks("H100Z9"), ["ticks", "H100Z9"], gputick.UnknownSymbolError),
    (lambda s: s.bars("H100Z9", "5m"), ["bars", "H100Z9", "-i", "5m"], gputick.UnknownSymbolError),
    (lambda s: s.curve("H10", at=END), ["curve", "H10", "--at", END], gputick.UnknownSymbolError),
    (lambda s: s.fixings("SDH100R"), ["fixings", "SDH100R"], gputick.UnknownSymbolError),
    (lambda s: s.ticks("H100Z6", start="yesterdayx"), ["ticks", "H100Z6", "--from", "yesterdayx"],
     gputick.BadTimeError),
    (lambda s: s.book("H100Z6", at="2026-13-01"), ["book", "H100Z6", "--at", "2026-13-01"],
     gputick.BadTimeError),
    (lambda s: s.ticks("H100Z6", start=END, end="2026-11-24"),
     ["ticks", "H100Z6", "--from", END, "--to", "2026-11-24"], gputick.BadTimeError),
    (lambda s: s.bars("H100Z6", "5x"), ["bars", "H100Z6", "-i", "5x"], gputick.InputError),
    (lambda s: s.ticks("H100Z6", kind="nope"), ["ticks", "H100Z6", "--kind", "nope"],
     gputick.InputError),
    (lambda s: s.ticks("H100Z6 X"), ["ticks", "H100Z6 X"], gputick.InputError),
    (lambda s: s.book("H100Z6", at=END, depth=11), ["book", "H100Z6", "--at", END, "--depth", "11"],
     gputick.InputError),
])
def test_bad_input_raises_tickqs_message(st, day, call, cli, exc):
    rc, _, err = tickq(day["db"], *cli)
    assert rc == 2
    with pytest.raises(exc) as e:
        call(st)
    assert str(e.value) == err and e.value.status == 2
    assert isinstance(e.value, ValueError)


def test_missing_store(tmp_path):
    p = str(tmp_path / "nodb")
    rc, _, err = tickq(p, "symbols")
    with pytest.raises(gputick.StoreNotFoundError) as e:
        gputick.Store(p)
    assert rc == 2 and str(e.value) == err and "no tick store" in err
    assert isinstance(e.value, FileNotFoundError)


def test_bad_types(st):
    with pytest.raises(TypeError):
        st.ticks("H100Z6", start=[1])
    with pytest.raises(TypeError):
        st.ticks(12)
    with pytest.raises(gputick.InputError):
        st.ticks("--db=/")


def test_tickqs_notes_are_warnings(st, day):
    rc, _, err = tickq(day["db"], "settle", "H100X6")
    assert rc == 0 and "provisional" in err
    with pytest.warns(gputick.GputickWarning) as w:
        st.settle("H100X6")
    assert [str(x.message) for x in w] == [err]

# SPDX-License-Identifier: MIT
"""gputick.Store: the tick store as pandas DataFrames and numpy arrays.

ticks() reads the store's records through libgtpy.so (tickq ticks' steps,
without the text) and views them as columns. The computed queries (bars,
book, fixings, curve, settle, asof, symbols) are tickq's own commands run
in-process, so their answers are tickq's by construction; their output is
read into typed columns. Every call opens the store afresh as a reader, so a
store tickstore is writing answers with its last commit."""
import datetime as _dt
import io
import os
import warnings

import numpy as np
import pandas as pd

from . import _native, ticks as _ticks
from .errors import GputickWarning, InputError, StoreNotFoundError

# Per command: its time columns and its price columns (tickq prints prices
# with up to 9 decimals: exact nanodollars).
_TYPES = {
    "symbols": (["first", "last"], ["tick"]),
    "bars": (["start"], ["open", "high", "low", "close", "vwap"]),
    "book": ([], ["bid_px", "ask_px"]),
    "fixings": (["time"], ["value"]),
    "curve": ([], ["bid", "ask", "mid", "last", "index", "basis"]),
    "settle": (["last_trade_time"], ["settlement", "last_trade", "diff"]),
    "asof": (["time"], ["px", "bid", "ask", "mid", "index", "slippage"]),
}


def to_time(t):
    """A time as tickq reads it: a string is passed as it is (ISO-8601 UTC or
    relative, tickq's rules and messages); a datetime, numpy.datetime64 or
    pandas.Timestamp becomes ISO-8601 with nanoseconds (naive means UTC); an
    int is nanoseconds since the epoch."""
    if t is None or isinstance(t, str):
        return t
    if isinstance(t, (bool, np.bool_)):
        raise TypeError("gputick: a time is a str, datetime, numpy.datetime64, "
                        "pandas.Timestamp or int ns, not %r" % (t,))
    if isinstance(t, (int, np.integer)):
        ts = pd.Timestamp(int(t), unit="ns", tz="UTC")
    elif isinstance(t, (_dt.datetime, _dt.date, np.datetime64, pd.Timestamp)):
        ts = pd.Timestamp(t)
        if ts is pd.NaT:
            raise InputError("gputick: NaT is not a time", 2)
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    else:
        raise TypeError("gputick: a time is a str, datetime, numpy.datetime64, "
                        "pandas.Timestamp or int ns, not %s" % type(t).__name__)
    return ts.strftime("%Y-%m-%dT%H:%M:%S") + ".%09dZ" % (ts.microsecond * 1000 + ts.nanosecond)


def _px_exact(s):
    """Decimal strings with up to 9 decimals as exact int64 nanodollars."""
    ok = s != ""
    t = s.where(ok, "0")
    neg = t.str.startswith("-")
    parts = t.str.lstrip("-").str.partition(".")
    whole = parts[0].astype(np.int64)
    frac = parts[2].str.ljust(9, "0").astype(np.int64)
    v = (whole * 1000000000 + frac) * np.where(neg, -1, 1)
    return pd.arrays.IntegerArray(v.to_numpy(np.int64), ~ok.to_numpy())


def _column(s, kind, exact):
    ok = s != ""
    if kind == "t":
        return pd.to_datetime(s.where(ok, None), utc=True)
    if kind == "p":
        return _px_exact(s) if exact else pd.to_numeric(s.where(ok, None)).astype(np.float64)
    try:
        v = pd.to_numeric(s.where(ok, None))
    except (ValueError, TypeError):
        return s.where(ok, None).astype("string") if not ok.all() else s
    if ok.all() or v.dtype.kind == "f" and not s[ok].str.fullmatch(r"-?\d+").all():
        return v
    return v.astype("Int64")


def _frame(cmd, text, exact):
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    times, pxs = _TYPES.get(cmd, ([], []))
    for c in df.columns:
        df[c] = _column(df[c], "t" if c in times else "p" if c in pxs else "", exact)
    return df


class Store:
    """One tick store, or the shards of a sharded recording read as one.

    path_or_paths: a path, or a list of paths (tickq's --db A --db B).
    Each method returns a DataFrame (times datetime64[ns, UTC], prices
    float64 dollars, or exact int64 nanodollars with exact=True), or with
    raw=True a numpy structured array. Errors raise gputick.errors'
    exceptions with tickq's messages."""

    def __init__(self, path_or_paths):
        paths = [path_or_paths] if isinstance(path_or_paths, (str, bytes, os.PathLike)) \
            else list(path_or_paths)
        if not paths:
            raise InputError("gputick.Store: no store path given", 2)
        self.paths = [os.fsdecode(p) for p in paths]
        self.db = ",".join(self.paths)
        if not all(os.path.exists(p) for p in self.paths):
            _native.run(["symbols", "--db", self.db, "--format", "csv"])  # raises tickq's line
            raise StoreNotFoundError("gputick.Store: no tick store at %s" % self.db, 2)

    def __repr__(self):
        return "gputick.Store(%r)" % (self.paths[0] if len(self.paths) == 1 else self.paths)

    def _range(self, start, end):
        a = []
        if start is not None:
            a += ["--from", to_time(start)]
        if end is not None:
            a += ["--to", to_time(end)]
        return a

    def _name(self, cmd, what, s):
        if not isinstance(s, str):
            raise TypeError("gputick: the %s is a str, not %s" % (what, type(s).__name__))
        if s.startswith("-"):
            raise InputError("tickq %s: bad %s '%s'" % (cmd, what, s), 2)
        return s

    def _query(self, cmd, args, exact=False, raw=False):
        text, notes = _native.run([cmd, "--db", self.db, "--format", "csv"] + args)
        for line in notes.splitlines():
            if line.strip():
                warnings.warn(line, GputickWarning, stacklevel=3)
        df = _frame(cmd, text, exact)
        return df.to_records(index=False) if raw else df

    def query(self, *args):
        """Any tickq command on this store, as tickq prints it with --format
        csv (text): store.query("stats")."""
        return _native.run([args[0], "--db", self.db, "--format", "csv"] + list(args[1:]))[0]

    def symbols(self, product=None, start=None, end=None, exact=False, raw=False):
        """The instruments: product, symbol, type, maturity, tick size, first
        and last tick, ticks per kind (tickq symbols)."""
        a = ["--product", self._name("symbols", "product", product)] if product else []
        return self._query("symbols", a + self._range(start, end), exact, raw)

    def ticks(self, symbol, kind=None, start=None, end=None, exact=False, raw=False):
        """The ticks of symbol in [start, end) in bus order, tickq ticks'
        columns. kind: trade, book, tob, fixing, stat, status or def (None:
        all). raw=True: a numpy structured array of the kind's fields (the
        header and 32 payload bytes for all kinds), prices int64 nanodollars."""
        a = ["ticks", "--db", self.db, self._name("ticks", "symbol", symbol)]
        if kind is not None:
            a += ["--kind", kind]
        recs, notes = _native.ticks(a + self._range(start, end))
        for line in notes.splitlines():
            if line.strip():
                warnings.warn(line, GputickWarning, stacklevel=2)
        k = _ticks.KIND_IDS.get(kind) if kind else None
        return _ticks.raw(recs, k) if raw else _ticks.frame(recs, k, exact)

    def bars(self, symbol, interval, start=None, end=None, fill=False, exact=False, raw=False):
        """OHLC, volume, VWAP and trade count per interval ('1m', '5m', '1h',
        '1d' or a pandas.Timedelta) of symbol's trades that count (busts
        honoured), as tickq bars."""
        if isinstance(interval, (pd.Timedelta, _dt.timedelta, np.timedelta64)):
            interval = "%dns" % pd.Timedelta(interval).value
        a = [self._name("bars", "symbol", symbol), "--interval", str(interval)]
        return self._query("bars", a + (["--fill"] if fill else []) + self._range(start, end),
                           exact, raw)

    def book(self, symbol, at, depth=10, exact=False, raw=False):
        """The price-level book of symbol as it was at `at` (tickq book)."""
        a = [self._name("book", "symbol", symbol), "--at", to_time(at), "--depth", str(depth)]
        return self._query("book", a, exact, raw)

    def fixings(self, index, official=False, start=None, end=None, exact=False, raw=False):
        """The values of an index (e.g. SDH100RT): indicative, ..., official."""
        a = [self._name("fixings", "index", index)] + (["--official"] if official else [])
        return self._query("fixings", a + self._range(start, end), exact, raw)

    def curve(self, product, at="now", exact=False, raw=False):
        """The forward curve of product at `at`: bid, ask, mid, last, the
        index and the basis of every listed contract (tickq curve)."""
        a = [self._name("curve", "product", product), "--at", to_time(at)]
        return self._query("curve", a, exact, raw)

    def settle(self, symbol, rule="mean-official", exact=False, raw=False):
        """The final settlement of symbol from its index's official fixings."""
        a = [self._name("settle", "symbol", symbol), "--rule", rule]
        return self._query("settle", a, exact, raw)

    def asof(self, symbol, start=None, end=None, exact=False, raw=False):
        """Every trade of symbol with the book top and the index prevailing
        just before it, and its slippage against the mid (tickq asof)."""
        a = [self._name("asof", "symbol", symbol)] + self._range(start, end)
        return self._query("asof", a, exact, raw)

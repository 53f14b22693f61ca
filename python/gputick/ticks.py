# SPDX-License-Identifier: MIT
"""Tick records (struct gt_tick, docs/wire.md) as columns.

A numpy array of 64-byte records is viewed field by field at the offsets of
gputick/tick.h: each column is one strided view and a few vectorized
selections by kind, never a Python loop over rows. The columns and their
nulls are tickq ticks' (query/cmd_ticks.c), so a frame and tickq's CSV of the
same ticks hold the same values."""
import functools

import numpy as np
import pandas as pd

from ._native import TICK_DTYPE, names

KINDS = {1: "trade", 2: "book", 3: "tob", 4: "fixing", 5: "stat", 6: "status", 7: "def",
         8: "order"}
KIND_IDS = {v: k for k, v in KINDS.items()}
I64_NULL = np.iinfo(np.int64).max
PX_SCALE = 1e9  # prices are int64 nanodollars (9 decimals)

# Each kind's fields: name -> (offset, numpy type), as gputick/tick.h lays
# them out in the payload.
FIELDS = {
    1: {"px": (32, "<i8"), "qty": (40, "<i8"), "trade_id": (48, "<u4"), "n_orders": (52, "<i4"),
        "aggressor": (56, "u1"), "action": (57, "u1")},
    2: {"px": (32, "<i8"), "qty": (40, "<i8"), "n_orders": (48, "<i4"), "level": (52, "u1"),
        "side": (53, "u1"), "action": (54, "u1"), "rpt_seq": (56, "<u4")},
    3: {"bid_px": (32, "<i8"), "ask_px": (40, "<i8"), "bid_qty": (48, "<i4"),
        "ask_qty": (52, "<i4"), "bid_orders": (56, "<u2"), "ask_orders": (58, "<u2")},
    4: {"px": (32, "<i8"), "date": (40, "<u4"), "code": (44, "u1"), "entry_type": (45, "u1"),
        "rpt_seq": (48, "<u4")},
    5: {"px": (32, "<i8"), "qty": (40, "<i8"), "type": (48, "u1"), "settl_flags": (49, "u1"),
        "open_close": (50, "u1"), "date": (52, "<u4")},
    6: {"trading": (32, "u1"), "halt_reason": (33, "u1"), "event": (34, "u1"), "feed": (35, "u1"),
        "cause": (36, "u1"), "gap_from": (40, "<u4"), "gap_to": (44, "<u4"), "date": (48, "<u4")},
    7: {"tick_px": (32, "<i8"), "maturity": (40, "<u4"), "depth": (44, "u1"), "type": (45, "u1"),
        "product": (46, "S6"), "symbol": (52, "S12")},
    8: {"px": (32, "<i8"), "order_id": (40, "<u8"), "priority": (48, "<u8"), "qty": (56, "<i4"),
        "side": (60, "u1"), "action": (61, "u1")},
}
HEADER = [("version", 0, "u1"), ("kind", 1, "u1"), ("flags", 2, "<u2"), ("instr_id", 4, "<i4"),
          ("seq", 8, "<u8"), ("exch_ns", 16, "<i8"), ("recv_ns", 24, "<i8")]


def kind_dtype(kind):
    """The structured dtype of one kind's records: header and named payload."""
    names, formats, offsets = [], [], []
    for n, o, f in HEADER:
        names.append(n), formats.append(f), offsets.append(o)
    for n, (o, f) in FIELDS[kind].items():
        names.append(n), formats.append(f), offsets.append(o)
    return np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": 64})


def _field(recs, off, fmt):
    """The field at byte offset off of every record: a strided view, no copy."""
    dt = np.dtype(fmt)
    return np.ndarray(len(recs), dtype=dt, buffer=recs, offset=off, strides=(64,)) \
        if len(recs) else np.empty(0, dt)


SIDES = ("bid", "ask")  # gt_side 1, 2: a level's side
# tick.h's names, read from the C library (one table, tickq's).
AGGRESSORS = names(0, 1)  # the side a trade's aggressor took, aggressor 1..
CAUSES = names(1, 0)  # a status's cause, 0..
STATS = names(2, 1)  # a stat's type, 1..
DEF_TYPES = ("future", "index", "spread", "legs")
F_LEG = 1 << 6  # GT_F_LEG: on a def, a spread's legs record
ACTIONS = ("new", "change", "delete", "delete_thru", "delete_from", "overlay")
FIX_NAMES = (None, "indicative", "premarket", "prelim_close", "session_close", "official")
FEEDS = ("none", "stale", "recovered", "reset")


def _cat(codes, valid, cats):
    codes = np.where(valid, codes, -1).astype(np.int16)
    return pd.Categorical.from_codes(codes, categories=cats)


# tickq ticks' columns, in its order; per kind: how the cell is read.
# A reader returns (values, valid) for every row; the kinds that read a
# column the same way share one reader (cached), read once.
@functools.lru_cache(maxsize=None)
def _i(off, fmt, null=None):
    def rd(recs):
        v = _field(recs, off, fmt).astype(np.int64)
        return v, (v != null) if null is not None else np.ones(len(v), bool)
    return ("i", rd)


@functools.lru_cache(maxsize=None)
def _px(off):
    def rd(recs):
        v = _field(recs, off, "<i8")
        return v, v != I64_NULL
    return ("p", rd)


@functools.lru_cache(maxsize=None)
def _s(off, fmt, cats, base=0):
    def rd(recs):
        v = _field(recs, off, fmt).astype(np.int64) - base
        return v, (v >= 0) & (v < len(cats))
    return ("s", rd, cats)


def _tob_qty(px_off, off, fmt):
    def rd(recs):
        v = _field(recs, off, fmt).astype(np.int64)
        return v, _field(recs, px_off, "<i8") != I64_NULL
    return ("i", rd)


def _trade_action(recs):
    return (_field(recs, 57, "u1") == 2).astype(np.int64), np.ones(len(recs), bool)


def _def_type(recs):
    """future, index, spread, or a spread's legs record (flagged GT_F_LEG)."""
    typ = _field(recs, 45, "u1").astype(np.int64)
    code = np.where(typ == 2, 1, np.where(typ == 3, 2, 0))
    code = np.where(_field(recs, 2, "<u2") & F_LEG, 3, code)
    return code, np.ones(len(recs), bool)


def _def_px(recs):
    """A def's tick size; a legs record carries leg ids there: null."""
    v = _field(recs, 32, "<i8")
    return v, (v != I64_NULL) & ~(_field(recs, 2, "<u2") & F_LEG).astype(bool)


def _u64(off):
    """A u64 printed as int64, null past INT64_MAX (an order's priority not
    given is 2^64-1)."""
    def rd(recs):
        v = _field(recs, off, "<u8")
        ok = v <= np.uint64(I64_NULL - 1)
        return np.where(ok, v, 0).astype(np.int64), ok
    return ("i", rd)


def _str(off, n):
    return ("b", lambda recs: (_field(recs, off, "S%d" % n), np.ones(len(recs), bool)))


COLUMNS = [
    ("px", {1: _px(32), 2: _px(32), 4: _px(32), 5: _px(32), 7: ("p", _def_px), 8: _px(32)}),
    ("qty", {1: _i(40, "<i8", I64_NULL), 2: _i(40, "<i8", I64_NULL), 5: _i(40, "<i8", I64_NULL),
             8: _i(56, "<i4")}),
    ("side", {1: _s(56, "u1", AGGRESSORS, 1), 2: _s(53, "u1", SIDES, 1), 8: _s(60, "u1", SIDES, 1)}),
    ("level", {2: _i(52, "u1"), 7: _i(44, "u1")}),
    ("action", {1: ("s", _trade_action, ("new", "bust")), 2: _s(54, "u1", ACTIONS),
                8: _s(61, "u1", ACTIONS)}),
    ("orders", {1: _i(52, "<i4", 2**31 - 1), 2: _i(48, "<i4", 2**31 - 1)}),
    ("bid_px", {3: _px(32)}),
    ("bid_qty", {3: _tob_qty(32, 48, "<i4")}),
    ("bid_orders", {3: _tob_qty(32, 56, "<u2")}),
    ("ask_px", {3: _px(40)}),
    ("ask_qty", {3: _tob_qty(40, 52, "<i4")}),
    ("ask_orders", {3: _tob_qty(40, 58, "<u2")}),
    ("trade_id", {1: _i(48, "<u4", 2**32 - 1)}),
    ("rpt_seq", {2: _i(56, "<u4"), 4: _i(48, "<u4")}),
    ("code", {4: _i(44, "u1"), 5: _i(48, "u1"), 6: _i(33, "u1")}),
    ("type", {4: _s(44, "u1", FIX_NAMES[1:], 1), 5: _s(48, "u1", STATS, 1), 7: ("s", _def_type, DEF_TYPES)}),
    ("date", {4: _i(40, "<u4", 0), 5: _i(52, "<u4", 0), 6: _i(48, "<u4", 0)}),
    ("feed", {6: _s(35, "u1", FEEDS)}),
    ("cause", {6: _s(36, "u1", CAUSES)}),
    ("gap_from", {6: _i(40, "<u4", 0)}),
    ("gap_to", {6: _i(44, "<u4", 0)}),
    ("trading", {6: _i(32, "u1", 255)}),
    ("event", {6: _i(34, "u1")}),
    ("maturity", {7: _i(40, "<u4", 0)}),
    ("product", {7: _str(46, 6)}),
    ("symbol", {7: _str(52, 12)}),
    ("order_id", {8: _u64(40)}),
    ("priority", {8: _u64(48)}),
]


def _times(ns):
    return pd.DatetimeIndex(ns.astype("datetime64[ns]")).tz_localize("UTC")


def frame(recs, kind=None, exact=False):
    """tickq ticks' columns of the records recs (TICK_DTYPE), as a DataFrame:
    times datetime64[ns, UTC]; prices float64 dollars (NaN for null) or, with
    exact, nullable Int64 nanodollars; integers nullable Int64 where tickq
    prints nulls; names as categoricals.

    Each column is read over all rows at once (a strided view per kind that
    has it) and the kinds are merged with np.where on the kind column."""
    n = len(recs)
    kinds = _field(recs, 1, "u1")
    present = [k for k in KINDS if (kind is None or k == kind) and (kind or (kinds == k).any())]
    sel = {k: (None if kind else kinds == k) for k in present}
    cols = {
        "exch_time": _times(_field(recs, 16, "<i8")),
        "recv_time": _times(_field(recs, 24, "<i8")),
        "seq": _field(recs, 8, "<u8").astype(np.int64),
        "kind": _cat(kinds.astype(np.int64) - 1, np.ones(n, bool), list(KINDS.values())),
        "flags": _field(recs, 2, "<u2").astype(np.int64),
    }
    for name, by_kind in COLUMNS:
        ks = [k for k in by_kind if kind is None or k == kind]
        if not ks:
            continue
        t = by_kind[ks[0]][0]
        # names of every kind of the column, in one category list
        cats = []
        if t == "s":
            for k in ks:
                cats += [c for c in by_kind[k][2] if c not in cats]
        vals, valid = np.zeros(n, np.int64), np.zeros(n, bool)
        if t == "b":
            vals = np.zeros(n, "S12")
        groups = {}
        for k in ks:
            if k in sel:
                groups.setdefault(id(by_kind[k]), (by_kind[k], []))[1].append(k)
        for spec, kl in groups.values():
            v, ok = spec[1](recs)
            if t == "s" and spec[2]:
                lut = np.array([cats.index(c) for c in spec[2]], np.int64)
                v = lut[np.clip(v, 0, len(lut) - 1)]
            if kind:
                vals, valid = v, ok
                continue
            m = sel[kl[0]]
            for k in kl[1:]:
                m = m | sel[k]
            np.copyto(vals, v, where=m)
            valid |= m & ok
        if t == "b":
            # product and symbol: a few distinct names, so categoricals
            names, inv = np.unique(vals[valid], return_inverse=True)
            codes = np.full(n, -1, np.int64)
            codes[valid] = inv
            cols[name] = _cat(codes, valid, [x.decode("ascii") for x in names])
        elif t == "s":
            cols[name] = _cat(vals, valid, cats)
        elif t == "p":
            if exact:
                cols[name] = pd.arrays.IntegerArray(np.where(valid, vals, 0), ~valid)
            else:
                f = vals / PX_SCALE
                f[~valid] = np.nan
                cols[name] = f
        elif valid.all():
            cols[name] = vals
        else:
            cols[name] = pd.arrays.IntegerArray(np.where(valid, vals, 0), ~valid)
    return pd.DataFrame(cols, copy=False)  # no consolidation: one copy less of every column


def raw(recs, kind=None):
    """The records as a numpy structured array: one kind's named fields, or
    the common header and the 32 payload bytes for mixed kinds."""
    return recs.view(kind_dtype(kind)) if kind else recs.view(TICK_DTYPE)

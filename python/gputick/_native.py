# SPDX-License-Identifier: MIT
"""libgtpy.so through ctypes: the store's records, tickq's commands in-process,
the sequenced bus client. No compiler at import; nothing here loops per row."""
import ctypes
import os
import threading
import weakref

import numpy as np

from .errors import _raise_for

_HERE = os.path.dirname(os.path.abspath(__file__))
_lib = ctypes.CDLL(os.path.join(_HERE, "libgtpy.so"))
if _lib.gtpy_abi() != 1:
    raise ImportError("gputick: libgtpy.so is of another version than this package")

_c = ctypes
_lib.gtpy_free.argtypes = [_c.c_void_p]
_lib.gtpy_cmd.argtypes = [_c.c_int, _c.POINTER(_c.c_char_p), _c.POINTER(_c.c_void_p),
                          _c.POINTER(_c.c_size_t), _c.POINTER(_c.c_void_p),
                          _c.POINTER(_c.c_size_t)]
_lib.gtpy_ticks.argtypes = _lib.gtpy_cmd.argtypes
_lib.gtpy_sub_open.restype = _c.c_void_p
_lib.gtpy_sub_open.argtypes = [_c.c_char_p, _c.c_char_p, _c.c_char_p, _c.c_int, _c.c_uint64,
                               _c.c_char_p, _c.c_char_p, _c.c_int, _c.c_char_p]
_lib.gtpy_sub_poll.restype = _c.c_long
_lib.gtpy_sub_poll.argtypes = [_c.c_void_p, _c.c_int, _c.POINTER(_c.c_void_p), _c.c_char_p]
_lib.gtpy_sub_stats.restype = _c.POINTER(_c.c_uint64 * 12)
_lib.gtpy_sub_stats.argtypes = [_c.c_void_p]
_lib.gtpy_sub_close.argtypes = [_c.c_void_p]
_lib.gtpy_name.restype = _c.c_char_p
_lib.gtpy_name.argtypes = [_c.c_int, _c.c_int]


def names(table, first):
    """tick.h's names of a table's codes from first up to the first code
    without one (gtpy_name: 0 aggressor, 1 status cause, 2 stat type)."""
    out, code = [], first
    while code < 256 and _lib.gtpy_name(table, code) is not None:
        out.append(_lib.gtpy_name(table, code).decode())
        code += 1
    return tuple(out)

GT_ERRLEN = 256
TICK_LEN = 64

# tickq's commands write through process-wide streams (query/qio.h): one
# command at a time.
_lock = threading.Lock()


def _argv(args):
    a = [s.encode() if isinstance(s, str) else bytes(s) for s in args]
    return len(a), (_c.c_char_p * len(a))(*a)


def _take(p, n):
    """Copies n bytes at the library's buffer p into Python and frees it."""
    if not p:
        return b""
    try:
        return _c.string_at(p, n)
    finally:
        _lib.gtpy_free(p)


def _call(fn, args):
    """Calls gtpy_cmd or gtpy_ticks with args as argv; returns the pointer
    and length of its output and its messages, or raises the messages."""
    argc, argv = _argv(args)
    out, err = _c.c_void_p(), _c.c_void_p()
    n, err_len = _c.c_size_t(), _c.c_size_t()
    with _lock:
        rc = fn(argc, argv, out, n, err, err_len)
    msg = _take(err.value, err_len.value).decode()
    if rc != 0:
        _lib.gtpy_free(out.value)
        _raise_for(rc, msg)
    return out.value, n.value, msg


def run(args):
    """Runs the tickq command args (args[0] is its name) in-process; returns
    its output as text and its notes, or raises tickq's message."""
    p, n, msg = _call(_lib.gtpy_cmd, args)
    return _take(p, n).decode(), msg


def ticks(args):
    """The records of tickq ticks ARGS as a numpy array of 64-byte records
    (TICK_DTYPE): a view of the library's own array, no copy, freed with the
    last array that uses it; and tickq's notes (skipped blocks)."""
    p, n, notes = _call(_lib.gtpy_ticks, args)
    if not n:
        _lib.gtpy_free(p)
        return np.empty(0, dtype=TICK_DTYPE), notes
    buf = (_c.c_uint8 * (n * TICK_LEN)).from_address(p)
    weakref.finalize(buf, _lib.gtpy_free, p)
    return np.frombuffer(buf, dtype=TICK_DTYPE), notes


# struct gt_tick (gputick/tick.h, docs/wire.md): the common header and the
# payload's bytes; the kinds' fields are views at their offsets (ticks.py).
TICK_DTYPE = np.dtype({
    "names": ["version", "kind", "flags", "instr_id", "seq", "exch_ns", "recv_ns", "payload"],
    "formats": ["u1", "u1", "<u2", "<i4", "<u8", "<i8", "<i8", ("u1", 32)],
    "offsets": [0, 1, 2, 4, 8, 16, 24, 32],
    "itemsize": TICK_LEN,
})


class Sub:
    """The C library's sequenced subscriber (gputick/sub.h)."""

    STATS = ("live_msgs", "live_recs", "replayed", "snapshot_recs", "replays", "gaps",
             "idle_infos", "dups", "lost", "next", "head", "refused")

    def __init__(self, pub, router, prefixes, snapshot, from_seq, client_key, server_pub,
                 timeout_ms):
        err = _c.create_string_buffer(GT_ERRLEN)
        enc = lambda s: None if s is None else os.fsencode(s) if not isinstance(s, str) else s.encode()
        self._p = _lib.gtpy_sub_open(enc(pub), enc(router), enc(prefixes), int(bool(snapshot)),
                                     int(from_seq or 0), enc(client_key), enc(server_pub),
                                     int(timeout_ms), err)
        if not self._p:
            _raise_for(-1, "gputick.subscribe: " + err.value.decode(errors="replace"), sub=True)

    def poll(self, timeout_ms):
        """The records of one poll as a numpy array (maybe empty)."""
        if not self._p:
            raise ValueError("gputick.subscribe: the subscription is closed")
        err = _c.create_string_buffer(GT_ERRLEN)
        p = _c.c_void_p()
        n = _lib.gtpy_sub_poll(self._p, int(timeout_ms), p, err)
        if n < 0:
            _raise_for(n, "gputick.subscribe: " + err.value.decode(errors="replace"), sub=True)
        recs = np.empty(n, dtype=TICK_DTYPE)
        if n:
            _c.memmove(recs.ctypes.data, p.value, n * TICK_LEN)
        return recs

    def stats(self):
        if not self._p:
            return {}
        v = _lib.gtpy_sub_stats(self._p).contents
        return dict(zip(self.STATS, list(v)))

    def close(self):
        if self._p:
            _lib.gtpy_sub_close(self._p)
            self._p = None

    def __del__(self):
        self.close()

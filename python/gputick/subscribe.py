# SPDX-License-Identifier: MIT
"""gputick.subscribe: the live bus as ticks or DataFrames, through the C
library's sequenced subscriber (gputick/sub.h) - what tickstore records
through: snapshot then live, holes replayed from tickfeed's ROUTER, each
record once, in bus order."""
import time

from . import _native, ticks as _ticks


class Subscription:
    """An iterator over the bus. Each item is one poll's records:

    - batches=True (default): a DataFrame of tickq ticks' columns (or with
      raw=True a numpy array of 64-byte records, dtype gputick.TICK_DTYPE);
    - batches=False: one record at a time (numpy.void, fields as
      TICK_DTYPE: kind, seq, exch_ns, payload).

    Iteration ends after idle_timeout seconds without a record (None: never)
    or at close(). stats() gives the client's counters (gputick/sub.h)."""

    def __init__(self, sub, batches, raw, idle_timeout, poll_ms):
        self._sub = sub
        self._batches = batches
        self._raw = raw
        self._idle = idle_timeout
        self._poll_ms = poll_ms

    def __iter__(self):
        return self._batches_iter() if self._batches else self._ticks_iter()

    def _poll_batches(self):
        last = time.monotonic()
        while self._sub._p:
            recs = self._sub.poll(self._poll_ms)
            if len(recs):
                last = time.monotonic()
                yield recs
            elif self._idle is not None and time.monotonic() - last >= self._idle:
                return

    def _batches_iter(self):
        for recs in self._poll_batches():
            yield recs if self._raw else _ticks.frame(recs)

    def _ticks_iter(self):
        for recs in self._poll_batches():
            yield from recs

    def poll(self, timeout=1.0):
        """One poll: the records that came within timeout seconds (numpy
        array, maybe empty)."""
        return self._sub.poll(int(timeout * 1000))

    def stats(self):
        return self._sub.stats()

    def close(self):
        self._sub.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def subscribe(pub=None, router=None, prefixes=None, snapshot=True, from_seq=None,
              curve_client_key=None, curve_server_pub=None, batches=True, raw=False,
              idle_timeout=None, timeout=3.0, poll_ms=200):
    """Subscribes to tickfeed's (or a tickproxy's) PUB socket `pub` and its
    ROUTER `router` (None: the defaults of gputick/bus.h; router="" for live
    only, without replays). prefixes: topic prefixes, a str separated by
    spaces or a list (e.g. "trade.H100"); None: every record. snapshot: start
    from a snapshot of each prefix, then every record after it; from_seq:
    start at that bus sequence instead, replayed from tickfeed's journal (1:
    everything it still holds). curve_client_key, curve_server_pub: key files
    for CURVE (tickkey). timeout: seconds to wait for a ROUTER reply."""
    if isinstance(prefixes, (list, tuple)):
        prefixes = " ".join(prefixes)
    if from_seq:
        snapshot = False
    sub = _native.Sub(pub, router, prefixes, snapshot, from_seq, curve_client_key,
                      curve_server_pub, int(timeout * 1000))
    return Subscription(sub, batches, raw, idle_timeout, poll_ms)

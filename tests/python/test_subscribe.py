# SPDX-License-Identifier: MIT
"""gputick.subscribe on a live bus: ticksim multicasts a market on loopback
(TTL 0), tickfeed publishes it, tickstore records it; subscribers started
after the market began get every record exactly once, and the store answers
while it is being written."""
import itertools
import os
import re
import time

import numpy as np
import pytest

import gputick
from conftest import log_tail, wait_for


def published(log):
    m = re.findall(r"\bpublished (\d+)\b", log_tail(log, 3))
    return int(m[-1]) if m else 0


def after(p, it):
    """The items of it once the process p has ended."""
    p.wait(120)
    yield from it


def test_late_subscribers_get_every_record_once_while_the_store_records(procs, tmp_path):
    d = str(tmp_path)
    pb = 20000 + (os.getpid() % 2000) * 10  # pid-derived: parallel runs do not collide
    pub, rtr, db = "ipc://%s/pub" % d, "ipc://%s/rtr" % d, os.path.join(d, "db")
    feed_log = os.path.join(d, "feed.log")
    feed = procs.start("tickfeed", "feed.log", "--port-base", pb, "--journal",
                       os.path.join(d, "journal"), "--pub", pub, "--router", rtr,
                       "--stats", "1", "--reorder-ms", "300")
    wait_for(lambda: "SO_RCVBUF" in log_tail(feed_log, 20), 30, "tickfeed to join its groups")
    rec = procs.start("tickstore", "store.log", "--db", db, "--endpoint", pub, "--router", rtr,
                      "--flush-ms", "100", "--stats", "1")
    sim = procs.start("ticksim", "sim.log", "--port-base", pb, "--seed", "3", "--duration", "1h",
                      "--day-seconds", "480", "--tail", "2m")
    # Late: the market has been on the bus for a while.
    wait_for(lambda: published(feed_log) > 2000, 60, "tickfeed to publish 2000 records")
    everything = gputick.subscribe(pub, rtr, from_seq=1, raw=True, idle_timeout=8)
    trades = gputick.subscribe(pub, rtr, prefixes=["trade.H100"], from_seq=1, raw=True,
                               idle_timeout=8)
    snap = gputick.subscribe(pub, rtr, prefixes="tob.H100.", snapshot=True, raw=True,
                             idle_timeout=8)
    got, got_trades, got_snap, counts = [], [], [], []
    st = None
    # Until the bus is quiet for idle_timeout; once more after ticksim is
    # done, in case a stall of this machine looked like the end.
    for recs in itertools.chain(everything, after(sim, everything)):
        got.append(recs)
        for s, into in ((trades, got_trades), (snap, got_snap)):
            r = s.poll(0)
            if len(r):
                into.append(r)
        # The store while tickstore writes it: a reader sees whole commits,
        # and each call sees the latest.
        if st is None and os.path.exists(os.path.join(db, "CURRENT")):
            st = gputick.Store(db)
        if st is not None and len(counts) < 20:
            counts.append(int(st.symbols()["trade"].sum()))
    assert sim.returncode == 0, "ticksim failed: " + log_tail(os.path.join(d, "sim.log"))
    for s, into in ((trades, got_trades), (snap, got_snap)):
        for r in s:
            into.append(r)
    seen = int(np.concatenate(got)["seq"].max())
    wait_for(lambda: re.search(r"checkpoint %d\b" % seen,
                               log_tail(os.path.join(d, "store.log"), 2)), 60,
             "tickstore to record up to %d" % seen)
    assert procs.stop(feed) == 0, "tickfeed failed: " + log_tail(feed_log)
    last = int(re.search(r"exit: .* seq (\d+)", log_tail(feed_log, 2)).group(1))
    allr = np.concatenate(got)
    seqs = allr["seq"]
    assert len(seqs) == last and (seqs == np.arange(1, last + 1)).all(), \
        "every record once, in order: %d of %d" % (len(np.unique(seqs)), last)
    stats = everything.stats()
    assert stats["replayed"] > 0, "it started late: the start came from the journal"
    # The filtered subscriber: every H100 trade, once.
    defs = allr[allr["kind"] == 7].view(gputick.kind_dtype(7))
    h100 = set(defs["instr_id"][np.char.startswith(defs["product"], b"H100")].tolist())
    want = allr[(allr["kind"] == 1) & np.isin(allr["instr_id"], list(h100))]
    tr = np.concatenate(got_trades)
    assert len(want) > 100 and np.array_equal(tr["seq"], want["seq"])
    assert np.array_equal(tr.view("u1").reshape(-1, 64), want.view("u1").reshape(-1, 64))
    # The snapshot subscriber: the tops of book as of its start, then every
    # later H100 top of book once.
    sn = np.concatenate(got_snap)
    flagged = (sn["flags"] & 16) != 0
    assert flagged[:1].all() and flagged.sum() > 0
    live = sn[~flagged]
    as_of = sn[flagged]["seq"].max()
    tob = allr[(allr["kind"] == 3) & np.isin(allr["instr_id"], list(h100))]
    assert np.array_equal(live["seq"], tob["seq"][tob["seq"] > as_of])
    # The store: it grew while recording, and holds every trade once it is done.
    assert counts and counts == sorted(counts)
    assert procs.stop(rec) == 0
    st = gputick.Store(db)  # a new reader: the last commit
    assert int(st.symbols()["trade"].sum()) == int((allr["kind"] == 1).sum())
    frames = [gputick.ticks.frame(r) for r in got[:3]]
    assert all(f["exch_time"].dtype == "datetime64[ns, UTC]" for f in frames)
    for s in (everything, trades, snap):
        s.close()


def test_a_refused_or_absent_bus_raises(tmp_path):
    # No ROUTER there: the first request times out with the client's message.
    s = gputick.subscribe("ipc://%s/none-pub" % tmp_path, "ipc://%s/none-rtr" % tmp_path,
                          from_seq=1, timeout=0.3)
    with pytest.raises(gputick.BusError) as e:
        for _ in range(20):
            s.poll(0.2)
    assert e.value.status < 0 and str(e.value).startswith("gputick.subscribe: ")
    s.close()
    with pytest.raises(gputick.GputickError):
        gputick.subscribe("ipc://x", "ipc://y", curve_client_key=str(tmp_path / "no-such.key"),
                          curve_server_pub=str(tmp_path / "no-such.pub"))

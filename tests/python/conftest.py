# SPDX-License-Identifier: MIT
"""Fixtures of the Python package's tests (run by ctest as `python`, with
Debian's /usr/bin/python3 and PYTHONPATH=<build>/python).

day: one deterministic ticksim day (seed 11, as tests/test_tickq.c's day)
recorded by the real programs: ticksim writes a capture and its truth file,
tickfeed publishes the capture into its journal, a second tickfeed serves
that journal and tickstore records it through the bus into a RocksDB store.
"""
import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest

BIN = os.environ.get("GT_BINARY_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "build", "release"))


def prog(name):
    return os.path.join(BIN, {"ticksim": "tools/ticksim/ticksim",
                              "tickfeed": "feedhandler/tickfeed",
                              "tickstore": "store/tickstore",
                              "tickq": "query/tickq"}[name])


def wait_for(cond, timeout, what):
    """Waits for cond() (polled) at most timeout seconds: a bound, not a measure."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out after %d s waiting for %s" % (timeout, what))


def log_tail(path, n=5):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


class Procs:
    """Programs started by a test, stopped (SIGTERM, then SIGKILL) at its end."""

    def __init__(self, d):
        self.d = d
        self.procs = []

    def start(self, name, log, *args):
        f = open(os.path.join(self.d, log), "w")
        p = subprocess.Popen([prog(name)] + [str(a) for a in args], stdout=f,
                             stderr=subprocess.STDOUT)
        f.close()
        self.procs.append(p)
        return p

    def stop(self, p, timeout=10):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        return p.returncode

    def stop_all(self):
        for p in self.procs:
            self.stop(p)


def last_published(log):
    m = re.search(r"exit: .*\bseq (\d+)", log_tail(log, 3))
    return int(m.group(1)) if m else None


@pytest.fixture(scope="session")
def day():
    d = tempfile.mkdtemp(prefix="gt-test-python-")
    ps = Procs(d)
    try:
        pcap, truth = os.path.join(d, "day.pcap"), os.path.join(d, "day.jsonl")
        sim = ps.start("ticksim", "sim.log", "--no-send", "--pcap", pcap, "--truth", truth,
                       "--seed", "11", "--lose-both", "0.002", "--reset-at", "+5h", "--tail",
                       "5m", "--bust-every", "50")
        assert sim.wait(120) == 0, "ticksim failed: " + log_tail(os.path.join(d, "sim.log"))
        jdir = os.path.join(d, "journal")
        feed = ps.start("tickfeed", "feed1.log", "--pcap", pcap, "--journal", jdir, "--pub",
                        "ipc://%s/pub1" % d, "--router", "", "--stats", "0")
        assert feed.wait(120) == 0, "tickfeed failed: " + log_tail(os.path.join(d, "feed1.log"))
        last = last_published(os.path.join(d, "feed1.log"))
        assert last and last > 100000, log_tail(os.path.join(d, "feed1.log"))
        empty = os.path.join(d, "empty.pcap")
        with open(pcap, "rb") as i, open(empty, "wb") as o:
            o.write(i.read(24))  # the file header alone: a capture of nothing
        pub, rtr, db = "ipc://%s/pub2" % d, "ipc://%s/rtr" % d, os.path.join(d, "db")
        feed = ps.start("tickfeed", "feed2.log", "--pcap", empty, "--journal", jdir, "--pub",
                        pub, "--router", rtr, "--linger", "60", "--stats", "0")
        rec = ps.start("tickstore", "store.log", "--db", db, "--endpoint", pub, "--router", rtr,
                       "--flush-ms", "100", "--stats", "1")
        slog = os.path.join(d, "store.log")
        wait_for(lambda: re.search(r"checkpoint %d\b" % last, log_tail(slog, 2)), 120,
                 "tickstore to record the journal (%s)" % log_tail(slog, 1))
        assert ps.stop(rec) == 0, "tickstore did not stop cleanly"
        assert ps.stop(feed) == 0, "the serving tickfeed did not stop cleanly"
        yield {"dir": d, "db": db, "truth": truth, "last": last}
    finally:
        ps.stop_all()
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def procs(tmp_path):
    ps = Procs(str(tmp_path))
    yield ps
    ps.stop_all()

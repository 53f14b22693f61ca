#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Subscribe to gputick's tick bus and print each tick as a JSON line.

Written from docs/wire.md alone, as a downstream user would: two-frame
messages (topic, then 64-byte little-endian records). Needs pyzmq
(Debian: python3-zmq, for /usr/bin/python3). It reads the live stream only:
what the publisher drops past its high-water mark is lost here. A C program
that must not lose records uses the bus client instead (gputick/sub.h,
examples/subscriber.c), which replays holes from tickfeed's ROUTER. The
default endpoint is GT_BUS_PUB_DEFAULT of gputick/bus.h.

    /usr/bin/python3 examples/subscriber.py --prefix tob.H100. --count 10
"""
import argparse
import json
import struct
import sys

import zmq

KINDS = {1: "trade", 2: "book", 3: "tob", 4: "fixing", 5: "stat", 6: "status", 7: "def"}
NULL = 2**63 - 1
HEADER = struct.Struct("<BBHiQqq")  # version kind flags instr_id seq exch_ns recv_ns


def price(v):
    """Prices are int64 with 9 decimals; INT64_MAX is null."""
    return None if v == NULL else v / 1e9


def decode(rec):
    version, kind, flags, instr_id, seq, exch_ns, recv_ns = HEADER.unpack_from(rec, 0)
    if version != 1:
        raise ValueError(f"record version {version} is not 1")
    t = {"seq": seq, "kind": KINDS.get(kind, kind), "instr_id": instr_id, "flags": flags,
         "exch_ns": exch_ns, "recv_ns": recv_ns}
    if kind == 1:
        px, qty, trade_id, n_orders, aggressor, action = struct.unpack_from("<qqIiBB", rec, 32)
        t.update(px=price(px), qty=qty, trade_id=trade_id, aggressor=aggressor, action=action)
    elif kind == 2:
        px, qty, n_orders, level, side, action = struct.unpack_from("<qqiBBB", rec, 32)
        t.update(px=price(px), qty=None if qty == NULL else qty, level=level, side=side,
                 action=action, n_orders=n_orders)
    elif kind == 3:
        bid, ask, bid_qty, ask_qty = struct.unpack_from("<qqii", rec, 32)
        t.update(bid_px=price(bid), ask_px=price(ask), bid_qty=bid_qty, ask_qty=ask_qty)
    elif kind == 4:
        px, date, code = struct.unpack_from("<qIB", rec, 32)
        t.update(px=price(px), date=date, code=code, official=code == 5)
    elif kind == 5:
        px, qty, typ, settl = struct.unpack_from("<qqBB", rec, 32)
        t.update(px=price(px), qty=None if qty == NULL else qty, type=typ, settl_flags=settl)
    elif kind == 6:
        trading, _, _, feed, cause = struct.unpack_from("<BBBBB", rec, 32)
        t.update(trading=trading, feed=feed, cause=cause)
    elif kind == 7:
        tick_px, maturity, depth, typ = struct.unpack_from("<qIBB", rec, 32)
        t.update(tick=price(tick_px), maturity=maturity, depth=depth, type=typ,
                 product=rec[46:52].rstrip(b"\0").decode("ascii", "replace"),
                 symbol=rec[52:64].rstrip(b"\0").decode("ascii", "replace"))
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint", default="tcp://127.0.0.1:5560", help="tickfeed's PUB endpoint")
    ap.add_argument("--prefix", default="", help="topic prefix, e.g. trade.H100.")
    ap.add_argument("--count", type=int, default=0, help="stop after N ticks (0: never)")
    ap.add_argument("--seconds", type=float, default=0, help="stop after S seconds (0: never)")
    args = ap.parse_args()
    sub = zmq.Context.instance().socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt_string(zmq.SUBSCRIBE, args.prefix)
    sub.connect(args.endpoint)
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)
    import time
    deadline = time.monotonic() + args.seconds if args.seconds else None
    printed = 0
    while not args.count or printed < args.count:
        if deadline and time.monotonic() > deadline:
            break
        if not poller.poll(200):
            continue
        frames = sub.recv_multipart()
        if len(frames) != 2 or len(frames[1]) % 64:
            print("skipping a message that is not topic + records", file=sys.stderr)
            continue
        symbol = frames[0].decode("ascii", "replace").split(".")[-1]
        for off in range(0, len(frames[1]), 64):
            t = decode(frames[1][off:off + 64])
            t["symbol"] = symbol
            print(json.dumps(t), flush=True)
            printed += 1
            if args.count and printed >= args.count:
                break


if __name__ == "__main__":
    main()

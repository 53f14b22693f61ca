#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tools/demo.sh BUILD_DIR [DATA_DIR] -- the whole pipeline on one simulated
# trading day: ticksim multicasts the market on 127.0.0.1 (TTL 0), tickfeed
# publishes it, tickstore records it, tickq prints the symbols, the front H100
# contract's 5-minute bars and the H100 curve with its basis, and writes two
# SVG charts. './dev demo' builds and runs it; ctest runs it as a test.
set -euo pipefail
bin=$(cd "${1:?usage: tools/demo.sh BUILD_DIR [DATA_DIR]}" && pwd)
d=${2:-$bin/demo}
say() { printf '==> %s\n' "$*" >&2; }
store= feed=
cleanup() { kill $store $feed 2>/dev/null || true; }
trap cleanup EXIT
rm -rf "$d" && mkdir -p "$d"
port=${GT_DEMO_PORT_BASE:-31000}
pub="ipc://$d/pub" rtr="ipc://$d/router" db="$d/gputick.db"
say "gputick $("$bin/query/tickq" --version | cut -d' ' -f2): one simulated trading day in about 20 s"
say "tickstore records into $db"
"$bin/store/tickstore" --db "$db" --endpoint "$pub" --router "$rtr" --flush-ms 200 \
    --stats 0 >"$d/tickstore.log" 2>&1 &
store=$!
say "tickfeed joins the multicast channels on 127.0.0.1 and publishes on $pub"
"$bin/feedhandler/tickfeed" --port-base "$port" --journal "$d/journal" --pub "$pub" --router "$rtr" \
    --idle-exit 3 --stats 5 >"$d/tickfeed.log" 2>&1 &
feed=$!
# ticksim starts once tickfeed has joined its groups (its SO_RCVBUF line): a
# datagram sent before would be lost. 30 s at most.
for i in $(seq 300); do
    grep -q 'tickfeed: SO_RCVBUF' "$d/tickfeed.log" && break
    kill -0 "$feed" 2>/dev/null || break
    sleep 0.1
done
grep -q 'tickfeed: SO_RCVBUF' "$d/tickfeed.log" ||
    { tail -5 "$d/tickfeed.log" >&2; echo "demo: tickfeed did not join its groups" >&2; exit 1; }
say "ticksim sends the market: 4 products x 12 months, their indexes, faults on the lines"
"$bin/tools/ticksim/ticksim" --port-base "$port" --day-seconds 40 --fault drop=0.01 --lose-both 0.0002 \
    --truth "$d/truth.jsonl"
wait "$feed" || { tail -5 "$d/tickfeed.log" >&2; exit 1; }
feed=
tail -n 1 "$d/tickfeed.log" >&2
# Until tickstore holds every record tickfeed published (they are queued on
# its socket; it flushes every 200 ms), 60 s at most, then stop it.
published=$(sed -n 's/^tickfeed exit: .* published \([0-9]*\) records.*/\1/p' "$d/tickfeed.log")
held() { "$bin/query/tickq" stats --db "$db" --format csv 2>/dev/null | awk -F, '$1 == "TOTAL" { print $3 }'; }
for i in $(seq 300); do
    [ "$(held)" = "$published" ] && break
    kill -0 "$store" 2>/dev/null || break
    sleep 0.2
done
[ "$(held)" = "$published" ] ||
    { tail -5 "$d/tickstore.log" >&2; echo "demo: tickstore holds $(held) of $published records" >&2; exit 1; }
kill -TERM "$store" && wait "$store" || { tail -5 "$d/tickstore.log" >&2; exit 1; }
store=
tail -n 1 "$d/tickstore.log" >&2
q=("$bin/query/tickq")
say "tickq symbols --product H100"
"${q[@]}" symbols --db "$db" --product H100 --format table
front=$("${q[@]}" symbols --db "$db" --product H100 --format csv |
    awk -F, '$3 == "future" { print $2; exit }')
say "tickq bars $front --interval 5m (the front H100 contract)"
"${q[@]}" bars "$front" --db "$db" --interval 5m --format table
close="2026-11-24T21:00:00Z"
say "tickq curve H100 --at $close (the forward curve and its basis to the index)"
"${q[@]}" curve H100 --db "$db" --at "$close" --format table
"${q[@]}" chart bars "$front" --db "$db" --interval 5m --out "$d/$front-5m.svg"
"${q[@]}" chart curve H100 --db "$db" --at "$close" --out "$d/H100-curve.svg"
say "done: the store is $db (try: $bin/query/tickq stats --db $db)"
say "charts: $d/$front-5m.svg and $d/H100-curve.svg; logs and the journal are in $d"

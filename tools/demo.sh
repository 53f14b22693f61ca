#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tools/demo.sh BUILD_DIR [DATA_DIR] [--web] -- the whole pipeline on one
# simulated trading day: ticksim multicasts the market on 127.0.0.1 (TTL 0),
# tickfeed publishes it, tickstore records it, tickweb serves it, tickq prints
# the symbols, the front H100 contract's 5-minute bars and the H100 curve with
# its basis, and writes two SVG charts. It ends with the console's URL; with
# --web the pipeline and tickweb stay up (the day's last state on the console)
# until Ctrl-C. './dev demo [--web]' builds and runs it; ctest runs it as a
# test. GT_DEMO_WEB_PORT sets tickweb's port (default 5580).
set -euo pipefail
bin=$(cd "${1:?usage: tools/demo.sh BUILD_DIR [DATA_DIR] [--web]}" && pwd)
d=${2:-$bin/demo}
[ "${2:-}" = --web ] && d=$bin/demo
keep=0
for a in "$@"; do [ "$a" = --web ] && keep=1; done
say() { printf '==> %s\n' "$*" >&2; }
store= feed= web=
cleanup() { kill $store $feed $web 2>/dev/null || true; }
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
idle=(--idle-exit 3)
[ $keep = 1 ] && idle=()
"$bin/feedhandler/tickfeed" --port-base "$port" --journal "$d/journal" --pub "$pub" --router "$rtr" \
    "${idle[@]}" --stats 5 >"$d/tickfeed.log" 2>&1 &
feed=$!
url=
if [ -x "$bin/web/tickweb" ]; then
    wport=${GT_DEMO_WEB_PORT:-5580}
    url="http://127.0.0.1:$wport/"
    say "tickweb serves the store and the live bus at $url"
    "$bin/web/tickweb" --listen "127.0.0.1:$wport" --db "$db" -e "$pub" -r "$rtr" >"$d/tickweb.log" 2>&1 &
    web=$!
fi
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
held() { "$bin/query/tickq" stats --db "$db" --format csv 2>/dev/null | awk -F, '$1 == "TOTAL" { print $3 }'; }
if [ $keep = 0 ]; then
    wait "$feed" || { tail -5 "$d/tickfeed.log" >&2; exit 1; }
    feed=
    tail -n 1 "$d/tickfeed.log" >&2
    # Until tickstore holds every record tickfeed published (they are queued on
    # its socket; it flushes every 200 ms), 60 s at most, then stop it.
    published=$(sed -n 's/.*tickfeed: exit: .* published \([0-9]*\) .*/\1/p' "$d/tickfeed.log")
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
else
    # Kept up: the queries below need the store to hold something, 60 s at most.
    for i in $(seq 300); do
        [ -n "$(held)" ] && [ "$(held)" -gt 0 ] && break
        sleep 0.2
    done
fi
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
if [ -n "$url" ]; then
    # The API answers what tickq answered (a check when ctest runs the demo).
    if command -v curl >/dev/null; then
        curl -sf "${url}api/symbols?product=H100" | grep -q "\"$front\"" ||
            { echo "demo: tickweb did not answer ${url}api/symbols" >&2; tail -5 "$d/tickweb.log" >&2; exit 1; }
    fi
    if [ $keep = 1 ]; then
        say "the console: $url (the day's last state; Ctrl-C stops everything)"
        wait "$web" || true
    else
        say "the console: $url while './dev demo --web' runs (it keeps the pipeline up until Ctrl-C)"
    fi
fi

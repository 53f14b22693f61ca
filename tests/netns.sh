#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/netns.sh BUILD_DIR -- docs/deployment.md's topology across three
# "hosts" made of network namespaces, with CURVE on every hop:
#
#   feed host  (198.18.0.1)  ticksim -> multicast on lo -> tickfeed (PUB, ROUTER)
#                            + a reference tickstore on the feed host
#   proxy host (198.18.0.2 | 198.18.1.1)  tickproxy, both sides CURVE
#   desk host  (198.18.1.2)  tickstore, an H100 shard, ticksub with an allowed
#                            key, ticksub with an unknown key
#
# The desk host has no route to the feed host: everything passes the proxy.
# Checks: both stores hold every tick tickfeed published (the same series,
# counts and times), the shard holds the H100 share, the allowed subscriber
# got a snapshot and live ticks, the unknown key got nothing and the proxy
# logged it.
#
# Safety: the outer namespace is a new user+network namespace holding only lo
# and our veth links (198.18.0.0/15 is RFC 2544's benchmarking range); it has
# no route off this machine, which the script checks before sending anything.
# Skips (exit 77) where unshare or ip is missing or namespaces are not allowed.
set -euo pipefail
bin=$(cd "${1:?usage: tests/netns.sh BUILD_DIR}" && pwd)
skip() { echo "netns: skipped: $*" >&2; exit 77; }

if [ "${GT_NETNS_INSIDE:-}" != 1 ]; then
    command -v unshare >/dev/null || skip "no unshare (util-linux)"
    command -v nsenter >/dev/null || skip "no nsenter (util-linux)"
    command -v ip >/dev/null || skip "no ip (iproute2)"
    unshare -rn true 2>/dev/null || skip "this machine allows no user+network namespaces"
    exec env GT_NETNS_INSIDE=1 unshare -rn "$0" "$@"
fi

# ---- inside the new namespace: the feed host ----
d=$(mktemp -d "${TMPDIR:-/tmp}/gt-netns.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ "${keep:-0}" = 1 ]; then echo "netns: logs kept in $d" >&2; else rm -rf "$d"; fi
}
trap cleanup EXIT
fail() {
    echo "netns: FAIL: $*" >&2
    for f in "$d"/*.log; do echo "--- $f" >&2; tail -5 "$f" >&2; done
    keep=1
    exit 1
}
say() { printf 'netns: %s\n' "$*" >&2; }

ip link set lo up
# Two more hosts: a process each holds a new network namespace open.
unshare -n sleep 600 & proxy_ns=$!; pids+=("$proxy_ns")
unshare -n sleep 600 & desk_ns=$!; pids+=("$desk_ns")
# Until each has left this namespace (a link moved too early would stay here).
for i in $(seq 200); do
    [ "$(readlink /proc/$proxy_ns/ns/net)" != "$(readlink /proc/self/ns/net)" ] &&
        [ "$(readlink /proc/$desk_ns/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
    sleep 0.05
done
# Run on a host (exec, so that $! is the program itself).
at_proxy=(nsenter -t "$proxy_ns" -n)
at_desk=(nsenter -t "$desk_ns" -n)
ip link add gt-feed type veth peer name gt-up netns "$proxy_ns"
ip link add gt-down netns "$proxy_ns" type veth peer name gt-desk netns "$desk_ns"
ip addr add 198.18.0.1/30 dev gt-feed && ip link set gt-feed up
"${at_proxy[@]}" sh -c 'ip link set lo up &&
    ip addr add 198.18.0.2/30 dev gt-up && ip link set gt-up up &&
    ip addr add 198.18.1.1/30 dev gt-down && ip link set gt-down up'
"${at_desk[@]}" sh -c 'ip link set lo up && ip addr add 198.18.1.2/30 dev gt-desk &&
    ip link set gt-desk up'
# Nothing here reaches off the machine, and the desk cannot reach the feed.
ip route get 192.0.2.1 >/dev/null 2>&1 && fail "the feed host has a route off this machine"
"${at_desk[@]}" ip route get 198.18.0.1 >/dev/null 2>&1 && fail "the desk host reaches the feed host"

# Keys: the feed allows the proxy and its own recorder; the proxy allows the
# recorders and the desk; the stranger's key is in no list.
mkdir -p "$d/keys/feed-allow" "$d/keys/proxy-allow"
for k in feed proxy ref rec shard desk stranger; do "$bin/tools/tickkey/tickkey" "$d/keys/$k" >/dev/null; done
cp "$d/keys/proxy.pub" "$d/keys/ref.pub" "$d/keys/feed-allow/"
cp "$d/keys/rec.pub" "$d/keys/shard.pub" "$d/keys/desk.pub" "$d/keys/proxy-allow/"
K=$d/keys

feed_pub=tcp://198.18.0.1:5560 feed_rtr=tcp://198.18.0.1:5561
prox_pub=tcp://198.18.1.1:5570 prox_rtr=tcp://198.18.1.1:5571
to_feed=(--curve-server-pub "$K/feed.pub")
to_proxy=(--curve-server-pub "$K/proxy.pub")

"$bin/feedhandler/tickfeed" --port-base 33000 --journal "$d/journal" --pub "$feed_pub" \
    --router "$feed_rtr" --bind-remote --curve-server-key "$K/feed.key" \
    --curve-allow "$K/feed-allow" --reorder-ms 50 --stats 1 >"$d/feed.log" 2>&1 &
feed=$!; pids+=("$feed")
"${at_proxy[@]}" "$bin/tools/tickproxy/tickproxy" --sub-connect "$feed_pub" --req-connect "$feed_rtr" \
    --curve-client-key "$K/proxy.key" "${to_feed[@]}" --pub-bind "$prox_pub" \
    --router-bind "$prox_rtr" --bind-remote --curve-server-key "$K/proxy.key" \
    --curve-allow "$K/proxy-allow" --stats 1 >"$d/proxy.log" 2>&1 &
pids+=($!)
"$bin/store/tickstore" --db "$d/ref.db" -e "$feed_pub" -r "$feed_rtr" --curve-client-key "$K/ref.key" \
    "${to_feed[@]}" --flush-ms 100 --stats 0 >"$d/ref.log" 2>&1 &
ref=$!; pids+=("$ref")
"${at_desk[@]}" "$bin/store/tickstore" --db "$d/desk.db" -e "$prox_pub" -r "$prox_rtr" \
    --curve-client-key "$K/rec.key" "${to_proxy[@]}" --flush-ms 100 --stats 0 >"$d/rec.log" 2>&1 &
rec=$!; pids+=("$rec")
"${at_desk[@]}" "$bin/store/tickstore" --db "$d/h100.db" --product H100 -e "$prox_pub" -r "$prox_rtr" \
    --curve-client-key "$K/shard.key" "${to_proxy[@]}" --flush-ms 100 --stats 0 >"$d/shard.log" 2>&1 &
shard=$!; pids+=("$shard")
"${at_desk[@]}" "$bin/tools/ticksub/ticksub" -e "$prox_pub" -r "$prox_rtr" -k trade -T 20 -j \
    --curve-client-key "$K/stranger.key" "${to_proxy[@]}" >"$d/stranger.out" 2>"$d/stranger.log" &
stranger=$!; pids+=("$stranger")
# Until tickfeed has joined its groups: its SO_RCVBUF line (30 s at most). The
# recorders need not be connected first: they replay what they missed.
for i in $(seq 300); do
    grep -q 'tickfeed: SO_RCVBUF' "$d/feed.log" && break
    sleep 0.1
done
grep -q 'tickfeed: SO_RCVBUF' "$d/feed.log" || fail "tickfeed did not join its groups"

say "ticksim on the feed host's lo; tickfeed -> tickproxy -> desk host, CURVE on both hops"
"$bin/tools/ticksim/ticksim" --port-base 33000 --seed 9 --duration 2h --day-seconds 120 \
    --fault drop=0.01 >"$d/sim.log" 2>&1 &
sim=$!; pids+=("$sim")
# A late joiner on the desk host, mid-session: a snapshot through the proxy,
# then the live stream.
# ticksub gives up when its snapshot gets no reply within 3 s, which a
# sanitizer build at load 30 can take through the proxy: asked again, five
# times at most, on that error only.
sleep 3
for i in 1 2 3 4 5; do
    rc=0
    "${at_desk[@]}" "$bin/tools/ticksub/ticksub" -e "$prox_pub" -r "$prox_rtr" -S -p H100 -j -T 3 \
        --curve-client-key "$K/desk.key" "${to_proxy[@]}" >"$d/desk.out" 2>"$d/desk.log" || rc=$?
    [ $rc != 0 ] && grep -q '^ticksub: no reply within [0-9]* ms ([^;]*)$' "$d/desk.log" || break
    say "the late joiner's snapshot got no reply in time; asking again"
done
[ $rc = 0 ] || fail "the allowed subscriber failed"
wait "$sim" || fail "ticksim failed"
# tickfeed serves until the recorders hold everything: one that fell behind (a
# sanitizer build on a busy machine replays chunk after chunk) needs its
# ROUTER. A tickfeed that quit 3 s after the market (--idle-exit) left the
# stores at 16,384 and 45,056 of 92,494 records, for good. Every datagram was
# queued to tickfeed's sockets when ticksim ended, so it has published all
# once two of its stats lines (one a second) after that agree on the packets
# and records counted: 60 s at most.
counts() { sed -n 's/.*tickfeed: stats: packets \([0-9]*\) .* published \([0-9]*\) .*/\1 \2/p' "$d/feed.log"; }
n0=$(counts | wc -l)
settled=
for i in $(seq 600); do
    settled=$(counts | tail -n +$((n0 + 1)) | tail -2 | uniq -c | awk 'NR == 1 && $1 == 2 { print $3 } NR > 1 { exit 1 }') || settled=
    [ -n "$settled" ] && break
    kill -0 "$feed" 2>/dev/null || fail "tickfeed exited before the stores caught up"
    sleep 0.1
done
published=$settled
[ -n "$published" ] && [ "$published" -gt 1000 ] || fail "tickfeed published '$published' records"

total() { "$bin/query/tickq" stats --db "$1" --format csv 2>/dev/null | awk -F, '$1 == "TOTAL" { print $3 }'; }
series() { "$bin/query/tickq" stats --db "$1" --format csv 2>/dev/null | cut -d, -f1-3,7-8 | sort; }
# The H100 share of the bus: the full store's series of H100's symbols.
h100_of() {
    "$bin/query/tickq" symbols --db "$1" --product H100 --format csv | awk -F, 'NR > 1 { print $2 "," }' >"$d/h100.syms"
    series "$1" | grep -F -f "$d/h100.syms"
}
# Until both stores hold every record and the shard its share: 120 s at most
# (each round runs tickq four times; a sanitizer build on a busy machine is slow).
deadline=$((SECONDS + 120))
while [ $SECONDS -lt $deadline ]; do
    if [ "$(total "$d/ref.db")" = "$published" ] && [ "$(total "$d/desk.db")" = "$published" ]; then
        h100_of "$d/ref.db" >"$d/ref-h100.series"
        series "$d/h100.db" | grep -v -e '^TOTAL,' -e '^symbol,' >"$d/h100.series"
        cmp -s "$d/ref-h100.series" "$d/h100.series" && break
    fi
    sleep 0.2
done
kill -TERM "$feed"
wait "$feed" || fail "tickfeed failed"
final=$(sed -n 's/.*tickfeed: exit: .* published \([0-9]*\) .*/\1/p' "$d/feed.log")
[ "$final" = "$published" ] || fail "tickfeed published $final records, $published when its counts settled"
for p in "$ref" "$rec" "$shard"; do
    kill -TERM "$p"
    rc=0; wait "$p" || rc=$?
    [ $rc = 0 ] || fail "a tickstore (pid $p) exited with $rc"
done
kill -TERM "$stranger" 2>/dev/null || true
wait "$stranger" || true

[ "$(total "$d/ref.db")" = "$published" ] || fail "the feed host's store holds $(total "$d/ref.db") of $published"
[ "$(total "$d/desk.db")" = "$published" ] || fail "the desk's store holds $(total "$d/desk.db") of $published"
series "$d/ref.db" >"$d/ref.series"
series "$d/desk.db" >"$d/desk.series"
cmp -s "$d/ref.series" "$d/desk.series" || fail "the two stores hold different series"
[ -s "$d/h100.series" ] && cmp -s "$d/ref-h100.series" "$d/h100.series" ||
    fail "the H100 shard differs from the H100 series of the full store"
# The late joiner: snapshot records (flag GT_F_SNAPSHOT, 16; one snapshot per
# kind of H100), then live ones, none before a snapshot line.
read -r snap live < <(awk -F'"flags":' '{ split($2, a, ","); if (int(a[1] / 16) % 2) { n++; if (l) bad = 1 } else l++ }
    END { print (bad ? 0 : n + 0), l + 0 }' "$d/desk.out")
[ "$snap" -gt 0 ] || fail "the allowed subscriber got no snapshot"
[ "$live" -gt 0 ] || fail "the allowed subscriber got no live ticks after its snapshot"
[ -s "$d/stranger.out" ] && fail "the unknown key received $(wc -l <"$d/stranger.out") lines"
grep -q 'denied CURVE client key' "$d/proxy.log" || fail "the proxy did not log the unknown key"
grep -q 'refused this client' "$d/stranger.log" || fail "the unknown key's ticksub did not hear its refusal: $(cat "$d/stranger.log")"
say "ok: $published records published, both stores hold them all (the same series);" \
    "the H100 shard its $(wc -l <"$d/h100.series") series; the desk's late joiner $snap" \
    "snapshot + $live live records; the unknown key nothing, its denial logged"

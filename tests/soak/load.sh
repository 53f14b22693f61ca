#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/soak/load.sh BUILD_DIR [SECONDS] -- ticksim at a simulated day per second
# (8 order-flow events per product per simulated second: as much as two cores
# send, feed and record at once), for SECONDS (default 60), on loopback.
# Prints each process's resident memory every 5 s, tickfeed's kernel drops and
# gaps, and whether tickstore kept up; fails if a process died or a memory
# grew by more than 20 % after the first 15 s (warm-up).
set -euo pipefail
bin=$(cd "${1:?usage: load.sh BUILD_DIR [SECONDS]}" && pwd)
secs=${2:-60}
d=$(mktemp -d /tmp/gtload-XXXXXX)
trap 'kill $store $feed $sim 2>/dev/null || true; rm -rf "$d"' EXIT
pub="ipc://$d/pub" rtr="ipc://$d/rtr" pb=45500
"$bin/store/tickstore" --db "$d/db" --endpoint "$pub" --router "$rtr" --stats 5 >"$d/store.log" 2>&1 &
store=$!
"$bin/feedhandler/tickfeed" --port-base $pb --journal "$d/j" --pub "$pub" --router "$rtr" \
    --stats 5 >"$d/feed.log" 2>&1 &
feed=$!
sleep 0.5
"$bin/tools/ticksim/ticksim" --port-base $pb --day-seconds 1 --duration 1000d --flow 8 --quiet \
    >"$d/sim.log" 2>&1 &
sim=$!
rss() { awk '/VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
printf '%6s %12s %12s\n' seconds tickfeed_kB tickstore_kB
base_f=0 base_s=0 max_f=0 max_s=0
for ((t = 5; t <= secs; t += 5)); do
    sleep 5
    kill -0 $feed && kill -0 $store || { echo "a process died" >&2; exit 1; }
    f=$(rss $feed) s=$(rss $store)
    printf '%6d %12d %12d\n' $t "$f" "$s"
    ((t == 15)) && base_f=$f base_s=$s
    ((f > max_f)) && max_f=$f
    ((s > max_s)) && max_s=$s
done
kill -INT $sim; wait $sim || true
sleep 3
kill -TERM $feed; wait $feed || true
sleep 2
kill -TERM $store; wait $store || true
grep 'tickfeed exit' "$d/feed.log" | cut -c1-400
tail -n 1 "$d/store.log"
echo "max RSS: tickfeed ${max_f} kB (at 15 s: ${base_f} kB), tickstore ${max_s} kB (at 15 s: ${base_s} kB)"
((max_f <= base_f * 12 / 10 + 1024 && max_s <= base_s * 12 / 10 + 1024)) ||
    { echo "memory grew after warm-up" >&2; exit 1; }

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/soak/load.sh BUILD_DIR [SECONDS] -- ticksim at a simulated day per second
# (8 order-flow events per product per simulated second: as much as two cores
# send, feed and record at once), for SECONDS (default 60, at least 30), on
# loopback. Every 5 s it prints the resident memory of ticksim, tickfeed and
# tickstore, and tickstore's stats lines as they come (how far behind the feed
# it is); at the end tickfeed's drops and gaps, every process's largest RSS, and
# whether tickstore caught up.
#
# Memory: the first half of the run is warm-up (tickstore's 8 MiB write buffer
# and WAL bound fill within seconds, tickfeed's books and buffers sooner); the
# second half must show no growth trend: for each process, the mean RSS of the
# last quarter of the run may exceed the mean of the third quarter by at most
# 4 MiB or 5 %, whichever is more (an 8 MiB memtable filling and flushing is a
# sawtooth, a leak is a slope). Fails too if a process dies or exits non-zero,
# or tickstore does not catch up.
set -euo pipefail
bin=$(cd "${1:?usage: load.sh BUILD_DIR [SECONDS]}" && pwd)
secs=${2:-60}
((secs >= 30)) || { echo "load.sh: SECONDS must be at least 30" >&2; exit 2; }
d=$(mktemp -d /tmp/gtload-XXXXXX)
store= feed= sim=
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
names=(ticksim tickfeed tickstore)
pids=($sim $feed $store)
declare -a max=(0 0 0) q3=(0 0 0) q4=(0 0 0)
n3=0 n4=0 shown=0
printf '%7s %12s %12s %12s\n' seconds ticksim_kB tickfeed_kB tickstore_kB
for ((t = 5; t <= secs; t += 5)); do
    sleep 5
    for i in 0 1 2; do
        kill -0 "${pids[$i]}" 2>/dev/null || { echo "load.sh: ${names[$i]} died at ${t} s" >&2; exit 1; }
    done
    r=($(rss $sim) $(rss $feed) $(rss $store))
    printf '%7d %12d %12d %12d\n' $t "${r[0]}" "${r[1]}" "${r[2]}"
    # tickstore's stats lines since the last sample: ticks, checkpoint, behind.
    lines=$(wc -l <"$d/store.log")
    if ((lines > shown)); then
        tail -n +$((shown + 1)) "$d/store.log" | head -n $((lines - shown)) | sed 's/^/        /'
        shown=$lines
    fi
    for i in 0 1 2; do
        ((r[i] > max[i])) && max[i]=${r[i]}
        if ((t * 4 > secs * 3)); then
            q4[i]=$((q4[i] + r[i]))
        elif ((t * 2 > secs)); then
            q3[i]=$((q3[i] + r[i]))
        fi
    done
    if ((t * 4 > secs * 3)); then n4=$((n4 + 1)); elif ((t * 2 > secs)); then n3=$((n3 + 1)); fi
done
fail=0
kill -INT $sim
wait $sim || { echo "load.sh: ticksim exited $?" >&2; fail=1; }
sim=
# tickstore catches up while tickfeed still serves its journal (at most 60 s).
for ((w = 0; w < 60; w++)); do
    tail -n 1 "$d/store.log" | grep -q ' behind 0 ' && break
    sleep 1
done
kill -TERM $feed
wait $feed || { echo "load.sh: tickfeed exited $?" >&2; fail=1; }
feed=
kill -TERM $store
wait $store || { echo "load.sh: tickstore exited $?" >&2; fail=1; }
store=
grep 'tickfeed: exit' "$d/feed.log" | cut -c1-400
tail -n 1 "$d/store.log"
last=$(grep 'tickfeed: exit' "$d/feed.log" | grep -o ' seq [0-9]*' | tail -1 | cut -d' ' -f3)
cp=$(tail -n 1 "$d/store.log" | grep -o 'checkpoint [0-9]*' | cut -d' ' -f2)
echo "tickstore: checkpoint ${cp:-?} of ${last:-?}, ${w} s after the load stopped (stats every 5 s)"
if [ -z "$last" ] || [ "$cp" != "$last" ]; then
    echo "load.sh: tickstore did not catch up with tickfeed" >&2
    fail=1
fi
for i in 0 1 2; do
    a=$((q3[i] / (n3 > 0 ? n3 : 1))) b=$((q4[i] / (n4 > 0 ? n4 : 1)))
    slack=$((a / 20 > 4096 ? a / 20 : 4096))
    verdict=ok
    if ((b > a + slack)); then verdict="GREW"; fail=1; fi
    printf '%-9s max RSS %7d kB; mean %7d kB in the third quarter, %7d kB in the last: %s\n' \
        "${names[$i]}" "${max[$i]}" $a $b "$verdict"
done
((fail == 0)) || { echo "load.sh: failed" >&2; exit 1; }
echo "load.sh: memory flat after warm-up, every process exited 0, tickstore caught up"

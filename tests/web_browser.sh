#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/web_browser.sh BUILD_DIR -- the console in a real browser: ticksim
# multicasts a trading day on 127.0.0.1 (TTL 0), tickfeed publishes it,
# tickstore records it, tickweb serves it on a pid-derived loopback port, and
# tests/web_browser.js drives Debian's chromium (headless) through
# puppeteer-core. Exits 77 (skipped, with the reason) where chromium, node or
# the npm packages the build installs are absent; ./dev test's skip check
# refuses that skip unless the machine explains it.
set -euo pipefail
bin=$(cd "${1:?usage: tests/web_browser.sh BUILD_DIR}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
export GT_NPM_DIR=$bin/npm
chromium=${GT_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "web_browser: skipped: no $chromium (apt-get install chromium)"; exit 77; }
command -v node >/dev/null || { echo "web_browser: skipped: no node"; exit 77; }
[ -d "$GT_NPM_DIR/node_modules/puppeteer-core" ] ||
    { echo "web_browser: skipped: no puppeteer-core in $GT_NPM_DIR (npm absent or failed at build)"; exit 77; }
d=$(mktemp -d /tmp/gt-web-browser.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$d"
}
trap cleanup EXIT
# Below the kernel's ephemeral range (32768 on), where no outgoing connection
# takes the listening port first.
port=$((20000 + ($$ % 800) * 10)) web=$((28500 + $$ % 4000))
pub="ipc://$d/pub" rtr="ipc://$d/router"
"$bin/store/tickstore" --db "$d/db" --endpoint "$pub" --router "$rtr" --flush-ms 200 --stats 0 \
    >"$d/tickstore.log" 2>&1 &
pids+=($!)
"$bin/feedhandler/tickfeed" --port-base "$port" --journal "$d/journal" --pub "$pub" --router "$rtr" \
    --stats 0 >"$d/tickfeed.log" 2>&1 &
pids+=($!)
"$bin/web/tickweb" --listen "127.0.0.1:$web" --db "$d/db" -e "$pub" -r "$rtr" >"$d/tickweb.log" 2>&1 &
webpid=$!
pids+=($webpid)
# A long day (a simulated minute and a half a second): the test reads it while
# it runs, and stops it long before its end on a busy machine too.
"$bin/tools/ticksim/ticksim" --port-base "$port" --day-seconds 400 --fault drop=0.01 \
    --lose-both 0.003 >"$d/ticksim.log" 2>&1 &
pids+=($!)
# tickq's symbols answer once the store holds the definitions and a trade.
for _ in $(seq 1 300); do
    grep -q 'cannot listen' "$d/tickweb.log" && { cat "$d/tickweb.log"; exit 1; }
    if curl -sf "http://127.0.0.1:$web/api/symbols?product=H100" 2>/dev/null | grep -q '"trade":[1-9]'; then
        break
    fi
    sleep 0.1
done
rc=0
node "$src/tests/web_browser.js" "http://127.0.0.1:$web" "$bin/web-console.png" || rc=$?
# tickweb stops cleanly with its clients gone: exit 0 (in the sanitizer tree,
# no leak or error report either).
if [ $rc -eq 0 ]; then
    kill -TERM "$webpid"
    wrc=0
    wait "$webpid" || wrc=$?
    if [ $wrc -ne 0 ] || grep -q 'runtime error\|Sanitizer' "$d/tickweb.log"; then
        echo "web_browser: FAIL: tickweb exited $wrc on SIGTERM"
        rc=1
    fi
fi
if [ $rc -ne 0 ]; then
    for f in tickweb tickfeed tickstore ticksim; do echo "--- $f"; tail -20 "$d/$f.log"; done
fi
exit $rc

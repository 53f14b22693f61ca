#!/bin/sh
# SPDX-License-Identifier: MIT
# npm.sh PREFIX WEBDIR STAMP -- the console's chart library and the browser
# test's driver, from the npm registry at pinned versions (the build runs this
# once; web/CMakeLists.txt):
#   lightweight-charts 5.3.0  TradingView's charts, Apache-2.0 (its NOTICE asks
#                             for attribution: the console links to it), copied
#                             to WEBDIR/lib/ and served by tickweb: no CDN
#   puppeteer-core 24.43.1    drives /usr/bin/chromium in tests/web_browser.js
#                             (Apache-2.0); never served
# Without npm, or if the install fails, it says so and the build goes on: the
# console then draws no candlesticks and the browser test reports itself
# skipped, which ./dev test's skip check refuses unless npm is absent.
set -u
prefix=$1 webdir=$2 stamp=$3
lwc=lightweight-charts@5.3.0
pptr=puppeteer-core@24.43.1
js=$prefix/node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js
if ! command -v npm >/dev/null 2>&1; then
    echo "web/npm.sh: npm is absent: the console has no chart library and the browser test skips" >&2
elif [ -f "$js" ] && [ -d "$prefix/node_modules/puppeteer-core" ] ||
    npm install --prefix "$prefix" --no-audit --no-fund --save-exact "$lwc" "$pptr" >&2; then
    mkdir -p "$webdir/lib"
    cp "$js" "$webdir/lib/lightweight-charts.js"
    cp "$prefix/node_modules/lightweight-charts/LICENSE" "$webdir/lib/lightweight-charts.LICENSE.txt" 2>/dev/null || true
else
    echo "web/npm.sh: npm install of $lwc $pptr failed: the console has no chart library and the browser test skips" >&2
fi
touch "$stamp"

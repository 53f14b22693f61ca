#!/bin/sh
# SPDX-License-Identifier: MIT
# package.sh BINARY_DIR -- builds the Debian package of a built tree and
# checks it as an operator would meet it, without changing the machine:
#
#   - cpack builds the .deb into a temporary folder; lintian finds no error;
#   - its Depends name only runtime libraries (no -dev package), and every
#     program it ships has a manual page that documents --help;
#   - dpkg-deb -x unpacks it into a throwaway root; the example files under
#     /etc/gputick parse (--print-config); from there `tickq --help` runs, and a tiny pipeline runs from the installed paths: ticksim --pcap
#     -> tickfeed --pcap -> tickstore -> tickq bars, every published record
#     recorded (tickstore's checkpoint and tick count equal tickfeed's last
#     sequence);
#   - the unit files pass `systemd-analyze verify` (their ExecStart pointed
#     at the throwaway root);
#   - postinst, run with stub commands that only log, creates the system
#     user and the state folders it should, and the maintainer scripts parse.
#
# Exits 77 (skipped, with a message) where cpack's DEB tools or lintian are
# not installed (./dev deps installs them).
set -eu
bin=$(cd "$1" && pwd)
for t in cpack dpkg-deb dpkg-shlibdeps lintian systemd-analyze help2man; do
    command -v "$t" >/dev/null || {
        echo "skipped: $t not installed (./dev deps installs it)" >&2
        exit 77
    }
done
tmp=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "package.sh: $*" >&2
    exit 1
}

cpack -G DEB --config "$bin/CPackConfig.cmake" -B "$tmp/out" >"$tmp/cpack.log" 2>&1 ||
    { tail -20 "$tmp/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$tmp"/out/gputick_*.deb)
echo "built $(basename "$deb"): $(stat -c %s "$deb") bytes"

# lintian: warnings are shown, an error fails.
lintian --fail-on error "$deb" >"$tmp/lintian.log" 2>&1 || { cat "$tmp/lintian.log" >&2; fail "lintian reports errors"; }
grep -E '^[EW]:' "$tmp/lintian.log" || true

deps=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $deps"
case $deps in *-dev*) fail "a build-only package among the dependencies: $deps" ;; esac
for lib in libzmq5 librocksdb liblz4-1 libc6; do
    case $deps in *"$lib"*) ;; *) fail "Depends lacks $lib: $deps" ;; esac
done

root=$tmp/root
dpkg-deb -x "$deb" "$root"
for p in tickfeed tickstore tickq ticksim tickproxy ticksub tickkey; do
    [ -x "$root/usr/bin/$p" ] || fail "no /usr/bin/$p in the package"
    page=$root/usr/share/man/man1/$p.1.gz
    [ -f "$page" ] || fail "no manual page for $p"
    zcat "$page" | grep -q -- 'help' || fail "$p.1 does not document --help"
done
[ -f "$root/usr/lib/libgputick.a" ] || fail "no libgputick.a"
[ -L "$root/usr/lib/libgputick.so.0" ] || fail "no libgputick.so.0"
[ -f "$root/usr/lib/pkgconfig/gputick.pc" ] || fail "no gputick.pc"
for f in tickfeed.conf tickstore.conf tickstore@H100.conf tickstore@H200.conf \
    tickstore@B200.conf tickstore@A100.conf tickproxy.conf; do
    [ -f "$root/etc/gputick/$f" ] || fail "no /etc/gputick/$f"
    dpkg-deb -I "$deb" conffiles | grep -qx "/etc/gputick/$f" || fail "/etc/gputick/$f is no conffile"
done

# The example configuration parses as each unit reads it.
etc=$root/etc/gputick
"$root/usr/bin/tickfeed" --config "$etc/tickfeed.conf" --print-config >/dev/null ||
    fail "tickfeed refuses /etc/gputick/tickfeed.conf"
for s in H100 H200 B200 A100; do
    "$root/usr/bin/tickstore" --config "$etc/tickstore.conf" --config "$etc/tickstore@$s.conf" \
        --print-config >/dev/null || fail "tickstore refuses its configuration for $s"
done
"$root/usr/bin/tickproxy" --stats 60 --config "$etc/tickproxy.conf" --print-config >/dev/null ||
    fail "tickproxy refuses /etc/gputick/tickproxy.conf"

"$root/usr/bin/tickq" --help >"$tmp/help.txt" || fail "tickq --help failed"
grep -q '^usage: tickq' "$tmp/help.txt" || fail "tickq --help says: $(head -1 "$tmp/help.txt")"

# The tiny pipeline, every program from the unpacked root.
run=$tmp/run
mkdir "$run"
pub="ipc://$run/pub" rtr="ipc://$run/rtr"
"$root/usr/bin/ticksim" --no-send --pcap "$run/cap.pcap" --duration 1h --quiet ||
    fail "ticksim --pcap failed"
# The same capture always publishes the same records: a first run, alone,
# says how many.
"$root/usr/bin/tickfeed" --pcap "$run/cap.pcap" --journal "$run/journal0" --pub "ipc://$run/pub0" \
    --router "" 2>"$run/feed0.log" || fail "tickfeed --pcap failed: $(tail -1 "$run/feed0.log")"
last=$(grep -o ' seq [0-9]*' "$run/feed0.log" | tail -1 | cut -d' ' -f3)
[ -n "$last" ] && [ "$last" -gt 1000 ] || fail "tickfeed published '$last' records"
"$root/usr/bin/tickstore" --db "$run/db" --endpoint "$pub" --router "$rtr" --flush-ms 100 \
    --stats 1 2>"$run/store.log" &
store=$!
pids="$store"
# --linger: tickfeed serves replays after the capture, while tickstore catches up.
"$root/usr/bin/tickfeed" --pcap "$run/cap.pcap" --journal "$run/journal" --pub "$pub" \
    --router "$rtr" --linger 120 --stats 0 2>"$run/feed.log" &
feed=$!
pids="$store $feed"
i=0
while [ $i -lt 1200 ] && ! grep -q "checkpoint $last " "$run/store.log"; do
    sleep 0.1
    i=$((i + 1))
done
grep -q "checkpoint $last " "$run/store.log" ||
    { tail -3 "$run/feed.log" "$run/store.log" >&2; fail "tickstore did not record up to tickfeed's last sequence $last"; }
kill "$store" "$feed" 2>/dev/null || true
wait "$store" || fail "tickstore did not stop cleanly"
wait "$feed" || true
pids=""
tail -1 "$run/store.log" | grep -q "^info tickstore: ticks $last checkpoint $last " ||
    fail "tickstore's last line: $(tail -1 "$run/store.log") (want ticks $last checkpoint $last)"
"$root/usr/bin/tickq" bars H100Z6 --db "$run/db" --interval 5m --format csv >"$run/bars.csv" ||
    fail "tickq bars failed"
nbars=$(($(wc -l <"$run/bars.csv") - 1))
[ "$nbars" -ge 3 ] || fail "tickq bars: $nbars bars"
echo "pipeline from the package: $last records published and recorded, $nbars 5-minute bars"

# The units, with their programs in the unpacked root.
units=$tmp/units
mkdir "$units"
for f in "$root"/lib/systemd/system/*; do
    sed "s|/usr/bin/|$root/usr/bin/|" "$f" >"$units/$(basename "$f")"
done
cp "$units/tickstore@.service" "$units/tickstore@H100.service"
web=
[ -f "$units/tickweb.service" ] && web=tickweb.service # built where libmicrohttpd is
(cd "$units" && systemd-analyze verify --man=no tickfeed.service tickstore@H100.service \
    tickproxy.service $web) >"$tmp/verify.log" 2>&1 || { cat "$tmp/verify.log" >&2; fail "systemd-analyze verify"; }
[ ! -s "$tmp/verify.log" ] || { cat "$tmp/verify.log" >&2; fail "systemd-analyze verify complains"; }
for u in tickfeed.service tickstore@H100.service tickproxy.service; do
    grep -q '^Type=notify$' "$units/$u" || fail "$u is not Type=notify"
    (cd "$units" && systemd-analyze security --offline=yes "$u" 2>/dev/null | tail -1)
done
[ -z "$web" ] || (cd "$units" && systemd-analyze security --offline=yes "$web" 2>/dev/null | tail -1)

# The maintainer scripts: they parse, and postinst does what it should,
# with every command it changes the machine through replaced by a logger.
dpkg-deb -e "$deb" "$tmp/ctl"
for s in postinst postrm; do
    [ -x "$tmp/ctl/$s" ] || fail "$s missing or not executable"
    sh -n "$tmp/ctl/$s" || fail "$s does not parse"
done
stubs=$tmp/stubs
mkdir "$stubs"
for c in adduser mkdir chown chmod systemctl; do
    printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$c" "$tmp" >"$stubs/$c"
    chmod +x "$stubs/$c"
done
printf '#!/bin/sh\nexit 2\n' >"$stubs/getent" # no such user yet
chmod +x "$stubs/getent"
PATH=$stubs:$PATH sh "$tmp/ctl/postinst" configure || fail "postinst configure failed"
grep -q '^adduser --system --group --home /var/lib/gputick .*gputick$' "$tmp/calls" ||
    fail "postinst did not create the system user: $(cat "$tmp/calls")"
for d in /var/lib/gputick /var/backups/gputick; do
    [ -d "$d" ] || grep -q "^chown gputick:gputick $d$" "$tmp/calls" ||
        fail "postinst did not make $d the user's: $(cat "$tmp/calls")"
done
echo "package.sh: lintian clean of errors, units verified, postinst checked, pipeline ran from the package"

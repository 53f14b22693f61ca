#!/bin/sh
# SPDX-License-Identifier: MIT
# check.sh BINARY_DIR CC [CFLAGS...] -- installs a built tree into a temporary
# prefix and builds a downstream program against it the way a user would.
#
# `cmake --install --prefix` puts the tree in a fresh folder; every installed
# header must compile on its own (one file includes them all), every function
# an installed header declares must be defined in an installed library
# (libgputick.a, or libgtstore.a for store.h; a header whose code is not
# installed would not link for a user), tests/install/reader.c, compiled and
# linked with nothing but `pkg-config --cflags --libs gputick` from that
# prefix, must run and read its tick, examples/subscriber.c (the bus client,
# gputick/sub.h) must build the same way and run, and
# tests/install/store_reader.c, built the same way with `gputick-store`, must
# record and read back a store. The shared libgputick.so (SONAME
# libgputick.so.0) must define every function of libgputick.a that a header
# declares; the reader links to it (the linker's choice), so it runs with the
# prefix's lib folder on LD_LIBRARY_PATH as an installed one would from
# /usr/lib. CFLAGS carry the sanitizer flags of a sanitizer tree.
set -eu
bin=$1 cc=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$bin" --prefix "$tmp/prefix" >/dev/null
pc=$(find "$tmp/prefix" -name gputick.pc)
[ -n "$pc" ] || { echo "check.sh: no gputick.pc installed" >&2; exit 1; }
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
inc=$(pkg-config --variable=includedir gputick)
lib=$(pkg-config --variable=libdir gputick)
case $inc in "$tmp"/prefix/*) ;; *) echo "check.sh: includedir $inc is outside the prefix" >&2; exit 1 ;; esac
[ -f "$lib/libgputick.a" ] || { echo "check.sh: no $lib/libgputick.a" >&2; exit 1; }

# Functions the installed headers declare: a line at column 0 that is not a
# comment, macro, type or static inline, up to its first '(' (house style
# writes a prototype on its first line with its name).
# include/gputick/ is the public API: every header in it is installed.
src=$(cd "$here/../../include/gputick" && pwd)
for h in "$src"/*.h; do
    b=$(basename "$h")
    [ -f "$inc/gputick/$b" ] || { echo "check.sh: include/gputick/$b is not installed" >&2; exit 1; }
done
[ -f "$lib/libgtstore.a" ] || { echo "check.sh: no $lib/libgtstore.a" >&2; exit 1; }
nm -g --defined-only "$lib/libgputick.a" "$lib/libgtstore.a" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/defined"
nm -g --defined-only "$lib/libgputick.a" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/defined_a"
nm -D --defined-only "$lib/libgputick.so" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/defined_so"
soname=$(objdump -p "$lib/libgputick.so" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = libgputick.so.0 ] || { echo "check.sh: libgputick.so's SONAME is '$soname'" >&2; exit 1; }
missing=0 checked=0
for h in "$inc"/gputick/*.h; do
    echo "#include <gputick/$(basename "$h")>" >>"$tmp/all_headers.c"
    for f in $(grep -E '^[A-Za-z_][A-Za-z0-9_ *]*\(' "$h" |
        grep -vE '^(static|typedef|struct|enum|union|extern|_Static_assert)\b' |
        sed -E 's/^([^(]*[^A-Za-z0-9_(])?([A-Za-z_][A-Za-z0-9_]*)\(.*/\2/'); do
        checked=$((checked + 1))
        if ! grep -qx "$f" "$tmp/defined"; then
            echo "check.sh: $(basename "$h") declares $f, which no installed library defines" >&2
            missing=1
        fi
        if grep -qx "$f" "$tmp/defined_a" && ! grep -qx "$f" "$tmp/defined_so"; then
            echo "check.sh: $(basename "$h") declares $f, which the installed libgputick.so lacks" >&2
            missing=1
        fi
    done
done
[ "$missing" -eq 0 ] || exit 1
echo "int gt_all_headers_compile;" >>"$tmp/all_headers.c"

# shellcheck disable=SC2046 # pkg-config's words are meant to split
"$cc" "$@" -Wall -Wextra -Werror -o "$tmp/reader" "$here/reader.c" "$tmp/all_headers.c" \
    $(pkg-config --cflags --libs gputick)
LD_LIBRARY_PATH=$lib "$tmp/reader"
# examples/subscriber.c, the bus client's example, builds the same way.
# shellcheck disable=SC2046
"$cc" "$@" -Wall -Wextra -Werror -o "$tmp/subscriber" "$here/../../examples/subscriber.c" \
    $(pkg-config --cflags --libs gputick)
LD_LIBRARY_PATH=$lib "$tmp/subscriber" --help | grep -q "usage: subscriber" ||
    { echo "check.sh: examples/subscriber.c does not run" >&2; exit 1; }
# shellcheck disable=SC2046 # pkg-config's words are meant to split
"$cc" "$@" -Wall -Wextra -Werror -o "$tmp/store_reader" "$here/store_reader.c" \
    $(pkg-config --cflags --libs gputick-store)
LD_LIBRARY_PATH=$lib "$tmp/store_reader" "$tmp/store"
echo "check.sh: $(ls "$inc"/gputick | wc -l) headers installed, their $checked functions all in libgputick.a (and .so) or libgtstore.a; the downstream reader, examples/subscriber.c and the store reader link and run"

#!/bin/sh
# SPDX-License-Identifier: MIT
# check_layers.sh [SOURCE_DIR] -- the folders are the dependency graph: checks
# every quoted #include of every tracked .c and .h against the table below.
#
# A file may include
#   - a header of its own folder;
#   - a public header, "gputick/x.h" (include/gputick/, the installed API);
#   - a header of a folder on a LOWER layer whose row says it exports;
#   - anything, if its own row says "any" (the white-box tests and benchmarks);
#   - what EXCEPTIONS names, file by file, each with its reason.
# include/gputick/ itself includes only include/gputick/ and system headers.
# A folder with C files and no row is an error: a new folder gets one row
# (as mdp3/, the exchange-format layer, got `mdp3 1 exports`).
#
# Prints one line per violation and exits 1, or says how many includes it
# checked and exits 0. Runs under ctest (check_layers) and in ./dev test.
set -eu
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top"

# folder           layer  exports  (layers: lower is more basic)
LAYERS='
include/gputick    0      exports
lib                0      -
mdp3               1      exports
daemon             1      exports
feedhandler        2      -
store              2      -
query              3      exports
tools/ticksim      3      -
tools/ticksub      3      -
tools/tickproxy    3      -
tools/tickkey      3      -
examples           3      -
python             4      -
web                4      -
tools/bench        9      any
tests              9      any
'

# file                        header                   until / why
EXCEPTIONS='
'

# The row of a path: the longest folder of the table it lies in.
row_of() {
    echo "$LAYERS" | awk -v p="$1" 'NF == 3 && (p == $1 || index(p, $1 "/") == 1) {
        if (length($1) > best) { best = length($1); row = $0 } } END { print row }'
}

files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' ! -path './build/*' | sed 's|^\./||')
folders=$(echo "$LAYERS" | awk 'NF == 3 { print $1 }')
bad=0 n=0
fail() {
    echo "check_layers: $1" >&2
    bad=1
}

for f in $files; do
    dir=$(dirname "$f")
    row=$(row_of "$f")
    if [ -z "$row" ]; then
        fail "$f: folder $dir has no row in the layer table (tools/check_layers.sh)"
        continue
    fi
    set -- $row
    own=$1 layer=$2 exp=$3
    for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
        n=$((n + 1))
        # Where the compiler finds it: beside the file, else include/, else a
        # module folder (only reachable through a named include directory).
        if [ -f "$dir/$h" ]; then
            target="$dir/$h"
        elif [ -f "include/$h" ]; then
            target="include/$h"
        else
            target=
            for m in $folders; do
                [ -f "$m/$h" ] && target="$m/$h" && break
            done
            if [ -z "$target" ]; then
                fail "$f includes \"$h\", which is in no folder of the table"
                continue
            fi
        fi
        target=$(realpath -m --relative-to=. "$target") # "../x/y.h" named as it is
        trow=$(row_of "$target")
        set -- $trow
        town=$1 tlayer=$2 texp=$3
        if [ "$own" = include/gputick ]; then
            [ "$town" = include/gputick ] ||
                fail "$f (public) includes $target: include/gputick/ includes only itself"
            continue
        fi
        [ "$town" = "$own" ] && continue
        [ "$town" = include/gputick ] && continue # the public API, for everyone
        [ "$exp" = any ] && continue
        [ "$texp" = exports ] && [ "$tlayer" -lt "$layer" ] && continue
        if echo "$EXCEPTIONS" | awk -v f="$f" -v t="$target" '$1 == f && $2 == t { found = 1 }
            END { exit !found }'; then
            continue
        fi
        if [ "$texp" = exports ]; then
            fail "$f includes $target: $own (layer $layer) may not include $town (layer $tlayer)"
        else
            fail "$f includes $target, a private header of $town"
        fi
    done
done
[ "$bad" -eq 0 ] || exit 1
echo "check_layers: $n includes of $(echo "$files" | wc -l) files keep to the layers"

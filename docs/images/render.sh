#!/bin/sh
# Regenerates the pictures of docs/getting-started.md from netc's own output:
# seed-rf.svg with `netc rf`, and seed-rf.png, a screenshot of it taken by
# headless Chromium (Debian: apt-get install chromium).
#
# Usage, from the repository root:  sh docs/images/render.sh [NETC]
# tests/cli/test_docs.py fails when seed-rf.svg is not what netc draws now.
set -eu
netc=${1:-build/netc}
cd "$(dirname "$0")/../.."
"$netc" rf examples/seed.net --svg docs/images/seed-rf.svg >/dev/null 2>&1
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --screenshot=docs/images/seed-rf.png \
    --window-size=900,620 "file://$PWD/docs/images/seed-rf.svg" >/dev/null 2>&1
ls -l docs/images/seed-rf.svg docs/images/seed-rf.png

#!/bin/sh
# `npm run build`: type-check and compile (incrementally: tsc keeps what it learned in build/.tsbuildinfo), then
# build the start-up snapshot. build/.built records when the sources were last compiled; bin/mcp-stack compares the
# sources against it and builds only when one is newer. The mark is taken before compiling, so a file saved during a
# build is still newer than it and triggers the next build.
# Two builds at once (an editor's `npm run build` while the launcher builds, parallel test workers) would share
# build/: they take turns on a lock instead, and each keeps its own mark until it is done.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
mkdir -p build
if command -v flock >/dev/null 2>&1; then
  exec 9>build/.build.lock
  flock 9
fi
mark=build/.built.next.$$
: > "$mark"
trap 'rm -f "$mark"' EXIT
npx --no-install tsc -p tsconfig.json --incremental --tsBuildInfoFile build/.tsbuildinfo
node build/scripts/build-snapshot.js
mv -f "$mark" build/.built

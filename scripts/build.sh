#!/bin/sh
# `npm run build`: type-check and compile (incrementally: tsc keeps what it learned in build/.tsbuildinfo), then
# build the start-up snapshot. build/.built records when the sources were last compiled; bin/mcp-stack compares the
# sources against it and builds only when one is newer. The mark is taken before compiling, so a file saved during a
# build is still newer than it and triggers the next build.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
mkdir -p build
: > build/.built.next
npx --no-install tsc -p tsconfig.json --incremental --tsBuildInfoFile build/.tsbuildinfo
node build/scripts/build-snapshot.js
mv build/.built.next build/.built

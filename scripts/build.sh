#!/bin/sh
# Bundles the daemon and the CLI into single ESM files so that nothing is compiled at run time.
# The CLI learns its git commit (read from .git without running git) and build time here.
set -e
cd "$(dirname "$0")/.."
mkdir -p dist

commit=unknown
gitdir=.git
[ -f .git ] && gitdir=$(sed -n 's/^gitdir: //p' .git)
if [ -f "$gitdir/HEAD" ]; then
  head=$(cat "$gitdir/HEAD")
  case $head in
    ref:*)
      ref=${head#ref: }
      if [ -f "$gitdir/$ref" ]; then commit=$(cat "$gitdir/$ref")
      elif [ -f "$gitdir/packed-refs" ]; then commit=$(grep " $ref\$" "$gitdir/packed-refs" | cut -d' ' -f1)
      fi ;;
    *) commit=$head ;;
  esac
fi
commit=$(printf '%s' "${commit:-unknown}" | cut -c1-7)
built=$(date -u ${SOURCE_DATE_EPOCH:+-d @$SOURCE_DATE_EPOCH} +%Y-%m-%dT%H:%M:%SZ)

for entry in daemon/main:berthd cli/main:berth; do
  src=${entry%%:*}; out=${entry##*:}
  node_modules/.bin/esbuild "src/$src.ts" --bundle --platform=node --format=esm --target=node24 \
    --outfile="dist/$out.js" --log-level=warning \
    --define:BERTH_GIT_COMMIT="\"$commit\"" --define:BERTH_BUILD_TIME="\"$built\"" \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
done

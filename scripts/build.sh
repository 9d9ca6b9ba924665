#!/bin/sh
# Bundles the daemon, the CLI and the registry server into single ESM files so that nothing is compiled at run time.
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

for entry in daemon/main:berthd cli/main:berth registry/main:berth-registry cli/compose-plugin:docker-compose; do
  src=${entry%%:*}; out=${entry##*:}
  node_modules/.bin/esbuild "src/$src.ts" --bundle --platform=node --format=esm --target=node24 \
    --outfile="dist/$out.js" --log-level=warning \
    --define:BERTH_GIT_COMMIT="\"$commit\"" --define:BERTH_BUILD_TIME="\"$built\"" \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
done
# One non-Latin-1 character (an arrow in a comment) makes V8 keep the whole bundle's source as a
# two-byte string: twice the daemon's memory for it. Escape every non-ASCII character (\uXXXX is
# the same character in strings, regexes, templates and identifiers, and harmless in comments).
node_modules/node/bin/node -e '
const fs = require("fs");
for (const f of process.argv.slice(1)) {
  const s = fs.readFileSync(f, "utf8");
  const t = s.replace(/[^\x00-\x7f]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  if (t !== s) fs.writeFileSync(f, t);
}' dist/berthd.js dist/berth.js dist/berth-registry.js dist/docker-compose.js

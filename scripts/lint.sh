#!/bin/sh
# Structure lint, run by `npm test` before the unit tests and alone by `npm run lint`:
#  - dependency-cruiser (.dependency-cruiser.mjs): a box (a folder directly under src/) uses
#    another box only through its index.ts; test/, bench/ and scripts/ likewise;
#  - knip (knip.jsonc): no unused files, exports, types or dependencies.
# Both tools are run on the project's pinned Node 24 whatever node is first on PATH.
# docs/architecture.md, "Boundaries", says what the rules are and how to fix a finding.
# Both always run, so one run shows every finding; the exit status is non-zero if either fails.
cd "$(dirname "$0")/.." || exit 1
node=node_modules/.bin/node
status=0
# Every box that others may use has an index.ts; daemon/ and cli/ are programs (main.ts).
for box in src/*/; do
  box=${box%/}
  case $box in src/daemon|src/cli) continue ;; esac
  [ -f "$box/index.ts" ] || { echo "lint: $box has no index.ts (a box is used through its index.ts)"; status=1; }
done
"$node" node_modules/dependency-cruiser/bin/dependency-cruiser.mjs --config .dependency-cruiser.mjs \
  src test bench scripts || status=1
"$node" node_modules/knip/bin/knip.js --no-progress || status=1
[ $status -eq 0 ] && echo "lint: box boundaries and unused exports OK"
exit $status

#!/bin/sh
# The whole suite: typecheck, lint (box boundaries, unused exports), build, unit tests, then
# integration tests against a real berthd.
set -e
cd "$(dirname "$0")/.."
node_modules/.bin/tsc --noEmit -p .
sh scripts/lint.sh
sh scripts/build.sh
sh test/fixtures/make-busybox-image.sh >/dev/null
node --test --test-concurrency=1 --test-timeout=300000 'src/**/*.test.ts'
# Integration files each start their own daemon (data root, socket, bridge, subnets, chains:
# test/integration/harness.ts), so they run side by side in lanes.
exec node --test --test-concurrency="${BERTH_TEST_LANES:-2}" --test-timeout=300000 'test/**/*.test.ts'

#!/bin/sh
# The whole suite: typecheck, lint (box boundaries, unused exports), build, unit tests, then
# integration tests against a real berthd.
set -e
cd "$(dirname "$0")/.."
node_modules/.bin/tsc --noEmit -p .
sh scripts/lint.sh
sh scripts/build.sh
sh test/fixtures/make-busybox-image.sh >/dev/null
exec node --test --test-concurrency=1 --test-timeout=300000 'src/**/*.test.ts' 'test/**/*.test.ts'

#!/bin/sh
# Records the golden texts of `berth build` from the real docker CLI 28.2 (legacy builder): its
# help, and its flag and context errors (none of which needs a daemon). Writes build-help.golden
# and build-errors.json beside this script; `docker` becomes `berth`, and the deprecation
# banner of the legacy builder (which berth does not print) is left out.
set -e
here=$(cd "$(dirname "$0")" && pwd)
ctx=/tmp/berth-build-golden/ctx
mkdir -p "$ctx" && printf 'FROM busybox\n' > "$ctx/Dockerfile"
export DOCKER_BUILDKIT=0 DOCKER_HOST=unix:///tmp/berth-build-golden/none.sock
DOCKER_BUILDKIT=0 docker build --help 2>/dev/null | sed 's/\bdocker\b/berth/g' > "$here/build-help.golden"
cd /tmp/berth-build-golden
node - "$here/build-errors.json" <<'JS'
const { spawnSync } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const c = '/tmp/berth-build-golden/ctx';
const cases = [
  [], [c, c], ['-t', 'BAD:Tag', c], ['-t', 'a:b:c', c], ['-t', '', c], ['-t', 'a@sha256:abc', c], ['-m', '5x', c], ['--memory-swap', 'zz', c],
  ['--shm-size', 'q', c], ['--ulimit', 'foo=1', c], ['--ulimit', 'nofile', c], ['--ulimit', 'nofile=2:1', c], ['--add-host', 'bad', c],
  ['-c', 'x', c], ['--cpu-period', 'x', c], ['--cpu-quota', '1.5', c], ['--label', '', c], ['--build-arg', '=x', c], ['--build-arg', '', c],
  ['/nonexist'], [`${c}/Dockerfile`], ['-f', '/nonexist/Dockerfile', c], ['-f', 'nope', c], ['-f', `${c}/nope`, c], ['-f', '-', '-'], ['--bogus', c],
];
const out = cases.map((args) => {
  const r = spawnSync('docker', ['build', ...args], { encoding: 'utf8' });
  const stderr = r.stderr.replace(/^DEPRECATED:[\s\S]*?\n\n/, '').replace(/\bdocker\b/g, 'berth');
  return { args, code: r.status, stderr };
});
writeFileSync(process.argv[2], JSON.stringify(out, null, 1) + '\n');
JS

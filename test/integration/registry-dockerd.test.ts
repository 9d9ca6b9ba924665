// berth-registry against the reference client: a PRIVATE dockerd (Debian's 20.10, own data root
// and socket; 127.0.0.0/8 registries are plain HTTP for it) pushes to it and pulls from it with
// the real docker CLI: chunked uploads, "Layer already exists", cross-repository mounts,
// pulls by tag and by digest, and `docker search` through the v1 search API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAYERED_TAR } from './harness.ts';
import { dockerdMissing, startPrivateDockerd, type PrivateDockerd } from './dockerd.test-helpers.ts';
import { startBerthRegistry, type RunningRegistry } from './registry.test-helpers.ts';

const missing = dockerdMissing();
let d: PrivateDockerd | undefined;
let reg: RunningRegistry;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-registry-dockerd-'));
  reg = await startBerthRegistry(['--addr', '127.0.0.1:0', '--root', join(dir, 'root')]);
  if (missing) return;
  d = await startPrivateDockerd();
  const loaded = await d!.docker(['load', '-i', LAYERED_TAR]);
  assert.equal(loaded.code, 0, loaded.stderr);
});

after(async () => {
  if (d) {
    await d.stop();
    assert.deepEqual(await d.leftovers(), [], 'the private dockerd left traces');
  }
  await reg?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('docker push, re-push, mount, pull by tag and digest, search', { skip: missing }, async () => {
  const docker = (args: string[]) => d!.docker(args, { timeoutMs: 120_000 });
  const ref = `${reg.host}/library/busybox:layered`;
  assert.equal((await docker(['tag', 'busybox:layered', ref])).code, 0);
  const push = await docker(['push', ref]);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /Pushed/);
  const digest = /digest: (sha256:[a-f0-9]{64})/.exec(push.stdout)?.[1];
  assert.ok(digest, push.stdout);

  const again = await docker(['push', ref]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Layer already exists/);
  assert.doesNotMatch(again.stdout, /Pushed/);

  const other = `${reg.host}/team/copy:layered`;
  assert.equal((await docker(['tag', 'busybox:layered', other])).code, 0);
  const mount = await docker(['push', other]);
  assert.equal(mount.code, 0, mount.stderr);
  assert.match(mount.stdout, /Mounted from library\/busybox/);

  const id = (await docker(['image', 'inspect', '--format', '{{.Id}}', 'busybox:layered'])).stdout.trim();
  assert.equal((await docker(['rmi', ref, other])).code, 0);
  const pull = await docker(['pull', other]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, new RegExp(`Digest: ${digest}`));
  assert.equal((await docker(['image', 'inspect', '--format', '{{.Id}}', other])).stdout.trim(), id);
  const byDigest = await docker(['pull', `${reg.host}/library/busybox@${digest}`]);
  assert.equal(byDigest.code, 0, byDigest.stderr);

  const search = await docker(['search', '--format', '{{.Name}}', `${reg.host}/busybox`]);
  assert.equal(search.code, 0, search.stderr);
  // Names as the registry returns them (docker prints them as they come).
  assert.deepEqual(search.stdout.trim().split('\n'), ['library/busybox']);
});

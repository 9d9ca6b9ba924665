// Images through the docker CLI (tag, history, save/load, import, rmi rules, prune) and the
// event stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemonWithBusybox, run, LAYERED_TAR, type Daemon } from './harness.ts';

let d: Daemon;
let tmp: string;
before(async () => {
  d = await startDaemonWithBusybox();
  tmp = await mkdtemp('/tmp/bt-img-');
});
after(async () => {
  await d?.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

test('tag, history and rmi with Docker\'s conflict rules', async () => {
  assert.equal((await d.docker(['tag', 'busybox', 'mybox:1'])).code, 0);
  const hist = await d.docker(['history', '--format', '{{.CreatedBy}}', 'mybox:1']);
  assert.equal(hist.code, 0, hist.stderr);
  const byId = await d.docker(['rmi', (await d.docker(['images', '-q', 'busybox'])).stdout.trim()]);
  assert.equal(byId.code, 1);
  assert.match(byId.stderr, /image is referenced in multiple repositories/);
  await d.docker(['create', '--name', 'user', 'mybox:1', 'true']);
  const used = await d.docker(['rmi', 'mybox:1']);
  assert.equal(used.code, 0, 'removing one of two tags only untags');
  assert.match(used.stdout, /Untagged: mybox:1/);
  const inUse = await d.docker(['rmi', 'busybox']);
  assert.equal(inUse.code, 1);
  assert.match(inUse.stderr, /unable to remove repository reference "busybox" \(must force\) - container [0-9a-f]{12} is using its referenced image/);
  await d.docker(['rm', 'user']);
});

test('save, remove and load round-trip a layered image', async () => {
  const loaded = await d.docker(['load', '-i', LAYERED_TAR]);
  assert.equal(loaded.code, 0, loaded.stderr);
  const before1 = await d.docker(['run', '--rm', 'busybox:layered', 'sh', '-c', 'ls /etc; ls -a /opaque 2>/dev/null || true']);
  const out = join(tmp, 'saved.tar');
  const saved = await d.docker(['save', '-o', out, 'busybox:layered']);
  assert.equal(saved.code, 0, saved.stderr);
  assert.equal((await d.docker(['rmi', 'busybox:layered'])).code, 0);
  const again = await d.docker(['load', '-i', out]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Loaded image: busybox:layered/);
  const after1 = await d.docker(['run', '--rm', 'busybox:layered', 'sh', '-c', 'ls /etc; ls -a /opaque 2>/dev/null || true']);
  assert.equal(after1.stdout, before1.stdout);
});

test('import makes an image from a tarball with --change', async () => {
  const root = join(tmp, 'rootfs');
  await mkdir(root);
  await writeFile(join(root, 'hello.txt'), 'imported\n');
  await run('cp', ['/bin/busybox', join(root, 'busybox')]);
  const tarball = join(tmp, 'rootfs.tar');
  await run('tar', ['-C', root, '-cf', tarball, '.']);
  const r = await d.docker(['import', '--change', 'CMD ["/busybox", "cat", "/hello.txt"]', '--change', 'ENV GREETING=hi', tarball, 'imported:v1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^sha256:[0-9a-f]{64}$/m);
  const ran = await d.docker(['run', '--rm', 'imported:v1']);
  assert.equal(ran.stdout, 'imported\n', ran.stderr);
  const env = await d.docker(['inspect', '-f', '{{json .Config.Env}}', 'imported:v1']);
  assert.match(env.stdout, /GREETING=hi/);
  const bad = await d.docker(['import', '--change', 'BOGUS x', tarball]);
  assert.notEqual(bad.code, 0);
});

test('events stream with filters, since and until', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  await d.docker(['run', '--rm', '--name', 'evt', '-l', 'evt=1', 'busybox', 'true']);
  const until = Math.floor(Date.now() / 1000) + 1;
  const ev = await d.docker(['events', '--since', String(since), '--until', String(until), '--filter', 'container=evt', '--format', '{{.Type}} {{.Action}}']);
  assert.equal(ev.code, 0, ev.stderr);
  const actions = ev.stdout.trim().split('\n');
  for (const a of ['container create', 'container start', 'container die', 'container destroy']) assert.ok(actions.includes(a), `${a} in ${actions}`);
  const byLabel = await d.docker(['events', '--since', String(since), '--until', String(until), '--filter', 'label=evt=1', '--filter', 'event=die', '--format', '{{.Action}} {{.Actor.Attributes.exitCode}}']);
  assert.equal(byLabel.stdout.trim(), 'die 0');
});

test('system df and info report berth\'s state', async () => {
  const df = await d.docker(['system', 'df', '--format', '{{.Type}} {{.TotalCount}}']);
  assert.equal(df.code, 0, df.stderr);
  assert.match(df.stdout, /^Images [1-9]/m);
  const info = await d.docker(['info', '--format', '{{.Driver}} {{.CgroupDriver}} {{.DockerRootDir}}']);
  assert.equal(info.stdout.trim(), `overlay2 cgroupfs ${d.dataRoot}`);
});

test('container prune removes stopped containers only', async () => {
  await d.docker(['run', '--name', 'stopped1', 'busybox', 'true']);
  await d.docker(['run', '-d', '--name', 'running1', 'busybox', 'sleep', '300']);
  const r = await d.docker(['container', 'prune', '-f']);
  assert.equal(r.code, 0, r.stderr);
  const left = await d.docker(['ps', '-a', '--format', '{{.Names}}']);
  assert.equal(left.stdout.trim(), 'running1');
  await d.docker(['rm', '-f', 'running1']);
});

// RUN --mount through the classic API (the Dockerfile is parsed in berthd, so BuildKit's mounts
// work with `docker build` too): cache (persistent, shared across builds, uid/mode), bind (from
// the context read-only, rw writes thrown away, from a stage), tmpfs, secret (raw API with the
// X-Berth-Build-Secrets header: absent from every layer, the history, the data root and the log);
// RUN --network=none; a build cancelled by a client that goes away, or by /build/cancel, leaves
// no container, mount or layer; `docker builder prune` and `docker system df`'s Build Cache.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { run, startDaemonWithBusybox, waitFor, type Daemon } from './harness.ts';
import { buildRaw, contextTar, makeContext, removeContexts } from './build.test-helpers.ts';

let d: Daemon;

before(async () => {
  d = await startDaemonWithBusybox();
});
after(async () => {
  await d?.cleanup();
  await removeContexts();
});

async function build(dir: string, args: string[] = []) {
  return d.docker(['build', ...args, dir], { timeoutMs: 120_000 });
}

const secretHeader = (secrets: Record<string, string>) => ({
  'X-Berth-Build-Secrets': Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, Buffer.from(v).toString('base64')])))).toString('base64'),
});

/** Every file of every layer of an image, as `docker save` writes them, searched for `needle`. */
async function imageContains(ref: string, needle: string): Promise<{ inLayers: boolean; paths: string[] }> {
  const dir = await mkdtemp('/tmp/bt-save-');
  try {
    const r = await d.docker(['save', '-o', join(dir, 'img.tar'), ref]);
    assert.equal(r.code, 0, r.stderr);
    execFileSync('tar', ['-C', dir, '-xf', join(dir, 'img.tar')]);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))[0];
    const paths: string[] = [];
    let inLayers = false;
    for (const layer of manifest.Layers as string[]) {
      const bytes = await readFile(join(dir, layer));
      if (bytes.includes(Buffer.from(needle))) inLayers = true;
      paths.push(...execFileSync('tar', ['-tf', join(dir, layer)]).toString().split('\n').filter(Boolean));
    }
    const config = await readFile(join(dir, manifest.Config));
    if (config.includes(Buffer.from(needle))) inLayers = true;
    return { inLayers, paths };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('RUN --mount=type=cache: the directory persists across builds, with its uid and mode, and stays out of the image', async () => {
  const dir = await makeContext({
    'Dockerfile': [
      'FROM busybox',
      'ARG N',
      'RUN --mount=type=cache,target=/var/cache/app,uid=1000,mode=0750 echo "$N" >> /var/cache/app/runs && cat /var/cache/app/runs > /seen && stat -c "%u %a" /var/cache/app > /owner',
      '',
    ].join('\n'),
  });
  const first = await build(dir, ['--build-arg', 'N=one', '-t', 'cachemount:1']);
  assert.equal(first.code, 0, first.stderr + first.stdout);
  const r = await build(dir, ['--build-arg', 'N=two', '-t', 'cachemount:2']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const out = await d.docker(['run', '--rm', 'cachemount:2', 'cat', '/seen', '/owner']);
  assert.equal(out.stdout, 'one\ntwo\n1000 750\n');
  const ls = await d.docker(['run', '--rm', 'cachemount:2', 'sh', '-c', 'ls -A /var/cache/app 2>&1; true']);
  assert.ok(!ls.stdout.includes('runs'), 'the cache is not in the image');
  // system df counts it, builder prune removes it.
  const df = await d.docker(['system', 'df', '-v', '--format', '{{json .}}']);
  assert.equal(df.code, 0, df.stderr);
  assert.match(df.stdout, /exec\.cachemount/);
  const prune = await d.docker(['builder', 'prune', '-f', '--filter', 'type=exec.cachemount']);
  assert.equal(prune.code, 0, prune.stderr);
  assert.deepEqual(await readdir(join(d.dataRoot, 'builder', 'cache-mounts')).then((n) => n.filter((x) => !x.startsWith('.'))), []);
});

test('RUN --mount=type=bind: the context read-only, rw writes thrown away, a stage\'s files', async () => {
  const dir = await makeContext({
    'Dockerfile': [
      'FROM busybox AS tools',
      'RUN echo from-stage > /tool.txt',
      'FROM busybox',
      'RUN --mount=type=bind,source=data,target=/mnt/data cat /mnt/data/file.txt > /got && (touch /mnt/data/new 2>/dev/null && echo writable || echo readonly) >> /got',
      'RUN --mount=type=bind,source=data,target=/mnt/data,rw echo scribble > /mnt/data/file.txt && cat /mnt/data/file.txt >> /got',
      'RUN --mount=type=bind,from=tools,source=/tool.txt,target=/t.txt cat /t.txt >> /got',
      '',
    ].join('\n'),
    'data/file.txt': 'context file\n',
  });
  const r = await build(dir, ['-t', 'bindmount:1']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const out = await d.docker(['run', '--rm', 'bindmount:1', 'cat', '/got']);
  assert.equal(out.stdout, 'context file\nreadonly\nscribble\nfrom-stage\n');
  const paths = (await imageContains('bindmount:1', 'scribble')).paths;
  assert.ok(!paths.some((p) => p.startsWith('mnt/data/') || p === 't.txt'), paths.join(' '));
  // The context file itself was not changed by the rw mount: a rebuild reads the original.
  const again = await build(dir, ['--no-cache', '-t', 'bindmount:2']);
  assert.equal(again.code, 0);
  assert.equal((await d.docker(['run', '--rm', 'bindmount:2', 'head', '-1', '/got'])).stdout, 'context file\n');
});

test('RUN --mount=type=tmpfs: what is written there never reaches the layer', async () => {
  const dir = await makeContext({ 'Dockerfile': 'FROM busybox\nRUN --mount=type=tmpfs,target=/scratch,size=1m echo temp > /scratch/x && grep -q " /scratch tmpfs" /proc/mounts && echo ok > /ok\n' });
  const r = await build(dir, ['-t', 'tmpfsmount:1']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal((await d.docker(['run', '--rm', 'tmpfsmount:1', 'cat', '/ok'])).stdout, 'ok\n');
  const { paths } = await imageContains('tmpfsmount:1', 'temp');
  assert.ok(!paths.some((p) => p.startsWith('scratch')), paths.join(' '));
});

test('RUN --mount=type=secret (raw API): readable in the RUN, absent from every layer, the config, history, the data root and the log', async () => {
  const secret = 'pa55-w0rd-7f3a91c2';
  const tar = await contextTar({
    'Dockerfile': [
      'FROM busybox',
      // The Dockerfile never holds the secret: the RUN records its digest, which the test checks.
      'RUN --mount=type=secret,id=token sha256sum /run/secrets/token | cut -c1-64 > /sum && stat -c %a /run/secrets/token > /mode',
      'RUN --mount=type=secret,id=token,target=/etc/tok,mode=0440,env=TOKEN test "$TOKEN" = "$(cat /etc/tok)" && echo used > /used',
      '',
    ].join('\n'),
  });
  const r = await buildRaw(d, 't=secret:1', tar, secretHeader({ token: secret }));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.error, undefined, r.output + JSON.stringify(r.error));
  const digest = createHash('sha256').update(secret).digest('hex');
  assert.equal((await d.docker(['run', '--rm', 'secret:1', 'cat', '/sum', '/mode', '/used'])).stdout, `${digest}\n400\nused\n`);
  const { inLayers, paths } = await imageContains('secret:1', secret);
  assert.equal(inLayers, false);
  assert.ok(!paths.some((p) => p.startsWith('run/secrets') || p === 'etc/tok'), paths.join(' '));
  const hist = await d.docker(['history', '--no-trunc', 'secret:1']);
  assert.ok(!hist.stdout.includes(secret));
  const grep = await run('grep', ['-rlF', secret, d.dataRoot]);
  assert.equal(grep.stdout, '', 'no file of the data root holds the secret');
  assert.ok(!d.daemonLog().includes(secret));
  assert.ok(!d.daemonLog().includes(secretHeader({ token: secret })['X-Berth-Build-Secrets']));
  // A secret the client did not send: not mounted (the RUN fails on it), or, required, an error.
  const missing = await buildRaw(d, 't=secret:2', tar, {});
  assert.match(missing.error?.error ?? missing.text, /returned a non-zero code: 1/);
  const required = await buildRaw(d, 't=secret:3', await contextTar({ 'Dockerfile': 'FROM busybox\nRUN --mount=type=secret,id=token,required=true true\n' }), {});
  assert.match(required.error?.error ?? required.json?.message ?? required.text, /secret token: not found/);
  await d.docker(['container', 'prune', '-f']);
});

test('RUN --network=none has no interface but lo, --network=host the host\'s', async () => {
  const dir = await makeContext({ 'Dockerfile': 'FROM busybox\nRUN --network=none ls /sys/class/net > /nets\nRUN ls /sys/class/net > /nets-default\nRUN --network=host ls /sys/class/net > /nets-host\n' });
  const r = await build(dir, ['-t', 'netnone:1']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal((await d.docker(['run', '--rm', 'netnone:1', 'cat', '/nets'])).stdout, 'lo\n');
  assert.match((await d.docker(['run', '--rm', 'netnone:1', 'cat', '/nets-default'])).stdout, /eth0/);
  assert.ok((await d.docker(['run', '--rm', 'netnone:1', 'cat', '/nets-host'])).stdout.split('\n').includes(d.bridge), 'the host\'s interfaces, this daemon\'s bridge among them');
});

/** Mounts under the daemon's directory that a build may make (overlays, staged binds, tmpfs). */
function buildMounts(): string[] {
  return readFileSyncSafe('/proc/self/mountinfo').split('\n').map((l) => l.split(' ')[4] ?? '').filter((p) => p.startsWith(d.dir) && !p.includes('/containers/'));
}

function readFileSyncSafe(p: string): string {
  return execFileSync('cat', [p]).toString();
}

test('a client that goes away cancels the build: its RUN container killed and removed, nothing left mounted', async () => {
  const before = buildMounts();
  const tar = await contextTar({ 'Dockerfile': 'FROM busybox\nCOPY f /f\nRUN --mount=type=secret,id=s,required=false --mount=type=cache,target=/c sleep 300\n', 'f': 'x' });
  let sawRunning = false;
  await new Promise<void>((resolve, reject) => {
    const req = request({ socketPath: d.socket, method: 'POST', path: '/build?t=cancelled:1', headers: { 'Content-Type': 'application/x-tar', ...secretHeader({ s: 'abc' }) } }, (res) => {
      res.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Running in')) {
          sawRunning = true;
          req.destroy();
          resolve();
        }
      });
      res.on('end', () => resolve());
    });
    req.on('error', () => resolve());
    req.end(tar);
    setTimeout(() => reject(new Error('the build never started its RUN')), 60_000).unref();
  });
  assert.ok(sawRunning);
  await waitFor(async () => (await d.docker(['ps', '-aq'])).stdout.trim() === '', 'the build container to go', 30_000);
  await waitFor(async () => (await readdir(join(d.dataRoot, 'builder', 'tmp')).catch(() => [])).length === 0, 'the context to go', 15_000);
  assert.deepEqual(buildMounts().filter((m) => !before.includes(m)), []);
  assert.deepEqual(await readdir(join(d.dataRoot, 'builder', 'rw')).catch(() => []), [], 'no scratch layer left');
  assert.notEqual((await d.docker(['image', 'inspect', 'cancelled:1'])).code, 0);
});

test('POST /build/cancel?id= stops the build with that buildid', async () => {
  const tar = await contextTar({ 'Dockerfile': 'FROM busybox\nRUN sleep 300\n' });
  const building = buildRaw(d, 'buildid=b-123&t=cancelled:2', tar);
  await waitFor(async () => (await d.docker(['ps', '-q'])).stdout.trim() !== '', 'the RUN container', 30_000);
  const c = await d.api('POST', '/build/cancel?id=b-123');
  assert.equal(c.status, 200, c.text);
  const r = await building;
  assert.ok(r.error, r.text);
  assert.match(r.error!.error!, /cancel/i);
  await waitFor(async () => (await d.docker(['ps', '-aq'])).stdout.trim() === '', 'the build container to go', 30_000);
  // An unknown ID is no error (moby), a missing one is.
  assert.equal((await d.api('POST', '/build/cancel?id=nothing-runs')).status, 200);
  const none = await d.api('POST', '/build/cancel');
  assert.equal(none.status, 400);
  assert.equal(none.json.message, 'build ID not provided');
});

test('docker system df shows the Build Cache and docker builder prune empties it (with the prune event)', async () => {
  const dir = await makeContext({ 'Dockerfile': 'FROM busybox\nRUN echo cached > /c\nCOPY f /f\n', 'f': 'data' });
  assert.equal((await build(dir)).code, 0);
  const df = await d.docker(['system', 'df']);
  assert.equal(df.code, 0, df.stderr);
  const line = df.stdout.split('\n').find((l) => l.startsWith('Build Cache'));
  assert.ok(line, df.stdout);
  assert.doesNotMatch(line!, /^Build Cache\s+0\s+0\s+0B/);
  const since = Math.floor(Date.now() / 1000) - 1;
  const prune = await d.docker(['builder', 'prune', '-af']);
  assert.equal(prune.code, 0, prune.stderr);
  assert.match(prune.stdout, /Total reclaimed space:/);
  const after = await d.api('GET', '/system/df?type=build-cache');
  assert.deepEqual(after.json.BuildCache, []);
  const ev = await d.docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'type=builder', '--format', '{{.Action}} {{index .Actor.Attributes "reclaimed"}}']);
  assert.match(ev.stdout, /^prune \d+$/m);
  // A rebuild after the prune runs every step again.
  const again = await build(dir);
  assert.equal((again.stdout.match(/Using cache/g) ?? []).length, 0);
});

// POST /build through raw requests, for what the docker CLI cannot send or hides: every bad
// parameter with dockerd's words and status, the stream (aux ID, errorDetail with the RUN's exit
// code, `q`), the build containers' HostConfig from the query, labels and null build args,
// FROM pulled from a local registry with X-Registry-Config credentials, `remote` contexts from a
// loopback HTTP server, /build/prune's parameters, and what a kill -9 mid-build leaves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUSYBOX_TAR, ROOT, run, startDaemonWithBusybox, waitFor, type Daemon } from './harness.ts';
import { buildRaw, contextTar, removeContexts } from './build.test-helpers.ts';
import { pushArchive, startRegistry, type Registry } from './distribution.test-helpers.ts';

let d: Daemon;
let reg: Registry | undefined;
let authReg: Registry | undefined;
let web: Server | undefined;
let webPort = 0;
const served = new Map<string, Buffer>();

before(async () => {
  d = await startDaemonWithBusybox();
});
after(async () => {
  await reg?.stop();
  await authReg?.stop();
  await new Promise((r) => (web ? web.close(r) : r(undefined)));
  await d?.cleanup();
  await removeContexts();
});

const simple = () => contextTar({ 'Dockerfile': 'FROM busybox\nRUN echo built > /built\n' });

test('bad parameters: dockerd\'s message and status for each, before any build starts', async () => {
  const tar = await simple();
  const cases: [string, number, string | RegExp][] = [
    ['buildargs=%7Bbad', 400, 'error reading build args: invalid character \'b\' looking for beginning of object key string'],
    ['buildargs=%5B%5D', 400, 'error reading build args: json: cannot unmarshal array into Go value of type map[string]*string'],
    ['buildargs=%7B%22A%22%3A1%7D', 400, 'error reading build args: json: cannot unmarshal number into Go value of type string'],
    ['labels=%7B%22a%22%3A', 400, 'error reading labels: unexpected end of JSON input'],
    ['labels=%5B1%5D', 400, 'error reading labels: json: cannot unmarshal array into Go value of type map[string]string'],
    ['cachefrom=%7B%7D', 400, 'error reading cache-from: json: cannot unmarshal object into Go value of type []string'],
    ['cachefrom=x', 400, 'error reading cache-from: invalid character \'x\' looking for beginning of value'],
    ['ulimits=x', 400, 'error reading ulimit settings: invalid character \'x\' looking for beginning of value'],
    ['ulimits=%5B%7B%22Name%22%3A%22nofile%22%2C%22Hard%22%3A%22x%22%7D%5D', 400, 'error reading ulimit settings: json: cannot unmarshal string into Go struct field Ulimit.Hard of type int64'],
    ['outputs=%5B1', 400, 'invalid outputs specified: unexpected end of JSON input'],
    ['version=3', 400, 'invalid version "3"'],
    ['version=2', 400, 'buildkit is not enabled on daemon'],
    ['squash=1', 400, 'squash is only supported with experimental mode'],
    ['isolation=hyperv', 400, 'unsupported isolation: "hyperv"'],
    ['securityopt=seccomp%3Dunconfined', 400, 'security options are not supported on linux'],
    ['memory=abc', 400, 'strconv.Atoi: parsing "abc": invalid syntax'],
    ['shmsize=1.5', 400, 'strconv.Atoi: parsing "1.5": invalid syntax'],
    ['t=UPPER', 400, /invalid reference format: repository name \(library\/UPPER\) must be lowercase/],
    ['t=ok%40sha256%3A' + 'a'.repeat(64), 400, 'build tag cannot contain a digest'],
  ];
  for (const [query, status, message] of cases) {
    const r = await buildRaw(d, query, tar);
    assert.equal(r.status, status, `${query}: ${r.text}`);
    if (typeof message === 'string') assert.equal(r.json?.message, message, query);
    else assert.match(r.json?.message ?? '', message, query);
  }
  // Nothing was built, nothing is left.
  assert.equal((await d.docker(['ps', '-aq'])).stdout.trim(), '');
  assert.deepEqual(await readdir(join(d.dataRoot, 'builder', 'tmp')), []);
});

test('bad bodies and headers: a broken tar, a missing Dockerfile, a bad secrets header', async () => {
  const junk = await buildRaw(d, '', Buffer.from('this is not a tar archive, not at all'.repeat(20)));
  assert.equal(junk.status, 400, junk.text);
  const noDf = await buildRaw(d, 'dockerfile=nope', await simple());
  assert.ok(noDf.status >= 400 || noDf.error, noDf.text);
  assert.match(noDf.json?.message ?? noDf.error?.error ?? '', /Cannot locate specified Dockerfile: nope/);
  const badHeader = await buildRaw(d, '', await simple(), { 'X-Berth-Build-Secrets': '!!not base64!!' });
  assert.equal(badHeader.status, 400);
  assert.match(badHeader.json?.message ?? '', /invalid X-Berth-Build-Secrets header/);
  const badValue = await buildRaw(d, '', await simple(), { 'X-Berth-Build-Secrets': Buffer.from('{"a": 5}').toString('base64') });
  assert.equal(badValue.status, 400);
  assert.doesNotMatch(badValue.json?.message ?? '', /5/);
  // A bad X-Registry-Config is ignored, as dockerd does.
  const badAuth = await buildRaw(d, '', await simple(), { 'X-Registry-Config': '%%%' });
  assert.equal(badAuth.status, 200);
  assert.equal(badAuth.error, undefined, badAuth.text);
  assert.deepEqual(await readdir(join(d.dataRoot, 'builder', 'tmp')), []);
});

test('the stream: Step lines, aux with the image ID, Successfully built; gzip contexts', async () => {
  const r = await buildRaw(d, 't=stream%3A1&t=stream%3A2', gzipSync(await simple()));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.error, undefined, r.text);
  assert.deepEqual(r.messages[0], { stream: 'Step 1/2 : FROM busybox\n' });
  assert.match(r.imageId ?? '', /^sha256:[0-9a-f]{64}$/);
  const inspect = await d.docker(['image', 'inspect', '--format', '{{.Id}}', 'stream:2']);
  assert.equal(inspect.stdout.trim(), r.imageId);
  assert.match(r.output, new RegExp(`Successfully built ${r.imageId!.slice(7, 19)}\\n`));
  assert.match(r.output, /Successfully tagged stream:1\nSuccessfully tagged stream:2\n$/);
  // Before API 1.30 there is no aux message.
  const old = await buildRaw(d, '', await simple(), {}, '/v1.29/build');
  assert.equal(old.status, 200);
  assert.equal(old.imageId, undefined);
});

test('q: only the image ID; on failure the whole stream then the error, with the RUN\'s exit code', async () => {
  const ok = await buildRaw(d, 'q=1', await simple());
  assert.equal(ok.status, 200);
  assert.equal(ok.messages.length, 1, ok.text);
  assert.match(ok.messages[0].stream ?? '', /^sha256:[0-9a-f]{64}\n$/);
  const failing = await contextTar({ 'Dockerfile': 'FROM busybox\nRUN echo visible; exit 7\n' });
  const bad = await buildRaw(d, 'q=1&forcerm=1', failing);
  assert.equal(bad.status, 200);
  assert.match(bad.output, /Step 2\/2 : RUN echo visible; exit 7/);
  assert.deepEqual(bad.messages.at(-1), {
    errorDetail: { code: 7, message: "The command '/bin/sh -c echo visible; exit 7' returned a non-zero code: 7" },
    error: "The command '/bin/sh -c echo visible; exit 7' returned a non-zero code: 7",
  });
  // The raw order of the error object is Go's: errorDetail {code, message}, then error.
  assert.match(bad.text, /\{"errorDetail":\{"code":7,"message":"The command/);
});

test('the build containers get the query\'s HostConfig (rm=0 keeps them for inspection), labels and null build args', async () => {
  const tar = await contextTar({ 'Dockerfile': 'FROM busybox\nARG FROMNULL\nRUN grep -q "^1.2.3.4\\s*myhost" /etc/hosts && echo "null=[$FROMNULL]" > /args && df -k /dev/shm | tail -1 > /shm && ulimit -n > /nofile\n' });
  const ulimits = encodeURIComponent(JSON.stringify([{ Name: 'nofile', Soft: 1234, Hard: 2345 }]));
  const q = `rm=0&memory=67108864&memswap=134217728&cpushares=512&cpusetcpus=0&cpuperiod=100000&cpuquota=50000&shmsize=16777216&extrahosts=myhost%3A1.2.3.4&ulimits=${ulimits}`
    + `&labels=${encodeURIComponent('{"com.example.l":"v"}')}&buildargs=${encodeURIComponent('{"FROMNULL":null}')}&t=hc%3A1`;
  const r = await buildRaw(d, q, tar);
  assert.equal(r.error, undefined, r.text);
  const ids = (await d.docker(['ps', '-aq', '--no-trunc'])).stdout.trim().split('\n').filter(Boolean);
  assert.ok(ids.length >= 1, 'rm=0 keeps the step containers');
  const runs = JSON.parse((await d.docker(['inspect', ...ids])).stdout) as any[];
  const hc = runs.find((c) => (c.Config.Cmd ?? []).join(' ').includes('grep -q'))?.HostConfig;
  assert.ok(hc, JSON.stringify(runs.map((c) => c.Config.Cmd)));
  assert.equal(hc.Memory, 67108864);
  assert.equal(hc.MemorySwap, 134217728);
  assert.equal(hc.CpuShares, 512);
  assert.equal(hc.CpusetCpus, '0');
  assert.equal(hc.CpuPeriod, 100000);
  assert.equal(hc.CpuQuota, 50000);
  assert.equal(hc.ShmSize, 16777216);
  assert.deepEqual(hc.ExtraHosts, ['myhost:1.2.3.4']);
  assert.deepEqual(hc.Ulimits, [{ Name: 'nofile', Soft: 1234, Hard: 2345 }]);
  assert.equal(hc.LogConfig.Type, 'none');
  await d.docker(['rm', '-f', ...ids]);
  const out = await d.docker(['run', '--rm', 'hc:1', 'cat', '/args', '/nofile']);
  assert.equal(out.stdout, 'null=[]\n1234\n');
  assert.match((await d.docker(['run', '--rm', 'hc:1', 'cat', '/shm'])).stdout, /\s16384\s/);
  const labels = JSON.parse((await d.docker(['image', 'inspect', '--format', '{{json .Config.Labels}}', 'hc:1'])).stdout);
  assert.deepEqual(labels, { 'com.example.l': 'v' });
});

test('networkmode=none for every RUN; an unknown network fails the step', async () => {
  const tar = await contextTar({ 'Dockerfile': 'FROM busybox\nRUN ls /sys/class/net > /nets\n' });
  const r = await buildRaw(d, 'networkmode=none&t=netq%3A1', tar);
  assert.equal(r.error, undefined, r.text);
  assert.equal((await d.docker(['run', '--rm', 'netq:1', 'cat', '/nets'])).stdout, 'lo\n');
  const bad = await buildRaw(d, 'networkmode=no-such-net&forcerm=1&nocache=1', tar);
  assert.match(bad.error?.error ?? bad.json?.message ?? '', /network no-such-net not found/);
});

test('FROM pulled from a local registry (and pull=1 pulls again); X-Registry-Config credentials for a registry with auth', async () => {
  reg = await startRegistry();
  await pushArchive(reg, BUSYBOX_TAR, 'test/base:1');
  const ref = `${reg.addr}/test/base:1`;
  const tar = await contextTar({ 'Dockerfile': `FROM ${ref}\nRUN echo pulled > /p\n` });
  const r = await buildRaw(d, 't=pulled%3A1', tar);
  assert.equal(r.error, undefined, r.text);
  assert.ok(r.messages.some((m) => m.status?.startsWith('Pulling from test/base') || m.status === 'Pull complete'), r.text);
  assert.equal((await d.docker(['run', '--rm', 'pulled:1', 'cat', '/p'])).stdout, 'pulled\n');
  // A local image of another platform is pulled for the one asked; this registry has none.
  const arm = await buildRaw(d, '', await contextTar({ 'Dockerfile': `FROM --platform=linux/arm64 ${ref}\nRUN true\n` }));
  assert.match(arm.error?.error ?? arm.json?.message ?? '', /does not match the specified platform: wanted linux\/arm64, actual: linux\/amd64|no matching manifest for linux\/arm64/, arm.text);
  const again = await buildRaw(d, 'pull=1', tar);
  assert.ok(again.messages.some((m) => /Image is up to date|Downloaded newer image/.test(m.status ?? '')), again.text);
  // A missing repository: the pull's error, as dockerd's builder reports it.
  const missing = await buildRaw(d, '', await contextTar({ 'Dockerfile': `FROM ${reg.addr}/test/nothing:1\n` }));
  assert.match(missing.error?.error ?? missing.json?.message ?? '', /manifest unknown|not found/i);

  const hp = await run(join(ROOT, 'bin/berth-registry'), ['htpasswd', '-B', 'bob', 'pw123']);
  assert.equal(hp.code, 0, hp.stderr);
  authReg = await startRegistry({ htpasswd: hp.stdout });
  await pushArchive(authReg, BUSYBOX_TAR, 'priv/base:1', 'bob:pw123');
  const privTar = await contextTar({ 'Dockerfile': `FROM ${authReg.addr}/priv/base:1\nRUN true\n` });
  const denied = await buildRaw(d, '', privTar);
  assert.match(denied.error?.error ?? denied.json?.message ?? '', /no basic auth credentials|unauthorized|denied/i);
  const config = Buffer.from(JSON.stringify({ [authReg.addr]: { username: 'bob', password: 'pw123' } })).toString('base64url');
  const allowed = await buildRaw(d, 't=priv%3A1', privTar, { 'X-Registry-Config': config });
  assert.equal(allowed.error, undefined, allowed.text);
});

test('remote: a tarball and a Dockerfile by URL on loopback; a 404 is an error', async () => {
  served.set('/ctx.tar.gz', gzipSync(await contextTar({ 'Dockerfile': 'FROM busybox\nCOPY f /f\n', 'f': 'remote file\n' })));
  served.set('/Dockerfile', Buffer.from('FROM busybox\nRUN echo from-url > /u\n'));
  web = createServer((req, res) => {
    const body = served.get(req.url ?? '');
    if (!body) {
      res.writeHead(404);
      res.end('nope');
      return;
    }
    res.writeHead(200, { 'Content-Length': String(body.length) });
    res.end(body);
  });
  await new Promise<void>((r) => web!.listen(0, '127.0.0.1', r));
  webPort = (web.address() as { port: number }).port;
  const url = (p: string) => encodeURIComponent(`http://127.0.0.1:${webPort}${p}`);
  const tarball = await buildRaw(d, `remote=${url('/ctx.tar.gz')}&t=remote%3A1`, Buffer.alloc(0));
  assert.equal(tarball.error, undefined, tarball.text);
  assert.equal((await d.docker(['run', '--rm', 'remote:1', 'cat', '/f'])).stdout, 'remote file\n');
  const dockerfile = await buildRaw(d, `remote=${url('/Dockerfile')}&t=remote%3A2`, Buffer.alloc(0));
  assert.equal(dockerfile.error, undefined, dockerfile.text);
  assert.equal((await d.docker(['run', '--rm', 'remote:2', 'cat', '/u'])).stdout, 'from-url\n');
  const missing = await buildRaw(d, `remote=${url('/missing')}`, Buffer.alloc(0));
  assert.match(missing.json?.message ?? missing.error?.error ?? '', /failed to GET .* with status 404/);
});

test('/build/prune: bad parameters, filters, keep-storage; docker system prune includes the build cache', async () => {
  const bad: [string, RegExp][] = [
    ['filters=%7Bx', /invalid filter/],
    ['filters=%7B%22nope%22%3A%7B%22x%22%3Atrue%7D%7D', /invalid filter 'nope'/],
    ['keep-storage=abc', /strconv.Atoi: parsing "abc": invalid syntax/],
    ['filters=%7B%22until%22%3A%7B%22bogus%22%3Atrue%7D%7D', /until/],
  ];
  for (const [q, re] of bad) {
    const r = await d.api('POST', `/build/prune?${q}`);
    assert.equal(r.status, 400, `${q}: ${r.text}`);
    assert.match(r.json.message, re, q);
  }
  assert.equal((await buildRaw(d, '', await simple())).error, undefined);
  // A recent cache survives an `until` of an hour, and a keep-storage larger than it.
  const kept = await d.api('POST', `/build/prune?filters=${encodeURIComponent('{"until":{"1h":true}}')}`);
  assert.equal(kept.status, 200, kept.text);
  assert.equal(kept.json.CachesDeleted, null);
  const keep = await d.api('POST', '/build/prune?all=1&keep-storage=1000000000000');
  assert.equal(keep.json.CachesDeleted, null);
  const since = Math.floor(Date.now() / 1000) - 1;
  const sp = await d.docker(['system', 'prune', '-af']);
  assert.equal(sp.code, 0, sp.stderr);
  const df = await d.api('GET', '/system/df');
  assert.deepEqual(df.json.BuildCache, []);
  const ev = await d.docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'type=builder', '--format', '{{.Action}}']);
  assert.match(ev.stdout, /^prune$/m, 'docker system prune pruned the build cache too');
  assert.equal((await d.docker(['load', '-i', BUSYBOX_TAR])).code, 0);
});

test('kill -9 mid-build: the next start removes the context, the scratch layers and the build\'s mounts', async () => {
  const tar = await contextTar({ 'Dockerfile': 'FROM busybox\nRUN --mount=type=secret,id=s sleep 300\n' });
  const header = { 'X-Berth-Build-Secrets': Buffer.from(JSON.stringify({ s: Buffer.from('zz').toString('base64') })).toString('base64') };
  const building = buildRaw(d, '', tar, header).catch(() => undefined);
  await waitFor(async () => (await d.docker(['ps', '-q'])).stdout.trim() !== '', 'the RUN container', 30_000);
  await d.kill9();
  await building;
  await d.start();
  assert.deepEqual(await readdir(join(d.dataRoot, 'builder', 'tmp')), []);
  assert.deepEqual(await readdir(join(d.dataRoot, 'builder', 'rw')).catch(() => []), []);
  const mounts = (await run('cat', ['/proc/self/mountinfo'])).stdout.split('\n').map((l) => l.split(' ')[4] ?? '');
  assert.deepEqual(mounts.filter((m) => m.startsWith(join(d.execRoot, 'builder'))), []);
  // The build container itself is an ordinary stopped container (dockerd leaves it too).
  await d.docker(['container', 'prune', '-f']);
});

// Bad input gets Docker's status and a clear message, and leaves nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { leftoverRules, startDaemonWithBusybox, run, type Daemon } from './harness.ts';

let d: Daemon;
before(async () => {
  d = await startDaemonWithBusybox();
});
after(async () => {
  await d?.cleanup();
});

test('malformed JSON on create is a 400 with a message', async () => {
  const r = await d.api('POST', '/containers/create', '{"Image": "busybox", ');
  assert.equal(r.status, 400);
  assert.match(r.json.message, /invalid JSON/i);
  const wrongType = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: 42 });
  assert.equal(wrongType.status, 400);
  const none = await d.api('GET', '/containers/json?all=1');
  assert.deepEqual(none.json, []);
});

test('unknown container is a 404 with Docker\'s message', async () => {
  for (const [method, path] of [['GET', '/containers/nope/json'], ['POST', '/containers/nope/start'], ['POST', '/containers/nope/stop'], ['DELETE', '/containers/nope']]) {
    const r = await d.api(method, path);
    assert.equal(r.status, 404, `${method} ${path}`);
    assert.equal(r.json.message, 'No such container: nope');
  }
  const cli = await d.docker(['stop', 'nope']);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /No such container: nope/);
});

test('unknown image on create is a 404', async () => {
  const r = await d.api('POST', '/containers/create', { Image: 'no-such-image:1' });
  assert.equal(r.status, 404);
  assert.match(r.json.message, /No such image: no-such-image:1/);
});

test('a duplicate name is a 409 and the first container is untouched', async () => {
  const a = await d.docker(['create', '--name', 'dup', 'busybox', 'true']);
  assert.equal(a.code, 0, a.stderr);
  const b = await d.api('POST', '/containers/create?name=dup', { Image: 'busybox' });
  assert.equal(b.status, 409);
  assert.match(b.json.message, /The container name "\/dup" is already in use by container/);
  const list = await d.api('GET', '/containers/json?all=1');
  assert.equal(list.json.length, 1);
  const badName = await d.api('POST', '/containers/create?name=bad%20name', { Image: 'busybox' });
  assert.equal(badName.status, 400);
  assert.match(badName.json.message, /Invalid container name/);
  await d.docker(['rm', 'dup']);
});

test('unknown routes answer 404, unbuilt ones 501, swarm ones 503', async () => {
  assert.equal((await d.api('GET', '/no/such/route')).status, 404);
  const swarm = await d.api('GET', '/swarm');
  assert.equal(swarm.status, 503);
  assert.match(swarm.json.message, /not a swarm manager/);
  const net = await d.api('GET', '/plugins/privileges');
  assert.equal(net.status, 501);
});

test('a layer tar with a ../ entry is refused and leaves no layer behind', async () => {
  const dir = await mkdtemp('/tmp/bt-evil-');
  try {
    // A layer whose only entry climbs out of the layer root.
    await mkdir(join(dir, 'x'));
    await writeFile(join(dir, 'x', 'evil'), 'pwned\n');
    const layer = join(dir, 'layer.tar');
    await run('tar', ['-C', join(dir, 'x'), '--transform', 's,^evil,../../evil,', '-cf', layer, 'evil']);
    const listing = await run('tar', ['-tf', layer]);
    assert.match(listing.stdout, /\.\.\/\.\.\/evil/);
    const layerBytes = await import('node:fs/promises').then((fs) => fs.readFile(layer));
    const diffId = 'sha256:' + createHash('sha256').update(layerBytes).digest('hex');
    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [diffId] } });
    const configHex = createHash('sha256').update(config).digest('hex');
    await writeFile(join(dir, `${configHex}.json`), config);
    await writeFile(join(dir, 'manifest.json'), JSON.stringify([{ Config: `${configHex}.json`, RepoTags: ['evil:latest'], Layers: ['layer.tar'] }]));
    await run('tar', ['-C', dir, '-cf', join(dir, 'image.tar'), 'manifest.json', `${configHex}.json`, 'layer.tar']);
    const before = await readdir(join(d.dataRoot, 'image/layerdb/sha256')).catch(() => []);
    const r = await d.docker(['load', '-i', join(dir, 'image.tar')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /\.\.\/\.\.\/evil|outside|escapes/);
    const after1 = await readdir(join(d.dataRoot, 'image/layerdb/sha256')).catch(() => []);
    assert.deepEqual(after1.sort(), before.sort(), 'no new layer');
    const images = await d.docker(['images', '-q', 'evil']);
    assert.equal(images.stdout.trim(), '');
    const tmp = await readdir(join(d.dataRoot, 'tmp')).catch(() => []);
    assert.deepEqual(tmp, [], 'no temp files left');
    await assert.rejects(import('node:fs/promises').then((fs) => fs.access(join(d.dataRoot, '..', 'evil'))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** Raw bytes to the daemon's socket; resolves with what came back when the server closes or `done` says so. */
function rawExchange(socket: string, bytes: string, done: (got: string) => boolean): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const s = connect(socket);
    let got = '';
    s.on('data', (c) => {
      got += c;
      if (done(got)) s.destroy();
    });
    s.on('error', reject);
    s.on('close', () => resolvePromise(got));
    s.write(bytes);
  });
}

test('wrong JSON types in a create body are a 400, never a 500 or a 201 (bug 4)', async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ HostConfig: { PidMode: 1 } }, /^json: cannot unmarshal number into Go struct field HostConfig\.HostConfig\.PidMode of type string$/],
    [{ HostConfig: { IpcMode: 1 } }, /IpcMode of type string/],
    [{ HostConfig: { NetworkMode: 1 } }, /NetworkMode of type string/],
    [{ HostConfig: { LogConfig: 'abc' } }, /LogConfig of type/],
    [{ HostConfig: { Privileged: 'abc' } }, /^json: cannot unmarshal string into Go struct field HostConfig\.HostConfig\.Privileged of type bool$/],
    [{ HostConfig: { Binds: 12345 } }, /Binds of type \[\]string/],
    [{ HostConfig: { PortBindings: 'x' } }, /PortBindings of type/],
    [{ Env: 'A=1' }, /Env of type \[\]string/],
    [{ ExposedPorts: { a: {} } }, /^invalid port specification: "a"$/],
  ];
  for (const [extra, message] of cases) {
    const r = await d.api('POST', '/containers/create', { Image: 'busybox', ...extra });
    assert.equal(r.status, 400, `${JSON.stringify(extra)}: ${r.text}`);
    assert.match(r.json.message, message);
  }
  assert.deepEqual((await d.api('GET', '/containers/json?all=1')).json, [], 'nothing was created');
  // moby's StrSlice takes a string Cmd.
  const ok = await d.api('POST', '/containers/create?name=strcmd', { Image: 'busybox', Cmd: 'true' });
  assert.equal(ok.status, 201, ok.text);
  assert.deepEqual((await d.api('GET', '/containers/strcmd/json')).json.Config.Cmd, ['true']);
  assert.equal((await d.api('POST', '/containers/strcmd/stop?t=99999999999999999999999')).status, 400);
  await d.docker(['rm', '-f', 'strcmd']);
});

test('a 1 MB network name is refused before a bridge is made, and not echoed (bug 4)', async () => {
  // This daemon's own rules (its chain prefix): a bridge made for a network gets isolation rules.
  // The host's link count is not used: test files in other lanes make links at the same time.
  const bridges = async () => (await leftoverRules(d.chainPrefix)).filter((l) => / -[io] br-/.test(l)).sort();
  const before = await bridges();
  const r = await d.api('POST', '/networks/create', { Name: 'n'.repeat(1024 * 1024) });
  assert.equal(r.status, 400);
  assert.ok(r.text.length < 400, `answer of ${r.text.length} bytes`);
  assert.deepEqual(await bridges(), before, 'no bridge was made');
  assert.equal((await d.api('GET', '/networks')).json.length, 3);
});

test('one container with a bad stored port does not break the list (bug 3)', async () => {
  const c = await d.docker(['create', '--name', 'badport', 'busybox', 'true']);
  assert.equal(c.code, 0, c.stderr);
  const id = c.stdout.trim();
  await d.stopDaemon();
  const file = join(d.dataRoot, 'containers', id, 'config.v2.json');
  const rec = JSON.parse(await readFile(file, 'utf8'));
  rec.Config.ExposedPorts = { ...(rec.Config.ExposedPorts ?? {}), a: {}, '80/tcp': {} };
  await writeFile(file, JSON.stringify(rec));
  await d.start();
  const list = await d.api('GET', '/containers/json?all=1');
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.map((x: { Id: string }) => x.Id), [id]);
  assert.deepEqual(list.json[0].Ports, [{ PrivatePort: 80, Type: 'tcp' }]);
  const ps = await d.docker(['ps', '-a', '--format', '{{.Names}}']);
  assert.equal(ps.stdout.trim(), 'badport');
  await d.docker(['rm', 'badport']);
});

test('a request target that URL parsing refuses still gets an answer (bug 5)', async () => {
  const got = await rawExchange(d.socket, 'GET //v1.99 HTTP/1.1\r\nHost: x\r\n\r\n', (g) => /\r\n0\r\n\r\n$|\r\n\r\n\{[^\n]*\}\n$/.test(g));
  assert.match(got, /^HTTP\/1.1 404 /);
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

test('an upgrade request with a 50 MB body is refused without reading it (bug 6)', async () => {
  const c = await d.docker(['run', '-d', '--name', 'upg', 'busybox', 'sleep', '60']);
  assert.equal(c.code, 0, c.stderr);
  const exec = await d.api('POST', '/containers/upg/exec', { Cmd: ['true'], AttachStdout: true });
  assert.equal(exec.status, 201, exec.text);
  const size = 50 * 1024 * 1024;
  const got = await rawExchange(d.socket,
    `POST /v1.50/exec/${exec.json.Id}/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n{"Detach":false,"x":"`,
    (g) => /\r\n\r\n\{[^\n]*\}\n?$/.test(g));
  assert.match(got, /^HTTP\/1.1 400 /);
  assert.match(got, /request body too large/);
  assert.equal((await d.api('GET', '/_ping')).status, 200);
  await d.docker(['rm', '-f', 'upg']);
});

test('a daemon whose stdout and stderr pipes close (its parent gone) keeps serving and stops cleanly on SIGTERM', async () => {
  d.closeOutput();
  // --debug: every request writes log lines to the closed stderr.
  for (let i = 0; i < 20; i++) assert.equal((await d.api('GET', '/_ping')).status, 200);
  assert.equal((await d.api('GET', '/containers/json?all=1')).status, 200);
  // The exit code of SIGTERM's clean shutdown; null would mean it had to be killed.
  assert.equal(await d.stopDaemon(), 0);
  await d.start();
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

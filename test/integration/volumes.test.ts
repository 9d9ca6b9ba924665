// Volumes end to end on a real berthd: `berth volume ...` against the real `docker volume ...`
// (exit codes, stdout and stderr must match, "docker" read as "berth"), the API's answers to bad
// input, concurrent creates of one name, a tmpfs-option volume left mounted by a killed daemon,
// and the half-made volumes a kill -9 can leave, removed at the next start.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { run, startDaemon, type Daemon, type RunResult } from './harness.ts';

function normalise(s: string): string {
  return s
    .replace(/docs\.docker\.com/g, 'DOCS')
    .replace(/docker/g, 'berth')
    .replace(/DOCS/g, 'docs.docker.com')
    .replace(/\b[0-9a-f]{64}\b/g, '<ID>');
}

function assertSame(a: RunResult, b: RunResult, what: string): void {
  assert.deepEqual(
    { code: b.code, stdout: normalise(b.stdout), stderr: normalise(b.stderr) },
    { code: a.code, stdout: normalise(a.stdout), stderr: normalise(a.stderr) },
    what,
  );
}

async function mountedUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').map((l) => l.split(' ')[4]).filter((p): p is string => Boolean(p?.startsWith(dir)));
}

describe('volumes through berth and docker', () => {
  let d: Daemon;
  const same = async (args: string[], input?: string): Promise<RunResult> => {
    const a = await d.docker(args, { input });
    const b = await d.berth(args, { input });
    assertSame(a, b, args.join(' '));
    return a;
  };
  const names = async (args: string[] = []) => {
    const r = await d.docker(['volume', 'ls', '-q', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).sort();
  };
  const removeAll = async () => {
    const all = await names();
    if (all.length) await d.docker(['volume', 'rm', ...all]);
  };

  before(async () => {
    d = await startDaemon();
  });

  after(async () => {
    if (!d) return;
    await d.cleanup();
  });

  test('help texts', async () => {
    for (const verb of ['', 'ls', 'inspect', 'create', 'rm', 'prune']) {
      await same(['volume', ...(verb ? [verb] : []), '--help']);
    }
  });

  test('create, ls, inspect and rm: the same through both CLIs', async () => {
    await removeAll();
    // One CLI creates, the other reads: outputs compared on the same objects.
    let r = await d.docker(['volume', 'create', '--label', 'tier=db', '--label', 'keep', 'dv1']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'dv1\n', '']);
    r = await d.berth(['volume', 'create', '--label', 'tier=db', '--label', 'keep', 'bv1']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'bv1\n', '']);
    const dv = (await d.docker(['volume', 'inspect', 'dv1'])).stdout;
    const bv = (await d.docker(['volume', 'inspect', 'bv1'])).stdout;
    assert.equal(bv.replace(/bv1/g, 'X').replace(/"CreatedAt": "[^"]*"/, ''), dv.replace(/dv1/g, 'X').replace(/"CreatedAt": "[^"]*"/, ''));
    const parsed = JSON.parse(dv)[0];
    assert.deepEqual(Object.keys(parsed), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
    assert.deepEqual([parsed.Driver, parsed.Scope, parsed.Labels, parsed.Options], ['local', 'local', { keep: '', tier: 'db' }, {}]);
    assert.equal(parsed.Mountpoint, join(d.dataRoot, 'volumes', 'dv1', '_data'));
    assert.match(parsed.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    assert.ok((await stat(parsed.Mountpoint)).isDirectory());
    await same(['volume', 'inspect', 'dv1', 'bv1']);
    await same(['volume', 'inspect', '-f', '{{.Name}} {{.Driver}} {{.Mountpoint}} {{index .Labels "tier"}}', 'dv1', 'bv1']);
    await same(['volume', 'inspect', '--format', 'json', 'dv1']);
    await same(['volume', 'inspect', '-f', '{{.Nope}}', 'dv1']);
    await same(['volume', 'inspect', '-f', '{{.Labels.nokey}}', 'dv1']);
    await same(['volume', 'inspect', 'dv1', 'nosuchvol']);
    await same(['inspect', '--type', 'volume', 'dv1']);
    await same(['volume', 'ls']);
    await same(['volume', 'list', '-q']);
    // (One label only: docker joins Labels in Go's random map order.)
    await d.docker(['volume', 'create', '--label', 'only=one', 'dv2']);
    await same(['volume', 'ls', '-f', 'name=dv2', '--format', '{{.Name}}\t{{.Driver}}\t{{.Scope}}\t{{.Labels}}\t{{.Label "only"}}\t{{.Links}}\t{{.Size}}']);
    await same(['volume', 'ls', '--format', '{{.Label "tier"}}']);
    await d.docker(['volume', 'rm', 'dv2']);
    await d.docker(['volume', 'create', '--label', 'only=one', 'dv2']);
    await same(['volume', 'ls', '-f', 'name=dv2', '--format', 'json']);
    await d.docker(['volume', 'rm', 'dv2']);
    await same(['volume', 'ls', '--format', 'table {{.Name}}\t{{.Mountpoint}}']);
    await same(['volume', 'ls', '--format', 'raw']);
    await same(['volume', 'ls', '--format', '{{.Bad']);
    // Creating an existing name answers with it.
    await same(['volume', 'create', 'dv1']);
    await same(['volume', 'rm', 'nosuchvol']);
    await same(['volume', 'rm', '-f', 'nosuchvol']);
    let a = await d.docker(['volume', 'rm', 'dv1', 'nosuch1']);
    let b = await d.berth(['volume', 'rm', 'bv1', 'nosuch1']);
    assertSame(a, { ...b, stdout: b.stdout.replace('bv1', 'dv1') }, 'rm of one existing, one missing');
    assert.equal(a.code, 1);
    assert.deepEqual(await names(), []);
    // Anonymous: no name gives a 64-hex name with Docker's label.
    a = await d.docker(['volume', 'create']);
    b = await d.berth(['volume', 'create']);
    for (const x of [a, b]) {
      assert.match(x.stdout, /^[0-9a-f]{64}\n$/);
      const v = JSON.parse((await d.docker(['volume', 'inspect', x.stdout.trim()])).stdout)[0];
      assert.deepEqual(v.Labels, { 'com.docker.volume.anonymous': '' });
    }
    await removeAll();
  });

  test('list filters', async () => {
    await removeAll();
    await d.docker(['volume', 'create', '--label', 'tier=db', 'alpha']);
    await d.docker(['volume', 'create', '--label', 'tier=web', 'beta']);
    await d.docker(['volume', 'create', 'alphabet']);
    assert.deepEqual(await names(['-f', 'name=alpha']), ['alpha', 'alphabet']);
    assert.deepEqual(await names(['-f', 'name=^be']), ['beta']);
    assert.deepEqual(await names(['-f', 'label=tier']), ['alpha', 'beta']);
    assert.deepEqual(await names(['-f', 'label=tier=web']), ['beta']);
    assert.deepEqual(await names(['-f', 'driver=local', '-f', 'label=tier=db']), ['alpha']);
    assert.deepEqual(await names(['-f', 'driver=other']), []);
    assert.deepEqual(await names(['-f', 'dangling=true']), ['alpha', 'alphabet', 'beta']);
    assert.deepEqual(await names(['-f', 'dangling=false']), []);
    await same(['volume', 'ls', '-f', 'name=alpha']);
    await same(['volume', 'ls', '-f', 'nosuch=1']);
    await same(['volume', 'ls', '-f', 'dangling=maybe']);
    await same(['volume', 'ls', '-f', 'badformat']);
    await removeAll();
  });

  test('bad input gets Docker\'s errors and status, through both CLIs and the API', async () => {
    await removeAll();
    await same(['volume', 'create', 'a']);
    await same(['volume', 'create', 'bad/name']);
    await same(['volume', 'create', '-d', 'nope', 'okname']);
    await same(['volume', 'create', '-o', 'foo=bar', 'okname']);
    await same(['volume', 'create', '-o', 'type=tmpfs', 'okname']);
    await same(['volume', 'create', '-o', 'size=10m', 'okname']);
    await same(['volume', 'create', '--label', '=x', 'okname']);
    await same(['volume', 'create', 'n1', 'n2']);
    await same(['volume', 'create', '--name', 'x1', 'x2']);
    await same(['volume', 'rm']);
    await same(['volume', 'prune', 'extra']);
    assert.deepEqual(await names(), []);

    const expect = async (method: string, path: string, body: unknown, status: number, message: string | RegExp) => {
      const r = await d.api(method, path, body);
      assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
      if (typeof message === 'string') assert.equal(r.json?.message, message);
      else assert.match(r.json?.message ?? '', message);
    };
    await expect('POST', '/volumes/create', { Name: 'a' }, 400, 'create a: volume name is too short, names should be at least two alphanumeric characters');
    await expect('POST', '/volumes/create', { Name: '../etc' }, 400,
      'create ../etc: "../etc" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path');
    await expect('POST', '/volumes/create', { Name: 'okname', Driver: 'nope' }, 404, 'create okname: error looking up volume plugin nope: plugin "nope" not found');
    await expect('POST', '/volumes/create', { Name: 'okname', DriverOpts: { foo: 'bar' } }, 400, 'create okname: invalid option: "foo"');
    await expect('POST', '/volumes/create', { Name: 'okname', DriverOpts: { o: 'size=1m' } }, 400, 'create okname: missing required option: "device"');
    await expect('POST', '/volumes/create', { Name: 7 }, 400, /cannot unmarshal number into Go struct field .*Name of type string/);
    await expect('POST', '/volumes/create', '{"Name":', 400, /^invalid JSON/);
    await expect('POST', '/volumes/create', { Name: 'cv', ClusterVolumeSpec: {} }, 503, 'This node is not part of a swarm');
    await expect('GET', '/volumes/nosuch', undefined, 404, 'get nosuch: no such volume');
    await expect('DELETE', '/volumes/nosuch', undefined, 404, 'get nosuch: no such volume');
    await expect('PUT', '/volumes/nosuch?version=1', {}, 503, 'volume update only valid for cluster volumes, but swarm is unavailable');
    await expect('GET', `/volumes?filters=${encodeURIComponent('{"foo":{"x":true}}')}`, undefined, 400, "invalid filter 'foo'");
    await expect('GET', `/volumes?filters=${encodeURIComponent('{"dangling":{"yes":true}}')}`, undefined, 400, "invalid filter 'dangling=yes'");
    await expect('GET', `/volumes?filters=${encodeURIComponent('not json')}`, undefined, 400, /^error reading volume filters: /);
    await expect('POST', `/volumes/prune?filters=${encodeURIComponent('{"all":{"maybe":true}}')}`, undefined, 400,
      'invalid filter \'all\': strconv.ParseBool: parsing "maybe": invalid syntax');
    await expect('POST', `/volumes/prune?filters=${encodeURIComponent('{"name":{"x":true}}')}`, undefined, 400, "invalid filter 'name'");
    const r = await d.api('DELETE', '/volumes/nosuch?force=1');
    assert.equal(r.status, 204);
    assert.deepEqual(await names(), []);
  });

  test('prune: anonymous only by default, --all, label filters, the prompt and the total', async () => {
    await removeAll();
    const mk = async (args: string[]) => (await d.docker(['volume', 'create', ...args])).stdout.trim();
    const anon = await mk([]);
    await writeFile(join(d.dataRoot, 'volumes', anon, '_data', 'f'), Buffer.alloc(3000));
    await mk(['named1']);
    await mk(['--label', 'env=prod', 'named2']);
    // "n" keeps everything; the question is docker's.
    await same(['volume', 'prune'], 'n\n');
    await same(['volume', 'prune', '-a'], 'n\n');
    await same(['volume', 'prune', '-a', '--filter', 'all=1', '-f']);
    assert.equal((await names()).length, 3);
    let r = await d.berth(['volume', 'prune', '-f']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, `Deleted Volumes:\n${anon}\n\nTotal reclaimed space: 3kB\n`, '']);
    r = await d.docker(['volume', 'prune', '-f']);
    assert.deepEqual([r.code, r.stdout], [0, 'Total reclaimed space: 0B\n']);
    r = await d.docker(['volume', 'prune', '-a', '-f', '--filter', 'label!=env=prod']);
    assert.deepEqual([r.code, r.stdout], [0, 'Deleted Volumes:\nnamed1\n\nTotal reclaimed space: 0B\n']);
    r = await d.berth(['volume', 'prune', '--all', '--force', '--filter', 'label=env=prod'], { input: '' });
    assert.deepEqual([r.code, r.stdout], [0, 'Deleted Volumes:\nnamed2\n\nTotal reclaimed space: 0B\n']);
    // Before API 1.42, prune took every unused volume (moby's compatibility rule).
    await mk(['old1']);
    const res = await d.api('POST', '/v1.41/volumes/prune');
    assert.deepEqual([res.status, res.json], [200, { VolumesDeleted: ['old1'], SpaceReclaimed: 0 }]);
    assert.deepEqual(await names(), []);
  });

  test('events: create and destroy, with the driver', async () => {
    await removeAll();
    const since = Math.floor(Date.now() / 1000) - 1;
    await d.docker(['volume', 'create', 'evvol']);
    await d.docker(['volume', 'rm', 'evvol']);
    const until = Math.floor(Date.now() / 1000) + 1;
    const r = await d.docker(['events', '--since', String(since), '--until', String(until), '--filter', 'type=volume',
      '--filter', 'volume=evvol', '--format', '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.driver}}']);
    assert.deepEqual(r.stdout.split('\n').filter(Boolean), ['volume create evvol local', 'volume destroy evvol local']);
  });

  test('20 concurrent creates of one name from 20 clients make one volume', async () => {
    await removeAll();
    const results = await Promise.all(Array.from({ length: 20 }, (_v, i) =>
      i % 2 ? d.docker(['volume', 'create', 'racevol']) : d.berth(['volume', 'create', 'racevol'])));
    for (const r of results) assert.deepEqual([r.code, r.stdout], [0, 'racevol\n'], r.stderr);
    assert.deepEqual(await names(), ['racevol']);
    assert.deepEqual((await readdir(join(d.dataRoot, 'volumes'))).filter((n) => !n.startsWith('.')), ['racevol']);
    // Removes racing creates leave either the volume or nothing, never half of one.
    await Promise.all(Array.from({ length: 10 }, (_v, i) => (i % 2 ? d.docker(['volume', 'rm', '-f', 'racevol']) : d.docker(['volume', 'create', 'racevol']))));
    const left = await readdir(join(d.dataRoot, 'volumes'));
    assert.deepEqual(left.filter((n) => n.startsWith('.tmp-') || n.startsWith('.rm-')), []);
    for (const n of left.filter((x) => !x.startsWith('.'))) assert.ok((await stat(join(d.dataRoot, 'volumes', n, '_data'))).isDirectory());
    await removeAll();
  });

  test('a tmpfs-option volume is not mounted at create; left mounted by a killed daemon, it is unmounted at restart', async () => {
    await removeAll();
    await same(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=1m,uid=1000', 'tmpv']);
    const v = JSON.parse((await d.docker(['volume', 'inspect', 'tmpv'])).stdout)[0];
    assert.deepEqual(v.Options, { device: 'tmpfs', o: 'size=1m,uid=1000', type: 'tmpfs' });
    assert.deepEqual(await mountedUnder(v.Mountpoint), []);
    // prune leaves volumes with mount options alone, as moby does.
    let r = await d.docker(['volume', 'prune', '-a', '-f']);
    assert.equal(r.stdout, 'Total reclaimed space: 0B\n');
    // What a daemon killed while the volume was in use leaves: its tmpfs still mounted.
    r = await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', v.Mountpoint]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await mountedUnder(v.Mountpoint), [v.Mountpoint]);
    await d.kill9();
    await d.start();
    assert.deepEqual(await mountedUnder(v.Mountpoint), []);
    assert.deepEqual(await names(), ['tmpv']);
    await d.docker(['volume', 'rm', 'tmpv']);
  });

  test('what a kill -9 in the middle of create or remove leaves is gone after a restart', async () => {
    await removeAll();
    await d.docker(['volume', 'create', 'whole']);
    await writeFile(join(d.dataRoot, 'volumes', 'whole', '_data', 'keep'), 'k');
    await d.kill9();
    const vols = join(d.dataRoot, 'volumes');
    // A create killed before its rename, and a remove killed after its rename.
    await mkdir(join(vols, '.tmp-0123456789abcdef', '_data'), { recursive: true });
    await writeFile(join(vols, '.tmp-0123456789abcdef', 'volume.json'), '{"Name":"half"}');
    await mkdir(join(vols, '.rm-fedcba9876543210', '_data', 'sub'), { recursive: true });
    await writeFile(join(vols, '.rm-fedcba9876543210', '_data', 'sub', 'f'), 'x');
    await d.start();
    assert.deepEqual((await readdir(vols)).sort(), ['whole']);
    assert.deepEqual(await names(), ['whole']);
    assert.equal(await readFile(join(vols, 'whole', '_data', 'keep'), 'utf8'), 'k');
    await d.docker(['volume', 'rm', 'whole']);
  });
});

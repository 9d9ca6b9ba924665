// `berth builder` and `builder prune` (help, question, query, report) and the Build Cache lines
// of `system df`, against output recorded from docker 28.2 answering the same fake daemon.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runCli } from '../../framework/run-cli.ts';
import { buildCommandTree, findPath } from '../../framework/command-tree.ts';
import { renderHelp } from '../../framework/help.ts';
import { registry } from '../index.ts';
import { startFakeDaemon, type FakeDaemon } from '../fake-daemon.test-helpers.ts';

const testdata = join(import.meta.dirname, 'testdata');
const home = await mkdtemp(join(tmpdir(), 'berth-builder-test-'));
after(() => rm(home, { recursive: true, force: true }));

function sink(): { stream: NodeJS.WriteStream; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

async function berth(args: string[], host: string, input = '') {
  const out = sink();
  const err = sink();
  const stdin = Readable.from(input ? [Buffer.from(input)] : []) as unknown as NodeJS.ReadStream;
  const code = await runCli(args, { registry, env: { HOME: home, DOCKER_HOST: host }, stdin, stdout: out.stream, stderr: err.stream, versionLine: 'x' });
  return { code, stdout: out.text(), stderr: err.text() };
}

const PRUNE_REPORT = JSON.stringify({ CachesDeleted: ['abc', 'def'], SpaceReclaimed: 123456 });

async function withDaemon(fn: (d: FakeDaemon) => Promise<void>, df?: object): Promise<void> {
  const d = await startFakeDaemon((r) => {
    if (r.path === '/build/prune') return { body: PRUNE_REPORT };
    if (r.path === '/system/df') return { body: JSON.stringify(df) };
    return { status: 404, body: '{"message":"page not found"}' };
  });
  try {
    await fn(d);
  } finally {
    await d.close();
  }
}

test('builder and builder prune help are docker 28.2\'s', () => {
  const tree = buildCommandTree({ ...registry, globalFlags: [] });
  assert.equal(renderHelp(tree, findPath(tree.root, ['builder'])!, 80), readFileSync(join(testdata, 'builder-help.golden'), 'utf8'));
  assert.equal(renderHelp(tree, findPath(tree.root, ['builder', 'prune'])!, 80), readFileSync(join(testdata, 'builder-prune-help.golden'), 'utf8'));
});

test('builder prune: the question, a no ends quietly, a yes prunes and reports as docker', async () => {
  await withDaemon(async (d) => {
    const no = await berth(['builder', 'prune'], d.host, 'n\n');
    assert.deepEqual(no, { code: 0, stdout: 'WARNING! This will remove all dangling build cache. Are you sure you want to continue? [y/N] ', stderr: '' });
    assert.equal(d.requests.length, 0);
    const yes = await berth(['builder', 'prune', '-a', '--filter', 'until=24h', '--keep-storage', '1m'], d.host, 'y\n');
    // docker 28.2, same answer: `echo y | docker builder prune -a --filter until=24h --keep-storage 1m`
    assert.deepEqual(yes, {
      code: 0, stderr: '',
      stdout: 'WARNING! This will remove all build cache. Are you sure you want to continue? [y/N] Deleted build cache objects:\nabc\ndef\n\nTotal reclaimed space: 123.5kB\n',
    });
    assert.deepEqual(d.requests[0]!.query, { all: ['1'], filters: ['{"until":{"24h":true}}'], 'keep-storage': ['1048576'] });
    const forced = await berth(['builder', 'prune', '-f', '--reserved-space', '2g', '--max-used-space', '1k', '--min-free-space', '5'], d.host);
    assert.equal(forced.stdout, 'Deleted build cache objects:\nabc\ndef\n\nTotal reclaimed space: 123.5kB\n');
    assert.deepEqual(d.requests[1]!.query, { 'reserved-space': ['2147483648'], 'max-used-space': ['1024'], 'min-free-space': ['5'] });
  });
});

test('builder prune: bad sizes and filters are flag errors', async () => {
  const host = `unix://${home}/none.sock`;
  assert.deepEqual(await berth(['builder', 'prune', '--keep-storage', 'abc'], host), {
    code: 125, stdout: '',
    stderr: "invalid argument \"abc\" for \"--keep-storage\" flag: invalid size: 'abc'\n\nUsage:  berth builder prune\n\nRun 'berth builder prune --help' for more information\n",
  });
  const r = await berth(['builder', 'prune', '-f', '--filter', 'nonsense'], host);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /^invalid argument "nonsense" for "--filter" flag: bad format of filter \(expected name=value\)\n/);
});

test('system df: the Build Cache summary row and the verbose table as docker prints them', async () => {
  const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
  const df = {
    LayersSize: 0, Images: [], Containers: [], Volumes: [], BuildCache: [
      { ID: 'k1abcdefghijklmnopqrstuvw', Type: 'regular', Description: 'RUN echo hi', InUse: false, Shared: false, Size: 12345, CreatedAt: ago(125), LastUsedAt: ago(65), UsageCount: 3 },
      { ID: 'k2abcdefghijklmnopqrstuvw', Type: 'source.local', Description: 'local source for context', InUse: true, Shared: true, Size: 500, CreatedAt: ago(125), LastUsedAt: null, UsageCount: 1 },
      { ID: 'k3abcdefghijklmnopqrstuvw', Type: 'exec.cachemount', Description: 'cache mount', InUse: false, Shared: false, Size: 1000000, CreatedAt: ago(125), LastUsedAt: ago(65), UsageCount: 1 },
    ],
  };
  await withDaemon(async (d) => {
    const summary = await berth(['system', 'df'], d.host);
    assert.match(summary.stdout, /\nBuild Cache     3         1         1\.012MB   1\.012MB\n$/);
    const verbose = await berth(['system', 'df', '-v'], d.host);
    const cachePart = verbose.stdout.slice(verbose.stdout.indexOf('Build cache usage'));
    assert.equal(cachePart, readFileSync(join(testdata, 'df-v-build-cache.golden'), 'utf8'));
    const json = JSON.parse((await berth(['system', 'df', '-v', '--format', 'json'], d.host)).stdout) as { BuildCache: Record<string, string>[] };
    assert.deepEqual(json.BuildCache.map((b) => [b.ID, b.InUse, b.Size, b.LastUsedSince, b.Description]), [
      ['k2abcdefghijklmnopqrstuvw*', 'true', '500B', '', 'local source for context'],
      ['k1abcdefghijklmnopqrstuvw', 'false', '12.3kB', 'About an hour ago', 'RUN echo hi'],
      ['k3abcdefghijklmnopqrstuvw', 'false', '1MB', 'About an hour ago', 'cache mount'],
    ]);
    assert.deepEqual(Object.keys(json.BuildCache[0]!), ['CacheType', 'CreatedAt', 'CreatedSince', 'Description', 'ID', 'InUse', 'LastUsedAt', 'LastUsedSince', 'Parent', 'Shared', 'Size', 'UsageCount']);
  }, df);
});

test('system prune also prunes the build cache (all of it with -a)', async () => {
  const d = await startFakeDaemon((r) => {
    if (r.path === '/build/prune') return { body: PRUNE_REPORT };
    if (r.path === '/containers/prune') return { body: '{"ContainersDeleted":null,"SpaceReclaimed":0}' };
    if (r.path === '/networks/prune') return { body: '{"NetworksDeleted":null}' };
    if (r.path === '/images/prune') return { body: '{"ImagesDeleted":null,"SpaceReclaimed":0}' };
    return { status: 404, body: '{"message":"x"}' };
  });
  try {
    const r = await berth(['system', 'prune', '-a', '-f'], d.host);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Deleted build cache objects:\nabc\ndef\n\nTotal reclaimed space: 123.5kB\n');
    assert.deepEqual(d.requests.find((x) => x.path === '/build/prune')!.query.all, ['1']);
  } finally {
    await d.close();
  }
});

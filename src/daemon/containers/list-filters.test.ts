import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerListFilterKeys, filterContainers } from './list-filters.ts';
import type { ContainerView, FilterContainersOptions } from './list-filters.ts';

// ---- filterContainers -----------------------------------------------------------------------

let seq = 0;
function c(over: Partial<ContainerView> & Pick<ContainerView, 'id' | 'name'>): ContainerView {
  seq++;
  return {
    created: BigInt(seq) * 1_000_000_000n, imageId: 'sha256:busybox', image: 'busybox', status: 'running',
    exitCode: 0, labels: {}, ...over,
  };
}

const web = c({ id: 'aaa111', name: '/web', labels: { tier: 'front', app: 'shop' }, ports: [{ privatePort: 80, publicPort: 8080, type: 'tcp' }], networks: [{ name: 'bridge', id: 'net0000bridge' }] });
const db = c({ id: 'bbb222', name: '/db', labels: { tier: 'back' }, imageId: 'sha256:postgres', image: 'postgres', mounts: [{ name: 'pgdata', source: '/var/lib/berth/volumes/pgdata/_data', destination: '/var/lib/postgresql/data' }], ports: [{ privatePort: 5432, type: 'tcp' }], health: 'healthy', networks: [{ name: 'backend', id: 'net1111backend' }] });
const job = c({ id: 'ccc333', name: '/job', status: 'exited', exitCode: 0, mounts: [{ source: '/srv/data', destination: '/data' }] });
const bad = c({ id: 'ccc444', name: '/failing-job', status: 'exited', exitCode: 2, imageId: 'sha256:child-of-busybox' });
const fresh = c({ id: 'ddd555', name: '/fresh', status: 'created' });
const paused = c({ id: 'eee666', name: '/sleepy', status: 'paused', names: ['/sleepy', '/web/sleepy-alias'] });
// Created in declaration order (web oldest, sleepy newest); the list is shuffled on purpose.
const all = [bad, web, fresh, db, job, paused];

const byRef = new Map<string, ContainerView>();
for (const x of all) { byRef.set(x.id, x); byRef.set(x.name.slice(1), x); }
const images: Record<string, string> = { busybox: 'sha256:busybox', 'busybox:latest': 'sha256:busybox', postgres: 'sha256:postgres' };
const opts = (over: Partial<FilterContainersOptions> = {}): FilterContainersOptions => ({
  all: false, limit: 0,
  resolveContainer: (ref) => byRef.get(ref),
  resolveImage: (ref) => images[ref],
  ...over,
});
const ids = (list: ContainerView[]) => list.map((x) => x.name.slice(1));
const run = (f: Record<string, string[]>, o: Partial<FilterContainersOptions> = {}) => ids(filterContainers(all, new Map(Object.entries(f)), opts(o)));

test('default: running (and paused) containers, newest first', () => {
  assert.deepEqual(run({}), ['sleepy', 'db', 'web']);
});

test('all: every container, newest first', () => {
  assert.deepEqual(run({}, { all: true }), ['sleepy', 'fresh', 'failing-job', 'job', 'db', 'web']);
});

test('limit > 0 implies all and keeps the newest n', () => {
  assert.deepEqual(run({}, { limit: 2 }), ['sleepy', 'fresh']);
  assert.deepEqual(run({ status: ['exited'] }, { limit: 1 }), ['failing-job']);
});

const cases: [string, Record<string, string[]>, Partial<FilterContainersOptions>, string[]][] = [
  ['status implies all', { status: ['exited'] }, {}, ['failing-job', 'job']],
  ['status OR', { status: ['created', 'paused'] }, {}, ['sleepy', 'fresh']],
  ['exited code', { exited: ['2'] }, { all: true }, ['failing-job']],
  ['exited 0 excludes created and running', { exited: ['0'] }, { all: true }, ['job']],
  ['exited without all shows only running (none)', { exited: ['0'] }, {}, []],
  ['id prefix', { id: ['ccc'] }, { all: true }, ['failing-job', 'job']],
  ['id full', { id: ['bbb222'] }, {}, ['db']],
  ['name substring', { name: ['job'] }, { all: true }, ['failing-job', 'job']],
  ['name regexp anchored', { name: ['^job$'] }, { all: true }, ['job']],
  // A regexp over every name, so the /web/sleepy-alias link name matches too, as in Docker.
  ['name with leading slash', { name: ['/web'] }, { all: true }, ['sleepy', 'web']],
  ['name anchored with slash', { name: ['^/web$'] }, { all: true }, ['web']],
  ['name matches link aliases', { name: ['sleepy-alias'] }, {}, ['sleepy']],
  ['name with invalid regexp never matches', { name: ['(('] }, { all: true }, []],
  ['name and id AND', { name: ['job'], id: ['ccc4'] }, { all: true }, ['failing-job']],
  ['label key', { label: ['tier'] }, {}, ['db', 'web']],
  ['label key=value', { label: ['tier=back'] }, {}, ['db']],
  ['labels ANDed', { label: ['tier=front', 'app=shop'] }, {}, ['web']],
  ['labels ANDed, one missing', { label: ['tier=front', 'app=other'] }, {}, []],
  ['ancestor by name', { ancestor: ['postgres'] }, {}, ['db']],
  ['ancestor by image id', { ancestor: ['busybox:latest'] }, { all: true }, ['sleepy', 'fresh', 'job', 'web']],
  ['ancestor unknown image matches nothing', { ancestor: ['nope'] }, { all: true }, []],
  ['ancestor includes descendants', { ancestor: ['busybox'] }, { all: true, imageChildren: (id) => (id === 'sha256:busybox' ? ['sha256:child-of-busybox'] : []) }, ['sleepy', 'fresh', 'failing-job', 'job', 'web']],
  ['before', { before: ['db'] }, { all: true }, ['web']],
  ['before without all: running only', { before: ['sleepy'] }, {}, ['db', 'web']],
  ['since', { since: ['db'] }, { all: true }, ['sleepy', 'fresh', 'failing-job', 'job']],
  ['since and before', { since: ['web'], before: ['failing-job'] }, { all: true }, ['job', 'db']],
  ['health', { health: ['healthy'] }, {}, ['db']],
  ['health none', { health: ['none'] }, {}, ['sleepy', 'web']],
  ['volume by name', { volume: ['pgdata'] }, {}, ['db']],
  ['volume by destination', { volume: ['/data'] }, { all: true }, ['job']],
  ['volume by bind source', { volume: ['/srv/data'] }, { all: true }, ['job']],
  ['network by name', { network: ['backend'] }, {}, ['db']],
  ['network by id prefix', { network: ['net0000'] }, {}, ['web']],
  ['publish', { publish: ['8080'] }, {}, ['web']],
  ['publish range with proto', { publish: ['8000-8100/tcp'] }, {}, ['web']],
  ['publish udp does not match tcp', { publish: ['8080/udp'] }, {}, []],
  ['expose', { expose: ['5432'] }, {}, ['db']],
  ['is-task false', { 'is-task': ['false'] }, {}, ['sleepy', 'db', 'web']],
  ['is-task true', { 'is-task': ['true'] }, {}, []],
  ['isolation is a no-op on Linux', { isolation: ['default'] }, {}, ['sleepy', 'db', 'web']],
];
for (const [name, f, o, want] of cases) {
  test(`filterContainers: ${name}`, () => assert.deepEqual(run(f, o), want));
}

const errors: [string, Record<string, string[]>, string, string][] = [
  ['unknown key', { size: ['1'] }, 'InvalidParameter', "invalid filter 'size'"],
  ['bad status', { status: ['up'] }, 'InvalidParameter', "invalid filter 'status=up'"],
  ['bad exited', { exited: ['x'] }, 'InvalidParameter', 'strconv.Atoi: parsing "x": invalid syntax'],
  ['bad health', { health: ['ok'] }, 'InvalidParameter', 'Unrecognised filter value for health: ok'],
  ['bad is-task', { 'is-task': ['maybe'] }, 'InvalidParameter', "invalid filter 'is-task=[maybe]'"],
  ['before unknown', { before: ['ghost'] }, 'NotFound', 'No such container: ghost'],
  ['since unknown', { since: ['ghost'] }, 'NotFound', 'No such container: ghost'],
  ['publish with colon', { publish: ['80:80'] }, 'InvalidParameter', "filter for 'publish' should not contain ':': 80:80"],
  ['expose garbage', { expose: ['http'] }, 'InvalidParameter', 'error while looking up for expose http: invalid port range: http'],
];
for (const [name, f, kind, message] of errors) {
  test(`filterContainers error: ${name}`, () => {
    assert.throws(() => run(f), (e: any) => e.kind === kind && e.message === message);
  });
}

test('the accepted keys are exactly Docker’s', () => {
  assert.deepEqual([...containerListFilterKeys].sort(), [
    'ancestor', 'before', 'exited', 'expose', 'health', 'id', 'is-task', 'isolation', 'label', 'name',
    'network', 'publish', 'since', 'status', 'volume',
  ]);
});

test('filterContainers does not reorder the caller’s array', () => {
  const input = [...all];
  filterContainers(input, new Map(), opts({ all: true }));
  assert.deepEqual(input, all);
});

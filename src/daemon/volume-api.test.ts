// The volume backend over a real store in a temp data root (no mounts, no root): filters as moby
// reads them, the prune event, and bodies with null fields.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openVolumeStore } from '../volume/index.ts';
import { VolumeApi } from './volume-api.ts';
import type { EventInput } from './events.ts';

let root: string;
let api: VolumeApi;
const published: EventInput[] = [];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-volapi-'));
  const store = await openVolumeStore({ dataRoot: root, log: { debug() {}, info() {}, warn() {}, error() {} } });
  api = new VolumeApi({ store, events: { publish: (e: EventInput) => (published.push(e), undefined as never) } });
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const f = (o: Record<string, string[]>) => new Map(Object.entries(o));

test('create with null fields; inspect shows Docker\'s shape', async () => {
  const v = await api.create({ Name: 'v1', Driver: null, DriverOpts: null, Labels: null });
  assert.deepEqual(Object.keys(v), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
  assert.deepEqual([v.Name, v.Driver, v.Scope, v.Labels, v.Options], ['v1', 'local', 'local', {}, {}]);
  assert.equal(v.Mountpoint, join(root, 'volumes', 'v1', '_data'));
  assert.deepEqual(await api.inspect('v1'), v);
});

test('list: dangling takes exactly one of 0/false/1/true', async () => {
  assert.deepEqual((await api.list(f({ dangling: ['true'] }))).Volumes?.map((v) => v.Name), ['v1']);
  assert.deepEqual((await api.list(f({ dangling: ['0'] }))).Volumes, []);
  await assert.rejects(api.list(f({ dangling: ['yes'] })), { kind: 'InvalidParameter', message: "invalid filter 'dangling=yes'" });
  await assert.rejects(api.list(f({ dangling: ['true', 'false'] })), { kind: 'InvalidParameter', message: "invalid filter 'dangling=true,false'" });
  assert.deepEqual((await api.list(f({ name: ['v'], driver: ['local'] }))).Volumes?.map((v) => v.Name), ['v1']);
});

test('prune: the all filter as moby reads it, and the prune event', async () => {
  await assert.rejects(api.prune(f({ all: ['true', 'false'] })), { kind: 'InvalidParameter', message: "invalid filter 'all=[true false]': only one value is expected" });
  await assert.rejects(api.prune(f({ all: ['maybe'] })), { kind: 'InvalidParameter', message: 'invalid filter \'all\': strconv.ParseBool: parsing "maybe": invalid syntax' });
  published.length = 0;
  assert.deepEqual(await api.prune(f({})), { VolumesDeleted: [], SpaceReclaimed: 0 });
  assert.deepEqual(await api.prune(f({ all: ['1'] })), { VolumesDeleted: ['v1'], SpaceReclaimed: 0 });
  assert.deepEqual(published.map((e) => [e.Type, e.Action, e.Actor.ID, e.Actor.Attributes]), [
    ['volume', 'prune', '', { reclaimed: '0' }], ['volume', 'prune', '', { reclaimed: '0' }],
  ]);
});

test('remove with force of a missing volume is no error', async () => {
  await api.remove('gone', { force: true });
  await assert.rejects(api.remove('gone', { force: false }), { kind: 'NotFound', message: 'get gone: no such volume' });
});

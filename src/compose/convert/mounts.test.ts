import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildContainerVolumes, bindString, tmpfsMap } from './mounts.ts';
import { containerPlan } from './container.ts';
import { makeProject } from './fixtures.test-helpers.ts';
import type { ServiceConfig } from '../types.ts';

const volumesOf = (p: ReturnType<typeof makeProject>, s: string, replacing?: Parameters<typeof buildContainerVolumes>[2], imageVolumes?: string[]) => {
  const warnings: string[] = [];
  return { ...buildContainerVolumes(p, p.services[s], replacing, imageVolumes, warnings), warnings };
};

// create_test.go Test_buildContainerVolumes "bind mount local path": the short syntax sets
// create_host_path, so it goes to Binds.
test('a short-syntax bind (create_host_path) goes to Binds as src:dst:rw', () => {
  const p = makeProject({ test: { volumes: [{ type: 'bind', source: '/srv/demo/data', target: '/data', bind: { create_host_path: true } }] } });
  assert.deepEqual(volumesOf(p, 'test'), { binds: ['/srv/demo/data:/data:rw'], mounts: [], warnings: [] });
});

// "bind mount, not create host path": the Mount API (it refuses a missing host path).
test('a long-syntax bind without create_host_path is a Mount', () => {
  const p = makeProject({ test: { volumes: [{ type: 'bind', source: '/srv/demo/data', target: '/data', bind: { create_host_path: false } }] } });
  assert.deepEqual(volumesOf(p, 'test'), { binds: [], mounts: [{ Type: 'bind', Source: '/srv/demo/data', Target: '/data' }], warnings: [] });
});

test('bind options: read_only, selinux, propagation in the Binds string; propagation in BindOptions', () => {
  assert.equal(bindString({ type: 'bind', source: '/a', target: '/b', read_only: true, bind: { selinux: 'z', propagation: 'rshared' } }), '/a:/b:ro,z,rshared');
  const p = makeProject({ t: { volumes: [{ type: 'bind', source: '/a', target: '/b', bind: { propagation: 'rslave' } }] } });
  assert.deepEqual(volumesOf(p, 't').mounts, [{ Type: 'bind', Source: '/a', Target: '/b', BindOptions: { Propagation: 'rslave' } }]);
});

// TestBuildVolumeMount, "mount volume subpath": the project's volume key becomes its engine name.
test('a named volume mounts the project volume by its engine name, with nocopy and subpath', () => {
  const p = makeProject(
    { test: { volumes: [{ type: 'volume', source: 'data', target: '/data', read_only: true, volume: { nocopy: true, subpath: 'test/' } }, { type: 'volume', source: 'elsewhere', target: '/x' }] } },
    { volumes: { data: { name: 'my_volume' } } },
  );
  assert.deepEqual(volumesOf(p, 'test').mounts, [
    { Type: 'volume', Source: 'my_volume', Target: '/data', ReadOnly: true, VolumeOptions: { NoCopy: true, Subpath: 'test/' } },
    { Type: 'volume', Source: 'elsewhere', Target: '/x' },
  ]);
});

test('an anonymous volume and a tmpfs mount', () => {
  const p = makeProject({ t: { volumes: [{ type: 'volume', target: '/cache' }, { type: 'tmpfs', target: '/scratch', tmpfs: { size: 1048576, mode: 0o1777 } }] } });
  assert.deepEqual(volumesOf(p, 't').mounts, [
    { Type: 'volume', Target: '/cache' },
    { Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1777 } },
  ]);
  assert.deepEqual(tmpfsMap(['/run:rw,noexec', '/tmp']), { '/run': 'rw,noexec', '/tmp': '' });
});

// TestBuildContainerMountOptions: the replaced container's anonymous volumes are carried over.
test('recreate inherits the old anonymous volumes: service anonymous volumes and image VOLUMEs', () => {
  const p = makeProject(
    { s: { volumes: [{ type: 'volume', target: '/var/anon' }, { type: 'volume', source: 'named', target: '/var/named' }] } },
    { volumes: { named: { name: 'demo_named' } } },
  );
  const replacing = {
    mounts: [
      { Type: 'volume', Name: 'aaaa', Destination: '/var/anon', RW: true },
      { Type: 'volume', Name: 'bbbb', Destination: '/var/lib/image-volume', RW: false },
      { Type: 'volume', Name: 'demo_named', Destination: '/var/named', RW: true },
      { Type: 'volume', Name: 'cccc', Destination: '/gone', RW: true },
      { Type: 'tmpfs', Source: '', Destination: '/var/anon' },
    ],
  };
  const { mounts, binds } = volumesOf(p, 's', replacing, ['/var/lib/image-volume']);
  assert.deepEqual(binds, []);
  assert.deepEqual(mounts, [
    { Type: 'volume', Source: 'aaaa', Target: '/var/anon' },
    { Type: 'volume', Source: 'bbbb', Target: '/var/lib/image-volume', ReadOnly: true },
    { Type: 'volume', Source: 'demo_named', Target: '/var/named' },
  ]);
});

test('without the replaced container, anonymous volumes are new ones', () => {
  const p = makeProject({ s: { volumes: [{ type: 'volume', target: '/var/anon' }] } });
  assert.deepEqual(volumesOf(p, 's', undefined, ['/var/anon']).mounts, [{ Type: 'volume', Target: '/var/anon' }]);
});

test('file secrets bind read-only under /run/secrets, file configs under /; a volume at the same target wins', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-convert-'));
  try {
    await writeFile(join(dir, 'pw.txt'), 'hunter2');
    const p = makeProject(
      {
        s: {
          secrets: [{ source: 'pw' }, { source: 'pw', target: 'renamed' }, { source: 'pw', target: '/etc/pw' }, { source: 'missing' }, { source: 'fromenv' }],
          configs: [{ source: 'conf' }, { source: 'conf', target: 'etc/app.conf', mode: 0o400 }, { source: 'shadowed' }],
          volumes: [{ type: 'volume', target: '/shadowed' }],
        },
      },
      {
        secrets: { pw: { name: 'pw', file: join(dir, 'pw.txt') }, missing: { name: 'missing', file: join(dir, 'nope') }, fromenv: { name: 'fromenv', environment: 'X' } },
        configs: { conf: { name: 'conf', file: join(dir, 'pw.txt') }, shadowed: { name: 'shadowed', file: join(dir, 'pw.txt') } },
      },
    );
    const { mounts, binds, warnings } = volumesOf(p, 's');
    assert.deepEqual(binds, []);
    assert.deepEqual(mounts, [
      { Type: 'volume', Target: '/shadowed' },
      { Type: 'bind', Source: join(dir, 'pw.txt'), Target: '/run/secrets/pw', ReadOnly: true },
      { Type: 'bind', Source: join(dir, 'pw.txt'), Target: '/run/secrets/renamed', ReadOnly: true },
      { Type: 'bind', Source: join(dir, 'pw.txt'), Target: '/etc/pw', ReadOnly: true },
      { Type: 'bind', Source: join(dir, 'nope'), Target: '/run/secrets/missing', ReadOnly: true },
      { Type: 'bind', Source: join(dir, 'pw.txt'), Target: '/conf', ReadOnly: true },
      { Type: 'bind', Source: join(dir, 'pw.txt'), Target: '/etc/app.conf', ReadOnly: true },
    ]);
    assert.deepEqual(warnings, ['secret file missing does not exist', 'config `uid`, `gid` and `mode` are not supported, they will be ignored']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bad input: undefined or external secrets/configs, a relative mount target, a bind without source', () => {
  const svc = (s: Partial<ServiceConfig>) => makeProject({ s }, { secrets: { ext: { name: 'ext', external: true } }, configs: { ext: { name: 'extc', external: true } } });
  assert.throws(() => volumesOf(svc({ secrets: [{ source: 'nope' }] }), 's'), /service "s" refers to undefined secret nope: invalid compose project/);
  assert.throws(() => volumesOf(svc({ configs: [{ source: 'nope' }] }), 's'), /service "s" refers to undefined config nope/);
  assert.throws(() => volumesOf(svc({ secrets: [{ source: 'ext' }] }), 's'), /unsupported external secret ext/);
  assert.throws(() => volumesOf(svc({ configs: [{ source: 'ext' }] }), 's'), /unsupported external config extc/);
  assert.throws(() => volumesOf(svc({ volumes: [{ type: 'volume', target: 'data' }] }), 's'), /service "s": invalid mount target, must be an absolute path: data/);
  assert.throws(() => volumesOf(svc({ volumes: [{ type: 'bind', target: '/data' }] }), 's'), /field Source must not be empty/);
});

test('in the create body: Binds and Mounts land in HostConfig', () => {
  const p = makeProject({ s: { image: 'x', volumes: [{ type: 'bind', source: '/h', target: '/c', bind: { create_host_path: true } }, { type: 'volume', target: '/v' }] } });
  const h = (containerPlan(p, p.services.s, { number: 1 }).body as Record<string, any>).HostConfig;
  assert.deepEqual(h.Binds, ['/h:/c:rw']);
  assert.deepEqual(h.Mounts, [{ Type: 'volume', Target: '/v' }]);
});

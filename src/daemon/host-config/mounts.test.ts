import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anonymousVolumePaths, containerMounts, parseBind, parseMount, parseVolumesFrom, toMountSpec, type ResolvedMount } from './mounts.ts';

const exists = (p: string) => p.startsWith('/host');

/** A parsed bind as start resolves it (no source to create). */
const resolved = (m: ReturnType<typeof parseBind> | ReturnType<typeof parseMount>): ResolvedMount => {
  assert.notEqual(m.kind, 'volume');
  return m as ResolvedMount;
};

test('-v /host:/ctr[:mode]: rbind, ro when asked, rprivate unless a propagation is given', () => {
  assert.deepEqual(toMountSpec(resolved(parseBind('/host/a:/data'))), { source: '/host/a', destination: '/data', type: 'bind', options: ['rbind', 'rprivate'] });
  assert.deepEqual(toMountSpec(resolved(parseBind('/host/a/:/data/:ro,z'))).options, ['rbind', 'ro', 'rprivate']);
  assert.deepEqual(parseBind('/host/a:/data:rw,rprivate'), {
    kind: 'bind', source: '/host/a', destination: '/data', readonly: false, recursive: true, createSource: true,
    propagation: 'rprivate', explicitPropagation: true, mode: 'rw,rprivate',
  });
  for (const p of ['shared', 'rshared', 'slave', 'rslave', 'private']) {
    assert.deepEqual(toMountSpec(resolved(parseBind(`/host:/d:${p}`))).options, ['rbind', p], p);
  }
  assert.deepEqual(toMountSpec(resolved(parseBind('/host:/d:Z,ro,rslave'))).options, ['rbind', 'ro', 'rslave']);
  assert.equal((parseBind('/host:/d') as { explicitPropagation?: boolean }).explicitPropagation, false);
});

test('-v name:/ctr and -v /ctr: named and anonymous volumes, with nocopy, ro and the volume driver', () => {
  assert.deepEqual(parseBind('data:/var/lib/db'), { kind: 'volume', name: 'data', destination: '/var/lib/db', readonly: false, nocopy: false, driver: 'local', mode: '' });
  assert.deepEqual(parseBind('data:/d:ro,nocopy', 'local'), { kind: 'volume', name: 'data', destination: '/d', readonly: true, nocopy: true, driver: 'local', mode: 'ro,nocopy' });
  assert.deepEqual(parseBind('/anon/'), { kind: 'volume', name: '', destination: '/anon', readonly: false, nocopy: false, driver: 'local', mode: '' });
  // The driver is the store's to refuse (with the volume's name in the message).
  assert.equal((parseBind('v1:/d', 'nfs') as { driver: string }).driver, 'nfs');
});

test('-v refusals with Docker\'s messages', () => {
  const cases: [string, RegExp][] = [
    ['', /invalid volume specification: ''$/],
    [':/data', /invalid volume specification: ':\/data'$/],
    ['/data:ro', /invalid volume specification: '\/data:ro'$/],
    ['/a:/b:ro:x', /invalid volume specification: '\/a:\/b:ro:x'$/],
    ['/a::/b', /invalid mode: \/b$/],
    ['/host:/data:ro,rw', /invalid mode: ro,rw$/],
    ['/host:/data:bogus', /invalid mode: bogus$/],
    ['/host:/data:shared,slave', /invalid mode: shared,slave$/],
    ['rel/dir:/data', /create rel\/dir: "rel\/dir" includes invalid characters for a local volume name, only "\[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]" are allowed\. If you intended to pass a host directory, use absolute path$/],
    ['a:/data', /includes invalid characters for a local volume name/],
    ['/host:data', /invalid volume specification: '\/host:data': invalid mount config for type "bind": invalid mount path: 'data' mount path must be absolute$/],
    ['/host:/', /invalid volume specification: '\/host:\/': invalid mount config for type "bind": invalid specification: destination can't be '\/'$/],
    ['/host:/data:nocopy', /invalid volume specification: '\/host:\/data:nocopy': invalid mount config for type "bind": field VolumeOptions must not be specified$/],
    ['vol:/data:rshared', /invalid volume specification: 'vol:\/data:rshared': invalid mount config for type "volume": field BindOptions must not be specified$/],
    ['vol:/', /destination can't be '\/'/],
  ];
  for (const [spec, message] of cases) assert.throws(() => parseBind(spec), message, spec);
  assert.throws(() => parseBind(7), /invalid volume specification/);
});

test('--mount type=bind: source must exist unless CreateMountpoint; non-recursive; read-only; propagation', () => {
  assert.deepEqual(toMountSpec(resolved(parseMount({ Type: 'bind', Source: '/host/x', Target: '/x', ReadOnly: true, BindOptions: { NonRecursive: true } }, exists))).options, ['bind', 'ro', 'rprivate']);
  assert.throws(() => parseMount({ Type: 'bind', Source: '/nope', Target: '/x' }, exists), /invalid mount config for type "bind": bind source path does not exist: \/nope$/);
  assert.equal(parseMount({ Type: 'bind', Source: '/nope', Target: '/x', BindOptions: { CreateMountpoint: true } }, exists).kind, 'bind');
  assert.throws(() => parseMount({ Type: 'bind', Target: '/x' }, exists), /field Source must not be empty/);
  assert.throws(() => parseMount({ Type: 'bind', Source: 'rel', Target: '/x' }, exists), /invalid mount path: 'rel' mount path must be absolute/);
  assert.throws(() => parseMount({ Type: 'bind', Source: '/host', Target: '/x', BindOptions: { Propagation: 'weird' } }, exists), /invalid propagation mode: weird/);
  const slave = parseMount({ Type: 'bind', Source: '/host', Target: '/x', BindOptions: { Propagation: 'rslave' } }, exists);
  assert.deepEqual(toMountSpec(resolved(slave)).options, ['rbind', 'rslave']);
  assert.throws(() => parseMount({ Type: 'bind', Source: '/host', Target: '/x', TmpfsOptions: { SizeBytes: 1 } }, exists), /field TmpfsOptions must not be specified/);
  assert.throws(() => parseMount({ Type: 'bind', Source: '/host', Target: '/x', VolumeOptions: {} }, exists), /field VolumeOptions must not be specified/);
  assert.throws(() => parseMount({ Type: 'bind', Source: '/host', Target: '' }, exists), /field Target must not be empty/);
});

test('--mount type=volume: named or anonymous, nocopy, driver options and labels kept', () => {
  const m = parseMount({ Type: 'volume', Source: 'db', Target: '/db', ReadOnly: true, VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs' } } } }, exists);
  assert.deepEqual({ ...m, spec: undefined }, {
    kind: 'volume', name: 'db', destination: '/db', readonly: true, nocopy: true, driver: 'local',
    driverOpts: { type: 'tmpfs', device: 'tmpfs' }, labels: { a: 'b' }, mode: '', spec: undefined,
  });
  assert.equal((parseMount({ Type: 'volume', Target: '/anon' }, exists) as { name: string }).name, '');
  assert.throws(() => parseMount({ Type: 'volume', Target: '/anon', ReadOnly: true }, exists), /must not set ReadOnly mode when using anonymous volumes/);
  assert.throws(() => parseMount({ Type: 'volume', Target: '/anon', VolumeOptions: { Subpath: 'x' } }, exists), /must not set Subpath when using anonymous volumes/);
  assert.equal(parseMount({ Type: 'volume', Source: 'vv', Target: '/v', VolumeOptions: { Subpath: 'a/../b' } }, exists).kind, 'volume');
  for (const bad of ['/abs', '..', 'a/../../b']) {
    assert.throws(() => parseMount({ Type: 'volume', Source: 'vv', Target: '/v', VolumeOptions: { Subpath: bad } }, exists), /subpath must be a relative path within the volume/, bad);
  }
  assert.throws(() => parseMount({ Type: 'volume', Source: 'v', Target: '/v', BindOptions: {} }, exists), /invalid mount config for type "volume": field BindOptions must not be specified/);
  assert.throws(() => parseMount({ Type: 'volume', Source: 'bad/name', Target: '/v' }, exists), /includes invalid characters for a local volume name/);
});

test('read-only binds cover their submounts (rro) where the kernel can, as Docker 25+', () => {
  assert.deepEqual(toMountSpec(resolved(parseBind('/host:/d:ro')), true).options, ['rbind', 'rro', 'rprivate']);
  assert.deepEqual(toMountSpec(resolved(parseBind('/host:/d:ro')), false).options, ['rbind', 'ro', 'rprivate']);
  const top = parseMount({ Type: 'bind', Source: '/host', Target: '/d', ReadOnly: true, BindOptions: { ReadOnlyNonRecursive: true } }, exists);
  assert.deepEqual(toMountSpec(resolved(top), true).options, ['rbind', 'ro', 'rprivate']);
  const forced = parseMount({ Type: 'bind', Source: '/host', Target: '/d', ReadOnly: true, BindOptions: { ReadOnlyForceRecursive: true } }, exists);
  assert.deepEqual(toMountSpec(resolved(forced), true).options, ['rbind', 'rro', 'rprivate']);
  assert.throws(() => toMountSpec(resolved(forced), false), /need Linux 5.12/);
  assert.throws(() => parseMount({ Type: 'bind', Source: '/host', Target: '/d', BindOptions: { ReadOnlyNonRecursive: true, ReadOnlyForceRecursive: true } }, exists), /mount options conflict/);
  assert.deepEqual(toMountSpec(resolved(parseMount({ Type: 'bind', Source: '/host', Target: '/d', ReadOnly: true, BindOptions: { NonRecursive: true } }, exists)), true).options, ['bind', 'ro', 'rprivate']);
  // A volume's bind: no propagation option of its own (moby adds none).
  assert.deepEqual(toMountSpec({ kind: 'bind', source: '/v/_data', destination: '/v', readonly: false, recursive: true, propagation: '' }).options, ['rbind']);
});

test('--mount type=tmpfs and HostConfig.Tmpfs: Docker\'s tmpfs options', () => {
  const m = toMountSpec(resolved(parseMount({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1 << 20, Mode: 0o700 } }, exists)));
  assert.deepEqual(m, { source: 'tmpfs', destination: '/t', type: 'tmpfs', options: ['noexec', 'nosuid', 'nodev', 'rprivate', 'mode=700', 'size=1m'] });
  assert.throws(() => parseMount({ Type: 'tmpfs', Source: '/x', Target: '/t' }, exists), /field Source must not be specified/);
  assert.throws(() => parseMount({ Type: 'tmpfs', Target: '/t', BindOptions: {} }, exists), /field BindOptions must not be specified/);
  const fromTmpfs = containerMounts({ Tmpfs: { '/run': 'exec,size=64m' } }, exists).map((x) => toMountSpec(resolved(x)));
  assert.deepEqual(fromTmpfs, [{ source: 'tmpfs', destination: '/run', type: 'tmpfs', options: ['nosuid', 'nodev', 'rprivate', 'exec', 'size=64m'] }]);
  assert.throws(() => containerMounts({ Tmpfs: { '/run': 'nosuchopt' } }, exists), /invalid tmpfs option/);
  assert.throws(() => containerMounts({ Tmpfs: { rel: '' } }, exists), /mount path must be absolute/);
});

test('unknown types refused; duplicates across -v, --mount and --tmpfs too; lists checked', () => {
  assert.throws(() => parseMount({ Type: 'npipe', Target: '/v' }, exists), /not supported by berth/);
  assert.throws(() => parseMount({ Type: 'weird', Target: '/v' }, exists), /mount type unknown/);
  assert.throws(() => containerMounts({ Binds: ['/host:/x'], Tmpfs: { '/x/': '' } }, exists), /Duplicate mount point: \/x/);
  assert.throws(() => containerMounts({ Binds: ['v1:/x'], Mounts: [{ Type: 'volume', Source: 'v2', Target: '/x' }] }, exists), /Duplicate mount point: \/x/);
  assert.throws(() => containerMounts({ Binds: 'oops' as never }, exists), /invalid Binds: must be a list/);
  assert.throws(() => containerMounts({ VolumesFrom: [''] }, exists), /volumes-from specification cannot be an empty string/);
  assert.deepEqual(containerMounts({ VolumesFrom: [], VolumeDriver: '', Binds: null, Mounts: [] }, exists), []);
  assert.equal(containerMounts({ Binds: ['v1:/a', '/anon'], VolumeDriver: 'local' }, exists).length, 2);
});

test('--volumes-from: container[:ro|:rw], no propagation or copy modes', () => {
  assert.deepEqual(parseVolumesFrom('data'), { container: 'data', readonly: false });
  assert.deepEqual(parseVolumesFrom('data:ro'), { container: 'data', readonly: true });
  assert.deepEqual(parseVolumesFrom('data:rw,z'), { container: 'data', readonly: false });
  for (const bad of ['data:rshared', 'data:nocopy', 'data:bogus', 'data:ro,rw']) assert.throws(() => parseVolumesFrom(bad), /invalid mode: /, bad);
  assert.throws(() => parseVolumesFrom(''), /cannot be an empty string/);
});

test('anonymous volume paths: absolute, not /, cleaned', () => {
  assert.deepEqual(anonymousVolumePaths({ '/a/': {}, '/b/../c': {} }), ['/a', '/c']);
  assert.deepEqual(anonymousVolumePaths(null), []);
  assert.throws(() => anonymousVolumePaths({ rel: {} }), /mount path must be absolute/);
  assert.throws(() => anonymousVolumePaths({ '/': {} }), /destination can't be '\/'/);
});

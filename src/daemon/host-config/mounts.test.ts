import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anonymousVolumePaths, containerMounts, parseBind, parseMount, toMountSpec } from './mounts.ts';

const exists = (p: string) => p.startsWith('/host');

test('-v /host:/ctr[:mode]: rbind, ro when asked, rprivate', () => {
  assert.deepEqual(toMountSpec(parseBind('/host/a:/data')), { source: '/host/a', destination: '/data', type: 'bind', options: ['rbind', 'rprivate'] });
  assert.deepEqual(toMountSpec(parseBind('/host/a/:/data/:ro,z')).options, ['rbind', 'ro', 'rprivate']);
  assert.deepEqual(parseBind('/host/a:/data:rw,rprivate'), { kind: 'bind', source: '/host/a', destination: '/data', readonly: false, recursive: true, createSource: true });
});

test('-v refusals: volumes, propagation, bad modes and paths', () => {
  const cases: [string, RegExp][] = [
    ['name:/data', /named volumes \(-v name:\/data\) is not supported yet by berth/],
    ['/data', /anonymous volumes \(-v \/data\) is not supported yet/],
    ['/data:ro', /anonymous volumes/],
    ['rel/dir:/data', /includes invalid characters for a local volume name.*use absolute path/],
    ['/host:/data:rshared', /bind propagation 'rshared' is not supported yet/],
    ['/host:/data:ro,rw', /invalid mode: ro,rw/],
    ['/host:/data:nocopy', /invalid mode: nocopy/],
    ['/host:/data:bogus', /invalid mode: bogus/],
    ['/host:data', /invalid volume specification: '\/host:data': invalid mount config for type "bind": invalid mount path: 'data' mount path must be absolute/],
    ['/host:/', /destination can't be '\/'/],
    ['/a:/b:ro:x', /invalid volume specification/],
    ['/a::/b', /invalid volume specification/],
  ];
  for (const [spec, message] of cases) assert.throws(() => parseBind(spec), message, spec);
});

test('--mount type=bind: source must exist unless CreateMountpoint; non-recursive; read-only', () => {
  assert.deepEqual(toMountSpec(parseMount({ Type: 'bind', Source: '/host/x', Target: '/x', ReadOnly: true, BindOptions: { NonRecursive: true } }, exists)).options, ['bind', 'ro', 'rprivate']);
  assert.throws(() => parseMount({ Type: 'bind', Source: '/nope', Target: '/x' }, exists), /invalid mount config for type "bind": bind source path does not exist: \/nope/);
  assert.equal(parseMount({ Type: 'bind', Source: '/nope', Target: '/x', BindOptions: { CreateMountpoint: true } }, exists).kind, 'bind');
  assert.throws(() => parseMount({ Type: 'bind', Target: '/x' }, exists), /field Source must not be empty/);
  assert.throws(() => parseMount({ Type: 'bind', Source: '/host', Target: '/x', BindOptions: { Propagation: 'rslave' } }, exists), /bind propagation 'rslave' is not supported yet/);
  assert.throws(() => parseMount({ Type: 'bind', Source: '/host', Target: '/x', TmpfsOptions: { SizeBytes: 1 } }, exists), /field TmpfsOptions must not be specified/);
});

test('read-only binds cover their submounts (rro) where the kernel can, as Docker 25+', () => {
  assert.deepEqual(toMountSpec(parseBind('/host:/d:ro'), true).options, ['rbind', 'rro', 'rprivate']);
  assert.deepEqual(toMountSpec(parseBind('/host:/d:ro'), false).options, ['rbind', 'ro', 'rprivate']);
  const top = parseMount({ Type: 'bind', Source: '/host', Target: '/d', ReadOnly: true, BindOptions: { ReadOnlyNonRecursive: true } }, exists);
  assert.deepEqual(toMountSpec(top, true).options, ['rbind', 'ro', 'rprivate']);
  const forced = parseMount({ Type: 'bind', Source: '/host', Target: '/d', ReadOnly: true, BindOptions: { ReadOnlyForceRecursive: true } }, exists);
  assert.deepEqual(toMountSpec(forced, true).options, ['rbind', 'rro', 'rprivate']);
  assert.throws(() => toMountSpec(forced, false), /need Linux 5.12/);
  assert.throws(() => parseMount({ Type: 'bind', Source: '/host', Target: '/d', BindOptions: { ReadOnlyNonRecursive: true, ReadOnlyForceRecursive: true } }, exists), /mount options conflict/);
  assert.deepEqual(toMountSpec(parseMount({ Type: 'bind', Source: '/host', Target: '/d', ReadOnly: true, BindOptions: { NonRecursive: true } }, exists), true).options, ['bind', 'ro', 'rprivate']);
});

test('--mount type=tmpfs and HostConfig.Tmpfs: Docker\'s tmpfs options', () => {
  const m = toMountSpec(parseMount({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1 << 20, Mode: 0o700 } }, exists));
  assert.deepEqual(m, { source: 'tmpfs', destination: '/t', type: 'tmpfs', options: ['noexec', 'nosuid', 'nodev', 'rprivate', 'mode=700', 'size=1m'] });
  assert.throws(() => parseMount({ Type: 'tmpfs', Source: '/x', Target: '/t' }, exists), /field Source must not be specified/);
  const fromTmpfs = containerMounts({ Tmpfs: { '/run': 'exec,size=64m' } }, exists).map((m) => toMountSpec(m));
  assert.deepEqual(fromTmpfs, [{ source: 'tmpfs', destination: '/run', type: 'tmpfs', options: ['nosuid', 'nodev', 'rprivate', 'exec', 'size=64m'] }]);
  assert.throws(() => containerMounts({ Tmpfs: { '/run': 'nosuchopt' } }, exists), /invalid tmpfs option/);
  assert.throws(() => containerMounts({ Tmpfs: { rel: '' } }, exists), /mount path must be absolute/);
});

test('volumes and unknown types are refused; duplicates across -v, --mount and --tmpfs too', () => {
  assert.throws(() => parseMount({ Type: 'volume', Source: 'v', Target: '/v' }, exists), /--mount type=volume is not supported yet by berth/);
  assert.throws(() => parseMount({ Type: 'npipe', Target: '/v' }, exists), /not supported by berth/);
  assert.throws(() => parseMount({ Type: 'weird', Target: '/v' }, exists), /mount type unknown/);
  assert.throws(() => containerMounts({ VolumesFrom: ['c'] }, exists), /--volumes-from is not supported yet/);
  assert.throws(() => containerMounts({ VolumeDriver: 'nfs' }, exists), /--volume-driver is not supported yet/);
  assert.throws(() => containerMounts({ Binds: ['/host:/x'], Tmpfs: { '/x/': '' } }, exists), /Duplicate mount point: \/x/);
  assert.throws(() => containerMounts({ Binds: 'oops' as never }, exists), /invalid Binds: must be a list/);
  assert.deepEqual(containerMounts({ VolumesFrom: [], VolumeDriver: '', Binds: null, Mounts: [] }, exists), []);
});

test('anonymous volume paths: absolute, not /, cleaned', () => {
  assert.deepEqual(anonymousVolumePaths({ '/a/': {}, '/b/../c': {} }), ['/a', '/c']);
  assert.deepEqual(anonymousVolumePaths(null), []);
  assert.throws(() => anonymousVolumePaths({ rel: {} }), /mount path must be absolute/);
  assert.throws(() => anonymousVolumePaths({ '/': {} }), /destination can't be '\/'/);
});

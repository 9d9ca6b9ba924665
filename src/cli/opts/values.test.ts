// Tables for the value parsers of -m, --cpus, --ulimit, --restart, -v and --mount, with the
// messages docker 28 gives for the same input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCpus } from './cpus.ts';
import { memSwapBytes, ramInBytes } from './mem-bytes.ts';
import { parseMount } from './mount.ts';
import { parseRestartPolicy } from './restart.ts';
import { mergeUlimits, parseUlimit } from './ulimit.ts';
import { parseVolumes } from './volumes.ts';

const MiB = 1024 * 1024;

test('-m sizes', () => {
  const cases: Array<[string, number]> = [
    ['100', 100], ['512m', 512 * MiB], ['1g', 1024 * MiB], ['1.5g', 1536 * MiB], ['1kib', 1024], ['1kb', 1024],
    ['1KiB', 1024], ['64K', 65536], ['1e3', 1000], ['10b', 10], ['1 m', MiB], ['2t', 2 * 1024 ** 4],
  ];
  for (const [v, want] of cases) assert.equal(ramInBytes(v), want, v);
  assert.equal(memSwapBytes('-1'), -1);
});

test('-m errors', () => {
  const cases: Array<[string, string]> = [
    ['5x', "invalid suffix: 'x'"], ['10bb', "invalid suffix: 'bb'"], ['-1', "invalid size: '-1'"], ['abc', "invalid size: 'abc'"],
    ['1.2.3m', 'strconv.ParseFloat: parsing "1.2.3": invalid syntax'], ['5xyz', "invalid suffix: 'xyz'"],
    ['0x10', 'strconv.ParseFloat: parsing "0x10": invalid syntax'], [' 1m', 'strconv.ParseFloat: parsing " 1": invalid syntax'],
  ];
  for (const [v, message] of cases) assert.throws(() => ramInBytes(v), { message }, v);
});

test('--cpus', () => {
  const cases: Array<[string, number]> = [['1.5', 1.5e9], ['0.5', 5e8], ['.5', 5e8], ['5.', 5e9], ['2', 2e9], ['1e-9', 1], ['-1', -1e9], ['3/2', 1.5e9], ['0.000000001', 1]];
  for (const [v, want] of cases) assert.equal(parseCpus(v), want, v);
  assert.throws(() => parseCpus('abc'), { message: 'failed to parse abc as a rational number' });
  assert.throws(() => parseCpus('1,5'), { message: 'failed to parse 1,5 as a rational number' });
  assert.throws(() => parseCpus('1/3'), { message: 'value is too precise' });
  assert.throws(() => parseCpus('0.0000000001'), { message: 'value is too precise' });
});

test('--ulimit', () => {
  assert.deepEqual(parseUlimit('nofile=100:200'), { Name: 'nofile', Hard: 200, Soft: 100 });
  assert.deepEqual(parseUlimit('nproc=5'), { Name: 'nproc', Hard: 5, Soft: 5 });
  assert.deepEqual(parseUlimit('nofile=-1'), { Name: 'nofile', Hard: -1, Soft: -1 });
  assert.deepEqual(parseUlimit('nofile=1:-1'), { Name: 'nofile', Hard: -1, Soft: 1 });
  assert.deepEqual(mergeUlimits(['nofile=1', 'core=0', 'nofile=2:3'].map(parseUlimit)), [{ Name: 'nofile', Hard: 3, Soft: 2 }, { Name: 'core', Hard: 0, Soft: 0 }]);
  const bad: Array<[string, string]> = [
    ['nofile', 'invalid ulimit argument: nofile'],
    ['foo=1', 'invalid ulimit type: foo'],
    ['as=1', 'invalid ulimit type: as'],
    ['nofile=a', 'strconv.ParseInt: parsing "a": invalid syntax'],
    ['nofile=1:a', 'strconv.ParseInt: parsing "a": invalid syntax'],
    ['nofile=1:2:3', 'too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`'],
    ['nofile=5:2', 'ulimit soft limit must be less than or equal to hard limit: 5 > 2'],
  ];
  for (const [v, message] of bad) assert.throws(() => parseUlimit(v), { message }, v);
});

test('--restart', () => {
  assert.deepEqual(parseRestartPolicy('no'), { Name: 'no', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('always'), { Name: 'always', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('unless-stopped'), { Name: 'unless-stopped', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('on-failure:3'), { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(parseRestartPolicy('on-failure'), { Name: 'on-failure', MaximumRetryCount: 0 });
  // Like docker, the name is the daemon's to check.
  assert.deepEqual(parseRestartPolicy('bogus'), { Name: 'bogus', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('no:'), { Name: 'no', MaximumRetryCount: 0 });
  assert.throws(() => parseRestartPolicy('on-failure:x'), { message: 'invalid restart policy format: maximum retry count must be an integer' });
  assert.throws(() => parseRestartPolicy(':1'), { message: 'invalid restart policy format: no policy provided before colon' });
});

test('-v binds, named volumes and anonymous volumes', () => {
  const got = parseVolumes(['/tmp:/data:ro', '/anon', 'vol:/v', './rel:/rel', 'C:/x', '~/a:/b', '/tmp:/data:ro'], '/cwd');
  assert.deepEqual(got.binds, ['/tmp:/data:ro', 'vol:/v', '/cwd/rel:/rel', '~/a:/b']);
  assert.deepEqual(got.volumes, { '/anon': {}, 'C:/x': {} });
  assert.throws(() => parseVolumes(['']), { message: 'invalid empty volume spec' });
});

test('--mount', () => {
  assert.deepEqual(parseMount('type=bind,src=/tmp,dst=/m,ro,bind-propagation=rslave'), {
    Type: 'bind', Source: '/tmp', Target: '/m', ReadOnly: true, BindOptions: { Propagation: 'rslave' },
  });
  assert.deepEqual(parseMount('type=volume,source=v2,target=/v2,volume-opt=o=1,volume-label=l=2,volume-nocopy'), {
    Type: 'volume', Source: 'v2', Target: '/v2', VolumeOptions: { NoCopy: true, Labels: { l: '2' }, DriverConfig: { Options: { o: '1' } } },
  });
  assert.deepEqual(parseMount('type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1770'), {
    Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 64 * MiB, Mode: 0o1770 },
  });
  assert.deepEqual(parseMount('target=/data'), { Type: 'volume', Target: '/data' });
  assert.deepEqual(parseMount('type=bind,source=.,target=/d,readonly=false', '/here'), { Type: 'bind', Source: '/here', Target: '/d' });
  assert.deepEqual(parseMount('"type=bind","src=/a,b",dst=/c'), { Type: 'bind', Source: '/a,b', Target: '/c' });
  const bad: Array<[string, string]> = [
    ['type=foo', 'target is required'],
    ['type=,target=/x', 'type is required'],
    ['type=bind,target=/x,foo', "invalid field 'foo' must be a key=value pair"],
    ['type=bind,target=/x,foo=1', "unexpected key 'foo' in 'foo=1'"],
    ['type=bind,target=/x,ro=maybe', 'invalid value for ro: maybe'],
    ['type=bind,target=/x,volume-nocopy', "cannot mix 'volume-*' options with mount type 'bind'"],
    ['type=volume,target=/x,bind-propagation=rshared', "cannot mix 'bind-*' options with mount type 'volume'"],
    ['type=bind,target=/x,tmpfs-size=1m', "cannot mix 'tmpfs-*' options with mount type 'bind'"],
    ['type=tmpfs,target=/x,tmpfs-size=lots', 'invalid value for tmpfs-size: lots'],
    ['type=tmpfs,target=/x,tmpfs-mode=999', 'invalid value for tmpfs-mode: 999'],
  ];
  for (const [v, message] of bad) assert.throws(() => parseMount(v), { message }, v);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extraAttributes, logTag, logWriterFor, mergeLogConfig, parseSyslogAddress, parseSyslogFacility, validateLogOpts, type LogInfo } from './log-config.ts';
import { rfc3339NanoFixed, logFilesOf, containerLogSource } from './container-log.ts';

const info: LogInfo = {
  id: 'a'.repeat(64), name: '/web', imageId: `sha256:${'b'.repeat(64)}`, imageName: 'busybox', hostname: 'h', command: 'sh -c x',
  labels: { app: 'x', 'com.example.tier': 'db' }, env: ['FOO=bar', 'EMPTY=', 'NOEQ'],
};
const paths = { jsonFile: '/c/id-json.log', localFile: '/c/local-logs/container.log', cacheFile: '/c/container-cached.log' };
const initError = (msg: string) => (e: unknown) => (e as Error).message === `failed to initialize logging driver: ${msg}`;

test('mergeLogConfig: the daemon default fills in the type, and its options when the types match', () => {
  const daemon = { Type: 'local', Config: { 'max-size': '5k', 'cache-disabled': 'true' } };
  assert.deepEqual(mergeLogConfig({ Type: '', Config: {} }, daemon), { Type: 'local', Config: { 'max-size': '5k', 'cache-disabled': 'true' } });
  assert.deepEqual(mergeLogConfig(null, daemon), { Type: 'local', Config: { 'max-size': '5k', 'cache-disabled': 'true' } });
  assert.deepEqual(mergeLogConfig({ Type: 'local', Config: { 'max-size': '9k', 'max-file': '2' } }, daemon).Config, { 'max-size': '9k', 'max-file': '2', 'cache-disabled': 'true' });
  // Another type: only the cache options carry over.
  assert.deepEqual(mergeLogConfig({ Type: 'json-file', Config: null }, daemon), { Type: 'json-file', Config: { 'cache-disabled': 'true' } });
  assert.throws(() => mergeLogConfig({ Type: 'json-file', Config: { x: '1' } }, daemon), /unknown log opt 'x' for json-file log driver/);
});

test('validateLogOpts: dockerd messages for each driver', () => {
  const cases: Array<[string, Record<string, string>, string | RegExp]> = [
    ['json-file', { bogus: '1' }, "unknown log opt 'bogus' for json-file log driver"],
    ['local', { labels: 'a' }, "unknown log opt 'labels' for log driver local"],
    ['syslog', { 'max-size': '1' }, "unknown log opt 'max-size' for syslog log driver"],
    ['journald', { compress: '1' }, "unknown log opt 'compress' for journald log driver"],
    ['nope', {}, 'error looking up logging plugin nope: plugin "nope" not found'],
    ['json-file', { mode: 'x' }, 'logger: logging mode not supported: x'],
    ['json-file', { 'max-buffer-size': '1m' }, "logger: max-buffer-size option is only supported with 'mode=non-blocking'"],
    ['json-file', { mode: 'non-blocking', 'max-buffer-size': 'zz' }, /^error parsing option max-buffer-size: /],
    ['syslog', { 'syslog-address': 'foo' }, 'syslog-address should be in form proto://address, got foo'],
    ['syslog', { 'syslog-address': 'unix:///no/such/sock' }, 'stat /no/such/sock: no such file or directory'],
    ['syslog', { 'syslog-facility': 'bad' }, 'invalid syslog facility'],
    ['syslog', { 'syslog-facility': '24' }, 'invalid syslog facility'],
    ['syslog', { 'syslog-format': 'rfc9999' }, 'Invalid syslog format'],
  ];
  for (const [type, cfg, msg] of cases) {
    assert.throws(() => validateLogOpts(type, cfg), (e: Error) => (typeof msg === 'string' ? e.message === msg : msg.test(e.message)), `${type} ${JSON.stringify(cfg)}`);
  }
  validateLogOpts('none', { anything: 'goes' });
  validateLogOpts('json-file', { mode: 'non-blocking', 'max-buffer-size': '4m', 'max-size': '1k', tag: 't', 'cache-disabled': 'false' });
  validateLogOpts('syslog', { 'syslog-address': 'udp://127.0.0.1', 'syslog-facility': 'local3', 'syslog-format': 'rfc5424micro' });
});

test('syslog address and facility parse as dockerd parses them', () => {
  assert.deepEqual(parseSyslogAddress(''), { proto: '', address: '' });
  assert.deepEqual(parseSyslogAddress('udp://127.0.0.1'), { proto: 'udp', address: '127.0.0.1:514' });
  assert.deepEqual(parseSyslogAddress('tcp://127.0.0.1:1514'), { proto: 'tcp', address: '127.0.0.1:1514' });
  assert.equal(parseSyslogFacility(''), 3);
  assert.equal(parseSyslogFacility('local7'), 23);
  assert.equal(parseSyslogFacility('5'), 5);
});

test('json-file start settings: sizes, counts, compress and their errors', () => {
  const w = (c: Record<string, string>) => logWriterFor({ Type: 'json-file', Config: c }, info, paths);
  assert.deepEqual(w({}), { driver: 'json-file', path: paths.jsonFile, maxSize: undefined, maxFile: 1, compress: false, attrs: undefined });
  assert.deepEqual(w({ 'max-size': '10k', 'max-file': '3', compress: 'true' }), { driver: 'json-file', path: paths.jsonFile, maxSize: 10_000, maxFile: 3, compress: true, attrs: undefined });
  assert.throws(() => w({ 'max-size': 'abc' }), initError("invalid size: 'abc'"));
  assert.throws(() => w({ 'max-size': '0' }), initError('max-size must be a positive number'));
  assert.throws(() => w({ 'max-file': '0' }), initError('max-file cannot be less than 1'));
  assert.throws(() => w({ 'max-file': 'x' }), initError('strconv.Atoi: parsing "x": invalid syntax'));
  assert.throws(() => w({ compress: 'true' }), initError('compress cannot be true when max-file is less than 2 or max-size is not set'));
  assert.throws(() => w({ compress: 'maybe' }), initError('strconv.ParseBool: parsing "maybe": invalid syntax'));
  assert.throws(() => w({ 'labels-regex': '(' }), initError('error parsing regexp: missing closing ): `(`'));
});

test('json-file attrs: labels, env, regexes and the tag, encoded as Go encodes a map', () => {
  const w = logWriterFor({ Type: 'json-file', Config: { labels: 'app,missing', env: 'FOO,EMPTY,NOEQ', 'labels-regex': '^com\\.', tag: '{{.Name}}<{{.ID}}>' } }, info, paths);
  assert.equal(w?.attrs, `{"EMPTY":"","FOO":"bar","app":"x","com.example.tier":"db","tag":"web\\u003c${'a'.repeat(12)}\\u003e"}`);
  assert.deepEqual(extraAttributes({ 'env-regex': '^F' }, info), { FOO: 'bar' });
});

test('log tags: the fields dockerd offers, its error for others', () => {
  assert.equal(logTag({}, info, '{{.ID}}'), 'a'.repeat(12));
  assert.equal(logTag({ tag: '{{.FullID}} {{.ImageID}} {{.ImageName}} {{.Hostname}} {{.DaemonName}} {{ .Command }}' }, info, ''),
    `${'a'.repeat(64)} sha256:bbbbb busybox h docker sh -c x`);
  assert.equal(logTag({}, info, ''), '');
  assert.throws(() => logTag({ tag: '{{.Nope}}' }, info, ''), initError('template: log-tag:1:2: executing "log-tag" at <.Nope>: can\'t evaluate field Nope in type *logger.Info'));
  assert.throws(() => logTag({ tag: 'x{{.Nope}}' }, info, ''), /log-tag:1:3:/);
});

test('local start settings: Docker\'s defaults (20m, 5 files, compressed) and errors', () => {
  const w = (c: Record<string, string>) => logWriterFor({ Type: 'local', Config: c }, info, paths);
  assert.deepEqual(w({}), { driver: 'local', path: paths.localFile, maxSize: 20 * 1024 * 1024, maxFile: 5, compress: true });
  assert.deepEqual(w({ 'max-size': '1k', 'max-file': '1', compress: 'false' }), { driver: 'local', path: paths.localFile, maxSize: 1000, maxFile: 1, compress: false });
  assert.throws(() => w({ 'max-file': '1' }), initError('compression cannot be enabled when max file count is 1'));
  assert.throws(() => w({ 'max-size': 'x' }), initError("invalid value for max-size: x: invalid size: 'x'"));
  assert.throws(() => w({ 'max-file': '-1', compress: 'false' }), initError('max-file must not be negative'));
  assert.throws(() => w({ compress: 'x' }), initError('error reading compress log option: strconv.ParseBool: parsing "x": invalid syntax'));
});

test('syslog, none and journald at start', () => {
  assert.equal(logWriterFor({ Type: 'none', Config: {} }, info, paths), undefined);
  const cache = { path: paths.cacheFile, maxSize: 20 * 1024 * 1024, maxFile: 5, compress: true };
  assert.deepEqual(logWriterFor({ Type: 'syslog', Config: { 'syslog-address': 'udp://localhost:1514', 'syslog-facility': 'local0', 'syslog-format': 'rfc5424' } }, info, paths),
    { driver: 'syslog', tag: 'a'.repeat(12), syslog: { address: 'udp:127.0.0.1:1514', facility: 16, format: 'rfc5424' }, cache });
  // Dual logging's cache: its own sizes, or none at all.
  assert.deepEqual(logWriterFor({ Type: 'syslog', Config: { 'cache-max-size': '1k', 'cache-max-file': '2', 'cache-compress': 'false' } }, info, paths)?.cache,
    { path: paths.cacheFile, maxSize: 1000, maxFile: 2, compress: false });
  assert.equal(logWriterFor({ Type: 'syslog', Config: { 'cache-disabled': 'true' } }, info, paths)?.cache, undefined);
  assert.throws(() => validateLogOpts('syslog', { 'cache-disabled': 'perhaps' }), { message: 'invalid value for option cache-disabled: perhaps' });
  assert.deepEqual(logWriterFor({ Type: 'syslog', Config: {} }, info, paths)?.syslog, { address: '', facility: 3, format: '' });
  assert.throws(() => logWriterFor({ Type: 'syslog', Config: { 'syslog-address': 'tcp://example.com:514' } }, info, paths), /numeric address/);
  assert.throws(() => logWriterFor({ Type: 'journald', Config: {} }, info, paths), /failed to initialize logging driver: journald/);
});

test('where logs are read from, and the fixed timestamp format', () => {
  assert.deepEqual(logFilesOf('id', '/c'), { ...paths, jsonFile: '/c/id-json.log' });
  const rec = { ID: 'id', HostnamePath: '/d/containers/id/hostname' };
  assert.deepEqual(containerLogSource({ rec, hostConfig: {} }), { path: '/d/containers/id/id-json.log', format: 'json-file', maxFile: 1 });
  assert.deepEqual(containerLogSource({ rec, hostConfig: { LogConfig: { Type: 'local', Config: { 'max-file': '3' } } } }),
    { path: '/d/containers/id/local-logs/container.log', format: 'local', maxFile: 3 });
  assert.equal(containerLogSource({ rec, hostConfig: { LogConfig: { Type: 'none' } } }), undefined);
  assert.deepEqual(containerLogSource({ rec, hostConfig: { LogConfig: { Type: 'syslog' } } }), { path: '/d/containers/id/container-cached.log', format: 'local', maxFile: 5 });
  assert.equal(containerLogSource({ rec, hostConfig: { LogConfig: { Type: 'syslog', Config: { 'cache-disabled': 'true' } } } }), undefined);
  assert.equal(rfc3339NanoFixed(1_700_000_000_000_000_000n), '2023-11-14T22:13:20.000000000Z');
  assert.equal(rfc3339NanoFixed(1_700_000_000_120_000_007n), '2023-11-14T22:13:20.120000007Z');
});

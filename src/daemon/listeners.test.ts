import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  activationFds, checkInsecureTcp, isLoopbackHost, listenerSpec, loadServerTls, normalizeHosts, parseDaemonHost, selectActivationFds,
  type TlsSettings,
} from './listeners.ts';
import { mergeConfig, parseDaemonFlags } from './config.ts';
import type { Logger } from '../common/index.ts';

const SOCK = '/run/berth/berth.sock';

test('parseDaemonHost normalizes -H values as dockerd ParseHost does', () => {
  assert.equal(parseDaemonHost('', false, SOCK), 'unix:///run/berth/berth.sock');
  assert.equal(parseDaemonHost('', true, SOCK), 'tcp://localhost:2376');
  assert.equal(parseDaemonHost('unix://', false, SOCK), 'unix:///run/berth/berth.sock');
  assert.equal(parseDaemonHost('unix:///tmp/x.sock', false, SOCK), 'unix:///tmp/x.sock');
  assert.equal(parseDaemonHost('tcp://127.0.0.1', false, SOCK), 'tcp://127.0.0.1:2375');
  assert.equal(parseDaemonHost('tcp://:4000', false, SOCK), 'tcp://localhost:4000');
  assert.equal(parseDaemonHost('0.0.0.0:2376', true, SOCK), 'tcp://0.0.0.0:2376');
  assert.equal(parseDaemonHost('tcp://[::1]:9000', false, SOCK), 'tcp://[::1]:9000');
  assert.equal(parseDaemonHost('tcp://[::1]', false, SOCK), 'tcp://[::1]:2375');
  assert.equal(parseDaemonHost('fd://', false, SOCK), 'fd://');
  assert.equal(parseDaemonHost('fd://3', false, SOCK), 'fd://3');
  assert.throws(() => parseDaemonHost('udp://1.2.3.4:1', false, SOCK), { message: "invalid bind address (udp://1.2.3.4:1): unsupported proto 'udp'" });
  assert.throws(() => parseDaemonHost('tcp://1.2.3.4:99999', false, SOCK), /invalid bind address \(tcp:\/\/1\.2\.3\.4:99999\): invalid port "99999"/);
  assert.throws(() => parseDaemonHost('tcp://1.2.3.4:x', false, SOCK), /invalid port "x"/);
  assert.throws(() => parseDaemonHost('tcp://1.2.3.4:80/path', false, SOCK), /should not contain a path element/);
  assert.throws(() => parseDaemonHost('unix://tcp://x', false, SOCK), /invalid proto, expected unix/);
});

test('normalizeHosts de-duplicates and sorts; listenerSpec splits a normalized host', () => {
  assert.deepEqual(normalizeHosts([], false, SOCK), ['unix:///run/berth/berth.sock']);
  assert.deepEqual(normalizeHosts(['unix:///b', 'tcp://127.0.0.1:1', 'unix:///b', '127.0.0.1:1'], false, SOCK), ['tcp://127.0.0.1:1', 'unix:///b']);
  assert.deepEqual(listenerSpec('tcp://[::1]:9000'), { proto: 'tcp', host: 'tcp://[::1]:9000', hostname: '::1', port: 9000 });
  assert.deepEqual(listenerSpec('unix:///x'), { proto: 'unix', host: 'unix:///x', path: '/x' });
  assert.deepEqual(listenerSpec('fd://'), { proto: 'fd', host: 'fd://', addr: '' });
});

test('activationFds honours LISTEN_PID/LISTEN_FDS only for this pid, and always clears them', () => {
  const env: NodeJS.ProcessEnv = { LISTEN_PID: '42', LISTEN_FDS: '2', LISTEN_FDNAMES: 'a:b', KEEP: '1' };
  assert.deepEqual(activationFds(env, 42), [3, 4]);
  assert.deepEqual(env, { KEEP: '1' });
  assert.deepEqual(activationFds({ LISTEN_PID: '41', LISTEN_FDS: '2' }, 42), []);
  assert.deepEqual(activationFds({ LISTEN_FDS: '2' }, 42), []);
  assert.deepEqual(activationFds({ LISTEN_PID: '42', LISTEN_FDS: 'x' }, 42), []);
});

test('selectActivationFds: all, one, or dockerd errors', () => {
  assert.deepEqual(selectActivationFds('', [3, 4]), [3, 4]);
  assert.deepEqual(selectActivationFds('*', [3, 4]), [3, 4]);
  assert.deepEqual(selectActivationFds('4', [3, 4]), [4]);
  assert.throws(() => selectActivationFds('', []), { message: 'no sockets found via socket activation: make sure the service was started by systemd' });
  assert.throws(() => selectActivationFds('5', [3, 4]), { message: 'too few socket activated files passed in by systemd' });
  assert.throws(() => selectActivationFds('abc', [3]), { message: 'failed to parse systemd fd address: should be a number: abc' });
  assert.throws(() => selectActivationFds('1', [3]), { message: 'failed to listen on systemd activated file: fd 1' });
});

function tlsFrom(args: string[], file: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) {
  return mergeConfig(parseDaemonFlags(args), file, '/etc/berth/daemon.json', env);
}

test('TLS settings follow dockerd: --tlsverify implies --tls, --tls alone does not verify, defaults from the cert dir', () => {
  assert.deepEqual(tlsFrom([]).tls, { tls: false, verify: false, explicit: false, caFile: '/etc/berth/ca.pem', certFile: '/etc/berth/cert.pem', keyFile: '/etc/berth/key.pem' });
  assert.equal(tlsFrom(['--tlsverify']).tls.verify, true);
  assert.equal(tlsFrom(['--tlsverify']).tls.tls, true);
  assert.deepEqual(tlsFrom(['--tlsverify=false']).tls, { ...tlsFrom([]).tls, tls: true, verify: false, explicit: true });
  assert.deepEqual(tlsFrom(['--tls']).tls, { ...tlsFrom([]).tls, tls: true, verify: false, explicit: true });
  assert.deepEqual(tlsFrom(['--tls=false']).tls, { ...tlsFrom([]).tls, explicit: true });
  assert.equal(tlsFrom([], { tlsverify: true }).tls.verify, true);
  assert.equal(tlsFrom(['--tlscacert', '/x/ca.pem']).tls.caFile, '/x/ca.pem');
  assert.equal(tlsFrom([], { tlskey: '/k.pem' }).tls.keyFile, '/k.pem');
  assert.equal(tlsFrom([], {}, { BERTH_CERT_PATH: '/certs' }).tls.certFile, '/certs/cert.pem');
  // --tlsverify with no -H listens on tcp://localhost:2376, as dockerd.
  assert.deepEqual(tlsFrom(['--tlsverify']).hosts, ['tcp://localhost:2376']);
  assert.deepEqual(tlsFrom(['-H', 'tcp://0.0.0.0', '-H', 'unix:///s']).hosts, ['tcp://0.0.0.0:2375', 'unix:///s']);
  assert.deepEqual(tlsFrom([], { hosts: ['tcp://127.0.0.1:9'] }).hosts, ['tcp://127.0.0.1:9']);
});

test('TLS keys given as a flag and in daemon.json are a conflict; bad values are errors', () => {
  assert.throws(() => tlsFrom(['--tlsverify'], { tlsverify: true }), /specified both as a flag and in the configuration file: tlsverify: \(from flag: true, from file: true\)/);
  assert.throws(() => tlsFrom(['--tlscert', '/a'], { tlscert: '/b' }), /tlscert: \(from flag: \/a, from file: \/b\)/);
  assert.throws(() => tlsFrom(['-H', 'tcp://1.2.3.4:1'], { hosts: ['unix:///x'] }), /specified both as a flag and in the configuration file: hosts/);
  assert.throws(() => tlsFrom([], { tls: 'yes' }), /tls must be true or false/);
  assert.throws(() => tlsFrom([], { hosts: 'tcp://x' }), /hosts must be a list of strings/);
  assert.throws(() => tlsFrom(['-H', 'ftp://x']), /unsupported proto 'ftp'/);
  assert.throws(() => parseDaemonFlags(['--tls=maybe']), /invalid argument "maybe" for "--tls" flag/);
});

function recorder(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const push = (m: string) => lines.push(m);
  return { lines, log: { debug: () => {}, info: push, warn: push, error: push } };
}

const settings = (over: Partial<TlsSettings> = {}): TlsSettings => ({ tls: false, verify: false, explicit: false, caFile: '/c', certFile: '/c', keyFile: '/k', ...over });
const tcp = (host: string) => listenerSpec(host) as Extract<ReturnType<typeof listenerSpec>, { proto: 'tcp' }>;

test('insecure TCP: silent with --tlsverify, warned on loopback, refused elsewhere unless explicit', async () => {
  let r = recorder();
  await checkInsecureTcp(tcp('tcp://0.0.0.0:2376'), settings({ tls: true, verify: true, explicit: true }), r.log);
  assert.deepEqual(r.lines, []);
  r = recorder();
  await checkInsecureTcp(tcp('tcp://127.0.0.1:2375'), settings(), r.log);
  assert.equal(r.lines[0], 'Binding to IP address without --tlsverify is insecure and gives root access on this machine to everyone who has access to your network.');
  assert.equal(r.lines.length, 2);
  r = recorder();
  await assert.rejects(checkInsecureTcp(tcp('tcp://0.0.0.0:2375'), settings(), r.log), /failed to load listeners: refusing to listen on tcp:\/\/0\.0\.0\.0:2375 without --tlsverify/);
  assert.ok(r.lines.includes("You can override this by explicitly specifying '--tls=false' or '--tlsverify=false'"));
  r = recorder();
  await checkInsecureTcp(tcp('tcp://0.0.0.0:2375'), settings({ explicit: true }), r.log);
  assert.equal(r.lines.length, 2);
  // --tls without verification is still "without --tlsverify": warned.
  r = recorder();
  await checkInsecureTcp(tcp('tcp://10.1.2.3:2376'), settings({ tls: true, explicit: true }), r.log);
  assert.equal(r.lines.length, 2);
});

test('isLoopbackHost: addresses and resolved names', async () => {
  assert.equal(await isLoopbackHost('127.0.0.1'), true);
  assert.equal(await isLoopbackHost('127.9.9.9'), true);
  assert.equal(await isLoopbackHost('::1'), true);
  assert.equal(await isLoopbackHost('localhost'), true);
  assert.equal(await isLoopbackHost('0.0.0.0'), false);
  assert.equal(await isLoopbackHost('::'), false);
  assert.equal(await isLoopbackHost('10.0.0.1'), false);
  assert.equal(await isLoopbackHost('box', async () => '127.0.1.1'), true);
  assert.equal(await isLoopbackHost('box', async () => '192.0.2.1'), false);
  assert.equal(await isLoopbackHost('nowhere', async () => {
    throw new Error('ENOTFOUND');
  }), false);
});

test('loadServerTls: nothing without TLS; dockerd messages for missing or bad files', async () => {
  assert.equal(await loadServerTls(settings()), undefined);
  const enoent = (file: string) => Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT', path: file });
  const files: Record<string, Buffer> = { '/ca': Buffer.from('not a pem'), '/cert': Buffer.from('x'), '/key': Buffer.from('y') };
  const read = async (f: string) => {
    if (files[f]) return files[f];
    throw enoent(f);
  };
  await assert.rejects(loadServerTls(settings({ tls: true, verify: true, caFile: '/none' }), read),
    { message: 'invalid TLS configuration: could not read CA certificate "/none": open /none: no such file or directory' });
  await assert.rejects(loadServerTls(settings({ tls: true, verify: true, caFile: '/ca' }), read),
    { message: 'invalid TLS configuration: failed to append certificates from PEM file: "/ca"' });
  await assert.rejects(loadServerTls(settings({ tls: true, certFile: '/nocert', keyFile: '/key' }), read),
    { message: 'invalid TLS configuration: Could not load X509 key pair (cert: "/nocert", key: "/key"): open /nocert: no such file or directory' });
  await assert.rejects(loadServerTls(settings({ tls: true, certFile: '/cert', keyFile: '/key' }), read),
    /^Error: invalid TLS configuration: Error reading X509 key pair \(cert: "\/cert", key: "\/key"\): .*Make sure the key is not encrypted\.$/);
});

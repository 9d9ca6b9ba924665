import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidr } from './registry-config.ts';
import { RegistryConfig, DEFAULT_CERTS_DIR } from './index.ts';

test('mirrors: http(s) URLs only, normalised with a trailing slash; Docker\'s errors', () => {
  assert.deepEqual(new RegistryConfig({ mirrors: ['https://m.example', 'http://10.0.0.1:5000/'] }).mirrors, ['https://m.example/', 'http://10.0.0.1:5000/']);
  assert.throws(() => new RegistryConfig({ mirrors: ['ftp://m'] }), { message: 'invalid mirror: unsupported scheme "ftp" in "ftp://m"' });
  assert.throws(() => new RegistryConfig({ mirrors: ['m.example'] }), { message: 'invalid mirror: "m.example" is not a valid URI' });
  assert.throws(() => new RegistryConfig({ mirrors: ['https://m/?x=1'] }), { message: 'invalid mirror: query or fragment at end of the URI "https://m/?x=1"' });
  assert.throws(() => new RegistryConfig({ mirrors: ['https://u:p@m/'] }), { message: 'invalid mirror: username/password not allowed in URI "https://u:p@m/"' });
});

test('insecure registries: hosts and CIDRs (normalised), schemes stripped, bad entries refused', () => {
  const c = new RegistryConfig({ insecureRegistries: ['http://reg.local:5000', 'https://other', '10.1.2.3/8', 'fd00::1/64', '[fd00::9]:443'] });
  const info = c.info();
  assert.deepEqual(info.InsecureRegistryCIDRs, ['::1/128', '127.0.0.0/8', '10.0.0.0/8', 'fd00::/64']);
  assert.deepEqual(Object.keys(info.IndexConfigs).sort(), ['[fd00::9]:443', 'docker.io', 'other', 'reg.local:5000']);
  assert.deepEqual(info.IndexConfigs['reg.local:5000'], { Name: 'reg.local:5000', Mirrors: [], Secure: false, Official: false });
  assert.deepEqual(info.IndexConfigs['docker.io'], { Name: 'docker.io', Mirrors: [], Secure: true, Official: true });
  assert.throws(() => new RegistryConfig({ insecureRegistries: ['ftp://x'] }), { message: "insecure registry ftp://x should not contain '://'" });
  assert.throws(() => new RegistryConfig({ insecureRegistries: ['bad host'] }), /insecure registry bad host is not valid/);
  assert.throws(() => new RegistryConfig({ maxDownloadAttempts: -1 }), /invalid max-download-attempts: -1/);
  assert.equal(new RegistryConfig({ maxConcurrentDownloads: 0 }).maxConcurrentDownloads, 3, '0 means the default');
  assert.equal(new RegistryConfig().certsDir, DEFAULT_CERTS_DIR);
});

test('CIDR parsing as Go\'s net.ParseCIDR prints the network', () => {
  assert.equal(parseCidr('192.168.1.77/24'), '192.168.1.0/24');
  assert.equal(parseCidr('10.0.0.1/32'), '10.0.0.1/32');
  assert.equal(parseCidr('2001:db8:0:0:1::1/48'), '2001:db8::/48');
  assert.equal(parseCidr('::ffff:0:0/96'), '::ffff:0:0/96');
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('10.0.0.0'), undefined);
  assert.equal(parseCidr('host/8'), undefined);
});

test('secure or not: loopback and configured CIDRs are insecure, configured hosts too; others secure', async () => {
  const c = new RegistryConfig({ insecureRegistries: ['192.0.2.0/24', 'myreg:5000'] });
  assert.equal(await c.isSecure('127.0.0.1:5000'), false);
  assert.equal(await c.isSecure('[::1]:5000'), false);
  assert.equal(await c.isSecure('localhost:5000'), false, 'resolves to loopback');
  assert.equal(await c.isSecure('192.0.2.9'), false);
  assert.equal(await c.isSecure('myreg:5000'), false);
  assert.equal(await c.isSecure('myreg:5001'), true, 'the port is part of the name');
  assert.equal(await c.isSecure('198.51.100.1:443'), true);
  assert.equal(await c.isSecure('docker.io'), true);
});

test('endpoints: docker.io tries the mirrors first; an insecure host gets https without verification, then http', async () => {
  const c = new RegistryConfig({ mirrors: ['http://127.0.0.1:5001', 'https://mirror.example/base'], insecureRegistries: ['192.0.2.0/24'] });
  assert.deepEqual(await c.endpoints('docker.io'), [
    { base: 'http://127.0.0.1:5001', mirror: true, official: false, tlsVerify: false, certsHost: undefined },
    { base: 'https://mirror.example/base', mirror: true, official: false, tlsVerify: true, certsHost: 'mirror.example' },
    { base: 'https://registry-1.docker.io', mirror: false, official: true, tlsVerify: true },
  ]);
  assert.deepEqual(await c.endpoints('192.0.2.1:5000'), [
    { base: 'https://192.0.2.1:5000', mirror: false, official: false, tlsVerify: false, certsHost: undefined },
    { base: 'http://192.0.2.1:5000', mirror: false, official: false, tlsVerify: false },
  ]);
  assert.deepEqual(await c.endpoints('198.51.100.7:443'), [{ base: 'https://198.51.100.7:443', mirror: false, official: false, tlsVerify: true, certsHost: '198.51.100.7:443' }]);
});

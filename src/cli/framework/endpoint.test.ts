// Host strings and TLS settings as docker reads them (-H, env, --tls*, cert paths).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { globalFlags, InitError, parseHost, resolveEndpoint } from './endpoint.ts';
import { parseFlags } from './flags.ts';

const dir = await mkdtemp(join(tmpdir(), 'berth-endpoint-test-'));
after(() => rm(dir, { recursive: true, force: true }));

test('host strings: unix, tcp, bare host, defaults and bad schemes', () => {
  assert.deepEqual(parseHost('unix:///tmp/x.sock', false), { host: 'unix:///tmp/x.sock', socketPath: '/tmp/x.sock' });
  assert.deepEqual(parseHost('unix://', false), { host: 'unix:///run/berth/berth.sock', socketPath: '/run/berth/berth.sock' });
  assert.deepEqual(parseHost('', false), { host: 'unix:///run/berth/berth.sock', socketPath: '/run/berth/berth.sock' });
  assert.deepEqual(parseHost('tcp://127.0.0.1', false), { host: 'tcp://127.0.0.1:2375', hostname: '127.0.0.1', port: 2375 });
  assert.deepEqual(parseHost('127.0.0.1', true), { host: 'tcp://127.0.0.1:2376', hostname: '127.0.0.1', port: 2376 });
  assert.deepEqual(parseHost('tcp://[::1]:99', false), { host: 'tcp://[::1]:99', hostname: '::1', port: 99 });
  assert.deepEqual(parseHost('tcp://:4000', false), { host: 'tcp://localhost:4000', hostname: 'localhost', port: 4000 });
  assert.throws(() => parseHost('foo://x', false), (e: unknown) => e instanceof InitError && e.message === 'invalid bind address format: foo://x');
  assert.throws(() => parseHost('tcp://h:port', false), InitError);
});

function endpointFor(argv: string[], env: NodeJS.ProcessEnv) {
  const parsed = parseFlags(globalFlags(dir, env), argv, { interspersed: false });
  return resolveEndpoint(parsed.flags, env);
}

test('TLS: off by default, on with --tls / --tlsverify / BERTH_TLS_VERIFY; files from the cert dir', async () => {
  assert.equal(endpointFor(['-H', 'tcp://h:1'], {}).tls, undefined);
  assert.deepEqual(endpointFor(['--tls', '-H', 'tcp://h'], {}), { host: 'tcp://h:2376', hostname: 'h', port: 2376, tls: { rejectUnauthorized: false } });
  assert.throws(() => endpointFor(['--tlsverify', '-H', 'tcp://h:1'], {}), (e: unknown) =>
    e instanceof InitError && e.message === `unable to resolve berth endpoint: open ${join(dir, 'ca.pem')}: no such file or directory`);
  assert.throws(() => endpointFor(['-H', 'tcp://h:1'], { BERTH_TLS_VERIFY: '1' }), /ca\.pem: no such file/);
  await writeFile(join(dir, 'ca.pem'), 'CA');
  await writeFile(join(dir, 'cert.pem'), 'CERT');
  await writeFile(join(dir, 'key.pem'), 'KEY');
  const tls = endpointFor(['--tlsverify', '-H', 'tcp://h:1'], {}).tls!;
  assert.equal(tls.rejectUnauthorized, true);
  assert.equal(String(tls.ca), 'CA');
  assert.equal(String(tls.cert), 'CERT');
  assert.equal(String(tls.key), 'KEY');
  // A unix socket never uses TLS; DOCKER_CERT_PATH moves the defaults.
  assert.equal(endpointFor(['--tlsverify', '-H', 'unix:///x.sock'], {}).tls, undefined);
  assert.throws(() => endpointFor(['--tlsverify', '-H', 'tcp://h:1'], { DOCKER_CERT_PATH: join(dir, 'nope') }), /nope\/ca\.pem/);
});

test('API version override from the environment', () => {
  assert.equal(endpointFor([], { BERTH_API_VERSION: '1.41', DOCKER_API_VERSION: '1.40' }).apiVersion, '1.41');
  assert.equal(endpointFor([], { DOCKER_API_VERSION: 'v1.40' }).apiVersion, '1.40');
});

// berthd's listeners beside the unix socket: TCP with TLS and a verified client certificate
// (the real docker CLI in, a client without a certificate out, plain HTTP refused), plain TCP
// only with an explicit --tls=false and dockerd's warnings, dockerd's start-up errors for bad
// hosts and TLS files, and systemd socket activation (-H fd://) with sockets made here.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server, type AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { request as httpRequest } from 'node:http';
import { freePort, ROOT, run, startDaemon, startDaemonWithBusybox, type Daemon, type RunResult } from './harness.ts';

const dir = mkdtempSync('/tmp/bt-listen-');
const pki = {
  ca: join(dir, 'ca.pem'), serverCert: join(dir, 'server-cert.pem'), serverKey: join(dir, 'server-key.pem'),
  clientCert: join(dir, 'cert.pem'), clientKey: join(dir, 'key.pem'),
  otherCert: join(dir, 'other-cert.pem'), otherKey: join(dir, 'other-key.pem'),
};

async function openssl(args: string[]): Promise<void> {
  const r = await run('openssl', args);
  if (r.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA, a server certificate for 127.0.0.1/localhost, a client certificate, and a client certificate of another CA. */
async function makePki(): Promise<void> {
  const days = ['-days', '2'];
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'ca-key.pem'), '-out', pki.ca, '-subj', '/CN=berth test CA', ...days]);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  const leaf = async (name: string, key: string, cert: string, ext: string, caCert: string, caKey: string) => {
    await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', join(dir, `${name}.csr`), '-subj', `/CN=${name}`]);
    await openssl(['x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-extfile', join(dir, ext), ...days]);
  };
  await leaf('server', pki.serverKey, pki.serverCert, 'server.ext', pki.ca, join(dir, 'ca-key.pem'));
  await leaf('client', pki.clientKey, pki.clientCert, 'client.ext', pki.ca, join(dir, 'ca-key.pem'));
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'other-ca-key.pem'), '-out', join(dir, 'other-ca.pem'), '-subj', '/CN=other CA', ...days]);
  await leaf('other', pki.otherKey, pki.otherCert, 'client.ext', join(dir, 'other-ca.pem'), join(dir, 'other-ca-key.pem'));
}

const daemons: Daemon[] = [];
before(makePki);
after(async () => {
  for (const d of daemons) await d.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const tlsArgs = ['--tlscacert', pki.ca, '--tlscert', pki.serverCert, '--tlskey', pki.serverKey];
const clientTls = ['--tlsverify', '--tlscacert', pki.ca, '--tlscert', pki.clientCert, '--tlskey', pki.clientKey];
const docker = (args: string[], opts: { input?: string } = {}): Promise<RunResult> => run('docker', args, { ...opts, env: { DOCKER_CONFIG: join(dir, 'client-config') }, timeoutMs: 30_000 });
// The client config dir is not the PKI dir: the CLI would take its cert.pem and key.pem by default.

/** One raw request over TLS; resolves the status line, or rejects when the server refuses the client. */
function tlsPing(port: number, opts: { cert?: string; key?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({
      host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(pki.ca),
      cert: opts.cert ? readFileSync(opts.cert) : undefined, key: opts.key ? readFileSync(opts.key) : undefined,
    });
    let data = '';
    s.on('secureConnect', () => s.write('GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    s.on('data', (d) => (data += String(d)));
    s.on('error', reject);
    s.on('close', () => (data ? resolve(data.split('\r\n')[0]) : reject(new Error('closed without an answer'))));
  });
}

test('--tlsverify: the docker CLI with a client certificate runs containers over TLS; others are refused', async () => {
  const port = await freePort();
  const d = await startDaemonWithBusybox(['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', ...tlsArgs]);
  daemons.push(d);
  const host = ['-H', `tcp://127.0.0.1:${port}`];
  assert.match(d.daemonLog(), new RegExp(`API listen on 127\\.0\\.0\\.1:${port}`));
  assert.doesNotMatch(d.daemonLog(), /without --tlsverify is insecure/);

  const v = await docker([...clientTls, ...host, 'version', '--format', '{{.Server.APIVersion}}']);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout.trim(), '1.50');

  // Attach (the upgrade hijack) over TLS, with stdin.
  const r = await docker([...clientTls, ...host, 'run', '--rm', '-i', 'busybox', 'sh', '-c', 'read x; echo got $x'], { input: 'hello\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'got hello\n');

  // Exec, detached container, logs.
  const c = await docker([...clientTls, ...host, 'run', '-d', 'busybox', 'sleep', '60']);
  assert.equal(c.code, 0, c.stderr);
  const id = c.stdout.trim();
  const e = await docker([...clientTls, ...host, 'exec', '-i', id, 'cat'], { input: 'through exec\n' });
  assert.equal(e.code, 0, e.stderr);
  assert.equal(e.stdout, 'through exec\n');
  const ee = await docker([...clientTls, ...host, 'exec', id, 'sh', '-c', 'exit 3']);
  assert.equal(ee.code, 3);
  assert.equal((await docker([...clientTls, ...host, 'rm', '-f', id])).code, 0);

  // berth's own CLI.
  const b = await run(join(ROOT, 'bin/berth'), [...clientTls, ...host, 'version', '--format', '{{.Server.Os}}'], { env: { BERTH_CONFIG: join(dir, 'client-config') } });
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.stdout.trim(), 'linux');

  // info has no listener warning with client verification.
  const info = await d.api('GET', '/info');
  assert.equal(info.json.Warnings, null);

  // A client with a certificate from the right CA is answered; without one, or with another CA's, it is not.
  assert.equal(await tlsPing(port, { cert: pki.clientCert, key: pki.clientKey }), 'HTTP/1.1 200 OK');
  await assert.rejects(tlsPing(port, {}));
  await assert.rejects(tlsPing(port, { cert: pki.otherCert, key: pki.otherKey }));
  const noCert = await docker(['--tls', '--tlscacert', pki.ca, ...host, 'version', '--format', '{{.Server.Version}}']);
  assert.notEqual(noCert.code, 0, `no client certificate: ${JSON.stringify(noCert)}`);
  assert.equal(noCert.stdout.trim(), '');

  // Plain HTTP to the TLS port gets no answer.
  const plain = await new Promise<string>((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/_ping' }, (res) => resolve(String(res.statusCode)));
    req.on('error', (err) => resolve(`error ${err.message}`));
    req.end();
  });
  assert.match(plain, /^error /);
  const plainCli = await docker([...host, 'version', '--format', '{{.Server.Version}}']);
  assert.notEqual(plainCli.code, 0, `plain HTTP: ${JSON.stringify(plainCli)}`);
});

test('--tls without --tlsverify serves TLS without asking for a client certificate, and info warns', async () => {
  const port = await freePort();
  const d = await startDaemon(['-H', `tcp://127.0.0.1:${port}`, '--tls', ...tlsArgs]);
  daemons.push(d);
  assert.match(d.daemonLog(), /Binding to IP address without --tlsverify is insecure/);
  assert.equal(await tlsPing(port, {}), 'HTTP/1.1 200 OK');
  const v = await docker(['--tlsverify', '--tlscacert', pki.ca, '-H', `tcp://127.0.0.1:${port}`, 'version', '--format', '{{.Server.Os}}']);
  assert.equal(v.code, 0, v.stderr);
  const info = await d.api('GET', '/info');
  assert.equal(info.json.Warnings.length, 1);
  assert.match(info.json.Warnings[0], new RegExp(`^\\[DEPRECATION NOTICE\\]: API is accessible on https://127\\.0\\.0\\.1:${port} without TLS client verification\\.`));
  await d.cleanup();
  daemons.splice(daemons.indexOf(d), 1);
});

test('plain TCP on 127.0.0.1 with --tls=false works, with dockerd warnings in the log and in info', async () => {
  const port = await freePort();
  const d = await startDaemonWithBusybox(['-H', `tcp://127.0.0.1:${port}`, '--tls=false']);
  daemons.push(d);
  const log = d.daemonLog();
  assert.match(log, /level=warning msg="Binding to IP address without --tlsverify is insecure and gives root access on this machine to everyone who has access to your network\." host="?tcp:\/\/127\.0\.0\.1:\d+"?/);
  assert.match(log, /Binding to an IP address, even on localhost, can also give access to scripts run in a browser/);
  const host = ['-H', `tcp://127.0.0.1:${port}`];
  const r = await docker([...host, 'run', '--rm', 'busybox', 'echo', 'over tcp']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'over tcp\n');
  const info = await docker([...host, 'info', '--format', '{{json .Warnings}}']);
  assert.match(info.stdout, new RegExp(`API is accessible on http://127\\.0\\.0\\.1:${port} without encryption`));
  await d.cleanup();
  daemons.splice(daemons.indexOf(d), 1);
});

/** Runs bin/berthd with args that must make it exit before it starts; returns its exit code and stderr. */
async function berthdFails(args: string[], file: Record<string, unknown> = {}): Promise<RunResult> {
  const root = mkdtempSync(join(dir, 'fail-'));
  writeFileSync(join(root, 'daemon.json'), JSON.stringify(file));
  const r = await run(join(ROOT, 'bin/berthd'), ['--data-root', join(root, 'data'), '--exec-root', join(root, 'exec'), '--pidfile', join(root, 'pid'),
    '--config-file', join(root, 'daemon.json'), '--bridge', 'btnone0', ...args], { timeoutMs: 20_000 });
  // Nothing was made: the checks run before the data root is touched.
  assert.equal(existsSync(join(root, 'data')), false, 'berthd made its data root before refusing');
  return r;
}

test('bad listener flags and files give dockerd errors and start nothing', async () => {
  let r = await berthdFails(['-H', 'tcp://0.0.0.0:2375']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Binding to IP address without --tlsverify is insecure/);
  assert.match(r.stderr, /You can override this by explicitly specifying '--tls=false' or '--tlsverify=false'/);
  assert.match(r.stderr, /failed to load listeners: refusing to listen on tcp:\/\/0\.0\.0\.0:2375 without --tlsverify/);

  r = await berthdFails(['-H', 'udp://127.0.0.1:1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /invalid bind address \(udp:\/\/127\.0\.0\.1:1\): unsupported proto 'udp'/);

  r = await berthdFails(['-H', 'tcp://127.0.0.1:70000']);
  assert.match(r.stderr, /invalid bind address \(tcp:\/\/127\.0\.0\.1:70000\): invalid port "70000"/);

  r = await berthdFails(['-H', 'tcp://127.0.0.1:2376', '--tlsverify', '--tlscacert', join(dir, 'missing.pem'), '--tlscert', pki.serverCert, '--tlskey', pki.serverKey]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`invalid TLS configuration: could not read CA certificate "${dir}/missing\\.pem": open ${dir}/missing\\.pem: no such file or directory`));

  r = await berthdFails(['-H', 'tcp://127.0.0.1:2376', '--tlsverify', '--tlscacert', pki.serverKey, '--tlscert', pki.serverCert, '--tlskey', pki.serverKey]);
  assert.match(r.stderr, /invalid TLS configuration: failed to append certificates from PEM file/);

  r = await berthdFails(['-H', 'tcp://127.0.0.1:2376', '--tls', '--tlscert', pki.serverCert, '--tlskey', pki.clientKey]);
  assert.match(r.stderr, /invalid TLS configuration: Error reading X509 key pair .*Make sure the key is not encrypted\./);

  r = await berthdFails(['--tlsverify', ...tlsArgs], { tlsverify: true });
  assert.match(r.stderr, /the following directives are specified both as a flag and in the configuration file: tlsverify: \(from flag: true, from file: true\)/);

  r = await berthdFails(['--tls=maybe']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /invalid argument "maybe" for "--tls" flag/);

  r = await berthdFails(['-H', 'fd://']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /failed to load listeners: no sockets found via socket activation: make sure the service was started by systemd/);
});

test('fd:// serves the sockets systemd would pass (TCP and unix), with LISTEN_PID/LISTEN_FDS', async () => {
  const tcp = createServer();
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  const port = (tcp.address() as AddressInfo).port;
  const sockDir = mkdtempSync(join(dir, 'sock-'));
  const unix = createServer();
  await new Promise<void>((r) => unix.listen(join(sockDir, 'bound.sock'), r));
  // Closing our copy unlinks the bound path; a second link keeps the socket reachable, as systemd's would be.
  const sock = join(sockDir, 'berth.sock');
  linkSync(join(sockDir, 'bound.sock'), sock);
  const fdOf = (s: Server) => (s as unknown as { _handle: { fd: number } })._handle.fd;
  let d: Daemon;
  try {
    d = await startDaemonWithBusybox(['-H', 'fd://', '--tls=false'], { activationFds: [fdOf(tcp), fdOf(unix)] });
  } finally {
    await new Promise((r) => tcp.close(r));
    await new Promise((r) => unix.close(r));
  }
  daemons.push(d);
  assert.match(d.daemonLog(), /API listen on fd 3/);
  assert.match(d.daemonLog(), /API listen on fd 4/);
  const v = await docker(['-H', `tcp://127.0.0.1:${port}`, 'version', '--format', '{{.Server.Os}}']);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout.trim(), 'linux');
  const r = await docker(['-H', `unix://${sock}`, 'run', '--rm', 'busybox', 'echo', 'activated']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'activated\n');
  // The variables are not passed on: a container's environment has no LISTEN_FDS.
  const env = await docker(['-H', `unix://${sock}`, 'run', '--rm', 'busybox', 'env']);
  assert.doesNotMatch(env.stdout, /LISTEN_/);
});

test('fd://N serves only fd N and closes the other activated sockets', async () => {
  const a = createServer();
  const b = createServer();
  await new Promise<void>((r) => a.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => b.listen(0, '127.0.0.1', r));
  const portA = (a.address() as AddressInfo).port;
  const portB = (b.address() as AddressInfo).port;
  const fdOf = (s: Server) => (s as unknown as { _handle: { fd: number } })._handle.fd;
  let d: Daemon;
  try {
    d = await startDaemon(['-H', 'fd://4'], { activationFds: [fdOf(a), fdOf(b)] });
  } finally {
    await new Promise((r) => a.close(r));
    await new Promise((r) => b.close(r));
  }
  daemons.push(d);
  const okB = await docker(['-H', `tcp://127.0.0.1:${portB}`, 'version', '--format', '{{.Server.Os}}']);
  assert.equal(okB.code, 0, okB.stderr);
  const refusedA = await docker(['-H', `tcp://127.0.0.1:${portA}`, 'version', '--format', '{{.Server.Os}}']);
  assert.notEqual(refusedA.code, 0);
  assert.match(refusedA.stderr, /connection refused|Cannot connect/);
  await d.cleanup();
  daemons.splice(daemons.indexOf(d), 1);
});

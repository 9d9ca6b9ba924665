// The API client over TLS with client certificates (--tlsverify with ca.pem, cert.pem, key.pem),
// against an HTTPS server on loopback that demands a client certificate. Certificates are made
// with openssl in a temporary directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createApiClient } from './client.ts';
import { ConnectionError } from './types.ts';

let dir = '';
let server: Server | undefined;
let port = 0;
const pem: Record<string, Buffer> = {};
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

before(async () => {
  if (!hasOpenssl) return;
  dir = await mkdtemp(join(tmpdir(), 'berth-tls-test-'));
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...key, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-subj', '/CN=berth test CA', '-days', '1']);
  openssl(['req', '-x509', ...key, '-keyout', 'other-ca-key.pem', '-out', 'other-ca.pem', '-subj', '/CN=another CA', '-days', '1']);
  for (const [name, ext] of [['server', 'subjectAltName=IP:127.0.0.1'], ['cert', 'extendedKeyUsage=clientAuth']]) {
    openssl(['req', '-new', ...key, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    const extfile = join(dir, `${name}.ext`);
    await writeFile(extfile, ext + '\n');
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', extfile]);
  }
  for (const f of ['ca', 'other-ca', 'server', 'server-key', 'cert', 'cert-key']) pem[f] = await readFile(join(dir, `${f}.pem`));
  server = createServer({ key: pem['server-key'], cert: pem.server, ca: pem.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    if (req.url === '/_ping') {
      res.writeHead(200, { 'Api-Version': '1.50' });
      res.end('OK');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ url: req.url, client: (req.socket as TLSSocket).getPeerCertificate().subject?.CN }));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server?.close();
  server?.closeAllConnections();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('--tlsverify with a client certificate reaches the daemon', { skip: !hasOpenssl && 'openssl is not installed' }, async () => {
  const client = createApiClient({
    endpoint: { host: `tcp://127.0.0.1:${port}`, hostname: '127.0.0.1', port, tls: { ca: pem.ca, cert: pem.cert, key: pem['cert-key'], rejectUnauthorized: true } },
  });
  try {
    assert.deepEqual(await client.json('GET', '/info'), { url: '/v1.50/info', client: 'cert' });
  } finally {
    client.close();
  }
});

test('a daemon certificate from another CA is refused', { skip: !hasOpenssl && 'openssl is not installed' }, async () => {
  const client = createApiClient({
    endpoint: { host: `tcp://127.0.0.1:${port}`, hostname: '127.0.0.1', port, tls: { ca: pem['other-ca'], cert: pem.cert, key: pem['cert-key'], rejectUnauthorized: true } },
  });
  try {
    await assert.rejects(client.json('GET', '/info'), (err: unknown) => err instanceof ConnectionError && /^error during connect: GET \/_ping: /.test(err.message));
  } finally {
    client.close();
  }
});

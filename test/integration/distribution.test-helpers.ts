// Registries for the distribution (pull, push, login) tests: Debian's docker-registry (distribution 2.8) on a free
// port with its own root (optionally htpasswd and TLS), images pushed into it with skopeo or
// raw HTTP, and an HTTP proxy that can cut a blob download mid-way. Everything is stopped by
// the returned stop() functions.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, run } from './harness.ts';

export interface Registry {
  /** host:port */
  addr: string;
  root: string;
  scheme: 'http' | 'https';
  stop(): Promise<void>;
}

export interface RegistryOptions {
  host?: string;
  /** htpasswd file contents (bcrypt). */
  htpasswd?: string;
  /** Server certificate, and the CA client certificates must be signed by (optional). */
  tls?: { certFile: string; keyFile: string; clientCaFile?: string };
}

/** Starts docker-registry; retries on another port if the one picked was taken meanwhile. */
export async function startRegistry(opts: RegistryOptions = {}): Promise<Registry> {
  const host = opts.host ?? '127.0.0.1';
  const dir = await mkdtemp('/tmp/bt-reg-');
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort(host);
    const addr = `${host}:${port}`;
    const lines = [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'root')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${addr}`,
    ];
    if (opts.tls) lines.push('  tls:', `    certificate: ${opts.tls.certFile}`, `    key: ${opts.tls.keyFile}`);
    if (opts.tls?.clientCaFile) lines.push('    clientcas:', `      - ${opts.tls.clientCaFile}`);
    if (opts.htpasswd !== undefined) {
      await writeFile(join(dir, 'htpasswd'), opts.htpasswd);
      lines.push('auth:', '  htpasswd:', '    realm: berth-test', `    path: ${join(dir, 'htpasswd')}`);
    }
    await writeFile(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
    const proc: ChildProcess = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    proc.stderr!.on('data', (d) => (log += String(d)));
    const scheme = opts.tls ? 'https' : 'http';
    const stop = async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([exited, sleep(5000)]);
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    };
    const deadline = Date.now() + 10_000;
    let up = false;
    while (Date.now() < deadline && proc.exitCode === null) {
      if (await probe(addr)) {
        up = true;
        break;
      }
      await sleep(50);
    }
    if (up) return { addr, root: join(dir, 'root'), scheme, stop };
    if (proc.exitCode === null) {
      await stop();
      throw new Error(`docker-registry did not start: ${log}`);
    }
    if (!/address already in use/.test(log)) {
      await stop();
      throw new Error(`docker-registry exited: ${log}`);
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error('no free port for docker-registry');
}

/** The registry accepts connections (a TCP connect: a TLS registry may want a client certificate). */
function probe(addr: string): Promise<boolean> {
  const i = addr.lastIndexOf(':');
  return new Promise((resolve) => {
    const s = net.connect({ host: addr.slice(0, i), port: Number(addr.slice(i + 1)) }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** skopeo copy of a docker-archive into the registry (layers gzip-compressed). */
export async function pushArchive(reg: Registry, archive: string, target: string, creds?: string, certDir?: string): Promise<void> {
  const args = ['copy', '-q', '--dest-tls-verify=false', '--dest-compress', ...(creds ? ['--dest-creds', creds] : []), ...(certDir ? ['--dest-cert-dir', certDir] : []), `docker-archive:${archive}`, `docker://${reg.addr}/${target}`];
  const r = await run('skopeo', args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`skopeo ${args.join(' ')}: ${r.stderr}`);
}

export interface CutProxy {
  addr: string;
  /** Cut GETs of this blob digest (200/206 answers only) after this many body bytes (undefined: pass through). */
  cut?: { digest: string; after: number; times: number };
  /** Range headers seen on blob GETs. */
  ranges: string[];
  /** Blob digests requested through the proxy. */
  blobGets: string[];
  stop(): Promise<void>;
}

/** An HTTP proxy (the registry's own address space) that can cut a blob download mid-body. */
export async function startCutProxy(reg: Pick<Registry, 'addr'>): Promise<CutProxy> {
  const proxy: CutProxy = { addr: '', ranges: [], blobGets: [], stop: async () => {} };
  const server = http.createServer((req, res) => {
    const m = /\/blobs\/(sha256:[a-f0-9]{64})$/.exec(req.url ?? '');
    if (m && req.method === 'GET') {
      proxy.blobGets.push(m[1]);
      if (req.headers.range) proxy.ranges.push(String(req.headers.range));
    }
    const up = http.request(`http://${reg.addr}${req.url}`, { method: req.method, headers: { ...req.headers, host: reg.addr }, agent: false }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      const cut = proxy.cut;
      const body = ur.statusCode === 200 || ur.statusCode === 206;
      if (m && cut && cut.digest === m[1] && cut.times > 0 && req.method === 'GET' && body) {
        cut.times--;
        let sent = 0;
        // A body shorter than the cut point ends as it came.
        ur.on('end', () => {
          if (sent < cut.after) res.end();
        });
        ur.on('data', (c: Buffer) => {
          if (sent >= cut.after) return;
          const part = c.subarray(0, Math.max(0, cut.after - sent));
          sent += part.length;
          res.write(part);
          if (sent >= cut.after) {
            ur.destroy();
            res.socket?.destroy();
          }
        });
        return;
      }
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.addr = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  proxy.stop = () => new Promise((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
  return proxy;
}

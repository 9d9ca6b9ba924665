// Makes test images directly in a registry by raw HTTP (distribution v2 monolithic uploads):
// layers of random data (one file each, gzip), a config whose diff_ids match, a schema2
// manifest, and optionally an index over several platforms. Used by bench/pull.ts and the
// distribution integration tests; a push benchmark can reuse it.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { gzipSync } from 'node:zlib';

export interface RegistryTarget {
  /** host:port */
  addr: string;
  scheme?: 'http' | 'https';
  /** Sent with every request (e.g. `Authorization: Bearer <token>`). */
  headers?: Record<string, string>;
}

export interface PushedLayer {
  digest: string;
  diffId: string;
  size: number;
}

export interface PushedImage {
  repo: string;
  tag: string;
  manifestDigest: string;
  configDigest: string;
  layers: PushedLayer[];
}

const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** A tar holding one regular file (ustar, root-owned, mtime 0). */
export function singleFileTar(name: string, data: Uint8Array): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(data.length, 12), 124);
  h.write(octal(0, 12), 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148);
  const pad = (512 - (data.length % 512)) % 512;
  return Buffer.concat([h, Buffer.from(data), Buffer.alloc(pad), Buffer.alloc(1024)]);
}

function request(target: RegistryTarget, method: string, path: string, body?: Uint8Array | string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const scheme = target.scheme ?? 'http';
  const url = path.startsWith('http') ? path : `${scheme}://${target.addr}${path}`;
  const mod = url.startsWith('https') ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method, headers: { ...target.headers, ...headers, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) }, rejectUnauthorized: false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A monolithic upload; returns the digest. */
export async function uploadBlob(target: RegistryTarget, repo: string, data: Uint8Array | string): Promise<string> {
  const digest = sha256(data);
  const head = await request(target, 'HEAD', `/v2/${repo}/blobs/${digest}`);
  if (head.status === 200) return digest;
  const start = await request(target, 'POST', `/v2/${repo}/blobs/uploads/`);
  if (start.status !== 202) throw new Error(`upload start: ${start.status} ${start.body.toString()}`);
  const loc = new URL(String(start.headers.location), `${target.scheme ?? 'http'}://${target.addr}`);
  loc.searchParams.set('digest', digest);
  const put = await request(target, 'PUT', loc.href, data, { 'Content-Type': 'application/octet-stream' });
  if (put.status !== 201) throw new Error(`upload put: ${put.status} ${put.body.toString()}`);
  return digest;
}

export async function putManifest(target: RegistryTarget, repo: string, ref: string, body: string, mediaType: string): Promise<string> {
  const r = await request(target, 'PUT', `/v2/${repo}/manifests/${ref}`, body, { 'Content-Type': mediaType });
  if (r.status !== 201) throw new Error(`manifest put: ${r.status} ${r.body.toString()}`);
  return sha256(body);
}

/** A gzip layer of `size` random bytes in one file. */
export function randomLayer(size: number, name = 'data.bin'): { tar: Buffer; gz: Buffer } {
  const tar = singleFileTar(name, randomBytes(size));
  return { tar, gz: gzipSync(tar, { level: 1 }) };
}

export function imageConfig(diffIds: string[], platform: { architecture: string; os?: string; variant?: string } = { architecture: 'amd64' }): string {
  return JSON.stringify({
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    os: platform.os ?? 'linux',
    created: '2026-01-01T00:00:00Z',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map(() => ({ created: '2026-01-01T00:00:00Z', created_by: 'berth test layer' })),
  });
}

/** Uploads layers (given as gzip blobs with their tars) and a config, then a schema2 manifest. */
export async function pushImage(
  target: RegistryTarget, repo: string, tag: string, layers: { tar: Buffer; gz: Buffer }[],
  platform?: { architecture: string; os?: string; variant?: string },
): Promise<PushedImage> {
  const pushed: PushedLayer[] = [];
  for (const l of layers) {
    const digest = await uploadBlob(target, repo, l.gz);
    pushed.push({ digest, diffId: sha256(l.tar), size: l.gz.length });
  }
  const config = imageConfig(pushed.map((l) => l.diffId), platform);
  const configDigest = await uploadBlob(target, repo, config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: Buffer.byteLength(config), digest: configDigest },
    layers: pushed.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: l.size, digest: l.digest })),
  });
  const manifestDigest = await putManifest(target, repo, tag, manifest, 'application/vnd.docker.distribution.manifest.v2+json');
  return { repo, tag, manifestDigest, configDigest, layers: pushed };
}

/** `count` random layers of `total / count` bytes each. */
export async function pushRandomImage(target: RegistryTarget, repo: string, tag: string, total: number, count: number): Promise<PushedImage> {
  const layers = Array.from({ length: count }, (_, i) => randomLayer(Math.floor(total / count), `layer-${i}.bin`));
  return pushImage(target, repo, tag, layers);
}

/** An OCI index over manifests already in the repository. */
export async function pushIndex(target: RegistryTarget, repo: string, tag: string, entries: { digest: string; size: number; platform: { os: string; architecture: string; variant?: string } }[]): Promise<string> {
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: entries.map((e) => ({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: e.digest, size: e.size, platform: e.platform })),
  });
  return putManifest(target, repo, tag, index, 'application/vnd.oci.image.index.v1+json');
}

/** The size of a manifest in the registry (for index entries). */
export async function manifestSize(target: RegistryTarget, repo: string, ref: string): Promise<number> {
  const r = await request(target, 'GET', `/v2/${repo}/manifests/${ref}`, undefined, { Accept: 'application/vnd.docker.distribution.manifest.v2+json' });
  if (r.status !== 200) throw new Error(`GET manifest ${repo}:${ref}: ${r.status}`);
  return r.body.length;
}

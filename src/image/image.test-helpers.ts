// Test helpers for the image box (not used by the daemon): an in-memory layer store that
// hashes what it is given like the real one, and tar builders.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { conflict, invalidParameter, notFound, TarWriter } from '../common/index.ts';
import type { ImageLayerStore, LayerInfo } from './types.ts';
import { createImageService } from './index.ts';
import { sha256Digest } from '../content/index.ts';

export class FakeLayerStore implements ImageLayerStore {
  readonly driverName = 'fake';
  readonly layers = new Map<string, LayerInfo & { data: Buffer }>();
  /** Chains something else (a container) holds: delete gives a Conflict. */
  readonly inUse = new Set<string>();
  readonly deleted: string[] = [];
  registerCalls = 0;

  async register(tar: AsyncIterable<Uint8Array>, parent: string | null, expectedDiffId?: string, parentReady?: Promise<unknown>): Promise<LayerInfo> {
    this.registerCalls++;
    await parentReady; // as vfs: waits for the parent before reading the tar
    if (parent !== null && !this.layers.has(parent)) throw notFound(`layer ${parent} does not exist`);
    const chunks: Buffer[] = [];
    for await (const c of tar) chunks.push(Buffer.from(c));
    const data = Buffer.concat(chunks);
    const diffId = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    if (expectedDiffId && expectedDiffId !== diffId) throw invalidParameter(`layer diff ID mismatch: expected ${expectedDiffId}, got ${diffId}`);
    const chainId = parent === null ? diffId : sha256Digest(`${parent} ${diffId}`);
    const existing = this.layers.get(chainId);
    if (existing) return strip(existing);
    const layer = { chainId, diffId, parent, cacheId: chainId.slice(7, 19), size: data.length, data };
    this.layers.set(chainId, layer);
    return strip(layer);
  }

  /** Adds a layer directly (for store tests that need no tar). */
  add(diffId: string, parent: string | null, size: number): string {
    const chainId = parent === null ? diffId : sha256Digest(`${parent} ${diffId}`);
    this.layers.set(chainId, { chainId, diffId, parent, cacheId: chainId.slice(7, 19), size, data: Buffer.alloc(0) });
    return chainId;
  }

  get(chainId: string): LayerInfo | undefined {
    const l = this.layers.get(chainId);
    return l ? strip(l) : undefined;
  }

  async delete(chainId: string): Promise<void> {
    if (!this.layers.has(chainId)) throw notFound(`layer ${chainId} does not exist`);
    if (this.inUse.has(chainId)) throw conflict(`layer ${chainId} is in use`);
    for (const l of this.layers.values()) if (l.parent === chainId) throw conflict(`layer ${chainId} has children`);
    this.layers.delete(chainId);
    this.deleted.push(chainId);
  }

  graphDriverData(chainId: string): { Name: string; Data: Record<string, string> } {
    return { Name: 'fake', Data: { MergedDir: `/fake/${chainId.slice(7, 19)}/merged` } };
  }

  async *diffTar(chainId: string): AsyncIterable<Uint8Array> {
    const l = this.layers.get(chainId);
    if (!l) throw notFound(`layer ${chainId} does not exist`);
    yield l.data;
  }
}

const strip = ({ chainId, diffId, parent, cacheId, size }: LayerInfo): LayerInfo => ({ chainId, diffId, parent, cacheId, size });

export interface TarMember {
  name: string;
  data?: string | Uint8Array;
  type?: 'file' | 'dir' | 'symlink';
  linkname?: string;
}

/** Builds a tar in memory with berth's TarWriter. */
export async function makeTar(members: TarMember[]): Promise<Buffer> {
  const w = new TarWriter();
  const out: Buffer[] = [];
  const done = (async () => {
    for await (const c of w.readable) out.push(c as Buffer);
  })();
  for (const m of members) {
    if (m.type === 'dir') await w.addDir({ name: m.name, mode: 0o755 });
    else if (m.type === 'symlink') await w.addSymlink({ name: m.name, mode: 0o777 }, m.linkname ?? '');
    else {
      const data = typeof m.data === 'string' ? Buffer.from(m.data) : Buffer.from(m.data ?? []);
      await w.addFile({ name: m.name, mode: 0o644, size: data.length }, data);
    }
  }
  await w.finish();
  await done;
  return Buffer.concat(out);
}

export async function* chunks(data: Uint8Array, size = 7000): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

export const gzip = (b: Uint8Array) => gzipSync(b);

export interface TestLayer {
  tar: Buffer;
  diffId: string;
}

/** A layer tar with one file. */
export async function layerWith(file: string, content: string): Promise<TestLayer> {
  const tar = await makeTar([{ name: file, data: content }]);
  return { tar, diffId: sha256Digest(tar) };
}

export function imageConfig(diffIds: string[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-02T03:04:05.123456789Z',
      config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: diffIds.map((_, i) => ({ created: '2024-01-02T03:04:05Z', created_by: `step ${i}` })),
      ...extra,
    }),
  );
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-image-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A made-up diff ID numbered n. */
export const diff = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

/** Three images (two sharing a layer) with labels, creation times and tags, for list and shape tests. */
export async function imageListFixture(dir: string) {
  const layers = new FakeLayerStore();
  const svc = await createImageService({ dataRoot: dir, layers });
  const make = async (diffs: number[], extra: Record<string, unknown>) => {
    let parent: string | null = null;
    for (const d of diffs) parent = layers.add(diff(d), parent, 10 * d);
    return svc.createImage(imageConfig(diffs.map(diff), extra));
  };
  const a = await make([1], { created: '2020-01-01T00:00:00Z', config: { Labels: { tier: 'web', team: 'x' } } });
  const b = await make([1, 2], { created: '2021-01-01T00:00:00.5Z' });
  const c = await make([3], { created: '2022-01-01T00:00:00Z', config: { Labels: { tier: 'db' } } });
  await svc.tag(a.id, 'web:1');
  await svc.tag(a.id, 'user/web:2');
  await svc.tag(c.id, 'localhost:5000/db');
  return { svc, a, b, c };
}

// Everything the registry stores, above any StorageDriver, on distribution's layout
// (storage/paths.ts): blobs verified against their digest before they become visible, links that
// make a blob readable in a repository, upload sessions, manifests and tags, the catalog and the
// referrers of a manifest. It throws RegistryError; the server maps them to responses.
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedLock } from '../common/index.ts';
import { PathNotFoundError, type StorageDriver } from './storage/driver.ts';
import * as P from './storage/paths.ts';
import { RegistryError, regError } from './errors.ts';
import { ManifestError, parseManifest, MANIFEST_MAX_BYTES, type ParsedManifest, type Descriptor } from './manifest.ts';
import { byteSort, isSupportedDigest, isValidTag } from './names.ts';
import { GcGate } from './gc-gate.ts';

interface HashState {
  hash: Hash;
  offset: number;
}

/** What the referrers API and GC need of a manifest; manifests are immutable, so this is cached by digest. */
interface ManifestSummary {
  parsed: ParsedManifest;
  size: number;
}

const SUMMARY_CACHE_MAX = 10_000;
/** A collector refreshes its marker every minute; one untouched for 10 minutes is dead. */
export const GC_MARKER_STALE_MS = 10 * 60_000;
const GC_MARKER_POLL_MS = 250;

export class RegistryStore {
  readonly driver: StorageDriver;
  readonly gate = new GcGate();
  private readonly uploadLock = new KeyedLock();
  private readonly hashes = new Map<string, HashState>();
  private readonly summaries = new Map<string, ManifestSummary>();

  constructor(driver: StorageDriver) {
    this.driver = driver;
  }

  // ---- links and blobs ----

  async readLink(path: string): Promise<string | undefined> {
    try {
      const d = Buffer.from(await this.driver.getContent(path)).toString('utf8').trim();
      return isSupportedDigest(d) ? d : undefined;
    } catch (err) {
      if (err instanceof PathNotFoundError) return undefined;
      throw err;
    }
  }

  private async exists(path: string): Promise<boolean> {
    try {
      await this.driver.stat(path);
      return true;
    } catch (err) {
      if (err instanceof PathNotFoundError) return false;
      throw err;
    }
  }

  /** The size of a stored blob, or undefined. */
  async blobSize(digest: string): Promise<number | undefined> {
    try {
      const st = await this.driver.stat(P.blobData(digest));
      return st.isDir ? undefined : st.size;
    } catch (err) {
      if (err instanceof PathNotFoundError) return undefined;
      throw err;
    }
  }

  /** The size of a blob readable in `name` (linked as a layer or a manifest revision), or undefined. */
  async repoBlobSize(name: string, digest: string): Promise<number | undefined> {
    const linked =
      (await this.readLink(P.layerLink(name, digest))) === digest ||
      (await this.readLink(P.revisionLink(name, digest))) === digest;
    return linked ? this.blobSize(digest) : undefined;
  }

  async openBlob(digest: string, offset = 0): Promise<AsyncIterable<Uint8Array>> {
    return this.driver.reader(P.blobData(digest), offset);
  }

  /** Writes part of a blob to `out` through the driver's fast path; false when the driver has none. */
  async writeBlobTo(digest: string, offset: number, length: number, out: NodeJS.WritableStream): Promise<boolean> {
    if (!this.driver.writeTo) return false;
    await this.driver.writeTo(P.blobData(digest), offset, length, out);
    return true;
  }

  async redirectURL(method: 'GET' | 'HEAD', digest: string): Promise<string | undefined> {
    return this.driver.redirectURL?.(method, P.blobData(digest));
  }

  /** Unlinks a blob from a repository (the bytes stay until GC finds them unreferenced). */
  async deleteBlob(name: string, digest: string): Promise<void> {
    if ((await this.readLink(P.layerLink(name, digest))) !== digest) throw regError('BLOB_UNKNOWN', { digest });
    await this.driver.delete(P.layerLink(name, digest).replace(/\/link$/, ''));
  }

  async repoExists(name: string): Promise<boolean> {
    return this.exists(P.repoDir(name));
  }

  // ---- uploads ----

  async startUpload(name: string): Promise<string> {
    const id = randomUUID();
    await this.driver.putContent(P.uploadStartedAt(name, id), Buffer.from(new Date().toISOString()));
    const w = await this.driver.writer(P.uploadData(name, id), false);
    await w.close();
    this.hashes.set(hashKey(name, id), { hash: createHash('sha256'), offset: 0 });
    return id;
  }

  /** Bytes received so far; BLOB_UPLOAD_UNKNOWN for no such session. */
  async uploadSize(name: string, id: string): Promise<number> {
    if (!(await this.exists(P.uploadStartedAt(name, id)))) throw regError('BLOB_UPLOAD_UNKNOWN', { uuid: id });
    try {
      return (await this.driver.stat(P.uploadData(name, id))).size;
    } catch (err) {
      if (err instanceof PathNotFoundError) return 0;
      throw err;
    }
  }

  /**
   * Appends a request body to an upload. `start` (from Content-Range) must equal the bytes
   * received so far: otherwise 416 with the current range. Returns the new size.
   */
  async appendUpload(name: string, id: string, body: AsyncIterable<Uint8Array>, start?: number): Promise<number> {
    const key = hashKey(name, id);
    return this.uploadLock.run(key, async () => {
      const size = await this.uploadSize(name, id);
      if (start !== undefined && start !== size) {
        throw new RegistryError('RANGE_INVALID', {
          detail: { expected: size, got: start },
          headers: { Range: rangeHeader(size), 'Docker-Upload-UUID': id },
        });
      }
      let state = this.hashes.get(key);
      if (!state || state.offset !== size) {
        // A session from before a restart, or from another writer of the root: the digest is
        // computed from the stored bytes at completion instead.
        this.hashes.delete(key);
        state = undefined;
      }
      const w = await this.driver.writer(P.uploadData(name, id), true);
      try {
        for await (const chunk of body) {
          await w.write(chunk);
          if (state) {
            state.hash.update(chunk);
            state.offset += chunk.length;
          }
        }
      } finally {
        await w.close();
      }
      if (state) this.hashes.set(key, state);
      return w.size;
    });
  }

  /** Verifies the upload against `digest`, then makes it a blob of the repository. Returns its size. */
  async completeUpload(name: string, id: string, digest: string): Promise<number> {
    const key = hashKey(name, id);
    return this.uploadLock.run(key, async () => {
      const size = await this.uploadSize(name, id);
      const state = this.hashes.get(key);
      let actual: string;
      if (state && state.offset === size) {
        actual = `sha256:${state.hash.digest('hex')}`;
      } else {
        const h = createHash('sha256');
        for await (const chunk of await this.driver.reader(P.uploadData(name, id))) h.update(chunk);
        actual = `sha256:${h.digest('hex')}`;
      }
      this.hashes.delete(key);
      if (actual !== digest) {
        // Content verification: bytes that do not match their digest are never stored.
        await this.removeUpload(name, id);
        throw regError('DIGEST_INVALID', { expected: digest, actual });
      }
      await this.gate.withShared(async () => {
        // Always move, even over an existing blob: the move refreshes the blob's modTime, which
        // keeps a collection that started before this commit from sweeping it.
        await this.driver.move(P.uploadData(name, id), P.blobData(digest));
        await this.driver.putContent(P.layerLink(name, digest), Buffer.from(digest));
      });
      await this.removeUpload(name, id);
      return size;
    });
  }

  async cancelUpload(name: string, id: string): Promise<void> {
    await this.uploadSize(name, id);
    this.hashes.delete(hashKey(name, id));
    await this.removeUpload(name, id);
  }

  private async removeUpload(name: string, id: string): Promise<void> {
    try {
      await this.driver.delete(P.uploadDir(name, id));
    } catch (err) {
      if (!(err instanceof PathNotFoundError)) throw err;
    }
  }

  /** Links a blob of `from` into `name` (cross-repository mount). False when `from` has no such blob. */
  async mountBlob(name: string, from: string, digest: string): Promise<boolean> {
    return this.gate.withShared(async () => {
      if ((await this.repoBlobSize(from, digest)) === undefined) return false;
      await this.driver.putContent(P.layerLink(name, digest), Buffer.from(digest));
      return true;
    });
  }

  /** Sessions of every repository, with their start time (for upload purging). */
  async *listUploads(): AsyncIterable<{ name: string; id: string; startedAt: Date | undefined }> {
    for (const name of await this.repositories(true)) {
      let ids: string[];
      try {
        ids = await this.driver.list(P.uploadsDir(name));
      } catch (err) {
        if (err instanceof PathNotFoundError) continue;
        throw err;
      }
      for (const p of ids) {
        const id = P.baseName(p);
        let startedAt: Date | undefined;
        try {
          const t = new Date(Buffer.from(await this.driver.getContent(P.uploadStartedAt(name, id))).toString('utf8').trim());
          startedAt = Number.isNaN(t.getTime()) ? undefined : t;
        } catch (err) {
          if (!(err instanceof PathNotFoundError)) throw err;
        }
        yield { name, id, startedAt };
      }
    }
  }

  async purgeUpload(name: string, id: string): Promise<void> {
    await this.uploadLock.run(hashKey(name, id), async () => {
      this.hashes.delete(hashKey(name, id));
      await this.removeUpload(name, id);
    });
  }

  // ---- manifests and tags ----

  /** The digest a tag or digest reference names in the repository; MANIFEST_UNKNOWN otherwise. */
  async resolve(name: string, reference: string): Promise<string> {
    if (reference.includes(':')) {
      if ((await this.readLink(P.revisionLink(name, reference))) !== reference) {
        throw regError('MANIFEST_UNKNOWN', { name, revision: reference });
      }
      return reference;
    }
    const d = await this.readLink(P.tagCurrentLink(name, reference));
    if (d === undefined) throw regError('MANIFEST_UNKNOWN', { name, tag: reference });
    return d;
  }

  async getManifest(name: string, reference: string): Promise<{ digest: string; content: Uint8Array; mediaType: string }> {
    const digest = await this.resolve(name, reference);
    let content: Uint8Array;
    try {
      content = await this.driver.getContent(P.blobData(digest));
    } catch (err) {
      if (err instanceof PathNotFoundError) throw regError('MANIFEST_UNKNOWN', { name, revision: digest });
      throw err;
    }
    const summary = this.summarize(digest, content);
    return { digest, content, mediaType: summary?.parsed.mediaType ?? 'application/json' };
  }

  private summarize(digest: string, content: Uint8Array): ManifestSummary | undefined {
    let s = this.summaries.get(digest);
    if (s) return s;
    try {
      s = { parsed: parseManifest(content), size: content.length };
    } catch {
      return undefined; // a schema1 or foreign manifest written by another registry: served as is
    }
    if (this.summaries.size >= SUMMARY_CACHE_MAX) this.summaries.delete(this.summaries.keys().next().value!);
    this.summaries.set(digest, s);
    return s;
  }

  /** The parsed manifest of a revision, or undefined when unreadable or unparsable. */
  async manifestSummary(digest: string): Promise<ManifestSummary | undefined> {
    const cached = this.summaries.get(digest);
    if (cached) return cached;
    try {
      return this.summarize(digest, await this.driver.getContent(P.blobData(digest)));
    } catch (err) {
      if (err instanceof PathNotFoundError) return undefined;
      throw err;
    }
  }

  /**
   * Stores a manifest under a tag or its digest. Every blob it references must be linked in
   * the repository and every child manifest stored in it (MANIFEST_BLOB_UNKNOWN otherwise).
   */
  async putManifest(
    name: string,
    reference: string,
    content: Uint8Array,
    contentType: string | undefined,
  ): Promise<{ digest: string; parsed: ParsedManifest }> {
    if (content.length > MANIFEST_MAX_BYTES) {
      throw new RegistryError('SIZE_INVALID', { status: 413, message: 'manifest too big', detail: { limit: MANIFEST_MAX_BYTES } });
    }
    let parsed: ParsedManifest;
    try {
      parsed = parseManifest(content, contentType);
    } catch (err) {
      if (err instanceof ManifestError) throw regError('MANIFEST_INVALID', err.message);
      throw err;
    }
    const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
    const byDigest = reference.includes(':');
    if (byDigest && reference !== digest) throw regError('DIGEST_INVALID', { expected: reference, actual: digest });
    if (!byDigest && !isValidTag(reference)) throw regError('TAG_INVALID', { tag: reference });
    return this.gate.withShared(async () => {
      await this.waitForExternalGc();
      const missing: string[] = [];
      for (const b of new Set(parsed.blobs)) {
        if ((await this.repoBlobSize(name, b)) === undefined) missing.push(b);
      }
      for (const m of new Set(parsed.manifests)) {
        if ((await this.readLink(P.revisionLink(name, m))) !== m || (await this.blobSize(m)) === undefined) missing.push(m);
      }
      if (missing.length > 0) throw regError('MANIFEST_BLOB_UNKNOWN', { digest: missing[0] });
      await this.driver.putContent(P.blobData(digest), content);
      await this.driver.putContent(P.revisionLink(name, digest), Buffer.from(digest));
      if (!byDigest) {
        await this.driver.putContent(P.tagIndexLink(name, reference, digest), Buffer.from(digest));
        await this.driver.putContent(P.tagCurrentLink(name, reference), Buffer.from(digest));
      }
      this.summaries.set(digest, { parsed, size: content.length });
      return { digest, parsed };
    });
  }

  /**
   * Holds a manifest write while a `garbage-collect` process announces itself on this storage
   * (storage/paths.ts GC_MARKER), so that its mark cannot miss the manifest. A marker older
   * than GC_MARKER_STALE_MS is from a collector that died and is ignored.
   */
  async waitForExternalGc(): Promise<void> {
    for (;;) {
      let st;
      try {
        st = await this.driver.stat(P.GC_MARKER);
      } catch (err) {
        if (err instanceof PathNotFoundError) return;
        throw err;
      }
      if (Date.now() - st.modTime.getTime() > GC_MARKER_STALE_MS) return;
      await sleep(GC_MARKER_POLL_MS);
    }
  }

  /** Deletes a tag, or a manifest revision and every tag that points at it. */
  async deleteManifest(name: string, reference: string): Promise<void> {
    if (!reference.includes(':')) {
      if ((await this.readLink(P.tagCurrentLink(name, reference))) === undefined) {
        throw regError('MANIFEST_UNKNOWN', { name, tag: reference });
      }
      await this.driver.delete(P.tagDir(name, reference));
      return;
    }
    await this.resolve(name, reference);
    for (const tag of await this.tags(name).catch(() => [])) {
      if ((await this.readLink(P.tagCurrentLink(name, tag))) === reference) await this.driver.delete(P.tagDir(name, tag));
    }
    await this.driver.delete(P.revisionLink(name, reference).replace(/\/link$/, ''));
  }

  /** Sorted tags; NAME_UNKNOWN when the repository does not exist. */
  async tags(name: string): Promise<string[]> {
    let paths: string[];
    try {
      paths = await this.driver.list(P.tagsDir(name));
    } catch (err) {
      if (!(err instanceof PathNotFoundError)) throw err;
      if (await this.repoExists(name)) return [];
      throw regError('NAME_UNKNOWN', { name });
    }
    return byteSort(paths.map(P.baseName));
  }

  /** Digests of the manifest revisions stored in a repository. */
  revisions(name: string): Promise<string[]> {
    return this.linkedDigests(P.revisionsDir(name));
  }

  /** Digests linked as layers in a repository. */
  layerLinks(name: string): Promise<string[]> {
    return this.linkedDigests(P.layersDir(name));
  }

  /** The digests of a `<dir>/<alg>/<hex>/link` tree (none when the directory is absent). */
  private async linkedDigests(dir: string): Promise<string[]> {
    const out: string[] = [];
    let algs: string[];
    try {
      algs = await this.driver.list(dir);
    } catch (err) {
      if (err instanceof PathNotFoundError) return out;
      throw err;
    }
    for (const a of algs) {
      for (const h of await this.driver.list(a).catch(() => [] as string[])) {
        const d = `${P.baseName(a)}:${P.baseName(h)}`;
        if (isSupportedDigest(d)) out.push(d);
      }
    }
    return out;
  }

  async unlinkLayer(name: string, digest: string): Promise<void> {
    await this.driver.delete(P.layerLink(name, digest).replace(/\/link$/, '')).catch(() => {});
  }

  async unlinkRevision(name: string, digest: string): Promise<void> {
    await this.driver.delete(P.revisionLink(name, digest).replace(/\/link$/, '')).catch(() => {});
  }

  /** The digest each tag of a repository points at. */
  async tagTargets(name: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const tag of await this.tags(name).catch(() => [] as string[])) {
      const d = await this.readLink(P.tagCurrentLink(name, tag));
      if (d) out.set(tag, d);
    }
    return out;
  }

  /**
   * Every repository name, sorted. A repository is a directory under repositories/ holding
   * `_layers` (distribution's rule) or `_manifests` (an index-only repository), or with
   * `withUploads` only `_uploads`.
   */
  async repositories(withUploads = false): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, name: string): Promise<void> => {
      let children: string[];
      try {
        children = await this.driver.list(dir);
      } catch (err) {
        if (err instanceof PathNotFoundError) return;
        throw err;
      }
      const names = children.map(P.baseName);
      if (names.includes('_manifests') || names.includes('_layers') || (withUploads && names.includes('_uploads'))) {
        out.push(name);
      }
      for (const c of children) {
        const b = P.baseName(c);
        if (b.startsWith('_')) continue;
        await walk(c, name ? `${name}/${b}` : b);
      }
    };
    await walk(P.REPOS, '');
    return byteSort(out);
  }

  /** Every blob digest in the store. */
  async allBlobs(): Promise<Array<{ digest: string; modTime: Date }>> {
    const out: Array<{ digest: string; modTime: Date }> = [];
    for (const alg of await this.driver.list(P.BLOBS).catch(() => [] as string[])) {
      for (const pre of await this.driver.list(alg).catch(() => [] as string[])) {
        for (const dir of await this.driver.list(pre).catch(() => [] as string[])) {
          const d = `${P.baseName(alg)}:${P.baseName(dir)}`;
          if (!isSupportedDigest(d)) continue;
          try {
            const st = await this.driver.stat(`${dir}/data`);
            out.push({ digest: d, modTime: st.modTime });
          } catch (err) {
            if (!(err instanceof PathNotFoundError)) throw err;
            // A blob directory without data (an interrupted delete): swept as unreferenced.
            out.push({ digest: d, modTime: new Date(0) });
          }
        }
      }
    }
    return out;
  }

  async removeBlob(digest: string): Promise<void> {
    this.summaries.delete(digest);
    await this.driver.delete(P.blobDir(digest)).catch((err: unknown) => {
      if (!(err instanceof PathNotFoundError)) throw err;
    });
  }

  /** The manifests of a repository whose subject is `digest`, as descriptors (the referrers API). */
  async referrers(name: string, digest: string): Promise<Descriptor[]> {
    const out: Descriptor[] = [];
    for (const rev of await this.revisions(name)) {
      const s = await this.manifestSummary(rev);
      if (!s || s.parsed.subject?.digest !== digest) continue;
      const d: Descriptor = { mediaType: s.parsed.mediaType, digest: rev, size: s.size };
      if (s.parsed.artifactType !== undefined) d.artifactType = s.parsed.artifactType;
      if (s.parsed.annotations !== undefined) d.annotations = s.parsed.annotations;
      out.push(d);
    }
    return out;
  }
}

const hashKey = (name: string, id: string) => `${name}\0${id}`;

/** The `Range` header of an upload holding `size` bytes: distribution's `0-<last byte>` (`0-0` when empty). */
export function rangeHeader(size: number): string {
  return `0-${Math.max(size - 1, 0)}`;
}

// The local content store: content-addressable blobs (layer tars as received, configs,
// manifests) under <root>/blobs/sha256/<hex>, on containerd's contract (roles.ts): a writer
// streams into <root>/ingest/<random> while hashing; commit = fsync, verify size and digest,
// rename into place (a blob that already exists makes commit a no-op); abort removes the temp.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { copyFile, mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, invalidParameter, isErrno, notFound } from '../common/index.ts';
import { isSha256Digest } from './digest.ts';
import type { ContentIngester, ContentProvider, ContentWriter } from './roles.ts';

export interface ContentStoreOptions {
  /** Upper bound for one blob written through a writer (bytes). */
  maxBlobSize?: number;
}

const DEFAULT_MAX_BLOB = 64 * 1024 ** 3;

export class ContentStore implements ContentProvider, ContentIngester {
  readonly root: string;
  private readonly blobDir: string;
  private readonly ingestDir: string;
  private readonly maxBlobSize: number;

  constructor(root: string, opts: ContentStoreOptions = {}) {
    this.root = root;
    this.blobDir = join(root, 'blobs', 'sha256');
    this.ingestDir = join(root, 'ingest');
    this.maxBlobSize = opts.maxBlobSize ?? DEFAULT_MAX_BLOB;
  }

  /** Creates the directories and removes ingests left by a crash. */
  async init(): Promise<void> {
    await mkdir(this.blobDir, { recursive: true });
    await rm(this.ingestDir, { recursive: true, force: true });
    await mkdir(this.ingestDir, { recursive: true });
  }

  blobPath(digest: string): string {
    if (!isSha256Digest(digest)) throw invalidParameter(`invalid content digest: ${digest}`);
    return join(this.blobDir, digest.slice('sha256:'.length));
  }

  async has(digest: string): Promise<boolean> {
    try {
      return (await stat(this.blobPath(digest))).isFile();
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return false;
      throw err;
    }
  }

  async size(digest: string): Promise<number> {
    try {
      return (await stat(this.blobPath(digest))).size;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw notFound(`content digest ${digest}: not found`);
      throw err;
    }
  }

  /** Streams a blob; throws notFound when it is absent. */
  async *read(digest: string): AsyncIterable<Uint8Array> {
    const path = this.blobPath(digest);
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw notFound(`content digest ${digest}: not found`);
      throw err;
    }
    // The stream owns the handle and closes it when it ends or is destroyed.
    const stream = fh.createReadStream({ highWaterMark: 256 * 1024 });
    try {
      for await (const chunk of stream) yield chunk as Uint8Array;
    } finally {
      stream.destroy();
    }
  }

  async delete(digest: string): Promise<boolean> {
    try {
      await unlink(this.blobPath(digest));
      return true;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return false;
      throw err;
    }
  }

  async list(): Promise<string[]> {
    const names = await readdir(this.blobDir).catch((err) => (isErrno(err, 'ENOENT') ? [] : Promise.reject(err)));
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  async ingest(): Promise<ContentWriter> {
    await mkdir(this.ingestDir, { recursive: true });
    const tmp = join(this.ingestDir, randomBytes(16).toString('hex'));
    const fh = await open(tmp, 'wx', 0o600);
    return new Writer(this, fh, tmp, this.maxBlobSize);
  }

  /** Writes a whole stream as one blob; verifies the expectations before it appears. */
  async writeBlob(source: AsyncIterable<Uint8Array>, expectedSize?: number, expectedDigest?: string): Promise<string> {
    const w = await this.ingest();
    try {
      for await (const chunk of source) await w.write(chunk);
      return await w.commit(expectedSize, expectedDigest);
    } catch (err) {
      await w.abort();
      throw err;
    }
  }

  /**
   * Moves a private file (already hashed by the caller, same filesystem) into place as
   * the blob `digest`. Used for spooled archive members so that big layers are not copied.
   */
  async adopt(file: string, digest: string): Promise<void> {
    const dest = this.blobPath(digest);
    if (await this.has(digest)) {
      await rm(file, { force: true });
      return;
    }
    const fh = await open(file, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await mkdir(this.blobDir, { recursive: true });
    try {
      await rename(file, dest);
    } catch (err) {
      if (!isErrno(err, 'EXDEV')) throw err;
      const tmp = join(this.ingestDir, randomBytes(16).toString('hex'));
      await copyFile(file, tmp);
      const t = await open(tmp, 'r+');
      try {
        await t.sync();
      } finally {
        await t.close();
      }
      await rename(tmp, dest);
      await rm(file, { force: true });
    }
    await fsyncDir(this.blobDir);
  }

  /** @internal used by Writer.commit */
  async place(tmp: string, digest: string): Promise<void> {
    const dest = this.blobPath(digest);
    if (await this.has(digest)) {
      await unlink(tmp).catch(() => {});
      return;
    }
    await mkdir(this.blobDir, { recursive: true });
    await rename(tmp, dest);
    await fsyncDir(this.blobDir);
  }
}

class Writer implements ContentWriter {
  private readonly store: ContentStore;
  private readonly fh: FileHandle;
  private readonly tmp: string;
  private readonly max: number;
  private readonly hash: Hash;
  private done = false;
  private readFh: FileHandle | undefined;
  written = 0;

  constructor(store: ContentStore, fh: FileHandle, tmp: string, max: number) {
    this.store = store;
    this.fh = fh;
    this.tmp = tmp;
    this.max = max;
    this.hash = createHash('sha256');
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.done) throw new Error('content writer is closed');
    if (this.written + chunk.byteLength > this.max) throw invalidParameter(`content exceeds the maximum blob size of ${this.max} bytes`);
    let off = 0;
    while (off < chunk.byteLength) {
      const { bytesWritten } = await this.fh.write(chunk, off, chunk.byteLength - off);
      off += bytesWritten;
    }
    this.hash.update(chunk);
    this.written += chunk.byteLength;
  }

  digest(): string {
    return `sha256:${this.hash.copy().digest('hex')}`;
  }

  async commit(expectedSize?: number, expectedDigest?: string): Promise<string> {
    if (this.done) throw new Error('content writer is closed');
    this.done = true;
    try {
      await this.fh.sync();
      await this.fh.close();
      const digest = `sha256:${this.hash.digest('hex')}`;
      if (expectedSize !== undefined && expectedSize !== this.written) {
        throw invalidParameter(`unexpected commit size ${this.written}, expected ${expectedSize}`);
      }
      if (expectedDigest !== undefined && expectedDigest !== digest) {
        throw invalidParameter(`unexpected commit digest ${digest}, expected ${expectedDigest}`);
      }
      await this.store.place(this.tmp, digest);
      return digest;
    } catch (err) {
      await this.fh.close().catch(() => {});
      await unlink(this.tmp).catch(() => {});
      throw err;
    }
  }

  async readAt(position: number, length: number): Promise<Uint8Array> {
    // Opened on first use; the descriptor survives the rename of commit and the unlink of abort.
    this.readFh ??= await open(this.tmp, 'r');
    const buf = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.readFh.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  }

  async closeReader(): Promise<void> {
    const fh = this.readFh;
    this.readFh = undefined;
    await fh?.close().catch(() => {});
  }

  async abort(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.fh.close().catch(() => {});
    }
    await unlink(this.tmp).catch(() => {});
  }
}

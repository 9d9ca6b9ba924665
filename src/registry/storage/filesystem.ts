// The filesystem storage driver: driver paths map under one root directory, as distribution's
// `filesystem` driver lays them out (so a root written by Debian's docker-registry is served
// here and the other way round). putContent is atomic (temp file, fsync, rename, fsync of the
// directory); writers append to the object in place (uploads are private to their session)
// and commit with fsync; reads stream with large buffers.
import { open, mkdir, rename, readdir, rm, stat, readFile, utimes, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fsyncDir, isErrno } from '../../common/index.ts';
import { PathNotFoundError, type FileInfo, type FileWriter, type StorageDriver } from './driver.ts';

/** Reads of blobs go in 1 MiB pieces: fewer syscalls and event-loop turns per GB served. */
const READ_CHUNK = 1 << 20;

/** A driver path: absolute, `/`-separated, no `.`/`..` or empty segments (distribution's PathRegexp). */
export function checkDriverPath(path: string): void {
  if (path === '/') return;
  if (!/^(\/[A-Za-z0-9._:-]+)+$/.test(path) || path.split('/').some((s) => s === '.' || s === '..')) {
    throw new Error(`invalid storage path: ${path}`);
  }
}

export class FilesystemDriver implements StorageDriver {
  readonly name = 'filesystem';
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  private full(path: string): string {
    checkDriverPath(path);
    return join(this.root, path);
  }

  async getContent(path: string): Promise<Uint8Array> {
    try {
      return await readFile(this.full(path));
    } catch (err) {
      throw notFoundOr(err, path);
    }
  }

  async putContent(path: string, content: Uint8Array): Promise<void> {
    const full = this.full(path);
    const dir = dirname(full);
    await mkdir(dir, { recursive: true });
    const tmp = `${full}.${randomBytes(6).toString('hex')}.tmp`;
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(content);
      await fh.sync();
    } catch (err) {
      await fh.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await fh.close();
    await rename(tmp, full);
    await fsyncDir(dir);
  }

  async reader(path: string, offset = 0): Promise<AsyncIterable<Uint8Array>> {
    const full = this.full(path);
    // Open first so that a missing file is an error here, not in the middle of a response.
    let fh: FileHandle;
    try {
      fh = await open(full, 'r');
    } catch (err) {
      throw notFoundOr(err, path);
    }
    return createReadStream('', { fd: fh, start: offset, highWaterMark: READ_CHUNK });
  }

  async writer(path: string, append: boolean): Promise<FileWriter> {
    const full = this.full(path);
    await mkdir(dirname(full), { recursive: true });
    const fh = await open(full, append ? 'a' : 'w', 0o644);
    const size = append ? (await fh.stat()).size : 0;
    return new FilesystemWriter(fh, full, size);
  }

  async stat(path: string): Promise<FileInfo> {
    try {
      const st = await stat(this.full(path));
      return { path, size: st.isDirectory() ? 0 : st.size, modTime: st.mtime, isDir: st.isDirectory() };
    } catch (err) {
      throw notFoundOr(err, path);
    }
  }

  async list(path: string): Promise<string[]> {
    try {
      const names = await readdir(this.full(path));
      const prefix = path === '/' ? '' : path;
      // Temp files of an interrupted putContent are not objects.
      return names.filter((n) => !n.endsWith('.tmp')).map((n) => `${prefix}/${n}`);
    } catch (err) {
      throw notFoundOr(err, path);
    }
  }

  /** Renames over the destination. The moved object's modTime becomes now (as an S3 copy's does): GC relies on it. */
  async move(source: string, dest: string): Promise<void> {
    const from = this.full(source);
    const to = this.full(dest);
    await mkdir(dirname(to), { recursive: true });
    try {
      await rename(from, to);
    } catch (err) {
      throw notFoundOr(err, source);
    }
    const now = new Date();
    await utimes(to, now, now);
    await fsyncDir(dirname(to));
  }

  async delete(path: string): Promise<void> {
    const full = this.full(path);
    try {
      await stat(full);
    } catch (err) {
      throw notFoundOr(err, path);
    }
    await rm(full, { recursive: true, force: true });
  }
}

class FilesystemWriter implements FileWriter {
  private fh: FileHandle | undefined;
  private readonly full: string;
  size: number;

  constructor(fh: FileHandle, full: string, size: number) {
    this.fh = fh;
    this.full = full;
    this.size = size;
  }

  private handle(): FileHandle {
    if (!this.fh) throw new Error('writer already closed');
    return this.fh;
  }

  async write(chunk: Uint8Array): Promise<void> {
    const fh = this.handle();
    let off = 0;
    while (off < chunk.length) {
      const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
      off += bytesWritten;
    }
    this.size += chunk.length;
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
  }

  async cancel(): Promise<void> {
    await this.close();
    await rm(this.full, { force: true });
  }

  async commit(): Promise<void> {
    const fh = this.handle();
    await fh.sync();
    await this.close();
  }
}

function notFoundOr(err: unknown, path: string): unknown {
  return isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR') ? new PathNotFoundError(path) : err;
}

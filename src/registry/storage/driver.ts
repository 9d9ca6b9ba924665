// The storage driver interface of berth-registry, on distribution's contract
// (registry/storage/driver/storagedriver.go): a flat key space of paths such as
// `/docker/registry/v2/blobs/sha256/ab/<hex>/data`, with whole-object get/put, streamed
// reads from an offset, resumable appending writers, listing, move and recursive delete.
// The filesystem driver serves one disk; an S3-compatible driver serves object storage
// (the scale-out path: DESIGN.md decision 11). Everything above this interface (blob
// verification, links, uploads, GC) is the same for every driver.

export interface FileInfo {
  /** The driver path. */
  path: string;
  /** Bytes; 0 for directories. */
  size: number;
  modTime: Date;
  isDir: boolean;
}

/** An open upload target. Bytes become visible at `path` on commit (or close, for append). */
export interface FileWriter {
  /** Bytes written so far, including what an appended-to file already held. */
  readonly size: number;
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes and releases the writer; the content stays for a later `writer(path, true)`. */
  close(): Promise<void>;
  /** Removes what was written. */
  cancel(): Promise<void>;
  /** Makes the content durable at its path (fsync for the filesystem, complete-multipart for S3). */
  commit(): Promise<void>;
}

/** Thrown (or rejected) by a driver for a path that does not exist. */
export class PathNotFoundError extends Error {
  readonly path: string;
  constructor(path: string) {
    super(`path not found: ${path}`);
    this.path = path;
  }
}

export interface StorageDriver {
  /** `filesystem`, `s3`, ... */
  readonly name: string;
  getContent(path: string): Promise<Uint8Array>;
  /** Atomic: readers see the old or the new content, never part of it. */
  putContent(path: string, content: Uint8Array): Promise<void>;
  /** Streams the object from `offset`. */
  reader(path: string, offset?: number): Promise<AsyncIterable<Uint8Array>>;
  /** A writer that creates `path` (append=false, truncating) or continues it (append=true). */
  writer(path: string, append: boolean): Promise<FileWriter>;
  stat(path: string): Promise<FileInfo>;
  /** Direct children of a directory path, as full paths. */
  list(path: string): Promise<string[]>;
  /** Moves an object, replacing the destination. */
  move(source: string, dest: string): Promise<void>;
  /** Removes an object or a whole subtree. */
  delete(path: string): Promise<void>;
  /**
   * Optional fast path for serving blobs: writes bytes [offset, offset+length) of the object to
   * `out` and resolves once they are handed to it (the filesystem driver reuses two buffers
   * instead of allocating one per chunk). Drivers without it are read through `reader`.
   */
  writeTo?(path: string, offset: number, length: number, out: NodeJS.WritableStream): Promise<void>;
  /** A URL the client may fetch the object from directly (S3 presigned), or undefined. */
  redirectURL?(method: 'GET' | 'HEAD', path: string): Promise<string | undefined>;
}

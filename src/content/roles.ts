// The content store's roles on containerd's contract (core/content/content.go): a Provider
// reads blobs by digest, an Ingester writes them through a writer whose commit(size, digest)
// writes, fsyncs, verifies and renames into place. Callers take the narrowest role they need:
// the registry server serves from a Provider, a pull writes through an Ingester.

/** A blob being written: nothing is visible under its digest before commit. */
export interface ContentWriter {
  /** Bytes written so far. */
  readonly written: number;
  write(chunk: Uint8Array): Promise<void>;
  /** Digest of what was written so far. */
  digest(): string;
  /** fsync, verify the expected size and digest (when given), rename into place; returns the digest. */
  commit(expectedSize?: number, expectedDigest?: string): Promise<string>;
  /** Drops what was written. */
  abort(): Promise<void>;
  /**
   * Reads back bytes already written (a pull extracts a layer while it downloads). The read
   * side stays usable after commit or abort until closeReader().
   */
  readAt(position: number, length: number): Promise<Uint8Array>;
  closeReader(): Promise<void>;
}

/** Reads blobs. */
export interface ContentProvider {
  has(digest: string): Promise<boolean>;
  /** Size in bytes; NotFound when absent. */
  size(digest: string): Promise<number>;
  /** Streams a blob; NotFound when absent. */
  read(digest: string): AsyncIterable<Uint8Array>;
  list(): Promise<string[]>;
}

/** Writes blobs. */
export interface ContentIngester {
  ingest(): Promise<ContentWriter>;
  /** Writes a whole stream as one blob; verifies the expectations before it appears. */
  writeBlob(source: AsyncIterable<Uint8Array>, expectedSize?: number, expectedDigest?: string): Promise<string>;
}

// The build context as the engine sees it: received from the client (a tar, plain or compressed,
// or fetched from `remote`), checked entry by entry, stored on disk under the data root, and
// read through the fsroot box only (DESIGN.md decision 5).

export interface CopyRequest {
  /** Source words after variable expansion (wildcards allowed, Go filepath.Match syntax). */
  sources: string[];
  /** Heredoc sources: name becomes the file name at dest. */
  inline: { name: string; content: string }[];
  /** Destination after expansion; relative to `workdir`. */
  dest: string;
  workdir: string;
  /** `--chown` resolved to numbers (the engine resolves names against the target rootfs). */
  chown?: { uid: number; gid: number };
  /** `--chmod` as an octal mode. */
  chmod?: number;
  exclude: string[];
  parents: boolean;
  /** ADD: unpack local tar archives (gzip, bzip2, xz) at dest. */
  unpack: boolean;
  /** The instruction, for Docker's messages ("ADD failed: ...") and ADD's extras (URLs, archives). Default COPY. */
  command?: 'COPY' | 'ADD';
  /** `ADD --checksum=sha256:<hex>` of a URL source. */
  checksum?: string;
}

/** Where a COPY reads from: the build context, or another stage's / image's root filesystem. */
export interface CopySource {
  /** An open directory fd or path of the root to read from; sources resolve inside it. */
  rootDir: string;
  /** For the context only: .dockerignore already applied when the context was received. */
  isContext: boolean;
}

export interface ChecksumOptions {
  /**
   * ADD <url> sources: `--checksum` when given (the key, no download), else the URL is
   * downloaded and its bytes hashed, as moby does for every ADD of a URL.
   */
  urlChecksum?: string;
  /** Where a URL is downloaded for hashing (default: beside the context's directory). */
  tmpDir?: string;
  signal?: AbortSignal;
  /** The instruction, for its messages ("ADD failed: ..."). Default COPY. */
  command?: 'COPY' | 'ADD';
}

export interface BuildContext {
  /** The directory holding the context's files (under <data-root>/builder/tmp). Read-only for the engine. */
  readonly dir: string;
  /** The Dockerfile's text (the `dockerfile` parameter; default `Dockerfile`, else `dockerfile`). */
  dockerfile(): Promise<string>;
  /**
   * The cache checksum of the files `sources` name (after wildcards, excludes and .dockerignore),
   * their content and metadata; the same sources with the same bytes give the same digest.
   */
  checksum(sources: string[], exclude: string[], opts?: ChecksumOptions): Promise<string>;
  /** Removes the context's directory. */
  close(): Promise<void>;
}

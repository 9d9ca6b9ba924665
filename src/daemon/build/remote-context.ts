// POST /build?remote=<url> (moby builder/remotecontext DetectContextFromRemoteURL): an HTTP(S)
// URL whose body is a build context tarball (plain or compressed) or a Dockerfile; the download
// reported as "Downloading context" progress, then received exactly as a posted context is (the
// same checks, the same limits). A Dockerfile body becomes a one-file context named after the
// `dockerfile` parameter. Git URLs need a git checkout, which berth does not do.
import { Readable } from 'node:stream';
import { invalidParameter, TarWriter } from '../../common/index.ts';
import type { JsonMessage } from '../../api/index.ts';
import type { BuildContext } from '../../builder/index.ts';

/** A Dockerfile fetched by URL is read whole: this is its limit (moby's is the same order). */
const MAX_REMOTE_DOCKERFILE = 32 * 1024 * 1024;

export interface RemoteContextOptions {
  dir: string;
  dockerfile?: string;
  signal: AbortSignal;
  progress: (m: JsonMessage) => void;
  /** The context receiver (a tar stream into `dir`). */
  receive: (body: AsyncIterable<Uint8Array>, opts: { dir: string; dockerfile?: string }) => Promise<BuildContext>;
}

const isGit = (url: string) => /^git@|^git:\/\/|\.git(#.*)?$|^github\.com\//.test(url);

/** Archive magic numbers: tar (ustar at 257), gzip, bzip2, xz, zstd. */
function looksLikeArchive(head: Buffer): boolean {
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return true;
  const starts = (bytes: number[]) => bytes.every((b, i) => head[i] === b);
  return starts([0x1f, 0x8b]) || starts([0x42, 0x5a, 0x68]) || starts([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) || starts([0x28, 0xb5, 0x2f, 0xfd]);
}

export async function fetchRemoteContext(url: string, opts: RemoteContextOptions): Promise<BuildContext> {
  if (isGit(url)) throw invalidParameter(`unable to prepare context: git contexts are not supported by berth: ${url}`);
  if (!/^https?:\/\//.test(url)) throw invalidParameter(`unable to prepare context: unsupported remote context ${JSON.stringify(url)}`);
  let res: Response;
  try {
    res = await fetch(url, { signal: opts.signal, redirect: 'follow' });
  } catch (err) {
    throw invalidParameter(`unable to prepare context: ${(err as Error).message}`);
  }
  if (!res.ok || !res.body) {
    const text = (await res.text().catch(() => '')).slice(0, 512);
    throw invalidParameter(`unable to prepare context: failed to GET ${url} with status ${res.status} ${res.statusText}: ${text}`);
  }
  const total = Number(res.headers.get('content-length') ?? -1);
  let current = 0;
  const reader = res.body.getReader();
  const chunks: Buffer[] = [];
  // The first bytes decide what it is; the rest streams on.
  while (chunks.reduce((n, c) => n + c.length, 0) < 262) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
    current += value.length;
  }
  const head = Buffer.concat(chunks);
  const report = () => opts.progress({ status: 'Downloading context', progressDetail: total > 0 ? { current, total } : { current }, id: url });
  async function* body(): AsyncGenerator<Uint8Array> {
    if (head.length) yield head;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      current += value.length;
      yield value;
    }
    report();
  }
  if (looksLikeArchive(head)) return opts.receive(body(), { dir: opts.dir, dockerfile: opts.dockerfile });
  // A Dockerfile: read whole (bounded), then handed over as a one-file context.
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const c of body()) {
    size += c.length;
    if (size > MAX_REMOTE_DOCKERFILE) throw invalidParameter(`unable to prepare context: the remote Dockerfile is larger than ${MAX_REMOTE_DOCKERFILE} bytes`);
    parts.push(c);
  }
  const data = Buffer.concat(parts);
  const name = opts.dockerfile || 'Dockerfile';
  const tar = new TarWriter();
  const writing = (async () => {
    await tar.addFile({ name, mode: 0o600, size: data.length }, data);
    await tar.finish();
  })();
  const ctx = await opts.receive(Readable.from(tar.readable), { dir: opts.dir, dockerfile: name });
  await writing;
  return ctx;
}

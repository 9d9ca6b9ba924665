// HTTP(S) fetches of the builder: ADD <url> sources and the `remote` build context. node:http(s),
// redirects followed (10 at most, as Go's client), moby's GetWithStatusError wording for a bad
// status, bodies streamed to a file and bounded.
import { createHash } from 'node:crypto';
import { closeSync, openSync, write } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import { BerthError, forbidden, invalidParameter, notFound, systemError } from '../../common/index.ts';

const writeAsync = promisify(write);
const MAX_REDIRECTS = 10;
const DEFAULT_MAX_DOWNLOAD = 10 * 1024 ** 3;

/** moby urlutil.IsURL: an http:// or https:// URL. */
export function isUrl(s: string): boolean {
  return s.startsWith('http://') || s.startsWith('https://');
}

/** moby urlutil.IsGitURL (and BuildKit's): git://, git@, github.com/, or an http(s) URL ending in .git[#ref]. */
export function isGitUrl(s: string): boolean {
  if (s.startsWith('git://') || s.startsWith('git@') || s.startsWith('github.com/')) return true;
  return isUrl(s) && /\.git(?:#.+)?$/.test(s);
}

const goStatus = (res: IncomingMessage) => `${res.statusCode} ${res.statusMessage ?? ''}`.trim();

/** GET `url`, following redirects; a status >= 400 is an error with moby's message and kind. */
export async function httpGet(url: string, signal?: AbortSignal): Promise<IncomingMessage> {
  let current = url;
  for (let i = 0; ; i++) {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      let u: URL;
      try {
        u = new URL(current);
      } catch (err) {
        reject(invalidParameter(`invalid URL ${current}: ${(err as Error).message}`, err));
        return;
      }
      const mod = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined;
      if (!mod) {
        reject(invalidParameter(`unsupported protocol scheme "${u.protocol.replace(/:$/, '')}"`));
        return;
      }
      const req = mod.get(u, { signal, headers: { 'user-agent': 'berth-builder' } }, resolve);
      req.on('error', (err) => reject(err.name === 'AbortError' ? err : systemError(`Get "${current}": ${err.message}`, err)));
    });
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location && status !== 304) {
      res.resume();
      if (i >= MAX_REDIRECTS) throw systemError(`Get "${current}": stopped after ${MAX_REDIRECTS} redirects`);
      current = new URL(res.headers.location, current).toString();
      continue;
    }
    if (status < 400) return res;
    let body = '';
    for await (const chunk of res) {
      if (body.length < 64 * 1024) body += (chunk as Buffer).toString('utf8');
    }
    const msg = `failed to GET ${url} with status ${goStatus(res)}: ${body.trim()}`;
    if (status === 404) throw notFound(msg);
    if (status === 400) throw invalidParameter(msg);
    if (status === 401 || status === 403) throw forbidden(msg);
    throw systemError(msg);
  }
}

/** moby getFilenameForDownload: the URL path's base name, else Content-Disposition's filename, else ''. */
function filenameFor(url: string, res: IncomingMessage): string {
  let path = '';
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    path = '';
  }
  if (path !== '' && !path.endsWith('/')) {
    const base = posix.basename(path);
    if (base !== '' && base !== '/') return base;
  }
  const name = dispositionFilename(res.headers['content-disposition'] ?? '');
  if (name !== '' && !name.endsWith('/')) {
    const base = posix.basename(name);
    if (base !== '' && base !== '.' && base !== '..') return base;
  }
  return '';
}

/** The filename parameter of a Content-Disposition (mime.ParseMediaType's: quoted, token, or RFC 2231 `filename*=`). */
function dispositionFilename(cd: string): string {
  const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(cd);
  if (plain) return plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : plain[2];
  const ext = /(?:^|;)\s*filename\*\s*=\s*[^']*'[^']*'([^;\s]+)/i.exec(cd);
  if (!ext) return '';
  try {
    return decodeURIComponent(ext[1]);
  } catch {
    return '';
  }
}

export interface Downloaded {
  /** The host file holding the body (mode 0600). */
  path: string;
  /** The file name Docker gives it ('' when none can be found). */
  filename: string;
  /** Last-Modified as seconds since the epoch, else 0 (moby: zero time, clamped to the epoch). */
  mtime: number;
  /** sha256:<hex> of the body. */
  digest: string;
  size: number;
}

/** Downloads `url` to the new file `path`; with `checksum` (sha256:<hex>) the body must match it. */
export async function downloadUrl(
  url: string, path: string, opts: { signal?: AbortSignal; maxBytes?: number; checksum?: string; cmd?: string } = {},
): Promise<Downloaded> {
  if (opts.checksum !== undefined && !/^sha256:[a-f0-9]{64}$/.test(opts.checksum)) {
    throw invalidParameter(`invalid checksum digest format: ${opts.checksum}`);
  }
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_DOWNLOAD;
  const res = await httpGet(url, opts.signal);
  const fd = openSync(path, 'wx', 0o600);
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of res) {
      const b = chunk as Buffer;
      size += b.length;
      if (size > maxBytes) throw invalidParameter(`${url}: download is larger than the limit of ${maxBytes} bytes`);
      hash.update(b);
      for (let off = 0; off < b.length;) off += (await writeAsync(fd, b, off, b.length - off)).bytesWritten;
    }
  } catch (err) {
    res.destroy();
    if (err instanceof BerthError || (err as Error).name === 'AbortError') throw err;
    throw systemError(`failed to download ${url}: ${(err as Error).message}`, err);
  } finally {
    closeSync(fd);
  }
  const digest = `sha256:${hash.digest('hex')}`;
  if (opts.checksum !== undefined && opts.checksum !== digest) {
    // BuildKit's wording (source/http): the digest received, then the one asked for.
    throw invalidParameter(`${opts.cmd ?? 'ADD'} failed: digest mismatch ${digest}: ${opts.checksum}`);
  }
  const lm = res.headers['last-modified'];
  const t = lm ? Date.parse(lm) : NaN;
  return { path, filename: filenameFor(url, res), mtime: Number.isFinite(t) && t > 0 ? t / 1000 : 0, digest, size };
}

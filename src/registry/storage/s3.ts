// The S3-compatible storage driver (distribution's s3-aws driver, its config keys: region,
// bucket, regionendpoint, accesskey, secretkey, rootdirectory, secure, forcepathstyle,
// chunksize; plus `redirect` for presigned GETs). It speaks the S3 REST API with fetch and
// SigV4 (s3-sign.ts) and no SDK: the driver needs ten calls, and the AWS SDK is megabytes.
//
// Writers. distribution keeps one S3 multipart upload open per upload and finds it again with
// ListMultipartUploads/ListParts, copying small tails with UploadPartCopy; S3-compatible servers
// differ most in exactly those calls. This driver keeps an upload's bytes as plain objects
// instead (`<key>.berth-parts/<8-digit index>`, each at most `chunksize` plus one write), so
// a writer reopened with append=true, in another request or another registry process, finds
// its size by listing them. A closed writer's content is visible at its path as the driver
// contract wants: stat, reader and getContent read the parts, list shows the file, delete
// removes them, and move() assembles them straight into the destination (which is how the
// store turns a finished upload into a blob, so the bytes are assembled once). Assembling is
// one server-side copy when there is one part, else a multipart upload fed by reading the parts
// back in `chunksize` pieces (the bytes cross the wire twice: the price of needing only
// GET/PUT/COPY/multipart from the server). commit() assembles in place.
import { createHash } from 'node:crypto';
import { PathNotFoundError } from './driver.ts';
import type { FileInfo, FileWriter, StorageDriver } from './driver.ts';
import { signRequest, presignUrl, sha256Hex, uriEncode, EMPTY_SHA256 } from './s3-sign.ts';
import type { Credentials } from './s3-sign.ts';

const MIN_CHUNK = 5 << 20;
const DEFAULT_CHUNK = 10 << 20;
/** S3's limit for one CopyObject; larger objects are copied part by part (UploadPartCopy). */
const MAX_SINGLE_COPY = 5 * 1024 ** 3;
const PARTS_SUFFIX = '.berth-parts';
/** distribution's s3 URLFor default. */
const PRESIGN_SECONDS = 20 * 60;
const LIST_MAX = 1000;

export interface S3DriverConfig {
  region: string;
  bucket: string;
  /** Endpoint of an S3-compatible server (`http://127.0.0.1:9000`, or a host: `secure` picks the scheme). */
  regionendpoint?: string;
  accesskey: string;
  secretkey: string;
  sessiontoken?: string;
  /** A prefix inside the bucket. */
  rootdirectory?: string;
  /** https when regionendpoint has no scheme; default true. */
  secure?: boolean;
  /** Path-style URLs (`endpoint/bucket/key`), as most S3-compatible servers need. */
  forcepathstyle?: boolean;
  /** Part size in bytes, at least 5 MiB; default 10 MiB. */
  chunksize?: number;
  /** Serve blob GETs as redirects to presigned URLs. */
  redirect?: boolean;
}

export class S3ConfigError extends Error {}

class S3Error extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(`s3: ${status} ${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

/** Checks `storage.s3` from the config file; credentials may come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY. */
export function s3ConfigFrom(raw: unknown, env: NodeJS.ProcessEnv = process.env): S3DriverConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new S3ConfigError('storage.s3: expected a mapping');
  const r = raw as Record<string, unknown>;
  const known = ['region', 'bucket', 'regionendpoint', 'accesskey', 'secretkey', 'sessiontoken', 'rootdirectory', 'secure', 'forcepathstyle', 'chunksize', 'redirect',
    // distribution keys that change nothing here
    'encrypt', 'v4auth', 'storageclass', 'multipartcopythresholdsize', 'multipartcopychunksize', 'multipartcopymaxconcurrency', 'skipverify'];
  for (const k of Object.keys(r)) if (!known.includes(k)) throw new S3ConfigError(`storage.s3: unknown key ${JSON.stringify(k)}`);
  const s = (k: string, required: boolean, fallback?: string): string | undefined => {
    const v = r[k] ?? fallback;
    if (v === undefined || v === '') {
      if (required) throw new S3ConfigError(`storage.s3.${k}: required`);
      return undefined;
    }
    if (typeof v !== 'string') throw new S3ConfigError(`storage.s3.${k}: expected a string`);
    return v;
  };
  const b = (k: string): boolean | undefined => {
    const v = r[k];
    if (v === undefined) return undefined;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    throw new S3ConfigError(`storage.s3.${k}: expected true or false`);
  };
  const chunk = r.chunksize;
  if (chunk !== undefined && (typeof chunk !== 'number' || !Number.isInteger(chunk) || chunk < MIN_CHUNK)) {
    throw new S3ConfigError(`storage.s3.chunksize: expected an integer of at least ${MIN_CHUNK} (5 MiB)`);
  }
  const bucket = s('bucket', true) as string;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new S3ConfigError('storage.s3.bucket: invalid bucket name');
  return {
    region: s('region', true) as string,
    bucket,
    regionendpoint: s('regionendpoint', false),
    accesskey: s('accesskey', true, env.AWS_ACCESS_KEY_ID) as string,
    secretkey: s('secretkey', true, env.AWS_SECRET_ACCESS_KEY) as string,
    sessiontoken: s('sessiontoken', false, env.AWS_SESSION_TOKEN),
    rootdirectory: s('rootdirectory', false),
    secure: b('secure'),
    forcepathstyle: b('forcepathstyle'),
    chunksize: chunk as number | undefined,
    redirect: b('redirect'),
  };
}

export class S3Driver implements StorageDriver {
  readonly name = 's3';
  readonly #creds: Credentials;
  readonly #endpoint: URL;
  readonly #bucket: string;
  readonly #pathStyle: boolean;
  readonly #root: string;
  readonly chunkSize: number;
  readonly #redirect: boolean;

  constructor(config: S3DriverConfig) {
    this.#creds = { accessKey: config.accesskey, secretKey: config.secretkey, region: config.region, sessionToken: config.sessiontoken };
    const scheme = config.secure === false ? 'http' : 'https';
    let ep = config.regionendpoint ?? `s3.${config.region}.amazonaws.com`;
    if (!/^https?:\/\//.test(ep)) ep = `${scheme}://${ep}`;
    this.#endpoint = new URL(ep);
    this.#bucket = config.bucket;
    this.#pathStyle = config.forcepathstyle ?? config.regionendpoint !== undefined;
    this.#root = (config.rootdirectory ?? '').replace(/^\/+|\/+$/g, '');
    this.chunkSize = config.chunksize ?? DEFAULT_CHUNK;
    this.#redirect = config.redirect === true;
  }

  // --- keys and requests ---

  /** distribution's s3Path: root + path, no leading slash. */
  #key(path: string): string {
    checkPath(path);
    if (path === '/') return this.#root;
    return `${this.#root}${path}`.replace(/^\/+/, '');
  }

  #pathOf(key: string): string {
    return '/' + (this.#root === '' ? key : key.slice(this.#root.length + 1));
  }

  #url(key: string, query: Record<string, string> = {}): URL {
    const base = new URL(this.#endpoint);
    const prefix = base.pathname.replace(/\/+$/, '');
    if (this.#pathStyle) base.pathname = `${prefix}/${this.#bucket}/${uriEncode(key, true)}`;
    else {
      base.hostname = `${this.#bucket}.${base.hostname}`;
      base.pathname = `${prefix}/${uriEncode(key, true)}`;
    }
    for (const [k, v] of Object.entries(query)) base.searchParams.set(k, v);
    return base;
  }

  async #request(
    method: string,
    key: string,
    opts: { query?: Record<string, string>; headers?: Record<string, string>; body?: Uint8Array; ok?: number[] } = {},
  ): Promise<Response> {
    const url = this.#url(key, opts.query);
    const body = opts.body;
    const payloadHash = body ? sha256Hex(body) : EMPTY_SHA256;
    for (let attempt = 0; ; attempt++) {
      const headers = signRequest(this.#creds, { method, url, headers: opts.headers, payloadHash });
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body: body as Uint8Array<ArrayBuffer> | undefined, redirect: 'manual' });
      } catch (err) {
        if (attempt < 2) {
          await delay(200 * 4 ** attempt);
          continue;
        }
        throw err;
      }
      if ((opts.ok ?? [200]).includes(res.status)) return res;
      if (res.status >= 500 && attempt < 2) {
        await res.body?.cancel();
        await delay(200 * 4 ** attempt);
        continue;
      }
      const text = method === 'HEAD' ? '' : await res.text();
      throw new S3Error(res.status, tag(text, 'Code') ?? String(res.status), tag(text, 'Message') ?? res.statusText);
    }
  }

  // --- StorageDriver ---

  async getContent(path: string): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    for await (const c of await this.reader(path, 0)) chunks.push(c);
    return Buffer.concat(chunks);
  }

  async putContent(path: string, content: Uint8Array): Promise<void> {
    await this.#request('PUT', this.#key(path), { body: content, headers: { 'content-type': 'application/octet-stream' } });
  }

  async reader(path: string, offset = 0): Promise<AsyncIterable<Uint8Array>> {
    const key = this.#key(path);
    try {
      const res = await this.#request('GET', key, { headers: { range: `bytes=${offset}-` }, ok: [200, 206] });
      return bodyOf(res);
    } catch (err) {
      if (err instanceof S3Error && err.code === 'InvalidRange') return emptyIterable();
      if (!isNotFound(err)) throw err;
    }
    // An upload not committed yet reads from its parts.
    const parts = await this.#parts(key);
    if (parts.length === 0) throw new PathNotFoundError(path);
    return this.#readParts(parts, offset);
  }

  async writer(path: string, append: boolean): Promise<FileWriter> {
    const key = this.#key(path);
    let parts = await this.#parts(key);
    if (!append) {
      // Truncate: drop old parts and any committed object at the path.
      await this.#deleteKeys([...parts.map((p) => p.key), key]);
      parts = [];
    } else if (parts.length === 0) {
      // Appending to a committed object: it becomes the first part.
      try {
        await this.#copy(key, partKey(key, 0), await this.#size(key));
      } catch (err) {
        if (isNotFound(err)) throw new PathNotFoundError(path);
        throw err;
      }
      await this.#deleteKeys([key]);
      parts = await this.#parts(key);
    }
    return new S3Writer(this, key, parts);
  }

  async stat(path: string): Promise<FileInfo> {
    const key = this.#key(path);
    try {
      const res = await this.#request('HEAD', key);
      return { path, size: Number(res.headers.get('content-length') ?? 0), modTime: new Date(res.headers.get('last-modified') ?? 0), isDir: false };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const parts = await this.#parts(key);
    if (parts.length > 0) {
      return { path, size: parts.reduce((n, p) => n + p.size, 0), modTime: parts.at(-1)!.modTime, isDir: false };
    }
    const { keys, prefixes } = await this.#listPage(key === '' ? '' : `${key}/`, '/', undefined, 1);
    if (keys.length > 0 || prefixes.length > 0) return { path, size: 0, modTime: new Date(0), isDir: true };
    throw new PathNotFoundError(path);
  }

  async list(path: string): Promise<string[]> {
    const key = this.#key(path);
    const prefix = key === '' ? '' : `${key}/`;
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#listPage(prefix, '/', token, LIST_MAX);
      for (const k of page.keys) out.push(this.#pathOf(k.key));
      for (const p of page.prefixes) {
        const dir = p.replace(/\/$/, '');
        if (dir.endsWith(PARTS_SUFFIX)) {
          // An upload in progress shows as its file, as the filesystem driver would show it.
          const file = this.#pathOf(dir.slice(0, -PARTS_SUFFIX.length));
          if (!out.includes(file)) out.push(file);
        } else out.push(this.#pathOf(dir));
      }
      token = page.next;
    } while (token !== undefined);
    if (out.length === 0 && path !== '/') throw new PathNotFoundError(path);
    return [...new Set(out)].sort();
  }

  async move(source: string, dest: string): Promise<void> {
    const from = this.#key(source);
    const to = this.#key(dest);
    let size: number;
    try {
      size = await this.#size(from);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // A closed writer's parts: assembled straight into the destination.
      const parts = await this.#parts(from);
      if (parts.length === 0) throw new PathNotFoundError(source);
      await this.assemble(from, to);
      return;
    }
    await this.#copy(from, to, size);
    await this.#deleteKeys([from]);
  }

  async delete(path: string): Promise<void> {
    const key = this.#key(path);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      // Prefix `key` also lists `keyX`: keep the key itself and what is below `key/` (and its parts).
      const page = await this.#listPage(key, undefined, token, LIST_MAX);
      for (const k of page.keys) {
        if (k.key === key || k.key.startsWith(`${key}/`) || k.key.startsWith(`${key}${PARTS_SUFFIX}/`)) keys.push(k.key);
      }
      token = page.next;
    } while (token !== undefined);
    if (keys.length === 0) throw new PathNotFoundError(path);
    await this.#deleteKeys(keys);
  }

  redirectURL(method: 'GET' | 'HEAD', path: string): Promise<string | undefined> {
    if (!this.#redirect) return Promise.resolve(undefined);
    return Promise.resolve(presignUrl(this.#creds, method, this.#url(this.#key(path)), PRESIGN_SECONDS));
  }

  // --- helpers used by the writer ---

  async #size(key: string): Promise<number> {
    const res = await this.#request('HEAD', key);
    return Number(res.headers.get('content-length') ?? 0);
  }

  async #parts(key: string): Promise<Part[]> {
    const parts: Part[] = [];
    let token: string | undefined;
    do {
      const page = await this.#listPage(`${key}${PARTS_SUFFIX}/`, '/', token, LIST_MAX);
      for (const k of page.keys) {
        const m = /\/(\d{8})$/.exec(k.key);
        if (m) parts.push({ key: k.key, index: Number(m[1]), size: k.size, modTime: k.modTime });
      }
      token = page.next;
    } while (token !== undefined);
    return parts.sort((a, b) => a.index - b.index);
  }

  async putPart(key: string, index: number, data: Uint8Array): Promise<void> {
    await this.#request('PUT', partKey(key, index), { body: data, headers: { 'content-type': 'application/octet-stream' } });
  }

  async deleteParts(key: string): Promise<void> {
    await this.#deleteKeys((await this.#parts(key)).map((p) => p.key));
  }

  /** Makes the object at `dest` (default: `key` itself) from the parts of `key`, then removes the parts. */
  async assemble(key: string, dest = key): Promise<void> {
    const parts = (await this.#parts(key)).filter((p, _i, all) => p.size > 0 || all.length === 1);
    const total = parts.reduce((n, p) => n + p.size, 0);
    if (parts.length === 0) {
      await this.#request('PUT', dest, { body: new Uint8Array(0) });
    } else if (parts.length === 1) {
      await this.#copy((parts[0] as Part).key, dest, total);
    } else if (total <= this.chunkSize) {
      const all: Uint8Array[] = [];
      for await (const c of this.#readParts(parts, 0)) all.push(c);
      await this.#request('PUT', dest, { body: Buffer.concat(all), headers: { 'content-type': 'application/octet-stream' } });
    } else {
      await this.#multipart(dest, async (upload) => {
        let buf: Uint8Array[] = [];
        let size = 0;
        for await (const c of this.#readParts(parts, 0)) {
          buf.push(c);
          size += c.length;
          if (size >= this.chunkSize) {
            await upload(Buffer.concat(buf));
            buf = [];
            size = 0;
          }
        }
        if (size > 0) await upload(Buffer.concat(buf));
      });
    }
    await this.deleteParts(key);
  }

  async *#readParts(parts: Part[], offset: number): AsyncIterable<Uint8Array> {
    let skip = offset;
    for (const part of parts) {
      if (skip >= part.size) {
        skip -= part.size;
        continue;
      }
      const res = await this.#request('GET', part.key, { headers: { range: `bytes=${skip}-` }, ok: [200, 206] });
      skip = 0;
      yield* bodyOf(res);
    }
  }

  /** Runs a multipart upload; `feed` calls `upload(bytes)` once per part, in order. Aborted on failure. */
  async #multipart(key: string, feed: (upload: (data: Uint8Array) => Promise<void>) => Promise<void>, copySource?: { key: string; size: number }): Promise<void> {
    const init = await this.#request('POST', key, { query: { uploads: '' }, headers: { 'content-type': 'application/octet-stream' } });
    const uploadId = tag(await init.text(), 'UploadId');
    if (!uploadId) throw new S3Error(500, 'InternalError', 'no UploadId in InitiateMultipartUpload response');
    const etags: string[] = [];
    try {
      if (copySource) {
        for (let start = 0; start < copySource.size; start += MAX_SINGLE_COPY) {
          const end = Math.min(start + MAX_SINGLE_COPY, copySource.size) - 1;
          const res = await this.#request('PUT', key, {
            query: { partNumber: String(etags.length + 1), uploadId },
            headers: { 'x-amz-copy-source': `/${this.#bucket}/${uriEncode(copySource.key, true)}`, 'x-amz-copy-source-range': `bytes=${start}-${end}` },
          });
          etags.push(tag(await res.text(), 'ETag') ?? '');
        }
      } else {
        await feed(async (data) => {
          const res = await this.#request('PUT', key, { query: { partNumber: String(etags.length + 1), uploadId }, body: data });
          await res.body?.cancel();
          etags.push(res.headers.get('etag') ?? '');
        });
      }
      const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(e)}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
      const done = await this.#request('POST', key, { query: { uploadId }, body: Buffer.from(xml), headers: { 'content-type': 'application/xml' } });
      const text = await done.text();
      // S3 may answer 200 with an error document for a complete that failed late.
      if (tag(text, 'Code') !== undefined && !text.includes('CompleteMultipartUploadResult')) throw new S3Error(500, tag(text, 'Code') as string, tag(text, 'Message') ?? '');
    } catch (err) {
      await this.#request('DELETE', key, { query: { uploadId }, ok: [200, 204, 404] }).catch(() => {});
      throw err;
    }
  }

  async #copy(from: string, to: string, size: number): Promise<void> {
    if (size > MAX_SINGLE_COPY) {
      await this.#multipart(to, () => Promise.resolve(), { key: from, size });
      return;
    }
    const res = await this.#request('PUT', to, { headers: { 'x-amz-copy-source': `/${this.#bucket}/${uriEncode(from, true)}` } });
    const text = await res.text();
    if (tag(text, 'Code') !== undefined && !text.includes('CopyObjectResult')) throw new S3Error(500, tag(text, 'Code') as string, tag(text, 'Message') ?? '');
  }

  async #deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const xml = Buffer.from(`<Delete><Quiet>true</Quiet>${batch.map((k) => `<Object><Key>${escapeXml(k)}</Key></Object>`).join('')}</Delete>`);
      const res = await this.#request('POST', '', {
        query: { delete: '' },
        body: xml,
        headers: { 'content-type': 'application/xml', 'content-md5': createHash('md5').update(xml).digest('base64') },
      });
      const text = await res.text();
      const failed = /<Error>[\s\S]*?<\/Error>/.exec(text);
      if (failed) throw new S3Error(500, tag(failed[0], 'Code') ?? 'InternalError', `delete ${tag(failed[0], 'Key') ?? ''}: ${tag(failed[0], 'Message') ?? ''}`);
    }
  }

  async #listPage(prefix: string, delimiter: string | undefined, token: string | undefined, max: number): Promise<{ keys: { key: string; size: number; modTime: Date }[]; prefixes: string[]; next?: string }> {
    const query: Record<string, string> = { 'list-type': '2', prefix, 'max-keys': String(max) };
    if (delimiter) query.delimiter = delimiter;
    if (token) query['continuation-token'] = token;
    const text = await (await this.#request('GET', '', { query })).text();
    const keys = [...text.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map((m) => ({
      key: tag(m[1] as string, 'Key') ?? '',
      size: Number(tag(m[1] as string, 'Size') ?? 0),
      modTime: new Date(tag(m[1] as string, 'LastModified') ?? 0),
    }));
    const prefixes = [...text.matchAll(/<CommonPrefixes>([\s\S]*?)<\/CommonPrefixes>/g)].map((m) => tag(m[1] as string, 'Prefix') ?? '');
    const truncated = tag(text, 'IsTruncated') === 'true';
    return { keys, prefixes, next: truncated ? tag(text, 'NextContinuationToken') : undefined };
  }
}

interface Part {
  key: string;
  index: number;
  size: number;
  modTime: Date;
}

class S3Writer implements FileWriter {
  readonly #driver: S3Driver;
  readonly #key: string;
  #next: number;
  #flushed: number;
  #buffer: Uint8Array[] = [];
  #buffered = 0;
  #done = false;

  constructor(driver: S3Driver, key: string, parts: Part[]) {
    this.#driver = driver;
    this.#key = key;
    this.#next = parts.length === 0 ? 0 : (parts.at(-1) as Part).index + 1;
    this.#flushed = parts.reduce((n, p) => n + p.size, 0);
  }

  get size(): number {
    return this.#flushed + this.#buffered;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#done) throw new Error('s3 writer: already closed');
    this.#buffer.push(Buffer.from(chunk));
    this.#buffered += chunk.length;
    if (this.#buffered >= this.#driver.chunkSize) await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#buffered === 0) return;
    const data = Buffer.concat(this.#buffer);
    await this.#driver.putPart(this.#key, this.#next, data);
    this.#next++;
    this.#flushed += data.length;
    this.#buffer = [];
    this.#buffered = 0;
  }

  async close(): Promise<void> {
    if (this.#done) return;
    await this.#flush();
    // An empty file still exists after close (the store opens an upload with an empty writer).
    if (this.#next === 0) await this.#driver.putPart(this.#key, this.#next++, new Uint8Array(0));
    this.#done = true;
  }

  async cancel(): Promise<void> {
    this.#done = true;
    this.#buffer = [];
    this.#buffered = 0;
    await this.#driver.deleteParts(this.#key);
  }

  async commit(): Promise<void> {
    if (this.#done) throw new Error('s3 writer: already closed');
    await this.#flush();
    this.#done = true;
    await this.#driver.assemble(this.#key);
  }
}

function partKey(key: string, index: number): string {
  return `${key}${PARTS_SUFFIX}/${String(index).padStart(8, '0')}`;
}

/** distribution's path rule: absolute, components of [A-Za-z0-9._-], no empty or dot-only ones. */
function checkPath(path: string): void {
  if (path === '/') return;
  if (!/^(\/[A-Za-z0-9._-]+)+$/.test(path) || path.split('/').some((c) => c === '.' || c === '..') || path.includes(PARTS_SUFFIX)) {
    throw new Error(`s3: invalid path ${JSON.stringify(path)}`);
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof S3Error && (err.status === 404 || err.code === 'NoSuchKey');
}

async function* bodyOf(res: Response): AsyncIterable<Uint8Array> {
  if (!res.body) return;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) yield chunk;
}

async function* emptyIterable(): AsyncIterable<Uint8Array> {}

/** The text of the first `<name>` element: S3's answers are flat, fixed documents of a few known tags. */
function tag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? unescapeXml(m[1] as string) : undefined;
}

function unescapeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[name as 'amp'];
  });
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

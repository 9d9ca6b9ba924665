// POST /build's `remote` parameter (moby builder/remotecontext/detect.go and remote.go): an
// http(s) URL to a tarball (any compression) or to a plain Dockerfile. The response's
// Content-Type decides, sniffed from the first bytes when it is missing or
// application/octet-stream (web servers send that for a file named `Dockerfile`); a text body
// is the Dockerfile, and becomes the context's only file. Git URLs are refused.
import { BerthError, TarWriter, detectCompression, invalidParameter, notImplemented } from '../../common/index.ts';
import { peek } from './decompress.ts';
import { httpGet, isGitUrl, isUrl } from './download.ts';
import { receiveContext, type ReceiveOptions, type ReceivedContext } from './receive.ts';

/** moby's acceptableRemoteMIME. */
const ACCEPTABLE_MIME = /(?:application\/(?:(?:x-)?tar|octet-stream|(?:(?:x-)?(?:gzip|bzip2?|xz)))|text\/plain)/;
const MAX_PREAMBLE = 100;
const DEFAULT_MAX_REMOTE = 1024 ** 3;
const MAX_DOCKERFILE = 32 * 1024 * 1024;

/** What the first bytes look like: an archive (tar, compressed) or text (http.DetectContentType's idea of it). */
function sniff(head: Buffer): string {
  if (detectCompression(head) !== 'none') return 'application/x-gzip';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'application/x-tar';
  const binary = head.subarray(0, MAX_PREAMBLE).some((b) => b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b));
  return binary ? 'application/octet-stream' : 'text/plain';
}

/** Receives the context the `remote` URL names into `opts.dir`. */
export async function receiveRemoteContext(
  remote: string,
  opts: ReceiveOptions & { signal?: AbortSignal; maxDownload?: number; onDownloaded?: (bytes: number, total: number) => void },
): Promise<ReceivedContext> {
  if (remote === 'client-session') {
    throw invalidParameter('experimental session with v1 builder is no longer supported, use builder version v2 (BuildKit) instead');
  }
  if (isGitUrl(remote)) throw notImplemented(`remote git contexts are not supported: ${remote}`);
  if (!isUrl(remote)) throw invalidParameter(`remoteURL (${remote}) could not be recognized as URL`);
  let res;
  try {
    res = await httpGet(remote, opts.signal);
  } catch (err) {
    if (err instanceof BerthError) throw new BerthError(err.kind, `error downloading remote context ${remote}: ${err.message}`, { cause: err });
    throw err;
  }
  const maxDownload = opts.maxDownload ?? DEFAULT_MAX_REMOTE;
  let got = 0;
  const body = (async function* () {
    for await (const chunk of res) {
      got += (chunk as Buffer).length;
      if (got > maxDownload) {
        res.destroy();
        throw invalidParameter(`remote context ${remote} is larger than the limit of ${maxDownload} bytes`);
      }
      yield chunk as Buffer;
    }
    // dockerd's "Downloading context" progress, once the whole body is in.
    opts.onDownloaded?.(got, Number(res.headers['content-length'] ?? -1));
  })();
  // A tar header ends at byte 262: read that much to tell a tar from text.
  const { head, stream } = await peek(body, 512);
  if (head.length === 0) {
    throw invalidParameter(`error detecting content type for remote ${remote}: empty response`);
  }
  const header = (res.headers['content-type'] ?? '').toString();
  let ct = header;
  if (ct === '' || ct === 'application/octet-stream') ct = sniff(head);
  const accepted = ACCEPTABLE_MIME.exec(ct)?.[0];
  if (accepted === undefined) {
    res.destroy();
    throw invalidParameter(`error detecting content type for remote ${remote}: unsupported Content-Type ${JSON.stringify(header)}`);
  }
  if (accepted === 'text/plain') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of stream) {
      size += c.length;
      if (size > MAX_DOCKERFILE) throw invalidParameter(`remote Dockerfile ${remote} is larger than ${MAX_DOCKERFILE} bytes`);
      chunks.push(Buffer.from(c));
    }
    const dockerfile = Buffer.concat(chunks);
    const name = (opts.dockerfile || 'Dockerfile').replace(/^\/+/, '');
    return receiveContext(tarOf(name, dockerfile), { ...opts, dockerfile: name });
  }
  return receiveContext(stream, opts);
}

/** A tar holding one file. */
async function* tarOf(name: string, data: Buffer): AsyncGenerator<Uint8Array> {
  const w = new TarWriter();
  const writing = (async () => {
    await w.addFile({ name, mode: 0o644, size: data.length, mtime: Math.floor(Date.now() / 1000) }, data);
    await w.finish();
  })();
  for await (const chunk of w.readable) yield chunk as Buffer;
  await writing;
}

// The cache checksum of COPY --from sources: the same digest as a context's checksum(), computed
// on a stage's / image's mounted root (moby's classic builder hashes those files too, through a
// lazy tarsum source). Sources resolve as COPY resolves them (sources.ts); the walk is on fds,
// never following a link below a source; file bytes are hashed as they are read.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, createReadStream, fstatSync, openSync, type BigIntStats } from 'node:fs';
import { posix } from 'node:path';
import { dockerignoreMatcher, type PatternMatcher } from '../../common/index.ts';
import { ContainerView, O_NOFOLLOW, O_PATH, O_RDONLY, openRoot, openat, readdirat, readlinkat } from '../../fsroot/index.ts';
import { resolveLocalSources } from './sources.ts';

const q = JSON.stringify;

/** One entry's line of the checksum: what BuildKit's contenthash (tarsum v1) keeps, no mtime. */
export function entryHeader(e: { type: string; mode: number; uid: number; gid: number; size: number; linkname: string; digest: string }): string {
  return `${e.type} ${e.mode.toString(8)} ${e.uid}:${e.gid} ${e.size} ${q(e.linkname)} ${e.digest}`;
}

/** The sha256 hex of a file's bytes, read through its O_PATH fd (reopened, never by path). */
async function fileDigest(pathFd: number): Promise<string> {
  const fd = openSync(`/proc/self/fd/${pathFd}`, O_RDONLY);
  const h = createHash('sha256');
  for await (const chunk of createReadStream('', { fd, autoClose: true, highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function header(fd: number, st: BigIntStats, parentFd: number | undefined, name: string): Promise<string> {
  const mode = Number(st.mode & 0o7777n);
  const uid = Number(st.uid);
  const gid = Number(st.gid);
  if (st.isDirectory()) return entryHeader({ type: 'dir', mode, uid, gid, size: 0, linkname: '', digest: '' });
  if (st.isSymbolicLink()) {
    const linkname = parentFd === undefined ? readlinkat(fd, '') : readlinkat(parentFd, name);
    return entryHeader({ type: 'symlink', mode, uid, gid, size: 0, linkname, digest: '' });
  }
  if (st.isFile()) return entryHeader({ type: 'file', mode, uid, gid, size: Number(st.size), linkname: '', digest: await fileDigest(fd) });
  return entryHeader({ type: 'other', mode: Number(st.mode), uid, gid, size: 0, linkname: '', digest: String(st.rdev) });
}

async function walk(h: Hash, dirFd: number, relDir: string, m: PatternMatcher | undefined): Promise<void> {
  for (const name of readdirat(dirFd, '.').sort()) {
    const rel = relDir === '' ? name : `${relDir}/${name}`;
    if (m?.matches(rel)) continue;
    const fd = openat(dirFd, name, O_PATH | O_NOFOLLOW);
    try {
      const st = fstatSync(fd, { bigint: true });
      h.update(`${q(rel)} ${await header(fd, st, dirFd, name)}\n`);
      if (st.isDirectory()) await walk(h, fd, rel, m);
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * The checksum of `sources` in the root `rootDir` (a mounted stage or image), after wildcards and
 * `exclude`; the same sources with the same bytes and metadata give the same digest.
 */
export async function checksumInRoot(rootDir: string, sources: string[], exclude: string[], opts: { command?: 'COPY' | 'ADD' } = {}): Promise<string> {
  const h = createHash('sha256');
  const view = new ContainerView(openRoot(rootDir));
  try {
    const m = exclude.length > 0 ? dockerignoreMatcher(exclude) : undefined;
    for (const info of resolveLocalSources(view, sources, { cmd: opts.command ?? 'COPY', isContext: false })) {
      h.update(`source ${q(info.rel)} ${q(info.name)}\n`);
      const fd = view.open(info.path, { flags: O_PATH, followFinal: true });
      try {
        const st = fstatSync(fd, { bigint: true });
        if (!st.isDirectory() && (m?.matches(info.rel) || m?.matches(info.name))) continue;
        h.update(`. ${await header(fd, st, undefined, posix.basename(info.path))}\n`);
        if (st.isDirectory()) await walk(h, fd, '', m);
      } finally {
        closeSync(fd);
      }
    }
  } finally {
    view.close();
  }
  return `sha256:${h.digest('hex')}`;
}

// GET /containers/{id}/archive's tar: the path as moby's containerArchivePath archives it, on
// tarTree. The top is resolved by the container view (mount-aware for a stopped container), then
// tarTree walks it from that directory's fd (/proc/self/fd/N names that very directory):
//  - `dir/` or `dir/.`: the directory itself (links followed), named `dir` or `.`; `/` is
//    named `/` with absolute names below it;
//  - anything else: the entry itself, never followed (a symlink is archived as a link), named
//    after its base.
// A stopped container's mounts below the top are left out of that walk and archived from their
// sources after it, under their names (as moby, which mounts them before archiving).
import { closeSync } from 'node:fs';
import { posix } from 'node:path';
import { type ContainerView, O_DIRECTORY, O_PATH } from '../fsroot/index.ts';
import { tarTree } from './tar-tree.ts';
import { mergeTarStreams } from './rename-tar.ts';

/**
 * The tar of `absPath` (clean, absolute, a trailing `/` or `/.` kept) in the view, streamed.
 * The directories `skipContentsOf` (container paths: a running container's /proc, /sys, ...)
 * are archived empty.
 */
export function tarPathInView(view: ContainerView, absPath: string, skipContentsOf: readonly string[] = []): AsyncIterable<Uint8Array> {
  const wholeDir = absPath === '/' || absPath.endsWith('/') || absPath.endsWith('/.');
  const trimmed = absPath.replace(/\/\.$/, '/').replace(/\/+$/, '') || '/';
  const name = absPath.endsWith('/.') ? '.' : trimmed === '/' ? '.' : posix.basename(trimmed);
  const r = wholeDir
    ? view.resolve(trimmed, { flags: O_PATH | O_DIRECTORY, followFinal: true })
    : view.resolve(posix.dirname(trimmed), { flags: O_PATH | O_DIRECTORY, followFinal: true });
  // The container path of the top, to find the (stopped container's) mounts below it.
  const topPath = wholeDir ? r.path : posix.join(r.path, posix.basename(trimmed));
  const below = view.mountsBelow(topPath);
  const prefix = topPath === '/' ? '/' : `${topPath}/`;
  const emptied = skipContentsOf.filter((p) => p.startsWith(prefix)).map((p) => `${p.slice(prefix.length)}/`);
  const skipIn = (base: string) => {
    const inner = new Set(below.filter((m) => base === '' || m.rel.startsWith(`${base}/`)).map((m) => (base === '' ? m.rel : m.rel.slice(base.length + 1))));
    if (base === '' && emptied.length > 0) return (rel: string) => inner.has(rel) || emptied.some((e) => rel.startsWith(e));
    return inner.size === 0 ? undefined : (rel: string) => inner.has(rel);
  };
  // The top itself a mount (not followed into by the parent's fd): its source.
  const at = wholeDir ? undefined : view.mountAt(topPath);
  let stream: AsyncIterable<Uint8Array>;
  try {
    stream = at
      ? tarTree(`/proc/self/fd/${at.dirFd}`, at.name === '.' ? '/' : at.name, { name, skip: skipIn('') }).stream
      : tarTree(`/proc/self/fd/${r.fd}`, wholeDir ? '/' : posix.basename(trimmed), { name, skip: skipIn('') }).stream;
  } finally {
    closeSync(r.fd);
  }
  // `/` itself: absolute names (`/`, `/bin`, ...), which is what docker's client rebases
  // correctly (its RebaseArchiveEntries prefixes the destination's name for a source of `/`).
  const rename = absPath === '/' ? (n: string) => `/${n.replace(/^\.\/?/, '')}` : undefined;
  if (below.length === 0) return rename ? mergeTarStreams([() => stream], rename) : stream;
  const mounts = below.map((m) => () => tarTree(`/proc/self/fd/${m.dirFd}`, m.name === '.' ? '/' : m.name, { name: `${name}/${m.rel}`, skip: skipIn(m.rel) }).stream);
  return mergeTarStreams([() => stream, ...mounts], rename);
}

// GET /containers/{id}/archive's tar: the path as moby's containerArchivePath archives it, on
// tarTree. The top is resolved by the container view (mount-aware for a stopped container), then
// tarTree walks it from that directory's fd (/proc/self/fd/N names that very directory):
//  - `dir/` or `dir/.`: the directory itself (links followed), named `dir` or `.`; `/` is
//    named `/` with absolute names below it;
//  - anything else: the entry itself, never followed (a symlink is archived as a link), named
//    after its base.
// A stopped container's mounts below the top (not at it) are not entered: the walk shows what is
// in the layer there.
import { closeSync } from 'node:fs';
import { posix } from 'node:path';
import { type ContainerView, O_DIRECTORY, O_PATH } from '../fsroot/index.ts';
import { tarTree } from './tar-tree.ts';
import { renameTarStream } from './rename-tar.ts';

/** The tar of `absPath` (clean, absolute, a trailing `/` or `/.` kept) in the view, streamed. */
export function tarPathInView(view: ContainerView, absPath: string): AsyncIterable<Uint8Array> {
  const wholeDir = absPath === '/' || absPath.endsWith('/') || absPath.endsWith('/.');
  const trimmed = absPath.replace(/\/\.$/, '/').replace(/\/+$/, '') || '/';
  const name = absPath.endsWith('/.') ? '.' : trimmed === '/' ? '.' : posix.basename(trimmed);
  const fd = wholeDir
    ? view.open(trimmed, { flags: O_PATH | O_DIRECTORY, followFinal: true })
    : view.open(posix.dirname(trimmed), { flags: O_PATH | O_DIRECTORY, followFinal: true });
  try {
    const stream = tarTree(`/proc/self/fd/${fd}`, wholeDir ? '/' : posix.basename(trimmed), { name }).stream;
    // `/` itself: absolute names (`/`, `/bin`, ...), which is what docker's client rebases
    // correctly (its RebaseArchiveEntries prefixes the destination's name for a source of `/`).
    if (absPath === '/') return renameTarStream(stream, (n) => `/${n.replace(/^\.\/?/, '')}`);
    return stream;
  } finally {
    closeSync(fd);
  }
}

// Tar streams re-encoded entry by entry (everything kept, names rewritten on request): moby's
// RebaseArchiveEntries on the server side for the one name tarTree cannot give (`/`), and the
// concatenation of several tars into one (a stopped container's mounts below a copied directory).
import { readTar, TarWriter } from '../common/index.ts';

/** One tar of the entries of each source in turn (each opened when reached), names through `rename`. */
export function mergeTarStreams(sources: (() => AsyncIterable<Uint8Array>)[], rename: (name: string) => string = (n) => n): AsyncIterable<Uint8Array> {
  const w = new TarWriter();
  void (async () => {
    try {
      for (const open of sources) {
        for await (const e of readTar(open())) {
          const h = { name: rename(e.name), mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime, uname: e.uname, gname: e.gname, xattrs: e.xattrs };
          switch (e.type) {
            case 'dir': await w.addDir(h); break;
            case 'file': await w.addFile({ ...h, size: e.size }, e.body()); break;
            case 'symlink': await w.addSymlink(h, e.linkname); break;
            case 'hardlink': await w.addHardlink(h, rename(e.linkname)); break;
            case 'char': case 'block': case 'fifo': await w.addDevice(h, e.type, e.devmajor, e.devminor); break;
            default: break;
          }
        }
      }
      await w.finish();
    } catch (err) {
      w.destroy(err as Error);
    }
  })();
  return w.readable;
}

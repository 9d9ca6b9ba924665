// A tar stream with its entry names (and hard link targets) rewritten, everything else kept:
// moby's RebaseArchiveEntries, on the server side for the one case tarTree cannot name (`/`).
import { readTar, TarWriter } from '../common/index.ts';

export function renameTarStream(source: AsyncIterable<Uint8Array>, rename: (name: string) => string): AsyncIterable<Uint8Array> {
  const w = new TarWriter();
  void (async () => {
    try {
      for await (const e of readTar(source)) {
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
      await w.finish();
    } catch (err) {
      w.destroy(err as Error);
    }
  })();
  return w.readable;
}

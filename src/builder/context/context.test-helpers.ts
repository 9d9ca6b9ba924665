// Fixtures shared by the build context tests: tars built member by member (good and hostile).
import { TarWriter } from '../../common/index.ts';

export type Member =
  | { name: string; type?: 'file'; data?: string | Buffer; mode?: number; uid?: number; gid?: number; mtime?: number }
  | { name: string; type: 'dir'; mode?: number; uid?: number; gid?: number; mtime?: number }
  | { name: string; type: 'symlink' | 'hardlink'; target: string }
  | { name: string; type: 'char' | 'block' | 'fifo'; major?: number; minor?: number };

/** A tar of `members`, in order (names as given: hostile ones too). */
export async function makeTar(members: Member[]): Promise<Buffer> {
  const w = new TarWriter();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of w.readable) chunks.push(c as Buffer);
  })();
  for (const m of members) {
    const meta = m as { mode?: number; uid?: number; gid?: number; mtime?: number };
    const h = { name: m.name, mode: meta.mode ?? 0o644, uid: meta.uid ?? 0, gid: meta.gid ?? 0, mtime: meta.mtime ?? 1_700_000_000 };
    if (m.type === 'dir') await w.addDir({ ...h, mode: m.mode ?? 0o755 });
    else if (m.type === 'symlink') await w.addSymlink(h, m.target);
    else if (m.type === 'hardlink') await w.addHardlink(h, m.target);
    else if (m.type === 'char' || m.type === 'block' || m.type === 'fifo') await w.addDevice(h, m.type, m.major ?? 0, m.minor ?? 0);
    else {
      const raw = (m as { data?: string | Buffer }).data;
      const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw ?? '');
      await w.addFile({ ...h, size: data.length }, data);
    }
  }
  await w.finish();
  await done;
  return Buffer.concat(chunks);
}

/** `data` as a stream of chunks of `size` bytes (as a request body arrives). */
export async function* chunked(data: Buffer, size = 7000): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

// Spools an image archive's members into a private temp dir so that manifest.json (often
// last) can be read first. Names are checked (no absolute paths, no `..`); only regular
// files and directories are taken; sizes and entry counts are bounded. The temp dir holds
// nothing but what we create, so no link can redirect a write.
import { constants } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decompressStream, readTar, invalidParameter, isErrno } from '../common/index.ts';

export interface SpoolLimits {
  /** Largest member (default 64 GiB). */
  maxFileSize?: number;
  /** Sum of all members (default 256 GiB). */
  maxTotalSize?: number;
  /** Number of members (default 100000). */
  maxEntries?: number;
}

export interface SpooledArchive {
  dir: string;
  /** Regular files taken, by cleaned archive name. */
  files: Set<string>;
  remove(): Promise<void>;
}

/** Cleans an archive member name; throws for absolute names and any `..` component. */
function cleanMemberName(name: string): string {
  if (name.includes('\0')) throw invalidParameter(`invalid archive member name ${JSON.stringify(name)}`);
  if (name.startsWith('/')) throw invalidParameter(`invalid archive member name ${JSON.stringify(name)}: absolute path`);
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') throw invalidParameter(`invalid archive member name ${JSON.stringify(name)}: path escapes the archive`);
    parts.push(p);
  }
  return parts.join('/');
}

export async function spoolArchive(source: AsyncIterable<Uint8Array>, tmpRoot: string, limits: SpoolLimits = {}): Promise<SpooledArchive> {
  const maxFile = limits.maxFileSize ?? 64 * 1024 ** 3;
  const maxTotal = limits.maxTotalSize ?? 256 * 1024 ** 3;
  const maxEntries = limits.maxEntries ?? 100_000;
  await mkdir(tmpRoot, { recursive: true });
  const dir = await mkdtemp(join(tmpRoot, 'load-'));
  const files = new Set<string>();
  const dirs = new Set<string>(['']);
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    let total = 0;
    let count = 0;
    for await (const entry of readTar(decompressStream(source), { maxEntrySize: maxFile, maxNameLength: 4096 })) {
      if (++count > maxEntries) throw invalidParameter(`invalid archive: more than ${maxEntries} entries`);
      const name = cleanMemberName(entry.name);
      if (entry.type !== 'file' && entry.type !== 'dir') continue; // links, devices: never followed, never needed
      if (name === '') continue;
      if (entry.type === 'dir') {
        if (files.has(name)) throw invalidParameter(`invalid archive: ${JSON.stringify(name)} is both a file and a directory`);
        await makeDirs(dir, name, dirs, files);
        continue;
      }
      if (dirs.has(name)) throw invalidParameter(`invalid archive: ${JSON.stringify(name)} is both a file and a directory`);
      total += entry.size;
      if (total > maxTotal) throw invalidParameter(`invalid archive: larger than ${maxTotal} bytes`);
      const slash = name.lastIndexOf('/');
      if (slash > 0) await makeDirs(dir, name.slice(0, slash), dirs, files);
      const fh = await open(join(dir, name), constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
      try {
        let written = 0;
        for await (const chunk of entry.body()) {
          written += chunk.byteLength;
          if (written > maxFile) throw invalidParameter(`invalid archive: member ${JSON.stringify(name)} is too large`);
          let off = 0;
          while (off < chunk.byteLength) off += (await fh.write(chunk, off, chunk.byteLength - off)).bytesWritten;
        }
      } finally {
        await fh.close();
      }
      files.add(name);
    }
  } catch (err) {
    await remove();
    throw err;
  }
  return { dir, files, remove };
}

async function makeDirs(root: string, name: string, dirs: Set<string>, files: Set<string>): Promise<void> {
  const parts = name.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const sub = parts.slice(0, i).join('/');
    if (dirs.has(sub)) continue;
    if (files.has(sub)) throw invalidParameter(`invalid archive: ${JSON.stringify(sub)} is both a file and a directory`);
    await mkdir(join(root, sub)).catch((err) => (isErrno(err, 'EEXIST') ? undefined : Promise.reject(err)));
    dirs.add(sub);
  }
}

/** A spooled member's path, or undefined when the archive has no such regular file. */
export function memberPath(archive: SpooledArchive, name: string): string | undefined {
  let clean: string;
  try {
    clean = cleanMemberName(name);
  } catch {
    return undefined;
  }
  return archive.files.has(clean) ? join(archive.dir, clean) : undefined;
}

/** Reads a small member (JSON) with a size bound. */
export async function readMember(archive: SpooledArchive, name: string, maxBytes: number): Promise<Uint8Array | undefined> {
  const path = memberPath(archive, name);
  if (!path) return undefined;
  const st = await lstat(path);
  if (!st.isFile()) return undefined;
  if (st.size > maxBytes) throw invalidParameter(`invalid archive: ${name} is larger than ${maxBytes} bytes`);
  return new Uint8Array(await readFile(path));
}

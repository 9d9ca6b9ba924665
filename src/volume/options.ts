// The local driver's options (moby volume/local/local_unix.go): `type`, `device`, `o` and `size`,
// checked at create with moby's messages, and turned into mount(2) calls on first mount the way
// moby/sys/mount does (flags out of `o`, the rest passed as data; propagation and a read-only
// bind applied by follow-up calls).
import { ByteSizeError, invalidParameter, ramInBytes, truncate } from '../common/index.ts';

const VALID_OPTS = ['type', 'o', 'device', 'size'];
/** Options that need others (checked in this order; moby iterates a Go map). */
const MANDATORY: [string, string[]][] = [
  ['device', ['type']],
  ['type', ['device']],
  ['o', ['device', 'type']],
];

/** Throws InvalidParameter with moby's message when the options are not acceptable. */
export function checkDriverOptions(opts: Record<string, string>): void {
  const keys = Object.keys(opts);
  if (keys.length === 0) return;
  for (const k of keys) if (!VALID_OPTS.includes(k)) throw invalidParameter(`invalid option: ${JSON.stringify(truncate(k, 64))}`);
  if (opts.type === 'cifs' && opts.device) {
    // Go's url.Parse takes "//host:port/share" (no scheme) too; a base gives URL the same reading.
    let port = '';
    try {
      port = new URL(opts.device, 'cifs://base/').port;
    } catch (err) {
      throw invalidParameter(`error parsing mount device url: ${(err as Error).message}`);
    }
    if (port !== '') throw invalidParameter("port not allowed in CIFS device URL, include 'port' in 'o='");
  }
  if (opts.size !== undefined) {
    let size: number;
    try {
      size = ramInBytes(opts.size);
    } catch (err) {
      if (err instanceof ByteSizeError) throw invalidParameter(err.message);
      throw err;
    }
    // berth has no project quotas (moby: only on xfs with pquota).
    if (size > 0) throw invalidParameter('quota size requested but no quota support');
  }
  for (const [opt, needs] of MANDATORY) {
    if (opts[opt] === undefined) continue;
    for (const n of needs) if (opts[n] === undefined) throw invalidParameter(`missing required option: ${JSON.stringify(n)}`);
  }
}

/** True when the volume's data is a mount of its own (moby needsMount). */
export function needsMount(opts: Record<string, string>): boolean {
  return Boolean(opts.device || opts.type);
}

/** mount(2) flag values (<sys/mount.h>). */
const MS = {
  RDONLY: 0x1, NOSUID: 0x2, NODEV: 0x4, NOEXEC: 0x8, SYNCHRONOUS: 0x10, REMOUNT: 0x20, MANDLOCK: 0x40,
  DIRSYNC: 0x80, NOATIME: 0x400, NODIRATIME: 0x800, BIND: 0x1000, REC: 0x4000, UNBINDABLE: 0x20000,
  PRIVATE: 0x40000, SLAVE: 0x80000, SHARED: 0x100000, RELATIME: 0x200000, STRICTATIME: 0x1000000,
} as const;

const PROPAGATION = MS.SHARED | MS.PRIVATE | MS.SLAVE | MS.UNBINDABLE;

/** moby/sys/mount flags_linux.go: option word -> [clear, flag]. */
const FLAGS: Record<string, [boolean, number]> = {
  defaults: [false, 0], ro: [false, MS.RDONLY], rw: [true, MS.RDONLY], suid: [true, MS.NOSUID],
  nosuid: [false, MS.NOSUID], dev: [true, MS.NODEV], nodev: [false, MS.NODEV], exec: [true, MS.NOEXEC],
  noexec: [false, MS.NOEXEC], sync: [false, MS.SYNCHRONOUS], async: [true, MS.SYNCHRONOUS],
  dirsync: [false, MS.DIRSYNC], remount: [false, MS.REMOUNT], mand: [false, MS.MANDLOCK],
  nomand: [true, MS.MANDLOCK], atime: [true, MS.NOATIME], noatime: [false, MS.NOATIME],
  diratime: [true, MS.NODIRATIME], nodiratime: [false, MS.NODIRATIME], bind: [false, MS.BIND],
  rbind: [false, MS.BIND | MS.REC], unbindable: [false, MS.UNBINDABLE], runbindable: [false, MS.UNBINDABLE | MS.REC],
  private: [false, MS.PRIVATE], rprivate: [false, MS.PRIVATE | MS.REC], shared: [false, MS.SHARED],
  rshared: [false, MS.SHARED | MS.REC], slave: [false, MS.SLAVE], rslave: [false, MS.SLAVE | MS.REC],
  relatime: [false, MS.RELATIME], norelatime: [true, MS.RELATIME], strictatime: [false, MS.STRICTATIME],
  nostrictatime: [true, MS.STRICTATIME],
};

/** Splits `o` into mount flags and the data string the filesystem gets. */
function parseMountOptions(o: string): { flags: number; data: string } {
  let flags = 0;
  const data: string[] = [];
  for (const word of o.split(',')) {
    if (word === '') continue;
    const f = FLAGS[word];
    if (f) flags = f[0] ? flags & ~f[1] : flags | f[1];
    else data.push(word);
  }
  return { flags, data: data.join(',') };
}

export interface MountCall {
  source: string;
  target: string;
  fstype: string;
  flags: number;
  data: string;
}

/** The mount(2) calls for one volume mount, as moby/sys/mount performs them. */
export function planMount(device: string, target: string, fstype: string, o: string): MountCall[] {
  const { flags, data } = parseMountOptions(o);
  const calls: MountCall[] = [];
  const main = flags & ~PROPAGATION;
  if (!(flags & MS.REMOUNT) || data !== '') calls.push({ source: device, target, fstype, flags: main, data });
  if (flags & PROPAGATION) calls.push({ source: '', target, fstype: '', flags: flags & (PROPAGATION | MS.REC), data: '' });
  if ((main & (MS.BIND | MS.RDONLY)) === (MS.BIND | MS.RDONLY)) calls.push({ source: '', target, fstype: '', flags: main | MS.REMOUNT, data: '' });
  return calls;
}

/** The `addr=` value in `o` (NFS, CIFS), '' when absent. */
export function addressOption(o: string): string {
  for (const word of o.split(',')) if (word.startsWith('addr=')) return word.slice('addr='.length);
  return '';
}

/** The `password=` value in `o`, masked in error messages as moby does. */
export function passwordOption(o: string): string {
  for (const word of o.split(',')) if (word.startsWith('password=')) return word.slice('password='.length);
  return '';
}

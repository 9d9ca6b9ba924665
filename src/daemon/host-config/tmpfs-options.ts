// Tmpfs mount options as Docker builds them: noexec,nosuid,nodev,rprivate first, then the
// user's, later ones winning per flag (exec beats noexec) and per key=value (moby/sys/mount
// MergeTmpfsOptions). Mount option parsing is security-relevant and small: hand-written.
import { invalidParameter } from '../../common/index.ts';
import type { EngineMount } from './types.ts';

/** Mount flags by the bit they set or clear (a flag and its negation share one bit). */
const FLAGS: Record<string, string> = {
  ro: 'rdonly', rw: 'rdonly',
  suid: 'nosuid', nosuid: 'nosuid',
  dev: 'nodev', nodev: 'nodev',
  exec: 'noexec', noexec: 'noexec',
  sync: 'sync', async: 'sync',
  dirsync: 'dirsync',
  mand: 'mand', nomand: 'mand',
  atime: 'noatime', noatime: 'noatime',
  diratime: 'nodiratime', nodiratime: 'nodiratime',
  relatime: 'relatime', norelatime: 'relatime',
  strictatime: 'strictatime', nostrictatime: 'strictatime',
  // One propagation mode only.
  private: 'propagation', rprivate: 'propagation', shared: 'propagation', rshared: 'propagation',
  slave: 'propagation', rslave: 'propagation', unbindable: 'propagation', runbindable: 'propagation',
};
const DATA_KEYS = new Set(['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks', 'mpol']);

/** Docker's defaults for every tmpfs mount (a tmpfs is noexec unless the user says exec). */
const TMPFS_DEFAULTS = ['noexec', 'nosuid', 'nodev', 'rprivate'];

/** The merged option list for a tmpfs with the user's comma-separated options. */
export function tmpfsMountOptions(data: string): string[] {
  const options = [...TMPFS_DEFAULTS, ...(data ? data.split(',') : [])];
  const seenFlags = new Set<string>();
  const seenData = new Set<string>();
  const out: string[] = [];
  for (let i = options.length - 1; i >= 0; i--) {
    const option = options[i]!;
    if (option === 'defaults') continue;
    const flag = FLAGS[option];
    if (flag) {
      if (!seenFlags.has(flag)) out.unshift(option);
      seenFlags.add(flag);
      continue;
    }
    const eq = option.indexOf('=');
    const key = eq < 0 ? option : option.slice(0, eq);
    if (eq < 0 || !DATA_KEYS.has(key) || /[\0,]/.test(option)) throw invalidParameter(`invalid tmpfs option ${JSON.stringify(option)}`);
    if (!seenData.has(key)) out.unshift(option);
    seenData.add(key);
  }
  return out;
}

/** --mount type=tmpfs options as the comma-separated form (moby ConvertTmpfsOptions). */
export function tmpfsDataOf(m: EngineMount): string {
  const raw: string[] = [];
  if (m.ReadOnly) raw.push('ro');
  const o = m.TmpfsOptions ?? {};
  if (o.Mode !== undefined && o.Mode !== null && o.Mode !== 0) {
    if (!Number.isInteger(o.Mode) || o.Mode < 0 || o.Mode > 0o7777) throw invalidParameter(`invalid tmpfs mode: ${o.Mode}`);
    raw.push(`mode=${o.Mode.toString(8)}`);
  }
  if (o.SizeBytes !== undefined && o.SizeBytes !== null && o.SizeBytes !== 0) {
    if (!Number.isSafeInteger(o.SizeBytes) || o.SizeBytes < 0) throw invalidParameter(`invalid tmpfs size: ${o.SizeBytes}`);
    let size = o.SizeBytes;
    let suffix = '';
    for (const [s, d] of [['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]] as const) {
      if (size % d === 0) {
        size /= d;
        suffix = s;
        break;
      }
    }
    raw.push(`size=${size}${suffix}`);
  }
  for (const opt of o.Options ?? []) {
    if (!Array.isArray(opt) || opt.length < 1 || opt.length > 2 || !opt.every((x) => typeof x === 'string')) {
      throw invalidParameter('invalid tmpfs option in TmpfsOptions.Options');
    }
    raw.push(opt.join('='));
  }
  return raw.join(',');
}

// Which paths are mount points, from /proc/self/mountinfo: the truth after a daemon restart,
// whatever the daemon's records say (DESIGN.md decision 4). The one parser of that format (the
// layer and volume boxes, mount propagation checks, docker cp's kernel filesystems).
import { readFile } from 'node:fs/promises';

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export interface MountInfo {
  mountPoint: string;
  fsType: string;
  source: string;
  /** Optional fields: shared:N, master:N, ... (mount propagation). */
  optional: string[];
}

export function parseMountInfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    // id parent major:minor root mountpoint options [optional...] - fstype source superopts
    const fields = line.split(' ');
    const sep = fields.indexOf('-', 6);
    if (fields.length < 10 || sep === -1) continue;
    out.push({ mountPoint: unescape(fields[4]!), fsType: fields[sep + 1]!, source: unescape(fields[sep + 2] ?? ''), optional: fields.slice(6, sep) });
  }
  return out;
}

export async function readMountInfo(): Promise<MountInfo[]> {
  return parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
}

export async function isMountPoint(path: string): Promise<boolean> {
  return (await readMountInfo()).some((m) => m.mountPoint === path);
}

// What this host's kernel offers containers, read from /proc and /sys: the capability bounding
// set of the daemon (what a privileged container can get) and the cgroup version.
import { readFile, statfs } from 'node:fs/promises';
import { ALL_CAPABILITIES, capabilitiesFromMask } from './defaults.ts';

const CGROUP2_SUPER_MAGIC = 0x63677270;

/** The capabilities this host can grant: the daemon's bounding set (CapBnd of /proc/self/status). */
export async function hostCapabilities(): Promise<string[]> {
  const status = await readFile('/proc/self/status', 'utf8');
  const mask = /^CapBnd:\s*([0-9a-f]+)/m.exec(status)?.[1];
  return mask ? capabilitiesFromMask(mask) : [...ALL_CAPABILITIES];
}

/** True when /sys/fs/cgroup is the v2 unified hierarchy only. */
export async function cgroupV2Only(): Promise<boolean> {
  try {
    return (await statfs('/sys/fs/cgroup')).type === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}

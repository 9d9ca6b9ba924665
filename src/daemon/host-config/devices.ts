// HostConfig.Devices (--device) and DeviceCgroupRules (--device-cgroup-rule) as the runtime's
// device nodes and cgroup rules (moby oci_linux.go WithDevices). A host path that is a
// directory adds every device below it, as in Docker.
import { lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join, relative } from 'node:path';
import { invalidParameter, isErrno } from '../../common/index.ts';
import { checkDeviceAccess, parseDeviceCgroupRule, splitDevNumber, type DeviceInput } from '../../runtime/index.ts';
import type { DeviceMapping, HostConfig } from './types.ts';

/** The host's filesystem as the device mapping sees it (stat follows links, lstat does not). */
export interface DeviceFs {
  stat(path: string): Stats;
  lstat(path: string): Stats;
  readdir(dir: string): string[];
}

const realFs: DeviceFs = {
  stat: (p) => statSync(p),
  lstat: (p) => lstatSync(p),
  readdir: (d) => readdirSync(d, { recursive: true, encoding: 'utf8' }),
};

/** A directory of devices is walked; bound so a huge tree cannot stall create. */
const MAX_DEVICES = 4096;

function nodeOf(st: Stats, path: string, access: string): DeviceInput | undefined {
  const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
  if (!type) return undefined;
  const { major, minor } = splitDevNumber(st.rdev);
  return { path, type, major, minor, fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid, access };
}

function checkMapping(d: DeviceMapping): { host: string; ctr: string; access: string } {
  if (!d || typeof d !== 'object') throw invalidParameter('invalid Devices: must be a list of device mappings');
  const host = d.PathOnHost;
  if (typeof host !== 'string' || !host.startsWith('/') || host.includes('\0')) throw invalidParameter(`bad format for path: ${String(host).slice(0, 256)}`);
  const ctr = d.PathInContainer || host;
  if (typeof ctr !== 'string' || !ctr.startsWith('/') || ctr.includes('\0')) throw invalidParameter(`${String(ctr).slice(0, 256)} is not an absolute path`);
  const access = d.CgroupPermissions || 'rwm';
  if (typeof access !== 'string' || !checkDeviceAccess(access)) throw invalidParameter(`invalid CgroupPermissions: ${String(access).slice(0, 16)}`);
  return { host, ctr, access };
}

/** The device nodes for one mapping; throws Docker's message when the host path is not a device. */
export function devicesOf(d: DeviceMapping, fs: DeviceFs = realFs): DeviceInput[] {
  const { host, ctr, access } = checkMapping(d);
  const gatherError = (why: string) => invalidParameter(`error gathering device information while adding custom device ${JSON.stringify(host)}: ${why}`);
  let st: Stats;
  try {
    st = fs.stat(host);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) throw gatherError('no such file or directory');
    throw gatherError((err as Error).message);
  }
  const single = nodeOf(st, ctr, access);
  if (single) return [single];
  if (!st.isDirectory()) throw gatherError('not a device node');
  const out: DeviceInput[] = [];
  for (const rel of fs.readdir(host)) {
    const full = join(host, rel);
    let entry: Stats;
    try {
      entry = fs.lstat(full);
    } catch {
      continue; // gone meanwhile
    }
    const node = nodeOf(entry, join(ctr, relative(host, full)), access);
    if (node) out.push(node);
    if (out.length > MAX_DEVICES) throw gatherError(`more than ${MAX_DEVICES} devices`);
  }
  return out;
}

/** Every device of a HostConfig (stat at create for a clear 400, and again at start). */
export function containerDevices(hc: HostConfig, fs: DeviceFs = realFs): DeviceInput[] {
  const list = hc.Devices;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw invalidParameter('invalid Devices: must be a list');
  return list.flatMap((d) => devicesOf(d, fs));
}

export function checkDeviceCgroupRules(hc: HostConfig): string[] {
  const rules = hc.DeviceCgroupRules;
  if (rules === undefined || rules === null) return [];
  if (!Array.isArray(rules) || rules.some((r) => typeof r !== 'string')) throw invalidParameter('invalid DeviceCgroupRules: must be a list of strings');
  for (const r of rules) parseDeviceCgroupRule(r);
  return rules;
}

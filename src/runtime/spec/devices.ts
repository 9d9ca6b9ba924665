// Devices: the device cgroup rules (Docker's allow list, or everything when privileged), device
// nodes added to the container's /dev (--device), and extra cgroup rules (--device-cgroup-rule).
import { invalidParameter } from '../../common/index.ts';
import { DEFAULT_DEVICE_RULES, PRIVILEGED_DEVICE_RULES, type DeviceCgroupRule } from '../defaults.ts';
import type { SpecDevice, SpecOpt } from './types.ts';

export function withDefaultDeviceRules(privileged = false): SpecOpt {
  return (spec) => {
    spec.linux.resources.devices = (privileged ? PRIVILEGED_DEVICE_RULES : DEFAULT_DEVICE_RULES).map((r) => ({ ...r }));
  };
}

/** A host device node to create in the container, and what the cgroup lets the container do with it. */
export interface DeviceInput {
  /** Path in the container (absolute). */
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
  /** Some of r, w, m. */
  access: string;
}

export function checkDeviceAccess(access: string): boolean {
  return access.length > 0 && access.length <= 3 && [...access].every((c, i) => 'rwm'.includes(c) && access.indexOf(c) === i);
}

export function withDevices(devices: readonly DeviceInput[]): SpecOpt {
  return (spec) => {
    for (const d of devices) {
      if (!d.path.startsWith('/') || d.path.includes('\0')) throw invalidParameter(`invalid device path in the container: ${d.path}`);
      if (!checkDeviceAccess(d.access)) throw invalidParameter(`invalid device mode: ${d.access}`);
      const node: SpecDevice = { path: d.path, type: d.type, major: d.major, minor: d.minor, fileMode: d.fileMode, uid: d.uid, gid: d.gid };
      spec.linux.devices.push(node);
      spec.linux.resources.devices.push({ allow: true, type: d.type, major: d.major, minor: d.minor, access: d.access });
    }
  };
}

/** Docker's --device-cgroup-rule form: "c 1:3 rwm", "b *:* m", "a *:* rwm". */
export function parseDeviceCgroupRule(rule: string): DeviceCgroupRule {
  const m = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/.exec(rule);
  if (!m || !checkDeviceAccess(m[4]!)) throw invalidParameter(`invalid device cgroup rule format: '${rule}'`);
  const out: DeviceCgroupRule = { allow: true, type: m[1] as 'a' | 'c' | 'b' };
  if (m[2] !== '*') out.major = Number(m[2]);
  if (m[3] !== '*') out.minor = Number(m[3]);
  out.access = m[4];
  return out;
}

export function withDeviceCgroupRules(rules: readonly string[]): SpecOpt {
  return (spec) => {
    for (const r of rules) spec.linux.resources.devices.push(parseDeviceCgroupRule(r));
  };
}

/** Linux dev_t (Node's stat rdev) -> major:minor. */
export function splitDevNumber(rdev: number | bigint): { major: number; minor: number } {
  const d = BigInt(rdev);
  // glibc's gnu_dev_major/gnu_dev_minor (32-bit major and minor split across the 64-bit dev_t).
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & 0xfffff000n);
  const minor = (d & 0xffn) | ((d >> 12n) & 0xffffff00n);
  return { major: Number(major), minor: Number(minor) };
}

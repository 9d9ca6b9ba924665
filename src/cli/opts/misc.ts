// The smaller run/create option checks (docker's cli/command/container/opts.go and opts/).
import { readFileSync } from 'node:fs';
import { OptionError } from './errors.ts';

const SYSCTLS = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);

/** --sysctl: only the namespaced ones a container may set. */
export function validateSysctl(value: string): string {
  const eq = value.indexOf('=');
  const key = eq < 0 ? '' : value.slice(0, eq);
  if (key !== '' && (SYSCTLS.has(key) || key.startsWith('net.') || key.startsWith('fs.mqueue.'))) return value;
  throw new OptionError(`sysctl '${value}' is not allowed`);
}

/** -a/--attach: stdin, stdout or stderr, any case. */
export function validateAttach(value: string): string {
  const s = value.toLowerCase();
  if (s === 'stdin' || s === 'stdout' || s === 'stderr') return s;
  throw new OptionError('valid streams are STDIN, STDOUT and STDERR');
}

/** --log-opt with --log-driver none is refused. */
export function parseLoggingOpts(driver: string, opts: string[]): Record<string, string> {
  if (driver === 'none' && opts.length > 0) throw new OptionError(`invalid logging opts for driver ${driver}`);
  const out: Record<string, string> = {};
  for (const o of opts) {
    const eq = o.indexOf('=');
    if (eq < 0) out[o] = '';
    else out[o.slice(0, eq)] = o.slice(eq + 1);
  }
  return out;
}

/**
 * --security-opt key=value (or key:value); "no-new-privileges" alone; a seccomp profile file is
 * read and sent inline; "systempaths=unconfined" is handled here (empty masked/read-only paths).
 */
export function parseSecurityOpts(values: string[]): { securityOpt: string[]; maskedPaths?: string[]; readonlyPaths?: string[] } {
  const out: string[] = [];
  let unconfined = false;
  for (const opt of values) {
    let i = opt.indexOf('=');
    let key = i < 0 ? opt : opt.slice(0, i);
    if (i < 0 && key !== 'no-new-privileges') {
      i = opt.indexOf(':');
      key = i < 0 ? opt : opt.slice(0, i);
    }
    const val = i < 0 ? '' : opt.slice(i + 1);
    if ((i < 0 || val === '') && key !== 'no-new-privileges') throw new OptionError(`invalid --security-opt: ${JSON.stringify(opt)}`);
    if (opt === 'systempaths=unconfined') {
      unconfined = true;
      continue;
    }
    if (key === 'seccomp' && val !== 'builtin' && val !== 'unconfined') {
      let text: string;
      try {
        text = readFileSync(val, 'utf8');
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new OptionError(`opening seccomp profile (${val}) failed: open ${val}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`);
      }
      try {
        out.push(`seccomp=${JSON.stringify(JSON.parse(text))}`);
      } catch (err) {
        throw new OptionError(`compacting json for seccomp profile (${val}) failed: ${(err as Error).message}`);
      }
      continue;
    }
    out.push(opt);
  }
  return unconfined ? { securityOpt: out, maskedPaths: [], readonlyPaths: [] } : { securityOpt: out };
}

/** --storage-opt key=value. */
export function parseStorageOpts(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of values) {
    const eq = o.indexOf('=');
    if (eq < 0) throw new OptionError('invalid storage option');
    out[o.slice(0, eq)] = o.slice(eq + 1);
  }
  return out;
}

export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

function validDeviceMode(mode: string): boolean {
  if (mode === '') return false;
  const seen = new Set<string>();
  for (const c of mode) {
    if (!'rwm'.includes(c) || seen.has(c)) return false;
    seen.add(c);
  }
  return true;
}

/** --device /dev/x[:/dev/y][:rwm]. */
export function parseDevice(value: string): DeviceMapping {
  if ((value.match(/:/g) ?? []).length > 2) throw new OptionError(`bad format for path: ${value}`);
  const split = value.split(':');
  if (split[0] === '') throw new OptionError(`bad format for path: ${value}`);
  let containerPath = split[0];
  if (split.length === 2 && !validDeviceMode(split[1])) containerPath = split[1];
  if (split.length === 3) {
    containerPath = split[1];
    if (!validDeviceMode(split[2])) throw new OptionError(`bad mode specified: ${split[2]}`);
  }
  if (!containerPath.startsWith('/')) throw new OptionError(`${containerPath} is not an absolute path`);
  const src = split[0];
  let dst = '';
  let perms = split.length === 3 ? split[2] : 'rwm';
  if (split.length >= 2) {
    if (validDeviceMode(split[1])) perms = split[1];
    else dst = split[1];
  }
  return { PathOnHost: src, PathInContainer: dst || src, CgroupPermissions: perms };
}

/** --device-cgroup-rule 'c 1:3 rwm'. */
export function validateDeviceCgroupRule(value: string): string {
  if (/^[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}$/.test(value)) return value;
  throw new OptionError(`invalid device cgroup format '${value}'`);
}

/** --cap-add/--cap-drop: upper case with the CAP_ prefix; ALL wins; an added cap is not dropped. */
export function effectiveCaps(add: string[], drop: string[]): { capAdd: string[] | null; capDrop: string[] | null } {
  const norm = (c: string) => {
    const u = c.trim().toUpperCase();
    return u === 'ALL' || u === 'RESET' || u.startsWith('CAP_') ? u : `CAP_${u}`;
  };
  let addSet = new Set(add.map(norm));
  let dropSet = new Set(drop.map(norm));
  if (addSet.has('ALL')) addSet = new Set(['ALL']);
  if (dropSet.has('ALL')) dropSet = new Set(['ALL']);
  const capDrop = [...dropSet].filter((c) => !addSet.has(c)).sort();
  const capAdd = [...addSet].sort();
  return { capAdd: capAdd.length ? capAdd : null, capDrop: capDrop.length ? capDrop : null };
}

/** Namespace modes: '', 'host', 'private', 'container:<id>' as each flag allows. */
export function validateNamespaceMode(flag: 'pid' | 'uts' | 'userns' | 'cgroupns' | 'ipc', mode: string): void {
  const parts = mode.split(':');
  let ok: boolean;
  switch (flag) {
    case 'pid':
      ok = mode === '' || mode === 'host' || (parts[0] === 'container' && parts.length === 2 && parts[1] !== '');
      if (!ok) throw new OptionError('--pid: invalid PID mode');
      return;
    case 'uts':
      ok = mode === '' || mode === 'host';
      if (!ok) throw new OptionError('--uts: invalid UTS mode');
      return;
    case 'userns':
      ok = mode === '' || mode === 'host';
      if (!ok) throw new OptionError('--userns: invalid USER mode');
      return;
    case 'cgroupns':
      ok = mode === '' || mode === 'host' || mode === 'private';
      if (!ok) throw new OptionError('--cgroupns: invalid CGROUP mode');
      return;
    default:
      return;
  }
}

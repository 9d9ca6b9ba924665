// HostConfig.SecurityOpt, with Docker's parsing and error texts (moby daemon parseSecurityOpt).
import { invalidParameter, parseGoBool } from '../../common/index.ts';

export interface SecurityOptions {
  noNewPrivileges?: boolean;
  /** '' (daemon default), 'builtin', 'unconfined', or a JSON profile. */
  seccomp: string;
  apparmor?: string;
  labels: string[];
  writableCgroups?: boolean;
}

/** Go's %q for the strings we quote in messages (close enough: JSON's escapes). */
const goQuote = (s: string): string => JSON.stringify(s);

export function parseSecurityOpts(opts: readonly string[] | null | undefined): SecurityOptions {
  const out: SecurityOptions = { seccomp: '', labels: [] };
  for (const opt of opts ?? []) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'disable') {
      out.labels.push('disable');
      continue;
    }
    let sep = -1;
    if (opt.includes('=')) sep = opt.indexOf('=');
    else if (opt.includes(':')) sep = opt.indexOf(':'); // deprecated separator, still accepted
    if (sep < 0) throw invalidParameter(`invalid --security-opt 1: ${goQuote(opt)}`);
    const k = opt.slice(0, sep);
    const v = opt.slice(sep + 1);
    switch (k) {
      case 'label':
        out.labels.push(v);
        break;
      case 'apparmor':
        out.apparmor = v; // no AppArmor support: accepted and ignored
        break;
      case 'seccomp':
        out.seccomp = v;
        break;
      case 'no-new-privileges':
      case 'writable-cgroups': {
        const b = parseGoBool(v);
        if (b === undefined) throw invalidParameter(`invalid --security-opt 2: ${goQuote(opt)}`);
        if (k === 'no-new-privileges') out.noNewPrivileges = b;
        else out.writableCgroups = b;
        break;
      }
      default:
        throw invalidParameter(`invalid --security-opt 2: ${goQuote(opt)}`);
    }
  }
  return out;
}

// HostConfig.SecurityOpt as docker compose v2 builds it (create.go parseSecurityOpts, a copy of
// docker/cli's): `systempaths=unconfined` empties MaskedPaths/ReadonlyPaths instead, `key:value`
// is accepted for `key=value`, and `seccomp=<file>` is sent as the file's compacted JSON.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Project, ServiceConfig } from '../types.ts';
import { ComposeError } from '../errors.ts';

export function parseSecurityOpts(project: Project, service: ServiceConfig): { securityOpt: string[]; unconfined: boolean } {
  let unconfined = false;
  const parsed: string[] = [];
  for (const opt of service.security_opt ?? []) {
    if (opt === 'systempaths=unconfined') {
      unconfined = true;
      continue;
    }
    let i = opt.indexOf('=');
    if (i < 0 && opt !== 'no-new-privileges') {
      i = opt.indexOf(':');
      if (i < 0) throw new ComposeError(`Invalid security-opt: ${JSON.stringify(opt)}`);
    }
    const key = i < 0 ? opt : opt.slice(0, i);
    const value = i < 0 ? '' : opt.slice(i + 1);
    if (key === 'seccomp' && value !== 'unconfined' && value !== 'builtin') {
      const path = isAbsolute(value) ? value : resolve(project.working_dir, value);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        throw new ComposeError(`opening seccomp profile (${value}) failed: ${(e as Error).message}`);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        throw new ComposeError(`compacting json for seccomp profile (${value}) failed: ${(e as Error).message}`);
      }
      parsed.push(`seccomp=${JSON.stringify(json)}`);
    } else parsed.push(opt);
  }
  return { securityOpt: parsed, unconfined };
}

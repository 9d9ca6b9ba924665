// Docker's merge of the image config into the create request's Config (moby daemon/commit.go
// merge + mergeAndVerifyConfig): user settings win, env is merged by key, an explicit
// Entrypoint drops the image's Entrypoint and Cmd, `Entrypoint: [""]` means none. The result
// is what inspect shows and what a stored container passes back without the image.
import { posix } from 'node:path';
import { invalidParameter } from '../../common/index.ts';
import { checkExecStrings } from '../../runtime/index.ts';
import type { ContainerConfig, ImageConfig } from './types.ts';

/** Strings from API bodies and image configs reach execve: no non-strings, no NUL bytes. */
export function checkProcessStrings(c: ContainerConfig | ImageConfig): void {
  checkExecStrings(c.Entrypoint, 'Entrypoint');
  checkExecStrings(c.Cmd, 'Cmd');
  checkExecStrings(c.Env, 'Env');
}

const envKey = (e: string) => {
  const i = e.indexOf('=');
  return i < 0 ? e : e.slice(0, i);
};

/** User env first, then the image env entries whose key the user did not set. */
function mergeEnvLists(user: readonly string[], image: readonly string[]): string[] {
  const keys = new Set(user.map(envKey));
  return [...user, ...image.filter((e) => !keys.has(envKey(e)))];
}

export function cleanPath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

export function mergeImageConfig(image: ImageConfig | null | undefined, config: ContainerConfig): ContainerConfig {
  for (const c of [config, image ?? {}]) checkProcessStrings(c);
  const out: ContainerConfig = { ...config };
  if (image) {
    if (!out.User) out.User = image.User ?? '';
    out.Env = mergeEnvLists(config.Env ?? [], image.Env ?? []);
    if (!out.Entrypoint || out.Entrypoint.length === 0) {
      if (!out.Cmd || out.Cmd.length === 0) out.Cmd = image.Cmd ? [...image.Cmd] : image.Cmd;
      if (out.Entrypoint === undefined || out.Entrypoint === null) {
        out.Entrypoint = image.Entrypoint ? [...image.Entrypoint] : image.Entrypoint;
      }
    }
    if (!out.WorkingDir) out.WorkingDir = image.WorkingDir ?? '';
    if (!out.StopSignal && image.StopSignal) out.StopSignal = image.StopSignal;
  }
  if (out.Entrypoint && out.Entrypoint.length === 1 && out.Entrypoint[0] === '') out.Entrypoint = null;
  if ((out.Entrypoint?.length ?? 0) === 0 && (out.Cmd?.length ?? 0) === 0) {
    throw invalidParameter('no command specified');
  }
  if (out.WorkingDir) {
    if (!out.WorkingDir.startsWith('/')) {
      throw invalidParameter(`the working directory '${out.WorkingDir}' is invalid, it needs to be an absolute path`);
    }
    out.WorkingDir = cleanPath(out.WorkingDir);
  }
  return out;
}

/** The process args: Entrypoint + Cmd of a merged config. */
export function commandOf(config: ContainerConfig): string[] {
  const args = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (args.length === 0) throw invalidParameter('no command specified');
  return args;
}

// Small Config fields docker compose v2 derives from the service (convert.go ToMobyEnv, ToSeconds;
// api.GetImageNameOrDefault; compose-go HostsList.AsList).
import type { Project, ServiceConfig } from '../types.ts';
import { ComposeError } from '../errors.ts';
import { parseGoDuration } from './duration.ts';

/**
 * `KEY=value`, or `KEY` alone for a variable without value (the daemon leaves it unset). docker
 * compose walks a Go map (random order); sorted by key here so the body is stable.
 */
export function envList(env: Record<string, string | null> | undefined): string[] | undefined {
  if (!env) return undefined;
  const keys = Object.keys(env).sort();
  if (!keys.length) return undefined;
  return keys.map((k) => (env[k] === null || env[k] === undefined ? k : `${k}=${env[k]}`));
}

/** stop_grace_period in whole seconds (truncated), as Config.StopTimeout. */
export function stopTimeoutSeconds(service: ServiceConfig): number | undefined {
  if (service.stop_grace_period === undefined) return undefined;
  try {
    return Math.trunc(parseGoDuration(service.stop_grace_period) / 1e9);
  } catch {
    throw new ComposeError(`service "${service.name}": stop_grace_period: invalid duration "${service.stop_grace_period}"`);
  }
}

/** The service's image, or `<project>-<service>` for a build without image (docker compose v2). */
export function imageName(project: Project, service: ServiceConfig): string {
  if (service.image) return service.image;
  return `${project.name}-${service.name}`;
}

/** extra_hosts as `host:ip` (an entry written `host=ip` is turned round to that form). */
export function extraHostsList(hosts: string[] | undefined): string[] | undefined {
  return hosts?.map((h) => {
    const eq = h.indexOf('=');
    return eq > 0 ? `${h.slice(0, eq)}:${h.slice(eq + 1)}` : h;
  });
}

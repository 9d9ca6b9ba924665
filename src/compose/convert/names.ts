// Container names as docker compose v2 gives them (convergence.go getContainerName, run.go).
import { randomBytes } from 'node:crypto';

/** `<project>-<service>-<number>` (api.Separator is '-'). */
export function defaultContainerName(project: string, service: string, number: number): string {
  return [project, service, String(number)].join('-');
}

/** A one-off's name: `<project>-<service>-run-<first 12 hex of the slug>`. */
export function oneOffContainerName(project: string, service: string, slug: string): string {
  return [project, service, 'run', slug.slice(0, 12)].join('-');
}

/** The temporary name of a replacement container: `<replaced id[:12]>_<name>` (recreateContainer). */
export function replacementName(replacedId: string, name: string): string {
  return `${replacedId.slice(0, 12)}_${name}`;
}

/** stringid.GenerateRandomID: 64 hex digits. */
export function randomSlug(): string {
  for (;;) {
    const id = randomBytes(32).toString('hex');
    // As stringid.GenerateRandomID: a short ID that is all digits would read as a number.
    if (!/^\d+$/.test(id.slice(0, 12))) return id;
  }
}

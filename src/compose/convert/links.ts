// HostConfig.Links as docker compose v2 builds them (convergence.go getLinks, after v1's
// Service._get_links): for `links: [db:database]`, every container of `db` is linked as
// `database`, as `db-<n>` and as `<project>-db-<n>` (n is this container's number, as compose
// does); `external_links` as `name:alias`.
import type { ServiceConfig } from '../types.ts';
import { ComposeError } from '../errors.ts';

export function serviceLinks(
  project: string,
  service: ServiceConfig,
  number: number,
  containerNames: ((service: string) => string[]) | undefined,
  known: Record<string, unknown>,
): string[] {
  const links: string[] = [];
  for (const raw of service.links ?? []) {
    const [linked, alias] = raw.split(':');
    if (!(linked in known)) throw new ComposeError(`service "${service.name}" refers to undefined service ${linked} in links: invalid compose project`);
    const linkName = alias ?? linked;
    for (const name of containerNames?.(linked) ?? []) {
      links.push(`${name}:${linkName}`, `${name}:${linked}-${number}`, `${name}:${project}-${linked}-${number}`);
    }
  }
  for (const raw of service.external_links ?? []) {
    const [external, alias] = raw.split(':');
    links.push(`${external}:${alias ?? external}`);
  }
  return links;
}

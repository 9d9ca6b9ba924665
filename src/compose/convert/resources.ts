// The project's networks and volumes as Engine API create bodies, with compose's labels, and the
// checks of an existing one docker compose v2 makes before it uses it (create.go
// prepareNetworks, resolveOrCreateNetwork, ensureProjectVolumes, ensureVolume, createVolume).
// Owned by the convert part (cmp-convert).
import type { Project } from '../types.ts';
import { ComposeError } from '../errors.ts';
import { LABEL, COMPOSE_VERSION } from '../labels.ts';

/** POST /networks/create body for the project's network `key` (not external). */
export function networkCreateBody(project: Project, key: string): Record<string, unknown> {
  const n = project.networks[key];
  if (!n) throw new ComposeError(`network ${key} is not defined in project ${project.name}`);
  if (n.external) throw new ComposeError(`network ${n.name} is external: it is not created by compose`);
  const body: Record<string, unknown> = {
    Name: n.name,
    Labels: { ...(n.labels ?? {}), [LABEL.network]: key, [LABEL.project]: project.name, [LABEL.version]: COMPOSE_VERSION },
  };
  if (n.driver) body.Driver = n.driver;
  if (n.driver_opts && Object.keys(n.driver_opts).length) body.Options = n.driver_opts;
  if (n.internal) body.Internal = true;
  if (n.attachable) body.Attachable = true;
  if (n.enable_ipv6 !== undefined) body.EnableIPv6 = n.enable_ipv6;
  if (n.enable_ipv4 !== undefined) body.EnableIPv4 = n.enable_ipv4;
  // IPAM only when the file sets a driver or a pool (docker compose's createOpts.IPAM).
  if (n.ipam && (n.ipam.driver || n.ipam.config?.length)) {
    const ipam: Record<string, unknown> = {};
    if (n.ipam.driver) ipam.Driver = n.ipam.driver;
    if (n.ipam.config?.length) {
      ipam.Config = n.ipam.config.map((c) => {
        const pool: Record<string, unknown> = {};
        if (c.subnet) pool.Subnet = c.subnet;
        if (c.ip_range) pool.IPRange = c.ip_range;
        if (c.gateway) pool.Gateway = c.gateway;
        if (c.aux_addresses && Object.keys(c.aux_addresses).length) pool.AuxiliaryAddresses = c.aux_addresses;
        return pool;
      });
    }
    if (n.ipam.options && Object.keys(n.ipam.options).length) ipam.Options = n.ipam.options;
    body.IPAM = ipam;
  }
  return body;
}

/** POST /volumes/create body for the project's volume `key` (not external). */
export function volumeCreateBody(project: Project, key: string): Record<string, unknown> {
  const v = project.volumes[key];
  if (!v) throw new ComposeError(`volume ${key} is not defined in project ${project.name}`);
  if (v.external) throw new ComposeError(`volume ${v.name} is external: it is not created by compose`);
  const body: Record<string, unknown> = {
    Name: v.name,
    Labels: { ...(v.labels ?? {}), [LABEL.volume]: key, [LABEL.project]: project.name, [LABEL.version]: COMPOSE_VERSION },
  };
  if (v.driver) body.Driver = v.driver;
  if (v.driver_opts && Object.keys(v.driver_opts).length) body.DriverOpts = v.driver_opts;
  return body;
}

/** What GET /networks/{name} or /volumes/{name} answered (the fields the checks read). */
export interface ExistingResource {
  Name: string;
  Id?: string;
  Labels?: Record<string, string> | null;
}

/**
 * The project's network `key` exists (found by its engine name): docker compose uses it, with a
 * warning when it was not made by compose or for this project, and refuses it when its
 * com.docker.compose.network label names another network. Returns the warnings; throws the refusal.
 */
export function checkExistingNetwork(project: Project, key: string, found: ExistingResource): string[] {
  const n = project.networks[key];
  const name = n?.name ?? key;
  const labels = found.Labels ?? {};
  const warnings: string[] = [];
  const p = labels[LABEL.project];
  if (p === undefined) {
    warnings.push(`a network with name ${name} exists but was not created by compose.\nSet \`external: true\` to use an existing network`);
  } else if (p !== project.name) {
    warnings.push(`a network with name ${name} exists but was not created for project ${JSON.stringify(project.name)}.\nSet \`external: true\` to use an existing network`);
  }
  if ((labels[LABEL.network] ?? '') !== key) {
    throw new ComposeError(`network ${name} was found but has incorrect label ${LABEL.network} set to ${JSON.stringify(labels[LABEL.network] ?? '')}`);
  }
  return warnings;
}

/**
 * The project's volume `key` exists: docker compose uses it, with a warning when it was not made
 * by compose or was made for another project. Returns the warnings.
 */
export function checkExistingVolume(project: Project, key: string, found: ExistingResource): string[] {
  const name = project.volumes[key]?.name ?? key;
  const p = (found.Labels ?? {})[LABEL.project];
  if (p === undefined) {
    return [`volume ${JSON.stringify(name)} already exists but was not created by Docker Compose. Use \`external: true\` to use an existing volume`];
  }
  if (p !== project.name) {
    return [`volume ${JSON.stringify(name)} already exists but was created for project ${JSON.stringify(p)} (expected ${JSON.stringify(project.name)}). Use \`external: true\` to use an existing volume`];
  }
  return [];
}

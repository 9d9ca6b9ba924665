// Legacy container links (`--link name[:alias]`) as dockerd has them (moby daemon/links.go,
// daemon/links/links.go, opts.ParseLink): on the default bridge a link gives the linking
// container (the parent) Docker's environment variables and /etc/hosts lines for the linked one
// (the child), and the child a second name `/parent/alias`. On a user-defined network a link is
// only a DNS alias private to the parent (EndpointSettings.Links, answered by dns-names.ts).
// The parent's record keeps the resolved links (child ID + link name), so they survive renames
// of the child and daemon restarts; HostConfig.Links is what the client sent.
import { conflict, invalidParameter, notFound, systemError } from '../../common/index.ts';
import { PREDEFINED } from '../../network/index.ts';
import { ensureSettings, isContainerMode } from './networking.ts';
import { settingsOf, type DeepReadonly } from './view.ts';
import type { ContainerRecord, HostConfig, LinkRecord } from './record.ts';
import type { ContainerStore } from './store.ts';
import type { Container } from './container.ts';

/** opts.ParseLink: "name", "name:alias", or the stored form "/name:/parent/alias". */
export function parseLink(val: string): [name: string, alias: string] {
  if (val === '') throw invalidParameter('empty string specified for links');
  const arr = val.split(':');
  if (arr.length > 2) throw invalidParameter(`bad format for links: ${val}`);
  if (arr.length === 1) return [val, val];
  if (arr[0].startsWith('/')) return [arr[0].slice(1), arr[1].slice(arr[1].lastIndexOf('/') + 1)];
  return [arr[0], arr[1]];
}

/** path.Join(parent.Name, alias), as Docker names a link. */
function linkName(parentName: string, alias: string): string {
  const parts: string[] = [];
  for (const p of `${parentName}/${alias}`.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

/** A network mode that names a user-defined network (links there are DNS aliases). */
function isUserDefinedMode(mode: string): boolean {
  return !PREDEFINED.has(mode) && !isContainerMode(mode);
}

const HOST_AND_LINKS = "conflicting options: host type networking can't be used with links. This would result in undefined behavior";

/**
 * At create (moby registerLinks): each HostConfig.Links entry resolved to an existing container.
 * Returns the links to keep in the parent's record; the caller reserves their names.
 */
export function resolveLinks(store: ContainerStore, parentName: string, hostConfig: HostConfig): LinkRecord[] {
  const links = (hostConfig.Links as string[] | null | undefined) ?? [];
  if (!Array.isArray(links) || !links.every((l) => typeof l === 'string')) throw invalidParameter('json: cannot unmarshal into Go struct field HostConfig.Links of type []string');
  if (!links.length) return [];
  const mode = hostConfig.NetworkMode || 'default';
  if (mode === 'host') throw invalidParameter(HOST_AND_LINKS);
  if (isContainerMode(mode)) throw invalidParameter("conflicting options: container type network can't be used with links. This would result in undefined behavior");
  if (isUserDefinedMode(mode)) {
    for (const l of links) parseLink(l);
    return [];
  }
  const out: LinkRecord[] = [];
  for (const l of links) {
    const [name, alias] = parseLink(l);
    // The alias becomes a container name "/parent/alias" and an /etc/hosts name: no path
    // components (path.Join would make "../x" a top-level name) and no control characters.
    if (!alias || alias === '.' || alias === '..' || alias.includes('/') || /[\x00-\x1f\x7f]/.test(alias)) throw invalidParameter(`invalid link alias: ${JSON.stringify(alias)}`);
    let child = store.find(name);
    if (!child) throw invalidParameter(`could not get container for ${name}: No such container: ${name}`);
    for (let hops = 0; isContainerMode(child.hostConfig.NetworkMode ?? undefined) && hops < 16; hops++) {
      const id = child.hostConfig.NetworkMode!.slice('container:'.length);
      const next = store.find(id);
      if (!next) throw invalidParameter(`could not get container for ${id}: No such container: ${id}`);
      child = next;
    }
    if (child.hostConfig.NetworkMode === 'host') throw invalidParameter(HOST_AND_LINKS);
    const full = linkName(parentName, alias);
    const same = out.find((r) => r.Name === full);
    if (same && same.ID !== child.rec.ID) {
      throw conflict(`Conflict. The container name "${full}" is already in use by container "${same.ID}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    if (!same) out.push({ ID: child.rec.ID, Name: full });
  }
  return out;
}

/** The links of a parent whose child still exists. */
function liveLinks(store: ContainerStore, rec: DeepReadonly<ContainerRecord>): Array<{ link: DeepReadonly<LinkRecord>; child: Container }> {
  const out: Array<{ link: DeepReadonly<LinkRecord>; child: Container }> = [];
  for (const link of rec.Links ?? []) {
    const child = store.find(link.ID);
    if (child && child.rec.ID === link.ID) out.push({ link, child });
  }
  return out;
}

/** HostConfig.Links for inspect: the links in force, as "/child:/parent/alias" (null when none). */
export function inspectLinks(store: ContainerStore, rec: DeepReadonly<ContainerRecord>): string[] | null {
  const links = liveLinks(store, rec).map(({ link, child }) => `${child.rec.Name}:${link.Name}`);
  return links.length ? links : null;
}

function bridgeIp(rec: DeepReadonly<ContainerRecord>): string | undefined {
  return settingsOf(rec).Networks.bridge?.IPAddress || undefined;
}

/**
 * At start (moby setupLinkedContainers): the environment a parent on the default bridge gets
 * for its links. Every child must be running and on the default bridge.
 */
export function linkEnvironment(store: ContainerStore, rec: ContainerRecord): string[] {
  if (!ensureSettings(rec).Networks.bridge) return [];
  const links = liveLinks(store, rec);
  // moby checks this when it builds the sandbox, before the environment.
  for (const { child } of links) {
    if (!settingsOf(child.rec).Networks.bridge) throw systemError(`Cannot link to ${child.rec.Name}, as it does not belong to the default network`);
  }
  const env: string[] = [];
  for (const { link, child } of links) {
    if (!child.state.running) throw systemError(`Cannot link to a non running container: ${child.rec.Name} AS ${link.Name}`);
    const ip = bridgeIp(child.rec);
    if (!ip) throw systemError(`container ${child.rec.ID} not attached to default bridge network`);
    env.push(...linkEnvVars(ip, link.Name, child.rec.Config.Env ?? [], Object.keys(child.rec.Config.ExposedPorts ?? {})));
  }
  return env;
}

/** The /etc/hosts lines of a parent's links: [ip, "alias hostname name"] (moby buildSandboxOptions). */
export function linkHosts(store: ContainerStore, rec: DeepReadonly<ContainerRecord>): Array<[string, string]> {
  if (!settingsOf(rec).Networks.bridge) return [];
  const out: Array<[string, string]> = [];
  for (const { link, child } of liveLinks(store, rec)) {
    const ip = bridgeIp(child.rec);
    if (!ip) continue;
    const alias = link.Name.slice(link.Name.lastIndexOf('/') + 1);
    let names = `${alias} ${child.rec.Config.Hostname}`;
    if (alias !== child.rec.Name.slice(1)) names += ` ${child.rec.Name.slice(1)}`;
    out.push([ip, names]);
  }
  return out;
}

/** The running parents that link to `childId` (their /etc/hosts follow the child's address). */
export function parentsOf(store: ContainerStore, childId: string): Container[] {
  return store.all().filter((p) => (p.rec.Links ?? []).some((l) => l.ID === childId));
}

interface Port {
  num: number;
  proto: string;
}

/** "80/tcp" → {80, tcp}; a bare number is tcp. Keys that do not parse are skipped. */
function parsePort(key: string): Port | undefined {
  const [num, proto = 'tcp'] = key.split('/', 2);
  const n = Number(num);
  if (!Number.isInteger(n) || n < 0 || n > 65535 || !/^\d+$/.test(num)) return undefined;
  return { num: n, proto: proto.toLowerCase() };
}

/** Docker's withTCPPriority: tcp first, then by protocol name; by number within a protocol. */
function comparePorts(a: Port, b: Port): number {
  if (a.proto === b.proto) return a.num - b.num;
  if (a.proto === 'tcp') return -1;
  if (b.proto === 'tcp') return 1;
  return a.proto < b.proto ? -1 : 1;
}

/**
 * links.Link.ToEnv: ALIAS_PORT for the first port, ALIAS_PORT_<n>_<PROTO>{,_ADDR,_PORT,_PROTO}
 * for each, _START/_PORT_START/_END/_PORT_END for runs of consecutive ports, ALIAS_NAME, and
 * ALIAS_ENV_<VAR> for the child's environment (without HOME and PATH).
 */
export function linkEnvVars(childIp: string, name: string, childEnv: readonly string[], exposedPorts: readonly string[]): string[] {
  const alias = name.slice(name.lastIndexOf('/') + 1).toUpperCase().replaceAll('-', '_');
  const ports = exposedPorts.map(parsePort).filter((p): p is Port => p !== undefined).sort(comparePorts);
  const env: string[] = [];
  let start: Port | undefined;
  let end: Port | undefined;
  ports.forEach((p, i) => {
    if (i === 0) {
      start = end = p;
      env.push(`${alias}_PORT=${p.proto}://${childIp}:${p.num}`);
    }
    const prefix = `${alias}_PORT_${p.num}_${p.proto.toUpperCase()}`;
    env.push(`${prefix}=${p.proto}://${childIp}:${p.num}`, `${prefix}_ADDR=${childIp}`, `${prefix}_PORT=${p.num}`, `${prefix}_PROTO=${p.proto}`);
    if (p.num === end!.num + 1 && p.proto === end!.proto) {
      end = p;
      if (i < ports.length - 1) return;
    }
    if (end !== start) {
      const s = start!;
      const e = end!;
      const rp = `${alias}_PORT_${s.num}_${s.proto.toUpperCase()}`;
      env.push(`${rp}_START=${s.proto}://${childIp}:${s.num}`, `${rp}_PORT_START=${s.num}`, `${rp}_END=${e.proto}://${childIp}:${e.num}`, `${rp}_PORT_END=${e.num}`);
    }
    start = end = p;
  });
  env.push(`${alias}_NAME=${name}`);
  for (const v of childEnv) {
    const eq = v.indexOf('=');
    if (eq < 0) continue;
    const key = v.slice(0, eq);
    if (key === 'HOME' || key === 'PATH') continue;
    env.push(`${alias}_ENV_${key}=${v.slice(eq + 1)}`);
  }
  return env;
}

/**
 * DELETE /containers/{name}?link=1 (moby rmLink): `name` is a link name "/parent/alias"; the
 * child loses that name and the parent the link. Returns the parent, if it still exists.
 */
export function unlink(store: ContainerStore, name: string): Container | undefined {
  const full = name.startsWith('/') ? name : `/${name}`;
  if (!store.find(full)) throw notFound(`No such container: ${name}`);
  const slash = full.lastIndexOf('/');
  if (slash === 0) throw systemError('Conflict, cannot remove the default link name of the container');
  const parentName = full.slice(0, slash);
  const parent = store.find(parentName);
  if (!parent || parent.rec.Name !== parentName) throw systemError(`Cannot get parent ${parentName} for link name ${full}`);
  store.releaseName(full);
  parent.rec.Links = (parent.rec.Links ?? []).filter((l) => l.Name !== full);
  return parent;
}

/** The record with the links' variables before Config.Env (Docker's order; Config.Env wins). */
export function withLinkEnv(rec: ContainerRecord, linkEnv: string[]): ContainerRecord {
  return linkEnv.length ? { ...rec, Config: { ...rec.Config, Env: [...linkEnv, ...(rec.Config.Env ?? [])] } } : rec;
}

/** For an exec: the running container's link variables, as at its start (none if a linked container went away). */
export function execRecord(store: ContainerStore, rec: ContainerRecord): ContainerRecord {
  try {
    return withLinkEnv(rec, linkEnvironment(store, rec));
  } catch {
    return rec;
  }
}

/** docker rename of a parent (moby rename.go): its links' names move to the new name. */
export function renameLinks(store: ContainerStore, rec: ContainerRecord, newName: string): () => void {
  const moved: Array<{ link: LinkRecord; old: string }> = [];
  try {
    for (const link of rec.Links ?? []) {
      const name = linkName(newName, link.Name.slice(link.Name.lastIndexOf('/') + 1));
      store.reserveName(name, link.ID);
      moved.push({ link, old: link.Name });
      link.Name = name;
    }
  } catch (err) {
    for (const { link, old } of moved) {
      store.releaseName(link.Name);
      link.Name = old;
    }
    throw err;
  }
  /** After the record is saved: the old names are freed. */
  return () => {
    for (const { old } of moved) store.releaseName(old);
  };
}

/** Containers ordered so that linked containers start before those linking to them (moby restartContainers). */
export function childrenFirst<T extends { rec: DeepReadonly<ContainerRecord> }>(containers: readonly T[]): T[] {
  const byId = new Map(containers.map((c) => [c.rec.ID, c]));
  const out: T[] = [];
  const seen = new Set<string>();
  const visit = (c: T) => {
    if (seen.has(c.rec.ID)) return;
    seen.add(c.rec.ID);
    for (const link of c.rec.Links ?? []) {
      const child = byId.get(link.ID);
      if (child) visit(child);
    }
    out.push(c);
  };
  for (const c of containers) visit(c);
  return out;
}

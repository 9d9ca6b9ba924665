// GET /containers/json selection as Docker does it (moby daemon/list.go): accepted filter keys,
// value validation with Docker's messages, newest-first order, all/limit, before/since by
// creation order.
import { invalidParameter, notFound } from '../../common/index.ts';
import { matchKVList } from '../events.ts';

export type ContainerStatus = 'created' | 'restarting' | 'running' | 'removing' | 'paused' | 'exited' | 'dead';

export interface ContainerView {
  id: string;
  /** Primary name, with or without the leading "/". */
  name: string;
  /** Every name of the container (link aliases too); defaults to [name]. */
  names?: string[];
  /** Creation time, ns since the epoch. */
  created: bigint;
  imageId: string;
  image: string;
  status: ContainerStatus;
  exitCode: number;
  labels: Record<string, string>;
  /** "starting" | "healthy" | "unhealthy"; absent or "none" without a healthcheck. */
  health?: string;
  /** Whether it ever started; defaults to status !== 'created' (Docker: StartedAt non-zero). */
  everStarted?: boolean;
  mounts?: { name?: string; source: string; destination: string }[];
  networks?: { name: string; id: string }[];
  ports?: { privatePort: number; publicPort?: number; type: string }[];
  /** Swarm task container; berth has no swarm, so normally false. */
  isTask?: boolean;
}

export interface FilterContainersOptions {
  all: boolean;
  limit: number;
  resolveContainer(ref: string): ContainerView | undefined;
  resolveImage(ref: string): string | undefined;
  /** Direct children of an image, so that `ancestor` also matches descendants (optional). */
  imageChildren?(imageId: string): string[];
}

export const containerListFilterKeys: readonly string[] = [
  'ancestor', 'before', 'expose', 'exited', 'health', 'id', 'isolation', 'is-task', 'label', 'name',
  'network', 'publish', 'since', 'status', 'volume',
];

const VALID_STATES = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);
const VALID_HEALTH = new Set(['starting', 'healthy', 'unhealthy', 'none']);
const RUNNING_STATES = new Set<ContainerStatus>(['running', 'paused', 'restarting']);
/** Bounds user-supplied regexps and port ranges. */
const MAX_PATTERN_LENGTH = 1024;
const MAX_PORTS_PER_FILTER = 65536;

/** Go's strconv.Atoi, with its error text. */
function atoi(value: string): number {
  if (!/^[+-]?\d+$/.test(value)) throw invalidParameter(`strconv.Atoi: parsing ${JSON.stringify(value)}: invalid syntax`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw invalidParameter(`strconv.Atoi: parsing ${JSON.stringify(value)}: value out of range`);
  return n;
}

/** Args.Match: exact, or the value as an (unanchored) regexp; bad regexps never match. */
function regexpMatch(values: string[], source: string): boolean {
  for (const v of values) {
    if (v === source) return true;
    if (v.length > MAX_PATTERN_LENGTH) continue;
    try {
      if (new RegExp(v).test(source)) return true;
    } catch {
      // Docker skips values that do not compile
    }
  }
  return false;
}

/** "80", "80/udp", "8000-8080/tcp" → set of "port/proto" (moby portOp). */
function parsePortFilter(key: string, value: string, into: Set<string>): void {
  if (value.includes(':')) throw invalidParameter(`filter for '${key}' should not contain ':': ${value}`);
  const slash = value.indexOf('/');
  const port = slash === -1 ? value : value.slice(0, slash);
  const proto = (slash === -1 ? 'tcp' : value.slice(slash + 1)).toLowerCase() || 'tcp';
  const m = /^(\d+)(?:-(\d+))?$/.exec(port);
  const start = m ? Number(m[1]) : NaN;
  const end = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || start > 65535 || end > 65535 || end < start) {
    throw invalidParameter(`error while looking up for ${key} ${value}: invalid port range: ${port}`);
  }
  if (end - start + 1 > MAX_PORTS_PER_FILTER) throw invalidParameter(`error while looking up for ${key} ${value}: range too large`);
  for (let p = start; p <= end; p++) into.add(`${p}/${proto}`);
}

function byCreatedDescending(a: ContainerView, b: ContainerView): number {
  return a.created === b.created ? 0 : a.created > b.created ? -1 : 1;
}

function resolveRef(ref: string, opts: FilterContainersOptions): ContainerView {
  const c = opts.resolveContainer(ref);
  if (!c) throw notFound(`No such container: ${ref}`);
  return c;
}

/** Throws on keys /containers/json does not accept (`invalid filter 'key'`). */
function validateContainerListFilters(filters: Map<string, string[]>): void {
  for (const key of filters.keys()) {
    if (!containerListFilterKeys.includes(key)) throw invalidParameter(`invalid filter '${key}'`);
  }
}

/**
 * Docker's container list: validates the filters, then returns the matching containers newest
 * first. Stopped containers are included only with `all`, a `status` filter, or a limit > 0.
 */
export function filterContainers(
  list: ContainerView[],
  filters: Map<string, string[]>,
  opts: FilterContainersOptions,
): ContainerView[] {
  validateContainerListFilters(filters);
  const get = (k: string) => filters.get(k) ?? [];

  const exitAllowed = get('exited').map(atoi);
  let all = opts.all;
  for (const s of get('status')) {
    if (!VALID_STATES.has(s)) throw invalidParameter(`invalid filter 'status=${s}'`);
    all = true;
  }
  let isTask: boolean | undefined;
  if (filters.has('is-task')) {
    const v = get('is-task');
    if (v.includes('true')) isTask = true;
    else if (v.includes('false')) isTask = false;
    else throw invalidParameter(`invalid filter 'is-task=[${v.join(' ')}]'`);
  }
  for (const h of get('health')) {
    if (!VALID_HEALTH.has(h)) throw invalidParameter(`Unrecognised filter value for health: ${h}`);
  }
  // Several before/since values: Docker keeps whichever it walks last.
  const beforeRefs = get('before');
  const sinceRefs = get('since');
  const before = beforeRefs.length ? resolveRef(beforeRefs[beforeRefs.length - 1], opts) : undefined;
  const since = sinceRefs.length ? resolveRef(sinceRefs[sinceRefs.length - 1], opts) : undefined;

  let images: Set<string> | undefined;
  if (filters.has('ancestor')) {
    images = new Set();
    for (const ref of get('ancestor')) {
      const id = opts.resolveImage(ref);
      if (id !== undefined) addWithDescendants(images, id, opts.imageChildren);
    }
  }
  const publish = new Set<string>();
  for (const v of get('publish')) parsePortFilter('publish', v, publish);
  const expose = new Set<string>();
  for (const v of get('expose')) parsePortFilter('expose', v, expose);

  const names = get('name');
  const ids = get('id');
  const labels = get('label');
  const statuses = get('status');
  const healths = get('health');
  const volumes = get('volume');
  const networks = get('network');

  const out: ContainerView[] = [];
  for (const c of [...list].sort(byCreatedDescending)) {
    if (opts.limit > 0 && out.length >= opts.limit) break;
    // Docker walks the newest-first list; before/since are positions in it, i.e. creation order.
    if (before && !(c.created < before.created)) continue;
    if (since && !(c.created > since.created)) continue;

    const running = RUNNING_STATES.has(c.status);
    if (!running && !all && opts.limit <= 0) continue;

    if (names.length) {
      const cNames = c.names?.length ? c.names : [c.name];
      const hit = cNames.some((n) => regexpMatch(names, n) || regexpMatch(names, n.replace(/^\//, '')));
      if (!hit) continue;
    }
    if (ids.length && !ids.some((p) => p !== '' && c.id.startsWith(p))) continue;
    if (isTask !== undefined && isTask !== Boolean(c.isTask)) continue;
    if (!matchKVList(labels, c.labels ?? {})) continue;

    if (exitAllowed.length) {
      const started = c.everStarted ?? c.status !== 'created';
      if (running || !started || !exitAllowed.includes(c.exitCode)) continue;
    }
    if (statuses.length && !statuses.includes(c.status)) continue;
    if (healths.length && !healths.includes(c.health || 'none')) continue;

    if (volumes.length) {
      const mounts = c.mounts ?? [];
      const hit = volumes.some((v) => mounts.some((m) => m.destination === v || (m.name ? m.name === v : m.source === v)));
      if (!hit) continue;
    }
    if (images && !images.has(c.imageId)) continue;
    if (networks.length) {
      const nets = c.networks ?? [];
      const hit = networks.some((v) => nets.some((n) => n.name === v || (v !== '' && n.id.startsWith(v))));
      if (!hit) continue;
    }
    if (publish.size || expose.size) {
      const ports = c.ports ?? [];
      const hit = ports.some((p) => publish.has(`${p.publicPort ?? 0}/${p.type}`) || expose.has(`${p.privatePort}/${p.type}`));
      if (!hit) continue;
    }
    out.push(c);
  }
  return out;
}

function addWithDescendants(set: Set<string>, id: string, children?: (id: string) => string[]): void {
  const stack = [id];
  while (stack.length) {
    const cur = stack.pop()!;
    if (set.has(cur)) continue;
    set.add(cur);
    if (children) stack.push(...children(cur));
  }
}

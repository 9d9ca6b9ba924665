// Short syntaxes expanded to the long forms of the model (compose-go transform/ and the types'
// decoders), per service, before files are merged: ports, volumes, environment, labels,
// depends_on, networks, build, secrets/configs, env_file, extra_hosts, command/entrypoint,
// healthcheck, devices, ulimits, byte sizes. Paths are left as written (see paths.ts).
import { ComposeError } from '../errors.ts';
import { canonicalDuration } from './duration.ts';
import { parsePortSpec } from './ports.ts';
import { shellSplit } from './shell-split.ts';
import { toBytes } from './units.ts';
import { parseVolumeSpec } from './volume-spec.ts';
import { Tagged } from './yaml-file.ts';

type Dict = Record<string, unknown>;

const isDict = (v: unknown): v is Dict => !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Tagged);

/** A scalar as the string compose-go's mapping types hold (numbers and booleans as Go prints them). */
function scalarString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  return String(v);
}

/** `[K=V, K]` or `{K: V}` as a map; `K` alone (or a null value) is null when `nullable`, else ''. */
function toMapping(v: unknown, sep: string, nullable: boolean): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = scalarString(item);
      const i = s.indexOf(sep);
      if (i < 0) out[s] = nullable ? null : '';
      else out[s.slice(0, i)] = s.slice(i + 1);
    }
  } else if (isDict(v)) {
    for (const [k, val] of Object.entries(v)) out[k] = val === null || val === undefined ? (nullable ? null : '') : scalarString(val);
  }
  return out;
}

/** A value still holding a variable (`config --no-interpolate`): kept as written. */
const uninterpolated = (v: unknown): boolean => typeof v === 'string' && v.includes('$');

const toList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** Applies `fn` unless the value is tagged (`!reset` / `!override` keep their wrapper for the merge). */
function mapTagged(v: unknown, fn: (x: unknown) => unknown): unknown {
  if (v instanceof Tagged) return new Tagged(v.tag, v.tag === '!reset' ? v.value : fn(v.value));
  return fn(v);
}

function ports(v: unknown, svc: string): unknown {
  const out: unknown[] = [];
  for (const p of toList(v)) {
    if (uninterpolated(p)) out.push(p);
    else if (typeof p === 'string' || typeof p === 'number') {
      try {
        out.push(...parsePortSpec(String(p)));
      } catch (err) {
        throw new ComposeError(`services.${svc}.ports: ${(err as Error).message}`);
      }
    } else if (isDict(p)) {
      const q: Dict = { ...p };
      q.mode ??= 'ingress';
      q.protocol ??= 'tcp';
      if (q.published !== undefined && q.published !== null) q.published = scalarString(q.published);
      if (typeof q.target === 'string') q.target = Number(q.target);
      out.push(q);
    }
  }
  return out;
}

function volumes(v: unknown, svc: string): unknown {
  return toList(v).map((item) => {
    if (typeof item === 'string') {
      try {
        return parseVolumeSpec(item);
      } catch (err) {
        throw new ComposeError(`services.${svc}.volumes: ${(err as Error).message}`);
      }
    }
    if (!isDict(item)) return item;
    const out: Dict = { ...item };
    if (isDict(out.bind) && out.bind.create_host_path === undefined) out.bind = { ...out.bind, create_host_path: true };
    if (isDict(out.tmpfs) && out.tmpfs.size !== undefined) out.tmpfs = { ...out.tmpfs, size: toBytes(out.tmpfs.size, `services.${svc}.volumes.tmpfs.size`) };
    if (isDict(out.tmpfs) && typeof out.tmpfs.mode === 'string') out.tmpfs = { ...out.tmpfs, mode: parseInt(out.tmpfs.mode, 8) };
    return out;
  });
}

function dependsOn(v: unknown): unknown {
  const out: Dict = {};
  if (Array.isArray(v)) {
    for (const name of v) out[scalarString(name)] = { condition: 'service_started', required: true };
  } else if (isDict(v)) {
    for (const [name, cfg] of Object.entries(v)) {
      const c: Dict = isDict(cfg) ? { ...cfg } : {};
      c.condition ??= 'service_started';
      c.required ??= true;
      out[name] = c;
    }
  }
  return out;
}

function networks(v: unknown): unknown {
  if (Array.isArray(v)) return Object.fromEntries(v.map((n) => [scalarString(n), null]));
  if (!isDict(v)) return v;
  const out: Dict = {};
  for (const [k, cfg] of Object.entries(v)) {
    if (!isDict(cfg)) {
      out[k] = null;
      continue;
    }
    const c: Dict = { ...cfg };
    if (c.driver_opts) c.driver_opts = toMapping(c.driver_opts, '=', false);
    out[k] = c;
  }
  return out;
}

function fileRefs(v: unknown): unknown {
  return toList(v).map((r) => {
    if (typeof r === 'string') return { source: r };
    if (!isDict(r)) return r;
    const out: Dict = { ...r };
    if (typeof out.mode === 'string') out.mode = parseInt(out.mode, 8);
    if (out.uid !== undefined) out.uid = scalarString(out.uid);
    if (out.gid !== undefined) out.gid = scalarString(out.gid);
    return out;
  });
}

function envFiles(v: unknown): unknown {
  return toList(v).map((e) => {
    if (typeof e === 'string') return { path: e, required: true };
    if (isDict(e)) return { ...e, required: e.required ?? true };
    return e;
  });
}

/** extra_hosts as 'host:ip' entries (compose-go accepts `host=ip`, `host:ip` and a map). */
function extraHosts(v: unknown): unknown {
  if (isDict(v)) {
    const out: string[] = [];
    for (const [host, ip] of Object.entries(v)) for (const one of toList(ip)) out.push(`${host}:${scalarString(one)}`);
    return out;
  }
  return toList(v).map((h) => {
    const s = scalarString(h);
    const eq = s.indexOf('=');
    return eq >= 0 ? `${s.slice(0, eq)}:${s.slice(eq + 1)}` : s;
  });
}

function command(v: unknown): unknown {
  if (typeof v === 'string') return shellSplit(v);
  if (Array.isArray(v)) return v.map(scalarString);
  return v;
}

function build(v: unknown, svc: string): unknown {
  const b: Dict = typeof v === 'string' ? { context: v } : isDict(v) ? { ...v } : {};
  if (b.args !== undefined) b.args = toMapping(b.args, '=', true);
  if (b.labels !== undefined) b.labels = toMapping(b.labels, '=', false);
  if (b.extra_hosts !== undefined) b.extra_hosts = extraHosts(b.extra_hosts);
  if (b.shm_size !== undefined) b.shm_size = toBytes(b.shm_size, `services.${svc}.build.shm_size`);
  if (b.secrets !== undefined) b.secrets = fileRefs(b.secrets);
  if (b.additional_contexts !== undefined) b.additional_contexts = toMapping(b.additional_contexts, '=', false);
  if (typeof b.ssh === 'string') b.ssh = [b.ssh];
  if (isDict(b.ssh)) b.ssh = Object.entries(b.ssh).map(([k, val]) => (val === null ? k : `${k}=${scalarString(val)}`));
  return b;
}

function healthcheck(v: unknown, svc: string): unknown {
  if (!isDict(v)) return v;
  const h: Dict = { ...v };
  for (const k of ['interval', 'timeout', 'start_period', 'start_interval']) {
    if (h[k] !== undefined && !uninterpolated(h[k])) h[k] = canonicalDuration(h[k], `services.${svc}.healthcheck.${k}`);
  }
  if (typeof h.test === 'string') h.test = ['CMD-SHELL', h.test];
  if (h.disable === true) h.test = ['NONE'];
  return h;
}

function devices(v: unknown): unknown {
  return toList(v).map((d) => {
    if (typeof d !== 'string') return d;
    const parts = d.split(':');
    if (parts.length === 3) return { source: parts[0], target: parts[1], permissions: parts[2] };
    if (parts.length === 2) return { source: parts[0], target: parts[1], permissions: 'rwm' };
    if (parts.length === 1) return { source: parts[0], target: parts[0], permissions: 'rwm' };
    throw new ComposeError(`confusing device mapping, please use long syntax: ${d}`);
  });
}

function ulimits(v: unknown): unknown {
  if (!isDict(v)) return v;
  const out: Dict = {};
  for (const [k, u] of Object.entries(v)) out[k] = typeof u === 'number' ? { single: u } : u;
  return out;
}

function deploy(v: unknown, svc: string): unknown {
  if (!isDict(v)) return v;
  const d: Dict = { ...v };
  if (d.labels !== undefined) d.labels = toMapping(d.labels, '=', false);
  if (isDict(d.resources)) {
    const r: Dict = { ...d.resources };
    for (const k of ['limits', 'reservations']) {
      if (!isDict(r[k])) continue;
      const res: Dict = { ...(r[k] as Dict) };
      if (res.memory !== undefined) res.memory = toBytes(res.memory, `services.${svc}.deploy.resources.${k}.memory`);
      if (res.cpus !== undefined) res.cpus = scalarString(res.cpus);
      r[k] = res;
    }
    d.resources = r;
  }
  if (isDict(d.restart_policy)) {
    const rp: Dict = { ...d.restart_policy };
    for (const k of ['delay', 'window']) if (rp[k] !== undefined) rp[k] = canonicalDuration(rp[k], `services.${svc}.deploy.restart_policy.${k}`);
    d.restart_policy = rp;
  }
  return d;
}

const SIZE_FIELDS = ['mem_limit', 'mem_reservation', 'memswap_limit', 'shm_size'];

/** One service's raw dict in long form. */
export function canonicalService(raw: Dict, svc: string): Dict {
  const s: Dict = {};
  for (const [key, value] of Object.entries(raw)) {
    const conv = (fn: (x: unknown) => unknown): unknown => mapTagged(value, fn);
    switch (key) {
      case 'ports': s[key] = conv((x) => ports(x, svc)); break;
      case 'volumes': s[key] = conv((x) => volumes(x, svc)); break;
      case 'environment': s[key] = conv((x) => toMapping(x, '=', true)); break;
      case 'labels': case 'annotations': s[key] = conv((x) => toMapping(x, '=', false)); break;
      case 'sysctls': s[key] = conv((x) => toMapping(x, '=', false)); break;
      case 'depends_on': s[key] = conv(dependsOn); break;
      case 'networks': s[key] = conv(networks); break;
      case 'build': s[key] = conv((x) => build(x, svc)); break;
      case 'secrets': case 'configs': s[key] = conv(fileRefs); break;
      case 'env_file': s[key] = conv(envFiles); break;
      case 'extra_hosts': s[key] = conv(extraHosts); break;
      case 'command': case 'entrypoint': s[key] = conv(command); break;
      case 'healthcheck': s[key] = conv((x) => healthcheck(x, svc)); break;
      case 'stop_grace_period': s[key] = conv((x) => (uninterpolated(x) ? x : canonicalDuration(x, `services.${svc}.stop_grace_period`))); break;
      case 'devices': s[key] = conv(devices); break;
      case 'ulimits': s[key] = conv(ulimits); break;
      case 'deploy': s[key] = conv((x) => deploy(x, svc)); break;
      case 'dns': case 'dns_search': case 'tmpfs': case 'dns_opt': s[key] = conv((x) => toList(x).map(scalarString)); break;
      case 'expose': s[key] = conv((x) => toList(x).map(scalarString)); break;
      case 'cpus': s[key] = conv((x) => (typeof x === 'string' && !uninterpolated(x) ? Number(x) : x)); break;
      case 'logging': s[key] = conv((x) => (isDict(x) && x.options ? { ...x, options: toMapping(x.options, '=', false) } : x)); break;
      case 'extends': s[key] = conv((x) => (typeof x === 'string' ? { service: x } : x)); break;
      default:
        s[key] = SIZE_FIELDS.includes(key) ? conv((x) => (x === null || x === undefined || uninterpolated(x) ? x : toBytes(x, `services.${svc}.${key}`))) : value;
    }
  }
  return s;
}

/** Top-level networks/volumes/secrets/configs: labels and options as maps, `external: {name}` folded. */
export function canonicalResource(raw: unknown): unknown {
  if (!isDict(raw)) return raw ?? {};
  const r: Dict = { ...raw };
  if (r.labels !== undefined) r.labels = toMapping(r.labels, '=', false);
  if (r.driver_opts !== undefined) r.driver_opts = toMapping(r.driver_opts, '=', false);
  if (isDict(r.external)) {
    if (typeof r.external.name === 'string' && r.name === undefined) r.name = r.external.name;
    r.external = true;
  }
  return r;
}

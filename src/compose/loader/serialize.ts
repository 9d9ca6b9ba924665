// `docker compose config` output: the canonical model as YAML or JSON, keys in compose's order
// (the field order of compose-go's types for structs, sorted keys for maps, as Go's encoders
// write them). Owned by the loader part (cmp-load).
import { Document, visit } from 'yaml';
import { serviceConfigHash } from '../convert/hash.ts';
import { ComposeError } from '../errors.ts';
import type { Project } from '../types.ts';

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => !!v && typeof v === 'object' && !Array.isArray(v);

/** How to write a value: a struct (its fields in order, each with its own shape), a map, a list, or as is. */
type Shape = { struct: [string, Shape?][] } | { map: Shape } | { list: Shape } | 'sorted' | undefined;

const struct = (...fields: (string | [string, Shape])[]): Shape => ({ struct: fields.map((f) => (typeof f === 'string' ? [f] : f)) });
const map = (s: Shape): Shape => ({ map: s });
const list = (s: Shape): Shape => ({ list: s });

const FILE_REF = struct('source', 'target', 'uid', 'gid', 'mode');
const RESOURCE = struct('cpus', 'memory', 'pids', 'devices', 'generic_resources');
const SERVICE_NETWORK = struct('aliases', ['driver_opts', 'sorted'], 'gw_priority', 'interface_name', 'ipv4_address', 'ipv6_address', 'link_local_ips', 'mac_address', 'priority');
const BUILD = struct(
  'context', 'dockerfile', 'dockerfile_inline', 'entitlements', ['args', 'sorted'], 'ssh', ['labels', 'sorted'], 'cache_from', 'cache_to', 'no_cache',
  ['additional_contexts', 'sorted'], 'pull', 'extra_hosts', 'isolation', 'network', 'target', ['secrets', list(FILE_REF)], 'shm_size', 'tags',
  ['ulimits', 'sorted'], 'platforms', 'privileged',
);
const SERVICE = struct(
  'profiles', ['annotations', 'sorted'], 'attach', ['build', BUILD],
  ['develop', struct(['watch', list(struct('path', 'action', 'target', 'exec', 'include', 'ignore', 'initial_sync'))])],
  'blkio_config', 'cap_add', 'cap_drop', 'cgroup_parent', 'cgroup', 'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota', 'cpu_rt_period',
  'cpu_rt_runtime', 'cpus', 'cpuset', 'cpu_shares', 'command', ['configs', list(FILE_REF)], 'container_name', 'credential_spec',
  ['depends_on', map(struct('condition', 'restart', 'required'))],
  ['deploy', struct('mode', 'replicas', ['labels', 'sorted'], 'update_config', 'rollback_config', ['resources', struct(['limits', RESOURCE], ['reservations', RESOURCE])],
    ['restart_policy', struct('condition', 'delay', 'max_attempts', 'window')], 'placement', 'endpoint_mode')],
  'device_cgroup_rules', ['devices', list(struct('source', 'target', 'permissions'))], 'dns', 'dns_opt', 'dns_search', 'dockerfile', 'domainname',
  'entrypoint', 'provider', ['environment', 'sorted'], ['env_file', list(struct('path', 'format', 'required'))], 'expose', 'extends', 'external_links',
  'extra_hosts', 'group_add', 'gpus', 'hostname',
  ['healthcheck', struct('test', 'timeout', 'interval', 'retries', 'start_period', 'start_interval', 'disable')], 'image', 'init', 'ipc', 'isolation',
  ['labels', 'sorted'], 'label_file', 'links', ['logging', struct('driver', ['options', 'sorted'])], 'log_driver', 'log_opt', 'mem_limit',
  'mem_reservation', 'memswap_limit', 'mem_swappiness', 'mac_address', 'models', 'net', 'network_mode', ['networks', map(SERVICE_NETWORK)],
  'oom_kill_disable', 'oom_score_adj', 'pid', 'pids_limit', 'platform',
  ['ports', list(struct('name', 'mode', 'host_ip', 'target', 'published', 'protocol', 'app_protocol'))], 'privileged', 'pull_policy', 'read_only',
  'restart', 'runtime', 'scale', ['secrets', list(FILE_REF)], 'security_opt', 'shm_size', 'stdin_open', 'stop_grace_period', 'stop_signal',
  ['storage_opt', 'sorted'], ['sysctls', 'sorted'], 'tmpfs', 'tty', ['ulimits', map(struct('single', 'soft', 'hard'))], 'use_api_socket', 'user',
  'userns_mode', 'uts', 'volume_driver',
  ['volumes', list(struct('type', 'source', 'target', 'read_only', 'consistency', ['bind', struct('selinux', 'propagation', 'create_host_path', 'recursive')],
    ['volume', struct(['labels', 'sorted'], 'nocopy', 'subpath')], ['tmpfs', struct('size', 'mode')], 'image'))],
  'volumes_from', 'working_dir', 'post_start', 'pre_stop',
);
const NETWORK = struct('name', 'driver', ['driver_opts', 'sorted'],
  ['ipam', struct('driver', ['config', list(struct('subnet', 'gateway', 'ip_range', ['aux_addresses', 'sorted']))], ['options', 'sorted'])],
  'external', 'internal', 'attachable', ['labels', 'sorted'], 'enable_ipv4', 'enable_ipv6');
const VOLUME = struct('name', 'driver', ['driver_opts', 'sorted'], 'external', ['labels', 'sorted']);
const FILE_OBJECT = struct('name', 'file', 'environment', 'content', 'external', ['labels', 'sorted'], 'driver', ['driver_opts', 'sorted'], 'template_driver');

const isEmpty = (v: unknown): boolean =>
  v === undefined || (Array.isArray(v) && v.length === 0) || (isDict(v) && Object.keys(v).length === 0);

function sortedMap(v: Dict, each?: Shape): Dict {
  const out: Dict = {};
  for (const k of Object.keys(v).sort()) out[k] = shape(v[k], each);
  return out;
}

function shape(v: unknown, s: Shape, always?: Set<string>): unknown {
  if (v === null || v === undefined || s === undefined) return v;
  if (s === 'sorted') return isDict(v) ? sortedMap(v) : v;
  if ('list' in s) return Array.isArray(v) ? v.map((x) => shape(x, s.list)) : v;
  if ('map' in s) return isDict(v) ? sortedMap(v, s.map) : v;
  if (!isDict(v)) return v;
  const out: Dict = {};
  const known = new Set<string>();
  for (const [k, sub] of s.struct) {
    known.add(k);
    const x = v[k];
    if (always?.has(k)) {
      out[k] = x === undefined ? null : shape(x, sub);
      continue;
    }
    // Empty collections are left out (omitempty), except an empty `volume: {}` compose prints.
    if (x === undefined || (isEmpty(x) && !(k === 'volume' || k === 'bind'))) continue;
    out[k] = shape(x, sub);
  }
  // Fields the tables do not know, then the `x-*` extensions, keep their place at the end.
  for (const k of Object.keys(v)) if (!known.has(k) && k !== 'extensions' && k !== 'name') out[k] = v[k];
  if (isDict(v.extensions)) Object.assign(out, sortedMap(v.extensions));
  return out;
}

// compose-go writes command and entrypoint to JSON even when unset (null): no omitempty there.
const JSON_ALWAYS = new Set(['command', 'entrypoint']);

function serviceOut(s: Dict, json: boolean): Dict {
  const rest: Dict = { ...s };
  delete rest.env_file;
  return shape(rest, SERVICE, json ? JSON_ALWAYS : undefined) as Dict;
}

function resources(v: Record<string, unknown>, s: Shape, keepName: boolean): Dict {
  const out: Dict = {};
  for (const k of Object.keys(v).sort()) {
    const r = { ...(v[k] as Dict) };
    const shaped = shape(r, s) as Dict;
    out[k] = keepName && r.name !== undefined ? { name: r.name, ...shaped } : shaped;
  }
  return out;
}

/** The document `config` prints (also what `config --format json` prints). */
function configDocument(project: Project, json: boolean): Dict {
  const doc: Dict = { name: project.name };
  const services: Dict = {};
  for (const k of Object.keys(project.services).sort()) services[k] = serviceOut(project.services[k] as unknown as Dict, json);
  doc.services = services;
  if (Object.keys(project.networks).length) doc.networks = resources(project.networks, NETWORK, true);
  if (Object.keys(project.volumes).length) doc.volumes = resources(project.volumes, VOLUME, true);
  // compose-go never prints a secret's content, nor a config's when it came from the environment.
  const withoutContent = (objs: Project['secrets'], keep: (o: Project['secrets'][string]) => boolean): Project['secrets'] =>
    Object.fromEntries(Object.entries(objs).map(([k, o]) => [k, keep(o) ? o : { ...o, content: undefined }]));
  if (Object.keys(project.secrets).length) doc.secrets = resources(withoutContent(project.secrets, () => false), FILE_OBJECT, true);
  if (Object.keys(project.configs).length) doc.configs = resources(withoutContent(project.configs, (o) => o.environment === undefined), FILE_OBJECT, true);
  if (project.extensions) Object.assign(doc, sortedMap(project.extensions));
  return doc;
}

const YAML11_BOOLS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);

/**
 * `config` output. Every `$` of the interpolated model is written `$$`, as docker compose does, so
 * that the output is a compose file again; `noInterpolate` (config --no-interpolate) writes them
 * as they are.
 */
export function serializeProject(project: Project, format: 'yaml' | 'json', opts: { noInterpolate?: boolean } = {}): string {
  let out: string;
  if (format === 'json') {
    // compose-go marshals the top level as a Go map: encoding/json sorts its keys.
    const doc = configDocument(project, true);
    const sorted = Object.fromEntries(Object.keys(doc).sort().map((k) => [k, doc[k]]));
    out = `${JSON.stringify(sorted, null, 2)}\n`;
  } else {
    const doc = new Document(configDocument(project, false), { aliasDuplicateObjects: false });
    // yaml.v3 (compose's marshaller) double-quotes the strings YAML 1.1 reads as booleans, so that
    // the output means the same to a YAML 1.1 reader (docker-compose 1.x, PyYAML): `"yes"`, not `yes`.
    visit(doc, {
      Scalar(_key, node) {
        if (typeof node.value === 'string' && YAML11_BOOLS.has(node.value)) node.type = 'QUOTE_DOUBLE';
      },
    });
    out = doc.toString({ lineWidth: 0, indentSeq: true, nullStr: 'null' });
  }
  return opts.noInterpolate ? out : out.replaceAll('$', '$$$$');
}

/** `config --services`: the enabled services, each after what it depends on (compose's ForEachService), else by name. */
export function serviceNames(project: Project): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name) || !project.services[name]) return;
    seen.add(name);
    for (const dep of Object.keys(project.services[name]!.depends_on ?? {}).sort()) visit(dep);
    out.push(name);
  };
  for (const name of Object.keys(project.services).sort()) visit(name);
  return out;
}

/** `config --volumes`: the top-level volume keys, sorted. */
export function volumeNames(project: Project): string[] {
  return Object.keys(project.volumes).sort();
}

/** `config --images`: each enabled service's image, `<project>-<service>` for a built one without `image`. */
export function imageNames(project: Project): string[] {
  return Object.keys(project.services).sort().map((n) => project.services[n]!.image ?? `${project.name}-${n}`);
}

/** `config --hash <services>`: "<service> <config hash>" lines (`*`: every enabled service). */
export function serviceHashes(project: Project, names: string[]): string[] {
  const selected = names.includes('*') || names.length === 0 ? Object.keys(project.services).sort() : names;
  return selected.map((n) => {
    const s = project.services[n];
    if (!s) throw new ComposeError(`no such service: ${n}`);
    return `${n} ${serviceConfigHash(s)}`;
  });
}

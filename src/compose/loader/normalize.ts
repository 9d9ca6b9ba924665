// The merged files turned into the Project model, as compose-go's normalize + consistency checks
// do: env_file contents under `environment`, `- NAME` entries resolved from the environment, build
// defaults, the `default` network, engine names of networks/volumes/secrets/configs, references
// checked, and the dependency graph checked for cycles.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ComposeError } from '../errors.ts';
import type { NetworkConfig, Project, SecretConfig, ServiceConfig, VolumeConfig } from '../types.ts';
import { parseDotEnv } from './dotenv.ts';

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => !!v && typeof v === 'object' && !Array.isArray(v);

export interface NormalizeInput {
  name: string;
  workingDir: string;
  composeFiles: string[];
  environment: Record<string, string>;
  /** false: `config --no-normalize` (no default network, no engine names, no env_file reading). */
  normalize: boolean;
}

function splitExtensions<T extends Dict>(d: Dict): T & { extensions?: Record<string, unknown> } {
  const out: Dict = {};
  const ext: Dict = {};
  for (const [k, v] of Object.entries(d)) {
    if (k.startsWith('x-')) ext[k] = v;
    else out[k] = v;
  }
  if (Object.keys(ext).length) out.extensions = ext;
  return out as T & { extensions?: Record<string, unknown> };
}

/** `env_file: {format: raw}`: KEY=VALUE lines taken as they are (no quotes, no interpolation). */
function parseRawEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function resolveEnvironment(s: Dict, env: Record<string, string>): void {
  const environment: Record<string, string | null> = {};
  const lookup = (k: string): string | undefined => {
    const v = environment[k];
    if (v !== undefined && v !== null) return v;
    return Object.hasOwn(env, k) ? env[k] : undefined;
  };
  for (const f of Array.isArray(s.env_file) ? (s.env_file as Dict[]) : []) {
    const p = String(f.path);
    if (!existsSync(p)) {
      if (f.required !== false) throw new ComposeError(`env file ${p} not found: stat ${p}: no such file or directory`);
      continue;
    }
    let vars: Record<string, string>;
    try {
      const text = readFileSync(p, 'utf8');
      vars = f.format === 'raw' ? parseRawEnv(text) : parseDotEnv(text, lookup);
    } catch (err) {
      throw new ComposeError(`failed to load ${p}: ${(err as Error).message}`);
    }
    Object.assign(environment, vars);
  }
  if (isDict(s.environment)) {
    for (const [k, v] of Object.entries(s.environment)) {
      environment[k] = v === null || v === undefined ? (Object.hasOwn(env, k) ? env[k]! : null) : String(v);
    }
  }
  if (Object.keys(environment).length) s.environment = environment;
}

/** `label_file`: KEY=VALUE lines read under the service's own `labels`. */
function resolveLabelFiles(s: Dict): void {
  if (!Array.isArray(s.label_file)) return;
  const labels: Record<string, string> = {};
  for (const f of s.label_file as string[]) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      throw new ComposeError(`failed to load label file ${f}: open ${f}: no such file or directory`);
    }
    Object.assign(labels, parseRawEnv(text));
  }
  s.labels = { ...labels, ...(isDict(s.labels) ? s.labels : {}) };
}

function serviceConfig(name: string, raw: Dict, input: NormalizeInput): ServiceConfig {
  const s: Dict = { ...splitExtensions(raw), name };
  if (input.normalize) {
    resolveEnvironment(s, input.environment);
    resolveLabelFiles(s);
    if (isDict(s.build)) {
      const b: Dict = { ...s.build };
      if (b.dockerfile === undefined && b.dockerfile_inline === undefined) b.dockerfile = 'Dockerfile';
      // Build args without a value take the environment's (left out when it has none).
      if (isDict(b.args)) {
        const args: Dict = {};
        for (const [k, v] of Object.entries(b.args)) args[k] = v === null ? (Object.hasOwn(input.environment, k) ? input.environment[k] : null) : v;
        b.args = args;
      }
      s.build = b;
    }
    if (s.pull_policy === 'if_not_present') s.pull_policy = 'missing';
    if (s.networks === undefined && s.network_mode === undefined) s.networks = { default: null };
    implicitDependencies(s);
  }
  const replicas = isDict(s.deploy) ? s.deploy.replicas : undefined;
  if (s.scale !== undefined && replicas !== undefined && s.scale !== replicas) {
    throw new ComposeError(`services.${name}: can't set distinct values on 'scale' and 'deploy.replicas': invalid compose project`);
  }
  return s as unknown as ServiceConfig;
}

/**
 * links, `service:x` namespaces (network_mode, ipc, pid, uts, cgroup) and volumes_from add a
 * dependency (compose-go's normalize: restart with the first two, not with volumes_from).
 */
function implicitDependencies(s: Dict): void {
  const deps: Dict = isDict(s.depends_on) ? { ...s.depends_on } : {};
  const add = (name: string, restart: boolean): void => {
    if (!Object.hasOwn(deps, name)) deps[name] = restart ? { condition: 'service_started', restart: true, required: true } : { condition: 'service_started', required: true };
  };
  for (const l of Array.isArray(s.links) ? s.links : []) add(String(l).split(':')[0]!, true);
  for (const ns of [s.network_mode, s.ipc, s.pid, s.uts, s.cgroup]) {
    if (typeof ns === 'string' && ns.startsWith('service:')) add(ns.slice(8), true);
  }
  for (const v of Array.isArray(s.volumes_from) ? s.volumes_from : []) {
    const ref = String(v);
    if (!ref.startsWith('container:')) add(ref.split(':')[0]!, false);
  }
  if (Object.keys(deps).length) s.depends_on = deps;
}

function named<T extends { name?: string; external?: boolean }>(key: string, raw: unknown, project: string, normalize: boolean): T {
  const r = splitExtensions<Dict>(isDict(raw) ? raw : {}) as unknown as T;
  if (normalize && r.name === undefined) r.name = r.external ? key : `${project}_${key}`;
  return r;
}

/** Builds the project (all services enabled; profiles are applied by the caller). */
export function normalizeProject(model: Dict, input: NormalizeInput): Project {
  const services: Record<string, ServiceConfig> = {};
  for (const [name, raw] of Object.entries(isDict(model.services) ? model.services : {})) {
    services[name] = serviceConfig(name, isDict(raw) ? raw : {}, input);
  }
  const networks: Record<string, NetworkConfig> = {};
  for (const [k, v] of Object.entries(isDict(model.networks) ? model.networks : {})) networks[k] = named<NetworkConfig>(k, v, input.name, input.normalize);
  if (input.normalize) {
    const usesDefault = Object.values(services).some((s) => s.networks && Object.hasOwn(s.networks, 'default'));
    if (usesDefault && !networks.default) networks.default = { name: `${input.name}_default` };
  }
  const volumes: Record<string, VolumeConfig> = {};
  for (const [k, v] of Object.entries(isDict(model.volumes) ? model.volumes : {})) {
    const vol = named<VolumeConfig>(k, v, input.name, input.normalize);
    // A local volume that is a bind mount in disguise: its device is a path of the project.
    if (input.normalize && (vol.driver === undefined || vol.driver === 'local') && vol.driver_opts?.o?.split(',').includes('bind') && vol.driver_opts.device) {
      vol.driver_opts = { ...vol.driver_opts, device: path.resolve(input.workingDir, vol.driver_opts.device) };
    }
    volumes[k] = vol;
  }
  const secrets: Record<string, SecretConfig> = {};
  for (const [k, v] of Object.entries(isDict(model.secrets) ? model.secrets : {})) secrets[k] = named<SecretConfig>(k, v, input.name, input.normalize);
  const configs: Record<string, SecretConfig> = {};
  for (const [k, v] of Object.entries(isDict(model.configs) ? model.configs : {})) configs[k] = named<SecretConfig>(k, v, input.name, input.normalize);
  const extensions: Dict = {};
  for (const [k, v] of Object.entries(model)) if (k.startsWith('x-')) extensions[k] = v;
  const project: Project = {
    name: input.name,
    working_dir: input.workingDir,
    compose_files: input.composeFiles,
    services,
    disabled_services: {},
    networks,
    volumes,
    secrets,
    configs,
    profiles: [],
    environment: input.environment,
  };
  if (Object.keys(extensions).length) project.extensions = extensions;
  return project;
}

/** compose-go's consistency checks over every service (enabled or not). */
export function checkConsistency(project: Project): void {
  const all = { ...project.services, ...project.disabled_services };
  for (const s of Object.values(all)) {
    if (s.image === undefined && s.build === undefined) {
      throw new ComposeError(`service "${s.name}" has neither an image nor a build context specified: invalid compose project`);
    }
    for (const n of Object.keys(s.networks ?? {})) {
      if (!project.networks[n]) throw new ComposeError(`service "${s.name}" refers to undefined network ${n}: invalid compose project`);
    }
    for (const v of s.volumes ?? []) {
      if (v.type === 'volume' && v.source && !project.volumes[v.source]) {
        throw new ComposeError(`service "${s.name}" refers to undefined volume ${v.source}: invalid compose project`);
      }
    }
    for (const r of s.secrets ?? []) if (!project.secrets[r.source]) throw new ComposeError(`service "${s.name}" refers to undefined secret ${r.source}: invalid compose project`);
    for (const r of s.configs ?? []) if (!project.configs[r.source]) throw new ComposeError(`service "${s.name}" refers to undefined config ${r.source}: invalid compose project`);
    const mode = s.network_mode;
    if (mode?.startsWith('service:') && !all[mode.slice(8)]) {
      throw new ComposeError(`service "${mode.slice(8)}" not found for network_mode 'service:${mode.slice(8)}'`);
    }
    for (const [dep, cfg] of Object.entries(s.depends_on ?? {})) {
      if (!all[dep] && cfg.required !== false) throw new ComposeError(`service "${s.name}" depends on undefined service "${dep}": invalid compose project`);
    }
  }
  const names = new Map<string, string>();
  for (const name of Object.keys(project.services).sort()) {
    const cn = project.services[name]!.container_name;
    if (!cn) continue;
    const other = names.get(cn);
    if (other) throw new ComposeError(`services.${name}: container name ${JSON.stringify(cn)} is already in use by services.${other}`);
    names.set(cn, name);
  }
  checkCycles(all);
}

/** "dependency cycle detected: a -> b -> a" (compose-go's graph check). */
function checkCycles(services: Record<string, ServiceConfig>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    const st = state.get(name);
    if (st === 'done') return;
    if (st === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name];
      throw new ComposeError(`dependency cycle detected: ${cycle.join(' -> ')}`);
    }
    state.set(name, 'visiting');
    for (const dep of Object.keys(services[name]?.depends_on ?? {}).sort()) if (services[dep]) visit(dep, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of Object.keys(services).sort()) visit(name, []);
}

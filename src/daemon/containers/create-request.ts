// The create request body, checked field by field: a hostile or sloppy client gets a clear
// 400 instead of a crash later in the runtime.
import { invalidParameter } from '../../common/index.ts';
import type { StoredConfig, HostConfig } from './record.ts';
import type { ImageConfigView } from './deps.ts';
import { mergeImageConfig as mergeProcessConfig } from '../host-config/index.ts';
import { mergeHealthConfig, validateHealthConfig } from './health.ts';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** ExposedPorts and Volumes: maps whose values are (empty) objects. */
function isObjectMap(v: unknown): v is Record<string, Json> {
  return isObject(v) && Object.values(v).every(isObject);
}

function field<T>(obj: Json, key: string, kind: 'string' | 'boolean' | 'number', dflt: T): T {
  const v = obj[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== kind) throw invalidParameter(`json: cannot unmarshal ${typeof v} into Go struct field ${key} of type ${kind === 'number' ? 'int64' : kind === 'boolean' ? 'bool' : 'string'}`);
  return v as T;
}

/** strslice: Docker accepts a JSON array of strings or a single string. */
function strSlice(obj: Json, key: string): string[] | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  throw invalidParameter(`json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field ${key} of type []string`);
}

function strMap(obj: Json, key: string): Record<string, string> {
  const v = obj[key];
  if (v === undefined || v === null) return {};
  if (!isObject(v) || !Object.values(v).every((s) => typeof s === 'string')) {
    throw invalidParameter(`json: cannot unmarshal into Go struct field ${key} of type map[string]string`);
  }
  return v as Record<string, string>;
}

function validateEnv(env: string[] | null): void {
  for (const e of env ?? []) {
    if (e.startsWith('=') || e === '') throw invalidParameter(`invalid environment variable: ${e}`);
  }
}

export function normalizeCreateBody(body: Json): { config: StoredConfig; hostConfig: HostConfig } {
  const image = field(body, 'Image', 'string', '');
  if (!image) throw invalidParameter('config cannot be empty in order to create a container');
  const env = strSlice(body, 'Env');
  validateEnv(env);
  const healthcheck = body.Healthcheck;
  if (healthcheck !== undefined && healthcheck !== null && !isObject(healthcheck)) throw invalidParameter('Healthcheck must be an object');
  validateHealthConfig(healthcheck);
  const exposed = body.ExposedPorts;
  if (exposed !== undefined && exposed !== null && !isObjectMap(exposed)) throw invalidParameter('ExposedPorts must be an object');
  const volumes = body.Volumes;
  if (volumes !== undefined && volumes !== null && !isObjectMap(volumes)) throw invalidParameter('Volumes must be an object');
  const stopTimeout = body.StopTimeout;
  if (stopTimeout !== undefined && stopTimeout !== null && !Number.isInteger(stopTimeout)) throw invalidParameter('StopTimeout must be an integer');
  const config: StoredConfig = {
    Hostname: field(body, 'Hostname', 'string', ''),
    Domainname: field(body, 'Domainname', 'string', ''),
    User: field(body, 'User', 'string', ''),
    AttachStdin: field(body, 'AttachStdin', 'boolean', false),
    AttachStdout: field(body, 'AttachStdout', 'boolean', false),
    AttachStderr: field(body, 'AttachStderr', 'boolean', false),
    ExposedPorts: exposed ?? undefined,
    Tty: field(body, 'Tty', 'boolean', false),
    OpenStdin: field(body, 'OpenStdin', 'boolean', false),
    StdinOnce: field(body, 'StdinOnce', 'boolean', false),
    Env: env,
    Cmd: strSlice(body, 'Cmd'),
    Healthcheck: (healthcheck as Json | undefined) ?? undefined,
    Image: image,
    Volumes: volumes ?? null,
    WorkingDir: field(body, 'WorkingDir', 'string', ''),
    Entrypoint: strSlice(body, 'Entrypoint'),
    OnBuild: strSlice(body, 'OnBuild'),
    Labels: strMap(body, 'Labels'),
  };
  const stopSignal = field(body, 'StopSignal', 'string', '');
  if (stopSignal) config.StopSignal = stopSignal;
  if (typeof stopTimeout === 'number') config.StopTimeout = stopTimeout;
  if (config.WorkingDir && !config.WorkingDir.startsWith('/')) {
    throw invalidParameter(`the working directory '${config.WorkingDir}' is invalid, it needs to be an absolute path`);
  }
  const hc = body.HostConfig;
  if (hc !== undefined && hc !== null && !isObject(hc)) throw invalidParameter('HostConfig must be an object');
  const hostConfig: HostConfig = { ...((hc as Json | undefined) ?? {}) };
  return { config, hostConfig };
}

/**
 * Docker's merge of the image config into the container config at create: the runtime box's
 * merge for the process fields, plus the fields only inspect shows (ports, volumes, labels).
 */
export function mergeImageConfig(config: StoredConfig, image: ImageConfigView): StoredConfig {
  const img = image.config;
  const { User, Env, Cmd, Entrypoint, WorkingDir, StopSignal } = mergeProcessConfig(img, config);
  const out: StoredConfig = { ...config, User: User ?? '', Env, Cmd, Entrypoint, WorkingDir: WorkingDir ?? '' };
  if (StopSignal) out.StopSignal = StopSignal;
  // moby's merge (daemon/commit.go): an empty user map takes the image's as it is (nil when the
  // image has none: inspect then omits ExposedPorts and shows Volumes null); a non-empty one
  // gets the image's entries added.
  const nonEmpty = (m: Record<string, unknown> | null | undefined) => (m && Object.keys(m).length ? m : undefined);
  const ports = nonEmpty(config.ExposedPorts as Record<string, unknown> | undefined);
  const imgPorts = nonEmpty(img.ExposedPorts as Record<string, unknown> | undefined);
  if (ports || imgPorts) out.ExposedPorts = { ...imgPorts, ...ports } as StoredConfig['ExposedPorts'];
  else delete out.ExposedPorts;
  const volumes = nonEmpty(config.Volumes as Record<string, unknown> | null | undefined);
  const imgVolumes = nonEmpty(img.Volumes as Record<string, unknown> | null | undefined);
  out.Volumes = volumes || imgVolumes ? { ...imgVolumes, ...volumes } as StoredConfig['Volumes'] : null;
  out.Labels = { ...(img.Labels ?? {}), ...(config.Labels ?? {}) };
  const health = mergeHealthConfig(config.Healthcheck, img.Healthcheck);
  if (health) out.Healthcheck = health as StoredConfig['Healthcheck'];
  return out;
}

// The image configuration JSON (Docker image spec v1.x / OCI image config): its shape,
// the checks applied before such a file is trusted, and the layer chain IDs derived from it.
import { createHash } from 'node:crypto';
import { invalidParameter } from '../common/index.ts';
import { isSha256Digest, sha256Digest } from '../content/index.ts';

export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The `config` member (the OCI/Docker image config's runtime defaults for containers made from the image). */
export interface ImageRuntimeConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, unknown>> | null;
  Env?: string[] | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, Record<string, unknown>> | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  Healthcheck?: HealthConfig | null;
  OnBuild?: string[] | null;
  Shell?: string[] | null;
  // Fields of the legacy builder's container.Config, still found in old images.
  [key: string]: unknown;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfigFile {
  architecture?: string;
  os?: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  created?: string;
  author?: string;
  comment?: string;
  docker_version?: string;
  container?: string;
  container_config?: ImageRuntimeConfig;
  parent?: string;
  config?: ImageRuntimeConfig | null;
  rootfs: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
  [key: string]: unknown;
}

/** Configs larger than this are refused: real ones are a few KiB, long histories a few hundred. */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
const MAX_LAYERS = 1024;

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * Parses and checks an image config as received (archive, registry, builder). Only what
 * berth relies on is checked; unknown fields are kept, as the bytes are the image's identity.
 */
export function parseImageConfig(bytes: Uint8Array): ImageConfigFile {
  if (bytes.byteLength > MAX_CONFIG_BYTES) throw invalidParameter('invalid image config: too large');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw invalidParameter(`invalid image config: ${(err as Error).message}`);
  }
  if (!isObject(value)) throw invalidParameter('invalid image config: not a JSON object');
  const rootfs = value.rootfs;
  if (!isObject(rootfs)) throw invalidParameter('invalid image JSON, no RootFS key');
  if (rootfs.type !== 'layers') throw invalidParameter(`invalid image config: unsupported rootfs type ${JSON.stringify(rootfs.type)}`);
  const diffIds = rootfs.diff_ids ?? [];
  if (!isStringArray(diffIds) || !diffIds.every(isSha256Digest)) {
    throw invalidParameter('invalid image config: rootfs.diff_ids must be sha256 digests');
  }
  if (diffIds.length > MAX_LAYERS) throw invalidParameter('invalid image config: too many layers');
  const os = value.os ?? 'linux';
  if (typeof os !== 'string') throw invalidParameter('invalid image config: os must be a string');
  if (os !== '' && os !== 'linux') throw invalidParameter(`image operating system "${os}" cannot be used on this platform`);
  for (const key of ['architecture', 'variant', 'created', 'author', 'comment', 'docker_version', 'parent', 'container', 'os.version'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'string') throw invalidParameter(`invalid image config: ${key} must be a string`);
  }
  if (value.config !== undefined && value.config !== null) checkContainerConfig(value.config);
  const history = value.history ?? [];
  if (!Array.isArray(history) || !history.every(isObject)) throw invalidParameter('invalid image config: history must be an array of objects');
  let nonEmpty = 0;
  for (const h of history as Record<string, unknown>[]) {
    for (const key of ['created', 'created_by', 'author', 'comment'] as const) {
      if (h[key] !== undefined && typeof h[key] !== 'string') throw invalidParameter(`invalid image config: history ${key} must be a string`);
    }
    if (h.empty_layer !== true) nonEmpty++;
  }
  if (nonEmpty > diffIds.length) throw invalidParameter('too many non-empty layers in History section');
  return { ...(value as ImageConfigFile), rootfs: { type: 'layers', diff_ids: diffIds } };
}

function checkContainerConfig(cfg: unknown): void {
  if (!isObject(cfg)) throw invalidParameter('invalid image config: config must be an object');
  const arrays = ['Env', 'Entrypoint', 'Cmd', 'OnBuild', 'Shell'] as const;
  for (const key of arrays) {
    if (cfg[key] !== undefined && cfg[key] !== null && !isStringArray(cfg[key])) throw invalidParameter(`invalid image config: config.${key} must be an array of strings`);
  }
  for (const key of ['User', 'WorkingDir', 'StopSignal'] as const) {
    if (cfg[key] !== undefined && typeof cfg[key] !== 'string') throw invalidParameter(`invalid image config: config.${key} must be a string`);
  }
  for (const key of ['ExposedPorts', 'Volumes', 'Labels'] as const) {
    if (cfg[key] !== undefined && cfg[key] !== null && !isObject(cfg[key])) throw invalidParameter(`invalid image config: config.${key} must be an object`);
  }
  if (isObject(cfg.Labels) && !Object.values(cfg.Labels).every((v) => typeof v === 'string')) {
    throw invalidParameter('invalid image config: config.Labels values must be strings');
  }
  if (cfg.Healthcheck !== undefined && cfg.Healthcheck !== null) {
    if (!isObject(cfg.Healthcheck)) throw invalidParameter('invalid image config: config.Healthcheck must be an object');
    const t = cfg.Healthcheck.Test;
    if (t !== undefined && t !== null && !isStringArray(t)) throw invalidParameter('invalid image config: config.Healthcheck.Test must be an array of strings');
  }
}

/** Layer chain IDs: chain(0) = diff(0); chain(n) = sha256(chain(n-1) + " " + diff(n)). */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    out.push(out.length === 0 ? d : sha256Digest(`${out[out.length - 1]} ${d}`));
  }
  return out;
}

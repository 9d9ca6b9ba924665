// berth-registry's configuration: a subset of distribution 2.8's config.yml (the same keys mean
// the same things), or the `serve --addr --root` flags. Unknown top-level sections are ignored
// as distribution ignores unknown storage drivers' options; the `auth` section is passed
// through to the auth box untouched.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { parseGoDuration } from '../common/index.ts';

export interface UploadPurgingConfig {
  enabled: boolean;
  /** Uploads older than this are removed (ms). */
  ageMs: number;
  /** How often the purger runs (ms). */
  intervalMs: number;
  dryRun: boolean;
}

export interface GcConfig {
  /** berth's own: run the collector inside the server every `intervalMs`. */
  enabled: boolean;
  intervalMs: number;
  deleteUntagged: boolean;
}

export interface TlsConfig {
  certificate: string;
  key: string;
  clientCAs: string[];
}

export interface RegistryConfig {
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** false = no access log; true = one JSON line per request. */
  accessLog: boolean;
  /** berth's own: a file for the access log instead of stdout. */
  accessLogFile: string | undefined;
  rootDirectory: string;
  deleteEnabled: boolean;
  uploadPurging: UploadPurgingConfig;
  gc: GcConfig;
  addr: string;
  tls: TlsConfig | undefined;
  headers: Record<string, string[]>;
  /** The `auth` section as written, for the auth box. */
  auth: Record<string, unknown> | undefined;
  /** The `storage` section as written (other drivers read their own options from it). */
  storage: Record<string, unknown>;
}

export class ConfigError extends Error {}

const DEFAULT_ADDR = ':5000';

export function defaultConfig(rootDirectory: string, addr = DEFAULT_ADDR): RegistryConfig {
  return {
    logLevel: 'info',
    accessLog: true,
    accessLogFile: undefined,
    rootDirectory,
    deleteEnabled: false,
    uploadPurging: { enabled: true, ageMs: 168 * 3600_000, intervalMs: 24 * 3600_000, dryRun: false },
    gc: { enabled: false, intervalMs: 24 * 3600_000, deleteUntagged: false },
    addr,
    tls: undefined,
    headers: {},
    auth: undefined,
    storage: { filesystem: { rootdirectory: rootDirectory } },
  };
}

export async function loadConfig(path: string): Promise<RegistryConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`configuration error: open ${path}: ${(err as Error).message}`);
  }
  return parseConfig(text);
}

export function parseConfig(text: string): RegistryConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`configuration error: ${(err as Error).message}`);
  }
  const root = obj(doc, '');
  const version = root.version;
  if (version !== undefined && String(version) !== '0.1') {
    throw new ConfigError(`configuration error: unsupported version: ${String(version)}`);
  }
  const storage = obj(root.storage, 'storage');
  const fs = obj(storage.filesystem, 'storage.filesystem');
  const rootDirectory = str(fs.rootdirectory, 'storage.filesystem.rootdirectory') ?? '/var/lib/registry';
  const cfg = defaultConfig(rootDirectory);
  cfg.storage = storage;

  const log = obj(root.log, 'log');
  const level = str(log.level, 'log.level');
  if (level !== undefined) {
    if (!['error', 'warn', 'info', 'debug'].includes(level)) throw new ConfigError(`configuration error: log.level: invalid level ${level}`);
    cfg.logLevel = level as RegistryConfig['logLevel'];
  }
  const accesslog = obj(log.accesslog, 'log.accesslog');
  if (accesslog.disabled !== undefined) cfg.accessLog = !bool(accesslog.disabled, 'log.accesslog.disabled');
  cfg.accessLogFile = str(accesslog.path, 'log.accesslog.path');

  const del = obj(storage.delete, 'storage.delete');
  if (del.enabled !== undefined) cfg.deleteEnabled = bool(del.enabled, 'storage.delete.enabled');

  const maintenance = obj(storage.maintenance, 'storage.maintenance');
  const purging = obj(maintenance.uploadpurging, 'storage.maintenance.uploadpurging');
  if (purging.enabled !== undefined) cfg.uploadPurging.enabled = bool(purging.enabled, 'uploadpurging.enabled');
  if (purging.age !== undefined) cfg.uploadPurging.ageMs = duration(purging.age, 'uploadpurging.age');
  if (purging.interval !== undefined) cfg.uploadPurging.intervalMs = duration(purging.interval, 'uploadpurging.interval');
  if (purging.dryrun !== undefined) cfg.uploadPurging.dryRun = bool(purging.dryrun, 'uploadpurging.dryrun');

  const gc = obj(storage.gc, 'storage.gc');
  if (gc.enabled !== undefined) cfg.gc.enabled = bool(gc.enabled, 'storage.gc.enabled');
  if (gc.interval !== undefined) cfg.gc.intervalMs = duration(gc.interval, 'storage.gc.interval');
  if (gc.deleteuntagged !== undefined) cfg.gc.deleteUntagged = bool(gc.deleteuntagged, 'storage.gc.deleteuntagged');

  const http = obj(root.http, 'http');
  const addr = str(http.addr, 'http.addr');
  if (addr !== undefined) cfg.addr = addr;
  const tls = obj(http.tls, 'http.tls');
  const certificate = str(tls.certificate, 'http.tls.certificate');
  const key = str(tls.key, 'http.tls.key');
  if (certificate !== undefined || key !== undefined) {
    if (!certificate || !key) throw new ConfigError('configuration error: http.tls needs both certificate and key');
    const cas = tls.clientcas === undefined ? [] : tls.clientcas;
    if (!Array.isArray(cas) || !cas.every((c) => typeof c === 'string')) {
      throw new ConfigError('configuration error: http.tls.clientcas must be a list of files');
    }
    cfg.tls = { certificate, key, clientCAs: cas };
  }
  const headers = obj(http.headers, 'http.headers');
  for (const [k, v] of Object.entries(headers)) {
    const vals = Array.isArray(v) ? v : [v];
    if (!vals.every((x) => typeof x === 'string')) throw new ConfigError(`configuration error: http.headers.${k} must be strings`);
    cfg.headers[k] = vals as string[];
  }
  if (root.auth !== undefined && root.auth !== null) cfg.auth = obj(root.auth, 'auth');
  return cfg;
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`configuration error: ${what || 'document'} must be a mapping`);
  return v as Record<string, unknown>;
}

function str(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw new ConfigError(`configuration error: ${what} must be a string`);
  return String(v);
}

function bool(v: unknown, what: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ConfigError(`configuration error: ${what} must be true or false`);
}

function duration(v: unknown, what: string): number {
  const ns = typeof v === 'string' ? parseGoDuration(v) : undefined;
  if (ns === undefined) throw new ConfigError(`configuration error: ${what}: invalid duration ${String(v)}`);
  return Number(ns / 1_000_000n);
}

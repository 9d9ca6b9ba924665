// A container's log driver at start and for `docker logs`: what the shim writes with, and
// where the files are (moby container.StartLogger: <id>-json.log, local-logs/container.log).
import { dirname, join } from 'node:path';
import { BerthError } from '../../common/index.ts';
import type { LogEntry, LogFormat, LogTarget } from '../../runtime/index.ts';
import type { HostConfig, ContainerRecord } from '../containers/record.ts';
import { CACHE_LOG_FILE, LOCAL_LOG_DIR, LOCAL_LOG_FILE, READABLE_DRIVERS, cacheEnabled, logWriterFor, type LogConfig, type LogFiles } from './log-config.ts';

/** The files of the drivers that write them, and the dual-logging cache, in the container's directory. */
export function logFilesOf(id: string, dir: string): LogFiles {
  return { jsonFile: join(dir, `${id}-json.log`), localFile: join(dir, LOCAL_LOG_DIR, LOCAL_LOG_FILE), cacheFile: join(dir, CACHE_LOG_FILE) };
}

/** The shim's log settings for this container (undefined: no log); throws dockerd's init errors. */
export function logWriterOf(c: { rec: ContainerRecord; hostConfig: HostConfig }, dir: string): LogTarget | undefined {
  const cfg: LogConfig = { Type: c.hostConfig.LogConfig?.Type || 'json-file', Config: c.hostConfig.LogConfig?.Config ?? {} };
  const rec = c.rec;
  return logWriterFor(cfg, {
    id: rec.ID, name: rec.Name, imageId: rec.Image, imageName: rec.Config.Image ?? '', hostname: rec.Config.Hostname ?? '',
    command: [rec.Path, ...rec.Args].join(' '), labels: rec.Config.Labels ?? {}, env: rec.Config.Env ?? [],
  }, logFilesOf(rec.ID, dir));
}

/** A start failure of the log driver (dockerd: "failed to initialize logging driver: ..."). */
export function isLogInitError(e: unknown): e is BerthError {
  return e instanceof BerthError && e.message.startsWith('failed to initialize logging driver: ');
}

/** Where `docker logs` reads a container's log; undefined when its driver keeps none. */
export function containerLogSource(c: { rec: { ID: string; HostnamePath: string }; hostConfig: { LogConfig?: { Type?: string | null; Config?: Record<string, string> | null } | null } }): { path: string; format: LogFormat; maxFile?: number } | undefined {
  const type = c.hostConfig.LogConfig?.Type || 'json-file';
  const files = logFilesOf(c.rec.ID, dirname(c.rec.HostnamePath));
  const conf = c.hostConfig.LogConfig?.Config ?? {};
  if (!READABLE_DRIVERS.has(type)) {
    // dockerd's dual logging: a driver that cannot be read keeps a local cache, unless disabled.
    if (type === 'none' || !cacheEnabled(conf)) return undefined;
    const n = Number.parseInt(conf['cache-max-file'] ?? '5', 10);
    return { path: files.cacheFile, format: 'local', maxFile: Number.isFinite(n) && n > 0 ? n : 5 };
  }
  if (type === 'local') {
    const n = Number.parseInt(conf['max-file'] ?? '5', 10);
    return { path: files.localFile, format: 'local', maxFile: Number.isFinite(n) && n > 0 ? n : 5 };
  }
  return { path: files.jsonFile, format: 'json-file', maxFile: Number.parseInt(conf['max-file'] ?? '1', 10) || 1 };
}

interface FrameOptions {
  stdout: boolean;
  stderr: boolean;
  timestamps: boolean;
  details: boolean;
}

/** Log entries as the API sends them (moby daemon/logs.go): stream, [timestamp ][details ]line. */
export async function* logFrames(batches: AsyncIterable<LogEntry[]>, opts: FrameOptions): AsyncGenerator<Array<{ stream: 1 | 2; data: Buffer }>> {
  for await (const batch of batches) {
    const out: Array<{ stream: 1 | 2; data: Buffer }> = [];
    for (const e of batch) {
      const stream = e.stream === 'stderr' ? 2 : 1;
      if ((stream === 1 && !opts.stdout) || (stream === 2 && !opts.stderr)) continue;
      let prefix = '';
      if (opts.timestamps) prefix = `${rfc3339NanoFixed(e.timeNs)} `;
      if (opts.details) prefix += `${attrsText(e.attrs)} `;
      out.push({ stream, data: prefix ? Buffer.concat([Buffer.from(prefix), e.line]) : e.line });
    }
    if (out.length) yield out;
  }
}

let fixedSec = -1n;
let fixedSecText = '';

/** jsonmessage.RFC3339NanoFixed in UTC: "2006-01-02T15:04:05.000000000Z". */
export function rfc3339NanoFixed(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  if (sec !== fixedSec) {
    fixedSec = sec;
    fixedSecText = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
  }
  return `${fixedSecText}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

/** moby attrsByteSlice: k=v pairs, query-escaped, joined by commas (sorted by key here). */
function attrsText(attrs: Record<string, string> | undefined): string {
  if (!attrs) return '';
  const esc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.keys(attrs).sort().map((k) => `${esc(k)}=${esc(attrs[k])}`).join(',');
}

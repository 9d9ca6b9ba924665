// Builds and runs a berth-registry server from a RegistryConfig: the storage driver, the
// store, the authenticator (auth-wiring.ts), the HTTP(S) listener, the access log, upload
// purging and the optional in-process garbage collector.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../common/index.ts';
import type { RegistryConfig } from './config.ts';
import { ConfigError } from './config.ts';
import { createRegistryHandler, type AccessLogEntry } from './server.ts';
import { RegistryStore } from './store.ts';
import { FilesystemDriver } from './storage/filesystem.ts';
import { S3Driver, s3ConfigFrom } from './storage/s3.ts';
import type { StorageDriver } from './storage/driver.ts';
import { buildAuth } from './auth-wiring.ts';
import { purgeUploads } from './purge.ts';
import { collectGarbageGated } from './gc.ts';

const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;

/** JSON lines on stderr, at or above the configured level. */
export function jsonLogger(level: keyof typeof LEVELS): Logger {
  const at = (l: keyof typeof LEVELS) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[l] > LEVELS[level]) return;
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: l, msg, ...fields })}\n`);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** The storage driver a config names: filesystem (the default) or s3. */
export function createStorageDriver(cfg: RegistryConfig): StorageDriver {
  const others = Object.keys(cfg.storage).filter((k) => !['filesystem', 's3', 'delete', 'maintenance', 'gc', 'cache', 'redirect'].includes(k));
  if (others.length > 0) throw new ConfigError(`configuration error: storage driver not supported: ${others[0]}`);
  if ('s3' in cfg.storage) {
    if ('filesystem' in cfg.storage) throw new ConfigError('configuration error: storage: more than one driver (filesystem, s3)');
    try {
      return new S3Driver(s3ConfigFrom(cfg.storage.s3));
    } catch (err) {
      throw new ConfigError(`configuration error: ${(err as Error).message}`);
    }
  }
  return new FilesystemDriver(cfg.rootDirectory);
}

/** `HOST:PORT`, `:PORT` or `[v6]:PORT`. */
export function parseAddr(addr: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(addr);
  if (!m || Number(m[3]) > 65535) throw new ConfigError(`configuration error: invalid listen address ${addr}`);
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port: Number(m[3]) };
}

export interface RunningRegistry {
  server: Server;
  /** The address actually bound (port 0 resolved). */
  address: AddressInfo;
  close(): Promise<void>;
}

export async function serve(cfg: RegistryConfig, logger: Logger): Promise<RunningRegistry> {
  const driver = createStorageDriver(cfg);
  const store = new RegistryStore(driver);
  const { authenticator, extraHandler } = await buildAuth(cfg);
  let accessLog: ((e: AccessLogEntry) => void) | undefined;
  if (cfg.accessLog) {
    let out: NodeJS.WritableStream = process.stdout;
    if (cfg.accessLogFile) {
      const file = createWriteStream(cfg.accessLogFile, { flags: 'a', mode: 0o640 });
      await new Promise<void>((resolve, reject) => {
        file.once('open', () => resolve());
        file.once('error', (err) => reject(new ConfigError(`configuration error: log.accesslog.path: ${err.message}`)));
      });
      // A full disk later must not take the registry down: the log loses lines, requests go on.
      let reported = false;
      file.on('error', (err) => {
        if (!reported) logger.error('access log write failed', { err: String(err) });
        reported = true;
      });
      out = file;
    }
    accessLog = (e) => out.write(`${JSON.stringify(e)}\n`);
  }
  const handler = createRegistryHandler({
    store,
    authenticator,
    extraHandler,
    deleteEnabled: cfg.deleteEnabled,
    readOnly: cfg.readOnly,
    headers: cfg.headers,
    accessLog,
    logger,
  });
  let server: Server;
  if (cfg.tls) {
    const [cert, key, ...cas] = await Promise.all([
      readFile(cfg.tls.certificate),
      readFile(cfg.tls.key),
      ...cfg.tls.clientCAs.map((f) => readFile(f)),
    ]);
    server = createHttpsServer(
      { cert, key, ...(cas.length > 0 ? { ca: cas, requestCert: true, rejectUnauthorized: true } : {}) },
      handler,
    );
  } else {
    server = createHttpServer(handler);
  }
  // Blob uploads may stream for a long time; no request timeout (distribution has none either).
  server.requestTimeout = 0;
  server.keepAliveTimeout = 60_000;
  const { host, port } = parseAddr(cfg.addr);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPort = address.family === 'IPv6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
  logger.info(`listening on ${hostPort}`, { addr: hostPort, tls: cfg.tls !== undefined });

  const timers: NodeJS.Timeout[] = [];
  if (cfg.uploadPurging.enabled) {
    const run = () => {
      purgeUploads(store, new Date(Date.now() - cfg.uploadPurging.ageMs), cfg.uploadPurging.dryRun, (l) => logger.info(l))
        .then((p) => p.length > 0 && logger.info(`upload purge: ${p.length} sessions${cfg.uploadPurging.dryRun ? ' (dry run)' : ''}`))
        .catch((err: unknown) => logger.error('upload purge failed', { err: String(err) }));
    };
    run();
    timers.push(setInterval(run, Math.max(cfg.uploadPurging.intervalMs, 1000)));
  }
  if (cfg.gc.enabled) {
    const run = () => {
      collectGarbageGated(store, {
        dryRun: false,
        deleteUntagged: cfg.gc.deleteUntagged,
        minAgeMs: cfg.gc.minAgeMs,
        log: (l) => logger.debug(l),
      })
        .then((r) => logger.info('garbage collection done', { marked: r.marked, blobs_deleted: r.blobsDeleted.length }))
        .catch((err: unknown) => logger.error('garbage collection failed', { err: String(err) }));
    };
    timers.push(setInterval(run, Math.max(cfg.gc.intervalMs, 1000)));
  }
  return {
    server,
    address,
    close: async () => {
      for (const t of timers) clearInterval(t);
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    },
  };
}

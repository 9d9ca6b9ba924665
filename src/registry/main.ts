// berth-registry: an OCI distribution registry (a separate program from berthd).
//   berth-registry serve [--addr HOST:PORT] [--root DIR] [--config FILE | FILE]
//   berth-registry garbage-collect [--dry-run] [--delete-untagged] [--min-age D] [--grace D] CONFIG
//   berth-registry htpasswd [-B] [-C COST] USER [PASSWORD | --password-stdin]
import { ConfigError, defaultConfig, loadConfig, type RegistryConfig } from './config.ts';
import { jsonLogger, serve, createStorageDriver } from './serve.ts';
import { RegistryStore } from './store.ts';
import { collectGarbage } from './gc.ts';
import { parseGoDuration } from '../common/index.ts';
import { htpasswdLine, DEFAULT_BCRYPT_COST } from './auth/htpasswd.ts';

declare const BERTH_GIT_COMMIT: string | undefined;
const VERSION = '0.1.0';
const COMMIT = typeof BERTH_GIT_COMMIT === 'string' && BERTH_GIT_COMMIT ? BERTH_GIT_COMMIT : 'unknown';

const USAGE = `Usage:
  berth-registry serve [--addr HOST:PORT] [--root DIR] [--config FILE | FILE]
  berth-registry garbage-collect [--dry-run] [--delete-untagged] [--min-age D] [--grace D] CONFIG
  berth-registry htpasswd [-B] [-C COST] USER [PASSWORD | --password-stdin]
  berth-registry --version | --help

\`berth-registry\` stores and distributes container images (OCI distribution spec v1.1).

Commands:
  serve            Serve the registry API (config: distribution's config.yml keys)
  garbage-collect  Delete blobs no manifest references (-d, --dry-run; -m, --delete-untagged)
  htpasswd         Print a bcrypt htpasswd line for auth.htpasswd (as \`htpasswd -nB\`);
                   the password comes from stdin when not given

Flags of garbage-collect:
  -d, --dry-run          Print what would be deleted
  -m, --delete-untagged  Delete manifests no tag reaches (index children and referrers stay)
      --min-age D        Keep unreferenced blobs younger than D (default 0s; Go duration)
      --grace D          With servers running on the storage: wait D after announcing the
                         collection before marking (default 10s)

Flags of serve:
      --addr string     Listen address (default ":5000"; overrides http.addr)
      --root string     Storage root directory (overrides storage.filesystem.rootdirectory)
      --config string   Configuration file (YAML)
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE);
    return cmd === undefined ? 1 : 0;
  }
  if (cmd === '--version' || cmd === '-v' || cmd === 'version') {
    process.stdout.write(`berth-registry version ${VERSION}, build ${COMMIT}\n`);
    return 0;
  }
  if (cmd === 'serve') return runServe(rest);
  if (cmd === 'garbage-collect') return runGc(rest);
  if (cmd === 'htpasswd') return runHtpasswd(rest);
  process.stderr.write(`berth-registry: unknown command "${cmd}"\n\n${USAGE}`);
  return 1;
}

function flagValue(args: string[], i: number, name: string): string {
  const v = args[i + 1];
  if (v === undefined) throw new ConfigError(`flag needs an argument: ${name}`);
  return v;
}

async function runServe(args: string[]): Promise<number> {
  let addr: string | undefined;
  let root: string | undefined;
  let configFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = () => inline ?? flagValue(args, i++, flag);
    if (flag === '--addr') addr = value();
    else if (flag === '--root') root = value();
    else if (flag === '--config') configFile = value();
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(USAGE);
      return 0;
    } else if (!flag.startsWith('-') && configFile === undefined) configFile = flag;
    else throw new ConfigError(`unknown flag: ${flag}`);
  }
  let cfg: RegistryConfig;
  if (configFile !== undefined) cfg = await loadConfig(configFile);
  else if (root !== undefined) cfg = defaultConfig(root);
  else throw new ConfigError('serve needs --root DIR or a configuration file');
  if (root !== undefined) {
    cfg.rootDirectory = root;
    cfg.storage = { ...cfg.storage, filesystem: { rootdirectory: root } };
  }
  if (addr !== undefined) cfg.addr = addr;
  const logger = jsonLogger(cfg.logLevel);
  // A bug in one request must not take every other one down with the process.
  process.on('unhandledRejection', (err) => logger.error('unhandled rejection', { err: String(err) }));
  const running = await serve(cfg, logger);
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      logger.info(`received ${sig}, shutting down`);
      running.close().then(resolve, resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

async function runGc(args: string[]): Promise<number> {
  let dryRun = false;
  let deleteUntagged = false;
  let configFile: string | undefined;
  let graceMs = 10_000;
  let minAgeMs = 0;
  const durationFlag = (flag: string, v: string): number => {
    const ns = parseGoDuration(v);
    if (ns === undefined) throw new ConfigError(`invalid duration for ${flag}: ${v}`);
    return Number(ns / 1_000_000n);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--dry-run' || a === '-d') dryRun = true;
    else if (a === '--delete-untagged' || a === '-m') deleteUntagged = true;
    else if (a === '--grace') graceMs = durationFlag(a, flagValue(args, i++, a));
    else if (a === '--min-age') minAgeMs = durationFlag(a, flagValue(args, i++, a));
    else if (!a.startsWith('-') && configFile === undefined) configFile = a;
    else throw new ConfigError(`unknown flag: ${a}`);
  }
  if (configFile === undefined) throw new ConfigError('garbage-collect needs a configuration file');
  const cfg = await loadConfig(configFile);
  const store = new RegistryStore(createStorageDriver(cfg));
  await collectGarbage(store, {
    dryRun,
    deleteUntagged,
    minAgeMs,
    // A dry run deletes nothing: no need to hold the servers' manifest writes.
    announceGraceMs: dryRun ? undefined : graceMs,
    log: (l) => process.stdout.write(`${l}\n`),
  });
  return 0;
}

async function runHtpasswd(args: string[]): Promise<number> {
  let cost = DEFAULT_BCRYPT_COST;
  let fromStdin = false;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    // -B (bcrypt) is the only format, accepted for htpasswd's muscle memory; -n is implied.
    if (a === '-B' || a === '-n' || a === '-nB' || a === '-Bn') continue;
    if (a === '-C') {
      const v = flagValue(args, i++, '-C');
      cost = /^\d+$/.test(v) ? Number(v) : NaN;
    } else if (a === '--password-stdin' || a === '-i') fromStdin = true;
    else if (a.startsWith('-') && a !== '-') throw new ConfigError(`unknown flag: ${a}`);
    else positional.push(a);
  }
  const [user, password, extra] = positional;
  if (user === undefined || extra !== undefined || (password !== undefined && fromStdin)) {
    throw new ConfigError('usage: berth-registry htpasswd [-B] [-C COST] USER [PASSWORD | --password-stdin]');
  }
  let pw = password;
  if (pw === undefined) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
    pw = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  process.stdout.write(`${await htpasswdLine(user, pw, cost)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`berth-registry: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

// daemon.json plus flags that override it (DESIGN.md decision 9).
import { readFile } from 'node:fs/promises';
import { isErrno } from '../common/errors.ts';

export interface RuntimeConfig {
  path: string;
  runtimeArgs?: string[];
}

export interface DaemonConfig {
  dataRoot: string;
  execRoot: string;
  hosts: string[];
  configFile: string;
  debug: boolean;
  logLevel: string;
  pidfile: string;
  liveRestore: boolean;
  storageDriver: 'overlay2' | 'vfs' | 'auto';
  runtimes: Record<string, RuntimeConfig>;
  defaultRuntime: string;
  logDriver: string;
  logOpts: Record<string, string>;
  registryMirrors: string[];
  insecureRegistries: string[];
  /** Kept for the networking issue; stored and shown in info. */
  bip?: string;
  bridge?: string;
  defaultAddressPools?: Array<{ base: string; size: number }>;
  cgroupParent: string;
  shutdownTimeout: number;
}

export const DEFAULTS: DaemonConfig = {
  dataRoot: '/var/lib/berth',
  execRoot: '/run/berth',
  hosts: ['unix:///run/berth/berth.sock'],
  configFile: '/etc/berth/daemon.json',
  debug: false,
  logLevel: 'info',
  pidfile: '/run/berth/berthd.pid',
  liveRestore: false,
  storageDriver: 'auto',
  runtimes: { runc: { path: 'runc' } },
  defaultRuntime: 'runc',
  logDriver: 'json-file',
  logOpts: {},
  registryMirrors: [],
  insecureRegistries: [],
  cgroupParent: '/berth',
  shutdownTimeout: 15,
};

const USAGE = `Usage:	berthd [OPTIONS]

A self-sufficient runtime for containers, Docker-compatible.

Options:
      --config-file string   Daemon configuration file (default "/etc/berth/daemon.json")
      --data-root string     Root directory of persistent berth state (default "/var/lib/berth")
  -D, --debug                Enable debug mode
      --exec-root string     Root directory for execution state files (default "/run/berth")
  -H, --host list            Daemon socket(s) to connect to
      --live-restore         Enable live restore of containers when the daemon stops
  -l, --log-level string     Set the logging level ("debug"|"info"|"warn"|"error") (default "info")
  -p, --pidfile string       Path to use for daemon PID file (default "/run/berth/berthd.pid")
  -s, --storage-driver string  Storage driver to use (overlay2, vfs)
      --default-runtime string  Default OCI runtime for containers (default "runc")
      --cgroup-parent string  Parent cgroup for all containers (default "/berth")
  -v, --version              Print version information and quit
`;

export { USAGE as DAEMON_USAGE };

type FlagName = 'config-file' | 'data-root' | 'exec-root' | 'host' | 'log-level' | 'pidfile' | 'storage-driver' | 'default-runtime' | 'cgroup-parent' | 'bridge' | 'bip';
const STRING_FLAGS: Record<string, FlagName> = {
  '--config-file': 'config-file', '--data-root': 'data-root', '--exec-root': 'exec-root', '-H': 'host', '--host': 'host',
  '-l': 'log-level', '--log-level': 'log-level', '-p': 'pidfile', '--pidfile': 'pidfile', '-s': 'storage-driver',
  '--storage-driver': 'storage-driver', '--default-runtime': 'default-runtime', '--cgroup-parent': 'cgroup-parent',
  '-b': 'bridge', '--bridge': 'bridge', '--bip': 'bip',
};

export interface ParsedFlags {
  values: Partial<Record<FlagName, string[]>>;
  debug?: boolean;
  liveRestore?: boolean;
  help?: boolean;
  version?: boolean;
}

export function parseDaemonFlags(argv: string[]): ParsedFlags {
  const out: ParsedFlags = { values: {} };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('-') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const bool = (v: string | undefined) => v === undefined || !['false', '0'].includes(v);
    if (arg === '-D' || arg === '--debug') out.debug = bool(inline);
    else if (arg === '--live-restore') out.liveRestore = bool(inline);
    else if (arg === '-h' || arg === '--help') out.help = true;
    else if (arg === '-v' || arg === '--version') out.version = true;
    else if (arg in STRING_FLAGS) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`flag needs an argument: ${arg}`);
      const name = STRING_FLAGS[arg];
      (out.values[name] ??= []).push(value);
    } else {
      throw new Error(`unknown flag: ${arg}`);
    }
  }
  return out;
}

const KNOWN_KEYS = new Set([
  'data-root', 'exec-root', 'hosts', 'debug', 'log-level', 'pidfile', 'live-restore', 'storage-driver', 'runtimes',
  'default-runtime', 'log-driver', 'log-opts', 'registry-mirrors', 'insecure-registries', 'bip', 'bridge',
  'default-address-pools', 'cgroup-parent', 'shutdown-timeout', 'tls', 'tlsverify', 'tlscacert', 'tlscert', 'tlskey',
  'features', 'experimental', 'iptables', 'ip-forward', 'ip-masq', 'userland-proxy', 'dns', 'dns-search', 'dns-opts',
  'mtu', 'fixed-cidr', 'default-gateway', 'icc', 'ipv6', 'max-concurrent-downloads', 'max-concurrent-uploads',
]);

export async function readConfigFile(path: string, mustExist: boolean): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT') && !mustExist) return {};
    throw new Error(`unable to configure the berth daemon with file ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`unable to configure the berth daemon with file ${path}: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`unable to configure the berth daemon with file ${path}: not a JSON object`);
  }
  for (const key of Object.keys(parsed)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new Error(`unable to configure the berth daemon with file ${path}: the following directives don't match any configuration option: ${key}`);
    }
  }
  return parsed as Record<string, unknown>;
}

/** Flags override the file; a key given both ways is an error, as dockerd says. */
export function mergeConfig(flags: ParsedFlags, file: Record<string, unknown>, configFile: string): DaemonConfig {
  const cfg: DaemonConfig = structuredClone(DEFAULTS);
  cfg.configFile = configFile;
  const str = (key: string): string | undefined => (typeof file[key] === 'string' ? (file[key] as string) : undefined);
  const conflicts: string[] = [];
  const pick = (flag: FlagName, key: string): string | undefined => {
    const f = flags.values[flag]?.at(-1);
    if (f !== undefined && file[key] !== undefined) conflicts.push(`${key}: (from flag: ${f}, from file: ${String(file[key])})`);
    return f ?? str(key);
  };
  cfg.dataRoot = pick('data-root', 'data-root') ?? cfg.dataRoot;
  cfg.execRoot = pick('exec-root', 'exec-root') ?? cfg.execRoot;
  cfg.logLevel = pick('log-level', 'log-level') ?? cfg.logLevel;
  cfg.pidfile = pick('pidfile', 'pidfile') ?? `${cfg.execRoot}/berthd.pid`;
  cfg.storageDriver = (pick('storage-driver', 'storage-driver') ?? cfg.storageDriver) as DaemonConfig['storageDriver'];
  cfg.defaultRuntime = pick('default-runtime', 'default-runtime') ?? cfg.defaultRuntime;
  cfg.cgroupParent = pick('cgroup-parent', 'cgroup-parent') ?? cfg.cgroupParent;
  cfg.bridge = pick('bridge', 'bridge');
  cfg.bip = pick('bip', 'bip');
  if (flags.values.host?.length) {
    if (file.hosts !== undefined) conflicts.push(`hosts: (from flag: ${flags.values.host.join(',')}, from file: ${String(file.hosts)})`);
    cfg.hosts = flags.values.host;
  } else if (Array.isArray(file.hosts)) {
    cfg.hosts = file.hosts.map(String);
  } else {
    cfg.hosts = [`unix://${cfg.execRoot}/berth.sock`];
  }
  if (conflicts.length) {
    throw new Error(`unable to configure the berth daemon with file ${configFile}: the following directives are specified both as a flag and in the configuration file: ${conflicts.join(', ')}`);
  }
  cfg.debug = flags.debug ?? file.debug === true;
  if (cfg.debug) cfg.logLevel = 'debug';
  cfg.liveRestore = flags.liveRestore ?? file['live-restore'] === true;
  if (file.runtimes && typeof file.runtimes === 'object') {
    for (const [name, rt] of Object.entries(file.runtimes as Record<string, RuntimeConfig>)) {
      if (!rt || typeof rt.path !== 'string') throw new Error(`runtime ${name}: "path" is required`);
      cfg.runtimes[name] = { path: rt.path, runtimeArgs: rt.runtimeArgs };
    }
  }
  cfg.logDriver = str('log-driver') ?? cfg.logDriver;
  if (file['log-opts'] && typeof file['log-opts'] === 'object') cfg.logOpts = file['log-opts'] as Record<string, string>;
  if (Array.isArray(file['registry-mirrors'])) cfg.registryMirrors = file['registry-mirrors'].map(String);
  if (Array.isArray(file['insecure-registries'])) cfg.insecureRegistries = file['insecure-registries'].map(String);
  if (Array.isArray(file['default-address-pools'])) cfg.defaultAddressPools = file['default-address-pools'] as DaemonConfig['defaultAddressPools'];
  if (typeof file['shutdown-timeout'] === 'number') cfg.shutdownTimeout = file['shutdown-timeout'];
  if (!cfg.runtimes[cfg.defaultRuntime]) throw new Error(`default runtime ${cfg.defaultRuntime} is not defined in runtimes`);
  return cfg;
}

/** The keys dockerd reloads on SIGHUP that berth also honours. */
export function reloadableChanges(current: DaemonConfig, next: DaemonConfig): Partial<DaemonConfig> {
  return {
    debug: next.debug,
    logLevel: next.logLevel,
    liveRestore: next.liveRestore,
    runtimes: next.runtimes,
    defaultRuntime: next.defaultRuntime,
    registryMirrors: next.registryMirrors,
    insecureRegistries: next.insecureRegistries,
    shutdownTimeout: next.shutdownTimeout ?? current.shutdownTimeout,
  };
}

// daemon.json plus flags that override it (DESIGN.md decision 9).
import { readFile } from 'node:fs/promises';
import { validateLogOpts } from './logging/log-config.ts';
import { resolve } from 'node:path';
import { isErrno, parseGoBool } from '../common/index.ts';
import { instanceChainPrefix } from '../network/index.ts';
import { normalizeHosts, type TlsSettings } from './listeners.ts';

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
  /** Where registry CAs and client certificates are (`<dir>/<host:port>/`): --registry-certs-dir, "registry-certs-dir". */
  registryCertsDir: string;
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
  maxDownloadAttempts: number;
  /** The default bridge network: its Linux bridge, address (bip) and allocation range. */
  bip?: string;
  bridge?: string;
  fixedCidr?: string;
  /** IPv6 on the default bridge (--ipv6, "ipv6") and its subnet (--fixed-cidr-v6, "fixed-cidr-v6"). */
  ipv6: boolean;
  fixedCidrV6?: string;
  /** ip6tables rules for IPv6 networks (--ip6tables, "ip6tables"; default true as in dockerd 27+). */
  ip6tables: boolean;
  defaultAddressPools?: Array<{ base: string; size: number }>;
  mtu: number;
  iptables: boolean;
  ipForward: boolean;
  ipMasq: boolean;
  icc: boolean;
  /**
   * Prefix of this instance's own iptables chains: BERTH for the default bridge and data root,
   * else derived from them (hidden flag --iptables-chain-prefix: tests use their own).
   */
  iptablesChainPrefix: string;
  cgroupParent: string;
  shutdownTimeout: number;
  /** --tls, --tlsverify, --tlscacert, --tlscert, --tlskey after dockerd's rules. */
  tls: TlsSettings;
}

/**
 * Where the daemon's TLS files are when --tlscacert/--tlscert/--tlskey are not given:
 * $BERTH_CERT_PATH, else /etc/berth (dockerd uses $DOCKER_CERT_PATH, else ~/.docker).
 */
function defaultCertDir(env: NodeJS.ProcessEnv): string {
  return env.BERTH_CERT_PATH || '/etc/berth';
}

/** The default bridge network's Linux bridge when --bridge is not given. */
const DEFAULT_BRIDGE = 'berth0';

const DEFAULTS: DaemonConfig = {
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
  registryCertsDir: '/etc/berth/certs.d',
  maxConcurrentDownloads: 3,
  maxConcurrentUploads: 5,
  maxDownloadAttempts: 5,
  cgroupParent: '/berth',
  shutdownTimeout: 15,
  mtu: 1500,
  iptables: true,
  ipForward: true,
  ipMasq: true,
  icc: true,
  ipv6: false,
  ip6tables: true,
  iptablesChainPrefix: 'BERTH',
  tls: { tls: false, verify: false, explicit: false, caFile: '/etc/berth/ca.pem', certFile: '/etc/berth/cert.pem', keyFile: '/etc/berth/key.pem' },
};

const USAGE = `Usage:	berthd [OPTIONS]

A self-sufficient runtime for containers, Docker-compatible.

Options:
      --config-file string   Daemon configuration file (default "/etc/berth/daemon.json")
      --data-root string     Root directory of persistent berth state (default "/var/lib/berth")
  -D, --debug                Enable debug mode
      --exec-root string     Root directory for execution state files (default "/run/berth")
  -H, --host list            Daemon socket(s) to connect to (unix://PATH, tcp://HOST:PORT, fd://[N])
      --live-restore         Enable live restore of containers when the daemon stops
  -l, --log-level string     Set the logging level ("debug"|"info"|"warn"|"error") (default "info")
  -p, --pidfile string       Path to use for daemon PID file (default "/run/berth/berthd.pid")
  -s, --storage-driver string  Storage driver to use (overlay2, vfs)
      --default-runtime string  Default OCI runtime for containers (default "runc")
      --cgroup-parent string  Parent cgroup for all containers (default "/berth")
  -b, --bridge string        Attach containers to a network bridge (default "berth0")
      --bip string           Network bridge IP
      --fixed-cidr string    IPv4 subnet for fixed IPs
      --fixed-cidr-v6 string IPv6 subnet for fixed IPs
      --ipv6                 Enable IPv6 networking on the default bridge
      --ip6tables            Enable addition of ip6tables rules (default true)
      --mtu int              Set the containers network MTU (default 1500)
      --icc                  Enable inter-container communication (default true)
      --ip-forward           Enable net.ipv4.ip_forward (default true)
      --ip-masq              Enable IP masquerading (default true)
      --iptables             Enable addition of iptables rules (default true)
      --tls                  Use TLS; implied by --tlsverify
      --tlscacert string     Trust certs signed only by this CA (default "/etc/berth/ca.pem")
      --tlscert string       Path to TLS certificate file (default "/etc/berth/cert.pem")
      --tlskey string        Path to TLS key file (default "/etc/berth/key.pem")
      --tlsverify            Use TLS and verify the remote
      --registry-mirror list Preferred registry mirror
      --insecure-registry list  Enable insecure registry communication
      --registry-certs-dir string  Registry CAs and client certificates, <dir>/<host:port>/ (default "/etc/berth/certs.d")
      --max-concurrent-downloads int  Set the max concurrent downloads (default 3)
      --max-concurrent-uploads int  Set the max concurrent uploads (default 5)
      --max-download-attempts int  Set the max download attempts for each pull (default 5)
  -v, --version              Print version information and quit
`;

export { USAGE as DAEMON_USAGE };

type FlagName = 'config-file' | 'data-root' | 'exec-root' | 'host' | 'log-level' | 'pidfile' | 'storage-driver' | 'default-runtime' | 'cgroup-parent' | 'bridge' | 'bip'
  | 'fixed-cidr' | 'fixed-cidr-v6' | 'mtu' | 'iptables-chain-prefix' | 'tlscacert' | 'tlscert' | 'tlskey'
  | 'registry-mirror' | 'insecure-registry' | 'registry-certs-dir' | 'max-concurrent-downloads' | 'max-concurrent-uploads' | 'max-download-attempts';
type BoolFlag = 'icc' | 'ip-forward' | 'ip-masq' | 'iptables' | 'ipv6' | 'ip6tables' | 'tls' | 'tlsverify';
const BOOL_FLAGS: Record<string, BoolFlag> = {
  '--icc': 'icc', '--ip-forward': 'ip-forward', '--ip-masq': 'ip-masq', '--iptables': 'iptables', '--ipv6': 'ipv6', '--ip6tables': 'ip6tables',
  '--tls': 'tls', '--tlsverify': 'tlsverify',
};
const STRING_FLAGS: Record<string, FlagName> = {
  '--config-file': 'config-file', '--data-root': 'data-root', '--exec-root': 'exec-root', '-H': 'host', '--host': 'host',
  '-l': 'log-level', '--log-level': 'log-level', '-p': 'pidfile', '--pidfile': 'pidfile', '-s': 'storage-driver',
  '--storage-driver': 'storage-driver', '--default-runtime': 'default-runtime', '--cgroup-parent': 'cgroup-parent',
  '-b': 'bridge', '--bridge': 'bridge', '--bip': 'bip', '--fixed-cidr': 'fixed-cidr', '--fixed-cidr-v6': 'fixed-cidr-v6', '--mtu': 'mtu',
  '--iptables-chain-prefix': 'iptables-chain-prefix', '--tlscacert': 'tlscacert', '--tlscert': 'tlscert', '--tlskey': 'tlskey',
  '--registry-mirror': 'registry-mirror', '--insecure-registry': 'insecure-registry', '--registry-certs-dir': 'registry-certs-dir',
  '--max-concurrent-downloads': 'max-concurrent-downloads', '--max-concurrent-uploads': 'max-concurrent-uploads', '--max-download-attempts': 'max-download-attempts',
};

export interface ParsedFlags {
  values: Partial<Record<FlagName, string[]>>;
  debug?: boolean;
  liveRestore?: boolean;
  bools?: Partial<Record<BoolFlag, boolean>>;
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
    // A bare bool flag is true; a value is read as pflag does (strconv.ParseBool).
    const bool = (v: string | undefined) => {
      if (v === undefined) return true;
      const b = parseGoBool(v);
      if (b === undefined) throw new Error(`invalid argument "${v}" for "${arg}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
      return b;
    };
    if (arg === '-D' || arg === '--debug') out.debug = bool(inline);
    else if (arg === '--live-restore') out.liveRestore = bool(inline);
    else if (arg in BOOL_FLAGS) (out.bools ??= {})[BOOL_FLAGS[arg]] = bool(inline);
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
  'mtu', 'fixed-cidr', 'fixed-cidr-v6', 'ip6tables', 'default-gateway', 'icc', 'ipv6', 'max-concurrent-downloads', 'max-concurrent-uploads',
  'max-download-attempts', 'registry-certs-dir',
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
export function mergeConfig(flags: ParsedFlags, file: Record<string, unknown>, configFile: string, env: NodeJS.ProcessEnv = process.env): DaemonConfig {
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
  cfg.fixedCidr = pick('fixed-cidr', 'fixed-cidr');
  cfg.fixedCidrV6 = pick('fixed-cidr-v6', 'fixed-cidr-v6');
  const prefix = flags.values['iptables-chain-prefix']?.at(-1);
  if (prefix !== undefined) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,9}$/.test(prefix)) throw new Error(`invalid --iptables-chain-prefix ${prefix}: 1 to 10 letters, digits or _`);
    cfg.iptablesChainPrefix = prefix;
  } else {
    const bridge = cfg.bridge || DEFAULT_BRIDGE;
    const dataRoot = resolve(cfg.dataRoot);
    cfg.iptablesChainPrefix = instanceChainPrefix(bridge, dataRoot, bridge === DEFAULT_BRIDGE && dataRoot === DEFAULTS.dataRoot);
  }
  const mtuFlag = flags.values.mtu?.at(-1);
  if (mtuFlag !== undefined && file.mtu !== undefined) conflicts.push(`mtu: (from flag: ${mtuFlag}, from file: ${String(file.mtu)})`);
  const mtu = mtuFlag !== undefined ? Number(mtuFlag) : file.mtu;
  if (mtu !== undefined) {
    if (typeof mtu !== 'number' || !Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new Error(`invalid mtu: ${String(mtu)}`);
    cfg.mtu = mtu;
  }
  const boolKey = (flag: BoolFlag, key: string, dflt: boolean): boolean => {
    const f = flags.bools?.[flag];
    if (f !== undefined && file[key] !== undefined) conflicts.push(`${key}: (from flag: ${f}, from file: ${String(file[key])})`);
    if (f !== undefined) return f;
    if (file[key] === undefined) return dflt;
    if (typeof file[key] !== 'boolean') throw new Error(`unable to configure the berth daemon with file ${configFile}: ${key} must be true or false`);
    return file[key] as boolean;
  };
  cfg.icc = boolKey('icc', 'icc', true);
  cfg.ipForward = boolKey('ip-forward', 'ip-forward', true);
  cfg.ipMasq = boolKey('ip-masq', 'ip-masq', true);
  cfg.iptables = boolKey('iptables', 'iptables', true);
  cfg.ipv6 = boolKey('ipv6', 'ipv6', false);
  cfg.ip6tables = boolKey('ip6tables', 'ip6tables', true);
  const tls = tlsSettings(flags, file, configFile, env, conflicts, pick);
  let hosts: string[] = [];
  if (flags.values.host?.length) {
    if (file.hosts !== undefined) conflicts.push(`hosts: (from flag: [${flags.values.host.join(' ')}], from file: ${String(file.hosts)})`);
    hosts = flags.values.host;
  } else if (file.hosts !== undefined) {
    if (!Array.isArray(file.hosts) || !file.hosts.every((h) => typeof h === 'string')) throw new Error(`unable to configure the berth daemon with file ${configFile}: hosts must be a list of strings`);
    hosts = file.hosts as string[];
  }
  if (conflicts.length) {
    throw new Error(`unable to configure the berth daemon with file ${configFile}: the following directives are specified both as a flag and in the configuration file: ${conflicts.join(', ')}`);
  }
  cfg.tls = tls;
  cfg.hosts = normalizeHosts(hosts, tls.tls, `${cfg.execRoot}/berth.sock`);
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
  // dockerd's defaultLogConfig: the default options are checked at start, when there are any.
  if (Object.keys(cfg.logOpts).length > 0) {
    try {
      validateLogOpts(cfg.logDriver, cfg.logOpts);
    } catch (e) {
      throw new Error(`failed to set log opts: ${(e as Error).message}`);
    }
  }
  registrySettings(cfg, flags, file, configFile);
  if (Array.isArray(file['default-address-pools'])) cfg.defaultAddressPools = file['default-address-pools'] as DaemonConfig['defaultAddressPools'];
  if (typeof file['shutdown-timeout'] === 'number') cfg.shutdownTimeout = file['shutdown-timeout'];
  if (!cfg.runtimes[cfg.defaultRuntime]) throw new Error(`default runtime ${cfg.defaultRuntime} is not defined in runtimes`);
  return cfg;
}

/**
 * Registry keys and flags (dockerd's): mirrors and insecure registries as lists (a flag may be
 * repeated; given both ways is a conflict), the download/upload limits as integers.
 */
function registrySettings(cfg: DaemonConfig, flags: ParsedFlags, file: Record<string, unknown>, configFile: string): void {
  const bad = (msg: string) => new Error(`unable to configure the berth daemon with file ${configFile}: ${msg}`);
  const conflicts: string[] = [];
  const list = (flag: FlagName, key: string): string[] | undefined => {
    const f = flags.values[flag];
    const v = file[key];
    if (f?.length && v !== undefined) conflicts.push(`${key}: (from flag: [${f.join(' ')}], from file: ${JSON.stringify(v)})`);
    if (f?.length) return [...f];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw bad(`${key} must be a list of strings`);
    return v as string[];
  };
  const int = (flag: FlagName, key: string): number | undefined => {
    const f = flags.values[flag]?.at(-1);
    const v = file[key];
    if (f !== undefined && v !== undefined) conflicts.push(`${key}: (from flag: ${f}, from file: ${String(v)})`);
    if (f !== undefined) {
      if (!/^-?\d+$/.test(f)) throw new Error(`invalid argument "${f}" for "--${flag}" flag: strconv.ParseInt: parsing "${f}": invalid syntax`);
      return Number(f);
    }
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(`${key} must be an integer`);
    return v;
  };
  cfg.registryMirrors = list('registry-mirror', 'registry-mirrors') ?? cfg.registryMirrors;
  cfg.insecureRegistries = list('insecure-registry', 'insecure-registries') ?? cfg.insecureRegistries;
  const certs = flags.values['registry-certs-dir']?.at(-1);
  if (certs !== undefined && file['registry-certs-dir'] !== undefined) conflicts.push(`registry-certs-dir: (from flag: ${certs}, from file: ${String(file['registry-certs-dir'])})`);
  const certsFile = file['registry-certs-dir'];
  if (certsFile !== undefined && typeof certsFile !== 'string') throw bad('registry-certs-dir must be a string');
  cfg.registryCertsDir = certs ?? (certsFile as string | undefined) ?? cfg.registryCertsDir;
  // dockerd: negative values are refused; 0 means the default.
  const limits: [FlagName, keyof DaemonConfig, number][] = [
    ['max-concurrent-downloads', 'maxConcurrentDownloads', 3],
    ['max-concurrent-uploads', 'maxConcurrentUploads', 5],
    ['max-download-attempts', 'maxDownloadAttempts', 5],
  ];
  for (const [name, field, dflt] of limits) {
    const n = int(name, name);
    if (n === undefined) continue;
    if (n < 0) throw new Error(`invalid ${name}: ${n}`);
    (cfg as unknown as Record<string, number>)[field] = n === 0 ? dflt : n;
  }
  if (conflicts.length) {
    throw bad(`the following directives are specified both as a flag and in the configuration file: ${conflicts.join(', ')}`);
  }
}

/**
 * dockerd's TLS rules: --tlsverify given at all (true or false) turns TLS on; tlsverify unset
 * follows tls; with TLS on, clients are verified unless tlsverify is false. File paths default
 * to the cert dir. A key given as a flag and in the file is a conflict, like the others.
 */
function tlsSettings(
  flags: ParsedFlags, file: Record<string, unknown>, configFile: string, env: NodeJS.ProcessEnv, conflicts: string[],
  pick: (flag: FlagName, key: string) => string | undefined,
): TlsSettings {
  const boolOf = (key: 'tls' | 'tlsverify'): boolean | undefined => {
    const f = flags.bools?.[key];
    if (f !== undefined && file[key] !== undefined) conflicts.push(`${key}: (from flag: ${f}, from file: ${String(file[key])})`);
    if (f !== undefined) return f;
    if (file[key] === undefined) return undefined;
    if (typeof file[key] !== 'boolean') throw new Error(`unable to configure the berth daemon with file ${configFile}: ${key} must be true or false`);
    return file[key] as boolean;
  };
  const tlsValue = boolOf('tls');
  const verifyValue = boolOf('tlsverify');
  const dir = defaultCertDir(env);
  const path = (flag: 'tlscacert' | 'tlscert' | 'tlskey', name: string) => {
    const v = file[flag];
    if (v !== undefined && typeof v !== 'string') throw new Error(`unable to configure the berth daemon with file ${configFile}: ${flag} must be a string`);
    return pick(flag, flag) ?? `${dir}/${name}`;
  };
  const tls = verifyValue !== undefined ? true : tlsValue ?? false;
  return {
    tls,
    verify: tls && verifyValue === true,
    explicit: tlsValue !== undefined || verifyValue !== undefined,
    caFile: path('tlscacert', 'ca.pem'),
    certFile: path('tlscert', 'cert.pem'),
    keyFile: path('tlskey', 'key.pem'),
  };
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
    maxConcurrentDownloads: next.maxConcurrentDownloads,
    maxConcurrentUploads: next.maxConcurrentUploads,
    maxDownloadAttempts: next.maxDownloadAttempts,
    shutdownTimeout: next.shutdownTimeout ?? current.shutdownTimeout,
  };
}

/**
 * The daemon reload event's attributes (moby daemon/reload.go and reload_unix.go): the reloadable
 * settings now in force, as strings, lists as JSON, and the host's name.
 */
export function reloadEventAttributes(cfg: DaemonConfig, host: string): Record<string, string> {
  const runtimes = Object.entries(cfg.runtimes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, rt]) => `${name}:${rt.path}`).join(' ');
  const attrs: Record<string, string> = {
    'allow-nondistributable-artifacts': '[]',
    debug: String(cfg.debug),
    'default-cgroupns-mode': 'private',
    'default-ipc-mode': 'private',
    'default-runtime': cfg.defaultRuntime,
    'default-shm-size': String(64 * 1024 * 1024),
    features: 'map[]',
    'insecure-registries': JSON.stringify(cfg.insecureRegistries),
    labels: '[]',
    'live-restore': String(cfg.liveRestore),
    'max-concurrent-downloads': String(cfg.maxConcurrentDownloads),
    'max-concurrent-uploads': String(cfg.maxConcurrentUploads),
    'max-download-attempts': String(cfg.maxDownloadAttempts),
    'registry-mirrors': JSON.stringify(cfg.registryMirrors),
    runtimes,
    'shutdown-timeout': String(cfg.shutdownTimeout),
  };
  if (host) attrs.name = host;
  return attrs;
}

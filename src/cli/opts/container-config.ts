// Builds the POST /containers/create request from run/create flags, as docker's parse() does
// (cli/command/container/opts.go): the same checks, the same messages, the same body.
import type { Flags } from '../framework/types.ts';
import { containerFlags } from './container-flags.ts';
import { FlagValueError, OptionError } from './errors.ts';
import { parseCpus } from './cpus.ts';
import { kvToMap, readEnv, readLabels, validateEnv, validateLabel, type LookupEnv } from './env.ts';
import { memSwapBytes, ramInBytes } from './mem-bytes.ts';
import { effectiveCaps, parseDevice, parseLoggingOpts, parseSecurityOpts, parseStorageOpts, validateAttach, validateDeviceCgroupRule, validateNamespaceMode, validateSysctl } from './misc.ts';
import { parseMount, type Mount } from './mount.ts';
import { normalizeIp, parseIpFlag, validateDnsSearch, validateExtraHost, validateIpAddress, validateLink, validateMac } from './network.ts';
import { parseExpose, parsePortSpecs } from './ports.ts';
import { isNoRestart, parseRestartPolicy } from './restart.ts';
import { mergeUlimits, parseUlimit } from './ulimit.ts';
import { parseTmpfs, parseVolumes } from './volumes.ts';

export interface CreateRequest {
  /** ?name= (omitted when empty). */
  name: string;
  /** ?platform= (omitted when empty). */
  platform: string;
  body: Record<string, any>;
}

export interface BuildOptions {
  /** The client's environment, for `-e NAME` and bare names in --env-file. */
  lookupEnv?: LookupEnv;
  /** For relative bind sources ("./data:/data"). */
  cwd?: string;
  /** [rows, cols] of the terminal when -t; docker sends it so the first output has the right size. */
  consoleSize?: [number, number];
}

/** "-m, --memory" or "--cpus": how docker names a flag in its errors. */
function flagTitle(name: string): string {
  const spec = containerFlags.find((s) => s.name === name);
  return spec?.short ? `-${spec.short}, --${name}` : `--${name}`;
}

/** Checks each value of a flag with its parser; a failure names the flag and the value. */
function each<T>(flags: Flags, name: string, parse: (v: string) => T): T[] {
  return flags.list(name).map((v) => one(name, v, parse));
}

function one<T>(name: string, value: string, parse: (v: string) => T): T {
  try {
    return parse(value);
  } catch (err) {
    if (err instanceof OptionError) throw new FlagValueError(flagTitle(name), value, err.message);
    throw err;
  }
}

/** A flag that parses a size or number only when given. */
function optional<T>(flags: Flags, name: string, parse: (v: string) => T, unset: T): T {
  return flags.changed(name) ? one(name, flags.string(name), parse) : unset;
}

/** Network names that are not user-defined networks (docker's NetworkMode.IsUserDefined). */
function isUserDefined(mode: string): boolean {
  return !['default', 'bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:');
}

function emptyEndpoint(): Record<string, any> {
  return {
    IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, GwPriority: 0, NetworkID: '', EndpointID: '',
    Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: null,
  };
}

/** --network name or name=..,alias=..,ip=.. (docker's NetworkOpt). */
interface NetworkAttachment {
  target: string;
  aliases: string[];
  driverOpts: Record<string, string>;
  links: string[];
  ipv4: string;
  ipv6: string;
  mac: string;
  linkLocalIps: string[];
  gwPriority: number;
}

function parseNetworkFlag(value: string): NetworkAttachment {
  const att: NetworkAttachment = { target: value, aliases: [], driverOpts: {}, links: [], ipv4: '', ipv6: '', mac: '', linkLocalIps: [], gwPriority: 0 };
  if (!value.includes('=')) return att;
  att.target = '';
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    if (eq < 0) throw new OptionError(`invalid field '${field}' must be a key=value pair`);
    const key = field.slice(0, eq).toLowerCase();
    const val = field.slice(eq + 1);
    switch (key) {
      case 'name':
        att.target = val;
        break;
      case 'alias':
        att.aliases.push(val);
        break;
      case 'ip':
        att.ipv4 = val;
        break;
      case 'ip6':
        att.ipv6 = val;
        break;
      case 'mac-address':
        att.mac = val;
        break;
      case 'link-local-ip':
        att.linkLocalIps.push(val);
        break;
      case 'driver-opt': {
        const i = val.indexOf('=');
        if (i < 0) throw new OptionError(`invalid driver-opt value '${val}'`);
        att.driverOpts[val.slice(0, i)] = val.slice(i + 1);
        break;
      }
      case 'gw-priority':
        att.gwPriority = Number(val);
        if (!Number.isInteger(att.gwPriority)) throw new OptionError(`invalid gw-priority: ${val}`);
        break;
      default:
        throw new OptionError(`invalid field key ${key}`);
    }
  }
  return att;
}

function endpointsConfig(flags: Flags): Record<string, any> {
  const nets = [...flags.list('net'), ...flags.list('network')].map((v) => one('network', v, parseNetworkFlag));
  const aliases = [...flags.list('net-alias'), ...flags.list('network-alias')];
  const links = each(flags, 'link', validateLink);
  const ipv4 = flags.changed('ip') ? one('ip', flags.string('ip'), (v) => parseIpFlag(v, 4)) : undefined;
  const ipv6 = flags.changed('ip6') ? one('ip6', flags.string('ip6'), (v) => parseIpFlag(v, 6)) : undefined;
  const mac = flags.string('mac-address');
  const linkLocal = flags.list('link-local-ip');

  const applyContainerOptions = (n: NetworkAttachment) => {
    if (n.aliases.length && aliases.length) throw new OptionError('conflicting options: cannot specify both --network-alias and per-network alias');
    if (n.links.length && links.length) throw new OptionError('conflicting options: cannot specify both --link and per-network links');
    if (n.ipv4 && ipv4 !== undefined) throw new OptionError('conflicting options: cannot specify both --ip and per-network IPv4 address');
    if (n.ipv6 && ipv6 !== undefined) throw new OptionError('conflicting options: cannot specify both --ip6 and per-network IPv6 address');
    if (n.mac && mac) throw new OptionError('conflicting options: cannot specify both --mac-address and per-network MAC address');
    if (n.linkLocalIps.length && linkLocal.length) throw new OptionError('conflicting options: cannot specify both --link-local-ip and per-network link-local IP addresses');
    if (aliases.length) n.aliases = [...aliases];
    if (isUserDefined(n.target) && links.length) n.links = [...links];
    if (ipv4) n.ipv4 = ipv4;
    if (ipv6) n.ipv6 = ipv6;
    if (mac) n.mac = mac;
    if (linkLocal.length) n.linkLocalIps = [...linkLocal];
  };

  const toEndpoint = (n: NetworkAttachment): { ep: Record<string, any>; empty: boolean } => {
    if (n.target.trim() === '') throw new OptionError('no name set for network');
    if (!isUserDefined(n.target)) {
      if (n.aliases.length) throw new OptionError('network-scoped aliases are only supported for user-defined networks');
      if (n.links.length) throw new OptionError('links are only supported for user-defined networks');
    }
    const ep = emptyEndpoint();
    ep.GwPriority = n.gwPriority;
    if (n.aliases.length) ep.Aliases = n.aliases;
    if (Object.keys(n.driverOpts).length) ep.DriverOpts = n.driverOpts;
    if (n.links.length) ep.Links = n.links;
    if (n.ipv4 || n.ipv6 || n.linkLocalIps.length) {
      const ipam: Record<string, any> = {};
      if (n.ipv4) ipam.IPv4Address = normalizeIp(n.ipv4) ?? n.ipv4;
      if (n.ipv6) ipam.IPv6Address = normalizeIp(n.ipv6) ?? n.ipv6;
      if (n.linkLocalIps.length) ipam.LinkLocalIPs = n.linkLocalIps.map((ip) => normalizeIp(ip) ?? ip);
      ep.IPAMConfig = ipam;
    }
    if (n.mac) ep.MacAddress = validateMac(n.mac);
    const empty = n.gwPriority === 0 && !n.aliases.length && !Object.keys(n.driverOpts).length && !n.links.length && ep.IPAMConfig === null && !n.mac;
    return { ep, empty };
  };

  const endpoints: Record<string, any> = {};
  if (nets.length === 0) {
    const n = parseNetworkFlag('default');
    applyContainerOptions(n);
    endpoints.default = toEndpoint(n).ep;
    return endpoints;
  }
  let userDefined = false, builtin = false;
  nets.forEach((n, i) => {
    if (isUserDefined(n.target)) userDefined = true;
    else builtin = true;
    if (i === 0) applyContainerOptions(n);
    const { ep, empty } = toEndpoint(n);
    if (n.target in endpoints) throw new OptionError(`network ${JSON.stringify(n.target)} is specified multiple times`);
    // One network and nothing set for it: docker leaves the endpoint to the daemon.
    if (i === 0 && nets.length === 1 && empty) return;
    endpoints[n.target] = ep;
  });
  if (userDefined && builtin) throw new OptionError('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  return endpoints;
}

function networkMode(flags: Flags): string {
  const nets = [...flags.list('net'), ...flags.list('network')];
  if (nets.length === 0) return 'default';
  return parseNetworkFlag(nets[0]).target;
}

/** The create request for `run`/`create` with these flags and IMAGE [COMMAND] [ARG...]. */
export function buildCreateRequest(flags: Flags, args: string[], opts: BuildOptions = {}): CreateRequest {
  const lookup: LookupEnv = opts.lookupEnv ?? ((k) => process.env[k]);
  const cwd = opts.cwd ?? process.cwd();
  const [image, ...cmd] = args;

  // Values checked as the flags are read (pflag's Set): "invalid argument ... for ... flag".
  const attach = each(flags, 'attach', validateAttach);
  each(flags, 'device-cgroup-rule', validateDeviceCgroupRule);
  const envValues = each(flags, 'env', (v) => validateEnv(v, lookup));
  const labelValues = each(flags, 'label', validateLabel);
  const sysctls = kvToMap(each(flags, 'sysctl', validateSysctl));
  const ulimits = mergeUlimits(each(flags, 'ulimit', parseUlimit));
  const extraHosts = each(flags, 'add-host', validateExtraHost);
  const dns = each(flags, 'dns', validateIpAddress);
  const dnsSearch = each(flags, 'dns-search', validateDnsSearch);
  const mounts: Mount[] = each(flags, 'mount', (v) => parseMount(v, cwd));
  const memory = optional(flags, 'memory', ramInBytes, 0);
  const memoryReservation = optional(flags, 'memory-reservation', ramInBytes, 0);
  const memorySwap = optional(flags, 'memory-swap', memSwapBytes, 0);
  const nanoCpus = optional(flags, 'cpus', parseCpus, 0);
  const shmSize = optional(flags, 'shm-size', ramInBytes, 0);
  const ioMaxBandwidth = optional(flags, 'io-maxbandwidth', ramInBytes, 0);
  // Kept for old scripts: checked like docker, then dropped (the kernel no longer has it).
  optional(flags, 'kernel-memory', ramInBytes, 0);

  // Checks made while building the request: "docker: ...".
  if (flags.changed('gpus')) throw new OptionError('--gpus is not supported by berth (no GPU device requests)');
  const swappiness = flags.changed('memory-swappiness') ? flags.int('memory-swappiness') : -1;
  if (swappiness !== -1 && (swappiness < 0 || swappiness > 100)) throw new OptionError(`invalid value: ${swappiness}. Valid memory swappiness range is 0-100`);

  const { binds, volumes } = parseVolumes(flags.list('volume'), cwd);
  const tmpfs = parseTmpfs(flags.list('tmpfs'));

  let entrypoint: string[] | null = null;
  if (flags.string('entrypoint') !== '') entrypoint = [flags.string('entrypoint')];
  else if (flags.changed('entrypoint')) entrypoint = [''];

  const { exposed, bindings } = parsePortSpecs(flags.list('publish'));
  for (const e of flags.list('expose')) for (const p of parseExpose(e)) exposed[p] = {};

  const devices = flags.list('device').map(parseDevice);
  const env = readEnv(flags.list('env-file'), [], lookup).concat(envValues);
  const labels = { ...readLabels(flags.list('label-file'), []), ...kvToMap(labelValues) };

  validateNamespaceMode('pid', flags.string('pid'));
  validateNamespaceMode('uts', flags.string('uts'));
  validateNamespaceMode('userns', flags.string('userns'));
  validateNamespaceMode('cgroupns', flags.string('cgroupns'));

  const restartPolicy = parseRestartPolicy(flags.string('restart'));
  const logConfig = parseLoggingOpts(flags.string('log-driver'), flags.list('log-opt'));
  const security = parseSecurityOpts(flags.list('security-opt'));
  const storageOpt = parseStorageOpts(flags.list('storage-opt'));

  let healthcheck: Record<string, any> | undefined;
  const hc = {
    cmd: flags.string('health-cmd'), interval: flags.duration('health-interval'), timeout: flags.duration('health-timeout'),
    startPeriod: flags.duration('health-start-period'), startInterval: flags.duration('health-start-interval'), retries: flags.int('health-retries'),
  };
  const haveHealth = hc.cmd !== '' || hc.interval !== 0 || hc.timeout !== 0 || hc.startPeriod !== 0 || hc.retries !== 0 || hc.startInterval !== 0;
  if (flags.bool('no-healthcheck')) {
    if (haveHealth) throw new OptionError('--no-healthcheck conflicts with --health-* options');
    healthcheck = { Test: ['NONE'] };
  } else if (haveHealth) {
    if (hc.interval < 0) throw new OptionError('--health-interval cannot be negative');
    if (hc.timeout < 0) throw new OptionError('--health-timeout cannot be negative');
    if (hc.retries < 0) throw new OptionError('--health-retries cannot be negative');
    if (hc.startPeriod < 0) throw new OptionError('--health-start-period cannot be negative');
    if (hc.startInterval < 0) throw new OptionError('--health-start-interval cannot be negative');
    healthcheck = {};
    if (hc.cmd !== '') healthcheck.Test = ['CMD-SHELL', hc.cmd];
    if (hc.interval) healthcheck.Interval = hc.interval;
    if (hc.timeout) healthcheck.Timeout = hc.timeout;
    if (hc.startPeriod) healthcheck.StartPeriod = hc.startPeriod;
    if (hc.startInterval) healthcheck.StartInterval = hc.startInterval;
    if (hc.retries) healthcheck.Retries = hc.retries;
  }

  const stdin = flags.bool('interactive');
  const tty = flags.bool('tty');
  const attachStdin = attach.includes('stdin') || stdin;
  const attachStdout = attach.length === 0 || attach.includes('stdout');
  const attachStderr = attach.length === 0 || attach.includes('stderr');

  const config: Record<string, any> = {
    Hostname: flags.string('hostname'),
    Domainname: flags.string('domainname'),
    User: flags.string('user'),
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
  };
  if (Object.keys(exposed).length) config.ExposedPorts = exposed;
  Object.assign(config, {
    Tty: tty,
    OpenStdin: stdin,
    StdinOnce: stdin && attachStdin,
    Env: env.length ? env : null,
    Cmd: cmd.length ? cmd : null,
  });
  if (healthcheck) config.Healthcheck = healthcheck;
  Object.assign(config, {
    Image: image,
    Volumes: volumes,
    WorkingDir: flags.string('workdir'),
    Entrypoint: entrypoint,
    OnBuild: null,
    Labels: labels,
  });
  if (flags.string('stop-signal')) config.StopSignal = flags.string('stop-signal');
  if (flags.changed('stop-timeout')) config.StopTimeout = flags.int('stop-timeout');

  const caps = effectiveCaps(flags.list('cap-add'), flags.list('cap-drop'));
  const list = (name: string) => (flags.list(name).length ? flags.list(name) : null);
  const hostConfig: Record<string, any> = {
    Binds: binds.length ? binds : null,
    ContainerIDFile: flags.string('cidfile'),
    LogConfig: { Type: flags.string('log-driver'), Config: logConfig },
    NetworkMode: networkMode(flags),
    PortBindings: bindings,
    RestartPolicy: restartPolicy,
    AutoRemove: flags.bool('rm'),
    VolumeDriver: flags.string('volume-driver'),
    VolumesFrom: list('volumes-from'),
    ConsoleSize: opts.consoleSize ?? [0, 0],
  };
  if (flags.list('annotation').length) hostConfig.Annotations = kvToMap(flags.list('annotation'));
  Object.assign(hostConfig, {
    CapAdd: caps.capAdd,
    CapDrop: caps.capDrop,
    CgroupnsMode: flags.string('cgroupns'),
    Dns: dns,
    DnsOptions: [...flags.list('dns-opt'), ...flags.list('dns-option')],
    DnsSearch: dnsSearch,
    ExtraHosts: extraHosts.length ? extraHosts : null,
    GroupAdd: list('group-add'),
    IpcMode: flags.string('ipc'),
    Cgroup: '',
    Links: list('link'),
    OomScoreAdj: flags.int('oom-score-adj'),
    PidMode: flags.string('pid'),
    Privileged: flags.bool('privileged'),
    PublishAllPorts: flags.bool('publish-all'),
    ReadonlyRootfs: flags.bool('read-only'),
    SecurityOpt: security.securityOpt.length ? security.securityOpt : null,
  });
  if (Object.keys(storageOpt).length) hostConfig.StorageOpt = storageOpt;
  if (Object.keys(tmpfs).length) hostConfig.Tmpfs = tmpfs;
  Object.assign(hostConfig, {
    UTSMode: flags.string('uts'),
    UsernsMode: flags.string('userns'),
    ShmSize: shmSize,
  });
  if (Object.keys(sysctls).length) hostConfig.Sysctls = sysctls;
  if (flags.string('runtime')) hostConfig.Runtime = flags.string('runtime');
  Object.assign(hostConfig, {
    Isolation: flags.string('isolation'),
    CpuShares: flags.int('cpu-shares'),
    Memory: memory,
    NanoCpus: nanoCpus,
    CgroupParent: flags.string('cgroup-parent'),
    BlkioWeight: flags.int('blkio-weight'),
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: flags.int('cpu-period'),
    CpuQuota: flags.int('cpu-quota'),
    CpuRealtimePeriod: flags.int('cpu-rt-period'),
    CpuRealtimeRuntime: flags.int('cpu-rt-runtime'),
    CpusetCpus: flags.string('cpuset-cpus'),
    CpusetMems: flags.string('cpuset-mems'),
    Devices: devices,
    DeviceCgroupRules: list('device-cgroup-rule'),
    DeviceRequests: null,
    MemoryReservation: memoryReservation,
    MemorySwap: memorySwap,
    MemorySwappiness: swappiness,
    OomKillDisable: flags.bool('oom-kill-disable'),
    PidsLimit: flags.int('pids-limit'),
    Ulimits: ulimits,
    CpuCount: flags.int('cpu-count'),
    CpuPercent: flags.int('cpu-percent'),
    IOMaximumIOps: flags.int('io-maxiops'),
    IOMaximumBandwidth: ioMaxBandwidth,
  });
  if (mounts.length) hostConfig.Mounts = mounts;
  Object.assign(hostConfig, {
    MaskedPaths: security.maskedPaths ?? null,
    ReadonlyPaths: security.readonlyPaths ?? null,
  });

  if (flags.bool('rm') && !isNoRestart(restartPolicy)) throw new OptionError('conflicting options: cannot specify both --restart and --rm');
  if (flags.changed('init')) hostConfig.Init = flags.bool('init');

  const endpoints = endpointsConfig(flags);
  return {
    name: flags.string('name'),
    platform: flags.string('platform'),
    body: { ...config, HostConfig: hostConfig, NetworkingConfig: { EndpointsConfig: endpoints } },
  };
}

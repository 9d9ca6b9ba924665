// `berth build`'s flags and the POST /build request they make, as docker/cli 28.2's legacy
// builder (cli/command/image/build.go, client/image_build.go): the same flags, help and value
// errors, and the same query (only what differs from the daemon's defaults is sent), plus the
// BuildKit flags berth serves through the classic API (--secret, -o/--output, --progress).
import type { FlagSpec, Flags } from '../../framework/types.ts';
import { OptionError } from '../../opts/errors.ts';
import { flagValueError } from '../shared.ts';
import { validateEnv, validateLabel } from '../../opts/env.ts';
import { memSwapBytes, ramInBytes } from '../../opts/mem-bytes.ts';
import { validateExtraHost } from '../../opts/network.ts';
import { mergeUlimits, parseUlimit, type Ulimit } from '../../opts/ulimit.ts';
import { parseNormalizedNamed } from './reference.ts';

const f = (name: string, type: FlagSpec['type'], usage: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({ name, type, usage, ...extra });

/** docker 28.2's `DOCKER_BUILDKIT=0 docker build` flags, then the BuildKit ones berth adds. */
export function buildFlags(env: NodeJS.ProcessEnv = process.env): FlagSpec[] {
  return [
    f('tag', 'list', 'Name and optionally a tag in the "name:tag" format', { short: 't' }),
    f('build-arg', 'list', 'Set build-time variables'),
    f('ulimit', 'list', 'Ulimit options', { valueName: 'ulimit', default: [] }),
    f('file', 'string', 'Name of the Dockerfile (Default is "PATH/Dockerfile")', { short: 'f' }),
    f('memory', 'string', 'Memory limit', { short: 'm', valueName: 'bytes' }),
    f('memory-swap', 'string', 'Swap limit equal to memory plus swap: -1 to enable unlimited swap', { valueName: 'bytes' }),
    f('shm-size', 'string', 'Size of "/dev/shm"', { valueName: 'bytes' }),
    f('cpu-shares', 'int', 'CPU shares (relative weight)', { short: 'c' }),
    f('cpu-period', 'int', 'Limit the CPU CFS (Completely Fair Scheduler) period'),
    f('cpu-quota', 'int', 'Limit the CPU CFS (Completely Fair Scheduler) quota'),
    f('cpuset-cpus', 'string', 'CPUs in which to allow execution (0-3, 0,1)'),
    f('cpuset-mems', 'string', 'MEMs in which to allow execution (0-3, 0,1)'),
    f('cgroup-parent', 'string', 'Set the parent cgroup for the "RUN" instructions during build'),
    f('isolation', 'string', 'Container isolation technology'),
    f('label', 'list', 'Set metadata for an image'),
    f('no-cache', 'bool', 'Do not use cache when building the image'),
    f('rm', 'bool', 'Remove intermediate containers after a successful build', { default: true }),
    f('force-rm', 'bool', 'Always remove intermediate containers'),
    f('quiet', 'bool', 'Suppress the build output and print image ID on success', { short: 'q' }),
    f('pull', 'bool', 'Always attempt to pull a newer version of the image'),
    f('cache-from', 'csv', 'Images to consider as cache sources'),
    f('compress', 'bool', 'Compress the build context using gzip'),
    f('security-opt', 'csv', 'Security options'),
    f('network', 'string', 'Set the networking mode for the RUN instructions during build', { default: 'default' }),
    f('add-host', 'list', 'Add a custom host-to-IP mapping ("host:ip")'),
    f('target', 'string', 'Set the target build stage to build.'),
    f('iidfile', 'string', 'Write the image ID to the file'),
    f('disable-content-trust', 'bool', 'Skip image verification', { default: true }),
    f('platform', 'string', 'Set platform if server is multi-platform capable', { default: env.DOCKER_DEFAULT_PLATFORM ?? '' }),
    f('squash', 'bool', 'Squash newly built layers into a single new layer'),
    // BuildKit's (buildx) flags, served by berth through the classic API.
    f('secret', 'list', 'Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")', { valueName: 'stringArray' }),
    f('output', 'list', 'Output destination (format: "type=local,dest=path")', { short: 'o', valueName: 'stringArray' }),
    f('progress', 'string', 'Set type of progress output ("auto", "plain", "tty", "quiet"). Use plain to show container output', { default: 'auto' }),
  ];
}

/** How docker names a build flag in its value errors: "-t, --tag" or "--ulimit". */
function flagTitle(name: string): string {
  const spec = buildFlags({}).find((s) => s.name === name);
  return spec?.short ? `-${spec.short}, --${name}` : `--${name}`;
}

/** A flag value checked by `parse`; an OptionError (or a reference error) becomes pflag's text. */
function checked<T>(name: string, value: string, parse: (v: string) => T): T {
  try {
    return parse(value);
  } catch (err) {
    if (err instanceof OptionError || (err instanceof Error && name === 'tag')) throw flagValueError(flagTitle(name), value, err.message);
    throw err;
  }
}

/** The query of POST /build as docker's client builds it (defaults left out). */
export type BuildQuery = Record<string, string | string[] | undefined>;

export interface BuildSettings {
  query: BuildQuery;
  quiet: boolean;
  iidfile: string;
  dockerfile: string;
  progress: ProgressMode;
}

export type ProgressMode = 'auto' | 'plain' | 'tty' | 'quiet';
const PROGRESS_MODES: readonly string[] = ['auto', 'plain', 'tty', 'quiet'];

/** docker/cli's validateTag: the name must parse as a normalized reference. */
function validateTag(value: string): string {
  parseNormalizedNamed(value);
  return value;
}

/** ConvertKVStringsToMapWithNil: "k=v" -> "v", a bare "k" (not in the environment) -> null. */
function buildArgsMap(values: string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 0) out[v] = null;
    else out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

/** ConvertKVStringsToMap for labels: a bare "k" is "". */
function labelsMap(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    out[eq < 0 ? v : v.slice(0, eq)] = eq < 0 ? '' : v.slice(eq + 1);
  }
  return out;
}

type ProxyConfig = Partial<Record<'httpProxy' | 'httpsProxy' | 'noProxy' | 'ftpProxy' | 'allProxy', string>>;

/**
 * configfile.ParseProxyConfig: config.json's "proxies" (for the daemon's host, else "default")
 * become build args (upper and lower case) unless the command line sets them.
 */
function withProxyArgs(args: Record<string, string | null>, proxies: unknown, host: string): Record<string, string | null> {
  if (!proxies || typeof proxies !== 'object') return args;
  const all = proxies as Record<string, ProxyConfig>;
  const cfg = all[host] ?? all.default ?? {};
  const out = { ...args };
  const permitted: Array<[string, string | undefined]> = [
    ['HTTP_PROXY', cfg.httpProxy], ['HTTPS_PROXY', cfg.httpsProxy], ['NO_PROXY', cfg.noProxy], ['FTP_PROXY', cfg.ftpProxy], ['ALL_PROXY', cfg.allProxy],
  ];
  for (const [k, v] of permitted) {
    if (typeof v !== 'string' || v === '') continue;
    if (!(k in out)) out[k] = v;
    if (!(k.toLowerCase() in out)) out[k.toLowerCase()] = v;
  }
  return out;
}

/** Go's json.Marshal of a map: keys sorted. */
function sortedJson(m: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]])));
}

/**
 * The flags as the build's settings and query. Throws a FlagError for a value a flag refuses
 * (docker checks them while parsing: exit 125 with the usage lines).
 */
export function buildSettings(flags: Flags, lookupEnv: (name: string) => string | undefined, proxies?: { config: unknown; host: string }): BuildSettings {
  const tags = flags.list('tag').map((t) => checked('tag', t, validateTag));
  const buildArgs = flags.list('build-arg').map((a) => checked('build-arg', a, (v) => validateEnv(v, lookupEnv)));
  const labels = flags.list('label').map((l) => checked('label', l, validateLabel));
  const extraHosts = flags.list('add-host').map((h) => checked('add-host', h, validateExtraHost));
  const ulimits: Ulimit[] = mergeUlimits(flags.list('ulimit').map((u) => checked('ulimit', u, parseUlimit)));
  const size = (name: string, parse: (v: string) => number): number => (flags.changed(name) ? checked(name, flags.string(name), parse) : 0);
  const memory = size('memory', ramInBytes);
  const memorySwap = size('memory-swap', memSwapBytes);
  const shmSize = size('shm-size', ramInBytes);
  const progress = flags.string('progress');
  if (!PROGRESS_MODES.includes(progress)) throw flagValueError('--progress', progress, `invalid progress mode ${JSON.stringify(progress)}: use "auto", "plain", "tty" or "quiet"`);
  const quiet = flags.bool('quiet') || progress === 'quiet';
  const num = (name: string): string | undefined => (flags.int(name) !== 0 ? String(flags.int(name)) : undefined);
  const str = (name: string): string | undefined => flags.string(name) || undefined;
  const network = flags.string('network');
  const args = proxies ? withProxyArgs(buildArgsMap(buildArgs), proxies.config, proxies.host) : buildArgsMap(buildArgs);
  const query: BuildQuery = {
    t: tags.length ? tags : undefined,
    securityopt: flags.list('security-opt').length ? flags.list('security-opt') : undefined,
    extrahosts: extraHosts.length ? extraHosts : undefined,
    q: quiet ? '1' : undefined,
    nocache: flags.bool('no-cache') ? '1' : undefined,
    rm: flags.bool('rm') ? undefined : '0',
    forcerm: flags.bool('force-rm') ? '1' : undefined,
    pull: flags.bool('pull') ? '1' : undefined,
    squash: flags.bool('squash') ? '1' : undefined,
    isolation: ['', 'default'].includes(flags.string('isolation').toLowerCase()) ? undefined : flags.string('isolation'),
    cpusetcpus: str('cpuset-cpus'),
    networkmode: network !== '' && network !== 'default' ? network : undefined,
    cpusetmems: str('cpuset-mems'),
    cpushares: num('cpu-shares'),
    cpuquota: num('cpu-quota'),
    cpuperiod: num('cpu-period'),
    memory: memory ? String(memory) : undefined,
    memswap: memorySwap ? String(memorySwap) : undefined,
    cgroupparent: str('cgroup-parent'),
    shmsize: shmSize ? String(shmSize) : undefined,
    target: str('target'),
    ulimits: ulimits.length ? JSON.stringify(ulimits.map((u) => ({ Name: u.Name, Hard: u.Hard, Soft: u.Soft }))) : undefined,
    buildargs: Object.keys(args).length ? sortedJson(args) : undefined,
    labels: labels.length ? sortedJson(labelsMap(labels)) : undefined,
    cachefrom: flags.list('cache-from').length ? JSON.stringify(flags.list('cache-from')) : undefined,
    platform: str('platform'),
    version: '1',
  };
  return { query, quiet, iidfile: flags.string('iidfile'), dockerfile: flags.string('file'), progress: progress as ProgressMode };
}

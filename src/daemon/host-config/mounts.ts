// HostConfig.Binds (-v), HostConfig.Mounts (--mount), HostConfig.Tmpfs (--tmpfs) and
// HostConfig.VolumesFrom, checked with Docker's rules and messages (moby volume/mounts
// linux_parser.go: ParseMountRaw, ParseMountSpec, ParseVolumesFrom). Pure: what needs the volume
// store or other containers is resolved by the daemon (daemon/containers/mount-points.ts).
import { invalidParameter } from '../../common/index.ts';
import type { MountSpec } from '../../runtime/index.ts';
import { cleanPath } from './merge-image-config.ts';
import { tmpfsDataOf, tmpfsMountOptions } from './tmpfs-options.ts';
import type { EngineMount, HostConfig } from './types.ts';

const PROPAGATIONS = new Set(['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']);
/** The propagation a bind gets when none is asked for (moby linuxDefaultPropagationMode). */
export const DEFAULT_PROPAGATION = 'rprivate';
/** moby's validName of the local volume driver: two characters at least. */
const LOCAL_VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** A host path bound into the container. */
export interface BindMount {
  kind: 'bind';
  source: string;
  destination: string;
  readonly: boolean;
  recursive: boolean;
  /** -v (and --mount with bind-create-src) makes a missing host directory at start. */
  createSource: boolean;
  /** Read-only: 'recursive' (submounts too, Docker's default where the kernel can), 'forced' (refuse where it cannot), 'top' (this mount only). */
  readonlyDepth?: 'recursive' | 'forced' | 'top';
  /** shared, rshared, slave, rslave, private, rprivate; '' adds no propagation option (volumes). */
  propagation: string;
  /** Whether the user chose the propagation (a daemon-root bind gets rslave otherwise). */
  explicitPropagation?: boolean;
  /** The -v mode as given ('' for --mount). */
  mode?: string;
  /** The --mount entry it came from. */
  spec?: EngineMount;
}

/** A named volume, or an anonymous one (name ''), made through the volume store at create. */
export interface VolumeMount {
  kind: 'volume';
  name: string;
  destination: string;
  readonly: boolean;
  /** nocopy / volume-nocopy: the image's content at the destination is not copied in. */
  nocopy: boolean;
  driver: string;
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
  mode: string;
  spec?: EngineMount;
}

export interface TmpfsMount {
  kind: 'tmpfs';
  destination: string;
  data: string;
  /** From HostConfig.Mounts (Docker lists these in inspect Mounts; HostConfig.Tmpfs ones not). */
  spec?: EngineMount;
}

export type ContainerMount = BindMount | VolumeMount | TmpfsMount;

const mountConfigError = (type: string, msg: string) => invalidParameter(`invalid mount config for type ${JSON.stringify(type)}: ${msg}`);

/** moby validateMountConfigImpl's checks of Target, in its order. */
function checkTarget(dest: unknown, type: string): string {
  if (typeof dest !== 'string' || dest === '') throw mountConfigError(type, 'field Target must not be empty');
  if (dest.includes('\0')) throw mountConfigError(type, 'invalid mount path');
  if (cleanPath(dest.replaceAll('\\', '/')) === '/') throw mountConfigError(type, "invalid specification: destination can't be '/'");
  if (!dest.startsWith('/')) throw mountConfigError(type, `invalid mount path: '${dest}' mount path must be absolute`);
  return cleanPath(dest);
}

/** Docker's linuxValidMountMode: known words only, at most one of each kind. */
function isMode(mode: string): boolean {
  if (mode === '') return true;
  const kinds = { rw: 0, label: 0, propagation: 0, copy: 0, consistency: 0 };
  for (const m of mode.split(',')) {
    if (m === 'ro' || m === 'rw') kinds.rw++;
    else if (m === 'z' || m === 'Z') kinds.label++;
    else if (PROPAGATIONS.has(m)) kinds.propagation++;
    else if (m === 'nocopy') kinds.copy++;
    else if (m === 'consistent' || m === 'cached' || m === 'delegated') kinds.consistency++;
    else return false;
  }
  return Object.values(kinds).every((n) => n <= 1);
}

const modeWords = (mode: string) => (mode ? mode.split(',') : []);

/** A volume name the local driver takes (moby local validateName). */
function checkVolumeName(name: string): void {
  if (!LOCAL_VOLUME_NAME.test(name)) {
    throw invalidParameter(`create ${name}: ${JSON.stringify(name)} includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

/** One `-v` entry: "name:/ctr[:mode]", "/host:/ctr[:mode]" or "/ctr" (an anonymous volume). */
export function parseBind(raw: unknown, volumeDriver?: string | null): BindMount | VolumeMount {
  if (typeof raw !== 'string' || raw.includes('\0')) throw invalidParameter(`invalid volume specification: '${String(raw).slice(0, 256)}'`);
  const spec = raw.length > 1024 ? `${raw.slice(0, 1024)}...` : raw;
  const invalidSpec = () => invalidParameter(`invalid volume specification: '${spec}'`);
  const arr = raw.split(':');
  if (arr[0] === '' || arr.length > 3) throw invalidSpec();
  let source = '';
  let target: string;
  let mode = '';
  if (arr.length === 1) {
    target = arr[0]!;
  } else if (arr.length === 2) {
    // "/foo:rw" is a destination and a mode: not a volume.
    if (isMode(arr[1]!)) throw invalidSpec();
    [source, target] = arr as [string, string];
  } else {
    [source, target, mode] = arr as [string, string, string];
  }
  if (!isMode(mode)) throw invalidParameter(`invalid mode: ${mode}`);
  const words = modeWords(mode);
  const type = source.startsWith('/') ? 'bind' : 'volume';
  const propagation = words.find((w) => PROPAGATIONS.has(w));
  const nocopy = words.includes('nocopy');
  const readonly = words.includes('ro');
  const specError = (msg: string) => invalidParameter(`invalid volume specification: '${spec}': ${msg}`);
  let destination: string;
  try {
    destination = checkTarget(target, type);
    if (type === 'bind' && nocopy) throw mountConfigError(type, 'field VolumeOptions must not be specified');
    if (type === 'volume' && propagation) throw mountConfigError(type, 'field BindOptions must not be specified');
    if (type === 'volume' && readonly && source === '') throw mountConfigError(type, 'must not set ReadOnly mode when using anonymous volumes');
  } catch (err) {
    throw specError((err as Error).message);
  }
  if (type === 'bind') {
    return {
      kind: 'bind', source: cleanPath(source), destination, readonly, recursive: true, createSource: true,
      propagation: propagation ?? DEFAULT_PROPAGATION, explicitPropagation: propagation !== undefined, mode,
    };
  }
  if (source !== '') checkVolumeName(source);
  return { kind: 'volume', name: source, destination, readonly, nocopy, driver: volumeDriver || 'local', mode };
}

/** One `--mount` entry (moby ParseMountSpec, which checks that a bind source exists). */
export function parseMount(m: EngineMount, exists: (hostPath: string) => boolean): ContainerMount {
  if (!m || typeof m !== 'object') throw invalidParameter('invalid mount config: must be an object');
  const type = m.Type ?? '';
  const typeErr = (msg: string) => mountConfigError(type, msg);
  if (type !== 'bind' && type !== 'tmpfs' && type !== 'volume') {
    if (['npipe', 'cluster', 'image'].includes(type)) throw invalidParameter(`--mount type=${type} is not supported by berth`);
    throw typeErr('mount type unknown');
  }
  const destination = checkTarget(m.Target, type);
  if (m.ImageOptions) throw typeErr('field ImageOptions must not be specified');
  if (type === 'tmpfs') {
    if (m.BindOptions) throw typeErr('field BindOptions must not be specified');
    if (m.Source) throw typeErr('field Source must not be specified');
    if (m.VolumeOptions) throw typeErr('field VolumeOptions must not be specified');
    const data = tmpfsDataOf(m);
    tmpfsMountOptions(data);
    return { kind: 'tmpfs', destination, data, spec: m };
  }
  if (type === 'volume') {
    if (m.BindOptions) throw typeErr('field BindOptions must not be specified');
    if (m.TmpfsOptions) throw typeErr('field TmpfsOptions must not be specified');
    const name = m.Source ?? '';
    const v = m.VolumeOptions ?? {};
    if (v.Subpath) {
      if (name === '') throw typeErr('must not set Subpath when using anonymous volumes');
      // Go's filepath.IsLocal: relative, not empty, never climbing out.
      const parts = v.Subpath.split('/');
      if (v.Subpath.startsWith('/') || v.Subpath.includes('\0') || parts.reduce((d, p) => (d < 0 ? d : p === '..' ? d - 1 : p === '' || p === '.' ? d : d + 1), 0) < 0) {
        throw typeErr('subpath must be a relative path within the volume');
      }
    }
    if (m.ReadOnly && name === '') throw typeErr('must not set ReadOnly mode when using anonymous volumes');
    if (name !== '') checkVolumeName(name);
    const opts = v.DriverConfig?.Options ?? undefined;
    return {
      kind: 'volume', name, destination, readonly: m.ReadOnly === true, nocopy: v.NoCopy === true,
      driver: v.DriverConfig?.Name || 'local', driverOpts: opts ? { ...opts } : undefined,
      labels: v.Labels ? { ...v.Labels } : undefined, mode: '', spec: m,
    };
  }
  if (m.VolumeOptions) throw typeErr('field VolumeOptions must not be specified');
  if (m.TmpfsOptions) throw typeErr('field TmpfsOptions must not be specified');
  const source = m.Source;
  if (typeof source !== 'string' || source === '') throw typeErr('field Source must not be empty');
  const b = m.BindOptions ?? {};
  if (b.Propagation && !PROPAGATIONS.has(b.Propagation)) throw typeErr(`invalid propagation mode: ${b.Propagation}`);
  if (!source.startsWith('/') || source.includes('\0')) throw typeErr(`invalid mount path: '${source}' mount path must be absolute`);
  if (b.ReadOnlyNonRecursive && b.ReadOnlyForceRecursive) throw invalidParameter('mount options conflict: ReadOnlyNonRecursive && ReadOnlyForceRecursive');
  const createSource = b.CreateMountpoint === true;
  if (!createSource && !exists(source)) throw typeErr(`bind source path does not exist: ${source}`);
  const readonlyDepth = b.ReadOnlyNonRecursive ? 'top' : b.ReadOnlyForceRecursive ? 'forced' : 'recursive';
  return {
    kind: 'bind', source: cleanPath(source), destination, readonly: m.ReadOnly === true, recursive: b.NonRecursive !== true, createSource,
    readonlyDepth, propagation: b.Propagation || DEFAULT_PROPAGATION, explicitPropagation: Boolean(b.Propagation), mode: '', spec: m,
  };
}

/** One --volumes-from entry: "container[:mode]" (moby ParseVolumesFrom). */
export function parseVolumesFrom(spec: unknown): { container: string; readonly: boolean } {
  if (typeof spec !== 'string' || spec === '') throw invalidParameter('volumes-from specification cannot be an empty string');
  const colon = spec.indexOf(':');
  const container = colon < 0 ? spec : spec.slice(0, colon);
  const mode = colon < 0 ? '' : spec.slice(colon + 1);
  if (mode === '') return { container, readonly: false };
  const words = modeWords(mode);
  // Propagation and copy modes are not for volumes taken from another container.
  if (!isMode(mode) || words.some((w) => PROPAGATIONS.has(w) || w === 'nocopy')) throw invalidParameter(`invalid mode: ${mode}`);
  return { container, readonly: words.includes('ro') };
}

const listOf = <T>(v: T[] | null | undefined, name: string): T[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidParameter(`invalid ${name}: must be a list`);
  return v;
};

/** HostConfig.Tmpfs as tmpfs mounts (they are not MountPoints in Docker). */
export function tmpfsOf(hc: HostConfig): TmpfsMount[] {
  const tmpfs = hc.Tmpfs;
  if (tmpfs === undefined || tmpfs === null) return [];
  if (typeof tmpfs !== 'object' || Array.isArray(tmpfs)) throw invalidParameter('invalid Tmpfs: must be an object');
  return Object.entries(tmpfs).map(([dest, data]) => {
    if (typeof data !== 'string') throw invalidParameter(`invalid Tmpfs options for ${dest}: must be a string`);
    tmpfsMountOptions(data);
    return { kind: 'tmpfs', destination: checkTarget(dest, 'tmpfs'), data };
  });
}

/** Every -v, --mount and --tmpfs of a HostConfig, checked (duplicates refused); --volumes-from checked for syntax. */
export function containerMounts(hc: HostConfig, exists: (hostPath: string) => boolean): ContainerMount[] {
  for (const v of listOf(hc.VolumesFrom, 'VolumesFrom')) parseVolumesFrom(v);
  const driver = hc.VolumeDriver ?? '';
  if (typeof driver !== 'string') throw invalidParameter('invalid VolumeDriver: must be a string');
  const out: ContainerMount[] = [];
  for (const b of listOf(hc.Binds, 'Binds')) out.push(parseBind(b, driver));
  for (const m of listOf(hc.Mounts, 'Mounts')) out.push(parseMount(m, exists));
  out.push(...tmpfsOf(hc));
  const seen = new Set<string>();
  for (const m of out) {
    if (seen.has(m.destination)) throw invalidParameter(`Duplicate mount point: ${m.destination}`);
    seen.add(m.destination);
  }
  return out;
}

/** A mount resolved to what runc binds: a host path (a bind or a volume's data) or a tmpfs. */
export type ResolvedMount = Omit<BindMount, 'createSource'> | TmpfsMount;

/**
 * The runtime's mount for one container mount (moby oci_linux.go WithMounts). A read-only bind
 * is read-only with the mounts below it ("rro", kernel 5.12+) where the host can, as in Docker
 * 25+; plain "ro" covers the top mount only. The propagation goes last, when there is one.
 */
export function toMountSpec(m: ResolvedMount, recursiveReadonly = false): MountSpec {
  if (m.kind === 'tmpfs') return { source: 'tmpfs', destination: m.destination, type: 'tmpfs', options: tmpfsMountOptions(m.data) };
  const options = [m.recursive ? 'rbind' : 'bind'];
  if (m.readonly) {
    const depth = m.readonlyDepth ?? 'recursive';
    if (depth === 'forced' && !recursiveReadonly) {
      throw invalidParameter('recursive read-only bind mounts need Linux 5.12 or later');
    }
    options.push(depth !== 'top' && m.recursive && recursiveReadonly ? 'rro' : 'ro');
  }
  if (m.propagation) options.push(m.propagation);
  return { source: m.source, destination: m.destination, type: 'bind', options };
}

/** Config.Volumes (`-v /path` from the CLI, the image's VOLUMEs), checked and cleaned. */
export function anonymousVolumePaths(volumes: unknown): string[] {
  if (volumes === undefined || volumes === null) return [];
  if (typeof volumes !== 'object' || Array.isArray(volumes)) throw invalidParameter('Volumes must be an object');
  return Object.keys(volumes).map((p) => {
    const shown = p.length > 256 ? `${p.slice(0, 256)}...` : p;
    if (!p.startsWith('/') || p.includes('\0')) {
      throw invalidParameter(`invalid volume specification: '${shown}': invalid mount config for type "volume": invalid mount path: '${shown}' mount path must be absolute`);
    }
    if (cleanPath(p) === '/') throw invalidParameter(`invalid volume specification: '${shown}': invalid mount config for type "volume": invalid specification: destination can't be '/'`);
    return cleanPath(p);
  });
}

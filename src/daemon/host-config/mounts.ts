// HostConfig.Binds (-v), HostConfig.Mounts (--mount) and HostConfig.Tmpfs (--tmpfs) as the
// runtime's mounts. Host-path binds and tmpfs mounts are applied in full; what needs the
// volume store (named and anonymous volumes, --volumes-from, volume drivers) or mount
// propagation is refused with a clear 400 until the storage issue lands, never ignored.
import { invalidParameter } from '../../common/index.ts';
import type { MountSpec } from '../../runtime/index.ts';
import { cleanPath } from './merge-image-config.ts';
import { tmpfsDataOf, tmpfsMountOptions } from './tmpfs-options.ts';
import type { EngineMount, HostConfig } from './types.ts';

const LATER = 'is not supported yet by berth (volumes arrive with the storage issue)';
const PROPAGATIONS = new Set(['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']);
/** What berth applies: the propagation a bind gets anyway. */
const PRIVATE = new Set(['private', 'rprivate']);

/** A host path bound into the container, or a tmpfs. */
export type ContainerMount =
  | {
    kind: 'bind'; source: string; destination: string; readonly: boolean; recursive: boolean; createSource: boolean;
    /** Read-only: 'recursive' (submounts too, Docker's default where the kernel can), 'forced' (refuse where it cannot), 'top' (this mount only). */
    readonlyDepth?: 'recursive' | 'forced' | 'top';
  }
  | { kind: 'tmpfs'; destination: string; data: string };

function checkDestination(dest: unknown, what: string): string {
  if (typeof dest !== 'string' || dest === '') throw invalidParameter(`invalid mount config for type ${JSON.stringify(what)}: field Target must not be empty`);
  if (dest.includes('\0')) throw invalidParameter(`invalid mount config for type ${JSON.stringify(what)}: invalid mount path`);
  if (!dest.startsWith('/')) {
    throw invalidParameter(`invalid mount config for type ${JSON.stringify(what)}: invalid mount path: '${dest}' mount path must be absolute`);
  }
  if (cleanPath(dest) === '/') throw invalidParameter(`invalid mount config for type ${JSON.stringify(what)}: invalid specification: destination can't be '/'`);
  return cleanPath(dest);
}

/** One `-v` entry: "/host:/ctr[:mode]". Named and anonymous volumes are refused. */
export function parseBind(raw: unknown): ContainerMount {
  if (typeof raw !== 'string' || raw === '' || raw.includes('\0')) throw invalidParameter(`invalid volume specification: '${String(raw).slice(0, 256)}'`);
  const spec = raw.length > 1024 ? `${raw.slice(0, 1024)}...` : raw;
  const parts = raw.split(':');
  const invalid = () => invalidParameter(`invalid volume specification: '${spec}'`);
  if (parts.length > 3 || parts.some((p) => p === '')) throw invalid();
  if (parts.length === 1 || (parts.length === 2 && isMode(parts[1]!))) {
    throw invalidParameter(`anonymous volumes (-v ${spec}) ${LATER}`);
  }
  const [source, destination, mode = ''] = parts as [string, string, string?];
  if (!source.startsWith('/')) {
    if (/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(source)) throw invalidParameter(`named volumes (-v ${spec}) ${LATER}`);
    throw invalidParameter(`invalid volume specification: '${spec}': ${JSON.stringify(source)} includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
  let dest: string;
  try {
    dest = checkDestination(destination, 'bind');
  } catch (err) {
    // Docker names the whole -v spec first.
    throw invalidParameter(`invalid volume specification: '${spec}': ${(err as Error).message}`);
  }
  if (!isMode(mode)) throw invalidParameter(`invalid mode: ${mode}`);
  let readonly = false;
  for (const m of mode ? mode.split(',') : []) {
    if (m === 'ro' || m === 'rw') readonly = m === 'ro';
    else if (m === 'z' || m === 'Z') continue; // SELinux relabelling: no SELinux here, as Docker without it
    else if (PROPAGATIONS.has(m)) {
      if (!PRIVATE.has(m)) throw invalidParameter(`bind propagation '${m}' ${LATER}`);
    } else {
      throw invalidParameter(`invalid mode: ${mode}`); // nocopy: a volume option, nothing is copied into a bind
    }
  }
  // -v creates a missing host directory (Docker does, at start).
  return { kind: 'bind', source: cleanPath(source), destination: dest, readonly, recursive: true, createSource: true };
}

/** Docker's linuxValidMountMode: at most one of each kind. */
function isMode(mode: string): boolean {
  if (mode === '') return true;
  const kinds = { rw: 0, label: 0, propagation: 0, copy: 0 };
  for (const m of mode.split(',')) {
    if (m === 'ro' || m === 'rw') kinds.rw++;
    else if (m === 'z' || m === 'Z') kinds.label++;
    else if (PROPAGATIONS.has(m)) kinds.propagation++;
    else if (m === 'nocopy') kinds.copy++;
    else return false;
  }
  return Object.values(kinds).every((n) => n <= 1);
}

/** One `--mount` entry. */
export function parseMount(m: EngineMount, exists: (hostPath: string) => boolean): ContainerMount {
  if (!m || typeof m !== 'object') throw invalidParameter('invalid mount config: must be an object');
  const type = m.Type ?? '';
  const typeErr = (msg: string) => invalidParameter(`invalid mount config for type ${JSON.stringify(type)}: ${msg}`);
  if (type === 'volume') throw invalidParameter(`--mount type=volume ${LATER}`);
  if (type !== 'bind' && type !== 'tmpfs') {
    if (['npipe', 'cluster', 'image'].includes(type)) throw invalidParameter(`--mount type=${type} is not supported by berth`);
    throw invalidParameter(`invalid mount config for type ${JSON.stringify(type)}: mount type unknown`);
  }
  const destination = checkDestination(m.Target, type);
  if (m.VolumeOptions) throw typeErr('field VolumeOptions must not be specified');
  if (m.ImageOptions) throw typeErr('field ImageOptions must not be specified');
  if (type === 'tmpfs') {
    if (m.Source) throw typeErr('field Source must not be specified');
    if (m.BindOptions) throw typeErr('field BindOptions must not be specified');
    const data = tmpfsDataOf(m);
    tmpfsMountOptions(data);
    return { kind: 'tmpfs', destination, data };
  }
  if (m.TmpfsOptions) throw typeErr('field TmpfsOptions must not be specified');
  const source = m.Source;
  if (typeof source !== 'string' || source === '') throw typeErr('field Source must not be empty');
  if (!source.startsWith('/') || source.includes('\0')) throw typeErr(`invalid mount path: '${source}' mount path must be absolute`);
  const b = m.BindOptions ?? {};
  if (b.Propagation && !PRIVATE.has(b.Propagation)) {
    if (!PROPAGATIONS.has(b.Propagation)) throw typeErr(`invalid propagation mode: ${b.Propagation}`);
    throw invalidParameter(`bind propagation '${b.Propagation}' ${LATER}`);
  }
  if (b.ReadOnlyNonRecursive && b.ReadOnlyForceRecursive) throw invalidParameter('mount options conflict: ReadOnlyNonRecursive && ReadOnlyForceRecursive');
  const createSource = b.CreateMountpoint === true;
  if (!createSource && !exists(source)) throw typeErr(`bind source path does not exist: ${source}`);
  const readonlyDepth = b.ReadOnlyNonRecursive ? 'top' : b.ReadOnlyForceRecursive ? 'forced' : 'recursive';
  return { kind: 'bind', source: cleanPath(source), destination, readonly: m.ReadOnly === true, recursive: b.NonRecursive !== true, createSource, readonlyDepth };
}

/** Every mount of a HostConfig, checked; duplicates and volume features refused. */
export function containerMounts(hc: HostConfig, exists: (hostPath: string) => boolean): ContainerMount[] {
  const out: ContainerMount[] = [];
  if (hc.VolumesFrom !== undefined && hc.VolumesFrom !== null) {
    if (!Array.isArray(hc.VolumesFrom)) throw invalidParameter('invalid VolumesFrom: must be a list');
    if (hc.VolumesFrom.length) throw invalidParameter(`--volumes-from ${LATER}`);
  }
  if (hc.VolumeDriver !== undefined && hc.VolumeDriver !== '' && hc.VolumeDriver !== 'local') {
    throw invalidParameter(`--volume-driver ${LATER}`);
  }
  const list = <T>(v: T[] | null | undefined, name: string): T[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw invalidParameter(`invalid ${name}: must be a list`);
    return v;
  };
  for (const b of list(hc.Binds, 'Binds')) out.push(parseBind(b));
  for (const m of list(hc.Mounts, 'Mounts')) out.push(parseMount(m, exists));
  const tmpfs = hc.Tmpfs;
  if (tmpfs !== undefined && tmpfs !== null) {
    if (typeof tmpfs !== 'object' || Array.isArray(tmpfs)) throw invalidParameter('invalid Tmpfs: must be an object');
    for (const [dest, data] of Object.entries(tmpfs)) {
      if (typeof data !== 'string') throw invalidParameter(`invalid Tmpfs options for ${dest}: must be a string`);
      tmpfsMountOptions(data);
      out.push({ kind: 'tmpfs', destination: checkDestination(dest, 'tmpfs'), data });
    }
  }
  const seen = new Set<string>();
  for (const m of out) {
    if (seen.has(m.destination)) throw invalidParameter(`Duplicate mount point: ${m.destination}`);
    seen.add(m.destination);
  }
  return out;
}

/**
 * The runtime's mount for one container mount (moby oci_linux.go WithMounts). A read-only bind
 * is read-only with the mounts below it ("rro", kernel 5.12+) where the host can, as in Docker
 * 25+; plain "ro" covers the top mount only.
 */
export function toMountSpec(m: ContainerMount, recursiveReadonly = false): MountSpec {
  if (m.kind === 'tmpfs') return { source: 'tmpfs', destination: m.destination, type: 'tmpfs', options: tmpfsMountOptions(m.data) };
  const options = [m.recursive ? 'rbind' : 'bind'];
  if (m.readonly) {
    const depth = m.readonlyDepth ?? 'recursive';
    if (depth === 'forced' && !recursiveReadonly) {
      throw invalidParameter('recursive read-only bind mounts need Linux 5.12 or later');
    }
    options.push(depth !== 'top' && m.recursive && recursiveReadonly ? 'rro' : 'ro');
  }
  options.push('rprivate');
  return { source: m.source, destination: m.destination, type: 'bind', options };
}

/**
 * Config.Volumes (`-v /path`, the image's VOLUMEs), checked. Until the volume store lands they
 * are plain directories in the container's writable layer, made at start (the create response
 * warns about it).
 */
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

// A service's volumes, secrets and configs as HostConfig.Binds and HostConfig.Mounts, as docker
// compose v2 builds them (create.go buildContainerVolumes, buildContainerMountOptions,
// fillBindMounts, buildMount, buildContainer{Secret,Config}Mounts):
// - everything becomes a Mount, keyed by target (a later one with the same target wins);
// - a bind whose `bind.create_host_path` is set (the short syntax `./src:/dst` sets it) goes to
//   Binds as `src:dst:rw|ro[,selinux][,propagation]` instead, because only the Binds API creates a
//   missing host path (moby/moby#43483);
// - on recreate, the replaced container's anonymous volumes are inherited: a mount at a target
//   the image declares as VOLUME, or at the target of a service volume without source, reuses the
//   old volume;
// - file secrets bind the file read-only at /run/secrets/<name> (or target), file configs at
//   /<name> (or target); environment/content ones are copied in instead (file-injections.ts).
import { existsSync } from 'node:fs';
import type { Project, ServiceConfig, ServiceVolumeConfig, ServiceFileReference } from '../types.ts';
import { ComposeError } from '../errors.ts';

export interface Mount {
  Type: string;
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; CreateMountpoint?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Subpath?: string };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface ReplacedMount {
  Type?: string;
  Name?: string;
  Source?: string;
  Destination: string;
  RW?: boolean;
}

export function buildContainerVolumes(
  project: Project,
  service: ServiceConfig,
  replacing: { mounts: ReplacedMount[] } | undefined,
  imageVolumes: string[] | undefined,
  warnings: string[],
): { binds: string[]; mounts: Mount[] } {
  const byTarget = new Map<string, Mount>();
  let volumes = service.volumes ?? [];
  for (const m of replacing?.mounts ?? []) {
    if (m.Type === 'tmpfs') continue;
    const inherited: Mount = dropUndefined({
      Type: m.Type ?? 'volume',
      Source: m.Type === 'volume' || m.Type === undefined ? m.Name : m.Source,
      Target: m.Destination,
      ReadOnly: m.RW === false ? true : undefined,
    });
    if (imageVolumes?.includes(m.Destination)) byTarget.set(m.Destination, inherited);
    const kept: ServiceVolumeConfig[] = [];
    for (const v of volumes) {
      if (v.target !== m.Destination || v.source) kept.push(v);
      else byTarget.set(m.Destination, inherited);
    }
    volumes = kept;
  }
  for (const v of volumes) byTarget.set(v.target, buildMount(project, service, v));
  for (const m of fileMounts(project, service, 'secret', warnings)) if (!byTarget.has(m.Target)) byTarget.set(m.Target, m);
  for (const m of fileMounts(project, service, 'config', warnings)) if (!byTarget.has(m.Target)) byTarget.set(m.Target, m);

  const binds: string[] = [];
  const mounts: Mount[] = [];
  for (const m of byTarget.values()) {
    if (m.Type === 'bind') {
      const v = (service.volumes ?? []).find((x) => x.target === m.Target);
      if (v && v.type === 'bind' && v.bind?.create_host_path) {
        binds.push(bindString(v));
        continue;
      }
    }
    mounts.push(m);
  }
  return { binds, mounts };
}

/** compose-go's ServiceVolumeConfig.String(): `source:target:rw|ro[,selinux][,propagation][,nocopy]`. */
export function bindString(v: ServiceVolumeConfig): string {
  const options = [v.read_only ? 'ro' : 'rw'];
  if (v.bind?.selinux) options.push(v.bind.selinux);
  if (v.bind?.propagation) options.push(v.bind.propagation);
  if (v.volume?.nocopy) options.push('nocopy');
  return `${v.source ?? ''}:${v.target}:${options.join(',')}`;
}

function buildMount(project: Project, service: ServiceConfig, v: ServiceVolumeConfig): Mount {
  if (!v.target || !v.target.startsWith('/')) {
    throw new ComposeError(`service "${service.name}": invalid mount target, must be an absolute path: ${v.target}`);
  }
  let source = v.source;
  if (v.type === 'bind') {
    if (!source) throw new ComposeError(`service "${service.name}": invalid mount config for type "bind": field Source must not be empty`);
    if (!source.startsWith('/')) source = `${project.working_dir}/${source}`.replace(/\/\.\//g, '/');
  }
  if (v.type === 'volume' && source && project.volumes[source]) source = project.volumes[source].name;
  return dropUndefined({
    Type: v.type,
    Source: source || undefined,
    Target: v.target,
    ReadOnly: v.read_only || undefined,
    Consistency: v.consistency || undefined,
    BindOptions: v.type === 'bind' && v.bind ? emptyToUndefined(dropUndefined({ Propagation: v.bind.propagation || undefined, CreateMountpoint: v.bind.create_host_path || undefined })) : undefined,
    VolumeOptions: v.type === 'volume' && v.volume ? emptyToUndefined(dropUndefined({ NoCopy: v.volume.nocopy || undefined, Subpath: v.volume.subpath || undefined })) : undefined,
    TmpfsOptions: v.type === 'tmpfs' && v.tmpfs ? emptyToUndefined(dropUndefined({ SizeBytes: v.tmpfs.size || undefined, Mode: v.tmpfs.mode || undefined })) : undefined,
  });
}

type FileKind = 'secret' | 'config';

/** Where a secret/config lands: secrets under /run/secrets/ unless absolute, configs under /. */
export function fileTarget(kind: FileKind, ref: ServiceFileReference): string {
  const base = kind === 'secret' ? '/run/secrets/' : '/';
  if (!ref.target) return base + ref.source;
  return ref.target.startsWith('/') ? ref.target : base + ref.target;
}

/** The top-level secret/config a service refers to; throws for an undefined one. */
export function definedFile(project: Project, service: ServiceConfig, kind: FileKind, ref: ServiceFileReference) {
  const defined = (kind === 'secret' ? project.secrets : project.configs)?.[ref.source];
  if (!defined) throw new ComposeError(`service "${service.name}" refers to undefined ${kind} ${ref.source}: invalid compose project`);
  if (defined.external) throw new ComposeError(`unsupported external ${kind} ${defined.name}`);
  return defined;
}

function fileMounts(project: Project, service: ServiceConfig, kind: FileKind, warnings: string[]): Mount[] {
  const out = new Map<string, Mount>();
  for (const ref of (kind === 'secret' ? service.secrets : service.configs) ?? []) {
    const target = fileTarget(kind, ref);
    const defined = definedFile(project, service, kind, ref);
    if (defined.environment !== undefined || defined.content !== undefined) continue;
    if (!defined.file) throw new ComposeError(`${kind} "${defined.name}" has no file, environment or content`);
    if (ref.uid !== undefined || ref.gid !== undefined || ref.mode !== undefined) {
      warnings.push(`${kind === 'secret' ? 'secrets' : 'config'} \`uid\`, \`gid\` and \`mode\` are not supported, they will be ignored`);
    }
    if (kind === 'secret' && !existsSync(defined.file)) warnings.push(`secret file ${defined.name} does not exist`);
    out.set(target, { Type: 'bind', Source: defined.file, Target: target, ReadOnly: true });
  }
  return [...out.values()];
}

/** `tmpfs: ['/run:size=64m']` → { '/run': 'size=64m' }. */
export function tmpfsMap(tmpfs: string[] | undefined): Record<string, string> | undefined {
  if (!tmpfs) return undefined;
  const out: Record<string, string> = {};
  for (const t of tmpfs) {
    const i = t.indexOf(':');
    if (i < 0) out[t] = '';
    else out[t.slice(0, i)] = t.slice(i + 1);
  }
  return out;
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function emptyToUndefined<T extends object>(o: T): T | undefined {
  return Object.keys(o).length ? o : undefined;
}

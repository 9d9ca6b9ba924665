// Engine API shapes for images (swagger ImageSummary, ImageInspect, HistoryResponseItem,
// ImageDeleteResponseItem, ImagePruneResponse) with the field presence, null-vs-[] and
// time formats dockerd 28 (graphdriver image store) produces, gated by API version.
import { formatRfc3339Nano, parseRfc3339Nano, ZERO_TIME } from '../common/index.ts';
import type { ContainerConfig } from './image-config.ts';
import type { StoredImage } from './types.ts';

export interface ImageSummary {
  Containers: number;
  Created: number;
  Id: string;
  Labels: Record<string, string> | null;
  ParentId: string;
  RepoDigests: string[];
  RepoTags: string[];
  SharedSize: number;
  Size: number;
  VirtualSize?: number;
}

export interface DriverData {
  Name: string;
  Data: Record<string, string> | null;
}

export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created?: string;
  Container?: string;
  ContainerConfig?: Record<string, unknown>;
  DockerVersion: string;
  Author: string;
  Config: Record<string, unknown>;
  Architecture: string;
  Variant?: string;
  Os: string;
  OsVersion?: string;
  Size: number;
  VirtualSize?: number;
  GraphDriver: DriverData;
  RootFS: { Type: string; Layers?: string[] };
  Metadata: { LastTagTime: string };
}

export interface HistoryResponseItem {
  Comment: string;
  Created: number;
  CreatedBy: string;
  Id: string;
  Size: number;
  Tags: string[] | null;
}

export interface ImageDeleteResponseItem {
  Untagged?: string;
  Deleted?: string;
}

export interface ImagePruneReport {
  ImagesDeleted: ImageDeleteResponseItem[] | null;
  SpaceReclaimed: number;
}

/** Docker's versions.LessThan for "1.43"-style API versions. */
function apiVersionLessThan(v: string, other: string): boolean {
  const a = v.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const b = other.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

const CURRENT_API = '1.50';

/** Created as Unix seconds (0 when the image has no creation time). */
export function createdSeconds(img: StoredImage): number {
  return img.createdNs === undefined ? 0 : Number(img.createdNs / 1_000_000_000n) - (img.createdNs < 0n && img.createdNs % 1_000_000_000n !== 0n ? 1 : 0);
}

export interface SummaryOptions {
  repoTags: string[];
  repoDigests: string[];
  size: number;
  /** Containers using the image; -1 when not counted. */
  containers?: number;
  /** Shared size; -1 when not computed. */
  sharedSize?: number;
  apiVersion?: string;
}

export function toImageSummary(img: StoredImage, opts: SummaryOptions): ImageSummary {
  const version = opts.apiVersion ?? CURRENT_API;
  let repoTags = opts.repoTags;
  let repoDigests = opts.repoDigests;
  if (apiVersionLessThan(version, '1.43') && repoTags.length === 0 && repoDigests.length === 0) {
    repoTags = ['<none>:<none>'];
    repoDigests = ['<none>@<none>'];
  }
  const labels = img.config.config?.Labels;
  const summary: ImageSummary = {
    Containers: opts.containers ?? -1,
    Created: createdSeconds(img),
    Id: img.id,
    Labels: labels && typeof labels === 'object' ? { ...labels } : null,
    ParentId: img.parent,
    RepoDigests: [...repoDigests],
    RepoTags: [...repoTags],
    SharedSize: opts.sharedSize ?? -1,
    Size: opts.size,
  };
  if (apiVersionLessThan(version, '1.44')) summary.VirtualSize = opts.size;
  return summary;
}

export interface InspectOptions {
  repoTags: string[];
  repoDigests: string[];
  size: number;
  graphDriver: DriverData;
  apiVersion?: string;
}

// Config fields dockerd always includes (moby api/server/router/image/inspect_response.go).
const LEGACY_CONFIG_CURRENT: Record<string, unknown> = {
  Cmd: null,
  Entrypoint: null,
  Env: null,
  Labels: null,
  OnBuild: null,
  User: '',
  Volumes: null,
  WorkingDir: '',
};
const LEGACY_CONFIG_V149: Record<string, unknown> = {
  AttachStderr: false,
  AttachStdin: false,
  AttachStdout: false,
  Cmd: null,
  Domainname: '',
  Entrypoint: null,
  Env: null,
  Hostname: '',
  Image: '',
  Labels: null,
  OnBuild: null,
  OpenStdin: false,
  StdinOnce: false,
  Tty: false,
  User: '',
  Volumes: null,
  WorkingDir: '',
};

/** The image config as dockerd 28 shows it: the OCI image-config fields, omitempty, plus the legacy ones. */
function inspectConfig(cfg: ContainerConfig | null | undefined, apiVersion: string = CURRENT_API): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (cfg) {
    const put = (key: string, value: unknown) => {
      if (value === undefined || value === null || value === '' || value === false) return;
      if (Array.isArray(value) && value.length === 0) return;
      if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0 && key !== 'Healthcheck') return;
      out[key] = value;
    };
    put('User', cfg.User);
    put('ExposedPorts', cfg.ExposedPorts);
    put('Env', cfg.Env);
    put('Entrypoint', cfg.Entrypoint);
    put('Cmd', cfg.Cmd);
    put('Volumes', cfg.Volumes);
    put('WorkingDir', cfg.WorkingDir);
    put('Labels', cfg.Labels);
    put('StopSignal', cfg.StopSignal);
    put('ArgsEscaped', cfg.ArgsEscaped);
    if (cfg.Healthcheck) out.Healthcheck = healthcheckView(cfg.Healthcheck);
    put('OnBuild', cfg.OnBuild);
    put('Shell', cfg.Shell);
  }
  const legacy = apiVersionLessThan(apiVersion, '1.50') ? LEGACY_CONFIG_V149 : LEGACY_CONFIG_CURRENT;
  return { ...legacy, ...out };
}

function healthcheckView(h: NonNullable<ContainerConfig['Healthcheck']>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (h.Test && h.Test.length) out.Test = h.Test;
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
    if (typeof h[k] === 'number' && h[k] !== 0) out[k] = h[k];
  }
  return out;
}

/** Go's time.Time JSON form of a config timestamp (trailing zeros trimmed, UTC kept as Z). */
function goTime(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const ns = parseRfc3339Nano(text);
  if (ns === undefined) return undefined;
  if (ns === parseRfc3339Nano(ZERO_TIME)) return undefined;
  return text.endsWith('Z') ? formatRfc3339Nano(ns) : text;
}

export function toImageInspect(img: StoredImage, opts: InspectOptions): ImageInspect {
  const version = opts.apiVersion ?? CURRENT_API;
  const c = img.config;
  const history = c.history ?? [];
  const comment = c.comment ? c.comment : history.length ? (history[history.length - 1].comment ?? '') : '';
  const created = goTime(c.created);
  const out: ImageInspect = {
    Id: img.id,
    RepoTags: [...opts.repoTags],
    RepoDigests: [...opts.repoDigests],
    Parent: img.parent,
    Comment: comment,
    ...(created !== undefined ? { Created: created } : {}),
    DockerVersion: c.docker_version ?? '',
    Author: c.author ?? '',
    Config: inspectConfig(c.config, version),
    Architecture: c.architecture ?? '',
    ...(c.variant ? { Variant: c.variant } : {}),
    Os: c.os || 'linux',
    ...(c['os.version'] ? { OsVersion: c['os.version'] } : {}),
    Size: opts.size,
    GraphDriver: { Data: opts.graphDriver.Data, Name: opts.graphDriver.Name },
    RootFS: c.rootfs.diff_ids.length ? { Type: 'layers', Layers: [...c.rootfs.diff_ids] } : { Type: 'layers' },
    Metadata: { LastTagTime: img.lastUpdated ?? ZERO_TIME },
  };
  if (apiVersionLessThan(version, '1.44')) {
    out.VirtualSize = opts.size;
    if (out.Created === undefined) out.Created = ZERO_TIME;
  }
  if (apiVersionLessThan(version, '1.45')) {
    if (c.container) out.Container = c.container;
    if (c.container_config) out.ContainerConfig = { ...c.container_config };
  }
  return out;
}

export interface HistoryOptions {
  /** Each layer's own size, bottom first. */
  layerSizes: number[];
  /** The image's tags (familiar form). */
  tags: string[];
  /** Parent, grandparent, ... of locally built images, with their tags. */
  ancestors?: { id: string; tags: string[] }[];
}

/**
 * `docker history`: newest first, one row per history entry; the top row carries the image
 * ID and tags, the next rows those of its parent chain (locally built images only), the
 * rest `<missing>`.
 */
export function history(img: StoredImage, opts: HistoryOptions): HistoryResponseItem[] {
  const rows: HistoryResponseItem[] = [];
  let layer = 0;
  for (const h of img.config.history ?? []) {
    let size = 0;
    if (!h.empty_layer) {
      size = opts.layerSizes[layer] ?? 0;
      layer++;
    }
    const ns = h.created ? parseRfc3339Nano(h.created) : undefined;
    rows.unshift({
      Comment: h.comment ?? '',
      Created: ns === undefined ? 0 : Number(ns / 1_000_000_000n),
      CreatedBy: h.created_by ?? '',
      Id: '<missing>',
      Size: size,
      Tags: null,
    });
  }
  const chain = [{ id: img.id, tags: opts.tags }, ...(opts.ancestors ?? [])];
  for (let i = 0; i < rows.length && i < chain.length; i++) {
    rows[i].Id = chain[i].id;
    rows[i].Tags = chain[i].tags.length ? [...chain[i].tags] : null;
  }
  return rows;
}

// Engine API shapes for images (swagger ImageSummary, ImageInspect, ImageHistoryResponseItem)
// with the field presence, null-vs-[] and time formats dockerd 28 (graphdriver image store)
// produces, gated by API version. The image box hands over its records; only api/ knows the wire.
import { formatRfc3339Nano, parseRfc3339Nano, ZERO_TIME } from '../../common/index.ts';
import { createdSeconds, type ImageRuntimeConfig, type ImageDetails, type ImageHistory, type ImageListEntry } from '../../image/index.ts';
import { API_VERSION, hasFeature } from '../version.ts';

/** swagger ImageSummary, with VirtualSize for clients before it was dropped. */
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

export function toImageSummary(entry: ImageListEntry, version: string = API_VERSION): ImageSummary {
  const { image: img, size } = entry;
  let repoTags = entry.repoTags;
  let repoDigests = entry.repoDigests;
  if (!hasFeature(version, 'imageListWithoutNonePlaceholders') && repoTags.length === 0 && repoDigests.length === 0) {
    repoTags = ['<none>:<none>'];
    repoDigests = ['<none>@<none>'];
  }
  const labels = img.config.config?.Labels;
  const summary: ImageSummary = {
    Containers: entry.containers ?? -1,
    Created: createdSeconds(img),
    Id: img.id,
    Labels: labels && typeof labels === 'object' ? { ...labels } : null,
    ParentId: img.parent,
    RepoDigests: [...repoDigests],
    RepoTags: [...repoTags],
    SharedSize: entry.sharedSize ?? -1,
    Size: size,
  };
  if (!hasFeature(version, 'imageWithoutVirtualSize')) summary.VirtualSize = size;
  return summary;
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
function inspectConfig(cfg: ImageRuntimeConfig | null | undefined, apiVersion: string = API_VERSION): Record<string, unknown> {
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
  const legacy = hasFeature(apiVersion, 'imageConfigWithoutLegacyFields') ? LEGACY_CONFIG_CURRENT : LEGACY_CONFIG_V149;
  return { ...legacy, ...out };
}

function healthcheckView(h: NonNullable<ImageRuntimeConfig['Healthcheck']>): Record<string, unknown> {
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

/**
 * moby's zero container.Config as Go marshals it (omitempty fields left out): the
 * ContainerConfig of an image that has none (pulled, loaded, imported), before API 1.45.
 */
const ZERO_CONTAINER_CONFIG = {
  Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false, OpenStdin: false, StdinOnce: false,
  Env: null, Cmd: null, Image: '', Volumes: null, WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null,
};

/**
 * `legacyContainerConfig`: the client reads Container and ContainerConfig whatever API version it
 * speaks (docker-compose 1.x: see src/api/client-quirks.ts).
 */
export function toImageInspect(opts: ImageDetails, version: string = API_VERSION, quirks: { legacyContainerConfig?: boolean } = {}): ImageInspect {
  const img = opts.image;
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
  if (!hasFeature(version, 'imageWithoutVirtualSize')) {
    out.VirtualSize = opts.size;
    if (out.Created === undefined) out.Created = ZERO_TIME;
  }
  // Before 1.45 dockerd always has both: an empty Container and a zero config for an image
  // that was not committed from a container (docker-compose 1.29 reads ContainerConfig.Volumes).
  if (!hasFeature(version, 'imageInspectWithoutContainerConfig') || quirks.legacyContainerConfig) {
    out.Container = c.container ?? '';
    out.ContainerConfig = c.container_config ? { ...c.container_config } : { ...ZERO_CONTAINER_CONFIG };
  }
  return out;
}

/**
 * `docker history`: newest first, one row per history entry; the top row carries the image
 * ID and tags, the next rows those of its parent chain (locally built images only), the
 * rest `<missing>`.
 */
export function toImageHistory(opts: ImageHistory): HistoryResponseItem[] {
  const img = opts.image;
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

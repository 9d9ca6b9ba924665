// The image a step makes, as moby's image.NewChildImage writes it for the classic builder: the
// parent's layers and history plus one history line (created_by = the step's Cmd joined by
// spaces, empty_layer when the step made no layer), `config` the image config after the step,
// `container_config` the step's container config (its Cmd is the history line), `container`
// the step's container when it had one.
import type { HistoryEntry, ImageConfigFile } from '../../image/index.ts';
import { formatRfc3339Nano, nowNs } from '../../common/index.ts';
import { goRunConfig, type RunConfig } from './run-config.ts';
import type { Platform } from './platform.ts';

export interface ChildImageOptions {
  /** The parent's config, or undefined for scratch. */
  parent: ImageConfigFile | undefined;
  /** Platform of a scratch base (FROM scratch has no config to inherit it from). */
  scratchPlatform: Platform;
  diffId?: string;
  author: string;
  containerConfig: RunConfig;
  config: RunConfig;
  containerId?: string;
  dockerVersion?: string;
}

export function childImage(o: ChildImageOptions): ImageConfigFile {
  const created = formatRfc3339Nano(nowNs());
  const base = o.parent;
  const empty = o.diffId === undefined;
  const history: HistoryEntry = {
    created,
    ...(o.author ? { author: o.author } : {}),
    created_by: (o.containerConfig.Cmd ?? []).join(' '),
    ...(empty ? { empty_layer: true } : {}),
  };
  const architecture = base ? base.architecture || o.scratchPlatform.architecture : o.scratchPlatform.architecture;
  const variant = base ? base.variant : o.scratchPlatform.variant;
  // image.Image's JSON field order (V1Image, then rootfs, history, os.version, os.features).
  return {
    created,
    ...(o.containerId ? { container: o.containerId } : {}),
    container_config: goRunConfig(o.containerConfig),
    ...(o.dockerVersion ? { docker_version: o.dockerVersion } : {}),
    ...(o.author ? { author: o.author } : {}),
    config: goRunConfig(o.config),
    architecture,
    ...(variant ? { variant } : {}),
    os: base?.os || o.scratchPlatform.os,
    rootfs: { type: 'layers', diff_ids: [...(base?.rootfs.diff_ids ?? []), ...(o.diffId === undefined ? [] : [o.diffId])] },
    history: [...(base?.history ?? []), history],
    ...(base?.['os.version'] ? { 'os.version': base['os.version'] } : {}),
    ...(base?.['os.features'] ? { 'os.features': base['os.features'] } : {}),
  };
}

// --cache-from as the classic builder does it (moby daemon/images/cache.go): an image named by
// --cache-from matches a step when the current image is a prefix of its history and layers
// (isValidParent) and its next history line is the step's command (isValidConfig). A match in
// the middle of the chain is restored as an intermediate image made of the prefix; a match on
// its last line is the image itself. After a first match only that image is followed.
import type { HistoryEntry, ImageConfigFile } from '../../image/index.ts';
import { SCRATCH, type BuildExecutor, type StepImage } from '../executor.ts';
import { formatRfc3339Nano, nowNs } from '../../common/index.ts';
import { goRunConfig, type RunConfig } from './run-config.ts';

const sameHistory = (a: HistoryEntry, b: HistoryEntry) =>
  (a.created ?? '') === (b.created ?? '') && (a.created_by ?? '') === (b.created_by ?? '') && (a.author ?? '') === (b.author ?? '') &&
  (a.comment ?? '') === (b.comment ?? '') && !!a.empty_layer === !!b.empty_layer;

function isValidParent(img: ImageConfigFile, parent: ImageConfigFile | undefined): boolean {
  const h = img.history ?? [];
  if (h.length === 0) return false;
  if (!parent) return true;
  const ph = parent.history ?? [];
  if (ph.length === 0 && parent.rootfs.diff_ids.length === 0) return true;
  if (ph.length >= h.length) return false;
  if (parent.rootfs.diff_ids.length > img.rootfs.diff_ids.length) return false;
  return ph.every((e, i) => sameHistory(e, h[i])) && parent.rootfs.diff_ids.every((d, i) => d === img.rootfs.diff_ids[i]);
}

/** The diff ID the history line at `index` added, or undefined for an empty layer (getLayerForHistoryIndex). */
function layerForHistoryIndex(img: ImageConfigFile, index: number): string | undefined {
  const h = img.history ?? [];
  if (h[index]?.empty_layer) return undefined;
  let layer = 0;
  for (let i = 0; i < index; i++) if (!h[i].empty_layer) layer++;
  return img.rootfs.diff_ids[layer];
}

export class CacheFromSources {
  private sources: StepImage[];
  private readonly executor: BuildExecutor;

  constructor(executor: BuildExecutor, refs: string[]) {
    this.executor = executor;
    this.sources = refs.map((r) => executor.localImage(r)).filter((i): i is StepImage => i !== undefined);
  }

  get empty(): boolean {
    return this.sources.length === 0;
  }

  /** The image for this step from a --cache-from chain, restored when needed; undefined when none matches. */
  async probe(parent: StepImage | typeof SCRATCH, probeConfig: RunConfig, stateConfig: RunConfig): Promise<StepImage | undefined> {
    const parentCfg = parent === SCRATCH ? undefined : parent.config;
    const lenHistory = parentCfg?.history?.length ?? 0;
    const createdBy = (probeConfig.Cmd ?? []).join(' ');
    for (const target of this.sources) {
      const th = target.config.history ?? [];
      if (!isValidParent(target.config, parentCfg) || th[lenHistory]?.created_by !== createdBy) continue;
      this.sources = [target];
      if (th.length - 1 === lenHistory) return target;
      return this.restore(parent, target, lenHistory, stateConfig);
    }
    return undefined;
  }

  private async restore(parent: StepImage | typeof SCRATCH, target: StepImage, lenHistory: number, stateConfig: RunConfig): Promise<StepImage> {
    const base = parent === SCRATCH ? undefined : parent.config;
    const entry = target.config.history![lenHistory];
    const layer = layerForHistoryIndex(target.config, lenHistory);
    const config: ImageConfigFile = {
      architecture: target.config.architecture,
      ...(target.config.variant ? { variant: target.config.variant } : {}),
      os: target.config.os ?? 'linux',
      ...(target.config.author ? { author: target.config.author } : {}),
      created: entry.created ?? formatRfc3339Nano(nowNs()),
      config: goRunConfig(stateConfig),
      rootfs: { type: 'layers', diff_ids: [...(base?.rootfs.diff_ids ?? []), ...(layer ? [layer] : [])] },
      history: [...(base?.history ?? []), entry],
    };
    return this.executor.createImage(config, parent === SCRATCH ? undefined : parent.id);
  }
}

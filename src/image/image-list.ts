// `GET /images/json` as moby's graphdriver image service lists: filters dangling, label,
// reference (glob on the familiar name), before, since, until; newest first.
import { invalidParameter, parseTimeArg } from '../common/index.ts';
import type { ImageContext } from './context.ts';
import { Filters, type FiltersInput } from './filters.ts';
import { getLayer } from './image-store.ts';
import { familiarMatch, familiarString } from './reference.ts';
import type { ImageListEntry } from './types.ts';

export interface ListOptions {
  /** Include intermediate images (untagged parents of other images). */
  all?: boolean;
  /** Accepted for the API's `digests`; RepoDigests are always filled. */
  digests?: boolean;
  filters?: FiltersInput;
  /** Compute SharedSize (layers shared with other images). */
  sharedSize?: boolean;
  /** Count containers per image (not counted otherwise). */
  containerCount?: (imageId: string) => number;
}

const LIST_FILTERS = ['dangling', 'label', 'before', 'since', 'reference', 'until'] as const;

export async function listImages(ctx: ImageContext, opts: ListOptions = {}): Promise<ImageListEntry[]> {
  const filters = new Filters(opts.filters);
  filters.validate(LIST_FILTERS);
  const danglingOnly = filters.getBoolOrDefault('dangling', false);

  // Several values of before/until resolve to the oldest, of since to the newest (AND).
  let before: bigint | undefined;
  for (const v of filters.get('before')) {
    const t = ctx.store.get(v).createdNs;
    if (t !== undefined && (before === undefined || t < before)) before = t;
  }
  for (const v of filters.get('until')) {
    const t = parseTimeArg(v);
    if (t === undefined) throw invalidParameter(`failed to parse value as time or duration: "${v}"`);
    if (before === undefined || t < before) before = t;
  }
  let since: bigint | undefined;
  for (const v of filters.get('since')) {
    const t = ctx.store.get(v).createdNs;
    if (t !== undefined && (since === undefined || t > since)) since = t;
  }
  const patterns = filters.get('reference');

  const selected = danglingOnly ? ctx.store.heads() : ctx.store.list();
  const rows: { entry: ImageListEntry; created: bigint }[] = [];
  const sizeCache = new Map<string, number>();
  const layerSize = async (chain: string) => {
    let s = sizeCache.get(chain);
    if (s === undefined) {
      s = (await getLayer(ctx.layers, chain))?.size ?? 0;
      sizeCache.set(chain, s);
    }
    return s;
  };

  imageLoop: for (const img of selected) {
    const created = img.createdNs;
    if (before !== undefined && (created === undefined || created >= before)) continue;
    if (since !== undefined && (created === undefined || created <= since)) continue;
    if (filters.contains('label')) {
      const labels = img.config.config?.Labels;
      if (!img.config.config || !filters.matchKVList('label', labels)) continue;
    }
    const repoTags: string[] = [];
    const repoDigests: string[] = [];
    for (const ref of ctx.store.refs.references(img.id)) {
      if (patterns.length && !patterns.some((p) => familiarMatch(p, ref))) continue;
      if (ref.digest !== undefined) repoDigests.push(familiarString(ref));
      if (ref.tag !== undefined) {
        if (danglingOnly) continue imageLoop;
        repoTags.push(familiarString(ref));
      }
    }
    if (repoTags.length === 0 && repoDigests.length === 0) {
      if (!opts.all && ctx.store.children(img.id).length > 0) continue;
      if (filters.contains('dangling') && !danglingOnly) continue;
      if (patterns.length) continue;
    }
    let size = 0;
    for (const chain of img.chainIds) size += await layerSize(chain);
    const entry: ImageListEntry = { image: img, repoTags, repoDigests, size, ...(opts.containerCount ? { containers: opts.containerCount(img.id) } : {}) };
    rows.push({ entry, created: created ?? 0n });
  }

  if (opts.sharedSize) {
    const refCount = new Map<string, number>();
    for (const img of ctx.store.list()) for (const ch of img.chainIds) refCount.set(ch, (refCount.get(ch) ?? 0) + 1);
    for (const { entry } of rows) {
      let shared = 0;
      for (const ch of entry.image.chainIds) if ((refCount.get(ch) ?? 0) > 1) shared += await layerSize(ch);
      entry.sharedSize = shared;
    }
  }
  rows.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  return rows.map((r) => r.entry);
}

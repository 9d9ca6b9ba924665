// `docker rmi` and `docker image prune` with moby's rules (daemon/images/image_delete.go,
// image_prune.go): which references go, when an image goes, the conflict messages word
// for word, and layer release walking the chain from the top.
import { conflict, errorKind, invalidParameter, shortId, parseTimeArg } from '../common/index.ts';
import type { DeleteRecord, PruneReport } from './types.ts';
import type { ImageContext } from './context.ts';
import { Filters, type FiltersInput } from './filters.ts';
import { getLayer } from './image-store.ts';
import { familiarName, familiarString, parseNormalizedNamed, referenceString, tagNameOnly, type NamedReference } from './reference.ts';
import type { StoredImage } from './types.ts';

export interface DeleteOptions {
  force?: boolean;
  /** Do not delete untagged parents. */
  noprune?: boolean;
}

const CONFLICT_DEPENDENT_CHILD = 1;
const CONFLICT_RUNNING_CONTAINER = 2;
const CONFLICT_ACTIVE_REFERENCE = 4;
const CONFLICT_STOPPED_CONTAINER = 8;
const CONFLICT_HARD = CONFLICT_DEPENDENT_CHILD | CONFLICT_RUNNING_CONTAINER;
const CONFLICT_SOFT = CONFLICT_ACTIVE_REFERENCE | CONFLICT_STOPPED_CONTAINER;

interface DeleteConflict {
  hard: boolean;
  used: boolean;
  imageId: string;
  message: string;
}

function conflictError(c: DeleteConflict): Error {
  const how = c.hard ? 'cannot be forced' : 'must be forced';
  return conflict(`conflict: unable to delete ${shortId(c.imageId)} (${how}) - ${c.message}`);
}

function isImageIdPrefix(imageId: string, candidate: string): boolean {
  if (imageId.startsWith(candidate)) return true;
  const i = imageId.indexOf(':');
  return i >= 0 && imageId.slice(i + 1).startsWith(candidate);
}

/** One tag at most, plus digest references of that same repository only. */
function isSingleReference(refs: NamedReference[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  let single: NamedReference | undefined;
  const canonical = new Set<string>();
  for (const r of refs) {
    if (r.digest !== undefined) canonical.add(familiarName(r));
    else if (single === undefined) single = r;
    else return false;
  }
  single ??= refs[0];
  return canonical.size === 1 && canonical.has(familiarName(single));
}

export async function deleteImage(ctx: ImageContext, imageRef: string, opts: DeleteOptions = {}): Promise<DeleteRecord[]> {
  if (imageRef.trim() === '') throw invalidParameter('image name cannot be blank');
  const force = opts.force ?? false;
  const prune = !(opts.noprune ?? false);
  const records: DeleteRecord[] = [];
  const img = ctx.store.get(imageRef);
  const id = img.id;
  let repoRefs = ctx.store.refs.references(id);
  let removedRepositoryRef = false;

  if (!isImageIdPrefix(id, imageRef)) {
    // A reference was named: it goes first, unless it is the last name of an image a
    // container uses (the image would be left dangling under the container).
    if (!force && isSingleReference(repoRefs)) {
      const user = ctx.usage(id);
      if (user) {
        throw conflict(
          `conflict: unable to remove repository reference "${imageRef}" (must force) - container ${shortId(user.containerId)} is using its referenced image ${shortId(id)}`,
        );
      }
    }
    const parsed = tagNameOnly(parseNormalizedNamed(imageRef));
    const removed = await removeRef(ctx, parsed);
    records.push({ Untagged: familiarString(removed) });
    ctx.emit({ Action: 'untag', id, name: id });
    repoRefs = ctx.store.refs.references(id);

    // With the last tag of a repository gone, its digest references go too.
    if (removed.digest === undefined) {
      const name = referenceString({ domain: removed.domain, path: removed.path });
      const tagLeft = repoRefs.some((r) => r.digest === undefined && referenceString({ domain: r.domain, path: r.path }) === name);
      if (!tagLeft) {
        const remaining: NamedReference[] = [];
        for (const r of repoRefs) {
          if (r.digest !== undefined && referenceString({ domain: r.domain, path: r.path }) === name) {
            await removeRef(ctx, r);
            records.push({ Untagged: familiarString(r) });
          } else {
            remaining.push(r);
          }
        }
        repoRefs = remaining;
      }
    }
    if (repoRefs.length > 0) return records;
    removedRepositoryRef = true;
  } else if (isSingleReference(repoRefs)) {
    // By ID with one name (plus its digests): the name goes with the image.
    let mask = CONFLICT_HARD;
    if (!force) mask |= CONFLICT_SOFT & ~CONFLICT_ACTIVE_REFERENCE;
    const c = checkConflict(ctx, id, mask);
    if (c) throw conflictError(c);
    for (const r of repoRefs) {
      const removed = await removeRef(ctx, r);
      records.push({ Untagged: familiarString(removed) });
      ctx.emit({ Action: 'untag', id, name: id });
    }
  }

  await deleteHelper(ctx, id, records, force, prune, removedRepositoryRef);
  return records;
}

async function removeRef(ctx: ImageContext, ref: NamedReference): Promise<NamedReference> {
  const r = tagNameOnly(ref);
  await ctx.store.refs.delete(r);
  return r;
}

function checkConflict(ctx: ImageContext, id: string, mask: number): DeleteConflict | undefined {
  if (mask & CONFLICT_DEPENDENT_CHILD && ctx.store.children(id).length > 0) {
    return { hard: true, used: false, imageId: id, message: 'image has dependent child images' };
  }
  const user = mask & (CONFLICT_RUNNING_CONTAINER | CONFLICT_STOPPED_CONTAINER) ? ctx.usage(id) : undefined;
  if (mask & CONFLICT_RUNNING_CONTAINER && user?.running) {
    return { hard: true, used: true, imageId: id, message: `image is being used by running container ${shortId(user.containerId)}` };
  }
  if (mask & CONFLICT_ACTIVE_REFERENCE && ctx.store.refs.references(id).length > 0) {
    return { hard: false, used: false, imageId: id, message: 'image is referenced in multiple repositories' };
  }
  if (mask & CONFLICT_STOPPED_CONTAINER && user && !user.running) {
    return { hard: false, used: true, imageId: id, message: `image is being used by stopped container ${shortId(user.containerId)}` };
  }
  return undefined;
}

function isDangling(ctx: ImageContext, id: string): boolean {
  return ctx.store.refs.references(id).length === 0 && ctx.store.children(id).length === 0;
}

async function deleteHelper(
  ctx: ImageContext,
  id: string,
  records: DeleteRecord[],
  force: boolean,
  prune: boolean,
  quiet: boolean,
): Promise<void> {
  let mask = CONFLICT_HARD;
  if (!force) mask |= CONFLICT_SOFT;
  const c = checkConflict(ctx, id, mask);
  if (c) {
    // After an untag, a conflict only matters if it leaves a dangling, unused image.
    if (quiet && (!isDangling(ctx, id) || c.used)) return;
    throw conflictError(c);
  }
  const img = ctx.store.byId(id);
  if (!img) return;
  const parent = img.parent;
  for (const r of ctx.store.refs.references(id)) {
    const removed = await removeRef(ctx, r);
    records.push({ Untagged: familiarString(removed) });
    ctx.emit({ Action: 'untag', id, name: id });
  }
  await ctx.store.remove(id);
  ctx.emit({ Action: 'delete', id, name: id });
  records.push({ Deleted: id });
  for (const chain of await releaseLayers(ctx, img)) records.push({ Deleted: chain });
  if (!prune || !parent || !ctx.store.byId(parent)) return;
  await deleteHelper(ctx, parent, records, false, true, true);
}

/**
 * Deletes the layers of a removed image that no remaining image uses, from the top down;
 * stops at the first one still in use (a container's layer, another image's chain).
 * Blobs kept for layers whose diff no image has any more go too.
 */
async function releaseLayers(ctx: ImageContext, img: StoredImage): Promise<string[]> {
  const usedChains = new Set<string>();
  const usedDiffs = new Set<string>();
  for (const other of ctx.store.list()) {
    if (other.id === img.id) continue;
    for (const ch of other.chainIds) usedChains.add(ch);
    for (const d of other.config.rootfs.diff_ids) usedDiffs.add(d);
  }
  const deleted: string[] = [];
  for (let i = img.chainIds.length - 1; i >= 0; i--) {
    const chain = img.chainIds[i];
    if (usedChains.has(chain)) break;
    try {
      await ctx.layers.delete(chain);
      deleted.push(chain);
    } catch (err) {
      const kind = errorKind(err);
      if (kind === 'NotFound') continue;
      if (kind === 'Conflict') break;
      throw err;
    }
  }
  for (const diff of new Set(img.config.rootfs.diff_ids)) {
    if (usedDiffs.has(diff)) continue;
    const blob = await ctx.blobs.delete(diff);
    if (blob) await ctx.content.delete(blob.digest);
  }
  return deleted;
}

const PRUNE_FILTERS = ['dangling', 'label', 'label!', 'until'] as const;

const pruneRunning = new WeakSet<ImageContext>();

/** `docker image prune [-a]`: dangling images, or with dangling=false every unused one. */
export async function pruneImages(ctx: ImageContext, input: FiltersInput = {}): Promise<PruneReport> {
  if (pruneRunning.has(ctx)) throw conflict('a prune operation is already running');
  pruneRunning.add(ctx);
  try {
    const filters = new Filters(input);
    filters.validate(PRUNE_FILTERS);
    const danglingOnly = filters.getBoolOrDefault('dangling', true);
    let until: bigint | undefined;
    if (filters.contains('until')) {
      const values = filters.get('until');
      if (values.length > 1) throw invalidParameter('more than one until filter specified');
      until = parseTimeArg(values[0]);
      if (until === undefined) throw invalidParameter(`failed to parse value as time or duration: "${values[0]}"`);
    }
    // Layer sizes before anything goes, to account for what was reclaimed.
    const layerSize = new Map<string, number>();
    for (const img of ctx.store.list()) {
      for (const ch of img.chainIds) {
        if (!layerSize.has(ch)) layerSize.set(ch, (await getLayer(ctx.layers, ch))?.size ?? 0);
      }
    }
    const candidates = (danglingOnly ? ctx.store.heads() : ctx.store.list()).filter((img) => {
      if (ctx.store.refs.references(img.id).length === 0 && ctx.store.children(img.id).length !== 0) return false;
      if (until !== undefined && (img.createdNs === undefined || img.createdNs > until)) return false;
      const labels = img.config.config?.Labels ?? null;
      if (!filters.matchKVList('label', labels)) return false;
      if (filters.contains('label!') && filters.matchKVList('label!', labels)) return false;
      return true;
    });

    const deleted: DeleteRecord[] = [];
    for (const img of candidates) {
      if (!ctx.store.byId(img.id)) continue; // went with an earlier one
      const refs = ctx.store.refs.references(img.id);
      if (refs.length > 0) {
        const shouldDelete = !danglingOnly || !refs.some((r) => r.digest === undefined);
        if (!shouldDelete) continue;
        for (const r of refs) {
          try {
            deleted.push(...(await deleteImage(ctx, referenceString(r))));
          } catch {
            // conflicts (in use) and vanished images are skipped, as dockerd does
          }
        }
      } else {
        try {
          deleted.push(...(await deleteImage(ctx, img.id.slice(7))));
        } catch {
          // skipped
        }
      }
    }
    let reclaimed = 0;
    for (const d of deleted) if (d.Deleted && layerSize.has(d.Deleted)) reclaimed += layerSize.get(d.Deleted)!;
    ctx.emit({ Action: 'prune', id: '', attributes: { reclaimed: String(reclaimed) } });
    return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  } finally {
    pruneRunning.delete(ctx);
  }
}

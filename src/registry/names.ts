// The pure parts of the registry's HTTP surface: distribution's grammar for repository names,
// tags and digests, the /v2/ route table (names contain slashes, so a route is recognised by
// its suffix), and `n`/`last` pagination of sorted lists.

/** distribution/reference: path components of lowercase alphanumerics with `.`, `_`, `__` or `-+` between. */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
export const NAME_MAX_LENGTH = 255;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
/** Upload session ids: ours are UUIDs; anything path-safe from another writer of the root is accepted. */
const UPLOAD_ID = /^[A-Za-z0-9][A-Za-z0-9_.=-]{0,127}$/;

export function isValidName(name: string): boolean {
  return name.length > 0 && name.length <= NAME_MAX_LENGTH && name.split('/').every((c) => COMPONENT.test(c));
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** A digest in the general grammar (`algorithm:encoded`); whether we support the algorithm is checked apart. */
export function looksLikeDigest(ref: string): boolean {
  return DIGEST.test(ref);
}

export function isSupportedDigest(d: string): boolean {
  return /^sha256:[a-f0-9]{64}$/.test(d);
}

export function isValidUploadId(id: string): boolean {
  return UPLOAD_ID.test(id);
}

export type Route =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'upload-start'; name: string }
  | { kind: 'upload'; name: string; id: string }
  | { kind: 'referrers'; name: string; digest: string };

/**
 * Parses the path after `/v2/` (already percent-decoded per segment, without the query).
 * Returns undefined for a path that is no route. The name is returned unvalidated (a route
 * with a bad name answers NAME_INVALID, not 404).
 */
export function parseRoute(rest: string): Route | undefined {
  if (rest === '') return { kind: 'base' };
  if (rest === '_catalog') return { kind: 'catalog' };
  const segs = rest.split('/');
  const n = segs.length;
  const nameOf = (k: number) => segs.slice(0, n - k).join('/');
  // `<name>/blobs/uploads/` (POST): the trailing slash leaves an empty last segment.
  if (n >= 3 && segs[n - 1] === '' && segs[n - 2] === 'uploads' && segs[n - 3] === 'blobs') {
    return n > 3 ? { kind: 'upload-start', name: nameOf(3) } : undefined;
  }
  if (segs.some((s) => s === '')) return undefined;
  if (n >= 3 && segs[n - 1] === 'uploads' && segs[n - 2] === 'blobs') return { kind: 'upload-start', name: nameOf(2) };
  if (n >= 4 && segs[n - 2] === 'uploads' && segs[n - 3] === 'blobs') {
    return { kind: 'upload', name: nameOf(3), id: segs[n - 1] };
  }
  if (n >= 3 && segs[n - 2] === 'tags' && segs[n - 1] === 'list') return { kind: 'tags', name: nameOf(2) };
  if (n >= 3 && segs[n - 2] === 'blobs') return { kind: 'blob', name: nameOf(2), digest: segs[n - 1] };
  if (n >= 3 && segs[n - 2] === 'manifests') return { kind: 'manifest', name: nameOf(2), reference: segs[n - 1] };
  if (n >= 3 && segs[n - 2] === 'referrers') return { kind: 'referrers', name: nameOf(2), digest: segs[n - 1] };
  return undefined;
}

export interface Page {
  items: string[];
  /** The `last` of the next page when more items follow. */
  next: string | undefined;
}

/**
 * One page of a sorted list: the items after `last` (lexically), at most `n` of them
 * (undefined = all, up to `max`).
 */
export function paginate(sorted: readonly string[], n: number | undefined, last: string | undefined, max = Infinity): Page {
  const start = last === undefined ? 0 : upperBound(sorted, last);
  const limit = Math.min(n ?? max, max);
  const items = sorted.slice(start, start + limit);
  const more = start + limit < sorted.length && items.length > 0;
  return { items, next: more ? items[items.length - 1] : undefined };
}

function upperBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Parses a pagination `n`: a non-negative decimal integer, or undefined when absent. Throws on anything else. */
export function parseCount(raw: string | null): number | undefined {
  if (raw === null || raw === '') return undefined;
  if (!/^\d{1,9}$/.test(raw)) throw new RangeError('bad count');
  return Number(raw);
}

/** Sort as Go's sort.Strings does (byte order), not locale order. */
export function byteSort(items: string[]): string[] {
  return items.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// The mark of the garbage collector, pure: from each repository's manifest revisions, tags and
// the references of each manifest, which digests stay (marked) and which revisions go.
// Kept manifests are the roots (every revision, or with deleteUntagged only the tagged ones),
// the index children of kept manifests, and manifests whose subject is kept (referrers:
// signatures and SBOMs live as long as what they describe). A kept manifest marks itself, its
// config and layers, its children and its subject.

export interface ManifestRefs {
  /** config and layers (blobs). */
  blobs: string[];
  /** index children (manifests in the same repository). */
  manifests: string[];
  subject: string | undefined;
}

export interface RepoGraph {
  name: string;
  /** Each revision's references. */
  revisions: Map<string, ManifestRefs>;
  /** Digests that tags point at. */
  tagged: Set<string>;
}

export interface MarkResult {
  marked: Set<string>;
  /** Revisions to unlink (only with deleteUntagged). */
  deleteRevisions: Array<{ name: string; digest: string }>;
}

export function mark(repos: RepoGraph[], deleteUntagged: boolean): MarkResult {
  const marked = new Set<string>();
  const deleteRevisions: Array<{ name: string; digest: string }> = [];
  for (const repo of repos) {
    const kept = new Set<string>();
    const keep = (d: string) => {
      const stack = [d];
      while (stack.length > 0) {
        const cur = stack.pop()!;
        if (kept.has(cur) || !repo.revisions.has(cur)) continue;
        kept.add(cur);
        stack.push(...repo.revisions.get(cur)!.manifests);
      }
    };
    const roots = deleteUntagged ? [...repo.tagged] : [...repo.revisions.keys()];
    for (const r of roots) keep(r);
    // Referrers of kept manifests, to a fixed point (a signature of a signature).
    for (let changed = true; changed; ) {
      changed = false;
      for (const [d, refs] of repo.revisions) {
        if (!kept.has(d) && refs.subject !== undefined && kept.has(refs.subject)) {
          keep(d);
          changed = true;
        }
      }
    }
    for (const d of kept) {
      const refs = repo.revisions.get(d)!;
      marked.add(d);
      for (const b of refs.blobs) marked.add(b);
      for (const m of refs.manifests) marked.add(m);
      if (refs.subject !== undefined) marked.add(refs.subject);
    }
    for (const d of repo.revisions.keys()) if (!kept.has(d)) deleteRevisions.push({ name: repo.name, digest: d });
  }
  return { marked, deleteRevisions };
}

/**
 * Every digest a stored manifest refers to, whatever its schema (schema1's fsLayers too), read
 * from the JSON itself so that GC never misses a reference of a manifest it cannot fully parse.
 * Undefined when the content is not a JSON object: the collector then refuses to sweep.
 */
export function manifestRefs(content: Uint8Array): ManifestRefs | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(content).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const m = doc as Record<string, unknown>;
  const digestOf = (v: unknown, key = 'digest'): string | undefined => {
    if (typeof v !== 'object' || v === null) return undefined;
    const d = (v as Record<string, unknown>)[key];
    return typeof d === 'string' ? d : undefined;
  };
  const list = (v: unknown, key = 'digest'): string[] =>
    Array.isArray(v) ? v.map((x) => digestOf(x, key)).filter((x): x is string => x !== undefined) : [];
  const blobs = [...list(m.layers), ...list(m.fsLayers, 'blobSum'), ...list(m.blobs)];
  const config = digestOf(m.config);
  if (config !== undefined) blobs.push(config);
  return { blobs, manifests: list(m.manifests), subject: digestOf(m.subject) };
}

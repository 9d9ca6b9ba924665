// The garbage collector: mark (gc-mark.ts) over every repository, then sweep every blob that
// is neither marked nor newer than the start of the mark. In the server it runs under the
// store's GC gate (pushes that would make a blob reachable wait for it); as the
// `garbage-collect` subcommand beside a running server, the modTime rule keeps every blob
// written after the mark began (a blob commit refreshes the modTime), but a manifest pushed
// during the run may reference an old unreferenced blob that is swept: like distribution, run
// the subcommand on a registry that is stopped or read-only, or use the in-process collector.
import { mark, manifestRefs, type RepoGraph } from './gc-mark.ts';
import type { RegistryStore } from './store.ts';
import { PathNotFoundError } from './storage/driver.ts';
import * as P from './storage/paths.ts';

export interface GcOptions {
  dryRun: boolean;
  deleteUntagged: boolean;
  /** Progress lines (distribution prints the same kind). */
  log?: (line: string) => void;
}

export interface GcResult {
  marked: number;
  blobsDeleted: string[];
  manifestsDeleted: Array<{ name: string; digest: string }>;
}

export async function collectGarbage(store: RegistryStore, opts: GcOptions): Promise<GcResult> {
  const log = opts.log ?? (() => {});
  const markStart = new Date();
  const graphs: RepoGraph[] = [];
  for (const name of await store.repositories()) {
    const revisions = new Map<string, ReturnType<typeof manifestRefs> & object>();
    for (const d of await store.revisions(name)) {
      let content: Uint8Array;
      try {
        content = await store.driver.getContent(P.blobData(d));
      } catch (err) {
        if (err instanceof PathNotFoundError) continue; // a dangling revision link: nothing to keep
        throw err;
      }
      const refs = manifestRefs(content);
      if (!refs) throw new Error(`${name}: manifest ${d} is not JSON; refusing to collect garbage`);
      revisions.set(d, refs);
    }
    const tagged = new Set((await store.tagTargets(name)).values());
    graphs.push({ name, revisions, tagged });
  }
  const { marked, deleteRevisions } = mark(graphs, opts.deleteUntagged);
  for (const g of graphs) for (const d of g.revisions.keys()) if (marked.has(d)) log(`${g.name}: marking manifest ${d}`);

  const blobs = await store.allBlobs();
  const doomed = blobs.filter((b) => !marked.has(b.digest) && b.modTime < markStart).map((b) => b.digest);
  log(`\n${marked.size} blobs marked, ${doomed.length} blobs and ${deleteRevisions.length} manifests eligible for deletion`);
  for (const r of deleteRevisions) log(`${r.name}: manifest eligible for deletion: ${r.digest}`);
  for (const d of doomed) log(`blob eligible for deletion: ${d}`);
  if (!opts.dryRun) {
    for (const r of deleteRevisions) await store.unlinkRevision(r.name, r.digest);
    const gone = new Set(doomed);
    for (const d of doomed) await store.removeBlob(d);
    // Layer links to swept blobs would answer HEAD with 404 anyway; removing them keeps the root tidy.
    for (const name of await store.repositories(true)) {
      for (const d of await store.layerLinks(name)) if (gone.has(d)) await store.unlinkLayer(name, d);
    }
  }
  return { marked: marked.size, blobsDeleted: doomed, manifestsDeleted: deleteRevisions };
}

/** The in-process collector: pushes that would make a blob reachable wait until it is done. */
export function collectGarbageGated(store: RegistryStore, opts: GcOptions): Promise<GcResult> {
  return store.gate.withExclusive(() => collectGarbage(store, opts));
}

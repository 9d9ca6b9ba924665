// The garbage collector: mark (gc-mark.ts) over every repository, then sweep every blob that
// is neither marked nor newer than the start of the mark minus `minAgeMs` (a blob pushed
// shortly before its manifest is not yet referenced: the in-process collector waits an hour by
// default). Safe beside pushes:
// - in the server, it runs under the store's GC gate: writes that make a blob reachable (blob
//   commit, mount, manifest PUT) hold it shared, the collection exclusive, so a manifest PUT
//   lands before the mark (which sees it) or after the sweep (and checks its blobs afresh);
// - as the `garbage-collect` subcommand, it announces itself with a marker in the storage;
//   servers on that storage hold manifest PUTs until the marker is gone, and the collector
//   waits `announceGraceMs` before marking for PUTs already past their check;
// - in both, a blob committed after the mark began has a newer modTime (a commit refreshes it,
//   even over an existing blob) and is not swept.
// The worst a push racing a collection sees is MANIFEST_BLOB_UNKNOWN for a blob it uploaded
// long before (older than minAge) and never referenced; never a manifest with a missing blob.
import { setTimeout as sleep } from 'node:timers/promises';
import { mark, manifestRefs, type RepoGraph } from './gc-mark.ts';
import type { RegistryStore } from './store.ts';
import { PathNotFoundError } from './storage/driver.ts';
import * as P from './storage/paths.ts';

export interface GcOptions {
  dryRun: boolean;
  deleteUntagged: boolean;
  /**
   * Blobs younger than this (ms before the mark began) are never swept: a client pushes its
   * blobs first and its manifest last, and in between the blobs are referenced by nothing.
   */
  minAgeMs?: number;
  /**
   * For a collector in its own process: write the storage's GC marker (servers then hold
   * manifest writes), wait this long for writes already past the check to land, and remove
   * the marker at the end. Undefined: no marker (the in-process collector uses the gate).
   */
  announceGraceMs?: number;
  /** Progress lines (distribution prints the same kind). */
  log?: (line: string) => void;
}

export interface GcResult {
  marked: number;
  blobsDeleted: string[];
  manifestsDeleted: Array<{ name: string; digest: string }>;
}

export async function collectGarbage(store: RegistryStore, opts: GcOptions): Promise<GcResult> {
  if (opts.announceGraceMs === undefined) return collect(store, opts);
  const marker = () => store.driver.putContent(P.GC_MARKER, Buffer.from(JSON.stringify({ pid: process.pid, at: new Date().toISOString() })));
  await marker();
  const refresh = setInterval(() => void marker().catch(() => {}), 60_000);
  try {
    await sleep(opts.announceGraceMs);
    return await collect(store, opts);
  } finally {
    clearInterval(refresh);
    await store.driver.delete(P.GC_MARKER).catch(() => {});
  }
}

async function collect(store: RegistryStore, opts: GcOptions): Promise<GcResult> {
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
  const cutoff = new Date(markStart.getTime() - (opts.minAgeMs ?? 0));
  const doomed = blobs.filter((b) => !marked.has(b.digest) && b.modTime < cutoff).map((b) => b.digest);
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

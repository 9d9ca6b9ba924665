// Upload purging (distribution's storage.maintenance.uploadpurging): upload sessions older
// than `age` are removed every `interval`; with dryrun they are only reported.
import type { RegistryStore } from './store.ts';

export async function purgeUploads(
  store: RegistryStore,
  olderThan: Date,
  dryRun: boolean,
  log: (line: string) => void = () => {},
): Promise<string[]> {
  const purged: string[] = [];
  for await (const u of store.listUploads()) {
    // A session without a readable start time is as old as can be (distribution does the same).
    if (u.startedAt !== undefined && u.startedAt >= olderThan) continue;
    purged.push(`${u.name}/${u.id}`);
    if (dryRun) log(`upload purge (dry run): would remove ${u.name} ${u.id}`);
    else await store.purgeUpload(u.name, u.id);
  }
  return purged;
}

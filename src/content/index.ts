// The content box: blobs by digest on containerd's contract (roles.ts: a Provider reads, an
// Ingester writes, commit = write, fsync, verify, rename). The image store and the registry
// server both use it, so neither depends on the other. Other boxes import it only through
// this file; export a role from roles.ts here when a box first needs it.
export type { ContentProvider, ContentWriter } from './roles.ts';
export { ContentStore } from './content-store.ts';
export { isSha256Digest, sha256Digest } from './digest.ts';

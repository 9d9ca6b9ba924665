// The archive box: tars of trees inside a root (export, `docker cp` out, layer diffs for commit),
// a container's filesystem changes (diff), and, from the cp side, extraction into a container.
// Paths are resolved by the fsroot box.
export { tarTree, tarChanges } from './tar-tree.ts';
export type { TreeTarOptions } from './tar-tree.ts';
export { overlayChanges, naiveChanges } from './changes.ts';
export type { Change } from './changes.ts';

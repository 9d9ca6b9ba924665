// The archive box: tars of trees inside a root (export, `docker cp` out, layer diffs for commit)
// and, from the cp side, extraction into a container. Paths are resolved by the fsroot box.
export { tarTree } from './tar-tree.ts';
export type { TreeTarOptions } from './tar-tree.ts';
export { extractTarInRoot, cleanEntryName } from './extract.ts';
export type { ExtractOptions } from './extract.ts';
export { tarPathInView } from './tar-path.ts';
export { goFileMode, goTimeJson, goModeIsDir, goModeIsSymlink, decodePathStat } from './path-stat.ts';
export type { ContainerPathStat } from './path-stat.ts';

// The archive box: tars of trees inside a root (export, `docker cp` out, layer diffs for commit),
// a container's filesystem changes (diff), and, from the cp side, extraction into a container.
// Paths are resolved by the fsroot box.
export { tarTree, tarChanges } from './tar-tree.ts';
export type { TreeTarOptions } from './tar-tree.ts';
export { extractTarInRoot, cleanEntryName, checkLinkEntry } from './extract.ts';
export { tarPathInView } from './tar-path.ts';
export { GO_MODE, goFileMode, goTimeJson, goModeIsDir, goModeIsSymlink, decodePathStat } from './path-stat.ts';
export type { ContainerPathStat } from './path-stat.ts';
export {
  copyInfoDestinationPath, copyInfoSourcePath, getRebaseName, prepareArchiveCopy, preserveTrailingDotOrSeparator, rebaseName, splitCpArg, splitPathDirEntry,
} from './copy-info.ts';
export type { CopyInfo } from './copy-info.ts';
export { overlayChanges, naiveChanges } from './changes.ts';
export type { Change } from './changes.ts';

// The fsroot box: the one in-root path resolver (DESIGN.md decision 5), for layer extraction
// now and `docker cp`, volume copy-up and build contexts next. Paths from untrusted input are
// opened inside their root with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) (or the same
// walk on fds where the kernel lacks it), and files are then made and changed through *at()
// calls on those fds, never by a path string checked earlier.
export { openRoot, openInRoot, mkdirAllInRoot, setResolverImpl } from './open-in-root.ts';
export { ContainerView, cleanContainerPath } from './container-view.ts';
export type { ViewMount } from './container-view.ts';
export { removeAllAt } from './remove-at.ts';
export { readFileInRoot } from './read-file.ts';
export {
  AT_EMPTY_PATH, O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_DIRECTORY, O_NOFOLLOW, O_PATH, S_IFMT, S_IFDIR,
  fstatat, fsetxattr, lchmodat, lchownat, linkat, lutimesat, mkdirat, mknodat, openat, readdirat, symlinkat,
  readlinkat, lgetxattrAt, llistxattrAt, unlinkat,
} from './syscalls.linux.ts';
export { ParentDirCache, archiveXattrAllowed, setArchiveXattrs } from './parent-dirs.ts';

// berth.node: the few Linux syscalls Node lacks (DESIGN.md decision 6). Thin and synchronous:
// each function does one syscall and throws an Error carrying .code ("EPERM", ...), .errno,
// .syscall and .path, like Node's own fs errors. Policy lives in TypeScript, never here.
#define _GNU_SOURCE
#include <node_api.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define CHECK(call) do { if ((call) != napi_ok) return NULL; } while (0)

static napi_value throw_errno(napi_env env, int err, const char *syscall, const char *path) {
  const char *code = strerrorname_np(err);
  if (code == NULL) code = "EUNKNOWN";
  char msg[4352], desc[128];
  snprintf(desc, sizeof desc, "%s", strerror(err));
  if (desc[0] >= 'A' && desc[0] <= 'Z') desc[0] += 'a' - 'A';  // "no such file or directory", as Node words it
  if (path) snprintf(msg, sizeof msg, "%s: %s, %s '%s'", code, desc, syscall, path);
  else snprintf(msg, sizeof msg, "%s: %s, %s", code, desc, syscall);
  napi_value m, c, e, no, sc, p;
  CHECK(napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m));
  CHECK(napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c));
  CHECK(napi_create_error(env, c, m, &e));
  CHECK(napi_create_int32(env, -err, &no));
  CHECK(napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc));
  napi_set_named_property(env, e, "errno", no);
  napi_set_named_property(env, e, "syscall", sc);
  if (path && napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &p) == napi_ok)
    napi_set_named_property(env, e, "path", p);
  napi_throw(env, e);
  return NULL;
}

// Copies a JS string argument into a malloc'd C string; null/undefined give NULL when optional.
// Returns 0 on success, -1 with a pending JS exception.
static int get_str(napi_env env, napi_value v, int optional, char **out) {
  napi_valuetype t;
  *out = NULL;
  if (napi_typeof(env, v, &t) != napi_ok) return -1;
  if (optional && (t == napi_null || t == napi_undefined)) return 0;
  if (t != napi_string) { napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a string"); return -1; }
  size_t len;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return -1;
  *out = malloc(len + 1);
  if (*out == NULL) { napi_throw_error(env, "ENOMEM", "out of memory"); return -1; }
  if (napi_get_value_string_utf8(env, v, *out, len + 1, &len) != napi_ok) { free(*out); *out = NULL; return -1; }
  if (strlen(*out) != len) { free(*out); *out = NULL; napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "string contains a NUL byte"); return -1; }
  return 0;
}

static int get_u32(napi_env env, napi_value v, uint32_t *out) {
  if (napi_get_value_uint32(env, v, out) != napi_ok) { napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a number"); return -1; }
  return 0;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return -1;
  for (size_t i = argc; i < want; i++) napi_get_undefined(env, &argv[i]);
  return 0;
}

// mount(2) with a private working directory: the mount runs on a short-lived thread that has
// unshared its fs_struct (CLONE_FS), so relative paths (overlay's "l/XXX:l/YYY" lowerdir, which
// keeps 100+ layers under the one-page limit of mount data) resolve against `cwd` without
// changing the working directory of Node's other threads.
struct mount_req { const char *src, *tgt, *fs, *data, *cwd; unsigned long flags; int err; };

static void *mount_in_cwd(void *p) {
  struct mount_req *r = p;
  if (unshare(CLONE_FS) != 0 || chdir(r->cwd) != 0) { r->err = errno; return NULL; }
  r->err = mount(r->src, r->tgt, r->fs, r->flags, r->data) == 0 ? 0 : errno;
  return NULL;
}

static napi_value js_mount(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (get_args(env, info, 6, argv)) return NULL;
  char *s[6] = {0};
  uint32_t flags = 0;
  napi_value ret = NULL;
  if (get_str(env, argv[0], 1, &s[0]) || get_str(env, argv[1], 0, &s[1]) || get_str(env, argv[2], 1, &s[2]) ||
      get_u32(env, argv[3], &flags) || get_str(env, argv[4], 1, &s[4]) || get_str(env, argv[5], 1, &s[5])) goto out;
  struct mount_req r = { s[0], s[1], s[2], s[4], s[5], flags, 0 };
  if (r.cwd == NULL) {
    if (mount(r.src, r.tgt, r.fs, r.flags, r.data) != 0) r.err = errno;
  } else {
    pthread_t t;
    int e = pthread_create(&t, NULL, mount_in_cwd, &r);
    if (e != 0) r.err = e; else pthread_join(t, NULL);
  }
  if (r.err != 0) throw_errno(env, r.err, "mount", r.tgt);
  else napi_get_undefined(env, &ret);
out:
  for (int i = 0; i < 6; i++) free(s[i]);
  return ret;
}

static napi_value js_umount2(napi_env env, napi_callback_info info) {
  napi_value argv[2], ret = NULL;
  char *target = NULL;
  uint32_t flags = 0;
  if (get_args(env, info, 2, argv) || get_str(env, argv[0], 0, &target) || get_u32(env, argv[1], &flags)) goto out;
  if (umount2(target, (int)flags) != 0) throw_errno(env, errno, "umount2", target);
  else napi_get_undefined(env, &ret);
out:
  free(target);
  return ret;
}

// mknod(path, mode, major, minor): mode carries the file type (S_IFCHR, S_IFBLK, S_IFIFO).
static napi_value js_mknod(napi_env env, napi_callback_info info) {
  napi_value argv[4], ret = NULL;
  char *path = NULL;
  uint32_t mode, major, minor;
  if (get_args(env, info, 4, argv) || get_str(env, argv[0], 0, &path) || get_u32(env, argv[1], &mode) ||
      get_u32(env, argv[2], &major) || get_u32(env, argv[3], &minor)) goto out;
  if (mknod(path, (mode_t)mode, makedev(major, minor)) != 0) throw_errno(env, errno, "mknod", path);
  else napi_get_undefined(env, &ret);
out:
  free(path);
  return ret;
}

static napi_value js_lsetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[3], ret = NULL;
  char *path = NULL, *name = NULL;
  void *data;
  size_t len;
  if (get_args(env, info, 3, argv) || get_str(env, argv[0], 0, &path) || get_str(env, argv[1], 0, &name)) goto out;
  if (napi_get_buffer_info(env, argv[2], &data, &len) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a Buffer");
    goto out;
  }
  if (lsetxattr(path, name, data, len, 0) != 0) throw_errno(env, errno, "lsetxattr", path);
  else napi_get_undefined(env, &ret);
out:
  free(path);
  free(name);
  return ret;
}

// Returns a Buffer, or null when the attribute does not exist (ENODATA).
static napi_value js_lgetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[2], ret = NULL;
  char *path = NULL, *name = NULL, *buf = NULL;
  if (get_args(env, info, 2, argv) || get_str(env, argv[0], 0, &path) || get_str(env, argv[1], 0, &name)) goto out;
  for (;;) {  // the value may grow between the size query and the read: retry on ERANGE
    ssize_t n = lgetxattr(path, name, NULL, 0);
    if (n >= 0) {
      free(buf);
      buf = malloc(n > 0 ? (size_t)n : 1);
      if (buf == NULL) { napi_throw_error(env, "ENOMEM", "out of memory"); goto out; }
      n = lgetxattr(path, name, buf, (size_t)n);
    }
    if (n < 0 && errno == ERANGE) continue;
    if (n < 0 && errno == ENODATA) napi_get_null(env, &ret);
    else if (n < 0) throw_errno(env, errno, "lgetxattr", path);
    else {
      void *dst;
      if (napi_create_buffer_copy(env, (size_t)n, buf, &dst, &ret) != napi_ok) ret = NULL;
    }
    break;
  }
out:
  free(path);
  free(name);
  free(buf);
  return ret;
}

static napi_value js_llistxattr(napi_env env, napi_callback_info info) {
  napi_value argv[1], ret = NULL;
  char *path = NULL, *buf = NULL;
  if (get_args(env, info, 1, argv) || get_str(env, argv[0], 0, &path)) goto out;
  ssize_t n;
  for (;;) {
    n = llistxattr(path, NULL, 0);
    if (n >= 0) {
      free(buf);
      buf = malloc(n > 0 ? (size_t)n : 1);
      if (buf == NULL) { napi_throw_error(env, "ENOMEM", "out of memory"); goto out; }
      n = llistxattr(path, buf, (size_t)n);
    }
    if (n < 0 && errno == ERANGE) continue;
    break;
  }
  if (n < 0) { throw_errno(env, errno, "llistxattr", path); goto out; }
  if (napi_create_array(env, &ret) != napi_ok) { ret = NULL; goto out; }
  uint32_t idx = 0;
  for (ssize_t i = 0; i < n;) {  // NUL-separated names
    size_t l = strnlen(buf + i, (size_t)(n - i));
    napi_value s;
    if (l > 0 && napi_create_string_utf8(env, buf + i, l, &s) == napi_ok) napi_set_element(env, ret, idx++, s);
    i += (ssize_t)l + 1;
  }
out:
  free(path);
  free(buf);
  return ret;
}

// ---- Memory: malloc_trim(0) gives the free pages of every glibc arena back to the kernel; the
// daemon calls it when idle after a burst (glibc keeps them otherwise). ----
#include <malloc.h>

static napi_value js_malloc_trim(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value ret;
  CHECK(napi_get_boolean(env, malloc_trim(0) == 1, &ret));
  return ret;
}

// madvise(start, length, MADV_PAGEOUT) on a range of this process (BigInt start and length): the
// daemon gives back, once after start-up, the pages of its executable that only start-up used.
#include <sys/mman.h>
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static napi_value js_madvise_pageout(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint64_t start = 0, length = 0;
  bool lossless = false;
  if (argc < 2 || napi_get_value_bigint_uint64(env, argv[0], &start, &lossless) != napi_ok || !lossless
      || napi_get_value_bigint_uint64(env, argv[1], &length, &lossless) != napi_ok || !lossless) {
    napi_throw_type_error(env, NULL, "madvise_pageout(start: bigint, length: bigint)");
    return NULL;
  }
  if (madvise((void *)(uintptr_t)start, (size_t)length, MADV_PAGEOUT) != 0) return throw_errno(env, errno, "madvise", NULL);
  napi_value ret;
  CHECK(napi_get_undefined(env, &ret));
  return ret;
}

static void set_fn(napi_env env, napi_value obj, const char *name, napi_callback cb) {
  napi_value f;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &f) == napi_ok) napi_set_named_property(env, obj, name, f);
}

#define K(name) { #name, name }

// ==== fsroot: fd-based file operations inside a root (DESIGN.md decision 5) ====
// Used by src/fsroot/ (the one in-root path resolver). Each function is one *at() syscall on
// directory fds the resolver obtained inside the root; none follows a final symlink unless its
// flags say so. Policy (walking, loops, caching) lives in TypeScript.

static int get_i32(napi_env env, napi_value v, int32_t *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) { napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a number"); return -1; }
  return 0;
}

static napi_value ret_undefined(napi_env env) {
  napi_value r;
  return napi_get_undefined(env, &r) == napi_ok ? r : NULL;
}

static napi_value ret_int(napi_env env, int v) {
  napi_value r;
  return napi_create_int32(env, v, &r) == napi_ok ? r : NULL;
}

// openat2(dirfd, path, flags, mode, resolve) -> fd. O_CLOEXEC is always added. Throws ENOSYS
// where the kernel lacks openat2 (before 5.6), so the caller can fall back.
static napi_value js_openat2(napi_env env, napi_callback_info info) {
  napi_value argv[5], ret = NULL;
  char *path = NULL;
  int32_t dirfd;
  uint32_t flags, mode, resolve;
  if (get_args(env, info, 5, argv) || get_i32(env, argv[0], &dirfd) || get_str(env, argv[1], 0, &path) ||
      get_u32(env, argv[2], &flags) || get_u32(env, argv[3], &mode) || get_u32(env, argv[4], &resolve)) goto out;
  struct open_how how = { .flags = (uint64_t)flags | O_CLOEXEC, .mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0, .resolve = resolve };
  long fd;
  do fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how); while (fd < 0 && errno == EINTR);
  if (fd < 0) throw_errno(env, errno, "openat2", path);
  else ret = ret_int(env, (int)fd);
out:
  free(path);
  return ret;
}

// openat(dirfd, name, flags, mode) -> fd, O_CLOEXEC added.
static napi_value js_openat(napi_env env, napi_callback_info info) {
  napi_value argv[4], ret = NULL;
  char *name = NULL;
  int32_t dirfd;
  uint32_t flags, mode;
  if (get_args(env, info, 4, argv) || get_i32(env, argv[0], &dirfd) || get_str(env, argv[1], 0, &name) ||
      get_u32(env, argv[2], &flags) || get_u32(env, argv[3], &mode)) goto out;
  int fd;
  do fd = openat(dirfd, name, (int)flags | O_CLOEXEC, (mode_t)mode); while (fd < 0 && errno == EINTR);
  if (fd < 0) throw_errno(env, errno, "openat", name);
  else ret = ret_int(env, fd);
out:
  free(name);
  return ret;
}

// fstatat(dirfd, name, flags) -> [mode, uid, gid, size, nlink, dev (bigint), ino (bigint)], or null
// when the name does not exist (ENOENT): a missing name is the common case while extracting.
static napi_value js_fstatat(napi_env env, napi_callback_info info) {
  napi_value argv[3], ret = NULL;
  char *name = NULL;
  int32_t dirfd;
  uint32_t flags;
  if (get_args(env, info, 3, argv) || get_i32(env, argv[0], &dirfd) || get_str(env, argv[1], 0, &name) ||
      get_u32(env, argv[2], &flags)) goto out;
  struct stat st;
  if (fstatat(dirfd, name, &st, (int)flags) != 0) {
    if (errno == ENOENT) napi_get_null(env, &ret);
    else throw_errno(env, errno, "fstatat", name);
    goto out;
  }
  napi_value v[7];
  if (napi_create_uint32(env, st.st_mode, &v[0]) != napi_ok || napi_create_uint32(env, st.st_uid, &v[1]) != napi_ok ||
      napi_create_uint32(env, st.st_gid, &v[2]) != napi_ok || napi_create_double(env, (double)st.st_size, &v[3]) != napi_ok ||
      napi_create_double(env, (double)st.st_nlink, &v[4]) != napi_ok || napi_create_bigint_uint64(env, st.st_dev, &v[5]) != napi_ok ||
      napi_create_bigint_uint64(env, st.st_ino, &v[6]) != napi_ok || napi_create_array_with_length(env, 7, &ret) != napi_ok) { ret = NULL; goto out; }
  for (uint32_t i = 0; i < 7; i++) napi_set_element(env, ret, i, v[i]);
out:
  free(name);
  return ret;
}

// readlinkat(dirfd, name) -> string; name "" reads the link an O_PATH|O_NOFOLLOW fd refers to.
static napi_value js_readlinkat(napi_env env, napi_callback_info info) {
  napi_value argv[2], ret = NULL;
  char *name = NULL;
  int32_t dirfd;
  if (get_args(env, info, 2, argv) || get_i32(env, argv[0], &dirfd) || get_str(env, argv[1], 0, &name)) goto out;
  char buf[4097];
  ssize_t n = readlinkat(dirfd, name, buf, sizeof buf);
  if (n < 0) throw_errno(env, errno, "readlinkat", name);
  else if (n >= (ssize_t)sizeof buf) throw_errno(env, ENAMETOOLONG, "readlinkat", name);
  else if (napi_create_string_utf8(env, buf, (size_t)n, &ret) != napi_ok) ret = NULL;
out:
  free(name);
  return ret;
}

// mkdirat(dirfd, name, mode), mknodat(dirfd, name, mode, major, minor), unlinkat(dirfd, name, flags)
static napi_value js_mkdirat(napi_env env, napi_callback_info info) {
  napi_value argv[3], ret = NULL;
  char *name = NULL;
  int32_t dirfd;
  uint32_t mode;
  if (get_args(env, info, 3, argv) || get_i32(env, argv[0], &dirfd) || get_str(env, argv[1], 0, &name) || get_u32(env, argv[2], &mode)) goto out;
  if (mkdirat(dirfd, name, (mode_t)mode) != 0) throw_errno(env, errno, "mkdirat", name);
  else ret = ret_undefined(env);
out:
  free(name);
  return ret;
}

static napi_value js_mknodat(napi_env env, napi_callback_info info) {
  napi_value argv[5], ret = NULL;
  char *name = NULL;
  int32_t dirfd;
  uint32_t mode, major, minor;
  if (get_args(env, info, 5, argv) || get_i32(env, argv[0], &dirfd) || get_str(env, argv[1], 0, &name) || get_u32(env, argv[2], &mode) ||
      get_u32(env, argv[3], &major) || get_u32(env, argv[4], &minor)) goto out;
  if (mknodat(dirfd, name, (mode_t)mode, makedev(major, minor)) != 0) throw_errno(env, errno, "mknodat", name);
  else ret = ret_undefined(env);
out:
  free(name);
  return ret;
}

static napi_value js_unlinkat(napi_env env, napi_callback_info info) {
  napi_value argv[3], ret = NULL;
  char *name = NULL;
  int32_t dirfd;
  uint32_t flags;
  if (get_args(env, info, 3, argv) || get_i32(env, argv[0], &dirfd) || get_str(env, argv[1], 0, &name) || get_u32(env, argv[2], &flags)) goto out;
  if (unlinkat(dirfd, name, (int)flags) != 0) throw_errno(env, errno, "unlinkat", name);
  else ret = ret_undefined(env);
out:
  free(name);
  return ret;
}

// symlinkat(target, dirfd, name)
static napi_value js_symlinkat(napi_env env, napi_callback_info info) {
  napi_value argv[3], ret = NULL;
  char *target = NULL, *name = NULL;
  int32_t dirfd;
  if (get_args(env, info, 3, argv) || get_str(env, argv[0], 0, &target) || get_i32(env, argv[1], &dirfd) || get_str(env, argv[2], 0, &name)) goto out;
  if (symlinkat(target, dirfd, name) != 0) throw_errno(env, errno, "symlinkat", name);
  else ret = ret_undefined(env);
out:
  free(target);
  free(name);
  return ret;
}

// linkat(olddirfd, oldname, newdirfd, newname, flags); flags 0 links a symlink itself.
static napi_value js_linkat(napi_env env, napi_callback_info info) {
  napi_value argv[5], ret = NULL;
  char *oldname = NULL, *newname = NULL;
  int32_t olddirfd, newdirfd;
  uint32_t flags;
  if (get_args(env, info, 5, argv) || get_i32(env, argv[0], &olddirfd) || get_str(env, argv[1], 0, &oldname) ||
      get_i32(env, argv[2], &newdirfd) || get_str(env, argv[3], 0, &newname) || get_u32(env, argv[4], &flags)) goto out;
  if (linkat(olddirfd, oldname, newdirfd, newname, (int)flags) != 0) throw_errno(env, errno, "linkat", newname);
  else ret = ret_undefined(env);
out:
  free(oldname);
  free(newname);
  return ret;
}

// fchownat(dirfd, name, uid, gid, flags)
static napi_value js_fchownat(napi_env env, napi_callback_info info) {
  napi_value argv[5], ret = NULL;
  char *name = NULL;
  int32_t dirfd;
  uint32_t uid, gid, flags;
  if (get_args(env, info, 5, argv) || get_i32(env, argv[0], &dirfd) || get_str(env, argv[1], 0, &name) || get_u32(env, argv[2], &uid) ||
      get_u32(env, argv[3], &gid) || get_u32(env, argv[4], &flags)) goto out;
  if (fchownat(dirfd, name, uid, gid, (int)flags) != 0) throw_errno(env, errno, "fchownat", name);
  else ret = ret_undefined(env);
out:
  free(name);
  return ret;
}

// fchmodat(dirfd, name, mode, flags). With AT_SYMLINK_NOFOLLOW: fchmodat2 where the kernel has it
// (6.6+), else glibc's emulation (O_PATH fd, refuses a symlink, chmods /proc/self/fd/N).
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
static napi_value js_fchmodat(napi_env env, napi_callback_info info) {
  napi_value argv[4], ret = NULL;
  char *name = NULL;
  int32_t dirfd;
  uint32_t mode, flags;
  if (get_args(env, info, 4, argv) || get_i32(env, argv[0], &dirfd) || get_str(env, argv[1], 0, &name) || get_u32(env, argv[2], &mode) ||
      get_u32(env, argv[3], &flags)) goto out;
  long r = syscall(SYS_fchmodat2, dirfd, name, (mode_t)mode, (int)flags);
  if (r != 0 && errno == ENOSYS) r = fchmodat(dirfd, name, (mode_t)mode, (int)flags);
  if (r != 0) throw_errno(env, errno, "fchmodat", name);
  else ret = ret_undefined(env);
out:
  free(name);
  return ret;
}

// utimensat(dirfd, name, atime, mtime, flags): times in seconds (fractions kept to the ns).
static struct timespec to_ts(double s) {
  struct timespec t;
  double whole = floor(s);
  t.tv_sec = (time_t)whole;
  t.tv_nsec = (long)((s - whole) * 1e9);
  if (t.tv_nsec > 999999999) t.tv_nsec = 999999999;
  if (t.tv_nsec < 0) t.tv_nsec = 0;
  return t;
}

static napi_value js_utimensat(napi_env env, napi_callback_info info) {
  napi_value argv[5], ret = NULL;
  char *name = NULL;
  int32_t dirfd;
  double at, mt;
  uint32_t flags;
  if (get_args(env, info, 5, argv) || get_i32(env, argv[0], &dirfd) || get_str(env, argv[1], 0, &name)) goto out;
  if (napi_get_value_double(env, argv[2], &at) != napi_ok || napi_get_value_double(env, argv[3], &mt) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a number");
    goto out;
  }
  if (get_u32(env, argv[4], &flags)) goto out;
  struct timespec ts[2] = { to_ts(at), to_ts(mt) };
  if (utimensat(dirfd, name, ts, (int)flags) != 0) throw_errno(env, errno, "utimensat", name);
  else ret = ret_undefined(env);
out:
  free(name);
  return ret;
}

// renameat2(olddirfd, oldname, newdirfd, newname, flags): RENAME_EXCHANGE swaps two names
// atomically, RENAME_NOREPLACE refuses to overwrite.
static napi_value js_renameat2(napi_env env, napi_callback_info info) {
  napi_value argv[5], ret = NULL;
  char *oldname = NULL, *newname = NULL;
  int32_t olddirfd, newdirfd;
  uint32_t flags;
  if (get_args(env, info, 5, argv) || get_i32(env, argv[0], &olddirfd) || get_str(env, argv[1], 0, &oldname) ||
      get_i32(env, argv[2], &newdirfd) || get_str(env, argv[3], 0, &newname) || get_u32(env, argv[4], &flags)) goto out;
  if (renameat2(olddirfd, oldname, newdirfd, newname, flags) != 0) throw_errno(env, errno, "renameat2", newname);
  else ret = ret_undefined(env);
out:
  free(oldname);
  free(newname);
  return ret;
}

// fsetxattr(fd, name, value): on an fd opened for reading or writing (not O_PATH).
static napi_value js_fsetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[3], ret = NULL;
  char *name = NULL;
  int32_t fd;
  void *data;
  size_t len;
  if (get_args(env, info, 3, argv) || get_i32(env, argv[0], &fd) || get_str(env, argv[1], 0, &name)) goto out;
  if (napi_get_buffer_info(env, argv[2], &data, &len) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a Buffer");
    goto out;
  }
  if (fsetxattr(fd, name, data, len, 0) != 0) throw_errno(env, errno, "fsetxattr", name);
  else ret = ret_undefined(env);
out:
  free(name);
  return ret;
}

// readdirat(dirfd, name) -> names in the directory (not "." or ".."); the directory is opened
// with O_NOFOLLOW, so a symlink there is refused, never listed through.
static napi_value js_readdirat(napi_env env, napi_callback_info info) {
  napi_value argv[2], ret = NULL;
  char *name = NULL;
  int32_t dirfd;
  if (get_args(env, info, 2, argv) || get_i32(env, argv[0], &dirfd) || get_str(env, argv[1], 0, &name)) goto out;
  int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) { throw_errno(env, errno, "openat", name); goto out; }
  DIR *d = fdopendir(fd);
  if (d == NULL) { throw_errno(env, errno, "fdopendir", name); close(fd); goto out; }
  if (napi_create_array(env, &ret) != napi_ok) { ret = NULL; closedir(d); goto out; }
  uint32_t idx = 0;
  struct dirent *de;
  errno = 0;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
    napi_value s;
    if (napi_create_string_utf8(env, de->d_name, NAPI_AUTO_LENGTH, &s) == napi_ok) napi_set_element(env, ret, idx++, s);
    errno = 0;
  }
  int err = errno;
  closedir(d);
  if (err != 0) { ret = NULL; throw_errno(env, err, "readdir", name); }
out:
  free(name);
  return ret;
}

static const struct { const char *name; uint32_t value; } fsroot_constants[] = {
  K(O_PATH), K(O_NOFOLLOW), K(O_DIRECTORY), K(O_CLOEXEC), K(O_CREAT), K(O_EXCL), K(O_WRONLY), K(O_RDONLY), K(O_RDWR),
  K(AT_SYMLINK_NOFOLLOW), K(AT_REMOVEDIR), K(AT_EMPTY_PATH),
  K(RENAME_EXCHANGE), K(RENAME_NOREPLACE), K(RESOLVE_IN_ROOT), K(RESOLVE_NO_MAGICLINKS), K(RESOLVE_NO_SYMLINKS), K(RESOLVE_BENEATH), K(RESOLVE_NO_XDEV),
};

static void fsroot_init(napi_env env, napi_value exports) {
  set_fn(env, exports, "openat2", js_openat2);
  set_fn(env, exports, "openat", js_openat);
  set_fn(env, exports, "fstatat", js_fstatat);
  set_fn(env, exports, "readlinkat", js_readlinkat);
  set_fn(env, exports, "mkdirat", js_mkdirat);
  set_fn(env, exports, "mknodat", js_mknodat);
  set_fn(env, exports, "unlinkat", js_unlinkat);
  set_fn(env, exports, "symlinkat", js_symlinkat);
  set_fn(env, exports, "linkat", js_linkat);
  set_fn(env, exports, "fchownat", js_fchownat);
  set_fn(env, exports, "fchmodat", js_fchmodat);
  set_fn(env, exports, "utimensat", js_utimensat);
  set_fn(env, exports, "renameat2", js_renameat2);
  set_fn(env, exports, "fsetxattr", js_fsetxattr);
  set_fn(env, exports, "readdirat", js_readdirat);
  for (size_t i = 0; i < sizeof fsroot_constants / sizeof fsroot_constants[0]; i++) {
    napi_value n;
    if (napi_create_uint32(env, fsroot_constants[i].value, &n) == napi_ok) napi_set_named_property(env, exports, fsroot_constants[i].name, n);
  }
}
// ==== end fsroot ====

static const struct { const char *name; uint32_t value; } constants[] = {
  K(MS_RDONLY), K(MS_NOSUID), K(MS_NODEV), K(MS_NOEXEC), K(MS_SYNCHRONOUS), K(MS_REMOUNT), K(MS_DIRSYNC),
  K(MS_NOATIME), K(MS_NODIRATIME), K(MS_BIND), K(MS_MOVE), K(MS_REC), K(MS_SILENT), K(MS_UNBINDABLE),
  K(MS_PRIVATE), K(MS_SLAVE), K(MS_SHARED), K(MS_RELATIME), K(MS_STRICTATIME),
  K(MNT_FORCE), K(MNT_DETACH), K(MNT_EXPIRE), K(UMOUNT_NOFOLLOW),
};

static napi_value init(napi_env env, napi_value exports) {
  set_fn(env, exports, "mount", js_mount);
  set_fn(env, exports, "umount2", js_umount2);
  set_fn(env, exports, "mknod", js_mknod);
  set_fn(env, exports, "lsetxattr", js_lsetxattr);
  set_fn(env, exports, "lgetxattr", js_lgetxattr);
  set_fn(env, exports, "llistxattr", js_llistxattr);
  set_fn(env, exports, "malloc_trim", js_malloc_trim);
  set_fn(env, exports, "madvise_pageout", js_madvise_pageout);
  fsroot_init(env, exports);
  for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++) {
    napi_value n;
    if (napi_create_uint32(env, constants[i].value, &n) == napi_ok) napi_set_named_property(env, exports, constants[i].name, n);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

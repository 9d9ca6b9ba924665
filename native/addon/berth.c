// berth.node: the few Linux syscalls Node lacks (DESIGN.md decision 6). Thin and synchronous:
// each function does one syscall and throws an Error carrying .code ("EPERM", ...), .errno,
// .syscall and .path, like Node's own fs errors. Policy lives in TypeScript, never here.
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
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

// ---- Later: openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)-based helpers for live container
// roots (DESIGN.md decision 5) go here, each a thin fd-returning wrapper. ----

// ---- Memory: malloc_trim(0) gives the free pages of every glibc arena back to the kernel; the
// daemon calls it when idle after a burst (glibc keeps them otherwise). ----
#include <malloc.h>

static napi_value js_malloc_trim(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value ret;
  CHECK(napi_get_boolean(env, malloc_trim(0) == 1, &ret));
  return ret;
}

static void set_fn(napi_env env, napi_value obj, const char *name, napi_callback cb) {
  napi_value f;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &f) == napi_ok) napi_set_named_property(env, obj, name, f);
}

#define K(name) { #name, name }
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
  for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++) {
    napi_value n;
    if (napi_create_uint32(env, constants[i].value, &n) == napi_ok) napi_set_named_property(env, exports, constants[i].name, n);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

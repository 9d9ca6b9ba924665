/*
 * berth-shim: the per-container monitor (DESIGN.md decision 4).
 *
 * One shim per container process (init or exec). It runs the OCI runtime's `create` or
 * `exec --detach`, becomes the subreaper of what the runtime leaves behind, owns the
 * process's stdio, writes Docker's json-file log, serves any number of attach clients on a
 * unix socket and records the exit status atomically, so that containers keep running and
 * logging while berthd is down. Single-threaded: one poll() loop, non-blocking fds.
 *
 * Handshake: the daemon spawns us with stdout a pipe. We fork; the child detaches
 * (setsid, subreaper) and does the work; the original process exits once the child has
 * sent its one-line verdict to that pipe: {"pid":N,"shimPid":M} or {"error":"MSG"}.
 *
 * Attach framing both ways: 1 byte type, 4 bytes big-endian length, payload.
 * shim -> client: 1 stdout, 2 stderr. client -> shim: 0 stdin, 3 close stdin, 4 resize.
 *
 * wait.sock: exit watchers. They get no output, so they are never dropped for being slow
 * (an attach client is, past CLIENT_OUT_MAX); the shim closes them once the exit record is
 * written. A closed watch connection therefore means "exited" (or "shim gone"), never "slow".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define FRAME_STDIN 0
#define FRAME_STDOUT 1
#define FRAME_STDERR 2
#define FRAME_CLOSE_STDIN 3
#define FRAME_RESIZE 4

#define CLIENT_OUT_MAX (1u << 20)   /* a slow client is dropped beyond this */
#define FRAME_MAX (1u << 20)        /* largest client frame we accept */
#define STDIN_BUF_MAX (1u << 20)    /* stop reading clients while this much stdin is queued */
#define MAX_CLIENTS 256
#define MAX_WAITERS 64              /* wait.sock connections; beyond this the client polls */
#define LOG_LINE_MAX 16384          /* Docker's copier buffer: longer lines become partials */
#define READ_CHUNK 32768
#define DRAIN_IDLE_MS 1000          /* after exit: give up on output holders this long idle */
#define DRAIN_MAX_MS 5000
#define CLIENT_FLUSH_MS 5000
#define HOLD_OUT_MAX (512u << 10)   /* --hold: output kept for the first client (under CLIENT_OUT_MAX) */
#define HOLD_WAIT_MS 30000          /* --hold: how long an exited process waits for it */

/* ---------- options ---------- */

static struct {
  const char *id, *state_dir, *runtime, *runtime_root, *bundle, *process_file;
  int exec_mode, tty, open_stdin, hold;
} opt;

static char state_abs[PATH_MAX];
static int handshake_fd = 1; /* the daemon's pipe; private dup in the worker */
static int verdict_fd = -1;  /* tells the original process we are done */
static int made_attach_sock, made_console_sock, made_wait_sock;
static int health_enabled; /* --health: see berth-shim-health.c */

/* ---------- small helpers ---------- */

struct buf {
  unsigned char *data;
  size_t off, len, cap; /* valid bytes are data[off, len) */
};

static int buf_reserve(struct buf *b, size_t extra) {
  if (b->off > 0 && b->off == b->len) b->off = b->len = 0;
  if (b->len + extra <= b->cap) return 0;
  if (b->off > 0) { /* compact first */
    memmove(b->data, b->data + b->off, b->len - b->off);
    b->len -= b->off;
    b->off = 0;
    if (b->len + extra <= b->cap) return 0;
  }
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra) cap *= 2;
  unsigned char *p = realloc(b->data, cap);
  if (!p) return -1;
  b->data = p;
  b->cap = cap;
  return 0;
}

static int buf_append(struct buf *b, const void *p, size_t n) {
  if (buf_reserve(b, n) < 0) return -1;
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return 0;
}

static size_t buf_pending(const struct buf *b) { return b->len - b->off; }

static void buf_free(struct buf *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}

static int write_all(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    c += w;
    n -= (size_t)w;
  }
  return 0;
}

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Go's RFC3339Nano in UTC: fraction with trailing zeros trimmed, no dot when zero. */
static void rfc3339nano_now(char out[64]) {
  /* Once per log line: the date part is formatted once per second, the fraction by hand. */
  static time_t last_sec = (time_t)-1;
  static char prefix[40];
  static size_t plen;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (ts.tv_sec != last_sec) {
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    plen = strftime(prefix, sizeof prefix, "%Y-%m-%dT%H:%M:%S", &tm);
    last_sec = ts.tv_sec;
  }
  memcpy(out, prefix, plen);
  size_t n = plen;
  long ns = ts.tv_nsec;
  if (ns > 0) {
    char frac[9];
    for (int k = 8; k >= 0; k--, ns /= 10) frac[k] = (char)('0' + ns % 10);
    int end = 9;
    while (end > 0 && frac[end - 1] == '0') end--;
    out[n++] = '.';
    memcpy(out + n, frac, (size_t)end);
    n += (size_t)end;
  }
  out[n++] = 'Z';
  out[n] = 0;
}

/*
 * JSON string body escaping as Docker's json-file writer and Go's encoding/json do:
 * quote and backslash, \n \r \t, other control bytes as \u00xx, <>& as \u003c \u003e
 * \u0026, U+2028/U+2029 escaped, invalid UTF-8 bytes as \ufffd. Returns bytes written;
 * out must hold 6 * n bytes.
 */
static size_t json_escape(unsigned char *out, const unsigned char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  /* Bytes copied as they are: printable ASCII but for " \\ < > & (a log is mostly these). */
  static unsigned char plain[256];
  if (!plain['a']) {
    for (int c = 0x20; c < 0x80; c++) plain[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&';
  }
  size_t o = 0, i = 0;
  while (i < n) {
    size_t run = i;
    while (run < n && plain[s[run]]) run++;
    if (run > i) {
      memcpy(out + o, s + i, run - i);
      o += run - i;
      i = run;
      if (i >= n) break;
    }
    unsigned char b = s[i];
    if (b < 0x80) {
      if (b >= 0x20 && b != '\\' && b != '"' && b != '<' && b != '>' && b != '&') {
        out[o++] = b;
      } else if (b == '\\' || b == '"') {
        out[o++] = '\\';
        out[o++] = b;
      } else if (b == '\n') {
        out[o++] = '\\';
        out[o++] = 'n';
      } else if (b == '\r') {
        out[o++] = '\\';
        out[o++] = 'r';
      } else if (b == '\t') {
        out[o++] = '\\';
        out[o++] = 't';
      } else {
        memcpy(out + o, "\\u00", 4);
        out[o + 4] = (unsigned char)hex[b >> 4];
        out[o + 5] = (unsigned char)hex[b & 0xf];
        o += 6;
      }
      i++;
      continue;
    }
    /* Decode one UTF-8 sequence strictly (no overlongs, no surrogates, <= U+10FFFF). */
    size_t len = 0;
    uint32_t cp = 0, min = 0;
    if (b >= 0xc2 && b <= 0xdf) { len = 2; cp = b & 0x1f; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { len = 3; cp = b & 0x0f; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { len = 4; cp = b & 0x07; min = 0x10000; }
    int ok = len > 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; k++) {
      if ((s[i + k] & 0xc0) != 0x80) ok = 0;
      else cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = 0;
    if (!ok) {
      memcpy(out + o, "\\ufffd", 6);
      o += 6;
      i++;
      continue;
    }
    if (cp == 0x2028 || cp == 0x2029) {
      memcpy(out + o, cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
      o += 6;
    } else {
      memcpy(out + o, s + i, len);
      o += len;
    }
    i += len;
  }
  return o;
}

/*
 * Write a small file atomically in the state dir (cwd): tmp, fsync, rename, fsync dir. An exec's
 * records (--exec) skip the fsyncs: the daemon reads them once and removes the state dir, and
 * no exec survives a restart of the daemon, let alone of the machine; rename alone keeps them
 * whole for readers. Two fsyncs on each side of an exec were milliseconds of `docker exec`.
 */
static int write_file_atomic(const char *name, const char *data, size_t n) {
  int durable = !opt.exec_mode;
  char tmp[64];
  snprintf(tmp, sizeof tmp, "%s.tmp", name);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  if (write_all(fd, data, n) < 0 || (durable && fsync(fd) < 0)) {
    int e = errno;
    close(fd);
    unlink(tmp);
    errno = e;
    return -1;
  }
  close(fd);
  if (rename(tmp, name) < 0) {
    int e = errno;
    unlink(tmp);
    errno = e;
    return -1;
  }
  int dfd = durable ? open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return 0;
}

static void remove_sockets(void) {
  if (made_attach_sock) unlink("attach.sock");
  if (made_console_sock) unlink("console.sock");
  if (made_wait_sock) unlink("wait.sock");
  made_attach_sock = made_console_sock = made_wait_sock = 0;
  unlink("health.sock"); /* berth-shim-health.c */
}

/* Report a startup failure to the daemon ({"error":"MSG"}) and exit non-zero. */
static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fail(const char *fmt, ...) {
  char msg[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  size_t n = strlen(msg);
  unsigned char *line = malloc(n * 6 + 32);
  if (line && handshake_fd >= 0) {
    size_t o = 0;
    memcpy(line, "{\"error\":\"", 10);
    o = 10;
    o += json_escape(line + o, (const unsigned char *)msg, n);
    memcpy(line + o, "\"}\n", 3);
    o += 3;
    write_all(handshake_fd, line, o);
  }
  remove_sockets();
  if (verdict_fd >= 0) write_all(verdict_fd, "1", 1);
  _exit(1);
}

/* ---------- runc.log: the runtime's own error message ---------- */

static size_t utf8_put(char *o, uint32_t cp) {
  if (cp < 0x80) { o[0] = (char)cp; return 1; }
  if (cp < 0x800) { o[0] = (char)(0xc0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3f)); return 2; }
  if (cp < 0x10000) {
    o[0] = (char)(0xe0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[2] = (char)(0x80 | (cp & 0x3f)); return 3;
  }
  o[0] = (char)(0xf0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); o[3] = (char)(0x80 | (cp & 0x3f)); return 4;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int read_hex4(const char *p, const char *end, uint32_t *v) {
  if (end - p < 4) return -1;
  *v = 0;
  for (int k = 0; k < 4; k++) {
    int h = hexval((unsigned char)p[k]);
    if (h < 0) return -1;
    *v = (*v << 4) | (uint32_t)h;
  }
  return 0;
}

/* Decode the JSON string starting after its opening quote into out (NUL-terminated). */
static int json_unquote(const char *p, const char *end, char *out, size_t outsz) {
  size_t o = 0;
  while (p < end && *p != '"') {
    if (o + 8 >= outsz) break; /* truncate long messages */
    if (*p != '\\') { out[o++] = *p++; continue; }
    if (++p >= end) return -1;
    char c = *p++;
    switch (c) {
    case 'n': out[o++] = '\n'; break;
    case 'r': out[o++] = '\r'; break;
    case 't': out[o++] = '\t'; break;
    case 'b': out[o++] = '\b'; break;
    case 'f': out[o++] = '\f'; break;
    case 'u': {
      uint32_t cp;
      if (read_hex4(p, end, &cp) < 0) return -1;
      p += 4;
      if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
        uint32_t lo;
        if (read_hex4(p + 2, end, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          p += 6;
        }
      }
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
      o += utf8_put(out + o, cp);
      break;
    }
    default: out[o++] = c; break;
    }
  }
  out[o] = 0;
  return 0;
}

/* The msg of the last "level":"error" line in runc's json log, or 0 if none. */
static int runc_log_error(const char *path, char *out, size_t outsz) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  struct stat st;
  if (fstat(fd, &st) < 0) { close(fd); return 0; }
  off_t size = st.st_size, from = size > (1 << 20) ? size - (1 << 20) : 0; /* bounded */
  size_t n = (size_t)(size - from);
  char *data = malloc(n + 1);
  if (!data) { close(fd); return 0; }
  ssize_t r = pread(fd, data, n, from);
  close(fd);
  if (r < 0) { free(data); return 0; }
  n = (size_t)r;
  data[n] = 0;
  int found = 0;
  char *line = data, *end = data + n;
  while (line < end) {
    char *nl = memchr(line, '\n', (size_t)(end - line));
    char *le = nl ? nl : end;
    if (memmem(line, (size_t)(le - line), "\"level\":\"error\"", 15)) {
      char *m = memmem(line, (size_t)(le - line), "\"msg\":\"", 7);
      if (m && json_unquote(m + 7, le, out, outsz) == 0 && out[0]) found = 1;
    }
    line = le + 1;
  }
  free(data);
  return found;
}

/* ---------- log drivers: json-file, local, syslog (a separate file, one translation unit) ---------- */

#include "log-writer.c"

/* ---------- attach clients ---------- */

struct client {
  int fd;
  int rd_closed;  /* the client shut down its sending side; it may still read output */
  int wr_closed;  /* the process is gone and its output sent: we shut down our sending side */
  struct buf out; /* frames not yet accepted by the socket */
  struct buf in;  /* partial frame from the client */
};

static struct client clients[MAX_CLIENTS];
static int nclients;

/* Exit watchers (wait.sock): just fds; anything they send is discarded. */
static int waiters[MAX_WAITERS];
static int nwaiters;

static void waiter_drop(int i) {
  close(waiters[i]);
  waiters[i] = waiters[--nwaiters];
}

/* Discards what a watcher (or a client we are closing) sent; -1 once it hung up. */
static int waiter_read(int fd) {
  unsigned char sink[512];
  for (;;) {
    ssize_t r = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
    if (r > 0) continue;
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    return -1;
  }
}

static void client_drop(int i) {
  close(clients[i].fd);
  buf_free(&clients[i].out);
  buf_free(&clients[i].in);
  clients[i] = clients[--nclients];
  memset(&clients[nclients], 0, sizeof clients[nclients]);
}

/* Queue or send one frame; returns -1 if the client must be dropped. */
static int client_send(struct client *c, int type, const unsigned char *p, size_t n) {
  unsigned char hdr[5] = {(unsigned char)type, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
                          (unsigned char)(n >> 8), (unsigned char)n};
  size_t sent = 0, total = n + 5;
  if (buf_pending(&c->out) == 0) {
    struct iovec iov[2] = {{hdr, 5}, {(void *)p, n}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
    ssize_t w = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return -1;
      w = 0;
    }
    sent = (size_t)w;
    if (sent == total) return 0;
  }
  if (buf_pending(&c->out) + (total - sent) > CLIENT_OUT_MAX) return -1; /* never block the container */
  if (sent < 5) {
    if (buf_append(&c->out, hdr + sent, 5 - sent) < 0) return -1;
    sent = 5;
  }
  if (buf_append(&c->out, p + (sent - 5), n - (sent - 5)) < 0) return -1;
  return 0;
}

/*
 * --hold (execs): a process started by `runc exec --detach` runs before anyone can connect,
 * so its output is kept until the first client attaches, and the shim waits for that client.
 */
static struct buf held_out;
static int first_client_seen;

static void hold_frame(int type, const unsigned char *p, size_t n) {
  if (buf_pending(&held_out) + n + 5 > HOLD_OUT_MAX) return;
  unsigned char h[5] = {(unsigned char)type, (unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8), (unsigned char)n};
  buf_append(&held_out, h, 5);
  buf_append(&held_out, p, n);
}

static void broadcast(int type, const unsigned char *p, size_t n) {
  if (opt.hold && !first_client_seen) hold_frame(type, p, n);
  for (int i = 0; i < nclients;) {
    if (client_send(&clients[i], type, p, n) < 0) client_drop(i);
    else i++;
  }
}

static int client_flush(struct client *c) {
  while (buf_pending(&c->out) > 0) {
    ssize_t w = send(c->fd, c->out.data + c->out.off, buf_pending(&c->out), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      return -1;
    }
    c->out.off += (size_t)w;
  }
  c->out.off = c->out.len = 0;
  return 0;
}

/* ---------- the container's stdio ---------- */

static int master_fd = -1;          /* tty: pty master (output and stdin) */
static int out_fd = -1, err_fd = -1; /* output sources (out_fd == master_fd with tty) */
static int stdin_fd = -1;           /* where stdin frames go, -1 when none/closed */
static int stdin_closing;           /* close requested: close once the queue is written */
static struct buf stdin_q;
static struct line_asm la_out, la_err;

static void stdin_close_now(void) {
  buf_free(&stdin_q);
  if (stdin_fd >= 0 && stdin_fd != master_fd) close(stdin_fd);
  stdin_fd = -1;
}

static void stdin_flush(void) {
  while (stdin_fd >= 0 && buf_pending(&stdin_q) > 0) {
    ssize_t w = write(stdin_fd, stdin_q.data + stdin_q.off, buf_pending(&stdin_q));
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;
      stdin_close_now(); /* EPIPE/EIO: the reader is gone */
      return;
    }
    stdin_q.off += (size_t)w;
  }
  if (stdin_fd >= 0 && stdin_closing) stdin_close_now();
}

static void handle_frame(int type, const unsigned char *p, size_t n) {
  switch (type) {
  case FRAME_STDIN:
    if (stdin_fd >= 0 && !stdin_closing && n > 0) {
      buf_append(&stdin_q, p, n);
      stdin_flush();
    }
    break;
  case FRAME_CLOSE_STDIN:
    if (stdin_fd >= 0 && !stdin_closing) {
      stdin_closing = 1;
      if (stdin_fd == master_fd) {
        /* A terminal has no half-close: send its EOF character, as typing ^D would. */
        struct termios tio;
        unsigned char eof = 4;
        if (tcgetattr(master_fd, &tio) == 0 && tio.c_cc[VEOF] != 0) eof = tio.c_cc[VEOF];
        buf_append(&stdin_q, &eof, 1);
      }
      stdin_flush();
    }
    break;
  case FRAME_RESIZE:
    if (master_fd >= 0 && n == 4) {
      struct winsize ws = {.ws_row = (unsigned short)((p[0] << 8) | p[1]),
                           .ws_col = (unsigned short)((p[2] << 8) | p[3])};
      ioctl(master_fd, TIOCSWINSZ, &ws);
    }
    break;
  default:
    break; /* unknown frames are ignored */
  }
}

/* Read what a client sent and act on complete frames; -1 drops the client. */
static int client_read(struct client *c) {
  for (int rounds = 0; rounds < 4; rounds++) {
    if (buf_reserve(&c->in, 65536) < 0) return -1;
    ssize_t r = recv(c->fd, c->in.data + c->in.len, 65536, MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      return -1;
    }
    if (r == 0) {
      c->rd_closed = 1; /* half-close: keep sending output until it goes away */
      return 0;
    }
    c->in.len += (size_t)r;
    while (buf_pending(&c->in) >= 5) {
      const unsigned char *h = c->in.data + c->in.off;
      size_t n = ((size_t)h[1] << 24) | ((size_t)h[2] << 16) | ((size_t)h[3] << 8) | h[4];
      if (n > FRAME_MAX) return -1;
      if (buf_pending(&c->in) < 5 + n) break;
      handle_frame(h[0], h + 5, n);
      c->in.off += 5 + n;
    }
    if (buf_pending(&stdin_q) > STDIN_BUF_MAX) return 0; /* backpressure */
  }
  return 0;
}

/* Read one chunk of container output; returns 0 on data, 1 on EOF, 2 on EAGAIN. */
static int read_output(int fd, int type) {
  static unsigned char chunk[READ_CHUNK];
  ssize_t r = read(fd, chunk, sizeof chunk);
  if (r < 0) {
    if (errno == EINTR || errno == EAGAIN) return 2;
    return 1; /* EIO: the pty's slave side is closed */
  }
  if (r == 0) return 1;
  line_feed(type == FRAME_STDERR ? &la_err : &la_out, type, chunk, (size_t)r);
  broadcast(type, chunk, (size_t)r);
  return 0;
}

/* ---------- startup ---------- */

static void absolutize(const char **p, const char *cwd) {
  if (!*p || (*p)[0] == '/') return;
  size_t n = strlen(cwd) + strlen(*p) + 2;
  char *s = malloc(n);
  if (!s) fail("out of memory");
  snprintf(s, n, "%s/%s", cwd, *p);
  *p = s;
}

static void usage_error(const char *msg, const char *arg) { fail("berth-shim: %s%s", msg, arg ? arg : ""); }

static void parse_args(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char **target = NULL;
    if (!strcmp(a, "--id")) target = &opt.id;
    else if (!strcmp(a, "--state-dir")) target = &opt.state_dir;
    else if (!strcmp(a, "--runtime")) target = &opt.runtime;
    else if (!strcmp(a, "--runtime-root")) target = &opt.runtime_root;
    else if (!strcmp(a, "--bundle")) target = &opt.bundle;
    else if (!strcmp(a, "--process")) target = &opt.process_file;
    else if (!strcmp(a, "--exec")) { opt.exec_mode = 1; continue; }
    else if (!strcmp(a, "--tty")) { opt.tty = 1; continue; }
    else if (!strcmp(a, "--stdin")) { opt.open_stdin = 1; continue; }
    else if (!strcmp(a, "--hold")) { opt.hold = 1; continue; }
    else if (!strcmp(a, "--health")) { health_enabled = 1; continue; }
    else if (log_parse_arg(argc, argv, &i)) continue;
    else usage_error("unknown argument ", a);
    if (i + 1 >= argc) usage_error("missing value for ", a);
    *target = argv[++i];
  }
  if (!opt.id || !opt.id[0] || opt.id[0] == '-') usage_error("--id is required", NULL);
  if (!opt.state_dir || !opt.runtime) usage_error("--state-dir and --runtime are required", NULL);
  if (opt.exec_mode ? (!opt.process_file || opt.bundle) : (!opt.bundle || opt.process_file))
    usage_error("exactly one of --bundle or --exec --process is required", NULL);
}

static int make_listener(const char *name) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s", name); /* relative to the state dir: no length limit */
  unlink(name);
  mode_t old = umask(0177); /* born 0600: no window where others could connect */
  int r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
  umask(old);
  if (r < 0 || listen(fd, 64) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/* Receive the pty master that runc sends over the console socket (SCM_RIGHTS). */
static int recv_console(int lfd) {
  int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
  if (c < 0) return -1;
  struct pollfd pf = {.fd = c, .events = POLLIN};
  if (poll(&pf, 1, 5000) <= 0) { close(c); return -1; }
  char name[256];
  union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int) * 4)]; } ctl;
  struct iovec iov = {name, sizeof name};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b};
  ssize_t r = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
  close(c);
  if (r < 0) return -1;
  int got = -1;
  for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h)) {
    if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS) continue;
    size_t nfd = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    int *fds = (int *)CMSG_DATA(h);
    for (size_t k = 0; k < nfd; k++) {
      if (got < 0) got = fds[k];
      else close(fds[k]);
    }
  }
  return got;
}

static pid_t read_pid_file(const char *path) {
  char b[32];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t r = read(fd, b, sizeof b - 1);
  close(fd);
  if (r <= 0) return -1;
  b[r] = 0;
  char *end;
  long v = strtol(b, &end, 10);
  if (v <= 0 || (*end && *end != '\n')) return -1;
  return (pid_t)v;
}

/* Runs the runtime (create or exec --detach) and waits for it; stdio as given. */
static int run_runtime(int in, int out, int err, const char *console_path, int console_lfd, int sfd, int *status) {
  char logpath[PATH_MAX + 16], pidpath[PATH_MAX + 16];
  snprintf(logpath, sizeof logpath, "%s/runc.log", state_abs);
  snprintf(pidpath, sizeof pidpath, "%s/pid", state_abs);
  unlink("runc.log"); /* old errors must not pass for new ones */
  unlink("pid");

  const char *argv[32];
  int n = 0;
  argv[n++] = opt.runtime;
  if (opt.runtime_root) { argv[n++] = "--root"; argv[n++] = opt.runtime_root; }
  argv[n++] = "--log"; argv[n++] = logpath;
  argv[n++] = "--log-format"; argv[n++] = "json";
  if (opt.exec_mode) {
    argv[n++] = "exec"; argv[n++] = "--detach";
    argv[n++] = "--pid-file"; argv[n++] = pidpath;
    argv[n++] = "--process"; argv[n++] = opt.process_file;
  } else {
    argv[n++] = "create";
    argv[n++] = "--bundle"; argv[n++] = opt.bundle;
    argv[n++] = "--pid-file"; argv[n++] = pidpath;
  }
  if (console_path) { argv[n++] = "--console-socket"; argv[n++] = console_path; }
  argv[n++] = opt.id;
  argv[n] = NULL;

  int ep[2]; /* close-on-exec pipe: carries errno if execv fails */
  if (pipe2(ep, O_CLOEXEC) < 0) fail("pipe: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0) fail("fork: %s", strerror(errno));
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL); /* ignored signals survive exec: the container must not inherit them */
    signal(SIGHUP, SIG_DFL);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
    execv(opt.runtime, (char *const *)argv);
    int e = errno;
    write_all(ep[1], &e, sizeof e);
    _exit(127);
  }
  close(ep[1]);
  int exec_errno = 0;
  for (;;) {
    ssize_t r = read(ep[0], &exec_errno, sizeof exec_errno);
    if (r < 0 && errno == EINTR) continue;
    if (r != (ssize_t)sizeof exec_errno) exec_errno = 0;
    break;
  }
  close(ep[0]);

  /* Wait for the runtime; meanwhile take the pty master when runc hands it over. */
  for (;;) {
    pid_t w = waitpid(pid, status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) fail("waitpid: %s", strerror(errno));
    struct pollfd pf[2] = {{.fd = sfd, .events = POLLIN}, {.fd = -1, .events = POLLIN}};
    if (console_lfd >= 0 && master_fd < 0) pf[1].fd = console_lfd;
    if (poll(pf, 2, 1000) < 0 && errno != EINTR) fail("poll: %s", strerror(errno));
    if (pf[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) > 0) {}
    }
    if (pf[1].revents & POLLIN) master_fd = recv_console(console_lfd);
  }
  if (exec_errno) fail("exec %s: %s", opt.runtime, strerror(exec_errno));
  return 0;
}

#include "berth-shim-health.c"

/* ---------- main ---------- */

int main(int argc, char **argv) {
  /* fds 0-2 must exist, or our own pipes could land there and be clobbered by dup2 */
  for (int fd; (fd = open("/dev/null", O_RDWR)) >= 0;) {
    if (fd > 2) {
      close(fd);
      break;
    }
  }
  /* Whatever else we inherited (a caller's pipes) must not live as long as the container. */
  if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0) {
    for (int fd = 3; fd < 4096; fd++) close(fd);
  }
  parse_args(argc, argv);

  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) fail("getcwd: %s", strerror(errno));
  if (mkdir(opt.state_dir, 0700) < 0 && errno != EEXIST) fail("mkdir %s: %s", opt.state_dir, strerror(errno));
  if (!realpath(opt.state_dir, state_abs)) fail("state dir %s: %s", opt.state_dir, strerror(errno));
  absolutize(&opt.bundle, cwd);
  absolutize(&opt.process_file, cwd);
  absolutize(&opt.runtime_root, cwd);
  absolutize(&lopt.path, cwd);
  if (strchr(opt.runtime, '/')) absolutize(&opt.runtime, cwd);

  /* Double fork: the worker is not the daemon's child and survives its restart. */
  int vp[2];
  if (pipe2(vp, O_CLOEXEC) < 0) fail("pipe: %s", strerror(errno));
  pid_t child = fork();
  if (child < 0) fail("fork: %s", strerror(errno));
  if (child > 0) {
    close(vp[1]);
    char v = '1';
    for (;;) {
      ssize_t r = read(vp[0], &v, 1);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) v = '1';
      break;
    }
    _exit(v == '0' ? 0 : 1);
  }
  close(vp[0]);
  verdict_fd = vp[1];

  setsid();
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  handshake_fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) fail("open /dev/null: %s", strerror(errno));
  dup2(devnull, 0);
  dup2(devnull, 1);
  dup2(devnull, 2);
  if (chdir(state_abs) < 0) fail("chdir %s: %s", state_abs, strerror(errno));

  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, NULL);
  int sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sfd < 0) fail("signalfd: %s", strerror(errno));

  char pidbuf[32];
  int pl = snprintf(pidbuf, sizeof pidbuf, "%d", (int)getpid());
  if (write_file_atomic("shim.pid", pidbuf, (size_t)pl) < 0) fail("write shim.pid: %s", strerror(errno));
  unlink("exit");

  int attach_lfd = make_listener("attach.sock");
  if (attach_lfd < 0) fail("listen on attach socket: %s", strerror(errno));
  made_attach_sock = 1;
  int wait_lfd = make_listener("wait.sock");
  if (wait_lfd < 0) fail("listen on wait socket: %s", strerror(errno));
  made_wait_sock = 1;
  health_listen();

  log_open();

  int child_in = devnull, child_out = devnull, child_err = devnull;
  int console_lfd = -1;
  char console_path[PATH_MAX + 32];
  const char *console_arg = NULL;
  if (opt.tty) {
    console_lfd = make_listener("console.sock");
    if (console_lfd < 0) fail("listen on console socket: %s", strerror(errno));
    made_console_sock = 1;
    /* runc connects after chdir'ing to the bundle: give it a path it can reach, short
       enough for sun_path even when the state dir is long. */
    if (strlen(state_abs) + 13 < sizeof(((struct sockaddr_un *)0)->sun_path))
      snprintf(console_path, sizeof console_path, "%s/console.sock", state_abs);
    else
      snprintf(console_path, sizeof console_path, "/proc/%d/cwd/console.sock", (int)getpid());
    console_arg = console_path;
  } else {
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) fail("pipe: %s", strerror(errno));
    out_fd = p[0], child_out = p[1];
    if (pipe2(p, O_CLOEXEC) < 0) fail("pipe: %s", strerror(errno));
    err_fd = p[0], child_err = p[1];
    if (opt.open_stdin) {
      if (pipe2(p, O_CLOEXEC) < 0) fail("pipe: %s", strerror(errno));
      child_in = p[0], stdin_fd = p[1];
      fcntl(stdin_fd, F_SETFL, O_NONBLOCK);
    }
    fcntl(out_fd, F_SETFL, O_NONBLOCK);
    fcntl(err_fd, F_SETFL, O_NONBLOCK);
  }

  int status = 0;
  run_runtime(child_in, child_out, child_err, console_arg, console_lfd, sfd, &status);
  if (child_out != devnull) close(child_out);
  if (child_err != devnull) close(child_err);
  if (child_in != devnull) close(child_in);

  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    char msg[4096];
    if (runc_log_error("runc.log", msg, sizeof msg)) fail("%s", msg);
    if (WIFSIGNALED(status)) fail("%s killed by signal %d", opt.runtime, WTERMSIG(status));
    fail("%s exited with status %d", opt.runtime, WEXITSTATUS(status));
  }
  pid_t cpid = read_pid_file("pid");
  if (cpid <= 0) fail("%s did not write a valid pid file", opt.runtime);

  if (opt.tty) {
    if (master_fd < 0) {
      struct pollfd pf = {.fd = console_lfd, .events = POLLIN};
      if (poll(&pf, 1, 2000) > 0) master_fd = recv_console(console_lfd);
    }
    if (master_fd < 0) fail("did not receive the console from %s", opt.runtime);
    fcntl(master_fd, F_SETFL, O_NONBLOCK);
    out_fd = master_fd;
    if (opt.open_stdin) stdin_fd = master_fd;
    close(console_lfd);
    console_lfd = -1;
    unlink("console.sock");
    made_console_sock = 0;
  }

  {
    char line[96];
    int n = snprintf(line, sizeof line, "{\"pid\":%d,\"shimPid\":%d}\n", (int)cpid, (int)getpid());
    write_all(handshake_fd, line, (size_t)n);
    close(handshake_fd);
    handshake_fd = -1;
    write_all(verdict_fd, "0", 1);
    close(verdict_fd);
    verdict_fd = -1;
  }

  /* ---- monitor loop ---- */
  int exited = 0, exit_code = 0, exit_signal = 0;
  char exited_at[64] = "";
  int64_t exit_ms = 0, last_data_ms = 0;

  for (;;) {
    /* Reap everything we inherited; remember the container process's status. */
    for (;;) {
      int st;
      pid_t w = waitpid(-1, &st, WNOHANG);
      if (w > 0) {
        if (w == cpid && !exited) {
          exited = 1;
          if (WIFSIGNALED(st)) exit_signal = WTERMSIG(st), exit_code = 128 + exit_signal;
          else exit_code = WEXITSTATUS(st);
          rfc3339nano_now(exited_at);
          exit_ms = last_data_ms = mono_ms();
        } else {
          health_reaped(w, st);
        }
        continue;
      }
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == ECHILD && !exited) {
        /* Someone else reaped it: the status is lost, report it like Docker does. */
        exited = 1;
        exit_code = 255;
        rfc3339nano_now(exited_at);
        exit_ms = last_data_ms = mono_ms();
      }
      break;
    }
    if (exited) {
      int64_t now = mono_ms();
      int waiting_first = opt.hold && !first_client_seen && now - exit_ms < HOLD_WAIT_MS;
      if (!waiting_first && ((out_fd < 0 && err_fd < 0) || now - last_data_ms >= DRAIN_IDLE_MS || now - exit_ms >= DRAIN_MAX_MS)) break;
    }

    struct pollfd pf[MAX_CLIENTS + MAX_WAITERS + 8 + HEALTH_POLL_FDS];
    int np = 0;
    int i_sig = np++, i_lis = np++, i_wlis = np++, i_out = np++, i_err = np++, i_in = np++;
    pf[i_sig] = (struct pollfd){.fd = sfd, .events = POLLIN};
    pf[i_lis] = (struct pollfd){.fd = attach_lfd, .events = POLLIN};
    pf[i_wlis] = (struct pollfd){.fd = wait_lfd, .events = POLLIN};
    pf[i_out] = (struct pollfd){.fd = out_fd, .events = POLLIN};
    pf[i_err] = (struct pollfd){.fd = err_fd, .events = POLLIN};
    pf[i_in] = (struct pollfd){.fd = -1, .events = POLLOUT};
    if (stdin_fd >= 0 && buf_pending(&stdin_q) > 0) {
      if (stdin_fd == out_fd) pf[i_out].events |= POLLOUT; /* pty: one fd both ways */
      else pf[i_in].fd = stdin_fd;
    }
    int stdin_full = buf_pending(&stdin_q) > STDIN_BUF_MAX;
    int i_cli = np, ncli = nclients;
    for (int k = 0; k < nclients; k++) {
      /* events may be 0: poll still reports POLLHUP/POLLERR when the client is gone */
      short ev = (short)((stdin_full || clients[k].rd_closed ? 0 : POLLIN) | (buf_pending(&clients[k].out) ? POLLOUT : 0));
      pf[np++] = (struct pollfd){.fd = clients[k].fd, .events = ev};
    }
    int i_wait = np, nw = nwaiters;
    for (int k = 0; k < nw; k++) pf[np++] = (struct pollfd){.fd = waiters[k], .events = POLLIN};
    int i_health = np;
    health_poll_fill(pf + np);
    np += HEALTH_POLL_FDS;
    int timeout = -1;
    if (exited) timeout = DRAIN_IDLE_MS / 4;
    timeout = health_poll_timeout(timeout);
    log_sync(); /* batched log records hit the file before we sleep */
    if (poll(pf, (nfds_t)np, timeout) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (pf[i_sig].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) > 0) {}
    }
    health_poll_handle(pf + i_health);
    if (pf[i_lis].revents & POLLIN) {
      for (;;) {
        int c = accept4(attach_lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0) break;
        if (nclients >= MAX_CLIENTS) { close(c); continue; }
        clients[nclients++] = (struct client){.fd = c};
        if (opt.hold && !first_client_seen) {
          first_client_seen = 1;
          buf_append(&clients[nclients - 1].out, held_out.data + held_out.off, buf_pending(&held_out));
          buf_free(&held_out);
        }
      }
    }
    /* Watchers before new ones are accepted: their indices match pf until we drop some. */
    for (int k = nw - 1; k >= 0; k--) {
      if (pf[i_wait + k].revents && waiter_read(waiters[k]) < 0) waiter_drop(k);
    }
    if (pf[i_wlis].revents & POLLIN) {
      for (;;) {
        int c = accept4(wait_lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0) break;
        if (nwaiters >= MAX_WAITERS) close(c); /* the client falls back to polling */
        else waiters[nwaiters++] = c;
      }
    }
    /* Clients first (their indices are stable until we drop some). */
    for (int k = nclients - 1; k >= 0; k--) {
      short re = pf[i_cli + k].revents;
      if (k >= ncli || !re) continue; /* accepted after the poll */
      int bad = 0;
      if (re & POLLOUT) bad = client_flush(&clients[k]) < 0;
      if (!bad && (re & (POLLIN | POLLHUP | POLLERR)) && !stdin_full && !clients[k].rd_closed) bad = client_read(&clients[k]) < 0;
      else if (!bad && (re & (POLLHUP | POLLERR))) bad = 1;
      if (bad) client_drop(k);
    }
    if ((pf[i_in].revents & (POLLOUT | POLLERR | POLLHUP)) || (stdin_fd >= 0 && stdin_fd == out_fd && (pf[i_out].revents & POLLOUT)))
      stdin_flush();
    if (out_fd >= 0 && (pf[i_out].revents & (POLLIN | POLLHUP | POLLERR))) {
      for (int k = 0; k < 8; k++) {
        int r = read_output(out_fd, FRAME_STDOUT);
        if (r == 0) { last_data_ms = mono_ms(); continue; }
        if (r == 1) {
          if (out_fd != master_fd) close(out_fd);
          out_fd = -1;
        }
        break;
      }
    }
    if (err_fd >= 0 && (pf[i_err].revents & (POLLIN | POLLHUP | POLLERR))) {
      for (int k = 0; k < 8; k++) {
        int r = read_output(err_fd, FRAME_STDERR);
        if (r == 0) { last_data_ms = mono_ms(); continue; }
        if (r == 1) {
          close(err_fd);
          err_fd = -1;
        }
        break;
      }
    }
  }

  /* ---- the container is gone: flush, record, say goodbye ---- */
  health_close();
  line_flush(&la_out, FRAME_STDOUT);
  line_flush(&la_err, FRAME_STDERR);
  log_close();
  {
    char ex[160];
    int n = snprintf(ex, sizeof ex, "{\"exitCode\":%d,\"signal\":%d,\"exitedAt\":\"%s\"}", exit_code, exit_signal, exited_at);
    write_file_atomic("exit", ex, (size_t)n);
  }
  close(attach_lfd);
  close(wait_lfd);
  remove_sockets();
  /* The record is on disk: watchers learn of the exit now, not after the output flush. */
  while (nwaiters > 0) waiter_drop(0);
  /*
   * Attached clients get the tail of the output, then our half-close; what they still send (a
   * stdin close written while we were finishing) is read and dropped until they close too. A
   * close with unread input resets the connection, and a peer that then fails a write (EPIPE)
   * or a read (ECONNRESET) drops the output it had not read yet: an exec whose client closed
   * its stdin at once lost its whole output that way. Bounded wait.
   */
  int64_t deadline = mono_ms() + CLIENT_FLUSH_MS;
  for (;;) {
    struct pollfd pf[MAX_CLIENTS];
    int np = 0;
    for (int k = 0; k < nclients; k++) {
      struct client *c = &clients[k];
      if (!c->wr_closed) {
        if (client_flush(c) < 0) {
          client_drop(k--);
          continue;
        }
        if (buf_pending(&c->out) > 0) continue;
        shutdown(c->fd, SHUT_WR);
        c->wr_closed = 1;
      }
      if (waiter_read(c->fd) < 0) client_drop(k--); /* it closed (or reset): done */
    }
    for (int k = 0; k < nclients; k++) pf[np++] = (struct pollfd){.fd = clients[k].fd, .events = clients[k].wr_closed ? POLLIN : POLLOUT};
    int64_t left = deadline - mono_ms();
    if (np == 0 || left <= 0) break;
    poll(pf, (nfds_t)np, (int)left);
  }
  while (nclients > 0) client_drop(0);
  return 0;
}

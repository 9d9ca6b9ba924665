/*
 * berth-shim's log drivers: the container's output lines written as Docker's dockerd writes
 * them (moby daemon/logger/{jsonfilelog,local,syslog}), so logging goes on while berthd is down.
 *
 * Included by berth-shim.c (one translation unit: it uses the shim's fail(), json_escape(),
 * rfc3339nano_now() and write_all(), and the shim stays one `cc` command). Everything the shim
 * calls is here: log_parse_arg (the --log-* options), log_open, line_feed/line_flush (the
 * line splitter), log_sync (write what is batched: called before the loop sleeps) and
 * log_close.
 *
 * Drivers:
 *  json-file  {"log":"...","stream":"stdout","attrs":{...},"time":"RFC3339Nano"}\n per line
 *  local      moby's compact format: a protobuf LogEntry {1 source, 2 time_nano, 3 line,
 *             4 partial, 5 partial_log_metadata {1 last, 2 id, 3 ordinal}} framed by its
 *             big-endian uint32 length before and after. Hand-encoded: five fields of a fixed
 *             message do not justify a protobuf runtime in a 1 MB monitor.
 *  syslog     one message per line to a unix (stream/datagram), udp or tcp socket, in the
 *             formats of moby's syslog driver (srslog's Unix/RFC3164, RFC5424, RFC5424micro).
 * Files rotate at max-size into FILE.1 ... FILE.(max-file - 1); with compress, a rotated
 * file becomes FILE.1.gz in a forked child (zlib), as Docker compresses in the background.
 *
 * Writes are batched (up to LOG_WBUF) and flushed before the shim's poll() sleeps, at
 * rotation and at exit: whole records only, so a reader sees at most an unfinished tail,
 * which it waits for.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <zlib.h>

enum { LOGD_NONE, LOGD_JSON, LOGD_LOCAL, LOGD_SYSLOG };
enum { SYSF_UNIX, SYSF_3164, SYSF_5424, SYSF_5424MICRO };

#define LOG_WBUF (256u << 10)

static struct {
  int driver;
  const char *path, *attrs, *tag, *syslog_addr, *cache_path;
  long long max_size, cache_max_size;
  long max_file, cache_max_file;
  int compress, cache_compress, facility, syslog_fmt;
} lopt = {.max_file = 1, .facility = 3 << 3, .cache_max_size = 20 << 20, .cache_max_file = 5, .cache_compress = 1};

/* A log file being written: the driver's own (json-file, local) or the local cache that keeps
   `docker logs` working for a driver that cannot be read back (moby's dual logging). */
struct lfile {
  int fd;
  int local; /* local format (else json-file) */
  long long size; /* bytes in the file, not counting wbuf */
  long long max_size;
  long max_file;
  int compress;
  pid_t gz_pid;
  char path[PATH_MAX];
  unsigned char *wbuf; /* records not yet written */
  size_t wlen;
};
static struct lfile main_log = {.fd = -1, .gz_pid = -1}, cache_log = {.fd = -1, .gz_pid = -1};

static unsigned char *log_rec;  /* one record being built */
static size_t log_rec_cap;
static int sys_fd = -1, sys_socktype;
static struct sockaddr_storage sys_sa;
static socklen_t sys_salen;
static int64_t sys_retry_ms;
static char sys_host[256];

static int log_active(void) { return lopt.driver != LOGD_NONE; }

/* --log-driver json-file|local|syslog, --log-path, --log-max-size, --log-max-file,
   --log-compress, --log-attrs JSON, --log-tag, --log-syslog-address, --log-syslog-facility,
   --log-syslog-format. Returns 1 when argv[*i] was one of ours. */
static int log_parse_arg(int argc, char **argv, int *i) {
  const char *a = argv[*i];
  if (strncmp(a, "--log-", 6) != 0) return 0;
  if (!strcmp(a, "--log-compress")) {
    lopt.compress = 1;
    return 1;
  }
  if (!strcmp(a, "--log-cache-no-compress")) {
    lopt.cache_compress = 0;
    return 1;
  }
  if (*i + 1 >= argc) fail("berth-shim: missing value for %s", a);
  const char *v = argv[++*i];
  if (!strcmp(a, "--log-driver")) {
    if (!strcmp(v, "json-file")) lopt.driver = LOGD_JSON;
    else if (!strcmp(v, "local")) lopt.driver = LOGD_LOCAL;
    else if (!strcmp(v, "syslog")) lopt.driver = LOGD_SYSLOG;
    else if (!strcmp(v, "none")) lopt.driver = LOGD_NONE;
    else fail("berth-shim: unknown log driver %s", v);
  } else if (!strcmp(a, "--log-path")) {
    lopt.path = v;
    if (lopt.driver == LOGD_NONE) lopt.driver = LOGD_JSON; /* the daemon's older form */
  } else if (!strcmp(a, "--log-attrs")) lopt.attrs = v;
  else if (!strcmp(a, "--log-tag")) lopt.tag = v;
  else if (!strcmp(a, "--log-cache-path")) lopt.cache_path = v;
  else if (!strcmp(a, "--log-syslog-address")) lopt.syslog_addr = v;
  else if (!strcmp(a, "--log-syslog-format")) {
    if (!strcmp(v, "") || !strcmp(v, "unix")) lopt.syslog_fmt = SYSF_UNIX;
    else if (!strcmp(v, "rfc3164")) lopt.syslog_fmt = SYSF_3164;
    else if (!strcmp(v, "rfc5424")) lopt.syslog_fmt = SYSF_5424;
    else if (!strcmp(v, "rfc5424micro")) lopt.syslog_fmt = SYSF_5424MICRO;
    else fail("berth-shim: bad value for %s", a);
  } else if (!strcmp(a, "--log-max-size") || !strcmp(a, "--log-max-file") || !strcmp(a, "--log-syslog-facility") ||
             !strcmp(a, "--log-cache-max-size") || !strcmp(a, "--log-cache-max-file")) {
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end || end == v || n < 0) fail("berth-shim: bad value for %s", a);
    if (!strcmp(a, "--log-max-size")) lopt.max_size = n;
    else if (!strcmp(a, "--log-max-file")) lopt.max_file = n < 1 ? 1 : (n > 1000 ? 1000 : (long)n);
    else if (!strcmp(a, "--log-cache-max-size")) lopt.cache_max_size = n;
    else if (!strcmp(a, "--log-cache-max-file")) lopt.cache_max_file = n < 1 ? 1 : (n > 1000 ? 1000 : (long)n);
    else {
      if (n > 23) fail("berth-shim: bad value for %s", a);
      lopt.facility = (int)n << 3;
    }
  } else fail("berth-shim: unknown argument %s", a);
  return 1;
}

/* ---------- files: open, rotate, compress ---------- */

static int open_log(struct lfile *f, int trunc) {
  int fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | (trunc ? O_TRUNC : 0), 0640);
  if (fd < 0) return -1;
  fchmod(fd, 0640);
  struct stat st;
  f->size = fstat(fd, &st) == 0 ? st.st_size : 0;
  f->fd = fd;
  return 0;
}

/* Writes the batched records; a failed write (ENOSPC...) loses them, never blocks the container. */
static void lfile_sync(struct lfile *f) {
  if (f->fd >= 0 && f->wlen > 0) {
    size_t off = 0;
    while (off < f->wlen) {
      ssize_t w = write(f->fd, f->wbuf + off, f->wlen - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      off += (size_t)w;
      f->size += w;
    }
  }
  f->wlen = 0;
}

static void log_sync(void) {
  lfile_sync(&main_log);
  lfile_sync(&cache_log);
}

static void gz_wait(struct lfile *f) {
  if (f->gz_pid <= 0) return;
  while (waitpid(f->gz_pid, NULL, 0) < 0 && errno == EINTR) {}
  f->gz_pid = -1; /* ECHILD: the monitor loop reaped it first */
}

/* In a child: SRC -> SRC.gz (through SRC.gz.tmp, renamed when complete), then SRC removed. */
static void gz_file_async(struct lfile *f, const char *src) {
  pid_t p = fork();
  if (p != 0) {
    if (p > 0) f->gz_pid = p;
    return;
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  char tmp[PATH_MAX + 128], dst[PATH_MAX + 128];
  snprintf(tmp, sizeof tmp, "%s.gz.tmp", src);
  snprintf(dst, sizeof dst, "%s.gz", src);
  int in = open(src, O_RDONLY | O_CLOEXEC);
  int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (in < 0 || out < 0) _exit(1);
  gzFile gz = gzdopen(out, "wb1"); /* fastest level: logs compress well at any level */
  if (!gz) _exit(1);
  static unsigned char b[1 << 16];
  for (;;) {
    ssize_t r = read(in, b, sizeof b);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) { unlink(tmp); _exit(1); }
    if (r == 0) break;
    if (gzwrite(gz, b, (unsigned)r) != (int)r) { unlink(tmp); _exit(1); }
  }
  if (gzclose(gz) != Z_OK) { unlink(tmp); _exit(1); }
  if (rename(tmp, dst) < 0) { unlink(tmp); _exit(1); }
  unlink(src);
  _exit(0);
}

/* FILE.(i-1)[.gz] -> FILE.i[.gz]; whatever FILE.i was is dropped. */
static void shift_rotated(struct lfile *f, long i) {
  char from[PATH_MAX + 48], to[PATH_MAX + 48];
  for (int gz = 0; gz < 2; gz++) {
    snprintf(to, sizeof to, "%s.%ld%s", f->path, i, gz ? ".gz" : "");
    unlink(to);
  }
  for (int gz = 0; gz < 2; gz++) {
    snprintf(from, sizeof from, "%s.%ld%s", f->path, i - 1, gz ? ".gz" : "");
    snprintf(to, sizeof to, "%s.%ld%s", f->path, i, gz ? ".gz" : "");
    rename(from, to); /* ENOENT: not that many files yet */
  }
}

/* FILE.(N-2) -> FILE.(N-1) ... FILE -> FILE.1, then a fresh FILE; N == 1 truncates. */
static void rotate_log(struct lfile *f) {
  lfile_sync(f);
  if (f->max_file <= 1) {
    if (ftruncate(f->fd, 0) == 0) f->size = 0;
    return;
  }
  gz_wait(f); /* FILE.1 must be compressed before it moves on */
  for (long i = f->max_file - 1; i >= 2; i--) shift_rotated(f, i);
  char to[PATH_MAX + 48];
  snprintf(to, sizeof to, "%s.1.gz", f->path);
  unlink(to);
  snprintf(to, sizeof to, "%s.1", f->path);
  unlink(to);
  if (rename(f->path, to) < 0) {
    if (ftruncate(f->fd, 0) == 0) f->size = 0;
    return;
  }
  int old = f->fd;
  if (open_log(f, 1) < 0) {
    f->fd = old; /* keep writing to the rotated file rather than losing lines */
    return;
  }
  close(old);
  if (f->compress) gz_file_async(f, to);
}

/* ---------- syslog ---------- */

/* errno as Go's net package words it: "connect: connection refused". */
static const char *go_errno(int e) {
  static char b[128];
  snprintf(b, sizeof b, "%s", strerror(e));
  if (b[0] >= 'A' && b[0] <= 'Z') b[0] = (char)(b[0] - 'A' + 'a');
  return b;
}


static int sys_connect(void) {
  if (sys_fd >= 0) close(sys_fd);
  sys_fd = socket(sys_sa.ss_family, sys_socktype | SOCK_CLOEXEC, 0);
  if (sys_fd < 0) return -1;
  if (connect(sys_fd, (struct sockaddr *)&sys_sa, sys_salen) < 0) {
    close(sys_fd);
    sys_fd = -1;
    return -1;
  }
  fcntl(sys_fd, F_SETFL, O_NONBLOCK); /* a slow syslog loses lines, never blocks the container */
  return 0;
}

static int sys_unix_addr(const char *path, int type) {
  struct sockaddr_un *su = (struct sockaddr_un *)&sys_sa;
  memset(&sys_sa, 0, sizeof sys_sa);
  su->sun_family = AF_UNIX;
  if (strlen(path) >= sizeof su->sun_path) return -1;
  strcpy(su->sun_path, path);
  sys_salen = sizeof *su;
  sys_socktype = type;
  return sys_connect();
}

/* ADDR: "" (the local syslog), unix:PATH, unixgram:PATH, udp:HOST:PORT, tcp:HOST:PORT with a
   numeric address (the daemon resolved names and checked everything else). */
static void sys_open(void) {
  const char *a = lopt.syslog_addr ? lopt.syslog_addr : "";
  gethostname(sys_host, sizeof sys_host - 1);
  if (!a[0]) {
    static const char *const paths[] = {"/dev/log", "/var/run/syslog", "/var/run/log"};
    for (size_t k = 0; k < sizeof paths / sizeof *paths; k++) {
      if (sys_unix_addr(paths[k], SOCK_DGRAM) == 0 || sys_unix_addr(paths[k], SOCK_STREAM) == 0) return;
    }
    fail("failed to initialize logging driver: Unix syslog delivery error");
  }
  if (!strncmp(a, "unix:", 5) || !strncmp(a, "unixgram:", 9)) {
    int dgram = a[4] == 'g';
    const char *path = a + (dgram ? 9 : 5);
    if (sys_unix_addr(path, dgram ? SOCK_DGRAM : SOCK_STREAM) < 0)
      fail("failed to initialize logging driver: dial %s %s: connect: %s", dgram ? "unixgram" : "unix", path, go_errno(errno));
    return;
  }
  int udp = !strncmp(a, "udp:", 4);
  if (!udp && strncmp(a, "tcp:", 4)) fail("berth-shim: bad syslog address %s", a);
  char host[128];
  const char *hp = a + 4, *colon = strrchr(hp, ':');
  if (!colon || (size_t)(colon - hp) >= sizeof host) fail("berth-shim: bad syslog address %s", a);
  memcpy(host, hp, (size_t)(colon - hp));
  host[colon - hp] = 0;
  int port = atoi(colon + 1);
  memset(&sys_sa, 0, sizeof sys_sa);
  struct sockaddr_in *s4 = (struct sockaddr_in *)&sys_sa;
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sys_sa;
  if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    sys_salen = sizeof *s4;
  } else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)port);
    sys_salen = sizeof *s6;
  } else fail("berth-shim: bad syslog address %s", a);
  sys_socktype = udp ? SOCK_DGRAM : SOCK_STREAM;
  if (sys_connect() < 0) {
    int e = errno;
    if (sys_sa.ss_family == AF_INET6) fail("failed to initialize logging driver: dial %s [%s]:%d: connect: %s", udp ? "udp" : "tcp", host, port, go_errno(e));
    fail("failed to initialize logging driver: dial %s %s:%d: connect: %s", udp ? "udp" : "tcp", host, port, go_errno(e));
  }
}

/* Go's "Z07:00": Z at UTC, else +hh:mm. */
static void tz_suffix(const struct tm *tm, char *out) {
  long off = tm->tm_gmtoff;
  if (off == 0) { strcpy(out, "Z"); return; }
  char sign = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  snprintf(out, 16, "%c%02d:%02d", sign, (int)(off / 3600 % 100), (int)(off % 3600 / 60));
}

static void sys_emit(int stream, const unsigned char *p, size_t n) {
  if (n > 0 && p[n - 1] == '\n') n--; /* Docker logs the line without its newline... */
  int pri = lopt.facility | (stream == FRAME_STDERR ? 3 : 6);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  localtime_r(&ts.tv_sec, &tm);
  char head[512], stamp[64], tz[16];
  const char *tag = lopt.tag ? lopt.tag : "";
  int pid = (int)getpid();
  int hl;
  switch (lopt.syslog_fmt) {
  case SYSF_3164:
    strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
    hl = snprintf(head, sizeof head, "<%d>%s %s %s[%d]: ", pri, stamp, sys_host, tag, pid);
    break;
  case SYSF_5424:
  case SYSF_5424MICRO:
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    if (lopt.syslog_fmt == SYSF_5424MICRO) sprintf(stamp + strlen(stamp), ".%06ld", ts.tv_nsec / 1000);
    tz_suffix(&tm, tz);
    hl = snprintf(head, sizeof head, "<%d>1 %s%s %s %s %d %s - ", pri, stamp, tz, sys_host, tag, pid, tag);
    break;
  default:
    strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
    hl = snprintf(head, sizeof head, "<%d>%s %s[%d]: ", pri, stamp, tag, pid);
  }
  if (hl < 0 || (size_t)hl >= sizeof head) hl = (int)strlen(head);
  size_t total = (size_t)hl + n + 1; /* ...and srslog ends every message with one */
  if (total > log_rec_cap) return;
  memcpy(log_rec, head, (size_t)hl);
  memcpy(log_rec + hl, p, n);
  log_rec[total - 1] = '\n';
  if (sys_fd < 0) {
    int64_t now = mono_ms();
    if (now < sys_retry_ms) return;
    sys_retry_ms = now + 1000;
    if (sys_connect() < 0) return;
  }
  ssize_t w = send(sys_fd, log_rec, total, MSG_NOSIGNAL);
  if (w < 0 && errno != EAGAIN && errno != EINTR) {
    close(sys_fd); /* reconnect on the next line, at most once a second */
    sys_fd = -1;
  }
}

/* ---------- records ---------- */

static size_t pb_varint(unsigned char *o, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    o[n++] = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  o[n++] = (unsigned char)v;
  return n;
}

struct partial {
  int ordinal; /* > 0 while a long line goes out in chunks */
  char id[65];
};

/* moby's local LogEntry, framed: be32 size, message, be32 size. */
static size_t local_record(unsigned char *out, int stream, const unsigned char *p, size_t n, const struct partial *pt, int last) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  int64_t tns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
  unsigned char *m = out + 4;
  size_t o = 0;
  const char *src = stream == FRAME_STDERR ? "stderr" : "stdout";
  m[o++] = 0x0a, m[o++] = 6;
  memcpy(m + o, src, 6), o += 6;
  if (tns != 0) m[o++] = 0x10, o += pb_varint(m + o, (uint64_t)tns);
  if (n > 0 && p[n - 1] == '\n' && (!pt || pt->ordinal == 0 || last)) n--; /* the reader puts it back */
  if (n > 0) {
    m[o++] = 0x1a;
    o += pb_varint(m + o, n);
    memcpy(m + o, p, n);
    o += n;
  }
  if (pt && pt->ordinal > 0) {
    m[o++] = 0x20, m[o++] = 1;
    unsigned char sub[128];
    size_t s = 0, idl = strlen(pt->id);
    if (last) sub[s++] = 0x08, sub[s++] = 1;
    sub[s++] = 0x12, sub[s++] = (unsigned char)idl;
    memcpy(sub + s, pt->id, idl), s += idl;
    sub[s++] = 0x18, s += pb_varint(sub + s, (uint64_t)pt->ordinal);
    m[o++] = 0x2a;
    o += pb_varint(m + o, s);
    memcpy(m + o, sub, s);
    o += s;
  }
  uint32_t be = htonl((uint32_t)o);
  memcpy(out, &be, 4);
  memcpy(out + 4 + o, &be, 4);
  return o + 8;
}

static size_t json_record(unsigned char *out, int stream, const unsigned char *p, size_t n) {
  char ts[64];
  rfc3339nano_now(ts);
  size_t o = 0;
  memcpy(out, "{\"log\":\"", 8);
  o = 8;
  o += json_escape(out + o, p, n);
  const char *mid = stream == FRAME_STDERR ? "\",\"stream\":\"stderr\"" : "\",\"stream\":\"stdout\"";
  size_t ml = strlen(mid), tl = strlen(ts);
  memcpy(out + o, mid, ml), o += ml;
  if (lopt.attrs && lopt.attrs[0]) {
    size_t al = strlen(lopt.attrs);
    memcpy(out + o, ",\"attrs\":", 9), o += 9;
    memcpy(out + o, lopt.attrs, al), o += al;
  }
  memcpy(out + o, ",\"time\":\"", 9), o += 9;
  memcpy(out + o, ts, tl), o += tl;
  memcpy(out + o, "\"}\n", 3);
  return o + 3;
}

/* One record into a file's batch, rotating first when it would pass max-size. */
static void lfile_emit(struct lfile *f, int stream, const unsigned char *p, size_t n, const struct partial *pt, int last) {
  if (f->fd < 0) return;
  unsigned char *r = f->wbuf + f->wlen;
  size_t o = f->local ? local_record(r, stream, p, n, pt, last) : json_record(r, stream, p, n);
  if (f->max_size > 0 && f->size + (long long)f->wlen > 0 && f->size + (long long)(f->wlen + o) > f->max_size) {
    memmove(log_rec, r, o); /* the record goes into the fresh file: sync what came before */
    rotate_log(f);
    memcpy(f->wbuf, log_rec, o);
  }
  f->wlen += o;
  if (f->wlen >= LOG_WBUF) lfile_sync(f);
}

static void log_emit(int stream, const unsigned char *p, size_t n, const struct partial *pt, int last) {
  if (!log_active() || n == 0) return;
  if (lopt.driver == LOGD_SYSLOG) sys_emit(stream, p, n);
  else lfile_emit(&main_log, stream, p, n, pt, last);
  lfile_emit(&cache_log, stream, p, n, pt, last);
}

/* ---------- the line splitter: one stream into lines; long lines go out as partials ---------- */

struct line_asm {
  unsigned char data[LOG_LINE_MAX];
  size_t len;
  struct partial pt;
};

static void partial_next(struct partial *pt) {
  if (pt->ordinal++ == 0) {
    unsigned char r[32];
    static const char hex[] = "0123456789abcdef";
    if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
      for (size_t k = 0; k < sizeof r; k++) r[k] = (unsigned char)(rand() & 0xff);
    }
    for (size_t k = 0; k < sizeof r; k++) pt->id[2 * k] = hex[r[k] >> 4], pt->id[2 * k + 1] = hex[r[k] & 15];
    pt->id[64] = 0;
  }
}

static void line_feed(struct line_asm *la, int stream, const unsigned char *p, size_t n) {
  if (!log_active()) return;
  while (n > 0) {
    const unsigned char *nl = memchr(p, '\n', n);
    size_t take = nl ? (size_t)(nl - p) + 1 : n;
    size_t space = LOG_LINE_MAX - la->len;
    if (take > space) take = space, nl = NULL;
    memcpy(la->data + la->len, p, take);
    la->len += take;
    p += take;
    n -= take;
    if (nl) {
      if (la->pt.ordinal > 0) partial_next(&la->pt);
      log_emit(stream, la->data, la->len, &la->pt, 1);
      la->pt.ordinal = 0;
      la->len = 0;
    } else if (la->len == LOG_LINE_MAX) {
      partial_next(&la->pt);
      log_emit(stream, la->data, la->len, &la->pt, 0);
      la->len = 0;
    }
  }
}

static void line_flush(struct line_asm *la, int stream) {
  if (la->len > 0) {
    if (la->pt.ordinal > 0) partial_next(&la->pt);
    log_emit(stream, la->data, la->len, &la->pt, 1);
  }
  la->pt.ordinal = 0;
  la->len = 0;
}

/* ---------- open and close ---------- */

static void lfile_open(struct lfile *f, const char *path, int local, long long max_size, long max_file, int compress) {
  snprintf(f->path, sizeof f->path, "%s", path);
  f->local = local;
  f->max_size = max_size;
  f->max_file = max_file;
  f->compress = compress;
  f->wbuf = malloc(LOG_WBUF + log_rec_cap);
  if (!f->wbuf) fail("out of memory");
  if (open_log(f, 0) < 0) fail("open log %s: %s", path, strerror(errno));
}

static void log_open(void) {
  if (!log_active()) return;
  size_t attrs = lopt.attrs ? strlen(lopt.attrs) : 0;
  log_rec_cap = LOG_LINE_MAX * 6 + 512 + attrs;
  log_rec = malloc(log_rec_cap);
  if (!log_rec) fail("out of memory");
  if (lopt.driver == LOGD_SYSLOG) sys_open();
  else if (!lopt.path) fail("berth-shim: --log-path is required for this log driver");
  else lfile_open(&main_log, lopt.path, lopt.driver == LOGD_LOCAL, lopt.max_size, lopt.max_file, lopt.compress);
  if (lopt.cache_path) lfile_open(&cache_log, lopt.cache_path, 1, lopt.cache_max_size, lopt.cache_max_file, lopt.cache_compress);
}

static void log_close(void) {
  log_sync();
  struct lfile *fs[] = {&main_log, &cache_log};
  for (int k = 0; k < 2; k++) {
    if (fs[k]->fd >= 0) fsync(fs[k]->fd);
    gz_wait(fs[k]);
  }
  if (sys_fd >= 0) close(sys_fd);
}

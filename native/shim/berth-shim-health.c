/*
 * berth-shim healthchecks (--health, container mode only). Included by berth-shim.c: it uses
 * its helpers (json_escape, rfc3339nano_now, mono_ms, runc_log_error, struct buf, opt).
 *
 * Why here and not in the daemon: a probe is a `runc exec`, and spawning it from berthd costs
 * the daemon ~1.7 ms of CPU per spawn (fork of a large process, pipes, bookkeeping; measured
 * in docs/health.md), i.e. 17% of a core for 100 containers probing every second. The shim is
 * already resident with a poll loop, so it runs the probe and hands the daemon one short line.
 * The daemon keeps the timing and the state machine (daemon/containers/health*.ts): the shim
 * runs a probe only when asked, so nothing is probed while no daemon listens (as dockerd).
 *
 * health.sock (one client; a newer connection replaces the older):
 *   daemon -> shim: "run <seq> <timeout_ms>\n"   run <state-dir>/health.json once
 *   shim -> daemon: {"seq":N,"start":T,"end":T,"exitCode":N,"timedOut":B,"truncated":B,
 *                    "output":"..."} or {"seq":N,"start":T,"end":T,"error":"runc's message"}
 * A request that arrives while a probe runs waits for it. The output (stdout and stderr, one
 * pipe, in arrival order) keeps its first HEALTH_OUTPUT_MAX bytes, as dockerd's limitedBuffer.
 * The timeout counts from the moment the process runs (runc exec --detach returned), as dockerd
 * does; then the probe's whole process group is killed (runc's exec setsid()s the process, so
 * its children go too) and the result says timedOut.
 */

#define HEALTH_OUTPUT_MAX 4096
#define HEALTH_START_MAX_MS 30000 /* dockerd: "timed out starting health check" */
#define HEALTH_IN_MAX 256

/* health_enabled: declared in berth-shim.c (set by --health) */
static int made_health_sock;
static int health_lfd = -1, health_cfd = -1;
static char health_in[HEALTH_IN_MAX];
static size_t health_in_len;
static struct buf health_out;

enum { PROBE_IDLE, PROBE_STARTING, PROBE_RUNNING };
static struct {
  int phase;
  long long seq;
  long long timeout_ms;
  pid_t runc_pid, pid;
  int out_fd;
  int64_t deadline; /* mono ms: start guard, then the probe's timeout */
  char start[64];
  unsigned char out[HEALTH_OUTPUT_MAX];
  size_t out_len;
  int truncated, timed_out, killed;
} probe = {.out_fd = -1};
static struct { int set; long long seq, timeout_ms; } probe_next;

/* Exits reaped before runc's pid file told us the probe's pid (it may exit that fast). */
#define EARLY_REAPED 16
static struct { pid_t pid; int status; } early[EARLY_REAPED];
static int early_n;

static void health_send(const char *s, size_t n) {
  if (health_cfd < 0) return; /* nobody listens: the result is dropped */
  if (buf_pending(&health_out) > (1u << 20)) return;
  buf_append(&health_out, s, n);
}

static void health_flush(void) {
  while (health_cfd >= 0 && buf_pending(&health_out) > 0) {
    ssize_t w = write(health_cfd, health_out.data + health_out.off, buf_pending(&health_out));
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;
      close(health_cfd);
      health_cfd = -1;
      buf_free(&health_out);
      return;
    }
    health_out.off += (size_t)w;
  }
}

static void probe_drain(void) {
  if (probe.out_fd < 0) return;
  unsigned char b[8192];
  for (;;) {
    ssize_t r = read(probe.out_fd, b, sizeof b);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    size_t keep = HEALTH_OUTPUT_MAX - probe.out_len;
    if ((size_t)r < keep) keep = (size_t)r;
    memcpy(probe.out + probe.out_len, b, keep);
    probe.out_len += keep;
    if (keep < (size_t)r) probe.truncated = 1;
  }
}

static void probe_start(long long seq, long long timeout_ms);

static void probe_finish(int exit_code, const char *error) {
  probe_drain();
  if (probe.out_fd >= 0) close(probe.out_fd);
  probe.out_fd = -1;
  char end[64];
  rfc3339nano_now(end);
  static unsigned char line[HEALTH_OUTPUT_MAX * 6 + 512];
  size_t o = (size_t)snprintf((char *)line, 256, "{\"seq\":%lld,\"start\":\"%s\",\"end\":\"%s\"", probe.seq, probe.start, end);
  if (error) {
    memcpy(line + o, ",\"error\":\"", 10);
    o += 10;
    size_t n = strlen(error);
    if (n > HEALTH_OUTPUT_MAX) n = HEALTH_OUTPUT_MAX;
    o += json_escape(line + o, (const unsigned char *)error, n);
    memcpy(line + o, "\"}\n", 3);
    o += 3;
  } else {
    o += (size_t)snprintf((char *)line + o, 128, ",\"exitCode\":%d,\"timedOut\":%s,\"truncated\":%s,\"output\":\"", exit_code,
                          probe.timed_out ? "true" : "false", probe.truncated ? "true" : "false");
    o += json_escape(line + o, probe.out, probe.out_len);
    memcpy(line + o, "\"}\n", 3);
    o += 3;
  }
  health_send((const char *)line, o);
  probe.phase = PROBE_IDLE;
  probe.pid = probe.runc_pid = 0;
  early_n = 0;
  if (probe_next.set) {
    probe_next.set = 0;
    probe_start(probe_next.seq, probe_next.timeout_ms);
  }
}

static void probe_start(long long seq, long long timeout_ms) {
  if (probe.phase != PROBE_IDLE) {
    probe_next.set = 1, probe_next.seq = seq, probe_next.timeout_ms = timeout_ms;
    return;
  }
  probe.seq = seq;
  probe.timeout_ms = timeout_ms;
  probe.out_len = 0;
  probe.truncated = probe.timed_out = probe.killed = 0;
  early_n = 0;
  rfc3339nano_now(probe.start);
  unlink("health.pid");
  unlink("health-runc.log");
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) {
    probe_finish(-1, strerror(errno));
    return;
  }
  const char *argv[24];
  int n = 0;
  argv[n++] = opt.runtime;
  if (opt.runtime_root) { argv[n++] = "--root"; argv[n++] = opt.runtime_root; }
  argv[n++] = "--log"; argv[n++] = "health-runc.log";
  argv[n++] = "--log-format"; argv[n++] = "json";
  argv[n++] = "exec"; argv[n++] = "--detach";
  argv[n++] = "--pid-file"; argv[n++] = "health.pid";
  argv[n++] = "--process"; argv[n++] = "health.json";
  argv[n++] = opt.id;
  argv[n] = NULL;
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    probe_finish(-1, strerror(errno));
    return;
  }
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    int nul = open("/dev/null", O_RDONLY);
    if (nul < 0 || dup2(nul, 0) < 0 || dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0) _exit(127);
    if (nul > 2) close(nul);
    execv(opt.runtime, (char *const *)argv);
    _exit(127);
  }
  close(p[1]);
  fcntl(p[0], F_SETFL, O_NONBLOCK);
  probe.out_fd = p[0];
  probe.runc_pid = pid;
  probe.phase = PROBE_STARTING;
  probe.deadline = mono_ms() + HEALTH_START_MAX_MS;
}

static void probe_exited(int status) {
  int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  probe_finish(code, NULL);
}

/* The reaper's hook: 1 when the pid was the probe's (or runc's for it). */
static int health_reaped(pid_t w, int status) {
  if (probe.phase == PROBE_IDLE) return 0;
  if (w == probe.runc_pid) {
    probe.runc_pid = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      char msg[4096];
      if (probe.killed) snprintf(msg, sizeof msg, "timed out starting health check for container %s", opt.id);
      else if (!runc_log_error("health-runc.log", msg, sizeof msg)) snprintf(msg, sizeof msg, "%s exec failed with status %d", opt.runtime, WEXITSTATUS(status));
      probe_finish(-1, msg);
      return 1;
    }
    pid_t pid = read_pid_file("health.pid");
    if (pid <= 0) {
      probe_finish(-1, "the runtime did not write the health check's pid");
      return 1;
    }
    probe.pid = pid;
    probe.phase = PROBE_RUNNING;
    probe.deadline = mono_ms() + probe.timeout_ms;
    for (int k = 0; k < early_n; k++) {
      if (early[k].pid == pid) {
        probe_exited(early[k].status);
        return 1;
      }
    }
    return 1;
  }
  if (probe.phase == PROBE_RUNNING && w == probe.pid) {
    probe_exited(status);
    return 1;
  }
  if (probe.phase == PROBE_STARTING && early_n < EARLY_REAPED) {
    early[early_n].pid = w;
    early[early_n].status = status;
    early_n++;
  }
  return 0;
}

static void health_timeouts(void) {
  if (probe.phase == PROBE_IDLE || probe.killed || mono_ms() < probe.deadline) return;
  probe.killed = 1;
  if (probe.phase == PROBE_STARTING) {
    kill(probe.runc_pid, SIGKILL);
    return;
  }
  probe.timed_out = 1;
  kill(-probe.pid, SIGKILL); /* the probe's process group: its children too */
  kill(probe.pid, SIGKILL);
}

/* Poll timeout (ms) given the loop's own (-1 = none). */
static int health_poll_timeout(int timeout) {
  if (probe.phase == PROBE_IDLE || probe.killed) return timeout;
  int64_t left = probe.deadline - mono_ms();
  if (left < 0) left = 0;
  if (left > 3600000) left = 3600000; /* an int, and we look again within the hour */
  if (timeout < 0 || left < timeout) return (int)left;
  return timeout;
}

#define HEALTH_POLL_FDS 3
static void health_poll_fill(struct pollfd *pf) {
  pf[0] = (struct pollfd){.fd = health_lfd, .events = POLLIN};
  pf[1] = (struct pollfd){.fd = health_cfd, .events = (short)(POLLIN | (buf_pending(&health_out) ? POLLOUT : 0))};
  pf[2] = (struct pollfd){.fd = probe.out_fd, .events = POLLIN};
}

static void health_client_read(void) {
  for (;;) {
    ssize_t r = read(health_cfd, health_in + health_in_len, sizeof health_in - health_in_len);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == EAGAIN) return;
    if (r <= 0) {
      close(health_cfd);
      health_cfd = -1;
      buf_free(&health_out);
      health_in_len = 0;
      return;
    }
    health_in_len += (size_t)r;
    char *nl;
    while ((nl = memchr(health_in, '\n', health_in_len))) {
      *nl = 0;
      long long seq, timeout_ms;
      if (sscanf(health_in, "run %lld %lld", &seq, &timeout_ms) == 2 && timeout_ms > 0) probe_start(seq, timeout_ms);
      size_t used = (size_t)(nl + 1 - health_in);
      memmove(health_in, nl + 1, health_in_len - used);
      health_in_len -= used;
    }
    if (health_in_len == sizeof health_in) health_in_len = 0; /* garbage without a newline */
  }
}

static void health_poll_handle(const struct pollfd *pf) {
  if (pf[0].fd >= 0 && (pf[0].revents & POLLIN)) {
    for (;;) {
      int c = accept4(health_lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (c < 0) break;
      if (health_cfd >= 0) close(health_cfd); /* the newest daemon wins */
      buf_free(&health_out);
      health_in_len = 0;
      health_cfd = c;
    }
  }
  if (pf[1].fd >= 0 && pf[1].fd == health_cfd) {
    if (pf[1].revents & POLLOUT) health_flush();
    if (health_cfd >= 0 && (pf[1].revents & (POLLIN | POLLHUP | POLLERR))) health_client_read();
  }
  if (pf[2].fd >= 0 && pf[2].fd == probe.out_fd && (pf[2].revents & (POLLIN | POLLHUP | POLLERR))) {
    unsigned char b[8192];
    ssize_t r = read(probe.out_fd, b, sizeof b);
    if (r > 0) {
      size_t keep = HEALTH_OUTPUT_MAX - probe.out_len;
      if ((size_t)r < keep) keep = (size_t)r;
      memcpy(probe.out + probe.out_len, b, keep);
      probe.out_len += keep;
      if (keep < (size_t)r) probe.truncated = 1;
    } else if (r == 0) {
      close(probe.out_fd); /* every writer is gone; the exit comes through the reaper */
      probe.out_fd = -1;
    }
  }
  health_timeouts();
  health_flush();
}

static void health_listen(void) {
  if (!health_enabled || opt.exec_mode) return;
  health_lfd = make_listener("health.sock");
  if (health_lfd < 0) fail("listen on health socket: %s", strerror(errno));
  made_health_sock = 1;
}

/* The container is gone: no more probes (its processes died with its pid namespace). */
static void health_close(void) {
  if (probe.phase == PROBE_RUNNING && probe.pid > 0) kill(-probe.pid, SIGKILL);
  if (probe.out_fd >= 0) close(probe.out_fd);
  probe.out_fd = -1;
  if (health_cfd >= 0) close(health_cfd);
  if (health_lfd >= 0) close(health_lfd);
  health_cfd = health_lfd = -1;
  if (made_health_sock) unlink("health.sock");
  made_health_sock = 0;
}

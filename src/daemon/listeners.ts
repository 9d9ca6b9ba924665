// The daemon's API listeners, as dockerd's (cmd/dockerd daemon.go loadListeners, opts/hosts.go
// ParseHost, daemon/listeners): -H unix://PATH, tcp://HOST:PORT and fd://[N] (systemd socket
// activation), with --tls / --tlsverify. Parsing, TLS material and the insecure-TCP rule are
// checked before the daemon touches anything (planListeners); the sockets open at the end of
// start-up (openListeners), beside each other, all served by the one ApiServer.
import { closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { ApiServer, ListenerTls } from '../api/index.ts';
import type { Logger } from '../common/index.ts';

const DEFAULT_TCP_PORT = 2375;
const DEFAULT_TLS_PORT = 2376;
/** The first fd systemd passes (SD_LISTEN_FDS_START). */
const LISTEN_FDS_START = 3;

export type ListenerSpec =
  | { proto: 'unix'; host: string; path: string }
  | { proto: 'tcp'; host: string; hostname: string; port: number }
  | { proto: 'fd'; host: string; addr: string };

/** The TLS settings in force, after dockerd's rules (loadDaemonCliConfig, newAPIServerTLSConfig). */
export interface TlsSettings {
  /** --tls, or implied by --tlsverify given at all (true or false). */
  tls: boolean;
  /** A client certificate is required and verified against the CA. */
  verify: boolean;
  /** tls or tlsverify was given (flag or file): dockerd's checkTLSAuthOK "explicit intent". */
  explicit: boolean;
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * One -H value normalized as dockerd's ParseHost does: '' is the default unix socket (or
 * tcp://localhost:2376 with TLS), a bare HOST[:PORT] is tcp, tcp:// takes port 2375 when none is
 * given, unix:// with no path is the default socket, fd:// is kept as given.
 */
export function parseDaemonHost(value: string, useTls: boolean, defaultSocket: string): string {
  let host = value.trim();
  if (host === '') host = useTls ? `tcp://localhost:${DEFAULT_TLS_PORT}` : `unix://${defaultSocket}`;
  const sep = host.indexOf('://');
  const proto = sep === -1 ? 'tcp' : host.slice(0, sep);
  const addr = sep === -1 ? host : host.slice(sep + 3);
  switch (proto) {
    case 'tcp':
      return parseTcpAddr(host, addr);
    case 'unix': {
      if (addr.includes('://')) throw new Error(`invalid bind address: invalid proto, expected unix: ${addr}`);
      return `unix://${addr === '' ? defaultSocket : addr}`;
    }
    case 'fd':
      return host;
    default:
      throw new Error(`invalid bind address (${host}): unsupported proto '${proto}'`);
  }
}

function parseTcpAddr(original: string, addr: string): string {
  const bad = (why: string) => new Error(`invalid bind address (${original}): ${why}`);
  const slash = addr.indexOf('/');
  const hostPort = slash === -1 ? addr : addr.slice(0, slash);
  const path = slash === -1 ? '' : addr.slice(slash);
  if (path !== '' && path !== '/') throw bad(`should not contain a path element`);
  let hostname = hostPort;
  let portText = '';
  const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(hostPort);
  if (bracket) {
    hostname = bracket[1];
    portText = bracket[2] ?? '';
  } else if (hostPort.includes(':')) {
    const i = hostPort.lastIndexOf(':');
    hostname = hostPort.slice(0, i);
    portText = hostPort.slice(i + 1);
    if (hostname.includes(':')) throw bad(`address ${hostPort}: too many colons in address`);
  }
  if (hostname === '') hostname = 'localhost';
  let port = DEFAULT_TCP_PORT;
  if (portText !== '') {
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw bad(`invalid port "${portText}"`);
    port = Number(portText);
  }
  if (bracket && isIP(hostname) !== 6) throw bad(`invalid IPv6 address ${hostname}`);
  return `tcp://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;
}

/** dockerd's normalizeHosts: the default when none is given, parsed, de-duplicated and sorted. */
export function normalizeHosts(hosts: string[], useTls: boolean, defaultSocket: string): string[] {
  const list = hosts.length === 0 ? [''] : hosts;
  return [...new Set(list.map((h) => parseDaemonHost(h, useTls, defaultSocket)))].sort();
}

/** A normalized host as the listener to open. */
export function listenerSpec(host: string): ListenerSpec {
  const sep = host.indexOf('://');
  const proto = host.slice(0, sep);
  const addr = host.slice(sep + 3);
  if (proto === 'unix') return { proto, host, path: addr };
  if (proto === 'fd') return { proto, host, addr };
  const i = addr.lastIndexOf(':');
  const hostname = addr.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  return { proto: 'tcp', host, hostname, port: Number(addr.slice(i + 1)) };
}

/**
 * The fds systemd passed (LISTEN_PID is ours, LISTEN_FDS of them from fd 3), as go-systemd's
 * activation.Listeners(true): the variables are removed so that nothing this daemon starts
 * (runc honours LISTEN_FDS) takes the sockets for its own.
 */
export function activationFds(env: NodeJS.ProcessEnv, pid: number): number[] {
  const listenPid = env.LISTEN_PID;
  const count = env.LISTEN_FDS;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDS;
  delete env.LISTEN_FDNAMES;
  if (listenPid === undefined || count === undefined) return [];
  if (!/^\d+$/.test(listenPid) || Number(listenPid) !== pid) return [];
  if (!/^\d+$/.test(count)) return [];
  return Array.from({ length: Number(count) }, (_, i) => LISTEN_FDS_START + i);
}

/** The activated fds one fd:// host serves: all of them for fd:// (or fd://*), else the one named. */
export function selectActivationFds(addr: string, fds: number[]): number[] {
  if (fds.length === 0) throw new Error('no sockets found via socket activation: make sure the service was started by systemd');
  if (addr === '' || addr === '*') return fds;
  if (!/^\d+$/.test(addr)) throw new Error(`failed to parse systemd fd address: should be a number: ${addr}`);
  const n = Number(addr);
  if (n < LISTEN_FDS_START || !fds.includes(n)) {
    if (n >= LISTEN_FDS_START + fds.length) throw new Error('too few socket activated files passed in by systemd');
    throw new Error(`failed to listen on systemd activated file: fd ${n}`);
  }
  return [n];
}

/** Reads and checks the server's certificate, key and (with verify) CA: dockerd's "invalid TLS configuration". */
export async function loadServerTls(s: TlsSettings, read: (file: string) => Promise<Buffer> = (f) => readFile(f)): Promise<ListenerTls | undefined> {
  if (!s.tls) return undefined;
  const invalid = (msg: string) => new Error(`invalid TLS configuration: ${msg}`);
  const reason = (err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
  };
  let ca: Buffer | undefined;
  if (s.verify) {
    try {
      ca = await read(s.caFile);
    } catch (err) {
      throw invalid(`could not read CA certificate "${s.caFile}": open ${s.caFile}: ${reason(err)}`);
    }
    if (!pemCertificates(ca)) throw invalid(`failed to append certificates from PEM file: "${s.caFile}"`);
  }
  let cert: Buffer;
  let key: Buffer;
  const pair = `(cert: "${s.certFile}", key: "${s.keyFile}")`;
  try {
    cert = await read(s.certFile);
    key = await read(s.keyFile);
  } catch (err) {
    const file = (err as NodeJS.ErrnoException).path ?? '';
    throw invalid(`Could not load X509 key pair ${pair}: open ${file}: ${reason(err)}`);
  }
  const opts: SecureContextOptions = { cert, key, ca };
  try {
    // node:tls only when TLS is configured (it costs the idle daemon memory otherwise).
    (await import('node:tls')).createSecureContext(opts);
  } catch (err) {
    throw invalid(`Error reading X509 key pair ${pair}: ${(err as Error).message}. Make sure the key is not encrypted.`);
  }
  return { cert, key, ca, verifyClients: s.verify };
}

/** True when the buffer holds at least one PEM certificate that parses (Go's AppendCertsFromPEM). */
function pemCertificates(pem: Buffer): boolean {
  const blocks = pem.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  let ok = false;
  for (const b of blocks) {
    try {
      new X509Certificate(b);
      ok = true;
    } catch {
      // Go skips blocks that do not parse
    }
  }
  return ok;
}

/** True for 127.0.0.0/8, ::1 and names that resolve to them (dockerd's ip.IsLoopback after ResolveIPAddr). */
export async function isLoopbackHost(hostname: string, resolve: (h: string) => Promise<string> = async (h) => (await lookup(h)).address): Promise<boolean> {
  if (hostname === 'localhost') return true;
  let ip = hostname;
  if (isIP(ip) === 0) {
    try {
      ip = await resolve(hostname);
    } catch {
      return false;
    }
  }
  if (isIP(ip) === 4) return ip.startsWith('127.');
  const lower = ip.toLowerCase();
  return lower === '::1' || lower === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(lower);
}

/**
 * dockerd's rule for a TCP listener without client verification: warn loudly; without an explicit
 * --tls/--tlsverify (either value) on a non-loopback address, refuse to start (the "hard failure"
 * Docker announced; dockerd also sleeps 1 s and 15 s to make the point, berth does not).
 */
export async function checkInsecureTcp(spec: Extract<ListenerSpec, { proto: 'tcp' }>, s: TlsSettings, log: Logger, loopback = isLoopbackHost): Promise<void> {
  if (s.tls && s.verify) return;
  const fields = { host: spec.host };
  log.warn('Binding to IP address without --tlsverify is insecure and gives root access on this machine to everyone who has access to your network.', fields);
  log.warn('Binding to an IP address, even on localhost, can also give access to scripts run in a browser. Be safe out there!', fields);
  if (s.explicit || await loopback(spec.hostname)) return;
  log.warn('Binding to an IP address without --tlsverify is deprecated. Please consider generating tls certificates with client validation to prevent exposing unauthenticated root access to your network', fields);
  log.warn("You can override this by explicitly specifying '--tls=false' or '--tlsverify=false'", fields);
  throw new Error(`failed to load listeners: refusing to listen on ${spec.host} without --tlsverify: access to the remote API is equivalent to root access on the host; use --tlsverify with --tlscacert, --tlscert and --tlskey, or specify '--tls=false' or '--tlsverify=false' explicitly`);
}

export interface ListenerPlan {
  specs: ListenerSpec[];
  tls: ListenerTls | undefined;
  /** Activated fds per fd:// host. */
  fds: Map<string, number[]>;
}

/** Everything that can fail before the daemon starts: hosts, TLS files, the insecure-TCP rule, activation fds. */
export async function planListeners(hosts: string[], s: TlsSettings, log: Logger, env: NodeJS.ProcessEnv = process.env, pid = process.pid): Promise<ListenerPlan> {
  const specs = hosts.map(listenerSpec);
  const tls = await loadServerTls(s);
  const activated = activationFds(env, pid);
  const fds = new Map<string, number[]>();
  for (const spec of specs) {
    if (spec.proto === 'tcp') await checkInsecureTcp(spec, s, log);
    if (spec.proto === 'fd') {
      try {
        fds.set(spec.host, selectActivationFds(spec.addr, activated));
      } catch (err) {
        throw new Error(`failed to load listeners: ${(err as Error).message}`);
      }
    }
  }
  // Activated sockets no fd:// host asked for are closed, as dockerd does.
  const used = new Set([...fds.values()].flat());
  for (const fd of activated) {
    if (used.has(fd)) continue;
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
  return { specs, tls, fds };
}

/** Opens every planned listener on the server and logs each as dockerd does ("API listen on ..."). */
export async function openListeners(server: ApiServer, plan: ListenerPlan, log: Logger): Promise<void> {
  for (const spec of plan.specs) {
    try {
      if (spec.proto === 'unix') {
        await server.listenUnix(spec.path);
        log.info(`API listen on ${spec.path}`);
      } else if (spec.proto === 'tcp') {
        const a = await server.listenTcp(spec.hostname, spec.port, plan.tls);
        log.info(`API listen on ${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`);
      } else {
        for (const fd of plan.fds.get(spec.host) ?? []) {
          await server.listenFd(fd, plan.tls);
          log.info(`API listen on fd ${fd}`);
        }
      }
    } catch (err) {
      throw new Error(`failed to load listeners: ${listenError(spec, err)}`);
    }
  }
}

function listenError(spec: ListenerSpec, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (spec.proto === 'tcp') {
    const what = e.code === 'EADDRINUSE' ? 'bind: address already in use' : e.code === 'EADDRNOTAVAIL' ? 'bind: cannot assign requested address' : e.code === 'EACCES' ? 'bind: permission denied' : e.message;
    return `listen tcp ${spec.hostname.includes(':') ? `[${spec.hostname}]` : spec.hostname}:${spec.port}: ${what}`;
  }
  if (spec.proto === 'unix') return `can't create unix socket ${spec.path}: ${e.message}`;
  return `failed to listen on systemd activated file: ${e.message}`;
}

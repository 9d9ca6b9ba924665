// Where the CLI connects and how: the global flags (-H, --tls*, --config, -D, -l), the
// environment (BERTH_HOST then DOCKER_HOST, BERTH_TLS_VERIFY / DOCKER_TLS_VERIFY, BERTH_CERT_PATH /
// DOCKER_CERT_PATH, BERTH_API_VERSION / DOCKER_API_VERSION) and docker's rules for host strings.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlagSpec, Flags } from './types.ts';

const DEFAULT_HOST = 'unix:///run/berth/berth.sock';
const DEFAULT_SOCKET = '/run/berth/berth.sock';
const DEFAULT_TCP_PORT = 2375;
const DEFAULT_TLS_PORT = 2376;
export const LOG_LEVELS = ['panic', 'fatal', 'error', 'warn', 'warning', 'info', 'debug', 'trace'];

/** A setup error before any command runs: "Failed to initialize: <message>" (exit 1). */
export class InitError extends Error {}

/** The root's flags; their defaults depend on the config dir and the environment. */
export function globalFlags(configDir: string, env: NodeJS.ProcessEnv): FlagSpec[] {
  const certDir = certPath(configDir, env);
  return [
    { name: 'config', type: 'string', usage: 'Location of client config files', default: configDir },
    { name: 'debug', short: 'D', type: 'bool', usage: 'Enable debug mode' },
    { name: 'host', short: 'H', type: 'list', usage: 'Daemon socket to connect to' },
    { name: 'log-level', short: 'l', type: 'string', usage: 'Set the logging level ("debug", "info", "warn", "error", "fatal")', default: 'info' },
    { name: 'tls', type: 'bool', usage: 'Use TLS; implied by --tlsverify' },
    { name: 'tlscacert', type: 'string', usage: 'Trust certs signed only by this CA', default: join(certDir, 'ca.pem') },
    { name: 'tlscert', type: 'string', usage: 'Path to TLS certificate file', default: join(certDir, 'cert.pem') },
    { name: 'tlskey', type: 'string', usage: 'Path to TLS key file', default: join(certDir, 'key.pem') },
    { name: 'tlsverify', type: 'bool', usage: 'Use TLS and verify the remote', default: tlsVerifyFromEnv(env) },
    { name: 'version', short: 'v', type: 'bool', usage: 'Print version information and quit' },
  ];
}

function certPath(configDir: string, env: NodeJS.ProcessEnv): string {
  return env.BERTH_CERT_PATH || env.DOCKER_CERT_PATH || configDir;
}

function tlsVerifyFromEnv(env: NodeJS.ProcessEnv): boolean {
  return (env.BERTH_TLS_VERIFY || env.DOCKER_TLS_VERIFY || '') !== '';
}

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
}

export interface Endpoint {
  /** Normalized, as printed in messages: 'unix:///run/berth/berth.sock', 'tcp://10.0.0.1:2376'. */
  host: string;
  socketPath?: string;
  hostname?: string;
  port?: number;
  tls?: TlsMaterial;
  /** A fixed API version (BERTH_API_VERSION / DOCKER_API_VERSION): no negotiation. */
  apiVersion?: string;
}

/** Parses one host string as docker does: unix://PATH, tcp://HOST[:PORT], or HOST[:PORT]. */
export function parseHost(raw: string, tls: boolean): Pick<Endpoint, 'host' | 'socketPath' | 'hostname' | 'port'> {
  const h = raw.trim();
  if (h === '') return { host: DEFAULT_HOST, socketPath: DEFAULT_SOCKET };
  const sep = h.indexOf('://');
  const proto = sep >= 0 ? h.slice(0, sep).toLowerCase() : 'tcp';
  const addr = sep >= 0 ? h.slice(sep + 3) : h;
  if (proto === 'unix') {
    const path = addr === '' ? DEFAULT_SOCKET : addr;
    return { host: `unix://${path}`, socketPath: path };
  }
  if (proto !== 'tcp') throw new InitError(`invalid bind address format: ${h}`);
  const pathStart = addr.indexOf('/');
  const hostPort = pathStart >= 0 ? addr.slice(0, pathStart) : addr;
  let hostname = hostPort;
  let portText = '';
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(hostPort);
  if (bracket) {
    hostname = bracket[1];
    portText = bracket[2] ?? '';
  } else if (hostPort.includes(':')) {
    const i = hostPort.lastIndexOf(':');
    hostname = hostPort.slice(0, i);
    portText = hostPort.slice(i + 1);
  }
  if (hostname === '') hostname = 'localhost';
  let port = tls ? DEFAULT_TLS_PORT : DEFAULT_TCP_PORT;
  if (portText !== '') {
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new InitError(`invalid bind address format: ${h}`);
    port = Number(portText);
  }
  const shown = hostname.includes(':') ? `[${hostname}]` : hostname;
  return { host: `tcp://${shown}:${port}`, hostname, port };
}

/** The endpoint from the parsed global flags and the environment. */
export function resolveEndpoint(flags: Flags, env: NodeJS.ProcessEnv): Endpoint {
  const hosts = flags.list('host');
  if (hosts.length > 1) throw new InitError('unable to resolve berth endpoint: Specify only one -H');
  const raw = hosts[0] ?? (env.BERTH_HOST || env.DOCKER_HOST || '');
  const verify = flags.bool('tlsverify');
  const useTls = flags.bool('tls') || flags.changed('tlsverify') || verify;
  let parsed: ReturnType<typeof parseHost>;
  try {
    parsed = parseHost(raw, useTls);
  } catch (err) {
    throw new InitError(`unable to resolve berth endpoint: ${(err as Error).message}`);
  }
  const endpoint: Endpoint = { ...parsed };
  const apiVersion = env.BERTH_API_VERSION || env.DOCKER_API_VERSION;
  if (apiVersion) endpoint.apiVersion = apiVersion.replace(/^v/, '');
  if (useTls && endpoint.socketPath === undefined) {
    const tls: TlsMaterial = { rejectUnauthorized: verify };
    if (verify) tls.ca = readPem(flags.string('tlscacert'));
    for (const name of ['tlscert', 'tlskey'] as const) {
      const file = flags.string(name);
      // Docker skips the default cert and key when they are absent; given ones must exist.
      if (!flags.changed(name) && !existsSync(file)) continue;
      tls[name === 'tlscert' ? 'cert' : 'key'] = readPem(file);
    }
    if ((tls.cert === undefined) !== (tls.key === undefined)) {
      throw new InitError('unable to resolve berth endpoint: Could not load X509 key pair: both a certificate and a key are needed');
    }
    endpoint.tls = tls;
  }
  return endpoint;
}

function readPem(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new InitError(`unable to resolve berth endpoint: open ${file}: ${reason}`);
  }
}

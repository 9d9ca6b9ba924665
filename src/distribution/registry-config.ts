// The daemon's registry settings, validated and looked up as moby's registry package does
// (registry/config.go, service_v2.go): mirrors for docker.io, insecure registries given as
// host[:port] or CIDR (127.0.0.0/8 and ::1 are insecure by default), and the endpoints to try
// for a registry host: https first, then, for an insecure registry, https without verification
// and plain http.
import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { invalidParameter } from '../common/index.ts';

/** Where `<host:port>/*.crt|*.cert|*.key` are read from unless the daemon says otherwise. */
export const DEFAULT_CERTS_DIR = '/etc/berth/certs.d';

const DEFAULT_DOMAIN = 'docker.io';
const INDEX_HOSTNAME = 'index.docker.io';
/** What dockerd reports as IndexServerAddress (the v1 index of Docker Hub). */
export const INDEX_SERVER = 'https://index.docker.io/v1/';
const DEFAULT_V2_REGISTRY = 'https://registry-1.docker.io';

export interface RegistryOptions {
  mirrors?: readonly string[];
  insecureRegistries?: readonly string[];
  certsDir?: string;
  maxConcurrentDownloads?: number;
  maxConcurrentUploads?: number;
  maxDownloadAttempts?: number;
}

/** One place to talk to: a base URL (`https://host:port`, or a mirror's URL with its path). */
export interface RegistryEndpoint {
  /** Base URL without a trailing slash; requests go to `${base}/v2/...`. */
  base: string;
  mirror: boolean;
  official: boolean;
  /** Verify the server's certificate (false for insecure registries). */
  tlsVerify: boolean;
  /** The certs.d directory name (host[:port]) whose CAs and client pairs apply, if any. */
  certsHost?: string;
}

export interface IndexInfo {
  Name: string;
  Mirrors: string[];
  Secure: boolean;
  Official: boolean;
}

/** /info's RegistryConfig, as dockerd fills it. */
export interface RegistryInfo {
  IndexConfigs: Record<string, IndexInfo>;
  InsecureRegistryCIDRs: string[];
  Mirrors: string[];
}

export class RegistryConfig {
  readonly mirrors: string[];
  readonly certsDir: string;
  readonly maxConcurrentDownloads: number;
  readonly maxConcurrentUploads: number;
  readonly maxDownloadAttempts: number;
  private readonly cidrs: string[];
  private readonly insecureHosts: Set<string>;
  private readonly blocks: BlockList;

  constructor(opts: RegistryOptions = {}) {
    this.mirrors = (opts.mirrors ?? []).map(validateMirror);
    this.certsDir = opts.certsDir ?? DEFAULT_CERTS_DIR;
    this.maxConcurrentDownloads = positiveInt(opts.maxConcurrentDownloads, 3, 'max-concurrent-downloads');
    this.maxConcurrentUploads = positiveInt(opts.maxConcurrentUploads, 5, 'max-concurrent-uploads');
    this.maxDownloadAttempts = positiveInt(opts.maxDownloadAttempts, 5, 'max-download-attempts');
    // moby's loadInsecureRegistries: the loopback ranges first, then the configured CIDRs.
    const cidrs = new Map<string, string>([['::1/128', '::1/128'], ['127.0.0.0/8', '127.0.0.0/8']]);
    this.insecureHosts = new Set();
    for (let r of opts.insecureRegistries ?? []) {
      const lower = r.toLowerCase();
      if (lower.startsWith('http://')) r = r.slice(7);
      else if (lower.startsWith('https://')) r = r.slice(8);
      else if (r.includes('://')) throw invalidParameter(`insecure registry ${r} should not contain '://'`);
      const cidr = parseCidr(r);
      if (cidr) cidrs.set(cidr, cidr);
      else if (validHostPort(r)) this.insecureHosts.add(r);
      else throw invalidParameter(`insecure registry ${r} is not valid: invalid host "${r}"`);
    }
    this.cidrs = [...cidrs.keys()];
    this.blocks = new BlockList();
    for (const c of this.cidrs) {
      const [addr, len] = c.split('/');
      this.blocks.addSubnet(addr, Number(len), isIP(addr) === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /** /info RegistryConfig. */
  info(): RegistryInfo {
    const IndexConfigs: Record<string, IndexInfo> = {};
    for (const h of this.insecureHosts) IndexConfigs[h] = { Name: h, Mirrors: [], Secure: false, Official: false };
    IndexConfigs[DEFAULT_DOMAIN] = { Name: DEFAULT_DOMAIN, Mirrors: [...this.mirrors], Secure: true, Official: true };
    return { IndexConfigs, InsecureRegistryCIDRs: [...this.cidrs], Mirrors: [...this.mirrors] };
  }

  /** moby's isSecureIndex: a configured insecure host, else not inside an insecure CIDR. */
  async isSecure(host: string): Promise<boolean> {
    if (this.insecureHosts.has(host)) return false;
    if (host === DEFAULT_DOMAIN || host === INDEX_HOSTNAME) return true;
    const bare = stripPort(host);
    if (isIP(bare)) return !this.inCidrs(bare);
    let addrs: { address: string }[] = [];
    try {
      addrs = await lookup(bare, { all: true });
    } catch {
      return true; // unresolvable: treat as secure, the connection fails later with its own error
    }
    return !addrs.some((a) => this.inCidrs(a.address));
  }

  private inCidrs(ip: string): boolean {
    const fam = isIP(ip);
    if (fam === 0) return false;
    if (fam === 6 && ip.toLowerCase().startsWith('::ffff:')) {
      const v4 = ip.slice(7);
      if (isIP(v4) === 4) return this.blocks.check(v4, 'ipv4');
    }
    return this.blocks.check(ip, fam === 6 ? 'ipv6' : 'ipv4');
  }

  /** The endpoints to try for a registry host (a reference's domain), in order. */
  async endpoints(domain: string): Promise<RegistryEndpoint[]> {
    if (domain === DEFAULT_DOMAIN || domain === INDEX_HOSTNAME) {
      const out: RegistryEndpoint[] = [];
      for (const m of this.mirrors) {
        const u = new URL(m);
        const secure = await this.isSecure(u.host);
        out.push({ base: m.replace(/\/+$/, ''), mirror: true, official: false, tlsVerify: secure, certsHost: secure ? u.host : undefined });
      }
      out.push({ base: DEFAULT_V2_REGISTRY, mirror: false, official: true, tlsVerify: true });
      return out;
    }
    const secure = await this.isSecure(domain);
    const out: RegistryEndpoint[] = [{ base: `https://${domain}`, mirror: false, official: false, tlsVerify: secure, certsHost: secure ? domain : undefined }];
    if (!secure) out.push({ base: `http://${domain}`, mirror: false, official: false, tlsVerify: false });
    return out;
  }
}

/** registry.ValidateMirror: an http(s) URL without credentials, query or fragment; ends with "/". */
function validateMirror(val: string): string {
  let u: URL;
  try {
    u = new URL(val);
  } catch {
    throw invalidParameter(`invalid mirror: "${val}" is not a valid URI`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalidParameter(`invalid mirror: unsupported scheme "${u.protocol.slice(0, -1)}" in "${val}"`);
  if (u.search || u.hash) throw invalidParameter(`invalid mirror: query or fragment at end of the URI "${val}"`);
  if (u.username || u.password) throw invalidParameter(`invalid mirror: username/password not allowed in URI "${val}"`);
  return val.replace(/\/+$/, '') + '/';
}

function positiveInt(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 0) throw invalidParameter(`invalid ${name}: ${v}`);
  // dockerd treats 0 as "use the default" for these limits.
  return v === 0 ? dflt : v;
}

/** Go's net.ParseCIDR, normalised to the network address as ipnet.String() prints it. */
export function parseCidr(s: string): string | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const lenText = s.slice(slash + 1);
  const fam = isIP(addr);
  if (fam === 0 || !/^\d{1,3}$/.test(lenText)) return undefined;
  const len = Number(lenText);
  const bits = fam === 4 ? 32 : 128;
  if (len > bits) return undefined;
  const bytes = fam === 4 ? addr.split('.').map(Number) : ipv6Bytes(addr);
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, len - i * 8));
    bytes[i] &= (0xff << (8 - keep)) & 0xff;
  }
  if (fam === 4) return `${bytes.join('.')}/${len}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return `${compressV6(groups)}/${len}`;
}

function ipv6Bytes(addr: string): number[] {
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const parse = (p: string) => (p ? p.split(':') : []);
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  const v4 = (arr: string[]) => {
    const last = arr.at(-1);
    if (last && last.includes('.')) {
      const o = last.split('.').map(Number);
      arr.splice(-1, 1, ((o[0] << 8) | o[1]).toString(16), ((o[2] << 8) | o[3]).toString(16));
    }
  };
  if (tail === undefined) v4(h);
  else v4(t);
  const fill = 8 - h.length - t.length;
  const groups = tail === undefined ? h : [...h, ...Array(fill).fill('0'), ...t];
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

/** RFC 5952: the longest run of two or more zero groups becomes "::". */
function compressV6(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** moby's validateHostPort: a host name or IP, and an optional numeric port. */
function validHostPort(s: string): boolean {
  let host = s;
  let port: string | undefined;
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (m) {
    host = m[1];
    port = m[2];
    if (isIP(host) !== 6) return false;
  } else {
    const i = s.lastIndexOf(':');
    if (i >= 0) {
      if (s.indexOf(':') !== i) return isIP(s) === 6;
      host = s.slice(0, i);
      port = s.slice(i + 1);
    }
  }
  if (port !== undefined && !/^\d{1,5}$/.test(port)) return false;
  if (port !== undefined && Number(port) > 65535) return false;
  if (isIP(host)) return true;
  return /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/.test(host);
}

function stripPort(host: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (m) return m[1];
  const i = host.lastIndexOf(':');
  if (i >= 0 && host.indexOf(':') === i) return host.slice(0, i);
  return host;
}

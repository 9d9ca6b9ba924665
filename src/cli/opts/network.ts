// Network-side flags: --add-host, --dns, --dns-search, --ip/--ip6, --mac-address (docker's
// opts/hosts.go, opts/opts.go).
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { OptionError } from './errors.ts';

const HOST_GATEWAY = 'host-gateway';

/** Normalises an IP address the way Go's net.IP.String() prints it. */
export function normalizeIp(ip: string): string | undefined {
  const v = ip.trim();
  if (isIPv4(v)) return v.split('.').map((p) => String(Number(p))).join('.');
  if (isIPv6(v)) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(v);
    if (mapped) return mapped[1];
    return new URL(`http://[${v}]/`).hostname.slice(1, -1);
  }
  return undefined;
}

/** --dns: an IP address. */
export function validateIpAddress(value: string): string {
  const ip = normalizeIp(value);
  if (ip === undefined) throw new OptionError(`IP address is not correctly formatted: ${value}`);
  return ip;
}

/** --add-host host:ip or host=ip ("host-gateway" allowed); sent as "host:ip". */
export function validateExtraHost(value: string): string {
  let i = value.indexOf('=');
  if (i < 0) i = value.indexOf(':');
  const name = i < 0 ? '' : value.slice(0, i);
  let ip = i < 0 ? '' : value.slice(i + 1);
  if (i < 0 || name === '' || name.includes(':')) throw new OptionError(`bad format for add-host: ${JSON.stringify(value)}`);
  if (ip !== HOST_GATEWAY) {
    if (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
    if (normalizeIp(ip) === undefined) throw new OptionError(`invalid IP address in add-host: ${JSON.stringify(ip)}`);
  }
  return `${name}:${ip}`;
}

/** --dns-search: a domain name, or "." for none. */
export function validateDnsSearch(value: string): string {
  const v = value.replace(/^ +| +$/g, '');
  if (v === '.') return v;
  const m = /^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*)\.?\s*$/.exec(v);
  if (!/[a-zA-Z]/.test(v) || !m || m[1].length >= 255) throw new OptionError(`${v} is not a valid domain`);
  return m[1];
}

/** --ip / --ip6 (pflag's IP flag); undefined when the address is not of that family. */
export function parseIpFlag(value: string, version: 4 | 6): string | undefined {
  const ip = normalizeIp(value);
  if (ip === undefined) throw new OptionError(`invalid string being converted to IP address: ${value}`);
  if (version === 4) return isIP(ip) === 4 ? ip : undefined;
  return ip;
}

/** --mac-address: six colon- or dash-separated hex pairs. */
export function validateMac(value: string): string {
  if (!/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(value.trim())) throw new OptionError(`${value} is not a valid mac address`);
  return value.trim().toLowerCase().replace(/-/g, ':');
}

/** --link name[:alias]. */
export function validateLink(value: string): string {
  if (value === '') throw new OptionError('empty string specified for links');
  if (value.split(':').length > 2) throw new OptionError(`bad format for links: ${value}`);
  return value;
}

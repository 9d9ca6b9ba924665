// Platforms as containerd's platforms package normalises and matches them (Normalize, Only,
// Less), used to pick an image from a manifest list / OCI index as dockerd does.
import os from 'node:os';
import { invalidParameter } from '../common/index.ts';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
}

/** containerd's normalizeArch: names and default variants folded to one spelling. */
function normalizeArch(arch: string, variant: string): [string, string] {
  arch = arch.toLowerCase();
  variant = variant.toLowerCase();
  switch (arch) {
    case 'i386':
      return ['386', ''];
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return ['amd64', variant === 'v1' ? '' : variant];
    case 'aarch64':
    case 'arm64':
      return ['arm64', variant === '8' || variant === 'v8' ? '' : variant];
    case 'armhf':
      return ['arm', 'v7'];
    case 'armel':
      return ['arm', 'v6'];
    case 'arm':
      if (variant === '' || variant === '7') return ['arm', 'v7'];
      if (/^[5-8]$/.test(variant)) return ['arm', `v${variant}`];
      return ['arm', variant];
    default:
      return [arch, variant];
  }
}

export function normalizePlatform(p: Platform): Platform {
  let osName = (p.os || '').toLowerCase();
  if (osName === 'macos') osName = 'darwin';
  const [architecture, variant] = normalizeArch(p.architecture || '', p.variant || '');
  return { os: osName, architecture, ...(variant ? { variant } : {}), ...(p['os.version'] ? { 'os.version': p['os.version'] } : {}) };
}

/** The host, in Go's names (GOOS/GOARCH). */
export function hostPlatform(): Platform {
  const arch = os.arch();
  const goArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle' };
  return normalizePlatform({ os: 'linux', architecture: goArch[arch] ?? arch });
}

const KNOWN_OS = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos', 'macos']);
const KNOWN_ARCH = new Set(['386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm', 'i386', 'x86_64', 'x86-64', 'aarch64', 'armhf', 'armel']);

/** containerd's platforms.Parse for the API's `platform` (os[/arch[/variant]]). */
export function parsePlatform(spec: string): Platform {
  const fail = (why: string) => invalidParameter(`"${spec}": ${why}: invalid argument`);
  const bare = spec.replace(/\(.*\)$/, '');
  const parts = bare.split('/');
  for (const p of parts) if (!/^[A-Za-z0-9_-]+$/.test(p)) throw fail('invalid path component');
  if (parts.length > 3) throw fail('cannot parse platform specifier');
  if (parts.length === 1) {
    const v = parts[0].toLowerCase();
    if (KNOWN_OS.has(v)) return normalizePlatform({ os: v, architecture: hostPlatform().architecture, variant: hostPlatform().variant });
    if (KNOWN_ARCH.has(v)) return normalizePlatform({ os: 'linux', architecture: v });
    throw fail('unknown operating system or architecture');
  }
  if (parts.length === 2) return normalizePlatform({ os: parts[0], architecture: parts[1] });
  return normalizePlatform({ os: parts[0], architecture: parts[1], variant: parts[2] });
}

/** platforms.FormatAll: os/arch[/variant]. */
export function formatPlatform(p: Platform): string {
  return [p.os || 'unknown', p.architecture || 'unknown', ...(p.variant ? [p.variant] : [])].join('/');
}

const ARM_ORDER = ['v8', 'v7', 'v6', 'v5'];
function amd64Level(v: string): number {
  return v === '' ? 1 : Number(/^v([1-4])$/.exec(v)?.[1] ?? NaN);
}

/**
 * platforms.Only(want): the same OS and architecture, and a variant `want` can run (arm v7
 * runs v6 and v5, amd64 v3 runs v2 and v1; arm64 runs arm v8 and below is not taken here).
 * Returns a rank (lower is better) or -1 when it does not match.
 */
export function platformRank(want: Platform, have: Platform): number {
  const w = normalizePlatform(want);
  const h = normalizePlatform(have);
  if (w.os !== h.os) return -1;
  if (w.architecture !== h.architecture) return -1;
  const wv = w.variant ?? '';
  const hv = h.variant ?? '';
  if (wv === hv) return 0;
  if (w.architecture === 'arm') {
    const wi = ARM_ORDER.indexOf(wv);
    const hi = ARM_ORDER.indexOf(hv);
    return wi >= 0 && hi > wi ? hi - wi : -1;
  }
  if (w.architecture === 'amd64') {
    const wl = amd64Level(wv);
    const hl = amd64Level(hv);
    return hl <= wl ? wl - hl : -1;
  }
  if (wv === '' || hv === '') return wv === '' && hv !== '' ? -1 : 1;
  return -1;
}

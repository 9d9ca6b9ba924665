// Platforms (os/arch/variant) for FROM --platform, the build's `platform` and BuildKit's
// automatic platform ARGs (TARGETPLATFORM, TARGETOS, ..., BUILDPLATFORM, ...).
import { badDockerfile } from './errors.ts';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const NODE_ARCH: Record<string, Platform> = {
  x64: { os: 'linux', architecture: 'amd64' },
  arm64: { os: 'linux', architecture: 'arm64' },
  arm: { os: 'linux', architecture: 'arm', variant: 'v7' },
  ia32: { os: 'linux', architecture: '386' },
  ppc64: { os: 'linux', architecture: 'ppc64le' },
  s390x: { os: 'linux', architecture: 's390x' },
  riscv64: { os: 'linux', architecture: 'riscv64' },
};

/** The daemon's own platform. */
export function hostPlatform(): Platform {
  return NODE_ARCH[process.arch] ?? { os: 'linux', architecture: process.arch };
}

const ARCH_ALIASES: Record<string, Platform> = {
  x86_64: { os: '', architecture: 'amd64' },
  'x86-64': { os: '', architecture: 'amd64' },
  aarch64: { os: '', architecture: 'arm64' },
  armhf: { os: '', architecture: 'arm', variant: 'v7' },
  armel: { os: '', architecture: 'arm', variant: 'v6' },
  i386: { os: '', architecture: '386' },
};

/** containerd platforms.Parse, for the forms people write: linux, linux/amd64, linux/arm/v7, amd64. */
export function parsePlatform(spec: string): Platform {
  const parts = spec.toLowerCase().split('/');
  if (parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]+$/.test(p))) {
    throw badDockerfile(`failed to parse platform ${spec}: "${spec}": unknown operating system or architecture: invalid argument`);
  }
  const host = hostPlatform();
  if (parts.length === 1) {
    if (parts[0] === 'linux') return { ...host };
    const a = ARCH_ALIASES[parts[0]];
    return a ? { ...a, os: 'linux' } : { os: 'linux', architecture: parts[0] };
  }
  const os = parts[0];
  const alias = ARCH_ALIASES[parts[1]];
  let architecture = alias?.architecture ?? parts[1];
  let variant: string | undefined = parts[2] ?? alias?.variant;
  if (architecture === 'arm64' && variant === 'v8') variant = undefined;
  if (architecture === 'arm' && !variant) variant = 'v7';
  if (architecture === 'amd64' && variant === 'v1') variant = undefined;
  architecture ||= host.architecture;
  return variant ? { os, architecture, variant } : { os, architecture };
}

function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, ...(p.variant ? [p.variant] : [])].join('/');
}

/** BuildKit's automatic ARGs for a target and the build platform. */
export function platformArgs(target: Platform, build: Platform): Record<string, string> {
  return {
    TARGETPLATFORM: formatPlatform(target),
    TARGETOS: target.os,
    TARGETARCH: target.architecture,
    TARGETVARIANT: target.variant ?? '',
    BUILDPLATFORM: formatPlatform(build),
    BUILDOS: build.os,
    BUILDARCH: build.architecture,
    BUILDVARIANT: build.variant ?? '',
  };
}

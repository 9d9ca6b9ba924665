// The container's mounts: the kernel filesystems every container gets, the mounts the caller
// asks for (binds, tmpfs, later volumes), and their final order. Options that add mounts
// push to ctx.userMounts; withMountOrder, applied last, lets them replace defaults at the same
// path and places them after the defaults, parents before children.
import { invalidParameter } from '../../common/index.ts';
import { DEFAULT_SHM_SIZE } from '../defaults.ts';
import { cleanPath } from './clean-path.ts';
import type { SpecMount, SpecOpt } from './types.ts';

/** A mount the caller resolved: copied into the spec as given. */
export interface MountSpec {
  source: string;
  destination: string;
  type: string;
  options: string[];
}

function defaultMounts(shmSize: number): SpecMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSize}`],
    },
  ];
}

/** /proc, /dev, /sys, cgroups, mqueue and /dev/shm of the given size (0: Docker's 64 MiB). */
export function withDefaultMounts(shmSize = 0): SpecOpt {
  return (spec) => {
    spec.mounts = defaultMounts(shmSize > 0 ? shmSize : DEFAULT_SHM_SIZE);
  };
}

function checkMount(m: MountSpec): void {
  if (!m || typeof m.destination !== 'string' || !m.destination.startsWith('/')) {
    throw invalidParameter(`invalid mount destination: ${String(m?.destination)}`);
  }
  if (
    typeof m.source !== 'string' ||
    typeof m.type !== 'string' ||
    !Array.isArray(m.options) ||
    !m.options.every((o) => typeof o === 'string')
  ) {
    throw invalidParameter(`invalid mount for ${m.destination}`);
  }
}

/** Mounts the caller asked for, in its order (a later option's mount at the same path is skipped). */
export function withUserMounts(mounts: readonly MountSpec[]): SpecOpt {
  return (_spec, ctx) => {
    for (const m of mounts) {
      checkMount(m);
      ctx.userMounts.push({ destination: m.destination, type: m.type, source: m.source, options: [...m.options] });
    }
  };
}

/** Adds a mount unless the caller already mounts something at its destination. */
export function addUserMountUnlessTaken(ctx: { userMounts: SpecMount[] }, m: SpecMount): void {
  if (!ctx.userMounts.some((u) => u.destination === m.destination)) ctx.userMounts.push(m);
}

const depth = (dest: string) => (cleanPath(dest).match(/\//g) ?? []).length;

/**
 * Last option: defaults replaced by a user mount at the same path are dropped (all of /dev/*
 * when the user mounts /dev), then the user mounts follow, sorted by depth, stable.
 */
export function withMountOrder(): SpecOpt {
  return (spec, ctx) => {
    const userDest = new Set(ctx.userMounts.map((m) => cleanPath(m.destination)));
    const userDev = userDest.has('/dev');
    spec.mounts = spec.mounts.filter((m) => !userDest.has(m.destination) && !(userDev && m.destination.startsWith('/dev/')));
    const sorted = ctx.userMounts.map((m, i) => ({ m, i, d: depth(m.destination) }));
    sorted.sort((a, b) => a.d - b.d || a.i - b.i);
    spec.mounts.push(...sorted.map((s) => s.m));
  };
}

// /dev/shm by IPC mode: the host's /dev/shm with the host IPC namespace, none with 'none'.
import { addUserMountUnlessTaken } from './mounts.ts';
import type { SpecOpt } from './types.ts';

export type IpcShm = 'private' | 'host' | 'none';

/** Apply after the default mounts and the caller's mounts. */
export function withIpcShm(mode: IpcShm): SpecOpt {
  return (spec, ctx) => {
    if (mode === 'host') {
      addUserMountUnlessTaken(ctx, { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] });
    } else if (mode === 'none') {
      spec.mounts = spec.mounts.filter((m) => m.destination !== '/dev/shm');
    }
  };
}

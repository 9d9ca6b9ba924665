// The per-container /etc/hosts, /etc/hostname and /etc/resolv.conf, bind-mounted from the
// container's directory unless the caller mounts its own.
import { invalidParameter } from '../../common/index.ts';
import { addUserMountUnlessTaken } from './mounts.ts';
import type { SpecOpt } from './types.ts';

/** Host paths of the files. */
export interface EtcFiles {
  hosts?: string;
  hostname?: string;
  resolvConf?: string;
}

export function withEtcFiles(files: EtcFiles, readonlyRootfs = false): SpecOpt {
  return (_spec, ctx) => {
    const etc: [string | undefined, string][] = [
      [files.resolvConf, '/etc/resolv.conf'],
      [files.hostname, '/etc/hostname'],
      [files.hosts, '/etc/hosts'],
    ];
    for (const [source, destination] of etc) {
      if (!source || ctx.userMounts.some((m) => m.destination === destination)) continue;
      if (!source.startsWith('/')) throw invalidParameter(`invalid path for ${destination}: ${source}`);
      // Docker: writable unless the rootfs is read-only.
      const options = readonlyRootfs ? ['rbind', 'ro', 'rprivate'] : ['rbind', 'rprivate'];
      addUserMountUnlessTaken(ctx, { destination, type: 'bind', source, options });
    }
  };
}

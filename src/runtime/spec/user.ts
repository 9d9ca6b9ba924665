// The user the container's process runs as (resolved in the rootfs by ../user.ts).
import type { ResolvedUser } from '../user.ts';
import type { SpecOpt } from './types.ts';

const ROOT_USER: ResolvedUser = { uid: 0, gid: 0, additionalGids: [0], home: '' };

export function withUser(user: ResolvedUser = ROOT_USER): SpecOpt {
  return (spec) => {
    spec.process.user = { uid: user.uid, gid: user.gid, additionalGids: [...user.additionalGids] };
  };
}

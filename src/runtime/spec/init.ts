// --init: a small init (tini) as PID 1 that reaps zombies and forwards signals.
import { DEFAULT_INIT_PATH, IN_CONTAINER_INIT_PATH } from '../defaults.ts';
import type { SpecOpt } from './types.ts';

/** Wraps the command in the init and bind-mounts the host's init binary read-only. */
export function withInit(hostPath: string = DEFAULT_INIT_PATH): SpecOpt {
  return (spec) => {
    spec.process.args = [IN_CONTAINER_INIT_PATH, '--', ...spec.process.args];
    spec.mounts.push({ destination: IN_CONTAINER_INIT_PATH, type: 'bind', source: hostPath, options: ['bind', 'ro'] });
  };
}

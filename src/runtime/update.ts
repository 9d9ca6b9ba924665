// Changes the cgroup limits of a running container: `runc update --resources -` with the OCI
// LinuxResources on stdin. runc leaves every field that is absent (or zero) as it is.
import { spawn } from 'node:child_process';
import { invalidParameter, systemError } from '../common/index.ts';
import { runcErrorMessage } from './runc.ts';

/** The part of the OCI spec's linux.resources that `update` changes. */
export interface LinuxResourcesUpdate {
  memory?: { limit?: number; reservation?: number; swap?: number };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
  blockIO?: { weight?: number };
}

const ID_RE = /^[\w+.-]+$/;

export function updateResources(runc: { path: string; root?: string }, id: string, resources: LinuxResourcesUpdate): Promise<void> {
  if (!ID_RE.test(id) || id.startsWith('-')) throw invalidParameter(`invalid container id: ${JSON.stringify(id)}`);
  const argv = [...(runc.root !== undefined ? ['--root', runc.root] : []), '--log-format', 'json', 'update', '--resources', '-', id];
  return new Promise((resolve, reject) => {
    const child = spawn(runc.path, argv, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      if (stderr.length < 1 << 20) stderr += d;
    });
    child.on('error', (err) => reject(systemError(err.message, err)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      reject(systemError(runcErrorMessage(stderr) || `runc update exited with ${code ?? signal}`));
    });
    child.stdin.on('error', () => {}); // runc may exit before reading; its exit status tells why
    child.stdin.end(JSON.stringify(resources));
  });
}

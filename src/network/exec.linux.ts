// Runs the standard tools (ip, iptables) with a batch on stdin: one process per step keeps
// network setup cheap.
import { spawn } from 'node:child_process';
import { systemError } from '../common/index.ts';

export function runTool(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (d) => out.push(d));
    child.stderr!.on('data', (d) => err.push(d));
    child.on('error', (e) => reject(systemError(`${cmd}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString());
      else reject(systemError(`${cmd} ${args.join(' ')} failed: ${Buffer.concat(err).toString().trim() || `exit ${code}`}`));
    });
    if (input !== undefined) {
      child.stdin!.on('error', () => {});
      child.stdin!.end(input);
    }
  });
}

// A private dockerd for the benchmarks: its own data root, exec root, socket, containerd
// namespaces and bridge (made here), no iptables changes; the busybox test image loaded.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BUSYBOX_TAR, run } from '../test/integration/harness.ts';

export interface PrivateDockerd {
  host: string;
  /** dockerd's pid (for its memory figures). */
  pid: number;
  stop(): Promise<void>;
}

/** A private dockerd on its own data root, socket and bridge (made here), no iptables changes. */
export async function startPrivateDockerd(): Promise<PrivateDockerd | undefined> {
  const dockerd = ['/usr/bin/dockerd', '/usr/sbin/dockerd'].find((p) => existsSync(p));
  if (!dockerd) return undefined;
  const dir = await mkdtemp('/tmp/bench-dockerd-');
  const sock = join(dir, 'docker.sock');
  const bridge = `bdk${process.pid % 100000}`;
  const bridgeUp = await run('ip', ['-batch', '-'], { input: `link add ${bridge} type bridge\naddr add 10.218.${process.pid % 250}.1/24 dev ${bridge}\nlink set ${bridge} up\n` });
  if (bridgeUp.code !== 0) throw new Error(`cannot make the dockerd bench bridge: ${bridgeUp.stderr}`);
  await writeFile(join(dir, 'daemon.json'), '{}');
  const proc: ChildProcess = spawn(dockerd, ['--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '-H', `unix://${sock}`,
    '--pidfile', join(dir, 'docker.pid'), '--bridge', bridge, '--iptables=false', '--ip6tables=false', '--config-file', join(dir, 'daemon.json'),
    '--containerd-namespace', `bench${process.pid}`, '--containerd-plugins-namespace', `benchp${process.pid}`], { stdio: 'ignore' });
  const host = `unix://${sock}`;
  for (let i = 0; i < 200; i++) {
    if ((await run('docker', ['-H', host, 'version'], { timeoutMs: 5000 })).code === 0) break;
    await sleep(100);
  }
  const loaded = await run('docker', ['-H', host, 'load', '-i', BUSYBOX_TAR], { timeoutMs: 120_000 });
  if (loaded.code !== 0) throw new Error(`docker load: ${loaded.stderr}`);
  return {
    host,
    pid: proc.pid!,
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      await run('sh', ['-c', `grep -o ' ${dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
      await rm(dir, { recursive: true, force: true });
      await run('ip', ['link', 'del', bridge]);
    },
  };
}


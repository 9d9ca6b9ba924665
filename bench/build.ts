// Build benchmark (issue 12): the same builds through berthd, a private dockerd (classic
// builder: the docker CLI here has no buildx) and Debian's buildah, in the same run:
//   six-step   the 6-step build of bench/ (bench/build/Dockerfile), without cache, then cached
//   stages     two independent 2 s stages and a final one (bench/build/two-stages.Dockerfile)
//   context    a 500 MB / 50,000-file context with a one-file COPY (context transfer and receipt)
// Each figure is the median of ROUNDS runs. Usage: node bench/build.ts [rounds=3] [context MB=500] [files=50000]
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BUSYBOX_TAR, ROOT, run, startDaemonWithBusybox } from '../test/integration/harness.ts';
import { startPrivateDockerd } from './private-dockerd.ts';

const ROUNDS = Number(process.argv[2] ?? 3);
const CONTEXT_MB = Number(process.argv[3] ?? 500);
const CONTEXT_FILES = Number(process.argv[4] ?? 50_000);
const BENCH = join(ROOT, 'bench');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Engine {
  name: string;
  /** Builds and returns the seconds it took; throws when the build fails. */
  build(args: { context: string; dockerfile: string; tag: string; noCache: boolean }): Promise<number>;
  rmi(tag: string): Promise<void>;
  stop(): Promise<void>;
}

async function timed(cmd: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  const start = performance.now();
  const r = await run(cmd, args, { env, timeoutMs: 900_000 });
  const secs = (performance.now() - start) / 1000;
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return secs;
}

function dockerEngine(name: string, host: string, stop: () => Promise<void>): Engine {
  // DOCKER_BUILDKIT=0: the classic POST /build, the only builder this docker CLI can drive.
  const env = { DOCKER_BUILDKIT: '0' };
  return {
    name,
    build: ({ context, dockerfile, tag, noCache }) =>
      timed('docker', ['-H', host, 'build', '-q', '-t', tag, '-f', dockerfile, ...(noCache ? ['--no-cache'] : []), context], env),
    rmi: async (tag) => void (await run('docker', ['-H', host, 'rmi', tag], { timeoutMs: 120_000 })),
    stop,
  };
}

async function buildahEngine(): Promise<Engine | undefined> {
  if ((await run('sh', ['-c', 'command -v buildah'])).code !== 0) return undefined;
  const dir = await mkdtemp('/tmp/bench-buildah-');
  const base = ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--storage-driver', 'overlay'];
  const pulled = await run('buildah', [...base, 'pull', `docker-archive:${BUSYBOX_TAR}`], { timeoutMs: 120_000 });
  if (pulled.code !== 0) throw new Error(`buildah pull: ${pulled.stderr}`);
  return {
    name: 'buildah',
    // --layers: cache every step as dockerd does; chroot isolation and host network need no CNI setup.
    build: ({ context, dockerfile, tag, noCache }) =>
      timed('buildah', [...base, 'bud', '--quiet', '--layers', '--isolation', 'chroot', '--network', 'host', '-t', tag, '-f', dockerfile,
        ...(noCache ? ['--no-cache'] : []), context]),
    rmi: async (tag) => void (await run('buildah', [...base, 'rmi', tag], { timeoutMs: 120_000 })),
    stop: async () => {
      await run('buildah', [...base, 'rm', '--all']);
      await run('sh', ['-c', `grep -o ' ${dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** CONTEXT_FILES files of random bytes, CONTEXT_MB in all, in 100 directories. */
async function makeLargeContext(): Promise<string> {
  const dir = await mkdtemp('/tmp/bench-context-');
  const per = Math.floor((CONTEXT_MB * 1_000_000) / CONTEXT_FILES);
  for (let d = 0; d < 100; d++) await mkdir(join(dir, `d${d}`));
  const chunk = randomBytes(per * 64);
  for (let i = 0; i < CONTEXT_FILES; i++) {
    const off = (i % 64) * per;
    // Distinct bytes per file: the chunk slice plus the file's index.
    await writeFile(join(dir, `d${i % 100}`, `f${i}`), Buffer.concat([Buffer.from(String(i)), chunk.subarray(off, off + per)]));
  }
  await writeFile(join(dir, 'Dockerfile'), 'FROM busybox\nCOPY d0/f0 /f0\n');
  return dir;
}

const berthd = await startDaemonWithBusybox();
const engines: Engine[] = [dockerEngine('berthd', berthd.host, () => berthd.cleanup())];
const dockerd = await startPrivateDockerd();
if (dockerd) engines.push(dockerEngine('dockerd', dockerd.host, () => dockerd.stop()));
else console.log('no dockerd installed');
const buildah = await buildahEngine();
if (buildah) engines.push(buildah);
else console.log('no buildah installed');
const context = await makeLargeContext();
console.log(`large context: ${CONTEXT_FILES} files, ${CONTEXT_MB} MB in ${context}`);

const cases = [
  { name: 'six-step, no cache', context: BENCH, dockerfile: join(BENCH, 'build/Dockerfile'), noCache: true, target: 0.6 },
  { name: 'six-step, cached', context: BENCH, dockerfile: join(BENCH, 'build/Dockerfile'), noCache: false, target: 0.5 },
  { name: 'two 2 s stages', context: join(BENCH, 'build'), dockerfile: join(BENCH, 'build/two-stages.Dockerfile'), noCache: true, target: 0.6 },
  { name: `${CONTEXT_MB} MB context`, context, dockerfile: join(context, 'Dockerfile'), noCache: true, target: 1 },
];
const results: Record<string, Record<string, number>> = {};
try {
  for (const c of cases) {
    results[c.name] = {};
    for (const e of engines) {
      const times: number[] = [];
      // The cached case needs the cache warm: one build first, not timed.
      if (!c.noCache) await e.build({ ...c, tag: 'bench-build', noCache: false });
      for (let i = 0; i < ROUNDS; i++) times.push(await e.build({ ...c, tag: 'bench-build' }));
      results[c.name][e.name] = median(times);
      console.log(`${c.name.padEnd(20)} ${e.name.padEnd(8)} ${times.map((t) => t.toFixed(2)).join(' ')} s  (median ${median(times).toFixed(2)} s)`);
    }
    for (const e of engines) await e.rmi('bench-build');
  }
  console.log('\n| build | berthd | dockerd | buildah | berthd/dockerd | target |\n|---|---|---|---|---|---|');
  for (const c of cases) {
    const r = results[c.name];
    const f = (n?: number) => (n === undefined ? '-' : `${n.toFixed(2)} s`);
    const ratio = r.dockerd ? (r.berthd / r.dockerd).toFixed(2) : '-';
    console.log(`| ${c.name} | ${f(r.berthd)} | ${f(r.dockerd)} | ${f(r.buildah)} | ${ratio} | ≤ ${c.target} |`);
  }
} finally {
  for (const e of engines) await e.stop().catch((err) => console.error(`${e.name} stop: ${err}`));
  await rm(context, { recursive: true, force: true });
}

// docker cp benchmark (issue 9): a 200 MB tree of small and large files copied into and out of a
// running container through the real docker CLI, against a private berthd and, when
// BENCH_DOCKER_HOST names one, a dockerd (never started here). Prints the medians, the ratios,
// and berthd's peak RSS (VmHWM) before and after, to show that memory stays bounded.
//   node bench/cp.ts [--runs N]
import { mkdir, mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { run, startDaemonWithBusybox } from '../test/integration/harness.ts';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function makeTree(dir: string): Promise<number> {
  let total = 0;
  await mkdir(join(dir, 'large'), { recursive: true });
  for (let i = 0; i < 4; i++) {
    const b = randomBytes(40 << 20);
    await writeFile(join(dir, 'large', `f${i}`), b);
    total += b.length;
  }
  for (let d = 0; d < 40; d++) {
    await mkdir(join(dir, 'small', `d${d}`), { recursive: true });
    for (let i = 0; i < 100; i++) {
      const b = randomBytes(10_000);
      await writeFile(join(dir, 'small', `d${d}`, `f${i}`), b);
      total += b.length;
    }
  }
  return total;
}

async function must(host: string, args: string[]): Promise<void> {
  const r = await run('docker', ['-H', host, ...args], { timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function measure(host: string, tree: string, out: string): Promise<{ into: number; outOf: number }> {
  const name = `bench-cp-${process.pid}`;
  await must(host, ['run', '-d', '--name', name, 'busybox', 'sleep', '3600']);
  const into: number[] = [];
  const outOf: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      into.push(await timed(() => must(host, ['cp', tree, `${name}:/tree${i}`])));
      await rm(out, { recursive: true, force: true });
      outOf.push(await timed(() => must(host, ['cp', `${name}:/tree${i}`, out])));
      await must(host, ['exec', name, 'rm', '-rf', `/tree${i}`]);
    }
  } finally {
    await run('docker', ['-H', host, 'rm', '-f', name]);
  }
  return { into: median(into), outOf: median(outOf) };
}

const hwm = async (pid: number | undefined) => (pid ? /VmHWM:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] : undefined);

const work = await mkdtemp('/tmp/bench-cp-');
const d = await startDaemonWithBusybox();
try {
  const tree = join(work, 'tree');
  const bytes = await makeTree(tree);
  console.log(`tree: ${(bytes / 1e6).toFixed(0)} MB (4 x 40 MiB, 4000 x 10 kB), ${runs} runs, medians`);
  const before = await hwm(d.pid);
  const berth = await measure(d.host, tree, join(work, 'out'));
  console.log(`berthd   cp in ${berth.into.toFixed(0)} ms   cp out ${berth.outOf.toFixed(0)} ms   peak RSS ${before} kB -> ${await hwm(d.pid)} kB`);
  const dockerHost = process.env.BENCH_DOCKER_HOST;
  if (dockerHost) {
    const docker = await measure(dockerHost, tree, join(work, 'out'));
    console.log(`dockerd  cp in ${docker.into.toFixed(0)} ms   cp out ${docker.outOf.toFixed(0)} ms`);
    console.log(`ratio    cp in ${(berth.into / docker.into).toFixed(2)}x   cp out ${(berth.outOf / docker.outOf).toFixed(2)}x (target <= 0.7)`);
  } else {
    console.log('dockerd  (set BENCH_DOCKER_HOST to compare with a running dockerd)');
  }
} finally {
  await d.cleanup();
  await rm(work, { recursive: true, force: true });
}

// Container filesystem benchmark: `docker cp` of a 200 MB tree of small and large files into and
// out of a container, `docker export` of a container holding those 200 MB, and `docker commit` of
// a container with 200 MB of changes, through the real docker CLI, against a private berthd and
// (when installed) a private dockerd in the same run. Prints medians, the berthd/dockerd ratios,
// and each daemon's RSS at start and its peak (VmHWM, reset before each operation) during each
// operation: a streaming daemon's peak stays far below the 200 MB it moves. Asserts nothing.
//   node bench/fs.ts [--runs N] [--mb SIZE]
import { randomFillSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, startDaemonWithBusybox } from '../test/integration/harness.ts';
import { startPrivateDockerd } from './private-dockerd.ts';

const arg = (name: string, dflt: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : dflt);
const runs = arg('--runs', 3);
const totalMb = arg('--mb', 200);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function sh(host: string, script: string): Promise<string> {
  const r = await run('sh', ['-c', script], { env: { DOCKER_HOST: host }, timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`${script}: ${r.stderr}`);
  return r.stdout;
}

/**
 * The tree: 90% in 9 large files, 10% in 2000 small files (10 KiB on average) over 40
 * directories, random bytes (nothing compresses or deduplicates).
 */
async function makeTree(dir: string): Promise<void> {
  const bytes = totalMb * 1_000_000;
  const large = Math.floor((bytes * 0.9) / 9);
  const chunk = Buffer.alloc(1 << 20);
  await mkdir(join(dir, 'large'), { recursive: true });
  for (let i = 0; i < 9; i++) {
    const parts: Buffer[] = [];
    for (let left = large; left > 0; left -= chunk.length) parts.push(Buffer.from(randomFillSync(chunk).subarray(0, Math.min(left, chunk.length))));
    await writeFile(join(dir, 'large', `blob-${i}.bin`), Buffer.concat(parts));
  }
  const small = Math.floor((bytes * 0.1) / 2000);
  for (let d = 0; d < 40; d++) {
    const sub = join(dir, 'small', `d${d}`);
    await mkdir(sub, { recursive: true });
    for (let f = 0; f < 50; f++) await writeFile(join(sub, `f${f}.dat`), randomFillSync(Buffer.alloc(small / 2 + ((f * 997) % small))));
  }
}

interface Figures {
  cpIn: number;
  cpOut: number;
  export: number;
  commit: number;
}


async function rss(pid: number): Promise<{ nowKb: number; peakKb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return { nowKb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0), peakKb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) };
}

/** Resets the process's peak RSS (VmHWM) to its current RSS (Linux 4.0+: clear_refs 5). */
async function resetPeak(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, '5');
}

/** Medians of each operation, and the daemon's peak RSS during each (the highest over the runs). */
async function measure(host: string, pid: number, tree: string, scratch: string): Promise<{ times: Figures; peaks: Figures }> {
  const f: Record<keyof Figures, number[]> = { cpIn: [], cpOut: [], export: [], commit: [] };
  const peaks: Figures = { cpIn: 0, cpOut: 0, export: 0, commit: 0 };
  const op = async (key: keyof Figures, script: string) => {
    // Each operation starts with nothing dirty in the page cache: the one before does not slow it.
    await run('sync', []);
    await resetPeak(pid);
    f[key].push(await timed(() => sh(host, script)));
    peaks[key] = Math.max(peaks[key], (await rss(pid)).peakKb);
  };
  for (let i = 0; i < runs; i++) {
    const c = `bench-fs-${process.pid}-${i}`;
    await sh(host, `docker run -d --name ${c} busybox sleep 600`);
    await op('cpIn', `docker cp ${tree} ${c}:/data`);
    const out = join(scratch, `out-${i}`);
    await op('cpOut', `docker cp ${c}:/data ${out}`);
    await rm(out, { recursive: true, force: true });
    // The container's layer now holds the 200 MB: export it whole, then commit it.
    await op('export', `docker export ${c} > /dev/null`);
    await op('commit', `docker commit ${c} bench-fs:${i}`);
    await sh(host, `docker rm -f ${c} >/dev/null && docker rmi bench-fs:${i} >/dev/null`);
  }
  return { times: { cpIn: median(f.cpIn), cpOut: median(f.cpOut), export: median(f.export), commit: median(f.commit) }, peaks };
}

const scratch = await mkdtemp('/tmp/bench-fs-');
try {
  const tree = join(scratch, 'tree');
  await makeTree(tree);

  const berth = await startDaemonWithBusybox();
  let b: { times: Figures; peaks: Figures };
  let bIdle: number;
  try {
    bIdle = (await rss(berth.pid!)).nowKb;
    b = await measure(berth.host, berth.pid!, tree, scratch);
  } finally {
    await berth.cleanup();
  }

  const dockerd = await startPrivateDockerd().catch((err) => {
    console.log(`(no dockerd comparison: ${(err as Error).message})`);
    return undefined;
  });
  let d: { times: Figures; peaks: Figures } | undefined;
  let dIdle = 0;
  if (dockerd) {
    try {
      dIdle = (await rss(dockerd.pid)).nowKb;
      d = await measure(dockerd.host, dockerd.pid, tree, scratch);
    } finally {
      await dockerd.stop();
    }
  }

  const cell = (v: number) => `${(v / 1000).toFixed(2).padStart(6)} s`;
  const mb = (kb: number) => `${(kb / 1024).toFixed(0).padStart(4)} MB`;
  const row = (label: string, key: keyof Figures) =>
    console.log(`${label.padEnd(40)} berthd ${cell(b.times[key])} (peak RSS ${mb(b.peaks[key])})` +
      (d ? `   dockerd ${cell(d.times[key])} (peak RSS ${mb(d.peaks[key])})   ratio ${(b.times[key] / d.times[key]).toFixed(2)}` : ''));
  console.log(`median of ${runs} runs, ${totalMb} MB (9 large files, 2000 small ones), through the docker CLI`);
  row(`cp ${totalMb} MB tree into a running container`, 'cpIn');
  row(`cp ${totalMb} MB tree out of it`, 'cpOut');
  row(`export of the container (${totalMb} MB)`, 'export');
  row(`commit of ${totalMb} MB of changes`, 'commit');
  console.log(`RSS at start: berthd ${mb(bIdle)}` + (d ? `, dockerd ${mb(dIdle)}` : '') + ' (dockerd\'s containerd and shims not counted)');
} finally {
  await rm(scratch, { recursive: true, force: true });
}

// Container filesystem benchmark: `docker cp` of a 200 MB tree of small and large files into and
// out of a container, `docker export` of a container holding those 200 MB, and `docker commit` of
// a container with 200 MB of changes, through the real docker CLI, against a private berthd and
// (when installed) a private dockerd in the same run. Prints medians, the berthd/dockerd ratios,
// and each daemon's RSS at idle and its peak (VmHWM) after the runs: a streaming daemon's peak
// stays far below the 200 MB it moved. Asserts nothing.
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

async function measure(host: string, tree: string, scratch: string): Promise<Figures> {
  const f: Record<keyof Figures, number[]> = { cpIn: [], cpOut: [], export: [], commit: [] };
  for (let i = 0; i < runs; i++) {
    const c = `bench-fs-${process.pid}-${i}`;
    await sh(host, `docker run -d --name ${c} busybox sleep 600`);
    f.cpIn.push(await timed(() => sh(host, `docker cp ${tree} ${c}:/data`)));
    const out = join(scratch, `out-${i}`);
    f.cpOut.push(await timed(() => sh(host, `docker cp ${c}:/data ${out}`)));
    await rm(out, { recursive: true, force: true });
    // The container's layer now holds the 200 MB: export it whole, then commit it.
    f.export.push(await timed(() => sh(host, `docker export ${c} > /dev/null`)));
    f.commit.push(await timed(() => sh(host, `docker commit ${c} bench-fs:${i}`)));
    await sh(host, `docker rm -f ${c} >/dev/null && docker rmi bench-fs:${i} >/dev/null`);
  }
  return { cpIn: median(f.cpIn), cpOut: median(f.cpOut), export: median(f.export), commit: median(f.commit) };
}

const scratch = await mkdtemp('/tmp/bench-fs-');
try {
  const tree = join(scratch, 'tree');
  await makeTree(tree);

  const berth = await startDaemonWithBusybox();
  let b: Figures;
  let bMem: { idle: number; peak: number };
  try {
    const idle = (await rss(berth.pid!)).nowKb;
    b = await measure(berth.host, tree, scratch);
    bMem = { idle, peak: (await rss(berth.pid!)).peakKb };
  } finally {
    await berth.cleanup();
  }

  const dockerd = await startPrivateDockerd().catch((err) => {
    console.log(`(no dockerd comparison: ${(err as Error).message})`);
    return undefined;
  });
  let d: Figures | undefined;
  let dMem: { idle: number; peak: number } | undefined;
  if (dockerd) {
    try {
      const idle = (await rss(dockerd.pid)).nowKb;
      d = await measure(dockerd.host, tree, scratch);
      dMem = { idle, peak: (await rss(dockerd.pid)).peakKb };
    } finally {
      await dockerd.stop();
    }
  }

  const cell = (v: number) => `${(v / 1000).toFixed(2).padStart(6)} s`;
  const row = (label: string, key: keyof Figures) =>
    console.log(`${label.padEnd(40)} berthd ${cell(b[key])}` + (d ? `   dockerd ${cell(d[key])}   ratio ${(b[key] / d[key]).toFixed(2)}` : ''));
  console.log(`median of ${runs} runs, ${totalMb} MB (9 large files, 2000 small ones), through the docker CLI`);
  row(`cp ${totalMb} MB tree into a running container`, 'cpIn');
  row(`cp ${totalMb} MB tree out of it`, 'cpOut');
  row(`export of the container (${totalMb} MB)`, 'export');
  row(`commit of ${totalMb} MB of changes`, 'commit');
  const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
  console.log(`berthd RSS idle ${mb(bMem.idle)}, peak ${mb(bMem.peak)}` + (dMem ? `; dockerd RSS idle ${mb(dMem.idle)}, peak ${mb(dMem.peak)}` : ''));
} finally {
  await rm(scratch, { recursive: true, force: true });
}

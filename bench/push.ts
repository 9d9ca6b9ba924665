// Push of a 10-layer image (300 MB by default) to Debian's docker-registry on loopback (issue
// 11): berthd beside a private dockerd in the same run, the same registry, each engine into its
// own repositories. For each engine and round:
//   cold  `docker push` of the freshly loaded image (layers as loaded: both engines gzip them;
//         berth keeps the gzipped blobs, dockerd does not)
//   warm  the same image again to a new tag of a new repository on the same registry: dockerd
//         gzips again and mounts what its metadata knows; berth mounts from the first repository
//   again `docker push` of the cold tag once more: every layer "already exists"
// Each layer is 1/2 random bytes and 1/2 repetitive text, so gzip has work to do on half of it.
// Prints figures and berth/dockerd ratios; asserts nothing.
//   node bench/push.ts [--mb 300] [--layers 10] [--runs 1] [--no-dockerd]
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, run, startDaemonWithBusybox } from '../test/integration/harness.ts';
import { startPrivateDockerd } from './private-dockerd.ts';
import { singleFileTar } from './registry-image.ts';

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const MB = Number(argValue('--mb') ?? 300);
const LAYERS = Number(argValue('--layers') ?? 10);
const RUNS = Number(argValue('--runs') ?? 1);
const WITH_DOCKERD = !process.argv.includes('--no-dockerd');

/** A tar header (ustar) for a regular file of the `docker load` archive. */
function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('14000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

/** One layer tar in memory (dist-pull's single-file tar): half random, half repetitive bytes. */
function layerTar(i: number, bytes: number): Buffer {
  const half = Math.floor(bytes / 2);
  const text = Buffer.alloc(bytes - half, `layer ${i}: the quick brown fox jumps over the lazy dog\n`);
  return singleFileTar(`data/layer-${i}.bin`, Buffer.concat([randomBytes(half), text]));
}

/** A `docker load` archive of a LAYERS-layer image tagged `tag`. */
async function makeImage(dir: string, tag: string): Promise<string> {
  const out = join(dir, 'image.tar');
  const files: { name: string; data: Buffer }[] = [];
  const diffIds: string[] = [];
  const layerNames: string[] = [];
  for (let i = 0; i < LAYERS; i++) {
    const tar = layerTar(i, Math.floor((MB * 1_000_000) / LAYERS));
    const hex = createHash('sha256').update(tar).digest('hex');
    diffIds.push(`sha256:${hex}`);
    layerNames.push(`${hex}/layer.tar`);
    files.push({ name: `${hex}/layer.tar`, data: tar });
  }
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2026-01-01T00:00:00Z',
    config: { Cmd: ['/bin/sh'] }, rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map(() => ({ created: '2026-01-01T00:00:00Z', created_by: 'bench' })),
  }));
  const configHex = createHash('sha256').update(config).digest('hex');
  files.push({ name: `${configHex}.json`, data: config });
  files.push({ name: 'manifest.json', data: Buffer.from(JSON.stringify([{ Config: `${configHex}.json`, RepoTags: [tag], Layers: layerNames }])) });
  const ws = createWriteStream(out);
  for (const f of files) {
    ws.write(tarHeader(f.name, f.data.length));
    ws.write(f.data);
    ws.write(Buffer.alloc((512 - (f.data.length % 512)) % 512));
  }
  ws.end(Buffer.alloc(1024));
  await new Promise<void>((r) => ws.once('close', () => r()));
  return out;
}

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function startRegistry(root: string): Promise<{ proc: ChildProcess; host: string }> {
  const port = await freePort();
  const config = join(root, 'config.yml');
  await writeFile(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(root, 'data')}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const proc = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if ((await status(`http://127.0.0.1:${port}/v2/`)) === 200) return { proc, host: `127.0.0.1:${port}` };
    await sleep(50);
  }
  proc.kill('SIGKILL');
  throw new Error('docker-registry did not start');
}

/** utime + stime of a process and its threads, in seconds. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** Resets the kernel's peak-RSS mark of a process (writing 5 to clear_refs). */
async function resetPeak(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => {});
}

async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1024;
}

async function timed(host: string, args: string[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await run('docker', ['-H', host, ...args], { timeoutMs: 1_800_000 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return s;
}

const tmp = await mkdtemp('/tmp/bench-push-');
await mkdir(join(tmp, 'registry'));
const registry = await startRegistry(join(tmp, 'registry'));
const berth = await startDaemonWithBusybox();
const dockerd = WITH_DOCKERD ? await startPrivateDockerd() : undefined;
const results: Record<string, Record<string, number[]>> = {};
try {
  const berthPid = Number((await readFile(join(berth.dir, 'berthd.pid'), 'utf8')).trim());
  const engines: [string, string, number][] = [['berthd', berth.host, berthPid]];
  if (dockerd) engines.push(['dockerd', dockerd.host, dockerd.pid]);
  for (const [name] of engines) results[name] = { cold: [], warm: [], again: [], coldCpu: [], peakMb: [] };
  for (let round = 0; round < RUNS; round++) {
    // New random layers each round: nothing of an earlier round is in the registry or known.
    console.log(`round ${round + 1}: making a ${LAYERS}-layer image of ${MB} MB ...`);
    const tag = `bench/push:r${round}`;
    const archive = await makeImage(tmp, tag);
    for (const [name, host, pid] of engines) {
      await timed(host, ['load', '-i', archive]);
      const repo = `${registry.host}/${name}-r${round}`;
      await timed(host, ['tag', tag, `${repo}:cold`]);
      await resetPeak(pid);
      const cpu0 = await cpuSeconds(pid);
      results[name]!.cold!.push(await timed(host, ['push', `${repo}:cold`]));
      results[name]!.coldCpu!.push((await cpuSeconds(pid)) - cpu0);
      results[name]!.peakMb!.push(await peakRssMb(pid));
      console.log(`  ${name} cold push ${results[name]!.cold!.at(-1)!.toFixed(2)} s, daemon CPU ${results[name]!.coldCpu!.at(-1)!.toFixed(2)} s, peak RSS ${results[name]!.peakMb!.at(-1)!.toFixed(0)} MB`);
      await timed(host, ['tag', tag, `${repo}-warm:warm`]);
      results[name]!.warm!.push(await timed(host, ['push', `${repo}-warm:warm`]));
      results[name]!.again!.push(await timed(host, ['push', `${repo}:cold`]));
      await timed(host, ['rmi', '-f', tag, `${repo}:cold`, `${repo}-warm:warm`]);
    }
    await rm(archive, { force: true });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`\npush of ${MB} MB in ${LAYERS} layers to docker-registry on loopback (median of ${RUNS}, seconds)`);
  console.log('step     berthd    dockerd   berth/dockerd   (coldCpu: the daemon\'s CPU seconds during the cold push; peakMb: its peak RSS then)');
  for (const step of ['cold', 'warm', 'again', 'coldCpu', 'peakMb']) {
    const b = median(results.berthd![step]!);
    const d = results.dockerd ? median(results.dockerd[step]!) : NaN;
    console.log(`${step.padEnd(7)}  ${b.toFixed(2).padStart(7)}  ${Number.isNaN(d) ? '      -' : d.toFixed(2).padStart(7)}   ${Number.isNaN(d) ? '-' : (b / d).toFixed(2)}`);
  }
} finally {
  registry.proc.kill('SIGKILL');
  await berth.cleanup();
  await dockerd?.stop();
  await rm(tmp, { recursive: true, force: true });
}

// berth-registry beside Debian's docker-registry (distribution 2.8) serving pulls (issue 11):
// the same image (10 layers of random bytes, ~300 MB; no compression to muddle the figures)
// is pushed into each by skopeo, then for each registry:
//   blobs   all 10 layers fetched in parallel over HTTP, read to the end (MB/s)
//   skopeo  `skopeo copy docker://... dir:...` of the whole image (it verifies every digest)
// with the server's CPU time during each step. Each step runs --runs times (default 3),
// alternating between the registries; the median is printed, with berth/docker-registry ratios
// (>1 = berth-registry faster). Asserts nothing.
//   node bench/registry-serve.ts [--mb 300] [--layers 10] [--runs 3]
import { mkdtemp, mkdir, rm, writeFile, readFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { run } from '../test/integration/harness.ts';
import { startBerthRegistry, startDockerRegistry, type RunningRegistry } from '../test/integration/registry.test-helpers.ts';

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const MB = Number(argValue('--mb') ?? 300);
const LAYERS = Number(argValue('--layers') ?? 10);
const RUNS = Number(argValue('--runs') ?? 3);

async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

/** Writes an OCI layout with LAYERS random layers of MB/LAYERS MB each; returns the layer digests. */
async function makeImage(dir: string): Promise<string[]> {
  await mkdir(join(dir, 'blobs/sha256'), { recursive: true });
  const per = Math.floor((MB * 1_000_000) / LAYERS);
  const layers: Array<{ digest: string; size: number }> = [];
  for (let i = 0; i < LAYERS; i++) {
    const h = createHash('sha256');
    const tmp = join(dir, `layer-${i}`);
    const out = createWriteStream(tmp);
    for (let left = per; left > 0; ) {
      const chunk = randomBytes(Math.min(left, 1 << 20));
      h.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      left -= chunk.length;
    }
    await new Promise<void>((r) => out.end(() => r()));
    const digest = `sha256:${h.digest('hex')}`;
    await run('mv', [tmp, join(dir, 'blobs/sha256', digest.slice(7))]);
    layers.push({ digest, size: per });
  }
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } }));
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  await writeFile(join(dir, 'blobs/sha256', configDigest.slice(7)), config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: l.digest, size: l.size })),
    }),
  );
  const manifestDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  await writeFile(join(dir, 'blobs/sha256', manifestDigest.slice(7)), manifest);
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }],
    }),
  );
  return layers.map((l) => l.digest);
}

async function must(p: Promise<{ code: number; stderr: string }>, what: string): Promise<void> {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what}: ${r.stderr}`);
}

/** Fetches every layer in parallel and reads it to the end; returns seconds. */
async function parallelBlobs(reg: RunningRegistry, layers: string[]): Promise<number> {
  const start = performance.now();
  let total = 0;
  await Promise.all(
    layers.map(
      (d) =>
        new Promise<void>((resolve, reject) => {
          // node:http rather than fetch: the lighter client, so that the server is what is measured.
          httpGet(`${reg.url}/v2/bench/image/blobs/${d}`, (res) => {
            if (res.statusCode !== 200) reject(new Error(`GET ${d}: ${res.statusCode}`));
            res.on('data', (c: Buffer) => (total += c.length));
            res.on('end', resolve);
            res.on('error', reject);
          }).on('error', reject);
        }),
    ),
  );
  const secs = (performance.now() - start) / 1000;
  if (total !== Math.floor((MB * 1_000_000) / LAYERS) * LAYERS) throw new Error(`read ${total} bytes`);
  return secs;
}

async function skopeoOut(reg: RunningRegistry, dir: string): Promise<number> {
  const out = join(dir, `out-${Date.now()}`);
  const start = performance.now();
  await must(run('skopeo', ['copy', '--src-tls-verify=false', `docker://${reg.host}/bench/image:latest`, `dir:${out}`], { timeoutMs: 600_000 }), 'skopeo copy out');
  const secs = (performance.now() - start) / 1000;
  await rm(out, { recursive: true, force: true });
  return secs;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-bench-registry-'));
  const regs: RunningRegistry[] = [];
  try {
    const image = join(dir, 'image');
    const layers = await makeImage(image);
    const cfg = join(dir, 'berth.yml');
    await writeFile(cfg, `version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'berth-root')}\nhttp:\n  addr: 127.0.0.1:0\n`);
    const berth = await startBerthRegistry(['--config', cfg]);
    regs.push(berth);
    await mkdir(join(dir, 'docker-root'));
    const docker = await startDockerRegistry(dir, join(dir, 'docker-root'));
    regs.push(docker);
    const targets: Array<[string, RunningRegistry]> = [
      ['berth-registry', berth],
      ['docker-registry', docker],
    ];
    const push: Record<string, number> = {};
    for (const [label, reg] of targets) {
      const start = performance.now();
      await must(run('skopeo', ['copy', '--preserve-digests', '--dest-tls-verify=false', `oci:${image}:latest`, `docker://${reg.host}/bench/image:latest`], { timeoutMs: 600_000 }), `push to ${label}`);
      push[label] = (performance.now() - start) / 1000;
    }
    const results: Record<string, { blobs: number[]; skopeo: number[]; blobsCpu: number[]; skopeoCpu: number[] }> = {};
    for (const [label] of targets) results[label] = { blobs: [], skopeo: [], blobsCpu: [], skopeoCpu: [] };
    // One unmeasured round each: page cache, JIT and connection set-up alike for both.
    for (const [, reg] of targets) await parallelBlobs(reg, layers);
    for (let i = 0; i < RUNS; i++) {
      for (const [label, reg] of i % 2 === 0 ? targets : [...targets].reverse()) {
        const pid = reg.proc.pid!;
        let cpu = await cpuMs(pid);
        results[label].blobs.push(await parallelBlobs(reg, layers));
        results[label].blobsCpu.push((await cpuMs(pid)) - cpu);
        cpu = await cpuMs(pid);
        results[label].skopeo.push(await skopeoOut(reg, dir));
        results[label].skopeoCpu.push((await cpuMs(pid)) - cpu);
      }
    }
    const mb = (Math.floor((MB * 1_000_000) / LAYERS) * LAYERS) / 1_000_000;
    console.log(`image: ${LAYERS} layers, ${mb} MB of random bytes; ${RUNS} runs, medians`);
    console.log(`${'registry'.padEnd(16)} ${'push s'.padStart(7)} ${'blobs MB/s'.padStart(11)} ${'cpu ms'.padStart(7)} ${'skopeo s'.padStart(9)} ${'cpu ms'.padStart(7)}`);
    for (const [label] of targets) {
      const r = results[label];
      console.log(
        `${label.padEnd(16)} ${push[label].toFixed(2).padStart(7)} ${(mb / median(r.blobs)).toFixed(0).padStart(11)} ${median(r.blobsCpu).toFixed(0).padStart(7)} ${median(r.skopeo).toFixed(2).padStart(9)} ${median(r.skopeoCpu).toFixed(0).padStart(7)}`,
      );
    }
    const b = results['berth-registry'];
    const d = results['docker-registry'];
    console.log(`ratio (docker-registry time / berth-registry time, >1 = berth faster): blobs ${(median(d.blobs) / median(b.blobs)).toFixed(2)}, skopeo copy ${(median(d.skopeo) / median(b.skopeo)).toFixed(2)}, push ${(push['docker-registry'] / push['berth-registry']).toFixed(2)}`);
  } finally {
    for (const r of regs) await r.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

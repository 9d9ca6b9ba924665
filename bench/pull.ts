// Pull benchmark: a 300 MB image of 10 random-data layers in Debian's docker-registry on
// loopback, pulled by berthd and by a private dockerd in the same run (both with the docker
// CLI, the image removed between rounds), alternating engines. Prints each round, the
// medians and the ratio. Usage: node bench/pull.ts [rounds=3] [total MB=300] [layers=10]
import { performance } from 'node:perf_hooks';
import { run, startDaemon } from '../test/integration/harness.ts';
import { startRegistry } from '../test/integration/distribution.test-helpers.ts';
import { startPrivateDockerd } from './private-dockerd.ts';
import { pushRandomImage } from './registry-image.ts';

const ROUNDS = Number(process.argv[2] ?? 3);
const TOTAL_MB = Number(process.argv[3] ?? 300);
const LAYERS = Number(process.argv[4] ?? 10);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const reg = await startRegistry();
const berthd = await startDaemon();
const dockerd = await startPrivateDockerd();
try {
  const t0 = performance.now();
  const img = await pushRandomImage({ addr: reg.addr }, 'bench/pull', 'big', TOTAL_MB * 1_000_000, LAYERS);
  const compressed = img.layers.reduce((n, l) => n + l.size, 0);
  console.log(`image ${reg.addr}/bench/pull:big: ${LAYERS} layers, ${(compressed / 1e6).toFixed(1)} MB compressed, pushed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const ref = `${reg.addr}/bench/pull:big`;
  const engines: [string, string][] = [['berthd', berthd.host]];
  if (dockerd) engines.push(['dockerd', dockerd.host]);
  else console.log('no dockerd installed: berthd only');
  const times: Record<string, number[]> = { berthd: [], dockerd: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? engines : [...engines].reverse();
    for (const [name, host] of order) {
      const start = performance.now();
      const r = await run('docker', ['-H', host, 'pull', '-q', ref], { timeoutMs: 600_000 });
      const secs = (performance.now() - start) / 1000;
      if (r.code !== 0) throw new Error(`${name} pull failed: ${r.stderr}`);
      times[name].push(secs);
      const rm = await run('docker', ['-H', host, 'rmi', ref], { timeoutMs: 120_000 });
      if (rm.code !== 0) throw new Error(`${name} rmi failed: ${rm.stderr}`);
      console.log(`round ${round} ${name.padEnd(7)} ${secs.toFixed(2)} s  ${(compressed / 1e6 / secs).toFixed(0)} MB/s`);
    }
  }
  const b = median(times.berthd);
  console.log(`\nmedian of ${ROUNDS}: berthd ${b.toFixed(2)} s`);
  if (dockerd) {
    const dk = median(times.dockerd);
    console.log(`median of ${ROUNDS}: dockerd ${dk.toFixed(2)} s`);
    console.log(`ratio dockerd/berthd: ${(dk / b).toFixed(2)}x (target >= 1.5x)`);
  }
} finally {
  await dockerd?.stop();
  await berthd.cleanup();
  await reg.stop();
}

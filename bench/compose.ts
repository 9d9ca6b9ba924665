// Compose benchmark (issue 13): `up -d` and `down` of a 10-service project (bench/compose: the
// busybox test image, no build, the default network, published ports and environments, one
// named volume; stop_signal SIGKILL so that `down` times the engine, not a 10 s grace period),
// wall times, median of --runs N, for
//   (a) Debian's docker-compose 1.29 against a private dockerd started here,
//   (b) docker-compose 1.29 against a private berthd,
//   (c) `berth compose up -d` / `berth compose down` against that berthd, when `bin/berth compose
//       version` works (reported as not available otherwise).
// Each round is `up -d` (timed), a check that all 10 containers run, `down` (timed), then the
// project's volume is removed (untimed) so every `up` starts from nothing. One untimed warm-up
// round per engine first. Target: berth compose up -d <= 0.5 x docker-compose 1.29 + dockerd.
//   node bench/compose.ts [--runs N] [--warmup N]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT, run, startDaemonWithBusybox } from '../test/integration/harness.ts';
import { startPrivateDockerd } from './private-dockerd.ts';

const arg = (name: string, dflt: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : dflt);
const RUNS = arg('--runs', 3);
const WARMUP = arg('--warmup', 1);
const PROJECT_FILE = join(ROOT, 'bench/compose/docker-compose.yml');
const PROJECT = 'composebench';
const SERVICES = 10;
const COMPOSE_V1 = '/usr/bin/docker-compose';
const BERTH = join(ROOT, 'bin/berth');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Contender {
  name: string;
  host: string;
  /** The command line of `up -d` and of `down`. */
  up: [string, string[]];
  down: [string, string[]];
}

async function timed(host: string, [cmd, args]: [string, string[]]): Promise<number> {
  const start = performance.now();
  const r = await run(cmd, args, { env: { DOCKER_HOST: host }, timeoutMs: 300_000 });
  const ms = performance.now() - start;
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return ms;
}

async function docker(host: string, args: string[]): Promise<string> {
  const r = await run('docker', ['-H', host, ...args], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** One round: up -d and down timed; in between, every service must be running. */
async function round(c: Contender): Promise<{ up: number; down: number }> {
  const up = await timed(c.host, c.up);
  const running = (await docker(c.host, ['ps', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--filter', 'status=running'])).split('\n').filter(Boolean);
  if (running.length !== SERVICES) throw new Error(`${c.name}: ${running.length} of ${SERVICES} containers running after up -d`);
  const down = await timed(c.host, c.down);
  const left = (await docker(c.host, ['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`])).trim();
  if (left) throw new Error(`${c.name}: containers left after down: ${left}`);
  await docker(c.host, ['volume', 'rm', `${PROJECT}_data`]);
  return { up, down };
}

function composeV1(name: string, host: string): Contender {
  const base = ['-f', PROJECT_FILE, '-p', PROJECT];
  return { name, host, up: [COMPOSE_V1, [...base, 'up', '-d']], down: [COMPOSE_V1, [...base, 'down']] };
}

function berthCompose(host: string): Contender {
  const base = ['-H', host, 'compose', '-f', PROJECT_FILE, '-p', PROJECT];
  return { name: 'berth compose + berthd', host, up: [BERTH, [...base, 'up', '-d']], down: [BERTH, [...base, 'down']] };
}

if (!existsSync(COMPOSE_V1)) throw new Error(`${COMPOSE_V1} is not installed (Debian package docker-compose)`);
const berthd = await startDaemonWithBusybox();
const dockerd = await startPrivateDockerd().catch((err) => {
  console.log(`no private dockerd: ${(err as Error).message}`);
  return undefined;
});
const contenders: Contender[] = [];
const missing: Record<string, string> = {};
if (dockerd) contenders.push(composeV1('docker-compose 1.29 + dockerd', dockerd.host));
else missing['docker-compose 1.29 + dockerd'] = 'no dockerd installed';
contenders.push(composeV1('docker-compose 1.29 + berthd', berthd.host));
const version = await run(BERTH, ['compose', 'version'], { timeoutMs: 30_000 });
if (version.code === 0) contenders.push(berthCompose(berthd.host));
else missing['berth compose + berthd'] = 'not available (`berth compose version` failed)';

const results: Record<string, { up: number[]; down: number[] }> = {};
try {
  for (const c of contenders) {
    for (let i = 0; i < WARMUP; i++) await round(c);
    results[c.name] = { up: [], down: [] };
    for (let i = 0; i < RUNS; i++) {
      const r = await round(c);
      results[c.name].up.push(r.up);
      results[c.name].down.push(r.down);
    }
    const f = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');
    console.log(`${c.name.padEnd(32)} up -d ${f(results[c.name].up)} ms   down ${f(results[c.name].down)} ms`);
  }
  const ref = results['docker-compose 1.29 + dockerd'];
  const cell = (xs: number[] | undefined, refXs: number[] | undefined) => {
    if (!xs) return '-';
    const m = median(xs);
    return refXs ? `${(m / 1000).toFixed(2)} s (${(m / median(refXs)).toFixed(2)}×)` : `${(m / 1000).toFixed(2)} s`;
  };
  console.log(`\n10 services, median of ${RUNS} (ratio to docker-compose 1.29 + dockerd)\n`);
  console.log('| engine | up -d | down |\n|---|---|---|');
  for (const name of ['docker-compose 1.29 + dockerd', 'docker-compose 1.29 + berthd', 'berth compose + berthd']) {
    const r = results[name];
    if (r) console.log(`| ${name} | ${cell(r.up, ref?.up)} | ${cell(r.down, ref?.down)} |`);
    else console.log(`| ${name} | ${missing[name] ?? '-'} | |`);
  }
  const bc = results['berth compose + berthd'];
  if (bc && ref) {
    const ratio = median(bc.up) / median(ref.up);
    console.log(`\ntarget: berth compose up -d <= 0.5 x docker-compose 1.29 + dockerd: ${ratio.toFixed(2)} (${ratio <= 0.5 ? 'met' : 'not met'})`);
  }
} finally {
  // Whatever a failed round left: down -v through the engine that made it.
  for (const c of contenders) await run(COMPOSE_V1, ['-f', PROJECT_FILE, '-p', PROJECT, 'down', '-v'], { env: { DOCKER_HOST: c.host }, timeoutMs: 120_000 });
  await dockerd?.stop().catch((err) => console.error(`dockerd stop: ${err}`));
  await berthd.cleanup();
}

// berth's CLI is a client of the Engine API only: against a real (private) dockerd it must do
// what the docker CLI does there. Each scenario runs through both CLIs against the same dockerd,
// and exit codes, stdout and stderr must agree after normalising only what legitimately differs
// (the program's name, ids and names of objects each CLI made for itself, ticking times).
// Skips when no dockerd is installed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BUSYBOX_TAR, ROOT, run, type RunResult } from './harness.ts';
import { dockerdMissing, freeSubnet, startPrivateDockerd, type PrivateDockerd } from './dockerd.test-helpers.ts';

const missing = dockerdMissing();
let d: PrivateDockerd | undefined;

function berth(args: string[], input?: string): Promise<RunResult> {
  return run(join(ROOT, 'bin/berth'), ['-H', d!.host, ...args], { input });
}

const TIME = /\b(Less than a second|About a minute|About an hour|\d+ (?:seconds?|minutes?|hours?))\b/g;
const IDS = (s: string) => s.replace(/\b[0-9a-f]{64}\b/g, 'ID64').replace(/\b[0-9a-f]{12}\b/g, 'ID12');

interface Compare {
  /** Normalise relative times (and the table padding that moves with them). */
  times?: boolean;
  /** Normalise 64- and 12-hex-digit ids. */
  ids?: boolean;
  /** Compare stdout lines as a set. */
  unordered?: boolean;
  /** Normalise 10.215.X.* (each CLI's network has a subnet of its own). */
  subnets?: boolean;

  input?: string;
}

function clean(r: RunResult, program: string, opts: Compare): RunResult {
  let { stdout, stderr } = r;
  stderr = stderr.replaceAll(program, 'PROGRAM');
  // Objects each CLI made for itself are named `${cli}-...`.
  stdout = stdout.replace(/\b(docker|berth)-/g, 'CLI-');
  stderr = stderr.replace(/\b(docker|berth)-/g, 'CLI-');
  if (opts.times) stdout = stdout.replace(TIME, 'TIME').replace(/ {2,}/g, '  ');
  if (opts.ids) {
    stdout = IDS(stdout);
    stderr = IDS(stderr);
  }
  if (opts.subnets) {
    stdout = stdout.replace(/10\.215\.\d+\./g, '10.215.X.');
    stderr = stderr.replace(/10\.215\.\d+\./g, '10.215.X.');
  }
  if (opts.unordered) stdout = stdout.split('\n').sort().join('\n');
  return { code: r.code, stdout, stderr };
}

/** Runs `args(cli)` through docker, then berth, and asserts the same result; returns berth's. */
async function compare(args: string[] | ((cli: string) => string[]), opts: Compare = {}): Promise<RunResult> {
  const argv = (cli: string) => (typeof args === 'function' ? args(cli) : args);
  const docker = await d!.docker(argv('docker'), { input: opts.input });
  const b = await berth(argv('berth'), opts.input);
  assert.deepEqual(clean(b, 'berth', opts), clean(docker, 'docker', opts), `berth ${argv('berth').join(' ')}`);
  return b;
}

async function ok(r: Promise<RunResult>): Promise<string> {
  const res = await r;
  assert.equal(res.code, 0, res.stderr);
  return res.stdout.trim();
}

before(async () => {
  if (missing) return;
  d = await startPrivateDockerd();
  const loaded = await d!.docker(['load', '-i', BUSYBOX_TAR]);
  assert.equal(loaded.code, 0, loaded.stderr);
});

after(async () => {
  if (!d) return;
  await d.stop();
  assert.deepEqual(await d.leftovers(), [], 'the private dockerd left traces');
});

describe('berth CLI against a real dockerd', { skip: missing ? `skipped: ${missing}` : false }, () => {
  test('version: the Server section is the dockerd\'s', async () => {
    const engine = await ok(d!.docker(['version', '--format', '{{.Server.Version}}']));
    const b = await berth(['version']);
    assert.equal(b.code, 0, b.stderr);
    const server = (s: string) => s.slice(s.indexOf('\nServer:'));
    assert.match(server(b.stdout), new RegExp(`\\n Engine:\\n  Version: +${engine.replace(/[.+]/g, '\\$&')}\\n`));
    assert.equal(server(b.stdout), server((await d!.docker(['version'])).stdout));
    await compare(['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}} {{.Server.Os}}']);
  });

  test('info and images', async () => {
    const r = await compare(['info', '--format', '{{.ServerVersion}}']);
    assert.notEqual(r.stdout.trim(), '');
    await compare(['info', '--format', '{{.Driver}} {{.Images}} {{.OSType}}']);
    await compare(['images'], { times: true });
    await compare(['images', '-q']);
    await compare(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}']);
  });

  test('run --rm: attached output, exit codes, -e', async () => {
    const hi = await compare(['run', '--rm', 'busybox', 'echo', 'hi']);
    assert.equal(hi.stdout, 'hi\n');
    const three = await compare(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(three.code, 3);
    assert.equal(three.stdout, 'out\n');
    assert.equal(three.stderr, 'err\n');
    const env = await compare(['run', '--rm', '-e', 'FOO=bar baz', 'busybox', 'sh', '-c', 'echo "$FOO"']);
    assert.equal(env.stdout, 'bar baz\n');
    await compare(['run', '--rm', '-i', 'busybox', 'cat'], { input: 'piped\n' });
    await compare(['run', '--rm', 'busybox', 'nonexistent-cmd']);
    // (never pull: no traffic leaves the machine)
    await compare(['run', '--rm', '--pull', 'never', 'nope-image:1']);
    // Nothing left behind by --rm.
    await compare(['ps', '-aq']);
  });

  test('run -d, ps, logs, exec, inspect, stop, rm', async () => {
    const id = await compare((cli) => ['run', '-d', '--name', `${cli}-web`, '-l', 'tier=front', 'busybox', 'sh', '-c', 'echo started; exec sleep 1000'], { ids: true });
    assert.match(id.stdout, /^[0-9a-f]{64}\n$/);
    await compare((cli) => ['ps', '--filter', `name=${cli}-web`, '--format', '{{.Names}} {{.Image}} {{.Command}} {{.State}} {{.Label "tier"}}']);
    await compare((cli) => ['ps', '-a', '--filter', `name=${cli}-web`], { times: true, ids: true });
    await compare((cli) => ['logs', `${cli}-web`]);
    await compare((cli) => ['exec', `${cli}-web`, 'sh', '-c', 'echo in-$HOSTNAME | wc -c; exit 4']);
    await compare((cli) => ['exec', '-e', 'X=1', '-w', '/tmp', `${cli}-web`, 'sh', '-c', 'echo $X $(pwd)']);
    await compare((cli) => ['exec', '-i', `${cli}-web`, 'cat'], { input: 'to exec\n' });
    await compare((cli) => ['inspect', '-f', '{{.Name}} {{.State.Status}} {{.State.Running}} {{.Config.Labels.tier}} {{json .Config.Cmd}}', `${cli}-web`]);
    await compare((cli) => ['stop', '-t', '1', `${cli}-web`]);
    await compare((cli) => ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', `${cli}-web`]);
    await compare((cli) => ['exec', `${cli}-web`, 'true'], { ids: true });
    await compare((cli) => ['rm', `${cli}-web`]);
    await compare((cli) => ['inspect', `${cli}-web`]);
  });

  test('create, then start -a', async () => {
    await compare((cli) => ['create', '--name', `${cli}-once`, 'busybox', 'sh', '-c', 'echo made; exit 2'], { ids: true });
    await compare((cli) => ['ps', '-a', '--filter', `name=${cli}-once`, '--format', '{{.Names}} {{.State}}']);
    const r = await compare((cli) => ['start', '-a', `${cli}-once`]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, 'made\n');
    await compare((cli) => ['rm', `${cli}-once`]);
  });

  test('the API 1.41 answers: whole objects, tables, lifecycle verbs', async () => {
    await ok(d!.docker(['run', '-d', '--name', 'shared', '-l', 'a=b', 'busybox', 'sleep', '1000']));
    await compare(['inspect', 'shared']);
    await compare(['inspect', 'busybox']);
    await compare(['image', 'inspect', '-f', '{{.Os}} {{.Architecture}} {{json .RepoTags}}', 'busybox']);
    await compare(['history', 'busybox'], { times: true });
    await compare(['ps'], { times: true });
    await compare(['ps', '-a', '--no-trunc', '--format', 'table {{.ID}}\t{{.Names}}\t{{.Labels}}']);
    await compare(['ps', '--format', 'json'], { times: true });
    await compare(['top', 'shared', '-o', 'pid,comm,args']);
    // State changes on a container of each CLI's own.
    for (const cli of ['docker', 'berth']) await ok(d!.docker(['run', '-d', '--name', `${cli}-s`, 'busybox', 'sleep', '1000']));
    await compare((cli) => ['pause', `${cli}-s`]);
    await compare((cli) => ['ps', '--filter', `name=${cli}-s`, '--format', '{{.Names}} {{.State}} {{.Status}}'], { times: true });
    await compare((cli) => ['pause', `${cli}-s`], { ids: true });
    await compare((cli) => ['unpause', `${cli}-s`]);
    await compare((cli) => ['restart', '-t', '0', `${cli}-s`]);
    await compare((cli) => ['kill', `${cli}-s`]);
    await compare((cli) => ['wait', `${cli}-s`]);
    await compare((cli) => ['rename', `${cli}-s`, `${cli}-t`]);
    await compare((cli) => ['run', '--name', `${cli}-t`, 'busybox', 'true'], { ids: true });
    await compare((cli) => ['rm', `${cli}-t`]);
    await ok(d!.docker(['rm', '-f', 'shared']));
    await compare(['system', 'df']);
  });

  test('networks: create, inspect, connect, disconnect, rm', async () => {
    // A subnet and a bridge name of each CLI's own, inside what the helper cleans up.
    const a = await freeSubnet();
    const b = await freeSubnet([a]);
    const subnet: Record<string, string> = { docker: `10.215.${a}.0/24`, berth: `10.215.${b}.0/24` };
    const opts = { ids: true, subnets: true };
    await compare((cli) => ['network', 'create', '--subnet', subnet[cli], '--label', 'k=v', '-o', `com.docker.network.bridge.name=${d!.bridge}${cli[0]}`, `${cli}-net`], opts);
    await compare((cli) => ['network', 'create', '--subnet', subnet[cli], `${cli}-net`], opts);
    await compare((cli) => ['network', 'inspect', '-f', '{{.Name}} {{.Driver}} {{.Scope}} {{json .Labels}} {{range .IPAM.Config}}{{.Subnet}}{{end}}', `${cli}-net`], opts);
    await compare((cli) => ['network', 'ls', '--filter', `name=${cli}-net`, '--format', '{{.Name}} {{.Driver}} {{.Labels}}'], opts);
    await compare((cli) => ['run', '--rm', '--network', `${cli}-net`, 'busybox', 'sh', '-c', 'ip -4 -o addr show eth0 | grep -o "inet [0-9./]*"'], opts);
    await compare((cli) => ['run', '-d', '--name', `${cli}-n`, 'busybox', 'sleep', '1000'], opts);
    await compare((cli) => ['network', 'connect', '--ip', subnet[cli].replace(/0\/24$/, '9'), `${cli}-net`, `${cli}-n`], opts);
    await compare((cli) => ['inspect', '-f', `{{len .NetworkSettings.Networks}} {{(index .NetworkSettings.Networks "${cli}-net").IPAddress}}`, `${cli}-n`], opts);
    await compare((cli) => ['network', 'rm', `${cli}-net`], opts);
    await compare((cli) => ['network', 'disconnect', `${cli}-net`, `${cli}-n`], opts);
    await compare((cli) => ['network', 'disconnect', `${cli}-net`, `${cli}-n`], opts);
    await compare((cli) => ['rm', '-f', `${cli}-n`], opts);
    await compare((cli) => ['network', 'rm', `${cli}-net`], opts);
    await compare(['network', 'inspect', 'nope']);
    // (not an unknown --driver: dockerd looks for such a plugin for 15 s)
    await compare(['network', 'create', '--subnet', '10.215.0.0/33', 'never-made']);
    await compare(['network', 'create', '--internal', 'bridge']);
  });

  // dockerd 20.10 omits IPAM.Config[].Gateway when none was asked for; docker's typed struct
  // still has the field (""), while berth's inspector sees only the raw JSON and fails.
  test('inspect templates on fields the daemon omitted', { todo: 'berth inspect -f knows no Go struct fields the JSON omits' }, async () => {
    await ok(d!.docker(['network', 'create', '--subnet', `10.215.${await freeSubnet()}.0/24`, '-o', `com.docker.network.bridge.name=${d!.bridge}g`, 'gw-net']));
    try {
      await compare(['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Gateway}}{{end}}', 'gw-net']);
    } finally {
      await ok(d!.docker(['network', 'rm', 'gw-net']));
    }
  });

  test('network ls and errors', async () => {
    const nets = await compare(['network', 'ls']);
    assert.match(nets.stdout, /\bbridge +bridge +local\n/);
    await compare(['network', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}}']);
    await compare(['rmi', 'nope']);
    await compare(['rm', 'nope']);
    await compare(['stop', 'nope']);
    await compare(['logs', 'nope']);
  });
});

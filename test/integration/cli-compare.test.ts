// The same scenarios through the real docker CLI and through berth's CLI against one berthd:
// exit codes, stdout and stderr must agree, after normalising only what legitimately differs
// (the program's name, relative times that tick between the two runs, ids of objects each
// created for itself).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { ROOT, startDaemonWithBusybox, waitFor, type Daemon, type RunResult } from './harness.ts';

let d: Daemon;
let scratch: string;

/** Relative times ("3 seconds ago", "Up 2 minutes") tick between the two runs; days and longer do not. */
const TIME = /\b(Less than a second|About a minute|About an hour|\d+ (?:seconds?|minutes?|hours?))\b/g;

function normaliseTimes(text: string): string {
  // Table columns widen or narrow with the time text, so runs of padding are compared as one gap.
  return text.replace(TIME, 'TIME').replace(/ {2,}/g, '  ');
}

interface Compare {
  /** Also compare stdout after time normalisation only (default: exact). */
  times?: boolean;
  /** Extra normalisation applied to both outputs. */
  normalise?: (s: string) => string;
  /** Compare stdout lines as a set (docker's order is Go map order there). */
  unordered?: boolean;
  input?: string | Buffer;
}

function clean(r: RunResult, program: string, opts: Compare): RunResult {
  let { stdout, stderr } = r;
  stderr = stderr.replaceAll(program, 'PROGRAM');
  if (opts.times) stdout = normaliseTimes(stdout);
  if (opts.normalise) {
    stdout = opts.normalise(stdout);
    stderr = opts.normalise(stderr);
  }
  if (opts.unordered) stdout = stdout.split('\n').sort().join('\n');
  return { code: r.code, stdout, stderr };
}

async function compare(args: string[], opts: Compare = {}): Promise<RunResult> {
  const docker = await d.docker(args, { input: opts.input });
  const berth = await d.berth(args, { input: opts.input });
  assert.deepEqual(clean(berth, 'berth', opts), clean(docker, 'docker', opts), `berth ${args.join(' ')}`);
  return berth;
}

/** Runs a scenario that changes state on objects of its own for each CLI (`${cli}-name`). */
async function compareEach(args: (cli: string) => string[], opts: Compare = {}): Promise<RunResult> {
  const docker = await d.docker(args('docker'), { input: opts.input });
  const berth = await d.berth(args('berth'), { input: opts.input });
  const strip = (s: string) => s.replace(/\b(docker|berth)-/g, 'CLI-');
  const o = { ...opts, normalise: (s: string) => (opts.normalise ?? ((x: string) => x))(strip(s)) };
  assert.deepEqual(clean(berth, 'berth', o), clean(docker, 'docker', o), `berth ${args('berth').join(' ')}`);
  return berth;
}

const IDS = (s: string) => s.replace(/\b[0-9a-f]{64}\b/g, 'ID64').replace(/\b[0-9a-f]{12}\b/g, 'ID12');

async function ok(r: Promise<RunResult>): Promise<string> {
  const res = await r;
  assert.equal(res.code, 0, res.stderr);
  return res.stdout.trim();
}

before(async () => {
  d = await startDaemonWithBusybox();
  scratch = await mkdtemp(join(tmpdir(), 'berth-cli-compare-'));
  await ok(d.docker(['run', '-d', '--name', 'web', '-l', 'tier=front', '-l', 'a=b', 'busybox', 'sleep', '1000']));
  const done = await d.docker(['run', '--name', 'done', 'busybox', 'sh', '-c', 'echo one; echo two >&2; echo three; exit 3']);
  assert.equal(done.code, 3, done.stderr);
  await ok(d.docker(['create', '--name', 'fresh', '-l', 'x=y', 'busybox', 'echo', 'hello "world"']));
  await ok(d.docker(['tag', 'busybox', 'example.com/team/bb:v1']));
});

after(async () => {
  await d?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('ps', () => {
  test('ids, names and custom templates', async () => {
    await compare(['ps', '-q']);
    await compare(['ps', '-aq']);
    await compare(['ps', '-a', '--no-trunc', '-q']);
    await compare(['ps', '-a', '--format', '{{.Names}} {{.Image}} {{.Command}} {{.State}} {{.Labels}} {{.Label "tier"}}']);
    await compare(['container', 'ls', '-a', '--format', '{{.ID}}|{{.Ports}}|{{.Networks}}|{{.Mounts}}|{{.LocalVolumes}}|{{.CreatedAt}}']);
    await compare(['container', 'list', '-a', '--no-trunc', '--format', '{{.ID}}\t{{.Command}}']);
  });

  test('tables', async () => {
    await compare(['ps', '-a', '--format', 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Ports}}\t{{.Names}}']);
    await compare(['ps'], { times: true });
    await compare(['ps', '-a'], { times: true });
    await compare(['ps', '-a', '-s'], { times: true });
    await compare(['ps', '-a', '--no-trunc'], { times: true });
    await compare(['ps', '-a', '--format', 'json'], { times: true });
  });

  test('-n, -l and filters', async () => {
    await compare(['ps', '-n', '2', '--format', '{{.Names}}']);
    await compare(['ps', '-l', '--format', '{{.Names}}']);
    await compare(['ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}}']);
    await compare(['ps', '-a', '-f', 'label=tier=front', '-q']);
    await compare(['ps', '-a', '-f', 'name=fre', '--format', '{{.Names}}']);
    await compare(['ps', '-a', '--filter', 'ancestor=busybox', '--format', '{{.Names}}']);
    await compare(['ps', '-a', '-q', '--format', 'table {{.Names}}']);
    await compare(['ps', '-a', '-q', '--format', '{{.Names}}']);
    await compare(['ps', '-f', 'bad']);
    await compare(['ps', '--filter', 'nope=1']);
    await compare(['ps', '--format', '{{.Nope']);
  });
});

describe('inspect', () => {
  test('templates on containers and images', async () => {
    for (const tmpl of ['{{.Name}}', '{{.State.Status}} {{.State.ExitCode}}', '{{json .Config.Labels}}', '{{.Config.Labels.tier}}',
      '{{range .Config.Cmd}}[{{.}}]{{end}}', '{{index .Config.Labels "a"}}', '{{.Config.Labels.nope}}', '{{.Nope}}', '{{.Nope']) {
      await compare(['inspect', '-f', tmpl, 'web']);
    }
    await compare(['inspect', '--format', '{{.Name}}', 'web', 'done', 'fresh']);
    await compare(['inspect', '-f', '{{.Os}} {{.Architecture}}', 'busybox']);
    await compare(['image', 'inspect', '--format', '{{.RepoTags}}', 'busybox']);
    await compare(['container', 'inspect', '-s', '-f', '{{.SizeRw}}', 'web']);
  });

  test('whole objects', async () => {
    await compare(['inspect', 'web']);
    await compare(['inspect', 'busybox', 'done']);
    await compare(['inspect', '--format', 'json', 'web']);
    await compare(['inspect', 'none']);
    await compare(['inspect', '--type', 'image', 'busybox']);
  });

  test('missing objects and bad types', async () => {
    await compare(['inspect', 'nope']);
    await compare(['inspect', 'nope', 'web']);
    await compare(['inspect', '-f', '{{.Id}}', 'nope']);
    await compare(['inspect', '--type', 'foo', 'web']);
    await compare(['inspect', '--type', 'network', 'web']);
    await compare(['inspect', '--type', 'container', 'busybox']);
    await compare(['container', 'inspect', 'nope']);
    await compare(['image', 'inspect', 'nope']);
  });
});

describe('images', () => {
  test('lists, ids and templates', async () => {
    await compare(['images', '-q']);
    await compare(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}} {{.Digest}}'], { unordered: true });
    await compare(['image', 'ls', '--no-trunc', '--format', 'table {{.ID}}\t{{.Tag}}'], { unordered: true });
    await compare(['image', 'list', '--filter', 'reference=busybox', '--format', '{{.Repository}}']);
    await compare(['images', '--filter', 'dangling=true']);
    await compare(['images', '--filter', 'since=busybox', '-q']);
    await compare(['images', '--filter', 'label=nope', '-q']);
    await compare(['images', '-q', '--format', '{{.Repository}}'], { unordered: true });
    await compare(['history', '-q', '--format', '{{.Size}}', 'busybox']);
    await compare(['images', '-a', '--digests', '--format', '{{.Repository}} {{.Digest}}'], { unordered: true });
    await compare(['images', '--filter', 'nope=1']);
  });

  test('tables with the CREATED column (an image from 1970: "56 years ago")', async () => {
    await compare(['images', 'busybox'], { times: true });
    await compare(['images', '--format', 'json'], { times: true, unordered: true });
    await compare(['images'], { times: true, unordered: true });
  });

  test('history', async () => {
    await compare(['history', 'busybox']);
    await compare(['history', '--no-trunc', 'busybox']);
    await compare(['history', '-q', 'busybox']);
    await compare(['history', '-H=false', 'busybox']);
    await compare(['image', 'history', '--format', '{{.ID}}: {{.CreatedBy}}', 'busybox']);
    await compare(['history', 'nope']);
  });

  test('tag and rmi', async () => {
    await compareEach((cli) => ['tag', 'busybox', `${cli}-tagged:1`]);
    await compareEach((cli) => ['images', '--format', '{{.Repository}}:{{.Tag}}', `${cli}-tagged`]);
    await compareEach((cli) => ['rmi', `${cli}-tagged:1`]);
    await compare(['tag', 'nope', 'x']);
    await compare(['tag', 'busybox', 'Bad']);
    await compare(['rmi', 'nope']);
    await compare(['rmi', '-f', 'nope']);
    await compare(['image', 'rm', 'nope', 'busybox:nope']);
  });

  test('save and load round trip', async () => {
    const dockerTar = join(scratch, 'docker.tar');
    const berthTar = join(scratch, 'berth.tar');
    await compareEach((cli) => ['save', '-o', join(scratch, `${cli}.tar`), 'busybox']);
    assert.deepEqual(await readFile(berthTar), await readFile(dockerTar));
    assert.ok((await stat(berthTar)).size > 1000);
    await compare(['save', 'nope']);
    await compare(['save', '-o', '/nonexistent-dir/x.tar', 'busybox']);
    await compare(['load', '-i', berthTar]);
    await compare(['load', '-q', '-i', dockerTar]);
    await compare(['load', '-i', '/nonexistent.tar']);
    await compare(['load'], { input: 'not a tar' });
  });

  test('import', async () => {
    // An empty tar archive (two zero blocks) is an empty filesystem.
    const r = await compareEach((cli) => ['import', '-m', 'from test', '-', `${cli}-imported:1`], { input: Buffer.alloc(1024), normalise: IDS });
    assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
    await compareEach((cli) => ['history', '--format', '{{.Comment}} {{.Size}}', `${cli}-imported:1`]);
    await compare(['import', '/nonexistent.tar']);
    await compare(['import', '-', 'Bad:x'], { input: '' });
  });
});

describe('containers', () => {
  test('logs', async () => {
    await compare(['logs', 'done']);
    await compare(['logs', '--tail', '1', 'done']);
    await compare(['logs', '-n', '2', 'done']);
    await compare(['logs', '-t', 'done']);
    await compare(['logs', '--since', '1h', 'done']);
    await compare(['logs', '--until', '2000-01-01T00:00:00Z', 'done']);
    await compare(['logs', 'nope']);
    await compare(['logs', '--since', 'xyz', 'done']);
    await compare(['logs', '--until', '2020-13-45', 'done']);
  });

  test('logs of a TTY container come raw', async () => {
    await ok(d.docker(['run', '-d', '-t', '--name', 'tty', 'busybox', 'sh', '-c', 'echo tty-out; echo tty-err >&2']));
    await waitFor(async () => (await d.docker(['inspect', '-f', '{{.State.Running}}', 'tty'])).stdout.trim() === 'false', 'tty to exit');
    const r = await compare(['logs', 'tty']);
    assert.equal(r.stdout, 'tty-out\r\ntty-err\r\n');
    await compare(['logs', '--details', '-t', 'tty']);
  });

  test('top and port', async () => {
    // The default columns include CPU use and wall-clock times, which move between the two runs:
    // only the layout is compared there, every column with -o.
    await compare(['top', 'web'], { normalise: (s) => s.replace(/^(\S+ +\S+ +\S+ +)\S+ +\S+( +\S+ +)\S+/gm, '$1C STIME$2TIME') });
    await compare(['top', 'web', '-o', 'pid,ppid,user,comm,args']);
    await compare(['top', 'web', '-o', 'pid,comm']);
    await compare(['top', 'done']);
    await compare(['port', 'web']);
    await compare(['port', 'web', '80']);
    await compare(['port', 'web', 'x']);
    await compare(['port', 'nope']);
  });

  test('errors for missing containers', async () => {
    for (const verb of ['rm', 'stop', 'kill', 'wait', 'pause', 'unpause', 'restart', 'top', 'logs', 'port']) {
      await compare([verb, 'nope']);
    }
    await compare(['rm', 'nope', 'gone', 'missing']);
    await compare(['rm', '-f', 'nope']);
    await compare(['rename', 'nope', 'x']);
    await compare(['rename', 'web', 'done']);
    await compare(['pause', 'done']);
    await compare(['unpause', 'web']);
    await compare(['wait', 'done']);
  });

  test('stop, kill, wait, rename, pause and rm on containers of their own', async () => {
    for (const cli of ['docker', 'berth']) {
      await ok(d.docker(['run', '-d', '--name', `${cli}-a`, 'busybox', 'sleep', '1000']));
      await ok(d.docker(['run', '-d', '--name', `${cli}-b`, 'busybox', 'sleep', '1000']));
    }
    await compareEach((cli) => ['pause', `${cli}-a`]);
    await compareEach((cli) => ['ps', '--filter', `name=${cli}-a`, '--format', '{{.Names}} {{.State}}']);
    await compareEach((cli) => ['unpause', `${cli}-a`]);
    await compareEach((cli) => ['kill', '-s', 'KILL', `${cli}-a`, 'nope']);
    await compareEach((cli) => ['wait', `${cli}-a`]);
    await compareEach((cli) => ['stop', '-t', '1', `${cli}-b`]);
    // Already stopped: the daemon answers 304, which docker counts as done.
    await compareEach((cli) => ['stop', `${cli}-b`]);
    await compareEach((cli) => ['rename', `${cli}-b`, `${cli}-c`]);
    // (docker removes in parallel, so one name twice would race; a missing one shows the error path)
    await compareEach((cli) => ['rm', `${cli}-a`, 'nope', `${cli}-c`]);
  });

  test('container prune', async () => {
    await compare(['container', 'prune'], { input: 'n\n' });
    await compare(['container', 'prune'], { input: '' });
    await compare(['container', 'prune', '--filter', 'bad']);
    for (const cli of ['docker', 'berth']) {
      await ok(d.docker(['create', '--name', `${cli}-p`, '-l', `pruneme=${cli}`, 'busybox', 'true']));
    }
    await compareEach((cli) => ['container', 'prune', '-f', '--filter', `label=pruneme=${cli}`], { normalise: IDS });
    await compareEach((cli) => ['ps', '-a', '--filter', `name=${cli}-p`, '-q']);
  });
});

describe('system', () => {
  test('info', async () => {
    await compare(['info', '--format', '{{.Name}} {{.ServerVersion}} {{.Driver}} {{.Containers}} {{.Images}}']);
    await compare(['system', 'info', '-f', '{{json .Plugins}}']);
    await compare(['info', '-f', '{{.Nope']);
    const docker = await d.docker(['info']);
    const berth = await d.berth(['info']);
    assert.equal(berth.code, docker.code);
    // The Client: section names each program's own version; the Server: section is the daemon's.
    const server = (s: string) => s.slice(s.indexOf('\nServer:\n')).replace(/System Time: .*/, 'System Time: T');
    assert.equal(server(berth.stdout), server(docker.stdout));
  });

  test('df', async () => {
    await compare(['system', 'df']);
    await compare(['system', 'df', '--format', 'json']);
    await compare(['system', 'df', '--format', '{{.Type}}: {{.TotalCount}}/{{.Active}}']);
    await compare(['system', 'df', '-v'], { times: true });
    await compare(['system', 'df', '-v', '--format', 'json'], { times: true });
  });

  test('events', async () => {
    await compare(['events', '--since', '1h', '--until', '0s']);
    await compare(['events', '--since', '1h', '--until', '0s', '--filter', 'type=container', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']);
    await compare(['events', '--since', '1h', '--until', '0s', '--format', 'json']);
    await compare(['events', '--since', '1h', '--until', '0s', '--format', '{{.Status}} {{.ID}} {{.From}} {{.Scope}} {{.Time}} {{.TimeNano}}']);
    await compare(['events', '--since', '1h', '--until', '0s', '--filter', 'container=web', '--format', '{{json .}}']);
    await compare(['events', '--since', '1h', '--until', '2h']);
    await compare(['events', '--since', 'xyz', '--until', '0s']);
    await compare(['events', '--since', '2020-13-45', '--until', '0s']);
    await compare(['events', '--until', '0s', '--format', '{{.Nope}}'], { normalise: (s) => s.replace(/executing.*$/m, 'executing') });
  });

  test('prune questions', async () => {
    for (const args of [['system', 'prune'], ['system', 'prune', '-a', '--volumes', '--filter', 'label=x'], ['image', 'prune'], ['image', 'prune', '-a']]) {
      await compare(args, { input: 'n\n' });
    }
    await compare(['image', 'prune', '-f']);
  });
});

test('--help of every command here matches docker\'s flags and texts', async () => {
  const commands = ['container ls', 'ps', 'container inspect', 'logs', 'stop', 'restart', 'kill', 'rm', 'wait', 'rename', 'pause', 'unpause',
    'top', 'port', 'container prune', 'image ls', 'images', 'rmi', 'tag', 'history', 'save', 'load', 'import', 'image inspect', 'image prune',
    'info', 'events', 'system df', 'system prune', 'inspect'];
  for (const c of commands) {
    const docker = await d.docker([...c.split(' '), '--help']);
    const berth = await d.berth([...c.split(' '), '--help']);
    // `images --tree` (docker 28's experimental tree view) is not offered.
    const expected = docker.stdout.replace(/docker(?!\.com)/g, 'berth').replace(/^ +--tree .*\n/m, '');
    assert.equal(berth.stdout, expected, `${c} --help`);
  }
});

test('events streams live until it is stopped', async () => {
  // --since replays from before the create, so the order of subscribe and create does not matter.
  const since = String(Math.floor(Date.now() / 1000) - 1);
  const watching = d.berth(['events', '--since', since, '--filter', 'container=live', '--format', '{{.Action}}'], { timeoutMs: 4000 });
  await ok(d.docker(['create', '--name', 'live', 'busybox', 'true']));
  const r = await watching;
  assert.equal(r.stdout, 'create\n');
});

/** Starts a streaming command, lets it run, interrupts it as Ctrl-C does, and returns its exit code. */
function interrupted(cmd: string, args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(cmd, ['-H', d.host, ...args], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGINT'), 1500);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? -1 : null));
    });
  });
}

test('Ctrl-C ends events and logs -f with 130, as docker', async () => {
  await ok(d.docker(['run', '-d', '--name', 'forever', 'busybox', 'sleep', '1000']));
  for (const args of [['events'], ['logs', '-f', 'forever']]) {
    const docker = await interrupted('docker', args);
    const berth = await interrupted(join(ROOT, 'bin/berth'), args);
    assert.equal(docker, 130);
    assert.equal(berth, docker, args.join(' '));
  }
});

test('stdout of a follow stream ends with the container', async () => {
  await ok(d.docker(['run', '-d', '--name', 'short', 'busybox', 'sh', '-c', 'sleep 1; echo late']));
  const r = await d.berth(['logs', '-f', 'short']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'late\n');
  await waitFor(async () => (await d.docker(['inspect', '-f', '{{.State.Running}}', 'short'])).stdout.trim() === 'false', 'short to exit');
});

// berth run/create/start/attach/exec against a real berthd, checked against what the real
// docker CLI does on the same daemon: exit codes, stdout and stderr (with the program
// name read as berth), and the containers' settings as `docker inspect` shows them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startDaemonWithBusybox, waitFor, type Daemon, type RunResult } from './harness.ts';

let d: Daemon;
let dir: string;

before(async () => {
  d = await startDaemonWithBusybox();
  dir = await mkdtemp(join(tmpdir(), 'berth-cli-run-'));
});

after(async () => {
  await d?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs the same argv with both CLIs. */
async function both(args: string[], opts: { input?: string } = {}): Promise<{ berth: RunResult; docker: RunResult }> {
  const docker = await d.docker(args, opts);
  const berth = await d.berth(args, opts);
  return { berth, docker };
}

/** docker's text with the program's own name in it read as berth's. */
function asBerth(text: string): string {
  return text.replace(/^docker: /gm, 'berth: ').replace(/'docker /g, "'berth ").replace(/Usage: {2}docker /g, 'Usage:  berth ');
}

function sameAsDocker(r: { berth: RunResult; docker: RunResult }, what: string): void {
  assert.equal(r.berth.code, r.docker.code, `${what}: exit code (berth stderr: ${r.berth.stderr})`);
  assert.equal(r.berth.stdout, r.docker.stdout, `${what}: stdout`);
  assert.equal(r.berth.stderr, asBerth(r.docker.stderr), `${what}: stderr`);
}

async function inspect(ref: string): Promise<any> {
  const r = await d.docker(['inspect', ref]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout)[0];
}

describe('berth run, attached', () => {
  test('output and exit codes are the container\'s, as with docker', async () => {
    sameAsDocker(await both(['run', '--rm', 'busybox', 'echo', 'hi']), 'echo');
    const three = await both(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3']);
    assert.equal(three.berth.code, 3);
    sameAsDocker(three, 'exit 3');
    const streams = await both(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
    assert.equal(streams.berth.stdout, 'out\n');
    assert.equal(streams.berth.stderr, 'err\n');
    sameAsDocker(streams, 'stdout and stderr');
    // -t without -i needs no terminal here; the output comes through the container's TTY.
    const tty = await both(['run', '--rm', '-t', 'busybox', 'echo', 'hi']);
    assert.equal(tty.berth.stdout, 'hi\r\n');
    sameAsDocker(tty, '-t');
  });

  test('a missing command is 127, one that cannot run is 126, with docker\'s message', async () => {
    const missing = await both(['run', '--rm', 'busybox', 'no-such-command']);
    assert.equal(missing.berth.code, 127);
    sameAsDocker(missing, 'missing command');
    const notExecutable = await both(['run', '--rm', 'busybox', '/etc']);
    assert.equal(notExecutable.berth.code, 126);
    sameAsDocker(notExecutable, 'directory as command');
  });

  test('bad flags and daemon refusals are 125 with docker\'s text', async () => {
    for (const args of [
      ['run', '-p', '99999:80', 'busybox'],
      ['run', '-m', '5x', 'busybox'],
      ['run', '--cpus', 'abc', 'busybox'],
      ['run', '--ulimit', 'nofile=5:2', 'busybox'],
      ['run', '--restart', 'on-failure:x', 'busybox'],
      ['run', '--restart', 'always', '--rm', 'busybox'],
      ['run', '--restart', 'bogus', 'busybox'],
      ['run', '--mount', 'type=bind', 'busybox'],
      // A missing image is pulled; from a closed loopback port, so no test reaches Docker Hub.
      ['run', '127.0.0.1:9/no-such-image'],
      ['create', '-p', '80/xyz', 'busybox'],
    ]) {
      const r = await both(args);
      assert.equal(r.berth.code, 125, args.join(' '));
      sameAsDocker(r, args.join(' '));
    }
  });

  test('-t with stdin attached but no terminal: "the input device is not a TTY"', async () => {
    const r = await both(['run', '-it', 'busybox', 'true']);
    assert.equal(r.berth.code, 1);
    sameAsDocker(r, '-it without a tty');
  });

  test('-i passes stdin through and closes it at EOF', async () => {
    const r = await both(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo done'], { input: 'line one\nline two\n' });
    assert.equal(r.berth.stdout, 'line one\nline two\ndone\n');
    sameAsDocker(r, '-i');
  });

  test('-a stdout leaves stderr out', async () => {
    const r = await both(['run', '--rm', '-a', 'stdout', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
    assert.equal(r.berth.stdout, 'out\n');
    assert.equal(r.berth.stderr, '');
    sameAsDocker(r, '-a stdout');
  });
});

describe('berth run -d, --rm, --cidfile', () => {
  test('-d prints the full ID and leaves the container running', async () => {
    const r = await d.berth(['run', '-d', '--name', 'bg1', 'busybox', 'sleep', '300']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
    const c = await inspect('bg1');
    assert.equal(c.Id, r.stdout.trim());
    assert.equal(c.State.Running, true);
    assert.equal(c.Config.AttachStdout, false);
    await d.docker(['rm', '-f', 'bg1']);
  });

  test('--rm removes the container once it has exited', async () => {
    const r = await d.berth(['run', '--rm', '--name', 'gone1', 'busybox', 'true']);
    assert.equal(r.code, 0, r.stderr);
    const i = await d.docker(['inspect', 'gone1']);
    assert.equal(i.code, 1);
    assert.match(i.stderr, /No such object: gone1/);
  });

  test('--cidfile gets the ID, and an existing file is refused', async () => {
    const cid = join(dir, 'cid');
    const r = await d.berth(['create', '--cidfile', cid, 'busybox']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(cid, 'utf8'), r.stdout.trim());
    const again = await both(['create', '--cidfile', cid, 'busybox']);
    assert.equal(again.berth.code, 1);
    sameAsDocker(again, 'cidfile exists');
    await d.docker(['rm', '-f', r.stdout.trim()]);
  });
});

describe('berth create: the flags reach the container as with docker', () => {
  test('env, labels, ports, volumes, limits, restart, health, user, workdir', async () => {
    const envFile = join(dir, 'env.list');
    await writeFile(envFile, 'FROM_FILE=1\n# comment\nOVERRIDE=file\n');
    const flags = [
      '-e', 'A=1', '-e', 'OVERRIDE=flag', '--env-file', envFile, '-l', 'team=core', '-p', '127.0.0.1:18080:80', '-p', '9000-9001:9000-9001/udp',
      '--expose', '7000', '-v', `${dir}:/data:ro`, '-v', '/anon', '--mount', 'type=tmpfs,dst=/t,tmpfs-size=1m', '-m', '64m', '--memory-swap', '128m',
      '--cpus', '0.5', '-c', '512', '--pids-limit', '50', '--ulimit', 'nofile=100:200', '--restart', 'on-failure:2', '--health-cmd', 'true',
      '--health-interval', '30s', '-u', '1000:1000', '-w', '/tmp', '--hostname', 'hh', '--add-host', 'db:10.1.2.3', '--dns', '9.9.9.9',
      '--cap-add', 'net_admin', '--cap-drop', 'mknod', '--read-only', '--shm-size', '16m', '--sysctl', 'net.ipv4.ip_forward=1',
      '--init', '--stop-signal', 'SIGUSR2', '--stop-timeout', '7', '--log-opt', 'max-size=1m', '--entrypoint', '/bin/sh',
      'busybox', '-c', 'echo hi',
    ];
    const b = await d.berth(['create', '--name', 'flags-berth', ...flags]);
    assert.equal(b.code, 0, b.stderr);
    const k = await d.docker(['create', '--name', 'flags-docker', ...flags]);
    assert.equal(k.code, 0, k.stderr);
    const cb = await inspect('flags-berth');
    const cd = await inspect('flags-docker');
    assert.deepEqual(cb.Config.Env.filter((e: string) => !e.startsWith('PATH=')), ['FROM_FILE=1', 'OVERRIDE=file', 'A=1', 'OVERRIDE=flag']);
    assert.equal(cb.HostConfig.Memory, 64 * 1024 * 1024);
    assert.equal(cb.HostConfig.NanoCpus, 500_000_000);
    assert.deepEqual(cb.HostConfig.PortBindings['80/tcp'], [{ HostIp: '127.0.0.1', HostPort: '18080' }]);
    assert.deepEqual(cb.HostConfig.Ulimits, [{ Name: 'nofile', Hard: 200, Soft: 100 }]);
    assert.deepEqual(cb.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
    // Everything docker set, berth set the same way.
    // docker 28 sends the -e values in a random order (a map inside): compare them as sets.
    assert.deepEqual([...cb.Config.Env].sort(), [...cd.Config.Env].sort(), 'Config.Env');
    for (const key of ['Labels', 'ExposedPorts', 'Volumes', 'User', 'WorkingDir', 'Hostname', 'Healthcheck', 'StopSignal', 'StopTimeout', 'Entrypoint', 'Cmd']) {
      assert.deepEqual(cb.Config[key], cd.Config[key], `Config.${key}`);
    }
    for (const key of ['Binds', 'PortBindings', 'Mounts', 'Memory', 'MemorySwap', 'NanoCpus', 'CpuShares', 'PidsLimit', 'Ulimits', 'RestartPolicy',
      'ExtraHosts', 'Dns', 'CapAdd', 'CapDrop', 'ReadonlyRootfs', 'ShmSize', 'Sysctls', 'Init', 'LogConfig']) {
      assert.deepEqual(cb.HostConfig[key], cd.HostConfig[key], `HostConfig.${key}`);
    }
    await d.docker(['rm', '-f', 'flags-berth', 'flags-docker']);
  });
});

describe('berth start, attach, exec', () => {
  test('start -a streams the output and exits with the container\'s code', async () => {
    assert.equal((await d.docker(['create', '--name', 'sa1', 'busybox', 'sh', '-c', 'echo started; exit 5'])).code, 0);
    const r = await d.berth(['start', '-a', 'sa1']);
    assert.equal(r.code, 5, r.stderr);
    assert.equal(r.stdout, 'started\n');
    const plain = await both(['start', 'sa1']);
    sameAsDocker(plain, 'start without -a');
    const missing = await both(['start', 'nope']);
    sameAsDocker(missing, 'start a missing container');
    await d.docker(['rm', '-f', 'sa1']);
  });

  test('start -ai feeds stdin to the container', async () => {
    assert.equal((await d.docker(['create', '-i', '--name', 'sai1', 'busybox', 'sh', '-c', 'cat; exit 2'])).code, 0);
    const r = await d.berth(['start', '-ai', 'sai1'], { input: 'to the container\n' });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, 'to the container\n');
    await d.docker(['rm', '-f', 'sai1']);
  });

  test('attach follows a running container and exits with its code', async () => {
    const id = (await d.docker(['run', '-d', 'busybox', 'sh', '-c', 'sleep 1; echo late; exit 6'])).stdout.trim();
    const r = await d.berth(['attach', '--no-stdin', id]);
    assert.equal(r.code, 6, r.stderr);
    assert.equal(r.stdout, 'late\n');
    const stopped = await both(['attach', id]);
    assert.equal(stopped.berth.code, 1);
    sameAsDocker(stopped, 'attach to a stopped container');
    sameAsDocker(await both(['attach', 'nope']), 'attach to a missing container');
    await d.docker(['rm', '-f', id]);
  });

  test('exec: exit code, -e/-w/-u, stdin, -d and errors as docker', async () => {
    const id = (await d.docker(['run', '-d', 'busybox', 'sleep', '300'])).stdout.trim();
    sameAsDocker(await both(['exec', id, 'sh', '-c', 'echo in exec; echo err >&2; exit 4']), 'exec exit 4');
    const opts = await both(['exec', '-e', 'A=1', '-w', '/tmp', '-u', '1:1', id, 'sh', '-c', 'echo $A $(pwd) $(id -u)']);
    assert.equal(opts.berth.stdout, '1 /tmp 1\n');
    sameAsDocker(opts, 'exec -e -w -u');
    const stdin = await both(['exec', '-i', id, 'cat'], { input: 'piped\n' });
    assert.equal(stdin.berth.stdout, 'piped\n');
    sameAsDocker(stdin, 'exec -i');
    const missing = await both(['exec', id, 'no-such-command']);
    assert.equal(missing.berth.code, 127);
    sameAsDocker(missing, 'exec of a missing command');
    sameAsDocker(await both(['exec', '-it', id, 'true']), 'exec -it without a tty');
    sameAsDocker(await both(['exec', 'nope', 'true']), 'exec in a missing container');
    const bg = await d.berth(['exec', '-d', id, 'sh', '-c', 'echo bg > /tmp/bg']);
    assert.equal(bg.code, 0, bg.stderr);
    assert.equal(bg.stdout, '');
    await waitFor(async () => (await d.docker(['exec', id, 'cat', '/tmp/bg'])).stdout === 'bg\n', 'exec -d to run');
    await d.docker(['rm', '-f', id]);
  });

  test('exec -i with stdin already at EOF: a quick command\'s output is never lost (30 berth exec -i in a row, and docker\'s)', async () => {
    // The client closes stdin as the exec starts; the shim, its process already gone, used to
    // close with that close unread: the connection was reset and the output dropped, about one
    // time in three (docker compose exec, docker-compose exec -T, `docker exec -i ... </dev/null`).
    const id = (await d.docker(['run', '-d', 'busybox', 'sleep', '300'])).stdout.trim();
    const lost: string[] = [];
    for (const [cli, n] of [['berth', 30], ['docker', 10]] as const) {
      for (let i = 0; i < n; i++) {
        // run() gives the CLI a stdin pipe closed at once.
        const r = await d[cli](['exec', '-i', id, 'sh', '-c', `echo out-${i}; echo err-${i} >&2`]);
        if (r.code !== 0 || r.stdout !== `out-${i}\n` || r.stderr !== `err-${i}\n`) lost.push(`${cli} #${i}: ${r.code} ${JSON.stringify(r.stdout)} ${JSON.stringify(r.stderr)}`);
      }
    }
    assert.deepEqual(lost, []);
    await d.docker(['rm', '-f', id]);
  });
});

describe('berth run forwards signals (--sig-proxy)', () => {
  /** Starts `berth run` and resolves once the container printed "ready". */
  function startRun(args: string[]) {
    const child = spawn(join(ROOT, 'bin/berth'), ['-H', d.host, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += String(c)));
    const exited = new Promise<number>((resolve) => child.on('close', (code, sig) => resolve(code ?? 128 + (sig === 'SIGTERM' ? 15 : 9))));
    const ready = waitFor(async () => out.includes('ready\n'), 'the container to be ready');
    return { child, exited, ready, output: () => out };
  }

  const script = 'trap "echo got TERM; exit 12" TERM; echo ready; while true; do sleep 0.1; done';

  test('SIGTERM to berth reaches the container, and berth exits with its code', async () => {
    const r = startRun(['--rm', 'busybox', 'sh', '-c', script]);
    await r.ready;
    r.child.kill('SIGTERM');
    assert.equal(await r.exited, 12);
    assert.equal(r.output(), 'ready\ngot TERM\n');
  });

  test('attach forwards signals too', async () => {
    const id = (await d.docker(['run', '-d', 'busybox', 'sh', '-c', script])).stdout.trim();
    const child = spawn(join(ROOT, 'bin/berth'), ['-H', d.host, 'attach', '--no-stdin', id], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += String(c)));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // attach shows what comes after it is attached: wait until the container's loop is running
    // under it, then signal.
    await waitFor(async () => (await d.docker(['inspect', '-f', '{{.State.Running}}', id])).stdout.trim() === 'true', 'the container');
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGTERM');
    assert.equal(await exited, 12);
    assert.equal(out, 'got TERM\n');
    await d.docker(['rm', '-f', id]);
  });

  test('with --sig-proxy=false berth itself ends and the container goes on', async () => {
    const r = startRun(['--name', 'noproxy', '--sig-proxy=false', 'busybox', 'sh', '-c', script]);
    await r.ready;
    r.child.kill('SIGTERM');
    assert.equal(await r.exited, 128 + 15);
    assert.equal((await d.docker(['inspect', '-f', '{{.State.Running}}', 'noproxy'])).stdout.trim(), 'true');
    await d.docker(['rm', '-f', 'noproxy']);
  });
});

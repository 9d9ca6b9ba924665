// Integration tests for berth-shim and its client, with real runc containers (root).
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRfc3339Nano } from '../common/index.ts';
import { readLogs } from './json-file-log.ts';
import type { LogEntry } from './json-file-log.ts';
import { Runc } from './runc.ts';
import { ShimAttach, isShimAlive, readShimExit, shimArgs, shimPidIfAlive, startShim, waitShimExit } from './shim-client.ts';
import type { ShimStartOptions } from './shim-client.ts';
import { ShimStdio } from './shim-stdio.ts';
import { readFileSync } from 'node:fs';
import {
  RUNC,
  buildShim,
  containerTestSkipReason,
  makeBundle,
  procStat,
  removeTestCgroups,
  rssKb,
  writeProcessFile,
} from './bundle.test-helpers.ts';

test('shimArgs builds the command line', () => {
  const base = { shimPath: '/s', runtimePath: '/r', id: 'c1', stateDir: '/st', tty: true, stdin: true };
  assert.deepEqual(shimArgs({ ...base, bundle: '/b', runtimeRoot: '/rr', log: { path: '/l', maxSize: 10, maxFile: 3 } }), [
    '--id', 'c1', '--state-dir', '/st', '--runtime', '/r', '--runtime-root', '/rr', '--bundle', '/b',
    '--tty', '--stdin', '--log-driver', 'json-file', '--log-path', '/l', '--log-max-size', '10', '--log-max-file', '3',
  ]);
  assert.deepEqual(shimArgs({ ...base, tty: false, stdin: false, exec: { processFile: '/p.json' } }), [
    '--id', 'c1', '--state-dir', '/st', '--runtime', '/r', '--exec', '--process', '/p.json', '--hold',
  ]);
  assert.throws(() => shimArgs({ ...base }), /exactly one of bundle or exec/);
  assert.throws(() => shimArgs({ ...base, bundle: '/b', exec: { processFile: '/p' } }), /exactly one/);
});

const skip = containerTestSkipReason() ?? false;

describe('berth-shim with runc', { skip, concurrency: false }, () => {
  let dir = '';
  let shimPath = '';
  let runtimeRoot = '';
  let runc: Runc;
  const containers: string[] = [];
  const shims: number[] = [];
  let t0 = 0n;

  before(async () => {
    dir = await mkdtemp('/tmp/berth-shim-test-');
    shimPath = await buildShim(dir);
    runtimeRoot = join(dir, 'runc');
    runc = new Runc({ path: RUNC, root: runtimeRoot });
    t0 = BigInt(Date.now() - 1000) * 1_000_000n;
  });

  after(async () => {
    for (const id of containers) await runc.delete(id, true).catch(() => {});
    for (const pid of shims) {
      // Only our shims: still a berth-shim whose cwd is in our temp dir.
      try {
        const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8');
        if (cmd.split('\0')[0].endsWith('/berth-shim') && cmd.includes(dir)) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (dir) await rm(dir, { recursive: true, force: true });
    await removeTestCgroups();
  });

  interface Ctr {
    id: string;
    stateDir: string;
    log: string;
    bundle: string;
    process: Record<string, unknown>;
  }

  async function prepare(args: string[], opts: { tty?: boolean } = {}): Promise<Ctr> {
    const id = `bt-${randomBytes(6).toString('hex')}`;
    const { bundle, process: proc } = await makeBundle(join(dir, 'bundles', id), id, args, opts);
    const stateDir = join(dir, 'state', id);
    await mkdir(stateDir, { recursive: true });
    return { id, stateDir, bundle, process: proc, log: join(stateDir, `${id}-json.log`) };
  }

  async function create(c: Ctr, o: Partial<ShimStartOptions> = {}): Promise<{ pid: number; shimPid: number }> {
    containers.push(c.id);
    const started = await startShim({
      shimPath, runtimePath: RUNC, runtimeRoot, id: c.id, stateDir: c.stateDir, bundle: c.bundle,
      tty: false, stdin: false, log: { path: c.log }, ...o,
    });
    shims.push(started.shimPid);
    return started;
  }

  async function logs(path: string, maxFile?: number): Promise<LogEntry[]> {
    const out: LogEntry[] = [];
    for await (const e of readLogs(path, { follow: false, tail: -1, maxFile })) out.push(e);
    return out;
  }

  function collect(a: ShimAttach): { out: () => string; err: () => string } {
    let out = '';
    let err = '';
    a.on('stdout', (b: Buffer) => (out += b.toString()));
    a.on('stderr', (b: Buffer) => (err += b.toString()));
    return { out: () => out, err: () => err };
  }

  async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  test('stdout and stderr go to the json log with their streams and times; exit 0', async () => {
    const c = await prepare(['sh', '-c', 'echo out; echo err >&2']);
    const { pid, shimPid } = await create(c);
    assert.ok(pid > 0 && shimPid > 0 && pid !== shimPid);
    assert.equal(await isShimAlive(c.stateDir), true);
    assert.equal(await shimPidIfAlive(c.stateDir), shimPid);
    assert.equal((await runc.state(c.id))?.status, 'created');
    assert.equal((await stat(join(c.stateDir, 'attach.sock'))).mode & 0o777, 0o600);
    await runc.start(c.id);
    const exit = await waitShimExit(c.stateDir);
    assert.equal(exit.exitCode, 0);
    assert.equal(exit.signal, 0);
    const exitedNs = parseRfc3339Nano(exit.exitedAt);
    assert.ok(exitedNs !== undefined && exitedNs > t0, exit.exitedAt);
    assert.deepEqual(await readShimExit(c.stateDir), exit);

    const es = await logs(c.log);
    assert.equal(es.length, 2);
    const out = es.find((e) => e.stream === 'stdout');
    const err = es.find((e) => e.stream === 'stderr');
    assert.equal(out?.line.toString(), 'out\n');
    assert.equal(err?.line.toString(), 'err\n');
    for (const e of es) {
      assert.ok(e.timeNs > t0 && e.timeNs <= BigInt(Date.now() + 1000) * 1_000_000n, String(e.timeNs));
    }
    const raw = (await readFile(c.log, 'utf8')).split('\n').filter(Boolean);
    assert.ok(raw.some((l) => /^\{"log":"out\\n","stream":"stdout","time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z"\}$/.test(l)), raw.join('\n'));
    assert.equal((await stat(c.log)).mode & 0o777, 0o640);

    await until(() => !existsSync(join(c.stateDir, 'attach.sock')), 'attach.sock removal');
    // (pid 1 here may leave the exited shim a zombie for a while: isShimAlive says dead)
    await until(async () => !(await isShimAlive(c.stateDir)), 'shim exit', 5000);
    const names = await readdir(c.stateDir);
    assert.ok(!names.some((n) => n.endsWith('.tmp') || n.endsWith('.sock')), names.join(','));
    await runc.delete(c.id);
  });

  test('exit code 3 is reported', async () => {
    const c = await prepare(['sh', '-c', 'exit 3']);
    await create(c, { log: undefined });
    await runc.start(c.id);
    assert.equal((await waitShimExit(c.stateDir)).exitCode, 3);
    await runc.delete(c.id);
  });

  test('a container killed with SIGKILL exits 137; the shim is detached and small', async (t: TestContext) => {
    const c = await prepare(['sleep', '1000']);
    const { pid, shimPid } = await create(c);
    await runc.start(c.id);
    assert.deepEqual(await runc.state(c.id), { status: 'running', pid });
    // Double fork: the shim is not our child, and leads its own session.
    const st = await procStat(shimPid);
    assert.ok(st);
    assert.notEqual(st.ppid, process.pid);
    assert.equal(st.sid, shimPid);
    const rss = await rssKb(shimPid);
    t.diagnostic(`berth-shim VmRSS: ${rss} kB`);
    console.log(`berth-shim VmRSS: ${rss} kB`);
    assert.ok(rss !== undefined && rss < 5 * 1024, `RSS ${rss} kB`);

    const waiting = waitShimExit(c.stateDir);
    await runc.kill(c.id, 'KILL');
    const exit = await waiting;
    assert.equal(exit.exitCode, 137);
    assert.equal(exit.signal, 9);
    await runc.delete(c.id);
    assert.equal(await runc.state(c.id), undefined);
  });

  test('tty: output arrives through attach and the log, resize is applied', async () => {
    const c = await prepare(['sh', '-c', 'read x; stty size; echo "got $x"'], { tty: true });
    await create(c, { tty: true, stdin: true });
    const a = await ShimAttach.connect(c.stateDir);
    const io = collect(a);
    const closed = new Promise<void>((r) => a.once('close', r));
    a.resize(40, 100);
    await runc.start(c.id);
    a.writeStdin(Buffer.from('go\n')); // after the resize on the same connection
    await until(() => io.out().includes('got go'), 'tty output');
    assert.match(io.out(), /40 100\r?\n/);
    assert.equal(io.err(), '');
    const exit = await waitShimExit(c.stateDir);
    assert.equal(exit.exitCode, 0);
    await closed;
    const text = (await logs(c.log)).map((e) => {
      assert.equal(e.stream, 'stdout');
      return e.line.toString();
    }).join('');
    assert.match(text, /40 100\r\n/);
    assert.match(text, /got go\r\n/);
    await runc.delete(c.id);
  });

  test('stdin through attach reaches the container; close stdin ends it', async () => {
    const c = await prepare(['cat']);
    await create(c, { stdin: true });
    const a = await ShimAttach.connect(c.stateDir);
    const io = collect(a);
    await runc.start(c.id);
    a.writeStdin(Buffer.from('hello\n'));
    await until(() => io.out() === 'hello\n', 'echoed stdin');
    const big = Buffer.alloc(300 * 1024, 'z'); // several frames, more than a pipe holds
    a.writeStdin(big);
    a.closeStdin();
    a.writeStdin(Buffer.from('ignored after close\n'));
    const exit = await waitShimExit(c.stateDir);
    assert.equal(exit.exitCode, 0);
    await until(() => a.closed, 'attach close');
    assert.equal(io.out(), 'hello\n' + big.toString());
    const logged = (await logs(c.log)).map((e) => e.line.toString()).join('');
    assert.equal(logged, io.out());
    a.close();
    await runc.delete(c.id);
  });

  test('exec mode runs a second process in a running container and reports its exit', async () => {
    const c = await prepare(['sleep', '1000']);
    await create(c);
    await runc.start(c.id);
    const execDir = join(dir, 'state', `${c.id}-exec1`);
    await mkdir(execDir, { recursive: true });
    const pf = await writeProcessFile(join(execDir, 'process.json'), c.process, ['sh', '-c', 'echo exec-out; echo exec-err >&2; exit 5']);
    const execLog = join(execDir, 'exec.log');
    const started = await startShim({
      shimPath, runtimePath: RUNC, runtimeRoot, id: c.id, stateDir: execDir, exec: { processFile: pf },
      tty: false, stdin: false, log: { path: execLog },
    });
    shims.push(started.shimPid);
    const exit = await waitShimExit(execDir);
    assert.equal(exit.exitCode, 5);
    const es = await logs(execLog);
    assert.deepEqual(es.map((e) => `${e.stream}:${e.line}`).sort(), ['stderr:exec-err\n', 'stdout:exec-out\n']);
    assert.equal((await runc.state(c.id))?.status, 'running'); // the container itself runs on

    // An exec whose command does not exist fails with runc's message, verbatim.
    const bad = await writeProcessFile(join(execDir, 'bad.json'), c.process, ['no-such-cmd']);
    const badDir = join(dir, 'state', `${c.id}-exec2`);
    await assert.rejects(
      startShim({ shimPath, runtimePath: RUNC, runtimeRoot, id: c.id, stateDir: badDir, exec: { processFile: bad }, tty: false, stdin: false }),
      (e: Error) => e.message.includes('exec: "no-such-cmd": executable file not found in $PATH'),
    );
    await runc.kill(c.id, 9);
    assert.equal((await waitShimExit(c.stateDir)).exitCode, 137);
    await runc.delete(c.id);
  });

  test('an exec that is done before its client comes: the held output arrives though the client closes stdin at once', async () => {
    // docker exec -i with stdin at EOF (docker-compose exec -T under a script): the daemon
    // connects and writes the stdin close in the same breath. The shim, its process long gone,
    // sends the held output and closes; a close with that frame unread reset the connection
    // and the daemon's socket dropped the output it had not read yet.
    const c = await prepare(['sleep', '1000']);
    await create(c);
    await runc.start(c.id);
    for (let i = 0; i < 15; i++) {
      const execDir = join(dir, 'state', `${c.id}-held${i}`);
      await mkdir(execDir, { recursive: true });
      const pf = await writeProcessFile(join(execDir, 'process.json'), c.process, ['sh', '-c', `echo held-${i}`]);
      const started = await startShim({ shimPath, runtimePath: RUNC, runtimeRoot, id: c.id, stateDir: execDir, exec: { processFile: pf }, tty: false, stdin: true });
      shims.push(started.shimPid);
      await until(() => !existsSync(`/proc/${started.pid}`), 'the exec process to exit');
      const a = await ShimAttach.connect(execDir);
      const io = collect(a);
      a.closeStdin();
      await new Promise((r) => a.once('close', r));
      assert.equal(io.out(), `held-${i}\n`, `round ${i}`);
      assert.equal((await waitShimExit(execDir)).exitCode, 0);
    }
    await runc.kill(c.id, 9);
    assert.equal((await waitShimExit(c.stateDir)).exitCode, 137);
    await runc.delete(c.id);
  });

  test('an attach client connected late gets later output', async () => {
    const c = await prepare(['sh', '-c', 'echo early; read x; echo "late-$x"; echo late-err >&2']);
    await create(c, { stdin: true });
    const first = await ShimAttach.connect(c.stateDir);
    const io1 = collect(first);
    await runc.start(c.id);
    await until(() => io1.out() === 'early\n', 'early output');
    const second = await ShimAttach.connect(c.stateDir);
    const io2 = collect(second);
    first.writeStdin(Buffer.from('go\n'));
    await until(() => io2.out() === 'late-go\n' && io2.err() === 'late-err\n', 'late output on the late client');
    assert.equal(io1.out(), 'early\nlate-go\n');
    assert.equal((await waitShimExit(c.stateDir)).exitCode, 0);
    await runc.delete(c.id);
  });

  test('a missing command fails startShim with the runtime error, leaving no sockets', async () => {
    const c = await prepare(['no-such-cmd']);
    await assert.rejects(create(c), (e: Error) => {
      assert.match(e.message, /exec: "no-such-cmd": executable file not found in \$PATH/);
      return true;
    });
    assert.equal(existsSync(join(c.stateDir, 'attach.sock')), false);
    assert.equal(existsSync(join(c.stateDir, 'console.sock')), false);
    assert.equal(await isShimAlive(c.stateDir), false);
    await assert.rejects(ShimAttach.connect(c.stateDir));
    await runc.delete(c.id, true);
  });

  test('log rotation keeps max-file files of about max-size', async () => {
    const c = await prepare(['sh', '-c', 'i=0; while [ $i -lt 40 ]; do echo "line-$i"; i=$((i+1)); done']);
    await create(c, { log: { path: c.log, maxSize: 300, maxFile: 3 } });
    await runc.start(c.id);
    assert.equal((await waitShimExit(c.stateDir)).exitCode, 0);
    for (const f of [c.log, `${c.log}.1`, `${c.log}.2`]) {
      const size = (await stat(f)).size;
      assert.ok(size > 0 && size <= 300, `${f}: ${size}`);
    }
    assert.equal(existsSync(`${c.log}.3`), false);
    const lines = (await logs(c.log, 3)).map((e) => e.line.toString());
    assert.ok(lines.length >= 6 && lines.length < 40, String(lines.length));
    const first = Number(/line-(\d+)/.exec(lines[0])?.[1]);
    assert.deepEqual(lines, Array.from({ length: 40 - first }, (_, k) => `line-${first + k}\n`));
    const tail3 = [];
    for await (const e of readLogs(c.log, { follow: false, tail: 3, maxFile: 3 })) tail3.push(e.line.toString());
    assert.deepEqual(tail3, ['line-37\n', 'line-38\n', 'line-39\n']);
    await runc.delete(c.id);
  });

  test('log lines are escaped like Docker; long lines become partial chunks', async () => {
    const xs = 'x'.repeat(100);
    const script = `printf '<a>&\\t\\001\\377 \\342\\200\\250 q"\\\\\\n'; s=${xs}; i=0; while [ $i -lt 200 ]; do printf %s $s; i=$((i+1)); done; printf end`;
    const c = await prepare(['sh', '-c', script]);
    await create(c);
    await runc.start(c.id);
    assert.equal((await waitShimExit(c.stateDir)).exitCode, 0);
    const raw = (await readFile(c.log, 'utf8')).split('\n').filter(Boolean);
    assert.ok(raw[0].startsWith('{"log":"\\u003ca\\u003e\\u0026\\t\\u0001\\ufffd \\u2028 q\\"\\\\\\n","stream":"stdout","time":"'), raw[0]);
    const es = await logs(c.log);
    // 20000 x's and "end": a 16 KiB partial, then the rest up to EOF.
    const rest = es.slice(1).map((e) => e.line.toString());
    assert.equal(rest[0].length, 16384);
    assert.ok(!rest[0].endsWith('\n'));
    assert.equal(rest.join(''), 'x'.repeat(20000) + 'end');
    await runc.delete(c.id);
  });

  test('follow with stopWhen reads a running container to its end', async () => {
    const c = await prepare(['sh', '-c', 'for i in 1 2 3 4 5; do echo "n$i"; sleep 0.1; done']);
    await create(c);
    let done = false;
    const exiting = waitShimExit(c.stateDir).then((e) => {
      done = true;
      return e;
    });
    await runc.start(c.id);
    const got: string[] = [];
    for await (const e of readLogs(c.log, { follow: true, tail: -1, pollMs: 50, stopWhen: () => done })) got.push(e.line.toString());
    assert.deepEqual(got, ['n1\n', 'n2\n', 'n3\n', 'n4\n', 'n5\n']);
    assert.equal((await exiting).exitCode, 0);
    await runc.delete(c.id);
  });

  test('a client that never reads is dropped; the container is never blocked', async () => {
    // ~4 MiB of output, far more than the 1 MiB a client may have queued.
    const c = await prepare(['sh', '-c', `s=${'y'.repeat(1023)}; i=0; while [ $i -lt 4096 ]; do echo $s; i=$((i+1)); done`]);
    await create(c);
    const { createConnection } = await import('node:net');
    const stuck = createConnection({ path: join(c.stateDir, 'attach.sock') });
    await new Promise<void>((r, j) => stuck.once('connect', r).once('error', j));
    stuck.pause(); // never reads
    const closed = new Promise<void>((r) => stuck.once('close', () => r()));
    stuck.on('error', () => {});
    await runc.start(c.id);
    const exit = await waitShimExit(c.stateDir);
    assert.equal(exit.exitCode, 0);
    const es = await logs(c.log);
    assert.equal(es.length, 4096);
    assert.ok(es.every((e) => e.line.length === 1024));
    stuck.resume();
    await closed;
    await runc.delete(c.id);
  });

  test('a stalled daemon: the exit watch is never dropped, the stdio link is and reconnects', async () => {
    // 4 MB at once on the first line of stdin, then "after" on the second.
    const line = 'y'.repeat(999);
    const c = await prepare(['sh', '-c', `read a; yes ${line} | head -c 4000000; read b; echo after`]);
    await create(c, { stdin: true });
    const link = await ShimStdio.open(c.stateDir);
    let out = '';
    link.on('stdout', (b: Buffer) => (out += b.toString()));
    const linkClosed = new Promise<void>((r) => link.once('close', () => r()));
    let exited = false;
    const exiting = waitShimExit(c.stateDir).then((e) => {
      exited = true;
      return e;
    });
    await runc.start(c.id);
    await new Promise((r) => setTimeout(r, 100)); // let the watch connect before the stall
    link.writeStdin(Buffer.from('go\n'));
    // Stall this whole process (as a SIGSTOPped daemon) until the shim logged the burst: far
    // more than the 1 MiB it queues for a client, so it drops the stdio link.
    const nap = new Int32Array(new SharedArrayBuffer(4));
    const count = () => readFileSync(c.log, 'utf8').split('\n').filter((l) => l.startsWith(`{"log":"${line}\\n"`)).length;
    for (let i = 0; i < 400 && count() < 4000; i++) Atomics.wait(nap, 0, 0, 50);
    assert.equal(count(), 4000);
    await until(() => link.reconnects > 0, 'the link to reconnect');
    assert.equal(exited, false, 'the dropped stdio connection is not taken for the exit');
    assert.equal(await isShimAlive(c.stateDir), true);
    link.writeStdin(Buffer.from('next\n'));
    await until(() => out.endsWith('after\n'), 'output after the reconnection');
    const exit = await exiting;
    assert.equal(exit.exitCode, 0);
    await linkClosed; // closed once the process is done, not before
    assert.equal(count(), 4000);
    await runc.delete(c.id);
  });

  test('a state dir longer than sun_path works (tty, console socket, attach); tty close stdin sends EOF', async () => {
    const c = await prepare(['cat'], { tty: true });
    const longDir = join(dir, 'state', 'd'.repeat(60), 'e'.repeat(60), c.id);
    await mkdir(longDir, { recursive: true });
    assert.ok(Buffer.byteLength(join(longDir, 'attach.sock')) > 108);
    c.stateDir = longDir;
    await create(c, { tty: true, stdin: true, log: { path: join(longDir, 'ctr.log') } });
    assert.equal(await isShimAlive(longDir), true);
    const a = await ShimAttach.connect(longDir);
    const io = collect(a);
    await runc.start(c.id);
    a.writeStdin(Buffer.from('ping\n'));
    await until(() => (io.out().match(/ping\r\n/g) ?? []).length === 2, 'echo and cat output'); // tty echo + cat
    a.closeStdin(); // ^D on an empty line: cat sees EOF
    const exit = await waitShimExit(longDir);
    assert.equal(exit.exitCode, 0);
    await runc.delete(c.id);
  });

  test('waitShimExit on a lost shim reports 255; on a finished one reads the record', async () => {
    const c = await prepare(['sleep', '1000']);
    const { shimPid } = await create(c);
    await runc.start(c.id);
    process.kill(shimPid, 'SIGKILL'); // a shim we started
    await until(async () => !(await isShimAlive(c.stateDir)), 'shim death', 5000);
    const exit = await waitShimExit(c.stateDir);
    assert.equal(exit.exitCode, 255);
    assert.equal(await readShimExit(c.stateDir), undefined);
    await runc.delete(c.id, true);

    const d = await prepare(['true']);
    await create(d);
    await runc.start(d.id);
    const first = await waitShimExit(d.stateDir);
    await until(() => !existsSync(join(d.stateDir, 'attach.sock')), 'socket removal');
    assert.deepEqual(await waitShimExit(d.stateDir), first); // e.g. a restarted daemon asking again
    await runc.delete(d.id);
  });
});

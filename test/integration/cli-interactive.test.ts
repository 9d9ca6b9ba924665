// `berth run -it` and `berth attach` through a real pseudo-terminal: what is typed reaches the
// container's shell, the shell sees the terminal's size and every resize, ctrl-p ctrl-q detaches
// and leaves the container running, the shell's exit code becomes berth's, and the terminal's
// settings are the same after berth as before. A small python3 program owns the pty (Node has
// no pty API): it runs berth on the slave side as the session's controlling terminal, takes
// JSON commands (write bytes, resize) on its stdin and copies the pty's output to its stdout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startDaemonWithBusybox, waitFor, type Daemon } from './harness.ts';

const DRIVER = String.raw`
import os, sys, fcntl, termios, struct, subprocess, select, json
cmd = json.loads(sys.argv[1]); rows, cols = int(sys.argv[2]), int(sys.argv[3])
master, slave = os.openpty()
fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
before = termios.tcgetattr(slave)
def pre():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, preexec_fn=pre, close_fds=True)
ctl = sys.stdin.fileno()
pending = b''
ctl_open = True
while True:
    r, _, _ = select.select([master] + ([ctl] if ctl_open else []), [], [], 0.05)
    if master in r:
        try:
            data = os.read(master, 65536)
        except OSError:
            data = b''
        if data:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
    if ctl_open and ctl in r:
        chunk = os.read(ctl, 65536)
        if not chunk:
            ctl_open = False
        pending += chunk
        while b'\n' in pending:
            line, pending = pending.split(b'\n', 1)
            msg = json.loads(line)
            if 'write' in msg:
                os.write(master, bytes.fromhex(msg['write']))
            if 'resize' in msg:
                fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack('HHHH', msg['resize'][0], msg['resize'][1], 0, 0))
            if 'kill' in msg:
                p.kill()
    if p.poll() is not None and master not in r:
        break
after = termios.tcgetattr(slave)
sys.stderr.write(json.dumps({'exit': p.returncode, 'restored': before == after}) + '\n')
`;

interface PtyResult {
  exit: number;
  restored: boolean;
}

/** berth running on a pseudo-terminal. */
class PtySession {
  private readonly proc: ChildProcess;
  output = '';
  private readonly result: Promise<PtyResult>;

  constructor(driver: string, argv: string[], rows: number, cols: number) {
    this.proc = spawn('python3', [driver, JSON.stringify(argv), String(rows), String(cols)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (c) => (this.output += String(c)));
    let err = '';
    this.proc.stderr!.on('data', (c) => (err += String(c)));
    this.result = new Promise((resolve, reject) => {
      this.proc.on('close', () => {
        try {
          resolve(JSON.parse(err.trim().split('\n').at(-1)!));
        } catch {
          reject(new Error(`pty driver failed: ${err}\noutput: ${this.output}`));
        }
      });
    });
  }

  type(text: string): void {
    this.proc.stdin!.write(JSON.stringify({ write: Buffer.from(text).toString('hex') }) + '\n');
  }

  resize(rows: number, cols: number): void {
    this.proc.stdin!.write(JSON.stringify({ resize: [rows, cols] }) + '\n');
  }

  /** Waits until the output (from `from` on) matches. */
  async expect(re: RegExp, from = 0): Promise<void> {
    await waitFor(async () => re.test(this.output.slice(from)), `${re} in the terminal; got ${JSON.stringify(this.output.slice(from))}`);
  }

  /** The shell's answer to `stty size`, asked until it is `want` (a resize takes a moment). */
  async expectSize(want: string): Promise<void> {
    await waitFor(async () => {
      const mark = this.output.length;
      this.type('stty size\r');
      const end = Date.now() + 2000;
      while (Date.now() < end) {
        const m = /\r\n(\d+ \d+)\r\n/.exec(this.output.slice(mark));
        if (m) return m[1] === want;
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    }, `stty size ${want}; got ${JSON.stringify(this.output.slice(-200))}`, 20_000);
  }

  done(): Promise<PtyResult> {
    return this.result;
  }

  kill(): void {
    if (this.proc.exitCode === null) this.proc.stdin!.write(JSON.stringify({ kill: true }) + '\n');
  }
}

let d: Daemon;
let dir: string;
let driver: string;
const sessions: PtySession[] = [];

before(async () => {
  d = await startDaemonWithBusybox();
  dir = await mkdtemp(join(tmpdir(), 'berth-cli-pty-'));
  driver = join(dir, 'pty-driver.py');
  await writeFile(driver, DRIVER);
});

after(async () => {
  for (const s of sessions) s.kill();
  await d?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function berthOnPty(args: string[], rows = 30, cols = 100): PtySession {
  const s = new PtySession(driver, [join(ROOT, 'bin/berth'), '-H', d.host, ...args], rows, cols);
  sessions.push(s);
  return s;
}

async function running(name: string): Promise<boolean> {
  const r = await d.docker(['inspect', '-f', '{{.State.Running}}', name]);
  return r.stdout.trim() === 'true';
}

describe('berth run -it through a pty', () => {
  test('typing, size, resize, detach with ctrl-p ctrl-q, attach again, exit code', async () => {
    const s = berthOnPty(['run', '-it', '--name', 'tty1', 'busybox', 'sh']);
    await s.expect(/\/ # /);
    let mark = s.output.length;
    s.type('echo hi\r');
    await s.expect(/\r\nhi\r\n/, mark);
    // The terminal's size at the start, then after a resize (TIOCSWINSZ sends berth SIGWINCH).
    await s.expectSize('30 100');
    s.resize(40, 120);
    await s.expectSize('40 120');
    // In raw mode the container's own line endings arrive unchanged (no "\r\r\n").
    assert.doesNotMatch(s.output, /\r\r\n/);
    s.type('\x10\x11');
    const detached = await s.done();
    assert.equal(detached.exit, 0);
    assert.equal(detached.restored, true, 'terminal settings restored after detach');
    assert.equal(await running('tty1'), true, 'the container runs on after the detach');

    const a = berthOnPty(['attach', 'tty1'], 25, 90);
    mark = a.output.length;
    a.type('echo again\r');
    await a.expect(/\r\nagain\r\n/, mark);
    // attach sends the new terminal's size.
    await a.expectSize('25 90');
    a.type('exit 3\r');
    const ended = await a.done();
    assert.equal(ended.exit, 3);
    assert.equal(ended.restored, true, 'terminal settings restored after the container exits');
    assert.equal(await running('tty1'), false);
    await d.docker(['rm', '-f', 'tty1']);
  });

  test('custom --detach-keys, and the shell\'s exit code from run -it --rm', async () => {
    const s = berthOnPty(['run', '-it', '--rm', '--name', 'tty2', '--detach-keys', 'ctrl-a,x', 'busybox', 'sh']);
    await s.expect(/\/ # /);
    // ctrl-p ctrl-q is just input now; ctrl-a x detaches.
    s.type('\x10\x11echo still here\r');
    await s.expect(/still here\r\n/);
    s.type('\x01x');
    const detached = await s.done();
    assert.equal(detached.exit, 0);
    assert.equal(detached.restored, true);
    assert.equal(await running('tty2'), true);

    const a = berthOnPty(['attach', 'tty2']);
    a.type('exit 7\r');
    const ended = await a.done();
    assert.equal(ended.exit, 7);
    assert.equal(ended.restored, true);
    await waitFor(async () => (await d.docker(['inspect', 'tty2'])).code !== 0, '--rm to remove tty2');
  });

  test('detach keys from config.json', async () => {
    const configDir = join(dir, 'config');
    await mkdir(configDir, { recursive: true });
    await writeFile(join(configDir, 'config.json'), JSON.stringify({ detachKeys: 'ctrl-e,e' }));
    const s = berthOnPty(['--config', configDir, 'run', '-it', '--name', 'tty5', 'busybox', 'sh']);
    await s.expect(/\/ # /);
    s.type('\x05e');
    const detached = await s.done();
    assert.equal(detached.exit, 0);
    assert.equal(detached.restored, true);
    assert.equal(await running('tty5'), true);
    await d.docker(['rm', '-f', 'tty5']);
  });

  test('run -it ends with the shell\'s exit code', async () => {
    const s = berthOnPty(['run', '-it', '--rm', 'busybox', 'sh']);
    await s.expect(/\/ # /);
    s.type('exit 3\r');
    const ended = await s.done();
    assert.equal(ended.exit, 3);
    assert.equal(ended.restored, true);
  });

  test('exec -it gets a terminal of the right size, and its exit code', async () => {
    assert.equal((await d.docker(['run', '-d', '--name', 'tty3', 'busybox', 'sleep', '300'])).code, 0);
    const s = berthOnPty(['exec', '-it', 'tty3', 'sh'], 33, 77);
    await s.expect(/\/ # /);
    await s.expectSize('33 77');
    s.resize(20, 60);
    await s.expectSize('20 60');
    s.type('exit 4\r');
    const ended = await s.done();
    assert.equal(ended.exit, 4);
    assert.equal(ended.restored, true);
    await d.docker(['rm', '-f', 'tty3']);
  });

  test('the terminal is restored when berth is killed by SIGTERM without --sig-proxy', async () => {
    const s = berthOnPty(['run', '-it', '--rm', '--sig-proxy=false', '--name', 'tty4', 'busybox', 'sh']);
    await s.expect(/\/ # /);
    // berth is the pty session's leader: its pid is the session id of processes on that tty.
    const pid = await berthPid('tty4');
    process.kill(pid, 'SIGTERM');
    const ended = await s.done();
    assert.equal(ended.restored, true);
    await d.docker(['rm', '-f', 'tty4']);
  });
});

/** The pid of the berth process attached to the named container (found by its argv). */
async function berthPid(name: string): Promise<number> {
  const { readdir, readFile } = await import('node:fs/promises');
  let found = 0;
  await waitFor(async () => {
    for (const p of await readdir('/proc')) {
      if (!/^\d+$/.test(p)) continue;
      const argv = (await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '')).split('\0');
      if (argv.some((a) => a.endsWith('berth.js') || a.endsWith('bin/berth')) && argv.includes(name) && argv.includes(d.host)) {
        found = Number(p);
        return true;
      }
    }
    return false;
  }, `the berth process for ${name}`);
  return found;
}

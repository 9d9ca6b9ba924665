// Detach keys act only on a TTY, as in Docker: without one, ctrl-p ctrl-q are plain stdin bytes
// (issue 8, bug 8). The TTY case is covered through a real pty in cli-interactive.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemonWithBusybox, type Daemon } from './harness.ts';

let d: Daemon;
before(async () => {
  d = await startDaemonWithBusybox();
});
after(async () => {
  await d?.cleanup();
});

const INPUT = Buffer.from('a\x10\x11b');
// busybox od -c: the four bytes, then the offset 4.
const OD_OUTPUT = /^0000000\s+a\s+020\s+021\s+b\s*\n0000004\n$/;

test('docker run -i without a TTY passes ctrl-p ctrl-q through to stdin', async () => {
  const r = await d.docker(['run', '-i', '--rm', 'busybox', 'od', '-c'], { input: INPUT, timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, OD_OUTPUT);
});

test('docker exec -i without a TTY passes ctrl-p ctrl-q through to stdin', async () => {
  const c = await d.docker(['run', '-d', '--name', 'dk', 'busybox', 'sleep', '300']);
  assert.equal(c.code, 0, c.stderr);
  const r = await d.docker(['exec', '-i', 'dk', 'od', '-c'], { input: INPUT, timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, OD_OUTPUT);
  await d.docker(['rm', '-f', 'dk']);
});

// The build's terminal view, rendered to strings with a fake clock from classic streams as the
// daemon sends them; TtyBuildDisplay's output replayed on a small terminal emulator to check
// that each frame is drawn over the last one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildProgressView, TtyBuildDisplay } from './build-view.ts';
import type { JsonMessage } from './json-message.ts';

function clock(): { now: () => number; tick(ms: number): void } {
  let t = 1_000_000;
  return { now: () => t, tick: (ms) => (t += ms) };
}

const s = (stream: string): JsonMessage => ({ stream });

test('steps with their times right-aligned at the width, cached steps, the running step\'s last 6 lines, the header count', () => {
  const c = clock();
  const v = new BuildProgressView({ width: 60, now: c.now });
  v.contextProgress(1024, false);
  c.tick(200);
  v.contextProgress(3072, true);
  v.message(s('Step 1/3 : FROM busybox'));
  v.message(s('\n'));
  c.tick(100);
  v.message(s(' ---> 0123456789ab\n'));
  v.message(s('Step 2/3 : COPY a.txt /\n'));
  v.message(s(' ---> Using cache\n'));
  v.message(s(' ---> 222222222222\n'));
  v.message(s('Step 3/3 : RUN for i in 1 2 3 4 5 6 7 8; do echo line $i; done\n'));
  v.message(s(' ---> Running in 111111111111\n'));
  for (let i = 1; i <= 8; i++) v.message(s(`line ${i}\n`));
  // a line not ended yet is not shown
  v.message(s('partial'));
  c.tick(1300);
  assert.deepEqual(v.render(), [
    '[+] Building 1.6s (3/4)',
    ' => [internal] load build context                       0.2s',
    ' => => transferring context: 3.07kB',
    ' => [1/3] FROM busybox                                  0.1s',
    ' => CACHED [2/3] COPY a.txt /                           0.0s',
    ' => [3/3] RUN for i in 1 2 3 4 5 6 7 8; do echo line $  1.3s',
    ' => => # line 3',
    ' => => # line 4',
    ' => => # line 5',
    ' => => # line 6',
    ' => => # line 7',
    ' => => # line 8',
  ]);
  v.message(s('\n'));
  v.message(s(' ---> Removed intermediate container 111111111111\n'));
  c.tick(100);
  v.message(s(' ---> 333333333333\n'));
  v.message({ aux: { ID: 'sha256:33' } });
  v.message(s('Successfully built 333333333333\n'));
  v.message(s('Successfully tagged app:latest\n'));
  v.finish();
  c.tick(5000); // a finished view's time no longer moves
  assert.deepEqual(v.render(), [
    '[+] Building 1.7s (4/4) FINISHED',
    ' => [internal] load build context                       0.2s',
    ' => => transferring context: 3.07kB',
    ' => [1/3] FROM busybox                                  0.1s',
    ' => CACHED [2/3] COPY a.txt /                           0.0s',
    ' => [3/3] RUN for i in 1 2 3 4 5 6 7 8; do echo line $  1.4s',
  ]);
  assert.deepEqual(v.trailer(), ['Successfully built 333333333333', 'Successfully tagged app:latest']);
  assert.deepEqual(v.errorBlock(), []);
});

test('a failing step is marked ERROR and its output is kept for the error block', () => {
  const c = clock();
  const v = new BuildProgressView({ width: 50, now: c.now });
  for (const m of ['Step 1/2 : FROM busybox\n', ' ---> 0123456789ab\n', 'Step 2/2 : RUN echo oops; exit 3\n', ' ---> Running in 111111111111\n', 'oops\n']) v.message(s(m));
  c.tick(400);
  v.fail();
  assert.deepEqual(v.render(), [
    '[+] Building 0.4s (2/2)',
    ' => [1/2] FROM busybox                        0.0s',
    ' => ERROR [2/2] RUN echo oops; exit 3         0.4s',
    ' => => # oops',
  ]);
  assert.deepEqual(v.errorBlock(), ['------', ' > [2/2] RUN echo oops; exit 3:', 'oops', '------']);
});

test('pull progress of a FROM is one line per layer; hostile text cannot move the cursor', () => {
  const c = clock();
  const v = new BuildProgressView({ width: 40, now: c.now });
  v.message(s('Step 1/1 : FROM localhost:5000/img\n'));
  v.message({ status: 'Pulling fs layer', id: 'aaaa', progressDetail: {} });
  v.message({ status: 'Downloading', id: 'aaaa', progressDetail: { current: 500, total: 1000 } });
  v.message({ status: 'Pulling fs layer', id: 'bbbb', progressDetail: {} });
  v.message(s('\x1b[2Aevil\tline\r\n'));
  v.message(s('10%\r50%\r100%\r\n'));
  assert.deepEqual(v.render(), [
    '[+] Building 0.0s (0/1)',
    ' => [1/1] FROM localhost:5000/img   0.0s',
    ' => => aaaa: Downloading 500B/1kB',
    ' => => bbbb: Pulling fs layer',
    ' => => # evil    line',
    ' => => # 100%',
  ]);
});

test('the view keeps to the terminal height, dropping the oldest finished steps', () => {
  const c = clock();
  const v = new BuildProgressView({ width: 40, height: 5, now: c.now });
  for (let i = 1; i <= 5; i++) {
    v.message(s(`Step ${i}/6 : RUN step${i}\n`));
    v.message(s(` ---> ${String(i).repeat(12)}\n`));
  }
  v.message(s('Step 6/6 : RUN last\n'));
  v.message(s('out\n'));
  const frame = v.render();
  assert.equal(frame.length, 4);
  assert.equal(frame[0], '[+] Building 0.0s (5/6)');
  assert.match(frame[1]!, /^ => \[5\/6\] RUN step5 /);
  assert.match(frame[2]!, /^ => \[6\/6\] RUN last /);
  assert.equal(frame[3], ' => => # out');
});

/** Enough of a VT100 to replay the display: CR, LF, cursor up, erase line and erase below. */
function emulate(text: string): string[] {
  const screen: string[] = [''];
  let row = 0;
  let col = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\x1b') {
      const m = /^\x1b\[(\d*)([AKJ])/.exec(text.slice(i))!;
      assert.ok(m, `unknown escape at ${i}`);
      const n = Number(m[1] || '1');
      if (m[2] === 'A') row = Math.max(0, row - n);
      if (m[2] === 'K') screen[row] = screen[row]!.slice(0, col);
      if (m[2] === 'J') screen.splice(row + 1);
      if (m[2] === 'J') screen[row] = screen[row]!.slice(0, col);
      i += m[0].length - 1;
      continue;
    }
    if (ch === '\r') {
      col = 0;
      continue;
    }
    if (ch === '\n') {
      row++;
      col = 0;
      if (screen.length <= row) screen.push('');
      continue;
    }
    const line = screen[row]!.padEnd(col);
    screen[row] = line.slice(0, col) + ch + line.slice(col + 1);
    col++;
  }
  return screen;
}

test('frames are drawn over each other in place', () => {
  const c = clock();
  let written = '';
  const v = new BuildProgressView({ width: 40, now: c.now });
  const d = new TtyBuildDisplay({ write: (t: string) => (written += t) }, v);
  d.draw();
  v.message(s('Step 1/2 : RUN a\n'));
  for (let i = 0; i < 8; i++) v.message(s(`out ${i}\n`));
  d.draw();
  c.tick(1000);
  v.message(s(' ---> aaaaaaaaaaaa\n'));
  v.message(s('Step 2/2 : RUN b\n'));
  d.draw();
  v.message(s(' ---> bbbbbbbbbbbb\n'));
  v.finish();
  d.draw();
  const screen = emulate(written);
  assert.deepEqual(screen, [
    '[+] Building 1.0s (2/2) FINISHED',
    ' => [1/2] RUN a                     1.0s',
    ' => [2/2] RUN b                     0.0s',
    '',
  ]);
  // the frames before went up (one cursor move per redraw)
  assert.equal(written.match(/\x1b\[\d+A/g)!.length, 3);
});

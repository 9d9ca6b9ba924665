import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { StdioHub, type ShimStdio } from './stdio-hub.ts';
import { waitForExit } from './exit-watch.ts';

class FakeStdio extends EventEmitter implements ShimStdio {
  writeStdin(): void {}
  closeStdin(): void {}
  resize(): void {}
  close(): void {}
}

const EXIT = { exitCode: 3, signal: 0, exitedAt: '2026-01-01T00:00:00Z' };

test('the exit comes from the exit watch, and only once the stdio has delivered its tail', async () => {
  const hub = new StdioHub();
  const stdio = new FakeStdio();
  hub.connect(stdio);
  let recorded: (e: typeof EXIT) => void = () => {};
  const asked: string[] = [];
  const runtime = {
    waitExit: (dir: string) => {
      asked.push(dir);
      return new Promise<typeof EXIT>((r) => (recorded = r));
    },
  };
  let done = false;
  const watching = waitForExit(runtime, '/state/c1', hub).then((e) => {
    done = true;
    return e;
  });

  stdio.emit('close'); // the stdio connection alone says nothing about the exit
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false);
  recorded(EXIT);
  assert.deepEqual(await watching, EXIT);
  assert.deepEqual(asked, ['/state/c1']);
});

test('a recorded exit waits for the stdio connection to finish delivering output', async () => {
  const hub = new StdioHub();
  const stdio = new FakeStdio();
  hub.connect(stdio);
  let done = false;
  const watching = waitForExit({ waitExit: async () => EXIT }, '/s', hub).then(() => {
    done = true;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false);
  stdio.emit('close');
  await watching;
  assert.equal(done, true);
});

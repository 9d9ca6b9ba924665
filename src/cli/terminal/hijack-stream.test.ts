// streamHijacked over an in-memory connection: frames split to stdout/stderr, stdin's EOF
// half-closes, TTY output is copied as is, and the detach keys end a TTY session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex, PassThrough } from 'node:stream';
import { muxFrame } from '../../common/index.ts';
import { streamHijacked } from './hijack-stream.ts';

/** Both ends of a connection: what the client writes shows up in `sent`. */
function connection() {
  const sent: Buffer[] = [];
  let ended = false;
  const socket = new Duplex({
    read() {},
    write(chunk, _enc, cb) {
      sent.push(Buffer.from(chunk));
      cb();
    },
    final(cb) {
      ended = true;
      cb();
    },
  });
  return { socket, sent, isEnded: () => ended };
}

function sink() {
  const chunks: Buffer[] = [];
  const s = new PassThrough();
  s.on('data', (c) => chunks.push(c));
  return { stream: s, text: () => Buffer.concat(chunks).toString() };
}

test('multiplexed output goes to stdout and stderr; stdin EOF half-closes', async () => {
  const c = connection();
  const out = sink();
  const err = sink();
  const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
  const done = streamHijacked({ conn: { socket: c.socket, head: muxFrame(1, Buffer.from('from head\n')), headers: {} }, tty: false, stdin, stdout: out.stream, stderr: err.stream, detachKeys: '' });
  const frames = Buffer.concat([muxFrame(1, Buffer.from('out\n')), muxFrame(2, Buffer.from('err\n'))]);
  // Split mid-header: the demuxer has to hold partial frames.
  c.socket.push(frames.subarray(0, 5));
  c.socket.push(frames.subarray(5));
  (stdin as unknown as PassThrough).end('typed\n');
  await new Promise((r) => setImmediate(r));
  assert.equal(Buffer.concat(c.sent).toString(), 'typed\n');
  assert.equal(c.isEnded(), true);
  c.socket.push(null);
  assert.equal(await done, 'done');
  assert.equal(out.text(), 'from head\nout\n');
  assert.equal(err.text(), 'err\n');
});

test('with a TTY the bytes are copied unchanged and the detach keys end the session', async () => {
  const c = connection();
  const out = sink();
  const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
  const done = streamHijacked({ conn: { socket: c.socket, head: Buffer.alloc(0), headers: {} }, tty: true, stdin, stdout: out.stream, detachKeys: 'ctrl-a,x' });
  c.socket.push(Buffer.from([1, 2, 3, 0x0d, 0x0a]));
  (stdin as unknown as PassThrough).write(Buffer.from('ls\r\x01x'));
  await new Promise((r) => setImmediate(r));
  // The keys are passed on so that the daemon ends its side of the attach.
  assert.equal(Buffer.concat(c.sent).toString(), 'ls\r\x01x');
  assert.equal(c.isEnded(), false, 'a detach does not close the container\'s stdin');
  c.socket.push(null);
  assert.equal(await done, 'detached');
  assert.deepEqual([...Buffer.from(out.text())], [1, 2, 3, 0x0d, 0x0a]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ev, PlainWriter, progressWriter, TtyWriter } from './progress.ts';

const sink = (isTTY = false) => {
  const chunks: string[] = [];
  return { out: { write: (s: string) => chunks.push(s), isTTY, columns: 60 }, text: () => chunks.join('') };
};
// eslint-disable-next-line no-control-regex
const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

test('the plain writer prints compose plain lines', () => {
  const s = sink();
  const w = new PlainWriter(s.out);
  w.event(ev.creating('Container p-web-1'));
  w.event(ev.created('Container p-web-1'));
  w.event(ev.started('Network p_default'));
  assert.equal(s.text(), ' Container p-web-1  Creating\n Container p-web-1  Created\n Network p_default  Started\n');
});

test('auto picks the tty view on a terminal, plain elsewhere; quiet prints nothing; a bad mode is refused', () => {
  assert.ok(progressWriter('auto', sink(true).out) instanceof TtyWriter);
  assert.ok(progressWriter('auto', sink(false).out) instanceof PlainWriter);
  const q = sink();
  const w = progressWriter('quiet', q.out);
  w.event(ev.created('x'));
  w.stop();
  assert.equal(q.text(), '');
  assert.throws(() => progressWriter('fancy', sink().out), /unknown progress mode: fancy/);
});

test('the tty view: a title with done/total, one line per id, padded status, elapsed time on the right', () => {
  let now = 1000;
  const s = sink(true);
  const w = new TtyWriter(s.out, 'Running', () => now);
  w.event(ev.creating('Network p_default'));
  w.event(ev.creating('Container p-web-10'));
  now = 1100;
  w.event(ev.created('Network p_default'));
  now = 1500;
  const lines = w.render(60, 0).map(strip);
  assert.equal(lines[0], '[+] Running 1/2');
  assert.match(lines[1], /^ ✔ Network p_default   Created +0\.1s$/);
  assert.match(lines[2], /^ ⠋ Container p-web-10  Creating +0\.5s$/);
  assert.equal(lines[1].length, 59);
  now = 1600;
  w.event(ev.started('Container p-web-10'));
  const done = w.render(60, 3);
  assert.match(done[0], /^\x1b\[34m\[\+\] Running 2\/2/);
  assert.match(strip(done[2]), /^ ✔ Container p-web-10  Started +0\.6s$/);
  w.stop();
  assert.match(strip(s.text()), /\[\+\] Running 2\/2\n/);
});

test('the tty view prints tail messages after its last frame', () => {
  const s = sink(true);
  const w = new TtyWriter(s.out, 'Running', () => 0);
  w.event(ev.created('Container x'));
  w.tail('a message');
  w.stop();
  assert.match(s.text(), /Created[^\n]*\n\x1b\[\?25ha message\n$/);
});

test('the json writer prints compose\'s {"id","status"} lines and tail messages', () => {
  const s = sink();
  const w = progressWriter('json', s.out);
  w.event(ev.created('Container p-web-1'));
  w.tail('done');
  assert.equal(s.text(), '{"id":"Container p-web-1","status":"Created"}\n{"tail":true,"text":"done"}\n');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogPrinter } from './log-printer.ts';

const sink = () => {
  const chunks: string[] = [];
  return { out: { write: (s: string) => chunks.push(s) }, text: () => chunks.join('') };
};

test('lines are prefixed with the name padded to the widest one and " | "', () => {
  const s = sink();
  const p = new LogPrinter(s.out, s.out, { color: false, prefix: true });
  p.register('web-1');
  p.register('db-10');
  p.out('web-1', 'hello\nwor');
  p.out('web-1', 'ld\n');
  p.out('db-10', 'ready\n');
  p.status('web-1', 'exited with code 0');
  assert.equal(s.text(), 'web-1  | hello\nweb-1  | world\ndb-10  | ready\nweb-1 exited with code 0\n');
});

test('each container gets the next colour of the rainbow; --no-log-prefix drops the prefix', () => {
  const s = sink();
  const p = new LogPrinter(s.out, s.out, { color: true, prefix: true });
  p.line('a-1', 'x');
  p.line('b-1', 'y');
  assert.equal(s.text(), '\x1b[36ma-1  | \x1b[0mx\n\x1b[33mb-1  | \x1b[0my\n');
  const n = sink();
  const q = new LogPrinter(n.out, n.out, { color: true, prefix: false });
  q.line('a-1', 'x');
  assert.equal(n.text(), 'x\n');
});

test('a partial last line is printed when the stream ends; stderr lines go to stderr', () => {
  const out = sink();
  const err = sink();
  const p = new LogPrinter(out.out, err.out, { color: false, prefix: true });
  p.out('w-1', 'no newline');
  p.out('w-1', 'oops\n', 'stderr');
  assert.equal(out.text(), '');
  p.flush('w-1');
  assert.equal(out.text(), 'w-1  | no newline\n');
  assert.equal(err.text(), 'w-1  | oops\n');
});

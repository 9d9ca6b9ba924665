import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetachScanner, detachKeysOrDefault } from './detach-keys.ts';

// The syntax itself is tested in common/detach-keys.test.ts.
test('the flag or config value, else ctrl-p,ctrl-q', () => {
  assert.deepEqual([...detachKeysOrDefault('ctrl-a,x')], [1, 120]);
  assert.deepEqual([...detachKeysOrDefault('')], [16, 17]);
  assert.deepEqual([...detachKeysOrDefault('nonsense-key')], [16, 17]);
});

test('the scanner finds the sequence in one chunk or across chunks', () => {
  const s = new DetachScanner(Buffer.from([16, 17]));
  assert.deepEqual(s.push(Buffer.from('ab')), { forward: Buffer.from('ab'), detached: false });
  // A held ctrl-p is let through once the next byte shows it was not the sequence.
  assert.deepEqual(s.push(Buffer.from([16])), { forward: Buffer.alloc(0), detached: false });
  assert.deepEqual(s.push(Buffer.from('z')), { forward: Buffer.from([16, 122]), detached: false });
  assert.deepEqual(s.push(Buffer.from([16])).detached, false);
  assert.deepEqual(s.push(Buffer.from([17])), { forward: Buffer.from([16, 17]), detached: true });
  const t = new DetachScanner(Buffer.from([16, 17]));
  assert.deepEqual(t.push(Buffer.from([104, 16, 16, 17])), { forward: Buffer.from([104, 16, 16, 17]), detached: true });
});

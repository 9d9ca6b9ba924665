import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from './detach-keys.ts';

test('detach key specs as moby/term reads them', () => {
  assert.deepEqual([...parseDetachKeys(DEFAULT_DETACH_KEYS)], [16, 17]);
  assert.deepEqual([...parseDetachKeys('ctrl-p,ctrl-q')], [16, 17]);
  assert.deepEqual([...parseDetachKeys('ctrl-a,x')], [1, 120]);
  assert.deepEqual([...parseDetachKeys('ctrl-@,ctrl-_,DEL')], [0, 31, 127]);
  assert.deepEqual([...parseDetachKeys('ctrl-z,ctrl-[,ctrl-\\,ctrl-],ctrl-^')], [26, 27, 28, 29, 30]);
  assert.throws(() => parseDetachKeys('ctrl-1'), { message: "Unknown character: 'ctrl-1'" });
  assert.throws(() => parseDetachKeys('abc'), { message: "Unknown character: 'abc'" });
});

test('keys Go does not take as one byte are unknown', () => {
  // Go's len counts bytes: a non-ASCII letter is not a key.
  assert.throws(() => parseDetachKeys('é'), { message: "Unknown character: 'é'" });
  // An empty key (a stray comma, or no keys at all) is unknown too.
  assert.throws(() => parseDetachKeys('ctrl-p,'), { message: "Unknown character: ''" });
  assert.throws(() => parseDetachKeys(''), { message: "Unknown character: ''" });
  assert.throws(() => parseDetachKeys('CTRL-P'), { message: "Unknown character: 'CTRL-P'" });
});

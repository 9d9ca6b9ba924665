import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorKind } from '../../common/index.ts';
import { DEFAULT_DETACH_KEYS, DetachKeyScanner, parseDetachKeys } from './detach-keys.ts';

test('a request\'s detach keys: moby/term syntax, a bad spec is invalid input', () => {
  assert.deepEqual([...parseDetachKeys(DEFAULT_DETACH_KEYS, 'exec')], [16, 17]);
  assert.deepEqual([...parseDetachKeys('ctrl-a,x,DEL', 'attach')], [1, 120, 127]);
  assert.throws(() => parseDetachKeys('ctrl-1', 'exec'), (err) => {
    assert.equal(errorKind(err), 'InvalidParameter');
    assert.equal((err as Error).message, 'Invalid escape keys (ctrl-1) provided');
    return true;
  });
  assert.throws(() => parseDetachKeys('ctrl-1', 'attach'), { message: 'Invalid detach keys (ctrl-1) provided' });
});

test('the scanner holds back a possible start and drops the sequence itself', () => {
  const s = new DetachKeyScanner(Buffer.from([16, 17]));
  assert.deepEqual(s.push(Buffer.from([104, 16])), { data: Buffer.from([104]), detach: false });
  assert.deepEqual(s.push(Buffer.from([105])), { data: Buffer.from([16, 105]), detach: false });
  assert.deepEqual(s.push(Buffer.from([16, 16, 17])), { data: Buffer.from([16]), detach: true });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processEnv, envKey } from './env.ts';

test('defaults first, overridden by key in place, TERM only with a tty', () => {
  assert.deepEqual(processEnv(['HOSTNAME=x', 'A=1'], 'h', false), [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'HOSTNAME=x',
    'A=1',
  ]);
  assert.ok(processEnv([], 'h', true).includes('TERM=xterm'));
});

test('a bare KEY removes the key; a later KEY=v brings it back', () => {
  assert.deepEqual(processEnv(['TERM', 'PATH', 'PATH=/bin'], 'h', true), ['PATH=/bin', 'HOSTNAME=h']);
  assert.equal(envKey('A=b=c'), 'A');
  assert.equal(envKey('A'), 'A');
});

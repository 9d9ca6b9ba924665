import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResult } from './shim-health.ts';

test('a shim\'s result line: a probe\'s exit and output, or the runtime\'s error', () => {
  assert.deepEqual(parseResult('{"seq":3,"start":"a","end":"b","exitCode":2,"timedOut":false,"truncated":true,"output":"x\\u003c\\n"}'),
    { seq: 3, start: 'a', end: 'b', exitCode: 2, timedOut: false, truncated: true, output: 'x<\n' });
  assert.deepEqual(parseResult('{"seq":4,"start":"a","end":"b","error":"exec failed"}'), { seq: 4, start: 'a', end: 'b', error: 'exec failed' });
});

test('anything else is no result (never a throw)', () => {
  for (const line of ['', 'run 1 2', '{', 'null', '[]', '{"seq":"1","start":"a","end":"b","exitCode":0,"output":""}',
    '{"seq":1,"start":"a","end":"b"}', '{"seq":1,"start":"a","end":"b","exitCode":1.5,"output":""}', '{"seq":1,"start":"a","end":"b","exitCode":0,"output":5}']) {
    assert.equal(parseResult(line), undefined, line);
  }
});

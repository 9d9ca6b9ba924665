import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawJson } from './raw-json.ts';

test('a raw JSON number is written verbatim, beyond a double\'s exact range', () => {
  assert.equal(JSON.stringify({ hard: rawJson('18446744073709551615') }), '{"hard":18446744073709551615}');
});

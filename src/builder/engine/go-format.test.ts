import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goDuration, goQuoteRune, goQuoteSlice, goSlice } from './go-format.ts';

test('goDuration matches time.Duration.String', () => {
  assert.equal(goDuration(0), '0s');
  assert.equal(goDuration(1), '1ns');
  assert.equal(goDuration(1500), '1.5µs');
  assert.equal(goDuration(500e6), '500ms');
  assert.equal(goDuration(1.5e9), '1.5s');
  assert.equal(goDuration(30e9), '30s');
  assert.equal(goDuration(300e9), '5m0s');
  assert.equal(goDuration(3600e9), '1h0m0s');
  assert.equal(goDuration(3723.5e9), '1h2m3.5s');
  assert.equal(goDuration(-2e9), '-2s');
});

test('goQuoteRune and the slice forms', () => {
  assert.equal(goQuoteRune(0), "'\\x00'");
  assert.equal(goQuoteRune(3), "'\\x03'");
  assert.equal(goQuoteRune(10), "'\\n'");
  assert.equal(goQuoteRune(65), "'A'");
  assert.equal(goQuoteRune(39), "'\\''");
  assert.equal(goQuoteSlice(['/bin/sh', '-c', 'echo "hi"\t\\']), '["/bin/sh" "-c" "echo \\"hi\\"\\t\\\\"]');
  assert.equal(goQuoteSlice(['é']), '["é"]');
  assert.equal(goQuoteSlice(null), '[]');
  assert.equal(goSlice(['/a', '/b']), '[/a /b]');
});

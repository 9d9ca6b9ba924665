import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indentJson } from './inspector.ts';
import { ellipsis, getTimestamp, goQuote, goTimeString, naturalCompare, truncateId } from '../shared.ts';

test("indentJson re-indents like Go's json.Indent, keeping values as written", () => {
  assert.equal(indentJson('[{"a":1,"b":[],"c":{},"d":[1,2],"e":"x, {y}: \\"z\\""}]'),
    '[\n    {\n        "a": 1,\n        "b": [],\n        "c": {},\n        "d": [\n            1,\n            2\n        ],\n        "e": "x, {y}: \\"z\\""\n    }\n]');
  assert.equal(indentJson('{"n":1.0e+21, "u":"\\u003c"}'), '{\n    "n": 1.0e+21,\n    "u": "\\u003c"\n}');
});

test('small docker/cli helpers', () => {
  assert.equal(truncateId('sha256:4c883736c72ed6d1d12fad4dacef115c73a72fcc76cbbae47615625b11592ec6'), '4c883736c72e');
  assert.equal(ellipsis('abcdef', 4), 'abc…');
  assert.equal(ellipsis('abc', 4), 'abc');
  assert.equal(goQuote('a "b"\n\\'), '"a \\"b\\"\\n\\\\"');
  assert.equal(getTimestamp('10s', 1_000_500), '990');
  assert.equal(getTimestamp('0'), '0');
  assert.throws(() => getTimestamp('xyz'), /^Error: failed to parse value as time or duration: "xyz"$/);
  assert.throws(() => getTimestamp('2020-13-45'), /^Error: parsing time "2020-13-45": month out of range$/);
  assert.equal(getTimestamp('2000-01-01T00:00:00Z'), '946684800.000000000');
  assert.equal(getTimestamp('2000-01-01'), '946684800.000000000');
  assert.equal(getTimestamp('1700000000.5'), '1700000000.5');
  assert.equal(goTimeString(1795354184), '2026-11-22 13:29:44 +0000 UTC');
  assert.equal(goTimeString(0), '1970-01-01 00:00:00 +0000 UTC');
  assert.deepEqual(['80/tcp -> :9', '8080/tcp -> :1', '443/tcp -> :2'].sort(naturalCompare), ['80/tcp -> :9', '443/tcp -> :2', '8080/tcp -> :1']);
});

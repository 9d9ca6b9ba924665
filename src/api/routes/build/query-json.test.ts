// The JSON query parameters of POST /build decoded with Go's words (checked against what Go's
// encoding/json says for the same input).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGoJsonSyntax, decodeOutputs, decodeStringList, decodeStringMap, decodeStringPtrMap, decodeUlimits } from './query-json.ts';

test('syntax errors in Go\'s scanner words', () => {
  const cases: [string, string][] = [
    ['', 'unexpected end of JSON input'],
    ['{', 'unexpected end of JSON input'],
    ['x', "invalid character 'x' looking for beginning of value"],
    ['{bad', "invalid character 'b' looking for beginning of object key string"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b"}', "invalid character '\"' after object key:value pair"],
    ['[1 2]', "invalid character '2' after array element"],
    ['{"a":1}x', "invalid character 'x' after top-level value"],
    ['tru', 'unexpected end of JSON input'],
    ['trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['"a\u0001"', "invalid character '\\x01' in string literal"],
    ['"\\q"', "invalid character 'q' in string escape code"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['1.x', "invalid character 'x' after decimal point in numeric literal"],
    ["'a'", "invalid character '\\'' looking for beginning of value"],
  ];
  for (const [input, message] of cases) assert.throws(() => checkGoJsonSyntax(input), { message }, JSON.stringify(input));
  for (const ok of ['{}', '[]', 'null', ' {"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"]} ']) checkGoJsonSyntax(ok);
});

test('buildargs: map[string]*string, null values kept', () => {
  assert.deepEqual(decodeStringPtrMap('{"A":"1","B":null}'), { A: '1', B: null });
  assert.deepEqual(decodeStringPtrMap('null'), {});
  assert.throws(() => decodeStringPtrMap('[]'), { message: 'json: cannot unmarshal array into Go value of type map[string]*string' });
  assert.throws(() => decodeStringPtrMap('{"A":true}'), { message: 'json: cannot unmarshal bool into Go value of type string' });
});

test('labels, cachefrom: Go\'s zero values and type errors', () => {
  assert.deepEqual(decodeStringMap('{"a":null,"b":"x"}'), { a: '', b: 'x' });
  assert.throws(() => decodeStringMap('"s"'), { message: 'json: cannot unmarshal string into Go value of type map[string]string' });
  assert.deepEqual(decodeStringList('["a","b"]'), ['a', 'b']);
  assert.throws(() => decodeStringList('{}'), { message: 'json: cannot unmarshal object into Go value of type []string' });
  assert.throws(() => decodeStringList('[1]'), { message: 'json: cannot unmarshal number into Go value of type string' });
});

test('ulimits and outputs: struct fields matched case-insensitively, int64 checked', () => {
  assert.deepEqual(decodeUlimits('[{"name":"nofile","soft":10,"HARD":20}]'), [{ Name: 'nofile', Soft: 10, Hard: 20 }]);
  assert.throws(() => decodeUlimits('[{"Name":"nofile","Soft":"10"}]'), { message: 'json: cannot unmarshal string into Go struct field Ulimit.Soft of type int64' });
  assert.throws(() => decodeUlimits('[{"Name":"nofile","Soft":1.5}]'), { message: 'json: cannot unmarshal number 1.5 into Go struct field Ulimit.Soft of type int64' });
  assert.throws(() => decodeUlimits('{}'), { message: 'json: cannot unmarshal object into Go value of type []*container.Ulimit' });
  assert.deepEqual(decodeOutputs('[{"Type":"moby","Attrs":{"a":"b"}}]'), [{ Type: 'moby', Attrs: { a: 'b' } }]);
  assert.throws(() => decodeOutputs('[{"Type":1}]'), { message: 'json: cannot unmarshal number into Go struct field BuildOutput.Type of type string' });
});

// compose-go's dotenv tests (dotenv/godotenv_test.go: TestParsing, TestExpanding,
// TestUnterminatedQuotes, the substitution fixtures) against parseDotEnv.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDotEnv } from './dotenv.ts';

const one = (src: string, key: string): string | undefined => parseDotEnv(src)[key];

test('TestParsing cases', () => {
  const cases: [string, string, string][] = [
    ['FOO=bar', 'FOO', 'bar'],
    ['FOO =bar', 'FOO', 'bar'],
    ['FOO= bar', 'FOO', 'bar'],
    ['FOO="bar"', 'FOO', 'bar'],
    ["FOO='bar'", 'FOO', 'bar'],
    ['FOO="escaped\\"bar"', 'FOO', 'escaped"bar'],
    ['FOO="\\"quoted\\""', 'FOO', '"quoted"'],
    ['FOO="\'d\'"', 'FOO', "'d'"],
    ['OPTION_A: 1', 'OPTION_A', '1'],
    ['OPTION_A: Foo=bar', 'OPTION_A', 'Foo=bar'],
    ['OPTION_A=1:B', 'OPTION_A', '1:B'],
    ['export OPTION_A=2', 'OPTION_A', '2'],
    ["export OPTION_B='\\n'", 'OPTION_B', '\\n'],
    ['export exportFoo=2', 'exportFoo', '2'],
    ['exportFOO=2', 'exportFOO', '2'],
    ['export_FOO =2', 'export_FOO', '2'],
    ['export.FOO= 2', 'export.FOO', '2'],
    ['export\tOPTION_A=2', 'OPTION_A', '2'],
    ['  export OPTION_A=2', 'OPTION_A', '2'],
    ['\texport OPTION_A=2', 'OPTION_A', '2'],
    ['export OPTION_A="export A"', 'OPTION_A', 'export A'],
    ['FOO="bar\\nbaz"', 'FOO', 'bar\nbaz'],
    ['FOO=a\\tb', 'FOO', 'a\\tb'],
    ['FOO="a\\tb"', 'FOO', 'a\tb'],
    ['KEY="Z\\aZ\\bZ\\fZ\\nZ\\rZ\\tZ\\vZ\\\\Z\\0123Z"', 'KEY', 'Z\x07Z\bZ\fZ\nZ\rZ\tZ\vZ\\ZSZ'],
    ['FOO.BAR=foobar', 'FOO.BAR', 'foobar'],
    ['FOO=foobar=', 'FOO', 'foobar='],
    ['FOO=bar ', 'FOO', 'bar'],
    ['FOO=bar # this is foo', 'FOO', 'bar'],
    ['FOO=bar #this is foo', 'FOO', 'bar'],
    ['FOO=bar #', 'FOO', 'bar'],
    ['FOO=123#not-an-inline-comment', 'FOO', '123#not-an-inline-comment'],
    ['FOO="bar#baz"', 'FOO', 'bar#baz'],
    ['FOO="bar#baz"#', 'FOO', 'bar#baz'],
    ['FOO="bar#baz" # comment', 'FOO', 'bar#baz'],
    ["FOO='bar#baz' # comment", 'FOO', 'bar#baz'],
    ['FOO="bar#baz#bang" # comment', 'FOO', 'bar#baz#bang'],
    ['FOO="ba#r"', 'FOO', 'ba#r'],
    ["FOO='ba#r'", 'FOO', 'ba#r'],
    ['FOO="bar\\n\\ b\\az"', 'FOO', 'bar\n\\ b\x07z'],
    ['FOO="bar\\\\\\n\\ b\\az"', 'FOO', 'bar\\\n\\ b\x07z'],
    ['FOO="bar\\\\r\\ b\\az"', 'FOO', 'bar\\r\\ b\x07z'],
    ['FOO="bar\\nbaz\\\\"', 'FOO', 'bar\nbaz\\'],
    ['="value"', '', 'value'],
    [' KEY =value', 'KEY', 'value'],
    ['   KEY=value', 'KEY', 'value'],
    ['\tKEY=value', 'KEY', 'value'],
    ['KEY="\\0123"', 'KEY', 'S'],
    ['KEY="\\x07"', 'KEY', '\\x07'],
    ['KEY="\\u12e4"', 'KEY', '\\u12e4'],
  ];
  for (const [src, key, want] of cases) assert.equal(one(src, key), want, src);
});

test('a badly formatted line is an error naming the line', () => {
  assert.throws(() => parseDotEnv('lol$wut'), { message: 'line 1: unexpected character "$" in variable name "lol$wut"' });
  assert.throws(() => parseDotEnv('A=1\nB C=2\n'), { message: 'line 2: key cannot contain a space' });
});

test('unterminated quotes', () => {
  for (const src of ['KEY="', 'KEY="value', 'KEY="value\\"', 'KEY="value\'', "KEY='", "KEY='value", "KEY='value\\'", 'KEY=\'value"']) {
    assert.throws(() => parseDotEnv(src), /unterminated quoted value/, src);
  }
});

test('TestExpanding cases', () => {
  const cases: [string, Record<string, string>][] = [
    ['FOO=test\nBAR=$FOO', { FOO: 'test', BAR: 'test' }],
    ['FOO=test\nBAR=${FOO}bar', { FOO: 'test', BAR: 'testbar' }],
    ['BAR=$FOO', { BAR: '' }],
    ['FOO=test\nBAR="quote $FOO"', { FOO: 'test', BAR: 'quote test' }],
    ["BAR='quote $FOO'", { BAR: 'quote $FOO' }],
    ['FOO="foo\\$BAR"', { FOO: 'foo$BAR' }],
    ['FOO="foo\\${BAR}"', { FOO: 'foo${BAR}' }],
    ['FOO=test\nBAR="foo\\${FOO} ${FOO}"', { FOO: 'test', BAR: 'foo${FOO} test' }],
  ];
  for (const [src, want] of cases) assert.deepEqual(parseDotEnv(src), want, src);
});

test('multi-line double-quoted value and comments', () => {
  const src = '# comment\n\n  # indented comment\nTEST_URLS="stratum+tcp://a:3333\nstratum+tcp://b:443"\nNEXT=1\n';
  assert.deepEqual(parseDotEnv(src), { TEST_URLS: 'stratum+tcp://a:3333\nstratum+tcp://b:443', NEXT: '1' });
});

test('lookup: process env wins in expansion, VAR alone inherits, defaults (substitutions fixtures)', () => {
  const src = 'OPTION_A=${OPTION_A:-1}\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\nOPTION_D=${OPTION_A}_${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}\n';
  assert.deepEqual(parseDotEnv(src, (k) => (k === 'OPTION_A' ? '5' : undefined)), { OPTION_A: '5', OPTION_B: '5', OPTION_C: '5', OPTION_D: '5_5', OPTION_E: '' });
  assert.deepEqual(parseDotEnv(src), { OPTION_A: '1', OPTION_B: '1', OPTION_C: '1', OPTION_D: '1_1', OPTION_E: '' });
  assert.deepEqual(parseDotEnv('INHERITED\nfoo=bar\nNOT_SET\n', (k) => (k === 'INHERITED' ? 'v' : undefined)), { INHERITED: 'v', foo: 'bar' });
  assert.deepEqual(parseDotEnv('\ufeffOPTION_A=1\nVAR-WITH-DASHES=dashes\n'), { OPTION_A: '1', 'VAR-WITH-DASHES': 'dashes' });
});

test('a required variable missing in .env is an error with its line (compose-go counts the value line done: 3)', () => {
  assert.throws(() => parseDotEnv('A=1\nB=${NOPE:?set it}\n'), { message: 'line 3: required variable NOPE is missing a value: set it' });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patternRegex, reversePattern, trimPrefix, trimSuffix } from './shell-pattern.ts';

test('shell patterns to regular expressions (BuildKit TestConvertShellPatternToRegex)', () => {
  const cases: [string, string][] = [
    ['*', '^.*'],
    ['?', '^.'],
    ['\\*', '^\\*'],
    ['(()[]{\\}^$.\\*\\?|\\\\', '^\\(\\(\\)\\[\\]\\{\\}\\^\\$\\.\\*\\?\\|\\\\'],
  ];
  for (const [pattern, expected] of cases) assert.equal(patternRegex(pattern, true, true).source, expected, pattern);
  assert.equal(patternRegex('a*b', false, false).source, 'a.*?b');
  for (const bad of ['\\', '\\x', '\\\\\\']) assert.throws(() => patternRegex(bad, true, true), /invalid escape/, bad);
});

test('reversed patterns keep escapes before their character (BuildKit TestReversePattern)', () => {
  const cases: [string, string][] = [
    ['a\\*c', 'c\\*a'],
    ['\\\\\\ab', 'b\\a\\\\'],
    ['ab\\', '\\ba'],
    ['👽\\🚀🖖', '🖖\\🚀👽'],
    ['\\\\b', 'b\\\\'],
  ];
  for (const [pattern, expected] of cases) assert.equal(reversePattern(pattern), expected, pattern);
});

test('shortest and longest prefix and suffix, on code points', () => {
  assert.equal(trimPrefix('*/', 'a/b/c', false), 'b/c');
  assert.equal(trimPrefix('*/', 'a/b/c', true), 'c');
  assert.equal(trimSuffix('/*', 'a/b/c', false), 'a/b');
  assert.equal(trimSuffix('/*', 'a/b/c', true), 'a');
  assert.equal(trimSuffix('?', '🖖🚀', false), '🖖');
});

// .dockerignore parsing (ignorefile.ReadAll) and matching (patternmatcher), with cases from moby's
// own tests; Go's filepath.Match for COPY wildcards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatternMatcher, goClean, parseDockerignore } from './dockerignore.ts';
import { BadPatternError, goMatch, hasWildcards } from './go-match.ts';

test('parseDockerignore: comments, blank lines, spaces, leading / and ./, exceptions, BOM', () => {
  const text = '\ufeff# comment\n\n  *.md  \n/abs/x\n./rel/y\n!  /keep.md\nsub/../z\n # not a comment\r\ntrail/\n';
  assert.deepEqual(parseDockerignore(text), ['*.md', 'abs/x', 'rel/y', '!keep.md', 'z', '# not a comment', 'trail']);
  assert.deepEqual(parseDockerignore('/'), ['/']);
});

test('goClean is Go filepath.Clean', () => {
  assert.equal(goClean(''), '.');
  assert.equal(goClean('a/b/'), 'a/b');
  assert.equal(goClean('./a//b/../c'), 'a/c');
  assert.equal(goClean('/../a'), '/a');
  assert.equal(goClean('../a'), '../a');
});

const matches = (patterns: string[], file: string) => new PatternMatcher(patterns).matches(file);

test('matcher: plain names match the file and everything below a matching directory', () => {
  assert.equal(matches(['docs'], 'docs'), true);
  assert.equal(matches(['docs'], 'docs/a/b.txt'), true);
  assert.equal(matches(['docs'], 'mydocs'), false);
  assert.equal(matches(['a/b'], 'a/b/c'), true);
  assert.equal(matches(['a/b'], 'a'), false);
});

test('matcher: * and ? stay within one component; [classes]', () => {
  assert.equal(matches(['*.go'], 'main.go'), true);
  assert.equal(matches(['*.go'], 'pkg/main.go'), false);
  assert.equal(matches(['*/*.go'], 'pkg/main.go'), true);
  assert.equal(matches(['?.txt'], 'a.txt'), true);
  assert.equal(matches(['?.txt'], 'ab.txt'), false);
  assert.equal(matches(['[a-c].txt'], 'b.txt'), true);
  assert.equal(matches(['[^a-c].txt'], 'b.txt'), false);
  assert.equal(matches(['a.(txt)'], 'a.(txt)'), true); // regexp specials are literal
  assert.equal(matches(['a+b'], 'aab'), false);
});

test('matcher: ** matches any number of directories', () => {
  assert.equal(matches(['**/*.go'], 'main.go'), true);
  assert.equal(matches(['**/*.go'], 'a/b/c/main.go'), true);
  assert.equal(matches(['**'], 'anything/at/all'), true);
  assert.equal(matches(['a/**/z'], 'a/z'), true);
  assert.equal(matches(['a/**/z'], 'a/b/c/z'), true);
  assert.equal(matches(['a/**/z'], 'b/z'), false);
  assert.equal(matches(['dir/**'], 'dir/x/y'), true);
  assert.equal(matches(['**/node_modules'], 'x/node_modules/pkg/index.js'), true);
});

test('matcher: ! exceptions, in order; the last matching pattern wins', () => {
  const p = ['*.md', '!README.md'];
  assert.equal(matches(p, 'CHANGES.md'), true);
  assert.equal(matches(p, 'README.md'), false);
  assert.equal(matches(['*.md', '!README.md', 'README*'], 'README.md'), true);
  assert.equal(matches(['docs', '!docs/keep.txt'], 'docs/keep.txt'), false);
  assert.equal(matches(['docs', '!docs/keep.txt'], 'docs/drop.txt'), true);
  assert.equal(matches(['!x'], 'x'), false);
});

test('matcher: parent results passed down give the same answers as a full match', () => {
  const pm = new PatternMatcher(['a', '!a/b/keep*', '**/*.tmp']);
  const files = ['a', 'a/b', 'a/b/keep.txt', 'a/b/drop.txt', 'c/x.tmp', 'c/y'];
  const info = new Map<string, readonly boolean[]>();
  for (const f of files) {
    const parent = f.includes('/') ? f.slice(0, f.lastIndexOf('/')) : undefined;
    const r = pm.matchesWithParent(f, parent === undefined ? undefined : info.get(parent));
    info.set(f, r.info);
    assert.equal(r.matched, pm.matches(f), f);
  }
  assert.equal(pm.mayIncludeBelow('a'), true);
  assert.equal(pm.mayIncludeBelow('c'), false);
});

test('matcher: bad patterns are refused as Go refuses them', () => {
  assert.throws(() => new PatternMatcher(['[']), BadPatternError);
  assert.throws(() => new PatternMatcher(['a\\']), BadPatternError);
  assert.throws(() => new PatternMatcher(['!']), /illegal exclusion pattern: "!"/);
});

test('goMatch: Go filepath.Match', () => {
  const cases: [string, string, boolean][] = [
    ['abc', 'abc', true], ['*', 'abc', true], ['*c', 'abc', true], ['a*', 'a', true], ['a*', 'ab/c', false],
    ['a*/b', 'abc/b', true], ['a*/b', 'a/c/b', false], ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['ab[c]', 'abc', true], ['ab[b-d]', 'abc', true], ['ab[e-g]', 'abc', false], ['ab[^c]', 'abc', false],
    ['ab[^e-g]', 'abc', true], ['a\\*b', 'a*b', true], ['a\\*b', 'ab', false], ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true], ['a???b', 'a☺b', false], ['*x', 'xxx', true], ['a?b', 'a/b', false], ['a*b', 'a/b', false],
    ['[\\-]', '-', true], ['[x\\-]', 'z', false],
  ];
  for (const [p, s, want] of cases) assert.equal(goMatch(p, s), want, `${p} ${s}`);
  for (const bad of ['[]a]', '[-]', '[x-]', '[a-b-c]', '[', '[^', '[^bc', 'a[', '\\']) {
    assert.throws(() => goMatch(bad, 'a'), BadPatternError, bad);
  }
  assert.equal(hasWildcards('a/*.txt'), true);
  assert.equal(hasWildcards('a\\*b'), false);
  assert.equal(hasWildcards('plain/name'), false);
});

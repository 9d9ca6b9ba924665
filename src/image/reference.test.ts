import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  familiarMatch,
  familiarName,
  familiarString,
  noSuchImageText,
  parseAnyReference,
  parseNormalizedNamed,
  referenceString,
  repoTagReference,
  tagNameOnly,
} from './reference.ts';
import { goPathMatch } from './path-match.ts';

/** Parse and add `:latest` when there is neither tag nor digest (the usual user-facing form). */
const parse = (s: string) => tagNameOnly(parseNormalizedNamed(s));

const D = `sha256:${'ab'.repeat(32)}`;

test('normalises names like ParseNormalizedNamed + TagNameOnly', () => {
  const table: [string, string, string][] = [
    // input, full string (with default tag), familiar string
    ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
    ['library/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['index.docker.io/library/busybox:x', 'docker.io/library/busybox:x', 'busybox:x'],
    ['user/app:v1', 'docker.io/user/app:v1', 'user/app:v1'],
    ['docker.io/library/a/b', 'docker.io/library/a/b:latest', 'library/a/b:latest'],
    ['localhost:5000/a/b:tag', 'localhost:5000/a/b:tag', 'localhost:5000/a/b:tag'],
    ['localhost/x', 'localhost/x:latest', 'localhost/x:latest'],
    ['example.com/x/y:1', 'example.com/x/y:1', 'example.com/x/y:1'],
    ['Example.com/x', 'Example.com/x:latest', 'Example.com/x:latest'],
    ['[::1]:5000/x:1', '[::1]:5000/x:1', '[::1]:5000/x:1'],
    ['my-app.v2__x:TAG_1.0-rc', 'docker.io/library/my-app.v2__x:TAG_1.0-rc', 'my-app.v2__x:TAG_1.0-rc'],
    [`name@${D}`, `docker.io/library/name@${D}`, `name@${D}`],
    [`name:tag@${D}`, `docker.io/library/name:tag@${D}`, `name:tag@${D}`],
  ];
  for (const [input, full, familiar] of table) {
    const ref = parse(input);
    assert.equal(referenceString(ref), full, input);
    assert.equal(familiarString(ref), familiar, input);
  }
  assert.equal(familiarName(parse('localhost:5000/x:1')), 'localhost:5000/x');
  assert.equal(parseNormalizedNamed('busybox').tag, undefined);
});

test('rejects bad references with Docker\'s words', () => {
  const table: [string, string][] = [
    ['Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase'],
    ['foo/Bar:1', 'invalid reference format: repository name (foo/Bar) must be lowercase'],
    ['localhost:5000/Foo', 'invalid reference format: repository name (Foo) must be lowercase'],
    ['', 'invalid reference format'],
    ['busybox:', 'invalid reference format'],
    ['busybox:a b', 'invalid reference format'],
    ['a//b', 'invalid reference format'],
    ['busybox@sha256:abc', 'invalid reference format'],
    [`busybox@sha256:${'a'.repeat(40)}`, 'invalid checksum digest length'],
    [`busybox@md5:${'a'.repeat(40)}`, 'unsupported digest algorithm'],
    ['a'.repeat(64), `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`],
    ['x'.repeat(250), 'repository name must not be more than 255 characters'],
  ];
  for (const [input, message] of table) {
    assert.throws(() => parse(input), (err: Error & { kind?: string }) => err.message === message && err.kind === 'InvalidParameter', input);
  }
});

test('parseAnyReference tells IDs from names', () => {
  assert.deepEqual(parseAnyReference('a'.repeat(64)), { kind: 'digest', digest: `sha256:${'a'.repeat(64)}` });
  assert.deepEqual(parseAnyReference(D), { kind: 'digest', digest: D });
  const short = parseAnyReference('sha256:abc');
  assert.equal(short.kind, 'named');
});

test('repoTagReference joins repo and tag like the API', () => {
  assert.equal(familiarString(repoTagReference('busybox', 'x')), 'busybox:x');
  assert.equal(familiarString(repoTagReference('busybox')), 'busybox:latest');
  assert.equal(familiarString(repoTagReference('busybox:1')), 'busybox:1');
  assert.throws(() => repoTagReference('busybox', 'bad tag'), /invalid tag format/);
  assert.throws(() => repoTagReference(`busybox@${D}`), /cannot import digest reference/);
});

test('noSuchImageText shows the normalised reference', () => {
  assert.equal(noSuchImageText('nope'), 'No such image: nope:latest');
  assert.equal(noSuchImageText('x/y:2'), 'No such image: x/y:2');
  assert.equal(noSuchImageText(D), `No such image: ${D}`);
  assert.equal(noSuchImageText('Bad'), 'No such image: Bad');
});

test('familiarMatch globs the familiar string, then the familiar name', () => {
  const table: [string, string, boolean][] = [
    ['busy*', 'busybox:latest', true],
    ['busybox', 'busybox:latest', true],
    ['busybox:1*', 'busybox:1.36', true],
    ['busybox:1*', 'busybox:latest', false],
    ['*', 'user/app:v1', false],
    ['*/*', 'user/app:v1', true],
    ['user/*', 'user/app:v1', true],
    ['localhost:5000/*', 'localhost:5000/x:1', true],
    ['b?sybox', 'busybox:latest', true],
    ['[ab]usybox', 'busybox:latest', true],
    ['[^b]usybox', 'busybox:latest', false],
  ];
  for (const [pattern, ref, want] of table) assert.equal(familiarMatch(pattern, parse(ref)), want, `${pattern} ~ ${ref}`);
  assert.throws(() => familiarMatch('[', parse('busybox')), /syntax error in pattern/);
});

test('goPathMatch follows Go path.Match', () => {
  const table: [string, string, boolean][] = [
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*/b', 'abc/b', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a?b', 'a/b', false],
    ['a*b', 'a/b', false],
    ['[a-ζ]*', 'α', true],
    ['*x', 'xxx', true],
  ];
  for (const [p, s, want] of table) assert.equal(goPathMatch(p, s), want, `${p} ~ ${s}`);
  for (const bad of ['[', '[^', '[^bc', 'a[', 'a\\', '[a-', '[\\-]x[']) {
    assert.throws(() => goPathMatch(bad, 'a'), /syntax error in pattern/, bad);
  }
});
